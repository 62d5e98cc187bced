/* test-credentials.c: GitLab tokens in the Secret Service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the keyring cases run:
 *  - with gnome-keyring-daemon and dbus-daemon installed, in a keyring of their own: a
 *    private session bus (GTestDBus) with gnome-keyring-daemon on it, its login keyring
 *    created in a scratch directory and unlocked with a password on stdin. Nothing the
 *    tests do reaches the keyring of the person running them, and a case that locks the
 *    keyring cannot lock anyone else's;
 *  - otherwise on the session bus the binary was started on (build-aux/dev.sh test runs
 *    the suite under dbus-run-session), when its Secret Service has an unlocked default
 *    keyring. The cases only use accounts on *.nod-test.invalid and remove them again;
 *  - otherwise they skip, saying why.
 * The cases without a Secret Service run in subprocesses pointed at a bus that is not
 * there, or at a private bus where nothing provides the Secret Service.
 *
 * The test reads the keyring with its own copy of the schema: the schema's name and
 * attributes are what finds the tokens people stored with earlier versions of Nod.
 */

#include "config.h"

#include <libsecret/secret.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "nod-credentials.h"
#include "nod-test-keyring.h"
#include "nod-test-utils.h"

#define HOST_A "https://gitlab.nod-test.invalid"
#define HOST_B "https://code.nod-test.invalid:8443"
#define USER_A "reviewer"
#define USER_B "maintainer"

#define TOKEN_FIRST "glpat-nod-test-first-4f1c2a"
#define TOKEN_SECOND "glpat-nod-test-second-93be07"
#define TOKEN_OTHER "glpat-nod-test-other-5d7710"
#define TOKEN_LOGGED "glpat-nod-test-logged-c0ffee"
#define TOKEN_LOCKED "glpat-nod-test-locked-2b8e41"

/* How long a subprocess case has to finish. */
#define SUBPROCESS_TIMEOUT_US (60 * G_USEC_PER_SEC)

