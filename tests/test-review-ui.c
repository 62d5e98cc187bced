/* test-review-ui.c: the reviewer's window, driven through its actions, against the demo
 * GitLab (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "nod-application.h"
#include "nod-commit.h"
#include "nod-gitlab.h"
#include "nod-gitlab-json.h"
#include "nod-markdown-view.h"
#include "nod-merge-request-item.h"
#include "nod-merge-request-page.h"
#include "nod-merge-request-row.h"
#include "nod-preferences-window.h"
#include "nod-status-indicator.h"
#include "nod-thread-view.h"
#include "nod-test-utils.h"
#include "nod-window.h"

static gboolean have_display;
static const char *nod_path;

typedef struct
{
  NodApplication *app;
  NodWindow      *window;
  NodSyncEngine  *engine;
  char           *base_url;
} Fixture;

static gboolean
window_ready (gpointer data)
{
  Fixture *fixture = data;

  return nod_application_get_engine (fixture->app) != NULL &&
         !nod_sync_engine_is_busy (nod_application_get_engine (fixture->app)) &&
         !nod_window_is_list_loading (fixture->window) &&
         g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window)) > 0;
}

/* Notifications go to the desktop's server; only the test that stands one up wants them
 * (GIO warns when there is none). */
static void
set_notifications (gboolean enabled)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_boolean (settings, "notifications", enabled);
}

static void
start (Fixture *fixture,
       guint    n_generated)
{
  g_autoptr(GError) error = NULL;

  static guint instance;
  g_autofree char *app_id = g_strdup_printf ("%s.Test%u", APP_ID, ++instance);

  /* Each test its own id: an earlier instance may still hold its D-Bus object path. */
  fixture->app = nod_application_new ();
  g_application_set_application_id (G_APPLICATION (fixture->app), app_id);
  g_application_set_flags (G_APPLICATION (fixture->app), G_APPLICATION_NON_UNIQUE);
  nod_application_set_demo (fixture->app, 0, n_generated);
  set_notifications (FALSE);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (fixture->app));
  fixture->window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fixture->app)));
  g_assert_nonnull (fixture->window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  if (!have_display)
    return;

  start (fixture, 0);
  nod_test_wait_until (window_ready, fixture);
  fixture->engine = nod_application_get_engine (fixture->app);
  /* What is sent from the page goes with the next push, not after an Undo's while: these
   * cases are about the push (the Undo's sets its own hold). */
  nod_sync_engine_set_undo_hold (fixture->engine, 0);
  fixture->base_url = g_strdup (nod_application_get_demo_base_url (fixture->app));
  g_assert_cmpstr (nod_window_get_visible_page (fixture->window), ==, "main");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  g_free (fixture->base_url);
}

/* ---- helpers ---- */

static NodMergeRequestItem *
find_item (Fixture *fixture,
           gint64   project_id,
           gint64   iid)
{
  GListModel *items = nod_window_get_merge_requests (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (items, i);
      const NodMergeRequestView *view = nod_merge_request_item_get_view (item);

      if (view->project_id == project_id && view->iid == iid)
        return item;
    }
  return NULL;
}

static const NodMergeRequestView *
approvable (Fixture *fixture)
{
  GListModel *items = nod_window_get_merge_requests (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (items, i);
      const NodMergeRequestView *view = nod_merge_request_item_get_view (item);

      if (view->can_approve && !view->approved_by_me && view->pending_actions == 0 &&
          g_strcmp0 (view->state, "opened") == 0)
        return view;
    }
  g_error ("The demo has no merge request to approve");
}

typedef struct
{
  Fixture *fixture;
  gint64   project_id;
  gint64   iid;
} Shown;

static gboolean
page_shows (gpointer data)
{
  Shown *shown = data;
  NodMergeRequestPage *page = NOD_MERGE_REQUEST_PAGE (nod_window_get_page (shown->fixture->window));

  return nod_merge_request_page_get_project_id (page) == shown->project_id &&
         nod_merge_request_page_get_iid (page) == shown->iid &&
         gtk_widget_get_mapped (GTK_WIDGET (page));
}

static NodMergeRequestPage *
open_merge_request (Fixture *fixture,
                    gint64   project_id,
                    gint64   iid)
{
  Shown shown = { fixture, project_id, iid };

  g_assert_true (nod_window_select_merge_request (fixture->window, project_id, iid));
  nod_test_wait_until (page_shows, &shown);
  return NOD_MERGE_REQUEST_PAGE (nod_window_get_page (fixture->window));
}

static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

typedef struct
{
  Fixture    *fixture;
  gint64      project_id;
  gint64      iid;
  guint       pending;
  guint       failed;
  const char *indicator_prefix;
} RowWait;

static gboolean
row_reached (gpointer data)
{
  RowWait *wait = data;
  NodMergeRequestItem *item = find_item (wait->fixture, wait->project_id, wait->iid);
  NodStatusIndicator *indicator;
  const NodMergeRequestView *view;

  if (item == NULL)
    return FALSE;
  view = nod_merge_request_item_get_view (item);
  indicator = NOD_STATUS_INDICATOR (nod_window_get_indicator (wait->fixture->window));
  return view->pending_actions == wait->pending && view->failed_actions == wait->failed &&
         (wait->indicator_prefix == NULL ||
          g_str_has_prefix (nod_status_indicator_get_text (indicator), wait->indicator_prefix));
}

static gboolean
page_approved (gpointer data)
{
  return nod_merge_request_page_get_approved (data);
}

/* ---- tests ---- */

static void
test_approve_from_page (Fixture       *fixture,
                        gconstpointer  data)
{
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  gint64 project_id, iid;
  g_autofree char *approve_path = NULL;
  NodMergeRequestItem *item;
  GtkButton *button;
  RowWait settled;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  page = open_merge_request (fixture, project_id, iid);
  g_assert_false (nod_merge_request_page_get_approved (page));
  button = GTK_BUTTON (nod_merge_request_page_get_approve_button (page));
  g_assert_cmpstr (gtk_button_get_label (button), ==, "Approve");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-approval",
                                             NULL));
  /* The button flips as soon as the outbox has it, whatever the network does. */
  nod_test_wait_until (page_approved, page);
  g_assert_cmpstr (gtk_button_get_label (button), ==, "Revoke Approval");

  /* GitLab gets it, the row's pending mark clears, the status bar is back to synced. */
  approve_path = g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT
                                  "/approve$", project_id, iid);
  settled = (RowWait) { fixture, project_id, iid, 0, 0, "Synced" };
  nod_test_wait_until (row_reached, &settled);
  g_assert_cmpuint (count_requests (fixture, "POST", approve_path), ==, 1);
  g_assert_true (nod_merge_request_page_get_approved (page));
  item = find_item (fixture, project_id, iid);
  g_assert_true (nod_merge_request_item_get_view (item)->approved_by_me);
}

static void
test_offline_approve_then_push_now (Fixture       *fixture,
                                    gconstpointer  data)
{
  const NodMergeRequestView *view;
  gint64 project_id, iid;
  RowWait waiting, settled;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  open_merge_request (fixture, project_id, iid);

  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-approval", NULL);
  waiting = (RowWait) { fixture, project_id, iid, 1, 0, "Offline · 1 pending" };
  nod_test_wait_until (row_reached, &waiting);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);

  /* GitLab is back: Push now sends it, and both marks clear. */
  nod_sync_engine_set_network (fixture->engine, TRUE, FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  settled = (RowWait) { fixture, project_id, iid, 0, 0, "Synced" };
  nod_test_wait_until (row_reached, &settled);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
}

/* The first widget under @root (depth first) that @test takes. */
typedef gboolean (*WidgetTest) (GtkWidget     *widget,
                                gconstpointer  data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetTest     test,
             gconstpointer  data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (test (child, data))
        return child;
      if ((found = find_widget (child, test, data)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_button_for (GtkWidget     *widget,
               gconstpointer  action_name)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action_name)
{
  return find_widget (root, is_button_for, action_name);
}

static gboolean
page_has_retry (gpointer data)
{
  return find_button (data, "app.retry-action") != NULL;
}

static gboolean
is_label_starting (GtkWidget     *widget,
                   gconstpointer  prefix)
{
  return GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)),
                                                    prefix);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *prefix)
{
  return find_widget (root, is_label_starting, prefix);
}

/* A refused comment shows GitLab's reason on the page; Retry sends it once it can go. */
static void
test_failed_comment_retry (Fixture       *fixture,
                           gconstpointer  data)
{
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  gint64 project_id, iid;
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) cleared = NULL;
  GtkWidget *retry, *reason;
  RowWait queued, failed, settled;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  page = open_merge_request (fixture, project_id, iid);

  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 403}");
  g_signal_emit_by_name (page, "comment", "Please add a test for the empty case.");
  queued = (RowWait) { fixture, project_id, iid, 1, 0, NULL };
  nod_test_wait_until (row_reached, &queued);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  failed = (RowWait) { fixture, project_id, iid, 0, 1, NULL };
  nod_test_wait_until (row_reached, &failed);
  nod_test_wait_until (page_has_retry, page);
  reason = find_label (GTK_WIDGET (page), "Not sent: ");
  g_assert_nonnull (reason);
  g_assert_cmpuint (strlen (gtk_label_get_text (GTK_LABEL (reason))), >, strlen ("Not sent: "));

  cleared = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
  retry = find_button (GTK_WIDGET (page), "app.retry-action");
  g_signal_emit_by_name (retry, "clicked");
  settled = (RowWait) { fixture, project_id, iid, 0, 0, NULL };
  nod_test_wait_until (row_reached, &settled);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 2);
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (((Fixture *) data)->engine);
}

