/* test-sync-pull-job.c: one pull job against the fake GitLab, with a real review cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The job is driven directly (new, set the clock and the history depth, run) and judged
 * by what it leaves: rows in the cache, the cursors, the requests the fake saw, what
 * run_finish says, and the signals. Its time is a manual clock: the rate-limit reserve
 * is waited out by moving it.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-review-cache.h"
#include "nod-sync-pull-details.h"
#include "nod-sync-pull-job.h"
#include "nod-sync-pull-pipelines.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-pull-job-test"
#define ACCOUNT 1
#define LISTS "^/api/v4/merge_requests$"
#define APPROVALS "^/api/v4/projects/\\d+/merge_requests/\\d+/approvals$"
#define REVIEW_CURSOR "merge-requests:review-requested"

typedef struct
{
  NodFakeGitlab  *fake;
  char           *base_url;
  NodStore       *store;
  NodReviewCache *cache;
  NodOutbox      *outbox;
  NodGitlab      *gitlab;    /* the job's */
  NodGitlab      *observer;  /* the test's own look at the server */
  NodClock       *clock;     /* the job's time */

  /* What the running job said. */
  guint           progress_events;
  guint           progress_current;
  guint           progress_total;
  guint           cancel_at;     /* cancel the job when it has stored this many (0: never) */
  GCancellable   *cancellable;
  GPtrArray      *closed;        /* NodMergeRequest, from ::merge-request-closed */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = nod_store_get_default_path ();

  fixture->fake = nod_test_fake_start (TOKEN, &fixture->base_url);
  fixture->store = nod_test_open_store_with_account (path, ACCOUNT);
  fixture->cache = nod_review_cache_new (fixture->store);
  fixture->outbox = nod_outbox_new (fixture->store);
  fixture->gitlab = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);

  /* Now, in whole seconds; it moves only when a test moves it. */
  fixture->clock = nod_clock_new_manual (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);
  fixture->closed = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->outbox));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->cancellable);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
  g_clear_pointer (&fixture->closed, g_ptr_array_unref);
}

/* ---- the fake ---- */

static JsonNode *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json_body)
{
  return nod_test_fake_control (fixture->base_url, method, path, json_body);
}

static void
clear_requests (Fixture *fixture)
{
  g_autoptr(JsonNode) answer = control (fixture, "DELETE", "/__fake/requests", NULL);
}

static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

/* Requests the fake answered with @status. */
static guint
count_answered (Fixture *fixture,
                gint64   status)
{
  g_autoptr(JsonNode) log = control (fixture, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    count += json_object_get_int_member (json_array_get_object_element (requests, i),
                                         "status") == status;
  return count;
}

static GHashTable *
set_of (GPtrArray *strings)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < strings->len; i++)
    g_hash_table_add (set, strings->pdata[i]);
  return set;
}

/* ---- the server, as the observer sees it ---- */

static NodForgePage *
server_page (Fixture              *fixture,
             NodMergeRequestScope  scope,
             GDateTime            *since)
{
  return nod_test_server_merge_requests (NOD_FORGE (fixture->observer), scope, since, 1);
}

static gint64
server_total (Fixture              *fixture,
              NodMergeRequestScope  scope,
              GDateTime            *since)
{
  g_autoptr(NodForgePage) page = server_page (fixture, scope, since);

  g_assert_cmpint (nod_forge_page_get_total (page), >=, 0);
  return nod_forge_page_get_total (page);
}

static char *
approvals_path (NodMergeRequest *mr)
{
  return g_strdup_printf ("/api/v4/projects/%" G_GINT64_FORMAT "/merge_requests/%"
                          G_GINT64_FORMAT "/approvals", nod_merge_request_get_project_id (mr),
                          nod_merge_request_get_iid (mr));
}

/* The approvals paths of the newest hundred merge requests asking for review: what the
 * first page of a pull details. */
static GHashTable *
first_page_details (Fixture *fixture)
{
  g_autoptr(NodForgePage) page = server_page (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                              NULL);
  GPtrArray *items = nod_forge_page_get_items (page);
  GHashTable *paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (items->len, ==, 100);
  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (paths, approvals_path (items->pdata[i]));
  return paths;
}

static NodApprovals *
server_approvals (Fixture         *fixture,
                  NodMergeRequest *mr)
{
  return nod_test_server_approvals (NOD_FORGE (fixture->observer),
                                    nod_merge_request_get_project_id (mr),
                                    nod_merge_request_get_iid (mr));
}

static NodForgePage *
server_discussions (Fixture         *fixture,
                    NodMergeRequest *mr)
{
  NodForgePage *page = nod_test_server_discussions (NOD_FORGE (fixture->observer), mr);

  /* The sample's threads fit on one page. */
  g_assert_cmpuint (nod_forge_page_get_next_page (page), ==, 0);
  return page;
}

/* ---- the cache ---- */

static gint64
cache_count (Fixture    *fixture,
             const char *sql)
{
  return nod_test_query_int (fixture->store, sql);
}

static char *
cursor_member (Fixture    *fixture,
               const char *scope,
               const char *member)
{
  g_autofree char *sql = g_strdup_printf ("SELECT json_extract (cursor, '$.%s') FROM sync_state "
                                          "WHERE account_id = %d AND scope = '%s'", member,
                                          ACCOUNT, scope);

  return nod_test_query_text (fixture->store, sql);
}

