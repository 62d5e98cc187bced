/* test-status-indicator.c: the status bar and its outbox popover (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bar is driven through NodSyncStatus's setters only; the popover lists a real
 * outbox on a store in a temporary directory.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "nod-outbox.h"
#include "nod-status-indicator.h"
#include "nod-store.h"
#include "nod-test-utils.h"

#define ACCOUNT 1
#define PROJECT 7
#define MR_COMMENTED 42
#define MR_APPROVED 43
#define MR_REPLIED 44

#define HOSTILE "<b>x</b> & <i>"

/* 2023-11-14 22:13:20 UTC: a fixed time, shown in local time as the indicator does. */
#define BLOCKED_UNTIL ((gint64) 1700000000)

typedef struct
{
  NodSyncStatus      *status;
  GtkWindow          *window;
  NodStatusIndicator *indicator;
  GSimpleActionGroup *app_actions;

  /* What the "app" actions received, last first. */
  char               *activated_action;
  char               *activated_target;

  char               *store_dir;
  NodStore           *store;
  NodOutbox          *outbox;
} Fixture;

/* Widgets */

typedef gboolean (*WidgetPredicate) (GtkWidget     *widget,
                                     gconstpointer  data);

static GtkWidget *
find_widget (GtkWidget       *root,
             WidgetPredicate  predicate,
             gconstpointer    data)
{
  if (predicate (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, predicate, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, *(const GType *) data);
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_button_for_action (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static GtkWidget *
find_of_type (GtkWidget *root,
              GType      type)
{
  GtkWidget *found = find_widget (root, is_of_type, &type);

  g_assert_nonnull (found);
  return found;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  return find_widget (root, is_label_with_text, text);
}

static GtkWidget *
popover_of (Fixture *fixture)
{
  return nod_status_indicator_get_popover (fixture->indicator);
}

static GtkWidget *
push_button_of (Fixture *fixture)
{
  GtkWidget *button = find_widget (popover_of (fixture), is_button_for_action, "app.push-now");

  g_assert_nonnull (button);
  return button;
}

static guint
count_rows (GtkWidget *list)
{
  guint rows = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child))
      rows++;

  return rows;
}

static GtkWidget *
row_of (GtkWidget *widget)
{
  GtkWidget *row;

  g_assert_nonnull (widget);
  row = gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_BOX_ROW);

  g_assert_nonnull (row);
  return row;
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* The "app" actions, recorded */

static void
on_app_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_free (fixture->activated_action);
  g_free (fixture->activated_target);
  fixture->activated_action = g_strdup (g_action_get_name (G_ACTION (action)));
  fixture->activated_target = parameter != NULL ? g_variant_dup_string (parameter, NULL) : NULL;
}

static gboolean
action_was_activated (gpointer data)
{
  return ((Fixture *) data)->activated_action != NULL;
}

static void
forget_activations (Fixture *fixture)
{
  g_clear_pointer (&fixture->activated_action, g_free);
  g_clear_pointer (&fixture->activated_target, g_free);
}

/* Fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const GActionEntry entries[] = {
    { "retry-action", on_app_action, "s" },
    { "discard-action", on_app_action, "s" },
    { "push-now", on_app_action },
  };

  fixture->status = nod_sync_status_new ();
  fixture->indicator = NOD_STATUS_INDICATOR (nod_status_indicator_new (fixture->status, NULL));

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 640, 200);
  gtk_widget_set_valign (GTK_WIDGET (fixture->indicator), GTK_ALIGN_END);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->indicator));

  /* Where a real window finds the application's actions. */
  fixture->app_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->app_actions),
                                   entries, G_N_ELEMENTS (entries), fixture);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app",
                                  G_ACTION_GROUP (fixture->app_actions));
  /* As the application does: Push now is enabled exactly when the engine can push. */
  g_object_bind_property (fixture->status, "can-sync-now",
                          g_action_map_lookup_action (G_ACTION_MAP (fixture->app_actions),
                                                      "push-now"),
                          "enabled", G_BINDING_SYNC_CREATE);

  gtk_window_present (fixture->window);
  nod_test_wait_until (widget_is_mapped, fixture->indicator);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->app_actions);

  /* The indicator let go of the status and the outbox when it went. */
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->status));
  if (fixture->outbox != NULL)
    nod_test_assert_finalize_soon (g_steal_pointer (&fixture->outbox));
  if (fixture->store != NULL)
    nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  if (fixture->store_dir != NULL)
    nod_test_remove_tree (fixture->store_dir);
  g_clear_pointer (&fixture->store_dir, g_free);

  forget_activations (fixture);
}