static gboolean
window_has_undo (gpointer data)
{
  return find_button (data, "win.cancel-action") != NULL;
}

/* A comment from the page says "Comment queued" with Undo; Undo takes it back before any
 * push may send it, and GitLab never hears of it. (The hold itself, on the engine's clock,
 * is test-sync-engine's: here it is long, so no wall-clock time can end it.) */
static void
test_comment_undo (Fixture       *fixture,
                   gconstpointer  data)
{
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  gint64 project_id, iid;
  GtkWidget *undo;
  RowWait queued, gone;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  page = open_merge_request (fixture, project_id, iid);
  nod_sync_engine_set_undo_hold (fixture->engine, 3600);

  g_signal_emit_by_name (page, "comment", "On second thought, no.");
  queued = (RowWait) { fixture, project_id, iid, 1, 0, NULL };
  nod_test_wait_until (row_reached, &queued);
  nod_test_wait_until (window_has_undo, fixture->window);

  /* Held: Push now within the Undo's while sends nothing. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  nod_test_wait_until (engine_idle, fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);

  undo = find_button (GTK_WIDGET (fixture->window), "win.cancel-action");
  g_signal_emit_by_name (undo, "clicked");
  gone = (RowWait) { fixture, project_id, iid, 0, 0, NULL };
  nod_test_wait_until (row_reached, &gone);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  nod_test_wait_until (engine_idle, fixture);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);
}

/* ---- a review written in the page, then submitted with an approval ---- */

static gboolean
review_started (gpointer data)
{
  return nod_merge_request_page_get_review_started (data);
}

typedef struct
{
  NodMergeRequestPage *page;
  guint                drafts;
} DraftWait;

static gboolean
drafts_shown (gpointer data)
{
  DraftWait *wait = data;

  return nod_merge_request_page_get_draft_count (wait->page) == wait->drafts;
}

static AdwMessageDialog *
find_dialog (const char *heading)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* A note shown on the page with @markdown as its text. */
static gboolean
is_note_of (GtkWidget     *widget,
            gconstpointer  markdown)
{
  return NOD_IS_MARKDOWN_VIEW (widget) &&
         g_strcmp0 (nod_markdown_view_get_markdown (NOD_MARKDOWN_VIEW (widget)), markdown) == 0;
}

static gboolean
page_has_note (GtkWidget  *root,
               const char *markdown)
{
  return find_widget (root, is_note_of, markdown) != NULL;
}

static gboolean
is_check_button (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_CHECK_BUTTON (widget);
}

typedef struct
{
  Fixture             *fixture;
  NodMergeRequestPage *page;
} Published;

static gboolean
review_published (gpointer data)
{
  Published *published = data;

  return count_requests (published->fixture, "POST", "/draft_notes/bulk_publish$") == 1 &&
         count_requests (published->fixture, "POST", "/approve$") == 1 &&
         !nod_merge_request_page_get_review_started (published->page) &&
         nod_merge_request_page_get_approved (published->page) &&
         page_has_note (GTK_WIDGET (published->page), "A thought to keep.");
}

/* Start a review, write two drafts (nothing sent), delete one, submit with an approval:
 * one draft created, one publish, the approval, and the page back to normal. */
static void
test_review_from_page (Fixture       *fixture,
                       gconstpointer  data)
{
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  AdwMessageDialog *dialog;
  GtkWidget *approve, *remove, *label;
  DraftWait two, one;
  Published published;
  gint64 project_id, iid;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  page = open_merge_request (fixture, project_id, iid);
  g_assert_nonnull (find_button (GTK_WIDGET (page), "win.start-review"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.start-review", NULL);
  nod_test_wait_until (review_started, page);
  g_signal_emit_by_name (page, "comment", "A thought to drop.");
  g_signal_emit_by_name (page, "comment", "A thought to keep.");
  two = (DraftWait) { page, 2 };
  nod_test_wait_until (drafts_shown, &two);
  label = find_label (GTK_WIDGET (page), "Review: ");
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "Review: 2 comments");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Draft"));
  g_assert_cmpuint (count_requests (fixture, "POST", "/draft_notes$"), ==, 0);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 0);

  /* The first draft's Delete. */
  remove = find_button (GTK_WIDGET (page), "win.delete-draft");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  one = (DraftWait) { page, 1 };
  nod_test_wait_until (drafts_shown, &one);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.submit-review", NULL);
  dialog = find_dialog ("Submit Review?");
  g_assert_nonnull (dialog);
  approve = find_widget (adw_message_dialog_get_extra_child (dialog), is_check_button, NULL);
  g_assert_nonnull (approve);
  g_assert_true (gtk_widget_get_visible (approve));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (approve), TRUE);
  adw_message_dialog_response (dialog, "submit");
  gtk_window_destroy (GTK_WINDOW (dialog));

  published = (Published) { fixture, page };
  nod_test_wait_until (review_published, &published);
  g_assert_cmpuint (count_requests (fixture, "POST", "/draft_notes$"), ==, 1);
  /* Shown as GitLab's now (read back after the publish), the dropped one nowhere. */
  g_assert_true (page_has_note (GTK_WIDGET (page), "A thought to keep."));
  g_assert_false (page_has_note (GTK_WIDGET (page), "A thought to drop."));
  g_assert_null (find_label (GTK_WIDGET (page), "Draft"));
  {
    g_autofree char *path = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                             "/notifications", project_id, iid);
    g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "GET", path, NULL);
    JsonArray *events = json_object_get_array_member (json_node_get_object (answer), "events");
    JsonObject *event;

    g_assert_cmpuint (json_array_get_length (events), ==, 1);
    event = json_array_get_object_element (events, 0);
    g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, "review");
    g_assert_cmpint (json_object_get_int_member (event, "notes"), ==, 1);
  }
  g_assert_nonnull (find_button (GTK_WIDGET (page), "win.start-review"));
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button_labelled (GtkWidget  *root,
                      const char *label)
{
  return find_widget (root, is_button_labelled, label);
}

static gboolean
is_shown_entry (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_ENTRY (widget) && gtk_widget_get_visible (widget);
}

static gboolean
replied_and_resolved (gpointer data)
{
  Fixture *fixture = data;

  return count_requests (fixture, "POST", "/notes$") == 1 &&
         count_requests (fixture, "PUT", "/discussions/[0-9a-f]+$") == 1;
}