static const SecretSchema test_schema = {
  "io.github.nodreview.Nod.Token", SECRET_SCHEMA_NONE,
  {
    { "base-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/* Why the keyring cases skip; NULL when there is a keyring to run them against. */
static char *keyring_missing_reason;
/* The keyring of our own, when there is one; stopped at the end, never freed. */
static NodTestKeyring *private_keyring;
/* A private bus with no Secret Service on it, in the subprocess that uses one. */
static GTestDBus *bare_bus;

/* Every field of every log message, debug ones included. */
static GString *log_seen;

static GLogWriterOutput
remember_log (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length < 0)
        g_string_append_printf (log_seen, "%s=%s\n", fields[i].key,
                                (const char *) fields[i].value);
      else
        g_string_append_printf (log_seen, "%s=%.*s\n", fields[i].key, (int) fields[i].length,
                                (const char *) fields[i].value);
    }

  /* Debug lines are only looked at, not printed: they would garble the TAP output. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}


/* Sync wrappers. With @error NULL a call must succeed. */

static gboolean
check_outcome (gboolean   succeeded,
               GError    *local_error,
               GError   **error)
{
  g_assert_true (succeeded == (local_error == NULL));

  if (error == NULL)
    {
      g_assert_no_error (local_error);
      return succeeded;
    }

  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return succeeded;
}

static gboolean
store_with (const char    *base_url,
            const char    *username,
            const char    *token,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_credentials_store_async (base_url, username, token, cancellable, nod_test_keep_result,
                               &result);
  succeeded = nod_credentials_store_finish (nod_test_wait_for_result (&result), &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
store_sync (const char  *base_url,
            const char  *username,
            const char  *token,
            GError     **error)
{
  return store_with (base_url, username, token, NULL, error);
}

/* The token, or NULL: with @error NULL, a NULL is "nothing stored", never a failure. */
static char *
lookup_sync (const char  *base_url,
             const char  *username,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  char *token;

  nod_credentials_lookup_async (base_url, username, NULL, nod_test_keep_result, &result);
  token = nod_credentials_lookup_finish (nod_test_wait_for_result (&result), &local_error);
  g_assert_true (token == NULL || local_error == NULL);

  if (error == NULL)
    g_assert_no_error (local_error);
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return token;
}

static gboolean
clear_sync (const char  *base_url,
            const char  *username,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_credentials_clear_async (base_url, username, NULL, nod_test_keep_result, &result);
  succeeded = nod_credentials_clear_finish (nod_test_wait_for_result (&result), &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static void
assert_token (const char *base_url,
              const char *username,
              const char *expected)
{
  char *token = lookup_sync (base_url, username, NULL);

  g_assert_cmpstr (token, ==, expected);
  nod_credentials_token_free (token);
}

/* What is in the keyring, read without Nod's code */

static GHashTable *
new_attributes (const char *base_url,
                const char *username)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "base-url", (gpointer) base_url);
  if (username != NULL)
    g_hash_table_insert (attributes, (gpointer) "username", (gpointer) username);
  return attributes;
}

static GList *
search_items (const char *base_url,
              const char *username)
{
  g_autoptr(GHashTable) attributes = new_attributes (base_url, username);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;

  secret_password_searchv (&test_schema, attributes, SECRET_SEARCH_ALL, NULL,
                           nod_test_keep_result, &result);
  items = secret_password_search_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return items;
}

static guint
count_items (const char *base_url,
             const char *username)
{
  g_autolist(GObject) items = search_items (base_url, username);

  return g_list_length (items);
}

/* Removes every token of the test's hosts, whoever they belong to. */
static void
forget_test_accounts (void)
{
  const char * const hosts[] = { HOST_A, HOST_B };

  for (gsize i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr(GHashTable) attributes = new_attributes (hosts[i], NULL);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      secret_password_clearv (&test_schema, attributes, NULL, nod_test_keep_result, &result);
      secret_password_clear_finish (nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
    }
}

static void
forget_test_accounts_later (gpointer data)
{
  forget_test_accounts ();
}

/* Every keyring case starts here: FALSE, and the case skipped, without a keyring. */
static gboolean
begin_keyring_case (void)
{
  if (keyring_missing_reason != NULL)
    {
      g_test_skip (keyring_missing_reason);
      return FALSE;
    }

  forget_test_accounts ();
  g_test_queue_destroy (forget_test_accounts_later, NULL);
  return TRUE;
}

/* An error for people: ours, a sentence, no token, nothing of D-Bus. */
static void
assert_error_for_people (const GError        *error,
                         NodCredentialsError  code)
{
  g_assert_error (error, NOD_CREDENTIALS_ERROR, (int) code);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (strstr (error->message, "glpat-"));
  g_assert_null (strstr (error->message, "freedesktop"));
  g_assert_null (strstr (error->message, "DBus"));
  g_assert_null (strstr (error->message, "GDBus"));
  g_assert_null (strstr (error->message, "/nonexistent"));
}

/* The cases */

static void
test_store_lookup (void)
{
  g_autolist(GObject) items = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autolist(GObject) collection_items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  const char *item_path;
  gboolean in_default_collection = FALSE;

  if (!begin_keyring_case ())
    return;

  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_FIRST, NULL));
  assert_token (HOST_A, USER_A, TOKEN_FIRST);

  /* One item, labelled for people, in the default keyring. */
  items = search_items (HOST_A, USER_A);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Nod: " USER_A " on gitlab.nod-test.invalid");

  g_assert_true (SECRET_IS_ITEM (items->data));
  item_path = g_dbus_proxy_get_object_path (items->data);
  collection = nod_test_keyring_get_default (SECRET_COLLECTION_LOAD_ITEMS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  collection_items = secret_collection_get_items (collection);
  for (GList *l = collection_items; l != NULL; l = l->next)
    if (g_str_equal (g_dbus_proxy_get_object_path (l->data), item_path))
      in_default_collection = TRUE;
  g_assert_true (in_default_collection);
}

static void
test_store_twice_replaces (void)
{
  if (!begin_keyring_case ())
    return;

  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_FIRST, NULL));
  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_SECOND, NULL));

  assert_token (HOST_A, USER_A, TOKEN_SECOND);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 1);
}

