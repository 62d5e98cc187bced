/* test-cli-command.c: the command line, parsed and checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-cli-command.h"
#include "nod-outbox-action.h"

#define MAX_ARGS 12
/* How much of a command line the log shows: GLib splits a test message at every newline,
 * and under AddressSanitizer's string checks that is quadratic in the message (a MiB of
 * body took more than a minute). */
#define MAX_LOGGED_LINE 512
#define SECRET "glpat-S3cr3tT0k3nValue"

/* A command line after "nod", to the first NULL, and the command it must give. */
typedef struct
{
  const char       *args[MAX_ARGS];
  NodCliVerb        verb;
  NodCliVerb        help_for;
  const char       *project_path;
  gint64            iid;
  const char       *body;
  gboolean          body_from_stdin;
  const char       *discussion_id;
  gint64            note_id;
  const char       *file_path;
  guint             line;
  gboolean          old_side;
  gboolean          stat;
  const char       *op_id;
  const char       *url;
  gboolean          token_from_stdin;
  gboolean          depth_given;
  guint             history_days;
  gboolean          insecure_http;
  gboolean          json;
  gboolean          preview;
  gboolean          approvals_only;
  NodCliListFilter  list_filter;
} GoodCase;

/* A command line after "nod" that is wrong, and a part its message must have. */
typedef struct
{
  const char *args[MAX_ARGS];
  const char *message_part;
} BadCase;

static NodCliCommand *
parse_args (const char *const  *args,
            GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *line = NULL;
  g_autofree char *printable = NULL;

  g_ptr_array_add (argv, (gpointer) "nod");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  line = g_strjoinv (" ", (char **) argv->pdata);
  printable = g_utf8_make_valid (line, MIN (strlen (line), MAX_LOGGED_LINE));
  g_test_message ("parsing: %s%s", printable, strlen (line) > MAX_LOGGED_LINE ? " […]" : "");

  return nod_cli_command_parse (argv->len - 1, (const char *const *) argv->pdata, error);
}

static void
assert_usage_message (const GError *error,
                      const char   *message_part)
{
  g_assert_error (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE);
  g_test_message ("message: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "nod: "));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\r'));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), >, strlen ("nod: "));
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));
}

static void
assert_usage_error (const char *const *args,
                    const char        *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodCliCommand) command = parse_args (args, &error);

  g_assert_null (command);
  assert_usage_message (error, message_part);
}

static void
assert_good_case (const GoodCase *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodCliCommand) command = parse_args (expected->args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (command);
  g_assert_cmpint (command->verb, ==, expected->verb);
  g_assert_cmpint (command->help_for, ==, expected->help_for);
  g_assert_cmpstr (command->project_path, ==, expected->project_path);
  g_assert_cmpint (command->iid, ==, expected->iid);
  g_assert_cmpstr (command->body, ==, expected->body);
  g_assert_cmpint (command->body_from_stdin, ==, expected->body_from_stdin);
  g_assert_cmpstr (command->discussion_id, ==, expected->discussion_id);
  g_assert_cmpint (command->note_id, ==, expected->note_id);
  g_assert_cmpstr (command->file_path, ==, expected->file_path);
  g_assert_cmpuint (command->line, ==, expected->line);
  g_assert_cmpint (command->old_side, ==, expected->old_side);
  g_assert_cmpint (command->stat, ==, expected->stat);
  g_assert_cmpstr (command->op_id, ==, expected->op_id);
  g_assert_cmpstr (command->url, ==, expected->url);
  g_assert_cmpint (command->token_from_stdin, ==, expected->token_from_stdin);
  g_assert_cmpint (command->depth_given, ==, expected->depth_given);
  g_assert_cmpuint (command->history_days, ==, expected->history_days);
  g_assert_cmpint (command->insecure_http, ==, expected->insecure_http);
  g_assert_cmpint (command->json, ==, expected->json);
  g_assert_cmpint (command->preview, ==, expected->preview);
  g_assert_cmpint (command->approvals_only, ==, expected->approvals_only);
  g_assert_cmpint (command->list_filter, ==, expected->list_filter);
}

#define OP_ID "0b6e1f2a-5c3d-4e8f-9a7b-1c2d3e4f5a6b"
#define DISCUSSION_ID "6a9c1750b37d513a43987b574953fceb50b03ce7"

