/* nod-sync-log.h: the activity log of sync events, kept in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "nod-store.h"

G_BEGIN_DECLS

#define NOD_TYPE_SYNC_LOG (nod_sync_log_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncLog, nod_sync_log, NOD, SYNC_LOG, GObject)

NodSyncLog *nod_sync_log_new (NodStore   *store);
void        nod_sync_log_add (NodSyncLog *self,
                              gint64      account_id,
                              const char *event,
                              JsonObject *fields);
void        nod_sync_log_add_at (NodSyncLog *self,
                                 gint64      at_us,
                                 gint64      account_id,
                                 const char *event,
                                 JsonObject *fields);

G_END_DECLS
