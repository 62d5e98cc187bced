/* nod-merge-request-view.c: a merge request as the reviewer must see it, for the list
 * and for its page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-merge-request-view.h"

#include <string.h>

void
nod_merge_request_view_free (NodMergeRequestView *view)
{
  if (view == NULL)
    return;
  g_free (view->project_path);
  g_free (view->title);
  g_free (view->state);
  g_free (view->author_username);
  g_free (view->author_name);
  g_free (view->source_branch);
  g_free (view->target_branch);
  g_free (view->web_url);
  g_free (view->created_at);
  g_free (view->updated_at);
  g_free (view->pipeline_status);
  g_free (view->merge_status);
  g_strfreev (view->labels);
  g_free (view->author_avatar_url);
  g_free (view);
}

static gboolean
strv_equal (GStrv a,
            GStrv b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

/* Whether two views of a merge request say the same, field by field. */
gboolean
nod_merge_request_view_equal (const NodMergeRequestView *a,
                              const NodMergeRequestView *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->project_id == b->project_id &&
         a->iid == b->iid &&
         g_strcmp0 (a->project_path, b->project_path) == 0 &&
         g_strcmp0 (a->title, b->title) == 0 &&
         g_strcmp0 (a->state, b->state) == 0 &&
         g_strcmp0 (a->author_username, b->author_username) == 0 &&
         g_strcmp0 (a->author_name, b->author_name) == 0 &&
         g_strcmp0 (a->source_branch, b->source_branch) == 0 &&
         g_strcmp0 (a->target_branch, b->target_branch) == 0 &&
         g_strcmp0 (a->web_url, b->web_url) == 0 &&
         g_strcmp0 (a->created_at, b->created_at) == 0 &&
         g_strcmp0 (a->updated_at, b->updated_at) == 0 &&
         !a->draft == !b->draft &&
         !a->has_conflicts == !b->has_conflicts &&
         !a->is_reviewer == !b->is_reviewer &&
         !a->is_assignee == !b->is_assignee &&
         !a->is_author == !b->is_author &&
         !a->can_approve == !b->can_approve &&
         a->approvals_required == b->approvals_required &&
         a->approvals_given == b->approvals_given &&
         !a->approved_by_me == !b->approved_by_me &&
         !a->approval_pending == !b->approval_pending &&
         a->pending_actions == b->pending_actions &&
         a->failed_actions == b->failed_actions &&
         g_strcmp0 (a->pipeline_status, b->pipeline_status) == 0 &&
         g_strcmp0 (a->merge_status, b->merge_status) == 0 &&
         strv_equal (a->labels, b->labels) &&
         !a->updated_since_opened == !b->updated_since_opened &&
         g_strcmp0 (a->author_avatar_url, b->author_avatar_url) == 0;
}

/* GitLab's draft prefixes (MergeRequest::DRAFT_REGEX: "[Draft]", "(Draft)", "Draft:", any
 * case, repeated, then spaces), and the "WIP:" and "[WIP]" older GitLab read the same way. */
static const char *
skip_draft_prefix (const char *title)
{
  static const char * const prefixes[] = { "[draft]", "(draft)", "draft:", "[wip]", "wip:" };

  for (gboolean found = TRUE; found;)
    {
      found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (prefixes) && !found; i++)
        if (g_ascii_strncasecmp (title, prefixes[i], strlen (prefixes[i])) == 0)
          {
            title += strlen (prefixes[i]);
            while (g_ascii_isspace (*title))
              title++;
            found = TRUE;
          }
    }
  return title;
}

/**
 * nod_merge_request_view_get_shown_title:
 *
 * Returns: (transfer none): the title as shown beside a Draft badge: without GitLab's draft
 *   prefix while the merge request is a draft (the badge says it), else as GitLab has it
 */
const char *
nod_merge_request_view_get_shown_title (const NodMergeRequestView *view)
{
  const char *rest;

  g_return_val_if_fail (view != NULL, NULL);

  if (view->title == NULL || !view->draft)
    return view->title;
  rest = skip_draft_prefix (view->title);
  /* "Draft:" alone: the prefix is all there is to show. */
  return *rest != '\0' ? rest : view->title;
}

void
nod_merge_request_detail_free (NodMergeRequestDetail *detail)
{
  if (detail == NULL)
    return;
  g_clear_pointer (&detail->view, nod_merge_request_view_free);
  g_free (detail->description);
  g_free (detail->sha);
  g_free (detail->own_username);
  g_clear_pointer (&detail->reviewers, g_ptr_array_unref);
  g_clear_pointer (&detail->approvers, g_ptr_array_unref);
  g_clear_pointer (&detail->suggested_approvers, g_ptr_array_unref);
  g_free (detail->pipeline_web_url);
  g_clear_pointer (&detail->discussions, g_ptr_array_unref);
  g_clear_pointer (&detail->commits, g_ptr_array_unref);
  g_free (detail);
}

void
nod_merge_request_target_free (NodMergeRequestTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->sha);
  g_free (target->state);
  g_free (target);
}
