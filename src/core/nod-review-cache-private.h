/* nod-review-cache-private.h: what other tables' owners do to the review cache in their
 * own transactions, on the store's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These run inside a transaction the caller began, and neither commit nor roll back.
 */
#pragma once

#include "nod-review-cache.h"
#include "nod-store-worker.h"

G_BEGIN_DECLS

gboolean _nod_review_cache_keep_answer (sqlite3     *db,
                                        gint64       account_id,
                                        gint64       project_id,
                                        gint64       iid,
                                        const char  *discussion_id,
                                        GObject     *answer,
                                        GError     **error);
gboolean _nod_review_cache_forget_note (sqlite3     *db,
                                        gint64       account_id,
                                        const char  *discussion_id,
                                        gint64       note_id,
                                        GError     **error);

G_END_DECLS
