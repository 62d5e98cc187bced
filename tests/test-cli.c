/* test-cli.c: `nod VERB …` end to end, against the fake GitLab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `nod` binary (the argument) runs as a child, headless (no session bus, so no
 * running Nod to forward to), with GITLAB_URL/GITLAB_TOKEN naming the fake that runs in
 * this process. (test-review-ui checks that a command is forwarded to a running Nod.)
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>

#include "nod-application.h"
#include "nod-cli-command.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-outbox-action.h"
#include "nod-test-cli.h"
#include "nod-test-http.h"
#include "nod-test-utils.h"

static guint
writes (NodTestCli *fixture)
{
  return nod_test_fake_count_requests (fixture->base_url, "POST", ".") +
         nod_test_fake_count_requests (fixture->base_url, "PUT", ".") +
         nod_test_fake_count_requests (fixture->base_url, "DELETE", ".");
}

static void
test_approve (NodTestCli    *fixture,
              gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };

  nod_test_cli_run (fixture, &outcome, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_nonnull (strstr (outcome.out, "approve gnome-apps/nod!111: done"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/merge_requests/111/approve$"), ==, 1);
}

static void
test_approve_queued (NodTestCli    *fixture,
                     gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autoptr(JsonNode) fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                     "{\"method\": \"POST\", \"path\": "
                                                     "\"/approve$\", \"status\": 503}");

  nod_test_cli_run (fixture, &outcome, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (outcome.status, ==, 75);
  g_assert_nonnull (strstr (outcome.err, "queued"));
}

static void
test_approve_refused (NodTestCli    *fixture,
                      gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autoptr(JsonNode) fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                     "{\"method\": \"POST\", \"path\": "
                                                     "\"/approve$\", \"status\": 403}");

  nod_test_cli_run (fixture, &outcome, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (outcome.status, ==, 1);
  g_assert_nonnull (strstr (outcome.err, "failed: "));
}

static void
test_bad_input (NodTestCli    *fixture,
                gconstpointer  data)
{
  static const char * const cases[][5] = {
    { "approve", "group/project!abc", NULL },
    { "frobnicate", NULL },
    { "push", "--sideways", NULL },
    { "comment", "gnome-apps/nod!111", "--body", "", NULL },
    { "account", "add", "--url", "gitlab.com", NULL },
    { "account", "add", "--url", "http://gitlab.example.org", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };

      nod_test_cli_run (fixture, &outcome, NULL, cases[i][0], cases[i][1], cases[i][2], cases[i][3],
                        cases[i][4], NULL);
      g_assert_cmpint (outcome.status, ==, 2);
      g_assert_true (g_str_has_prefix (outcome.err, "nod: "));
    }
  g_assert_cmpuint (writes (fixture), ==, 0);
}

static void
test_comment_from_stdin_then_queue (NodTestCli    *fixture,
                                    gconstpointer  data)
{
  g_auto (NodTestCliOutcome) comment = { 0, };
  g_auto (NodTestCliOutcome) queue = { 0, };

  nod_test_cli_run (fixture, &comment, "Looks good.\nOne nit below.\n",
                    "comment", "gnome-apps/nod!111", "--body", "-", NULL);
  g_assert_cmpint (comment.status, ==, 0);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 1);

  nod_test_cli_run (fixture, &queue, NULL, "queue", "list", NULL);
  g_assert_cmpint (queue.status, ==, 0);
  g_assert_nonnull (strstr (queue.out, "Nothing waiting"));
}

/* A pull takes as long as it takes: the bound a write waits for GitLab (30 s, 100 ms here)
 * does not cut it, however slow GitLab is, and it reports every merge request it stored. */
static void
test_pull_not_cut_at_write_wait (NodTestCli    *fixture,
                                 gconstpointer  data)
{
  g_auto (NodTestCliOutcome) quick = { 0, };
  g_auto (NodTestCliOutcome) slow = { 0, };
  gint64 stored;

  g_setenv ("NOD_CLI_WRITE_WAIT_MS", "100", TRUE);
  {
    g_autoptr(JsonNode) armed =
      nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                             "{\"method\": \"GET\", \"path\": \"/approvals$\", "
                             "\"delay_ms\": 300, \"times\": 1}");
  }
  nod_test_cli_run (fixture, &slow, NULL, "pull", NULL);
  g_unsetenv ("NOD_CLI_WRITE_WAIT_MS");

  g_assert_cmpint (slow.status, ==, 0);
  stored = nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM merge_requests");
  g_assert_cmpint (stored, >, 0);
  /* Each list counts its own: a merge request on two lists is pulled twice. */
  g_assert_true (g_str_has_prefix (slow.out, "pulled "));
  g_assert_cmpint (g_ascii_strtoll (slow.out + strlen ("pulled "), NULL, 10), >=, stored);

  /* And nothing was left for the next one. */
  nod_test_cli_run (fixture, &quick, NULL, "pull", NULL);
  g_assert_cmpint (quick.status, ==, 0);
  g_assert_cmpstr (quick.out, ==, "pulled 0\n");
}

static void
test_pull_push_sync (NodTestCli    *fixture,
                     gconstpointer  data)
{
  g_auto (NodTestCliOutcome) pull = { 0, };
  g_auto (NodTestCliOutcome) push = { 0, };
  g_auto (NodTestCliOutcome) sync = { 0, };
  g_auto (NodTestCliOutcome) list = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  nod_test_cli_run (fixture, &pull, NULL, "pull", NULL);
  g_assert_cmpint (pull.status, ==, 0);
  g_assert_true (g_str_has_prefix (pull.out, "pulled "));
  g_assert_cmpint (g_ascii_strtoll (pull.out + strlen ("pulled "), NULL, 10), >, 0);

  nod_test_cli_run (fixture, &push, NULL, "push", NULL);
  g_assert_cmpint (push.status, ==, 0);
  g_assert_cmpstr (push.out, ==, "pushed 0, failed 0, remaining 0\n");

  nod_test_cli_run (fixture, &sync, NULL, "sync", NULL);
  g_assert_cmpint (sync.status, ==, 0);
  g_assert_true (g_str_has_prefix (sync.out, "pulled "));
  g_assert_nonnull (strstr (sync.out, "\npushed 0, failed 0, remaining 0\n"));

  nod_test_cli_run (fixture, &list, NULL, "mr", "list", "--review", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, list.out, -1, &error));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))),
                    >, 0);
}

/* Every column of every outbox row, as text: "byte for byte" for the outbox. */
static char *
dump_outbox (NodTestCli *fixture)
{
  g_autofree char *path = g_build_filename (fixture->data_home, "nod", "nod.db", NULL);
  g_autoptr(GString) dump = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT * FROM outbox ORDER BY seq", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (dump, "%s|", (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (dump, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&dump), FALSE);
}

/* --preview reads and changes nothing: no write request, the outbox byte for byte. */
static void
test_sync_preview (NodTestCli    *fixture,
                   gconstpointer  data)
{
  g_auto (NodTestCliOutcome) queued = { 0, };
  g_auto (NodTestCliOutcome) preview = { 0, };
  g_autoptr(JsonNode) fault = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint writes_before;

  /* A comment that could not go: something for the preview to show. */
  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 503}");
  nod_test_cli_run (fixture, &queued, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Later", NULL);
  g_assert_cmpint (queued.status, ==, 75);

  writes_before = writes (fixture);
  before = dump_outbox (fixture);
  nod_test_cli_run (fixture, &preview, NULL, "sync", "--preview", NULL);
  after = dump_outbox (fixture);

  g_assert_cmpint (preview.status, ==, 0);
  g_assert_nonnull (strstr (preview.out, "would push: "));
  g_assert_nonnull (strstr (preview.out, "would pull: "));
  g_assert_cmpuint (writes (fixture), ==, writes_before);
  g_assert_cmpstr (after, ==, before);
  g_assert_nonnull (strstr (before, "Later"));
}