/* A reply typed turns Resolve Thread into Reply and Resolve: the reply, then the resolve. */
static void
test_reply_and_resolve (Fixture       *fixture,
                        gconstpointer  data)
{
  NodMergeRequestPage *page;
  GtkWidget *entry, *button;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  /* gnome-apps/nod!111 in the sample: open threads. */
  page = open_merge_request (fixture, 11, 111);
  entry = find_widget (GTK_WIDGET (page), is_shown_entry, NULL);
  g_assert_nonnull (entry);
  g_assert_null (find_button_labelled (GTK_WIDGET (page), "Reply and Resolve"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Done, resolving.");
  button = find_button_labelled (GTK_WIDGET (page), "Reply and Resolve");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  nod_test_wait_until (replied_and_resolved, fixture);
}

static gboolean
subtitle_says_pushed (gpointer data)
{
  const char *subtitle = nod_preferences_window_get_push_subtitle (data);

  return subtitle != NULL && g_str_has_prefix (subtitle, "Pushed 1 ");
}

static void
test_preferences_push_now (Fixture       *fixture,
                           gconstpointer  data)
{
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  NodPreferencesWindow *preferences = NULL;
  GList *windows;
  RowWait queued;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  view = approvable (fixture);
  queued = (RowWait) { fixture, view->project_id, view->iid, 1, 0, NULL };
  page = open_merge_request (fixture, queued.project_id, queued.iid);
  g_signal_emit_by_name (page, "comment", "Looks good to me.");
  nod_test_wait_until (row_reached, &queued);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  windows = gtk_application_get_windows (GTK_APPLICATION (fixture->app));
  for (GList *l = windows; l != NULL; l = l->next)
    if (NOD_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;
  g_assert_nonnull (preferences);

  g_signal_emit_by_name (nod_preferences_window_get_push_button (preferences), "clicked");
  nod_test_wait_until (subtitle_says_pushed, preferences);
  g_assert_cmpstr (nod_preferences_window_get_push_subtitle (preferences), ==,
                   "Pushed 1 · 0 failed · 0 remaining");
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* ---- sent, shown without a pull ---- */

#define DEMO_TOKEN "glpat-nod-demo"

static gboolean
is_thread_of (GtkWidget     *widget,
              gconstpointer  discussion_id)
{
  return NOD_IS_THREAD_VIEW (widget) &&
         g_strcmp0 (nod_thread_view_get_discussion_id (NOD_THREAD_VIEW (widget)),
                    discussion_id) == 0;
}

static NodThreadView *
find_thread (GtkWidget  *root,
             const char *discussion_id)
{
  return (NodThreadView *) find_widget (root, is_thread_of, discussion_id);
}

/* How many widgets under @root carry @css_class. */
static guint
count_with_class (GtkWidget  *root,
                  const char *css_class)
{
  guint count = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += gtk_widget_has_css_class (child, css_class) + count_with_class (child, css_class);
  return count;
}

/* How many notes a thread shows, its own not yet sent included. */
static guint
count_notes (GtkWidget *thread)
{
  guint count = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (thread); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += NOD_IS_MARKDOWN_VIEW (child) + count_notes (child);
  return count;
}

/* GitLab's threads on one merge request, as the server has them. */
static GPtrArray *
server_threads (Fixture *fixture,
                gint64   project_id,
                gint64   iid)
{
  g_autoptr(NodGitlab) observer = nod_gitlab_new (fixture->base_url, DEMO_TOKEN, NULL);
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_forge_list_discussions_async (NOD_FORGE (observer), project_id, iid, 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return g_ptr_array_ref (nod_forge_page_get_items (page));
}

static NodDiscussion *
find_discussion (GPtrArray  *discussions,
                 const char *first_body)
{
  for (guint i = 0; i < discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

      if (notes->len > 0 &&
          g_strcmp0 (nod_note_get_body (notes->pdata[0]), first_body) == 0)
        return discussions->pdata[i];
    }
  return NULL;
}

/* An open merge request with an open thread of people's notes, and that thread. (Reading
 * the server runs the main loop, and a reload may give the list's items new views: the
 * candidates' ids are taken first.) */
static NodDiscussion *
with_open_thread (Fixture *fixture,
                  gint64  *out_project_id,
                  gint64  *out_iid)
{
  GListModel *items = nod_window_get_merge_requests (fixture->window);
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (items, i);
      const NodMergeRequestView *view = nod_merge_request_item_get_view (item);

      if (g_strcmp0 (view->state, "opened") == 0 && view->pending_actions == 0)
        {
          g_array_append_val (candidates, view->project_id);
          g_array_append_val (candidates, view->iid);
        }
    }

  for (guint i = 0; i + 1 < candidates->len; i += 2)
    {
      gint64 project_id = g_array_index (candidates, gint64, i);
      gint64 iid = g_array_index (candidates, gint64, i + 1);
      g_autoptr(GPtrArray) threads = server_threads (fixture, project_id, iid);

      for (guint t = 0; t < threads->len; t++)
        {
          NodDiscussion *thread = threads->pdata[t];
          NodNote *first = g_ptr_array_index (nod_discussion_get_notes (thread), 0);

          if (nod_discussion_get_resolvable (thread) && !nod_discussion_get_resolved (thread) &&
              !nod_note_get_system (first))
            {
              *out_project_id = project_id;
              *out_iid = iid;
              return g_object_ref (thread);
            }
        }
    }
  g_error ("The demo has no open thread to reply to");
}

typedef struct
{
  NodMergeRequestPage *page;
  const char          *discussion_id;
  guint                notes;
  gboolean             resolved;
} ThreadWait;

/* The thread is on the page as GitLab has it: @notes notes, none of them pending. */
static gboolean
thread_shows_sent (gpointer data)
{
  ThreadWait *wait = data;
  NodThreadView *thread = find_thread (GTK_WIDGET (wait->page), wait->discussion_id);

  return thread != NULL && count_notes (GTK_WIDGET (thread)) == wait->notes &&
         count_with_class (GTK_WIDGET (thread), "nod-pending-note") == 0 &&
         nod_thread_view_get_resolved (thread) == wait->resolved;
}

/* Comment, reply and resolve, then Push now: each shows as GitLab has it, with GitLab's
 * ids, at once, although nothing is pulled: what GitLab answered each write is kept. */
static void
test_sent_shown_without_pull (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodDiscussion) open_thread = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  gint64 project_id, iid;
  NodMergeRequestPage *page;
  NodDiscussion *started;
  guint reads_before;
  RowWait queued, settled;
  ThreadWait replied, opened;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  open_thread = with_open_thread (fixture, &project_id, &iid);
  page = open_merge_request (fixture, project_id, iid);
  queued = (RowWait) { fixture, project_id, iid, 3, 0, NULL };
  settled = (RowWait) { fixture, project_id, iid, 0, 0, "Synced" };

  g_signal_emit_by_name (page, "comment", "A new thread, sent with Push now.");
  g_signal_emit_by_name (page, "reply", nod_discussion_get_id (open_thread),
                         "A reply, sent with Push now.");
  g_signal_emit_by_name (page, "resolve", nod_discussion_get_id (open_thread), TRUE);
  nod_test_wait_until (row_reached, &queued);

  /* Avatars are no read of GitLab's state: only the API counts. */
  reads_before = count_requests (fixture, "GET", "^/api/");
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  nod_test_wait_until (row_reached, &settled);

  /* The server has each once. */
  threads = server_threads (fixture, project_id, iid);
  started = find_discussion (threads, "A new thread, sent with Push now.");
  g_assert_nonnull (started);
  g_assert_cmpuint (count_requests (fixture, "POST", "/discussions$"), ==, 1);
  g_assert_cmpuint (count_requests (fixture, "POST", "/notes$"), ==, 1);

  /* The page shows them under GitLab's ids, sent, the thread resolved. */
  opened = (ThreadWait) { page, nod_discussion_get_id (started), 1, FALSE };
  nod_test_wait_until (thread_shows_sent, &opened);
  replied = (ThreadWait) { page, nod_discussion_get_id (open_thread),
                           nod_discussion_get_notes (open_thread)->len + 1, TRUE };
  nod_test_wait_until (thread_shows_sent, &replied);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (page), "nod-pending-note"), ==, 0);

  /* Nothing was read from GitLab to show it: the one read since is this test's own. */
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/"), ==, reads_before + 1);
}

/* How many of a thread's notes are shown (not hidden by a fold). */
static guint
count_visible_notes (GtkWidget *root)
{
  guint count = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += (NOD_IS_MARKDOWN_VIEW (child) && gtk_widget_is_visible (child)) +
             count_visible_notes (child);
  return count;
}

static gboolean
is_label_text (GtkWidget     *widget,
               gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_expander (GtkWidget     *widget,
             gconstpointer  data)
{
  return GTK_IS_EXPANDER (widget);
}

/* A resolved thread shows folded, one "Resolved" line, and opens when activated; the
 * Discussion heading counts GitLab's threads and the unresolved ones. */
static void
test_resolved_folded (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GDateTime) now = NULL;
  NodMergeRequestPage *page;
  NodDiscussion *resolved = NULL;
  NodThreadView *thread;
  GtkWidget *expander, *label;
  guint resolvable = 0, unresolved = 0;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  /* gnome-apps/nod!101 in the sample: a resolved thread of three notes, open ones. */
  threads = server_threads (fixture, 11, 101);
  for (guint i = 0; i < threads->len; i++)
    if (nod_discussion_get_resolvable (threads->pdata[i]))
      {
        resolvable++;
        if (!nod_discussion_get_resolved (threads->pdata[i]))
          unresolved++;
        else if (resolved == NULL)
          resolved = threads->pdata[i];
      }
  g_assert_nonnull (resolved);
  g_assert_cmpuint (unresolved, >, 0);
  g_assert_cmpuint (nod_discussion_get_notes (resolved)->len, ==, 3);

  page = open_merge_request (fixture, 11, 101);
  expected = g_strdup_printf ("%u threads · %u unresolved", resolvable, unresolved);
  g_assert_cmpstr (nod_merge_request_page_get_threads_text (page), ==, expected);

  thread = find_thread (GTK_WIDGET (page), nod_discussion_get_id (resolved));
  g_assert_nonnull (thread);
  g_assert_true (nod_thread_view_get_folded (thread));
  expander = find_widget (GTK_WIDGET (thread), is_expander, NULL);
  g_assert_nonnull (expander);
  g_assert_true (gtk_widget_is_visible (expander));
  /* The sample's resolver is sam: by name, the username in its tooltip. */
  label = find_widget (expander, is_label_text, "Resolved by Sam Okafor");
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==, "Sam Okafor (@sam)");
  g_assert_cmpuint (count_notes (GTK_WIDGET (thread)), ==, 3);
  g_assert_cmpuint (count_visible_notes (GTK_WIDGET (thread)), ==, 0);

  /* Opened, it shows its notes, and an update (as a pull brings) keeps it open. */
  gtk_widget_activate (expander);
  g_assert_false (nod_thread_view_get_folded (thread));
  g_assert_cmpuint (count_visible_notes (GTK_WIDGET (thread)), ==, 3);
  now = g_date_time_new_now_utc ();
  nod_thread_view_update (thread, resolved, NULL, now);
  g_assert_false (nod_thread_view_get_folded (thread));

  /* An open thread does not fold. */
  for (guint i = 0; i < threads->len; i++)
    if (nod_discussion_get_resolvable (threads->pdata[i]) &&
        !nod_discussion_get_resolved (threads->pdata[i]))
      {
        NodThreadView *open = find_thread (GTK_WIDGET (page),
                                           nod_discussion_get_id (threads->pdata[i]));

        g_assert_nonnull (open);
        g_assert_false (nod_thread_view_get_folded (open));
        g_assert_cmpuint (count_visible_notes (GTK_WIDGET (open)), >, 0);
      }
}

typedef struct
{
  GtkWidget  *page;
  const char *discussion_id;
} FoldWait;

static gboolean
resolved_by_you (gpointer data)
{
  FoldWait *wait = data;
  NodThreadView *thread = find_thread (wait->page, wait->discussion_id);

  return thread != NULL && nod_thread_view_get_folded (thread) &&
         find_widget (GTK_WIDGET (thread), is_label_text, "Resolved by you") != NULL;
}

/* A thread the reviewer resolves offline folds at once, "Resolved by you", while the
 * resolve waits in the outbox. */
