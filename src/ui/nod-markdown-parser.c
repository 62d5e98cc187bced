/* nod-markdown-parser.c: GitLab-flavoured Markdown into a cmark-gfm tree, within bounds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-markdown"

#include "config.h"

#include <stddef.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>

#include "nod-markdown-parser.h"
#include "nod-markdown-renderer.h"

/* Why the input is taken apart before cmark sees it.
 *
 * cmark-gfm 0.29.0.gfm.6, the version Debian 12 ships, has inputs far below our size bound
 * that make it allocate gigabytes or run for minutes; later releases fixed them, this one
 * we must live with. Its allocator cannot fail (NULL aborts the process) and nothing else
 * stops a parse halfway, so instead cmark never gets those shapes. Measured on 256 KiB of
 * each pathological pattern known (cmark's own list, and the advisories fixed after
 * gfm.6), these are the ones that grow without bound, each with its cap:
 *
 * - Every use of a reference link copies its address and title, so one long reference
 *   used thousands of times costs gigabytes. A reference use ends with "]", and what a
 *   definition holds cannot go past its paragraph: a definition whose "]:" is followed by
 *   more than REFERENCE_COPY_BUDGET / (number of "]") bytes before the next blank line
 *   loses its colon to a backslash ("]\:" reads "]:"), so all uses together copy at most
 *   that budget.
 * - A table row gets as many cells as the header has columns, typed or not: a header a
 *   thousand columns wide over a hundred thousand one-letter lines is a hundred million
 *   cells. Each stretch of lines between blank lines may hold at most its widest
 *   delimiter row times its lines in cells, and all of them together TABLE_CELL_BUDGET;
 *   past that (or past TABLE_MAX_COLUMNS) a delimiter row gets a backslash before its
 *   first "|" and stays text. A row's cells are kept in a list appended to from its head,
 *   quadratic in the "|" of one line: in a stretch that holds a table, those past
 *   TABLE_MAX_COLUMNS are escaped (a "\|" in a table reads "|").
 * - Appending a node walks all of its ancestors, so a paragraph of many delimiters inside
 *   tens of thousands of quotes or list items takes minutes. A line opens its containers
 *   with ">" and list markers and continues those open with ">" and at least two columns
 *   of indentation each, so the markers a line could open past MAX_CONTAINER_DEPTH are
 *   dropped. (The view indents eight levels at most anyway.)
 * - Closing a link walks back over every image opener ("![") still open: 256 KiB of
 *   "![[]()" took a quarter of a minute. Past IMAGE_OPENER_LIMIT in one stretch of lines,
 *   an image opener loses its "!" to a backslash and reads as a link.
 *
 * With those, the tree is linear in the input (at most about 256 bytes a byte, "- - - x"
 * being the worst measured), which is where NOD_MARKDOWN_PARSE_MAX_BYTES comes from. What
 * is left is time, two seconds at most measured (the autolinker scanning "a@a@a@…"): the
 * parse runs in a worker, and the view shows the source meanwhile. The caps are far above
 * what people write: ordinary Markdown reaches cmark unchanged. */

#define MAX_CONTAINER_DEPTH   32
#define TABLE_MAX_COLUMNS     256
#define TABLE_CELL_BUDGET     (64 * 1024)
#define REFERENCE_COPY_BUDGET (8 * 1024 * 1024)
#define IMAGE_OPENER_LIMIT    256

#define PARSE_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | \
                       CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

const NodMarkdownExtensions *
nod_markdown_parser_get_extensions (void)
{
  static NodMarkdownExtensions extensions;
  static gsize initialized;

  /* Registering is not thread-safe in cmark-gfm; the first parse may be in any thread. */
  if (g_once_init_enter (&initialized))
    {
      cmark_gfm_core_extensions_ensure_registered ();
      extensions.table = cmark_find_syntax_extension ("table");
      extensions.strikethrough = cmark_find_syntax_extension ("strikethrough");
      extensions.autolink = cmark_find_syntax_extension ("autolink");
      extensions.tasklist = cmark_find_syntax_extension ("tasklist");
      g_once_init_leave (&initialized, 1);
    }

  return &extensions;
}

