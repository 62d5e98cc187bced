/* test-diff-view.c: NodDiffView shows one file's diff, unified or side by side (run under
 * Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "nod-diff-highlight.h"
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

/* The first widget of @type at or under @widget, depth first. */
static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *action_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* A C file whose comment opens on line 1, above the hunk, and closes on line 4. */
static const char *c_old =
  "/* a comment\n"
  " * that goes on\n"
  "int inside;\n"
  " */\n"
  "int old_name;\n"
  "return 0;\n";
static const char *c_new =
  "/* a comment\n"
  " * that goes on\n"
  "int inside;\n"
  " */\n"
  "int new_name;\n"
  "return 0;\n";
static const char *c_diff =
  "@@ -3,3 +3,3 @@\n int inside;\n  */\n-int old_name;\n+int new_name;\n";

static void
test_diff_view_highlight_full_text (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("main.c", "main.c", "100644", "100644", 0, c_diff);
  set_file_and_wait (view, file, c_old, c_new);

  /* lines 1-2 and 6 are outside the hunk: an expander above and below */
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 7);
  assert_row (view, 0, 1, "@@ -3,3 +3,3 @@", 0, 0);
  assert_row (view, 0, 2, "int inside;", 3, 3);
  assert_row (view, 0, 4, "int old_name;", 5, 0);
  assert_row (view, 0, 5, "int new_name;", 0, 5);

  /* "int inside;" alone reads as code; in the whole file it is in a comment */
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 2, 0, "syntax:comment"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 3, 1, "syntax:comment"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 4, 0, "syntax:comment"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 5, 0, "syntax:comment"));

  /* the changed pair's words: "old_name" against "new_name", the rest in common */
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 4, 4, "diff-word-removed"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 5, 4, "diff-word-added"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 4, 0, "diff-word-removed"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 5, 0, "diff-word-added"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 5, 12, "diff-word-added"));

  /* without the texts: the hunk alone, no expander, nothing known to be a comment */
  set_file_and_wait (view, file, NULL, NULL);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 5);
  assert_row (view, 0, 1, "int inside;", 3, 3);
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 1, 0, "syntax:comment"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 3, 4, "diff-word-removed"));

  g_assert_finalize_object (g_steal_pointer (&view));
}

/* 60 lines; line 30 is replaced by two, so past the hunk the new numbers are one more. */
static void
make_long_texts (char **old_text,
                 char **new_text,
                 char **diff)
{
  GString *old_string = g_string_new (NULL);
  GString *new_string = g_string_new (NULL);

  for (guint i = 1; i <= 60; i++)
    {
      if (i == 30)
        {
          g_string_append (old_string, "old thirty\n");
          g_string_append (new_string, "new thirty\nnew thirty-one\n");
          continue;
        }
      g_string_append_printf (old_string, "line %u\n", i);
      g_string_append_printf (new_string, "line %u\n", i);
    }

  *old_text = g_string_free (old_string, FALSE);
  *new_text = g_string_free (new_string, FALSE);
  *diff = g_strdup ("@@ -28,5 +28,6 @@\n line 28\n line 29\n-old thirty\n+new thirty\n"
                    "+new thirty-one\n line 31\n line 32\n");
}

