/* nod-gitlab-json.c: GitLab's JSON into Nod's model objects, checked at every step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever the server sends is treated as untrusted: every node's type is checked
 * before it is read, strings are bounded, and anything odd becomes a
 * NOD_FORGE_ERROR_PROTOCOL error naming the field, never a crash.
 */

#define G_LOG_DOMAIN "nod-gitlab"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nod-forge-models-private.h"
#include "nod-gitlab-json.h"
#include "nod-commit.h"
#include "nod-pipeline.h"

/* Ids GitLab gives threads (40 hex digits) and commits (40 or 64) are short. */
#define SHORT_ID_MAX_CHARS 64

typedef enum
{
  FIELD_OPTIONAL,
  FIELD_REQUIRED,
} FieldNeed;

static gboolean
fail_field (GError     **error,
            const char  *field)
{
  g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
               _("GitLab sent an answer Nod could not read (field “%s”)"), field);
  return FALSE;
}

static JsonObject *
expect_object (JsonNode    *node,
               const char  *what,
               GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail_field (error, what);
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* Cuts @text to @max_chars characters, marking the cut. */
static char *
bounded_copy (const char *text,
              gsize       max_chars)
{
  g_autofree char *head = NULL;
  const char *end = text;
  gsize count = 0;

  while (*end != '\0' && count < max_chars)
    {
      end = g_utf8_next_char (end);
      count++;
    }

  if (*end == '\0')
    return g_strdup (text);

  head = g_strndup (text, end - text);
  return g_strconcat (head, "…", NULL);
}

static gboolean
read_string (JsonObject  *object,
             const char  *member,
             gsize        max_chars,
             FieldNeed    need,
             char       **out_value,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (is_absent (node))
    {
      if (need == FIELD_REQUIRED)
        return fail_field (error, member);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_field (error, member);

  g_free (*out_value);
  *out_value = bounded_copy (json_node_get_string (node), max_chars);
  return TRUE;
}

/* GitLab's thread and commit ids: short, letters and digits only. They end up in URLs
 * and SQL, so anything else is refused rather than escaped. */
gboolean
_nod_gitlab_json_is_plain_id (const char *id)
{
  gsize length = strlen (id);

  if (length == 0 || length > SHORT_ID_MAX_CHARS)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]))
      return FALSE;
  return TRUE;
}

