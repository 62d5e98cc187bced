/* test-sync-engine.c: the engine against the fake GitLab, with a real outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No sleeps: every wait is on a condition (the fake's state, the engine going idle)
 * with a deadline.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-diff-cache.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-sync-engine.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-engine-test"
#define ACCOUNT 1

typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  NodStore      *store;
  NodOutbox     *outbox;
  NodGitlab     *gitlab;    /* the engine's */
  NodGitlab     *observer;  /* the test's own look at the server */
  NodSyncEngine *engine;
  NodClock      *clock;     /* the engine's, unless a test sets its own: still, so no
                             * backoff ends while a test looks at what a push left */
  guint          jobs_finished;
  GPtrArray     *failures;  /* reasons, from ::action-failed */
  GPtrArray     *closed;    /* from ::merge-request-closed */
} Fixture;

static void
on_merge_request_closed (NodSyncEngine   *engine,
                         NodMergeRequest *merge_request,
                         gpointer         user_data)
{
  g_ptr_array_add (((Fixture *) user_data)->closed, g_object_ref (merge_request));
}

static void
on_job_finished (NodSyncEngine *engine,
                 gpointer       user_data)
{
  ((Fixture *) user_data)->jobs_finished++;
}

static void
on_action_failed (NodSyncEngine   *engine,
                  NodOutboxAction *action,
                  const char      *reason,
                  gpointer         user_data)
{
  g_ptr_array_add (((Fixture *) user_data)->failures, g_strdup (reason));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = nod_store_get_default_path ();

  fixture->fake = nod_test_fake_start (TOKEN, &fixture->base_url);
  fixture->store = nod_test_open_store_with_account (path, ACCOUNT);
  fixture->outbox = nod_outbox_new (fixture->store);
  fixture->gitlab = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);

  fixture->engine = nod_sync_engine_new (fixture->store, fixture->outbox);
  fixture->clock = nod_clock_new_manual (g_get_real_time ());
  nod_sync_engine_set_clock (fixture->engine, fixture->clock);
  /* The cycle is far away: whatever reaches the server is the flush's doing. */
  nod_sync_engine_set_interval (fixture->engine, 3600);
  nod_sync_engine_add_account (fixture->engine, ACCOUNT, NOD_FORGE (fixture->gitlab));
  g_signal_connect (fixture->engine, "job-finished", G_CALLBACK (on_job_finished), fixture);
  g_signal_connect (fixture->engine, "action-failed", G_CALLBACK (on_action_failed), fixture);
  fixture->failures = g_ptr_array_new_with_free_func (g_free);
  fixture->closed = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->engine, "merge-request-closed",
                    G_CALLBACK (on_merge_request_closed), fixture);
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (((Fixture *) data)->engine);
}

static guint
pull_progress (gpointer data)
{
  NodSyncStatus *status = nod_sync_engine_get_status (((Fixture *) data)->engine);

  /* The merge requests, then the texts of their changes. */
  return nod_sync_status_get_progress_current (status) +
         nod_sync_status_get_texts_current (status);
}

/* Until the engine has nothing running, as long as its pull moves. */
static void
wait_until_idle (Fixture *fixture)
{
  nod_test_wait_while_moving (engine_idle, pull_progress, fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  wait_until_idle (fixture);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->engine));
  g_clear_object (&fixture->clock);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  g_clear_object (&fixture->outbox);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
  g_clear_pointer (&fixture->failures, g_ptr_array_unref);
  g_clear_pointer (&fixture->closed, g_ptr_array_unref);
}

/* ---- the fake's control API ---- */

static JsonNode *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json_body)
{
  return nod_test_fake_control (fixture->base_url, method, path, json_body);
}

static void
add_fault (Fixture    *fixture,
           const char *json)
{
  g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/faults", json);
}

/* API requests the fake saw with @method on a path matching @pattern. */
static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

static guint
count_writes (Fixture *fixture)
{
  return count_requests (fixture, "POST", ".") + count_requests (fixture, "PUT", ".");
}

/* ---- the server as the observer sees it ---- */

/* A page of the list, newest change first. */
static NodForgePage *
server_merge_requests_page (Fixture              *fixture,
                            NodMergeRequestScope  scope,
                            guint                 number)
{
  return nod_test_server_merge_requests (NOD_FORGE (fixture->observer), scope, NULL, number);
}

static NodForgePage *
server_merge_requests (Fixture              *fixture,
                       NodMergeRequestScope  scope)
{
  return server_merge_requests_page (fixture, scope, 1);
}

/* Open merge requests awaiting the reviewer's approval, through the observer. */
static GPtrArray *
approvable (Fixture *fixture)
{
  return nod_test_server_approvable (NOD_FORGE (fixture->observer), 2);
}

static gboolean
server_has_approved (Fixture         *fixture,
                     NodMergeRequest *mr)
{
  return nod_test_server_has_approved (NOD_FORGE (fixture->observer), mr);
}

/* ---- the engine ---- */

typedef struct
{
  Fixture      *fixture;
  GAsyncResult *result;
  gboolean      count_writes;
  guint         writes;   /* what the server had seen when the caller heard */
} EnqueueHeard;

/* The writes are counted in the callback itself: once it returns, the engine may send at
 * once (an approval's flush starts from its enqueue). */
static void
on_enqueue_heard (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EnqueueHeard *heard = user_data;

  heard->result = g_object_ref (result);
  if (heard->count_writes)
    heard->writes = count_writes (heard->fixture);
}

static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft_in,
         guint           *out_writes_at_return)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(GError) error = NULL;
  EnqueueHeard heard = { fixture, NULL, out_writes_at_return != NULL, G_MAXUINT };
  NodOutboxAction *stored;

  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, on_enqueue_heard, &heard);
  stored = nod_sync_engine_enqueue_finish (fixture->engine,
                                           nod_test_wait_for_result (&heard.result), &error);
  g_clear_object (&heard.result);
  g_assert_no_error (error);

  if (out_writes_at_return != NULL)
    *out_writes_at_return = heard.writes;
  return stored;
}

static NodOutboxAction *
approve (Fixture         *fixture,
         NodMergeRequest *mr)
{
  return enqueue (fixture,
                  nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                 nod_merge_request_get_iid (mr),
                                                 nod_merge_request_get_sha (mr)),
                  NULL);
}

typedef struct
{
  Fixture *fixture;
  guint    jobs;
} JobsWait;

static gboolean
jobs_done (gpointer data)
{
  JobsWait *wait = data;

  return wait->fixture->jobs_finished >= wait->jobs && engine_idle (wait->fixture);
}

/* Waits until @jobs more push jobs have finished and nothing runs. */
static void
wait_for_jobs (Fixture *fixture,
               guint    jobs)
{
  JobsWait wait = { fixture, fixture->jobs_finished + jobs };

  nod_test_wait_until (jobs_done, &wait);
}

typedef struct
{
  NodSyncStatus *status;
  guint          pending;
} PendingWait;

static gboolean
pending_reached (gpointer data)
{
  PendingWait *wait = data;

  return nod_sync_status_get_pending_count (wait->status) == wait->pending;
}

/* The status counts the outbox right after an enqueue returns; wait for it. */
static void
wait_for_pending (Fixture *fixture,
                  guint    pending)
{
  PendingWait wait = { nod_sync_engine_get_status (fixture->engine), pending };

  nod_test_wait_until (pending_reached, &wait);
}

static char *
row_state (Fixture         *fixture,
           NodOutboxAction *action)
{
  g_autofree char *sql = g_strdup_printf ("SELECT CASE state WHEN 'pending' THEN 1 "
                                          "WHEN 'in_flight' THEN 2 WHEN 'failed' THEN 3 "
                                          "WHEN 'done' THEN 4 END FROM outbox "
                                          "WHERE op_id = '%s'",
                                          nod_outbox_action_get_op_id (action));
  static const char * const names[] = { "?", "pending", "in_flight", "failed", "done" };

  return g_strdup (names[nod_test_query_int (fixture->store, sql)]);
}

static gint64
row_int (Fixture         *fixture,
         NodOutboxAction *action,
         const char      *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                                          nod_outbox_action_get_op_id (action));
  return nod_test_query_int (fixture->store, sql);
}

static void
assert_row (Fixture         *fixture,
            NodOutboxAction *action,
            const char      *state)
{
  g_autofree char *actual = row_state (fixture, action);

  g_assert_cmpstr (actual, ==, state);
}

/* ---- the approval flush ---- */

static void
test_approve_flushes_at_once (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodMergeRequest *other = mrs->pdata[1];
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  guint writes_at_return = G_MAXUINT;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);

  /* A comment on another merge request waits for the cycle. */
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT,
                                                    nod_merge_request_get_project_id (other),
                                                    nod_merge_request_get_iid (other),
                                                    "Looks good, one nit below"),
                     NULL);
  wait_for_pending (fixture, 1);
  g_assert_cmpuint (count_writes (fixture), ==, 0);

  approval = enqueue (fixture,
                      nod_outbox_action_new_approve (ACCOUNT,
                                                     nod_merge_request_get_project_id (mr),
                                                     nod_merge_request_get_iid (mr),
                                                     nod_merge_request_get_sha (mr)),
                      &writes_at_return);
  /* The call came back before anything was sent. */
  g_assert_cmpuint (writes_at_return, ==, 0);

  wait_for_jobs (fixture, 1);
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
  assert_row (fixture, approval, "done");

  /* Only the approval went: the comment is still waiting, and nothing else was sent. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);
  assert_row (fixture, comment, "pending");
  g_assert_cmpuint (count_writes (fixture), ==, 1);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 1);
  g_assert_cmpuint (nod_sync_status_get_last_summary (status)->pushed, ==, 1);
}

static void
test_flush_with_nothing_pending (Fixture       *fixture,
                                 gconstpointer  data)
{
  NodSyncDecision decision = nod_sync_engine_request (fixture->engine,
                                                      NOD_SYNC_TRIGGER_APPROVAL);

  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_SKIP);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_NOTHING_PENDING);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  g_assert_cmpuint (count_requests (fixture, NULL, "."), ==, 0);
}

static void
test_approve_then_unapprove_cancel (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodOutboxAction) revocation = NULL;

  /* Offline, so that both are still pending when the second arrives. */
  nod_sync_engine_set_offline_mode (fixture->engine, TRUE);
  approval = approve (fixture, mr);
  revocation = enqueue (fixture,
                        nod_outbox_action_new_unapprove (ACCOUNT,
                                                         nod_merge_request_get_project_id (mr),
                                                         nod_merge_request_get_iid (mr)),
                        NULL);
  g_assert_null (revocation);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM outbox"), ==, 0);

  /* Back online (a pull reads the server then), and Push now: nothing to write. */
  nod_sync_engine_set_offline_mode (fixture->engine, FALSE);
  wait_until_idle (fixture);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, NULL, "approve$"), ==, 0);
  g_assert_cmpuint (count_writes (fixture), ==, 0);

}

/* ---- the failure-semantics table ---- */

static void
test_approve_already_approved (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodApprovals) direct = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* Approved elsewhere (the web page) behind Nod's back: GitLab answers 401. */
  nod_forge_approve_async (NOD_FORGE (fixture->observer), nod_merge_request_get_project_id (mr),
                           nod_merge_request_get_iid (mr), NULL, NULL, nod_test_keep_result,
                           &result);
  direct = nod_forge_approve_finish (NOD_FORGE (fixture->observer),
                                     nod_test_wait_for_result (&result), NULL);
  g_assert_nonnull (direct);

  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);

  /* 401, then the approvals were read: it is there, so the action is done. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 2);
  assert_row (fixture, approval, "done");
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  g_assert_true (server_has_approved (fixture, mr));
}

static void
test_approve_own_merge_request (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NodForgePage) authored = server_merge_requests (fixture,
                                                            NOD_MERGE_REQUEST_SCOPE_AUTHORED);
  NodMergeRequest *own = g_ptr_array_index (nod_forge_page_get_items (authored), 0);
  g_autoptr(NodOutboxAction) approval = approve (fixture, own);
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);

  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "failed");
  g_assert_cmpuint (row_int (fixture, approval, "last_status"), ==, 401);
  g_assert_cmpuint (fixture->failures->len, ==, 1);
  g_assert_cmpstr (fixture->failures->pdata[0], ==, "You can’t approve this merge request");
  g_assert_cmpuint (nod_sync_status_get_failed_count (status), ==, 1);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  /* Still signed in: GET /user said so. */
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/user$"), ==, 1);
}

static void
test_bad_token_signs_out (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) approval = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  g_autoptr(NodGitlab) revoked = nod_gitlab_new (fixture->base_url, "glpat-revoked", NULL);
  g_autoptr(NodSyncEngine) engine = nod_sync_engine_new (fixture->store, fixture->outbox);

  /* An engine whose token was revoked. */
  nod_sync_engine_add_account (engine, ACCOUNT, NOD_FORGE (revoked));
  g_signal_connect (engine, "job-finished", G_CALLBACK (on_job_finished), fixture);
  status = nod_sync_engine_get_status (engine);

  {
    g_autoptr(GAsyncResult) result = NULL;
    NodMergeRequest *mr = mrs->pdata[0];

    gint64 project_id = nod_merge_request_get_project_id (mr);

    nod_sync_engine_enqueue_async (engine,
                                   nod_outbox_action_new_approve (ACCOUNT, project_id,
                                                                  nod_merge_request_get_iid (mr),
                                                                  NULL),
                                   NULL, nod_test_keep_result, &result);
    approval = nod_sync_engine_enqueue_finish (engine, nod_test_wait_for_result (&result),
                                               NULL);
  }

  wait_for_jobs (fixture, 1);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_nonnull (nod_sync_status_get_last_error (status));
  /* Nothing lost: the row waits, unsent, for the new token. */
  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "attempts"), ==, 0);

  /* Signed out: no further push is tried. */
  g_assert_cmpint (nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW).reason, ==,
                   NOD_SYNC_REASON_SIGNED_OUT);
  nod_test_assert_finalize_soon (g_steal_pointer (&engine));
}

static void
test_unapprove_not_approved (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) revocation = NULL;

  revocation = enqueue (fixture,
                        nod_outbox_action_new_unapprove (ACCOUNT,
                                                         nod_merge_request_get_project_id (mr),
                                                         nod_merge_request_get_iid (mr)),
                        NULL);
  wait_for_jobs (fixture, 1);

  /* 404, then the approvals were read: not approved, which is what was wanted. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/unapprove$"), ==, 1);
  assert_row (fixture, revocation, "done");
  g_assert_false (server_has_approved (fixture, mr));
}

static void
test_approve_stale_sha (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autofree char *commit = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                             "/commit", nod_merge_request_get_project_id (mr),
                                             nod_merge_request_get_iid (mr));

  /* Someone pushed after the reviewer looked. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", commit, "{}");
  }
  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);

  assert_row (fixture, approval, "failed");
  g_assert_cmpuint (row_int (fixture, approval, "last_status"), ==, 409);
  g_assert_cmpstr (fixture->failures->pdata[0], ==, "New commits since you reviewed");
  g_assert_false (server_has_approved (fixture, mr));
}

static void
test_permanent_refusals (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) forbidden = NULL;
  g_autoptr(NodOutboxAction) missing = NULL;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 403}");
  forbidden = approve (fixture, mrs->pdata[0]);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, forbidden, "failed");
  g_assert_cmpuint (row_int (fixture, forbidden, "last_status"), ==, 403);

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 404}");
  missing = approve (fixture, mrs->pdata[1]);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, missing, "failed");
  g_assert_cmpuint (row_int (fixture, missing, "last_status"), ==, 404);
  g_assert_cmpuint (fixture->failures->len, ==, 2);
}

static void
test_transient_failure_backs_off (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) approval = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  gint64 before = nod_clock_get_now_us (fixture->clock);

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 503}");
  approval = approve (fixture, mrs->pdata[0]);
  wait_for_jobs (fixture, 1);

  /* Kept, counted, due again after a backoff; no error dialog, just the status. */
  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "attempts"), ==, 1);
  g_assert_cmpint (row_int (fixture, approval, "next_attempt_at_us"), >=,
                   before + NOD_OUTBOX_BACKOFF_BASE_US / 2);
  g_assert_cmpint (row_int (fixture, approval, "ambiguous"), ==, 1);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_ERROR);
  g_assert_nonnull (nod_sync_status_get_last_error (status));
  g_assert_false (server_has_approved (fixture, mrs->pdata[0]));
}

static void
test_rate_limited_blocks (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) approval = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 429, "
                      "\"retry_after\": 120}");
  approval = approve (fixture, mrs->pdata[0]);
  wait_for_jobs (fixture, 1);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), >=, now + 119);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), <=, now + 122);
  /* Unsent and unpunished: it waits for GitLab's time, with no attempt counted. */
  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, approval, "next_attempt_at_us") / G_USEC_PER_SEC, >=,
                   now + 119);
}

/* A removed account takes no more requests: its queued actions stay unsent. */
static void
test_removed_account_idle (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  NodSyncDecision decision;

  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "Later"),
                     NULL);
  nod_sync_engine_remove_account (fixture->engine, ACCOUNT);
  decision = nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_SKIP);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_NOT_CONFIGURED);
  wait_until_idle (fixture);
  assert_row (fixture, comment, "pending");
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);
}

typedef struct
{
  Fixture         *fixture;
  NodOutboxAction *action;
} RowWait;

static gboolean
row_handed_back (gpointer data)
{
  RowWait *wait = data;
  g_autofree char *state = row_state (wait->fixture, wait->action);

  return !g_str_equal (state, "in_flight");
}

/* An account removed while its push holds a write at GitLab: the push stops there, its
 * write comes back to be looked for before it is ever sent again, and the shared status
 * hears nothing from it. */
static void
test_removed_account_stops_push (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  g_autoptr(NodOutboxAction) comment = NULL;
  RowWait wait = { fixture, NULL };

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                      "\"gate\": \"held\"}");
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "Going"),
                     NULL);
  wait.action = comment;
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_fake_wait_held (fixture->base_url, "held", 1);
  g_assert_true (nod_sync_engine_is_busy (fixture->engine));

  /* The account is gone from the engine at once; its push ends on the way. */
  nod_sync_engine_remove_account (fixture->engine, ACCOUNT);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  nod_test_wait_until (row_handed_back, &wait);
  assert_row (fixture, comment, "pending");
  g_assert_cmpint (row_int (fixture, comment, "ambiguous"), ==, 1);
  /* Stopped, not timed out: no attempt was spent on it. */
  g_assert_cmpint (row_int (fixture, comment, "attempts"), ==, 0);
  g_assert_cmpuint (fixture->jobs_finished, ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (status), !=, NOD_SYNC_STATE_ERROR);
  g_assert_null (nod_sync_status_get_last_error (status));
  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "held"), ==, 1);
}

/* ---- ambiguity: applied, then the answer lost ---- */

static void
retry_now (Fixture         *fixture,
           NodOutboxAction *action)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_outbox_retry_async (fixture->outbox, nod_outbox_action_get_op_id (action), NULL,
                          nod_test_keep_result, &result);
  g_assert_true (nod_outbox_retry_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                          &error));
  g_assert_no_error (error);
}

static guint
server_notes_with_body (Fixture         *fixture,
                        NodMergeRequest *mr,
                        const char      *body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NodForgePage) page = NULL;
  GPtrArray *discussions;
  guint count = 0;

  nod_forge_list_discussions_async (NOD_FORGE (fixture->observer),
                                    nod_merge_request_get_project_id (mr),
                                    nod_merge_request_get_iid (mr), 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                            nod_test_wait_for_result (&result), NULL);
  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

      for (guint n = 0; n < notes->len; n++)
        count += g_strcmp0 (nod_note_get_body (notes->pdata[n]), body) == 0;
    }
  return count;
}

/* ---- the reviewer takes back or rewords what is queued ---- */

static gboolean
change_action (Fixture     *fixture,
               const char  *op_id,
               const char  *body,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (body == NULL)
    {
      nod_sync_engine_cancel_action_async (fixture->engine, op_id, NULL, nod_test_keep_result,
                                           &result);
      return nod_sync_engine_cancel_action_finish (fixture->engine,
                                                   nod_test_wait_for_result (&result), error);
    }
  nod_sync_engine_edit_action_async (fixture->engine, op_id, body, NULL, nod_test_keep_result,
                                     &result);
  return nod_sync_engine_edit_action_finish (fixture->engine,
                                             nod_test_wait_for_result (&result), error);
}

static void
count_signal (gpointer instance,
              gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* Cancelled before the push: nothing of it reaches GitLab, and the status stops counting
 * it at once. */
static void
test_cancel_action (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  guint changed = 0;

  g_signal_connect (fixture->engine, "outbox-changed", G_CALLBACK (count_signal), &changed);
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "Never mind"),
                     NULL);
  reply = enqueue (fixture,
                   nod_outbox_action_new_reply (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                nod_merge_request_get_iid (mr),
                                                nod_outbox_action_get_discussion_id (comment),
                                                "And this"),
                   NULL);
  wait_for_pending (fixture, 2);

  g_assert_true (change_action (fixture, nod_outbox_action_get_op_id (comment), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  /* Its reply fails in sight, as after a discard: one failed, none pending. */
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 0);
  g_assert_cmpuint (nod_sync_status_get_failed_count (status), ==, 1);
  g_assert_cmpint (row_int (fixture, comment, "COUNT (*)"), ==, 0);

  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/notes$"), ==, 0);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Never mind"), ==, 0);
}

/* Edited before the push: GitLab gets the new text, once, and never the old one. */
static void
test_edit_action (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) posts = NULL;

  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "Tpyo here"),
                     NULL);
  g_assert_true (change_action (fixture, nod_outbox_action_get_op_id (comment), "Typo fixed",
                                &error));
  g_assert_no_error (error);

  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, comment, "done");
  posts = nod_test_fake_list_requests (fixture->base_url, "POST", "/discussions$");
  g_assert_cmpuint (posts->len, ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Typo fixed"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Tpyo here"), ==, 0);
}

/* Held at GitLab: the comment is on its way, so it can be neither cancelled nor edited,
 * and once GitLab answers it is done, with the text it was sent with. */
static void
test_cancel_in_flight_refused (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(GError) error = NULL;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                      "\"gate\": \"held\"}");
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "On its way"),
                     NULL);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_fake_wait_held (fixture->base_url, "held", 1);

  g_assert_false (change_action (fixture, nod_outbox_action_get_op_id (comment), NULL, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_assert_cmpstr (error->message, ==, "It is being sent; it can’t be cancelled now");
  g_clear_error (&error);
  g_assert_false (change_action (fixture, nod_outbox_action_get_op_id (comment), "Other",
                                 &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  assert_row (fixture, comment, "in_flight");

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "held"), ==, 1);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, comment, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "On its way"), ==, 1);
}

/* Sent from the window, a comment is stored at once but held for the Undo: a push within
 * the hold sends nothing, Undo (a cancel) leaves GitLab untouched, and once the hold is
 * over on the engine's clock the next push sends it. */
static void
test_held_comment_undo (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  g_autoptr(NodOutboxAction) undone = NULL;
  g_autoptr(NodOutboxAction) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  first = nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                         nod_merge_request_get_iid (mr), "Oops, undo me");
  second = nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                          nod_merge_request_get_iid (mr), "Keep me");
  nod_sync_engine_set_clock (fixture->engine, clock);
  g_assert_cmpuint (nod_sync_engine_get_undo_hold (fixture->engine), ==, NOD_SYNC_UNDO_HOLD_S);
  nod_sync_engine_enqueue_held_async (fixture->engine, first, NULL, nod_test_keep_result,
                                      &result);
  undone = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  nod_sync_engine_enqueue_held_async (fixture->engine, second, NULL, nod_test_keep_result,
                                      &result);
  kept = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                         &error);
  g_assert_no_error (error);
  /* Durable already: both rows are there, pending. */
  assert_row (fixture, undone, "pending");
  assert_row (fixture, kept, "pending");

  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);

  g_assert_true (change_action (fixture, nod_outbox_action_get_op_id (undone), NULL, &error));
  g_assert_no_error (error);

  nod_clock_advance (clock, NOD_SYNC_UNDO_HOLD_S);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_RETRY);
  wait_until_idle (fixture);
  assert_row (fixture, kept, "done");
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Keep me"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Oops, undo me"), ==, 0);
}

static void
test_ambiguous_comment_once (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *body = "Applied, then the answer was lost";

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", \"drop\": true, "
                      "\"applied\": true}");
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), body),
                     NULL);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);

  /* GitLab has it, Nod does not know: pending, ambiguous. */
  g_assert_cmpuint (server_notes_with_body (fixture, mr, body), ==, 1);
  assert_row (fixture, comment, "pending");
  g_assert_cmpint (row_int (fixture, comment, "ambiguous"), ==, 1);

  /* The retry looks first, finds it, and sends nothing. */
  retry_now (fixture, comment);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PERIODIC);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, comment, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mr, body), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
}

/* The reviewer wrote "LGTM" twice; the first went out, the second was lost on the way. The
 * second must not mistake the first's note for its own. */
static void
test_ambiguous_comment_twin (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  const char *body = "LGTM";

  first = enqueue (fixture,
                   nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                  nod_merge_request_get_iid (mr), body),
                   NULL);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, first, "done");

  /* Dropped before GitLab applied it. */
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", \"drop\": true}");
  second = enqueue (fixture,
                    nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                   nod_merge_request_get_iid (mr), body),
                    NULL);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PERIODIC);
  wait_for_jobs (fixture, 1);
  g_assert_cmpint (row_int (fixture, second, "ambiguous"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, body), ==, 1);

  retry_now (fixture, second);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PERIODIC);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, second, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mr, body), ==, 2);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 3);
}

static void
test_ambiguous_approve_once (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"malformed\": true, "
                      "\"applied\": true}");
  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "ambiguous"), ==, 1);
  g_assert_true (server_has_approved (fixture, mr));

  retry_now (fixture, approval);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_APPROVAL);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  /* One approve request in all: the retry read the approvals instead. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
}

/* ---- the flush from the enqueue ---- */

typedef struct
{
  Fixture         *fixture;
  NodOutboxAction *stored;
  char            *state_at_return;  /* the row's, read the moment the caller heard */
  guint            writes_at_return;
} HeardAt;

static void
on_enqueued_look (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HeardAt *heard = user_data;
  g_autoptr(GError) error = NULL;

  heard->stored = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result,
                                                  &error);
  g_assert_no_error (error);
  g_assert_nonnull (heard->stored);
  /* The store reads in order, and nothing the flush does after its POST can reach it
   * before this read: the main loop waits for it. */
  heard->state_at_return = row_state (heard->fixture, heard->stored);
  heard->writes_at_return = count_writes (heard->fixture);
}

static gboolean
heard (gpointer data)
{
  return ((HeardAt *) data)->state_at_return != NULL;
}

/* The approval is claimed in its enqueue's own transaction: in flight the moment the
 * caller hears, with nothing sent yet, then sent once; the request and the job are still
 * in the log, in their order. */
static void
test_flush_claimed_in_enqueue (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) draft =
    nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                   nod_merge_request_get_iid (mr),
                                   nod_merge_request_get_sha (mr));
  HeardAt look = { fixture, NULL, NULL, G_MAXUINT };
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autofree char *state_at_return = NULL;

  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, on_enqueued_look, &look);
  nod_test_wait_until (heard, &look);
  stored = look.stored;
  state_at_return = look.state_at_return;

  g_assert_cmpstr (state_at_return, ==, "in_flight");
  g_assert_cmpint (nod_outbox_action_get_state (stored), ==, NOD_ACTION_IN_FLIGHT);
  g_assert_cmpuint (look.writes_at_return, ==, 0);

  wait_for_jobs (fixture, 1);
  assert_row (fixture, stored, "done");
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
  g_assert_cmpint (nod_sync_status_get_pending_count (nod_sync_engine_get_status (fixture->engine)),
                   ==, 0);

  /* The log rows came after the POST, and say what they always said. */
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_log WHERE event = "
                                       "'sync.request' AND json_extract (fields, "
                                       "'$.trigger') = 'approval'"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_log WHERE event = "
                                       "'sync.job.started' AND json_extract (fields, "
                                       "'$.kind') = 'flush'"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT (SELECT MIN (id) FROM sync_log WHERE event = "
                                       "'sync.request') < (SELECT MIN (id) FROM sync_log "
                                       "WHERE event = 'sync.job.started') AND (SELECT MIN "
                                       "(id) FROM sync_log WHERE event = 'sync.job.started') "
                                       "< (SELECT MIN (id) FROM sync_log WHERE event = "
                                       "'sync.job.completed')"), ==, 1);
}

/* An approval behind another of its lane (ambiguous, backing off) is not claimed by its
 * enqueue, nor sent: the lane's order holds. */
static void
test_flush_lane_held_back (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodOutboxAction) revoke = NULL;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 502}");
  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "ambiguous"), ==, 1);

  /* Its opposite can't cancel it (it may be on GitLab): both stay, in order. */
  revoke = enqueue (fixture,
                    nod_outbox_action_new_unapprove (ACCOUNT,
                                                     nod_merge_request_get_project_id (mr),
                                                     nod_merge_request_get_iid (mr)),
                    NULL);
  g_assert_nonnull (revoke);
  g_assert_cmpint (nod_outbox_action_get_state (revoke), ==, NOD_ACTION_PENDING);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "pending");
  assert_row (fixture, revoke, "pending");
  g_assert_cmpuint (count_requests (fixture, "POST", "/unapprove$"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
}

/* Signed out (or offline) while the approval was being made durable: its flush, ready
 * before the enqueue, never goes out; the approval waits, unsent and unpunished. */
static void
test_flush_signed_out_meanwhile (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) draft =
    nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                   nod_merge_request_get_iid (mr),
                                   nod_merge_request_get_sha (mr));
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, nod_test_keep_result, &result);
  nod_sync_engine_sign_out_account (fixture->engine, ACCOUNT);
  stored = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  /* Nothing runs; the hand-back is on the store's queue ahead of these reads. */
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  assert_row (fixture, stored, "pending");
  g_assert_cmpint (row_int (fixture, stored, "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, stored, "attempts"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (nod_sync_engine_get_status (fixture->engine)), ==,
                   NOD_SYNC_STATE_SIGNED_OUT);
  wait_for_pending (fixture, 1);

  /* Offline meanwhile: the same. */
  g_clear_object (&stored);
  g_clear_object (&result);
  g_clear_object (&draft);
  nod_sync_engine_add_account (fixture->engine, ACCOUNT + 1, NOD_FORGE (fixture->gitlab));
  nod_test_exec (fixture->store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                                 "VALUES (2, 'http://localhost', 'sam', 0)");
  draft = nod_outbox_action_new_approve (ACCOUNT + 1, nod_merge_request_get_project_id (mr),
                                         nod_merge_request_get_iid (mr),
                                         nod_merge_request_get_sha (mr));
  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, nod_test_keep_result, &result);
  nod_sync_engine_set_offline_mode (fixture->engine, TRUE);
  stored = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  assert_row (fixture, stored, "pending");
  g_assert_cmpint (row_int (fixture, stored, "ambiguous"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (nod_sync_engine_get_status (fixture->engine)), ==,
                   NOD_SYNC_STATE_OFFLINE);
}

