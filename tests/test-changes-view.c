/* test-changes-view.c: the Changes view over a diff cache on a temporary store, and the
 * page's views in the window (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-application.h"
#include "nod-changes-view.h"
#include "nod-diff-cache.h"
#include "nod-diff-file-row.h"
#include "nod-diff-view.h"
#include "nod-gitlab-json.h"
#include "nod-markdown-view.h"
#include "nod-merge-request-item.h"
#include "nod-merge-request-page.h"
#include "nod-outbox.h"
#include "nod-test-utils.h"
#include "nod-thread-view.h"
#include "nod-window.h"

#define ACCOUNT 1
#define PROJECT 7
#define MR_IID  3

#define BASE_SHA   "1111111111111111111111111111111111111111"
#define START_SHA  "2222222222222222222222222222222222222222"
#define HEAD_A     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEAD_B     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEAD_OLD   "cccccccccccccccccccccccccccccccccccccccc"

#define ID_ADDED    "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"
#define ID_REMOVED  "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2"
#define ID_OUTDATED "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3"

static gboolean have_display;

typedef struct
{
  char            *store_dir;
  NodStore        *store;
  NodDiffCache    *cache;
  NodOutbox       *outbox;
  GtkWindow       *window;
  NodChangesView  *view;

  char            *comment_body;
  NodDiffPosition *comment_position;
} Fixture;

/* ---- the store and its diffs ---- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;

  if (!have_display)
    return;

  fixture->store_dir = g_dir_make_tmp ("nod-test-changes-view-XXXXXX", NULL);
  g_assert_nonnull (fixture->store_dir);
  path = g_build_filename (fixture->store_dir, "nod.db", NULL);
  fixture->store = nod_test_open_store (path);
  nod_test_exec (fixture->store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) VALUES "
                 "(1, 'https://gitlab.example.com', 'reviewer', 0)");
  nod_test_exec (fixture->store,
                 "INSERT INTO projects (account_id, id, path_with_namespace) VALUES "
                 "(1, 7, 'group/app')");
  nod_test_exec (fixture->store,
                 "INSERT INTO merge_requests (account_id, project_id, iid, id, title, state, "
                 "author_username, author_name, is_reviewer, is_author, updated_at, "
                 "fetched_at_us) VALUES (1, 7, 3, 1003, 'Change things', 'opened', 'amelie', "
                 "'Amélie Laurent', 1, 0, '2026-11-01T10:00:00Z', 0)");
  fixture->cache = nod_diff_cache_new (fixture->store);
  fixture->outbox = nod_outbox_new (fixture->store);
}

static void
close_view (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  fixture->window = NULL;
  fixture->view = NULL;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (!have_display)
    return;

  close_view (fixture);
  g_clear_object (&fixture->outbox);
  g_clear_object (&fixture->cache);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->comment_body, g_free);
  g_clear_pointer (&fixture->comment_position, nod_diff_position_free);
  nod_test_remove_tree (fixture->store_dir);
  g_free (fixture->store_dir);
}

static char *
blob_sha (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static NodDiffFile *
make_file (const char       *old_path,
           const char       *new_path,
           NodDiffFileFlags  flags,
           const char       *diff,
           const char       *old_text,
           const char       *new_text,
           GHashTable       *blobs)
{
  NodDiffFile *file = nod_diff_file_new (old_path, new_path,
                                         (flags & NOD_DIFF_FILE_NEW) ? "0" : "100644",
                                         (flags & NOD_DIFF_FILE_DELETED) ? "0" : "100644",
                                         flags, diff);
  g_autofree char *old_sha = old_text != NULL ? blob_sha (old_text) : NULL;
  g_autofree char *new_sha = new_text != NULL ? blob_sha (new_text) : NULL;

  nod_diff_file_set_blobs (file, old_sha, new_sha);
  if (old_sha != NULL)
    g_hash_table_insert (blobs, g_strdup (old_sha), g_bytes_new (old_text, strlen (old_text)));
  if (new_sha != NULL)
    g_hash_table_insert (blobs, g_strdup (new_sha), g_bytes_new (new_text, strlen (new_text)));
  return file;
}

/* Three files at head A; at head B, src/main.c changes again and the others stay. */
static void
save_diff (Fixture    *fixture,
           const char *head_sha)
{
  gboolean second = g_strcmp0 (head_sha, HEAD_B) == 0;
  g_autoptr(GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!second)
    g_ptr_array_add (files, make_file ("src/main.c", "src/main.c", 0,
                                       "@@ -1,5 +1,6 @@\n a\n b\n-c\n+C\n d\n e\n+f\n",
                                       "a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\nf\n", blobs));
  else
    g_ptr_array_add (files, make_file ("src/main.c", "src/main.c", 0,
                                       "@@ -1,5 +1,7 @@\n a\n b\n-c\n+C\n d\n e\n+f\n+g\n",
                                       "a\nb\nc\nd\ne\n", "a\nb\nC\nd\ne\nf\ng\n", blobs));
  g_ptr_array_add (files, make_file ("README.md", "README.md", NOD_DIFF_FILE_NEW,
                                     "@@ -0,0 +1,2 @@\n+hello\n+world\n",
                                     NULL, "hello\nworld\n", blobs));
  g_ptr_array_add (files, make_file ("docs/old.txt", "docs/new.txt", NOD_DIFF_FILE_RENAMED,
                                     "@@ -1 +1 @@\n-x\n+y\n", "x\n", "y\n", blobs));
  diff = nod_merge_request_diff_new (BASE_SHA, START_SHA, head_sha, files);

  nod_diff_cache_save_diff_async (fixture->cache, ACCOUNT, PROJECT, MR_IID, diff, blobs, TRUE,
                                  NULL, nod_test_keep_result, &result);
  nod_diff_cache_save_diff_finish (fixture->cache, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

static void
note_approval (Fixture    *fixture,
               const char *head_sha)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_diff_cache_note_approval_async (fixture->cache, ACCOUNT, PROJECT, MR_IID, TRUE, head_sha,
                                      TRUE, NULL, nod_test_keep_result, &result);
  nod_diff_cache_note_approval_finish (fixture->cache, nod_test_wait_for_result (&result),
                                       &error);
  g_assert_no_error (error);
}

/* ---- the view ---- */

static gboolean
view_settled (gpointer data)
{
  Fixture *fixture = data;
  const char *state = nod_changes_view_get_state (fixture->view);

  return !nod_changes_view_is_loading (fixture->view) &&
         (g_strcmp0 (state, "changes") == 0 || g_strcmp0 (state, "empty") == 0);
}

static void
on_inline_comment (NodChangesView        *view,
                   const char            *body,
                   const NodDiffPosition *position,
                   Fixture               *fixture)
{
  g_free (fixture->comment_body);
  fixture->comment_body = g_strdup (body);
  g_clear_pointer (&fixture->comment_position, nod_diff_position_free);
  fixture->comment_position = nod_diff_position_copy (position);
}

/* A fresh view on the store, shown, with the cache read. */
static void
open_view (Fixture *fixture)
{
  close_view (fixture);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1000, 700);
  fixture->view = nod_changes_view_new ();
  g_signal_connect (fixture->view, "inline-comment", G_CALLBACK (on_inline_comment), fixture);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  nod_changes_view_set_merge_request (fixture->view, fixture->cache, ACCOUNT, PROJECT, MR_IID,
                                      NULL,
                                      "https://gitlab.example.com/group/app/-/merge_requests/3");
  /* Nothing is read before the view is shown. */
  g_assert_false (nod_changes_view_is_loading (fixture->view));
  gtk_window_present (fixture->window);
  nod_test_wait_until (view_settled, fixture);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (NOD_IS_DIFF_FILE_ROW (widget) && nod_diff_file_row_get_file (NOD_DIFF_FILE_ROW (widget)))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

static GPtrArray *
bound_rows (Fixture *fixture)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (fixture->view), rows);
  return rows;
}