static gboolean
read_id_string (JsonObject  *object,
                const char  *member,
                FieldNeed    need,
                char       **out_value,
                GError     **error)
{
  g_autofree char *value = NULL;

  if (!read_string (object, member, SHORT_ID_MAX_CHARS + 1, need, &value, error))
    return FALSE;

  if (value != NULL && !_nod_gitlab_json_is_plain_id (value))
    return fail_field (error, member);

  g_free (*out_value);
  *out_value = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *member,
          FieldNeed    need,
          gint64      *out_value,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (is_absent (node))
    return need == FIELD_REQUIRED ? fail_field (error, member) : TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail_field (error, member);

  *out_value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_positive_id (JsonObject  *object,
                  const char  *member,
                  gint64      *out_value,
                  GError     **error)
{
  if (!read_int (object, member, FIELD_REQUIRED, out_value, error))
    return FALSE;
  if (*out_value <= 0)
    return fail_field (error, member);
  return TRUE;
}

static gboolean
read_bool (JsonObject  *object,
           const char  *member,
           gboolean    *out_value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (is_absent (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail_field (error, member);

  *out_value = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_datetime (JsonObject  *object,
               const char  *member,
               FieldNeed    need,
               GDateTime  **out_value,
               GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GDateTime *value;

  if (!read_string (object, member, SHORT_ID_MAX_CHARS, need, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  value = g_date_time_new_from_iso8601 (text, utc);
  if (value == NULL)
    return fail_field (error, member);

  g_clear_pointer (out_value, g_date_time_unref);
  *out_value = value;
  return TRUE;
}

static gboolean
read_user (JsonObject  *object,
           const char  *member,
           FieldNeed    need,
           NodUser    **out_user,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  GObject *user;

  if (is_absent (node))
    return need == FIELD_REQUIRED ? fail_field (error, member) : TRUE;

  user = _nod_gitlab_json_parse_user (node, error);
  if (user == NULL)
    return FALSE;

  g_clear_object (out_user);
  *out_user = NOD_USER (user);
  return TRUE;
}

/* An array of users, each either a user object or {"user": {…}} (approved_by). */
static gboolean
read_users (JsonObject  *object,
            const char  *member,
            GPtrArray   *into,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_field (error, member);

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      GObject *user;

      if (JSON_NODE_HOLDS_OBJECT (item) &&
          json_object_has_member (json_node_get_object (item), "user"))
        item = json_object_get_member (json_node_get_object (item), "user");

      user = _nod_gitlab_json_parse_user (item, error);
      if (user == NULL)
        return FALSE;
      g_ptr_array_add (into, user);
    }

  return TRUE;
}

/* TRUE if @data is one object or array, nested no deeper than the limit, with nothing but
 * blanks around it, checked outside strings without parsing. json-glib 1.6 takes more
 * ("0{…}", two documents in a row), keeps one value and leaks the others. */
static gboolean
is_one_bounded_document (const char *data,
                         gsize       length)
{
  gboolean in_string = FALSE;
  gboolean started = FALSE;
  int depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        continue;
      else if (depth == 0 && (started || (c != '[' && c != '{')))
        return FALSE;   /* something before the document, or after it */
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          started = TRUE;
          if (++depth > NOD_GITLAB_JSON_MAX_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }

  return started && depth == 0;
}

JsonNode *
_nod_gitlab_json_parse (GBytes  *body,
                        GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  g_autoptr(GError) parse_error = NULL;

  if (data == NULL || length == 0 || !is_one_bounded_document (data, length) ||
      !json_parser_load_from_data (parser, data, (gssize) length, &parse_error) ||
      json_parser_get_root (parser) == NULL)
    {
      if (parse_error != NULL)
        g_debug ("Unreadable JSON: %s", parse_error->message);
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                   _("GitLab sent an answer Nod could not read"));
      return NULL;
    }

  return json_parser_steal_root (parser);
}

/* JSON Nod wrote itself and kept (a payload, a cursor): read as GitLab's is, one document
 * and bounded, since a damaged or tampered file is no more to be trusted.
 *
 * Returns: (transfer full) (nullable): the document, or %NULL */
JsonNode *
_nod_gitlab_json_parse_text (const char *text)
{
  g_autoptr(GBytes) bytes = NULL;

  if (text == NULL)
    return NULL;
  bytes = g_bytes_new_static (text, strlen (text));
  return _nod_gitlab_json_parse (bytes, NULL);
}

/* GitLab's error answers carry {"message": "…"} or {"error": "…"}; validation errors
 * carry {"message": {"field": ["is wrong"]}}. */
char *
_nod_gitlab_json_error_message (GBytes *body)
{
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse (body, NULL);
  JsonObject *object;
  JsonNode *message;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  message = json_object_get_member (object, "message");
  if (message == NULL)
    message = json_object_get_member (object, "error");
  if (message == NULL || JSON_NODE_HOLDS_NULL (message))
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (message) && json_node_get_value_type (message) == G_TYPE_STRING)
    return bounded_copy (json_node_get_string (message), NOD_GITLAB_SHORT_TEXT_MAX_CHARS);

  return json_to_string (message, FALSE);
}

GPtrArray *
_nod_gitlab_json_parse_array (JsonNode           *node,
                              NodGitlabParseFunc  parse_item,
                              GError            **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_field (error, "[]");
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      GObject *item = parse_item (json_array_get_element (array, i), error);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (items, item);
    }

  return g_steal_pointer (&items);
}

/* An avatar is only decoration: an odd one (not a string, too long to be a URL) is none,
 * never a reason to refuse the user. A cut URL would name another file, so none either. */
static char *
read_avatar_url (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "avatar_url");
  const char *url;

  if (is_absent (node) || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  url = json_node_get_string (node);
  if (*url == '\0' || strlen (url) > NOD_GITLAB_SHORT_TEXT_MAX_CHARS)
    return NULL;
  return g_strdup (url);
}

/* Who resolved a note's thread, and when: shown, never relied on, so an odd value is
 * left out rather than refusing the note. */
static void
read_resolver (JsonObject *object,
               NodNote    *note)
{
  JsonNode *node = json_object_get_member (object, "resolved_by");
  g_autoptr(GError) ignored = NULL;

  if (!is_absent (node) && JSON_NODE_HOLDS_OBJECT (node))
    note->resolved_by = NOD_USER (_nod_gitlab_json_parse_user (node, &ignored));
  if (!read_datetime (object, "resolved_at", FIELD_OPTIONAL, &note->resolved_at, NULL))
    g_clear_pointer (&note->resolved_at, g_date_time_unref);
}

GObject *
_nod_gitlab_json_parse_user (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(NodUser) user = g_object_new (NOD_TYPE_USER, NULL);
  JsonObject *object = expect_object (node, "user", error);

  if (object == NULL ||
      !read_positive_id (object, "id", &user->id, error) ||
      !read_string (object, "username", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &user->username, error) ||
      !read_string (object, "name", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &user->name, error) ||
      !read_string (object, "web_url", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &user->web_url, error))
    return NULL;
  user->avatar_url = read_avatar_url (object);

  return G_OBJECT (g_steal_pointer (&user));
}

GObject *
_nod_gitlab_json_parse_project (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(NodProject) project = g_object_new (NOD_TYPE_PROJECT, NULL);
  JsonObject *object = expect_object (node, "project", error);

  if (object == NULL ||
      !read_positive_id (object, "id", &project->id, error) ||
      !read_string (object, "path_with_namespace", NOD_GITLAB_SHORT_TEXT_MAX_CHARS,
                    FIELD_REQUIRED, &project->path_with_namespace, error) ||
      !read_string (object, "name", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &project->name, error) ||
      !read_string (object, "web_url", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &project->web_url, error) ||
      !read_string (object, "default_branch", NOD_GITLAB_SHORT_TEXT_MAX_CHARS,
                    FIELD_OPTIONAL, &project->default_branch, error))
    return NULL;

  return G_OBJECT (g_steal_pointer (&project));
}

static gboolean
read_merge_request_state (JsonObject            *object,
                          NodMergeRequestState  *out_state,
                          GError               **error)
{
  static const struct { const char *name; NodMergeRequestState state; } states[] = {
    { "opened", NOD_MERGE_REQUEST_OPENED },
    { "closed", NOD_MERGE_REQUEST_CLOSED },
    { "merged", NOD_MERGE_REQUEST_MERGED },
    { "locked", NOD_MERGE_REQUEST_LOCKED },
  };
  g_autofree char *name = NULL;

  if (!read_string (object, "state", 16, FIELD_REQUIRED, &name, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    if (g_str_equal (name, states[i].name))
      {
        *out_state = states[i].state;
        return TRUE;
      }

  return fail_field (error, "state");
}

/* GitLab's "labels": names (objects with with_labels_details, which Nod does not ask
 * for, are skipped), bounded in count and length. */
static gboolean
read_labels (JsonObject  *object,
             GStrv       *out_labels,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, "labels");
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint kept = 0;

  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_field (error, "labels");

  builder = g_strv_builder_new ();
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array) && kept < NOD_MERGE_REQUEST_MAX_LABELS; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *label = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING)
        continue;
      label = bounded_copy (json_node_get_string (element), NOD_GITLAB_LABEL_MAX_CHARS);
      g_strv_builder_add (builder, label);
      kept++;
    }
  g_strfreev (*out_labels);
  *out_labels = g_strv_builder_end (builder);
  return TRUE;
}

