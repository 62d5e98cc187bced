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
 * On a virtual machine the wall clock alone can mislead: the host may hold the whole
 * machine for tens of milliseconds, idle or not. So each gap is also split into the UI
 * thread's own running (its CPU clock; on a guest that cannot tell, host time may be in
 * it too) and its waiting for a core here; and the host's share of the CPU ("steal")
 * over the pull and over the baseline says how far to trust the wall-clock figures.
 */

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>

#include "nod-application.h"
#include "nod-test-utils.h"
#include "nod-window.h"

#define DEADLINE_US (300 * G_USEC_PER_SEC)

/* Each gap is timed by the wall clock, which is what a user waits, and split into how
 * long the UI thread itself ran in it (the work on the loop) and how long it waited for a
 * core: a gap the thread spent waiting, or not running at all, is the machine's. */
typedef struct
{
  gint64 last_tick_us;
  gint64 last_tick_cpu_us;
  gint64 last_tick_wait_us;
  gint64 max_gap_us;
  gint64 max_gap_cpu_us;   /* what the thread ran in that longest gap */
  gint64 max_gap_wait_us;  /* and how long it waited for a core in it */
  gint64 max_cpu_us;       /* the most it ran in any gap */
  gint64 wait_us;          /* how long it waited for a core in all */
  guint  n_long;           /* gaps over 16 ms by the wall clock */
  guint  n_long_busy;      /* gaps in which the thread itself ran over 16 ms */
  guint  ticks;
} Ticker;

/* How long GTK spends on one frame (layout and paint), to tell drawing from the rest; and
 * how much of that the UI thread itself ran, to tell work from waiting for a core. Only
 * the pull's frames count; the window's own first ones, drawn before it, are kept apart. */
typedef struct
{
  gboolean pulling;
  gint64 started_us;
  gint64 started_cpu_us;
  gint64 before_max_us;
  gint64 max_us;
  gint64 max_cpu_us;
  guint  n_frames;
  guint  n_slow;      /* over 16 ms */
} FrameTimer;

/* How long the UI thread has been ready to run but waiting for a core of this machine,
 * behind other threads (from /proc: the kernel's run delay). Time the host takes from
 * the whole machine is not in it: the kernel here counts that as running. */
static int schedstat_fd = -1;

static gint64
thread_wait_us (void)
{
  char line[128];
  unsigned long long ran_ns, waited_ns;
  ssize_t n;

  if (schedstat_fd < 0)
    return 0;
  n = pread (schedstat_fd, line, sizeof line - 1, 0);
  if (n <= 0)
    return 0;
  line[n] = '\0';
  if (sscanf (line, "%llu %llu", &ran_ns, &waited_ns) != 2)
    return 0;
  return (gint64) (waited_ns / 1000);
}

static gint64
thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static void
on_before_paint (GdkFrameClock *clock,
                 FrameTimer    *frames)
{
  frames->started_us = g_get_monotonic_time ();
  frames->started_cpu_us = thread_cpu_us ();
}

static void
on_after_paint (GdkFrameClock *clock,
                FrameTimer    *frames)
{
  gint64 took_us = g_get_monotonic_time () - frames->started_us;

  if (!frames->pulling)
    {
      frames->before_max_us = MAX (frames->before_max_us, took_us);
      return;
    }
  frames->max_us = MAX (frames->max_us, took_us);
  frames->max_cpu_us = MAX (frames->max_cpu_us, thread_cpu_us () - frames->started_cpu_us);
  frames->n_frames++;
  frames->n_slow += took_us > 16000;
}

/* The share of all CPU time, since @since, that the host took from this machine (the
 * "steal" column of /proc/stat): on a virtual machine, time no thread here could run. */
typedef struct
{
  guint64 steal;
  guint64 total;
} CpuTimes;

