/* nod-send-lock.h: one sender per data directory at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NOD_TYPE_SEND_LOCK (nod_send_lock_get_type ())

G_DECLARE_FINAL_TYPE (NodSendLock, nod_send_lock, NOD, SEND_LOCK, GObject)

NodSendLock *nod_send_lock_new            (const char           *path);
const char  *nod_send_lock_get_path       (NodSendLock          *self);
gboolean     nod_send_lock_is_held        (NodSendLock          *self);
gboolean     nod_send_lock_try_acquire    (NodSendLock          *self,
                                           GError              **error);
void         nod_send_lock_acquire_async  (NodSendLock          *self,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean     nod_send_lock_acquire_finish (NodSendLock          *self,
                                           GAsyncResult         *result,
                                           GError              **error);
void         nod_send_lock_release        (NodSendLock          *self);

G_END_DECLS