static void
test_resolved_by_you (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  NodMergeRequestPage *page;
  NodThreadView *thread = NULL;
  FoldWait wait;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  page = open_merge_request (fixture, 11, 101);
  threads = server_threads (fixture, 11, 101);
  for (guint i = 0; i < threads->len && thread == NULL; i++)
    if (nod_discussion_get_resolvable (threads->pdata[i]) &&
        !nod_discussion_get_resolved (threads->pdata[i]))
      thread = find_thread (GTK_WIDGET (page), nod_discussion_get_id (threads->pdata[i]));
  g_assert_nonnull (thread);
  g_assert_false (nod_thread_view_get_folded (thread));

  nod_sync_engine_set_network (fixture->engine, FALSE, FALSE);
  g_assert_true (nod_thread_view_toggle_resolved (thread));
  wait = (FoldWait) { GTK_WIDGET (page), nod_thread_view_get_discussion_id (thread) };
  nod_test_wait_until (resolved_by_you, &wait);
  g_assert_cmpuint (count_requests (fixture, "PUT", "/discussions/[0-9a-f]+$"), ==, 0);
}

/* A resolver's name is a stranger's text: shown as it is, never as markup, and cut to a
 * line's worth. */
static void
test_resolver_hostile_name (void)
{
  g_autoptr(GString) name = g_string_new ("<b>Mallory</b> & <span size='99999'>x</span>");
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) discussion = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  NodThreadView *thread;
  GtkWidget *window, *label;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  while (name->len < 900)
    g_string_append (name, " &amp; <u>");
  g_string_printf (json, "{\"id\": \"abc123\", \"notes\": [{\"id\": 1, \"body\": \"Hm\", "
                   "\"author\": {\"id\": 2, \"username\": \"kim\"}, \"resolvable\": true, "
                   "\"resolved\": true, \"resolved_by\": {\"id\": 3, \"username\": \"m\", "
                   "\"name\": \"%s\"}}]}", name->str);
  g_assert_true (json_parser_load_from_data (parser, json->str, -1, &error));
  g_assert_no_error (error);
  discussion = _nod_gitlab_json_parse_discussion (json_parser_get_root (parser), &error);
  g_assert_no_error (error);

  window = gtk_window_new ();
  thread = nod_thread_view_new ("abc123");
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (thread));
  nod_thread_view_update (thread, NOD_DISCUSSION (discussion), NULL, now);
  g_assert_true (nod_thread_view_get_folded (thread));

  label = find_label (GTK_WIDGET (thread), "Resolved by <b>Mallory</b> & <span");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (label)), "…"));
  g_assert_cmpuint (g_utf8_strlen (gtk_label_get_text (GTK_LABEL (label)), -1), <=, 80);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_wrapped_label_with (GtkWidget     *widget,
                       gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_label_get_wrap (GTK_LABEL (widget)) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL;
}

/* System notes ("added 2 commits" with its bullets) show as events: the event class, a
 * caption, the bullets as plain wrapped lines, no Markdown view, no reply box. */
static void
test_system_notes_events (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  NodMergeRequestPage *page;
  NodDiscussion *commits = NULL;
  NodThreadView *thread;
  guint system = 0;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  threads = server_threads (fixture, 11, 101);
  for (guint i = 0; i < threads->len; i++)
    {
      NodNote *first = g_ptr_array_index (nod_discussion_get_notes (threads->pdata[i]), 0);

      if (nod_note_get_system (first))
        {
          system++;
          if (g_str_has_prefix (nod_note_get_body (first), "added 2 commits"))
            commits = threads->pdata[i];
        }
    }
  g_assert_nonnull (commits);

  page = open_merge_request (fixture, 11, 101);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (page), "nod-system-note"), ==, system);
  thread = find_thread (GTK_WIDGET (page), nod_discussion_get_id (commits));
  g_assert_nonnull (thread);
  g_assert_cmpuint (count_with_class (GTK_WIDGET (thread), "nod-system-note"), ==, 1);
  g_assert_cmpuint (count_notes (GTK_WIDGET (thread)), ==, 0);
  g_assert_nonnull (find_widget (GTK_WIDGET (thread), is_wrapped_label_with,
                                 "added 2 commits\n• 3f2a9c1d - Rename flush_pending\n"
                                 "• 8b7e0a44 - Test 401 during flush"));
  g_assert_null (find_widget (GTK_WIDGET (thread), is_shown_entry, NULL));
}

static gboolean
is_search_entry (GtkWidget     *widget,
                 gconstpointer  data)
{
  g_autofree char *placeholder = NULL;

  if (!GTK_IS_SEARCH_ENTRY (widget))
    return FALSE;
  g_object_get (widget, "placeholder-text", &placeholder, NULL);
  return g_strcmp0 (placeholder, "Search merge requests") == 0;
}

static gboolean
is_status_page_titled (GtkWidget     *widget,
                       gconstpointer  title)
{
  return ADW_IS_STATUS_PAGE (widget) &&
         g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

static gboolean
no_results_shown (gpointer data)
{
  return find_widget (data, is_status_page_titled, "No Results") != NULL;
}

/* A search that finds nothing says so with a search icon and the text searched for,
 * escaped. */
static void
test_search_no_results (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *entry, *status;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  entry = find_widget (GTK_WIDGET (fixture->window), is_search_entry, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "<b>zzz</b> & nothing");
  nod_test_wait_until (no_results_shown, fixture->window);
  status = find_widget (GTK_WIDGET (fixture->window), is_status_page_titled, "No Results");
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==,
                   "system-search-symbolic");
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), ==,
                   "No merge request matches “&lt;b&gt;zzz&lt;/b&gt; &amp; nothing”");
}

static gboolean
account_signed_in (gpointer data)
{
  return nod_account_get_signed_in (data);
}

/* Signing out keeps the list and the outbox: an approval waits, named in the status bar,
 * and goes once the account signs in again. */
static void
test_sign_out_then_in (Fixture       *fixture,
                       gconstpointer  data)
{
  const NodMergeRequestView *view;
  g_autoptr(NodAccount) account = NULL;
  GListModel *accounts;
  gint64 project_id, iid;
  guint listed;
  RowWait waiting, settled;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  accounts = G_LIST_MODEL (nod_application_get_accounts (fixture->app));
  account = g_list_model_get_item (accounts, 0);
  g_assert_true (nod_account_get_signed_in (account));
  listed = g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "sign-out-account",
                                  g_variant_new_int64 (nod_account_get_id (account)));
  g_assert_false (nod_account_get_signed_in (account));
  g_assert_null (nod_session_get_forge (nod_application_get_session (fixture->app),
                                        nod_account_get_id (account)));

  view = approvable (fixture);
  project_id = view->project_id;
  iid = view->iid;
  open_merge_request (fixture, project_id, iid);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.toggle-approval", NULL);
  waiting = (RowWait) { fixture, project_id, iid, 1, 0, "Sign-in needed · 1 pending" };
  nod_test_wait_until (row_reached, &waiting);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window)),
                    ==, listed);

  /* The demo signs in again with its own token, checked with GitLab like any other. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "sign-in-account",
                                  g_variant_new_int64 (nod_account_get_id (account)));
  nod_test_wait_until (account_signed_in, account);
  settled = (RowWait) { fixture, project_id, iid, 0, 0, "Synced" };
  nod_test_wait_until (row_reached, &settled);
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);
}

static gboolean
item_listed (gpointer data)
{
  Shown *shown = data;

  return find_item (shown->fixture, shown->project_id, shown->iid) != NULL;
}

/* A title full of markup, 10 KB long, is shown as the text it is. */
static void
test_hostile_title (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GString) title = g_string_new ("<b>bold</b> & <i>not</i> <span size='99999'>x</span>");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) created = NULL;
  g_autofree char *body = NULL;
  NodMergeRequestPage *page;
  GtkWidget *label;
  Shown shown = { fixture, 0, 0 };

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  while (title->len < 10 * 1024)
    g_string_append (title, " &amp; <u>");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "project_id");
  json_builder_add_int_value (builder, 11);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title->str);
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, "amelie");
  json_builder_set_member_name (builder, "reviewers");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "sam");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);
  created = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr", body);
  shown.project_id = json_object_get_int_member (json_node_get_object (created), "project_id");
  shown.iid = json_object_get_int_member (json_node_get_object (created), "iid");

  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (item_listed, &shown);
  page = open_merge_request (fixture, shown.project_id, shown.iid);

  label = find_label (GTK_WIDGET (page), "<b>bold</b> & <i>not</i>");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  /* Nod keeps at most 1,024 characters of a title, and says it cut it. */
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (label)), "…"));
  g_assert_cmpuint (g_utf8_strlen (gtk_label_get_text (GTK_LABEL (label)), -1), <=, 1025);
}

/* ---- what a reviewer looks at before approving ---- */

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  GtkWidget *title_label;

  if (!NOD_IS_MERGE_REQUEST_ROW (widget))
    return FALSE;
  title_label = gtk_widget_get_first_child (widget);
  return GTK_IS_LABEL (title_label) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (title_label)), title) == 0;
}

static NodMergeRequestRow *
find_row (Fixture    *fixture,
          const char *title)
{
  return (NodMergeRequestRow *) find_widget (GTK_WIDGET (fixture->window), is_row_titled, title);
}

typedef struct
{
  Fixture    *fixture;
  const char *title;
  const char *pipeline;   /* the row's description of it */
  gboolean    unread;
} RowLooks;

static gboolean
row_looks (gpointer data)
{
  RowLooks *looks = data;
  NodMergeRequestRow *row = find_row (looks->fixture, looks->title);

  return row != NULL &&
         g_strcmp0 (nod_merge_request_row_get_pipeline_description (row), looks->pipeline) == 0 &&
         !nod_merge_request_row_get_unread (row) == !looks->unread;
}

#define SYNC_TITLE "Sync engine: push approvals within a second"

