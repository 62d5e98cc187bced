/* nod-thread-view.c: one discussion on a merge request's page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The notes GitLab has, then the reviewer's own not yet there (a comment that starts the
 * thread, replies), each marked pending, or failed with its reason and Retry/Dismiss.
 * The reply box survives updates: a pull never eats what the reviewer is typing.
 * The reviewer's own notes GitLab has take Edit and Delete; a change of theirs not sent yet
 * shows in place (the new text, or "Deleting"), pending like the rest.
 * A resolved thread folds to one line ("Resolved by Sam", who opened it and how) that opens
 * on a click or Enter: what is settled takes no room from what is not.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "nod-avatar-cache.h"
#include "nod-markdown-view.h"
#include "nod-thread-view.h"
#include "nod-time.h"

struct _NodThreadView
{
  GtkWidget  parent_instance;

  char      *discussion_id;
  GtkWidget *box;
  GtkWidget *expander;      /* the folded header of a resolved thread */
  GtkWidget *resolved_title;  /* "Resolved by …" */
  GtkWidget *summary;
  GtkWidget *content;       /* the notes and the footer, hidden while folded */
  GtkWidget *notes_box;
  GtkWidget *footer;
  GtkWidget *reply_entry;
  GtkWidget *resolve_button;
  gboolean   resolved;
  gboolean   resolvable;
  gboolean   folds;         /* resolved and resolvable: shown folded until opened */
  char      *shown;         /* what the notes box shows, to rebuild it only on change */
  char      *own_username;  /* whose notes take Edit and Delete */

  /* The new side of the thread's file, for its notes' suggestions; and each note's view
   * (the notes box owns them) with the line its note is on, 0 when none. */
  GBytes    *suggestion_file;
  GPtrArray *note_views;
  GArray    *note_lines;
};

G_DEFINE_FINAL_TYPE (NodThreadView, nod_thread_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_REPLY,
  SIGNAL_RESOLVE,
  SIGNAL_RESOLVING_REPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The line a note is on, on the new side: its own position's, else its thread's. */
static gint64
new_line_of (const NodDiffPosition *position,
             const NodDiffPosition *thread_position)
{
  if (position == NULL)
    position = thread_position;
  return position != NULL && position->new_line > 0 ? position->new_line : 0;
}

/* A system note's text as plain lines: its Markdown bullets ("* 3f2a9c1d - Rename") as
 * "• " lines, blank lines gone. GitLab writes these itself; they are short. */
static char *
system_text (const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body != NULL ? body : "", "\n", 64);
  GString *text = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if ((line[0] == '*' || line[0] == '-') && line[1] == ' ')
        {
          g_string_append (text, "• ");
          line = g_strchug (line + 2);
        }
      g_string_append (text, line);
    }
  return g_string_free (text, FALSE);
}

/* An event ("added 2 commits", "approved this merge request"): one dim caption line with
 * who and when, then what happened, wrapped, never cut. */
static GtkWidget *
system_note_widget (const char *author,
                    const char *when,
                    const char *body)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  g_autofree char *caption_text = NULL;
  g_autofree char *what = system_text (body);
  GtkWidget *caption;
  GtkWidget *text;

  /* Translators: a system note's caption: who, and how long ago ("Alice · 2 h ago") */
  caption_text = *when != '\0' ? g_strdup_printf (_("%s · %s"), author, when)
                               : g_strdup (author);
  caption = gtk_label_new (caption_text);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (caption), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (caption, "caption");
  text = gtk_label_new (what);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_widget_add_css_class (text, "dim-label");
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), text);
  gtk_widget_add_css_class (box, "nod-system-note");
  return box;
}

/* A name for a one-line header: a stranger's, so bounded before the label measures it. */
#define NAME_SHOWN_MAX_CHARS 60

static char *
bounded_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name != NULL ? name : "", -1);

  if (g_utf8_strlen (valid, -1) <= NAME_SHOWN_MAX_CHARS)
    return g_steal_pointer (&valid);
  {
    g_autofree char *head = g_utf8_substring (valid, 0, NAME_SHOWN_MAX_CHARS - 1);

    return g_strconcat (head, "…", NULL);
  }
}