static void
test_accounts_kept_apart (void)
{
  g_autolist(GObject) items = NULL;
  g_autofree char *label = NULL;

  if (!begin_keyring_case ())
    return;

  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_FIRST, NULL));
  g_assert_true (store_sync (HOST_B, USER_B, TOKEN_OTHER, NULL));

  assert_token (HOST_A, USER_A, TOKEN_FIRST);
  assert_token (HOST_B, USER_B, TOKEN_OTHER);
  /* The same names, crossed, are other accounts. */
  assert_token (HOST_A, USER_B, NULL);
  assert_token (HOST_B, USER_A, NULL);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 1);
  g_assert_cmpuint (count_items (HOST_B, USER_B), ==, 1);

  /* The label names the port when it is not the default one. */
  items = search_items (HOST_B, USER_B);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Nod: " USER_B " on code.nod-test.invalid:8443");

  /* Replacing or removing one leaves the other alone. */
  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_SECOND, NULL));
  assert_token (HOST_B, USER_B, TOKEN_OTHER);
  g_assert_true (clear_sync (HOST_A, USER_A, NULL));
  assert_token (HOST_A, USER_A, NULL);
  assert_token (HOST_B, USER_B, TOKEN_OTHER);
}

static void
test_clear (void)
{
  g_autoptr(GError) error = NULL;
  char *token;

  if (!begin_keyring_case ())
    return;

  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_FIRST, NULL));
  g_assert_true (clear_sync (HOST_A, USER_A, NULL));

  token = lookup_sync (HOST_A, USER_A, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 0);
}

static void
test_clear_missing (void)
{
  g_autoptr(GError) error = NULL;

  if (!begin_keyring_case ())
    return;

  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 0);
  g_assert_true (clear_sync (HOST_A, USER_A, &error));
  g_assert_no_error (error);

  /* And again, once there was one. */
  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_FIRST, NULL));
  g_assert_true (clear_sync (HOST_A, USER_A, NULL));
  g_assert_true (clear_sync (HOST_A, USER_A, NULL));
}

/* Frees a string the way a caller may, leaving no trace of what it held. */
static void
scribble_and_free (char *text)
{
  memset (text, '#', strlen (text));
  g_free (text);
}

/* A caller's strings may be gone as soon as a call returns, long before the keyring
 * answers. */
static void
test_caller_strings_freed (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  char *base_url;
  char *username;
  char *new_token;

  if (!begin_keyring_case ())
    return;

  base_url = g_strdup (HOST_A);
  username = g_strdup (USER_A);
  new_token = g_strdup (TOKEN_FIRST);
  nod_credentials_store_async (base_url, username, new_token, NULL, nod_test_keep_result,
                               &result);
  scribble_and_free (base_url);
  scribble_and_free (username);
  scribble_and_free (new_token);
  g_assert_true (nod_credentials_store_finish (nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  assert_token (HOST_A, USER_A, TOKEN_FIRST);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 1);

  g_clear_object (&result);
  base_url = g_strdup (HOST_A);
  username = g_strdup (USER_A);
  nod_credentials_lookup_async (base_url, username, NULL, nod_test_keep_result, &result);
  scribble_and_free (base_url);
  scribble_and_free (username);
  token = nod_credentials_lookup_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, TOKEN_FIRST);

  g_clear_object (&result);
  base_url = g_strdup (HOST_A);
  username = g_strdup (USER_A);
  nod_credentials_clear_async (base_url, username, NULL, nod_test_keep_result, &result);
  scribble_and_free (base_url);
  scribble_and_free (username);
  g_assert_true (nod_credentials_clear_finish (nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 0);
}

static void
test_token_never_logged (void)
{
  g_autoptr(GError) error = NULL;

  if (!begin_keyring_case ())
    return;

  g_string_truncate (log_seen, 0);

  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_LOGGED, NULL));
  g_assert_true (store_sync (HOST_A, USER_A, TOKEN_LOGGED, NULL));
  assert_token (HOST_A, USER_A, TOKEN_LOGGED);
  g_assert_true (clear_sync (HOST_A, USER_A, NULL));
  assert_token (HOST_A, USER_A, NULL);

  /* The debug messages were there to be looked at, and none holds the token. */
  g_assert_nonnull (strstr (log_seen->str, "GLIB_DOMAIN=nod-credentials"));
  g_assert_nonnull (strstr (log_seen->str, "Storing the token of " USER_A));
  g_assert_null (strstr (log_seen->str, TOKEN_LOGGED));
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  if (!begin_keyring_case ())
    return;

  g_cancellable_cancel (cancellable);
  g_assert_false (store_with (HOST_A, USER_A, TOKEN_FIRST, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 0);
}