static gboolean
rows_bound (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GPtrArray) rows = bound_rows (fixture);

  return rows->len == g_list_model_get_n_items (nod_changes_view_get_files (fixture->view));
}

static NodDiffFileRow *
row_of (Fixture    *fixture,
        const char *path)
{
  g_autoptr(GPtrArray) rows = bound_rows (fixture);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (nod_diff_file_get_path (nod_diff_file_row_get_file (rows->pdata[i])),
                   path) == 0)
      return rows->pdata[i];
  g_error ("No row for %s", path);
}

static gboolean
selected_shown (gpointer data)
{
  Fixture *fixture = data;

  return !nod_changes_view_is_loading (fixture->view) &&
         nod_changes_view_get_selected_file (fixture->view) != NULL;
}

static void
show_file (Fixture    *fixture,
           const char *path)
{
  g_assert_true (nod_changes_view_select_file (fixture->view, path));
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, path);
}

/* ---- tests ---- */

static void
test_not_downloaded (Fixture       *fixture,
                     gconstpointer  data)
{
  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  open_view (fixture);
  g_assert_cmpstr (nod_changes_view_get_state (fixture->view), ==, "empty");
  g_assert_cmpuint (g_list_model_get_n_items (nod_changes_view_get_files (fixture->view)), ==, 0);

  /* A pull brings the change; the page updating (same head) reads it. */
  save_diff (fixture, HEAD_A);
  nod_changes_view_set_merge_request (fixture->view, fixture->cache, ACCOUNT, PROJECT, MR_IID,
                                      NULL, NULL);
  nod_test_wait_until (view_settled, fixture);
  g_assert_cmpstr (nod_changes_view_get_state (fixture->view), ==, "changes");
  g_assert_cmpuint (g_list_model_get_n_items (nod_changes_view_get_files (fixture->view)), ==, 3);
}

