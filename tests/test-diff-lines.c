/* test-diff-lines.c: reading GitLab's hunk text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-diff-lines.h"

static GArray *
parse (const char *diff)
{
  return nod_diff_lines_parse (diff, strlen (diff));
}

static NodDiffLine *
at (GArray *lines, guint i)
{
  g_assert_cmpuint (i, <, lines->len);
  return &g_array_index (lines, NodDiffLine, i);
}

static void
assert_text (const char *diff, NodDiffLine *line, const char *expected)
{
  g_autofree char *text = g_strndup (diff + line->offset, line->length);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_counts_default_to_one (void)
{
  const char *diff = "@@ -1 +1 @@\n-a\n+b\n";
  g_autoptr(GArray) lines = parse (diff);

  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpint (at (lines, 0)->kind, ==, NOD_DIFF_LINE_HUNK);
  g_assert_cmpuint (at (lines, 0)->old_count, ==, 1);
  g_assert_cmpuint (at (lines, 0)->new_count, ==, 1);
  g_assert_cmpint (at (lines, 1)->kind, ==, NOD_DIFF_LINE_REMOVED);
  g_assert_cmpuint (at (lines, 1)->old_line, ==, 1);
  g_assert_cmpuint (at (lines, 1)->new_line, ==, 0);
  assert_text (diff, at (lines, 1), "a");
  g_assert_cmpint (at (lines, 2)->kind, ==, NOD_DIFF_LINE_ADDED);
  g_assert_cmpuint (at (lines, 2)->new_line, ==, 1);
  assert_text (diff, at (lines, 2), "b");
}

static void
test_new_and_deleted_file (void)
{
  g_autoptr(GArray) added = parse ("@@ -0,0 +1,3 @@\n+a\n+b\n+c\n");
  g_autoptr(GArray) removed = parse ("@@ -1,3 +0,0 @@\n-a\n-b\n-c\n");
  guint additions, deletions;

  g_assert_cmpuint (added->len, ==, 4);
  g_assert_cmpuint (at (added, 3)->new_line, ==, 3);
  nod_diff_lines_count (added, &additions, &deletions);
  g_assert_cmpuint (additions, ==, 3);
  g_assert_cmpuint (deletions, ==, 0);

  g_assert_cmpuint (removed->len, ==, 4);
  g_assert_cmpuint (at (removed, 3)->old_line, ==, 3);
  g_assert_cmpuint (at (removed, 3)->new_line, ==, 0);
  nod_diff_lines_count (removed, &additions, &deletions);
  g_assert_cmpuint (additions, ==, 0);
  g_assert_cmpuint (deletions, ==, 3);
}

static const char *two_hunks =
  "@@ -2,3 +2,4 @@ int main (void)\n"
  " a\n"
  "-b\n"
  "+B\n"
  "+B2\n"
  " c\n"
  "@@ -20,2 +21,1 @@\n"
  " x\n"
  "-y\n";

static void
test_several_hunks_and_section (void)
{
  g_autoptr(GArray) lines = parse (two_hunks);

  g_assert_cmpuint (lines->len, ==, 9);
  assert_text (two_hunks, at (lines, 0), "int main (void)");
  g_assert_cmpint (at (lines, 6)->kind, ==, NOD_DIFF_LINE_HUNK);
  assert_text (two_hunks, at (lines, 6), "");
  g_assert_cmpuint (at (lines, 6)->old_line, ==, 20);
  g_assert_cmpuint (at (lines, 6)->new_line, ==, 21);
  g_assert_cmpuint (at (lines, 5)->old_line, ==, 4);
  g_assert_cmpuint (at (lines, 5)->new_line, ==, 5);
  g_assert_cmpuint (at (lines, 8)->old_line, ==, 21);
}

static void
test_no_newline_markers (void)
{
  const char *diff = "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n";
  g_autoptr(GArray) lines = parse (diff);

  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_true (at (lines, 1)->no_newline_at_end);
  g_assert_true (at (lines, 2)->no_newline_at_end);
  assert_text (diff, at (lines, 2), "b");
}

static void
test_crlf_kept_out (void)
{
  const char *diff = "@@ -1 +1 @@ s\r\n-a\r\n+b\r\n";
  g_autoptr(GArray) lines = parse (diff);

  g_assert_cmpuint (lines->len, ==, 3);
  assert_text (diff, at (lines, 0), "s");
  assert_text (diff, at (lines, 1), "a");
  assert_text (diff, at (lines, 2), "b");
}

static void
test_unidiff_header_skipped (void)
{
  const char *diff = "--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n";
  g_autoptr(GArray) lines = parse (diff);

  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpint (at (lines, 0)->kind, ==, NOD_DIFF_LINE_HUNK);
}

static void
test_garbage_and_truncation (void)
{
  const char *inputs[] = {
    "", "@@", "@@ -", "@@ -1,2 +", "@@ -99999999999 +1 @@\n+a\n", "garbage\n+x\n",
    "@@ -1,5 +1,5 @@\n a\n", "\\ No newline\n", "@@ -1 +1 @@", "+\n-\n \n",
  };
  /* a stray text ends the hunk; parsing goes on at the next "@@" */
  const char *diff = "@@ -1,3 +1,3 @@\n a\nSTRAY\n b\n@@ -10 +10 @@\n-x\n+y\n";
  g_autoptr(GArray) lines = parse (diff);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GArray) l = parse (inputs[i]);
      g_autoptr(GArray) rows = nod_diff_lines_side_by_side (l);
      g_assert_nonnull (rows);
    }
  {
    g_autoptr(GArray) trunc = parse ("@@ -1,5 +1,5 @@\n a\n");
    g_assert_cmpuint (trunc->len, ==, 2);
  }
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_cmpint (at (lines, 2)->kind, ==, NOD_DIFF_LINE_HUNK);
  g_assert_cmpuint (at (lines, 3)->old_line, ==, 10);
}

