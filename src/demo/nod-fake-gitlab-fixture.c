/* nod-fake-gitlab-fixture.c: loading a dataset from a JSON fixture
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fixture format (the built-in sample, nod-fake-gitlab-sample.json, is one):
 *
 *   {
 *     "users": [ { "id": 1, "username": "sam", "name": "Sam Okafor" }, … ],
 *     "projects": [ { "id": 11, "namespace": "gnome-apps", "namespace_name": "GNOME Apps",
 *                     "path": "nod", "name": "Nod", "description": "…",
 *                     "default_branch": "main" }, … ],
 *     "merge_requests": [ {
 *       "project": "gnome-apps/nod",          a path with namespace, or a project id
 *       "id": 1101, "iid": 42,                optional: the next free ones otherwise
 *       "title": "…",
 *       "description": "…" or [ "line", … ],  an array is joined with newlines
 *       "state": "opened",                    opened (default), closed, merged, locked
 *       "author": "alex",                     usernames, here and below
 *       "assignees": [ "sam" ], "reviewers": [ "sam", "kim" ],
 *       "source_branch": "…", "target_branch": "…",
 *       "has_conflicts": false,
 *       "created": "-3d", "updated": "-2h30m",
 *       "merged": "-1h", "merged_by": "kim", "closed": "-1h", "closed_by": "kim",
 *       "approvals_required": 1, "approved_by": [ "kim" ],
 *       "labels": [ "bug", "UX" ],            label names, in GitLab's order
 *       "pipeline": "success",                the status of a pipeline on the head
 *       "commits": [ "…", … ],                titles of commits before the head, oldest
 *                                             first (the head's is the title)
 *       "change": {                           optional: a change made up to fit the threads
 *         "base": { "path": CONTENT, … },     the files at the merge base
 *         "head": { "path": CONTENT or null, … },  what the source branch changes
 *         "pushes": [ { "path": CONTENT or null, … }, … ]  later versions, in order
 *       },
 *       "discussions": [ {
 *         "id": "<40 hex digits>",             optional: derived otherwise
 *         "individual_note": false,           true: one comment, not resolvable
 *         "resolved": true, "resolved_by": "sam", "resolved_at": "-1h",
 *         "notes": [ { "author": "kim", "body": "…" or [ "line", … ], "created": "-2h",
 *                      "system": false,
 *                      "position": { "old_path": "…", "new_path": "…",
 *                                    "old_line": null, "new_line": 12 } } ]
 *       } ]
 *     } ]
 *   }
 *
 * The user with id 1 (NOD_FAKE_GITLAB_REVIEWER_ID) is the reviewer the token signs in
 * as. Times are either relative to the moment the fixture is loaded — "now", or a minus
 * sign followed by amounts with units w, d, h, m, s ("-2h30m") — so the demo always
 * looks fresh, or absolute ISO 8601. A system note makes its discussion an individual
 * note. A thread whose first note has a position is made of DiffNotes on that line,
 * otherwise of DiscussionNotes; position shas are the merge request's diff refs.
 * "updated" defaults to the latest of created, merged, closed and note times.
 *
 * A CONTENT is a text, an array of lines (each ends with a newline), or an object:
 * {"text": "…"} or {"lines": […]} or {"base64": "…"} (binary files) or {"made_up_lines": N}
 * (N lines of made-up code, up to 100,000: a big generated file without a big fixture),
 * with optional flags "generated", "too_large" and "collapsed" that mark the path as GitLab
 * would. A position must name a line of the diff (added: new_line only; removed: old_line
 * only; unchanged: both). Without "change", the merge request gets a made-up change in
 * which every line its threads name is such a line.
 *
 * Every member's type is checked: a fixture that does not follow this format fails to
 * load with an error naming the offending member, it never crashes the fake.
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-fake-gitlab-dataset.h"

typedef struct
{
  NodFakeDataset *dataset;
  gint64          now_us;
  GHashTable     *merge_request_ids;  /* gint64 * of the merge requests loaded so far */
} Loader;

static void
replace_string (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
fail (GError    **error,
      const char *where,
      const char *problem)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", where, problem);
  return FALSE;
}

/* The member's place is only spelled out on failure: a fixture has thousands of members. */
static gboolean
fail_member (GError    **error,
             const char *where,
             const char *member,
             const char *problem)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s.%s: %s", where, member,
               problem);
  return FALSE;
}

/* A member that is absent or null reads as NULL. */
static JsonNode *
get_member (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
read_string (JsonObject  *object,
             const char  *member,
             gboolean     required,
             const char **value,
             const char  *where,
             GError     **error)
{
  JsonNode *node = get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return required ? fail_member (error, where, member, "is missing") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_member (error, where, member, "is not a string");
  *value = json_node_get_string (node);
  return TRUE;
}

/* A string, or an array of strings joined with newlines. */
static gboolean
read_text (JsonObject  *object,
           const char  *member,
           char       **value,
           const char  *where,
           GError     **error)
{
  JsonNode *node = get_member (object, member);
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *lines;

  *value = NULL;
  if (node == NULL)
    {
      *value = g_strdup ("");
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *value = json_node_dup_string (node);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_member (error, where, member, "is neither a string nor an array of strings");

  lines = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonNode *line = json_array_get_element (lines, i);

      if (!JSON_NODE_HOLDS_VALUE (line) || json_node_get_value_type (line) != G_TYPE_STRING)
        return fail_member (error, where, member, "has an element that is not a string");
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, json_node_get_string (line));
    }
  *value = g_strdup (text->str);
  return TRUE;
}

