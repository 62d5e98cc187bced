/* nod-markdown-renderer.c: GitLab-flavoured Markdown as text, styles and links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-markdown"

#include "config.h"

#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <glib/gi18n.h>

#include "nod-markdown-parser.h"
#include "nod-markdown-renderer.h"
#include "nod-suggestion.h"

/* Renders at most this many documents at once, each in a thread of its own: a parse of
 * hostile input can take seconds and cannot be stopped, so this is also how many threads
 * and parser trees (NOD_MARKDOWN_PARSE_MAX_BYTES each) such input can tie up. */
#define MAX_RENDERS_AT_ONCE 2

/* A text view takes longer to apply a tag the more tags its line already has, quadratic
 * in the tags of one line: thousands of "*a*" in a paragraph would stall the main thread
 * for seconds. So at most this many spans start in one line of the text, and this many
 * in all; past them the text stays plain, a link with it (a link that does not look like
 * one is not offered). With these a view fills in well under a second. */
#define MAX_STYLE_SPANS_PER_LINE 128
#define MAX_STYLE_SPANS          16384

G_STATIC_ASSERT (NOD_MARKDOWN_STYLE_INDENT_8 - NOD_MARKDOWN_STYLE_INDENT_1 + 1 ==
                 NOD_MARKDOWN_MAX_INDENT_LEVEL);

static const char * const style_names[NOD_MARKDOWN_N_STYLES] = {
  "heading1", "heading2", "heading3", "heading4", "heading5", "heading6",
  "strong", "emphasis", "strikethrough", "code", "code-block", "quote", "link", "table", "rule",
  "kbd",
  "suggestion-caption", "suggestion-removed", "suggestion-added",
  "indent-1", "indent-2", "indent-3", "indent-4", "indent-5", "indent-6", "indent-7", "indent-8",
};

const char *
nod_markdown_style_get_name (NodMarkdownStyle style)
{
  g_return_val_if_fail (style < NOD_MARKDOWN_N_STYLES, NULL);

  return style_names[style];
}

/* The rendering */

struct _NodMarkdownRendering
{
  char         *text;
  gsize         length;
  int           char_count;

  GArray       *style_spans;
  /* Sorted by offset and never overlapping; the targets live in link_targets. A hostile
   * comment can hold thousands of links: a view keeps these rather than a tag per link,
   * as every tag in the table slows every buffer operation. */
  GArray       *link_spans;
  GStringChunk *link_targets;
};

G_DEFINE_BOXED_TYPE (NodMarkdownRendering, nod_markdown_rendering,
                     nod_markdown_rendering_ref, nod_markdown_rendering_unref)

static void
nod_markdown_rendering_clear (gpointer data)
{
  NodMarkdownRendering *self = data;

  g_free (self->text);
  g_clear_pointer (&self->style_spans, g_array_unref);
  g_clear_pointer (&self->link_spans, g_array_unref);
  g_clear_pointer (&self->link_targets, g_string_chunk_free);
}

/* Made in a worker and read in the main thread: the count is atomic. */
static NodMarkdownRendering *
nod_markdown_rendering_new (void)
{
  return g_atomic_rc_box_new0 (NodMarkdownRendering);
}

NodMarkdownRendering *
nod_markdown_rendering_ref (NodMarkdownRendering *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
nod_markdown_rendering_unref (NodMarkdownRendering *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, nod_markdown_rendering_clear);
}

const char *
nod_markdown_rendering_get_text (NodMarkdownRendering *self,
                                 gsize                *out_length)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (out_length != NULL)
    *out_length = self->length;
  return self->text;
}

int
nod_markdown_rendering_get_char_count (NodMarkdownRendering *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->char_count;
}

const NodMarkdownStyleSpan *
nod_markdown_rendering_get_style_spans (NodMarkdownRendering *self,
                                        guint                *out_count)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (out_count != NULL, NULL);

  *out_count = self->style_spans->len;
  return (const NodMarkdownStyleSpan *) (void *) self->style_spans->data;
}

const NodMarkdownLinkSpan *
nod_markdown_rendering_get_link_spans (NodMarkdownRendering *self,
                                       guint                *out_count)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (out_count != NULL, NULL);

  *out_count = self->link_spans->len;
  return (const NodMarkdownLinkSpan *) (void *) self->link_spans->data;
}

gboolean
nod_markdown_rendering_has_style_at (NodMarkdownRendering *self,
                                     NodMarkdownStyle      style,
                                     int                   char_offset)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (style < NOD_MARKDOWN_N_STYLES, FALSE);

  for (guint i = 0; i < self->style_spans->len; i++)
    {
      NodMarkdownStyleSpan *span = &g_array_index (self->style_spans, NodMarkdownStyleSpan, i);

      if (span->style == style && span->start <= char_offset && char_offset < span->end)
        return TRUE;
    }

  return FALSE;
}

