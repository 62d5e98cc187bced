/* nod-discussion.h: a thread of notes on a merge request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-note.h"

G_BEGIN_DECLS

#define NOD_TYPE_DISCUSSION (nod_discussion_get_type ())

G_DECLARE_FINAL_TYPE (NodDiscussion, nod_discussion, NOD, DISCUSSION, GObject)

const char *nod_discussion_get_id              (NodDiscussion *self);
gboolean    nod_discussion_get_individual_note (NodDiscussion *self);
GPtrArray  *nod_discussion_get_notes           (NodDiscussion *self);
gboolean    nod_discussion_get_resolvable      (NodDiscussion *self);
gboolean    nod_discussion_get_resolved        (NodDiscussion *self);
NodUser    *nod_discussion_get_resolved_by     (NodDiscussion *self);
gboolean    nod_discussion_get_resolve_pending (NodDiscussion *self);

G_END_DECLS