static gboolean
read_int (JsonObject *object,
          const char *member,
          gboolean    required,
          gint64      minimum,
          gint64     *value,
          const char *where,
          GError    **error)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL)
    return required ? fail_member (error, where, member, "is missing") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail_member (error, where, member, "is not an integer");
  *value = json_node_get_int (node);
  if (*value < minimum)
    return fail_member (error, where, member, "is too small");
  return TRUE;
}

static gboolean
read_bool (JsonObject *object,
           const char *member,
           gboolean   *value,
           const char *where,
           GError    **error)
{
  JsonNode *node = get_member (object, member);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail_member (error, where, member, "is not a boolean");
  *value = json_node_get_boolean (node);
  return TRUE;
}

/* Absent or null: an empty array. */
static gboolean
read_array (JsonObject  *object,
            const char  *member,
            JsonArray  **value,
            const char  *where,
            GError     **error)
{
  JsonNode *node = get_member (object, member);

  *value = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_member (error, where, member, "is not an array");
  *value = json_node_get_array (node);
  return TRUE;
}

static guint
array_length (JsonArray *array)
{
  return array != NULL ? json_array_get_length (array) : 0;
}

static JsonObject *
array_object (JsonArray  *array,
              guint       index,
              const char *where,
              GError    **error)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, where, "is not an object");
      return NULL;
    }
  return json_node_get_object (node);
}

/* "now", "-1w2d3h4m5s" (relative to @now_us) or ISO 8601. */
static gboolean
parse_fixture_time (const char *text,
                    gint64      now_us,
                    gint64     *time_us)
{
  const char *cursor = text;
  gint64 offset_us = 0;

  if (g_str_equal (text, "now"))
    {
      *time_us = now_us;
      return TRUE;
    }
  if (*cursor != '-')
    return nod_fake_parse_time (text, time_us);

  cursor++;
  if (*cursor == '\0')
    return FALSE;
  while (*cursor != '\0')
    {
      char *end = NULL;
      guint64 amount = g_ascii_strtoull (cursor, &end, 10);
      gint64 unit_us;

      if (end == cursor || amount > 100000)
        return FALSE;
      switch (*end)
        {
        case 'w':
          unit_us = (gint64) 7 * 24 * 3600 * G_USEC_PER_SEC;
          break;
        case 'd':
          unit_us = (gint64) 24 * 3600 * G_USEC_PER_SEC;
          break;
        case 'h':
          unit_us = (gint64) 3600 * G_USEC_PER_SEC;
          break;
        case 'm':
          unit_us = (gint64) 60 * G_USEC_PER_SEC;
          break;
        case 's':
          unit_us = G_USEC_PER_SEC;
          break;
        default:
          return FALSE;
        }
      offset_us += (gint64) amount * unit_us;
      cursor = end + 1;
    }
  *time_us = now_us - offset_us;
  return TRUE;
}

static gboolean
read_time (Loader     *loader,
           JsonObject *object,
           const char *member,
           gint64     *value,
           const char *where,
           GError    **error)
{
  const char *text = NULL;

  if (!read_string (object, member, FALSE, &text, where, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!parse_fixture_time (text, loader->now_us, value))
    return fail_member (error, where, member, "is not \"now\", a relative time like "
                                              "\"-2h30m\" or an ISO 8601 date-time");
  /* GitLab shows milliseconds. */
  *value = *value / 1000 * 1000;
  return TRUE;
}

static gboolean
read_user (Loader       *loader,
           JsonObject   *object,
           const char   *member,
           gboolean      required,
           NodFakeUser **user,
           const char   *where,
           GError      **error)
{
  const char *username = NULL;

  *user = NULL;
  if (!read_string (object, member, required, &username, where, error))
    return FALSE;
  if (username == NULL)
    return TRUE;
  *user = nod_fake_dataset_find_username (loader->dataset, username);
  if (*user == NULL)
    return fail_member (error, where, member, "names an unknown user");
  return TRUE;
}

/* "labels": an array of label names. */
static gboolean
load_labels (NodFakeMergeRequest *merge_request,
             JsonObject          *object,
             const char          *where,
             GError             **error)
{
  JsonArray *array = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) labels = NULL;

  if (!read_array (object, "labels", &array, where, error))
    return FALSE;
  if (array == NULL)
    return TRUE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING)
        return fail (error, where, "has a \"labels\" element that is not a string");
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  labels = g_strv_builder_end (builder);
  nod_fake_merge_request_set_labels (merge_request, (const char * const *) labels);
  return TRUE;
}