/* ---- the job ---- */

static void
on_progress (NodSyncPullJob *job,
             guint           current,
             guint           total,
             Fixture        *fixture)
{
  /* One merge request stored at a time, and never more than the total. */
  g_assert_cmpuint (current, ==, fixture->progress_current + 1);
  g_assert_cmpuint (total, >=, current);
  g_assert_cmpuint (total, >=, fixture->progress_total);
  fixture->progress_events++;
  fixture->progress_current = current;
  fixture->progress_total = total;

  if (fixture->cancel_at != 0 && current == fixture->cancel_at)
    g_cancellable_cancel (fixture->cancellable);
}

static void
on_merge_request_closed (NodSyncPullJob  *job,
                         NodMergeRequest *merge_request,
                         Fixture         *fixture)
{
  g_ptr_array_add (fixture->closed, g_object_ref (merge_request));
}

static NodSyncPullJob *
new_job (Fixture   *fixture,
         GDateTime *since)
{
  g_autoptr(NodDiffCache) diff_cache = nod_diff_cache_new (fixture->store);
  NodSyncPullJob *job = nod_sync_pull_job_new (fixture->cache, diff_cache,
                                               NOD_FORGE (fixture->gitlab), ACCOUNT);

  nod_sync_pull_job_set_clock (job, fixture->clock);
  if (since != NULL)
    nod_sync_pull_job_set_since (job, since);
  g_signal_connect (job, "progress", G_CALLBACK (on_progress), fixture);
  g_signal_connect (job, "merge-request-closed", G_CALLBACK (on_merge_request_closed), fixture);
  fixture->progress_events = 0;
  fixture->progress_current = 0;
  fixture->progress_total = 0;
  return job;
}

typedef struct
{
  guint    pulled;
  gint64   paused_until;
  gboolean history_done;
} PullOutcome;

static gboolean
run_job (Fixture         *fixture,
         GDateTime       *since,
         PullOutcome     *outcome,
         GError         **error)
{
  g_autoptr(NodSyncPullJob) job = new_job (fixture, since);
  g_autoptr(GAsyncResult) result = NULL;
  gboolean succeeded;

  nod_sync_pull_job_run_async (job, fixture->cancellable, nod_test_keep_result, &result);
  succeeded = nod_sync_pull_job_run_finish (job, nod_test_wait_for_result (&result),
                                            &outcome->pulled, &outcome->paused_until, error);
  outcome->history_done = nod_sync_pull_job_get_history_done (job);
  return succeeded;
}

/* Runs one job to its end, which must not be an error. */
static PullOutcome
pull (Fixture   *fixture,
      GDateTime *since)
{
  g_autoptr(GError) error = NULL;
  PullOutcome outcome = { 0, };

  g_assert_true (run_job (fixture, since, &outcome, &error));
  g_assert_no_error (error);
  return outcome;
}

/* ---- a first pull ---- */

/* Every merge request of the three lists, with its approvals and threads as GitLab has
 * them; progress one by one up to its total; the cursors saved, the history complete. */
static void
test_first_pull_stores_all (Fixture       *fixture,
                            gconstpointer  data)
{
  static const NodMergeRequestScope scopes[] = {
    NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
    NOD_MERGE_REQUEST_SCOPE_ASSIGNED,
    NOD_MERGE_REQUEST_SCOPE_AUTHORED,
  };
  g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          g_object_unref);
  g_autoptr(GPtrArray) detailed = NULL;
  g_autoptr(GHashTable) detailed_set = NULL;
  gint64 totals[G_N_ELEMENTS (scopes)];
  guint expected_pulled = 0, approvers = 0, threads = 0, notes = 0;
  GHashTableIter iter;
  gpointer key, value;
  PullOutcome outcome;

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    {
      g_autoptr(NodForgePage) page = server_page (fixture, scopes[i], NULL);
      GPtrArray *items = nod_forge_page_get_items (page);

      totals[i] = nod_forge_page_get_total (page);
      g_assert_cmpint (totals[i], >, 0);
      g_assert_cmpint (totals[i], ==, items->len);
      expected_pulled += (guint) totals[i];
      for (guint j = 0; j < items->len; j++)
        g_hash_table_replace (distinct, approvals_path (items->pdata[j]),
                              g_object_ref (items->pdata[j]));
    }
  g_hash_table_iter_init (&iter, distinct);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(NodApprovals) approvals = server_approvals (fixture, value);
      g_autoptr(NodForgePage) discussions = server_discussions (fixture, value);
      GPtrArray *items = nod_forge_page_get_items (discussions);

      approvers += nod_approvals_get_approved_by (approvals)->len;
      threads += items->len;
      for (guint i = 0; i < items->len; i++)
        notes += nod_discussion_get_notes (items->pdata[i])->len;
    }
  g_assert_cmpuint (approvers, >, 0);
  g_assert_cmpuint (notes, >, threads);
  clear_requests (fixture);

  outcome = pull (fixture, NULL);

  g_assert_cmpuint (outcome.pulled, ==, expected_pulled);
  g_assert_cmpint (outcome.paused_until, ==, 0);
  g_assert_true (outcome.history_done);
  g_assert_cmpuint (fixture->progress_events, ==, expected_pulled);
  g_assert_cmpuint (fixture->progress_current, ==, expected_pulled);
  g_assert_cmpuint (fixture->progress_total, ==, expected_pulled);

  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests"), ==,
                   g_hash_table_size (distinct));
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, totals[0]);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_assignee"),
                   ==, totals[1]);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_author"),
                   ==, totals[2]);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM approvals"), ==, approvers);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM discussions"), ==, threads);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM notes"), ==, notes);

  /* The details of every merge request listed, and of no other. */
  detailed = nod_test_fake_list_requests (fixture->base_url, "GET", APPROVALS);
  detailed_set = set_of (detailed);
  g_assert_cmpuint (g_hash_table_size (detailed_set), ==, g_hash_table_size (distinct));
  g_hash_table_iter_init (&iter, distinct);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_true (g_hash_table_contains (detailed_set, key));

  /* Each list has a cursor to go on from. */
  g_assert_cmpint (cache_count (fixture,
                                "SELECT COUNT (*) FROM sync_state WHERE scope LIKE "
                                "'merge-requests:%' AND json_extract (cursor, '$.updated_after') "
                                "IS NOT NULL"), ==, 3);
}

