/* test-preferences-window.c: the Preferences window follows settings, accounts and the
 * sync status, and asks the application for everything through app.* actions (run under
 * Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-account.h"
#include "nod-preferences-window.h"
#include "nod-sync-status.h"
#include "nod-test-utils.h"

static gboolean have_display;

typedef struct
{
  GSettings            *settings;
  /* Another handle on the same settings: "somewhere else" changing a key. */
  GSettings            *elsewhere;
  NodSyncStatus        *status;
  GListStore           *accounts;
  NodPreferencesWindow *window;

  /* Stands in for the application's actions. */
  GSimpleActionGroup   *app_actions;
  guint                 push_now_count;
  guint                 add_account_count;
  guint                 remove_account_count;
  gint64                removed_account_id;
  gint64                signed_in_account_id;   /* the last app.sign-in-account's */
  gint64                signed_out_account_id;  /* the last app.sign-out-account's */
} Fixture;

static const char * const setting_keys[] = {
  "sync-interval", "history-depth", "auto-sync", "offline-mode", "notifications",
};

static void
on_push_now (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->push_now_count++;
}

static void
on_add_account (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->add_account_count++;
}

static void
on_remove_account (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->remove_account_count++;
  fixture->removed_account_id = g_variant_get_int64 (parameter);
}

static void
on_sign_in_account (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ((Fixture *) user_data)->signed_in_account_id = g_variant_get_int64 (parameter);
}

static void
on_sign_out_account (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  ((Fixture *) user_data)->signed_out_account_id = g_variant_get_int64 (parameter);
}

static const GActionEntry app_action_entries[] = {
  { "push-now", on_push_now },
  { "add-account", on_add_account },
  { "remove-account", on_remove_account, "x" },
  { "sign-in-account", on_sign_in_account, "x" },
  { "sign-out-account", on_sign_out_account, "x" },
};

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  if (!have_display)
    return;

  fixture->settings = g_settings_new (APP_ID);
  fixture->elsewhere = g_settings_new (APP_ID);
  /* The memory backend lives as long as the process: start every case from the defaults. */
  for (guint i = 0; i < G_N_ELEMENTS (setting_keys); i++)
    g_settings_reset (fixture->settings, setting_keys[i]);

  fixture->status = nod_sync_status_new ();
  fixture->accounts = g_list_store_new (NOD_TYPE_ACCOUNT);
  fixture->window = nod_preferences_window_new (fixture->settings, fixture->status,
                                                G_LIST_MODEL (fixture->accounts));
  g_assert_true (NOD_IS_PREFERENCES_WINDOW (fixture->window));
  /* Ours, so that the last unref can be checked after the window is destroyed. */
  g_object_ref (fixture->window);

  fixture->app_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->app_actions), app_action_entries,
                                   G_N_ELEMENTS (app_action_entries), fixture);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app",
                                  G_ACTION_GROUP (fixture->app_actions));
  /* As the application does: Push now is enabled exactly when the engine can push. */
  g_object_bind_property (fixture->status, "can-sync-now",
                          g_action_map_lookup_action (G_ACTION_MAP (fixture->app_actions),
                                                      "push-now"),
                          "enabled", G_BINDING_SYNC_CREATE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (!have_display)
    return;

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->window));

  g_clear_object (&fixture->app_actions);
  g_clear_object (&fixture->accounts);
  g_clear_object (&fixture->status);
  g_clear_object (&fixture->elsewhere);
  g_clear_object (&fixture->settings);
}

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
  return !have_display;
}

/* Finding widgets */

typedef gboolean (*WidgetMatch) (GtkWidget  *widget,
                                 const char *data);

static void
collect_widgets (GtkWidget   *root,
                 WidgetMatch  match,
                 const char  *data,
                 GPtrArray   *found)
{
  if (match (root, data))
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, match, data, found);
}

static GPtrArray *
find_all (Fixture     *fixture,
          WidgetMatch  match,
          const char  *data)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (fixture->window), match, data, found);
  return found;
}

