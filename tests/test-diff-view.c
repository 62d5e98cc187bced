/* test-diff-view.c: NodDiffView shows one file's diff, unified or side by side (run under
 * Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "nod-diff-view.h"
#include "nod-test-utils.h"

static gboolean have_display;

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
  return !have_display;
}

static gboolean
filled (gpointer data)
{
  return !nod_diff_view_get_filling (data);
}

static NodDiffView *
create_view (void)
{
  return g_object_ref_sink (nod_diff_view_new ());
}

/* Rows are put in a chunk per idle and word diffs come from a worker: wait for both. */
static void
set_file_and_wait (NodDiffView *view,
                   NodDiffFile *file,
                   const char  *old_text,
                   const char  *new_text)
{
  g_autoptr(GBytes) old_bytes = old_text != NULL ? g_bytes_new (old_text, strlen (old_text))
                                                 : NULL;
  g_autoptr(GBytes) new_bytes = new_text != NULL ? g_bytes_new (new_text, strlen (new_text))
                                                 : NULL;

  nod_diff_view_set_file (view, file, old_bytes, new_bytes, "https://gitlab.example/f");
  nod_test_wait_until (filled, view);
}

static void
assert_row (NodDiffView *view,
            guint        pane,
            guint        row,
            const char  *text,
            guint        old_line,
            guint        new_line)
{
  g_autofree char *shown = nod_diff_view_dup_row_text (view, pane, row);
  guint shown_old = G_MAXUINT, shown_new = G_MAXUINT;

  g_assert_cmpstr (shown, ==, text);
  g_assert_true (nod_diff_view_get_line_numbers (view, pane, row, &shown_old, &shown_new));
  g_assert_cmpuint (shown_old, ==, old_line);
  g_assert_cmpuint (shown_new, ==, new_line);
}

static const char *two_hunks =
  "@@ -2,3 +2,4 @@ int main\n a\n-b\n+B\n+B2\n c\n@@ -20,2 +21,1 @@\n x\n-y\n";

static void
test_diff_view_unified (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, two_hunks);
  set_file_and_wait (view, file, NULL, NULL);

  g_assert_true (nod_diff_view_get_file (view) == file);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);
  assert_row (view, 0, 0, "@@ -2,3 +2,4 @@ int main", 0, 0);
  assert_row (view, 0, 1, "a", 2, 2);
  assert_row (view, 0, 2, "b", 3, 0);
  assert_row (view, 0, 3, "B", 0, 3);
  assert_row (view, 0, 4, "B2", 0, 4);
  assert_row (view, 0, 5, "c", 4, 5);
  assert_row (view, 0, 6, "@@ -20,2 +21,1 @@", 0, 0);
  assert_row (view, 0, 7, "x", 20, 21);
  assert_row (view, 0, 8, "y", 21, 0);
  g_assert_false (nod_diff_view_get_line_numbers (view, 0, 9, NULL, NULL));

  g_assert_true (nod_diff_view_row_has_tag (view, 0, 2, -1, "diff-removed"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 2, -1, "diff-added"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 3, -1, "diff-added"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 1, -1, "diff-added"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 1, -1, "diff-removed"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 0, -1, "diff-hunk"));

  g_assert_finalize_object (g_steal_pointer (&view));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_add_func ("/nod/diff-view/unified", test_diff_view_unified);

  return g_test_run ();
}