/* The history is announced by the pull that completes it, and by no later one; a pull of
 * an unchanged server reads the three lists, asks again for the pipelines that had not
 * ended, and nothing more. */
static void
test_history_done_once (Fixture       *fixture,
                        gconstpointer  data)
{
  PullOutcome first, again;
  gint64 unfinished;

  first = pull (fixture, NULL);
  g_assert_true (first.history_done);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM sync_state "
                                         "WHERE scope = 'history'"), ==, 1);
  clear_requests (fixture);

  again = pull (fixture, NULL);
  g_assert_false (again.history_done);
  g_assert_cmpint (again.paused_until, ==, 0);
  g_assert_cmpuint (count_requests (fixture, "GET", LISTS), ==, 3);
  g_assert_cmpuint (count_requests (fixture, "GET", APPROVALS), ==, 0);
  unfinished = cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE "
                                     "state = 'opened' AND pipeline_sha = sha AND "
                                     "pipeline_status IN ('pending', 'running')");
  g_assert_cmpint (unfinished, >=, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "/pipelines$"), ==, unfinished);
  g_assert_cmpuint (count_requests (fixture, NULL, "."), ==, 3 + unfinished);
}

/* One job run twice: the second run tells of itself, not of the first. */
static void
test_job_run_twice (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(NodSyncPullJob) job = new_job (fixture, NULL);
  g_autoptr(NodForgePage) review = server_page (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                NULL);
  NodMergeRequest *mr = nod_forge_page_get_items (review)->pdata[0];
  g_autofree char *comment = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                              "/comment", nod_merge_request_get_project_id (mr),
                                              nod_merge_request_get_iid (mr));
  gboolean history_done[2];
  guint pulled[2];

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      fixture->progress_events = 0;
      fixture->progress_current = 0;
      fixture->progress_total = 0;
      nod_sync_pull_job_run_async (job, NULL, nod_test_keep_result, &result);
      g_assert_true (nod_sync_pull_job_run_finish (job, nod_test_wait_for_result (&result),
                                                   &pulled[run], NULL, &error));
      g_assert_no_error (error);
      history_done[run] = nod_sync_pull_job_get_history_done (job);

      /* Between the runs, someone comments: one merge request changed. */
      if (run == 0)
        {
          g_autoptr(JsonNode) answer = control (fixture, "POST", comment,
                                                "{\"author\": \"amelie\", \"body\": \"Ping\"}");
        }
    }

  g_assert_true (history_done[0]);
  g_assert_cmpuint (pulled[1], >=, 1);
  g_assert_cmpuint (fixture->progress_current, ==, pulled[1]);
  /* The second run reports on itself alone: what it pulled, and not the history. */
  g_assert_false (history_done[1]);
  g_assert_cmpuint (fixture->progress_total, ==, pulled[1]);
}

/* ---- resuming ---- */

/* A pull cancelled half-way down the second page goes on, in the next job, from the page
 * it died on: no page before it is listed or detailed again. */
