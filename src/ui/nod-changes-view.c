/* nod-changes-view.c: a merge request's changes — its files, one file's diff, and the
 * threads at their lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything comes from the diff cache (reading never waits on the network): the newest
 * diff kept, the reviewer's viewed marks, and the head they approved at, whose diff says
 * which files changed since. A file is viewed while its diff's digest is the one it was
 * marked at, so a new head that changes it un-views it.
 *
 * The threads whose first note sits on the file shown go to their lines; one whose line
 * the diff no longer has goes to the "Outdated" list above it. The reviewer's own new
 * threads, not sent yet, come as outbox actions with a position and are shown the same way.
 */

#define G_LOG_DOMAIN "nod-changes-view"

#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nod-changes-view.h"
#include "nod-diff-file-row.h"
#include "nod-diff-highlight.h"
#include "nod-discussion.h"
#include "nod-outbox-action.h"
#include "nod-suggestion.h"
#include "nod-thread-view.h"

/* How wide a thread or the composer is under its line: the width of a comment in GitLab,
 * not of the longest line around it. */
#define THREAD_WIDTH 560

/* The longest path shown in an "Outdated" heading, in characters. */
#define OUTDATED_PATH_MAX_CHARS 200

typedef struct
{
  GtkWidget *widget;     /* the thread, or its entry in the outdated list */
  gboolean   old_side;
  guint      line_number;
  gboolean   outdated;
} Placement;

struct _NodChangesView
{
  GtkWidget            parent_instance;

  NodDiffCache        *cache;
  gint64               account_id;
  gint64               project_id;
  gint64               iid;
  char                *head_sha;       /* as the page knows it */
  char                *web_url;
  gboolean             load_due;       /* read the cache when next mapped */
  gboolean             review_started; /* comments are drafts of a review */
  gboolean             loading;
  gboolean             file_loading;
  guint                generation;     /* drops a read overtaken by another */
  guint                file_generation;
  GCancellable        *cancellable;

  NodMergeRequestDiff *diff;
  guint                listed;         /* of its files, in the list so far */
  guint                list_id;        /* lists the rest, a chunk an idle */
  GHashTable          *viewed;         /* path → digest when marked */
  GHashTable          *changed;        /* paths changed since the approved head */
  NodDiffLayout        layout;
  char                *viewed_text;
  char                *changed_text;

  GPtrArray           *discussions;    /* NodDiscussion */
  GPtrArray           *actions;        /* NodOutboxAction */
  char                *own_username;   /* whose notes take Edit and Delete */
  GDateTime           *now;

  NodDiffFile         *file;           /* shown */
  GBytes              *old_text;
  GBytes              *new_text;
  GHashTable          *threads;        /* discussion id → NodThreadView (of the file shown) */
  GHashTable          *placements;     /* discussion id → Placement */
  GHashTable          *bound_rows;     /* NodDiffFileRow on screen */

  GtkWidget           *composer;
  GtkTextView         *composer_view;
  GtkLabel            *composer_error;
  GtkWidget           *composer_suggest;
  gboolean             composer_old_side;
  guint                composer_line;

  GListStore          *files;
  GtkFilterListModel  *filtered;
  GtkCustomFilter     *filter;
  GtkSingleSelection  *selection;
  gulong               selected_id;
  char                *search;
  gboolean             setting_entry;  /* the entry follows set_search (): not the reverse */

  GtkStack            *stack;
  GtkSpinner          *spinner;
  GtkLabel            *viewed_label;
  GtkLabel            *changed_label;
  GtkSearchEntry      *search_entry;
  GtkListView         *file_list;
  GtkBox              *diff_box;
  GtkExpander         *outdated_expander;
  GtkBox              *outdated_box;
  NodDiffView         *diff_view;
};

G_DEFINE_FINAL_TYPE (NodChangesView, nod_changes_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_INLINE_COMMENT,
  SIGNAL_REPLY,
  SIGNAL_RESOLVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_selected_file (NodChangesView *self);
static void place_threads      (NodChangesView *self);

static void
placement_free (Placement *placement)
{
  g_clear_object (&placement->widget);
  g_free (placement);
}

static gboolean
is_viewed (NodChangesView *self,
           NodDiffFile    *file)
{
  const char *digest = g_hash_table_lookup (self->viewed, nod_diff_file_get_path (file));

  return digest != NULL && g_strcmp0 (digest, nod_diff_file_get_digest (file)) == 0;
}

static gboolean
is_changed (NodChangesView *self,
            NodDiffFile    *file)
{
  return g_hash_table_contains (self->changed, nod_diff_file_get_path (file));
}

static NodDiffFile *
file_at (NodChangesView *self,
         const char     *path)
{
  return self->diff != NULL ? nod_merge_request_diff_find_file (self->diff, path) : NULL;
}

/* ---- the header and the rows ---- */

static void
update_header (NodChangesView *self)
{
  GPtrArray *files = self->diff != NULL ? nod_merge_request_diff_get_files (self->diff) : NULL;
  guint total = files != NULL ? files->len : 0;
  guint viewed = 0;
  guint changed = g_hash_table_size (self->changed);

  for (guint i = 0; i < total; i++)
    if (is_viewed (self, files->pdata[i]))
      viewed++;

  g_free (self->viewed_text);
  /* Translators: "3 of 12 files viewed" */
  self->viewed_text = g_strdup_printf (ngettext ("%u of %u file viewed",
                                                 "%u of %u files viewed", total),
                                       viewed, total);
  gtk_label_set_text (self->viewed_label, self->viewed_text);

  g_clear_pointer (&self->changed_text, g_free);
  if (changed > 0)
    self->changed_text = g_strdup_printf (ngettext ("%u file changed since you approved",
                                                    "%u files changed since you approved",
                                                    changed),
                                          changed);
  gtk_label_set_text (self->changed_label, self->changed_text != NULL ? self->changed_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->changed_label), self->changed_text != NULL);
}

static void
refresh_rows (NodChangesView *self)
{
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &row, NULL))
    {
      NodDiffFile *file = nod_diff_file_row_get_file (row);

      if (file != NULL)
        nod_diff_file_row_bind (row, file, is_viewed (self, file), is_changed (self, file));
    }
}

