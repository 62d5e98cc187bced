/* nod-window-actions.c: what the reviewer does from the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The win.* actions and the page's comment, inline comment, reply and resolve. Each review
 * action goes into the engine's outbox; the list shows it at once, marked pending until
 * GitLab has it. A review started on the merge request makes them drafts, until the
 * reviewer submits or discards it.
 */

#define G_LOG_DOMAIN "nod-window"

#include "config.h"

#include <glib/gi18n.h>

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

  /* Held by the engine for the toast's while: Undo is a cancel of a row not sent. A
   * review's draft is not queued, and is edited or deleted in place instead. */
  if (action != NULL && nod_outbox_action_get_state (action) == NOD_ACTION_PENDING &&
      nod_outbox_action_get_next_attempt_at (action) > 0 &&
      nod_outbox_action_is_note (action))
    {
      AdwToast *toast = adw_toast_new (nod_outbox_action_get_kind (action) == NOD_ACTION_REPLY
                                         ? _("Reply queued") : _("Comment queued"));

      adw_toast_set_timeout (toast, CLAMP (nod_sync_engine_get_undo_hold (self->engine), 1, 10));
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "win.cancel-action");
      adw_toast_set_action_target_value (toast,
                                         g_variant_new_string (
                                           nod_outbox_action_get_op_id (action)));
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
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

/* A comment or reply: stored at once, but held a few seconds before any push may take it,
 * while its toast offers Undo. */
static void
enqueue_undoable (NodWindow       *self,
                  NodOutboxAction *action)
{
  g_autoptr(NodOutboxAction) owned = action;

  if (self->engine == NULL)
    return;
  nod_sync_engine_enqueue_held_async (self->engine, owned, NULL, on_enqueued,
                                      g_object_ref (self));
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
    enqueue_undoable (self, nod_outbox_action_new_comment (
                              account_id, nod_merge_request_page_get_project_id (self->page),
                              nod_merge_request_page_get_iid (self->page), body));
}

static void
on_page_inline_comment (NodWindow             *self,
                        const char            *body,
                        const NodDiffPosition *position)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0 && position != NULL)
    enqueue_undoable (self, nod_outbox_action_new_inline_comment (
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
    enqueue_undoable (self, nod_outbox_action_new_reply (
                              account_id, nod_merge_request_page_get_project_id (self->page),
                              nod_merge_request_page_get_iid (self->page), discussion_id,
                              body));
}

static void
on_page_resolving_reply (NodWindow  *self,
                         const char *discussion_id,
                         const char *body)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_resolving_reply (
                     account_id, nod_merge_request_page_get_project_id (self->page),
                     nod_merge_request_page_get_iid (self->page), discussion_id, body));
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

/* ---- an action queued, cancelled or edited before it is sent ---- */

static void
on_action_changed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodWindow) self = user_data;
  NodSyncEngine *engine = NOD_SYNC_ENGINE (source_object);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_async_result_is_tagged (result, nod_sync_engine_cancel_action_async)
                  ? nod_sync_engine_cancel_action_finish (engine, result, &error)
                  : nod_sync_engine_edit_action_finish (engine, result, &error);

  /* On success the engine's ::outbox-changed has the page and the list read again. */
  if (!ok && self->merge_request_list != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

/* ---- the review: started, drafts edited or deleted, submitted, discarded ---- */

static void
on_review_changed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodWindow) self = user_data;
  NodSyncEngine *engine = NOD_SYNC_ENGINE (source_object);
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  gboolean ok;

  if (tag == nod_sync_engine_start_review_async)
    ok = nod_sync_engine_start_review_finish (engine, result, NULL, &error);
  else if (tag == nod_sync_engine_submit_review_async)
    ok = nod_sync_engine_submit_review_finish (engine, result, NULL, NULL, &error);
  else if (tag == nod_sync_engine_discard_review_async)
    ok = nod_sync_engine_discard_review_finish (engine, result, NULL, NULL, &error);
  else if (tag == nod_sync_engine_edit_draft_async)
    ok = nod_sync_engine_edit_draft_finish (engine, result, &error);
  else
    ok = nod_sync_engine_delete_draft_finish (engine, result, &error);

  if (self->merge_request_list == NULL)
    return;
  if (!ok)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
  else if (tag == nod_sync_engine_submit_review_async)
    adw_toast_overlay_add_toast (self->toast_overlay,
                                 adw_toast_new (_("Review submitted; it is published as soon "
                                                  "as GitLab can be reached")));
  nod_merge_request_list_reload (self->merge_request_list);
}

