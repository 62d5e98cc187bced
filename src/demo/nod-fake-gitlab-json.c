/* nod-fake-gitlab-json.c: users, projects, merge requests, approvals and discussions as
 * GitLab's REST API v4 shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Field names and value types follow GitLab's API entities (API_Entities_UserBasic,
 * MergeRequestBasic, MergeRequest, MergeRequestApprovals, Discussion, Note).
 *
 * The text is written straight into one buffer, as JsonGenerator would write the tree a
 * JsonBuilder makes: a page of a hundred merge requests is one growing string, not tens of
 * thousands of nodes (which, under AddressSanitizer, each cost a stack walk).
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

/* The writer */

void
_nod_fake_json_writer_init (NodFakeJsonWriter *writer,
                            gsize              reserved)
{
  writer->buffer = g_string_sized_new (MAX (reserved, 64));
  writer->scratch = NULL;
  writer->needs_comma = FALSE;
}

char *
_nod_fake_json_writer_steal (NodFakeJsonWriter *writer,
                             gsize             *length)
{
  GString *buffer = g_steal_pointer (&writer->buffer);

  *length = buffer->len;
  _nod_fake_json_writer_clear (writer);
  return g_string_free (buffer, FALSE);
}

void
_nod_fake_json_writer_clear (NodFakeJsonWriter *writer)
{
  if (writer->buffer != NULL)
    g_string_free (g_steal_pointer (&writer->buffer), TRUE);
  if (writer->scratch != NULL)
    g_string_free (g_steal_pointer (&writer->scratch), TRUE);
  writer->needs_comma = FALSE;
}

/* json-glib's escaping, byte for byte: '"' and '\\', the control characters but 0x1f, and
 * 0x7f; everything else (UTF-8 included) as it is. */
static void
append_quoted (GString    *buffer,
               const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = text;
  const char *cursor;

  g_string_append_c (buffer, '"');
  for (cursor = text; *cursor != '\0'; cursor++)
    {
      guchar c = (guchar) *cursor;
      const char *escape;
      char unicode[] = "\\u00..";

      if (c == '"')
        escape = "\\\"";
      else if (c == '\\')
        escape = "\\\\";
      else if (c == '\b')
        escape = "\\b";
      else if (c == '\f')
        escape = "\\f";
      else if (c == '\n')
        escape = "\\n";
      else if (c == '\r')
        escape = "\\r";
      else if (c == '\t')
        escape = "\\t";
      else if (c < 0x1f || c == 0x7f)
        {
          unicode[4] = hex[c >> 4];
          unicode[5] = hex[c & 0xf];
          escape = unicode;
        }
      else
        continue;

      g_string_append_len (buffer, run, cursor - run);
      g_string_append (buffer, escape);
      run = cursor + 1;
    }
  g_string_append_len (buffer, run, cursor - run);
  g_string_append_c (buffer, '"');
}

static void
append_int (GString *buffer,
            gint64   value)
{
  char digits[24];
  gsize start = sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      digits[--start] = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    digits[--start] = '-';
  g_string_append_len (buffer, digits + start, (gssize) (sizeof digits - start));
}

/* The comma before a value, and its name in an object. */
static void
begin_value (NodFakeJsonWriter *writer,
             const char        *member)
{
  if (writer->needs_comma)
    g_string_append_c (writer->buffer, ',');
  writer->needs_comma = TRUE;
  if (member != NULL)
    {
      append_quoted (writer->buffer, member);
      g_string_append_c (writer->buffer, ':');
    }
}

void
_nod_fake_json_begin_object (NodFakeJsonWriter *writer,
                             const char        *member)
{
  begin_value (writer, member);
  g_string_append_c (writer->buffer, '{');
  writer->needs_comma = FALSE;
}

void
_nod_fake_json_end_object (NodFakeJsonWriter *writer)
{
  g_string_append_c (writer->buffer, '}');
  writer->needs_comma = TRUE;
}

void
_nod_fake_json_begin_array (NodFakeJsonWriter *writer,
                            const char        *member)
{
  begin_value (writer, member);
  g_string_append_c (writer->buffer, '[');
  writer->needs_comma = FALSE;
}

void
_nod_fake_json_end_array (NodFakeJsonWriter *writer)
{
  g_string_append_c (writer->buffer, ']');
  writer->needs_comma = TRUE;
}

void
_nod_fake_json_add_string (NodFakeJsonWriter *writer,
                           const char        *member,
                           const char        *value)
{
  begin_value (writer, member);
  if (value == NULL)
    g_string_append (writer->buffer, "null");
  else
    append_quoted (writer->buffer, value);
}