static void
test_rows_and_filter (Fixture       *fixture,
                      gconstpointer  data)
{
  GListModel *files;
  NodDiffFileRow *row;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  open_view (fixture);
  g_assert_cmpstr (nod_changes_view_get_state (fixture->view), ==, "changes");

  files = nod_changes_view_get_files (fixture->view);
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 3);
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "0 of 3 files viewed");
  g_assert_null (nod_changes_view_get_changed_text (fixture->view));
  /* The first file is shown. */
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "src/main.c");

  nod_test_wait_until (rows_bound, fixture);
  row = row_of (fixture, "docs/new.txt");
  g_assert_cmpstr (nod_diff_file_row_get_text (row), ==, "docs/old.txt → docs/new.txt");
  g_assert_cmpstr (nod_diff_file_row_get_text (row_of (fixture, "src/main.c")), ==,
                   "src/main.c");
  g_assert_false (nod_diff_file_row_get_changed (row));

  /* The filter matches either path, whatever the case. */
  nod_changes_view_set_search (fixture->view, "READ");
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 1);
  nod_changes_view_set_search (fixture->view, "old.txt");
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 1);
  nod_changes_view_set_search (fixture->view, "nothing like it");
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 0);
  nod_changes_view_set_search (fixture->view, "");
  g_assert_cmpuint (g_list_model_get_n_items (files), ==, 3);
}

static void
test_viewed_kept (Fixture       *fixture,
                  gconstpointer  data)
{
  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  open_view (fixture);
  /* `v` marks the file shown and goes on to the next one not viewed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "changes.toggle-viewed",
                                             NULL));
  g_assert_true (nod_changes_view_get_file_viewed (fixture->view, "src/main.c"));
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "README.md");
  nod_changes_view_set_file_viewed (fixture->view, "README.md", TRUE);
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "2 of 3 files viewed");

  /* Read again from the same store: still viewed. */
  open_view (fixture);
  g_assert_true (nod_changes_view_get_file_viewed (fixture->view, "src/main.c"));
  g_assert_true (nod_changes_view_get_file_viewed (fixture->view, "README.md"));
  g_assert_false (nod_changes_view_get_file_viewed (fixture->view, "docs/new.txt"));
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "2 of 3 files viewed");

  /* A new head that changes src/main.c un-views it; README.md did not change. */
  save_diff (fixture, HEAD_B);
  open_view (fixture);
  g_assert_cmpstr (nod_merge_request_diff_get_head_sha (nod_changes_view_get_diff (fixture->view)),
                   ==, HEAD_B);
  g_assert_false (nod_changes_view_get_file_viewed (fixture->view, "src/main.c"));
  g_assert_true (nod_changes_view_get_file_viewed (fixture->view, "README.md"));
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "1 of 3 files viewed");

  /* Unmarking is kept too. */
  nod_changes_view_set_file_viewed (fixture->view, "README.md", FALSE);
  open_view (fixture);
  g_assert_false (nod_changes_view_get_file_viewed (fixture->view, "README.md"));
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "0 of 3 files viewed");
}

static void
test_changed_since_approved (Fixture       *fixture,
                             gconstpointer  data)
{
  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  note_approval (fixture, HEAD_A);
  /* Approved at the head shown: nothing to tell. */
  open_view (fixture);
  g_assert_null (nod_changes_view_get_changed_text (fixture->view));

  save_diff (fixture, HEAD_B);
  open_view (fixture);
  g_assert_cmpstr (nod_changes_view_get_changed_text (fixture->view), ==,
                   "1 file changed since you approved");
  g_assert_true (nod_changes_view_get_file_changed (fixture->view, "src/main.c"));
  g_assert_false (nod_changes_view_get_file_changed (fixture->view, "README.md"));
  g_assert_false (nod_changes_view_get_file_changed (fixture->view, "docs/new.txt"));

  nod_test_wait_until (rows_bound, fixture);
  g_assert_true (nod_diff_file_row_get_changed (row_of (fixture, "src/main.c")));
  g_assert_false (nod_diff_file_row_get_changed (row_of (fixture, "README.md")));
}

