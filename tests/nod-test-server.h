/* nod-test-server.h: the fake GitLab a test runs against, and the server as a test's own
 * client sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-fake-gitlab.h"
#include "nod-forge.h"
#include "nod-store.h"

G_BEGIN_DECLS

NodFakeGitlab *nod_test_fake_start               (const char           *token,
                                                  char                **out_base_url);
void           nod_test_fake_add_fault           (const char           *base_url,
                                                  const char           *json);
NodStore      *nod_test_open_store_with_account  (const char           *path,
                                                  gint64                account_id);

NodApprovals  *nod_test_server_approvals         (NodForge             *observer,
                                                  gint64                project_id,
                                                  gint64                iid);
gboolean       nod_test_server_has_approved      (NodForge             *observer,
                                                  NodMergeRequest      *mr);
NodForgePage  *nod_test_server_merge_requests    (NodForge             *observer,
                                                  NodMergeRequestScope  scope,
                                                  GDateTime            *updated_after,
                                                  guint                 page);
GPtrArray     *nod_test_server_approvable        (NodForge             *observer,
                                                  guint                 at_least);
NodForgePage  *nod_test_server_discussions       (NodForge             *observer,
                                                  NodMergeRequest      *mr);

G_END_DECLS