/* The sample's !101 passed its pipeline on GitLab: its row and its page say so. When
 * GitLab changes it after the reviewer opened it (a comment, a pipeline that failed), a
 * sync shows both on its row, and opening it clears the mark. */
static void
test_pipeline_and_unread (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(JsonNode) comment = NULL, pipeline = NULL;
  g_autoptr(NodMergeRequestItem) item_ref = NULL;
  NodMergeRequestPage *page;
  NodMergeRequestItem *item;
  GtkWidget *label;
  g_autofree char *status = NULL;
  RowLooks passed = { fixture, SYNC_TITLE, "Pipeline passed", FALSE };
  RowLooks failed = { fixture, SYNC_TITLE, "Pipeline failed", TRUE };
  RowLooks seen = { fixture, SYNC_TITLE, "Pipeline failed", FALSE };

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  nod_test_wait_until (row_looks, &passed);
  item = find_item (fixture, 11, 101);
  g_object_get (item, "pipeline-status", &status, NULL);
  g_assert_cmpstr (status, ==, "success");

  page = open_merge_request (fixture, 11, 101);
  g_assert_cmpstr (nod_merge_request_page_get_pipeline_text (page), ==, "Pipeline passed");
  /* !101 needs two approvals and has one; sam is asked and has not approved. */
  g_assert_cmpstr (nod_merge_request_page_get_merge_status_text (page), ==,
                   "Not approved yet · 1 approval left · can approve: Sam Okafor");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "performance"));
  /* Reviewers by name, as the author is; the usernames in the tooltip. */
  label = find_label (GTK_WIDGET (page), "Reviewers: ");
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                   "Reviewers: Sam Okafor, Jakub Kowalski");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==,
                   "Sam Okafor (@sam), Jakub Kowalski (@jkowalski)");
  g_assert_nonnull (find_label (GTK_WIDGET (page), "Approved by Jakub Kowalski"));

  /* Looked at; then something else; then GitLab moves on. */
  open_merge_request (fixture, 11, 102);
  comment = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/101/comment",
                                   "{\"author\": \"amelie\", \"body\": \"Rebased.\"}");
  pipeline = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/101/pipeline",
                                    "{\"status\": \"failed\"}");
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (row_looks, &failed);

  page = open_merge_request (fixture, 11, 101);
  nod_test_wait_until (row_looks, &seen);
  g_assert_cmpstr (nod_merge_request_page_get_pipeline_text (page), ==, "Pipeline failed");
}

typedef struct
{
  Fixture *fixture;
  guint    lists_before;
} Pulled;

static gboolean
pulled_and_idle (gpointer data)
{
  Pulled *pulled = data;

  return count_requests (pulled->fixture, "GET", "^/api/v4/merge_requests$") >
           pulled->lists_before &&
         !nod_sync_engine_is_busy (pulled->fixture->engine) &&
         !nod_window_is_list_loading (pulled->fixture->window);
}

static gboolean
comment_sent (gpointer data)
{
  Fixture *fixture = data;

  return count_requests (fixture, "POST", "/merge_requests/101/discussions$") == 1 &&
         !nod_sync_engine_is_busy (fixture->engine);
}

/* The reviewer's own comment moves the merge request's updated_at on GitLab; it is no news
 * to them, so a merge request they had read stays read. What someone else writes after it
 * is news. */
static void
test_own_comment_stays_read (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(JsonNode) comment = NULL;
  NodMergeRequestPage *page;
  RowLooks read = { fixture, SYNC_TITLE, "Pipeline passed", FALSE };
  RowLooks unread = { fixture, SYNC_TITLE, "Pipeline passed", TRUE };
  Pulled pulled;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  nod_test_wait_until (row_looks, &read);
  page = open_merge_request (fixture, 11, 101);
  g_signal_emit_by_name (page, "comment", "A note of my own.");
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_wait_until (comment_sent, fixture);
  open_merge_request (fixture, 11, 102);

  /* A pull brings !101 back with GitLab's new updated_at: still read. */
  pulled.fixture = fixture;
  pulled.lists_before = count_requests (fixture, "GET", "^/api/v4/merge_requests$");
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (pulled_and_idle, &pulled);
  g_assert_true (row_looks (&read));

  /* Someone else's, later: news. The fake's times are the wall clock's, so theirs is
   * dated past the mark's slack. */
  comment = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/101/comment",
                                   "{\"author\": \"amelie\", \"body\": \"Rebased.\", "
                                   "\"later_s\": 5}");
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (row_looks, &unread);
}

static gboolean
is_avatar (GtkWidget     *widget,
           gconstpointer  data)
{
  return ADW_IS_AVATAR (widget);
}

static gboolean
avatar_has_image (gpointer data)
{
  return adw_avatar_get_custom_image (data) != NULL;
}

/* The page shows its author's avatar and each note its author's, fetched from the fake
 * in the background, once a URL, with no credentials. */
static void
test_avatars_shown (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(GHashTable) fetched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  NodMergeRequestPage *page;
  NodThreadView *thread;
  g_autoptr(GPtrArray) threads = NULL;
  GtkWidget *avatar;
  JsonArray *requests;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  page = open_merge_request (fixture, 11, 101);
  /* The header's comes first: amelie opened !101. */
  avatar = find_widget (GTK_WIDGET (page), is_avatar, NULL);
  g_assert_nonnull (avatar);
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (avatar)), ==, "Amélie Laurent");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (avatar), ==, "Amélie Laurent (@amelie)");
  nod_test_wait_until (avatar_has_image, avatar);

  threads = server_threads (fixture, 11, 101);
  thread = find_thread (GTK_WIDGET (page), nod_discussion_get_id (threads->pdata[0]));
  g_assert_nonnull (thread);
  avatar = find_widget (GTK_WIDGET (thread), is_avatar, NULL);
  g_assert_nonnull (avatar);
  nod_test_wait_until (avatar_has_image, avatar);

  log = nod_test_fake_control (fixture->base_url, "GET", "/__fake/requests", NULL);
  requests = json_node_get_array (log);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *path = json_object_get_string_member (request, "path");

      if (!g_str_has_prefix (path, "/uploads/"))
        continue;
      g_assert_false (json_object_get_boolean_member (request, "credentials"));
      g_assert_false (g_hash_table_contains (fetched, path));
      g_hash_table_add (fetched, g_strdup (path));
    }
  g_assert_cmpuint (g_hash_table_size (fetched), >=, 2);
}

typedef struct
{
  Fixture    *fixture;
  guint       rows;
} CommitRows;

static gboolean
page_has_commit_rows (gpointer data)
{
  CommitRows *wait = data;
  NodMergeRequestPage *page = NOD_MERGE_REQUEST_PAGE (nod_window_get_page (wait->fixture->window));

  return nod_merge_request_page_get_commit_rows (page)->len == wait->rows;
}


/* The page lists the merge request's commits, newest first: the short sha, the title as
 * plain text whatever it holds, who wrote it and when; a commit on GitLab opens there. */
static void
test_commits_section (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) created = NULL, pushed = NULL;
  RowLooks passed = { fixture, SYNC_TITLE, "Pipeline passed", FALSE };
  CommitRows four = { fixture, 4 }, two = { fixture, 2 };
  NodMergeRequestPage *page;
  AdwActionRow *row;
  g_autofree char *short_sha = NULL;
  Shown listed = { fixture, 11, 0 };

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  nod_test_wait_until (row_looks, &passed);
  page = open_merge_request (fixture, 11, 101);
  nod_test_wait_until (page_has_commit_rows, &four);
  g_assert_true (gtk_widget_get_visible (nod_merge_request_page_get_commits_section (page)));
  g_assert_cmpstr (adw_expander_row_get_subtitle (
                     ADW_EXPANDER_ROW (nod_merge_request_page_get_commits_section (page))),
                   ==, "4 commits");
  row = nod_merge_request_page_get_commit_rows (page)->pdata[0];
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, SYNC_TITLE);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), "Amélie Laurent · "));
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  short_sha = g_strndup (nod_merge_request_page_get_head_sha (page), 8);
  g_assert_nonnull (find_label (GTK_WIDGET (row), short_sha));

  /* A title that looks like markup is shown as it was written. */
  created = nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr",
                                   "{\"project_id\": 11, \"title\": \"<b>Bold</b> & co\", "
                                   "\"author\": \"amelie\", \"reviewers\": [\"sam\"], "
                                   "\"files\": {\"a.txt\": \"a\\n\"}}");
  listed.iid = json_object_get_int_member (json_node_get_object (created), "iid");
  {
    g_autofree char *commit = g_strdup_printf ("/__fake/mr/11/%" G_GINT64_FORMAT "/commit",
                                               listed.iid);

    pushed = nod_test_fake_control (fixture->base_url, "POST", commit, "{}");
  }
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (item_listed, &listed);
  page = open_merge_request (fixture, 11, listed.iid);
  nod_test_wait_until (page_has_commit_rows, &two);
  row = nod_merge_request_page_get_commit_rows (page)->pdata[0];
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "Address review comments (2)");
  row = nod_merge_request_page_get_commit_rows (page)->pdata[1];
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "&lt;b&gt;Bold&lt;/b&gt; &amp; co");
}

typedef struct
{
  Fixture    *fixture;
  const char *title;
} RowTitled;

static gboolean
row_titled (gpointer data)
{
  RowTitled *wait = data;

  return find_row (wait->fixture, wait->title) != NULL;
}

#define SIDEBAR_TITLE "Sidebar: group merge requests by project"

/* The sample's !102 is a draft titled "Draft: Sidebar: …": its row and its page show the
 * Draft badge beside the title without the prefix; the title is kept as GitLab has it. */
