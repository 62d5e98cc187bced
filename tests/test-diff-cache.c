/* test-diff-cache.c: what the diff cache keeps of merge requests' changes, and what it drops
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-diff-cache.h"
#include "nod-test-utils.h"

#define SHA_BASE "1111111111111111111111111111111111111111"
#define SHA_A    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C    "cccccccccccccccccccccccccccccccccccccccc"

typedef struct
{
  NodStore     *store;
  NodDiffCache *cache;
  gint64        account_id;
} Fixture;

static void
add_merge_request (Fixture    *fixture,
                   gint64      iid,
                   const char *state,
                   const char *sha,
                   const char *updated_at)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("INSERT INTO merge_requests (account_id, project_id, iid, id, title, "
                         "state, sha, updated_at, fetched_at_us) VALUES (%" G_GINT64_FORMAT
                         ", 7, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 'A change', '%s', "
                         "'%s', '%s', 0) ON CONFLICT DO UPDATE SET sha = excluded.sha, "
                         "state = excluded.state",
                         fixture->account_id, iid, 1000 + iid, state, sha, updated_at);
  nod_test_exec (fixture->store, sql);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  fixture->cache = nod_diff_cache_new (fixture->store);
  nod_test_exec (fixture->store, "INSERT INTO accounts (base_url, username, created_at_us) "
                                 "VALUES ('https://gitlab.example', 'sam', 0)");
  fixture->account_id = nod_test_query_int (fixture->store, "SELECT id FROM accounts");
  nod_test_exec (fixture->store, "INSERT INTO projects (account_id, id, path_with_namespace) "
                                 "SELECT id, 7, 'group/app' FROM accounts");
  add_merge_request (fixture, 1, "opened", SHA_A, "2026-11-01T10:00:00Z");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  g_clear_object (&fixture->store);
}

/* A two-file change at @head: a modified file and a new one, with texts for both sides. */
static NodMergeRequestDiff *
make_diff (const char *head,
           const char *main_old_blob,
           const char *main_new_blob,
           const char *main_diff)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);
  NodDiffFile *modified = nod_diff_file_new ("src/main.c", "src/main.c", "100644", "100644",
                                             0, main_diff);
  NodDiffFile *added = nod_diff_file_new ("README.md", "README.md", "0", "100644",
                                          NOD_DIFF_FILE_NEW, "@@ -0,0 +1 @@\n+# Hello\n");

  nod_diff_file_set_blobs (modified, main_old_blob, main_new_blob);
  nod_diff_file_set_blobs (added, NULL, "readme-blob");
  g_ptr_array_add (files, modified);
  g_ptr_array_add (files, added);
  return nod_merge_request_diff_new (SHA_BASE, SHA_BASE, head, files);
}

static GHashTable *
make_blobs (const char *first_sha,
            ...)
{
  GHashTable *blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_bytes_unref);
  va_list args;

  va_start (args, first_sha);
  for (const char *sha = first_sha; sha != NULL; sha = va_arg (args, const char *))
    {
      const char *text = va_arg (args, const char *);

      g_hash_table_insert (blobs, g_strdup (sha), g_bytes_new (text, strlen (text)));
    }
  va_end (args);
  return blobs;
}

