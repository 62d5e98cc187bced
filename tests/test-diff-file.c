/* test-diff-file.c: one file of a diff: status, visibility, digest, positions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "nod-diff-file.h"
#include "nod-merge-request-diff.h"

static const char *two_hunks =
  "@@ -2,3 +2,4 @@\n a\n-b\n+B\n+B2\n c\n@@ -20,2 +21,1 @@\n x\n-y\n";

static void
test_status_and_visibility (void)
{
  g_autoptr(NodDiffFile) added = nod_diff_file_new ("a", "a", "0", "100644", NOD_DIFF_FILE_NEW, "@@ -0,0 +1 @@\n+x\n");
  g_autoptr(NodDiffFile) binary = nod_diff_file_new ("i.png", "i.png", NULL, NULL, 0, "Binary files a/i.png and b/i.png differ\n");
  g_autoptr(NodDiffFile) large = nod_diff_file_new ("l", "l", NULL, NULL, NOD_DIFF_FILE_TOO_LARGE, "");
  g_autoptr(GString) many = g_string_new ("@@ -0,0 +1,20001 @@\n");
  g_autoptr(NodDiffFile) long_file = NULL;

  for (guint i = 0; i < 20001; i++)
    g_string_append (many, "+x\n");
  long_file = nod_diff_file_new ("m", "m", NULL, NULL, NOD_DIFF_FILE_NEW, many->str);

  g_assert_cmpint (nod_diff_file_get_status (added), ==, NOD_DIFF_FILE_STATUS_ADDED);
  g_assert_cmpint (nod_diff_file_get_visibility (added), ==, NOD_DIFF_FILE_SHOWN);
  g_assert_cmpint (nod_diff_file_get_visibility (binary), ==, NOD_DIFF_FILE_HIDDEN_BINARY);
  g_assert_cmpint (nod_diff_file_get_visibility (large), ==, NOD_DIFF_FILE_HIDDEN_TOO_LARGE);
  g_assert_cmpint (nod_diff_file_get_visibility (long_file), ==, NOD_DIFF_FILE_HIDDEN_TOO_LARGE);
}

static void
test_digest_and_counts (void)
{
  g_autoptr(NodDiffFile) a = nod_diff_file_new ("f", "f", "100644", "100644", 0, two_hunks);
  g_autoptr(NodDiffFile) b = nod_diff_file_new ("f", "f", "100644", "100644", 0, two_hunks);
  g_autoptr(NodDiffFile) c = nod_diff_file_new ("f", "f", "100644", "100755", 0, two_hunks);

  g_assert_cmpstr (nod_diff_file_get_digest (a), ==, nod_diff_file_get_digest (b));
  g_assert_cmpstr (nod_diff_file_get_digest (a), !=, nod_diff_file_get_digest (c));
  g_assert_cmpuint (nod_diff_file_get_additions (a), ==, 2);
  g_assert_cmpuint (nod_diff_file_get_deletions (a), ==, 2);
}

static void
assert_position (NodDiffFile *file, gboolean old_side, guint line, gint64 old_line, gint64 new_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiffPosition) p = nod_diff_file_position_at (file, "b", "s", "h", old_side, line, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (p->old_line, ==, old_line);
  g_assert_cmpint (p->new_line, ==, new_line);
  g_assert_cmpstr (p->old_path, ==, nod_diff_file_get_old_path (file));
  g_assert_cmpstr (p->new_path, ==, nod_diff_file_get_new_path (file));
  g_assert_cmpstr (p->head_sha, ==, "h");
}

static void
assert_refused (NodDiffFile *file, gboolean old_side, guint line, guint line_count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiffPosition) p = nod_diff_file_position_at (file, "b", "s", "h", old_side, line, line_count, &error);

  g_assert_null (p);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_positions (void)
{
  g_autoptr(NodDiffFile) file = nod_diff_file_new ("old.c", "new.c", NULL, NULL, NOD_DIFF_FILE_RENAMED, two_hunks);
  g_autoptr(NodDiffFile) added = nod_diff_file_new ("n", "n", NULL, NULL, NOD_DIFF_FILE_NEW, "@@ -0,0 +1,2 @@\n+x\n+y\n");
  g_autoptr(NodDiffFile) deleted = nod_diff_file_new ("d", "d", NULL, NULL, NOD_DIFF_FILE_DELETED, "@@ -1,2 +0,0 @@\n-x\n-y\n");

  assert_position (file, FALSE, 4, -1, 4);   /* added */
  assert_position (file, TRUE, 3, 3, -1);    /* removed */
  assert_position (file, FALSE, 5, 4, 5);    /* context, last of the hunk */
  assert_position (file, TRUE, 2, 2, 2);     /* first of the hunk */
  assert_position (file, TRUE, 1, 1, 1);     /* before the first hunk */
  assert_position (file, TRUE, 10, 10, 11);  /* between hunks */
  assert_position (file, FALSE, 40, 40, 40); /* after the last */
  assert_refused (file, TRUE, 0, 0);
  assert_refused (file, FALSE, 40, 30);

  assert_position (added, FALSE, 2, -1, 2);
  assert_refused (added, TRUE, 1, 0);
  assert_position (deleted, TRUE, 1, 1, -1);
  assert_refused (deleted, FALSE, 1, 0);
}