static GtkWidget *
note_widget (NodThreadView *self,
             NodUser       *user,
             const char    *when,
             const char    *body,
             gboolean       system,
             gint64         new_line)
{
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *name;
  GtkWidget *age;
  GtkWidget *avatar;
  NodMarkdownView *markdown;
  /* The reviewer's own note not on GitLab yet is theirs: "You". */
  const char *author = user != NULL ? nod_user_get_display_name (user) : _("You");

  if (system)
    return system_note_widget (author, when, body);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  /* Initials until the image comes, in the background; the reviewer's own note not sent
   * yet has the generic one. */
  avatar = adw_avatar_new (24, user != NULL ? author : NULL, user != NULL);
  gtk_widget_set_valign (avatar, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (header), avatar);
  name = gtk_label_new (author);
  if (user != NULL)
    {
      g_autofree char *described = nod_user_describe (user);

      /* Plain text: a name is a stranger's. */
      gtk_widget_set_tooltip_text (name, described);
      nod_avatar_cache_show (nod_avatar_cache_get_default (), ADW_AVATAR (avatar),
                             nod_user_get_avatar_url (user), NULL);
    }
  age = gtk_label_new (when);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_widget_add_css_class (age, "dim-label");
  gtk_widget_add_css_class (age, "caption");
  gtk_box_append (GTK_BOX (header), name);
  gtk_box_append (GTK_BOX (header), age);
  gtk_box_append (GTK_BOX (box), header);

  /* The file first: the note is formatted once, with it. */
  markdown = nod_markdown_view_new ();
  nod_markdown_view_set_suggestion_file (markdown, self->suggestion_file, new_line);
  nod_markdown_view_set_markdown (markdown, body);
  g_ptr_array_add (self->note_views, markdown);
  g_array_append_val (self->note_lines, new_line);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (markdown));
  return box;
}

/* A small flat icon button for @action_name with @target: icons, since a thread beside a
 * diff line has little room for words. */