static void
test_draft_title (Fixture       *fixture,
                  gconstpointer  data)
{
  RowTitled shown = { fixture, SIDEBAR_TITLE };
  NodMergeRequestRow *row;
  NodMergeRequestPage *page;
  GtkWidget *badge, *title;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  nod_test_wait_until (row_titled, &shown);
  row = find_row (fixture, SIDEBAR_TITLE);
  g_assert_null (find_row (fixture, "Draft: " SIDEBAR_TITLE));
  badge = find_widget (GTK_WIDGET (row), is_label_text, "Draft");
  g_assert_nonnull (badge);
  g_assert_true (gtk_widget_get_visible (badge));
  g_assert_cmpstr (nod_merge_request_item_get_view (find_item (fixture, 11, 102))->title, ==,
                   "Draft: " SIDEBAR_TITLE);

  page = open_merge_request (fixture, 11, 102);
  title = find_label (GTK_WIDGET (page), SIDEBAR_TITLE);
  g_assert_nonnull (title);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, SIDEBAR_TITLE);
  /* The state beside it says what the prefix said. */
  g_assert_nonnull (find_widget (GTK_WIDGET (page), is_label_text, "Draft"));
}

/* A commit whose web_url is not on the web (javascript:, file:, none) is shown but does not
 * open: only http and https rows are activatable. */
static void
test_commit_links (void)
{
  g_autoptr(NodMergeRequestDetail) detail = g_new0 (NodMergeRequestDetail, 1);
  g_autoptr(GPtrArray) actions = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  static const struct
  {
    const char *url;
    gboolean    opens;
  } links[] = {
    { "https://gitlab.example.com/g/p/-/commit/aaaa", TRUE },
    { "HTTP://gitlab.example.com/g/p/-/commit/bbbb", TRUE },
    { "javascript:alert(1)", FALSE },
    { "file:///etc/passwd", FALSE },
    { NULL, FALSE },
  };
  GtkWidget *page;
  GPtrArray *rows;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  detail->view = g_new0 (NodMergeRequestView, 1);
  detail->view->project_id = 1;
  detail->view->iid = 2;
  detail->view->title = g_strdup ("Links");
  detail->view->state = g_strdup ("opened");
  detail->view->labels = g_new0 (char *, 1);
  detail->discussions = g_ptr_array_new_with_free_func (g_object_unref);
  detail->commits = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    g_ptr_array_add (detail->commits, nod_commit_new ("0123456789abcdef", NULL, "A commit", "Kim",
                                                      "2026-12-01T10:00:00Z", links[i].url));
  detail->commits_total = 300;

  page = g_object_ref_sink (g_object_new (NOD_TYPE_MERGE_REQUEST_PAGE, NULL));
  nod_merge_request_page_show (NOD_MERGE_REQUEST_PAGE (page), detail, actions, now);
  rows = nod_merge_request_page_get_commit_rows (NOD_MERGE_REQUEST_PAGE (page));
  /* Each commit, then "And 295 more". */
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (links) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    g_assert_cmpint (gtk_list_box_row_get_activatable (rows->pdata[i]), ==, links[i].opens);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[G_N_ELEMENTS (links)]), ==,
                   "And 295 more");
  g_assert_false (gtk_list_box_row_get_activatable (rows->pdata[G_N_ELEMENTS (links)]));
  g_assert_cmpstr (adw_expander_row_get_subtitle (
                     ADW_EXPANDER_ROW (nod_merge_request_page_get_commits_section (
                                         NOD_MERGE_REQUEST_PAGE (page)))), ==, "300 commits");
  g_object_unref (page);
}

/* ---- notifications ---- */

/* Stands in for the desktop's notification server (org.gtk.Notifications), recording the
 * titles it is sent. */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  GPtrArray *titles = user_data;

  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) notification = g_variant_get_child_value (parameters, 2);
      const char *title = NULL;

      if (g_variant_lookup (notification, "title", "&s", &title))
        g_ptr_array_add (titles, g_strdup (title));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
name_owned (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static guint
count_titles (GPtrArray  *titles,
              const char *title)
{
  guint count = 0;

  for (guint i = 0; i < titles->len; i++)
    count += g_str_equal (titles->pdata[i], title);
  return count;
}

static gboolean
merged_notified (gpointer data)
{
  return count_titles (data, "Merge request merged elsewhere") > 0;
}

/* A merge request merged on GitLab while the reviewer's comment waited: the comment fails
 * with that reason, and the desktop is told. */
static void
test_merged_elsewhere_notifies (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call, };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) fault = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autofree char *merge_path = NULL;
  Fixture fixture = { 0, };
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  gboolean owned = FALSE;
  guint registration, ownership;
  RowWait queued;

  if (!have_display || bus == NULL)
    {
      g_test_skip ("Needs a display and a session bus (build-aux/dev.sh test)");
      return;
    }

  registration = g_dbus_connection_register_object (bus, "/org/gtk/Notifications",
                                                    info->interfaces[0], &vtable, titles, NULL,
                                                    NULL);
  ownership = g_bus_own_name_on_connection (bus, "org.gtk.Notifications",
                                            G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired, NULL,
                                            &owned, NULL);
  nod_test_wait_until (name_owned, &owned);

  start (&fixture, 0);
  set_notifications (TRUE);
  nod_test_wait_until (window_ready, &fixture);
  fixture.engine = nod_application_get_engine (fixture.app);
  nod_sync_engine_set_undo_hold (fixture.engine, 0);
  fixture.base_url = g_strdup (nod_application_get_demo_base_url (fixture.app));

  /* A comment GitLab does not take yet (503: it will be tried again later). */
  view = approvable (&fixture);
  queued = (RowWait) { &fixture, view->project_id, view->iid, 1, 0, NULL };
  page = open_merge_request (&fixture, queued.project_id, queued.iid);
  fault = nod_test_fake_control (fixture.base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 503}");
  g_signal_emit_by_name (page, "comment", "Can we keep the old name as an alias?");
  g_action_group_activate_action (G_ACTION_GROUP (fixture.app), "push-now", NULL);
  nod_test_wait_until (row_reached, &queued);

  merge_path = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/merge",
                                queued.project_id, queued.iid);
  merged = nod_test_fake_control (fixture.base_url, "POST", merge_path,
                                  "{\"user\": \"amelie\"}");
  nod_sync_engine_request (fixture.engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);

  nod_test_wait_until (merged_notified, titles);
  g_assert_cmpuint (count_titles (titles, "Merge request merged elsewhere"), ==, 1);
  /* And the first sync's "Nod is ready", once, however many pulls ran since. */
  g_assert_cmpuint (count_titles (titles, "Nod is ready"), ==, 1);

  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.app);
  g_free (fixture.base_url);
  g_bus_unown_name (ownership);
  g_dbus_connection_unregister_object (bus, registration);
}

/* Rows the window lets GTK build or bind in one frame: what it puts in per step (among
 * the rows there are, or added below them), and in the first frame with rows a screenful:
 * as many rows of ROW_MIN_HEIGHT as fill the window. */
#define ROWS_PER_FRAME 2
#define ROWS_BELOW_PER_FRAME 6
#define ROW_MIN_HEIGHT 76

typedef struct
{
  Fixture    *fixture;
  GtkWidget  *list_view;
  GHashTable *shown;              /* row widget → the merge request it showed last frame */
  guint       added_this_frame;
  guint       most_added_in_a_frame;
  guint       first_rows;         /* in the first frame with rows */
  guint       most_rows_in_a_frame;  /* in any frame after it */
  guint       frames;
  guint       expected;
} Paced;

static void
on_list_changed (GListModel *list,
                 guint       position,
                 guint       removed,
                 guint       added,
                 Paced      *paced)
{
  paced->added_this_frame += added;
}

/* Rows that show a merge request they did not show the frame before: rows GTK built or
 * bound anew. A row's second line starts with its merge request's reference. */
static guint
count_rows_bound (Paced *paced)
{
  guint bound = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (paced->list_view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      GtkWidget *meta;
      const char *text;

      if (row == NULL || !NOD_IS_MERGE_REQUEST_ROW (row))
        continue;
      meta = gtk_widget_get_next_sibling (gtk_widget_get_first_child (row));
      text = gtk_label_get_label (GTK_LABEL (meta));
      if (g_strcmp0 (g_hash_table_lookup (paced->shown, row), text) != 0)
        {
          g_hash_table_insert (paced->shown, row, g_strdup (text));
          bound++;
        }
    }
  return bound;
}

static void
on_frame_painted (GdkFrameClock *clock,
                  Paced         *paced)
{
  guint rows = count_rows_bound (paced);

  if (paced->first_rows == 0)
    paced->first_rows = rows;
  else
    paced->most_rows_in_a_frame = MAX (paced->most_rows_in_a_frame, rows);
  paced->most_added_in_a_frame = MAX (paced->most_added_in_a_frame, paced->added_this_frame);
  paced->added_this_frame = 0;
  paced->frames++;
}

/* The list view showing @model (the window has others, in its drop-downs). */
static GtkWidget *
find_list_view (GtkWidget  *widget,
                GListModel *model)
{
  if (GTK_IS_LIST_VIEW (widget))
    {
      GtkSelectionModel *selection = gtk_list_view_get_model (GTK_LIST_VIEW (widget));

      if (GTK_IS_SINGLE_SELECTION (selection) &&
          gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection)) == model)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child, model);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
