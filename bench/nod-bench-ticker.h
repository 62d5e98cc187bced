/* nod-bench-ticker.h: how long the main loop is stuck, and whose fault it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the benchmarks: a high-priority 1 ms timeout whose gaps are the longest time
 * the loop could not answer, each split into the UI thread's own running and its waiting
 * for a core; GTK's frames (layout and paint) timed apart; and the host's share of the CPU.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Each gap is timed by the wall clock, which is what a user waits, and split into how
 * long the UI thread itself ran in it (the work on the loop) and how long it waited for a
 * core: a gap the thread spent waiting, or not running at all, is the machine's. */
typedef struct
{
  gint64 last_tick_us;
  gint64 last_tick_cpu_us;
  gint64 last_tick_wait_us;
  gint64 max_gap_us;
  gint64 max_gap_end_us;   /* when it ended (monotonic time) */
  gint64 max_gap_cpu_us;   /* what the thread ran in that longest gap */
  gint64 max_gap_wait_us;  /* and how long it waited for a core in it */
  gint64 max_cpu_us;       /* the most it ran in any gap */
  gint64 wait_us;          /* how long it waited for a core in all */
  guint  n_long;           /* gaps over 16 ms by the wall clock */
  guint  n_long_busy;      /* gaps in which the thread itself ran over 16 ms */
  guint  ticks;
  guint  source_id;
} NodBenchTicker;

/* How long GTK spends on one frame (layout and paint), to tell drawing from the rest; and
 * how much of that the UI thread itself ran, to tell work from waiting for a core. Only
 * the frames while measuring count; those before are kept apart. */
typedef struct
{
  gboolean measuring;
  gint64 started_us;
  gint64 started_cpu_us;
  gint64 before_max_us;
  gint64 max_us;
  gint64 max_cpu_us;
  guint  n_frames;
  guint  n_slow;      /* over 16 ms */
} NodBenchFrames;

/* The CPU time of the whole machine, to tell the host's share of it ("steal"). */
typedef struct
{
  guint64 steal;
  guint64 total;
} NodBenchCpuTimes;

/* Call first, on the UI thread: the thread whose waiting is read. */
void             nod_bench_init               (void);
void             nod_bench_shutdown           (void);

gint64           nod_bench_thread_cpu_us      (void);
gint64           nod_bench_thread_wait_us     (void);

/* Starts ticking from zero; stop removes the timeout and keeps the figures. */
void             nod_bench_ticker_start       (NodBenchTicker   *ticker);
void             nod_bench_ticker_stop        (NodBenchTicker   *ticker);

/* Times every frame of @widget's frame clock into @frames until the widget goes. */
void             nod_bench_frames_connect     (NodBenchFrames   *frames,
                                               GtkWidget        *widget);
/* Clears the measured figures (not the ones from before) and counts from now, until end. */
void             nod_bench_frames_begin       (NodBenchFrames   *frames);
void             nod_bench_frames_end         (NodBenchFrames   *frames);

NodBenchCpuTimes nod_bench_read_cpu_times     (void);
double           nod_bench_steal_percent_since (NodBenchCpuTimes since);

/* Iterates the default main context until @done, failing after 300 s. */
void             nod_bench_iterate_until      (gboolean        (*done) (gpointer),
                                               gpointer          data);

G_END_DECLS
