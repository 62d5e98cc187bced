/* nod-sync-status.h: the view-model the status bar and Preferences bind to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  NOD_SYNC_STATE_IDLE,
  NOD_SYNC_STATE_SYNCING,
  NOD_SYNC_STATE_BLOCKED,
  NOD_SYNC_STATE_OFFLINE,
  NOD_SYNC_STATE_SIGNED_OUT,
  NOD_SYNC_STATE_ERROR,
} NodSyncState;

/* How the last pull ended. */
typedef enum
{
  NOD_SYNC_PULL_DONE,
  NOD_SYNC_PULL_PAUSED,       /* rate-limited, or stopped at the budget's reserve */
  NOD_SYNC_PULL_UNREACHABLE,  /* no connection, or it dropped, or no answer in time */
  NOD_SYNC_PULL_FAILED,       /* GitLab refused, answered nonsense, or the store failed */
} NodSyncPullOutcome;

/* What the last job did. */
typedef struct
{
  guint              pushed;
  guint              failed;
  guint              remaining;
  guint              pulled;
  NodSyncPullOutcome pull_outcome;
} NodSyncSummary;

#define NOD_TYPE_SYNC_SUMMARY (nod_sync_summary_get_type ())
GType           nod_sync_summary_get_type (void) G_GNUC_CONST;
NodSyncSummary *nod_sync_summary_copy     (const NodSyncSummary *summary);
void            nod_sync_summary_free     (NodSyncSummary       *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodSyncSummary, nod_sync_summary_free)

#define NOD_TYPE_SYNC_STATUS (nod_sync_status_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncStatus, nod_sync_status, NOD, SYNC_STATUS, GObject)

NodSyncStatus        *nod_sync_status_new                  (void);

NodSyncState          nod_sync_status_get_state            (NodSyncStatus        *self);
void                  nod_sync_status_set_state            (NodSyncStatus        *self,
                                                            NodSyncState          state);
guint                 nod_sync_status_get_pending_count    (NodSyncStatus        *self);
void                  nod_sync_status_set_pending_count    (NodSyncStatus        *self,
                                                            guint                 count);
guint                 nod_sync_status_get_failed_count     (NodSyncStatus        *self);
void                  nod_sync_status_set_failed_count     (NodSyncStatus        *self,
                                                            guint                 count);
guint                 nod_sync_status_get_progress_current (NodSyncStatus        *self);
guint                 nod_sync_status_get_progress_total   (NodSyncStatus        *self);
void                  nod_sync_status_set_progress         (NodSyncStatus        *self,
                                                            guint                 current,
                                                            guint                 total);
guint                 nod_sync_status_get_texts_current    (NodSyncStatus        *self);
guint                 nod_sync_status_get_texts_total      (NodSyncStatus        *self);
void                  nod_sync_status_set_texts_progress   (NodSyncStatus        *self,
                                                            guint                 current,
                                                            guint                 total);
gint64                nod_sync_status_get_last_synced_at   (NodSyncStatus        *self);
void                  nod_sync_status_set_last_synced_at   (NodSyncStatus        *self,
                                                            gint64                unix_time);
const char           *nod_sync_status_get_last_error       (NodSyncStatus        *self);
void                  nod_sync_status_set_last_error       (NodSyncStatus        *self,
                                                            const char           *sentence);
gint64                nod_sync_status_get_blocked_until    (NodSyncStatus        *self);
void                  nod_sync_status_set_blocked_until    (NodSyncStatus        *self,
                                                            gint64                unix_time);
gboolean              nod_sync_status_get_can_sync_now     (NodSyncStatus        *self);
void                  nod_sync_status_set_can_sync_now     (NodSyncStatus        *self,
                                                            gboolean              can_sync_now);
const char           *nod_sync_status_get_sync_now_reason  (NodSyncStatus        *self);
void                  nod_sync_status_set_sync_now_reason  (NodSyncStatus        *self,
                                                            const char           *sentence);
const NodSyncSummary *nod_sync_status_get_last_summary     (NodSyncStatus        *self);
void                  nod_sync_status_set_last_summary     (NodSyncStatus        *self,
                                                            const NodSyncSummary *summary);

const char           *nod_sync_state_to_string             (NodSyncState          state);

G_END_DECLS
