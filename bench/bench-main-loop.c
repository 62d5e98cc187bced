/* bench-main-loop.c: how long Nod's main loop is ever stuck while a large pull runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo app (its GitLab on a thread of its own, with N generated merge requests, 2,000
 * by default, its rate limit lifted) pulls all their history while a high-priority 1 ms
 * timeout ticks; the longest gap between two ticks is the longest time the loop could not
 * answer. The baseline is the same window, idle,
 * over the same time, in the same run: what drawing alone costs on this machine.
 *
 * `bench-main-loop [N] [hidden|shown]`: with the window hidden only Nod's own work runs on
 * the loop; shown, GTK draws every frame as well (in software under Xvfb, which has no GPU).
 * Run with `meson test -C _build --benchmark -v` (under Xvfb).
 *
 * Each gap is also split into the UI thread's own running and its waiting for a core, and
 * the host's share of the CPU ("steal") over the pull and over the baseline says how far to
 * trust the wall-clock figures (nod-bench-ticker.h).
 */

#include "config.h"

#include "nod-application.h"
#include "nod-bench-result.h"
#include "nod-bench-ticker.h"
#include "nod-test-utils.h"
#include "nod-window.h"

typedef struct
{
  NodApplication *app;
  GtkWidget      *window;
  guint           expected;
  gint64          until_us;
} Run;

static gboolean
window_mapped (gpointer data)
{
  Run *run = data;

  return run->window != NULL && gtk_widget_get_mapped (run->window);
}

static gboolean
pulled (gpointer data)
{
  Run *run = data;
  NodSyncEngine *engine = nod_application_get_engine (run->app);
  NodSyncStatus *status;

  if (engine == NULL || nod_sync_engine_is_busy (engine))
    return FALSE;
  status = nod_sync_engine_get_status (engine);
  return nod_sync_status_get_last_synced_at (status) > 0 &&
         !nod_window_is_list_loading (NOD_WINDOW (run->window));
}

static gboolean
pull_started (gpointer data)
{
  Run *run = data;
  NodSyncEngine *engine = nod_application_get_engine (run->app);

  return engine != NULL && nod_sync_engine_is_busy (engine);
}

static gboolean
demo_server_up (gpointer data)
{
  return nod_application_get_demo_base_url (((Run *) data)->app) != NULL;
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= ((Run *) data)->until_us;
}

/* One figure as bench/run.py reads it (bench/README.md): the gap against the idle window's,
 * and a frame's time as the bound. */
static void
print_result (const char *name,
              const char *label,
              double      nod_ms,
              double      idle_ms)
{
  nod_bench_print_result (&(NodBenchResult) {
    .name = name, .label = label, .unit = "ms", .nod = nod_ms, .comparison = idle_ms,
    .comparison_label = "the same window idle, as long again", .goal = "< 16 ms", .bound = 16,
  });
}

