/* nod-cli-command.c: a command line, parsed and checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `nod VERB [SUB-VERB] [ARGUMENT] [OPTION…]`, read left to right. Options may come before or
 * after the argument, as `--name VALUE` or `--name=VALUE`; `--` ends them. The first thing
 * wrong is reported, in one line, unless a --help or -h comes anywhere among the options,
 * which asks for that verb's help instead.
 *
 * Nothing here echoes an option's value: a value may be a token typed by mistake. Only a
 * verb, an option's name and a merge request reference are quoted back, made printable, and
 * not even those when they look like a token (a token pasted where a reference goes).
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "nod-cli-command.h"
#include "nod-cli-output.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-outbox-action.h"

/* Longest verb, option name or reference an error message quotes back, in characters. */
#define QUOTE_MAX_CHARS 60

/* A word this long, of the characters tokens are made of, with digits and letters of both
 * cases, is taken for a secret (GitLab's old tokens are 20 such characters); one of hex
 * digits (or letters and digits) from this length on too. */
#define RANDOM_WORD_MIN_CHARS 20
#define LONG_WORD_MIN_CHARS   32

/* The prefixes of GitLab's tokens: personal, OAuth, pipeline trigger, deploy, runner
 * (and its registration), CI/CD job, feed, incoming mail, feature flags, SCIM, agent. */
static const char * const token_prefixes[] = {
  "glpat-", "gloas-", "glptt-", "gldt-", "glrt-", "GR1348941", "glcbt-", "glft-", "glimt-",
  "glffct-", "glsoat-", "glagent-", "gltok-",
};

typedef enum
{
  OPTION_URL            = 1 << 0,
  OPTION_TOKEN_STDIN    = 1 << 1,
  OPTION_INSECURE_HTTP  = 1 << 2,
  OPTION_JSON           = 1 << 3,
  OPTION_PREVIEW        = 1 << 4,
  OPTION_APPROVALS_ONLY = 1 << 5,
  OPTION_BODY           = 1 << 6,
  OPTION_DISCUSSION     = 1 << 7,
  OPTION_REVIEW         = 1 << 8,
  OPTION_AUTHORED       = 1 << 9,
  OPTION_ASSIGNED       = 1 << 10,
  OPTION_DEPTH          = 1 << 11,
  OPTION_STAT           = 1 << 12,
  OPTION_FILE           = 1 << 13,
  OPTION_LINE           = 1 << 14,
  OPTION_OLD            = 1 << 15,
  OPTION_APPROVE        = 1 << 16,
  OPTION_RESOLVE        = 1 << 17,
  OPTION_NOTE           = 1 << 18,
} OptionFlags;

#define LIST_FILTER_OPTIONS (OPTION_REVIEW | OPTION_AUTHORED | OPTION_ASSIGNED)

/* Longest --file path taken, in bytes: GitLab's paths are shorter (PATH_MAX is 4096). */
#define FILE_PATH_MAX_BYTES 4096

typedef struct
{
  OptionFlags  flag;
  const char  *name;          /* "--body" */
  const char  *value_name;    /* "TEXT"; NULL for a switch */
  const char  *description;   /* N_(), for --help */
} OptionInfo;

static const OptionInfo option_infos[] = {
  { OPTION_URL, "--url", "URL", N_("The GitLab instance, e.g. https://gitlab.com") },
  { OPTION_TOKEN_STDIN, "--token-stdin", NULL,
    N_("Read the access token from standard input") },
  { OPTION_INSECURE_HTTP, "--insecure-http", NULL,
    N_("Allow plain http:// to a host other than this machine") },
  { OPTION_DEPTH, "--depth", "N",
    N_("History to fetch: 30, 90 or all (days), as in Preferences") },
  { OPTION_DISCUSSION, "--discussion", "ID", N_("The discussion, by its id") },
  { OPTION_NOTE, "--note", "N", N_("A note of that discussion, by its id (see nod mr show)") },
  { OPTION_BODY, "--body", "TEXT",
    N_("The text, in GitLab Markdown; “-” reads standard input") },
  { OPTION_STAT, "--stat", NULL, N_("Only each file and how many lines it adds and removes") },
  { OPTION_FILE, "--file", "PATH", N_("One file of the changes, by its old or new path") },
  { OPTION_LINE, "--line", "N",
    N_("The line of that file to comment on, in its new text") },
  { OPTION_OLD, "--old", NULL, N_("--line is a line of the old text (a removed line)") },
  { OPTION_RESOLVE, "--resolve", NULL, N_("Resolve the discussion too") },
  { OPTION_APPROVE, "--approve", NULL, N_("Approve the merge request with the review") },
  { OPTION_REVIEW, "--review", NULL, N_("Only those waiting for your review") },
  { OPTION_AUTHORED, "--authored", NULL, N_("Only those you opened") },
  { OPTION_ASSIGNED, "--assigned", NULL, N_("Only those assigned to you") },
  { OPTION_APPROVALS_ONLY, "--approvals-only", NULL,
    N_("Send approvals only; comments and the rest wait") },
  { OPTION_PREVIEW, "--preview", NULL,
    N_("Show what would be sent, and change nothing") },
  { OPTION_JSON, "--json", NULL, N_("Print JSON, for scripts") },
};

/* What a verb takes besides its options. */
typedef enum
{
  ARGUMENT_NONE,
  ARGUMENT_REF,       /* GROUP/PROJECT!IID */
  ARGUMENT_URL,
  ARGUMENT_OP,        /* a queued change's id */
  ARGUMENT_VERBS,     /* help: a verb, and a sub-verb for account, queue and mr */
} ArgumentKind;

typedef struct
{
  NodCliVerb    verb;
  const char   *name;       /* "queue retry": the words that name it */
  const char   *synopsis;   /* what follows the name in a usage line */
  ArgumentKind  argument;
  OptionFlags   accepted;
  OptionFlags   required;
} VerbInfo;

