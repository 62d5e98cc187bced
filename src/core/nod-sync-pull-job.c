/* nod-sync-pull-job.c: one incremental pull of an account's merge requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For each list (review requested, assigned, authored): the merge requests updated
 * since the last pull, newest change first, a page of 100 at a time, each with its
 * approvals and threads. Newest first so that a first sync of a long history shows the
 * reviewer today's work first, and later pages land below it rather than pushing it down.
 * The cursor is saved after every page, so a pull cut short resumes where it stopped and
 * never fetches a finished page again.
 *
 * GitLab has no keyset pagination for these lists, and page numbers slip: a merge request
 * updated during the pull leaves its place and the others shift, so "page 2" would skip
 * or repeat one. So a pull walks down each list: after each page the list starts again
 * at page 1 from the oldest change on it (updated_before), down to where the last walk
 * began (updated_after). Both bounds are inclusive: the merge requests sharing either
 * instant come again, and are skipped by id (the cursor remembers them) unless they
 * changed. Only when a whole page shares one instant does the walk step by page number.
 * What changes during a walk moves above where it began; when a walk took more than one
 * page, another walk from there picks it up.
 *
 * History depth: a list never pulled starts at "since" (30 days ago by default). Asked
 * later for more history than its cursor was made with, it goes back to the new since;
 * at the end of a pull, merged and closed merge requests older than since are dropped
 * from the cache, unless the reviewer still has actions on them.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include <json-glib/json-glib.h>

#include "nod-diff-fetch.h"
#include "nod-gitlab-json.h"
#include "nod-sync-pull-details.h"
#include "nod-sync-pull-pipelines.h"
#include "nod-sync-pull-job.h"

static const NodMergeRequestScope scopes[] = {
  NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
  NOD_MERGE_REQUEST_SCOPE_ASSIGNED,
  NOD_MERGE_REQUEST_SCOPE_AUTHORED,
};

static const char * const scope_keys[] = {
  "merge-requests:review-requested",
  "merge-requests:assigned",
  "merge-requests:authored",
};

struct _NodSyncPullJob
{
  GObject         parent_instance;

  NodClock       *clock;         /* the engine's: the time it reads */
  NodReviewCache *cache;
  NodDiffCache   *diff_cache;
  NodForge       *forge;
  gint64          account_id;

  GTask          *task;
  guint           scope_index;
  GDateTime      *since;           /* how far back history goes (NULL: all of it) */

  /* The walk down one list. Each id set holds the merge requests stored at that instant. */
  GDateTime      *updated_after;   /* where the last walk began (NULL: the beginning) */
  GHashTable     *boundary;
  GDateTime      *updated_before;  /* how far down this walk is (NULL: at the top) */
  GHashTable     *boundary_before;
  GDateTime      *high_water;      /* the newest change this walk has seen */
  GHashTable     *high_water_ids;
  guint           page;
  guint           next_page;
  guint           walk_pages;      /* pages this walk has fetched */
  guint           walks;           /* walks of this list in this pull */

  GPtrArray      *page_items;      /* the page as GitLab sent it */
  GPtrArray      *merge_requests;  /* those of it to store: new or changed */
  NodSyncPullDetails *details;     /* of the page being detailed */
  GHashTable     *detailed;        /* "project_id/iid" of those detailed in this pull */
  NodSyncPullPipelines *pipelines; /* unfinished pipelines asked about again */
  guint           parallel;        /* requests in flight at once */
  guint           pulled;
  guint           pulled_at_query; /* pulled when this query's page 1 came */
  guint           skipped_in_query; /* of boundary_before, sent again by this query */
  guint           total;
  gint64          paused_until;   /* stopped at the rate-limit reserve until then */
  gboolean        history_done;   /* this pull completed the account's first history */
  GPtrArray      *changes;        /* NodDiffTarget: changes, then thread texts */
  guint           change_index;
  guint           changes_in_flight;
  gboolean        changes_paused; /* stopped at the reserve, paused_until set */
  GError         *changes_error;  /* the first change that failed the pull */
  guint           texts_wanted;   /* changed files' texts to fetch, of the changes begun */
  guint           texts_fetched;
};