static GtkWidget *
find_one (Fixture     *fixture,
          WidgetMatch  match,
          const char  *data)
{
  g_autoptr(GPtrArray) found = find_all (fixture, match, data);

  if (found->len != 1)
    g_error ("Expected one widget matching “%s”, found %u", data, found->len);
  return g_ptr_array_index (found, 0);
}

static gboolean
is_row_titled (GtkWidget  *widget,
               const char *title)
{
  return ADW_IS_PREFERENCES_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
is_button_for_action (GtkWidget  *widget,
                      const char *action_name)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
                       action_name) == 0;
}

static gboolean
is_label_saying (GtkWidget  *widget,
                 const char *text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_label_showing (GtkWidget  *widget,
                  const char *text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static GtkWidget *
find_switch (Fixture    *fixture,
             const char *row_title)
{
  GtkWidget *row = find_one (fixture, is_row_titled, row_title);
  GtkWidget *toggle = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row));

  g_assert_true (GTK_IS_SWITCH (toggle));
  return toggle;
}

static const char *
combo_row_get_selected_string (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  g_assert_true (GTK_IS_STRING_OBJECT (item));
  return gtk_string_object_get_string (item);
}

static guint
combo_row_find_string (AdwComboRow *row,
                       const char  *text)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), text))
        return i;
    }

  g_error ("No choice “%s” in the row “%s”", text,
           adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
}

/* Waiting for conditions */

typedef struct
{
  GtkSwitch *toggle;
  gboolean   active;
} SwitchWait;

static gboolean
switch_is (gpointer data)
{
  SwitchWait *wait = data;

  return gtk_switch_get_active (wait->toggle) == wait->active;
}

static void
wait_for_switch (GtkWidget *toggle,
                 gboolean   active)
{
  SwitchWait wait = { GTK_SWITCH (toggle), active };

  nod_test_wait_until (switch_is, &wait);
}

typedef struct
{
  GtkWidget *widget;
  gboolean   sensitive;
} SensitiveWait;

static gboolean
sensitive_is (gpointer data)
{
  SensitiveWait *wait = data;

  return gtk_widget_get_sensitive (wait->widget) == wait->sensitive;
}

static void
wait_for_sensitive (GtkWidget *widget,
                    gboolean   sensitive)
{
  SensitiveWait wait = { widget, sensitive };

  nod_test_wait_until (sensitive_is, &wait);
}

typedef struct
{
  AdwComboRow *row;
  const char  *text;
} ComboWait;

static gboolean
combo_shows (gpointer data)
{
  ComboWait *wait = data;

  return g_strcmp0 (combo_row_get_selected_string (wait->row), wait->text) == 0;
}

static void
wait_for_combo (GtkWidget  *row,
                const char *text)
{
  ComboWait wait = { ADW_COMBO_ROW (row), text };

  nod_test_wait_until (combo_shows, &wait);
}

typedef struct
{
  GSettings  *settings;
  const char *key;
  GVariant   *value;
} SettingWait;

static gboolean
setting_is (gpointer data)
{
  SettingWait *wait = data;
  g_autoptr(GVariant) value = g_settings_get_value (wait->settings, wait->key);

  return g_variant_equal (value, wait->value);
}

/* Takes @value if it is floating. */
static void
wait_for_setting (GSettings  *settings,
                  const char *key,
                  GVariant   *value)
{
  SettingWait wait = { settings, key, g_variant_ref_sink (value) };

  nod_test_wait_until (setting_is, &wait);
  g_variant_unref (wait.value);
}

typedef struct
{
  NodPreferencesWindow *window;
  const char           *subtitle;
} SubtitleWait;

static gboolean
push_subtitle_is (gpointer data)
{
  SubtitleWait *wait = data;

  return g_strcmp0 (nod_preferences_window_get_push_subtitle (wait->window),
                    wait->subtitle) == 0;
}