static void
test_cancelled_pull_resumes (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GHashTable) first_page = NULL;
  g_autoptr(GPtrArray) lists_before = NULL;
  g_autoptr(GPtrArray) lists_after = NULL;
  g_autoptr(GPtrArray) details_before = NULL;
  g_autoptr(GPtrArray) details_after = NULL;
  g_autoptr(GHashTable) listed_before = NULL;
  g_autoptr(GHashTable) detailed_before = NULL;
  g_autofree char *updated_before = NULL;
  g_autoptr(GError) error = NULL;
  const char *died_on;
  PullOutcome cut = { 0, }, resumed;
  gint64 reviews;
  guint detailed_again = 0;

  nod_fake_gitlab_generate (fixture->fake, 260);
  reviews = server_total (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL);
  g_assert_cmpint (reviews, >, 200);
  first_page = first_page_details (fixture);
  clear_requests (fixture);

  fixture->cancellable = g_cancellable_new ();
  fixture->cancel_at = 150;
  g_assert_false (run_job (fixture, NULL, &cut, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* A page's details are stored in one transaction: the page it died on is not. */
  g_assert_cmpuint (cut.pulled, ==, 100);
  g_assert_false (cut.history_done);
  updated_before = cursor_member (fixture, REVIEW_CURSOR, "updated_before");
  g_assert_nonnull (updated_before);
  lists_before = nod_test_fake_list_requests (fixture->base_url, "GET", LISTS);
  details_before = nod_test_fake_list_requests (fixture->base_url, "GET", APPROVALS);
  g_assert_cmpuint (lists_before->len, ==, 2);
  died_on = lists_before->pdata[lists_before->len - 1];
  clear_requests (fixture);

  fixture->cancel_at = 0;
  g_clear_object (&fixture->cancellable);
  resumed = pull (fixture, NULL);

  g_assert_true (resumed.history_done);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  lists_after = nod_test_fake_list_requests (fixture->base_url, "GET", LISTS);
  details_after = nod_test_fake_list_requests (fixture->base_url, "GET", APPROVALS);

  /* It starts where it died, and that is the only page listed twice. */
  g_assert_cmpstr (lists_after->pdata[0], ==, died_on);
  listed_before = set_of (lists_before);
  for (guint i = 1; i < lists_after->len; i++)
    g_assert_false (g_hash_table_contains (listed_before, lists_after->pdata[i]));

  /* Nothing of a finished page is detailed again; of the page it died on, at most that. */
  detailed_before = set_of (details_before);
  for (guint i = 0; i < details_after->len; i++)
    {
      g_assert_false (g_hash_table_contains (first_page, details_after->pdata[i]));
      detailed_again += g_hash_table_contains (detailed_before, details_after->pdata[i]);
    }
  g_assert_cmpuint (detailed_again, <=, 100);
}

/* ---- several requests at once ---- */

/* The details of different merge requests are asked for together, never more than the
 * bound at once: with every approvals request held, the pull waits with exactly that many
 * in flight, and finishes once they are answered. */
static void
test_details_in_flight (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodSyncPullJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *gate = g_strdup_printf ("{\"method\": \"GET\", \"path\": \"/approvals$\", "
                                           "\"gate\": \"approvals\", \"times\": %d}",
                                           NOD_SYNC_PULL_PARALLEL);
  guint pulled = 0;
  gint64 reviews;

  nod_fake_gitlab_generate (fixture->fake, 40);
  reviews = server_total (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL);
  g_assert_cmpint (reviews, >, NOD_SYNC_PULL_PARALLEL);
  clear_requests (fixture);
  nod_test_fake_add_fault (fixture->base_url, gate);

  job = new_job (fixture, NULL);
  nod_sync_pull_job_run_async (job, NULL, nod_test_keep_result, &result);
  nod_test_fake_wait_held (fixture->base_url, "approvals", NOD_SYNC_PULL_PARALLEL);

  /* Every slot is taken by a held request: nothing else has gone. */
  g_assert_cmpuint (nod_test_fake_count_held (fixture->base_url, "approvals"), ==,
                    NOD_SYNC_PULL_PARALLEL);
  g_assert_cmpuint (count_requests (fixture, "GET", APPROVALS), ==, NOD_SYNC_PULL_PARALLEL);
  g_assert_null (result);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM approvals"), ==, 0);

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "approvals"), ==,
                    NOD_SYNC_PULL_PARALLEL);
  g_assert_true (nod_sync_pull_job_run_finish (job, nod_test_wait_for_result (&result),
                                               &pulled, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  g_assert_cmpint (pulled, >=, reviews);
  g_assert_cmpuint (fixture->progress_current, ==, pulled);
}

/* One request of a page failing fails the pull once what was in flight is back: nothing
 * more is asked, none of the page's details are stored, and its cursor stays put, so the
 * next pull asks for the page again. */
static void
test_details_failure (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) first_page = NULL;
  PullOutcome outcome = { 0, };
  guint asked;

  nod_fake_gitlab_generate (fixture->fake, 260);
  first_page = first_page_details (fixture);
  clear_requests (fixture);
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", \"path\": \"/discussions$\", "
                           "\"status\": 500, \"times\": 1}");

  g_assert_false (run_job (fixture, NULL, &outcome, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_SERVER);
  g_assert_cmpuint (outcome.pulled, ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM approvals"), ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM discussions"), ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM sync_state"), ==, 0);
  /* The first thread list failed: at most the rest of a round had gone with it. */
  asked = count_requests (fixture, "GET", APPROVALS);
  g_assert_cmpuint (asked, >=, 1);
  g_assert_cmpuint (asked, <=, NOD_SYNC_PULL_PARALLEL);
}

/* ---- history depth ---- */

/* With a depth of 30 days, the pull asks for and keeps 30 days: exactly the server's. */
static void
test_since_bounds_history (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (nod_clock_get_now_s (fixture->clock));
  g_autoptr(GDateTime) since = g_date_time_add_days (now, -30);
  g_autofree char *since_text = g_date_time_format_iso8601 (since);
  g_autofree char *older_sql = g_strdup_printf ("SELECT COUNT (*) FROM merge_requests WHERE "
                                                "julianday (updated_at) < julianday ('%s')",
                                                since_text);
  g_autoptr(GPtrArray) lists = NULL;
  gint64 reviews, all_reviews;
  PullOutcome outcome;

  nod_fake_gitlab_generate (fixture->fake, 600);
  reviews = server_total (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, since);
  all_reviews = server_total (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL);
  g_assert_cmpint (reviews, >, 0);
  g_assert_cmpint (reviews, <, all_reviews);
  clear_requests (fixture);

  outcome = pull (fixture, since);

  g_assert_true (outcome.history_done);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  g_assert_cmpint (cache_count (fixture, older_sql), ==, 0);
  g_assert_cmpuint (fixture->progress_current, ==, fixture->progress_total);

  /* Every list was asked for from the depth on, not filtered after the fact. */
  lists = nod_test_fake_list_requests (fixture->base_url, "GET", LISTS);
  g_assert_cmpuint (lists->len, >=, 3);
  for (guint i = 0; i < lists->len; i++)
    g_assert_nonnull (strstr (lists->pdata[i], "updated_after="));
  g_assert_cmpuint (count_requests (fixture, "GET", APPROVALS), ==, outcome.pulled);
}

