/* test-suggest-change.c: suggestions in the window against the demo GitLab — a thread's
 * suggestion shows as a diff at its line, and "Suggest a change" writes GitLab's format,
 * which Send queues as it is (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-application.h"
#include "nod-changes-view.h"
#include "nod-diff-view.h"
#include "nod-markdown-view.h"
#include "nod-merge-request-item.h"
#include "nod-merge-request-page.h"
#include "nod-outbox.h"
#include "nod-test-utils.h"
#include "nod-window.h"

/* The demo's "Sidebar: group merge requests by project": line 26 of src/ui/nod-sidebar.c is
 * an added line, and its thread ends with a suggestion for it. */
#define DEMO_PROJECT 11
#define DEMO_IID     102
#define DEMO_PATH    "src/ui/nod-sidebar.c"
#define DEMO_LINE    26
#define DEMO_TEXT    "  gboolean            group_by_project;"

static gboolean have_display;

typedef struct
{
  NodApplication *app;
  NodWindow      *window;
} App;

static gboolean
app_ready (gpointer data)
{
  App *app = data;

  return nod_application_get_engine (app->app) != NULL &&
         !nod_sync_engine_is_busy (nod_application_get_engine (app->app)) &&
         !nod_window_is_list_loading (app->window) &&
         g_list_model_get_n_items (nod_window_get_merge_requests (app->window)) > 0;
}

static gboolean
page_mapped (gpointer data)
{
  App *app = data;

  return gtk_widget_get_mapped (nod_window_get_page (app->window)) &&
         nod_merge_request_page_get_iid (NOD_MERGE_REQUEST_PAGE (nod_window_get_page (
           app->window))) == DEMO_IID;
}

static gboolean
file_shown (gpointer data)
{
  NodChangesView *view = data;
  NodDiffFile *file = nod_changes_view_get_selected_file (view);

  return !nod_changes_view_is_loading (view) && file != NULL &&
         g_strcmp0 (nod_diff_file_get_path (file), DEMO_PATH) == 0 &&
         !nod_diff_view_get_filling (nod_changes_view_get_diff_view (view));
}

/* The demo's first pull fetches the change; the view reads it once it is kept. */
static gboolean
file_selected (gpointer data)
{
  NodChangesView *view = data;

  return !nod_changes_view_is_loading (view) &&
         g_strcmp0 (nod_changes_view_get_state (view), "changes") == 0 &&
         nod_changes_view_select_file (view, DEMO_PATH);
}

static void
collect_markdown_views (GtkWidget *widget,
                        GPtrArray *views)
{
  if (NOD_IS_MARKDOWN_VIEW (widget))
    g_ptr_array_add (views, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_markdown_views (child, views);
}

/* The note of the diff view whose Markdown holds a suggestion, once it is formatted. */
static NodMarkdownView *
find_suggestion_note (GtkWidget *diff_view)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect_markdown_views (diff_view, views);
  for (guint i = 0; i < views->len; i++)
    {
      const char *markdown = nod_markdown_view_get_markdown (views->pdata[i]);

      if (markdown != NULL && strstr (markdown, "```suggestion") != NULL)
        return views->pdata[i];
    }
  return NULL;
}

static gboolean
suggestion_formatted (gpointer data)
{
  NodMarkdownView *note = find_suggestion_note (data);
  g_autofree char *text = NULL;

  if (note == NULL || nod_markdown_view_get_rendering (note))
    return FALSE;
  text = nod_markdown_view_dup_text (note);
  return strstr (text, "Suggested change") != NULL;
}

static NodOutboxAction *
find_queued (App        *app,
             const char *body)
{
  g_autoptr(NodMergeRequestItem) item =
    g_list_model_get_item (nod_window_get_merge_requests (app->window), 0);
  NodOutbox *outbox = nod_session_get_outbox (nod_application_get_session (app->app));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  g_autoptr(GError) error = NULL;

  /* The demo has one account. */
  nod_outbox_list_async (outbox, nod_merge_request_item_get_account_id (item), NULL,
                         nod_test_keep_result, &result);
  actions = nod_outbox_list_finish (outbox, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < actions->len; i++)
    if (g_strcmp0 (nod_outbox_action_get_body (actions->pdata[i]), body) == 0)
      return g_object_ref (actions->pdata[i]);
  return NULL;
}

