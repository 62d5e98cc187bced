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

/* For the reviews' half of the outbox (nod-outbox-reviews.c). */
/* A submitted review of the merge request not published yet: its rows not sent are
 * removed; the drafts it created on GitLab are deleted there, by new rows of the same
 * review. Refused while one of its rows is in flight. */
gboolean _nod_outbox_withdraw_unpublished                 (sqlite3   *db,
                                                           gint64     account_id,
                                                           gint64     project_id,
                                                           gint64     mr_iid,
                                                           guint     *out_unsent,
                                                           guint     *out_deletes,
                                                           GError   **error);
gboolean _nod_outbox_insert_action                        (sqlite3          *db,
                                                           NodOutboxAction  *action,
                                                           GError          **error);
gboolean _nod_outbox_run_update                           (sqlite3_stmt  *stmt,
                                                           guint         *out_changes,
                                                           GError       **error);
gboolean _nod_outbox_validate_body                        (const char  *body,
                                                           GError     **error);
gboolean _nod_outbox_is_valid_discussion_id               (const char  *discussion_id);
gboolean _nod_outbox_is_valid_sha                         (const char  *sha);

G_END_DECLS
