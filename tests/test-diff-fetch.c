/* test-diff-fetch.c: a pull keeps the changes of open merge requests, against the fake GitLab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pull job is run to its end and judged by what the diff cache keeps (rows, texts) and
 * by the requests the fake saw: each text fetched once, a new head fetching only what it
 * changed, four texts at a time at most, refusals left for the next pull, the reserve kept.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-diff-cache.h"
#include "nod-diff-fetch.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-review-cache.h"
#include "nod-sync-pull-job.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-diff-fetch-test"
#define ACCOUNT 1
#define PROJECT 11
#define VERSIONS "^/api/v4/projects/\\d+/merge_requests/\\d+/versions$"
#define DIFFS "^/api/v4/projects/\\d+/merge_requests/\\d+/diffs$"
#define RAW "^/api/v4/projects/\\d+/repository/files/[^/]+/raw$"

typedef struct
{
  NodFakeGitlab  *fake;
  char           *base_url;
  NodStore       *store;
  NodReviewCache *cache;
  NodDiffCache   *diff_cache;
  NodGitlab      *gitlab;
  NodGitlab      *observer;
  NodClock       *clock;
  guint           texts_fetched;
  guint           texts_wanted;
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
  fixture->diff_cache = nod_diff_cache_new (fixture->store);
  fixture->gitlab = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  fixture->clock = nod_clock_new_manual (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->diff_cache));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
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
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, "GET", pattern);
}

/* A merge request for sam to review whose change adds @files (a JSON object of path ->
 * text); its iid. */
static gint64
new_merge_request (Fixture    *fixture,
                   const char *files_json)
{
  g_autofree char *body = g_strdup_printf ("{\"project_id\": %d, \"title\": \"Diff fetch\", "
                                           "\"author\": \"amelie\", \"reviewers\": [\"sam\"], "
                                           "\"files\": %s}",
                                           PROJECT, files_json);
  g_autoptr(JsonNode) created = control (fixture, "POST", "/__fake/mr", body);

  return json_object_get_int_member (json_node_get_object (created), "iid");
}

/* Pushes a commit changing @files_json; the new head's sha. */
static char *
push (Fixture    *fixture,
      gint64      iid,
      const char *files_json)
{
  g_autofree char *path = g_strdup_printf ("/__fake/mr/%d/%" G_GINT64_FORMAT "/commit",
                                           PROJECT, iid);
  g_autofree char *body = g_strdup_printf ("{\"files\": %s}", files_json);
  g_autoptr(JsonNode) answer = control (fixture, "POST", path, body);
  JsonObject *object = json_node_get_object (answer);

  if (json_object_has_member (object, "sha"))
    return g_strdup (json_object_get_string_member (object, "sha"));
  return g_strdup (json_object_get_string_member (object, "head_sha"));
}

/* ---- the job ---- */

static void
on_texts_progress (NodSyncPullJob *job,
                   guint           fetched,
                   guint           wanted,
                   Fixture        *fixture)
{
  g_assert_cmpuint (fetched, <=, wanted);
  g_assert_cmpuint (fetched, >=, fixture->texts_fetched);
  fixture->texts_fetched = fetched;
  fixture->texts_wanted = wanted;
}

static NodSyncPullJob *
new_job (Fixture *fixture)
{
  NodSyncPullJob *job = nod_sync_pull_job_new (fixture->cache, fixture->diff_cache,
                                               NOD_FORGE (fixture->gitlab), ACCOUNT);

  nod_sync_pull_job_set_clock (job, fixture->clock);
  g_signal_connect (job, "texts-progress", G_CALLBACK (on_texts_progress), fixture);
  fixture->texts_fetched = 0;
  fixture->texts_wanted = 0;
  return job;
}

