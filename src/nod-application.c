/* nod-application.c: the application, its sync engine and its accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window opens at once; the session (the store, the accounts and the engine) comes up
 * behind it and the "session" property says when it is there. Everything the reviewer does
 * goes through the engine, which the session owns.
 */

#define G_LOG_DOMAIN "nod"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "nod-application.h"
#include "nod-avatar-cache.h"
#include "nod-cli.h"
#include "nod-demo-server.h"
#include "nod-preferences-window.h"
#include "nod-settings.h"
#include "nod-sign-in-window.h"
#include "nod-window.h"

#define DEMO_TOKEN "glpat-nod-demo"

struct _NodApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  NodSession     *session;         /* once open, with every account: the window may use it */
  NodSyncEngine  *engine;          /* the session's */
  GCancellable   *cancellable;
  char           *startup_error;
  gboolean        sync_started;
  guint           first_frame_wait; /* the first sync waits for the window to draw */

  gboolean        demo;
  char           *demo_dir;
  NodDemoServer  *demo_server;
  guint           demo_latency_ms;
  guint           demo_generate;   /* tests: this many generated MRs instead of the sample */
};

G_DEFINE_FINAL_TYPE (NodApplication, nod_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_STARTUP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fail_startup (NodApplication *self,
              const char     *sentence)
{
  g_warning ("Nod could not start: %s", sentence);
  g_free (self->startup_error);
  self->startup_error = g_strdup (sentence);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTUP_ERROR]);
}

/* ---- notifications ---- */

static void
send_notification (NodApplication *self,
                   const char     *id,
                   const char     *title,
                   const char     *body)
{
  g_autoptr(GNotification) notification = NULL;

  if (!g_settings_get_boolean (self->settings, "notifications"))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
on_merge_request_closed (NodSyncEngine   *engine,
                         NodMergeRequest *merge_request,
                         gpointer         user_data)
{
  NodApplication *self = user_data;
  gboolean merged = nod_merge_request_get_state (merge_request) == NOD_MERGE_REQUEST_MERGED;
  g_autofree char *body = g_strdup_printf (
    merged ? _("“%s” was merged while you had actions waiting; they were not sent.")
           : _("“%s” was closed while you had actions waiting; they were not sent."),
    nod_merge_request_get_title (merge_request));

  send_notification (self, "merge-request-closed",
          merged ? _("Merge request merged elsewhere") : _("Merge request closed elsewhere"),
          body);
}

static void
on_action_failed (NodSyncEngine   *engine,
                  NodOutboxAction *action,
                  const char      *reason,
                  gpointer         user_data)
{
  NodApplication *self = user_data;

  /* Only the failure the reviewer must act on gets a notification: new commits. */
  if (nod_outbox_action_get_kind (action) == NOD_ACTION_APPROVE &&
      nod_outbox_action_get_last_status (action) == 409)
    send_notification (self, "approval-rejected", _("Approval not sent"),
            _("New commits were pushed since you reviewed. Look at them, then approve again."));
}

static void
on_history_counted (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NodApplication) self = user_data;
  g_autoptr(GPtrArray) views = nod_review_cache_list_views_finish (NOD_REVIEW_CACHE (source_object),
                                                                   result, NULL);
  g_autofree char *body = NULL;

  if (views == NULL)
    return;
  body = g_strdup_printf (ngettext ("%u merge request synced", "%u merge requests synced",
                                    views->len), views->len);
  send_notification (self, "history-synced", _("Nod is ready"), body);
}

/* An account's history is in: say so, once. */
static void
on_history_synced (NodSyncEngine *engine,
                   gint64         account_id,
                   gpointer       user_data)
{
  NodApplication *self = user_data;

  nod_review_cache_list_views_async (nod_session_get_cache (self->session), account_id, NULL,
                                     on_history_counted, g_object_ref (self));
}

/* ---- the engine and the accounts ---- */

/* Settings reach the engine as its properties: each change does what it means there
 * (offline off syncs once, a new interval moves the next cycle), and no key starts a
 * sync of its own. */
static gboolean
history_days_from_setting (GValue   *value,
                           GVariant *variant,
                           gpointer  user_data)
{
  g_value_set_uint (value, nod_settings_history_days_from_depth (
                             g_variant_get_string (variant, NULL)));
  return TRUE;
}

