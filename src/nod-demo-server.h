/* nod-demo-server.h: the fake GitLab behind `nod --demo`, on a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NOD_TYPE_DEMO_SERVER (nod_demo_server_get_type ())

G_DECLARE_FINAL_TYPE (NodDemoServer, nod_demo_server, NOD, DEMO_SERVER, GObject)

NodDemoServer *nod_demo_server_new          (const char          *token,
                                             guint                latency_ms,
                                             guint                n_generated);
void           nod_demo_server_start_async  (NodDemoServer       *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       nod_demo_server_start_finish (NodDemoServer       *self,
                                             GAsyncResult        *result,
                                             GError             **error);
const char    *nod_demo_server_get_base_url (NodDemoServer       *self);

G_END_DECLS
