/* nod-diff-view.c: one file's diff on GtkSourceView, unified or side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-diff-view"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "nod-diff-highlight.h"
#include "nod-diff-pane.h"
#include "nod-diff-view.h"
#include "nod-word-diff.h"

/* The view shows one or two panes (GtkSourceView on a buffer of its own). Each buffer line
 * is a row, and each pane keeps a Row per buffer line: what the line is (a hunk header, a
 * diff line, an unchanged line expanded from the full text, a filler facing the other
 * side's line, an "expand" row, a child widget), and its old and new numbers. Everything
 * else — the gutters, the cursor's line, where a thread goes — is read from the rows.
 *
 * The highlighting is computed on the whole old and new texts, each in a hidden
 * GtkSourceBuffer of its own, so a line inside a comment that opened above the hunk is
 * shown as a comment; each row then gets copies of its line's highlight tags. Filling a
 * pane is done a chunk per idle, within a time budget, so a 10,000-line file never stalls
 * the main loop; word diffs are computed in a worker. */

#define FILL_BUDGET_US     (6 * 1000)
#define FILL_CHUNK_ROWS    400
#define EXPAND_STEP        20

/* The new-side lines [start, end] of the full text between two hunks (or before the
 * first, after the last), and those of them [first, last] still not shown (first > last
 * once all are). */
typedef struct
{
  guint start;
  guint end;
  guint first;
  guint last;
} Gap;

/* A widget shown under a line, and its spacer on the other side (side by side). */
typedef struct
{
  GtkWidget    *widget;
  GtkWidget    *spacer;
  GtkSizeGroup *size_group;
  gboolean      old_side;
  guint         line_number;
} Attached;

/* What a fill puts in the panes, in order: a diff line (or a pair of them side by side:
 * -1 for a filler), an expander row for a gap, or a line of a gap already expanded. */
typedef struct
{
  gssize left;
  gssize right;
  gint   gap;
  guint  unchanged;  /* its new-side number, 0 for the others */
} Entry;

typedef enum
{
  FILL_ROWS,
  FILL_DONE,
} FillPhase;

struct _NodDiffView
{
  GtkWidget         parent_instance;

  GtkStack         *stack;
  GtkWidget        *panes_box;
  AdwStatusPage    *hidden_page;
  GtkWidget        *show_button;
  GtkWidget        *browser_button;
  Pane              panes[2];
  guint             active_pane;

  NodDiffFile      *file;
  char             *web_url;
  NodDiffHighlight *old_highlight;   /* the whole texts, NULL when not known */
  NodDiffHighlight *new_highlight;
  GArray           *gaps;            /* Gap */
  GPtrArray        *attached;        /* Attached */
  NodDiffLayout     layout;
  gboolean          revealed;        /* a generated file's diff, after "Show diff" */

  /* The fill in progress. */
  guint             generation;
  FillPhase         phase;
  GArray           *entries;
  guint             next_entry;
  guint             fill_source_id;
  guint             rest_source_id;  /* highlights the rest of the texts, for expanding */
  guint             fill_chunks;
  GCancellable     *word_cancellable;
  GPtrArray        *word_pairs;      /* WordPair, being applied */
  guint             next_word_pair;
  gboolean          filling;

  GdkRGBA           added_color;
  GdkRGBA           removed_color;
  GdkRGBA           added_word_color;
  GdkRGBA           removed_word_color;
};

G_DEFINE_FINAL_TYPE (NodDiffView, nod_diff_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LAYOUT,
  PROP_FILLING,
  N_PROPS
};

enum {
  COMMENT_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void nod_diff_view_refill        (NodDiffView *self);
static void nod_diff_view_start_words   (NodDiffView *self);
static void nod_diff_view_attach_all    (NodDiffView *self);
static void attached_release_spacer     (Attached    *attached);

/* The scheme's colour for a diff style: its background, else its foreground (Adwaita's
 * diff styles set only that), made translucent so it works on a light or dark page. */
static void
scheme_diff_color (GtkSourceStyleScheme *scheme,
                   const char           *style_id,
                   const char           *fallback,
                   double                line_alpha,
                   double                word_alpha,
                   GdkRGBA              *line_color,
                   GdkRGBA              *word_color)
{
  GtkSourceStyle *style = scheme != NULL ? gtk_source_style_scheme_get_style (scheme, style_id)
                                         : NULL;
  g_autofree char *background = NULL;
  g_autofree char *foreground = NULL;
  gboolean background_set = FALSE, foreground_set = FALSE;
  GdkRGBA color;

  if (style != NULL)
    g_object_get (style,
                  "background-set", &background_set, "background", &background,
                  "foreground-set", &foreground_set, "foreground", &foreground,
                  NULL);

  if (!(background_set && background != NULL && gdk_rgba_parse (&color, background)) &&
      !(foreground_set && foreground != NULL && gdk_rgba_parse (&color, foreground)))
    gdk_rgba_parse (&color, fallback);

  *line_color = color;
  line_color->alpha = (float) line_alpha;
  *word_color = color;
  word_color->alpha = (float) word_alpha;
}

static GtkSourceStyleScheme *
current_style_scheme (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (manager);

  return gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita");
}

void
nod_diff_view_get_line_colors (GdkRGBA *added,
                               GdkRGBA *removed)
{
  GtkSourceStyleScheme *scheme = current_style_scheme ();
  GdkRGBA word;

  g_return_if_fail (added != NULL && removed != NULL);

  scheme_diff_color (scheme, "diff:added-line", "#2ec27e", 0.15, 0.35, added, &word);
  scheme_diff_color (scheme, "diff:removed-line", "#e01b24", 0.15, 0.35, removed, &word);
}

static void
nod_diff_view_update_colors (NodDiffView *self)
{
  GtkSourceStyleScheme *scheme = current_style_scheme ();
  GdkRGBA hunk = { 0.5, 0.5, 0.5, 0.12 };
  GdkRGBA filler = { 0.5, 0.5, 0.5, 0.06 };

  scheme_diff_color (scheme, "diff:added-line", "#2ec27e", 0.15, 0.35,
                     &self->added_color, &self->added_word_color);
  scheme_diff_color (scheme, "diff:removed-line", "#e01b24", 0.15, 0.35,
                     &self->removed_color, &self->removed_word_color);

  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    {
      Pane *pane = &self->panes[i];

      gtk_source_buffer_set_style_scheme (pane->buffer, scheme);
      g_object_set (nod_diff_pane_tag (pane, "diff-added"),
                    "paragraph-background-rgba", &self->added_color, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-removed"),
                    "paragraph-background-rgba", &self->removed_color, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-word-added"),
                    "background-rgba", &self->added_word_color, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-word-removed"),
                    "background-rgba", &self->removed_word_color, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-hunk"),
                    "paragraph-background-rgba", &hunk, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-expander"),
                    "paragraph-background-rgba", &hunk, NULL);
      g_object_set (nod_diff_pane_tag (pane, "diff-filler"),
                    "paragraph-background-rgba", &filler, NULL);
    }

  if (self->old_highlight != NULL)
    nod_diff_highlight_set_style_scheme (self->old_highlight, scheme);
  if (self->new_highlight != NULL)
    nod_diff_highlight_set_style_scheme (self->new_highlight, scheme);
}

/* The side a row's highlight comes from: the old text for a removed line (and the left
 * pane side by side), else the new one. */
static void
pane_highlight_row (NodDiffView       *self,
                    Pane              *pane,
                    const Row         *row,
                    const GtkTextIter *start,
                    const GtkTextIter *end)
{
  gboolean left = pane == &self->panes[0] && self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;

  switch (row->kind)
    {
    case ROW_REMOVED:
      nod_diff_pane_copy_syntax (pane, self->old_highlight, row->old_line, start, end);
      break;
    case ROW_ADDED:
      nod_diff_pane_copy_syntax (pane, self->new_highlight, row->new_line, start, end);
      break;
    case ROW_CONTEXT:
    case ROW_UNCHANGED:
      if (left)
        nod_diff_pane_copy_syntax (pane, self->old_highlight, row->old_line, start, end);
      else
        nod_diff_pane_copy_syntax (pane, self->new_highlight, row->new_line, start, end);
      break;
    case ROW_HUNK:
    case ROW_FILLER:
    case ROW_EXPANDER:
    case ROW_WIDGET:
    default:
      break;
    }
}

/* Filling */

static void
nod_diff_view_set_filling (NodDiffView *self,
                           gboolean     filling)
{
  if (self->filling == filling)
    return;

  self->filling = filling;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILLING]);
}

