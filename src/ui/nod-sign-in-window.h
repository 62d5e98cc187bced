/* nod-sign-in-window.h: adding a GitLab account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-session.h"

G_BEGIN_DECLS

#define NOD_TYPE_SIGN_IN_WINDOW (nod_sign_in_window_get_type ())

G_DECLARE_FINAL_TYPE (NodSignInWindow, nod_sign_in_window, NOD, SIGN_IN_WINDOW, AdwWindow)

NodSignInWindow *nod_sign_in_window_new          (NodSession      *session);
void             nod_sign_in_window_set_base_url (NodSignInWindow *self,
                                                  const char      *base_url);

G_END_DECLS
