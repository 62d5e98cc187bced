/* test-sync-push-job.c: one push job against the fake GitLab, with a real outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The job is driven directly (new, set the clock, run) and judged by what it leaves: the
 * outbox rows, the requests the fake saw, the server's state, the outcome and the
 * signals. Its time is a manual clock: backoff and pacing are read off it, never waited
 * for.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-review-cache.h"
#include "nod-sync-push-job.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-push-job-test"
#define ACCOUNT 1

typedef struct
{
  char  *op_id;
  guint  status;
  char  *reason;
} Failure;

static void
failure_free (Failure *failure)
{
  g_free (failure->op_id);
  g_free (failure->reason);
  g_free (failure);
}

typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  NodStore      *store;
  NodOutbox     *outbox;
  NodGitlab     *gitlab;    /* the job's */
  NodGitlab     *observer;  /* the test's own look at the server */
  NodClock      *clock;     /* the job's time */
  GPtrArray     *failures;  /* Failure, from ::action-failed */
} Fixture;

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
  g_assert_no_error (error);
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);

  /* Now, in whole seconds; it moves only when a test moves it. */
  fixture->clock = nod_clock_new_manual (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);
  fixture->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) failure_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->outbox));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
  g_clear_pointer (&fixture->failures, g_ptr_array_unref);
}

/* ---- the fake ---- */

static void
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json_body)
{
  g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, method, path,
                                                      json_body);
}

static void
add_fault (Fixture    *fixture,
           const char *json)
{
  control (fixture, "POST", "/__fake/faults", json);
}

static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

static void
clear_requests (Fixture *fixture)
{
  control (fixture, "DELETE", "/__fake/requests", NULL);
}

/* The path of @mr below /api/v4/projects/, for request patterns and faults. */
static char *
mr_path (NodMergeRequest *mr,
         const char      *rest)
{
  return g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT
                          "%s", nod_merge_request_get_project_id (mr),
                          nod_merge_request_get_iid (mr), rest);
}

static void
add_status_fault (Fixture         *fixture,
                  NodMergeRequest *mr,
                  const char      *rest,
                  guint            status)
{
  g_autofree char *path = mr_path (mr, rest);
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"POST\", \"path\": \"%s$\", "
                                            "\"status\": %u}", path, status);

  add_fault (fixture, fault);
}

static guint
count_mr_requests (Fixture         *fixture,
                   const char      *method,
                   NodMergeRequest *mr,
                   const char      *rest)
{
  g_autofree char *path = mr_path (mr, rest);
  g_autofree char *pattern = g_strconcat (path, "$", NULL);

  return count_requests (fixture, method, pattern);
}

/* ---- the server, as the observer sees it ---- */

static gboolean
server_has_approved (Fixture         *fixture,
                     NodMergeRequest *mr)
{
  return nod_test_server_has_approved (NOD_FORGE (fixture->observer), mr);
}


/* Open merge requests the reviewer may approve and has not. */
static GPtrArray *
approvable (Fixture *fixture)
{
  return nod_test_server_approvable (NOD_FORGE (fixture->observer), 3);
}

static NodDiscussion *
server_thread (Fixture         *fixture,
               NodMergeRequest *mr,
               const char      *discussion_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *discussions;

  nod_forge_list_discussions_async (NOD_FORGE (fixture->observer),
                                    nod_merge_request_get_project_id (mr),
                                    nod_merge_request_get_iid (mr), 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    if (g_strcmp0 (nod_discussion_get_id (discussions->pdata[i]), discussion_id) == 0)
      return g_object_ref (discussions->pdata[i]);
  return NULL;
}

/* Starts a thread as the reviewer, behind the job's back. */
static NodDiscussion *
server_comment (Fixture         *fixture,
                NodMergeRequest *mr,
                const char      *body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodDiscussion *discussion = NULL;

  nod_forge_create_discussion_async (NOD_FORGE (fixture->observer),
                                     nod_merge_request_get_project_id (mr),
                                     nod_merge_request_get_iid (mr), body, NULL, NULL,
                                     nod_test_keep_result, &result);
  g_assert_true (nod_forge_create_discussion_finish (NOD_FORGE (fixture->observer),
                                                     nod_test_wait_for_result (&result),
                                                     &discussion, &error));
  g_assert_no_error (error);
  g_assert_nonnull (discussion);
  return discussion;
}

/* ---- the outbox ---- */

static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft_in)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_async (fixture->outbox, draft, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                            &stored, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

static NodOutboxAction *
approve (Fixture         *fixture,
         NodMergeRequest *mr)
{
  return enqueue (fixture,
                  nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                 nod_merge_request_get_iid (mr),
                                                 nod_merge_request_get_sha (mr)));
}

static NodOutboxAction *
comment (Fixture         *fixture,
         NodMergeRequest *mr,
         const char      *body)
{
  return enqueue (fixture,
                  nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                 nod_merge_request_get_iid (mr), body));
}

static char *
row_sql (NodOutboxAction *action,
         const char      *column)
{
  return g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                          nod_outbox_action_get_op_id (action));
}

static gint64
row_int (Fixture         *fixture,
         NodOutboxAction *action,
         const char      *column)
{
  g_autofree char *sql = row_sql (action, column);

  return nod_test_query_int (fixture->store, sql);
}

static char *
row_text (Fixture         *fixture,
          NodOutboxAction *action,
          const char      *column)
{
  g_autofree char *sql = row_sql (action, column);

  return nod_test_query_text (fixture->store, sql);
}

static void
assert_row (Fixture         *fixture,
            NodOutboxAction *action,
            const char      *state)
{
  g_autofree char *actual = row_text (fixture, action, "state");

  g_assert_cmpstr (actual, ==, state);
}

/* The row says why it waits: GitLab's status (0 when no answer came) and a sentence. */
static void
assert_reason (Fixture         *fixture,
               NodOutboxAction *action,
               guint            status,
               const char      *words)
{
  g_autofree char *last_error = row_text (fixture, action, "last_error");

  g_assert_cmpint (row_int (fixture, action, "last_status"), ==, status);
  g_assert_nonnull (last_error);
  g_assert_nonnull (strstr (last_error, words));
}

static void
mark_ambiguous (Fixture         *fixture,
                NodOutboxAction *action)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE outbox SET ambiguous = 1 WHERE op_id = '%s'",
                                          nod_outbox_action_get_op_id (action));

  nod_test_exec (fixture->store, sql);
}

/* ---- the job ---- */

static void
on_action_failed (NodSyncPushJob  *job,
                  NodOutboxAction *action,
                  guint            status,
                  const char      *reason,
                  Fixture         *fixture)
{
  Failure *failure = g_new0 (Failure, 1);

  failure->op_id = g_strdup (nod_outbox_action_get_op_id (action));
  failure->status = status;
  failure->reason = g_strdup (reason);
  g_ptr_array_add (fixture->failures, failure);
}

static NodSyncPushJob *
new_job_for (Fixture   *fixture,
             NodGitlab *forge,
             gboolean   approvals_only)
{
  NodSyncPushJob *job = nod_sync_push_job_new (fixture->outbox, NOD_FORGE (forge), ACCOUNT,
                                               approvals_only);

  nod_sync_push_job_set_clock (job, fixture->clock);
  g_signal_connect (job, "action-failed", G_CALLBACK (on_action_failed), fixture);
  return job;
}

static NodSyncPushJob *
new_job (Fixture  *fixture,
         gboolean  approvals_only)
{
  return new_job_for (fixture, fixture->gitlab, approvals_only);
}

