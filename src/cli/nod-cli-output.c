/* nod-cli-output.c: text from strangers, made safe for a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one sanitiser every line the command line prints goes through (see nod-cli-output.h).
 */

#include "config.h"

#include <string.h>

#include "nod-cli-output.h"

typedef enum
{
  KEEP_NEWLINES_AND_TABS = 1 << 0,
  JSON_ESCAPES           = 1 << 1,
} Mode;

/* Characters that reorder the text after them: a title could make "approved" read as
 * something else, or hide what follows. */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static gboolean
is_control (gunichar c)
{
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

static char *
sanitise (const char *text,
          Mode        mode)
{
  g_autofree char *valid = NULL;
  GString *safe;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, -1);
  safe = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c == '\n' || c == '\t') && (mode & (KEEP_NEWLINES_AND_TABS | JSON_ESCAPES)) != 0)
        g_string_append_c (safe, (char) c);
      else if (is_control (c) && c < 0x80 && (mode & JSON_ESCAPES) == 0)
        g_string_append_printf (safe, "\\x%02x", c);
      else if (is_control (c) || is_bidi_control (c))
        g_string_append_printf (safe, "\\u%04x", c);
      else
        g_string_append_len (safe, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (safe, FALSE);
}

char *
nod_cli_output_value (const char *text)
{
  return sanitise (text, 0);
}

char *
nod_cli_output_lines (const char *text)
{
  return sanitise (text, KEEP_NEWLINES_AND_TABS);
}

/* json-glib writes C0 controls inside strings as escapes already, but DEL, C1 and bidi
 * controls as they are; none of them can stand outside a string in JSON. */
char *
nod_cli_output_json (const char *json)
{
  return sanitise (json, JSON_ESCAPES);
}