static void
on_viewed_set (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The mark is shown already; a store that cannot keep it has worse trouble to report. */
  if (!nod_diff_cache_set_viewed_finish (NOD_DIFF_CACHE (source_object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep a viewed mark: %s", error->message);
}

static void
set_viewed (NodChangesView *self,
            NodDiffFile    *file,
            gboolean        viewed)
{
  const char *path = nod_diff_file_get_path (file);
  const char *digest = viewed ? nod_diff_file_get_digest (file) : NULL;

  if (viewed == is_viewed (self, file))
    return;
  if (digest != NULL)
    g_hash_table_insert (self->viewed, g_strdup (path), g_strdup (digest));
  else
    g_hash_table_remove (self->viewed, path);

  nod_diff_cache_set_viewed_async (self->cache, self->account_id, self->project_id, self->iid,
                                   path, digest, NULL, on_viewed_set, NULL);
  update_header (self);
  refresh_rows (self);
}

static void
on_row_viewed_toggled (NodDiffFileRow *row,
                       gboolean        viewed,
                       NodChangesView *self)
{
  NodDiffFile *file = nod_diff_file_row_get_file (row);

  if (file != NULL)
    set_viewed (self, file, viewed);
}

static void
on_setup_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              NodChangesView           *self)
{
  NodDiffFileRow *row = nod_diff_file_row_new ();

  g_signal_connect_object (row, "viewed-toggled", G_CALLBACK (on_row_viewed_toggled), self, 0);
  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
on_bind_row (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             NodChangesView           *self)
{
  NodDiffFileRow *row = NOD_DIFF_FILE_ROW (gtk_list_item_get_child (item));
  NodDiffFile *file = gtk_list_item_get_item (item);

  nod_diff_file_row_bind (row, file, is_viewed (self, file), is_changed (self, file));
  g_hash_table_add (self->bound_rows, row);
}

static void
on_unbind_row (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               NodChangesView           *self)
{
  NodDiffFileRow *row = NOD_DIFF_FILE_ROW (gtk_list_item_get_child (item));

  if (self->bound_rows != NULL)
    g_hash_table_remove (self->bound_rows, row);
  nod_diff_file_row_bind (row, NULL, FALSE, FALSE);
}

static gboolean
filter_file (gpointer item,
             gpointer user_data)
{
  NodChangesView *self = user_data;
  NodDiffFile *file = item;
  g_autofree char *old_path = NULL;
  g_autofree char *new_path = NULL;

  if (self->search == NULL)
    return TRUE;
  old_path = g_utf8_casefold (nod_diff_file_get_old_path (file), -1);
  new_path = g_utf8_casefold (nod_diff_file_get_new_path (file), -1);
  return strstr (old_path, self->search) != NULL || strstr (new_path, self->search) != NULL;
}

static void
on_search_changed (NodChangesView *self)
{
  if (self->setting_entry)
    return;
  nod_changes_view_set_search (self,
                               gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

/* ---- threads ---- */

static void
on_thread_reply (NodThreadView  *thread,
                 const char     *body,
                 NodChangesView *self)
{
  g_signal_emit (self, signals[SIGNAL_REPLY], 0, nod_thread_view_get_discussion_id (thread),
                 body);
}

static void
on_thread_resolve (NodThreadView  *thread,
                   gboolean        resolved,
                   NodChangesView *self)
{
  g_signal_emit (self, signals[SIGNAL_RESOLVE], 0, nod_thread_view_get_discussion_id (thread),
                 resolved);
}

static void
unplace (NodChangesView *self,
         Placement      *placement)
{
  if (placement->outdated)
    gtk_box_remove (self->outdated_box, placement->widget);
  else
    nod_diff_view_remove_widget (self->diff_view, placement->widget);
}

static void
clear_threads (NodChangesView *self)
{
  GHashTableIter iter;
  gpointer placement;

  g_hash_table_iter_init (&iter, self->placements);
  while (g_hash_table_iter_next (&iter, NULL, &placement))
    unplace (self, placement);
  g_hash_table_remove_all (self->placements);
  g_hash_table_remove_all (self->threads);
  gtk_widget_set_visible (GTK_WIDGET (self->outdated_expander), FALSE);
}

/* Whether @position is on @file: GitLab keeps both paths on every position. */
static gboolean
position_on_file (const NodDiffPosition *position,
                  NodDiffFile           *file)
{
  return position != NULL &&
         (g_strcmp0 (position->new_path, nod_diff_file_get_new_path (file)) == 0 ||
          g_strcmp0 (position->old_path, nod_diff_file_get_old_path (file)) == 0);
}

static const NodDiffPosition *
discussion_position (NodDiscussion *discussion)
{
  GPtrArray *notes = nod_discussion_get_notes (discussion);

  return notes != NULL && notes->len > 0 ? nod_note_get_position (notes->pdata[0]) : NULL;
}

/* The code an outdated thread was written on: a few lines around its own. */
#define OUTDATED_CONTEXT_LINES 2
#define OUTDATED_LINE_MAX_CHARS 160

typedef struct
{
  GtkLabel *label;
  gint64    line;
} OutdatedCode;

/* One line of a stranger's text for a label: the diff view's own sanitising, tabs as
 * spaces, bounded. */
static void
append_code_line (GString    *out,
                  const char *start,
                  gsize       length)
{
  g_autofree char *safe = nod_diff_sanitize_line (start, length);
  guint chars = 0;

  for (const char *p = safe; *p != '\0' && chars < OUTDATED_LINE_MAX_CHARS;
       p = g_utf8_next_char (p), chars++)
    {
      if (*p == '\t')
        g_string_append (out, "    ");
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  if (chars == OUTDATED_LINE_MAX_CHARS)
    g_string_append (out, "…");
}

static void
on_outdated_code (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  OutdatedCode *code = user_data;
  g_autoptr(GBytes) text = nod_diff_cache_load_thread_text_finish (NOD_DIFF_CACHE (source_object),
                                                                   result, NULL);
  g_autoptr(GString) shown = g_string_new (NULL);
  const char *data, *end, *line_start;
  gint64 number = 1;
  gsize size;

  if (text != NULL)
    {
      data = g_bytes_get_data (text, &size);
      end = data + size;
      for (line_start = data; line_start < end && number <= code->line + OUTDATED_CONTEXT_LINES;
           number++)
        {
          const char *line_end = memchr (line_start, '\n', end - line_start);

          if (line_end == NULL)
            line_end = end;
          if (number >= code->line - OUTDATED_CONTEXT_LINES)
            {
              if (shown->len > 0)
                g_string_append_c (shown, '\n');
              g_string_append_printf (shown, "%s%6" G_GINT64_FORMAT "  ",
                                      number == code->line ? "›" : " ", number);
              append_code_line (shown, line_start, line_end - line_start);
            }
          line_start = line_end + 1;
        }
    }
  if (shown->len > 0)
    {
      gtk_label_set_text (code->label, shown->str);
      gtk_widget_set_visible (GTK_WIDGET (code->label), TRUE);
    }
  g_object_unref (code->label);
  g_free (code);
}

static GtkWidget *
outdated_entry (NodChangesView        *self,
                const NodDiffPosition *position,
                GtkWidget             *thread)
{
  NodDiffFile *file = self->file;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  const char *path = position->new_line >= 0 ? position->new_path : position->old_path;
  gint64 line = position->new_line >= 0 ? position->new_line : position->old_line;
  g_autoptr(GString) heading = g_string_new (NULL);
  GtkWidget *label;

  /* A path from a stranger: bounded, and a plain-text label. */
  if (path == NULL)
    path = nod_diff_file_get_path (file);
  if (g_utf8_strlen (path, -1) > OUTDATED_PATH_MAX_CHARS)
    {
      g_string_append (heading, "…");
      g_string_append (heading, g_utf8_offset_to_pointer (path, g_utf8_strlen (path, -1) -
                                                          OUTDATED_PATH_MAX_CHARS));
    }
  else
    g_string_append (heading, path);
  if (line > 0)
    g_string_append_printf (heading, ":%" G_GINT64_FORMAT, line);

  label = gtk_label_new (heading->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_START);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), label);

  /* The code as it was, once the cache gives it (a pull keeps it). */
  {
    gboolean new_side = position->new_line > 0;
    const char *sha = new_side ? position->head_sha : position->base_sha;
    const char *text_path = new_side ? position->new_path : position->old_path;
    OutdatedCode *code;

    label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_selectable (GTK_LABEL (label), TRUE);
    gtk_widget_add_css_class (label, "monospace");
    gtk_widget_add_css_class (label, "nod-outdated-code");
    gtk_widget_set_visible (label, FALSE);
    gtk_box_append (GTK_BOX (box), label);
    if (sha != NULL && text_path != NULL && line > 0)
      {
        code = g_new0 (OutdatedCode, 1);
        code->label = GTK_LABEL (g_object_ref (label));
        code->line = line;
        nod_diff_cache_load_thread_text_async (self->cache, self->account_id, self->project_id,
                                               self->iid, sha, text_path, self->cancellable,
                                               on_outdated_code, code);
      }
  }

  gtk_box_append (GTK_BOX (box), thread);
  return box;
}

static void
place_thread (NodChangesView        *self,
              const char            *discussion_id,
              const NodDiffPosition *position,
              NodDiscussion         *discussion,
              GHashTable            *seen)
{
  NodThreadView *thread = g_hash_table_lookup (self->threads, discussion_id);
  g_autoptr(GPtrArray) own = nod_outbox_actions_of_thread (self->actions, discussion_id);

  if (thread != NULL)
    nod_thread_view_set_own_username (thread, self->own_username);

  /* Seen by the thread's own copy of its id: @discussion_id may be the caller's for now. */
  if (thread != NULL)
    g_hash_table_add (seen, (gpointer) nod_thread_view_get_discussion_id (thread));
  if (thread == NULL)
    {
      Placement *placement = g_new0 (Placement, 1);

      thread = g_object_ref_sink (nod_thread_view_new (discussion_id));
      g_signal_connect_object (thread, "reply", G_CALLBACK (on_thread_reply), self, 0);
      g_signal_connect_object (thread, "resolve", G_CALLBACK (on_thread_resolve), self, 0);
      g_hash_table_insert (self->threads, g_strdup (discussion_id), thread);
      g_hash_table_add (seen, (gpointer) nod_thread_view_get_discussion_id (thread));
      nod_thread_view_set_own_username (thread, self->own_username);
      /* A thread on the head shown replaces lines of the new text shown: its suggestions
       * show them. */
      if (position->new_line > 0 && self->diff != NULL &&
          (position->head_sha == NULL ||
           g_strcmp0 (position->head_sha, nod_merge_request_diff_get_head_sha (self->diff)) == 0))
        nod_thread_view_set_suggestion_file (thread, self->new_text);
      nod_thread_view_update (thread, discussion, own, self->now);

      /* GitLab's rule: a removed line has old_line only; an added or unchanged one a new_line. */
      placement->old_side = position->new_line < 0;
      placement->line_number = (guint) CLAMP (placement->old_side ? position->old_line
                                                                  : position->new_line,
                                              0, G_MAXUINT);
      gtk_widget_set_size_request (GTK_WIDGET (thread), THREAD_WIDTH, -1);
      /* A position on another head is outdated, whatever is on that line now: GitLab moves
       * a thread to the new head itself when its line did not change. */
      if (placement->line_number > 0 &&
          (position->head_sha == NULL || self->diff == NULL ||
           g_strcmp0 (position->head_sha, nod_merge_request_diff_get_head_sha (self->diff)) == 0) &&
          nod_diff_view_add_widget (self->diff_view, placement->old_side,
                                    placement->line_number, GTK_WIDGET (thread)))
        placement->widget = g_object_ref (GTK_WIDGET (thread));
      else
        {
          gtk_widget_set_size_request (GTK_WIDGET (thread), -1, -1);
          placement->outdated = TRUE;
          placement->widget = g_object_ref_sink (outdated_entry (self, position,
                                                                 GTK_WIDGET (thread)));
          gtk_box_append (self->outdated_box, placement->widget);
        }
      g_hash_table_insert (self->placements, g_strdup (discussion_id), placement);
    }
  else
    nod_thread_view_update (thread, discussion, own, self->now);
}

static void
place_threads (NodChangesView *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;
  guint outdated = 0;

  if (self->file == NULL)
    return;

  for (guint i = 0; self->discussions != NULL && i < self->discussions->len; i++)
    {
      NodDiscussion *discussion = self->discussions->pdata[i];
      const NodDiffPosition *position = discussion_position (discussion);

      if (position_on_file (position, self->file))
        place_thread (self, nod_discussion_get_id (discussion), position, discussion, seen);
    }

  /* The reviewer's own new threads, not on GitLab yet (drafts too). */
  for (guint i = 0; self->actions != NULL && i < self->actions->len; i++)
    {
      NodOutboxAction *action = self->actions->pdata[i];
      g_autofree char *id = nod_outbox_action_dup_thread_key (action);
      const NodDiffPosition *position = nod_outbox_action_get_position (action);

      if (nod_outbox_action_get_kind (action) != NOD_ACTION_COMMENT || id == NULL ||
          g_hash_table_contains (seen, id) || !position_on_file (position, self->file))
        continue;
      place_thread (self, id, position, NULL, seen);
    }

  g_hash_table_iter_init (&iter, self->placements);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      g_ptr_array_add (gone, g_strdup (key));
  for (guint i = 0; i < gone->len; i++)
    {
      unplace (self, g_hash_table_lookup (self->placements, gone->pdata[i]));
      g_hash_table_remove (self->placements, gone->pdata[i]);
      g_hash_table_remove (self->threads, gone->pdata[i]);
    }

  g_hash_table_iter_init (&iter, self->placements);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Placement *) value)->outdated)
      outdated++;
  if (outdated > 0)
    {
      g_autofree char *label = g_strdup_printf (ngettext ("%u outdated thread",
                                                          "%u outdated threads", outdated),
                                                outdated);

      gtk_expander_set_label (self->outdated_expander, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->outdated_expander), outdated > 0);
}

/* ---- a new thread at a line ---- */

static void
close_composer (NodChangesView *self)
{
  if (self->composer == NULL)
    return;
  nod_diff_view_remove_widget (self->diff_view, self->composer);
  g_clear_object (&self->composer);
  self->composer_view = NULL;
  self->composer_error = NULL;
  self->composer_suggest = NULL;
}

static guint
count_lines (GBytes *text)
{
  gsize size = 0;
  const char *data = text != NULL ? g_bytes_get_data (text, &size) : NULL;
  guint lines = 0;

  if (size == 0)
    return 0;
  for (gsize i = 0; i < size; i++)
    if (data[i] == '\n')
      lines++;
  return data[size - 1] == '\n' ? lines : lines + 1;
}

static void
send_comment (NodChangesView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *body = NULL;
  g_autoptr(NodDiffPosition) position = NULL;
  g_autoptr(GError) error = NULL;

  if (self->composer == NULL || self->file == NULL || self->diff == NULL)
    return;
  buffer = gtk_text_view_get_buffer (self->composer_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (*body == '\0')
    return;

  position = nod_diff_file_position_at (self->file,
                                        nod_merge_request_diff_get_base_sha (self->diff),
                                        nod_merge_request_diff_get_start_sha (self->diff),
                                        nod_merge_request_diff_get_head_sha (self->diff),
                                        self->composer_old_side, self->composer_line,
                                        count_lines (self->composer_old_side ? self->old_text
                                                                             : self->new_text),
                                        &error);
  if (position == NULL)
    {
      gtk_label_set_text (self->composer_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->composer_error), TRUE);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_INLINE_COMMENT], 0, body, position);
  close_composer (self);
}