static void
test_keys (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *view;
  NodDiffView *diff_view;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  open_view (fixture);
  view = GTK_WIDGET (fixture->view);
  diff_view = nod_changes_view_get_diff_view (fixture->view);

  /* n and p: the next and previous file; nothing past the ends. */
  g_assert_true (gtk_widget_activate_action (view, "changes.next-file", NULL));
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "README.md");
  gtk_widget_activate_action (view, "changes.next-file", NULL);
  nod_test_wait_until (selected_shown, fixture);
  gtk_widget_activate_action (view, "changes.next-file", NULL);
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "docs/new.txt");
  gtk_widget_activate_action (view, "changes.previous-file", NULL);
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "README.md");

  /* v skips the files viewed already. */
  nod_changes_view_set_file_viewed (fixture->view, "docs/new.txt", TRUE);
  show_file (fixture, "src/main.c");
  gtk_widget_activate_action (view, "changes.toggle-viewed", NULL);
  nod_test_wait_until (selected_shown, fixture);
  g_assert_cmpstr (nod_diff_file_get_path (nod_changes_view_get_selected_file (fixture->view)),
                   ==, "README.md");
  gtk_widget_activate_action (view, "changes.toggle-viewed", NULL);
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "3 of 3 files viewed");
  /* Again on a viewed file: unmarked. */
  gtk_widget_activate_action (view, "changes.toggle-viewed", NULL);
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==, "2 of 3 files viewed");

  /* s: unified and side by side, kept across files. */
  g_assert_cmpint (nod_diff_view_get_layout (diff_view), ==, NOD_DIFF_LAYOUT_UNIFIED);
  gtk_widget_activate_action (view, "changes.toggle-layout", NULL);
  g_assert_cmpint (nod_diff_view_get_layout (diff_view), ==, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  show_file (fixture, "src/main.c");
  g_assert_cmpint (nod_diff_view_get_layout (diff_view), ==, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  gtk_widget_activate_action (view, "changes.toggle-layout", NULL);
  g_assert_cmpint (nod_diff_view_get_layout (diff_view), ==, NOD_DIFF_LAYOUT_UNIFIED);
}

/* Many files, some with paths no one should trust. */
static void
test_many_files (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  g_ptr_array_add (files, make_file ("<b>bold</b>\x1b[31m.c", "<b>bold</b>\x1b[31m.c", 0,
                                     "@@ -1 +1 @@\n-x\n+y\n", NULL, NULL, blobs));
  for (guint i = 1; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("src/file-%03u.c", i);

      g_ptr_array_add (files, make_file (path, path, 0, "@@ -1 +1 @@\n-x\n+y\n", NULL, NULL,
                                         blobs));
    }
  diff = nod_merge_request_diff_new (BASE_SHA, START_SHA, HEAD_A, files);
  nod_diff_cache_save_diff_async (fixture->cache, ACCOUNT, PROJECT, MR_IID, diff, blobs, TRUE,
                                  NULL, nod_test_keep_result, &result);
  nod_diff_cache_save_diff_finish (fixture->cache, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);

  open_view (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (nod_changes_view_get_files (fixture->view)), ==,
                    300);
  g_assert_cmpstr (nod_changes_view_get_viewed_text (fixture->view), ==,
                   "0 of 300 files viewed");
  /* Rows are made for what is on screen, not for every file. */
  rows = bound_rows (fixture);
  g_assert_cmpuint (rows->len, >, 0);
  g_assert_cmpuint (rows->len, <, 300);
  /* A label shows a path as it is: no markup. */
  g_assert_cmpstr (nod_diff_file_row_get_text (row_of (fixture, "<b>bold</b>\x1b[31m.c")), ==,
                   "<b>bold</b>\x1b[31m.c");

  nod_changes_view_set_search (fixture->view, "file-29");
  g_assert_cmpuint (g_list_model_get_n_items (nod_changes_view_get_files (fixture->view)), ==,
                    10);
}

static NodOutboxAction *
enqueue_and_list (Fixture         *fixture,
                  NodOutboxAction *action)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = NULL;

  nod_outbox_enqueue_async (fixture->outbox, action, NULL, nod_test_keep_result, &result);
  nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result), NULL,
                             &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  nod_outbox_list_async (fixture->outbox, ACCOUNT, NULL, nod_test_keep_result, &result);
  actions = nod_outbox_list_finish (fixture->outbox, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (actions->len, ==, 1);
  return g_object_ref (actions->pdata[0]);
}