static void
test_diff_view_expand (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autofree char *diff = NULL;

  if (skip_without_display ())
    return;

  make_long_texts (&old_text, &new_text, &diff);
  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, diff);
  set_file_and_wait (view, file, old_text, new_text);

  /* expander (1-27), hunk, 7 lines, expander (new 34-61) */
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 10);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 0, -1, "diff-expander"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 9, -1, "diff-expander"));
  assert_row (view, 0, 8, "line 32", 32, 33);

  /* 20 lines above the hunk: 8-27, under the expander that is left for 1-7 */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 0, "up");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 30);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 0, -1, "diff-expander"));
  assert_row (view, 0, 1, "line 8", 8, 8);
  assert_row (view, 0, 20, "line 27", 27, 27);
  assert_row (view, 0, 21, "@@ -28,5 +28,6 @@", 0, 0);

  /* 20 lines below the hunk: new 34-53 are old 33-52 */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 1, "down");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 50);
  assert_row (view, 0, 28, "line 32", 32, 33);
  assert_row (view, 0, 29, "line 33", 33, 34);
  assert_row (view, 0, 48, "line 52", 52, 53);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 49, -1, "diff-expander"));

  /* kept across a change of layout, expanders and all */
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  nod_test_wait_until (filled, view);
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_UNIFIED);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 50);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 0, -1, "diff-expander"));
  assert_row (view, 0, 1, "line 8", 8, 8);
  assert_row (view, 0, 48, "line 52", 52, 53);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 49, -1, "diff-expander"));

  /* the rest above: 1-7, and the expander goes */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 0, "all");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 56);
  assert_row (view, 0, 0, "line 1", 1, 1);
  assert_row (view, 0, 7, "line 8", 8, 8);
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 0, -1, "diff-expander"));

  /* the rest below */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 1, "all");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 63);
  assert_row (view, 0, 62, "line 60", 60, 61);

  /* what was expanded stays so side by side, and back */
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 63 - 1);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 1), ==, 63 - 1);
  assert_row (view, 0, 0, "line 1", 1, 1);
  assert_row (view, 1, 61, "line 60", 60, 61);
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_UNIFIED);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 63);

  /* nothing more to show */
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 1, "all");
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.expand", "(us)", 7, "all");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 63);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_diff_view_side_by_side (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, two_hunks);
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  g_assert_cmpint (nod_diff_view_get_layout (view), ==, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  set_file_and_wait (view, file, NULL, NULL);

  /* hunk, a|a, b|B, -|B2, c|c, hunk, x|x, y|- */
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 8);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 1), ==, 8);
  assert_row (view, 0, 1, "a", 2, 2);
  assert_row (view, 1, 1, "a", 2, 2);
  assert_row (view, 0, 2, "b", 3, 0);
  assert_row (view, 1, 2, "B", 0, 3);
  assert_row (view, 0, 3, "", 0, 0);
  assert_row (view, 1, 3, "B2", 0, 4);
  assert_row (view, 0, 4, "c", 4, 5);
  assert_row (view, 1, 4, "c", 4, 5);
  assert_row (view, 0, 7, "y", 21, 0);
  assert_row (view, 1, 7, "", 0, 0);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 2, -1, "diff-removed"));
  g_assert_true (nod_diff_view_row_has_tag (view, 1, 2, -1, "diff-added"));
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 3, -1, "diff-filler"));
  g_assert_true (nod_diff_view_row_has_tag (view, 1, 7, -1, "diff-filler"));

  /* and back */
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_UNIFIED);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 1), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_diff_view_widgets (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  g_autoptr(GtkWidget) thread = g_object_ref_sink (gtk_label_new ("A thread"));
  g_autoptr(GtkWidget) other = g_object_ref_sink (gtk_label_new ("Another"));
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autofree char *diff = NULL;
  GtkWidget *spacer;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, two_hunks);
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_SIDE_BY_SIDE);
  set_file_and_wait (view, file, NULL, NULL);

  /* under "B", new line 3 (right row 2); a spacer faces it on the left */
  g_assert_true (nod_diff_view_add_widget (view, FALSE, 3, thread));
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 1), ==, 9);
  g_assert_true (nod_diff_view_get_row_widget (view, 1, 3) == thread);
  spacer = nod_diff_view_get_row_widget (view, 0, 3);
  g_assert_nonnull (spacer);
  g_assert_true (spacer != thread);
  g_assert_true (gtk_widget_has_css_class (spacer, "nod-diff-spacer"));
  g_assert_true (gtk_widget_get_parent (thread) != NULL);
  assert_row (view, 1, 4, "B2", 0, 4);
  assert_row (view, 0, 4, "", 0, 0);

  /* a line the diff does not show, without the texts to show it from */
  g_assert_false (nod_diff_view_add_widget (view, FALSE, 12, other));
  g_assert_null (gtk_widget_get_parent (other));

  /* kept across a change of layout: under "B" in the one pane */
  nod_diff_view_set_layout (view, NOD_DIFF_LAYOUT_UNIFIED);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 10);
  g_assert_true (nod_diff_view_get_row_widget (view, 0, 4) == thread);

  nod_diff_view_remove_widget (view, thread);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);
  g_assert_null (gtk_widget_get_parent (thread));

  /* a widget with a width of its own keeps it, under its line and after */
  {
    int width = 0;

    gtk_widget_set_size_request (thread, 321, -1);
    g_assert_true (nod_diff_view_add_widget (view, FALSE, 3, thread));
    gtk_widget_get_size_request (thread, &width, NULL);
    g_assert_cmpint (width, ==, 321);
    nod_diff_view_remove_widget (view, thread);
    gtk_widget_get_size_request (thread, &width, NULL);
    g_assert_cmpint (width, ==, 321);
  }
  assert_row (view, 0, 4, "B2", 0, 4);

  /* a line in a collapsed region is shown first */
  make_long_texts (&old_text, &new_text, &diff);
  g_clear_object (&file);
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, diff);
  set_file_and_wait (view, file, old_text, new_text);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 10);
  g_assert_true (nod_diff_view_add_widget (view, TRUE, 45, other));
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 10 - 1 + 28 + 1);
  {
    guint old_line, new_line;
    guint row = 0;

    while (nod_diff_view_get_row_widget (view, 0, row) != other)
      g_assert_cmpuint (++row, <, nod_diff_view_get_n_rows (view, 0));
    g_assert_true (nod_diff_view_get_line_numbers (view, 0, row - 1, &old_line, &new_line));
    g_assert_cmpuint (old_line, ==, 45);
    g_assert_cmpuint (new_line, ==, 46);
  }

  g_assert_finalize_object (g_steal_pointer (&view));
}