static void
save (Fixture             *fixture,
      gint64               iid,
      NodMergeRequestDiff *diff,
      GHashTable          *blobs,
      gboolean             complete)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_diff_cache_save_diff_async (fixture->cache, fixture->account_id, 7, iid, diff, blobs,
                                  complete, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_diff_cache_save_diff_finish (fixture->cache,
                                                  nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

static NodMergeRequestDiff *
load (Fixture    *fixture,
      gint64      iid,
      const char *head)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodMergeRequestDiff *diff;

  nod_diff_cache_load_diff_async (fixture->cache, fixture->account_id, 7, iid, head, NULL,
                                  nod_test_keep_result, &result);
  diff = nod_diff_cache_load_diff_finish (fixture->cache, nod_test_wait_for_result (&result),
                                          &error);
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

  nod_diff_cache_load_blob_async (fixture->cache, sha, NULL, nod_test_keep_result, &result);
  bytes = nod_diff_cache_load_blob_finish (fixture->cache, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  return bytes;
}

static void
note_approval (Fixture    *fixture,
               gboolean    approved,
               const char *head,
               gboolean    replace)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_diff_cache_note_approval_async (fixture->cache, fixture->account_id, 7, 1, approved,
                                      head, replace, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_diff_cache_note_approval_finish (fixture->cache,
                                                      nod_test_wait_for_result (&result),
                                                      &error));
  g_assert_no_error (error);
}

static char *
load_approved_head (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *head;

  nod_diff_cache_load_approved_head_async (fixture->cache, fixture->account_id, 7, 1, NULL,
                                           nod_test_keep_result, &result);
  head = nod_diff_cache_load_approved_head_finish (fixture->cache,
                                                   nod_test_wait_for_result (&result),
                                                   &error);
  g_assert_no_error (error);
  return head;
}

static gint64
count (Fixture    *fixture,
       const char *sql)
{
  return nod_test_query_int (fixture->store, sql);
}

#define MAIN_DIFF_A "@@ -1,2 +1,2 @@\n int x;\n-int y;\n+long y;\n"
#define MAIN_DIFF_B "@@ -1,2 +1,2 @@\n int x;\n-int y;\n+long long y;\n"

/* Nothing pulled yet: no diff, and no error. */
static void
test_nothing_kept (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) diff = load (fixture, 1, NULL);
  g_autoptr(GBytes) bytes = load_blob (fixture, "no-such-blob");

  g_assert_null (diff);
  g_assert_null (bytes);
}

/* A diff comes back as it was kept: refs, files in GitLab's order, flags, blob shas; a
 * text two files (or two merge requests) share is kept once. */
static void
test_save_and_load (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) saved = make_diff (SHA_A, "old-blob", "new-blob", MAIN_DIFF_A);
  g_autoptr(NodMergeRequestDiff) other = make_diff (SHA_B, "old-blob", "new-blob-2",
                                                    MAIN_DIFF_B);
  g_autoptr(GHashTable) blobs = make_blobs ("old-blob", "int x;\nint y;\n",
                                            "new-blob", "int x;\nlong y;\n",
                                            "readme-blob", "# Hello\n", NULL);
  g_autoptr(GHashTable) more = make_blobs ("old-blob", "int x;\nint y;\n",
                                           "new-blob-2", "int x;\nlong long y;\n", NULL);
  g_autoptr(NodMergeRequestDiff) loaded = NULL;
  g_autoptr(GBytes) text = NULL;
  NodDiffFile *file;

  add_merge_request (fixture, 2, "opened", SHA_B, "2026-11-01T11:00:00Z");
  save (fixture, 1, saved, blobs, TRUE);
  save (fixture, 2, other, more, TRUE);

  loaded = load (fixture, 1, NULL);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (nod_merge_request_diff_get_base_sha (loaded), ==, SHA_BASE);
  g_assert_cmpstr (nod_merge_request_diff_get_start_sha (loaded), ==, SHA_BASE);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (loaded), ==, SHA_A);
  g_assert_cmpuint (nod_merge_request_diff_get_files (loaded)->len, ==, 2);
  file = nod_merge_request_diff_get_files (loaded)->pdata[0];
  g_assert_cmpstr (nod_diff_file_get_path (file), ==, "src/main.c");
  g_assert_cmpstr (nod_diff_file_get_diff (file), ==, MAIN_DIFF_A);
  g_assert_cmpstr (nod_diff_file_get_old_blob (file), ==, "old-blob");
  g_assert_cmpstr (nod_diff_file_get_new_blob (file), ==, "new-blob");
  file = nod_merge_request_diff_get_files (loaded)->pdata[1];
  g_assert_cmpint (nod_diff_file_get_status (file), ==, NOD_DIFF_FILE_STATUS_ADDED);
  g_assert_null (nod_diff_file_get_old_blob (file));
  g_assert_cmpstr (nod_diff_file_get_new_blob (file), ==, "readme-blob");

  text = load_blob (fixture, "new-blob");
  g_assert_nonnull (text);
  g_assert_cmpmem (g_bytes_get_data (text, NULL), g_bytes_get_size (text),
                   "int x;\nlong y;\n", 15);
  /* old-blob is in both changes, stored once. */
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM blobs"), ==, 4);
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM blobs WHERE sha = 'old-blob'"), ==, 1);
}