static CpuTimes
read_cpu_times (void)
{
  g_autofree char *contents = NULL;
  unsigned long long column[8];   /* user nice system idle iowait irq softirq steal */
  CpuTimes times = { 0, };

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL)
      || sscanf (contents, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                 &column[0], &column[1], &column[2], &column[3],
                 &column[4], &column[5], &column[6], &column[7]) != 8)
    return times;
  for (guint i = 0; i < G_N_ELEMENTS (column); i++)
    times.total += column[i];
  times.steal = column[7];
  return times;
}

static double
steal_percent_since (CpuTimes since)
{
  CpuTimes now = read_cpu_times ();

  if (now.total <= since.total)
    return 0.0;
  return 100.0 * (now.steal - since.steal) / (now.total - since.total);
}

static gboolean
on_tick (gpointer data)
{
  Ticker *ticker = data;
  gint64 now = g_get_monotonic_time ();
  gint64 now_cpu = thread_cpu_us ();
  gint64 now_wait = thread_wait_us ();

  if (ticker->last_tick_us != 0)
    {
      gint64 gap = now - ticker->last_tick_us;
      gint64 ran = now_cpu - ticker->last_tick_cpu_us;

      if (gap > ticker->max_gap_us)
        {
          ticker->max_gap_us = gap;
          ticker->max_gap_cpu_us = ran;
          ticker->max_gap_wait_us = now_wait - ticker->last_tick_wait_us;
        }
      ticker->wait_us += now_wait - ticker->last_tick_wait_us;
      ticker->max_cpu_us = MAX (ticker->max_cpu_us, ran);
      ticker->n_long += gap > 16000;
      ticker->n_long_busy += ran > 16000;
    }
  ticker->last_tick_us = now;
  ticker->last_tick_cpu_us = now_cpu;
  ticker->last_tick_wait_us = now_wait;
  ticker->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Not done within %d s", (int) (DEADLINE_US / G_USEC_PER_SEC));
      g_main_context_iteration (NULL, TRUE);
    }
}

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

int
main (int   argc,
      char *argv[])
{
  guint n_generated = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 2000;
  gboolean hidden = argc > 2 && g_str_equal (argv[2], "hidden");
  g_autoptr(GError) error = NULL;
  Ticker pull_ticker = { 0, }, idle_ticker = { 0, };
  Run run = { 0, };
  FrameTimer frames = { 0, };
  g_autoptr(GString) report = NULL;
  gint64 started, pull_us;
  CpuTimes cpu_times;
  double pull_steal, idle_steal;
  guint source;

  schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

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
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (run.window);

      g_assert (clock != NULL);
      g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &frames);
      g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frames);
    }

  /* The pull is what is measured, not a pause at the rate-limit reserve. */
  iterate_until (demo_server_up, &run);
  {
    g_autoptr(JsonNode) answer = nod_test_fake_control (
      nod_application_get_demo_base_url (run.app), "POST", "/__fake/ratelimit",
      "{\"limit\": 1000000, \"remaining\": 1000000}");
  }
  if (hidden)
    gtk_widget_set_visible (run.window, FALSE);
  else
    iterate_until (window_mapped, &run);

  /* The pull starts once the window has drawn itself (or soon after, hidden): that is
   * what is measured, from its first request to the list showing all it brought. */
  iterate_until (pull_started, &run);
  started = g_get_monotonic_time ();
  cpu_times = read_cpu_times ();
  source = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_tick, &pull_ticker, NULL);
  frames.pulling = TRUE;
  iterate_until (pulled, &run);
  frames.pulling = FALSE;
  pull_us = g_get_monotonic_time () - started;
  pull_steal = steal_percent_since (cpu_times);
  g_source_remove (source);

  /* Baseline: the same window doing nothing, as long again. */
  run.until_us = g_get_monotonic_time () + pull_us;
  cpu_times = read_cpu_times ();
  source = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_tick, &idle_ticker, NULL);
  iterate_until (time_passed, &run);
  idle_steal = steal_percent_since (cpu_times);
  g_source_remove (source);

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
  g_print ("1..1\nok 1 main-loop gap measured\n");

  gtk_window_destroy (GTK_WINDOW (run.window));
  g_object_unref (run.app);
  if (schedstat_fd >= 0)
    close (schedstat_fd);
  return 0;
}
