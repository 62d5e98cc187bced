/* nod-status-indicator.c: the status bar along the bottom of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the bar says comes from NodSyncStatus alone. Its popover lists what the outbox
 * still holds; that list is read again each time the popover opens, and while it is open
 * whenever the status reports different counts.
 */

#define G_LOG_DOMAIN "nod-status-indicator"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-status-indicator.h"

/* How often relative times ("Synced 2 min ago") are brought up to date. */
#define REFRESH_INTERVAL_SECONDS 30

/* How much of a comment's first line a row shows. */
#define BODY_PREVIEW_MAX_CHARS 80

#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR   (60 * SECONDS_PER_MINUTE)
#define SECONDS_PER_DAY    (24 * SECONDS_PER_HOUR)

struct _NodStatusIndicator
{
  GtkWidget       parent_instance;

  NodSyncStatus  *status;
  gboolean        status_is_placeholder;
  NodOutbox      *outbox;
  GCancellable   *list_cancellable;
  guint           refresh_source_id;
  guint           progress_tick_id;
  char           *tooltip;

  /* Template widgets */
  GtkWidget      *bar;
  GtkToggleButton *button;
  GtkImage       *icon;
  GtkLabel       *label;
  GtkProgressBar *progress_bar;
  GtkPopover     *popover;
  GtkStack       *outbox_stack;
  GtkSpinner     *spinner;
  GtkListBox     *action_list;
  GtkButton      *push_button;
  GtkButton      *sign_in_button;   /* GitLab refused the token: the way back */
  GtkLabel       *push_reason_label;
};

