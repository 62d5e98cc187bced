/* test-fake-gitlab-drafts.c: the fake GitLab's draft notes — a review written in private,
 * then published at once — and the notifications its author gets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One fixture: a merge request by kim with a small change and three threads (open,
 * resolved, a system note), reviewed by sam, whom the token signs in as. Raw HTTP on a
 * loopback port, every wait on a result. The fake has one token, so another user's draft is
 * planted in its dataset directly to show that the caller sees only their own.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab-private.h"
#include "nod-test-http.h"
#include "nod-test-utils.h"

#define TOKEN "test-token"
#define MR "/projects/5/merge_requests/3"
#define DRAFTS MR "/draft_notes"
#define OPEN_THREAD "1111111111111111111111111111111111111111"
#define RESOLVED_THREAD "2222222222222222222222222222222222222222"
#define SYSTEM_THREAD "3333333333333333333333333333333333333333"
#define UNKNOWN_THREAD "4444444444444444444444444444444444444444"
#define FIXTURE_THREADS 3
#define KIM_ID 9

#define LINE_CODE_REFUSAL \
  "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"

/* src/a.c: line 5 changed, a line inserted after line 12 (new line 13). */
static const char fixture_json[] =
  "{\"users\": [{\"id\": 1, \"username\": \"sam\"}, {\"id\": 9, \"username\": \"kim\"}],"
  " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
  " \"merge_requests\": [{\"project\": \"g/p\", \"iid\": 3, \"title\": \"T\","
  "   \"author\": \"kim\", \"reviewers\": [\"sam\"], \"updated\": \"-1h\","
  "   \"change\": {"
  "     \"base\": {\"src/a.c\": [\"line 1\", \"line 2\", \"line 3\", \"line 4\", \"line 5\","
  "                 \"line 6\", \"line 7\", \"line 8\", \"line 9\", \"line 10\", \"line 11\","
  "                 \"line 12\", \"line 13\", \"line 14\", \"line 15\"]},"
  "     \"head\": {\"src/a.c\": [\"line 1\", \"line 2\", \"line 3\", \"line 4\","
  "                 \"line 5 changed\", \"line 6\", \"line 7\", \"line 8\", \"line 9\","
  "                 \"line 10\", \"line 11\", \"line 12\", \"inserted\", \"line 13\","
  "                 \"line 14\", \"line 15\"]}},"
  "   \"discussions\": ["
  "     {\"id\": \"" OPEN_THREAD "\", \"notes\": [{\"author\": \"kim\", \"body\": \"Open\","
  "       \"created\": \"-2h\"}]},"
  "     {\"id\": \"" RESOLVED_THREAD "\", \"resolved\": true, \"resolved_by\": \"kim\","
  "       \"resolved_at\": \"-90m\","
  "       \"notes\": [{\"author\": \"kim\", \"body\": \"Done\", \"created\": \"-2h\"}]},"
  "     {\"id\": \"" SYSTEM_THREAD "\", \"notes\": [{\"author\": \"kim\","
  "       \"body\": \"added 1 commit\", \"system\": true, \"created\": \"-2h\"}]}]}]}";

typedef struct
{
  NodFakeGitlab *fake;
  SoupSession   *session;
  char          *base_url;
  gint64         merge_request_id;
  char          *base_sha;
  char          *start_sha;
  char          *head_sha;
} Fixture;

/* HTTP */

/* An API call as sam with a JSON body (or none); @path is after /api/v4. */
static NodTestResponse *
api (Fixture    *fixture,
     const char *method,
     const char *path,
     const char *json,
     guint       status)
{
  return nod_test_http_call (fixture->session, fixture->base_url, TOKEN, method, "/api/v4",
                             path, "application/json", json, status);
}

static NodTestResponse *
api_form (Fixture    *fixture,
          const char *method,
          const char *path,
          const char *form,
          guint       status)
{
  return nod_test_http_call (fixture->session, fixture->base_url, TOKEN, method, "/api/v4",
                             path, "application/x-www-form-urlencoded", form, status);
}

/* The fake's control API: @path is after /__fake/. */
static NodTestResponse *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json,
         guint       status)
{
  return nod_test_http_call (fixture->session, fixture->base_url, NULL, method, "/__fake/",
                             path, "application/json", json, status);
}

/* JSON */

/* {"message": {"@field": ["@words"]}}, Rails' validation errors. */
static void
assert_validation_error (NodTestResponse *response,
                         const char      *field,
                         const char      *words)
{
  JsonObject *fields = json_object_get_object_member (nod_test_response_object (response),
                                                      "message");
  JsonArray *messages = json_object_get_array_member (fields, field);

  g_assert_cmpuint (json_object_get_size (fields), ==, 1);
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (messages, 0), ==, words);
}

