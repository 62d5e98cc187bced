/* nod-markdown-view.c: a read-only view of GitLab-flavoured Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-markdown-view"

#include "config.h"

#include "nod-diff-view.h"
#include "nod-markdown-view.h"

/* The view is a GtkTextView rather than a widget holding one: a text view is what this is
 * (selection, copying, keyboard scrolling, the text-box accessible role, GtkScrollable so it
 * goes straight into a GtkScrolledWindow), and a subclass gets all of that without a line of
 * forwarding. Only the buffer's content is ours: nod-markdown-renderer.c makes it, in a
 * worker thread, and the view maps its styles to tags. */

G_STATIC_ASSERT (NOD_MARKDOWN_VIEW_MAX_INPUT_BYTES == NOD_MARKDOWN_MAX_INPUT_BYTES);
G_STATIC_ASSERT (NOD_MARKDOWN_VIEW_MAX_RENDERED_BYTES == NOD_MARKDOWN_MAX_RENDERED_BYTES);

#define BASE_MARGIN      12
#define INDENT_STEP      24

/* How long the view waits for the formatted text before it shows the source as it is
 * written; the formatted text replaces it when it comes. */
#define SOURCE_DELAY_MS  1000

/* A tooltip shows no more of an address than this. */
#define TOOLTIP_MAX_CHARS 200

static const double heading_scales[] = { 1.8, 1.5, 1.3, 1.15, 1.0, 0.9 };

struct _NodMarkdownView
{
  GtkTextView           parent_instance;

  char                 *markdown;
  guint                 generation;         /* changes with markdown or the file */

  /* What a suggestion replaces lines of: the new side of the note's file, and its line. */
  GBytes               *file_text;
  gint64                new_line;

  /* What the buffer shows: the formatted text of generation shown_generation (0 when
   * none), or meanwhile the source. */
  NodMarkdownRendering *shown;
  guint                 shown_generation;
  gboolean              rendering;
  guint                 source_timeout_id;

  /* At most one render per view is in flight: a view set again and again waits for the
   * one running, then renders only its latest text. */
  GCancellable         *render_cancellable;
  guint                 render_generation;

  /* The height last asked for, and the frame that asks again when the lines laid out at
   * the width given need another. */
  int                   asked_height;
  guint                 resize_tick_id;

  gboolean              pointer_on_link;
  GdkRGBA               link_color;
  GdkRGBA               dimmed_color;
  GdkRGBA               added_color;
  GdkRGBA               removed_color;
  int                   mark_width;         /* of "− " in monospace, in pixels */
};

G_DEFINE_FINAL_TYPE (NodMarkdownView, nod_markdown_view, GTK_TYPE_TEXT_VIEW)

