/* bench-list-launch.c: how soon the list shows a large cache when Nod starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A data folder is filled first, untimed: the fake GitLab (in this process) generates N
 * merge requests (10,000 by default), and the review cache saves them page by page with
 * its own save call, as a pull would, with an outbox of a year's done approvals beside
 * them. Then the app starts on it the way it does for a reviewer, its account signed out
 * (no token in the keyring), so nothing but the cache is read, and from the launch on this
 * measures:
 *
 * - the first rows: the end of the first frame painted with rows in the list;
 * - the list complete: every merge request in the list and no step pending;
 * - the longest main-loop gap from the launch to then, with the UI thread's own running
 *   in it (nod-bench-ticker.h), beside the same window idle for as long again;
 * - GTK's longest frame (layout and paint).
 *
 * `bench-list-launch [N]`: run with `meson test -C _build --benchmark -v list-launch`
 * (under Xvfb). With NOD_BENCH_SHOTS=DIR it saves the window at the first rows and when
 * the list is complete, as PNG files in DIR.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "nod-application.h"
#include "nod-bench-result.h"
#include "nod-bench-ticker.h"
#include "nod-fake-gitlab.h"
#include "nod-forge-page.h"
#include "nod-gitlab.h"
#include "nod-review-cache.h"
#include "nod-store.h"
#include "nod-test-utils.h"
#include "nod-window.h"

#define TOKEN "glpat-bench-list-launch"
#define ACCOUNT_ID 1
/* Done approvals kept in the outbox: about a year of a reviewer's work. */
#define DONE_ACTIONS 1000

typedef struct
{
  NodApplication *app;
  GtkWidget      *window;
  guint           expected;
  gint64          launched_us;
  gint64          first_frame_us;   /* the window's first frame painted */
  gint64          main_page_us;     /* the first frame painted with the main page */
  gint64          first_items_us;   /* the first items went into the list */
  gint64          first_rows_us;    /* 0 until a frame is painted with rows */
  gint64          complete_us;
  gint64          until_us;
  const char     *shots_dir;
  NodBenchTicker  list_ticker;      /* from the first items on: the list's own loading */
} Run;

/* ---- filling the data folder (untimed) ---- */

static NodForgePage *
list_page (NodForge *forge,
           guint     page)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodForgePage *answer;

  nod_forge_list_merge_requests_async (forge, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL,
                                       NULL, page, NULL, nod_test_keep_result, &result);
  answer = nod_forge_list_merge_requests_finish (forge, nod_test_wait_for_result (&result),
                                                 &error);
  if (answer == NULL)
    g_error ("Could not list page %u: %s", page, error->message);
  return answer;
}

static void
save_page (NodReviewCache *cache,
           NodForgePage   *page)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closed = NULL;

  nod_review_cache_save_merge_requests_async (cache, ACCOUNT_ID,
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                              nod_forge_page_get_items (page), NULL,
                                              nod_test_keep_result, &result);
  if (!nod_review_cache_save_merge_requests_finish (cache, nod_test_wait_for_result (&result),
                                                    &closed, &error))
    g_error ("Could not save merge requests: %s", error->message);
}

/* Returns how many merge requests the cache holds. */
static guint
fill_data_folder (guint n_generated)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *base_url = NULL;
  g_autofree char *account_sql = NULL;
  g_autoptr(NodFakeGitlab) fake = nod_fake_gitlab_new (TOKEN);
  g_autoptr(NodGitlab) gitlab = NULL;
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodReviewCache) cache = NULL;
  g_autoptr(GError) error = NULL;
  guint page_number = 1;
  guint cached;

  nod_fake_gitlab_generate (fake, n_generated);
  nod_fake_gitlab_set_count_limit (fake, G_MAXUINT);
  if (!nod_fake_gitlab_listen (fake, 0, &error))
    g_error ("%s", error->message);
  base_url = nod_fake_gitlab_dup_base_url (fake);
  gitlab = nod_gitlab_new (base_url, TOKEN, &error);
  if (gitlab == NULL)
    g_error ("%s", error->message);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  store = nod_test_open_store (path);
  /* Kept from an earlier run: the account is signed out now, so the launch reads only
   * what the cache holds. */
  account_sql = g_strdup_printf ("INSERT INTO accounts (id, base_url, username, created_at_us) "
                                 "VALUES (%d, 'https://gitlab.example.com', '%s', 0)",
                                 ACCOUNT_ID, NOD_FAKE_GITLAB_REVIEWER_USERNAME);
  nod_test_exec (store, account_sql);
  cache = nod_review_cache_new (store);

  while (page_number != 0)
    {
      g_autoptr(NodForgePage) page = list_page (NOD_FORGE (gitlab), page_number);

      save_page (cache, page);
      page_number = nod_forge_page_get_next_page (page);
    }

  /* What a year of approving leaves in the outbox: acked long ago. */
  {
    g_autofree char *sql = g_strdup_printf (
      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
      "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, state, "
      "created_at_us, finished_at_us) "
      "SELECT 'done-' || i, %d, 'approve', mr.project_id, mr.iid, 'done', 0, 0 FROM n "
      "JOIN (SELECT project_id, iid, ROW_NUMBER () OVER (ORDER BY updated_at) AS r "
      "      FROM merge_requests) mr ON mr.r = n.i",
      DONE_ACTIONS, ACCOUNT_ID);

    nod_test_exec (store, sql);
  }

  cached = (guint) nod_test_query_int (store, "SELECT COUNT (*) FROM merge_requests");
  g_print ("# data folder: %u merge requests cached, %" G_GINT64_FORMAT " done actions in "
           "the outbox\n", cached,
           nod_test_query_int (store, "SELECT COUNT (*) FROM outbox"));
  g_clear_object (&cache);
  nod_test_assert_finalize_soon (g_steal_pointer (&store));
  return cached;
}