/* The fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "drafts.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodTestResponse) merge_request = NULL;
  JsonObject *diff_refs;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents (path, fixture_json, -1, &error);
  g_assert_no_error (error);

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, path, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  g_assert_no_error (error);
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->session = soup_session_new ();

  merge_request = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);
  fixture->merge_request_id =
    json_object_get_int_member (nod_test_response_object (merge_request), "id");
  diff_refs = json_object_get_object_member (nod_test_response_object (merge_request),
                                             "diff_refs");
  fixture->base_sha = g_strdup (json_object_get_string_member (diff_refs, "base_sha"));
  fixture->start_sha = g_strdup (json_object_get_string_member (diff_refs, "start_sha"));
  fixture->head_sha = g_strdup (json_object_get_string_member (diff_refs, "head_sha"));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->fake);
  g_free (fixture->base_url);
  g_free (fixture->base_sha);
  g_free (fixture->start_sha);
  g_free (fixture->head_sha);
}

/* A text position on src/a.c at the merge request's head, as JSON. */
static char *
position_json (Fixture *fixture,
               guint    old_line,
               guint    new_line)
{
  g_autoptr(GString) json = g_string_new (NULL);

  g_string_append_printf (json, "{\"position_type\": \"text\", \"base_sha\": \"%s\", "
                          "\"start_sha\": \"%s\", \"head_sha\": \"%s\", "
                          "\"old_path\": \"src/a.c\", \"new_path\": \"src/a.c\"",
                          fixture->base_sha, fixture->start_sha, fixture->head_sha);
  if (old_line != 0)
    g_string_append_printf (json, ", \"old_line\": %u", old_line);
  if (new_line != 0)
    g_string_append_printf (json, ", \"new_line\": %u", new_line);
  g_string_append_c (json, '}');
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/* POSTs a draft (@json: the body) and returns its id. */
static gint64
create_draft (Fixture    *fixture,
              const char *json)
{
  g_autoptr(NodTestResponse) created = api (fixture, "POST", DRAFTS, json, SOUP_STATUS_CREATED);

  return json_object_get_int_member (nod_test_response_object (created), "id");
}

static NodTestResponse *
list_drafts (Fixture *fixture)
{
  return api (fixture, "GET", DRAFTS, NULL, SOUP_STATUS_OK);
}

static guint
count_drafts (Fixture *fixture)
{
  g_autoptr(NodTestResponse) list = list_drafts (fixture);

  return json_array_get_length (nod_test_response_array (list));
}

static NodTestResponse *
list_discussions (Fixture *fixture)
{
  return api (fixture, "GET", MR "/discussions?per_page=100", NULL, SOUP_STATUS_OK);
}

static JsonObject *
find_discussion (NodTestResponse *discussions,
                 const char      *id)
{
  JsonArray *array = nod_test_response_array (discussions);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *discussion = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (discussion, "id"), id))
        return discussion;
    }
  g_assert_not_reached ();
}

static JsonObject *
note_of (JsonObject *discussion,
         guint       index)
{
  return json_array_get_object_element (json_object_get_array_member (discussion, "notes"),
                                        index);
}

static JsonObject *
last_note (JsonObject *discussion)
{
  JsonArray *notes = json_object_get_array_member (discussion, "notes");

  return json_array_get_object_element (notes, json_array_get_length (notes) - 1);
}

static NodTestResponse *
notifications (Fixture *fixture)
{
  return control (fixture, "GET", "mr/5/3/notifications", NULL, SOUP_STATUS_OK);
}

static char *
draft_path (gint64      id,
            const char *suffix)
{
  return g_strdup_printf (DRAFTS "/%" G_GINT64_FORMAT "%s", id, suffix);
}

/* Tests */

