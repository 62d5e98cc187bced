/* nod-store.c: the owner of Nod's SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One worker thread owns the connection and runs every statement, one job at a time
 * in the order they were queued, so the main loop never waits on SQL and callers never
 * need locks. Results travel back through GTask, on the caller's main context.
 */

#define G_LOG_DOMAIN "nod-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "nod-store.h"
#include "nod-store-private.h"
#include "nod-store-schema.h"
#include "nod-store-worker.h"

#define NOD_STORE_SCHEMA_VERSION G_N_ELEMENTS (nod_store_migrations)
#define NOD_STORE_BUSY_TIMEOUT_MS 5000

G_DEFINE_QUARK (nod-store-error-quark, nod_store_error)

typedef enum
{
  JOB_OPEN,
  JOB_WORK,
  JOB_QUIT,
} JobKind;

/* Lives as long as the thread, not the GObject: the last reference to the store may
 * be dropped by a job on the worker itself. */
typedef struct
{
  GAsyncQueue *jobs;
  sqlite3     *db;
  GHashTable  *idle_statements;  /* SQL text → GPtrArray of statements ready to run again */
} Worker;

/* The worker of the thread running, on a store's worker thread; NULL elsewhere. */
static GPrivate current_worker;

/* A statement is prepared once and kept for the next run of the same SQL: preparing is a
 * good part of what saving a page of merge requests costs. Nested uses of one statement
 * get a second copy; more than this many idle copies are not kept. */
#define IDLE_STATEMENTS_MAX 4

typedef struct
{
  JobKind           kind;
  NodStoreWorkFunc  work_func;
  GTask            *task;         /* async jobs */

  /* sync jobs: the caller waits on these */
  gpointer          work_data;
  GCancellable     *cancellable;
  GMutex            mutex;
  GCond             cond;
  gboolean          done;
  gboolean          succeeded;
  GError           *error;
} Job;

typedef struct
{
  char     *path;
  guint     schema_version;
  gboolean  read_only;      /* set by the worker: opened to read only */
} OpenData;

struct _NodStore
{
  GObject      parent_instance;

  char        *path;
  GAsyncQueue *jobs;
  GThread     *thread;
  gboolean     read_only;
};

G_DEFINE_FINAL_TYPE (NodStore, nod_store, G_TYPE_OBJECT)

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_free (data);
}

/* "Nod’s database ~/.local/share/nod/nod.db is damaged…": which file, for people who have
 * to do something about it. */
static void
set_damaged_error (GError     **error,
                   const char  *path)
{
  /* Honest about what moving it aside costs: GitLab's state comes back with the next
   * pull, actions queued in the file and not sent yet do not. */
  g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_CORRUPT,
               _("Nod’s database %s is damaged, so Nod will not use it. Move it aside (with "
                 "its -wal and -shm files, if any) and start Nod again: it will pull your "
                 "merge requests from GitLab again, but review actions queued in it and not "
                 "sent yet will not be sent; they stay in the file you moved."),
               path != NULL && *path != '\0' ? path : _("(unknown file)"));
}

void
nod_store_set_error (GError  **error,
                     sqlite3  *db,
                     int       result_code)
{
  int primary = result_code & 0xff;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (result_code);
  const char *path = db != NULL ? sqlite3_db_filename (db, "main") : NULL;

  g_debug ("SQLite error %d: %s", result_code, detail);
  if (path == NULL || *path == '\0')
    path = _("(unknown file)");

  switch (primary)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      set_damaged_error (error, path);
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY,
                   _("Nod’s database %s can’t be written to; check the permissions of the "
                     "file and of its folder"), path);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_BUSY,
                   _("Nod’s database %s is in use by another program; try again once it "
                     "is done"), path);
      break;

    case SQLITE_FULL:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_NO_SPACE,
                   _("There is no space left on the disk to save Nod’s data"));
      break;

    case SQLITE_CANTOPEN:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_FAILED,
                   _("Nod’s database %s can’t be opened"), path);
      break;

    default:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_FAILED,
                   _("Nod’s database reported an error (%s)"), sqlite3_errstr (result_code));
      break;
    }
}