static const NodDiffLine *
file_line (NodDiffView *self,
           gssize       index)
{
  GArray *lines = nod_diff_file_get_lines (self->file);

  return index >= 0 && (gsize) index < lines->len ? &g_array_index (lines, NodDiffLine, index)
                                                   : NULL;
}

static Row
row_for_line (NodDiffView *self,
              gssize       index)
{
  const NodDiffLine *line = file_line (self, index);
  Row row = { ROW_FILLER, 0, 0, -1, 0, NULL };

  if (line == NULL)
    return row;

  switch (line->kind)
    {
    case NOD_DIFF_LINE_HUNK:
      row.kind = ROW_HUNK;
      break;
    case NOD_DIFF_LINE_CONTEXT:
      row.kind = ROW_CONTEXT;
      row.old_line = line->old_line;
      row.new_line = line->new_line;
      break;
    case NOD_DIFF_LINE_ADDED:
      row.kind = ROW_ADDED;
      row.new_line = line->new_line;
      break;
    case NOD_DIFF_LINE_REMOVED:
      row.kind = ROW_REMOVED;
      row.old_line = line->old_line;
      break;
    default:
      g_assert_not_reached ();
    }
  row.line_index = index;

  return row;
}

/* The text a row shows for line @index of @file. Pure: the word diff's worker calls it. */
static char *
file_line_text (NodDiffFile *file,
                gssize       index)
{
  GArray *lines = nod_diff_file_get_lines (file);
  const char *diff = nod_diff_file_get_diff (file);
  const NodDiffLine *line;

  if (index < 0 || (gsize) index >= lines->len)
    return g_strdup ("");

  line = &g_array_index (lines, NodDiffLine, index);
  if (line->kind == NOD_DIFF_LINE_HUNK)
    {
      g_autofree char *section = nod_diff_sanitize_line (diff + line->offset, line->length);

      return g_strdup_printf ("@@ -%u,%u +%u,%u @@%s%s", line->old_line, line->old_count,
                              line->new_line, line->new_count,
                              *section != '\0' ? " " : "", section);
    }

  return nod_diff_sanitize_line (diff + line->offset, line->length);
}

static guint
gap_size (const Gap *gap)
{
  return gap->first <= gap->last ? gap->last - gap->first + 1 : 0;
}

/* The expander row: "⋯ N unchanged lines" and its buttons, at an anchor. */
static GtkWidget *
create_expander (NodDiffView *self,
                 guint        gap_index)
{
  const Gap *gap = &g_array_index (self->gaps, Gap, gap_index);
  guint size = gap_size (gap);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *label_text = NULL;
  struct
  {
    const char *how;
    char       *label;
  } buttons[] = {
    { "down", g_strdup_printf (_("Expand %u lines ↓"), MIN (size, EXPAND_STEP)) },
    { "up", g_strdup_printf (_("Expand %u lines ↑"), MIN (size, EXPAND_STEP)) },
    { "all", g_strdup_printf (ngettext ("Show all %u line", "Show all %u lines", size), size) },
  };

  label_text = g_strdup_printf (ngettext ("⋯ %u unchanged line", "⋯ %u unchanged lines", size),
                                size);
  gtk_box_append (GTK_BOX (box), gtk_label_new (label_text));
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *button;

      /* one button is enough when one step shows them all */
      if (size <= EXPAND_STEP && i < 2)
        {
          g_free (buttons[i].label);
          continue;
        }
      button = gtk_button_new_with_label (buttons[i].label);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "nod-diff-expand");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "diff.expand");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(us)", gap_index,
                                        buttons[i].how);
      gtk_box_append (GTK_BOX (box), button);
      g_free (buttons[i].label);
    }

  return box;
}

static void
pane_insert_expander (NodDiffView *self,
                      Pane        *pane,
                      guint        index,
                      guint        gap_index)
{
  Row row = { ROW_EXPANDER, 0, 0, -1, gap_index, NULL };
  GtkTextChildAnchor *anchor;
  GtkTextIter start, end;
  GtkWidget *expander = create_expander (self, gap_index);

  nod_diff_pane_insert_row (pane, index, &row, NULL, &anchor, &start, &end);
  nod_diff_pane_apply_line_tag (pane, ROW_EXPANDER, &start, &end);
  gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (pane->view), expander, anchor);
}

static void
pane_insert_line (NodDiffView *self,
                  Pane        *pane,
                  guint        index,
                  const Row   *row,
                  const char  *text)
{
  GtkTextIter start, end;

  nod_diff_pane_insert_row (pane, index, row, text, NULL, &start, &end);
  nod_diff_pane_apply_line_tag (pane, row->kind, &start, &end);
  pane_highlight_row (self, pane, row, &start, &end);
}

/* Shows the new-side lines [first, last] of a gap as unchanged rows at row @index. */
static void
pane_insert_unchanged (NodDiffView *self,
                       Pane        *pane,
                       guint        index,
                       guint        first,
                       guint        last)
{
  GArray *lines = nod_diff_file_get_lines (self->file);

  for (guint number = first; number <= last; number++)
    {
      Row row = { ROW_UNCHANGED, 0, number, -1, 0, NULL };
      g_autofree char *text = nod_diff_highlight_dup_line (self->new_highlight, number);

      row.old_line = nod_diff_lines_map_unchanged (lines, FALSE, number);
      pane_insert_line (self, pane, index++, &row, text != NULL ? text : "");
    }
}

static void
pane_append_entry (NodDiffView *self,
                   Pane        *pane,
                   const Entry *entry,
                   gboolean     left)
{
  gssize index = left ? entry->left : entry->right;
  g_autofree char *text = NULL;
  Row row;

  if (entry->gap >= 0)
    {
      pane_insert_expander (self, pane, pane->rows->len, (guint) entry->gap);
      return;
    }
  if (entry->unchanged > 0)
    {
      pane_insert_unchanged (self, pane, pane->rows->len, entry->unchanged, entry->unchanged);
      return;
    }

  row = row_for_line (self, index);
  text = file_line_text (self->file, index);
  pane_insert_line (self, pane, pane->rows->len, &row, text);
}

/* A gap's entries: the lines expanded below the hunk above, its expander while lines are
 * hidden, the lines expanded above the hunk below. */
static void
nod_diff_view_append_gap (NodDiffView *self,
                          guint        gap_index)
{
  const Gap *gap;
  Entry entry = { -1, -1, -1, 0 };

  if (self->gaps == NULL || gap_index >= self->gaps->len)
    return;
  gap = &g_array_index (self->gaps, Gap, gap_index);

  for (guint number = gap->start; number < gap->first && number <= gap->end; number++)
    {
      entry.unchanged = number;
      g_array_append_val (self->entries, entry);
    }
  if (gap_size (gap) > 0)
    {
      Entry expander = { -1, -1, (gint) gap_index, 0 };

      g_array_append_val (self->entries, expander);
    }
  for (guint number = MAX (gap->last + 1, gap->first); number <= gap->end; number++)
    {
      entry.unchanged = number;
      g_array_append_val (self->entries, entry);
    }
}

/* The entries of a fill: the lines (or side-by-side rows), with each gap before the hunk
 * it comes before, and the last after the last hunk. */
