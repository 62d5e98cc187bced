/* nod-sync-pull-job.h: one incremental pull of an account's merge requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-forge.h"
#include "nod-diff-cache.h"
#include "nod-review-cache.h"

G_BEGIN_DECLS

#define NOD_TYPE_SYNC_PULL_JOB (nod_sync_pull_job_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncPullJob, nod_sync_pull_job, NOD, SYNC_PULL_JOB, GObject)

NodSyncPullJob *nod_sync_pull_job_new        (NodReviewCache      *cache,
                                              NodDiffCache        *diff_cache,
                                              NodForge            *forge,
                                              gint64               account_id);
gboolean        nod_sync_pull_job_get_history_done (NodSyncPullJob *self);
void            nod_sync_pull_job_set_since  (NodSyncPullJob      *self,
                                              GDateTime           *since);
void            nod_sync_pull_job_set_clock  (NodSyncPullJob      *self,
                                              NodClock            *clock);
void            nod_sync_pull_job_set_parallel (NodSyncPullJob    *self,
                                              guint                parallel);
void            nod_sync_pull_job_run_async  (NodSyncPullJob      *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        nod_sync_pull_job_run_finish (NodSyncPullJob      *self,
                                              GAsyncResult        *result,
                                              guint               *out_pulled,
                                              gint64              *out_paused_until,
                                              GError             **error);

G_END_DECLS