enum {
  PROP_0,
  PROP_MARKDOWN,
  PROP_RENDERING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
nod_markdown_view_uri_is_allowed (const char *uri)
{
  return nod_markdown_uri_is_allowed (uri);
}

/* Tags */

static GtkTextTag *
ensure_tag (GtkTextBuffer    *buffer,
            NodMarkdownStyle  style)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  const char *name = nod_markdown_style_get_name (style);
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);
  GdkRGBA subtle = { 0.5, 0.5, 0.5, 0.15 };
  GdkRGBA dimmed = { 0.5, 0.5, 0.5, 1.0 };
  GdkRGBA accent = { 0.11, 0.44, 0.85, 1.0 };

  if (tag != NULL)
    return tag;

  switch (style)
    {
    case NOD_MARKDOWN_STYLE_HEADING_1:
    case NOD_MARKDOWN_STYLE_HEADING_2:
    case NOD_MARKDOWN_STYLE_HEADING_3:
    case NOD_MARKDOWN_STYLE_HEADING_4:
    case NOD_MARKDOWN_STYLE_HEADING_5:
    case NOD_MARKDOWN_STYLE_HEADING_6:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "weight", PANGO_WEIGHT_BOLD,
                                         "scale",
                                         heading_scales[style - NOD_MARKDOWN_STYLE_HEADING_1],
                                         NULL);

    case NOD_MARKDOWN_STYLE_STRONG:
      return gtk_text_buffer_create_tag (buffer, name, "weight", PANGO_WEIGHT_BOLD, NULL);

    case NOD_MARKDOWN_STYLE_EMPHASIS:
      return gtk_text_buffer_create_tag (buffer, name, "style", PANGO_STYLE_ITALIC, NULL);

    case NOD_MARKDOWN_STYLE_STRIKETHROUGH:
      return gtk_text_buffer_create_tag (buffer, name, "strikethrough", TRUE, NULL);

    case NOD_MARKDOWN_STYLE_CODE:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "family", "monospace",
                                         "background-rgba", &subtle,
                                         NULL);

    case NOD_MARKDOWN_STYLE_CODE_BLOCK:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "family", "monospace",
                                         "paragraph-background-rgba", &subtle,
                                         NULL);

    case NOD_MARKDOWN_STYLE_QUOTE:
    case NOD_MARKDOWN_STYLE_RULE:
      return gtk_text_buffer_create_tag (buffer, name, "foreground-rgba", &dimmed, NULL);

    case NOD_MARKDOWN_STYLE_LINK:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "foreground-rgba", &accent,
                                         "underline", PANGO_UNDERLINE_SINGLE,
                                         NULL);

    case NOD_MARKDOWN_STYLE_TABLE:
      return gtk_text_buffer_create_tag (buffer, name, "family", "monospace", NULL);

    case NOD_MARKDOWN_STYLE_KEY:
      {
        /* A keycap: a shade darker than inline code, a little smaller. */
        GdkRGBA key = { 0.5, 0.5, 0.5, 0.25 };

        return gtk_text_buffer_create_tag (buffer, name,
                                           "family", "monospace",
                                           "scale", 0.9,
                                           "background-rgba", &key,
                                           NULL);
      }

    case NOD_MARKDOWN_STYLE_SUGGESTION_CAPTION:
      return gtk_text_buffer_create_tag (buffer, name,
                                         "weight", PANGO_WEIGHT_BOLD,
                                         "scale", PANGO_SCALE_SMALL,
                                         "foreground-rgba", &dimmed,
                                         "pixels-below-lines", 4,
                                         NULL);

    case NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED:
    case NOD_MARKDOWN_STYLE_SUGGESTION_ADDED:
      {
        /* The diff view's colours, set again when the style changes (css_changed). */
        GdkRGBA added, removed;

        nod_diff_view_get_line_colors (&added, &removed);
        /* Code wraps anywhere, under itself rather than under its "+"/"−" (the hanging
         * indent is the mark's width, measured in css_changed). */
        return gtk_text_buffer_create_tag (buffer, name,
                                           "family", "monospace",
                                           "wrap-mode", GTK_WRAP_CHAR,
                                           "insert-hyphens", FALSE,
                                           "paragraph-background-rgba",
                                           style == NOD_MARKDOWN_STYLE_SUGGESTION_ADDED
                                           ? &added : &removed,
                                           NULL);
      }

    case NOD_MARKDOWN_STYLE_INDENT_1:
    case NOD_MARKDOWN_STYLE_INDENT_2:
    case NOD_MARKDOWN_STYLE_INDENT_3:
    case NOD_MARKDOWN_STYLE_INDENT_4:
    case NOD_MARKDOWN_STYLE_INDENT_5:
    case NOD_MARKDOWN_STYLE_INDENT_6:
    case NOD_MARKDOWN_STYLE_INDENT_7:
    case NOD_MARKDOWN_STYLE_INDENT_8:
      /* A tag's margin replaces the view's rather than adding to it. */
      return gtk_text_buffer_create_tag (buffer, name,
                                         "left-margin",
                                         BASE_MARGIN +
                                         (style - NOD_MARKDOWN_STYLE_INDENT_1 + 1) * INDENT_STEP,
                                         NULL);

    case NOD_MARKDOWN_N_STYLES:
    default:
      g_assert_not_reached ();
    }
}

