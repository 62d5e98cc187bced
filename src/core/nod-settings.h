/* nod-settings.h: the settings Nod's app and command line share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GSettings *nod_settings_new_if_installed (void);
guint      nod_settings_history_days_from_depth (const char *depth);
guint      nod_settings_get_history_days (GSettings *settings);
void       nod_settings_set_history_days (GSettings *settings,
                                          guint      days);

G_END_DECLS
