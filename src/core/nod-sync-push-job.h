/* nod-sync-push-job.h: one drain (or approval flush) of an account's outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-forge.h"
#include "nod-outbox.h"

G_BEGIN_DECLS

/* How the job ended, beyond success or an error of the store. */
typedef struct
{
  guint    pushed;
  guint    failed;
  guint    retrying;        /* sent, no answer or a 5xx: tried again after a backoff */
  gboolean signed_out;      /* GitLab refused the token: every row kept, pushes paused */
  gint64   blocked_until;   /* rate limited: Unix seconds, 0 = not blocked */
  gint64   notes_until;     /* notes wait their turn until then (GitLab's limit on
                             * notes, or the pace set); 0 = none waits */
  char    *last_error;      /* a sentence for people, or NULL */
} NodSyncPushOutcome;

void nod_sync_push_outcome_clear (NodSyncPushOutcome *outcome);

/* Notes per minute Nod allows itself unless set: none of its own. GitLab limits note
 * creation on its own (60 a minute on gitlab.com, 300 by default on an instance of one's
 * own) and says so only once it is exceeded, with a 429 and Retry-After: then only notes
 * wait until that time. */
#define NOD_SYNC_NOTES_PER_MINUTE 0

#define NOD_TYPE_SYNC_PUSH_JOB (nod_sync_push_job_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncPushJob, nod_sync_push_job, NOD, SYNC_PUSH_JOB, GObject)

NodSyncPushJob *nod_sync_push_job_new        (NodOutbox           *outbox,
                                              NodForge            *forge,
                                              gint64               account_id,
                                              gboolean             approvals_only);
void            nod_sync_push_job_set_clock  (NodSyncPushJob      *self,
                                              NodClock            *clock);
void            nod_sync_push_job_set_parallel (NodSyncPushJob    *self,
                                                guint              parallel);
void            nod_sync_push_job_set_notes_per_minute (NodSyncPushJob *self,
                                                        guint           notes_per_minute);
void            nod_sync_push_job_take_claimed (NodSyncPushJob  *self,
                                                NodOutboxAction *action);
void            nod_sync_push_job_run_async  (NodSyncPushJob      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        nod_sync_push_job_run_finish (NodSyncPushJob      *self,
                                              GAsyncResult        *result,
                                              NodSyncPushOutcome  *out_outcome,
                                              GError             **error);

G_END_DECLS