static void
bind_engine_to_settings (NodApplication *self)
{
  GAction *push_now = g_action_map_lookup_action (G_ACTION_MAP (self), "push-now");

  g_settings_bind (self->settings, "sync-interval", self->engine, "interval",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "auto-sync", self->engine, "periodic-enabled",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "offline-mode", self->engine, "offline-mode",
                   G_SETTINGS_BIND_GET);
  /* Offline, avatars come only from the disk. */
  g_settings_bind (self->settings, "offline-mode", nod_avatar_cache_get_default (), "offline",
                   G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "history-depth", self->engine, "history-days",
                                G_SETTINGS_BIND_GET, history_days_from_setting, NULL, NULL,
                                NULL);
  /* Every Push now button follows the action; the action follows the engine. */
  g_object_bind_property (nod_sync_engine_get_status (self->engine), "can-sync-now",
                          push_now, "enabled", G_BINDING_SYNC_CREATE);
}

static void
on_engine_started (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_sync_engine_start_finish (self->engine, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The sync engine did not start: %s", error->message);
}

static gboolean
start_sync (gpointer user_data)
{
  NodApplication *self = user_data;

  g_clear_handle_id (&self->first_frame_wait, g_source_remove);
  if (self->sync_started || self->engine == NULL)
    return G_SOURCE_REMOVE;

  self->sync_started = TRUE;
  nod_sync_engine_start_async (self->engine, self->cancellable, on_engine_started,
                               g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static gboolean
on_first_frame (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  /* Ticks come first in a frame: the window is drawn before an idle runs. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, start_sync, g_object_ref (user_data),
                   g_object_unref);
  return G_SOURCE_REMOVE;
}

/* Without a GPU, drawing the whole window the first time takes tens of milliseconds, and
 * longer on cores a pull is busy with: the first sync starts once the window has drawn
 * itself, or soon after in any case. */
#define FIRST_FRAME_WAIT_MS 500

/* The session is open with every account: the window shows it, and the first sync starts
 * once the window has drawn itself. */
static void
session_ready (NodApplication *self,
               NodSession     *session)
{
  GtkWindow *window;

  self->session = g_object_ref (session);
  self->engine = nod_session_get_engine (session);
  bind_engine_to_settings (self);
  g_signal_connect_object (self->engine, "merge-request-closed",
                           G_CALLBACK (on_merge_request_closed), self, 0);
  g_signal_connect_object (self->engine, "action-failed", G_CALLBACK (on_action_failed),
                           self, 0);
  g_signal_connect_object (self->engine, "history-synced", G_CALLBACK (on_history_synced),
                           self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL || !gtk_widget_get_visible (GTK_WIDGET (window)))
    {
      start_sync (self);
      return;
    }
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_first_frame, g_object_ref (self),
                                g_object_unref);
  self->first_frame_wait = g_timeout_add_full (G_PRIORITY_DEFAULT, FIRST_FRAME_WAIT_MS,
                                               start_sync, g_object_ref (self), g_object_unref);
}

static void
on_demo_signed_in (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodApplication) self = user_data;
  NodSession *session = NOD_SESSION (source_object);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (session, result, &error);

  if (account == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_startup (self, error->message);
      return;
    }
  if (self->session == NULL)
    session_ready (self, session);
}

static void
on_session_opened (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodSession) session = nod_session_open_finish (result, &error);

  if (session == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_startup (self, error->message);
      return;
    }

  /* The demo signs in to its own GitLab, the way a reviewer does. */
  if (self->demo)
    {
      nod_session_sign_in_async (session, nod_demo_server_get_base_url (self->demo_server),
                                 DEMO_TOKEN, self->cancellable, on_demo_signed_in,
                                 g_object_ref (self));
      return;
    }
  session_ready (self, session);
}

static void
open_session (NodApplication *self)
{
  g_autofree char *path = NULL;

  if (self->demo)
    {
      /* The demo keeps its data apart, and forgets it when it quits. */
      self->demo_dir = g_dir_make_tmp ("nod-demo-XXXXXX", NULL);
      path = g_build_filename (self->demo_dir, "nod.db", NULL);
    }
  else
    path = nod_store_get_default_path ();

  nod_session_open_async (path, self->demo ? NOD_SESSION_FLAGS_NO_KEYRING
                                           : NOD_SESSION_FLAGS_NONE,
                          self->cancellable, on_session_opened, g_object_ref (self));
}

static void
on_demo_server_started (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(NodApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_demo_server_start_finish (self->demo_server, result, &error))
    {
      fail_startup (self, error->message);
      return;
    }
  open_session (self);
}

static void
start_up (NodApplication *self)
{
  if (!self->demo)
    {
      open_session (self);
      return;
    }

  /* A little latency (unless a test asks otherwise), so the demo syncs the way a real
   * server does. */
  self->demo_server = nod_demo_server_new (DEMO_TOKEN, self->demo_latency_ms,
                                           self->demo_generate);
  nod_demo_server_start_async (self->demo_server, self->cancellable, on_demo_server_started,
                               g_object_ref (self));
}

/* ---- GApplication ---- */

static void
nod_application_activate (GApplication *app)
{
  NodApplication *self = NOD_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (nod_window_new (self));

  gtk_window_present (window);
}

static void
nod_application_startup (GApplication *app)
{
  NodApplication *self = NOD_APPLICATION (app);

  G_APPLICATION_CLASS (nod_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);
  self->settings = g_settings_new (APP_ID);
  start_up (self);
}

static void
nod_application_shutdown (GApplication *app)
{
  NodApplication *self = NOD_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->first_frame_wait, g_source_remove);
  self->engine = NULL;
  g_clear_object (&self->session);
  g_clear_object (&self->demo_server);
  if (self->demo_dir != NULL)
    {
      static const char * const files[] = { "nod.db", "nod.db-wal", "nod.db-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (self->demo_dir, files[i], NULL);
          g_remove (path);
        }
      g_rmdir (self->demo_dir);
    }

  G_APPLICATION_CLASS (nod_application_parent_class)->shutdown (app);
}