/* In NodCliVerb's order, so verb_infos[verb].verb == verb. */
static const VerbInfo verb_infos[] = {
  { NOD_CLI_VERB_HELP, "help", "[COMMAND]", ARGUMENT_VERBS, 0, 0 },
  { NOD_CLI_VERB_ACCOUNT_ADD, "account add",
    "--url URL [--token-stdin] [--depth N] [--insecure-http]", ARGUMENT_NONE,
    OPTION_URL | OPTION_TOKEN_STDIN | OPTION_DEPTH | OPTION_INSECURE_HTTP, OPTION_URL },
  { NOD_CLI_VERB_ACCOUNT_LIST, "account list", "", ARGUMENT_NONE, 0, 0 },
  { NOD_CLI_VERB_ACCOUNT_REMOVE, "account remove", "URL [--insecure-http]",
    ARGUMENT_URL, OPTION_INSECURE_HTTP, 0 },
  { NOD_CLI_VERB_STATUS, "status", "[--json]", ARGUMENT_NONE, OPTION_JSON, 0 },
  { NOD_CLI_VERB_PULL, "pull", "", ARGUMENT_NONE, 0, 0 },
  { NOD_CLI_VERB_PUSH, "push", "[--approvals-only]", ARGUMENT_NONE, OPTION_APPROVALS_ONLY, 0 },
  { NOD_CLI_VERB_SYNC, "sync", "[--preview]", ARGUMENT_NONE, OPTION_PREVIEW, 0 },
  { NOD_CLI_VERB_DIFF, "diff", "REF [--stat] [--file PATH]", ARGUMENT_REF,
    OPTION_STAT | OPTION_FILE, 0 },
  { NOD_CLI_VERB_APPROVE, "approve", "REF", ARGUMENT_REF, 0, 0 },
  { NOD_CLI_VERB_UNAPPROVE, "unapprove", "REF", ARGUMENT_REF, 0, 0 },
  { NOD_CLI_VERB_COMMENT, "comment", "REF --body TEXT [--file PATH --line N [--old]]",
    ARGUMENT_REF, OPTION_BODY | OPTION_FILE | OPTION_LINE | OPTION_OLD, OPTION_BODY },
  { NOD_CLI_VERB_REPLY, "reply", "REF --discussion ID --body TEXT [--resolve]", ARGUMENT_REF,
    OPTION_DISCUSSION | OPTION_BODY | OPTION_RESOLVE, OPTION_DISCUSSION | OPTION_BODY },
  { NOD_CLI_VERB_RESOLVE, "resolve", "REF --discussion ID", ARGUMENT_REF,
    OPTION_DISCUSSION, OPTION_DISCUSSION },
  { NOD_CLI_VERB_UNRESOLVE, "unresolve", "REF --discussion ID", ARGUMENT_REF,
    OPTION_DISCUSSION, OPTION_DISCUSSION },
  { NOD_CLI_VERB_QUEUE_LIST, "queue list", "[--json]", ARGUMENT_NONE, OPTION_JSON, 0 },
  { NOD_CLI_VERB_QUEUE_RETRY, "queue retry", "OP", ARGUMENT_OP, 0, 0 },
  { NOD_CLI_VERB_QUEUE_DISCARD, "queue discard", "OP", ARGUMENT_OP, 0, 0 },
  { NOD_CLI_VERB_QUEUE_CANCEL, "queue cancel", "OP", ARGUMENT_OP, 0, 0 },
  { NOD_CLI_VERB_QUEUE_EDIT, "queue edit", "OP --body TEXT", ARGUMENT_OP, OPTION_BODY,
    OPTION_BODY },
  { NOD_CLI_VERB_MR_LIST, "mr list", "[--review|--authored|--assigned] [--json]",
    ARGUMENT_NONE, LIST_FILTER_OPTIONS | OPTION_JSON, 0 },
  { NOD_CLI_VERB_MR_SHOW, "mr show", "REF [--json]", ARGUMENT_REF, OPTION_JSON, 0 },
  { NOD_CLI_VERB_REVIEW_START, "review start", "REF", ARGUMENT_REF, 0, 0 },
  { NOD_CLI_VERB_REVIEW_SUBMIT, "review submit", "REF [--approve] [--body TEXT]", ARGUMENT_REF,
    OPTION_APPROVE | OPTION_BODY, 0 },
  { NOD_CLI_VERB_REVIEW_DISCARD, "review discard", "REF", ARGUMENT_REF, 0, 0 },
  { NOD_CLI_VERB_NOTE_EDIT, "note edit", "REF --discussion ID --note N --body TEXT",
    ARGUMENT_REF, OPTION_DISCUSSION | OPTION_NOTE | OPTION_BODY,
    OPTION_DISCUSSION | OPTION_NOTE | OPTION_BODY },
  { NOD_CLI_VERB_NOTE_DELETE, "note delete", "REF --discussion ID --note N", ARGUMENT_REF,
    OPTION_DISCUSSION | OPTION_NOTE, OPTION_DISCUSSION | OPTION_NOTE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (verb_infos) == NOD_CLI_N_VERBS);

/* A first word and its help page: one verb, or a family of sub-verbs (account, queue, mr),
 * which share a page. The verbs of a family are consecutive in NodCliVerb. */
typedef struct
{
  const char *word;
  NodCliVerb  first;
  NodCliVerb  last;
  const char *overview;     /* the command column of `nod help` */
  const char *summary;      /* N_(), one line in `nod help` */
  const char *description;  /* N_(), the page's text */
} PageInfo;

static const PageInfo page_infos[] = {
  { "help", NOD_CLI_VERB_HELP, NOD_CLI_VERB_HELP, "help [COMMAND]",
    N_("Show this overview, or how to use a command"), NULL },
  { "account", NOD_CLI_VERB_ACCOUNT_ADD, NOD_CLI_VERB_ACCOUNT_REMOVE, "account add|list|remove",
    N_("Add a GitLab account, list them, or remove one"),
    N_("Adds a GitLab account, lists the accounts Nod knows, or removes one.\n"
       "A token is never written on the command line or in the URL: with --token-stdin\n"
       "it is read from standard input.") },
  { "status", NOD_CLI_VERB_STATUS, NOD_CLI_VERB_STATUS, "status",
    N_("Show the sync state, queued and failed changes"),
    N_("Shows whether GitLab can be reached, how many changes wait to be sent or have\n"
       "failed, when Nod last synced, and what is left of the rate limit.") },
  { "pull", NOD_CLI_VERB_PULL, NOD_CLI_VERB_PULL, "pull",
    N_("Fetch changes from GitLab now"),
    N_("Fetches merge requests and their discussions from GitLab now.") },
  { "push", NOD_CLI_VERB_PUSH, NOD_CLI_VERB_PUSH, "push",
    N_("Send queued changes now"),
    N_("Sends the queued changes now and prints “pushed N, failed K, remaining M”.") },
  { "sync", NOD_CLI_VERB_SYNC, NOD_CLI_VERB_SYNC, "sync",
    N_("Pull, then push"),
    N_("Pulls, then pushes. With --preview, nothing is changed and nothing is sent.") },
  { "diff", NOD_CLI_VERB_DIFF, NOD_CLI_VERB_DIFF, "diff REF",
    N_("Show the changes of a merge request"),
    N_("Prints the changes of the merge request REF as Nod last pulled them, as a\n"
       "unified diff, in colour on a terminal. It reads only what Nod keeps, so it works\n"
       "offline; “nod pull” fetches the changes.") },
  { "approve", NOD_CLI_VERB_APPROVE, NOD_CLI_VERB_APPROVE, "approve REF",
    N_("Approve a merge request"),
    N_("Approves the merge request REF.") },
  { "unapprove", NOD_CLI_VERB_UNAPPROVE, NOD_CLI_VERB_UNAPPROVE, "unapprove REF",
    N_("Withdraw your approval of a merge request"),
    N_("Withdraws your approval of the merge request REF.") },
  { "comment", NOD_CLI_VERB_COMMENT, NOD_CLI_VERB_COMMENT, "comment REF",
    N_("Comment on a merge request"),
    N_("Starts a discussion on the merge request REF with a comment. With --file and\n"
       "--line, the discussion is on that line of the changes as Nod last pulled them\n"
       "(see nod diff), and works offline too.") },
  { "reply", NOD_CLI_VERB_REPLY, NOD_CLI_VERB_REPLY, "reply REF",
    N_("Reply in a discussion"),
    N_("Replies in a discussion of the merge request REF.") },
  { "resolve", NOD_CLI_VERB_RESOLVE, NOD_CLI_VERB_RESOLVE, "resolve REF",
    N_("Resolve a discussion"),
    N_("Marks a discussion of the merge request REF as resolved.") },
  { "unresolve", NOD_CLI_VERB_UNRESOLVE, NOD_CLI_VERB_UNRESOLVE, "unresolve REF",
    N_("Reopen a resolved discussion"),
    N_("Reopens a resolved discussion of the merge request REF.") },
  { "queue", NOD_CLI_VERB_QUEUE_LIST, NOD_CLI_VERB_QUEUE_EDIT,
    "queue list|retry|edit|…",
    N_("Show queued changes, or change one"),
    N_("Lists the changes waiting to be sent or that failed, retries a failed one, or\n"
       "discards one. Cancel takes back a change not sent yet, and edit gives a comment\n"
       "not sent yet a new text; neither is possible once it is on its way to GitLab.\n"
       "OP is a change’s id, as “nod queue list” shows it.") },
  { "mr", NOD_CLI_VERB_MR_LIST, NOD_CLI_VERB_MR_SHOW, "mr list|show",
    N_("List merge requests, or show one with its threads"),
    N_("Lists merge requests: all those Nod knows, or only one kind of them. Shows one\n"
       "with its description and its threads, each with the id that nod reply and\n"
       "nod resolve take, and your pending comments and drafts; offline too.") },
  { "review", NOD_CLI_VERB_REVIEW_START, NOD_CLI_VERB_REVIEW_DISCARD,
    "review start|submit|discard",
    N_("Write a review as drafts, then publish it at once"),
    N_("Starts a review of the merge request REF: from then on, nod comment and nod reply\n"
       "on it write drafts, kept by Nod (offline too) and sent nowhere. Submitting sends\n"
       "them to GitLab and publishes them together, so the author is notified once; with\n"
       "--approve it approves too, and --body adds a comment of its own. Discarding drops\n"
       "the drafts (and any a submitted review already created on GitLab).") },
  { "note", NOD_CLI_VERB_NOTE_EDIT, NOD_CLI_VERB_NOTE_DELETE, "note edit|delete",
    N_("Edit or delete a comment of yours"),
    N_("Gives a comment of yours GitLab has a new text, or deletes it, for everyone.\n"
       "The change is queued like any other and sent once; “nod mr show” gives the ids\n"
       "of a merge request’s discussions and notes.") },
};

G_DEFINE_QUARK (nod-cli-error-quark, nod_cli_error)

/* Sets a usage error ("nod: " and one line), unless one is set already: the first thing
 * wrong is the one reported. */
static void usage_error (GError     **error,
                         const char  *format,
                         ...) G_GNUC_PRINTF (2, 3);

static void
usage_error (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (error == NULL || *error != NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE, "nod: %s", message);
}

static gboolean
is_token_character (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* A word of @word's, from @start for @length bytes, that may be a random secret. */
static gboolean
is_random_looking (const char *start,
                   size_t      length)
{
  gboolean digit = FALSE, lower = FALSE, upper = FALSE;
  gboolean alphanumeric = TRUE;

  for (size_t i = 0; i < length; i++)
    {
      digit |= g_ascii_isdigit (start[i]);
      lower |= g_ascii_islower (start[i]);
      upper |= g_ascii_isupper (start[i]);
      alphanumeric &= g_ascii_isalnum (start[i]);
    }

  if (length >= RANDOM_WORD_MIN_CHARS && digit && lower && upper)
    return TRUE;
  return length >= LONG_WORD_MIN_CHARS && alphanumeric && digit && (lower || upper);
}

/* TRUE if @word holds what may be an access token: one of GitLab's prefixes anywhere, or
 * a long random-looking run of the characters tokens are made of. */
static gboolean
looks_like_token (const char *word)
{
  g_autofree char *lower_word = g_ascii_strdown (word, -1);
  const char *p = word;

  for (guint i = 0; i < G_N_ELEMENTS (token_prefixes); i++)
    {
      g_autofree char *lower_prefix = g_ascii_strdown (token_prefixes[i], -1);

      if (strstr (lower_word, lower_prefix) != NULL)
        return TRUE;
    }

  while (*p != '\0')
    {
      size_t length = 0;

      while (is_token_character (p[length]))
        length++;
      if (length > 0 && is_random_looking (p, length))
        return TRUE;
      p += length > 0 ? length : 1;
    }
  return FALSE;
}

static void
token_error (GError **error)
{
  usage_error (error, _("a token is never written on the command line; give it on "
                        "standard input with account add --token-stdin, or in "
                        "GITLAB_TOKEN"));
}

/* @word made fit to quote in a one-line message: valid UTF-8, controls escaped (as
 * everything the command line prints), not too long; NULL if it looks like a token, which
 * is never repeated. */
char *
nod_cli_quote (const char *word)
{
  g_autofree char *safe = NULL;

  g_return_val_if_fail (word != NULL, NULL);

  if (looks_like_token (word))
    return NULL;

  safe = nod_cli_output_value (word);
  if (g_utf8_strlen (safe, -1) > QUOTE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (safe, 0, QUOTE_MAX_CHARS);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&safe);
}

static const PageInfo *
lookup_page (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_infos); i++)
    if (g_str_equal (page_infos[i].word, word))
      return &page_infos[i];

  return NULL;
}