const char *
nod_markdown_rendering_get_link_at (NodMarkdownRendering *self,
                                    int                   char_offset)
{
  guint low = 0;
  guint high;

  g_return_val_if_fail (self != NULL, NULL);

  /* The links are sorted and disjoint: find the last one starting at or before the offset. */
  high = self->link_spans->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (self->link_spans, NodMarkdownLinkSpan, middle).start <= char_offset)
        low = middle + 1;
      else
        high = middle;
    }

  if (low > 0)
    {
      NodMarkdownLinkSpan *link = &g_array_index (self->link_spans, NodMarkdownLinkSpan,
                                                  low - 1);

      if (char_offset < link->end)
        return link->target;
    }

  return NULL;
}

/* Links */

static char *
link_target_for_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *escaped = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    return NULL;

  /* cmark keeps a destination as written: spaces and non-ASCII included. */
  escaped = g_uri_escape_string (url,
                                 G_URI_RESERVED_CHARS_GENERIC_DELIMITERS
                                 G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS "%",
                                 FALSE);
  uri = g_uri_parse (escaped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    {
      const char *host = g_uri_get_host (uri);

      if (host == NULL || *host == '\0')
        return NULL;
    }
  else if (g_ascii_strcasecmp (scheme, "mailto") == 0)
    {
      if (*g_uri_get_path (uri) == '\0')
        return NULL;
    }
  else
    {
      return NULL;
    }

  return g_steal_pointer (&escaped);
}

gboolean
nod_markdown_uri_is_allowed (const char *uri)
{
  g_autofree char *target = link_target_for_url (uri);

  return target != NULL;
}

/* The renderer: walks the document with cmark's iterator (no recursion, so nesting depth
 * costs no stack) and writes plain text plus the stretches each style covers. */

typedef struct
{
  gint64   next_number;
  gboolean ordered;
  char     delimiter;
} NodListState;

typedef struct
{
  const NodMarkdownExtensions *extensions;

  GString      *text;
  int           char_count;
  gboolean      truncated;
  cmark_node   *kbd_close;    /* the "</kbd>" ending the key being written, if one is */

  GArray       *spans;
  int           open_count[NOD_MARKDOWN_N_STYLES];
  int           open_start[NOD_MARKDOWN_N_STYLES];

  /* Quotes and lists around the current node; only the first levels have a start. */
  int           container_depth;
  int           indent_start[NOD_MARKDOWN_MAX_INDENT_LEVEL + 1];
  int           quote_depth;
  GArray       *lists;

  int           link_depth;
  int           link_start;
  const char   *link_target;
  GArray       *links;
  GStringChunk *link_targets;

  /* The file a note's suggestions replace lines of, and the note's line; the offsets of
   * its lines are found once, the first time a suggestion needs them, and no further than
   * the last line a suggestion can reach. */
  GBytes       *file_text;
  gint64        new_line;
  GArray       *file_line_starts;
} NodRenderer;

static void
renderer_init (NodRenderer *renderer)
{
  memset (renderer, 0, sizeof *renderer);
  renderer->extensions = nod_markdown_parser_get_extensions ();
  renderer->text = g_string_new (NULL);
  renderer->spans = g_array_new (FALSE, FALSE, sizeof (NodMarkdownStyleSpan));
  renderer->lists = g_array_new (FALSE, FALSE, sizeof (NodListState));
  renderer->links = g_array_new (FALSE, FALSE, sizeof (NodMarkdownLinkSpan));
  renderer->link_targets = g_string_chunk_new (256);
}

static void
renderer_clear (NodRenderer *renderer)
{
  g_clear_pointer (&renderer->file_text, g_bytes_unref);
  g_clear_pointer (&renderer->file_line_starts, g_array_unref);
}

static void
renderer_append (NodRenderer *renderer,
                 const char  *text,
                 gssize       length)
{
  if (text == NULL)
    return;
  if (length < 0)
    length = strlen (text);

  g_string_append_len (renderer->text, text, length);
  renderer->char_count += g_utf8_strlen (text, length);
}

static gboolean
renderer_ends_with (NodRenderer *renderer,
                    const char  *suffix)
{
  gsize suffix_length = strlen (suffix);

  return renderer->text->len >= suffix_length &&
         memcmp (renderer->text->str + renderer->text->len - suffix_length,
                 suffix, suffix_length) == 0;
}

static void
renderer_add_span (NodRenderer      *renderer,
                   NodMarkdownStyle  style,
                   int               start,
                   int               end)
{
  NodMarkdownStyleSpan span = { style, start, end };

  if (start < end)
    g_array_append_val (renderer->spans, span);
}

/* Nested strong in strong, or a quote in a quote, adds nothing: a style has one span from
 * its outermost opening to its outermost closing. */
static void
renderer_open (NodRenderer      *renderer,
               NodMarkdownStyle  style)
{
  if (renderer->open_count[style]++ == 0)
    renderer->open_start[style] = renderer->char_count;
}

static void
renderer_close (NodRenderer      *renderer,
                NodMarkdownStyle  style)
{
  g_assert (renderer->open_count[style] > 0);

  if (--renderer->open_count[style] == 0)
    renderer_add_span (renderer, style, renderer->open_start[style], renderer->char_count);
}