/* A store of its own in a temporary directory, with one account, and its outbox. */
static void
open_outbox (Fixture *fixture)
{
  g_autofree char *path = NULL;

  fixture->store_dir = g_dir_make_tmp ("nod-test-status-indicator-XXXXXX", NULL);
  g_assert_nonnull (fixture->store_dir);
  path = g_build_filename (fixture->store_dir, "nod.db", NULL);

  fixture->store = nod_test_open_store (path);
  nod_test_exec (fixture->store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) VALUES "
                 "(1, 'https://gitlab.example.com', 'reviewer', 0)");
  fixture->outbox = nod_outbox_new (fixture->store);
}

static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft)
{
  g_autoptr(NodOutboxAction) owned_draft = draft;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_async (fixture->outbox, owned_draft, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                            &stored, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

/* Sends the next discussion action and has GitLab refuse it for good with @reason. */
static void
fail_next_discussion_action (Fixture    *fixture,
                             const char *expected_op_id,
                             const char *reason)
{
  g_autoptr(GAsyncResult) claim_result = NULL;
  g_autoptr(GAsyncResult) fail_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  nod_outbox_claim_next_batch_async (fixture->outbox, ACCOUNT, NOD_OUTBOX_CLAIM_DISCUSSIONS, 1,
                                     g_get_real_time (), NULL,
                                     nod_test_keep_result, &claim_result);
  claimed = nod_outbox_claim_next_batch_finish (fixture->outbox,
                                                nod_test_wait_for_result (&claim_result),
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpstr (nod_outbox_action_get_op_id (claimed->pdata[0]), ==, expected_op_id);

  nod_outbox_fail_permanent_async (fixture->outbox, expected_op_id, 403, reason, NULL,
                                   nod_test_keep_result, &fail_result);
  g_assert_true (nod_outbox_fail_permanent_finish (fixture->outbox,
                                                   nod_test_wait_for_result (&fail_result),
                                                   &error));
  g_assert_no_error (error);
}

typedef struct
{
  GtkWidget *list;
  guint      rows;
} RowsWanted;

static gboolean
list_has_rows (gpointer data)
{
  RowsWanted *wanted = data;

  return gtk_widget_get_mapped (wanted->list) && count_rows (wanted->list) == wanted->rows;
}

/* Opens the popover and waits until it lists @rows actions. */
static GtkWidget *
open_popover_with_rows (Fixture *fixture,
                        guint    rows)
{
  RowsWanted wanted;

  gtk_popover_popup (GTK_POPOVER (popover_of (fixture)));
  wanted.list = find_of_type (popover_of (fixture), GTK_TYPE_LIST_BOX);
  wanted.rows = rows;
  nod_test_wait_until (list_has_rows, &wanted);
  return wanted.list;
}

/* The bar */

static void
assert_text (Fixture    *fixture,
             const char *expected)
{
  GtkWidget *button = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_TOGGLE_BUTTON);

  g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==, expected);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, expected);
  g_assert_true (gtk_widget_get_has_tooltip (button));
}

/* The tooltip is made when GTK asks for it; what it says is the bar's accessible
 * description too, which is where a test can read it. */
static void
assert_tooltip (Fixture    *fixture,
                const char *expected)
{
  GtkWidget *button = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_TOGGLE_BUTTON);

  g_assert_true (gtk_widget_get_has_tooltip (button));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
}

