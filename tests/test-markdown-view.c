/* test-markdown-view.c: NodMarkdownView renders GitLab-flavoured Markdown, safely
 * (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "nod-diff-view.h"
#include "nod-markdown-view.h"
#include "nod-test-utils.h"

static gboolean have_display;

static gboolean
rendering_done (gpointer data)
{
  return !nod_markdown_view_get_rendering (data);
}

/* Formatting happens in a worker: wait for the view to show the result. */
static void
set_markdown_and_wait (NodMarkdownView *view,
                       const char      *markdown)
{
  nod_markdown_view_set_markdown (view, markdown);
  nod_test_wait_until (rendering_done, view);
}

static NodMarkdownView *
create_view (const char *markdown)
{
  NodMarkdownView *view = g_object_ref_sink (nod_markdown_view_new ());

  set_markdown_and_wait (view, markdown);
  return view;
}

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
  return !have_display;
}

/* The character offset of the first @needle in @text; fails the test when there is none. */
static int
offset_of (const char *text,
           const char *needle)
{
  const char *found = strstr (text, needle);

  if (found == NULL)
    {
      g_autofree char *escaped = g_strescape (text, "");

      g_error ("“%s” is not in “%s”", needle, escaped);
    }

  return (int) g_utf8_pointer_to_offset (text, found);
}

static void
assert_tag_over (NodMarkdownView *view,
                 const char      *tag_name,
                 const char      *text,
                 const char      *needle)
{
  int start = offset_of (text, needle);
  int length = (int) g_utf8_strlen (needle, -1);

  for (int i = start; i < start + length; i++)
    {
      if (!nod_markdown_view_has_tag_at (view, tag_name, i))
        {
          g_autofree char *escaped = g_strescape (text, "");

          g_error ("“%s” at %d of “%s” lacks the tag %s", needle, i - start, escaped, tag_name);
        }
    }
}

static void
assert_no_tag_at (NodMarkdownView *view,
                  const char      *tag_name,
                  const char      *text,
                  const char      *needle)
{
  if (nod_markdown_view_has_tag_at (view, tag_name, offset_of (text, needle)))
    {
      g_autofree char *escaped = g_strescape (text, "");

      g_error ("“%s” in “%s” has the tag %s", needle, escaped, tag_name);
    }
}