static void
renderer_enter_container (NodRenderer *renderer)
{
  renderer->container_depth++;
  if (renderer->container_depth <= NOD_MARKDOWN_MAX_INDENT_LEVEL)
    renderer->indent_start[renderer->container_depth] = renderer->char_count;
}

static void
renderer_exit_container (NodRenderer *renderer)
{
  int depth = renderer->container_depth;

  g_assert (depth > 0);

  if (depth <= NOD_MARKDOWN_MAX_INDENT_LEVEL)
    renderer_add_span (renderer, NOD_MARKDOWN_STYLE_INDENT_1 + depth - 1,
                       renderer->indent_start[depth], renderer->char_count);
  renderer->container_depth--;
}

static void
renderer_add_link (NodRenderer *renderer,
                   int          start,
                   const char  *target)
{
  NodMarkdownLinkSpan link = { start, renderer->char_count, target };

  if (link.start >= link.end)
    return;

  g_array_append_val (renderer->links, link);
  renderer_add_span (renderer, NOD_MARKDOWN_STYLE_LINK, link.start, link.end);
}

/* The checked target of @url, kept as long as the rendering, or NULL. */
static const char *
renderer_intern_link_target (NodRenderer *renderer,
                             const char  *url)
{
  g_autofree char *target = link_target_for_url (url);

  if (target == NULL)
    return NULL;

  return g_string_chunk_insert_const (renderer->link_targets, target);
}

static gboolean
node_is_in_tight_list (cmark_node *node)
{
  cmark_node *item = node;

  if (cmark_node_get_type (item) != CMARK_NODE_ITEM)
    item = cmark_node_parent (node);
  if (item == NULL || cmark_node_get_type (item) != CMARK_NODE_ITEM)
    return FALSE;

  return cmark_node_get_list_tight (cmark_node_parent (item));
}

/* Each block starts on a line of its own, after a blank line unless it sits in a tight
 * list. A first child starts where its parent did: the first block of a list item
 * continues the line of the item's marker, so "- - x" reads "• • x". */
static void
renderer_start_block (NodRenderer *renderer,
                      cmark_node  *node)
{
  if (cmark_node_previous (node) == NULL || renderer->text->len == 0)
    return;

  if (!renderer_ends_with (renderer, "\n"))
    renderer_append (renderer, "\n", 1);
  if (!node_is_in_tight_list (node) && !renderer_ends_with (renderer, "\n\n"))
    renderer_append (renderer, "\n", 1);
}

static void
renderer_append_literal_block (NodRenderer *renderer,
                               cmark_node  *node)
{
  const char *literal = cmark_node_get_literal (node);
  gsize length;

  if (literal == NULL)
    return;

  length = strlen (literal);
  while (length > 0 && (literal[length - 1] == '\n' || literal[length - 1] == '\r'))
    length--;
  renderer_append (renderer, literal, length);
}

static void
renderer_append_item_marker (NodRenderer *renderer,
                             cmark_node  *item)
{
  gboolean is_task = renderer->extensions->tasklist != NULL &&
                     cmark_node_get_syntax_extension (item) == renderer->extensions->tasklist;
  NodListState *list;

  g_assert (renderer->lists->len > 0);
  list = &g_array_index (renderer->lists, NodListState, renderer->lists->len - 1);

  if (list->ordered)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT "%c ",
                                                 list->next_number++, list->delimiter);

      renderer_append (renderer, number, -1);
    }
  else if (!is_task)
    {
      renderer_append (renderer, "• ", -1);
    }

  if (is_task)
    renderer_append (renderer,
                     cmark_gfm_extensions_get_tasklist_item_checked (item) ? "☑ " : "☐ ", -1);
}

/* The plain text of an image's description: what a reader without the image gets. */
static char *
dup_alt_text (cmark_node *image)
{
  g_autoptr(GString) alt = g_string_new (NULL);
  cmark_iter *iter = cmark_iter_new (image);
  cmark_event_type event;

  while ((event = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);

      if (event != CMARK_EVENT_ENTER)
        continue;

      switch (cmark_node_get_type (node))
        {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
          g_string_append (alt, cmark_node_get_literal (node));
          break;

        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
          g_string_append_c (alt, ' ');
          break;

        default:
          break;
        }
    }
  cmark_iter_free (iter);

  return g_string_free (g_steal_pointer (&alt), FALSE);
}

/* An image shows as "[image: description]" and its address, the address as a link. Its
 * children, the description, are done here: the iterator skips past them. */
static void
renderer_append_image (NodRenderer *renderer,
                       cmark_iter  *iter,
                       cmark_node  *image)
{
  g_autofree char *alt = dup_alt_text (image);
  /* Translators: an image in a comment, shown by its description; its address follows */
  g_autofree char *label = g_strdup_printf (_("[image: %s]"), alt);
  const char *url = cmark_node_get_url (image);

  renderer_append (renderer, label, -1);

  if (url != NULL && *url != '\0')
    {
      /* Inside a link the whole stretch opens that link: links never overlap. */
      const char *target = renderer->link_depth == 0
                           ? renderer_intern_link_target (renderer, url) : NULL;
      int start;

      renderer_append (renderer, " ", 1);
      start = renderer->char_count;
      renderer_append (renderer, target != NULL ? target : url, -1);
      if (target != NULL)
        renderer_add_link (renderer, start, target);
    }

  cmark_iter_reset (iter, image, CMARK_EVENT_EXIT);
}