static void
test_idle_never_synced (Fixture       *fixture,
                        gconstpointer  data)
{
  g_assert_true (nod_status_indicator_get_status (fixture->indicator) == fixture->status);
  assert_text (fixture, "Not synced yet");
  assert_tooltip (fixture, "Not synced yet");
  g_assert_false (nod_status_indicator_get_progress_visible (fixture->indicator));
}

static void
test_idle_synced_ago (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* 2 min 30 s ago: minutes are counted down, so a slow test still reads 2. */
  nod_sync_status_set_last_synced_at (fixture->status, now - 150);
  nod_sync_status_set_pending_count (fixture->status, 3);
  nod_sync_status_set_failed_count (fixture->status, 1);
  assert_text (fixture, "Synced 2 min ago · 3 pending · 1 failed");

  nod_sync_status_set_failed_count (fixture->status, 0);
  nod_sync_status_set_pending_count (fixture->status, 1);
  assert_text (fixture, "Synced 2 min ago · 1 pending");

  nod_sync_status_set_pending_count (fixture->status, 0);
  nod_sync_status_set_last_synced_at (fixture->status, now - 5);
  assert_text (fixture, "Synced just now");

  nod_sync_status_set_last_synced_at (fixture->status, now - 3 * 3600 - 60);
  assert_text (fixture, "Synced 3 h ago");

  nod_sync_status_set_last_synced_at (fixture->status, now - 2 * 86400 - 60);
  assert_text (fixture, "Synced 2 days ago");

  /* A clock set back never shows a sync in the future. */
  nod_sync_status_set_last_synced_at (fixture->status, now + 600);
  assert_text (fixture, "Synced just now");
}

typedef struct
{
  Fixture    *fixture;
  const char *text;
} TextWait;

static gboolean
bar_says (gpointer data)
{
  TextWait *wait = data;

  return g_strcmp0 (nod_status_indicator_get_text (wait->fixture->indicator), wait->text) == 0;
}

/* Progress shows on the next frame, not on each step the pull reports. */
static void
assert_text_next_frame (Fixture    *fixture,
                        const char *expected)
{
  TextWait wait = { fixture, expected };

  nod_test_wait_until (bar_says, &wait);
  assert_text (fixture, expected);
}

static void
test_syncing_progress (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkWidget *progress_bar;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  nod_sync_status_set_progress (fixture->status, 45, 120);
  assert_text_next_frame (fixture, "Syncing 45 of 120 merge requests");
  g_assert_true (nod_status_indicator_get_progress_visible (fixture->indicator));

  progress_bar = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_PROGRESS_BAR);
  g_assert_true (gtk_widget_get_visible (progress_bar));
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (progress_bar)),
                                  0.375, 1e-9);

  nod_sync_status_set_progress (fixture->status, 120, 120);
  assert_text_next_frame (fixture, "Syncing 120 of 120 merge requests");
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (progress_bar)),
                                  1.0, 1e-9);

  /* Done: the bar goes with the state, at once. */
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_IDLE);
  g_assert_false (nod_status_indicator_get_progress_visible (fixture->indicator));
}

/* After the lists, the texts of the changes: the bar counts files, then says merge requests
 * again when they are done. */
static void
test_syncing_texts_progress (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWidget *progress_bar;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  nod_sync_status_set_progress (fixture->status, 20, 40);
  nod_sync_status_set_texts_progress (fixture->status, 3, 10);
  /* Still listing: the merge requests come first. */
  assert_text_next_frame (fixture, "Syncing 20 of 40 merge requests");

  nod_sync_status_set_progress (fixture->status, 40, 40);
  assert_text_next_frame (fixture, "Downloading changes: 3 of 10 files");
  progress_bar = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_PROGRESS_BAR);
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (progress_bar)),
                                  0.3, 1e-9);

  nod_sync_status_set_texts_progress (fixture->status, 10, 10);
  assert_text_next_frame (fixture, "Syncing 40 of 40 merge requests");
}

