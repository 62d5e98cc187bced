/* test-markdown-renderer.c: Markdown into text, styles and links, without GTK or a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-markdown-parser.h"
#include "nod-markdown-renderer.h"
#include "nod-test-utils.h"

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

static const char *
text_of (NodMarkdownRendering *rendering)
{
  return nod_markdown_rendering_get_text (rendering, NULL);
}

static void
assert_style_over (NodMarkdownRendering *rendering,
                   NodMarkdownStyle      style,
                   const char           *needle)
{
  const char *text = text_of (rendering);
  int start = offset_of (text, needle);
  int length = (int) g_utf8_strlen (needle, -1);

  for (int i = start; i < start + length; i++)
    {
      if (!nod_markdown_rendering_has_style_at (rendering, style, i))
        {
          g_autofree char *escaped = g_strescape (text, "");

          g_error ("“%s” at %d of “%s” lacks the style %s", needle, i - start, escaped,
                   nod_markdown_style_get_name (style));
        }
    }
}

static void
assert_no_style_at (NodMarkdownRendering *rendering,
                    NodMarkdownStyle      style,
                    const char           *needle)
{
  const char *text = text_of (rendering);

  if (nod_markdown_rendering_has_style_at (rendering, style, offset_of (text, needle)))
    {
      g_autofree char *escaped = g_strescape (text, "");

      g_error ("“%s” in “%s” has the style %s", needle, escaped,
               nod_markdown_style_get_name (style));
    }
}

/* What every rendering promises a view: UTF-8 text, and spans inside it, links sorted and
 * disjoint, each opening an address that may be opened. */
static void
assert_well_formed (NodMarkdownRendering *rendering)
{
  gsize length;
  const char *text = nod_markdown_rendering_get_text (rendering, &length);
  int char_count = nod_markdown_rendering_get_char_count (rendering);
  const NodMarkdownStyleSpan *spans;
  const NodMarkdownLinkSpan *links;
  guint count;

  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_utf8_validate (text, (gssize) length, NULL));
  g_assert_cmpint (g_utf8_strlen (text, (gssize) length), ==, char_count);

  spans = nod_markdown_rendering_get_style_spans (rendering, &count);
  for (guint i = 0; i < count; i++)
    {
      g_assert_cmpint (spans[i].style, <, NOD_MARKDOWN_N_STYLES);
      g_assert_cmpint (0, <=, spans[i].start);
      g_assert_cmpint (spans[i].start, <, spans[i].end);
      g_assert_cmpint (spans[i].end, <=, char_count);
    }

  links = nod_markdown_rendering_get_link_spans (rendering, &count);
  for (guint i = 0; i < count; i++)
    {
      g_assert_cmpint (links[i].start, <, links[i].end);
      g_assert_cmpint (links[i].end, <=, char_count);
      if (i > 0)
        g_assert_cmpint (links[i - 1].end, <=, links[i].start);
      g_assert_true (nod_markdown_uri_is_allowed (links[i].target));
      g_assert_true (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_LINK,
                                                          links[i].start));
    }
}

static NodMarkdownRendering *
render (const char *markdown)
{
  NodMarkdownRendering *rendering = nod_markdown_render (markdown);

  assert_well_formed (rendering);
  return rendering;
}

static void
test_markdown_renderer_empty (void)
{
  const char * const empties[] = { NULL, "", "\n\n", "   \n" };

  for (guint i = 0; i < G_N_ELEMENTS (empties); i++)
    {
      g_autoptr(NodMarkdownRendering) rendering = render (empties[i]);
      guint count;

      g_assert_cmpstr (text_of (rendering), ==, "");
      g_assert_cmpint (nod_markdown_rendering_get_char_count (rendering), ==, 0);
      nod_markdown_rendering_get_style_spans (rendering, &count);
      g_assert_cmpuint (count, ==, 0);
      nod_markdown_rendering_get_link_spans (rendering, &count);
      g_assert_cmpuint (count, ==, 0);
      g_assert_null (nod_markdown_rendering_get_link_at (rendering, 0));
    }
}

static void
test_markdown_renderer_style_names (void)
{
  g_assert_cmpstr (nod_markdown_style_get_name (NOD_MARKDOWN_STYLE_HEADING_1), ==, "heading1");
  g_assert_cmpstr (nod_markdown_style_get_name (NOD_MARKDOWN_STYLE_CODE_BLOCK), ==,
                   "code-block");
  g_assert_cmpstr (nod_markdown_style_get_name (NOD_MARKDOWN_STYLE_RULE), ==, "rule");
  g_assert_cmpstr (nod_markdown_style_get_name (NOD_MARKDOWN_STYLE_KEY), ==, "kbd");
  g_assert_cmpstr (nod_markdown_style_get_name (NOD_MARKDOWN_STYLE_INDENT_8), ==, "indent-8");
}

static void
test_markdown_renderer_headings_and_inline (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("# Title\n"
                      "\n"
                      "Plain *em*, **strong**, ~~gone~~ and `code()`.\n"
                      "\n"
                      "### Third\n"
                      "\n"
                      "Setext\n"
                      "------\n"
                      "\n"
                      "```c\n"
                      "int x;\n"
                      "```\n");
  g_assert_cmpstr (text_of (rendering), ==,
                   "Title\n\nPlain em, strong, gone and code().\n\nThird\n\nSetext\n\nint x;");

  assert_style_over (rendering, NOD_MARKDOWN_STYLE_HEADING_1, "Title");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_HEADING_1, "\n\nPlain");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_EMPHASIS, "em");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_EMPHASIS, ", strong");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "strong");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_STRONG, ", gone");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRIKETHROUGH, "gone");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_CODE, "code()");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_CODE, "and");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_HEADING_3, "Third");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_HEADING_2, "Setext");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_CODE_BLOCK, "int x;");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_CODE, "int x;");
}

