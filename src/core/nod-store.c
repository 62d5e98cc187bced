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
  char  *path;
  guint  schema_version;
} OpenData;

struct _NodStore
{
  GObject      parent_instance;

  char        *path;
  GAsyncQueue *jobs;
  GThread     *thread;
};

G_DEFINE_FINAL_TYPE (NodStore, nod_store, G_TYPE_OBJECT)

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_free (data);
}

void
nod_store_set_error (GError  **error,
                     sqlite3  *db,
                     int       result_code)
{
  int primary = result_code & 0xff;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (result_code);

  g_debug ("SQLite error %d: %s", result_code, detail);

  switch (primary)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_CORRUPT,
                   _("Nod’s database is damaged or is not a Nod database"));
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY,
                   _("Nod’s database can’t be written to; check the permissions of its file"));
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_BUSY,
                   _("Nod’s database is in use by another program"));
      break;

    case SQLITE_FULL:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_NO_SPACE,
                   _("There is no space left on the disk to save Nod’s data"));
      break;

    case SQLITE_CANTOPEN:
      g_set_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_FAILED,
                   _("Nod’s database can’t be opened"));
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

static gboolean
migrate (sqlite3  *db,
         guint     from_version,
         guint     to_version,
         GError  **error)
{
  for (guint version = from_version + 1; version <= to_version; version++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %u", version);

      g_debug ("Migrating database to schema %u", version);

      if (!nod_store_begin (db, error))
        return FALSE;

      if (!nod_store_exec (db, nod_store_migrations[version - 1], error) ||
          !nod_store_exec (db, set_version, error) ||
          !nod_store_commit (db, error))
        {
          nod_store_rollback (db);
          g_prefix_error (error, _("Could not upgrade Nod’s database: "));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder for Nod’s database: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* Created here rather than by SQLite so that it is private from the first byte;
   * SQLite gives its -wal and -shm files the same mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      if (saved_errno == EEXIST)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create Nod’s database: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  g_close (fd, NULL);
  return TRUE;
}

/* Runs on the worker thread. Checks everything that can be checked before the file is
 * written to: a database we must refuse is left exactly as it was. */
static sqlite3 *
open_database (const char  *path,
               guint        schema_version,
               GError     **error)
{
  sqlite3 *db = NULL;
  guint found_version = 0;
  int rc;

  if (!create_private_file (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      nod_store_set_error (error, db, rc);
      sqlite3_close_v2 (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, NOD_STORE_BUSY_TIMEOUT_MS);

  /* SQLite quietly opens a file it may not write as read-only; we need to write. */
  if (sqlite3_db_readonly (db, "main") == 1)
    {
      nod_store_set_error (error, db, SQLITE_READONLY);
      sqlite3_close_v2 (db);
      return NULL;
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

  /* WAL with synchronous=FULL: a commit is on disk before the caller hears of it, which
   * is what makes an enqueued action durable before the UI shows it. */
  if (!nod_store_exec (db, "PRAGMA journal_mode = WAL", error) ||
      !nod_store_exec (db, "PRAGMA synchronous = FULL", error) ||
      !nod_store_exec (db, "PRAGMA foreign_keys = ON", error))
    goto failed;

  if (!migrate (db, found_version, schema_version, error))
    goto failed;

  return db;

failed:
  sqlite3_close_v2 (db);
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
      worker->db = open_database (data->path, data->schema_version, error);
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

  g_return_val_if_fail (g_task_get_source_tag (task) == nod_store_open_async, NULL);

  if (!g_task_propagate_boolean (task, error))
    return NULL;

  return g_object_ref (g_task_get_source_object (task));
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
