/* nod-preferences-window.c: accounts, sync settings and Push now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window only shows things and asks for them: the settings rows are bound to GSettings,
 * the accounts list follows a model the application owns, the Push now row follows the
 * engine's NodSyncStatus, and every button activates an app.* action.
 */

#define G_LOG_DOMAIN "nod-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-account.h"
#include "nod-preferences-window.h"

#define REMOVE_ACCOUNT_ACTION "app.remove-account"
#define SIGN_IN_ACCOUNT_ACTION "app.sign-in-account"
#define SIGN_OUT_ACCOUNT_ACTION "app.sign-out-account"

/* The choices of the "Sync every" row, in seconds, in the order of its model in the .ui. */
static const guint sync_intervals[] = { 60, 5 * 60, 15 * 60, 30 * 60, 60 * 60 };

/* The choices of the "History to fetch" row, in the order of its model in the .ui. */
static const char * const history_depths[] = { "30-days", "90-days", "all" };

struct _NodPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  NodSyncStatus        *status;
  GListModel           *accounts;

  /* Whether last-summary has changed since we started listening: until then an all-zero
   * summary means "nothing pushed yet", not "pushed nothing". */
  gboolean              last_push_known;

  /* Template widgets */
  GtkListBox           *accounts_list;
  GtkSwitch            *auto_sync_switch;
  AdwComboRow          *interval_row;
  AdwComboRow          *history_row;
  GtkSwitch            *offline_switch;
  GtkSwitch            *notifications_switch;
  AdwActionRow         *push_row;
  GtkButton            *push_button;
};

G_DEFINE_FINAL_TYPE (NodPreferencesWindow, nod_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_SETTINGS,
  PROP_STATUS,
  PROP_ACCOUNTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Settings ↔ combo rows */

static gboolean
interval_to_position (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  gint64 seconds = g_variant_get_uint32 (variant);
  guint nearest = 0;

  /* A value set elsewhere (the command line, dconf) that the row does not list shows as
   * the closest choice; the setting itself is left alone until the user picks one. */
  for (guint i = 1; i < G_N_ELEMENTS (sync_intervals); i++)
    {
      if (ABS (sync_intervals[i] - seconds) < ABS (sync_intervals[nearest] - seconds))
        nearest = i;
    }

  g_value_set_uint (value, nearest);
  return TRUE;
}

static GVariant *
position_to_interval (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (sync_intervals))
    return NULL;

  return g_variant_new_uint32 (sync_intervals[position]);
}

