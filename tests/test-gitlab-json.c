/* test-gitlab-json.c: GitLab's JSON, well formed and hostile, into model objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-commit.h"
#include "nod-gitlab-json.h"

static const char *merge_request_json =
  "{\"id\": 9001, \"iid\": 42, \"project_id\": 7, \"title\": \"Fix the frobnicator\","
  " \"description\": \"It *frobs* again.\", \"state\": \"opened\", \"draft\": false,"
  " \"work_in_progress\": false,"
  " \"author\": {\"id\": 2, \"username\": \"alice\", \"name\": \"Alice\"},"
  " \"reviewers\": [{\"id\": 1, \"username\": \"sam\", \"name\": \"Sam\"}],"
  " \"assignees\": [], \"source_branch\": \"fix\", \"target_branch\": \"main\","
  " \"sha\": \"0123456789abcdef0123456789abcdef01234567\", \"merge_status\": \"can_be_merged\","
  " \"detailed_merge_status\": \"mergeable\", \"has_conflicts\": false,"
  " \"web_url\": \"https://gitlab.example.com/g/p/-/merge_requests/42\","
  " \"references\": {\"short\": \"!42\", \"full\": \"g/p!42\"},"
  " \"created_at\": \"2026-11-01T10:00:00.000Z\", \"updated_at\": \"2026-11-20T10:15:30.123Z\","
  " \"merged_at\": null, \"closed_at\": null, \"user_notes_count\": 3}";

static JsonNode *
parse_text (const char  *text,
            GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return _nod_gitlab_json_parse (bytes, error);
}

static NodMergeRequest *
parse_merge_request (const char  *text,
                     GError     **error)
{
  g_autoptr(JsonNode) root = parse_text (text, error);

  if (root == NULL)
    return NULL;
  return (NodMergeRequest *) _nod_gitlab_json_parse_merge_request (root, error);
}

static void
test_merge_request_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = parse_merge_request (merge_request_json, &error);
  g_autofree char *updated = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (nod_merge_request_get_id (mr), ==, 9001);
  g_assert_cmpint (nod_merge_request_get_iid (mr), ==, 42);
  g_assert_cmpint (nod_merge_request_get_project_id (mr), ==, 7);
  g_assert_cmpstr (nod_merge_request_get_title (mr), ==, "Fix the frobnicator");
  g_assert_cmpstr (nod_merge_request_get_description (mr), ==, "It *frobs* again.");
  g_assert_cmpint (nod_merge_request_get_state (mr), ==, NOD_MERGE_REQUEST_OPENED);
  g_assert_false (nod_merge_request_get_draft (mr));
  g_assert_cmpstr (nod_user_get_username (nod_merge_request_get_author (mr)), ==, "alice");
  g_assert_cmpuint (nod_merge_request_get_reviewers (mr)->len, ==, 1);
  g_assert_cmpstr (nod_user_get_username (g_ptr_array_index (nod_merge_request_get_reviewers (mr),
                                                             0)), ==, "sam");
  g_assert_cmpuint (nod_merge_request_get_assignees (mr)->len, ==, 0);
  g_assert_cmpstr (nod_merge_request_get_source_branch (mr), ==, "fix");
  g_assert_cmpstr (nod_merge_request_get_target_branch (mr), ==, "main");
  g_assert_cmpstr (nod_merge_request_get_sha (mr), ==, "0123456789abcdef0123456789abcdef01234567");
  /* The detailed status wins over the deprecated one. */
  g_assert_cmpstr (nod_merge_request_get_merge_status (mr), ==, "mergeable");
  g_assert_false (nod_merge_request_get_has_conflicts (mr));
  g_assert_cmpstr (nod_merge_request_get_reference (mr), ==, "g/p!42");
  g_assert_null (nod_merge_request_get_merged_at (mr));
  updated = g_date_time_format_iso8601 (nod_merge_request_get_updated_at (mr));
  g_assert_cmpstr (updated, ==, "2026-11-20T10:15:30.123000Z");
  g_assert_cmpuint (nod_merge_request_get_user_notes_count (mr), ==, 3);
}

/* Markup in a title is data: it is kept as text (the UI escapes it), and a huge title
 * is cut to a bound. */