char *
nod_markdown_parser_bound_input (const char *markdown,
                                 gboolean   *out_truncated)
{
  gsize length = markdown != NULL ? strnlen (markdown, NOD_MARKDOWN_MAX_INPUT_BYTES + 1) : 0;
  gboolean truncated = length > NOD_MARKDOWN_MAX_INPUT_BYTES;
  char *valid;

  /* Each invalid byte becomes U+FFFD, three bytes: bound the result again. */
  valid = g_utf8_make_valid (markdown != NULL ? markdown : "",
                             MIN (length, NOD_MARKDOWN_MAX_INPUT_BYTES));
  if (strlen (valid) > NOD_MARKDOWN_MAX_INPUT_BYTES)
    {
      gsize end = NOD_MARKDOWN_MAX_INPUT_BYTES;

      while (end > 0 && ((guchar) valid[end] & 0xc0) == 0x80)
        end--;
      valid[end] = '\0';
      truncated = TRUE;
    }

  if (out_truncated != NULL)
    *out_truncated = truncated;
  return valid;
}

/* Defusing */

typedef struct
{
  gsize start;
  gsize end;         /* where the line ending starts */
  gsize next;        /* where the next line starts */
  gsize cut_start;   /* the container markers from here to content_start are dropped */
  gsize content_start;
  gsize run_end;     /* the end of the last line before the next blank one */
  gsize table_pipe;  /* the "|" a delimiter row is escaped at, or G_MAXSIZE */
  guint columns;     /* as a delimiter row, or 0 */
  gboolean blank;
  gboolean in_table; /* in a stretch of lines that holds a table */
} SourceLine;

static gboolean
is_space_or_tab (char c)
{
  return c == ' ' || c == '\t';
}

/* The length of the list or quote marker at @pos, or 0. */
static gsize
container_marker_length (const char *text,
                         gsize       pos,
                         gsize       end)
{
  gsize digits = 0;

  if (text[pos] == '>')
    return 1;

  if (strchr ("-+*", text[pos]) != NULL)
    return pos + 1 == end || is_space_or_tab (text[pos + 1]) ? 1 : 0;

  while (pos + digits < end && digits < 9 && g_ascii_isdigit (text[pos + digits]))
    digits++;
  if (digits == 0 || pos + digits >= end || (text[pos + digits] != '.' &&
                                              text[pos + digits] != ')'))
    return 0;
  if (pos + digits + 1 < end && !is_space_or_tab (text[pos + digits + 1]))
    return 0;
  return digits + 1;
}

/* Finds where the line's quote and list markers end, and the marker from which they would
 * open containers deeper than MAX_CONTAINER_DEPTH. Whitespace only continues open list
 * items, at two columns or more each, so it counts for no more than @open_depth_bound:
 * deeply indented code with a "- " in it keeps it. Returns the depth the line may reach. */
static guint
scan_container_prefix (const char *text,
                       SourceLine *line,
                       guint       open_depth_bound)
{
  gsize pos = line->start;
  guint columns = 0;
  guint markers = 0;
  guint depth = 0;

  line->cut_start = G_MAXSIZE;
  line->content_start = pos;

  while (pos < line->end)
    {
      gsize marker_length;
      guint reachable;

      while (pos < line->end && is_space_or_tab (text[pos]))
        columns += text[pos++] == '\t' ? 4 : 1;
      if (pos >= line->end)
        break;

      marker_length = container_marker_length (text, pos, line->end);
      if (marker_length == 0)
        break;

      markers++;
      reachable = markers + MIN ((columns + 1) / 2, open_depth_bound);
      if (reachable > MAX_CONTAINER_DEPTH && line->cut_start == G_MAXSIZE)
        line->cut_start = pos;
      if (line->cut_start == G_MAXSIZE)
        depth = reachable;

      pos += marker_length;
      line->content_start = pos;
    }

  if (line->cut_start == G_MAXSIZE)
    line->cut_start = line->content_start;
  return depth;
}

/* A GFM delimiter row ("|---|:--:|") has only these characters; its column count. */
static guint
count_delimiter_row_columns (const char *text,
                             SourceLine *line)
{
  guint pipes = 0;
  gboolean dash = FALSE;

  for (gsize pos = line->content_start; pos < line->end; pos++)
    {
      switch (text[pos])
        {
        case '|':
          if (pipes++ == 0)
            line->table_pipe = pos;
          break;

        case '-':
          dash = TRUE;
          break;

        case ':':
        case ' ':
        case '\t':
          break;

        default:
          return 0;
        }
    }

  /* One column and no pipe grows nothing: there is no cell to add to a row. */
  return dash && pipes > 0 ? pipes + 1 : 0;
}