static void
test_crud (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(NodTestResponse) created = NULL, form = NULL, list = NULL, page = NULL, got = NULL;
  g_autoptr(NodTestResponse) updated = NULL, deleted = NULL, gone = NULL, again = NULL;
  g_autoptr(NodTestResponse) bad_id = NULL;
  g_autofree char *path = NULL;
  JsonObject *draft;
  gint64 first_id, second_id;

  created = api (fixture, "POST", DRAFTS, "{\"note\": \"Why?\"}", SOUP_STATUS_CREATED);
  draft = nod_test_response_object (created);
  first_id = json_object_get_int_member (draft, "id");
  g_assert_cmpint (first_id, >, 0);
  g_assert_cmpint (json_object_get_int_member (draft, "author_id"), ==,
                   NOD_FAKE_GITLAB_REVIEWER_ID);
  g_assert_cmpint (json_object_get_int_member (draft, "merge_request_id"), ==,
                   fixture->merge_request_id);
  g_assert_false (json_object_get_boolean_member (draft, "resolve_discussion"));
  g_assert_true (nod_test_json_is_null (draft, "discussion_id"));
  g_assert_cmpstr (json_object_get_string_member (draft, "note"), ==, "Why?");
  g_assert_true (nod_test_json_is_null (draft, "commit_id"));
  g_assert_true (nod_test_json_is_null (draft, "line_code"));
  g_assert_true (nod_test_json_is_null (draft, "position"));

  /* A form body, as the other routes take it. */
  form = api_form (fixture, "POST", DRAFTS, "note=Second&commit_id=abc123&resolve_discussion=true",
                   SOUP_STATUS_CREATED);
  second_id = json_object_get_int_member (nod_test_response_object (form), "id");
  g_assert_cmpint (second_id, >, first_id);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (form), "commit_id"), ==,
                   "abc123");
  g_assert_true (json_object_get_boolean_member (nod_test_response_object (form),
                                                 "resolve_discussion"));

  /* Oldest first, paginated like the other lists. */
  list = list_drafts (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                                                 nod_test_response_array (list), 0), "id"),
                   ==, first_id);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                                                 nod_test_response_array (list), 1), "id"),
                   ==, second_id);
  g_assert_cmpstr (soup_message_headers_get_one (list->headers, "x-total"), ==, "2");
  page = api (fixture, "GET", DRAFTS "?per_page=1&page=2", NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (page)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                                                 nod_test_response_array (page), 0), "id"),
                   ==, second_id);
  g_assert_cmpstr (soup_message_headers_get_one (page->headers, "x-page"), ==, "2");
  g_assert_cmpstr (soup_message_headers_get_one (page->headers, "x-total-pages"), ==, "2");

  path = draft_path (first_id, "");
  got = api (fixture, "GET", path, NULL, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (got), "note"), ==,
                   "Why?");

  updated = api (fixture, "PUT", path, "{\"note\": \"Why not?\"}", SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (updated), "id"), ==,
                   first_id);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (updated), "note"), ==,
                   "Why not?");

  deleted = api (fixture, "DELETE", path, NULL, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpuint (g_bytes_get_size (deleted->body), ==, 0);
  gone = api (fixture, "GET", path, NULL, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (gone, "404 Draft Note Not Found");
  again = api (fixture, "DELETE", path, NULL, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (again, "404 Draft Note Not Found");
  g_assert_cmpuint (count_drafts (fixture), ==, 1);

  bad_id = api (fixture, "GET", DRAFTS "/nine", NULL, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (bad_id), "error"), ==,
                   "draft_note_id is invalid");

  /* Nobody else sees drafts: the merge request did not change, nobody was told. */
  {
    g_autoptr(NodTestResponse) told = notifications (fixture);
    g_autoptr(NodTestResponse) discussions = list_discussions (fixture);

    g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 0);
    g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                      FIXTURE_THREADS);
  }
}

