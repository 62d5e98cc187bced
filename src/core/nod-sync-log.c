/* nod-sync-log.c: the activity log of sync events, kept in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only writer of the "sync_log" table. Keeping an event is fire-and-forget: the
 * event has already gone to the structured log, and a sync must never wait on, or fail
 * because of, its record. Events kept while a write of them is queued ride in that write:
 * one transaction (one sync to disk) for the events of a moment, not one each, so a job's
 * log rows take little of the store's time from the writes that matter. The table keeps
 * the last 500 by itself (a trigger).
 */

#define G_LOG_DOMAIN "nod-sync-log"

#include "config.h"

#include "nod-store-worker.h"
#include "nod-sync-log.h"
#include "nod-sync-log-private.h"

struct _NodSyncLog
{
  GObject    parent_instance;

  NodStore  *store;

  GMutex     lock;           /* guards the two below: the worker takes what waits */
  GPtrArray *waiting;        /* AddWork, kept and not written yet, oldest first */
  gboolean   write_queued;   /* a write of them is on the store's queue */
};

G_DEFINE_FINAL_TYPE (NodSyncLog, nod_sync_log, G_TYPE_OBJECT)

/* One event on its way to the table, all in plain values: the worker never touches
 * the caller's JSON. */
typedef struct
{
  gint64  at_us;
  gint64  account_id;
  char   *event;
  char   *fields;  /* a JSON object */
} AddWork;

static void
add_work_free (AddWork *work)
{
  g_free (work->event);
  g_free (work->fields);
  g_free (work);
}

static gboolean
insert_event (sqlite3  *db,
              AddWork  *work,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "INSERT INTO sync_log (at_us, account_id, event, fields) "
                            "VALUES (?, NULLIF (?, 0), ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->at_us);
  sqlite3_bind_int64 (stmt, 2, work->account_id);
  sqlite3_bind_text (stmt, 3, work->event, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, work->fields, -1, SQLITE_STATIC);
  return nod_store_step_done (stmt, error);
}

/* Writes every event kept until now, in one transaction. @data is the log. */
static gboolean
write_waiting_work (sqlite3       *db,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  NodSyncLog *self = data;
  g_autoptr(GPtrArray) events = NULL;

  g_mutex_lock (&self->lock);
  events = g_steal_pointer (&self->waiting);
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) add_work_free);
  self->write_queued = FALSE;
  g_mutex_unlock (&self->lock);

  if (!nod_store_begin (db, error))
    return FALSE;
  for (guint i = 0; i < events->len; i++)
    {
      if (!insert_event (db, events->pdata[i], error))
        {
          nod_store_rollback (db);
          return FALSE;
        }
    }
  if (!nod_store_commit (db, error))
    {
      nod_store_rollback (db);
      return FALSE;
    }
  return TRUE;
}

static void
on_added (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (nod_store_run_finish (result, source_object, nod_sync_log_add, &error) == NULL)
    g_debug ("Could not keep a sync event: %s", error->message);
}

/**
 * nod_sync_log_add:
 * @account_id: the account the event is about, or 0
 * @event: its name, such as "sync.job.completed"
 * @fields: (nullable): what the event says; the log keeps a copy
 *
 * Keeps an event, stamped with the current time. Failures are only traced.
 */
void
nod_sync_log_add (NodSyncLog *self,
                  gint64      account_id,
                  const char *event,
                  JsonObject *fields)
{
  nod_sync_log_add_at (self, g_get_real_time (), account_id, event, fields);
}

/**
 * nod_sync_log_add_at:
 * @at_us: when it happened, Unix microseconds
 *
 * Keeps an event that happened earlier, as nod_sync_log_add() does: what a job kept back
 * so that nothing of the log's was written while its POST went.
 */
void
nod_sync_log_add_at (NodSyncLog *self,
                     gint64      at_us,
                     gint64      account_id,
                     const char *event,
                     JsonObject *fields)
{
  g_autoptr(JsonNode) fields_node = json_node_new (JSON_NODE_OBJECT);
  AddWork *work;
  gboolean queue_write;

  g_return_if_fail (NOD_IS_SYNC_LOG (self));
  g_return_if_fail (event != NULL);

  if (fields != NULL)
    json_node_set_object (fields_node, fields);
  else
    json_node_take_object (fields_node, json_object_new ());

  work = g_new0 (AddWork, 1);
  work->at_us = at_us;
  work->account_id = account_id;
  work->event = g_strdup (event);
  work->fields = json_to_string (fields_node, FALSE);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->waiting, work);
  queue_write = !self->write_queued;
  self->write_queued = TRUE;
  g_mutex_unlock (&self->lock);

  if (queue_write)
    nod_store_run_async (self->store, self, nod_sync_log_add, write_waiting_work, self, NULL,
                         NULL, on_added, NULL);
}

/* Runs inside the caller's transaction: removing an account forgets its activity too. */
gboolean
_nod_sync_log_forget_account (sqlite3  *db,
                              gint64    account_id,
                              GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db, "DELETE FROM sync_log WHERE account_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  return nod_store_step_done (stmt, error);
}

static void
nod_sync_log_dispose (GObject *object)
{
  NodSyncLog *self = NOD_SYNC_LOG (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_sync_log_parent_class)->dispose (object);
}

static void
nod_sync_log_finalize (GObject *object)
{
  NodSyncLog *self = NOD_SYNC_LOG (object);

  g_ptr_array_unref (self->waiting);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (nod_sync_log_parent_class)->finalize (object);
}

static void
nod_sync_log_class_init (NodSyncLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_sync_log_dispose;
  object_class->finalize = nod_sync_log_finalize;
}

static void
nod_sync_log_init (NodSyncLog *self)
{
  g_mutex_init (&self->lock);
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) add_work_free);
}

NodSyncLog *
nod_sync_log_new (NodStore *store)
{
  NodSyncLog *self;

  g_return_val_if_fail (NOD_IS_STORE (store), NULL);

  self = g_object_new (NOD_TYPE_SYNC_LOG, NULL);
  self->store = g_object_ref (store);
  return self;
}