gboolean
nod_store_exec (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  return TRUE;
}

gboolean
nod_store_begin (sqlite3  *db,
                 GError  **error)
{
  /* IMMEDIATE takes the write lock up front, so a transaction never fails half-way
   * because another process (the command line) wrote in between. */
  return nod_store_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
nod_store_commit (sqlite3  *db,
                  GError  **error)
{
  return nod_store_exec (db, "COMMIT", error);
}

void
nod_store_rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static GPtrArray *
idle_statements_of (sqlite3    *db,
                    const char *sql)
{
  Worker *worker = g_private_get (&current_worker);

  if (worker == NULL || worker->db != db || worker->idle_statements == NULL)
    return NULL;
  return g_hash_table_lookup (worker->idle_statements, sql);
}

/**
 * nod_store_prepare:
 *
 * Returns: (transfer full): a statement for @sql, ready to bind and step; free it with
 *   g_autoptr(sqlite3_stmt), which keeps it for the next run of the same SQL
 */
sqlite3_stmt *
nod_store_prepare (sqlite3     *db,
                   const char  *sql,
                   GError     **error)
{
  GPtrArray *idle = idle_statements_of (db, sql);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (idle != NULL && idle->len > 0)
    return g_ptr_array_steal_index_fast (idle, idle->len - 1);

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      nod_store_set_error (error, db, rc);
      return NULL;
    }

  return stmt;
}

/* The cleanup of g_autoptr(sqlite3_stmt): on the worker thread, the statement is reset
 * and kept; anywhere else it is finalized. */
void
nod_store_release (sqlite3_stmt *stmt)
{
  Worker *worker = g_private_get (&current_worker);
  const char *sql = sqlite3_sql (stmt);
  GPtrArray *idle;

  if (worker == NULL || worker->db != sqlite3_db_handle (stmt) || sql == NULL)
    {
      sqlite3_finalize (stmt);
      return;
    }

  idle = g_hash_table_lookup (worker->idle_statements, sql);
  if (idle == NULL)
    {
      idle = g_ptr_array_new_with_free_func (finalize_statement);
      g_hash_table_insert (worker->idle_statements, g_strdup (sql), idle);
    }
  if (idle->len >= IDLE_STATEMENTS_MAX)
    {
      sqlite3_finalize (stmt);
      return;
    }

  /* Bound text may point at memory that is gone once the work function returns. */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  g_ptr_array_add (idle, stmt);
}

gboolean
nod_store_step_done (sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      nod_store_set_error (error, sqlite3_db_handle (stmt), rc);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_user_version (sqlite3  *db,
                   guint    *out_version,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, "PRAGMA user_version", error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  *out_version = (guint) MAX (0, sqlite3_column_int (stmt, 0));
  return TRUE;
}

/* Brings the schema up to @to_version, one migration a transaction. The version is read
 * again under the write lock: another Nod opening the same file at the same time may have
 * migrated it in between, and a migration must never run twice. */
static gboolean
migrate (sqlite3  *db,
         guint     to_version,
         GError  **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      guint version = 0;

      if (!nod_store_begin (db, error))
        goto failed;
      if (!read_user_version (db, &version, error))
        goto failed_in_transaction;
      if (version >= to_version)
        return nod_store_commit (db, error);

      g_debug ("Migrating database to schema %u", version + 1);
      set_version = g_strdup_printf ("PRAGMA user_version = %u", version + 1);
      if (!nod_store_exec (db, nod_store_migrations[version], error) ||
          !nod_store_exec (db, set_version, error) ||
          !nod_store_commit (db, error))
        goto failed_in_transaction;
    }

failed_in_transaction:
  nod_store_rollback (db);
failed:
  g_prefix_error (error, _("Could not upgrade Nod’s database: "));
  return FALSE;
}