static void
test_markdown_renderer_single_tilde (void)
{
  g_autoptr(NodMarkdownRendering) rendering = render ("Labels ~bug and ~feature");

  /* On GitLab ~name is a label, not a strikethrough. */
  g_assert_cmpstr (text_of (rendering), ==, "Labels ~bug and ~feature");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_STRIKETHROUGH, "bug");
}

static void
test_markdown_renderer_lists (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("- one\n"
                      "- two\n"
                      "  - nested\n"
                      "\n"
                      "Between\n"
                      "\n"
                      "3. three\n"
                      "4. four\n"
                      "\n"
                      "1) paren\n"
                      "\n"
                      "- [ ] open task\n"
                      "- [x] done task\n");
  g_assert_cmpstr (text_of (rendering), ==,
                   "• one\n• two\n• nested\n\nBetween\n\n3. three\n4. four\n\n1) paren\n\n"
                   "☐ open task\n☑ done task");

  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_1, "• one");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_INDENT_2, "one");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_2, "• nested");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_INDENT_1, "Between");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_1, "4. four");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_1, "☑ done task");
}

static void
test_markdown_renderer_quote_and_rule (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("> quoted\n"
                      "> > deeper\n"
                      "\n"
                      "---\n"
                      "\n"
                      "after  \n"
                      "hard break\n"
                      "soft\n"
                      "break\n");
  g_assert_cmpstr (text_of (rendering), ==,
                   "quoted\n\ndeeper\n\n────────────────────────\n\nafter\nhard break soft break");

  assert_style_over (rendering, NOD_MARKDOWN_STYLE_QUOTE, "quoted");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_1, "quoted");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_2, "deeper");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_RULE, "────");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_QUOTE, "after");
}

static void
test_markdown_renderer_table (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("Before\n"
                      "\n"
                      "| Name | State |\n"
                      "|------|:-----:|\n"
                      "| ci   | **ok** |\n"
                      "| lint | a \\| b |\n"
                      "\n"
                      "After\n");
  g_assert_cmpstr (text_of (rendering), ==,
                   "Before\n\nName │ State\nci │ ok\nlint │ a | b\n\nAfter");

  assert_style_over (rendering, NOD_MARKDOWN_STYLE_TABLE, "Name │ State\nci │ ok\nlint │ a | b");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "Name │ State");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_STRONG, "ci");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "ok");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_TABLE, "Before");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_TABLE, "After");
}

static void
test_markdown_renderer_links (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  const char *text;
  int offset;

  rendering = render ("See [the docs](https://example.com/docs \"Docs\") now.\n"
                      "\n"
                      "Visit www.example.org today, or team@example.com.\n"
                      "\n"
                      "![a *cat*](https://example.com/cat.png)\n"
                      "\n"
                      "[](https://example.com/empty) and [spaced](<https://example.com/a b>)\n"
                      "\n"
                      "[ref] and [again][ref]\n"
                      "\n"
                      "[ref]: https://example.com/ref\n");
  text = text_of (rendering);
  g_assert_cmpstr (text, ==,
                   "See the docs now.\n"
                   "\n"
                   "Visit www.example.org today, or team@example.com.\n"
                   "\n"
                   "[image: a cat] https://example.com/cat.png\n"
                   "\n"
                   "https://example.com/empty and spaced\n"
                   "\n"
                   "ref and again");

  offset = offset_of (text, "the docs");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset), ==,
                   "https://example.com/docs");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset + 7), ==,
                   "https://example.com/docs");
  g_assert_null (nod_markdown_rendering_get_link_at (rendering, offset + 8));
  g_assert_null (nod_markdown_rendering_get_link_at (rendering, offset_of (text, "See")));
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_LINK, "the docs");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_LINK, " now");

  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering,
                                                       offset_of (text, "www.example.org")),
                   ==, "http://www.example.org");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset_of (text, "team@")),
                   ==, "mailto:team@example.com");

  /* An image is its description and its address, the address a link. */
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_LINK, "[image");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_LINK, "https://example.com/cat.png");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering,
                                                       offset_of (text, "https://example.com/cat")),
                   ==, "https://example.com/cat.png");

  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering,
                                                       offset_of (text, "https://example.com/em")),
                   ==, "https://example.com/empty");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset_of (text, "spaced")),
                   ==, "https://example.com/a%20b");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset_of (text, "ref and")),
                   ==, "https://example.com/ref");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, offset_of (text, "again")),
                   ==, "https://example.com/ref");

  g_assert_null (nod_markdown_rendering_get_link_at (rendering, -1));
  g_assert_null (nod_markdown_rendering_get_link_at (rendering, G_MAXINT));
}

static void
test_markdown_renderer_refused_links (void)
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
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  guint link_count;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      if (nod_markdown_uri_is_allowed (refused[i]))
        g_error ("“%s” would be opened", refused[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      if (!nod_markdown_uri_is_allowed (allowed[i]))
        g_error ("“%s” would not be opened", allowed[i]);
    }
  g_assert_false (nod_markdown_uri_is_allowed (NULL));

  rendering = render ("[click](javascript:alert(1)) [data](data:text/html,x) "
                      "[file](file:///etc/passwd) ![img](javascript:alert(2)) "
                      "[rel](/etc/passwd) <vbscript:x>");
  g_assert_cmpstr (text_of (rendering), ==,
                   "click data file [image: img] javascript:alert(2) rel vbscript:x");
  nod_markdown_rendering_get_link_spans (rendering, &link_count);
  g_assert_cmpuint (link_count, ==, 0);
  for (int i = 0; i < nod_markdown_rendering_get_char_count (rendering); i++)
    {
      g_assert_null (nod_markdown_rendering_get_link_at (rendering, i));
      g_assert_false (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_LINK,
                                                           i));
    }
}