static gboolean
run_job (NodSyncPushJob      *job,
         GCancellable        *cancellable,
         NodSyncPushOutcome  *outcome,
         GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_sync_push_job_run_async (job, cancellable, nod_test_keep_result, &result);
  return nod_sync_push_job_run_finish (job, nod_test_wait_for_result (&result), outcome, error);
}

/* Runs one job to its end, which must not be an error. */
static void
push_with (Fixture            *fixture,
           NodSyncPushJob     *job,
           NodSyncPushOutcome *outcome)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (run_job (job, NULL, outcome, &error));
  g_assert_no_error (error);
}

static void
push (Fixture            *fixture,
      gboolean            approvals_only,
      NodSyncPushOutcome *outcome)
{
  g_autoptr(NodSyncPushJob) job = new_job (fixture, approvals_only);

  push_with (fixture, job, outcome);
}

/* A push whose outcome is that everything went. */
static void
push_all_acked (Fixture *fixture,
                guint    expected_pushed)
{
  NodSyncPushOutcome outcome = { 0, };

  push (fixture, FALSE, &outcome);
  g_assert_cmpuint (outcome.pushed, ==, expected_pushed);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_false (outcome.signed_out);
  g_assert_cmpint (outcome.blocked_until, ==, 0);
  nod_sync_push_outcome_clear (&outcome);
}

/* An approval its enqueue claimed (under the send lock, as the engine does). */
static NodOutboxAction *
approve_claimed (Fixture         *fixture,
                 NodMergeRequest *mr)
{
  g_autoptr(NodOutboxAction) draft =
    nod_outbox_action_new_approve (ACCOUNT, nod_merge_request_get_project_id (mr),
                                   nod_merge_request_get_iid (mr),
                                   nod_merge_request_get_sha (mr));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_and_claim_async (fixture->outbox, draft, NOD_OUTBOX_ENQUEUE_CLAIM,
                                      nod_clock_get_now_us (fixture->clock), NULL,
                                      nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_and_claim_finish (fixture->outbox,
                                                      nod_test_wait_for_result (&result),
                                                      &stored, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpint (nod_outbox_action_get_state (stored), ==, NOD_ACTION_IN_FLIGHT);
  return stored;
}

/* ---- acks ---- */

/* Handed the approval its enqueue claimed, the job sends it first and then claims the rest
 * of the lanes it drains, as usual. */
static void
test_take_claimed (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) waiting = approve (fixture, mrs->pdata[1]);
  g_autoptr(NodOutboxAction) claimed = approve_claimed (fixture, mrs->pdata[0]);
  g_autoptr(NodSyncPushJob) job = new_job (fixture, TRUE);
  g_autoptr(GPtrArray) sent = NULL;
  g_autofree char *first_path = mr_path (mrs->pdata[0], "/approve");
  NodSyncPushOutcome outcome = { 0, };

  nod_sync_push_job_take_claimed (job, claimed);
  push_with (fixture, job, &outcome);
  g_assert_cmpuint (outcome.pushed, ==, 2);
  nod_sync_push_outcome_clear (&outcome);

  assert_row (fixture, claimed, "done");
  assert_row (fixture, waiting, "done");
  g_assert_true (server_has_approved (fixture, mrs->pdata[0]));
  g_assert_true (server_has_approved (fixture, mrs->pdata[1]));
  sent = nod_test_fake_list_requests (fixture->base_url, "POST", "/approve$");
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_true (g_str_has_suffix (sent->pdata[0], first_path));
}

/* Stopped before it ran, the job sends nothing and hands the claimed approval back as it
 * was: pending, not ambiguous, no attempt counted. */
static void
test_take_claimed_cancelled (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) claimed = approve_claimed (fixture, mrs->pdata[0]);
  g_autoptr(NodSyncPushJob) job = new_job (fixture, TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  NodSyncPushOutcome outcome = { 0, };

  nod_sync_push_job_take_claimed (job, claimed);
  g_cancellable_cancel (cancellable);
  g_assert_false (run_job (job, cancellable, &outcome, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  nod_sync_push_outcome_clear (&outcome);

  /* The hand-back is queued on the store: a read queued after it sees it done. */
  assert_row (fixture, claimed, "pending");
  g_assert_cmpint (row_int (fixture, claimed, "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, claimed, "attempts"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);
}

static void
test_approve_acked (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = approve (fixture, mr);
  NodSyncPushOutcome outcome = { 0, };

  push (fixture, TRUE, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 1);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_null (outcome.last_error);
  assert_row (fixture, approval, "done");
  g_assert_cmpint (row_int (fixture, approval, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, approval, "finished_at_us"), >, 0);
  g_assert_true (server_has_approved (fixture, mr));
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mr, "/approve"), ==, 1);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  nod_sync_push_outcome_clear (&outcome);
}

/* An approval flush sends approvals, and leaves the comments for the cycle. */
static void
test_approvals_only (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) remark = comment (fixture, mr, "Later, please");
  g_autoptr(NodOutboxAction) approval = approve (fixture, mr);
  NodSyncPushOutcome outcome = { 0, };

  push (fixture, TRUE, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 1);
  assert_row (fixture, approval, "done");
  assert_row (fixture, remark, "pending");
  g_assert_cmpint (row_int (fixture, remark, "attempts"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);
  nod_sync_push_outcome_clear (&outcome);
}

/* A comment and a reply to the thread it starts, in one job: the comment first, and the
 * reply to the thread's real id. */
static void
test_reply_follows_its_comment (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) opening = comment (fixture, mr, "Why a second cache?");
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(GPtrArray) posts = NULL;
  g_autoptr(NodDiscussion) thread = NULL;
  g_autofree char *thread_id = NULL;
  g_autofree char *reply_thread = NULL;
  g_autofree char *first_post = NULL;
  g_autofree char *second_post = NULL;
  GPtrArray *notes;

  reply = enqueue (fixture,
                   nod_outbox_action_new_reply (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                nod_merge_request_get_iid (mr),
                                                nod_outbox_action_get_discussion_id (opening),
                                                "Answering myself: it is for the diffs"));
  push_all_acked (fixture, 2);

  assert_row (fixture, opening, "done");
  assert_row (fixture, reply, "done");
  thread_id = row_text (fixture, opening, "discussion_id");
  reply_thread = row_text (fixture, reply, "discussion_id");
  g_assert_nonnull (thread_id);
  g_assert_false (g_str_has_prefix (thread_id, NOD_OUTBOX_LOCAL_ID_PREFIX));
  g_assert_cmpstr (reply_thread, ==, thread_id);

  /* The thread, then the reply in it, and nothing sent to the local id. */
  posts = nod_test_fake_list_requests (fixture->base_url, "POST", ".");
  g_assert_cmpuint (posts->len, ==, 2);
  first_post = mr_path (mr, "/discussions");
  second_post = g_strdup_printf ("%s/%s/notes", first_post, thread_id);
  g_assert_true (g_str_has_suffix (posts->pdata[0], first_post));
  g_assert_true (g_str_has_suffix (posts->pdata[1], second_post));

  thread = server_thread (fixture, mr, thread_id);
  g_assert_nonnull (thread);
  notes = nod_discussion_get_notes (thread);
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_cmpstr (nod_note_get_body (notes->pdata[0]), ==, "Why a second cache?");
  g_assert_cmpstr (nod_note_get_body (notes->pdata[1]), ==,
                   "Answering myself: it is for the diffs");
  /* Each row knows its note on GitLab. */
  {
    g_autofree char *first_id = row_text (fixture, opening, "server_id");
    g_autofree char *second_id = row_text (fixture, reply, "server_id");
    g_autofree char *first_note = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   nod_note_get_id (notes->pdata[0]));
    g_autofree char *second_note = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                    nod_note_get_id (notes->pdata[1]));

    g_assert_cmpstr (first_id, ==, first_note);
    g_assert_cmpstr (second_id, ==, second_note);
  }
}

