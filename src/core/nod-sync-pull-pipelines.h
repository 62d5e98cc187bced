/* nod-sync-pull-pipelines.h: the head pipelines of merge requests whose cached one has not
 * ended, asked for again, several at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-forge.h"

G_BEGIN_DECLS

/* The most merge requests whose pipeline one pull asks about again: the ones changed most
 * recently first; the others wait for the next pull. */
#define NOD_SYNC_PULL_PIPELINES_MAX 50

#define NOD_TYPE_SYNC_PULL_PIPELINES (nod_sync_pull_pipelines_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncPullPipelines, nod_sync_pull_pipelines, NOD, SYNC_PULL_PIPELINES,
                      GObject)

NodSyncPullPipelines *nod_sync_pull_pipelines_new              (NodForge              *forge,
                                                                NodClock              *clock,
                                                                GPtrArray             *targets,
                                                                guint                  parallel);
void                  nod_sync_pull_pipelines_run_async        (NodSyncPullPipelines  *self,
                                                                GCancellable          *cancellable,
                                                                GAsyncReadyCallback    callback,
                                                                gpointer               user_data);
gboolean              nod_sync_pull_pipelines_run_finish       (NodSyncPullPipelines  *self,
                                                                GAsyncResult          *result,
                                                                GError               **error);
GPtrArray            *nod_sync_pull_pipelines_get_targets      (NodSyncPullPipelines  *self);
GPtrArray            *nod_sync_pull_pipelines_get_pipelines    (NodSyncPullPipelines  *self);
gint64                nod_sync_pull_pipelines_get_paused_until (NodSyncPullPipelines  *self);

G_END_DECLS