void
_nod_fake_json_add_int (NodFakeJsonWriter *writer,
                        const char        *member,
                        gint64             value)
{
  begin_value (writer, member);
  append_int (writer->buffer, value);
}

void
_nod_fake_json_add_bool (NodFakeJsonWriter *writer,
                         const char        *member,
                         gboolean           value)
{
  begin_value (writer, member);
  g_string_append (writer->buffer, value ? "true" : "false");
}

void
_nod_fake_json_add_null (NodFakeJsonWriter *writer,
                         const char        *member)
{
  begin_value (writer, member);
  g_string_append (writer->buffer, "null");
}

void
_nod_fake_json_add_time (NodFakeJsonWriter *writer,
                         const char        *member,
                         gint64             time_us)
{
  char text[NOD_FAKE_TIME_BUFFER_SIZE];

  if (time_us == 0)
    {
      _nod_fake_json_add_null (writer, member);
      return;
    }
  nod_fake_format_time_to (time_us, text);
  _nod_fake_json_add_string (writer, member, text);
}

void
_nod_fake_json_add_node (NodFakeJsonWriter *writer,
                         const char        *member,
                         JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  gsize length = 0;
  g_autofree char *text = NULL;

  /* Only for what a client sent and the fake keeps as it came: rare and small. */
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  begin_value (writer, member);
  g_string_append_len (writer->buffer, text, (gssize) length);
}

/* The writer's scratch string, emptied, to put a value together in. */
static GString *
begin_scratch (NodFakeJsonWriter *writer)
{
  if (writer->scratch == NULL)
    writer->scratch = g_string_sized_new (128);
  g_string_truncate (writer->scratch, 0);
  return writer->scratch;
}

/* The shapes */

static void
add_user_fields (NodFakeGitlab     *self,
                 NodFakeJsonWriter *writer,
                 NodFakeUser       *user)
{
  GString *url;

  _nod_fake_json_add_int (writer, "id", user->id);
  _nod_fake_json_add_string (writer, "username", user->username);
  _nod_fake_json_add_string (writer, "name", user->name);
  _nod_fake_json_add_string (writer, "state", "active");
  _nod_fake_json_add_bool (writer, "locked", FALSE);
  /* Its own avatars (nod-fake-gitlab-avatars.c): an offline demo must never reach for
   * gravatar. */
  url = begin_scratch (writer);
  g_string_append (url, self->base_url);
  g_string_append (url, "/uploads/-/system/user/avatar/");
  append_int (url, user->id);
  g_string_append (url, "/avatar.png");
  _nod_fake_json_add_string (writer, "avatar_url", url->str);
  url = begin_scratch (writer);
  g_string_append (url, self->base_url);
  g_string_append_c (url, '/');
  g_string_append (url, user->username);
  _nod_fake_json_add_string (writer, "web_url", url->str);
}

static void
add_user (NodFakeGitlab     *self,
          NodFakeJsonWriter *writer,
          const char        *member,
          NodFakeUser       *user)
{
  if (user == NULL)
    {
      _nod_fake_json_add_null (writer, member);
      return;
    }
  _nod_fake_json_begin_object (writer, member);
  add_user_fields (self, writer, user);
  _nod_fake_json_end_object (writer);
}

static void
add_users (NodFakeGitlab     *self,
           NodFakeJsonWriter *writer,
           const char        *member,
           GPtrArray         *users)
{
  _nod_fake_json_begin_array (writer, member);
  for (guint i = 0; i < users->len; i++)
    add_user (self, writer, NULL, g_ptr_array_index (users, i));
  _nod_fake_json_end_array (writer);
}

static void
add_empty_array (NodFakeJsonWriter *writer,
                 const char        *member)
{
  _nod_fake_json_begin_array (writer, member);
  _nod_fake_json_end_array (writer);
}

