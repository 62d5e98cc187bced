/* nod-store-private.h: what tests need to build older databases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-store.h"

G_BEGIN_DECLS

/* Opens @path migrating only up to @schema_version (≤ the current one), so a test can
 * make a database as an older Nod left it. */
NodStore *_nod_store_open_at_version_sync (const char    *path,
                                           guint          schema_version,
                                           GCancellable  *cancellable,
                                           GError       **error);

G_END_DECLS