/* What a pull needs to know: whether the head is kept whole, and the texts it has by
 * commit and path (the old side at the base, the new side at the head). */
static void
test_fetch_plan (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) diff = make_diff (SHA_A, "old-blob", "new-blob", MAIN_DIFF_A);
  g_autoptr(GHashTable) blobs = make_blobs ("old-blob", "a\n", "new-blob", "b\n",
                                            "readme-blob", "c\n", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiffFetchPlan) plan = NULL;
  g_autoptr(NodDiffFetchPlan) other_head = NULL;
  g_autofree char *diff_key = NULL;
  g_autofree char *other_key = NULL;

  save (fixture, 1, diff, blobs, FALSE);

  nod_diff_cache_load_fetch_plan_async (fixture->cache, fixture->account_id, 7, 1, SHA_A, NULL,
                                        nod_test_keep_result, &result);
  plan = nod_diff_cache_load_fetch_plan_finish (fixture->cache,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_false (plan->complete);
  g_assert_cmpstr (g_hash_table_lookup (plan->known_blobs, SHA_BASE ":src/main.c"), ==,
                   "old-blob");
  g_assert_cmpstr (g_hash_table_lookup (plan->known_blobs, SHA_A ":src/main.c"), ==,
                   "new-blob");
  g_assert_cmpstr (g_hash_table_lookup (plan->known_blobs, SHA_A ":README.md"), ==,
                   "readme-blob");
  /* And the new texts by the diff that makes them, whatever head brings that diff again. */
  diff_key = nod_diff_fetch_plan_diff_key (SHA_BASE, "src/main.c", "src/main.c", MAIN_DIFF_A);
  g_assert_cmpstr (g_hash_table_lookup (plan->known_blobs, diff_key), ==, "new-blob");
  other_key = nod_diff_fetch_plan_diff_key (SHA_BASE, "src/main.c", "src/main.c", MAIN_DIFF_B);
  g_assert_null (g_hash_table_lookup (plan->known_blobs, other_key));
  g_assert_null (nod_diff_fetch_plan_diff_key (SHA_BASE, "a", "a", ""));
  g_assert_cmpuint (g_hash_table_size (plan->known_blobs), ==, 5);

  save (fixture, 1, diff, blobs, TRUE);
  g_clear_object (&result);
  nod_diff_cache_load_fetch_plan_async (fixture->cache, fixture->account_id, 7, 1, SHA_A, NULL,
                                        nod_test_keep_result, &result);
  g_clear_pointer (&plan, nod_diff_fetch_plan_free);
  plan = nod_diff_cache_load_fetch_plan_finish (fixture->cache,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (plan->complete);

  /* A head never kept: not complete, but the texts of the other heads still count. */
  g_clear_object (&result);
  nod_diff_cache_load_fetch_plan_async (fixture->cache, fixture->account_id, 7, 1, SHA_B, NULL,
                                        nod_test_keep_result, &result);
  other_head = nod_diff_cache_load_fetch_plan_finish (fixture->cache,
                                                      nod_test_wait_for_result (&result),
                                                      &error);
  g_assert_no_error (error);
  g_assert_false (other_head->complete);
  g_assert_cmpuint (g_hash_table_size (other_head->known_blobs), ==, 5);
}

/* A new head replaces the old one, but for the head the reviewer approved at: "changed
 * since you approved" compares with it. */
static void
test_heads_kept (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) at_a = make_diff (SHA_A, "o", "a", MAIN_DIFF_A);
  g_autoptr(NodMergeRequestDiff) at_b = make_diff (SHA_B, "o", "b", MAIN_DIFF_B);
  g_autoptr(NodMergeRequestDiff) at_c = make_diff (SHA_C, "o", "c", MAIN_DIFF_B);
  g_autoptr(NodMergeRequestDiff) loaded = NULL;
  g_autofree char *approved = NULL;

  save (fixture, 1, at_a, NULL, TRUE);
  note_approval (fixture, TRUE, SHA_A, FALSE);
  add_merge_request (fixture, 1, "opened", SHA_B, "2026-11-02T10:00:00Z");
  save (fixture, 1, at_b, NULL, TRUE);
  add_merge_request (fixture, 1, "opened", SHA_C, "2026-11-03T10:00:00Z");
  save (fixture, 1, at_c, NULL, TRUE);

  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM diff_versions"), ==, 2);
  loaded = load (fixture, 1, NULL);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (loaded), ==, SHA_C);
  g_clear_object (&loaded);
  loaded = load (fixture, 1, SHA_A);
  g_assert_nonnull (loaded);
  g_assert_cmpstr (nod_diff_file_get_new_blob (nod_merge_request_diff_get_files (loaded)->pdata[0]),
                   ==, "a");
  g_clear_object (&loaded);
  loaded = load (fixture, 1, SHA_B);
  g_assert_null (loaded);

  approved = load_approved_head (fixture);
  g_assert_cmpstr (approved, ==, SHA_A);
}

