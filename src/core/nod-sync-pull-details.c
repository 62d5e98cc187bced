/* nod-sync-pull-details.c: the approvals, pipeline, commits and threads of a page of merge
 * requests, several requests at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Over a real network most of a pull is waiting for answers, so the approvals, the head
 * pipeline, the commits (of those pushed to since) and the threads of different merge
 * requests are asked for at once, up to a bound, in the page's order. Budget first: each
 * request goes only while the requests GitLab says are left stay above the reserve kept
 * for the reviewer's own actions, counting those still in flight.
 * What it gives back is the merge requests whose details are whole; the pull stores them
 * in one transaction.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include "nod-sync-pull-details.h"

#include "nod-approvals.h"
#include "nod-forge-page.h"
#include "nod-merge-request.h"
#include "nod-pipeline.h"
#include "nod-rate-limit.h"

/* One merge request's details, as they come in. */
typedef struct
{
  NodMergeRequest *merge_request;
  NodApprovals    *approvals;
  NodPipeline     *pipeline;   /* the newest pipeline, if it ran on the head; else NULL */
  gboolean         pipeline_done;
  GPtrArray       *discussions;
  gboolean         discussions_done;
  gboolean         commits_wanted;   /* its head changed since its commits were pulled */
  NodForgePage    *commits;          /* the first page of them, once in */
} Detail;

/* One request to make: the approvals, the newest pipeline, the commits, or a page of the
 * threads. */
typedef enum
{
  ASK_APPROVALS,
  ASK_PIPELINE,
  ASK_COMMITS,
  ASK_DISCUSSIONS,
} AskKind;

typedef struct
{
  NodSyncPullDetails *owner;   /* while it is in flight */
  Detail             *detail;
  AskKind             kind;
  guint               discussion_page;
} Ask;

struct _NodSyncPullDetails
{
  GObject    parent_instance;

  NodForge  *forge;
  NodClock  *clock;
  GPtrArray *details;       /* Detail, in the page's order */
  guint      parallel;

  GTask     *task;
  GQueue     asks;          /* Ask, not sent yet: the next pages of a thread list first */
  guint      next_detail;   /* the first whose requests are not queued yet */
  guint      in_flight;
  guint      detailed;
  gint64     paused_until;
  GError    *error;         /* the first failure: nothing more is sent */

  GPtrArray *approvals;     /* the result: NodApprovals of the whole ones */
  GPtrArray *discussions;   /* … and for each, its GPtrArray of NodDiscussion */
  GPtrArray *pipelines;     /* … and its head pipeline (NodPipeline), or NULL */
  GPtrArray *commits;       /* … and its commits (NodForgePage), or NULL: not asked for */
};

G_DEFINE_FINAL_TYPE (NodSyncPullDetails, nod_sync_pull_details, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump (NodSyncPullDetails *self);

static void
detail_free (Detail *detail)
{
  g_object_unref (detail->merge_request);
  g_clear_object (&detail->approvals);
  g_clear_object (&detail->pipeline);
  g_clear_pointer (&detail->discussions, g_ptr_array_unref);
  g_clear_object (&detail->commits);
  g_free (detail);
}

static gboolean
detail_is_whole (Detail *detail)
{
  return detail->approvals != NULL && detail->pipeline_done && detail->discussions_done &&
         (!detail->commits_wanted || detail->commits != NULL);
}

static void
ask_free (Ask *ask)
{
  g_clear_object (&ask->owner);
  g_free (ask);
}

static Ask *
ask_new (Detail  *detail,
         AskKind  kind,
         guint    discussion_page)
{
  Ask *ask = g_new0 (Ask, 1);

  ask->detail = detail;
  ask->kind = kind;
  ask->discussion_page = discussion_page;
  return ask;
}

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
note_error (NodSyncPullDetails *self,
            GError             *error)
{
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
}

static void
finish (NodSyncPullDetails *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_queue_clear_full (&self->asks, (GDestroyNotify) ask_free);
  if (self->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&self->error));
      return;
    }

  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *detail = self->details->pdata[i];

      if (!detail_is_whole (detail))
        continue;
      g_ptr_array_add (self->approvals, g_object_ref (detail->approvals));
      g_ptr_array_add (self->discussions, g_ptr_array_ref (detail->discussions));
      g_ptr_array_add (self->pipelines,
                       detail->pipeline != NULL ? g_object_ref (detail->pipeline) : NULL);
      g_ptr_array_add (self->commits,
                       detail->commits != NULL ? g_object_ref (detail->commits) : NULL);
    }
  g_task_return_boolean (task, TRUE);
}

