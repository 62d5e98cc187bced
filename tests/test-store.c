/* test-store.c: opening, migrating and refusing databases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nod-store-private.h"
#include "nod-store-worker.h"
#include "nod-test-utils.h"

static const char * const expected_tables[] = {
  "accounts", "projects", "merge_requests", "approvals", "discussions", "notes",
  "outbox", "sync_state", "sync_log",
};

static gint64
count_table (NodStore   *store,
             const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT (*) FROM sqlite_master "
                                          "WHERE type = 'table' AND name = '%s'", table);
  return nod_test_query_int (store, sql);
}

/* Reads a database file's user_version with SQLite directly, read-only. */
static int
raw_user_version (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return version;
}

static char *
checksum_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
test_fresh_database (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "nod", "nod.db", NULL);
  g_autoptr(NodStore) store = NULL;
  GStatBuf file_stat, dir_stat;

  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  store = nod_test_open_store (path);
  g_assert_cmpstr (nod_store_get_path (store), ==, path);

  g_assert_cmpint (g_stat (path, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &dir_stat), ==, 0);
  g_assert_cmpint (dir_stat.st_mode & 0777, ==, 0700);

  g_assert_cmpint (nod_test_query_int (store, "PRAGMA user_version"), ==,
                   nod_store_get_schema_version ());
  g_assert_cmpint (nod_test_query_int (store, "SELECT journal_mode = 'wal' "
                                              "FROM pragma_journal_mode"), ==, 1);
  /* 2 is FULL: a commit reaches the disk before the caller hears of it. */
  g_assert_cmpint (nod_test_query_int (store, "PRAGMA synchronous"), ==, 2);
  g_assert_cmpint (nod_test_query_int (store, "PRAGMA foreign_keys"), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (expected_tables); i++)
    g_assert_cmpint (count_table (store, expected_tables[i]), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&store));

  /* Opening again changes nothing. */
  store = nod_test_open_store (path);
  g_assert_cmpint (nod_test_query_int (store, "PRAGMA user_version"), ==,
                   nod_store_get_schema_version ());
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_foreign_keys_enforced (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GError) error = NULL;

  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  nod_test_exec (store, "INSERT INTO sync_state (account_id, scope, updated_at_us) "
                        "VALUES (1, 'mrs', 0)");
  nod_test_exec (store, "DELETE FROM accounts WHERE id = 1");
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM sync_state"), ==, 0);
}

/* A database as Nod left it at @version, with an account and an action in its outbox, is
 * brought up to the current schema with both kept. */
static NodStore *
upgrade_from (guint version)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = _nod_store_open_at_version_sync (path, version, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_test_query_int (store, "PRAGMA user_version"), ==, version);
  /* The activity log came with version 2. */
  g_assert_cmpint (count_table (store, "sync_log"), ==, version >= 2 ? 1 : 0);
  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  nod_test_exec (store, "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, "
                        "created_at_us) VALUES ('op-1', 1, 'approve', 7, 42, 0)");
  g_assert_finalize_object (g_steal_pointer (&store));

  store = nod_test_open_store (path);
  g_assert_cmpint (nod_test_query_int (store, "PRAGMA user_version"), ==,
                   nod_store_get_schema_version ());
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE op_id = 'op-1' AND state = 'pending'"),
                   ==, 1);
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM accounts"), ==, 1);
  return g_steal_pointer (&store);
}

static void
test_upgrade_from_version_1 (void)
{
  g_autoptr(NodStore) store = NULL;

  g_assert_cmpuint (nod_store_get_schema_version (), >=, 2);
  store = upgrade_from (1);
  g_assert_cmpint (count_table (store, "sync_log"), ==, 1);

  /* What version 2 added works: the activity log keeps the last 500 events. */
  nod_test_exec (store, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 600) INSERT INTO sync_log (at_us, event) "
                        "SELECT i, 'sync.request' FROM n");
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM sync_log"), ==, 500);
  g_assert_cmpint (nod_test_query_int (store, "SELECT MIN (at_us) FROM sync_log"), ==, 101);
}

static void
test_upgrade_from_version_2 (void)
{
  g_autoptr(NodStore) store = NULL;

  g_assert_cmpuint (nod_store_get_schema_version (), >=, 3);
  store = upgrade_from (2);

  /* What version 3 added: an account keeps its request budget, unknown until saved. */
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM accounts "
                                              "WHERE rate_limit IS NULL"), ==, 1);
  nod_test_exec (store, "UPDATE accounts SET rate_limit = '{\"remaining\": 5}'");
  g_assert_cmpint (nod_test_query_int (store, "SELECT json_extract (rate_limit, "
                                              "'$.remaining') FROM accounts"), ==, 5);
}

