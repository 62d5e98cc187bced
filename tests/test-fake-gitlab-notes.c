/* test-fake-gitlab-notes.c: the fake GitLab edits and deletes posted notes as GitLab does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One fixture: a merge request by kim with four threads (sam's two notes, kim's comment,
 * a system note by sam, a single comment of sam's) and a second merge request with a note
 * of sam's, to show that a note is found only through its own merge request. The token
 * signs in as sam. Raw HTTP on a loopback port; every wait is on a result.
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
#define OTHER_MR "/projects/5/merge_requests/4"
#define SAM_THREAD "1111111111111111111111111111111111111111"
#define KIM_THREAD "2222222222222222222222222222222222222222"
#define SYSTEM_THREAD "3333333333333333333333333333333333333333"
#define SAM_COMMENT "4444444444444444444444444444444444444444"
#define OTHER_THREAD "5555555555555555555555555555555555555555"
#define FIXTURE_THREADS 4

static const char fixture_json[] =
  "{\"users\": [{\"id\": 1, \"username\": \"sam\"}, {\"id\": 9, \"username\": \"kim\"}],"
  " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
  " \"merge_requests\": ["
  "  {\"project\": \"g/p\", \"iid\": 3, \"title\": \"T\", \"author\": \"kim\","
  "   \"reviewers\": [\"sam\"], \"updated\": \"-1h\","
  "   \"discussions\": ["
  "     {\"id\": \"" SAM_THREAD "\", \"notes\": ["
  "       {\"author\": \"sam\", \"body\": \"First\", \"created\": \"-2h\"},"
  "       {\"author\": \"sam\", \"body\": \"Second\", \"created\": \"-2h\"}]},"
  "     {\"id\": \"" KIM_THREAD "\", \"notes\": [{\"author\": \"kim\", \"body\": \"Kim's\","
  "       \"created\": \"-2h\"}]},"
  "     {\"id\": \"" SYSTEM_THREAD "\", \"notes\": [{\"author\": \"sam\","
  "       \"body\": \"approved this merge request\", \"system\": true, \"created\": \"-2h\"}]},"
  "     {\"id\": \"" SAM_COMMENT "\", \"individual_note\": true, \"notes\": ["
  "       {\"author\": \"sam\", \"body\": \"Alone\", \"created\": \"-2h\"}]}]},"
  "  {\"project\": \"g/p\", \"iid\": 4, \"title\": \"U\", \"author\": \"kim\","
  "   \"updated\": \"-1h\","
  "   \"discussions\": [{\"id\": \"" OTHER_THREAD "\", \"notes\": ["
  "     {\"author\": \"sam\", \"body\": \"Elsewhere\", \"created\": \"-2h\"}]}]}]}";

typedef struct
{
  NodFakeGitlab *fake;
  SoupSession   *session;
  char          *base_url;
  gint64         first_id;    /* sam's, first in SAM_THREAD */
  gint64         second_id;   /* sam's, second in SAM_THREAD */
  gint64         kim_id;
  gint64         system_id;
  gint64         alone_id;    /* sam's single comment */
  gint64         other_mr_id; /* sam's, on the other merge request */
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

/* MR/notes/ID */
static char *
note_path (const char *merge_request,
           gint64      note_id)
{
  return g_strdup_printf ("%s/notes/%" G_GINT64_FORMAT, merge_request, note_id);
}

/* PUT MR/notes/@note_id with {"body": @body}. */
static NodTestResponse *
edit (Fixture    *fixture,
      gint64      note_id,
      const char *body,
      guint       status)
{
  g_autofree char *path = note_path (MR, note_id);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autofree char *json = NULL;

  json_object_set_string_member (json_node_get_object (node), "body", body);
  json = json_to_string (node, FALSE);
  return api (fixture, "PUT", path, json, status);
}