/* ---- the failure table ---- */

/* A 5xx: kept, counted, due again after a backoff read off the job's clock; the rest of
 * the batch goes on. */
static void
test_5xx_transient (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodOutboxAction) remark = NULL;
  g_autofree char *last_error = NULL;
  NodSyncPushOutcome outcome = { 0, };
  gint64 now_us = nod_clock_get_now_us (fixture->clock);
  gint64 due_us;

  add_status_fault (fixture, mr, "/approve", 503);
  approval = approve (fixture, mr);
  remark = comment (fixture, mrs->pdata[1], "Meanwhile, elsewhere");
  push (fixture, FALSE, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 1);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_nonnull (outcome.last_error);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  assert_row (fixture, remark, "done");

  assert_row (fixture, approval, "pending");
  g_assert_cmpint (row_int (fixture, approval, "attempts"), ==, 1);
  g_assert_cmpint (row_int (fixture, approval, "ambiguous"), ==, 1);
  g_assert_cmpint (row_int (fixture, approval, "last_status"), >=, 500);
  g_assert_cmpint (row_int (fixture, approval, "last_status"), <, 600);
  last_error = row_text (fixture, approval, "last_error");
  g_assert_cmpstr (last_error, ==, outcome.last_error);
  due_us = row_int (fixture, approval, "next_attempt_at_us");
  g_assert_cmpint (due_us, >=, now_us + nod_outbox_backoff_delay (1, 0.0));
  g_assert_cmpint (due_us, <=, now_us + nod_outbox_backoff_delay (1, 1.0));
  g_assert_false (server_has_approved (fixture, mr));
  nod_sync_push_outcome_clear (&outcome);

  /* Not before its time: a job now sends nothing. */
  push_all_acked (fixture, 0);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mr, "/approve"), ==, 1);

  /* Then it goes, looking first: it may have reached GitLab. */
  nod_clock_advance (fixture->clock, (due_us - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  clear_requests (fixture);
  push_all_acked (fixture, 1);
  assert_row (fixture, approval, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "GET", mr, "/approvals"), ==, 1);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mr, "/approve"), ==, 1);
  g_assert_true (server_has_approved (fixture, mr));
}

/* 403, 404, 422: failed for good, with the sentence the signal carried. */
static void
test_permanent_refusals (Fixture       *fixture,
                         gconstpointer  data)
{
  static const guint statuses[] = { 403, 404, 422 };
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(GPtrArray) remarks = g_ptr_array_new_with_free_func (g_object_unref);
  NodSyncPushOutcome outcome = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      add_status_fault (fixture, mrs->pdata[i], "/discussions", statuses[i]);
      g_ptr_array_add (remarks, comment (fixture, mrs->pdata[i], "Refused"));
    }
  push (fixture, FALSE, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 0);
  g_assert_cmpuint (outcome.failed, ==, 3);
  g_assert_nonnull (outcome.last_error);
  g_assert_cmpuint (fixture->failures->len, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      NodOutboxAction *remark = remarks->pdata[i];
      Failure *failure = fixture->failures->pdata[i];
      g_autofree char *last_error = row_text (fixture, remark, "last_error");

      assert_row (fixture, remark, "failed");
      g_assert_cmpint (row_int (fixture, remark, "last_status"), ==, statuses[i]);
      g_assert_cmpint (row_int (fixture, remark, "attempts"), ==, 0);
      g_assert_cmpstr (failure->op_id, ==, nod_outbox_action_get_op_id (remark));
      g_assert_cmpuint (failure->status, ==, statuses[i]);
      g_assert_nonnull (failure->reason);
      g_assert_cmpuint (g_utf8_strlen (failure->reason, -1), >, 10);
      g_assert_cmpstr (last_error, ==, failure->reason);
      /* Sent once, not retried. */
      g_assert_cmpuint (count_mr_requests (fixture, "POST", mrs->pdata[i], "/discussions"),
                        ==, 1);
    }
  nod_sync_push_outcome_clear (&outcome);
}

/* The reviewer's own merge request: 401, the approvals say "not approved", GET /user says
 * the token is fine: GitLab will not let them. */
static void
test_approve_401_cannot_approve (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NodForgePage) authored =
    nod_test_server_merge_requests (NOD_FORGE (fixture->observer),
                                    NOD_MERGE_REQUEST_SCOPE_AUTHORED, NULL, 1);
  GPtrArray *items = nod_forge_page_get_items (authored);
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autofree char *last_error = NULL;
  NodMergeRequest *own = NULL;
  NodSyncPushOutcome outcome = { 0, };
  Failure *failure;

  for (guint i = 0; i < items->len && own == NULL; i++)
    if (nod_merge_request_get_state (items->pdata[i]) == NOD_MERGE_REQUEST_OPENED)
      own = items->pdata[i];
  g_assert_nonnull (own);

  approval = approve (fixture, own);
  push (fixture, TRUE, &outcome);

  g_assert_false (outcome.signed_out);
  g_assert_cmpuint (outcome.failed, ==, 1);
  assert_row (fixture, approval, "failed");
  g_assert_cmpint (row_int (fixture, approval, "last_status"), ==, 401);
  last_error = row_text (fixture, approval, "last_error");
  g_assert_cmpstr (last_error, ==, "You can’t approve this merge request");
  g_assert_cmpuint (fixture->failures->len, ==, 1);
  failure = fixture->failures->pdata[0];
  g_assert_cmpuint (failure->status, ==, 401);
  g_assert_cmpstr (failure->reason, ==, last_error);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", own, "/approve"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/user$"), ==, 1);
  nod_sync_push_outcome_clear (&outcome);
}

/* GitLab refuses the token on a comment: the job stops, signed out, and keeps every row
 * as it was, unsent ones unsent. */
static void
test_401_signs_out (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodGitlab) revoked = nod_gitlab_new (fixture->base_url, "glpat-revoked", NULL);
  g_autoptr(NodSyncPushJob) job = new_job_for (fixture, revoked, FALSE);
  g_autoptr(NodOutboxAction) remark = comment (fixture, mrs->pdata[0], "Are you there?");
  g_autoptr(NodOutboxAction) approval = approve (fixture, mrs->pdata[1]);
  NodOutboxAction *rows[] = { remark, approval };
  NodSyncPushOutcome outcome = { 0, };

  push_with (fixture, job, &outcome);

  g_assert_true (outcome.signed_out);
  g_assert_nonnull (outcome.last_error);
  g_assert_cmpuint (outcome.pushed, ==, 0);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      assert_row (fixture, rows[i], "pending");
      g_assert_cmpint (row_int (fixture, rows[i], "attempts"), ==, 0);
      g_assert_cmpint (row_int (fixture, rows[i], "ambiguous"), ==, 0);
      g_assert_cmpint (row_int (fixture, rows[i], "next_attempt_at_us"), ==, 0);
      /* Each row says why it waits: the account must sign in again. */
      assert_reason (fixture, rows[i], 401, "sign in again");
    }
  /* Both went at once (two lanes); each was sent once, and nothing after the refusals. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), <=, 1);
  nod_sync_push_outcome_clear (&outcome);
  nod_test_assert_finalize_soon (g_steal_pointer (&job));
  nod_test_assert_finalize_soon (g_steal_pointer (&revoked));
}

/* 429 with Retry-After: the job stops, blocked until then; the refused action waits for
 * that time, unpunished. Another merge request's approval, sent beside it, went. */
