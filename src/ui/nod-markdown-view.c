/* nod-markdown-view.c: a read-only view of GitLab-flavoured Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-markdown-view"

#include "config.h"

#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <glib/gi18n.h>

#include "nod-markdown-view.h"

/* The view is a GtkTextView rather than a widget holding one: a text view is what this is
 * (selection, copying, keyboard scrolling, the text-box accessible role, GtkScrollable so it
 * goes straight into a GtkScrolledWindow), and a subclass gets all of that without a line of
 * forwarding. Only the buffer's content is ours. */

/* Nesting deeper than this is shown at this depth: past a few levels more indentation only
 * pushes the text off the side. */
#define MAX_INDENT_LEVEL 8
#define BASE_MARGIN      12
#define INDENT_STEP      24

/* What the parser may use before the view gives up on formatting and shows the source. */
#define PARSE_MAX_LIVE_BYTES   (32 * 1024 * 1024)
#define PARSE_DEADLINE_USEC    (1 * G_USEC_PER_SEC)
#define PARSE_CLOCK_INTERVAL   64

/* A tooltip shows no more of an address than this. */
#define TOOLTIP_MAX_CHARS 200

#define PARSE_OPTIONS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | \
                       CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

typedef enum
{
  STYLE_HEADING_1,
  STYLE_HEADING_2,
  STYLE_HEADING_3,
  STYLE_HEADING_4,
  STYLE_HEADING_5,
  STYLE_HEADING_6,
  STYLE_STRONG,
  STYLE_EMPHASIS,
  STYLE_STRIKETHROUGH,
  STYLE_CODE,
  STYLE_CODE_BLOCK,
  STYLE_QUOTE,
  STYLE_LINK,
  STYLE_TABLE,
  STYLE_RULE,
  /* Created last and in order, so a deeper level has the higher priority and wins. */
  STYLE_INDENT_1,
  STYLE_INDENT_2,
  STYLE_INDENT_3,
  STYLE_INDENT_4,
  STYLE_INDENT_5,
  STYLE_INDENT_6,
  STYLE_INDENT_7,
  STYLE_INDENT_8,
  N_STYLES
} NodMarkdownStyle;

G_STATIC_ASSERT (STYLE_INDENT_8 - STYLE_INDENT_1 + 1 == MAX_INDENT_LEVEL);

static const char * const style_names[N_STYLES] = {
  "heading1", "heading2", "heading3", "heading4", "heading5", "heading6",
  "strong", "emphasis", "strikethrough", "code", "code-block", "quote", "link", "table", "rule",
  "indent-1", "indent-2", "indent-3", "indent-4", "indent-5", "indent-6", "indent-7", "indent-8",
};

static const double heading_scales[] = { 1.8, 1.5, 1.3, 1.15, 1.0, 0.9 };

/* A stretch of the text that a click opens: the offsets are characters in the buffer. The
 * view keeps these sorted rather than a tag per link: a hostile comment can hold thousands
 * of links, and every tag in the table slows every buffer operation. */
typedef struct
{
  int         start;
  int         end;
  const char *target;
} NodMarkdownLink;

struct _NodMarkdownView
{
  GtkTextView   parent_instance;

  char         *markdown;

  /* Sorted by offset and never overlapping; the targets live in link_targets. */
  GArray       *links;
  GStringChunk *link_targets;

  gboolean      pointer_on_link;
  GdkRGBA       link_color;
  GdkRGBA       dimmed_color;
};

G_DEFINE_FINAL_TYPE (NodMarkdownView, nod_markdown_view, GTK_TYPE_TEXT_VIEW)

