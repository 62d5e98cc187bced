/* bench-approval-latency.c: from an approval made durable to its POST at the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `bench-approval-latency [N]`: the engine (a store and an outbox on a data folder of its
 * own) and the fake GitLab on a thread of its own, as a real server is another machine.
 * Once warm (one request and one approval done, so the connection is open as in a running
 * app), N approvals of different merge requests, one at a time: each is timed from the
 * moment nod_sync_engine_enqueue_async ()'s callback runs (the action is durable) to the
 * moment the fake receives its POST, both on the monotonic clock.
 *
 * The floor, measured in the same run with as many samples, interleaved: one INSERT
 * committed by SQLite in WAL mode with synchronous=FULL on the same file system, plus one
 * POST round trip on an already-open keep-alive connection to the same fake. No approval
 * can be durable and at the server in less.
 *
 * NOD_BENCH_LATENCY_MS sets the fake's latency per request (for both). It never fails on
 * a time: the figures are printed as TAP comments and `# result` lines (bench/README.md).
 */

#include "config.h"

#include <libsoup/soup.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nod-bench-result.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-sync-engine.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-bench-approval"
#define ACCOUNT 1
#define DEFAULT_SAMPLES 200

/* What the server thread tells the benchmark. */
typedef struct
{
  GMutex        lock;
  GCond         ready;
  char         *base_url;         /* set once it listens */
  guint         latency_ms;
  guint         n_generated;
  GMainContext *context;          /* the server thread's */
  GMainLoop    *loop;
  GMainContext *bench_context;    /* woken as each approval arrives */
  gint          approvals_seen;   /* POST …/approve, atomic */
  gint64        last_approval_us; /* when the last one arrived; under @lock */
} Server;

static void
on_arrival (const char *method,
            const char *path,
            gpointer    user_data)
{
  Server *server = user_data;
  gint64 now = g_get_monotonic_time ();

  if (strcmp (method, "POST") != 0 || !g_str_has_suffix (path, "/approve"))
    return;

  g_mutex_lock (&server->lock);
  server->last_approval_us = now;
  g_mutex_unlock (&server->lock);
  g_atomic_int_inc (&server->approvals_seen);
  g_main_context_wakeup (server->bench_context);
}

static gpointer
serve (gpointer data)
{
  Server *server = data;
  g_autoptr(NodFakeGitlab) fake = nod_fake_gitlab_new (TOKEN);
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (server->context);
  nod_fake_gitlab_generate (fake, server->n_generated);
  nod_fake_gitlab_set_latency (fake, server->latency_ms);
  nod_fake_gitlab_set_arrival_func (fake, on_arrival, server);
  if (!nod_fake_gitlab_listen (fake, 0, &error))
    g_error ("The fake GitLab could not listen: %s", error->message);

  g_mutex_lock (&server->lock);
  server->base_url = nod_fake_gitlab_dup_base_url (fake);
  g_cond_signal (&server->ready);
  g_mutex_unlock (&server->lock);

  g_main_loop_run (server->loop);
  g_clear_object (&fake);
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* ---- waiting, with a deadline ---- */

static void
iterate_until_arrivals (Server *server,
                        gint    at_least)
{
  gint64 deadline = g_get_monotonic_time () + NOD_TEST_DEADLINE_US;

  while (g_atomic_int_get (&server->approvals_seen) < at_least)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("No approval reached the fake in time");
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (data);
}

/* Until the engine runs nothing and the store has done what was queued before now. */
static void
settle (NodSyncEngine *engine,
        NodOutbox     *outbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts;

  nod_test_wait_until (engine_idle, engine);
  nod_outbox_count_async (outbox, ACCOUNT, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_count_finish (outbox, nod_test_wait_for_result (&result), &counts,
                                          &error));
  g_assert_no_error (error);
}

/* ---- one approval ---- */

typedef struct
{
  gint64        durable_us;
  GAsyncResult *result;
} Enqueued;

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Enqueued *enqueued = user_data;

  enqueued->durable_us = g_get_monotonic_time ();
  enqueued->result = g_object_ref (result);
}

/* Returns µs from durable to received. */
static gint64
approve_once (NodSyncEngine   *engine,
              NodOutbox       *outbox,
              Server          *server,
              NodMergeRequest *mr)
{
  g_autoptr(NodOutboxAction) draft =
    nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                   nod_merge_request_get_iid (mr),
                                   nod_merge_request_get_sha (mr));
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GError) error = NULL;
  Enqueued enqueued = { 0, };
  gint seen = g_atomic_int_get (&server->approvals_seen);
  gint64 arrived_us;

  nod_sync_engine_enqueue_async (engine, draft, NULL, on_enqueued, &enqueued);
  iterate_until_arrivals (server, seen + 1);
  g_mutex_lock (&server->lock);
  arrived_us = server->last_approval_us;
  g_mutex_unlock (&server->lock);

  nod_test_wait_for_result (&enqueued.result);
  stored = nod_sync_engine_enqueue_finish (engine, enqueued.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_clear_object (&enqueued.result);

  settle (engine, outbox);
  return arrived_us - enqueued.durable_us;
}

