/* nod-pipeline.c: a merge request's CI pipeline, as GitLab lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-pipeline.h"

struct _NodPipeline
{
  GObject parent_instance;

  gint64      id;
  char       *sha;
  const char *status;   /* one of known_statuses */
  char       *web_url;
};

G_DEFINE_FINAL_TYPE (NodPipeline, nod_pipeline, G_TYPE_OBJECT)

/* The statuses GitLab's Ci::Pipeline has; anything else a server says is "unknown". */
static const char * const known_statuses[] = {
  "created", "waiting_for_resource", "preparing", "waiting_for_callback", "pending",
  "running", "success", "failed", "canceling", "canceled", "skipped", "manual", "scheduled",
};

/* Those of a pipeline that has not ended yet: it moves on without its merge request. */
static const char * const unfinished_statuses[] = {
  "created", "waiting_for_resource", "preparing", "waiting_for_callback", "pending",
  "running", "canceling", "scheduled",
};

/**
 * nod_pipeline_status_has_ended:
 * @status: one of GitLab's statuses, or "unknown"
 *
 * Returns: whether a pipeline with @status is done moving: passed, failed, canceled,
 *   skipped, waiting for a person (manual), or in a state Nod does not know
 */
gboolean
nod_pipeline_status_has_ended (const char *status)
{
  g_return_val_if_fail (status != NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (unfinished_statuses); i++)
    if (g_str_equal (status, unfinished_statuses[i]))
      return FALSE;
  return TRUE;
}

/**
 * nod_pipeline_status_normalize:
 * @status: (nullable): a status as a server sent it
 *
 * Returns: (transfer none): @status as one of the statuses GitLab gives (a static
 *   string), "unknown" for anything else, %NULL for %NULL
 */
const char *
nod_pipeline_status_normalize (const char *status)
{
  if (status == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (known_statuses); i++)
    if (g_str_equal (status, known_statuses[i]))
      return known_statuses[i];
  return "unknown";
}

static void
nod_pipeline_finalize (GObject *object)
{
  NodPipeline *self = NOD_PIPELINE (object);

  g_clear_pointer (&self->sha, g_free);
  g_clear_pointer (&self->web_url, g_free);

  G_OBJECT_CLASS (nod_pipeline_parent_class)->finalize (object);
}

static void
nod_pipeline_class_init (NodPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_pipeline_finalize;
}

static void
nod_pipeline_init (NodPipeline *self)
{
}

/**
 * nod_pipeline_new:
 * @status: as GitLab sent it: kept as nod_pipeline_status_normalize() reads it
 */
NodPipeline *
nod_pipeline_new (gint64      id,
                  const char *sha,
                  const char *status,
                  const char *web_url)
{
  NodPipeline *self = g_object_new (NOD_TYPE_PIPELINE, NULL);

  self->id = id;
  self->sha = g_strdup (sha);
  self->status = status != NULL ? nod_pipeline_status_normalize (status) : "unknown";
  self->web_url = g_strdup (web_url);
  return self;
}

gint64
nod_pipeline_get_id (NodPipeline *self)
{
  g_return_val_if_fail (NOD_IS_PIPELINE (self), 0);
  return self->id;
}

const char *
nod_pipeline_get_sha (NodPipeline *self)
{
  g_return_val_if_fail (NOD_IS_PIPELINE (self), NULL);
  return self->sha;
}

/* Never %NULL: one of GitLab's statuses, or "unknown". */
const char *
nod_pipeline_get_status (NodPipeline *self)
{
  g_return_val_if_fail (NOD_IS_PIPELINE (self), NULL);
  return self->status;
}

const char *
nod_pipeline_get_web_url (NodPipeline *self)
{
  g_return_val_if_fail (NOD_IS_PIPELINE (self), NULL);
  return self->web_url;
}

/**
 * nod_pipeline_find_head:
 * @pipelines: (nullable) (element-type NodPipeline): a merge request's, newest first
 * @head_sha: (nullable): its head
 *
 * Returns: (transfer none) (nullable): the head's pipeline, or %NULL for none known
 */
NodPipeline *
nod_pipeline_find_head (GPtrArray  *pipelines,
                        const char *head_sha)
{
  if (pipelines == NULL || pipelines->len == 0 || head_sha == NULL ||
      g_strcmp0 (nod_pipeline_get_sha (pipelines->pdata[0]), head_sha) != 0)
    return NULL;
  return pipelines->pdata[0];
}