static void
test_markdown_view_defaults (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view (NULL);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "");
  g_assert_null (nod_markdown_view_get_markdown (view));

  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  g_assert_false (gtk_text_view_get_cursor_visible (GTK_TEXT_VIEW (view)));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (GTK_TEXT_VIEW (view)), ==, GTK_WRAP_WORD_CHAR);
  g_assert_cmpint (gtk_text_view_get_left_margin (GTK_TEXT_VIEW (view)), >, 0);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (view)), ==,
                   GTK_ACCESSIBLE_ROLE_TEXT_BOX);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_inline_styles (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("# Title\n"
                      "\n"
                      "Plain *em*, **strong**, ~~gone~~ and `code()`.\n"
                      "\n"
                      "### Third\n"
                      "\n"
                      "```c\n"
                      "int x;\n"
                      "```\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "Title\n\nPlain em, strong, gone and code().\n\nThird\n\nint x;");

  assert_tag_over (view, "heading1", text, "Title");
  assert_no_tag_at (view, "heading1", text, "Plain");
  assert_tag_over (view, "emphasis", text, "em");
  assert_no_tag_at (view, "emphasis", text, ", strong");
  assert_no_tag_at (view, "emphasis", text, "Plain");
  assert_tag_over (view, "strong", text, "strong");
  assert_no_tag_at (view, "strong", text, ", gone");
  assert_tag_over (view, "strikethrough", text, "gone");
  assert_tag_over (view, "code", text, "code()");
  assert_no_tag_at (view, "code", text, "and");
  assert_tag_over (view, "heading3", text, "Third");
  assert_no_tag_at (view, "heading1", text, "Third");
  assert_tag_over (view, "code-block", text, "int x;");
  assert_no_tag_at (view, "code", text, "int x;");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_single_tilde (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  /* On GitLab ~name is a label, not a strikethrough. */
  view = create_view ("Labels ~bug and ~feature");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "Labels ~bug and ~feature");
  assert_no_tag_at (view, "strikethrough", text, "bug");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_lists (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("- one\n"
                      "- two\n"
                      "  - nested\n"
                      "\n"
                      "Between\n"
                      "\n"
                      "3. three\n"
                      "4. four\n"
                      "\n"
                      "Then\n"
                      "\n"
                      "1) paren\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "• one\n• two\n• nested\n\nBetween\n\n3. three\n4. four\n\nThen\n\n1) paren");

  assert_tag_over (view, "indent-1", text, "• one");
  assert_no_tag_at (view, "indent-2", text, "one");
  assert_tag_over (view, "indent-2", text, "• nested");
  assert_no_tag_at (view, "indent-1", text, "Between");
  assert_tag_over (view, "indent-1", text, "4. four");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_task_list (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("- [ ] write the tests\n"
                      "- [x] read the brief\n"
                      "- plain item\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "☐ write the tests\n☑ read the brief\n• plain item");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_quote_and_rule (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("> quoted\n"
                      "> > deeper\n"
                      "\n"
                      "---\n"
                      "\n"
                      "after  \n"
                      "hard break\n"
                      "soft\n"
                      "break\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "quoted\n\ndeeper\n\n────────────────────────\n\n"
                   "after\nhard break soft break");

  assert_tag_over (view, "quote", text, "quoted");
  assert_tag_over (view, "indent-1", text, "quoted");
  assert_tag_over (view, "quote", text, "deeper");
  assert_tag_over (view, "indent-2", text, "deeper");
  assert_tag_over (view, "rule", text, "────");
  assert_no_tag_at (view, "quote", text, "after");
  assert_no_tag_at (view, "indent-1", text, "after");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_table (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("Before\n"
                      "\n"
                      "| Name | State |\n"
                      "|------|:-----:|\n"
                      "| ci   | **ok** |\n"
                      "| lint | failed |\n"
                      "\n"
                      "After\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "Before\n\nName │ State\nci │ ok\nlint │ failed\n\nAfter");

  assert_tag_over (view, "table", text, "Name │ State\nci │ ok\nlint │ failed");
  assert_tag_over (view, "strong", text, "Name │ State");
  assert_no_tag_at (view, "strong", text, "ci");
  assert_tag_over (view, "strong", text, "ok");
  assert_no_tag_at (view, "table", text, "Before");
  assert_no_tag_at (view, "table", text, "After");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_links (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;
  int offset;

  if (skip_without_display ())
    return;

  view = create_view ("See [the docs](https://example.com/docs \"Docs\") now.\n"
                      "\n"
                      "Visit www.example.org today, or team@example.com.\n"
                      "\n"
                      "![a *cat*](https://example.com/cat.png)\n"
                      "\n"
                      "[](https://example.com/empty) and [spaced](<https://example.com/a b>)\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "See the docs now.\n"
                   "\n"
                   "Visit www.example.org today, or team@example.com.\n"
                   "\n"
                   "[image: a cat] https://example.com/cat.png\n"
                   "\n"
                   "https://example.com/empty and spaced");

  assert_tag_over (view, "link", text, "the docs");
  offset = offset_of (text, "the docs");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset), ==, "https://example.com/docs");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset + 7), ==,
                   "https://example.com/docs");
  g_assert_null (nod_markdown_view_get_link_at (view, offset + 8));
  g_assert_null (nod_markdown_view_get_link_at (view, offset_of (text, "See")));
  assert_no_tag_at (view, "link", text, "See");
  assert_no_tag_at (view, "link", text, " now");

  assert_tag_over (view, "link", text, "www.example.org");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset_of (text, "www.example.org")),
                   ==, "http://www.example.org");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset_of (text, "team@")), ==,
                   "mailto:team@example.com");

  assert_no_tag_at (view, "link", text, "[image");
  assert_tag_over (view, "link", text, "https://example.com/cat.png");
  offset = offset_of (text, "https://example.com/cat");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset), ==, "https://example.com/cat.png");

  offset = offset_of (text, "https://example.com/empty");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset), ==, "https://example.com/empty");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, offset_of (text, "spaced")), ==,
                   "https://example.com/a%20b");

  g_assert_null (nod_markdown_view_get_link_at (view, -1));
  g_assert_null (nod_markdown_view_get_link_at (view, G_MAXINT));

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_unsafe_links (void)
{
  static const char * const refused[] = {
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,hi",
    "file:///etc/passwd", "vbscript:x", "/relative/path", "//example.com/x", "https://",
    "http:no-host", "mailto:", "", "ftp://example.com/", "http://%zz",
  };
  static const char * const allowed[] = {
    "http://example.com", "https://example.com/a?b=c#d", "HTTPS://EXAMPLE.COM/",
    "mailto:someone@example.com", "https://de.wikipedia.org/wiki/Äpfel",
  };
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (nod_markdown_view_uri_is_allowed (refused[i]))
        g_error ("“%s” would be opened", refused[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      if (!nod_markdown_view_uri_is_allowed (allowed[i]))
        g_error ("“%s” would not be opened", allowed[i]);
    }
  g_assert_false (nod_markdown_view_uri_is_allowed (NULL));

  if (skip_without_display ())
    return;

  view = create_view ("[click](javascript:alert(1)) [data](data:text/html,x) "
                      "[file](file:///etc/passwd) ![img](javascript:alert(2))");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "click data file [image: img] javascript:alert(2)");
  for (int i = 0; i < (int) g_utf8_strlen (text, -1); i++)
    {
      g_assert_null (nod_markdown_view_get_link_at (view, i));
      g_assert_false (nod_markdown_view_has_tag_at (view, "link", i));
    }

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_raw_html (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("<script>alert(1)</script>\n"
                      "\n"
                      "Some <b>x</b> and <img src=x onerror=alert(1)>.\n");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "<script>alert(1)</script>\n\nSome <b>x</b> and <img src=x onerror=alert(1)>.");
  assert_no_tag_at (view, "strong", text, "x</b>");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_deep_nesting (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  g_autofree char *text = NULL;
  int last;

  if (skip_without_display ())
    return;

  for (int i = 0; i < 10000; i++)
    g_string_append_c (markdown, '>');
  g_string_append (markdown, " deep");

  view = create_view (markdown->str);
  text = nod_markdown_view_dup_text (view);
  g_assert_true (g_str_has_suffix (text, "deep"));
  g_assert_cmpuint (strlen (text), <=, markdown->len);
  last = (int) g_utf8_strlen (text, -1) - 1;
  g_assert_true (nod_markdown_view_has_tag_at (view, "quote", last));
  g_assert_true (nod_markdown_view_has_tag_at (view, "indent-8", last));

  /* Lists as deep, each item's marker on the line of its parent's. */
  g_string_truncate (markdown, 0);
  for (int i = 0; i < 10000; i++)
    g_string_append (markdown, "- ");
  g_string_append (markdown, "x");
  set_markdown_and_wait (view, markdown->str);
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_true (g_str_has_suffix (text, "• x"));
  g_assert_cmpuint (strlen (text), <=, 2 * markdown->len);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_large_input (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  while (markdown->len < 1024 * 1024)
    g_string_append (markdown, "Some **text** in a paragraph, 1. and `code`\n- item\n\n");

  view = create_view (markdown->str);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES + strlen ("\n…"));
  g_assert_cmpuint (strlen (text), >, NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES / 2);
  g_assert_true (g_str_has_suffix (text, "\n…"));
  g_assert_true (g_str_has_prefix (text, "Some text in a paragraph"));

  /* Right at the bound nothing is cut. */
  g_string_truncate (markdown, 0);
  while (markdown->len < NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES - 1)
    g_string_append_c (markdown, 'a');
  g_string_append_c (markdown, 'z');
  set_markdown_and_wait (view, markdown->str);
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpuint (strlen (text), ==, NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES);
  g_assert_true (g_str_has_suffix (text, "az"));

  /* One byte more, and the last line says the rest is missing. */
  g_string_append_c (markdown, '!');
  set_markdown_and_wait (view, markdown->str);
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_true (g_str_has_suffix (text, "az\n…"));

  g_assert_finalize_object (g_steal_pointer (&view));
}

/* Inputs that make Debian 12's cmark-gfm allocate gigabytes or run for minutes: the view
 * shows them quickly and within its bound. */
static void
test_markdown_view_parser_budget (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autoptr(GString) markdown = g_string_new ("[a]: http://");
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  /* One long reference used thousands of times: each use copies the address. */
  for (int i = 0; i < 200000; i++)
    g_string_append_c (markdown, 'x');
  g_string_append (markdown, "\n\n");
  for (int i = 0; i < 20000; i++)
    g_string_append (markdown, "[a]");

  view = create_view (markdown->str);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES + strlen ("\n…"));
  g_assert_true (g_str_has_prefix (text, "[a]: http://xxx"));

  /* A header of a thousand columns over thousands of one-cell rows. */
  g_string_truncate (markdown, 0);
  for (int i = 0; i < 1000; i++)
    g_string_append (markdown, "|a");
  g_string_append_c (markdown, '\n');
  for (int i = 0; i < 1000; i++)
    g_string_append (markdown, "|-");
  g_string_append_c (markdown, '\n');
  while (markdown->len < NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES)
    g_string_append (markdown, "x\n");
  set_markdown_and_wait (view, markdown->str);
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES + strlen ("\n…"));

  /* Thousands of quotes around a paragraph of unmatched delimiters. */
  g_string_truncate (markdown, 0);
  for (int i = 0; i < 50000; i++)
    g_string_append_c (markdown, '>');
  while (markdown->len < NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES)
    g_string_append (markdown, "a*");
  set_markdown_and_wait (view, markdown->str);
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES + strlen ("\n…"));

  /* Parsed as they are, these take minutes, or the machine's memory: each came back within
   * the wait's deadline (tests/test-markdown-renderer.c bounds what each parse allocates). */

  /* An ordinary document after them renders as usual. */
  set_markdown_and_wait (view, "**fine**");
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "fine");
  g_assert_true (nod_markdown_view_has_tag_at (view, "strong", 0));

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_invalid_utf8 (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("\xff\xfe **bold** \xc3 [l\xe2\x82](https://example.com/\xff) \xed\xa0\x80");
  text = nod_markdown_view_dup_text (view);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "\xef\xbf\xbd"));
  assert_tag_over (view, "strong", text, "bold");
  g_assert_nonnull (nod_markdown_view_get_link_at (view, offset_of (text, "l\xef\xbf\xbd")));

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_embedded_nul (void)
{
  static const char with_nul[] = "# Before\0after **the** NUL";
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  /* A C string ends at its first NUL: what follows is not shown. */
  view = create_view (with_nul);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "Before");
  g_assert_cmpstr (nod_markdown_view_get_markdown (view), ==, "# Before");

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
test_markdown_view_replace (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = create_view ("# Heading with [a link](https://example.com/)\n\n- item");
  g_assert_nonnull (nod_markdown_view_get_link_at (view, 13));

  set_markdown_and_wait (view, "plain words here and more");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "plain words here and more");
  g_assert_cmpstr (nod_markdown_view_get_markdown (view), ==, "plain words here and more");
  for (int i = 0; i < (int) g_utf8_strlen (text, -1); i++)
    {
      g_assert_false (nod_markdown_view_has_tag_at (view, "heading1", i));
      g_assert_false (nod_markdown_view_has_tag_at (view, "link", i));
      g_assert_false (nod_markdown_view_has_tag_at (view, "indent-1", i));
      g_assert_null (nod_markdown_view_get_link_at (view, i));
    }

  set_markdown_and_wait (view, "");
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "");

  /* Nothing to format shows at once; the render of "again" ends later, and is dropped. */
  nod_markdown_view_set_markdown (view, "again");
  nod_markdown_view_set_markdown (view, NULL);
  g_assert_false (nod_markdown_view_get_rendering (view));
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "");
  g_assert_null (nod_markdown_view_get_markdown (view));

  /* A view renders one text at a time: this one starts once that of "again" is done. */
  set_markdown_and_wait (view, "*last*");
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "last");
  g_assert_true (nod_markdown_view_has_tag_at (view, "emphasis", 0));

  g_assert_finalize_object (g_steal_pointer (&view));
}

