/* nod-diff-highlight.h: one side's whole text, highlighted, for the diff view to copy from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

#define NOD_TYPE_DIFF_HIGHLIGHT (nod_diff_highlight_get_type ())

G_DECLARE_FINAL_TYPE (NodDiffHighlight, nod_diff_highlight, NOD, DIFF_HIGHLIGHT, GObject)

/* A hidden buffer for @text in @language (NULL: no highlight). NULL when @text is no help:
 * over NOD_DIFF_FILE_MAX_BYTES or _MAX_LINES, or not text (a NUL). Nothing is put in the
 * buffer yet: lines go in as they are highlighted (nod_diff_highlight_ensure ()). */
NodDiffHighlight *nod_diff_highlight_new            (GBytes               *text,
                                                     GtkSourceLanguage    *language);

/* Lines of the text (a last line without a newline counts). */
guint             nod_diff_highlight_get_line_count (NodDiffHighlight     *self);

/* Puts the text in the buffer and highlights it up to @line_number (1-based) at least;
 * with @bounded, only the next few hundred lines, returning FALSE while more are needed to
 * reach it. */
gboolean          nod_diff_highlight_ensure         (NodDiffHighlight     *self,
                                                     guint                 line_number,
                                                     gboolean              bounded);

/* Whether the text is highlighted up to @line_number already (no work done). */
gboolean          nod_diff_highlight_covers         (NodDiffHighlight     *self,
                                                     guint                 line_number);

void              nod_diff_highlight_set_style_scheme (NodDiffHighlight   *self,
                                                       GtkSourceStyleScheme *scheme);

/* Line @line_number as the buffer holds it (made fit: see nod_diff_sanitize_line), or NULL
 * past the end. */
char             *nod_diff_highlight_dup_line       (NodDiffHighlight     *self,
                                                     guint                 line_number);

/* Gives the @row_chars characters from @row_start in @buffer the highlight of line
 * @line_number. @tag_copies (from nod_diff_highlight_new_tag_copies) maps this buffer's
 * tags to @buffer's copies: a style gets an anonymous tag with its look, a context class
 * ("comment", "string") a named tag "syntax:CLASS" without one, so what a line was
 * highlighted as can be asked. */
void              nod_diff_highlight_copy_line      (NodDiffHighlight     *self,
                                                     guint                 line_number,
                                                     GtkTextBuffer        *buffer,
                                                     GHashTable           *tag_copies,
                                                     const GtkTextIter    *row_start,
                                                     int                   row_chars);

GHashTable       *nod_diff_highlight_new_tag_copies (void);
/* After a change of style scheme: each copy takes its tag's look again. */
void              nod_diff_highlight_refresh_copies (GHashTable           *tag_copies);

/* A copy of @length bytes of @text fit for a GtkTextBuffer line: valid UTF-8, and no byte
 * the buffer would read as a line break (\r, U+2028, U+2029), that a reader cannot see (a
 * control byte, a NUL) or that reorders what they read (a bidirectional control): each is
 * U+FFFD instead, one character for one, so the highlight's
 * columns stay where they were. A \r at the end (CRLF) is dropped. */
char             *nod_diff_sanitize_line            (const char           *text,
                                                     gsize                 length);

/* Lets @self go, a large text freed a step per idle (takes the reference). */
void              nod_diff_highlight_release        (NodDiffHighlight     *self);

G_END_DECLS
