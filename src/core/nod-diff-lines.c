/* nod-diff-lines.c: GitLab's unified diff text of one file, read into lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CRLF line keeps its \r out of the text: GitLab's positions count lines, not bytes,
 * and a stray \r would show as a glyph and spoil word diffs.
 */

#include "config.h"

#include "nod-diff-lines.h"

#include <string.h>

/* "123" at *p; FALSE when there is no digit or the number overflows a guint. */
static gboolean
read_number (const char **p,
             const char  *end,
             guint       *out)
{
  guint64 value = 0;
  const char *s = *p;

  if (s >= end || !g_ascii_isdigit (*s))
    return FALSE;
  while (s < end && g_ascii_isdigit (*s))
    {
      value = value * 10 + (guint64) (*s - '0');
      if (value > G_MAXINT32)
        return FALSE;
      s++;
    }
  *p = s;
  *out = (guint) value;
  return TRUE;
}

/* "@@ -a[,b] +c[,d] @@[ section]"; a missing count means 1, as in diff(1). */
static gboolean
parse_hunk_header (const char  *line,
                   const char  *end,
                   NodDiffLine *out)
{
  const char *p = line;
  guint a, b = 1, c, d = 1;

  if (end - p < 2 || strncmp (p, "@@", 2) != 0)
    return FALSE;
  p += 2;
  if (p >= end || *p != ' ')
    return FALSE;
  p++;
  if (p >= end || *p != '-')
    return FALSE;
  p++;
  if (!read_number (&p, end, &a))
    return FALSE;
  if (p < end && *p == ',')
    {
      p++;
      if (!read_number (&p, end, &b))
        return FALSE;
    }
  if (p >= end || *p != ' ')
    return FALSE;
  p++;
  if (p >= end || *p != '+')
    return FALSE;
  p++;
  if (!read_number (&p, end, &c))
    return FALSE;
  if (p < end && *p == ',')
    {
      p++;
      if (!read_number (&p, end, &d))
        return FALSE;
    }
  if (end - p < 3 || strncmp (p, " @@", 3) != 0)
    return FALSE;
  p += 3;
  if (p < end && *p == ' ')
    p++;

  out->kind = NOD_DIFF_LINE_HUNK;
  out->old_line = a;
  out->new_line = c;
  out->old_count = b;
  out->new_count = d;
  out->offset = (gsize) (p - line);
  out->length = (gsize) (end - p);
  return TRUE;
}

GArray *
nod_diff_lines_parse (const char *diff,
                      gsize       length)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (NodDiffLine));
  const char *p = diff;
  const char *end;
  gboolean in_hunk = FALSE;
  gboolean first = TRUE;
  guint old_next = 0, new_next = 0, old_left = 0, new_left = 0;

  if (diff == NULL)
    return lines;
  end = diff + length;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = nl != NULL ? nl : end;
      const char *next = nl != NULL ? nl + 1 : end;
      NodDiffLine line = { 0, };

      if (line_end > p && line_end[-1] == '\r')
        line_end--;

      /* unidiff=true sends a ---/+++ pair before the first hunk */
      if (first && line_end - p >= 4 && strncmp (p, "--- ", 4) == 0)
        {
          const char *nl2 = memchr (next, '\n', (gsize) (end - next));
          if (end - next >= 4 && strncmp (next, "+++ ", 4) == 0)
            {
              p = nl2 != NULL ? nl2 + 1 : end;
              first = FALSE;
              continue;
            }
        }
      first = FALSE;

      if (parse_hunk_header (p, line_end, &line))
        {
          line.offset += (gsize) (p - diff);
          g_array_append_val (lines, line);
          in_hunk = TRUE;
          old_next = line.old_line;
          new_next = line.new_line;
          old_left = line.old_count;
          new_left = line.new_count;
          /* "@@ -0,0 +1,3 @@": the first line of a side with no lines is 1 */
          if (old_left == 0)
            old_next++;
          if (new_left == 0)
            new_next++;
          p = next;
          continue;
        }

      if (in_hunk && p < line_end && *p == '\\')
        {
          if (lines->len > 0)
            g_array_index (lines, NodDiffLine, lines->len - 1).no_newline_at_end = TRUE;
          p = next;
          continue;
        }

      if (in_hunk && (old_left > 0 || new_left > 0))
        {
          char prefix = p < line_end ? *p : ' ';
          gboolean ok = TRUE;

          /* an empty line stands for an empty context line, as some servers trim it */
          if (prefix == ' ' && old_left > 0 && new_left > 0)
            {
              line.kind = NOD_DIFF_LINE_CONTEXT;
              line.old_line = old_next++;
              line.new_line = new_next++;
              old_left--;
              new_left--;
            }
          else if (prefix == '-' && old_left > 0)
            {
              line.kind = NOD_DIFF_LINE_REMOVED;
              line.old_line = old_next++;
              old_left--;
            }
          else if (prefix == '+' && new_left > 0)
            {
              line.kind = NOD_DIFF_LINE_ADDED;
              line.new_line = new_next++;
              new_left--;
            }
          else
            ok = FALSE;

          if (ok)
            {
              const char *text = p < line_end ? p + 1 : p;
              line.offset = (gsize) (text - diff);
              line.length = (gsize) (line_end - text);
              g_array_append_val (lines, line);
              p = next;
              continue;
            }
        }

      /* not a diff line: the hunk ends here; go on at the next "@@" */
      in_hunk = FALSE;
      p = next;
    }

  return lines;
}