static void
count_changes (GObject    *object,
               GParamSpec *pspec,
               guint      *n_changes)
{
  (*n_changes)++;
}

/* A pull reports progress once per merge request, many times a frame: the bar's text
 * (and with it the window's layout) changes once for all of them. */
static void
test_syncing_progress_once_a_frame (Fixture       *fixture,
                                    gconstpointer  data)
{
  GtkWidget *button = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_TOGGLE_BUTTON);
  GtkWidget *label;
  guint n_text_changes = 0;
  guint n_tooltip_changes = 0;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  nod_sync_status_set_progress (fixture->status, 0, 200);
  assert_text_next_frame (fixture, "Syncing 0 of 200 merge requests");
  label = find_label (GTK_WIDGET (fixture->indicator), "Syncing 0 of 200 merge requests");
  g_assert_nonnull (label);

  g_signal_connect (label, "notify::label", G_CALLBACK (count_changes), &n_text_changes);
  g_signal_connect (button, "notify::tooltip-text", G_CALLBACK (count_changes),
                    &n_tooltip_changes);
  for (guint i = 1; i <= 200; i++)
    nod_sync_status_set_progress (fixture->status, i, 200);
  assert_text_next_frame (fixture, "Syncing 200 of 200 merge requests");

  g_assert_cmpuint (n_text_changes, ==, 1);
  /* Never set: setting a tooltip asks the display where the pointer is, and waits. */
  g_assert_cmpuint (n_tooltip_changes, ==, 0);
  assert_tooltip (fixture, "Syncing 200 of 200 merge requests");
  g_signal_handlers_disconnect_by_data (label, &n_text_changes);
  g_signal_handlers_disconnect_by_data (button, &n_tooltip_changes);
}

static void
test_syncing_unknown_total (Fixture       *fixture,
                            gconstpointer  data)
{
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  nod_sync_status_set_progress (fixture->status, 0, 0);
  assert_text (fixture, "Syncing…");
  g_assert_false (nod_status_indicator_get_progress_visible (fixture->indicator));

  /* The total arrives, then the job forgets it again. */
  nod_sync_status_set_progress (fixture->status, 1, 4);
  assert_text_next_frame (fixture, "Syncing 1 of 4 merge requests");
  g_assert_true (nod_status_indicator_get_progress_visible (fixture->indicator));
  nod_sync_status_set_progress (fixture->status, 0, 0);
  assert_text_next_frame (fixture, "Syncing…");
  g_assert_false (nod_status_indicator_get_progress_visible (fixture->indicator));
}

static void
test_offline_pending (Fixture       *fixture,
                      gconstpointer  data)
{
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_OFFLINE);
  assert_text (fixture, "Offline");

  nod_sync_status_set_pending_count (fixture->status, 2);
  assert_text (fixture, "Offline · 2 pending");
  g_assert_false (nod_status_indicator_get_progress_visible (fixture->indicator));
}

static void
test_blocked_until (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (BLOCKED_UNTIL);
  g_autofree char *clock = g_date_time_format (until, "%H:%M");
  g_autofree char *expected = g_strdup_printf ("Paused for rate limit until %s", clock);
  g_autofree char *expected_tooltip = NULL;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_BLOCKED);
  assert_text (fixture, "Paused for rate limit");

  nod_sync_status_set_blocked_until (fixture->status, BLOCKED_UNTIL);
  assert_text (fixture, expected);
  assert_tooltip (fixture, expected);

  /* What the engine says about it stays within reach, in the tooltip. */
  nod_sync_status_set_last_error (fixture->status, "GitLab asked us to slow down.");
  expected_tooltip = g_strconcat (expected, "\nGitLab asked us to slow down.", NULL);
  assert_text (fixture, expected);
  assert_tooltip (fixture, expected_tooltip);
}