static void
test_note_missing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodTestResponse) no_note = NULL, no_note_put = NULL, blank_put = NULL, missing = NULL;
  g_autoptr(NodTestResponse) got = NULL;
  g_autofree char *path = NULL;
  gint64 id;

  no_note = api (fixture, "POST", DRAFTS, "{\"resolve_discussion\": true}",
                 SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (no_note), "error"), ==,
                   "note is missing");
  g_assert_cmpuint (count_drafts (fixture), ==, 0);

  id = create_draft (fixture, "{\"note\": \"Kept\"}");
  path = draft_path (id, "");
  no_note_put = api (fixture, "PUT", path, "{}", SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (no_note_put, "400 Bad request - Missing params to modify");
  blank_put = api (fixture, "PUT", path, "{\"note\": \"  \"}", SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (blank_put, "400 Bad request - Missing params to modify");
  /* GitLab checks the note before it looks for the draft. */
  missing = api (fixture, "PUT", DRAFTS "/1", "{}", SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (missing, "400 Bad request - Missing params to modify");

  got = api (fixture, "GET", path, NULL, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (got), "note"), ==,
                   "Kept");
}

static void
test_position_replaced (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *position = position_json (fixture, 0, 13);
  g_autofree char *moved = position_json (fixture, 5, 0);
  g_autofree char *create = g_strdup_printf ("{\"note\": \"Here\", \"position\": %s}",
                                             position);
  g_autofree char *update = g_strdup_printf ("{\"note\": \"There\", \"position\": %s}", moved);
  g_autofree char *path = NULL;
  g_autofree char *path_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "src/a.c", -1);
  g_autofree char *line_code = g_strdup_printf ("%s_0_13", path_hash);
  g_autoptr(NodTestResponse) created = NULL, replaced = NULL, cleared = NULL, got = NULL;
  g_autoptr(NodTestResponse) bogus = NULL;
  JsonObject *kept;
  gint64 id;

  created = api (fixture, "POST", DRAFTS, create, SOUP_STATUS_CREATED);
  id = json_object_get_int_member (nod_test_response_object (created), "id");
  path = draft_path (id, "");
  kept = json_object_get_object_member (nod_test_response_object (created), "position");
  g_assert_cmpint (json_object_get_int_member (kept, "new_line"), ==, 13);
  g_assert_false (json_object_has_member (kept, "old_line"));  /* as sent */
  g_assert_cmpstr (json_object_get_string_member (kept, "head_sha"), ==, fixture->head_sha);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (created),
                                                  "line_code"), ==, line_code);

  replaced = api (fixture, "PUT", path, update, SOUP_STATUS_OK);
  kept = json_object_get_object_member (nod_test_response_object (replaced), "position");
  g_assert_cmpint (json_object_get_int_member (kept, "old_line"), ==, 5);
  g_assert_false (json_object_has_member (kept, "new_line"));

  /* GitLab's update!(note:, position: params[:position]): without one, none. */
  cleared = api (fixture, "PUT", path, "{\"note\": \"Anywhere\"}", SOUP_STATUS_OK);
  g_assert_true (nod_test_json_is_null (nod_test_response_object (cleared), "position"));
  g_assert_true (nod_test_json_is_null (nod_test_response_object (cleared), "line_code"));
  got = api (fixture, "GET", path, NULL, SOUP_STATUS_OK);
  g_assert_true (nod_test_json_is_null (nod_test_response_object (got), "position"));
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (got), "note"), ==,
                   "Anywhere");

  /* Not judged at creation: a position on no line of the diff is kept as sent. */
  bogus = api (fixture, "POST", DRAFTS, "{\"note\": \"?\", \"position\": {\"new_line\": 99}}",
               SOUP_STATUS_CREATED);
  kept = json_object_get_object_member (nod_test_response_object (bogus), "position");
  g_assert_cmpuint (json_object_get_size (kept), ==, 1);
  g_assert_cmpint (json_object_get_int_member (kept, "new_line"), ==, 99);
  g_assert_true (nod_test_json_is_null (nod_test_response_object (bogus), "line_code"));
}

static void
test_reply_refusals (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodTestResponse) unknown = NULL, system = NULL, reply = NULL, second = NULL;
  g_autoptr(NodTestResponse) other = NULL;

  unknown = api (fixture, "POST", DRAFTS,
                 "{\"note\": \"?\", \"in_reply_to_discussion_id\": \"" UNKNOWN_THREAD "\"}",
                 SOUP_STATUS_BAD_REQUEST);
  assert_validation_error (unknown, "base", "Thread to reply to cannot be found");
  system = api (fixture, "POST", DRAFTS,
                "{\"note\": \"?\", \"in_reply_to_discussion_id\": \"" SYSTEM_THREAD "\"}",
                SOUP_STATUS_BAD_REQUEST);
  assert_validation_error (system, "base", "Replies to system notes are not allowed");

  reply = api (fixture, "POST", DRAFTS,
               "{\"note\": \"Agreed\", \"in_reply_to_discussion_id\": \"" OPEN_THREAD "\"}",
               SOUP_STATUS_CREATED);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (reply),
                                                  "discussion_id"), ==, OPEN_THREAD);
  /* One draft reply per user and thread. */
  second = api (fixture, "POST", DRAFTS,
                "{\"note\": \"Also\", \"in_reply_to_discussion_id\": \"" OPEN_THREAD "\"}",
                SOUP_STATUS_BAD_REQUEST);
  assert_validation_error (second, "discussion_id", "has already been taken");
  other = api (fixture, "POST", DRAFTS,
               "{\"note\": \"Fine\", \"in_reply_to_discussion_id\": \"" RESOLVED_THREAD "\"}",
               SOUP_STATUS_CREATED);

  g_assert_cmpuint (count_drafts (fixture), ==, 2);
}