/* The text of line @line_number of the new side: from the whole text when kept, else from
 * the diff when the line is in it; NULL when neither has it. */
static char *
dup_new_line_text (NodChangesView *self,
                   guint           line_number)
{
  if (self->new_text != NULL)
    {
      gsize size;
      const char *text = g_bytes_get_data (self->new_text, &size);
      g_auto(GStrv) lines = nod_suggestion_lines_of_text (text, size, line_number, line_number);

      if (lines[0] != NULL)
        return g_strdup (lines[0]);
    }
  if (self->file != NULL)
    {
      GArray *lines = nod_diff_file_get_lines (self->file);
      gssize index = nod_diff_lines_find (lines, FALSE, line_number);

      if (index >= 0)
        {
          const NodDiffLine *line = &g_array_index (lines, NodDiffLine, index);

          if (line->kind == NOD_DIFF_LINE_ADDED || line->kind == NOD_DIFF_LINE_CONTEXT)
            {
              const char *diff = nod_diff_file_get_diff (self->file);
              gsize length = line->length;

              if (length > 0 && diff[line->offset + length - 1] == '\r')
                length--;
              return g_strndup (diff + line->offset, length);
            }
        }
    }
  return NULL;
}

/* "Suggest a change": GitLab's suggestion of the commented line, at the cursor, for the
 * reviewer to edit. Only on the new side: GitLab applies suggestions there alone. */