static void
wait_for_push_subtitle (NodPreferencesWindow *window,
                        const char           *subtitle)
{
  SubtitleWait wait = { window, subtitle };

  nod_test_wait_until (push_subtitle_is, &wait);
}

/* Sync settings */

static void
test_switches_follow_settings (Fixture       *fixture,
                               gconstpointer  user_data)
{
  static const struct
  {
    const char *key;
    const char *row_title;
  } switches[] = {
    { "auto-sync", "Sync automatically" },
    { "offline-mode", "Work offline" },
    { "notifications", "Notifications" },
  };

  if (skip_without_display ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    {
      GtkWidget *toggle = find_switch (fixture, switches[i].row_title);

      g_test_message ("%s ↔ %s", switches[i].key, switches[i].row_title);
      g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (toggle)), ==,
                       g_settings_get_boolean (fixture->settings, switches[i].key));

      /* The setting changes elsewhere: the switch follows. */
      g_settings_set_boolean (fixture->elsewhere, switches[i].key, TRUE);
      wait_for_switch (toggle, TRUE);
      g_settings_set_boolean (fixture->elsewhere, switches[i].key, FALSE);
      wait_for_switch (toggle, FALSE);

      /* The user flips the switch: the setting follows. */
      gtk_switch_set_active (GTK_SWITCH (toggle), TRUE);
      wait_for_setting (fixture->elsewhere, switches[i].key, g_variant_new_boolean (TRUE));
      gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
      wait_for_setting (fixture->elsewhere, switches[i].key, g_variant_new_boolean (FALSE));
    }

  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_one (fixture, is_row_titled,
                                                                          "Work offline"))),
                   ==, "Nothing is sent or fetched; your actions wait in the outbox");
}

static void
test_interval_follows_settings (Fixture       *fixture,
                                gconstpointer  user_data)
{
  GtkWidget *row;

  if (skip_without_display ())
    return;

  row = find_one (fixture, is_row_titled, "Sync every");
  g_assert_true (ADW_IS_COMBO_ROW (row));
  /* The schema's default, 300 s. */
  g_assert_cmpstr (combo_row_get_selected_string (ADW_COMBO_ROW (row)), ==, "5 minutes");

  g_settings_set_uint (fixture->elsewhere, "sync-interval", 900);
  wait_for_combo (row, "15 minutes");
  g_settings_set_uint (fixture->elsewhere, "sync-interval", 3600);
  wait_for_combo (row, "1 hour");

  adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                              combo_row_find_string (ADW_COMBO_ROW (row), "15 minutes"));
  wait_for_setting (fixture->elsewhere, "sync-interval", g_variant_new_uint32 (900));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                              combo_row_find_string (ADW_COMBO_ROW (row), "1 minute"));
  wait_for_setting (fixture->elsewhere, "sync-interval", g_variant_new_uint32 (60));

  /* A value the row does not list shows as the nearest choice, and stays as it is. */
  g_settings_set_uint (fixture->elsewhere, "sync-interval", 1000);
  wait_for_combo (row, "15 minutes");
  g_settings_set_uint (fixture->elsewhere, "sync-interval", 86400);
  wait_for_combo (row, "1 hour");
  g_settings_set_uint (fixture->elsewhere, "sync-interval", 120);
  wait_for_combo (row, "1 minute");
  g_assert_cmpuint (g_settings_get_uint (fixture->settings, "sync-interval"), ==, 120);

  /* Without automatic sync there is no interval to choose. */
  g_assert_true (gtk_widget_get_sensitive (row));
  g_settings_set_boolean (fixture->elsewhere, "auto-sync", FALSE);
  wait_for_sensitive (row, FALSE);
  g_settings_set_boolean (fixture->elsewhere, "auto-sync", TRUE);
  wait_for_sensitive (row, TRUE);
}

