/* nod-diff-file.c: one file of a merge request's diff, as GitLab sent it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "nod-diff-file.h"

struct _NodDiffFile
{
  GObject           parent_instance;

  char             *old_path;
  char             *new_path;
  char             *a_mode;
  char             *b_mode;
  NodDiffFileFlags  flags;
  char             *diff;
  gsize             diff_length;
  char             *digest;
  GArray           *lines;
  char             *old_blob;
  char             *new_blob;
};

G_DEFINE_FINAL_TYPE (NodDiffFile, nod_diff_file, G_TYPE_OBJECT)

static void
nod_diff_file_finalize (GObject *object)
{
  NodDiffFile *self = NOD_DIFF_FILE (object);

  g_free (self->old_path);
  g_free (self->new_path);
  g_free (self->a_mode);
  g_free (self->b_mode);
  g_free (self->diff);
  g_free (self->digest);
  g_clear_pointer (&self->lines, g_array_unref);
  g_free (self->old_blob);
  g_free (self->new_blob);

  G_OBJECT_CLASS (nod_diff_file_parent_class)->finalize (object);
}

static void
nod_diff_file_class_init (NodDiffFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_diff_file_finalize;
}

static void
nod_diff_file_init (NodDiffFile *self)
{
}

NodDiffFile *
nod_diff_file_new (const char       *old_path,
                   const char       *new_path,
                   const char       *a_mode,
                   const char       *b_mode,
                   NodDiffFileFlags  flags,
                   const char       *diff)
{
  NodDiffFile *self = g_object_new (NOD_TYPE_DIFF_FILE, NULL);

  self->old_path = g_strdup (old_path != NULL ? old_path : (new_path != NULL ? new_path : ""));
  self->new_path = g_strdup (new_path != NULL ? new_path : self->old_path);
  self->a_mode = g_strdup (a_mode != NULL ? a_mode : "0");
  self->b_mode = g_strdup (b_mode != NULL ? b_mode : "0");
  self->flags = flags;
  self->diff = g_strdup (diff != NULL ? diff : "");
  self->diff_length = strlen (self->diff);
  return self;
}

const char *nod_diff_file_get_old_path (NodDiffFile *self) { return self->old_path; }
const char *nod_diff_file_get_new_path (NodDiffFile *self) { return self->new_path; }
const char *nod_diff_file_get_a_mode (NodDiffFile *self) { return self->a_mode; }
const char *nod_diff_file_get_b_mode (NodDiffFile *self) { return self->b_mode; }
NodDiffFileFlags nod_diff_file_get_flags (NodDiffFile *self) { return self->flags; }
const char *nod_diff_file_get_diff (NodDiffFile *self) { return self->diff; }
const char *nod_diff_file_get_old_blob (NodDiffFile *self) { return self->old_blob; }
const char *nod_diff_file_get_new_blob (NodDiffFile *self) { return self->new_blob; }

const char *
nod_diff_file_get_path (NodDiffFile *self)
{
  return (self->flags & NOD_DIFF_FILE_DELETED) ? self->old_path : self->new_path;
}

NodDiffFileStatus
nod_diff_file_get_status (NodDiffFile *self)
{
  if (self->flags & NOD_DIFF_FILE_NEW)
    return NOD_DIFF_FILE_STATUS_ADDED;
  if (self->flags & NOD_DIFF_FILE_DELETED)
    return NOD_DIFF_FILE_STATUS_DELETED;
  if (self->flags & NOD_DIFF_FILE_RENAMED)
    return NOD_DIFF_FILE_STATUS_RENAMED;
  return NOD_DIFF_FILE_STATUS_MODIFIED;
}

NodDiffFileVisibility
nod_diff_file_get_visibility (NodDiffFile *self)
{
  guint newlines = 0;

  /* "Binary files a/x and b/x differ" is GitLab's word for it */
  if (g_str_has_prefix (self->diff, "Binary files ") && strstr (self->diff, " differ") != NULL)
    return NOD_DIFF_FILE_HIDDEN_BINARY;
  if ((self->flags & (NOD_DIFF_FILE_TOO_LARGE | NOD_DIFF_FILE_COLLAPSED)) && self->diff[0] == '\0')
    return NOD_DIFF_FILE_HIDDEN_TOO_LARGE;
  if (self->diff_length > NOD_DIFF_FILE_MAX_BYTES)
    return NOD_DIFF_FILE_HIDDEN_TOO_LARGE;
  for (const char *p = self->diff; (p = strchr (p, '\n')) != NULL; p++)
    if (++newlines > NOD_DIFF_FILE_MAX_LINES)
      return NOD_DIFF_FILE_HIDDEN_TOO_LARGE;
  return NOD_DIFF_FILE_SHOWN;
}