static void
renderer_enter_link (NodRenderer *renderer,
                     cmark_node  *link)
{
  if (renderer->link_depth++ > 0)
    return;

  renderer->link_start = renderer->char_count;
  renderer->link_target = renderer_intern_link_target (renderer, cmark_node_get_url (link));
}

static void
renderer_exit_link (NodRenderer *renderer)
{
  g_assert (renderer->link_depth > 0);

  if (--renderer->link_depth > 0 || renderer->link_target == NULL)
    return;

  /* A link with no text shows its address. */
  if (renderer->char_count == renderer->link_start)
    renderer_append (renderer, renderer->link_target, -1);
  renderer_add_link (renderer, renderer->link_start, renderer->link_target);
  renderer->link_target = NULL;
}

static gboolean
node_is_table_row (cmark_node *node)
{
  const char *type = cmark_node_get_type_string (node);

  return g_str_equal (type, "table_row") || g_str_equal (type, "table_header");
}

static void
renderer_enter_extension_node (NodRenderer *renderer,
                               cmark_node  *node)
{
  cmark_syntax_extension *extension = cmark_node_get_syntax_extension (node);

  if (extension == renderer->extensions->strikethrough)
    {
      renderer_open (renderer, NOD_MARKDOWN_STYLE_STRIKETHROUGH);
    }
  else if (extension == renderer->extensions->table && node_is_table_row (node))
    {
      if (cmark_node_previous (node) != NULL)
        renderer_append (renderer, "\n", 1);
      if (cmark_gfm_extensions_get_table_row_is_header (node))
        renderer_open (renderer, NOD_MARKDOWN_STYLE_STRONG);
    }
  else if (extension == renderer->extensions->table &&
           g_str_equal (cmark_node_get_type_string (node), "table_cell"))
    {
      if (cmark_node_previous (node) != NULL)
        renderer_append (renderer, " │ ", -1);
    }
  else if (extension == renderer->extensions->table)
    {
      renderer_start_block (renderer, node);
      renderer_open (renderer, NOD_MARKDOWN_STYLE_TABLE);
    }
}

static void
renderer_exit_extension_node (NodRenderer *renderer,
                              cmark_node  *node)
{
  cmark_syntax_extension *extension = cmark_node_get_syntax_extension (node);

  if (extension == renderer->extensions->strikethrough)
    {
      renderer_close (renderer, NOD_MARKDOWN_STYLE_STRIKETHROUGH);
    }
  else if (extension == renderer->extensions->table && node_is_table_row (node))
    {
      if (cmark_gfm_extensions_get_table_row_is_header (node))
        renderer_close (renderer, NOD_MARKDOWN_STYLE_STRONG);
    }
  else if (extension == renderer->extensions->table &&
           !g_str_equal (cmark_node_get_type_string (node), "table_cell"))
    {
      renderer_close (renderer, NOD_MARKDOWN_STYLE_TABLE);
    }
}

/* Suggestions */

/* Lines @first..@last (1-based) of the note's file, as far as it has them; NULL when the
 * renderer has no file or the note no line. */
static GPtrArray *
renderer_dup_file_lines (NodRenderer *renderer,
                         gint64       first,
                         gint64       last)
{
  const char *text;
  gsize size;
  GPtrArray *lines;

  if (renderer->file_text == NULL || renderer->new_line <= 0)
    return NULL;
  text = g_bytes_get_data (renderer->file_text, &size);

  if (renderer->file_line_starts == NULL)
    {
      /* Only as far as the furthest line any suggestion of this note can reach. */
      gint64 wanted = renderer->new_line + NOD_SUGGESTION_MAX_CONTEXT;
      gsize offset = 0;

      renderer->file_line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
      while (offset < size && (gint64) renderer->file_line_starts->len < wanted)
        {
          const char *newline = memchr (text + offset, '\n', size - offset);

          g_array_append_val (renderer->file_line_starts, offset);
          offset = newline != NULL ? (gsize) (newline - text) + 1 : size;
        }
    }

  lines = g_ptr_array_new_with_free_func (g_free);
  for (gint64 number = MAX (first, 1);
       number <= last && number <= (gint64) renderer->file_line_starts->len; number++)
    {
      gsize start = g_array_index (renderer->file_line_starts, gsize, number - 1);
      const char *newline = memchr (text + start, '\n', size - start);
      gsize end = newline != NULL ? (gsize) (newline - text) : size;

      if (end > start && text[end - 1] == '\r')
        end--;
      /* Whatever the file holds, the text stays valid UTF-8 without NUL (each made U+FFFD). */
      g_ptr_array_add (lines, g_utf8_make_valid (text + start, (gssize) (end - start)));
    }

  return lines;
}