static gboolean
read_user_list (Loader     *loader,
                JsonObject *object,
                const char *member,
                GPtrArray  *users,
                const char *where,
                GError    **error)
{
  JsonArray *array = NULL;

  if (!read_array (object, member, &array, where, error))
    return FALSE;
  for (guint i = 0; i < array_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      NodFakeUser *user;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return fail_member (error, where, member, "has an element that is not a username");
      user = nod_fake_dataset_find_username (loader->dataset, json_node_get_string (node));
      if (user == NULL)
        return fail_member (error, where, member, "names an unknown user");
      if (!g_ptr_array_find (users, user, NULL))
        g_ptr_array_add (users, user);
    }
  return TRUE;
}

static gboolean
load_users (Loader     *loader,
            JsonObject *root,
            GError    **error)
{
  JsonArray *users = NULL;

  if (!read_array (root, "users", &users, "fixture", error))
    return FALSE;
  for (guint i = 0; i < array_length (users); i++)
    {
      g_autofree char *where = g_strdup_printf ("users[%u]", i);
      JsonObject *object = array_object (users, i, where, error);
      const char *username = NULL;
      const char *name = NULL;
      gint64 id = 0;

      if (object == NULL
          || !read_int (object, "id", TRUE, 1, &id, where, error)
          || !read_string (object, "username", TRUE, &username, where, error)
          || !read_string (object, "name", FALSE, &name, where, error))
        return FALSE;
      if (*username == '\0' || strchr (username, '/') != NULL)
        return fail (error, where, "has an invalid username");
      if (nod_fake_dataset_find_user (loader->dataset, id) != NULL
          || nod_fake_dataset_find_username (loader->dataset, username) != NULL)
        return fail (error, where, "repeats the id or username of another user");
      nod_fake_dataset_add_user (loader->dataset, id, username,
                                 name != NULL ? name : username);
    }

  if (nod_fake_dataset_find_user (loader->dataset, NOD_FAKE_GITLAB_REVIEWER_ID) == NULL)
    return fail (error, "users", "has no user with the reviewer's id (1)");
  return TRUE;
}