/* Runs one job to its end, which must not be an error; until when it paused. */
static gint64
pull (Fixture *fixture)
{
  g_autoptr(NodSyncPullJob) job = new_job (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint pulled = 0;
  gint64 paused_until = 0;

  nod_sync_pull_job_run_async (job, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_sync_pull_job_run_finish (job, nod_test_wait_for_result (&result), &pulled,
                                               &paused_until, &error));
  g_assert_no_error (error);
  return paused_until;
}

static gint64
cache_count (Fixture    *fixture,
             const char *sql)
{
  return nod_test_query_int (fixture->store, sql);
}

static NodMergeRequestDiff *
load_diff (Fixture    *fixture,
           gint64      iid,
           const char *head)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodMergeRequestDiff *diff;

  nod_diff_cache_load_diff_async (fixture->diff_cache, ACCOUNT, PROJECT, iid, head, NULL,
                                  nod_test_keep_result, &result);
  diff = nod_diff_cache_load_diff_finish (fixture->diff_cache,
                                          nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return diff;
}

static GBytes *
load_blob (Fixture    *fixture,
           const char *sha)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  nod_diff_cache_load_blob_async (fixture->diff_cache, sha, NULL, nod_test_keep_result,
                                  &result);
  bytes = nod_diff_cache_load_blob_finish (fixture->diff_cache,
                                           nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return bytes;
}

static void
assert_text (Fixture    *fixture,
             const char *sha,
             const char *expected)
{
  g_autoptr(GBytes) bytes = NULL;

  g_assert_nonnull (sha);
  bytes = load_blob (fixture, sha);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

static gint64
complete_at (Fixture    *fixture,
             gint64      iid,
             const char *head)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COALESCE ((SELECT complete FROM "
                                          "diff_versions WHERE iid = %" G_GINT64_FORMAT
                                          " AND head_sha = '%s'), -1)",
                                          iid, head);

  return cache_count (fixture, sql);
}

/* ---- tests ---- */

/* A first pull keeps the change of every open merge request whole, as GitLab serves it;
 * a pull with nothing new asks nothing about changes. */
static void
test_first_pull_keeps_changes (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) server_files = NULL;
  g_autoptr(NodMergeRequestDiff) kept = NULL;
  g_autoptr(GBytes) server_text = NULL;
  GPtrArray *files;
  NodDiffFile *shown = NULL;
  gint64 iid;

  g_assert_cmpint (pull (fixture), ==, 0);

  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests "
                                         "WHERE state = 'opened'"), >, 3);
  g_assert_cmpint (cache_count (fixture,
                                "SELECT COUNT (*) FROM merge_requests AS m WHERE "
                                "m.state = 'opened' AND NOT EXISTS (SELECT 1 FROM "
                                "diff_versions AS v WHERE v.project_id = m.project_id AND "
                                "v.iid = m.iid AND v.head_sha = m.sha AND v.complete)"), ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM diff_versions AS v JOIN "
                                         "merge_requests AS m USING (account_id, project_id, "
                                         "iid) WHERE m.state != 'opened'"), ==, 0);
  g_assert_cmpuint (fixture->texts_fetched, ==, fixture->texts_wanted);
  g_assert_cmpuint (fixture->texts_wanted, >, 0);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, fixture->texts_wanted);

  /* One of them, file by file, as the server has it. */
  iid = cache_count (fixture, "SELECT iid FROM merge_requests WHERE state = 'opened' AND "
                              "project_id = 11 ORDER BY iid LIMIT 1");
  kept = load_diff (fixture, iid, NULL);
  g_assert_nonnull (kept);
  nod_forge_list_diffs_async (NOD_FORGE (fixture->observer), PROJECT, iid, 1, NULL,
                              nod_test_keep_result, &result);
  server_files = nod_forge_list_diffs_finish (NOD_FORGE (fixture->observer),
                                              nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  files = nod_merge_request_diff_get_files (kept);
  g_assert_cmpuint (files->len, ==, nod_forge_page_get_items (server_files)->len);
  for (guint i = 0; i < files->len; i++)
    {
      NodDiffFile *server_file = nod_forge_page_get_items (server_files)->pdata[i];

      g_assert_cmpstr (nod_diff_file_get_path (files->pdata[i]), ==,
                       nod_diff_file_get_path (server_file));
      g_assert_cmpstr (nod_diff_file_get_diff (files->pdata[i]), ==,
                       nod_diff_file_get_diff (server_file));
      if (shown == NULL && nod_diff_file_get_new_blob (files->pdata[i]) != NULL)
        shown = files->pdata[i];
    }
  g_assert_nonnull (shown);
  /* A changed file has its old text too, as it is at the base. */
  for (guint i = 0; i < files->len; i++)
    if (nod_diff_file_get_status (files->pdata[i]) == NOD_DIFF_FILE_STATUS_MODIFIED &&
        nod_diff_file_get_visibility (files->pdata[i]) == NOD_DIFF_FILE_SHOWN)
      {
        g_autoptr(GAsyncResult) old_result = NULL;
        g_autoptr(GBytes) old_text = NULL;
        g_autoptr(GBytes) kept_old = NULL;

        nod_forge_get_raw_file_async (NOD_FORGE (fixture->observer), PROJECT,
                                      nod_diff_file_get_old_path (files->pdata[i]),
                                      nod_merge_request_diff_get_base_sha (kept), NULL,
                                      nod_test_keep_result, &old_result);
        old_text = nod_forge_get_raw_file_finish (NOD_FORGE (fixture->observer),
                                                  nod_test_wait_for_result (&old_result),
                                                  &error);
        g_assert_no_error (error);
        g_assert_nonnull (nod_diff_file_get_old_blob (files->pdata[i]));
        kept_old = load_blob (fixture, nod_diff_file_get_old_blob (files->pdata[i]));
        g_assert_nonnull (kept_old);
        g_assert_true (g_bytes_equal (kept_old, old_text));
      }
  g_clear_object (&result);
  nod_forge_get_raw_file_async (NOD_FORGE (fixture->observer), PROJECT,
                                nod_diff_file_get_new_path (shown),
                                nod_merge_request_diff_get_head_sha (kept), NULL,
                                nod_test_keep_result, &result);
  server_text = nod_forge_get_raw_file_finish (NOD_FORGE (fixture->observer),
                                               nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) kept_text = load_blob (fixture, nod_diff_file_get_new_blob (shown));

    g_assert_nonnull (kept_text);
    g_assert_true (g_bytes_equal (kept_text, server_text));
  }

  clear_requests (fixture);
  g_assert_cmpint (pull (fixture), ==, 0);
  g_assert_cmpuint (count_requests (fixture, VERSIONS), ==, 0);
  g_assert_cmpuint (count_requests (fixture, DIFFS), ==, 0);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 0);
}

