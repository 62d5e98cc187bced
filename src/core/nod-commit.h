/* nod-commit.h: one commit of a merge request, as GitLab lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The most commits kept of one merge request; a first page of GitLab's list is 100. */
#define NOD_COMMIT_MAX_PER_MERGE_REQUEST 250

#define NOD_TYPE_COMMIT (nod_commit_get_type ())

G_DECLARE_FINAL_TYPE (NodCommit, nod_commit, NOD, COMMIT, GObject)

NodCommit  *nod_commit_new               (const char *sha,
                                          const char *short_id,
                                          const char *title,
                                          const char *author_name,
                                          const char *authored_date,
                                          const char *web_url);
const char *nod_commit_get_sha           (NodCommit  *self);
const char *nod_commit_get_short_id      (NodCommit  *self);
const char *nod_commit_get_title         (NodCommit  *self);
const char *nod_commit_get_author_name   (NodCommit  *self);
const char *nod_commit_get_authored_date (NodCommit  *self);
const char *nod_commit_get_web_url       (NodCommit  *self);

G_END_DECLS