static gboolean
is_path_segment (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *cursor = text; *cursor != '\0'; cursor++)
    {
      if (!g_ascii_isalnum (*cursor) && strchr ("-_.", *cursor) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_projects (Loader     *loader,
               JsonObject *root,
               GError    **error)
{
  JsonArray *projects = NULL;

  if (!read_array (root, "projects", &projects, "fixture", error))
    return FALSE;
  for (guint i = 0; i < array_length (projects); i++)
    {
      g_autofree char *where = g_strdup_printf ("projects[%u]", i);
      g_autofree char *path_with_namespace = NULL;
      JsonObject *object = array_object (projects, i, where, error);
      const char *namespace_path = NULL, *namespace_name = NULL;
      const char *path = NULL, *name = NULL, *description = NULL, *default_branch = NULL;
      NodFakeProject *project;
      gint64 id = 0;
      char id_text[32];

      if (object == NULL
          || !read_int (object, "id", TRUE, 1, &id, where, error)
          || !read_string (object, "namespace", TRUE, &namespace_path, where, error)
          || !read_string (object, "namespace_name", FALSE, &namespace_name, where, error)
          || !read_string (object, "path", TRUE, &path, where, error)
          || !read_string (object, "name", FALSE, &name, where, error)
          || !read_string (object, "description", FALSE, &description, where, error)
          || !read_string (object, "default_branch", FALSE, &default_branch, where, error))
        return FALSE;
      if (!is_path_segment (namespace_path) || !is_path_segment (path))
        return fail (error, where, "has a namespace or path that is not a URL path segment");

      g_snprintf (id_text, sizeof id_text, "%" G_GINT64_FORMAT, id);
      path_with_namespace = g_strdup_printf ("%s/%s", namespace_path, path);
      if (nod_fake_dataset_find_project (loader->dataset, id_text) != NULL
          || nod_fake_dataset_find_project (loader->dataset, path_with_namespace) != NULL)
        return fail (error, where, "repeats the id or path of another project");

      project = nod_fake_dataset_add_project (loader->dataset, id, namespace_path,
                                              namespace_name != NULL ? namespace_name
                                                                     : namespace_path,
                                              path, name != NULL ? name : path);
      if (description != NULL)
        project->description = g_strdup (description);
      if (default_branch != NULL)
        replace_string (&project->default_branch, default_branch);
    }
  return TRUE;
}

static gboolean
read_position (Loader               *loader,
               JsonObject           *note_object,
               NodFakeMergeRequest  *merge_request,
               NodFakePosition     **position,
               const char           *where,
               GError              **error)
{
  g_autofree char *position_where = g_strdup_printf ("%s.position", where);
  g_autoptr(NodFakePosition) result = NULL;
  JsonNode *node = get_member (note_object, "position");
  JsonObject *object;
  const char *old_path = NULL, *new_path = NULL;

  *position = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, position_where, "is not an object");
  object = json_node_get_object (node);

  result = g_new0 (NodFakePosition, 1);
  if (!read_string (object, "old_path", FALSE, &old_path, position_where, error)
      || !read_string (object, "new_path", FALSE, &new_path, position_where, error)
      || !read_int (object, "old_line", FALSE, 1, &result->old_line, position_where, error)
      || !read_int (object, "new_line", FALSE, 1, &result->new_line, position_where, error))
    return FALSE;
  if (old_path == NULL && new_path == NULL)
    return fail (error, position_where, "has neither old_path nor new_path");
  if (result->old_line == 0 && result->new_line == 0)
    return fail (error, position_where, "has neither old_line nor new_line");

  result->old_path = g_strdup (old_path != NULL ? old_path : new_path);
  result->new_path = g_strdup (new_path != NULL ? new_path : old_path);
  memcpy (result->base_sha, merge_request->base_sha, sizeof result->base_sha);
  memcpy (result->start_sha, merge_request->start_sha, sizeof result->start_sha);
  memcpy (result->head_sha, merge_request->head_sha, sizeof result->head_sha);
  *position = g_steal_pointer (&result);
  return TRUE;
}

#define MAX_MADE_UP_LINES 100000

static GBytes *
made_up_lines (const char *path,
               guint       count)
{
  GString *text = g_string_sized_new ((gsize) count * 48);

  /* A lexer table, as generators write them: long, regular, never read by hand. */
  g_string_append_printf (text, "/* %s: generated by nod-tablegen, do not edit */\n\n", path);
  g_string_append (text, "static const NodToken nod_tokens[] = {\n");
  for (guint i = 3; i + 1 < count; i++)
    g_string_append_printf (text, "  { %6u, 0x%08x, NOD_TOKEN_%s },\n", i,
                            (i * 2654435761u) ^ 0x5bd1e995u,
                            i % 3 == 0 ? "WORD" : (i % 3 == 1 ? "SPACE" : "PUNCT"));
  g_string_append (text, "};\n");
  return g_string_free_to_bytes (text);
}

/* One CONTENT of a change; *blob NULL for null (a deletion) when @allow_null. */
static gboolean
read_content (Loader        *loader,
              NodFakeProject *project,
              const char    *path,
              JsonNode      *node,
              gboolean       allow_null,
              NodFakeBlob  **blob,
              const char    *where,
              GError       **error)
{
  NodFakeRepository *repository = project->repository;
  g_autoptr(GBytes) content = NULL;
  JsonObject *object;
  JsonNode *lines_node;

  *blob = NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return allow_null ? TRUE : fail_member (error, where, path, "is null");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *blob = nod_fake_repository_add_text (repository, json_node_get_string (node));
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonObject *wrapper = json_object_new ();
      gboolean read;
      g_autofree char *text = NULL;

      json_object_set_member (wrapper, "lines", json_node_copy (node));
      read = read_text (wrapper, "lines", &text, where, error);
      json_object_unref (wrapper);
      if (!read)
        return FALSE;
      if (*text != '\0' || json_array_get_length (json_node_get_array (node)) > 0)
        {
          g_autofree char *ended = g_strconcat (text, "\n", NULL);
          *blob = nod_fake_repository_add_text (repository, ended);
        }
      else
        *blob = nod_fake_repository_add_text (repository, "");
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail_member (error, where, path, "is not a text, lines or an object");

  object = json_node_get_object (node);
  lines_node = get_member (object, "lines");
  if (get_member (object, "text") != NULL)
    {
      const char *text = NULL;

      if (!read_string (object, "text", TRUE, &text, where, error))
        return FALSE;
      content = g_bytes_new (text, strlen (text));
    }
  else if (lines_node != NULL)
    {
      NodFakeBlob *lines_blob = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (lines_node))
        return fail_member (error, where, path, "has lines that are not an array");
      if (!read_content (loader, project, path, lines_node, FALSE, &lines_blob, where, error))
        return FALSE;
      content = g_bytes_ref (lines_blob->content);
    }
  else if (get_member (object, "base64") != NULL)
    {
      const char *encoded = NULL;
      guchar *decoded;
      gsize length = 0;

      if (!read_string (object, "base64", TRUE, &encoded, where, error))
        return FALSE;
      decoded = g_base64_decode (encoded, &length);
      content = g_bytes_new_take (decoded, length);
    }
  else if (get_member (object, "made_up_lines") != NULL)
    {
      gint64 count = 0;

      if (!read_int (object, "made_up_lines", TRUE, 1, &count, where, error))
        return FALSE;
      if (count > MAX_MADE_UP_LINES)
        return fail_member (error, where, path, "makes up too many lines");
      content = made_up_lines (path, (guint) count);
    }
  else
    {
      return fail_member (error, where, path, "has no text, lines, base64 or made_up_lines");
    }

  for (guint i = 0; i < 3; i++)
    {
      static const char *const flags[] = { "generated", "too_large", "collapsed" };
      GHashTable *sets[] = { repository->generated_paths, repository->too_large_paths,
                             repository->collapsed_paths };
      gboolean flag = FALSE;

      if (!read_bool (object, flags[i], &flag, where, error))
        return FALSE;
      if (flag)
        g_hash_table_add (sets[i], g_strdup (path));
    }
  *blob = nod_fake_repository_add_blob (repository, content);
  return TRUE;
}

