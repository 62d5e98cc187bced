/* test-gitlab.c: the GitLab backend against the fake GitLab, call by call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-test-secret-0123456789"

typedef struct
{
  NodFakeGitlab *fake;
  NodGitlab     *gitlab;
  NodForge      *forge;
  char          *base_url;
} Fixture;

/* Every log line of the test goes through here, so the token can be looked for. */
static GString *log_seen;

static GLogWriterOutput
remember_log (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      g_string_append_printf (log_seen, "%s\n", (const char *) fields[i].value);

  /* Debug lines are only looked at, not printed: they would garble the TAP output. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
fixture_set_up_generated (Fixture *fixture,
                          guint    generate)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  if (generate > 0)
    nod_fake_gitlab_generate (fixture->fake, generate);
  else
    g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  g_assert_no_error (error);

  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->gitlab = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  fixture->forge = NOD_FORGE (fixture->gitlab);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture_set_up_generated (fixture, GPOINTER_TO_UINT (data));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (fixture->gitlab);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);

  /* Nothing the backend logged, at any level, holds the token. */
  g_assert_null (strstr (log_seen->str, TOKEN));
}

/* ---- the control API of the fake ---- */

static JsonNode *
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json_body)
{
  return nod_test_fake_control (fixture->base_url, method, path, json_body);
}

static void
add_fault (Fixture    *fixture,
           const char *json)
{
  g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/faults", json);
}

/* How many logged API requests had @method and a path matching @pattern. */
static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *pattern)
{
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

/* ---- sync wrappers around the forge calls ---- */

#define WAIT_FOR(call_async, call_finish, ...) \
  G_STMT_START { \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call_async (fixture->forge, __VA_ARGS__, NULL, nod_test_keep_result, &result_); \
    object_ = (gpointer) call_finish (fixture->forge, nod_test_wait_for_result (&result_), \
                                      error); \
  } G_STMT_END

static NodUser *
current_user (Fixture *fixture,
              GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_forge_get_current_user_async (fixture->forge, NULL, nod_test_keep_result, &result);
  return nod_forge_get_current_user_finish (fixture->forge, nod_test_wait_for_result (&result),
                                            error);
}

static NodForgePage *
list_merge_requests (Fixture              *fixture,
                     NodMergeRequestScope  scope,
                     GDateTime            *updated_after,
                     GDateTime            *updated_before,
                     guint                 page,
                     GError              **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_list_merge_requests_async, nod_forge_list_merge_requests_finish,
            scope, updated_after, updated_before, page);
  return object_;
}

static NodMergeRequest *
get_merge_request (Fixture *fixture,
                   gint64   project_id,
                   gint64   iid,
                   GError **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_get_merge_request_async, nod_forge_get_merge_request_finish,
            project_id, iid);
  return object_;
}

static NodApprovals *
get_approvals (Fixture *fixture,
               gint64   project_id,
               gint64   iid,
               GError **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_get_approvals_async, nod_forge_get_approvals_finish, project_id, iid);
  return object_;
}

static NodApprovals *
approve (Fixture    *fixture,
         gint64      project_id,
         gint64      iid,
         const char *sha,
         GError    **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_approve_async, nod_forge_approve_finish, project_id, iid, sha);
  return object_;
}

static NodApprovals *
unapprove (Fixture *fixture,
           gint64   project_id,
           gint64   iid,
           GError **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_unapprove_async, nod_forge_unapprove_finish, project_id, iid);
  return object_;
}

static NodForgePage *
list_discussions (Fixture *fixture,
                  gint64   project_id,
                  gint64   iid,
                  guint    page,
                  GError **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_list_discussions_async, nod_forge_list_discussions_finish,
            project_id, iid, page);
  return object_;
}

/* FALSE on error; *@out_note is NULL when GitLab made no note. */
static gboolean
reply_made (Fixture     *fixture,
            gint64       project_id,
            gint64       iid,
            const char  *discussion_id,
            const char  *body,
            NodNote    **out_note,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_forge_reply_async (fixture->forge, project_id, iid, discussion_id, body, NULL,
                         nod_test_keep_result, &result);
  return nod_forge_reply_finish (fixture->forge, nod_test_wait_for_result (&result), out_note,
                                 error);
}

static NodNote *
reply (Fixture    *fixture,
       gint64      project_id,
       gint64      iid,
       const char *discussion_id,
       const char *body,
       GError    **error)
{
  NodNote *note = NULL;

  reply_made (fixture, project_id, iid, discussion_id, body, &note, error);
  return note;
}

static NodDiscussion *
set_resolved (Fixture    *fixture,
              gint64      project_id,
              gint64      iid,
              const char *discussion_id,
              gboolean    resolved,
              GError    **error)
{
  gpointer object_;

  WAIT_FOR (nod_forge_set_resolved_async, nod_forge_set_resolved_finish, project_id, iid,
            discussion_id, resolved);
  return object_;
}