static const PageInfo *
lookup_page_of_verb (NodCliVerb verb)
{
  guint i = 0;

  while (verb > page_infos[i].last)
    i++;

  g_assert (i < G_N_ELEMENTS (page_infos));
  return &page_infos[i];
}

static gboolean
page_is_family (const PageInfo *page)
{
  /* "mr list" is a family of one: `nod mr` still wants its sub-verb. */
  return strchr (verb_infos[page->first].name, ' ') != NULL;
}

/* The sub-verb of @page named @word, or -1. */
static int
lookup_sub_verb (const PageInfo *page,
                 const char     *word)
{
  size_t prefix = strlen (page->word) + 1;

  for (NodCliVerb verb = page->first; verb <= page->last; verb++)
    if (g_str_equal (verb_infos[verb].name + prefix, word))
      return verb;

  return -1;
}

/* "account add, account list or account remove", for messages. */
static char *
list_sub_verbs (const PageInfo *page)
{
  GString *list = g_string_new (NULL);

  for (NodCliVerb verb = page->first; verb <= page->last; verb++)
    {
      /* Translators: before the last of a list of commands, "add, list or remove" */
      if (verb > page->first)
        g_string_append (list, verb == page->last ? _(" or ") : ", ");
      g_string_append (list, verb_infos[verb].name);
    }

  return g_string_free (list, FALSE);
}