static NodTestResponse *
delete_note (Fixture *fixture,
             gint64   note_id,
             guint    status)
{
  g_autofree char *path = note_path (MR, note_id);

  return api (fixture, "DELETE", path, NULL, status);
}

/* JSON */

static NodTestResponse *
list_discussions (Fixture    *fixture,
                  const char *merge_request)
{
  g_autofree char *path = g_strconcat (merge_request, "/discussions?per_page=100", NULL);

  return api (fixture, "GET", path, NULL, SOUP_STATUS_OK);
}

/* The thread @id in @discussions, or NULL. */
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
  return NULL;
}

static JsonArray *
notes_of (JsonObject *discussion)
{
  return json_object_get_array_member (discussion, "notes");
}

static JsonObject *
note_of (JsonObject *discussion,
         guint       index)
{
  return json_array_get_object_element (notes_of (discussion), index);
}

/* Note @note_id as GET …/discussions shows it now, or NULL when it is gone. */
static JsonObject *
find_note (NodTestResponse *discussions,
           gint64           note_id)
{
  JsonArray *array = nod_test_response_array (discussions);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonArray *notes = notes_of (json_array_get_object_element (array, i));

      for (guint j = 0; j < json_array_get_length (notes); j++)
        {
          JsonObject *note = json_array_get_object_element (notes, j);

          if (json_object_get_int_member (note, "id") == note_id)
            return note;
        }
    }
  return NULL;
}

/* The body of note @note_id of MR now; NULL when it is gone. */
static char *
dup_note_body (Fixture *fixture,
               gint64   note_id)
{
  g_autoptr(NodTestResponse) discussions = list_discussions (fixture, MR);
  JsonObject *note = find_note (discussions, note_id);

  return note != NULL ? g_strdup (json_object_get_string_member (note, "body")) : NULL;
}

static char *
dup_merge_request_updated_at (Fixture *fixture)
{
  g_autoptr(NodTestResponse) merge_request = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);

  return g_strdup (json_object_get_string_member (nod_test_response_object (merge_request),
                                                  "updated_at"));
}

/* Grape's {"error": @words}. */
static void
assert_grape_error (NodTestResponse *response,
                    const char      *words)
{
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (response), "error"),
                   ==, words);
}

/* How many requests the fake logged with @method on a path with @fragment in it, and how
 * many of them with @status. */
static guint
count_logged (Fixture    *fixture,
              const char *method,
              const char *fragment,
              guint       status,
              guint      *with_status)
{
  g_autoptr(NodTestResponse) requests = control (fixture, "GET", "requests", NULL,
                                                 SOUP_STATUS_OK);
  JsonArray *log = nod_test_response_array (requests);
  guint count = 0;

  *with_status = 0;
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (!g_str_equal (json_object_get_string_member (entry, "method"), method)
          || strstr (json_object_get_string_member (entry, "path"), fragment) == NULL)
        continue;
      count++;
      if (json_object_get_int_member (entry, "status") == status)
        (*with_status)++;
    }
  return count;
}

/* The fixture */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "notes.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodTestResponse) discussions = NULL, others = NULL;

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

  discussions = list_discussions (fixture, MR);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==,
                    FIXTURE_THREADS);
  fixture->first_id = json_object_get_int_member (
    note_of (find_discussion (discussions, SAM_THREAD), 0), "id");
  fixture->second_id = json_object_get_int_member (
    note_of (find_discussion (discussions, SAM_THREAD), 1), "id");
  fixture->kim_id = json_object_get_int_member (
    note_of (find_discussion (discussions, KIM_THREAD), 0), "id");
  fixture->system_id = json_object_get_int_member (
    note_of (find_discussion (discussions, SYSTEM_THREAD), 0), "id");
  fixture->alone_id = json_object_get_int_member (
    note_of (find_discussion (discussions, SAM_COMMENT), 0), "id");
  others = list_discussions (fixture, OTHER_MR);
  fixture->other_mr_id = json_object_get_int_member (
    note_of (find_discussion (others, OTHER_THREAD), 0), "id");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->fake);
  g_free (fixture->base_url);
}