G_DEFINE_FINAL_TYPE (NodStatusIndicator, nod_status_indicator, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATUS,
  PROP_OUTBOX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the bar shows */

static char *
describe_last_sync (gint64 last_synced_at,
                    gint64 now)
{
  gint64 elapsed = now - last_synced_at;
  guint amount;

  if (last_synced_at <= 0)
    return g_strdup (_("Not synced yet"));

  /* A clock set back a little reads as "just now", never as a time in the future. */
  if (elapsed < SECONDS_PER_MINUTE)
    return g_strdup (_("Synced just now"));

  if (elapsed < SECONDS_PER_HOUR)
    {
      amount = (guint) (elapsed / SECONDS_PER_MINUTE);
      /* Translators: %u is a number of minutes. */
      return g_strdup_printf (ngettext ("Synced %u min ago", "Synced %u min ago", amount),
                              amount);
    }

  if (elapsed < SECONDS_PER_DAY)
    {
      amount = (guint) (elapsed / SECONDS_PER_HOUR);
      /* Translators: %u is a number of hours. */
      return g_strdup_printf (ngettext ("Synced %u h ago", "Synced %u h ago", amount), amount);
    }

  amount = (guint) MIN (elapsed / SECONDS_PER_DAY, G_MAXUINT);
  return g_strdup_printf (ngettext ("Synced %u day ago", "Synced %u days ago", amount), amount);
}

/* Adds " · 3 pending · 1 failed", leaving out the counts that are zero. */
static void
append_counts (GString *text,
               guint    pending_count,
               guint    failed_count)
{
  if (pending_count > 0)
    {
      g_string_append (text, " · ");
      /* Translators: %u is a number of review actions waiting to be sent. */
      g_string_append_printf (text, ngettext ("%u pending", "%u pending", pending_count),
                              pending_count);
    }

  if (failed_count > 0)
    {
      g_string_append (text, " · ");
      /* Translators: %u is a number of review actions GitLab refused. */
      g_string_append_printf (text, ngettext ("%u failed", "%u failed", failed_count),
                              failed_count);
    }
}

/* A sentence from the engine on one line, or NULL when there is none. */
static char *
dup_single_line (const char *sentence)
{
  char *line;

  if (sentence == NULL)
    return NULL;

  line = g_strstrip (g_strdelimit (g_utf8_make_valid (sentence, -1), "\r\n\t", ' '));
  if (*line == '\0')
    g_clear_pointer (&line, g_free);
  return line;
}

/* Works out the bar's text, its longer tooltip and its icon from the status. */
static char *
describe_status (NodSyncStatus  *status,
                 gint64          now,
                 char          **out_tooltip,
                 const char    **out_icon_name,
                 const char    **out_icon_style)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *last_error = dup_single_line (nod_sync_status_get_last_error (status));
  guint pending_count = nod_sync_status_get_pending_count (status);
  guint failed_count = nod_sync_status_get_failed_count (status);
  const char *detail = NULL;

  *out_icon_style = NULL;

  switch (nod_sync_status_get_state (status))
    {
    case NOD_SYNC_STATE_IDLE:
      {
        g_autofree char *synced = describe_last_sync (nod_sync_status_get_last_synced_at (status),
                                                      now);

        g_string_append (text, synced);
        append_counts (text, pending_count, failed_count);
        *out_icon_name = failed_count > 0 ? "dialog-warning-symbolic" : "emblem-ok-symbolic";
        *out_icon_style = failed_count > 0 ? "warning" : NULL;
      }
      break;

    case NOD_SYNC_STATE_SYNCING:
      {
        guint current = nod_sync_status_get_progress_current (status);
        guint total = nod_sync_status_get_progress_total (status);
        guint texts_current = nod_sync_status_get_texts_current (status);
        guint texts_total = nod_sync_status_get_texts_total (status);

        /* The changes of open merge requests come after the lists. */
        if (texts_total > 0 && texts_current < texts_total && current >= total)
          /* Translators: "Downloading changes: 12 of 30 files": the old and new texts of
           * the files merge requests change, fetched so far, of all wanted so far */
          g_string_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                              "Downloading changes: %u of %u file",
                                              "Downloading changes: %u of %u files",
                                              texts_total),
                           texts_current, texts_total);
        else if (total > 0)
          /* Translators: "Syncing 45 of 120 merge requests": pulled so far, of all */
          g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "Syncing %u of %u merge request",
                                              "Syncing %u of %u merge requests", total),
                           MIN (current, total), total);
        else
          g_string_assign (text, _("Syncing…"));
        *out_icon_name = "emblem-synchronizing-symbolic";
      }
      break;

    case NOD_SYNC_STATE_OFFLINE:
      g_string_assign (text, _("Offline"));
      append_counts (text, pending_count, failed_count);
      *out_icon_name = "network-offline-symbolic";
      break;

    case NOD_SYNC_STATE_BLOCKED:
      {
        gint64 blocked_until = nod_sync_status_get_blocked_until (status);
        g_autoptr(GDateTime) until = NULL;

        if (blocked_until > 0)
          until = g_date_time_new_from_unix_local (blocked_until);

        if (until != NULL)
          {
            g_autofree char *clock = g_date_time_format (until, "%H:%M");

            /* Translators: %s is a time of day, like 14:05. GitLab's request budget is
             * spent (or down to what Nod keeps for the reviewer's own actions). */
            g_string_printf (text, _("Paused for rate limit until %s"), clock);
          }
        else
          {
            g_string_assign (text, _("Paused for rate limit"));
          }
        detail = last_error;
        *out_icon_name = "preferences-system-time-symbolic";
        *out_icon_style = "warning";
      }
      break;

    case NOD_SYNC_STATE_SIGNED_OUT:
      g_string_assign (text, _("Sign-in needed"));
      /* What waits for the sign-in is worth saying. */
      append_counts (text, pending_count, failed_count);
      *out_icon_name = "dialog-password-symbolic";
      *out_icon_style = "warning";
      break;

    case NOD_SYNC_STATE_ERROR:
    default:
      g_string_assign (text, last_error != NULL ? last_error : _("Sync failed"));
      append_counts (text, pending_count, failed_count);
      *out_icon_name = "dialog-warning-symbolic";
      *out_icon_style = "error";
      break;
    }

  if (detail != NULL && !g_str_equal (detail, text->str))
    *out_tooltip = g_strconcat (text->str, "\n", detail, NULL);
  else
    *out_tooltip = g_strdup (text->str);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_display (NodStatusIndicator *self)
{
  g_autofree char *tooltip = NULL;
  g_autofree char *text = NULL;
  const char *icon_name = NULL;
  const char *icon_style = NULL;
  const char *icon_classes[] = { NULL, NULL };
  guint total = nod_sync_status_get_progress_total (self->status);
  guint current = MIN (nod_sync_status_get_progress_current (self->status), total);
  guint texts_total = nod_sync_status_get_texts_total (self->status);
  gboolean show_progress;

  text = describe_status (self->status, g_get_real_time () / G_USEC_PER_SEC,
                          &tooltip, &icon_name, &icon_style);

  /* Only what changed: new text makes GTK measure the window again. The tooltip is
   * asked for when it shows (setting one makes GTK ask the display where the pointer
   * is, a round trip, even for the same words). */
  if (g_strcmp0 (gtk_label_get_text (self->label), text) != 0)
    {
      gtk_label_set_text (self->label, text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                      -1);
    }
  if (g_strcmp0 (self->tooltip, tooltip) != 0)
    {
      g_free (self->tooltip);
      self->tooltip = g_steal_pointer (&tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->tooltip,
                                      -1);
    }

  gtk_image_set_from_icon_name (self->icon, icon_name);
  icon_classes[0] = icon_style;
  gtk_widget_set_css_classes (GTK_WIDGET (self->icon), icon_classes);

  show_progress = nod_sync_status_get_state (self->status) == NOD_SYNC_STATE_SYNCING
                  && total > 0;
  if (show_progress && current >= total && texts_total > 0)
    {
      guint texts_current = MIN (nod_sync_status_get_texts_current (self->status), texts_total);

      gtk_progress_bar_set_fraction (self->progress_bar, (double) texts_current / texts_total);
    }
  else if (show_progress)
    gtk_progress_bar_set_fraction (self->progress_bar, (double) current / total);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), show_progress);
}