static void
unknown_sub_verb_error (const PageInfo  *page,
                        const char      *word,
                        GError         **error)
{
  g_autofree char *quoted = nod_cli_quote (word);
  g_autofree char *sub_verbs = list_sub_verbs (page);

  if (quoted == NULL)
    token_error (error);
  else
    usage_error (error, _("“%s %s” is not a command; use %s"), page->word, quoted, sub_verbs);
}

static const OptionInfo *
lookup_option (const char *name,
               size_t      length)
{
  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    if (strlen (option_infos[i].name) == length &&
        strncmp (option_infos[i].name, name, length) == 0)
      return &option_infos[i];

  return NULL;
}

static gboolean
is_help_option (const char *arg)
{
  return g_str_equal (arg, "--help") || g_str_equal (arg, "-h");
}

/* A path segment of a GitLab group or project: letters, digits, "_", "." and "-". */
static gboolean
is_path_segment (const char *segment)
{
  if (*segment == '\0' || g_str_equal (segment, ".") || g_str_equal (segment, ".."))
    return FALSE;

  for (const char *p = segment; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;

  return TRUE;
}

/* GROUP/…/PROJECT!IID: a namespace, and an iid written as GitLab writes it (1 to
 * G_MAXINT32, no sign, no leading zero). */
static gboolean
parse_ref (const char  *ref,
           char       **project_path,
           gint64      *iid)
{
  const char *bang = strchr (ref, '!');
  g_autofree char *path = NULL;
  g_auto(GStrv) segments = NULL;
  guint64 number;

  if (bang == NULL || bang[1] < '1' || bang[1] > '9')
    return FALSE;
  if (!g_ascii_string_to_unsigned (bang + 1, 10, 1, G_MAXINT32, &number, NULL))
    return FALSE;

  path = g_strndup (ref, bang - ref);
  segments = g_strsplit (path, "/", -1);
  if (g_strv_length (segments) < 2)
    return FALSE;
  for (guint i = 0; segments[i] != NULL; i++)
    if (!is_path_segment (segments[i]))
      return FALSE;

  *project_path = g_steal_pointer (&path);
  *iid = (gint64) number;
  return TRUE;
}

/* No spaces, no control characters, nothing outside ASCII. */
static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;

  return TRUE;
}

