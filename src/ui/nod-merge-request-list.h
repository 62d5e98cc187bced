/* nod-merge-request-list.h: the sidebar's list of merge requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-merge-request-item.h"
#include "nod-review-cache.h"

G_BEGIN_DECLS

#define NOD_TYPE_MERGE_REQUEST_LIST (nod_merge_request_list_get_type ())

G_DECLARE_FINAL_TYPE (NodMergeRequestList, nod_merge_request_list, NOD, MERGE_REQUEST_LIST,
                      GtkWidget)

void                  nod_merge_request_list_set_source      (NodMergeRequestList  *self,
                                                              NodReviewCache       *cache,
                                                              GListModel           *accounts);
void                  nod_merge_request_list_reload          (NodMergeRequestList  *self);
void                  nod_merge_request_list_schedule_reload (NodMergeRequestList  *self,
                                                              guint                 delay_ms);
gboolean              nod_merge_request_list_is_loading      (NodMergeRequestList  *self);
gboolean              nod_merge_request_list_is_empty        (NodMergeRequestList  *self);
GListModel           *nod_merge_request_list_get_model       (NodMergeRequestList  *self);

NodMergeRequestItem  *nod_merge_request_list_get_selected    (NodMergeRequestList  *self);
gboolean              nod_merge_request_list_select          (NodMergeRequestList  *self,
                                                              gint64                project_id,
                                                              gint64                iid);
void                  nod_merge_request_list_move_selection  (NodMergeRequestList  *self,
                                                              int                   step);

NodMergeRequestFilter nod_merge_request_list_get_filter_mode (NodMergeRequestList  *self);
void                  nod_merge_request_list_set_filter_mode (NodMergeRequestList  *self,
                                                              NodMergeRequestFilter mode);
const char           *nod_merge_request_list_get_search      (NodMergeRequestList  *self);
void                  nod_merge_request_list_set_search      (NodMergeRequestList  *self,
                                                              const char           *search);

gboolean              nod_merge_request_list_focus_selected (NodMergeRequestList *self);

G_END_DECLS