static void
test_signed_out (Fixture       *fixture,
                 gconstpointer  data)
{
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SIGNED_OUT);
  assert_text (fixture, "Sign-in needed");
}

static void
test_error_sentence (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *sentence = "GitLab could not be reached; Nod will try again in a minute.";
  g_autofree char *expected = g_strconcat (sentence, " · 4 pending", NULL);
  GtkWidget *label;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_ERROR);
  nod_sync_status_set_last_error (fixture->status, sentence);
  assert_text (fixture, sentence);

  nod_sync_status_set_pending_count (fixture->status, 4);
  assert_text (fixture, expected);
  assert_tooltip (fixture, expected);

  /* Long sentences are cut short on the bar, never wrapped. */
  label = find_label (GTK_WIDGET (fixture->indicator), expected);
  g_assert_nonnull (label);
  g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (label)), ==, PANGO_ELLIPSIZE_END);

  /* Markup in a sentence is shown as it is. */
  nod_sync_status_set_pending_count (fixture->status, 0);
  nod_sync_status_set_last_error (fixture->status, HOSTILE);
  assert_text (fixture, HOSTILE);
  label = find_label (GTK_WIDGET (fixture->indicator), HOSTILE);
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
}

/* Nothing but the status's own setters runs between these steps. */
static void
test_follows_status (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  nod_sync_status_set_last_synced_at (fixture->status, now - 10);
  g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==, "Synced just now");

  nod_sync_status_set_pending_count (fixture->status, 5);
  g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==,
                   "Synced just now · 5 pending");

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_OFFLINE);
  g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==,
                   "Offline · 5 pending");

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==,
                   "Sign-in needed · 5 pending");

  /* A status swapped in later is followed as well, and the old one no longer. */
  {
    g_autoptr(NodSyncStatus) other = nod_sync_status_new ();

    nod_sync_status_set_state (other, NOD_SYNC_STATE_OFFLINE);
    nod_status_indicator_set_status (fixture->indicator, other);
    g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==, "Offline");

    nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_IDLE);
    g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==, "Offline");

    nod_status_indicator_set_status (fixture->indicator, fixture->status);
    g_assert_cmpstr (nod_status_indicator_get_text (fixture->indicator), ==,
                     "Synced just now · 5 pending");
  }
}

/* The popover */

static void
test_popover_lists_outbox (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  GtkWidget *list;
  GtkWidget *failed_label;
  GtkWidget *body_label;
  GtkWidget *pending_label;

  open_outbox (fixture);
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_COMMENTED,
                                                    HOSTILE "\nSecond line, not shown"));
  approve = enqueue (fixture,
                     nod_outbox_action_new_approve (ACCOUNT, PROJECT, MR_APPROVED,
                                                    "0123456789abcdef0123456789abcdef01234567"));
  fail_next_discussion_action (fixture, nod_outbox_action_get_op_id (comment), HOSTILE);

  nod_status_indicator_set_outbox (fixture->indicator, fixture->outbox);
  g_assert_true (nod_status_indicator_get_outbox (fixture->indicator) == fixture->outbox);
  nod_sync_status_set_pending_count (fixture->status, 1);
  nod_sync_status_set_failed_count (fixture->status, 1);

  list = open_popover_with_rows (fixture, 2);

  /* The failed comment: its reason and its body are shown as they are, markup and all. */
  failed_label = find_label (list, "!42 · failed: " HOSTILE);
  g_assert_nonnull (failed_label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (failed_label)));
  body_label = find_label (row_of (failed_label), HOSTILE);
  g_assert_nonnull (body_label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (body_label)));
  g_assert_nonnull (find_label (row_of (failed_label), "Comment"));
  g_assert_null (find_label (list, "Second line, not shown"));

  /* The approval waits its turn, without buttons. */
  pending_label = find_label (list, "!43 · pending");
  g_assert_nonnull (pending_label);
  g_assert_nonnull (find_label (row_of (pending_label), "Approve"));
  g_assert_null (find_widget (row_of (pending_label), is_button_for_action,
                              "app.retry-action"));

  /* While the popover is open, a change in the counts reads the outbox again. */
  reply = enqueue (fixture,
                   nod_outbox_action_new_reply (ACCOUNT, PROJECT, MR_REPLIED,
                                                "6a9c1750b37d513a43987b574953fceb50b03ce7",
                                                "Thanks, fixed"));
  nod_sync_status_set_pending_count (fixture->status, 2);
  list = open_popover_with_rows (fixture, 3);
  g_assert_nonnull (find_label (list, "!44 · pending"));
  g_assert_nonnull (find_label (list, "Reply"));
  g_assert_nonnull (find_label (list, "Thanks, fixed"));

  gtk_popover_popdown (GTK_POPOVER (popover_of (fixture)));
}