static void
test_inline_comment (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodOutboxAction) queued = NULL;
  g_autoptr(NodOutboxAction) listed = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  const NodDiffPosition *position;
  GtkTextView *composer;
  gboolean old_side = TRUE;
  guint line = 0;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  open_view (fixture);
  show_file (fixture, "src/main.c");

  /* An added line: new_line only. */
  nod_changes_view_request_comment (fixture->view, FALSE, 3);
  composer = nod_changes_view_get_composer (fixture->view);
  g_assert_nonnull (composer);
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (composer),
                                         GTK_WIDGET (nod_changes_view_get_diff_view (
                                           fixture->view))));
  /* Nothing to send yet. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "changes.send-comment", NULL);
  g_assert_null (fixture->comment_position);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (composer), "  Why upper case?  ", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "changes.send-comment", NULL);
  g_assert_cmpstr (fixture->comment_body, ==, "Why upper case?");
  g_assert_nonnull (fixture->comment_position);
  g_assert_null (nod_changes_view_get_composer (fixture->view));
  position = fixture->comment_position;
  g_assert_cmpstr (position->base_sha, ==, BASE_SHA);
  g_assert_cmpstr (position->start_sha, ==, START_SHA);
  g_assert_cmpstr (position->head_sha, ==, HEAD_A);
  g_assert_cmpstr (position->old_path, ==, "src/main.c");
  g_assert_cmpstr (position->new_path, ==, "src/main.c");
  g_assert_cmpint (position->old_line, ==, -1);
  g_assert_cmpint (position->new_line, ==, 3);

  /* A removed line: old_line only; an unchanged one: both. */
  nod_changes_view_request_comment (fixture->view, TRUE, 3);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (nod_changes_view_get_composer (
                              fixture->view)), "Removed", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "changes.send-comment", NULL);
  g_assert_cmpint (fixture->comment_position->old_line, ==, 3);
  g_assert_cmpint (fixture->comment_position->new_line, ==, -1);
  nod_changes_view_request_comment (fixture->view, FALSE, 4);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (nod_changes_view_get_composer (
                              fixture->view)), "Context", -1);
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "changes.send-comment", NULL);
  g_assert_cmpint (fixture->comment_position->old_line, ==, 4);
  g_assert_cmpint (fixture->comment_position->new_line, ==, 4);

  /* What the window makes of it: an outbox action with that exact position, shown at its
   * line at once, pending. */
  queued = nod_outbox_action_new_inline_comment (ACCOUNT, PROJECT, MR_IID, "Context",
                                                 fixture->comment_position);
  listed = enqueue_and_list (fixture, queued);
  g_assert_nonnull (nod_outbox_action_get_discussion_id (listed));
  g_assert_nonnull (nod_outbox_action_get_position (listed));
  g_assert_true (nod_diff_position_equal (nod_outbox_action_get_position (listed),
                                          fixture->comment_position));
  g_ptr_array_add (actions, g_object_ref (listed));
  nod_changes_view_set_discussions (fixture->view, NULL, actions, now);
  g_assert_true (nod_changes_view_get_thread_line (fixture->view,
                                                   nod_outbox_action_get_discussion_id (listed),
                                                   &old_side, &line, NULL));
  g_assert_false (old_side);
  g_assert_cmpuint (line, ==, 4);
}

