/* test-merge-request-list.c: the sidebar's list of merge requests (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list reads a real review cache on a store in a temporary directory; the merge
 * requests are put there with SQL, as a pull would leave them.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "nod-account.h"
#include "nod-merge-request-list.h"
#include "nod-review-cache.h"
#include "nod-store.h"
#include "nod-test-utils.h"

#define ACCOUNT 1
#define PROJECT 7

/* Newest change first, as the list shows them. */
#define MR_CRASH    1   /* review requested, open */
#define MR_FEATURE  2   /* review requested, open */
#define MR_MINE     3   /* authored, open */
#define MR_MERGED   4   /* review requested, merged */

typedef struct
{
  char                *store_dir;
  NodStore            *store;
  NodReviewCache      *cache;
  GListStore          *accounts;
  GtkWindow           *window;      /* NULL: the list is in no window */
  NodMergeRequestList *list;

  guint                empty_notified;
  guint                selection_changed;
  guint                reloaded;
} Fixture;

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
list_settled (gpointer data)
{
  return !nod_merge_request_list_is_loading (NOD_MERGE_REQUEST_LIST (data));
}

static void
on_empty_notified (Fixture *fixture)
{
  fixture->empty_notified++;
}

static void
on_selection_changed (Fixture *fixture)
{
  fixture->selection_changed++;
}

static void
on_reloaded (Fixture *fixture)
{
  fixture->reloaded++;
}

static void
add_merge_request (Fixture    *fixture,
                   gint64      iid,
                   const char *title,
                   const char *state,
                   gboolean    is_reviewer,
                   gboolean    is_author,
                   const char *updated_at)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO merge_requests (account_id, project_id, iid, id, title, state, "
    "author_username, author_name, is_reviewer, is_author, updated_at, fetched_at_us) "
    "VALUES (%d, %d, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', '%s', 'amelie', "
    "'Amélie Laurent', %d, %d, '%s', 0)",
    ACCOUNT, PROJECT, iid, 1000 + iid, title, state, is_reviewer, is_author, updated_at);

  nod_test_exec (fixture->store, sql);
}

static void
set_up_store (Fixture *fixture)
{
  g_autofree char *path = NULL;
  g_autoptr(NodAccount) account = nod_account_new (ACCOUNT, "https://gitlab.example.com",
                                                   "reviewer");

  fixture->store_dir = g_dir_make_tmp ("nod-test-merge-request-list-XXXXXX", NULL);
  g_assert_nonnull (fixture->store_dir);
  path = g_build_filename (fixture->store_dir, "nod.db", NULL);

  fixture->store = nod_test_open_store (path);
  nod_test_exec (fixture->store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) VALUES "
                 "(1, 'https://gitlab.example.com', 'reviewer', 0)");
  nod_test_exec (fixture->store,
                 "INSERT INTO projects (account_id, id, path_with_namespace) VALUES "
                 "(1, 7, 'group/app')");
  add_merge_request (fixture, MR_CRASH, "Fix the crash on start", "opened", TRUE, FALSE,
                     "2024-01-04T10:00:00Z");
  add_merge_request (fixture, MR_FEATURE, "Add a feature", "opened", TRUE, FALSE,
                     "2024-01-03T10:00:00Z");
  add_merge_request (fixture, MR_MINE, "My own work", "opened", FALSE, TRUE,
                     "2024-01-02T10:00:00Z");
  add_merge_request (fixture, MR_MERGED, "Merged already", "merged", TRUE, FALSE,
                     "2024-01-01T10:00:00Z");

  fixture->cache = nod_review_cache_new (fixture->store);
  fixture->accounts = g_list_store_new (NOD_TYPE_ACCOUNT);
  g_list_store_append (fixture->accounts, account);
}

static void
make_list (Fixture *fixture)
{
  fixture->list = g_object_ref_sink (g_object_new (NOD_TYPE_MERGE_REQUEST_LIST, NULL));
  g_signal_connect_swapped (fixture->list, "notify::empty", G_CALLBACK (on_empty_notified),
                            fixture);
  g_signal_connect_swapped (fixture->list, "selection-changed",
                            G_CALLBACK (on_selection_changed), fixture);
  g_signal_connect_swapped (fixture->list, "reloaded", G_CALLBACK (on_reloaded), fixture);
}