/* A run of lines, each after its gutter mark, all under one style. */
static void
renderer_append_diff_lines (NodRenderer      *renderer,
                            NodMarkdownStyle  style,
                            const char       *mark,
                            char * const     *lines,
                            guint             count)
{
  int start;

  if (count == 0)
    return;

  if (!renderer_ends_with (renderer, "\n"))
    renderer_append (renderer, "\n", 1);
  start = renderer->char_count;
  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        renderer_append (renderer, "\n", 1);
      renderer_append (renderer, mark, -1);
      renderer_append (renderer, lines[i], -1);
    }
  renderer_add_span (renderer, style, start, renderer->char_count);
}

/* A suggestion shows as a small diff: the caption, the lines it replaces (when the
 * renderer has the file) and the lines it puts in their place. */
static void
renderer_append_suggestion (NodRenderer *renderer,
                            cmark_node  *node,
                            guint        lines_above,
                            guint        lines_below)
{
  const char *literal = cmark_node_get_literal (node);
  g_auto(GStrv) suggested = NULL;
  guint suggested_count;
  g_autoptr(GPtrArray) replaced = NULL;
  const char *caption;
  int caption_start;

  suggested = g_strsplit (literal != NULL ? literal : "", "\n", -1);
  suggested_count = g_strv_length (suggested);
  /* The last line's end leaves an empty piece after it; an empty block has no line. */
  if (suggested_count > 0 && *suggested[suggested_count - 1] == '\0')
    suggested_count--;
  for (guint i = 0; i < suggested_count; i++)
    {
      gsize length = strlen (suggested[i]);

      if (length > 0 && suggested[i][length - 1] == '\r')
        suggested[i][length - 1] = '\0';
    }

  replaced = renderer_dup_file_lines (renderer, renderer->new_line - lines_above,
                                      renderer->new_line + lines_below);

  renderer_start_block (renderer, node);
  if (suggested_count == 0 && (replaced == NULL || replaced->len == 0))
    /* Translators: a suggestion that deletes the lines a comment is on */
    caption = _("Suggested change: delete these lines");
  else
    /* Translators: above the lines a reviewer suggests in place of others */
    caption = _("Suggested change");
  caption_start = renderer->char_count;
  renderer_append (renderer, caption, -1);
  renderer_add_span (renderer, NOD_MARKDOWN_STYLE_SUGGESTION_CAPTION, caption_start,
                     renderer->char_count);

  if (replaced != NULL)
    renderer_append_diff_lines (renderer, NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED, "− ",
                                (char * const *) replaced->pdata, replaced->len);
  renderer_append_diff_lines (renderer, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED, "+ ",
                              suggested, suggested_count);
}

static gboolean
is_html_inline (cmark_node *node,
                const char *literal)
{
  return cmark_node_get_type (node) == CMARK_NODE_HTML_INLINE &&
         g_strcmp0 (cmark_node_get_literal (node), literal) == 0;
}

/* The "</kbd>" closing @open among the nodes after it in its paragraph (or emphasis, or
 * link), before any other "<kbd>": so pairs nest with the Markdown around them. */
static cmark_node *
find_kbd_close (cmark_node *open)
{
  for (cmark_node *node = cmark_node_next (open); node != NULL; node = cmark_node_next (node))
    {
      if (is_html_inline (node, "</kbd>"))
        return node;
      if (is_html_inline (node, "<kbd>"))
        return NULL;
    }
  return NULL;
}

/* Raw HTML is text like any other, shown and never interpreted, except a "<kbd>" … "</kbd>"
 * pair, exactly so, whose tags go and whose text shows as a key. */
static void
renderer_append_html_inline (NodRenderer *renderer,
                             cmark_node  *node)
{
  if (renderer->kbd_close == NULL && is_html_inline (node, "<kbd>") &&
      (renderer->kbd_close = find_kbd_close (node)) != NULL)
    {
      renderer_open (renderer, NOD_MARKDOWN_STYLE_KEY);
      return;
    }
  if (node == renderer->kbd_close)
    {
      renderer_close (renderer, NOD_MARKDOWN_STYLE_KEY);
      renderer->kbd_close = NULL;
      return;
    }
  renderer_append (renderer, cmark_node_get_literal (node), -1);
}

static NodMarkdownStyle
heading_style (cmark_node *heading)
{
  return NOD_MARKDOWN_STYLE_HEADING_1 + CLAMP (cmark_node_get_heading_level (heading), 1, 6) - 1;
}