static void
test_status_json (NodTestCli    *fixture,
                  gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  static const char * const members[] = {
    "state", "pending", "failed", "last_synced_at", "blocked_until", "rate_limit", "accounts",
  };
  JsonObject *object;

  nod_test_cli_run (fixture, &outcome, NULL, "status", "--json", NULL);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, outcome.out, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (object, members[i]));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "accounts")),
                    ==, 1);
}

/* An open thread on gnome-apps/nod!111, as the fake has it. */
static char *
open_thread_id (NodTestCli *fixture)
{
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *discussions;

  observer = nod_gitlab_new (fixture->base_url, NOD_TEST_CLI_TOKEN, &error);
  g_assert_no_error (error);
  /* gnome-apps/nod is project 11 in the sample. */
  nod_forge_list_discussions_async (NOD_FORGE (observer), 11, 111, 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    if (nod_discussion_get_resolvable (discussions->pdata[i]) &&
        !nod_discussion_get_resolved (discussions->pdata[i]))
      return g_strdup (nod_discussion_get_id (discussions->pdata[i]));
  g_error ("No open thread on gnome-apps/nod!111");
}

static void
test_reply_and_resolve (NodTestCli    *fixture,
                        gconstpointer  data)
{
  g_autofree char *thread = open_thread_id (fixture);
  g_auto (NodTestCliOutcome) reply = { 0, };
  g_auto (NodTestCliOutcome) resolve = { 0, };
  g_auto (NodTestCliOutcome) unresolve = { 0, };

  nod_test_cli_run (fixture, &reply, NULL, "reply", "gnome-apps/nod!111", "--discussion", thread,
                    "--body", "Done in the next push.", NULL);
  g_assert_cmpint (reply.status, ==, 0);
  nod_test_cli_run (fixture, &resolve, NULL, "resolve", "gnome-apps/nod!111",
                    "--discussion", thread, NULL);
  g_assert_cmpint (resolve.status, ==, 0);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/notes$"), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "PUT",
                                                  "/discussions/[0-9a-f]+$"), ==, 1);

  nod_test_cli_run (fixture, &unresolve, NULL, "unresolve", "gnome-apps/nod!111",
                    "--discussion", thread, NULL);
  g_assert_cmpint (unresolve.status, ==, 0);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "PUT",
                                                  "/discussions/[0-9a-f]+$"), ==, 2);
}

/* A refused comment holds back the next one on its merge request: both listed, the
 * second discarded, the first retried once GitLab takes it. */
static void
test_queue_retry_discard (NodTestCli    *fixture,
                          gconstpointer  data)
{
  g_auto (NodTestCliOutcome) first = { 0, };
  g_auto (NodTestCliOutcome) second = { 0, };
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) retried = { 0, };
  g_auto (NodTestCliOutcome) discarded = { 0, };
  g_auto (NodTestCliOutcome) empty = { 0, };
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *op_first = NULL;
  g_autofree char *op_second = NULL;
  JsonArray *rows;

  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 403}");
  nod_test_cli_run (fixture, &first, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "First", NULL);
  nod_test_cli_run (fixture, &second, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Second", NULL);
  g_assert_cmpint (first.status, ==, 1);
  g_assert_cmpint (second.status, ==, 75);

  nod_test_cli_run (fixture, &listed, NULL, "queue", "list", "--json", NULL);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, listed.out, -1, &error));
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "state"), ==, "failed");
  g_assert_nonnull (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                   "reason"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                  "state"), ==, "pending");
  op_first = g_strdup (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                      "op"));
  op_second = g_strdup (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                       "op"));

  nod_test_cli_run (fixture, &discarded, NULL, "queue", "discard", op_second, NULL);
  g_assert_cmpint (discarded.status, ==, 0);
  cleared = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
  nod_test_cli_run (fixture, &retried, NULL, "queue", "retry", op_first, NULL);
  g_assert_cmpint (retried.status, ==, 0);

  nod_test_cli_run (fixture, &empty, NULL, "queue", "list", NULL);
  g_assert_nonnull (strstr (empty.out, "Nothing waiting"));
  /* Refused once, sent once; the discarded one never went. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 2);
}

/* Behind a refused comment, a second one waits: edited from standard input, then the
 * refused one cancelled; GitLab gets the new text once and nothing of the cancelled one.
 * A change already sent can't be cancelled, and says why. */
static void
test_queue_cancel_edit (NodTestCli    *fixture,
                        gconstpointer  data)
{
  g_auto (NodTestCliOutcome) first = { 0, };
  g_auto (NodTestCliOutcome) second = { 0, };
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) edited = { 0, };
  g_auto (NodTestCliOutcome) cancelled = { 0, };
  g_auto (NodTestCliOutcome) pushed = { 0, };
  g_auto (NodTestCliOutcome) again = { 0, };
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autofree char *op_first = NULL;
  g_autofree char *op_second = NULL;
  JsonArray *rows;

  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 403, \"times\": 1}");
  nod_test_cli_run (fixture, &first, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Refused one", NULL);
  nod_test_cli_run (fixture, &second, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Frist draft", NULL);
  g_assert_cmpint (first.status, ==, 1);
  g_assert_cmpint (second.status, ==, 75);

  nod_test_cli_run (fixture, &listed, NULL, "queue", "list", "--json", NULL);
  g_assert_true (json_parser_load_from_data (parser, listed.out, -1, &error));
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  op_first = g_strdup (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                      "op"));
  op_second = g_strdup (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                       "op"));

  nod_test_cli_run (fixture, &edited, "First draft, fixed\n", "queue", "edit", op_second,
                    "--body", "-", NULL);
  g_assert_cmpint (edited.status, ==, 0);
  nod_test_cli_run (fixture, &cancelled, NULL, "queue", "cancel", op_first, NULL);
  g_assert_cmpint (cancelled.status, ==, 0);
  g_assert_nonnull (strstr (cancelled.out, "Cancelled"));

  cleared = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
  nod_test_cli_run (fixture, &pushed, NULL, "push", NULL);
  g_assert_cmpint (pushed.status, ==, 0);

  /* The refused POST, then the edited one; the cancelled comment never again. */
  posts = nod_test_fake_list_requests (fixture->base_url, "POST", "/discussions$");
  g_assert_cmpuint (posts->len, ==, 2);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, 11, 111, "First draft, fixed\n"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, 11, 111, "Frist draft"), ==, 0);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, 11, 111, "Refused one"), ==, 0);

  nod_test_cli_run (fixture, &again, NULL, "queue", "cancel", op_second, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "already sent"));
}

/* With no keyring to keep it, `account add` fails and says why — without repeating the
 * token it read (run_nod checks every output for it). */
static void
test_account_add_without_keyring (NodTestCli    *fixture,
                                  gconstpointer  data)
{
  g_auto (NodTestCliOutcome) added = { 0, };

  nod_test_cli_run (fixture, &added, NOD_TEST_CLI_TOKEN "\n", "account", "add",
                    "--url", fixture->base_url, "--token-stdin", NULL);
  g_assert_cmpint (added.status, ==, 1);
  g_assert_nonnull (strstr (added.err, "keyring"));
}