static void
test_bulk_publish (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *position = position_json (fixture, 0, 13);
  g_autofree char *positioned = g_strdup_printf ("{\"note\": \"On this line\", "
                                                 "\"position\": %s}", position);
  g_autoptr(NodTestResponse) before = NULL, published = NULL, after = NULL, discussions = NULL;
  g_autoptr(NodTestResponse) told = NULL;
  JsonObject *open_thread, *resolved_thread, *new_thread, *diff_thread, *note;
  JsonObject *event;
  JsonArray *array;
  gint64 last_note_id;

  before = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);
  create_draft (fixture, "{\"note\": \"A new thread\"}");
  create_draft (fixture, "{\"note\": \"Fixed, closing\", \"resolve_discussion\": true, "
                "\"in_reply_to_discussion_id\": \"" OPEN_THREAD "\"}");
  create_draft (fixture, "{\"note\": \"Not quite\", \"resolve_discussion\": false, "
                "\"in_reply_to_discussion_id\": \"" RESOLVED_THREAD "\"}");
  create_draft (fixture, positioned);

  published = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpuint (g_bytes_get_size (published->body), ==, 0);
  g_assert_cmpuint (count_drafts (fixture), ==, 0);

  discussions = list_discussions (fixture);
  array = nod_test_response_array (discussions);
  g_assert_cmpuint (json_array_get_length (array), ==, FIXTURE_THREADS + 2);

  /* The replies are in their threads: resolve_discussion true resolved the open one, false
   * reopened the resolved one. */
  open_thread = find_discussion (discussions, OPEN_THREAD);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (open_thread,
                                                                         "notes")), ==, 2);
  note = last_note (open_thread);
  g_assert_cmpstr (json_object_get_string_member (note, "body"), ==, "Fixed, closing");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (note,
                                                                                 "author"),
                                                  "username"), ==, "sam");
  g_assert_true (json_object_get_boolean_member (note_of (open_thread, 0), "resolved"));
  g_assert_true (json_object_get_boolean_member (note, "resolved"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (note_of (open_thread, 0), "resolved_by"),
                     "username"), ==, "sam");

  resolved_thread = find_discussion (discussions, RESOLVED_THREAD);
  note = last_note (resolved_thread);
  g_assert_cmpstr (json_object_get_string_member (note, "body"), ==, "Not quite");
  g_assert_false (json_object_get_boolean_member (note_of (resolved_thread, 0), "resolved"));
  g_assert_true (nod_test_json_is_null (note_of (resolved_thread, 0), "resolved_by"));

  /* The new threads, in the drafts' order: a resolvable thread, then a DiffNote on the
   * line the draft named. */
  new_thread = json_array_get_object_element (array, FIXTURE_THREADS);
  g_assert_false (json_object_get_boolean_member (new_thread, "individual_note"));
  note = note_of (new_thread, 0);
  g_assert_cmpstr (json_object_get_string_member (note, "body"), ==, "A new thread");
  g_assert_cmpstr (json_object_get_string_member (note, "type"), ==, "DiscussionNote");
  g_assert_true (json_object_get_boolean_member (note, "resolvable"));

  diff_thread = json_array_get_object_element (array, FIXTURE_THREADS + 1);
  note = note_of (diff_thread, 0);
  g_assert_cmpstr (json_object_get_string_member (note, "body"), ==, "On this line");
  g_assert_cmpstr (json_object_get_string_member (note, "type"), ==, "DiffNote");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (note, "position"),
                                               "new_line"), ==, 13);
  g_assert_true (nod_test_json_is_null (json_object_get_object_member (note, "position"),
                                        "old_line"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (note,
                                                                                 "position"),
                                                  "new_path"), ==, "src/a.c");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (note,
                                                                                 "position"),
                                                  "head_sha"), ==, fixture->head_sha);
  g_assert_nonnull (json_object_get_object_member (note, "original_position"));

  /* Published in id order: the notes' ids follow the drafts'. */
  last_note_id = json_object_get_int_member (note_of (new_thread, 0), "id");
  g_assert_cmpint (json_object_get_int_member (last_note (open_thread), "id"), >, last_note_id);
  last_note_id = json_object_get_int_member (last_note (open_thread), "id");
  g_assert_cmpint (json_object_get_int_member (last_note (resolved_thread), "id"), >,
                   last_note_id);
  last_note_id = json_object_get_int_member (last_note (resolved_thread), "id");
  g_assert_cmpint (json_object_get_int_member (note_of (diff_thread, 0), "id"), >,
                   last_note_id);

  /* The merge request moved as a note moves it. */
  after = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (after),
                                                  "updated_at"), >,
                   json_object_get_string_member (nod_test_response_object (before),
                                                  "updated_at"));

  /* One review, not four notes. */
  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 1);
  array = json_object_get_array_member (nod_test_response_object (told), "events");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  event = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, "review");
  g_assert_cmpint (json_object_get_int_member (event, "notes"), ==, 4);
}

