/* nod-approvals.c: who approved a merge request, and whether you may
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodApprovals, nod_approvals, G_TYPE_OBJECT)

static void
nod_approvals_dispose (GObject *object)
{
  NodApprovals *self = NOD_APPROVALS (object);

  g_clear_pointer (&self->approved_by, g_ptr_array_unref);
  g_clear_pointer (&self->suggested_approvers, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_approvals_parent_class)->dispose (object);
}

static void
nod_approvals_class_init (NodApprovalsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_approvals_dispose;
}

static void
nod_approvals_init (NodApprovals *self)
{
  self->approved_by = g_ptr_array_new_with_free_func (g_object_unref);
  self->suggested_approvers = g_ptr_array_new_with_free_func (g_object_unref);
  self->approvals_required = -1;
  self->approvals_left = -1;
}

gint64
nod_approvals_get_project_id (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), 0);
  return self->project_id;
}

gint64
nod_approvals_get_iid (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), 0);
  return self->iid;
}

/**
 * nod_approvals_get_suggested_approvers:
 *
 * Returns: (transfer none) (element-type NodUser): who GitLab says may approve (at most
 *   NOD_APPROVALS_MAX_SUGGESTED); never %NULL
 */
GPtrArray *
nod_approvals_get_suggested_approvers (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), NULL);
  return self->suggested_approvers;
}

/**
 * nod_approvals_get_approved_by:
 *
 * Returns: (transfer none) (element-type NodUser): never %NULL
 */
GPtrArray *
nod_approvals_get_approved_by (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), NULL);
  return self->approved_by;
}

gboolean
nod_approvals_get_user_has_approved (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), FALSE);
  return self->user_has_approved;
}

gboolean
nod_approvals_get_user_can_approve (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), FALSE);
  return self->user_can_approve;
}

int
nod_approvals_get_approvals_required (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), -1);
  return self->approvals_required;
}

int
nod_approvals_get_approvals_left (NodApprovals *self)
{
  g_return_val_if_fail (NOD_IS_APPROVALS (self), -1);
  return self->approvals_left;
}