static void
test_approve_then_unapprove (NodTestCli    *fixture,
                             gconstpointer  data)
{
  g_auto (NodTestCliOutcome) approved = { 0, };
  g_auto (NodTestCliOutcome) unapproved = { 0, };

  nod_test_cli_run (fixture, &approved, NULL, "approve", "gnome-apps/nod!111", NULL);
  nod_test_cli_run (fixture, &unapproved, NULL, "unapprove", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (approved.status, ==, 0);
  g_assert_cmpint (unapproved.status, ==, 0);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/merge_requests/111/unapprove$"), ==, 1);
}

/* A stored account, through the session's keyring: add (token on stdin), list, remove. */
static void
test_account_add_list_remove (NodTestCli    *fixture,
                              gconstpointer  data)
{
  g_auto (NodTestCliOutcome) added = { 0, };
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) removed = { 0, };
  g_auto (NodTestCliOutcome) after = { 0, };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  if (bus == NULL)
    {
      g_test_skip ("No session bus, so no keyring: build-aux/dev.sh test provides both");
      return;
    }

  fixture->use_session_bus = TRUE;
  nod_test_cli_run (fixture, &added, NOD_TEST_CLI_TOKEN "\n", "account", "add",
                    "--url", fixture->base_url, "--token-stdin", NULL);
  if (added.status == 1 && strstr (added.err, "keyring") != NULL)
    {
      fixture->use_session_bus = FALSE;
      g_test_skip_printf ("No usable keyring: %s", added.err);
      return;
    }
  g_assert_cmpint (added.status, ==, 0);
  g_assert_nonnull (strstr (added.out, "sam"));

  nod_test_cli_run (fixture, &listed, NULL, "account", "list", NULL);
  g_assert_nonnull (strstr (listed.out, fixture->base_url));
  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", fixture->base_url, NULL);
  g_assert_cmpint (removed.status, ==, 0);
  fixture->use_session_bus = FALSE;
}

/* A command acts for the first account with a token, and answers for that one: an account
 * kept from before, signed out (no token), listed ahead of it, changes nothing. */
static void
test_acts_for_its_account (NodTestCli    *fixture,
                           gconstpointer  data)
{
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) pulled = { 0, };
  g_auto (NodTestCliOutcome) approved = { 0, };
  g_auto (NodTestCliOutcome) removed = { 0, };

  fixture->without_one_off_account = TRUE;
  nod_test_cli_run (fixture, &listed, NULL, "account", "list", NULL);
  nod_test_cli_exec_store (fixture, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                                    "VALUES (1, 'https://ghost.nod-test.invalid', 'ghost', 0)");
  if (!nod_test_cli_add_keyring_account (fixture))
    {
      fixture->without_one_off_account = FALSE;
      return;
    }

  nod_test_cli_run (fixture, &pulled, NULL, "pull", NULL);
  g_assert_cmpint (pulled.status, ==, 0);
  g_assert_true (g_str_has_prefix (pulled.out, "pulled "));
  g_assert_cmpint (g_ascii_strtoll (pulled.out + strlen ("pulled "), NULL, 10), >, 0);

  nod_test_cli_run (fixture, &approved, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (approved.status, ==, 0);
  g_assert_nonnull (strstr (approved.out, "approve gnome-apps/nod!111: done"));

  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", fixture->base_url, NULL);
  g_assert_cmpint (removed.status, ==, 0);
  fixture->use_session_bus = FALSE;
  fixture->without_one_off_account = FALSE;
}

/* `account remove` forgets the stored account's token even with GITLAB_URL and
 * GITLAB_TOKEN set: they name a one-off account for the other verbs, not for this one. */
static void
test_account_remove_with_one_off (NodTestCli    *fixture,
                                  gconstpointer  data)
{
  g_auto (NodTestCliOutcome) removed = { 0, };
  g_auto (NodTestCliOutcome) pulled = { 0, };
  g_autofree char *sql = NULL;

  fixture->without_one_off_account = TRUE;
  if (!nod_test_cli_add_keyring_account (fixture))
    {
      fixture->without_one_off_account = FALSE;
      return;
    }

  fixture->without_one_off_account = FALSE;
  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", fixture->base_url, NULL);
  g_assert_cmpint (removed.status, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM accounts"), ==, 0);

  /* The row again, as if it had stayed: with no token left in the keyring it is signed out,
   * so a command has no account to act for. */
  sql = g_strdup_printf ("INSERT INTO accounts (id, base_url, username, created_at_us) "
                         "VALUES (7, '%s', 'sam', 0)", fixture->base_url);
  nod_test_cli_exec_store (fixture, sql);
  fixture->without_one_off_account = TRUE;
  nod_test_cli_run (fixture, &pulled, NULL, "pull", NULL);
  g_assert_cmpint (pulled.status, ==, 1);
  g_assert_nonnull (strstr (pulled.err, "nod: no account to use"));
  fixture->use_session_bus = FALSE;
  fixture->without_one_off_account = FALSE;
}

/* How many merge requests wait for the reviewer's review, updated in the last @days. */
static gint64
server_reviews_since (NodTestCli *fixture,
                      guint       days)
{
  g_autoptr(NodGitlab) observer = nod_gitlab_new (fixture->base_url, NOD_TEST_CLI_TOKEN, NULL);

  return nod_test_count_merge_requests_since (NOD_FORGE (observer),
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, days);
}

/* `nod pull` fetches 30 days unless told otherwise; `account add --depth 90` says 90, and
 * the next pull fetches what is missing, exactly the server's 90 days. */
static void
test_account_add_depth (NodTestCli    *fixture,
                        gconstpointer  data)
{
  g_auto (NodTestCliOutcome) first = { 0, };
  g_auto (NodTestCliOutcome) added = { 0, };
  g_auto (NodTestCliOutcome) second = { 0, };
  g_auto (NodTestCliOutcome) removed = { 0, };
  const char *reviews = "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer";
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  if (bus == NULL)
    {
      g_test_skip ("No session bus, so no keyring: build-aux/dev.sh test provides both");
      return;
    }

  nod_fake_gitlab_generate (fixture->fake, 600);
  g_assert_cmpint (server_reviews_since (fixture, 90), >, server_reviews_since (fixture, 30));
  /* Two pulls of 600 merge requests and their changes spend more than one window. */
  {
    g_autoptr(JsonNode) budget = nod_test_fake_control (fixture->base_url, "POST",
                                                        "/__fake/ratelimit",
                                                        "{\"limit\": 100000, "
                                                        "\"remaining\": 100000, "
                                                        "\"reset_in_s\": 600}");
  }

  nod_test_cli_run (fixture, &first, NULL, "pull", NULL);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, reviews), ==,
                   server_reviews_since (fixture, 30));

  fixture->use_session_bus = TRUE;
  nod_test_cli_run (fixture, &added, NOD_TEST_CLI_TOKEN "\n", "account", "add",
                    "--url", fixture->base_url, "--token-stdin", "--depth", "90", NULL);
  if (added.status == 1 && strstr (added.err, "keyring") != NULL)
    {
      fixture->use_session_bus = FALSE;
      g_test_skip_printf ("No usable keyring: %s", added.err);
      return;
    }
  g_assert_cmpint (added.status, ==, 0);
  g_assert_nonnull (strstr (added.out, "the last 90 days"));

  nod_test_cli_run (fixture, &second, NULL, "pull", NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, reviews), ==,
                   server_reviews_since (fixture, 90));
  g_assert_cmpint (nod_test_cli_query_store (fixture,
                                             "SELECT COUNT (*) FROM merge_requests WHERE "
                                             "julianday (updated_at) < "
                                             "julianday ('now', '-91 days')"),
                   ==, 0);

  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", fixture->base_url, NULL);
  g_assert_cmpint (removed.status, ==, 0);
  fixture->use_session_bus = FALSE;
}

/* ---- what each verb prints, to the byte ---- */