void
nod_diff_lines_count (GArray *lines,
                      guint  *additions,
                      guint  *deletions)
{
  guint added = 0, removed = 0;

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    {
      NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);
      if (line->kind == NOD_DIFF_LINE_ADDED)
        added++;
      else if (line->kind == NOD_DIFF_LINE_REMOVED)
        removed++;
    }
  if (additions != NULL)
    *additions = added;
  if (deletions != NULL)
    *deletions = removed;
}

gssize
nod_diff_lines_find (GArray   *lines,
                     gboolean  old_side,
                     guint     line_number)
{
  if (lines == NULL || line_number == 0)
    return -1;
  for (guint i = 0; i < lines->len; i++)
    {
      NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);
      if (line->kind == NOD_DIFF_LINE_HUNK)
        continue;
      if ((old_side ? line->old_line : line->new_line) == line_number)
        return (gssize) i;
    }
  return -1;
}

guint
nod_diff_lines_map_unchanged (GArray   *lines,
                              gboolean  from_old_side,
                              guint     line_number)
{
  gint64 delta = 0;

  if (line_number == 0)
    return 0;
  if (lines != NULL)
    {
      gssize found = nod_diff_lines_find (lines, from_old_side, line_number);
      if (found >= 0)
        {
          NodDiffLine *line = &g_array_index (lines, NodDiffLine, found);
          if (line->kind != NOD_DIFF_LINE_CONTEXT)
            return 0;
          return from_old_side ? line->new_line : line->old_line;
        }

      /* the offset after the last hunk that starts before the line */
      for (guint i = 0; i < lines->len; i++)
        {
          NodDiffLine *hunk = &g_array_index (lines, NodDiffLine, i);
          guint start, count, other_start, other_count;

          if (hunk->kind != NOD_DIFF_LINE_HUNK)
            continue;
          start = from_old_side ? hunk->old_line : hunk->new_line;
          count = from_old_side ? hunk->old_count : hunk->new_count;
          other_start = from_old_side ? hunk->new_line : hunk->old_line;
          other_count = from_old_side ? hunk->new_count : hunk->old_count;
          if (count == 0)
            start++;
          if (other_count == 0)
            other_start++;
          if (line_number < start)
            break;
          if (line_number < (guint64) start + count)
            return 0; /* inside a hunk the diff lost: no honest answer */
          delta = ((gint64) other_start + other_count) - ((gint64) start + count);
        }
    }
  if ((gint64) line_number + delta < 1 || (gint64) line_number + delta > G_MAXUINT)
    return 0;
  return (guint) ((gint64) line_number + delta);
}

GArray *
nod_diff_lines_side_by_side (GArray *lines)
{
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (NodDiffRow));
  guint i = 0;

  if (lines == NULL)
    return rows;

  while (i < lines->len)
    {
      NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);
      NodDiffRow row;

      if (line->kind == NOD_DIFF_LINE_HUNK || line->kind == NOD_DIFF_LINE_CONTEXT)
        {
          row.left = row.right = (gssize) i;
          g_array_append_val (rows, row);
          i++;
          continue;
        }

      {
        guint removed_start = i, removed_end, added_start, added_end;

        while (i < lines->len && g_array_index (lines, NodDiffLine, i).kind == NOD_DIFF_LINE_REMOVED)
          i++;
        removed_end = i;
        added_start = i;
        while (i < lines->len && g_array_index (lines, NodDiffLine, i).kind == NOD_DIFF_LINE_ADDED)
          i++;
        added_end = i;

        for (guint k = 0; k < MAX (removed_end - removed_start, added_end - added_start); k++)
          {
            row.left = removed_start + k < removed_end ? (gssize) (removed_start + k) : -1;
            row.right = added_start + k < added_end ? (gssize) (added_start + k) : -1;
            g_array_append_val (rows, row);
          }
      }
    }
  return rows;
}