/* Tests */

/* PUT answers the note as the discussions list shows it, with the new body and a later
 * updated_at; nothing else of it changes, and the merge request is touched, as GitLab's
 * save of a note touches it. */
static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(NodTestResponse) before = list_discussions (fixture, MR);
  g_autoptr(NodTestResponse) edited = NULL, after = NULL, by_form = NULL;
  g_autofree char *mr_updated_before = dup_merge_request_updated_at (fixture);
  g_autofree char *mr_updated_after = NULL;
  g_autofree char *form_path = note_path (MR, fixture->second_id);
  g_autofree char *second_body = NULL;
  JsonObject *old_note = find_note (before, fixture->first_id);
  JsonObject *answered, *listed;
  g_autoptr(JsonNode) answered_node = NULL, listed_node = NULL;

  edited = edit (fixture, fixture->first_id, "First, *edited*", SOUP_STATUS_OK);
  answered = nod_test_response_object (edited);
  g_assert_cmpint (json_object_get_int_member (answered, "id"), ==, fixture->first_id);
  g_assert_cmpstr (json_object_get_string_member (answered, "body"), ==, "First, *edited*");
  g_assert_cmpstr (json_object_get_string_member (answered, "type"), ==, "DiscussionNote");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (answered, "author"), "username"), ==, "sam");
  g_assert_cmpstr (json_object_get_string_member (answered, "created_at"), ==,
                   json_object_get_string_member (old_note, "created_at"));
  /* Same format, so later sorts later. */
  g_assert_cmpstr (json_object_get_string_member (answered, "updated_at"), >,
                   json_object_get_string_member (old_note, "updated_at"));
  g_assert_cmpint (json_object_get_boolean_member (answered, "resolved"), ==,
                   json_object_get_boolean_member (old_note, "resolved"));

  /* The list shows the very same note. */
  after = list_discussions (fixture, MR);
  listed = find_note (after, fixture->first_id);
  g_assert_nonnull (listed);
  answered_node = json_node_init_object (json_node_alloc (), answered);
  listed_node = json_node_init_object (json_node_alloc (), listed);
  g_assert_true (json_node_equal (answered_node, listed_node));
  g_assert_cmpstr (json_object_get_string_member (find_note (after, fixture->second_id), "body"),
                   ==, "Second");
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (after)), ==,
                    FIXTURE_THREADS);

  mr_updated_after = dup_merge_request_updated_at (fixture);
  g_assert_cmpstr (mr_updated_after, >, mr_updated_before);

  /* A form body is read as well. */
  by_form = api_form (fixture, "PUT", form_path, "body=Second%2C+by+form", SOUP_STATUS_OK);
  second_body = dup_note_body (fixture, fixture->second_id);
  g_assert_cmpstr (second_body, ==, "Second, by form");
}

/* GitLab's PUT with the same body saves nothing: 200 both times, updated_at as the first
 * left it. */
static void
test_edit_twice (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) first = NULL, second = NULL, discussions = NULL;
  g_autofree char *body = NULL;
  guint answered_ok = 0;

  first = edit (fixture, fixture->alone_id, "Once more", SOUP_STATUS_OK);
  second = edit (fixture, fixture->alone_id, "Once more", SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (second), "body"),
                   ==, "Once more");
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (second),
                                                  "updated_at"), ==,
                   json_object_get_string_member (nod_test_response_object (first),
                                                  "updated_at"));

  discussions = list_discussions (fixture, MR);
  g_assert_cmpuint (json_array_get_length (notes_of (find_discussion (discussions,
                                                                      SAM_COMMENT))), ==, 1);
  body = dup_note_body (fixture, fixture->alone_id);
  g_assert_cmpstr (body, ==, "Once more");

  /* Each counts as a write in the log. */
  g_assert_cmpuint (count_logged (fixture, "PUT", "/notes/", SOUP_STATUS_OK, &answered_ok), ==,
                    2);
  g_assert_cmpuint (answered_ok, ==, 2);
}

