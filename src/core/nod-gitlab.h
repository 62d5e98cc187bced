/* nod-gitlab.h: the GitLab REST v4 backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-forge.h"

G_BEGIN_DECLS

#define NOD_GITLAB_DEFAULT_TIMEOUT_S 30

#define NOD_TYPE_GITLAB (nod_gitlab_get_type ())

G_DECLARE_FINAL_TYPE (NodGitlab, nod_gitlab, NOD, GITLAB, GObject)

NodGitlab  *nod_gitlab_new            (const char  *base_url,
                                       const char  *token,
                                       GError     **error);
const char *nod_gitlab_get_base_url   (NodGitlab   *self);
void        nod_gitlab_set_timeout    (NodGitlab   *self,
                                       guint        seconds);

gboolean    nod_gitlab_check_base_url (const char  *base_url,
                                       gboolean     allow_insecure,
                                       GError     **error);

G_END_DECLS
