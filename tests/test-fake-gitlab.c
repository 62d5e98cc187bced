/* test-fake-gitlab.c: the fake GitLab speaks GitLab's dialect, and its control API works
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test runs a fake on a loopback port chosen by the kernel and talks raw HTTP to it
 * with a SoupSession on the same main context; nothing sleeps: every wait is on a result.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-test-http.h"
#include "nod-test-utils.h"

#define TOKEN "test-token"

/* Generating the benchmark dataset (20,000 merge requests) stays well under a second; under
 * AddressSanitizer, with slow unwinding on every malloc, it is several times slower. */
#ifdef __SANITIZE_ADDRESS__
#define GENERATE_BUDGET_US (60 * G_USEC_PER_SEC)
#else
#define GENERATE_BUDGET_US G_USEC_PER_SEC
#endif

/* In the built-in sample dataset (src/demo/nod-fake-gitlab-sample.json). */
#define SAMPLE_MR_COUNT 30
#define SAMPLE_PROJECT_COUNT 4
#define NOD_PROJECT 11
#define MR_BY_AMELIE "/projects/11/merge_requests/101"     /* sam reviews, not approved */
#define MR_BY_SAM "/projects/11/merge_requests/104"
#define MR_CLOSED "/projects/11/merge_requests/106"
#define MR_APPROVED_BY_SAM "/projects/12/merge_requests/203"

typedef struct
{
  NodFakeGitlab *fake;
  SoupSession   *session;
  char          *base_url;
} Fixture;

static void
fixture_start (Fixture       *fixture,
               NodFakeGitlab *fake)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = fake;
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nod_fake_gitlab_get_port (fixture->fake), >, 0);
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->session = soup_session_new ();
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture_start (fixture, nod_fake_gitlab_new (TOKEN));
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

/* HTTP */

static NodTestRequest *
start_request (Fixture    *fixture,
               const char *method,
               const char *path,
               const char *token,
               const char *content_type,
               const char *body)
{
  return nod_test_http_start (fixture->session, fixture->base_url, token, method, path,
                              content_type, body);
}

static NodTestResponse *
send_request (Fixture    *fixture,
              const char *method,
              const char *path,
              const char *token,
              const char *content_type,
              const char *body)
{
  return nod_test_http_send (fixture->session, fixture->base_url, token, method, path,
                             content_type, body);
}

/* An API call as the reviewer; @path is after /api/v4. */
static NodTestResponse *
api (Fixture    *fixture,
     const char *method,
     const char *path)
{
  g_autofree char *full_path = g_strconcat ("/api/v4", path, NULL);

  return send_request (fixture, method, full_path, TOKEN, NULL, NULL);
}

static NodTestResponse *
api_json (Fixture    *fixture,
          const char *method,
          const char *path,
          const char *json)
{
  g_autofree char *full_path = g_strconcat ("/api/v4", path, NULL);

  return send_request (fixture, method, full_path, TOKEN, "application/json", json);
}

static NodTestResponse *
api_form (Fixture    *fixture,
          const char *method,
          const char *path,
          const char *form)
{
  g_autofree char *full_path = g_strconcat ("/api/v4", path, NULL);

  return send_request (fixture, method, full_path, TOKEN, "application/x-www-form-urlencoded",
                       form);
}

static NodTestResponse *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json)
{
  return send_request (fixture, method, path, NULL, json != NULL ? "application/json" : NULL,
                       json);
}

static gint64
header_int (NodTestResponse *response,
            const char      *name)
{
  const char *value = nod_test_response_header (response, name);
  gint64 number = 0;

  g_assert_nonnull (value);
  g_assert_true (g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL));
  return number;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_node_get_array (node);
}

static gboolean
users_contain (JsonArray  *users,
               const char *username)
{
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);
      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_hex_id (const char *text)
{
  if (text == NULL || strlen (text) != 40)
    return FALSE;
  for (const char *cursor = text; *cursor != '\0'; cursor++)
    {
      if (!g_ascii_isxdigit (*cursor) || g_ascii_isupper (*cursor))
        return FALSE;
    }
  return TRUE;
}

/* "2026-11-20T10:15:30.123Z" */
static gboolean
is_gitlab_time (const char *text)
{
  g_autoptr(GRegex) regex =
    g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", 0, 0, NULL);

  return text != NULL && g_regex_match (regex, text, 0, NULL);
}

static char *
dup_mr_updated_at (Fixture    *fixture,
                   const char *mr_path)
{
  g_autoptr(NodTestResponse) response =
    nod_test_http_expect (api (fixture, "GET", mr_path), SOUP_STATUS_OK);

  return g_strdup (json_object_get_string_member (nod_test_response_object (response),
                                                  "updated_at"));
}

/* Authentication and users */

static void
test_auth (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(NodTestResponse) anonymous = NULL;
  g_autoptr(NodTestResponse) wrong = NULL;
  g_autoptr(NodTestResponse) user = NULL;
  g_autoptr(NodTestResponse) bearer = NULL;
  g_autofree char *bearer_url = g_strconcat (fixture->base_url, "/api/v4/user", NULL);
  g_autoptr(SoupMessage) bearer_msg = soup_message_new ("GET", bearer_url);
  g_autoptr(GAsyncResult) bearer_result = NULL;
  g_autoptr(GBytes) bearer_body = NULL;
  JsonObject *me;

  anonymous = nod_test_http_expect (send_request (fixture, "GET", "/api/v4/user", NULL, NULL, NULL),
                                    SOUP_STATUS_UNAUTHORIZED);
  nod_test_response_assert_message (anonymous, "401 Unauthorized");
  g_assert_cmpstr (soup_message_headers_get_content_type (anonymous->headers, NULL), ==,
                   "application/json");
  wrong = nod_test_http_expect (send_request (fixture, "GET", "/api/v4/user", "not-the-token", NULL,
                                              NULL),
                                SOUP_STATUS_UNAUTHORIZED);
  nod_test_response_assert_message (wrong, "401 Unauthorized");

  user = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  me = nod_test_response_object (user);
  g_assert_cmpint (json_object_get_int_member (me, "id"), ==, NOD_FAKE_GITLAB_REVIEWER_ID);
  g_assert_cmpstr (json_object_get_string_member (me, "username"), ==,
                   NOD_FAKE_GITLAB_REVIEWER_USERNAME);
  g_assert_cmpstr (json_object_get_string_member (me, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (me, "name"), !=, "");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (me, "web_url"),
                                   fixture->base_url));
  g_assert_nonnull (json_object_get_string_member (me, "avatar_url"));

  /* OAuth-style tokens work too. */
  soup_message_headers_replace (soup_message_get_request_headers (bearer_msg), "Authorization",
                                "Bearer " TOKEN);
  soup_session_send_and_read_async (fixture->session, bearer_msg, G_PRIORITY_DEFAULT, NULL,
                                    nod_test_keep_result, &bearer_result);
  bearer_body = soup_session_send_and_read_finish (fixture->session,
                                                   nod_test_wait_for_result (&bearer_result),
                                                   NULL);
  g_assert_nonnull (bearer_body);
  g_assert_cmpuint (soup_message_get_status (bearer_msg), ==, SOUP_STATUS_OK);
}

/* Projects */

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(NodTestResponse) list =
    nod_test_http_expect (api (fixture, "GET", "/projects?membership=true"), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) by_id = nod_test_http_expect (api (fixture, "GET", "/projects/11"),
                                                           SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) by_path =
    nod_test_http_expect (api (fixture, "GET", "/projects/gnome-apps%2Fnod"), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) unknown_id = api (fixture, "GET", "/projects/999");
  g_autoptr(NodTestResponse) unknown_path = api (fixture, "GET", "/projects/gnome-apps%2Fnope");
  g_autoptr(NodTestResponse) unencoded = api (fixture, "GET", "/projects/gnome-apps/nod");
  JsonObject *project = nod_test_response_object (by_id);

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==,
                    SAMPLE_PROJECT_COUNT);
  g_assert_cmpint (header_int (list, "x-total"), ==, SAMPLE_PROJECT_COUNT);

  g_assert_cmpint (json_object_get_int_member (project, "id"), ==, NOD_PROJECT);
  g_assert_cmpstr (json_object_get_string_member (project, "name"), ==, "Nod");
  g_assert_cmpstr (json_object_get_string_member (project, "path"), ==, "nod");
  g_assert_cmpstr (json_object_get_string_member (project, "path_with_namespace"), ==,
                   "gnome-apps/nod");
  g_assert_cmpstr (json_object_get_string_member (project, "name_with_namespace"), ==,
                   "GNOME Apps / Nod");
  g_assert_cmpstr (json_object_get_string_member (project, "default_branch"), ==, "main");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (project, "web_url"),
                                   "/gnome-apps/nod"));

  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (by_path), "id"), ==,
                   NOD_PROJECT);

  g_assert_cmpuint (unknown_id->status, ==, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (unknown_id, "404 Project Not Found");
  g_assert_cmpuint (unknown_path->status, ==, SOUP_STATUS_NOT_FOUND);
  /* Like GitLab: a path must be one encoded segment. */
  g_assert_cmpuint (unencoded->status, ==, SOUP_STATUS_NOT_FOUND);
}

/* Merge request lists */

typedef gboolean (*MrPredicate) (JsonObject *merge_request, gconstpointer data);

/* Fetches every page of @query (after /api/v4) and checks each item against @predicate. */
static guint
count_all_pages (Fixture     *fixture,
                 const char  *query,
                 MrPredicate  predicate,
                 gconstpointer data)
{
  guint count = 0;
  g_autofree char *next_page = g_strdup ("1");

  while (next_page != NULL && *next_page != '\0')
    {
      g_autofree char *path = g_strdup_printf ("%s%cper_page=10&page=%s", query,
                                               strchr (query, '?') != NULL ? '&' : '?',
                                               next_page);
      g_autoptr(NodTestResponse) page =
        nod_test_http_expect (api (fixture, "GET", path), SOUP_STATUS_OK);
      JsonArray *items = nod_test_response_array (page);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *merge_request = json_array_get_object_element (items, i);

          if (predicate != NULL)
            g_assert_true (predicate (merge_request, data));
          count++;
        }
      g_free (next_page);
      next_page = g_strdup (nod_test_response_header (page, "x-next-page"));
    }
  return count;
}

static gboolean
is_authored_by (JsonObject    *merge_request,
                gconstpointer  username)
{
  return g_str_equal (json_object_get_string_member (member_object (merge_request, "author"),
                                                     "username"), username);
}

static gboolean
is_assigned_to (JsonObject    *merge_request,
                gconstpointer  username)
{
  return users_contain (member_array (merge_request, "assignees"), username);
}

static gboolean
has_reviewer (JsonObject    *merge_request,
              gconstpointer  username)
{
  return users_contain (member_array (merge_request, "reviewers"), username);
}

static gboolean
has_state (JsonObject    *merge_request,
           gconstpointer  state)
{
  return g_str_equal (json_object_get_string_member (merge_request, "state"), state);
}

static gboolean
updated_at_or_after (JsonObject    *merge_request,
                     gconstpointer  cutoff)
{
  /* Same format, same zone: strings compare like times. */
  return strcmp (json_object_get_string_member (merge_request, "updated_at"), cutoff) >= 0;
}

static gboolean
is_in_nod_project (JsonObject    *merge_request,
                   gconstpointer  data)
{
  return json_object_get_int_member (merge_request, "project_id") == NOD_PROJECT;
}

static void
assert_sorted (JsonArray  *items,
               const char *member,
               gboolean    ascending)
{
  for (guint i = 1; i < json_array_get_length (items); i++)
    {
      const char *previous = json_object_get_string_member (
        json_array_get_object_element (items, i - 1), member);
      const char *current = json_object_get_string_member (
        json_array_get_object_element (items, i), member);

      if (ascending)
        g_assert_cmpstr (previous, <=, current);
      else
        g_assert_cmpstr (previous, >=, current);
    }
}

static void
test_merge_request_filters (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NodTestResponse) by_updated = NULL;
  g_autoptr(NodTestResponse) ascending = NULL;
  g_autoptr(NodTestResponse) by_created = NULL;
  g_autoptr(NodTestResponse) bad_state = NULL;
  g_autoptr(NodTestResponse) bad_order = NULL;
  g_autofree char *cutoff = NULL;
  g_autofree char *updated_after = NULL;
  guint created, assigned, reviewing, opened, merged, closed, all, after;
  JsonArray *items;

  /* GitLab's /merge_requests defaults to scope=created_by_me. */
  created = count_all_pages (fixture, "/merge_requests", is_authored_by, "sam");
  g_assert_cmpuint (created, >=, 3);
  g_assert_cmpuint (count_all_pages (fixture, "/merge_requests?scope=created_by_me",
                                     is_authored_by, "sam"), ==, created);
  g_assert_cmpuint (count_all_pages (fixture, "/merge_requests?scope=all&author_username=sam",
                                     is_authored_by, "sam"), ==, created);

  assigned = count_all_pages (fixture, "/merge_requests?scope=assigned_to_me",
                              is_assigned_to, "sam");
  g_assert_cmpuint (assigned, >=, 3);

  reviewing = count_all_pages (fixture, "/merge_requests?scope=all&reviewer_username=sam",
                               has_reviewer, "sam");
  g_assert_cmpuint (reviewing, >=, 15);
  g_assert_cmpuint (count_all_pages (fixture, "/merge_requests?scope=all&reviewer_id=1",
                                     has_reviewer, "sam"), ==, reviewing);
  g_assert_cmpuint (count_all_pages (fixture, "/merge_requests?scope=all&reviewer_username=nobody",
                                     NULL, NULL), ==, 0);

  all = count_all_pages (fixture, "/merge_requests?scope=all", NULL, NULL);
  g_assert_cmpuint (all, ==, SAMPLE_MR_COUNT);
  g_assert_cmpuint (count_all_pages (fixture, "/merge_requests?scope=all&state=all", NULL, NULL),
                    ==, all);
  opened = count_all_pages (fixture, "/merge_requests?scope=all&state=opened", has_state,
                            "opened");
  merged = count_all_pages (fixture, "/merge_requests?scope=all&state=merged", has_state,
                            "merged");
  closed = count_all_pages (fixture, "/merge_requests?scope=all&state=closed", has_state,
                            "closed");
  g_assert_cmpuint (opened, >, 0);
  g_assert_cmpuint (merged, >, 0);
  g_assert_cmpuint (closed, >, 0);
  g_assert_cmpuint (opened + merged + closed, ==, all);

  /* Newest first by updated_at; the fifth one's time as an inclusive cutoff gives five. */
  by_updated = nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                                          "&order_by=updated_at&per_page=100"),
                                     SOUP_STATUS_OK);
  items = nod_test_response_array (by_updated);
  g_assert_cmpuint (json_array_get_length (items), ==, SAMPLE_MR_COUNT);
  assert_sorted (items, "updated_at", FALSE);
  cutoff = g_strdup (json_object_get_string_member (json_array_get_object_element (items, 4),
                                                    "updated_at"));
  updated_after = g_strdup_printf ("/merge_requests?scope=all&updated_after=%s", cutoff);
  after = count_all_pages (fixture, updated_after, updated_at_or_after, cutoff);
  g_assert_cmpuint (after, >=, 5);
  g_assert_cmpuint (after, <, SAMPLE_MR_COUNT);

  ascending = nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                                         "&order_by=updated_at&sort=asc"
                                                         "&per_page=100"),
                                    SOUP_STATUS_OK);
  assert_sorted (nod_test_response_array (ascending), "updated_at", TRUE);
  by_created = nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all&per_page=100"),
                                     SOUP_STATUS_OK);
  assert_sorted (nod_test_response_array (by_created), "created_at", FALSE);

  g_assert_cmpuint (count_all_pages (fixture, "/projects/11/merge_requests", is_in_nod_project,
                                     NULL), >=, 10);
  g_assert_cmpuint (count_all_pages (fixture, "/projects/gnome-apps%2Fnod/merge_requests"
                                              "?reviewer_username=sam&state=opened",
                                     is_in_nod_project, NULL), >=, 3);

  bad_state = nod_test_http_expect (api (fixture, "GET", "/merge_requests?state=sleeping"),
                                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (bad_state), "error"),
                   ==, "state is invalid");
  bad_order = nod_test_http_expect (api (fixture, "GET", "/merge_requests?order_by=color"),
                                    SOUP_STATUS_BAD_REQUEST);
}