static void
renderer_enter (NodRenderer *renderer,
                cmark_iter  *iter,
                cmark_node  *node)
{
  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_DOCUMENT:
      break;

    case CMARK_NODE_BLOCK_QUOTE:
      renderer_start_block (renderer, node);
      renderer_enter_container (renderer);
      if (renderer->quote_depth++ == 0)
        renderer_open (renderer, NOD_MARKDOWN_STYLE_QUOTE);
      break;

    case CMARK_NODE_LIST:
      {
        NodListState list = {
          .next_number = cmark_node_get_list_start (node),
          .ordered = cmark_node_get_list_type (node) == CMARK_ORDERED_LIST,
          .delimiter = cmark_node_get_list_delim (node) == CMARK_PAREN_DELIM ? ')' : '.',
        };

        renderer_start_block (renderer, node);
        renderer_enter_container (renderer);
        g_array_append_val (renderer->lists, list);
      }
      break;

    case CMARK_NODE_ITEM:
      renderer_start_block (renderer, node);
      renderer_append_item_marker (renderer, node);
      break;

    case CMARK_NODE_PARAGRAPH:
      renderer_start_block (renderer, node);
      break;

    case CMARK_NODE_HEADING:
      renderer_start_block (renderer, node);
      renderer_open (renderer, heading_style (node));
      break;

    case CMARK_NODE_CODE_BLOCK:
      {
        guint lines_above, lines_below;
        int fence_length, fence_offset;
        char fence_char;

        /* cmark writes through each pointer it is given. */
        if (cmark_node_get_fenced (node, &fence_length, &fence_offset, &fence_char) &&
            nod_suggestion_parse_info (cmark_node_get_fence_info (node),
                                       &lines_above, &lines_below))
          {
            renderer_append_suggestion (renderer, node, lines_above, lines_below);
            break;
          }
      }
      renderer_start_block (renderer, node);
      renderer_open (renderer, NOD_MARKDOWN_STYLE_CODE_BLOCK);
      renderer_append_literal_block (renderer, node);
      renderer_close (renderer, NOD_MARKDOWN_STYLE_CODE_BLOCK);
      break;

    case CMARK_NODE_HTML_BLOCK:
      /* Raw HTML is text like any other: shown, never interpreted. */
      renderer_start_block (renderer, node);
      renderer_append_literal_block (renderer, node);
      break;

    case CMARK_NODE_THEMATIC_BREAK:
      renderer_start_block (renderer, node);
      renderer_open (renderer, NOD_MARKDOWN_STYLE_RULE);
      renderer_append (renderer, "────────────────────────", -1);
      renderer_close (renderer, NOD_MARKDOWN_STYLE_RULE);
      break;

    case CMARK_NODE_HTML_INLINE:
      renderer_append_html_inline (renderer, node);
      break;

    case CMARK_NODE_TEXT:
      renderer_append (renderer, cmark_node_get_literal (node), -1);
      break;

    case CMARK_NODE_CODE:
      renderer_open (renderer, NOD_MARKDOWN_STYLE_CODE);
      renderer_append (renderer, cmark_node_get_literal (node), -1);
      renderer_close (renderer, NOD_MARKDOWN_STYLE_CODE);
      break;

    case CMARK_NODE_SOFTBREAK:
      renderer_append (renderer, " ", 1);
      break;

    case CMARK_NODE_LINEBREAK:
      renderer_append (renderer, "\n", 1);
      break;

    case CMARK_NODE_EMPH:
      renderer_open (renderer, NOD_MARKDOWN_STYLE_EMPHASIS);
      break;

    case CMARK_NODE_STRONG:
      renderer_open (renderer, NOD_MARKDOWN_STYLE_STRONG);
      break;

    case CMARK_NODE_LINK:
      renderer_enter_link (renderer, node);
      break;

    case CMARK_NODE_IMAGE:
      renderer_append_image (renderer, iter, node);
      break;

    case CMARK_NODE_NONE:
    case CMARK_NODE_CUSTOM_BLOCK:
    case CMARK_NODE_CUSTOM_INLINE:
    case CMARK_NODE_FOOTNOTE_DEFINITION:
    case CMARK_NODE_FOOTNOTE_REFERENCE:
    default:
      if (cmark_node_get_syntax_extension (node) != NULL)
        renderer_enter_extension_node (renderer, node);
      else if (cmark_node_get_literal (node) != NULL)
        renderer_append (renderer, cmark_node_get_literal (node), -1);
      break;
    }
}

static void
renderer_exit (NodRenderer *renderer,
               cmark_node  *node)
{
  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_BLOCK_QUOTE:
      if (--renderer->quote_depth == 0)
        renderer_close (renderer, NOD_MARKDOWN_STYLE_QUOTE);
      renderer_exit_container (renderer);
      break;

    case CMARK_NODE_LIST:
      g_array_set_size (renderer->lists, renderer->lists->len - 1);
      renderer_exit_container (renderer);
      break;

    case CMARK_NODE_HEADING:
      renderer_close (renderer, heading_style (node));
      break;

    case CMARK_NODE_EMPH:
      renderer_close (renderer, NOD_MARKDOWN_STYLE_EMPHASIS);
      break;

    case CMARK_NODE_STRONG:
      renderer_close (renderer, NOD_MARKDOWN_STYLE_STRONG);
      break;

    case CMARK_NODE_LINK:
      renderer_exit_link (renderer);
      break;

    default:
      if (cmark_node_get_syntax_extension (node) != NULL)
        renderer_exit_extension_node (renderer, node);
      break;
    }
}