static void
ensure_tags (GtkTextBuffer *buffer,
             GtkTextTag    *tags[NOD_MARKDOWN_N_STYLES])
{
  for (guint style = 0; style < NOD_MARKDOWN_N_STYLES; style++)
    tags[style] = ensure_tag (buffer, style);
}

/* Rendering */

static void
nod_markdown_view_show (NodMarkdownView      *self,
                        NodMarkdownRendering *rendering)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self));
  GtkTextTag *tags[NOD_MARKDOWN_N_STYLES];
  const NodMarkdownStyleSpan *spans;
  const char *text;
  gsize length;
  guint span_count;

  ensure_tags (buffer, tags);

  /* The links are looked up in what the buffer shows. */
  g_clear_pointer (&self->shown, nod_markdown_rendering_unref);
  self->shown = nod_markdown_rendering_ref (rendering);

  text = nod_markdown_rendering_get_text (rendering, &length);
  gtk_text_buffer_set_text (buffer, text, (int) length);

  spans = nod_markdown_rendering_get_style_spans (rendering, &span_count);
  for (guint i = 0; i < span_count; i++)
    {
      GtkTextIter start, end;

      gtk_text_buffer_get_iter_at_offset (buffer, &start, spans[i].start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, spans[i].end);
      gtk_text_buffer_apply_tag (buffer, tags[spans[i].style], &start, &end);
    }
}

static void
nod_markdown_view_set_rendering (NodMarkdownView *self,
                                 gboolean         rendering)
{
  if (self->rendering == rendering)
    return;

  self->rendering = rendering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RENDERING]);
}

static gboolean
show_source_meanwhile (gpointer user_data)
{
  NodMarkdownView *self = user_data;
  g_autoptr(NodMarkdownRendering) source = NULL;

  self->source_timeout_id = 0;
  if (self->shown_generation == self->generation)
    return G_SOURCE_REMOVE;

  g_debug ("Markdown of %" G_GSIZE_FORMAT " bytes takes long to format; "
           "showing it as it is written meanwhile", strlen (self->markdown));
  source = nod_markdown_render_source (self->markdown);
  nod_markdown_view_show (self, source);

  return G_SOURCE_REMOVE;
}

static void on_render_finished (GObject      *source_object,
                                GAsyncResult *result,
                                gpointer      user_data);

/* Brings the buffer to the current markdown: now when there is nothing to format, else
 * through a render in a worker. */
static void
nod_markdown_view_update (NodMarkdownView *self)
{
  GWeakRef *weak_self;

  if (self->shown_generation == self->generation)
    {
      g_clear_handle_id (&self->source_timeout_id, g_source_remove);
      nod_markdown_view_set_rendering (self, FALSE);
      return;
    }

  if (self->markdown == NULL || *self->markdown == '\0')
    {
      g_autoptr(NodMarkdownRendering) empty = nod_markdown_render_source (NULL);

      if (self->render_cancellable != NULL)
        g_cancellable_cancel (self->render_cancellable);
      nod_markdown_view_show (self, empty);
      self->shown_generation = self->generation;
      nod_markdown_view_update (self);
      return;
    }

  nod_markdown_view_set_rendering (self, TRUE);
  if (self->source_timeout_id == 0)
    self->source_timeout_id = g_timeout_add (SOURCE_DELAY_MS, show_source_meanwhile, self);

  if (self->render_cancellable != NULL)
    {
      /* Skipped if it has not started; if it has, it ends on its own and this starts the
       * next render then. */
      if (self->render_generation != self->generation)
        g_cancellable_cancel (self->render_cancellable);
      return;
    }

  /* The render does not keep the view: a view gone by then just drops the result. */
  weak_self = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak_self, self);
  self->render_cancellable = g_cancellable_new ();
  self->render_generation = self->generation;
  nod_markdown_render_with_file_async (self->markdown, self->file_text, self->new_line,
                                       self->render_cancellable, on_render_finished,
                                       weak_self);
}