static NodDiscussion *
discussion_at (const char *id,
               const char *head_sha,
               const char *old_line,
               const char *new_line)
{
  g_autofree char *text = g_strdup_printf (
    "{\"id\": \"%s\", \"individual_note\": false, \"notes\": ["
    "  {\"id\": 1126, \"type\": \"DiffNote\", \"body\": \"Off by one?\","
    "   \"author\": {\"id\": 2, \"username\": \"alice\"}, \"system\": false,"
    "   \"resolvable\": true, \"resolved\": false, \"created_at\": \"2026-11-01T10:00:00Z\","
    "   \"position\": {\"base_sha\": \"" BASE_SHA "\", \"start_sha\": \"" START_SHA "\","
    "                  \"head_sha\": \"%s\", \"old_path\": \"src/main.c\","
    "                  \"new_path\": \"src/main.c\", \"position_type\": \"text\","
    "                  \"old_line\": %s, \"new_line\": %s}}]}",
    id, head_sha, old_line, new_line);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GObject *discussion;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  discussion = _nod_gitlab_json_parse_discussion (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  return NOD_DISCUSSION (discussion);
}

static GtkWidget *
find_thread (GtkWidget  *widget,
             const char *discussion_id)
{
  if (NOD_IS_THREAD_VIEW (widget) &&
      g_strcmp0 (nod_thread_view_get_discussion_id (NOD_THREAD_VIEW (widget)),
                 discussion_id) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_thread (child, discussion_id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_reply (NodChangesView *view,
          const char     *discussion_id,
          const char     *body,
          GString        *replies)
{
  g_string_append_printf (replies, "%s:%s;", discussion_id, body);
}

static void
on_resolve (NodChangesView *view,
            const char     *discussion_id,
            gboolean        resolved,
            GString        *resolves)
{
  g_string_append_printf (resolves, "%s:%d;", discussion_id, resolved);
}

static GtkExpander *
find_expander (GtkWidget *widget)
{
  if (GTK_IS_EXPANDER (widget))
    return GTK_EXPANDER (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkExpander *found = find_expander (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
save_thread_text (Fixture    *fixture,
                  const char *sha,
                  const char *path,
                  const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_diff_cache_save_thread_text_async (fixture->cache, ACCOUNT, PROJECT, MR_IID, sha, path,
                                         bytes, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_diff_cache_save_thread_text_finish (fixture->cache,
                                                         nod_test_wait_for_result (&result),
                                                         &error));
  g_assert_no_error (error);
}

/* The text of the outdated code label under @widget, or NULL. */
static const char *
outdated_code (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "nod-outdated-code") &&
      gtk_widget_get_visible (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = outdated_code (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

static gboolean
outdated_code_shown (gpointer data)
{
  return outdated_code (data) != NULL;
}

/* Shown, and no wider than the diff pane it is in (with its gutter and margins). */
static gboolean
thread_fits (gpointer data)
{
  GtkWidget *thread = find_thread (data, ID_ADDED);
  GtkWidget *pane = thread != NULL ? gtk_widget_get_ancestor (thread, GTK_TYPE_TEXT_VIEW) : NULL;

  return pane != NULL && gtk_widget_get_width (thread) > 0 &&
         gtk_widget_get_width (thread) < gtk_widget_get_width (pane);
}

static void
test_threads_at_lines (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) discussions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GtkWidget *diff_view;
  GtkExpander *expander;
  g_autoptr(GString) replies = g_string_new (NULL);
  g_autoptr(GString) resolves = g_string_new (NULL);
  gboolean old_side = TRUE;
  gboolean outdated = FALSE;
  guint line = 0;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  save_diff (fixture, HEAD_A);
  open_view (fixture);
  show_file (fixture, "src/main.c");
  diff_view = GTK_WIDGET (nod_changes_view_get_diff_view (fixture->view));

  g_ptr_array_add (discussions, discussion_at (ID_ADDED, HEAD_A, "null", "6"));
  g_ptr_array_add (discussions, discussion_at (ID_REMOVED, HEAD_A, "3", "null"));
  /* An earlier head's line, whatever the diff has there now; the pull kept the text it was
   * written on. */
  g_ptr_array_add (discussions, discussion_at (ID_OUTDATED, HEAD_OLD, "null", "6"));
  save_thread_text (fixture, HEAD_OLD, "src/main.c",
                    "one\ntwo\nthree\nfour\nfive\nsix \x1b[31m\tred\nseven\neight\nnine\n");
  nod_changes_view_set_discussions (fixture->view, discussions, NULL, now);

  g_assert_true (nod_changes_view_get_thread_line (fixture->view, ID_ADDED, &old_side, &line,
                                                   &outdated));
  g_assert_false (old_side);
  g_assert_cmpuint (line, ==, 6);
  g_assert_nonnull (find_thread (diff_view, ID_ADDED));
  /* A reply or resolve there is the view's, for the page to send. */
  g_signal_connect (fixture->view, "reply", G_CALLBACK (on_reply), replies);
  g_signal_connect (fixture->view, "resolve", G_CALLBACK (on_resolve), resolves);
  g_signal_emit_by_name (find_thread (diff_view, ID_ADDED), "reply", "Fixed");
  g_signal_emit_by_name (find_thread (diff_view, ID_ADDED), "resolve", TRUE);
  g_assert_cmpstr (replies->str, ==, ID_ADDED ":Fixed;");
  g_assert_cmpstr (resolves->str, ==, ID_ADDED ":1;");

  g_assert_true (nod_changes_view_get_thread_line (fixture->view, ID_REMOVED, &old_side, &line,
                                                   NULL));
  g_assert_true (old_side);
  g_assert_cmpuint (line, ==, 3);
  g_assert_nonnull (find_thread (diff_view, ID_REMOVED));

  /* Side by side in a 1,000-pixel window, a thread is as wide as its pane, not wider. */
  nod_diff_view_set_layout (NOD_DIFF_VIEW (diff_view), NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  nod_test_wait_until (thread_fits, diff_view);

  g_assert_false (nod_changes_view_get_thread_line (fixture->view, ID_OUTDATED, NULL, NULL,
                                                    &outdated));
  g_assert_true (outdated);
  g_assert_null (find_thread (diff_view, ID_OUTDATED));
  /* Listed above the diff, folded. */
  expander = find_expander (GTK_WIDGET (fixture->view));
  g_assert_nonnull (expander);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (expander)));
  g_assert_cmpstr (gtk_expander_get_label (expander), ==, "1 outdated thread");
  gtk_expander_set_expanded (expander, TRUE);
  g_assert_nonnull (find_thread (GTK_WIDGET (expander), ID_OUTDATED));
  /* With the code as it was: its line and two either side, the stranger's escape shown as
   * a replacement character. */
  nod_test_wait_until (outdated_code_shown, expander);
  g_assert_cmpstr (outdated_code (GTK_WIDGET (expander)), ==,
                   "      4  four\n      5  five\n›     6  six \xef\xbf\xbd[31m    red\n"
                   "      7  seven\n      8  eight");

  /* Another file has none of them. */
  show_file (fixture, "README.md");
  g_assert_false (nod_changes_view_get_thread_line (fixture->view, ID_ADDED, NULL, NULL,
                                                    &outdated));
  g_assert_false (outdated);
  g_assert_null (find_thread (GTK_WIDGET (fixture->view), ID_OUTDATED));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (expander)));
}

/* ---- the page in the window ---- */

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
           app->window))) != 0;
}

static gboolean
changes_settled (gpointer data)
{
  NodChangesView *view = data;
  const char *state = nod_changes_view_get_state (view);

  return !nod_changes_view_is_loading (view) &&
         (g_strcmp0 (state, "changes") == 0 || g_strcmp0 (state, "empty") == 0);
}

/* Whether @widget's class binds @accelerator to @action_name (@target a string). */
static gboolean
binds (GtkWidget  *widget,
       const char *accelerator,
       const char *action_name,
       const char *target)
{
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          GVariant *arguments = gtk_shortcut_get_arguments (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted) &&
              GTK_IS_NAMED_ACTION (action) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                         action_name) == 0 &&
              arguments != NULL && g_variant_is_of_type (arguments, G_VARIANT_TYPE_STRING) &&
              g_strcmp0 (g_variant_get_string (arguments, NULL), target) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* The app on the demo GitLab, its window's list read. */
static void
start_demo (App        *app,
            const char *app_id)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  /* Notifications go to the desktop's server, which Xvfb has none of. */
  settings = g_settings_new (APP_ID);
  g_settings_set_boolean (settings, "notifications", FALSE);
  app->app = nod_application_new ();
  g_application_set_application_id (G_APPLICATION (app->app), app_id);
  g_application_set_flags (G_APPLICATION (app->app), G_APPLICATION_NON_UNIQUE);
  nod_application_set_demo (app->app, 0, 0);
  g_application_register (G_APPLICATION (app->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app->app));
  app->window = NOD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app->app)));
  g_assert_nonnull (app->window);
  nod_test_wait_until (app_ready, app);
}

