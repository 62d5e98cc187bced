/* nod-outbox-reviews-private.h: what the outbox's own transactions do to the reviews'
 * tables, on the store's worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * These run inside a transaction the caller began, and neither commit nor roll back.
 */
#pragma once

#include "nod-outbox.h"
#include "nod-store-worker.h"

G_BEGIN_DECLS

/* When a review is started on @action's merge request and @action is a comment or reply,
 * stores it as one of the review's drafts (its state then NOD_ACTION_DRAFT) and sets
 * *@out_taken. */
gboolean _nod_outbox_reviews_take_draft    (sqlite3          *db,
                                            NodOutboxAction  *action,
                                            gboolean         *out_taken,
                                            GError          **error);
/* Whether @op_id (or "local:" @op_id) names a draft. */
gboolean _nod_outbox_reviews_find_draft    (sqlite3          *db,
                                            const char       *op_id,
                                            gboolean         *out_found,
                                            GError          **error);
/* A thread drafts reply to got its GitLab id. */
gboolean _nod_outbox_reviews_remap_thread  (sqlite3          *db,
                                            gint64            account_id,
                                            const char       *local_id,
                                            const char       *discussion_id,
                                            GError          **error);

G_END_DECLS