static void
on_render_finished (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GWeakRef *weak_self = user_data;
  g_autoptr(NodMarkdownView) self = g_weak_ref_get (weak_self);
  g_autoptr(NodMarkdownRendering) rendering = nod_markdown_render_finish (result, NULL);

  g_weak_ref_clear (weak_self);
  g_free (weak_self);
  if (self == NULL)
    return;

  g_clear_object (&self->render_cancellable);
  if (rendering != NULL && self->render_generation == self->generation)
    {
      nod_markdown_view_show (self, rendering);
      self->shown_generation = self->generation;
    }
  nod_markdown_view_update (self);
}

/* Size */

/* A text view asks for the height of the lines it has laid out so far. The lines of a new
 * text are often laid out only while the view is allocated (a view added to a window on
 * screen, a render landing between the measure and the allocation), and the resize it then
 * asks for from inside size_allocate is ignored by GTK: the note was left with no room,
 * blank, until something else laid the window out again. So the view asks again itself,
 * on the next frame. */
static void
nod_markdown_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (widget);

  GTK_WIDGET_CLASS (nod_markdown_view_parent_class)->measure (widget, orientation, for_size,
                                                              minimum, natural,
                                                              minimum_baseline,
                                                              natural_baseline);
  if (orientation == GTK_ORIENTATION_VERTICAL)
    self->asked_height = *natural;
}

static gboolean
resize_on_next_frame (GtkWidget     *widget,
                      GdkFrameClock *frame_clock,
                      gpointer       user_data)
{
  NOD_MARKDOWN_VIEW (widget)->resize_tick_id = 0;
  gtk_widget_queue_resize (widget);

  return G_SOURCE_REMOVE;
}

static void
nod_markdown_view_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (widget);
  int minimum, natural;

  GTK_WIDGET_CLASS (nod_markdown_view_parent_class)->size_allocate (widget, width, height,
                                                                    baseline);

  /* Asked again only when what it needs changed since it last asked, not whenever it was
   * given less (as in a scroller): no loop. */
  GTK_WIDGET_CLASS (nod_markdown_view_parent_class)->measure (widget, GTK_ORIENTATION_VERTICAL,
                                                              width, &minimum, &natural,
                                                              NULL, NULL);
  if (natural != self->asked_height && self->resize_tick_id == 0)
    self->resize_tick_id = gtk_widget_add_tick_callback (widget, resize_on_next_frame, NULL,
                                                         NULL);
}

/* Links, the pointer, tooltips and colours */

static const char *
nod_markdown_view_find_link (NodMarkdownView *self,
                             int              char_offset)
{
  return self->shown != NULL ? nod_markdown_rendering_get_link_at (self->shown, char_offset)
                             : NULL;
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
      g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_LINK),
                    "foreground-rgba", &link_color, NULL);
    }
  if (!gdk_rgba_equal (&dimmed_color, &self->dimmed_color))
    {
      self->dimmed_color = dimmed_color;
      g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_QUOTE),
                    "foreground-rgba", &dimmed_color, NULL);
      g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_RULE),
                    "foreground-rgba", &dimmed_color, NULL);
      g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_SUGGESTION_CAPTION),
                    "foreground-rgba", &dimmed_color, NULL);
    }

  /* A suggestion's lines look like the diff's, light or dark. */
  {
    GdkRGBA added_color, removed_color;
    PangoLayout *layout = gtk_widget_create_pango_layout (widget, "− ");
    PangoFontDescription *monospace = pango_font_description_from_string ("monospace");
    int mark_width;

    pango_layout_set_font_description (layout, monospace);
    pango_layout_get_pixel_size (layout, &mark_width, NULL);
    pango_font_description_free (monospace);
    g_object_unref (layout);
    if (mark_width != self->mark_width)
      {
        self->mark_width = mark_width;
        for (NodMarkdownStyle style = NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED;
             style <= NOD_MARKDOWN_STYLE_SUGGESTION_ADDED; style++)
          g_object_set (ensure_tag (buffer, style), "indent", -mark_width, NULL);
      }

    nod_diff_view_get_line_colors (&added_color, &removed_color);
    if (!gdk_rgba_equal (&added_color, &self->added_color) ||
        !gdk_rgba_equal (&removed_color, &self->removed_color))
      {
        self->added_color = added_color;
        self->removed_color = removed_color;
        g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_SUGGESTION_ADDED),
                      "paragraph-background-rgba", &added_color, NULL);
        g_object_set (ensure_tag (buffer, NOD_MARKDOWN_STYLE_SUGGESTION_REMOVED),
                      "paragraph-background-rgba", &removed_color, NULL);
      }
  }
}

