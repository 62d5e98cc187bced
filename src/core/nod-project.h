/* nod-project.h: a GitLab project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_PROJECT (nod_project_get_type ())

G_DECLARE_FINAL_TYPE (NodProject, nod_project, NOD, PROJECT, GObject)

gint64      nod_project_get_id                  (NodProject *self);
const char *nod_project_get_path_with_namespace (NodProject *self);
const char *nod_project_get_name                (NodProject *self);
const char *nod_project_get_web_url             (NodProject *self);
const char *nod_project_get_default_branch      (NodProject *self);

G_END_DECLS