static void
test_publish_one (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodTestResponse) published = NULL, discussions = NULL, told = NULL, remaining = NULL;
  g_autoptr(NodTestResponse) missing = NULL;
  g_autofree char *path = NULL;
  JsonObject *thread, *event;
  gint64 reply_id, kept_id;

  reply_id = create_draft (fixture, "{\"note\": \"Reopening\", "
                           "\"in_reply_to_discussion_id\": \"" RESOLVED_THREAD "\"}");
  kept_id = create_draft (fixture, "{\"note\": \"Later\"}");

  path = draft_path (reply_id, "/publish");
  published = api (fixture, "PUT", path, NULL, SOUP_STATUS_NO_CONTENT);
  missing = api (fixture, "PUT", path, NULL, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (missing, "404 Draft Note Not Found");

  discussions = list_discussions (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                    FIXTURE_THREADS);
  thread = find_discussion (discussions, RESOLVED_THREAD);
  g_assert_cmpstr (json_object_get_string_member (last_note (thread), "body"), ==,
                   "Reopening");
  /* Without resolve_discussion, the thread is unresolved. */
  g_assert_false (json_object_get_boolean_member (note_of (thread, 0), "resolved"));

  remaining = list_drafts (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (remaining)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                                                 nod_test_response_array (remaining), 0), "id"),
                   ==, kept_id);

  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 1);
  event = json_array_get_object_element (
    json_object_get_array_member (nod_test_response_object (told), "events"), 0);
  g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, "note");
  g_assert_cmpint (json_object_get_int_member (event, "notes"), ==, 1);
}

static void
test_bad_position (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *off_diff = position_json (fixture, 0, 99);
  g_autofree char *bad = g_strdup_printf ("{\"note\": \"Nowhere\", \"position\": %s}",
                                          off_diff);
  g_autoptr(NodTestResponse) refused = NULL, one = NULL, discussions = NULL, told = NULL;
  g_autoptr(NodTestResponse) incomplete = NULL, keys = NULL;
  g_autofree char *path = NULL;
  gint64 bad_id, half_id;

  create_draft (fixture, "{\"note\": \"Fine\"}");
  create_draft (fixture, "{\"note\": \"Fine too\", "
                "\"in_reply_to_discussion_id\": \"" OPEN_THREAD "\", "
                "\"resolve_discussion\": true}");
  bad_id = create_draft (fixture, bad);

  /* All or nothing: the good drafts stay drafts. */
  refused = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (refused, LINE_CODE_REFUSAL);
  g_assert_cmpuint (count_drafts (fixture), ==, 3);
  discussions = list_discussions (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                    FIXTURE_THREADS);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      find_discussion (discussions, OPEN_THREAD), "notes")), ==, 1);
  g_assert_false (json_object_get_boolean_member (
                    note_of (find_discussion (discussions, OPEN_THREAD), 0), "resolved"));
  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 0);

  /* Alone, the same refusal. */
  path = draft_path (bad_id, "/publish");
  one = api (fixture, "PUT", path, NULL, SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (one, LINE_CODE_REFUSAL);

  /* The discussions route's other words, as the message. */
  half_id = create_draft (fixture, "{\"note\": \"?\", \"position\": {\"new_line\": 3}}");
  g_free (path);
  path = draft_path (half_id, "/publish");
  keys = api (fixture, "PUT", path, NULL, SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (keys,
                                    "position[base_sha] is missing, "
                                    "position[start_sha] is missing, "
                                    "position[head_sha] is missing, "
                                    "position[position_type] is missing");
  {
    g_autofree char *no_line = position_json (fixture, 0, 0);
    g_autofree char *update = g_strdup_printf ("{\"note\": \"?\", \"position\": %s}", no_line);
    g_autofree char *put_path = draft_path (half_id, "");
    g_autoptr(NodTestResponse) put = api (fixture, "PUT", put_path, update, SOUP_STATUS_OK);

    /* A position without a line is incomplete. */
    incomplete = api (fixture, "PUT", path, NULL, SOUP_STATUS_BAD_REQUEST);
    nod_test_response_assert_message (incomplete,
                                      "400 Bad request - Note {:position=>[\"is incomplete\"]}");
  }

  g_assert_cmpuint (count_drafts (fixture), ==, 4);
}

static void
test_review_notifies_once (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodTestResponse) comment = NULL, reply = NULL, control_comment = NULL, empty = NULL;
  g_autoptr(NodTestResponse) published = NULL, told = NULL, unknown = NULL;
  JsonArray *events;
  static const struct
  {
    const char *kind;
    gint64      notes;
  } expected[] = {
    { "note", 1 }, { "note", 1 }, { "note", 1 }, { "review", 3 },
  };

  /* Notes outside a review: one event each, the control API's included. */
  comment = api (fixture, "POST", MR "/discussions", "{\"body\": \"Hm\"}",
                 SOUP_STATUS_CREATED);
  reply = api (fixture, "POST", MR "/discussions/" OPEN_THREAD "/notes", "{\"body\": \"Hm?\"}",
               SOUP_STATUS_CREATED);
  control_comment = control (fixture, "POST", "mr/5/3/comment",
                             "{\"author\": \"kim\", \"body\": \"Hi\"}", SOUP_STATUS_CREATED);

  /* Nothing to publish: nothing happens. */
  empty = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_NO_CONTENT);

  create_draft (fixture, "{\"note\": \"One\"}");
  create_draft (fixture, "{\"note\": \"Two\"}");
  create_draft (fixture, "{\"note\": \"Three\", "
                "\"in_reply_to_discussion_id\": \"" OPEN_THREAD "\"}");
  published = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_NO_CONTENT);

  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==,
                   G_N_ELEMENTS (expected));
  events = json_object_get_array_member (nod_test_response_object (told), "events");
  g_assert_cmpuint (json_array_get_length (events), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      g_assert_cmpstr (json_object_get_string_member (event, "kind"), ==, expected[i].kind);
      g_assert_cmpint (json_object_get_int_member (event, "notes"), ==, expected[i].notes);
    }

  unknown = control (fixture, "GET", "mr/5/99/notifications", NULL, SOUP_STATUS_NOT_FOUND);
}

