/* nod-diff-file-row.c: one file in the Changes view's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An icon for what happened to the file, its path (a renamed one "old → new"), its
 * "+N −M", a dot when it changed since the reviewer approved, and the viewed check. Rows
 * are recycled by the list view: everything shown comes from bind ().
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nod-diff-file-row.h"

struct _NodDiffFileRow
{
  GtkWidget    parent_instance;

  NodDiffFile    *file;
  gboolean        changed;
  gulong          toggled_id;

  GtkWidget      *box;
  GtkImage       *status_icon;
  GtkLabel       *path_label;
  GtkLabel       *counts_label;
  GtkWidget      *changed_icon;
  GtkCheckButton *viewed_check;
};

G_DEFINE_FINAL_TYPE (NodDiffFileRow, nod_diff_file_row, GTK_TYPE_WIDGET)

enum {
  SIGNAL_VIEWED_TOGGLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_viewed_toggled (NodDiffFileRow *self)
{
  g_signal_emit (self, signals[SIGNAL_VIEWED_TOGGLED], 0,
                 gtk_check_button_get_active (self->viewed_check));
}

static void
nod_diff_file_row_dispose (GObject *object)
{
  NodDiffFileRow *self = NOD_DIFF_FILE_ROW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->file);

  G_OBJECT_CLASS (nod_diff_file_row_parent_class)->dispose (object);
}

static void
nod_diff_file_row_class_init (NodDiffFileRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_diff_file_row_dispose;

  signals[SIGNAL_VIEWED_TOGGLED] =
    g_signal_new ("viewed-toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static const char *status_text (NodDiffFileStatus status);

/* Tooltips are asked for when they show: setting one makes GTK ask the display where the
 * pointer is, a round trip per row, which for 300 files is most of filling the list. */
static gboolean
on_query_tooltip (GtkWidget      *widget,
                  int             x,
                  int             y,
                  gboolean        keyboard_mode,
                  GtkTooltip     *tooltip,
                  NodDiffFileRow *self)
{
  if (widget == self->changed_icon)
    gtk_tooltip_set_text (tooltip, _("Changed since you approved"));
  else if (widget == GTK_WIDGET (self->viewed_check))
    gtk_tooltip_set_text (tooltip, _("Viewed"));
  else if (self->file == NULL)
    return FALSE;
  else if (widget == GTK_WIDGET (self->status_icon))
    gtk_tooltip_set_text (tooltip, status_text (nod_diff_file_get_status (self->file)));
  else
    gtk_tooltip_set_text (tooltip, gtk_label_get_text (self->path_label));
  return TRUE;
}

static void
nod_diff_file_row_init (NodDiffFileRow *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_top (self->box, 6);
  gtk_widget_set_margin_bottom (self->box, 6);
  gtk_widget_set_margin_start (self->box, 6);
  gtk_widget_set_margin_end (self->box, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->status_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->status_icon), TRUE);
  g_signal_connect (self->status_icon, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->status_icon));

  self->path_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->path_label, 0);
  /* The file's name is at the end of its path: keep that end in sight. */
  gtk_label_set_ellipsize (self->path_label, PANGO_ELLIPSIZE_START);
  gtk_widget_set_hexpand (GTK_WIDGET (self->path_label), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->path_label), TRUE);
  g_signal_connect (self->path_label, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->path_label));

  self->changed_icon = gtk_image_new_from_icon_name ("media-record-symbolic");
  gtk_widget_add_css_class (self->changed_icon, "accent");
  gtk_widget_set_has_tooltip (self->changed_icon, TRUE);
  g_signal_connect (self->changed_icon, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_widget_set_visible (self->changed_icon, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->changed_icon);

  self->counts_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->counts_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->counts_label), "numeric");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->counts_label));

  self->viewed_check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->viewed_check), TRUE);
  g_signal_connect (self->viewed_check, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->viewed_check),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Viewed"), -1);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->viewed_check));
  self->toggled_id = g_signal_connect_swapped (self->viewed_check, "toggled",
                                               G_CALLBACK (on_viewed_toggled), self);
}

NodDiffFileRow *
nod_diff_file_row_new (void)
{
  return g_object_new (NOD_TYPE_DIFF_FILE_ROW, NULL);
}

static const char *
status_icon_name (NodDiffFileStatus status)
{
  switch (status)
    {
    case NOD_DIFF_FILE_STATUS_ADDED:
      return "list-add-symbolic";
    case NOD_DIFF_FILE_STATUS_DELETED:
      return "user-trash-symbolic";
    case NOD_DIFF_FILE_STATUS_RENAMED:
      return "go-next-symbolic";
    case NOD_DIFF_FILE_STATUS_MODIFIED:
    default:
      return "document-edit-symbolic";
    }
}

static const char *
status_text (NodDiffFileStatus status)
{
  switch (status)
    {
    case NOD_DIFF_FILE_STATUS_ADDED:
      return _("Added");
    case NOD_DIFF_FILE_STATUS_DELETED:
      return _("Deleted");
    case NOD_DIFF_FILE_STATUS_RENAMED:
      return _("Renamed");
    case NOD_DIFF_FILE_STATUS_MODIFIED:
    default:
      return _("Modified");
    }
}

void
nod_diff_file_row_bind (NodDiffFileRow *self,
                        NodDiffFile    *file,
                        gboolean        viewed,
                        gboolean        changed)
{
  g_return_if_fail (NOD_IS_DIFF_FILE_ROW (self));
  g_return_if_fail (file == NULL || NOD_IS_DIFF_FILE (file));

  g_set_object (&self->file, file);
  self->changed = file != NULL && changed;

  g_signal_handler_block (self->viewed_check, self->toggled_id);
  gtk_check_button_set_active (self->viewed_check, file != NULL && viewed);
  g_signal_handler_unblock (self->viewed_check, self->toggled_id);
  gtk_widget_set_visible (self->changed_icon, self->changed);

  if (file == NULL)
    {
      gtk_label_set_text (self->path_label, "");
      gtk_label_set_text (self->counts_label, "");
      gtk_image_clear (self->status_icon);
      return;
    }

  /* Labels are plain text: paths come from strangers. */
  if (nod_diff_file_get_status (file) == NOD_DIFF_FILE_STATUS_RENAMED)
    {
      g_autofree char *text = g_strdup_printf ("%s → %s", nod_diff_file_get_old_path (file),
                                               nod_diff_file_get_new_path (file));

      gtk_label_set_text (self->path_label, text);
    }
  else
    gtk_label_set_text (self->path_label, nod_diff_file_get_path (file));

  {
    g_autofree char *counts = g_strdup_printf ("+%u −%u", nod_diff_file_get_additions (file),
                                               nod_diff_file_get_deletions (file));

    gtk_label_set_text (self->counts_label, counts);
  }

  gtk_image_set_from_icon_name (self->status_icon,
                                status_icon_name (nod_diff_file_get_status (file)));
}

NodDiffFile *
nod_diff_file_row_get_file (NodDiffFileRow *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_FILE_ROW (self), NULL);
  return self->file;
}

/* The path as shown. */
const char *
nod_diff_file_row_get_text (NodDiffFileRow *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_FILE_ROW (self), NULL);
  return gtk_label_get_text (self->path_label);
}

gboolean
nod_diff_file_row_get_changed (NodDiffFileRow *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_FILE_ROW (self), FALSE);
  return self->changed;
}