static void
test_upgrade_from_version_6 (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (nod_store_get_schema_version (), >=, 7);
  store = _nod_store_open_at_version_sync (path, 6, NULL, &error);
  g_assert_no_error (error);
  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  nod_test_exec (store, "INSERT INTO projects (account_id, id, path_with_namespace) "
                        "VALUES (1, 7, 'group/project')");
  nod_test_exec (store, "INSERT INTO merge_requests (account_id, project_id, iid, id, title, "
                        "state, updated_at, fetched_at_us) "
                        "VALUES (1, 7, 42, 420, 'Kept', 'opened', '2024-05-01T10:00:00Z', 0)");
  g_assert_finalize_object (g_steal_pointer (&store));

  /* What version 7 added: a merge request kept from before has no pipeline, no labels, no
   * suggested approvers and was never opened, until a pull or the reviewer says. */
  store = nod_test_open_store (path);
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM merge_requests "
                                              "WHERE title = 'Kept' AND pipeline_status IS NULL "
                                              "AND pipeline_id IS NULL AND labels = '[]' "
                                              "AND suggested_approvers = '[]' "
                                              "AND opened_updated_at IS NULL"), ==, 1);
}

static void
test_newer_version_refused (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint newer = nod_store_get_schema_version () + 1;
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", newer);

  nod_test_exec (store, set_version);
  /* Leave a plain, checkpointed file so its bytes say everything. */
  nod_test_exec (store, "PRAGMA journal_mode = DELETE");
  g_assert_finalize_object (g_steal_pointer (&store));
  before = checksum_file (path);

  store = nod_store_open_sync (path, NULL, &error);
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_TOO_NEW);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, "newer version of Nod"));

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (raw_user_version (path), ==, newer);
}

static void
test_corrupt_file_refused (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(NodStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  char garbage[8192];

  for (gsize i = 0; i < sizeof garbage; i++)
    garbage[i] = (char) g_test_rand_int_range (0, 256);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage, sizeof garbage, NULL));
  before = checksum_file (path);

  store = nod_store_open_sync (path, NULL, &error);
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_CORRUPT);
  g_assert_null (store);

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
}

/* Root may write any file, so a check that needs one it may not write runs in a child that
 * becomes "nobody"; the parent prepares the file and checks it was not touched. */
static void
become_nobody (void)
{
  g_assert_cmpint (setgid (65534), ==, 0);
  g_assert_cmpint (setuid (65534), ==, 0);
}

/* A database with an account and a pending action, plain and checkpointed, in a folder
 * anyone may enter (for the child that is nobody). */
