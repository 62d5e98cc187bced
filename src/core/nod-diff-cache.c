/* nod-diff-cache.c: the changes Nod keeps of merge requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns diff_versions, diff_files, blobs, viewed_files, approved_heads and thread_texts.
 * Each merge request keeps at most two heads: the newest, and the one the reviewer
 * approved at (what "changed since you approved" compares with). Texts are kept once by
 * content sha; the rows that name them go with their merge request (foreign keys), and
 * the texts nothing names any more go at the next prune. thread_texts keeps the text of a
 * file at the commit an outdated diff thread was written on: "the code as it was".
 */

#define G_LOG_DOMAIN "nod-cache"

#include "config.h"

#include "nod-diff-cache.h"
#include "nod-diff-cache-private.h"
#include "nod-store-worker.h"

struct _NodDiffCache
{
  GObject   parent_instance;

  NodStore *store;
};

G_DEFINE_FINAL_TYPE (NodDiffCache, nod_diff_cache, G_TYPE_OBJECT)

/* One call's inputs and results; each call uses the fields it needs. */
typedef struct
{
  gint64               account_id;
  gint64               project_id;
  gint64               iid;
  char                *head_sha;
  char                *path;
  char                *digest;
  gboolean             flag;      /* complete, approved */
  gboolean             replace;
  NodMergeRequestDiff *diff;
  GHashTable          *blobs;
  GBytes              *bytes;
  GHashTable          *viewed;
  NodDiffFetchPlan    *plan;
  GPtrArray           *targets;
} DiffWork;

static void
diff_work_free (DiffWork *work)
{
  g_free (work->head_sha);
  g_free (work->path);
  g_free (work->digest);
  g_clear_object (&work->diff);
  g_clear_pointer (&work->blobs, g_hash_table_unref);
  g_clear_pointer (&work->bytes, g_bytes_unref);
  g_clear_pointer (&work->viewed, g_hash_table_unref);
  g_clear_pointer (&work->plan, nod_diff_fetch_plan_free);
  g_clear_pointer (&work->targets, g_ptr_array_unref);
  g_free (work);
}

static DiffWork *
diff_work_new (gint64 account_id,
               gint64 project_id,
               gint64 iid)
{
  DiffWork *work = g_new0 (DiffWork, 1);

  work->account_id = account_id;
  work->project_id = project_id;
  work->iid = iid;
  return work;
}

static void
bind_merge_request (sqlite3_stmt   *stmt,
                    const DiffWork *work)
{
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->iid);
}

static gboolean
step_row (sqlite3_stmt  *stmt,
          gboolean      *has_row,
          GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      *has_row = rc == SQLITE_ROW;
      return TRUE;
    }
  nod_store_set_error (error, sqlite3_db_handle (stmt), rc);
  return FALSE;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* ---- the diff ---- */

