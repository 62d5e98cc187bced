/* nod-diff-pane.c: one side of the diff view, a GtkSourceView whose rows it keeps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-diff-view"

#include "config.h"

#include <string.h>

#include "nod-diff-highlight.h"
#include "nod-diff-pane.h"
#include "nod-word-diff.h"

/* A pane is a buffer and its view, and a Row per buffer line saying what the line is: the
 * gutters, the cursor's line and where a widget goes are read from the rows. Each row ends
 * with its newline, so the buffer's last line, empty, is no row. */

Row *
nod_diff_pane_get_row (Pane *pane,
                       guint index)
{
  return index < pane->rows->len ? &g_array_index (pane->rows, Row, index) : NULL;
}

/* Inserts @row as buffer line @index (0 … rows->len) with @text; @start and @end are left
 * around the row, its newline included (so an empty row can carry its background). With
 * @anchor_out, the row holds a child anchor instead. Every row ends with a newline: the
 * buffer's last line, empty, is no row. */
void
nod_diff_pane_insert_row (Pane                *pane,
                          guint                index,
                          const Row           *row,
                          const char          *text,
                          GtkTextChildAnchor **anchor_out,
                          GtkTextIter         *start,
                          GtkTextIter         *end)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);
  GtkTextIter iter;
  GtkTextMark *mark;

  g_assert (index <= pane->rows->len);

  gtk_text_buffer_get_iter_at_line (buffer, &iter, (int) index);
  mark = gtk_text_buffer_create_mark (buffer, NULL, &iter, TRUE);
  if (anchor_out != NULL)
    *anchor_out = gtk_text_buffer_create_child_anchor (buffer, &iter);
  else
    gtk_text_buffer_insert (buffer, &iter, text, -1);
  gtk_text_buffer_insert (buffer, &iter, "\n", 1);

  *end = iter;
  gtk_text_buffer_get_iter_at_mark (buffer, start, mark);
  gtk_text_buffer_delete_mark (buffer, mark);

  g_array_insert_val (pane->rows, index, *row);
}

void
nod_diff_pane_delete_row (Pane  *pane,
                          guint  index)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);
  GtkTextIter start, end;

  g_assert (index < pane->rows->len);

  gtk_text_buffer_get_iter_at_line (buffer, &start, (int) index);
  gtk_text_buffer_get_iter_at_line (buffer, &end, (int) index + 1);
  gtk_text_buffer_delete (buffer, &start, &end);
  g_array_remove_index (pane->rows, index);
}

void
nod_diff_pane_clear (Pane *pane)
{
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (pane->buffer), "", 0);
  g_array_set_size (pane->rows, 0);
}

gboolean
nod_diff_pane_row_is_change (Pane  *pane,
                             guint  index)
{
  Row *row = nod_diff_pane_get_row (pane, index);

  /* a widget under a changed line is still inside its run */
  while (row != NULL && row->kind == ROW_WIDGET && index > 0)
    row = nod_diff_pane_get_row (pane, --index);

  return row != NULL &&
         (row->kind == ROW_ADDED || row->kind == ROW_REMOVED || row->kind == ROW_FILLER);
}

/* Tags and colours */

GtkTextTag *
nod_diff_pane_tag (Pane       *pane,
                   const char *name)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (pane->buffer));

  return gtk_text_tag_table_lookup (table, name);
}

void
nod_diff_pane_apply_line_tag (Pane              *pane,
                              RowKind            kind,
                              const GtkTextIter *start,
                              const GtkTextIter *end)
{
  const char *name = NULL;

  switch (kind)
    {
    case ROW_HUNK:
      name = "diff-hunk";
      break;
    case ROW_ADDED:
      name = "diff-added";
      break;
    case ROW_REMOVED:
      name = "diff-removed";
      break;
    case ROW_FILLER:
      name = "diff-filler";
      break;
    case ROW_EXPANDER:
      name = "diff-expander";
      break;
    case ROW_CONTEXT:
    case ROW_UNCHANGED:
    case ROW_WIDGET:
    default:
      return;
    }

  gtk_text_buffer_apply_tag (GTK_TEXT_BUFFER (pane->buffer), nod_diff_pane_tag (pane, name),
                             start, end);
}

void
nod_diff_pane_create_tags (Pane *pane)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);

  gtk_text_buffer_create_tag (buffer, "diff-hunk", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "diff-added", NULL);
  gtk_text_buffer_create_tag (buffer, "diff-removed", NULL);
  gtk_text_buffer_create_tag (buffer, "diff-filler", NULL);
  gtk_text_buffer_create_tag (buffer, "diff-expander", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buffer, "diff-word-added", NULL);
  gtk_text_buffer_create_tag (buffer, "diff-word-removed", NULL);
}

