/* nod-diff-highlight.c: one side's whole text, highlighted, for the diff view to copy from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-diff-view"

#include "config.h"

#include <string.h>

#include "nod-diff-file.h"
#include "nod-diff-highlight.h"

/* A diff shows bits of a file; what they are (code, a comment, a string) depends on what
 * came before them. So the whole text goes into a GtkSourceBuffer no view shows, is
 * highlighted there a few hundred lines at a time, and the diff view copies each line's
 * tags onto its rows. The buffer is filled and highlighted on the main thread (GTK objects
 * are not for workers), in steps the caller paces.
 *
 * A step appends lines and highlights them at once. Text left unhighlighted in the buffer
 * would be analysed by GtkSourceView's own idle worker, in slices of 30 ms: the main loop
 * would stall for that long. So the buffer holds only what is highlighted. */

#define HIGHLIGHT_STEP  300

#define CONTEXT_CLASS_PREFIX "gtksourceview:context-classes:"

struct _NodDiffHighlight
{
  GObject          parent_instance;

  GtkSourceBuffer *buffer;
  GBytes          *text;
  gsize            loaded;       /* bytes of text in the buffer */
  guint            highlighted;  /* lines in the buffer (and highlighted) so far */
  guint            line_count;
};

G_DEFINE_FINAL_TYPE (NodDiffHighlight, nod_diff_highlight, G_TYPE_OBJECT)

/* After an 0xe2 lead byte: the line and paragraph separators (which would break a line
 * where the diff has none) and the bidirectional controls (which reorder what a reviewer
 * reads: "Trojan Source"). Each is three bytes, as its replacement is. */
static gboolean
is_hidden_control (guchar second,
                   guchar third)
{
  if (second == 0x80)
    return third == 0x8e || third == 0x8f ||     /* LRM, RLM */
           third == 0xa8 || third == 0xa9 ||     /* line, paragraph separator */
           (third >= 0xaa && third <= 0xae);     /* LRE, RLE, PDF, LRO, RLO */
  if (second == 0x81)
    return third >= 0xa6 && third <= 0xa9;       /* LRI, RLI, FSI, PDI */
  return FALSE;
}

char *
nod_diff_sanitize_line (const char *text,
                        gsize       length)
{
  g_autoptr(GString) out = g_string_sized_new (length + 1);

  if (length > 0 && text[length - 1] == '\r')
    length--;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        {
          g_string_append (out, "\xef\xbf\xbd");
        }
      else if (c == 0xe2 && i + 2 < length && is_hidden_control ((guchar) text[i + 1],
                                                                   (guchar) text[i + 2]))
        {
          g_string_append (out, "\xef\xbf\xbd");
          i += 2;
        }
      else
        {
          g_string_append_c (out, (char) c);
        }
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    return g_utf8_make_valid (out->str, (gssize) out->len);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static guint
count_lines (const char *data,
             gsize       length)
{
  guint lines = 0;

  for (const char *p = data; (p = memchr (p, '\n', (gsize) (data + length - p))) != NULL; p++)
    lines++;
  if (length > 0 && data[length - 1] != '\n')
    lines++;

  return lines;
}

static void
nod_diff_highlight_finalize (GObject *object)
{
  NodDiffHighlight *self = NOD_DIFF_HIGHLIGHT (object);

  g_clear_object (&self->buffer);
  g_clear_pointer (&self->text, g_bytes_unref);

  G_OBJECT_CLASS (nod_diff_highlight_parent_class)->finalize (object);
}

static void
nod_diff_highlight_class_init (NodDiffHighlightClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_diff_highlight_finalize;
}

static void
nod_diff_highlight_init (NodDiffHighlight *self)
{
}

/* Lines of a hidden text taken down a step when it is let go. */
#define RELEASE_STEP_LINES 2000

static gboolean
release_step (gpointer data)
{
  NodDiffHighlight *self = data;
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  int lines = gtk_text_buffer_get_line_count (buffer);
  GtkTextIter start, end;

  if (lines <= RELEASE_STEP_LINES)
    {
      g_object_unref (self);
      return G_SOURCE_REMOVE;
    }
  gtk_text_buffer_get_iter_at_line (buffer, &start, lines - RELEASE_STEP_LINES);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  return G_SOURCE_CONTINUE;
}

/**
 * nod_diff_highlight_release:
 * @self: (transfer full): a highlight no one shows any more
 *
 * Lets @self go. A large text is freed a step per idle: freeing 10,000 highlighted lines
 * at once holds the main loop for tens of milliseconds, when the reviewer has just
 * moved on to the next file.
 */
void
nod_diff_highlight_release (NodDiffHighlight *self)
{
  if (self == NULL)
    return;
  if (gtk_text_buffer_get_line_count (GTK_TEXT_BUFFER (self->buffer)) <= RELEASE_STEP_LINES)
    {
      g_object_unref (self);
      return;
    }
  g_idle_add_full (G_PRIORITY_LOW, release_step, self, NULL);
}

NodDiffHighlight *
nod_diff_highlight_new (GBytes            *text,
                        GtkSourceLanguage *language)
{
  g_autoptr(NodDiffHighlight) self = NULL;
  const char *data;
  gsize length;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (language == NULL || GTK_SOURCE_IS_LANGUAGE (language), NULL);

  data = g_bytes_get_data (text, &length);
  if (length > NOD_DIFF_FILE_MAX_BYTES || memchr (data, '\0', length) != NULL)
    return NULL;

  self = g_object_new (NOD_TYPE_DIFF_HIGHLIGHT, NULL);
  self->line_count = count_lines (data, length);
  if (self->line_count > NOD_DIFF_FILE_MAX_LINES)
    return NULL;
  self->text = g_bytes_ref (text);
  self->buffer = gtk_source_buffer_new (NULL);
  gtk_source_buffer_set_language (self->buffer, language);
  gtk_source_buffer_set_highlight_syntax (self->buffer, language != NULL);

  return g_steal_pointer (&self);
}

guint
nod_diff_highlight_get_line_count (NodDiffHighlight *self)
{
  g_return_val_if_fail (NOD_IS_DIFF_HIGHLIGHT (self), 0);

  return self->line_count;
}

/* Appends up to @line_count more lines of the text, made fit for the buffer, and
 * highlights them. */
static void
nod_diff_highlight_step (NodDiffHighlight *self,
                         guint             line_count)
{
  GtkTextBuffer *buffer = GTK_TEXT_BUFFER (self->buffer);
  g_autoptr(GString) chunk = g_string_new (NULL);
  const char *data;
  gsize length;
  guint first_line = self->highlighted;
  GtkTextIter start, end;

  data = g_bytes_get_data (self->text, &length);
  for (guint i = 0; i < line_count && self->loaded < length; i++)
    {
      const char *newline = memchr (data + self->loaded, '\n', length - self->loaded);
      gsize line_end = newline != NULL ? (gsize) (newline - data) : length;
      g_autofree char *line = nod_diff_sanitize_line (data + self->loaded,
                                                      line_end - self->loaded);

      /* the buffer's lines are the text's: each one ends with its newline */
      g_string_append (chunk, line);
      g_string_append_c (chunk, '\n');
      self->loaded = newline != NULL ? line_end + 1 : length;
      self->highlighted++;
    }

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, chunk->str, (int) chunk->len);
  gtk_text_buffer_get_iter_at_line (buffer, &start, (int) first_line);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_source_buffer_ensure_highlight (self->buffer, &start, &end);
}