static void
test_429_blocks (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  g_autoptr(NodRateLimit) limit = NULL;
  g_autofree char *path = mr_path (mrs->pdata[0], "/approve");
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"POST\", \"path\": \"%s$\", "
                                            "\"status\": 429, \"retry_after\": 120}", path);
  NodSyncPushOutcome outcome = { 0, };

  add_fault (fixture, fault);
  first = approve (fixture, mrs->pdata[0]);
  second = approve (fixture, mrs->pdata[1]);
  push (fixture, TRUE, &outcome);

  /* GitLab's time, as the forge read it, whatever the answer beside it said. */
  limit = nod_forge_dup_rate_limit (NOD_FORGE (fixture->gitlab));
  g_assert_cmpint (limit->retry_at, >=, nod_clock_get_now_s (fixture->clock) + 120);
  g_assert_cmpint (outcome.blocked_until, ==, limit->retry_at);
  g_assert_false (outcome.signed_out);
  g_assert_cmpuint (outcome.pushed, ==, 1);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_nonnull (outcome.last_error);
  assert_row (fixture, first, "pending");
  g_assert_cmpint (row_int (fixture, first, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, first, "next_attempt_at_us"), ==,
                   outcome.blocked_until * G_USEC_PER_SEC);
  /* It says it waits for the rate limit; the row's next attempt says until when. */
  assert_reason (fixture, first, 429, "rate limit");
  assert_row (fixture, second, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mrs->pdata[0], "/approve"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 2);
  nod_sync_push_outcome_clear (&outcome);

  /* Until then, a job does not send it again. */
  nod_clock_advance (fixture->clock, 60);
  push_all_acked (fixture, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 2);
}

/* 429 with no Retry-After: the throttle's budget headers say until when (the window's
 * reset). */
static void
test_429_without_retry_after (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) remark = NULL;
  g_autoptr(NodRateLimit) limit = NULL;
  NodSyncPushOutcome outcome = { 0, };

  add_status_fault (fixture, mrs->pdata[0], "/discussions", 429);
  remark = comment (fixture, mrs->pdata[0], "Slow down");
  push (fixture, FALSE, &outcome);

  /* The throttle's 429 says its budget is spent until the window resets. */
  limit = nod_forge_dup_rate_limit (NOD_FORGE (fixture->gitlab));
  g_assert_cmpint (limit->remaining, ==, 0);
  g_assert_cmpint (limit->reset_at, >, nod_clock_get_now_s (fixture->clock));
  g_assert_cmpint (limit->reset_at, <=, nod_clock_get_now_s (fixture->clock) + 61);
  g_assert_cmpint (outcome.blocked_until, ==, limit->reset_at);
  assert_row (fixture, remark, "pending");
  g_assert_cmpint (row_int (fixture, remark, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, remark, "next_attempt_at_us"), ==,
                   outcome.blocked_until * G_USEC_PER_SEC);
  assert_reason (fixture, remark, 429, "rate limit");
  nod_sync_push_outcome_clear (&outcome);
}

/* No answer at all (the connection dropped before GitLab read the request): the row says
 * so, with no status, and when it goes next. */
static void
test_dropped_reason (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) remark = NULL;
  g_autofree char *path = mr_path (mrs->pdata[0], "/discussions");
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"POST\", \"path\": \"%s$\", "
                                            "\"drop\": true}", path);
  gint64 now_us = nod_clock_get_now_us (fixture->clock);
  NodSyncPushOutcome outcome = { 0, };

  add_fault (fixture, fault);
  remark = comment (fixture, mrs->pdata[0], "Hello?");
  push (fixture, FALSE, &outcome);

  assert_row (fixture, remark, "pending");
  g_assert_cmpint (row_int (fixture, remark, "attempts"), ==, 1);
  assert_reason (fixture, remark, 0, "GitLab");
  g_assert_cmpint (row_int (fixture, remark, "next_attempt_at_us"), >=,
                   now_us + nod_outbox_backoff_delay (1, 0.0));
  nod_sync_push_outcome_clear (&outcome);
}

/* Someone pushed after the reviewer looked: 409, failed for good, nothing approved. */
static void
test_approve_409_new_commits (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autofree char *commit = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                             "/commit", nod_merge_request_get_project_id (mr),
                                             nod_merge_request_get_iid (mr));
  g_autofree char *last_error = NULL;
  NodSyncPushOutcome outcome = { 0, };

  control (fixture, "POST", commit, "{}");
  approval = approve (fixture, mr);
  push (fixture, TRUE, &outcome);

  g_assert_cmpuint (outcome.failed, ==, 1);
  assert_row (fixture, approval, "failed");
  g_assert_cmpint (row_int (fixture, approval, "last_status"), ==, 409);
  last_error = row_text (fixture, approval, "last_error");
  g_assert_cmpstr (last_error, ==, "New commits since you reviewed");
  g_assert_cmpuint (fixture->failures->len, ==, 1);
  g_assert_cmpuint (((Failure *) fixture->failures->pdata[0])->status, ==, 409);
  g_assert_false (server_has_approved (fixture, mr));
  nod_sync_push_outcome_clear (&outcome);
}

/* ---- ambiguity: read before resending ---- */

/* Two approvals that may have reached GitLab: the one that did is acked on the word of
 * the approvals, the one that did not is sent, once. */
static void
test_ambiguous_approve (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *arrived = mrs->pdata[0];
  NodMergeRequest *lost = mrs->pdata[1];
  g_autoptr(NodOutboxAction) first = approve (fixture, arrived);
  g_autoptr(NodOutboxAction) second = approve (fixture, lost);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NodApprovals) direct = NULL;

  nod_forge_approve_async (NOD_FORGE (fixture->observer),
                           nod_merge_request_get_project_id (arrived),
                           nod_merge_request_get_iid (arrived), NULL, NULL,
                           nod_test_keep_result, &result);
  direct = nod_forge_approve_finish (NOD_FORGE (fixture->observer),
                                     nod_test_wait_for_result (&result), NULL);
  g_assert_nonnull (direct);
  mark_ambiguous (fixture, first);
  mark_ambiguous (fixture, second);
  clear_requests (fixture);

  push_all_acked (fixture, 2);

  assert_row (fixture, first, "done");
  assert_row (fixture, second, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "GET", arrived, "/approvals"), ==, 1);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", arrived, "/approve"), ==, 0);
  g_assert_cmpuint (count_mr_requests (fixture, "GET", lost, "/approvals"), ==, 1);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", lost, "/approve"), ==, 1);
  g_assert_true (server_has_approved (fixture, lost));
}

static guint
notes_with_body (NodDiscussion *discussion,
                 const char    *body)
{
  GPtrArray *notes = nod_discussion_get_notes (discussion);
  guint count = 0;

  for (guint i = 0; i < notes->len; i++)
    count += g_strcmp0 (nod_note_get_body (notes->pdata[i]), body) == 0;
  return count;
}