static gboolean
shown_review (NodWindow *self,
              gint64    *out_account_id)
{
  *out_account_id = shown_account (self);
  return self->engine != NULL && *out_account_id != 0 &&
         nod_merge_request_page_get_iid (self->page) != 0;
}

static void
start_review (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  gint64 account_id;

  if (!shown_review (self, &account_id))
    return;
  nod_sync_engine_start_review_async (self->engine, account_id,
                                      nod_merge_request_page_get_project_id (self->page),
                                      nod_merge_request_page_get_iid (self->page), NULL,
                                      on_review_changed, g_object_ref (self));
  nod_merge_request_page_focus_comment (self->page);
}

/* Ctrl+Enter in a dialog's text box answers the dialog as its default button does, as it
 * sends a comment on the page. */
static gboolean
on_text_box_key (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 GtkWidget             *view)
{
  if ((keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter) || !(state & GDK_CONTROL_MASK))
    return FALSE;
  gtk_widget_activate_default (view);
  return TRUE;
}

/* A framed text box for a dialog, holding @text, named @label for assistive technology.
 * Tab moves on to the dialog's buttons, as in the page's comment box. */
static GtkWidget *
new_text_box (GtkTextView **out_view,
              const char   *text,
              const char   *label,
              int           width)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkTextView *view = GTK_TEXT_VIEW (gtk_text_view_new ());
  GtkEventController *keys;

  gtk_text_view_set_wrap_mode (view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (view, 8);
  gtk_text_view_set_bottom_margin (view, 8);
  gtk_text_view_set_left_margin (view, 8);
  gtk_text_view_set_right_margin (view, 8);
  gtk_widget_set_size_request (GTK_WIDGET (view), width, 100);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
  gtk_text_view_set_accepts_tab (view, FALSE);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_text_box_key), view);
  gtk_widget_add_controller (GTK_WIDGET (view), keys);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (view));
  *out_view = view;
  return frame;
}

/* What the submit dialog asks besides "submit": a comment of the review's own, and whether
 * to approve with it. */
typedef struct
{
  NodWindow   *self;
  GtkTextView *summary;
  GtkWidget   *approve;
  gint64       account_id;
  gint64       project_id;
  gint64       iid;
  char        *head_sha;
} SubmitDialog;

static void
submit_dialog_free (gpointer  data,
                    GClosure *closure)
{
  SubmitDialog *dialog = data;

  g_object_unref (dialog->self);
  g_free (dialog->head_sha);
  g_free (dialog);
}

static void
on_submit_response (AdwMessageDialog *message,
                    const char       *response,
                    SubmitDialog     *dialog)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (dialog->summary);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  gboolean approve;

  if (!g_str_equal (response, "submit") || dialog->self->engine == NULL)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  approve = gtk_widget_get_visible (dialog->approve) &&
            gtk_check_button_get_active (GTK_CHECK_BUTTON (dialog->approve));
  nod_sync_engine_submit_review_async (dialog->self->engine, dialog->account_id,
                                       dialog->project_id, dialog->iid,
                                       approve ? dialog->head_sha : NULL,
                                       *text != '\0' ? text : NULL, NULL, on_review_changed,
                                       g_object_ref (dialog->self));
}