static GArray *
split_lines (const char *text,
             gsize       length)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (SourceLine));
  gsize pos = 0;

  /* Line endings as cmark reads them: "\n", "\r\n" and a lone "\r". */
  while (pos < length)
    {
      SourceLine line = { .start = pos, .table_pipe = G_MAXSIZE, .blank = TRUE };

      while (pos < length && text[pos] != '\n' && text[pos] != '\r')
        {
          if (!is_space_or_tab (text[pos]))
            line.blank = FALSE;
          pos++;
        }
      line.end = pos;
      if (pos < length && text[pos] == '\r')
        pos++;
      if (pos < length && text[pos] == '\n' && (pos == line.end || text[pos - 1] == '\r'))
        pos++;
      line.next = pos;
      g_array_append_val (lines, line);
    }

  return lines;
}

/* Keeps the tables that fit in TABLE_CELL_BUDGET, in order; the rest stay text. */
static void
limit_table_cells (GArray *lines)
{
  guint64 cells = 0;
  guint run_first = 0;

  while (run_first < lines->len)
    {
      guint run_last = run_first;
      guint first_row = G_MAXUINT;
      guint widest = 0;

      if (g_array_index (lines, SourceLine, run_first).blank)
        {
          run_first++;
          continue;
        }
      while (run_last + 1 < lines->len &&
             !g_array_index (lines, SourceLine, run_last + 1).blank)
        run_last++;

      for (guint i = run_first; i <= run_last; i++)
        {
          SourceLine *line = &g_array_index (lines, SourceLine, i);

          if (line->columns == 0 || line->columns > TABLE_MAX_COLUMNS)
            continue;
          widest = MAX (widest, line->columns);
          first_row = MIN (first_row, i);
        }

      /* Any row of the stretch may be padded to its widest header, the header included. */
      if (widest > 0)
        {
          guint64 run_cells = (guint64) widest * (run_last - first_row + 2);

          if (cells + run_cells <= TABLE_CELL_BUDGET)
            {
              cells += run_cells;
              for (guint i = run_first; i <= run_last; i++)
                {
                  SourceLine *line = &g_array_index (lines, SourceLine, i);

                  line->in_table = TRUE;
                  if (line->columns <= TABLE_MAX_COLUMNS)
                    line->table_pipe = G_MAXSIZE;
                }
            }
        }

      for (guint i = run_first; i <= run_last; i++)
        {
          SourceLine *line = &g_array_index (lines, SourceLine, i);

          line->run_end = g_array_index (lines, SourceLine, run_last).end;
          if (line->columns == 0)
            line->table_pipe = G_MAXSIZE;
        }
      run_first = run_last + 1;
    }
}

char *
nod_markdown_parser_defuse (const char *bounded)
{
  gsize length = strlen (bounded);
  g_autoptr(GArray) lines = split_lines (bounded, length);
  g_autoptr(GString) defused = g_string_sized_new (length + length / 64 + 1);
  guint open_depth_bound = 0;
  guint64 reference_uses = 0;
  guint image_openers = 0;
  gsize run_end = 0;

  for (gsize pos = 0; pos < length; pos++)
    reference_uses += bounded[pos] == ']';

  for (guint i = 0; i < lines->len; i++)
    {
      SourceLine *line = &g_array_index (lines, SourceLine, i);

      open_depth_bound = MAX (open_depth_bound,
                              scan_container_prefix (bounded, line, open_depth_bound));
      line->columns = count_delimiter_row_columns (bounded, line);
    }
  limit_table_cells (lines);

  for (guint i = 0; i < lines->len; i++)
    {
      SourceLine *line = &g_array_index (lines, SourceLine, i);
      gboolean escaped = FALSE;
      guint pipes = 0;

      if (line->run_end != run_end)
        {
          run_end = line->run_end;
          image_openers = 0;
        }

      g_string_append_len (defused, bounded + line->start, line->cut_start - line->start);
      for (gsize pos = line->content_start; pos < line->end; pos++)
        {
          gboolean literal = escaped;

          escaped = !literal && bounded[pos] == '\\';
          if (pos == line->table_pipe ||
              (bounded[pos] == '|' && !literal && line->in_table &&
               ++pipes > TABLE_MAX_COLUMNS))
            g_string_append_c (defused, '\\');
          else if (bounded[pos] == '!' && !literal && pos + 1 < line->end &&
                   bounded[pos + 1] == '[' && ++image_openers > IMAGE_OPENER_LIMIT)
            g_string_append_c (defused, '\\');
          g_string_append_c (defused, bounded[pos]);
          if (bounded[pos] == ']' && pos + 1 < line->end && bounded[pos + 1] == ':' &&
              reference_uses * (line->run_end - pos) > REFERENCE_COPY_BUDGET)
            g_string_append_c (defused, '\\');
        }
      g_string_append_len (defused, bounded + line->end, line->next - line->end);
    }

  return g_string_free (g_steal_pointer (&defused), FALSE);
}