enum {
  PROP_0,
  PROP_MARKDOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static cmark_syntax_extension *table_extension;
static cmark_syntax_extension *strikethrough_extension;
static cmark_syntax_extension *autolink_extension;
static cmark_syntax_extension *tasklist_extension;

/* The parser's arena.
 *
 * cmark-gfm 0.29.0.gfm.6, the version Debian 12 ships, has inputs far below our size bound
 * that make it allocate gigabytes (one long reference link used thousands of times, a wide
 * table header over thousands of short lines) or run for minutes (thousands of nested
 * containers around a paragraph of many delimiters, table rows of many pipes). Later
 * releases fixed those; this one we must live with. Its allocator hook cannot fail (NULL
 * aborts the process), so the parser allocates from an arena of ours that counts live bytes
 * and time, and past either budget longjmp()s back out of cmark. The arena holds every
 * block the parser made, so giving up leaks nothing; the reviewer then sees the source as
 * plain text. After the parse the arena stops enforcing (the renderer's calls into cmark
 * allocate too, and have no way back out) and only keeps account until it is released. */

typedef struct _NodArenaBlock NodArenaBlock;

struct _NodArenaBlock
{
  NodArenaBlock *prev;
  NodArenaBlock *next;
  gsize          size;
};

#define ARENA_ALIGNMENT   (_Alignof (max_align_t))
#define ARENA_HEADER_SIZE ((sizeof (NodArenaBlock) + ARENA_ALIGNMENT - 1) & \
                           ~(ARENA_ALIGNMENT - 1))

typedef struct
{
  NodArenaBlock *blocks;
  gsize          live_bytes;
  guint64        allocations;
  gint64         deadline;
  gboolean       enforcing;
  jmp_buf        escape;
} NodArena;

/* cmark's allocator hooks take no user data. */
static _Thread_local NodArena *current_arena;

static G_NORETURN void
arena_give_up (NodArena *arena)
{
  longjmp (arena->escape, 1);
}

static void
arena_check_budget (NodArena *arena,
                    gsize     growth)
{
  if (!arena->enforcing)
    return;

  if (growth > PARSE_MAX_LIVE_BYTES - arena->live_bytes)
    arena_give_up (arena);

  if (++arena->allocations % PARSE_CLOCK_INTERVAL == 0 &&
      g_get_monotonic_time () > arena->deadline)
    arena_give_up (arena);
}

static NodArenaBlock *
arena_block_of (void *pointer)
{
  return (NodArenaBlock *) (void *) ((char *) pointer - ARENA_HEADER_SIZE);
}

