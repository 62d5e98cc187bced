/* fuzz-diff-lines.c: GitLab's hunk text, its side-by-side rows and word diffs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is a file's `diff` as GitLab would send it. Every line must lie inside the
 * input, every row must point at a line, and each changed pair goes through the word diff,
 * whose ranges must lie inside their lines.
 */

#include "config.h"

#include <string.h>

#include "nod-diff-lines.h"
#include "nod-word-diff.h"
#include "nod-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static void
check_ranges (GArray *ranges, gsize length)
{
  for (guint i = 0; i < ranges->len; i++)
    {
      NodTextRange *r = &g_array_index (ranges, NodTextRange, i);
      g_assert_cmpuint (r->start, <, r->end);
      g_assert_cmpuint (r->end, <=, length);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *diff = (const char *) data;
  g_autoptr(GArray) lines = nod_diff_lines_parse (diff, size);
  g_autoptr(GArray) rows = nod_diff_lines_side_by_side (lines);
  guint additions, deletions;

  for (guint i = 0; i < lines->len; i++)
    {
      NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);
      g_assert_cmpuint (line->offset + line->length, <=, size);
      (void) nod_diff_lines_map_unchanged (lines, TRUE, line->old_line);
      (void) nod_diff_lines_find (lines, FALSE, line->new_line);
    }
  nod_diff_lines_count (lines, &additions, &deletions);
  g_assert_cmpuint (additions + deletions, <=, lines->len);

  for (guint i = 0; i < rows->len; i++)
    {
      NodDiffRow *row = &g_array_index (rows, NodDiffRow, i);
      g_assert_cmpint (row->left, <, (gssize) lines->len);
      g_assert_cmpint (row->right, <, (gssize) lines->len);
      if (row->left >= 0 && row->right >= 0 && row->left != row->right)
        {
          NodDiffLine *a = &g_array_index (lines, NodDiffLine, row->left);
          NodDiffLine *b = &g_array_index (lines, NodDiffLine, row->right);
          g_autoptr(GArray) ar = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
          g_autoptr(GArray) br = g_array_new (FALSE, FALSE, sizeof (NodTextRange));

          g_assert_cmpint (a->kind, ==, NOD_DIFF_LINE_REMOVED);
          g_assert_cmpint (b->kind, ==, NOD_DIFF_LINE_ADDED);
          if (nod_word_diff (diff + a->offset, a->length, diff + b->offset, b->length, ar, br))
            {
              check_ranges (ar, a->length);
              check_ranges (br, b->length);
            }
        }
    }
  return 0;
}