/* ---- the rate-limit reserve ---- */

/* The budget runs down to the reserve: the job stops there, says until when, and keeps
 * its place. Before the reset (by its clock) a job asks nothing; after it, one finishes
 * from that place. */
static void
test_reserve_pauses (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) first_page = NULL;
  g_autoptr(JsonNode) budget = NULL;
  g_autoptr(NodRateLimit) limit = NULL;
  g_autoptr(GPtrArray) details = NULL;
  g_autofree char *updated_before = NULL;
  PullOutcome paused, still, finished;
  gint64 reviews, reset;

  nod_fake_gitlab_generate (fixture->fake, 300);
  reviews = server_total (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL);
  first_page = first_page_details (fixture);
  clear_requests (fixture);
  budget = control (fixture, "POST", "/__fake/ratelimit",
                    "{\"limit\": 2000, \"remaining\": 550, \"reset_in_s\": 600}");
  reset = json_object_get_int_member (json_node_get_object (budget), "reset");
  g_assert_cmpint (reset, >, nod_clock_get_now_s (fixture->clock));

  paused = pull (fixture, NULL);

  g_assert_cmpint (paused.paused_until, ==, reset);
  limit = nod_forge_dup_rate_limit (NOD_FORGE (fixture->gitlab));
  g_assert_cmpint (limit->reset_at, ==, reset);
  /* At the reserve, never past it: with requests in flight it stops as soon as those
   * would reach it, which their answers, out of order, may say a little early. */
  g_assert_cmpint (limit->remaining, <=, NOD_RATE_LIMIT_DEFAULT_RESERVE + NOD_SYNC_PULL_PARALLEL);
  g_assert_cmpint (limit->remaining, >=, NOD_RATE_LIMIT_DEFAULT_RESERVE);
  g_assert_false (paused.history_done);
  g_assert_cmpuint (paused.pulled, >, 100);
  g_assert_cmpint (paused.pulled, <, reviews);
  /* The page it stopped on is stored; not all of it has its details yet. */
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   >=, paused.pulled);
  /* It stopped before GitLab had to refuse anything. */
  g_assert_cmpuint (count_answered (fixture, 429), ==, 0);
  updated_before = cursor_member (fixture, REVIEW_CURSOR, "updated_before");
  g_assert_nonnull (updated_before);

  /* Before the reset, a job asks GitLab nothing. */
  clear_requests (fixture);
  nod_clock_advance (fixture->clock, reset - nod_clock_get_now_s (fixture->clock) - 1);
  still = pull (fixture, NULL);
  g_assert_cmpint (still.paused_until, ==, reset);
  g_assert_cmpuint (still.pulled, ==, 0);
  g_assert_false (still.history_done);
  g_assert_cmpuint (count_requests (fixture, NULL, "."), ==, 0);

  /* The window resets: the next job goes on from the cursor, and completes the history
   * (four requests a merge request, its commits among them, and the changes). */
  {
    g_autoptr(JsonNode) restored = control (fixture, "POST", "/__fake/ratelimit",
                                            "{\"limit\": 3000, \"remaining\": 3000, "
                                            "\"reset_in_s\": 3600}");
  }
  nod_clock_advance (fixture->clock, 1);
  finished = pull (fixture, NULL);
  g_assert_cmpint (finished.paused_until, ==, 0);
  g_assert_true (finished.history_done);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE is_reviewer"),
                   ==, reviews);
  details = nod_test_fake_list_requests (fixture->base_url, "GET", APPROVALS);
  for (guint i = 0; i < details->len; i++)
    g_assert_false (g_hash_table_contains (first_page, details->pdata[i]));
}

/* ---- merged elsewhere ---- */

static NodOutboxAction *
enqueue_comment (Fixture         *fixture,
                 NodMergeRequest *mr,
                 const char      *body)
{
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  draft = nod_outbox_action_new_comment (ACCOUNT, nod_merge_request_get_project_id (mr),
                                         nod_merge_request_get_iid (mr), body);
  nod_outbox_enqueue_async (fixture->outbox, draft, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                            &stored, &error));
  g_assert_no_error (error);
  return stored;
}

static char *
row_text (Fixture         *fixture,
          NodOutboxAction *action,
          const char      *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                                          nod_outbox_action_get_op_id (action));

  return nod_test_query_text (fixture->store, sql);
}

/* Merged on GitLab while the reviewer had a comment waiting on it: the pull fails that
 * comment, with the reason, and says so; a comment on another merge request waits on. */
