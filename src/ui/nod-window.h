/* nod-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-application.h"

G_BEGIN_DECLS

#define NOD_TYPE_WINDOW (nod_window_get_type ())

G_DECLARE_FINAL_TYPE (NodWindow, nod_window, NOD, WINDOW, AdwApplicationWindow)

NodWindow *nod_window_new (NodApplication *application);

G_END_DECLS
