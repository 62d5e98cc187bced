/* nod-store.h: the owner of Nod's SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a user of a store needs: open it, hand it to the modules that own its tables.
 * Those modules run their SQL through nod-store-worker.h.
 */
#pragma once

#include <gio/gio.h>

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
gboolean    nod_store_is_read_only      (NodStore             *self);

void        nod_store_probe_write_async (NodStore             *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean    nod_store_probe_write_finish (NodStore            *self,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
