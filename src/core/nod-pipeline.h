/* nod-pipeline.h: a merge request's CI pipeline, as GitLab lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_PIPELINE (nod_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (NodPipeline, nod_pipeline, NOD, PIPELINE, GObject)

NodPipeline *nod_pipeline_new              (gint64       id,
                                            const char  *sha,
                                            const char  *status,
                                            const char  *web_url);
gint64       nod_pipeline_get_id           (NodPipeline *self);
const char  *nod_pipeline_get_sha          (NodPipeline *self);
const char  *nod_pipeline_get_status       (NodPipeline *self);
const char  *nod_pipeline_get_web_url      (NodPipeline *self);

/* Of @pipelines (newest first, as GitLab lists them), the head's: the newest, if it ran on
 * @head_sha (one on an older push says nothing of what the reviewer sees now). */
NodPipeline *nod_pipeline_find_head        (GPtrArray   *pipelines,
                                            const char  *head_sha);

const char  *nod_pipeline_status_normalize (const char  *status);
gboolean     nod_pipeline_status_has_ended (const char  *status);

G_END_DECLS