/* Help needs none of Nod's data: it is printed before any is opened. */
static void
test_help (NodTestCli    *fixture,
           gconstpointer  data)
{
  g_auto (NodTestCliOutcome) overview = { 0, };
  g_auto (NodTestCliOutcome) retry = { 0, };
  g_autofree char *overview_text = nod_cli_help_text (NOD_CLI_VERB_HELP);
  g_autofree char *retry_text = nod_cli_help_text (NOD_CLI_VERB_QUEUE_RETRY);
  g_autofree char *path = nod_test_cli_store_path (fixture);

  nod_test_cli_run (fixture, &overview, NULL, "help", NULL);
  g_assert_cmpint (overview.status, ==, 0);
  g_assert_cmpstr (overview.out, ==, overview_text);

  nod_test_cli_run (fixture, &retry, NULL, "queue", "retry", "--help", NULL);
  g_assert_cmpint (retry.status, ==, 0);
  g_assert_cmpstr (retry.out, ==, retry_text);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* "sam on 127.0.0.1:PORT": the fake's user on the fake's host. */
static char *
account_title (NodTestCli *fixture)
{
  g_autoptr(GUri) uri = g_uri_parse (fixture->base_url, G_URI_FLAGS_NONE, NULL);

  return g_strdup_printf ("sam on %s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
}

static void
test_status_text (NodTestCli    *fixture,
                  gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autofree char *title = account_title (fixture);
  g_autofree char *expected = g_strdup_printf ("idle\npending 0, failed 0\naccount: %s\n", title);

  nod_test_cli_run (fixture, &outcome, NULL, "status", NULL);
  g_assert_cmpint (outcome.status, ==, 0);
  g_assert_cmpstr (outcome.out, ==, expected);
}

/* GITLAB_URL + GITLAB_TOKEN's account is not one anyone added: not listed, even after it
 * was used. */
static void
test_account_list (NodTestCli    *fixture,
                   gconstpointer  data)
{
  g_auto (NodTestCliOutcome) used = { 0, };
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) removed = { 0, };
  const char *expected = "No accounts yet.\n";

  nod_test_cli_run (fixture, &used, NULL, "status", NULL);
  nod_test_cli_run (fixture, &listed, NULL, "account", "list", NULL);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_cmpstr (listed.out, ==, expected);

  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", "http://127.0.0.1:1/", NULL);
  g_assert_cmpint (removed.status, ==, 1);
  g_assert_cmpstr (removed.out, ==, "");
  g_assert_nonnull (strstr (removed.err, "nod: no account at http://127.0.0.1:1\n"));
}

/* A discussion's id as GitLab writes them. */
#define DISCUSSION_ID "6a9c1750b37d513a43987b574953fceb50b03ce7"

/* A fresh home and no GITLAB_URL/GITLAB_TOKEN: what works without an account says so,
 * everything else refuses with the same sentence and sends nothing. */
static void
test_without_account (NodTestCli    *fixture,
                      gconstpointer  data)
{
  static const char * const needs_account[][6] = {
    { "pull", NULL },
    { "push", NULL },
    { "sync", NULL },
    { "sync", "--preview", NULL },
    { "approve", "gnome-apps/nod!111", NULL },
    { "unapprove", "gnome-apps/nod!111", NULL },
    { "comment", "gnome-apps/nod!111", "--body", "Hello", NULL },
    { "reply", "gnome-apps/nod!111", "--discussion", DISCUSSION_ID, "--body", "Hello" },
    { "resolve", "gnome-apps/nod!111", "--discussion", DISCUSSION_ID, NULL },
    { "unresolve", "gnome-apps/nod!111", "--discussion", DISCUSSION_ID, NULL },
    { "queue", "list", NULL },
    { "queue", "retry", "some-op", NULL },
    { "queue", "discard", "some-op", NULL },
    { "mr", "list", NULL },
  };
  g_auto (NodTestCliOutcome) listed = { 0, };
  g_auto (NodTestCliOutcome) status = { 0, };
  g_auto (NodTestCliOutcome) no_token = { 0, };
  g_auto (NodTestCliOutcome) empty_token = { 0, };
  g_auto (NodTestCliOutcome) removed = { 0, };
  g_autofree char *no_account_at = g_strdup_printf ("nod: no account at %s\n", fixture->base_url);

  fixture->without_one_off_account = TRUE;

  nod_test_cli_run (fixture, &listed, NULL, "account", "list", NULL);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_cmpstr (listed.out, ==, "No accounts yet.\n");

  nod_test_cli_run (fixture, &status, NULL, "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_cmpstr (status.out, ==, "signed-out\npending 0, failed 0\n");

  for (gsize i = 0; i < G_N_ELEMENTS (needs_account); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };
      const char * const *args = needs_account[i];

      nod_test_cli_run (fixture, &outcome, NULL,
                        args[0], args[1], args[2], args[3], args[4], args[5], NULL);
      g_assert_cmpint (outcome.status, ==, 1);
      g_assert_cmpstr (outcome.out, ==, "");
      g_assert_nonnull (strstr (outcome.err, "nod: no account to use: sign in with "));
    }

  nod_test_cli_run (fixture, &no_token, NULL, "account", "add", "--url", fixture->base_url, NULL);
  g_assert_cmpint (no_token.status, ==, 2);
  g_assert_nonnull (strstr (no_token.err, "nod: give the token on standard input with "
                                          "--token-stdin, or in GITLAB_TOKEN\n"));
  nod_test_cli_run (fixture, &empty_token, "", "account", "add", "--url", fixture->base_url,
                    "--token-stdin", NULL);
  g_assert_cmpint (empty_token.status, ==, 2);
  g_assert_nonnull (strstr (empty_token.err, "nod: no token on standard input\n"));
  nod_test_cli_run (fixture, &removed, NULL, "account", "remove", fixture->base_url, NULL);
  g_assert_cmpint (removed.status, ==, 1);
  g_assert_nonnull (strstr (removed.err, no_account_at));

  fixture->without_one_off_account = FALSE;
  g_assert_cmpuint (writes (fixture), ==, 0);
}

/* Each merge request of `mr list --json`, as `mr list` prints it. */
static char *
merge_requests_as_text (JsonArray *rows)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      gboolean approved = json_object_get_boolean_member (row, "approved_by_me");
      gboolean pending = json_object_get_boolean_member (row, "approval_pending");
      JsonNode *pipeline = json_object_get_member (row, "pipeline");
      const char *pipeline_status = JSON_NODE_HOLDS_OBJECT (pipeline)
        ? json_object_get_string_member (json_node_get_object (pipeline), "status") : NULL;

      g_assert_nonnull (pipeline);
      g_string_append_printf (text, "%s\t%s\t%s%s%s%s%s\n",
                              json_object_get_string_member (row, "reference"),
                              json_object_get_string_member (row, "title"),
                              json_object_get_string_member (row, "state"),
                              approved ? (pending ? ", approved by you (pending)"
                                                  : ", approved by you") : "",
                              json_object_get_int_member (row, "failed_actions") > 0
                                ? ", failed action" : "",
                              pipeline_status != NULL ? ", pipeline " : "",
                              pipeline_status != NULL ? pipeline_status : "");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_mr_list_text (NodTestCli    *fixture,
                   gconstpointer  data)
{
  static const char *filters[] = { NULL, "--review", "--authored", "--assigned" };
  g_auto (NodTestCliOutcome) pull = { 0, };

  nod_test_cli_run (fixture, &pull, NULL, "pull", NULL);
  g_assert_cmpint (pull.status, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_auto (NodTestCliOutcome) json = { 0, };
      g_auto (NodTestCliOutcome) text = { 0, };
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;
      JsonArray *rows;

      nod_test_cli_run (fixture, &json, NULL, "mr", "list", "--json", filters[i], NULL);
      nod_test_cli_run (fixture, &text, NULL, "mr", "list", filters[i], NULL);
      g_assert_cmpint (json.status, ==, 0);
      g_assert_cmpint (text.status, ==, 0);
      g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
      rows = json_node_get_array (json_parser_get_root (parser));
      g_assert_cmpuint (json_array_get_length (rows), >, 0);
      expected = merge_requests_as_text (rows);
      g_assert_cmpstr (text.out, ==, expected);
      if (filters[i] == NULL)
        g_assert_nonnull (strstr (text.out, ", approved by you\n"));
    }
}

static JsonObject *
find_row (JsonArray  *rows,
          const char *reference)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_str_equal (json_object_get_string_member (row, "reference"), reference))
        return row;
    }
  g_assert_not_reached ();
}

/* `mr list --json` carries the head pipeline's status as the fake has it (or null), its
 * labels and merge status; the text names the pipeline briefly. */