static GtkWidget *
icon_button (const char *icon_name,
             const char *label,
             const char *action_name,
             GVariant   *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

/* On the action @op_id (its Edit, its Cancel). */
static GtkWidget *
icon_action_button (const char      *icon_name,
                    const char      *label,
                    const char      *action_name,
                    NodOutboxAction *action)
{
  return icon_button (icon_name, label, action_name,
                      g_variant_new_string (nod_outbox_action_get_op_id (action)));
}

/* Edit or Delete on the reviewer's note @note_id GitLab has. */
static GtkWidget *
posted_note_button (const char *icon_name,
                    const char *label,
                    const char *action_name,
                    const char *discussion_id,
                    gint64      note_id)
{
  return icon_button (icon_name, label, action_name,
                      g_variant_new ("(sx)", discussion_id, note_id));
}

/* The reviewer's latest change not sent yet to the note @note_id, or NULL. */
static NodOutboxAction *
change_of_note (GPtrArray *actions,
                gint64     note_id)
{
  for (guint i = actions != NULL ? actions->len : 0; i > 0; i--)
    {
      NodOutboxAction *action = actions->pdata[i - 1];
      NodActionKind kind = nod_outbox_action_get_kind (action);

      if ((kind == NOD_ACTION_EDIT_NOTE || kind == NOD_ACTION_DELETE_NOTE) &&
          nod_outbox_action_get_note_id (action) == note_id)
        return action;
    }
  return NULL;
}

/* What a note of the reviewer's not yet on GitLab says about itself, with what to do. */
static GtkWidget *
action_state_widget (NodOutboxAction *action)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label;
  const char *op_id = nod_outbox_action_get_op_id (action);

  switch (nod_outbox_action_get_state (action))
    {
    case NOD_ACTION_FAILED:
      {
        g_autofree char *text = g_strdup_printf (_("Not sent: %s"),
                                                 nod_outbox_action_get_last_error (action));
        GtkWidget *retry = gtk_button_new_with_label (_("Retry"));
        GtkWidget *dismiss = gtk_button_new_with_label (_("Dismiss"));

        label = gtk_label_new (text);
        gtk_widget_add_css_class (label, "error");
        gtk_actionable_set_action_name (GTK_ACTIONABLE (retry), "app.retry-action");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (retry), "s", op_id);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (dismiss), "app.discard-action");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (dismiss), "s", op_id);
        gtk_widget_add_css_class (retry, "flat");
        gtk_widget_add_css_class (dismiss, "flat");
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_set_hexpand (label, TRUE);
        gtk_box_append (GTK_BOX (box), label);
        gtk_box_append (GTK_BOX (box), retry);
        gtk_box_append (GTK_BOX (box), dismiss);
        return box;
      }

    case NOD_ACTION_DRAFT:
      {
        GtkWidget *badge = gtk_label_new (_("Draft"));
        GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
        GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

        gtk_widget_add_css_class (badge, "nod-badge");
        gtk_widget_add_css_class (badge, "nod-draft-badge");
        gtk_widget_add_css_class (badge, "caption-heading");
        gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
        label = gtk_label_new (nod_outbox_action_get_resolves (action)
                               ? _("In your review; resolves the thread")
                               : _("In your review"));
        gtk_widget_add_css_class (label, "dim-label");
        gtk_widget_add_css_class (label, "caption");
        gtk_label_set_wrap (GTK_LABEL (label), TRUE);
        gtk_label_set_xalign (GTK_LABEL (label), 0);
        gtk_widget_set_hexpand (label, TRUE);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (edit), "win.edit-draft");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (edit), "s", op_id);
        gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "win.delete-draft");
        gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", op_id);
        /* Icons: a thread beside a diff line has little room for words. */
        gtk_widget_set_tooltip_text (edit, _("Edit Draft"));
        gtk_widget_set_tooltip_text (remove, _("Delete Draft"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (edit), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Edit Draft"), -1);
        gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Delete Draft"), -1);
        gtk_widget_add_css_class (edit, "flat");
        gtk_widget_add_css_class (remove, "flat");
        gtk_box_append (GTK_BOX (box), badge);
        gtk_box_append (GTK_BOX (box), label);
        gtk_box_append (GTK_BOX (box), edit);
        gtk_box_append (GTK_BOX (box), remove);
        return box;
      }

    case NOD_ACTION_IN_FLIGHT:
      label = gtk_label_new (_("Sending…"));
      break;

    default:
      label = gtk_label_new (nod_outbox_action_get_kind (action) == NOD_ACTION_DELETE_NOTE
                             ? _("Deleting — waiting to be sent")
                             : nod_outbox_action_get_kind (action) == NOD_ACTION_EDIT_NOTE
                             ? _("Edited — waiting to be sent")
                             : _("Pending — waiting to be sent"));
      break;
    }

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("mail-send-symbolic"));
  gtk_box_append (GTK_BOX (box), label);

  /* Not on its way yet: it can still be reworded or taken back (an earlier attempt that
   * may have reached GitLab can't; the engine says so). */
  if (nod_outbox_action_get_state (action) == NOD_ACTION_PENDING)
    {
      gboolean removal = nod_outbox_action_get_kind (action) == NOD_ACTION_DELETE_NOTE;

      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      if (!removal)
        gtk_box_append (GTK_BOX (box), icon_action_button ("document-edit-symbolic",
                                                           _("Edit Comment"),
                                                           "win.edit-action", action));
      if (removal || nod_outbox_action_get_kind (action) == NOD_ACTION_EDIT_NOTE)
        {
          /* Taking back a change to a posted note keeps the note as GitLab has it: a
           * word, since a bin would read as deleting it. */
          GtkWidget *undo = gtk_button_new_with_label (removal ? _("Keep") : _("Undo"));

          gtk_actionable_set_action_name (GTK_ACTIONABLE (undo), "win.cancel-action");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (undo), "s", op_id);
          gtk_widget_set_tooltip_text (undo, removal ? _("Keep the comment: it is not deleted")
                                                     : _("Keep the comment’s text as it is"));
          gtk_widget_add_css_class (undo, "flat");
          gtk_widget_set_valign (undo, GTK_ALIGN_CENTER);
          gtk_box_append (GTK_BOX (box), undo);
        }
      else
        gtk_box_append (GTK_BOX (box), icon_action_button ("user-trash-symbolic",
                                                           _("Cancel Comment"),
                                                           "win.cancel-action", action));
    }
  return box;
}

