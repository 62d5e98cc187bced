/* nod-test-keyring.c: a keyring of the test's own, for the cases that keep tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private session bus (GTestDBus) with gnome-keyring-daemon on it, its login keyring
 * created in a scratch directory and unlocked with a password on stdin: nothing a test does
 * reaches the keyring of the person running it. Where that cannot be started, the session
 * bus the test was started on will do if its default keyring is unlocked (build-aux/dev.sh
 * test runs the suite under dbus-run-session with one).
 */

#include "config.h"

#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#include "nod-test-keyring.h"
#include "nod-test-utils.h"

/* How long a private keyring has to come up. */
#define KEYRING_STARTUP_US (20 * G_USEC_PER_SEC)

struct _NodTestKeyring
{
  GTestDBus   *bus;
  GSubprocess *daemon;
  char        *home;
};

static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  /* Should the test die before it stops the daemon, the daemon goes too. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static void
on_secret_service_appeared (GDBusConnection *connection,
                            const char      *name,
                            const char      *name_owner,
                            gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_startup_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@flag is set; FALSE when the startup deadline passes
 * first. */
static gboolean
wait_for_flag (gboolean *flag)
{
  g_autoptr(GSource) deadline = g_timeout_source_new (KEYRING_STARTUP_US / 1000);
  gboolean timed_out = FALSE;

  g_source_set_callback (deadline, on_startup_deadline, &timed_out, NULL);
  g_source_attach (deadline, NULL);
  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (deadline);

  return *flag;
}

/* The keyring the "default" alias names: NULL, with no error, when there is none. */
SecretCollection *
nod_test_keyring_get_default (SecretCollectionFlags   flags,
                     GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(SecretService) service = NULL;

  secret_service_get (SECRET_SERVICE_NONE, NULL, nod_test_keep_result, &result);
  service = secret_service_get_finish (nod_test_wait_for_result (&result), error);
  if (service == NULL)
    return NULL;

  g_clear_object (&result);
  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, flags, NULL,
                               nod_test_keep_result, &result);
  return secret_collection_for_alias_finish (nod_test_wait_for_result (&result), error);
}

/* NULL when the default keyring is there and unlocked; otherwise why not. */
char *
nod_test_keyring_check_default (void)
{
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GError) error = NULL;

  collection = nod_test_keyring_get_default (SECRET_COLLECTION_NONE, &error);
  if (error != NULL)
    return g_strdup_printf ("No Secret Service on the session bus (%s)", error->message);
  if (collection == NULL)
    return g_strdup ("The Secret Service has no default keyring");
  if (secret_collection_get_locked (collection))
    return g_strdup ("The default keyring is locked");

  return NULL;
}

/* Ends the daemon we started, and removes its keyring files. */
static void
stop_daemon (NodTestKeyring *keyring)
{
  if (keyring->daemon != NULL)
    {
      g_subprocess_force_exit (keyring->daemon);
      g_subprocess_wait (keyring->daemon, NULL, NULL);
      g_clear_object (&keyring->daemon);
    }
  if (keyring->home != NULL)
    {
      nod_test_remove_tree (keyring->home);
      g_clear_pointer (&keyring->home, g_free);
    }
}

/* Takes a keyring down before anything used it through the password calls: the session
 * bus connection goes with it, so another bus can be used after. */
static void
keyring_free (NodTestKeyring *keyring)
{
  /* libsecret's Secret Service proxy holds on to the bus, which GTestDBus waits for. */
  secret_service_disconnect ();
  stop_daemon (keyring);
  if (keyring->bus != NULL)
    {
      g_test_dbus_down (keyring->bus);
      g_clear_object (&keyring->bus);
    }
  g_free (keyring);
}

/* Closes this process's connection to a private bus, and stops the bus, at the end.
 *
 * The bus is stopped, never taken down, and its GTestDBus stays referenced until the
 * process exits: once two of libsecret's password calls have run, libsecret 0.20.5 keeps
 * a reference to the bus connection that secret_service_disconnect () does not drop, and
 * g_test_dbus_down () would wait 30 s for that connection to go, then warn. */
void
nod_test_stop_private_bus (GTestDBus *bus)
{
  g_autoptr(GDBusConnection) connection = NULL;

  secret_service_disconnect ();
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (connection != NULL)
    {
      g_dbus_connection_set_exit_on_close (connection, FALSE);
      g_dbus_connection_close_sync (connection, NULL, NULL);
    }
  g_test_dbus_stop (bus);
}

