/* test-keyboard-review.c: a whole review done with keys only, against the demo GitLab (run
 * under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys are pressed as GTK hands them to the widgets (nod-test-keys.h): where the focus is,
 * through the controllers of it and its ancestors. Nothing is activated by name, so each
 * step also proves where the focus went.
 */

#include "config.h"

#include "nod-application.h"
#include "nod-changes-view.h"
#include "nod-merge-request-item.h"
#include "nod-merge-request-page.h"
#include "nod-test-keys.h"
#include "nod-test-utils.h"
#include "nod-thread-view.h"
#include "nod-window.h"

static gboolean have_display;

typedef struct
{
  NodApplication *app;
  NodWindow      *window;
  char           *base_url;
} Fixture;

static gboolean
window_ready (gpointer data)
{
  Fixture *fixture = data;

  return nod_application_get_engine (fixture->app) != NULL &&
         !nod_sync_engine_is_busy (nod_application_get_engine (fixture->app)) &&
         !nod_window_is_list_loading (fixture->window) &&
         g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window)) > 1;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  static guint instance;
  g_autofree char *app_id = g_strdup_printf ("%s.TestKeys%u", APP_ID, ++instance);

  if (!have_display)
    return;

  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  fixture->app = nod_application_new ();
  /* Each test its own id: an earlier instance may still hold its D-Bus object path. */
  g_application_set_application_id (G_APPLICATION (fixture->app), app_id);
  g_application_set_flags (G_APPLICATION (fixture->app), G_APPLICATION_NON_UNIQUE);
  nod_application_set_demo (fixture->app, 0, 0);
  g_application_register (G_APPLICATION (fixture->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (fixture->app));
  fixture->window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (fixture->app)));
  g_assert_nonnull (fixture->window);
  nod_test_wait_until (window_ready, fixture);
  fixture->base_url = g_strdup (nod_application_get_demo_base_url (fixture->app));
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

static GtkWidget *
focus_of (Fixture *fixture)
{
  return gtk_root_get_focus (GTK_ROOT (fixture->window));
}

static void
press (Fixture         *fixture,
       guint            keyval,
       GdkModifierType  modifiers)
{
  g_autofree char *name = gtk_accelerator_name (keyval, modifiers);

  if (!nod_test_press_key (GTK_WINDOW (fixture->window), keyval, modifiers))
    g_error ("No widget took %s (the focus: %s)", name,
             focus_of (fixture) ? G_OBJECT_TYPE_NAME (focus_of (fixture)) : "none");
}

static gboolean
focus_within (Fixture   *fixture,
              GtkWidget *widget)
{
  GtkWidget *focus = focus_of (fixture);

  if (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
    return TRUE;
  g_test_message ("The focus is on %s, not in %s",
                  focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "nothing",
                  G_OBJECT_TYPE_NAME (widget));
  for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
    g_test_message ("  in %s", G_OBJECT_TYPE_NAME (w));
  return FALSE;
}

/* A row of a list view (GtkListItemWidget is private): its list is its parent. */
#define GTK_IS_LIST_ITEM_WIDGET_OR_ROW(widget) \
  ((widget) != NULL && GTK_IS_LIST_VIEW (gtk_widget_get_parent (widget)))

static NodThreadView *
thread_of_focus (Fixture *fixture)
{
  for (GtkWidget *widget = focus_of (fixture); widget != NULL; widget = gtk_widget_get_parent (widget))
    if (NOD_IS_THREAD_VIEW (widget))
      return NOD_THREAD_VIEW (widget);
  return NULL;
}

static NodMergeRequestPage *
page_of (Fixture *fixture)
{
  return NOD_MERGE_REQUEST_PAGE (nod_window_get_page (fixture->window));
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
  NodMergeRequestPage *page = page_of (shown->fixture);

  return nod_merge_request_page_get_project_id (page) == shown->project_id &&
         nod_merge_request_page_get_iid (page) == shown->iid &&
         gtk_widget_get_mapped (GTK_WIDGET (page));
}

static gboolean
changes_shown (gpointer data)
{
  NodChangesView *changes = data;

  return g_strcmp0 (nod_changes_view_get_state (changes), "changes") == 0 &&
         !nod_changes_view_is_loading (changes) &&
         nod_changes_view_get_selected_file (changes) != NULL;
}

static gboolean
page_approved (gpointer data)
{
  return nod_merge_request_page_get_approved (data);
}

typedef struct
{
  Fixture    *fixture;
  const char *method;
  const char *pattern;
} Request;

static gboolean
request_seen (gpointer data)
{
  Request *request = data;

  return nod_test_fake_count_requests (request->fixture->base_url, request->method,
                                       request->pattern) > 0;
}

static gboolean
engine_idle (gpointer data)
{
  Fixture *fixture = data;
  NodSyncStatus *status = nod_sync_engine_get_status (nod_application_get_engine (fixture->app));

  return !nod_sync_engine_is_busy (nod_application_get_engine (fixture->app)) &&
         nod_sync_status_get_pending_count (status) == 0;
}

/* ---- the review ---- */

static gboolean
page_has_own_note (gpointer data)
{
  return nod_merge_request_page_find_own_note (data) != NULL;
}

static AdwMessageDialog *
edit_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)),
                     "Edit Comment") == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