/* A thread newly resolved folds; one opened by the reviewer stays open while it stays
 * resolved (an update must not fold it under their eyes). */
static void
update_folded (NodThreadView *self)
{
  gboolean folds = self->resolved && self->resolvable;
  gboolean expanded;

  if (folds && !self->folds)
    gtk_expander_set_expanded (GTK_EXPANDER (self->expander), FALSE);
  self->folds = folds;
  expanded = gtk_expander_get_expanded (GTK_EXPANDER (self->expander));
  gtk_widget_set_visible (self->expander, folds);
  gtk_widget_set_visible (self->content, !folds || expanded);
  gtk_widget_set_margin_bottom (self->expander, folds && !expanded ? 12 : 0);
  /* Open, the notes say it all: the header is the fold's handle. */
  gtk_widget_set_visible (self->summary, !expanded);
}

/* Who opened the thread and its first line, for the folded header. */
static char *
summarize (NodDiscussion *discussion)
{
  GPtrArray *notes = nod_discussion_get_notes (discussion);
  NodNote *first;
  NodUser *author;
  const char *name;
  g_auto(GStrv) lines = NULL;
  g_autofree char *line = NULL;

  if (notes->len == 0)
    return g_strdup ("");
  first = notes->pdata[0];
  author = nod_note_get_author (first);
  name = nod_user_get_display_name (author);
  lines = g_strsplit (nod_note_get_body (first) ? nod_note_get_body (first) : "", "\n", 2);
  /* Bounded: the label ellipsizes, but need not measure a stranger's whole essay. */
  line = g_utf8_make_valid (lines[0] ? lines[0] : "", -1);
  if (g_utf8_strlen (line, -1) > 200)
    {
      g_autofree char *whole = g_steal_pointer (&line);

      line = g_utf8_substring (whole, 0, 200);
    }
  /* Translators: a resolved thread's header: who opened it, and its first line */
  return g_strdup_printf (_("%s: %s"), name ? name : "", g_strstrip (line));
}

/* The folded header's title: "Resolved by Sam Okafor", "Resolved by you" while the
 * reviewer's resolve is not on GitLab yet, "Resolved" when GitLab did not say by whom. */
static char *
resolved_title (NodDiscussion *discussion)
{
  NodUser *resolver;
  g_autofree char *name = NULL;

  if (discussion == NULL)
    return g_strdup (_("Resolved"));
  if (nod_discussion_get_resolve_pending (discussion))
    return g_strdup (_("Resolved by you"));
  resolver = nod_discussion_get_resolved_by (discussion);
  if (resolver == NULL || *nod_user_get_display_name (resolver) == '\0')
    return g_strdup (_("Resolved"));
  name = bounded_name (nod_user_get_display_name (resolver));
  /* Translators: a resolved thread's folded header: who resolved it */
  return g_strdup_printf (_("Resolved by %s"), name);
}

static void
update_resolved_title (NodThreadView *self,
                       NodDiscussion *discussion)
{
  g_autofree char *title = resolved_title (discussion);
  NodUser *resolver = discussion != NULL && !nod_discussion_get_resolve_pending (discussion)
                        ? nod_discussion_get_resolved_by (discussion) : NULL;
  g_autofree char *described = resolver != NULL ? nod_user_describe (resolver) : NULL;

  gtk_label_set_text (GTK_LABEL (self->resolved_title), title);
  gtk_widget_set_tooltip_text (self->resolved_title, described);
}

/* Enter (or Space) on a folded thread opens it, as a click on its header does. */
static gboolean
on_thread_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               NodThreadView         *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!self->folds || root == NULL || gtk_root_get_focus (root) != GTK_WIDGET (self))
    return FALSE;
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_space)
    return FALSE;
  gtk_expander_set_expanded (GTK_EXPANDER (self->expander),
                             !gtk_expander_get_expanded (GTK_EXPANDER (self->expander)));
  return TRUE;
}

