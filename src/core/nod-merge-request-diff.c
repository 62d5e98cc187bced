/* nod-merge-request-diff.c: the change a merge request makes at one head
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-merge-request-diff.h"

struct _NodMergeRequestDiff
{
  GObject    parent_instance;

  char      *base_sha;
  char      *start_sha;
  char      *head_sha;
  GPtrArray *files;
  gint64     version_id;  /* GitLab's, when known; 0 otherwise */
};

G_DEFINE_FINAL_TYPE (NodMergeRequestDiff, nod_merge_request_diff, G_TYPE_OBJECT)

static void
nod_merge_request_diff_finalize (GObject *object)
{
  NodMergeRequestDiff *self = NOD_MERGE_REQUEST_DIFF (object);

  g_free (self->base_sha);
  g_free (self->start_sha);
  g_free (self->head_sha);
  g_ptr_array_unref (self->files);

  G_OBJECT_CLASS (nod_merge_request_diff_parent_class)->finalize (object);
}

static void
nod_merge_request_diff_class_init (NodMergeRequestDiffClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_merge_request_diff_finalize;
}

static void
nod_merge_request_diff_init (NodMergeRequestDiff *self)
{
}

gint64
nod_merge_request_diff_get_version_id (NodMergeRequestDiff *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_DIFF (self), 0);
  return self->version_id;
}

void
nod_merge_request_diff_set_version_id (NodMergeRequestDiff *self,
                                       gint64               version_id)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_DIFF (self));
  self->version_id = version_id;
}

NodMergeRequestDiff *
nod_merge_request_diff_new (const char *base_sha,
                            const char *start_sha,
                            const char *head_sha,
                            GPtrArray  *files)
{
  NodMergeRequestDiff *self = g_object_new (NOD_TYPE_MERGE_REQUEST_DIFF, NULL);

  self->base_sha = g_strdup (base_sha);
  self->start_sha = g_strdup (start_sha);
  self->head_sha = g_strdup (head_sha);
  self->files = files != NULL ? files : g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

const char *nod_merge_request_diff_get_base_sha (NodMergeRequestDiff *self) { return self->base_sha; }
const char *nod_merge_request_diff_get_start_sha (NodMergeRequestDiff *self) { return self->start_sha; }
const char *nod_merge_request_diff_get_head_sha (NodMergeRequestDiff *self) { return self->head_sha; }
GPtrArray *nod_merge_request_diff_get_files (NodMergeRequestDiff *self) { return self->files; }

NodDiffFile *
nod_merge_request_diff_find_file (NodMergeRequestDiff *self,
                                  const char          *path)
{
  for (guint i = 0; path != NULL && i < self->files->len; i++)
    {
      NodDiffFile *file = g_ptr_array_index (self->files, i);
      if (g_strcmp0 (nod_diff_file_get_old_path (file), path) == 0 ||
          g_strcmp0 (nod_diff_file_get_new_path (file), path) == 0)
        return file;
    }
  return NULL;
}

void
nod_merge_request_diff_count (NodMergeRequestDiff *self,
                              guint               *additions,
                              guint               *deletions)
{
  guint added = 0, removed = 0;

  for (guint i = 0; i < self->files->len; i++)
    {
      added += nod_diff_file_get_additions (g_ptr_array_index (self->files, i));
      removed += nod_diff_file_get_deletions (g_ptr_array_index (self->files, i));
    }
  if (additions != NULL)
    *additions = added;
  if (deletions != NULL)
    *deletions = removed;
}

static NodDiffFile *
find_by_path (NodMergeRequestDiff *diff,
              const char          *path)
{
  for (guint i = 0; i < diff->files->len; i++)
    if (g_strcmp0 (nod_diff_file_get_path (g_ptr_array_index (diff->files, i)), path) == 0)
      return g_ptr_array_index (diff->files, i);
  return NULL;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
nod_merge_request_diff_changed_since (NodMergeRequestDiff *self,
                                      NodMergeRequestDiff *earlier)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->files->len; i++)
    {
      NodDiffFile *file = g_ptr_array_index (self->files, i);
      const char *path = nod_diff_file_get_path (file);
      NodDiffFile *before = earlier != NULL ? find_by_path (earlier, path) : NULL;
      gboolean changed;

      if (before == NULL)
        changed = TRUE;
      else if (nod_diff_file_get_new_blob (file) != NULL && nod_diff_file_get_new_blob (before) != NULL)
        changed = g_strcmp0 (nod_diff_file_get_new_blob (file), nod_diff_file_get_new_blob (before)) != 0;
      else
        changed = g_strcmp0 (nod_diff_file_get_digest (file), nod_diff_file_get_digest (before)) != 0;
      if (changed)
        g_ptr_array_add (paths, g_strdup (path));
    }

  /* a file the earlier diff changed that this one does not: back to the target's text */
  for (guint i = 0; earlier != NULL && i < earlier->files->len; i++)
    {
      const char *path = nod_diff_file_get_path (g_ptr_array_index (earlier->files, i));
      if (find_by_path (self, path) == NULL)
        g_ptr_array_add (paths, g_strdup (path));
    }

  g_ptr_array_sort (paths, compare_paths);
  return paths;
}
