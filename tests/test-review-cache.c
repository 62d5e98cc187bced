/* test-review-cache.c: what the review cache keeps and tells of the pulls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-commit.h"
#include "nod-gitlab-json.h"
#include "nod-outbox.h"
#include "nod-review-cache.h"
#include "nod-test-utils.h"

typedef struct
{
  NodStore       *store;
  NodReviewCache *cache;
  NodOutbox      *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  fixture->cache = nod_review_cache_new (fixture->store);
  fixture->outbox = nod_outbox_new (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->outbox));
  g_clear_object (&fixture->store);
}

static gint64
add_account (Fixture    *fixture,
             const char *username)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (base_url, username, "
                                          "created_at_us) VALUES ('https://gitlab.com', "
                                          "'%s', 0)", username);

  nod_test_exec (fixture->store, sql);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT id FROM accounts WHERE username = '%s'", username);
  return nod_test_query_int (fixture->store, sql);
}

static gint64
load_last_pull (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 last_pull_us = -1;

  nod_review_cache_load_last_pull_async (fixture->cache, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_review_cache_load_last_pull_finish (fixture->cache,
                                                         nod_test_wait_for_result (&result),
                                                         &last_pull_us, &error));
  g_assert_no_error (error);
  return last_pull_us;
}

static void
save_cursor (Fixture    *fixture,
             gint64      account_id,
             const char *scope)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_review_cache_save_cursor_async (fixture->cache, account_id, scope, "{}", NULL,
                                      nod_test_keep_result, &result);
  g_assert_true (nod_review_cache_save_cursor_finish (fixture->cache,
                                                      nod_test_wait_for_result (&result),
                                                      &error));
  g_assert_no_error (error);
}

/* No pull ever saved a cursor: there is no last pull to show. */
static void
test_last_pull_never (Fixture       *fixture,
                      gconstpointer  data)
{
  add_account (fixture, "sam");

  g_assert_cmpint (load_last_pull (fixture), ==, 0);
}

/* The last pull is the newest cursor saved by any account, in any scope. */
static void
test_last_pull_newest (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 first = add_account (fixture, "sam");
  gint64 second = add_account (fixture, "kim");
  gint64 before = g_get_real_time ();
  g_autofree char *sql = NULL;
  gint64 last_pull_us;

  save_cursor (fixture, first, "review_requested");
  last_pull_us = load_last_pull (fixture);
  g_assert_cmpint (last_pull_us, >=, before);
  g_assert_cmpint (last_pull_us, <=, g_get_real_time ());

  save_cursor (fixture, second, "review_requested");
  save_cursor (fixture, second, "assigned");
  sql = g_strdup_printf ("UPDATE sync_state SET updated_at_us = CASE "
                         "WHEN account_id = %" G_GINT64_FORMAT " THEN 5000 "
                         "WHEN scope = 'assigned' THEN 3000 ELSE 7000 END",
                         first);
  nod_test_exec (fixture->store, sql);
  g_assert_cmpint (load_last_pull (fixture), ==, 7000);
}

static NodMergeRequest *
merge_request (gint64      iid,
               const char *state)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"id\": %" G_GINT64_FORMAT ", \"iid\": %"
                                           G_GINT64_FORMAT ", \"project_id\": 3, "
                                           "\"title\": \"Fix it\", \"state\": \"%s\", "
                                           "\"author\": {\"id\": 9, \"username\": \"kim\", "
                                           "\"name\": \"Kim\"}, "
                                           "\"updated_at\": \"2024-05-01T10:00:00Z\", "
                                           "\"references\": {\"full\": \"g/p!%" G_GINT64_FORMAT
                                           "\"}}",
                                           100 + iid, iid, state, iid);
  GObject *mr;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  mr = _nod_gitlab_json_parse_merge_request (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  return NOD_MERGE_REQUEST (mr);
}