static void
test_popover_long_body (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(GString) body = g_string_new ("\n\n   ");
  g_autofree char *start = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *list;

  /* 100 characters, some of them more than a byte long; blank lines before. */
  for (guint i = 0; i < 50; i++)
    g_string_append (body, "é-");
  start = g_utf8_substring (body->str + 5, 0, 79);
  expected = g_strconcat (start, "…", NULL);

  open_outbox (fixture);
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_COMMENTED, body->str));
  nod_status_indicator_set_outbox (fixture->indicator, fixture->outbox);

  list = open_popover_with_rows (fixture, 1);
  g_assert_nonnull (find_label (list, expected));
  g_assert_cmpint (g_utf8_strlen (expected, -1), ==, 80);
}

static void
test_popover_retry_and_dismiss (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *op_id;
  GtkWidget *list;
  GtkWidget *row;
  GtkWidget *retry;
  GtkWidget *dismiss;
  GVariant *target;

  open_outbox (fixture);
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_COMMENTED, "Nit"));
  op_id = nod_outbox_action_get_op_id (comment);
  fail_next_discussion_action (fixture, op_id, "You can’t comment on this merge request");
  nod_status_indicator_set_outbox (fixture->indicator, fixture->outbox);

  list = open_popover_with_rows (fixture, 1);
  row = row_of (find_label (list, "!42 · failed: You can’t comment on this merge request"));

  retry = find_widget (row, is_button_for_action, "app.retry-action");
  g_assert_nonnull (retry);
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (retry));
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, op_id);
  g_assert_true (gtk_widget_is_sensitive (retry));

  g_assert_true (gtk_widget_activate (retry));
  nod_test_wait_until (action_was_activated, fixture);
  g_assert_cmpstr (fixture->activated_action, ==, "retry-action");
  g_assert_cmpstr (fixture->activated_target, ==, op_id);
  forget_activations (fixture);

  dismiss = find_widget (row, is_button_for_action, "app.discard-action");
  g_assert_nonnull (dismiss);
  g_assert_true (gtk_widget_activate (dismiss));
  nod_test_wait_until (action_was_activated, fixture);
  g_assert_cmpstr (fixture->activated_action, ==, "discard-action");
  g_assert_cmpstr (fixture->activated_target, ==, op_id);
}