static gboolean
create_discussion (Fixture        *fixture,
                   gint64          project_id,
                   gint64          iid,
                   const char     *body,
                   NodDiscussion **out_discussion,
                   GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_forge_create_discussion_async (fixture->forge, project_id, iid, body, NULL, NULL,
                                     nod_test_keep_result, &result);
  return nod_forge_create_discussion_finish (fixture->forge, nod_test_wait_for_result (&result),
                                             out_discussion, error);
}

static gboolean
has_user (GPtrArray  *users,
          const char *username)
{
  for (guint i = 0; i < users->len; i++)
    if (g_str_equal (nod_user_get_username (g_ptr_array_index (users, i)), username))
      return TRUE;
  return FALSE;
}

/* An open merge request waiting for the reviewer's approval, found through the API. */
static NodMergeRequest *
find_approvable (Fixture *fixture)
{
  g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                      NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                      NULL, NULL, 1, NULL);
  GPtrArray *items = nod_forge_page_get_items (page);

  for (guint i = 0; i < items->len; i++)
    {
      NodMergeRequest *mr = g_ptr_array_index (items, i);
      g_autoptr(NodApprovals) approvals = NULL;

      if (nod_merge_request_get_state (mr) != NOD_MERGE_REQUEST_OPENED)
        continue;
      approvals = get_approvals (fixture, nod_merge_request_get_project_id (mr),
                                 nod_merge_request_get_iid (mr), NULL);
      if (!nod_approvals_get_user_has_approved (approvals) &&
          nod_approvals_get_user_can_approve (approvals))
        return g_object_ref (mr);
    }

  g_error ("The sample dataset has no merge request awaiting approval");
}

/* ---- reading ---- */

static void
test_current_user (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = current_user (fixture, &error);
  g_autoptr(NodRateLimit) limit = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (nod_user_get_id (user), ==, NOD_FAKE_GITLAB_REVIEWER_ID);
  g_assert_cmpstr (nod_user_get_username (user), ==, NOD_FAKE_GITLAB_REVIEWER_USERNAME);
  g_assert_nonnull (nod_user_get_name (user));

  /* The answer's rate-limit headers were kept. */
  limit = nod_forge_dup_rate_limit (fixture->forge);
  g_assert_true (nod_rate_limit_is_known (limit));
  g_assert_cmpint (limit->limit, >, 0);
  g_assert_cmpint (limit->remaining, <, limit->limit);
  g_assert_cmpint (limit->reset_at, >, 0);
}