static void
test_merge_request_shape (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(NodTestResponse) single = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE),
                                                            SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) list =
    nod_test_http_expect (api (fixture, "GET", "/projects/11/merge_requests"
                                               "?per_page=1"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) missing = api (fixture, "GET", "/projects/11/merge_requests/9999");
  JsonObject *merge_request = nod_test_response_object (single);
  JsonObject *listed = json_array_get_object_element (nod_test_response_array (list), 0);
  JsonObject *references = member_object (merge_request, "references");
  JsonObject *diff_refs = member_object (merge_request, "diff_refs");
  JsonObject *author = member_object (merge_request, "author");
  static const char *const list_members[] = {
    "id", "iid", "project_id", "title", "description", "state", "created_at", "updated_at",
    "merged_at", "closed_at", "target_branch", "source_branch", "author", "assignees",
    "reviewers", "draft", "work_in_progress", "merge_status", "detailed_merge_status",
    "has_conflicts", "sha", "web_url", "references", "user_notes_count",
  };

  for (guint i = 0; i < G_N_ELEMENTS (list_members); i++)
    {
      g_assert_true (json_object_has_member (merge_request, list_members[i]));
      g_assert_true (json_object_has_member (listed, list_members[i]));
    }
  g_assert_false (json_object_has_member (listed, "diff_refs"));

  g_assert_cmpint (json_object_get_int_member (merge_request, "iid"), ==, 101);
  g_assert_cmpint (json_object_get_int_member (merge_request, "id"), !=, 101);
  g_assert_cmpint (json_object_get_int_member (merge_request, "project_id"), ==, NOD_PROJECT);
  g_assert_cmpstr (json_object_get_string_member (merge_request, "state"), ==, "opened");
  g_assert_true (is_gitlab_time (json_object_get_string_member (merge_request, "created_at")));
  g_assert_true (is_gitlab_time (json_object_get_string_member (merge_request, "updated_at")));
  g_assert_true (nod_test_json_is_null (merge_request, "merged_at"));
  g_assert_true (nod_test_json_is_null (merge_request, "closed_at"));
  g_assert_true (is_hex_id (json_object_get_string_member (merge_request, "sha")));
  g_assert_cmpstr (json_object_get_string_member (diff_refs, "head_sha"), ==,
                   json_object_get_string_member (merge_request, "sha"));
  g_assert_true (is_hex_id (json_object_get_string_member (diff_refs, "base_sha")));
  g_assert_true (is_hex_id (json_object_get_string_member (diff_refs, "start_sha")));
  g_assert_cmpstr (json_object_get_string_member (references, "short"), ==, "!101");
  g_assert_cmpstr (json_object_get_string_member (references, "full"), ==, "gnome-apps/nod!101");
  g_assert_cmpstr (json_object_get_string_member (author, "username"), ==, "amelie");
  g_assert_true (json_object_has_member (author, "avatar_url"));
  g_assert_true (json_object_has_member (author, "web_url"));
  g_assert_true (users_contain (member_array (merge_request, "reviewers"), "sam"));
  g_assert_false (json_object_get_boolean_member (merge_request, "draft"));
  g_assert_cmpint (json_object_get_int_member (merge_request, "user_notes_count"), >, 0);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (merge_request, "web_url"),
                                   "/gnome-apps/nod/-/merge_requests/101"));

  g_assert_cmpuint (missing->status, ==, SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (missing, "404 Not found");
}

/* The sample dataset has what the demo and the UI tests need. */
static void
test_sample_dataset (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodTestResponse) list =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                               "&per_page=100"),
                          SOUP_STATUS_OK);
  JsonArray *items = nod_test_response_array (list);
  gboolean hostile_title = FALSE, long_description = FALSE, conflicts = FALSE, draft = FALSE;
  guint by_sam = 0, sam_reviews = 0, assigned_to_sam = 0, opened = 0, merged = 0, closed = 0;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *merge_request = json_array_get_object_element (items, i);
      const char *title = json_object_get_string_member (merge_request, "title");
      const char *state = json_object_get_string_member (merge_request, "state");

      hostile_title |= strstr (title, "<script>") != NULL && strstr (title, "&") != NULL
                       && strstr (title, "\xf0\x9f") != NULL;  /* an emoji */
      long_description |= strlen (json_object_get_string_member (merge_request, "description"))
                          > 10 * 1024;
      conflicts |= json_object_get_boolean_member (merge_request, "has_conflicts");
      draft |= json_object_get_boolean_member (merge_request, "draft");
      by_sam += is_authored_by (merge_request, "sam");
      sam_reviews += has_reviewer (merge_request, "sam");
      assigned_to_sam += is_assigned_to (merge_request, "sam");
      opened += g_str_equal (state, "opened");
      merged += g_str_equal (state, "merged");
      closed += g_str_equal (state, "closed");
    }

  g_assert_true (hostile_title);
  g_assert_true (long_description);
  g_assert_true (conflicts);
  g_assert_true (draft);
  g_assert_cmpuint (by_sam, >=, 3);
  g_assert_cmpuint (sam_reviews, >=, 15);
  g_assert_cmpuint (assigned_to_sam, >=, 3);
  g_assert_cmpuint (opened, >=, 10);
  g_assert_cmpuint (merged, >=, 3);
  g_assert_cmpuint (closed, >=, 2);
}

/* Pagination */

static void
test_pagination (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) first =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                               "&per_page=7"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) last =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                               "&per_page=7&page=5"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) past =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                               "&per_page=7&page=9"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) defaults =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) huge =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                               "&per_page=1000"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) negative =
    nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all&page=-1"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) discussions =
    nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions?per_page=2"),
                          SOUP_STATUS_OK);
  g_autofree char *next_link = g_strdup_printf ("<%s/api/v4/merge_requests?scope=all&page=2"
                                                "&per_page=7>; rel=\"next\"", fixture->base_url);
  g_autofree char *last_link = g_strdup_printf ("<%s/api/v4/merge_requests?scope=all&page=5"
                                                "&per_page=7>; rel=\"last\"", fixture->base_url);
  g_autofree char *prev_link = g_strdup_printf ("<%s/api/v4/merge_requests?scope=all&page=4"
                                                "&per_page=7>; rel=\"prev\"", fixture->base_url);

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (first)), ==, 7);
  g_assert_cmpint (header_int (first, "x-page"), ==, 1);
  g_assert_cmpint (header_int (first, "x-per-page"), ==, 7);
  g_assert_cmpint (header_int (first, "x-next-page"), ==, 2);
  g_assert_cmpstr (nod_test_response_header (first, "x-prev-page"), ==, "");
  g_assert_cmpint (header_int (first, "x-total"), ==, SAMPLE_MR_COUNT);
  g_assert_cmpint (header_int (first, "x-total-pages"), ==, 5);
  g_assert_nonnull (strstr (nod_test_response_header (first, "Link"), next_link));
  g_assert_nonnull (strstr (nod_test_response_header (first, "Link"), last_link));
  g_assert_nonnull (strstr (nod_test_response_header (first, "Link"), "rel=\"first\""));
  g_assert_null (strstr (nod_test_response_header (first, "Link"), "rel=\"prev\""));

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (last)), ==,
                    SAMPLE_MR_COUNT - 4 * 7);
  g_assert_cmpstr (nod_test_response_header (last, "x-next-page"), ==, "");
  g_assert_cmpint (header_int (last, "x-prev-page"), ==, 4);
  g_assert_nonnull (strstr (nod_test_response_header (last, "Link"), prev_link));
  g_assert_null (strstr (nod_test_response_header (last, "Link"), "rel=\"next\""));

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (past)), ==, 0);
  g_assert_cmpstr (nod_test_response_header (past, "x-next-page"), ==, "");

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (defaults)), ==, 20);
  g_assert_cmpint (header_int (defaults, "x-per-page"), ==, 20);
  g_assert_cmpint (header_int (huge, "x-per-page"), ==, 100);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (huge)), ==, SAMPLE_MR_COUNT);
  g_assert_cmpint (header_int (negative, "x-page"), ==, 1);

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (discussions)), ==, 2);
  g_assert_cmpint (header_int (discussions, "x-total"), >, 2);
  g_assert_cmpint (header_int (discussions, "x-next-page"), ==, 2);
}

static void
fixture_set_up_generated (Fixture       *fixture,
                          gconstpointer  data)
{
  NodFakeGitlab *fake = nod_fake_gitlab_new (TOKEN);

  nod_fake_gitlab_generate (fake, GPOINTER_TO_UINT (data));
  fixture_start (fixture, fake);
}

/* Over 10,000 results GitLab stops counting, but keeps paging. */
static void
test_pagination_past_count_limit (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *query = "/merge_requests?scope=all&reviewer_username=sam&order_by=updated_at"
                      "&per_page=100";
  g_autofree char *page_101 = g_strdup_printf ("%s&page=101", query);
  g_autofree char *page_120 = g_strdup_printf ("%s&page=120", query);
  g_autofree char *page_121 = g_strdup_printf ("%s&page=121", query);
  g_autoptr(NodTestResponse) first =
    nod_test_http_expect (api (fixture, "GET", query), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) past_100 =
    nod_test_http_expect (api (fixture, "GET", page_101), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) last =
    nod_test_http_expect (api (fixture, "GET", page_120), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) after_last = nod_test_http_expect (api (fixture, "GET", page_121),
                                                                SOUP_STATUS_OK);

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (first)), ==, 100);
  g_assert_null (nod_test_response_header (first, "x-total"));
  g_assert_null (nod_test_response_header (first, "x-total-pages"));
  g_assert_null (strstr (nod_test_response_header (first, "Link"), "rel=\"last\""));
  g_assert_nonnull (strstr (nod_test_response_header (first, "Link"), "rel=\"next\""));
  g_assert_cmpint (header_int (first, "x-next-page"), ==, 2);

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (past_100)), ==, 100);
  g_assert_cmpint (header_int (past_100, "x-next-page"), ==, 102);
  g_assert_cmpint (header_int (past_100, "x-prev-page"), ==, 100);
  g_assert_null (nod_test_response_header (past_100, "x-total"));

  g_assert_cmpuint (json_array_get_length (nod_test_response_array (last)), ==, 100);
  g_assert_cmpstr (nod_test_response_header (last, "x-next-page"), ==, "");
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (after_last)), ==, 0);
  g_assert_cmpstr (nod_test_response_header (after_last, "x-next-page"), ==, "");
}

/* Removes what differs between two runs of the generator: times and the port in URLs. */
static void
strip_volatile (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        strip_volatile (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;

          if (g_str_has_suffix (name, "_at") || g_str_has_suffix (name, "_url"))
            json_object_remove_member (object, name);
          else
            strip_volatile (json_object_get_member (object, name));
        }
    }
}

static char *
dup_stable_page (Fixture    *fixture,
                 const char *path)
{
  g_autoptr(NodTestResponse) page =
    nod_test_http_expect (api (fixture, "GET", path), SOUP_STATUS_OK);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_assert_nonnull (page->json);
  strip_volatile (page->json);
  json_generator_set_root (generator, page->json);
  return json_generator_to_data (generator, NULL);
}

static void
test_generate_deterministic (void)
{
  Fixture first = { 0 }, second = { 0 };
  const char *list = "/merge_requests?scope=all&reviewer_username=sam&order_by=updated_at"
                     "&per_page=100";
  g_autofree char *first_page = NULL, *second_page = NULL;
  g_autofree char *first_discussions = NULL, *second_discussions = NULL;
  g_autoptr(NodTestResponse) head = NULL;
  g_autofree char *discussions_path = NULL;
  g_autoptr(NodFakeGitlab) timed = nod_fake_gitlab_new (TOKEN);
  JsonObject *newest;
  gint64 started;

  fixture_set_up_generated (&first, GUINT_TO_POINTER (500));
  fixture_set_up_generated (&second, GUINT_TO_POINTER (500));

  first_page = dup_stable_page (&first, list);
  second_page = dup_stable_page (&second, list);
  g_assert_cmpstr (first_page, ==, second_page);

  head = nod_test_http_expect (api (&first, "GET", list), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (head, "x-total"), ==, 500);
  newest = json_array_get_object_element (nod_test_response_array (head), 0);
  g_assert_false (is_authored_by (newest, "sam"));
  discussions_path = g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/%"
                                      G_GINT64_FORMAT "/discussions",
                                      json_object_get_int_member (newest, "project_id"),
                                      json_object_get_int_member (newest, "iid"));
  first_discussions = dup_stable_page (&first, discussions_path);
  second_discussions = dup_stable_page (&second, discussions_path);
  g_assert_cmpstr (first_discussions, ==, second_discussions);

  fixture_tear_down (&first, NULL);
  fixture_tear_down (&second, NULL);

  /* The benchmark size must stay cheap. */
  started = g_get_monotonic_time ();
  nod_fake_gitlab_generate (timed, 20000);
  g_test_message ("Generating 20,000 merge requests took %.1f ms",
                  (g_get_monotonic_time () - started) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - started, <, GENERATE_BUDGET_US);
}

