/* nod-merge-request.c: a merge request as GitLab last described it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodMergeRequest, nod_merge_request, G_TYPE_OBJECT)

static void
nod_merge_request_dispose (GObject *object)
{
  NodMergeRequest *self = NOD_MERGE_REQUEST (object);

  g_clear_object (&self->author);
  g_clear_pointer (&self->reviewers, g_ptr_array_unref);
  g_clear_pointer (&self->assignees, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_merge_request_parent_class)->dispose (object);
}

static void
nod_merge_request_finalize (GObject *object)
{
  NodMergeRequest *self = NOD_MERGE_REQUEST (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->source_branch, g_free);
  g_clear_pointer (&self->target_branch, g_free);
  g_clear_pointer (&self->sha, g_free);
  g_clear_pointer (&self->merge_status, g_free);
  g_clear_pointer (&self->web_url, g_free);
  g_clear_pointer (&self->reference, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  g_clear_pointer (&self->merged_at, g_date_time_unref);
  g_clear_pointer (&self->closed_at, g_date_time_unref);
  g_clear_pointer (&self->labels, g_strfreev);

  G_OBJECT_CLASS (nod_merge_request_parent_class)->finalize (object);
}

static void
nod_merge_request_class_init (NodMergeRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_merge_request_dispose;
  object_class->finalize = nod_merge_request_finalize;
}

static void
nod_merge_request_init (NodMergeRequest *self)
{
  self->reviewers = g_ptr_array_new_with_free_func (g_object_unref);
  self->assignees = g_ptr_array_new_with_free_func (g_object_unref);
}

gint64
nod_merge_request_get_id (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), 0);
  return self->id;
}

gint64
nod_merge_request_get_iid (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), 0);
  return self->iid;
}

gint64
nod_merge_request_get_project_id (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), 0);
  return self->project_id;
}

const char *
nod_merge_request_get_title (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->title;
}

const char *
nod_merge_request_get_description (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->description;
}

NodMergeRequestState
nod_merge_request_get_state (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), 0);
  return self->state;
}

gboolean
nod_merge_request_get_draft (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), FALSE);
  return self->draft;
}

NodUser *
nod_merge_request_get_author (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->author;
}

/**
 * nod_merge_request_get_reviewers:
 *
 * Returns: (transfer none) (element-type NodUser): never %NULL
 */
GPtrArray *
nod_merge_request_get_reviewers (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->reviewers;
}

/**
 * nod_merge_request_get_assignees:
 *
 * Returns: (transfer none) (element-type NodUser): never %NULL
 */
GPtrArray *
nod_merge_request_get_assignees (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->assignees;
}

const char *
nod_merge_request_get_source_branch (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->source_branch;
}

const char *
nod_merge_request_get_target_branch (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->target_branch;
}

const char *
nod_merge_request_get_sha (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->sha;
}

const char *
nod_merge_request_get_merge_status (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->merge_status;
}

gboolean
nod_merge_request_get_has_conflicts (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), FALSE);
  return self->has_conflicts;
}

const char *
nod_merge_request_get_web_url (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->web_url;
}

const char *
nod_merge_request_get_reference (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->reference;
}

GDateTime *
nod_merge_request_get_created_at (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->created_at;
}

GDateTime *
nod_merge_request_get_updated_at (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->updated_at;
}

GDateTime *
nod_merge_request_get_merged_at (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->merged_at;
}

GDateTime *
nod_merge_request_get_closed_at (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->closed_at;
}

guint
nod_merge_request_get_user_notes_count (NodMergeRequest *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), 0);
  return self->user_notes_count;
}

/**
 * nod_merge_request_get_labels:
 *
 * Returns: (transfer none): the label names, in GitLab's order (at most
 *   NOD_MERGE_REQUEST_MAX_LABELS); never %NULL
 */
const char * const *
nod_merge_request_get_labels (NodMergeRequest *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST (self), NULL);
  return self->labels != NULL ? (const char * const *) self->labels : none;
}

const char *
nod_merge_request_state_to_string (NodMergeRequestState state)
{
  switch (state)
    {
    case NOD_MERGE_REQUEST_OPENED:
      return "opened";
    case NOD_MERGE_REQUEST_CLOSED:
      return "closed";
    case NOD_MERGE_REQUEST_MERGED:
      return "merged";
    case NOD_MERGE_REQUEST_LOCKED:
      return "locked";
    default:
      g_return_val_if_reached (NULL);
    }
}
