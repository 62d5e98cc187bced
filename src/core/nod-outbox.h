/* nod-outbox.h: the durable queue of review actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-outbox-action.h"
#include "nod-store.h"

G_BEGIN_DECLS

#define NOD_OUTBOX_ERROR (nod_outbox_error_quark ())

typedef enum
{
  NOD_OUTBOX_ERROR_INVALID,
  NOD_OUTBOX_ERROR_TOO_LARGE,
  NOD_OUTBOX_ERROR_NOT_FOUND,
  NOD_OUTBOX_ERROR_WRONG_STATE,
} NodOutboxError;

GQuark nod_outbox_error_quark (void);

/* Which actions a claim may hand out. */
typedef enum
{
  NOD_OUTBOX_CLAIM_APPROVALS   = 1 << 0, /* approve, unapprove */
  NOD_OUTBOX_CLAIM_DISCUSSIONS = 1 << 1, /* comment, reply, resolve, unresolve */
  NOD_OUTBOX_CLAIM_ALL         = NOD_OUTBOX_CLAIM_APPROVALS | NOD_OUTBOX_CLAIM_DISCUSSIONS,
} NodOutboxClaimFlags;

/* What an enqueue does besides storing the action (nod_outbox_enqueue_and_claim_async). */
typedef enum
{
  NOD_OUTBOX_ENQUEUE_CLAIM   = 1 << 0, /* an approval heading its lane goes in flight */
  NOD_OUTBOX_ENQUEUE_RECOVER = 1 << 1, /* first, rows a dead sender left in flight */
} NodOutboxEnqueueFlags;

typedef struct
{
  guint pending;            /* waiting to be sent, including those backing off */
  guint in_flight;
  guint failed;
  guint pending_approvals;  /* approve/unapprove among pending and in flight */
  guint backing_off;        /* pending after a transient failure, waiting out a backoff */
  gint64 due_at;            /* the soonest time a waiting pending action comes due (a
                             * backoff, the rate limit, notes' turn), Unix microseconds;
                             * 0: none waits */
} NodOutboxCounts;

/* Local thread ids start with this until GitLab gives the thread its real id. */
#define NOD_OUTBOX_LOCAL_ID_PREFIX "local:"

#define NOD_OUTBOX_BACKOFF_BASE_US (2 * G_USEC_PER_SEC)
#define NOD_OUTBOX_BACKOFF_CAP_US  (5 * 60 * G_USEC_PER_SEC)

#define NOD_TYPE_OUTBOX (nod_outbox_get_type ())

G_DECLARE_FINAL_TYPE (NodOutbox, nod_outbox, NOD, OUTBOX, GObject)

NodOutbox *nod_outbox_new                 (NodStore             *store);
NodStore  *nod_outbox_get_store           (NodOutbox            *self);

gint64     nod_outbox_backoff_delay       (guint                 attempts,
                                           double                jitter);