pull_done (gpointer data)
{
  Fixture *fixture = data;
  NodSyncEngine *engine = nod_application_get_engine (fixture->app);

  return engine != NULL && !nod_sync_engine_is_busy (engine) &&
         nod_sync_status_get_last_synced_at (nod_sync_engine_get_status (engine)) > 0;
}

static gboolean
demo_serving (gpointer data)
{
  return nod_application_get_demo_base_url (NOD_APPLICATION (data)) != NULL;
}

static guint
pull_progress (gpointer data)
{
  NodSyncEngine *engine = nod_application_get_engine (((Fixture *) data)->app);

  NodSyncStatus *status;

  if (engine == NULL)
    return 0;
  /* The merge requests, then the texts of their changes. */
  status = nod_sync_engine_get_status (engine);
  return nod_sync_status_get_progress_current (status) +
         nod_sync_status_get_texts_current (status);
}

static gboolean
list_settled (gpointer data)
{
  return !nod_window_is_list_loading (NOD_WINDOW (data));
}

/* How many of the cache's merge requests the window's list (Needs My Review) should show. */
static guint
count_needing_review (Fixture *fixture)
{
  NodSyncEngine *engine = nod_application_get_engine (fixture->app);
  g_autoptr(NodAccount) account = g_list_model_get_item (
    G_LIST_MODEL (nod_application_get_accounts (fixture->app)), 0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) views = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  nod_review_cache_list_views_async (nod_sync_engine_get_cache (engine),
                                     nod_account_get_id (account), NULL,
                                     nod_test_keep_result, &result);
  views = nod_review_cache_list_views_finish (nod_sync_engine_get_cache (engine),
                                              nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < views->len; i++)
    {
      g_autoptr(NodMergeRequestItem) item = nod_merge_request_item_new (
        nod_account_get_id (account), g_steal_pointer (&views->pdata[i]));

      count += nod_merge_request_item_matches (item, NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW, NULL);
    }
  return count;
}

/* A first sync of hundreds of merge requests with the window open: GTK builds or binds
 * a screenful of rows in the first frame with rows and no more than ROWS_BELOW_PER_FRAME
 * in any other (a frame of many rows stalls the window), the merge requests that get no
 * row come in many at a time, and the list ends up showing every one. */
static void
test_large_pull_paced (void)
{
  g_autoptr(GSettings) settings = NULL;
  Fixture fixture = { 0, };
  Paced paced = { &fixture, };
  g_autoptr(GHashTable) shown = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  GdkFrameClock *clock;
  gulong painted, changed;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  settings = g_settings_new (APP_ID);
  g_settings_set_string (settings, "history-depth", "all");
  start (&fixture, 600);
  /* The list's pacing is what this is about: the changes after it would spend more than a
   * window of the demo GitLab's budget. */
  nod_test_wait_until (demo_serving, fixture.app);
  {
    g_autoptr(JsonNode) budget =
      nod_test_fake_control (nod_application_get_demo_base_url (fixture.app), "POST",
                             "/__fake/ratelimit", "{\"limit\": 1000000, \"remaining\": 1000000}");
  }
  nod_test_wait_until (widget_is_mapped, fixture.window);
  paced.list_view = find_list_view (GTK_WIDGET (fixture.window),
                                    nod_window_get_merge_requests (fixture.window));
  g_assert_nonnull (paced.list_view);
  paced.shown = shown;

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture.window));
  painted = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_painted), &paced);
  changed = g_signal_connect (nod_window_get_merge_requests (fixture.window), "items-changed",
                              G_CALLBACK (on_list_changed), &paced);

  /* However slow the machine, as long as the pull moves. */
  nod_test_wait_while_moving (pull_done, pull_progress, &fixture);
  nod_test_wait_until (list_settled, fixture.window);
  paced.expected = count_needing_review (&fixture);
  g_assert_cmpuint (paced.expected, >, 20 * ROWS_PER_FRAME);
  g_assert_cmpuint (g_list_model_get_n_items (nod_window_get_merge_requests (fixture.window)),
                    ==, paced.expected);

  g_test_message ("%u merge requests listed; %u rows bound in the first frame with rows, "
                  "at most %u in one frame after it and %u merge requests added in one frame",
                  paced.expected, paced.first_rows, paced.most_rows_in_a_frame,
                  paced.most_added_in_a_frame);
  g_assert_cmpuint (paced.first_rows, >, 0);
  g_assert_cmpuint (paced.first_rows, <=,
                    MAX (ROWS_BELOW_PER_FRAME,
                         gtk_widget_get_height (GTK_WIDGET (fixture.window)) / ROW_MIN_HEIGHT + 1));
  g_assert_cmpuint (paced.most_rows_in_a_frame, >, 0);
  g_assert_cmpuint (paced.most_rows_in_a_frame, <=, ROWS_BELOW_PER_FRAME);
  g_assert_cmpuint (paced.most_added_in_a_frame, >, 4 * ROWS_PER_FRAME);

  g_signal_handler_disconnect (clock, painted);
  g_signal_handler_disconnect (nod_window_get_merge_requests (fixture.window), changed);
  g_settings_reset (settings, "history-depth");
  gtk_window_destroy (GTK_WINDOW (fixture.window));
  g_clear_object (&fixture.app);
}

/* `nod approve …` in a terminal while Nod runs: the running app does it, with its engine. */
static void
test_forwarded_command (void)
{
  g_autoptr(NodApplication) app = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Fixture fixture = { 0, };
  const char *base_url;

  if (!have_display || nod_path == NULL)
    {
      g_test_skip ("No display, or no nod binary given: run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  /* The real id on this session bus: what `nod VERB` looks for. */
  set_notifications (FALSE);
  app = nod_application_new ();
  nod_application_set_demo (app, 0, 0);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  if (g_application_get_is_remote (G_APPLICATION (app)))
    {
      g_test_skip ("A Nod is running on this session bus: it would take the command");
      return;
    }
  g_application_activate (G_APPLICATION (app));
  fixture.app = app;
  fixture.window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  nod_test_wait_until (window_ready, &fixture);
  base_url = nod_application_get_demo_base_url (app);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, nod_path, "approve", "gnome-apps/nod!111", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, NULL, NULL, nod_test_keep_result, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (child, nod_test_wait_for_result (&result),
                                                       &out, &err, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  g_assert_nonnull (strstr (out, "approve gnome-apps/nod!111: done"));
  /* The app's own GitLab (the demo's) got it: the command ran in the app. */
  g_assert_cmpuint (nod_test_fake_count_requests (base_url, "POST",
                                                  "/merge_requests/111/approve$"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (fixture.window));
}

/* Every Markdown view under @root shows text and has been given the height it asks for;
 * counts them in @count. */
static gboolean
bodies_shown (GtkWidget *root,
              guint     *count)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (NOD_IS_MARKDOWN_VIEW (child))
        {
          NodMarkdownView *view = NOD_MARKDOWN_VIEW (child);
          g_autofree char *text = nod_markdown_view_dup_text (view);
          int margins = gtk_text_view_get_top_margin (GTK_TEXT_VIEW (view)) +
                        gtk_text_view_get_bottom_margin (GTK_TEXT_VIEW (view));
          int natural;

          if (nod_markdown_view_get_rendering (view) || *text == '\0' ||
              !gtk_widget_get_mapped (child) || gtk_widget_get_width (child) == 0)
            return FALSE;
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child),
                              NULL, &natural, NULL, NULL);
          if (natural <= margins || gtk_widget_get_height (child) < natural)
            return FALSE;
          (*count)++;
        }
      if (!bodies_shown (child, count))
        return FALSE;
    }
  return TRUE;
}

static gboolean
page_bodies_shown (gpointer data)
{
  guint count = 0;

  return bodies_shown (data, &count);
}


/* ---- the reviewer's posted notes: edited and deleted from the page ---- */

/* A thread of the demo that the reviewer started and no one answered: their note alone. */
static NodDiscussion *
with_own_note (Fixture *fixture,
               gint64  *out_project_id,
               gint64  *out_iid)
{
  GListModel *items = nod_window_get_merge_requests (fixture->window);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (items, i);
      const NodMergeRequestView *view = nod_merge_request_item_get_view (item);
      g_autoptr(GPtrArray) threads = NULL;

      if (g_strcmp0 (view->state, "opened") != 0 || view->pending_actions != 0)
        continue;
      threads = server_threads (fixture, view->project_id, view->iid);
      for (guint t = 0; t < threads->len; t++)
        {
          GPtrArray *notes = nod_discussion_get_notes (threads->pdata[t]);
          NodNote *first = g_ptr_array_index (notes, 0);

          if (notes->len == 1 && !nod_note_get_system (first) &&
              g_strcmp0 (nod_user_get_username (nod_note_get_author (first)), "sam") == 0)
            {
              *out_project_id = view->project_id;
              *out_iid = view->iid;
              return g_object_ref (threads->pdata[t]);
            }
        }
    }
  g_error ("The demo has no thread of the reviewer's alone");
}

static guint
own_notes_on_server (Fixture *fixture,
                     gint64   project_id,
                     gint64   iid)
{
  g_autoptr(GPtrArray) threads = server_threads (fixture, project_id, iid);
  guint count = 0;

  for (guint t = 0; t < threads->len; t++)
    {
      GPtrArray *notes = nod_discussion_get_notes (threads->pdata[t]);

      for (guint n = 0; n < notes->len; n++)
        count += !nod_note_get_system (notes->pdata[n]) &&
                 g_strcmp0 (nod_user_get_username (nod_note_get_author (notes->pdata[n])),
                            "sam") == 0;
    }
  return count;
}