/* The button follows app.push-now, which the application keeps enabled exactly when a
 * push can run; here it says why not. */
static void
update_push_reason (NodStatusIndicator *self)
{
  GtkWidget *button = GTK_WIDGET (self->push_button);
  gboolean can_sync_now = nod_sync_status_get_can_sync_now (self->status);
  const char *reason;

  /* Why not, said under the button as well: a tooltip is out of reach on a touch screen. */
  reason = can_sync_now ? NULL : nod_sync_status_get_sync_now_reason (self->status);
  if (reason != NULL && *reason == '\0')
    reason = NULL;
  gtk_widget_set_tooltip_text (button, reason);
  gtk_label_set_text (self->push_reason_label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->push_reason_label), reason != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_button),
                          nod_sync_status_get_state (self->status) == NOD_SYNC_STATE_SIGNED_OUT);
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  update_display (NOD_STATUS_INDICATOR (user_data));
  return G_SOURCE_CONTINUE;
}

/* The outbox popover */

static const char *
title_for_kind (NodActionKind kind)
{
  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      return _("Approve");
    case NOD_ACTION_UNAPPROVE:
      return _("Revoke approval");
    case NOD_ACTION_COMMENT:
      return _("Comment");
    case NOD_ACTION_REPLY:
      return _("Reply");
    case NOD_ACTION_RESOLVE:
      return _("Resolve thread");
    case NOD_ACTION_UNRESOLVE:
      return _("Reopen thread");
    case NOD_ACTION_DRAFT_NOTE:
      return _("Review comment");
    case NOD_ACTION_PUBLISH_REVIEW:
      return _("Publish review");
    case NOD_ACTION_DELETE_DRAFT:
      return _("Remove review comment");
    case NOD_ACTION_EDIT_NOTE:
      return _("Edit comment");
    case NOD_ACTION_DELETE_NOTE:
      return _("Delete comment");
    default:
      g_return_val_if_reached (_("Review action"));
    }
}

static const char *
icon_for_kind (NodActionKind kind)
{
  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      return "object-select-symbolic";
    case NOD_ACTION_UNAPPROVE:
      return "edit-undo-symbolic";
    case NOD_ACTION_COMMENT:
      return "chat-message-new-symbolic";
    case NOD_ACTION_REPLY:
      return "mail-replied-symbolic";
    case NOD_ACTION_RESOLVE:
      return "checkbox-checked-symbolic";
    case NOD_ACTION_UNRESOLVE:
      return "checkbox-symbolic";
    case NOD_ACTION_DRAFT_NOTE:
      return "chat-message-new-symbolic";
    case NOD_ACTION_PUBLISH_REVIEW:
      return "mail-send-symbolic";
    case NOD_ACTION_DELETE_DRAFT:
      return "edit-delete-symbolic";
    case NOD_ACTION_EDIT_NOTE:
      return "document-edit-symbolic";
    case NOD_ACTION_DELETE_NOTE:
      return "edit-delete-symbolic";
    default:
      g_return_val_if_reached ("mail-send-symbolic");
    }
}