/* A list in a window on screen: it goes by the window's frames. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  set_up_store (fixture);
  make_list (fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 360, 600);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->list));
  gtk_window_present (fixture->window);
  nod_test_wait_until (widget_is_mapped, fixture->list);
}

/* A list in no window: it has no frames to go by. */
static void
fixture_set_up_unrooted (Fixture       *fixture,
                         gconstpointer  data)
{
  set_up_store (fixture);
  make_list (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);

  /* The list let go of the cache and the accounts when it went. */
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->list));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->accounts));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  nod_test_remove_tree (fixture->store_dir);
  g_clear_pointer (&fixture->store_dir, g_free);
}

static void
load (Fixture *fixture)
{
  nod_merge_request_list_set_source (fixture->list, fixture->cache,
                                     G_LIST_MODEL (fixture->accounts));
  g_assert_true (nod_merge_request_list_is_loading (fixture->list));
  nod_test_wait_until (list_settled, fixture->list);
}

static gint64
iid_at (Fixture *fixture,
        guint    position)
{
  GListModel *model = nod_merge_request_list_get_model (fixture->list);
  g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return nod_merge_request_item_get_view (item)->iid;
}

static gint64
selected_iid (Fixture *fixture)
{
  NodMergeRequestItem *item = nod_merge_request_list_get_selected (fixture->list);

  return item != NULL ? nod_merge_request_item_get_view (item)->iid : 0;
}

static guint
count_listed (Fixture *fixture)
{
  return g_list_model_get_n_items (nod_merge_request_list_get_model (fixture->list));
}

/* The reviewer's open review requests, newest change first; the list says once that it
 * is no longer empty, and that it shows the reload in full. */
static void
test_loads (Fixture       *fixture,
            gconstpointer  data)
{
  g_assert_true (nod_merge_request_list_is_empty (fixture->list));
  g_assert_false (nod_merge_request_list_is_loading (fixture->list));

  load (fixture);

  g_assert_cmpuint (count_listed (fixture), ==, 2);
  g_assert_cmpint (iid_at (fixture, 0), ==, MR_CRASH);
  g_assert_cmpint (iid_at (fixture, 1), ==, MR_FEATURE);
  g_assert_false (nod_merge_request_list_is_empty (fixture->list));
  g_assert_cmpuint (fixture->empty_notified, ==, 1);
  g_assert_cmpuint (fixture->reloaded, ==, 1);
  g_assert_cmpuint (fixture->selection_changed, ==, 0);
  g_assert_null (nod_merge_request_list_get_selected (fixture->list));
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  load (fixture);

  nod_merge_request_list_set_filter_mode (fixture->list, NOD_MERGE_REQUEST_FILTER_ALL);
  g_assert_cmpint (nod_merge_request_list_get_filter_mode (fixture->list), ==,
                   NOD_MERGE_REQUEST_FILTER_ALL);
  g_assert_cmpuint (count_listed (fixture), ==, 4);

  nod_merge_request_list_set_filter_mode (fixture->list, NOD_MERGE_REQUEST_FILTER_AUTHORED);
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_assert_cmpint (iid_at (fixture, 0), ==, MR_MINE);

  /* Search is in any case, over what the rows show. */
  nod_merge_request_list_set_filter_mode (fixture->list, NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW);
  nod_merge_request_list_set_search (fixture->list, "CRASH");
  g_assert_cmpstr (nod_merge_request_list_get_search (fixture->list), ==, "crash");
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_assert_cmpint (iid_at (fixture, 0), ==, MR_CRASH);

  fixture->empty_notified = 0;
  nod_merge_request_list_set_search (fixture->list, "nothing like it");
  g_assert_cmpuint (count_listed (fixture), ==, 0);
  g_assert_true (nod_merge_request_list_is_empty (fixture->list));
  g_assert_cmpuint (fixture->empty_notified, ==, 1);

  nod_merge_request_list_set_search (fixture->list, "");
  g_assert_cmpuint (count_listed (fixture), ==, 2);
  g_assert_false (nod_merge_request_list_is_empty (fixture->list));
  g_assert_cmpuint (fixture->empty_notified, ==, 2);
}

