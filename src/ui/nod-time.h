/* nod-time.h: times as people read them ("5 min ago")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GDateTime *nod_time_parse      (const char *iso8601);
char      *nod_time_format_age (GDateTime  *then,
                                GDateTime  *now);
char      *nod_time_format_age_iso (const char *iso8601,
                                    GDateTime  *now);

G_END_DECLS
