/* nod-test-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "nod-forge.h"
#include "nod-gitlab.h"
#include "nod-test-cli.h"
#include "nod-test-utils.h"

/* The binary under test, from the test's one argument. */
static const char *tested_nod;

void
nod_test_cli_init (int    *argc,
                   char ***argv)
{
  g_autofree char *program = g_path_get_basename ((*argv)[0]);

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  tested_nod = *argc > 1 ? (*argv)[1] : NULL;
  if (tested_nod == NULL || !g_file_test (tested_nod, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("Usage: %s PATH-TO-NOD\n", program);
      exit (1);
    }
}

void
nod_test_cli_fixture_set_up (NodTestCli    *cli,
                             gconstpointer  data)
{
  nod_test_cli_set_up (cli, tested_nod);
}

void
nod_test_cli_fixture_tear_down (NodTestCli    *cli,
                                gconstpointer  data)
{
  nod_test_cli_tear_down (cli);
}

void
nod_test_cli_set_up (NodTestCli *cli,
                     const char *nod_path)
{
  g_autoptr(GError) error = NULL;

  memset (cli, 0, sizeof *cli);
  cli->nod_path = nod_path;
  cli->fake = nod_fake_gitlab_new (NOD_TEST_CLI_TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (cli->fake, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (cli->fake, 0, &error));
  g_assert_no_error (error);
  cli->base_url = nod_fake_gitlab_dup_base_url (cli->fake);
  cli->data_home = g_build_filename (g_get_user_data_dir (), "cli", NULL);
  cli->config_home = g_build_filename (g_get_user_config_dir (), "cli", NULL);
}

void
nod_test_cli_tear_down (NodTestCli *cli)
{
  g_clear_object (&cli->fake);
  g_clear_pointer (&cli->base_url, g_free);
  g_clear_pointer (&cli->data_home, g_free);
  g_clear_pointer (&cli->config_home, g_free);
}

GSubprocessLauncher *
nod_test_cli_new_launcher (NodTestCli *cli)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  if (cli->without_one_off_account)
    {
      g_subprocess_launcher_unsetenv (launcher, "GITLAB_URL");
      g_subprocess_launcher_unsetenv (launcher, "GITLAB_TOKEN");
    }
  else
    {
      g_subprocess_launcher_setenv (launcher, "GITLAB_URL", cli->base_url, TRUE);
      g_subprocess_launcher_setenv (launcher, "GITLAB_TOKEN",
                                    cli->one_off_token != NULL ? cli->one_off_token
                                                               : NOD_TEST_CLI_TOKEN, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", cli->data_home, TRUE);
  /* Settings kept in a file, so one run sees what the one before chose. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", cli->config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  if (cli->without_debug_logs)
    g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  else
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (cli->child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, cli->child_setup, NULL, NULL);
  /* No bus: nothing to forward to, the child does the work. */
  if (!cli->use_session_bus)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  return launcher;
}

static char *
take_text (GBytes *bytes,
           gsize  *out_len)
{
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  char *text = g_malloc (len + 1);

  if (len > 0)
    memcpy (text, data, len);
  text[len] = '\0';
  *out_len = len;
  return text;
}

static gboolean
holds (const char *haystack,
       gsize       len,
       const char *needle)
{
  gsize needle_len = strlen (needle);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

void
nod_test_cli_run_bytes (NodTestCli         *cli,
                        NodTestCliOutcome  *outcome,
                        GBytes             *input,
                        const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = nod_test_cli_new_launcher (cli);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) cli->nod_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  child = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_async (child, input != NULL ? input : nothing, NULL,
                                  nod_test_keep_result, &result);
  g_assert_true (g_subprocess_communicate_finish (child, nod_test_wait_for_result (&result),
                                                  &out, &err, &error));
  g_assert_no_error (error);
  outcome->status = g_subprocess_get_exit_status (child);
  outcome->out = take_text (out, &outcome->out_len);
  outcome->err = take_text (err, &outcome->err_len);

  /* The token is the keyring's and GitLab's business: never in anything nod prints or
   * logs (G_MESSAGES_DEBUG=all puts every log line on stderr). */
  g_assert_false (holds (outcome->out, outcome->out_len, NOD_TEST_CLI_TOKEN));
  g_assert_false (holds (outcome->err, outcome->err_len, NOD_TEST_CLI_TOKEN));
}

void
nod_test_cli_run (NodTestCli        *cli,
                  NodTestCliOutcome *outcome,
                  const char        *input,
                  ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  const char *arg;
  va_list ap;

  va_start (ap, input);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  if (input != NULL)
    bytes = g_bytes_new (input, strlen (input));
  nod_test_cli_run_bytes (cli, outcome, bytes, (const char * const *) args->pdata);
}

gboolean
nod_test_cli_add_keyring_account (NodTestCli *cli)
{
  g_auto (NodTestCliOutcome) added = { 0, };
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  if (bus == NULL)
    {
      g_test_skip ("No session bus, so no keyring: build-aux/dev.sh test provides both");
      return FALSE;
    }
  cli->use_session_bus = TRUE;
  nod_test_cli_run (cli, &added, NOD_TEST_CLI_TOKEN "\n", "account", "add",
                    "--url", cli->base_url, "--token-stdin", NULL);
  if (added.status == 1 && strstr (added.err, "keyring") != NULL)
    {
      cli->use_session_bus = FALSE;
      g_test_skip_printf ("No usable keyring: %s", added.err);
      return FALSE;
    }
  g_assert_cmpint (added.status, ==, 0);
  return TRUE;
}

char *
nod_test_cli_store_path (NodTestCli *cli)
{
  return g_build_filename (cli->data_home, "nod", "nod.db", NULL);
}

void
nod_test_cli_exec_store (NodTestCli *cli,
                         const char *sql)
{
  g_autofree char *path = nod_test_cli_store_path (cli);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

gint64
nod_test_cli_query_store (NodTestCli *cli,
                          const char *sql)
{
  g_autofree char *path = nod_test_cli_store_path (cli);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/**
 * nod_test_cli_list_discussions:
 *
 * Returns: (transfer container) (element-type NodDiscussion): every thread, all pages
 */
GPtrArray *
nod_test_cli_list_discussions (NodTestCli *cli,
                               gint64      project_id,
                               gint64      iid)
{
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);
  guint page_number = 1;

  observer = nod_gitlab_new (cli->base_url, NOD_TEST_CLI_TOKEN, &error);
  g_assert_no_error (error);
  while (page_number != 0)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(NodForgePage) page = NULL;
      GPtrArray *discussions;

      nod_forge_list_discussions_async (NOD_FORGE (observer), project_id, iid, page_number, NULL,
                                        nod_test_keep_result, &result);
      page = nod_forge_list_discussions_finish (NOD_FORGE (observer),
                                                nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
      discussions = nod_forge_page_get_items (page);
      for (guint i = 0; i < discussions->len; i++)
        g_ptr_array_add (all, g_object_ref (discussions->pdata[i]));
      page_number = nod_forge_page_get_next_page (page);
    }
  return all;
}

/* How many notes of the merge request have @body, on the fake. */
guint
nod_test_cli_count_notes (NodTestCli *cli,
                          gint64      project_id,
                          gint64      iid,
                          const char *body)
{
  g_autoptr(GPtrArray) discussions = nod_test_cli_list_discussions (cli, project_id, iid);
  guint found = 0;

  for (guint i = 0; i < discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

      for (guint j = 0; j < notes->len; j++)
        found += g_strcmp0 (nod_note_get_body (notes->pdata[j]), body) == 0;
    }
  return found;
}

void
nod_test_cli_outcome_clear (NodTestCliOutcome *outcome)
{
  g_clear_pointer (&outcome->out, g_free);
  g_clear_pointer (&outcome->err, g_free);
}