static void
test_selection (Fixture       *fixture,
                gconstpointer  data)
{
  load (fixture);

  /* Only what the list shows can be selected. */
  g_assert_false (nod_merge_request_list_select (fixture->list, PROJECT, MR_MINE));
  g_assert_cmpuint (fixture->selection_changed, ==, 0);

  g_assert_true (nod_merge_request_list_select (fixture->list, PROJECT, MR_FEATURE));
  g_assert_cmpint (selected_iid (fixture), ==, MR_FEATURE);
  g_assert_cmpuint (fixture->selection_changed, ==, 1);

  /* Moving stops at either end. */
  nod_merge_request_list_move_selection (fixture->list, 1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_FEATURE);
  nod_merge_request_list_move_selection (fixture->list, -1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_CRASH);
  nod_merge_request_list_move_selection (fixture->list, -1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_CRASH);
  g_assert_cmpuint (fixture->selection_changed, ==, 2);

  /* A search that hides it leaves it selected, hidden: the page stays. */
  nod_merge_request_list_set_search (fixture->list, "feature");
  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_CRASH);
  g_assert_cmpuint (fixture->selection_changed, ==, 2);

  /* Shown again, it is selected in the list again, with no word to the window: going down
   * goes on from it. */
  nod_merge_request_list_set_search (fixture->list, "");
  g_assert_cmpint (selected_iid (fixture), ==, MR_CRASH);
  g_assert_cmpuint (fixture->selection_changed, ==, 2);
  nod_merge_request_list_move_selection (fixture->list, 1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_FEATURE);
  g_assert_cmpuint (fixture->selection_changed, ==, 3);

  /* Hidden, going down the list starts at its top: another is picked, the page follows. */
  g_assert_true (nod_merge_request_list_select (fixture->list, PROJECT, MR_CRASH));
  nod_merge_request_list_set_search (fixture->list, "feature");
  nod_merge_request_list_move_selection (fixture->list, 1);
  g_assert_cmpint (selected_iid (fixture), ==, MR_FEATURE);
  g_assert_cmpuint (fixture->selection_changed, ==, 5);

  /* Picked while searching: clearing the search keeps the new one. */
  nod_merge_request_list_set_search (fixture->list, NULL);
  g_assert_cmpint (selected_iid (fixture), ==, MR_FEATURE);
  g_assert_cmpuint (fixture->selection_changed, ==, 5);
}

/* The selected merge request changes and moves to the top: a step takes it out of the
 * list and puts it back, and it is still selected, with no word to the window. */
static void
test_keeps_selection_across_reload (Fixture       *fixture,
                                    gconstpointer  data)
{
  NodMergeRequestItem *selected;

  load (fixture);
  g_assert_true (nod_merge_request_list_select (fixture->list, PROJECT, MR_FEATURE));
  selected = nod_merge_request_list_get_selected (fixture->list);
  fixture->selection_changed = 0;
  fixture->reloaded = 0;

  nod_test_exec (fixture->store,
                 "UPDATE merge_requests SET updated_at = '2024-01-05T10:00:00Z', "
                 "title = 'Add a feature, reworked' WHERE iid = 2");
  nod_merge_request_list_reload (fixture->list);
  g_assert_true (nod_merge_request_list_is_loading (fixture->list));
  nod_test_wait_until (list_settled, fixture->list);

  g_assert_cmpint (iid_at (fixture, 0), ==, MR_FEATURE);
  g_assert_cmpint (iid_at (fixture, 1), ==, MR_CRASH);
  g_assert_true (nod_merge_request_list_get_selected (fixture->list) == selected);
  g_assert_cmpstr (nod_merge_request_item_get_view (selected)->title, ==,
                   "Add a feature, reworked");
  g_assert_cmpuint (fixture->selection_changed, ==, 0);
  g_assert_cmpuint (fixture->reloaded, ==, 1);
}

/* Reloads asked for in a burst cost one reading. */
static void
test_schedule_reload (Fixture       *fixture,
                      gconstpointer  data)
{
  load (fixture);
  fixture->reloaded = 0;

  nod_test_exec (fixture->store, "DELETE FROM merge_requests WHERE iid = 1");
  nod_merge_request_list_schedule_reload (fixture->list, 10);
  nod_merge_request_list_schedule_reload (fixture->list, 10);
  g_assert_true (nod_merge_request_list_is_loading (fixture->list));
  nod_test_wait_until (list_settled, fixture->list);

  g_assert_cmpuint (count_listed (fixture), ==, 1);
  g_assert_cmpint (iid_at (fixture, 0), ==, MR_FEATURE);
  g_assert_cmpuint (fixture->reloaded, ==, 1);
}