static void
nod_diff_view_build_entries (NodDiffView *self)
{
  GArray *lines = nod_diff_file_get_lines (self->file);
  g_autoptr(GArray) pairs = NULL;
  guint gap_index = 0;

  g_clear_pointer (&self->entries, g_array_unref);
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->next_entry = 0;

  if (self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE)
    {
      pairs = nod_diff_lines_side_by_side (lines);
    }
  else
    {
      pairs = g_array_sized_new (FALSE, FALSE, sizeof (NodDiffRow), lines->len);
      for (guint i = 0; i < lines->len; i++)
        {
          NodDiffRow pair = { i, i };

          g_array_append_val (pairs, pair);
        }
    }

  for (guint i = 0; i < pairs->len; i++)
    {
      NodDiffRow *pair = &g_array_index (pairs, NodDiffRow, i);
      const NodDiffLine *line = file_line (self, pair->left >= 0 ? pair->left : pair->right);
      Entry entry = { pair->left, pair->right, -1, 0 };

      /* the gap before this hunk, counted in the order the hunks come */
      if (line != NULL && line->kind == NOD_DIFF_LINE_HUNK)
        nod_diff_view_append_gap (self, gap_index++);
      g_array_append_val (self->entries, entry);
    }

  nod_diff_view_append_gap (self, gap_index);
}

/* The gaps: before each hunk and after the last, the new-side lines no hunk shows. Only
 * with the new text (where the lines come from). */
static void
nod_diff_view_build_gaps (NodDiffView *self)
{
  GArray *lines = nod_diff_file_get_lines (self->file);
  guint next_line = 1;

  g_clear_pointer (&self->gaps, g_array_unref);
  if (self->new_highlight == NULL)
    return;

  self->gaps = g_array_new (FALSE, FALSE, sizeof (Gap));
  for (guint i = 0; i < lines->len; i++)
    {
      const NodDiffLine *hunk = &g_array_index (lines, NodDiffLine, i);
      guint start;
      Gap gap;

      if (hunk->kind != NOD_DIFF_LINE_HUNK)
        continue;
      start = hunk->new_line + (hunk->new_count == 0 ? 1 : 0);
      gap.first = next_line;
      gap.last = MIN (start, nod_diff_highlight_get_line_count (self->new_highlight) + 1) - 1;
      if (gap.last < gap.first)
        gap.last = gap.first - 1;
      gap.start = gap.first;
      gap.end = gap.last;
      g_array_append_val (self->gaps, gap);
      next_line = MAX (next_line, start + hunk->new_count);
    }

  {
    guint line_count = nod_diff_highlight_get_line_count (self->new_highlight);
    Gap last = { next_line, MAX (line_count, next_line - 1), next_line,
                 MAX (line_count, next_line - 1) };

    g_array_append_val (self->gaps, last);
  }
}

/* After the fill, the lines no row shows yet are highlighted too, a step per idle, so an
 * expansion finds them ready. */
static gboolean
nod_diff_view_highlight_rest_step (gpointer user_data)
{
  NodDiffView *self = user_data;
  NodDiffHighlight *highlights[] = { self->new_highlight, self->old_highlight };

  for (guint i = 0; i < G_N_ELEMENTS (highlights); i++)
    {
      guint line_count;

      if (highlights[i] == NULL)
        continue;
      line_count = nod_diff_highlight_get_line_count (highlights[i]);
      if (!nod_diff_highlight_covers (highlights[i], line_count))
        {
          nod_diff_highlight_ensure (highlights[i], line_count, TRUE);
          return G_SOURCE_CONTINUE;
        }
    }

  self->rest_source_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
nod_diff_view_fill_step (gpointer user_data)
{
  NodDiffView *self = user_data;
  gint64 deadline_us = g_get_monotonic_time () + FILL_BUDGET_US;
  gboolean side_by_side = self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;
  gboolean stepped = FALSE;
  guint done = 0;

  self->fill_chunks++;

  while (self->next_entry < self->entries->len)
    {
      const Entry *entry = &g_array_index (self->entries, Entry, self->next_entry);
      const NodDiffLine *old_line = file_line (self, entry->left);
      const NodDiffLine *new_line = file_line (self, entry->right);
      NodDiffHighlight *highlight = NULL;
      guint needed = 0;

      /* the highlight up to this line first; a step costs a few milliseconds, so a
       * dispatch takes at most one, and first */
      if (old_line != NULL && self->old_highlight != NULL &&
          !nod_diff_highlight_covers (self->old_highlight, old_line->old_line))
        {
          highlight = self->old_highlight;
          needed = old_line->old_line;
        }
      else if (new_line != NULL && self->new_highlight != NULL &&
               !nod_diff_highlight_covers (self->new_highlight, new_line->new_line))
        {
          highlight = self->new_highlight;
          needed = new_line->new_line;
        }
      else if (entry->unchanged > 0 &&
               !nod_diff_highlight_covers (self->new_highlight, entry->unchanged))
        {
          highlight = self->new_highlight;
          needed = entry->unchanged;
        }
      if (highlight != NULL)
        {
          if (stepped || done > 0)
            return G_SOURCE_CONTINUE;
          nod_diff_highlight_ensure (highlight, needed, TRUE);
          stepped = TRUE;
          continue;
        }

      pane_append_entry (self, &self->panes[0], entry, TRUE);
      if (side_by_side)
        pane_append_entry (self, &self->panes[1], entry, FALSE);
      self->next_entry++;

      if (++done >= FILL_CHUNK_ROWS)
        return G_SOURCE_CONTINUE;
      if ((done & 7) == 0 && g_get_monotonic_time () > deadline_us)
        return G_SOURCE_CONTINUE;
    }

  /* rows were appended at the cursor, which went along: back to the top */
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    {
      GtkTextIter start;

      gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (self->panes[i].buffer), &start);
      gtk_text_buffer_place_cursor (GTK_TEXT_BUFFER (self->panes[i].buffer), &start);
    }

  self->fill_source_id = 0;
  self->phase = FILL_DONE;
  g_clear_pointer (&self->entries, g_array_unref);
  nod_diff_view_attach_all (self);
  nod_diff_view_start_words (self);
  if (self->gaps != NULL)
    self->rest_source_id = g_idle_add_full (G_PRIORITY_LOW, nod_diff_view_highlight_rest_step,
                                            self, NULL);
  return G_SOURCE_REMOVE;
}

/* Whether a file's diff waits behind "Show diff": generated, or one GitLab collapsed but
 * sent all the same. */
static gboolean
nod_diff_view_is_folded (NodDiffFile *file)
{
  NodDiffFileFlags folding = NOD_DIFF_FILE_GENERATED | NOD_DIFF_FILE_COLLAPSED;

  return (nod_diff_file_get_flags (file) & folding) != 0;
}

/* Empties the panes and fills them again from the file, in the current layout. */
static void
nod_diff_view_refill (NodDiffView *self)
{
  self->generation++;
  g_clear_handle_id (&self->fill_source_id, g_source_remove);
  g_clear_handle_id (&self->rest_source_id, g_source_remove);
  if (self->word_cancellable != NULL)
    g_cancellable_cancel (self->word_cancellable);
  g_clear_object (&self->word_cancellable);
  g_clear_pointer (&self->word_pairs, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_array_unref);

  /* the anchored widgets go with their rows; they are attached again when filled */
  for (guint i = 0; self->attached != NULL && i < self->attached->len; i++)
    attached_release_spacer (g_ptr_array_index (self->attached, i));
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    nod_diff_pane_clear (&self->panes[i]);

  self->fill_chunks = 0;
  if (self->file == NULL ||
      nod_diff_file_get_visibility (self->file) != NOD_DIFF_FILE_SHOWN ||
      (nod_diff_view_is_folded (self->file) && !self->revealed))
    {
      self->phase = FILL_DONE;
      nod_diff_view_set_filling (self, FALSE);
      return;
    }

  self->phase = FILL_ROWS;
  nod_diff_view_build_entries (self);
  nod_diff_view_set_filling (self, TRUE);
  self->fill_source_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, nod_diff_view_fill_step,
                                          self, NULL);
}