static void *
arena_calloc (size_t count,
              size_t size)
{
  NodArena *arena = current_arena;
  NodArenaBlock *block;
  gsize total;

  g_assert (arena != NULL);

  if (size != 0 && count > (G_MAXSIZE - ARENA_HEADER_SIZE) / size)
    {
      if (arena->enforcing)
        arena_give_up (arena);
      g_error ("cmark asked for %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT " bytes", count, size);
    }

  total = count * size;
  arena_check_budget (arena, total);

  block = g_malloc0 (ARENA_HEADER_SIZE + total);
  block->size = total;
  block->prev = NULL;
  block->next = arena->blocks;
  if (arena->blocks != NULL)
    arena->blocks->prev = block;
  arena->blocks = block;
  arena->live_bytes += total;

  return (char *) block + ARENA_HEADER_SIZE;
}

static void
arena_free (void *pointer)
{
  NodArena *arena = current_arena;
  NodArenaBlock *block;

  if (pointer == NULL)
    return;

  g_assert (arena != NULL);

  block = arena_block_of (pointer);
  if (block->prev != NULL)
    block->prev->next = block->next;
  else
    arena->blocks = block->next;
  if (block->next != NULL)
    block->next->prev = block->prev;

  arena->live_bytes -= block->size;
  g_free (block);
}

static void *
arena_realloc (void   *pointer,
               size_t  size)
{
  NodArena *arena = current_arena;
  NodArenaBlock *block;

  if (pointer == NULL)
    return arena_calloc (1, size);

  g_assert (arena != NULL);

  if (size > G_MAXSIZE - ARENA_HEADER_SIZE)
    {
      if (arena->enforcing)
        arena_give_up (arena);
      g_error ("cmark asked for %" G_GSIZE_FORMAT " bytes", size);
    }

  block = arena_block_of (pointer);
  arena_check_budget (arena, size > block->size ? size - block->size : 0);

  /* The block may move: its neighbours then point at the old place. */
  block = g_realloc (block, ARENA_HEADER_SIZE + size);
  if (block->prev != NULL)
    block->prev->next = block;
  else
    arena->blocks = block;
  if (block->next != NULL)
    block->next->prev = block;

  arena->live_bytes = arena->live_bytes - block->size + size;
  block->size = size;

  return (char *) block + ARENA_HEADER_SIZE;
}

static cmark_mem arena_allocator = { arena_calloc, arena_realloc, arena_free };

static void
arena_release (NodArena *arena)
{
  while (arena->blocks != NULL)
    {
      NodArenaBlock *next = arena->blocks->next;

      g_free (arena->blocks);
      arena->blocks = next;
    }
  arena->live_bytes = 0;
}

/* Returns the document, or NULL when the parse went over budget. Nothing set up here is
 * used once longjmp() lands, so no local needs to be volatile. */
static cmark_node *
parse_within_budget (NodArena   *arena,
                     const char *markdown,
                     gsize       length)
{
  cmark_syntax_extension *extensions[] = {
    table_extension, strikethrough_extension, autolink_extension, tasklist_extension,
  };
  cmark_parser *parser;

  if (setjmp (arena->escape) != 0)
    return NULL;

  parser = cmark_parser_new_with_mem (PARSE_OPTIONS, &arena_allocator);
  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      if (extensions[i] != NULL)
        cmark_parser_attach_syntax_extension (parser, extensions[i]);
    }
  cmark_parser_feed (parser, markdown, length);

  /* The parser itself is the arena's to free. */
  return cmark_parser_finish (parser);
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
nod_markdown_view_uri_is_allowed (const char *uri)
{
  g_autofree char *target = link_target_for_url (uri);

  return target != NULL;
}

/* The renderer: walks the document with cmark's iterator (no recursion, so nesting depth
 * costs no stack) and writes plain text plus the stretches each style covers. */

typedef struct
{
  NodMarkdownStyle style;
  int              start;
  int              end;
} NodStyleSpan;

typedef struct
{
  gint64   next_number;
  gboolean ordered;
  char     delimiter;
} NodListState;

typedef struct
{
  GString      *text;
  int           char_count;
  gboolean      truncated;

  GArray       *spans;
  int           open_count[N_STYLES];
  int           open_start[N_STYLES];

  /* Quotes and lists around the current node; only the first levels have a start. */
  int           container_depth;
  int           indent_start[MAX_INDENT_LEVEL + 1];
  int           quote_depth;
  GArray       *lists;

  int           link_depth;
  int           link_start;
  const char   *link_target;
  GArray       *links;
  GStringChunk *link_targets;
} NodRenderer;

static void
renderer_init (NodRenderer  *renderer,
               GArray       *links,
               GStringChunk *link_targets)
{
  memset (renderer, 0, sizeof *renderer);
  renderer->text = g_string_new (NULL);
  renderer->spans = g_array_new (FALSE, FALSE, sizeof (NodStyleSpan));
  renderer->lists = g_array_new (FALSE, FALSE, sizeof (NodListState));
  renderer->links = links;
  renderer->link_targets = link_targets;
}

static void
renderer_clear (NodRenderer *renderer)
{
  g_string_free (renderer->text, TRUE);
  g_clear_pointer (&renderer->spans, g_array_unref);
  g_clear_pointer (&renderer->lists, g_array_unref);
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
  NodStyleSpan span = { style, start, end };

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
  if (renderer->container_depth <= MAX_INDENT_LEVEL)
    renderer->indent_start[renderer->container_depth] = renderer->char_count;
}

static void
renderer_exit_container (NodRenderer *renderer)
{
  int depth = renderer->container_depth;

  g_assert (depth > 0);

  if (depth <= MAX_INDENT_LEVEL)
    renderer_add_span (renderer, STYLE_INDENT_1 + depth - 1,
                       renderer->indent_start[depth], renderer->char_count);
  renderer->container_depth--;
}

static void
renderer_add_link (NodRenderer *renderer,
                   int          start,
                   const char  *target)
{
  NodMarkdownLink link = { start, renderer->char_count, target };

  if (link.start >= link.end)
    return;

  g_array_append_val (renderer->links, link);
  renderer_add_span (renderer, STYLE_LINK, link.start, link.end);
}

/* The checked target of @url, kept for the view's lifetime, or NULL. */
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
  gboolean is_task = tasklist_extension != NULL &&
                     cmark_node_get_syntax_extension (item) == tasklist_extension;
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

  if (extension == strikethrough_extension)
    {
      renderer_open (renderer, STYLE_STRIKETHROUGH);
    }
  else if (extension == table_extension && node_is_table_row (node))
    {
      if (cmark_node_previous (node) != NULL)
        renderer_append (renderer, "\n", 1);
      if (cmark_gfm_extensions_get_table_row_is_header (node))
        renderer_open (renderer, STYLE_STRONG);
    }
  else if (extension == table_extension &&
           g_str_equal (cmark_node_get_type_string (node), "table_cell"))
    {
      if (cmark_node_previous (node) != NULL)
        renderer_append (renderer, " │ ", -1);
    }
  else if (extension == table_extension)
    {
      renderer_start_block (renderer, node);
      renderer_open (renderer, STYLE_TABLE);
    }
}