/* {"path": CONTENT, …} as path -> NodFakeBlob *. */
static GHashTable *
read_files (Loader         *loader,
            NodFakeProject *project,
            JsonObject     *object,
            const char     *member,
            gboolean        allow_null,
            const char     *where,
            GError        **error)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *files_where = g_strdup_printf ("%s.%s", where, member);
  JsonNode *node = get_member (object, member);
  JsonObjectIter iter;
  const char *path;
  JsonNode *value;

  if (node == NULL)
    return g_steal_pointer (&files);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, files_where, "is not an object of paths");
      return NULL;
    }
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &path, &value))
    {
      NodFakeBlob *blob = NULL;

      if (*path == '\0' || *path == '/' || strstr (path, "//") != NULL
          || g_str_has_suffix (path, "/"))
        {
          fail (error, files_where, "has a member that is not a file path");
          return NULL;
        }
      if (!read_content (loader, project, path, value, allow_null, &blob, files_where, error))
        return NULL;
      g_hash_table_insert (files, g_strdup (path), blob);
    }
  return g_steal_pointer (&files);
}

/* "commits": titles of the commits before the head, oldest first. */
static gboolean
load_earlier_commits (Loader              *loader,
                      NodFakeMergeRequest *merge_request,
                      JsonObject          *object,
                      const char          *where,
                      GError             **error)
{
  JsonArray *array = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) titles = NULL;

  if (!read_array (object, "commits", &array, where, error))
    return FALSE;
  if (array == NULL)
    return TRUE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING
          || *json_node_get_string (element) == '\0')
        return fail (error, where, "has a \"commits\" element that is not a title");
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  titles = g_strv_builder_end (builder);
  nod_fake_dataset_add_earlier_commits (loader->dataset, merge_request,
                                        (const char * const *) titles, loader->now_us);
  return TRUE;
}

static gboolean
load_change (Loader              *loader,
             NodFakeMergeRequest *merge_request,
             JsonObject          *object,
             const char          *where,
             GError             **error)
{
  g_autofree char *change_where = g_strdup_printf ("%s.change", where);
  g_autoptr(GHashTable) base = NULL;
  g_autoptr(GHashTable) head = NULL;
  JsonArray *pushes = NULL;
  JsonObject *change;

  if (!JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "change")))
    return fail (error, change_where, "is not an object");
  change = json_object_get_object_member (object, "change");
  base = read_files (loader, merge_request->project, change, "base", FALSE, change_where, error);
  if (base == NULL)
    return FALSE;
  head = read_files (loader, merge_request->project, change, "head", TRUE, change_where, error);
  if (head == NULL || !read_array (change, "pushes", &pushes, change_where, error))
    return FALSE;
  nod_fake_dataset_set_change (loader->dataset, merge_request, base, head, loader->now_us);
  if (!load_earlier_commits (loader, merge_request, object, where, error))
    return FALSE;

  for (guint i = 0; i < array_length (pushes); i++)
    {
      g_autofree char *push_where = g_strdup_printf ("%s.pushes[%u]", change_where, i);
      g_autoptr(GHashTable) push = NULL;
      JsonObject *wrapper;

      if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (pushes, i)))
        return fail (error, push_where, "is not an object of paths");
      wrapper = json_object_new ();
      json_object_set_member (wrapper, "files",
                              json_node_copy (json_array_get_element (pushes, i)));
      push = read_files (loader, merge_request->project, wrapper, "files", TRUE, push_where,
                         error);
      json_object_unref (wrapper);
      if (push == NULL)
        return FALSE;
      /* A minute apart after the merge request was opened, not at load time. */
      nod_fake_dataset_new_commit (loader->dataset, merge_request, push, NULL,
                                   merge_request->created_at
                                   + (gint64) (i + 1) * 60 * G_USEC_PER_SEC);
    }
  return TRUE;
}