/* Word diffs, in a worker */

typedef struct
{
  gssize  old_index;   /* into the file's lines */
  gssize  new_index;
  char   *old_text;    /* as the rows show them */
  char   *new_text;
  GArray *old_ranges;  /* NodTextRange */
  GArray *new_ranges;
} WordPair;

static void
word_pair_free (gpointer data)
{
  WordPair *pair = data;

  g_free (pair->old_text);
  g_free (pair->new_text);
  g_clear_pointer (&pair->old_ranges, g_array_unref);
  g_clear_pointer (&pair->new_ranges, g_array_unref);
  g_free (pair);
}

/* The changed pairs of the file (the nth removed line of a run facing the nth added one)
 * and which of their words changed; pairs with nothing to show are left out. The file's
 * lines were parsed on the main thread before: here they are only read. */
static void
compute_words (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  NodDiffFile *file = task_data;
  GArray *lines = nod_diff_file_get_lines (file);
  g_autoptr(GArray) rows = nod_diff_lines_side_by_side (lines);
  g_autoptr(GPtrArray) pairs = g_ptr_array_new_with_free_func (word_pair_free);

  for (guint i = 0; i < rows->len; i++)
    {
      NodDiffRow *row = &g_array_index (rows, NodDiffRow, i);
      WordPair *pair;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (row->left < 0 || row->right < 0 ||
          g_array_index (lines, NodDiffLine, row->left).kind != NOD_DIFF_LINE_REMOVED ||
          g_array_index (lines, NodDiffLine, row->right).kind != NOD_DIFF_LINE_ADDED)
        continue;

      pair = g_new0 (WordPair, 1);
      pair->old_index = row->left;
      pair->new_index = row->right;
      /* the texts the rows show, so the ranges fall on the buffer's characters */
      pair->old_text = file_line_text (file, row->left);
      pair->new_text = file_line_text (file, row->right);
      pair->old_ranges = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
      pair->new_ranges = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
      if (nod_word_diff (pair->old_text, strlen (pair->old_text),
                         pair->new_text, strlen (pair->new_text),
                         pair->old_ranges, pair->new_ranges))
        g_ptr_array_add (pairs, pair);
      else
        word_pair_free (pair);
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&pairs), (GDestroyNotify) g_ptr_array_unref);
}

/* Tags a budget's worth of the word diffs; rows may have moved since the last step (a
 * thread added, a gap expanded), so where the lines are is looked up each time. */
static gboolean
nod_diff_view_apply_words_step (gpointer user_data)
{
  NodDiffView *self = user_data;
  gint64 deadline_us = g_get_monotonic_time () + FILL_BUDGET_US;
  gboolean side_by_side = self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;
  Pane *old_pane = &self->panes[0];
  Pane *new_pane = &self->panes[side_by_side ? 1 : 0];
  guint line_count = nod_diff_file_get_lines (self->file)->len;
  g_autoptr(GArray) old_where = nod_diff_pane_index_lines (old_pane, line_count);
  g_autoptr(GArray) new_where = NULL;

  new_where = old_pane == new_pane ? g_array_ref (old_where)
                                   : nod_diff_pane_index_lines (new_pane, line_count);
  self->fill_chunks++;
  /* above the highlight's copies, made since: a style with a background would hide them */
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    {
      GtkTextTagTable *table =
        gtk_text_buffer_get_tag_table (GTK_TEXT_BUFFER (self->panes[i].buffer));
      int top = gtk_text_tag_table_get_size (table) - 1;

      gtk_text_tag_set_priority (nod_diff_pane_tag (&self->panes[i], "diff-word-removed"), top);
      gtk_text_tag_set_priority (nod_diff_pane_tag (&self->panes[i], "diff-word-added"), top);
    }
  while (self->next_word_pair < self->word_pairs->len)
    {
      WordPair *pair = g_ptr_array_index (self->word_pairs, self->next_word_pair++);
      gint old_row = g_array_index (old_where, gint, pair->old_index);
      gint new_row = g_array_index (new_where, gint, pair->new_index);

      if (old_row >= 0 && new_row >= 0)
        {
          nod_diff_pane_apply_ranges (old_pane, (guint) old_row, pair->old_text, pair->old_ranges,
                                      "diff-word-removed");
          nod_diff_pane_apply_ranges (new_pane, (guint) new_row, pair->new_text, pair->new_ranges,
                                      "diff-word-added");
        }
      if ((self->next_word_pair & 15) == 0 && g_get_monotonic_time () > deadline_us)
        return G_SOURCE_CONTINUE;
    }

  self->fill_source_id = 0;
  g_clear_pointer (&self->word_pairs, g_ptr_array_unref);
  nod_diff_view_set_filling (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_words_done (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GWeakRef *weak_self = user_data;
  g_autoptr(NodDiffView) self = g_weak_ref_get (weak_self);
  g_autoptr(GPtrArray) pairs = g_task_propagate_pointer (G_TASK (result), NULL);

  g_weak_ref_clear (weak_self);
  g_free (weak_self);
  if (self == NULL || pairs == NULL ||
      GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "generation")) != self->generation)
    return;

  g_clear_object (&self->word_cancellable);
  self->word_pairs = g_steal_pointer (&pairs);
  self->next_word_pair = 0;
  self->fill_source_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE,
                                          nod_diff_view_apply_words_step, self, NULL);
}

static void
nod_diff_view_start_words (NodDiffView *self)
{
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak_self;

  /* parsed here, so the worker only reads the lines */
  if (nod_diff_file_get_additions (self->file) == 0 ||
      nod_diff_file_get_deletions (self->file) == 0)
    {
      nod_diff_view_set_filling (self, FALSE);
      return;
    }

  /* the worker does not keep the view: a view gone by then just drops the result (the
   * worker's last reference to the task may go after the callback ran) */
  weak_self = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak_self, self);
  self->word_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->word_cancellable, on_words_done, weak_self);
  g_task_set_source_tag (task, nod_diff_view_start_words);
  g_object_set_data (G_OBJECT (task), "generation", GUINT_TO_POINTER (self->generation));
  g_task_set_task_data (task, g_object_ref (self->file), g_object_unref);
  g_task_run_in_thread (task, compute_words);
}

/* Shows EXPAND_STEP lines of a gap below the hunk above it ("down"), above the hunk below
 * it ("up"), or all of them. */
static gboolean
nod_diff_view_expand_gap (NodDiffView *self,
                          guint        gap_index,
                          const char  *how)
{
  gboolean side_by_side = self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;
  Gap *gap;
  guint first, last;

  if (self->gaps == NULL || gap_index >= self->gaps->len || self->phase != FILL_DONE)
    return FALSE;
  gap = &g_array_index (self->gaps, Gap, gap_index);
  if (gap_size (gap) == 0)
    return FALSE;

  first = gap->first;
  last = gap->last;
  if (g_strcmp0 (how, "down") == 0)
    last = MIN (last, first + EXPAND_STEP - 1);
  else if (g_strcmp0 (how, "up") == 0)
    first = last >= first + EXPAND_STEP ? last - EXPAND_STEP + 1 : first;


  if (first == gap->first)
    gap->first = last + 1;
  else
    gap->last = first - 1;

  for (guint i = 0; i < (side_by_side ? 2u : 1u); i++)
    {
      Pane *pane = &self->panes[i];
      gint expander = nod_diff_pane_find_expander (pane, gap_index);

      if (expander < 0)
        continue;
      /* lines shown below what is left of the gap go after its expander, the others
       * before it; the expander is made again for what is left */
      nod_diff_pane_delete_row (pane, (guint) expander);
      if (gap_size (gap) > 0 && first > gap->last)
        {
          pane_insert_expander (self, pane, (guint) expander, gap_index);
          pane_insert_unchanged (self, pane, (guint) expander + 1, first, last);
        }
      else
        {
          pane_insert_unchanged (self, pane, (guint) expander, first, last);
          if (gap_size (gap) > 0)
            pane_insert_expander (self, pane, (guint) expander + (last - first + 1), gap_index);
        }
    }

  return TRUE;
}