static guint
server_notes_with_body (Fixture         *fixture,
                        NodMergeRequest *mr,
                        const char      *body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *discussions;
  guint count = 0;

  nod_forge_list_discussions_async (NOD_FORGE (fixture->observer),
                                    nod_merge_request_get_project_id (mr),
                                    nod_merge_request_get_iid (mr), 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    count += notes_with_body (discussions->pdata[i], body);
  return count;
}

/* Two comments that may have reached GitLab: the one that did is found among the threads
 * (ours, same body) and acked with its ids; the other is sent, once. */
static void
test_ambiguous_comment (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *arrived_mr = mrs->pdata[0];
  NodMergeRequest *lost_mr = mrs->pdata[1];
  g_autoptr(NodOutboxAction) arrived = comment (fixture, arrived_mr, "Sent before the crash");
  g_autoptr(NodOutboxAction) lost = comment (fixture, lost_mr, "Never left the laptop");
  g_autoptr(NodDiscussion) thread = server_comment (fixture, arrived_mr,
                                                    "Sent before the crash");
  NodNote *note = g_ptr_array_index (nod_discussion_get_notes (thread), 0);
  g_autofree char *note_id = g_strdup_printf ("%" G_GINT64_FORMAT, nod_note_get_id (note));
  g_autofree char *server_id = NULL;
  g_autofree char *thread_id = NULL;

  mark_ambiguous (fixture, arrived);
  mark_ambiguous (fixture, lost);
  clear_requests (fixture);

  push_all_acked (fixture, 2);

  assert_row (fixture, arrived, "done");
  server_id = row_text (fixture, arrived, "server_id");
  thread_id = row_text (fixture, arrived, "discussion_id");
  g_assert_cmpstr (server_id, ==, note_id);
  g_assert_cmpstr (thread_id, ==, nod_discussion_get_id (thread));
  g_assert_cmpuint (count_mr_requests (fixture, "POST", arrived_mr, "/discussions"), ==, 0);
  g_assert_cmpuint (server_notes_with_body (fixture, arrived_mr, "Sent before the crash"), ==, 1);

  assert_row (fixture, lost, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "POST", lost_mr, "/discussions"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, lost_mr, "Never left the laptop"), ==, 1);
  /* Who "ours" is was asked once for the job. */
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/user$"), ==, 1);
}

/* ---- quick actions ---- */

/* A comment and a reply made only of quick actions: GitLab answers 202 and makes no
 * note; both are done, with nothing to reconcile. */
static void
test_quick_actions_acked (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodMergeRequest *other = mrs->pdata[1];
  g_autoptr(NodDiscussion) thread = server_comment (fixture, other, "Label this?");
  g_autoptr(NodOutboxAction) quick_comment = comment (fixture, mr, "/label ~backend");
  g_autoptr(NodOutboxAction) quick_reply = NULL;
  g_autofree char *comment_server_id = NULL;
  g_autofree char *reply_path = NULL;
  NodSyncPushOutcome outcome = { 0, };

  quick_reply = enqueue (fixture,
                         nod_outbox_action_new_reply (ACCOUNT,
                                                      nod_merge_request_get_project_id (other),
                                                      nod_merge_request_get_iid (other),
                                                      nod_discussion_get_id (thread),
                                                      "/label ~frontend"));
  push (fixture, FALSE, &outcome);

  assert_row (fixture, quick_comment, "done");
  comment_server_id = row_text (fixture, quick_comment, "server_id");
  g_assert_null (comment_server_id);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mr, "/discussions"), ==, 1);

  /* A reply of quick actions only is acked too, once: GitLab ran them and made no note. */
  assert_row (fixture, quick_reply, "done");
  reply_path = g_strdup_printf ("/discussions/%s/notes", nod_discussion_get_id (thread));
  g_assert_cmpuint (count_mr_requests (fixture, "POST", other, reply_path), ==, 1);
  g_assert_cmpuint (outcome.pushed, ==, 2);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_cmpint (row_int (fixture, quick_reply, "attempts"), ==, 0);
  nod_sync_push_outcome_clear (&outcome);
}

/* ---- what GitLab answered, kept ---- */

/* The cache holds @mr as a pull leaves it: its row, approvals and threads. */
static void
cache_merge_request (Fixture         *fixture,
                     NodMergeRequest *mr)
{
  g_autoptr(NodReviewCache) cache = nod_review_cache_new (fixture->store);
  g_autoptr(GPtrArray) mrs = g_ptr_array_new ();
  g_autoptr(NodApprovals) approvals = NULL;
  g_autoptr(NodForgePage) threads = NULL;
  g_autoptr(GPtrArray) all_approvals = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) all_threads =
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GAsyncResult) saved = NULL;
  g_autoptr(GAsyncResult) detailed = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (mrs, mr);
  nod_review_cache_save_merge_requests_async (cache, ACCOUNT,
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, mrs,
                                              NULL, nod_test_keep_result, &saved);
  g_assert_true (nod_review_cache_save_merge_requests_finish (cache,
                                                              nod_test_wait_for_result (&saved),
                                                              NULL, &error));
  g_assert_no_error (error);

  approvals = nod_test_server_approvals (NOD_FORGE (fixture->observer),
                                         nod_merge_request_get_project_id (mr),
                                         nod_merge_request_get_iid (mr));
  threads = nod_test_server_discussions (NOD_FORGE (fixture->observer), mr);
  g_ptr_array_add (all_approvals, g_object_ref (approvals));
  g_ptr_array_add (all_threads, g_ptr_array_ref (nod_forge_page_get_items (threads)));
  nod_review_cache_save_details_async (cache, ACCOUNT, all_approvals, all_threads, NULL, NULL,
                                       NULL,
                                       nod_test_keep_result, &detailed);
  g_assert_true (nod_review_cache_save_details_finish (cache,
                                                       nod_test_wait_for_result (&detailed),
                                                       &error));
  g_assert_no_error (error);
}

/* The cache's note @server_id (a row's server_id), as "THREAD-ID BODY", or NULL. */
static char *
cached_note (Fixture         *fixture,
             NodOutboxAction *action)
{
  g_autofree char *server_id = row_text (fixture, action, "server_id");
  g_autofree char *sql = NULL;

  g_assert_nonnull (server_id);
  sql = g_strdup_printf ("SELECT discussion_id || ' ' || body FROM notes "
                         "WHERE account_id = %d AND id = %s", ACCOUNT, server_id);
  return nod_test_query_text (fixture->store, sql);
}

/* What GitLab answers each write goes into the cache with the ack, so the merge request
 * shows it before any pull: the new thread with its note, the reply, the thread resolved,
 * the approval; and an ambiguous comment found on GitLab, as found. */
static void
test_answers_kept (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodMergeRequest *found_mr = mrs->pdata[1];
  g_autoptr(NodDiscussion) thread = server_comment (fixture, mr, "Is this covered?");
  g_autoptr(NodDiscussion) arrived_thread = NULL;
  g_autoptr(NodOutboxAction) started = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodOutboxAction) arrived = NULL;
  g_autofree char *started_thread = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *note = NULL;
  g_autofree char *sql = NULL;

  cache_merge_request (fixture, mr);
  cache_merge_request (fixture, found_mr);

  started = comment (fixture, mr, "A new thread");
  reply = enqueue (fixture,
                   nod_outbox_action_new_reply (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                nod_merge_request_get_iid (mr),
                                                nod_discussion_get_id (thread),
                                                "Yes, by test-empty."));
  resolve = enqueue (fixture,
                     nod_outbox_action_new_resolve (ACCOUNT,
                                                    nod_merge_request_get_project_id (mr),
                                                    nod_merge_request_get_iid (mr),
                                                    nod_discussion_get_id (thread), TRUE));
  approval = approve (fixture, mr);
  /* Sent before a crash: GitLab has it, the cache does not. */
  arrived = comment (fixture, found_mr, "Sent before the crash");
  arrived_thread = server_comment (fixture, found_mr, "Sent before the crash");
  mark_ambiguous (fixture, arrived);

  push_all_acked (fixture, 5);

  started_thread = row_text (fixture, started, "discussion_id");
  g_assert_false (g_str_has_prefix (started_thread, "local:"));
  expected = g_strdup_printf ("%s A new thread", started_thread);
  note = cached_note (fixture, started);
  g_assert_cmpstr (note, ==, expected);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&note, g_free);

  expected = g_strdup_printf ("%s Yes, by test-empty.", nod_discussion_get_id (thread));
  note = cached_note (fixture, reply);
  g_assert_cmpstr (note, ==, expected);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&note, g_free);

  sql = g_strdup_printf ("SELECT resolved FROM discussions WHERE id = '%s'",
                         nod_discussion_get_id (thread));
  g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT user_has_approved FROM merge_requests WHERE project_id = %"
                         G_GINT64_FORMAT " AND iid = %" G_GINT64_FORMAT,
                         nod_merge_request_get_project_id (mr), nod_merge_request_get_iid (mr));
  g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);

  expected = g_strdup_printf ("%s Sent before the crash", nod_discussion_get_id (arrived_thread));
  note = cached_note (fixture, arrived);
  g_assert_cmpstr (note, ==, expected);
}