/* A made-up change with every line the threads name: one file per path they name. */
static void
make_up_change (Loader              *loader,
                NodFakeMergeRequest *merge_request,
                JsonArray           *discussions)
{
  NodFakeRepository *repository = merge_request->project->repository;
  g_autoptr(GHashTable) wishes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) old_paths = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) head = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;

  /* Only what the loader reads next is trusted: anything odd here is skipped, and the
   * discussion's own checks then name it. */
  for (guint i = 0; i < array_length (discussions); i++)
    {
      JsonNode *discussion = json_array_get_element (discussions, i);
      JsonArray *notes = NULL;
      JsonNode *first, *position_node;
      JsonObject *position;
      const char *old_path = NULL, *new_path = NULL;
      gint64 old_line = 0, new_line = 0;
      NodFakeLineWish wish;
      GArray *path_wishes;

      if (!JSON_NODE_HOLDS_OBJECT (discussion)
          || !read_array (json_node_get_object (discussion), "notes", &notes, "", NULL)
          || array_length (notes) == 0)
        continue;
      first = json_array_get_element (notes, 0);
      if (!JSON_NODE_HOLDS_OBJECT (first))
        continue;
      position_node = get_member (json_node_get_object (first), "position");
      if (position_node == NULL || !JSON_NODE_HOLDS_OBJECT (position_node))
        continue;
      position = json_node_get_object (position_node);
      if (!read_string (position, "old_path", FALSE, &old_path, "", NULL)
          || !read_string (position, "new_path", FALSE, &new_path, "", NULL)
          || !read_int (position, "old_line", FALSE, 1, &old_line, "", NULL)
          || !read_int (position, "new_line", FALSE, 1, &new_line, "", NULL)
          || (old_path == NULL && new_path == NULL)
          || old_line > 100000 || new_line > 100000)
        continue;
      if (new_path == NULL)
        new_path = old_path;
      if (old_path != NULL && !g_str_equal (old_path, new_path))
        g_hash_table_insert (old_paths, (gpointer) new_path, (gpointer) old_path);
      path_wishes = g_hash_table_lookup (wishes, new_path);
      if (path_wishes == NULL)
        {
          path_wishes = g_array_new (FALSE, FALSE, sizeof (NodFakeLineWish));
          g_hash_table_insert (wishes, (gpointer) new_path, path_wishes);
        }
      wish.old_line = (guint) old_line;
      wish.new_line = (guint) new_line;
      g_array_append_val (path_wishes, wish);
    }
  if (g_hash_table_size (wishes) == 0)
    {
      GArray *readme_wishes = g_array_new (FALSE, FALSE, sizeof (NodFakeLineWish));
      NodFakeLineWish wish = { 0, 3 };

      g_array_append_val (readme_wishes, wish);
      g_hash_table_insert (wishes, (gpointer) "README.md", readme_wishes);
    }

  g_hash_table_iter_init (&iter, wishes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *path_wishes = value;
      const char *old_path = g_hash_table_lookup (old_paths, key);
      g_autofree char *base_text = NULL, *head_text = NULL;

      nod_fake_synthetic_change (key, (guint) merge_request->id % 97,
                                 (NodFakeLineWish *) (gpointer) path_wishes->data,
                                 path_wishes->len, &base_text, &head_text);
      g_hash_table_insert (base, g_strdup (old_path != NULL ? old_path : key),
                           nod_fake_repository_add_text (repository, base_text));
      if (old_path != NULL)
        g_hash_table_insert (head, g_strdup (old_path), NULL);
      g_hash_table_insert (head, g_strdup (key),
                           nod_fake_repository_add_text (repository, head_text));
    }
  nod_fake_dataset_set_change (loader->dataset, merge_request, base, head, loader->now_us);
}

static gboolean
is_hex_id (const char *text)
{
  if (strlen (text) != NOD_FAKE_SHA_LENGTH)
    return FALSE;
  for (const char *cursor = text; *cursor != '\0'; cursor++)
    {
      if (!g_ascii_isxdigit (*cursor) || g_ascii_isupper (*cursor))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_discussion (Loader              *loader,
                 NodFakeMergeRequest *merge_request,
                 JsonObject          *object,
                 gint64              *latest_time,
                 const char          *where,
                 GError             **error)
{
  NodFakeDiscussion *discussion;
  NodFakePosition *thread_position = NULL;
  NodFakeUser *resolved_by = NULL;
  JsonArray *notes = NULL;
  const char *id = NULL;
  gboolean individual_note = FALSE;
  gboolean resolved = FALSE;
  gboolean first_is_system = FALSE;
  gint64 resolved_at = 0;

  if (!read_string (object, "id", FALSE, &id, where, error)
      || !read_bool (object, "individual_note", &individual_note, where, error)
      || !read_bool (object, "resolved", &resolved, where, error)
      || !read_user (loader, object, "resolved_by", FALSE, &resolved_by, where, error)
      || !read_time (loader, object, "resolved_at", &resolved_at, where, error)
      || !read_array (object, "notes", &notes, where, error))
    return FALSE;
  if (array_length (notes) == 0)
    return fail (error, where, "has no notes");
  if (id != NULL && !is_hex_id (id))
    return fail (error, where, "has an id that is not 40 lowercase hex digits");

  if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (notes, 0)))
    {
      JsonObject *first = json_array_get_object_element (notes, 0);
      g_autofree char *first_where = g_strdup_printf ("%s.notes[0]", where);

      if (!read_bool (first, "system", &first_is_system, first_where, error))
        return FALSE;
    }
  if (first_is_system || individual_note)
    {
      individual_note = TRUE;
      if (array_length (notes) != 1)
        return fail (error, where, "is an individual note but has several notes");
    }

  discussion = nod_fake_dataset_add_discussion (loader->dataset, merge_request,
                                                individual_note);
  if (id != NULL)
    {
      for (guint i = 0; i < merge_request->discussions->len - 1; i++)
        {
          NodFakeDiscussion *other = g_ptr_array_index (merge_request->discussions, i);
          if (g_str_equal (other->id, id))
            return fail (error, where, "repeats the id of another discussion");
        }
      memcpy (discussion->id, id, sizeof discussion->id);
    }

  for (guint i = 0; i < array_length (notes); i++)
    {
      g_autofree char *note_where = g_strdup_printf ("%s.notes[%u]", where, i);
      g_autofree char *body = NULL;
      g_autoptr(NodFakePosition) position = NULL;
      JsonObject *note_object = array_object (notes, i, note_where, error);
      NodFakeUser *author = NULL;
      NodFakeNoteType type;
      NodFakeNote *note;
      gboolean system = FALSE;
      gint64 created_at = loader->now_us;

      if (note_object == NULL
          || !read_user (loader, note_object, "author", TRUE, &author, note_where, error)
          || !read_text (note_object, "body", &body, note_where, error)
          || !read_time (loader, note_object, "created", &created_at, note_where, error)
          || !read_bool (note_object, "system", &system, note_where, error)
          || !read_position (loader, note_object, merge_request, &position, note_where,
                             error))
        return FALSE;
      if (system && i > 0)
        return fail (error, note_where, "is a system note inside a thread");
      if (position != NULL && !nod_fake_position_is_on_diff (merge_request, position))
        return fail (error, note_where, "has a position that is not a line of the diff "
                                        "(added: new_line only; removed: old_line only; "
                                        "unchanged: both)");
      if (position != NULL && (individual_note || i > 0))
        return fail (error, note_where, "has a position but does not start a thread");

      /* Replies in a diff thread are DiffNotes on the same line, as on GitLab. */
      if (thread_position != NULL)
        position = nod_fake_position_copy (thread_position);
      if (individual_note)
        type = NOD_FAKE_NOTE_PLAIN;
      else if (position != NULL)
        type = NOD_FAKE_NOTE_DIFF;
      else
        type = NOD_FAKE_NOTE_DISCUSSION;

      note = nod_fake_dataset_add_note (loader->dataset, discussion, author, body, type,
                                        g_steal_pointer (&position), created_at);
      note->system = system;
      if (note->system)
        note->resolvable = FALSE;
      if (note->resolvable && resolved)
        {
          note->resolved = TRUE;
          note->resolved_by = resolved_by != NULL ? resolved_by : merge_request->author;
          note->resolved_at = resolved_at;
        }
      *latest_time = MAX (*latest_time, created_at);
      if (i == 0)
        thread_position = note->position;
    }

  if (resolved)
    {
      if (individual_note)
        return fail (error, where, "is resolved but is not a thread");
      for (guint i = 0; i < discussion->notes->len; i++)
        {
          NodFakeNote *note = g_ptr_array_index (discussion->notes, i);
          if (note->resolved_at == 0)
            note->resolved_at = MAX (*latest_time, note->created_at);
        }
    }
  return TRUE;
}