static void
expand_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  guint gap_index;
  const char *how;

  g_variant_get (parameter, "(u&s)", &gap_index, &how);
  nod_diff_view_expand_gap (NOD_DIFF_VIEW (widget), gap_index, how);
}

static Pane *
nod_diff_view_pane_for_side (NodDiffView *self,
                             gboolean     old_side)
{
  if (self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE && !old_side)
    return &self->panes[1];
  return &self->panes[0];
}

/* Expands the gap holding @line_number, if one does. */
static void
nod_diff_view_expand_line (NodDiffView *self,
                           gboolean     old_side,
                           guint        line_number)
{
  GArray *lines = nod_diff_file_get_lines (self->file);
  guint new_line = line_number;

  if (self->gaps == NULL)
    return;
  if (old_side)
    new_line = nod_diff_lines_map_unchanged (lines, TRUE, line_number);
  for (guint i = 0; new_line > 0 && i < self->gaps->len; i++)
    {
      Gap *gap = &g_array_index (self->gaps, Gap, i);

      if (gap->first <= new_line && new_line <= gap->last)
        {
          nod_diff_view_expand_gap (self, i, "all");
          return;
        }
    }
}

static gboolean
nod_diff_view_attach (NodDiffView *self,
                      Attached    *attached)
{
  Pane *pane = nod_diff_view_pane_for_side (self, attached->old_side);
  gboolean side_by_side = self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;
  GtkTextChildAnchor *anchor;
  GtkTextIter start, end;
  gint found;
  guint index;
  Row row = { ROW_WIDGET, 0, 0, -1, 0, NULL };

  found = nod_diff_pane_find_line (pane, attached->old_side, attached->line_number);
  if (found < 0)
    {
      nod_diff_view_expand_line (self, attached->old_side, attached->line_number);
      found = nod_diff_pane_find_line (pane, attached->old_side, attached->line_number);
    }
  if (found < 0)
    return FALSE;

  /* under the line and the widgets already there */
  index = (guint) found + 1;
  while (index < pane->rows->len && g_array_index (pane->rows, Row, index).kind == ROW_WIDGET)
    index++;

  row.widget = attached->widget;
  nod_diff_pane_insert_row (pane, index, &row, NULL, &anchor, &start, &end);
  gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (pane->view), attached->widget, anchor);
  nod_diff_pane_size_children (pane);

  if (side_by_side)
    {
      Pane *other = pane == &self->panes[0] ? &self->panes[1] : &self->panes[0];

      /* the other side keeps its rows in line: a spacer as tall as the widget */
      attached_release_spacer (attached);
      attached->spacer = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
      gtk_widget_add_css_class (attached->spacer, "nod-diff-spacer");
      g_object_set_data (G_OBJECT (attached->spacer), NOD_DIFF_PANE_FIT_WIDTH,
                         GINT_TO_POINTER (TRUE));
      attached->size_group = gtk_size_group_new (GTK_SIZE_GROUP_VERTICAL);
      gtk_size_group_add_widget (attached->size_group, attached->widget);
      gtk_size_group_add_widget (attached->size_group, attached->spacer);
      row.widget = attached->spacer;
      nod_diff_pane_insert_row (other, index, &row, NULL, &anchor, &start, &end);
      gtk_text_view_add_child_at_anchor (GTK_TEXT_VIEW (other->view), attached->spacer, anchor);
      nod_diff_pane_size_children (other);
    }

  return TRUE;
}

/* Lets go of the spacer facing a widget and of their size group (the rows holding them
 * are the panes' business). */
static void
attached_release_spacer (Attached *attached)
{
  if (attached->size_group != NULL)
    {
      GSList *widgets = g_slist_copy (gtk_size_group_get_widgets (attached->size_group));

      for (GSList *l = widgets; l != NULL; l = l->next)
        gtk_size_group_remove_widget (attached->size_group, l->data);
      g_slist_free (widgets);
      g_clear_object (&attached->size_group);
    }
  g_clear_object (&attached->spacer);
}

static void
attached_free (gpointer data)
{
  Attached *attached = data;

  /* the widget goes back as it came */
  if (g_object_get_data (G_OBJECT (attached->widget), NOD_DIFF_PANE_FIT_WIDTH) != NULL ||
      g_object_get_data (G_OBJECT (attached->widget), NOD_DIFF_PANE_OWN_WIDTH) != NULL)
    {
      int own_width = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (attached->widget),
                                                          NOD_DIFF_PANE_OWN_WIDTH));
      int height;

      g_object_set_data (G_OBJECT (attached->widget), NOD_DIFF_PANE_FIT_WIDTH, NULL);
      g_object_set_data (G_OBJECT (attached->widget), NOD_DIFF_PANE_OWN_WIDTH, NULL);
      gtk_widget_get_size_request (attached->widget, NULL, &height);
      gtk_widget_set_size_request (attached->widget, own_width > 0 ? own_width : -1, height);
    }
  attached_release_spacer (attached);
  g_clear_object (&attached->widget);
  g_free (attached);
}

/* After a fill: the widgets given, under their lines again. */
static void
nod_diff_view_attach_all (NodDiffView *self)
{
  for (guint i = 0; i < self->attached->len; i++)
    {
      Attached *attached = g_ptr_array_index (self->attached, i);

      if (!nod_diff_view_attach (self, attached))
        g_debug ("No line %u on the %s side for a widget", attached->line_number,
                 attached->old_side ? "old" : "new");
    }
}

/* What the reviewer comments on at row @index of @pane: a side and a line number. */
static gboolean
nod_diff_view_row_line (NodDiffView *self,
                        Pane        *pane,
                        guint        index,
                        gboolean    *old_side,
                        guint       *line_number)
{
  Row *row = nod_diff_pane_get_row (pane, index);
  gboolean left_pane = pane == &self->panes[0] &&
                       self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;

  if (row == NULL)
    return FALSE;

  switch (row->kind)
    {
    case ROW_REMOVED:
      *old_side = TRUE;
      *line_number = row->old_line;
      return TRUE;
    case ROW_ADDED:
      *old_side = FALSE;
      *line_number = row->new_line;
      return TRUE;
    case ROW_CONTEXT:
    case ROW_UNCHANGED:
      /* GitLab takes a comment on an unchanged line by its new number; side by side, the
       * left one is the old line */
      *old_side = left_pane;
      *line_number = left_pane ? row->old_line : row->new_line;
      return *line_number > 0;
    case ROW_HUNK:
    case ROW_FILLER:
    case ROW_EXPANDER:
    case ROW_WIDGET:
    default:
      return FALSE;
    }
}

static void
comment_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NodDiffView *self = NOD_DIFF_VIEW (widget);
  gboolean old_side;
  guint line_number;

  if (nod_diff_view_get_cursor_line (self, &old_side, &line_number))
    g_signal_emit (self, signals[COMMENT_REQUESTED], 0, old_side, line_number);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  nod_diff_view_move_to_change (NOD_DIFF_VIEW (widget),
                                g_str_equal (action_name, "diff.previous-change"));
}

/* Keys are read before the text view sees them: it would take Enter and letters itself. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                NodDiffView           *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();
  const char *action = NULL;

  /* some layouts need Shift for a bracket */
  if ((keyval == GDK_KEY_bracketright || keyval == GDK_KEY_bracketleft) &&
      modifiers == GDK_SHIFT_MASK)
    modifiers = 0;

  if (modifiers == 0)
    {
      switch (keyval)
        {
        case GDK_KEY_bracketright:
          action = "diff.next-change";
          break;
        case GDK_KEY_bracketleft:
          action = "diff.previous-change";
          break;
        case GDK_KEY_c:
        case GDK_KEY_Return:
        case GDK_KEY_KP_Enter:
          action = "diff.comment";
          break;
        default:
          break;
        }
    }

  if (action == NULL)
    return FALSE;

  /* a key meant for a widget under a line (a comment being written, a button) stays there */
  if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));

      if (focus != NULL && focus != GTK_WIDGET (self->panes[0].view) &&
          focus != GTK_WIDGET (self->panes[1].view))
        return FALSE;
    }

  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