static void
test_markdown_renderer_raw_html (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("<script>alert(1)</script>\n"
                      "\n"
                      "Some <b>x</b> and <img src=x onerror=alert(1)>.\n"
                      "\n"
                      "<!-- a comment -->\n");
  g_assert_cmpstr (text_of (rendering), ==,
                   "<script>alert(1)</script>\n\n"
                   "Some <b>x</b> and <img src=x onerror=alert(1)>.\n\n"
                   "<!-- a comment -->");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_STRONG, "x</b>");
}

/* The text of each span of @style, in order, joined by "|". */
static char *
spans_text (NodMarkdownRendering *rendering,
            NodMarkdownStyle      style)
{
  const char *text = text_of (rendering);
  const NodMarkdownStyleSpan *spans;
  GString *joined = g_string_new (NULL);
  guint count;

  spans = nod_markdown_rendering_get_style_spans (rendering, &count);
  for (guint i = 0; i < count; i++)
    {
      const char *start, *end;

      if (spans[i].style != style)
        continue;
      start = g_utf8_offset_to_pointer (text, spans[i].start);
      end = g_utf8_offset_to_pointer (text, spans[i].end);
      if (joined->len > 0)
        g_string_append_c (joined, '|');
      g_string_append_len (joined, start, end - start);
    }
  return g_string_free (joined, FALSE);
}

/* GitLab's <kbd>X</kbd> shows as a key, its tags gone; nothing else of raw HTML changes. */
static void
test_markdown_renderer_kbd (void)
{
  g_autoptr(NodMarkdownRendering) keys = NULL;
  g_autoptr(NodMarkdownRendering) odd = NULL;
  g_autofree char *key_spans = NULL;
  g_autofree char *odd_spans = NULL;
  guint count;

  keys = render ("Press <kbd>Ctrl</kbd>+<kbd>Enter</kbd> to send, *<kbd>Esc</kbd>* not.");
  g_assert_cmpstr (text_of (keys), ==, "Press Ctrl+Enter to send, Esc not.");
  key_spans = spans_text (keys, NOD_MARKDOWN_STYLE_KEY);
  g_assert_cmpstr (key_spans, ==, "Ctrl|Enter|Esc");
  assert_style_over (keys, NOD_MARKDOWN_STYLE_EMPHASIS, "Esc");
  assert_no_style_at (keys, NOD_MARKDOWN_STYLE_KEY, "+");

  /* Unclosed, closed in another paragraph, nested, another case or with attributes: text. */
  odd = render ("An <kbd>open one.\n"
                "\n"
                "A close</kbd> alone, <kbd><kbd>Tab</kbd>, <KBD>Q</KBD>, "
                "<kbd class=x>W</kbd>, <b>bold</b>.");
  g_assert_cmpstr (text_of (odd), ==,
                   "An <kbd>open one.\n\n"
                   "A close</kbd> alone, <kbd>Tab, <KBD>Q</KBD>, "
                   "<kbd class=x>W</kbd>, <b>bold</b>.");
  odd_spans = spans_text (odd, NOD_MARKDOWN_STYLE_KEY);
  g_assert_cmpstr (odd_spans, ==, "Tab");
  assert_no_style_at (odd, NOD_MARKDOWN_STYLE_STRONG, "bold");
  nod_markdown_rendering_get_style_spans (odd, &count);
  g_assert_cmpuint (count, ==, 1);
}

/* Control characters are text like any other: the buffer shows them as they are; only the
 * line endings cmark knows ("\r\n", a lone "\r") end lines. */
static void
test_markdown_renderer_control_characters (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;

  rendering = render ("bell\x07 escape\x1b[31mred\x1b[0m tab\tvt\x0b ff\x0c del\x7f\r\n"
                      "\r\n"
                      "**after**\rsame paragraph");
  g_assert_cmpstr (text_of (rendering), ==,
                   "bell\x07 escape\x1b[31mred\x1b[0m tab\tvt\x0b ff\x0c del\x7f\n\n"
                   "after same paragraph");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "after");
}

static void
test_markdown_renderer_invalid_utf8 (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  const char *text;

  rendering = render ("\xff\xfe **bold** \xc3 [l\xe2\x82](https://example.com/\xff) \xed\xa0\x80");
  text = text_of (rendering);
  g_assert_nonnull (strstr (text, "\xef\xbf\xbd"));
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "bold");
  g_assert_nonnull (nod_markdown_rendering_get_link_at (rendering,
                                                        offset_of (text, "l\xef\xbf\xbd")));
}

static void
test_markdown_renderer_embedded_nul (void)
{
  static const char with_nul[] = "# Before\0after **the** NUL";
  g_autoptr(NodMarkdownRendering) rendering = render (with_nul);

  /* A C string ends at its first NUL: what follows is not shown. */
  g_assert_cmpstr (text_of (rendering), ==, "Before");
}