/* The first line of a comment that has any text, at most BODY_PREVIEW_MAX_CHARS long. */
static char *
preview_body (const char *body)
{
  g_autofree char *valid = NULL;
  g_auto(GStrv) lines = NULL;

  if (body == NULL)
    return NULL;

  valid = g_utf8_make_valid (body, -1);
  lines = g_strsplit_set (valid, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (g_strdelimit (lines[i], "\t", ' '));

      if (*line == '\0')
        continue;
      if (g_utf8_strlen (line, -1) <= BODY_PREVIEW_MAX_CHARS)
        return g_strdup (line);
      else
        {
          g_autofree char *start = g_utf8_substring (line, 0, BODY_PREVIEW_MAX_CHARS - 1);

          return g_strconcat (start, "…", NULL);
        }
    }

  return NULL;
}

/* "!42 · pending", "!42 · sending" or "!42 · failed: the reason", as plain text. */
static char *
describe_action_state (NodOutboxAction *action)
{
  g_autofree char *reference = g_strdup_printf ("!%" G_GINT64_FORMAT,
                                                nod_outbox_action_get_mr_iid (action));
  g_autofree char *reason = NULL;

  switch (nod_outbox_action_get_state (action))
    {
    case NOD_ACTION_IN_FLIGHT:
      /* Translators: %s is a merge request reference, like !42. */
      return g_strdup_printf (_("%s · sending"), reference);

    case NOD_ACTION_FAILED:
      reason = dup_single_line (nod_outbox_action_get_last_error (action));
      if (reason == NULL)
        /* Translators: %s is a merge request reference, like !42. */
        return g_strdup_printf (_("%s · failed"), reference);
      /* Translators: "!42 · failed: You can’t comment on this merge request". */
      return g_strdup_printf (_("%s · failed: %s"), reference, reason);

    case NOD_ACTION_PENDING:
    case NOD_ACTION_DONE:
    default:
      /* Translators: %s is a merge request reference, like !42. */
      return g_strdup_printf (_("%s · pending"), reference);
    }
}

static GtkWidget *
create_plain_label (const char *text,
                    const char *style_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (style_class != NULL)
    gtk_widget_add_css_class (label, style_class);
  return label;
}

static GtkWidget *
create_action_button (const char *label,
                      const char *tooltip,
                      const char *action_name,
                      const char *op_id)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", op_id);
  return button;
}

static GtkWidget *
create_action_row (NodOutboxAction *action)
{
  NodActionKind kind = nod_outbox_action_get_kind (action);
  g_autofree char *state_text = describe_action_state (action);
  g_autofree char *preview = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                  "icon-name", icon_for_kind (kind),
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                  NULL);
  GtkWidget *state_label;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  /* Level with the title, however many lines follow it. */
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  gtk_box_append (GTK_BOX (box), icon);

  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_box_append (GTK_BOX (texts), create_plain_label (title_for_kind (kind), "heading"));

  if (kind == NOD_ACTION_COMMENT || kind == NOD_ACTION_REPLY || kind == NOD_ACTION_EDIT_NOTE)
    preview = preview_body (nod_outbox_action_get_body (action));
  if (preview != NULL)
    gtk_box_append (GTK_BOX (texts), create_plain_label (preview, NULL));

  state_label = create_plain_label (state_text, "dim-label");
  gtk_widget_add_css_class (state_label, "caption");
  gtk_widget_set_tooltip_text (state_label, state_text);
  gtk_box_append (GTK_BOX (texts), state_label);

  /* Not sent yet: it can be taken back, and a comment reworded, in place. */
  if (nod_outbox_action_get_state (action) == NOD_ACTION_PENDING &&
      nod_outbox_action_get_review_id (action) == NULL)
    {
      const char *op_id = nod_outbox_action_get_op_id (action);
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      gtk_widget_set_halign (buttons, GTK_ALIGN_END);
      gtk_widget_set_margin_top (buttons, 6);
      gtk_box_append (GTK_BOX (buttons),
                      create_action_button (_("Cancel"), _("Take this action back unsent"),
                                            "win.cancel-action", op_id));
      if (kind == NOD_ACTION_COMMENT || kind == NOD_ACTION_REPLY)
        gtk_box_append (GTK_BOX (buttons),
                        create_action_button (_("Edit"), _("Change the text before it is sent"),
                                              "win.edit-action", op_id));
      gtk_box_append (GTK_BOX (texts), buttons);
    }

  /* Under the texts, not beside them: the reason needs the width more than they do. */
  if (nod_outbox_action_get_state (action) == NOD_ACTION_FAILED)
    {
      const char *op_id = nod_outbox_action_get_op_id (action);
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      gtk_widget_set_halign (buttons, GTK_ALIGN_END);
      gtk_widget_set_margin_top (buttons, 6);
      gtk_box_append (GTK_BOX (buttons),
                      create_action_button (_("Dismiss"), _("Drop this action unsent"),
                                            "app.discard-action", op_id));
      gtk_box_append (GTK_BOX (buttons),
                      create_action_button (_("Retry"), _("Send this action again"),
                                            "app.retry-action", op_id));
      gtk_box_append (GTK_BOX (texts), buttons);
    }

  return row;
}