static void
submit_review (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  guint drafts = nod_merge_request_page_get_draft_count (self->page);
  SubmitDialog *dialog;
  GtkWidget *message, *box, *caption;
  g_autofree char *body = NULL;
  gint64 account_id;

  if (!shown_review (self, &account_id) ||
      !nod_merge_request_page_get_review_started (self->page))
    return;

  dialog = g_new0 (SubmitDialog, 1);
  dialog->self = g_object_ref (self);
  dialog->account_id = account_id;
  dialog->project_id = nod_merge_request_page_get_project_id (self->page);
  dialog->iid = nod_merge_request_page_get_iid (self->page);
  dialog->head_sha = g_strdup (nod_merge_request_page_get_head_sha (self->page));

  body = drafts == 0
         ? g_strdup (_("The review holds no comments yet. A summary, or an approval, can "
                       "still go with it."))
         : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Your comment is published, and the author is "
                                         "notified once.",
                                         "Your %u comments are published together, and the "
                                         "author is notified once.", drafts),
                            drafts);
  message = adw_message_dialog_new (GTK_WINDOW (self), _("Submit Review?"), body);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  caption = gtk_label_new (_("Summary (optional)"));
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption-heading");
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), new_text_box (&dialog->summary, "", _("Summary comment"), -1));
  dialog->approve = gtk_check_button_new_with_mnemonic (_("_Approve the merge request too"));
  /* Only where GitLab lets the reviewer approve, and they have not yet. */
  gtk_widget_set_visible (dialog->approve,
                          gtk_widget_get_visible (
                            nod_merge_request_page_get_approve_button (self->page)) &&
                          !nod_merge_request_page_get_approved (self->page));
  gtk_box_append (GTK_BOX (box), dialog->approve);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (message), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message),
                                    "cancel", _("_Cancel"),
                                    "submit", _("_Submit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message), "submit",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (message), "submit");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_signal_connect_data (message, "response", G_CALLBACK (on_submit_response), dialog,
                         submit_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (message));
}

static void
on_discard_response (AdwMessageDialog *message,
                     const char       *response,
                     NodWindow        *self)
{
  gint64 account_id;

  if (!g_str_equal (response, "discard") || !shown_review (self, &account_id))
    return;
  nod_sync_engine_discard_review_async (self->engine, account_id,
                                        nod_merge_request_page_get_project_id (self->page),
                                        nod_merge_request_page_get_iid (self->page), NULL,
                                        on_review_changed, g_object_ref (self));
}