static void
test_projects (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(NodProject) looked_up = NULL;
  g_autoptr(NodProject) again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result_again = NULL;
  NodProject *first;

  nod_forge_list_projects_async (fixture->forge, 1, NULL, nod_test_keep_result, &result);
  page = nod_forge_list_projects_finish (fixture->forge, nod_test_wait_for_result (&result),
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nod_forge_page_get_items (page)->len, >=, 3);
  g_assert_cmpuint (nod_forge_page_get_next_page (page), ==, 0);
  first = g_ptr_array_index (nod_forge_page_get_items (page), 0);
  g_assert_cmpint (nod_project_get_id (first), >, 0);
  g_assert_nonnull (strchr (nod_project_get_path_with_namespace (first), '/'));

  /* A path is resolved to its id once. */
  g_clear_object (&result);
  nod_forge_lookup_project_async (fixture->forge, nod_project_get_path_with_namespace (first),
                                  NULL, nod_test_keep_result, &result);
  looked_up = nod_forge_lookup_project_finish (fixture->forge,
                                               nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_project_get_id (looked_up), ==, nod_project_get_id (first));

  nod_forge_lookup_project_async (fixture->forge, nod_project_get_path_with_namespace (first),
                                  NULL, nod_test_keep_result, &result_again);
  again = nod_forge_lookup_project_finish (fixture->forge,
                                           nod_test_wait_for_result (&result_again), &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_project_get_id (again), ==, nod_project_get_id (first));
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/projects/[^/]*%2F"), ==, 1);

  /* An unknown project is "not found". */
  g_clear_object (&result);
  nod_forge_lookup_project_async (fixture->forge, "no/such-project", NULL,
                                  nod_test_keep_result, &result);
  g_assert_null (nod_forge_lookup_project_finish (fixture->forge,
                                                  nod_test_wait_for_result (&result), &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND);
}

static void
assert_newest_first (GPtrArray *items)
{
  for (guint i = 1; i < items->len; i++)
    g_assert_cmpint (g_date_time_compare (nod_merge_request_get_updated_at (items->pdata[i - 1]),
                                          nod_merge_request_get_updated_at (items->pdata[i])),
                     >=, 0);
}

/* Every merge request of @page was updated at @bound or later (@sign 1), or at it or
 * earlier (@sign -1): GitLab's bounds are inclusive. */
static void
assert_all_within (NodForgePage *page,
                   GDateTime    *bound,
                   int           sign)
{
  GPtrArray *items = nod_forge_page_get_items (page);

  for (guint i = 0; i < items->len; i++)
    g_assert_cmpint (sign * g_date_time_compare (nod_merge_request_get_updated_at (items->pdata[i]),
                                                 bound), >=, 0);
}

static void
test_merge_request_scopes (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) review = NULL;
  g_autoptr(NodForgePage) assigned = NULL;
  g_autoptr(NodForgePage) authored = NULL;
  g_autoptr(NodForgePage) recent = NULL;
  g_autoptr(NodForgePage) older = NULL;
  g_autoptr(GDateTime) middle = NULL;
  GPtrArray *items;
  guint at_middle = 0;

  review = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL, NULL,
                                1, &error);
  g_assert_no_error (error);
  items = nod_forge_page_get_items (review);
  g_assert_cmpuint (items->len, >, 0);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (has_user (nod_merge_request_get_reviewers (items->pdata[i]),
                             NOD_FAKE_GITLAB_REVIEWER_USERNAME));
  assert_newest_first (items);
  g_assert_cmpint (nod_forge_page_get_total (review), ==, items->len);

  /* "Review requested from me" asked who "me" is, once. */
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/user$"), ==, 1);

  assigned = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_ASSIGNED, NULL, NULL, 1,
                                  &error);
  g_assert_no_error (error);
  items = nod_forge_page_get_items (assigned);
  g_assert_cmpuint (items->len, >, 0);
  for (guint i = 0; i < items->len; i++)
    g_assert_true (has_user (nod_merge_request_get_assignees (items->pdata[i]),
                             NOD_FAKE_GITLAB_REVIEWER_USERNAME));

  authored = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_AUTHORED, NULL, NULL, 1,
                                  &error);
  g_assert_no_error (error);
  items = nod_forge_page_get_items (authored);
  g_assert_cmpuint (items->len, >, 0);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpstr (nod_user_get_username (nod_merge_request_get_author (items->pdata[i])), ==,
                     NOD_FAKE_GITLAB_REVIEWER_USERNAME);

  /* updated_after: only what changed since (GitLab: "on or after"). */
  items = nod_forge_page_get_items (review);
  middle = g_date_time_ref (nod_merge_request_get_updated_at (items->pdata[items->len / 2]));
  recent = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, middle, NULL, 1,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nod_forge_page_get_items (recent)->len, <, items->len);
  assert_all_within (recent, middle, 1);

  /* updated_before: only what had not changed since ("on or before"); the two overlap
   * in the middle one and together make the whole list. */
  older = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL, middle,
                               1, &error);
  g_assert_no_error (error);
  assert_all_within (older, middle, -1);
  assert_newest_first (nod_forge_page_get_items (older));
  for (guint i = 0; i < items->len; i++)
    at_middle += g_date_time_equal (nod_merge_request_get_updated_at (items->pdata[i]), middle);
  g_assert_cmpuint (at_middle, >=, 1);
  g_assert_cmpuint (nod_forge_page_get_items (recent)->len +
                    nod_forge_page_get_items (older)->len, ==, items->len + at_middle);
}

static void
test_one_merge_request (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                      NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                      NULL, NULL, 1, NULL);
  NodMergeRequest *listed = g_ptr_array_index (nod_forge_page_get_items (page), 0);
  g_autoptr(NodMergeRequest) mr = NULL;
  g_autoptr(GError) error = NULL;

  mr = get_merge_request (fixture, nod_merge_request_get_project_id (listed),
                          nod_merge_request_get_iid (listed), &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_merge_request_get_id (mr), ==, nod_merge_request_get_id (listed));
  g_assert_cmpstr (nod_merge_request_get_title (mr), ==, nod_merge_request_get_title (listed));
  g_assert_cmpstr (nod_merge_request_get_sha (mr), ==, nod_merge_request_get_sha (listed));
  g_assert_cmpuint (strlen (nod_merge_request_get_sha (mr)), ==, 40);
  g_assert_nonnull (nod_merge_request_get_source_branch (mr));
  g_assert_nonnull (nod_merge_request_get_target_branch (mr));
  g_assert_true (g_str_has_prefix (nod_merge_request_get_web_url (mr), "http"));
  g_assert_nonnull (nod_merge_request_get_author (mr));
  g_assert_cmpint (nod_merge_request_get_state (mr), ==, nod_merge_request_get_state (listed));

  g_assert_null (get_merge_request (fixture, nod_merge_request_get_project_id (listed), 99999,
                                    &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND);
}