/* The number columns are as wide as the file's largest line number. */
static void
nod_diff_view_size_gutters (NodDiffView *self)
{
  GArray *lines = self->file != NULL ? nod_diff_file_get_lines (self->file) : NULL;
  guint largest = 999;
  char digits[16];
  guint digit_count;

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      const NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);

      largest = MAX (largest, MAX (line->old_line + line->old_count,
                                   line->new_line + line->new_count));
    }
  if (self->new_highlight != NULL)
    largest = MAX (largest, nod_diff_highlight_get_line_count (self->new_highlight));
  if (self->old_highlight != NULL)
    largest = MAX (largest, nod_diff_highlight_get_line_count (self->old_highlight));

  digit_count = (guint) g_snprintf (digits, sizeof digits, "%u", largest);
  memset (digits, '0', digit_count);
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    {
      GtkSourceGutterRenderer *renderers[] = { self->panes[i].old_numbers,
                                               self->panes[i].new_numbers };

      for (guint j = 0; j < G_N_ELEMENTS (renderers); j++)
        {
          int width = 0, height = 0;

          gtk_source_gutter_renderer_text_measure (
            GTK_SOURCE_GUTTER_RENDERER_TEXT (renderers[j]), digits, &width, &height);
          gtk_widget_set_size_request (GTK_WIDGET (renderers[j]),
                                       width + 2 * gtk_source_gutter_renderer_get_xpad (
                                                     renderers[j]),
                                       -1);
        }
    }
}

/* The layout and what is shown */

static void
nod_diff_view_update_panes (NodDiffView *self)
{
  gboolean side_by_side = self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE;
  GtkAdjustment *shared = gtk_scrolled_window_get_vadjustment (self->panes[0].scroller);

  gtk_widget_set_visible (GTK_WIDGET (self->panes[1].scroller), side_by_side);
  gtk_widget_set_visible (GTK_WIDGET (self->panes[0].old_numbers), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->panes[0].new_numbers), !side_by_side);
  gtk_widget_set_visible (GTK_WIDGET (self->panes[1].old_numbers), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->panes[1].new_numbers), TRUE);

  /* side by side, both scroll as one: one vertical adjustment, the right's bar */
  gtk_scrolled_window_set_policy (self->panes[0].scroller, GTK_POLICY_AUTOMATIC,
                                  side_by_side ? GTK_POLICY_EXTERNAL : GTK_POLICY_AUTOMATIC);
  if (side_by_side)
    gtk_scrolled_window_set_vadjustment (self->panes[1].scroller, shared);
  self->active_pane = side_by_side ? self->active_pane : 0;
}

static void
nod_diff_view_update_page (NodDiffView *self)
{
  NodDiffFileVisibility visibility = self->file != NULL ? nod_diff_file_get_visibility (self->file)
                                                        : NOD_DIFF_FILE_SHOWN;
  gboolean folded = self->file != NULL && nod_diff_view_is_folded (self->file);

  gtk_widget_set_visible (self->browser_button, self->web_url != NULL);
  gtk_widget_set_visible (self->show_button, FALSE);

  switch (visibility)
    {
    case NOD_DIFF_FILE_HIDDEN_BINARY:
      adw_status_page_set_title (self->hidden_page, _("Binary file"));
      adw_status_page_set_description (self->hidden_page,
                                       _("Its changes cannot be shown as text."));
      gtk_stack_set_visible_child_name (self->stack, "hidden");
      return;

    case NOD_DIFF_FILE_HIDDEN_TOO_LARGE:
      adw_status_page_set_title (self->hidden_page, _("Too large to show here"));
      adw_status_page_set_description (self->hidden_page, NULL);
      gtk_stack_set_visible_child_name (self->stack, "hidden");
      return;

    case NOD_DIFF_FILE_SHOWN:
    default:
      break;
    }

  if (folded && !self->revealed)
    {
      if (nod_diff_file_get_flags (self->file) & NOD_DIFF_FILE_GENERATED)
        {
          adw_status_page_set_title (self->hidden_page, _("Generated file"));
          adw_status_page_set_description (self->hidden_page,
                                           _("Changes to generated files are hidden."));
        }
      else
        {
          adw_status_page_set_title (self->hidden_page, _("Large diff"));
          adw_status_page_set_description (self->hidden_page,
                                           _("GitLab collapsed this file's changes."));
        }
      gtk_widget_set_visible (self->show_button, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "hidden");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "diff");
}

static void
open_in_browser_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  NodDiffView *self = NOD_DIFF_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->web_url == NULL)
    return;
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->web_url,
                GDK_CURRENT_TIME);
}