/* Nod's data is its user's alone: a folder or file an older Nod, a copy or a restore left
 * open to others is closed (group and other bits dropped, nothing added, so a file made
 * read-only stays so). Only the owner may change a mode; anything else is left as it is. */
static void
make_private (const char *path,
              mode_t      keep)
{
  GStatBuf info;

  if (g_stat (path, &info) != 0 || (info.st_mode & 07777 & ~keep) == 0)
    return;
  if (g_chmod (path, info.st_mode & keep) != 0)
    g_debug ("Could not make %s private: %s", path, g_strerror (errno));
}

static void
make_store_private (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };
  g_autofree char *dir = g_path_get_dirname (path);

  make_private (dir, 0700);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      make_private (file, 0600);
    }
}

static sqlite3 *
open_connection (const char  *filename,
                 int          flags,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (filename, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc != SQLITE_OK)
    {
      nod_store_set_error (error, db, rc);
      sqlite3_close_v2 (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, NOD_STORE_BUSY_TIMEOUT_MS);
  return db;
}

/* A new database is made whole under a name of its own (private from its first byte,
 * migrated, in WAL mode) and only then linked in as @path: another Nod starting at the
 * same moment finds either no file or a finished one, never one half set up. */
static gboolean
create_database (const char  *path,
                 guint        schema_version,
                 GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *draft = g_strconcat (path, ".new-XXXXXX", NULL);
  sqlite3 *db;
  gboolean made;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder for Nod’s database: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_mkstemp_full (draft, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create Nod’s database: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);

  db = open_connection (draft, SQLITE_OPEN_READWRITE, error);
  made = db != NULL &&
         migrate (db, schema_version, error) &&
         nod_store_exec (db, "PRAGMA journal_mode = WAL", error);
  /* Closing checkpoints the draft's WAL into it and removes its -wal and -shm. */
  if (db != NULL && sqlite3_close (db) != SQLITE_OK && made)
    {
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_FAILED,
                   _("Could not create Nod’s database: it could not be closed"));
      made = FALSE;
    }

  /* link () never replaces: if another Nod linked its own first, that one is used. */
  if (made && link (draft, path) != 0 && errno != EEXIST)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create Nod’s database: %s"), g_strerror (saved_errno));
      made = FALSE;
    }
  g_unlink (draft);
  return made;
}

/* SQLite opens a file it may not write read-only; in a folder it may not write either, it
 * cannot make the WAL's index to read it at all, unless told the file will not change. */
static sqlite3 *
open_read_only_in_place (const char  *path,
                         GError     **error)
{
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
  g_autofree char *uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);

  return open_connection (uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, error);
}

/* A quick look at every page (`PRAGMA quick_check`: the structure of each b-tree, not the
 * indexes against their tables), so a damaged file is refused before anything is written
 * into it. It reads the whole file: tens of milliseconds for a few thousand merge
 * requests. */
static gboolean
check_integrity (sqlite3  *db,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, "PRAGMA quick_check (1)", error);
  const char *verdict;
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  verdict = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (verdict, "ok") != 0)
    {
      g_debug ("quick_check: %s", verdict != NULL ? verdict : "(nothing)");
      set_damaged_error (error, sqlite3_db_filename (db, "main"));
      return FALSE;
    }
  return TRUE;
}