typedef struct
{
  guint    count;
  gboolean old_side;
  guint    line_number;
} Requested;

static void
on_comment_requested (NodDiffView *view,
                      gboolean     old_side,
                      guint        line_number,
                      Requested   *requested)
{
  requested->count++;
  requested->old_side = old_side;
  requested->line_number = line_number;
}

static gboolean
press_key (NodDiffView     *view,
           guint            keyval,
           GdkModifierType  state)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        {
          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
          return handled;
        }
    }

  g_error ("The view reads no keys");
}

static void
test_diff_view_changes_and_keys (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  Requested requested = { 0 };
  gboolean old_side = FALSE;
  guint line_number = 0;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, two_hunks);
  set_file_and_wait (view, file, NULL, NULL);
  g_signal_connect (view, "comment-requested", G_CALLBACK (on_comment_requested), &requested);

  /* on the hunk header: no line */
  g_assert_false (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_false (press_key (view, GDK_KEY_x, 0));

  /* the first run ("-b +B +B2"), then the second ("-y"), then no more */
  g_assert_true (nod_diff_view_move_to_change (view, FALSE));
  g_assert_true (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_true (old_side);
  g_assert_cmpuint (line_number, ==, 3);
  g_assert_true (press_key (view, GDK_KEY_bracketright, 0));
  g_assert_true (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_true (old_side);
  g_assert_cmpuint (line_number, ==, 21);
  g_assert_false (nod_diff_view_move_to_change (view, FALSE));

  g_assert_true (press_key (view, GDK_KEY_bracketleft, 0));
  g_assert_true (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_cmpuint (line_number, ==, 3);
  /* Alt+Up and Alt+Down are the window's (the previous and next merge request) */
  g_assert_false (press_key (view, GDK_KEY_Up, GDK_ALT_MASK));
  g_assert_false (press_key (view, GDK_KEY_Down, GDK_ALT_MASK));
  g_assert_false (nod_diff_view_move_to_change (view, TRUE));

  /* c (or Enter) asks to comment on the cursor's line */
  g_assert_true (press_key (view, GDK_KEY_c, 0));
  g_assert_cmpuint (requested.count, ==, 1);
  g_assert_true (requested.old_side);
  g_assert_cmpuint (requested.line_number, ==, 3);
  g_assert_true (press_key (view, GDK_KEY_Alt_L, 0) == FALSE);
  g_assert_true (press_key (view, GDK_KEY_bracketright, 0));
  g_assert_true (press_key (view, GDK_KEY_Return, 0));
  g_assert_cmpuint (requested.count, ==, 2);
  g_assert_true (requested.old_side);
  g_assert_cmpuint (requested.line_number, ==, 21);

  /* straight to a line, by its number on either side */
  g_assert_true (nod_diff_view_select_line (view, FALSE, 5));
  g_assert_true (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_false (old_side);
  g_assert_cmpuint (line_number, ==, 5);
  g_assert_true (nod_diff_view_select_line (view, TRUE, 20));
  g_assert_true (nod_diff_view_get_cursor_line (view, &old_side, &line_number));
  g_assert_cmpuint (line_number, ==, 21);
  g_assert_false (nod_diff_view_select_line (view, TRUE, 10));

  /* a click on a line number: the new side's number of "B2" (row 4) */
  {
    GtkWidget *source_view = find_widget (GTK_WIDGET (view), GTK_SOURCE_TYPE_VIEW);
    GtkSourceGutter *gutter = gtk_source_view_get_gutter (GTK_SOURCE_VIEW (source_view),
                                                          GTK_TEXT_WINDOW_LEFT);
    GtkWidget *old_numbers = gtk_widget_get_first_child (GTK_WIDGET (gutter));
    GtkWidget *new_numbers = gtk_widget_get_next_sibling (old_numbers);
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view));
    GdkRectangle area = { 0, 0, 10, 10 };
    GtkTextIter iter;

    gtk_text_buffer_get_iter_at_line (buffer, &iter, 4);
    g_assert_true (gtk_source_gutter_renderer_query_activatable (
                     GTK_SOURCE_GUTTER_RENDERER (new_numbers), &iter, &area));
    g_assert_false (gtk_source_gutter_renderer_query_activatable (
                      GTK_SOURCE_GUTTER_RENDERER (old_numbers), &iter, &area));
    gtk_source_gutter_renderer_activate (GTK_SOURCE_GUTTER_RENDERER (new_numbers), &iter, &area,
                                         1, 0, 1);
    g_assert_cmpuint (requested.count, ==, 3);
    g_assert_false (requested.old_side);
    g_assert_cmpuint (requested.line_number, ==, 4);

    /* the old number of the context line "c" (row 5) */
    gtk_text_buffer_get_iter_at_line (buffer, &iter, 5);
    gtk_source_gutter_renderer_activate (GTK_SOURCE_GUTTER_RENDERER (old_numbers), &iter, &area,
                                         1, 0, 1);
    g_assert_cmpuint (requested.count, ==, 4);
    g_assert_true (requested.old_side);
    g_assert_cmpuint (requested.line_number, ==, 4);
  }

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_diff_view_hidden (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) large = NULL;
  g_autoptr(NodDiffFile) generated = NULL;
  GtkWidget *stack;
  GtkWidget *button;

  if (skip_without_display ())
    return;

  view = create_view ();
  stack = find_widget (GTK_WIDGET (view), GTK_TYPE_STACK);
  large = nod_diff_file_new ("big.json", "big.json", NULL, NULL, NOD_DIFF_FILE_TOO_LARGE, "");
  set_file_and_wait (view, large, NULL, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "hidden");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 0);
  button = find_button (GTK_WIDGET (view), "diff.open-in-browser");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_get_visible (find_button (GTK_WIDGET (view), "diff.show")));
  g_assert_true (find_widget (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE) != NULL);
  /* only a web page is offered to the browser */
  nod_diff_view_set_file (view, large, NULL, NULL, "file:///etc/passwd");
  g_assert_false (gtk_widget_get_visible (button));
  set_file_and_wait (view, large, NULL, NULL);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (
                     find_widget (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE))),
                   ==, "Too large to show here");

  /* a generated file is shown when asked */
  generated = nod_diff_file_new ("gen.c", "gen.c", NULL, NULL, NOD_DIFF_FILE_GENERATED,
                                 two_hunks);
  set_file_and_wait (view, generated, NULL, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "hidden");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 0);
  button = find_button (GTK_WIDGET (view), "diff.show");
  g_assert_true (gtk_widget_get_visible (button));
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.show", NULL);
  nod_test_wait_until (filled, view);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "diff");
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);

  /* one GitLab collapsed, sent all the same */
  g_clear_object (&generated);
  generated = nod_diff_file_new ("big.c", "big.c", NULL, NULL, NOD_DIFF_FILE_COLLAPSED,
                                 two_hunks);
  set_file_and_wait (view, generated, NULL, NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "hidden");
  g_assert_true (gtk_widget_get_visible (find_button (GTK_WIDGET (view), "diff.show")));
  gtk_widget_activate_action (GTK_WIDGET (view), "diff.show", NULL);
  nod_test_wait_until (filled, view);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_diff_view_large_in_chunks (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  g_autoptr(GString) diff = g_string_new ("@@ -0,0 +1,10000 @@\n");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) new_text = NULL;

  if (skip_without_display ())
    return;

  for (guint i = 1; i <= 10000; i++)
    {
      g_string_append_printf (diff, "+int line_%u = %u; /* a comment */\n", i, i);
      g_string_append_printf (text, "int line_%u = %u; /* a comment */\n", i, i);
    }
  new_text = g_string_free_to_bytes (g_steal_pointer (&text));

  view = create_view ();
  file = nod_diff_file_new ("big.c", "big.c", "0", "100644", NOD_DIFF_FILE_NEW, diff->str);
  nod_diff_view_set_file (view, file, NULL, new_text, NULL);

  /* nothing is put in before the main loop runs, and not all of it at once */
  g_assert_true (nod_diff_view_get_filling (view));
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 0);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), <, 10001);
  nod_test_wait_until (filled, view);

  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 10001);
  g_assert_cmpuint (nod_diff_view_get_fill_chunks (view), >, 10);
  assert_row (view, 0, 10000, "int line_10000 = 10000; /* a comment */", 0, 10000);
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 10000, 30, "syntax:comment"));
  g_assert_false (nod_diff_view_row_has_tag (view, 0, 10000, 0, "syntax:comment"));

  g_assert_finalize_object (g_steal_pointer (&view));
}

