/* nod-pipeline-status.h: how a merge request's head pipeline is shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *nod_pipeline_status_get_icon_name (const char *status);
const char *nod_pipeline_status_get_css_class (const char *status);
const char *nod_pipeline_status_describe      (const char *status);

G_END_DECLS