/* A pending row takes Cancel, and a comment Edit too: the window's actions, on its op id. */
static void
test_popover_cancel_and_edit (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(GSimpleActionGroup) win_actions = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { "cancel-action", on_app_action, "s" },
    { "edit-action", on_app_action, "s" },
  };
  GtkWidget *list;
  GtkWidget *comment_row;
  GtkWidget *approve_row;
  GtkWidget *cancel;
  GtkWidget *edit;

  g_action_map_add_action_entries (G_ACTION_MAP (win_actions), entries, G_N_ELEMENTS (entries),
                                   fixture);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "win",
                                  G_ACTION_GROUP (win_actions));
  open_outbox (fixture);
  comment = enqueue (fixture,
                     nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_COMMENTED, "Nit"));
  approve = enqueue (fixture,
                     nod_outbox_action_new_approve (ACCOUNT, PROJECT, MR_APPROVED,
                                                    "0123456789abcdef0123456789abcdef01234567"));
  nod_status_indicator_set_outbox (fixture->indicator, fixture->outbox);

  list = open_popover_with_rows (fixture, 2);
  comment_row = row_of (find_label (list, "!42 · pending"));
  approve_row = row_of (find_label (list, "!43 · pending"));

  edit = find_widget (comment_row, is_button_for_action, "win.edit-action");
  g_assert_nonnull (edit);
  g_assert_true (gtk_widget_activate (edit));
  nod_test_wait_until (action_was_activated, fixture);
  g_assert_cmpstr (fixture->activated_action, ==, "edit-action");
  g_assert_cmpstr (fixture->activated_target, ==, nod_outbox_action_get_op_id (comment));
  forget_activations (fixture);

  cancel = find_widget (approve_row, is_button_for_action, "win.cancel-action");
  g_assert_nonnull (cancel);
  g_assert_true (gtk_widget_activate (cancel));
  nod_test_wait_until (action_was_activated, fixture);
  g_assert_cmpstr (fixture->activated_action, ==, "cancel-action");
  g_assert_cmpstr (fixture->activated_target, ==, nod_outbox_action_get_op_id (approve));
  /* An approval has no text to edit. */
  g_assert_null (find_widget (approve_row, is_button_for_action, "win.edit-action"));
  g_assert_nonnull (find_widget (comment_row, is_button_for_action, "win.cancel-action"));
  gtk_popover_popdown (GTK_POPOVER (popover_of (fixture)));
}

static gboolean
widget_is_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
test_popover_opens_from_bar (Fixture       *fixture,
                             gconstpointer  data)
{
  GtkWidget *button = find_of_type (GTK_WIDGET (fixture->indicator), GTK_TYPE_TOGGLE_BUTTON);
  GtkWidget *popover = popover_of (fixture);

  g_assert_false (gtk_widget_get_visible (popover));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_PROPERTY_HAS_POPUP, TRUE);

  /* A click on the bar opens the popover, as Enter or Space would. */
  g_assert_true (gtk_widget_activate (button));
  nod_test_wait_until (widget_is_mapped, popover);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_EXPANDED, TRUE);

  /* Closed some other way (Escape, a click elsewhere), the bar lets go as well. */
  gtk_popover_popdown (GTK_POPOVER (popover));
  nod_test_wait_until (widget_is_unmapped, popover);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_STATE_EXPANDED, FALSE);

  /* And a second click opens it again. */
  g_assert_true (gtk_widget_activate (button));
  nod_test_wait_until (widget_is_mapped, popover);
}

static gboolean
shows_empty_state (gpointer data)
{
  GtkWidget *label = find_label (data, "Nothing waiting to be sent");

  return label != NULL && gtk_widget_get_mapped (label);
}

static void
test_popover_empty (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *popover = popover_of (fixture);

  /* Without an outbox. */
  gtk_popover_popup (GTK_POPOVER (popover));
  nod_test_wait_until (shows_empty_state, popover);
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* With an outbox that holds nothing. */
  open_outbox (fixture);
  nod_status_indicator_set_outbox (fixture->indicator, fixture->outbox);
  gtk_popover_popup (GTK_POPOVER (popover));
  nod_test_wait_until (shows_empty_state, popover);
  g_assert_cmpuint (count_rows (find_of_type (popover, GTK_TYPE_LIST_BOX)), ==, 0);
}

/* GitLab refused the token: the popover offers the way back, and only then. */
static void
test_popover_sign_in_again (Fixture       *fixture,
                            gconstpointer  data)
{
  GtkWidget *button;

  gtk_popover_popup (GTK_POPOVER (popover_of (fixture)));
  nod_test_wait_until (widget_is_mapped, popover_of (fixture));
  button = find_widget (popover_of (fixture), is_button_for_action, "app.sign-in-again");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_true (gtk_widget_get_visible (button));
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_IDLE);
  g_assert_false (gtk_widget_get_visible (button));
}