static void
discard_review (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  GtkWidget *message;
  gint64 account_id;

  if (!shown_review (self, &account_id) ||
      !nod_merge_request_page_get_review_started (self->page))
    return;

  message = adw_message_dialog_new (GTK_WINDOW (self), _("Discard Review?"),
                                    _("Its draft comments are deleted, and nothing of it "
                                      "reaches GitLab."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_signal_connect_object (message, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (message));
}

typedef struct
{
  NodWindow   *self;
  GtkTextView *text;
  char        *op_id;
  gboolean     queued;   /* an action waiting to be sent, not a review's draft */
  char        *discussion_id;  /* with note_id: a note GitLab has, given new text, of the */
  gint64       note_id;        /* merge request shown when the dialog opened */
  gint64       account_id;
  gint64       project_id;
  gint64       iid;
} EditDialog;

static void
edit_dialog_free (gpointer  data,
                  GClosure *closure)
{
  EditDialog *dialog = data;

  g_object_unref (dialog->self);
  g_free (dialog->op_id);
  g_free (dialog->discussion_id);
  g_free (dialog);
}

static void
on_edit_response (AdwMessageDialog *message,
                  const char       *response,
                  EditDialog       *dialog)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (dialog->text);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  if (!g_str_equal (response, "save") || dialog->self->engine == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (dialog->note_id > 0)
    enqueue (dialog->self, nod_outbox_action_new_edit_note (dialog->account_id,
                                                            dialog->project_id, dialog->iid,
                                                            dialog->discussion_id,
                                                            dialog->note_id, text));
  else if (dialog->queued)
    nod_sync_engine_edit_action_async (dialog->self->engine, dialog->op_id, text, NULL,
                                       on_action_changed, g_object_ref (dialog->self));
  else
    nod_sync_engine_edit_draft_async (dialog->self->engine, dialog->op_id, text, NULL,
                                      on_review_changed, g_object_ref (dialog->self));
}

/* The text box dialog: @dialog says what it edits, @body what it says now. */
static void
present_text_dialog (EditDialog *dialog,
                     const char *body)
{
  gboolean drafted = !dialog->queued && dialog->note_id == 0;
  GtkWidget *message;

  message = adw_message_dialog_new (GTK_WINDOW (dialog->self),
                                    drafted ? _("Edit Draft") : _("Edit Comment"),
                                    dialog->note_id > 0
                                    ? _("The new text replaces the comment on GitLab, for "
                                        "everyone.")
                                    : dialog->queued ? _("The new text is what GitLab gets; "
                                                         "it is not sent yet.")
                                    : NULL);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (message),
                                      new_text_box (&dialog->text, body,
                                                    drafted ? _("Draft comment")
                                                            : _("Comment"), 360));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (message), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_signal_connect_data (message, "response", G_CALLBACK (on_edit_response), dialog,
                         edit_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (message));
  gtk_widget_grab_focus (GTK_WIDGET (dialog->text));
}

/* Edits a draft of a review, or a comment or reply queued. */
static void
present_edit_dialog (NodWindow       *self,
                     NodOutboxAction *action)
{
  EditDialog *dialog = g_new0 (EditDialog, 1);

  dialog->self = g_object_ref (self);
  dialog->op_id = g_strdup (nod_outbox_action_get_op_id (action));
  dialog->queued = nod_outbox_action_get_state (action) != NOD_ACTION_DRAFT;
  present_text_dialog (dialog, nod_outbox_action_get_body (action));
}

/* Gives new text to the reviewer's note @note_id GitLab has: queued like any change. */
static void
present_posted_note_dialog (NodWindow  *self,
                            const char *discussion_id,
                            NodNote    *note)
{
  EditDialog *dialog = g_new0 (EditDialog, 1);

  dialog->self = g_object_ref (self);
  dialog->discussion_id = g_strdup (discussion_id);
  dialog->note_id = nod_note_get_id (note);
  dialog->account_id = shown_account (self);
  dialog->project_id = nod_merge_request_page_get_project_id (self->page);
  dialog->iid = nod_merge_request_page_get_iid (self->page);
  present_text_dialog (dialog, nod_note_get_body (note));
}

static void
edit_posted_note (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  const char *discussion_id = NULL;
  gint64 note_id = 0;
  NodNote *note;

  g_variant_get (parameter, "(&sx)", &discussion_id, &note_id);
  note = nod_merge_request_page_find_note (self->page, discussion_id, note_id);
  if (note != NULL && self->engine != NULL && shown_account (self) != 0)
    present_posted_note_dialog (self, discussion_id, note);
}

/* The note to delete, of the merge request shown when it was asked. */
typedef struct
{
  NodWindow *self;
  char      *discussion_id;
  gint64     note_id;
  gint64     account_id;
  gint64     project_id;
  gint64     iid;
} DeleteNote;

static void
delete_note_free (gpointer  data,
                  GClosure *closure)
{
  DeleteNote *removal = data;

  g_object_unref (removal->self);
  g_free (removal->discussion_id);
  g_free (removal);
}

static void
on_delete_note_response (AdwMessageDialog *message,
                         const char       *response,
                         DeleteNote       *removal)
{
  if (g_str_equal (response, "delete"))
    enqueue (removal->self, nod_outbox_action_new_delete_note (removal->account_id,
                                                              removal->project_id,
                                                              removal->iid,
                                                              removal->discussion_id,
                                                              removal->note_id));
}

/* Deleting a comment GitLab has is for everyone: asked first. */
static void
delete_posted_note (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  const char *discussion_id = NULL;
  gint64 note_id = 0;
  DeleteNote *removal;
  GtkWidget *message;

  g_variant_get (parameter, "(&sx)", &discussion_id, &note_id);
  if (self->engine == NULL || shown_account (self) == 0 ||
      nod_merge_request_page_find_note (self->page, discussion_id, note_id) == NULL)
    return;

  removal = g_new0 (DeleteNote, 1);
  removal->self = g_object_ref (self);
  removal->discussion_id = g_strdup (discussion_id);
  removal->note_id = note_id;
  removal->account_id = shown_account (self);
  removal->project_id = nod_merge_request_page_get_project_id (self->page);
  removal->iid = nod_merge_request_page_get_iid (self->page);
  message = adw_message_dialog_new (GTK_WINDOW (self), _("Delete Comment?"),
                                    _("It is deleted on GitLab too, for everyone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (message),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (message), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_signal_connect_data (message, "response", G_CALLBACK (on_delete_note_response), removal,
                         delete_note_free, 0);
  gtk_window_present (GTK_WINDOW (message));
}

static void
edit_draft (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  NodOutboxAction *draft = nod_merge_request_page_find_draft (self->page,
                                                              g_variant_get_string (parameter,
                                                                                    NULL));

  if (draft != NULL && self->engine != NULL)
    present_edit_dialog (self, draft);
}

/* The action, wherever it is shown (the page, the status bar's list): read from the
 * outbox as it is now, so the dialog starts from the text that would be sent. */
typedef struct
{
  NodWindow *self;
  char      *op_id;
} EditLookup;

static void
on_action_to_edit_listed (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  EditLookup *lookup = user_data;
  g_autoptr(NodWindow) self = lookup->self;
  g_autofree char *op_id = lookup->op_id;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;

  g_free (lookup);
  actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result, &error);
  if (self->engine == NULL || self->merge_request_list == NULL)
    return;
  if (actions == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];

      if (g_strcmp0 (nod_outbox_action_get_op_id (action), op_id) != 0)
        continue;
      if (nod_outbox_action_get_state (action) == NOD_ACTION_PENDING)
        present_edit_dialog (self, action);
      else
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (_("It is being sent; it can’t be edited "
                                                      "now")));
      return;
    }
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("It was already sent; edit it in its "
                                                "thread instead")));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  EditLookup *lookup;

  if (self->engine == NULL || self->session == NULL)
    return;
  lookup = g_new0 (EditLookup, 1);
  lookup->self = g_object_ref (self);
  lookup->op_id = g_variant_dup_string (parameter, NULL);
  nod_outbox_list_async (nod_session_get_outbox (self->session), 0, NULL,
                         on_action_to_edit_listed, lookup);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (self->engine != NULL)
    nod_sync_engine_cancel_action_async (self->engine, g_variant_get_string (parameter, NULL),
                                         NULL, on_action_changed, g_object_ref (self));
}