static void
test_discussions (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                      NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                      NULL, NULL, 1, NULL);
  GPtrArray *mrs = nod_forge_page_get_items (page);
  guint notes = 0, diff_notes = 0, resolved = 0;

  for (guint i = 0; i < mrs->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodForgePage) discussions = NULL;
      GPtrArray *items;

      discussions = list_discussions (fixture, nod_merge_request_get_project_id (mrs->pdata[i]),
                                      nod_merge_request_get_iid (mrs->pdata[i]), 1, &error);
      g_assert_no_error (error);
      items = nod_forge_page_get_items (discussions);
      for (guint d = 0; d < items->len; d++)
        {
          NodDiscussion *discussion = items->pdata[d];
          GPtrArray *discussion_notes = nod_discussion_get_notes (discussion);

          g_assert_cmpuint (strlen (nod_discussion_get_id (discussion)), ==, 40);
          g_assert_cmpuint (discussion_notes->len, >, 0);
          resolved += nod_discussion_get_resolved (discussion);
          for (guint n = 0; n < discussion_notes->len; n++)
            {
              NodNote *note = discussion_notes->pdata[n];

              g_assert_cmpint (nod_note_get_id (note), >, 0);
              g_assert_nonnull (nod_note_get_body (note));
              g_assert_nonnull (nod_note_get_author (note));
              notes++;
              if (nod_note_get_position (note) != NULL)
                {
                  g_assert_nonnull (nod_note_get_position (note)->new_path);
                  diff_notes++;
                }
            }
        }
    }

  /* The sample has threads, diff notes among them, and resolved threads. */
  g_assert_cmpuint (notes, >, 5);
  g_assert_cmpuint (diff_notes, >, 0);
  g_assert_cmpuint (resolved, >, 0);
}

/* ---- writing ---- */

static void
test_approve_unapprove (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodApprovals) approved = NULL;
  g_autoptr(NodApprovals) server = NULL;
  g_autoptr(NodApprovals) unapproved = NULL;
  g_autoptr(GError) error = NULL;

  approved = approve (fixture, project_id, iid, nod_merge_request_get_sha (mr), &error);
  g_assert_no_error (error);
  g_assert_true (nod_approvals_get_user_has_approved (approved));
  g_assert_true (has_user (nod_approvals_get_approved_by (approved),
                           NOD_FAKE_GITLAB_REVIEWER_USERNAME));
  g_assert_cmpint (nod_approvals_get_project_id (approved), ==, project_id);
  g_assert_cmpint (nod_approvals_get_iid (approved), ==, iid);

  /* The server holds it, and the sha went along. */
  server = get_approvals (fixture, project_id, iid, &error);
  g_assert_no_error (error);
  g_assert_true (nod_approvals_get_user_has_approved (server));
  g_assert_cmpuint (count_requests (fixture, "POST", "/approve$"), ==, 1);

  unapproved = unapprove (fixture, project_id, iid, &error);
  g_assert_no_error (error);
  g_assert_false (nod_approvals_get_user_has_approved (unapproved));
  g_assert_false (has_user (nod_approvals_get_approved_by (unapproved),
                            NOD_FAKE_GITLAB_REVIEWER_USERNAME));
}