static void
show_diff_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NodDiffView *self = NOD_DIFF_VIEW (widget);

  if (self->revealed)
    return;
  self->revealed = TRUE;
  nod_diff_view_update_page (self);
  nod_diff_view_refill (self);
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 NodDiffView     *self)
{
  nod_diff_view_update_colors (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    nod_diff_highlight_refresh_copies (self->panes[i].syntax_tags);
}

/* What the panes call back for */

void
_nod_diff_view_request_comment (NodDiffView *self,
                                gboolean     old_side,
                                guint        line_number)
{
  g_signal_emit (self, signals[COMMENT_REQUESTED], 0, old_side, line_number);
}

void
_nod_diff_view_set_active_pane (NodDiffView *self,
                                guint        index)
{
  self->active_pane = MIN (index, G_N_ELEMENTS (self->panes) - 1);
}

/* GObject */

static void
nod_diff_view_dispose (GObject *object)
{
  NodDiffView *self = NOD_DIFF_VIEW (object);

  self->generation++;
  g_clear_handle_id (&self->fill_source_id, g_source_remove);
  g_clear_handle_id (&self->rest_source_id, g_source_remove);
  if (self->word_cancellable != NULL)
    g_cancellable_cancel (self->word_cancellable);
  g_clear_object (&self->word_cancellable);
  g_clear_pointer (&self->attached, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    nod_diff_pane_dispose (&self->panes[i]);
  if (self->stack != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->stack));
  self->stack = NULL;
  g_clear_object (&self->file);
  nod_diff_highlight_release (g_steal_pointer (&self->old_highlight));
  nod_diff_highlight_release (g_steal_pointer (&self->new_highlight));

  G_OBJECT_CLASS (nod_diff_view_parent_class)->dispose (object);
}

static void
nod_diff_view_finalize (GObject *object)
{
  NodDiffView *self = NOD_DIFF_VIEW (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    nod_diff_pane_finalize (&self->panes[i]);
  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->word_pairs, g_ptr_array_unref);
  g_clear_pointer (&self->gaps, g_array_unref);
  g_clear_pointer (&self->web_url, g_free);

  G_OBJECT_CLASS (nod_diff_view_parent_class)->finalize (object);
}

static void
nod_diff_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  NodDiffView *self = NOD_DIFF_VIEW (object);

  switch (prop_id)
    {
    case PROP_LAYOUT:
      g_value_set_int (value, self->layout);
      break;

    case PROP_FILLING:
      g_value_set_boolean (value, self->filling);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_diff_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  NodDiffView *self = NOD_DIFF_VIEW (object);

  switch (prop_id)
    {
    case PROP_LAYOUT:
      nod_diff_view_set_layout (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_diff_view_class_init (NodDiffViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* the views' styles and the schemes; it may be called again */
  gtk_source_init ();

  object_class->dispose = nod_diff_view_dispose;
  object_class->finalize = nod_diff_view_finalize;
  object_class->get_property = nod_diff_view_get_property;
  object_class->set_property = nod_diff_view_set_property;

  /**
   * NodDiffView:layout:
   *
   * A #NodDiffLayout: unified (0) or side by side (1).
   */
  properties[PROP_LAYOUT] =
    g_param_spec_int ("layout", NULL, NULL,
                      NOD_DIFF_LAYOUT_UNIFIED, NOD_DIFF_LAYOUT_SIDE_BY_SIDE,
                      NOD_DIFF_LAYOUT_UNIFIED,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * NodDiffView:filling:
   *
   * Whether the rows of the file are still being put in (a chunk per idle) or its word
   * diffs computed; %FALSE once the view shows all of it.
   */
  properties[PROP_FILLING] =
    g_param_spec_boolean ("filling", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NodDiffView::comment-requested:
   * @old_side: whether @line_number is on the old side
   * @line_number: the line, 1-based
   *
   * The reviewer clicked a line number, or pressed `c` or Enter on a line.
   */
  signals[COMMENT_REQUESTED] =
    g_signal_new ("comment-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_UINT);

  gtk_widget_class_install_action (widget_class, "diff.expand", "(us)", expand_action);
  gtk_widget_class_install_action (widget_class, "diff.next-change", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "diff.previous-change", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "diff.comment", NULL, comment_action);
  gtk_widget_class_install_action (widget_class, "diff.open-in-browser", NULL,
                                   open_in_browser_action);
  gtk_widget_class_install_action (widget_class, "diff.show", NULL, show_diff_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "nod-diff-view");
}

static void
nod_diff_view_init (NodDiffView *self)
{
  GtkWidget *buttons;
  GtkEventController *keys;

  self->attached = g_ptr_array_new_with_free_func (attached_free);
  self->phase = FILL_DONE;

  for (guint i = 0; i < G_N_ELEMENTS (self->panes); i++)
    nod_diff_pane_init (&self->panes[i], self, i);

  self->panes_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_box_set_homogeneous (GTK_BOX (self->panes_box), TRUE);
  gtk_box_append (GTK_BOX (self->panes_box), GTK_WIDGET (self->panes[0].scroller));
  gtk_box_append (GTK_BOX (self->panes_box), GTK_WIDGET (self->panes[1].scroller));

  self->browser_button = gtk_button_new_with_mnemonic (_("_Open in Browser"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->browser_button),
                                  "diff.open-in-browser");
  gtk_widget_add_css_class (self->browser_button, "pill");
  self->show_button = gtk_button_new_with_mnemonic (_("_Show Diff"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->show_button), "diff.show");
  gtk_widget_add_css_class (self->show_button, "pill");
  gtk_widget_add_css_class (self->show_button, "suggested-action");
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (buttons), self->show_button);
  gtk_box_append (GTK_BOX (buttons), self->browser_button);
  self->hidden_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->hidden_page, "text-x-generic-symbolic");
  adw_status_page_set_child (self->hidden_page, buttons);
  gtk_widget_add_css_class (GTK_WIDGET (self->hidden_page), "compact");

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, self->panes_box, "diff");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->hidden_page), "hidden");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, 0);
  nod_diff_view_update_colors (self);
  nod_diff_view_update_panes (self);
  nod_diff_view_size_gutters (self);
  nod_diff_view_update_page (self);
}

/* Public */

NodDiffView *
nod_diff_view_new (void)
{
  return g_object_new (NOD_TYPE_DIFF_VIEW, NULL);
}

void
nod_diff_view_set_file (NodDiffView *self,
                        NodDiffFile *file,
                        GBytes      *old_text,
                        GBytes      *new_text,
                        const char  *web_url)
{
  GtkSourceLanguage *language = NULL;
  const char *scheme = web_url != NULL ? g_uri_peek_scheme (web_url) : NULL;

  g_return_if_fail (NOD_IS_DIFF_VIEW (self));
  g_return_if_fail (file == NULL || NOD_IS_DIFF_FILE (file));

  /* disposed: nothing to show it in */
  if (self->stack == NULL)
    return;

  g_set_object (&self->file, file);
  g_free (self->web_url);
  /* only a web page goes to the browser */
  self->web_url = g_strcmp0 (scheme, "https") == 0 || g_strcmp0 (scheme, "http") == 0
                  ? g_strdup (web_url) : NULL;
  self->revealed = FALSE;
  g_ptr_array_set_size (self->attached, 0);

  if (file != NULL)
    {
      g_autofree char *name = g_path_get_basename (nod_diff_file_get_path (file));

      language = gtk_source_language_manager_guess_language (
        gtk_source_language_manager_get_default (), name, NULL);
    }
  nod_diff_highlight_release (g_steal_pointer (&self->old_highlight));
  nod_diff_highlight_release (g_steal_pointer (&self->new_highlight));
  if (file != NULL && old_text != NULL)
    self->old_highlight = nod_diff_highlight_new (old_text, language);
  if (file != NULL && new_text != NULL)
    self->new_highlight = nod_diff_highlight_new (new_text, language);
  nod_diff_view_update_colors (self);
  if (file != NULL)
    nod_diff_view_build_gaps (self);
  else
    g_clear_pointer (&self->gaps, g_array_unref);

  nod_diff_view_size_gutters (self);
  nod_diff_view_update_page (self);
  nod_diff_view_refill (self);
}

NodDiffFile *
nod_diff_view_get_file (NodDiffView *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), NULL);

  return self->file;
}

void
nod_diff_view_set_layout (NodDiffView   *self,
                          NodDiffLayout  layout)
{
  g_return_if_fail (NOD_IS_DIFF_VIEW (self));
  g_return_if_fail (layout == NOD_DIFF_LAYOUT_UNIFIED || layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE);

  if (self->layout == layout)
    return;

  self->layout = layout;
  nod_diff_view_update_panes (self);
  /* the gaps expanded stay expanded in the new layout: they are the file's, not a pane's */
  nod_diff_view_refill (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

NodDiffLayout
nod_diff_view_get_layout (NodDiffView *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), NOD_DIFF_LAYOUT_UNIFIED);

  return self->layout;
}

/* A widget under a line is inside the text view, whose monospace font it would inherit:
 * it gets the desktop's interface font back, following the setting. */
static void
update_child_font (GtkSettings    *settings,
                   GParamSpec     *pspec,
                   GtkCssProvider *provider)
{
  g_autofree char *font_name = NULL;
  g_autoptr(PangoFontDescription) font = NULL;
  g_autofree char *family = NULL;
  g_autofree char *css = NULL;

  g_object_get (settings, "gtk-font-name", &font_name, NULL);
  font = pango_font_description_from_string (font_name != NULL ? font_name : "Sans");
  /* A family name is the user's setting, not CSS: only its letters go in the quotes. */
  family = g_strdup (pango_font_description_get_family (font) != NULL
                     ? pango_font_description_get_family (font) : "Sans");
  g_strdelimit (family, "\"\\;{}\n", ' ');
  css = g_strdup_printf (".nod-diff-child { font-family: \"%s\"; }", family);
  gtk_css_provider_load_from_data (provider, css, -1);
}

static void
ensure_child_font (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  GtkCssProvider *provider = g_object_get_data (G_OBJECT (display), "nod-diff-child-font");
  GtkSettings *settings;

  if (provider != NULL)
    return;
  provider = gtk_css_provider_new ();
  settings = gtk_settings_get_for_display (display);
  update_child_font (settings, NULL, provider);
  g_signal_connect_object (settings, "notify::gtk-font-name", G_CALLBACK (update_child_font),
                           provider, 0);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "nod-diff-child-font", provider, g_object_unref);
}