static void
show_actions (NodStatusIndicator *self,
              GPtrArray          *actions)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->action_list))) != NULL)
    gtk_list_box_remove (self->action_list, row);

  for (guint i = 0; actions != NULL && i < actions->len; i++)
    gtk_list_box_append (self->action_list, create_action_row (actions->pdata[i]));

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->outbox_stack,
                                    actions != NULL && actions->len > 0 ? "list" : "empty");
}

static void
on_list_ready (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  NodStatusIndicator *self;

  actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result, &error);

  /* Cancelled: a newer list is on its way, or the indicator is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = NOD_STATUS_INDICATOR (user_data);
  g_clear_object (&self->list_cancellable);

  if (actions == NULL)
    {
      g_warning ("Could not list the outbox: %s", error->message);
      gtk_spinner_stop (self->spinner);
      return;
    }

  show_actions (self, actions);
}

static void
reload_outbox (NodStatusIndicator *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);

  if (self->outbox == NULL)
    {
      show_actions (self, NULL);
      return;
    }

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->outbox_stack), "loading") == 0)
    gtk_spinner_start (self->spinner);

  self->list_cancellable = g_cancellable_new ();
  nod_outbox_list_async (self->outbox, 0, self->list_cancellable, on_list_ready, self);
}

static void
on_button_toggled (NodStatusIndicator *self)
{
  gboolean active = gtk_toggle_button_get_active (self->button);

  if (active && !gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    gtk_popover_popup (self->popover);
  else if (!active && gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    gtk_popover_popdown (self->popover);
}

static void
on_popover_show (NodStatusIndicator *self)
{
  gtk_toggle_button_set_active (self->button, TRUE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->button),
                               GTK_ACCESSIBLE_STATE_EXPANDED, TRUE,
                               -1);
  reload_outbox (self);
}

static void
on_popover_closed (NodStatusIndicator *self)
{
  /* The popover closes on its way out while the indicator is disposed. */
  if (self->button == NULL)
    return;

  gtk_toggle_button_set_active (self->button, FALSE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->button),
                               GTK_ACCESSIBLE_STATE_EXPANDED, FALSE,
                               -1);
}

static gboolean
on_button_query_tooltip (GtkWidget          *button,
                         int                 x,
                         int                 y,
                         gboolean            keyboard_mode,
                         GtkTooltip         *tooltip,
                         NodStatusIndicator *self)
{
  if (self->tooltip == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, self->tooltip);
  return TRUE;
}

static gboolean
on_progress_tick (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);

  self->progress_tick_id = 0;
  update_display (self);
  return G_SOURCE_REMOVE;
}

