/* nod-thread-view.h: one discussion on a merge request's page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-discussion.h"
#include "nod-outbox-action.h"

G_BEGIN_DECLS

#define NOD_TYPE_THREAD_VIEW (nod_thread_view_get_type ())

G_DECLARE_FINAL_TYPE (NodThreadView, nod_thread_view, NOD, THREAD_VIEW, GtkWidget)

NodThreadView *nod_thread_view_new          (const char    *discussion_id);
const char    *nod_thread_view_get_discussion_id (NodThreadView *self);
gboolean       nod_thread_view_get_resolved (NodThreadView *self);
gboolean       nod_thread_view_get_resolvable (NodThreadView *self);
gboolean       nod_thread_view_get_folded   (NodThreadView *self);
void           nod_thread_view_update       (NodThreadView *self,
                                             NodDiscussion *discussion,
                                             GPtrArray     *actions,
                                             GDateTime     *now);
gboolean       nod_thread_view_focus_reply  (NodThreadView *self);
gboolean       nod_thread_view_toggle_resolved (NodThreadView *self);
void           nod_thread_view_set_own_username (NodThreadView *self,
                                                 const char    *username);
void           nod_thread_view_set_suggestion_file (NodThreadView *self,
                                                    GBytes        *new_text);

G_END_DECLS
