/* nod-diff-file.h: one file of a merge request's diff, as GitLab sent it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-diff-lines.h"
#include "nod-note.h"

G_BEGIN_DECLS

/* GitLab's flags of a diff file. */
typedef enum
{
  NOD_DIFF_FILE_NEW       = 1 << 0,
  NOD_DIFF_FILE_RENAMED   = 1 << 1,
  NOD_DIFF_FILE_DELETED   = 1 << 2,
  NOD_DIFF_FILE_GENERATED = 1 << 3,  /* generated_file */
  NOD_DIFF_FILE_COLLAPSED = 1 << 4,  /* collapsed: GitLab left its diff out ("") */
  NOD_DIFF_FILE_TOO_LARGE = 1 << 5,  /* too_large: GitLab left its diff out ("") */
} NodDiffFileFlags;

typedef enum
{
  NOD_DIFF_FILE_STATUS_ADDED,
  NOD_DIFF_FILE_STATUS_MODIFIED,
  NOD_DIFF_FILE_STATUS_DELETED,
  NOD_DIFF_FILE_STATUS_RENAMED,
} NodDiffFileStatus;

/* Why a file's diff is not shown line by line (then the view offers the browser). */
typedef enum
{
  NOD_DIFF_FILE_SHOWN,
  NOD_DIFF_FILE_HIDDEN_BINARY,     /* "Binary files … differ", or a NUL in the text */
  NOD_DIFF_FILE_HIDDEN_TOO_LARGE,  /* GitLab's too_large/collapsed, or over Nod's bounds */
} NodDiffFileVisibility;

/* Nod's own bounds on a file it shows line by line (either side's text, or the diff). */
#define NOD_DIFF_FILE_MAX_BYTES (2 * 1024 * 1024)
#define NOD_DIFF_FILE_MAX_LINES 20000

#define NOD_TYPE_DIFF_FILE (nod_diff_file_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffFile, nod_diff_file, NOD, DIFF_FILE, GObject)

/* @diff is copied; NULL is "". Modes are GitLab's strings ("100644", "0" for a side the
 * file is not on); NULL is "0". */
NodDiffFile           *nod_diff_file_new             (const char        *old_path,
                                                      const char        *new_path,
                                                      const char        *a_mode,
                                                      const char        *b_mode,
                                                      NodDiffFileFlags   flags,
                                                      const char        *diff);

const char            *nod_diff_file_get_old_path    (NodDiffFile       *self);
const char            *nod_diff_file_get_new_path    (NodDiffFile       *self);
/* The path the file has now: new_path, or old_path for a deleted file. */
const char            *nod_diff_file_get_path        (NodDiffFile       *self);
const char            *nod_diff_file_get_a_mode      (NodDiffFile       *self);
const char            *nod_diff_file_get_b_mode      (NodDiffFile       *self);
NodDiffFileFlags       nod_diff_file_get_flags       (NodDiffFile       *self);
NodDiffFileStatus      nod_diff_file_get_status      (NodDiffFile       *self);
NodDiffFileVisibility  nod_diff_file_get_visibility  (NodDiffFile       *self);
const char            *nod_diff_file_get_diff        (NodDiffFile       *self);
/* SHA-1 (hex) of the paths, modes, flags and diff text: equal digests, same change. The
 * viewed mark of a file is kept with the digest it was given at. */
const char            *nod_diff_file_get_digest      (NodDiffFile       *self);
/* Parsed on first use; NodDiffLine items, offsets into nod_diff_file_get_diff (). */
GArray                *nod_diff_file_get_lines       (NodDiffFile       *self);
guint                  nod_diff_file_get_additions   (NodDiffFile       *self);
guint                  nod_diff_file_get_deletions   (NodDiffFile       *self);

/* The content sha (SHA-256 hex) of the old and new texts Nod keeps for it; NULL when none
 * is kept (a new file has no old text, a deleted one no new text, a binary or too large one
 * neither). */
const char            *nod_diff_file_get_old_blob    (NodDiffFile       *self);
const char            *nod_diff_file_get_new_blob    (NodDiffFile       *self);
void                   nod_diff_file_set_blobs       (NodDiffFile       *self,
                                                      const char        *old_blob,
                                                      const char        *new_blob);

/* Where a comment on @line_number of the old (@old_side) or new side goes, by GitLab's
 * rules (review-facts.md): an added line has new_line only, a removed one old_line only,
 * a context line — in a hunk or outside all of them — both; old_path and new_path always
 * (a new file's old_path is its new_path, a deleted file's new_path its old_path). The
 * shas are @base_sha, @start_sha, @head_sha (the diff shown). A line 0, a side the file
 * is not on (the old side of a new file), or an unchanged line past the end of the file
 * when @line_count (that side's lines, 0: unknown) says so fails with
 * G_IO_ERROR_INVALID_ARGUMENT and a sentence. */
NodDiffPosition       *nod_diff_file_position_at     (NodDiffFile       *self,
                                                      const char        *base_sha,
                                                      const char        *start_sha,
                                                      const char        *head_sha,
                                                      gboolean           old_side,
                                                      guint              line_number,
                                                      guint              line_count,
                                                      GError           **error);

G_END_DECLS