GObject *
_nod_gitlab_json_parse_merge_request (JsonNode  *node,
                                      GError   **error)
{
  g_autoptr(NodMergeRequest) mr = g_object_new (NOD_TYPE_MERGE_REQUEST, NULL);
  JsonObject *object = expect_object (node, "merge request", error);
  JsonNode *references;
  gint64 notes_count = 0;
  gboolean work_in_progress = FALSE;

  if (object == NULL ||
      !read_positive_id (object, "id", &mr->id, error) ||
      !read_positive_id (object, "iid", &mr->iid, error) ||
      !read_positive_id (object, "project_id", &mr->project_id, error) ||
      !read_string (object, "title", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &mr->title, error) ||
      !read_string (object, "description", NOD_GITLAB_LONG_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->description, error) ||
      !read_merge_request_state (object, &mr->state, error) ||
      !read_bool (object, "draft", &mr->draft, error) ||
      !read_bool (object, "work_in_progress", &work_in_progress, error) ||
      !read_user (object, "author", FIELD_REQUIRED, &mr->author, error) ||
      !read_users (object, "reviewers", mr->reviewers, error) ||
      !read_users (object, "assignees", mr->assignees, error) ||
      !read_string (object, "source_branch", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->source_branch, error) ||
      !read_string (object, "target_branch", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->target_branch, error) ||
      !read_id_string (object, "sha", FIELD_OPTIONAL, &mr->sha, error) ||
      !read_string (object, "merge_status", SHORT_ID_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->merge_status, error) ||
      !read_string (object, "detailed_merge_status", SHORT_ID_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->merge_status, error) ||
      !read_bool (object, "has_conflicts", &mr->has_conflicts, error) ||
      !read_string (object, "web_url", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &mr->web_url, error) ||
      !read_datetime (object, "created_at", FIELD_OPTIONAL, &mr->created_at, error) ||
      !read_datetime (object, "updated_at", FIELD_REQUIRED, &mr->updated_at, error) ||
      !read_datetime (object, "merged_at", FIELD_OPTIONAL, &mr->merged_at, error) ||
      !read_datetime (object, "closed_at", FIELD_OPTIONAL, &mr->closed_at, error) ||
      !read_int (object, "user_notes_count", FIELD_OPTIONAL, &notes_count, error))
    return NULL;

  if (!read_labels (object, &mr->labels, error))
    return NULL;

  /* Older GitLab says work_in_progress where newer says draft. */
  mr->draft = mr->draft || work_in_progress;
  mr->user_notes_count = (guint) CLAMP (notes_count, 0, G_MAXUINT);

  references = json_object_get_member (object, "references");
  if (!is_absent (references))
    {
      JsonObject *references_object = expect_object (references, "references", error);

      if (references_object == NULL ||
          !read_string (references_object, "full", NOD_GITLAB_SHORT_TEXT_MAX_CHARS,
                        FIELD_OPTIONAL, &mr->reference, error))
        return NULL;
    }

  return G_OBJECT (g_steal_pointer (&mr));
}

