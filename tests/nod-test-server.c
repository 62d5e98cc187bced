/* nod-test-server.c: the fake GitLab a test runs against, and the server as a test's own
 * client sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A test looks at the server through a forge of its own (the "observer"), never through
 * the one the code under test uses, so what it reads is what GitLab holds.
 */

#include "config.h"

#include "nod-test-server.h"
#include "nod-test-utils.h"

/**
 * nod_test_fake_start:
 * @out_base_url: (out): where it listens
 *
 * Returns: (transfer full): the fake with its sample data, on a loopback port of the
 *   kernel's choosing, taking @token as the sample's reviewer
 */
NodFakeGitlab *
nod_test_fake_start (const char  *token,
                     char       **out_base_url)
{
  g_autoptr(GError) error = NULL;
  NodFakeGitlab *fake = nod_fake_gitlab_new (token);

  g_assert_true (nod_fake_gitlab_load_fixture (fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fake, 0, &error));
  g_assert_no_error (error);
  *out_base_url = nod_fake_gitlab_dup_base_url (fake);
  return fake;
}

void
nod_test_fake_add_fault (const char *base_url,
                         const char *json)
{
  g_autoptr(JsonNode) answer = nod_test_fake_control (base_url, "POST", "/__fake/faults", json);
}

/* A store with one account, the sample's reviewer, as @account_id. */
NodStore *
nod_test_open_store_with_account (const char *path,
                                  gint64      account_id)
{
  NodStore *store = nod_test_open_store (path);
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (id, base_url, username, "
                                          "created_at_us) VALUES (%" G_GINT64_FORMAT ", "
                                          "'http://127.0.0.1', 'sam', 0)", account_id);

  nod_test_exec (store, sql);
  return store;
}

NodApprovals *
nod_test_server_approvals (NodForge *observer,
                           gint64    project_id,
                           gint64    iid)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodApprovals *approvals;

  nod_forge_get_approvals_async (observer, project_id, iid, NULL, nod_test_keep_result,
                                 &result);
  approvals = nod_forge_get_approvals_finish (observer, nod_test_wait_for_result (&result),
                                              &error);
  g_assert_no_error (error);
  return approvals;
}

gboolean
nod_test_server_has_approved (NodForge        *observer,
                              NodMergeRequest *mr)
{
  g_autoptr(NodApprovals) approvals =
    nod_test_server_approvals (observer, nod_merge_request_get_project_id (mr),
                               nod_merge_request_get_iid (mr));

  return nod_approvals_get_user_has_approved (approvals);
}

/* A page of a list, newest change first. */
NodForgePage *
nod_test_server_merge_requests (NodForge             *observer,
                                NodMergeRequestScope  scope,
                                GDateTime            *updated_after,
                                guint                 page)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodForgePage *listed;

  nod_forge_list_merge_requests_async (observer, scope, updated_after, NULL, page, NULL,
                                       nod_test_keep_result, &result);
  listed = nod_forge_list_merge_requests_finish (observer, nod_test_wait_for_result (&result),
                                                 &error);
  g_assert_no_error (error);
  return listed;
}

/**
 * nod_test_server_approvable:
 * @at_least: how many the test needs; fewer fails it
 *
 * Returns: (transfer full) (element-type NodMergeRequest): the open merge requests on
 *   the first page of the reviewer's list that the reviewer may approve and has not
 */
GPtrArray *
nod_test_server_approvable (NodForge *observer,
                            guint     at_least)
{
  g_autoptr(NodForgePage) page =
    nod_test_server_merge_requests (observer, NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED, NULL, 1);
  GPtrArray *items = nod_forge_page_get_items (page);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < items->len; i++)
    {
      NodMergeRequest *mr = items->pdata[i];
      g_autoptr(NodApprovals) approvals = NULL;

      if (nod_merge_request_get_state (mr) != NOD_MERGE_REQUEST_OPENED)
        continue;
      approvals = nod_test_server_approvals (observer, nod_merge_request_get_project_id (mr),
                                             nod_merge_request_get_iid (mr));
      if (!nod_approvals_get_user_has_approved (approvals) &&
          nod_approvals_get_user_can_approve (approvals))
        g_ptr_array_add (found, g_object_ref (mr));
    }

  g_assert_cmpuint (found->len, >=, at_least);
  return found;
}

/* The first page of @mr's threads. */
NodForgePage *
nod_test_server_discussions (NodForge        *observer,
                             NodMergeRequest *mr)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodForgePage *page;

  nod_forge_list_discussions_async (observer, nod_merge_request_get_project_id (mr),
                                    nod_merge_request_get_iid (mr), 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (observer, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_no_error (error);
  return page;
}