static void
test_merged_elsewhere (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(NodForgePage) review = server_page (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                NULL);
  GPtrArray *items = nod_forge_page_get_items (review);
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  g_autoptr(NodOutboxAction) orphan = NULL;
  g_autoptr(NodOutboxAction) bystander = NULL;
  g_autofree char *merge = NULL;
  g_autofree char *orphan_state = NULL;
  g_autofree char *orphan_error = NULL;
  g_autofree char *bystander_state = NULL;
  NodMergeRequest *merged, *other;

  for (guint i = 0; i < items->len; i++)
    if (nod_merge_request_get_state (items->pdata[i]) == NOD_MERGE_REQUEST_OPENED)
      g_ptr_array_add (open, items->pdata[i]);
  g_assert_cmpuint (open->len, >=, 2);
  merged = open->pdata[0];
  other = open->pdata[1];

  orphan = enqueue_comment (fixture, merged, "One more thing…");
  bystander = enqueue_comment (fixture, other, "Unrelated");
  merge = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/merge",
                           nod_merge_request_get_project_id (merged),
                           nod_merge_request_get_iid (merged));
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", merge, "{}");
  }

  pull (fixture, NULL);

  orphan_state = row_text (fixture, orphan, "state");
  orphan_error = row_text (fixture, orphan, "last_error");
  g_assert_cmpstr (orphan_state, ==, "failed");
  g_assert_nonnull (orphan_error);
  g_assert_nonnull (strstr (orphan_error, "merged"));
  bystander_state = row_text (fixture, bystander, "state");
  g_assert_cmpstr (bystander_state, ==, "pending");

  g_assert_cmpuint (fixture->closed->len, ==, 1);
  g_assert_cmpint (nod_merge_request_get_project_id (fixture->closed->pdata[0]), ==,
                   nod_merge_request_get_project_id (merged));
  g_assert_cmpint (nod_merge_request_get_iid (fixture->closed->pdata[0]), ==,
                   nod_merge_request_get_iid (merged));
  g_assert_cmpint (nod_merge_request_get_state (fixture->closed->pdata[0]), ==,
                   NOD_MERGE_REQUEST_MERGED);
}

/* ---- what a reviewer looks at before approving ---- */

static char *
cached_text (Fixture    *fixture,
             gint64      project_id,
             gint64      iid,
             const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM merge_requests WHERE account_id = %d "
                                          "AND project_id = %" G_GINT64_FORMAT
                                          " AND iid = %" G_GINT64_FORMAT,
                                          column, ACCOUNT, project_id, iid);

  return nod_test_query_text (fixture->store, sql);
}

/* GETs of a pipelines list asking for one pipeline, the newest. */
static guint
count_newest_pipeline_asks (Fixture *fixture)
{
  g_autoptr(JsonNode) log = control (fixture, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *query = json_object_get_string_member_with_default (request, "query", "");

      if (g_str_has_suffix (json_object_get_string_member (request, "path"), "/pipelines") &&
          query != NULL && strstr (query, "per_page=1") != NULL &&
          strstr (query, "per_page=10") == NULL)
        count++;
    }
  return count;
}

/* Each merge request's newest pipeline comes with its details, one request each: kept
 * when it ran on the head (with a status Nod does not know kept as "unknown"), none when
 * it ran on an older push or GitLab will not show pipelines. Labels come with the merge
 * request, suggested approvers with its approvals. */
static void
test_pipeline_and_labels (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *passed = NULL, *passed_sha = NULL, *head = NULL, *odd = NULL;
  g_autofree char *older = NULL, *hidden = NULL, *labels = NULL, *suggested = NULL;
  g_autofree char *web_url = NULL;
  PullOutcome outcome;

  /* !104: a status GitLab may add one day; !109: a push after its pipeline; !111: a
   * project whose pipelines the reviewer may not see. */
  {
    g_autoptr(JsonNode) a = control (fixture, "POST", "/__fake/mr/11/104/pipeline",
                                     "{\"status\": \"<b>exploded</b>\"}");
    g_autoptr(JsonNode) b = control (fixture, "POST", "/__fake/mr/11/109/commit", "{}");
  }
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", "
                           "\"path\": \"/merge_requests/111/pipelines$\", "
                           "\"status\": 403, \"times\": 10}");
  clear_requests (fixture);

  outcome = pull (fixture, NULL);

  /* One pipelines request a merge request, asking for the newest only. */
  g_assert_cmpuint (count_requests (fixture, "GET", "/pipelines$"), ==, outcome.pulled);
  g_assert_cmpuint (count_newest_pipeline_asks (fixture), ==, outcome.pulled);

  passed = cached_text (fixture, 11, 101, "pipeline_status");
  passed_sha = cached_text (fixture, 11, 101, "pipeline_sha");
  head = cached_text (fixture, 11, 101, "sha");
  web_url = cached_text (fixture, 11, 101, "pipeline_web_url");
  g_assert_cmpstr (passed, ==, "success");
  g_assert_cmpstr (passed_sha, ==, head);
  g_assert_true (g_str_has_prefix (web_url, fixture->base_url));
  odd = cached_text (fixture, 11, 104, "pipeline_status");
  g_assert_cmpstr (odd, ==, "unknown");
  older = cached_text (fixture, 11, 109, "pipeline_status");
  g_assert_null (older);
  hidden = cached_text (fixture, 11, 111, "pipeline_status");
  g_assert_null (hidden);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                         "WHERE project_id = 11 AND iid = 102 "
                                         "AND pipeline_id IS NULL"), ==, 1);

  labels = cached_text (fixture, 11, 101, "labels");
  g_assert_cmpstr (labels, ==, "[\"sync\",\"performance\"]");
  suggested = cached_text (fixture, 11, 101, "suggested_approvers");
  g_assert_true (g_str_has_prefix (suggested,
                                   "[{\"username\":\"sam\",\"name\":\"Sam Okafor\","));
}