/* ---- the launch ---- */

static GListStore *
all_items (Run *run)
{
  GListModel *filtered = nod_window_get_merge_requests (NOD_WINDOW (run->window));

  return G_LIST_STORE (gtk_filter_list_model_get_model (GTK_FILTER_LIST_MODEL (filtered)));
}

static void
save_shot (Run        *run,
           const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (run->window);
  int height = gtk_widget_get_height (run->window);

  if (run->shots_dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (run->window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (run->window)),
                                         node, NULL);
  path = g_build_filename (run->shots_dir, name, NULL);
  if (!gdk_texture_save_to_png (texture, path))
    g_printerr ("Could not save %s\n", path);
}

/* A frame painted with rows in the list: the main page shown, an item in the list. */
static void
on_after_paint (GdkFrameClock *clock,
                Run           *run)
{
  GListModel *shown;

  if (run->first_frame_us == 0)
    run->first_frame_us = g_get_monotonic_time ();
  if (run->first_rows_us != 0)
    return;
  shown = nod_window_get_merge_requests (NOD_WINDOW (run->window));
  if (g_strcmp0 (nod_window_get_visible_page (NOD_WINDOW (run->window)), "main") != 0)
    return;
  if (run->main_page_us == 0)
    run->main_page_us = g_get_monotonic_time ();
  if (g_list_model_get_n_items (shown) == 0)
    return;
  run->first_rows_us = g_get_monotonic_time ();
  save_shot (run, "list-first-rows.png");
}

static void
on_items_changed (GListModel *items,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Run        *run)
{
  if (run->first_items_us == 0 && g_list_model_get_n_items (items) > 0)
    {
      run->first_items_us = g_get_monotonic_time ();
      nod_bench_ticker_start (&run->list_ticker);
    }
}

static gboolean
list_complete (gpointer data)
{
  Run *run = data;

  if (run->first_rows_us == 0 ||
      g_list_model_get_n_items (G_LIST_MODEL (all_items (run))) < run->expected ||
      nod_window_is_list_loading (NOD_WINDOW (run->window)))
    return FALSE;
  return TRUE;
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= ((Run *) data)->until_us;
}

static void
print_result (const char *name,
              const char *label,
              double      nod,
              const char *comparison_label,
              double      comparison,
              double      bound)
{
  g_autofree char *goal = g_strdup_printf ("< %.0f ms", bound);

  nod_bench_print_result (&(NodBenchResult) {
    .name = name, .label = label, .unit = "ms", .nod = nod,
    .comparison_label = comparison_label, .comparison = comparison,
    .goal = goal, .bound = bound,
  });
}

