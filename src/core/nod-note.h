/* nod-note.h: one note (comment) of a discussion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-user.h"

G_BEGIN_DECLS

/* Where a diff note sits. Lines are -1 when the note is not on that side. */
typedef struct
{
  char   *base_sha;
  char   *start_sha;
  char   *head_sha;
  char   *old_path;
  char   *new_path;
  gint64  old_line;
  gint64  new_line;
} NodDiffPosition;

/* A position with no shas, paths or lines (-1). */
NodDiffPosition *nod_diff_position_new   (void);
NodDiffPosition *nod_diff_position_copy  (const NodDiffPosition *position);
void             nod_diff_position_free  (NodDiffPosition       *position);
gboolean         nod_diff_position_equal (const NodDiffPosition *a,
                                          const NodDiffPosition *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodDiffPosition, nod_diff_position_free)

#define NOD_TYPE_NOTE (nod_note_get_type ())

G_DECLARE_FINAL_TYPE (NodNote, nod_note, NOD, NOTE, GObject)

gint64                 nod_note_get_id          (NodNote *self);
const char            *nod_note_get_body        (NodNote *self);
NodUser               *nod_note_get_author      (NodNote *self);
gboolean               nod_note_get_system      (NodNote *self);
/* Written by @username (a person's note, not a system note): theirs to edit or delete. */
gboolean               nod_note_is_written_by   (NodNote    *self,
                                                 const char *username);
gboolean               nod_note_get_resolvable  (NodNote *self);
gboolean               nod_note_get_resolved    (NodNote *self);
NodUser               *nod_note_get_resolved_by (NodNote *self);
GDateTime             *nod_note_get_resolved_at (NodNote *self);
GDateTime             *nod_note_get_created_at  (NodNote *self);
GDateTime             *nod_note_get_updated_at  (NodNote *self);
const NodDiffPosition *nod_note_get_position    (NodNote *self);

G_END_DECLS