/* ---- commands from `nod VERB …` in a terminal, carried out here ---- */

static void
on_command_done (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GApplicationCommandLine) command_line = user_data;
  GApplication *app = g_object_get_data (G_OBJECT (command_line), "nod-application");

  g_application_command_line_set_exit_status (command_line,
                                              nod_cli_run_finish (NOD_CLI (source_object),
                                                                  result));
  g_application_release (app);
}

static void
run_command (NodApplication          *self,
             GApplicationCommandLine *command_line)
{
  g_autoptr(NodCli) cli = nod_cli_new (self->session);

  nod_cli_run_async (cli, command_line, NULL, on_command_done, g_object_ref (command_line));
}

static void
on_session_for_command (NodApplication          *self,
                       GParamSpec              *pspec,
                       GApplicationCommandLine *command_line)
{
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self, command_line);
  run_command (self, command_line);
  g_object_unref (command_line);
}

static int
nod_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  NodApplication *self = NOD_APPLICATION (app);
  g_auto(GStrv) argv = NULL;
  int argc;

  argv = g_application_command_line_get_arguments (command_line, &argc);
  if (argc < 2 || !nod_cli_is_command_line (argv[1]))
    {
      g_application_activate (app);
      return 0;
    }

  /* The command uses this instance's session (its status bar shows the work), once it
   * is open; the terminal waits for the answer. */
  g_application_hold (app);
  g_object_set_data (G_OBJECT (command_line), "nod-application", app);
  if (self->session != NULL)
    run_command (self, command_line);
  else
    g_signal_connect (self, "notify::session", G_CALLBACK (on_session_for_command),
                      g_object_ref (command_line));
  return 0;
}

static int
nod_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  NodApplication *self = NOD_APPLICATION (app);

  if (g_variant_dict_contains (options, "demo"))
    {
      /* Its own instance: a demo never takes over, or hands its data to, a real Nod. */
      self->demo = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }
  return -1;
}

static void
nod_application_dispose (GObject *object)
{
  NodApplication *self = NOD_APPLICATION (object);

  g_clear_handle_id (&self->first_frame_wait, g_source_remove);
  g_clear_object (&self->settings);
  self->engine = NULL;
  g_clear_object (&self->session);
  g_clear_object (&self->demo_server);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nod_application_parent_class)->dispose (object);
}

static void
nod_application_finalize (GObject *object)
{
  NodApplication *self = NOD_APPLICATION (object);

  g_free (self->startup_error);
  g_free (self->demo_dir);

  G_OBJECT_CLASS (nod_application_parent_class)->finalize (object);
}