/* A process that claimed an approval in its enqueue's transaction and died right after
 * left it in flight: the next sender recovers it as ambiguous and reads the approvals
 * before it sends. */
static void
test_flush_claimed_then_killed (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) draft =
    nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                   nod_merge_request_get_iid (mr),
                                   nod_merge_request_get_sha (mr));
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_autofree char *approvals_path = NULL;
  gint approvals_read = -1, approve_sent = -1;

  /* What the dead process did: the claimed enqueue, and nothing after it. */
  nod_outbox_enqueue_and_claim_async (fixture->outbox, draft, NOD_OUTBOX_ENQUEUE_CLAIM,
                                      g_get_real_time (), NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_and_claim_finish (fixture->outbox,
                                                      nod_test_wait_for_result (&result),
                                                      &stored, NULL, &error));
  g_assert_no_error (error);
  assert_row (fixture, stored, "in_flight");

  /* This engine takes the free lock, recovers, looks, then sends. */
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, stored, "done");
  g_assert_cmpint (row_int (fixture, stored, "ambiguous"), ==, 1);
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);

  approvals_path = g_strdup_printf ("/merge_requests/%" G_GINT64_FORMAT "/approvals",
                                    nod_merge_request_get_iid (mr));
  requests = nod_test_fake_list_requests (fixture->base_url, NULL, "/merge_requests/[0-9]+/");
  for (guint i = 0; i < requests->len; i++)
    {
      const char *request = requests->pdata[i];

      if (approvals_read < 0 && strstr (request, approvals_path) != NULL &&
          !g_str_has_suffix (request, "/approve"))
        approvals_read = (gint) i;
      if (approve_sent < 0 && g_str_has_suffix (request, "/approve"))
        approve_sent = (gint) i;
    }
  g_assert_cmpint (approvals_read, >=, 0);
  g_assert_cmpint (approve_sent, >, approvals_read);
}

/* ---- offline, and a thread made offline ---- */

static void
test_offline_then_network_up (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);

  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  first = approve (fixture, mrs->pdata[0]);
  second = approve (fixture, mrs->pdata[1]);
  wait_for_pending (fixture, 2);
  g_assert_cmpuint (count_writes (fixture), ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_OFFLINE);

  nod_sync_engine_set_network (fixture->engine, TRUE, FALSE);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, first, "done");
  assert_row (fixture, second, "done");
  g_assert_true (server_has_approved (fixture, mrs->pdata[0]));
  g_assert_true (server_has_approved (fixture, mrs->pdata[1]));
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
}

static void
test_reply_to_offline_thread (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autofree char *thread = NULL;

  nod_sync_engine_set_offline_mode (fixture->engine, TRUE);
  comment = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, project_id, iid,
                                                             "Started on the train"), NULL);
  thread = g_strdup (nod_outbox_action_get_discussion_id (comment));
  reply = enqueue (fixture, nod_outbox_action_new_reply (ACCOUNT, project_id, iid, thread,
                                                         "And a second thought"), NULL);
  g_assert_true (g_str_has_prefix (nod_outbox_action_get_discussion_id (reply),
                                   NOD_OUTBOX_LOCAL_ID_PREFIX));

  nod_sync_engine_set_offline_mode (fixture->engine, FALSE);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_until_idle (fixture);

  assert_row (fixture, comment, "done");
  assert_row (fixture, reply, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Started on the train"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "And a second thought"), ==, 1);

  /* The reply went to the thread's real id, after the thread. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT discussion_id = (SELECT discussion_id "
                                            "FROM outbox WHERE op_id = '%s') FROM outbox "
                                            "WHERE op_id = '%s'",
                                            nod_outbox_action_get_op_id (comment),
                                            nod_outbox_action_get_op_id (reply));
    g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
  }
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions/[0-9a-f]{40}/notes$"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions/local"), ==, 0);
}

static void
test_sync_log_kept (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) approval = approve (fixture, mrs->pdata[0]);

  wait_for_jobs (fixture, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_log "
                                       "WHERE event = 'sync.request'"), >=, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_log "
                                       "WHERE event = 'sync.job.completed' "
                                       "AND json_extract (fields, '$.pushed') = 1"), ==, 1);
}

/* ---- pull ---- */

static void
pull (Fixture *fixture)
{
  NodSyncDecision decision = nod_sync_engine_request (fixture->engine,
                                                      NOD_SYNC_TRIGGER_SETTINGS_CHANGED);

  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);
  g_assert_true (decision.pull);
  wait_until_idle (fixture);
}

static GPtrArray *
views (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodReviewCache *cache = nod_sync_engine_get_cache (fixture->engine);
  GPtrArray *list;

  nod_review_cache_list_views_async (cache, ACCOUNT, NULL, nod_test_keep_result, &result);
  list = nod_review_cache_list_views_finish (cache, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return list;
}

static NodMergeRequestView *
find_view (GPtrArray       *list,
           NodMergeRequest *mr)
{
  for (guint i = 0; i < list->len; i++)
    {
      NodMergeRequestView *view = list->pdata[i];

      if (view->project_id == nod_merge_request_get_project_id (mr) &&
          view->iid == nod_merge_request_get_iid (mr))
        return view;
    }
  g_error ("No view of !%" G_GINT64_FORMAT, nod_merge_request_get_iid (mr));
}

static void
test_pull_stores_and_resumes (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodForgePage) review = server_merge_requests (fixture,
                                                          NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED);
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  guint reviews = nod_forge_page_get_items (review)->len;
  guint lists_before, approvals_before;

  pull (fixture);

  /* Every merge request of the three lists, with its approvals and threads. */
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_author"),
                   >, 0);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM notes"), >, 5);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM approvals"), >, 0);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_state "
                                       "WHERE json_extract (cursor, '$.updated_after') "
                                       "IS NOT NULL"), ==, 3);
  g_assert_cmpuint (nod_sync_status_get_last_summary (status)->pulled, >=, reviews);
  g_assert_cmpint (nod_sync_status_get_last_synced_at (status), >, 0);

  /* Again: only what changed since. GitLab's updated_after is inclusive, so the newest of
   * each list comes again, and is known unchanged: its details are not read again. */
  lists_before = count_requests (fixture, "GET", "^/api/v4/merge_requests$");
  approvals_before = count_requests (fixture, "GET", "/approvals$");
  pull (fixture);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==,
                    lists_before + 3);
  g_assert_cmpuint (count_requests (fixture, "GET", "/approvals$"), ==, approvals_before);
}

typedef struct
{
  NodSyncStatus *status;
  guint          current;
} ProgressWait;

static gboolean
progress_reached (gpointer data)
{
  ProgressWait *wait = data;

  return nod_sync_status_get_progress_current (wait->status) >= wait->current;
}

static void
comment_on (Fixture         *fixture,
            NodMergeRequest *mr,
            const char      *body)
{
  g_autofree char *path = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                           "/comment", nod_merge_request_get_project_id (mr),
                                           nod_merge_request_get_iid (mr));
  g_autofree char *request = g_strdup_printf ("{\"author\": \"amelie\", \"body\": \"%s\"}",
                                              body);
  g_autoptr(JsonNode) answer = control (fixture, "POST", path, request);
}

/* Merge requests change while a pull walks down the list: one it has stored, and one it
 * has not reached yet. Both move above where the walk began, and page numbers slip under
 * it. Nothing may be missed for it: both come in, with the comments that moved them. */
static void
test_pull_survives_changes_mid_pull (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(NodForgePage) review = NULL;
  g_autoptr(NodForgePage) last_page = NULL;
  ProgressWait wait = { nod_sync_engine_get_status (fixture->engine), 10 };
  NodMergeRequest *newest, *oldest;
  GPtrArray *last_items;

  nod_fake_gitlab_generate (fixture->fake, 260);
  review = server_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED);
  g_assert_cmpint (nod_forge_page_get_total (review), >, 200);
  newest = nod_forge_page_get_items (review)->pdata[0];
  last_page = server_merge_requests_page (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                          (nod_forge_page_get_total (review) + 99) / 100);
  last_items = nod_forge_page_get_items (last_page);
  g_assert_cmpuint (last_items->len, >, 0);
  oldest = last_items->pdata[last_items->len - 1];

  g_assert_true (nod_sync_engine_request (fixture->engine,
                                          NOD_SYNC_TRIGGER_SETTINGS_CHANGED).pull);
  /* Well inside the first page of the first list, someone comments on the newest, stored
   * already, and on the oldest, pages away. */
  nod_test_wait_until (progress_reached, &wait);
  comment_on (fixture, newest, "Ping");
  comment_on (fixture, oldest, "Pong");
  wait_until_idle (fixture);

  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, nod_forge_page_get_total (review));
  /* And the comments that moved them are there too. */
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM notes WHERE body = 'Ping'"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM notes WHERE body = 'Pong'"), ==, 1);
}

/* The first page a pull reads is today's: the newest change first, so a long history
 * shows the reviewer's current work at once. The details of the first hundred it reads
 * are those of the hundred newest merge requests. */
static void
test_pull_newest_first (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodForgePage) review = NULL;
  g_autoptr(GHashTable) newest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(GRegex) approvals = g_regex_new ("^/api/v4/projects/\\d+/merge_requests/\\d+"
                                             "/approvals$", 0, 0, NULL);
  GPtrArray *items;
  JsonArray *requests;
  guint detailed = 0;

  nod_fake_gitlab_generate (fixture->fake, 260);
  review = server_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED);
  items = nod_forge_page_get_items (review);
  g_assert_cmpuint (items->len, ==, 100);
  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (newest,
                      g_strdup_printf ("/api/v4/projects/%" G_GINT64_FORMAT "/merge_requests/%"
                                       G_GINT64_FORMAT "/approvals",
                                       nod_merge_request_get_project_id (items->pdata[i]),
                                       nod_merge_request_get_iid (items->pdata[i])));
  {
    g_autoptr(JsonNode) cleared = control (fixture, "DELETE", "/__fake/requests", NULL);
  }

  pull (fixture);

  log = control (fixture, "GET", "/__fake/requests", NULL);
  requests = json_node_get_array (log);
  for (guint i = 0; i < json_array_get_length (requests) && detailed < 100; i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *path = json_object_get_string_member (request, "path");

      if (!g_regex_match (approvals, path, 0, NULL))
        continue;
      if (!g_hash_table_contains (newest, path))
        g_error ("Detail %u of the pull is %s, not one of the hundred newest", detailed, path);
      detailed++;
    }
  g_assert_cmpuint (detailed, ==, 100);
}