/* A pull keeps the first head it saw approved; Nod's own approval replaces it with the
 * head it pinned; an approval GitLab no longer shows is forgotten. */
static void
test_approved_head (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *head = NULL;

  head = load_approved_head (fixture);
  g_assert_null (head);

  note_approval (fixture, TRUE, SHA_A, FALSE);
  note_approval (fixture, TRUE, SHA_B, FALSE);
  g_clear_pointer (&head, g_free);
  head = load_approved_head (fixture);
  g_assert_cmpstr (head, ==, SHA_A);

  note_approval (fixture, TRUE, SHA_C, TRUE);
  g_clear_pointer (&head, g_free);
  head = load_approved_head (fixture);
  g_assert_cmpstr (head, ==, SHA_C);

  note_approval (fixture, FALSE, SHA_C, FALSE);
  g_clear_pointer (&head, g_free);
  head = load_approved_head (fixture);
  g_assert_null (head);
}

static GHashTable *
load_viewed (NodDiffCache *cache,
             gint64        account_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *viewed;

  nod_diff_cache_load_viewed_async (cache, account_id, 7, 1, NULL, nod_test_keep_result,
                                    &result);
  viewed = nod_diff_cache_load_viewed_finish (cache, nod_test_wait_for_result (&result),
                                              &error);
  g_assert_no_error (error);
  return viewed;
}

static void
set_viewed (Fixture    *fixture,
            const char *path,
            const char *digest)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_diff_cache_set_viewed_async (fixture->cache, fixture->account_id, 7, 1, path, digest,
                                   NULL, nod_test_keep_result, &result);
  g_assert_true (nod_diff_cache_set_viewed_finish (fixture->cache,
                                                   nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

/* Viewed marks are kept with the digest of the diff they were made on, and survive a
 * restart (a new cache over the same store file). */
static void
test_viewed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GHashTable) viewed = NULL;
  g_autoptr(NodDiffCache) reopened = NULL;
  g_autoptr(NodStore) store = NULL;
  g_autofree char *path = nod_store_get_default_path ();

  set_viewed (fixture, "src/main.c", "digest-1");
  set_viewed (fixture, "README.md", "digest-2");
  set_viewed (fixture, "README.md", NULL);
  set_viewed (fixture, "src/main.c", "digest-3");

  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  g_clear_object (&fixture->store);
  store = nod_test_open_store (path);
  reopened = nod_diff_cache_new (store);
  viewed = load_viewed (reopened, fixture->account_id);

  g_assert_cmpuint (g_hash_table_size (viewed), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (viewed, "src/main.c"), ==, "digest-3");

  fixture->store = g_steal_pointer (&store);
  fixture->cache = g_steal_pointer (&reopened);
}

static GPtrArray *
list_missing (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *targets;

  nod_diff_cache_list_missing_async (fixture->cache, fixture->account_id, NULL,
                                     nod_test_keep_result, &result);
  targets = nod_diff_cache_list_missing_finish (fixture->cache,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return targets;
}

/* A pull fetches the changes of open merge requests whose head is not kept whole, the
 * newest first; merged ones and those kept whole are not fetched. */
static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) at_a = make_diff (SHA_A, "o", "a", MAIN_DIFF_A);
  g_autoptr(NodMergeRequestDiff) at_b = make_diff (SHA_B, "o", "b", MAIN_DIFF_B);
  g_autoptr(GPtrArray) targets = NULL;
  NodDiffTarget *target;

  add_merge_request (fixture, 2, "opened", SHA_B, "2026-11-05T10:00:00Z");
  add_merge_request (fixture, 3, "merged", SHA_C, "2026-11-06T10:00:00Z");
  add_merge_request (fixture, 4, "opened", SHA_C, "2026-11-04T10:00:00Z");

  targets = list_missing (fixture);
  g_assert_cmpuint (targets->len, ==, 3);
  target = targets->pdata[0];
  g_assert_cmpint (target->iid, ==, 2);
  g_assert_cmpint (target->project_id, ==, 7);
  g_assert_cmpstr (target->sha, ==, SHA_B);
  g_assert_cmpint (((NodDiffTarget *) targets->pdata[1])->iid, ==, 4);
  g_assert_cmpint (((NodDiffTarget *) targets->pdata[2])->iid, ==, 1);

  /* Kept whole: not fetched again. Kept in part: fetched again. */
  save (fixture, 1, at_a, NULL, TRUE);
  save (fixture, 2, at_b, NULL, FALSE);
  g_clear_pointer (&targets, g_ptr_array_unref);
  targets = list_missing (fixture);
  g_assert_cmpuint (targets->len, ==, 2);
  g_assert_cmpint (((NodDiffTarget *) targets->pdata[0])->iid, ==, 2);
  g_assert_cmpint (((NodDiffTarget *) targets->pdata[1])->iid, ==, 4);

  /* Its head moved: the kept diff is not the one to show. */
  add_merge_request (fixture, 1, "opened", SHA_B, "2026-11-01T10:00:00Z");
  g_clear_pointer (&targets, g_ptr_array_unref);
  targets = list_missing (fixture);
  g_assert_cmpuint (targets->len, ==, 3);
}

/* A pruned merge request takes its diffs and viewed marks with it; its texts go when no
 * other kept diff names them. */
static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(NodMergeRequestDiff) first = make_diff (SHA_A, "shared", "only-1", MAIN_DIFF_A);
  g_autoptr(NodMergeRequestDiff) second = make_diff (SHA_B, "shared", "only-2", MAIN_DIFF_B);
  g_autoptr(GHashTable) blobs = make_blobs ("shared", "s\n", "only-1", "1\n",
                                            "readme-blob", "r\n", NULL);
  g_autoptr(GHashTable) more = make_blobs ("shared", "s\n", "only-2", "2\n", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) gone = NULL;
  g_autoptr(GBytes) kept = NULL;

  add_merge_request (fixture, 2, "opened", SHA_B, "2026-11-05T10:00:00Z");
  save (fixture, 1, first, blobs, TRUE);
  save (fixture, 2, second, more, TRUE);
  set_viewed (fixture, "src/main.c", "d");

  nod_test_exec (fixture->store, "DELETE FROM merge_requests WHERE iid = 1");
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM diff_versions WHERE iid = 1"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM diff_files WHERE iid = 1"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM viewed_files"), ==, 0);

  nod_diff_cache_prune_blobs_async (fixture->cache, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_diff_cache_prune_blobs_finish (fixture->cache,
                                                    nod_test_wait_for_result (&result),
                                                    &error));
  g_assert_no_error (error);

  gone = load_blob (fixture, "only-1");
  g_assert_null (gone);
  kept = load_blob (fixture, "shared");
  g_assert_nonnull (kept);
  /* readme-blob: the second change's README names it too. */
  g_assert_cmpint (count (fixture, "SELECT COUNT (*) FROM blobs"), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/diff-cache/nothing-kept", test_nothing_kept);
  ADD ("/nod/diff-cache/save-and-load", test_save_and_load);
  ADD ("/nod/diff-cache/fetch-plan", test_fetch_plan);
  ADD ("/nod/diff-cache/heads-kept", test_heads_kept);
  ADD ("/nod/diff-cache/approved-head", test_approved_head);
  ADD ("/nod/diff-cache/viewed", test_viewed);
  ADD ("/nod/diff-cache/missing", test_missing);
  ADD ("/nod/diff-cache/prune", test_prune);

  return g_test_run ();
}