/* DELETE: 204 and no body; the thread keeps its other notes; the last note takes the thread
 * with it; the second DELETE of a note is a 404. The merge request is not touched. */
static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(NodTestResponse) deleted = NULL, again = NULL, last = NULL, single = NULL;
  g_autoptr(NodTestResponse) kept = NULL, gone = NULL, thread = NULL;
  g_autofree char *mr_updated_before = dup_merge_request_updated_at (fixture);
  g_autofree char *mr_updated_after = NULL;
  g_autofree char *thread_path = g_strconcat (MR, "/discussions/", SAM_THREAD, NULL);
  guint answered = 0;
  JsonObject *discussion;

  deleted = delete_note (fixture, fixture->first_id, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpuint (g_bytes_get_size (deleted->body), ==, 0);
  kept = list_discussions (fixture, MR);
  discussion = find_discussion (kept, SAM_THREAD);
  g_assert_nonnull (discussion);
  g_assert_cmpuint (json_array_get_length (notes_of (discussion)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (note_of (discussion, 0), "id"), ==,
                   fixture->second_id);
  g_assert_null (find_note (kept, fixture->first_id));

  again = delete_note (fixture, fixture->first_id, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (again, "404 Not found");

  last = delete_note (fixture, fixture->second_id, SOUP_STATUS_NO_CONTENT);
  single = delete_note (fixture, fixture->alone_id, SOUP_STATUS_NO_CONTENT);
  gone = list_discussions (fixture, MR);
  g_assert_null (find_discussion (gone, SAM_THREAD));
  g_assert_null (find_discussion (gone, SAM_COMMENT));
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (gone)), ==,
                    FIXTURE_THREADS - 2);
  thread = api (fixture, "GET", thread_path, NULL, SOUP_STATUS_NOT_FOUND);

  mr_updated_after = dup_merge_request_updated_at (fixture);
  g_assert_cmpstr (mr_updated_after, ==, mr_updated_before);

  g_assert_cmpuint (count_logged (fixture, "DELETE", "/notes/", SOUP_STATUS_NO_CONTENT,
                                  &answered), ==, 4);
  g_assert_cmpuint (answered, ==, 3);
}

/* Unknown project, merge request or note: GitLab's 404s; a note of another merge request
 * is not found through this one; a note id that is no number is Grape's 400. */
static void
test_not_found (Fixture       *fixture,
                gconstpointer  data)
{
  static const char *const methods[] = { "PUT", "DELETE" };
  g_autofree char *other_body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      const char *json = g_str_equal (methods[i], "PUT") ? "{\"body\": \"X\"}" : NULL;
      g_autofree char *no_project = note_path ("/projects/99/merge_requests/3",
                                               fixture->first_id);
      g_autofree char *no_merge_request = note_path ("/projects/5/merge_requests/99",
                                                     fixture->first_id);
      g_autofree char *no_note = note_path (MR, 999999);
      g_autofree char *negative = note_path (MR, -1);
      g_autofree char *elsewhere = note_path (MR, fixture->other_mr_id);
      g_autoptr(NodTestResponse) project = NULL, merge_request = NULL, note = NULL;
      g_autoptr(NodTestResponse) below_zero = NULL, other = NULL, word = NULL;

      project = api (fixture, methods[i], no_project, json, SOUP_STATUS_NOT_FOUND);
      nod_test_response_assert_message (project, "404 Project Not Found");
      merge_request = api (fixture, methods[i], no_merge_request, json, SOUP_STATUS_NOT_FOUND);
      nod_test_response_assert_message (merge_request, "404 Not found");
      note = api (fixture, methods[i], no_note, json, SOUP_STATUS_NOT_FOUND);
      nod_test_response_assert_message (note, "404 Not found");
      below_zero = api (fixture, methods[i], negative, json, SOUP_STATUS_NOT_FOUND);
      nod_test_response_assert_message (below_zero, "404 Not found");
      other = api (fixture, methods[i], elsewhere, json, SOUP_STATUS_NOT_FOUND);
      nod_test_response_assert_message (other, "404 Not found");
      word = api (fixture, methods[i], MR "/notes/first", json, SOUP_STATUS_BAD_REQUEST);
      assert_grape_error (word, "note_id is invalid");
    }

  /* The other merge request's note is as it was. */
  {
    g_autoptr(NodTestResponse) others = list_discussions (fixture, OTHER_MR);

    other_body = g_strdup (json_object_get_string_member (find_note (others,
                                                                     fixture->other_mr_id),
                                                          "body"));
  }
  g_assert_cmpstr (other_body, ==, "Elsewhere");
}

