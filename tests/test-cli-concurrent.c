/* test-cli-concurrent.c: two `nod` processes over one data directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A `nod push` from a terminal while another, from cron, is halfway through a send: the
 * second must neither take over the first one's in-flight rows nor send anything the
 * first sends. The fake holds the first POST in a gate, so the overlap is certain, not
 * a matter of luck; the second process's turn is seen in the activity log it writes.
 */

#include "config.h"

#include <string.h>

#include "nod-test-cli.h"
#include "nod-test-utils.h"

#define ROUNDS 20
#define COMMENTS_PER_ROUND 2
#define GATE "first-post"
#define REF "gnome-apps/nod!111"
#define PROJECT 11   /* gnome-apps/nod in the sample */

typedef struct
{
  NodTestCli    *fixture;
  GAsyncResult **exited;
  gint64         waits_before;
} TurnWait;

static gint64
count_waits (NodTestCli *fixture)
{
  return nod_test_cli_query_store (fixture,
                                   "SELECT COUNT (*) FROM sync_log "
                                   "WHERE event = 'sync.push.waiting'");
}

/* The second process has either finished (what it must not do while the first holds a
 * send) or said that it waits for its turn. */
static gboolean
second_waits_or_ended (gpointer data)
{
  TurnWait *wait = data;

  return *wait->exited != NULL || count_waits (wait->fixture) > wait->waits_before;
}

static GSubprocess *
spawn_nod (NodTestCli          *fixture,
           const char * const  *argv,
           GAsyncResult       **exited)
{
  g_autoptr(GSubprocessLauncher) launcher = nod_test_cli_new_launcher (fixture);
  g_autoptr(GError) error = NULL;
  GSubprocess *child;

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, "", NULL, nod_test_keep_result, exited);
  return child;
}

static GSubprocess *
spawn_push (NodTestCli     *fixture,
            GAsyncResult  **exited)
{
  const char *argv[] = { fixture->nod_path, "push", NULL };

  return spawn_nod (fixture, argv, exited);
}

static void
finish_nod (GSubprocess   *child,
             GAsyncResult **exited,
             char         **out,
             char         **err)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8_finish (child, nod_test_wait_for_result (exited),
                                                       out, err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (child) != 0)
    g_error ("nod exited %d: %s", g_subprocess_get_exit_status (child), *err);
}

static void
test_two_pushes (NodTestCli    *fixture,
                 gconstpointer  data)
{
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GSubprocess) first = NULL;
      g_autoptr(GSubprocess) second = NULL;
      g_autoptr(GAsyncResult) first_exited = NULL;
      g_autoptr(GAsyncResult) second_exited = NULL;
      g_autofree char *first_out = NULL;
      g_autofree char *first_err = NULL;
      g_autofree char *second_out = NULL;
      g_autofree char *second_err = NULL;
      g_autofree char *pushed_all = NULL;
      char *bodies[COMMENTS_PER_ROUND];
      TurnWait wait = { fixture, &second_exited, 0 };

      /* Comments that could not go yet. */
      {
        g_autoptr(JsonNode) down = nod_test_fake_control (fixture->base_url, "POST",
                                                          "/__fake/faults",
                                                          "{\"method\": \"POST\", \"path\": "
                                                          "\"/discussions$\", \"status\": 503}");
      }
      for (guint i = 0; i < COMMENTS_PER_ROUND; i++)
        {
          g_auto (NodTestCliOutcome) queued = { 0, };

          bodies[i] = g_strdup_printf ("Round %u, comment %u", round, i);
          nod_test_cli_run (fixture, &queued, NULL, "comment", REF, "--body", bodies[i], NULL);
          g_assert_cmpint (queued.status, ==, 75);
        }
      /* As if their backoff had passed: due now. */
      nod_test_cli_exec_store (fixture, "UPDATE outbox SET next_attempt_at_us = 0");
      {
        g_autoptr(JsonNode) up = nod_test_fake_control (fixture->base_url, "DELETE",
                                                        "/__fake/faults", NULL);
        g_autoptr(JsonNode) gate = nod_test_fake_control (fixture->base_url, "POST",
                                                          "/__fake/faults",
                                                          "{\"method\": \"POST\", \"path\": "
                                                          "\"/discussions$\", \"gate\": \""
                                                          GATE "\", \"times\": 1}");
      }

      /* The first push is sending; the second starts meanwhile. */
      wait.waits_before = count_waits (fixture);
      first = spawn_push (fixture, &first_exited);
      nod_test_fake_wait_held (fixture->base_url, GATE, 1);
      second = spawn_push (fixture, &second_exited);
      nod_test_wait_until (second_waits_or_ended, &wait);
      g_assert_null (first_exited);

      g_assert_cmpuint (nod_test_fake_release (fixture->base_url, GATE), ==, 1);
      finish_nod (first, &first_exited, &first_out, &first_err);
      finish_nod (second, &second_exited, &second_out, &second_err);

      /* Each comment once on GitLab; the first sent everything, the second nothing, and
       * each says so. */
      for (guint i = 0; i < COMMENTS_PER_ROUND; i++)
        {
          g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, 111, bodies[i]), ==, 1);
          g_free (bodies[i]);
        }
      pushed_all = g_strdup_printf ("pushed %u, failed 0, remaining 0\n", COMMENTS_PER_ROUND);
      g_assert_cmpstr (first_out, ==, pushed_all);
      g_assert_cmpstr (second_out, ==, "pushed 0, failed 0, remaining 0\n");
      g_assert_nonnull (strstr (second_err, "nod: another Nod is sending from this data folder; "
                                            "waiting for it to finish\n"));
      g_assert_null (strstr (first_err, "another Nod"));
      g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox "
                                                   "WHERE state <> 'done'"), ==, 0);
    }
}

