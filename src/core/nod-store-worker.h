/* nod-store-worker.h: what the modules that own tables run on the store's worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the core modules that own a table include this, and tests: SQL, and SQLite's
 * header, stay out of everything else (tests/check-ownership.sh checks it). Each table
 * has one owner, which alone writes it; an owner that must change another's table in
 * its own transaction calls that owner's worker-side function (nod-outbox-private.h,
 * nod-sync-log-private.h).
 */
#pragma once

#include <sqlite3.h>

#include "nod-store.h"

G_BEGIN_DECLS

/* Work run on the store's worker thread, the only thread that ever touches @db.
 * It returns FALSE and sets @error on failure; results go into @work_data. */
typedef gboolean (*NodStoreWorkFunc) (sqlite3       *db,
                                      gpointer       work_data,
                                      GCancellable  *cancellable,
                                      GError       **error);

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
void        nod_store_release           (sqlite3_stmt         *stmt);
gboolean    nod_store_step_done         (sqlite3_stmt         *stmt,
                                         GError              **error);
void        nod_store_set_error         (GError              **error,
                                         sqlite3              *db,
                                         int                   result_code);

/* Statements from nod_store_prepare () go back to the worker's cache, not to SQLite. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, nod_store_release)

G_END_DECLS
