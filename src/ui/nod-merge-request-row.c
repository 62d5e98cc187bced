/* nod-merge-request-row.c: a merge request in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Title, where it lives, who wrote it and when it last changed, its approvals, and what
 * of the reviewer's is still waiting to go (or failed). Labels are plain text: titles
 * come from strangers.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nod-merge-request-row.h"
#include "nod-pipeline-status.h"
#include "nod-time.h"

struct _NodMergeRequestRow
{
  GtkWidget  parent_instance;

  GtkLabel  *title_label;
  GtkLabel  *meta_label;
  GtkLabel  *age_label;
  GtkLabel  *approvals_label;
  GtkWidget *draft_badge;
  GtkWidget *conflict_badge;
  GtkImage  *pipeline_icon;
  GtkImage  *marker_icon;
  GtkLabel  *marker_label;
  GtkWidget *unread_dot;

  const char *pipeline_css_class;   /* static: the class the icon has now */
  const char *pipeline_description; /* static, translated; NULL: none shown */
};

G_DEFINE_FINAL_TYPE (NodMergeRequestRow, nod_merge_request_row, GTK_TYPE_WIDGET)

static void
nod_merge_request_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), NOD_TYPE_MERGE_REQUEST_ROW);

  G_OBJECT_CLASS (nod_merge_request_row_parent_class)->dispose (object);
}

static void
nod_merge_request_row_class_init (NodMergeRequestRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_merge_request_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-merge-request-row.ui");
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, meta_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, age_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, approvals_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, draft_badge);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, conflict_badge);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, pipeline_icon);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, marker_icon);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, marker_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestRow, unread_dot);
}

/* The tooltip is asked for when shown, not set at every bind: setting one costs a round
 * trip to the display server, and rows are bound often. */
static gboolean
on_pipeline_query_tooltip (GtkWidget          *widget,
                           int                 x,
                           int                 y,
                           gboolean            keyboard_mode,
                           GtkTooltip         *tooltip,
                           NodMergeRequestRow *self)
{
  if (self->pipeline_description == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->pipeline_description);
  return TRUE;
}

static gboolean
on_unread_query_tooltip (GtkWidget  *widget,
                         int         x,
                         int         y,
                         gboolean    keyboard_mode,
                         GtkTooltip *tooltip,
                         gpointer    user_data)
{
  gtk_tooltip_set_text (tooltip, _("Updated since you last looked"));
  return TRUE;
}

static void
nod_merge_request_row_init (NodMergeRequestRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->pipeline_icon, "query-tooltip",
                    G_CALLBACK (on_pipeline_query_tooltip), self);
  g_signal_connect (self->unread_dot, "query-tooltip",
                    G_CALLBACK (on_unread_query_tooltip), NULL);
}

/* Unlike labels, an image lays itself out again even when given the icon it shows: a
 * row is bound afresh whenever its position in the list changes. */
static void
set_icon (GtkImage   *image,
          const char *icon_name)
{
  if (g_strcmp0 (gtk_image_get_icon_name (image), icon_name) == 0)
    return;
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (image, icon_name);
  else
    gtk_image_clear (image);
}

static void
show_pipeline (NodMergeRequestRow *self,
               const char         *status)
{
  const char *description = nod_pipeline_status_describe (status);
  const char *css_class = nod_pipeline_status_get_css_class (status);

  gtk_widget_set_visible (GTK_WIDGET (self->pipeline_icon), status != NULL);
  if (description == self->pipeline_description)
    return;

  self->pipeline_description = description;
  set_icon (self->pipeline_icon, nod_pipeline_status_get_icon_name (status));
  if (self->pipeline_css_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->pipeline_icon), self->pipeline_css_class);
  self->pipeline_css_class = css_class;
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->pipeline_icon), css_class);
  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->pipeline_icon),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->pipeline_icon),
                                   GTK_ACCESSIBLE_PROPERTY_LABEL);
}

GtkWidget *
nod_merge_request_row_new (void)
{
  return g_object_new (NOD_TYPE_MERGE_REQUEST_ROW, NULL);
}

void
nod_merge_request_row_set_item (NodMergeRequestRow  *self,
                                NodMergeRequestItem *item,
                                GDateTime           *now)
{
  const NodMergeRequestView *view;
  g_autofree char *reference = NULL;
  g_autofree char *age = NULL;
  g_autofree char *approvals = NULL;
  const char *author;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_ROW (self));
  g_return_if_fail (NOD_IS_MERGE_REQUEST_ITEM (item));

  view = nod_merge_request_item_get_view (item);
  reference = nod_merge_request_item_dup_reference (item);
  age = nod_time_format_age_iso (view->updated_at, now);
  author = view->author_name != NULL ? view->author_name : view->author_username;

  /* Beside the Draft badge, GitLab's "Draft:" would say it twice. */
  gtk_label_set_text (self->title_label, nod_merge_request_view_get_shown_title (view));
  gtk_label_set_text (self->meta_label, reference);
  gtk_label_set_text (self->age_label, age);

  /* Translators: who opened it, then its approvals, e.g. "Alice · 1 of 2 approvals" */
  if (view->approvals_required > 0)
    approvals = g_strdup_printf (_("%s · %u of %d approvals"), author ? author : "",
                                 view->approvals_given, view->approvals_required);
  else if (view->approvals_given > 0)
    approvals = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u approval",
                                              "%s · %u approvals", view->approvals_given),
                                 author ? author : "", view->approvals_given);
  else
    approvals = g_strdup (author ? author : "");
  gtk_label_set_text (self->approvals_label, approvals);
  if (view->approved_by_me)
    gtk_widget_add_css_class (GTK_WIDGET (self->approvals_label), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->approvals_label), "success");

  gtk_widget_set_visible (self->draft_badge, view->draft);
  gtk_widget_set_visible (self->conflict_badge, view->has_conflicts);
  show_pipeline (self, view->pipeline_status);
  gtk_widget_set_visible (self->unread_dot, view->updated_since_opened);

  /* Failed first: it needs the reviewer; pending takes care of itself. */
  if (view->failed_actions > 0)
    {
      set_icon (self->marker_icon, "dialog-warning-symbolic");
      gtk_label_set_text (self->marker_label, _("Failed"));
      gtk_widget_add_css_class (GTK_WIDGET (self->marker_label), "error");
    }
  else if (view->pending_actions > 0)
    {
      set_icon (self->marker_icon, "mail-send-symbolic");
      gtk_label_set_text (self->marker_label, _("Pending"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->marker_label), "error");
    }
  else
    {
      set_icon (self->marker_icon, NULL);
      gtk_label_set_text (self->marker_label, "");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->marker_icon),
                          view->failed_actions > 0 || view->pending_actions > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->marker_label),
                          view->failed_actions > 0 || view->pending_actions > 0);
}

/* What the pipeline icon says ("Pipeline passed"), or NULL when it shows none. */
const char *
nod_merge_request_row_get_pipeline_description (NodMergeRequestRow *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->pipeline_icon))
         ? self->pipeline_description : NULL;
}

/* Whether the row marks the merge request as changed since the reviewer last opened it. */
gboolean
nod_merge_request_row_get_unread (NodMergeRequestRow *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ROW (self), FALSE);
  return gtk_widget_get_visible (self->unread_dot);
}

/* "Pending", "Failed" or "": what the row says of the reviewer's actions. */
const char *
nod_merge_request_row_get_marker (NodMergeRequestRow *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ROW (self), NULL);
  return gtk_label_get_text (self->marker_label);
}