static void
nod_application_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NodApplication *self = NOD_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_STARTUP_ERROR:
      g_value_set_string (value, self->startup_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_application_class_init (NodApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = nod_application_dispose;
  object_class->finalize = nod_application_finalize;
  object_class->get_property = nod_application_get_property;
  app_class->activate = nod_application_activate;
  app_class->startup = nod_application_startup;
  app_class->shutdown = nod_application_shutdown;
  app_class->handle_local_options = nod_application_handle_local_options;
  app_class->command_line = nod_application_command_line;

  /* NULL until the session is open with every account. */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, NOD_TYPE_SESSION, flags);
  /* Why Nod could not open its data, as a sentence; NULL if all is well. */
  properties[PROP_STARTUP_ERROR] =
    g_param_spec_string ("startup-error", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* ---- actions ---- */

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  NodApplication *self = user_data;

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Nod"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Nod developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/nodreview/nod",
                         "issue-url", "https://github.com/nodreview/nod/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Nod developers",
                         NULL);
}

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
on_push_now (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  NodApplication *self = user_data;

  if (self->engine != NULL)
    nod_sync_engine_request (self->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
}

static void
on_outbox_changed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  NodSyncEngine *engine = NOD_SYNC_ENGINE (source_object);
  gboolean done = g_async_result_is_tagged (result, nod_sync_engine_retry_async)
                    ? nod_sync_engine_retry_finish (engine, result, &error)
                    : nod_sync_engine_discard_finish (engine, result, &error);

  if (!done)
    g_warning ("The outbox did not change: %s", error->message);
}

static void
on_retry_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  NodApplication *self = user_data;

  if (self->engine != NULL)
    nod_sync_engine_retry_async (self->engine, g_variant_get_string (parameter, NULL), NULL,
                                 on_outbox_changed, NULL);
}

static void
on_discard_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  NodApplication *self = user_data;

  if (self->engine != NULL)
    nod_sync_engine_discard_async (self->engine, g_variant_get_string (parameter, NULL), NULL,
                                   on_outbox_changed, NULL);
}

/* The account, once the session is open. */
static NodAccount *
find_account (NodApplication *self,
              gint64          account_id)
{
  return self->session != NULL ? nod_accounts_find (nod_session_get_accounts (self->session),
                                                    account_id)
                               : NULL;
}

static void
on_preferences (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  NodApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  NodPreferencesWindow *preferences;

  if (self->session == NULL)
    return;

  preferences = nod_preferences_window_new (self->settings,
                                            nod_sync_engine_get_status (self->engine),
                                            G_LIST_MODEL (nod_session_get_accounts (
                                                            self->session)));
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* The sign-in window, for a new account or (@account) to sign in again to one. */
static void
present_sign_in (NodApplication *self,
                 NodAccount     *account)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  NodSignInWindow *sign_in = nod_sign_in_window_new (self->session);

  if (account != NULL)
    nod_sign_in_window_set_base_url (sign_in, nod_account_get_base_url (account));
  gtk_window_set_application (GTK_WINDOW (sign_in), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (sign_in), parent);
  gtk_window_present (GTK_WINDOW (sign_in));
}

static void
on_add_account (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  NodApplication *self = user_data;

  if (self->session != NULL)
    present_sign_in (self, NULL);
}

static void
on_demo_signed_in_again (GObject      *source_object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (NOD_SESSION (source_object),
                                                              result, &error);

  if (account == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The demo did not sign in again: %s", error->message);
}

static void
sign_in_again (NodApplication *self,
               NodAccount     *account)
{
  /* The demo's token is no secret: the demo signs straight back in. */
  if (self->demo)
    {
      nod_session_sign_in_async (self->session, nod_account_get_base_url (account), DEMO_TOKEN,
                                 self->cancellable, on_demo_signed_in_again, NULL);
      return;
    }

  present_sign_in (self, account);
}

static void
on_sign_in_account (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  NodApplication *self = user_data;
  NodAccount *account = find_account (self, g_variant_get_int64 (parameter));

  if (account != NULL)
    sign_in_again (self, account);
}

/* The status bar's Sign In Again: the first account GitLab signed out. */
static void
on_sign_in_again (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  NodApplication *self = user_data;
  GListModel *accounts;

  if (self->session == NULL)
    return;
  accounts = G_LIST_MODEL (nod_session_get_accounts (self->session));
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (accounts, i);

      if (!nod_account_get_signed_in (account))
        {
          sign_in_again (self, account);
          return;
        }
    }
}

static void
on_sign_out_account (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  NodApplication *self = user_data;
  NodAccount *account = find_account (self, g_variant_get_int64 (parameter));

  /* Nothing is lost, so nothing to confirm: the cache and the outbox stay. */
  if (account != NULL)
    nod_session_sign_out_async (self->session, nod_account_get_id (account), NULL, NULL, NULL);
}

