/* nod-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-session.h"

G_BEGIN_DECLS

#define NOD_TYPE_APPLICATION (nod_application_get_type ())

G_DECLARE_FINAL_TYPE (NodApplication, nod_application, NOD, APPLICATION, AdwApplication)

NodApplication *nod_application_new          (void);
NodSyncEngine  *nod_application_get_engine   (NodApplication *self);
NodAccounts    *nod_application_get_accounts (NodApplication *self);
NodSession     *nod_application_get_session  (NodApplication *self);
gboolean        nod_application_get_demo     (NodApplication *self);
const char     *nod_application_get_startup_error (NodApplication *self);
void            nod_application_set_demo     (NodApplication *self,
                                              guint           latency_ms,
                                              guint           n_generated);
const char     *nod_application_get_demo_base_url (NodApplication *self);

G_END_DECLS