edit_dialog_shown (gpointer data)
{
  return edit_dialog () != NULL;
}

static gboolean
edit_dialog_gone (gpointer data)
{
  return edit_dialog () == NULL;
}

static void
test_review_with_keys (Fixture       *fixture,
                       gconstpointer  data)
{
  GListModel *items;
  g_autoptr(NodMergeRequestItem) second = NULL;
  const NodMergeRequestView *view;
  NodMergeRequestPage *page;
  NodThreadView *thread;
  NodChangesView *changes;
  g_autofree char *discussion_id = NULL;
  g_autofree char *reply_path = NULL;
  g_autofree char *resolve_path = NULL;
  g_autofree char *mr_path = NULL;
  g_autofree char *viewed_path = NULL;
  Shown shown;
  Request approved;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  /* Escape: to the list. Nothing is selected yet: its first row. */
  press (fixture, GDK_KEY_Escape, 0);
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));

  /* Down: the second merge request, selected and shown. */
  press (fixture, GDK_KEY_Down, 0);
  items = nod_window_get_merge_requests (fixture->window);
  second = g_list_model_get_item (items, 1);
  view = nod_merge_request_item_get_view (second);
  shown = (Shown) { fixture, view->project_id, view->iid };
  nod_test_wait_until (page_shows, &shown);
  /* The focus stays in the list as the page comes. */
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));
  page = page_of (fixture);
  g_assert_true (gtk_widget_get_visible (nod_merge_request_page_get_approve_button (page)));
  g_assert_false (nod_merge_request_page_get_approved (page));
  mr_path = g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT,
                             view->project_id, view->iid);

  /* Tab: from the list (one stop, however many rows) straight to the page. */
  press (fixture, GDK_KEY_Tab, 0);
  g_assert_true (focus_within (fixture, GTK_WIDGET (page)));
  g_assert_null (thread_of_focus (fixture));

  /* n: the first thread, focused. */
  press (fixture, GDK_KEY_n, 0);
  thread = thread_of_focus (fixture);
  g_assert_nonnull (thread);
  g_assert_true (focus_of (fixture) == GTK_WIDGET (thread));
  g_assert_false (nod_thread_view_get_resolved (thread));
  discussion_id = g_strdup (nod_thread_view_get_discussion_id (thread));
  g_assert_cmpstr (nod_merge_request_page_get_current_thread (page), ==, discussion_id);

  /* r: its reply box; typed; Ctrl+Enter sends, and the focus stays on the thread. */
  press (fixture, GDK_KEY_r, 0);
  g_assert_true (GTK_IS_EDITABLE (focus_of (fixture)));
  g_assert_true (thread_of_focus (fixture) == thread);
  nod_test_type_text (GTK_WINDOW (fixture->window), "Done, see the new test.");
  press (fixture, GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_true (thread_of_focus (fixture) == thread);

  /* e: the reply, not sent yet, opens to be edited; Escape leaves it as it was. */
  nod_test_wait_until (page_has_own_note, page);
  press (fixture, GDK_KEY_e, 0);
  nod_test_wait_until (edit_dialog_shown, NULL);
  gtk_window_close (GTK_WINDOW (edit_dialog ()));  /* its close response is Cancel */
  nod_test_wait_until (edit_dialog_gone, NULL);

  /* Shift+R: the thread resolved (pending, at once). */
  press (fixture, GDK_KEY_R, GDK_SHIFT_MASK);

  /* c: the comment box; Tab there moves on rather than typing a tab. */
  press (fixture, GDK_KEY_c, 0);
  g_assert_true (GTK_IS_TEXT_VIEW (focus_of (fixture)));
  nod_test_type_text (GTK_WINDOW (fixture->window), "Looks good to me.");
  {
    GtkWidget *comment_box = focus_of (fixture);
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (comment_box));
    GtkTextIter start, end;
    g_autofree char *text = NULL;

    press (fixture, GDK_KEY_Tab, 0);
    g_assert_true (GTK_IS_BUTTON (focus_of (fixture)));
    g_assert_true (focus_within (fixture, GTK_WIDGET (page)));
    gtk_text_buffer_get_bounds (buffer, &start, &end);
    text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_cmpstr (text, ==, "Looks good to me.");
    press (fixture, GDK_KEY_Tab, GDK_SHIFT_MASK);
    g_assert_true (focus_of (fixture) == comment_box);
  }
  press (fixture, GDK_KEY_Return, GDK_CONTROL_MASK);
  g_assert_true (GTK_IS_TEXT_VIEW (focus_of (fixture)));

  /* Alt+2: the changes, where v marks the file viewed. */
  press (fixture, GDK_KEY_2, GDK_ALT_MASK);
  changes = nod_merge_request_page_get_changes_view (page);
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "changes");
  nod_test_wait_until (changes_shown, changes);
  g_assert_true (focus_within (fixture, GTK_WIDGET (changes)));
  viewed_path = g_strdup (nod_diff_file_get_new_path (nod_changes_view_get_selected_file (changes)));
  g_assert_false (nod_changes_view_get_file_viewed (changes, viewed_path));
  press (fixture, GDK_KEY_v, 0);
  g_assert_true (nod_changes_view_get_file_viewed (changes, viewed_path));

  /* Alt+1, a: approved. */
  press (fixture, GDK_KEY_1, GDK_ALT_MASK);
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "overview");
  g_assert_true (focus_within (fixture, GTK_WIDGET (page)));
  press (fixture, GDK_KEY_a, 0);
  nod_test_wait_until (page_approved, page);

  /* Pushed: GitLab has the reply, the resolve, the comment and the approval, once each. */
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "push-now", NULL);
  approved = (Request) { fixture, "POST", "/approve$" };
  nod_test_wait_until (request_seen, &approved);
  nod_test_wait_until (engine_idle, fixture);

  reply_path = g_strdup_printf ("%s/discussions/%s/notes$", mr_path, discussion_id);
  resolve_path = g_strdup_printf ("%s/discussions/%s$", mr_path, discussion_id);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", reply_path), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "PUT", resolve_path), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/discussions$"), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/approve$"), ==, 1);
  {
    g_autofree char *discussions = g_strdup_printf ("%s/discussions$", mr_path);

    g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", discussions), ==, 1);
  }
}

