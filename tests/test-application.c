/* test-application.c: how the application wires its engine: the outbox buttons, the
 * settings and Push now, against the demo GitLab (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case counts what reached the demo's fake GitLab: a setting that should not sync
 * must make no request, one that should must make exactly one pull.
 */

#include "config.h"

#include "nod-application.h"
#include "nod-test-utils.h"
#include "nod-window.h"

/* A pull of the demo's sample lists each of its three scopes once: it fits in a page. */
#define LISTS_PER_PULL 3
#define LIST_PATH "^/api/v4/merge_requests$"

static gboolean have_display;

typedef struct
{
  NodApplication *app;
  NodWindow      *window;
  GSettings      *settings;
  char           *base_url;
} Fixture;

static NodSyncEngine *
engine_of (Fixture *fixture)
{
  return nod_application_get_engine (fixture->app);
}

static NodSyncStatus *
status_of (Fixture *fixture)
{
  return nod_sync_engine_get_status (engine_of (fixture));
}

static gboolean
app_idle (gpointer data)
{
  Fixture *fixture = data;

  return engine_of (fixture) != NULL && !nod_sync_engine_is_busy (engine_of (fixture)) &&
         !nod_window_is_list_loading (fixture->window) &&
         g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window)) > 0;
}

/* A job that ends asks the store for fresh counts before it serves a request that came
 * while it ran: idle, then once more idle after a trip through the store (which runs
 * its work in order), is when nothing more is on its way. */
static void
settle (Fixture *fixture)
{
  do
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) views = NULL;

      nod_test_wait_until (app_idle, fixture);
      nod_review_cache_list_views_async (nod_sync_engine_get_cache (engine_of (fixture)), 0,
                                         NULL, nod_test_keep_result, &result);
      views = nod_review_cache_list_views_finish (
                nod_sync_engine_get_cache (engine_of (fixture)),
                nod_test_wait_for_result (&result), NULL);
    }
  while (!app_idle (fixture));
}

static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  static guint instance;
  g_autofree char *app_id = NULL;

  if (!have_display)
    return;

  fixture->settings = g_settings_new (APP_ID);
  /* No desktop notification server here: GIO would warn for each. */
  g_settings_set_boolean (fixture->settings, "notifications", FALSE);
  g_settings_set_boolean (fixture->settings, "offline-mode", FALSE);

  /* Each case its own id: an earlier instance may still hold its D-Bus object path. */
  app_id = g_strdup_printf ("%s.TestApplication%u", APP_ID, ++instance);
  fixture->app = nod_application_new ();
  g_application_set_application_id (G_APPLICATION (fixture->app), app_id);
  g_application_set_flags (G_APPLICATION (fixture->app), G_APPLICATION_NON_UNIQUE);
  nod_application_set_demo (fixture->app, 0, 0);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (fixture->app));
  fixture->window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fixture->app)));
  g_assert_nonnull (fixture->window);

  settle (fixture);
  fixture->base_url = g_strdup (nod_application_get_demo_base_url (fixture->app));
  g_assert_cmpuint (count_requests (fixture, "GET", LIST_PATH), ==, LISTS_PER_PULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  if (fixture->settings != NULL)
    {
      g_settings_reset (fixture->settings, "offline-mode");
      g_settings_reset (fixture->settings, "sync-interval");
      g_settings_reset (fixture->settings, "auto-sync");
      g_settings_reset (fixture->settings, "history-depth");
    }
  g_clear_object (&fixture->settings);
  g_free (fixture->base_url);
}

/* ---- a failed action ---- */

typedef struct
{
  Fixture *fixture;
  guint    pending;
  guint    failed;
} Counts;

static gboolean
counts_reached (gpointer data)
{
  Counts *counts = data;
  NodSyncStatus *status = status_of (counts->fixture);

  return nod_sync_status_get_pending_count (status) == counts->pending &&
         nod_sync_status_get_failed_count (status) == counts->failed;
}

static void
wait_for_counts (Fixture *fixture,
                 guint    pending,
                 guint    failed)
{
  Counts counts = { fixture, pending, failed };

  nod_test_wait_until (counts_reached, &counts);
}

static gboolean
is_offline (gpointer data)
{
  return nod_sync_status_get_state (status_of (data)) == NOD_SYNC_STATE_OFFLINE;
}

static void
go_offline (Fixture *fixture)
{
  g_settings_set_boolean (fixture->settings, "offline-mode", TRUE);
  nod_test_wait_until (is_offline, fixture);
}

/* A comment GitLab refuses for good (403): it waits in the outbox as failed. Returns its
 * op id. */
static char *
fail_a_comment (Fixture *fixture)
{
  NodSyncEngine *engine = engine_of (fixture);
  g_autoptr(GListModel) accounts = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(GError) error = NULL;

  account = g_list_model_get_item (G_LIST_MODEL (nod_application_get_accounts (fixture->app)), 0);
  g_assert_nonnull (account);
  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 403}");
  draft = nod_outbox_action_new_comment (nod_account_get_id (account), 11, 101,
                                         "Could this take a shorter path?");
  nod_sync_engine_enqueue_async (engine, draft, NULL, nod_test_keep_result, &result);
  stored = nod_sync_engine_enqueue_finish (engine, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  wait_for_counts (fixture, 0, 1);
  settle (fixture);
  g_clear_pointer (&fault, json_node_unref);
  fault = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
  return g_strdup (nod_outbox_action_get_op_id (stored));
}

/* ---- the outbox: Dismiss and Retry ---- */

