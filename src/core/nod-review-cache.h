/* nod-review-cache.h: what Nod keeps of GitLab's merge requests, and the view of them
 * with the reviewer's pending actions on top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-forge.h"
#include "nod-store.h"

G_BEGIN_DECLS

/* One merge request as the UI must show it: the server's state with the pending outbox
 * replayed on top, so a pull never hides an intent not yet pushed. */
typedef struct
{
  gint64   project_id;
  gint64   iid;
  char    *project_path;          /* "group/project" */
  char    *title;
  char    *state;                 /* opened, closed, merged, locked */
  char    *author_username;
  char    *author_name;
  char    *source_branch;
  char    *target_branch;
  char    *web_url;
  char    *created_at;            /* as GitLab sent them */
  char    *updated_at;
  gboolean draft;
  gboolean has_conflicts;
  gboolean is_reviewer;           /* the lists it is on */
  gboolean is_assignee;
  gboolean is_author;
  gboolean can_approve;
  int      approvals_required;    /* -1: not known */
  guint    approvals_given;       /* counting the reviewer's pending approval */
  gboolean approved_by_me;        /* what the reviewer will see */
  gboolean approval_pending;      /* … not yet on GitLab */
  guint    pending_actions;
  guint    failed_actions;
} NodMergeRequestView;

/* One merge request's page. Threads carry the resolved state the reviewer asked for when a
 * resolve is still pending; comments and replies not yet sent are the outbox's to list. */
typedef struct
{
  NodMergeRequestView *view;
  char                *description;
  char                *sha;
  GStrv                reviewers;   /* usernames */
  GStrv                approvers;   /* names of the others who approved, on GitLab */
  GPtrArray           *discussions; /* NodDiscussion, oldest first */
} NodMergeRequestDetail;

void nod_merge_request_detail_free (NodMergeRequestDetail *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMergeRequestDetail, nod_merge_request_detail_free)

void     nod_merge_request_view_free  (NodMergeRequestView       *view);
gboolean nod_merge_request_view_equal (const NodMergeRequestView *a,
                                       const NodMergeRequestView *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMergeRequestView, nod_merge_request_view_free)

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
                                                      NodApprovals         *approvals,
                                                      GPtrArray            *discussions,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_save_details_finish (NodReviewCache       *self,
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

void            nod_review_cache_prune_async         (NodReviewCache       *self,
                                                      gint64                account_id,
                                                      GDateTime            *older_than,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        nod_review_cache_prune_finish        (NodReviewCache       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