static void
test_markdown_renderer_input_cut (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  const char *text;

  while (markdown->len < 1024 * 1024)
    g_string_append (markdown, "Some **text** in a paragraph, 1. and `code`\n- item\n\n");

  rendering = render (markdown->str);
  text = text_of (rendering);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_MAX_INPUT_BYTES + strlen ("\n…"));
  g_assert_cmpuint (strlen (text), >, NOD_MARKDOWN_MAX_INPUT_BYTES / 2);
  g_assert_true (g_str_has_suffix (text, "\n…"));
  g_assert_true (g_str_has_prefix (text, "Some text in a paragraph"));
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_STRONG, "text");
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* Right at the bound nothing is cut. */
  g_string_truncate (markdown, 0);
  while (markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES - 1)
    g_string_append_c (markdown, 'a');
  g_string_append_c (markdown, 'z');
  rendering = render (markdown->str);
  g_assert_cmpuint (strlen (text_of (rendering)), ==, NOD_MARKDOWN_MAX_INPUT_BYTES);
  g_assert_true (g_str_has_suffix (text_of (rendering), "az"));
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* One byte more, and the last line says the rest is missing. */
  g_string_append_c (markdown, '!');
  rendering = render (markdown->str);
  g_assert_true (g_str_has_suffix (text_of (rendering), "az\n…"));
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* A cut never splits a character: "é" is two bytes, the bound falls in the middle. */
  g_string_truncate (markdown, 0);
  g_string_append_c (markdown, 'x');
  while (markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES + 8)
    g_string_append (markdown, "é");
  rendering = render (markdown->str);
  g_assert_true (g_str_has_suffix (text_of (rendering), "é\n…"));
}

static void
test_markdown_renderer_rendered_bound (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  const NodMarkdownStyleSpan *spans;
  const char *text;
  guint span_count;

  /* Four bytes of source ("***\n"), a rule of 72 bytes and a blank line in the text. */
  while (markdown->len + 128 < NOD_MARKDOWN_MAX_INPUT_BYTES)
    {
      g_string_append (markdown, "[a](https://example.com/)\n\n");
      for (int i = 0; i < 20; i++)
        g_string_append (markdown, "***\n");
    }

  rendering = render (markdown->str);
  text = text_of (rendering);
  g_assert_cmpuint (strlen (text), <=, NOD_MARKDOWN_MAX_RENDERED_BYTES + strlen ("\n…"));
  g_assert_cmpuint (strlen (text), >, NOD_MARKDOWN_MAX_RENDERED_BYTES - 100);
  g_assert_true (g_str_has_suffix (text, "\n…"));

  /* The "…" line is outside every style. */
  spans = nod_markdown_rendering_get_style_spans (rendering, &span_count);
  for (guint i = 0; i < span_count; i++)
    g_assert_cmpint (spans[i].end, <=, nod_markdown_rendering_get_char_count (rendering) - 2);
}

static guint
count_spans_in (NodMarkdownRendering *rendering,
                int                   start,
                int                   end)
{
  const NodMarkdownStyleSpan *spans;
  guint count;
  guint inside = 0;

  spans = nod_markdown_rendering_get_style_spans (rendering, &count);
  for (guint i = 0; i < count; i++)
    inside += start <= spans[i].start && spans[i].start < end;
  return inside;
}

/* A text view is slow to tag a line that has many tags: a line gets a few hundred at
 * most, the whole text some thousands, and the rest stays plain. */
static void
test_markdown_renderer_style_bound (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  const char *text;
  guint span_count;
  guint link_count;

  for (int i = 0; i < 5000; i++)
    g_string_append (markdown, "*a* [b](https://example.com/) ");
  rendering = render (markdown->str);
  text = text_of (rendering);
  g_assert_true (g_str_has_prefix (text, "a b a b a b"));
  g_assert_cmpuint (count_spans_in (rendering, 0, G_MAXINT), <=, 128);
  g_assert_cmpuint (count_spans_in (rendering, 0, G_MAXINT), >=, 100);
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_EMPHASIS, "a");
  g_assert_cmpstr (nod_markdown_rendering_get_link_at (rendering, 2), ==,
                   "https://example.com/");
  /* Past the bound, a link is neither styled nor opened. */
  g_assert_false (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_LINK,
                                                       nod_markdown_rendering_get_char_count
                                                         (rendering) - 2));
  g_assert_null (nod_markdown_rendering_get_link_at (rendering,
                                                     nod_markdown_rendering_get_char_count
                                                       (rendering) - 2));
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* Many lines of a few styles each: the whole is bounded too. */
  g_string_truncate (markdown, 0);
  for (int i = 0; i < 20000; i++)
    g_string_append (markdown, "- **a** `b`\n");
  rendering = render (markdown->str);
  nod_markdown_rendering_get_style_spans (rendering, &span_count);
  g_assert_cmpuint (span_count, <=, 16384);
  g_assert_cmpuint (span_count, >=, 16000);
  nod_markdown_rendering_get_link_spans (rendering, &link_count);
  g_assert_cmpuint (link_count, ==, 0);
}

static void
test_markdown_renderer_deep_nesting (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  const char *text;
  int last;

  for (int i = 0; i < 10000; i++)
    g_string_append_c (markdown, '>');
  g_string_append (markdown, " deep");

  rendering = render (markdown->str);
  text = text_of (rendering);
  g_assert_true (g_str_has_suffix (text, "deep"));
  g_assert_cmpuint (strlen (text), <=, markdown->len);
  last = nod_markdown_rendering_get_char_count (rendering) - 1;
  g_assert_true (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_QUOTE,
                                                      last));
  g_assert_true (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_INDENT_8,
                                                      last));
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* Lists as deep, each item's marker on the line of its parent's. */
  g_string_truncate (markdown, 0);
  for (int i = 0; i < 10000; i++)
    g_string_append (markdown, "- ");
  g_string_append (markdown, "x");
  rendering = render (markdown->str);
  text = text_of (rendering);
  g_assert_true (g_str_has_prefix (text, "• • • "));
  g_assert_true (g_str_has_suffix (text, "• x"));
  g_assert_cmpuint (strlen (text), <=, 2 * markdown->len);
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  /* Nesting kept as written up to eight levels and well past. */
  rendering = render ("> 1\n"
                      "> > 2\n"
                      "> > > 3\n"
                      "> > > - 4\n"
                      "> > >   > 5\n");
  g_assert_cmpstr (text_of (rendering), ==, "1\n\n2\n\n3\n\n• 4\n5");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_3, "3");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_INDENT_5, "5");
}