static void
count_if_whole (NodSyncPullDetails *self,
                Detail             *detail)
{
  if (!detail_is_whole (detail))
    return;
  self->detailed++;
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, self->detailed);
}

static void
on_approvals (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr(NodSyncPullDetails) self = g_steal_pointer (&ask->owner);
  Detail *detail = ask->detail;
  GError *error = NULL;

  self->in_flight--;
  detail->approvals = nod_forge_get_approvals_finish (self->forge, result, &error);
  if (detail->approvals == NULL)
    note_error (self, error);
  else
    count_if_whole (self, detail);

  ask_free (ask);
  pump (self);
}

static void
on_pipelines (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr(NodSyncPullDetails) self = g_steal_pointer (&ask->owner);
  Detail *detail = ask->detail;
  GError *error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_pipelines_finish (self->forge, result, &error);

  self->in_flight--;
  if (page == NULL && !nod_forge_error_is_none (error))
    note_error (self, error);
  else
    {
      /* A project without CI, or whose pipelines the reviewer may not see, has none. */
      const char *head_sha = nod_merge_request_get_sha (detail->merge_request);
      NodPipeline *head = nod_pipeline_find_head (page != NULL ? nod_forge_page_get_items (page)
                                                               : NULL,
                                                  head_sha);

      g_clear_error (&error);
      if (head != NULL)
        detail->pipeline = g_object_ref (head);
      detail->pipeline_done = TRUE;
      count_if_whole (self, detail);
    }

  ask_free (ask);
  pump (self);
}

static void
on_commits (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr(NodSyncPullDetails) self = g_steal_pointer (&ask->owner);
  Detail *detail = ask->detail;
  GError *error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_commits_finish (self->forge, result, &error);

  self->in_flight--;
  if (page == NULL && !nod_forge_error_is_none (error))
    note_error (self, error);
  else
    {
      /* A repository the reviewer may not read has no commits to show. */
      if (page == NULL)
        {
          g_autoptr(GPtrArray) none = g_ptr_array_new ();

          g_clear_error (&error);
          page = nod_forge_page_new (none, 1, 0, 0);
        }
      detail->commits = g_steal_pointer (&page);
      count_if_whole (self, detail);
    }

  ask_free (ask);
  pump (self);
}

static void
on_discussions (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr(NodSyncPullDetails) self = g_steal_pointer (&ask->owner);
  Detail *detail = ask->detail;
  GError *error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_discussions_finish (self->forge, result, &error);

  self->in_flight--;
  if (page == NULL)
    note_error (self, error);
  else
    {
      GPtrArray *items = nod_forge_page_get_items (page);
      guint next_page = nod_forge_page_get_next_page (page);

      for (guint i = 0; i < items->len; i++)
        g_ptr_array_add (detail->discussions, g_object_ref (items->pdata[i]));

      /* A merge request begun is finished before another is begun. */
      if (next_page != 0)
        g_queue_push_head (&self->asks, ask_new (detail, ASK_DISCUSSIONS, next_page));
      else
        {
          detail->discussions_done = TRUE;
          count_if_whole (self, detail);
        }
    }

  ask_free (ask);
  pump (self);
}

/* Whether GitLab's budget, less what is in flight, is down to the reserve: then what is
 * left waits for the next pull, after the reset. */
static gboolean
at_reserve (NodSyncPullDetails *self)
{
  g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);
  gint64 until = nod_rate_limit_blocked_until (limit,
                                               NOD_RATE_LIMIT_DEFAULT_RESERVE + self->in_flight,
                                               nod_clock_get_now_s (self->clock));

  if (until == 0)
    return FALSE;
  self->paused_until = until;
  return TRUE;
}