static void
renderer_exit_extension_node (NodRenderer *renderer,
                              cmark_node  *node)
{
  cmark_syntax_extension *extension = cmark_node_get_syntax_extension (node);

  if (extension == strikethrough_extension)
    {
      renderer_close (renderer, STYLE_STRIKETHROUGH);
    }
  else if (extension == table_extension && node_is_table_row (node))
    {
      if (cmark_gfm_extensions_get_table_row_is_header (node))
        renderer_close (renderer, STYLE_STRONG);
    }
  else if (extension == table_extension &&
           !g_str_equal (cmark_node_get_type_string (node), "table_cell"))
    {
      renderer_close (renderer, STYLE_TABLE);
    }
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
        renderer_open (renderer, STYLE_QUOTE);
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
      renderer_open (renderer,
                     STYLE_HEADING_1 + CLAMP (cmark_node_get_heading_level (node), 1, 6) - 1);
      break;

    case CMARK_NODE_CODE_BLOCK:
      renderer_start_block (renderer, node);
      renderer_open (renderer, STYLE_CODE_BLOCK);
      renderer_append_literal_block (renderer, node);
      renderer_close (renderer, STYLE_CODE_BLOCK);
      break;

    case CMARK_NODE_HTML_BLOCK:
      /* Raw HTML is text like any other: shown, never interpreted. */
      renderer_start_block (renderer, node);
      renderer_append_literal_block (renderer, node);
      break;

    case CMARK_NODE_THEMATIC_BREAK:
      renderer_start_block (renderer, node);
      renderer_open (renderer, STYLE_RULE);
      renderer_append (renderer, "────────────────────────", -1);
      renderer_close (renderer, STYLE_RULE);
      break;

    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
      renderer_append (renderer, cmark_node_get_literal (node), -1);
      break;

    case CMARK_NODE_CODE:
      renderer_open (renderer, STYLE_CODE);
      renderer_append (renderer, cmark_node_get_literal (node), -1);
      renderer_close (renderer, STYLE_CODE);
      break;

    case CMARK_NODE_SOFTBREAK:
      renderer_append (renderer, " ", 1);
      break;

    case CMARK_NODE_LINEBREAK:
      renderer_append (renderer, "\n", 1);
      break;

    case CMARK_NODE_EMPH:
      renderer_open (renderer, STYLE_EMPHASIS);
      break;

    case CMARK_NODE_STRONG:
      renderer_open (renderer, STYLE_STRONG);
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
        renderer_close (renderer, STYLE_QUOTE);
      renderer_exit_container (renderer);
      break;

    case CMARK_NODE_LIST:
      g_array_set_size (renderer->lists, renderer->lists->len - 1);
      renderer_exit_container (renderer);
      break;

    case CMARK_NODE_HEADING:
      renderer_close (renderer,
                      STYLE_HEADING_1 + CLAMP (cmark_node_get_heading_level (node), 1, 6) - 1);
      break;

    case CMARK_NODE_EMPH:
      renderer_close (renderer, STYLE_EMPHASIS);
      break;

    case CMARK_NODE_STRONG:
      renderer_close (renderer, STYLE_STRONG);
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

      if (renderer->text->len > NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES)
        {
          renderer->truncated = TRUE;
          break;
        }
    }
  cmark_iter_free (iter);
}