void
_nod_fake_json_write_current_user (NodFakeGitlab     *self,
                                   NodFakeJsonWriter *writer,
                                   NodFakeUser       *user)
{
  GString *email;

  _nod_fake_json_begin_object (writer, NULL);
  add_user_fields (self, writer, user);
  _nod_fake_json_add_string (writer, "created_at", "2019-03-14T09:26:53.589Z");
  _nod_fake_json_add_string (writer, "bio", "");
  email = begin_scratch (writer);
  g_string_append (email, user->username);
  g_string_append (email, "@example.org");
  _nod_fake_json_add_string (writer, "public_email", email->str);
  _nod_fake_json_add_bool (writer, "bot", FALSE);
  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_project (NodFakeGitlab     *self,
                              NodFakeJsonWriter *writer,
                              NodFakeProject    *project)
{
  GString *url;

  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", project->id);
  _nod_fake_json_add_string (writer, "description", project->description);
  _nod_fake_json_add_string (writer, "name", project->name);
  _nod_fake_json_add_string (writer, "name_with_namespace", project->name_with_namespace);
  _nod_fake_json_add_string (writer, "path", project->path);
  _nod_fake_json_add_string (writer, "path_with_namespace", project->path_with_namespace);
  _nod_fake_json_add_string (writer, "default_branch", project->default_branch);
  url = begin_scratch (writer);
  g_string_append (url, self->base_url);
  g_string_append_c (url, '/');
  g_string_append (url, project->path_with_namespace);
  _nod_fake_json_add_string (writer, "web_url", url->str);
  g_string_append (url, ".git");
  _nod_fake_json_add_string (writer, "http_url_to_repo", url->str);
  _nod_fake_json_add_null (writer, "avatar_url");
  _nod_fake_json_begin_object (writer, "namespace");
  _nod_fake_json_add_int (writer, "id", project->namespace_id);
  _nod_fake_json_add_string (writer, "name", project->namespace_name);
  _nod_fake_json_add_string (writer, "path", project->namespace_path);
  _nod_fake_json_add_string (writer, "kind", "group");
  _nod_fake_json_add_string (writer, "full_path", project->namespace_path);
  _nod_fake_json_add_null (writer, "parent_id");
  url = begin_scratch (writer);
  g_string_append (url, self->base_url);
  g_string_append (url, "/groups/");
  g_string_append (url, project->namespace_path);
  _nod_fake_json_add_string (writer, "web_url", url->str);
  _nod_fake_json_end_object (writer);
  _nod_fake_json_end_object (writer);
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
  const char *line = description;

  *count = 0;
  *completed = 0;
  while (line != NULL)
    {
      const char *next = strchr (line, '\n');

      while (*line == ' ')
        line++;
      /* Each test stops at the line's end: '\n' is none of the characters looked for. */
      if ((line[0] == '-' || line[0] == '*') && line[1] == ' ' && line[2] == '['
          && line[3] != '\0' && line[3] != '\n' && line[4] == ']')
        {
          if (line[3] == ' ')
            (*count)++;
          else if (line[3] == 'x' || line[3] == 'X')
            {
              (*count)++;
              (*completed)++;
            }
        }
      line = next != NULL ? next + 1 : NULL;
    }
}

/* "!IID", or "PATH!IID" with a path */
static const char *
reference (NodFakeJsonWriter *writer,
           const char        *path,
           gint64             iid)
{
  GString *text = begin_scratch (writer);

  if (path != NULL)
    g_string_append (text, path);
  g_string_append_c (text, '!');
  append_int (text, iid);
  return text->str;
}

void
_nod_fake_json_write_merge_request (NodFakeGitlab       *self,
                                    NodFakeJsonWriter   *writer,
                                    NodFakeMergeRequest *merge_request,
                                    gboolean             single)
{
  NodFakeProject *project = merge_request->project;
  gboolean draft = nod_fake_merge_request_is_draft (merge_request);
  guint task_count, tasks_completed;
  GString *web_url;

  count_tasks (merge_request->description, &task_count, &tasks_completed);

  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", merge_request->id);
  _nod_fake_json_add_int (writer, "iid", merge_request->iid);
  _nod_fake_json_add_int (writer, "project_id", project->id);
  _nod_fake_json_add_string (writer, "title", merge_request->title);
  _nod_fake_json_add_string (writer, "description", merge_request->description);
  _nod_fake_json_add_string (writer, "state",
                             nod_fake_mr_state_to_string (merge_request->state));
  _nod_fake_json_add_time (writer, "created_at", merge_request->created_at);
  _nod_fake_json_add_time (writer, "updated_at", merge_request->updated_at);
  add_user (self, writer, "merged_by", merge_request->merged_by);
  add_user (self, writer, "merge_user", merge_request->merged_by);
  _nod_fake_json_add_time (writer, "merged_at", merge_request->merged_at);
  add_user (self, writer, "closed_by", merge_request->closed_by);
  _nod_fake_json_add_time (writer, "closed_at", merge_request->closed_at);
  _nod_fake_json_add_string (writer, "target_branch", merge_request->target_branch);
  _nod_fake_json_add_string (writer, "source_branch", merge_request->source_branch);
  _nod_fake_json_add_int (writer, "user_notes_count",
                          nod_fake_merge_request_count_user_notes (merge_request));
  _nod_fake_json_add_int (writer, "upvotes", 0);
  _nod_fake_json_add_int (writer, "downvotes", 0);
  add_user (self, writer, "author", merge_request->author);
  add_users (self, writer, "assignees", merge_request->assignees);
  add_user (self, writer, "assignee",
            merge_request->assignees->len > 0 ? g_ptr_array_index (merge_request->assignees, 0)
                                              : NULL);
  add_users (self, writer, "reviewers", merge_request->reviewers);
  _nod_fake_json_add_int (writer, "source_project_id", project->id);
  _nod_fake_json_add_int (writer, "target_project_id", project->id);
  _nod_fake_json_begin_array (writer, "labels");
  for (guint i = 0; merge_request->labels[i] != NULL; i++)
    _nod_fake_json_add_string (writer, NULL, merge_request->labels[i]);
  _nod_fake_json_end_array (writer);
  _nod_fake_json_add_bool (writer, "draft", draft);
  _nod_fake_json_add_bool (writer, "work_in_progress", draft);
  _nod_fake_json_add_null (writer, "milestone");
  _nod_fake_json_add_bool (writer, "merge_when_pipeline_succeeds", FALSE);
  _nod_fake_json_add_string (writer, "merge_status",
                             merge_request->has_conflicts ? "cannot_be_merged"
                                                          : "can_be_merged");
  _nod_fake_json_add_string (writer, "detailed_merge_status",
                             detailed_merge_status (merge_request));
  _nod_fake_json_add_string (writer, "sha", merge_request->head_sha);
  if (merge_request->state == NOD_FAKE_MR_MERGED)
    {
      char merge_commit_sha[NOD_FAKE_SHA_LENGTH + 1];

      nod_fake_hex_id ((guint64) merge_request->id * 4, merge_commit_sha);
      _nod_fake_json_add_string (writer, "merge_commit_sha", merge_commit_sha);
    }
  else
    {
      _nod_fake_json_add_null (writer, "merge_commit_sha");
    }
  _nod_fake_json_add_null (writer, "squash_commit_sha");
  _nod_fake_json_add_null (writer, "discussion_locked");
  _nod_fake_json_add_null (writer, "should_remove_source_branch");
  _nod_fake_json_add_bool (writer, "force_remove_source_branch", TRUE);
  _nod_fake_json_add_string (writer, "reference",
                             reference (writer, NULL, merge_request->iid));
  _nod_fake_json_begin_object (writer, "references");
  _nod_fake_json_add_string (writer, "short", reference (writer, NULL, merge_request->iid));
  _nod_fake_json_add_string (writer, "relative", reference (writer, NULL, merge_request->iid));
  _nod_fake_json_add_string (writer, "full",
                             reference (writer, project->path_with_namespace,
                                        merge_request->iid));
  _nod_fake_json_end_object (writer);
  web_url = begin_scratch (writer);
  g_string_append (web_url, self->base_url);
  g_string_append_c (web_url, '/');
  g_string_append (web_url, project->path_with_namespace);
  g_string_append (web_url, "/-/merge_requests/");
  append_int (web_url, merge_request->iid);
  _nod_fake_json_add_string (writer, "web_url", web_url->str);
  _nod_fake_json_add_bool (writer, "squash", FALSE);
  _nod_fake_json_add_bool (writer, "squash_on_merge", FALSE);
  _nod_fake_json_begin_object (writer, "task_completion_status");
  _nod_fake_json_add_int (writer, "count", task_count);
  _nod_fake_json_add_int (writer, "completed_count", tasks_completed);
  _nod_fake_json_end_object (writer);
  _nod_fake_json_add_bool (writer, "has_conflicts", merge_request->has_conflicts);
  _nod_fake_json_add_bool (writer, "blocking_discussions_resolved",
                           !nod_fake_merge_request_has_unresolved_threads (merge_request));

  if (single)
    {
      GString *changes_count = begin_scratch (writer);

      NodFakeRepository *repository = merge_request->project->repository;
      NodFakeCommit *start = nod_fake_repository_find_commit (repository,
                                                              merge_request->start_sha);
      NodFakeCommit *head = nod_fake_repository_find_commit (repository,
                                                             merge_request->head_sha);

      append_int (changes_count,
                  start != NULL && head != NULL
                  ? (gint64) nod_fake_repository_count_changes (repository, start, head)
                  : (gint64) merge_request->commit_count * 3);
      _nod_fake_json_add_bool (writer, "subscribed", TRUE);
      _nod_fake_json_add_string (writer, "changes_count", changes_count->str);
      _nod_fake_json_add_bool (writer, "first_contribution", FALSE);
      _nod_fake_json_begin_object (writer, "diff_refs");
      _nod_fake_json_add_string (writer, "base_sha", merge_request->base_sha);
      _nod_fake_json_add_string (writer, "head_sha", merge_request->head_sha);
      _nod_fake_json_add_string (writer, "start_sha", merge_request->start_sha);
      _nod_fake_json_end_object (writer);
      _nod_fake_json_add_null (writer, "merge_error");
      /* The single merge request names its head pipeline (the list does not). */
      if (merge_request->pipelines->len > 0)
        _nod_fake_json_write_pipeline (self, writer, merge_request,
                                       &g_array_index (merge_request->pipelines,
                                                       NodFakePipeline,
                                                       merge_request->pipelines->len - 1),
                                       "head_pipeline");
      else
        _nod_fake_json_add_null (writer, "head_pipeline");
      _nod_fake_json_begin_object (writer, "user");
      _nod_fake_json_add_bool (writer, "can_merge", TRUE);
      _nod_fake_json_end_object (writer);
    }

  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_approvals (NodFakeGitlab       *self,
                                NodFakeJsonWriter   *writer,
                                NodFakeMergeRequest *merge_request,
                                NodFakeUser         *current_user)
{
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

  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", merge_request->id);
  _nod_fake_json_add_int (writer, "iid", merge_request->iid);
  _nod_fake_json_add_int (writer, "project_id", merge_request->project->id);
  _nod_fake_json_add_string (writer, "title", merge_request->title);
  _nod_fake_json_add_string (writer, "description", merge_request->description);
  _nod_fake_json_add_string (writer, "state",
                             nod_fake_mr_state_to_string (merge_request->state));
  _nod_fake_json_add_time (writer, "created_at", merge_request->created_at);
  _nod_fake_json_add_time (writer, "updated_at", merge_request->updated_at);
  _nod_fake_json_add_string (writer, "merge_status",
                             merge_request->has_conflicts ? "cannot_be_merged"
                                                          : "can_be_merged");
  _nod_fake_json_add_bool (writer, "approved", approved);
  _nod_fake_json_add_int (writer, "approvals_required", merge_request->approvals_required);
  _nod_fake_json_add_int (writer, "approvals_left", approvals_left);
  _nod_fake_json_add_bool (writer, "require_password_to_approve", FALSE);
  _nod_fake_json_begin_array (writer, "approved_by");
  for (guint i = 0; i < approvals; i++)
    {
      _nod_fake_json_begin_object (writer, NULL);
      add_user (self, writer, "user", g_ptr_array_index (merge_request->approved_by, i));
      _nod_fake_json_end_object (writer);
    }
  _nod_fake_json_end_array (writer);
  /* Assumed: who GitLab suggests is modelled as the reviewers not approved yet (GitLab
   * suggests the eligible approvers of its rules, which the fake does not have). */
  _nod_fake_json_begin_array (writer, "suggested_approvers");
  for (guint i = 0; i < merge_request->reviewers->len; i++)
    {
      NodFakeUser *reviewer = g_ptr_array_index (merge_request->reviewers, i);

      if (reviewer != merge_request->author
          && !nod_fake_merge_request_has_approved (merge_request, reviewer))
        add_user (self, writer, NULL, reviewer);
    }
  _nod_fake_json_end_array (writer);
  add_empty_array (writer, "approvers");
  add_empty_array (writer, "approver_groups");
  _nod_fake_json_add_bool (writer, "user_has_approved", user_has_approved);
  _nod_fake_json_add_bool (writer, "user_can_approve", user_can_approve);
  add_empty_array (writer, "approval_rules_left");
  _nod_fake_json_add_bool (writer, "has_approval_rules", FALSE);
  _nod_fake_json_add_bool (writer, "merge_request_approvers_available", FALSE);
  _nod_fake_json_add_bool (writer, "multiple_approval_rules_available", FALSE);
  _nod_fake_json_end_object (writer);
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

static void
add_line (NodFakeJsonWriter *writer,
          const char        *member,
          gint64             line)
{
  if (line > 0)
    _nod_fake_json_add_int (writer, member, line);
  else
    _nod_fake_json_add_null (writer, member);
}

static void
write_line_range_end (NodFakeJsonWriter *writer,
                      const char        *member,
                      const char        *path,
                      gint64             old_line,
                      gint64             new_line)
{
  g_autofree char *line_code = nod_fake_line_code (path, (guint) old_line, (guint) new_line);

  _nod_fake_json_begin_object (writer, member);
  _nod_fake_json_add_string (writer, "line_code", line_code);
  _nod_fake_json_add_string (writer, "type", old_line == 0 ? "new"
                                             : (new_line == 0 ? "old" : NULL));
  add_line (writer, "old_line", old_line);
  add_line (writer, "new_line", new_line);
  _nod_fake_json_end_object (writer);
}

static void
write_position (NodFakeJsonWriter     *writer,
                const char            *member,
                const NodFakePosition *position)
{
  _nod_fake_json_begin_object (writer, member);
  _nod_fake_json_add_string (writer, "base_sha", position->base_sha);
  _nod_fake_json_add_string (writer, "start_sha", position->start_sha);
  _nod_fake_json_add_string (writer, "head_sha", position->head_sha);
  _nod_fake_json_add_string (writer, "old_path", position->old_path);
  _nod_fake_json_add_string (writer, "new_path", position->new_path);
  _nod_fake_json_add_string (writer, "position_type", "text");
  add_line (writer, "old_line", position->old_line);
  add_line (writer, "new_line", position->new_line);
  if (position->has_line_range)
    {
      _nod_fake_json_begin_object (writer, "line_range");
      write_line_range_end (writer, "start", position->new_path,
                            position->range_start_old_line, position->range_start_new_line);
      write_line_range_end (writer, "end", position->new_path,
                            position->range_end_old_line, position->range_end_new_line);
      _nod_fake_json_end_object (writer);
    }
  else
    {
      _nod_fake_json_add_null (writer, "line_range");
    }
  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_note (NodFakeGitlab       *self,
                           NodFakeJsonWriter   *writer,
                           NodFakeMergeRequest *merge_request,
                           NodFakeNote         *note)
{
  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", note->id);
  _nod_fake_json_add_string (writer, "type", note_type_to_string (note->type));
  _nod_fake_json_add_string (writer, "body", note->body);
  _nod_fake_json_add_null (writer, "attachment");
  add_user (self, writer, "author", note->author);
  _nod_fake_json_add_time (writer, "created_at", note->created_at);
  _nod_fake_json_add_time (writer, "updated_at", note->updated_at);
  _nod_fake_json_add_bool (writer, "system", note->system);
  _nod_fake_json_add_int (writer, "noteable_id", merge_request->id);
  _nod_fake_json_add_string (writer, "noteable_type", "MergeRequest");
  _nod_fake_json_add_int (writer, "project_id", merge_request->project->id);
  _nod_fake_json_add_null (writer, "commit_id");
  if (note->position != NULL)
    {
      write_position (writer, "position", note->position);
      write_position (writer, "original_position",
                      note->original_position != NULL ? note->original_position
                                                      : note->position);
    }
  _nod_fake_json_add_bool (writer, "resolvable", note->resolvable);
  /* Like GitLab, resolution fields exist only on notes that can be resolved. */
  if (note->resolvable)
    {
      _nod_fake_json_add_bool (writer, "resolved", note->resolved);
      add_user (self, writer, "resolved_by", note->resolved ? note->resolved_by : NULL);
      _nod_fake_json_add_time (writer, "resolved_at", note->resolved ? note->resolved_at : 0);
    }
  _nod_fake_json_add_bool (writer, "confidential", FALSE);
  _nod_fake_json_add_bool (writer, "internal", FALSE);
  _nod_fake_json_add_bool (writer, "imported", FALSE);
  _nod_fake_json_add_string (writer, "imported_from", "none");
  _nod_fake_json_add_int (writer, "noteable_iid", merge_request->iid);
  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_draft_note (NodFakeJsonWriter   *writer,
                                 NodFakeMergeRequest *merge_request,
                                 NodFakeDraftNote    *draft,
                                 const char          *line_code)
{
  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", draft->id);
  _nod_fake_json_add_int (writer, "author_id", draft->author->id);
  _nod_fake_json_add_int (writer, "merge_request_id", merge_request->id);
  _nod_fake_json_add_bool (writer, "resolve_discussion", draft->resolve_discussion);
  _nod_fake_json_add_string (writer, "discussion_id", draft->discussion_id);
  _nod_fake_json_add_string (writer, "note", draft->note);
  _nod_fake_json_add_string (writer, "commit_id", draft->commit_id);
  _nod_fake_json_add_string (writer, "line_code", line_code);
  if (draft->position != NULL)
    _nod_fake_json_add_node (writer, "position", draft->position);
  else
    _nod_fake_json_add_null (writer, "position");
  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_discussion (NodFakeGitlab       *self,
                                 NodFakeJsonWriter   *writer,
                                 NodFakeMergeRequest *merge_request,
                                 NodFakeDiscussion   *discussion)
{
  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_string (writer, "id", discussion->id);
  _nod_fake_json_add_bool (writer, "individual_note", discussion->individual_note);
  _nod_fake_json_begin_array (writer, "notes");
  for (guint i = 0; i < discussion->notes->len; i++)
    _nod_fake_json_write_note (self, writer, merge_request,
                               g_ptr_array_index (discussion->notes, i));
  _nod_fake_json_end_array (writer);
  _nod_fake_json_end_object (writer);
}

static void
add_unidiff_path (GString    *text,
                  const char *side,
                  const char *path,
                  gboolean    absent)
{
  g_string_append (text, side);
  g_string_append (text, absent ? "/dev/null" : path);
  g_string_append_c (text, '\n');
}

void
_nod_fake_json_write_file_diff (NodFakeJsonWriter *writer,
                                NodFakeFileDiff   *file_diff,
                                gboolean           unidiff)
{
  _nod_fake_json_begin_object (writer, NULL);
  if (unidiff && *file_diff->diff != '\0' && !file_diff->binary)
    {
      GString *text = begin_scratch (writer);
      g_autofree char *old_side = g_strconcat ("a/", file_diff->old_path, NULL);
      g_autofree char *new_side = g_strconcat ("b/", file_diff->new_path, NULL);

      add_unidiff_path (text, "--- ", old_side, file_diff->new_file);
      add_unidiff_path (text, "+++ ", new_side, file_diff->deleted_file);
      g_string_append (text, file_diff->diff);
      _nod_fake_json_add_string (writer, "diff", text->str);
    }
  else
    {
      _nod_fake_json_add_string (writer, "diff", file_diff->diff);
    }
  _nod_fake_json_add_bool (writer, "collapsed", file_diff->collapsed);
  _nod_fake_json_add_bool (writer, "too_large", file_diff->too_large);
  _nod_fake_json_add_string (writer, "new_path", file_diff->new_path);
  _nod_fake_json_add_string (writer, "old_path", file_diff->old_path);
  _nod_fake_json_add_string (writer, "a_mode", file_diff->new_file ? "0" : "100644");
  _nod_fake_json_add_string (writer, "b_mode", file_diff->deleted_file ? "0" : "100644");
  _nod_fake_json_add_bool (writer, "new_file", file_diff->new_file);
  _nod_fake_json_add_bool (writer, "renamed_file", file_diff->renamed_file);
  _nod_fake_json_add_bool (writer, "deleted_file", file_diff->deleted_file);
  _nod_fake_json_add_bool (writer, "generated_file", file_diff->generated_file);
  _nod_fake_json_end_object (writer);
}

/* A commit as GitLab's Commit entity has it (a version's commits[], the MR commits
 * list). */
void
_nod_fake_json_write_commit (NodFakeGitlab       *self,
                             NodFakeJsonWriter   *writer,
                             NodFakeMergeRequest *merge_request,
                             NodFakeCommit       *commit)
{
  GString *url = begin_scratch (writer);
  char short_id[9];
  g_autofree char *name = g_ascii_strdown (commit->author_name, -1);
  g_autofree char *email = NULL;

  g_strlcpy (short_id, commit->sha, sizeof short_id);
  g_strdelimit (name, " ", '.');
  email = g_strconcat (name, "@example.com", NULL);
  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_string (writer, "id", commit->sha);
  _nod_fake_json_add_string (writer, "short_id", short_id);
  _nod_fake_json_add_time (writer, "created_at", commit->created_at);
  _nod_fake_json_begin_array (writer, "parent_ids");
  if (*commit->parent_sha != '\0')
    _nod_fake_json_add_string (writer, NULL, commit->parent_sha);
  _nod_fake_json_end_array (writer);
  _nod_fake_json_add_string (writer, "title", commit->title);
  _nod_fake_json_add_string (writer, "message", commit->title);
  _nod_fake_json_add_string (writer, "author_name", commit->author_name);
  _nod_fake_json_add_string (writer, "author_email", email);
  _nod_fake_json_add_time (writer, "authored_date", commit->created_at);
  _nod_fake_json_add_string (writer, "committer_name", commit->author_name);
  _nod_fake_json_add_string (writer, "committer_email", email);
  _nod_fake_json_add_time (writer, "committed_date", commit->created_at);
  _nod_fake_json_begin_object (writer, "trailers");
  _nod_fake_json_end_object (writer);
  g_string_append (url, self->base_url);
  g_string_append_c (url, '/');
  g_string_append (url, merge_request->project->path_with_namespace);
  g_string_append (url, "/-/commit/");
  g_string_append (url, commit->sha);
  _nod_fake_json_add_string (writer, "web_url", url->str);
  _nod_fake_json_end_object (writer);
}

void
_nod_fake_json_write_version (NodFakeGitlab       *self,
                              NodFakeJsonWriter   *writer,
                              NodFakeMergeRequest *merge_request,
                              NodFakeVersion      *version,
                              gboolean             detailed)
{
  NodFakeRepository *repository = merge_request->project->repository;
  NodFakeCommit *start = nod_fake_repository_find_commit (repository, version->start_sha);
  NodFakeCommit *head = nod_fake_repository_find_commit (repository, version->head_sha);
  guint real_size = start != NULL && head != NULL
                    ? nod_fake_repository_count_changes (repository, start, head) : 0;
  char size_text[16];

  g_snprintf (size_text, sizeof size_text, "%u", real_size);
  _nod_fake_json_begin_object (writer, NULL);
  _nod_fake_json_add_int (writer, "id", version->id);
  _nod_fake_json_add_string (writer, "head_commit_sha", version->head_sha);
  _nod_fake_json_add_string (writer, "base_commit_sha", version->base_sha);
  _nod_fake_json_add_string (writer, "start_commit_sha", version->start_sha);
  _nod_fake_json_add_time (writer, "created_at", version->created_at);
  _nod_fake_json_add_int (writer, "merge_request_id", merge_request->id);
  _nod_fake_json_add_string (writer, "state", "collected");
  _nod_fake_json_add_string (writer, "real_size", size_text);
  if (detailed)
    {
      g_autoptr(GPtrArray) file_diffs = NULL;

      /* The version's own commits, newest first: from its head back to its start. */
      _nod_fake_json_begin_array (writer, "commits");
      for (NodFakeCommit *commit = head; commit != NULL && commit != start;
           commit = nod_fake_repository_find_commit (repository, commit->parent_sha))
        _nod_fake_json_write_commit (self, writer, merge_request, commit);
      _nod_fake_json_end_array (writer);

      _nod_fake_json_begin_array (writer, "diffs");
      if (start != NULL && head != NULL)
        file_diffs = nod_fake_repository_diff (repository, start, head);
      for (guint i = 0; file_diffs != NULL && i < file_diffs->len; i++)
        _nod_fake_json_write_file_diff (writer, g_ptr_array_index (file_diffs, i), FALSE);
      _nod_fake_json_end_array (writer);
    }
  _nod_fake_json_end_object (writer);
}

/* A pipeline as GitLab's basic Pipeline entity has it (the MR pipelines list, and the
 * merge request's head_pipeline). */
void
_nod_fake_json_write_pipeline (NodFakeGitlab       *self,
                               NodFakeJsonWriter   *writer,
                               NodFakeMergeRequest *merge_request,
                               NodFakePipeline     *pipeline,
                               const char          *member)
{
  GString *web_url;

  _nod_fake_json_begin_object (writer, member);
  _nod_fake_json_add_int (writer, "id", pipeline->id);
  _nod_fake_json_add_int (writer, "project_id", merge_request->project->id);
  _nod_fake_json_add_string (writer, "sha", pipeline->sha);
  _nod_fake_json_add_string (writer, "ref", merge_request->source_branch);
  _nod_fake_json_add_string (writer, "status", pipeline->status);
  _nod_fake_json_add_string (writer, "source", "merge_request_event");
  _nod_fake_json_add_time (writer, "created_at", pipeline->created_at);
  _nod_fake_json_add_time (writer, "updated_at", pipeline->updated_at);
  web_url = begin_scratch (writer);
  g_string_append (web_url, self->base_url);
  g_string_append_c (web_url, '/');
  g_string_append (web_url, merge_request->project->path_with_namespace);
  g_string_append (web_url, "/-/pipelines/");
  append_int (web_url, pipeline->id);
  _nod_fake_json_add_string (writer, "web_url", web_url->str);
  _nod_fake_json_end_object (writer);
}