/* ---- the floor ---- */

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *insert;
  SoupSession  *session;
  char         *post_url;
} Floor;

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static void
floor_round_trip (Floor *floor)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", floor->post_url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  /* Sent on the open connection: libsoup opens a new one for a POST unless told it may
   * be sent again safely (an approval is a target state). */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_headers_append (soup_message_get_request_headers (msg), "PRIVATE-TOKEN", TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json",
                                            g_bytes_new_static ("{}", 2));
  body = soup_session_send_and_read (floor->session, msg, NULL, &error);
  if (body == NULL)
    g_error ("The floor's POST failed: %s", error->message);
}

/* One durable INSERT, then one POST on the open connection. */
static gint64
floor_once (Floor *floor,
            guint  index)
{
  gint64 started = g_get_monotonic_time ();

  sqlite3_reset (floor->insert);
  sqlite3_bind_int64 (floor->insert, 1, index);
  sqlite3_bind_int64 (floor->insert, 2, started);
  if (sqlite3_step (floor->insert) != SQLITE_DONE)
    g_error ("The floor's INSERT failed: %s", sqlite3_errmsg (floor->db));
  floor_round_trip (floor);
  return g_get_monotonic_time () - started;
}

static void
floor_open (Floor      *floor,
            const char *dir,
            const char *base_url,
            gint64      project_id,
            gint64      iid)
{
  g_autofree char *path = g_build_filename (dir, "floor.db", NULL);

  if (sqlite3_open (path, &floor->db) != SQLITE_OK)
    g_error ("Could not open %s", path);
  exec_or_die (floor->db, "PRAGMA journal_mode = WAL");
  exec_or_die (floor->db, "PRAGMA synchronous = FULL");
  exec_or_die (floor->db, "CREATE TABLE intents (id INTEGER PRIMARY KEY, sample INTEGER, "
                          "payload TEXT, at_us INTEGER)");
  if (sqlite3_prepare_v2 (floor->db,
                          "INSERT INTO intents (sample, payload, at_us) VALUES (?, "
                          "'{\"sha\":\"0123456789abcdef0123456789abcdef01234567\"}', ?)",
                          -1, &floor->insert, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (floor->db));

  /* An approval already given: GitLab answers it at once, and nothing changes. */
  floor->post_url = g_strdup_printf ("%s/api/v4/projects/%" G_GINT64_FORMAT
                                     "/merge_requests/%" G_GINT64_FORMAT "/approve",
                                     base_url, project_id, iid);
  floor->session = soup_session_new ();
  floor_round_trip (floor);  /* the connection opened, as the approvals' is */
}

static void
floor_close (Floor *floor)
{
  sqlite3_finalize (floor->insert);
  sqlite3_close (floor->db);
  g_clear_object (&floor->session);
  g_free (floor->post_url);
}

/* ---- figures ---- */

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least @fraction of them at or below it. */
static double
percentile_ms (GArray *sorted,
               double  fraction)
{
  guint rank = (guint) (fraction * sorted->len + 0.999999);

  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, gint64, rank - 1) / 1000.0;
}

static GPtrArray *
list_approvable (NodForge *observer,
                 guint     wanted)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint page_number = 1; page_number != 0 && found->len < wanted;)
    {
      g_autoptr(NodForgePage) page =
        nod_test_server_merge_requests (observer, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                        NULL, page_number);
      GPtrArray *items = nod_forge_page_get_items (page);

      for (guint i = 0; i < items->len && found->len < wanted; i++)
        {
          NodMergeRequest *mr = items->pdata[i];

          if (nod_merge_request_get_state (mr) == NOD_MERGE_REQUEST_OPENED &&
              !nod_merge_request_get_draft (mr))
            g_ptr_array_add (found, g_object_ref (mr));
        }
      page_number = nod_forge_page_get_next_page (page);
    }

  if (found->len < wanted)
    g_error ("Only %u approvable merge requests, %u wanted", found->len, wanted);
  return found;
}