gboolean
nod_diff_highlight_ensure (NodDiffHighlight *self,
                           guint             line_number,
                           gboolean          bounded)
{
  guint target;

  g_return_val_if_fail (NOD_IS_DIFF_HIGHLIGHT (self), TRUE);

  target = MIN (line_number, self->line_count);
  while (self->highlighted < target)
    {
      /* a step at a time, ahead of what is asked: each call costs the engine time in
       * proportion to the whole buffer, so asking line by line went quadratic */
      nod_diff_highlight_step (self, bounded ? HIGHLIGHT_STEP
                                             : MAX (HIGHLIGHT_STEP, target - self->highlighted));
      if (bounded)
        break;
    }

  return self->highlighted >= target;
}

gboolean
nod_diff_highlight_covers (NodDiffHighlight *self,
                           guint             line_number)
{
  g_return_val_if_fail (NOD_IS_DIFF_HIGHLIGHT (self), TRUE);

  return self->highlighted >= MIN (line_number, self->line_count);
}

void
nod_diff_highlight_set_style_scheme (NodDiffHighlight     *self,
                                     GtkSourceStyleScheme *scheme)
{
  g_return_if_fail (NOD_IS_DIFF_HIGHLIGHT (self));

  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

char *
nod_diff_highlight_dup_line (NodDiffHighlight *self,
                             guint             line_number)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (NOD_IS_DIFF_HIGHLIGHT (self), NULL);

  buffer = GTK_TEXT_BUFFER (self->buffer);
  if (line_number == 0 || line_number > self->line_count)
    return NULL;
  nod_diff_highlight_ensure (self, line_number, FALSE);

  gtk_text_buffer_get_iter_at_line (buffer, &start, (int) line_number - 1);
  end = start;
  if (!gtk_text_iter_ends_line (&end))
    gtk_text_iter_forward_to_line_end (&end);

  return gtk_text_iter_get_text (&start, &end);
}

