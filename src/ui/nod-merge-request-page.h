/* nod-merge-request-page.h: one merge request, and what the reviewer does on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-changes-view.h"
#include "nod-merge-request-view.h"
#include "nod-outbox-action.h"

G_BEGIN_DECLS

#define NOD_TYPE_MERGE_REQUEST_PAGE (nod_merge_request_page_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequestPage, nod_merge_request_page, NOD, MERGE_REQUEST_PAGE,
                      GtkWidget)

void        nod_merge_request_page_show          (NodMergeRequestPage   *self,
                                                  NodMergeRequestDetail *detail,
                                                  GPtrArray             *actions,
                                                  GDateTime             *now);
gint64      nod_merge_request_page_get_project_id (NodMergeRequestPage  *self);
gint64      nod_merge_request_page_get_iid       (NodMergeRequestPage   *self);
const char *nod_merge_request_page_get_head_sha  (NodMergeRequestPage   *self);
gboolean    nod_merge_request_page_get_approved  (NodMergeRequestPage   *self);
const char *nod_merge_request_page_get_approvals_text (NodMergeRequestPage *self);
const char *nod_merge_request_page_get_threads_text (NodMergeRequestPage *self);
GtkWidget  *nod_merge_request_page_get_approve_button (NodMergeRequestPage *self);
void        nod_merge_request_page_focus_comment (NodMergeRequestPage   *self);
gboolean    nod_merge_request_page_move_thread   (NodMergeRequestPage   *self,
                                                  int                    step);
gboolean    nod_merge_request_page_focus_reply   (NodMergeRequestPage   *self);
gboolean    nod_merge_request_page_toggle_resolved (NodMergeRequestPage *self);
const char *nod_merge_request_page_get_current_thread (NodMergeRequestPage *self);
void        nod_merge_request_page_focus_view    (NodMergeRequestPage   *self);
void        nod_merge_request_page_set_review_started (NodMergeRequestPage *self,
                                                       gboolean             started);
gboolean    nod_merge_request_page_get_review_started (NodMergeRequestPage *self);
guint       nod_merge_request_page_get_draft_count (NodMergeRequestPage *self);
NodOutboxAction *nod_merge_request_page_find_own_note (NodMergeRequestPage *self);
NodNote         *nod_merge_request_page_find_note (NodMergeRequestPage *self,
                                                   const char          *discussion_id,
                                                   gint64               note_id);
NodNote         *nod_merge_request_page_find_own_posted_note (NodMergeRequestPage *self);
NodOutboxAction *nod_merge_request_page_find_draft (NodMergeRequestPage *self,
                                                    const char          *op_id);

void        nod_merge_request_page_set_diff_source (NodMergeRequestPage *self,
                                                    NodDiffCache        *cache,
                                                    gint64               account_id);
/* Property "view": "overview" or "changes". */
const char *nod_merge_request_page_get_view      (NodMergeRequestPage   *self);
void        nod_merge_request_page_set_view      (NodMergeRequestPage   *self,
                                                  const char            *view);
NodChangesView *nod_merge_request_page_get_changes_view (NodMergeRequestPage *self);

/* Signals: "comment" (body), "reply" (discussion id, body), "resolving-reply" (discussion
 * id, body: a reply that resolves the thread too), "resolve" (discussion id, resolved),
 * "inline-comment" (body, const NodDiffPosition *position). */

const char *nod_merge_request_page_get_pipeline_text     (NodMergeRequestPage *self);
GPtrArray  *nod_merge_request_page_get_commit_rows       (NodMergeRequestPage *self);
GtkWidget  *nod_merge_request_page_get_commits_section   (NodMergeRequestPage *self);
const char *nod_merge_request_page_get_merge_status_text (NodMergeRequestPage *self);

G_END_DECLS