static void
renderer_render_document (NodRenderer *renderer,
                          cmark_node  *document)
{
  cmark_iter *iter = cmark_iter_new (document);
  cmark_event_type event;

  while ((event = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);

      if (event == CMARK_EVENT_ENTER)
        renderer_enter (renderer, iter, node);
      else
        renderer_exit (renderer, node);

      if (renderer->text->len > NOD_MARKDOWN_MAX_RENDERED_BYTES)
        {
          renderer->truncated = TRUE;
          break;
        }
    }
  cmark_iter_free (iter);
}

static int
compare_span_starts (gconstpointer a,
                     gconstpointer b)
{
  const NodMarkdownStyleSpan *first = a;
  const NodMarkdownStyleSpan *second = b;

  if (first->start != second->start)
    return first->start < second->start ? -1 : 1;
  if (first->style != second->style)
    return first->style < second->style ? -1 : 1;
  return first->end < second->end ? -1 : first->end > second->end;
}

/* Keeps the first MAX_STYLE_SPANS_PER_LINE spans starting in each line, and
 * MAX_STYLE_SPANS in all; links lose their span with their style. */
static void
renderer_limit_spans (NodRenderer *renderer)
{
  g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (NodMarkdownStyleSpan));
  g_autoptr(GArray) dropped_links = g_array_new (FALSE, FALSE, sizeof (int));
  const char *text = renderer->text->str;
  const char *position = text;
  int position_offset = 0;
  int line = 0;
  int counted_line = -1;
  guint in_line = 0;
  guint next_dropped = 0;
  guint links_kept = 0;

  g_array_sort (renderer->spans, compare_span_starts);
  for (guint i = 0; i < renderer->spans->len; i++)
    {
      NodMarkdownStyleSpan *span = &g_array_index (renderer->spans, NodMarkdownStyleSpan, i);

      for (; position_offset < span->start && *position != '\0'; position_offset++)
        {
          line += *position == '\n';
          position = g_utf8_next_char (position);
        }
      if (line != counted_line)
        {
          counted_line = line;
          in_line = 0;
        }

      if (kept->len < MAX_STYLE_SPANS && in_line < MAX_STYLE_SPANS_PER_LINE)
        {
          in_line++;
          g_array_append_val (kept, *span);
        }
      else if (span->style == NOD_MARKDOWN_STYLE_LINK)
        {
          g_array_append_val (dropped_links, span->start);
        }
    }
  g_array_set_size (renderer->spans, 0);
  g_array_append_vals (renderer->spans, kept->data, kept->len);

  /* Both are sorted by start, and no two links start at one place. */
  for (guint link = 0; link < renderer->links->len; link++)
    {
      NodMarkdownLinkSpan *span = &g_array_index (renderer->links, NodMarkdownLinkSpan, link);

      while (next_dropped < dropped_links->len &&
             g_array_index (dropped_links, int, next_dropped) < span->start)
        next_dropped++;
      if (next_dropped < dropped_links->len &&
          g_array_index (dropped_links, int, next_dropped) == span->start)
        continue;
      g_array_index (renderer->links, NodMarkdownLinkSpan, links_kept++) = *span;
    }
  g_array_set_size (renderer->links, links_kept);
}

/* Closes what a cut left open, then holds the text and its styles to their bounds. */
static void
renderer_finish (NodRenderer *renderer)
{
  while (renderer->container_depth > 0)
    renderer_exit_container (renderer);
  if (renderer->link_depth > 0)
    {
      renderer->link_depth = 1;
      renderer_exit_link (renderer);
    }
  for (guint style = 0; style < NOD_MARKDOWN_N_STYLES; style++)
    {
      if (renderer->open_count[style] > 0)
        {
          renderer->open_count[style] = 1;
          renderer_close (renderer, style);
        }
    }

  if (renderer->text->len > NOD_MARKDOWN_MAX_RENDERED_BYTES)
    {
      gsize end = NOD_MARKDOWN_MAX_RENDERED_BYTES;

      while (end > 0 && ((guchar) renderer->text->str[end] & 0xc0) == 0x80)
        end--;
      g_string_truncate (renderer->text, end);
      renderer->char_count = g_utf8_strlen (renderer->text->str, renderer->text->len);
      renderer->truncated = TRUE;

      while (renderer->links->len > 0)
        {
          NodMarkdownLinkSpan *last = &g_array_index (renderer->links, NodMarkdownLinkSpan,
                                                      renderer->links->len - 1);

          if (last->start < renderer->char_count)
            {
              last->end = MIN (last->end, renderer->char_count);
              break;
            }
          g_array_set_size (renderer->links, renderer->links->len - 1);
        }

      for (guint i = renderer->spans->len; i > 0; i--)
        {
          NodMarkdownStyleSpan *span = &g_array_index (renderer->spans, NodMarkdownStyleSpan,
                                                       i - 1);

          if (span->start >= renderer->char_count)
            g_array_remove_index_fast (renderer->spans, i - 1);
          else
            span->end = MIN (span->end, renderer->char_count);
        }
    }

  renderer_limit_spans (renderer);
}