static void
test_markdown_renderer_source (void)
{
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autoptr(GString) markdown = g_string_new (NULL);
  guint count;

  rendering = nod_markdown_render_source ("# Not *formatted* [link](https://example.com)");
  assert_well_formed (rendering);
  g_assert_cmpstr (text_of (rendering), ==, "# Not *formatted* [link](https://example.com)");
  nod_markdown_rendering_get_style_spans (rendering, &count);
  g_assert_cmpuint (count, ==, 0);
  nod_markdown_rendering_get_link_spans (rendering, &count);
  g_assert_cmpuint (count, ==, 0);
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);

  while (markdown->len <= NOD_MARKDOWN_MAX_INPUT_BYTES)
    g_string_append (markdown, "source\xff\n");
  rendering = nod_markdown_render_source (markdown->str);
  assert_well_formed (rendering);
  g_assert_cmpuint (strlen (text_of (rendering)), <=,
                    NOD_MARKDOWN_MAX_INPUT_BYTES + strlen ("\n…"));
  g_assert_true (g_str_has_prefix (text_of (rendering), "source\xef\xbf\xbd\n"));
  g_assert_true (g_str_has_suffix (text_of (rendering), "\n…"));
}

/* Ordinary Markdown reaches cmark as it is written. */
static void
test_markdown_renderer_defuse_keeps_documents (void)
{
  static const char * const documents[] = {
    "# Title\n\nPlain *em*, **strong** and `a[1]: b`.\n",
    "- one\n  - two\n    - three\n\n1. a\n2. b\n",
    "> quote\n> > deeper\n>\n> - item\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| x \\| y | z |\n",
    "[ref]: https://example.com \"Title\"\n\nUse [ref] and ![img](https://example.com/i.png)\n",
    "```\n                                                                        - deep code\n```\n",
    "line\r\nother\rthird\n",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      g_autofree char *defused = nod_markdown_parser_defuse (documents[i]);

      g_assert_cmpstr (defused, ==, documents[i]);
    }
}

typedef struct
{
  const char *name;
  GString    *markdown;
} Pathological;

/* Inputs that make Debian 12's cmark-gfm allocate gigabytes or run for minutes, each at
 * the size bound. */
static GPtrArray *
build_pathological_inputs (void)
{
  GPtrArray *inputs = g_ptr_array_new ();
  Pathological *input;

  /* One long reference used thousands of times: each use copies the address. */
  input = g_new0 (Pathological, 1);
  input->name = "reference";
  input->markdown = g_string_new ("[a]: http://");
  for (int i = 0; i < 200000; i++)
    g_string_append_c (input->markdown, 'x');
  g_string_append (input->markdown, "\n\n");
  for (int i = 0; i < 20000; i++)
    g_string_append (input->markdown, "[a]");
  g_ptr_array_add (inputs, input);

  /* The same with a long title over many lines. */
  input = g_new0 (Pathological, 1);
  input->name = "reference-title";
  input->markdown = g_string_new ("[a]: /u '");
  for (int i = 0; i < 20000; i++)
    g_string_append (input->markdown, "xxxxxxxxx\n");
  g_string_append (input->markdown, "'\n\n");
  for (int i = 0; i < 20000; i++)
    g_string_append (input->markdown, "[a]");
  g_ptr_array_add (inputs, input);

  /* A header of a thousand columns over thousands of one-cell rows, in a quote too. */
  for (int quoted = 0; quoted < 2; quoted++)
    {
      input = g_new0 (Pathological, 1);
      input->name = quoted ? "quoted-table" : "table";
      input->markdown = g_string_new (NULL);
      for (int i = 0; i < 1000; i++)
        g_string_append (input->markdown, quoted && i == 0 ? "> |a" : "|a");
      g_string_append_c (input->markdown, '\n');
      for (int i = 0; i < 1000; i++)
        g_string_append (input->markdown, quoted && i == 0 ? "> |-" : "|-");
      g_string_append_c (input->markdown, '\n');
      while (input->markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES)
        g_string_append (input->markdown, quoted ? "> x\n" : "x\n");
      g_ptr_array_add (inputs, input);
    }

  /* A two-column table with a row of a hundred thousand cells. */
  input = g_new0 (Pathological, 1);
  input->name = "wide-row";
  input->markdown = g_string_new ("| a | b |\n|---|---|\n");
  while (input->markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES)
    g_string_append_c (input->markdown, '|');
  g_ptr_array_add (inputs, input);

  /* Thousands of quotes, or list items, around a paragraph of unmatched delimiters. */
  for (int lists = 0; lists < 2; lists++)
    {
      input = g_new0 (Pathological, 1);
      input->name = lists ? "deep-list" : "deep-quote";
      input->markdown = g_string_new (NULL);
      for (int i = 0; i < 50000; i++)
        g_string_append (input->markdown, lists ? "- " : ">");
      while (input->markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES)
        g_string_append (input->markdown, "a*");
      g_ptr_array_add (inputs, input);
    }

  /* Nesting built over many lines with tabs, a few markers a line. */
  input = g_new0 (Pathological, 1);
  input->name = "indented-nesting";
  input->markdown = g_string_new (NULL);
  for (int line = 0; line < 200; line++)
    {
      for (int i = 0; i < line * 2; i++)
        g_string_append_c (input->markdown, '\t');
      g_string_append (input->markdown, "- - - - a\n");
    }
  while (input->markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES)
    g_string_append (input->markdown, "a_ ");
  g_ptr_array_add (inputs, input);

  /* Links closing over many image openers. */
  input = g_new0 (Pathological, 1);
  input->name = "image-openers";
  input->markdown = g_string_new (NULL);
  while (input->markdown->len < NOD_MARKDOWN_MAX_INPUT_BYTES)
    g_string_append (input->markdown, "![[]()");
  g_ptr_array_add (inputs, input);

  return inputs;
}