static void
test_bad_input (void)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_test_expect_message ("nod-credentials", G_LOG_LEVEL_CRITICAL, "*assertion*token*failed");
  nod_credentials_store_async (HOST_A, USER_A, "", NULL, nod_test_keep_result, &result);
  g_test_assert_expected_messages ();

  g_test_expect_message ("nod-credentials", G_LOG_LEVEL_CRITICAL, "*assertion*token*failed");
  nod_credentials_store_async (HOST_A, USER_A, NULL, NULL, nod_test_keep_result, &result);
  g_test_assert_expected_messages ();

  g_test_expect_message ("nod-credentials", G_LOG_LEVEL_CRITICAL, "*assertion*account*failed");
  nod_credentials_lookup_async ("", USER_A, NULL, nod_test_keep_result, &result);
  g_test_assert_expected_messages ();

  g_test_expect_message ("nod-credentials", G_LOG_LEVEL_CRITICAL, "*assertion*account*failed");
  nod_credentials_clear_async (HOST_A, NULL, NULL, nod_test_keep_result, &result);
  g_test_assert_expected_messages ();

  /* Refused calls never call back. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (result);
}

/* Runs store, lookup and clear where none can reach a keyring: each must say so. */
static void
assert_every_call_unavailable (void)
{
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) clear_error = NULL;
  char *token;

  token = lookup_sync (HOST_A, USER_A, &lookup_error);
  g_assert_null (token);
  assert_error_for_people (lookup_error, NOD_CREDENTIALS_ERROR_UNAVAILABLE);
  g_test_message ("Lookup: %s", lookup_error->message);

  g_assert_false (store_sync (HOST_A, USER_A, TOKEN_FIRST, &store_error));
  assert_error_for_people (store_error, NOD_CREDENTIALS_ERROR_UNAVAILABLE);

  g_assert_false (clear_sync (HOST_A, USER_A, &clear_error));
  assert_error_for_people (clear_error, NOD_CREDENTIALS_ERROR_UNAVAILABLE);
}

static void
test_no_session_bus (void)
{
  if (g_test_subprocess ())
    {
      /* Before anything in this process opens the session bus. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
      assert_every_call_unavailable ();
      return;
    }

  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT_US, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_no_secret_service_on_bus (void)
{
  g_autofree char *bus_daemon_path = NULL;

  if (g_test_subprocess ())
    {
      /* A session bus where nothing provides org.freedesktop.secrets. */
      bare_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bare_bus);
      assert_every_call_unavailable ();
      return;
    }

  bus_daemon_path = g_find_program_in_path ("dbus-daemon");
  if (bus_daemon_path == NULL)
    {
      g_test_skip ("dbus-daemon is not installed: no private bus to run this on");
      return;
    }

  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT_US, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