static void
close_untouched (sqlite3 *db)
{
  /* The last connection to close checkpoints the WAL into the file: not into one we
   * refuse. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  sqlite3_close_v2 (db);
}

/* Runs on the worker thread. Checks everything that can be checked before the file is
 * written to: a database we must refuse is left exactly as it was. One we may not write is
 * opened to read (*out_read_only): what it holds can still be shown. */
static sqlite3 *
open_database (const char  *path,
               guint        schema_version,
               gboolean    *out_read_only,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3 *db = NULL;
  guint found_version = 0;
  gboolean read_only;

  make_store_private (path);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) &&
      !create_database (path, schema_version, error))
    return NULL;

  db = open_connection (path, SQLITE_OPEN_READWRITE, error);
  if (db == NULL)
    return NULL;
  read_only = sqlite3_db_readonly (db, "main") == 1;

  if (!check_integrity (db, &local_error))
    {
      close_untouched (db);
      db = NULL;
      if (!g_error_matches (local_error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);
      read_only = TRUE;
      db = open_read_only_in_place (path, error);
      if (db == NULL || !check_integrity (db, error))
        goto failed;
    }

  if (!read_user_version (db, &found_version, error))
    goto failed;

  if (found_version > schema_version)
    {
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_TOO_NEW,
                   _("Nod’s database was written by a newer version of Nod (schema %u; this "
                     "version knows up to %u). Update Nod to open it."),
                   found_version, schema_version);
      goto failed;
    }

  if (read_only)
    {
      if (found_version < schema_version)
        {
          g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY,
                       _("Nod’s database %s needs upgrading for this version of Nod, but "
                         "it can’t be written to; check the permissions of the file and of "
                         "its folder"), path);
          goto failed;
        }
      *out_read_only = TRUE;
      return db;
    }

  /* WAL with synchronous=FULL: a commit is on disk before the caller hears of it, which
   * is what makes an enqueued action durable before the UI shows it. (A file Nod made
   * is in WAL mode already: then this changes nothing and takes no lock.) */
  if (!nod_store_exec (db, "PRAGMA journal_mode = WAL", error) ||
      !nod_store_exec (db, "PRAGMA synchronous = FULL", error) ||
      !nod_store_exec (db, "PRAGMA foreign_keys = ON", error))
    goto failed;

  if (found_version < schema_version && !migrate (db, schema_version, error))
    goto failed;

  *out_read_only = FALSE;
  return db;

failed:
  if (db != NULL)
    close_untouched (db);
  return NULL;
}

static void
job_free (Job *job)
{
  g_clear_object (&job->task);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static gboolean
run_job (Worker        *worker,
         Job           *job,
         GCancellable  *cancellable,
         GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (job->kind == JOB_OPEN)
    {
      OpenData *data = g_task_get_task_data (job->task);

      g_assert (worker->db == NULL);
      worker->db = open_database (data->path, data->schema_version, &data->read_only, error);
      return worker->db != NULL;
    }

  if (worker->db == NULL)
    {
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_CLOSED,
                   _("Nod’s database is not open"));
      return FALSE;
    }

  return job->work_func (worker->db,
                         job->task != NULL ? g_task_get_task_data (job->task) : job->work_data,
                         cancellable, error);
}

static gpointer
worker_main (gpointer user_data)
{
  Worker *worker = user_data;

  worker->idle_statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   (GDestroyNotify) g_ptr_array_unref);
  g_private_set (&current_worker, worker);

  for (;;)
    {
      Job *job = g_async_queue_pop (worker->jobs);
      g_autoptr(GError) error = NULL;
      gboolean succeeded;

      if (job->kind == JOB_QUIT)
        {
          job_free (job);
          break;
        }

      if (job->task != NULL)
        {
          succeeded = run_job (worker, job, g_task_get_cancellable (job->task), &error);
          if (succeeded)
            g_task_return_boolean (job->task, TRUE);
          else
            g_task_return_error (job->task, g_steal_pointer (&error));
          job_free (job);
        }
      else
        {
          succeeded = run_job (worker, job, job->cancellable, &error);
          g_mutex_lock (&job->mutex);
          job->succeeded = succeeded;
          job->error = g_steal_pointer (&error);
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->mutex);
          /* the waiting caller frees a sync job */
        }
    }

  /* Every statement is finalized before the database closes. */
  g_clear_pointer (&worker->idle_statements, g_hash_table_unref);
  g_private_set (&current_worker, NULL);
  if (worker->db != NULL)
    sqlite3_close_v2 (worker->db);
  g_async_queue_unref (worker->jobs);
  g_free (worker);

  return NULL;
}