static void
suggest_change (NodChangesView *self)
{
  g_autofree char *line = NULL;
  g_autofree char *body = NULL;
  GtkTextBuffer *buffer;

  if (self->composer == NULL || self->composer_old_side)
    return;
  line = dup_new_line_text (self, self->composer_line);
  if (line == NULL)
    return;
  {
    const char *lines[] = { line, NULL };

    body = nod_suggestion_build (lines);
  }
  buffer = gtk_text_view_get_buffer (self->composer_view);
  gtk_text_buffer_insert_at_cursor (buffer, body, -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

static void
update_composer_suggest (NodChangesView *self)
{
  g_autofree char *line = NULL;

  if (self->composer_suggest == NULL)
    return;
  if (!self->composer_old_side)
    line = dup_new_line_text (self, self->composer_line);
  gtk_widget_set_visible (self->composer_suggest, line != NULL);
}

static gboolean
on_composer_key (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 NodChangesView        *self)
{
  /* Ctrl+Enter sends, as on the overview; Escape gives up. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_CONTROL_MASK))
    {
      send_comment (self);
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape)
    {
      close_composer (self);
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
build_composer (NodChangesView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("C_ancel"));
  GtkWidget *send = gtk_button_new_with_mnemonic (self->review_started ? _("Add to _Review")
                                                                       : _("_Comment"));
  GtkWidget *suggest = gtk_button_new_with_mnemonic (_("_Suggest a change"));
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_size_request (box, THREAD_WIDTH, -1);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  self->composer_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->composer_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->composer_view, 8);
  gtk_text_view_set_bottom_margin (self->composer_view, 8);
  gtk_text_view_set_left_margin (self->composer_view, 8);
  gtk_text_view_set_right_margin (self->composer_view, 8);
  gtk_widget_set_size_request (GTK_WIDGET (self->composer_view), -1, 80);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->composer_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New comment on this line"),
                                  -1);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_composer_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), keys);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->composer_view));
  gtk_widget_set_margin_start (frame, 6);
  gtk_widget_set_margin_end (frame, 6);
  gtk_widget_set_margin_top (frame, 6);
  gtk_box_append (GTK_BOX (box), frame);

  self->composer_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->composer_error, TRUE);
  gtk_label_set_xalign (self->composer_error, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->composer_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->composer_error), FALSE);
  gtk_widget_set_margin_start (GTK_WIDGET (self->composer_error), 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->composer_error));

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_margin_end (buttons, 6);
  gtk_widget_set_margin_bottom (buttons, 6);
  gtk_widget_add_css_class (send, "suggested-action");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (close_composer), self);
  g_signal_connect_swapped (send, "clicked", G_CALLBACK (send_comment), self);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (suggest), "changes.suggest-change");
  gtk_widget_set_tooltip_text (suggest, _("Propose new text for this line, in GitLab's "
                                          "suggestion format"));
  gtk_widget_add_css_class (suggest, "nod-suggest-change");
  self->composer_suggest = suggest;
  gtk_box_append (GTK_BOX (buttons), suggest);
  gtk_box_append (GTK_BOX (buttons), cancel);
  gtk_box_append (GTK_BOX (buttons), send);
  gtk_box_append (GTK_BOX (box), buttons);
  return box;
}

static void
on_comment_requested (NodDiffView    *diff_view,
                      gboolean        old_side,
                      guint           line_number,
                      NodChangesView *self)
{
  nod_changes_view_request_comment (self, old_side, line_number);
}

/* ---- reading the cache ---- */

typedef struct
{
  NodChangesView      *self;
  guint                generation;
  NodMergeRequestDiff *diff;
  GHashTable          *viewed;
} DiffLoad;

static void
diff_load_free (DiffLoad *load)
{
  g_clear_object (&load->diff);
  g_clear_pointer (&load->viewed, g_hash_table_unref);
  g_object_unref (load->self);
  g_free (load);
}

static gboolean
diff_load_stale (DiffLoad *load,
                 GError   *error)
{
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not read the changes: %s", error->message);
  return error != NULL || load->generation != load->self->generation;
}

static void
set_state (NodChangesView *self,
           const char     *state)
{
  gtk_stack_set_visible_child_name (self->stack, state);
  gtk_spinner_set_spinning (self->spinner, g_strcmp0 (state, "loading") == 0);
}

/* Files listed at once when a change is read, then a chunk an idle. */
#define FILES_FIRST_CHUNK 24
#define FILES_CHUNK       48

static gboolean
list_more_files (gpointer data)
{
  NodChangesView *self = data;
  GPtrArray *files = nod_merge_request_diff_get_files (self->diff);
  guint count = MIN (FILES_CHUNK, files->len - self->listed);

  g_list_store_splice (self->files, self->listed, 0, files->pdata + self->listed, count);
  self->listed += count;
  if (self->listed < files->len)
    return G_SOURCE_CONTINUE;
  self->list_id = 0;
  return G_SOURCE_REMOVE;
}

static void
finish_diff_load (DiffLoad            *load,
                  NodMergeRequestDiff *approved)
{
  NodChangesView *self = load->self;
  g_autofree char *selected = NULL;
  GPtrArray *files;

  if (self->file != NULL)
    selected = g_strdup (nod_diff_file_get_path (self->file));

  g_set_object (&self->diff, load->diff);
  g_hash_table_remove_all (self->viewed);
  if (load->viewed != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, load->viewed);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->viewed, g_strdup (key), g_strdup (value));
    }
  g_hash_table_remove_all (self->changed);
  if (approved != NULL)
    {
      g_autoptr(GPtrArray) paths = nod_merge_request_diff_changed_since (self->diff, approved);

      for (guint i = 0; i < paths->len; i++)
        g_hash_table_add (self->changed, g_strdup (paths->pdata[i]));
    }

  self->loading = FALSE;
  update_header (self);
  files = nod_merge_request_diff_get_files (self->diff);
  /* The first screenful of files at once (and the one shown, wherever it is), the rest a
   * chunk an idle: a row made and styled costs GTK about a millisecond, 300 at once a
   * frame of many. The file is read once, after the selection settles. */
  g_clear_handle_id (&self->list_id, g_source_remove);
  self->listed = MIN (files->len, FILES_FIRST_CHUNK);
  for (guint i = 0; selected != NULL && i < files->len; i++)
    if (g_strcmp0 (nod_diff_file_get_path (files->pdata[i]), selected) == 0)
      self->listed = MAX (self->listed, i + 1);
  g_signal_handler_block (self->selection, self->selected_id);
  g_list_store_splice (self->files, 0, g_list_model_get_n_items (G_LIST_MODEL (self->files)),
                       files->pdata, self->listed);
  /* The same file stays shown across a new head, when it is still there. */
  if (selected == NULL || !nod_changes_view_select_file (self, selected))
    gtk_single_selection_set_selected (self->selection, 0);
  g_signal_handler_unblock (self->selection, self->selected_id);
  if (self->listed < files->len)
    self->list_id = g_idle_add (list_more_files, self);
  set_state (self, "changes");
  g_clear_object (&self->file);
  show_selected_file (self);
}

static void
on_approved_diff_loaded (GObject      *source_object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  DiffLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestDiff) approved =
    nod_diff_cache_load_diff_finish (NOD_DIFF_CACHE (source_object), result, &error);

  if (!diff_load_stale (load, error))
    finish_diff_load (load, approved);
  diff_load_free (load);
}