static void
test_mr_list_pipeline (NodTestCli    *fixture,
                       gconstpointer  data)
{
  g_auto (NodTestCliOutcome) pull = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_auto (NodTestCliOutcome) text = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) set = NULL;
  JsonObject *passed, *none, *running;
  JsonArray *rows, *labels;

  set = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/104/pipeline",
                               "{\"status\": \"running\"}");
  nod_test_cli_run (fixture, &pull, NULL, "pull", NULL);
  g_assert_cmpint (pull.status, ==, 0);
  nod_test_cli_run (fixture, &json, NULL, "mr", "list", "--json", NULL);
  nod_test_cli_run (fixture, &text, NULL, "mr", "list", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  rows = json_node_get_array (json_parser_get_root (parser));

  passed = find_row (rows, "gnome-apps/nod!101");
  g_assert_cmpstr (json_object_get_string_member (passed, "author"), ==, "amelie");
  g_assert_cmpstr (json_object_get_string_member (passed, "author_name"), ==, "Amélie Laurent");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (passed,
                                                                                "pipeline"),
                                                  "status"), ==, "success");
  labels = json_object_get_array_member (passed, "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (labels, 0), ==, "sync");
  none = find_row (rows, "gnome-apps/nod!102");
  g_assert_true (nod_test_json_is_null (none, "pipeline"));
  g_assert_cmpstr (json_object_get_string_member (none, "merge_status"), ==, "draft_status");
  running = find_row (rows, "gnome-apps/nod!104");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (running,
                                                                                "pipeline"),
                                                  "status"), ==, "running");

  g_assert_nonnull (strstr (text.out, "gnome-apps/nod!104\t"));
  g_assert_nonnull (strstr (text.out, ", pipeline running\n"));
  g_assert_nonnull (strstr (text.out, ", pipeline success\n"));
}

/* One row of `queue list`, from its row in `queue list --json`. */
static void
append_queue_row (GString    *text,
                  JsonObject *row)
{
  const char *reason = json_object_get_string_member (row, "reason");

  g_string_append_printf (text, "%s  %-9s  %-7s  project %" G_GINT64_FORMAT " !%" G_GINT64_FORMAT
                          "%s%s\n",
                          json_object_get_string_member (row, "op"),
                          json_object_get_string_member (row, "kind"),
                          json_object_get_string_member (row, "state"),
                          json_object_get_int_member (row, "project_id"),
                          json_object_get_int_member (row, "iid"),
                          reason != NULL ? "  " : "", reason != NULL ? reason : "");
}

/* A refused comment and one held back behind it, through every verb that shows or
 * changes the queue: the words on each stream, and each exit status. */
static void
test_queue_text (NodTestCli    *fixture,
                 gconstpointer  data)
{
  g_auto (NodTestCliOutcome) first = { 0, };
  g_auto (NodTestCliOutcome) second = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_auto (NodTestCliOutcome) text = { 0, };
  g_auto (NodTestCliOutcome) preview = { 0, };
  g_auto (NodTestCliOutcome) approvals = { 0, };
  g_auto (NodTestCliOutcome) discarded = { 0, };
  g_auto (NodTestCliOutcome) retried = { 0, };
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *preview_start = NULL;
  g_autofree char *retry_done = NULL;
  const char *op_first, *op_second, *assigned, *authored;
  JsonArray *rows;

  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 403}");
  nod_test_cli_run (fixture, &first, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "First", NULL);
  g_assert_cmpint (first.status, ==, 1);
  g_assert_cmpstr (first.out, ==, "");
  g_assert_nonnull (strstr (first.err, "nod: comment gnome-apps/nod!111 failed: "));
  nod_test_cli_run (fixture, &second, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Second", NULL);
  g_assert_cmpint (second.status, ==, 75);
  g_assert_cmpstr (second.out, ==, "");
  g_assert_nonnull (strstr (second.err, "nod: comment gnome-apps/nod!111 is queued and will be "
                                        "sent later: "));

  nod_test_cli_run (fixture, &json, NULL, "queue", "list", "--json", NULL);
  nod_test_cli_run (fixture, &text, NULL, "queue", "list", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    append_queue_row (expected, json_array_get_object_element (rows, i));
  g_assert_cmpstr (text.out, ==, expected->str);
  op_first = json_object_get_string_member (json_array_get_object_element (rows, 0), "op");
  op_second = json_object_get_string_member (json_array_get_object_element (rows, 1), "op");

  /* Only the pending one would go; then each scope GitLab would be asked about, in order. */
  nod_test_cli_run (fixture, &preview, NULL, "sync", "--preview", NULL);
  g_assert_cmpint (preview.status, ==, 0);
  preview_start = g_strdup_printf ("would push: 1\n  %s  comment  project 11 !111\n"
                                   "would pull: ", op_second);
  g_assert_true (g_str_has_prefix (preview.out, preview_start));
  assigned = strstr (preview.out, " changed in review-requested\n");
  g_assert_nonnull (assigned);
  assigned = strstr (assigned, "\nwould pull: ");
  g_assert_nonnull (assigned);
  g_assert_true (g_regex_match_simple ("^\nwould pull: [0-9]+ changed in assigned\n", assigned,
                                       0, 0));
  authored = strstr (assigned + 1, "\nwould pull: ");
  g_assert_nonnull (authored);
  g_assert_true (g_regex_match_simple ("^\nwould pull: [0-9]+ changed in authored\n", authored,
                                       0, 0));

  /* Comments are not approvals: the pending one stays. */
  nod_test_cli_run (fixture, &approvals, NULL, "push", "--approvals-only", NULL);
  g_assert_cmpint (approvals.status, ==, 75);
  g_assert_cmpstr (approvals.out, ==, "pushed 0, failed 0, remaining 1\n");

  nod_test_cli_run (fixture, &discarded, NULL, "queue", "discard", op_second, NULL);
  g_assert_cmpint (discarded.status, ==, 0);
  g_assert_cmpstr (discarded.out, ==, "Discarded.\n");
  cleared = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
  nod_test_cli_run (fixture, &retried, NULL, "queue", "retry", op_first, NULL);
  g_assert_cmpint (retried.status, ==, 0);
  retry_done = g_strdup_printf ("queue retry %s: done\n", op_first);
  g_assert_cmpstr (retried.out, ==, retry_done);
}

/* What the writes and the syncs print when all goes well. */
static void
test_done_text (NodTestCli    *fixture,
                gconstpointer  data)
{
  g_auto (NodTestCliOutcome) approved = { 0, };
  g_auto (NodTestCliOutcome) unapproved = { 0, };
  g_auto (NodTestCliOutcome) pull = { 0, };
  g_auto (NodTestCliOutcome) sync = { 0, };

  nod_test_cli_run (fixture, &approved, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpstr (approved.out, ==, "approve gnome-apps/nod!111: done\n");
  nod_test_cli_run (fixture, &unapproved, NULL, "unapprove", "gnome-apps/nod!111", NULL);
  g_assert_cmpstr (unapproved.out, ==, "unapprove gnome-apps/nod!111: done\n");
  nod_test_cli_run (fixture, &pull, NULL, "pull", NULL);
  g_assert_true (g_regex_match_simple ("^pulled [1-9][0-9]*\n$", pull.out, 0, 0));
  nod_test_cli_run (fixture, &sync, NULL, "sync", NULL);
  g_assert_true (g_regex_match_simple ("^pulled [0-9]+\npushed 0, failed 0, remaining 0\n$",
                                       sync.out, 0, 0));
}

/* ---- standard input, read to its end within GitLab's bound ---- */

/* TRUE if a note of gnome-apps/nod!111 (project 11 in the sample) has exactly @body. */
static gboolean
server_has_note (NodTestCli *fixture,
                 const char *body)
{
  g_autoptr(NodGitlab) observer = nod_gitlab_new (fixture->base_url, NOD_TEST_CLI_TOKEN, NULL);
  guint page_number = 1;

  while (page_number != 0)
    {
      g_autoptr(NodForgePage) page = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *discussions;

      nod_forge_list_discussions_async (NOD_FORGE (observer), 11, 111, page_number, NULL,
                                        nod_test_keep_result, &result);
      page = nod_forge_list_discussions_finish (NOD_FORGE (observer),
                                                nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
      discussions = nod_forge_page_get_items (page);
      for (guint i = 0; i < discussions->len; i++)
        {
          GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

          for (guint j = 0; j < notes->len; j++)
            if (g_strcmp0 (nod_note_get_body (notes->pdata[j]), body) == 0)
              return TRUE;
        }
      page_number = nod_forge_page_get_next_page (page);
    }
  return FALSE;
}

/* @length bytes of Markdown, lines of @line_length, ending with @tail. */
static GBytes *
make_body (gsize       length,
           const char *tail)
{
  GString *body = g_string_sized_new (length);

  while (body->len + strlen (tail) < length)
    g_string_append_c (body, body->len % 72 == 71 ? '\n' : "abcdefgh"[body->len % 8]);
  g_string_append (body, tail);
  return g_string_free_to_bytes (body);
}

static void
assert_one_line (const NodTestCliOutcome *outcome)
{
  g_assert_cmpstr (outcome->out, ==, "");
  g_assert_true (g_str_has_prefix (outcome->err, "nod: "));
  g_assert_nonnull (strchr (outcome->err, '\n'));
  g_assert_cmpstr (strchr (outcome->err, '\n'), ==, "\n");
}

/* A pipe gives 64 KiB a read: a body is read to its end, or refused whole with exit 2 and
 * nothing queued when it is longer than GitLab takes or holds a NUL. */
static void
test_stdin_body (NodTestCli    *fixture,
                 gconstpointer  data)
{
  static const char * const comment[] = {
    "comment", "gnome-apps/nod!111", "--body", "-", NULL,
  };
  g_autoptr(GBytes) medium = make_body (100 * 1000, "\nthe end of a 100 KB body\n");
  g_autoptr(GBytes) huge = make_body (2 * 1000 * 1000, "\nthe end of a 2 MB body\n");
  g_autoptr(GBytes) one_over = make_body (NOD_NOTE_BODY_MAX_CHARS + 1, "\nover by one\n");
  g_autoptr(GBytes) with_nul = g_bytes_new_static ("Looks good\0 and the rest", 24);
  g_auto (NodTestCliOutcome) sent = { 0, };
  GBytes *refused[] = { huge, one_over, with_nul };

  fixture->without_debug_logs = TRUE;
  nod_test_cli_run_bytes (fixture, &sent, medium, comment);
  g_assert_cmpint (sent.status, ==, 0);
  g_assert_true (server_has_note (fixture, g_bytes_get_data (medium, NULL)));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };

      nod_test_cli_run_bytes (fixture, &outcome, refused[i], comment);
      g_assert_cmpint (outcome.status, ==, 2);
      assert_one_line (&outcome);
      g_assert_nonnull (strstr (outcome.err, i < 2 ? "too long" : "NUL"));
      /* Only the row of the comment sent before. */
      g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox"),
                       ==, 1);
    }
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 1);
}