static void
on_rendering_notify (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  GString *seen = user_data;
  g_autofree char *text = nod_markdown_view_dup_text (NOD_MARKDOWN_VIEW (object));

  g_string_append_printf (seen, "%s:%s;",
                          nod_markdown_view_get_rendering (NOD_MARKDOWN_VIEW (object))
                            ? "rendering" : "done",
                          text);
}

static void
test_markdown_view_rendering (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *text = NULL;

  if (skip_without_display ())
    return;

  view = g_object_ref_sink (nod_markdown_view_new ());
  g_assert_false (nod_markdown_view_get_rendering (view));
  g_signal_connect (view, "notify::rendering", G_CALLBACK (on_rendering_notify), seen);

  /* Empty until the formatted text comes: nothing shows the source first. */
  nod_markdown_view_set_markdown (view, "**one**");
  g_assert_true (nod_markdown_view_get_rendering (view));
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "");
  nod_test_wait_until (rendering_done, view);
  g_assert_cmpstr (seen->str, ==, "rendering:;done:one;");
  g_assert_true (nod_markdown_view_has_tag_at (view, "strong", 0));

  /* New text: the old stays until the new is formatted, then goes at once. */
  g_string_truncate (seen, 0);
  nod_markdown_view_set_markdown (view, "[two](https://example.com/two)");
  g_clear_pointer (&text, g_free);
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==, "one");
  g_assert_true (nod_markdown_view_has_tag_at (view, "strong", 0));
  nod_test_wait_until (rendering_done, view);
  g_assert_cmpstr (seen->str, ==, "rendering:one;done:two;");
  g_assert_cmpstr (nod_markdown_view_get_link_at (view, 0), ==, "https://example.com/two");

  /* Set again and again before any render ends: only the last text is ever shown. */
  g_string_truncate (seen, 0);
  for (int i = 0; i < 200; i++)
    {
      g_autofree char *markdown = g_strdup_printf ("*take %d*", i);

      nod_markdown_view_set_markdown (view, markdown);
    }
  nod_test_wait_until (rendering_done, view);
  g_assert_cmpstr (seen->str, ==, "rendering:two;done:take 199;");
  g_assert_true (nod_markdown_view_has_tag_at (view, "emphasis", 0));

  g_assert_finalize_object (g_steal_pointer (&view));
}

