/* nod-cli-output.h: text from strangers, made safe for a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Titles, usernames, server messages and the rest reach a terminal through these, so that
 * none of them can move the cursor, write the clipboard (OSC 52), overwrite a line (CR, BS)
 * or turn the text around (bidi overrides). All three replace invalid UTF-8 with U+FFFD and
 * show, instead of the character itself:
 *
 *   C0 controls and DEL          \x1b  (as \u001b in JSON)
 *   C1 controls U+0080–U+009F    \u009b
 *   bidi marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E,
 *   U+2066–U+2069)               \u202e
 *
 * A backslash is left as it is, so escaping twice changes nothing. */

/* One value inside a line: a newline or a tab is escaped too, so a title cannot make a
 * row of its own or shift the columns. */
char *nod_cli_output_value (const char *text);

/* Whole lines as a verb prints them: newlines and tabs are kept. */
char *nod_cli_output_lines (const char *text);

/* JSON text (from json-glib): the same values, with every character above written as a
 * \u escape; the newlines and spaces between members are kept. */
char *nod_cli_output_json  (const char *json);

G_END_DECLS
