/* nod-approvals.h: who approved a merge request, and whether you may
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-user.h"

G_BEGIN_DECLS

/* Suggested approvers kept of one merge request. */
#define NOD_APPROVALS_MAX_SUGGESTED 20

#define NOD_TYPE_APPROVALS (nod_approvals_get_type ())

G_DECLARE_FINAL_TYPE (NodApprovals, nod_approvals, NOD, APPROVALS, GObject)

gint64     nod_approvals_get_project_id         (NodApprovals *self);
gint64     nod_approvals_get_iid                (NodApprovals *self);
GPtrArray *nod_approvals_get_approved_by        (NodApprovals *self);
GPtrArray *nod_approvals_get_suggested_approvers (NodApprovals *self);
gboolean   nod_approvals_get_user_has_approved  (NodApprovals *self);
gboolean   nod_approvals_get_user_can_approve   (NodApprovals *self);
/* -1 where GitLab did not say (its Free tier has no approval rules). */
int        nod_approvals_get_approvals_required (NodApprovals *self);
int        nod_approvals_get_approvals_left     (NodApprovals *self);

G_END_DECLS
