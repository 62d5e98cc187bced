/* test-cli-offline.c: the command line with GitLab out of reach
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What README and `nod --help` promise: offline, or with a token GitLab no longer takes,
 * every write verb queues its change and exits 75 saying why; once GitLab is back, one
 * `nod push` sends each exactly once. Reading (`queue list`, `status`, `mr list`) works
 * from what is kept. "Offline" here is the fake GitLab gone from its port, so a
 * connection is refused as it would be with the network down.
 */

#include "config.h"

#include <string.h>

#include "nod-test-cli.h"
#include "nod-test-utils.h"

#define PROJECT 11   /* gnome-apps/nod in the sample */

/* The fake leaves its port: nothing answers there until restart_fake(). */
static guint
stop_fake (NodTestCli *fixture)
{
  guint port = nod_fake_gitlab_get_port (fixture->fake);

  g_clear_object (&fixture->fake);
  return port;
}

/* GitLab back, with the sample as it was when it went. */
static void
restart_fake (NodTestCli *fixture,
              guint       port)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = nod_fake_gitlab_new (NOD_TEST_CLI_TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, port, &error));
  g_assert_no_error (error);
}

/* A resolvable thread of !@iid that is (or is not) resolved. */
static char *
find_thread (NodTestCli *fixture,
             gint64      iid,
             gboolean    resolved)
{
  g_autoptr(GPtrArray) discussions = nod_test_cli_list_discussions (fixture, PROJECT, iid);

  for (guint i = 0; i < discussions->len; i++)
    if (nod_discussion_get_resolvable (discussions->pdata[i]) &&
        nod_discussion_get_resolved (discussions->pdata[i]) == resolved)
      return g_strdup (nod_discussion_get_id (discussions->pdata[i]));
  return NULL;
}

static NodDiscussion *
find_discussion (NodTestCli *fixture,
                 gint64      iid,
                 const char *id)
{
  g_autoptr(GPtrArray) discussions = nod_test_cli_list_discussions (fixture, PROJECT, iid);

  for (guint i = 0; i < discussions->len; i++)
    if (g_str_equal (nod_discussion_get_id (discussions->pdata[i]), id))
      return g_object_ref (discussions->pdata[i]);
  g_error ("No thread %s on !%" G_GINT64_FORMAT, id, iid);
}

/* Requests GitLab took (2xx): one refused for a bad token changed nothing. */
static guint
count_taken (NodTestCli *fixture,
             const char *path_pattern)
{
  g_autoptr(JsonNode) log = nod_test_fake_control (fixture->base_url, "GET", "/__fake/requests",
                                                   NULL);
  JsonArray *requests = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      gint64 status = json_object_get_int_member (request, "status");

      if (g_str_equal (json_object_get_string_member (request, "method"), "POST") &&
          status >= 200 && status < 300 &&
          g_regex_match_simple (path_pattern, json_object_get_string_member (request, "path"),
                                0, 0))
        count++;
    }
  return count;
}

typedef struct
{
  const char *verb;
  const char *ref;
  const char *discussion;  /* NULL: none */
  const char *body;        /* NULL: none */
} Write;

static void
run_write (NodTestCli        *fixture,
           const Write       *write,
           NodTestCliOutcome *outcome)
{
  const char *args[8] = { write->verb, write->ref, NULL, };
  guint n = 2;

  if (write->discussion != NULL)
    {
      args[n++] = "--discussion";
      args[n++] = write->discussion;
    }
  if (write->body != NULL)
    {
      args[n++] = "--body";
      args[n++] = write->body;
    }
  args[n] = NULL;
  nod_test_cli_run_bytes (fixture, outcome, NULL, args);
}