/* Strangers' bytes: control bytes, a lone CR, U+2029 and bad UTF-8 never break a row in
 * two or reach the buffer as they are. */
static void
test_diff_view_odd_text (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  const char *diff = "@@ -1,2 +1,2 @@ \x1b[31mred\n"
                     "-a\rb\xe2\x80\xa9" "c\n"
                     "+\xff\xfe bad \x01\n"
                     " tab\there\r\n"
                     "garbage\n"
                     "@@ -9 +9 @@\n"
                     "-x\n"
                     "+y\n";
  g_autofree char *row_text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("odd.c", "odd.c", NULL, NULL, 0, diff);
  set_file_and_wait (view, file, "a\rb\n\xff\n", "\x01\n\n");

  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 7);
  row_text = nod_diff_view_dup_row_text (view, 0, 1);
  g_assert_cmpstr (row_text, ==, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
  g_clear_pointer (&row_text, g_free);
  row_text = nod_diff_view_dup_row_text (view, 0, 0);
  g_assert_null (strchr (row_text, '\x1b'));
  g_clear_pointer (&row_text, g_free);
  row_text = nod_diff_view_dup_row_text (view, 0, 2);
  g_assert_true (g_utf8_validate (row_text, -1, NULL));
  g_assert_null (strchr (row_text, '\x01'));
  assert_row (view, 0, 3, "tab\there", 2, 2);
  assert_row (view, 0, 5, "x", 9, 0);

  /* Bidirectional controls would reorder what a reviewer reads ("Trojan Source"). */
  {
    const char *line = "if (a\xe2\x80\xae) b\xe2\x81\xa6";
    g_autofree char *shown = nod_diff_sanitize_line (line, strlen (line));

    g_assert_cmpstr (shown, ==, "if (a\xef\xbf\xbd) b\xef\xbf\xbd");
  }

  g_assert_finalize_object (g_steal_pointer (&view));
}