static void
test_suggestions_in_window (void)
{
  App app = { NULL, NULL };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) queued = NULL;
  g_autofree char *note_text = NULL;
  g_autofree char *box_text = NULL;
  const char *expected_body = "```suggestion:-0+0\n" DEMO_TEXT "\n```";
  NodMergeRequestPage *page;
  NodChangesView *changes;
  GtkWidget *diff_view;
  NodMarkdownView *note;
  GtkTextView *composer;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  const NodDiffPosition *position;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  /* Notifications go to the desktop's server, which Xvfb has none of. */
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  app.app = nod_application_new ();
  g_application_set_application_id (G_APPLICATION (app.app), APP_ID ".TestSuggestChange");
  g_application_set_flags (G_APPLICATION (app.app), G_APPLICATION_NON_UNIQUE);
  nod_application_set_demo (app.app, 0, 0);
  g_application_register (G_APPLICATION (app.app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app.app));
  app.window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app.app)));
  g_assert_nonnull (app.window);
  nod_test_wait_until (app_ready, &app);

  g_assert_true (nod_window_select_merge_request (app.window, DEMO_PROJECT, DEMO_IID));
  nod_test_wait_until (page_mapped, &app);
  page = NOD_MERGE_REQUEST_PAGE (nod_window_get_page (app.window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (app.window), "win.show-view", "s",
                                             "changes"));
  changes = nod_merge_request_page_get_changes_view (page);
  nod_test_wait_until (file_selected, changes);
  nod_test_wait_until (file_shown, changes);
  diff_view = GTK_WIDGET (nod_changes_view_get_diff_view (changes));

  /* The thread at line 26: its suggestion is a diff of the line as it is (−) and as
   * suggested (+), in the diff's colours, not a code block. */
  nod_test_wait_until (suggestion_formatted, diff_view);
  note = find_suggestion_note (diff_view);
  note_text = nod_markdown_view_dup_text (note);
  g_assert_nonnull (strstr (note_text, "Suggested change\n− " DEMO_TEXT "\n+ " DEMO_TEXT
                            "  /* bound to \"group-by-project\" */"));
  g_assert_null (strstr (note_text, "```"));
  {
    int removed_at = (int) g_utf8_pointer_to_offset (note_text, strstr (note_text, "− "));
    int added_at = (int) g_utf8_pointer_to_offset (note_text, strstr (note_text, "+ "));

    g_assert_true (nod_markdown_view_has_tag_at (note, "suggestion-removed", removed_at));
    g_assert_false (nod_markdown_view_has_tag_at (note, "suggestion-added", removed_at));
    g_assert_true (nod_markdown_view_has_tag_at (note, "suggestion-added", added_at));
    g_assert_false (nod_markdown_view_has_tag_at (note, "code-block", added_at));
  }

  /* Offline, so what Send queues stays in the outbox to be read back. */
  nod_sync_engine_set_offline_mode (nod_application_get_engine (app.app), TRUE);

  /* A comment on the old side offers no suggestion: GitLab applies them to the new one. */
  nod_changes_view_request_comment (changes, TRUE, 23);
  composer = nod_changes_view_get_composer (changes);
  g_assert_nonnull (composer);
  buffer = gtk_text_view_get_buffer (composer);
  gtk_widget_activate_action (GTK_WIDGET (changes), "changes.suggest-change", NULL);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  box_text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (box_text, ==, "");
  g_clear_pointer (&box_text, g_free);

  /* On the added line: exactly GitLab's format, the line's text to edit. */
  nod_changes_view_request_comment (changes, FALSE, DEMO_LINE);
  composer = nod_changes_view_get_composer (changes);
  buffer = gtk_text_view_get_buffer (composer);
  gtk_widget_activate_action (GTK_WIDGET (changes), "changes.suggest-change", NULL);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  box_text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (box_text, ==, expected_body);

  /* Send queues what the box holds, at the line. */
  gtk_widget_activate_action (GTK_WIDGET (changes), "changes.send-comment", NULL);
  g_assert_null (nod_changes_view_get_composer (changes));
  queued = find_queued (&app, expected_body);
  g_assert_nonnull (queued);
  g_assert_cmpint (nod_outbox_action_get_kind (queued), ==, NOD_ACTION_COMMENT);
  g_assert_cmpint (nod_outbox_action_get_mr_iid (queued), ==, DEMO_IID);
  position = nod_outbox_action_get_position (queued);
  g_assert_nonnull (position);
  g_assert_cmpstr (position->new_path, ==, DEMO_PATH);
  g_assert_cmpint (position->new_line, ==, DEMO_LINE);
  g_assert_cmpint (position->old_line, ==, -1);

  gtk_window_destroy (GTK_WINDOW (app.window));
  g_clear_object (&app.app);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("suggest-change");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  have_display = gtk_init_check ();

  g_test_add_func ("/nod/suggest-change/in-window", test_suggestions_in_window);

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