int
main (int   argc,
      char *argv[])
{
  guint n_generated = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  g_autofree char *home = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = NULL;
  NodBenchTicker launch_ticker = { 0, }, idle_ticker = { 0, };
  NodBenchFrames frames = { 0, };
  Run run = { 0, };
  gint64 launch_us;

  nod_bench_init ();
  home = nod_test_make_private_homes ("bench-list-launch");
  run.shots_dir = g_getenv ("NOD_BENCH_SHOTS");

  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run under Xvfb\n");
      nod_test_remove_tree (home);
      return 0;
    }
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "notifications", FALSE);
  }

  run.expected = fill_data_folder (n_generated);

  /* The launch, as the app does it. */
  run.launched_us = g_get_monotonic_time ();
  nod_bench_ticker_start (&launch_ticker);
  run.app = nod_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_application_set_application_id (G_APPLICATION (run.app), APP_ID ".Bench");
  if (!g_application_register (G_APPLICATION (run.app), NULL, &error))
    g_error ("%s", error->message);
  g_application_activate (G_APPLICATION (run.app));
  run.window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (run.app)));
  nod_bench_frames_connect (&frames, run.window);
  nod_bench_frames_begin (&frames);
  g_signal_connect (gtk_widget_get_frame_clock (run.window), "after-paint",
                    G_CALLBACK (on_after_paint), &run);
  g_signal_connect (all_items (&run), "items-changed", G_CALLBACK (on_items_changed), &run);

  nod_bench_iterate_until (list_complete, &run);
  run.complete_us = g_get_monotonic_time ();
  nod_bench_frames_end (&frames);
  nod_bench_ticker_stop (&launch_ticker);
  nod_bench_ticker_stop (&run.list_ticker);
  launch_us = run.complete_us - run.launched_us;
  save_shot (&run, "list-complete.png");

  /* Baseline: the same window doing nothing, as long again. */
  run.until_us = g_get_monotonic_time () + launch_us;
  nod_bench_ticker_start (&idle_ticker);
  nod_bench_iterate_until (time_passed, &run);
  nod_bench_ticker_stop (&idle_ticker);

  report = g_string_new (NULL);
  g_string_append_printf (report,
                          "# %u merge requests cached, %u shown (Needs my review)\n",
                          run.expected,
                          g_list_model_get_n_items (
                            nod_window_get_merge_requests (NOD_WINDOW (run.window))));
  g_string_append_printf (report, "# launch → the window's first frame painted: %.1f ms, → "
                          "the main page painted (the session open): %.1f ms, → the first "
                          "items in the list: %.1f ms, → the first rows painted: %.1f ms\n",
                          (run.first_frame_us - run.launched_us) / 1000.0,
                          (run.main_page_us - run.launched_us) / 1000.0,
                          (run.first_items_us - run.launched_us) / 1000.0,
                          (run.first_rows_us - run.launched_us) / 1000.0);
  g_string_append_printf (report, "# launch → list complete: %.1f ms\n", launch_us / 1000.0);
  g_string_append_printf (report,
                          "# longest main-loop gap from the launch: %.1f ms (ended %.1f ms "
                          "after it), the UI thread running %.1f ms of it and waiting %.1f ms "
                          "for a core; the most it ran in any gap: %.1f ms; %u of %u gaps "
                          "over 16 ms, %u of them by its own running\n",
                          launch_ticker.max_gap_us / 1000.0,
                          (launch_ticker.max_gap_end_us - run.launched_us) / 1000.0,
                          launch_ticker.max_gap_cpu_us / 1000.0,
                          launch_ticker.max_gap_wait_us / 1000.0,
                          launch_ticker.max_cpu_us / 1000.0, launch_ticker.n_long,
                          launch_ticker.ticks, launch_ticker.n_long_busy);
  g_string_append_printf (report,
                          "# … from the first items in the list on: longest gap %.1f ms "
                          "(ended %.1f ms after the launch), the UI thread running %.1f ms of "
                          "it; the most it ran in any gap: %.1f ms; %u of %u gaps over 16 ms, "
                          "%u of them by its own running\n",
                          run.list_ticker.max_gap_us / 1000.0,
                          (run.list_ticker.max_gap_end_us - run.launched_us) / 1000.0,
                          run.list_ticker.max_gap_cpu_us / 1000.0,
                          run.list_ticker.max_cpu_us / 1000.0, run.list_ticker.n_long,
                          run.list_ticker.ticks, run.list_ticker.n_long_busy);
  g_string_append_printf (report,
                          "# idle window (baseline, as long again): longest gap %.1f ms, the "
                          "UI thread running %.1f ms of it; the most it ran in any gap: %.1f ms; "
                          "%u of %u gaps over 16 ms\n",
                          idle_ticker.max_gap_us / 1000.0, idle_ticker.max_gap_cpu_us / 1000.0,
                          idle_ticker.max_cpu_us / 1000.0, idle_ticker.n_long,
                          idle_ticker.ticks);
  g_string_append_printf (report,
                          "# frames GTK drew from the launch (layout and paint): longest "
                          "%.1f ms, the UI thread running at most %.1f ms of one; %u of %u "
                          "over 16 ms\n",
                          frames.max_us / 1000.0, frames.max_cpu_us / 1000.0, frames.n_slow,
                          frames.n_frames);
  /* On stdout for TAP readers, on stderr for `meson test -v`. */
  g_print ("%s", report->str);
  g_printerr ("%s", report->str);

  print_result ("list-first-rows", "list: launch → first rows painted (10,000 cached)",
                (run.first_rows_us - run.launched_us) / 1000.0, NULL, 0, 200);
  print_result ("list-complete", "list: launch → every item listed (10,000 cached)",
                launch_us / 1000.0, NULL, 0, 1000);
  /* The goal is the UI thread's own running: a gap it spent waiting is the machine's. */
  print_result ("list-max-gap", "list: most the UI thread ran in one main-loop gap, launch",
                launch_ticker.max_cpu_us / 1000.0, "idle window, as long again",
                idle_ticker.max_cpu_us / 1000.0, 16);
  g_print ("1..1\nok 1 list launch measured\n");

  gtk_window_destroy (GTK_WINDOW (run.window));
  g_object_unref (run.app);
  nod_bench_shutdown ();
  nod_test_remove_tree (home);
  return 0;
}