/* A new head fetches its diff again, but only the texts of the files it changed. */
static void
test_new_head_fetches_what_changed (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 iid = new_merge_request (fixture, "{\"src/keep.c\": \"int keep;\\n\", "
                                           "\"src/edit.c\": \"int edit;\\n\"}");
  g_autoptr(NodMergeRequestDiff) first = NULL;
  g_autoptr(NodMergeRequestDiff) second = NULL;
  g_autofree char *head = NULL;
  g_autofree char *first_head = NULL;
  NodDiffFile *keep, *edit;

  pull (fixture);
  first = load_diff (fixture, iid, NULL);
  g_assert_nonnull (first);
  g_assert_cmpuint (nod_merge_request_diff_get_files (first)->len, ==, 2);
  first_head = g_strdup (nod_merge_request_diff_get_head_sha (first));
  keep = nod_merge_request_diff_find_file (first, "src/keep.c");
  assert_text (fixture, nod_diff_file_get_new_blob (keep), "int keep;\n");

  head = push (fixture, iid, "{\"src/edit.c\": \"int edit;\\nint more;\\n\"}");
  clear_requests (fixture);
  pull (fixture);

  second = load_diff (fixture, iid, NULL);
  g_assert_nonnull (second);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (second), !=, first_head);
  g_assert_cmpint (complete_at (fixture, iid, nod_merge_request_diff_get_head_sha (second)),
                   ==, 1);
  /* The first head went: no one approved at it. */
  g_assert_cmpint (complete_at (fixture, iid, first_head), ==, -1);
  g_assert_cmpuint (count_requests (fixture, VERSIONS), ==, 1);
  g_assert_cmpuint (count_requests (fixture, DIFFS), ==, 1);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 1);

  keep = nod_merge_request_diff_find_file (second, "src/keep.c");
  edit = nod_merge_request_diff_find_file (second, "src/edit.c");
  assert_text (fixture, nod_diff_file_get_new_blob (keep), "int keep;\n");
  assert_text (fixture, nod_diff_file_get_new_blob (edit), "int edit;\nint more;\n");
}

static gboolean
job_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* Texts are fetched four at a time: while four are unanswered no fifth is asked for. */
static void
test_texts_four_at_a_time (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GString) files = g_string_new ("{");
  g_autoptr(NodSyncPullJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 iid;

  for (guint i = 0; i < 9; i++)
    g_string_append_printf (files, "%s\"src/f%u.c\": \"int f%u;\\n\"", i ? ", " : "", i, i);
  g_string_append (files, "}");
  pull (fixture);
  iid = new_merge_request (fixture, files->str);
  clear_requests (fixture);
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", \"path\": \"/repository/files/.*/raw$\", "
                           "\"gate\": \"texts\", \"times\": " G_STRINGIFY (NOD_DIFF_FETCH_PARALLEL)
                           "}");

  job = new_job (fixture);
  nod_sync_pull_job_run_async (job, NULL, nod_test_keep_result, &result);
  nod_test_fake_wait_held (fixture->base_url, "texts", NOD_DIFF_FETCH_PARALLEL);
  /* Everything the job had to do while they are held is done: a round trip to the fake
   * after the job's own. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (nod_test_fake_count_held (fixture->base_url, "texts"), ==,
                    NOD_DIFF_FETCH_PARALLEL);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, NOD_DIFF_FETCH_PARALLEL);
  g_assert_null (result);

  nod_test_fake_release (fixture->base_url, "texts");
  nod_test_wait_until (job_done, &result);
  g_assert_true (nod_sync_pull_job_run_finish (job, result, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 9);
  g_assert_cmpuint (fixture->texts_fetched, ==, 9);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM diff_files WHERE iid = (SELECT "
                                         "MAX (iid) FROM merge_requests WHERE project_id = 11) "
                                         "AND new_blob IS NOT NULL"), ==, 9);
  g_assert_cmpint (iid, >, 0);
}

/* A text GitLab failed to send (a 5xx) leaves the change not whole: the next pull fetches
 * that text, and only it. A file GitLab says is not there (404) is as good as fetched. */