static void
test_discussion_writes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodDiscussion) created = NULL;
  g_autoptr(NodDiscussion) none = NULL;
  g_autoptr(NodNote) no_note = NULL;
  g_autoptr(NodDiscussion) resolved = NULL;
  g_autoptr(NodDiscussion) unresolved = NULL;
  g_autoptr(NodNote) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *thread;

  g_assert_true (create_discussion (fixture, project_id, iid, "Why a *new* frobnicator?",
                                    &created, &error));
  g_assert_no_error (error);
  g_assert_nonnull (created);
  thread = nod_discussion_get_id (created);
  g_assert_cmpuint (strlen (thread), ==, 40);
  g_assert_cmpuint (nod_discussion_get_notes (created)->len, ==, 1);
  g_assert_cmpstr (nod_note_get_body (nod_discussion_get_notes (created)->pdata[0]), ==,
                   "Why a *new* frobnicator?");
  g_assert_cmpstr (nod_user_get_username (nod_note_get_author (
                     nod_discussion_get_notes (created)->pdata[0])), ==,
                   NOD_FAKE_GITLAB_REVIEWER_USERNAME);

  answer = reply (fixture, project_id, iid, thread, "Because the old one broke.", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nod_note_get_body (answer), ==, "Because the old one broke.");
  g_assert_cmpint (nod_note_get_id (answer), >,
                   nod_note_get_id (nod_discussion_get_notes (created)->pdata[0]));

  resolved = set_resolved (fixture, project_id, iid, thread, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (nod_discussion_get_resolved (resolved));
  g_assert_cmpuint (nod_discussion_get_notes (resolved)->len, ==, 2);

  unresolved = set_resolved (fixture, project_id, iid, thread, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (nod_discussion_get_resolved (unresolved));

  /* Only quick actions: GitLab answers 202 and makes no note, in a new thread or a reply. */
  g_assert_true (create_discussion (fixture, project_id, iid, "/label ~review\n/done",
                                    &none, &error));
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_true (reply_made (fixture, project_id, iid, thread, "/label ~review",
                             &no_note, &error));
  g_assert_no_error (error);
  g_assert_null (no_note);

  /* A thread id that is not one is refused before anything is sent. */
  g_assert_null (reply (fixture, project_id, iid, "../../user", "x", &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (reply (fixture, project_id, iid, "0000000000000000000000000000000000000000",
                        "x", &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND);
}

/* ---- connections ---- */

/* The connection each logged API request came on, in order. */
static GArray *
logged_connections (Fixture *fixture)
{
  g_autoptr(JsonNode) log = control (fixture, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  GArray *connections = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      gint64 connection = json_object_get_int_member (json_array_get_object_element (requests, i),
                                                      "connection");

      g_assert_cmpint (connection, >, 0);
      g_array_append_val (connections, connection);
    }
  return connections;
}

/* Notes with @body in @mr's threads on GitLab. */
static guint
count_notes_with_body (Fixture         *fixture,
                       NodMergeRequest *mr,
                       const char      *body)
{
  guint count = 0, page = 1;

  while (page != 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodForgePage) threads = list_discussions (fixture,
                                                          nod_merge_request_get_project_id (mr),
                                                          nod_merge_request_get_iid (mr), page,
                                                          &error);
      GPtrArray *items;

      g_assert_no_error (error);
      items = nod_forge_page_get_items (threads);
      for (guint i = 0; i < items->len; i++)
        {
          GPtrArray *notes = nod_discussion_get_notes (items->pdata[i]);

          for (guint n = 0; n < notes->len; n++)
            count += g_strcmp0 (nod_note_get_body (notes->pdata[n]), body) == 0;
        }
      page = nod_forge_page_get_next_page (threads);
    }
  return count;
}

/* Writes go on the connection kept alive from the reads before them, as reads do: a new
 * TCP (and TLS) connection for every comment is most of its time over a real network. */
static void
test_writes_reuse_connection (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodUser) user = NULL;
  g_autoptr(GArray) connections = NULL;
  g_autoptr(JsonNode) cleared = control (fixture, "DELETE", "/__fake/requests", NULL);
  g_autoptr(GError) error = NULL;

  user = current_user (fixture, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(NodDiscussion) created = NULL;
      g_autofree char *body = g_strdup_printf ("Note %u", i);

      g_assert_true (create_discussion (fixture, project_id, iid, body, &created, &error));
      g_assert_no_error (error);
    }

  connections = logged_connections (fixture);
  g_assert_cmpuint (connections->len, ==, 4);
  for (guint i = 1; i < connections->len; i++)
    g_assert_cmpint (g_array_index (connections, gint64, i), ==,
                     g_array_index (connections, gint64, 0));
}

/* GitLab took the note, then the kept-alive connection closed before any answer: that is
 * the moment an HTTP library resends on a new connection by itself. Nod must not — the
 * note would be made twice. The call fails as a network error (the push job then looks
 * for the note before sending it again), and GitLab holds the note once. */
static void
test_write_dropped_after_apply_not_resent (Fixture       *fixture,
                                           gconstpointer  data)
{
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodUser) user = NULL;
  g_autoptr(NodDiscussion) created = NULL;
  g_autoptr(GArray) connections = NULL;
  g_autoptr(JsonNode) cleared = control (fixture, "DELETE", "/__fake/requests", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *notes_path = g_strdup_printf ("/api/v4/projects/%" G_GINT64_FORMAT
                                                 "/merge_requests/%" G_GINT64_FORMAT
                                                 "/discussions$", project_id, iid);

  /* A read first: the write then goes on its kept-alive connection. */
  user = current_user (fixture, &error);
  g_assert_no_error (error);
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                      "\"drop\": true, \"applied\": true, \"times\": 1}");

  g_assert_false (create_discussion (fixture, project_id, iid, "Once, please", &created,
                                     &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK);
  g_assert_cmpuint (count_requests (fixture, "POST", notes_path), ==, 1);
  g_assert_cmpuint (count_notes_with_body (fixture, mr, "Once, please"), ==, 1);

  /* It was the kept-alive connection that closed under it. */
  connections = logged_connections (fixture);
  g_assert_cmpuint (connections->len, >=, 2);
  g_assert_cmpint (g_array_index (connections, gint64, 1), ==,
                   g_array_index (connections, gint64, 0));
}

/* ---- the status-code matrix ---- */

static void
test_error_matrix (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  g_autoptr(NodForgePage) authored = NULL;
  g_autoptr(NodApprovals) approvals = NULL;
  g_autoptr(NodMergeRequest) moved = NULL;
  g_autoptr(NodRateLimit) limit = NULL;
  g_autoptr(NodGitlab) bad_token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commit_path = NULL;
  NodMergeRequest *own;

  /* approve, then approve again: 401 by design. */
  approvals = approve (fixture, project_id, iid, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (approve (fixture, project_id, iid, NULL, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH);
  g_clear_error (&error);

  /* unapprove twice: the second is 404. */
  g_clear_object (&approvals);
  approvals = unapprove (fixture, project_id, iid, &error);
  g_assert_no_error (error);
  g_assert_null (unapprove (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* approving one's own merge request: 401. */
  authored = list_merge_requests (fixture, NOD_MERGE_REQUEST_SCOPE_AUTHORED, NULL, NULL, 1,
                                  NULL);
  own = g_ptr_array_index (nod_forge_page_get_items (authored), 0);
  g_assert_null (approve (fixture, nod_merge_request_get_project_id (own),
                          nod_merge_request_get_iid (own), NULL, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH);
  g_clear_error (&error);

  /* new commits since the reviewer looked: 409. */
  commit_path = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/commit",
                                 project_id, iid);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", commit_path, "{}");
  }
  moved = get_merge_request (fixture, project_id, iid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nod_merge_request_get_sha (moved), !=, nod_merge_request_get_sha (mr));
  g_assert_null (approve (fixture, project_id, iid, nod_merge_request_get_sha (mr), &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* 403 */
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"status\": 403}");
  g_assert_null (approve (fixture, project_id, iid, NULL, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* 5xx */
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"/approvals$\", \"status\": 502}");
  g_assert_null (get_approvals (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_SERVER);
  g_clear_error (&error);

  /* malformed JSON on a 200 */
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"/approvals$\", \"malformed\": true}");
  g_assert_null (get_approvals (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* the connection dropped (libsoup sends a GET again on each kept-alive connection that
   * drops it, as many as it keeps, and on a new one before giving up) */
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"/approvals$\", \"drop\": true, "
                      "\"times\": 10}");
  g_assert_null (get_approvals (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK);
  g_clear_error (&error);
  {
    g_autoptr(JsonNode) cleared = control (fixture, "DELETE", "/__fake/faults", NULL);
  }

  /* a slow answer hits the timeout */
  nod_gitlab_set_timeout (fixture->gitlab, 1);
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"/approvals$\", \"delay_ms\": 3000}");
  g_assert_null (get_approvals (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT);
  g_clear_error (&error);
  nod_gitlab_set_timeout (fixture->gitlab, NOD_GITLAB_DEFAULT_TIMEOUT_S);

  /* 429 with Retry-After, and the snapshot says until when */
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/ratelimit",
                                          "{\"limit\": 2000, \"remaining\": 0, "
                                          "\"reset_in_s\": 30}");
  }
  g_assert_null (get_approvals (fixture, project_id, iid, &error));
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  limit = nod_forge_dup_rate_limit (fixture->forge);
  g_assert_cmpint (limit->remaining, ==, 0);
  g_assert_cmpint (limit->retry_at, >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpint (limit->retry_at, <=, g_get_real_time () / G_USEC_PER_SEC + 31);
  g_assert_cmpint (nod_rate_limit_blocked_until (limit, 0, g_get_real_time () / G_USEC_PER_SEC),
                   >, 0);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/reset", NULL);
  }

  /* a bad token: 401 on any call */
  bad_token = nod_gitlab_new (fixture->base_url, "glpat-wrong", &error);
  g_assert_no_error (error);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(NodUser) user = NULL;

    nod_forge_get_current_user_async (NOD_FORGE (bad_token), NULL, nod_test_keep_result,
                                      &result);
    user = nod_forge_get_current_user_finish (NOD_FORGE (bad_token),
                                              nod_test_wait_for_result (&result), &error);
    g_assert_null (user);
    g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH);
  }
}

/* ---- pagination past GitLab's count limit ---- */

/* Past its count limit (10,000) GitLab sends no total, but next pages keep coming: the
 * client follows them to the end. The fake's limit is lowered to 1,000 here, so a tenth of
 * the merge requests proves the same; test-fake-gitlab holds the fake to GitLab's 10,000. */
static void
test_pagination_past_count_limit (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint page_number = 1, pages = 0;

  nod_fake_gitlab_set_count_limit (fixture->fake, 1000);
  while (page_number != 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                          NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                          NULL, NULL, page_number, &error);
      GPtrArray *items;

      g_assert_no_error (error);
      items = nod_forge_page_get_items (page);
      g_assert_cmpuint (nod_forge_page_get_page (page), ==, page_number);
      g_assert_cmpint (nod_forge_page_get_total (page), ==, -1);
      g_assert_cmpuint (items->len, <=, 100);
      /* Each merge request comes once. */
      for (guint i = 0; i < items->len; i++)
        g_assert_true (g_hash_table_add (seen, GSIZE_TO_POINTER (
                                           nod_merge_request_get_id (items->pdata[i]))));
      page_number = nod_forge_page_get_next_page (page);
      pages++;
    }

  g_assert_cmpuint (pages, ==, 12);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1200);
}

/* ---- a hostile server: pages that do not advance, answers that never end ---- */

/* Walks a list as a client does, following each next page, and gives up after @guard pages
 * (a failure of the test: the backend should have stopped the walk long before). */
static GError *
walk_merge_requests (Fixture *fixture,
                     guint    guard,
                     guint   *out_pages)
{
  guint page_number = 1, pages = 0;

  while (page_number != 0 && pages < guard)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                          NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                          NULL, NULL, page_number, &error);

      if (page == NULL)
        {
          *out_pages = pages;
          return g_steal_pointer (&error);
        }
      pages++;
      page_number = nod_forge_page_get_next_page (page);
    }

  g_assert_cmpuint (pages, <, guard);
  *out_pages = pages;
  return NULL;
}

/* A server whose next page is the page it just sent: the walk stops at once, with a
 * sentence, and does not ask again. */
static void
test_pages_must_advance (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint pages = 0;

  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"^/api/v4/merge_requests$\", "
                      "\"next_page\": 1, \"times\": 2000}");
  error = walk_merge_requests (fixture, 1000, &pages);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "GitLab’s pages did not advance");
  g_assert_cmpuint (pages, ==, 0);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, 1);

  /* Going back is no better than standing still. */
  g_clear_error (&error);
  {
    g_autoptr(JsonNode) answer = control (fixture, "POST", "/__fake/reset", NULL);
  }
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"^/api/v4/merge_requests$\", "
                      "\"next_page\": 2, \"times\": 2000}");
  error = walk_merge_requests (fixture, 1000, &pages);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_assert_cmpuint (pages, ==, 1);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, 2);
}

