/* nod-outbox-private.h: what other tables' owners do to the outbox in their own
 * transactions, on the store's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These run inside a transaction the caller began, and neither commit nor roll back.
 */
#pragma once

#include "nod-outbox.h"
#include "nod-store-worker.h"

G_BEGIN_DECLS

gboolean _nod_outbox_fail_actions_of_closed_merge_request (sqlite3   *db,
                                                           gint64     account_id,
                                                           gint64     project_id,
                                                           gint64     iid,
                                                           gboolean   merged,
                                                           guint     *out_failed,
                                                           GError   **error);
gboolean _nod_outbox_forget_account                       (sqlite3   *db,
                                                           gint64     account_id,
                                                           GError   **error);

G_END_DECLS