int
main (int   argc,
      char *argv[])
{
  guint n_generated = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  gboolean hidden = argc > 2 && g_str_equal (argv[2], "hidden");
  g_autoptr(GError) error = NULL;
  NodBenchTicker pull_ticker = { 0, }, idle_ticker = { 0, };
  Run run = { 0, };
  NodBenchFrames frames = { 0, };
  g_autoptr(GString) report = NULL;
  gint64 started, pull_us;
  NodBenchCpuTimes cpu_times;
  double pull_steal, idle_steal;

  nod_bench_init ();

  /* Xvfb has no GPU: GL would be Mesa's software rasteriser, many times slower. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run under Xvfb\n");
      return 0;
    }

  /* All the history, as deep as a first sync goes. No notification: with no desktop here,
   * GIO would start a session bus for it, on this thread. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_string (settings, "history-depth", "all");
    g_settings_set_boolean (settings, "notifications", FALSE);
  }

  run.app = nod_application_new ();
  g_application_set_flags (G_APPLICATION (run.app), G_APPLICATION_NON_UNIQUE);
  g_application_set_application_id (G_APPLICATION (run.app), APP_ID ".Bench");
  nod_application_set_demo (run.app, 0, n_generated);
  if (!g_application_register (G_APPLICATION (run.app), NULL, &error))
    g_error ("%s", error->message);
  g_application_activate (G_APPLICATION (run.app));
  run.window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (run.app)));
  if (!hidden)
    nod_bench_frames_connect (&frames, run.window);

  /* The pull is what is measured, not a pause at the rate-limit reserve. */
  nod_bench_iterate_until (demo_server_up, &run);
  {
    g_autoptr(JsonNode) answer = nod_test_fake_control (
      nod_application_get_demo_base_url (run.app), "POST", "/__fake/ratelimit",
      "{\"limit\": 1000000, \"remaining\": 1000000}");
  }
  if (hidden)
    gtk_widget_set_visible (run.window, FALSE);
  else
    nod_bench_iterate_until (window_mapped, &run);

  /* The pull starts once the window has drawn itself (or soon after, hidden): that is
   * what is measured, from its first request to the list showing all it brought. */
  nod_bench_iterate_until (pull_started, &run);
  started = g_get_monotonic_time ();
  cpu_times = nod_bench_read_cpu_times ();
  nod_bench_ticker_start (&pull_ticker);
  nod_bench_frames_begin (&frames);
  nod_bench_iterate_until (pulled, &run);
  nod_bench_frames_end (&frames);
  pull_us = g_get_monotonic_time () - started;
  pull_steal = nod_bench_steal_percent_since (cpu_times);
  nod_bench_ticker_stop (&pull_ticker);

  /* Baseline: the same window doing nothing, as long again. */
  run.until_us = g_get_monotonic_time () + pull_us;
  cpu_times = nod_bench_read_cpu_times ();
  nod_bench_ticker_start (&idle_ticker);
  nod_bench_iterate_until (time_passed, &run);
  idle_steal = nod_bench_steal_percent_since (cpu_times);
  nod_bench_ticker_stop (&idle_ticker);

  report = g_string_new (NULL);
  g_string_append_printf (report,
                          "# %s window: %u merge requests pulled in %.2f s, "
                          "%u of them in the list shown (Needs my review)\n",
                          hidden ? "hidden" : "shown", n_generated, pull_us / 1e6,
                          g_list_model_get_n_items (
                            nod_window_get_merge_requests (NOD_WINDOW (run.window))));
  g_string_append_printf (report,
                          "# longest main-loop gap while pulling: %.1f ms, the UI thread "
                          "running %.1f ms of it and waiting %.1f ms for a core; the most "
                          "it ran in any gap: %.1f ms; %u of %u gaps over 16 ms, %u of them "
                          "by its own running; it waited %.0f ms for a core in all; "
                          "the host took %.1f %% of the CPU\n",
                          pull_ticker.max_gap_us / 1000.0, pull_ticker.max_gap_cpu_us / 1000.0,
                          pull_ticker.max_gap_wait_us / 1000.0,
                          pull_ticker.max_cpu_us / 1000.0, pull_ticker.n_long,
                          pull_ticker.ticks, pull_ticker.n_long_busy,
                          pull_ticker.wait_us / 1000.0, pull_steal);
  g_string_append_printf (report,
                          "# idle window (baseline, as long again): longest gap %.1f ms, "
                          "the UI thread running %.1f ms of it and waiting %.1f ms for a "
                          "core; %u of %u gaps over 16 ms; the host took %.1f %% of the CPU\n",
                          idle_ticker.max_gap_us / 1000.0, idle_ticker.max_gap_cpu_us / 1000.0,
                          idle_ticker.max_gap_wait_us / 1000.0,
                          idle_ticker.n_long, idle_ticker.ticks, idle_steal);
  if (!hidden)
    g_string_append_printf (report,
                            "# frames GTK drew during the pull (layout and paint): longest "
                            "%.1f ms, the UI thread running at most %.1f ms of one; %u of %u "
                            "over 16 ms; before the pull, the window's own first frames: "
                            "at most %.1f ms\n",
                            frames.max_us / 1000.0, frames.max_cpu_us / 1000.0,
                            frames.n_slow, frames.n_frames, frames.before_max_us / 1000.0);
  /* On stdout for TAP readers, on stderr for `meson test -v`. */
  g_print ("%s", report->str);
  g_printerr ("%s", report->str);
  {
    const char *mode = hidden ? "hidden" : "shown";
    g_autofree char *gap_name = g_strdup_printf ("main-loop-gap-%s", mode);
    g_autofree char *gap_label = g_strdup_printf ("longest main-loop gap, pull of %u MRs, "
                                                  "window %s", n_generated, mode);
    g_autofree char *running_name = g_strdup_printf ("main-loop-running-%s", mode);
    g_autofree char *running_label = g_strdup_printf ("most the UI thread ran in one gap, "
                                                      "pull of %u MRs, window %s",
                                                      n_generated, mode);

    print_result (gap_name, gap_label, pull_ticker.max_gap_us / 1000.0,
                  idle_ticker.max_gap_us / 1000.0);
    print_result (running_name, running_label, pull_ticker.max_cpu_us / 1000.0,
                  idle_ticker.max_cpu_us / 1000.0);
  }
  g_print ("1..1\nok 1 main-loop gap measured\n");

  gtk_window_destroy (GTK_WINDOW (run.window));
  g_object_unref (run.app);
  nod_bench_shutdown ();
  return 0;
}