/* Closes what a cut left open, then holds the text to its bound. */
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
  for (guint style = 0; style < N_STYLES; style++)
    {
      if (renderer->open_count[style] > 0)
        {
          renderer->open_count[style] = 1;
          renderer_close (renderer, style);
        }
    }

  if (renderer->text->len > NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES)
    {
      gsize end = NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES;

      while (end > 0 && ((guchar) renderer->text->str[end] & 0xc0) == 0x80)
        end--;
      g_string_truncate (renderer->text, end);
      renderer->char_count = g_utf8_strlen (renderer->text->str, renderer->text->len);
      renderer->truncated = TRUE;

      while (renderer->links->len > 0)
        {
          NodMarkdownLink *last = &g_array_index (renderer->links, NodMarkdownLink,
                                                  renderer->links->len - 1);

          if (last->start < renderer->char_count)
            {
              last->end = MIN (last->end, renderer->char_count);
              break;
            }
          g_array_set_size (renderer->links, renderer->links->len - 1);
        }
    }
}

/* At most NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES of valid UTF-8 from @markdown. */
static char *
dup_bounded_markdown (const char *markdown,
                      gboolean   *out_truncated)
{
  gsize length = markdown != NULL ? strlen (markdown) : 0;
  char *valid;

  *out_truncated = length > NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES;

  /* Each invalid byte becomes U+FFFD, three bytes: bound the result again. */
  valid = g_utf8_make_valid (markdown != NULL ? markdown : "",
                             MIN (length, NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES));
  if (strlen (valid) > NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES)
    {
      gsize end = NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES;

      while (end > 0 && ((guchar) valid[end] & 0xc0) == 0x80)
        end--;
      valid[end] = '\0';
      *out_truncated = TRUE;
    }

  return valid;
}

/* The view */

static GtkTextTag *
ensure_tag (GtkTextBuffer    *buffer,
            NodMarkdownStyle  style)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  const char *name = style_names[style];
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);
  GdkRGBA subtle = { 0.5, 0.5, 0.5, 0.15 };
  GdkRGBA dimmed = { 0.5, 0.5, 0.5, 1.0 };
  GdkRGBA accent = { 0.11, 0.44, 0.85, 1.0 };

  if (tag != NULL)
    return tag;

  switch (style)
    {
    case STYLE_HEADING_1:
    case STYLE_HEADING_2:
    case STYLE_HEADING_3:
    case STYLE_HEADING_4:
    case STYLE_HEADING_5:
    case STYLE_HEADING_6:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "weight", PANGO_WEIGHT_BOLD,
                                         "scale", heading_scales[style - STYLE_HEADING_1],
                                         NULL);

    case STYLE_STRONG:
      return gtk_text_buffer_create_tag (buffer, name, "weight", PANGO_WEIGHT_BOLD, NULL);

    case STYLE_EMPHASIS:
      return gtk_text_buffer_create_tag (buffer, name, "style", PANGO_STYLE_ITALIC, NULL);

    case STYLE_STRIKETHROUGH:
      return gtk_text_buffer_create_tag (buffer, name, "strikethrough", TRUE, NULL);

    case STYLE_CODE:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "family", "monospace",
                                         "background-rgba", &subtle,
                                         NULL);

    case STYLE_CODE_BLOCK:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "family", "monospace",
                                         "paragraph-background-rgba", &subtle,
                                         NULL);

    case STYLE_QUOTE:
    case STYLE_RULE:
      return gtk_text_buffer_create_tag (buffer, name, "foreground-rgba", &dimmed, NULL);

    case STYLE_LINK:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "foreground-rgba", &accent,
                                         "underline", PANGO_UNDERLINE_SINGLE,
                                         NULL);

    case STYLE_TABLE:
      return gtk_text_buffer_create_tag (buffer, name, "family", "monospace", NULL);

    case STYLE_INDENT_1:
    case STYLE_INDENT_2:
    case STYLE_INDENT_3:
    case STYLE_INDENT_4:
    case STYLE_INDENT_5:
    case STYLE_INDENT_6:
    case STYLE_INDENT_7:
    case STYLE_INDENT_8:
      /* A tag's margin replaces the view's rather than adding to it. */
      return gtk_text_buffer_create_tag (buffer, name,
                                         "left-margin",
                                         BASE_MARGIN + (style - STYLE_INDENT_1 + 1) * INDENT_STEP,
                                         NULL);

    case N_STYLES:
    default:
      g_assert_not_reached ();
    }
}