static void
on_status_notify (NodSyncStatus      *status,
                  GParamSpec         *pspec,
                  NodStatusIndicator *self)
{
  const char *name = g_param_spec_get_name (pspec);

  /* A pull moves its progress once per merge request, hundreds of times a second; the
   * bar shows it once a frame. Everything else shows at once. */
  if (g_str_equal (name, "progress-current") || g_str_equal (name, "progress-total") ||
      g_str_equal (name, "texts-current") || g_str_equal (name, "texts-total"))
    {
      if (self->progress_tick_id == 0)
        self->progress_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                               on_progress_tick,
                                                               NULL, NULL);
      return;
    }

  update_display (self);

  if (g_str_equal (name, "can-sync-now") || g_str_equal (name, "sync-now-reason") ||
      g_str_equal (name, "state"))
    update_push_reason (self);

  /* What the outbox holds changed, or a job started or ended and sent some of it. */
  if ((g_str_equal (name, "pending-count") || g_str_equal (name, "failed-count")
       || g_str_equal (name, "state"))
      && gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    reload_outbox (self);
}

/* GObject and GtkWidget */

/* The bar is the one child that takes space; the popover floats above it. */
static GtkSizeRequestMode
nod_status_indicator_get_request_mode (GtkWidget *widget)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);

  return gtk_widget_get_request_mode (self->bar);
}

static void
nod_status_indicator_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);

  gtk_widget_measure (self->bar, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
nod_status_indicator_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);
  graphene_rect_t icon_bounds;

  gtk_widget_size_allocate (self->bar, &(GtkAllocation) { 0, 0, width, height }, baseline);

  /* The bar spans the window; the popover points at its icon, where the text starts. */
  if (gtk_widget_compute_bounds (GTK_WIDGET (self->icon), widget, &icon_bounds))
    {
      GdkRectangle icon_area = {
        (int) icon_bounds.origin.x, (int) icon_bounds.origin.y,
        (int) icon_bounds.size.width, (int) icon_bounds.size.height,
      };
      GdkRectangle pointing_to;

      if (!gtk_popover_get_pointing_to (self->popover, &pointing_to)
          || !gdk_rectangle_equal (&pointing_to, &icon_area))
        gtk_popover_set_pointing_to (self->popover, &icon_area);
    }
  gtk_popover_present (self->popover);
}

static void
nod_status_indicator_map (GtkWidget *widget)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);

  GTK_WIDGET_CLASS (nod_status_indicator_parent_class)->map (widget);

  /* Time went by while nobody could see the bar. */
  update_display (self);
  if (self->refresh_source_id == 0)
    self->refresh_source_id = g_timeout_add_seconds (REFRESH_INTERVAL_SECONDS,
                                                     on_refresh_timeout, self);
}

static void
nod_status_indicator_unmap (GtkWidget *widget)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (widget);

  g_clear_handle_id (&self->refresh_source_id, g_source_remove);

  GTK_WIDGET_CLASS (nod_status_indicator_parent_class)->unmap (widget);
}

static void
nod_status_indicator_dispose (GObject *object)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_handle_id (&self->refresh_source_id, g_source_remove);
  if (self->progress_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->progress_tick_id);
      self->progress_tick_id = 0;
    }

  /* The status outlives us; it must not reach a half-disposed widget. */
  if (self->status != NULL)
    g_signal_handlers_disconnect_by_data (self->status, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_STATUS_INDICATOR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->status);
  g_clear_object (&self->outbox);
  g_clear_pointer (&self->tooltip, g_free);

  G_OBJECT_CLASS (nod_status_indicator_parent_class)->dispose (object);
}