static void
send_ask (NodSyncPullDetails *self,
          Ask                *ask)
{
  NodMergeRequest *mr = ask->detail->merge_request;
  gint64 project_id = nod_merge_request_get_project_id (mr);
  gint64 iid = nod_merge_request_get_iid (mr);
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  self->in_flight++;
  ask->owner = g_object_ref (self);
  switch (ask->kind)
    {
    case ASK_APPROVALS:
      nod_forge_get_approvals_async (self->forge, project_id, iid, cancellable, on_approvals,
                                     ask);
      break;
    case ASK_PIPELINE:
      nod_forge_list_pipelines_async (self->forge, project_id, iid, 1, cancellable,
                                      on_pipelines, ask);
      break;
    case ASK_COMMITS:
      nod_forge_list_commits_async (self->forge, project_id, iid, NOD_SYNC_PULL_COMMITS_PAGE,
                                    cancellable, on_commits, ask);
      break;
    case ASK_DISCUSSIONS:
      nod_forge_list_discussions_async (self->forge, project_id, iid, ask->discussion_page,
                                        cancellable, on_discussions, ask);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Sends what may go now; ends the run once nothing is in flight and nothing may go. */
static void
pump (NodSyncPullDetails *self)
{
  if (self->task == NULL)
    return;

  while (self->error == NULL && self->paused_until == 0 && self->in_flight < self->parallel)
    {
      if (g_queue_is_empty (&self->asks))
        {
          Detail *detail;

          if (self->next_detail >= self->details->len)
            break;
          detail = self->details->pdata[self->next_detail++];
          g_queue_push_tail (&self->asks, ask_new (detail, ASK_APPROVALS, 0));
          g_queue_push_tail (&self->asks, ask_new (detail, ASK_PIPELINE, 0));
          if (detail->commits_wanted)
            g_queue_push_tail (&self->asks, ask_new (detail, ASK_COMMITS, 0));
          g_queue_push_tail (&self->asks, ask_new (detail, ASK_DISCUSSIONS, 1));
        }
      if (at_reserve (self))
        break;
      send_ask (self, g_queue_pop_head (&self->asks));
    }

  if (self->in_flight == 0)
    finish (self);
}

/**
 * nod_sync_pull_details_run_async:
 *
 * Fetches the approvals, the newest pipeline (kept only when it ran on the merge
 * request's head), the first page of the commits of those that want them, and every page
 * of the threads of each merge request, in order,
 * up to the parallel bound at once. It stops sending at the first failure (and fails once
 * what was in flight is back) and at the budget's reserve (and succeeds with the merge
 * requests finished by then; nod_sync_pull_details_get_paused_until says until when).
 */
void
nod_sync_pull_details_run_async (NodSyncPullDetails  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_DETAILS (self));
  g_return_if_fail (self->task == NULL && self->approvals == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, nod_sync_pull_details_run_async);
  self->approvals = g_ptr_array_new_with_free_func (g_object_unref);
  self->discussions = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->pipelines = g_ptr_array_new_with_free_func (unref_if_set);
  self->commits = g_ptr_array_new_with_free_func (unref_if_set);
  pump (self);
}

gboolean
nod_sync_pull_details_run_finish (NodSyncPullDetails  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nod_sync_pull_details_get_approvals:
 *
 * Returns: (transfer none) (element-type NodApprovals): once run, those of the merge
 *   requests whose details are whole, in the page's order
 */
GPtrArray *
nod_sync_pull_details_get_approvals (NodSyncPullDetails *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_DETAILS (self), NULL);
  return self->approvals;
}

/**
 * nod_sync_pull_details_get_discussions:
 *
 * Returns: (transfer none) (element-type GPtrArray): once run, for each of the approvals,
 *   every thread of its merge request (a GPtrArray of NodDiscussion)
 */
GPtrArray *
nod_sync_pull_details_get_discussions (NodSyncPullDetails *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_DETAILS (self), NULL);
  return self->discussions;
}