static void
on_account_removed (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nod_session_remove_account_finish (NOD_SESSION (source_object), result, &error))
    g_warning ("The account was not removed: %s", error->message);
}

static void
on_remove_confirmed (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  NodApplication *self = NOD_APPLICATION (gtk_window_get_application (GTK_WINDOW (dialog)));
  gint64 account_id = GPOINTER_TO_SIZE (user_data);

  if (self == NULL || !g_str_equal (response, "remove") || find_account (self, account_id) == NULL)
    return;
  nod_session_remove_account_async (self->session, account_id, NULL, on_account_removed, NULL);
}

static void
on_remove_account (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  NodApplication *self = user_data;
  gint64 account_id = g_variant_get_int64 (parameter);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *title = NULL;
  NodAccount *account;
  GtkWidget *dialog;

  if ((account = find_account (self, account_id)) == NULL)
    return;

  title = nod_account_dup_title (account);
  dialog = adw_message_dialog_new (parent, _("Remove Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Nod will forget %s: its token, its merge requests, and "
                                    "any action not sent yet."), title);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_confirmed),
                    GSIZE_TO_POINTER ((gsize) account_id));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_demo (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { self_path != NULL ? self_path : "nod", "--demo", NULL };

  /* The demo is a Nod of its own, with its own data: the real one stays as it is. */
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &error))
    g_warning ("The demo did not start: %s", error->message);
}

static const GActionEntry app_actions[] = {
  { "about", on_about },
  { "quit", on_quit },
  { "push-now", on_push_now },
  { "retry-action", on_retry_action, "s" },
  { "discard-action", on_discard_action, "s" },
  { "preferences", on_preferences },
  { "add-account", on_add_account },
  { "remove-account", on_remove_account, "x" },
  { "sign-in-account", on_sign_in_account, "x" },
  { "sign-in-again", on_sign_in_again },
  { "sign-out-account", on_sign_out_account, "x" },
  { "demo", on_demo },
};

static void
nod_application_init (NodApplication *self)
{
  static const struct { const char *action; const char *accels[2]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.push-now", { "<Control><Shift>p", NULL } },
  };

  self->cancellable = g_cancellable_new ();
  self->demo_latency_ms = 120;
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  /* Until the engine is there to say it can. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                           "push-now")),
                               FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  g_application_add_main_option (G_APPLICATION (self), "demo", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_NONE,
                                 _("Try Nod against a built-in demo GitLab with sample data"),
                                 NULL);
}

NodApplication *
nod_application_new (void)
{
  return g_object_new (NOD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE |
                                G_APPLICATION_SEND_ENVIRONMENT,
                       "resource-base-path", "/io/github/nodreview/Nod",
                       NULL);
}

/**
 * nod_application_get_engine:
 *
 * Returns: (transfer none) (nullable): the engine, once the store is open and the
 *   accounts are known
 */
NodSyncEngine *
nod_application_get_engine (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), NULL);

  return self->engine;
}

/**
 * nod_application_get_accounts:
 *
 * Returns: (transfer none) (nullable): the accounts, once the session is open
 */
NodAccounts *
nod_application_get_accounts (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), NULL);
  return self->session != NULL ? nod_session_get_accounts (self->session) : NULL;
}

/**
 * nod_application_get_session:
 *
 * Returns: (transfer none) (nullable): Nod's data and engine, once open with every account
 */
NodSession *
nod_application_get_session (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), NULL);
  return self->session;
}


gboolean
nod_application_get_demo (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), FALSE);
  return self->demo;
}

const char *
nod_application_get_startup_error (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), NULL);
  return self->startup_error;
}

/* For tests, before startup: run as the demo, with this latency and, unless 0, this many
 * generated merge requests instead of the sample. */
void
nod_application_set_demo (NodApplication *self,
                          guint           latency_ms,
                          guint           n_generated)
{
  g_return_if_fail (NOD_IS_APPLICATION (self));

  self->demo = TRUE;
  self->demo_latency_ms = latency_ms;
  self->demo_generate = n_generated;
}

/* The demo GitLab's address, once it is up (for tests); NULL otherwise. */
const char *
nod_application_get_demo_base_url (NodApplication *self)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (self), NULL);
  return self->demo_server != NULL ? nod_demo_server_get_base_url (self->demo_server) : NULL;
}