static void
on_approved_head_loaded (GObject      *source_object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  DiffLoad *load = user_data;
  NodChangesView *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *approved_head =
    nod_diff_cache_load_approved_head_finish (NOD_DIFF_CACHE (source_object), result, &error);

  if (diff_load_stale (load, error))
    {
      diff_load_free (load);
      return;
    }
  if (approved_head == NULL ||
      g_strcmp0 (approved_head, nod_merge_request_diff_get_head_sha (load->diff)) == 0)
    {
      finish_diff_load (load, NULL);
      diff_load_free (load);
      return;
    }
  nod_diff_cache_load_diff_async (self->cache, self->account_id, self->project_id, self->iid,
                                  approved_head, self->cancellable, on_approved_diff_loaded,
                                  load);
}

static void
on_viewed_loaded (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DiffLoad *load = user_data;
  NodChangesView *self = load->self;
  g_autoptr(GError) error = NULL;

  load->viewed = nod_diff_cache_load_viewed_finish (NOD_DIFF_CACHE (source_object), result,
                                                    &error);
  if (diff_load_stale (load, error))
    {
      diff_load_free (load);
      return;
    }
  nod_diff_cache_load_approved_head_async (self->cache, self->account_id, self->project_id,
                                           self->iid, self->cancellable,
                                           on_approved_head_loaded, load);
}

static void
on_diff_loaded (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  DiffLoad *load = user_data;
  NodChangesView *self = load->self;
  g_autoptr(GError) error = NULL;

  load->diff = nod_diff_cache_load_diff_finish (NOD_DIFF_CACHE (source_object), result, &error);
  if (diff_load_stale (load, error))
    {
      if (load->generation == self->generation)
        {
          self->loading = FALSE;
          set_state (self, "empty");
        }
      diff_load_free (load);
      return;
    }
  if (load->diff == NULL)
    {
      /* Not pulled yet, or pulled while offline with nothing kept. */
      self->loading = FALSE;
      set_state (self, "empty");
      diff_load_free (load);
      return;
    }
  nod_diff_cache_load_viewed_async (self->cache, self->account_id, self->project_id,
                                    self->iid, self->cancellable, on_viewed_loaded, load);
}