static void
test_history_depth_follows_settings (Fixture       *fixture,
                                     gconstpointer  user_data)
{
  static const struct
  {
    const char *value;
    const char *label;
  } depths[] = {
    { "90-days", "Last 90 days" },
    { "all", "All history" },
    { "30-days", "Last 30 days" },
  };
  GtkWidget *row;

  if (skip_without_display ())
    return;

  row = find_one (fixture, is_row_titled, "History to fetch");
  g_assert_true (ADW_IS_COMBO_ROW (row));
  g_assert_cmpstr (combo_row_get_selected_string (ADW_COMBO_ROW (row)), ==, "Last 30 days");

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      g_settings_set_string (fixture->elsewhere, "history-depth", depths[i].value);
      wait_for_combo (row, depths[i].label);
    }

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                                  combo_row_find_string (ADW_COMBO_ROW (row),
                                                         depths[i].label));
      wait_for_setting (fixture->elsewhere, "history-depth",
                        g_variant_new_string (depths[i].value));
    }
}

/* Accounts */

static GtkWidget *
account_row_of (GtkWidget *remove_button)
{
  GtkWidget *row = gtk_widget_get_ancestor (remove_button, ADW_TYPE_ACTION_ROW);

  g_assert_nonnull (row);
  return row;
}

static void
test_accounts_follow_model (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(NodAccount) sam = NULL;
  g_autoptr(NodAccount) kim = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *empty_label;

  if (skip_without_display ())
    return;

  empty_label = find_one (fixture, is_label_saying, "No accounts yet");
  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 0);
  g_assert_true (gtk_widget_get_child_visible (empty_label));
  g_clear_pointer (&buttons, g_ptr_array_unref);

  sam = nod_account_new (7, "https://gitlab.com", "sam");
  nod_account_set_signed_in (sam, TRUE);
  /* Names come from the server: they are shown as they are, never read as markup. */
  kim = nod_account_new (42, "https://gitlab.example.org:8443", "kim<b>&amp;");
  g_list_store_append (fixture->accounts, sam);
  g_list_store_append (fixture->accounts, kim);

  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 2);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                     account_row_of (g_ptr_array_index (buttons, 0)))), ==,
                   "sam on gitlab.com");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     account_row_of (g_ptr_array_index (buttons, 0)))), ==,
                   "https://gitlab.com");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                     account_row_of (g_ptr_array_index (buttons, 1)))), ==,
                   "kim<b>&amp; on gitlab.example.org:8443");
  g_assert_false (gtk_widget_get_child_visible (empty_label));
  g_clear_pointer (&buttons, g_ptr_array_unref);

  /* What people see is the name as it is, not what markup would make of it. */
  g_assert_nonnull (find_one (fixture, is_label_showing,
                              "kim<b>&amp; on gitlab.example.org:8443"));

  g_list_store_remove (fixture->accounts, 0);
  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                     account_row_of (g_ptr_array_index (buttons, 0)))), ==,
                   "kim<b>&amp; on gitlab.example.org:8443");
  g_clear_pointer (&buttons, g_ptr_array_unref);

  g_list_store_remove_all (fixture->accounts);
  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 0);
  g_assert_true (gtk_widget_get_child_visible (empty_label));
}

static void
test_remove_account_asks_the_app (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(NodAccount) sam = NULL;
  g_autoptr(NodAccount) kim = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *kims_button;

  if (skip_without_display ())
    return;

  sam = nod_account_new (7, "https://gitlab.com", "sam");
  kim = nod_account_new (42, "https://gitlab.example.org", "kim");
  g_list_store_append (fixture->accounts, sam);
  g_list_store_append (fixture->accounts, kim);

  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 2);
  kims_button = g_ptr_array_index (buttons, 1);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (kims_button), ==, "Remove account");
  g_assert_true (gtk_widget_get_sensitive (kims_button));

  g_signal_emit_by_name (kims_button, "clicked");
  g_assert_cmpuint (fixture->remove_account_count, ==, 1);
  g_assert_cmpint (fixture->removed_account_id, ==, 42);

  /* Removing is the application's job, after it asked: the row stays until the model
   * changes. */
  g_clear_pointer (&buttons, g_ptr_array_unref);
  buttons = find_all (fixture, is_button_for_action, "app.remove-account");
  g_assert_cmpuint (buttons->len, ==, 2);

  g_signal_emit_by_name (g_ptr_array_index (buttons, 0), "clicked");
  g_assert_cmpuint (fixture->remove_account_count, ==, 2);
  g_assert_cmpint (fixture->removed_account_id, ==, 7);
}