/* Approvals */

/* @approved_by: [{"user": {…}}, …] */
static gboolean
approvals_contain (JsonArray  *approved_by,
                   const char *username)
{
  for (guint i = 0; i < json_array_get_length (approved_by); i++)
    {
      JsonObject *user = member_object (json_array_get_object_element (approved_by, i), "user");
      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        return TRUE;
    }
  return FALSE;
}

/* GitLab's MR pipelines list: newest first, paginated like every list, 404 for a merge
 * request it does not have. The control API sets a pipeline's status, which leaves the
 * merge request's updated_at alone, as GitLab does. */
static void
test_pipelines (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(NodTestResponse) merge_request = NULL, list = NULL, none = NULL, missing = NULL;
  g_autoptr(NodTestResponse) moved = NULL, after_commit = NULL, committed = NULL;
  g_autoptr(NodTestResponse) refused = NULL, unknown_mr = NULL, single = NULL;
  g_autofree char *updated_before = dup_mr_updated_at (fixture, MR_BY_AMELIE);
  g_autofree char *updated_after = NULL;
  g_autofree char *head_sha = NULL;
  g_autofree char *web_url = NULL;
  JsonObject *pipeline, *head_pipeline;
  gint64 pipeline_id;

  merge_request = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  head_sha = g_strdup (json_object_get_string_member (nod_test_response_object (merge_request),
                                                      "sha"));

  /* The sample's !101 has one pipeline, on its head, that passed. */
  list = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/pipelines?per_page=1"),
                               SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 1);
  g_assert_cmpint (header_int (list, "x-total"), ==, 1);
  g_assert_cmpstr (nod_test_response_header (list, "x-next-page"), ==, "");
  pipeline = json_array_get_object_element (nod_test_response_array (list), 0);
  pipeline_id = json_object_get_int_member (pipeline, "id");
  g_assert_cmpint (pipeline_id, >, 0);
  g_assert_cmpstr (json_object_get_string_member (pipeline, "sha"), ==, head_sha);
  g_assert_cmpstr (json_object_get_string_member (pipeline, "status"), ==, "success");
  web_url = g_strdup_printf ("%s/gnome-apps/nod/-/pipelines/%" G_GINT64_FORMAT,
                             fixture->base_url, pipeline_id);
  g_assert_cmpstr (json_object_get_string_member (pipeline, "web_url"), ==, web_url);
  g_assert_cmpint (json_object_get_int_member (pipeline, "project_id"), ==, NOD_PROJECT);

  /* The single merge request names it as its head pipeline. */
  head_pipeline = member_object (nod_test_response_object (merge_request), "head_pipeline");
  g_assert_cmpint (json_object_get_int_member (head_pipeline, "id"), ==, pipeline_id);

  /* None ran: an empty list. */
  none = nod_test_http_expect (api (fixture, "GET", "/projects/11/merge_requests/102/pipelines"),
                               SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (none)), ==, 0);
  g_assert_cmpint (header_int (none, "x-total"), ==, 0);
  missing = nod_test_http_expect (api (fixture, "GET",
                                       "/projects/11/merge_requests/9999/pipelines"),
                                  SOUP_STATUS_NOT_FOUND);

  /* The pipeline moves on; the merge request's updated_at does not. */
  moved = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/pipeline",
                                         "{\"status\": \"running\"}"),
                                SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (moved), "id"), ==,
                   pipeline_id);
  updated_after = dup_mr_updated_at (fixture, MR_BY_AMELIE);
  g_assert_cmpstr (updated_after, ==, updated_before);

  /* A new head, a new pipeline: listed first. */
  committed = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/commit", "{}"),
                                    SOUP_STATUS_OK);
  g_clear_pointer (&moved, nod_test_response_free);
  moved = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/pipeline",
                                         "{\"status\": \"pending\"}"),
                                SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (moved), "id"), >,
                   pipeline_id);
  after_commit = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/pipelines"),
                                       SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (after_commit)), ==, 2);
  pipeline = json_array_get_object_element (nod_test_response_array (after_commit), 0);
  g_assert_cmpstr (json_object_get_string_member (pipeline, "status"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (pipeline, "sha"), ==,
                   json_object_get_string_member (nod_test_response_object (committed), "sha"));
  pipeline = json_array_get_object_element (nod_test_response_array (after_commit), 1);
  g_assert_cmpstr (json_object_get_string_member (pipeline, "status"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (pipeline, "sha"), ==, head_sha);

  refused = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/pipeline", "{}"),
                                  SOUP_STATUS_BAD_REQUEST);
  unknown_mr = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/9999/pipeline",
                                              "{\"status\": \"success\"}"),
                                     SOUP_STATUS_NOT_FOUND);
  single = nod_test_http_expect (api (fixture, "GET", "/projects/11/merge_requests/102"),
                                 SOUP_STATUS_OK);
  g_assert_true (nod_test_json_is_null (nod_test_response_object (single), "head_pipeline"));
}

/* GitLab's MR commits list: the source branch's commits, newest first, paginated, 404 for
 * a merge request it does not have. The sample's !101 has three commits before its head;
 * a push comes first, with the title the control API gave it. */
static void
test_commits (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodTestResponse) merge_request = NULL, list = NULL, committed = NULL;
  g_autoptr(NodTestResponse) after_commit = NULL, first_page = NULL, missing = NULL;
  g_autoptr(NodTestResponse) refused = NULL;
  g_autofree char *head_sha = NULL;
  g_autofree char *web_url = NULL;
  g_autofree char *short_id = NULL;
  JsonObject *commit;
  JsonArray *commits;

  merge_request = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  head_sha = g_strdup (json_object_get_string_member (nod_test_response_object (merge_request),
                                                      "sha"));

  list = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/commits"), SOUP_STATUS_OK);
  commits = nod_test_response_array (list);
  g_assert_cmpuint (json_array_get_length (commits), ==, 4);
  g_assert_cmpint (header_int (list, "x-total"), ==, 4);
  commit = json_array_get_object_element (commits, 0);
  g_assert_cmpstr (json_object_get_string_member (commit, "id"), ==, head_sha);
  short_id = g_strndup (head_sha, 8);
  g_assert_cmpstr (json_object_get_string_member (commit, "short_id"), ==, short_id);
  g_assert_cmpstr (json_object_get_string_member (commit, "title"), ==,
                   json_object_get_string_member (nod_test_response_object (merge_request),
                                                  "title"));
  g_assert_cmpstr (json_object_get_string_member (commit, "author_name"), ==, "Amélie Laurent");
  g_assert_nonnull (json_object_get_string_member (commit, "authored_date"));
  web_url = g_strdup_printf ("%s/gnome-apps/nod/-/commit/%s", fixture->base_url, head_sha);
  g_assert_cmpstr (json_object_get_string_member (commit, "web_url"), ==, web_url);
  /* Each the parent of the one before it; the oldest is the sample's first. */
  for (guint i = 0; i + 1 < json_array_get_length (commits); i++)
    g_assert_cmpstr (json_array_get_string_element (
                       json_object_get_array_member (json_array_get_object_element (commits, i),
                                                     "parent_ids"), 0),
                     ==, json_object_get_string_member (json_array_get_object_element (commits,
                                                                                       i + 1),
                                                        "id"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (commits, 3),
                                                  "title"),
                   ==, "Outbox: wake the engine when an approval is queued");

  /* A push: its commit comes first. */
  committed = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/commit",
                                             "{\"title\": \"Rename \\u001b[31mthe flag\"}"),
                                    SOUP_STATUS_OK);
  after_commit = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/commits"),
                                       SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (after_commit)), ==, 5);
  g_assert_cmpint (header_int (after_commit, "x-total"), ==, 5);
  commit = json_array_get_object_element (nod_test_response_array (after_commit), 0);
  g_assert_cmpstr (json_object_get_string_member (commit, "id"), ==,
                   json_object_get_string_member (nod_test_response_object (committed), "sha"));
  g_assert_cmpstr (json_object_get_string_member (commit, "title"), ==, "Rename \033[31mthe flag");
  commit = json_array_get_object_element (nod_test_response_array (after_commit), 1);
  g_assert_cmpstr (json_object_get_string_member (commit, "id"), ==, head_sha);

  first_page = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/commits?per_page=2"),
                                     SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (first_page)), ==, 2);
  g_assert_cmpstr (nod_test_response_header (first_page, "x-next-page"), ==, "2");
  g_assert_cmpint (header_int (first_page, "x-total"), ==, 5);
  missing = nod_test_http_expect (api (fixture, "GET", "/projects/11/merge_requests/9999/commits"),
                                  SOUP_STATUS_NOT_FOUND);
  refused = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/commit",
                                           "{\"title\": \"\"}"),
                                  SOUP_STATUS_BAD_REQUEST);
}

/* Labels as GitLab lists them, set by the control API as an edit on GitLab would (the
 * merge request's updated_at moves); suggested approvers are the reviewers who have not
 * approved. */
static void
test_labels_and_suggested_approvers (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(NodTestResponse) merge_request = NULL, relabelled = NULL, refused = NULL;
  g_autoptr(NodTestResponse) approvals = NULL;
  g_autofree char *updated_before = dup_mr_updated_at (fixture, MR_BY_AMELIE);
  g_autofree char *updated_after = NULL;
  JsonArray *labels, *suggested;

  merge_request = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  labels = member_array (nod_test_response_object (merge_request), "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (labels, 0), ==, "sync");
  g_assert_cmpstr (json_array_get_string_element (labels, 1), ==, "performance");

  relabelled = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/labels",
                                              "{\"labels\": [\"bug\"]}"),
                                     SOUP_STATUS_OK);
  labels = member_array (nod_test_response_object (relabelled), "labels");
  g_assert_cmpuint (json_array_get_length (labels), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (labels, 0), ==, "bug");
  updated_after = dup_mr_updated_at (fixture, MR_BY_AMELIE);
  g_assert_cmpstr (updated_after, >, updated_before);
  refused = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/101/labels",
                                           "{\"labels\": [1]}"),
                                  SOUP_STATUS_BAD_REQUEST);

  /* !101: reviewers sam and jkowalski, jkowalski approved. */
  approvals = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/approvals"),
                                    SOUP_STATUS_OK);
  suggested = member_array (nod_test_response_object (approvals), "suggested_approvers");
  g_assert_cmpuint (json_array_get_length (suggested), ==, 1);
  g_assert_true (users_contain (suggested, "sam"));
}

static void
test_approvals (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(NodTestResponse) before =
    nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/approvals"), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) merge_request =
    nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) stale_query = NULL, stale_json = NULL, stale_form = NULL;
  g_autoptr(NodTestResponse) approved = NULL, again = NULL, unapproved = NULL;
  g_autoptr(NodTestResponse) unapprove_again = NULL;
  g_autoptr(NodTestResponse) after = NULL;
  g_autofree char *head_sha = g_strdup (json_object_get_string_member (
                                          nod_test_response_object (merge_request), "sha"));
  g_autofree char *approve_path = g_strdup_printf ("%s/approve?sha=%s", MR_BY_AMELIE, head_sha);
  g_autofree char *stale_message = g_strdup_printf ("SHA does not match HEAD of source branch: "
                                                    "%s", head_sha);
  g_autofree char *updated_before = g_strdup (json_object_get_string_member (
                                                nod_test_response_object (merge_request),
                                                "updated_at"));
  g_autofree char *updated_after = NULL;
  JsonObject *approvals = nod_test_response_object (before);

  g_assert_cmpint (json_object_get_int_member (approvals, "iid"), ==, 101);
  g_assert_cmpint (json_object_get_int_member (approvals, "project_id"), ==, NOD_PROJECT);
  g_assert_cmpstr (json_object_get_string_member (approvals, "state"), ==, "opened");
  g_assert_false (json_object_get_boolean_member (approvals, "approved"));
  g_assert_cmpint (json_object_get_int_member (approvals, "approvals_required"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (approvals, "approvals_left"), ==, 1);
  g_assert_cmpuint (json_array_get_length (member_array (approvals, "approved_by")), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     member_object (json_array_get_object_element (
                                      member_array (approvals, "approved_by"), 0), "user"),
                     "username"), ==, "jkowalski");
  g_assert_false (json_object_get_boolean_member (approvals, "user_has_approved"));
  g_assert_true (json_object_get_boolean_member (approvals, "user_can_approve"));

  /* A stale sha, however it is sent. */
  stale_query = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve?sha="
                                           "0000000000000000000000000000000000000000"),
                                      SOUP_STATUS_CONFLICT);
  nod_test_response_assert_message (stale_query, stale_message);
  stale_json = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/approve",
                                               "{\"sha\": "
                                               "\"0000000000000000000000000000000000000000\"}"),
                                     SOUP_STATUS_CONFLICT);
  stale_form = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/approve",
                                               "sha=0000000000000000000000000000000000000000"),
                                     SOUP_STATUS_CONFLICT);

  approved = nod_test_http_expect (api (fixture, "POST", approve_path), SOUP_STATUS_CREATED);
  approvals = nod_test_response_object (approved);
  g_assert_true (json_object_get_boolean_member (approvals, "user_has_approved"));
  g_assert_false (json_object_get_boolean_member (approvals, "user_can_approve"));
  g_assert_true (json_object_get_boolean_member (approvals, "approved"));
  g_assert_cmpint (json_object_get_int_member (approvals, "approvals_left"), ==, 0);
  g_assert_cmpuint (json_array_get_length (member_array (approvals, "approved_by")), ==, 2);
  g_assert_true (approvals_contain (member_array (approvals, "approved_by"), "jkowalski"));
  g_assert_true (approvals_contain (member_array (approvals, "approved_by"), "sam"));

  /* Every change bumps updated_at. */
  updated_after = dup_mr_updated_at (fixture, MR_BY_AMELIE);
  g_assert_cmpstr (updated_after, >, updated_before);

  again = nod_test_http_expect (api (fixture, "POST", approve_path), SOUP_STATUS_UNAUTHORIZED);
  nod_test_response_assert_message (again, "401 Unauthorized");

  unapproved = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/unapprove"),
                                     SOUP_STATUS_CREATED);
  g_assert_false (json_object_get_boolean_member (nod_test_response_object (unapproved),
                                                  "user_has_approved"));
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (unapproved),
                                               "approvals_left"),
                   ==, 1);
  unapprove_again = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/unapprove"),
                                          SOUP_STATUS_NOT_FOUND);
  nod_test_response_assert_message (unapprove_again, "404 Not found");

  after = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/approvals"), SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (nod_test_response_object (after),
                                                  "user_has_approved"));
}