/* Only the author changes a note (the fake has no maintainers), and nobody a system note:
 * GitLab's 403, the note as it was. */
static void
test_forbidden (Fixture       *fixture,
                gconstpointer  data)
{
  const gint64 refused[] = { fixture->kim_id, fixture->system_id };
  g_autoptr(NodTestResponse) discussions = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(NodTestResponse) edited = NULL, deleted = NULL;

      edited = edit (fixture, refused[i], "Mine now", SOUP_STATUS_FORBIDDEN);
      nod_test_response_assert_message (edited, "403 Forbidden");
      deleted = delete_note (fixture, refused[i], SOUP_STATUS_FORBIDDEN);
      nod_test_response_assert_message (deleted, "403 Forbidden");
    }

  discussions = list_discussions (fixture, MR);
  g_assert_cmpstr (json_object_get_string_member (find_note (discussions, fixture->kim_id),
                                                  "body"), ==, "Kim's");
  g_assert_cmpstr (json_object_get_string_member (find_note (discussions, fixture->system_id),
                                                  "body"), ==, "approved this merge request");
}

/* A body that is empty, white space or null is Grape's 400; an array is invalid; longer
 * than GitLab keeps is Note's 400 (for a new note too). Without a body, GitLab changes
 * nothing and answers the note. */