static void
test_refused_text_retried (Fixture       *fixture,
                           gconstpointer  data)
{
  gint64 iid;
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  const char *head;

  pull (fixture);
  iid = new_merge_request (fixture, "{\"src/ok.c\": \"int ok;\\n\", "
                                    "\"src/flaky.c\": \"int flaky;\\n\", "
                                    "\"src/gone.c\": \"int gone;\\n\"}");
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", \"path\": \"flaky\\\\.c/raw$\", "
                           "\"status\": 502, \"times\": 1}");
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"GET\", \"path\": \"gone\\\\.c/raw$\", "
                           "\"status\": 404, \"message\": \"404 File Not Found\", "
                           "\"times\": 100}");
  pull (fixture);

  diff = load_diff (fixture, iid, NULL);
  g_assert_nonnull (diff);
  head = nod_merge_request_diff_get_head_sha (diff);
  g_assert_cmpint (complete_at (fixture, iid, head), ==, 0);
  g_assert_null (nod_diff_file_get_new_blob (nod_merge_request_diff_find_file (diff,
                                                                               "src/flaky.c")));
  assert_text (fixture,
               nod_diff_file_get_new_blob (nod_merge_request_diff_find_file (diff, "src/ok.c")),
               "int ok;\n");

  clear_requests (fixture);
  pull (fixture);
  g_clear_object (&diff);
  diff = load_diff (fixture, iid, NULL);
  head = nod_merge_request_diff_get_head_sha (diff);
  g_assert_cmpint (complete_at (fixture, iid, head), ==, 1);
  /* flaky.c again, and gone.c, which is still not there: it does not keep it incomplete. */
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 2);
  assert_text (fixture,
               nod_diff_file_get_new_blob (nod_merge_request_diff_find_file (diff,
                                                                             "src/flaky.c")),
               "int flaky;\n");
  g_assert_null (nod_diff_file_get_new_blob (nod_merge_request_diff_find_file (diff,
                                                                               "src/gone.c")));

  clear_requests (fixture);
  pull (fixture);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 0);
}

/* The changes spend the budget last: at the reserve the pull stops before them and says
 * until when; after the reset it fetches them. */
static void
test_changes_keep_the_reserve (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(JsonNode) budget = NULL;
  gint64 iid, reset, paused_until;

  pull (fixture);
  iid = new_merge_request (fixture, "{\"src/late.c\": \"int late;\\n\"}");
  budget = control (fixture, "POST", "/__fake/ratelimit",
                    "{\"limit\": 2000, \"remaining\": 105, \"reset_in_s\": 600}");
  reset = json_object_get_int_member (json_node_get_object (budget), "reset");
  clear_requests (fixture);

  /* Three lists and the new merge request's approvals and threads: 5 requests, down to
   * the reserve of 100. */
  paused_until = pull (fixture);
  g_assert_cmpint (paused_until, ==, reset);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM merge_requests WHERE "
                                         "title = 'Diff fetch'"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM diff_versions AS v JOIN "
                                         "merge_requests AS m USING (account_id, project_id, "
                                         "iid) WHERE m.title = 'Diff fetch'"), ==, 0);

  nod_clock_advance (fixture->clock, reset - nod_clock_get_now_s (fixture->clock) + 1);
  g_clear_pointer (&budget, json_node_unref);
  budget = control (fixture, "POST", "/__fake/ratelimit",
                    "{\"limit\": 2000, \"remaining\": 2000, \"reset_in_s\": 600}");
  g_assert_cmpint (pull (fixture), ==, 0);
  g_assert_cmpint (cache_count (fixture, "SELECT COUNT (*) FROM diff_versions AS v JOIN "
                                         "merge_requests AS m ON v.project_id = m.project_id "
                                         "AND v.iid = m.iid AND v.head_sha = m.sha "
                                         "WHERE m.title = 'Diff fetch' AND v.complete"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 1);
  g_assert_cmpint (iid, >, 0);
}