static void
test_hostile_title (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = NULL;
  g_autoptr(GString) title = g_string_new ("<b>bold</b> & <script>alert(1)</script> ");
  g_autofree char *text = NULL;
  JsonObject *object;

  while (title->len < 100 * 1024)
    g_string_append (title, "ünïcödé &amp; <i>");

  g_assert_true (json_parser_load_from_data (parser, merge_request_json, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (object, "title", title->str);
  text = json_to_string (json_parser_get_root (parser), FALSE);

  mr = parse_merge_request (text, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (nod_merge_request_get_title (mr), "<b>bold</b> & <script>"));
  g_assert_cmpuint (g_utf8_strlen (nod_merge_request_get_title (mr), -1), ==,
                    NOD_GITLAB_SHORT_TEXT_MAX_CHARS + 1);
  g_assert_true (g_str_has_suffix (nod_merge_request_get_title (mr), "…"));
}

static void
assert_protocol_error (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = parse_merge_request (text, &error);

  g_assert_null (mr);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_deeply_nested (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);

  for (int i = 0; i < 200000; i++)
    g_string_append_c (deep, '[');
  assert_protocol_error (deep->str);

  /* Deep inside an otherwise fine answer too. */
  g_string_assign (deep, "{\"id\": 1, \"x\": ");
  for (int i = 0; i < 1000; i++)
    g_string_append (deep, "{\"a\": ");
  g_string_append (deep, "1");
  for (int i = 0; i < 1000; i++)
    g_string_append_c (deep, '}');
  g_string_append_c (deep, '}');
  assert_protocol_error (deep->str);
}

static void
test_not_json (void)
{
  assert_protocol_error ("<html><body>502 Bad Gateway</body></html>");
  assert_protocol_error ("");
  assert_protocol_error ("{\"id\": 1,");
  assert_protocol_error ("[]");
  assert_protocol_error ("null");
  assert_protocol_error ("\"a string\"");
}

/* Every field of a merge request, given every wrong type: never a crash; a required
 * field gives a protocol error that names it. */
static void
test_wrong_types_for_every_field (void)
{
  static const char * const wrong_values[] = {
    "null", "true", "0", "-1", "1.5", "\"text\"", "[]", "[1, 2]", "{}", "{\"id\": \"x\"}",
  };
  static const char * const required[] = {
    "id", "iid", "project_id", "title", "state", "author", "updated_at",
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  guint refused = 0;

  g_assert_true (json_parser_load_from_data (parser, merge_request_json, -1, NULL));
  members = json_object_get_members (json_node_get_object (json_parser_get_root (parser)));

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;

      for (guint i = 0; i < G_N_ELEMENTS (wrong_values); i++)
        {
          g_autoptr(JsonParser) variant = json_parser_new ();
          g_autoptr(JsonNode) wrong = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(NodMergeRequest) mr = NULL;
          g_autofree char *text = NULL;
          JsonObject *object;

          g_assert_true (json_parser_load_from_data (variant, merge_request_json, -1, NULL));
          object = json_node_get_object (json_parser_get_root (variant));
          wrong = json_from_string (wrong_values[i], NULL);
          json_object_set_member (object, member, g_steal_pointer (&wrong));
          text = json_to_string (json_parser_get_root (variant), FALSE);

          mr = parse_merge_request (text, &error);
          if (mr == NULL)
            {
              g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
              refused++;
            }
          else if (g_strv_contains (required, member) && g_str_equal (wrong_values[i], "null"))
            g_error ("A null required field “%s” was accepted", member);
        }
    }

  /* Most wrong values are refused; which is checked per field above. */
  g_assert_cmpuint (refused, >, g_list_length (members) * 5);
}

static void
test_required_field_named (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = NULL;
  g_autofree char *text = g_strdup (merge_request_json);
  char *title = strstr (text, "\"title\"");

  memcpy (title, "\"tytle\"", 7);
  mr = parse_merge_request (text, &error);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "title"));
}

static void
test_approvals (void)
{
  const char *text =
    "{\"id\": 9001, \"iid\": 42, \"project_id\": 7, \"approved\": true,"
    " \"approvals_required\": 2, \"approvals_left\": 1,"
    " \"approved_by\": [{\"user\": {\"id\": 2, \"username\": \"alice\", \"name\": \"Alice\"}}],"
    " \"user_has_approved\": false, \"user_can_approve\": true}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = parse_text (text, &error);
  g_autoptr(NodApprovals) approvals = NULL;
  GPtrArray *approved_by;

  approvals = (NodApprovals *) _nod_gitlab_json_parse_approvals (root, &error);
  g_assert_no_error (error);
  approved_by = nod_approvals_get_approved_by (approvals);
  g_assert_cmpuint (approved_by->len, ==, 1);
  g_assert_cmpstr (nod_user_get_username (g_ptr_array_index (approved_by, 0)), ==, "alice");
  g_assert_false (nod_approvals_get_user_has_approved (approvals));
  g_assert_true (nod_approvals_get_user_can_approve (approvals));
  g_assert_cmpint (nod_approvals_get_approvals_required (approvals), ==, 2);
  g_assert_cmpint (nod_approvals_get_approvals_left (approvals), ==, 1);
}