/* A composer keeps no focus across merge requests: it goes to the list. */
static void
test_switch_leaves_composer (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodMergeRequestItem) first = NULL;
  g_autoptr(NodMergeRequestItem) second = NULL;
  const NodMergeRequestView *view;
  Shown shown;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  first = g_list_model_get_item (nod_window_get_merge_requests (fixture->window), 0);
  view = nod_merge_request_item_get_view (first);
  g_assert_true (nod_window_select_merge_request (fixture->window, view->project_id, view->iid));
  shown = (Shown) { fixture, view->project_id, view->iid };
  nod_test_wait_until (page_shows, &shown);

  press (fixture, GDK_KEY_m, GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_assert_true (GTK_IS_TEXT_VIEW (focus_of (fixture)));
  nod_test_type_text (GTK_WINDOW (fixture->window), "half a thought");

  press (fixture, GDK_KEY_Down, GDK_ALT_MASK);
  second = g_list_model_get_item (nod_window_get_merge_requests (fixture->window), 1);
  view = nod_merge_request_item_get_view (second);
  shown = (Shown) { fixture, view->project_id, view->iid };
  nod_test_wait_until (page_shows, &shown);
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));

  /* Esc from the page is back to the list, at the merge request shown. */
  press (fixture, GDK_KEY_Tab, 0);
  g_assert_true (focus_within (fixture, nod_window_get_page (fixture->window)));
  press (fixture, GDK_KEY_Escape, 0);
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));
  /* Shift+Tab from the page goes back to the list, too. */
  press (fixture, GDK_KEY_Tab, 0);
  press (fixture, GDK_KEY_Tab, GDK_SHIFT_MASK);
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));
}

