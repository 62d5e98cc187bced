/* nod-account.h: one GitLab account Nod syncs (an instance and who signed in there)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_ACCOUNT (nod_account_get_type ())

G_DECLARE_FINAL_TYPE (NodAccount, nod_account, NOD, ACCOUNT, GObject)

NodAccount *nod_account_new          (gint64      id,
                                      const char *base_url,
                                      const char *username);
gint64      nod_account_get_id       (NodAccount *self);
const char *nod_account_get_base_url (NodAccount *self);
const char *nod_account_get_username (NodAccount *self);
char       *nod_account_dup_host     (NodAccount *self);
char       *nod_account_dup_title    (NodAccount *self);
gboolean    nod_account_get_signed_in (NodAccount *self);
void        nod_account_set_signed_in (NodAccount *self,
                                       gboolean    signed_in);
gboolean    nod_account_get_one_off   (NodAccount *self);
void        nod_account_set_one_off   (NodAccount *self,
                                       gboolean    one_off);

G_END_DECLS