/* GETs of a commits list asking for a whole first page. */
static guint
count_commits_pages (Fixture *fixture)
{
  g_autoptr(JsonNode) log = control (fixture, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *query = json_object_get_string_member_with_default (request, "query", "");

      if (g_str_has_suffix (json_object_get_string_member (request, "path"), "/commits") &&
          query != NULL && strstr (query, "per_page=100") != NULL &&
          strstr (query, "page=1") != NULL)
        count++;
    }
  return count;
}

/* A merge request's commits come with its details, a first page of them, only while its
 * head is not the one they were pulled at: a pull that finds it changed otherwise (a
 * label, a comment) does not ask again. A push does. */
static void
test_commits_follow_the_head (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *head = NULL, *pulled_at = NULL, *newest = NULL, *title = NULL;
  g_autofree char *new_head = NULL, *second = NULL, *hidden_at = NULL;
  PullOutcome outcome;

  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", "
                           "\"path\": \"/merge_requests/111/commits$\", "
                           "\"status\": 403, \"times\": 10}");
  clear_requests (fixture);
  outcome = pull (fixture, NULL);

  /* One commits request a merge request, for a whole first page: one on two lists is
   * detailed twice, its commits asked for once. */
  g_assert_cmpuint (outcome.pulled, >, cache_count (fixture, "SELECT COUNT (*) FROM merge_requests"));
  g_assert_cmpuint (count_requests (fixture, "GET", "/commits$"), ==,
                    cache_count (fixture, "SELECT COUNT (*) FROM merge_requests"));
  g_assert_cmpuint (count_commits_pages (fixture), ==,
                    cache_count (fixture, "SELECT COUNT (*) FROM merge_requests"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET",
                                                  "/merge_requests/101/commits$"), ==, 1);
  head = cached_text (fixture, 11, 101, "sha");
  pulled_at = cached_text (fixture, 11, 101, "commits_sha");
  g_assert_cmpstr (pulled_at, ==, head);
  newest = nod_test_query_text (fixture->store,
                                "SELECT sha FROM merge_request_commits WHERE project_id = 11 "
                                "AND iid = 101 AND position = 0");
  g_assert_cmpstr (newest, ==, head);
  title = nod_test_query_text (fixture->store,
                               "SELECT title FROM merge_request_commits WHERE project_id = 11 "
                               "AND iid = 101 AND position = 0");
  g_assert_cmpstr (title, ==, "Sync engine: push approvals within a second");
  g_assert_cmpint (cache_count (fixture, "SELECT commits_total FROM merge_requests "
                                         "WHERE project_id = 11 AND iid = 101"), ==, 4);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_request_commits "
                                         "WHERE project_id = 11 AND iid = 101"), ==, 4);
  /* Commits GitLab will not show are none, and the pull goes on. */
  hidden_at = cached_text (fixture, 11, 111, "commits_sha");
  g_assert_nonnull (hidden_at);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_request_commits "
                                         "WHERE project_id = 11 AND iid = 111"), ==, 0);

  /* A label moves !101's updated_at, not its head: its details again, not its commits. */
  {
    g_autoptr(JsonNode) labelled = control (fixture, "POST", "/__fake/mr/11/101/labels",
                                            "{\"labels\": [\"sync\"]}");
  }
  clear_requests (fixture);
  outcome = pull (fixture, NULL);
  g_assert_cmpuint (outcome.pulled, >=, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "/merge_requests/101/approvals$"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "/commits$"), ==, 0);

  /* A push: its commits are asked for again, the new one first. */
  {
    g_autoptr(JsonNode) pushed = control (fixture, "POST", "/__fake/mr/11/101/commit", "{}");

    new_head = g_strdup (json_object_get_string_member (json_node_get_object (pushed), "sha"));
  }
  clear_requests (fixture);
  outcome = pull (fixture, NULL);
  g_assert_cmpuint (count_requests (fixture, "GET", "/commits$"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "/merge_requests/101/commits$"), ==, 1);
  g_clear_pointer (&newest, g_free);
  newest = nod_test_query_text (fixture->store,
                                "SELECT sha FROM merge_request_commits WHERE project_id = 11 "
                                "AND iid = 101 AND position = 0");
  g_assert_cmpstr (newest, ==, new_head);
  second = nod_test_query_text (fixture->store,
                                "SELECT sha FROM merge_request_commits WHERE project_id = 11 "
                                "AND iid = 101 AND position = 1");
  g_assert_cmpstr (second, ==, head);
  g_assert_cmpint (cache_count (fixture, "SELECT commits_total FROM merge_requests "
                                         "WHERE project_id = 11 AND iid = 101"), ==, 5);
}

/* A pipeline that ends does not move its merge request's updated_at on GitLab: an
 * incremental pull asks again for the pipeline of every open merge request whose cached
 * one has not ended, and only those, and keeps what GitLab says now. */