static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft)
{
  g_autoptr(NodOutboxAction) owned = draft;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_async (fixture->outbox, owned, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                            &stored, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

static char *
state_of (Fixture         *fixture,
          NodOutboxAction *action)
{
  const char *states[] = { "pending", "in_flight", "failed" };
  g_autofree char *sql = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_clear_pointer (&sql, g_free);
      sql = g_strdup_printf ("SELECT COUNT (*) FROM outbox WHERE op_id = '%s' AND state = '%s'",
                             nod_outbox_action_get_op_id (action), states[i]);
      if (nod_test_query_int (fixture->store, sql) == 1)
        return g_strdup (states[i]);
    }
  return NULL;
}

/* A merge request merged on GitLab fails the reviewer's pending actions on it, with the
 * reason, in the transaction that stores it; one being sent, and those on other merge
 * requests, stay as they are. A closed one with nothing pending is not reported. */
static void
test_closed_fails_pending (Fixture       *fixture,
                           gconstpointer  data)
{
  gint64 account_id = add_account (fixture, "sam");
  g_autoptr(NodOutboxAction) sending = NULL;
  g_autoptr(NodOutboxAction) waiting = NULL;
  g_autoptr(NodOutboxAction) elsewhere = NULL;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *state = NULL;

  sending = enqueue (fixture, nod_outbox_action_new_approve (account_id, 3, 4, NULL));
  waiting = enqueue (fixture, nod_outbox_action_new_comment (account_id, 3, 4, "Nice"));
  elsewhere = enqueue (fixture, nod_outbox_action_new_comment (account_id, 3, 5, "Hm"));

  nod_outbox_claim_next_batch_async (fixture->outbox, account_id, NOD_OUTBOX_CLAIM_APPROVALS,
                                     10, g_get_real_time (), NULL, nod_test_keep_result,
                                     &result);
  claimed = nod_outbox_claim_next_batch_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_clear_object (&result);

  g_ptr_array_add (page, merge_request (4, "merged"));
  g_ptr_array_add (page, merge_request (5, "opened"));
  g_ptr_array_add (page, merge_request (6, "closed"));
  nod_review_cache_save_merge_requests_async (fixture->cache, account_id,
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, page,
                                              NULL, nod_test_keep_result, &result);
  g_assert_true (nod_review_cache_save_merge_requests_finish (fixture->cache,
                                                              nod_test_wait_for_result (&result),
                                                              &closed, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (closed->len, ==, 1);
  g_assert_cmpint (nod_merge_request_get_iid (closed->pdata[0]), ==, 4);

  state = state_of (fixture, waiting);
  g_assert_cmpstr (state, ==, "failed");
  g_clear_pointer (&state, g_free);
  sql = g_strdup_printf ("SELECT last_error = 'The merge request was merged on GitLab' "
                         "AND finished_at_us > 0 FROM outbox WHERE op_id = '%s'",
                         nod_outbox_action_get_op_id (waiting));
  g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);

  state = state_of (fixture, sending);
  g_assert_cmpstr (state, ==, "in_flight");
  g_clear_pointer (&state, g_free);
  state = state_of (fixture, elsewhere);
  g_assert_cmpstr (state, ==, "pending");
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM merge_requests"),
                   ==, 3);
}

/* ---- the people shown ---- */

#define RESOLVED_THREAD "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2"
#define OPEN_THREAD "f6e5d4c3b2a1f6e5d4c3b2a1f6e5d4c3b2a1f6e5"

static GObject *
parse_with (GObject    *(*parse) (JsonNode *, GError **),
            const char  *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GObject *object;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  object = parse (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_nonnull (object);
  return object;
}

/* !7 by Kim (with an avatar), reviewed by Sam; a thread Sam resolved, one open. */
static void
save_people (Fixture *fixture,
             gint64   account_id)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) approvals = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) all_threads = g_ptr_array_new_with_free_func (
                                       (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page, parse_with (_nod_gitlab_json_parse_merge_request,
    "{\"id\": 107, \"iid\": 7, \"project_id\": 3, \"title\": \"Fix it\", "
    "\"state\": \"opened\", \"updated_at\": \"2024-05-01T10:00:00Z\", "
    "\"author\": {\"id\": 9, \"username\": \"kim\", \"name\": \"Kim Lee\", "
    "  \"avatar_url\": \"https://gitlab.com/uploads/-/system/user/avatar/9/a.png\"}, "
    "\"reviewers\": [{\"id\": 1, \"username\": \"sam\", \"name\": \"Sam Okafor\", "
    "  \"avatar_url\": \"https://secure.gravatar.com/avatar/1\"}, "
    "  {\"id\": 2, \"username\": \"jo\", \"avatar_url\": null}], "
    "\"references\": {\"full\": \"g/p!7\"}}"));
  nod_review_cache_save_merge_requests_async (fixture->cache, account_id,
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, page,
                                              NULL, nod_test_keep_result, &result);
  g_assert_true (nod_review_cache_save_merge_requests_finish (fixture->cache,
                                                              nod_test_wait_for_result (&result),
                                                              NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_ptr_array_add (approvals, parse_with (_nod_gitlab_json_parse_approvals,
    "{\"project_id\": 3, \"iid\": 7, \"approved_by\": [{\"user\": {\"id\": 2, "
    "  \"username\": \"jo\", \"name\": \"Jo Kowalski\"}}], "
    "\"suggested_approvers\": [{\"id\": 1, \"username\": \"sam\", "
    "  \"name\": \"Sam Okafor\"}]}"));
  g_ptr_array_add (threads, parse_with (_nod_gitlab_json_parse_discussion,
    "{\"id\": \"" RESOLVED_THREAD "\", \"notes\": [{\"id\": 1, \"body\": \"Typo\", "
    "  \"author\": {\"id\": 9, \"username\": \"kim\", \"name\": \"Kim Lee\", "
    "    \"avatar_url\": \"https://gitlab.com/k.png\"}, "
    "  \"created_at\": \"2024-05-01T09:00:00Z\", \"resolvable\": true, \"resolved\": true, "
    "  \"resolved_by\": {\"id\": 1, \"username\": \"sam\", \"name\": \"Sam Okafor\"}, "
    "  \"resolved_at\": \"2024-05-01T09:30:00Z\"}]}"));
  g_ptr_array_add (threads, parse_with (_nod_gitlab_json_parse_discussion,
    "{\"id\": \"" OPEN_THREAD "\", \"notes\": [{\"id\": 2, \"body\": \"Why?\", "
    "  \"author\": {\"id\": 1, \"username\": \"sam\", \"name\": \"Sam Okafor\"}, "
    "  \"created_at\": \"2024-05-01T09:10:00Z\", \"resolvable\": true, \"resolved\": false, "
    "  \"resolved_by\": null, \"resolved_at\": null}]}"));
  g_ptr_array_add (all_threads, g_steal_pointer (&threads));
  nod_review_cache_save_details_async (fixture->cache, account_id, approvals, all_threads, NULL,
                                       NULL, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_review_cache_save_details_finish (fixture->cache,
                                                       nod_test_wait_for_result (&result),
                                                       &error));
  g_assert_no_error (error);
}

static NodMergeRequestDetail *
load_detail (Fixture *fixture,
             gint64   account_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodMergeRequestDetail *detail;

  nod_review_cache_load_detail_async (fixture->cache, account_id, 3, 7, NULL,
                                      nod_test_keep_result, &result);
  detail = nod_review_cache_load_detail_finish (fixture->cache,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (detail);
  return detail;
}

static NodDiscussion *
thread_of (NodMergeRequestDetail *detail,
           const char            *id)
{
  for (guint i = 0; i < detail->discussions->len; i++)
    if (g_str_equal (nod_discussion_get_id (detail->discussions->pdata[i]), id))
      return detail->discussions->pdata[i];
  g_assert_not_reached ();
}

/* Reviewers, approvers and who may approve come back with their names (and avatars), as
 * authors do; a resolved thread says who resolved it. */
static void
test_people_round_trip (Fixture       *fixture,
                        gconstpointer  data)
{
  gint64 account_id = add_account (fixture, "me");
  g_autoptr(NodMergeRequestDetail) detail = NULL;
  NodDiscussion *resolved, *open;
  NodNote *note;
  NodUser *user;

  save_people (fixture, account_id);
  detail = load_detail (fixture, account_id);

  g_assert_cmpstr (detail->view->author_name, ==, "Kim Lee");
  g_assert_cmpstr (detail->view->author_avatar_url, ==,
                   "https://gitlab.com/uploads/-/system/user/avatar/9/a.png");
  g_assert_cmpuint (detail->reviewers->len, ==, 2);
  user = detail->reviewers->pdata[0];
  g_assert_cmpstr (nod_user_get_username (user), ==, "sam");
  g_assert_cmpstr (nod_user_get_display_name (user), ==, "Sam Okafor");
  g_assert_cmpstr (nod_user_get_avatar_url (user), ==, "https://secure.gravatar.com/avatar/1");
  /* GitLab gave no name: the username stands in, as for an author. */
  user = detail->reviewers->pdata[1];
  g_assert_cmpstr (nod_user_get_display_name (user), ==, "jo");
  g_assert_null (nod_user_get_avatar_url (user));
  g_assert_cmpuint (detail->approvers->len, ==, 1);
  g_assert_cmpstr (nod_user_get_display_name (detail->approvers->pdata[0]), ==, "Jo Kowalski");
  g_assert_cmpstr (nod_user_get_username (detail->approvers->pdata[0]), ==, "jo");
  g_assert_cmpuint (detail->suggested_approvers->len, ==, 1);
  g_assert_cmpstr (nod_user_get_username (detail->suggested_approvers->pdata[0]), ==, "sam");
  g_assert_cmpstr (nod_user_get_display_name (detail->suggested_approvers->pdata[0]), ==,
                   "Sam Okafor");

  resolved = thread_of (detail, RESOLVED_THREAD);
  g_assert_true (nod_discussion_get_resolved (resolved));
  g_assert_false (nod_discussion_get_resolve_pending (resolved));
  user = nod_discussion_get_resolved_by (resolved);
  g_assert_nonnull (user);
  g_assert_cmpstr (nod_user_get_username (user), ==, "sam");
  g_assert_cmpstr (nod_user_get_name (user), ==, "Sam Okafor");
  note = nod_discussion_get_notes (resolved)->pdata[0];
  g_assert_cmpint (g_date_time_to_unix (nod_note_get_resolved_at (note)), ==, 1714555800);
  g_assert_cmpstr (nod_user_get_avatar_url (nod_note_get_author (note)), ==,
                   "https://gitlab.com/k.png");

  open = thread_of (detail, OPEN_THREAD);
  g_assert_false (nod_discussion_get_resolved (open));
  g_assert_null (nod_discussion_get_resolved_by (open));
}

/* Rows an older Nod kept still read: reviewers as a plain array of usernames, who may
 * approve as names, notes with no resolver. */
static void
test_people_old_rows (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 account_id = add_account (fixture, "me");
  g_autoptr(NodMergeRequestDetail) detail = NULL;
  NodDiscussion *resolved;

  save_people (fixture, account_id);
  nod_test_exec (fixture->store, "UPDATE merge_requests SET reviewers = '[\"sam\", 5, \"jo\"]', "
                                 "suggested_approvers = '[\"Sam Okafor\"]', "
                                 "author_avatar_url = NULL");
  nod_test_exec (fixture->store, "UPDATE notes SET author_avatar_url = NULL, "
                                 "resolved_by_username = NULL, resolved_by_name = NULL, "
                                 "resolved_at = NULL");
  detail = load_detail (fixture, account_id);

  g_assert_null (detail->view->author_avatar_url);
  g_assert_cmpuint (detail->reviewers->len, ==, 2);
  g_assert_cmpstr (nod_user_get_username (detail->reviewers->pdata[0]), ==, "sam");
  g_assert_cmpstr (nod_user_get_display_name (detail->reviewers->pdata[0]), ==, "sam");
  g_assert_cmpstr (nod_user_get_display_name (detail->reviewers->pdata[1]), ==, "jo");
  g_assert_cmpuint (detail->suggested_approvers->len, ==, 1);
  g_assert_null (nod_user_get_username (detail->suggested_approvers->pdata[0]));
  g_assert_cmpstr (nod_user_get_display_name (detail->suggested_approvers->pdata[0]), ==,
                   "Sam Okafor");
  resolved = thread_of (detail, RESOLVED_THREAD);
  g_assert_true (nod_discussion_get_resolved (resolved));
  g_assert_null (nod_discussion_get_resolved_by (resolved));

  /* Not even JSON: no one, and no failure. */
  g_clear_pointer (&detail, nod_merge_request_detail_free);
  nod_test_exec (fixture->store, "UPDATE merge_requests SET reviewers = 'sam,jo'");
  detail = load_detail (fixture, account_id);
  g_assert_cmpuint (detail->reviewers->len, ==, 0);
}

/* A resolve the reviewer queued shows the open thread resolved, by them, until GitLab's
 * answer says by whom. */
static void
test_people_resolve_pending (Fixture       *fixture,
                             gconstpointer  data)
{
  gint64 account_id = add_account (fixture, "me");
  g_autoptr(NodMergeRequestDetail) detail = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  NodDiscussion *open;

  save_people (fixture, account_id);
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (account_id, 3, 7, OPEN_THREAD, TRUE));
  detail = load_detail (fixture, account_id);

  open = thread_of (detail, OPEN_THREAD);
  g_assert_true (nod_discussion_get_resolved (open));
  g_assert_true (nod_discussion_get_resolve_pending (open));
  g_assert_false (nod_discussion_get_resolve_pending (thread_of (detail, RESOLVED_THREAD)));
}

static GPtrArray *
list_stale_commits (Fixture   *fixture,
                    gint64     account_id,
                    GPtrArray *merge_requests)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *stale;

  nod_review_cache_list_stale_commits_async (fixture->cache, account_id, merge_requests, NULL,
                                             nod_test_keep_result, &result);
  stale = nod_review_cache_list_stale_commits_finish (fixture->cache,
                                                      nod_test_wait_for_result (&result),
                                                      &error);
  g_assert_no_error (error);
  return stale;
}

/* A merge request's commits are kept up to a bound with GitLab's count beside them, and
 * are stale until they are pulled at its head; a new head makes them stale again. */
static void
test_commits_bounded_and_stale (Fixture       *fixture,
                                gconstpointer  data)
{
  gint64 account_id = add_account (fixture, "sam");
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) approvals = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) threads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) commits = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) stale = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  g_autoptr(GAsyncResult) saved = NULL, detailed = NULL, loaded = NULL;
  g_autoptr(NodMergeRequestDetail) detail = NULL;
  g_autoptr(GError) error = NULL;
