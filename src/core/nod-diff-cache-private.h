/* nod-diff-cache-private.h: what other tables' owners do to the diff cache in their own
 * transactions, on the store's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These run inside a transaction the caller began, and neither commit nor roll back.
 */
#pragma once

#include "nod-diff-cache.h"
#include "nod-store-worker.h"

G_BEGIN_DECLS

/* See nod_diff_cache_note_approval_async (); @head_sha NULL is the merge request's head. */
gboolean _nod_diff_cache_note_approval (sqlite3     *db,
                                        gint64       account_id,
                                        gint64       project_id,
                                        gint64       iid,
                                        gboolean     approved,
                                        const char  *head_sha,
                                        gboolean     replace,
                                        GError     **error);

G_END_DECLS
