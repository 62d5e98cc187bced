/* nod-fake-gitlab-position.c: whether a diff position names a line, and where it went in a
 * later version
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GitLab computes the diff of the position's own shas (start → head) and gives the note a
 * line code only if the line is in it: an added line with new_line only, a removed one with
 * old_line only, an unchanged one (in a hunk, or outside them: the diff unfolds) with both.
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-dataset.h"

static gboolean
file_diff_has_range_end (NodFakeFileDiff *file_diff,
                         gint64           old_line,
                         gint64           new_line)
{
  return old_line >= 0 && new_line >= 0 && old_line <= G_MAXUINT && new_line <= G_MAXUINT
         && nod_fake_file_diff_has_line (file_diff, (guint) old_line, (guint) new_line);
}

gboolean
nod_fake_position_is_on_diff (NodFakeMergeRequest   *merge_request,
                              const NodFakePosition *position)
{
  NodFakeRepository *repository = merge_request->project->repository;
  g_autoptr(GPtrArray) file_diffs = NULL;
  NodFakeFileDiff *file_diff;

  if (nod_fake_repository_find_commit (repository, position->base_sha) == NULL)
    return FALSE;
  file_diffs = nod_fake_merge_request_diff (merge_request, position->start_sha,
                                            position->head_sha);
  if (file_diffs == NULL)
    return FALSE;
  file_diff = nod_fake_file_diff_find (file_diffs, position->old_path, position->new_path);
  if (file_diff == NULL || !file_diff_has_range_end (file_diff, position->old_line,
                                                     position->new_line))
    return FALSE;
  if (position->has_line_range
      && (!file_diff_has_range_end (file_diff, position->range_start_old_line,
                                    position->range_start_new_line)
          || !file_diff_has_range_end (file_diff, position->range_end_old_line,
                                       position->range_end_new_line)))
    return FALSE;
  return TRUE;
}

/* @line of @path in @from, traced to @to (0: changed, or 0 given). */
static guint
trace_side (NodFakeCommit *from,
            NodFakeCommit *to,
            const char    *path,
            gint64         line)
{
  NodFakeBlob *from_blob, *to_blob;

  if (line <= 0 || line > G_MAXUINT)
    return 0;
  if (from == to)
    return (guint) line;
  from_blob = nod_fake_commit_find_file (from, path);
  to_blob = nod_fake_commit_find_file (to, path);
  if (from_blob == NULL || to_blob == NULL)
    return 0;
  if (from_blob == to_blob)
    return (guint) line;
  return nod_fake_trace_line (from_blob->content, to_blob->content, (guint) line);
}

NodFakePosition *
nod_fake_position_trace (NodFakeMergeRequest   *merge_request,
                         const NodFakePosition *position)
{
  NodFakeRepository *repository = merge_request->project->repository;
  NodFakeCommit *old_start = nod_fake_repository_find_commit (repository, position->start_sha);
  NodFakeCommit *old_head = nod_fake_repository_find_commit (repository, position->head_sha);
  NodFakeCommit *start = nod_fake_repository_find_commit (repository, merge_request->start_sha);
  NodFakeCommit *head = nod_fake_repository_find_commit (repository, merge_request->head_sha);
  g_autoptr(NodFakePosition) traced = nod_fake_position_copy (position);

  if (old_start == NULL || old_head == NULL || start == NULL || head == NULL)
    return NULL;
  if (old_head == head && old_start == start)
    return g_steal_pointer (&traced);

  /* The old side lives in the start commit, the new side in the head. */
  traced->old_line = trace_side (old_start, start, position->old_path, position->old_line);
  traced->new_line = trace_side (old_head, head, position->new_path, position->new_line);
  if ((position->old_line > 0) != (traced->old_line > 0)
      || (position->new_line > 0) != (traced->new_line > 0))
    return NULL;
  traced->range_start_old_line = trace_side (old_start, start, position->old_path,
                                             position->range_start_old_line);
  traced->range_start_new_line = trace_side (old_head, head, position->new_path,
                                             position->range_start_new_line);
  traced->range_end_old_line = trace_side (old_start, start, position->old_path,
                                           position->range_end_old_line);
  traced->range_end_new_line = trace_side (old_head, head, position->new_path,
                                           position->range_end_new_line);
  memcpy (traced->base_sha, merge_request->base_sha, sizeof traced->base_sha);
  memcpy (traced->start_sha, merge_request->start_sha, sizeof traced->start_sha);
  memcpy (traced->head_sha, merge_request->head_sha, sizeof traced->head_sha);
  if (!nod_fake_position_is_on_diff (merge_request, traced))
    return NULL;
  return g_steal_pointer (&traced);
}
