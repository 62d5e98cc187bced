/* nod-credentials.h: GitLab access tokens, kept in the keyring (the Secret Service)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NOD_CREDENTIALS_ERROR (nod_credentials_error_quark ())

typedef enum
{
  NOD_CREDENTIALS_ERROR_UNAVAILABLE, /* no Secret Service (or no session bus) to talk to */
  NOD_CREDENTIALS_ERROR_LOCKED,      /* the keyring stayed locked: the user refused to unlock */
  NOD_CREDENTIALS_ERROR_FAILED,      /* anything else the keyring answered */
} NodCredentialsError;

GQuark   nod_credentials_error_quark    (void);

/* One token per account: an account is its instance's @base_url (compared as written, so
 * callers pass it in one canonical form) and the @username signed in there. Cancellation
 * is reported as G_IO_ERROR_CANCELLED. */

void     nod_credentials_store_async    (const char           *base_url,
                                         const char           *username,
                                         const char           *token,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean nod_credentials_store_finish   (GAsyncResult         *result,
                                         GError              **error);

void     nod_credentials_lookup_async   (const char           *base_url,
                                         const char           *username,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* NULL with no error: no token is stored for the account. Free the token with
 * nod_credentials_token_free () once it is handed on. */
char    *nod_credentials_lookup_finish  (GAsyncResult         *result,
                                         GError              **error);

void     nod_credentials_clear_async    (const char           *base_url,
                                         const char           *username,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean nod_credentials_clear_finish   (GAsyncResult         *result,
                                         GError              **error);

/* Wipes a token from memory, then frees it. */
void     nod_credentials_token_free     (char                 *token);

G_END_DECLS
