/* nod-preferences-window.h: accounts, sync settings and Push now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-sync-status.h"

G_BEGIN_DECLS

#define NOD_TYPE_PREFERENCES_WINDOW (nod_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (NodPreferencesWindow, nod_preferences_window, NOD, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

NodPreferencesWindow *nod_preferences_window_new                (GSettings            *settings,
                                                                 NodSyncStatus        *status,
                                                                 GListModel           *accounts);

const char           *nod_preferences_window_get_push_subtitle  (NodPreferencesWindow *self);
GtkWidget            *nod_preferences_window_get_push_button    (NodPreferencesWindow *self);

G_END_DECLS
