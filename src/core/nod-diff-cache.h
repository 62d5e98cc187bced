/* nod-diff-cache.h: the changes Nod keeps of merge requests — their diffs at the heads a
 * reviewer needs, the old and new texts of changed files by content sha, and which files
 * the reviewer marked viewed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-merge-request-diff.h"
#include "nod-store.h"

G_BEGIN_DECLS

#define NOD_TYPE_DIFF_CACHE (nod_diff_cache_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffCache, nod_diff_cache, NOD, DIFF_CACHE, GObject)

NodDiffCache        *nod_diff_cache_new                (NodStore             *store);

/* The diff kept for the merge request at @head_sha (NULL: the newest kept), with each file's
 * blob shas; NULL without an error when none is kept (not pulled yet). */
void                 nod_diff_cache_load_diff_async    (NodDiffCache         *self,
                                                        gint64                account_id,
                                                        gint64                project_id,
                                                        gint64                iid,
                                                        const char           *head_sha,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
NodMergeRequestDiff *nod_diff_cache_load_diff_finish   (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* A text kept by its content sha (SHA-256 hex); NULL without an error when not kept. */
void                 nod_diff_cache_load_blob_async    (NodDiffCache         *self,
                                                        const char           *sha,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GBytes              *nod_diff_cache_load_blob_finish   (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* The files of the merge request the reviewer marked viewed: path -> the digest of the
 * file's diff when it was marked (a file is viewed while its diff's digest is that one;
 * a new head that changes it un-views it with no write). */
void                 nod_diff_cache_load_viewed_async  (NodDiffCache         *self,
                                                        gint64                account_id,
                                                        gint64                project_id,
                                                        gint64                iid,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GHashTable          *nod_diff_cache_load_viewed_finish (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Marks @path viewed at @digest, or not viewed when @digest is NULL. */
void                 nod_diff_cache_set_viewed_async   (NodDiffCache         *self,
                                                        gint64                account_id,
                                                        gint64                project_id,
                                                        gint64                iid,
                                                        const char           *path,
                                                        const char           *digest,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             nod_diff_cache_set_viewed_finish  (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* The head the reviewer last approved at (their own approval, seen sent or pulled), or
 * NULL: what "changed since you approved" compares the newest diff with. */
void                 nod_diff_cache_load_approved_head_async  (NodDiffCache  *self,
                                                               gint64         account_id,
                                                               gint64         project_id,
                                                               gint64         iid,
                                                               GCancellable  *cancellable,
                                                               GAsyncReadyCallback callback,
                                                               gpointer       user_data);
char                *nod_diff_cache_load_approved_head_finish (NodDiffCache  *self,
                                                               GAsyncResult  *result,
                                                               GError       **error);

/* ---- for the pull and the push (the engine's jobs) ---- */

/* What a pull knows before it fetches a merge request's change: whether the diff at
 * @head_sha is kept whole already, and the blobs it keeps by "SHA:PATH" (the text at that
 * commit), so a text seen before is not fetched again. */
typedef struct
{
  gboolean    complete;
  GHashTable *known_blobs;  /* "sha:path" and nod_diff_fetch_plan_diff_key () -> blob sha */
  char       *approved_head;  /* the head the reviewer approved at, or NULL */
  gboolean    approved_kept;  /* and its diff is kept */
} NodDiffFetchPlan;

void                 nod_diff_fetch_plan_free          (NodDiffFetchPlan     *plan);
/* The key of a file's new text by what makes it: the same diff of the same old text (at
 * @base_sha) gives the same new text, whatever head it is at. NULL for an empty diff,
 * which tells nothing. */
char                *nod_diff_fetch_plan_diff_key      (const char           *base_sha,
                                                        const char           *old_path,
                                                        const char           *new_path,
                                                        const char           *diff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodDiffFetchPlan, nod_diff_fetch_plan_free)

void                 nod_diff_cache_load_fetch_plan_async  (NodDiffCache         *self,
                                                            gint64                account_id,
                                                            gint64                project_id,
                                                            gint64                iid,
                                                            const char           *head_sha,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
NodDiffFetchPlan    *nod_diff_cache_load_fetch_plan_finish (NodDiffCache         *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* What a pull fetches for an open merge request: its change at the commit @sha (its
 * head, @path NULL), or the text of @path at @sha (see NodThreadText). */
typedef struct
{
  gint64  project_id;
  gint64  iid;
  char   *sha;
  char   *path;
} NodDiffTarget;

void                 nod_diff_target_free              (NodDiffTarget        *target);

/* The account's open merge requests whose change at their head is not kept whole
 * (NodDiffTarget items), the most recently updated first. */
void                 nod_diff_cache_list_missing_async  (NodDiffCache        *self,
                                                         gint64               account_id,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
GPtrArray           *nod_diff_cache_list_missing_finish (NodDiffCache        *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* Keeps @diff (with its files' blob shas) as the merge request's newest, and @blobs
 * (blob sha -> GBytes) it fetched; drops the other heads kept, but the approved one.
 * @complete: every text it should have is kept (else the next pull tries again). */
void                 nod_diff_cache_save_diff_async    (NodDiffCache         *self,
                                                        gint64                account_id,
                                                        gint64                project_id,
                                                        gint64                iid,
                                                        NodMergeRequestDiff  *diff,
                                                        GHashTable           *blobs,
                                                        gboolean              complete,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             nod_diff_cache_save_diff_finish   (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* The reviewer's approval as GitLab showed it: approved at @head_sha (kept unless one is
 * already, or @replace: Nod's own approval, sent at the head it pinned), or not approved
 * (forgotten). */
void                 nod_diff_cache_note_approval_async  (NodDiffCache       *self,
                                                          gint64              account_id,
                                                          gint64              project_id,
                                                          gint64              iid,
                                                          gboolean            approved,
                                                          const char         *head_sha,
                                                          gboolean            replace,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean             nod_diff_cache_note_approval_finish (NodDiffCache       *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);

/* ---- the code an outdated thread was written on ---- */

/* At most this many texts of outdated threads are listed for one pull. */
#define NOD_DIFF_CACHE_THREAD_TEXTS_MAX 200

/* A thread text is the NodDiffTarget of @path at commit @sha, where a thread of an open
 * merge request was written and which its head no longer has (the new side at the
 * thread's head, the old side at its base). */
typedef NodDiffTarget NodThreadText;

/* NodThreadText items not kept yet, the most recently updated merge requests first. */
void                 nod_diff_cache_list_thread_texts_async  (NodDiffCache        *self,
                                                              gint64               account_id,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
GPtrArray           *nod_diff_cache_list_thread_texts_finish (NodDiffCache        *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
/* Keeps @text (NULL: GitLab has none to show; not asked for again). */
void                 nod_diff_cache_save_thread_text_async   (NodDiffCache        *self,
                                                              gint64               account_id,
                                                              gint64               project_id,
                                                              gint64               iid,
                                                              const char          *sha,
                                                              const char          *path,
                                                              GBytes              *text,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean             nod_diff_cache_save_thread_text_finish  (NodDiffCache        *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
/* The text kept, or NULL without an error. */
void                 nod_diff_cache_load_thread_text_async   (NodDiffCache        *self,
                                                              gint64               account_id,
                                                              gint64               project_id,
                                                              gint64               iid,
                                                              const char          *sha,
                                                              const char          *path,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
GBytes              *nod_diff_cache_load_thread_text_finish  (NodDiffCache        *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);

/* Drops the texts no kept diff names any more (their merge requests were pruned). */
void                 nod_diff_cache_prune_blobs_async  (NodDiffCache         *self,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean             nod_diff_cache_prune_blobs_finish (NodDiffCache         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
