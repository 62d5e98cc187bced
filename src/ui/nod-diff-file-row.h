/* nod-diff-file-row.h: one file in the Changes view's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-diff-file.h"

G_BEGIN_DECLS

#define NOD_TYPE_DIFF_FILE_ROW (nod_diff_file_row_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffFileRow, nod_diff_file_row, NOD, DIFF_FILE_ROW, GtkWidget)

NodDiffFileRow *nod_diff_file_row_new         (void);
/* Shows @file (NULL: none, the row is being recycled), whether it is @viewed and whether
 * it @changed since the reviewer approved. Sets the check without emitting "viewed-toggled". */
void            nod_diff_file_row_bind        (NodDiffFileRow *self,
                                               NodDiffFile    *file,
                                               gboolean        viewed,
                                               gboolean        changed);
NodDiffFile    *nod_diff_file_row_get_file    (NodDiffFileRow *self);
const char     *nod_diff_file_row_get_text    (NodDiffFileRow *self);
gboolean        nod_diff_file_row_get_changed (NodDiffFileRow *self);

/* Signal "viewed-toggled" (gboolean viewed): the reviewer ticked or unticked the check. */

G_END_DECLS