static void
test_page_views (void)
{
  App app = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  NodMergeRequestPage *page;
  NodMergeRequestItem *item;
  const NodMergeRequestView *view;
  g_autoptr(NodDiffPosition) position = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) actions = NULL;
  NodOutboxAction *inline_action = NULL;
  NodOutbox *outbox;
  gint64 account_id, project_id, iid;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  start_demo (&app, APP_ID ".TestChanges");

  item = g_list_model_get_item (nod_window_get_merge_requests (app.window), 0);
  view = nod_merge_request_item_get_view (item);
  account_id = nod_merge_request_item_get_account_id (item);
  project_id = view->project_id;
  iid = view->iid;
  g_assert_true (nod_window_select_merge_request (app.window, project_id, iid));
  g_object_unref (item);
  nod_test_wait_until (page_mapped, &app);
  page = NOD_MERGE_REQUEST_PAGE (nod_window_get_page (app.window));
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "overview");
  /* The changes are not read while the overview is shown. */
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (nod_merge_request_page_get_changes_view (
                                           page))));

  g_assert_true (binds (GTK_WIDGET (app.window), "<Alt>2", "win.show-view", "changes"));
  /* … and the shortcuts window, which lists them, still reads. */
  {
    g_autoptr(GtkBuilder) builder =
      gtk_builder_new_from_resource ("/io/github/nodreview/Nod/gtk/help-overlay.ui");
    GtkWindow *overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

    g_assert_nonnull (overlay);
    gtk_window_destroy (overlay);
  }
  g_assert_true (binds (GTK_WIDGET (app.window), "<Alt>1", "win.show-view", "overview"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (app.window), "win.show-view", "s",
                                             "changes"));
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "changes");
  nod_test_wait_until (changes_settled, nod_merge_request_page_get_changes_view (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (app.window), "win.show-view", "s",
                                             "overview"));
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "overview");
  /* Writing a comment (Ctrl+Shift+M) goes back to the overview, where its box is. */
  gtk_widget_activate_action (GTK_WIDGET (app.window), "win.show-view", "s", "changes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (app.window), "win.comment", NULL));
  g_assert_cmpstr (nod_merge_request_page_get_view (page), ==, "overview");

  /* An inline comment from the page goes to the outbox with its position, exactly; offline,
   * it stays there to be read back. */
  nod_sync_engine_set_offline_mode (nod_application_get_engine (app.app), TRUE);
  position = nod_diff_position_new ();
  position->base_sha = g_strdup (BASE_SHA);
  position->start_sha = g_strdup (START_SHA);
  position->head_sha = g_strdup (HEAD_A);
  position->old_path = g_strdup ("src/main.c");
  position->new_path = g_strdup ("src/main.c");
  position->new_line = 3;
  g_signal_emit_by_name (page, "inline-comment", "On this line", position);
  outbox = nod_session_get_outbox (nod_application_get_session (app.app));
  nod_outbox_list_async (outbox, account_id, NULL, nod_test_keep_result, &result);
  actions = nod_outbox_list_finish (outbox, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < actions->len; i++)
    if (g_strcmp0 (nod_outbox_action_get_body (actions->pdata[i]), "On this line") == 0)
      inline_action = actions->pdata[i];
  g_assert_nonnull (inline_action);
  g_assert_cmpint (nod_outbox_action_get_kind (inline_action), ==, NOD_ACTION_COMMENT);
  g_assert_cmpint (nod_outbox_action_get_project_id (inline_action), ==, project_id);
  g_assert_cmpint (nod_outbox_action_get_mr_iid (inline_action), ==, iid);
  g_assert_nonnull (nod_outbox_action_get_position (inline_action));
  g_assert_true (nod_diff_position_equal (nod_outbox_action_get_position (inline_action),
                                          position));

  gtk_window_destroy (GTK_WINDOW (app.window));
  g_clear_object (&app.app);
}