static void
test_dismiss_counts (Fixture       *fixture,
                     gconstpointer  data)
{
  gboolean offline = GPOINTER_TO_INT (data);
  g_autofree char *op_id = NULL;
  guint posts;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  op_id = fail_a_comment (fixture);
  if (offline)
    go_offline (fixture);
  posts = count_requests (fixture, "POST", "/discussions$");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "discard-action",
                                  g_variant_new_string (op_id));
  /* The status says so at once, with no sync in between to recount. */
  wait_for_counts (fixture, 0, 0);
  if (offline)
    g_assert_cmpint (nod_sync_status_get_state (status_of (fixture)), ==,
                     NOD_SYNC_STATE_OFFLINE);
  settle (fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, posts);
  g_assert_cmpuint (nod_sync_status_get_failed_count (status_of (fixture)), ==, 0);
}

static void
test_retry_counts (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean offline = GPOINTER_TO_INT (data);
  g_autofree char *op_id = NULL;
  guint posts;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  op_id = fail_a_comment (fixture);
  if (offline)
    go_offline (fixture);
  posts = count_requests (fixture, "POST", "/discussions$");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "retry-action",
                                  g_variant_new_string (op_id));
  if (offline)
    {
      /* Waiting again, and said so at once; nothing goes while offline. */
      wait_for_counts (fixture, 1, 0);
      settle (fixture);
      g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, posts);
      g_assert_cmpuint (nod_sync_status_get_pending_count (status_of (fixture)), ==, 1);
      return;
    }

  /* Retry means now: it goes, once. */
  wait_for_counts (fixture, 0, 0);
  settle (fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, posts + 1);
}

/* ---- settings: each change does what it means, and no more ---- */

static void
test_offline_off_pulls_once (Fixture       *fixture,
                             gconstpointer  data)
{
  guint lists;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  go_offline (fixture);
  settle (fixture);
  lists = count_requests (fixture, "GET", LIST_PATH);

  g_settings_set_boolean (fixture->settings, "offline-mode", FALSE);
  settle (fixture);
  g_assert_cmpuint (count_requests (fixture, "GET", LIST_PATH), ==, lists + LISTS_PER_PULL);
  g_assert_cmpint (nod_sync_status_get_state (status_of (fixture)), ==, NOD_SYNC_STATE_IDLE);
}

static void
test_setting_makes_no_request (Fixture       *fixture,
                               gconstpointer  data)
{
  const char *key = data;
  guint requests;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  requests = count_requests (fixture, NULL, "^/api/v4/");
  if (g_str_equal (key, "sync-interval"))
    g_settings_set_uint (fixture->settings, key, 900);
  else
    g_settings_set_boolean (fixture->settings, key,
                            !g_settings_get_boolean (fixture->settings, key));
  /* A request would start a job at once: the change has arrived when GSettings says so. */
  g_settings_sync ();
  g_main_context_iteration (NULL, FALSE);
  settle (fixture);
  g_assert_cmpuint (count_requests (fixture, NULL, "^/api/v4/"), ==, requests);
}

static void
test_deeper_history_pulls_once (Fixture       *fixture,
                                gconstpointer  data)
{
  guint lists;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  lists = count_requests (fixture, "GET", LIST_PATH);
  g_settings_set_string (fixture->settings, "history-depth", "all");
  settle (fixture);
  /* The older part of history, as one pull: one more page per scope, no second pull. */
  g_assert_cmpuint (count_requests (fixture, "GET", LIST_PATH), ==, lists + LISTS_PER_PULL);
  g_assert_cmpuint (nod_sync_engine_get_history_days (engine_of (fixture)), ==, 0);
}

/* ---- Push now ---- */

static gboolean
push_now_disabled (gpointer data)
{
  Fixture *fixture = data;

  return !g_action_group_get_action_enabled (G_ACTION_GROUP (fixture->app), "push-now");
}

static void
test_push_now_follows_status (Fixture       *fixture,
                              gconstpointer  data)
{
  GActionGroup *actions;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  actions = G_ACTION_GROUP (fixture->app);
  g_assert_true (nod_sync_status_get_can_sync_now (status_of (fixture)));
  g_assert_true (g_action_group_get_action_enabled (actions, "push-now"));

  go_offline (fixture);
  g_assert_false (nod_sync_status_get_can_sync_now (status_of (fixture)));
  nod_test_wait_until (push_now_disabled, fixture);

  g_settings_set_boolean (fixture->settings, "offline-mode", FALSE);
  settle (fixture);
  g_assert_true (nod_sync_status_get_can_sync_now (status_of (fixture)) ==
                 g_action_group_get_action_enabled (actions, "push-now"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("application");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  have_display = gtk_init_check ();

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/nod/application/outbox/dismiss-online", GINT_TO_POINTER (FALSE), test_dismiss_counts);
  ADD ("/nod/application/outbox/dismiss-offline", GINT_TO_POINTER (TRUE), test_dismiss_counts);
  ADD ("/nod/application/outbox/retry-online", GINT_TO_POINTER (FALSE), test_retry_counts);
  ADD ("/nod/application/outbox/retry-offline", GINT_TO_POINTER (TRUE), test_retry_counts);
  ADD ("/nod/application/settings/offline-off-pulls-once", NULL, test_offline_off_pulls_once);
  ADD ("/nod/application/settings/notifications-no-request", "notifications",
       test_setting_makes_no_request);
  ADD ("/nod/application/settings/auto-sync-no-request", "auto-sync",
       test_setting_makes_no_request);
  ADD ("/nod/application/settings/interval-no-request", "sync-interval",
       test_setting_makes_no_request);
  ADD ("/nod/application/settings/deeper-history-pulls-once", NULL,
       test_deeper_history_pulls_once);
  ADD ("/nod/application/push-now-follows-status", NULL, test_push_now_follows_status);
#undef ADD

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