/* x-total-pages, when sent, ends the walk even if x-next-page goes on. */
static void
test_pages_stop_at_total (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint pages = 0;

  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"^/api/v4/merge_requests$\", "
                      "\"total_pages\": 3, \"times\": 2000}");
  error = walk_merge_requests (fixture, 1000, &pages);
  g_assert_no_error (error);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, 3);
}

/* A list that claims to go on past NOD_FORGE_MAX_PAGES is refused, not followed. */
static void
test_pages_capped (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"GET\", "
                                            "\"path\": \"^/api/v4/merge_requests$\", "
                                            "\"next_page\": %u}", NOD_FORGE_MAX_PAGES + 1);
  guint pages = 0;

  add_fault (fixture, fault);
  error = walk_merge_requests (fixture, 1000, &pages);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
  g_assert_cmpuint (pages, ==, 0);
  g_assert_cmpuint (count_requests (fixture, "GET", "^/api/v4/merge_requests$"), ==, 1);
}

typedef struct
{
  Fixture    *fixture;
  const char *method;
  const char *path;
  gboolean    answered;  /* wait until the fake has begun its answer, not only logged it */
} LoggedWait;

static gboolean
is_logged (gpointer data)
{
  LoggedWait *wait = data;
  g_autoptr(JsonNode) log = control (wait->fixture, "GET", "/__fake/requests", NULL);
  JsonArray *entries = json_node_get_array (log);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_str_equal (json_object_get_string_member (entry, "method"), wait->method) &&
          g_str_equal (json_object_get_string_member (entry, "path"), wait->path) &&
          (!wait->answered || json_object_get_int_member (entry, "status") != 0))
        return TRUE;
    }
  return FALSE;
}