static void
test_approve_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NodTestResponse) own = NULL, closed = NULL, already = NULL, already_state = NULL;
  g_autoptr(NodTestResponse) own_state = NULL;

  /* GitLab answers 401 to all of these, like to a bad token. */
  own = nod_test_http_expect (api (fixture, "POST", MR_BY_SAM "/approve"),
                              SOUP_STATUS_UNAUTHORIZED);
  nod_test_response_assert_message (own, "401 Unauthorized");
  own_state = nod_test_http_expect (api (fixture, "GET", MR_BY_SAM "/approvals"), SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (nod_test_response_object (own_state),
                                                  "user_can_approve"));

  closed = nod_test_http_expect (api (fixture, "POST", MR_CLOSED "/approve"),
                                 SOUP_STATUS_UNAUTHORIZED);

  already_state = nod_test_http_expect (api (fixture, "GET", MR_APPROVED_BY_SAM "/approvals"),
                                        SOUP_STATUS_OK);
  g_assert_true (json_object_get_boolean_member (nod_test_response_object (already_state),
                                                 "user_has_approved"));
  already = nod_test_http_expect (api (fixture, "POST", MR_APPROVED_BY_SAM "/approve"),
                                  SOUP_STATUS_UNAUTHORIZED);
}

/* Discussions */

static JsonObject *
find_note (JsonArray  *discussions,
           gboolean  (*matches) (JsonObject *note))
{
  for (guint i = 0; i < json_array_get_length (discussions); i++)
    {
      JsonArray *notes = member_array (json_array_get_object_element (discussions, i), "notes");

      for (guint j = 0; j < json_array_get_length (notes); j++)
        {
          JsonObject *note = json_array_get_object_element (notes, j);
          if (matches (note))
            return note;
        }
    }
  return NULL;
}

static gboolean
is_diff_note (JsonObject *note)
{
  return !nod_test_json_is_null (note, "type")
         && g_str_equal (json_object_get_string_member (note, "type"), "DiffNote");
}

static gboolean
is_system_note (JsonObject *note)
{
  return json_object_get_boolean_member (note, "system");
}

static gboolean
is_resolved_note (JsonObject *note)
{
  return json_object_get_boolean_member (note, "resolvable")
         && json_object_get_boolean_member (note, "resolved");
}

static void
test_discussions_shape (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodTestResponse) list =
    nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"
                                               "?per_page=100"),
                          SOUP_STATUS_OK);
  JsonArray *discussions = nod_test_response_array (list);
  JsonObject *diff_note = find_note (discussions, is_diff_note);
  JsonObject *system_note = find_note (discussions, is_system_note);
  JsonObject *resolved_note = find_note (discussions, is_resolved_note);
  JsonObject *position;

  g_assert_cmpuint (json_array_get_length (discussions), >=, 3);
  for (guint i = 0; i < json_array_get_length (discussions); i++)
    {
      JsonObject *discussion = json_array_get_object_element (discussions, i);
      g_assert_true (is_hex_id (json_object_get_string_member (discussion, "id")));
      g_assert_true (json_object_has_member (discussion, "individual_note"));
    }

  g_assert_nonnull (diff_note);
  position = member_object (diff_note, "position");
  g_assert_cmpstr (json_object_get_string_member (position, "position_type"), ==, "text");
  g_assert_true (is_hex_id (json_object_get_string_member (position, "base_sha")));
  g_assert_true (is_hex_id (json_object_get_string_member (position, "start_sha")));
  g_assert_true (is_hex_id (json_object_get_string_member (position, "head_sha")));
  g_assert_nonnull (json_object_get_string_member (position, "new_path"));
  g_assert_nonnull (json_object_get_string_member (position, "old_path"));
  g_assert_true (json_object_has_member (position, "old_line"));
  g_assert_cmpint (json_object_get_int_member (position, "new_line"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (diff_note, "noteable_type"), ==,
                   "MergeRequest");
  g_assert_cmpint (json_object_get_int_member (diff_note, "noteable_iid"), ==, 101);
  g_assert_true (nod_test_json_is_null (diff_note, "attachment"));
  g_assert_true (is_gitlab_time (json_object_get_string_member (diff_note, "created_at")));

  g_assert_nonnull (system_note);
  g_assert_true (nod_test_json_is_null (system_note, "type"));
  g_assert_false (json_object_get_boolean_member (system_note, "resolvable"));

  g_assert_nonnull (resolved_note);
  g_assert_false (nod_test_json_is_null (resolved_note, "resolved_by"));
  g_assert_true (is_gitlab_time (json_object_get_string_member (resolved_note, "resolved_at")));
}

static void
test_discussions_write (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodTestResponse) created = NULL, diff = NULL, quick = NULL, blank = NULL;
  g_autoptr(NodTestResponse) missing = NULL;
  g_autoptr(NodTestResponse) reply = NULL, unknown = NULL, resolved = NULL, refetched = NULL;
  g_autoptr(NodTestResponse) unresolved = NULL, system_resolve = NULL, count_before = NULL;
  g_autoptr(NodTestResponse) count_after = NULL, merge_request = NULL, system_list = NULL;
  g_autofree char *discussion_path = NULL, *notes_path = NULL, *diff_body = NULL;
  g_autofree char *system_path = NULL, *updated_before = NULL, *updated_after = NULL;
  JsonObject *discussion, *note, *position, *diff_refs;
  JsonObject *system_note;
  gint64 notes_before;

  merge_request = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  diff_refs = member_object (nod_test_response_object (merge_request), "diff_refs");
  notes_before = json_object_get_int_member (nod_test_response_object (merge_request),
                                             "user_notes_count");
  updated_before = g_strdup (json_object_get_string_member (
                               nod_test_response_object (merge_request), "updated_at"));
  count_before = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"),
                                       SOUP_STATUS_OK);

  created = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/discussions",
                                            "{\"body\": \"Could this be **simpler**?\"}"),
                                  SOUP_STATUS_CREATED);
  discussion = nod_test_response_object (created);
  g_assert_true (is_hex_id (json_object_get_string_member (discussion, "id")));
  g_assert_false (json_object_get_boolean_member (discussion, "individual_note"));
  g_assert_cmpuint (json_array_get_length (member_array (discussion, "notes")), ==, 1);
  note = json_array_get_object_element (member_array (discussion, "notes"), 0);
  g_assert_cmpstr (json_object_get_string_member (note, "body"), ==,
                   "Could this be **simpler**?");
  g_assert_cmpstr (json_object_get_string_member (note, "type"), ==, "DiscussionNote");
  g_assert_cmpstr (json_object_get_string_member (member_object (note, "author"), "username"),
                   ==, "sam");
  g_assert_true (json_object_get_boolean_member (note, "resolvable"));
  g_assert_false (json_object_get_boolean_member (note, "resolved"));
  g_assert_false (json_object_get_boolean_member (note, "system"));
  g_assert_cmpint (json_object_get_int_member (note, "noteable_iid"), ==, 101);
  discussion_path = g_strdup_printf ("%s/discussions/%s", MR_BY_AMELIE,
                                     json_object_get_string_member (discussion, "id"));
  notes_path = g_strdup_printf ("%s/notes", discussion_path);

  diff_body = g_strdup_printf ("{\"body\": \"Off by one?\", \"position\": {"
                               "\"position_type\": \"text\", \"base_sha\": \"%s\", "
                               "\"start_sha\": \"%s\", \"head_sha\": \"%s\", "
                               "\"old_path\": \"src/core/nod-sync-engine.c\", "
                               "\"new_path\": \"src/core/nod-sync-engine.c\", "
                               "\"new_line\": 212}}",
                               json_object_get_string_member (diff_refs, "base_sha"),
                               json_object_get_string_member (diff_refs, "start_sha"),
                               json_object_get_string_member (diff_refs, "head_sha"));
  diff = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/discussions", diff_body),
                               SOUP_STATUS_CREATED);
  note = json_array_get_object_element (member_array (nod_test_response_object (diff), "notes"), 0);
  g_assert_cmpstr (json_object_get_string_member (note, "type"), ==, "DiffNote");
  position = member_object (note, "position");
  g_assert_cmpint (json_object_get_int_member (position, "new_line"), ==, 212);
  g_assert_true (nod_test_json_is_null (position, "old_line"));
  g_assert_cmpstr (json_object_get_string_member (position, "new_path"), ==,
                   "src/core/nod-sync-engine.c");
  {
    g_autofree char *diff_notes_path = g_strdup_printf (
      "%s/discussions/%s/notes", MR_BY_AMELIE,
      json_object_get_string_member (nod_test_response_object (diff), "id"));
    g_autoptr(NodTestResponse) diff_reply =
      nod_test_http_expect (api_json (fixture, "POST", diff_notes_path,
                                      "{\"body\": \"Yes.\"}"),
                            SOUP_STATUS_CREATED);

    /* Replies in a diff thread are DiffNotes on the same line. */
    g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (diff_reply), "type"),
                     ==, "DiffNote");
    g_assert_cmpint (json_object_get_int_member (
                       member_object (nod_test_response_object (diff_reply), "position"),
                       "new_line"), ==, 212);
  }

  /* Quick actions alone make no note. */
  quick = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions",
                                          "body=%2Fapprove%0A%0A%2Flabel%20~bug"),
                                SOUP_STATUS_ACCEPTED);
  g_assert_true (json_object_has_member (nod_test_response_object (quick), "commands_changes"));
  g_assert_cmpuint (json_array_get_length (member_array (nod_test_response_object (quick),
                                                         "summary")), ==, 1);
  blank = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/discussions",
                                          "{\"body\": \"  \\n \"}"),
                                SOUP_STATUS_BAD_REQUEST);
  missing = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/discussions", "{}"),
                                  SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (missing), "error"), ==,
                   "body is missing");

  reply = nod_test_http_expect (api_form (fixture, "POST", notes_path, "body=Agreed%2C%20fixing."),
                                SOUP_STATUS_CREATED);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (reply), "body"), ==,
                   "Agreed, fixing.");
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (reply), "type"), ==,
                   "DiscussionNote");
  unknown = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions/"
                                            "0123456789abcdef0123456789abcdef01234567/notes",
                                            "body=x"),
                                  SOUP_STATUS_NOT_FOUND);

  count_after = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"),
                                      SOUP_STATUS_OK);
  g_assert_cmpint (header_int (count_after, "x-total"), ==,
                   header_int (count_before, "x-total") + 2);

  /* python-gitlab sends JSON; others a form or the query string. */
  resolved = nod_test_http_expect (api_json (fixture, "PUT", discussion_path,
                                             "{\"resolved\": true}"),
                                   SOUP_STATUS_OK);
  for (guint i = 0; i < 2; i++)
    {
      note = json_array_get_object_element (member_array (nod_test_response_object (resolved),
                                                          "notes"),
                                            i);
      g_assert_true (json_object_get_boolean_member (note, "resolved"));
      g_assert_cmpstr (json_object_get_string_member (member_object (note, "resolved_by"),
                                                      "username"), ==, "sam");
    }
  refetched = nod_test_http_expect (api (fixture, "GET", discussion_path), SOUP_STATUS_OK);
  note = json_array_get_object_element (member_array (nod_test_response_object (refetched),
                                                      "notes"), 0);
  g_assert_true (json_object_get_boolean_member (note, "resolved"));

  {
    g_autofree char *unresolve_path = g_strdup_printf ("%s?resolved=false", discussion_path);
    unresolved = nod_test_http_expect (api (fixture, "PUT", unresolve_path), SOUP_STATUS_OK);
  }
  note = json_array_get_object_element (member_array (nod_test_response_object (unresolved),
                                                      "notes"), 0);
  g_assert_false (json_object_get_boolean_member (note, "resolved"));
  g_assert_true (nod_test_json_is_null (note, "resolved_by"));

  /* A system note is not a thread. */
  system_list = nod_test_http_expect (api (fixture, "GET",
                                           MR_BY_AMELIE "/discussions?per_page=100"),
                                      SOUP_STATUS_OK);
  for (guint i = 0; i < json_array_get_length (nod_test_response_array (system_list)); i++)
    {
      JsonObject *candidate = json_array_get_object_element (nod_test_response_array (system_list),
                                                             i);

      system_note = json_array_get_object_element (member_array (candidate, "notes"), 0);
      if (json_object_get_boolean_member (system_note, "system"))
        {
          system_path = g_strdup_printf ("%s/discussions/%s", MR_BY_AMELIE,
                                         json_object_get_string_member (candidate, "id"));
          g_assert_true (json_object_get_boolean_member (candidate, "individual_note"));
          break;
        }
    }
  g_assert_nonnull (system_path);
  system_resolve = nod_test_http_expect (api_form (fixture, "PUT", system_path, "resolved=true"),
                                         SOUP_STATUS_BAD_REQUEST);

  g_clear_pointer (&merge_request, nod_test_response_free);
  merge_request = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE), SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (merge_request),
                                               "user_notes_count"), ==, notes_before + 4);
  updated_after = g_strdup (json_object_get_string_member (nod_test_response_object (merge_request),
                                                           "updated_at"));
  g_assert_cmpstr (updated_after, >, updated_before);
}

/* A reply turns a single comment into a thread, as on GitLab. */
static void
test_discussions_reply_to_comment (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NodTestResponse) list =
    nod_test_http_expect (api (fixture, "GET", "/projects/11/merge_requests/"
                                               "102/discussions"),
                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) reply = NULL, thread = NULL;
  JsonObject *comment = json_array_get_object_element (nod_test_response_array (list), 0);
  g_autofree char *path = g_strdup_printf ("/projects/11/merge_requests/102/discussions/%s",
                                           json_object_get_string_member (comment, "id"));
  g_autofree char *notes_path = g_strdup_printf ("%s/notes", path);
  JsonObject *first;

  g_assert_true (json_object_get_boolean_member (comment, "individual_note"));
  first = json_array_get_object_element (member_array (comment, "notes"), 0);
  g_assert_true (nod_test_json_is_null (first, "type"));
  g_assert_false (json_object_get_boolean_member (first, "resolvable"));
  g_assert_false (json_object_has_member (first, "resolved"));

  reply = nod_test_http_expect (api_form (fixture, "POST", notes_path, "body=Looks%20good"),
                                SOUP_STATUS_CREATED);
  thread = nod_test_http_expect (api (fixture, "GET", path), SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (nod_test_response_object (thread),
                                                  "individual_note"));
  g_assert_cmpuint (json_array_get_length (member_array (nod_test_response_object (thread),
                                                         "notes")), ==, 2);
  first = json_array_get_object_element (member_array (nod_test_response_object (thread), "notes"),
                                         0);
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "DiscussionNote");
  g_assert_true (json_object_get_boolean_member (first, "resolvable"));
}

