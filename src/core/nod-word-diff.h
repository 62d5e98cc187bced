/* nod-word-diff.h: which words of a changed line pair changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A byte range [start, end) inside one line's text. */
typedef struct
{
  gsize start;
  gsize end;
} NodTextRange;

/* Above this many bytes in either line no word diff is made: the line is shown as changed
 * as a whole (long minified lines would cost more than they tell). */
#define NOD_WORD_DIFF_MAX_LINE_BYTES 2000

/* Compares @old_text with @new_text word by word (a word: a run of letters, digits and
 * '_'; any other character is a word of its own; whitespace runs count as words too) and
 * appends to @old_ranges and @new_ranges (GArray of NodTextRange) the ranges that are not
 * common to both, merged where adjacent. Returns FALSE, appending nothing, when a line is
 * over NOD_WORD_DIFF_MAX_LINE_BYTES or the lines share less than a quarter of their words
 * (then a word diff is noise: the whole line changed). Ranges fall on UTF-8 character
 * boundaries. Pure and thread-safe: the UI calls it off the main thread. */
gboolean  nod_word_diff  (const char *old_text,
                          gsize       old_length,
                          const char *new_text,
                          gsize       new_length,
                          GArray     *old_ranges,
                          GArray     *new_ranges);

G_END_DECLS