void
nod_test_keyring_stop (NodTestKeyring *keyring)
{
  nod_test_stop_private_bus (keyring->bus);
  stop_daemon (keyring);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodTestKeyring, keyring_free)

/* Starts a private bus with gnome-keyring-daemon on it, its login keyring (the default
 * one) unlocked. NULL, with the reason in @out_reason, when that cannot be done. */
NodTestKeyring *
nod_test_keyring_start (char **out_reason)
{
  g_autoptr(NodTestKeyring) keyring = g_new0 (NodTestKeyring, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *daemon_path = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *bus_daemon_path = g_find_program_in_path ("dbus-daemon");
  g_autofree char *runtime_dir = NULL;
  g_autofree char *data_dir = NULL;
  GOutputStream *daemon_stdin;
  gboolean appeared = FALSE;
  guint watch_id;

  if (daemon_path == NULL || bus_daemon_path == NULL)
    {
      *out_reason = g_strdup ("gnome-keyring-daemon or dbus-daemon is not installed");
      return NULL;
    }

  keyring->home = g_dir_make_tmp ("nod-test-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime_dir = g_build_filename (keyring->home, "runtime", NULL);
  data_dir = g_build_filename (keyring->home, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data_dir, 0700), ==, 0);

  /* Sets DBUS_SESSION_BUS_ADDRESS to the private bus, and unsets DISPLAY. */
  keyring->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (keyring->bus);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS",
                                g_test_dbus_get_bus_address (keyring->bus), TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  keyring->daemon = g_subprocess_launcher_spawn (launcher, &error, daemon_path, "--foreground",
                                                 "--unlock", "--components=secrets", NULL);
  if (keyring->daemon == NULL)
    {
      *out_reason = g_strdup_printf ("gnome-keyring-daemon did not start: %s", error->message);
      return NULL;
    }

  /* --unlock reads the login keyring's password up to the end of its input, and creates
   * the login keyring with it when there is none. */
  daemon_stdin = g_subprocess_get_stdin_pipe (keyring->daemon);
  if (!g_output_stream_write_all (daemon_stdin, NOD_TEST_KEYRING_PASSWORD, strlen (NOD_TEST_KEYRING_PASSWORD),
                                  NULL, NULL, &error) ||
      !g_output_stream_close (daemon_stdin, NULL, &error))
    {
      *out_reason = g_strdup_printf ("gnome-keyring-daemon took no password: %s",
                                     error->message);
      return NULL;
    }

  watch_id = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.secrets",
                               G_BUS_NAME_WATCHER_FLAGS_NONE, on_secret_service_appeared,
                               NULL, &appeared, NULL);
  wait_for_flag (&appeared);
  g_bus_unwatch_name (watch_id);
  if (!appeared)
    {
      *out_reason = g_strdup ("gnome-keyring-daemon never came onto the private bus");
      return NULL;
    }

  *out_reason = nod_test_keyring_check_default ();
  if (*out_reason != NULL)
    return NULL;

  return g_steal_pointer (&keyring);
}

/* A keyring for the cases that keep tokens: a private one, else the default keyring of the
 * session bus the test was started on. NULL when it is the latter, or when there is none:
 * then *@out_missing_reason says why the cases must skip (NULL when the session bus's
 * keyring will do). */
NodTestKeyring *
nod_test_keyring_set_up (char **out_missing_reason)
{
  g_autofree char *address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autofree char *private_reason = NULL;
  NodTestKeyring *keyring = nod_test_keyring_start (&private_reason);

  *out_missing_reason = NULL;
  if (keyring != NULL)
    return keyring;

  /* g_test_dbus_up() changed these; the session bus we were started on is what is left. */
  g_test_message ("No private keyring (%s); trying the session bus", private_reason);
  if (address != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);

  *out_missing_reason = nod_test_keyring_check_default ();
  if (*out_missing_reason != NULL)
    {
      g_autofree char *detail = g_steal_pointer (out_missing_reason);

      *out_missing_reason =
        g_strdup_printf ("%s, and no private keyring (%s): the keyring cases need "
                         "gnome-keyring-daemon, or an unlocked default keyring on the "
                         "session bus",
                         detail, private_reason);
    }
  return NULL;
}