static gint64
server_total_since (Fixture              *fixture,
                    NodMergeRequestScope  scope,
                    guint                 days)
{
  return nod_test_count_merge_requests_since (NOD_FORGE (fixture->observer), scope, days);
}

/* 30 days of history, then 90: the second pull fetches what is missing; back to 30, and
 * merged or closed merge requests older than that leave the cache, except one the
 * reviewer still has a comment waiting on. */
static void
test_pull_history_depth (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *old_closed = "SELECT COUNT (*) FROM merge_requests WHERE state IN "
                           "('merged', 'closed') AND julianday (updated_at) < "
                           "julianday ('now', '-31 days')";
  g_autoptr(NodOutboxAction) comment = NULL;
  gint64 project_id, iid;

  nod_fake_gitlab_generate (fixture->fake, 600);
  /* The budget is not what this is about: three pulls of 600 merge requests and their
   * changes would spend a window of gitlab.com's. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 100000, \"remaining\": 100000, "
                                          "\"reset_in_s\": 600}");
  }

  nod_sync_engine_set_history_days (fixture->engine, 30);
  pull (fixture);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, server_total_since (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, 30));
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE "
                                       "julianday (updated_at) < julianday ('now', '-30 days')"),
                   ==, 0);

  nod_sync_engine_set_history_days (fixture->engine, 90);
  pull (fixture);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, server_total_since (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, 90));
  g_assert_cmpint (nod_test_query_int (fixture->store, old_closed), >, 1);

  /* A comment waits (for the cycle) on one of the old closed ones. */
  project_id = nod_test_query_int (fixture->store,
                                   "SELECT project_id FROM merge_requests WHERE state IN "
                                   "('merged', 'closed') AND julianday (updated_at) < "
                                   "julianday ('now', '-31 days') ORDER BY updated_at LIMIT 1");
  iid = nod_test_query_int (fixture->store,
                            "SELECT iid FROM merge_requests WHERE state IN "
                            "('merged', 'closed') AND julianday (updated_at) < "
                            "julianday ('now', '-31 days') ORDER BY updated_at LIMIT 1");
  comment = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, project_id, iid, "Late"),
                     NULL);

  nod_sync_engine_set_history_days (fixture->engine, 30);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  wait_until_idle (fixture);
  g_assert_cmpint (nod_test_query_int (fixture->store, old_closed), ==, 1);
  assert_row (fixture, comment, "pending");
}

static NodMergeRequestDiff *
load_change (Fixture    *fixture,
             gint64      project_id,
             gint64      iid,
             const char *head_sha)
{
  NodDiffCache *cache = nod_sync_engine_get_diff_cache (fixture->engine);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodMergeRequestDiff *diff;

  nod_diff_cache_load_diff_async (cache, ACCOUNT, project_id, iid, head_sha, NULL,
                                  nod_test_keep_result, &result);
  diff = nod_diff_cache_load_diff_finish (cache, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return diff;
}

/* Approved at head A through Nod, pushed to head B changing one file of three: the head
 * approved at is kept, and "changed since you approved" is exactly that file. */
static void
test_changed_since_approved (Fixture       *fixture,
                             gconstpointer  data)
{
  NodDiffCache *cache = nod_sync_engine_get_diff_cache (fixture->engine);
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) pushed = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodMergeRequestDiff) at_a = NULL;
  g_autoptr(NodMergeRequestDiff) newest = NULL;
  g_autoptr(NodMergeRequestDiff) approved_diff = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *approved_head = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *head_a = NULL;
  gint64 iid;

  created = control (fixture, "POST", "/__fake/mr",
                     "{\"project_id\": 11, \"title\": \"Three files\", \"author\": "
                     "\"amelie\", \"reviewers\": [\"sam\"], \"files\": {\"a.c\": "
                     "\"int a;\\n\", \"b.c\": \"int b;\\n\", \"c.c\": \"int c;\\n\"}}");
  iid = json_object_get_int_member (json_node_get_object (created), "iid");
  pull (fixture);
  at_a = load_change (fixture, 11, iid, NULL);
  g_assert_nonnull (at_a);
  head_a = g_strdup (nod_merge_request_diff_get_head_sha (at_a));

  approval = enqueue (fixture, nod_outbox_action_new_approve (ACCOUNT, 11, iid, head_a), NULL);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");

  commit = g_strdup_printf ("/__fake/mr/11/%" G_GINT64_FORMAT "/commit", iid);
  pushed = control (fixture, "POST", commit,
                    "{\"reset_approvals\": false, \"files\": {\"b.c\": \"long b;\\n\"}}");
  pull (fixture);

  newest = load_change (fixture, 11, iid, NULL);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (newest), !=, head_a);
  nod_diff_cache_load_approved_head_async (cache, ACCOUNT, 11, iid, NULL, nod_test_keep_result,
                                           &result);
  approved_head = nod_diff_cache_load_approved_head_finish (cache,
                                                            nod_test_wait_for_result (&result),
                                                            &error);
  g_assert_no_error (error);
  g_assert_cmpstr (approved_head, ==, head_a);
  approved_diff = load_change (fixture, 11, iid, approved_head);
  g_assert_nonnull (approved_diff);

  changed = nod_merge_request_diff_changed_since (newest, approved_diff);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpstr (changed->pdata[0], ==, "b.c");
}

/* Approved through Nod at head A before any pull kept A's diff (GitLab failed to give it),
 * then pushed to B: the pull fetches A's files from …/versions/:id, once, and "changed
 * since you approved" is exactly the file B changed. */
static void
test_changed_since_approved_unkept (Fixture       *fixture,
                                    gconstpointer  data)
{
  NodDiffCache *cache = nod_sync_engine_get_diff_cache (fixture->engine);
  g_autoptr(JsonNode) created = NULL;
  g_autoptr(JsonNode) pushed = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodMergeRequestDiff) at_a = NULL;
  g_autoptr(NodMergeRequestDiff) newest = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *fault = NULL;
  g_autofree char *head_a = NULL;
  gint64 iid;

  created = control (fixture, "POST", "/__fake/mr",
                     "{\"project_id\": 11, \"title\": \"Three more files\", \"author\": "
                     "\"amelie\", \"reviewers\": [\"sam\"], \"files\": {\"a.c\": "
                     "\"int a;\\n\", \"b.c\": \"int b;\\n\", \"c.c\": \"int c;\\n\"}}");
  iid = json_object_get_int_member (json_node_get_object (created), "iid");
  head_a = g_strdup (json_object_get_string_member (json_node_get_object (created), "sha"));
  fault = g_strdup_printf ("{\"method\": \"GET\", \"path\": \"/merge_requests/%"
                           G_GINT64_FORMAT "/diffs$\", \"status\": 502, \"times\": 100}", iid);
  add_fault (fixture, fault);
  pull (fixture);
  at_a = load_change (fixture, 11, iid, head_a);
  g_assert_null (at_a);

  approval = enqueue (fixture, nod_outbox_action_new_approve (ACCOUNT, 11, iid, head_a), NULL);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");

  cleared = control (fixture, "DELETE", "/__fake/faults", NULL);
  commit = g_strdup_printf ("/__fake/mr/11/%" G_GINT64_FORMAT "/commit", iid);
  pushed = control (fixture, "POST", commit,
                    "{\"reset_approvals\": false, \"files\": {\"b.c\": \"long b;\\n\"}}");
  {
    g_autoptr(JsonNode) forgotten = control (fixture, "DELETE", "/__fake/requests", NULL);
  }
  pull (fixture);

  g_assert_cmpuint (count_requests (fixture, "GET", "/versions/\\d+$"), ==, 1);
  at_a = load_change (fixture, 11, iid, head_a);
  g_assert_nonnull (at_a);
  newest = load_change (fixture, 11, iid, NULL);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (newest), !=, head_a);
  changed = nod_merge_request_diff_changed_since (newest, at_a);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpstr (changed->pdata[0], ==, "b.c");
  g_assert_nonnull (cache);
}

static void
test_pull_shows_pending_over_server (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(GPtrArray) list = NULL;
  NodMergeRequestView *view;

  pull (fixture);
  list = views (fixture);
  g_assert_false (find_view (list, mr)->approved_by_me);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The server still says "not approved": the pending intent wins in the view. */
  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  approval = approve (fixture, mr);
  g_assert_false (server_has_approved (fixture, mr));
  list = views (fixture);
  view = find_view (list, mr);
  g_assert_true (view->approved_by_me);
  g_assert_true (view->approval_pending);
  g_assert_cmpuint (view->pending_actions, ==, 1);
}

static NodMergeRequestDetail *
load_detail (Fixture         *fixture,
             NodMergeRequest *mr)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodReviewCache *cache = nod_sync_engine_get_cache (fixture->engine);
  NodMergeRequestDetail *detail;

  nod_review_cache_load_detail_async (cache, ACCOUNT, nod_merge_request_get_project_id (mr),
                                      nod_merge_request_get_iid (mr), NULL,
                                      nod_test_keep_result, &result);
  detail = nod_review_cache_load_detail_finish (cache, nod_test_wait_for_result (&result),
                                                &error);
  g_assert_no_error (error);
  return detail;
}

static NodDiscussion *
first_open_thread (NodMergeRequestDetail *detail)
{
  for (guint i = 0; i < detail->discussions->len; i++)
    {
      NodDiscussion *discussion = detail->discussions->pdata[i];

      if (nod_discussion_get_resolvable (discussion) && !nod_discussion_get_resolved (discussion))
        return discussion;
    }
  return NULL;
}

/* The page of one merge request: the server's threads and approvals, with a pending
 * resolve and a pending approval shown as done. */
