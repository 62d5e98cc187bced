/* nod-forge.h: what Nod needs from a forge (GitLab now, others later)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-approvals.h"
#include "nod-clock.h"
#include "nod-discussion.h"
#include "nod-draft-note.h"
#include "nod-forge-page.h"
#include "nod-merge-request.h"
#include "nod-merge-request-diff.h"
#include "nod-note.h"
#include "nod-project.h"
#include "nod-rate-limit.h"
#include "nod-user.h"

G_BEGIN_DECLS

#define NOD_FORGE_ERROR (nod_forge_error_quark ())

/* Every failure of a forge call is one of these, with a message fit for people. */
typedef enum
{
  NOD_FORGE_ERROR_NETWORK,      /* no connection, connection dropped, TLS refused */
  NOD_FORGE_ERROR_TIMEOUT,
  NOD_FORGE_ERROR_AUTH,         /* 401: the token was not accepted */
  NOD_FORGE_ERROR_FORBIDDEN,    /* 403 */
  NOD_FORGE_ERROR_NOT_FOUND,    /* 404 */
  NOD_FORGE_ERROR_CONFLICT,     /* 409: e.g. an approval for a head that moved on */
  NOD_FORGE_ERROR_INVALID,      /* 400, 405, 422: the request was refused as made */
  NOD_FORGE_ERROR_RATE_LIMITED, /* 429: see nod_forge_dup_rate_limit() for when to retry */
  NOD_FORGE_ERROR_SERVER,       /* 5xx */
  NOD_FORGE_ERROR_PROTOCOL,     /* an answer Nod could not read */
} NodForgeError;

GQuark nod_forge_error_quark (void);

/* 403 or 404: what the reviewer may not see, or that is not there — for a detail a pull
 * reads (a project without CI, a repository not theirs to read), none of it, not a failure. */
gboolean nod_forge_error_is_none (const GError *error);

/* The most pages Nod follows in one walk of a list: 100,000 merge requests, or threads on
 * one merge request, at 100 a page, far more than a reviewer has. A server that goes on
 * past it is looping or hostile, and the walk ends in an error rather than never. */
#define NOD_FORGE_MAX_PAGES 1000
/* Files of one version Nod reads (GitLab's own limit is lower by default). */
#define NOD_FORGE_VERSION_MAX_FILES 3000

typedef enum
{
  NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
  NOD_MERGE_REQUEST_SCOPE_ASSIGNED,
  NOD_MERGE_REQUEST_SCOPE_AUTHORED,
} NodMergeRequestScope;

#define NOD_TYPE_FORGE (nod_forge_get_type ())

G_DECLARE_INTERFACE (NodForge, nod_forge, NOD, FORGE, GObject)

/* Every call completes with one object (or, for create_discussion, none); a backend
 * implements the calls and one finish_object() for them all. */
struct _NodForgeInterface
{
  GTypeInterface parent_iface;

  void           (*get_current_user_async)    (NodForge             *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_projects_async)       (NodForge             *self,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*lookup_project_async)      (NodForge             *self,
                                               const char           *path_with_namespace,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_merge_requests_async) (NodForge             *self,
                                               NodMergeRequestScope  scope,
                                               GDateTime            *updated_after,
                                               GDateTime            *updated_before,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*get_merge_request_async)   (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*get_approvals_async)       (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_discussions_async)    (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*approve_async)             (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *head_sha,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*unapprove_async)           (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*create_discussion_async)   (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *body,
                                               const NodDiffPosition *position,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*reply_async)               (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *discussion_id,
                                               const char           *body,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*set_resolved_async)        (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *discussion_id,
                                               gboolean              resolved,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);

  void           (*update_note_async)         (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               gint64                note_id,
                                               const char           *body,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*delete_note_async)         (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               gint64                note_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);