/* An answer about a merge request the cache has not seen is left to the next pull: the
 * action is done all the same. */
static void
test_answer_for_uncached (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) started = comment (fixture, mrs->pdata[0], "Not pulled yet");
  g_autoptr(NodOutboxAction) approval = approve (fixture, mrs->pdata[0]);

  push_all_acked (fixture, 2);

  assert_row (fixture, started, "done");
  assert_row (fixture, approval, "done");
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM notes"), ==, 0);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM approvals"),
                   ==, 0);
}

/* ---- pacing ---- */

/* Two notes a minute, three comments: two go, the third waits a minute from the first,
 * by the job's clock, and goes once the clock gets there. */
static void
test_notes_paced (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(GPtrArray) remarks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NodSyncPushJob) job = new_job (fixture, FALSE);
  gint64 first_sent_s = nod_clock_get_now_s (fixture->clock);
  NodOutboxAction *third;
  NodSyncPushOutcome outcome = { 0, };

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (remarks, comment (fixture, mrs->pdata[i], "One of three"));
  third = remarks->pdata[2];

  nod_sync_push_job_set_notes_per_minute (job, 2);
  push_with (fixture, job, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 2);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 2);
  assert_row (fixture, remarks->pdata[0], "done");
  assert_row (fixture, remarks->pdata[1], "done");
  assert_row (fixture, third, "pending");
  g_assert_cmpint (row_int (fixture, third, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, third, "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, third, "next_attempt_at_us"), ==,
                   (first_sent_s + 60) * G_USEC_PER_SEC);
  /* It says why it waits: GitLab's pace for notes, not a failure. */
  assert_reason (fixture, third, 0, "a minute");
  nod_sync_push_outcome_clear (&outcome);

  /* A second short of the minute, nothing goes. */
  nod_clock_advance (fixture->clock, 59);
  push_all_acked (fixture, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 2);

  nod_clock_advance (fixture->clock, 1);
  push_all_acked (fixture, 1);
  assert_row (fixture, third, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mrs->pdata[2], "/discussions"), ==, 1);
}

/* GitLab's own limit on notes, which it tells of only past it (a 429 with Retry-After and
 * no RateLimit-* headers): the note it refused waits until then, unpunished, saying why;
 * the approval beside it goes, and nothing blocks the account. */
static void
test_notes_limit_from_gitlab (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(GPtrArray) remarks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodRateLimit) limit = NULL;
  NodOutboxAction *refused = NULL;
  NodSyncPushOutcome outcome = { 0, };
  gint64 now = nod_clock_get_now_s (fixture->clock);

  control (fixture, "POST", "/__fake/ratelimit", "{\"notes_limit\": 2}");
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (remarks, comment (fixture, mrs->pdata[i], "One of three"));
  approval = approve (fixture, mrs->pdata[0]);

  push (fixture, FALSE, &outcome);

  g_assert_cmpuint (outcome.pushed, ==, 3);
  g_assert_cmpuint (outcome.failed, ==, 0);
  g_assert_false (outcome.signed_out);
  g_assert_cmpint (outcome.blocked_until, ==, 0);
  g_assert_cmpint (outcome.notes_until, >, now);
  g_assert_cmpint (outcome.notes_until, <=, now + 61);
  assert_row (fixture, approval, "done");
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 3);
  for (guint i = 0; i < remarks->len; i++)
    {
      g_autofree char *state = row_text (fixture, remarks->pdata[i], "state");

      if (g_str_equal (state, "pending"))
        {
          g_assert_null (refused);
          refused = remarks->pdata[i];
        }
      else
        g_assert_cmpstr (state, ==, "done");
    }
  g_assert_nonnull (refused);
  g_assert_cmpint (row_int (fixture, refused, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, refused, "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, refused, "next_attempt_at_us"), ==,
                   outcome.notes_until * G_USEC_PER_SEC);
  assert_reason (fixture, refused, 429, "rate limit on comments");

  /* Notes alone wait: the account's budget is not blocked. */
  limit = nod_forge_dup_rate_limit (NOD_FORGE (fixture->gitlab));
  g_assert_cmpint (nod_rate_limit_blocked_until (limit, 0, now), ==, 0);
  g_assert_cmpint (limit->notes_retry_at, ==, outcome.notes_until);
  nod_sync_push_outcome_clear (&outcome);
}

/* ---- several at once ---- */

/* The heads of different lanes go together, each lane still in order: with every new
 * thread held by GitLab, three merge requests' first comments wait at once while the
 * second comment on the first merge request has not gone; once let go, all four are on
 * GitLab, that merge request's two in the order they were written. */
