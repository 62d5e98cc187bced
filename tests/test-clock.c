/* test-clock.c: the engine's clock, and a manual one for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-clock.h"
#include "nod-test-utils.h"

typedef struct
{
  NodClock *clock;
  GString  *fired;      /* "name@second " per call */
  guint     removes;    /* timeout to remove from inside a callback, or 0 */
} Log;

typedef struct
{
  Log        *log;
  const char *name;
  int         repeats;  /* calls left before it stops; -1 forever */
  guint       freed;    /* how often the clock let go of it */
} Timer;

static gboolean
on_timeout (gpointer data)
{
  Timer *timer = data;

  g_string_append_printf (timer->log->fired, "%s@%" G_GINT64_FORMAT " ", timer->name,
                          nod_clock_get_now_s (timer->log->clock));
  if (timer->log->removes != 0)
    {
      nod_clock_remove_timeout (timer->log->clock, timer->log->removes);
      timer->log->removes = 0;
    }
  if (timer->repeats > 0)
    timer->repeats--;
  return timer->repeats != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
timer_freed (gpointer data)
{
  ((Timer *) data)->freed++;
}

static void
test_manual_stands_still (void)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (1000 * G_USEC_PER_SEC + 5);

  g_assert_cmpint (nod_clock_get_now_us (clock), ==, 1000 * G_USEC_PER_SEC + 5);
  g_assert_cmpint (nod_clock_get_now_s (clock), ==, 1000);
  g_assert_cmpint (nod_clock_get_next_due_s (clock), ==, 0);
  nod_clock_advance (clock, 60);
  g_assert_cmpint (nod_clock_get_now_s (clock), ==, 1060);
}

/* Timeouts run at their own time, in order (equal times in the order armed), repeating
 * ones again every interval; the clock shows each one's time while it runs. */
static void
test_manual_runs_due_timeouts (void)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (0);
  g_autoptr(GString) fired = g_string_new (NULL);
  Log log = { clock, fired, 0 };
  Timer late = { &log, "late", 1 };
  Timer early = { &log, "early", 1 };
  Timer twin = { &log, "twin", 1 };
  Timer every = { &log, "every", -1 };
  guint every_id;

  nod_clock_add_timeout_seconds (clock, 30, on_timeout, &late, timer_freed);
  nod_clock_add_timeout_seconds (clock, 10, on_timeout, &early, timer_freed);
  nod_clock_add_timeout_seconds (clock, 10, on_timeout, &twin, timer_freed);
  every_id = nod_clock_add_timeout_seconds (clock, 25, on_timeout, &every, timer_freed);
  g_assert_cmpint (nod_clock_get_next_due_s (clock), ==, 10);

  nod_clock_advance (clock, 9);
  g_assert_cmpstr (fired->str, ==, "");
  nod_clock_advance (clock, 51);
  g_assert_cmpstr (fired->str, ==, "early@10 twin@10 every@25 late@30 every@50 ");
  g_assert_cmpint (nod_clock_get_now_s (clock), ==, 60);
  /* Done once they stop; the repeating one is kept. */
  g_assert_cmpuint (early.freed + twin.freed + late.freed, ==, 3);
  g_assert_cmpuint (every.freed, ==, 0);
  g_assert_cmpint (nod_clock_get_next_due_s (clock), ==, 75);

  nod_clock_remove_timeout (clock, every_id);
  g_assert_cmpuint (every.freed, ==, 1);
  nod_clock_advance (clock, 100);
  g_assert_cmpstr (fired->str, ==, "early@10 twin@10 every@25 late@30 every@50 ");
  g_assert_cmpint (nod_clock_get_next_due_s (clock), ==, 0);
}

/* A callback may remove a timeout that is due at the same advance: it does not run. */
static void
test_manual_remove_from_callback (void)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (0);
  g_autoptr(GString) fired = g_string_new (NULL);
  Log log = { clock, fired, 0 };
  Timer first = { &log, "first", 1 };
  Timer second = { &log, "second", 1 };
  guint cleared = 42;

  nod_clock_add_timeout_seconds (clock, 5, on_timeout, &first, NULL);
  log.removes = nod_clock_add_timeout_seconds (clock, 6, on_timeout, &second, timer_freed);
  nod_clock_advance (clock, 10);
  g_assert_cmpstr (fired->str, ==, "first@5 ");
  g_assert_cmpuint (second.freed, ==, 1);

  nod_clock_clear_timeout (clock, &(guint) { 0 });
  first.repeats = 1;
  cleared = nod_clock_add_timeout_seconds (clock, 5, on_timeout, &first, NULL);
  nod_clock_clear_timeout (clock, &cleared);
  g_assert_cmpuint (cleared, ==, 0);
  nod_clock_advance (clock, 10);
  g_assert_cmpstr (fired->str, ==, "first@5 ");
}

static gboolean
fired_once (gpointer data)
{
  return ((GString *) data)->len > 0;
}

/* The system clock is the wall clock, its timeouts GLib's. */
static void
test_system (void)
{
  NodClock *clock = nod_clock_get_system ();
  g_autoptr(GString) fired = g_string_new (NULL);
  Log log = { clock, fired, 0 };
  Timer timer = { &log, "system", 1 };
  gint64 before = g_get_real_time ();
  guint never;

  g_assert_true (nod_clock_get_system () == clock);
  g_assert_cmpint (nod_clock_get_now_us (clock), >=, before);
  g_assert_cmpint (nod_clock_get_now_us (clock), <=, g_get_real_time ());

  never = nod_clock_add_timeout_seconds (clock, 3600, on_timeout, &timer, timer_freed);
  nod_clock_remove_timeout (clock, never);
  g_assert_cmpuint (timer.freed, ==, 1);
  nod_clock_add_timeout_seconds (clock, 0, on_timeout, &timer, NULL);
  nod_test_wait_until (fired_once, fired);
  g_assert_true (g_str_has_prefix (fired->str, "system@"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nod/clock/manual/stands-still", test_manual_stands_still);
  g_test_add_func ("/nod/clock/manual/runs-due-timeouts", test_manual_runs_due_timeouts);
  g_test_add_func ("/nod/clock/manual/remove-from-callback", test_manual_remove_from_callback);
  g_test_add_func ("/nod/clock/system", test_system);

  return g_test_run ();
}