/* The notes and the reviewer's actions, as a string that changes when they do. */
static char *
describe (NodDiscussion *discussion,
          GPtrArray     *actions,
          const char    *own_username)
{
  GString *text = g_string_new (own_username);

  if (discussion != NULL)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussion);

      for (guint i = 0; i < notes->len; i++)
        {
          GDateTime *updated = nod_note_get_updated_at (notes->pdata[i]);

          g_string_append_printf (text, "n%" G_GINT64_FORMAT "@%" G_GINT64_FORMAT ";",
                                  nod_note_get_id (notes->pdata[i]),
                                  updated != NULL ? g_date_time_to_unix (updated) : 0);
        }
    }
  /* A draft edited is the same action in the same state: its text tells. */
  for (guint i = 0; actions != NULL && i < actions->len; i++)
    g_string_append_printf (text, "a%s:%d:%u;", nod_outbox_action_get_op_id (actions->pdata[i]),
                            nod_outbox_action_get_state (actions->pdata[i]),
                            g_str_hash (nod_outbox_action_get_body (actions->pdata[i]) != NULL
                                        ? nod_outbox_action_get_body (actions->pdata[i]) : ""));
  return g_string_free (text, FALSE);
}

static void
on_reply_activated (NodThreadView *self)
{
  g_autofree char *body = g_strstrip (g_strdup (gtk_editable_get_text (
                                        GTK_EDITABLE (self->reply_entry))));

  if (*body == '\0')
    return;
  g_signal_emit (self, signals[SIGNAL_REPLY], 0, body);
  gtk_editable_set_text (GTK_EDITABLE (self->reply_entry), "");
  /* Focus stays in the thread, where its keys (resolve, the next thread) work. */
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static gboolean
on_reply_key (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              NodThreadView         *self)
{
  /* Ctrl+Enter sends, as in the comment box; Enter alone does too. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_CONTROL_MASK))
    {
      on_reply_activated (self);
      return TRUE;
    }
  return FALSE;
}

/* With a reply typed, an open thread is answered and resolved at once. */
static gboolean
replies_and_resolves (NodThreadView *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
                                        GTK_EDITABLE (self->reply_entry))));

  return !self->resolved && gtk_widget_get_visible (self->reply_entry) && *text != '\0';
}

static void
update_resolve_label (NodThreadView *self)
{
  const char *label;

  if (replies_and_resolves (self))
    label = _("Reply and Resolve");
  else
    label = self->resolved ? _("Reopen Thread") : _("Resolve Thread");
  gtk_button_set_label (GTK_BUTTON (self->resolve_button), label);
}

static void
on_resolve_clicked (NodThreadView *self)
{
  if (replies_and_resolves (self))
    {
      g_autofree char *body = g_strstrip (g_strdup (gtk_editable_get_text (
                                            GTK_EDITABLE (self->reply_entry))));

      g_signal_emit (self, signals[SIGNAL_RESOLVING_REPLY], 0, body);
      gtk_editable_set_text (GTK_EDITABLE (self->reply_entry), "");
      return;
    }
  g_signal_emit (self, signals[SIGNAL_RESOLVE], 0, !self->resolved);
}

/* The thread is one stop: Tab moves between its reply box and its button, and from the
 * thread itself (or a note) on out of it. Its parent moves between threads with keys. */
static gboolean
nod_thread_view_focus (GtkWidget        *widget,
                       GtkDirectionType  direction)
{
  NodThreadView *self = NOD_THREAD_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && gtk_widget_is_ancestor (focus, self->footer))
    return gtk_widget_child_focus (self->footer, direction);
  if (focus == widget || (focus != NULL && gtk_widget_is_ancestor (focus, widget)))
    return FALSE;
  gtk_widget_grab_focus (widget);
  return TRUE;
}

static void
nod_thread_view_dispose (GObject *object)
{
  NodThreadView *self = NOD_THREAD_VIEW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (nod_thread_view_parent_class)->dispose (object);
}

static void
nod_thread_view_finalize (GObject *object)
{
  NodThreadView *self = NOD_THREAD_VIEW (object);

  g_free (self->discussion_id);
  g_free (self->shown);
  g_free (self->own_username);
  g_clear_pointer (&self->suggestion_file, g_bytes_unref);
  g_clear_pointer (&self->note_views, g_ptr_array_unref);
  g_clear_pointer (&self->note_lines, g_array_unref);

  G_OBJECT_CLASS (nod_thread_view_parent_class)->finalize (object);
}

