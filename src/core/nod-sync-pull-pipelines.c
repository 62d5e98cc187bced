/* nod-sync-pull-pipelines.c: the head pipelines of merge requests whose cached one has not
 * ended, asked for again, several at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GitLab moves a merge request's updated_at when a pipeline ends only if something else
 * changed it, so a pull that lists what changed never sees a running pipeline pass. These
 * are asked for on their own, newest pipeline only, within the same budget as the rest of
 * the pull: each request goes only while what GitLab says is left, less what is in flight,
 * stays above the reserve.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include "nod-sync-pull-pipelines.h"

#include "nod-forge-page.h"
#include "nod-merge-request-view.h"
#include "nod-pipeline.h"
#include "nod-rate-limit.h"

struct _NodSyncPullPipelines
{
  GObject    parent_instance;

  NodForge  *forge;
  NodClock  *clock;
  GPtrArray *targets;       /* NodMergeRequestTarget, to ask about, in order */
  guint      parallel;

  GTask     *task;
  guint      next_target;
  guint      in_flight;
  gint64     paused_until;
  GError    *error;         /* the first failure: nothing more is sent */

  GPtrArray *answered;      /* the result: NodMergeRequestTarget GitLab answered about */
  GPtrArray *pipelines;     /* … and for each, its head pipeline (NodPipeline), or NULL */
};

G_DEFINE_FINAL_TYPE (NodSyncPullPipelines, nod_sync_pull_pipelines, G_TYPE_OBJECT)

/* One request in flight. */
typedef struct
{
  NodSyncPullPipelines  *owner;
  NodMergeRequestTarget *target;   /* the owner's */
} Ask;

static void pump (NodSyncPullPipelines *self);

static void
unref_if_set (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
finish (NodSyncPullPipelines *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_pipelines (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Ask *ask = user_data;
  g_autoptr(NodSyncPullPipelines) self = g_steal_pointer (&ask->owner);
  NodMergeRequestTarget *target = ask->target;
  GError *error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_pipelines_finish (self->forge, result, &error);

  g_free (ask);
  self->in_flight--;
  if (page == NULL && !nod_forge_error_is_none (error))
    {
      if (self->error == NULL)
        self->error = error;
      else
        g_error_free (error);
    }
  else
    {
      NodPipeline *head = nod_pipeline_find_head (page != NULL ? nod_forge_page_get_items (page)
                                                               : NULL,
                                                  target->sha);

      g_clear_error (&error);
      g_ptr_array_add (self->answered, target);
      g_ptr_array_add (self->pipelines, head != NULL ? g_object_ref (head) : NULL);
    }
  pump (self);
}

static gboolean
at_reserve (NodSyncPullPipelines *self)
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
pump (NodSyncPullPipelines *self)
{
  if (self->task == NULL)
    return;

  while (self->error == NULL && self->paused_until == 0 && self->in_flight < self->parallel &&
         self->next_target < self->targets->len && !at_reserve (self))
    {
      Ask *ask = g_new0 (Ask, 1);

      ask->owner = g_object_ref (self);
      ask->target = self->targets->pdata[self->next_target++];
      self->in_flight++;
      nod_forge_list_pipelines_async (self->forge, ask->target->project_id, ask->target->iid,
                                      1, g_task_get_cancellable (self->task), on_pipelines,
                                      ask);
    }

  if (self->in_flight == 0)
    finish (self);
}

/**
 * nod_sync_pull_pipelines_run_async:
 *
 * Asks for each target's newest pipeline, kept only when it ran on the target's head. It
 * stops sending at the first failure (and fails once what was in flight is back) and at
 * the budget's reserve (and succeeds with those answered by then).
 */
void
nod_sync_pull_pipelines_run_async (NodSyncPullPipelines *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_return_if_fail (NOD_IS_SYNC_PULL_PIPELINES (self));
  g_return_if_fail (self->task == NULL && self->answered == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, nod_sync_pull_pipelines_run_async);
  self->answered = g_ptr_array_new ();
  self->pipelines = g_ptr_array_new_with_free_func (unref_if_set);
  pump (self);
}

gboolean
nod_sync_pull_pipelines_run_finish (NodSyncPullPipelines  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nod_sync_pull_pipelines_get_targets:
 *
 * Returns: (transfer none) (element-type NodMergeRequestTarget): once run, the targets
 *   GitLab answered about
 */
GPtrArray *
nod_sync_pull_pipelines_get_targets (NodSyncPullPipelines *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_PIPELINES (self), NULL);
  return self->answered;
}

/**
 * nod_sync_pull_pipelines_get_pipelines:
 *
 * Returns: (transfer none) (element-type NodPipeline): once run, for each answered
 *   target, its head pipeline, or %NULL where none ran on its head
 */
GPtrArray *
nod_sync_pull_pipelines_get_pipelines (NodSyncPullPipelines *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_PIPELINES (self), NULL);
  return self->pipelines;
}

/* When it stopped at the budget's reserve, the Unix time the budget resets; else 0. */
gint64
nod_sync_pull_pipelines_get_paused_until (NodSyncPullPipelines *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_PULL_PIPELINES (self), 0);
  return self->paused_until;
}

static void
nod_sync_pull_pipelines_finalize (GObject *object)
{
  NodSyncPullPipelines *self = NOD_SYNC_PULL_PIPELINES (object);

  g_clear_pointer (&self->answered, g_ptr_array_unref);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->forge);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (nod_sync_pull_pipelines_parent_class)->finalize (object);
}

static void
nod_sync_pull_pipelines_class_init (NodSyncPullPipelinesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_sync_pull_pipelines_finalize;
}

static void
nod_sync_pull_pipelines_init (NodSyncPullPipelines *self)
{
}

/**
 * nod_sync_pull_pipelines_new:
 * @targets: (element-type NodMergeRequestTarget): the merge requests to ask about
 * @parallel: requests in flight at once
 */
NodSyncPullPipelines *
nod_sync_pull_pipelines_new (NodForge  *forge,
                             NodClock  *clock,
                             GPtrArray *targets,
                             guint      parallel)
{
  NodSyncPullPipelines *self;

  g_return_val_if_fail (NOD_IS_FORGE (forge), NULL);
  g_return_val_if_fail (NOD_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (targets != NULL, NULL);
  g_return_val_if_fail (parallel > 0, NULL);

  self = g_object_new (NOD_TYPE_SYNC_PULL_PIPELINES, NULL);
  self->forge = g_object_ref (forge);
  self->clock = g_object_ref (clock);
  self->targets = g_ptr_array_ref (targets);
  self->parallel = parallel;
  return self;
}
