/* nod-sync-log-private.h: what other tables' owners do to the sync log in their own
 * transactions, on the store's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-store-worker.h"
#include "nod-sync-log.h"

G_BEGIN_DECLS

gboolean _nod_sync_log_forget_account (sqlite3  *db,
                                       gint64    account_id,
                                       GError  **error);

G_END_DECLS
