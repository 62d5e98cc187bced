/* nod-user.c: a GitLab user as Nod shows one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodUser, nod_user, G_TYPE_OBJECT)

static void
nod_user_finalize (GObject *object)
{
  NodUser *self = NOD_USER (object);

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->web_url, g_free);

  G_OBJECT_CLASS (nod_user_parent_class)->finalize (object);
}

static void
nod_user_class_init (NodUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_user_finalize;
}

static void
nod_user_init (NodUser *self)
{
}

gint64
nod_user_get_id (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), 0);
  return self->id;
}

const char *
nod_user_get_username (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), NULL);
  return self->username;
}

const char *
nod_user_get_name (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), NULL);
  return self->name;
}

const char *
nod_user_get_web_url (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), NULL);
  return self->web_url;
}