int
main (int   argc,
      char *argv[])
{
  guint n_samples = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : DEFAULT_SAMPLES;
  const char *latency_env = g_getenv ("NOD_BENCH_LATENCY_MS");
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodOutbox) outbox = NULL;
  g_autoptr(NodGitlab) gitlab = NULL;
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(NodSyncEngine) engine = NULL;
  g_autoptr(GPtrArray) mrs = NULL;
  g_autoptr(GArray) nod_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) floor_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GAsyncResult) user_result = NULL;
  g_autoptr(NodUser) user = NULL;
  Server server = { 0, };
  Floor floor = { 0, };
  GThread *thread;
  double nod_p50, nod_p99, nod_max, floor_p50, floor_p99;
  gint64 done;

  if (n_samples == 0)
    n_samples = DEFAULT_SAMPLES;

  dir = g_dir_make_tmp ("nod-bench-approval-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);

  /* The server, on its thread. About 65 % of generated merge requests are open. */
  g_mutex_init (&server.lock);
  g_cond_init (&server.ready);
  server.latency_ms = latency_env != NULL ? (guint) g_ascii_strtoull (latency_env, NULL, 10)
                                          : 0;
  server.n_generated = n_samples * 2 + 40;
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  server.bench_context = g_main_context_default ();
  thread = g_thread_new ("nod-bench-gitlab", serve, &server);
  g_mutex_lock (&server.lock);
  while (server.base_url == NULL)
    g_cond_wait (&server.ready, &server.lock);
  g_mutex_unlock (&server.lock);

  db_path = g_build_filename (dir, "nod.db", NULL);
  store = nod_test_open_store_with_account (db_path, ACCOUNT);
  outbox = nod_outbox_new (store);
  gitlab = nod_gitlab_new (server.base_url, TOKEN, &error);
  g_assert_no_error (error);
  observer = nod_gitlab_new (server.base_url, TOKEN, &error);
  g_assert_no_error (error);
  engine = nod_sync_engine_new (store, outbox);
  nod_sync_engine_set_interval (engine, 3600);  /* nothing but the flushes */
  nod_sync_engine_add_account (engine, ACCOUNT, NOD_FORGE (gitlab));

  mrs = list_approvable (NOD_FORGE (observer), n_samples + 1);

  /* Warm: the engine's connection open (one request), one approval made. */
  nod_forge_get_current_user_async (NOD_FORGE (gitlab), NULL, nod_test_keep_result,
                                    &user_result);
  user = nod_forge_get_current_user_finish (NOD_FORGE (gitlab),
                                            nod_test_wait_for_result (&user_result), &error);
  g_assert_no_error (error);
  approve_once (engine, outbox, &server, mrs->pdata[0]);
  floor_open (&floor, dir, server.base_url,
              nod_merge_request_get_project_id (mrs->pdata[0]),
              nod_merge_request_get_iid (mrs->pdata[0]));

  /* Interleaved, so that whatever the machine does meanwhile falls on both alike. */
  for (guint i = 0; i < n_samples; i++)
    {
      gint64 approval = approve_once (engine, outbox, &server, mrs->pdata[i + 1]);
      gint64 lower = floor_once (&floor, i);

      g_array_append_val (nod_us, approval);
      g_array_append_val (floor_us, lower);
    }

  done = nod_test_query_int (store, "SELECT COUNT (*) FROM outbox WHERE state = 'done'");
  g_assert_cmpint (done, ==, n_samples + 1);

  g_array_sort (nod_us, compare_int64);
  g_array_sort (floor_us, compare_int64);
  nod_p50 = percentile_ms (nod_us, 0.50);
  nod_p99 = percentile_ms (nod_us, 0.99);
  nod_max = percentile_ms (nod_us, 1.0);
  floor_p50 = percentile_ms (floor_us, 0.50);
  floor_p99 = percentile_ms (floor_us, 0.99);

  printf ("# %u approvals of different merge requests, the fake's latency %u ms\n",
           n_samples, server.latency_ms);
  printf ("# approval, durable → POST received: p50 %.3f ms, p99 %.3f ms, max %.3f ms, "
           "min %.3f ms\n", nod_p50, nod_p99, nod_max, percentile_ms (nod_us, 0.0));
  printf ("# floor, fsync'ed WAL commit + kept-alive POST round trip: p50 %.3f ms, "
           "p99 %.3f ms, max %.3f ms\n", floor_p50, floor_p99, percentile_ms (floor_us, 1.0));
  printf ("# p50 is %.2f × the floor's\n", nod_p50 / floor_p50);
  nod_bench_print_result (&(NodBenchResult) {
    .name = "approval-p50", .label = "approval: enqueue returns → fake receives, p50",
    .unit = "ms", .nod = nod_p50, .comparison = floor_p50,
    .comparison_label = "floor (fsync'ed WAL commit + kept-alive loopback round trip)",
    .goal = "nod <= 1.5 × comparison", .ratio_goal = 1.5, .at_most_times = TRUE,
  });
  nod_bench_print_result (&(NodBenchResult) {
    .name = "approval-p99", .label = "approval: enqueue returns → fake receives, p99",
    .unit = "ms", .nod = nod_p99, .goal = "< 5 ms", .bound = 5,
  });
  printf ("1..1\nok 1 approval latency measured\n");
  fflush (stdout);

  floor_close (&floor);
  g_clear_object (&engine);
  g_clear_object (&gitlab);
  g_clear_object (&observer);
  g_clear_object (&outbox);
  g_clear_object (&store);
  g_main_context_invoke (server.context, quit_loop, server.loop);
  g_thread_join (thread);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  g_free (server.base_url);
  nod_test_remove_tree (dir);
  return 0;
}
