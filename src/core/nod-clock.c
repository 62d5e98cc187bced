/* nod-clock.c: the time the sync engine reads, and its timers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine never asks the system for the time or arms a main-loop timer itself: it asks
 * its clock. The system clock is the wall clock and GLib's timeouts; a manual clock stands
 * still until a test moves it, and then runs the timers that came due, in order, so a test
 * of a five-minute cycle or a rate-limit reset takes no time at all.
 */

#include "config.h"

#include "nod-clock.h"

typedef struct
{
  guint          id;
  gint64         due_us;
  guint          interval_s;
  GSourceFunc    function;
  gpointer       data;
  GDestroyNotify notify;
} ManualTimeout;

struct _NodClock
{
  GObject  parent_instance;

  gboolean manual;
  gint64   now_us;       /* manual only */
  GList   *timeouts;     /* manual only: ManualTimeout, soonest first */
  guint    last_id;
};

G_DEFINE_FINAL_TYPE (NodClock, nod_clock, G_TYPE_OBJECT)

static void
manual_timeout_free (ManualTimeout *timeout)
{
  if (timeout->notify != NULL)
    timeout->notify (timeout->data);
  g_free (timeout);
}

/* Sorts @new_timeout after every timeout due no later: equal times keep the order they
 * were armed in. */
static int
after_earlier_or_equal (gconstpointer new_timeout,
                        gconstpointer listed)
{
  return ((const ManualTimeout *) new_timeout)->due_us >=
         ((const ManualTimeout *) listed)->due_us ? 1 : -1;
}

static void
nod_clock_finalize (GObject *object)
{
  NodClock *self = NOD_CLOCK (object);

  g_list_free_full (self->timeouts, (GDestroyNotify) manual_timeout_free);

  G_OBJECT_CLASS (nod_clock_parent_class)->finalize (object);
}

static void
nod_clock_class_init (NodClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_clock_finalize;
}

static void
nod_clock_init (NodClock *self)
{
}

/**
 * nod_clock_get_system:
 *
 * Returns: (transfer none): the wall clock, with GLib's main-loop timeouts
 */
NodClock *
nod_clock_get_system (void)
{
  static gsize system_clock;

  if (g_once_init_enter (&system_clock))
    g_once_init_leave (&system_clock, (gsize) g_object_new (NOD_TYPE_CLOCK, NULL));
  return (NodClock *) system_clock;
}

/**
 * nod_clock_new_manual:
 * @now_us: the time it shows until nod_clock_advance() moves it, in Unix microseconds
 *
 * Returns: (transfer full): a clock for tests
 */
NodClock *
nod_clock_new_manual (gint64 now_us)
{
  NodClock *self = g_object_new (NOD_TYPE_CLOCK, NULL);

  self->manual = TRUE;
  self->now_us = now_us;
  return self;
}

/* Unix microseconds. */
gint64
nod_clock_get_now_us (NodClock *self)
{
  g_return_val_if_fail (NOD_IS_CLOCK (self), 0);

  return self->manual ? self->now_us : g_get_real_time ();
}

/* Unix seconds. */
gint64
nod_clock_get_now_s (NodClock *self)
{
  return nod_clock_get_now_us (self) / G_USEC_PER_SEC;
}

/**
 * nod_clock_add_timeout_seconds:
 * @function: called after @seconds, and again every @seconds while it returns
 *   %G_SOURCE_CONTINUE
 *
 * Returns: an id for nod_clock_remove_timeout(), never 0
 */
guint
nod_clock_add_timeout_seconds (NodClock       *self,
                               guint           seconds,
                               GSourceFunc     function,
                               gpointer        data,
                               GDestroyNotify  notify)
{
  ManualTimeout *timeout;

  g_return_val_if_fail (NOD_IS_CLOCK (self), 0);
  g_return_val_if_fail (function != NULL, 0);

  if (!self->manual)
    return g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, seconds, function, data, notify);

  timeout = g_new0 (ManualTimeout, 1);
  timeout->id = ++self->last_id;
  timeout->due_us = self->now_us + (gint64) seconds * G_USEC_PER_SEC;
  timeout->interval_s = seconds;
  timeout->function = function;
  timeout->data = data;
  timeout->notify = notify;
  self->timeouts = g_list_insert_sorted (self->timeouts, timeout, after_earlier_or_equal);
  return timeout->id;
}

void
nod_clock_remove_timeout (NodClock *self,
                          guint     timeout_id)
{
  g_return_if_fail (NOD_IS_CLOCK (self));
  g_return_if_fail (timeout_id > 0);

  if (!self->manual)
    {
      g_source_remove (timeout_id);
      return;
    }

  for (GList *l = self->timeouts; l != NULL; l = l->next)
    {
      ManualTimeout *timeout = l->data;

      if (timeout->id == timeout_id)
        {
          self->timeouts = g_list_delete_link (self->timeouts, l);
          manual_timeout_free (timeout);
          return;
        }
    }
  g_critical ("No timeout %u on this clock", timeout_id);
}

/* Removes the timeout *@timeout_id, if any, and sets it to 0. */
void
nod_clock_clear_timeout (NodClock *self,
                         guint    *timeout_id)
{
  g_return_if_fail (timeout_id != NULL);

  if (*timeout_id == 0)
    return;
  nod_clock_remove_timeout (self, *timeout_id);
  *timeout_id = 0;
}

/**
 * nod_clock_advance:
 *
 * Moves a manual clock on by @seconds, calling each timeout that comes due on the way at
 * its own time, in order.
 */
void
nod_clock_advance (NodClock *self,
                   gint64    seconds)
{
  gint64 until_us;

  g_return_if_fail (NOD_IS_CLOCK (self));
  g_return_if_fail (self->manual);
  g_return_if_fail (seconds >= 0);

  until_us = self->now_us + seconds * G_USEC_PER_SEC;
  while (self->timeouts != NULL && ((ManualTimeout *) self->timeouts->data)->due_us <= until_us)
    {
      ManualTimeout *timeout = self->timeouts->data;

      /* Off the list while it runs, so it may arm or remove others, even itself. */
      self->timeouts = g_list_delete_link (self->timeouts, self->timeouts);
      self->now_us = MAX (self->now_us, timeout->due_us);
      if (timeout->function (timeout->data) == G_SOURCE_CONTINUE)
        {
          timeout->due_us += (gint64) MAX (timeout->interval_s, 1) * G_USEC_PER_SEC;
          self->timeouts = g_list_insert_sorted (self->timeouts, timeout, after_earlier_or_equal);
        }
      else
        manual_timeout_free (timeout);
    }
  self->now_us = until_us;
}

/* When the next timeout of a manual clock is due, in Unix seconds; 0 with none armed. */
gint64
nod_clock_get_next_due_s (NodClock *self)
{
  g_return_val_if_fail (NOD_IS_CLOCK (self), 0);
  g_return_val_if_fail (self->manual, 0);

  return self->timeouts != NULL
           ? ((ManualTimeout *) self->timeouts->data)->due_us / G_USEC_PER_SEC : 0;
}