/* A queued change's id, as the outbox makes them (a UUID): letters, digits and "-". */
static gboolean
is_op_id (const char *op_id)
{
  if (*op_id == '\0')
    return FALSE;

  for (const char *p = op_id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

/* A discussion's id: GitLab's are 40 hex digits (a SHA-1), Nod's own not yet sent ones
 * "local:" and the id of the change that starts them. Anything else GitLab would answer with
 * 404, after the change had waited in the queue: it is refused here, as bad input. */
static gboolean
is_discussion_id (const char *discussion_id)
{
  if (g_str_has_prefix (discussion_id, NOD_OUTBOX_LOCAL_ID_PREFIX))
    return is_op_id (discussion_id + strlen (NOD_OUTBOX_LOCAL_ID_PREFIX));

  if (strlen (discussion_id) != 40)
    return FALSE;
  for (const char *p = discussion_id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

/* The rules of a comment's or reply's text, wherever it comes from; sets @error only if
 * nothing else was wrong before. */
static gboolean
check_body (const char  *text,
            gsize        length,
            gboolean     from_stdin,
            GError     **error)
{
  /* A character is at most 4 bytes: no need to walk a text longer than that. */
  if (length > (gsize) NOD_NOTE_BODY_MAX_CHARS * 4 ||
      (g_utf8_validate_len (text, length, NULL) &&
       g_utf8_strlen (text, length) > NOD_NOTE_BODY_MAX_CHARS))
    {
      if (from_stdin)
        usage_error (error, _("the body on standard input is too long; GitLab takes at most "
                              "%d characters"), NOD_NOTE_BODY_MAX_CHARS);
      else
        usage_error (error, _("the --body text is too long; GitLab takes at most %d "
                              "characters"), NOD_NOTE_BODY_MAX_CHARS);
      return FALSE;
    }
  /* Only standard input can hold one; it would end the text wherever it is. */
  if (memchr (text, '\0', length) != NULL)
    {
      usage_error (error, _("the body on standard input holds a NUL byte; give text"));
      return FALSE;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      if (from_stdin)
        usage_error (error, _("the body on standard input is not valid UTF-8"));
      else
        usage_error (error, _("the --body text is not valid UTF-8"));
      return FALSE;
    }
  if (is_blank (text))
    {
      if (from_stdin)
        usage_error (error, _("the body on standard input is empty; write something"));
      else
        usage_error (error, _("the --body text is empty; write something, or “--body -” "
                              "to read it from standard input"));
      return FALSE;
    }
  return TRUE;
}

/**
 * nod_cli_check_body:
 * @text: a comment’s or a reply’s text, with a NUL after its @length bytes
 * @length: its length in bytes
 * @from_stdin: it was read from standard input (the message says so)
 *
 * Returns: %TRUE if GitLab could take @text as a note: valid UTF-8 with no NUL, not blank,
 * at most %NOD_NOTE_BODY_MAX_CHARS characters; otherwise a NOD_CLI_ERROR_USAGE error.
 */
gboolean
nod_cli_check_body (const char  *text,
                    gsize        length,
                    gboolean     from_stdin,
                    GError     **error)
{
  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_body (text != NULL ? text : "", length, from_stdin, error);
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * nod_cli_check_url:
 * @url: a GitLab instance, as typed
 * @insecure_http: accept plain http:// to a host that is not this machine
 *
 * The rules are nod_gitlab_check_base_url()'s, which the account will meet later, and one
 * more: the URL is written in printable ASCII (an internationalised host in its xn-- form).
 * On failure, says in one line what is wrong, without quoting @url: it may hold a password.
 */
gboolean
nod_cli_check_url (const char  *url,
                   gboolean     insecure_http,
                   GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;
  const char *host;

  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_printable_ascii (url) && nod_gitlab_check_base_url (url, insecure_http, NULL))
    return TRUE;

  /* Not g_uri_peek_scheme(): it interns whatever scheme was typed, for good. */
  scheme = g_uri_parse_scheme (url);
  if (strstr (url, "://") == NULL ||
      (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0))
    {
      usage_error (error, _("the GitLab address needs https:// in front, "
                            "e.g. https://gitlab.com"));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  /* GUri takes "git lab.com" for a host; GitLab's address never has a space. */
  if (host == NULL || *host == '\0' || !is_printable_ascii (url))
    {
      usage_error (error, _("the GitLab address is not a valid web address; "
                            "write it like https://gitlab.com"));
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      usage_error (error, _("the GitLab address must not hold a user name, a password, "
                            "a query or a fragment; give the token with --token-stdin "
                            "or GITLAB_TOKEN"));
      return FALSE;
    }

  if (g_str_equal (scheme, "http") && !insecure_http && !is_loopback_host (host))
    {
      g_autofree char *quoted = nod_cli_quote (host);

      if (quoted == NULL)
        token_error (error);
      else
        usage_error (error, _("“%s” is not this machine, and plain http:// would show the "
                            "token to the network; use https://, or --insecure-http on a "
                            "network you trust"), quoted);
      return FALSE;
    }

  /* The backend refuses what is left for its own reasons. */
  usage_error (error, _("Nod cannot use this GitLab address; write it like "
                        "https://gitlab.com"));
  return FALSE;
}

static NodCliCommand *
help_command (NodCliVerb help_for)
{
  NodCliCommand *command = g_new0 (NodCliCommand, 1);

  command->verb = NOD_CLI_VERB_HELP;
  command->help_for = help_for;
  return command;
}

/* `nod help [VERB [SUB-VERB]]`, the words after "help". */
static NodCliCommand *
parse_help_words (GPtrArray  *words,
                  GError    **error)
{
  const char *word;
  const PageInfo *page;
  int sub_verb;

  if (words->len == 0)
    return help_command (NOD_CLI_VERB_HELP);

  word = g_ptr_array_index (words, 0);
  page = lookup_page (word);
  if (page == NULL)
    {
      g_autofree char *quoted = nod_cli_quote (word);

      if (quoted == NULL)
        token_error (error);
      else
        usage_error (error, _("“%s” is not a command; see nod help"), quoted);
      return NULL;
    }

  if (!page_is_family (page) || words->len == 1)
    {
      if (words->len > 1)
        {
          usage_error (error, _("help takes one command; there is an extra argument"));
          return NULL;
        }
      return help_command (page->first);
    }

  word = g_ptr_array_index (words, 1);
  sub_verb = lookup_sub_verb (page, word);
  if (sub_verb < 0)
    {
      unknown_sub_verb_error (page, word, error);
      return NULL;
    }
  if (words->len > 2)
    {
      usage_error (error, _("help takes one command; there is an extra argument"));
      return NULL;
    }

  return help_command (sub_verb);
}

/* The argument of @verb (its one positional word), checked into @command. */
static void
parse_argument (NodCliCommand  *command,
                const VerbInfo *info,
                GPtrArray      *positionals,
                GError        **error)
{
  const char *argument;

  if (info->argument == ARGUMENT_NONE)
    {
      if (positionals->len > 0)
        usage_error (error, _("%s takes no arguments; see nod help %s"),
                     info->name, info->name);
      return;
    }

  if (positionals->len == 0)
    {
      switch (info->argument)
        {
        case ARGUMENT_REF:
          usage_error (error, _("%s needs a merge request, written GROUP/PROJECT!IID, "
                                "e.g. gnome/nod!42"), info->name);
          break;
        case ARGUMENT_URL:
          usage_error (error, _("%s needs the GitLab address, e.g. https://gitlab.com"),
                       info->name);
          break;
        case ARGUMENT_OP:
          usage_error (error, _("%s needs the id of a queued change; "
                                "see nod queue list"), info->name);
          break;
        case ARGUMENT_NONE:
        case ARGUMENT_VERBS:
        default:
          g_assert_not_reached ();
        }
      return;
    }

  if (positionals->len > 1)
    {
      /* The extra word is not quoted: it might be a token that lost its way. */
      switch (info->argument)
        {
        case ARGUMENT_REF:
          usage_error (error, _("%s takes one merge request; there is an extra argument"),
                       info->name);
          break;
        case ARGUMENT_URL:
          usage_error (error, _("%s takes one GitLab address; there is an extra argument"),
                       info->name);
          break;
        case ARGUMENT_OP:
          usage_error (error, _("%s takes one id; there is an extra argument"), info->name);
          break;
        case ARGUMENT_NONE:
        case ARGUMENT_VERBS:
        default:
          g_assert_not_reached ();
        }
      return;
    }

  argument = g_ptr_array_index (positionals, 0);
  switch (info->argument)
    {
    case ARGUMENT_REF:
      if (!parse_ref (argument, &command->project_path, &command->iid))
        {
          g_autofree char *quoted = nod_cli_quote (argument);

          if (quoted == NULL)
            token_error (error);
          else
            usage_error (error, _("“%s” is not a merge request reference; write "
                                  "GROUP/PROJECT!IID, e.g. gnome/nod!42"), quoted);
        }
      break;
    case ARGUMENT_URL:
      command->url = g_strdup (argument);
      break;
    case ARGUMENT_OP:
      if (!is_op_id (argument))
        usage_error (error, _("that is not the id of a queued change; see nod queue list"));
      else
        command->op_id = g_strdup (argument);
      break;
    case ARGUMENT_NONE:
    case ARGUMENT_VERBS:
    default:
      g_assert_not_reached ();
    }
}

static void
unknown_option_error (const char      *arg,
                      const VerbInfo  *info,
                      GError         **error)
{
  /* Only the name: what follows "=" is a value, and might be a secret. */
  g_autofree char *name = g_strndup (arg, strcspn (arg, "="));
  g_autofree char *lower = g_ascii_strdown (name, -1);
  g_autofree char *quoted = NULL;

  quoted = nod_cli_quote (name);
  if (strstr (lower, "token") != NULL || quoted == NULL)
    token_error (error);
  else if (info == NULL)
    usage_error (error, _("“%s” is not a command; see nod help"), quoted);
  else
    usage_error (error, _("%s has no option “%s”; see nod help %s"),
                 info->name, quoted, info->name);
}

/* One option of @info's verb, with its value if it takes one, into @command. */
static void
take_option (NodCliCommand     *command,
             const VerbInfo    *info,
             const OptionInfo  *option,
             const char        *value,
             gboolean           value_attached,
             OptionFlags        seen,
             GError           **error)
{
  if ((info->accepted & option->flag) == 0)
    {
      usage_error (error, _("%s does not take %s; see nod help %s"),
                   info->name, option->name, info->name);
      return;
    }
  if ((seen & option->flag) != 0)
    {
      usage_error (error, _("%s is given twice"), option->name);
      return;
    }
  if (option->value_name == NULL && value_attached)
    {
      usage_error (error, _("%s takes no value"), option->name);
      return;
    }
  if (option->value_name != NULL && value == NULL)
    {
      usage_error (error, _("%s needs a value, as in %s %s; see nod help %s"),
                   option->name, option->name, option->value_name, info->name);
      return;
    }
  if ((option->flag & LIST_FILTER_OPTIONS) != 0 && (seen & LIST_FILTER_OPTIONS) != 0)
    {
      usage_error (error, _("choose one of --review, --authored and --assigned"));
      return;
    }

  switch (option->flag)
    {
    case OPTION_URL:
      command->url = g_strdup (value);
      break;
    case OPTION_TOKEN_STDIN:
      command->token_from_stdin = TRUE;
      break;
    case OPTION_DEPTH:
      command->depth_given = TRUE;
      if (g_str_equal (value, "30") || g_str_equal (value, "90"))
        command->history_days = (guint) g_ascii_strtoull (value, NULL, 10);
      else if (g_str_equal (value, "all"))
        command->history_days = 0;
      else
        usage_error (error, _("--depth is 30, 90 or all (days of history to fetch)"));
      break;
    case OPTION_INSECURE_HTTP:
      command->insecure_http = TRUE;
      break;
    case OPTION_JSON:
      command->json = TRUE;
      break;
    case OPTION_PREVIEW:
      command->preview = TRUE;
      break;
    case OPTION_APPROVALS_ONLY:
      command->approvals_only = TRUE;
      break;
    case OPTION_BODY:
      /* Taken as written: Markdown cares about leading spaces and trailing newlines. */
      if (g_str_equal (value, "-"))
        command->body_from_stdin = TRUE;
      else if (check_body (value, strlen (value), FALSE, error))
        command->body = g_strdup (value);
      break;
    case OPTION_DISCUSSION:
      if (*value == '\0')
        usage_error (error, _("--discussion is empty; give the discussion’s id"));
      else if (!is_discussion_id (value))
        usage_error (error, _("the --discussion value is not a discussion’s id"));
      else
        command->discussion_id = g_strdup (value);
      break;
    case OPTION_STAT:
      command->stat = TRUE;
      break;
    case OPTION_FILE:
      /* Matched byte for byte against GitLab's paths; not quoted back here. */
      if (*value == '\0')
        usage_error (error, _("--file is empty; give a path, as nod diff --stat shows it"));
      else if (strlen (value) > FILE_PATH_MAX_BYTES)
        usage_error (error, _("the --file path is too long"));
      else if (!g_utf8_validate (value, -1, NULL))
        usage_error (error, _("the --file path is not valid UTF-8"));
      else
        command->file_path = g_strdup (value);
      break;
    case OPTION_NOTE:
      {
        guint64 note_id;

        if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT64, &note_id, NULL))
          usage_error (error, _("--note is a note’s id, as nod mr show prints it"));
        else
          command->note_id = (gint64) note_id;
      }
      break;
    case OPTION_LINE:
      {
        guint64 line;

        if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT32, &line, NULL))
          usage_error (error, _("--line is a line number, 1 or more"));
        else
          command->line = (guint) line;
      }
      break;
    case OPTION_OLD:
      command->old_side = TRUE;
      break;
    case OPTION_APPROVE:
      command->approve = TRUE;
      break;
    case OPTION_RESOLVE:
      command->resolve = TRUE;
      break;
    case OPTION_REVIEW:
      command->list_filter = NOD_CLI_LIST_REVIEW;
      break;
    case OPTION_AUTHORED:
      command->list_filter = NOD_CLI_LIST_AUTHORED;
      break;
    case OPTION_ASSIGNED:
      command->list_filter = NOD_CLI_LIST_ASSIGNED;
      break;
    default:
      g_assert_not_reached ();
    }
}

/* @verb's options and argument, from argv[@first] on. */
static NodCliCommand *
parse_verb (NodCliVerb          verb,
            int                 argc,
            const char *const  *argv,
            int                 first,
            GError            **error)
{
  const VerbInfo *info = &verb_infos[verb];
  g_autoptr(NodCliCommand) command = g_new0 (NodCliCommand, 1);
  g_autoptr(GPtrArray) positionals = g_ptr_array_new ();
  g_autoptr(GError) problem = NULL;
  OptionFlags seen = 0;
  gboolean options_ended = FALSE;

  command->verb = verb;
  command->help_for = NOD_CLI_VERB_HELP;
  command->list_filter = NOD_CLI_LIST_ALL;

  /* The whole line is read even after something wrong, for a --help further on. */
  for (int i = first; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *equals;
      const OptionInfo *option;
      const char *value = NULL;

      if (options_ended || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (positionals, (gpointer) arg);
          continue;
        }
      if (g_str_equal (arg, "--"))
        {
          options_ended = TRUE;
          continue;
        }
      if (is_help_option (arg))
        return help_command (verb);

      equals = strchr (arg, '=');
      option = lookup_option (arg, equals != NULL ? (size_t) (equals - arg) : strlen (arg));
      if (option == NULL)
        {
          unknown_option_error (arg, info, &problem);
          continue;
        }

      if (equals != NULL)
        value = equals + 1;
      else if (option->value_name != NULL && i + 1 < argc &&
               (option->flag == OPTION_BODY || argv[i + 1][0] != '-' ||
                g_str_equal (argv[i + 1], "-")))
        value = argv[++i];   /* a body may start with "-", as a Markdown list does */

      take_option (command, info, option, value, equals != NULL, seen, &problem);
      seen |= option->flag;
    }

  if (problem != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&problem));
      return NULL;
    }

  if (info->argument == ARGUMENT_VERBS)
    return parse_help_words (positionals, error);

  parse_argument (command, info, positionals, &problem);

  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    if ((info->required & ~seen & option_infos[i].flag) != 0)
      usage_error (&problem, _("%s needs %s %s; see nod help %s"), info->name,
                   option_infos[i].name, option_infos[i].value_name, info->name);

  /* A line is of a file, and a file (for a comment) needs its line. */
  if (verb == NOD_CLI_VERB_COMMENT && (seen & OPTION_FILE) != 0 && (seen & OPTION_LINE) == 0)
    usage_error (&problem, _("comment --file needs --line N too; see nod help comment"));
  if ((seen & OPTION_LINE) != 0 && (seen & OPTION_FILE) == 0)
    usage_error (&problem, _("--line needs --file PATH too; see nod help %s"), info->name);
  if ((seen & OPTION_OLD) != 0 && (seen & OPTION_LINE) == 0)
    usage_error (&problem, _("--old needs --file PATH and --line N too; see nod help %s"),
                 info->name);

  if (problem == NULL && command->url != NULL)
    nod_cli_check_url (command->url, command->insecure_http, &problem);

  if (problem != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&problem));
      return NULL;
    }

  return g_steal_pointer (&command);
}