/* An approval being sent, and a comment on another merge request meanwhile from a second
 * process: each goes once, and neither says "queued" for an action that went. */
static void
test_approve_beside_comment (NodTestCli    *fixture,
                             gconstpointer  data)
{
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr(GSubprocess) approve = NULL;
      g_autoptr(GSubprocess) comment = NULL;
      g_autoptr(GAsyncResult) approve_exited = NULL;
      g_autoptr(GAsyncResult) comment_exited = NULL;
      g_autofree char *approve_out = NULL;
      g_autofree char *approve_err = NULL;
      g_autofree char *comment_out = NULL;
      g_autofree char *comment_err = NULL;
      g_autofree char *body = g_strdup_printf ("Beside round %u", round);
      const char *approve_argv[] = { fixture->nod_path, round % 2 == 0 ? "approve" : "unapprove",
                                     REF, NULL };
      const char *comment_argv[] = { fixture->nod_path, "comment", "gnome-apps/nod!110",
                                     "--body", body, NULL };
      TurnWait wait = { fixture, &comment_exited, 0 };

      {
        g_autoptr(JsonNode) gate = nod_test_fake_control (fixture->base_url, "POST",
                                                          "/__fake/faults",
                                                          "{\"method\": \"POST\", \"path\": "
                                                          "\"/(un)?approve$\", \"gate\": \""
                                                          GATE "\", \"times\": 1}");
      }
      approve = spawn_nod (fixture, approve_argv, &approve_exited);
      nod_test_fake_wait_held (fixture->base_url, GATE, 1);
      wait.waits_before = count_waits (fixture);
      comment = spawn_nod (fixture, comment_argv, &comment_exited);
      nod_test_wait_until (second_waits_or_ended, &wait);
      g_assert_cmpuint (nod_test_fake_release (fixture->base_url, GATE), ==, 1);

      finish_nod (approve, &approve_exited, &approve_out, &approve_err);
      finish_nod (comment, &comment_exited, &comment_out, &comment_err);
      g_assert_true (g_str_has_suffix (approve_out, ": done\n"));
      g_assert_true (g_str_has_suffix (comment_out, ": done\n"));
      g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                      "/merge_requests/111/(un)?approve$"),
                        ==, round + 1);
      g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                      "/merge_requests/110/discussions$"),
                        ==, round + 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

  NOD_TEST_CLI_ADD ("/nod/cli/concurrent/two-pushes", test_two_pushes);
  NOD_TEST_CLI_ADD ("/nod/cli/concurrent/approve-beside-comment", test_approve_beside_comment);

  return g_test_run ();
}
