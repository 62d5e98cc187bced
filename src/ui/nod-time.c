/* nod-time.c: times as people read them ("5 min ago")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nod-time.h"

/* GitLab's times, in UTC when they carry no zone. NULL if unreadable. */
GDateTime *
nod_time_parse (const char *iso8601)
{
  g_autoptr(GTimeZone) utc = NULL;

  if (iso8601 == NULL)
    return NULL;
  utc = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (iso8601, utc);
}

/* g_date_time_to_local() looks the local zone up afresh each time, which costs more than
 * the rest of formatting an age, and the list formats one for every row it binds. Nod
 * keeps the zone it started in. */
static GTimeZone *
local_zone (void)
{
  static gsize zone;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());
  return (GTimeZone *) zone;
}

char *
nod_time_format_age (GDateTime *then,
                     GDateTime *now)
{
  GTimeSpan span;
  gint64 minutes, hours, days;

  g_return_val_if_fail (then != NULL && now != NULL, NULL);

  span = g_date_time_difference (now, then);
  minutes = MAX (span, 0) / G_TIME_SPAN_MINUTE;
  hours = minutes / 60;
  days = hours / 24;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (hours < 1)
    /* Translators: a short age, e.g. "5 min ago" */
    return g_strdup_printf (_("%d min ago"), (int) minutes);
  if (days < 1)
    /* Translators: a short age, e.g. "3 h ago" */
    return g_strdup_printf (_("%d h ago"), (int) hours);
  if (days < 30)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago",
                                         (gulong) days), (int) days);
  {
    g_autoptr(GDateTime) local = g_date_time_to_timezone (then, local_zone ());

    /* Translators: a date for things older than a month, see g_date_time_format() */
    return g_date_time_format (local, _("%e %b %Y"));
  }
}

/* The same for a time as GitLab sent it; "" if it is unreadable. */
char *
nod_time_format_age_iso (const char *iso8601,
                         GDateTime  *now)
{
  g_autoptr(GDateTime) then = nod_time_parse (iso8601);

  return then != NULL ? nod_time_format_age (then, now) : g_strdup ("");
}