/* Who may approve: GitLab's "suggested_approvers" (users), else its older "approvers"
 * ({"user": …}), bounded. */
static gboolean
read_approvers (JsonObject  *object,
                GPtrArray   *into,
                GError     **error)
{
  if (!read_users (object, "suggested_approvers", into, error))
    return FALSE;
  if (into->len == 0 && !read_users (object, "approvers", into, error))
    return FALSE;
  if (into->len > NOD_APPROVALS_MAX_SUGGESTED)
    g_ptr_array_set_size (into, NOD_APPROVALS_MAX_SUGGESTED);
  return TRUE;
}

GObject *
_nod_gitlab_json_parse_approvals (JsonNode  *node,
                                  GError   **error)
{
  g_autoptr(NodApprovals) approvals = g_object_new (NOD_TYPE_APPROVALS, NULL);
  JsonObject *object = expect_object (node, "approvals", error);
  gint64 required = -1, left = -1;

  if (object == NULL ||
      !read_int (object, "project_id", FIELD_OPTIONAL, &approvals->project_id, error) ||
      !read_int (object, "iid", FIELD_OPTIONAL, &approvals->iid, error) ||
      !read_users (object, "approved_by", approvals->approved_by, error) ||
      !read_bool (object, "user_has_approved", &approvals->user_has_approved, error) ||
      !read_bool (object, "user_can_approve", &approvals->user_can_approve, error) ||
      !read_int (object, "approvals_required", FIELD_OPTIONAL, &required, error) ||
      !read_int (object, "approvals_left", FIELD_OPTIONAL, &left, error) ||
      !read_approvers (object, approvals->suggested_approvers, error))
    return NULL;

  approvals->approvals_required = (int) CLAMP (required, -1, G_MAXINT);
  approvals->approvals_left = (int) CLAMP (left, -1, G_MAXINT);
  return G_OBJECT (g_steal_pointer (&approvals));
}