/* Drafts belong to their author: kim's, planted in the dataset (the fake has one token),
 * is invisible to sam and stays when sam publishes. */
static void
test_own_drafts_only (Fixture       *fixture,
                      gconstpointer  data)
{
  NodFakeDataset *dataset = fixture->fake->dataset;
  NodFakeMergeRequest *merge_request =
    nod_fake_dataset_find_merge_request (dataset, nod_fake_dataset_find_project (dataset, "5"),
                                         3);
  NodFakeUser *kim = nod_fake_dataset_find_user (dataset, KIM_ID);
  NodFakeDraftNote *theirs;
  g_autoptr(NodTestResponse) list = NULL, got = NULL, put = NULL, deleted = NULL, published = NULL;
  g_autoptr(NodTestResponse) bulk = NULL, mine = NULL;
  g_autofree char *path = NULL, *publish_path = NULL;
  NodFakeDraftNote *left;

  g_assert_nonnull (merge_request);
  g_assert_nonnull (kim);
  theirs = nod_fake_dataset_add_draft_note (dataset, merge_request, kim, "kim's");
  theirs->discussion_id = g_strdup (OPEN_THREAD);
  path = draft_path (theirs->id, "");
  publish_path = draft_path (theirs->id, "/publish");

  list = list_drafts (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 0);
  got = api (fixture, "GET", path, NULL, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (got, "404 Draft Note Not Found");
  put = api (fixture, "PUT", path, "{\"note\": \"mine now\"}", SOUP_STATUS_NOT_FOUND);
  deleted = api (fixture, "DELETE", path, NULL, SOUP_STATUS_NOT_FOUND);
  published = api (fixture, "PUT", publish_path, NULL, SOUP_STATUS_NOT_FOUND);

  /* One draft reply per user: kim's does not stop sam's. */
  mine = api (fixture, "POST", DRAFTS,
              "{\"note\": \"sam's\", \"in_reply_to_discussion_id\": \"" OPEN_THREAD "\"}",
              SOUP_STATUS_CREATED);
  bulk = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_NO_CONTENT);

  g_assert_cmpuint (merge_request->draft_notes->len, ==, 1);
  left = g_ptr_array_index (merge_request->draft_notes, 0);
  g_assert_true (left->author == kim);
  g_assert_cmpstr (left->note, ==, "kim's");
}