static void
test_discussion (void)
{
  const char *text =
    "{\"id\": \"6a9c1750b37d513a43987b574953fceb50b03ce7\", \"individual_note\": false,"
    " \"notes\": ["
    "  {\"id\": 1126, \"type\": \"DiffNote\", \"body\": \"Off by one?\","
    "   \"author\": {\"id\": 2, \"username\": \"alice\"}, \"system\": false,"
    "   \"resolvable\": true, \"resolved\": true, \"created_at\": \"2026-11-01T10:00:00Z\","
    "   \"position\": {\"base_sha\": \"aaaa\", \"start_sha\": \"bbbb\", \"head_sha\": \"cccc\","
    "                  \"old_path\": \"src/a.c\", \"new_path\": \"src/a.c\","
    "                  \"position_type\": \"text\", \"old_line\": null, \"new_line\": 17}},"
    "  {\"id\": 1127, \"type\": \"DiscussionNote\", \"body\": \"Yes, fixed\","
    "   \"author\": {\"id\": 1, \"username\": \"sam\"}, \"system\": false,"
    "   \"resolvable\": true, \"resolved\": false}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = parse_text (text, &error);
  g_autoptr(NodDiscussion) discussion = NULL;
  const NodDiffPosition *position;
  NodNote *first;

  discussion = (NodDiscussion *) _nod_gitlab_json_parse_discussion (root, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nod_discussion_get_id (discussion), ==,
                   "6a9c1750b37d513a43987b574953fceb50b03ce7");
  g_assert_cmpuint (nod_discussion_get_notes (discussion)->len, ==, 2);
  g_assert_true (nod_discussion_get_resolvable (discussion));
  /* One of its resolvable notes is not resolved: the thread is not. */
  g_assert_false (nod_discussion_get_resolved (discussion));

  first = g_ptr_array_index (nod_discussion_get_notes (discussion), 0);
  g_assert_cmpint (nod_note_get_id (first), ==, 1126);
  g_assert_cmpstr (nod_note_get_body (first), ==, "Off by one?");
  position = nod_note_get_position (first);
  g_assert_nonnull (position);
  g_assert_cmpstr (position->new_path, ==, "src/a.c");
  g_assert_cmpint (position->new_line, ==, 17);
  g_assert_cmpint (position->old_line, ==, -1);
  g_assert_cmpstr (position->head_sha, ==, "cccc");
  g_assert_null (nod_note_get_position (g_ptr_array_index (nod_discussion_get_notes (discussion),
                                                           1)));
}

/* Who resolved a note, and avatars, are decoration: an odd value is none, and the note or
 * the user is kept. */
