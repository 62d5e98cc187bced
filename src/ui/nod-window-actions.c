/* nod-window-actions.c: what the reviewer does from the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The win.* actions and the page's comment, inline comment, reply and resolve. Each review
 * action goes into the engine's outbox; the list shows it at once, marked pending until
 * GitLab has it.
 */

#define G_LOG_DOMAIN "nod-window"

#include "config.h"

#include "nod-window-private.h"

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NodWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) action = NULL;

  /* The action is kept either way; a window closed meanwhile has no one to tell. */
  action = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result, &error);
  if (self->merge_request_list == NULL)
    return;
  if (error != NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }
  /* Shown at once from the outbox, marked pending until GitLab has it. */
  nod_merge_request_list_reload (self->merge_request_list);
}

static void
enqueue (NodWindow       *self,
         NodOutboxAction *action)
{
  g_autoptr(NodOutboxAction) owned = action;

  if (self->engine == NULL)
    return;
  nod_sync_engine_enqueue_async (self->engine, owned, NULL, on_enqueued, g_object_ref (self));
}

static gint64
shown_account (NodWindow *self)
{
  NodMergeRequestItem *item = nod_merge_request_list_get_selected (self->merge_request_list);

  return item != NULL ? nod_merge_request_item_get_account_id (item) : 0;
}

static void
toggle_approval (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  gint64 account_id = shown_account (self);
  gint64 project_id = nod_merge_request_page_get_project_id (self->page);
  gint64 iid = nod_merge_request_page_get_iid (self->page);

  if (account_id == 0 || iid == 0 ||
      !gtk_widget_get_visible (nod_merge_request_page_get_approve_button (self->page)))
    return;

  if (nod_merge_request_page_get_approved (self->page))
    enqueue (self, nod_outbox_action_new_unapprove (account_id, project_id, iid));
  else
    enqueue (self, nod_outbox_action_new_approve (account_id, project_id, iid,
                                                  nod_merge_request_page_get_head_sha (
                                                    self->page)));
}

static void
on_page_comment (NodWindow  *self,
                 const char *body)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_comment (account_id,
                                                  nod_merge_request_page_get_project_id (
                                                    self->page),
                                                  nod_merge_request_page_get_iid (self->page),
                                                  body));
}

static void
on_page_inline_comment (NodWindow             *self,
                        const char            *body,
                        const NodDiffPosition *position)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0 && position != NULL)
    enqueue (self, nod_outbox_action_new_inline_comment (
                     account_id, nod_merge_request_page_get_project_id (self->page),
                     nod_merge_request_page_get_iid (self->page), body, position));
}

static void
on_page_reply (NodWindow  *self,
               const char *discussion_id,
               const char *body)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_reply (account_id,
                                                nod_merge_request_page_get_project_id (self->page),
                                                nod_merge_request_page_get_iid (self->page),
                                                discussion_id, body));
}

static void
on_page_resolve (NodWindow  *self,
                 const char *discussion_id,
                 gboolean    resolved)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_resolve (account_id,
                                                  nod_merge_request_page_get_project_id (
                                                    self->page),
                                                  nod_merge_request_page_get_iid (self->page),
                                                  discussion_id, resolved));
}

static void
next_merge_request (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  nod_merge_request_list_move_selection (NOD_WINDOW (widget)->merge_request_list, 1);
}

static void
previous_merge_request (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  nod_merge_request_list_move_selection (NOD_WINDOW (widget)->merge_request_list, -1);
}

static void
focus_comment (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (nod_merge_request_list_get_selected (self->merge_request_list) != NULL)
    nod_merge_request_page_focus_comment (self->page);
}

static void
show_view (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (nod_merge_request_list_get_selected (self->merge_request_list) != NULL)
    nod_merge_request_page_set_view (self->page, g_variant_get_string (parameter, NULL));
}

static void
toggle_search (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  gtk_toggle_button_set_active (self->search_button,
                                !gtk_toggle_button_get_active (self->search_button));
  if (gtk_toggle_button_get_active (self->search_button))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
_nod_window_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_page_comment);
  gtk_widget_class_bind_template_callback (widget_class, on_page_reply);
  gtk_widget_class_bind_template_callback (widget_class, on_page_resolve);

  gtk_widget_class_install_action (widget_class, "win.toggle-approval", NULL, toggle_approval);
  gtk_widget_class_install_action (widget_class, "win.next-merge-request", NULL,
                                   next_merge_request);
  gtk_widget_class_install_action (widget_class, "win.previous-merge-request", NULL,
                                   previous_merge_request);
  gtk_widget_class_install_action (widget_class, "win.comment", NULL, focus_comment);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, toggle_search);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "win.next-merge-request", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK,
                                       "win.previous-merge-request", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.toggle-approval", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.comment", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-view", "s", "overview");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-view", "s", "changes");
}

void
_nod_window_connect_page (NodWindow *self)
{
  g_signal_connect_object (self->page, "inline-comment", G_CALLBACK (on_page_inline_comment),
                           self, G_CONNECT_SWAPPED);
}
