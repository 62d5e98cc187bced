/* nod-markdown-renderer.h: GitLab-flavoured Markdown as text, styles and links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain data and no GTK: a view fills its buffer from a NodMarkdownRendering, and tests
 * read one without a display.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most this many bytes of Markdown are formatted; the rest is cut, and a last line "…"
 * says so. */
#define NOD_MARKDOWN_MAX_INPUT_BYTES (256 * 1024)

/* The text never holds more bytes than this (list numbers, table rules and image addresses
 * make it longer than its source), the final "…" line aside. */
#define NOD_MARKDOWN_MAX_RENDERED_BYTES (4 * NOD_MARKDOWN_MAX_INPUT_BYTES)

/* Quotes and lists nested deeper than this are indented as much as this. */
#define NOD_MARKDOWN_MAX_INDENT_LEVEL 8

typedef enum
{
  NOD_MARKDOWN_STYLE_HEADING_1,
  NOD_MARKDOWN_STYLE_HEADING_2,
  NOD_MARKDOWN_STYLE_HEADING_3,
  NOD_MARKDOWN_STYLE_HEADING_4,
  NOD_MARKDOWN_STYLE_HEADING_5,
  NOD_MARKDOWN_STYLE_HEADING_6,
  NOD_MARKDOWN_STYLE_STRONG,
  NOD_MARKDOWN_STYLE_EMPHASIS,
  NOD_MARKDOWN_STYLE_STRIKETHROUGH,
  NOD_MARKDOWN_STYLE_CODE,
  NOD_MARKDOWN_STYLE_CODE_BLOCK,
  NOD_MARKDOWN_STYLE_QUOTE,
  NOD_MARKDOWN_STYLE_LINK,
  NOD_MARKDOWN_STYLE_TABLE,
  NOD_MARKDOWN_STYLE_RULE,
  /* A key, GitLab's <kbd>X</kbd>: the one raw HTML Nod formats. */
  NOD_MARKDOWN_STYLE_KEY,
  /* A suggestion (a ```suggestion block): its caption, the lines it replaces, its own. */
  NOD_MARKDOWN_STYLE_SUGGESTION_CAPTION,
  NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED,
  NOD_MARKDOWN_STYLE_SUGGESTION_ADDED,
  /* In order, last: a view that gives a deeper level the higher priority lets it win. */
  NOD_MARKDOWN_STYLE_INDENT_1,
  NOD_MARKDOWN_STYLE_INDENT_2,
  NOD_MARKDOWN_STYLE_INDENT_3,
  NOD_MARKDOWN_STYLE_INDENT_4,
  NOD_MARKDOWN_STYLE_INDENT_5,
  NOD_MARKDOWN_STYLE_INDENT_6,
  NOD_MARKDOWN_STYLE_INDENT_7,
  NOD_MARKDOWN_STYLE_INDENT_8,
  NOD_MARKDOWN_N_STYLES
} NodMarkdownStyle;

/* "heading1".."heading6", "strong", "emphasis", "strikethrough", "code", "code-block",
 * "quote", "link", "table", "rule", "kbd", "suggestion-caption", "suggestion-removed",
 * "suggestion-added", "indent-1".."indent-8". */
const char *nod_markdown_style_get_name (NodMarkdownStyle style);

/* Offsets count characters of the text, end excluded. */
typedef struct
{
  NodMarkdownStyle style;
  int              start;
  int              end;
} NodMarkdownStyleSpan;

/* What a click on the stretch opens: always an address nod_markdown_uri_is_allowed()
 * takes. */
typedef struct
{
  int         start;
  int         end;
  const char *target;
} NodMarkdownLinkSpan;

typedef struct _NodMarkdownRendering NodMarkdownRendering;

#define NOD_TYPE_MARKDOWN_RENDERING (nod_markdown_rendering_get_type ())

GType                 nod_markdown_rendering_get_type (void) G_GNUC_CONST;
NodMarkdownRendering *nod_markdown_rendering_ref      (NodMarkdownRendering *self);
void                  nod_markdown_rendering_unref    (NodMarkdownRendering *self);

/* Valid UTF-8 without NUL. */
const char *nod_markdown_rendering_get_text       (NodMarkdownRendering *self,
                                                   gsize                *out_length);
int         nod_markdown_rendering_get_char_count (NodMarkdownRendering *self);

/* Each within the text and not empty; a style's spans never overlap each other. */
const NodMarkdownStyleSpan *nod_markdown_rendering_get_style_spans (NodMarkdownRendering *self,
                                                                    guint           *out_count);

/* Sorted by offset, never overlapping, each within the text and not empty. */
const NodMarkdownLinkSpan  *nod_markdown_rendering_get_link_spans  (NodMarkdownRendering *self,
                                                                    guint           *out_count);

gboolean    nod_markdown_rendering_has_style_at (NodMarkdownRendering *self,
                                                 NodMarkdownStyle      style,
                                                 int                   char_offset);

/* The address a click on the character at @char_offset opens, or %NULL. */
const char *nod_markdown_rendering_get_link_at  (NodMarkdownRendering *self,
                                                 int                   char_offset);

/* Formats @markdown (%NULL reads as ""). Any thread may call this; it can take seconds for
 * hostile input, so the main thread uses nod_markdown_render_async(). */
NodMarkdownRendering *nod_markdown_render        (const char *markdown);

/* As nod_markdown_render(), for a note on line @new_line (1-based) of @file_text, the new
 * side of its file at the note's head: each suggestion shows the lines it replaces, taken
 * from there ("− " before each), above its own ("+ "). With no text (%NULL) or no line (0)
 * a suggestion shows its own lines alone, under its caption. */
NodMarkdownRendering *nod_markdown_render_with_file (const char *markdown,
                                                     GBytes     *file_text,
                                                     gint64      new_line);

/* @markdown as it is written, bounded the same way: what shows while formatting takes
 * long. */
NodMarkdownRendering *nod_markdown_render_source (const char *markdown);

/* nod_markdown_render() in a worker thread; a few at most run at once, the rest wait
 * their turn. A render cancelled before it starts never starts; one already running
 * finishes, and its result is thrown away. */
void                  nod_markdown_render_async  (const char           *markdown,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
/* nod_markdown_render_with_file() in a worker thread, as nod_markdown_render_async(). */
void                  nod_markdown_render_with_file_async (const char          *markdown,
                                                           GBytes              *file_text,
                                                           gint64               new_line,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
NodMarkdownRendering *nod_markdown_render_finish (GAsyncResult         *result,
                                                  GError              **error);

/* Whether a view would open @uri: absolute http and https addresses with a host, and mailto
 * addresses. Everything else (javascript:, data:, file:, relative paths) stays text. */
gboolean              nod_markdown_uri_is_allowed (const char *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodMarkdownRendering, nod_markdown_rendering_unref)

G_END_DECLS