G_DEFINE_FINAL_TYPE (NodSyncPullJob, nod_sync_pull_job, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  SIGNAL_MERGE_REQUEST_CLOSED,
  SIGNAL_TEXTS_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_scope (NodSyncPullJob *self);
static void fetch_changes (NodSyncPullJob *self);
static void fetch_page (NodSyncPullJob *self);
static void refresh_pipelines (NodSyncPullJob *self);

static GCancellable *
cancellable_of (NodSyncPullJob *self)
{
  return g_task_get_cancellable (self->task);
}

static void
fail (NodSyncPullJob *self,
      GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_task_return_error (task, error);
}

static GDateTime *
parse_time (JsonObject *object,
            const char *member)
{
  const char *text = json_object_get_string_member_with_default (object, member, NULL);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return text != NULL ? g_date_time_new_from_iso8601 (text, utc) : NULL;
}

static GHashTable *
id_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
id_set_add (GHashTable *set,
            gint64      id)
{
  if (!g_hash_table_contains (set, &id))
    g_hash_table_add (set, g_memdup2 (&id, sizeof id));
}

/* Whether @mr was stored at @instant, by this walk or the last, and has not changed. */
static gboolean
stored_at (NodMergeRequest *mr,
           GDateTime       *instant,
           GHashTable      *ids)
{
  gint64 id = nod_merge_request_get_id (mr);

  return instant != NULL &&
         g_date_time_equal (nod_merge_request_get_updated_at (mr), instant) &&
         g_hash_table_contains (ids, &id);
}

static void
build_time (JsonBuilder *builder,
            const char  *name,
            GDateTime   *time)
{
  g_autofree char *text = NULL;

  if (time == NULL)
    return;
  text = g_date_time_format_iso8601 (time);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
build_ids (JsonBuilder *builder,
           const char  *name,
           GHashTable  *ids)
{
  GHashTableIter iter;
  gpointer key;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    json_builder_add_int_value (builder, *(gint64 *) key);
  json_builder_end_array (builder);
}

static char *
cursor_to_string (NodSyncPullJob *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  build_time (builder, "updated_after", self->updated_after);
  build_ids (builder, "boundary", self->boundary);
  if (self->updated_before != NULL)
    {
      build_time (builder, "updated_before", self->updated_before);
      build_ids (builder, "boundary_before", self->boundary_before);
      build_time (builder, "high_water", self->high_water);
      build_ids (builder, "high_water_ids", self->high_water_ids);
    }
  build_time (builder, "since", self->since);
  json_builder_set_member_name (builder, "page");
  json_builder_add_int_value (builder, self->page);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Ids from our own cursor, but the file is the user's: no more than a sane number. */
static void
read_ids (JsonObject *object,
          const char *name,
          GHashTable *ids)
{
  JsonNode *member = json_object_get_member (object, name);
  JsonArray *array = member != NULL && JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member)
                                                                      : NULL;

  for (guint i = 0; array != NULL && i < MIN (json_array_get_length (array), 1000); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        id_set_add (ids, json_node_get_int (node));
    }
}

/* The next walk starts at the top, at page 1. */
static void
reset_walk (NodSyncPullJob *self)
{
  g_clear_pointer (&self->updated_before, g_date_time_unref);
  g_hash_table_remove_all (self->boundary_before);
  g_clear_pointer (&self->high_water, g_date_time_unref);
  g_hash_table_remove_all (self->high_water_ids);
  self->page = 1;
}

/* From the history depth on, as if never pulled. */
static void
start_over (NodSyncPullJob *self)
{
  reset_walk (self);
  g_clear_pointer (&self->updated_after, g_date_time_unref);
  g_hash_table_remove_all (self->boundary);
  self->updated_after = self->since != NULL ? g_date_time_ref (self->since) : NULL;
}

/* A saved cursor is our own JSON, but the file is the user's: read it with care. */
static void
cursor_from_string (NodSyncPullJob *self,
                    const char     *text)
{
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse_text (text);
  JsonObject *object;
  g_autoptr(GDateTime) made_since = NULL;

  start_over (self);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);

  /* More history asked for than this cursor was made with: go back for it. (A cursor
   * with no since was made with all of it.) */
  made_since = parse_time (object, "since");
  if (made_since != NULL &&
      (self->since == NULL || g_date_time_compare (self->since, made_since) < 0))
    return;

  g_clear_pointer (&self->updated_after, g_date_time_unref);
  self->updated_after = parse_time (object, "updated_after");
  read_ids (object, "boundary", self->boundary);

  /* Part-way down a walk. (Without updated_before, the cursor is between walks, or was
   * saved by a Nod that walked up the list; either way, all before updated_after is
   * stored.) */
  self->updated_before = parse_time (object, "updated_before");
  if (self->updated_before != NULL)
    {
      gint64 page = json_object_get_int_member_with_default (object, "page", 1);

      read_ids (object, "boundary_before", self->boundary_before);
      self->high_water = parse_time (object, "high_water");
      read_ids (object, "high_water_ids", self->high_water_ids);
      self->page = (guint) CLAMP (page, 1, G_MAXINT);
    }
}

/* ---- the end ---- */

static void
finish (NodSyncPullJob *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_task_return_boolean (task, TRUE);
}

#define HISTORY_KEY "history"

static void
on_history_marked (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_review_cache_save_cursor_finish (self->cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  self->history_done = TRUE;
  refresh_pipelines (self);
}

static void
on_history_checked (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *mark = nod_review_cache_load_cursor_finish (self->cache, result, &error);

  if (error != NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (mark != NULL)
    {
      refresh_pipelines (self);
      return;
    }
  /* The first pull to reach the end of every list, paused and resumed or not. */
  nod_review_cache_save_cursor_async (self->cache, self->account_id, HISTORY_KEY,
                                      "{\"complete\": true}", NULL, on_history_marked,
                                      g_object_ref (self));
}

/* Done: is this the end of the account's first history? Once per account, ever. */
static void
check_history (NodSyncPullJob *self)
{
  nod_review_cache_load_cursor_async (self->cache, self->account_id, HISTORY_KEY, NULL,
                                      on_history_checked, g_object_ref (self));
}

static void
on_blobs_pruned (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_diff_cache_prune_blobs_finish (self->diff_cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  check_history (self);
}

static void
on_pruned (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_review_cache_prune_finish (self->cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  /* The pruned merge requests took their diffs with them; their texts go now. */
  nod_diff_cache_prune_blobs_async (self->diff_cache, NULL, on_blobs_pruned,
                                    g_object_ref (self));
}

/* Done: what the history depth no longer covers leaves the cache. */
static void
prune (NodSyncPullJob *self)
{
  if (self->since == NULL)
    {
      check_history (self);
      return;
    }
  nod_review_cache_prune_async (self->cache, self->account_id, self->since, NULL, on_pruned,
                                g_object_ref (self));
}

/* A pull spends the budget the reviewer's own actions need last: it stops when what is
 * left reaches the reserve, and the next request after the reset goes on from the saved
 * cursor. A step is begun only with a round of requests in flight to spare above it
 * (NOD_SYNC_BACKGROUND_RESERVE, as the policy has it): the details stop as soon as those
 * in flight would reach the reserve, and their answers, out of order, can say so a few
 * requests early; what they leave is not worth a page listed again. */
static gboolean
reserve_reached (NodSyncPullJob *self)
{
  g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);
  gint64 until = nod_rate_limit_blocked_until (limit,
                                               NOD_RATE_LIMIT_DEFAULT_RESERVE + self->parallel,
                                               nod_clock_get_now_s (self->clock));

  if (until == 0)
    return FALSE;
  self->paused_until = until;
  return TRUE;
}

/* Ends the pull, paused, when the reserve is reached. */
static gboolean
pause_at_reserve (NodSyncPullJob *self)
{
  if (!reserve_reached (self))
    return FALSE;
  finish (self);
  return TRUE;
}

/* ---- the changes of open merge requests ---- */

/* Last, so that every merge request is listed (and the history done) before any diff is
 * read; from
 * the cache, so that a change the last pull left (the reserve, a refusal) is fetched
 * though its merge request did not change since. */

/* Changes fetched at once: each fetches up to NOD_DIFF_FETCH_PARALLEL texts at a time, and
 * stops with room above the reserve for the others' requests in flight. */
#define CHANGES_PARALLEL 3

/* One change being fetched, and how far it has told the pull it got. */
typedef struct
{
  NodSyncPullJob *job;
  NodDiffFetch   *fetch;
  guint           fetched;
  guint           wanted;
} ChangeRun;

static void change_pump (NodSyncPullJob *self);

static void
change_run_count (ChangeRun *run,
                  guint      fetched,
                  guint      wanted)
{
  NodSyncPullJob *self = run->job;

  self->texts_fetched += fetched - run->fetched;
  self->texts_wanted += wanted - run->wanted;
  run->fetched = fetched;
  run->wanted = wanted;
}

static void
on_change_progress (NodDiffFetch *fetch,
                    guint         fetched,
                    guint         wanted,
                    gpointer      user_data)
{
  ChangeRun *run = user_data;
  NodSyncPullJob *self = run->job;

  change_run_count (run, fetched, wanted);
  g_signal_emit (self, signals[SIGNAL_TEXTS_PROGRESS], 0, self->texts_fetched,
                 self->texts_wanted);
}

static void
on_change_fetched (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChangeRun *run = user_data;
  g_autoptr(NodSyncPullJob) self = run->job;
  NodDiffFetch *fetch = run->fetch;
  GError *error = NULL;

  g_signal_handlers_disconnect_by_data (fetch, run);
  change_run_count (run, nod_diff_fetch_get_fetched (fetch), nod_diff_fetch_get_wanted (fetch));
  if (!nod_diff_fetch_run_finish (fetch, result, &error))
    {
      if (self->changes_error == NULL)
        self->changes_error = error;
      else
        g_error_free (error);
    }
  g_object_unref (fetch);
  g_free (run);

  self->changes_in_flight--;
  change_pump (self);
}

static void fetch_thread_texts (NodSyncPullJob *self);

/* Starts what may start now; once nothing is in flight, goes on, or stops. */
static void
change_pump (NodSyncPullJob *self)
{
  while (self->changes_error == NULL && !self->changes_paused &&
         self->changes_in_flight < CHANGES_PARALLEL &&
         self->change_index < self->changes->len)
    {
      NodDiffTarget *target;
      ChangeRun *run;

      if (reserve_reached (self))
        {
          self->changes_paused = TRUE;
          break;
        }

      target = self->changes->pdata[self->change_index++];
      run = g_new0 (ChangeRun, 1);
      run->job = g_object_ref (self);
      run->fetch = nod_diff_fetch_new (self->forge, self->diff_cache, self->clock,
                                       self->account_id, target->project_id, target->iid,
                                       target->sha);
      nod_diff_fetch_set_reserve (run->fetch,
                                  NOD_RATE_LIMIT_DEFAULT_RESERVE +
                                  (CHANGES_PARALLEL - 1) * NOD_DIFF_FETCH_PARALLEL);
      g_signal_connect (run->fetch, "progress", G_CALLBACK (on_change_progress), run);
      self->changes_in_flight++;
      nod_diff_fetch_run_async (run->fetch, cancellable_of (self), on_change_fetched, run);
    }

  if (self->changes_in_flight > 0)
    return;

  g_clear_pointer (&self->changes, g_ptr_array_unref);
  if (self->changes_error != NULL)
    fail (self, g_steal_pointer (&self->changes_error));
  else if (self->changes_paused)
    finish (self);
  else
    fetch_thread_texts (self);
}

/* ---- the code outdated threads were written on ---- */

static void thread_text_next (NodSyncPullJob *self);

static void
on_thread_text_saved (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_diff_cache_save_thread_text_finish (self->diff_cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  self->change_index++;
  thread_text_next (self);
}

static void
on_thread_text (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  NodThreadText *text = self->changes->pdata[self->change_index];
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = nod_forge_get_raw_file_finish (self->forge, result, &error);

  if (bytes == NULL && nod_diff_fetch_fails_the_pull (error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  /* A 5xx, an answer Nod could not read: asked again by the next pull. */
  if (bytes == NULL && !nod_forge_error_is_none (error) &&
      !g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID))
    {
      self->change_index++;
      thread_text_next (self);
      return;
    }
  /* Missing, refused, binary or too large: kept as none, so it is not asked for again. */
  if (bytes != NULL && !nod_diff_fetch_is_showable_text (bytes))
    g_clear_pointer (&bytes, g_bytes_unref);
  nod_diff_cache_save_thread_text_async (self->diff_cache, self->account_id, text->project_id,
                                         text->iid, text->sha, text->path, bytes, NULL,
                                         on_thread_text_saved, g_object_ref (self));
}

static void
thread_text_next (NodSyncPullJob *self)
{
  NodThreadText *text;

  if (self->change_index >= self->changes->len)
    {
      g_clear_pointer (&self->changes, g_ptr_array_unref);
      finish (self);
      return;
    }
  if (pause_at_reserve (self))
    return;

  text = self->changes->pdata[self->change_index];
  nod_forge_get_raw_file_async (self->forge, text->project_id, text->path, text->sha,
                                cancellable_of (self), on_thread_text, g_object_ref (self));
}

static void
on_thread_texts_listed (GObject      *source_object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  self->changes = nod_diff_cache_list_thread_texts_finish (self->diff_cache, result, &error);
  if (self->changes == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  self->change_index = 0;
  thread_text_next (self);
}

/* After the changes: the text each outdated thread was written on, for "the code as it
 * was" (the cache keeps only the newest head and the approved one). */
static void
fetch_thread_texts (NodSyncPullJob *self)
{
  nod_diff_cache_list_thread_texts_async (self->diff_cache, self->account_id, NULL,
                                          on_thread_texts_listed, g_object_ref (self));
}

static void
on_missing_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  self->changes = nod_diff_cache_list_missing_finish (self->diff_cache, result, &error);
  if (self->changes == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  self->change_index = 0;
  self->changes_paused = FALSE;
  change_pump (self);
}

static void
fetch_changes (NodSyncPullJob *self)
{
  nod_diff_cache_list_missing_async (self->diff_cache, self->account_id, NULL,
                                     on_missing_listed, g_object_ref (self));
}

/* ---- pipelines that had not ended ---- */

/* How self->detailed names a merge request. */
static char *
detailed_key (gint64 project_id,
              gint64 iid)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, project_id, iid);
}

static void
on_pipelines_saved (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  self->paused_until = nod_sync_pull_pipelines_get_paused_until (self->pipelines);
  g_clear_object (&self->pipelines);
  if (!nod_review_cache_save_pipelines_finish (self->cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->paused_until != 0)
    {
      finish (self);
      return;
    }
  fetch_changes (self);
}

static void
on_pipelines_asked (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_sync_pull_pipelines_run_finish (self->pipelines, result, &error))
    {
      g_clear_object (&self->pipelines);
      fail (self, g_steal_pointer (&error));
      return;
    }
  nod_review_cache_save_pipelines_async (self->cache, self->account_id,
                                         nod_sync_pull_pipelines_get_targets (self->pipelines),
                                         nod_sync_pull_pipelines_get_pipelines (self->pipelines),
                                         NULL, on_pipelines_saved, g_object_ref (self));
}

static void
on_unfinished_listed (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) unfinished = nod_review_cache_list_unfinished_pipelines_finish (
                                      self->cache, result, &error);
  g_autoptr(GPtrArray) to_ask = NULL;

  if (unfinished == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  /* Those detailed in this pull came with their pipeline already. */
  to_ask = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_merge_request_target_free);
  while (unfinished->len > 0)
    {
      NodMergeRequestTarget *target = g_ptr_array_steal_index (unfinished, 0);
      g_autofree char *key = detailed_key (target->project_id, target->iid);

      if (g_hash_table_contains (self->detailed, key))
        nod_merge_request_target_free (target);
      else
        g_ptr_array_add (to_ask, target);
    }
  if (to_ask->len == 0)
    {
      fetch_changes (self);
      return;
    }
  if (pause_at_reserve (self))
    return;

  self->pipelines = nod_sync_pull_pipelines_new (self->forge, self->clock, to_ask,
                                                 self->parallel);
  nod_sync_pull_pipelines_run_async (self->pipelines, cancellable_of (self), on_pipelines_asked,
                                     g_object_ref (self));
}

/* After the lists: GitLab does not move a merge request's updated_at when its pipeline
 * ends, so those whose cached pipeline had not are asked about again (a bounded number,
 * within the budget). */
static void
refresh_pipelines (NodSyncPullJob *self)
{
  nod_review_cache_list_unfinished_pipelines_async (self->cache, self->account_id,
                                                    NOD_SYNC_PULL_PIPELINES_MAX, NULL,
                                                    on_unfinished_listed, g_object_ref (self));
}

/* ---- cursors ---- */

/* At most this many walks of one list in one pull; a list that changes faster than it can
 * be walked is picked up again by the next pull. */
#define MAX_WALKS 4

static void
on_cursor_saved (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_review_cache_save_cursor_finish (self->cache, result, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  g_clear_pointer (&self->page_items, g_ptr_array_unref);
  if (self->next_page != 0)
    {
      fetch_page (self);
      return;
    }

  /* A walk of one page saw the list at one moment. A longer one took time, and what
   * changed meanwhile went above where it began: walk again, from there. */
  if (self->walk_pages > 1 && ++self->walks < MAX_WALKS)
    {
      self->walk_pages = 0;
      fetch_page (self);
      return;
    }

  self->scope_index++;
  start_scope (self);
}

/* Moves updated_before down to the oldest change on the page just stored, and remembers
 * which of its merge requests share that instant. FALSE if it did not move: the whole
 * page shares the instant it was already at. */
static gboolean
move_down (NodSyncPullJob *self)
{
  GDateTime *oldest = NULL;
  gboolean moved;

  for (guint i = 0; i < self->page_items->len; i++)
    {
      GDateTime *updated = nod_merge_request_get_updated_at (self->page_items->pdata[i]);

      if (oldest == NULL || g_date_time_compare (updated, oldest) < 0)
        oldest = updated;
    }
  if (oldest == NULL)
    return FALSE;

  moved = self->updated_before == NULL || g_date_time_compare (oldest, self->updated_before) < 0;
  if (moved)
    {
      g_clear_pointer (&self->updated_before, g_date_time_unref);
      self->updated_before = g_date_time_ref (oldest);
      g_hash_table_remove_all (self->boundary_before);
    }
  for (guint i = 0; i < self->page_items->len; i++)
    {
      NodMergeRequest *mr = self->page_items->pdata[i];

      if (g_date_time_equal (nod_merge_request_get_updated_at (mr), self->updated_before))
        id_set_add (self->boundary_before, nod_merge_request_get_id (mr));
    }
  return moved;
}

/* The walk reached where the last one began: the next starts at the top and goes down to
 * the newest change this one saw. */
static void
end_walk (NodSyncPullJob *self)
{
  if (self->high_water != NULL &&
      (self->updated_after == NULL ||
       g_date_time_compare (self->high_water, self->updated_after) > 0))
    {
      g_clear_pointer (&self->updated_after, g_date_time_unref);
      self->updated_after = g_date_time_ref (self->high_water);
      g_hash_table_remove_all (self->boundary);
    }

  /* New merge requests at the very instant the last walk began join those it stored. */
  if (self->high_water != NULL && g_date_time_equal (self->high_water, self->updated_after))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->high_water_ids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        id_set_add (self->boundary, *(gint64 *) key);
    }

  reset_walk (self);
}

/* The page is stored: move the cursor past it. */
static void
advance_cursor (NodSyncPullJob *self)
{
  g_autofree char *cursor = NULL;

  self->walk_pages++;
  if (self->next_page == 0)
    end_walk (self);
  else if (move_down (self))
    self->page = 1;
  else
    self->page = self->next_page;

  cursor = cursor_to_string (self);
  nod_review_cache_save_cursor_async (self->cache, self->account_id,
                                      scope_keys[self->scope_index], cursor, NULL,
                                      on_cursor_saved, g_object_ref (self));
}

/* ---- details of the page's merge requests ---- */

static void
on_details_saved (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  NodSyncPullDetails *details = self->details;

  if (!nod_review_cache_save_details_finish (self->cache, result, &error))
    {
      g_clear_object (&self->details);
      fail (self, g_steal_pointer (&error));
      return;
    }

  /* Their pipelines came with them: not asked about again at the end of this pull. */
  for (guint i = 0; i < nod_sync_pull_details_get_approvals (details)->len; i++)
    {
      NodApprovals *approvals = nod_sync_pull_details_get_approvals (details)->pdata[i];

      g_hash_table_add (self->detailed, detailed_key (nod_approvals_get_project_id (approvals),
                                                      nod_approvals_get_iid (approvals)));
    }

  /* Progress went up as each one's details came in. */
  self->pulled += nod_sync_pull_details_get_approvals (details)->len;
  self->total = MAX (self->total, self->pulled);

  /* Stopped at the reserve part-way: the page is fetched again after the reset. */
  self->paused_until = nod_sync_pull_details_get_paused_until (details);
  g_clear_object (&self->details);
  g_clear_pointer (&self->merge_requests, g_ptr_array_unref);
  if (self->paused_until != 0)
    {
      finish (self);
      return;
    }
  advance_cursor (self);
}

static void
on_details_progress (NodSyncPullDetails *details,
                     guint               detailed,
                     gpointer            user_data)
{
  NodSyncPullJob *self = user_data;

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, self->pulled + detailed, self->total);
}

static void
on_detailed (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  NodSyncPullDetails *details = self->details;
  g_autoptr(GError) error = NULL;

  g_signal_handlers_disconnect_by_data (details, self);
  if (!nod_sync_pull_details_run_finish (details, result, &error))
    {
      g_clear_object (&self->details);
      fail (self, g_steal_pointer (&error));
      return;
    }

  /* The page's details in one transaction, not one per merge request. */
  nod_review_cache_save_details_async (self->cache, self->account_id,
                                       nod_sync_pull_details_get_approvals (details),
                                       nod_sync_pull_details_get_discussions (details),
                                       nod_sync_pull_details_get_pipelines (details),
                                       nod_sync_pull_details_get_commits (details), NULL,
                                       on_details_saved, g_object_ref (self));
}

static void
on_stale_commits (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stale = nod_review_cache_list_stale_commits_finish (self->cache, result,
                                                                           &error);

  if (stale == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  g_assert (self->details == NULL);
  self->details = nod_sync_pull_details_new (self->forge, self->clock, self->merge_requests);
  nod_sync_pull_details_set_parallel (self->details, self->parallel);
  /* A merge request's commits change only with its head: asked for again only then. */
  nod_sync_pull_details_want_commits (self->details, stale);
  g_signal_connect (self->details, "progress", G_CALLBACK (on_details_progress), self);
  nod_sync_pull_details_run_async (self->details, cancellable_of (self), on_detailed,
                                   g_object_ref (self));
}

static void
detail_page (NodSyncPullJob *self)
{
  g_assert (self->details == NULL);

  nod_review_cache_list_stale_commits_async (self->cache, self->account_id,
                                             self->merge_requests, NULL, on_stale_commits,
                                             g_object_ref (self));
}

/* ---- pages of merge requests ---- */

static void
on_page_saved (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closed = NULL;

  if (!nod_review_cache_save_merge_requests_finish (self->cache, result, &closed, &error))
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < closed->len; i++)
    g_signal_emit (self, signals[SIGNAL_MERGE_REQUEST_CLOSED], 0, closed->pdata[i]);

  detail_page (self);
}

static void
on_page (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_merge_requests_finish (self->forge, result,
                                                                       &error);
  GPtrArray *items;

  if (page == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  items = nod_forge_page_get_items (page);
  self->next_page = nod_forge_page_get_next_page (page);
  self->page_items = g_ptr_array_ref (items);
  self->merge_requests = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->page == 1)
    {
      self->pulled_at_query = self->pulled;
      self->skipped_in_query = 0;
    }

  for (guint i = 0; i < items->len; i++)
    {
      NodMergeRequest *mr = items->pdata[i];
      GDateTime *updated = nod_merge_request_get_updated_at (mr);
      int newer;

      /* Stored with its details by the page before, or the walk before, and unchanged. */
      if (stored_at (mr, self->updated_before, self->boundary_before))
        {
          self->skipped_in_query++;
          continue;
        }
      if (stored_at (mr, self->updated_after, self->boundary))
        continue;

      g_ptr_array_add (self->merge_requests, g_object_ref (mr));
      newer = self->high_water == NULL ? 1 : g_date_time_compare (updated, self->high_water);
      if (newer > 0)
        {
          g_clear_pointer (&self->high_water, g_date_time_unref);
          self->high_water = g_date_time_ref (updated);
          g_hash_table_remove_all (self->high_water_ids);
        }
      if (newer >= 0)
        id_set_add (self->high_water_ids, nod_merge_request_get_id (mr));
    }

  /* What the query counts, less what it sends again: those at updated_before come first,
   * those the last walk left at updated_after come last. GitLab stops counting past
   * 10,000: then the total grows as pages arrive. */
  if (nod_forge_page_get_total (page) >= 0)
    {
      gint64 left = nod_forge_page_get_total (page) - self->skipped_in_query -
                    g_hash_table_size (self->boundary);

      self->total = MAX (self->total, self->pulled_at_query + (guint) MAX (left, 0));
    }
  self->total = MAX (self->total, self->pulled + self->merge_requests->len);

  nod_review_cache_save_merge_requests_async (self->cache, self->account_id,
                                              scopes[self->scope_index], self->merge_requests,
                                              NULL, on_page_saved, g_object_ref (self));
}

static void
fetch_page (NodSyncPullJob *self)
{
  /* Every page moves the walk down, but a hostile server can make up older merge requests
   * without end: the forge bounds a list's page numbers, this bounds the walk. */
  if (self->walk_pages >= NOD_FORGE_MAX_PAGES)
    {
      GError *error = NULL;

      nod_forge_set_error_too_many_pages (&error);
      fail (self, error);
      return;
    }
  if (pause_at_reserve (self))
    return;

  nod_forge_list_merge_requests_async (self->forge, scopes[self->scope_index],
                                       self->updated_after, self->updated_before, self->page,
                                       cancellable_of (self), on_page, g_object_ref (self));
}

static void
on_cursor_loaded (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NodSyncPullJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = nod_review_cache_load_cursor_finish (self->cache, result, &error);

  if (error != NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  cursor_from_string (self, cursor);
  /* A walk cut short, by a quit or the rate-limit reserve, took time: walk again after. */
  self->walk_pages = self->updated_before != NULL ? 1 : 0;
  self->walks = 0;
  self->pulled_at_query = self->pulled;
  self->skipped_in_query = 0;
  fetch_page (self);
}

static void
start_scope (NodSyncPullJob *self)
{
  if (self->scope_index >= G_N_ELEMENTS (scopes))
    {
      prune (self);
      return;
    }

  nod_review_cache_load_cursor_async (self->cache, self->account_id,
                                      scope_keys[self->scope_index], NULL, on_cursor_loaded,
                                      g_object_ref (self));
}

void
nod_sync_pull_job_run_async (NodSyncPullJob      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_JOB (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, nod_sync_pull_job_run_async);
  /* Each run reports on itself alone. */
  self->scope_index = 0;
  self->pulled = 0;
  self->total = 0;
  self->paused_until = 0;
  g_hash_table_remove_all (self->detailed);
  self->history_done = FALSE;
  start_scope (self);
}

/**
 * nod_sync_pull_job_run_finish:
 * @out_pulled: (out) (optional): how many merge requests were stored
 * @out_paused_until: (out) (optional): when it stopped at the rate-limit reserve, the
 *   Unix time the budget resets; else 0
 */
gboolean
nod_sync_pull_job_run_finish (NodSyncPullJob  *self,
                              GAsyncResult    *result,
                              guint           *out_pulled,
                              gint64          *out_paused_until,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_pulled != NULL)
    *out_pulled = self->pulled;
  if (out_paused_until != NULL)
    *out_paused_until = self->paused_until;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
nod_sync_pull_job_dispose (GObject *object)
{
  NodSyncPullJob *self = NOD_SYNC_PULL_JOB (object);

  g_clear_object (&self->cache);
  g_clear_object (&self->diff_cache);
  g_clear_object (&self->forge);
  g_clear_object (&self->clock);
  g_clear_object (&self->details);
  g_clear_object (&self->pipelines);
  g_clear_pointer (&self->page_items, g_ptr_array_unref);
  g_clear_pointer (&self->merge_requests, g_ptr_array_unref);
  g_clear_pointer (&self->changes, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_sync_pull_job_parent_class)->dispose (object);
}

static void
nod_sync_pull_job_finalize (GObject *object)
{
  NodSyncPullJob *self = NOD_SYNC_PULL_JOB (object);

  g_clear_pointer (&self->since, g_date_time_unref);
  g_clear_pointer (&self->updated_after, g_date_time_unref);
  g_clear_pointer (&self->updated_before, g_date_time_unref);
  g_clear_pointer (&self->high_water, g_date_time_unref);
  g_clear_pointer (&self->boundary, g_hash_table_unref);
  g_clear_pointer (&self->boundary_before, g_hash_table_unref);
  g_clear_pointer (&self->high_water_ids, g_hash_table_unref);
  g_clear_pointer (&self->detailed, g_hash_table_unref);
  g_clear_error (&self->changes_error);

  G_OBJECT_CLASS (nod_sync_pull_job_parent_class)->finalize (object);
}

static void
nod_sync_pull_job_class_init (NodSyncPullJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_sync_pull_job_dispose;
  object_class->finalize = nod_sync_pull_job_finalize;

  /**
   * NodSyncPullJob::progress:
   * @current: merge requests stored so far
   * @total: how many there are, as far as known
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * NodSyncPullJob::merge-request-closed:
   * @merge_request: merged or closed on GitLab; the reviewer's pending actions on it
   *   have failed with that reason
   */
  signals[SIGNAL_MERGE_REQUEST_CLOSED] =
    g_signal_new ("merge-request-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NOD_TYPE_MERGE_REQUEST);

  /**
   * NodSyncPullJob::texts-progress:
   * @fetched: texts of changed files fetched so far
   * @wanted: how many this pull has wanted so far (it learns more as it goes)
   */
  signals[SIGNAL_TEXTS_PROGRESS] =
    g_signal_new ("texts-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
nod_sync_pull_job_init (NodSyncPullJob *self)
{
  self->boundary = id_set_new ();
  self->detailed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->boundary_before = id_set_new ();
  self->high_water_ids = id_set_new ();
  self->clock = g_object_ref (nod_clock_get_system ());
  self->parallel = NOD_SYNC_PULL_PARALLEL;
}

/* Where the job reads the time (the system's clock unless set); set it before it runs. */
void
nod_sync_pull_job_set_clock (NodSyncPullJob *self,
                             NodClock       *clock)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_JOB (self));
  g_return_if_fail (NOD_IS_CLOCK (clock));
  g_return_if_fail (self->task == NULL);

  g_set_object (&self->clock, clock);
}

/* How many requests the pull keeps in flight at once (NOD_SYNC_PULL_PARALLEL unless set). */
void
nod_sync_pull_job_set_parallel (NodSyncPullJob *self,
                                guint           parallel)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_JOB (self));
  g_return_if_fail (parallel > 0);
  g_return_if_fail (self->task == NULL);

  self->parallel = parallel;
}

/* Whether this pull was the one that completed the account's first history. */
gboolean
nod_sync_pull_job_get_history_done (NodSyncPullJob *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_JOB (self), FALSE);
  return self->history_done;
}

/**
 * nod_sync_pull_job_set_since:
 * @since: (nullable): how far back history goes, or %NULL for all of it
 */
void
nod_sync_pull_job_set_since (NodSyncPullJob *self,
                             GDateTime      *since)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_JOB (self));
  g_return_if_fail (self->task == NULL);

  g_clear_pointer (&self->since, g_date_time_unref);
  self->since = since != NULL ? g_date_time_ref (since) : NULL;
}

NodSyncPullJob *
nod_sync_pull_job_new (NodReviewCache *cache,
                       NodDiffCache   *diff_cache,
                       NodForge       *forge,
                       gint64          account_id)
{
  NodSyncPullJob *self;

  g_return_val_if_fail (NOD_IS_REVIEW_CACHE (cache), NULL);
  g_return_val_if_fail (NOD_IS_DIFF_CACHE (diff_cache), NULL);
  g_return_val_if_fail (NOD_IS_FORGE (forge), NULL);

  self = g_object_new (NOD_TYPE_SYNC_PULL_JOB, NULL);
  self->cache = g_object_ref (cache);
  self->diff_cache = g_object_ref (diff_cache);
  self->forge = g_object_ref (forge);
  self->account_id = account_id;
  return self;
}
