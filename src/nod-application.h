/* nod-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define NOD_TYPE_APPLICATION (nod_application_get_type ())

G_DECLARE_FINAL_TYPE (NodApplication, nod_application, NOD, APPLICATION, AdwApplication)

NodApplication *nod_application_new (void);

G_END_DECLS