static void
test_bad_body (Fixture       *fixture,
               gconstpointer  data)
{
  static const char *const blank[] = {
    "{\"body\": \"\"}",
    "{\"body\": \"  \\n\\t \"}",
    "{\"body\": \"\\u00a0\\u2003\"}",
    "{\"body\": null}",
  };
  g_autofree char *path = note_path (MR, fixture->first_id);
  g_autofree char *longest = g_strnfill (NOD_FAKE_NOTE_MAX_CHARS, 'a');
  g_autofree char *too_long = g_strnfill (NOD_FAKE_NOTE_MAX_CHARS + 1, 'a');
  g_autoptr(GString) wide = g_string_sized_new (2 * NOD_FAKE_NOTE_MAX_CHARS + 1);
  g_autoptr(NodTestResponse) array = NULL, over = NULL, over_create = NULL, most = NULL;
  g_autoptr(NodTestResponse) most_wide = NULL, nothing = NULL, empty_form = NULL;
  g_autofree char *body = NULL;
  g_autofree char *unchanged_body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (blank); i++)
    {
      g_autoptr(NodTestResponse) refused = api (fixture, "PUT", path, blank[i],
                                                SOUP_STATUS_BAD_REQUEST);
      assert_grape_error (refused, "body is empty");
    }
  /* Grape checks the body before it looks the note up. */
  {
    g_autofree char *missing = note_path (MR, 999999);
    g_autoptr(NodTestResponse) refused = api (fixture, "PUT", missing, "{\"body\": \" \"}",
                                              SOUP_STATUS_BAD_REQUEST);
    assert_grape_error (refused, "body is empty");
  }
  empty_form = api_form (fixture, "PUT", path, "body=", SOUP_STATUS_BAD_REQUEST);
  assert_grape_error (empty_form, "body is empty");
  array = api (fixture, "PUT", path, "{\"body\": [\"a\"]}", SOUP_STATUS_BAD_REQUEST);
  assert_grape_error (array, "body is invalid");

  over = edit (fixture, fixture->first_id, too_long, SOUP_STATUS_BAD_REQUEST);
  nod_test_response_assert_message (over, "400 Bad request - Note {:note=>[\"is too long "
                                          "(maximum is 1000000 characters)\"]}");
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), json_object_new ());
    g_autofree char *json = NULL;

    json_object_set_string_member (json_node_get_object (node), "body", too_long);
    json = json_to_string (node, FALSE);
    over_create = api (fixture, "POST", MR "/discussions", json, SOUP_STATUS_BAD_REQUEST);
    nod_test_response_assert_message (over_create,
                                      "400 Bad request - Note {:note=>[\"is too long "
                                      "(maximum is 1000000 characters)\"]}");
  }
  body = dup_note_body (fixture, fixture->first_id);
  g_assert_cmpstr (body, ==, "First");

  /* The limit counts characters, not bytes. */
  most = edit (fixture, fixture->first_id, longest, SOUP_STATUS_OK);
  for (guint i = 0; i < NOD_FAKE_NOTE_MAX_CHARS; i++)
    g_string_append (wide, "\xc3\xa9");
  most_wide = edit (fixture, fixture->second_id, wide->str, SOUP_STATUS_OK);
  g_assert_cmpuint (strlen (json_object_get_string_member (nod_test_response_object (most_wide),
                                                           "body")), ==,
                    2 * NOD_FAKE_NOTE_MAX_CHARS);

  nothing = api (fixture, "PUT", path, "{}", SOUP_STATUS_OK);
  unchanged_body = g_strdup (json_object_get_string_member (
                                     nod_test_response_object (nothing), "body"));
  g_assert_cmpstr (unchanged_body, ==, longest);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (nothing),
                                                  "updated_at"), ==,
                   json_object_get_string_member (nod_test_response_object (most),
                                                  "updated_at"));
}

/* A note edited down to quick actions: GitLab runs them and deletes the note (202). */
static void
test_edit_to_quick_actions (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NodTestResponse) accepted = edit (fixture, fixture->alone_id, "/label ~bug\n",
                                              SOUP_STATUS_ACCEPTED);
  g_autoptr(NodTestResponse) discussions = list_discussions (fixture, MR);

  g_assert_true (json_object_has_member (nod_test_response_object (accepted),
                                         "commands_changes"));
  g_assert_null (find_note (discussions, fixture->alone_id));
  g_assert_null (find_discussion (discussions, SAM_COMMENT));
}

/* Editing is not creating: GitLab's notes limit throttles only new notes. */
static void
test_notes_budget (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodTestResponse) limit = NULL, throttled = NULL, edited = NULL, deleted = NULL;

  limit = control (fixture, "POST", "ratelimit", "{\"notes_limit\": 1, \"notes_remaining\": 0}",
                   SOUP_STATUS_OK);
  throttled = api (fixture, "POST", MR "/discussions", "{\"body\": \"Now\"}", 429);
  edited = edit (fixture, fixture->first_id, "Edited anyway", SOUP_STATUS_OK);
  deleted = delete_note (fixture, fixture->second_id, SOUP_STATUS_NO_CONTENT);
}

/* Faults play on these routes as on any other: a 500 before the work leaves the note; an
 * applied one changes it and loses the answer; a gate holds a DELETE, unapplied, until it
 * is released. */
