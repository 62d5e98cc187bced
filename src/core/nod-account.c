/* nod-account.c: one GitLab account Nod syncs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token is not here: it lives in the keyring (NodCredentials), found by base URL and
 * username.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nod-account.h"

struct _NodAccount
{
  GObject  parent_instance;

  gint64   id;
  char    *base_url;
  char    *username;
  gboolean signed_in;
  gboolean one_off;     /* a command's GITLAB_URL + GITLAB_TOKEN, not added for good */
};

G_DEFINE_FINAL_TYPE (NodAccount, nod_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_BASE_URL,
  PROP_USERNAME,
  PROP_TITLE,
  PROP_SIGNED_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nod_account_finalize (GObject *object)
{
  NodAccount *self = NOD_ACCOUNT (object);

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (nod_account_parent_class)->finalize (object);
}

static void
nod_account_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  NodAccount *self = NOD_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_TITLE:
      g_value_take_string (value, nod_account_dup_title (self));
      break;

    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->signed_in);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_account_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  NodAccount *self = NOD_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SIGNED_IN:
      nod_account_set_signed_in (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_account_class_init (NodAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = nod_account_finalize;
  object_class->get_property = nod_account_get_property;
  object_class->set_property = nod_account_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  /* "sam on gitlab.com", for lists of accounts. */
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  /* Whether Nod holds a token for it; the application keeps this true to the keyring. */
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_account_init (NodAccount *self)
{
}

NodAccount *
nod_account_new (gint64      id,
                 const char *base_url,
                 const char *username)
{
  NodAccount *self;

  g_return_val_if_fail (id > 0, NULL);
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);

  self = g_object_new (NOD_TYPE_ACCOUNT, NULL);
  self->id = id;
  self->base_url = g_strdup (base_url);
  self->username = g_strdup (username);
  return self;
}

gint64
nod_account_get_id (NodAccount *self)
{
  g_return_val_if_fail (NOD_IS_ACCOUNT (self), 0);
  return self->id;
}

const char *
nod_account_get_base_url (NodAccount *self)
{
  g_return_val_if_fail (NOD_IS_ACCOUNT (self), NULL);
  return self->base_url;
}

const char *
nod_account_get_username (NodAccount *self)
{
  g_return_val_if_fail (NOD_IS_ACCOUNT (self), NULL);
  return self->username;
}

/* The instance's host (and port, when not the default), for people. */
char *
nod_account_dup_host (NodAccount *self)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (NOD_IS_ACCOUNT (self), NULL);

  uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (self->base_url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

char *
nod_account_dup_title (NodAccount *self)
{
  g_autofree char *host = NULL;

  g_return_val_if_fail (NOD_IS_ACCOUNT (self), NULL);

  host = nod_account_dup_host (self);
  /* Translators: an account, e.g. "sam on gitlab.com" */
  return g_strdup_printf (_("%s on %s"), self->username, host);
}

gboolean
nod_account_get_signed_in (NodAccount *self)
{
  g_return_val_if_fail (NOD_IS_ACCOUNT (self), FALSE);
  return self->signed_in;
}

void
nod_account_set_signed_in (NodAccount *self,
                           gboolean    signed_in)
{
  g_return_if_fail (NOD_IS_ACCOUNT (self));

  signed_in = !!signed_in;
  if (self->signed_in == signed_in)
    return;
  self->signed_in = signed_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

/* Whether only a command's GITLAB_URL + GITLAB_TOKEN used it: `account list` leaves it out. */
gboolean
nod_account_get_one_off (NodAccount *self)
{
  g_return_val_if_fail (NOD_IS_ACCOUNT (self), FALSE);

  return self->one_off;
}

void
nod_account_set_one_off (NodAccount *self,
                         gboolean    one_off)
{
  g_return_if_fail (NOD_IS_ACCOUNT (self));

  self->one_off = !!one_off;
}
