/* nod-word-diff.c: which words of a changed line pair changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A longest common subsequence over word tokens. The byte cutoff bounds the table at
 * MAX_LINE_BYTES² cells, so a line pair costs at most a few megabytes and milliseconds.
 */

#include "config.h"

#include "nod-word-diff.h"

#include <string.h>

static gboolean
is_word_char (gunichar c)
{
  return c == '_' || g_unichar_isalnum (c);
}

/* Token boundaries of @text: an array of byte offsets, n_tokens + 1 long. Invalid UTF-8
 * is a token per byte, so ranges still fall on whatever boundaries there are. */
static GArray *
tokenize (const char *text,
          gsize       length)
{
  GArray *bounds = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize i = 0;

  g_array_append_val (bounds, i);
  while (i < length)
    {
      gunichar c = g_utf8_get_char_validated (text + i, (gssize) (length - i));
      gsize step = (c == (gunichar) -1 || c == (gunichar) -2) ? 1 : (gsize) g_unichar_to_utf8 (c, NULL);
      gboolean valid = step > 1 || (c != (gunichar) -1 && c != (gunichar) -2);
      int class = !valid ? 0 : is_word_char (c) ? 1 : g_unichar_isspace (c) ? 2 : 0;

      i += step;
      if (class != 0)
        while (i < length)
          {
            gunichar d = g_utf8_get_char_validated (text + i, (gssize) (length - i));
            if (d == (gunichar) -1 || d == (gunichar) -2)
              break;
            if ((class == 1 && !is_word_char (d)) || (class == 2 && !g_unichar_isspace (d)))
              break;
            i += (gsize) g_unichar_to_utf8 (d, NULL);
          }
      g_array_append_val (bounds, i);
    }
  return bounds;
}

static gboolean
token_equal (const char *a, GArray *ab, guint i,
             const char *b, GArray *bb, guint j)
{
  gsize a0 = g_array_index (ab, gsize, i), a1 = g_array_index (ab, gsize, i + 1);
  gsize b0 = g_array_index (bb, gsize, j), b1 = g_array_index (bb, gsize, j + 1);

  return a1 - a0 == b1 - b0 && memcmp (a + a0, b + b0, a1 - a0) == 0;
}

static gboolean
is_space_token (const char *text, GArray *bounds, guint i)
{
  gsize start = g_array_index (bounds, gsize, i);
  gsize end = g_array_index (bounds, gsize, i + 1);

  return g_unichar_isspace (g_utf8_get_char_validated (text + start, (gssize) (end - start)));
}

static guint
count_words (const char *text, GArray *bounds)
{
  guint words = 0;

  for (guint i = 0; i + 1 < bounds->len; i++)
    if (!is_space_token (text, bounds, i))
      words++;
  return words;
}

static void
add_range (GArray *ranges, gsize start, gsize end)
{
  if (ranges->len > 0)
    {
      NodTextRange *last = &g_array_index (ranges, NodTextRange, ranges->len - 1);
      if (last->end == start)
        {
          last->end = end;
          return;
        }
    }
  g_array_append_val (ranges, ((NodTextRange) { start, end }));
}

gboolean
nod_word_diff (const char *old_text,
               gsize       old_length,
               const char *new_text,
               gsize       new_length,
               GArray     *old_ranges,
               GArray     *new_ranges)
{
  g_autoptr(GArray) ob = NULL;
  g_autoptr(GArray) nb = NULL;
  g_autofree guint16 *table = NULL;
  guint n, m, i, j, common = 0;
  g_autoptr(GArray) old_out = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
  g_autoptr(GArray) new_out = g_array_new (FALSE, FALSE, sizeof (NodTextRange));

  if (old_length > NOD_WORD_DIFF_MAX_LINE_BYTES || new_length > NOD_WORD_DIFF_MAX_LINE_BYTES)
    return FALSE;
  if (old_length > 0 && old_text == NULL)
    return FALSE;
  if (new_length > 0 && new_text == NULL)
    return FALSE;

  ob = tokenize (old_text, old_length);
  nb = tokenize (new_text, new_length);
  n = ob->len - 1;
  m = nb->len - 1;

  /* table[i][j]: the LCS length of old tokens i.. and new tokens j.. */
  table = g_new0 (guint16, (gsize) (n + 1) * (m + 1));
#define T(a, b) table[(gsize) (a) * (m + 1) + (b)]
  for (i = n; i-- > 0;)
    for (j = m; j-- > 0;)
      T (i, j) = token_equal (old_text, ob, i, new_text, nb, j)
                 ? T (i + 1, j + 1) + 1 : MAX (T (i + 1, j), T (i, j + 1));
  for (i = 0, j = 0; i < n || j < m;)
    {
      if (i < n && j < m && token_equal (old_text, ob, i, new_text, nb, j))
        {
          if (!is_space_token (old_text, ob, i))
            common++;
          i++;
          j++;
        }
      else if (j >= m || (i < n && T (i + 1, j) >= T (i, j + 1)))
        {
          add_range (old_out, g_array_index (ob, gsize, i), g_array_index (ob, gsize, i + 1));
          i++;
        }
      else
        {
          add_range (new_out, g_array_index (nb, gsize, j), g_array_index (nb, gsize, j + 1));
          j++;
        }
    }
#undef T

  /* whitespace is common to nearly any two lines: the quarter counts the other words */
  if ((guint64) common * 4 < MAX (count_words (old_text, ob), count_words (new_text, nb)))
    return FALSE;

  if (old_ranges != NULL)
    g_array_append_vals (old_ranges, old_out->data, old_out->len);
  if (new_ranges != NULL)
    g_array_append_vals (new_ranges, new_out->data, new_out->len);
  return TRUE;
}
