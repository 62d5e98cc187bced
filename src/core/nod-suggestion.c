/* nod-suggestion.c: GitLab's suggestion blocks in a note's body — found, and written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What GitLab takes for a suggestion (lib/gitlab/diff/suggestions_parser.rb and the
 * Suggestible concern, as of GitLab 16):
 *
 * - any fenced code block (CommonMark's rules: ``` or ~~~, three or more, up to three
 *   spaces before it, closed by a fence of the same character at least as long, or by the
 *   end of the document) whose language is "suggestion";
 * - the language is the info string's first word up to a ':'; what follows the ':' is
 *   matched against "-N", "+M", "-N+M" (or nothing): when it does not match, the block is
 *   still a suggestion, of the note's line alone (-0+0), so a malformed header is read
 *   that way here too, never refused;
 * - N and M above 100 replace 100 lines (GitLab clamps), so they are clamped here, and the
 *   digits are read saturating, so "-99999999999999999999" is 100, not an overflow.
 */

#define G_LOG_DOMAIN "nod-suggestion"

#include "config.h"

#include <string.h>

#include "nod-suggestion.h"

typedef struct
{
  const char *start;
  const char *end;      /* before the line end */
  const char *next;     /* the next line's first byte */
} Line;

static gboolean
next_line (const char  *cursor,
           const char  *body_end,
           Line        *line)
{
  const char *newline;

  if (cursor >= body_end)
    return FALSE;
  newline = memchr (cursor, '\n', body_end - cursor);
  line->start = cursor;
  line->end = newline != NULL ? newline : body_end;
  line->next = newline != NULL ? newline + 1 : body_end;
  return TRUE;
}

/* Up to three spaces, then a run of @fence_char (any when 0) of at least three; the
 * indent, the character and the run's length, or FALSE. */
static gboolean
read_fence (const Line *line,
            char        fence_char,
            guint      *out_indent,
            char       *out_char,
            gsize      *out_length)
{
  const char *p = line->start;
  guint indent = 0;
  gsize run = 0;
  char c;

  while (p < line->end && *p == ' ' && indent < 4)
    {
      p++;
      indent++;
    }
  if (indent > 3 || p >= line->end)
    return FALSE;

  c = *p;
  if ((c != '`' && c != '~') || (fence_char != 0 && c != fence_char))
    return FALSE;
  while (p + run < line->end && p[run] == c)
    run++;
  if (run < 3)
    return FALSE;

  *out_indent = indent;
  *out_char = c;
  *out_length = run;
  return TRUE;
}

/* A run of ASCII digits as a number no larger than the bound: longer runs saturate. */
static guint
read_bounded_number (const char **cursor)
{
  const char *p = *cursor;
  guint value = 0;

  while (g_ascii_isdigit (*p))
    {
      if (value <= NOD_SUGGESTION_MAX_CONTEXT)
        value = value * 10 + (guint) (*p - '0');
      p++;
    }
  *cursor = p;
  return MIN (value, NOD_SUGGESTION_MAX_CONTEXT);
}

/* The array's strings as a %NULL-terminated vector; the array is gone. */
static GStrv
strv_steal (GPtrArray *strings)
{
  g_ptr_array_add (strings, NULL);
  return (GStrv) g_ptr_array_free (strings, FALSE);
}

gboolean
nod_suggestion_parse_info (const char *info,
                           guint      *out_lines_above,
                           guint      *out_lines_below)
{
  static const char language[] = "suggestion";
  const char *p = info != NULL ? info : "";
  const char *word_end;
  guint above = 0, below = 0;

  while (*p == ' ' || *p == '\t')
    p++;
  word_end = p;
  while (*word_end != '\0' && *word_end != ' ' && *word_end != '\t' && *word_end != '\n')
    word_end++;

  if ((gsize) (word_end - p) < strlen (language) ||
      strncmp (p, language, strlen (language)) != 0)
    return FALSE;
  p += strlen (language);
  if (p != word_end && *p != ':')
    return FALSE;

  if (*p == ':')
    {
      const char *params = p + 1;
      const char *q = params;
      guint parsed_above = 0, parsed_below = 0;
      gboolean matches = TRUE;

      /* GitLab's pattern: (-digits)?(+digits)? and nothing else. */
      if (*q == '-')
        {
          q++;
          matches = g_ascii_isdigit (*q);
          parsed_above = read_bounded_number (&q);
        }
      if (matches && *q == '+')
        {
          q++;
          matches = g_ascii_isdigit (*q);
          parsed_below = read_bounded_number (&q);
        }
      if (matches && q == word_end)
        {
          above = parsed_above;
          below = parsed_below;
        }
    }

  if (out_lines_above != NULL)
    *out_lines_above = above;
  if (out_lines_below != NULL)
    *out_lines_below = below;
  return TRUE;
}

