/* nod-user.h: a GitLab user as Nod shows one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define NOD_TYPE_USER (nod_user_get_type ())

G_DECLARE_FINAL_TYPE (NodUser, nod_user, NOD, USER, GObject)

gint64      nod_user_get_id         (NodUser *self);
const char *nod_user_get_username   (NodUser *self);
const char *nod_user_get_name       (NodUser *self);
const char *nod_user_get_web_url    (NodUser *self);
const char *nod_user_get_avatar_url (NodUser *self);
const char *nod_user_get_display_name (NodUser *self);
char       *nod_user_describe       (NodUser *self);
char       *nod_users_join_display_names (GPtrArray *users);
char       *nod_users_join_descriptions  (GPtrArray *users);

NodUser    *nod_user_new            (const char *username,
                                     const char *name,
                                     const char *avatar_url);

G_END_DECLS
