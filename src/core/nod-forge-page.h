/* nod-forge-page.h: one page of a list the forge returned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_FORGE_PAGE (nod_forge_page_get_type ())

G_DECLARE_FINAL_TYPE (NodForgePage, nod_forge_page, NOD, FORGE_PAGE, GObject)

NodForgePage *nod_forge_page_new           (GPtrArray    *items,
                                            guint         page,
                                            guint         next_page,
                                            gint64        total);
GPtrArray    *nod_forge_page_get_items     (NodForgePage *self);
guint         nod_forge_page_get_page      (NodForgePage *self);
guint         nod_forge_page_get_next_page (NodForgePage *self);
gint64        nod_forge_page_get_total     (NodForgePage *self);

G_END_DECLS