void       nod_outbox_enqueue_async       (NodOutbox            *self,
                                           NodOutboxAction      *action,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_enqueue_finish      (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           NodOutboxAction     **out_stored,
                                           GError              **error);

void       nod_outbox_enqueue_and_claim_async  (NodOutbox             *self,
                                                NodOutboxAction       *action,
                                                NodOutboxEnqueueFlags  flags,
                                                gint64                 now,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
gboolean   nod_outbox_enqueue_and_claim_finish (NodOutbox             *self,
                                                GAsyncResult          *result,
                                                NodOutboxAction      **out_stored,
                                                guint                 *out_recovered,
                                                GError               **error);

void       nod_outbox_claim_next_batch_async  (NodOutbox            *self,
                                               gint64                account_id,
                                               NodOutboxClaimFlags   flags,
                                               guint                 max_actions,
                                               gint64                now,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GPtrArray *nod_outbox_claim_next_batch_finish (NodOutbox            *self,
                                               GAsyncResult         *result,
                                               GError              **error);

void       nod_outbox_ack_async           (NodOutbox            *self,
                                           const char           *op_id,
                                           GObject              *answer,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_ack_finish          (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_fail_transient_async (NodOutbox           *self,
                                            const char          *op_id,
                                            guint                http_status,
                                            const char          *reason,
                                            gboolean             ambiguous,
                                            gint64               now,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean   nod_outbox_fail_transient_finish (NodOutbox          *self,
                                             GAsyncResult       *result,
                                             GError            **error);

void       nod_outbox_fail_permanent_async (NodOutbox           *self,
                                            const char          *op_id,
                                            guint                http_status,
                                            const char          *reason,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean   nod_outbox_fail_permanent_finish (NodOutbox          *self,
                                             GAsyncResult       *result,
                                             GError            **error);

void       nod_outbox_release_async       (NodOutbox            *self,
                                           const char           *op_id,
                                           gint64                not_before,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_release_finish      (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_release_waiting_async  (NodOutbox            *self,
                                              const char           *op_id,
                                              gint64                not_before,
                                              guint                 http_status,
                                              const char           *reason,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean   nod_outbox_release_waiting_finish (NodOutbox            *self,
                                              GAsyncResult         *result,
                                              GError              **error);

void       nod_outbox_release_sent_async  (NodOutbox            *self,
                                           const char           *op_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_release_sent_finish (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_retry_async         (NodOutbox            *self,
                                           const char           *op_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_retry_finish        (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_discard_async       (NodOutbox            *self,
                                           const char           *op_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_discard_finish      (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* The reviewer takes back or rewords an action not sent yet (see nod-outbox.c). */
void       nod_outbox_cancel_async        (NodOutbox            *self,
                                           const char           *op_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_cancel_finish       (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_edit_async          (NodOutbox            *self,
                                           const char           *op_id,
                                           const char           *body,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_edit_finish         (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_recover_async       (NodOutbox            *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_recover_finish      (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           guint                *out_recovered,
                                           GError              **error);

void       nod_outbox_count_async         (NodOutbox            *self,
                                           gint64                account_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_count_finish        (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           NodOutboxCounts      *out_counts,
                                           GError              **error);

void       nod_outbox_end_backoff_async   (NodOutbox            *self,
                                           gint64                account_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   nod_outbox_end_backoff_finish  (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void       nod_outbox_list_async          (NodOutbox            *self,
                                           gint64                account_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray *nod_outbox_list_finish         (NodOutbox            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

void        nod_outbox_list_note_ids_async  (NodOutbox            *self,
                                            gint64                account_id,
                                            gint64                project_id,
                                            gint64                mr_iid,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GHashTable *nod_outbox_list_note_ids_finish (NodOutbox            *self,
                                            GAsyncResult         *result,
                                            GError              **error);

/* ---- draft reviews (nod-outbox-reviews.c) ---- */

void        nod_outbox_start_review_async   (NodOutbox            *self,
                                             gint64                account_id,
                                             gint64                project_id,
                                             gint64                mr_iid,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    nod_outbox_start_review_finish  (NodOutbox            *self,
                                             GAsyncResult         *result,
                                             gboolean             *out_started,
                                             GError              **error);

void        nod_outbox_list_drafts_async    (NodOutbox            *self,
                                             gint64                account_id,
                                             gint64                project_id,
                                             gint64                mr_iid,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray  *nod_outbox_list_drafts_finish   (NodOutbox            *self,
                                             GAsyncResult         *result,
                                             gboolean             *out_started,
                                             GError              **error);

void        nod_outbox_edit_draft_async     (NodOutbox            *self,
                                             const char           *op_id,
                                             const char           *body,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    nod_outbox_edit_draft_finish    (NodOutbox            *self,
                                             GAsyncResult         *result,
                                             GError              **error);

void        nod_outbox_delete_draft_async   (NodOutbox            *self,
                                             const char           *op_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    nod_outbox_delete_draft_finish  (NodOutbox            *self,
                                             GAsyncResult         *result,
                                             GError              **error);

void        nod_outbox_submit_review_async  (NodOutbox            *self,
                                             gint64                account_id,
                                             gint64                project_id,
                                             gint64                mr_iid,
                                             const char           *approve_sha,
                                             const char           *summary,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    nod_outbox_submit_review_finish (NodOutbox            *self,
                                             GAsyncResult         *result,
                                             guint                *out_queued,
                                             char                **out_review_id,
                                             GError              **error);

void        nod_outbox_discard_review_async (NodOutbox            *self,
                                             gint64                account_id,
                                             gint64                project_id,
                                             gint64                mr_iid,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    nod_outbox_discard_review_finish (NodOutbox           *self,
                                              GAsyncResult        *result,
                                              guint               *out_drafts,
                                              guint               *out_unsent,
                                              guint               *out_deletes,
                                              GError             **error);

G_END_DECLS