static void
ensure_tags (GtkTextBuffer *buffer,
             GtkTextTag    *tags[N_STYLES])
{
  for (guint style = 0; style < N_STYLES; style++)
    tags[style] = ensure_tag (buffer, style);
}

static void
nod_markdown_view_render (NodMarkdownView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextTag *tags[N_STYLES];
  g_autofree char *source = NULL;
  gboolean source_truncated;
  NodRenderer renderer;
  NodArena arena = { 0 };
  cmark_node *document;

  ensure_tags (buffer, tags);
  g_array_set_size (self->links, 0);
  g_clear_pointer (&self->link_targets, g_string_chunk_free);
  self->link_targets = g_string_chunk_new (256);

  source = dup_bounded_markdown (self->markdown, &source_truncated);
  renderer_init (&renderer, self->links, self->link_targets);

  g_assert (current_arena == NULL);
  current_arena = &arena;
  arena.enforcing = TRUE;
  arena.deadline = g_get_monotonic_time () + PARSE_DEADLINE_USEC;

  document = parse_within_budget (&arena, source, strlen (source));
  arena.enforcing = FALSE;

  if (document != NULL)
    {
      renderer_render_document (&renderer, document);
      renderer_finish (&renderer);
    }
  else
    {
      g_debug ("Markdown of %" G_GSIZE_FORMAT " bytes is over the parser's budget; "
               "showing it as plain text", strlen (source));
      renderer_append (&renderer, source, -1);
    }

  arena_release (&arena);
  current_arena = NULL;

  if (source_truncated || renderer.truncated)
    renderer_append (&renderer, renderer.text->len > 0 ? "\n…" : "…", -1);

  gtk_text_buffer_set_text (buffer, renderer.text->str, renderer.text->len);
  for (guint i = 0; i < renderer.spans->len; i++)
    {
      NodStyleSpan *span = &g_array_index (renderer.spans, NodStyleSpan, i);
      GtkTextIter start, end;

      if (span->start >= renderer.char_count)
        continue;

      gtk_text_buffer_get_iter_at_offset (buffer, &start, span->start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, MIN (span->end, renderer.char_count));
      gtk_text_buffer_apply_tag (buffer, tags[span->style], &start, &end);
    }

  renderer_clear (&renderer);
}

static const char *
nod_markdown_view_find_link (NodMarkdownView *self,
                             int              char_offset)
{
  guint low = 0;
  guint high = self->links->len;

  /* The links are sorted and disjoint: find the last one starting at or before the offset. */
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (self->links, NodMarkdownLink, middle).start <= char_offset)
        low = middle + 1;
      else
        high = middle;
    }

  if (low > 0)
    {
      NodMarkdownLink *link = &g_array_index (self->links, NodMarkdownLink, low - 1);

      if (char_offset < link->end)
        return link->target;
    }

  return NULL;
}