/* The generic machinery works on these routes as on any other. */
static void
test_faults (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(NodTestResponse) fault = NULL, created = NULL, list = NULL, bulk_fault = NULL;
  g_autoptr(NodTestResponse) bulk = NULL, requests = NULL, discussions = NULL, told = NULL;
  g_autoptr(NodTestResponse) lost = NULL;
  JsonArray *log;
  JsonObject *entry;
  gboolean logged = FALSE;

  fault = control (fixture, "POST", "faults",
                   "{\"method\": \"POST\", \"path\": \"/draft_notes$\", \"status\": 500,"
                   " \"applied\": true}", SOUP_STATUS_CREATED);
  created = api (fixture, "POST", DRAFTS, "{\"note\": \"Lost answer\"}",
                 SOUP_STATUS_INTERNAL_SERVER_ERROR);

  /* The answer was lost; the draft was made. */
  list = list_drafts (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                                                    nod_test_response_array (list), 0), "note"), ==,
                   "Lost answer");

  requests = control (fixture, "GET", "requests", NULL, SOUP_STATUS_OK);
  log = nod_test_response_array (requests);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      entry = json_array_get_object_element (log, i);
      if (g_str_equal (json_object_get_string_member (entry, "method"), "POST")
          && g_str_has_suffix (json_object_get_string_member (entry, "path"), "/draft_notes"))
        {
          g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 500);
          logged = TRUE;
        }
    }
  g_assert_true (logged);

  /* A publish whose answer is lost still published. */
  bulk_fault = control (fixture, "POST", "faults",
                        "{\"method\": \"POST\", \"path\": \"/bulk_publish$\", \"drop\": true,"
                        " \"applied\": true}", SOUP_STATUS_CREATED);
  lost = nod_test_http_send (fixture->session, fixture->base_url, TOKEN, "POST",
                             "/api/v4" DRAFTS "/bulk_publish", NULL, NULL);
  g_assert_null (lost->body);
  g_assert_nonnull (lost->error);
  g_assert_cmpuint (count_drafts (fixture), ==, 0);
  discussions = list_discussions (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                    FIXTURE_THREADS + 1);
  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 1);
}

/* Drafts and their publishing are outside the notes budget (an assumption). */
static void
test_notes_budget (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodTestResponse) limit = NULL, throttled = NULL, published = NULL, discussions = NULL;

  limit = control (fixture, "POST", "ratelimit", "{\"notes_limit\": 1, \"notes_remaining\": 0}",
                   SOUP_STATUS_OK);
  throttled = api (fixture, "POST", MR "/discussions", "{\"body\": \"Now\"}", 429);

  create_draft (fixture, "{\"note\": \"Queued\"}");
  create_draft (fixture, "{\"note\": \"Queued too\"}");
  published = api (fixture, "POST", DRAFTS "/bulk_publish", NULL, SOUP_STATUS_NO_CONTENT);
  discussions = list_discussions (fixture);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                    FIXTURE_THREADS + 2);
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(NodTestResponse) comment = NULL, reset = NULL, told = NULL;

  create_draft (fixture, "{\"note\": \"Soon gone\"}");
  comment = api (fixture, "POST", MR "/discussions", "{\"body\": \"Hm\"}",
                 SOUP_STATUS_CREATED);
  reset = control (fixture, "POST", "reset", NULL, SOUP_STATUS_OK);

  g_assert_cmpuint (count_drafts (fixture), ==, 0);
  told = notifications (fixture);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (told), "count"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      nod_test_response_object (told), "events")), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/fake-gitlab-drafts/crud", test_crud);
  ADD ("/nod/fake-gitlab-drafts/note-missing", test_note_missing);
  ADD ("/nod/fake-gitlab-drafts/position-replaced", test_position_replaced);
  ADD ("/nod/fake-gitlab-drafts/reply-refusals", test_reply_refusals);
  ADD ("/nod/fake-gitlab-drafts/bulk-publish", test_bulk_publish);
  ADD ("/nod/fake-gitlab-drafts/publish-one", test_publish_one);
  ADD ("/nod/fake-gitlab-drafts/bad-position", test_bad_position);
  ADD ("/nod/fake-gitlab-drafts/review-notifies-once", test_review_notifies_once);
  ADD ("/nod/fake-gitlab-drafts/own-drafts-only", test_own_drafts_only);
  ADD ("/nod/fake-gitlab-drafts/faults", test_faults);
  ADD ("/nod/fake-gitlab-drafts/notes-budget", test_notes_budget);
  ADD ("/nod/fake-gitlab-drafts/reset", test_reset);

  return g_test_run ();
}
