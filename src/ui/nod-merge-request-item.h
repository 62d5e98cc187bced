/* nod-merge-request-item.h: one merge request in the window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-merge-request-view.h"

G_BEGIN_DECLS

typedef enum
{
  NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW,
  NOD_MERGE_REQUEST_FILTER_ASSIGNED,
  NOD_MERGE_REQUEST_FILTER_AUTHORED,
  NOD_MERGE_REQUEST_FILTER_ALL,
} NodMergeRequestFilter;

#define NOD_TYPE_MERGE_REQUEST_ITEM (nod_merge_request_item_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequestItem, nod_merge_request_item, NOD, MERGE_REQUEST_ITEM,
                      GObject)

NodMergeRequestItem       *nod_merge_request_item_new         (gint64               account_id,
                                                               NodMergeRequestView *view);
void                       nod_merge_request_item_set_view    (NodMergeRequestItem *self,
                                                               NodMergeRequestView *view);
char                      *nod_merge_request_item_dup_key     (NodMergeRequestItem *self);
char                      *nod_merge_request_key              (gint64               account_id,
                                                               const NodMergeRequestView *view);
gint64                     nod_merge_request_item_get_account_id (NodMergeRequestItem *self);
const NodMergeRequestView *nod_merge_request_item_get_view    (NodMergeRequestItem *self);
char                      *nod_merge_request_item_dup_reference (NodMergeRequestItem *self);
gboolean                   nod_merge_request_item_matches      (NodMergeRequestItem  *self,
                                                                NodMergeRequestFilter filter,
                                                                const char           *search);

void                       nod_merge_request_item_mark_opened (NodMergeRequestItem *self);

G_END_DECLS