static void
nod_status_indicator_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_object (value, self->status);
      break;

    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_status_indicator_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  NodStatusIndicator *self = NOD_STATUS_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      nod_status_indicator_set_status (self, g_value_get_object (value));
      break;

    case PROP_OUTBOX:
      nod_status_indicator_set_outbox (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_status_indicator_class_init (NodStatusIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_status_indicator_dispose;
  object_class->get_property = nod_status_indicator_get_property;
  object_class->set_property = nod_status_indicator_set_property;

  widget_class->get_request_mode = nod_status_indicator_get_request_mode;
  widget_class->measure = nod_status_indicator_measure;
  widget_class->size_allocate = nod_status_indicator_size_allocate;
  widget_class->map = nod_status_indicator_map;
  widget_class->unmap = nod_status_indicator_unmap;

  /* What the bar shows. Setting NULL shows a status that knows nothing yet. */
  properties[PROP_STATUS] =
    g_param_spec_object ("status", NULL, NULL,
                         NOD_TYPE_SYNC_STATUS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Where the popover's list comes from; NULL shows an empty list. */
  properties[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL,
                         NOD_TYPE_OUTBOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/"
                                               "nod-status-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, bar);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, outbox_stack);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, action_list);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, push_button);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, NodStatusIndicator, push_reason_label);
  gtk_widget_class_bind_template_callback (widget_class, on_button_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_button_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_closed);
}

static void
nod_status_indicator_init (NodStatusIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nod_status_indicator_new:
 * @status: the view-model the bar shows
 * @outbox: (nullable): the outbox the popover lists
 *
 * Returns: (transfer floating): a new status indicator
 */
GtkWidget *
nod_status_indicator_new (NodSyncStatus *status,
                          NodOutbox     *outbox)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (status), NULL);
  g_return_val_if_fail (outbox == NULL || NOD_IS_OUTBOX (outbox), NULL);

  return g_object_new (NOD_TYPE_STATUS_INDICATOR,
                       "status", status,
                       "outbox", outbox,
                       NULL);
}

/**
 * nod_status_indicator_get_status:
 *
 * Returns: (transfer none): the view-model the bar shows; never %NULL
 */
NodSyncStatus *
nod_status_indicator_get_status (NodStatusIndicator *self)
{
  g_return_val_if_fail (NOD_IS_STATUS_INDICATOR (self), NULL);

  return self->status;
}

/**
 * nod_status_indicator_set_status:
 * @status: (nullable): the view-model to show, or %NULL for one that knows nothing yet
 */
void
nod_status_indicator_set_status (NodStatusIndicator *self,
                                 NodSyncStatus      *status)
{
  g_autoptr(NodSyncStatus) shown = NULL;

  g_return_if_fail (NOD_IS_STATUS_INDICATOR (self));
  g_return_if_fail (status == NULL || NOD_IS_SYNC_STATUS (status));

  if (status == NULL ? self->status_is_placeholder : status == self->status)
    return;

  shown = status != NULL ? g_object_ref (status) : nod_sync_status_new ();
  self->status_is_placeholder = status == NULL;

  if (self->status != NULL)
    g_signal_handlers_disconnect_by_data (self->status, self);
  g_set_object (&self->status, shown);
  g_signal_connect_object (self->status, "notify", G_CALLBACK (on_status_notify), self, 0);

  update_display (self);
  update_push_reason (self);
  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    reload_outbox (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
nod_status_indicator_reload (NodStatusIndicator *self)
{
  g_return_if_fail (NOD_IS_STATUS_INDICATOR (self));

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    reload_outbox (self);
}

NodOutbox *
nod_status_indicator_get_outbox (NodStatusIndicator *self)
{
  g_return_val_if_fail (NOD_IS_STATUS_INDICATOR (self), NULL);

  return self->outbox;
}

void
nod_status_indicator_set_outbox (NodStatusIndicator *self,
                                 NodOutbox          *outbox)
{
  g_return_if_fail (NOD_IS_STATUS_INDICATOR (self));
  g_return_if_fail (outbox == NULL || NOD_IS_OUTBOX (outbox));

  if (!g_set_object (&self->outbox, outbox))
    return;

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    reload_outbox (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTBOX]);
}

/**
 * nod_status_indicator_get_text:
 *
 * Returns: what the bar says right now, as its label shows it
 */
const char *
nod_status_indicator_get_text (NodStatusIndicator *self)
{
  g_return_val_if_fail (NOD_IS_STATUS_INDICATOR (self), NULL);

  return gtk_label_get_text (self->label);
}

gboolean
nod_status_indicator_get_progress_visible (NodStatusIndicator *self)
{
  g_return_val_if_fail (NOD_IS_STATUS_INDICATOR (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->progress_bar));
}

/**
 * nod_status_indicator_get_popover:
 *
 * Returns: (transfer none): the popover that lists the outbox
 */
GtkWidget *
nod_status_indicator_get_popover (NodStatusIndicator *self)
{
  g_return_val_if_fail (NOD_IS_STATUS_INDICATOR (self), NULL);

  return GTK_WIDGET (self->popover);
}