/* Rate limits */

static void
test_rate_limit_headers (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(NodTestResponse) first =
    nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) control_call =
    nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) second = nod_test_http_expect (api (fixture, "GET", "/projects"),
                                                            SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) unauthorized =
    send_request (fixture, "GET", "/api/v4/user", NULL, NULL, NULL);
  g_autoptr(GDateTime) reset_time = NULL;
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (header_int (first, "RateLimit-Limit"), ==, 2000);
  g_assert_cmpint (header_int (first, "RateLimit-Observed"), ==, 1);
  g_assert_cmpint (header_int (first, "RateLimit-Remaining"), ==, 1999);
  /* The control API is free. */
  g_assert_null (nod_test_response_header (control_call, "RateLimit-Limit"));
  g_assert_cmpint (header_int (second, "RateLimit-Observed"), ==, 2);
  g_assert_cmpint (header_int (second, "RateLimit-Remaining"), ==, 1998);
  g_assert_cmpint (header_int (unauthorized, "RateLimit-Remaining"), ==, 1997);

  g_assert_cmpint (header_int (second, "RateLimit-Reset"), >=, now_s);
  g_assert_cmpint (header_int (second, "RateLimit-Reset"), <=, now_s + 61);
  reset_time = soup_date_time_new_from_http_string (
                 nod_test_response_header (second, "RateLimit-ResetTime"));
  g_assert_nonnull (reset_time);
  g_assert_cmpint (g_date_time_to_unix (reset_time), ==, header_int (second, "RateLimit-Reset"));
}

static void
test_rate_limit_exhausted (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodTestResponse) set = NULL, last = NULL, refused = NULL, control_call = NULL;
  g_autoptr(NodTestResponse) bad = NULL;

  set = nod_test_http_expect (control (fixture, "POST", "/__fake/ratelimit",
                                       "{\"limit\": 10, \"remaining\": 1, \"reset_in_s\": 42}"),
                              SOUP_STATUS_OK);
  last = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (last, "RateLimit-Limit"), ==, 10);
  g_assert_cmpint (header_int (last, "RateLimit-Remaining"), ==, 0);

  refused = nod_test_http_expect (api (fixture, "GET", "/user"), 429);
  nod_test_response_assert_message (refused, "Retry later");
  g_assert_cmpint (header_int (refused, "Retry-After"), >=, 41);
  g_assert_cmpint (header_int (refused, "Retry-After"), <=, 42);
  g_assert_cmpint (header_int (refused, "RateLimit-Remaining"), ==, 0);
  g_assert_cmpint (header_int (refused, "RateLimit-Limit"), ==, 10);
  g_assert_nonnull (nod_test_response_header (refused, "RateLimit-Reset"));
  g_assert_nonnull (nod_test_response_header (refused, "RateLimit-ResetTime"));

  /* Tests must still be able to see what happened. */
  control_call = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL),
                                       SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (control_call)), ==, 2);

  bad = nod_test_http_expect (control (fixture, "POST", "/__fake/ratelimit",
                                       "{\"limit\": 5, \"remaining\": 6}"),
                              SOUP_STATUS_BAD_REQUEST);
}

static void
test_rate_limit_notes (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(NodTestResponse) refused = NULL, reply_refused = NULL, read = NULL, first = NULL;
  g_autofree char *notes_path = NULL;

  first = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions", "body=1"),
                                SOUP_STATUS_CREATED);
  notes_path = g_strdup_printf ("%s/discussions/%s/notes", MR_BY_AMELIE,
                                json_object_get_string_member (nod_test_response_object (first),
                                                               "id"));
  /* gitlab.com's 60 a minute, in all. */
  for (guint i = 1; i < 60; i++)
    {
      g_autoptr(NodTestResponse) created = api_form (fixture, "POST", MR_BY_AMELIE "/discussions",
                                                     "body=note");
      nod_test_http_expect (created, SOUP_STATUS_CREATED);
    }

  refused = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions",
                                            "body=61"),
                                  429);
  nod_test_response_assert_message (refused, "This endpoint has been requested too many times. "
                                             "Try again later.");
  g_assert_cmpint (header_int (refused, "Retry-After"), >, 0);
  g_assert_cmpint (header_int (refused, "Retry-After"), <=, 60);
  /* Not advertised in headers. */
  g_assert_null (nod_test_response_header (refused, "RateLimit-Limit"));
  g_assert_null (nod_test_response_header (refused, "RateLimit-Remaining"));

  reply_refused = nod_test_http_expect (api_form (fixture, "POST", notes_path, "body=reply"), 429);
  read = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (read, "RateLimit-Remaining"), >, 0);
}

/* The control API sets the note-creation limit too (tests need not post 60 notes). */
static void
test_rate_limit_notes_control (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(NodTestResponse) set = NULL, allowed = NULL, refused = NULL, bad = NULL, still = NULL;

  set = nod_test_http_expect (control (fixture, "POST", "/__fake/ratelimit",
                                       "{\"notes_limit\": 5, \"notes_remaining\": 1}"),
                              SOUP_STATUS_OK);
  allowed = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions", "body=a"),
                                  SOUP_STATUS_CREATED);
  refused = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions", "body=b"),
                                  429);

  /* A refused change changes nothing, not even the part that was valid. */
  bad = nod_test_http_expect (control (fixture, "POST", "/__fake/ratelimit",
                                       "{\"limit\": 7, \"notes_limit\": 1, "
                                       "\"notes_remaining\": 2}"),
                              SOUP_STATUS_BAD_REQUEST);
  still = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (still, "RateLimit-Limit"), ==, 2000);
}

/* Faults */

static void
test_fault_status (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, first = NULL, second = NULL, third = NULL, other = NULL;
  g_autoptr(NodTestResponse) post_only = NULL, not_posted = NULL;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"GET\", \"path\": \"/user$\", "
                                         "\"status\": 503, \"times\": 2}"),
                                SOUP_STATUS_CREATED);
  other = nod_test_http_expect (api (fixture, "GET", "/projects"), SOUP_STATUS_OK);
  first = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_SERVICE_UNAVAILABLE);
  nod_test_response_assert_message (first, "503 Service Unavailable");
  second = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_SERVICE_UNAVAILABLE);
  third = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);

  /* The method must match too. */
  post_only = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                             "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                             "\"status\": 500}"),
                                    SOUP_STATUS_CREATED);
  not_posted = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/approvals"),
                                     SOUP_STATUS_OK);
}

static void
test_fault_drop (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, dropped = NULL, after = NULL, log = NULL;
  JsonArray *entries;
  JsonObject *entry;

  /* Twice: libsoup resends an idempotent request (not a POST) once when a kept-alive
   * connection closes before any answer, taking it for a race with an idle timeout. */
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"^/api/v4/user$\", \"drop\": true, "
                                         "\"times\": 2}"),
                                SOUP_STATUS_CREATED);
  dropped = api (fixture, "GET", "/user");
  g_assert_nonnull (dropped->error);
  g_assert_null (dropped->body);
  g_test_message ("Dropped connection: %s", dropped->error->message);

  after = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);

  /* After a delay, and on a POST, which libsoup never resends. */
  g_clear_pointer (&added, nod_test_response_free);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                         "\"drop\": true, \"delay_ms\": 50}"),
                                SOUP_STATUS_CREATED);
  g_clear_pointer (&dropped, nod_test_response_free);
  dropped = api (fixture, "POST", MR_BY_AMELIE "/approve");
  g_assert_nonnull (dropped->error);
  g_clear_pointer (&after, nod_test_response_free);
  after = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"),
                                SOUP_STATUS_CREATED);

  log = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  entries = nod_test_response_array (log);
  g_assert_cmpuint (json_array_get_length (entries), >=, 2);
  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 0);
  entry = json_array_get_object_element (entries, json_array_get_length (entries) - 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "POST");
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 0);
  entry = json_array_get_object_element (entries, json_array_get_length (entries) - 1);
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 201);
}

static void
test_fault_malformed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, malformed = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                         "\"malformed\": true}"),
                                SOUP_STATUS_CREATED);
  malformed = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"), SOUP_STATUS_OK);
  g_assert_null (malformed->json);
  g_assert_nonnull (malformed->body);
  g_assert_false (json_parser_load_from_data (parser, g_bytes_get_data (malformed->body, NULL),
                                              (gssize) g_bytes_get_size (malformed->body),
                                              NULL));
}

static void
test_fault_delay (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, slow = NULL, fast = NULL, delayed_error = NULL;
  NodTestRequest *slow_pending;
  gint64 started, slow_ms;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/user$\", \"delay_ms\": 400}"),
                                SOUP_STATUS_CREATED);

  /* A delayed request does not hold up the others. */
  started = g_get_monotonic_time ();
  slow_pending = start_request (fixture, "GET", "/api/v4/user", TOKEN, NULL, NULL);
  fast = nod_test_http_expect (api (fixture, "GET", "/projects/11"), SOUP_STATUS_OK);
  g_assert_true (nod_test_http_is_pending (slow_pending));
  slow = nod_test_http_expect (nod_test_http_finish (slow_pending), SOUP_STATUS_OK);
  slow_ms = (g_get_monotonic_time () - started) / 1000;
  g_assert_cmpint (slow_ms, >=, 400);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (slow), "username"), ==,
                   "sam");

  /* A delay before an error. */
  g_clear_pointer (&added, nod_test_response_free);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/user$\", \"delay_ms\": 100, "
                                         "\"status\": 502}"),
                                SOUP_STATUS_CREATED);
  started = g_get_monotonic_time ();
  delayed_error = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_BAD_GATEWAY);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 100 * 1000);
}

static void
test_latency (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodTestResponse) slow = NULL, control_call = NULL;
  gint64 started;

  nod_fake_gitlab_set_latency (fixture->fake, 250);
  started = g_get_monotonic_time ();
  slow = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 250 * 1000);

  /* The control API is never delayed (nor is anything else measured here but the API). */
  control_call = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL),
                                       SOUP_STATUS_OK);
  nod_fake_gitlab_set_latency (fixture->fake, 0);
}

/* The delayed request is still pending when the fake goes away: nothing leaks or crashes. */
static void
test_dispose_while_delayed (void)
{
  Fixture fixture = { 0 };
  NodTestRequest *pending;
  NodTestResponse *response;

  fixture_set_up (&fixture, NULL);
  nod_fake_gitlab_set_latency (fixture.fake, 60 * 1000);
  pending = start_request (&fixture, "GET", "/api/v4/user", TOKEN, NULL, NULL);
  /* Let the request reach the server. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_session_abort (fixture.session);
  response = nod_test_http_finish (pending);
  g_assert_nonnull (response->error);
  nod_test_response_free (response);
  fixture_tear_down (&fixture, NULL);
}

/* The client gives up on a delayed request; the fake answers into the void, harmlessly. */
static void
test_client_gone_while_delayed (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fixture->base_url, "/api/v4/user", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodTestResponse) added = NULL, later = NULL, alive = NULL, log = NULL;
  JsonObject *first;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/user$\", \"delay_ms\": 100}"),
                                SOUP_STATUS_CREATED);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "PRIVATE-TOKEN", TOKEN);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    nod_test_keep_result, &result);
  /* Let the request reach the fake, then give up on it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_cancellable_cancel (cancellable);
  body = soup_session_send_and_read_finish (fixture->session, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* This one outlasts the first delay, so the fake has answered the gone client by now. */
  g_clear_pointer (&added, nod_test_response_free);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/projects$\", \"delay_ms\": 300}"),
                                SOUP_STATUS_CREATED);
  later = nod_test_http_expect (api (fixture, "GET", "/projects"), SOUP_STATUS_OK);
  alive = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);

  log = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  first = json_array_get_object_element (nod_test_response_array (log), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "path"), ==, "/api/v4/user");
  g_assert_cmpint (json_object_get_int_member (first, "status"), ==, 200);
}

/* The fake writes its JSON as it goes, without a tree: the bytes must be those json-glib
 * writes of the same tree (compact, its escaping), member for member. */
static void
assert_written_as_json_glib_would (NodTestResponse *response)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *rewritten = NULL;
  gsize length = 0;

  g_assert_nonnull (response->json);
  json_generator_set_root (generator, response->json);
  rewritten = json_generator_to_data (generator, &length);
  g_assert_cmpmem (g_bytes_get_data (response->body, NULL), g_bytes_get_size (response->body),
                   rewritten, length);
}

static void
test_json_as_json_glib_writes_it (Fixture       *fixture,
                                  gconstpointer  data)
{
  /* Every control character, quotes, a backslash, DEL, and UTF-8 of two to four bytes. */
  static const char hostile[] =
    "{\"body\": \"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
    "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
    "\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f \\\"quoted\\\" back\\\\slash \\u007f "
    "\\u00e9 \\u20ac \\ud83d\\ude00 </script>\"}";
  static const char *const paths[] = {
    "/user",
    "/projects",
    "/projects/11",
    "/merge_requests?scope=all&per_page=100",
    "/merge_requests?scope=all&state=merged",
    MR_BY_AMELIE,
    MR_CLOSED,
    MR_BY_AMELIE "/approvals",
    MR_APPROVED_BY_SAM "/approvals",
    MR_BY_AMELIE "/discussions",
    MR_BY_SAM "/discussions",
  };
  g_autoptr(NodTestResponse) created = NULL, approved = NULL, new_mr = NULL;

  created = nod_test_http_expect (api_json (fixture, "POST", MR_BY_AMELIE "/discussions", hostile),
                                  SOUP_STATUS_CREATED);
  assert_written_as_json_glib_would (created);
  approved = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"),
                                   SOUP_STATUS_CREATED);
  assert_written_as_json_glib_would (approved);
  new_mr = nod_test_http_expect (control (fixture, "POST", "/__fake/mr",
                                          "{\"project_id\": 11, \"title\": \"\\\"Tab\\there\\\"\", "
                                          "\"author\": \"priya\", \"reviewers\": [\"sam\"], "
                                          "\"description\": \"- [x] done\\n- [ ] not yet\"}"),
                                 SOUP_STATUS_CREATED);
  assert_written_as_json_glib_would (new_mr);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(NodTestResponse) response = nod_test_http_expect (api (fixture, "GET", paths[i]),
                                                                  SOUP_STATUS_OK);

      g_test_message ("%s", paths[i]);
      assert_written_as_json_glib_would (response);
    }
}