static void
on_clipboard_read (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source_object), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
text_read (gpointer data)
{
  return *(char **) data != NULL;
}

static char *
read_clipboard (Fixture *fixture)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), NULL,
                                 on_clipboard_read, &text);
  nod_test_wait_until (text_read, &text);
  return text;
}

/* Ctrl+L copies the link to the merge request shown; with none shown it copies nothing. */
static void
test_copy_link (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(NodMergeRequestItem) first = NULL;
  g_autofree char *before = NULL;
  g_autofree char *copied = NULL;
  const NodMergeRequestView *view;
  Shown shown;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (fixture->window)), "before");
  press (fixture, GDK_KEY_l, GDK_CONTROL_MASK);
  before = read_clipboard (fixture);
  g_assert_cmpstr (before, ==, "before");

  first = g_list_model_get_item (nod_window_get_merge_requests (fixture->window), 0);
  view = nod_merge_request_item_get_view (first);
  g_assert_true (g_str_has_prefix (view->web_url, "http"));
  g_assert_true (nod_window_select_merge_request (fixture->window, view->project_id, view->iid));
  shown = (Shown) { fixture, view->project_id, view->iid };
  nod_test_wait_until (page_shows, &shown);
  press (fixture, GDK_KEY_l, GDK_CONTROL_MASK);
  copied = read_clipboard (fixture);
  g_assert_cmpstr (copied, ==, view->web_url);
}

typedef struct
{
  Fixture *fixture;
  guint    listed;
} Listed;

static gboolean
list_shows (gpointer data)
{
  Listed *listed = data;

  return g_list_model_get_n_items (nod_window_get_merge_requests (listed->fixture->window)) ==
         listed->listed;
}

/* A search that hides the merge request shown leaves its page as it is: the reviewer goes
 * on reading it. Escape goes to the list, Alt+Down picks the first listed and its page
 * comes; the search cleared, that one stays. */
static void
test_search_keeps_page (Fixture       *fixture,
                        gconstpointer  data)
{
  Shown sync = { fixture, 11, 101 };
  Shown player = { fixture, 12, 201 };
  Listed one = { fixture, 1 };
  Listed all = { fixture, 0 };

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb");
      return;
    }

  all.listed = g_list_model_get_n_items (nod_window_get_merge_requests (fixture->window));
  g_assert_true (nod_window_select_merge_request (fixture->window, 11, 101));
  nod_test_wait_until (page_shows, &sync);

  press (fixture, GDK_KEY_f, GDK_CONTROL_MASK);
  g_assert_true (GTK_IS_EDITABLE (focus_of (fixture)));
  gtk_editable_set_text (GTK_EDITABLE (focus_of (fixture)), "resume where playback");
  nod_test_wait_until (list_shows, &one);
  g_assert_true (page_shows (&sync));

  /* Escape, from the list: the page is still the one read. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.focus-list", NULL);
  g_assert_true (GTK_IS_LIST_ITEM_WIDGET_OR_ROW (focus_of (fixture)));
  g_assert_true (page_shows (&sync));

  press (fixture, GDK_KEY_Down, GDK_ALT_MASK);
  nod_test_wait_until (page_shows, &player);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL);
  nod_test_wait_until (list_shows, &all);
  g_assert_true (page_shows (&player));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("keyboard-review");
  int status;

  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add ("/nod/keyboard-review/whole-review", Fixture, NULL, fixture_set_up,
              test_review_with_keys, fixture_tear_down);
  g_test_add ("/nod/keyboard-review/switch-leaves-composer", Fixture, NULL, fixture_set_up,
              test_switch_leaves_composer, fixture_tear_down);
  g_test_add ("/nod/keyboard-review/search-keeps-page", Fixture, NULL, fixture_set_up,
              test_search_keeps_page, fixture_tear_down);
  g_test_add ("/nod/keyboard-review/copy-link", Fixture, NULL, fixture_set_up,
              test_copy_link, fixture_tear_down);

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