static void
nod_thread_view_class_init (NodThreadViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_thread_view_dispose;
  object_class->finalize = nod_thread_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "nodthread");
  widget_class->focus = nod_thread_view_focus;

  /**
   * NodThreadView::reply:
   * @body: what the reviewer wrote
   */
  signals[SIGNAL_REPLY] =
    g_signal_new ("reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * NodThreadView::resolve:
   * @resolved: resolve (TRUE) or reopen (FALSE)
   */
  /**
   * NodThreadView::resolving-reply:
   * @body: what the reviewer wrote, answering the thread and resolving it
   */
  signals[SIGNAL_RESOLVING_REPLY] =
    g_signal_new ("resolving-reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_RESOLVE] =
    g_signal_new ("resolve", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
nod_thread_view_init (NodThreadView *self)
{
  GtkWidget *footer;
  GtkWidget *header;
  GtkEventController *keys;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  self->note_views = g_ptr_array_new ();
  self->note_lines = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (self->box, "card");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  /* The header folds the notes by hiding them, not by holding them as its child (a
   * GtkExpander unparents a folded child): they stay in the thread, Tab skips them. */
  self->expander = gtk_expander_new (NULL);
  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->resolved_title = gtk_label_new (_("Resolved"));
  gtk_widget_add_css_class (self->resolved_title, "heading");
  self->summary = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->summary), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (self->summary), 0);
  gtk_widget_set_hexpand (self->summary, TRUE);
  gtk_widget_add_css_class (self->summary, "dim-label");
  gtk_box_append (GTK_BOX (header), self->resolved_title);
  gtk_box_append (GTK_BOX (header), self->summary);
  gtk_expander_set_label_widget (GTK_EXPANDER (self->expander), header);
  gtk_widget_set_margin_top (self->expander, 12);
  gtk_widget_set_margin_start (self->expander, 12);
  gtk_widget_set_margin_end (self->expander, 12);
  gtk_widget_set_visible (self->expander, FALSE);
  g_signal_connect_swapped (self->expander, "notify::expanded", G_CALLBACK (update_folded),
                            self);
  gtk_box_append (GTK_BOX (self->box), self->expander);

  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_box_append (GTK_BOX (self->box), self->content);
  self->notes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (self->notes_box, 12);
  gtk_widget_set_margin_start (self->notes_box, 12);
  gtk_widget_set_margin_end (self->notes_box, 12);
  gtk_box_append (GTK_BOX (self->content), self->notes_box);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_thread_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  footer = self->footer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (footer, 12);
  gtk_widget_set_margin_end (footer, 12);
  gtk_widget_set_margin_bottom (footer, 12);
  self->reply_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->reply_entry), _("Reply…"));
  gtk_widget_set_hexpand (self->reply_entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reply_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reply"), -1);
  g_signal_connect_swapped (self->reply_entry, "activate", G_CALLBACK (on_reply_activated),
                            self);
  g_signal_connect_swapped (self->reply_entry, "changed", G_CALLBACK (update_resolve_label),
                            self);
  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_reply_key), self);
  gtk_widget_add_controller (self->reply_entry, keys);
  gtk_box_append (GTK_BOX (footer), self->reply_entry);
  self->resolve_button = gtk_button_new ();
  g_signal_connect_swapped (self->resolve_button, "clicked", G_CALLBACK (on_resolve_clicked),
                            self);
  gtk_box_append (GTK_BOX (footer), self->resolve_button);
  gtk_box_append (GTK_BOX (self->content), footer);
}

NodThreadView *
nod_thread_view_new (const char *discussion_id)
{
  NodThreadView *self = g_object_new (NOD_TYPE_THREAD_VIEW, NULL);

  self->discussion_id = g_strdup (discussion_id);
  return self;
}

const char *
nod_thread_view_get_discussion_id (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), NULL);
  return self->discussion_id;
}

/* Whether it can be resolved at all (a GitLab thread, not a system note). */
gboolean
nod_thread_view_get_resolvable (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), FALSE);
  return self->resolvable;
}