static void
test_pull_detail_overlay (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodMergeRequestDetail) before = NULL;
  g_autoptr(NodMergeRequestDetail) after = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  NodMergeRequest *mr = NULL;
  NodDiscussion *thread = NULL;
  g_autofree char *thread_id = NULL;
  guint notes = 0;

  pull (fixture);
  for (guint i = 0; i < mrs->len && thread == NULL; i++)
    {
      g_clear_pointer (&before, nod_merge_request_detail_free);
      mr = mrs->pdata[i];
      before = load_detail (fixture, mr);
      thread = first_open_thread (before);
    }
  g_assert_nonnull (thread);
  thread_id = g_strdup (nod_discussion_get_id (thread));
  g_assert_cmpstr (before->view->title, ==, nod_merge_request_get_title (mr));
  g_assert_nonnull (before->view->project_path);
  g_assert_false (before->view->approved_by_me);
  for (guint i = 0; i < before->discussions->len; i++)
    notes += nod_discussion_get_notes (before->discussions->pdata[i])->len;
  g_assert_cmpuint (notes, >, 0);

  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  resolve = enqueue (fixture,
                     nod_outbox_action_new_resolve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), thread_id,
                                                    TRUE),
                     NULL);
  approval = approve (fixture, mr);

  after = load_detail (fixture, mr);
  for (guint i = 0; i < after->discussions->len; i++)
    if (g_str_equal (nod_discussion_get_id (after->discussions->pdata[i]), thread_id))
      g_assert_true (nod_discussion_get_resolved (after->discussions->pdata[i]));
  g_assert_true (after->view->approved_by_me);
  g_assert_true (after->view->approval_pending);
  g_assert_cmpuint (after->view->approvals_given, ==, before->view->approvals_given + 1);
  g_assert_cmpuint (after->view->pending_actions, ==, 2);
}

static void
test_merged_elsewhere (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autofree char *merge = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                            "/merge", nod_merge_request_get_project_id (mr),
                                            nod_merge_request_get_iid (mr));
  g_autofree char *reason = NULL;

  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr),
                                                    "One more thing…"),
                     NULL);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", merge, "{}");
  }
  pull (fixture);

  assert_row (fixture, comment, "failed");
  {
    g_autofree char *sql = g_strdup_printf ("SELECT last_error LIKE '%%merged%%' FROM outbox "
                                            "WHERE op_id = '%s'",
                                            nod_outbox_action_get_op_id (comment));
    g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
  }
  g_assert_cmpuint (fixture->closed->len, ==, 1);
  g_assert_cmpint (nod_merge_request_get_iid (fixture->closed->pdata[0]), ==,
                   nod_merge_request_get_iid (mr));
  g_assert_cmpint (nod_merge_request_get_state (fixture->closed->pdata[0]), ==,
                   NOD_MERGE_REQUEST_MERGED);
}

typedef struct
{
  Fixture *fixture;
  gint64   expected;
} ReviewCount;

/* ---- signing out ---- */

/* Signing out keeps the cache and the outbox; the approval made meanwhile waits, unsent,
 * and goes once the account signs in again. */
static void
test_sign_out_keeps_actions (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodGitlab) again = nod_gitlab_new (fixture->base_url, TOKEN, NULL);
  gint64 cached;

  pull (fixture);
  cached = nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM merge_requests");
  g_assert_cmpint (cached, >, 0);

  nod_sync_engine_sign_out_account (fixture->engine, ACCOUNT);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);

  approval = approve (fixture, mr);
  wait_for_pending (fixture, 1);
  g_assert_cmpint (nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW).reason,
                   ==, NOD_SYNC_REASON_SIGNED_OUT);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  assert_row (fixture, approval, "pending");
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM merge_requests"),
                   ==, cached);

  /* Signed in again: the same account, a new token, and the approval goes. */
  nod_sync_engine_remove_account (fixture->engine, ACCOUNT);
  nod_sync_engine_add_account (fixture->engine, ACCOUNT, NOD_FORGE (again));
  g_assert_true (nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW).push);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
}

/* An account whose token is not found syncs nothing and says it needs signing in. */
static void
test_no_token_is_signed_out (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodSyncEngine) engine = nod_sync_engine_new (fixture->store, fixture->outbox);
  NodSyncStatus *status = nod_sync_engine_get_status (engine);
  NodSyncDecision decision;

  nod_sync_engine_add_account (engine, ACCOUNT, NULL);
  decision = nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_SIGNED_OUT);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_false (nod_sync_status_get_can_sync_now (status));
  g_assert_false (nod_sync_engine_is_busy (engine));
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, 0);
  nod_test_assert_finalize_soon (g_steal_pointer (&engine));
}

static gboolean
signed_out_and_idle (gpointer data)
{
  Fixture *fixture = data;

  return engine_idle (fixture) &&
         nod_sync_status_get_state (nod_sync_engine_get_status (fixture->engine))
           == NOD_SYNC_STATE_SIGNED_OUT;
}

/* A sign-out during a long pull stops it at the page it is on. */
static void
test_sign_out_stops_pull (Fixture       *fixture,
                          gconstpointer  data)
{
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  ProgressWait wait = { status, 20 };
  guint lists;

  nod_fake_gitlab_generate (fixture->fake, 400);
  g_assert_true (nod_sync_engine_request (fixture->engine,
                                          NOD_SYNC_TRIGGER_SETTINGS_CHANGED).pull);
  nod_test_wait_until (progress_reached, &wait);
  nod_sync_engine_sign_out_account (fixture->engine, ACCOUNT);
  /* The pull's end is counted, then the status settles. */
  nod_test_wait_until (signed_out_and_idle, fixture);

  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   <, 300);
  /* Nothing more is asked of GitLab for it. */
  lists = count_requests (fixture, "GET", "^/api/v4/merge_requests$");
  g_assert_cmpint (nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PERIODIC).reason,
                   ==, NOD_SYNC_REASON_SIGNED_OUT);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, lists);
}

static void
count_history (guint  *histories,
               gint64  account_id)
{
  g_assert_cmpint (account_id, ==, ACCOUNT);
  (*histories)++;
}

static gboolean
all_reviews_stored (gpointer data)
{
  ReviewCount *count = data;

  return !nod_sync_engine_is_busy (count->fixture->engine) &&
         nod_test_query_int (count->fixture->store,
                             "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer")
           == count->expected;
}

static guint
review_count_progress (gpointer data)
{
  return pull_progress (((ReviewCount *) data)->fixture);
}

static void
test_reserve_stops_pull (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint approvals_read;

  /* 150 requests left this window, 100 of them kept for the reviewer. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 2000, \"remaining\": 150, "
                                          "\"reset_in_s\": 600}");
  }
  pull (fixture);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), >=, now + 598);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), <=, now + 602);
  /* It stopped part-way, with its place kept. */
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM merge_requests"),
                   >, 0);
  approvals_read = count_requests (fixture, "GET", "/approvals$");

  /* The reviewer's approval does not wait for the reset. */
  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);

  /* Background work keeps waiting. */
  g_assert_cmpint (nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PERIODIC).reason,
                   ==, NOD_SYNC_REASON_RESERVE);
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, "GET", "/approvals$"), ==, approvals_read + 1);
}

/* The pull paused at the reserve goes on by itself once the budget resets (12 s on: long
 * enough to see the pause even under a sanitizer on a busy machine), and finishes; an
 * approval made during the pause is pushed at once. */
static void
test_reserve_pause_resumes (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NodForgePage) review = NULL;
  g_autoptr(GPtrArray) mrs = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  NodMergeRequest *mr;
  gint64 blocked_until;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  /* The engine's time stands still until the test moves it: no waiting for the reset. */
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  ReviewCount count = { fixture, 0 };
  guint histories = 0;
  gint64 resume_at;

  nod_sync_engine_set_clock (fixture->engine, clock);
  g_signal_connect_swapped (fixture->engine, "history-synced", G_CALLBACK (count_history),
                            &histories);
  nod_fake_gitlab_generate (fixture->fake, 300);
  review = server_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED);
  count.expected = nod_forge_page_get_total (review);
  mrs = approvable (fixture);
  mr = mrs->pdata[0];
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 2000, \"remaining\": 150, "
                                          "\"reset_in_s\": 12}");
  }
  pull (fixture);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   <, count.expected);
  g_assert_cmpuint (histories, ==, 0);

  /* The reviewer's approval goes at once, not at the reset. */
  blocked_until = nod_sync_status_get_blocked_until (status);
  approval = approve (fixture, mr);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpint (nod_clock_get_now_s (clock), <, blocked_until);

  /* The engine waits for the reset on its clock, and for nothing else. */
  resume_at = nod_clock_get_next_due_s (clock);
  g_assert_cmpint (resume_at, >=, blocked_until);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));

  /* GitLab's window resets; a moment before the engine's clock gets there, nothing moves. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 5000, \"remaining\": 5000, "
                                          "\"reset_in_s\": 3600}");
  }
  nod_clock_advance (clock, resume_at - nod_clock_get_now_s (clock) - 1);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));

  /* No request from here: the engine resumes when its clock reaches the reset, and then
   * finishes, however slow the build, as long as it moves. */
  nod_clock_advance (clock, 1);
  g_assert_true (nod_sync_engine_is_busy (fixture->engine));
  nod_test_wait_while_moving (all_reviews_stored, review_count_progress, &count);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);

  /* The history is complete, once: a later pull is just a pull. */
  g_assert_cmpuint (histories, ==, 1);
  pull (fixture);
  g_assert_cmpuint (histories, ==, 1);
}

/* GitLab's limit on notes: the comment it refused waits, the status says until when, an
 * approval made meanwhile goes at once, and when the engine's clock reaches GitLab's time
 * the comment goes by itself, once. */
static void
test_notes_limit_waits_on_clock (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  gint64 notes_until;

  nod_sync_engine_set_clock (fixture->engine, clock);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"notes_limit\": 1}");
  }
  first = enqueue (fixture,
                   nod_outbox_action_new_comment (ACCOUNT,
                                                  nod_merge_request_get_project_id (mrs->pdata[0]),
                                                  nod_merge_request_get_iid (mrs->pdata[0]),
                                                  "The first goes"),
                   NULL);
  second = enqueue (fixture,
                    nod_outbox_action_new_comment (ACCOUNT,
                                                   nod_merge_request_get_project_id (mrs->pdata[1]),
                                                   nod_merge_request_get_iid (mrs->pdata[1]),
                                                   "The second waits"),
                    NULL);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);

  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 2);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  notes_until = nod_sync_status_get_blocked_until (status);
  g_assert_cmpint (notes_until, >, nod_clock_get_now_s (clock));
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 1);

  /* Approvals do not wait for it. */
  approval = approve (fixture, mrs->pdata[2]);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_true (server_has_approved (fixture, mrs->pdata[2]));

  /* GitLab's minute is over; the engine's clock gets there and the comment goes. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"notes_limit\": 60}");
  }
  nod_clock_advance (clock, notes_until - nod_clock_get_now_s (clock) - 1);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  nod_clock_advance (clock, 1);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, first, "done");
  assert_row (fixture, second, "done");
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 3);
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 0);
}

/* A block an earlier run heard (a 429's Retry-After) holds on the engine's clock: the status
 * says until when, nothing goes before, not even an approval, and all goes after. */