static void
pathological_free (gpointer data)
{
  Pathological *input = data;

  g_string_free (input->markdown, TRUE);
  g_free (input);
}

static void
test_markdown_renderer_pathological_memory (void)
{
  g_autoptr(GPtrArray) inputs = build_pathological_inputs ();

  g_ptr_array_set_free_func (inputs, pathological_free);
  for (guint i = 0; i < inputs->len; i++)
    {
      Pathological *input = inputs->pdata[i];
      g_autoptr(NodMarkdownRendering) rendering = NULL;
      gboolean truncated;
      gsize peak_bytes = 0;
      cmark_node *document;

      document = nod_markdown_parser_parse (input->markdown->str, &truncated, &peak_bytes);
      g_assert_nonnull (document);
      cmark_node_free (document);
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes of input, %" G_GSIZE_FORMAT
                      " bytes at the parser's peak", input->name, input->markdown->len,
                      peak_bytes);
      if (peak_bytes == 0 || peak_bytes > NOD_MARKDOWN_PARSE_MAX_BYTES)
        g_error ("%s: the parser held %" G_GSIZE_FORMAT " bytes", input->name, peak_bytes);

      rendering = render (input->markdown->str);
      g_assert_cmpuint (strlen (text_of (rendering)), <=,
                        NOD_MARKDOWN_MAX_RENDERED_BYTES + strlen ("\n…"));
    }
}

/* Taken apart, the pathological shapes still read as what they say. */
static void
test_markdown_renderer_pathological_text (void)
{
  g_autoptr(GPtrArray) inputs = build_pathological_inputs ();

  g_ptr_array_set_free_func (inputs, pathological_free);
  for (guint i = 0; i < inputs->len; i++)
    {
      Pathological *input = inputs->pdata[i];
      g_autoptr(NodMarkdownRendering) rendering = render (input->markdown->str);
      const char *text = text_of (rendering);

      if (g_str_equal (input->name, "reference"))
        {
          g_assert_true (g_str_has_prefix (text, "[a]: http://xxx"));
          g_assert_true (g_str_has_suffix (text, "[a][a][a]"));
        }
      else if (g_str_equal (input->name, "table") || g_str_equal (input->name, "quoted-table"))
        {
          g_assert_true (g_str_has_prefix (text, "|a|a|a"));
          g_assert_false (nod_markdown_rendering_has_style_at (rendering,
                                                               NOD_MARKDOWN_STYLE_TABLE, 0));
        }
      else if (g_str_equal (input->name, "wide-row"))
        {
          g_assert_true (g_str_has_prefix (text, "a │ b\n"));
          g_assert_true (nod_markdown_rendering_has_style_at (rendering,
                                                              NOD_MARKDOWN_STYLE_TABLE, 0));
        }
      else if (g_str_equal (input->name, "deep-quote"))
        {
          g_assert_true (g_str_has_prefix (text, "aaaa"));
          g_assert_true (nod_markdown_rendering_has_style_at (rendering,
                                                              NOD_MARKDOWN_STYLE_INDENT_8, 0));
        }
      else if (g_str_equal (input->name, "image-openers"))
        {
          g_assert_true (g_str_has_prefix (text, "![![![![![![![![![![![![![![![![![![!["));
        }
    }
}

static void
test_markdown_renderer_defuse_tables (void)
{
  g_autoptr(GString) markdown = g_string_new ("| a | b |\n|---|---|\n");
  g_autoptr(NodMarkdownRendering) rendering = NULL;
  g_autofree char *defused = NULL;

  /* A table within its budget stays a table, however many rows it has. */
  for (int i = 0; i < 1000; i++)
    g_string_append (markdown, "| x | y |\n");
  defused = nod_markdown_parser_defuse (markdown->str);
  g_assert_cmpstr (defused, ==, markdown->str);
  rendering = render (markdown->str);
  g_assert_true (g_str_has_prefix (text_of (rendering), "a │ b\nx │ y\n"));
  g_assert_true (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_TABLE, 0));
  g_clear_pointer (&rendering, nod_markdown_rendering_unref);
  g_clear_pointer (&defused, g_free);

  /* Past TABLE_MAX_COLUMNS, the delimiter row stays text. */
  g_string_assign (markdown, "");
  for (int i = 0; i < 300; i++)
    g_string_append (markdown, "|a");
  g_string_append_c (markdown, '\n');
  for (int i = 0; i < 300; i++)
    g_string_append (markdown, "|-");
  g_string_append (markdown, "\n\nAfter\n");
  rendering = render (markdown->str);
  g_assert_true (g_str_has_prefix (text_of (rendering), "|a|a|a"));
  g_assert_true (strstr (text_of (rendering), "a |-|-|-|") != NULL);
  g_assert_true (g_str_has_suffix (text_of (rendering), "\n\nAfter"));
}