/* A body sent a byte a second never trips the idle timeout; the deadline ends it. The test
 * moves a manual clock past it while the drip keeps the request alive. */
static void
test_deadline_ends_a_drip (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = NULL;
  LoggedWait answering = { fixture, "GET", "/api/v4/user", TRUE };

  nod_gitlab_set_clock (fixture->gitlab, clock);
  nod_gitlab_set_timeout (fixture->gitlab, 600);
  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"^/api/v4/user$\", \"drip_ms\": 1000}");
  nod_forge_get_current_user_async (fixture->forge, NULL, nod_test_keep_result, &result);
  nod_test_wait_until (is_logged, &answering);
  g_assert_null (result);

  /* Short of the deadline, nothing happens. */
  nod_clock_advance (clock, NOD_GITLAB_DEFAULT_DEADLINE_S - 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (result);

  nod_clock_advance (clock, 1);
  user = nod_forge_get_current_user_finish (fixture->forge, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_null (user);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT);
  g_assert_cmpstr (error->message, ==, "GitLab took too long to answer");
  g_assert_cmpuint (nod_clock_get_next_due_s (clock), ==, 0);

  /* The next request has a deadline of its own, and a fair server answers within it. */
  g_clear_object (&user);
  g_clear_error (&error);
  nod_gitlab_set_deadline (fixture->gitlab, 5);
  user = current_user (fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
}

/* A write GitLab did but never answered: a timeout, and the change is on the server. */
static void
test_deadline_after_apply (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodClock) clock = nod_clock_new_manual (g_get_real_time ());
  g_autoptr(NodMergeRequest) mr = find_approvable (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodApprovals) approvals = NULL;
  g_autoptr(NodApprovals) on_server = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v4/projects/%" G_GINT64_FORMAT
                                           "/merge_requests/%" G_GINT64_FORMAT "/approve",
                                           nod_merge_request_get_project_id (mr),
                                           nod_merge_request_get_iid (mr));
  LoggedWait sent = { fixture, "POST", path, FALSE };

  nod_gitlab_set_clock (fixture->gitlab, clock);
  nod_gitlab_set_deadline (fixture->gitlab, 10);
  /* Only the deadline can end it: libsoup's idle timeout is longer than the test waits. */
  nod_gitlab_set_timeout (fixture->gitlab, 600);
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/approve$\", \"stall\": true, "
                      "\"applied\": true}");
  nod_forge_approve_async (fixture->forge, nod_merge_request_get_project_id (mr),
                           nod_merge_request_get_iid (mr), NULL, NULL, nod_test_keep_result,
                           &result);
  nod_test_wait_until (is_logged, &sent);
  g_assert_null (result);

  nod_clock_advance (clock, 10);
  approvals = nod_forge_approve_finish (fixture->forge, nod_test_wait_for_result (&result),
                                        &error);
  g_assert_null (approvals);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT);

  on_server = get_approvals (fixture, nod_merge_request_get_project_id (mr),
                             nod_merge_request_get_iid (mr), NULL);
  g_assert_true (nod_approvals_get_user_has_approved (on_server));
}