#define MR_JSON \
    "{\"id\": 104, \"iid\": 4, \"project_id\": 3, \"title\": \"Fix it\", " \
    "\"state\": \"opened\", \"sha\": \"%s\", " \
    "\"author\": {\"id\": 9, \"username\": \"kim\", \"name\": \"Kim\"}, " \
    "\"updated_at\": \"2024-05-01T10:00:00Z\", \"references\": {\"full\": \"g/p!4\"}}"
  g_autofree char *first_json = g_strdup_printf (MR_JSON, "aaaa1111");
  g_autofree char *pushed_json = g_strdup_printf (MR_JSON, "bbbb2222");
#undef MR_JSON

  g_ptr_array_add (page, parse_with (_nod_gitlab_json_parse_merge_request, first_json));
  nod_review_cache_save_merge_requests_async (fixture->cache, account_id,
                                              NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, page,
                                              NULL, nod_test_keep_result, &saved);
  g_assert_true (nod_review_cache_save_merge_requests_finish (fixture->cache,
                                                              nod_test_wait_for_result (&saved),
                                                              &closed, &error));
  g_assert_no_error (error);
  stale = list_stale_commits (fixture, account_id, page);
  g_assert_cmpuint (stale->len, ==, 1);
  g_clear_pointer (&stale, g_ptr_array_unref);

  /* GitLab counts 340; a server sends 300 on a page: 250 are kept. */
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\": \"c%039u\", \"title\": \"Step %u\", "
                                               "\"author_name\": \"Kim\", "
                                               "\"authored_date\": \"2024-05-01T09:00:00Z\"}",
                                               i, i);

      g_ptr_array_add (listed, parse_with (_nod_gitlab_json_parse_commit, json));
    }
  g_ptr_array_add (commits, nod_forge_page_new (listed, 1, 2, 340));
  g_ptr_array_add (approvals, parse_with (_nod_gitlab_json_parse_approvals,
                                     "{\"project_id\": 3, \"iid\": 4, \"approved_by\": []}"));
  g_ptr_array_add (threads, g_ptr_array_new ());
  nod_review_cache_save_details_async (fixture->cache, account_id, approvals, threads, NULL,
                                       commits, NULL, nod_test_keep_result, &detailed);
  g_assert_true (nod_review_cache_save_details_finish (fixture->cache,
                                                       nod_test_wait_for_result (&detailed),
                                                       &error));
  g_assert_no_error (error);

  nod_review_cache_load_detail_async (fixture->cache, account_id, 3, 4, NULL,
                                      nod_test_keep_result, &loaded);
  detail = nod_review_cache_load_detail_finish (fixture->cache, nod_test_wait_for_result (&loaded),
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (detail->commits->len, ==, NOD_COMMIT_MAX_PER_MERGE_REQUEST);
  g_assert_cmpint (detail->commits_total, ==, 340);
  g_assert_cmpstr (nod_commit_get_title (detail->commits->pdata[0]), ==, "Step 0");
  g_assert_cmpstr (nod_commit_get_short_id (detail->commits->pdata[0]), ==, "c0000000");

  stale = list_stale_commits (fixture, account_id, page);
  g_assert_cmpuint (stale->len, ==, 0);
  g_clear_pointer (&stale, g_ptr_array_unref);

  /* A push GitLab lists: stale again, what was kept still shown until the pull. */
  g_ptr_array_set_size (page, 0);
  g_ptr_array_add (page, parse_with (_nod_gitlab_json_parse_merge_request, pushed_json));
  stale = list_stale_commits (fixture, account_id, page);
  g_assert_cmpuint (stale->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/review-cache/last-pull/never", test_last_pull_never);
  ADD ("/nod/review-cache/last-pull/newest", test_last_pull_newest);
  ADD ("/nod/review-cache/closed/fails-pending", test_closed_fails_pending);
  ADD ("/nod/review-cache/people/round-trip", test_people_round_trip);
  ADD ("/nod/review-cache/people/old-rows", test_people_old_rows);
  ADD ("/nod/review-cache/people/resolve-pending", test_people_resolve_pending);
  ADD ("/nod/review-cache/commits/bounded-and-stale", test_commits_bounded_and_stale);

  return g_test_run ();
}