/* Hands what the renderer wrote to a rendering, with a last line "…" if anything was left
 * out. */
static NodMarkdownRendering *
renderer_steal_rendering (NodRenderer *renderer,
                          gboolean     input_truncated)
{
  NodMarkdownRendering *rendering = nod_markdown_rendering_new ();

  if (input_truncated || renderer->truncated)
    renderer_append (renderer, renderer->text->len > 0 ? "\n…" : "…", -1);

  rendering->length = renderer->text->len;
  rendering->char_count = renderer->char_count;
  rendering->text = g_string_free (g_steal_pointer (&renderer->text), FALSE);
  rendering->style_spans = g_steal_pointer (&renderer->spans);
  rendering->link_spans = g_steal_pointer (&renderer->links);
  rendering->link_targets = g_steal_pointer (&renderer->link_targets);
  g_clear_pointer (&renderer->lists, g_array_unref);
  renderer_clear (renderer);

  return rendering;
}

NodMarkdownRendering *
nod_markdown_render (const char *markdown)
{
  return nod_markdown_render_with_file (markdown, NULL, 0);
}

NodMarkdownRendering *
nod_markdown_render_with_file (const char *markdown,
                               GBytes     *file_text,
                               gint64      new_line)
{
  gboolean input_truncated;
  gsize peak_bytes;
  gint64 started = g_get_monotonic_time ();
  cmark_node *document = nod_markdown_parser_parse (markdown, &input_truncated, &peak_bytes);
  NodRenderer renderer;

  renderer_init (&renderer);
  renderer.file_text = file_text != NULL ? g_bytes_ref (file_text) : NULL;
  /* A stranger's line number: no file Nod keeps is that long, and the sums stay far from
   * overflowing. */
  renderer.new_line = CLAMP (new_line, 0, G_MAXINT32);
  renderer_render_document (&renderer, document);
  renderer_finish (&renderer);
  cmark_node_free (document);

  g_debug ("Rendered %" G_GSIZE_FORMAT " bytes of Markdown in %.1f ms, "
           "the parser holding %" G_GSIZE_FORMAT " bytes at most",
           markdown != NULL ? strlen (markdown) : 0,
           (double) (g_get_monotonic_time () - started) / 1000, peak_bytes);

  return renderer_steal_rendering (&renderer, input_truncated);
}

NodMarkdownRendering *
nod_markdown_render_source (const char *markdown)
{
  gboolean input_truncated;
  g_autofree char *source = nod_markdown_parser_bound_input (markdown, &input_truncated);
  NodRenderer renderer;

  renderer_init (&renderer);
  renderer_append (&renderer, source, -1);

  return renderer_steal_rendering (&renderer, input_truncated);
}

/* In a worker */

typedef struct
{
  char   *markdown;
  GBytes *file_text;
  gint64  new_line;
} RenderData;

static void
render_data_free (RenderData *data)
{
  g_free (data->markdown);
  g_clear_pointer (&data->file_text, g_bytes_unref);
  g_free (data);
}

static void
render_in_worker (gpointer data,
                  gpointer user_data)
{
  g_autoptr(GTask) task = data;
  RenderData *render;

  if (g_task_return_error_if_cancelled (task))
    return;

  render = g_task_get_task_data (task);
  g_task_return_pointer (task,
                         nod_markdown_render_with_file (render->markdown, render->file_text,
                                                        render->new_line),
                         (GDestroyNotify) nod_markdown_rendering_unref);
}

/* Not GLib's pool for GTask threads: renders that take seconds would hold up everyone's
 * file and network work there. */
static GThreadPool *
get_render_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *new_pool = g_thread_pool_new (render_in_worker, NULL, MAX_RENDERS_AT_ONCE,
                                                 FALSE, NULL);

      g_once_init_leave (&pool, new_pool);
    }

  return pool;
}

void
nod_markdown_render_async (const char          *markdown,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  nod_markdown_render_with_file_async (markdown, NULL, 0, cancellable, callback, user_data);
}

void
nod_markdown_render_with_file_async (const char          *markdown,
                                     GBytes              *file_text,
                                     gint64               new_line,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RenderData *render;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_markdown_render_async);
  render = g_new0 (RenderData, 1);
  /* A byte past the bound is enough to tell that the text was cut, and a waiting render
   * holds no more than that. */
  render->markdown = g_strndup (markdown != NULL ? markdown : "",
                                NOD_MARKDOWN_MAX_INPUT_BYTES + 1);
  /* The text is shared, never copied: GBytes are immutable. */
  render->file_text = file_text != NULL ? g_bytes_ref (file_text) : NULL;
  render->new_line = new_line;
  g_task_set_task_data (task, render, (GDestroyNotify) render_data_free);

  /* Fails only to start a thread; the render then waits for one that runs. */
  if (!g_thread_pool_push (get_render_pool (), g_object_ref (task), &error))
    g_debug ("No thread for a Markdown render yet: %s", error->message);
}

NodMarkdownRendering *
nod_markdown_render_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, nod_markdown_render_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