/* A signed-in account offers Sign Out, a signed-out one Sign In…; each asks the app, with
 * the account's id, and the row follows the account when it changes. */
static void
test_sign_in_and_out (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(NodAccount) sam = NULL;
  g_autoptr(GPtrArray) sign_out = NULL;
  g_autoptr(GPtrArray) sign_in = NULL;
  GtkWidget *row;

  if (skip_without_display ())
    return;

  sam = nod_account_new (7, "https://gitlab.com", "sam");
  nod_account_set_signed_in (sam, TRUE);
  g_list_store_append (fixture->accounts, sam);

  sign_out = find_all (fixture, is_button_for_action, "app.sign-out-account");
  sign_in = find_all (fixture, is_button_for_action, "app.sign-in-account");
  g_assert_cmpuint (sign_out->len, ==, 1);
  g_assert_cmpuint (sign_in->len, ==, 1);
  row = account_row_of (sign_out->pdata[0]);
  g_assert_true (gtk_widget_get_visible (sign_out->pdata[0]));
  g_assert_false (gtk_widget_get_visible (sign_in->pdata[0]));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "https://gitlab.com");

  g_signal_emit_by_name (sign_out->pdata[0], "clicked");
  g_assert_cmpint (fixture->signed_out_account_id, ==, 7);

  /* The application signs it out: the row says so and offers to sign in again. */
  nod_account_set_signed_in (sam, FALSE);
  g_assert_false (gtk_widget_get_visible (sign_out->pdata[0]));
  g_assert_true (gtk_widget_get_visible (sign_in->pdata[0]));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "https://gitlab.com · Signed out");

  g_signal_emit_by_name (sign_in->pdata[0], "clicked");
  g_assert_cmpint (fixture->signed_in_account_id, ==, 7);
}

static void
test_add_account_asks_the_app (Fixture       *fixture,
                               gconstpointer  user_data)
{
  GtkWidget *button;

  if (skip_without_display ())
    return;

  button = find_one (fixture, is_button_for_action, "app.add-account");
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->add_account_count, ==, 1);
}

/* Push now */

static void
test_push_outcome (Fixture       *fixture,
                   gconstpointer  user_data)
{
  NodSyncSummary summary = { .pushed = 4, .failed = 1, .remaining = 0 };

  if (skip_without_display ())
    return;

  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  g_assert_cmpstr (nod_preferences_window_get_push_subtitle (fixture->window), ==,
                   "Nothing pushed yet");

  nod_sync_status_set_last_summary (fixture->status, &summary);
  wait_for_push_subtitle (fixture->window, "Pushed 4 · 1 failed · 0 remaining");

  summary = (NodSyncSummary) { .pushed = 1, .failed = 0, .remaining = 2, .pulled = 9 };
  nod_sync_status_set_last_summary (fixture->status, &summary);
  wait_for_push_subtitle (fixture->window, "Pushed 1 · 0 failed · 2 remaining");

  /* A push that found nothing to do says so; it is no longer "never". */
  nod_sync_status_set_last_summary (fixture->status, NULL);
  wait_for_push_subtitle (fixture->window, "Pushed 0 · 0 failed · 0 remaining");
}