/* Gates */

static gboolean
sam_has_approved (Fixture    *fixture,
                  const char *mr_path)
{
  g_autofree char *path = g_strconcat (mr_path, "/approvals", NULL);
  g_autoptr(NodTestResponse) approvals =
    nod_test_http_expect (api (fixture, "GET", path), SOUP_STATUS_OK);

  return json_object_get_boolean_member (nod_test_response_object (approvals), "user_has_approved");
}

/* The log entries of @method on paths ending in @suffix, and how many were answered. */
static guint
count_logged (Fixture    *fixture,
              const char *method,
              const char *suffix,
              guint      *answered)
{
  g_autoptr(NodTestResponse) log =
    nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  JsonArray *entries = nod_test_response_array (log);
  guint count = 0;

  *answered = 0;
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (!g_str_equal (json_object_get_string_member (entry, "method"), method)
          || !g_str_has_suffix (json_object_get_string_member (entry, "path"), suffix))
        continue;
      count++;
      *answered += json_object_get_int_member (entry, "status") != 0;
    }
  return count;
}

/* A request the gate holds waits, however long, and is served once, on release. */
static void
test_gate (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, listed = NULL, other = NULL, approved = NULL;
  g_autoptr(NodTestResponse) released = NULL, again = NULL, gone = NULL;
  NodTestRequest *held;
  JsonObject *gate;
  guint answered = 0;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                         "\"gate\": \"approve\"}"),
                                SOUP_STATUS_CREATED);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (added), "gate"), ==,
                   "approve");
  listed = nod_test_http_expect (control (fixture, "GET", "/__fake/gates", NULL), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (listed)), ==, 1);
  gate = json_array_get_object_element (nod_test_response_array (listed), 0);
  g_assert_cmpstr (json_object_get_string_member (gate, "name"), ==, "approve");
  g_assert_cmpint (json_object_get_int_member (gate, "held"), ==, 0);

  held = start_request (fixture, "POST", "/api/v4" MR_BY_AMELIE "/approve", TOKEN, NULL, NULL);
  nod_test_fake_wait_held (fixture->base_url, "approve", 1);
  g_assert_cmpuint (nod_test_fake_count_held (fixture->base_url, "approve"), ==, 1);

  /* Held: logged, unanswered, not applied; and nothing else waits behind it. */
  other = nod_test_http_expect (api (fixture, "POST", MR_APPROVED_BY_SAM "/unapprove"),
                                SOUP_STATUS_CREATED);
  g_assert_false (sam_has_approved (fixture, MR_BY_AMELIE));
  g_assert_cmpuint (count_logged (fixture, "POST", MR_BY_AMELIE "/approve", &answered), ==, 1);
  g_assert_cmpuint (answered, ==, 0);
  g_assert_true (nod_test_http_is_pending (held));

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "approve"), ==, 1);
  approved = nod_test_http_expect (nod_test_http_finish (held), SOUP_STATUS_CREATED);
  g_assert_true (json_object_get_boolean_member (nod_test_response_object (approved),
                                                 "user_has_approved"));
  g_assert_true (sam_has_approved (fixture, MR_BY_AMELIE));
  g_assert_cmpuint (count_logged (fixture, "POST", MR_BY_AMELIE "/approve", &answered), ==, 1);
  g_assert_cmpuint (answered, ==, 1);

  /* Released, the gate is gone, and its fault with it: the next approve is not held, and
   * GitLab refuses it (already approved), so the first was applied exactly once. */
  g_clear_pointer (&listed, nod_test_response_free);
  listed = nod_test_http_expect (control (fixture, "GET", "/__fake/gates", NULL), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (listed)), ==, 0);
  again = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"),
                                SOUP_STATUS_UNAUTHORIZED);
  released = nod_test_http_expect (control (fixture, "POST", "/__fake/gates/approve/release", NULL),
                                   SOUP_STATUS_NOT_FOUND);
  gone = nod_test_http_expect (control (fixture, "POST", "/__fake/gates/unknown/release", NULL),
                               SOUP_STATUS_NOT_FOUND);
}

/* A gate catches "times" requests and holds them all; then the rest of the fault plays. */
static void
test_gate_times (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, passed = NULL, first = NULL, second = NULL;
  g_autoptr(NodTestResponse) bad = NULL;
  g_autoptr(JsonNode) released = NULL;
  g_autoptr(SoupSession) session = NULL;
  NodTestRequest *held_first, *held_second;
  static const char *const refused[] = {
    "{\"gate\": \"\"}",
    "{\"gate\": \"a/b\"}",
    "{\"gate\": \"a b\"}",
    "{\"gate\": 3}",
    "{\"gate\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_clear_pointer (&bad, nod_test_response_free);
      bad = nod_test_http_expect (control (fixture, "POST", "/__fake/faults", refused[i]),
                                  SOUP_STATUS_BAD_REQUEST);
    }

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/user$\", \"gate\": \"users.1\", "
                                         "\"times\": 2, \"status\": 503}"),
                                SOUP_STATUS_CREATED);
  held_first = start_request (fixture, "GET", "/api/v4/user", TOKEN, NULL, NULL);
  held_second = start_request (fixture, "GET", "/api/v4/user?second", TOKEN, NULL, NULL);
  nod_test_fake_wait_held (fixture->base_url, "users.1", 2);

  /* Its two times are taken: the fault is used up, the gate still holds both. (Another
   * session: libsoup keeps to two connections to a host, both busy with what is held.) */
  session = g_steal_pointer (&fixture->session);
  fixture->session = soup_session_new ();
  passed = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  soup_session_abort (fixture->session);
  g_object_unref (fixture->session);
  fixture->session = g_steal_pointer (&session);
  g_assert_cmpuint (nod_test_fake_count_held (fixture->base_url, "users.1"), ==, 2);

  released = nod_test_fake_control (fixture->base_url, "POST", "/__fake/gates/users.1/release",
                                    NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (released), "name"), ==,
                   "users.1");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (released), "released"), ==,
                   2);
  first = nod_test_http_expect (nod_test_http_finish (held_first),
                                SOUP_STATUS_SERVICE_UNAVAILABLE);
  second = nod_test_http_expect (nod_test_http_finish (held_second),
                                 SOUP_STATUS_SERVICE_UNAVAILABLE);
  nod_test_response_assert_message (first, "503 Service Unavailable");
}

/* A reset drops what the gates hold, unanswered and not applied. */
static void
test_gate_reset (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, reset = NULL, listed = NULL, dropped = NULL;
  g_autoptr(NodTestResponse) approved = NULL;
  NodTestRequest *held;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"gate\": \"posts\", "
                                         "\"times\": 5}"),
                                SOUP_STATUS_CREATED);
  held = start_request (fixture, "POST", "/api/v4" MR_BY_AMELIE "/approve", TOKEN, NULL, NULL);
  nod_test_fake_wait_held (fixture->base_url, "posts", 1);

  reset = nod_test_http_expect (control (fixture, "POST", "/__fake/reset", NULL), SOUP_STATUS_OK);
  listed = nod_test_http_expect (control (fixture, "GET", "/__fake/gates", NULL), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (listed)), ==, 0);
  dropped = nod_test_http_finish (held);
  g_assert_nonnull (dropped->error);
  g_assert_null (dropped->body);

  g_assert_false (sam_has_approved (fixture, MR_BY_AMELIE));
  approved = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"),
                                   SOUP_STATUS_CREATED);
}

/* Its client gone, a held request is still done on release, as a server does once it has
 * the whole request; the answer goes nowhere, harmlessly. */
static void
test_gate_client_gone (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fixture->base_url, "/api/v4" MR_BY_AMELIE "/approve",
                                      NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodTestResponse) added = NULL, alive = NULL;
  guint answered = 0;

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"gate\": \"approve\"}"),
                                SOUP_STATUS_CREATED);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "PRIVATE-TOKEN", TOKEN);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    nod_test_keep_result, &result);
  nod_test_fake_wait_held (fixture->base_url, "approve", 1);
  g_cancellable_cancel (cancellable);
  body = soup_session_send_and_read_finish (fixture->session, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, "approve"), ==, 1);
  g_assert_true (sam_has_approved (fixture, MR_BY_AMELIE));
  g_assert_cmpuint (count_logged (fixture, "POST", "/approve", &answered), ==, 1);
  g_assert_cmpuint (answered, ==, 1);
  alive = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
}

/* The fake goes away while a gate holds a request: nothing leaks or crashes. */
static void
test_dispose_while_held (void)
{
  Fixture fixture = { 0 };
  NodTestRequest *pending;
  NodTestResponse *response;

  fixture_set_up (&fixture, NULL);
  response = nod_test_http_expect (control (&fixture, "POST", "/__fake/faults",
                                            "{\"path\": \"/user$\", \"gate\": \"user\"}"),
                                   SOUP_STATUS_CREATED);
  nod_test_response_free (response);
  pending = start_request (&fixture, "GET", "/api/v4/user", TOKEN, NULL, NULL);
  nod_test_fake_wait_held (fixture.base_url, "user", 1);
  soup_session_abort (fixture.session);
  response = nod_test_http_finish (pending);
  g_assert_nonnull (response->error);
  nod_test_response_free (response);
  fixture_tear_down (&fixture, NULL);
}

/* A hostile or broken server */

typedef struct
{
  Fixture    *fixture;
  const char *method;
  const char *suffix;
} LoggedWait;

static gboolean
is_logged (gpointer data)
{
  LoggedWait *wait = data;
  g_autofree char *pattern = g_strconcat (wait->suffix, "$", NULL);

  /* Through a session of its own: the fixture's may have every connection stalled. */
  return nod_test_fake_count_requests (wait->fixture->base_url, wait->method, pattern) > 0;
}

/* A stalled request is never answered; with "applied" it took effect all the same. A reset
 * closes its connection, and the world it changed is gone with the rest. */
static void
test_fault_stall (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodTestResponse) added = NULL, alive = NULL, reset = NULL, stalled = NULL;
  g_autoptr(NodTestResponse) bad = NULL, unapplied = NULL;
  LoggedWait approve_logged = { fixture, "POST", MR_BY_AMELIE "/approve" };
  NodTestRequest *pending;
  guint answered = 0;
  static const char *const refused[] = {
    "{\"stall\": 1}",
    "{\"stall\": true, \"status\": 500}",
    "{\"stall\": true, \"drop\": true}",
    "{\"stall\": true, \"drip_ms\": 10}",
    "{\"applied\": true, \"stall\": false}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_clear_pointer (&bad, nod_test_response_free);
      bad = nod_test_http_expect (control (fixture, "POST", "/__fake/faults", refused[i]),
                                  SOUP_STATUS_BAD_REQUEST);
    }

  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                         "\"stall\": true, \"applied\": true}"),
                                SOUP_STATUS_CREATED);
  g_assert_true (json_object_get_boolean_member (nod_test_response_object (added), "stall"));
  pending = start_request (fixture, "POST", "/api/v4" MR_BY_AMELIE "/approve", TOKEN, NULL,
                           NULL);
  nod_test_wait_until (is_logged, &approve_logged);

  /* Done, never answered; the rest of the fake goes on. */
  g_assert_true (sam_has_approved (fixture, MR_BY_AMELIE));
  g_assert_cmpuint (count_logged (fixture, "POST", MR_BY_AMELIE "/approve", &answered), ==, 1);
  g_assert_cmpuint (answered, ==, 0);
  alive = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_assert_true (nod_test_http_is_pending (pending));

  reset = nod_test_http_expect (control (fixture, "POST", "/__fake/reset", NULL), SOUP_STATUS_OK);
  stalled = nod_test_http_finish (pending);
  g_assert_nonnull (stalled->error);
  g_assert_null (stalled->body);
  g_assert_false (sam_has_approved (fixture, MR_BY_AMELIE));

  /* Without "applied": nothing is done either. */
  g_clear_pointer (&added, nod_test_response_free);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"method\": \"POST\", \"path\": \"/approve$\", "
                                         "\"stall\": true}"),
                                SOUP_STATUS_CREATED);
  pending = start_request (fixture, "POST", "/api/v4" MR_BY_AMELIE "/approve", TOKEN, NULL,
                           NULL);
  nod_test_wait_until (is_logged, &approve_logged);
  g_assert_false (sam_has_approved (fixture, MR_BY_AMELIE));
  g_assert_true (nod_test_http_is_pending (pending));
  soup_session_abort (fixture->session);
  unapplied = nod_test_http_finish (pending);
  g_assert_nonnull (unapplied->error);
}

/* Reads a body the way a client does, a read at a time, and counts the reads. */
typedef struct
{
  GInputStream *stream;
  GByteArray   *body;
  guint         reads;
  gboolean      done;
  GError       *error;
  guint8        buffer[4096];
} BodyReader;

static void
on_body_chunk (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BodyReader *reader = user_data;
  gssize length = g_input_stream_read_finish (reader->stream, result, &reader->error);

  if (length <= 0)
    {
      reader->done = TRUE;
      return;
    }
  reader->reads++;
  g_byte_array_append (reader->body, reader->buffer, (guint) length);
  g_input_stream_read_async (reader->stream, reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_body_chunk, reader);
}

static gboolean
body_read (gpointer data)
{
  return ((BodyReader *) data)->done;
}

/* A dripped answer is the same answer, its Content-Length whole from the start, its body
 * coming a byte at a time. */