/* Many more merge requests than GTK builds rows for. */
#define MANY 10000

static void
add_many (Fixture *fixture)
{
  g_autofree char *sql = g_strdup_printf (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
    "INSERT INTO merge_requests (account_id, project_id, iid, id, title, state, "
    "author_username, author_name, is_reviewer, is_author, updated_at, fetched_at_us) "
    "SELECT %d, %d, 100 + i, 10000 + i, 'Change ' || i, 'opened', 'amelie', "
    "'Amélie Laurent', 1, 0, printf ('2023-%%02d-%%02dT%%02d:%%02d:00Z', 1 + i / 2000, "
    "1 + i / 80 %% 25, i / 60 %% 24, i %% 60), 0 FROM n",
    MANY, ACCOUNT, PROJECT);

  nod_test_exec (fixture->store, sql);
}

static void
on_frame_painted (GdkFrameClock *clock,
                  guint         *frames)
{
  (*frames)++;
}

/* A step goes by each frame: 10,000 merge requests reach the list within a few dozen,
 * the rows GTK builds paced and the rest put in at once (not a few items a frame, which
 * took hundreds of frames). */
static void
test_many_in_few_steps (Fixture       *fixture,
                        gconstpointer  data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window));
  guint frames = 0;
  gulong handler;

  add_many (fixture);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_painted), &frames);
  load (fixture);
  g_signal_handler_disconnect (clock, handler);

  g_assert_cmpuint (count_listed (fixture), ==, MANY + 2);
  g_assert_cmpint (iid_at (fixture, 0), ==, MR_CRASH);
  g_assert_cmpint (iid_at (fixture, 1), ==, MR_FEATURE);
  g_assert_cmpint (iid_at (fixture, 2), ==, 100 + MANY);
  g_assert_cmpint (iid_at (fixture, MANY + 1), ==, 101);
  g_assert_cmpuint (fixture->reloaded, ==, 1);
  g_assert_cmpuint (frames, <=, 60);

  /* Back to a few. */
  frames = 0;
  nod_test_exec (fixture->store, "DELETE FROM merge_requests WHERE iid > 100");
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_frame_painted), &frames);
  nod_merge_request_list_reload (fixture->list);
  nod_test_wait_until (list_settled, fixture->list);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpuint (count_listed (fixture), ==, 2);
  /* The rows' items go out a few a frame, the rest at once. */
  g_assert_cmpuint (frames, <=, 150);
}

/* With no frames to go by, the steps go by idle, to the same list. */
static void
test_many_in_no_window (Fixture       *fixture,
                        gconstpointer  data)
{
  add_many (fixture);
  load (fixture);

  g_assert_cmpuint (count_listed (fixture), ==, MANY + 2);
  g_assert_cmpint (iid_at (fixture, 2), ==, 100 + MANY);
  g_assert_cmpint (iid_at (fixture, MANY + 1), ==, 101);
  g_assert_cmpuint (fixture->reloaded, ==, 1);
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
  g_autofree char *home = nod_test_make_private_homes ("merge-request-list");
  int status;

  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/nod/merge-request-list/needs-display", test_needs_display);
      status = g_test_run ();
      nod_test_remove_tree (home);
      return status;
    }

#define ADD(path, set_up, func) \
  g_test_add ("/nod/merge-request-list/" path, Fixture, NULL, set_up, func, fixture_tear_down)

  ADD ("loads", fixture_set_up, test_loads);
  ADD ("loads-in-no-window", fixture_set_up_unrooted, test_loads);
  ADD ("filters", fixture_set_up, test_filters);
  ADD ("selection", fixture_set_up, test_selection);
  ADD ("keeps-selection-across-reload", fixture_set_up, test_keeps_selection_across_reload);
  ADD ("schedule-reload", fixture_set_up, test_schedule_reload);
  ADD ("many-in-few-steps", fixture_set_up, test_many_in_few_steps);
  ADD ("many-in-no-window", fixture_set_up_unrooted, test_many_in_no_window);

#undef ADD

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
