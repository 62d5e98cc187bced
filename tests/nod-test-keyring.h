/* nod-test-keyring.h: a keyring of the test's own, for the cases that keep tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* A session bus of the test's own with gnome-keyring-daemon on it. */
typedef struct _NodTestKeyring NodTestKeyring;

/* The password of a private keyring's login keyring. */
#define NOD_TEST_KEYRING_PASSWORD "nod-test-keyring"

NodTestKeyring   *nod_test_keyring_start         (char                  **out_reason);
NodTestKeyring   *nod_test_keyring_set_up        (char                  **out_missing_reason);
void              nod_test_keyring_stop          (NodTestKeyring         *keyring);
char             *nod_test_keyring_check_default (void);
SecretCollection *nod_test_keyring_get_default   (SecretCollectionFlags   flags,
                                                  GError                **error);
void              nod_test_stop_private_bus      (GTestDBus              *bus);

G_END_DECLS