static void
test_unfinished_pipelines_refreshed (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autofree char *before = NULL, *after = NULL, *updated_before = NULL, *updated_after = NULL;
  g_autofree char *passed = NULL;
  gint64 unfinished;
  PullOutcome outcome;

  pull (fixture, NULL);
  before = cached_text (fixture, 11, 111, "pipeline_status");
  g_assert_cmpstr (before, ==, "pending");
  unfinished = cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE "
                                     "state = 'opened' AND pipeline_sha = sha AND "
                                     "pipeline_status IN ('created', 'waiting_for_resource', "
                                     "'preparing', 'pending', 'running', 'scheduled')");
  g_assert_cmpint (unfinished, >=, 1);

  /* Running, then passed: GitLab leaves the merge request as it was. */
  updated_before = cached_text (fixture, 11, 111, "updated_at");
  {
    g_autoptr(JsonNode) running = control (fixture, "POST", "/__fake/mr/11/111/pipeline",
                                           "{\"status\": \"running\"}");
    g_autoptr(JsonNode) succeeded = control (fixture, "POST", "/__fake/mr/11/111/pipeline",
                                             "{\"status\": \"success\"}");
  }
  clear_requests (fixture);
  outcome = pull (fixture, NULL);

  g_assert_cmpuint (outcome.pulled, ==, 0);
  after = cached_text (fixture, 11, 111, "pipeline_status");
  g_assert_cmpstr (after, ==, "success");
  updated_after = cached_text (fixture, 11, 111, "updated_at");
  g_assert_cmpstr (updated_after, ==, updated_before);
  /* One newest-pipeline request for each that had not ended, none for one that had. */
  g_assert_cmpuint (count_requests (fixture, "GET", "/pipelines$"), ==, unfinished);
  g_assert_cmpuint (count_newest_pipeline_asks (fixture), ==, unfinished);
  g_assert_cmpuint (count_requests (fixture, "GET", "/merge_requests/101/pipelines$"), ==, 0);
  passed = cached_text (fixture, 11, 101, "pipeline_status");
  g_assert_cmpstr (passed, ==, "success");

  /* Ended: the next pull asks for it no more. */
  clear_requests (fixture);
  pull (fixture, NULL);
  g_assert_cmpuint (count_requests (fixture, "GET", "/merge_requests/111/pipelines$"), ==, 0);
}

/* Asked again a bounded number a pull, the most recently changed first: the rest wait for
 * the next pull. One GitLab shows no pipeline for any more is left with none. */
static void
test_unfinished_pipelines_bounded (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *newest_sql = NULL;
  gint64 open_count, unfinished;
  guint wanted = NOD_SYNC_PULL_PIPELINES_MAX + 10;

  nod_fake_gitlab_generate (fixture->fake, 100);
  pull (fixture, NULL);
  open_count = cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                     "WHERE state = 'opened'");
  g_assert_cmpint (open_count, >=, wanted);

  /* As a pull would have left them had their pipelines been running then. */
  newest_sql = g_strdup_printf ("UPDATE merge_requests SET pipeline_id = 1, pipeline_sha = sha, "
                                "pipeline_status = 'running' WHERE (project_id, iid) IN (SELECT "
                                "project_id, iid FROM merge_requests WHERE state = 'opened' AND sha IS NOT NULL "
                                "ORDER BY updated_at DESC, id DESC LIMIT %u)", wanted);
  nod_test_exec (fixture->store, newest_sql);
  unfinished = cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                     "WHERE pipeline_status = 'running'");
  g_assert_cmpint (unfinished, ==, wanted);

  clear_requests (fixture);
  pull (fixture, NULL);
  g_assert_cmpuint (count_requests (fixture, "GET", "/pipelines$"), ==,
                    NOD_SYNC_PULL_PIPELINES_MAX);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                         "WHERE pipeline_status = 'running'"), ==,
                   wanted - NOD_SYNC_PULL_PIPELINES_MAX);

  clear_requests (fixture);
  pull (fixture, NULL);
  g_assert_cmpuint (count_requests (fixture, "GET", "/pipelines$"), ==,
                    wanted - NOD_SYNC_PULL_PIPELINES_MAX);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                         "WHERE pipeline_status = 'running'"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/sync-pull-job/first-pull/stores-all", test_first_pull_stores_all);
  ADD ("/nod/sync-pull-job/first-pull/history-done-once", test_history_done_once);
  ADD ("/nod/sync-pull-job/run-twice", test_job_run_twice);
  ADD ("/nod/sync-pull-job/cursor/cancelled-resumes", test_cancelled_pull_resumes);
  ADD ("/nod/sync-pull-job/since/bounds-history", test_since_bounds_history);
  ADD ("/nod/sync-pull-job/reserve/pauses-and-resumes", test_reserve_pauses);
  ADD ("/nod/sync-pull-job/merged-elsewhere", test_merged_elsewhere);
  ADD ("/nod/sync-pull-job/details/in-flight", test_details_in_flight);
  ADD ("/nod/sync-pull-job/details/failure", test_details_failure);
  ADD ("/nod/sync-pull-job/details/pipeline-and-labels", test_pipeline_and_labels);
  ADD ("/nod/sync-pull-job/details/commits-follow-the-head", test_commits_follow_the_head);
  ADD ("/nod/sync-pull-job/pipelines/unfinished-refreshed", test_unfinished_pipelines_refreshed);
  ADD ("/nod/sync-pull-job/pipelines/unfinished-bounded", test_unfinished_pipelines_bounded);

#undef ADD

  return g_test_run ();
}