/* ---- suggestions in the window: shown as a diff, and "Suggest a change" ---- */

/* The demo's "Sidebar: group merge requests by project": line 26 of src/ui/nod-sidebar.c is
 * an added line, and its thread ends with a suggestion for it. */
#define DEMO_PROJECT 11
#define DEMO_IID     102
#define DEMO_PATH    "src/ui/nod-sidebar.c"
#define DEMO_LINE    26
#define DEMO_TEXT    "  gboolean            group_by_project;"

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

  start_demo (&app, APP_ID ".TestSuggestChange");

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
  g_autofree char *home = nod_test_make_private_homes ("changes-view");
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  have_display = gtk_init_check ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/nod/changes-view/not-downloaded", test_not_downloaded);
  ADD ("/nod/changes-view/rows-and-filter", test_rows_and_filter);
  ADD ("/nod/changes-view/viewed-kept", test_viewed_kept);
  ADD ("/nod/changes-view/changed-since-approved", test_changed_since_approved);
  ADD ("/nod/changes-view/keys", test_keys);
  ADD ("/nod/changes-view/many-files", test_many_files);
  ADD ("/nod/changes-view/inline-comment", test_inline_comment);
  ADD ("/nod/changes-view/threads-at-lines", test_threads_at_lines);
#undef ADD
  g_test_add_func ("/nod/changes-view/page-views", test_page_views);
  g_test_add_func ("/nod/changes-view/suggestions-in-window", test_suggestions_in_window);

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
