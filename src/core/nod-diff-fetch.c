/* nod-diff-fetch.c: one merge request's change fetched into the diff cache
 *
 * The newest version's refs come from page 1 of /versions (the list of merge requests has
 * no diff_refs), the files from /diffs page by page, then each changed text file's old text
 * (at base_sha) and new text (at head_sha) from the raw file API, a few at once; texts
 * kept before, by commit and path, are not fetched again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-diff-fetch"

#include "config.h"

#include <string.h>

#include "nod-diff-fetch.h"

#include "nod-rate-limit.h"

/* One text to fetch: a side of a file at a commit. */
typedef struct
{
  NodDiffFetch *fetch;     /* while it is fetched */
  NodDiffFile  *file;
  gboolean      old_side;
  char         *path;
  char         *ref;
} Wanted;

struct _NodDiffFetch
{
  GObject       parent_instance;

  NodForge     *forge;
  NodDiffCache *diff_cache;
  NodClock     *clock;
  gint64        account_id;
  gint64        project_id;
  gint64        iid;
  char         *head_sha;

  GTask               *task;
  NodDiffFetchPlan    *plan;
  NodMergeRequestDiff *version;   /* the newest version's refs */
  GPtrArray           *files;
  GQueue               queue;     /* Wanted, not started yet */
  GHashTable          *blobs;     /* blob sha -> GBytes */
  guint                in_flight;
  guint                reserve;   /* requests left that it stops at */
  guint                wanted;
  guint                fetched;
  gboolean             complete;  /* every text it should keep is kept */
  GError              *error;     /* the first failure that fails the fetch */
};

G_DEFINE_FINAL_TYPE (NodDiffFetch, nod_diff_fetch, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void fetch_texts (NodDiffFetch *self);

static void
wanted_free (Wanted *wanted)
{
  g_clear_object (&wanted->fetch);
  g_object_unref (wanted->file);
  g_free (wanted->path);
  g_free (wanted->ref);
  g_free (wanted);
}

static GCancellable *
cancellable_of (NodDiffFetch *self)
{
  return g_task_get_cancellable (self->task);
}

/* What ends the pull, not just this change: the connection, the token, the rate limit. */
gboolean
nod_diff_fetch_fails_the_pull (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK) ||
         g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT) ||
         g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH) ||
         g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED);
}

static void
finish (NodDiffFetch *self,
        GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A failure about the change alone: it is not kept, and the pull goes on. */
static void
give_up (NodDiffFetch *self,
         GError       *error)
{
  if (nod_diff_fetch_fails_the_pull (error))
    {
      finish (self, error);
      return;
    }
  g_debug ("The change of !%" G_GINT64_FORMAT " in project %" G_GINT64_FORMAT
           " is not kept: %s", self->iid, self->project_id, error->message);
  g_error_free (error);
  finish (self, NULL);
}

static gboolean
at_reserve (NodDiffFetch *self)
{
  g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);

  /* Those in flight are counted already by GitLab, not yet in what it said. */
  return nod_rate_limit_blocked_until (limit, self->reserve + self->in_flight,
                                       nod_clock_get_now_s (self->clock)) != 0;
}

/* ---- keeping it ---- */

static void
on_saved (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_diff_cache_save_diff_finish (self->diff_cache, result, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  finish (self, NULL);
}

static void
save (NodDiffFetch *self)
{
  g_autoptr(NodMergeRequestDiff) diff = NULL;

  if (self->error != NULL)
    {
      finish (self, g_steal_pointer (&self->error));
      return;
    }

  diff = nod_merge_request_diff_new (nod_merge_request_diff_get_base_sha (self->version),
                                     nod_merge_request_diff_get_start_sha (self->version),
                                     nod_merge_request_diff_get_head_sha (self->version),
                                     g_steal_pointer (&self->files));
  nod_diff_cache_save_diff_async (self->diff_cache, self->account_id, self->project_id,
                                  self->iid, diff, self->blobs, self->complete, NULL, on_saved,
                                  g_object_ref (self));
}

/* ---- the texts ---- */

/* Whether Nod shows @bytes line by line: text, within its bounds. */
gboolean
nod_diff_fetch_is_showable_text (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  guint lines = 0;

  if (size == 0)
    return TRUE;
  if (size > NOD_DIFF_FILE_MAX_BYTES || memchr (data, '\0', size) != NULL)
    return FALSE;
  for (const char *p = data; p != NULL && p < data + size; p++)
    {
      p = memchr (p, '\n', data + size - p);
      if (p == NULL)
        break;
      if (++lines > NOD_DIFF_FILE_MAX_LINES)
        return FALSE;
    }
  return TRUE;
}

static void
keep_text (NodDiffFetch *self,
           Wanted       *wanted,
           GBytes       *bytes)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  NodDiffFile *file = wanted->file;

  if (!g_hash_table_contains (self->blobs, sha))
    g_hash_table_insert (self->blobs, g_strdup (sha), g_bytes_ref (bytes));
  if (wanted->old_side)
    nod_diff_file_set_blobs (file, sha, nod_diff_file_get_new_blob (file));
  else
    nod_diff_file_set_blobs (file, nod_diff_file_get_old_blob (file), sha);
}

