/* nod-diff-lines.h: GitLab's unified diff text of one file, read into lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  NOD_DIFF_LINE_HUNK,     /* "@@ -a,b +c,d @@ section": old_line = a, new_line = c */
  NOD_DIFF_LINE_CONTEXT,  /* " text": on both sides */
  NOD_DIFF_LINE_ADDED,    /* "+text": new side only, old_line 0 */
  NOD_DIFF_LINE_REMOVED,  /* "-text": old side only, new_line 0 */
} NodDiffLineKind;

/* One line of a diff. Line numbers are 1-based, 0 where the line is not on that side.
 * The text is diff[offset, offset + length): the line without its +/-/space prefix and
 * without its newline (for a hunk, the section text after the second "@@", may be empty). */
typedef struct
{
  NodDiffLineKind kind;
  guint           old_line;
  guint           new_line;
  guint           old_count;         /* a hunk's b and d; 0 for other lines */
  guint           new_count;
  gsize           offset;
  gsize           length;
  gboolean        no_newline_at_end; /* a "\ No newline at end of file" followed it */
} NodDiffLine;

/* Reads @diff (GitLab's `diff`, no ---/+++ headers; a leading ---/+++ pair, as
 * unidiff=true sends, is skipped) into NodDiffLine items. Never fails: what is not a diff
 * line (a stray text, a hunk that promises more lines than it has) ends the hunk it is in,
 * and parsing goes on at the next "@@". Line numbers always come from the hunk headers. */
GArray   *nod_diff_lines_parse             (const char   *diff,
                                            gsize         length);

/* Counts of added and removed lines. */
void      nod_diff_lines_count             (GArray       *lines,
                                            guint        *additions,
                                            guint        *deletions);

/* The index in @lines of the line showing @line_number on the old (@old_side) or new side,
 * or -1 when that line is not in the diff (outside every hunk). */
gssize    nod_diff_lines_find              (GArray       *lines,
                                            gboolean      old_side,
                                            guint         line_number);

/* For a line outside every hunk (unchanged, as GitLab unfolds it): the number it has on the
 * other side, from the hunks' offsets. Lines inside a hunk map only when they are context;
 * otherwise 0. */
guint     nod_diff_lines_map_unchanged     (GArray       *lines,
                                            gboolean      from_old_side,
                                            guint         line_number);

/* One row of a side-by-side view: indexes into the lines array, -1 for an empty cell.
 * A hunk header takes a row of its own (both set to it); a context line is on both sides;
 * within a run of removed then added lines, the nth removed line faces the nth added one
 * (a changed pair, the lines word-level highlights compare), and the longer run's rest
 * faces empty cells. */
typedef struct
{
  gssize left;
  gssize right;
} NodDiffRow;

GArray   *nod_diff_lines_side_by_side      (GArray       *lines);

G_END_DECLS