/* A view that goes away while its render runs is not kept for it, and the late result
 * touches nothing. */
static void
test_markdown_view_gone_while_rendering (void)
{
  g_autoptr(GString) markdown = g_string_new (NULL);
  g_autoptr(NodMarkdownView) survivor = NULL;
  g_autoptr(NodMarkdownView) view = NULL;

  if (skip_without_display ())
    return;

  while (markdown->len < NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES)
    g_string_append (markdown, "- **item** with `code` and [a link](https://example.com/)\n");

  view = g_object_ref_sink (nod_markdown_view_new ());
  nod_markdown_view_set_markdown (view, markdown->str);
  g_assert_true (nod_markdown_view_get_rendering (view));
  g_assert_finalize_object (g_steal_pointer (&view));

  /* Other views render as usual meanwhile. */
  survivor = create_view ("still *here*");
  g_assert_true (nod_markdown_view_has_tag_at (survivor, "emphasis", 6));

  g_assert_finalize_object (g_steal_pointer (&survivor));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_markdown_view_notify (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autofree char *markdown = NULL;
  guint notify_count = 0;

  if (skip_without_display ())
    return;

  view = g_object_ref_sink (nod_markdown_view_new ());
  g_signal_connect (view, "notify::markdown", G_CALLBACK (count_notify), &notify_count);

  nod_markdown_view_set_markdown (view, "*one*");
  g_assert_cmpuint (notify_count, ==, 1);
  nod_markdown_view_set_markdown (view, "*one*");
  g_assert_cmpuint (notify_count, ==, 1);

  g_object_set (view, "markdown", "*two*", NULL);
  g_assert_cmpuint (notify_count, ==, 2);
  g_object_set (view, "markdown", "*two*", NULL);
  g_assert_cmpuint (notify_count, ==, 2);

  g_object_get (view, "markdown", &markdown, NULL);
  g_assert_cmpstr (markdown, ==, "*two*");

  nod_markdown_view_set_markdown (view, NULL);
  g_assert_cmpuint (notify_count, ==, 3);
  nod_markdown_view_set_markdown (view, NULL);
  g_assert_cmpuint (notify_count, ==, 3);
  nod_markdown_view_set_markdown (view, "");
  g_assert_cmpuint (notify_count, ==, 4);

  g_assert_finalize_object (g_steal_pointer (&view));
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* A mapped window showing @content in a scroller, as the page shows its threads. Nothing
 * here asks for frames: a view given no room must not be saved by a redraw it did not ask
 * for. */
static GtkWidget *
present_window (GtkWidget *content)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 400, 600);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_window_set_child (GTK_WINDOW (window), scroller);
  gtk_window_present (GTK_WINDOW (window));
  nod_test_wait_until (widget_mapped, content);
  return window;
}