/* Highlighting copied from the hidden buffers */

void
nod_diff_pane_copy_syntax (Pane              *pane,
                           NodDiffHighlight  *highlight,
                           guint              line_number,
                           const GtkTextIter *start,
                           const GtkTextIter *end)
{
  /* @end is past the row's newline */
  int row_chars = gtk_text_iter_get_offset (end) - gtk_text_iter_get_offset (start) - 1;

  if (highlight != NULL)
    nod_diff_highlight_copy_line (highlight, line_number, GTK_TEXT_BUFFER (pane->buffer),
                                  pane->syntax_tags, start, row_chars);
}

void
nod_diff_pane_apply_ranges (Pane       *pane,
                            guint       row_index,
                            const char *text,
                            GArray     *ranges,
                            const char *tag_name)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);
  GtkTextTag *tag = nod_diff_pane_tag (pane, tag_name);
  gsize text_length = strlen (text);

  for (guint i = 0; i < ranges->len; i++)
    {
      NodTextRange *range = &g_array_index (ranges, NodTextRange, i);
      glong from = g_utf8_pointer_to_offset (text, text + MIN (range->start, text_length));
      glong to = g_utf8_pointer_to_offset (text, text + MIN (range->end, text_length));
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_line_offset (buffer, &start, (int) row_index, (int) from);
      gtk_text_buffer_get_iter_at_line_offset (buffer, &end, (int) row_index, (int) to);
      gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
    }
}

/* Where each diff line is in @pane now: -1 when not shown. */
GArray *
nod_diff_pane_index_lines (Pane  *pane,
                           guint  line_count)
{
  GArray *where = g_array_sized_new (FALSE, FALSE, sizeof (gint), line_count);

  g_array_set_size (where, line_count);
  for (guint i = 0; i < line_count; i++)
    g_array_index (where, gint, i) = -1;
  for (guint i = 0; i < pane->rows->len; i++)
    {
      Row *row = &g_array_index (pane->rows, Row, i);

      if (row->line_index >= 0 && (guint) row->line_index < line_count)
        g_array_index (where, gint, row->line_index) = (gint) i;
    }

  return where;
}

/* Expanding a gap */

gint
nod_diff_pane_find_expander (Pane  *pane,
                             guint  gap_index)
{
  for (guint i = 0; i < pane->rows->len; i++)
    {
      Row *row = &g_array_index (pane->rows, Row, i);

      if (row->kind == ROW_EXPANDER && row->gap == gap_index)
        return (gint) i;
    }

  return -1;
}

/* The widgets under lines (threads, comments being written) take the width the pane shows,
 * or their own when the pane is wider: a text view gives an anchored child only the width
 * it asks for. */
void
nod_diff_pane_size_children (Pane *pane)
{
  GtkAdjustment *hadjustment;
  GtkTextView *text_view;
  double page_size;
  int width;

  if (pane->view == NULL)
    return;
  text_view = GTK_TEXT_VIEW (pane->view);
  hadjustment = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (pane->view));
  if (hadjustment == NULL)
    return;
  page_size = gtk_adjustment_get_page_size (hadjustment);
  width = (int) page_size -
          gtk_text_view_get_left_margin (text_view) - gtk_text_view_get_right_margin (text_view) -
          gtk_widget_get_width (GTK_WIDGET (gtk_source_view_get_gutter (pane->view,
                                                                        GTK_TEXT_WINDOW_LEFT)));
  width = MAX (width, 1);
  for (guint i = 0; i < pane->rows->len; i++)
    {
      Row *row = &g_array_index (pane->rows, Row, i);
      int height;

      int own_width;

      if (row->kind != ROW_WIDGET || row->widget == NULL)
        continue;
      /* a widget with a width of its own keeps it while the pane has room for it */
      own_width = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row->widget),
                                                      NOD_DIFF_PANE_OWN_WIDTH));
      if (g_object_get_data (G_OBJECT (row->widget), NOD_DIFF_PANE_FIT_WIDTH) == NULL &&
          own_width <= 0)
        continue;
      /* the width only: a height asked for stays */
      gtk_widget_get_size_request (row->widget, NULL, &height);
      /* (a pane not allocated yet has no width to keep to) */
      gtk_widget_set_size_request (row->widget,
                                   own_width <= 0 ? width
                                   : page_size > 0 ? MIN (own_width, width) : own_width,
                                   height);
    }
}

