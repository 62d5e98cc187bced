/* nod-sync-engine.h: the one entry point to syncing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-forge.h"
#include "nod-outbox.h"
#include "nod-diff-cache.h"
#include "nod-review-cache.h"
#include "nod-store.h"
#include "nod-sync-policy.h"
#include "nod-sync-status.h"

G_BEGIN_DECLS

#define NOD_SYNC_DEFAULT_INTERVAL_S 300

#define NOD_TYPE_SYNC_ENGINE (nod_sync_engine_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncEngine, nod_sync_engine, NOD, SYNC_ENGINE, GObject)

NodSyncEngine   *nod_sync_engine_new               (NodStore             *store,
                                                    NodOutbox            *outbox);
void             nod_sync_engine_add_account       (NodSyncEngine        *self,
                                                    gint64                account_id,
                                                    NodForge             *forge);
void             nod_sync_engine_remove_account    (NodSyncEngine        *self,
                                                    gint64                account_id);
void             nod_sync_engine_restore_block     (NodSyncEngine        *self,
                                                    gint64                account_id,
                                                    gint64                blocked_until);
void             nod_sync_engine_sign_out_account  (NodSyncEngine        *self,
                                                    gint64                account_id);
void             nod_sync_engine_set_history_days  (NodSyncEngine        *self,
                                                    guint                 days);
guint            nod_sync_engine_get_history_days  (NodSyncEngine        *self);
void             nod_sync_engine_set_periodic_enabled (NodSyncEngine     *self,
                                                       gboolean           enabled);
gboolean         nod_sync_engine_get_periodic_enabled (NodSyncEngine     *self);
NodSyncStatus   *nod_sync_engine_get_status        (NodSyncEngine        *self);
NodReviewCache  *nod_sync_engine_get_cache         (NodSyncEngine        *self);
NodDiffCache    *nod_sync_engine_get_diff_cache    (NodSyncEngine        *self);

void             nod_sync_engine_set_interval      (NodSyncEngine        *self,
                                                    guint                 seconds);
guint            nod_sync_engine_get_interval      (NodSyncEngine        *self);
void             nod_sync_engine_set_clock         (NodSyncEngine        *self,
                                                    NodClock             *clock);
void             nod_sync_engine_set_notes_per_minute (NodSyncEngine     *self,
                                                       guint              notes_per_minute);
void             nod_sync_engine_set_offline_mode  (NodSyncEngine        *self,
                                                    gboolean              offline_mode);
gboolean         nod_sync_engine_get_offline_mode  (NodSyncEngine        *self);
void             nod_sync_engine_set_network       (NodSyncEngine        *self,
                                                    gboolean              available,
                                                    gboolean              metered);
void             nod_sync_engine_follow_network    (NodSyncEngine        *self,
                                                    GNetworkMonitor      *monitor);

NodSyncDecision  nod_sync_engine_request           (NodSyncEngine        *self,
                                                    NodSyncTrigger        trigger);
NodSyncDecision  nod_sync_engine_request_account   (NodSyncEngine        *self,
                                                    gint64                account_id,
                                                    NodSyncTrigger        trigger);
gboolean         nod_sync_engine_is_busy           (NodSyncEngine        *self);

void             nod_sync_engine_enqueue_async     (NodSyncEngine        *self,
                                                    NodOutboxAction      *action,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
/* How long a comment sent from the window can still be undone, by default. */
#define NOD_SYNC_UNDO_HOLD_S 5
void             nod_sync_engine_set_undo_hold      (NodSyncEngine       *self,
                                                     guint                seconds);
guint            nod_sync_engine_get_undo_hold      (NodSyncEngine       *self);
void             nod_sync_engine_enqueue_held_async (NodSyncEngine       *self,
                                                     NodOutboxAction     *action,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NodOutboxAction *nod_sync_engine_enqueue_finish    (NodSyncEngine        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

void             nod_sync_engine_retry_async       (NodSyncEngine        *self,
                                                    const char           *op_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean         nod_sync_engine_retry_finish      (NodSyncEngine        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void             nod_sync_engine_discard_async     (NodSyncEngine        *self,
                                                    const char           *op_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean         nod_sync_engine_discard_finish    (NodSyncEngine        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

void             nod_sync_engine_cancel_action_async  (NodSyncEngine        *self,
                                                       const char           *op_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_cancel_action_finish (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_sync_engine_edit_action_async    (NodSyncEngine        *self,
                                                       const char           *op_id,
                                                       const char           *body,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_edit_action_finish   (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Draft reviews (see nod_outbox_start_review_async () and the rest): the engine is the
 * only writer of actions, and a submitted or discarded review changes what is pending. */
void             nod_sync_engine_start_review_async   (NodSyncEngine        *self,
                                                       gint64                account_id,
                                                       gint64                project_id,
                                                       gint64                mr_iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_start_review_finish  (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       gboolean             *out_started,
                                                       GError              **error);
void             nod_sync_engine_submit_review_async  (NodSyncEngine        *self,
                                                       gint64                account_id,
                                                       gint64                project_id,
                                                       gint64                mr_iid,
                                                       const char           *approve_sha,
                                                       const char           *summary,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_submit_review_finish (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       guint                *out_queued,
                                                       char                **out_review_id,
                                                       GError              **error);
void             nod_sync_engine_discard_review_async (NodSyncEngine        *self,
                                                       gint64                account_id,
                                                       gint64                project_id,
                                                       gint64                mr_iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_discard_review_finish (NodSyncEngine       *self,
                                                        GAsyncResult        *result,
                                                        guint               *out_removed,
                                                        guint               *out_deletes,
                                                        GError             **error);
void             nod_sync_engine_edit_draft_async     (NodSyncEngine        *self,
                                                       const char           *op_id,
                                                       const char           *body,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_edit_draft_finish    (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_sync_engine_delete_draft_async   (NodSyncEngine        *self,
                                                       const char           *op_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_sync_engine_delete_draft_finish  (NodSyncEngine        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

void             nod_sync_engine_recover_async     (NodSyncEngine        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean         nod_sync_engine_recover_finish    (NodSyncEngine        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

void             nod_sync_engine_start_async       (NodSyncEngine        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean         nod_sync_engine_start_finish      (NodSyncEngine        *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