/* A position object (or null: none) into *@out_position. */
static gboolean
read_position_node (JsonNode          *node,
                    NodDiffPosition  **out_position,
                    GError           **error)
{
  NodDiffPosition *position;
  JsonObject *position_object;
  gboolean ok;

  if (is_absent (node))
    return TRUE;

  position_object = expect_object (node, "position", error);
  if (position_object == NULL)
    return FALSE;

  position = nod_diff_position_new ();
  ok = read_id_string (position_object, "base_sha", FIELD_OPTIONAL, &position->base_sha,
                       error) &&
       read_id_string (position_object, "start_sha", FIELD_OPTIONAL, &position->start_sha,
                       error) &&
       read_id_string (position_object, "head_sha", FIELD_OPTIONAL, &position->head_sha,
                       error) &&
       read_string (position_object, "old_path", NOD_GITLAB_SHORT_TEXT_MAX_CHARS,
                    FIELD_OPTIONAL, &position->old_path, error) &&
       read_string (position_object, "new_path", NOD_GITLAB_SHORT_TEXT_MAX_CHARS,
                    FIELD_OPTIONAL, &position->new_path, error) &&
       read_int (position_object, "old_line", FIELD_OPTIONAL, &position->old_line, error) &&
       read_int (position_object, "new_line", FIELD_OPTIONAL, &position->new_line, error);

  if (!ok)
    {
      nod_diff_position_free (position);
      return FALSE;
    }

  *out_position = position;
  return TRUE;
}

static gboolean
read_position (JsonObject        *object,
               NodDiffPosition  **out_position,
               GError           **error)
{
  return read_position_node (json_object_get_member (object, "position"), out_position, error);
}

/**
 * _nod_gitlab_json_parse_position:
 *
 * Reads a diff note's position as GitLab writes it (and Nod keeps it in a payload).
 *
 * Returns: (transfer full) (nullable): the position; %NULL and no error for a null
 */
NodDiffPosition *
_nod_gitlab_json_parse_position (JsonNode  *node,
                                 GError   **error)
{
  NodDiffPosition *position = NULL;

  read_position_node (node, &position, error);
  return position;
}

/* GitLab's text position: the three shas, both paths, and each line only where the
 * comment is on that side. */
void
_nod_gitlab_json_build_position (JsonBuilder           *builder,
                                 const NodDiffPosition *position)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "position_type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "base_sha");
  json_builder_add_string_value (builder, position->base_sha);
  json_builder_set_member_name (builder, "start_sha");
  json_builder_add_string_value (builder, position->start_sha);
  json_builder_set_member_name (builder, "head_sha");
  json_builder_add_string_value (builder, position->head_sha);
  json_builder_set_member_name (builder, "old_path");
  json_builder_add_string_value (builder, position->old_path);
  json_builder_set_member_name (builder, "new_path");
  json_builder_add_string_value (builder, position->new_path);
  if (position->old_line > 0)
    {
      json_builder_set_member_name (builder, "old_line");
      json_builder_add_int_value (builder, position->old_line);
    }
  if (position->new_line > 0)
    {
      json_builder_set_member_name (builder, "new_line");
      json_builder_add_int_value (builder, position->new_line);
    }
  json_builder_end_object (builder);
}