static void
nod_store_dispose (GObject *object)
{
  NodStore *self = NOD_STORE (object);

  if (self->thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->kind = JOB_QUIT;
      g_async_queue_push (self->jobs, quit);

      /* Joining ourselves would never return; the worker finishes on its own. */
      if (g_thread_self () == self->thread)
        g_thread_unref (self->thread);
      else
        g_thread_join (self->thread);
      self->thread = NULL;
    }

  G_OBJECT_CLASS (nod_store_parent_class)->dispose (object);
}

static void
nod_store_finalize (GObject *object)
{
  NodStore *self = NOD_STORE (object);

  g_clear_pointer (&self->jobs, g_async_queue_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (nod_store_parent_class)->finalize (object);
}

static void
nod_store_class_init (NodStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_store_dispose;
  object_class->finalize = nod_store_finalize;
}

static void
nod_store_init (NodStore *self)
{
  Worker *worker = g_new0 (Worker, 1);

  self->jobs = g_async_queue_new ();
  worker->jobs = g_async_queue_ref (self->jobs);
  self->thread = g_thread_new ("nod-store", worker_main, worker);
}

static void
push_job (NodStore         *self,
          JobKind           kind,
          GTask            *task,
          NodStoreWorkFunc  work_func)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->task = g_object_ref (task);
  job->work_func = work_func;
  g_async_queue_push (self->jobs, job);
}

/**
 * nod_store_get_default_path:
 *
 * Returns: (transfer full): where Nod keeps its database, `$XDG_DATA_HOME/nod/nod.db`
 */
char *
nod_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "nod", "nod.db", NULL);
}

guint
nod_store_get_schema_version (void)
{
  return NOD_STORE_SCHEMA_VERSION;
}

const char *
nod_store_get_path (NodStore *self)
{
  g_return_val_if_fail (NOD_IS_STORE (self), NULL);

  return self->path;
}

/**
 * nod_store_is_read_only:
 *
 * Returns: whether the database was opened to read only: its file (or folder) can't be
 *   written. What it holds can be shown; every write fails with %NOD_STORE_ERROR_READ_ONLY.
 */
gboolean
nod_store_is_read_only (NodStore *self)
{
  g_return_val_if_fail (NOD_IS_STORE (self), FALSE);

  return self->read_only;
}

static gboolean
probe_write_work (sqlite3       *db,
                  gpointer       work_data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  if (sqlite3_db_readonly (db, "main") == 1)
    {
      nod_store_set_error (error, db, SQLITE_READONLY);
      return FALSE;
    }
  /* Takes the write lock, as any write would, and gives it back: nothing is written. */
  if (!nod_store_begin (db, error))
    return FALSE;
  nod_store_rollback (db);
  return TRUE;
}

/**
 * nod_store_probe_write_async:
 *
 * Finds out whether a write could go through now, without writing: fails with
 * %NOD_STORE_ERROR_READ_ONLY (the file can't be written) or %NOD_STORE_ERROR_BUSY (another
 * program has held the write lock for longer than a write waits). For what only reads, so
 * it can say the data it shows can't change.
 */
void
nod_store_probe_write_async (NodStore            *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_STORE (self));

  nod_store_run_async (self, self, nod_store_probe_write_async, probe_write_work,
                       g_new0 (gboolean, 1), g_free, cancellable, callback, user_data);
}

gboolean
nod_store_probe_write_finish (NodStore      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nod_store_run_finish (result, self, nod_store_probe_write_async, error) != NULL;
}

static void
open_at_version_async (const char          *path,
                       guint                schema_version,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(NodStore) self = g_object_new (NOD_TYPE_STORE, NULL);
  g_autoptr(GTask) task = NULL;
  OpenData *data = g_new0 (OpenData, 1);

  self->path = g_strdup (path);
  data->path = g_strdup (path);
  data->schema_version = schema_version;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_store_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  push_job (self, JOB_OPEN, task, NULL);
}

