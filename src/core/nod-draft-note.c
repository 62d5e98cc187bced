/* nod-draft-note.c: one of the reviewer's draft notes on GitLab, not published yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-draft-note.h"
#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodDraftNote, nod_draft_note, G_TYPE_OBJECT)

static void
nod_draft_note_finalize (GObject *object)
{
  NodDraftNote *self = NOD_DRAFT_NOTE (object);

  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->discussion_id, g_free);
  g_clear_pointer (&self->position, nod_diff_position_free);

  G_OBJECT_CLASS (nod_draft_note_parent_class)->finalize (object);
}

static void
nod_draft_note_class_init (NodDraftNoteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_draft_note_finalize;
}

static void
nod_draft_note_init (NodDraftNote *self)
{
}

gint64
nod_draft_note_get_id (NodDraftNote *self)
{
  g_return_val_if_fail (NOD_IS_DRAFT_NOTE (self), 0);
  return self->id;
}

const char *
nod_draft_note_get_body (NodDraftNote *self)
{
  g_return_val_if_fail (NOD_IS_DRAFT_NOTE (self), NULL);
  return self->body;
}

const char *
nod_draft_note_get_discussion_id (NodDraftNote *self)
{
  g_return_val_if_fail (NOD_IS_DRAFT_NOTE (self), NULL);
  return self->discussion_id;
}

gboolean
nod_draft_note_get_resolve_discussion (NodDraftNote *self)
{
  g_return_val_if_fail (NOD_IS_DRAFT_NOTE (self), FALSE);
  return self->resolve_discussion;
}

/**
 * nod_draft_note_get_position:
 *
 * Returns: (nullable): where an inline draft sits on the diff
 */
const NodDiffPosition *
nod_draft_note_get_position (NodDraftNote *self)
{
  g_return_val_if_fail (NOD_IS_DRAFT_NOTE (self), NULL);
  return self->position;
}
