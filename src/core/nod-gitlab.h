/* nod-gitlab.h: the GitLab REST v4 backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-clock.h"
#include "nod-forge.h"

G_BEGIN_DECLS

/* How long a request may wait with no progress at all (libsoup's timeout). */
#define NOD_GITLAB_DEFAULT_TIMEOUT_S 30
/* How long a request may take in all, its answer's body included. GitLab itself gives up on
 * a request after 60 s (Puma's worker timeout), so an answer still coming after that is a
 * server or a link gone wrong: a slow drip of bytes would otherwise hold a command forever,
 * since the idle timeout only bounds the gap between bytes. */
#define NOD_GITLAB_DEFAULT_DEADLINE_S 60
/* Connections to the server at once: the texts a pull fetches together
 * (NOD_DIFF_FETCH_PARALLEL) and room for the reviewer's own actions beside them. */
#define NOD_GITLAB_MAX_CONNECTIONS 8

#define NOD_TYPE_GITLAB (nod_gitlab_get_type ())

G_DECLARE_FINAL_TYPE (NodGitlab, nod_gitlab, NOD, GITLAB, GObject)

NodGitlab  *nod_gitlab_new            (const char  *base_url,
                                       const char  *token,
                                       GError     **error);
const char *nod_gitlab_get_base_url   (NodGitlab   *self);
void        nod_gitlab_set_timeout    (NodGitlab   *self,
                                       guint        seconds);
void        nod_gitlab_set_clock      (NodGitlab   *self,
                                       NodClock    *clock);
void        nod_gitlab_set_deadline   (NodGitlab   *self,
                                       guint        seconds);

gboolean    nod_gitlab_check_base_url (const char  *base_url,
                                       gboolean     allow_insecure,
                                       GError     **error);

G_END_DECLS