static void
test_find_and_map (void)
{
  g_autoptr(GArray) lines = parse (two_hunks);

  g_assert_cmpint (nod_diff_lines_find (lines, TRUE, 3), ==, 2);
  g_assert_cmpint (nod_diff_lines_find (lines, FALSE, 4), ==, 4);
  g_assert_cmpint (nod_diff_lines_find (lines, TRUE, 1), ==, -1);
  g_assert_cmpint (nod_diff_lines_find (lines, TRUE, 0), ==, -1);

  /* before the first hunk: same number */
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, TRUE, 1), ==, 1);
  /* between: old 10 is new 11 (one line added) */
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, TRUE, 10), ==, 11);
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, FALSE, 11), ==, 10);
  /* after the last: old 30 is new 30 (+1 -1) */
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, TRUE, 30), ==, 30);
  /* context in a hunk maps, a change does not */
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, TRUE, 4), ==, 5);
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, TRUE, 3), ==, 0);
  g_assert_cmpuint (nod_diff_lines_map_unchanged (lines, FALSE, 4), ==, 0);
}

static void
assert_rows (const char *diff, const gssize *expected, guint n_rows)
{
  g_autoptr(GArray) lines = parse (diff);
  g_autoptr(GArray) rows = nod_diff_lines_side_by_side (lines);

  g_assert_cmpuint (rows->len, ==, n_rows);
  for (guint i = 0; i < n_rows; i++)
    {
      g_assert_cmpint (g_array_index (rows, NodDiffRow, i).left, ==, expected[2 * i]);
      g_assert_cmpint (g_array_index (rows, NodDiffRow, i).right, ==, expected[2 * i + 1]);
    }
}

static void
test_side_by_side (void)
{
  const gssize three_one[] = { 0, 0, 1, 4, 2, -1, 3, -1 };
  const gssize one_three[] = { 0, 0, 1, 2, -1, 3, -1, 4 };
  const gssize mixed[] = { 0, 0, 1, 1, 2, 3, 4, 4, -1, 5, 6, 6 };

  assert_rows ("@@ -1,3 +1 @@\n-a\n-b\n-c\n+d\n", three_one, 4);
  assert_rows ("@@ -1 +1,3 @@\n-a\n+b\n+c\n+d\n", one_three, 4);
  assert_rows ("@@ -1,4 +1,5 @@\n x\n-a\n+b\n y\n+c\n z\n", mixed, 6);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diff-lines/counts-default-to-one", test_counts_default_to_one);
  g_test_add_func ("/diff-lines/new-and-deleted-file", test_new_and_deleted_file);
  g_test_add_func ("/diff-lines/several-hunks", test_several_hunks_and_section);
  g_test_add_func ("/diff-lines/no-newline", test_no_newline_markers);
  g_test_add_func ("/diff-lines/crlf", test_crlf_kept_out);
  g_test_add_func ("/diff-lines/unidiff-header", test_unidiff_header_skipped);
  g_test_add_func ("/diff-lines/garbage", test_garbage_and_truncation);
  g_test_add_func ("/diff-lines/find-and-map", test_find_and_map);
  g_test_add_func ("/diff-lines/side-by-side", test_side_by_side);
  return g_test_run ();
}
