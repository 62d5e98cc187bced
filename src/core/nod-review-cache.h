/* nod-review-cache.h: what Nod keeps of GitLab's merge requests, and the view of them
 * with the reviewer's pending actions on top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-forge.h"
#include "nod-merge-request-view.h"
#include "nod-store.h"

G_BEGIN_DECLS

#define NOD_TYPE_REVIEW_CACHE (nod_review_cache_get_type ())

G_DECLARE_FINAL_TYPE (NodReviewCache, nod_review_cache, NOD, REVIEW_CACHE, GObject)

NodReviewCache *nod_review_cache_new                 (NodStore             *store);

void            nod_review_cache_save_merge_requests_async  (NodReviewCache       *self,
                                                             gint64                account_id,
                                                             NodMergeRequestScope  scope,
                                                             GPtrArray            *merge_requests,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean        nod_review_cache_save_merge_requests_finish (NodReviewCache       *self,
                                                             GAsyncResult         *result,
                                                             GPtrArray           **out_closed,
                                                             GError              **error);

void            nod_review_cache_save_details_async  (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      GPtrArray            *approvals,
                                                      GPtrArray            *discussions,
                                                      GPtrArray            *pipelines,
                                                      GPtrArray            *commits,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_save_details_finish (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void            nod_review_cache_list_stale_commits_async  (NodReviewCache       *self,
                                                            gint64                account_id,
                                                            GPtrArray            *merge_requests,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
GPtrArray      *nod_review_cache_list_stale_commits_finish (NodReviewCache       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void            nod_review_cache_list_unfinished_pipelines_async  (NodReviewCache       *self,
                                                                   gint64                account_id,
                                                                   guint                 limit,
                                                                   GCancellable         *cancellable,
                                                                   GAsyncReadyCallback   callback,
                                                                   gpointer              user_data);
GPtrArray      *nod_review_cache_list_unfinished_pipelines_finish (NodReviewCache       *self,
                                                                   GAsyncResult         *result,
                                                                   GError              **error);
void            nod_review_cache_save_pipelines_async  (NodReviewCache       *self,
                                                        gint64                account_id,
                                                        GPtrArray            *targets,
                                                        GPtrArray            *pipelines,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean        nod_review_cache_save_pipelines_finish (NodReviewCache       *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

void            nod_review_cache_load_cursor_async   (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      const char           *scope,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
char           *nod_review_cache_load_cursor_finish  (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void            nod_review_cache_save_cursor_async   (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      const char           *scope,
                                                      const char           *cursor,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_save_cursor_finish  (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void            nod_review_cache_load_last_pull_async  (NodReviewCache       *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean        nod_review_cache_load_last_pull_finish (NodReviewCache       *self,
                                                        GAsyncResult         *result,
                                                        gint64               *out_last_pull_us,
                                                        GError              **error);

void            nod_review_cache_list_views_async    (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void            nod_review_cache_list_first_views_async (NodReviewCache    *self,
                                                         gint64             account_id,
                                                         guint              limit,
                                                         GCancellable      *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer           user_data);
GPtrArray      *nod_review_cache_list_views_finish   (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void            nod_review_cache_load_detail_async   (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      gint64                project_id,
                                                      gint64                iid,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
NodMergeRequestDetail *nod_review_cache_load_detail_finish (NodReviewCache  *self,
                                                            GAsyncResult    *result,
                                                            GError         **error);

void            nod_review_cache_find_target_async   (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      const char           *project_path,
                                                      gint64                iid,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
NodMergeRequestTarget *nod_review_cache_find_target_finish (NodReviewCache  *self,
                                                            GAsyncResult    *result,
                                                            GError         **error);

void            nod_review_cache_prune_async         (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      GDateTime            *older_than,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_prune_finish        (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void            nod_review_cache_mark_opened_async   (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      gint64                project_id,
                                                      gint64                iid,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_mark_opened_finish  (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