static void
test_fault_drip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) plain = NULL, added = NULL, bad = NULL;
  g_autofree char *url = g_strconcat (fixture->base_url, "/api/v4/projects/11", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  BodyReader reader = { NULL, body, 0, FALSE, NULL, { 0 } };
  static const char *const refused[] = {
    "{\"drip_ms\": -1}",
    "{\"drip_ms\": \"10\"}",
    "{\"drip_ms\": 60001}",
    "{\"drip_ms\": 10, \"drop\": true}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_clear_pointer (&bad, nod_test_response_free);
      bad = nod_test_http_expect (control (fixture, "POST", "/__fake/faults", refused[i]),
                                  SOUP_STATUS_BAD_REQUEST);
    }

  plain = nod_test_http_expect (api (fixture, "GET", "/projects/11"), SOUP_STATUS_OK);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"^/api/v4/projects/11$\", \"drip_ms\": 2}"),
                                SOUP_STATUS_CREATED);
  g_assert_cmpint (json_object_get_int_member (nod_test_response_object (added), "drip_ms"), ==, 2);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "PRIVATE-TOKEN", TOKEN);
  soup_session_send_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                           nod_test_keep_result, &result);
  reader.stream = soup_session_send_finish (fixture->session, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_assert_cmpint (soup_message_headers_get_content_length (soup_message_get_response_headers (msg)),
                   ==, (goffset) g_bytes_get_size (plain->body));
  g_input_stream_read_async (reader.stream, reader.buffer, sizeof reader.buffer,
                             G_PRIORITY_DEFAULT, NULL, on_body_chunk, &reader);
  nod_test_wait_until (body_read, &reader);
  g_assert_no_error (reader.error);
  g_clear_object (&reader.stream);

  g_assert_cmpmem (body->data, body->len, g_bytes_get_data (plain->body, NULL),
                   g_bytes_get_size (plain->body));
  /* Not in one piece: the client had to wait for bytes again and again. */
  g_assert_cmpuint (reader.reads, >, 1);
}

/* Pagination headers that lie: what they say is what the test asked for, the page itself
 * is the true one. */
static void
test_fault_pages (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodTestResponse) plain = NULL, added = NULL, lying = NULL, bad = NULL, after = NULL;
  static const char *const refused[] = {
    "{\"next_page\": -1}",
    "{\"next_page\": \"2\"}",
    "{\"total_pages\": true}",
    "{\"next_page\": 1, \"stall\": true}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_clear_pointer (&bad, nod_test_response_free);
      bad = nod_test_http_expect (control (fixture, "POST", "/__fake/faults", refused[i]),
                                  SOUP_STATUS_BAD_REQUEST);
    }

  plain = nod_test_http_expect (api (fixture, "GET", "/projects?per_page=1"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (plain, "x-next-page"), ==, 2);
  added = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"^/api/v4/projects$\", \"next_page\": 1, "
                                         "\"total_pages\": 7}"),
                                SOUP_STATUS_CREATED);
  lying = nod_test_http_expect (api (fixture, "GET", "/projects?per_page=1"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (lying, "x-page"), ==, 1);
  g_assert_cmpint (header_int (lying, "x-next-page"), ==, 1);
  g_assert_cmpint (header_int (lying, "x-total-pages"), ==, 7);
  g_assert_cmpmem (g_bytes_get_data (lying->body, NULL), g_bytes_get_size (lying->body),
                   g_bytes_get_data (plain->body, NULL), g_bytes_get_size (plain->body));

  /* Once ("times" 1), then the truth again. */
  after = nod_test_http_expect (api (fixture, "GET", "/projects?per_page=1"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (after, "x-next-page"), ==, 2);
}

/* The fake goes away while it stalls a request: nothing leaks or crashes. */
static void
test_dispose_while_stalled (void)
{
  Fixture fixture = { 0 };
  NodTestRequest *pending;
  NodTestResponse *response;
  LoggedWait logged = { &fixture, "GET", "/user" };

  fixture_set_up (&fixture, NULL);
  response = nod_test_http_expect (control (&fixture, "POST", "/__fake/faults",
                                            "{\"path\": \"/user$\", \"stall\": true}"),
                                   SOUP_STATUS_CREATED);
  nod_test_response_free (response);
  pending = start_request (&fixture, "GET", "/api/v4/user", TOKEN, NULL, NULL);
  nod_test_wait_until (is_logged, &logged);
  g_clear_object (&fixture.fake);
  response = nod_test_http_finish (pending);
  g_assert_nonnull (response->error);
  nod_test_response_free (response);
  fixture.fake = nod_fake_gitlab_new (TOKEN);
  fixture_tear_down (&fixture, NULL);
}

/* The request log and reset */

static void
test_request_log (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodTestResponse) user = NULL, project = NULL, approve = NULL, log = NULL;
  g_autoptr(NodTestResponse) cleared = NULL;
  g_autoptr(NodTestResponse) empty = NULL;
  JsonArray *entries;
  JsonObject *entry;

  user = nod_test_http_expect (api (fixture, "GET", "/user?with=query"), SOUP_STATUS_OK);
  project = nod_test_http_expect (api (fixture, "GET", "/projects/gnome-apps%2Fnod"),
                                  SOUP_STATUS_OK);
  approve = nod_test_http_expect (api (fixture, "POST", MR_BY_SAM "/approve"),
                                  SOUP_STATUS_UNAUTHORIZED);

  log = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  entries = nod_test_response_array (log);
  g_assert_cmpuint (json_array_get_length (entries), ==, 3);

  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, "/api/v4/user");
  g_assert_cmpstr (json_object_get_string_member (entry, "query"), ==, "with=query");
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 200);
  g_assert_true (is_gitlab_time (json_object_get_string_member (entry, "at")));

  entry = json_array_get_object_element (entries, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==,
                   "/api/v4/projects/gnome-apps%2Fnod");
  g_assert_cmpstr (json_object_get_string_member (entry, "query"), ==, "");

  entry = json_array_get_object_element (entries, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==,
                   "/api/v4" MR_BY_SAM "/approve");
  g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 401);

  cleared = nod_test_http_expect (control (fixture, "DELETE", "/__fake/requests", NULL),
                                  SOUP_STATUS_OK);
  empty = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (empty)), ==, 0);
}

static void
test_reset (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(NodTestResponse) approved = NULL, commented = NULL, fault = NULL, limit = NULL;
  g_autoptr(NodTestResponse) reset = NULL, approvals = NULL, discussions_before = NULL;
  g_autoptr(NodTestResponse) discussions_after = NULL, log = NULL, user = NULL, created = NULL;
  g_autoptr(NodTestResponse) list = NULL;

  discussions_before = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"),
                                             SOUP_STATUS_OK);
  approved = nod_test_http_expect (api (fixture, "POST", MR_BY_AMELIE "/approve"),
                                   SOUP_STATUS_CREATED);
  commented = nod_test_http_expect (api_form (fixture, "POST", MR_BY_AMELIE "/discussions",
                                              "body=hi"),
                                    SOUP_STATUS_CREATED);
  created = nod_test_http_expect (control (fixture, "POST", "/__fake/mr",
                                           "{\"project_id\": 11, \"title\": \"New\", "
                                           "\"author\": \"priya\"}"),
                                  SOUP_STATUS_CREATED);
  fault = nod_test_http_expect (control (fixture, "POST", "/__fake/faults",
                                         "{\"path\": \"/user$\", \"status\": 500}"),
                                SOUP_STATUS_CREATED);
  limit = nod_test_http_expect (control (fixture, "POST", "/__fake/ratelimit",
                                         "{\"limit\": 100, \"remaining\": 3}"),
                                SOUP_STATUS_OK);

  reset = nod_test_http_expect (control (fixture, "POST", "/__fake/reset", NULL), SOUP_STATUS_OK);

  log = nod_test_http_expect (control (fixture, "GET", "/__fake/requests", NULL), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (log)), ==, 0);
  user = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (user, "RateLimit-Limit"), ==, 2000);
  g_assert_cmpint (header_int (user, "RateLimit-Remaining"), ==, 1999);
  approvals = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/approvals"),
                                    SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (nod_test_response_object (approvals),
                                                  "user_has_approved"));
  discussions_after = nod_test_http_expect (api (fixture, "GET", MR_BY_AMELIE "/discussions"),
                                            SOUP_STATUS_OK);
  g_assert_cmpint (header_int (discussions_after, "x-total"), ==,
                   header_int (discussions_before, "x-total"));
  list = nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"), SOUP_STATUS_OK);
  g_assert_cmpint (header_int (list, "x-total"), ==, SAMPLE_MR_COUNT);
}

/* Other users' activity through the control API */

static void
test_control_activity (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(NodTestResponse) created = NULL, listed = NULL, committed = NULL, stale = NULL;
  g_autoptr(NodTestResponse) comment = NULL, reply = NULL, bad_author = NULL, merged = NULL;
  g_autoptr(NodTestResponse) approve_merged = NULL, close_merged = NULL, closed = NULL;
  g_autoptr(NodTestResponse) unknown_project = NULL, unknown_mr = NULL, unknown_thread = NULL;
  g_autofree char *mr_path = NULL, *control_path = NULL, *old_sha = NULL, *old_updated = NULL;
  g_autofree char *commit_path = NULL, *comment_path = NULL, *merge_path = NULL;
  g_autofree char *stale_path = NULL, *reply_body = NULL;
  JsonObject *merge_request, *newest;
  gint64 iid;

  created = nod_test_http_expect (control (fixture, "POST", "/__fake/mr",
                                           "{\"project_id\": 11, \"title\": \"Add a dark mode\", "
                                           "\"author\": \"priya\", \"reviewers\": [\"sam\"]}"),
                                  SOUP_STATUS_CREATED);
  merge_request = nod_test_response_object (created);
  iid = json_object_get_int_member (merge_request, "iid");
  g_assert_cmpint (iid, ==, 112);  /* the sample's last iid in gnome-apps/nod is 111 */
  g_assert_cmpstr (json_object_get_string_member (merge_request, "state"), ==, "opened");
  g_assert_cmpstr (json_object_get_string_member (member_object (merge_request, "author"),
                                                  "username"), ==, "priya");
  old_sha = g_strdup (json_object_get_string_member (merge_request, "sha"));
  old_updated = g_strdup (json_object_get_string_member (merge_request, "updated_at"));
  g_assert_true (is_hex_id (old_sha));

  /* It shows up first in the reviewer's incremental pull. */
  listed = nod_test_http_expect (api (fixture, "GET", "/merge_requests?scope=all"
                                                      "&reviewer_username=sam&order_by=updated_at"),
                                 SOUP_STATUS_OK);
  newest = json_array_get_object_element (nod_test_response_array (listed), 0);
  g_assert_cmpint (json_object_get_int_member (newest, "iid"), ==, iid);

  mr_path = g_strdup_printf ("/projects/11/merge_requests/%" G_GINT64_FORMAT, iid);
  control_path = g_strdup_printf ("/__fake/mr/11/%" G_GINT64_FORMAT, iid);
  commit_path = g_strdup_printf ("%s/commit", control_path);
  comment_path = g_strdup_printf ("%s/comment", control_path);
  merge_path = g_strdup_printf ("%s/merge", control_path);

  committed = nod_test_http_expect (control (fixture, "POST", commit_path, NULL), SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (committed), "sha"), !=,
                   old_sha);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (committed),
                                                  "updated_at"),
                   >, old_updated);
  stale_path = g_strdup_printf ("%s/approve?sha=%s", mr_path, old_sha);
  stale = nod_test_http_expect (api (fixture, "POST", stale_path), SOUP_STATUS_CONFLICT);

  comment = nod_test_http_expect (control (fixture, "POST", comment_path,
                                           "{\"author\": \"amelie\", \"body\": \"Nice!\"}"),
                                  SOUP_STATUS_CREATED);
  g_assert_cmpstr (json_object_get_string_member (
                     member_object (json_array_get_object_element (
                                      member_array (nod_test_response_object (comment),
                                                    "notes"), 0),
                                    "author"), "username"), ==, "amelie");
  reply_body = g_strdup_printf ("{\"author\": \"priya\", \"body\": \"Thanks\", "
                                "\"discussion_id\": \"%s\"}",
                                json_object_get_string_member (nod_test_response_object (comment),
                                                               "id"));
  reply = nod_test_http_expect (control (fixture, "POST", comment_path, reply_body),
                                SOUP_STATUS_CREATED);
  g_assert_cmpuint (json_array_get_length (member_array (nod_test_response_object (reply),
                                                         "notes")), ==, 2);
  unknown_thread = nod_test_http_expect (control (fixture, "POST", comment_path,
                                                  "{\"author\": \"priya\", \"body\": \"x\", "
                                                  "\"discussion_id\": \"nope\"}"),
                                         SOUP_STATUS_NOT_FOUND);
  bad_author = nod_test_http_expect (control (fixture, "POST", comment_path,
                                              "{\"author\": \"mallory\", \"body\": \"x\"}"),
                                     SOUP_STATUS_BAD_REQUEST);

  merged = nod_test_http_expect (control (fixture, "POST", merge_path, NULL), SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (merged), "state"), ==,
                   "merged");
  g_assert_true (is_gitlab_time (json_object_get_string_member (nod_test_response_object (merged),
                                                                "merged_at")));
  {
    g_autofree char *approve_path = g_strdup_printf ("%s/approve", mr_path);
    g_autofree char *close_path = g_strdup_printf ("%s/close", control_path);

    approve_merged = nod_test_http_expect (api (fixture, "POST", approve_path),
                                           SOUP_STATUS_UNAUTHORIZED);
    close_merged = nod_test_http_expect (control (fixture, "POST", close_path, NULL),
                                         SOUP_STATUS_BAD_REQUEST);
  }

  closed = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/gnome-apps%2Fnod/102/close",
                                          "{\"user\": \"priya\"}"),
                                 SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (closed), "state"), ==,
                   "closed");
  g_assert_true (is_gitlab_time (json_object_get_string_member (nod_test_response_object (closed),
                                                                "closed_at")));

  unknown_project = nod_test_http_expect (control (fixture, "POST", "/__fake/mr",
                                                   "{\"project_id\": 999, \"title\": \"x\", "
                                                   "\"author\": \"priya\"}"),
                                          SOUP_STATUS_BAD_REQUEST);
  unknown_mr = nod_test_http_expect (control (fixture, "POST", "/__fake/mr/11/999/merge", NULL),
                                     SOUP_STATUS_NOT_FOUND);
}

/* Fixtures */

