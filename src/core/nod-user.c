/* nod-user.c: a GitLab user as Nod shows one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodUser, nod_user, G_TYPE_OBJECT)

static void
nod_user_finalize (GObject *object)
{
  NodUser *self = NOD_USER (object);

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->web_url, g_free);
  g_clear_pointer (&self->avatar_url, g_free);

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

/**
 * nod_user_new:
 * @username: (nullable): GitLab's username, or %NULL when only the name is known (a row
 *   an older Nod kept)
 * @name: (nullable): the full name
 * @avatar_url: (nullable): where GitLab says the avatar is
 *
 * A user as the cache keeps one, with no id.
 */
NodUser *
nod_user_new (const char *username,
              const char *name,
              const char *avatar_url)
{
  NodUser *self = g_object_new (NOD_TYPE_USER, NULL);

  self->username = g_strdup (username);
  self->name = g_strdup (name);
  self->avatar_url = g_strdup (avatar_url);
  return self;
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

/* NULL when GitLab sent none (or not a string). */
const char *
nod_user_get_avatar_url (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), NULL);
  return self->avatar_url;
}

/**
 * nod_user_get_display_name:
 *
 * How Nod shows the user everywhere: the full name, or the username when GitLab gives no
 * name.
 *
 * Returns: never %NULL
 */
const char *
nod_user_get_display_name (NodUser *self)
{
  g_return_val_if_fail (NOD_IS_USER (self), "");

  if (self->name != NULL && *self->name != '\0')
    return self->name;
  return self->username != NULL ? self->username : "";
}

/**
 * nod_user_describe:
 *
 * The user for a tooltip or a screen reader: "Sam Okafor (@sam)", or what is known.
 *
 * Returns: (transfer full): plain text, never markup
 */
char *
nod_user_describe (NodUser *self)
{
  const char *display = nod_user_get_display_name (self);

  if (self->username == NULL || *self->username == '\0' ||
      g_strcmp0 (display, self->username) == 0)
    return g_strdup (display);
  /* Translators: a person: their full name and GitLab username ("Sam Okafor (@sam)") */
  return g_strdup_printf (_("%s (@%s)"), display, self->username);
}

static char *
join_users (GPtrArray *users,
            gboolean   described)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      if (i > 0)
        g_string_append (text, _(", "));
      if (described)
        {
          g_autofree char *description = nod_user_describe (users->pdata[i]);

          g_string_append (text, description);
        }
      else
        g_string_append (text, nod_user_get_display_name (users->pdata[i]));
    }
  return g_string_free (text, FALSE);
}

/* "Sam Okafor, Jo Kowalski": plain text. */
char *
nod_users_join_display_names (GPtrArray *users)
{
  return join_users (users, FALSE);
}

/* "Sam Okafor (@sam), Jo Kowalski (@jkowalski)": plain text, for a tooltip. */
char *
nod_users_join_descriptions (GPtrArray *users)
{
  return join_users (users, TRUE);
}
