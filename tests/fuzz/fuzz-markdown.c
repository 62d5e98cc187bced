/* fuzz-markdown.c: note bodies and descriptions, through the Markdown parser and renderer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is a body as GitLab sends it (cut at a NUL, as the JSON reader would). What
 * comes out must keep the promises of nod-markdown-renderer.h, which the view relies on
 * when it styles its buffer.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nod-markdown-parser.h"
#include "nod-markdown-renderer.h"
#include "nod-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static int
compare_style_spans (const void *a,
                     const void *b)
{
  const NodMarkdownStyleSpan *span_a = a, *span_b = b;

  if (span_a->style != span_b->style)
    return span_a->style < span_b->style ? -1 : 1;
  return (span_a->start > span_b->start) - (span_a->start < span_b->start);
}

static void
check_rendering (NodMarkdownRendering *rendering)
{
  const NodMarkdownStyleSpan *styles;
  const NodMarkdownLinkSpan *links;
  g_autofree NodMarkdownStyleSpan *sorted = NULL;
  guint n_styles, n_links;
  gsize length;
  const char *text = nod_markdown_rendering_get_text (rendering, &length);
  int chars = nod_markdown_rendering_get_char_count (rendering);

  g_assert_true (g_utf8_validate (text, (gssize) length, NULL));
  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_cmpint (chars, ==, (int) g_utf8_strlen (text, (gssize) length));

  styles = nod_markdown_rendering_get_style_spans (rendering, &n_styles);
  for (guint i = 0; i < n_styles; i++)
    {
      g_assert_cmpint (styles[i].style, <, NOD_MARKDOWN_N_STYLES);
      g_assert_cmpint (0, <=, styles[i].start);
      g_assert_cmpint (styles[i].start, <, styles[i].end);
      g_assert_cmpint (styles[i].end, <=, chars);
    }

  /* A style's spans never overlap: sorted by style, then start, each ends before the next. */
  if (n_styles > 1)
    {
      sorted = g_memdup2 (styles, n_styles * sizeof *styles);
      qsort (sorted, n_styles, sizeof *sorted, compare_style_spans);
      for (guint i = 1; i < n_styles; i++)
        if (sorted[i - 1].style == sorted[i].style)
          g_assert_cmpint (sorted[i - 1].end, <=, sorted[i].start);
    }

  links = nod_markdown_rendering_get_link_spans (rendering, &n_links);
  for (guint i = 0; i < n_links; i++)
    {
      g_assert_cmpint (0, <=, links[i].start);
      g_assert_cmpint (links[i].start, <, links[i].end);
      g_assert_cmpint (links[i].end, <=, chars);
      g_assert_true (i == 0 || links[i - 1].end <= links[i].start);
      g_assert_true (nod_markdown_uri_is_allowed (links[i].target));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *markdown = nod_fuzz_strndup (data, size);
  g_autoptr(NodMarkdownRendering) rendering = nod_markdown_render (markdown);
  g_autoptr(NodMarkdownRendering) source = nod_markdown_render_source (markdown);

  check_rendering (rendering);
  check_rendering (source);
  (void) nod_markdown_uri_is_allowed (markdown);

  return 0;
}