static void
start_load (NodChangesView *self)
{
  DiffLoad *load;

  self->load_due = FALSE;
  if (self->cache == NULL)
    return;

  self->generation++;
  self->loading = TRUE;
  if (self->diff == NULL)
    set_state (self, "loading");

  load = g_new0 (DiffLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->generation;
  nod_diff_cache_load_diff_async (self->cache, self->account_id, self->project_id, self->iid,
                                  NULL, self->cancellable, on_diff_loaded, load);
}

/* ---- one file's texts ---- */

typedef struct
{
  NodChangesView *self;
  guint           generation;
  NodDiffFile    *file;
  GBytes         *old_text;
} FileLoad;

static void
file_load_free (FileLoad *load)
{
  g_clear_object (&load->file);
  g_clear_pointer (&load->old_text, g_bytes_unref);
  g_object_unref (load->self);
  g_free (load);
}

static void
show_file (NodChangesView *self,
           NodDiffFile    *file,
           GBytes         *old_text,
           GBytes         *new_text)
{
  g_autofree char *diffs_url = NULL;

  self->file_loading = FALSE;
  close_composer (self);
  clear_threads (self);
  g_set_object (&self->file, file);
  g_clear_pointer (&self->old_text, g_bytes_unref);
  g_clear_pointer (&self->new_text, g_bytes_unref);
  self->old_text = old_text != NULL ? g_bytes_ref (old_text) : NULL;
  self->new_text = new_text != NULL ? g_bytes_ref (new_text) : NULL;

  if (self->web_url != NULL && *self->web_url != '\0')
    diffs_url = g_strconcat (self->web_url, "/diffs", NULL);
  nod_diff_view_set_file (self->diff_view, file, old_text, new_text, diffs_url);
  nod_diff_view_set_layout (self->diff_view, self->layout);
  /* A line is known to be there (or not) once the rows are in: then the threads go. */
  if (!nod_diff_view_get_filling (self->diff_view))
    place_threads (self);
}

static void
on_filling_changed (NodChangesView *self)
{
  if (!nod_diff_view_get_filling (self->diff_view) && !self->file_loading)
    place_threads (self);
}

static gboolean
file_load_stale (FileLoad *load,
                 GError   *error)
{
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not read a file of the changes: %s", error->message);
  /* A text that cannot be read still leaves the hunks to show. */
  return load->generation != load->self->file_generation ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
on_new_text_loaded (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FileLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) new_text =
    nod_diff_cache_load_blob_finish (NOD_DIFF_CACHE (source_object), result, &error);

  if (!file_load_stale (load, error))
    show_file (load->self, load->file, load->old_text, new_text);
  file_load_free (load);
}

static void
load_new_text (FileLoad *load)
{
  NodChangesView *self = load->self;
  const char *sha = nod_diff_file_get_new_blob (load->file);

  if (sha == NULL)
    {
      show_file (self, load->file, load->old_text, NULL);
      file_load_free (load);
      return;
    }
  nod_diff_cache_load_blob_async (self->cache, sha, self->cancellable, on_new_text_loaded,
                                  load);
}

static void
on_old_text_loaded (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  FileLoad *load = user_data;
  g_autoptr(GError) error = NULL;

  load->old_text = nod_diff_cache_load_blob_finish (NOD_DIFF_CACHE (source_object), result,
                                                    &error);
  if (file_load_stale (load, error))
    {
      file_load_free (load);
      return;
    }
  load_new_text (load);
}

static void
show_selected_file (NodChangesView *self)
{
  NodDiffFile *file = gtk_single_selection_get_selected_item (self->selection);
  FileLoad *load;
  const char *sha;

  self->file_generation++;
  if (file == NULL)
    {
      self->file_loading = FALSE;
      return;
    }
  if (file == self->file)
    {
      self->file_loading = FALSE;
      return;
    }

  self->file_loading = TRUE;
  load = g_new0 (FileLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->file_generation;
  load->file = g_object_ref (file);
  sha = nod_diff_file_get_old_blob (file);
  if (sha == NULL)
    load_new_text (load);
  else
    nod_diff_cache_load_blob_async (self->cache, sha, self->cancellable, on_old_text_loaded,
                                    load);
}

/* ---- keys ---- */

/* Moves the selection by @step among the files listed, to the first unviewed one when
 * @unviewed; FALSE when there is none that way. */
static gboolean
move_selection (NodChangesView *self,
                int             step,
                gboolean        unviewed)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n_items = g_list_model_get_n_items (model);
  guint selected = gtk_single_selection_get_selected (self->selection);
  gint64 position = selected;

  if (selected == GTK_INVALID_LIST_POSITION)
    position = step > 0 ? -1 : (gint64) n_items;

  for (position += step; position >= 0 && position < n_items; position += step)
    {
      g_autoptr(NodDiffFile) file = g_list_model_get_item (model, position);

      if (unviewed && is_viewed (self, file))
        continue;
      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->file_list), "list.scroll-to-item", "u",
                                  (guint) position);
      return TRUE;
    }
  return FALSE;
}

static void
next_file (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  move_selection (NOD_CHANGES_VIEW (widget), 1, FALSE);
}

static void
previous_file (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  move_selection (NOD_CHANGES_VIEW (widget), -1, FALSE);
}

/* Marks the file shown viewed and goes on to the next one not viewed yet (or unmarks it). */
static void
toggle_viewed (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodChangesView *self = NOD_CHANGES_VIEW (widget);
  NodDiffFile *file = gtk_single_selection_get_selected_item (self->selection);

  if (file == NULL)
    return;
  if (is_viewed (self, file))
    set_viewed (self, file, FALSE);
  else
    {
      set_viewed (self, file, TRUE);
      if (!move_selection (self, 1, TRUE))
        move_selection (self, -1, TRUE);
    }
}

static void
toggle_layout (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodChangesView *self = NOD_CHANGES_VIEW (widget);

  self->layout = self->layout == NOD_DIFF_LAYOUT_UNIFIED ? NOD_DIFF_LAYOUT_SIDE_BY_SIDE
                                                         : NOD_DIFF_LAYOUT_UNIFIED;
  nod_diff_view_set_layout (self->diff_view, self->layout);
}

static void
send_comment_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  send_comment (NOD_CHANGES_VIEW (widget));
}

static void
suggest_change_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  suggest_change (NOD_CHANGES_VIEW (widget));
}

/* A single-letter key is the reviewer's when they are not typing. */
static gboolean
typing (NodChangesView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  for (; focus != NULL; focus = gtk_widget_get_parent (focus))
    {
      if (GTK_IS_EDITABLE (focus) && gtk_editable_get_editable (GTK_EDITABLE (focus)))
        return TRUE;
      if (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
on_letter_key (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  NodChangesView *self = NOD_CHANGES_VIEW (widget);

  if (typing (self) || gtk_stack_get_visible_child_name (self->stack) == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "changes") != 0)
    return FALSE;
  return gtk_widget_activate_action (widget, user_data, NULL);
}

static void
add_letter_key (GtkShortcutController *controller,
                guint                  keyval,
                const char            *action_name)
{
  gtk_shortcut_controller_add_shortcut (
    controller,
    gtk_shortcut_new (gtk_keyval_trigger_new (keyval, 0),
                      gtk_callback_action_new (on_letter_key, (gpointer) action_name, NULL)));
}

/* ---- focus ---- */

/* The list of files and the diff are each one stop of Tab: arrows move inside them. */
static gboolean
nod_changes_view_focus (GtkWidget        *widget,
                        GtkDirectionType  direction)
{
  NodChangesView *self = NOD_CHANGES_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *stop = NULL;
  gboolean moved;

  if (focus != NULL && (direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD))
    {
      if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->file_list)))
        stop = GTK_WIDGET (self->file_list);
      else if (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->diff_view)))
        stop = GTK_WIDGET (self->diff_view);
    }
  if (stop == NULL)
    return GTK_WIDGET_CLASS (nod_changes_view_parent_class)->focus (widget, direction);

  /* A widget that cannot focus is passed over with all it holds. */
  gtk_widget_set_can_focus (stop, FALSE);
  moved = GTK_WIDGET_CLASS (nod_changes_view_parent_class)->focus (widget, direction);
  gtk_widget_set_can_focus (stop, TRUE);
  return moved;
}