/* The token on standard input: bounded, and never with a NUL or a second word in it. */
static void
test_stdin_token (NodTestCli    *fixture,
                  gconstpointer  data)
{
  const char * const add[] = {
    "account", "add", "--url", fixture->base_url, "--token-stdin", NULL,
  };
  g_autoptr(GBytes) long_input = make_body (64 * 1024, "\n");
  g_autoptr(GBytes) with_nul = g_bytes_new_static (NOD_TEST_CLI_TOKEN "\0junk\n",
                                                   strlen (NOD_TEST_CLI_TOKEN) + 6);
  g_autoptr(GBytes) two_words = g_bytes_new_static ("glpat-one glpat-two\n", 20);
  GBytes *refused[] = { long_input, with_nul, two_words };

  fixture->without_debug_logs = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };

      nod_test_cli_run_bytes (fixture, &outcome, refused[i], add);
      g_assert_cmpint (outcome.status, ==, 2);
      assert_one_line (&outcome);
      g_assert_null (strstr (outcome.err, "glpat-"));
    }
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET", "/user$"), ==, 0);
}

/* ---- usage errors exit 2, and say so without repeating a secret ---- */

static void
test_usage_exit_codes (NodTestCli    *fixture,
                       gconstpointer  data)
{
  static const char * const cases[][8] = {
    { "--bogus", NULL },
    { "-x", NULL },
    { "--token=glpat-xxxxxxxxxxxxxxxxxxxx", NULL },
    { "approve", "glpat-xxxxxxxxxxxxxxxxxxxx", NULL },
    { "unapprove", "glpat-xxxxxxxxxxxxxxxxxxxx", NULL },
    { "comment", "glpat-xxxxxxxxxxxxxxxxxxxx", "--body", "hello", NULL },
    { "glpat-xxxxxxxxxxxxxxxxxxxx", NULL },
    { "approve", "Zx8Yw7Vu6Ts5Rq4Po3Nm", NULL },
    { "resolve", "gnome-apps/nod!111", "--discussion", "abc", NULL },
    { "reply", "gnome-apps/nod!111", "--discussion", "42", "--body", "x", NULL },
    { "unresolve", "gnome-apps/nod!111", "--discussion", "local:", NULL },
  };
  g_autofree char *overview = nod_cli_help_text (NOD_CLI_VERB_HELP);

  fixture->without_debug_logs = TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };

      nod_test_cli_run_bytes (fixture, &outcome, NULL, cases[i]);
      g_assert_cmpint (outcome.status, ==, 2);
      assert_one_line (&outcome);
      g_assert_null (strstr (outcome.err, "xxxxxxxxxxxx"));
      g_assert_null (strstr (outcome.err, "Zx8Yw7Vu6Ts5Rq4Po3Nm"));
    }
  g_assert_cmpuint (writes (fixture), ==, 0);

  /* --help is the overview, with its verbs, as `nod help` prints it. */
  {
    static const char * const help_options[] = { "--help", "-h" };

    for (gsize i = 0; i < G_N_ELEMENTS (help_options); i++)
      {
        g_auto (NodTestCliOutcome) outcome = { 0, };

        nod_test_cli_run (fixture, &outcome, NULL, help_options[i], NULL);
        g_assert_cmpint (outcome.status, ==, 0);
        g_assert_cmpstr (outcome.out, ==, overview);
        g_assert_nonnull (strstr (outcome.out, "  approve REF"));
      }
  }
}

/* ---- a hostile server: nothing it says acts on the terminal ---- */

/* Everything a terminal acts on: CSI, OSC 52 (the clipboard), CR, BS, DEL, C1's CSI,
 * bidi overrides, isolates and marks, as JSON escapes in the fixture. */
#define HOSTILE_JSON "\\u001b[2J\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\r\\b\\u007f" \
                     "\\u009b31m\\u202eexe.txt\\u2066x\\u2069\\u061c\\u200e\\u200f\\u0085"

static char *
hostile_fixture (void)
{
  return g_strdup (
    "{ \"users\": ["
    "    { \"id\": 1, \"username\": \"sam" HOSTILE_JSON "\", \"name\": \"Sam" HOSTILE_JSON "\" },"
    "    { \"id\": 2, \"username\": \"eve" HOSTILE_JSON "\", \"name\": \"Eve" HOSTILE_JSON "\" } ],"
    "  \"projects\": [ { \"id\": 11, \"namespace\": \"gnome-apps\", \"path\": \"nod\","
    "                    \"name\": \"Nod" HOSTILE_JSON "\","
    "                    \"namespace_name\": \"GNOME" HOSTILE_JSON "\" } ],"
    "  \"merge_requests\": ["
    "    { \"project\": \"gnome-apps/nod\", \"iid\": 111, \"title\": \"Fix" HOSTILE_JSON "\","
    "      \"description\": \"Body" HOSTILE_JSON "\", \"author\": \"eve" HOSTILE_JSON "\","
    "      \"reviewers\": [ \"sam" HOSTILE_JSON "\" ], \"assignees\": [ \"sam" HOSTILE_JSON "\" ],"
    "      \"source_branch\": \"b" HOSTILE_JSON "\", \"created\": \"-2h\","
    "      \"discussions\": [ { \"notes\": [ { \"author\": \"eve" HOSTILE_JSON "\","
    "                                      \"body\": \"Note" HOSTILE_JSON "\" } ] } ] },"
    "    { \"project\": \"gnome-apps/nod\", \"iid\": 112, \"title\": \"" HOSTILE_JSON "\","
    "      \"author\": \"sam" HOSTILE_JSON "\", \"created\": \"-1h\" } ] }");
}