typedef struct
{
  NodMarkdownView *view;
  const char      *text;
} Sized;

/* The view shows the text, and has the room its lines need: it asks for its margins and
 * a line's height for each line at least (none is long enough to wrap), and is given all
 * it asks for. */
static gboolean
shows_sized (gpointer data)
{
  Sized *sized = data;
  GtkWidget *widget = GTK_WIDGET (sized->view);
  g_autofree char *text = nod_markdown_view_dup_text (sized->view);
  g_autoptr(PangoLayout) line = gtk_widget_create_pango_layout (widget, "Xy");
  g_auto(GStrv) lines = g_strsplit (sized->text, "\n", -1);
  int needed = gtk_text_view_get_top_margin (GTK_TEXT_VIEW (widget)) +
               gtk_text_view_get_bottom_margin (GTK_TEXT_VIEW (widget));
  int line_height, natural;

  if (nod_markdown_view_get_rendering (sized->view) || g_strcmp0 (text, sized->text) != 0 ||
      !gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) == 0)
    return FALSE;

  pango_layout_get_pixel_size (line, NULL, &line_height);
  needed += (int) g_strv_length (lines) * line_height;
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (widget),
                      NULL, &natural, NULL, NULL);
  return natural >= needed && gtk_widget_get_height (widget) >= natural;
}