/* Whether the thread shows folded: resolved, and not opened since. */
gboolean
nod_thread_view_get_folded (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), FALSE);
  return self->folds && !gtk_expander_get_expanded (GTK_EXPANDER (self->expander));
}

/* Whether the thread shows as resolved (by GitLab, or by the reviewer, pending). */
gboolean
nod_thread_view_get_resolved (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), FALSE);
  return self->resolved;
}

/**
 * nod_thread_view_update:
 * @discussion: (nullable): the thread as GitLab has it, or %NULL for one the reviewer
 *   started that is not there yet
 * @actions: (element-type NodOutboxAction): the reviewer's open actions on this thread,
 *   oldest first
 */
void
nod_thread_view_update (NodThreadView *self,
                        NodDiscussion *discussion,
                        GPtrArray     *actions,
                        GDateTime     *now)
{
  GtkWidget *child;
  gboolean resolvable = discussion != NULL && nod_discussion_get_resolvable (discussion);
  gboolean system = FALSE;
  gboolean drafted = FALSE;
  g_autofree char *shown = NULL;
  g_autofree char *summary = NULL;
  const NodDiffPosition *thread_position = NULL;

  g_return_if_fail (NOD_IS_THREAD_VIEW (self));

  /* Rebuilt only when a note or an action changed: text views take a frame to size
   * themselves, and a refresh must not make the thread blink. */
  shown = describe (discussion, actions, self->own_username);
  if (g_strcmp0 (shown, self->shown) == 0)
    {
      self->resolved = discussion != NULL && nod_discussion_get_resolved (discussion);
      self->resolvable = resolvable;
      update_resolved_title (self, discussion);
      update_resolve_label (self);
      update_folded (self);
      return;
    }
  g_free (self->shown);
  self->shown = g_steal_pointer (&shown);

  while ((child = gtk_widget_get_first_child (self->notes_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->notes_box), child);
  g_ptr_array_set_size (self->note_views, 0);
  g_array_set_size (self->note_lines, 0);

  if (discussion != NULL)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussion);

      if (notes->len > 0)
        thread_position = nod_note_get_position (notes->pdata[0]);

      for (guint i = 0; i < notes->len; i++)
        {
          NodNote *note = notes->pdata[i];
          g_autofree char *age = nod_note_get_created_at (note) != NULL
                                   ? nod_time_format_age (nod_note_get_created_at (note), now)
                                   : g_strdup ("");

          NodUser *author = nod_note_get_author (note);
          NodOutboxAction *change = change_of_note (actions, nod_note_get_id (note));
          gboolean own = nod_note_is_written_by (note, self->own_username);
          GtkWidget *widget;

          system = system || nod_note_get_system (note);
          widget = note_widget (self, author, age,
                                change != NULL && nod_outbox_action_get_body (change) != NULL
                                ? nod_outbox_action_get_body (change)
                                : nod_note_get_body (note),
                                nod_note_get_system (note),
                                new_line_of (nod_note_get_position (note), thread_position));
          if (change != NULL)
            {
              gtk_widget_add_css_class (widget, "nod-pending-note");
              if (nod_outbox_action_get_kind (change) == NOD_ACTION_DELETE_NOTE)
                gtk_widget_add_css_class (widget, "nod-deleting-note");
              gtk_box_append (GTK_BOX (widget), action_state_widget (change));
            }
          else if (own)
            {
              GtkWidget *header = gtk_widget_get_first_child (widget);
              GtkWidget *spacer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

              gtk_widget_set_hexpand (spacer, TRUE);
              gtk_box_append (GTK_BOX (header), spacer);
              gtk_box_append (GTK_BOX (header),
                              posted_note_button ("document-edit-symbolic", _("Edit Comment"),
                                                  "win.edit-posted-note",
                                                  self->discussion_id, nod_note_get_id (note)));
              gtk_box_append (GTK_BOX (header),
                              posted_note_button ("user-trash-symbolic", _("Delete Comment"),
                                                  "win.delete-posted-note",
                                                  self->discussion_id, nod_note_get_id (note)));
            }
          gtk_box_append (GTK_BOX (self->notes_box), widget);
        }
      self->resolved = nod_discussion_get_resolved (discussion);
      summary = summarize (discussion);
      gtk_label_set_text (GTK_LABEL (self->summary), summary);
    }
  self->resolvable = resolvable;

  for (guint i = 0; actions != NULL && i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];
      NodActionKind kind = nod_outbox_action_get_kind (action);
      GtkWidget *note;

      if (kind != NOD_ACTION_COMMENT && kind != NOD_ACTION_REPLY)
        continue;
      note = note_widget (self, NULL, "", nod_outbox_action_get_body (action), FALSE,
                          new_line_of (nod_outbox_action_get_position (action),
                                       thread_position));
      gtk_widget_add_css_class (note, "nod-pending-note");
      /* A draft thread takes no reply until it is published; a thread takes one draft
       * reply of the reviewer's (GitLab's rule): the draft is edited instead. */
      if (nod_outbox_action_get_state (action) == NOD_ACTION_DRAFT)
        {
          gtk_widget_add_css_class (note, "nod-draft-note");
          drafted = TRUE;
        }
      gtk_box_append (GTK_BOX (note), action_state_widget (action));
      gtk_box_append (GTK_BOX (self->notes_box), note);
    }

  /* System notes ("merged", "added 2 commits") take no replies; with no footer the notes
   * keep the card's bottom margin. */
  gtk_widget_set_visible (self->reply_entry, !system && !drafted);
  gtk_widget_set_visible (self->footer, (!system && !drafted) || resolvable);
  gtk_widget_set_margin_bottom (self->notes_box, gtk_widget_get_visible (self->footer) ? 0 : 12);
  gtk_widget_set_visible (self->resolve_button, resolvable);
  update_resolved_title (self, discussion);
  update_resolve_label (self);
  update_folded (self);
}

