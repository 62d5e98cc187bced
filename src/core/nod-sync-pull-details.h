/* nod-sync-pull-details.h: the approvals and threads of a page of merge requests, several
 * requests at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-forge.h"
#include "nod-rate-limit.h"

G_BEGIN_DECLS

/* Requests a pull keeps in flight: GitLab answers each in tens of milliseconds over a real
 * network, one after another that is most of a pull; NodGitlab keeps 8 connections. */
#define NOD_SYNC_PULL_PARALLEL 6

/* Where background work stops: the reserve kept for the reviewer's own actions, and a
 * round of a pull's requests in flight above it (their answers, out of order, can say the
 * reserve is reached a few requests early). */
#define NOD_SYNC_BACKGROUND_RESERVE (NOD_RATE_LIMIT_DEFAULT_RESERVE + NOD_SYNC_PULL_PARALLEL)

/* The commits a pull asks for per merge request: GitLab's first page, at its largest. */
#define NOD_SYNC_PULL_COMMITS_PAGE 100

#define NOD_TYPE_SYNC_PULL_DETAILS (nod_sync_pull_details_get_type ())

G_DECLARE_FINAL_TYPE (NodSyncPullDetails, nod_sync_pull_details, NOD, SYNC_PULL_DETAILS, GObject)

NodSyncPullDetails *nod_sync_pull_details_new              (NodForge            *forge,
                                                            NodClock            *clock,
                                                            GPtrArray           *merge_requests);
void                nod_sync_pull_details_set_parallel     (NodSyncPullDetails  *self,
                                                            guint                parallel);
void                nod_sync_pull_details_want_commits     (NodSyncPullDetails  *self,
                                                            GPtrArray           *merge_requests);
void                nod_sync_pull_details_run_async        (NodSyncPullDetails  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            nod_sync_pull_details_run_finish       (NodSyncPullDetails  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
GPtrArray          *nod_sync_pull_details_get_approvals    (NodSyncPullDetails  *self);
GPtrArray          *nod_sync_pull_details_get_discussions  (NodSyncPullDetails  *self);
GPtrArray          *nod_sync_pull_details_get_pipelines    (NodSyncPullDetails  *self);
GPtrArray          *nod_sync_pull_details_get_commits      (NodSyncPullDetails  *self);
gint64              nod_sync_pull_details_get_paused_until (NodSyncPullDetails  *self);

G_END_DECLS
