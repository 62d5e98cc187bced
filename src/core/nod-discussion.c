/* nod-discussion.c: a thread of notes on a merge request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-models-private.h"

G_DEFINE_FINAL_TYPE (NodDiscussion, nod_discussion, G_TYPE_OBJECT)

static void
nod_discussion_dispose (GObject *object)
{
  NodDiscussion *self = NOD_DISCUSSION (object);

  g_clear_pointer (&self->notes, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_discussion_parent_class)->dispose (object);
}

static void
nod_discussion_finalize (GObject *object)
{
  NodDiscussion *self = NOD_DISCUSSION (object);

  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (nod_discussion_parent_class)->finalize (object);
}

static void
nod_discussion_class_init (NodDiscussionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_discussion_dispose;
  object_class->finalize = nod_discussion_finalize;
}

static void
nod_discussion_init (NodDiscussion *self)
{
  self->notes = g_ptr_array_new_with_free_func (g_object_unref);
}

const char *
nod_discussion_get_id (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), NULL);
  return self->id;
}

gboolean
nod_discussion_get_individual_note (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), FALSE);
  return self->individual_note;
}

/**
 * nod_discussion_get_notes:
 *
 * Returns: (transfer none) (element-type NodNote): never %NULL
 */
GPtrArray *
nod_discussion_get_notes (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), NULL);
  return self->notes;
}

gboolean
nod_discussion_get_resolvable (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), FALSE);
  return self->resolvable;
}

gboolean
nod_discussion_get_resolved (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), FALSE);
  return self->resolved;
}

/**
 * nod_discussion_get_resolved_by:
 *
 * Who resolved the thread on GitLab: the resolver GitLab gives its latest resolved note.
 *
 * Returns: (transfer none) (nullable): %NULL while it is not resolved, or when GitLab did
 *   not say (an older GitLab, a row an older Nod kept)
 */
NodUser *
nod_discussion_get_resolved_by (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), NULL);

  if (!self->resolved)
    return NULL;
  for (guint i = self->notes->len; i > 0; i--)
    {
      NodNote *note = self->notes->pdata[i - 1];

      if (nod_note_get_resolvable (note) && nod_note_get_resolved_by (note) != NULL)
        return nod_note_get_resolved_by (note);
    }
  return NULL;
}

/* Whether the reviewer resolved it in Nod and the resolve is not on GitLab yet: then it
 * is resolved by them, whoever GitLab last named. */
gboolean
nod_discussion_get_resolve_pending (NodDiscussion *self)
{
  g_return_val_if_fail (NOD_IS_DISCUSSION (self), FALSE);
  return self->resolve_pending;
}
