/* test-word-diff.c: which words of a changed line pair changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-word-diff.h"

/* The ranges as "[text]" marks inside @text, so expectations read like the line. */
static char *
marked (const char *text, GArray *ranges)
{
  GString *out = g_string_new (NULL);
  gsize at = 0;

  for (guint i = 0; i < ranges->len; i++)
    {
      NodTextRange *r = &g_array_index (ranges, NodTextRange, i);
      g_assert_cmpuint (r->start, >=, at);
      g_assert_cmpuint (r->end, >, r->start);
      g_string_append_len (out, text + at, (gssize) (r->start - at));
      g_string_append_c (out, '[');
      g_string_append_len (out, text + r->start, (gssize) (r->end - r->start));
      g_string_append_c (out, ']');
      at = r->end;
    }
  g_string_append (out, text + at);
  return g_string_free (out, FALSE);
}

static void
assert_diff (const char *old_text, const char *new_text,
             const char *old_expected, const char *new_expected)
{
  g_autoptr(GArray) o = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
  g_autoptr(GArray) n = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
  g_autofree char *om = NULL;
  g_autofree char *nm = NULL;

  g_assert_true (nod_word_diff (old_text, strlen (old_text), new_text, strlen (new_text), o, n));
  om = marked (old_text, o);
  nm = marked (new_text, n);
  g_assert_cmpstr (om, ==, old_expected);
  g_assert_cmpstr (nm, ==, new_expected);
}

static void
assert_no_diff (const char *old_text, gsize old_length, const char *new_text, gsize new_length)
{
  g_autoptr(GArray) o = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
  g_autoptr(GArray) n = g_array_new (FALSE, FALSE, sizeof (NodTextRange));

  g_assert_false (nod_word_diff (old_text, old_length, new_text, new_length, o, n));
  g_assert_cmpuint (o->len, ==, 0);
  g_assert_cmpuint (n->len, ==, 0);
}

static void
test_renamed_identifier (void)
{
  assert_diff ("int count = get_count (list);", "int total = get_count (list);",
               "int [count] = get_count (list);", "int [total] = get_count (list);");
}

static void
test_added_argument (void)
{
  assert_diff ("foo (a, b);", "foo (a, b, c);",
               "foo (a, b);", "foo (a, b[, c]);");
}

static void
test_whitespace_change (void)
{
  assert_diff ("if (x) {", "if (x)  {", "if (x)[ ]{", "if (x)[  ]{");
}

static void
test_totally_different (void)
{
  const char *a = "return alpha + beta;";
  const char *b = "while (gamma--) delta++";
  assert_no_diff (a, strlen (a), b, strlen (b));
}

static void
test_over_the_cutoff (void)
{
  g_autofree char *longer = g_strnfill (NOD_WORD_DIFF_MAX_LINE_BYTES + 1, 'a');
  assert_no_diff (longer, strlen (longer), "a", 1);
  assert_no_diff ("a", 1, longer, strlen (longer));
}

static void
test_multibyte (void)
{
  /* ranges fall on character boundaries, and accented letters are part of a word */
  assert_diff ("café über naïve", "café unter naïve", "café [über] naïve", "café [unter] naïve");
  assert_diff ("x → y", "x ⇒ y", "x [→] y", "x [⇒] y");
}

static void
test_empty_lines (void)
{
  g_autoptr(GArray) o = g_array_new (FALSE, FALSE, sizeof (NodTextRange));
  g_autoptr(GArray) n = g_array_new (FALSE, FALSE, sizeof (NodTextRange));

  g_assert_true (nod_word_diff ("", 0, "", 0, o, n));
  g_assert_cmpuint (o->len + n->len, ==, 0);
  assert_no_diff ("", 0, "something", 9);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/word-diff/renamed-identifier", test_renamed_identifier);
  g_test_add_func ("/word-diff/added-argument", test_added_argument);
  g_test_add_func ("/word-diff/whitespace", test_whitespace_change);
  g_test_add_func ("/word-diff/totally-different", test_totally_different);
  g_test_add_func ("/word-diff/over-the-cutoff", test_over_the_cutoff);
  g_test_add_func ("/word-diff/multibyte", test_multibyte);
  g_test_add_func ("/word-diff/empty-lines", test_empty_lines);
  return g_test_run ();
}