gboolean
nod_diff_view_add_widget (NodDiffView *self,
                          gboolean     old_side,
                          guint        line_number,
                          GtkWidget   *widget)
{
  Attached *attached;
  int width;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (gtk_widget_get_parent (widget) == NULL, FALSE);

  /* no file, or disposed */
  if (self->file == NULL || self->stack == NULL || line_number == 0)
    return FALSE;

  ensure_child_font (GTK_WIDGET (self));
  gtk_widget_add_css_class (widget, "nod-diff-child");

  /* a widget with a width of its own keeps it; the others take the pane's */
  gtk_widget_get_size_request (widget, &width, NULL);
  if (width < 0)
    g_object_set_data (G_OBJECT (widget), NOD_DIFF_PANE_FIT_WIDTH, GINT_TO_POINTER (TRUE));
  else if (width > 0)
    g_object_set_data (G_OBJECT (widget), NOD_DIFF_PANE_OWN_WIDTH, GINT_TO_POINTER (width));

  attached = g_new0 (Attached, 1);
  attached->widget = g_object_ref_sink (widget);
  attached->old_side = old_side;
  attached->line_number = line_number;

  /* while filling, it is put in place when the rows are there */
  if (self->phase != FILL_DONE)
    {
      g_ptr_array_add (self->attached, attached);
      return TRUE;
    }
  if (!nod_diff_view_attach (self, attached))
    {
      attached_free (attached);
      return FALSE;
    }
  g_ptr_array_add (self->attached, attached);

  return TRUE;
}

void
nod_diff_view_remove_widget (NodDiffView *self,
                             GtkWidget   *widget)
{
  g_return_if_fail (NOD_IS_DIFF_VIEW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  for (guint i = 0; self->attached != NULL && i < self->attached->len; i++)
    {
      Attached *attached = g_ptr_array_index (self->attached, i);

      if (attached->widget != widget)
        continue;
      for (guint j = 0; j < G_N_ELEMENTS (self->panes); j++)
        {
          nod_diff_pane_remove_widget_row (&self->panes[j], attached->widget);
          nod_diff_pane_remove_widget_row (&self->panes[j], attached->spacer);
        }
      g_ptr_array_remove_index (self->attached, i);
      return;
    }
}

gboolean
nod_diff_view_move_to_change (NodDiffView *self,
                              gboolean     backward)
{
  Pane *pane;
  gint cursor, start, found = -1;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);

  pane = &self->panes[self->active_pane];
  cursor = nod_diff_pane_cursor_row (pane);

  if (!backward)
    {
      for (guint i = (guint) cursor + 1; i < pane->rows->len; i++)
        if (nod_diff_pane_row_is_change (pane, i) && !nod_diff_pane_row_is_change (pane, i - 1))
          {
            found = (gint) i;
            break;
          }
    }
  else
    {
      /* from the start of the run the cursor is in */
      start = cursor;
      while (start > 0 && nod_diff_pane_row_is_change (pane, (guint) start) &&
             nod_diff_pane_row_is_change (pane, (guint) start - 1))
        start--;
      for (gint i = start - 1; i >= 0; i--)
        if (nod_diff_pane_row_is_change (pane, (guint) i) &&
            (i == 0 || !nod_diff_pane_row_is_change (pane, (guint) i - 1)))
          {
            found = i;
            break;
          }
    }

  if (found < 0)
    return FALSE;

  for (guint i = 0; i < (self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE ? 2u : 1u); i++)
    nod_diff_pane_place_cursor (&self->panes[i], (guint) found);
  return TRUE;
}

gboolean
nod_diff_view_get_cursor_line (NodDiffView *self,
                               gboolean    *old_side,
                               guint       *line_number)
{
  Pane *pane;
  gboolean side = FALSE;
  guint number = 0;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);

  pane = &self->panes[self->active_pane];
  if (!nod_diff_view_row_line (self, pane, (guint) nod_diff_pane_cursor_row (pane), &side, &number))
    return FALSE;
  if (old_side != NULL)
    *old_side = side;
  if (line_number != NULL)
    *line_number = number;
  return TRUE;
}

gboolean
nod_diff_view_select_line (NodDiffView *self,
                           gboolean     old_side,
                           guint        line_number)
{
  Pane *pane;
  gint found;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);

  if (self->file == NULL || self->stack == NULL || self->phase != FILL_DONE ||
      line_number == 0)
    return FALSE;

  pane = nod_diff_view_pane_for_side (self, old_side);
  found = nod_diff_pane_find_line (pane, old_side, line_number);
  if (found < 0)
    {
      nod_diff_view_expand_line (self, old_side, line_number);
      found = nod_diff_pane_find_line (pane, old_side, line_number);
    }
  if (found < 0)
    return FALSE;

  self->active_pane = pane == &self->panes[0] ? 0 : 1;
  for (guint i = 0; i < (self->layout == NOD_DIFF_LAYOUT_SIDE_BY_SIDE ? 2u : 1u); i++)
    nod_diff_pane_place_cursor (&self->panes[i], (guint) found);
  return TRUE;
}

gboolean
nod_diff_view_get_filling (NodDiffView *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);

  return self->filling;
}

guint
nod_diff_view_get_fill_chunks (NodDiffView *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), 0);

  return self->fill_chunks;
}

guint
nod_diff_view_get_n_rows (NodDiffView *self,
                          guint        pane)
{
  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), 0);
  g_return_val_if_fail (pane < 2, 0);

  return self->panes[pane].rows->len;
}

char *
nod_diff_view_dup_row_text (NodDiffView *self,
                            guint        pane,
                            guint        row)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), NULL);
  g_return_val_if_fail (pane < 2, NULL);

  if (row >= self->panes[pane].rows->len)
    return NULL;
  buffer = GTK_TEXT_BUFFER (self->panes[pane].buffer);
  gtk_text_buffer_get_iter_at_line (buffer, &start, (int) row);
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);

  return gtk_text_iter_get_text (&start, &end);
}

gboolean
nod_diff_view_get_line_numbers (NodDiffView *self,
                                guint        pane,
                                guint        row,
                                guint       *old_line,
                                guint       *new_line)
{
  Row *found;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);
  g_return_val_if_fail (pane < 2, FALSE);

  found = nod_diff_pane_get_row (&self->panes[pane], row);
  if (found == NULL)
    return FALSE;
  if (old_line != NULL)
    *old_line = found->old_line;
  if (new_line != NULL)
    *new_line = found->new_line;
  return TRUE;
}

gboolean
nod_diff_view_row_has_tag (NodDiffView *self,
                           guint        pane,
                           guint        row,
                           int          column,
                           const char  *tag_name)
{
  GtkTextBuffer *buffer;
  GtkTextTag *tag;
  GtkTextIter iter, end;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), FALSE);
  g_return_val_if_fail (pane < 2, FALSE);
  g_return_val_if_fail (tag_name != NULL, FALSE);

  if (row >= self->panes[pane].rows->len)
    return FALSE;
  buffer = GTK_TEXT_BUFFER (self->panes[pane].buffer);
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  if (tag == NULL)
    return FALSE;

  gtk_text_buffer_get_iter_at_line (buffer, &iter, (int) row);
  if (column >= 0)
    {
      if (column >= gtk_text_iter_get_chars_in_line (&iter))
        return FALSE;
      gtk_text_iter_set_line_offset (&iter, column);
      return gtk_text_iter_has_tag (&iter, tag);
    }

  /* anywhere on the row */
  end = iter;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);
  if (gtk_text_iter_equal (&iter, &end))
    return gtk_text_iter_has_tag (&iter, tag);
  for (; gtk_text_iter_compare (&iter, &end) < 0; gtk_text_iter_forward_char (&iter))
    if (gtk_text_iter_has_tag (&iter, tag))
      return TRUE;
  return FALSE;
}

GtkWidget *
nod_diff_view_get_row_widget (NodDiffView *self,
                              guint        pane,
                              guint        row)
{
  Row *found;

  g_return_val_if_fail (NOD_IS_DIFF_VIEW (self), NULL);
  g_return_val_if_fail (pane < 2, NULL);

  found = nod_diff_pane_get_row (&self->panes[pane], row);
  return found != NULL && found->kind == ROW_WIDGET ? found->widget : NULL;
}