NodCliCommand *
nod_cli_command_parse (int                argc,
                       const char *const *argv,
                       GError           **error)
{
  const PageInfo *page;
  const char *word;
  int sub_verb;

  g_return_val_if_fail (argc >= 0, NULL);
  g_return_val_if_fail (argc == 0 || argv != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (argc < 2)
    {
      usage_error (error, _("no command given; see nod help"));
      return NULL;
    }

  word = argv[1];
  if (is_help_option (word))
    return parse_verb (NOD_CLI_VERB_HELP, argc, argv, 2, error);
  if (word[0] == '-')
    {
      unknown_option_error (word, NULL, error);
      return NULL;
    }

  page = lookup_page (word);
  if (page == NULL)
    {
      g_autofree char *quoted = nod_cli_quote (word);

      if (quoted == NULL)
        token_error (error);
      else
        usage_error (error, _("“%s” is not a command; see nod help"), quoted);
      return NULL;
    }
  if (!page_is_family (page))
    return parse_verb (page->first, argc, argv, 2, error);

  /* account, queue, mr: the sub-verb comes next, before any option. */
  if (argc > 2 && is_help_option (argv[2]))
    return help_command (page->first);
  if (argc < 3 || argv[2][0] == '-')
    {
      g_autofree char *sub_verbs = list_sub_verbs (page);

      usage_error (error, _("%s needs a command right after it: %s"), page->word, sub_verbs);
      return NULL;
    }

  sub_verb = lookup_sub_verb (page, argv[2]);
  if (sub_verb < 0)
    {
      unknown_sub_verb_error (page, argv[2], error);
      return NULL;
    }

  return parse_verb (sub_verb, argc, argv, 3, error);
}

void
nod_cli_command_free (NodCliCommand *command)
{
  if (command == NULL)
    return;

  g_free (command->project_path);
  g_free (command->body);
  g_free (command->discussion_id);
  g_free (command->file_path);
  g_free (command->op_id);
  g_free (command->url);
  g_free (command);
}

/* What the window takes itself (src/nod-application.c adds --demo, GApplication its
 * --gapplication-service for D-Bus activation). */
static const char * const window_options[] = { "--demo", "--gapplication-service" };

/* @first_argument may be NULL: `nod` alone is the window. */
gboolean
nod_cli_is_command_line (const char *first_argument)
{
  if (first_argument == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (window_options); i++)
    if (g_str_equal (first_argument, window_options[i]))
      return FALSE;
  return TRUE;
}

const char *
nod_cli_verb_to_string (NodCliVerb verb)
{
  g_return_val_if_fail ((guint) verb < G_N_ELEMENTS (verb_infos), NULL);

  return verb_infos[verb].name;
}

/* "  NAME   description" rows, the names padded to @width. */
static void
append_row (GString    *text,
            int         width,
            const char *name,
            const char *description)
{
  g_string_append_printf (text, "  %-*s  %s\n", width, name, description);
}

static const char *
ref_note (void)
{
  return _("REF names a merge request as GROUP/PROJECT!IID, e.g. gnome/nod!42.");
}

static char *
overview_text (void)
{
  GString *text = g_string_new (NULL);
  const char *environment = "GITLAB_URL, GITLAB_TOKEN";
  int width = strlen (environment);
  const char *usage = _("Usage:");
  int indent = g_utf8_strlen (usage, -1);

  for (guint i = 0; i < G_N_ELEMENTS (page_infos); i++)
    width = MAX (width, (int) strlen (page_infos[i].overview));

  g_string_append_printf (text, "%s nod [--demo]\n", usage);
  g_string_append_printf (text, "%*s nod %s\n\n", indent, "",
                          _("COMMAND [ARGUMENT…] [OPTION…]"));
  g_string_append_printf (text, "%s\n\n",
                          _("Reviews GitLab merge requests. Without a command, nod opens its "
                            "window."));

  g_string_append_printf (text, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (page_infos); i++)
    append_row (text, width, page_infos[i].overview, _(page_infos[i].summary));
  g_string_append_printf (text, "\n%s\n%s\n\n", ref_note (),
                          _("“nod help COMMAND” or “nod COMMAND --help” tells more."));

  g_string_append_printf (text, "%s\n", _("Environment:"));
  append_row (text, width, environment, _("A one-off account, nothing stored"));

  g_string_append_printf (text, "\n%s\n", _("Exit status:"));
  append_row (text, 2, "0", _("Done"));
  append_row (text, 2, "75", _("Queued, to be sent later"));
  append_row (text, 2, "1", _("Failed"));
  append_row (text, 2, "2", _("Usage error"));

  return g_string_free (text, FALSE);
}

static char *
page_text (const PageInfo *page)
{
  GString *text = g_string_new (NULL);
  const char *usage = _("Usage:");
  int indent = g_utf8_strlen (usage, -1);
  OptionFlags accepted = 0;
  gboolean takes_ref = FALSE;
  gboolean queues = FALSE;   /* a write: it may wait in the queue */
  int width = strlen ("-h, --help");

  for (NodCliVerb verb = page->first; verb <= page->last; verb++)
    {
      const VerbInfo *info = &verb_infos[verb];

      g_string_append_printf (text, "%*s nod %s%s%s\n", indent,
                              verb == page->first ? usage : "", info->name,
                              *info->synopsis != '\0' ? " " : "", info->synopsis);
      accepted |= info->accepted;
      takes_ref |= info->argument == ARGUMENT_REF;
      queues |= info->argument == ARGUMENT_REF && verb != NOD_CLI_VERB_DIFF;
    }

  g_string_append_printf (text, "\n%s\n", _(page->description));
  if (takes_ref)
    g_string_append_printf (text, "\n%s\n", ref_note ());
  if (queues)
    g_string_append_printf (text, "%s\n",
                            _("When GitLab cannot be reached, the change waits in the queue "
                              "to be sent\nlater, and nod exits with 75."));

  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    if ((accepted & option_infos[i].flag) != 0)
      width = MAX (width, (int) (strlen (option_infos[i].name) +
                                 (option_infos[i].value_name != NULL
                                  ? 1 + strlen (option_infos[i].value_name) : 0)));

  g_string_append_printf (text, "\n%s\n", _("Options:"));
  for (guint i = 0; i < G_N_ELEMENTS (option_infos); i++)
    {
      const OptionInfo *option = &option_infos[i];
      g_autofree char *name = NULL;

      if ((accepted & option->flag) == 0)
        continue;

      name = option->value_name != NULL ? g_strconcat (option->name, " ", option->value_name, NULL)
                                        : g_strdup (option->name);
      append_row (text, width, name, _(option->description));
    }
  append_row (text, width, "-h, --help", _("Show this help"));

  return g_string_free (text, FALSE);
}

char *
nod_cli_help_text (NodCliVerb verb)
{
  g_return_val_if_fail ((guint) verb < G_N_ELEMENTS (verb_infos), NULL);

  if (verb == NOD_CLI_VERB_HELP)
    return overview_text ();

  return page_text (lookup_page_of_verb (verb));
}