/* The parser's allocator: plain GLib allocation that keeps account of the bytes live in
 * this thread, so the bound above can be checked. It never refuses: nothing may fail
 * inside cmark. */

typedef union
{
  gsize       size;
  max_align_t alignment;
} AllocationHeader;

/* cmark's allocator hooks take no user data. */
static _Thread_local gssize thread_live_bytes;
static _Thread_local gssize thread_peak_bytes;

static void
account (gssize change)
{
  thread_live_bytes += change;
  thread_peak_bytes = MAX (thread_peak_bytes, thread_live_bytes);
}

static void *
counting_calloc (size_t count,
                 size_t size)
{
  AllocationHeader *header;

  if (size != 0 && count > (G_MAXSIZE - sizeof (AllocationHeader)) / size)
    g_error ("cmark asked for %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT " bytes", count, size);

  header = g_malloc0 (sizeof (AllocationHeader) + count * size);
  header->size = count * size;
  account ((gssize) header->size);
  return header + 1;
}

static void *
counting_realloc (void   *pointer,
                  size_t  size)
{
  AllocationHeader *header;

  if (pointer == NULL)
    return counting_calloc (1, size);
  if (size > G_MAXSIZE - sizeof (AllocationHeader))
    g_error ("cmark asked for %" G_GSIZE_FORMAT " bytes", size);

  header = (AllocationHeader *) pointer - 1;
  account (-(gssize) header->size);
  header = g_realloc (header, sizeof (AllocationHeader) + size);
  header->size = size;
  account ((gssize) size);
  return header + 1;
}

static void
counting_free (void *pointer)
{
  AllocationHeader *header;

  if (pointer == NULL)
    return;

  header = (AllocationHeader *) pointer - 1;
  account (-(gssize) header->size);
  g_free (header);
}

static cmark_mem counting_allocator = { counting_calloc, counting_realloc, counting_free };

cmark_node *
nod_markdown_parser_parse (const char *markdown,
                           gboolean   *out_truncated,
                           gsize      *out_peak_bytes)
{
  const NodMarkdownExtensions *extensions = nod_markdown_parser_get_extensions ();
  cmark_syntax_extension *attached[] = {
    extensions->table, extensions->strikethrough, extensions->autolink, extensions->tasklist,
  };
  g_autofree char *bounded = nod_markdown_parser_bound_input (markdown, out_truncated);
  g_autofree char *defused = nod_markdown_parser_defuse (bounded);
  gssize live_before = thread_live_bytes;
  cmark_parser *parser;
  cmark_node *document;

  thread_peak_bytes = thread_live_bytes;

  parser = cmark_parser_new_with_mem (PARSE_OPTIONS, &counting_allocator);
  for (guint i = 0; i < G_N_ELEMENTS (attached); i++)
    {
      if (attached[i] != NULL)
        cmark_parser_attach_syntax_extension (parser, attached[i]);
    }
  cmark_parser_feed (parser, defused, strlen (defused));
  document = cmark_parser_finish (parser);
  cmark_parser_free (parser);

  if (out_peak_bytes != NULL)
    *out_peak_bytes = (gsize) MAX (thread_peak_bytes - live_before, 0);
  return document;
}
