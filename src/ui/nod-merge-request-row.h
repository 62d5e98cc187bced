/* nod-merge-request-row.h: a merge request in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-merge-request-item.h"

G_BEGIN_DECLS

#define NOD_TYPE_MERGE_REQUEST_ROW (nod_merge_request_row_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequestRow, nod_merge_request_row, NOD, MERGE_REQUEST_ROW,
                      GtkWidget)

GtkWidget  *nod_merge_request_row_new         (void);
void        nod_merge_request_row_set_item    (NodMergeRequestRow  *self,
                                               NodMergeRequestItem *item,
                                               GDateTime           *now);
const char *nod_merge_request_row_get_marker  (NodMergeRequestRow  *self);
const char *nod_merge_request_row_get_pipeline_description (NodMergeRequestRow *self);
gboolean    nod_merge_request_row_get_unread  (NodMergeRequestRow  *self);

G_END_DECLS
