/* test-cli-storage.c: `nod VERB …` on a database that is damaged, read-only or held by
 * another program, and two commands opening one data directory at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `nod` binary (the argument) runs as a child against the fake GitLab, through the
 * shared runner (nod-test-cli.h).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <linux/capability.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "nod-test-cli.h"
#include "nod-test-utils.h"

static char *
checksum_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* The lines of @err nod wrote itself (its log lines are there too: G_MESSAGES_DEBUG=all). */
static guint
count_own_lines (const char *err,
                 const char *needle)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  guint found = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "nod: ") && strstr (lines[i], needle) != NULL)
      found++;
  return found;
}

/* A comment GitLab could not take (503): a pending row for the reads to show. */
static void
queue_one_comment (NodTestCli *fixture)
{
  g_auto (NodTestCliOutcome) queued = { 0, };
  g_autoptr(JsonNode) fault = NULL;

  /* Every try refused while it lasts: a retry after the backoff must not get through. */
  fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                 "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                 "\"status\": 503, \"times\": 1000}");
  nod_test_cli_run (fixture, &queued, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Kept for later", NULL);
  g_assert_cmpint (queued.status, ==, 75);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox "
                                                      "WHERE state = 'pending'"), ==, 1);
  g_clear_pointer (&fault, json_node_unref);
  fault = nod_test_fake_control (fixture->base_url, "DELETE", "/__fake/faults", NULL);
}

/* A stored account (through the keyring) with one comment queued; FALSE (the case skipped)
 * without a keyring. The one-off account would be signed in again by every run, a write. */
static gboolean
set_up_account_with_queue (NodTestCli *fixture)
{
  if (!nod_test_cli_add_keyring_account (fixture))
    return FALSE;
  fixture->without_one_off_account = TRUE;
  queue_one_comment (fixture);
  return TRUE;
}

/* ---- damaged ---- */

static void
test_damaged_refused (NodTestCli    *fixture,
                      gconstpointer  data)
{
  g_auto (NodTestCliOutcome) status = { 0, };
  g_auto (NodTestCliOutcome) queue = { 0, };
  g_autofree char *path = nod_test_cli_store_path (fixture);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 page_size;
  GStatBuf info;
  guchar damage[64];
  FILE *file;

  queue_one_comment (fixture);
  /* Enough rows that the last page is one start-up never reads. */
  nod_test_cli_exec_store (fixture, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL "
                                    "SELECT i + 1 FROM n WHERE i < 300) "
                                    "INSERT INTO sync_log (at_us, event) "
                                    "SELECT i, hex (randomblob (200)) FROM n");
  nod_test_cli_exec_store (fixture, "PRAGMA wal_checkpoint (TRUNCATE)");
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  page_size = nod_test_cli_query_store (fixture, "PRAGMA page_size");

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_size / page_size, >, 10);
  memset (damage, 0xa5, sizeof damage);
  file = g_fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, info.st_size - page_size, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (damage, 1, sizeof damage, file), ==, sizeof damage);
  g_assert_cmpint (fclose (file), ==, 0);
  before = checksum_file (path);

  nod_test_cli_run (fixture, &status, NULL, "status", NULL);
  nod_test_cli_run (fixture, &queue, NULL, "queue", "list", NULL);

  g_assert_cmpint (status.status, ==, 1);
  g_assert_cmpint (queue.status, ==, 1);
  g_assert_cmpuint (count_own_lines (status.err, path), ==, 1);
  g_assert_cmpuint (count_own_lines (status.err, "is damaged"), ==, 1);
  g_assert_cmpuint (count_own_lines (status.err, "Move it aside"), ==, 1);
  g_assert_cmpuint (count_own_lines (queue.err, "is damaged"), ==, 1);
  g_assert_cmpstr (status.out, ==, "");
  g_assert_cmpstr (queue.out, ==, "");

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
}

/* ---- read-only ---- */

/* In the child, before it runs nod: as root it would write any file, so it gives up the
 * capabilities that let it (still root, so it reaches the keyring on the session bus). */
