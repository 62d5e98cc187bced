/* nod-credentials.c: GitLab access tokens, kept in the keyring (the Secret Service)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A token lives in one keyring item per account, under the schema
 * "io.github.nodreview.Nod.Token" with the attributes base-url and username, in the default
 * collection; storing again replaces it. libsecret's password API does the talking, on the
 * caller's main context and without blocking it; inside a Flatpak sandbox it goes through
 * the Secret portal on its own.
 *
 * What the keyring answers is turned into NodCredentialsError with a sentence for people;
 * its own words go to the debug log only. The token is never logged, never put in an
 * error, and every copy this module makes is wiped before it is freed.
 */

#define G_LOG_DOMAIN "nod-credentials"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "nod-credentials.h"

G_DEFINE_QUARK (nod-credentials-error-quark, nod_credentials_error)

/* Changing these orphans every token people have stored. */
#define TOKEN_SCHEMA_NAME "io.github.nodreview.Nod.Token"
#define ATTRIBUTE_BASE_URL "base-url"
#define ATTRIBUTE_USERNAME "username"

typedef enum
{
  OPERATION_STORE,
  OPERATION_LOOKUP,
  OPERATION_CLEAR,
} Operation;

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    TOKEN_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { ATTRIBUTE_BASE_URL, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTRIBUTE_USERNAME, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The values are copies: libsecret keeps a reference to the table, not to its strings,
 * until the call is done, and the caller's strings may be gone by then. */
static GHashTable *
account_attributes (const char *base_url,
                    const char *username)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) ATTRIBUTE_BASE_URL, g_strdup (base_url));
  g_hash_table_insert (attributes, (gpointer) ATTRIBUTE_USERNAME, g_strdup (username));
  return attributes;
}

/* The host (and port, when not the default) of @base_url, for the item's label. */
static char *
dup_host (const char *base_url)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup (base_url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

static char *
dup_item_label (const char *base_url,
                const char *username)
{
  g_autofree char *host = dup_host (base_url);

  /* Translators: the name of an access token in the keyring, as Seahorse lists it:
   * "Nod: USERNAME on HOST", e.g. "Nod: sam on gitlab.com" */
  return g_strdup_printf (_("Nod: %s on %s"), username, host);
}

static gboolean
is_valid_account (const char *base_url,
                  const char *username)
{
  return base_url != NULL && *base_url != '\0' && g_utf8_validate (base_url, -1, NULL) &&
         username != NULL && *username != '\0' && g_utf8_validate (username, -1, NULL);
}

void
nod_credentials_token_free (char *token)
{
  if (token == NULL)
    return;

  secret_password_wipe (token);
  g_free (token);
}

/* Whether @error says there is nobody to talk to: no session bus, or no Secret Service
 * on it (none running and none that D-Bus could start). */
static gboolean
is_keyring_missing (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_NO_SERVER:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }

  /* What GDBus says when the session bus cannot be reached at all: a socket that is not
   * there or refuses us, an address it cannot read, no bus to autolaunch, a connection
   * that closed under us. */
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_NOT_FOUND:
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_PERMISSION_DENIED:
        case G_IO_ERROR_INVALID_ARGUMENT:
        case G_IO_ERROR_FAILED:
        case G_IO_ERROR_CLOSED:
        case G_IO_ERROR_CONNECTION_CLOSED:
        case G_IO_ERROR_NOT_CONNECTED:
          return TRUE;
        default:
          return FALSE;
        }
    }

  return error->domain == G_SPAWN_ERROR;
}

static const char *
describe_failure (Operation operation)
{
  switch (operation)
    {
    case OPERATION_STORE:
      return _("Nod could not save your token in the keyring");
    case OPERATION_LOOKUP:
      return _("Nod could not read your token from the keyring");
    case OPERATION_CLEAR:
      return _("Nod could not remove your token from the keyring");
    default:
      g_assert_not_reached ();
    }
}

static GError *
new_locked_error (Operation operation)
{
  const char *message;

  if (operation == OPERATION_STORE)
    message = _("Your keyring is locked: unlock it so that Nod can save your token");
  else if (operation == OPERATION_LOOKUP)
    message = _("Your keyring is locked: unlock it so that Nod can use your token");
  else
    message = _("Your keyring is locked: unlock it so that Nod can remove your token");

  return g_error_new_literal (NOD_CREDENTIALS_ERROR, NOD_CREDENTIALS_ERROR_LOCKED, message);
}

/* The one place where the keyring's errors become ours. */
static GError *
translate_error (Operation     operation,
                 const GError *error)
{
  g_debug ("The keyring answered: %s (%s, %d)",
           error->message, g_quark_to_string (error->domain), error->code);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    return new_locked_error (operation);

  if (is_keyring_missing (error))
    return g_error_new_literal (NOD_CREDENTIALS_ERROR, NOD_CREDENTIALS_ERROR_UNAVAILABLE,
                                _("No keyring is available to keep your token safe: start "
                                  "GNOME Keyring or another Secret Service, then try again"));

  return g_error_new_literal (NOD_CREDENTIALS_ERROR, NOD_CREDENTIALS_ERROR_FAILED,
                              describe_failure (operation));
}

/* The account a task is about, for its second call to the keyring. */
typedef struct
{
  char *base_url;
  char *username;
} Account;