static void
test_lanes_sent_together (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodSyncPushJob) job = new_job (fixture, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  g_autoptr(NodOutboxAction) other = NULL;
  g_autoptr(NodOutboxAction) third_mr = NULL;
  g_autofree char *first_note = NULL;
  g_autofree char *second_note = NULL;
  NodSyncPushOutcome outcome = { 0, };

  g_assert_cmpuint (mrs->len, >=, 3);
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                      "\"gate\": \"threads\", \"times\": 3}");
  first = comment (fixture, mrs->pdata[0], "First on this one");
  second = comment (fixture, mrs->pdata[0], "Second on this one");
  other = comment (fixture, mrs->pdata[1], "On another");
  third_mr = comment (fixture, mrs->pdata[2], "On a third");

  nod_sync_push_job_run_async (job, NULL, nod_test_keep_result, &result);
  nod_test_fake_wait_held (fixture->base_url, "threads", 3);
  g_assert_cmpuint (nod_test_fake_count_held (fixture->base_url, "threads"), ==, 3);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mrs->pdata[0], "/discussions"), ==, 1);
  assert_row (fixture, second, "pending");

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "threads"), ==, 3);
  g_assert_true (nod_sync_push_job_run_finish (job, nod_test_wait_for_result (&result),
                                               &outcome, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (outcome.pushed, ==, 4);
  assert_row (fixture, first, "done");
  assert_row (fixture, second, "done");
  assert_row (fixture, other, "done");
  assert_row (fixture, third_mr, "done");
  /* GitLab numbers notes as they come: the lane kept the order they were written in. */
  first_note = row_text (fixture, first, "server_id");
  second_note = row_text (fixture, second, "server_id");
  g_assert_cmpint (g_ascii_strtoll (first_note, NULL, 10), <,
                   g_ascii_strtoll (second_note, NULL, 10));
  nod_sync_push_outcome_clear (&outcome);
}

/* ---- cancelling ---- */

typedef struct
{
  Fixture         *fixture;
  NodMergeRequest *mr;
} PostWait;

static gboolean
comment_reached_server (gpointer data)
{
  PostWait *wait = data;

  return count_mr_requests (wait->fixture, "POST", wait->mr, "/discussions") > 0;
}

/* Two comments claimed; the first is held by GitLab, unanswered, when the job is
 * cancelled. */
static void
cancel_while_sending (Fixture          *fixture,
                      GPtrArray        *mrs,
                      NodOutboxAction **out_held,
                      NodOutboxAction **out_waiting)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(NodSyncPushJob) job = new_job (fixture, FALSE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = mr_path (mrs->pdata[0], "/discussions");
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"POST\", \"path\": \"%s$\", "
                                            "\"delay_ms\": 600000}", path);
  PostWait wait = { fixture, mrs->pdata[0] };
  NodSyncPushOutcome outcome = { 0, };

  /* One at a time: the second is still waiting its turn when the first is held. */
  nod_sync_push_job_set_parallel (job, 1);
  add_fault (fixture, fault);
  *out_held = comment (fixture, mrs->pdata[0], "Held up");
  *out_waiting = comment (fixture, mrs->pdata[1], "Next in the batch");

  nod_sync_push_job_run_async (job, cancellable, nod_test_keep_result, &result);
  nod_test_wait_until (comment_reached_server, &wait);
  g_cancellable_cancel (cancellable);
  g_assert_false (nod_sync_push_job_run_finish (job, nod_test_wait_for_result (&result),
                                                &outcome, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (outcome.pushed, ==, 0);
  g_assert_cmpuint (outcome.failed, ==, 0);
  nod_sync_push_outcome_clear (&outcome);
}

/* What the job had claimed is pending again, unpunished; the rest of the batch was never
 * sent. */
static void
test_cancel_releases_claimed (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) held = NULL;
  g_autoptr(NodOutboxAction) waiting = NULL;

  cancel_while_sending (fixture, mrs, &held, &waiting);

  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM outbox WHERE state = 'in_flight'"),
                   ==, 0);
  assert_row (fixture, held, "pending");
  assert_row (fixture, waiting, "pending");
  g_assert_cmpint (row_int (fixture, held, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, waiting, "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, waiting, "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, waiting, "next_attempt_at_us"), ==, 0);
  g_assert_cmpuint (count_mr_requests (fixture, "POST", mrs->pdata[1], "/discussions"), ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
}

/* The comment GitLab was holding when the job was cancelled may yet be applied: like a
 * row left in flight by a crash, it must be read for before it is sent again. */
static void
test_cancel_in_flight_is_ambiguous (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  g_autoptr(NodOutboxAction) held = NULL;
  g_autoptr(NodOutboxAction) waiting = NULL;

  cancel_while_sending (fixture, mrs, &held, &waiting);

  assert_row (fixture, held, "pending");
  g_assert_cmpint (row_int (fixture, held, "ambiguous"), ==, 1);
  g_assert_cmpint (row_int (fixture, waiting, "ambiguous"), ==, 0);
}

/* ---- the reviewer's posted notes: edited, deleted ---- */

static NodOutboxAction *
edit_note (Fixture         *fixture,
           NodMergeRequest *mr,
           NodDiscussion   *thread,
           const char      *body)
{
  NodNote *note = g_ptr_array_index (nod_discussion_get_notes (thread), 0);

  return enqueue (fixture,
                  nod_outbox_action_new_edit_note (ACCOUNT, nod_merge_request_get_project_id (mr),
                                                   nod_merge_request_get_iid (mr),
                                                   nod_discussion_get_id (thread),
                                                   nod_note_get_id (note), body));
}

static NodOutboxAction *
delete_note (Fixture         *fixture,
             NodMergeRequest *mr,
             NodDiscussion   *thread)
{
  NodNote *note = g_ptr_array_index (nod_discussion_get_notes (thread), 0);

  return enqueue (fixture,
                  nod_outbox_action_new_delete_note (ACCOUNT,
                                                     nod_merge_request_get_project_id (mr),
                                                     nod_merge_request_get_iid (mr),
                                                     nod_discussion_get_id (thread),
                                                     nod_note_get_id (note)));
}

static char *
note_path (NodDiscussion *thread)
{
  NodNote *note = g_ptr_array_index (nod_discussion_get_notes (thread), 0);

  return g_strdup_printf ("/notes/%" G_GINT64_FORMAT, nod_note_get_id (note));
}

static gint64
cached_notes_of (Fixture       *fixture,
                 NodDiscussion *thread,
                 const char    *body)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT (*) FROM notes WHERE account_id = %d "
                                          "AND discussion_id = '%s' AND body = '%s'", ACCOUNT,
                                          nod_discussion_get_id (thread), body);

  return nod_test_query_int (fixture->store, sql);
}

/* A new text goes once, as a PUT, and is GitLab's and the cache's; a note deleted is gone
 * from both, its thread with it; nothing is created. */
static void
test_posted_note_edited_deleted (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodDiscussion) typo = server_comment (fixture, mr, "Tpyo here");
  g_autoptr(NodDiscussion) regret = server_comment (fixture, mr, "Said too soon");
  g_autoptr(NodDiscussion) gone = NULL;
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) edit = NULL;
  g_autoptr(NodOutboxAction) removal = NULL;
  g_autofree char *typo_path = note_path (typo);
  g_autofree char *regret_path = note_path (regret);
  g_autofree char *thread_sql = NULL;

  cache_merge_request (fixture, mr);
  clear_requests (fixture);
  first = edit_note (fixture, mr, typo, "Typo here");
  edit = edit_note (fixture, mr, typo, "Typo here, fixed");
  g_assert_cmpstr (nod_outbox_action_get_op_id (edit), ==, nod_outbox_action_get_op_id (first));
  removal = delete_note (fixture, mr, regret);

  push_all_acked (fixture, 2);

  assert_row (fixture, edit, "done");
  assert_row (fixture, removal, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "PUT", mr, typo_path), ==, 1);
  g_assert_cmpuint (count_mr_requests (fixture, "DELETE", mr, regret_path), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "."), ==, 0);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Typo here, fixed"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Tpyo here"), ==, 0);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Said too soon"), ==, 0);
  gone = server_thread (fixture, mr, nod_discussion_get_id (regret));
  g_assert_null (gone);

  /* Kept with the acks: the page shows GitLab's state before any pull. */
  g_assert_cmpint (cached_notes_of (fixture, typo, "Typo here, fixed"), ==, 1);
  g_assert_cmpint (cached_notes_of (fixture, typo, "Tpyo here"), ==, 0);
  g_assert_cmpint (cached_notes_of (fixture, regret, "Said too soon"), ==, 0);
  thread_sql = g_strdup_printf ("SELECT COUNT (*) FROM discussions WHERE id = '%s'",
                                nod_discussion_get_id (regret));
  g_assert_cmpint (nod_test_query_int (fixture->store, thread_sql), ==, 0);
}

/* Both may have reached GitLab before their answers were lost: sent again, the text is
 * the same note, and the removal's 404 is done. One note, none twice, nothing failed. */