const char *
nod_diff_file_get_digest (NodDiffFile *self)
{
  if (self->digest == NULL)
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
      g_autofree char *flags = g_strdup_printf ("%u", (guint) self->flags);
      const char *parts[] = { self->old_path, self->new_path, self->a_mode, self->b_mode,
                              flags, self->diff };

      /* each part with its NUL, so "ab"+"c" and "a"+"bc" differ */
      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        g_checksum_update (sum, (const guchar *) parts[i], (gssize) strlen (parts[i]) + 1);
      self->digest = g_strdup (g_checksum_get_string (sum));
    }
  return self->digest;
}

GArray *
nod_diff_file_get_lines (NodDiffFile *self)
{
  if (self->lines == NULL)
    self->lines = nod_diff_lines_parse (self->diff, self->diff_length);
  return self->lines;
}

guint
nod_diff_file_get_additions (NodDiffFile *self)
{
  guint additions;

  nod_diff_lines_count (nod_diff_file_get_lines (self), &additions, NULL);
  return additions;
}

guint
nod_diff_file_get_deletions (NodDiffFile *self)
{
  guint deletions;

  nod_diff_lines_count (nod_diff_file_get_lines (self), NULL, &deletions);
  return deletions;
}

void
nod_diff_file_set_blobs (NodDiffFile *self,
                         const char  *old_blob,
                         const char  *new_blob)
{
  /* Copied before the old ones go: a caller may pass one side's own string back. */
  char *old_copy = g_strdup (old_blob);
  char *new_copy = g_strdup (new_blob);

  g_free (self->old_blob);
  g_free (self->new_blob);
  self->old_blob = old_copy;
  self->new_blob = new_copy;
}

NodDiffPosition *
nod_diff_file_position_at (NodDiffFile  *self,
                           const char   *base_sha,
                           const char   *start_sha,
                           const char   *head_sha,
                           gboolean      old_side,
                           guint         line_number,
                           guint         line_count,
                           GError      **error)
{
  g_autoptr(NodDiffPosition) position = NULL;
  GArray *lines = nod_diff_file_get_lines (self);
  gssize found;

  if (line_number == 0 ||
      (old_side && (self->flags & NOD_DIFF_FILE_NEW)) ||
      (!old_side && (self->flags & NOD_DIFF_FILE_DELETED)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   old_side ? _("Line %u is not in the old file of %s")
                            : _("Line %u is not in the new file of %s"),
                   line_number, nod_diff_file_get_path (self));
      return NULL;
    }

  position = nod_diff_position_new ();
  position->base_sha = g_strdup (base_sha);
  position->start_sha = g_strdup (start_sha);
  position->head_sha = g_strdup (head_sha);
  position->old_path = g_strdup (self->old_path);
  position->new_path = g_strdup (self->new_path);

  found = nod_diff_lines_find (lines, old_side, line_number);
  if (found >= 0)
    {
      NodDiffLine *line = &g_array_index (lines, NodDiffLine, found);
      position->old_line = line->old_line > 0 ? (gint64) line->old_line : -1;
      position->new_line = line->new_line > 0 ? (gint64) line->new_line : -1;
      return g_steal_pointer (&position);
    }

  {
    guint other = nod_diff_lines_map_unchanged (lines, old_side, line_number);

    if (other == 0 || (line_count > 0 && line_number > line_count))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     old_side ? _("Line %u is not in the old file of %s")
                              : _("Line %u is not in the new file of %s"),
                     line_number, nod_diff_file_get_path (self));
        return NULL;
      }
    position->old_line = old_side ? line_number : other;
    position->new_line = old_side ? other : line_number;
  }
  return g_steal_pointer (&position);
}
