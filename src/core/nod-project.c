/* nod-project.c: a GitLab project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodProject, nod_project, G_TYPE_OBJECT)

static void
nod_project_finalize (GObject *object)
{
  NodProject *self = NOD_PROJECT (object);

  g_clear_pointer (&self->path_with_namespace, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->web_url, g_free);
  g_clear_pointer (&self->default_branch, g_free);

  G_OBJECT_CLASS (nod_project_parent_class)->finalize (object);
}

static void
nod_project_class_init (NodProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_project_finalize;
}

static void
nod_project_init (NodProject *self)
{
}

gint64
nod_project_get_id (NodProject *self)
{
  g_return_val_if_fail (NOD_IS_PROJECT (self), 0);
  return self->id;
}

const char *
nod_project_get_path_with_namespace (NodProject *self)
{
  g_return_val_if_fail (NOD_IS_PROJECT (self), NULL);
  return self->path_with_namespace;
}

const char *
nod_project_get_name (NodProject *self)
{
  g_return_val_if_fail (NOD_IS_PROJECT (self), NULL);
  return self->name;
}

const char *
nod_project_get_web_url (NodProject *self)
{
  g_return_val_if_fail (NOD_IS_PROJECT (self), NULL);
  return self->web_url;
}

const char *
nod_project_get_default_branch (NodProject *self)
{
  g_return_val_if_fail (NOD_IS_PROJECT (self), NULL);
  return self->default_branch;
}