static void
test_faults (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *first_pattern = g_strdup_printf ("{\"method\": \"PUT\", \"path\": "
                                                    "\"/notes/%" G_GINT64_FORMAT "$\", "
                                                    "\"status\": 500, \"times\": 1}",
                                                    fixture->first_id);
  g_autofree char *applied_pattern = g_strdup_printf ("{\"method\": \"PUT\", \"path\": "
                                                      "\"/notes/%" G_GINT64_FORMAT "$\", "
                                                      "\"status\": 500, \"applied\": true}",
                                                      fixture->first_id);
  g_autofree char *gate_pattern = g_strdup_printf ("{\"method\": \"DELETE\", \"path\": "
                                                   "\"/notes/%" G_GINT64_FORMAT "$\", "
                                                   "\"gate\": \"delete\"}",
                                                   fixture->second_id);
  g_autofree char *second_path = g_strdup_printf ("/api/v4" MR "/notes/%" G_GINT64_FORMAT,
                                                  fixture->second_id);
  g_autoptr(NodTestResponse) fault = NULL, failed = NULL, applied_fault = NULL;
  g_autoptr(NodTestResponse) applied = NULL, gate = NULL, deleted = NULL;
  g_autofree char *unchanged = NULL, *changed = NULL, *still_there = NULL, *gone = NULL;
  NodTestRequest *held;
  guint answered = 0;

  fault = control (fixture, "POST", "faults", first_pattern, SOUP_STATUS_CREATED);
  failed = edit (fixture, fixture->first_id, "Not applied", SOUP_STATUS_INTERNAL_SERVER_ERROR);
  unchanged = dup_note_body (fixture, fixture->first_id);
  g_assert_cmpstr (unchanged, ==, "First");

  applied_fault = control (fixture, "POST", "faults", applied_pattern, SOUP_STATUS_CREATED);
  applied = edit (fixture, fixture->first_id, "Applied", SOUP_STATUS_INTERNAL_SERVER_ERROR);
  changed = dup_note_body (fixture, fixture->first_id);
  g_assert_cmpstr (changed, ==, "Applied");
  g_assert_cmpuint (count_logged (fixture, "PUT", "/notes/", SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                  &answered), ==, 2);
  g_assert_cmpuint (answered, ==, 2);

  gate = control (fixture, "POST", "faults", gate_pattern, SOUP_STATUS_CREATED);
  held = nod_test_http_start (fixture->session, fixture->base_url, TOKEN, "DELETE",
                              second_path, NULL, NULL);
  nod_test_fake_wait_held (fixture->base_url, "delete", 1);
  still_there = dup_note_body (fixture, fixture->second_id);
  g_assert_cmpstr (still_there, ==, "Second");
  g_assert_true (nod_test_http_is_pending (held));

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "delete"), ==, 1);
  deleted = nod_test_http_expect (nod_test_http_finish (held), SOUP_STATUS_NO_CONTENT);
  gone = dup_note_body (fixture, fixture->second_id);
  g_assert_null (gone);
  g_assert_cmpuint (count_logged (fixture, "DELETE", "/notes/", SOUP_STATUS_NO_CONTENT,
                                  &answered), ==, 1);
  g_assert_cmpuint (answered, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/fake-gitlab-notes/edit", test_edit);
  ADD ("/nod/fake-gitlab-notes/edit-twice", test_edit_twice);
  ADD ("/nod/fake-gitlab-notes/delete", test_delete);
  ADD ("/nod/fake-gitlab-notes/not-found", test_not_found);
  ADD ("/nod/fake-gitlab-notes/forbidden", test_forbidden);
  ADD ("/nod/fake-gitlab-notes/bad-body", test_bad_body);
  ADD ("/nod/fake-gitlab-notes/edit-to-quick-actions", test_edit_to_quick_actions);
  ADD ("/nod/fake-gitlab-notes/notes-budget", test_notes_budget);
  ADD ("/nod/fake-gitlab-notes/faults", test_faults);

  return g_test_run ();
}