static void
test_people_odd_values (void)
{
  static const char * const odd[] = {
    "null", "\"sam\"", "12", "true", "[]", "{}", "{\"id\": \"x\"}", "{\"id\": 3}",
  };
  g_autoptr(GString) long_url = g_string_new ("\"https://example.org/");

  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      g_autofree char *text = g_strdup_printf (
        "{\"id\": 5, \"body\": \"Done\", \"resolvable\": true, \"resolved\": true, "
        "\"author\": {\"id\": 2, \"username\": \"alice\", \"avatar_url\": %s}, "
        "\"resolved_by\": %s, \"resolved_at\": %s}", odd[i], odd[i], odd[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = parse_text (text, &error);
      g_autoptr(GObject) note = _nod_gitlab_json_parse_note (root, &error);

      g_assert_no_error (error);
      g_assert_nonnull (note);
      g_assert_null (nod_note_get_resolved_by (NOD_NOTE (note)));
      g_assert_null (nod_note_get_resolved_at (NOD_NOTE (note)));
      /* A string is kept as the server's; nod_avatar_cache_resolve_url () judges it. */
      if (odd[i][0] != '"')
        g_assert_null (nod_user_get_avatar_url (nod_note_get_author (NOD_NOTE (note))));
    }

  /* A URL too long to be one is none, never cut into another. */
  while (long_url->len < 2000)
    g_string_append (long_url, "aaaaaaaaaa");
  g_string_append_c (long_url, '"');
  {
    g_autofree char *text = g_strdup_printf ("{\"id\": 2, \"username\": \"alice\", "
                                             "\"name\": \"Alice\", \"avatar_url\": %s}",
                                             long_url->str);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = parse_text (text, &error);
    g_autoptr(GObject) user = _nod_gitlab_json_parse_user (root, &error);

    g_assert_no_error (error);
    g_assert_null (nod_user_get_avatar_url (NOD_USER (user)));
    g_assert_cmpstr (nod_user_get_display_name (NOD_USER (user)), ==, "Alice");
  }

  /* The real shape: kept. Not resolved: no resolver, whatever is sent. */
  {
    const char *text =
      "{\"id\": 5, \"body\": \"Done\", \"resolvable\": true, \"resolved\": true, "
      "\"author\": {\"id\": 2, \"username\": \"alice\", "
      "  \"avatar_url\": \"https://secure.gravatar.com/avatar/x?s=80\"}, "
      "\"resolved_by\": {\"id\": 1, \"username\": \"sam\", \"name\": \"Sam\"}, "
      "\"resolved_at\": \"2026-11-01T10:00:00Z\"}";
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) root = parse_text (text, &error);
    g_autoptr(GObject) note = _nod_gitlab_json_parse_note (root, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (nod_user_get_username (nod_note_get_resolved_by (NOD_NOTE (note))), ==, "sam");
    g_assert_nonnull (nod_note_get_resolved_at (NOD_NOTE (note)));
    g_assert_cmpstr (nod_user_get_avatar_url (nod_note_get_author (NOD_NOTE (note))), ==,
                     "https://secure.gravatar.com/avatar/x?s=80");
  }
}

static void
test_discussion_hostile_id (void)
{
  static const char * const ids[] = { "\"../../etc\"", "\"a/b\"", "\"\"", "12", "\"a b\"" };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"id\": %s, \"notes\": []}", ids[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = parse_text (text, &error);
      g_autoptr(GObject) discussion = _nod_gitlab_json_parse_discussion (root, &error);

      g_assert_null (discussion);
      g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
    }
}

/* One of GitLab's MR commits: kept as sent, its time read as a time; a sha that could walk
 * out of a URL, or a time that is not one, is refused. */
static void
test_commit (void)
{
  static const char *text =
    "{\"id\": \"ed899a2f4b50b4370feeea94676502b42383c746\", \"short_id\": \"ed899a2f\","
    " \"title\": \"Replace sanitize with escape once\", \"message\": \"Replace…\","
    " \"author_name\": \"Example User\", \"author_email\": \"user@example.com\","
    " \"authored_date\": \"2026-09-20T11:50:22.000+03:00\","
    " \"committed_date\": \"2026-09-20T11:50:22.000+03:00\", \"parent_ids\": [],"
    " \"web_url\": \"https://gitlab.example.com/g/p/-/commit/ed899a2f\"}";
  static const char * const hostile[] = {
    "{\"id\": \"../../etc\"}",
    "{\"id\": 12}",
    "{\"title\": \"no id\"}",
    "{\"id\": \"ed899a2f\", \"authored_date\": \"yesterday\"}",
    "{\"id\": \"ed899a2f\", \"title\": [\"x\"]}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = parse_text (text, &error);
  g_autoptr(NodCommit) commit = (NodCommit *) _nod_gitlab_json_parse_commit (root, &error);
  g_autoptr(GDateTime) authored = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (nod_commit_get_sha (commit), ==, "ed899a2f4b50b4370feeea94676502b42383c746");
  g_assert_cmpstr (nod_commit_get_short_id (commit), ==, "ed899a2f");
  g_assert_cmpstr (nod_commit_get_title (commit), ==, "Replace sanitize with escape once");
  g_assert_cmpstr (nod_commit_get_author_name (commit), ==, "Example User");
  g_assert_cmpstr (nod_commit_get_web_url (commit), ==,
                   "https://gitlab.example.com/g/p/-/commit/ed899a2f");
  authored = g_date_time_new_from_iso8601 (nod_commit_get_authored_date (commit), NULL);
  g_assert_nonnull (authored);
  g_assert_cmpint (g_date_time_to_unix (authored), ==, 1789894222);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GError) refused = NULL;
      g_autoptr(JsonNode) node = parse_text (hostile[i], &refused);
      g_autoptr(GObject) parsed = _nod_gitlab_json_parse_commit (node, &refused);

      g_assert_null (parsed);
      g_assert_error (refused, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
    }
}

static void
test_error_message (void)
{
  static const struct { const char *body; const char *message; } cases[] = {
    { "{\"message\": \"401 Unauthorized\"}", "401 Unauthorized" },
    { "{\"error\": \"insufficient_scope\"}", "insufficient_scope" },
    { "{\"message\": {\"body\": [\"is too long\"]}}", "{\"body\":[\"is too long\"]}" },
    { "<html>oops</html>", NULL },
    { "{\"message\": 5}", "5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (cases[i].body, strlen (cases[i].body));
      g_autofree char *message = _nod_gitlab_json_error_message (body);

      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

/* An answer is one JSON object or array. json-glib 1.6 reads "0{…}" or two documents in a
 * row as one, keeps one value and leaks the others: Nod refuses them before it parses. */
static void
test_one_document (void)
{
  static const char *const refused[] = {
    "0{\"message\": \"a\"}",
    "\"x\" {\"message\": \"a\"}",
    "{\"message\": \"a\"} {\"message\": \"b\"}",
    "{\"message\": \"a\"}{\"message\": \"b\"}",
    "[] [{\"message\": \"a\"}]",
    "{\"message\": \"a\"}]",
    "]{\"message\": \"a\"}",
    "{\"message\": \"a\"} 0",
  };
  static const char *const accepted[] = {
    "{\"message\": \"a\"}",
    " \r\n\t{\"message\": \"a\"}\r\n",
    "{\"message\": \"a} {\\\" ] \"}",
  };
  g_autofree char *twice = g_strconcat (merge_request_json, merge_request_json, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (refused[i], strlen (refused[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = _nod_gitlab_json_parse (body, &error);
      g_autofree char *message = _nod_gitlab_json_error_message (body);

      g_test_message ("%s", refused[i]);
      g_assert_null (root);
      g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
      g_assert_null (message);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (accepted[i], strlen (accepted[i]));
      g_autofree char *message = _nod_gitlab_json_error_message (body);

      g_test_message ("%s", accepted[i]);
      g_assert_nonnull (message);
    }

  assert_protocol_error (twice);
}

/* What Nod kept itself (a queued action's payload, a cursor) is read with the same check. */
static void
test_kept_text (void)
{
  g_autoptr(JsonNode) one = _nod_gitlab_json_parse_text ("{\"body\": \"Hi\"}");
  g_autoptr(JsonNode) two = _nod_gitlab_json_parse_text ("{\"body\": \"a\"} {\"body\": \"b\"}");
  g_autoptr(JsonNode) none = _nod_gitlab_json_parse_text (NULL);
  g_autoptr(JsonNode) empty = _nod_gitlab_json_parse_text ("");

  g_assert_nonnull (one);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (one));
  g_assert_null (two);
  g_assert_null (none);
  g_assert_null (empty);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/gitlab-json/merge-request", test_merge_request_fields);
  g_test_add_func ("/nod/gitlab-json/hostile-title", test_hostile_title);
  g_test_add_func ("/nod/gitlab-json/deeply-nested", test_deeply_nested);
  g_test_add_func ("/nod/gitlab-json/not-json", test_not_json);
  g_test_add_func ("/nod/gitlab-json/kept-text", test_kept_text);
  g_test_add_func ("/nod/gitlab-json/wrong-types", test_wrong_types_for_every_field);
  g_test_add_func ("/nod/gitlab-json/required-field-named", test_required_field_named);
  g_test_add_func ("/nod/gitlab-json/approvals", test_approvals);
  g_test_add_func ("/nod/gitlab-json/discussion", test_discussion);
  g_test_add_func ("/nod/gitlab-json/discussion-hostile-id", test_discussion_hostile_id);
  g_test_add_func ("/nod/gitlab-json/people-odd-values", test_people_odd_values);
  g_test_add_func ("/nod/gitlab-json/commit", test_commit);
  g_test_add_func ("/nod/gitlab-json/error-message", test_error_message);
  g_test_add_func ("/nod/gitlab-json/one-document", test_one_document);

  return g_test_run ();
}