static void
test_posted_note_ambiguous (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  NodMergeRequest *other = mrs->pdata[1];  /* another lane: a backoff holds back its own */
  g_autoptr(NodDiscussion) kept = server_comment (fixture, mr, "Frist");
  g_autoptr(NodDiscussion) regret = server_comment (fixture, other, "Never mind");
  g_autoptr(NodOutboxAction) edit = NULL;
  g_autoptr(NodOutboxAction) removal = NULL;
  g_autofree char *kept_path = note_path (kept);
  g_autofree char *regret_path = note_path (regret);
  g_autofree char *put_fault = NULL;
  g_autofree char *delete_fault = NULL;
  g_autofree char *full = NULL;
  NodSyncPushOutcome outcome = { 0, };
  gint64 due_us;

  full = mr_path (mr, kept_path);
  put_fault = g_strdup_printf ("{\"method\": \"PUT\", \"path\": \"%s$\", \"status\": 500, "
                               "\"applied\": true, \"times\": 1}", full);
  g_clear_pointer (&full, g_free);
  full = mr_path (other, regret_path);
  delete_fault = g_strdup_printf ("{\"method\": \"DELETE\", \"path\": \"%s$\", \"drop\": true, "
                                  "\"applied\": true, \"times\": 1}", full);
  add_fault (fixture, put_fault);
  add_fault (fixture, delete_fault);
  clear_requests (fixture);
  edit = edit_note (fixture, mr, kept, "First");
  removal = delete_note (fixture, other, regret);

  push (fixture, FALSE, &outcome);
  g_assert_cmpuint (outcome.pushed, ==, 0);
  g_assert_cmpuint (outcome.retrying, ==, 2);
  nod_sync_push_outcome_clear (&outcome);
  assert_row (fixture, edit, "pending");
  assert_row (fixture, removal, "pending");
  g_assert_cmpint (row_int (fixture, edit, "ambiguous"), ==, 1);
  g_assert_cmpint (row_int (fixture, removal, "ambiguous"), ==, 1);
  /* GitLab did both. */
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "First"), ==, 1);
  g_assert_cmpuint (server_notes_with_body (fixture, other, "Never mind"), ==, 0);

  due_us = MAX (row_int (fixture, edit, "next_attempt_at_us"),
                row_int (fixture, removal, "next_attempt_at_us"));
  nod_clock_advance (fixture->clock,
                     (due_us - nod_clock_get_now_us (fixture->clock) + G_USEC_PER_SEC - 1) /
                     G_USEC_PER_SEC);
  push_all_acked (fixture, 2);
  assert_row (fixture, edit, "done");
  assert_row (fixture, removal, "done");
  g_assert_cmpuint (count_mr_requests (fixture, "PUT", mr, kept_path), ==, 2);
  g_assert_cmpuint (count_mr_requests (fixture, "DELETE", other, regret_path), ==, 2);
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "First"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "."), ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
}

/* Another's note: GitLab refuses, and the row says why, for good. A note deleted on
 * GitLab meanwhile can't take a new text. */
static void
test_posted_note_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) mrs = approvable (fixture);
  NodMergeRequest *mr = mrs->pdata[0];
  g_autoptr(NodForgePage) threads = nod_test_server_discussions (NOD_FORGE (fixture->observer),
                                                                 mr);
  NodMergeRequest *other = mrs->pdata[1];  /* a failed action holds back its own lane */
  g_autoptr(NodDiscussion) mine = server_comment (fixture, other, "Soon gone");
  g_autoptr(NodOutboxAction) theirs_edit = NULL;
  g_autoptr(NodOutboxAction) stale_edit = NULL;
  g_autoptr(NodOutboxAction) removal = NULL;
  NodDiscussion *theirs = NULL;
  GPtrArray *items = nod_forge_page_get_items (threads);
  NodSyncPushOutcome outcome = { 0, };

  for (guint i = 0; i < items->len && theirs == NULL; i++)
    {
      NodNote *first = g_ptr_array_index (nod_discussion_get_notes (items->pdata[i]), 0);

      if (!nod_note_get_system (first) &&
          g_strcmp0 (nod_user_get_username (nod_note_get_author (first)),
                     NOD_FAKE_GITLAB_REVIEWER_USERNAME) != 0)
        theirs = items->pdata[i];
    }
  g_assert_nonnull (theirs);

  theirs_edit = edit_note (fixture, mr, theirs, "Not mine to change");
  removal = delete_note (fixture, other, mine);
  push (fixture, FALSE, &outcome);
  g_assert_cmpuint (outcome.pushed, ==, 1);
  g_assert_cmpuint (outcome.failed, ==, 1);
  nod_sync_push_outcome_clear (&outcome);
  assert_row (fixture, theirs_edit, "failed");
  assert_reason (fixture, theirs_edit, 403, "author");
  assert_row (fixture, removal, "done");
  g_assert_cmpuint (server_notes_with_body (fixture, mr, "Not mine to change"), ==, 0);

  stale_edit = edit_note (fixture, other, mine, "Too late");
  push (fixture, FALSE, &outcome);
  g_assert_cmpuint (outcome.failed, ==, 1);
  nod_sync_push_outcome_clear (&outcome);
  assert_row (fixture, stale_edit, "failed");
  assert_reason (fixture, stale_edit, 404, "no longer on GitLab");
  g_assert_cmpuint (fixture->failures->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/sync-push-job/ack/approve", test_approve_acked);
  ADD ("/nod/sync-push-job/claimed/sent-first", test_take_claimed);
  ADD ("/nod/sync-push-job/claimed/cancelled", test_take_claimed_cancelled);
  ADD ("/nod/sync-push-job/ack/approvals-only", test_approvals_only);
  ADD ("/nod/sync-push-job/ack/reply-follows-its-comment", test_reply_follows_its_comment);
  ADD ("/nod/sync-push-job/ack/quick-actions", test_quick_actions_acked);
  ADD ("/nod/sync-push-job/ack/answers-kept", test_answers_kept);
  ADD ("/nod/sync-push-job/ack/answer-for-uncached", test_answer_for_uncached);
  ADD ("/nod/sync-push-job/failure/5xx-transient", test_5xx_transient);
  ADD ("/nod/sync-push-job/failure/403-404-422", test_permanent_refusals);
  ADD ("/nod/sync-push-job/failure/approve-401-cannot-approve", test_approve_401_cannot_approve);
  ADD ("/nod/sync-push-job/failure/401-signs-out", test_401_signs_out);
  ADD ("/nod/sync-push-job/failure/429-blocks", test_429_blocks);
  ADD ("/nod/sync-push-job/failure/429-without-retry-after", test_429_without_retry_after);
  ADD ("/nod/sync-push-job/failure/approve-409", test_approve_409_new_commits);
  ADD ("/nod/sync-push-job/failure/dropped-reason", test_dropped_reason);
  ADD ("/nod/sync-push-job/ambiguous/approve", test_ambiguous_approve);
  ADD ("/nod/sync-push-job/ambiguous/comment", test_ambiguous_comment);
  ADD ("/nod/sync-push-job/pacing/notes-per-minute", test_notes_paced);
  ADD ("/nod/sync-push-job/pacing/notes-limit-from-gitlab", test_notes_limit_from_gitlab);
  ADD ("/nod/sync-push-job/lanes-sent-together", test_lanes_sent_together);
  ADD ("/nod/sync-push-job/cancel/releases-claimed", test_cancel_releases_claimed);
  ADD ("/nod/sync-push-job/cancel/in-flight-is-ambiguous", test_cancel_in_flight_is_ambiguous);
  ADD ("/nod/sync-push-job/posted-note/edited-deleted", test_posted_note_edited_deleted);
  ADD ("/nod/sync-push-job/posted-note/ambiguous", test_posted_note_ambiguous);
  ADD ("/nod/sync-push-job/posted-note/refused", test_posted_note_refused);

#undef ADD

  return g_test_run ();
}