static void
wait_shows_sized (NodMarkdownView *view,
                  const char      *text)
{
  Sized sized = { view, text };

  nod_test_wait_until (shows_sized, &sized);
}

/* Notes are views made while the page is on screen: each gets the height of its text,
 * whether the text was ready before the view was added or came after it was measured,
 * whether it was
 * replaced before its render landed, grew, or landed while the view was hidden. */
static void
test_markdown_view_sized_on_screen (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *hidden = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  NodMarkdownView *ready, *measured, *replaced, *growing, *unmapped;
  GtkWidget *window;
  int before;

  if (skip_without_display ())
    return;

  window = present_window (box);

  /* Formatted before it is added: it lays its lines out in its first allocation. */
  ready = create_view ("ready **before**\n\nit was added");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (ready));
  gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
  g_object_unref (ready);
  wait_shows_sized (ready, "ready before\n\nit was added");

  /* Measured by its box before its text lands, as a page measures a thread it is given. */
  measured = nod_markdown_view_new ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (measured));
  gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
  nod_markdown_view_set_markdown (measured, "measured before\n\nits text *landed*");
  wait_shows_sized (measured, "measured before\n\nits text landed");

  /* Set, then set again before the first render lands. */
  replaced = nod_markdown_view_new ();
  nod_markdown_view_set_markdown (replaced, "*first*");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (replaced));
  nod_markdown_view_set_markdown (replaced, "second, **the one kept**\n\nand a paragraph");
  wait_shows_sized (replaced, "second, the one kept\n\nand a paragraph");

  /* Sized for one line, then given five. */
  growing = nod_markdown_view_new ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (growing));
  nod_markdown_view_set_markdown (growing, "one line");
  wait_shows_sized (growing, "one line");
  before = gtk_widget_get_height (GTK_WIDGET (growing));
  nod_markdown_view_set_markdown (growing, "one\n\ntwo\n\nthree");
  wait_shows_sized (growing, "one\n\ntwo\n\nthree");
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (growing)), >, before);

  /* Formatted while hidden, then shown. */
  gtk_widget_set_visible (hidden, FALSE);
  gtk_box_append (GTK_BOX (box), hidden);
  unmapped = nod_markdown_view_new ();
  gtk_box_append (GTK_BOX (hidden), GTK_WIDGET (unmapped));
  set_markdown_and_wait (unmapped, "formatted while *hidden*");
  gtk_widget_set_visible (hidden, TRUE);
  wait_shows_sized (unmapped, "formatted while hidden");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A suggestion in a note on a known line: the replaced lines red, the suggested green, in
 * the diff view's colours; without the file, the suggested lines alone. */