/* Widgets under lines */

static gboolean
size_children_idle (gpointer data)
{
  Pane *pane = data;

  pane->size_idle_id = 0;
  nod_diff_pane_size_children (pane);
  return G_SOURCE_REMOVE;
}

/* The page size changes while GTK allocates: a size asked for then would be measured
 * against a layout half done (GTK warns of children snapshotted unallocated), so the
 * children are sized right after. */
static void
on_page_size_changed (GtkAdjustment *hadjustment,
                      GParamSpec    *pspec,
                      Pane          *pane)
{
  if (pane->size_idle_id == 0)
    pane->size_idle_id = g_idle_add (size_children_idle, pane);
}

/* The row showing @line_number of the old (@old_side) or new side in @pane, or -1. */
gint
nod_diff_pane_find_line (Pane     *pane,
                         gboolean  old_side,
                         guint     line_number)
{
  for (guint i = 0; i < pane->rows->len; i++)
    {
      Row *row = &g_array_index (pane->rows, Row, i);

      switch (row->kind)
        {
        case ROW_CONTEXT:
        case ROW_UNCHANGED:
          if ((old_side ? row->old_line : row->new_line) == line_number)
            return (gint) i;
          break;
        case ROW_ADDED:
          if (!old_side && row->new_line == line_number)
            return (gint) i;
          break;
        case ROW_REMOVED:
          if (old_side && row->old_line == line_number)
            return (gint) i;
          break;
        case ROW_HUNK:
        case ROW_FILLER:
        case ROW_EXPANDER:
        case ROW_WIDGET:
        default:
          break;
        }
    }

  return -1;
}

void
nod_diff_pane_remove_widget_row (Pane      *pane,
                                 GtkWidget *widget)
{
  for (guint i = 0; widget != NULL && i < pane->rows->len; i++)
    {
      Row *row = &g_array_index (pane->rows, Row, i);

      if (row->kind == ROW_WIDGET && row->widget == widget)
        {
          nod_diff_pane_delete_row (pane, i);
          return;
        }
    }
}

/* The cursor and changes */

gint
nod_diff_pane_cursor_row (Pane *pane)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  return gtk_text_iter_get_line (&iter);
}

void
nod_diff_pane_place_cursor (Pane  *pane,
                            guint  index)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (pane->buffer);
  GtkTextIter iter;

  gtk_text_buffer_get_iter_at_line (buffer, &iter, (int) index);
  gtk_text_buffer_place_cursor (buffer, &iter);
  gtk_text_view_scroll_to_mark (GTK_TEXT_VIEW (pane->view), gtk_text_buffer_get_insert (buffer),
                                0.1, FALSE, 0, 0);
}

/* Gutters */

static void
on_query_data (GtkSourceGutterRenderer *renderer,
               GObject                 *lines,
               guint                    line,
               Pane                    *pane)
{
  Row *row = nod_diff_pane_get_row (pane, line);
  gboolean old_side = renderer == pane->old_numbers;
  guint number = 0;
  char text[16];

  if (row != NULL)
    {
      switch (row->kind)
        {
        case ROW_CONTEXT:
        case ROW_UNCHANGED:
        case ROW_ADDED:
        case ROW_REMOVED:
          number = old_side ? row->old_line : row->new_line;
          break;
        case ROW_HUNK:
        case ROW_FILLER:
        case ROW_EXPANDER:
        case ROW_WIDGET:
        default:
          break;
        }
    }

  if (number == 0)
    {
      gtk_source_gutter_renderer_text_set_text (GTK_SOURCE_GUTTER_RENDERER_TEXT (renderer),
                                                "", 0);
      return;
    }
  g_snprintf (text, sizeof text, "%u", number);
  gtk_source_gutter_renderer_text_set_text (GTK_SOURCE_GUTTER_RENDERER_TEXT (renderer), text,
                                            -1);
}

static gboolean
gutter_row_number (Pane                    *pane,
                   GtkSourceGutterRenderer *renderer,
                   const GtkTextIter       *iter,
                   guint                   *number)
{
  Row *row = nod_diff_pane_get_row (pane, (guint) gtk_text_iter_get_line (iter));

  if (row == NULL || row->kind == ROW_HUNK || row->kind == ROW_FILLER ||
      row->kind == ROW_EXPANDER || row->kind == ROW_WIDGET)
    return FALSE;
  *number = renderer == pane->old_numbers ? row->old_line : row->new_line;
  return *number > 0;
}