/* No byte below 0x20 but a newline (and a tab), no DEL, no C1 in UTF-8, no bidi control. */
static void
assert_inert_bytes (const char *what,
                    const char *bytes,
                    gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar byte = bytes[i];
      guchar next = i + 1 < length ? bytes[i + 1] : 0;
      guchar after = i + 2 < length ? bytes[i + 2] : 0;

      if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7f ||
          (byte == 0xc2 && next >= 0x80 && next <= 0x9f) ||
          (byte == 0xd8 && next == 0x9c) ||
          (byte == 0xe2 && next == 0x80 && (after == 0x8e || after == 0x8f ||
                                             (after >= 0xaa && after <= 0xae))) ||
          (byte == 0xe2 && next == 0x81 && after >= 0xa6 && after <= 0xa9))
        g_error ("%s: byte %02x at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT ": %.*s", what,
                 byte, i, length, (int) MIN (length - MIN (i, 40), 80), bytes + MIN (i, 40));
    }
}

static void
run_inert (NodTestCli         *fixture,
           NodTestCliOutcome  *outcome,
           const char * const *args)
{
  g_autofree char *line = g_strjoinv (" ", (char **) args);

  nod_test_cli_run_bytes (fixture, outcome, NULL, args);
  g_test_message ("nod %s: exit %d", line, outcome->status);
  assert_inert_bytes (line, outcome->out, outcome->out_len);
  assert_inert_bytes (line, outcome->err, outcome->err_len);
}

/* Titles, usernames, names, descriptions, notes and a refusal's words full of escape
 * sequences, through every verb that lists or reports: stdout and stderr stay inert, and
 * the JSON keeps the values. Logs (G_MESSAGES_DEBUG) are the developer's, and off here. */
static void
test_hostile_server (NodTestCli    *fixture,
                     gconstpointer  data)
{
  static const char * const listings[][5] = {
    { "pull", NULL },
    { "status", NULL },
    { "status", "--json", NULL },
    { "account", "list", NULL },
    { "mr", "list", NULL },
    { "mr", "list", "--review", NULL },
    { "mr", "list", "--json", NULL },
    { "queue", "list", NULL },
    { "queue", "list", "--json", NULL },
    { "sync", "--preview", NULL },
    { "sync", NULL },
    { "push", NULL },
  };
  static const char * const comment[] = {
    "comment", "gnome-apps/nod!111", "--body", "Refused", NULL,
  };
  g_autofree char *fixture_json = hostile_fixture ();
  g_autofree char *fixture_path = g_build_filename (g_get_user_data_dir (), "hostile.json",
                                                    NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) fault = NULL;
  g_auto (NodTestCliOutcome) refused = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) expected_parser = json_parser_new ();
  JsonArray *rows;
  const char *expected_title;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (fixture_path, fixture_json, -1, &error));
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, fixture_path, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (expected_parser, fixture_json, -1, &error));
  expected_title = json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (
                         json_node_get_object (json_parser_get_root (expected_parser)),
                         "merge_requests"), 0),
                     "title");
  fixture->without_debug_logs = TRUE;

  /* A refusal in the server's words: on stderr, then as the queue row's reason. */
  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 422, \"times\": 100, "
                                 "\"message\": \"Refused" HOSTILE_JSON "\"}");
  run_inert (fixture, &refused, comment);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "Refused\\x1b[2J\\x1b]52;c;"));
  g_assert_nonnull (strstr (refused.err, "\\u009b31m\\u202eexe.txt"));

  for (gsize i = 0; i < G_N_ELEMENTS (listings); i++)
    {
      g_auto (NodTestCliOutcome) outcome = { 0, };

      run_inert (fixture, &outcome, listings[i]);
      g_assert_cmpint (outcome.status, !=, 2);
      /* What each showed, escaped: the test sees the hostile text reach every printer. */
      /* (account list leaves out GITLAB_URL's one-off account: nothing of it to show) */
      if (g_str_equal (listings[i][0], "status") && listings[i][1] == NULL)
        g_assert_nonnull (strstr (outcome.out, "sam\\x1b[2J\\x1b]52;c;"));
      if (g_str_equal (listings[i][0], "mr") && listings[i][2] == NULL)
        g_assert_nonnull (strstr (outcome.out, "\tFix\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07"
                                               "\\x0d\\x08\\x7f\\u009b31m\\u202eexe.txt"));
      if (g_str_equal (listings[i][0], "queue") && listings[i][2] == NULL)
        g_assert_nonnull (strstr (outcome.out, "  failed   project 11 !111  GitLab refused the "
                                               "request: Refused\\x1b[2J"));
      if (g_str_equal (listings[i][0], "sync") && listings[i][1] != NULL)
        g_assert_nonnull (strstr (outcome.out, "  gnome-apps/nod!111  Fix\\x1b[2J"));
    }

  /* The JSON is still JSON, with the server's values as they were. */
  run_inert (fixture, &json, (const char * const []) { "mr", "list", "--json", NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (g_str_equal (json_object_get_string_member (row, "reference"), "gnome-apps/nod!111"))
        g_assert_cmpstr (json_object_get_string_member (row, "title"), ==, expected_title);
    }
}

/* ---- a pull killed mid-way ---- */

#define LIST_PATH "^/api/v4/merge_requests$"
/* The fake's gate for the list pages past the kill point: it holds them until the pull is
 * dead. */
#define HOLD_GATE "pages"

static JsonNode *
take_request_log (NodTestCli *fixture)
{
  JsonNode *log = nod_test_fake_control (fixture->base_url, "GET", "/__fake/requests", NULL);
  g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                       "/__fake/requests", NULL);
  return log;
}

static char *
request_key (JsonObject *request)
{
  return g_strconcat (json_object_get_string_member (request, "path"), "?",
                      json_object_get_string_member (request, "query"), NULL);
}

/* Adds every answered GET of @log but /user to @counts (path and query → how often);
 * returns how many were left unanswered. */
static guint
count_gets (JsonNode   *log,
            GHashTable *counts)
{
  JsonArray *requests = json_node_get_array (log);
  guint unanswered = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      char *key;

      /* The merge requests and their details; who the user is, each run asks once. */
      if (!g_str_equal (json_object_get_string_member (request, "method"), "GET") ||
          g_str_equal (json_object_get_string_member (request, "path"), "/api/v4/user"))
        continue;
      if (json_object_get_int_member (request, "status") == 0)
        {
          unanswered++;
          continue;
        }
      key = request_key (request);
      g_hash_table_insert (counts, key,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key))
                                             + 1));
    }
  return unanswered;
}

static gboolean
all_answered (gpointer data)
{
  NodTestCli *fixture = data;
  g_autoptr(JsonNode) log = nod_test_fake_control (fixture->base_url, "GET", "/__fake/requests",
                                                   NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return count_gets (log, counts) == 0;
}

typedef struct
{
  NodTestCli    *fixture;
  GAsyncResult **exited;
} HeldWait;

/* The first page of merge requests is done with (its details read, its cursor saved) and
 * the pull has asked for the second, which the fake holds. */
static gboolean
second_page_held (gpointer data)
{
  HeldWait *wait = data;
  g_autoptr(JsonNode) log = NULL;
  JsonArray *requests;
  guint lists = 0;
  gint64 last_status = -1;

  if (*wait->exited != NULL)
    return TRUE;

  log = nod_test_fake_control (wait->fixture->base_url, "GET", "/__fake/requests", NULL);
  requests = json_node_get_array (log);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_regex_match_simple (LIST_PATH, json_object_get_string_member (request, "path"), 0, 0))
        {
          lists++;
          last_status = json_object_get_int_member (request, "status");
        }
    }
  return lists >= 2 && last_status == 0;
}

