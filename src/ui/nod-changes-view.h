/* nod-changes-view.h: a merge request's changes — its files, one file's diff, and the
 * threads at their lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-diff-cache.h"
#include "nod-diff-view.h"

G_BEGIN_DECLS

#define NOD_TYPE_CHANGES_VIEW (nod_changes_view_get_type ())

G_DECLARE_FINAL_TYPE (NodChangesView, nod_changes_view, NOD, CHANGES_VIEW, GtkWidget)

NodChangesView *nod_changes_view_new                 (void);

/* What to show: the merge request whose diff @cache keeps, as the page knows it (@head_sha
 * its head, NULL: not known; @web_url its page on GitLab). Nothing is read until the view
 * is mapped; another merge request, or a new head, reads it again. */
void            nod_changes_view_set_merge_request   (NodChangesView *self,
                                                      NodDiffCache   *cache,
                                                      gint64          account_id,
                                                      gint64          project_id,
                                                      gint64          iid,
                                                      const char     *head_sha,
                                                      const char     *web_url);
/* The merge request's discussions (NodDiscussion) and open actions (NodOutboxAction): those
 * on the file shown go to their lines. */
void            nod_changes_view_set_own_username    (NodChangesView *self,
                                                      const char     *username);
void            nod_changes_view_set_discussions     (NodChangesView *self,
                                                      GPtrArray      *discussions,
                                                      GPtrArray      *actions,
                                                      GDateTime      *now);

/* Reading the cache (the diff, the marks, a file's texts) or filling the diff view is
 * under way. */
gboolean        nod_changes_view_is_loading          (NodChangesView *self);
/* "loading", "empty" (not downloaded yet) or "changes". */
const char     *nod_changes_view_get_state           (NodChangesView *self);

/* The files listed (NodDiffFile), filtered by the search. */
GListModel     *nod_changes_view_get_files           (NodChangesView *self);
NodMergeRequestDiff *nod_changes_view_get_diff       (NodChangesView *self);
void            nod_changes_view_set_search          (NodChangesView *self,
                                                      const char     *search);
gboolean        nod_changes_view_select_file         (NodChangesView *self,
                                                      const char     *path);
NodDiffFile    *nod_changes_view_get_selected_file   (NodChangesView *self);
NodDiffView    *nod_changes_view_get_diff_view       (NodChangesView *self);
void            nod_changes_view_focus_files         (NodChangesView *self);

gboolean        nod_changes_view_get_file_viewed     (NodChangesView *self,
                                                      const char     *path);
void            nod_changes_view_set_file_viewed     (NodChangesView *self,
                                                      const char     *path,
                                                      gboolean        viewed);
gboolean        nod_changes_view_get_file_changed    (NodChangesView *self,
                                                      const char     *path);
/* "3 of 12 files viewed"; "4 files changed since you approved", or NULL when none did or
 * the reviewer has not approved at an earlier head. */
const char     *nod_changes_view_get_viewed_text     (NodChangesView *self);
const char     *nod_changes_view_get_changed_text    (NodChangesView *self);

/* Opens the composer of a new thread at a line of the selected file, as "comment-requested"
 * of the diff view does; the composer's text view, or NULL when none is open. */
void            nod_changes_view_request_comment     (NodChangesView *self,
                                                      gboolean        old_side,
                                                      guint           line_number);
GtkTextView    *nod_changes_view_get_composer        (NodChangesView *self);

/* Where the thread @discussion_id of the selected file is shown: FALSE when it is not, or
 * is in the "Outdated" list (@outdated TRUE). */
gboolean        nod_changes_view_get_thread_line     (NodChangesView *self,
                                                      const char     *discussion_id,
                                                      gboolean       *old_side,
                                                      guint          *line_number,
                                                      gboolean       *outdated);

/* Signals:
 * "inline-comment" (const char *body, gpointer position): a new thread at a line;
 *   position is a const NodDiffPosition *, valid during the emission;
 * "reply" (const char *discussion_id, const char *body);
 * "resolve" (const char *discussion_id, gboolean resolved). */

void            nod_changes_view_set_review_started (NodChangesView *self,
                                                     gboolean        started);

G_END_DECLS