static void
on_text (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wanted *wanted = user_data;
  g_autoptr(NodDiffFetch) self = g_steal_pointer (&wanted->fetch);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = nod_forge_get_raw_file_finish (NOD_FORGE (source_object), result,
                                                          &error);

  self->in_flight--;
  self->fetched++;
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, self->fetched, self->wanted);

  if (bytes != NULL)
    {
      /* A binary or oversized text is not shown: knowing so is as good as having it. */
      if (nod_diff_fetch_is_showable_text (bytes))
        keep_text (self, wanted, bytes);
    }
  else if (nod_diff_fetch_fails_the_pull (error))
    {
      if (self->error == NULL)
        self->error = g_steal_pointer (&error);
    }
  else if (!g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND))
    {
      g_debug ("%s at %s not kept: %s", wanted->path, wanted->ref, error->message);
      self->complete = FALSE;
    }

  wanted_free (wanted);
  fetch_texts (self);
}

static void
fetch_texts (NodDiffFetch *self)
{
  if (self->task == NULL)
    return;

  while (self->error == NULL && self->in_flight < NOD_DIFF_FETCH_PARALLEL &&
         !g_queue_is_empty (&self->queue))
    {
      Wanted *wanted;

      if (at_reserve (self))
        {
          /* The rest is for the next pull, after the reset. */
          g_queue_clear_full (&self->queue, (GDestroyNotify) wanted_free);
          self->complete = FALSE;
          break;
        }

      wanted = g_queue_pop_head (&self->queue);
      self->in_flight++;
      wanted->fetch = g_object_ref (self);
      nod_forge_get_raw_file_async (self->forge, self->project_id, wanted->path, wanted->ref,
                                    cancellable_of (self), on_text, wanted);
    }

  if (self->error != NULL)
    g_queue_clear_full (&self->queue, (GDestroyNotify) wanted_free);
  if (self->in_flight == 0 && g_queue_is_empty (&self->queue))
    save (self);
}

/* The side's text at @ref, unless the cache keeps it (then the file gets its sha now). */
static void
want (NodDiffFetch *self,
      NodDiffFile  *file,
      gboolean      old_side,
      const char   *path,
      const char   *ref)
{
  g_autofree char *key = g_strconcat (ref, ":", path, NULL);
  const char *known = g_hash_table_lookup (self->plan->known_blobs, key);
  Wanted *wanted;

  if (known == NULL && !old_side)
    {
      g_autofree char *diff_key =
        nod_diff_fetch_plan_diff_key (nod_merge_request_diff_get_base_sha (self->version),
                                      nod_diff_file_get_old_path (file),
                                      nod_diff_file_get_new_path (file),
                                      nod_diff_file_get_diff (file));

      if (diff_key != NULL)
        known = g_hash_table_lookup (self->plan->known_blobs, diff_key);
    }

  if (known != NULL)
    {
      if (old_side)
        nod_diff_file_set_blobs (file, known, nod_diff_file_get_new_blob (file));
      else
        nod_diff_file_set_blobs (file, nod_diff_file_get_old_blob (file), known);
      return;
    }

  wanted = g_new0 (Wanted, 1);
  wanted->file = g_object_ref (file);
  wanted->old_side = old_side;
  wanted->path = g_strdup (path);
  wanted->ref = g_strdup (ref);
  g_queue_push_tail (&self->queue, wanted);
  self->wanted++;
}

