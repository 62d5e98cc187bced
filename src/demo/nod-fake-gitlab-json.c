/* nod-fake-gitlab-json.c: users, projects, merge requests, approvals and discussions as
 * GitLab's REST API v4 shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Field names and value types follow GitLab's API entities (API_Entities_UserBasic,
 * MergeRequestBasic, MergeRequest, MergeRequestApprovals, Discussion, Note).
 */

#include "config.h"

#include "nod-fake-gitlab-private.h"

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       time_us)
{
  json_builder_set_member_name (builder, member);
  if (time_us == 0)
    {
      json_builder_add_null_value (builder);
    }
  else
    {
      g_autofree char *text = nod_fake_format_time (time_us);
      json_builder_add_string_value (builder, text);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *member,
          gboolean     value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}

static void
add_null (JsonBuilder *builder,
          const char  *member)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_null_value (builder);
}

static void
add_node (JsonBuilder *builder,
          const char  *member,
          JsonNode    *node)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, node);
}

static void
add_user_fields (NodFakeGitlab *self,
                 JsonBuilder   *builder,
                 NodFakeUser   *user)
{
  g_autofree char *avatar_url = NULL;
  g_autofree char *web_url = NULL;

  /* The fake serves no avatars: an offline demo must never reach for gravatar. */
  avatar_url = g_strdup_printf ("%s/uploads/-/system/user/avatar/%" G_GINT64_FORMAT
                                "/avatar.png", self->base_url, user->id);
  web_url = g_strdup_printf ("%s/%s", self->base_url, user->username);
  add_int (builder, "id", user->id);
  add_string (builder, "username", user->username);
  add_string (builder, "name", user->name);
  add_string (builder, "state", "active");
  add_bool (builder, "locked", FALSE);
  add_string (builder, "avatar_url", avatar_url);
  add_string (builder, "web_url", web_url);
}

static void
add_user (NodFakeGitlab *self,
          JsonBuilder   *builder,
          const char    *member,
          NodFakeUser   *user)
{
  if (user == NULL)
    {
      add_null (builder, member);
      return;
    }
  add_node (builder, member, _nod_fake_json_user (self, user));
}

static void
add_users (NodFakeGitlab *self,
           JsonBuilder   *builder,
           const char    *member,
           GPtrArray     *users)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    json_builder_add_value (builder, _nod_fake_json_user (self, g_ptr_array_index (users, i)));
  json_builder_end_array (builder);
}