static void
test_push_now (Fixture       *fixture,
               gconstpointer  data)
{
  const char *reason = "Nothing can be sent while you are offline.";
  GtkWidget *button;

  /* With the popover closed: a sensitivity change inside an open popover has GTK make up
   * crossing events, which start its tooltip's timeout on the popover; that timeout would
   * fire in a later test, after the popover is gone (a critical in GTK 4.8). */
  button = push_button_of (fixture);

  nod_sync_status_set_can_sync_now (fixture->status, FALSE);
  nod_sync_status_set_sync_now_reason (fixture->status, reason);
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_false (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, reason);
  g_assert_true (gtk_widget_get_visible (find_label (popover_of (fixture), reason)));

  nod_sync_status_set_sync_now_reason (fixture->status, NULL);
  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_true (gtk_widget_is_sensitive (button));

  /* The button has one master, app.push-now: disabled, the button follows at once. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (
                                 G_ACTION_MAP (fixture->app_actions), "push-now")), FALSE);
  g_assert_false (gtk_widget_is_sensitive (button));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (
                                 G_ACTION_MAP (fixture->app_actions), "push-now")), TRUE);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_null (gtk_widget_get_tooltip_text (button));
  g_assert_null (find_label (popover_of (fixture), reason));

  /* Pressed, it asks app.push-now (a button is pressed only where it is shown). */
  gtk_popover_popup (GTK_POPOVER (popover_of (fixture)));
  nod_test_wait_until (widget_is_mapped, popover_of (fixture));
  g_assert_true (gtk_widget_activate (button));
  nod_test_wait_until (action_was_activated, fixture);
  g_assert_cmpstr (fixture->activated_action, ==, "push-now");
  g_assert_null (fixture->activated_target);
  gtk_popover_popdown (GTK_POPOVER (popover_of (fixture)));

  nod_sync_status_set_can_sync_now (fixture->status, FALSE);
  g_assert_false (gtk_widget_is_sensitive (button));
}

static void
test_needs_display (void)
{
  g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("status-indicator");
  int status;

  g_test_init (&argc, &argv, NULL);

  /* GTK's in-process accessibility backend: it keeps the accessible properties where
   * the tests can read them, and talks to no accessibility bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/nod/status-indicator/needs-display", test_needs_display);
      status = g_test_run ();
      nod_test_remove_tree (home);
      return status;
    }

#define ADD(path, func) \
  g_test_add ("/nod/status-indicator/" path, Fixture, NULL, fixture_set_up, func, \
              fixture_tear_down)

  ADD ("idle/never-synced", test_idle_never_synced);
  ADD ("idle/synced-ago", test_idle_synced_ago);
  ADD ("syncing/progress", test_syncing_progress);
  ADD ("syncing/progress-once-a-frame", test_syncing_progress_once_a_frame);
  ADD ("syncing/texts-progress", test_syncing_texts_progress);
  ADD ("syncing/unknown-total", test_syncing_unknown_total);
  ADD ("offline/pending", test_offline_pending);
  ADD ("blocked/until", test_blocked_until);
  ADD ("signed-out", test_signed_out);
  ADD ("error/sentence", test_error_sentence);
  ADD ("follows-status", test_follows_status);
  ADD ("popover/opens-from-bar", test_popover_opens_from_bar);
  ADD ("popover/lists-outbox", test_popover_lists_outbox);
  ADD ("popover/long-body", test_popover_long_body);
  ADD ("popover/retry-and-dismiss", test_popover_retry_and_dismiss);
  ADD ("popover/cancel-and-edit", test_popover_cancel_and_edit);
  ADD ("popover/empty", test_popover_empty);
  ADD ("popover/sign-in-again", test_popover_sign_in_again);
  ADD ("push-now", test_push_now);

#undef ADD

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
