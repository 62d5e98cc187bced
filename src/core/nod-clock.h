/* nod-clock.h: the time the sync engine reads, and its timers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_CLOCK (nod_clock_get_type ())

G_DECLARE_FINAL_TYPE (NodClock, nod_clock, NOD, CLOCK, GObject)

NodClock *nod_clock_get_system          (void);
NodClock *nod_clock_new_manual          (gint64       now_us);

gint64    nod_clock_get_now_us          (NodClock    *self);
gint64    nod_clock_get_now_s           (NodClock    *self);
guint     nod_clock_add_timeout_seconds (NodClock    *self,
                                         guint        seconds,
                                         GSourceFunc  function,
                                         gpointer     data,
                                         GDestroyNotify notify);
void      nod_clock_remove_timeout      (NodClock    *self,
                                         guint        timeout_id);
void      nod_clock_clear_timeout       (NodClock    *self,
                                         guint       *timeout_id);

void      nod_clock_advance             (NodClock    *self,
                                         gint64       seconds);
gint64    nod_clock_get_next_due_s      (NodClock    *self);

G_END_DECLS