/* Every write verb queues with GitLab gone, and goes once when it is back. */
static void
check_queued_then_pushed (NodTestCli *fixture,
                          const char *why)
{
  g_autofree char *open_thread = find_thread (fixture, 111, FALSE);
  g_autofree char *resolved_thread = NULL;
  g_autofree char *reply_body = g_strdup ("Replied while away");
  gint64 resolved_iid = 0;
  g_auto (NodTestCliOutcome) approved_before = { 0, };
  g_auto (NodTestCliOutcome) pulled = { 0, };
  g_auto (NodTestCliOutcome) pushed = { 0, };
  const char *revoked;
  guint port = 0;

  /* Open merge requests only: a pull fails what waits on a merged one. */
  static const gint64 open_iids[] = { 101, 102, 103, 104, 107, 108, 109 };

  for (gsize i = 0; i < G_N_ELEMENTS (open_iids) && resolved_thread == NULL; i++)
    if ((resolved_thread = find_thread (fixture, open_iids[i], TRUE)) != NULL)
      resolved_iid = open_iids[i];
  g_assert_nonnull (open_thread);
  g_assert_nonnull (resolved_thread);

  /* Something to unapprove, and every merge request in the cache, while all is well. */
  revoked = fixture->one_off_token;
  fixture->one_off_token = NULL;
  nod_test_cli_run (fixture, &approved_before, NULL, "approve", "gnome-apps/nod!109", NULL);
  if (approved_before.status != 0)
    g_error ("approve: exit %d, %s", approved_before.status, approved_before.err);
  nod_test_cli_run (fixture, &pulled, NULL, "pull", NULL);
  g_assert_cmpint (pulled.status, ==, 0);
  fixture->one_off_token = revoked;

  {
    g_autofree char *resolved_ref = g_strdup_printf ("gnome-apps/nod!%" G_GINT64_FORMAT,
                                                     resolved_iid);
    const Write writes[] = {
      { "approve", "gnome-apps/nod!111", NULL, NULL },
      { "unapprove", "gnome-apps/nod!109", NULL, NULL },
      { "comment", "gnome-apps/nod!111", NULL, "Written on a train" },
      { "reply", "gnome-apps/nod!111", open_thread, reply_body },
      { "resolve", "gnome-apps/nod!111", open_thread, NULL },
      { "unresolve", resolved_ref, resolved_thread, NULL },
    };

    if (why == NULL)
      port = stop_fake (fixture);
    for (gsize i = 0; i < G_N_ELEMENTS (writes); i++)
      {
        g_auto (NodTestCliOutcome) queued = { 0, };
        g_autofree char *sql = NULL;

        run_write (fixture, &writes[i], &queued);
        if (queued.status != 75)
          g_error ("%s: exit %d, %s", writes[i].verb, queued.status, queued.err);
        g_assert_nonnull (strstr (queued.err, "is queued and will be sent later"));
        if (why != NULL)
          g_assert_nonnull (strstr (queued.err, why));
        sql = g_strdup_printf ("SELECT COUNT (*) FROM outbox WHERE kind = '%s' "
                               "AND state = 'pending'", writes[i].verb);
        g_assert_cmpint (nod_test_cli_query_store (fixture, sql), ==, 1);
      }

    /* Read from what is kept. */
    {
      g_auto (NodTestCliOutcome) listed = { 0, };
      g_auto (NodTestCliOutcome) status = { 0, };
      g_auto (NodTestCliOutcome) mrs = { 0, };

      nod_test_cli_run (fixture, &listed, NULL, "queue", "list", NULL);
      g_assert_cmpint (listed.status, ==, 0);
      g_assert_nonnull (strstr (listed.out, "comment"));
      nod_test_cli_run (fixture, &status, NULL, "status", "--json", NULL);
      g_assert_cmpint (status.status, ==, 0);
      g_assert_nonnull (strstr (status.out, "\"pending\" : 6"));
      nod_test_cli_run (fixture, &mrs, NULL, "mr", "list", NULL);
      g_assert_cmpint (mrs.status, ==, 0);
      g_assert_nonnull (strstr (mrs.out, "gnome-apps/nod!111"));
    }

    /* GitLab back (and the token good again): one push sends each once. */
    if (why == NULL)
      restart_fake (fixture, port);
    fixture->one_off_token = NULL;
    nod_test_cli_exec_store (fixture, "UPDATE outbox SET next_attempt_at_us = 0");
    nod_test_cli_run (fixture, &pushed, NULL, "push", NULL);
    g_assert_cmpint (pushed.status, ==, 0);
    g_assert_cmpstr (pushed.out, ==, "pushed 6, failed 0, remaining 0\n");
  }

  g_assert_cmpuint (count_taken (fixture, "/merge_requests/111/approve$"), ==, 1);
  /* The fake came back as the sample is, not approved by anyone: the unapproval, sent once
   * before in vain, is read as done (a target state) and not sent again. With the fake up
   * all along, it goes once. */
  g_assert_cmpuint (count_taken (fixture, "/merge_requests/109/unapprove$"),
                    ==, why == NULL ? 0 : 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, 111, "Written on a train"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, 111, reply_body), ==, 1);
  {
    g_autoptr(NodDiscussion) resolved = find_discussion (fixture, 111, open_thread);
    g_autoptr(NodDiscussion) reopened = find_discussion (fixture, resolved_iid,
                                                         resolved_thread);

    g_assert_true (nod_discussion_get_resolved (resolved));
    g_assert_false (nod_discussion_get_resolved (reopened));
  }
}