  void           (*list_draft_notes_async)    (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*create_draft_note_async)   (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *body,
                                               const NodDiffPosition *position,
                                               const char           *discussion_id,
                                               gboolean              resolve,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*delete_draft_note_async)   (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               const char           *draft_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*publish_review_async)      (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_diffs_async)          (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_versions_async)       (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*get_version_async)         (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               gint64                version_id,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*get_raw_file_async)        (NodForge             *self,
                                               gint64                project_id,
                                               const char           *path,
                                               const char           *ref,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_pipelines_async)      (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 per_page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  void           (*list_commits_async)        (NodForge             *self,
                                               gint64                project_id,
                                               gint64                iid,
                                               guint                 per_page,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  GBytes        *(*finish_bytes)              (NodForge             *self,
                                               GAsyncResult         *result,
                                               GError              **error);
  GObject       *(*finish_object)             (NodForge             *self,
                                               GAsyncResult         *result,
                                               GError              **error);
  NodRateLimit  *(*dup_rate_limit)            (NodForge             *self);
  void           (*restore_rate_limit)        (NodForge             *self,
                                               const NodRateLimit   *rate_limit);
  void           (*warm_up)                   (NodForge             *self);
  void           (*set_clock)                 (NodForge             *self,
                                               NodClock             *clock);
};

void             nod_forge_get_current_user_async     (NodForge             *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodUser         *nod_forge_get_current_user_finish    (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_list_projects_async        (NodForge             *self,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_projects_finish       (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_lookup_project_async       (NodForge             *self,
                                                       const char           *path_with_namespace,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodProject      *nod_forge_lookup_project_finish      (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_list_merge_requests_async  (NodForge             *self,
                                                       NodMergeRequestScope  scope,
                                                       GDateTime            *updated_after,
                                                       GDateTime            *updated_before,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_merge_requests_finish (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_get_merge_request_async    (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodMergeRequest *nod_forge_get_merge_request_finish   (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_get_approvals_async        (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodApprovals    *nod_forge_get_approvals_finish       (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_list_discussions_async     (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_discussions_finish    (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_approve_async              (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *head_sha,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodApprovals    *nod_forge_approve_finish             (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_unapprove_async            (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodApprovals    *nod_forge_unapprove_finish           (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_create_discussion_async    (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *body,
                                                       const NodDiffPosition *position,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_create_discussion_finish   (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       NodDiscussion       **out_discussion,
                                                       GError              **error);
void             nod_forge_reply_async                (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *discussion_id,
                                                       const char           *body,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_reply_finish               (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       NodNote             **out_note,
                                                       GError              **error);
void             nod_forge_set_resolved_async         (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *discussion_id,
                                                       gboolean              resolved,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodDiscussion   *nod_forge_set_resolved_finish        (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* A posted note's new text (only its author may change it); GitLab answers the note, or
 * nothing (202) when the text held only quick actions: it ran them and deleted the note. */
void             nod_forge_update_note_async          (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       gint64                note_id,
                                                       const char           *body,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_update_note_finish         (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       NodNote             **out_note,
                                                       GError              **error);
void             nod_forge_delete_note_async          (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       gint64                note_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_delete_note_finish         (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The reviewer's draft notes on a merge request, a page at a time: NodDraftNote items. */
void             nod_forge_list_draft_notes_async     (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_draft_notes_finish    (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* A draft note: a new thread (at @position, or general), or a reply in @discussion_id
 * that, with @resolve, resolves its thread when published. */
void             nod_forge_create_draft_note_async    (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *body,
                                                       const NodDiffPosition *position,
                                                       const char           *discussion_id,
                                                       gboolean              resolve,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodDraftNote    *nod_forge_create_draft_note_finish   (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
void             nod_forge_delete_draft_note_async    (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       const char           *draft_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_delete_draft_note_finish   (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Publishes all the reviewer's drafts on the merge request at once: one review. */
void             nod_forge_publish_review_async       (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean         nod_forge_publish_review_finish      (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* The files of a merge request's newest diff, a page (of up to 100) at a time:
 * NodDiffFile items. */
void             nod_forge_list_diffs_async           (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_diffs_finish          (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* A merge request's versions, newest first: NodMergeRequestDiff items with their refs and
 * no files. */
void             nod_forge_list_versions_async        (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_versions_finish       (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* The first page of a merge request's pipelines (NodPipeline), newest first. */
void             nod_forge_list_pipelines_async       (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 per_page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_pipelines_finish      (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* The first page of a merge request's commits (NodCommit), newest first; the page's total
 * says how many there are when GitLab counts them. */
void             nod_forge_list_commits_async         (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       guint                 per_page,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodForgePage    *nod_forge_list_commits_finish        (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* One version with its files (a NodMergeRequestDiff), as GitLab keeps it. */
void             nod_forge_get_version_async          (NodForge             *self,
                                                       gint64                project_id,
                                                       gint64                iid,
                                                       gint64                version_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
NodMergeRequestDiff *nod_forge_get_version_finish     (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* The bytes of @path at commit @ref. */
void             nod_forge_get_raw_file_async         (NodForge             *self,
                                                       gint64                project_id,
                                                       const char           *path,
                                                       const char           *ref,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GBytes          *nod_forge_get_raw_file_finish        (NodForge             *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
NodRateLimit    *nod_forge_dup_rate_limit             (NodForge             *self);
void             nod_forge_warm_up                    (NodForge             *self);
void             nod_forge_restore_rate_limit         (NodForge             *self,
                                                       const NodRateLimit   *rate_limit);
void             nod_forge_set_clock                  (NodForge             *self,
                                                       NodClock             *clock);

void             nod_forge_set_error_for_status       (GError              **error,
                                                       guint                 status,
                                                       const char           *server_message,
                                                       const NodRateLimit   *rate_limit);
void             nod_forge_set_error_for_transport    (GError              **error,
                                                       const GError         *transport_error);
void             nod_forge_set_error_too_many_pages   (GError              **error);

G_END_DECLS