static guint
count_buttons_for (GtkWidget  *root,
                   const char *action_name)
{
  guint count = is_button_for (root, action_name);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += count_buttons_for (child, action_name);
  return count;
}

static gboolean
is_text_view (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_TEXT_VIEW (widget);
}

typedef struct
{
  Fixture             *fixture;
  NodMergeRequestPage *page;
  const char          *discussion_id;
  const char          *body;
} NoteWait;

/* The thread shows @body as the reviewer's change waiting to go. */
static gboolean
note_pending (gpointer data)
{
  NoteWait *wait = data;
  NodThreadView *thread = find_thread (GTK_WIDGET (wait->page), wait->discussion_id);

  return thread != NULL && page_has_note (GTK_WIDGET (thread), wait->body) &&
         count_with_class (GTK_WIDGET (thread), "nod-pending-note") == 1;
}

static gboolean
note_edited (gpointer data)
{
  NoteWait *wait = data;
  NodThreadView *thread = find_thread (GTK_WIDGET (wait->page), wait->discussion_id);

  return count_requests (wait->fixture, "PUT", "/notes/[0-9]+$") == 1 && thread != NULL &&
         page_has_note (GTK_WIDGET (thread), wait->body) &&
         count_with_class (GTK_WIDGET (thread), "nod-pending-note") == 0;
}

static gboolean
deleting_shown (gpointer data)
{
  NoteWait *wait = data;
  NodThreadView *thread = find_thread (GTK_WIDGET (wait->page), wait->discussion_id);

  return thread != NULL && count_with_class (GTK_WIDGET (thread), "nod-deleting-note") == 1;
}

static gboolean
thread_gone (gpointer data)
{
  NoteWait *wait = data;

  return count_requests (wait->fixture, "DELETE", "/notes/[0-9]+$") == 1 &&
         find_thread (GTK_WIDGET (wait->page), wait->discussion_id) == NULL;
}

static gboolean
push_now_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "push-now");
}

/* Push now, once the last push has ended (the action waits while one runs). */
static void
push_now (Fixture *fixture)
{
  nod_test_wait_until (push_now_enabled, fixture->app);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
}

/* The reviewer's own notes, and only theirs, take Edit and Delete. An edit shows at once
 * as the new text, pending; Push now sends it once and the page shows GitLab's note. Delete
 * asks, shows the note fading, and once sent the thread (the note was its only one) is
 * gone from GitLab and the page, with no pull. */
static void
test_posted_note_edit_delete (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodDiscussion) mine = NULL;
  g_autoptr(GPtrArray) after = NULL;
  NodMergeRequestPage *page;
  NodThreadView *thread;
  AdwMessageDialog *dialog;
  GtkWidget *text;
  NodNote *note;
  gint64 project_id, iid;
  NoteWait wait;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  mine = with_own_note (fixture, &project_id, &iid);
  note = g_ptr_array_index (nod_discussion_get_notes (mine), 0);
  page = open_merge_request (fixture, project_id, iid);
  thread = find_thread (GTK_WIDGET (page), nod_discussion_get_id (mine));
  g_assert_nonnull (thread);
  g_assert_nonnull (find_button (GTK_WIDGET (thread), "win.edit-posted-note"));
  g_assert_nonnull (find_button (GTK_WIDGET (thread), "win.delete-posted-note"));
  g_assert_cmpuint (count_buttons_for (GTK_WIDGET (page), "win.edit-posted-note"), ==,
                    own_notes_on_server (fixture, project_id, iid));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-posted-note", "(sx)",
                              nod_discussion_get_id (mine), nod_note_get_id (note));
  dialog = find_dialog ("Edit Comment");
  g_assert_nonnull (dialog);
  text = find_widget (adw_message_dialog_get_extra_child (dialog), is_text_view, NULL);
  g_assert_nonnull (text);
  g_assert_true (gtk_widget_has_focus (text));
  /* From the keyboard: Tab leaves the text for the buttons, Ctrl+Enter saves. */
  g_assert_false (gtk_text_view_get_accepts_tab (GTK_TEXT_VIEW (text)));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "save");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text)),
                            "Reworded, once.", -1);
  adw_message_dialog_response (dialog, "save");
  gtk_window_destroy (GTK_WINDOW (dialog));

  wait = (NoteWait) { fixture, page, nod_discussion_get_id (mine), "Reworded, once." };
  nod_test_wait_until (note_pending, &wait);
  g_assert_cmpuint (count_requests (fixture, "PUT", "/notes/[0-9]+$"), ==, 0);
  push_now (fixture);
  nod_test_wait_until (note_edited, &wait);
  after = server_threads (fixture, project_id, iid);
  g_assert_nonnull (find_discussion (after, "Reworded, once."));
  g_assert_null (find_discussion (after, nod_note_get_body (note)));
  g_clear_pointer (&after, g_ptr_array_unref);

  /* Deleting asks first: Cancel leaves everything as it was. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-posted-note", "(sx)",
                              nod_discussion_get_id (mine), nod_note_get_id (note));
  dialog = find_dialog ("Delete Comment?");
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.delete-posted-note", "(sx)",
                              nod_discussion_get_id (mine), nod_note_get_id (note));
  dialog = find_dialog ("Delete Comment?");
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  nod_test_wait_until (deleting_shown, &wait);
  g_assert_nonnull (find_button_labelled (GTK_WIDGET (page), "Keep"));
  g_assert_cmpuint (count_requests (fixture, "DELETE", "/notes/[0-9]+$"), ==, 0);

  push_now (fixture);
  nod_test_wait_until (thread_gone, &wait);
  after = server_threads (fixture, project_id, iid);
  g_assert_null (find_discussion (after, "Reworded, once."));
}

/* Merge requests chosen one after the other, faster than their notes are formatted: the
 * one left shown has every note's text on screen, each given its height. */
static void
test_switching_keeps_bodies (Fixture       *fixture,
                             gconstpointer  data)
{
  GListModel *items = nod_window_get_merge_requests (fixture->window);
  g_autoptr(NodDiscussion) open_thread = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 project_id, iid;
  NodMergeRequestPage *page;
  guint shown = 0;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  open_thread = with_open_thread (fixture, &project_id, &iid);
  for (guint i = 0; i < MIN (g_list_model_get_n_items (items), 6); i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (items, i);

      g_array_append_val (ids, nod_merge_request_item_get_view (item)->project_id);
      g_array_append_val (ids, nod_merge_request_item_get_view (item)->iid);
    }

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i + 1 < ids->len; i += 2)
      {
        g_assert_true (nod_window_select_merge_request (fixture->window,
                                                        g_array_index (ids, gint64, i),
                                                        g_array_index (ids, gint64, i + 1)));
        /* A few turns of the loop: some pages land, some are superseded. */
        for (guint turn = 0; turn < 5; turn++)
          g_main_context_iteration (NULL, FALSE);
      }

  page = open_merge_request (fixture, project_id, iid);
  nod_test_wait_until (page_bodies_shown, page);
  g_assert_true (bodies_shown (GTK_WIDGET (page), &shown));
  /* The description and the thread's notes at least. */
  g_assert_cmpuint (shown, >, nod_discussion_get_notes (open_thread)->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("review-ui");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  have_display = gtk_init_check ();
  nod_path = argc > 1 && g_file_test (argv[1], G_FILE_TEST_IS_EXECUTABLE) ? argv[1] : NULL;

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/nod/review-ui/approve-from-page", test_approve_from_page);
  ADD ("/nod/review-ui/offline-approve-push-now", test_offline_approve_then_push_now);
  ADD ("/nod/review-ui/failed-comment-retry", test_failed_comment_retry);
  ADD ("/nod/review-ui/comment-undo", test_comment_undo);
  ADD ("/nod/review-ui/preferences-push-now", test_preferences_push_now);
  ADD ("/nod/review-ui/hostile-title", test_hostile_title);
  ADD ("/nod/review-ui/sign-out-then-in", test_sign_out_then_in);
  ADD ("/nod/review-ui/sent-shown-without-pull", test_sent_shown_without_pull);
  ADD ("/nod/review-ui/resolved-folded", test_resolved_folded);
  ADD ("/nod/review-ui/resolved-by-you", test_resolved_by_you);
  ADD ("/nod/review-ui/avatars-shown", test_avatars_shown);
  g_test_add_func ("/nod/review-ui/resolver-hostile-name", test_resolver_hostile_name);
  ADD ("/nod/review-ui/system-notes-events", test_system_notes_events);
  ADD ("/nod/review-ui/search-no-results", test_search_no_results);
  ADD ("/nod/review-ui/switching-keeps-bodies", test_switching_keeps_bodies);
  ADD ("/nod/review-ui/posted-note-edit-delete", test_posted_note_edit_delete);
  ADD ("/nod/review-ui/review-from-page", test_review_from_page);
  ADD ("/nod/review-ui/reply-and-resolve", test_reply_and_resolve);
  ADD ("/nod/review-ui/pipeline-and-unread", test_pipeline_and_unread);
  ADD ("/nod/review-ui/own-comment-stays-read", test_own_comment_stays_read);
  ADD ("/nod/review-ui/commits-section", test_commits_section);
  ADD ("/nod/review-ui/draft-title", test_draft_title);
  g_test_add_func ("/nod/review-ui/commit-links", test_commit_links);
#undef ADD
  g_test_add_func ("/nod/review-ui/large-pull-paced", test_large_pull_paced);
  g_test_add_func ("/nod/review-ui/forwarded-command", test_forwarded_command);
  g_test_add_func ("/nod/review-ui/merged-elsewhere-notifies", test_merged_elsewhere_notifies);

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
