/* nod-bench-ticker.c: how long the main loop is stuck, and whose fault it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On a virtual machine the wall clock alone can mislead: the host may hold the whole
 * machine for tens of milliseconds, idle or not. So each gap is also split into the UI
 * thread's own running (its CPU clock; on a guest that cannot tell, host time may be in
 * it too) and its waiting for a core here; and the host's share of the CPU ("steal")
 * says how far to trust the wall-clock figures.
 */

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>

#include "nod-bench-ticker.h"

#define DEADLINE_US (300 * G_USEC_PER_SEC)

/* How long the UI thread has been ready to run but waiting for a core of this machine,
 * behind other threads (from /proc: the kernel's run delay). Time the host takes from
 * the whole machine is not in it: the kernel here counts that as running. */
static int schedstat_fd = -1;

void
nod_bench_init (void)
{
  if (schedstat_fd < 0)
    schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
}

void
nod_bench_shutdown (void)
{
  if (schedstat_fd >= 0)
    close (schedstat_fd);
  schedstat_fd = -1;
}

gint64
nod_bench_thread_wait_us (void)
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

gint64
nod_bench_thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* ---- the ticker ---- */

static gboolean
on_tick (gpointer data)
{
  NodBenchTicker *ticker = data;
  gint64 now = g_get_monotonic_time ();
  gint64 now_cpu = nod_bench_thread_cpu_us ();
  gint64 now_wait = nod_bench_thread_wait_us ();

  if (ticker->last_tick_us != 0)
    {
      gint64 gap = now - ticker->last_tick_us;
      gint64 ran = now_cpu - ticker->last_tick_cpu_us;

      if (gap > ticker->max_gap_us)
        {
          ticker->max_gap_us = gap;
          ticker->max_gap_end_us = now;
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

void
nod_bench_ticker_start (NodBenchTicker *ticker)
{
  g_assert (ticker->source_id == 0);
  *ticker = (NodBenchTicker) { 0, };
  ticker->source_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_tick, ticker, NULL);
}

void
nod_bench_ticker_stop (NodBenchTicker *ticker)
{
  g_clear_handle_id (&ticker->source_id, g_source_remove);
}

/* ---- GTK's frames ---- */

static void
on_before_paint (GdkFrameClock  *clock,
                 NodBenchFrames *frames)
{
  frames->started_us = g_get_monotonic_time ();
  frames->started_cpu_us = nod_bench_thread_cpu_us ();
}

static void
on_after_paint (GdkFrameClock  *clock,
                NodBenchFrames *frames)
{
  gint64 took_us = g_get_monotonic_time () - frames->started_us;

  if (!frames->measuring)
    {
      frames->before_max_us = MAX (frames->before_max_us, took_us);
      return;
    }
  frames->max_us = MAX (frames->max_us, took_us);
  frames->max_cpu_us = MAX (frames->max_cpu_us,
                            nod_bench_thread_cpu_us () - frames->started_cpu_us);
  frames->n_frames++;
  frames->n_slow += took_us > 16000;
}

void
nod_bench_frames_connect (NodBenchFrames *frames,
                          GtkWidget      *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_assert (clock != NULL);
  /* Connected first, so each frame's other after-paint handlers see it timed. */
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), frames);
}

void
nod_bench_frames_begin (NodBenchFrames *frames)
{
  frames->max_us = 0;
  frames->max_cpu_us = 0;
  frames->n_frames = 0;
  frames->n_slow = 0;
  frames->measuring = TRUE;
}

void
nod_bench_frames_end (NodBenchFrames *frames)
{
  frames->measuring = FALSE;
}

/* ---- the host's share ---- */

NodBenchCpuTimes
nod_bench_read_cpu_times (void)
{
  g_autofree char *contents = NULL;
  unsigned long long column[8];   /* user nice system idle iowait irq softirq steal */
  NodBenchCpuTimes times = { 0, };

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

/* The share of all CPU time, since @since, that the host took from this machine (the
 * "steal" column of /proc/stat): on a virtual machine, time no thread here could run. */
double
nod_bench_steal_percent_since (NodBenchCpuTimes since)
{
  NodBenchCpuTimes now = nod_bench_read_cpu_times ();

  if (now.total <= since.total)
    return 0.0;
  return 100.0 * (now.steal - since.steal) / (now.total - since.total);
}

void
nod_bench_iterate_until (gboolean (*done) (gpointer),
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