/**
 * nod_changes_view_focus_files:
 *
 * Focuses the file selected in the list (the view itself while the files are not shown
 * yet), where the changes' keys work.
 */
void
nod_changes_view_focus_files (NodChangesView *self)
{
  guint selected;

  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));

  selected = gtk_single_selection_get_selected (self->selection);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "changes") == 0 &&
      selected != GTK_INVALID_LIST_POSITION)
    {
      gtk_widget_activate_action (GTK_WIDGET (self->file_list), "list.scroll-to-item", "u",
                                  selected);
      if (gtk_widget_grab_focus (GTK_WIDGET (self->file_list)))
        return;
    }
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* ---- GObject ---- */

static void
nod_changes_view_map (GtkWidget *widget)
{
  NodChangesView *self = NOD_CHANGES_VIEW (widget);

  GTK_WIDGET_CLASS (nod_changes_view_parent_class)->map (widget);
  /* Read only once shown: the overview never pays for the changes. */
  if (self->load_due)
    start_load (self);
}

static void
nod_changes_view_dispose (GObject *object)
{
  NodChangesView *self = NOD_CHANGES_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->list_id, g_source_remove);
  if (self->diff_view != NULL)
    {
      close_composer (self);
      clear_threads (self);
    }
  g_clear_pointer (&self->bound_rows, g_hash_table_unref);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), NOD_TYPE_CHANGES_VIEW);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);
  self->diff_view = NULL;
  g_clear_object (&self->selection);
  self->filtered = NULL;
  self->filter = NULL;
  g_clear_object (&self->files);
  g_clear_object (&self->cache);
  g_clear_object (&self->diff);
  g_clear_object (&self->file);
  g_clear_pointer (&self->discussions, g_ptr_array_unref);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->own_username, g_free);

  G_OBJECT_CLASS (nod_changes_view_parent_class)->dispose (object);
}

static void
nod_changes_view_finalize (GObject *object)
{
  NodChangesView *self = NOD_CHANGES_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->viewed, g_hash_table_unref);
  g_clear_pointer (&self->changed, g_hash_table_unref);
  g_clear_pointer (&self->threads, g_hash_table_unref);
  g_clear_pointer (&self->placements, g_hash_table_unref);
  g_clear_pointer (&self->old_text, g_bytes_unref);
  g_clear_pointer (&self->new_text, g_bytes_unref);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_free (self->head_sha);
  g_free (self->web_url);
  g_free (self->search);
  g_free (self->viewed_text);
  g_free (self->changed_text);

  G_OBJECT_CLASS (nod_changes_view_parent_class)->finalize (object);
}

static void
nod_changes_view_class_init (NodChangesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_changes_view_dispose;
  object_class->finalize = nod_changes_view_finalize;
  widget_class->map = nod_changes_view_map;
  widget_class->focus = nod_changes_view_focus;

  /**
   * NodChangesView::inline-comment:
   * @body: the new thread's first note
   * @position: (type gpointer): the const NodDiffPosition * it goes to
   */
  signals[SIGNAL_INLINE_COMMENT] =
    g_signal_new ("inline-comment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
  signals[SIGNAL_REPLY] =
    g_signal_new ("reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_RESOLVE] =
    g_signal_new ("resolve", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-changes-view.ui");
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, stack);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, spinner);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, viewed_label);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, changed_label);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, file_list);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, diff_box);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, outdated_expander);
  gtk_widget_class_bind_template_child (widget_class, NodChangesView, outdated_box);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "changes.next-file", NULL, next_file);
  gtk_widget_class_install_action (widget_class, "changes.previous-file", NULL, previous_file);
  gtk_widget_class_install_action (widget_class, "changes.toggle-viewed", NULL, toggle_viewed);
  gtk_widget_class_install_action (widget_class, "changes.toggle-layout", NULL, toggle_layout);
  gtk_widget_class_install_action (widget_class, "changes.send-comment", NULL,
                                   send_comment_action);
  gtk_widget_class_install_action (widget_class, "changes.suggest-change", NULL,
                                   suggest_change_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_ALT_MASK,
                                       "changes.next-file", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_ALT_MASK,
                                       "changes.previous-file", NULL);
}

static void
nod_changes_view_init (NodChangesView *self)
{
  GtkListItemFactory *factory;
  GtkShortcutController *letters;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* It holds the focus itself while its files are read: its keys work from the start. */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  self->cancellable = g_cancellable_new ();
  self->viewed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->placements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) placement_free);
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->layout = NOD_DIFF_LAYOUT_UNIFIED;

  self->files = g_list_store_new (NOD_TYPE_DIFF_FILE);
  self->filter = gtk_custom_filter_new (filter_file, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->files)),
                                              GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  self->selected_id = g_signal_connect_swapped (self->selection, "notify::selected-item",
                                                G_CALLBACK (show_selected_file), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_row), self);
  gtk_list_view_set_factory (self->file_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->file_list, GTK_SELECTION_MODEL (self->selection));

  self->diff_view = nod_diff_view_new ();
  gtk_widget_set_vexpand (GTK_WIDGET (self->diff_view), TRUE);
  gtk_box_append (self->diff_box, GTK_WIDGET (self->diff_view));
  g_signal_connect_object (self->diff_view, "comment-requested",
                           G_CALLBACK (on_comment_requested), self, 0);
  g_signal_connect_object (self->diff_view, "notify::filling",
                           G_CALLBACK (on_filling_changed), self, G_CONNECT_SWAPPED);

  /* Letters only while not typing (a reply, the filter): checked when pressed, so they
   * are caught before a focused read-only view takes them. */
  letters = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (letters), GTK_PHASE_CAPTURE);
  add_letter_key (letters, GDK_KEY_n, "changes.next-file");
  add_letter_key (letters, GDK_KEY_p, "changes.previous-file");
  add_letter_key (letters, GDK_KEY_v, "changes.toggle-viewed");
  add_letter_key (letters, GDK_KEY_s, "changes.toggle-layout");
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (letters));

  set_state (self, "loading");
  update_header (self);
}

NodChangesView *
nod_changes_view_new (void)
{
  return g_object_new (NOD_TYPE_CHANGES_VIEW, NULL);
}

