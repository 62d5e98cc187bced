/* nod-markdown-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "nod-markdown-renderer.h"

G_BEGIN_DECLS

#define NOD_TYPE_MARKDOWN_VIEW (nod_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (NodMarkdownView, nod_markdown_view, NOD, MARKDOWN_VIEW, GtkTextView)

/* The view formats at most this many bytes of Markdown; the rest is cut, and a last line "…"
 * says so. */
#define NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES (256 * 1024)

/* The formatted text never holds more bytes than this (list numbers, table rules and image
 * addresses make it longer than its source), the final "…" line aside. */
#define NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES (4 * NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES)

NodMarkdownView *nod_markdown_view_new            (void);

const char      *nod_markdown_view_get_markdown   (NodMarkdownView *self);
/* Formats @markdown in a worker thread: the view keeps showing what it showed until
 * #NodMarkdownView:rendering turns %FALSE. */
void             nod_markdown_view_set_markdown   (NodMarkdownView *self,
                                                   const char      *markdown);

/* The new side of the file the note is on, at the note's head, and the note's line there
 * (1-based): each suggestion in the Markdown then shows the lines it replaces, red, above
 * its own, green. %NULL or 0 (the default) shows a suggestion's own lines alone. */
void             nod_markdown_view_set_suggestion_file (NodMarkdownView *self,
                                                        GBytes          *file_text,
                                                        gint64           new_line);

/* Whether the formatted text of the current Markdown is still being made. */
gboolean         nod_markdown_view_get_rendering  (NodMarkdownView *self);

/* What the view shows, as plain text. */
char            *nod_markdown_view_dup_text       (NodMarkdownView *self);

/* Whether the tag called @tag_name ("heading1".."heading6", "strong", "emphasis",
 * "strikethrough", "code", "code-block", "quote", "link", "table", "rule", "kbd",
 * "suggestion-caption", "suggestion-removed", "suggestion-added", "indent-1".."indent-8")
 * covers the character at @char_offset. */
gboolean         nod_markdown_view_has_tag_at     (NodMarkdownView *self,
                                                   const char      *tag_name,
                                                   int              char_offset);

/* The address a click on the character at @char_offset opens, or %NULL. */
const char      *nod_markdown_view_get_link_at    (NodMarkdownView *self,
                                                   int              char_offset);

/* Whether the view would open @uri: absolute http and https addresses with a host, and
 * mailto addresses. Everything else (javascript:, data:, file:, relative paths) stays text. */
gboolean         nod_markdown_view_uri_is_allowed (const char      *uri);

G_END_DECLS