/**
 * nod_thread_view_set_own_username:
 * @username: (nullable): the reviewer's GitLab username: their notes take Edit and Delete
 *
 * Takes effect at the next nod_thread_view_update().
 */
void
nod_thread_view_set_own_username (NodThreadView *self,
                                  const char    *username)
{
  g_return_if_fail (NOD_IS_THREAD_VIEW (self));
  g_free (self->own_username);
  self->own_username = g_strdup (username);
}

/**
 * nod_thread_view_set_suggestion_file:
 * @new_text: (nullable): the new side of the thread's file at the head its position is on
 *   (the diff's text when the thread sits on the diff shown), or %NULL when not known
 *
 * A suggestion in the thread's notes then shows the lines it replaces, above its own.
 */
void
nod_thread_view_set_suggestion_file (NodThreadView *self,
                                     GBytes        *new_text)
{
  g_return_if_fail (NOD_IS_THREAD_VIEW (self));

  if (self->suggestion_file == new_text)
    return;
  g_clear_pointer (&self->suggestion_file, g_bytes_unref);
  self->suggestion_file = new_text != NULL ? g_bytes_ref (new_text) : NULL;

  for (guint i = 0; i < self->note_views->len; i++)
    nod_markdown_view_set_suggestion_file (self->note_views->pdata[i], self->suggestion_file,
                                           g_array_index (self->note_lines, gint64, i));
}

/**
 * nod_thread_view_focus_reply:
 *
 * Puts the cursor in the thread's reply box.
 *
 * Returns: whether the thread takes replies (a system note's, a draft's, does not)
 */
gboolean
nod_thread_view_focus_reply (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), FALSE);

  if (!gtk_widget_get_visible (self->reply_entry))
    return FALSE;
  /* Replying to a folded thread opens it: the reply goes under its notes. */
  gtk_expander_set_expanded (GTK_EXPANDER (self->expander), TRUE);
  return gtk_widget_grab_focus (self->reply_entry);
}

/**
 * nod_thread_view_toggle_resolved:
 *
 * What the thread's resolve button does: resolves it (with the reply typed, if any, "Reply
 * and Resolve") or reopens it.
 *
 * Returns: whether the thread can be resolved
 */
gboolean
nod_thread_view_toggle_resolved (NodThreadView *self)
{
  g_return_val_if_fail (NOD_IS_THREAD_VIEW (self), FALSE);

  if (!gtk_widget_get_visible (self->resolve_button))
    return FALSE;
  on_resolve_clicked (self);
  return TRUE;
}
