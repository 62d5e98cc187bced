/* nod-accounts.h: the accounts Nod syncs, as a list model kept in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-account.h"
#include "nod-rate-limit.h"
#include "nod-store.h"

G_BEGIN_DECLS

#define NOD_TYPE_ACCOUNTS (nod_accounts_get_type ())

G_DECLARE_FINAL_TYPE (NodAccounts, nod_accounts, NOD, ACCOUNTS, GObject)

NodAccounts *nod_accounts_new            (NodStore             *store);
NodAccount  *nod_accounts_find           (NodAccounts          *self,
                                          gint64                account_id);

void         nod_accounts_load_async     (NodAccounts          *self,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean     nod_accounts_load_finish    (NodAccounts          *self,
                                          GAsyncResult         *result,
                                          GError              **error);

void         nod_accounts_add_async      (NodAccounts          *self,
                                          const char           *base_url,
                                          const char           *username,
                                          gint64                user_id,
                                          gboolean              one_off,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
NodAccount  *nod_accounts_add_finish     (NodAccounts          *self,
                                          GAsyncResult         *result,
                                          GError              **error);

NodRateLimit *nod_accounts_dup_rate_limit       (NodAccounts          *self,
                                                gint64                account_id);
void         nod_accounts_save_rate_limit_async  (NodAccounts          *self,
                                                  gint64                account_id,
                                                  const NodRateLimit   *rate_limit,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     nod_accounts_save_rate_limit_finish (NodAccounts          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

void         nod_accounts_remove_async   (NodAccounts          *self,
                                          gint64                account_id,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean     nod_accounts_remove_finish  (NodAccounts          *self,
                                          GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS
