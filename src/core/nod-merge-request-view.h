/* nod-merge-request-view.h: a merge request as the reviewer must see it, for the list
 * and for its page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain data that the review cache fills in (nod-review-cache.h) and the UI shows: the
 * UI can hold it without seeing the cache, the store or the forge.
 */
#pragma once

#include <glib.h>

#include "nod-user.h"

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
  char    *pipeline_status;       /* the head pipeline's: GitLab's word, or "unknown"; NULL:
                                   * none ran on the head (or none is known) */
  char    *merge_status;          /* GitLab's detailed_merge_status (merge_status if old) */
  GStrv    labels;                /* never NULL */
  gboolean updated_since_opened;  /* GitLab changed it since the reviewer last opened it */
  char    *author_avatar_url;     /* as GitLab gave it; NULL: none */
} NodMergeRequestView;

void        nod_merge_request_view_free            (NodMergeRequestView       *view);
const char *nod_merge_request_view_get_shown_title (const NodMergeRequestView *view);
gboolean    nod_merge_request_view_equal           (const NodMergeRequestView *a,
                                                    const NodMergeRequestView *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMergeRequestView, nod_merge_request_view_free)

/* One merge request's page. Threads carry the resolved state the reviewer asked for when a
 * resolve is still pending; comments and replies not yet sent are the outbox's to list. */
typedef struct
{
  NodMergeRequestView *view;
  char                *description;
  char                *sha;
  /* People as NodUser, each with what the cache knows of them (a row an older Nod kept
   * may give a username or a name only): never NULL. */
  GPtrArray           *reviewers;
  GPtrArray           *approvers;            /* the others who approved, on GitLab */
  int                  approvals_left;       /* GitLab's; -1: not known */
  GPtrArray           *suggested_approvers;  /* who GitLab says may approve */
  char                *pipeline_web_url;     /* the head pipeline's page; NULL: none */
  char                *own_username;         /* the reviewer's, on this account */
  GPtrArray           *discussions; /* NodDiscussion, oldest first */
  GPtrArray           *commits;     /* NodCommit, newest first: a first page of GitLab's */
  int                  commits_total;  /* how many GitLab says there are; -1: not known */
} NodMergeRequestDetail;

void nod_merge_request_detail_free (NodMergeRequestDetail *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMergeRequestDetail, nod_merge_request_detail_free)

/* What an action needs to name its merge request, as the last pull left it: enough to
 * queue a change with no network. */
typedef struct
{
  gint64  project_id;
  gint64  iid;
  char   *sha;          /* the head GitLab had; NULL: not known */
  char   *state;        /* opened, closed, merged, locked */
} NodMergeRequestTarget;

void nod_merge_request_target_free (NodMergeRequestTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMergeRequestTarget, nod_merge_request_target_free)

G_END_DECLS