static const char *
scheme_id (NodDiffView *view)
{
  GtkWidget *source_view = find_widget (GTK_WIDGET (view), GTK_SOURCE_TYPE_VIEW);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (source_view));
  GtkSourceStyleScheme *scheme = gtk_source_buffer_get_style_scheme (GTK_SOURCE_BUFFER (buffer));

  return scheme != NULL ? gtk_source_style_scheme_get_id (scheme) : NULL;
}

/* The view follows the style manager: Adwaita's light or dark scheme, and diff colours that
 * are see-through so the text stays readable on either. */
static void
test_diff_view_dark (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (skip_without_display ())
    return;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  view = create_view ();
  file = nod_diff_file_new ("main.c", "main.c", "100644", "100644", 0, c_diff);
  set_file_and_wait (view, file, c_old, c_new);
  g_assert_cmpstr (scheme_id (view), ==, "Adwaita");

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpstr (scheme_id (view), ==, "Adwaita-dark");
  /* the highlight copied from the hidden buffers is still there */
  g_assert_true (nod_diff_view_row_has_tag (view, 0, 2, 0, "syntax:comment"));

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_diff_view_clear (void)
{
  g_autoptr(NodDiffView) view = NULL;
  g_autoptr(NodDiffFile) file = NULL;
  g_autoptr(GtkWidget) thread = g_object_ref_sink (gtk_label_new ("A thread"));

  if (skip_without_display ())
    return;

  view = create_view ();
  file = nod_diff_file_new ("f.txt", "f.txt", "100644", "100644", 0, two_hunks);
  set_file_and_wait (view, file, NULL, NULL);
  g_assert_true (nod_diff_view_add_widget (view, TRUE, 3, thread));
  g_assert_nonnull (gtk_widget_get_parent (thread));

  /* another file (or none) takes the threads away */
  set_file_and_wait (view, NULL, NULL, NULL);
  g_assert_null (nod_diff_view_get_file (view));
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 0);
  g_assert_null (gtk_widget_get_parent (thread));
  g_assert_false (nod_diff_view_get_cursor_line (view, NULL, NULL));
  g_assert_false (nod_diff_view_move_to_change (view, FALSE));
  g_assert_false (nod_diff_view_add_widget (view, TRUE, 3, thread));

  /* set again while filling: only the last one is shown */
  nod_diff_view_set_file (view, file, NULL, NULL, NULL);
  set_file_and_wait (view, file, NULL, NULL);
  g_assert_cmpuint (nod_diff_view_get_n_rows (view, 0), ==, 9);

  g_assert_finalize_object (g_steal_pointer (&view));
}

