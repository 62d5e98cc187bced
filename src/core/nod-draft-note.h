/* nod-draft-note.h: one of the reviewer's draft notes on GitLab, not published yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-note.h"

G_BEGIN_DECLS

#define NOD_TYPE_DRAFT_NOTE (nod_draft_note_get_type ())

G_DECLARE_FINAL_TYPE (NodDraftNote, nod_draft_note, NOD, DRAFT_NOTE, GObject)

gint64                 nod_draft_note_get_id                 (NodDraftNote *self);
const char            *nod_draft_note_get_body               (NodDraftNote *self);
/* The thread it replies to, or NULL for a draft that starts one. */
const char            *nod_draft_note_get_discussion_id      (NodDraftNote *self);
gboolean               nod_draft_note_get_resolve_discussion (NodDraftNote *self);
const NodDiffPosition *nod_draft_note_get_position           (NodDraftNote *self);

G_END_DECLS