static NodDiffFile *
file_with (const char *path, NodDiffFileFlags flags, const char *diff, const char *new_blob)
{
  NodDiffFile *file = nod_diff_file_new (path, path, NULL, NULL, flags, diff);
  nod_diff_file_set_blobs (file, NULL, new_blob);
  return file;
}

static void
test_changed_since (void)
{
  GPtrArray *before_files = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *after_files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NodMergeRequestDiff) before = NULL;
  g_autoptr(NodMergeRequestDiff) after = NULL;
  g_autoptr(GPtrArray) paths = NULL;

  /* same blob, different diff text (the target moved): not changed */
  g_ptr_array_add (before_files, file_with ("blob-same", 0, "@@ -1 +1 @@\n-a\n+b\n", "s1"));
  g_ptr_array_add (after_files, file_with ("blob-same", 0, "@@ -2 +2 @@\n-a\n+b\n", "s1"));
  /* different blob */
  g_ptr_array_add (before_files, file_with ("blob-new", 0, "@@ -1 +1 @@\n-a\n+b\n", "s1"));
  g_ptr_array_add (after_files, file_with ("blob-new", 0, "@@ -1 +1 @@\n-a\n+b\n", "s2"));
  /* blobs unknown: the digest decides */
  g_ptr_array_add (before_files, file_with ("digest-same", 0, "@@ -1 +1 @@\n-a\n+b\n", NULL));
  g_ptr_array_add (after_files, file_with ("digest-same", 0, "@@ -1 +1 @@\n-a\n+b\n", NULL));
  g_ptr_array_add (before_files, file_with ("digest-new", 0, "@@ -1 +1 @@\n-a\n+b\n", NULL));
  g_ptr_array_add (after_files, file_with ("digest-new", 0, "@@ -1 +1 @@\n-a\n+c\n", NULL));
  /* gone back to the target; a new file */
  g_ptr_array_add (before_files, file_with ("reverted", 0, "@@ -1 +1 @@\n-a\n+b\n", NULL));
  g_ptr_array_add (after_files, file_with ("added", NOD_DIFF_FILE_NEW, "@@ -0,0 +1 @@\n+a\n", NULL));

  before = nod_merge_request_diff_new ("b", "s", "h1", before_files);
  after = nod_merge_request_diff_new ("b", "s", "h2", after_files);
  paths = nod_merge_request_diff_changed_since (after, before);

  g_assert_cmpuint (paths->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, "added");
  g_assert_cmpstr (g_ptr_array_index (paths, 1), ==, "blob-new");
  g_assert_cmpstr (g_ptr_array_index (paths, 2), ==, "digest-new");
  g_assert_cmpstr (g_ptr_array_index (paths, 3), ==, "reverted");
  g_assert_true (nod_merge_request_diff_find_file (after, "added") != NULL);
  g_assert_null (nod_merge_request_diff_find_file (after, "reverted"));
}

/* One side's blob set again with the other side's own string: both kept. */
static void
test_set_blobs_keeps_own (void)
{
  g_autoptr(NodDiffFile) file = nod_diff_file_new ("a.c", "a.c", "100644", "100644", 0,
                                                   "@@ -1 +1 @@\n-a\n+b\n");

  nod_diff_file_set_blobs (file, "old-sha", NULL);
  nod_diff_file_set_blobs (file, nod_diff_file_get_old_blob (file), "new-sha");
  g_assert_cmpstr (nod_diff_file_get_old_blob (file), ==, "old-sha");
  g_assert_cmpstr (nod_diff_file_get_new_blob (file), ==, "new-sha");
  nod_diff_file_set_blobs (file, "other-old", nod_diff_file_get_new_blob (file));
  g_assert_cmpstr (nod_diff_file_get_old_blob (file), ==, "other-old");
  g_assert_cmpstr (nod_diff_file_get_new_blob (file), ==, "new-sha");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/diff-file/status-and-visibility", test_status_and_visibility);
  g_test_add_func ("/diff-file/digest-and-counts", test_digest_and_counts);
  g_test_add_func ("/diff-file/positions", test_positions);
  g_test_add_func ("/diff-file/changed-since", test_changed_since);
  g_test_add_func ("/diff-file/set-blobs-keeps-own", test_set_blobs_keeps_own);
  return g_test_run ();
}
