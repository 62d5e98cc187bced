/* nod-session.h: Nod's data, accounts and sync engine, opened once for the app or a command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-accounts.h"
#include "nod-diff-cache.h"
#include "nod-review-cache.h"
#include "nod-sync-engine.h"

G_BEGIN_DECLS

typedef enum
{
  NOD_SESSION_FLAGS_NONE       = 0,
  /* Tokens live in this process only: none is read from the keyring or written to it, and
   * the accounts kept from earlier runs are not synced (their tokens are not known here).
   * For the demo, and the command line's one-off GITLAB_URL + GITLAB_TOKEN account. */
  NOD_SESSION_FLAGS_NO_KEYRING = 1 << 0,
} NodSessionFlags;

#define NOD_TYPE_SESSION (nod_session_get_type ())

G_DECLARE_FINAL_TYPE (NodSession, nod_session, NOD, SESSION, GObject)

void            nod_session_open_async            (const char           *path,
                                                   NodSessionFlags       flags,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
NodSession     *nod_session_open_finish           (GAsyncResult         *result,
                                                   GError              **error);

NodSyncEngine  *nod_session_get_engine            (NodSession           *self);
NodAccounts    *nod_session_get_accounts          (NodSession           *self);
NodReviewCache *nod_session_get_cache             (NodSession           *self);
NodOutbox      *nod_session_get_outbox            (NodSession           *self);
NodDiffCache   *nod_session_get_diff_cache        (NodSession           *self);
NodAccount     *nod_session_get_signed_in_account (NodSession           *self);
NodForge       *nod_session_get_forge             (NodSession           *self,
                                                   gint64                account_id);

void            nod_session_sign_in_async         (NodSession           *self,
                                                   const char           *base_url,
                                                   const char           *token,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
NodAccount     *nod_session_sign_in_finish        (NodSession           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void            nod_session_use_token_async       (NodSession           *self,
                                                   const char           *base_url,
                                                   const char           *token,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
const char     *nod_session_explain_sign_in_error (const GError         *error);
char           *nod_session_dup_instance_url      (const char           *typed,
                                                   GError              **error);
char           *nod_session_dup_token_page_url    (const char           *instance_url);

void            nod_session_sign_out_async        (NodSession           *self,
                                                   gint64                account_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        nod_session_sign_out_finish       (NodSession           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void            nod_session_remove_account_async  (NodSession           *self,
                                                   gint64                account_id,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        nod_session_remove_account_finish (NodSession           *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