static gboolean
load_diff_work (sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) version = NULL;
  g_autoptr(sqlite3_stmt) files_stmt = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *head_sha = NULL;
  g_autofree char *base_sha = NULL;
  g_autofree char *start_sha = NULL;
  gboolean has_row;

  /* The head asked for; else the merge request's own head, else the newest fetched. */
  version = nod_store_prepare (db,
                               "SELECT v.head_sha, v.base_sha, v.start_sha "
                               "FROM diff_versions AS v JOIN merge_requests AS mr "
                               "  USING (account_id, project_id, iid) "
                               "WHERE v.account_id = ? AND v.project_id = ? AND v.iid = ? "
                               "  AND (?4 IS NULL OR v.head_sha = ?4) "
                               "ORDER BY v.head_sha = mr.sha DESC, v.fetched_at_us DESC LIMIT 1",
                               error);
  if (version == NULL)
    return FALSE;
  bind_merge_request (version, work);
  sqlite3_bind_text (version, 4, work->head_sha, -1, SQLITE_STATIC);
  if (!step_row (version, &has_row, error))
    return FALSE;
  if (!has_row)
    return TRUE;
  head_sha = g_strdup (column_text (version, 0));
  base_sha = g_strdup (column_text (version, 1));
  start_sha = g_strdup (column_text (version, 2));

  files_stmt = nod_store_prepare (db,
                                  "SELECT old_path, new_path, a_mode, b_mode, flags, diff, "
                                  "  old_blob, new_blob FROM diff_files "
                                  "WHERE account_id = ? AND project_id = ? AND iid = ? "
                                  "  AND head_sha = ? ORDER BY position",
                                  error);
  if (files_stmt == NULL)
    return FALSE;
  bind_merge_request (files_stmt, work);
  sqlite3_bind_text (files_stmt, 4, head_sha, -1, SQLITE_STATIC);
  for (;;)
    {
      NodDiffFile *file;

      if (!step_row (files_stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      file = nod_diff_file_new (column_text (files_stmt, 0), column_text (files_stmt, 1),
                                column_text (files_stmt, 2), column_text (files_stmt, 3),
                                sqlite3_column_int (files_stmt, 4), column_text (files_stmt, 5));
      nod_diff_file_set_blobs (file, column_text (files_stmt, 6), column_text (files_stmt, 7));
      g_ptr_array_add (files, file);
    }

  work->diff = nod_merge_request_diff_new (base_sha, start_sha, head_sha,
                                           g_steal_pointer (&files));
  return TRUE;
}

void
nod_diff_cache_load_diff_async (NodDiffCache        *self,
                                gint64               account_id,
                                gint64               project_id,
                                gint64               iid,
                                const char          *head_sha,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  work = diff_work_new (account_id, project_id, iid);
  work->head_sha = g_strdup (head_sha);
  nod_store_run_async (self->store, self, nod_diff_cache_load_diff_async, load_diff_work, work,
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

/**
 * nod_diff_cache_load_diff_finish:
 *
 * Returns: (transfer full) (nullable): the diff, or %NULL with no error when none is kept
 */
NodMergeRequestDiff *
nod_diff_cache_load_diff_finish (NodDiffCache  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_diff_async, error);

  return work != NULL ? g_steal_pointer (&work->diff) : NULL;
}

static gboolean
save_blobs (sqlite3     *db,
            GHashTable  *blobs,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (blobs == NULL || g_hash_table_size (blobs) == 0)
    return TRUE;

  stmt = nod_store_prepare (db, "INSERT OR IGNORE INTO blobs (sha, size, content) VALUES (?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, blobs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gsize size;
      gconstpointer bytes = g_bytes_get_data (value, &size);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, size);
      /* An empty text is a zero-length blob, not NULL. */
      sqlite3_bind_blob64 (stmt, 3, bytes != NULL ? bytes : "", size, SQLITE_STATIC);
      if (!nod_store_step_done (stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_files (sqlite3         *db,
            const DiffWork  *work,
            GError         **error)
{
  GPtrArray *files = nod_merge_request_diff_get_files (work->diff);
  const char *head_sha = nod_merge_request_diff_get_head_sha (work->diff);
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;

  clear = nod_store_prepare (db,
                             "DELETE FROM diff_files WHERE account_id = ? AND project_id = ? "
                             "AND iid = ? AND head_sha = ?",
                             error);
  if (clear == NULL)
    return FALSE;
  bind_merge_request (clear, work);
  sqlite3_bind_text (clear, 4, head_sha, -1, SQLITE_STATIC);
  if (!nod_store_step_done (clear, error))
    return FALSE;

  insert = nod_store_prepare (db,
                              "INSERT INTO diff_files (account_id, project_id, iid, head_sha, "
                              "  position, old_path, new_path, a_mode, b_mode, flags, diff, "
                              "  old_blob, new_blob) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      NodDiffFile *file = files->pdata[i];

      sqlite3_reset (insert);
      bind_merge_request (insert, work);
      sqlite3_bind_text (insert, 4, head_sha, -1, SQLITE_STATIC);
      sqlite3_bind_int (insert, 5, i);
      sqlite3_bind_text (insert, 6, nod_diff_file_get_old_path (file), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 7, nod_diff_file_get_new_path (file), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 8, nod_diff_file_get_a_mode (file), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 9, nod_diff_file_get_b_mode (file), -1, SQLITE_STATIC);
      sqlite3_bind_int (insert, 10, nod_diff_file_get_flags (file));
      sqlite3_bind_text (insert, 11, nod_diff_file_get_diff (file), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 12, nod_diff_file_get_old_blob (file), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 13, nod_diff_file_get_new_blob (file), -1, SQLITE_STATIC);
      if (!nod_store_step_done (insert, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_diff_in_transaction (sqlite3   *db,
                          DiffWork  *work,
                          GError   **error)
{
  g_autoptr(sqlite3_stmt) version = NULL;
  g_autoptr(sqlite3_stmt) others = NULL;
  const char *head_sha = nod_merge_request_diff_get_head_sha (work->diff);

  version = nod_store_prepare (db,
                               "INSERT INTO diff_versions (account_id, project_id, iid, "
                               "  head_sha, base_sha, start_sha, complete, fetched_at_us) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (account_id, project_id, iid, head_sha) DO UPDATE SET "
                               "  base_sha = excluded.base_sha, start_sha = excluded.start_sha, "
                               "  complete = excluded.complete, "
                               "  fetched_at_us = excluded.fetched_at_us",
                               error);
  if (version == NULL)
    return FALSE;
  bind_merge_request (version, work);
  sqlite3_bind_text (version, 4, head_sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (version, 5, nod_merge_request_diff_get_base_sha (work->diff), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (version, 6, nod_merge_request_diff_get_start_sha (work->diff), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int (version, 7, work->flag);
  sqlite3_bind_int64 (version, 8, g_get_real_time ());
  if (!nod_store_step_done (version, error))
    return FALSE;

  /* Heads nobody will be shown again: neither the newest nor the approved one. */
  others = nod_store_prepare (db,
                              "DELETE FROM diff_versions WHERE account_id = ?1 "
                              "  AND project_id = ?2 AND iid = ?3 AND head_sha != ?4 "
                              "  AND head_sha NOT IN (SELECT head_sha FROM approved_heads "
                              "    WHERE account_id = ?1 AND project_id = ?2 AND iid = ?3)",
                              error);
  if (others == NULL)
    return FALSE;
  bind_merge_request (others, work);
  sqlite3_bind_text (others, 4, head_sha, -1, SQLITE_STATIC);
  if (!nod_store_step_done (others, error))
    return FALSE;

  return save_blobs (db, work->blobs, error) && save_files (db, work, error);
}

static gboolean
save_diff_work (sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  if (!nod_store_begin (db, error))
    return FALSE;
  if (!save_diff_in_transaction (db, data, error))
    {
      nod_store_rollback (db);
      return FALSE;
    }
  return nod_store_commit (db, error);
}

void
nod_diff_cache_save_diff_async (NodDiffCache        *self,
                                gint64               account_id,
                                gint64               project_id,
                                gint64               iid,
                                NodMergeRequestDiff *diff,
                                GHashTable          *blobs,
                                gboolean             complete,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (NOD_IS_MERGE_REQUEST_DIFF (diff));

  work = diff_work_new (account_id, project_id, iid);
  work->diff = g_object_ref (diff);
  work->blobs = blobs != NULL ? g_hash_table_ref (blobs) : NULL;
  work->flag = complete;
  nod_store_run_async (self->store, self, nod_diff_cache_save_diff_async, save_diff_work, work,
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

gboolean
nod_diff_cache_save_diff_finish (NodDiffCache  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return nod_store_run_finish (result, self, nod_diff_cache_save_diff_async, error) != NULL;
}

/* ---- what a pull needs to know first ---- */

void
nod_diff_fetch_plan_free (NodDiffFetchPlan *plan)
{
  g_clear_pointer (&plan->known_blobs, g_hash_table_unref);
  g_free (plan->approved_head);
  g_free (plan);
}

char *
nod_diff_fetch_plan_diff_key (const char *base_sha,
                              const char *old_path,
                              const char *new_path,
                              const char *diff)
{
  g_autofree char *digest = NULL;

  if (diff == NULL || *diff == '\0')
    return NULL;
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, diff, -1);
  /* A NUL cannot be in a path or a sha: the parts cannot run into each other. */
  return g_strjoin ("\n", "diff", base_sha, old_path, new_path, digest, NULL);
}

static gboolean
load_fetch_plan_work (sqlite3       *db,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) complete = NULL;
  g_autoptr(sqlite3_stmt) known = NULL;
  g_autoptr(sqlite3_stmt) by_diff = NULL;
  g_autoptr(sqlite3_stmt) approved = NULL;
  gboolean has_row;

  work->plan = g_new0 (NodDiffFetchPlan, 1);
  work->plan->known_blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  complete = nod_store_prepare (db,
                                "SELECT complete FROM diff_versions WHERE account_id = ? "
                                "AND project_id = ? AND iid = ? AND head_sha = ?",
                                error);
  if (complete == NULL)
    return FALSE;
  bind_merge_request (complete, work);
  sqlite3_bind_text (complete, 4, work->head_sha, -1, SQLITE_STATIC);
  if (!step_row (complete, &has_row, error))
    return FALSE;
  work->plan->complete = has_row && sqlite3_column_int (complete, 0) != 0;

  approved = nod_store_prepare (db,
                                "SELECT a.head_sha, EXISTS (SELECT 1 FROM diff_versions AS v "
                                "  WHERE v.account_id = a.account_id "
                                "  AND v.project_id = a.project_id AND v.iid = a.iid "
                                "  AND v.head_sha = a.head_sha) "
                                "FROM approved_heads AS a WHERE a.account_id = ? "
                                "AND a.project_id = ? AND a.iid = ?",
                                error);
  if (approved == NULL)
    return FALSE;
  bind_merge_request (approved, work);
  if (!step_row (approved, &has_row, error))
    return FALSE;
  if (has_row)
    {
      work->plan->approved_head = g_strdup (column_text (approved, 0));
      work->plan->approved_kept = sqlite3_column_int (approved, 1) != 0;
    }

  /* The old side of a file is its text at the base, the new side at the head. */
  known = nod_store_prepare (db,
                             "SELECT v.base_sha || ':' || f.old_path, f.old_blob "
                             "FROM diff_files AS f JOIN diff_versions AS v "
                             "  USING (account_id, project_id, iid, head_sha) "
                             "WHERE f.account_id = ?1 AND f.project_id = ?2 AND f.iid = ?3 "
                             "  AND f.old_blob IS NOT NULL "
                             "UNION ALL "
                             "SELECT head_sha || ':' || new_path, new_blob FROM diff_files "
                             "WHERE account_id = ?1 AND project_id = ?2 AND iid = ?3 "
                             "  AND new_blob IS NOT NULL",
                             error);
  if (known == NULL)
    return FALSE;
  bind_merge_request (known, work);
  for (;;)
    {
      if (!step_row (known, &has_row, error))
        return FALSE;
      if (!has_row)
        break;
      g_hash_table_insert (work->plan->known_blobs, g_strdup (column_text (known, 0)),
                           g_strdup (column_text (known, 1)));
    }

  /* A file a new head did not change has the same diff from the same base. */
  by_diff = nod_store_prepare (db,
                               "SELECT v.base_sha, f.old_path, f.new_path, f.diff, f.new_blob "
                               "FROM diff_files AS f JOIN diff_versions AS v "
                               "  USING (account_id, project_id, iid, head_sha) "
                               "WHERE f.account_id = ? AND f.project_id = ? AND f.iid = ? "
                               "  AND f.new_blob IS NOT NULL AND f.diff != ''",
                               error);
  if (by_diff == NULL)
    return FALSE;
  bind_merge_request (by_diff, work);
  for (;;)
    {
      char *key;

      if (!step_row (by_diff, &has_row, error))
        return FALSE;
      if (!has_row)
        return TRUE;
      key = nod_diff_fetch_plan_diff_key (column_text (by_diff, 0), column_text (by_diff, 1),
                                          column_text (by_diff, 2), column_text (by_diff, 3));
      if (key != NULL)
        g_hash_table_insert (work->plan->known_blobs, key,
                             g_strdup (column_text (by_diff, 4)));
    }
}

void
nod_diff_cache_load_fetch_plan_async (NodDiffCache        *self,
                                      gint64               account_id,
                                      gint64               project_id,
                                      gint64               iid,
                                      const char          *head_sha,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (head_sha != NULL);

  work = diff_work_new (account_id, project_id, iid);
  work->head_sha = g_strdup (head_sha);
  nod_store_run_async (self->store, self, nod_diff_cache_load_fetch_plan_async,
                       load_fetch_plan_work, work, (GDestroyNotify) diff_work_free,
                       cancellable, callback, user_data);
}

NodDiffFetchPlan *
nod_diff_cache_load_fetch_plan_finish (NodDiffCache  *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_fetch_plan_async,
                                         error);

  return work != NULL ? g_steal_pointer (&work->plan) : NULL;
}

void
nod_diff_target_free (NodDiffTarget *target)
{
  g_free (target->sha);
  g_free (target->path);
  g_free (target);
}

static gboolean
list_missing_work (sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  stmt = nod_store_prepare (db,
                            "SELECT m.project_id, m.iid, m.sha FROM merge_requests AS m "
                            "LEFT JOIN diff_versions AS v ON v.account_id = m.account_id "
                            "  AND v.project_id = m.project_id AND v.iid = m.iid "
                            "  AND v.head_sha = m.sha "
                            "WHERE m.account_id = ? AND m.state = 'opened' "
                            "  AND m.sha IS NOT NULL AND m.sha != '' "
                            "  AND (v.complete IS NULL OR v.complete = 0) "
                            "ORDER BY m.updated_at DESC, m.project_id, m.iid",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);

  work->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_diff_target_free);
  for (;;)
    {
      NodDiffTarget *target;

      if (!step_row (stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        return TRUE;
      target = g_new0 (NodDiffTarget, 1);
      target->project_id = sqlite3_column_int64 (stmt, 0);
      target->iid = sqlite3_column_int64 (stmt, 1);
      target->sha = g_strdup (column_text (stmt, 2));
      g_ptr_array_add (work->targets, target);
    }
}

void
nod_diff_cache_list_missing_async (NodDiffCache        *self,
                                   gint64               account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  nod_store_run_async (self->store, self, nod_diff_cache_list_missing_async,
                       list_missing_work, diff_work_new (account_id, 0, 0),
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

GPtrArray *
nod_diff_cache_list_missing_finish (NodDiffCache  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_list_missing_async,
                                         error);

  return work != NULL ? g_steal_pointer (&work->targets) : NULL;
}

/* ---- texts ---- */

static gboolean
load_blob_work (sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  stmt = nod_store_prepare (db, "SELECT content FROM blobs WHERE sha = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, work->head_sha, -1, SQLITE_STATIC);
  if (!step_row (stmt, &has_row, error))
    return FALSE;
  if (has_row)
    work->bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  return TRUE;
}

void
nod_diff_cache_load_blob_async (NodDiffCache        *self,
                                const char          *sha,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (sha != NULL);

  work = diff_work_new (0, 0, 0);
  work->head_sha = g_strdup (sha);
  nod_store_run_async (self->store, self, nod_diff_cache_load_blob_async, load_blob_work, work,
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

/**
 * nod_diff_cache_load_blob_finish:
 *
 * Returns: (transfer full) (nullable): the text, or %NULL with no error when not kept
 */
GBytes *
nod_diff_cache_load_blob_finish (NodDiffCache  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_blob_async, error);

  return work != NULL ? g_steal_pointer (&work->bytes) : NULL;
}

static gboolean
prune_blobs_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return nod_store_exec (db,
                         "DELETE FROM blobs WHERE sha NOT IN ("
                         "  SELECT old_blob FROM diff_files WHERE old_blob IS NOT NULL "
                         "  UNION SELECT new_blob FROM diff_files WHERE new_blob IS NOT NULL "
                         "  UNION SELECT blob FROM thread_texts WHERE blob IS NOT NULL)",
                         error);
}

void
nod_diff_cache_prune_blobs_async (NodDiffCache        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  nod_store_run_async (self->store, self, nod_diff_cache_prune_blobs_async, prune_blobs_work,
                       diff_work_new (0, 0, 0), (GDestroyNotify) diff_work_free, cancellable,
                       callback, user_data);
}

gboolean
nod_diff_cache_prune_blobs_finish (NodDiffCache  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return nod_store_run_finish (result, self, nod_diff_cache_prune_blobs_async, error) != NULL;
}

/* ---- viewed marks ---- */

static gboolean
load_viewed_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  work->viewed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stmt = nod_store_prepare (db,
                            "SELECT path, digest FROM viewed_files WHERE account_id = ? "
                            "AND project_id = ? AND iid = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_merge_request (stmt, work);
  for (;;)
    {
      if (!step_row (stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        return TRUE;
      g_hash_table_insert (work->viewed, g_strdup (column_text (stmt, 0)),
                           g_strdup (column_text (stmt, 1)));
    }
}

void
nod_diff_cache_load_viewed_async (NodDiffCache        *self,
                                  gint64               account_id,
                                  gint64               project_id,
                                  gint64               iid,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  nod_store_run_async (self->store, self, nod_diff_cache_load_viewed_async, load_viewed_work,
                       diff_work_new (account_id, project_id, iid),
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

/**
 * nod_diff_cache_load_viewed_finish:
 *
 * Returns: (transfer full): path -> digest
 */
GHashTable *
nod_diff_cache_load_viewed_finish (NodDiffCache  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_viewed_async, error);

  return work != NULL ? g_steal_pointer (&work->viewed) : NULL;
}

static gboolean
set_viewed_work (sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (work->digest == NULL)
    stmt = nod_store_prepare (db,
                              "DELETE FROM viewed_files WHERE account_id = ? AND project_id = ? "
                              "AND iid = ? AND path = ?",
                              error);
  else
    stmt = nod_store_prepare (db,
                              "INSERT INTO viewed_files (account_id, project_id, iid, path, "
                              "  digest, viewed_at_us) VALUES (?, ?, ?, ?, ?, ?) "
                              "ON CONFLICT (account_id, project_id, iid, path) DO UPDATE SET "
                              "  digest = excluded.digest, viewed_at_us = excluded.viewed_at_us",
                              error);
  if (stmt == NULL)
    return FALSE;
  bind_merge_request (stmt, work);
  sqlite3_bind_text (stmt, 4, work->path, -1, SQLITE_STATIC);
  if (work->digest != NULL)
    {
      sqlite3_bind_text (stmt, 5, work->digest, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 6, g_get_real_time ());
    }
  return nod_store_step_done (stmt, error);
}

void
nod_diff_cache_set_viewed_async (NodDiffCache        *self,
                                 gint64               account_id,
                                 gint64               project_id,
                                 gint64               iid,
                                 const char          *path,
                                 const char          *digest,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (path != NULL);

  work = diff_work_new (account_id, project_id, iid);
  work->path = g_strdup (path);
  work->digest = g_strdup (digest);
  nod_store_run_async (self->store, self, nod_diff_cache_set_viewed_async, set_viewed_work, work,
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

gboolean
nod_diff_cache_set_viewed_finish (NodDiffCache  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return nod_store_run_finish (result, self, nod_diff_cache_set_viewed_async, error) != NULL;
}

/* ---- the approved head ---- */

static gboolean
load_approved_head_work (sqlite3       *db,
                         gpointer       data,
                         GCancellable  *cancellable,
                         GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  stmt = nod_store_prepare (db,
                            "SELECT head_sha FROM approved_heads WHERE account_id = ? "
                            "AND project_id = ? AND iid = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_merge_request (stmt, work);
  if (!step_row (stmt, &has_row, error))
    return FALSE;
  if (has_row)
    work->head_sha = g_strdup (column_text (stmt, 0));
  return TRUE;
}

void
nod_diff_cache_load_approved_head_async (NodDiffCache        *self,
                                         gint64               account_id,
                                         gint64               project_id,
                                         gint64               iid,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  nod_store_run_async (self->store, self, nod_diff_cache_load_approved_head_async,
                       load_approved_head_work, diff_work_new (account_id, project_id, iid),
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

/**
 * nod_diff_cache_load_approved_head_finish:
 *
 * Returns: (transfer full) (nullable): the head sha, or %NULL with no error
 */
char *
nod_diff_cache_load_approved_head_finish (NodDiffCache  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_approved_head_async,
                                         error);

  return work != NULL ? g_steal_pointer (&work->head_sha) : NULL;
}

/* Runs in the caller's transaction (the outbox's, when an approval it sent is answered).
 * @head_sha NULL: the merge request's head as kept. */
gboolean
_nod_diff_cache_note_approval (sqlite3     *db,
                               gint64       account_id,
                               gint64       project_id,
                               gint64       iid,
                               gboolean     approved,
                               const char  *head_sha,
                               gboolean     replace,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!approved)
    stmt = nod_store_prepare (db,
                              "DELETE FROM approved_heads WHERE account_id = ? AND project_id = ? "
                              "AND iid = ?",
                              error);
  else
    stmt = nod_store_prepare (db,
                              replace
                              ? "INSERT INTO approved_heads (account_id, project_id, iid, "
                                "  head_sha) "
                                "SELECT ?1, ?2, ?3, COALESCE (?4, sha) FROM merge_requests "
                                "WHERE account_id = ?1 AND project_id = ?2 AND iid = ?3 "
                                "  AND COALESCE (?4, sha) IS NOT NULL "
                                "ON CONFLICT (account_id, project_id, iid) DO UPDATE SET "
                                "  head_sha = excluded.head_sha"
                              : "INSERT OR IGNORE INTO approved_heads (account_id, project_id, "
                                "  iid, head_sha) SELECT ?1, ?2, ?3, COALESCE (?4, sha) "
                                "FROM merge_requests WHERE account_id = ?1 AND project_id = ?2 "
                                "  AND iid = ?3 AND COALESCE (?4, sha) IS NOT NULL",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, project_id);
  sqlite3_bind_int64 (stmt, 3, iid);
  if (approved)
    sqlite3_bind_text (stmt, 4, head_sha, -1, SQLITE_STATIC);
  return nod_store_step_done (stmt, error);
}

static gboolean
note_approval_work (sqlite3       *db,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  DiffWork *work = data;

  return _nod_diff_cache_note_approval (db, work->account_id, work->project_id, work->iid,
                                        work->flag, work->head_sha, work->replace, error);
}

void
nod_diff_cache_note_approval_async (NodDiffCache        *self,
                                    gint64               account_id,
                                    gint64               project_id,
                                    gint64               iid,
                                    gboolean             approved,
                                    const char          *head_sha,
                                    gboolean             replace,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (!approved || head_sha != NULL);

  work = diff_work_new (account_id, project_id, iid);
  work->flag = approved;
  work->replace = replace;
  work->head_sha = g_strdup (head_sha);
  nod_store_run_async (self->store, self, nod_diff_cache_note_approval_async, note_approval_work,
                       work, (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

gboolean
nod_diff_cache_note_approval_finish (NodDiffCache  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return nod_store_run_finish (result, self, nod_diff_cache_note_approval_async, error) != NULL;
}

/* ---- the object ---- */

/* ---- the texts outdated threads were written on ---- */

/* The side a thread is on: the new text at its head, or (a removed line) the old one at
 * its base. */
#define THREAD_TEXT_SHA \
  "CASE WHEN json_extract (n.position, '$.new_line') > 0 " \
  "THEN json_extract (n.position, '$.head_sha') ELSE json_extract (n.position, '$.base_sha') END"
#define THREAD_TEXT_PATH \
  "CASE WHEN json_extract (n.position, '$.new_line') > 0 " \
  "THEN json_extract (n.position, '$.new_path') ELSE json_extract (n.position, '$.old_path') END"

static gboolean
list_thread_texts_work (sqlite3       *db,
                        gpointer       data,
                        GCancellable  *cancellable,
                        GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  stmt = nod_store_prepare (db,
                            "SELECT DISTINCT m.project_id, m.iid, " THREAD_TEXT_SHA " AS sha, "
                            THREAD_TEXT_PATH " AS path "
                            "FROM notes AS n JOIN discussions AS d "
                            "  ON d.account_id = n.account_id AND d.id = n.discussion_id "
                            "JOIN merge_requests AS m ON m.account_id = d.account_id "
                            "  AND m.project_id = d.project_id AND m.iid = d.iid "
                            "WHERE m.account_id = ? AND m.state = 'opened' "
                            "  AND json_valid (n.position) "
                            "  AND json_extract (n.position, '$.head_sha') != m.sha "
                            "  AND " THREAD_TEXT_SHA " IS NOT NULL "
                            "  AND " THREAD_TEXT_PATH " IS NOT NULL "
                            "  AND NOT EXISTS (SELECT 1 FROM thread_texts AS t "
                            "    WHERE t.account_id = m.account_id "
                            "    AND t.project_id = m.project_id AND t.iid = m.iid "
                            "    AND t.sha = " THREAD_TEXT_SHA " "
                            "    AND t.path = " THREAD_TEXT_PATH ") "
                            "ORDER BY m.updated_at DESC LIMIT ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int (stmt, 2, NOD_DIFF_CACHE_THREAD_TEXTS_MAX);

  work->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_diff_target_free);
  for (;;)
    {
      NodThreadText *text;

      if (!step_row (stmt, &has_row, error))
        return FALSE;
      if (!has_row)
        return TRUE;
      text = g_new0 (NodThreadText, 1);
      text->project_id = sqlite3_column_int64 (stmt, 0);
      text->iid = sqlite3_column_int64 (stmt, 1);
      text->sha = g_strdup (column_text (stmt, 2));
      text->path = g_strdup (column_text (stmt, 3));
      g_ptr_array_add (work->targets, text);
    }
}

void
nod_diff_cache_list_thread_texts_async (NodDiffCache        *self,
                                        gint64               account_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_CACHE (self));

  nod_store_run_async (self->store, self, nod_diff_cache_list_thread_texts_async,
                       list_thread_texts_work, diff_work_new (account_id, 0, 0),
                       (GDestroyNotify) diff_work_free, cancellable, callback, user_data);
}

GPtrArray *
nod_diff_cache_list_thread_texts_finish (NodDiffCache  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_list_thread_texts_async,
                                         error);

  return work != NULL ? g_steal_pointer (&work->targets) : NULL;
}

static gboolean
save_thread_text_work (sqlite3       *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sha = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;
  if (work->bytes != NULL)
    {
      g_autoptr(GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_bytes_unref);

      sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, work->bytes);
      g_hash_table_insert (blobs, g_strdup (sha), g_bytes_ref (work->bytes));
      if (!save_blobs (db, blobs, error))
        goto failed;
    }
  /* A row with no text says GitLab had none to give: not asked again. */
  stmt = nod_store_prepare (db,
                            "INSERT OR REPLACE INTO thread_texts (account_id, project_id, iid, "
                            "  sha, path, blob) SELECT ?1, ?2, ?3, ?4, ?5, ?6 "
                            "WHERE EXISTS (SELECT 1 FROM merge_requests WHERE account_id = ?1 "
                            "  AND project_id = ?2 AND iid = ?3)",
                            error);
  if (stmt == NULL)
    goto failed;
  bind_merge_request (stmt, work);
  sqlite3_bind_text (stmt, 4, work->head_sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, work->path, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, sha, -1, SQLITE_STATIC);
  if (!nod_store_step_done (stmt, error) || !nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

void
nod_diff_cache_save_thread_text_async (NodDiffCache        *self,
                                       gint64               account_id,
                                       gint64               project_id,
                                       gint64               iid,
                                       const char          *sha,
                                       const char          *path,
                                       GBytes              *text,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (sha != NULL && path != NULL);

  work = diff_work_new (account_id, project_id, iid);
  work->head_sha = g_strdup (sha);
  work->path = g_strdup (path);
  work->bytes = text != NULL ? g_bytes_ref (text) : NULL;
  nod_store_run_async (self->store, self, nod_diff_cache_save_thread_text_async,
                       save_thread_text_work, work, (GDestroyNotify) diff_work_free,
                       cancellable, callback, user_data);
}

gboolean
nod_diff_cache_save_thread_text_finish (NodDiffCache  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return nod_store_run_finish (result, self, nod_diff_cache_save_thread_text_async,
                               error) != NULL;
}

static gboolean
load_thread_text_work (sqlite3       *db,
                       gpointer       data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  DiffWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  stmt = nod_store_prepare (db,
                            "SELECT b.content FROM thread_texts AS t JOIN blobs AS b "
                            "  ON b.sha = t.blob "
                            "WHERE t.account_id = ? AND t.project_id = ? AND t.iid = ? "
                            "  AND t.sha = ? AND t.path = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_merge_request (stmt, work);
  sqlite3_bind_text (stmt, 4, work->head_sha, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, work->path, -1, SQLITE_STATIC);
  if (!step_row (stmt, &has_row, error))
    return FALSE;
  if (has_row)
    work->bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  return TRUE;
}

void
nod_diff_cache_load_thread_text_async (NodDiffCache        *self,
                                       gint64               account_id,
                                       gint64               project_id,
                                       gint64               iid,
                                       const char          *sha,
                                       const char          *path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  DiffWork *work;

  g_return_if_fail (NOD_IS_DIFF_CACHE (self));
  g_return_if_fail (sha != NULL && path != NULL);

  work = diff_work_new (account_id, project_id, iid);
  work->head_sha = g_strdup (sha);
  work->path = g_strdup (path);
  nod_store_run_async (self->store, self, nod_diff_cache_load_thread_text_async,
                       load_thread_text_work, work, (GDestroyNotify) diff_work_free,
                       cancellable, callback, user_data);
}

GBytes *
nod_diff_cache_load_thread_text_finish (NodDiffCache  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  DiffWork *work = nod_store_run_finish (result, self, nod_diff_cache_load_thread_text_async,
                                         error);

  return work != NULL ? g_steal_pointer (&work->bytes) : NULL;
}

static void
nod_diff_cache_dispose (GObject *object)
{
  NodDiffCache *self = NOD_DIFF_CACHE (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_diff_cache_parent_class)->dispose (object);
}

static void
nod_diff_cache_class_init (NodDiffCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_diff_cache_dispose;
}

static void
nod_diff_cache_init (NodDiffCache *self)
{
}

NodDiffCache *
nod_diff_cache_new (NodStore *store)
{
  NodDiffCache *self;

  g_return_val_if_fail (NOD_IS_STORE (store), NULL);

  self = g_object_new (NOD_TYPE_DIFF_CACHE, NULL);
  self->store = g_object_ref (store);
  return self;
}
