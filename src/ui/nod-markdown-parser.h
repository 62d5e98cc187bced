/* nod-markdown-parser.h: GitLab-flavoured Markdown into a cmark-gfm tree, within bounds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No GTK here: these run in a worker thread, and in tests without a display.
 */
#pragma once

#include <glib.h>
#include <cmark-gfm.h>

G_BEGIN_DECLS

/* What one parse may hold at its peak, the tree included: about 256 bytes a byte of
 * input at worst (a node for every byte or two, as in "- - - - x"), plus what reference
 * uses and table cells may add within their budgets (nod-markdown-parser.c). */
#define NOD_MARKDOWN_PARSE_MAX_BYTES (96 * 1024 * 1024)

/* The syntax extensions the parser attaches; NULL for one this cmark-gfm lacks. */
typedef struct
{
  cmark_syntax_extension *table;
  cmark_syntax_extension *strikethrough;
  cmark_syntax_extension *autolink;
  cmark_syntax_extension *tasklist;
} NodMarkdownExtensions;

const NodMarkdownExtensions *nod_markdown_parser_get_extensions (void);

/* At most NOD_MARKDOWN_MAX_INPUT_BYTES of valid UTF-8 from @markdown (%NULL reads as ""),
 * cut at a character; @out_truncated says whether anything was left out. */
char       *nod_markdown_parser_bound_input (const char *markdown,
                                             gboolean   *out_truncated);

/* @bounded (from nod_markdown_parser_bound_input()) as it goes to cmark: the same text with
 * the few shapes that make this cmark-gfm take quadratic memory or time taken apart. */
char       *nod_markdown_parser_defuse      (const char *bounded);

/* Parses @markdown, bounded and defused first. Any thread may call this; the tree is the
 * caller's (cmark_node_free()), to free on the same thread. @out_peak_bytes, if not NULL,
 * is set to the most the parse held at once. */
cmark_node *nod_markdown_parser_parse       (const char *markdown,
                                             gboolean   *out_truncated,
                                             gsize      *out_peak_bytes);

G_END_DECLS