static void
test_offline (NodTestCli    *fixture,
              gconstpointer  data)
{
  check_queued_then_pushed (fixture, NULL);
}

/* A token GitLab no longer takes: queued, and the reason says to sign in again. */
static void
test_revoked_token (NodTestCli    *fixture,
                    gconstpointer  data)
{
  /* Good for the first runs, refused from then on. */
  fixture->one_off_token = "glpat-revoked-0000000000";
  check_queued_then_pushed (fixture, "sign in again");
}

/* The one-off account holds its outbox, but it is not an account anyone added. (Added
 * with `account add`, the row becomes a kept one: test-accounts.) */
static void
test_one_off_not_listed (NodTestCli    *fixture,
                         gconstpointer  data)
{
  g_auto (NodTestCliOutcome) used = { 0, };
  g_auto (NodTestCliOutcome) listed = { 0, };

  nod_test_cli_run (fixture, &used, NULL, "status", NULL);
  g_assert_cmpint (used.status, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM accounts"), ==, 1);
  nod_test_cli_run (fixture, &listed, NULL, "account", "list", NULL);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_cmpstr (listed.out, ==, "No accounts yet.\n");
}

/* Offline and never pulled: nothing can be queued, and it says so. */
static void
test_offline_nothing_known (NodTestCli    *fixture,
                            gconstpointer  data)
{
  g_auto (NodTestCliOutcome) status = { 0, };
  g_auto (NodTestCliOutcome) approved = { 0, };
  guint port;

  nod_test_cli_run (fixture, &status, NULL, "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  port = stop_fake (fixture);
  nod_test_cli_run (fixture, &approved, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (approved.status, ==, 1);
  g_assert_nonnull (strstr (approved.err, "has not been pulled yet"));
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox"), ==, 0);
  restart_fake (fixture, port);
}

/* Whatever stops a pull, `nod pull` says so and does not exit 0: waiting (75, with until
 * when) for a rate limit or an unreachable GitLab, failed (1) for the rest. */
static void
test_pull_failures (NodTestCli    *fixture,
                    gconstpointer  data)
{
  static const struct
  {
    const char *fault;
    int         status;
    const char *says;
  } cases[] = {
    { "\"status\": 500", 1, "nod: the pull failed: " },
    { "\"status\": 401", 1, "nod: the pull failed: " },
    { "\"status\": 403", 1, "nod: the pull failed: " },
    { "\"malformed\": true", 1, "nod: the pull failed: " },
    { "\"drop\": true", 75, "nod: the pull stopped and will go on later: " },
    /* Last: a block is kept for the next run. */
    { "\"status\": 429, \"retry_after\": 600", 75, "(until " },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (NodTestCliOutcome) pulled = { 0, };
      g_autofree char *fault = g_strdup_printf ("{\"method\": \"GET\", \"path\": "
                                                "\"^/api/v4/merge_requests$\", \"times\": 100, "
                                                "%s}", cases[i].fault);

      {
        g_autoptr(JsonNode) armed = nod_test_fake_control (fixture->base_url, "POST",
                                                           "/__fake/faults", fault);
      }
      nod_test_cli_run (fixture, &pulled, NULL, "pull", NULL);
      if (pulled.status != cases[i].status || strstr (pulled.err, cases[i].says) == NULL)
        g_error ("%s: exit %d, %s", cases[i].fault, pulled.status, pulled.err);
      {
        g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                             "/__fake/faults", NULL);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
  ADD ("/nod/cli/offline/queued-then-pushed", test_offline);
  ADD ("/nod/cli/offline/revoked-token", test_revoked_token);
  ADD ("/nod/cli/offline/one-off-not-listed", test_one_off_not_listed);
  ADD ("/nod/cli/offline/nothing-known", test_offline_nothing_known);
  ADD ("/nod/cli/offline/pull-failures", test_pull_failures);
#undef ADD

  return g_test_run ();
}