static gboolean
history_depth_to_position (GValue   *value,
                           GVariant *variant,
                           gpointer  user_data)
{
  const char *depth = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (history_depths); i++)
    {
      if (g_str_equal (depth, history_depths[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  /* The schema's choices keep other values out; should one slip in, show the default. */
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
position_to_history_depth (const GValue       *value,
                           const GVariantType *expected_type,
                           gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (history_depths))
    return NULL;

  return g_variant_new_string (history_depths[position]);
}

static void
bind_settings (NodPreferencesWindow *self)
{
  g_settings_bind (self->settings, "auto-sync", self->auto_sync_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "offline-mode", self->offline_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  /* The interval only matters when Nod syncs on its own: the row's sensitivity follows
   * auto-sync rather than whether sync-interval is writable. */
  g_settings_bind_with_mapping (self->settings, "sync-interval", self->interval_row, "selected",
                                G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_NO_SENSITIVITY,
                                interval_to_position, position_to_interval, NULL, NULL);
  g_settings_bind (self->settings, "auto-sync", self->interval_row, "sensitive",
                   G_SETTINGS_BIND_GET);

  g_settings_bind_with_mapping (self->settings, "history-depth", self->history_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                history_depth_to_position, position_to_history_depth,
                                NULL, NULL);
}

/* Accounts */

static void
update_account_subtitle (NodAccount *account,
                         GParamSpec *pspec,
                         AdwActionRow *row)
{
  g_autofree char *subtitle = NULL;

  if (nod_account_get_signed_in (account))
    subtitle = g_strdup (nod_account_get_base_url (account));
  else
    /* Translators: %s is a GitLab address, e.g. "https://gitlab.com" */
    subtitle = g_strdup_printf (_("%s · Signed out"), nod_account_get_base_url (account));
  adw_action_row_set_subtitle (row, subtitle);
}

static void
add_account_button (AdwActionRow *row,
                    GtkWidget    *button,
                    NodAccount   *account,
                    const char   *action_name)
{
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_int64 (nod_account_get_id (account)));
  adw_action_row_add_suffix (row, button);
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  NodAccount *account = NOD_ACCOUNT (item);
  g_autofree char *title = nod_account_dup_title (account);
  GtkWidget *row;
  GtkWidget *sign_in_button;
  GtkWidget *sign_out_button;
  GtkWidget *remove_button;

  row = adw_action_row_new ();
  /* The username and the URL are the server's and the user's words, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  update_account_subtitle (account, NULL, ADW_ACTION_ROW (row));
  g_signal_connect_object (account, "notify::signed-in", G_CALLBACK (update_account_subtitle),
                           row, 0);

  /* Signing out forgets the token and keeps the rest; signing in brings a new one. */
  sign_out_button = gtk_button_new_with_mnemonic (_("Sign _Out"));
  gtk_widget_add_css_class (sign_out_button, "flat");
  g_object_bind_property (account, "signed-in", sign_out_button, "visible",
                          G_BINDING_SYNC_CREATE);
  add_account_button (ADW_ACTION_ROW (row), sign_out_button, account, SIGN_OUT_ACCOUNT_ACTION);

  sign_in_button = gtk_button_new_with_mnemonic (_("_Sign In…"));
  gtk_widget_add_css_class (sign_in_button, "suggested-action");
  g_object_bind_property (account, "signed-in", sign_in_button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  add_account_button (ADW_ACTION_ROW (row), sign_in_button, account, SIGN_IN_ACCOUNT_ACTION);

  remove_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_tooltip_text (remove_button, _("Remove account"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove account"),
                                  -1);
  /* A destructive look on a flat button: libadwaita 1.2 draws a flat "destructive-action"
   * button's icon in the white meant for a red background, invisible on a row. */
  gtk_widget_add_css_class (remove_button, "flat");
  gtk_widget_add_css_class (remove_button, "error");
  /* The application asks for confirmation before it removes anything. */
  add_account_button (ADW_ACTION_ROW (row), remove_button, account, REMOVE_ACCOUNT_ACTION);

  return row;
}

/* Push now */

static gboolean
summary_is_empty (const NodSyncSummary *summary)
{
  return summary->pushed == 0 && summary->failed == 0 && summary->remaining == 0
         && summary->pulled == 0;
}

static char *
describe_last_push (NodPreferencesWindow *self)
{
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (self->status);
  g_autofree char *pushed = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *remaining = NULL;

  if (!self->last_push_known && summary_is_empty (summary))
    return g_strdup (_("Nothing pushed yet"));

  /* Translators: the first part of the outcome of the last push, e.g. "Pushed 4" */
  pushed = g_strdup_printf (ngettext ("Pushed %u", "Pushed %u", summary->pushed),
                            summary->pushed);
  /* Translators: the second part of the outcome of the last push, e.g. "1 failed" */
  failed = g_strdup_printf (ngettext ("%u failed", "%u failed", summary->failed),
                            summary->failed);
  /* Translators: the last part of the outcome of the last push: actions still waiting
   * in the outbox, e.g. "0 remaining" */
  remaining = g_strdup_printf (ngettext ("%u remaining", "%u remaining", summary->remaining),
                               summary->remaining);

  /* Translators: the outcome of the last push, e.g. "Pushed 4 · 1 failed · 0 remaining" */
  return g_strdup_printf (_("%s · %s · %s"), pushed, failed, remaining);
}

static void
update_push_subtitle (NodPreferencesWindow *self)
{
  const char *reason = nod_sync_status_get_sync_now_reason (self->status);
  g_autofree char *outcome = NULL;

  /* When Push now cannot run, say why; the outcome comes back once it can. */
  if (!nod_sync_status_get_can_sync_now (self->status) && reason != NULL && *reason != '\0')
    {
      adw_action_row_set_subtitle (self->push_row, reason);
      return;
    }

  outcome = describe_last_push (self);
  adw_action_row_set_subtitle (self->push_row, outcome);
}

static void
on_last_summary_changed (NodPreferencesWindow *self)
{
  self->last_push_known = TRUE;
  update_push_subtitle (self);
}

static void
bind_status (NodPreferencesWindow *self)
{
  /* The button follows app.push-now, which the application keeps enabled exactly when
   * a push can run; the row says why not. */
  g_signal_connect_object (self->status, "notify::can-sync-now",
                           G_CALLBACK (update_push_subtitle), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status, "notify::sync-now-reason",
                           G_CALLBACK (update_push_subtitle), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status, "notify::last-summary",
                           G_CALLBACK (on_last_summary_changed), self, G_CONNECT_SWAPPED);

  update_push_subtitle (self);
}

/* GObject */

static void
nod_preferences_window_constructed (GObject *object)
{
  NodPreferencesWindow *self = NOD_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (nod_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));
  g_assert (NOD_IS_SYNC_STATUS (self->status));
  g_assert (G_IS_LIST_MODEL (self->accounts));

  bind_settings (self);
  gtk_list_box_bind_model (self->accounts_list, self->accounts,
                           create_account_row, self, NULL);
  bind_status (self);
}

static void
nod_preferences_window_dispose (GObject *object)
{
  NodPreferencesWindow *self = NOD_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->status);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (nod_preferences_window_parent_class)->dispose (object);
}

static void
nod_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  NodPreferencesWindow *self = NOD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_STATUS:
      g_value_set_object (value, self->status);
      break;

    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  NodPreferencesWindow *self = NOD_PREFERENCES_WINDOW (object);

  /* All construct-only: each is set once, before constructed (). */
  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    case PROP_STATUS:
      self->status = g_value_dup_object (value);
      break;

    case PROP_ACCOUNTS:
      self->accounts = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_preferences_window_class_init (NodPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS
                      | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = nod_preferences_window_constructed;
  object_class->dispose = nod_preferences_window_dispose;
  object_class->get_property = nod_preferences_window_get_property;
  object_class->set_property = nod_preferences_window_set_property;

  /* The application's settings (io.github.nodreview.Nod). */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, flags);
  /* The engine's view-model, for the Push now row. */
  properties[PROP_STATUS] =
    g_param_spec_object ("status", NULL, NULL, NOD_TYPE_SYNC_STATUS, flags);
  /* A GListModel of NodAccount; the rows follow its changes. */
  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, G_TYPE_LIST_MODEL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/"
                                               "nod-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, auto_sync_switch);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, interval_row);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, history_row);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, offline_switch);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow,
                                        notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, push_row);
  gtk_widget_class_bind_template_child (widget_class, NodPreferencesWindow, push_button);
}

static void
nod_preferences_window_init (NodPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * nod_preferences_window_new:
 * @settings: the application's settings
 * @status: the sync engine's status, for the Push now row
 * @accounts: a #GListModel of #NodAccount
 *
 * The buttons activate app.add-account, app.remove-account, app.sign-in-account and
 * app.sign-out-account (the last three with the account id, "x")
 * and app.push-now: give the window the application, or an "app" action group.
 *
 * Returns: (transfer full): a new preferences window
 */
NodPreferencesWindow *
nod_preferences_window_new (GSettings     *settings,
                            NodSyncStatus *status,
                            GListModel    *accounts)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (status), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);
  g_return_val_if_fail (g_type_is_a (NOD_TYPE_ACCOUNT, g_list_model_get_item_type (accounts)),
                        NULL);

  return g_object_new (NOD_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       "status", status,
                       "accounts", accounts,
                       NULL);
}

/**
 * nod_preferences_window_get_push_subtitle:
 *
 * Returns: (transfer none): what the Push now row says under its title
 */
const char *
nod_preferences_window_get_push_subtitle (NodPreferencesWindow *self)
{
  g_return_val_if_fail (NOD_IS_PREFERENCES_WINDOW (self), NULL);

  return adw_action_row_get_subtitle (self->push_row);
}

/**
 * nod_preferences_window_get_push_button:
 *
 * Returns: (transfer none): the Push now button
 */
GtkWidget *
nod_preferences_window_get_push_button (NodPreferencesWindow *self)
{
  g_return_val_if_fail (NOD_IS_PREFERENCES_WINDOW (self), NULL);

  return GTK_WIDGET (self->push_button);
}