static gboolean
load_merge_request (Loader     *loader,
                    JsonObject *object,
                    const char *where,
                    GError    **error)
{
  NodFakeDataset *dataset = loader->dataset;
  NodFakeMergeRequest *merge_request;
  NodFakeProject *project = NULL;
  NodFakeUser *author = NULL, *merged_by = NULL, *closed_by = NULL;
  JsonNode *project_node = get_member (object, "project");
  JsonArray *discussions = NULL;
  g_autofree char *description = NULL;
  const char *title = NULL, *state = NULL, *source_branch = NULL, *target_branch = NULL;
  const char *pipeline_status = NULL;
  gint64 id = 0, iid = 0, approvals_required = 0;
  gint64 created_at = loader->now_us, updated_at = 0, merged_at = 0, closed_at = 0;
  gint64 latest_time;
  gboolean has_conflicts = FALSE;
  NodFakeMrState parsed_state = NOD_FAKE_MR_OPENED;

  if (project_node != NULL && JSON_NODE_HOLDS_VALUE (project_node))
    {
      g_autofree char *project_key = NULL;

      if (json_node_get_value_type (project_node) == G_TYPE_STRING)
        project_key = json_node_dup_string (project_node);
      else if (json_node_get_value_type (project_node) == G_TYPE_INT64)
        project_key = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (project_node));
      project = nod_fake_dataset_find_project (dataset, project_key);
    }
  if (project == NULL)
    return fail (error, where, "has no \"project\" naming a known project");

  if (!read_int (object, "id", FALSE, 1, &id, where, error)
      || !read_int (object, "iid", FALSE, 1, &iid, where, error)
      || !read_string (object, "title", TRUE, &title, where, error)
      || !read_text (object, "description", &description, where, error)
      || !read_string (object, "state", FALSE, &state, where, error)
      || !read_user (loader, object, "author", TRUE, &author, where, error)
      || !read_string (object, "source_branch", FALSE, &source_branch, where, error)
      || !read_string (object, "target_branch", FALSE, &target_branch, where, error)
      || !read_bool (object, "has_conflicts", &has_conflicts, where, error)
      || !read_time (loader, object, "created", &created_at, where, error)
      || !read_time (loader, object, "updated", &updated_at, where, error)
      || !read_time (loader, object, "merged", &merged_at, where, error)
      || !read_user (loader, object, "merged_by", FALSE, &merged_by, where, error)
      || !read_time (loader, object, "closed", &closed_at, where, error)
      || !read_user (loader, object, "closed_by", FALSE, &closed_by, where, error)
      || !read_int (object, "approvals_required", FALSE, 0, &approvals_required, where,
                    error)
      || !read_array (object, "discussions", &discussions, where, error)
      || !read_string (object, "pipeline", FALSE, &pipeline_status, where, error))
    return FALSE;
  if (state != NULL && !nod_fake_mr_state_from_string (state, &parsed_state))
    return fail (error, where, "has an unknown state");
  if (approvals_required > 10)
    return fail (error, where, "requires more than 10 approvals");
  if (id != 0 && g_hash_table_contains (loader->merge_request_ids, &id))
    return fail (error, where, "repeats the id of another merge request");
  if (iid != 0 && nod_fake_dataset_find_merge_request (dataset, project, iid) != NULL)
    return fail (error, where, "repeats the iid of another merge request of its project");

  merge_request = nod_fake_dataset_add_merge_request (dataset, project, id, iid, author, title,
                                                      created_at);
  g_hash_table_add (loader->merge_request_ids, &merge_request->id);
  replace_string (&merge_request->description, description);
  merge_request->state = parsed_state;
  merge_request->has_conflicts = has_conflicts;
  merge_request->approvals_required = (guint) approvals_required;
  if (source_branch != NULL)
    replace_string (&merge_request->source_branch, source_branch);
  if (target_branch != NULL)
    replace_string (&merge_request->target_branch, target_branch);

  if (!read_user_list (loader, object, "assignees", merge_request->assignees, where, error)
      || !read_user_list (loader, object, "reviewers", merge_request->reviewers, where, error)
      || !read_user_list (loader, object, "approved_by", merge_request->approved_by, where,
                          error))
    return FALSE;

  latest_time = created_at;
  if (parsed_state == NOD_FAKE_MR_MERGED)
    {
      merge_request->merged_at = merged_at != 0 ? merged_at : created_at;
      merge_request->merged_by = merged_by != NULL ? merged_by : author;
      latest_time = MAX (latest_time, merge_request->merged_at);
    }
  if (parsed_state == NOD_FAKE_MR_CLOSED)
    {
      merge_request->closed_at = closed_at != 0 ? closed_at : created_at;
      merge_request->closed_by = closed_by != NULL ? closed_by : author;
      latest_time = MAX (latest_time, merge_request->closed_at);
    }

  if (get_member (object, "change") != NULL)
    {
      if (!load_change (loader, merge_request, object, where, error))
        return FALSE;
    }
  else
    {
      make_up_change (loader, merge_request, discussions);
      if (!load_earlier_commits (loader, merge_request, object, where, error))
        return FALSE;
    }

  for (guint i = 0; i < array_length (discussions); i++)
    {
      g_autofree char *discussion_where = g_strdup_printf ("%s.discussions[%u]", where, i);
      JsonObject *discussion = array_object (discussions, i, discussion_where, error);

      if (discussion == NULL
          || !load_discussion (loader, merge_request, discussion, &latest_time,
                               discussion_where, error))
        return FALSE;
    }

  merge_request->updated_at = updated_at != 0 ? updated_at : latest_time;

  if (!load_labels (merge_request, object, where, error))
    return FALSE;
  if (pipeline_status != NULL)
    {
      if (*pipeline_status == '\0' || strlen (pipeline_status) > NOD_FAKE_PIPELINE_STATUS_MAX)
        return fail (error, where, "has an empty or too long \"pipeline\"");
      nod_fake_dataset_set_pipeline (dataset, merge_request, merge_request->head_sha,
                                     pipeline_status, merge_request->updated_at);
    }
  return TRUE;
}

