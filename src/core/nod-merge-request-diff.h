/* nod-merge-request-diff.h: the change a merge request makes at one head: its refs and files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-diff-file.h"

G_BEGIN_DECLS

#define NOD_TYPE_MERGE_REQUEST_DIFF (nod_merge_request_diff_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequestDiff, nod_merge_request_diff, NOD, MERGE_REQUEST_DIFF, GObject)

/* GitLab's diff_refs: the diff is start → head, its old line numbers are base's. @files
 * (NodDiffFile *) is taken, in GitLab's order; NULL is none. */
NodMergeRequestDiff *nod_merge_request_diff_new           (const char          *base_sha,
                                                           const char          *start_sha,
                                                           const char          *head_sha,
                                                           GPtrArray           *files);

const char          *nod_merge_request_diff_get_base_sha  (NodMergeRequestDiff *self);
const char          *nod_merge_request_diff_get_start_sha (NodMergeRequestDiff *self);
const char          *nod_merge_request_diff_get_head_sha  (NodMergeRequestDiff *self);
GPtrArray           *nod_merge_request_diff_get_files     (NodMergeRequestDiff *self);
/* GitLab's id of this version (…/versions/:id), 0 when not known. */
gint64               nod_merge_request_diff_get_version_id (NodMergeRequestDiff *self);
void                 nod_merge_request_diff_set_version_id (NodMergeRequestDiff *self,
                                                            gint64               version_id);
/* The file whose old or new path is @path, or NULL. */
NodDiffFile         *nod_merge_request_diff_find_file     (NodMergeRequestDiff *self,
                                                           const char          *path);
void                 nod_merge_request_diff_count         (NodMergeRequestDiff *self,
                                                           guint               *additions,
                                                           guint               *deletions);

/* The paths (nod_diff_file_get_path) of @self's files that differ from @earlier's: a file
 * whose new text's blob sha differs (when both are known), or whose diff digest differs
 * (when not), or that @earlier does not have; also files @earlier changed that @self no
 * longer does (they went back to the target's text). Sorted, owned strings. Used for
 * "changed since you approved". */
GPtrArray           *nod_merge_request_diff_changed_since (NodMergeRequestDiff *self,
                                                           NodMergeRequestDiff *earlier);

G_END_DECLS