static void
test_restored_block (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) approval = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  NodSyncDecision decision;
  gint64 until;

  nod_sync_engine_set_clock (fixture->engine, clock);
  until = nod_clock_get_now_s (clock) + 600;
  nod_sync_engine_restore_block (fixture->engine, ACCOUNT, until);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), ==, until);
  g_assert_false (nod_sync_status_get_can_sync_now (status));

  approval = approve (fixture, mrs->pdata[0]);
  wait_for_pending (fixture, 1);
  decision = nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_RATE_LIMITED);
  g_assert_cmpint (decision.blocked_until, ==, until);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  g_assert_cmpuint (count_writes (fixture), ==, 0);
  assert_row (fixture, approval, "pending");

  nod_clock_advance (clock, 600);
  decision = nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_true (server_has_approved (fixture, mrs->pdata[0]));
}

/* No account, or none signed in: nothing can sync, and the status says so. */
static void
test_no_usable_account_signed_out (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NodSyncEngine) engine = nod_sync_engine_new (fixture->store, fixture->outbox);
  NodSyncStatus *status = nod_sync_engine_get_status (engine);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  nod_sync_engine_add_account (engine, ACCOUNT, NULL);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  nod_sync_engine_remove_account (engine, ACCOUNT);
  nod_sync_engine_add_account (engine, ACCOUNT, NOD_FORGE (fixture->gitlab));
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  nod_sync_engine_sign_out_account (engine, ACCOUNT);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  nod_sync_engine_remove_account (engine, ACCOUNT);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  nod_test_assert_finalize_soon (g_steal_pointer (&engine));
}

/* ---- the cycle ---- */

static void
start_engine (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_sync_engine_start_async (fixture->engine, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_sync_engine_start_finish (fixture->engine,
                                               nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

/* The cycle runs on the engine's clock, every interval, only while automatic sync is on;
 * a new interval moves the next cycle, and nothing runs because of the change. */
static void
test_periodic_on_clock (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  const char *lists = "^/api/v4/merge_requests$";
  guint per_pull, listed;

  nod_sync_engine_set_clock (fixture->engine, clock);
  nod_sync_engine_set_interval (fixture->engine, 300);
  start_engine (fixture);
  /* The start-up sync. */
  g_assert_true (nod_sync_engine_is_busy (fixture->engine));
  wait_until_idle (fixture);
  per_pull = count_requests (fixture, "GET", lists);
  g_assert_cmpuint (per_pull, >, 0);

  nod_clock_advance (clock, 299);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  nod_clock_advance (clock, 1);
  g_assert_true (nod_sync_engine_is_busy (fixture->engine));
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, "GET", lists), ==, 2 * per_pull);

  /* Every interval, not once. */
  nod_clock_advance (clock, 300);
  wait_until_idle (fixture);
  listed = count_requests (fixture, "GET", lists);
  g_assert_cmpuint (listed, ==, 3 * per_pull);

  /* Off: the timer may tick, nothing syncs. */
  nod_sync_engine_set_periodic_enabled (fixture->engine, FALSE);
  nod_clock_advance (clock, 900);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  g_assert_cmpuint (count_requests (fixture, "GET", lists), ==, listed);

  /* On again, and the interval moved: the next cycle is an hour from now. */
  nod_sync_engine_set_periodic_enabled (fixture->engine, TRUE);
  nod_sync_engine_set_interval (fixture->engine, 3600);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  nod_clock_advance (clock, 3599);
  g_assert_false (nod_sync_engine_is_busy (fixture->engine));
  nod_clock_advance (clock, 1);
  g_assert_true (nod_sync_engine_is_busy (fixture->engine));
  wait_until_idle (fixture);
  g_assert_cmpuint (count_requests (fixture, "GET", lists), ==, listed + per_pull);
}

/* ---- a large history ---- */

typedef struct
{
  guint events;
  guint max_current;
  guint total_at_max;
} ProgressLog;

static void
on_progress (NodSyncStatus *status,
             GParamSpec    *pspec,
             ProgressLog   *log)
{
  guint current = nod_sync_status_get_progress_current (status);

  if (current == 0)
    return;
  log->events++;
  if (current >= log->max_current)
    {
      log->max_current = current;
      log->total_at_max = nod_sync_status_get_progress_total (status);
    }
}

/* 2,000 generated merge requests with their threads, 90 days of history: the pull
 * completes with exactly the server's 90 days, the progress reaches its total, and the
 * history is announced once. */
static void
test_pull_large_history (Fixture       *fixture,
                         gconstpointer  data)
{
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  ProgressLog log = { 0, };
  guint histories = 0;
  gint64 reviews;

  nod_fake_gitlab_generate (fixture->fake, 2000);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 1000000, \"remaining\": 1000000}");
  }
  reviews = server_total_since (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, 90);
  g_assert_cmpint (reviews, >, 800);
  g_signal_connect (status, "notify::progress-current", G_CALLBACK (on_progress), &log);
  g_signal_connect_swapped (fixture->engine, "history-synced", G_CALLBACK (count_history),
                            &histories);

  nod_sync_engine_set_history_days (fixture->engine, 90);
  g_assert_true (nod_sync_engine_request (fixture->engine,
                                          NOD_SYNC_TRIGGER_SETTINGS_CHANGED).pull);
  wait_until_idle (fixture);
  g_signal_handlers_disconnect_by_data (status, &log);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM merge_requests WHERE "
                                       "julianday (updated_at) < julianday ('now', '-90 days')"),
                   ==, 0);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM notes"), >,
                   reviews);
  g_test_message ("%" G_GINT64_FORMAT " merge requests, %u progress events, %u of %u",
                  reviews, log.events, log.max_current, log.total_at_max);
  /* An event per merge request stored, so many per page; and it ends at its total. */
  g_assert_cmpuint (log.events, >=, reviews);
  g_assert_cmpuint (log.max_current, ==, log.total_at_max);
  g_assert_cmpuint (log.max_current, >=, reviews);
  g_assert_cmpuint (histories, ==, 1);
}

/* ---- recovery: GitLab answers again ---- */

/* A manual clock on a whole second, so a backoff of 1 to 2 s is due within 2 s of it. */
static NodClock *
whole_second_clock (Fixture *fixture)
{
  NodClock *clock = nod_clock_new_manual (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);

  nod_sync_engine_set_clock (fixture->engine, clock);
  return clock;
}

static NodOutboxAction *
queue_comment (Fixture         *fixture,
            NodMergeRequest *mr,
            const char      *body)
{
  return enqueue (fixture,
                  nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                 nod_merge_request_get_iid (mr), body),
                  NULL);
}

/* As after minutes of GitLab away: the action's next attempt is five minutes off. */
static void
back_off_for_minutes (Fixture         *fixture,
                      NodOutboxAction *action,
                      NodClock        *clock)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("UPDATE outbox SET attempts = 7, last_status = 0, "
                         "next_attempt_at_us = %" G_GINT64_FORMAT " WHERE op_id = '%s'",
                         nod_clock_get_now_us (clock) + 300 * G_USEC_PER_SEC,
                         nod_outbox_action_get_op_id (action));
  nod_test_exec (fixture->store, sql);
}

/* A comment GitLab dropped once, backing off for minutes now. */
static NodOutboxAction *
comment_backing_off (Fixture         *fixture,
                     NodMergeRequest *mr,
                     const char      *body,
                     NodClock        *clock)
{
  NodOutboxAction *comment;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", \"drop\": true}");
  comment = queue_comment (fixture, mr, body);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  back_off_for_minutes (fixture, comment, clock);
  return comment;
}

static gboolean
row_done (gpointer data)
{
  RowWait *wait = data;
  g_autofree char *state = row_state (wait->fixture, wait->action);

  return g_strcmp0 (state, "done") == 0 && engine_idle (wait->fixture);
}

static void
wait_for_done (Fixture         *fixture,
               NodOutboxAction *action)
{
  RowWait wait = { fixture, action };

  nod_test_wait_until (row_done, &wait);
}

typedef struct
{
  Fixture  *fixture;
  NodClock *clock;
  guint     probes;
  gint64    due_s;
} ProbeWait;

/* The fake has seen the probes, and the engine has heard their answer (it armed the next). */
static gboolean
probes_heard (gpointer data)
{
  ProbeWait *wait = data;

  return count_requests (wait->fixture, "GET", "/user$") == wait->probes &&
         nod_clock_get_next_due_s (wait->clock) == wait->due_s;
}

/* GitLab dropped a comment once: its backoff ends within 2 s, and the engine's clock brings
 * it back then, not the cycle minutes later. */
static void
test_backoff_ends_on_clock (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodClock) clock = whole_second_clock (fixture);
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *body = "Sent again when its backoff ends";
  gint64 failed_at;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", \"drop\": true}");
  comment = queue_comment (fixture, mrs->pdata[0], body);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  assert_row (fixture, comment, "pending");
  g_assert_cmpint (row_int (fixture, comment, "attempts"), ==, 1);
  failed_at = nod_clock_get_now_s (clock);

  /* The push is armed for the backoff's end, 1 to 2 s away. */
  g_assert_cmpint (nod_clock_get_next_due_s (clock), >, failed_at);
  g_assert_cmpint (nod_clock_get_next_due_s (clock), <=, failed_at + 2);
  nod_clock_advance (clock, nod_clock_get_next_due_s (clock) - failed_at);
  wait_for_done (fixture, comment);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 2);
  g_assert_cmpuint (server_notes_with_body (fixture, mrs->pdata[0], body), ==, 1);
}

/* GitLab has been away for minutes, so the comment's next attempt is minutes off. The engine
 * asks every 2 s whether GitLab answers; the first answer after it was away sends the
 * comment, within 2 s of GitLab's return. */