/**
 * nod_sync_pull_details_get_pipelines:
 *
 * Returns: (transfer none) (element-type NodPipeline): once run, for each of the
 *   approvals, its merge request's head pipeline, or %NULL where there is none
 */
GPtrArray *
nod_sync_pull_details_get_pipelines (NodSyncPullDetails *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_DETAILS (self), NULL);
  return self->pipelines;
}

/**
 * nod_sync_pull_details_get_commits:
 *
 * Returns: (transfer none) (element-type NodForgePage): once run, for each of the
 *   approvals, the first page of its merge request's commits, or %NULL where they were
 *   not wanted
 */
GPtrArray *
nod_sync_pull_details_get_commits (NodSyncPullDetails *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_DETAILS (self), NULL);
  return self->commits;
}

/**
 * nod_sync_pull_details_want_commits:
 * @merge_requests: (element-type NodMergeRequest): those of the page whose commits to ask
 *   for (their head changed since their commits were pulled)
 */
void
nod_sync_pull_details_want_commits (NodSyncPullDetails *self,
                                    GPtrArray          *merge_requests)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_DETAILS (self));
  g_return_if_fail (self->task == NULL);

  for (guint i = 0; i < self->details->len; i++)
    {
      Detail *detail = self->details->pdata[i];

      for (guint j = 0; j < merge_requests->len && !detail->commits_wanted; j++)
        detail->commits_wanted =
          nod_merge_request_get_id (merge_requests->pdata[j]) ==
          nod_merge_request_get_id (detail->merge_request);
    }
}

/* When it stopped at the budget's reserve, the Unix time the budget resets; else 0. */
gint64
nod_sync_pull_details_get_paused_until (NodSyncPullDetails *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_DETAILS (self), 0);
  return self->paused_until;
}

/* How many requests may be in flight at once (NOD_SYNC_PULL_PARALLEL unless set). */
void
nod_sync_pull_details_set_parallel (NodSyncPullDetails *self,
                                    guint               parallel)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_DETAILS (self));
  g_return_if_fail (parallel > 0);
  g_return_if_fail (self->task == NULL);

  self->parallel = parallel;
}

static void
nod_sync_pull_details_finalize (GObject *object)
{
  NodSyncPullDetails *self = NOD_SYNC_PULL_DETAILS (object);

  g_queue_clear_full (&self->asks, (GDestroyNotify) ask_free);
  g_clear_pointer (&self->details, g_ptr_array_unref);
  g_clear_pointer (&self->approvals, g_ptr_array_unref);
  g_clear_pointer (&self->discussions, g_ptr_array_unref);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_pointer (&self->commits, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->forge);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (nod_sync_pull_details_parent_class)->finalize (object);
}

static void
nod_sync_pull_details_class_init (NodSyncPullDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_sync_pull_details_finalize;

  /**
   * NodSyncPullDetails::progress:
   * @detailed: merge requests whose details are whole so far
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
nod_sync_pull_details_init (NodSyncPullDetails *self)
{
  g_queue_init (&self->asks);
  self->parallel = NOD_SYNC_PULL_PARALLEL;
}

/**
 * nod_sync_pull_details_new:
 * @merge_requests: (element-type NodMergeRequest): the merge requests to detail
 */
NodSyncPullDetails *
nod_sync_pull_details_new (NodForge  *forge,
                           NodClock  *clock,
                           GPtrArray *merge_requests)
{
  NodSyncPullDetails *self;

  g_return_val_if_fail (NOD_IS_FORGE (forge), NULL);
  g_return_val_if_fail (NOD_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (merge_requests != NULL, NULL);

  self = g_object_new (NOD_TYPE_SYNC_PULL_DETAILS, NULL);
  self->forge = g_object_ref (forge);
  self->clock = g_object_ref (clock);
  self->details = g_ptr_array_new_full (merge_requests->len, (GDestroyNotify) detail_free);
  for (guint i = 0; i < merge_requests->len; i++)
    {
      Detail *detail = g_new0 (Detail, 1);

      detail->merge_request = g_object_ref (merge_requests->pdata[i]);
      detail->discussions = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->details, detail);
    }
  return self;
}
