/* nod-diff-view.h: one file's diff on GtkSourceView, unified or side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-diff-file.h"

G_BEGIN_DECLS

typedef enum
{
  NOD_DIFF_LAYOUT_UNIFIED,
  NOD_DIFF_LAYOUT_SIDE_BY_SIDE,
} NodDiffLayout;

#define NOD_TYPE_DIFF_VIEW (nod_diff_view_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffView, nod_diff_view, NOD, DIFF_VIEW, GtkWidget)

NodDiffView   *nod_diff_view_new            (void);

/* Shows @file. @old_text and @new_text are the whole files (NULL when not kept: then the
 * hunks are shown without highlighting or context expansion); highlighting is computed on
 * them and applied to the diff's lines. @web_url opens the file in the browser from the
 * "too large to show here" row. Clears the threads. */
/* The backgrounds added and removed lines have in the style shown (light or dark): a
 * suggestion in a thread shows its lines in them too. */
void           nod_diff_view_get_line_colors (GdkRGBA      *added,
                                              GdkRGBA      *removed);

void           nod_diff_view_set_file       (NodDiffView   *self,
                                             NodDiffFile   *file,
                                             GBytes        *old_text,
                                             GBytes        *new_text,
                                             const char    *web_url);
NodDiffFile   *nod_diff_view_get_file       (NodDiffView   *self);

/* Property "layout". */
void           nod_diff_view_set_layout     (NodDiffView   *self,
                                             NodDiffLayout  layout);
NodDiffLayout  nod_diff_view_get_layout     (NodDiffView   *self);

/* Shows @widget under line @line_number of the old (@old_side) or new side (a thread, a
 * comment being written); in side-by-side under that side's cell, the other side kept in
 * line. A line not shown (collapsed) is expanded. FALSE when the diff has no such line. */
gboolean       nod_diff_view_add_widget     (NodDiffView   *self,
                                             gboolean       old_side,
                                             guint          line_number,
                                             GtkWidget     *widget);
void           nod_diff_view_remove_widget  (NodDiffView   *self,
                                             GtkWidget     *widget);

/* Moves the cursor to the next (previous, @backward) run of changed lines and scrolls to
 * it; FALSE when there is none that way. */
gboolean       nod_diff_view_move_to_change (NodDiffView   *self,
                                             gboolean       backward);

/* Moves the cursor to line @line_number of the old (@old_side) or new side and scrolls to
 * it, expanding it if collapsed; FALSE when the diff has no such line or is still filling
 * (added). */
gboolean       nod_diff_view_select_line    (NodDiffView   *self,
                                             gboolean       old_side,
                                             guint          line_number);

/* The line the cursor is on: FALSE when it is on no line of the file (a hunk header, a
 * "expand" row). */
gboolean       nod_diff_view_get_cursor_line (NodDiffView  *self,
                                              gboolean     *old_side,
                                              guint        *line_number);

/* Property "filling": TRUE while the rows are still being put in (a chunk per idle) or the
 * word diffs computed. */
gboolean       nod_diff_view_get_filling    (NodDiffView   *self);

/* What the view shows, for tests and the Changes view. @pane is 0 for the unified view or
 * the left (old) side, 1 for the right; @row a buffer row of that pane. */
guint          nod_diff_view_get_fill_chunks  (NodDiffView *self);
guint          nod_diff_view_get_n_rows       (NodDiffView *self,
                                               guint        pane);
char          *nod_diff_view_dup_row_text     (NodDiffView *self,
                                               guint        pane,
                                               guint        row);
/* The old and new numbers of @row (0 where it has none: a hunk header, a filler, an added
 * line's old side); FALSE when there is no such row. */
gboolean       nod_diff_view_get_line_numbers (NodDiffView *self,
                                               guint        pane,
                                               guint        row,
                                               guint       *old_line,
                                               guint       *new_line);
/* Whether the tag @tag_name ("diff-added", "diff-word-removed", "syntax:comment", …) is on
 * character @column of @row, or anywhere on it when @column is -1. */
gboolean       nod_diff_view_row_has_tag      (NodDiffView *self,
                                               guint        pane,
                                               guint        row,
                                               int          column,
                                               const char  *tag_name);
/* The widget (or the spacer facing it) a row holds, or NULL. */
GtkWidget     *nod_diff_view_get_row_widget   (NodDiffView *self,
                                               guint        pane,
                                               guint        row);

/* Signal "comment-requested" (gboolean old_side, guint line_number): the reviewer clicked a
 * line number in the gutter, or pressed the comment key on a line. */

G_END_DECLS
