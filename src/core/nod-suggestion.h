/* nod-suggestion.h: GitLab's suggestion blocks in a note's body — found, and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: no I/O, no GTK. A suggestion is a fenced block whose info string is
 * "suggestion" or "suggestion:-N+M", in a diff note on the new side: its content replaces
 * the note's new_line with N lines above it and M below it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GitLab replaces at most this many lines above and below the note's line: a larger N or M
 * is taken as this (GitLab clamps rather than refuses). */
#define NOD_SUGGESTION_MAX_CONTEXT 100

/* At most this many suggestions of one body are reported; the rest are left as they are. */
#define NOD_SUGGESTION_MAX_BLOCKS 100

/* One suggestion block of a body. Offsets are bytes into the body. */
typedef struct
{
  gsize start;          /* the opening fence line's first byte */
  gsize end;            /* past the closing fence line (its newline too), or the body's end */
  gsize content_start;  /* the first content line's first byte */
  gsize content_end;    /* past the last content line's newline; == content_start if none */
  guint lines_above;    /* N, at most NOD_SUGGESTION_MAX_CONTEXT */
  guint lines_below;    /* M, at most NOD_SUGGESTION_MAX_CONTEXT */
  guint fence_indent;   /* spaces before the opening fence, taken off each content line */
  gboolean terminated;  /* FALSE when the body ended before a closing fence */
} NodSuggestionBlock;

/* Whether @info (a fenced block's info string, %NULL reads as "") opens a suggestion, and
 * then its N and M. */
gboolean   nod_suggestion_parse_info      (const char *info,
                                           guint      *out_lines_above,
                                           guint      *out_lines_below);

/* The suggestion blocks of @body (@length bytes, or -1 for NUL-terminated) in order, at
 * most NOD_SUGGESTION_MAX_BLOCKS. Only blocks at the top level of the body are found (not
 * inside a quote or a list), as GitLab's own editor writes them. */
GArray    *nod_suggestion_parse           (const char *body,
                                           gssize      length);

/* The lines @block puts in place of the replaced ones, without their line ends (a "\r"
 * before a "\n" is dropped too); an empty array when the suggestion deletes the lines. */
GStrv      nod_suggestion_dup_lines       (const char               *body,
                                           const NodSuggestionBlock *block);

/* Lines @first_line..@last_line (1-based, inclusive) of @text (@length bytes), without
 * their line ends; fewer when the text is shorter; %NULL-terminated. */
GStrv      nod_suggestion_lines_of_text   (const char *text,
                                           gsize       length,
                                           guint       first_line,
                                           guint       last_line);

/* The body a new suggestion on the last of @lines starts with: it replaces all of them
 * (the ones before it are the N above; beyond NOD_SUGGESTION_MAX_CONTEXT + 1 lines, only
 * the last ones are taken). The fence is longer than any run of backticks in the lines,
 * as GitLab's own editor makes it, so a line holding ``` stays content. */
char      *nod_suggestion_build           (const char * const *lines);

G_END_DECLS