static void
write_history_depth (NodTestCli *fixture,
                     const char *depth)
{
  g_autofree char *dir = g_build_filename (fixture->config_home, "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *text = g_strdup_printf ("[io/github/nodreview/Nod]\nhistory-depth='%s'\n",
                                           depth);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* `nod pull` is killed (SIGKILL) once its first page of merge requests is done; run again,
 * it goes on from there. Against an uninterrupted pull of the same data, every GET of the
 * killed run plus the resumed one is made exactly as often, but for the page being read
 * when it died: no finished page, and no merge request's details, is fetched again. */
static void
test_pull_killed_resumes (NodTestCli    *fixture,
                          gconstpointer  data)
{
  g_autoptr(GHashTable) uninterrupted = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                               g_free, NULL);
  g_autoptr(GHashTable) interrupted = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                             g_free, NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) exited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *killed_data_home = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *hold = NULL;
  g_autofree char *hold_out = NULL;
  g_autofree char *hold_err = NULL;
  g_auto (NodTestCliOutcome) baseline = { 0, };
  g_auto (NodTestCliOutcome) resumed = { 0, };
  const char *reviews = "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer";
  const char *argv[] = { fixture->nod_path, "pull", NULL };
  gint64 stored_at_kill, expected;
  guint pages_again = 0;
  GHashTableIter iter;
  gpointer key, value;

  /* 250 merge requests, all history: three pages of the review list. */
  nod_fake_gitlab_generate (fixture->fake, 250);
  write_history_depth (fixture, "all");
  {
    g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "POST",
                                                        "/__fake/ratelimit",
                                                        "{\"limit\": 1000000, "
                                                        "\"remaining\": 1000000}");
  }

  /* The same pull, uninterrupted, in a data directory of its own. */
  nod_test_cli_run (fixture, &baseline, NULL, "pull", NULL);
  g_assert_cmpint (baseline.status, ==, 0);
  expected = nod_test_cli_query_store (fixture, reviews);
  g_assert_cmpint (expected, ==, 250);
  {
    g_autoptr(JsonNode) log = take_request_log (fixture);

    g_assert_cmpuint (count_gets (log, uninterrupted), ==, 0);
  }

  killed_data_home = g_build_filename (g_get_user_data_dir (), "cli-killed", NULL);
  g_free (fixture->data_home);
  fixture->data_home = g_strdup (killed_data_home);

  /* The first list page goes through; every one after is held. */
  pass = g_strdup_printf ("{\"method\": \"GET\", \"path\": \"%s\", \"delay_ms\": 1, "
                          "\"times\": 1}", LIST_PATH);
  hold = g_strdup_printf ("{\"method\": \"GET\", \"path\": \"%s\", \"gate\": \"%s\", "
                          "\"times\": 100}", LIST_PATH, HOLD_GATE);
  g_clear_pointer (&baseline.out, g_free);
  {
    g_autoptr(JsonNode) a = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                   pass);
    g_autoptr(JsonNode) b = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                   hold);
  }

  launcher = nod_test_cli_new_launcher (fixture);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, "", NULL, nod_test_keep_result, &exited);
  {
    HeldWait wait = { fixture, &exited };

    nod_test_wait_until (second_page_held, &wait);
  }
  g_assert_null (exited);
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_communicate_utf8_finish (child, nod_test_wait_for_result (&exited),
                                                       &hold_out, &hold_err, &error));
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  /* One page, with every detail, was stored before it died. */
  stored_at_kill = nod_test_cli_query_store (fixture, reviews);
  g_assert_cmpint (stored_at_kill, ==, 100);

  /* The held page is answered (to nobody) before the restart. */
  {
    g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                         "/__fake/faults", NULL);
  }
  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, HOLD_GATE), ==, 1);
  {
    g_autoptr(JsonNode) log = NULL;

    nod_test_wait_until (all_answered, fixture);
    log = take_request_log (fixture);
    g_assert_cmpuint (count_gets (log, interrupted), ==, 0);
  }

  nod_test_cli_run (fixture, &resumed, NULL, "pull", NULL);
  g_assert_cmpint (resumed.status, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, reviews), ==, expected);
  g_assert_cmpint (nod_test_cli_query_store (fixture,
                                             "SELECT COUNT (*) - COUNT (DISTINCT project_id "
                                             "|| '!' || iid) FROM merge_requests"), ==, 0);
  {
    g_autoptr(JsonNode) log = take_request_log (fixture);

    g_assert_cmpuint (count_gets (log, interrupted), ==, 0);
  }

  /* Killed plus resumed: the same GETs as one pull, and the page it died on once more. */
  g_hash_table_iter_init (&iter, uninterrupted);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint got = GPOINTER_TO_UINT (g_hash_table_lookup (interrupted, key));
      guint extra = g_str_has_prefix (key, "/api/v4/merge_requests?") ? 1 : 0;

      if (got != GPOINTER_TO_UINT (value) && got != GPOINTER_TO_UINT (value) + extra)
        g_error ("%s: %u times, %u in one uninterrupted pull", (const char *) key, got,
                 GPOINTER_TO_UINT (value));
      pages_again += got - GPOINTER_TO_UINT (value);
      g_hash_table_remove (interrupted, key);
    }
  g_assert_cmpuint (g_hash_table_size (interrupted), ==, 0);
  g_assert_cmpuint (pages_again, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
  ADD ("/nod/cli/approve", test_approve);
  ADD ("/nod/cli/approve-queued", test_approve_queued);
  ADD ("/nod/cli/approve-refused", test_approve_refused);
  ADD ("/nod/cli/bad-input", test_bad_input);
  ADD ("/nod/cli/comment-stdin", test_comment_from_stdin_then_queue);
  ADD ("/nod/cli/pull-push-sync", test_pull_push_sync);
  ADD ("/nod/cli/pull-not-cut-at-write-wait", test_pull_not_cut_at_write_wait);
  ADD ("/nod/cli/sync-preview", test_sync_preview);
  ADD ("/nod/cli/status-json", test_status_json);
  ADD ("/nod/cli/reply-resolve", test_reply_and_resolve);
  ADD ("/nod/cli/queue-retry-discard", test_queue_retry_discard);
  ADD ("/nod/cli/queue-cancel-edit", test_queue_cancel_edit);
  ADD ("/nod/cli/account-add-no-keyring", test_account_add_without_keyring);
  ADD ("/nod/cli/unapprove", test_approve_then_unapprove);
  ADD ("/nod/cli/account-add-list-remove", test_account_add_list_remove);
  ADD ("/nod/cli/account-add-depth", test_account_add_depth);
  ADD ("/nod/cli/pull-killed-resumes", test_pull_killed_resumes);
  ADD ("/nod/cli/help", test_help);
  ADD ("/nod/cli/status-text", test_status_text);
  ADD ("/nod/cli/account-list", test_account_list);
  ADD ("/nod/cli/without-account", test_without_account);
  ADD ("/nod/cli/mr-list-text", test_mr_list_text);
  ADD ("/nod/cli/mr-list-pipeline", test_mr_list_pipeline);
  ADD ("/nod/cli/queue-text", test_queue_text);
  ADD ("/nod/cli/done-text", test_done_text);
  ADD ("/nod/cli/acts-for-its-account", test_acts_for_its_account);
  ADD ("/nod/cli/account-remove-with-one-off", test_account_remove_with_one_off);
  ADD ("/nod/cli/stdin-body", test_stdin_body);
  ADD ("/nod/cli/stdin-token", test_stdin_token);
  ADD ("/nod/cli/usage-exit-codes", test_usage_exit_codes);
  ADD ("/nod/cli/hostile-server", test_hostile_server);
#undef ADD

  return g_test_run ();
}