static void
keep_rendering (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray *renderings = user_data;
  g_autoptr(GError) error = NULL;
  NodMarkdownRendering *rendering = nod_markdown_render_finish (result, &error);

  g_assert_no_error (error);
  g_assert_null (source_object);
  g_ptr_array_add (renderings, rendering);
}

static gboolean
all_arrived (gpointer data)
{
  GPtrArray *renderings = data;

  return renderings->len == 50;
}

static void
test_markdown_renderer_async (void)
{
  g_autoptr(GPtrArray) renderings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) texts = g_hash_table_new (g_str_hash, g_str_equal);

  renderings = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_markdown_rendering_unref);

  /* Many at once: each comes back, in the thread that asked, whole. */
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *markdown = g_strdup_printf ("**%d** [link](https://example.com/%d)", i, i);

      nod_markdown_render_async (markdown, NULL, keep_rendering, renderings);
    }
  nod_test_wait_until (all_arrived, renderings);
  for (guint i = 0; i < renderings->len; i++)
    {
      NodMarkdownRendering *rendering = renderings->pdata[i];

      assert_well_formed (rendering);
      g_assert_true (nod_markdown_rendering_has_style_at (rendering, NOD_MARKDOWN_STYLE_STRONG,
                                                          0));
      g_assert_nonnull (nod_markdown_rendering_get_link_at (rendering,
                                                            offset_of (text_of (rendering),
                                                                       "link")));
      g_hash_table_add (texts, (gpointer) text_of (rendering));
    }
  g_assert_cmpuint (g_hash_table_size (texts), ==, 50);

  /* Cancelled before it runs: it never does. */
  g_cancellable_cancel (cancellable);
  nod_markdown_render_async ("*never*", cancellable, nod_test_keep_result, &result);
  nod_test_wait_for_result (&result);
  g_assert_null (nod_markdown_render_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A suggestion shows as a small diff: the file's lines it replaces, then its own. */
static void
test_markdown_renderer_suggestion_with_file (void)
{
  g_autoptr(GBytes) file = g_bytes_new_static ("line one\nline two\nold three\r\nline four\n",
                                               strlen ("line one\nline two\nold three\r\n"
                                                       "line four\n"));
  g_autoptr(NodMarkdownRendering) rendering =
    nod_markdown_render_with_file ("Try this:\n\n"
                                   "```suggestion:-1+0\n"
                                   "line 2\n"
                                   "new three\n"
                                   "```\n\n"
                                   "Thanks", file, 3);

  assert_well_formed (rendering);
  g_assert_cmpstr (text_of (rendering), ==,
                   "Try this:\n\n"
                   "Suggested change\n"
                   "− line two\n"
                   "− old three\n"
                   "+ line 2\n"
                   "+ new three\n\n"
                   "Thanks");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_CAPTION, "Suggested change");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED,
                     "− line two\n− old three");
  assert_style_over (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED, "+ line 2\n+ new three");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED, "− old three");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED, "+ line 2");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_CODE_BLOCK, "+ line 2");
  assert_no_style_at (rendering, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED, "Thanks");
}

/* Without the file (the overview, a text not downloaded): the suggested lines alone. */
static void
test_markdown_renderer_suggestion_without_file (void)
{
  g_autoptr(NodMarkdownRendering) plain = render ("```suggestion:-2+1\nreturn 0;\n```");
  g_autoptr(GBytes) file = g_bytes_new_static ("a\nb\n", 4);
  g_autoptr(NodMarkdownRendering) no_line = nod_markdown_render_with_file (
    "```suggestion\nreturn 0;\n```", file, 0);
  g_autoptr(NodMarkdownRendering) code = render ("```c\nreturn 0;\n```");

  g_assert_cmpstr (text_of (plain), ==, "Suggested change\n+ return 0;");
  assert_style_over (plain, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED, "+ return 0;");
  g_assert_cmpstr (text_of (no_line), ==, "Suggested change\n+ return 0;");
  /* Any other code block is still one. */
  g_assert_cmpstr (text_of (code), ==, "return 0;");
  assert_style_over (code, NOD_MARKDOWN_STYLE_CODE_BLOCK, "return 0;");
}

/* An empty suggestion deletes the lines; several in a body, with prose between; a longer
 * fence holding ``` lines; a malformed header is the note's line alone. */
static void
test_markdown_renderer_suggestion_shapes (void)
{
  g_autoptr(GBytes) file = g_bytes_new_static ("one\ntwo\nthree\n", 14);
  g_autoptr(NodMarkdownRendering) deleted =
    nod_markdown_render_with_file ("```suggestion:-0+1\n```", file, 2);
  g_autoptr(NodMarkdownRendering) deleted_blind = render ("```suggestion:-0+1\n```");
  g_autoptr(NodMarkdownRendering) several =
    nod_markdown_render_with_file ("First\n\n```suggestion\nTWO\n```\n\nor\n\n"
                                   "````suggestion:-1+0\n```\nfenced\n````\n", file, 2);
  g_autoptr(NodMarkdownRendering) malformed =
    nod_markdown_render_with_file ("```suggestion:-x+9\n2\n```", file, 2);
  g_autoptr(NodMarkdownRendering) clamped =
    nod_markdown_render_with_file ("```suggestion:-500+1000\nall\n```", file, 2);

  g_assert_cmpstr (text_of (deleted), ==, "Suggested change\n− two\n− three");
  g_assert_cmpstr (text_of (deleted_blind), ==, "Suggested change: delete these lines");
  g_assert_cmpstr (text_of (several), ==,
                   "First\n\nSuggested change\n− two\n+ TWO\n\nor\n\n"
                   "Suggested change\n− one\n− two\n+ ```\n+ fenced");
  g_assert_cmpstr (text_of (malformed), ==, "Suggested change\n− two\n+ 2");
  /* Before the first line and past the last there is nothing to replace. */
  g_assert_cmpstr (text_of (clamped), ==, "Suggested change\n− one\n− two\n− three\n+ all");
}