GArray *
nod_suggestion_parse (const char *body,
                      gssize      length)
{
  GArray *blocks = g_array_new (FALSE, TRUE, sizeof (NodSuggestionBlock));
  const char *body_end;
  const char *cursor;
  Line line;

  if (body == NULL)
    return blocks;
  if (length < 0)
    length = strlen (body);
  body_end = body + length;
  cursor = body;

  while (blocks->len < NOD_SUGGESTION_MAX_BLOCKS && next_line (cursor, body_end, &line))
    {
      guint indent;
      char fence_char;
      gsize fence_length;
      g_autofree char *info = NULL;
      NodSuggestionBlock block = { 0 };
      const char *info_start;
      gboolean is_suggestion;

      cursor = line.next;
      if (!read_fence (&line, 0, &indent, &fence_char, &fence_length))
        continue;

      info_start = line.start + indent + fence_length;
      /* A backtick fence's info string holds no backtick: "```x`" is inline code. */
      if (fence_char == '`' && memchr (info_start, '`', line.end - info_start) != NULL)
        continue;
      info = g_strndup (info_start, line.end - info_start);
      g_strchomp (info);
      is_suggestion = nod_suggestion_parse_info (info, &block.lines_above, &block.lines_below);

      block.start = line.start - body;
      block.fence_indent = indent;
      block.content_start = cursor - body;
      block.content_end = length;
      block.end = length;

      /* Every fenced block is skipped whole, suggestion or not: a "```suggestion" inside
       * another code block is that block's text. */
      while (next_line (cursor, body_end, &line))
        {
          guint close_indent;
          char close_char;
          gsize close_length;

          cursor = line.next;
          if (read_fence (&line, fence_char, &close_indent, &close_char, &close_length) &&
              close_length >= fence_length)
            {
              const char *rest = line.start + close_indent + close_length;

              while (rest < line.end && (*rest == ' ' || *rest == '\t' || *rest == '\r'))
                rest++;
              if (rest == line.end)
                {
                  block.content_end = line.start - body;
                  block.end = line.next - body;
                  block.terminated = TRUE;
                  break;
                }
            }
        }

      if (is_suggestion)
        g_array_append_val (blocks, block);
    }

  return blocks;
}

GStrv
nod_suggestion_dup_lines (const char               *body,
                          const NodSuggestionBlock *block)
{
  GPtrArray *builder = g_ptr_array_new ();
  const char *cursor;
  const char *end;
  Line line;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (block != NULL, NULL);
  g_return_val_if_fail (block->content_start <= block->content_end, NULL);

  cursor = body + block->content_start;
  end = body + block->content_end;
  while (next_line (cursor, end, &line))
    {
      const char *start = line.start;
      const char *line_end = line.end;

      cursor = line.next;
      /* CommonMark takes off as many spaces as the opening fence had, where there are. */
      for (guint i = 0; i < block->fence_indent && start < line_end && *start == ' '; i++)
        start++;
      if (line_end > start && line_end[-1] == '\r')
        line_end--;
      g_ptr_array_add (builder, g_strndup (start, line_end - start));
    }

  return strv_steal (builder);
}

GStrv
nod_suggestion_lines_of_text (const char *text,
                              gsize       length,
                              guint       first_line,
                              guint       last_line)
{
  GPtrArray *builder = g_ptr_array_new ();
  const char *cursor = text;
  const char *end = text != NULL ? text + length : NULL;
  guint number = 1;
  Line line;

  if (text == NULL || first_line == 0 || last_line < first_line)
    return strv_steal (builder);

  while (number <= last_line && next_line (cursor, end, &line))
    {
      cursor = line.next;
      if (number >= first_line)
        {
          const char *line_end = line.end;

          if (line_end > line.start && line_end[-1] == '\r')
            line_end--;
          g_ptr_array_add (builder, g_strndup (line.start, line_end - line.start));
        }
      number++;
    }

  return strv_steal (builder);
}

char *
nod_suggestion_build (const char * const *lines)
{
  GString *body = g_string_new (NULL);
  guint count = lines != NULL ? g_strv_length ((char **) lines) : 0;
  guint first = count > NOD_SUGGESTION_MAX_CONTEXT + 1 ? count - NOD_SUGGESTION_MAX_CONTEXT - 1
                                                       : 0;
  gsize longest_run = 0;
  g_autofree char *fence = NULL;

  /* GitLab's editor: one backtick more than the longest run of three or more in the
   * content, three at least. */
  for (guint i = first; i < count; i++)
    {
      gsize run = 0;

      for (const char *p = lines[i]; *p != '\0'; p++)
        {
          run = *p == '`' ? run + 1 : 0;
          if (run >= 3)
            longest_run = MAX (longest_run, run);
        }
    }
  fence = g_strnfill (MAX (3, longest_run + 1), '`');

  g_string_append_printf (body, "%ssuggestion:-%u+0\n", fence,
                          count > 0 ? count - first - 1 : 0);
  for (guint i = first; i < count; i++)
    {
      const char *line = lines[i];
      gsize line_length = strcspn (line, "\r\n");

      /* A line is one line: whatever a caller left after a line end is not sent. */
      g_string_append_len (body, line, line_length);
      g_string_append_c (body, '\n');
    }
  /* No line at all is one empty line, as the lines joined would be. */
  if (first == count)
    g_string_append_c (body, '\n');
  g_string_append (body, fence);

  return g_string_free (body, FALSE);
}