/* The link under a point in widget coordinates, or NULL. */
static const char *
nod_markdown_view_find_link_at_point (NodMarkdownView *self,
                                      double           x,
                                      double           y)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (self);
  GtkTextIter iter;
  int buffer_x, buffer_y;

  gtk_text_view_window_to_buffer_coords (text_view, GTK_TEXT_WINDOW_WIDGET,
                                         (int) x, (int) y, &buffer_x, &buffer_y);
  if (!gtk_text_view_get_iter_at_location (text_view, &iter, buffer_x, buffer_y))
    return NULL;

  return nod_markdown_view_find_link (self, gtk_text_iter_get_offset (&iter));
}

static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   NodMarkdownView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkRoot *root;
  const char *target;

  /* A drag that selected text is not a click on a link. */
  if (n_press != 1 || gtk_text_buffer_get_has_selection (buffer))
    return;

  target = nod_markdown_view_find_link_at_point (self, x, y);
  if (target == NULL || !nod_markdown_view_uri_is_allowed (target))
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, target, GDK_CURRENT_TIME);
}

static void
nod_markdown_view_set_pointer_on_link (NodMarkdownView *self,
                                       gboolean         pointer_on_link)
{
  if (self->pointer_on_link == pointer_on_link)
    return;

  self->pointer_on_link = pointer_on_link;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), pointer_on_link ? "pointer" : "text");
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           NodMarkdownView          *self)
{
  nod_markdown_view_set_pointer_on_link (self,
                                         nod_markdown_view_find_link_at_point (self, x, y) != NULL);
}

static void
on_leave (GtkEventControllerMotion *controller,
          NodMarkdownView          *self)
{
  nod_markdown_view_set_pointer_on_link (self, FALSE);
}

/* Where a link goes shows before it is clicked: its text may say something else. */
static gboolean
nod_markdown_view_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard_mode,
                                 GtkTooltip *tooltip)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (widget);
  const char *target = NULL;

  if (!keyboard_mode)
    target = nod_markdown_view_find_link_at_point (self, x, y);

  if (target != NULL)
    {
      if (g_utf8_strlen (target, -1) > TOOLTIP_MAX_CHARS)
        {
          g_autofree char *start = g_utf8_substring (target, 0, TOOLTIP_MAX_CHARS);
          g_autofree char *shortened = g_strconcat (start, "…", NULL);

          gtk_tooltip_set_text (tooltip, shortened);
        }
      else
        {
          gtk_tooltip_set_text (tooltip, target);
        }
      return TRUE;
    }

  return GTK_WIDGET_CLASS (nod_markdown_view_parent_class)->query_tooltip (widget, x, y,
                                                                           keyboard_mode,
                                                                           tooltip);
}

/* Links take the accent colour, quotes a dimmer text colour: both follow the style (dark or
 * light) the view is drawn in. */
static void
nod_markdown_view_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GdkRGBA link_color, dimmed_color;

  GTK_WIDGET_CLASS (nod_markdown_view_parent_class)->css_changed (widget, change);

  if (!gtk_style_context_lookup_color (context, "accent_color", &link_color))
    gdk_rgba_parse (&link_color, "#1c71d8");
  gtk_style_context_get_color (context, &dimmed_color);
  dimmed_color.alpha *= 0.6f;

  /* Called on every state change (hover, focus): retag only when a colour changed. */
  if (!gdk_rgba_equal (&link_color, &self->link_color))
    {
      self->link_color = link_color;
      g_object_set (ensure_tag (buffer, STYLE_LINK), "foreground-rgba", &link_color, NULL);
    }
  if (!gdk_rgba_equal (&dimmed_color, &self->dimmed_color))
    {
      self->dimmed_color = dimmed_color;
      g_object_set (ensure_tag (buffer, STYLE_QUOTE), "foreground-rgba", &dimmed_color, NULL);
      g_object_set (ensure_tag (buffer, STYLE_RULE), "foreground-rgba", &dimmed_color, NULL);
    }
}