JsonNode *
_nod_fake_json_user (NodFakeGitlab *self,
                     NodFakeUser   *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_user_fields (self, builder, user);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_nod_fake_json_current_user (NodFakeGitlab *self,
                             NodFakeUser   *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *email = g_strdup_printf ("%s@example.org", user->username);

  json_builder_begin_object (builder);
  add_user_fields (self, builder, user);
  add_string (builder, "created_at", "2019-03-14T09:26:53.589Z");
  add_string (builder, "bio", "");
  add_string (builder, "public_email", email);
  add_bool (builder, "bot", FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_nod_fake_json_project (NodFakeGitlab  *self,
                        NodFakeProject *project)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *web_url = g_strdup_printf ("%s/%s", self->base_url,
                                              project->path_with_namespace);
  g_autofree char *namespace_url = g_strdup_printf ("%s/groups/%s", self->base_url,
                                                    project->namespace_path);
  g_autofree char *http_url = g_strdup_printf ("%s.git", web_url);

  json_builder_begin_object (builder);
  add_int (builder, "id", project->id);
  add_string (builder, "description", project->description);
  add_string (builder, "name", project->name);
  add_string (builder, "name_with_namespace", project->name_with_namespace);
  add_string (builder, "path", project->path);
  add_string (builder, "path_with_namespace", project->path_with_namespace);
  add_string (builder, "default_branch", project->default_branch);
  add_string (builder, "web_url", web_url);
  add_string (builder, "http_url_to_repo", http_url);
  add_null (builder, "avatar_url");
  json_builder_set_member_name (builder, "namespace");
  json_builder_begin_object (builder);
  add_int (builder, "id", project->namespace_id);
  add_string (builder, "name", project->namespace_name);
  add_string (builder, "path", project->namespace_path);
  add_string (builder, "kind", "group");
  add_string (builder, "full_path", project->namespace_path);
  add_null (builder, "parent_id");
  add_string (builder, "web_url", namespace_url);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const char *
detailed_merge_status (NodFakeMergeRequest *merge_request)
{
  if (merge_request->state != NOD_FAKE_MR_OPENED)
    return "not_open";
  if (nod_fake_merge_request_is_draft (merge_request))
    return "draft_status";
  if (merge_request->has_conflicts)
    return "conflict";
  if (merge_request->approved_by->len < merge_request->approvals_required)
    return "not_approved";
  if (nod_fake_merge_request_has_unresolved_threads (merge_request))
    return "discussions_not_resolved";
  return "mergeable";
}

/* Counts "- [ ]" and "- [x]" items, as GitLab's task_completion_status does. */
static void
count_tasks (const char *description,
             guint      *count,
             guint      *completed)
{
  g_auto(GStrv) lines = g_strsplit (description, "\n", -1);

  *count = 0;
  *completed = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      while (*line == ' ')
        line++;
      if ((line[0] == '-' || line[0] == '*') && line[1] == ' ' && line[2] == '['
          && line[3] != '\0' && line[4] == ']')
        {
          if (line[3] == ' ')
            (*count)++;
          else if (line[3] == 'x' || line[3] == 'X')
            {
              (*count)++;
              (*completed)++;
            }
        }
    }
}

JsonNode *
_nod_fake_json_merge_request (NodFakeGitlab       *self,
                              NodFakeMergeRequest *merge_request,
                              gboolean             single)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  NodFakeProject *project = merge_request->project;
  g_autofree char *web_url = g_strdup_printf ("%s/%s/-/merge_requests/%" G_GINT64_FORMAT,
                                              self->base_url, project->path_with_namespace,
                                              merge_request->iid);
  g_autofree char *short_reference = g_strdup_printf ("!%" G_GINT64_FORMAT, merge_request->iid);
  g_autofree char *full_reference = g_strdup_printf ("%s!%" G_GINT64_FORMAT,
                                                     project->path_with_namespace,
                                                     merge_request->iid);
  gboolean draft = nod_fake_merge_request_is_draft (merge_request);
  guint task_count, tasks_completed;

  count_tasks (merge_request->description, &task_count, &tasks_completed);

  json_builder_begin_object (builder);
  add_int (builder, "id", merge_request->id);
  add_int (builder, "iid", merge_request->iid);
  add_int (builder, "project_id", project->id);
  add_string (builder, "title", merge_request->title);
  add_string (builder, "description", merge_request->description);
  add_string (builder, "state", nod_fake_mr_state_to_string (merge_request->state));
  add_time (builder, "created_at", merge_request->created_at);
  add_time (builder, "updated_at", merge_request->updated_at);
  add_user (self, builder, "merged_by", merge_request->merged_by);
  add_user (self, builder, "merge_user", merge_request->merged_by);
  add_time (builder, "merged_at", merge_request->merged_at);
  add_user (self, builder, "closed_by", merge_request->closed_by);
  add_time (builder, "closed_at", merge_request->closed_at);
  add_string (builder, "target_branch", merge_request->target_branch);
  add_string (builder, "source_branch", merge_request->source_branch);
  add_int (builder, "user_notes_count", nod_fake_merge_request_count_user_notes (merge_request));
  add_int (builder, "upvotes", 0);
  add_int (builder, "downvotes", 0);
  add_user (self, builder, "author", merge_request->author);
  add_users (self, builder, "assignees", merge_request->assignees);
  add_user (self, builder, "assignee",
            merge_request->assignees->len > 0 ? g_ptr_array_index (merge_request->assignees, 0)
                                              : NULL);
  add_users (self, builder, "reviewers", merge_request->reviewers);
  add_int (builder, "source_project_id", project->id);
  add_int (builder, "target_project_id", project->id);
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  add_bool (builder, "draft", draft);
  add_bool (builder, "work_in_progress", draft);
  add_null (builder, "milestone");
  add_bool (builder, "merge_when_pipeline_succeeds", FALSE);
  add_string (builder, "merge_status",
              merge_request->has_conflicts ? "cannot_be_merged" : "can_be_merged");
  add_string (builder, "detailed_merge_status", detailed_merge_status (merge_request));
  add_string (builder, "sha", merge_request->head_sha);
  if (merge_request->state == NOD_FAKE_MR_MERGED)
    {
      char merge_commit_sha[NOD_FAKE_SHA_LENGTH + 1];

      nod_fake_hex_id ((guint64) merge_request->id * 4, merge_commit_sha);
      add_string (builder, "merge_commit_sha", merge_commit_sha);
    }
  else
    {
      add_null (builder, "merge_commit_sha");
    }
  add_null (builder, "squash_commit_sha");
  add_null (builder, "discussion_locked");
  add_null (builder, "should_remove_source_branch");
  add_bool (builder, "force_remove_source_branch", TRUE);
  add_string (builder, "reference", short_reference);
  json_builder_set_member_name (builder, "references");
  json_builder_begin_object (builder);
  add_string (builder, "short", short_reference);
  add_string (builder, "relative", short_reference);
  add_string (builder, "full", full_reference);
  json_builder_end_object (builder);
  add_string (builder, "web_url", web_url);
  add_bool (builder, "squash", FALSE);
  add_bool (builder, "squash_on_merge", FALSE);
  json_builder_set_member_name (builder, "task_completion_status");
  json_builder_begin_object (builder);
  add_int (builder, "count", task_count);
  add_int (builder, "completed_count", tasks_completed);
  json_builder_end_object (builder);
  add_bool (builder, "has_conflicts", merge_request->has_conflicts);
  add_bool (builder, "blocking_discussions_resolved",
            !nod_fake_merge_request_has_unresolved_threads (merge_request));

  if (single)
    {
      g_autofree char *changes_count = g_strdup_printf ("%u", merge_request->commit_count * 3);

      add_bool (builder, "subscribed", TRUE);
      add_string (builder, "changes_count", changes_count);
      add_bool (builder, "first_contribution", FALSE);
      json_builder_set_member_name (builder, "diff_refs");
      json_builder_begin_object (builder);
      add_string (builder, "base_sha", merge_request->base_sha);
      add_string (builder, "head_sha", merge_request->head_sha);
      add_string (builder, "start_sha", merge_request->start_sha);
      json_builder_end_object (builder);
      add_null (builder, "merge_error");
      json_builder_set_member_name (builder, "user");
      json_builder_begin_object (builder);
      add_bool (builder, "can_merge", TRUE);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_nod_fake_json_approvals (NodFakeGitlab       *self,
                          NodFakeMergeRequest *merge_request,
                          NodFakeUser         *current_user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint approvals = merge_request->approved_by->len;
  guint approvals_left = approvals < merge_request->approvals_required
                         ? merge_request->approvals_required - approvals : 0;
  gboolean user_has_approved = nod_fake_merge_request_has_approved (merge_request,
                                                                    current_user);
  gboolean user_can_approve = merge_request->state == NOD_FAKE_MR_OPENED
                              && merge_request->author != current_user
                              && !user_has_approved;
  /* Without required approvals, GitLab calls a merge request approved once anyone has. */
  gboolean approved = merge_request->approvals_required > 0 ? approvals_left == 0
                                                            : approvals > 0;

  json_builder_begin_object (builder);
  add_int (builder, "id", merge_request->id);
  add_int (builder, "iid", merge_request->iid);
  add_int (builder, "project_id", merge_request->project->id);
  add_string (builder, "title", merge_request->title);
  add_string (builder, "description", merge_request->description);
  add_string (builder, "state", nod_fake_mr_state_to_string (merge_request->state));
  add_time (builder, "created_at", merge_request->created_at);
  add_time (builder, "updated_at", merge_request->updated_at);
  add_string (builder, "merge_status",
              merge_request->has_conflicts ? "cannot_be_merged" : "can_be_merged");
  add_bool (builder, "approved", approved);
  add_int (builder, "approvals_required", merge_request->approvals_required);
  add_int (builder, "approvals_left", approvals_left);
  add_bool (builder, "require_password_to_approve", FALSE);
  json_builder_set_member_name (builder, "approved_by");
  json_builder_begin_array (builder);
  for (guint i = 0; i < approvals; i++)
    {
      json_builder_begin_object (builder);
      add_user (self, builder, "user", g_ptr_array_index (merge_request->approved_by, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "suggested_approvers");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "approvers");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "approver_groups");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  add_bool (builder, "user_has_approved", user_has_approved);
  add_bool (builder, "user_can_approve", user_can_approve);
  json_builder_set_member_name (builder, "approval_rules_left");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  add_bool (builder, "has_approval_rules", FALSE);
  add_bool (builder, "merge_request_approvers_available", FALSE);
  add_bool (builder, "multiple_approval_rules_available", FALSE);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const char *
note_type_to_string (NodFakeNoteType type)
{
  switch (type)
    {
    case NOD_FAKE_NOTE_PLAIN:
      return NULL;
    case NOD_FAKE_NOTE_DISCUSSION:
      return "DiscussionNote";
    case NOD_FAKE_NOTE_DIFF:
      return "DiffNote";
    default:
      g_assert_not_reached ();
    }
}

JsonNode *
_nod_fake_json_note (NodFakeGitlab       *self,
                     NodFakeMergeRequest *merge_request,
                     NodFakeNote         *note)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int (builder, "id", note->id);
  add_string (builder, "type", note_type_to_string (note->type));
  add_string (builder, "body", note->body);
  add_null (builder, "attachment");
  add_user (self, builder, "author", note->author);
  add_time (builder, "created_at", note->created_at);
  add_time (builder, "updated_at", note->updated_at);
  add_bool (builder, "system", note->system);
  add_int (builder, "noteable_id", merge_request->id);
  add_string (builder, "noteable_type", "MergeRequest");
  add_int (builder, "project_id", merge_request->project->id);
  add_null (builder, "commit_id");
  if (note->position != NULL)
    {
      NodFakePosition *position = note->position;

      json_builder_set_member_name (builder, "position");
      json_builder_begin_object (builder);
      add_string (builder, "base_sha", position->base_sha);
      add_string (builder, "start_sha", position->start_sha);
      add_string (builder, "head_sha", position->head_sha);
      add_string (builder, "old_path", position->old_path);
      add_string (builder, "new_path", position->new_path);
      add_string (builder, "position_type", "text");
      if (position->old_line > 0)
        add_int (builder, "old_line", position->old_line);
      else
        add_null (builder, "old_line");
      if (position->new_line > 0)
        add_int (builder, "new_line", position->new_line);
      else
        add_null (builder, "new_line");
      add_null (builder, "line_range");
      json_builder_end_object (builder);
    }
  add_bool (builder, "resolvable", note->resolvable);
  /* Like GitLab, resolution fields exist only on notes that can be resolved. */
  if (note->resolvable)
    {
      add_bool (builder, "resolved", note->resolved);
      add_user (self, builder, "resolved_by", note->resolved ? note->resolved_by : NULL);
      add_time (builder, "resolved_at", note->resolved ? note->resolved_at : 0);
    }
  add_bool (builder, "confidential", FALSE);
  add_bool (builder, "internal", FALSE);
  add_bool (builder, "imported", FALSE);
  add_string (builder, "imported_from", "none");
  add_int (builder, "noteable_iid", merge_request->iid);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
_nod_fake_json_discussion (NodFakeGitlab       *self,
                           NodFakeMergeRequest *merge_request,
                           NodFakeDiscussion   *discussion)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", discussion->id);
  add_bool (builder, "individual_note", discussion->individual_note);
  json_builder_set_member_name (builder, "notes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < discussion->notes->len; i++)
    json_builder_add_value (builder,
                            _nod_fake_json_note (self, merge_request,
                                                 g_ptr_array_index (discussion->notes, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
