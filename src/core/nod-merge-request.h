/* nod-merge-request.h: a merge request as GitLab last described it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-user.h"

G_BEGIN_DECLS

typedef enum
{
  NOD_MERGE_REQUEST_OPENED,
  NOD_MERGE_REQUEST_CLOSED,
  NOD_MERGE_REQUEST_MERGED,
  NOD_MERGE_REQUEST_LOCKED,
} NodMergeRequestState;

/* Labels kept of one merge request: GitLab puts no bound on them, Nod does. */
#define NOD_MERGE_REQUEST_MAX_LABELS 50

#define NOD_TYPE_MERGE_REQUEST (nod_merge_request_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequest, nod_merge_request, NOD, MERGE_REQUEST, GObject)

gint64                nod_merge_request_get_id               (NodMergeRequest *self);
gint64                nod_merge_request_get_iid              (NodMergeRequest *self);
gint64                nod_merge_request_get_project_id       (NodMergeRequest *self);
const char           *nod_merge_request_get_title            (NodMergeRequest *self);
const char           *nod_merge_request_get_description      (NodMergeRequest *self);
NodMergeRequestState  nod_merge_request_get_state            (NodMergeRequest *self);
gboolean              nod_merge_request_get_draft            (NodMergeRequest *self);
NodUser              *nod_merge_request_get_author           (NodMergeRequest *self);
GPtrArray            *nod_merge_request_get_reviewers        (NodMergeRequest *self);
GPtrArray            *nod_merge_request_get_assignees        (NodMergeRequest *self);
const char           *nod_merge_request_get_source_branch    (NodMergeRequest *self);
const char           *nod_merge_request_get_target_branch    (NodMergeRequest *self);
const char           *nod_merge_request_get_sha              (NodMergeRequest *self);
const char           *nod_merge_request_get_merge_status     (NodMergeRequest *self);
gboolean              nod_merge_request_get_has_conflicts    (NodMergeRequest *self);
const char           *nod_merge_request_get_web_url          (NodMergeRequest *self);
const char           *nod_merge_request_get_reference        (NodMergeRequest *self);
GDateTime            *nod_merge_request_get_created_at       (NodMergeRequest *self);
GDateTime            *nod_merge_request_get_updated_at       (NodMergeRequest *self);
GDateTime            *nod_merge_request_get_merged_at        (NodMergeRequest *self);
GDateTime            *nod_merge_request_get_closed_at        (NodMergeRequest *self);
guint                 nod_merge_request_get_user_notes_count (NodMergeRequest *self);
const char * const   *nod_merge_request_get_labels           (NodMergeRequest *self);

const char           *nod_merge_request_state_to_string      (NodMergeRequestState state);

G_END_DECLS