static void
delete_draft (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (self->engine != NULL)
    nod_sync_engine_delete_draft_async (self->engine, g_variant_get_string (parameter, NULL),
                                        NULL, on_review_changed, g_object_ref (self));
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

/* ---- the keys of a review: threads, the list ---- */

static gboolean
page_shown (NodWindow *self)
{
  return nod_merge_request_list_get_selected (self->merge_request_list) != NULL &&
         nod_merge_request_page_get_iid (self->page) != 0;
}

static void
move_thread (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (page_shown (self))
    nod_merge_request_page_move_thread (self->page,
                                        g_str_equal (action_name, "win.next-thread") ? 1 : -1);
}

static void
reply (GtkWidget  *widget,
       const char *action_name,
       GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (page_shown (self))
    nod_merge_request_page_focus_reply (self->page);
}

static void
toggle_resolved (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (page_shown (self))
    nod_merge_request_page_toggle_resolved (self->page);
}

/* Edits the reviewer's note in the current thread: first one that has not gone yet (a
 * draft, or one waiting in the outbox), else their latest GitLab has. */
static void
edit_note (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  NodOutboxAction *note;

  if (!page_shown (self))
    return;
  note = nod_merge_request_page_find_own_note (self->page);
  if (note == NULL)
    {
      NodNote *posted = nod_merge_request_page_find_own_posted_note (self->page);

      if (posted != NULL && self->engine != NULL)
        present_posted_note_dialog (self, nod_merge_request_page_get_current_thread (self->page),
                                    posted);
      else if (posted == NULL)
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (_("No note of yours in this thread")));
      return;
    }
  gtk_widget_activate_action (widget,
                              nod_outbox_action_get_state (note) == NOD_ACTION_DRAFT
                                ? "win.edit-draft" : "win.edit-action",
                              "s", nod_outbox_action_get_op_id (note));
}