/* A diff text is kept whole or not at all: cut, it would be a different change. */
static gboolean
read_diff_text (JsonObject  *object,
                char       **out_diff,
                gboolean    *out_too_large,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, "diff");

  *out_too_large = FALSE;
  if (is_absent (node))
    {
      *out_diff = g_strdup ("");
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_field (error, "diff");

  if (strlen (json_node_get_string (node)) > NOD_DIFF_FILE_MAX_BYTES)
    {
      *out_too_large = TRUE;
      *out_diff = g_strdup ("");
      return TRUE;
    }
  *out_diff = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* One file of GET …/diffs. */
GObject *
_nod_gitlab_json_parse_diff_file (JsonNode  *node,
                                  GError   **error)
{
  JsonObject *object = expect_object (node, "diff", error);
  g_autofree char *old_path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *a_mode = NULL;
  g_autofree char *b_mode = NULL;
  g_autofree char *diff = NULL;
  gboolean new_file = FALSE, renamed = FALSE, deleted = FALSE, generated = FALSE;
  gboolean collapsed = FALSE, too_large = FALSE, over_bound = FALSE;
  NodDiffFileFlags flags = 0;

  if (object == NULL ||
      !read_string (object, "old_path", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &old_path, error) ||
      !read_string (object, "new_path", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &new_path, error) ||
      !read_string (object, "a_mode", SHORT_ID_MAX_CHARS, FIELD_OPTIONAL, &a_mode, error) ||
      !read_string (object, "b_mode", SHORT_ID_MAX_CHARS, FIELD_OPTIONAL, &b_mode, error) ||
      !read_bool (object, "new_file", &new_file, error) ||
      !read_bool (object, "renamed_file", &renamed, error) ||
      !read_bool (object, "deleted_file", &deleted, error) ||
      !read_bool (object, "generated_file", &generated, error) ||
      !read_bool (object, "collapsed", &collapsed, error) ||
      !read_bool (object, "too_large", &too_large, error) ||
      !read_diff_text (object, &diff, &over_bound, error))
    return NULL;

  flags |= new_file ? NOD_DIFF_FILE_NEW : 0;
  flags |= renamed ? NOD_DIFF_FILE_RENAMED : 0;
  flags |= deleted ? NOD_DIFF_FILE_DELETED : 0;
  flags |= generated ? NOD_DIFF_FILE_GENERATED : 0;
  flags |= collapsed ? NOD_DIFF_FILE_COLLAPSED : 0;
  flags |= too_large || over_bound ? NOD_DIFF_FILE_TOO_LARGE : 0;
  return G_OBJECT (nod_diff_file_new (old_path, new_path, a_mode, b_mode, flags, diff));
}

/* One of GET …/merge_requests/:iid/pipelines. A status Nod does not know is kept as
 * "unknown" (nod_pipeline_status_normalize), never as the server spelled it. */
GObject *
_nod_gitlab_json_parse_pipeline (JsonNode  *node,
                                 GError   **error)
{
  JsonObject *object = expect_object (node, "pipeline", error);
  g_autofree char *sha = NULL;
  g_autofree char *status = NULL;
  g_autofree char *web_url = NULL;
  gint64 id = 0;

  if (object == NULL ||
      !read_positive_id (object, "id", &id, error) ||
      !read_id_string (object, "sha", FIELD_OPTIONAL, &sha, error) ||
      !read_string (object, "status", SHORT_ID_MAX_CHARS, FIELD_REQUIRED, &status, error) ||
      !read_string (object, "web_url", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &web_url, error))
    return NULL;

  return G_OBJECT (nod_pipeline_new (id, sha, status, web_url));
}

/* One of GET …/merge_requests/:iid/commits. The time is read and written back in ISO 8601,
 * so what the cache keeps is a time, whatever the server sent. */
GObject *
_nod_gitlab_json_parse_commit (JsonNode  *node,
                               GError   **error)
{
  JsonObject *object = expect_object (node, "commit", error);
  g_autofree char *sha = NULL;
  g_autofree char *short_id = NULL;
  g_autofree char *title = NULL;
  g_autofree char *author_name = NULL;
  g_autofree char *web_url = NULL;
  g_autofree char *authored_text = NULL;
  g_autoptr(GDateTime) authored = NULL;

  if (object == NULL ||
      !read_id_string (object, "id", FIELD_REQUIRED, &sha, error) ||
      !read_id_string (object, "short_id", FIELD_OPTIONAL, &short_id, error) ||
      !read_string (object, "title", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL, &title,
                    error) ||
      !read_string (object, "author_name", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &author_name, error) ||
      !read_datetime (object, "authored_date", FIELD_OPTIONAL, &authored, error) ||
      !read_string (object, "web_url", NOD_GITLAB_SHORT_TEXT_MAX_CHARS, FIELD_OPTIONAL,
                    &web_url, error))
    return NULL;

  if (authored != NULL)
    authored_text = g_date_time_format_iso8601 (authored);
  return G_OBJECT (nod_commit_new (sha, short_id, title, author_name, authored_text, web_url));
}

/* One of GET …/versions: its refs, as a diff with no files. */
GObject *
_nod_gitlab_json_parse_version (JsonNode  *node,
                                GError   **error)
{
  JsonObject *object = expect_object (node, "version", error);
  g_autofree char *head_sha = NULL;
  g_autofree char *base_sha = NULL;
  g_autofree char *start_sha = NULL;
  g_autoptr(GPtrArray) files = NULL;
  NodMergeRequestDiff *version;
  gint64 id = 0;

  if (object == NULL ||
      !read_int (object, "id", FIELD_OPTIONAL, &id, error) ||
      !read_id_string (object, "head_commit_sha", FIELD_REQUIRED, &head_sha, error) ||
      !read_id_string (object, "base_commit_sha", FIELD_REQUIRED, &base_sha, error) ||
      !read_id_string (object, "start_commit_sha", FIELD_REQUIRED, &start_sha, error))
    return NULL;
  /* One version (…/versions/:id) comes with its files, not paginated. */
  if (json_object_has_member (object, "diffs"))
    {
      files = _nod_gitlab_json_parse_array (json_object_get_member (object, "diffs"),
                                            _nod_gitlab_json_parse_diff_file, error);
      if (files == NULL)
        return NULL;
      if (files->len > NOD_FORGE_VERSION_MAX_FILES)
        g_ptr_array_set_size (files, NOD_FORGE_VERSION_MAX_FILES);
    }

  version = nod_merge_request_diff_new (base_sha, start_sha, head_sha, g_steal_pointer (&files));
  nod_merge_request_diff_set_version_id (version, MAX (id, 0));
  return G_OBJECT (version);
}

GObject *
_nod_gitlab_json_parse_note (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(NodNote) note = g_object_new (NOD_TYPE_NOTE, NULL);
  JsonObject *object = expect_object (node, "note", error);

  if (object == NULL ||
      !read_positive_id (object, "id", &note->id, error) ||
      !read_string (object, "body", NOD_GITLAB_LONG_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &note->body, error) ||
      !read_user (object, "author", FIELD_REQUIRED, &note->author, error) ||
      !read_bool (object, "system", &note->system, error) ||
      !read_bool (object, "resolvable", &note->resolvable, error) ||
      !read_bool (object, "resolved", &note->resolved, error) ||
      !read_datetime (object, "created_at", FIELD_OPTIONAL, &note->created_at, error) ||
      !read_datetime (object, "updated_at", FIELD_OPTIONAL, &note->updated_at, error) ||
      !read_position (object, &note->position, error))
    return NULL;
  if (note->resolved)
    read_resolver (object, note);

  return G_OBJECT (g_steal_pointer (&note));
}

/* GitLab names its note "note" here, and the thread it answers "discussion_id". */
GObject *
_nod_gitlab_json_parse_draft_note (JsonNode  *node,
                                   GError   **error)
{
  g_autoptr(NodDraftNote) draft = g_object_new (NOD_TYPE_DRAFT_NOTE, NULL);
  JsonObject *object = expect_object (node, "draft note", error);

  if (object == NULL ||
      !read_positive_id (object, "id", &draft->id, error) ||
      !read_string (object, "note", NOD_GITLAB_LONG_TEXT_MAX_CHARS, FIELD_REQUIRED,
                    &draft->body, error) ||
      !read_id_string (object, "discussion_id", FIELD_OPTIONAL, &draft->discussion_id, error) ||
      !read_bool (object, "resolve_discussion", &draft->resolve_discussion, error) ||
      !read_position (object, &draft->position, error))
    return NULL;

  return G_OBJECT (g_steal_pointer (&draft));
}

GObject *
_nod_gitlab_json_parse_discussion (JsonNode  *node,
                                   GError   **error)
{
  g_autoptr(NodDiscussion) discussion = g_object_new (NOD_TYPE_DISCUSSION, NULL);
  JsonObject *object = expect_object (node, "discussion", error);
  g_autoptr(GPtrArray) notes = NULL;
  gboolean all_resolved = TRUE;

  if (object == NULL ||
      !read_id_string (object, "id", FIELD_REQUIRED, &discussion->id, error) ||
      !read_bool (object, "individual_note", &discussion->individual_note, error))
    return NULL;

  notes = _nod_gitlab_json_parse_array (json_object_get_member (object, "notes"),
                                        _nod_gitlab_json_parse_note, error);
  if (notes == NULL)
    return NULL;

  for (guint i = 0; i < notes->len; i++)
    {
      NodNote *note = g_ptr_array_index (notes, i);

      g_ptr_array_add (discussion->notes, g_object_ref (note));
      if (note->resolvable)
        {
          discussion->resolvable = TRUE;
          all_resolved = all_resolved && note->resolved;
        }
    }
  discussion->resolved = discussion->resolvable && all_resolved;

  return G_OBJECT (g_steal_pointer (&discussion));
}