static void
plan_texts (NodDiffFetch *self)
{
  const char *base_sha = nod_merge_request_diff_get_base_sha (self->version);
  const char *head_sha = nod_merge_request_diff_get_head_sha (self->version);

  for (guint i = 0; i < self->files->len; i++)
    {
      NodDiffFile *file = self->files->pdata[i];
      NodDiffFileStatus status = nod_diff_file_get_status (file);

      /* Not shown line by line: its texts would only take room. */
      if (nod_diff_file_get_visibility (file) != NOD_DIFF_FILE_SHOWN)
        continue;
      if (status != NOD_DIFF_FILE_STATUS_ADDED)
        want (self, file, TRUE, nod_diff_file_get_old_path (file), base_sha);
      if (status != NOD_DIFF_FILE_STATUS_DELETED)
        want (self, file, FALSE, nod_diff_file_get_new_path (file), head_sha);
    }

  if (self->wanted > 0)
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, 0, self->wanted);
  fetch_texts (self);
}

/* ---- the diff ---- */

static void fetch_diffs (NodDiffFetch *self,
                         guint         page);

static void
on_diffs (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_diffs_finish (self->forge, result, &error);
  GPtrArray *items;

  if (page == NULL)
    {
      give_up (self, g_steal_pointer (&error));
      return;
    }

  items = nod_forge_page_get_items (page);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (self->files, g_object_ref (items->pdata[i]));

  if (nod_forge_page_get_next_page (page) != 0)
    {
      if (at_reserve (self))
        {
          /* Half a diff is not kept: the next pull fetches it whole. */
          finish (self, NULL);
          return;
        }
      fetch_diffs (self, nod_forge_page_get_next_page (page));
      return;
    }

  plan_texts (self);
}

static void
fetch_diffs (NodDiffFetch *self,
             guint         page)
{
  nod_forge_list_diffs_async (self->forge, self->project_id, self->iid, page,
                              cancellable_of (self), on_diffs, g_object_ref (self));
}

static void
on_approved_saved (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_diff_cache_save_diff_finish (self->diff_cache, result, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  fetch_diffs (self, 1);
}

static void
on_approved_version (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestDiff) version = nod_forge_get_version_finish (self->forge, result,
                                                                         &error);

  if (version == NULL)
    {
      if (nod_diff_fetch_fails_the_pull (error))
        {
          finish (self, g_steal_pointer (&error));
          return;
        }
      g_debug ("The approved version of !%" G_GINT64_FORMAT " is not kept: %s", self->iid,
               error->message);
      fetch_diffs (self, 1);
      return;
    }
  /* Its files, without their texts: what "changed since you approved" compares. Kept
   * first, so that keeping the newest after it keeps it too (it is the approved one). */
  nod_diff_cache_save_diff_async (self->diff_cache, self->account_id, self->project_id,
                                  self->iid, version, NULL, TRUE, NULL, on_approved_saved,
                                  g_object_ref (self));
}

/* The reviewer approved at a head whose diff the cache never kept (approved before the
 * pull fetched it): that version's files, from …/versions/:id. FALSE when there is none
 * to fetch. */
static gboolean
fetch_approved_version (NodDiffFetch *self,
                        GPtrArray    *versions)
{
  const char *approved = self->plan->approved_head;

  if (approved == NULL || self->plan->approved_kept ||
      g_strcmp0 (approved, nod_merge_request_diff_get_head_sha (self->version)) == 0)
    return FALSE;
  for (guint i = 1; i < versions->len; i++)
    {
      NodMergeRequestDiff *version = versions->pdata[i];

      if (g_strcmp0 (nod_merge_request_diff_get_head_sha (version), approved) != 0 ||
          nod_merge_request_diff_get_version_id (version) <= 0)
        continue;
      nod_forge_get_version_async (self->forge, self->project_id, self->iid,
                                   nod_merge_request_diff_get_version_id (version),
                                   cancellable_of (self), on_approved_version,
                                   g_object_ref (self));
      return TRUE;
    }
  return FALSE;
}