static void
test_push_outcome_from_before (Fixture       *fixture,
                               gconstpointer  user_data)
{
  NodSyncSummary summary = { .pushed = 2, .failed = 0, .remaining = 1 };
  g_autoptr(NodSyncStatus) status = nod_sync_status_new ();
  NodPreferencesWindow *window;

  if (skip_without_display ())
    return;

  /* A window opened after a push shows that push at once. */
  nod_sync_status_set_can_sync_now (status, TRUE);
  nod_sync_status_set_last_summary (status, &summary);
  window = nod_preferences_window_new (fixture->settings, status,
                                       G_LIST_MODEL (fixture->accounts));
  g_object_ref (window);
  g_assert_cmpstr (nod_preferences_window_get_push_subtitle (window), ==,
                   "Pushed 2 · 0 failed · 1 remaining");

  gtk_window_destroy (GTK_WINDOW (window));
  nod_test_assert_finalize_soon (window);
}

static void
test_push_blocked_says_why (Fixture       *fixture,
                            gconstpointer  user_data)
{
  NodSyncSummary summary = { .pushed = 4, .failed = 1, .remaining = 0 };
  GtkWidget *button;
  GAction *push_now;

  if (skip_without_display ())
    return;

  button = nod_preferences_window_get_push_button (fixture->window);
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "app.push-now");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Push now");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_cmpint (gtk_widget_get_valign (button), ==, GTK_ALIGN_CENTER);

  /* A new status cannot push until the engine has asked its policy. */
  g_assert_false (gtk_widget_get_sensitive (button));

  nod_sync_status_set_last_summary (fixture->status, &summary);
  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  g_assert_true (gtk_widget_get_sensitive (button));
  wait_for_push_subtitle (fixture->window, "Pushed 4 · 1 failed · 0 remaining");

  nod_sync_status_set_sync_now_reason (fixture->status, "You're offline.");
  nod_sync_status_set_can_sync_now (fixture->status, FALSE);
  g_assert_false (gtk_widget_get_sensitive (button));
  wait_for_push_subtitle (fixture->window, "You're offline.");

  /* The reason changes while blocked: the row says the new one. */
  nod_sync_status_set_sync_now_reason (fixture->status, "Sign in to push your changes.");
  wait_for_push_subtitle (fixture->window, "Sign in to push your changes.");

  /* The action coming and going does not make the button sensitive while blocked. */
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app", NULL);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app",
                                  G_ACTION_GROUP (fixture->app_actions));
  g_assert_false (gtk_widget_get_sensitive (button));

  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  nod_sync_status_set_sync_now_reason (fixture->status, NULL);
  g_assert_true (gtk_widget_get_sensitive (button));
  wait_for_push_subtitle (fixture->window, "Pushed 4 · 1 failed · 0 remaining");

  /* The application disabling its action wins too. */
  push_now = g_action_map_lookup_action (G_ACTION_MAP (fixture->app_actions), "push-now");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (push_now), FALSE);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (push_now), TRUE);
  g_assert_true (gtk_widget_get_sensitive (button));
}

static void
test_push_now_activates_once (Fixture       *fixture,
                              gconstpointer  user_data)
{
  GtkWidget *button;

  if (skip_without_display ())
    return;

  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  button = nod_preferences_window_get_push_button (fixture->window);
  g_assert_true (gtk_widget_get_sensitive (button));

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->push_now_count, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

#define ADD_TEST(path, func) \
  g_test_add ("/nod/preferences-window/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("switches", test_switches_follow_settings);
  ADD_TEST ("interval", test_interval_follows_settings);
  ADD_TEST ("history-depth", test_history_depth_follows_settings);
  ADD_TEST ("accounts", test_accounts_follow_model);
  ADD_TEST ("remove-account", test_remove_account_asks_the_app);
  ADD_TEST ("add-account", test_add_account_asks_the_app);
  ADD_TEST ("sign-in-and-out", test_sign_in_and_out);
  ADD_TEST ("push-outcome", test_push_outcome);
  ADD_TEST ("push-outcome-from-before", test_push_outcome_from_before);
  ADD_TEST ("push-blocked", test_push_blocked_says_why);
  ADD_TEST ("push-now", test_push_now_activates_once);

#undef ADD_TEST

  return g_test_run ();
}