static void
nod_markdown_view_finalize (GObject *object)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (object);

  g_clear_pointer (&self->markdown, g_free);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->link_targets, g_string_chunk_free);

  G_OBJECT_CLASS (nod_markdown_view_parent_class)->finalize (object);
}

static void
nod_markdown_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_MARKDOWN:
      g_value_set_string (value, self->markdown);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_markdown_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_MARKDOWN:
      nod_markdown_view_set_markdown (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_markdown_view_class_init (NodMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = nod_markdown_view_finalize;
  object_class->get_property = nod_markdown_view_get_property;
  object_class->set_property = nod_markdown_view_set_property;

  widget_class->query_tooltip = nod_markdown_view_query_tooltip;
  widget_class->css_changed = nod_markdown_view_css_changed;

  /**
   * NodMarkdownView:markdown:
   *
   * The GitLab-flavoured Markdown shown, as given; %NULL shows nothing.
   */
  properties[PROP_MARKDOWN] =
    g_param_spec_string ("markdown", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  cmark_gfm_core_extensions_ensure_registered ();
  table_extension = cmark_find_syntax_extension ("table");
  strikethrough_extension = cmark_find_syntax_extension ("strikethrough");
  autolink_extension = cmark_find_syntax_extension ("autolink");
  tasklist_extension = cmark_find_syntax_extension ("tasklist");
}

static void
nod_markdown_view_init (NodMarkdownView *self)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (self);
  GtkEventController *motion;
  GtkGesture *click;
  GtkTextTag *tags[N_STYLES];

  self->links = g_array_new (FALSE, FALSE, sizeof (NodMarkdownLink));
  self->link_targets = g_string_chunk_new (256);

  gtk_text_view_set_editable (text_view, FALSE);
  gtk_text_view_set_cursor_visible (text_view, FALSE);
  gtk_text_view_set_wrap_mode (text_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (text_view, BASE_MARGIN);
  gtk_text_view_set_right_margin (text_view, BASE_MARGIN);
  gtk_text_view_set_top_margin (text_view, BASE_MARGIN);
  gtk_text_view_set_bottom_margin (text_view, BASE_MARGIN);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  ensure_tags (gtk_text_view_get_buffer (text_view), tags);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

NodMarkdownView *
nod_markdown_view_new (void)
{
  return g_object_new (NOD_TYPE_MARKDOWN_VIEW, NULL);
}

const char *
nod_markdown_view_get_markdown (NodMarkdownView *self)
{
  g_return_val_if_fail (NOD_IS_MARKDOWN_VIEW (self), NULL);

  return self->markdown;
}

void
nod_markdown_view_set_markdown (NodMarkdownView *self,
                                const char      *markdown)
{
  g_return_if_fail (NOD_IS_MARKDOWN_VIEW (self));

  if (g_strcmp0 (self->markdown, markdown) == 0)
    return;

  g_free (self->markdown);
  self->markdown = g_strdup (markdown);
  nod_markdown_view_render (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARKDOWN]);
}

char *
nod_markdown_view_dup_text (NodMarkdownView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (NOD_IS_MARKDOWN_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

gboolean
nod_markdown_view_has_tag_at (NodMarkdownView *self,
                              const char      *tag_name,
                              int              char_offset)
{
  GtkTextBuffer *buffer;
  GtkTextTag *tag;
  GtkTextIter iter;

  g_return_val_if_fail (NOD_IS_MARKDOWN_VIEW (self), FALSE);
  g_return_val_if_fail (tag_name != NULL, FALSE);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  if (tag == NULL || char_offset < 0 || char_offset >= gtk_text_buffer_get_char_count (buffer))
    return FALSE;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, char_offset);
  return gtk_text_iter_has_tag (&iter, tag);
}

const char *
nod_markdown_view_get_link_at (NodMarkdownView *self,
                               int              char_offset)
{
  g_return_val_if_fail (NOD_IS_MARKDOWN_VIEW (self), NULL);

  return nod_markdown_view_find_link (self, char_offset);
}