static void
on_versions (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_versions_finish (self->forge, result, &error);
  GPtrArray *items;

  if (page == NULL)
    {
      give_up (self, g_steal_pointer (&error));
      return;
    }

  /* Newest first. None yet: GitLab has not computed the diff; the next pull asks again. */
  items = nod_forge_page_get_items (page);
  if (items->len == 0)
    {
      finish (self, NULL);
      return;
    }

  self->version = g_object_ref (items->pdata[0]);
  if (!fetch_approved_version (self, items))
    fetch_diffs (self, 1);
}

static void
on_plan (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(NodDiffFetch) self = user_data;
  g_autoptr(GError) error = NULL;

  self->plan = nod_diff_cache_load_fetch_plan_finish (self->diff_cache, result, &error);
  if (self->plan == NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  if (self->plan->complete)
    {
      finish (self, NULL);
      return;
    }

  nod_forge_list_versions_async (self->forge, self->project_id, self->iid, 1,
                                 cancellable_of (self), on_versions, g_object_ref (self));
}

void
nod_diff_fetch_run_async (NodDiffFetch        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NOD_IS_DIFF_FETCH (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, nod_diff_fetch_run_async);
  self->complete = TRUE;

  nod_diff_cache_load_fetch_plan_async (self->diff_cache, self->account_id, self->project_id,
                                        self->iid, self->head_sha, NULL, on_plan,
                                        g_object_ref (self));
}

gboolean
nod_diff_fetch_run_finish (NodDiffFetch  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
nod_diff_fetch_get_wanted (NodDiffFetch *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_FETCH (self), 0);

  return self->wanted;
}

guint
nod_diff_fetch_get_fetched (NodDiffFetch *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_FETCH (self), 0);

  return self->fetched;
}

static void
nod_diff_fetch_dispose (GObject *object)
{
  NodDiffFetch *self = NOD_DIFF_FETCH (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) wanted_free);
  g_clear_object (&self->forge);
  g_clear_object (&self->diff_cache);
  g_clear_object (&self->clock);
  g_clear_object (&self->version);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->blobs, g_hash_table_unref);
  g_clear_pointer (&self->plan, nod_diff_fetch_plan_free);

  G_OBJECT_CLASS (nod_diff_fetch_parent_class)->dispose (object);
}

static void
nod_diff_fetch_finalize (GObject *object)
{
  NodDiffFetch *self = NOD_DIFF_FETCH (object);

  g_assert (self->task == NULL);
  g_clear_error (&self->error);
  g_free (self->head_sha);

  G_OBJECT_CLASS (nod_diff_fetch_parent_class)->finalize (object);
}

static void
nod_diff_fetch_class_init (NodDiffFetchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_diff_fetch_dispose;
  object_class->finalize = nod_diff_fetch_finalize;

  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
nod_diff_fetch_init (NodDiffFetch *self)
{
  g_queue_init (&self->queue);
  self->reserve = NOD_RATE_LIMIT_DEFAULT_RESERVE;
  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  self->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
}

void
nod_diff_fetch_set_reserve (NodDiffFetch *self,
                            guint         reserve)
{
  g_return_if_fail (NOD_IS_DIFF_FETCH (self));
  g_return_if_fail (self->task == NULL);

  self->reserve = reserve;
}

NodDiffFetch *
nod_diff_fetch_new (NodForge     *forge,
                    NodDiffCache *diff_cache,
                    NodClock     *clock,
                    gint64        account_id,
                    gint64        project_id,
                    gint64        iid,
                    const char   *head_sha)
{
  NodDiffFetch *self;

  g_return_val_if_fail (NOD_IS_FORGE (forge), NULL);
  g_return_val_if_fail (NOD_IS_DIFF_CACHE (diff_cache), NULL);
  g_return_val_if_fail (NOD_IS_CLOCK (clock), NULL);

  self = g_object_new (NOD_TYPE_DIFF_FETCH, NULL);
  self->forge = g_object_ref (forge);
  self->diff_cache = g_object_ref (diff_cache);
  self->clock = g_object_ref (clock);
  self->account_id = account_id;
  self->project_id = project_id;
  self->iid = iid;
  self->head_sha = g_strdup (head_sha);

  return self;
}