static void
nod_markdown_view_dispose (GObject *object)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (object);

  g_clear_handle_id (&self->source_timeout_id, g_source_remove);
  if (self->resize_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->resize_tick_id);
  self->resize_tick_id = 0;
  if (self->render_cancellable != NULL)
    g_cancellable_cancel (self->render_cancellable);
  g_clear_object (&self->render_cancellable);

  G_OBJECT_CLASS (nod_markdown_view_parent_class)->dispose (object);
}

static void
nod_markdown_view_finalize (GObject *object)
{
  NodMarkdownView *self = NOD_MARKDOWN_VIEW (object);

  g_clear_pointer (&self->markdown, g_free);
  g_clear_pointer (&self->file_text, g_bytes_unref);
  g_clear_pointer (&self->shown, nod_markdown_rendering_unref);

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

    case PROP_RENDERING:
      g_value_set_boolean (value, self->rendering);
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

  object_class->dispose = nod_markdown_view_dispose;
  object_class->finalize = nod_markdown_view_finalize;
  object_class->get_property = nod_markdown_view_get_property;
  object_class->set_property = nod_markdown_view_set_property;

  widget_class->query_tooltip = nod_markdown_view_query_tooltip;
  widget_class->css_changed = nod_markdown_view_css_changed;
  widget_class->measure = nod_markdown_view_measure;
  widget_class->size_allocate = nod_markdown_view_size_allocate;

  /**
   * NodMarkdownView:markdown:
   *
   * The GitLab-flavoured Markdown shown, as given; %NULL shows nothing.
   */
  properties[PROP_MARKDOWN] =
    g_param_spec_string ("markdown", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * NodMarkdownView:rendering:
   *
   * Whether the formatted text of #NodMarkdownView:markdown is still being made. The view
   * shows what it showed before until then (after a second, the Markdown as written); when
   * this turns %FALSE the buffer holds the formatted text.
   */
  properties[PROP_RENDERING] =
    g_param_spec_boolean ("rendering", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_markdown_view_init (NodMarkdownView *self)
{
  GtkTextView *text_view = GTK_TEXT_VIEW (self);
  GtkEventController *motion;
  GtkGesture *click;
  GtkTextTag *tags[NOD_MARKDOWN_N_STYLES];

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
  self->generation++;
  /* The source shows a second after the latest change, not the first. */
  g_clear_handle_id (&self->source_timeout_id, g_source_remove);
  nod_markdown_view_update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MARKDOWN]);
}

void
nod_markdown_view_set_suggestion_file (NodMarkdownView *self,
                                       GBytes          *file_text,
                                       gint64           new_line)
{
  g_return_if_fail (NOD_IS_MARKDOWN_VIEW (self));

  if (new_line <= 0)
    file_text = NULL;
  if (file_text == NULL)
    new_line = 0;
  if (self->new_line == new_line &&
      (self->file_text == file_text ||
       (self->file_text != NULL && file_text != NULL &&
        g_bytes_equal (self->file_text, file_text))))
    return;

  g_clear_pointer (&self->file_text, g_bytes_unref);
  self->file_text = file_text != NULL ? g_bytes_ref (file_text) : NULL;
  self->new_line = new_line;
  self->generation++;
  nod_markdown_view_update (self);
}

gboolean
nod_markdown_view_get_rendering (NodMarkdownView *self)
{
  g_return_val_if_fail (NOD_IS_MARKDOWN_VIEW (self), FALSE);

  return self->rendering;
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
