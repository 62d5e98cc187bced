/* nod-store.h: the owner of Nod's SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define NOD_STORE_ERROR (nod_store_error_quark ())

typedef enum
{
  NOD_STORE_ERROR_FAILED,
  NOD_STORE_ERROR_TOO_NEW,
  NOD_STORE_ERROR_CORRUPT,
  NOD_STORE_ERROR_READ_ONLY,
  NOD_STORE_ERROR_BUSY,
  NOD_STORE_ERROR_NO_SPACE,
  NOD_STORE_ERROR_CLOSED,
} NodStoreError;

GQuark nod_store_error_quark (void);

#define NOD_TYPE_STORE (nod_store_get_type ())

G_DECLARE_FINAL_TYPE (NodStore, nod_store, NOD, STORE, GObject)

/* Work run on the store's worker thread, the only thread that ever touches @db.
 * It returns FALSE and sets @error on failure; results go into @work_data. */
typedef gboolean (*NodStoreWorkFunc) (sqlite3       *db,
                                      gpointer       work_data,
                                      GCancellable  *cancellable,
                                      GError       **error);

char       *nod_store_get_default_path (void);
guint       nod_store_get_schema_version (void);

void        nod_store_open_async        (const char           *path,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
NodStore   *nod_store_open_finish       (GAsyncResult         *result,
                                         GError              **error);
NodStore   *nod_store_open_sync         (const char           *path,
                                         GCancellable         *cancellable,
                                         GError              **error);

const char *nod_store_get_path          (NodStore             *self);

/* Queues @task: @work_func runs on the worker thread with the task's data, and its
 * outcome is returned through the task as a boolean. Jobs run one at a time, in order. */
void        nod_store_queue             (NodStore             *self,
                                         GTask                *task,
                                         NodStoreWorkFunc      work_func);
void        nod_store_run_async         (NodStore             *self,
                                         gpointer              source_object,
                                         gpointer              source_tag,
                                         NodStoreWorkFunc      work_func,
                                         gpointer              work_data,
                                         GDestroyNotify        work_data_free,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gpointer    nod_store_run_finish        (GAsyncResult         *result,
                                         gpointer              source_object,
                                         gpointer              source_tag,
                                         GError              **error);
gboolean    nod_store_run_sync          (NodStore             *self,
                                         NodStoreWorkFunc      work_func,
                                         gpointer              work_data,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* Helpers for work functions (worker thread only). */
gboolean    nod_store_exec              (sqlite3              *db,
                                         const char           *sql,
                                         GError              **error);
gboolean    nod_store_begin             (sqlite3              *db,
                                         GError              **error);
gboolean    nod_store_commit            (sqlite3              *db,
                                         GError              **error);
void        nod_store_rollback          (sqlite3              *db);
sqlite3_stmt *nod_store_prepare         (sqlite3              *db,
                                         const char           *sql,
                                         GError              **error);
gboolean    nod_store_step_done         (sqlite3_stmt         *stmt,
                                         GError              **error);
void        nod_store_set_error         (GError              **error,
                                         sqlite3              *db,
                                         int                   result_code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