/* A stranger's file and note: invalid UTF-8 and NUL in the file stay out of the text, and
 * thousands of suggestions of 201 lines each stay within the rendered bound. */
static void
test_markdown_renderer_suggestion_hostile (void)
{
  const char bad[] = "ok\n\xff\xfe\0bad\nend";
  g_autoptr(GBytes) bad_file = g_bytes_new_static (bad, sizeof bad - 1);
  g_autoptr(NodMarkdownRendering) cleaned =
    nod_markdown_render_with_file ("```suggestion:-1+1\n```", bad_file, 2);
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GBytes) wide_file = NULL;
  g_autoptr(NodMarkdownRendering) bounded = NULL;
  gsize length;

  assert_well_formed (cleaned);
  {
    g_autoptr(NodMarkdownRendering) far = nod_markdown_render_with_file (
      "```suggestion:-100+100\nx\n```", bad_file, G_MAXINT64);

    g_assert_cmpstr (text_of (far), ==, "Suggested change\n+ x");
  }
  g_assert_null (strchr (text_of (cleaned), '\xff'));
  g_assert_cmpstr (text_of (cleaned), ==, "Suggested change\n− ok\n− \xef\xbf\xbd\xef\xbf\xbd"
                   "\xef\xbf\xbd" "bad\n− end");

  for (guint i = 0; i < 400; i++)
    {
      for (guint j = 0; j < 100; j++)
        g_string_append (wide, "wide line ");
      g_string_append_c (wide, '\n');
    }
  wide_file = g_string_free_to_bytes (g_steal_pointer (&wide));
  while (many->len < NOD_MARKDOWN_MAX_INPUT_BYTES - 64)
    g_string_append (many, "```suggestion:-100+100\n```\n");
  bounded = nod_markdown_render_with_file (many->str, wide_file, 200);
  assert_well_formed (bounded);
  nod_markdown_rendering_get_text (bounded, &length);
  g_assert_cmpuint (length, <=, NOD_MARKDOWN_MAX_RENDERED_BYTES + strlen ("\n…"));
  g_assert_true (g_str_has_suffix (text_of (bounded), "\n…"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/markdown-renderer/empty", test_markdown_renderer_empty);
  g_test_add_func ("/nod/markdown-renderer/style-names", test_markdown_renderer_style_names);
  g_test_add_func ("/nod/markdown-renderer/headings-and-inline",
                   test_markdown_renderer_headings_and_inline);
  g_test_add_func ("/nod/markdown-renderer/single-tilde", test_markdown_renderer_single_tilde);
  g_test_add_func ("/nod/markdown-renderer/lists", test_markdown_renderer_lists);
  g_test_add_func ("/nod/markdown-renderer/quote-and-rule",
                   test_markdown_renderer_quote_and_rule);
  g_test_add_func ("/nod/markdown-renderer/table", test_markdown_renderer_table);
  g_test_add_func ("/nod/markdown-renderer/links", test_markdown_renderer_links);
  g_test_add_func ("/nod/markdown-renderer/refused-links", test_markdown_renderer_refused_links);
  g_test_add_func ("/nod/markdown-renderer/raw-html", test_markdown_renderer_raw_html);
  g_test_add_func ("/nod/markdown-renderer/kbd", test_markdown_renderer_kbd);
  g_test_add_func ("/nod/markdown-renderer/control-characters",
                   test_markdown_renderer_control_characters);
  g_test_add_func ("/nod/markdown-renderer/invalid-utf8", test_markdown_renderer_invalid_utf8);
  g_test_add_func ("/nod/markdown-renderer/embedded-nul", test_markdown_renderer_embedded_nul);
  g_test_add_func ("/nod/markdown-renderer/input-cut", test_markdown_renderer_input_cut);
  g_test_add_func ("/nod/markdown-renderer/rendered-bound",
                   test_markdown_renderer_rendered_bound);
  g_test_add_func ("/nod/markdown-renderer/style-bound", test_markdown_renderer_style_bound);
  g_test_add_func ("/nod/markdown-renderer/deep-nesting", test_markdown_renderer_deep_nesting);
  g_test_add_func ("/nod/markdown-renderer/source", test_markdown_renderer_source);
  g_test_add_func ("/nod/markdown-renderer/defuse-keeps-documents",
                   test_markdown_renderer_defuse_keeps_documents);
  g_test_add_func ("/nod/markdown-renderer/defuse-tables", test_markdown_renderer_defuse_tables);
  g_test_add_func ("/nod/markdown-renderer/pathological-memory",
                   test_markdown_renderer_pathological_memory);
  g_test_add_func ("/nod/markdown-renderer/pathological-text",
                   test_markdown_renderer_pathological_text);
  g_test_add_func ("/nod/markdown-renderer/async", test_markdown_renderer_async);
  g_test_add_func ("/nod/markdown-renderer/suggestion/with-file",
                   test_markdown_renderer_suggestion_with_file);
  g_test_add_func ("/nod/markdown-renderer/suggestion/without-file",
                   test_markdown_renderer_suggestion_without_file);
  g_test_add_func ("/nod/markdown-renderer/suggestion/shapes",
                   test_markdown_renderer_suggestion_shapes);
  g_test_add_func ("/nod/markdown-renderer/suggestion/hostile",
                   test_markdown_renderer_suggestion_hostile);

  return g_test_run ();
}