static void
test_verbs (void)
{
  static const GoodCase cases[] = {
    { { "account", "add", "--url", "https://gitlab.com" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.com" },
    { { "account", "add", "--url", "https://gitlab.example.com/gitlab", "--token-stdin" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.example.com/gitlab",
      .token_from_stdin = TRUE },
    { { "account", "add", "--insecure-http", "--url", "http://gitlab.internal:8080" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "http://gitlab.internal:8080", .insecure_http = TRUE },
    { { "account", "add", "--url", "https://gitlab.com", "--depth", "90" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.com", .depth_given = TRUE,
      .history_days = 90 },
    { { "account", "add", "--depth=30", "--url", "https://gitlab.com" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.com", .depth_given = TRUE,
      .history_days = 30 },
    { { "account", "add", "--url", "https://gitlab.com", "--depth", "all" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.com", .depth_given = TRUE,
      .history_days = 0 },
    { { "account", "list" }, NOD_CLI_VERB_ACCOUNT_LIST },
    { { "account", "remove", "https://gitlab.com" },
      NOD_CLI_VERB_ACCOUNT_REMOVE, .url = "https://gitlab.com" },
    { { "account", "remove", "http://127.0.0.1:3000" },
      NOD_CLI_VERB_ACCOUNT_REMOVE, .url = "http://127.0.0.1:3000" },
    { { "account", "remove", "http://gitlab.internal", "--insecure-http" },
      NOD_CLI_VERB_ACCOUNT_REMOVE, .url = "http://gitlab.internal", .insecure_http = TRUE },
    { { "status" }, NOD_CLI_VERB_STATUS },
    { { "status", "--json" }, NOD_CLI_VERB_STATUS, .json = TRUE },
    { { "pull" }, NOD_CLI_VERB_PULL },
    { { "push" }, NOD_CLI_VERB_PUSH },
    { { "push", "--approvals-only" }, NOD_CLI_VERB_PUSH, .approvals_only = TRUE },
    { { "sync" }, NOD_CLI_VERB_SYNC },
    { { "sync", "--preview" }, NOD_CLI_VERB_SYNC, .preview = TRUE },
    { { "approve", "gnome/nod!42" },
      NOD_CLI_VERB_APPROVE, .project_path = "gnome/nod", .iid = 42 },
    { { "unapprove", "gnome/nod!42" },
      NOD_CLI_VERB_UNAPPROVE, .project_path = "gnome/nod", .iid = 42 },
    { { "comment", "gnome/nod!42", "--body", "Looks good" },
      NOD_CLI_VERB_COMMENT, .project_path = "gnome/nod", .iid = 42, .body = "Looks good" },
    { { "comment", "gnome/nod!42", "--body", "-" },
      NOD_CLI_VERB_COMMENT, .project_path = "gnome/nod", .iid = 42, .body_from_stdin = TRUE },
    { { "reply", "gnome/nod!42", "--discussion", DISCUSSION_ID, "--body", "Done" },
      NOD_CLI_VERB_REPLY, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = DISCUSSION_ID, .body = "Done" },
    { { "reply", "gnome/nod!42", "--discussion", "local:" OP_ID, "--body", "-" },
      NOD_CLI_VERB_REPLY, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = "local:" OP_ID, .body_from_stdin = TRUE },
    { { "resolve", "gnome/nod!42", "--discussion", DISCUSSION_ID },
      NOD_CLI_VERB_RESOLVE, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = DISCUSSION_ID },
    { { "unresolve", "gnome/nod!42", "--discussion", DISCUSSION_ID },
      NOD_CLI_VERB_UNRESOLVE, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = DISCUSSION_ID },
    { { "note", "edit", "gnome/nod!42", "--discussion", DISCUSSION_ID, "--note", "1234",
        "--body", "Typo fixed" },
      NOD_CLI_VERB_NOTE_EDIT, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = DISCUSSION_ID, .note_id = 1234, .body = "Typo fixed" },
    { { "note", "delete", "gnome/nod!42", "--note=99", "--discussion", DISCUSSION_ID },
      NOD_CLI_VERB_NOTE_DELETE, .project_path = "gnome/nod", .iid = 42,
      .discussion_id = DISCUSSION_ID, .note_id = 99 },
    { { "queue", "list" }, NOD_CLI_VERB_QUEUE_LIST },
    { { "queue", "list", "--json" }, NOD_CLI_VERB_QUEUE_LIST, .json = TRUE },
    { { "queue", "retry", OP_ID }, NOD_CLI_VERB_QUEUE_RETRY, .op_id = OP_ID },
    { { "queue", "discard", OP_ID }, NOD_CLI_VERB_QUEUE_DISCARD, .op_id = OP_ID },
    { { "queue", "cancel", OP_ID }, NOD_CLI_VERB_QUEUE_CANCEL, .op_id = OP_ID },
    { { "queue", "edit", OP_ID, "--body", "Reworded" }, NOD_CLI_VERB_QUEUE_EDIT,
      .op_id = OP_ID, .body = "Reworded" },
    { { "queue", "edit", OP_ID, "--body", "-" }, NOD_CLI_VERB_QUEUE_EDIT,
      .op_id = OP_ID, .body_from_stdin = TRUE },
    { { "mr", "list" }, NOD_CLI_VERB_MR_LIST, .list_filter = NOD_CLI_LIST_ALL },
    { { "mr", "list", "--review" }, NOD_CLI_VERB_MR_LIST, .list_filter = NOD_CLI_LIST_REVIEW },
    { { "mr", "list", "--authored", "--json" },
      NOD_CLI_VERB_MR_LIST, .list_filter = NOD_CLI_LIST_AUTHORED, .json = TRUE },
    { { "mr", "list", "--json", "--assigned" },
      NOD_CLI_VERB_MR_LIST, .list_filter = NOD_CLI_LIST_ASSIGNED, .json = TRUE },
    { { "help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "help", "approve" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_APPROVE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_good_case (&cases[i]);
}

/* `nod diff` and `nod comment --file --line`: a path is taken as written, a line is a
 * number GitLab could have. */
static void
test_diff_options (void)
{
  static const GoodCase cases[] = {
    { { "diff", "g/p!1" }, NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1 },
    { { "diff", "g/p!1", "--stat" },
      NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1, .stat = TRUE },
    { { "diff", "--file", "src/main.c", "g/p!1" },
      NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1, .file_path = "src/main.c" },
    { { "diff", "g/p!1", "--stat", "--file=a b/ü.md" },
      NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1, .stat = TRUE,
      .file_path = "a b/ü.md" },
    /* A path that starts like an option is given with "=". */
    { { "diff", "g/p!1", "--file=-weird" },
      NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1, .file_path = "-weird" },
    { { "comment", "g/p!1", "--body", "x" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "x" },
    { { "comment", "g/p!1", "--file", "src/main.c", "--line", "12", "--body", "x" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "x",
      .file_path = "src/main.c", .line = 12 },
    { { "comment", "--old", "--line=7", "--file=a.c", "--body=-", "g/p!1" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body_from_stdin = TRUE,
      .file_path = "a.c", .line = 7, .old_side = TRUE },
    { { "comment", "g/p!1", "--file", "a.c", "--line", "2147483647", "--body", "x" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "x",
      .file_path = "a.c", .line = G_MAXINT32 },
  };
  static const BadCase bad[] = {
    { { "diff" }, "diff needs a merge request" },
    { { "diff", "g/p" }, "is not a merge request reference" },
    { { "diff", "g/p!1", "--line", "3" }, "diff does not take --line" },
    { { "diff", "g/p!1", "--old" }, "diff does not take --old" },
    { { "diff", "g/p!1", "--body", "x" }, "diff does not take --body" },
    { { "diff", "g/p!1", "--stat=yes" }, "--stat takes no value" },
    { { "diff", "g/p!1", "--stat", "--stat" }, "--stat is given twice" },
    { { "diff", "g/p!1", "--file" }, "--file needs a value" },
    { { "diff", "g/p!1", "--file", "--stat" }, "--file needs a value" },
    { { "diff", "g/p!1", "--file", "" }, "--file is empty" },
    { { "diff", "g/p!1", "--file=" }, "--file is empty" },
    { { "diff", "g/p!1", "--file", "bad \xff" }, "not valid UTF-8" },
    { { "diff", "g/p!1", "--file", "a", "--file", "b" }, "--file is given twice" },
    { { "diff", "g/p!1", "g/p!2" }, "diff takes one merge request" },
    { { "approve", "g/p!1", "--file", "a.c" }, "approve does not take --file" },
    { { "reply", "g/p!1", "--discussion", DISCUSSION_ID, "--body", "x", "--line", "1" },
      "reply does not take --line" },
    { { "comment", "g/p!1", "--body", "x", "--stat" }, "comment does not take --stat" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c" }, "--file needs --line N too" },
    { { "comment", "g/p!1", "--body", "x", "--line", "3" }, "--line needs --file PATH too" },
    { { "comment", "g/p!1", "--body", "x", "--old" }, "--old needs --file PATH and --line N" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--old" },
      "--file needs --line N too" },
    { { "comment", "g/p!1", "--file", "a.c", "--line", "3" }, "comment needs --body TEXT" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "0" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "-3" },
      "--line needs a value" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line=-3" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "+3" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "3x" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "2147483648" },
      "--line is a line number" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "1", "--line", "2" },
      "--line is given twice" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "1", "--old", "--old" },
      "--old is given twice" },
    { { "comment", "g/p!1", "--body", "x", "--file", "a.c", "--line", "1", "--old=1" },
      "--old takes no value" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_good_case (&cases[i]);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_usage_error (bad[i].args, bad[i].message_part);

  /* A path up to the bound, and one byte more refused. */
  {
    g_autofree char *longest = g_strnfill (4096, 'a');
    g_autofree char *too_long = g_strnfill (4097, 'a');
    GoodCase expected = {
      { "diff", "g/p!1", "--file", longest },
      NOD_CLI_VERB_DIFF, .project_path = "g/p", .iid = 1, .file_path = longest,
    };
    const char *args[] = { "diff", "g/p!1", "--file", too_long, NULL };

    assert_good_case (&expected);
    assert_usage_error (args, "the --file path is too long");
  }

  /* The value of --file or --line is never quoted back: it might be a token. */
  {
    const char *file_args[] = { "diff", "g/p!1", "--file", SECRET, "--file", "x", NULL };
    const char *line_args[] = { "comment", "g/p!1", "--body", "x", "--file", "a",
                                "--line", SECRET, NULL };
    g_autoptr(GError) file_error = NULL;
    g_autoptr(GError) line_error = NULL;
    g_autoptr(NodCliCommand) file_command = parse_args (file_args, &file_error);
    g_autoptr(NodCliCommand) line_command = parse_args (line_args, &line_error);

    g_assert_null (file_command);
    g_assert_null (line_command);
    g_assert_null (strstr (file_error->message, SECRET));
    g_assert_null (strstr (line_error->message, SECRET));
  }
}

/* What a message may quote: a path as it is, made printable; a token never. */
static void
test_quote (void)
{
  g_autofree char *plain = nod_cli_quote ("src/core/nod-sync-engine.c");
  g_autofree char *hostile = nod_cli_quote ("a\x1b[2Jb\n.c");
  g_autofree char *secret = nod_cli_quote ("docs/" SECRET ".md");
  g_autofree char *long_path = g_strnfill (100, 'p');
  g_autofree char *cut = nod_cli_quote (long_path);

  g_assert_cmpstr (plain, ==, "src/core/nod-sync-engine.c");
  g_assert_cmpstr (hostile, ==, "a\\x1b[2Jb\\x0a.c");
  g_assert_null (secret);
  g_assert_cmpuint (g_utf8_strlen (cut, -1), ==, 61);
  g_assert_true (g_str_has_suffix (cut, "…"));
}

/* Options before or after the argument, "--name=value", and "--" to end options. */
static void
test_option_order (void)
{
  static const GoodCase cases[] = {
    { { "comment", "--body", "x", "g/p!1" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "x" },
    { { "comment", "--body=x", "g/p!1" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "x" },
    { { "comment", "g/p!1", "--body=a=b" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "a=b" },
    { { "comment", "g/p!1", "--body=-" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body_from_stdin = TRUE },
    { { "reply", "--body", "x", "g/p!1", "--discussion", DISCUSSION_ID },
      NOD_CLI_VERB_REPLY, .project_path = "g/p", .iid = 1, .body = "x",
      .discussion_id = DISCUSSION_ID },
    { { "reply", "--discussion=" DISCUSSION_ID, "--body=x", "g/p!1" },
      NOD_CLI_VERB_REPLY, .project_path = "g/p", .iid = 1, .body = "x",
      .discussion_id = DISCUSSION_ID },
    { { "resolve", "--discussion", DISCUSSION_ID, "--", "g/p!1" },
      NOD_CLI_VERB_RESOLVE, .project_path = "g/p", .iid = 1, .discussion_id = DISCUSSION_ID },
    { { "approve", "--", "g/p!1" }, NOD_CLI_VERB_APPROVE, .project_path = "g/p", .iid = 1 },
    { { "account", "add", "--token-stdin", "--url=https://gitlab.com" },
      NOD_CLI_VERB_ACCOUNT_ADD, .url = "https://gitlab.com", .token_from_stdin = TRUE },
    { { "account", "remove", "--", "https://gitlab.com" },
      NOD_CLI_VERB_ACCOUNT_REMOVE, .url = "https://gitlab.com" },
    { { "queue", "retry", "--", OP_ID }, NOD_CLI_VERB_QUEUE_RETRY, .op_id = OP_ID },
    { { "mr", "list", "--json", "--review" },
      NOD_CLI_VERB_MR_LIST, .list_filter = NOD_CLI_LIST_REVIEW, .json = TRUE },
    /* What follows --body is the body, even when it looks like an option. */
    { { "comment", "g/p!1", "--body", "--help" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "--help" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_good_case (&cases[i]);
}

/* A body is taken exactly as written: markup, newlines, spaces, a leading "-", any size. */
static void
test_body (void)
{
  static const char * const bodies[] = {
    "<b>bold</b> & <script>alert(1)</script>",
    "  indented code\n\n- a list\n- of items\n",
    "- starts like an option",
    "-h",
    "--json",
    "\n\nTrailing and leading newlines\n\n",
    "Ünïcödé — “quotes” 🎉",
    "/approve",
    "a\tb",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      GoodCase expected = {
        { "comment", "g/p!1", "--body", bodies[i] },
        NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = bodies[i],
      };
      g_autofree char *attached = g_strconcat ("--body=", bodies[i], NULL);
      GoodCase expected_attached = {
        { "comment", attached, "g/p!1" },
        NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = bodies[i],
      };

      assert_good_case (&expected);
      assert_good_case (&expected_attached);
    }

  /* Up to GitLab's limit, in characters (a million "é" is two million bytes). */
  {
    static const char * const units[] = { "a", "\xc3\xa9", "\xf0\x9f\x8e\x89" };

    for (guint i = 0; i < G_N_ELEMENTS (units); i++)
      {
        g_autoptr(GString) big = g_string_new (NULL);
        GoodCase expected = {
          { "reply", "g/p!1", "--discussion", DISCUSSION_ID, "--body", NULL },
          NOD_CLI_VERB_REPLY, .project_path = "g/p", .iid = 1, .discussion_id = DISCUSSION_ID,
        };

        for (guint n = 0; n < NOD_NOTE_BODY_MAX_CHARS; n++)
          g_string_append (big, units[i]);
        expected.args[5] = big->str;
        expected.body = big->str;
        assert_good_case (&expected);
      }
  }
}

/* One character more than GitLab takes is a usage error, before anything is sent. */
static void
test_body_too_long (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  const char *args[] = { "comment", "g/p!1", "--body", NULL, NULL };

  for (guint n = 0; n < NOD_NOTE_BODY_MAX_CHARS + 1; n++)
    g_string_append_c (big, n % 60 == 59 ? '\n' : 'x');
  args[3] = big->str;
  assert_usage_error (args, "the --body text is too long");

  /* The rule the standard input is held to is the same one. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (nod_cli_check_body (big->str, big->len, TRUE, &error));
    assert_usage_message (error, "too long");
  }
}

/* What standard input may hold as a body: the parser's rules, and no NUL. */
static void
test_check_body (void)
{
  static const struct { const char *text; gsize length; const char *message_part; } cases[] = {
    { "Looks good\n", 11, NULL },
    { "a\0b", 3, "NUL" },
    { "\0", 1, "NUL" },
    { "bad \xff", 5, "not valid UTF-8" },
    { " \n\t", 3, "is empty" },
    { "", 0, "is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = nod_cli_check_body (cases[i].text, cases[i].length, TRUE, &error);

      if (cases[i].message_part == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          assert_usage_message (error, cases[i].message_part);
          g_assert_nonnull (strstr (error->message, "standard input"));
        }
    }
}

static void
test_refs (void)
{
  static const struct { const char *ref; const char *path; gint64 iid; } good[] = {
    { "group/project!1", "group/project", 1 },
    { "a/b/c!7", "a/b/c", 7 },
    { "GNOME/World/design/app-icons!123", "GNOME/World/design/app-icons", 123 },
    { "my.group/my-project_2!3", "my.group/my-project_2", 3 },
    { "gnome/nod.git!9", "gnome/nod.git", 9 },
    { "g/p!2147483647", "g/p", G_MAXINT32 },
    { "0/1!10", "0/1", 10 },
  };
  /* Leading zeros ("!04") and signs are refused: GitLab never writes an iid so, and a
   * reference is something copied from GitLab. */
  static const char * const bad[] = {
    "group/project!abc", "project!1", "group/project!0", "group/project", "group/project!1x",
    "!4", "/!4", "g/p!2147483648", "g/p!99999999999999999999", "g/p!+4", "g/p!-4", "g/p!04",
    "g/p!00", "g/p! 4", "g/p!4 ", " g/p!4", "g/p!", "g/p!!1", "g/p!1!2", "/g/p!1", "g//p!1",
    "g/p/!1", "../p!1", "g/../p!1", "g/./p!1", "g/..!1", "g p/x!1", "g/pé!1", "g/p#1!1",
    "g\\p!1", "g/p!1\n", "g/p\n!1", "", "g/p!0x10", "g/p!1e3", "g/p!٣",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      GoodCase expected = {
        { "approve", good[i].ref },
        NOD_CLI_VERB_APPROVE, .project_path = good[i].path, .iid = good[i].iid,
      };

      assert_good_case (&expected);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[] = { "approve", bad[i], NULL };

      assert_usage_error (args, "is not a merge request reference; write GROUP/PROJECT!IID");
    }

  /* The reference is quoted back, so people see what they typed. */
  {
    const char *args[] = { "comment", "group/project!abc", "--body", "x", NULL };

    assert_usage_error (args, "“group/project!abc” is not a merge request reference");
  }
}

static void
test_usage_errors (void)
{
  static const BadCase cases[] = {
    { { NULL }, "no command" },
    { { "frobnicate" }, "“frobnicate” is not a command" },
    { { "Approve", "g/p!1" }, "“Approve” is not a command" },
    { { "--demo-bogus" }, "“--demo-bogus” is not a command" },
    { { "account" }, "account add, account list or account remove" },
    { { "account", "frob" }, "“account frob” is not a command" },
    { { "account", "--json", "list" }, "account needs a command" },
    { { "queue" }, "queue list" },
    { { "queue", "show" }, "“queue show” is not a command" },
    { { "mr" }, "mr list" },
    { { "mr", "show" }, "mr show needs a merge request" },
    { { "mr", "frob" }, "“mr frob” is not a command" },
    { { "note" }, "note edit" },
    { { "note", "delete", "g/p!1", "--discussion", DISCUSSION_ID }, "needs --note N" },
    { { "note", "delete", "g/p!1", "--discussion", DISCUSSION_ID, "--note", "0" },
      "--note is a note’s id" },
    { { "note", "delete", "g/p!1", "--discussion", DISCUSSION_ID, "--note", "-3" },
      "--note needs a value" },
    { { "note", "delete", "g/p!1", "--discussion", DISCUSSION_ID, "--note", "12abc" },
      "--note is a note’s id" },
    { { "note", "edit", "g/p!1", "--discussion", DISCUSSION_ID, "--note", "7" }, "needs --body TEXT" },
    { { "note", "edit", "g/p!1", "--note", "7", "--body", "x" }, "needs --discussion ID" },
    { { "review", "start" }, "review start needs a merge request" },
    { { "review", "submit", "g/p!1", "--old" }, "review submit does not take --old" },
    { { "reply", "g/p!1", "--discussion", "local:x", "--body", "b", "--approve" },
      "reply does not take --approve" },
    { { "status", "--bogus" }, "status has no option “--bogus”" },
    { { "status", "-x" }, "status has no option “-x”" },
    { { "status", "--bogus=1" }, "status has no option “--bogus”" },
    { { "status", "--preview" }, "status does not take --preview" },
    { { "pull", "--json" }, "pull does not take --json" },
    { { "push", "--preview" }, "push does not take --preview" },
    { { "sync", "--approvals-only" }, "sync does not take --approvals-only" },
    { { "approve", "g/p!1", "--body", "x" }, "approve does not take --body" },
    { { "unapprove", "g/p!1", "--discussion", DISCUSSION_ID },
      "unapprove does not take --discussion" },
    { { "comment", "g/p!1", "--body", "x", "--discussion", DISCUSSION_ID },
      "comment does not take --discussion" },
    { { "status", "--json", "--json" }, "--json is given twice" },
    { { "status", "--json=yes" }, "--json takes no value" },
    { { "status", "extra" }, "status takes no arguments" },
    { { "pull", "now" }, "pull takes no arguments" },
    { { "account", "list", "extra" }, "account list takes no arguments" },
    { { "approve" }, "approve needs a merge request" },
    { { "approve", "g/p!1", "g/p!2" }, "approve takes one merge request" },
    { { "comment", "g/p!1" }, "comment needs --body TEXT" },
    { { "comment", "--body", "x" }, "comment needs a merge request" },
    { { "comment", "g/p!1", "--body" }, "--body needs a value" },
    { { "comment", "g/p!1", "--body", "" }, "the --body text is empty" },
    { { "comment", "g/p!1", "--body=" }, "the --body text is empty" },
    { { "comment", "g/p!1", "--body", "  \n\t " }, "the --body text is empty" },
    { { "comment", "g/p!1", "--body", "\xc2\xa0\xe2\x80\x83" }, "the --body text is empty" },
    { { "comment", "g/p!1", "--body", "bad \xff UTF-8" }, "not valid UTF-8" },
    { { "comment", "g/p!1", "--body", "a", "--body", "b" }, "--body is given twice" },
    { { "comment", "g/p!1", "--body", "-", "--body=x" }, "--body is given twice" },
    { { "comment", "g/p!1", "--body", "x", "--", "--json" }, "comment takes one merge request" },
    { { "reply", "g/p!1", "--body", "x" }, "reply needs --discussion ID" },
    { { "reply", "g/p!1", "--discussion", DISCUSSION_ID }, "reply needs --body TEXT" },
    { { "reply", "g/p!1", "--discussion", "", "--body", "x" }, "--discussion is empty" },
    { { "reply", "g/p!1", "--discussion=", "--body", "x" }, "--discussion is empty" },
    { { "resolve", "g/p!1" }, "resolve needs --discussion ID" },
    { { "resolve", "g/p!1", "--discussion" }, "--discussion needs a value" },
    { { "resolve", "g/p!1", "--discussion", "--json" }, "--discussion needs a value" },
    { { "unresolve", "g/p!1", "--discussion", "a b" }, "not a discussion’s id" },
    { { "unresolve", "g/p!1", "--discussion=-d1" }, "not a discussion’s id" },
    /* GitLab's ids are 40 hex digits, Nod's own not yet sent ones "local:" and a UUID. */
    { { "resolve", "g/p!1", "--discussion", "abc" }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "d1" }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "6a9c1750b37d513a43987b574953fceb50b03ce" },
      "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", DISCUSSION_ID "7" }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "6a9c1750b37d513a43987b574953fceb50b03cez" },
      "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "local:" }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "local:a/b" }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "remote:" OP_ID }, "not a discussion’s id" },
    { { "resolve", "g/p!1", "--discussion", "42" }, "not a discussion’s id" },
    { { "reply", "g/p!1", "--discussion", "\x1b[2J", "--body", "x" }, "not a discussion’s id" },
    { { "unresolve", "--discussion", DISCUSSION_ID }, "unresolve needs a merge request" },
    { { "queue", "retry" }, "queue retry needs the id of a queued change" },
    { { "queue", "discard", OP_ID, OP_ID }, "queue discard takes one id" },
    { { "queue", "edit", OP_ID }, "queue edit needs --body" },
    { { "queue", "edit", OP_ID, "--body", " " }, "the --body text is empty" },
    { { "queue", "cancel", OP_ID, "--body", "x" }, "--body" },
    { { "queue", "retry", "a b" }, "not the id of a queued change" },
    { { "queue", "discard", "" }, "not the id of a queued change" },
    { { "queue", "list", "--preview" }, "queue list does not take --preview" },
    { { "mr", "list", "--review", "--authored" }, "choose one of --review, --authored" },
    { { "mr", "list", "--assigned", "--json", "--review" }, "choose one of --review" },
    { { "mr", "list", "--review", "--review" }, "--review is given twice" },
    { { "mr", "list", "--body", "x" }, "mr list does not take --body" },
    { { "account", "add" }, "account add needs --url URL" },
    { { "account", "add", "--token-stdin" }, "account add needs --url URL" },
    { { "account", "add", "--url" }, "--url needs a value" },
    { { "account", "add", "--url", "--token-stdin" }, "--url needs a value" },
    { { "account", "add", "--url", "https://gitlab.com", "extra" }, "takes no arguments" },
    { { "account", "add", "--url", "https://a", "--url", "https://b" }, "--url is given twice" },
    { { "account", "add", "--url", "https://a", "--depth", "60" }, "--depth is 30, 90 or all" },
    { { "account", "add", "--url", "https://a", "--depth", "" }, "--depth is 30, 90 or all" },
    { { "account", "add", "--url", "https://a", "--depth" }, "--depth needs a value" },
    { { "account", "add", "--url", "https://a", "--depth", "30", "--depth", "90" },
      "--depth is given twice" },
    { { "pull", "--depth", "30" }, "pull does not take --depth" },
    { { "account", "remove" }, "account remove needs the GitLab address" },
    { { "account", "remove", "https://a", "https://b" }, "account remove takes one GitLab" },
    { { "account", "remove", "--token-stdin", "https://gitlab.com" },
      "account remove does not take --token-stdin" },
    { { "account", "list", "--json" }, "account list does not take --json" },
    { { "help", "frob" }, "“frob” is not a command" },
    { { "help", "account", "frob" }, "“account frob” is not a command" },
    { { "help", "approve", "extra" }, "extra argument" },
    { { "help", "account", "add", "extra" }, "extra argument" },
    { { "help", "--json" }, "help does not take --json" },
    { { "help", "--bogus" }, "help has no option “--bogus”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_usage_error (cases[i].args, cases[i].message_part);

  /* argc 0 is an error too, not a crash. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (nod_cli_command_parse (0, NULL, &error));
    assert_usage_message (error, NULL);
  }
}

/* There is no --token option: a token given on the command line is refused and never
 * repeated, whatever shape it comes in. Nor is any other value echoed. */
static void
test_token_refused (void)
{
  static const BadCase cases[] = {
    { { "approve", "g/p!1", "--token", SECRET }, "a token is never written" },
    { { "approve", "--token", SECRET, "g/p!1" }, "a token is never written" },
    { { "approve", "g/p!1", "--token=" SECRET }, "a token is never written" },
    { { "account", "add", "--url", "https://gitlab.com", "--token", SECRET },
      "a token is never written" },
    { { "account", "add", "--private-token=" SECRET }, "a token is never written" },
    { { "--token", SECRET, "status" }, "a token is never written" },
    { { "--token=" SECRET }, "a token is never written" },
    { { "account", "--token=" SECRET }, "account needs a command" },
    { { "status", SECRET }, "status takes no arguments" },
    { { "approve", "g/p!1", SECRET }, "approve takes one merge request" },
    { { "queue", "retry", SECRET "!" }, "not the id of a queued change" },
    { { "status", "--json=" SECRET }, "--json takes no value" },
    { { "status", "--bogus=" SECRET }, "status has no option “--bogus”" },
    { { "account", "add", "--url", "https://oauth2:" SECRET "@gitlab.com" },
      "must not hold a user name" },
    { { "account", "add", "--url", "https://" SECRET "@gitlab.com" },
      "must not hold a user name" },
    { { "account", "add", "--url", "http://" SECRET "@gitlab.com" },
      "must not hold a user name" },
    { { "account", "add", "--url", "https://gitlab.com/?private_token=" SECRET },
      "must not hold a user name" },
    { { "account", "add", "--url", "https://gitlab.com/#" SECRET }, "must not hold a user name" },
    { { "account", "add", "--url", "oauth2:" SECRET "@gitlab.com" }, "needs https://" },
    { { "account", "add", "--url", SECRET }, "needs https://" },
    { { "account", "remove", "https://oauth2:" SECRET "@gitlab.com" },
      "must not hold a user name" },
    { { "unresolve", "g/p!1", "--discussion", SECRET " x" }, "not a discussion’s id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodCliCommand) command = parse_args (cases[i].args, &error);

      g_assert_null (command);
      assert_usage_message (error, cases[i].message_part);
      g_assert_null (strstr (error->message, SECRET));
      g_assert_null (strstr (error->message, "S3cr3t"));
    }
}

/* A token pasted where a reference, a command or a sub-verb goes is not quoted back,
 * whatever GitLab kind it is, or if it only looks random enough to be one. */
static void
test_token_not_echoed (void)
{
  static const char * const tokens[] = {
    "glpat-xxxxxxxxxxxxxxxxxxxx", "glpat-Q1w2E3r4T5y6U7i8O9p0", "gloas-0123456789abcdef0123",
    "glptt-0123456789abcdef0123456789abcdef01234567", "gldt-Zx8Yw7Vu6Ts5Rq4Po3Nm",
    "glrt-Zx8Yw7Vu6Ts5Rq4Po3Nm", "GLPAT-XXXXXXXXXXXXXXXXXXXX", "Zx8Yw7Vu6Ts5Rq4Po3Nm",
    "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "group/glpat-xxxxxxxxxxxxxxxxxxxx!1x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      const char *places[][5] = {
        { "approve", tokens[i], NULL },
        { "comment", tokens[i], "--body", "x" },
        { tokens[i], NULL },
        { "help", tokens[i], NULL },
        { "queue", tokens[i], NULL },
        { "help", "account", tokens[i], NULL },
      };

      for (guint j = 0; j < G_N_ELEMENTS (places); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(NodCliCommand) command = parse_args (places[j], &error);
          /* The part after the prefix GitLab puts on each of its tokens. */
          const char *secret = strchr (tokens[i], '-') != NULL && strlen (tokens[i]) < 40
                                 ? strchr (tokens[i], '-') + 1 : tokens[i];

          g_assert_null (command);
          assert_usage_message (error, "a token is never written on the command line");
          g_assert_null (strstr (error->message, secret));
          g_assert_null (strstr (error->message, "xxxxxxxx"));
        }
    }

  /* A reference is still quoted back, even one with long words in it. */
  {
    const char *args[] = { "approve", "gnome-apps/nod-redesign-of-the-sidebar!x", NULL };

    assert_usage_error (args, "“gnome-apps/nod-redesign-of-the-sidebar!x” is not a merge "
                              "request reference");
  }
}

static void
test_urls (void)
{
  static const struct
  {
    const char *url;
    gboolean    insecure_http;
    gboolean    ok;
    const char *message_part;
  } cases[] = {
    { "https://gitlab.com", FALSE, TRUE, NULL },
    { "https://gitlab.com/", FALSE, TRUE, NULL },
    { "https://gitlab.example.com:8443/gitlab", FALSE, TRUE, NULL },
    { "HTTPS://GitLab.com", FALSE, TRUE, NULL },
    { "https://[2001:db8::1]:8443", FALSE, TRUE, NULL },
    { "http://127.0.0.1:8080", FALSE, TRUE, NULL },
    { "http://127.4.5.6", FALSE, TRUE, NULL },
    { "http://localhost:3000", FALSE, TRUE, NULL },
    { "http://LOCALHOST", FALSE, TRUE, NULL },
    { "http://[::1]:3000", FALSE, TRUE, NULL },
    { "http://gitlab.com", FALSE, FALSE, "“gitlab.com” is not this machine" },
    { "http://gitlab.com", TRUE, TRUE, NULL },
    { "http://10.0.0.7:8080/gitlab", FALSE, FALSE, "--insecure-http" },
    { "http://10.0.0.7:8080/gitlab", TRUE, TRUE, NULL },
    { "http://localhost.example.com", FALSE, FALSE, "--insecure-http" },
    { "http://127.0.0.1.nip.io", FALSE, FALSE, "--insecure-http" },
    { "http://[::2]", FALSE, FALSE, "--insecure-http" },
    { "gitlab.com", FALSE, FALSE, "needs https://" },
    { "gitlab.com", TRUE, FALSE, "needs https://" },
    { "gitlab.com:443", FALSE, FALSE, "needs https://" },
    { "localhost:8080", FALSE, FALSE, "needs https://" },
    { "//gitlab.com", FALSE, FALSE, "needs https://" },
    { "https:gitlab.com", FALSE, FALSE, "needs https://" },
    { "", FALSE, FALSE, "needs https://" },
    { "ftp://gitlab.com", FALSE, FALSE, "needs https://" },
    { "ssh://git@gitlab.com", FALSE, FALSE, "needs https://" },
    { "https://", FALSE, FALSE, "not a valid web address" },
    { "https:///path", FALSE, FALSE, "not a valid web address" },
    { "https://git lab.com", FALSE, FALSE, NULL },
    { "https://gitlab.com\n", FALSE, FALSE, NULL },
    { "https://gitlab.com:99999", FALSE, FALSE, NULL },
    { "https://user@gitlab.com", FALSE, FALSE, "must not hold a user name" },
    { "https://user:pass@gitlab.com", TRUE, FALSE, "must not hold a user name" },
    { "https://gitlab.com?", FALSE, FALSE, "must not hold a user name" },
    { "https://gitlab.com/?a=b", FALSE, FALSE, "must not hold a user name" },
    { "https://gitlab.com/#top", FALSE, FALSE, "must not hold a user name" },
    { "https://gitlab.com/\xff", FALSE, FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *add_args[] = { "account", "add", "--url", cases[i].url,
                                 cases[i].insecure_http ? "--insecure-http" : NULL, NULL };
      const char *remove_args[] = { "account", "remove", cases[i].url,
                                    cases[i].insecure_http ? "--insecure-http" : NULL, NULL };
      g_autofree char *printable = g_utf8_make_valid (cases[i].url, -1);

      g_test_message ("url: %s, insecure: %d", printable, cases[i].insecure_http);
      g_assert_cmpint (nod_cli_check_url (cases[i].url, cases[i].insecure_http, &error), ==,
                       cases[i].ok);
      if (cases[i].ok)
        {
          g_autoptr(NodCliCommand) added = NULL;
          g_autoptr(NodCliCommand) removed = NULL;

          g_assert_no_error (error);
          added = parse_args (add_args, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (added->url, ==, cases[i].url);
          g_assert_cmpint (added->insecure_http, ==, cases[i].insecure_http);
          removed = parse_args (remove_args, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (removed->url, ==, cases[i].url);
        }
      else
        {
          assert_usage_message (error, cases[i].message_part);
          assert_usage_error (add_args, cases[i].message_part);
          assert_usage_error (remove_args, cases[i].message_part);
        }
    }

  /* The error says what to do without --insecure-http, and with a scheme missing. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (nod_cli_check_url ("gitlab.com", FALSE, &error));
    assert_usage_message (error, "e.g. https://gitlab.com");
  }
}

/* A typed address is checked and forgotten: its scheme is not interned for the rest of the
 * process, as GLib's g_uri_peek_scheme() would (the intern table never shrinks). */
static void
test_url_scheme_not_kept (void)
{
  static const char *const urls[] = {
    "nodtestscheme://gitlab.example.com",
    "NodTestUpper://gitlab.example.com",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (nod_cli_check_url (urls[i], FALSE, &error));
      g_assert_error (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE);
    }

  g_assert_cmpuint (g_quark_try_string ("nodtestscheme"), ==, 0);
  g_assert_cmpuint (g_quark_try_string ("nodtestupper"), ==, 0);
}

static void
test_help (void)
{
  static const GoodCase cases[] = {
    { { "help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "--help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "-h" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "help", "help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "help", "--help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_HELP },
    { { "--help", "approve" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_APPROVE },
    { { "help", "status" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_STATUS },
    { { "help", "account" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_ACCOUNT_ADD },
    { { "help", "account", "remove" }, NOD_CLI_VERB_HELP,
      .help_for = NOD_CLI_VERB_ACCOUNT_REMOVE },
    { { "help", "queue", "retry" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_QUEUE_RETRY },
    { { "help", "mr" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_MR_LIST },
    { { "account", "--help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_ACCOUNT_ADD },
    { { "queue", "-h" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_QUEUE_LIST },
    { { "account", "list", "-h" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_ACCOUNT_LIST },
    { { "mr", "list", "--review", "--help" }, NOD_CLI_VERB_HELP,
      .help_for = NOD_CLI_VERB_MR_LIST },
    /* --help wins over what is wrong or missing around it. */
    { { "comment", "--help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_COMMENT },
    { { "comment", "g/p!abc", "-h" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_COMMENT },
    { { "approve", "--bogus", "--help" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_APPROVE },
    { { "status", "--json", "--json", "-h" }, NOD_CLI_VERB_HELP,
      .help_for = NOD_CLI_VERB_STATUS },
    { { "pull", "-h", "extra" }, NOD_CLI_VERB_HELP, .help_for = NOD_CLI_VERB_PULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_good_case (&cases[i]);

  /* Every verb answers --help and -h with its own page. */
  for (NodCliVerb verb = NOD_CLI_VERB_HELP; verb <= NOD_CLI_VERB_MR_LIST; verb++)
    {
      g_auto(GStrv) words = g_strsplit (nod_cli_verb_to_string (verb), " ", -1);

      for (guint flag = 0; flag < 2; flag++)
        {
          GoodCase expected = { { NULL }, NOD_CLI_VERB_HELP, .help_for = verb };
          guint n_words = g_strv_length (words);

          for (guint w = 0; w < n_words; w++)
            expected.args[w] = words[w];
          expected.args[n_words] = flag == 0 ? "--help" : "-h";
          assert_good_case (&expected);
        }
    }

  /* Not help: the "-h" is a value, or comes after "--". */
  {
    const GoodCase body = {
      { "comment", "g/p!1", "--body", "-h" },
      NOD_CLI_VERB_COMMENT, .project_path = "g/p", .iid = 1, .body = "-h",
    };
    const char *after_end[] = { "approve", "--", "--help", NULL };

    assert_good_case (&body);
    assert_usage_error (after_end, "“--help” is not a merge request reference");
  }
}

static void
assert_lines_fit (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_test_message ("%s", lines[i]);
      g_assert_cmpint (g_utf8_strlen (lines[i], -1), <=, 80);
    }
}

static void
test_help_text (void)
{
  static const char * const verb_words[] = {
    "help", "account", "status", "pull", "push", "sync", "diff", "approve", "unapprove",
    "comment", "reply", "resolve", "unresolve", "queue", "mr", "review", "note",
  };
  static const struct { NodCliVerb verb; const char *parts[6]; } pages[] = {
    { NOD_CLI_VERB_ACCOUNT_ADD, { "nod account add --url URL", "nod account list",
                                  "nod account remove URL", "--token-stdin",
                                  "--insecure-http" } },
    { NOD_CLI_VERB_STATUS, { "nod status [--json]", "--json" } },
    { NOD_CLI_VERB_PULL, { "nod pull\n" } },
    { NOD_CLI_VERB_PUSH, { "nod push [--approvals-only]", "pushed N, failed K, remaining M" } },
    { NOD_CLI_VERB_SYNC, { "nod sync [--preview]", "--preview" } },
    { NOD_CLI_VERB_DIFF, { "nod diff REF [--stat] [--file PATH]", "--stat", "--file PATH",
                           "offline", "GROUP/PROJECT!IID" } },
    { NOD_CLI_VERB_APPROVE, { "nod approve REF", "GROUP/PROJECT!IID", "75" } },
    { NOD_CLI_VERB_UNAPPROVE, { "nod unapprove REF", "GROUP/PROJECT!IID" } },
    { NOD_CLI_VERB_COMMENT, { "nod comment REF --body TEXT [--file PATH --line N [--old]]",
                              "--body TEXT", "standard input", "--file PATH", "--line N",
                              "--old" } },
    { NOD_CLI_VERB_REPLY, { "nod reply REF --discussion ID --body TEXT", "--discussion ID" } },
    { NOD_CLI_VERB_RESOLVE, { "nod resolve REF --discussion ID" } },
    { NOD_CLI_VERB_UNRESOLVE, { "nod unresolve REF --discussion ID" } },
    { NOD_CLI_VERB_QUEUE_RETRY, { "nod queue list [--json]", "nod queue retry OP",
                                  "nod queue discard OP", "nod queue cancel OP",
                                  "nod queue edit OP --body TEXT" } },
    { NOD_CLI_VERB_MR_LIST, { "nod mr list [--review|--authored|--assigned] [--json]",
                              "--review", "--authored", "--assigned", "--json",
                              "nod mr show REF [--json]" } },
    { NOD_CLI_VERB_REVIEW_SUBMIT, { "nod review start REF",
                                    "nod review submit REF [--approve] [--body TEXT]",
                                    "nod review discard REF", "--approve", "drafts" } },
    { NOD_CLI_VERB_NOTE_DELETE, { "nod note edit REF --discussion ID --note N --body TEXT",
                                  "nod note delete REF --discussion ID --note N", "--note N",
                                  "nod mr show" } },
  };
  g_autofree char *overview = nod_cli_help_text (NOD_CLI_VERB_HELP);

  /* The overview: every verb on a line of its own, the environment, the exit codes. */
  g_assert_true (g_str_has_suffix (overview, "\n"));
  assert_lines_fit (overview);
  for (guint i = 0; i < G_N_ELEMENTS (verb_words); i++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %s ", verb_words[i]);

      g_assert_nonnull (strstr (overview, line));
    }
  g_assert_nonnull (strstr (overview, "GITLAB_URL"));
  g_assert_nonnull (strstr (overview, "GITLAB_TOKEN"));
  g_assert_nonnull (strstr (overview, "nothing stored"));
  g_assert_nonnull (strstr (overview, "\n  0 "));
  g_assert_nonnull (strstr (overview, "\n  75 "));
  g_assert_nonnull (strstr (overview, "\n  1 "));
  g_assert_nonnull (strstr (overview, "\n  2 "));

  /* Each verb's page: its usage, its options, --help; families share one. */
  for (NodCliVerb verb = NOD_CLI_VERB_ACCOUNT_ADD; verb <= NOD_CLI_VERB_MR_LIST; verb++)
    {
      g_autofree char *text = nod_cli_help_text (verb);
      g_autofree char *usage = g_strdup_printf ("nod %s", nod_cli_verb_to_string (verb));

      g_assert_true (g_str_has_prefix (text, "Usage: nod "));
      g_assert_true (g_str_has_suffix (text, "\n"));
      g_assert_nonnull (strstr (text, usage));
      g_assert_nonnull (strstr (text, "-h, --help"));
      g_assert_cmpstr (text, !=, overview);
      assert_lines_fit (text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *text = nod_cli_help_text (pages[i].verb);

      for (guint p = 0; p < G_N_ELEMENTS (pages[i].parts) && pages[i].parts[p] != NULL; p++)
        {
          g_test_message ("%s: %s", nod_cli_verb_to_string (pages[i].verb), pages[i].parts[p]);
          g_assert_nonnull (strstr (text, pages[i].parts[p]));
        }
    }

  /* Options a verb does not take are not on its page. */
  {
    g_autofree char *approve = nod_cli_help_text (NOD_CLI_VERB_APPROVE);
    g_autofree char *account_list = nod_cli_help_text (NOD_CLI_VERB_ACCOUNT_LIST);
    g_autofree char *account_add = nod_cli_help_text (NOD_CLI_VERB_ACCOUNT_ADD);

    g_autofree char *diff = nod_cli_help_text (NOD_CLI_VERB_DIFF);

    g_assert_null (strstr (approve, "--body"));
    g_assert_null (strstr (approve, "--file"));
    g_assert_null (strstr (diff, "--line"));
    g_assert_null (strstr (diff, "queue"));
    g_assert_null (strstr (diff, "--old"));
    g_assert_null (strstr (approve, "--json"));
    g_assert_cmpstr (account_list, ==, account_add);
  }
}

/* Everything after "nod" is the command line's, but for the window's own options: a
 * mistyped verb, --help and an unknown option get an answer (and exit 2), not a window. */
static void
test_is_command_line (void)
{
  static const char * const commands[] = {
    "help", "account", "status", "pull", "push", "sync", "diff", "approve", "unapprove",
    "comment", "reply", "resolve", "unresolve", "queue", "mr", "--help", "-h", "--bogus", "-x",
    "frobnicate", "Approve", "gnome/nod!42", "", "--", "-", "--demo=1", "--token=x",
    "--help-all",
  };
  static const char * const window_options[] = { "--demo", "--gapplication-service" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_true (nod_cli_is_command_line (commands[i]));
  for (guint i = 0; i < G_N_ELEMENTS (window_options); i++)
    g_assert_false (nod_cli_is_command_line (window_options[i]));
  g_assert_false (nod_cli_is_command_line (NULL));
}

static void
test_verb_to_string (void)
{
  static const char * const names[] = {
    "help", "account add", "account list", "account remove", "status", "pull", "push", "sync",
    "diff", "approve", "unapprove", "comment", "reply", "resolve", "unresolve", "queue list",
    "queue retry", "queue discard", "queue cancel", "queue edit", "mr list", "mr show",
    "review start", "review submit", "review discard", "note edit", "note delete",
  };

  g_assert_cmpuint (G_N_ELEMENTS (names), ==, NOD_CLI_N_VERBS);
  for (NodCliVerb verb = NOD_CLI_VERB_HELP; verb < NOD_CLI_N_VERBS; verb++)
    g_assert_cmpstr (nod_cli_verb_to_string (verb), ==, names[verb]);

  g_assert_cmpint (NOD_CLI_EXIT_OK, ==, 0);
  g_assert_cmpint (NOD_CLI_EXIT_ERROR, ==, 1);
  g_assert_cmpint (NOD_CLI_EXIT_USAGE, ==, 2);
  g_assert_cmpint (NOD_CLI_EXIT_QUEUED, ==, 75);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/cli-command/verbs", test_verbs);
  g_test_add_func ("/nod/cli-command/option-order", test_option_order);
  g_test_add_func ("/nod/cli-command/body", test_body);
  g_test_add_func ("/nod/cli-command/body-too-long", test_body_too_long);
  g_test_add_func ("/nod/cli-command/check-body", test_check_body);
  g_test_add_func ("/nod/cli-command/diff-options", test_diff_options);
  g_test_add_func ("/nod/cli-command/quote", test_quote);
  g_test_add_func ("/nod/cli-command/refs", test_refs);
  g_test_add_func ("/nod/cli-command/usage-errors", test_usage_errors);
  g_test_add_func ("/nod/cli-command/token-refused", test_token_refused);
  g_test_add_func ("/nod/cli-command/token-not-echoed", test_token_not_echoed);
  g_test_add_func ("/nod/cli-command/urls", test_urls);
  g_test_add_func ("/nod/cli-command/url-scheme-not-kept", test_url_scheme_not_kept);
  g_test_add_func ("/nod/cli-command/help", test_help);
  g_test_add_func ("/nod/cli-command/help-text", test_help_text);
  g_test_add_func ("/nod/cli-command/is-command-line", test_is_command_line);
  g_test_add_func ("/nod/cli-command/verb-to-string", test_verb_to_string);

  return g_test_run ();
}