static void
test_markdown_view_suggestion (void)
{
  g_autoptr(NodMarkdownView) view = NULL;
  g_autoptr(GBytes) file = g_bytes_new_static ("int a;\nint b = 1;\nint c;\n", 26);
  g_autofree char *text = NULL;
  g_autofree char *blind = NULL;
  GtkTextTagTable *table;
  g_autoptr(GdkRGBA) removed_background = NULL;
  g_autoptr(GdkRGBA) added_background = NULL;
  GdkRGBA added, removed;

  if (skip_without_display ())
    return;

  view = g_object_ref_sink (nod_markdown_view_new ());
  nod_markdown_view_set_suggestion_file (view, file, 2);
  set_markdown_and_wait (view, "Nit:\n\n```suggestion:-0+0\nint b = 2;\n```\n<b>bye</b>");
  text = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (text, ==,
                   "Nit:\n\nSuggested change\n− int b = 1;\n+ int b = 2;\n\n<b>bye</b>");
  assert_tag_over (view, "suggestion-caption", text, "Suggested change");
  assert_tag_over (view, "suggestion-removed", text, "− int b = 1;");
  assert_tag_over (view, "suggestion-added", text, "+ int b = 2;");
  assert_no_tag_at (view, "suggestion-added", text, "− int b = 1;");
  assert_no_tag_at (view, "code-block", text, "+ int b = 2;");
  assert_no_tag_at (view, "suggestion-added", text, "<b>bye</b>");

  table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));
  nod_diff_view_get_line_colors (&added, &removed);
  g_object_get (gtk_text_tag_table_lookup (table, "suggestion-added"),
                "paragraph-background-rgba", &added_background, NULL);
  g_object_get (gtk_text_tag_table_lookup (table, "suggestion-removed"),
                "paragraph-background-rgba", &removed_background, NULL);
  g_assert_true (gdk_rgba_equal (added_background, &added));
  g_assert_true (gdk_rgba_equal (removed_background, &removed));
  g_assert_false (gdk_rgba_equal (&added, &removed));

  /* The file let go: the same note shows the suggested line alone. */
  nod_markdown_view_set_suggestion_file (view, NULL, 0);
  nod_test_wait_until (rendering_done, view);
  blind = nod_markdown_view_dup_text (view);
  g_assert_cmpstr (blind, ==, "Nit:\n\nSuggested change\n+ int b = 2;\n\n<b>bye</b>");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  have_display = gtk_init_check ();

  g_test_add_func ("/nod/markdown-view/defaults", test_markdown_view_defaults);
  g_test_add_func ("/nod/markdown-view/inline-styles", test_markdown_view_inline_styles);
  g_test_add_func ("/nod/markdown-view/single-tilde", test_markdown_view_single_tilde);
  g_test_add_func ("/nod/markdown-view/lists", test_markdown_view_lists);
  g_test_add_func ("/nod/markdown-view/task-list", test_markdown_view_task_list);
  g_test_add_func ("/nod/markdown-view/quote-and-rule", test_markdown_view_quote_and_rule);
  g_test_add_func ("/nod/markdown-view/table", test_markdown_view_table);
  g_test_add_func ("/nod/markdown-view/links", test_markdown_view_links);
  g_test_add_func ("/nod/markdown-view/unsafe-links", test_markdown_view_unsafe_links);
  g_test_add_func ("/nod/markdown-view/raw-html", test_markdown_view_raw_html);
  g_test_add_func ("/nod/markdown-view/deep-nesting", test_markdown_view_deep_nesting);
  g_test_add_func ("/nod/markdown-view/large-input", test_markdown_view_large_input);
  g_test_add_func ("/nod/markdown-view/parser-budget", test_markdown_view_parser_budget);
  g_test_add_func ("/nod/markdown-view/invalid-utf8", test_markdown_view_invalid_utf8);
  g_test_add_func ("/nod/markdown-view/embedded-nul", test_markdown_view_embedded_nul);
  g_test_add_func ("/nod/markdown-view/replace", test_markdown_view_replace);
  g_test_add_func ("/nod/markdown-view/notify", test_markdown_view_notify);
  g_test_add_func ("/nod/markdown-view/rendering", test_markdown_view_rendering);
  g_test_add_func ("/nod/markdown-view/gone-while-rendering",
                   test_markdown_view_gone_while_rendering);

  g_test_add_func ("/nod/markdown-view/sized-on-screen", test_markdown_view_sized_on_screen);
  g_test_add_func ("/nod/markdown-view/suggestion", test_markdown_view_suggestion);

  return g_test_run ();
}