/* The page of the merge request shown on GitLab, if it is one a browser may be given. */
static const char *
shown_web_url (NodWindow *self)
{
  const NodMergeRequestView *view;
  const char *scheme;

  if (!page_shown (self))
    return NULL;
  view = nod_merge_request_item_get_view (nod_merge_request_list_get_selected (self->merge_request_list));
  scheme = view->web_url != NULL ? g_uri_peek_scheme (view->web_url) : NULL;
  if (scheme == NULL || (g_ascii_strcasecmp (scheme, "http") != 0 &&
                         g_ascii_strcasecmp (scheme, "https") != 0))
    return NULL;
  return view->web_url;
}

static void
open_in_browser (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  const char *url = shown_web_url (NOD_WINDOW (widget));

  if (url != NULL)
    gtk_show_uri (GTK_WINDOW (widget), url, GDK_CURRENT_TIME);
}

static void
copy_link (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  const char *url = shown_web_url (self);

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Link copied")));
}

/* Back to the list, at the merge request selected; a narrow window shows the list. */
static void
focus_list (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  nod_merge_request_list_focus_selected (self->merge_request_list);
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
  gtk_widget_class_install_action (widget_class, "win.start-review", NULL, start_review);
  gtk_widget_class_install_action (widget_class, "win.submit-review", NULL, submit_review);
  gtk_widget_class_install_action (widget_class, "win.discard-review", NULL, discard_review);
  gtk_widget_class_install_action (widget_class, "win.edit-draft", "s", edit_draft);
  gtk_widget_class_install_action (widget_class, "win.delete-draft", "s", delete_draft);
  gtk_widget_class_install_action (widget_class, "win.next-thread", NULL, move_thread);
  gtk_widget_class_install_action (widget_class, "win.previous-thread", NULL, move_thread);
  gtk_widget_class_install_action (widget_class, "win.reply", NULL, reply);
  gtk_widget_class_install_action (widget_class, "win.toggle-resolved", NULL, toggle_resolved);
  gtk_widget_class_install_action (widget_class, "win.edit-note", NULL, edit_note);
  gtk_widget_class_install_action (widget_class, "win.focus-list", NULL, focus_list);
  gtk_widget_class_install_action (widget_class, "win.edit-action", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-action", "s", cancel_action);
  gtk_widget_class_install_action (widget_class, "win.edit-posted-note", "(sx)",
                                   edit_posted_note);
  gtk_widget_class_install_action (widget_class, "win.delete-posted-note", "(sx)",
                                   delete_posted_note);
  gtk_widget_class_install_action (widget_class, "win.open-in-browser", NULL, open_in_browser);
  gtk_widget_class_install_action (widget_class, "win.copy-link", NULL, copy_link);

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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK,
                                       "win.copy-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-view", "s", "overview");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-view", "s", "changes");
  /* A widget that takes Escape itself (a search, a composer) keeps it. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.focus-list", NULL);
  /* The page's letters (n, p, r, e, Shift+R, c, a) are read by the page itself, only
   * while the reviewer is not typing: see nod-merge-request-page.c. */
}

void
_nod_window_connect_page (NodWindow *self)
{
  g_signal_connect_object (self->page, "inline-comment", G_CALLBACK (on_page_inline_comment),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->page, "resolving-reply", G_CALLBACK (on_page_resolving_reply),
                           self, G_CONNECT_SWAPPED);
}