static char *
make_shared_database (char **out_dir)
{
  g_autofree char *dir = g_dir_make_tmp ("nod-store-ro-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr(NodStore) store = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "nod.db", NULL);
  store = nod_test_open_store (path);
  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  nod_test_exec (store, "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, "
                        "created_at_us) VALUES ('op-1', 1, 'approve', 7, 42, 0)");
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  *out_dir = g_steal_pointer (&dir);
  return g_steal_pointer (&path);
}

static void
remove_shared_database (const char *dir,
                        const char *path)
{
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  nod_test_remove_tree (dir);
}

static void
on_probed (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  nod_test_keep_result (source_object, result, user_data);
}

/* What a write would meet now, asked without writing. */
static gboolean
probe_write (NodStore  *store,
             GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_store_probe_write_async (store, NULL, on_probed, &result);
  return nod_store_probe_write_finish (store, nod_test_wait_for_result (&result), error);
}

/* In the child: the database opens to read, shows what it holds, refuses every write. */
static void
check_read_only_opened (const char *path)
{
  g_autoptr(NodStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = nod_store_open_sync (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (nod_store_is_read_only (store));
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE op_id = 'op-1'"), ==, 1);
  g_assert_false (probe_write (store, &error));
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_read_only_file_opened (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      if (geteuid () == 0)
        become_nobody ();
      check_read_only_opened (g_getenv ("NOD_TEST_READ_ONLY_DB"));
      return;
    }

  /* A database nobody may write. */
  path = make_shared_database (&dir);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  before = checksum_file (path);

  g_setenv ("NOD_TEST_READ_ONLY_DB", path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
  remove_shared_database (dir, path);
}

/* A file it may write, in a folder it may not: SQLite can't make the WAL's index there,
 * so the file is read as it is on disk. */
static void
test_read_only_folder_opened (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      if (geteuid () == 0)
        become_nobody ();
      check_read_only_opened (g_getenv ("NOD_TEST_READ_ONLY_DB"));
      return;
    }

  path = make_shared_database (&dir);
  if (geteuid () == 0)
    g_assert_cmpint (chown (path, 65534, 65534), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  before = checksum_file (path);

  g_setenv ("NOD_TEST_READ_ONLY_DB", path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
  remove_shared_database (dir, path);
}

/* Another program holds the write lock (WAL: readers go on meanwhile): the store opens and
 * reads, and a write would find it busy. */
static void
test_busy_database_readable (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GError) error = NULL;
  sqlite3 *other = NULL;

  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  g_assert_finalize_object (g_steal_pointer (&store));

  g_assert_cmpint (sqlite3_open_v2 (path, &other, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE; "
                                        "UPDATE accounts SET username = 'other'", NULL, NULL,
                                 NULL), ==, SQLITE_OK);

  store = nod_store_open_sync (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (nod_store_is_read_only (store));
  /* What was committed, not what the other program is writing. */
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM accounts "
                                              "WHERE username = 'me'"), ==, 1);
  g_assert_false (probe_write (store, &error));
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  g_assert_true (probe_write (store, &error));
  g_assert_no_error (error);
}

/* A file that went bad where Nod's start-up does not read (its last page, with the WAL
 * checkpointed into it) is refused before anything is written into it. */
static void
test_damaged_last_page_refused (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 page_size = nod_test_query_int (store, "PRAGMA page_size");
  GStatBuf info;
  FILE *file;
  guchar damage[64];

  nod_test_exec (store, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  nod_test_exec (store, "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 300) INSERT INTO outbox (op_id, account_id, kind, "
                        "project_id, mr_iid, payload, created_at_us) "
                        "SELECT 'op-' || i, 1, 'comment', 7, 42, "
                        "json_object ('body', hex (randomblob (200))), 0 FROM n");
  nod_test_exec (store, "PRAGMA wal_checkpoint (TRUNCATE)");
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* Garbage over the page's header and cell pointers. */
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_size % page_size, ==, 0);
  g_assert_cmpint (info.st_size / page_size, >, 10);
  memset (damage, 0xa5, sizeof damage);
  file = g_fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, info.st_size - page_size, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (damage, 1, sizeof damage, file), ==, sizeof damage);
  g_assert_cmpint (fclose (file), ==, 0);
  before = checksum_file (path);

  store = nod_store_open_sync (path, NULL, &error);
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  /* Which file, that it is damaged, what to do and what that costs. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_assert_nonnull (strstr (error->message, "Move it aside"));
  g_assert_nonnull (strstr (error->message, "will not be sent"));

  after = checksum_file (path);
  g_assert_cmpstr (before, ==, after);
}

static void
assert_mode (const char *path,
             guint       expected)
{
  GStatBuf info;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, expected);
}

/* A database and folder left open to others (an older Nod, a copy, a restore) are made
 * private when Nod opens them; a file made read-only is not made writable. */
static void
test_permissions_tightened (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(NodStore) first = nod_test_open_store (path);
  g_autoptr(NodStore) second = NULL;

  /* The first store keeps the -wal and -shm files there. */
  nod_test_exec (first, "INSERT INTO accounts (id, base_url, username, created_at_us) "
                        "VALUES (1, 'https://gitlab.example.com', 'me', 0)");
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_cmpint (g_chmod (wal, 0664), ==, 0);
  g_assert_cmpint (g_chmod (shm, 0644), ==, 0);

  second = nod_test_open_store (path);
  assert_mode (dir, 0700);
  assert_mode (path, 0600);
  assert_mode (wal, 0600);
  assert_mode (shm, 0600);
  nod_test_assert_finalize_soon (g_steal_pointer (&second));
  nod_test_assert_finalize_soon (g_steal_pointer (&first));

  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  second = nod_test_open_store (path);
  assert_mode (path, 0400);
  nod_test_assert_finalize_soon (g_steal_pointer (&second));
}

typedef struct
{
  GAsyncResult *results[2];
} TwoOpens;

static gboolean
both_opened (gpointer data)
{
  TwoOpens *opens = data;

  return opens->results[0] != NULL && opens->results[1] != NULL;
}

/* Two Nods start at the same moment on one file (two commands from a script): both open it,
 * set up and migrated once. */
static void
open_twice_at_once (const char *path)
{
  TwoOpens opens = { { NULL, NULL } };

  for (guint i = 0; i < 2; i++)
    nod_store_open_async (path, NULL, nod_test_keep_result, &opens.results[i]);
  nod_test_wait_until (both_opened, &opens);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NodStore) store = nod_store_open_finish (opens.results[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (nod_test_query_int (store, "PRAGMA user_version"), ==,
                       nod_store_get_schema_version ());
      g_clear_object (&opens.results[i]);
    }
}

static void
test_concurrent_first_open (void)
{
  for (guint round = 0; round < 20; round++)
    {
      g_autofree char *dir = g_dir_make_tmp ("nod-store-race-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "nod.db", NULL);
      g_autoptr(NodStore) store = NULL;
      g_autoptr(GError) error = NULL;

      open_twice_at_once (path);
      nod_test_remove_tree (dir);

      /* And an older file, upgraded by two at once. */
      store = _nod_store_open_at_version_sync (path, 1, NULL, &error);
      g_assert_no_error (error);
      nod_test_assert_finalize_soon (g_steal_pointer (&store));
      open_twice_at_once (path);
      nod_test_remove_tree (dir);
    }
}

static gboolean
record_thread (sqlite3       *db,
               gpointer       work_data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_ptr_array_add (work_data, g_thread_self ());
  return TRUE;
}

static void
test_one_worker_thread_in_order (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  nod_test_exec (store, "CREATE TABLE journal (n INTEGER)");
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO journal VALUES (%u)", i);
      nod_test_exec (store, sql);
      g_assert_true (nod_store_run_sync (store, record_thread, threads, NULL, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpuint (threads->len, ==, 50);
  for (guint i = 0; i < threads->len; i++)
    {
      g_assert_true (threads->pdata[i] == threads->pdata[0]);
      g_assert_true (threads->pdata[i] != g_thread_self ());
    }

  /* Rows went in the order the jobs were queued. */
  g_assert_cmpint (nod_test_query_int (store,
                                       "SELECT COUNT (*) FROM journal a JOIN journal b "
                                       "ON a.rowid < b.rowid AND a.n > b.n"), ==, 0);
}

static void
test_cancelled_job (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (nod_store_run_sync (store, record_thread, threads, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (threads->len, ==, 0);
}

/* What the cache of statements must keep true, checked on the worker itself. */
static gboolean
statements_work (sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const char *sql = "SELECT ?1";
  sqlite3_stmt *first_run = NULL;

  {
    g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, sql, error);

    g_assert_nonnull (stmt);
    sqlite3_bind_text (stmt, 1, "bound", -1, SQLITE_TRANSIENT);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "bound");
    first_run = stmt;

    /* Used again while in use: another statement, not the one being stepped. */
    {
      g_autoptr(sqlite3_stmt) nested = nod_store_prepare (db, sql, error);

      g_assert_nonnull (nested);
      g_assert_true (nested != stmt);
    }
  }

  /* Kept, reset, and its bindings gone: a second run starts clean. */
  {
    g_autoptr(sqlite3_stmt) again = nod_store_prepare (db, sql, error);

    g_assert_true (again == first_run);
    g_assert_cmpint (sqlite3_step (again), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_type (again, 0), ==, SQLITE_NULL);
  }
  return TRUE;
}

/* A statement is prepared once a worker and kept for the next run of the same SQL; off the
 * worker, one is simply finalized. */
static void
test_statements_kept (void)
{
  g_autofree char *path = nod_store_get_default_path ();
  g_autoptr(NodStore) store = nod_test_open_store (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (nod_store_run_sync (store, statements_work, NULL, NULL, &error));
  g_assert_no_error (error);
  /* The cache closes with the store: nothing is left to finalize after it. */
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/store/fresh", test_fresh_database);
  g_test_add_func ("/nod/store/foreign-keys", test_foreign_keys_enforced);
  g_test_add_func ("/nod/store/statements-kept", test_statements_kept);
  g_test_add_func ("/nod/store/upgrade-from-version-1", test_upgrade_from_version_1);
  g_test_add_func ("/nod/store/upgrade-from-version-2", test_upgrade_from_version_2);
  g_test_add_func ("/nod/store/upgrade-from-version-6", test_upgrade_from_version_6);
  g_test_add_func ("/nod/store/newer-version-refused", test_newer_version_refused);
  g_test_add_func ("/nod/store/corrupt-refused", test_corrupt_file_refused);
  g_test_add_func ("/nod/store/read-only-file-opened", test_read_only_file_opened);
  g_test_add_func ("/nod/store/read-only-folder-opened", test_read_only_folder_opened);
  g_test_add_func ("/nod/store/busy-readable", test_busy_database_readable);
  g_test_add_func ("/nod/store/damaged-last-page-refused", test_damaged_last_page_refused);
  g_test_add_func ("/nod/store/permissions-tightened", test_permissions_tightened);
  g_test_add_func ("/nod/store/concurrent-first-open", test_concurrent_first_open);
  g_test_add_func ("/nod/store/one-worker-in-order", test_one_worker_thread_in_order);
  g_test_add_func ("/nod/store/cancelled", test_cancelled_job);

  return g_test_run ();
}