void
nod_changes_view_set_merge_request (NodChangesView *self,
                                    NodDiffCache   *cache,
                                    gint64          account_id,
                                    gint64          project_id,
                                    gint64          iid,
                                    const char     *head_sha,
                                    const char     *web_url)
{
  gboolean same;

  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));
  g_return_if_fail (cache == NULL || NOD_IS_DIFF_CACHE (cache));

  same = self->cache == cache && self->account_id == account_id &&
         self->project_id == project_id && self->iid == iid;
  g_free (self->web_url);
  self->web_url = g_strdup (web_url);
  /* The same head reads nothing again (a reload after each action would close the
   * composer), unless nothing was kept: a pull may have brought it since. */
  if (same && g_strcmp0 (self->head_sha, head_sha) == 0 && (self->diff != NULL || self->loading))
    return;

  g_free (self->head_sha);
  self->head_sha = g_strdup (head_sha);
  if (!same)
    {
      /* Another merge request: nothing of the last one stays on screen. */
      g_set_object (&self->cache, cache);
      self->account_id = account_id;
      self->project_id = project_id;
      self->iid = iid;
      self->generation++;
      self->file_generation++;
      self->loading = FALSE;
      self->file_loading = FALSE;
      close_composer (self);
      clear_threads (self);
      g_clear_handle_id (&self->list_id, g_source_remove);
      g_clear_object (&self->file);
      g_clear_object (&self->diff);
      g_hash_table_remove_all (self->viewed);
      g_hash_table_remove_all (self->changed);
      g_list_store_remove_all (self->files);
      nod_changes_view_set_search (self, NULL);
      set_state (self, "loading");
      update_header (self);
    }

  self->load_due = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_load (self);
}

static GPtrArray *
copy_objects (GPtrArray *objects)
{
  GPtrArray *copy = g_ptr_array_new_full (objects->len, g_object_unref);

  for (guint i = 0; i < objects->len; i++)
    g_ptr_array_add (copy, g_object_ref (objects->pdata[i]));
  return copy;
}

void
nod_changes_view_set_discussions (NodChangesView *self,
                                  GPtrArray      *discussions,
                                  GPtrArray      *actions,
                                  GDateTime      *now)
{
  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));

  g_clear_pointer (&self->discussions, g_ptr_array_unref);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  if (discussions != NULL)
    self->discussions = copy_objects (discussions);
  if (actions != NULL)
    self->actions = copy_objects (actions);
  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_utc ();

  if (!self->file_loading && !nod_diff_view_get_filling (self->diff_view))
    place_threads (self);
}

/* @username: the reviewer's: their notes in the threads take Edit and Delete. Takes effect
 * with the next nod_changes_view_set_discussions (). */
void
nod_changes_view_set_own_username (NodChangesView *self,
                                   const char     *username)
{
  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));
  g_free (self->own_username);
  self->own_username = g_strdup (username);
}

gboolean
nod_changes_view_is_loading (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), FALSE);
  return self->loading || self->file_loading || self->list_id != 0 ||
         nod_diff_view_get_filling (self->diff_view);
}

const char *
nod_changes_view_get_state (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * nod_changes_view_get_files:
 *
 * Returns: (transfer none): the files listed
 */
GListModel *
nod_changes_view_get_files (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return G_LIST_MODEL (self->selection);
}

NodMergeRequestDiff *
nod_changes_view_get_diff (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->diff;
}

void
nod_changes_view_set_search (NodChangesView *self,
                             const char     *search)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));

  if (search != NULL && *search != '\0')
    folded = g_utf8_casefold (search, -1);
  if (g_strcmp0 (folded, self->search) == 0)
    return;
  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                 search != NULL ? search : "") != 0)
    {
      self->setting_entry = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search != NULL ? search : "");
      self->setting_entry = FALSE;
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

gboolean
nod_changes_view_select_file (NodChangesView *self,
                              const char     *path)
{
  GListModel *model;

  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  model = G_LIST_MODEL (self->selection);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(NodDiffFile) file = g_list_model_get_item (model, i);

      if (g_strcmp0 (nod_diff_file_get_path (file), path) == 0 ||
          g_strcmp0 (nod_diff_file_get_old_path (file), path) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* The file shown (its texts read), or NULL. */
NodDiffFile *
nod_changes_view_get_selected_file (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->file;
}

NodDiffView *
nod_changes_view_get_diff_view (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->diff_view;
}

gboolean
nod_changes_view_get_file_viewed (NodChangesView *self,
                                  const char     *path)
{
  NodDiffFile *file;

  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), FALSE);
  file = file_at (self, path);
  return file != NULL && is_viewed (self, file);
}

void
nod_changes_view_set_file_viewed (NodChangesView *self,
                                  const char     *path,
                                  gboolean        viewed)
{
  NodDiffFile *file;

  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));
  file = file_at (self, path);
  if (file != NULL)
    set_viewed (self, file, viewed);
}

gboolean
nod_changes_view_get_file_changed (NodChangesView *self,
                                   const char     *path)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), FALSE);
  return path != NULL && g_hash_table_contains (self->changed, path);
}

const char *
nod_changes_view_get_viewed_text (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->viewed_text;
}

const char *
nod_changes_view_get_changed_text (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->changed_text;
}

void
nod_changes_view_request_comment (NodChangesView *self,
                                  gboolean        old_side,
                                  guint           line_number)
{
  GtkWidget *composer;

  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));

  if (self->file == NULL)
    return;
  /* One at a time: a second line asked for moves it there, the text kept. */
  if (self->composer != NULL)
    {
      if (self->composer_old_side == old_side && self->composer_line == line_number)
        {
          gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
          return;
        }
      nod_diff_view_remove_widget (self->diff_view, self->composer);
      composer = g_steal_pointer (&self->composer);
    }
  else
    composer = g_object_ref_sink (build_composer (self));

  if (!nod_diff_view_add_widget (self->diff_view, old_side, line_number, composer))
    {
      self->composer_view = NULL;
      self->composer_error = NULL;
      g_object_unref (composer);
      return;
    }
  self->composer = composer;
  self->composer_old_side = old_side;
  self->composer_line = line_number;
  gtk_widget_set_visible (GTK_WIDGET (self->composer_error), FALSE);
  update_composer_suggest (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
}

/**
 * nod_changes_view_get_composer:
 *
 * Returns: (transfer none) (nullable): the text view of the new thread being written
 */
GtkTextView *
nod_changes_view_get_composer (NodChangesView *self)
{
  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), NULL);
  return self->composer != NULL ? self->composer_view : NULL;
}

gboolean
nod_changes_view_get_thread_line (NodChangesView *self,
                                  const char     *discussion_id,
                                  gboolean       *old_side,
                                  guint          *line_number,
                                  gboolean       *outdated)
{
  Placement *placement;

  g_return_val_if_fail (NOD_IS_CHANGES_VIEW (self), FALSE);

  placement = g_hash_table_lookup (self->placements, discussion_id);
  if (outdated != NULL)
    *outdated = placement != NULL && placement->outdated;
  if (placement == NULL || placement->outdated)
    return FALSE;
  if (old_side != NULL)
    *old_side = placement->old_side;
  if (line_number != NULL)
    *line_number = placement->line_number;
  return TRUE;
}

/**
 * nod_changes_view_set_review_started:
 *
 * Whether a review is started on the merge request: a comment written here is then one of
 * its drafts, and the composer says so.
 */
void
nod_changes_view_set_review_started (NodChangesView *self,
                                     gboolean        started)
{
  g_return_if_fail (NOD_IS_CHANGES_VIEW (self));
  self->review_started = started;
}