static void
drop_file_capabilities (gpointer user_data)
{
  if (geteuid () != 0)
    return;
  prctl (PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
  prctl (PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0);
  prctl (PR_CAPBSET_DROP, CAP_FOWNER, 0, 0, 0);
}

/* What can't be written is read: both reads show the queued comment and say, in one line,
 * why nothing can change; a write says why it can't and exits 1; nothing is written. */
static void
check_reads_of_read_only (NodTestCli *fixture,
                          const char *checked_path)
{
  g_auto (NodTestCliOutcome) queue = { 0, };
  g_auto (NodTestCliOutcome) status = { 0, };
  g_auto (NodTestCliOutcome) approve = { 0, };
  g_autofree char *before = checksum_file (checked_path);
  g_autofree char *after = NULL;

  fixture->child_setup = drop_file_capabilities;

  nod_test_cli_run (fixture, &queue, NULL, "queue", "list", NULL);
  g_assert_cmpint (queue.status, ==, 0);
  g_assert_nonnull (strstr (queue.out, "comment"));
  g_assert_nonnull (strstr (queue.out, "pending"));
  g_assert_cmpuint (count_own_lines (queue.err, "can’t be written"), ==, 1);

  nod_test_cli_run (fixture, &status, NULL, "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "pending 1, failed 0\n"));
  g_assert_cmpuint (count_own_lines (status.err, "can’t be written"), ==, 1);

  nod_test_cli_run (fixture, &approve, NULL, "approve", "gnome-apps/nod!111", NULL);
  g_assert_cmpint (approve.status, ==, 1);
  g_assert_cmpuint (count_own_lines (approve.err, "can’t be written"), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/approve$"),
                    ==, 0);

  fixture->child_setup = NULL;
  after = checksum_file (checked_path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_read_only_file (NodTestCli    *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = nod_test_cli_store_path (fixture);

  if (!set_up_account_with_queue (fixture))
    return;
  g_assert_cmpint (g_chmod (path, 0400), ==, 0);
  check_reads_of_read_only (fixture, path);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

static void
test_read_only_folder (NodTestCli    *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = nod_test_cli_store_path (fixture);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  if (!set_up_account_with_queue (fixture))
    return;
  /* No -wal and -shm files (the last connection to close with write access takes them
   * away): the folder's reader can't make them. */
  nod_test_cli_exec_store (fixture, "PRAGMA wal_checkpoint (TRUNCATE)");
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  check_reads_of_read_only (fixture, path);
  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
}

/* ---- busy ---- */

/* Another program holds the write lock (a sqlite3 shell in a transaction): the reads show
 * what was committed and say the data is in use; a write exits 75 and queues nothing. */
static void
test_busy (NodTestCli    *fixture,
           gconstpointer  data)
{
  g_auto (NodTestCliOutcome) queue = { 0, };
  g_auto (NodTestCliOutcome) status = { 0, };
  g_auto (NodTestCliOutcome) comment = { 0, };
  g_auto (NodTestCliOutcome) after = { 0, };
  g_autofree char *path = nod_test_cli_store_path (fixture);
  sqlite3 *other = NULL;

  if (!set_up_account_with_queue (fixture))
    return;

  g_assert_cmpint (sqlite3_open_v2 (path, &other, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE; DELETE FROM outbox", NULL, NULL,
                                 NULL), ==, SQLITE_OK);

  nod_test_cli_run (fixture, &queue, NULL, "queue", "list", NULL);
  g_test_message ("queue list said: %s", queue.err);
  g_assert_cmpint (queue.status, ==, 0);
  g_assert_nonnull (strstr (queue.out, "pending"));
  g_assert_cmpuint (count_own_lines (queue.err, "in use by another program"), ==, 1);

  nod_test_cli_run (fixture, &status, NULL, "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "pending 1, failed 0\n"));
  g_assert_cmpuint (count_own_lines (status.err, "in use by another program"), ==, 1);

  nod_test_cli_run (fixture, &comment, NULL, "comment", "gnome-apps/nod!111", "--body",
                    "Not now", NULL);
  g_assert_cmpint (comment.status, ==, 75);
  g_assert_cmpuint (count_own_lines (comment.err, "in use by another program"), ==, 1);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  /* Nothing was queued meanwhile; and with the lock gone, no note. */
  nod_test_cli_run (fixture, &after, NULL, "queue", "list", NULL);
  g_assert_cmpint (after.status, ==, 0);
  g_assert_null (strstr (after.out, "Not now"));
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox"), ==, 1);
  g_assert_cmpuint (count_own_lines (after.err, ""), ==, 0);
}

/* ---- two at once ---- */

typedef struct
{
  GSubprocess  *child;
  GAsyncResult *result;
} Child;

static gboolean
both_done (gpointer data)
{
  Child *children = data;

  return children[0].result != NULL && children[1].result != NULL;
}

/* Two commands started together on a data directory nothing has used yet, the fake up: both
 * open it (made and migrated once), neither fails on the database, and each comment
 * reaches GitLab once. */
static void
test_two_at_once_on_a_new_directory (NodTestCli    *fixture,
                                     gconstpointer  data)
{
  for (guint round = 0; round < 8; round++)
    {
      Child children[2] = { { NULL, NULL }, { NULL, NULL } };
      g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);
      g_autofree char *bodies[2] = { NULL, NULL };

      nod_test_remove_tree (fixture->data_home);
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(GSubprocessLauncher) launcher = nod_test_cli_new_launcher (fixture);
          g_autoptr(GError) error = NULL;

          bodies[i] = g_strdup_printf ("round %u, process %u", round, i);
          children[i].child = g_subprocess_launcher_spawn (launcher, &error, fixture->nod_path,
                                                           "comment", "gnome-apps/nod!111",
                                                           "--body", bodies[i], NULL);
          g_assert_no_error (error);
          g_subprocess_communicate_async (children[i].child, nothing, NULL,
                                          nod_test_keep_result, &children[i].result);
        }
      nod_test_wait_until (both_done, children);

      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(GBytes) out = NULL;
          g_autoptr(GBytes) err = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *err_text = NULL;
          g_autofree char *wanted = NULL;

          g_assert_true (g_subprocess_communicate_finish (children[i].child, children[i].result,
                                                          &out, &err, &error));
          g_assert_no_error (error);
          err_text = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
          /* No "could not upgrade", no "in use by another program". */
          g_assert_cmpuint (count_own_lines (err_text, "database"), ==, 0);
          g_assert_cmpint (g_subprocess_get_exit_status (children[i].child), !=, 1);
          g_clear_object (&children[i].child);
          g_clear_object (&children[i].result);
        }
      /* Each comment on the fake exactly once, whichever process sent it. */
      g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                      "/discussions$"), ==, 2 * (round + 1));
    }
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
  ADD ("/nod/cli-storage/damaged-refused", test_damaged_refused);
  ADD ("/nod/cli-storage/read-only-file", test_read_only_file);
  ADD ("/nod/cli-storage/read-only-folder", test_read_only_folder);
  ADD ("/nod/cli-storage/busy", test_busy);
  ADD ("/nod/cli-storage/two-at-once-new-directory", test_two_at_once_on_a_new_directory);
#undef ADD

  return g_test_run ();
}
