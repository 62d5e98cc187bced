/* nod-diff-fetch.h: one merge request's change fetched into the diff cache — its newest
 * diff and the old and new texts of the files it changes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-clock.h"
#include "nod-diff-cache.h"
#include "nod-forge.h"

G_BEGIN_DECLS

/* Texts fetched at once, at most (GitLab serves each raw file as its own request). */
#define NOD_DIFF_FETCH_PARALLEL 4

#define NOD_TYPE_DIFF_FETCH (nod_diff_fetch_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffFetch, nod_diff_fetch, NOD, DIFF_FETCH, GObject)

/* The change of merge request @iid of @project_id whose head GitLab showed as @head_sha. */
NodDiffFetch *nod_diff_fetch_new            (NodForge      *forge,
                                             NodDiffCache  *diff_cache,
                                             NodClock      *clock,
                                             gint64         account_id,
                                             gint64         project_id,
                                             gint64         iid,
                                             const char    *head_sha);

/* The requests left that it stops at (NOD_RATE_LIMIT_DEFAULT_RESERVE unless set): a pull
 * fetching several changes at once leaves room for the others' requests in flight. */
void          nod_diff_fetch_set_reserve    (NodDiffFetch  *self,
                                             guint          reserve);

/* Fetches what the cache does not keep yet, and keeps it. Nothing to fetch when the cache
 * keeps the diff at that head whole. What GitLab refuses about the change itself (a 404,
 * a 5xx, an answer Nod cannot read) leaves it not kept, for the next pull: only a failure
 * of the connection, the token or the rate limit, or cancelling, fails the fetch. It stops
 * early (the rest for the next pull) when the rate limit's reserve is reached. */
void          nod_diff_fetch_run_async      (NodDiffFetch        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      nod_diff_fetch_run_finish     (NodDiffFetch        *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Texts this fetch wanted from GitLab (not kept already), and those it has fetched so far;
 * "progress" (guint fetched, guint wanted) is emitted as they change. */
guint         nod_diff_fetch_get_wanted     (NodDiffFetch        *self);
guint         nod_diff_fetch_get_fetched    (NodDiffFetch        *self);

/* Whether Nod keeps and shows @bytes as text: no NUL, within NOD_DIFF_FILE_MAX_BYTES and
 * NOD_DIFF_FILE_MAX_LINES. */
gboolean      nod_diff_fetch_is_showable_text (GBytes             *bytes);
/* Whether @error, met fetching a change, ends the pull: the connection, the token, the
 * rate limit, or cancelling. */
gboolean      nod_diff_fetch_fails_the_pull   (const GError       *error);

G_END_DECLS
