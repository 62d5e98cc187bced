/* nod-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-application.h"

G_BEGIN_DECLS

#define NOD_TYPE_WINDOW (nod_window_get_type ())

G_DECLARE_FINAL_TYPE (NodWindow, nod_window, NOD, WINDOW, AdwApplicationWindow)

NodWindow  *nod_window_new                (NodApplication *application);
gboolean    nod_window_is_list_loading    (NodWindow      *self);
GListModel *nod_window_get_merge_requests (NodWindow      *self);
gboolean    nod_window_select_merge_request (NodWindow    *self,
                                             gint64        project_id,
                                             gint64        iid);
GtkWidget  *nod_window_get_page           (NodWindow      *self);
GtkWidget  *nod_window_get_indicator      (NodWindow      *self);
const char *nod_window_get_visible_page   (NodWindow      *self);

G_END_DECLS
