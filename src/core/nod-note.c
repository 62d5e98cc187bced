/* nod-note.c: one note (comment) of a discussion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodNote, nod_note, G_TYPE_OBJECT)

NodDiffPosition *
nod_diff_position_new (void)
{
  NodDiffPosition *position = g_new0 (NodDiffPosition, 1);

  position->old_line = -1;
  position->new_line = -1;
  return position;
}

void
nod_diff_position_free (NodDiffPosition *position)
{
  g_free (position->base_sha);
  g_free (position->start_sha);
  g_free (position->head_sha);
  g_free (position->old_path);
  g_free (position->new_path);
  g_free (position);
}

NodDiffPosition *
nod_diff_position_copy (const NodDiffPosition *position)
{
  NodDiffPosition *copy = g_new0 (NodDiffPosition, 1);

  copy->base_sha = g_strdup (position->base_sha);
  copy->start_sha = g_strdup (position->start_sha);
  copy->head_sha = g_strdup (position->head_sha);
  copy->old_path = g_strdup (position->old_path);
  copy->new_path = g_strdup (position->new_path);
  copy->old_line = position->old_line;
  copy->new_line = position->new_line;
  return copy;
}

gboolean
nod_diff_position_equal (const NodDiffPosition *a,
                         const NodDiffPosition *b)
{
  return g_strcmp0 (a->base_sha, b->base_sha) == 0 &&
         g_strcmp0 (a->start_sha, b->start_sha) == 0 &&
         g_strcmp0 (a->head_sha, b->head_sha) == 0 &&
         g_strcmp0 (a->old_path, b->old_path) == 0 &&
         g_strcmp0 (a->new_path, b->new_path) == 0 &&
         a->old_line == b->old_line &&
         a->new_line == b->new_line;
}

static void
nod_note_dispose (GObject *object)
{
  NodNote *self = NOD_NOTE (object);

  g_clear_object (&self->author);
  g_clear_object (&self->resolved_by);

  G_OBJECT_CLASS (nod_note_parent_class)->dispose (object);
}

static void
nod_note_finalize (GObject *object)
{
  NodNote *self = NOD_NOTE (object);

  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  g_clear_pointer (&self->resolved_at, g_date_time_unref);
  g_clear_pointer (&self->position, nod_diff_position_free);

  G_OBJECT_CLASS (nod_note_parent_class)->finalize (object);
}

static void
nod_note_class_init (NodNoteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_note_dispose;
  object_class->finalize = nod_note_finalize;
}

static void
nod_note_init (NodNote *self)
{
}

gint64
nod_note_get_id (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), 0);
  return self->id;
}

const char *
nod_note_get_body (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->body;
}

NodUser *
nod_note_get_author (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->author;
}

gboolean
nod_note_get_system (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), FALSE);
  return self->system;
}

gboolean
nod_note_get_resolvable (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), FALSE);
  return self->resolvable;
}

gboolean
nod_note_get_resolved (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), FALSE);
  return self->resolved;
}

/**
 * nod_note_get_resolved_by:
 *
 * Returns: (transfer none) (nullable): who resolved the note's thread, as GitLab says
 */
NodUser *
nod_note_get_resolved_by (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->resolved_by;
}

GDateTime *
nod_note_get_resolved_at (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->resolved_at;
}

GDateTime *
nod_note_get_created_at (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->created_at;
}

GDateTime *
nod_note_get_updated_at (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->updated_at;
}

const NodDiffPosition *
nod_note_get_position (NodNote *self)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), NULL);
  return self->position;
}

gboolean
nod_note_is_written_by (NodNote    *self,
                        const char *username)
{
  g_return_val_if_fail (NOD_IS_NOTE (self), FALSE);
  return !self->system && username != NULL &&
         g_strcmp0 (nod_user_get_username (self->author), username) == 0;
}
