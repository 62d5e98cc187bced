/* nod-forge-models-private.h: the fields of the forge model types, filled in by a
 * backend's parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-approvals.h"
#include "nod-discussion.h"
#include "nod-draft-note.h"
#include "nod-merge-request.h"
#include "nod-note.h"
#include "nod-project.h"
#include "nod-user.h"

G_BEGIN_DECLS

struct _NodUser
{
  GObject parent_instance;

  gint64 id;
  char  *username;
  char  *name;
  char  *web_url;
  char  *avatar_url;
};

struct _NodProject
{
  GObject parent_instance;

  gint64 id;
  char  *path_with_namespace;
  char  *name;
  char  *web_url;
  char  *default_branch;
};

struct _NodMergeRequest
{
  GObject parent_instance;

  gint64               id;
  gint64               iid;
  gint64               project_id;
  char                *title;
  char                *description;
  NodMergeRequestState state;
  gboolean             draft;
  NodUser             *author;
  GPtrArray           *reviewers;
  GPtrArray           *assignees;
  char                *source_branch;
  char                *target_branch;
  char                *sha;
  char                *merge_status;
  gboolean             has_conflicts;
  char                *web_url;
  char                *reference;
  GDateTime           *created_at;
  GDateTime           *updated_at;
  GDateTime           *merged_at;
  GDateTime           *closed_at;
  guint                user_notes_count;
  GStrv                labels;
};

struct _NodApprovals
{
  GObject parent_instance;

  gint64      project_id;
  gint64      iid;
  GPtrArray  *approved_by;
  gboolean    user_has_approved;
  gboolean    user_can_approve;
  int         approvals_required;
  int         approvals_left;
  GPtrArray  *suggested_approvers;
};

struct _NodDraftNote
{
  GObject parent_instance;

  gint64           id;
  char            *body;
  char            *discussion_id;
  gboolean         resolve_discussion;
  NodDiffPosition *position;
};

struct _NodNote
{
  GObject parent_instance;

  gint64            id;
  char             *body;
  NodUser          *author;
  gboolean          system;
  gboolean          resolvable;
  gboolean          resolved;
  NodUser          *resolved_by;    /* NULL: not resolved, or GitLab did not say by whom */
  GDateTime        *resolved_at;
  GDateTime        *created_at;
  GDateTime        *updated_at;
  NodDiffPosition  *position;
};

struct _NodDiscussion
{
  GObject parent_instance;

  char       *id;
  gboolean    individual_note;
  GPtrArray  *notes;
  gboolean    resolvable;
  gboolean    resolved;
  gboolean    resolve_pending;  /* resolved by the reviewer in Nod, not sent yet */
};


G_END_DECLS