/**
 * nod_store_open_async:
 * @path: the database file, usually nod_store_get_default_path()
 *
 * Opens (creating if needed) and migrates the database on the store's worker thread.
 * A database from a newer Nod, a damaged file or one that can't be written is refused
 * with a #NodStoreError and left untouched.
 */
void
nod_store_open_async (const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  open_at_version_async (path, NOD_STORE_SCHEMA_VERSION, cancellable, callback, user_data);
}

NodStore *
nod_store_open_finish (GAsyncResult  *result,
                       GError       **error)
{
  GTask *task = G_TASK (result);
  NodStore *self;

  g_return_val_if_fail (g_task_get_source_tag (task) == nod_store_open_async, NULL);

  if (!g_task_propagate_boolean (task, error))
    return NULL;

  self = g_task_get_source_object (task);
  self->read_only = ((OpenData *) g_task_get_task_data (task))->read_only;
  return g_object_ref (self);
}

static void
on_sync_open_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **out_result = user_data;

  *out_result = g_object_ref (result);
}

static NodStore *
open_sync (const char    *path,
           guint          schema_version,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  /* A private context, so that waiting here dispatches nothing else of the caller's. */
  g_main_context_push_thread_default (context);
  open_at_version_async (path, schema_version, cancellable, on_sync_open_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return nod_store_open_finish (result, error);
}

NodStore *
nod_store_open_sync (const char    *path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_sync (path, NOD_STORE_SCHEMA_VERSION, cancellable, error);
}

NodStore *
_nod_store_open_at_version_sync (const char    *path,
                                 guint          schema_version,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_return_val_if_fail (schema_version <= NOD_STORE_SCHEMA_VERSION, NULL);

  return open_sync (path, schema_version, cancellable, error);
}

void
nod_store_queue (NodStore         *self,
                 GTask            *task,
                 NodStoreWorkFunc  work_func)
{
  g_return_if_fail (NOD_IS_STORE (self));
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (work_func != NULL);

  push_job (self, JOB_WORK, task, work_func);
}

/**
 * nod_store_run_async:
 * @source_object: (nullable): the object the call is made on, for the result
 * @work_data: (transfer full): what @work_func reads and fills in
 *
 * The usual shape of a store call: a task with @source_object and @source_tag whose
 * data is @work_data, run by @work_func on the worker thread.
 */
void
nod_store_run_async (NodStore            *self,
                     gpointer             source_object,
                     gpointer             source_tag,
                     NodStoreWorkFunc     work_func,
                     gpointer             work_data,
                     GDestroyNotify       work_data_free,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NOD_IS_STORE (self));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, work_data, work_data_free);
  nod_store_queue (self, task, work_func);
}

/**
 * nod_store_run_finish:
 *
 * Returns: (transfer none): the work data, still owned by @result, or %NULL on error
 */
gpointer
nod_store_run_finish (GAsyncResult  *result,
                      gpointer       source_object,
                      gpointer       source_tag,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

/**
 * nod_store_run_sync:
 *
 * Runs @work_func on the worker thread and waits for it. For the command line and
 * tests; never call it from the GTK main loop, nor from a work function.
 */
gboolean
nod_store_run_sync (NodStore          *self,
                    NodStoreWorkFunc   work_func,
                    gpointer           work_data,
                    GCancellable      *cancellable,
                    GError           **error)
{
  Job *job;
  gboolean succeeded;

  g_return_val_if_fail (NOD_IS_STORE (self), FALSE);
  g_return_val_if_fail (work_func != NULL, FALSE);
  g_return_val_if_fail (g_thread_self () != self->thread, FALSE);

  job = g_new0 (Job, 1);
  job->kind = JOB_WORK;
  job->work_func = work_func;
  job->work_data = work_data;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);

  g_mutex_lock (&job->mutex);
  g_async_queue_push (self->jobs, job);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);

  succeeded = job->succeeded;
  if (job->error != NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));

  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  job_free (job);

  return succeeded;
}