lock_default_keyring (void)
{
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GList) to_lock = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SecretService *service;

  collection = nod_test_keyring_get_default (SECRET_COLLECTION_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  service = secret_collection_get_service (collection);

  to_lock = g_list_append (NULL, collection);
  secret_service_lock (service, to_lock, NULL, nod_test_keep_result, &result);
  g_assert_cmpint (secret_service_lock_finish (service, nod_test_wait_for_result (&result),
                                               NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (secret_collection_get_locked (collection));
}

/* Locking means a keyring of our own: the subprocess starts one, locks it, and no one can
 * unlock it (there is no prompter on its bus), as when the user refuses to. */
static void
test_locked (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *reason = NULL;
      g_autoptr(GError) lookup_error = NULL;
      g_autoptr(GError) store_error = NULL;
      g_autoptr(GError) clear_error = NULL;
      char *token;

      private_keyring = nod_test_keyring_start (&reason);
      if (private_keyring == NULL)
        g_error ("No private keyring: %s", reason);

      g_assert_true (store_sync (HOST_A, USER_A, TOKEN_LOCKED, NULL));
      lock_default_keyring ();

      token = lookup_sync (HOST_A, USER_A, &lookup_error);
      g_assert_null (token);
      assert_error_for_people (lookup_error, NOD_CREDENTIALS_ERROR_LOCKED);

      g_assert_false (store_sync (HOST_A, USER_A, TOKEN_LOCKED, &store_error));
      assert_error_for_people (store_error, NOD_CREDENTIALS_ERROR_LOCKED);

      /* A token that stays behind is not removed. */
      g_assert_false (clear_sync (HOST_A, USER_A, &clear_error));
      assert_error_for_people (clear_error, NOD_CREDENTIALS_ERROR_LOCKED);
      g_assert_cmpuint (count_items (HOST_A, USER_A), ==, 1);
      return;
    }

  if (private_keyring == NULL)
    {
      g_test_skip ("Locking a keyring needs one of the test's own (gnome-keyring-daemon and "
                   "dbus-daemon): the keyring of the session is left alone");
      return;
    }

  g_test_trap_subprocess (NULL, SUBPROCESS_TIMEOUT_US, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* A keyring daemon that dies before it has read its password must not take us along. */
  signal (SIGPIPE, SIG_IGN);

  /* Before the first message: every message, debug ones included, is recorded. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  log_seen = g_string_new (NULL);
  g_log_set_writer_func (remember_log, NULL, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* A subprocess case brings its own bus, or none. */
  if (!g_test_subprocess ())
    private_keyring = nod_test_keyring_set_up (&keyring_missing_reason);

  g_test_add_func ("/nod/credentials/store-lookup", test_store_lookup);
  g_test_add_func ("/nod/credentials/store-twice-replaces", test_store_twice_replaces);
  g_test_add_func ("/nod/credentials/accounts-kept-apart", test_accounts_kept_apart);
  g_test_add_func ("/nod/credentials/clear", test_clear);
  g_test_add_func ("/nod/credentials/clear-missing", test_clear_missing);
  g_test_add_func ("/nod/credentials/caller-strings-freed", test_caller_strings_freed);
  g_test_add_func ("/nod/credentials/token-never-logged", test_token_never_logged);
  g_test_add_func ("/nod/credentials/cancelled", test_cancelled);
  g_test_add_func ("/nod/credentials/bad-input", test_bad_input);
  g_test_add_func ("/nod/credentials/no-session-bus", test_no_session_bus);
  g_test_add_func ("/nod/credentials/no-secret-service-on-bus", test_no_secret_service_on_bus);
  g_test_add_func ("/nod/credentials/locked", test_locked);

  status = g_test_run ();

  if (private_keyring != NULL)
    nod_test_keyring_stop (private_keyring);
  if (bare_bus != NULL)
    nod_test_stop_private_bus (bare_bus);
  secret_service_disconnect ();
  g_clear_pointer (&keyring_missing_reason, g_free);
  g_string_free (log_seen, TRUE);
  return status;
}