/* The caller's cancellable still cancels, and its error stays "cancelled". */
static void
test_cancel_is_not_a_timeout (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = NULL;
  LoggedWait sent = { fixture, "GET", "/api/v4/user", FALSE };

  add_fault (fixture, "{\"method\": \"GET\", \"path\": \"^/api/v4/user$\", \"stall\": true}");
  nod_forge_get_current_user_async (fixture->forge, cancellable, nod_test_keep_result, &result);
  nod_test_wait_until (is_logged, &sent);
  g_cancellable_cancel (cancellable);
  user = nod_forge_get_current_user_finish (fixture->forge, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_null (user);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_base_url (void)
{
  static const struct { const char *url; gboolean ok; } cases[] = {
    { "https://gitlab.com", TRUE },
    { "https://gitlab.example.com/gitlab/", TRUE },
    { "http://127.0.0.1:8080", TRUE },
    { "http://localhost:3000", TRUE },
    { "http://[::1]:3000", TRUE },
    { "http://gitlab.com", FALSE },
    { "gitlab.com", FALSE },
    { "https://", FALSE },
    { "ftp://gitlab.com", FALSE },
    { "https://user:secret@gitlab.com", FALSE },
    { "https://gitlab.com/?private_token=x", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (nod_gitlab_check_base_url (cases[i].url, FALSE, &error) == cases[i].ok);
      if (!cases[i].ok)
        {
          g_autoptr(NodGitlab) gitlab = NULL;

          g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID);
          g_clear_error (&error);
          gitlab = nod_gitlab_new (cases[i].url, TOKEN, &error);
          g_assert_null (gitlab);
          g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID);
        }
    }

  /* --insecure-http is the only way to plain http on another host. */
  g_assert_true (nod_gitlab_check_base_url ("http://gitlab.internal", TRUE, NULL));
}

static void
test_token_stays_in_header (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NodUser) user = current_user (fixture, NULL);
  g_autoptr(NodForgePage) page = list_merge_requests (fixture,
                                                      NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
                                                      NULL, NULL, 1, NULL);
  g_autoptr(JsonNode) log = control (fixture, "GET", "/__fake/requests", NULL);
  g_autofree char *log_text = json_to_string (log, FALSE);

  g_assert_nonnull (user);
  g_assert_nonnull (page);
  g_assert_nonnull (strstr (log_text, "/api/v4/user"));
  g_assert_null (strstr (log_text, TOKEN));
}

int
main (int   argc,
      char *argv[])
{
  /* Loopback only: the desktop's proxy resolver would want its GSettings schema. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Every message, debug ones included, is written and checked for the token. */
  log_seen = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (remember_log, NULL, NULL);

#define ADD(path, func, generate) \
  g_test_add (path, Fixture, GUINT_TO_POINTER (generate), fixture_set_up, func, \
              fixture_tear_down)

  ADD ("/nod/gitlab/current-user", test_current_user, 0);
  ADD ("/nod/gitlab/projects", test_projects, 0);
  ADD ("/nod/gitlab/merge-requests/scopes", test_merge_request_scopes, 0);
  ADD ("/nod/gitlab/merge-requests/one", test_one_merge_request, 0);
  ADD ("/nod/gitlab/discussions", test_discussions, 0);
  ADD ("/nod/gitlab/approve-unapprove", test_approve_unapprove, 0);
  ADD ("/nod/gitlab/discussion-writes", test_discussion_writes, 0);
  ADD ("/nod/gitlab/error-matrix", test_error_matrix, 0);
  ADD ("/nod/gitlab/connections/writes-reuse", test_writes_reuse_connection, 0);
  ADD ("/nod/gitlab/connections/dropped-write-not-resent",
       test_write_dropped_after_apply_not_resent, 0);
  ADD ("/nod/gitlab/token-stays-in-header", test_token_stays_in_header, 0);
  ADD ("/nod/gitlab/pagination-past-count-limit", test_pagination_past_count_limit, 1200);
  ADD ("/nod/gitlab/pages/must-advance", test_pages_must_advance, 1200);
  ADD ("/nod/gitlab/pages/stop-at-total", test_pages_stop_at_total, 1200);
  ADD ("/nod/gitlab/pages/capped", test_pages_capped, 1200);
  ADD ("/nod/gitlab/deadline/ends-a-drip", test_deadline_ends_a_drip, 0);
  ADD ("/nod/gitlab/deadline/after-apply", test_deadline_after_apply, 0);
  ADD ("/nod/gitlab/deadline/cancel-is-not-a-timeout", test_cancel_is_not_a_timeout, 0);
  g_test_add_func ("/nod/gitlab/base-url", test_base_url);

#undef ADD

  return g_test_run ();
}
