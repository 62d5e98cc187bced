/* nod-status-indicator.h: the status bar along the bottom of the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-outbox.h"
#include "nod-sync-status.h"

G_BEGIN_DECLS

#define NOD_TYPE_STATUS_INDICATOR (nod_status_indicator_get_type ())

G_DECLARE_FINAL_TYPE (NodStatusIndicator, nod_status_indicator, NOD, STATUS_INDICATOR, GtkWidget)

GtkWidget     *nod_status_indicator_new                  (NodSyncStatus      *status,
                                                          NodOutbox          *outbox);

NodSyncStatus *nod_status_indicator_get_status           (NodStatusIndicator *self);
void           nod_status_indicator_set_status           (NodStatusIndicator *self,
                                                          NodSyncStatus      *status);
NodOutbox     *nod_status_indicator_get_outbox           (NodStatusIndicator *self);
void           nod_status_indicator_set_outbox           (NodStatusIndicator *self,
                                                          NodOutbox          *outbox);

const char    *nod_status_indicator_get_text             (NodStatusIndicator *self);
gboolean       nod_status_indicator_get_progress_visible (NodStatusIndicator *self);
GtkWidget     *nod_status_indicator_get_popover          (NodStatusIndicator *self);
/* The outbox's rows changed with no count changing (a text edited): list them again. */
void           nod_status_indicator_reload               (NodStatusIndicator *self);

G_END_DECLS