static void
test_recovery_within_two_seconds (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodClock) clock = whole_second_clock (fixture);
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *body = "Sent as soon as GitLab is back";
  ProbeWait wait = { fixture, clock, 0, 0 };
  gint64 back_at;

  add_fault (fixture, "{\"path\": \".\", \"drop\": true, \"times\": 1000}");
  comment = queue_comment (fixture, mrs->pdata[0], body);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_for_jobs (fixture, 1);
  back_off_for_minutes (fixture, comment, clock);
  /* Counted again (a push that finds nothing due), the engine sees the long backoff. */
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_RETRY);
  wait_for_jobs (fixture, 1);
  g_assert_cmpint (nod_clock_get_next_due_s (clock), ==, nod_clock_get_now_s (clock) + 2);

  /* Still away: the probe has no answer, and the next is armed 2 s on. */
  wait.probes = count_requests (fixture, "GET", "/user$") + 1;
  nod_clock_advance (clock, 2);
  wait.due_s = nod_clock_get_now_s (clock) + 2;
  nod_test_wait_until (probes_heard, &wait);
  assert_row (fixture, comment, "pending");

  /* GitLab is back. */
  {
    g_autoptr(JsonNode) answer = control (fixture, "DELETE", "/__fake/faults", NULL);
  }
  back_at = nod_clock_get_now_s (clock);
  nod_clock_advance (clock, 2);
  wait_for_done (fixture, comment);
  g_assert_cmpint (nod_clock_get_now_s (clock) - back_at, <=, 2);
  g_assert_cmpint (row_int (fixture, comment, "next_attempt_at_us"), <,
                   nod_clock_get_now_us (clock) + 300 * G_USEC_PER_SEC);
  g_assert_cmpuint (server_notes_with_body (fixture, mrs->pdata[0], body), ==, 1);
}

/* The network comes back: what backed off while it was away goes at once. */
static void
test_network_up_ends_backoff (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodClock) clock = whole_second_clock (fixture);
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *body = "Sent when the network is back";

  comment = comment_backing_off (fixture, mrs->pdata[0], body, clock);
  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_RETRY);  /* counts it again */
  wait_for_pending (fixture, 1);

  nod_sync_engine_set_network (fixture->engine, TRUE, FALSE);
  wait_for_done (fixture, comment);
  g_assert_cmpuint (server_notes_with_body (fixture, mrs->pdata[0], body), ==, 1);
}

/* Any job that hears GitLab (here an approval's flush) ends every backoff at once. */
static void
test_success_ends_backoff (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodClock) clock = whole_second_clock (fixture);
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  const char *body = "Sent when an approval gets through";

  comment = comment_backing_off (fixture, mrs->pdata[0], body, clock);

  approval = approve (fixture, mrs->pdata[1]);
  wait_for_done (fixture, comment);
  assert_row (fixture, approval, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mrs->pdata[0], body), ==, 1);
}

/* GitLab answers, yet one request keeps failing with a 500: it is its own fault, and it
 * waits out its backoff rather than being sent again every 2 s. */
static void
test_own_failure_keeps_backoff (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodClock) clock = whole_second_clock (fixture);
  g_autoptr(NodOutboxAction) comment = NULL;
  ProbeWait wait = { fixture, clock, 0, 0 };
  guint asked;

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", \"status\": 500, "
                      "\"times\": 1000}");
  comment = queue_comment (fixture, mrs->pdata[0], "Refused by a broken server");
  /* Pushed as a write from the command line is (Push now would arm its cooldown's end,
   * a sooner timer than the one this test reads). */
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_RETRY);
  wait_for_jobs (fixture, 1);
  back_off_for_minutes (fixture, comment, clock);
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_RETRY);
  wait_for_jobs (fixture, 1);

  /* One probe (the lookup of the ambiguous comment asked who the reviewer is already):
   * GitLab answers, so nothing more is armed before the backoff's end. */
  asked = count_requests (fixture, "GET", "/user$");
  nod_clock_advance (clock, 2);
  wait.probes = asked + 1;
  wait.due_s = nod_clock_get_now_s (clock) + 298;
  nod_test_wait_until (probes_heard, &wait);
  nod_clock_advance (clock, 10);
  g_assert_cmpuint (count_requests (fixture, "GET", "/user$"), ==, asked + 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
  assert_row (fixture, comment, "pending");
}

static gboolean
can_sync_now (gpointer data)
{
  return nod_sync_status_get_can_sync_now (nod_sync_engine_get_status (data));
}

/* Push now rests for its cooldown after it is pressed, then offers itself again by itself:
 * nothing else need happen for the button to come back. */
static void
test_push_now_back_after_cooldown (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) comment = NULL;
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);

  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr), "Now"),
                     NULL);
  g_assert_true (nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW).push);
  wait_until_idle (fixture);
  assert_row (fixture, comment, "done");
  g_assert_false (nod_sync_status_get_can_sync_now (status));

  nod_clock_advance (fixture->clock, NOD_SYNC_PUSH_NOW_COOLDOWN_S - 1);
  g_main_context_iteration (NULL, FALSE);
  g_assert_false (nod_sync_status_get_can_sync_now (status));
  nod_clock_advance (fixture->clock, 1);
  nod_test_wait_until (can_sync_now, fixture->engine);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/sync-engine/flush/approve-at-once", test_approve_flushes_at_once);
  ADD ("/nod/sync-engine/push-now/back-after-cooldown", test_push_now_back_after_cooldown);
  ADD ("/nod/sync-engine/cancel-action", test_cancel_action);
  ADD ("/nod/sync-engine/edit-action", test_edit_action);
  ADD ("/nod/sync-engine/cancel-action/in-flight-refused", test_cancel_in_flight_refused);
  ADD ("/nod/sync-engine/held-comment-undo", test_held_comment_undo);
  ADD ("/nod/sync-engine/flush/nothing-pending", test_flush_with_nothing_pending);
  ADD ("/nod/sync-engine/flush/approve-unapprove-cancel", test_approve_then_unapprove_cancel);
  ADD ("/nod/sync-engine/flush/claimed-in-enqueue", test_flush_claimed_in_enqueue);
  ADD ("/nod/sync-engine/flush/lane-held-back", test_flush_lane_held_back);
  ADD ("/nod/sync-engine/flush/claimed-then-killed", test_flush_claimed_then_killed);
  ADD ("/nod/sync-engine/flush/signed-out-meanwhile", test_flush_signed_out_meanwhile);
  ADD ("/nod/sync-engine/failure/approve-401-already-approved", test_approve_already_approved);
  ADD ("/nod/sync-engine/failure/approve-401-own", test_approve_own_merge_request);
  ADD ("/nod/sync-engine/failure/401-signs-out", test_bad_token_signs_out);
  ADD ("/nod/sync-engine/failure/unapprove-404", test_unapprove_not_approved);
  ADD ("/nod/sync-engine/failure/approve-409", test_approve_stale_sha);
  ADD ("/nod/sync-engine/failure/403-404", test_permanent_refusals);
  ADD ("/nod/sync-engine/failure/5xx-backs-off", test_transient_failure_backs_off);
  ADD ("/nod/sync-engine/failure/429-blocks", test_rate_limited_blocks);
  ADD ("/nod/sync-engine/removed-account-idle", test_removed_account_idle);
  ADD ("/nod/sync-engine/removed-account-stops-push", test_removed_account_stops_push);
  ADD ("/nod/sync-engine/sign-out/keeps-actions", test_sign_out_keeps_actions);
  ADD ("/nod/sync-engine/sign-out/no-token", test_no_token_is_signed_out);
  ADD ("/nod/sync-engine/sign-out/stops-pull", test_sign_out_stops_pull);
  ADD ("/nod/sync-engine/ambiguous/comment-once", test_ambiguous_comment_once);
  ADD ("/nod/sync-engine/ambiguous/comment-twin", test_ambiguous_comment_twin);
  ADD ("/nod/sync-engine/ambiguous/approve-once", test_ambiguous_approve_once);
  ADD ("/nod/sync-engine/offline/network-up", test_offline_then_network_up);
  ADD ("/nod/sync-engine/recovery/backoff-ends-on-clock", test_backoff_ends_on_clock);
  ADD ("/nod/sync-engine/recovery/within-two-seconds", test_recovery_within_two_seconds);
  ADD ("/nod/sync-engine/recovery/network-up", test_network_up_ends_backoff);
  ADD ("/nod/sync-engine/recovery/success-ends-backoff", test_success_ends_backoff);
  ADD ("/nod/sync-engine/recovery/own-failure-waits", test_own_failure_keeps_backoff);
  ADD ("/nod/sync-engine/offline/reply-to-offline-thread", test_reply_to_offline_thread);
  ADD ("/nod/sync-engine/events/sync-log", test_sync_log_kept);
  ADD ("/nod/sync-engine/pull/stores-and-resumes", test_pull_stores_and_resumes);
  ADD ("/nod/sync-engine/pull/changes-mid-pull", test_pull_survives_changes_mid_pull);
  ADD ("/nod/sync-engine/pull/newest-first", test_pull_newest_first);
  ADD ("/nod/sync-engine/pull/detail-overlay", test_pull_detail_overlay);
  ADD ("/nod/sync-engine/pull/history-depth", test_pull_history_depth);
  ADD ("/nod/sync-engine/pull/changed-since-approved", test_changed_since_approved);
  ADD ("/nod/sync-engine/pull/changed-since-approved-unkept",
       test_changed_since_approved_unkept);
  ADD ("/nod/sync-engine/pull/overlay", test_pull_shows_pending_over_server);
  ADD ("/nod/sync-engine/pull/merged-elsewhere", test_merged_elsewhere);
  ADD ("/nod/sync-engine/rate-limit/reserve-stops-pull", test_reserve_stops_pull);
  ADD ("/nod/sync-engine/rate-limit/reserve-pause-resumes", test_reserve_pause_resumes);
  ADD ("/nod/sync-engine/rate-limit/restored-block", test_restored_block);
  ADD ("/nod/sync-engine/rate-limit/notes-limit-waits-on-clock", test_notes_limit_waits_on_clock);
  ADD ("/nod/sync-engine/sign-out/no-usable-account", test_no_usable_account_signed_out);
  ADD ("/nod/sync-engine/pull/large-history", test_pull_large_history);
  ADD ("/nod/sync-engine/periodic/on-clock", test_periodic_on_clock);

#undef ADD

  return g_test_run ();
}
