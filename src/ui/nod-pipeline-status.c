/* nod-pipeline-status.c: how a merge request's head pipeline is shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The status is one of GitLab's words or "unknown" (nod_pipeline_status_normalize in the
 * core): never a server's own text, so it needs no escaping, and a word Nod does not know
 * is shown as "unknown".
 */

#include "config.h"

#include <glib/gi18n.h>

#include "nod-pipeline-status.h"

typedef struct
{
  const char *status;
  const char *icon_name;
  const char *css_class;   /* NULL: the text's own colour */
  const char *description;
} StatusLook;

static const StatusLook looks[] = {
  { "success", "emblem-ok-symbolic", "success", N_("Pipeline passed") },
  { "failed", "dialog-error-symbolic", "error", N_("Pipeline failed") },
  { "running", "emblem-synchronizing-symbolic", "accent", N_("Pipeline running") },
  { "pending", "content-loading-symbolic", NULL, N_("Pipeline pending") },
  { "created", "content-loading-symbolic", NULL, N_("Pipeline created") },
  { "preparing", "content-loading-symbolic", NULL, N_("Pipeline preparing") },
  { "waiting_for_resource", "content-loading-symbolic", NULL,
    N_("Pipeline waiting for a resource") },
  { "waiting_for_callback", "content-loading-symbolic", NULL,
    N_("Pipeline waiting for a callback") },
  { "canceling", "process-stop-symbolic", NULL, N_("Pipeline canceling") },
  { "scheduled", "alarm-symbolic", NULL, N_("Pipeline scheduled") },
  { "manual", "media-playback-pause-symbolic", "warning",
    N_("Pipeline waiting for a manual action") },
  { "canceled", "process-stop-symbolic", NULL, N_("Pipeline canceled") },
  { "skipped", "media-skip-forward-symbolic", NULL, N_("Pipeline skipped") },
};

static const StatusLook unknown = {
  "unknown", "dialog-question-symbolic", NULL, N_("Pipeline status unknown")
};

static const StatusLook *
look_of (const char *status)
{
  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (looks); i++)
    if (g_str_equal (status, looks[i].status))
      return &looks[i];
  return &unknown;
}

/* The symbolic icon of @status ("unknown" for one Nod does not know); NULL for none. */
const char *
nod_pipeline_status_get_icon_name (const char *status)
{
  return status != NULL ? look_of (status)->icon_name : NULL;
}

/* The style class that colours @status's icon and word (success, error…), or NULL. */
const char *
nod_pipeline_status_get_css_class (const char *status)
{
  return status != NULL ? look_of (status)->css_class : NULL;
}

/* "Pipeline passed", translated; NULL for none. */
const char *
nod_pipeline_status_describe (const char *status)
{
  return status != NULL ? _(look_of (status)->description) : NULL;
}