static char *
write_fixture (const char *name,
               const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_fixture_file (void)
{
  g_autoptr(NodFakeGitlab) fake = nod_fake_gitlab_new (TOKEN);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_fixture ("small.json",
    "{\"users\": [{\"id\": 1, \"username\": \"sam\", \"name\": \"Sam\"},"
    "             {\"id\": 9, \"username\": \"kim\", \"name\": \"Kim\"}],"
    " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
    " \"merge_requests\": [{\"project\": \"g/p\", \"iid\": 3, \"title\": \"T\","
    "   \"author\": \"kim\", \"reviewers\": [\"sam\"], \"updated\": \"-1h\","
    "   \"discussions\": [{\"notes\": [{\"author\": \"kim\", \"body\": \"B\","
    "     \"position\": {\"new_path\": \"a.c\", \"new_line\": 3}}]}]}]}");
  Fixture fixture = { 0 };
  g_autoptr(NodTestResponse) list = NULL, discussions = NULL;
  JsonObject *merge_request, *note;

  g_assert_true (nod_fake_gitlab_load_fixture (fake, path, &error));
  g_assert_no_error (error);
  fixture_start (&fixture, g_steal_pointer (&fake));

  list = nod_test_http_expect (api (&fixture, "GET", "/merge_requests?scope=all"), SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 1);
  merge_request = json_array_get_object_element (nod_test_response_array (list), 0);
  g_assert_cmpint (json_object_get_int_member (merge_request, "iid"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (
                     member_object (merge_request, "references"), "full"), ==, "g/p!3");
  discussions = nod_test_http_expect (api (&fixture, "GET",
                                           "/projects/5/merge_requests/3/discussions"),
                                      SOUP_STATUS_OK);
  note = json_array_get_object_element (
    member_array (json_array_get_object_element (nod_test_response_array (discussions), 0),
                  "notes"), 0);
  g_assert_cmpstr (json_object_get_string_member (note, "type"), ==, "DiffNote");
  g_assert_cmpint (json_object_get_int_member (member_object (note, "position"), "new_line"), ==,
                   3);

  fixture_tear_down (&fixture, NULL);
}

static void
test_fixture_invalid (void)
{
  static const struct
  {
    const char *contents;
    const char *mentions;
  } cases[] = {
    { "not json", NULL },
    { "[1, 2]", "fixture" },
    { "{\"users\": []}", "users" },
    { "{\"users\": [{\"id\": \"1\", \"username\": \"sam\"}]}", "users[0].id" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}], \"projects\": {}}", "fixture.projects" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}],"
      " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
      " \"merge_requests\": [{\"project\": \"g/p\", \"title\": \"T\", \"author\": \"zed\"}]}",
      "merge_requests[0].author" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}],"
      " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
      " \"merge_requests\": [{\"project\": \"g/p\", \"title\": \"T\", \"author\": \"sam\","
      "   \"updated\": \"yesterday\"}]}",
      "merge_requests[0].updated" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}],"
      " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
      " \"merge_requests\": [{\"project\": \"g/p\", \"title\": \"T\", \"author\": \"sam\","
      "   \"discussions\": [{\"notes\": [{\"author\": \"sam\", \"body\": 7}]}]}]}",
      "merge_requests[0].discussions[0].notes[0].body" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}],"
      " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
      " \"merge_requests\": [{\"project\": \"nowhere\", \"title\": \"T\", \"author\": \"sam\"}]}",
      "merge_requests[0]" },
    { "{\"users\": [{\"id\": 1, \"username\": \"sam\"}],"
      " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
      " \"merge_requests\": [{\"project\": \"g/p\", \"title\": \"T\", \"author\": \"sam\","
      "   \"commits\": [\"First\", 2]}]}",
      "\"commits\"" },
  };
  g_autoptr(NodFakeGitlab) fake = nod_fake_gitlab_new (TOKEN);
  g_autoptr(GError) missing_error = NULL, deep_error = NULL;
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *deep_path = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("invalid-%u.json", i);
      g_autofree char *path = write_fixture (name, cases[i].contents);

      g_assert_false (nod_fake_gitlab_load_fixture (fake, path, &error));
      g_assert_nonnull (error);
      g_test_message ("Fixture %u: %s", i, error->message);
      if (cases[i].mentions != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].mentions));
    }

  g_assert_false (nod_fake_gitlab_load_fixture (fake, "/nonexistent/fixture.json",
                                                &missing_error));
  g_assert_error (missing_error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  for (guint depth = 0; depth < 200000; depth++)
    g_string_append_c (deep, '[');
  deep_path = write_fixture ("deep.json", deep->str);
  g_assert_false (nod_fake_gitlab_load_fixture (fake, deep_path, &deep_error));
  g_assert_error (deep_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* Hostile requests never crash the fake */

static void
test_hostile_requests (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *path;
    const char *content_type;
    const char *body;
    guint       status;
  } cases[] = {
    { "POST", MR_BY_AMELIE "/discussions", "application/json", "{\"body\": ", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json", "[1, 2, 3]", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json", "\"just a string\"", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json", "{\"body\": {\"a\": 1}}", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json",
      "{\"body\": \"x\", \"position\": \"line 3\"}", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json",
      "{\"body\": \"x\", \"position\": {\"position_type\": \"text\", \"base_sha\": 1}}", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/x-www-form-urlencoded",
      "body=x&position[position_type]=image", 400 },
    { "POST", MR_BY_AMELIE "/discussions", "application/json", "\xff\xfe\x00garbage", 400 },
    { "POST", MR_BY_AMELIE "/approve", "application/json", "{\"sha\": [1]}", 400 },
    { "GET", "/merge_requests?scope[]=all", NULL, NULL, 400 },
    { "PUT", MR_BY_AMELIE "/discussions/abc", "application/json", "{\"resolved\": true}", 404 },
    { "GET", "/merge_requests?per_page=99999999999999999999999999", NULL, NULL, 200 },
    { "GET", "/merge_requests?page=-1&per_page=-5", NULL, NULL, 200 },
    { "GET", "/merge_requests?page=abc", NULL, NULL, 400 },
    { "GET", "/merge_requests?updated_after=not-a-date", NULL, NULL, 400 },
    { "GET", "/merge_requests?reviewer_id=1&reviewer_username=sam", NULL, NULL, 400 },
    { "GET", "/merge_requests?scope=everything", NULL, NULL, 400 },
    { "GET", "/merge_requests?page=%&per_page=%ZZ&%=%", NULL, NULL, 400 },  /* libsoup */
    { "GET", "/merge_requests?page=1e3", NULL, NULL, 400 },
    { "GET", "/nope", NULL, NULL, 404 },
    { "GET", "/projects/11/merge_requests/abc", NULL, NULL, 404 },
    { "GET", "/projects/11/merge_requests/-3", NULL, NULL, 404 },
    { "GET", "/projects/11/merge_requests/99999999999999999999999", NULL, NULL, 404 },
    { "GET", "/projects/%00/merge_requests", NULL, NULL, 404 },
    /* libsoup refuses it before the fake sees it. */
    { "GET", "/projects/%ZZ", NULL, NULL, 400 },
    { "GET", "/projects//merge_requests", NULL, NULL, 404 },
    { "DELETE", "/user", NULL, NULL, 405 },
    { "GET", "/projects/11/merge_requests/101/approvals/extra/segments", NULL, NULL, 404 },
  };
  static const char *const deep_targets[] = {
    "/api/v4" MR_BY_AMELIE "/discussions", "/__fake/mr", "/__fake/faults",
  };
  g_autoptr(GString) long_path = g_string_new ("/projects/");
  g_autoptr(NodTestResponse) long_response = NULL, outside = NULL, alive = NULL;
  static const char *const control_cases[][3] = {
    { "POST", "/__fake/faults", "{\"path\": \"(unclosed\", \"status\": 500}" },
    { "POST", "/__fake/faults", "{\"path\": \"x\"}" },
    { "POST", "/__fake/faults", "{\"path\": 5, \"status\": 500}" },
    { "POST", "/__fake/faults", "{\"status\": 99}" },
    { "POST", "/__fake/faults", "{\"status\": 500, \"times\": 0}" },
    { "POST", "/__fake/faults", "{\"status\": 500, \"drop\": true}" },
    { "POST", "/__fake/faults", "{\"status\": \"500\"}" },
    { "POST", "/__fake/ratelimit", "{\"limit\": -1}" },
    { "POST", "/__fake/ratelimit", "{\"limit\": \"many\"}" },
    { "POST", "/__fake/mr", "{\"project_id\": 11, \"title\": 3, \"author\": \"sam\"}" },
    { "POST", "/__fake/mr", "{\"project_id\": 11, \"title\": \"x\", \"author\": \"sam\","
                            " \"reviewers\": [1]}" },
    { "POST", "/__fake/mr", "{\"project_id\": [11], \"title\": \"x\", \"author\": \"sam\"}" },
    { "POST", "/__fake/mr", "this is not json" },
    { "POST", "/__fake/mr", "[]" },
    { "POST", "/__fake/mr/11/101/comment", "{\"author\": \"sam\", \"body\": null}" },
    { "POST", "/__fake/mr/11/101/comment", "{\"author\": \"sam\", \"body\": \"x\","
                                           " \"discussion_id\": 4}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v4", cases[i].path, NULL);
      g_autoptr(NodTestResponse) response = send_request (fixture, cases[i].method, path, TOKEN,
                                                          cases[i].content_type, cases[i].body);

      g_test_message ("%s %s → %u", cases[i].method, cases[i].path, response->status);
      nod_test_http_expect (response, cases[i].status);
      /* Every answer of the fake's own is JSON. */
      if (g_bytes_get_size (response->body) > 0)
        g_assert_nonnull (response->json);
    }

  for (guint i = 0; i < G_N_ELEMENTS (control_cases); i++)
    {
      g_autoptr(NodTestResponse) response =
        control (fixture, control_cases[i][0], control_cases[i][1], control_cases[i][2]);

      g_test_message ("%s %s %s → %u", control_cases[i][0], control_cases[i][1],
                      control_cases[i][2], response->status);
      nod_test_http_expect (response, SOUP_STATUS_BAD_REQUEST);
      g_assert_nonnull (response->json);
    }

  /* json-glib parses recursively: this would overflow the fake's stack. */
  for (guint i = 0; i < G_N_ELEMENTS (deep_targets); i++)
    {
      g_autoptr(GString) deep = g_string_new (NULL);
      g_autoptr(NodTestResponse) response = NULL;

      for (guint depth = 0; depth < 200000; depth++)
        g_string_append_c (deep, depth % 2 ? '[' : '{');
      response = send_request (fixture, "POST", deep_targets[i], TOKEN, "application/json",
                               deep->str);
      nod_test_http_expect (response, SOUP_STATUS_BAD_REQUEST);
    }

  for (guint i = 0; i < 2000; i++)
    g_string_append (long_path, "%2F..");
  long_response = api (fixture, "GET", long_path->str);
  g_assert_cmpuint (long_response->status, ==, SOUP_STATUS_NOT_FOUND);
  outside = send_request (fixture, "GET", "/favicon.ico", NULL, NULL, NULL);
  g_assert_cmpuint (outside->status, ==, SOUP_STATUS_NOT_FOUND);

  alive = nod_test_http_expect (api (fixture, "GET", "/user"), SOUP_STATUS_OK);
}

int
main (int   argc,
      char *argv[])
{
  /* Loopback needs no proxy. GIO's GNOME proxy resolver reads the org.gnome.system.proxy
   * schema, which the test environment's GSETTINGS_SCHEMA_DIR does not have, and every
   * GSocketClient connection asks for the default resolver even when the session has one. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/fake-gitlab/auth", test_auth);
  ADD ("/nod/fake-gitlab/projects", test_projects);
  ADD ("/nod/fake-gitlab/merge-requests/filters", test_merge_request_filters);
  ADD ("/nod/fake-gitlab/merge-requests/shape", test_merge_request_shape);
  ADD ("/nod/fake-gitlab/sample-dataset", test_sample_dataset);
  ADD ("/nod/fake-gitlab/pagination/headers", test_pagination);
  g_test_add ("/nod/fake-gitlab/pagination/past-count-limit", Fixture, GUINT_TO_POINTER (12000),
              fixture_set_up_generated, test_pagination_past_count_limit, fixture_tear_down);
  g_test_add_func ("/nod/fake-gitlab/generate/deterministic", test_generate_deterministic);
  ADD ("/nod/fake-gitlab/approvals/approve-unapprove", test_approvals);
  ADD ("/nod/fake-gitlab/pipelines", test_pipelines);
  ADD ("/nod/fake-gitlab/commits", test_commits);
  ADD ("/nod/fake-gitlab/labels-and-suggested-approvers", test_labels_and_suggested_approvers);
  ADD ("/nod/fake-gitlab/approvals/refused", test_approve_refused);
  ADD ("/nod/fake-gitlab/discussions/shape", test_discussions_shape);
  ADD ("/nod/fake-gitlab/discussions/write", test_discussions_write);
  ADD ("/nod/fake-gitlab/discussions/reply-to-comment", test_discussions_reply_to_comment);
  ADD ("/nod/fake-gitlab/rate-limit/headers", test_rate_limit_headers);
  ADD ("/nod/fake-gitlab/rate-limit/exhausted", test_rate_limit_exhausted);
  ADD ("/nod/fake-gitlab/rate-limit/notes", test_rate_limit_notes);
  ADD ("/nod/fake-gitlab/rate-limit/notes-control", test_rate_limit_notes_control);
  ADD ("/nod/fake-gitlab/faults/status", test_fault_status);
  ADD ("/nod/fake-gitlab/faults/drop", test_fault_drop);
  ADD ("/nod/fake-gitlab/faults/malformed", test_fault_malformed);
  ADD ("/nod/fake-gitlab/faults/delay", test_fault_delay);
  ADD ("/nod/fake-gitlab/latency", test_latency);
  g_test_add_func ("/nod/fake-gitlab/dispose-while-delayed", test_dispose_while_delayed);
  ADD ("/nod/fake-gitlab/client-gone-while-delayed", test_client_gone_while_delayed);
  ADD ("/nod/fake-gitlab/json/as-json-glib-writes-it", test_json_as_json_glib_writes_it);
  ADD ("/nod/fake-gitlab/gates/held-until-released", test_gate);
  ADD ("/nod/fake-gitlab/gates/times", test_gate_times);
  ADD ("/nod/fake-gitlab/gates/reset", test_gate_reset);
  ADD ("/nod/fake-gitlab/gates/client-gone", test_gate_client_gone);
  g_test_add_func ("/nod/fake-gitlab/gates/dispose-while-held", test_dispose_while_held);
  ADD ("/nod/fake-gitlab/faults/stall", test_fault_stall);
  ADD ("/nod/fake-gitlab/faults/drip", test_fault_drip);
  ADD ("/nod/fake-gitlab/faults/pages", test_fault_pages);
  g_test_add_func ("/nod/fake-gitlab/faults/dispose-while-stalled", test_dispose_while_stalled);
  ADD ("/nod/fake-gitlab/request-log", test_request_log);
  ADD ("/nod/fake-gitlab/reset", test_reset);
  ADD ("/nod/fake-gitlab/control/activity", test_control_activity);
  g_test_add_func ("/nod/fake-gitlab/fixture/file", test_fixture_file);
  g_test_add_func ("/nod/fake-gitlab/fixture/invalid", test_fixture_invalid);
  ADD ("/nod/fake-gitlab/hostile-requests", test_hostile_requests);

  return g_test_run ();
}