JsonNode *
nod_fake_fixture_parse (GBytes  *json,
                        GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length = 0;
  const char *data = g_bytes_get_data (json, &length);

  if (nod_fake_json_is_too_deep (data, length, NOD_FAKE_MAX_JSON_DEPTH))
    {
      fail (error, "fixture", "nests arrays and objects too deeply");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, error))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    {
      fail (error, "fixture", "is not a JSON object");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

NodFakeDataset *
nod_fake_dataset_new_from_fixture_root (JsonNode  *root,
                                        gint64     now_us,
                                        GError   **error)
{
  g_autoptr(NodFakeDataset) dataset = nod_fake_dataset_new ();
  g_autoptr(GHashTable) merge_request_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  Loader loader = { dataset, now_us / 1000 * 1000, merge_request_ids };
  JsonArray *merge_requests = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, "fixture", "is not a JSON object");
      return NULL;
    }

  if (!load_users (&loader, json_node_get_object (root), error)
      || !load_projects (&loader, json_node_get_object (root), error)
      || !read_array (json_node_get_object (root), "merge_requests", &merge_requests,
                      "fixture", error))
    return NULL;

  for (guint i = 0; i < array_length (merge_requests); i++)
    {
      g_autofree char *where = g_strdup_printf ("merge_requests[%u]", i);
      JsonObject *object = array_object (merge_requests, i, where, error);

      if (object == NULL || !load_merge_request (&loader, object, where, error))
        return NULL;
    }
  return g_steal_pointer (&dataset);
}

NodFakeDataset *
nod_fake_dataset_new_from_fixture (GBytes  *json,
                                   gint64   now_us,
                                   GError **error)
{
  g_autoptr(JsonNode) root = nod_fake_fixture_parse (json, error);

  if (root == NULL)
    return NULL;
  return nod_fake_dataset_new_from_fixture_root (root, now_us, error);
}