static void
copy_tag_look (GtkTextTag *from,
               GtkTextTag *to)
{
  static const struct
  {
    const char *property;
    const char *set_property;
  } looks[] = {
    { "foreground-rgba", "foreground-set" },
    { "background-rgba", "background-set" },
    { "weight", "weight-set" },
    { "style", "style-set" },
    { "underline", "underline-set" },
    { "strikethrough", "strikethrough-set" },
    { "scale", "scale-set" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (looks); i++)
    {
      GValue value = G_VALUE_INIT;
      gboolean set = FALSE;

      g_object_get (from, looks[i].set_property, &set, NULL);
      if (!set)
        {
          g_object_set (to, looks[i].set_property, FALSE, NULL);
          continue;
        }
      g_value_init (&value, g_object_class_find_property (G_OBJECT_GET_CLASS (from),
                                                          looks[i].property)->value_type);
      g_object_get_property (G_OBJECT (from), looks[i].property, &value);
      g_object_set_property (G_OBJECT (to), looks[i].property, &value);
      g_value_unset (&value);
    }
}

static GtkTextTag *
tag_copy (GtkTextBuffer *buffer,
          GHashTable    *tag_copies,
          GtkTextTag    *source_tag)
{
  GtkTextTag *copy = g_hash_table_lookup (tag_copies, source_tag);
  g_autofree char *name = NULL;

  if (copy != NULL)
    return copy;

  g_object_get (source_tag, "name", &name, NULL);
  if (name != NULL && g_str_has_prefix (name, CONTEXT_CLASS_PREFIX))
    {
      g_autofree char *class_name = g_strconcat ("syntax:",
                                                 name + strlen (CONTEXT_CLASS_PREFIX), NULL);
      GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);

      copy = gtk_text_tag_table_lookup (table, class_name);
      if (copy == NULL)
        copy = gtk_text_buffer_create_tag (buffer, class_name, NULL);
    }
  else
    {
      copy = gtk_text_buffer_create_tag (buffer, NULL, NULL);
      copy_tag_look (source_tag, copy);
    }

  g_hash_table_insert (tag_copies, g_object_ref (source_tag), g_object_ref (copy));
  return copy;
}

void
nod_diff_highlight_copy_line (NodDiffHighlight  *self,
                              guint              line_number,
                              GtkTextBuffer     *buffer,
                              GHashTable        *tag_copies,
                              const GtkTextIter *row_start,
                              int                row_chars)
{
  GtkTextBuffer *source;
  GtkTextIter iter, line_end;
  int row_line;

  g_return_if_fail (NOD_IS_DIFF_HIGHLIGHT (self));
  g_return_if_fail (GTK_IS_TEXT_BUFFER (buffer));

  source = GTK_TEXT_BUFFER (self->buffer);
  if (line_number == 0 || line_number > self->line_count)
    return;

  nod_diff_highlight_ensure (self, line_number, FALSE);
  row_line = gtk_text_iter_get_line (row_start);
  gtk_text_buffer_get_iter_at_line (source, &iter, (int) line_number - 1);
  line_end = iter;
  if (!gtk_text_iter_ends_line (&line_end))
    gtk_text_iter_forward_to_line_end (&line_end);

  /* from one tag toggle to the next, each stretch with the tags it has */
  while (gtk_text_iter_compare (&iter, &line_end) < 0)
    {
      g_autoptr(GSList) tags = gtk_text_iter_get_tags (&iter);
      GtkTextIter next = iter;
      int from, to;

      if (!gtk_text_iter_forward_to_tag_toggle (&next, NULL) ||
          gtk_text_iter_compare (&next, &line_end) > 0)
        next = line_end;
      from = gtk_text_iter_get_line_offset (&iter);
      to = gtk_text_iter_get_line_offset (&next);

      /* the diff's line and the file's may differ (a stale blob): stay on the row */
      from = MIN (from, row_chars);
      to = MIN (to, row_chars);
      for (GSList *l = tags; l != NULL && from < to; l = l->next)
        {
          GtkTextIter tag_start, tag_end;

          gtk_text_buffer_get_iter_at_line_offset (buffer, &tag_start, row_line, from);
          gtk_text_buffer_get_iter_at_line_offset (buffer, &tag_end, row_line, to);
          gtk_text_buffer_apply_tag (buffer, tag_copy (buffer, tag_copies, l->data),
                                     &tag_start, &tag_end);
        }
      if (gtk_text_iter_equal (&next, &iter))
        break;
      iter = next;
    }
}

GHashTable *
nod_diff_highlight_new_tag_copies (void)
{
  return g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
}

void
nod_diff_highlight_refresh_copies (GHashTable *tag_copies)
{
  GHashTableIter iter;
  gpointer source_tag, copy;

  g_return_if_fail (tag_copies != NULL);

  g_hash_table_iter_init (&iter, tag_copies);
  while (g_hash_table_iter_next (&iter, &source_tag, &copy))
    {
      g_autofree char *name = NULL;

      g_object_get (source_tag, "name", &name, NULL);
      if (name == NULL || !g_str_has_prefix (name, CONTEXT_CLASS_PREFIX))
        copy_tag_look (source_tag, copy);
    }
}