/* A diff thread pulled keeps its place: the review cache gives back the note's position
 * as GitLab sent it (the sample's !102 has threads on added lines of its C file). */
static void
test_threads_keep_positions (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestDetail) detail = NULL;
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  guint placed = 0;

  pull (fixture);
  diff = load_diff (fixture, 102, NULL);
  g_assert_nonnull (diff);
  nod_review_cache_load_detail_async (fixture->cache, ACCOUNT, PROJECT, 102, NULL,
                                      nod_test_keep_result, &result);
  detail = nod_review_cache_load_detail_finish (fixture->cache,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);

  for (guint i = 0; i < detail->discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (detail->discussions->pdata[i]);
      const NodDiffPosition *position = nod_note_get_position (notes->pdata[0]);

      if (position == NULL)
        continue;
      g_assert_cmpstr (position->new_path, ==, "src/ui/nod-sidebar.c");
      g_assert_cmpstr (position->old_path, ==, "src/ui/nod-sidebar.c");
      g_assert_cmpstr (position->head_sha, ==, nod_merge_request_diff_get_head_sha (diff));
      g_assert_cmpstr (position->base_sha, ==, nod_merge_request_diff_get_base_sha (diff));
      g_assert_cmpstr (position->start_sha, ==, nod_merge_request_diff_get_start_sha (diff));
      g_assert_cmpint (position->old_line, ==, -1);
      g_assert_true (position->new_line == 26 || position->new_line == 262);
      placed++;
    }
  g_assert_cmpuint (placed, >, 0);
}

/* A thread on a line a later push changed is outdated: the pull keeps the text it was
 * written on, once, for "the code as it was". */
static void
test_outdated_thread_text (Fixture       *fixture,
                           gconstpointer  data)
{
  gint64 iid = new_merge_request (fixture, "{\"src/t.c\": \"one\\ntwo\\nthree\\n\"}");
  g_autoptr(NodMergeRequestDiff) first = NULL;
  g_autoptr(NodDiffPosition) position = NULL;
  g_autoptr(NodDiscussion) discussion = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autofree char *head = NULL;
  g_autofree char *first_head = NULL;

  pull (fixture);
  first = load_diff (fixture, iid, NULL);
  first_head = g_strdup (nod_merge_request_diff_get_head_sha (first));
  position = nod_diff_file_position_at (nod_merge_request_diff_find_file (first, "src/t.c"),
                                        nod_merge_request_diff_get_base_sha (first),
                                        nod_merge_request_diff_get_start_sha (first),
                                        first_head, FALSE, 2, 0, &error);
  g_assert_no_error (error);
  nod_forge_create_discussion_async (NOD_FORGE (fixture->observer), PROJECT, iid, "Why two?",
                                     position, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_forge_create_discussion_finish (NOD_FORGE (fixture->observer),
                                                     nod_test_wait_for_result (&result),
                                                     &discussion, &error));
  g_assert_no_error (error);
  g_assert_nonnull (discussion);

  head = push (fixture, iid, "{\"src/t.c\": \"one\\nTWO\\nthree\\n\"}");
  clear_requests (fixture);
  pull (fixture);

  g_clear_object (&result);
  nod_diff_cache_load_thread_text_async (fixture->diff_cache, ACCOUNT, PROJECT, iid, first_head,
                                         "src/t.c", NULL, nod_test_keep_result, &result);
  text = nod_diff_cache_load_thread_text_finish (fixture->diff_cache,
                                                 nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (text);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                   "one\ntwo\nthree\n", 14);
  /* The new head's text, and the one the thread was written on. */
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 2);

  clear_requests (fixture);
  pull (fixture);
  g_assert_cmpuint (count_requests (fixture, RAW), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/diff-fetch/first-pull-keeps-changes", test_first_pull_keeps_changes);
  ADD ("/nod/diff-fetch/new-head-fetches-what-changed", test_new_head_fetches_what_changed);
  ADD ("/nod/diff-fetch/texts-four-at-a-time", test_texts_four_at_a_time);
  ADD ("/nod/diff-fetch/refused-text-retried", test_refused_text_retried);
  ADD ("/nod/diff-fetch/changes-keep-the-reserve", test_changes_keep_the_reserve);
  ADD ("/nod/diff-fetch/threads-keep-positions", test_threads_keep_positions);
  ADD ("/nod/diff-fetch/outdated-thread-text", test_outdated_thread_text);

  return g_test_run ();
}