static Account *
account_new (const char *base_url,
             const char *username)
{
  Account *account = g_new0 (Account, 1);

  account->base_url = g_strdup (base_url);
  account->username = g_strdup (username);
  return account;
}

static void
account_free (Account *account)
{
  g_free (account->base_url);
  g_free (account->username);
  g_free (account);
}

/* Whether some of the items a search found stayed in a locked keyring. */
static gboolean
any_item_locked (GList *items)
{
  for (GList *l = items; l != NULL; l = l->next)
    if (SECRET_IS_ITEM (l->data) && secret_item_get_locked (l->data))
      return TRUE;

  return FALSE;
}

/* Store */

static void
on_token_stored (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, translate_error (OPERATION_STORE, error));
      return;
    }

  g_debug ("Token stored");
  g_task_return_boolean (task, TRUE);
}

/**
 * nod_credentials_store_async:
 * @token: the access token; libsecret takes its own copy before this returns
 *
 * Keeps @token for the account in the default keyring, in place of any token stored for
 * it before. The keyring may ask the user to unlock it first.
 */
void
nod_credentials_store_async (const char          *base_url,
                             const char          *username,
                             const char          *token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (is_valid_account (base_url, username));
  g_return_if_fail (token != NULL && *token != '\0');
  g_return_if_fail (g_utf8_validate (token, -1, NULL));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_credentials_store_async);

  g_debug ("Storing the token of %s on %s", username, base_url);
  attributes = account_attributes (base_url, username);
  label = dup_item_label (base_url, username);
  secret_password_storev (token_schema (), attributes, SECRET_COLLECTION_DEFAULT, label, token,
                          cancellable, on_token_stored, g_steal_pointer (&task));
}

gboolean
nod_credentials_store_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nod_credentials_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup */

static void
on_locked_items_searched (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autolist(GObject) items = NULL;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (OPERATION_LOOKUP, error));
      return;
    }

  if (any_item_locked (items))
    {
      g_debug ("The token is in a keyring that stays locked");
      g_task_return_error (task, new_locked_error (OPERATION_LOOKUP));
      return;
    }

  g_debug ("No token stored");
  g_task_return_pointer (task, NULL, NULL);
}

static void
on_token_looked_up (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  Account *account = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  char *password;

  password = secret_password_lookup_nonpageable_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (OPERATION_LOOKUP, error));
      return;
    }

  if (password != NULL)
    {
      char *token = g_strdup (password);

      secret_password_free (password);
      g_debug ("Token found");
      g_task_return_pointer (task, token, (GDestroyNotify) nod_credentials_token_free);
      return;
    }

  /* libsecret finds nothing both when there is nothing and when the user refused to unlock
   * the keyring holding the item: a search that leaves locked items locked tells which. */
  attributes = account_attributes (account->base_url, account->username);
  secret_password_searchv (token_schema (), attributes, SECRET_SEARCH_ALL, cancellable,
                           on_locked_items_searched, g_steal_pointer (&task));
}

/**
 * nod_credentials_lookup_async:
 *
 * Reads the token of the account. The keyring may ask the user to unlock it first.
 */
void
nod_credentials_lookup_async (const char          *base_url,
                              const char          *username,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (is_valid_account (base_url, username));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_credentials_lookup_async);
  g_task_set_task_data (task, account_new (base_url, username), (GDestroyNotify) account_free);

  g_debug ("Looking up the token of %s on %s", username, base_url);
  attributes = account_attributes (base_url, username);
  secret_password_lookupv (token_schema (), attributes, cancellable, on_token_looked_up,
                           g_steal_pointer (&task));
}

char *
nod_credentials_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nod_credentials_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear */

static void
on_token_cleared (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE with no error: the item went away meanwhile, which is what was asked. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (OPERATION_CLEAR, error));
      return;
    }

  g_debug ("Token removed");
  g_task_return_boolean (task, TRUE);
}

static void
on_items_to_clear_unlocked (GObject      *source_object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autolist(GObject) items = NULL;
  Account *account = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, translate_error (OPERATION_CLEAR, error));
      return;
    }

  if (items == NULL)
    {
      g_debug ("No token to remove");
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* libsecret removes only what is unlocked, and says nothing of the rest. */
  if (any_item_locked (items))
    {
      g_debug ("The token is in a keyring that stays locked");
      g_task_return_error (task, new_locked_error (OPERATION_CLEAR));
      return;
    }

  attributes = account_attributes (account->base_url, account->username);
  secret_password_clearv (token_schema (), attributes, cancellable, on_token_cleared,
                          g_steal_pointer (&task));
}

/**
 * nod_credentials_clear_async:
 *
 * Removes the token of the account from the keyring. Removing a token that is not there
 * succeeds. The keyring may ask the user to unlock it first.
 */
void
nod_credentials_clear_async (const char          *base_url,
                             const char          *username,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (is_valid_account (base_url, username));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_credentials_clear_async);
  g_task_set_task_data (task, account_new (base_url, username), (GDestroyNotify) account_free);

  /* First unlock what holds the item (the keyring may ask the user), then remove it. */
  g_debug ("Removing the token of %s on %s", username, base_url);
  attributes = account_attributes (base_url, username);
  secret_password_searchv (token_schema (), attributes,
                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, cancellable,
                           on_items_to_clear_unlocked, g_steal_pointer (&task));
}

gboolean
nod_credentials_clear_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nod_credentials_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
