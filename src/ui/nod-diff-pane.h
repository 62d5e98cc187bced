/* nod-diff-pane.h: one side of the diff view, a GtkSourceView whose rows it keeps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "nod-diff-highlight.h"
#include "nod-diff-view.h"

G_BEGIN_DECLS

/* Private to the diff view (nod-diff-view.c), which owns its panes. */

/* Set on a widget under a line that came without a width of its own: the pane makes it as
 * wide as what it shows. */
#define NOD_DIFF_PANE_FIT_WIDTH "nod-diff-pane-fit-width"
/* The width a widget under a line asked for itself: kept while the pane is as wide. */
#define NOD_DIFF_PANE_OWN_WIDTH "nod-diff-own-width"

typedef enum
{
  ROW_HUNK,
  ROW_CONTEXT,     /* a context line of a hunk */
  ROW_UNCHANGED,   /* expanded from the full text */
  ROW_ADDED,
  ROW_REMOVED,
  ROW_FILLER,      /* side by side: the other side's line faces nothing here */
  ROW_EXPANDER,
  ROW_WIDGET,      /* a child widget, or its spacer, under the row above */
} RowKind;

typedef struct
{
  RowKind    kind;
  guint      old_line;
  guint      new_line;
  gssize     line_index;  /* into the file's lines, -1 when not a diff line */
  guint      gap;         /* ROW_EXPANDER: index into gaps */
  GtkWidget *widget;      /* ROW_WIDGET: the child at the anchor (not owned) */
} Row;

typedef struct
{
  NodDiffView             *owner;
  guint                    index;        /* in the view: 0 (unified, or left), 1 */
  GtkScrolledWindow       *scroller;
  GtkSourceView           *view;
  GtkSourceBuffer         *buffer;
  GtkSourceGutterRenderer *old_numbers;
  GtkSourceGutterRenderer *new_numbers;
  GArray                  *rows;         /* Row per buffer line */
  GHashTable              *syntax_tags;  /* hidden buffer's tag → this buffer's copy */
  guint                    size_idle_id; /* sizes the children after an allocation */
} Pane;

Row        *nod_diff_pane_get_row            (Pane  *pane,
                                               guint  index);
void        nod_diff_pane_insert_row          (Pane                *pane,
                                               guint                index,
                                               const Row           *row,
                                               const char          *text,
                                               GtkTextChildAnchor **anchor_out,
                                               GtkTextIter         *start,
                                               GtkTextIter         *end);
void        nod_diff_pane_delete_row          (Pane  *pane,
                                               guint  index);
void        nod_diff_pane_clear               (Pane *pane);
gboolean    nod_diff_pane_row_is_change       (Pane  *pane,
                                               guint  index);
GtkTextTag *nod_diff_pane_tag                (Pane       *pane,
                                               const char *name);
void        nod_diff_pane_apply_line_tag      (Pane              *pane,
                                               RowKind            kind,
                                               const GtkTextIter *start,
                                               const GtkTextIter *end);
void        nod_diff_pane_create_tags         (Pane *pane);
void        nod_diff_pane_copy_syntax         (Pane              *pane,
                                               NodDiffHighlight  *highlight,
                                               guint              line_number,
                                               const GtkTextIter *start,
                                               const GtkTextIter *end);
void        nod_diff_pane_apply_ranges        (Pane       *pane,
                                               guint       row_index,
                                               const char *text,
                                               GArray     *ranges,
                                               const char *tag_name);
GArray     *nod_diff_pane_index_lines        (Pane  *pane,
                                               guint  line_count);
gint        nod_diff_pane_find_expander       (Pane  *pane,
                                               guint  gap_index);
void        nod_diff_pane_size_children       (Pane *pane);
gint        nod_diff_pane_find_line           (Pane     *pane,
                                               gboolean  old_side,
                                               guint     line_number);
void        nod_diff_pane_remove_widget_row   (Pane      *pane,
                                               GtkWidget *widget);
gint        nod_diff_pane_cursor_row          (Pane *pane);
void        nod_diff_pane_place_cursor        (Pane  *pane,
                                               guint  index);
void        nod_diff_pane_init                (Pane        *pane,
                                               NodDiffView *owner,
                                               guint        index);
void        nod_diff_pane_dispose             (Pane *pane);
void        nod_diff_pane_finalize            (Pane *pane);

/* What a pane calls back into its view for. */
void        _nod_diff_view_request_comment  (NodDiffView *self,
                                             gboolean     old_side,
                                             guint        line_number);
void        _nod_diff_view_set_active_pane  (NodDiffView *self,
                                             guint        index);

G_END_DECLS