/* The isolated XDG dirs hide the system's language definitions and style schemes: the
 * highlight is looked for where the system keeps them. */
static void
use_system_source_data (char **system_dirs)
{
  g_autoptr(GPtrArray) languages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) styles = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_ptr_array_add (languages,
                       g_build_filename (system_dirs[i], "gtksourceview-5", "language-specs",
                                         NULL));
      g_ptr_array_add (styles, g_build_filename (system_dirs[i], "gtksourceview-5", "styles",
                                                 NULL));
    }
  g_ptr_array_add (languages, NULL);
  g_ptr_array_add (styles, NULL);

  gtk_source_language_manager_set_search_path (gtk_source_language_manager_get_default (),
                                               (const char * const *) languages->pdata);
  gtk_source_style_scheme_manager_set_search_path (
    gtk_source_style_scheme_manager_get_default (), (const char * const *) styles->pdata);
}

int
main (int   argc,
      char *argv[])
{
  const char *data_dirs = g_getenv ("XDG_DATA_DIRS");
  g_auto(GStrv) system_dirs = g_strsplit (data_dirs != NULL && *data_dirs != '\0'
                                          ? data_dirs : "/usr/local/share:/usr/share", ":", -1);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
      gtk_source_init ();
      use_system_source_data (system_dirs);
    }

  g_test_add_func ("/nod/diff-view/unified", test_diff_view_unified);
  g_test_add_func ("/nod/diff-view/highlight-full-text", test_diff_view_highlight_full_text);
  g_test_add_func ("/nod/diff-view/expand", test_diff_view_expand);
  g_test_add_func ("/nod/diff-view/side-by-side", test_diff_view_side_by_side);
  g_test_add_func ("/nod/diff-view/widgets", test_diff_view_widgets);
  g_test_add_func ("/nod/diff-view/changes-and-keys", test_diff_view_changes_and_keys);
  g_test_add_func ("/nod/diff-view/hidden", test_diff_view_hidden);
  g_test_add_func ("/nod/diff-view/large-in-chunks", test_diff_view_large_in_chunks);
  g_test_add_func ("/nod/diff-view/odd-text", test_diff_view_odd_text);
  g_test_add_func ("/nod/diff-view/dark", test_diff_view_dark);
  g_test_add_func ("/nod/diff-view/clear", test_diff_view_clear);

  return g_test_run ();
}