static gboolean
on_query_activatable (GtkSourceGutterRenderer *renderer,
                      GtkTextIter             *iter,
                      GdkRectangle            *area,
                      Pane                    *pane)
{
  guint number;

  return gutter_row_number (pane, renderer, iter, &number);
}

static void
on_gutter_activate (GtkSourceGutterRenderer *renderer,
                    GtkTextIter             *iter,
                    GdkRectangle            *area,
                    guint                    button,
                    GdkModifierType          state,
                    int                      n_presses,
                    Pane                    *pane)
{
  guint number;

  if (gutter_row_number (pane, renderer, iter, &number))
    _nod_diff_view_request_comment (pane->owner, renderer == pane->old_numbers, number);
}

static GtkSourceGutterRenderer *
pane_create_numbers (Pane *pane,
                     int   position)
{
  GtkSourceGutterRenderer *renderer = gtk_source_gutter_renderer_text_new ();

  gtk_source_gutter_renderer_set_xalign (renderer, 1.0);
  gtk_source_gutter_renderer_set_xpad (renderer, 6);
  gtk_widget_add_css_class (GTK_WIDGET (renderer), "nod-diff-line-number");
  g_signal_connect (renderer, "query-data", G_CALLBACK (on_query_data), pane);
  g_signal_connect (renderer, "query-activatable", G_CALLBACK (on_query_activatable), pane);
  g_signal_connect (renderer, "activate", G_CALLBACK (on_gutter_activate), pane);
  gtk_source_gutter_insert (gtk_source_view_get_gutter (pane->view, GTK_TEXT_WINDOW_LEFT),
                            renderer, position);

  return renderer;
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                Pane                    *pane)
{
  _nod_diff_view_set_active_pane (pane->owner, pane->index);
}

void
nod_diff_pane_init (Pane        *pane,
                    NodDiffView *owner,
                    guint        index)
{
  GtkTextView *text_view;
  GtkEventController *focus;

  pane->owner = owner;
  pane->index = index;
  pane->rows = g_array_new (FALSE, FALSE, sizeof (Row));
  pane->syntax_tags = nod_diff_highlight_new_tag_copies ();
  pane->buffer = gtk_source_buffer_new (NULL);
  gtk_source_buffer_set_highlight_syntax (pane->buffer, FALSE);
  gtk_source_buffer_set_highlight_matching_brackets (pane->buffer, FALSE);
  nod_diff_pane_create_tags (pane);

  pane->view = GTK_SOURCE_VIEW (gtk_source_view_new_with_buffer (pane->buffer));
  text_view = GTK_TEXT_VIEW (pane->view);
  gtk_text_view_set_editable (text_view, FALSE);
  gtk_text_view_set_cursor_visible (text_view, TRUE);
  gtk_text_view_set_monospace (text_view, TRUE);
  gtk_text_view_set_wrap_mode (text_view, GTK_WRAP_NONE);
  gtk_text_view_set_left_margin (text_view, 6);
  gtk_widget_set_hexpand (GTK_WIDGET (pane->view), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (pane->view), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (pane->view), "nod-diff");

  pane->old_numbers = pane_create_numbers (pane, 0);
  pane->new_numbers = pane_create_numbers (pane, 1);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (on_focus_enter), pane);
  gtk_widget_add_controller (GTK_WIDGET (pane->view), focus);

  pane->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (pane->scroller, GTK_WIDGET (pane->view));
  g_signal_connect (gtk_scrolled_window_get_hadjustment (pane->scroller), "notify::page-size",
                    G_CALLBACK (on_page_size_changed), pane);
  gtk_widget_set_hexpand (GTK_WIDGET (pane->scroller), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (pane->scroller), TRUE);
}

/* The view's children go when it unparents them: no callback may reach them after. */
void
nod_diff_pane_dispose (Pane *pane)
{
  if (pane->scroller != NULL)
    g_signal_handlers_disconnect_by_func (gtk_scrolled_window_get_hadjustment (pane->scroller),
                                          on_page_size_changed, pane);
  g_clear_handle_id (&pane->size_idle_id, g_source_remove);
  pane->view = NULL;
  pane->scroller = NULL;
}

void
nod_diff_pane_finalize (Pane *pane)
{
  g_clear_pointer (&pane->rows, g_array_unref);
  g_clear_pointer (&pane->syntax_tags, g_hash_table_unref);
  g_clear_object (&pane->buffer);
}
