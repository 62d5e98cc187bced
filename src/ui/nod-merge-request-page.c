/* nod-merge-request-page.c: one merge request, and what the reviewer does on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shown from the cache with the outbox replayed over it: an approval not yet sent reads
 * "you — pending", a comment not yet sent sits at the end of the discussion, marked.
 * Threads are kept across updates (by id), so text being typed in a reply survives.
 *
 * Two views: the overview, and the changes (NodChangesView), read from the diff cache only
 * once the reviewer goes to them.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "nod-avatar-cache.h"
#include "nod-changes-view.h"
#include "nod-commit.h"
#include "nod-markdown-view.h"
#include "nod-merge-request-page.h"
#include "nod-outbox-action.h"
#include "nod-pipeline-status.h"
#include "nod-thread-view.h"
#include "nod-time.h"

struct _NodMergeRequestPage
{
  GtkWidget        parent_instance;

  gint64           project_id;
  gint64           iid;
  char            *head_sha;
  gboolean         approved;
  GHashTable      *threads;       /* discussion id → NodThreadView */
  NodDiffCache    *diff_cache;
  gint64           account_id;

  AdwViewStack    *view_stack;
  NodChangesView  *changes_view;
  GtkWidget       *scroller;
  GtkLabel        *title_label;
  GtkLabel        *state_label;
  GtkLabel        *meta_label;
  GtkLabel        *branches_label;
  GtkLabel        *reviewers_label;
  AdwAvatar       *author_avatar;
  GtkWidget       *context_box;
  GtkImage        *pipeline_icon;
  GtkLabel        *pipeline_label;
  GtkLabel        *merge_status_label;
  GtkFlowBox      *labels_box;
  const char      *pipeline_css_class;   /* static: the class the pipeline shows with now */
  GtkLabel        *approvals_label;
  GtkButton       *approve_button;
  GtkBox          *description_box;
  NodMarkdownView *description_view;
  GtkWidget       *commits_list;
  AdwExpanderRow  *commits_row;
  GPtrArray       *commit_rows;   /* AdwActionRow, in commits_row, newest first */
  char            *commits_shown; /* what they show, to rebuild them only on change */
  GtkWidget       *threads_heading;
  GtkWidget       *threads_count;
  GtkBox          *threads_box;
  GtkWidget       *view_switcher;
  GtkWidget       *comment_box;
  GtkTextView     *comment_view;
  GtkWidget       *comment_button;
  GtkWidget       *start_review_button;
  GtkWidget       *review_bar;
  GtkLabel        *review_label;

  char            *current_thread; /* the thread n, p, r and Shift+R act on */

  gboolean         review_started;
  guint            draft_count;
  GPtrArray       *actions;       /* the open actions and drafts shown */
  GPtrArray       *discussions;   /* NodDiscussion: the threads shown, as GitLab has them */
  char            *own_username;  /* the reviewer's: whose notes they may change */
};

G_DEFINE_FINAL_TYPE (NodMergeRequestPage, nod_merge_request_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_COMMENT,
  SIGNAL_REPLY,
  SIGNAL_RESOLVE,
  SIGNAL_INLINE_COMMENT,
  SIGNAL_RESOLVING_REPLY,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint signals[N_SIGNALS];

static void
on_comment_clicked (NodMergeRequestPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->comment_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  if (*text == '\0')
    return;

  g_signal_emit (self, signals[SIGNAL_COMMENT], 0, text);
  gtk_text_buffer_set_text (buffer, "", -1);
}

static void
on_thread_reply (NodThreadView       *thread,
                 const char          *body,
                 NodMergeRequestPage *self)
{
  g_signal_emit (self, signals[SIGNAL_REPLY], 0, nod_thread_view_get_discussion_id (thread),
                 body);
}

static void
on_thread_resolving_reply (NodThreadView       *thread,
                           const char          *body,
                           NodMergeRequestPage *self)
{
  g_signal_emit (self, signals[SIGNAL_RESOLVING_REPLY], 0,
                 nod_thread_view_get_discussion_id (thread), body);
}

static void
on_thread_resolve (NodThreadView       *thread,
                   gboolean             resolved,
                   NodMergeRequestPage *self)
{
  g_signal_emit (self, signals[SIGNAL_RESOLVE], 0, nod_thread_view_get_discussion_id (thread),
                 resolved);
}

static void
on_inline_comment (NodMergeRequestPage   *self,
                   const char            *body,
                   const NodDiffPosition *position)
{
  g_signal_emit (self, signals[SIGNAL_INLINE_COMMENT], 0, body, position);
}

static void
on_changes_reply (NodMergeRequestPage *self,
                  const char          *discussion_id,
                  const char          *body)
{
  g_signal_emit (self, signals[SIGNAL_REPLY], 0, discussion_id, body);
}

static void
on_changes_resolve (NodMergeRequestPage *self,
                    const char          *discussion_id,
                    gboolean             resolved)
{
  g_signal_emit (self, signals[SIGNAL_RESOLVE], 0, discussion_id, resolved);
}

static GtkWidget *
focus_widget (NodMergeRequestPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return root != NULL ? gtk_root_get_focus (root) : NULL;
}

static gboolean
holds_focus (GtkWidget *widget,
             GtkWidget *focus)
{
  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
on_view_changed (NodMergeRequestPage *self)
{
  GtkWidget *focus = focus_widget (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
  /* The keys of the view shown work at once: focus left in the other would be hidden. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && (focus == NULL || holds_focus (GTK_WIDGET (self), focus)))
    nod_merge_request_page_focus_view (self);
}

/* ---- threads and keys ---- */

/* The threads in the order shown. */
static GPtrArray *
list_threads (NodMergeRequestPage *self)
{
  GPtrArray *threads = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->threads_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (NOD_IS_THREAD_VIEW (child) && gtk_widget_get_visible (child))
      g_ptr_array_add (threads, child);
  return threads;
}

/* The thread holding the focus, else the one last moved to, if it is still shown. */
static NodThreadView *
current_thread (NodMergeRequestPage *self)
{
  GtkWidget *focus = focus_widget (self);
  NodThreadView *thread;

  for (GtkWidget *widget = focus; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (NOD_IS_THREAD_VIEW (widget) &&
        gtk_widget_get_parent (widget) == GTK_WIDGET (self->threads_box))
      {
        g_free (self->current_thread);
        self->current_thread = g_strdup (nod_thread_view_get_discussion_id (NOD_THREAD_VIEW (widget)));
        return NOD_THREAD_VIEW (widget);
      }

  thread = self->current_thread != NULL ? g_hash_table_lookup (self->threads, self->current_thread)
                                        : NULL;
  return thread;
}

static void
go_to_thread (NodMergeRequestPage *self,
              NodThreadView       *thread)
{
  g_free (self->current_thread);
  self->current_thread = g_strdup (nod_thread_view_get_discussion_id (thread));
  /* The viewport scrolls to what takes the focus. */
  gtk_widget_grab_focus (GTK_WIDGET (thread));
}

/**
 * nod_merge_request_page_move_thread:
 * @step: 1 the next thread, -1 the previous one
 *
 * Shows the overview, scrolled to the thread @step from the current one (the first, or the
 * last, when none is), and focuses it.
 *
 * Returns: whether there was one that way
 */
gboolean
nod_merge_request_page_move_thread (NodMergeRequestPage *self,
                                    int                  step)
{
  g_autoptr(GPtrArray) threads = NULL;
  NodThreadView *current;
  guint index;
  gint64 next;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), FALSE);

  threads = list_threads (self);
  if (threads->len == 0)
    return FALSE;
  current = current_thread (self);
  if (current == NULL || !g_ptr_array_find (threads, current, &index))
    next = step > 0 ? 0 : (gint64) threads->len - 1;
  else
    next = (gint64) index + step;
  if (next < 0 || next >= threads->len)
    return FALSE;

  nod_merge_request_page_set_view (self, "overview");
  go_to_thread (self, threads->pdata[next]);
  return TRUE;
}

/* The current thread, else the first; NULL when there is none. */
static NodThreadView *
thread_to_act_on (NodMergeRequestPage *self)
{
  NodThreadView *thread = current_thread (self);
  g_autoptr(GPtrArray) threads = NULL;

  if (thread != NULL)
    return thread;
  threads = list_threads (self);
  return threads->len > 0 ? threads->pdata[0] : NULL;
}

/**
 * nod_merge_request_page_focus_reply:
 *
 * Puts the cursor in the reply box of the current thread (the first, when none is).
 *
 * Returns: whether there is one
 */
gboolean
nod_merge_request_page_focus_reply (NodMergeRequestPage *self)
{
  NodThreadView *thread;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), FALSE);

  if ((thread = thread_to_act_on (self)) == NULL)
    return FALSE;
  nod_merge_request_page_set_view (self, "overview");
  g_free (self->current_thread);
  self->current_thread = g_strdup (nod_thread_view_get_discussion_id (thread));
  return nod_thread_view_focus_reply (thread);
}

/**
 * nod_merge_request_page_toggle_resolved:
 *
 * Resolves the current thread, or reopens it, as its button does.
 *
 * Returns: whether there is a current thread that can be resolved
 */
gboolean
nod_merge_request_page_toggle_resolved (NodMergeRequestPage *self)
{
  NodThreadView *thread;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), FALSE);

  if ((thread = current_thread (self)) == NULL)
    return FALSE;
  return nod_thread_view_toggle_resolved (thread);
}

/**
 * nod_merge_request_page_get_current_thread:
 *
 * Returns: (nullable): the discussion id of the thread the thread keys act on
 */
const char *
nod_merge_request_page_get_current_thread (NodMergeRequestPage *self)
{
  NodThreadView *thread;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);

  thread = current_thread (self);
  return thread != NULL ? nod_thread_view_get_discussion_id (thread) : NULL;
}

/**
 * nod_merge_request_page_focus_view:
 *
 * Focuses where the keys of the view shown work: on the overview the current thread (the
 * page itself when none is), on the changes the list of files.
 */
void
nod_merge_request_page_focus_view (NodMergeRequestPage *self)
{
  NodThreadView *thread;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));

  if (g_strcmp0 (nod_merge_request_page_get_view (self), "changes") == 0)
    nod_changes_view_focus_files (self->changes_view);
  else if ((thread = current_thread (self)) != NULL && gtk_widget_get_mapped (GTK_WIDGET (thread)))
    gtk_widget_grab_focus (GTK_WIDGET (thread));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* A single-letter key is the reviewer's when they are not typing. */
static gboolean
typing (GtkWidget *focus)
{
  for (; focus != NULL; focus = gtk_widget_get_parent (focus))
    {
      if (GTK_IS_EDITABLE (focus) && gtk_editable_get_editable (GTK_EDITABLE (focus)))
        return TRUE;
      if (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)))
        return TRUE;
    }
  return FALSE;
}

/* The page's letters, read before a focused read-only view takes them. On the changes, n,
 * p and c are the changes view's own (files, a line). */
static gboolean
on_page_key (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             NodMergeRequestPage   *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();
  gboolean overview = g_strcmp0 (nod_merge_request_page_get_view (self), "overview") == 0;
  GtkWidget *focus = focus_widget (self);
  const char *action = NULL;

  if (typing (focus) || self->iid == 0)
    return FALSE;

  if (modifiers == 0)
    switch (keyval)
      {
      case GDK_KEY_n:
        action = overview ? "win.next-thread" : NULL;
        break;
      case GDK_KEY_p:
        action = overview ? "win.previous-thread" : NULL;
        break;
      case GDK_KEY_r:
        action = overview ? "win.reply" : NULL;
        break;
      case GDK_KEY_e:
        action = overview ? "win.edit-note" : NULL;
        break;
      case GDK_KEY_c:
        action = overview ? "win.comment" : NULL;
        break;
      case GDK_KEY_a:
        action = "win.toggle-approval";
        break;
      case GDK_KEY_Return:
      case GDK_KEY_KP_Enter:
        /* Enter on a thread answers it. */
        action = overview && NOD_IS_THREAD_VIEW (focus) ? "win.reply" : NULL;
        break;
      default:
        break;
      }
  else if (modifiers == GDK_SHIFT_MASK && (keyval == GDK_KEY_R || keyval == GDK_KEY_r))
    action = overview ? "win.toggle-resolved" : NULL;

  if (action == NULL)
    return FALSE;
  return gtk_widget_activate_action (GTK_WIDGET (self), action, NULL);
}

/* The page is one stop of Tab: into it, Tab goes to the current thread (or the page, when
 * none is); inside, it moves only within a reply box or the comment box and their
 * buttons, then out of the page. Threads are moved between with n and p. On the changes,
 * the list of files and the diff are each a stop of their own. */
static gboolean
nod_merge_request_page_focus (GtkWidget        *widget,
                              GtkDirectionType  direction)
{
  NodMergeRequestPage *self = NOD_MERGE_REQUEST_PAGE (widget);
  GtkWidget *focus = focus_widget (self);
  gboolean inside = holds_focus (widget, focus) && focus != widget;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (nod_merge_request_page_parent_class)->focus (widget, direction);

  if (g_strcmp0 (nod_merge_request_page_get_view (self), "changes") == 0)
    {
      if (holds_focus (GTK_WIDGET (self->changes_view), focus) || !inside)
        return gtk_widget_child_focus (GTK_WIDGET (self->changes_view), direction);
      return FALSE;
    }

  if (inside)
    {
      for (GtkWidget *parent = focus; parent != NULL; parent = gtk_widget_get_parent (parent))
        {
          if (NOD_IS_THREAD_VIEW (parent))
            return gtk_widget_child_focus (parent, direction);
          if (parent == self->comment_box)
            return gtk_widget_child_focus (parent, direction);
          if (parent == widget)
            break;
        }
      return FALSE;
    }
  if (focus == widget)
    return FALSE;

  nod_merge_request_page_focus_view (self);
  return TRUE;
}

static gboolean
on_comment_key (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                NodMergeRequestPage   *self)
{
  /* Ctrl+Enter sends, as in GitLab's own comment box. */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter) && (state & GDK_CONTROL_MASK))
    {
      on_comment_clicked (self);
      return TRUE;
    }
  return FALSE;
}

static void
nod_merge_request_page_dispose (GObject *object)
{
  NodMergeRequestPage *self = NOD_MERGE_REQUEST_PAGE (object);

  g_clear_pointer (&self->threads, g_hash_table_unref);
  g_clear_pointer (&self->commit_rows, g_ptr_array_unref);
  g_clear_pointer (&self->commits_shown, g_free);
  g_clear_object (&self->diff_cache);
  g_clear_pointer (&self->current_thread, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), NOD_TYPE_MERGE_REQUEST_PAGE);
  /* The template's root child is not bound to a field: unparent it by hand. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (nod_merge_request_page_parent_class)->dispose (object);
}

static void
nod_merge_request_page_finalize (GObject *object)
{
  NodMergeRequestPage *self = NOD_MERGE_REQUEST_PAGE (object);

  g_free (self->head_sha);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->discussions, g_ptr_array_unref);
  g_clear_pointer (&self->own_username, g_free);

  G_OBJECT_CLASS (nod_merge_request_page_parent_class)->finalize (object);
}

static void
nod_merge_request_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  NodMergeRequestPage *self = NOD_MERGE_REQUEST_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_string (value, nod_merge_request_page_get_view (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_merge_request_page_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  NodMergeRequestPage *self = NOD_MERGE_REQUEST_PAGE (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      nod_merge_request_page_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_merge_request_page_class_init (NodMergeRequestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_merge_request_page_dispose;
  object_class->finalize = nod_merge_request_page_finalize;
  object_class->get_property = nod_merge_request_page_get_property;
  object_class->set_property = nod_merge_request_page_set_property;
  widget_class->focus = nod_merge_request_page_focus;
  gtk_widget_class_set_css_name (widget_class, "nodpage");

  /**
   * NodMergeRequestPage:view:
   *
   * What the page shows: "overview" or "changes".
   */
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "overview",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NodMergeRequestPage::comment:
   * @body: a new thread's first note
   */
  signals[SIGNAL_COMMENT] =
    g_signal_new ("comment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_REPLY] =
    g_signal_new ("reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_RESOLVING_REPLY] =
    g_signal_new ("resolving-reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_RESOLVE] =
    g_signal_new ("resolve", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  /**
   * NodMergeRequestPage::inline-comment:
   * @body: a new diff thread's first note
   * @position: (type gpointer): the const NodDiffPosition * it goes to, valid during the
   *   emission
   */
  signals[SIGNAL_INLINE_COMMENT] =
    g_signal_new ("inline-comment", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  g_type_ensure (NOD_TYPE_CHANGES_VIEW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-merge-request-page.ui");
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, changes_view);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, meta_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, branches_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, reviewers_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, author_avatar);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, context_box);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, pipeline_icon);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, pipeline_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, merge_status_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, labels_box);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, approvals_label);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, approve_button);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, description_box);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, commits_list);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, commits_row);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, threads_heading);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, threads_count);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, threads_box);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, view_switcher);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, comment_box);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, comment_view);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, comment_button);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, start_review_button);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, review_bar);
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestPage, review_label);
  gtk_widget_class_bind_template_callback (widget_class, on_comment_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_inline_comment);
  gtk_widget_class_bind_template_callback (widget_class, on_changes_reply);
  gtk_widget_class_bind_template_callback (widget_class, on_changes_resolve);
  gtk_widget_class_bind_template_callback (widget_class, on_view_changed);
}

static void
on_page_focus_changed (NodMergeRequestPage *self,
                       GParamSpec          *pspec,
                       GtkEventController  *focus)
{
  if (gtk_event_controller_focus_is_focus (GTK_EVENT_CONTROLLER_FOCUS (focus)))
    gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "nod-focused");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), "nod-focused");
}

static void
nod_merge_request_page_init (NodMergeRequestPage *self)
{
  GtkEventController *keys;
  GtkEventController *focus;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->commit_rows = g_ptr_array_new ();
  self->description_view = nod_markdown_view_new ();
  gtk_box_append (self->description_box, GTK_WIDGET (self->description_view));

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_comment_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->comment_view), keys);

  /* The page holds the focus itself when no thread does: its keys work from there. Its
   * title shows it (GTK 4.8 marks an ancestor of the focus :focus-visible too). */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "notify::is-focus", G_CALLBACK (on_page_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_page_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/* A link a stranger sent is opened only on the web: never file:, never a handler. */
static gboolean
is_web_url (const char *url)
{
  const char *scheme = url != NULL ? g_uri_peek_scheme (url) : NULL;

  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                            g_ascii_strcasecmp (scheme, "https") == 0);
}

static void
on_commit_activated (AdwActionRow *row,
                     gpointer      user_data)
{
  const char *url = g_object_get_data (G_OBJECT (row), "nod-web-url");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (row));

  if (is_web_url (url))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
}

static GtkWidget *
commit_row_new (NodCommit *commit,
                GDateTime *now)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *short_id = gtk_label_new (nod_commit_get_short_id (commit));
  g_autofree char *title = g_markup_escape_text (nod_commit_get_title (commit), -1);
  g_autofree char *age = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_subtitle = NULL;
  const char *author = nod_commit_get_author_name (commit);
  const char *web_url = nod_commit_get_web_url (commit);

  /* Titles and names come from strangers: the row reads markup, so they are escaped. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  if (nod_commit_get_authored_date (commit) != NULL)
    age = nod_time_format_age_iso (nod_commit_get_authored_date (commit), now);
  if (author != NULL && age != NULL)
    /* Translators: a commit's author and when they wrote it: "Alice · 3 days ago" */
    subtitle = g_strdup_printf (_("%s · %s"), author, age);
  else
    subtitle = g_strdup (author != NULL ? author : age);
  if (subtitle != NULL)
    {
      escaped_subtitle = g_markup_escape_text (subtitle, -1);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
    }

  gtk_widget_add_css_class (short_id, "monospace");
  gtk_widget_add_css_class (short_id, "dim-label");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), short_id);

  if (is_web_url (web_url))
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("adw-external-link-symbolic");

      g_object_set_data_full (G_OBJECT (row), "nod-web-url", g_strdup (web_url), g_free);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_tooltip_text (row, _("Open in Browser"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      g_signal_connect (row, "activated", G_CALLBACK (on_commit_activated), NULL);
    }
  return row;
}

/* The commits as the last pull left them, newest first; the section stays closed or open
 * as the reviewer left it while the same merge request is updated. */
static void
show_commits (NodMergeRequestPage         *self,
              const NodMergeRequestDetail *detail,
              GDateTime                   *now)
{
  guint shown = detail->commits != NULL ? detail->commits->len : 0;
  g_autofree char *subtitle = NULL;
  g_autofree char *described = NULL;

  /* A page's update (each reload, a pull's progress) rebuilds up to 250 rows only when
   * their commits changed, or their ages may have (a minute on). */
  described = g_strdup_printf ("%" G_GINT64_FORMAT "!%" G_GINT64_FORMAT "/%u/%d/%s/%"
                               G_GINT64_FORMAT, detail->view->project_id, detail->view->iid,
                               shown, detail->commits_total,
                               shown > 0 ? nod_commit_get_sha (detail->commits->pdata[0]) : "",
                               g_date_time_to_unix (now) / 60);
  if (g_strcmp0 (described, self->commits_shown) == 0)
    return;
  g_free (self->commits_shown);
  self->commits_shown = g_steal_pointer (&described);

  for (guint i = 0; i < self->commit_rows->len; i++)
    adw_expander_row_remove (self->commits_row, self->commit_rows->pdata[i]);
  g_ptr_array_set_size (self->commit_rows, 0);

  gtk_widget_set_visible (self->commits_list, shown > 0);
  if (shown == 0)
    return;

  for (guint i = 0; i < shown; i++)
    {
      GtkWidget *row = commit_row_new (detail->commits->pdata[i], now);

      adw_expander_row_add_row (self->commits_row, row);
      g_ptr_array_add (self->commit_rows, row);
    }

  if (detail->commits_total > (int) shown)
    {
      guint more = (guint) detail->commits_total - shown;
      GtkWidget *row = adw_action_row_new ();
      /* Translators: commits GitLab has beyond the first page Nod keeps */
      g_autofree char *text = g_strdup_printf (ngettext ("And %u more", "And %u more", more),
                                               more);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      gtk_widget_add_css_class (row, "dim-label");
      adw_expander_row_add_row (self->commits_row, row);
      g_ptr_array_add (self->commit_rows, row);
      subtitle = g_strdup_printf (ngettext ("%d commit", "%d commits", detail->commits_total),
                                  detail->commits_total);
    }
  else
    subtitle = g_strdup_printf (ngettext ("%u commit", "%u commits", shown), shown);
  adw_expander_row_set_subtitle (self->commits_row, subtitle);
}

/* "Approved by Alice, Bob and you — pending" */
/* GitLab's detailed_merge_status in words; NULL for a word Nod does not know (never shown
 * as the server spelled it) or for none worth saying. */
static const char *
merge_status_words (const NodMergeRequestView *view)
{
  static const struct { const char *status; const char *words; } known[] = {
    { "mergeable", N_("Can be merged") },
    { "can_be_merged", N_("Can be merged") },
    { "conflict", N_("Has conflicts") },
    { "cannot_be_merged", N_("Cannot be merged") },
    { "not_approved", N_("Not approved yet") },
    { "ci_must_pass", N_("The pipeline must pass") },
    { "ci_still_running", N_("The pipeline is still running") },
    { "draft_status", N_("A draft: not ready to merge") },
    { "discussions_not_resolved", N_("Threads to resolve") },
    { "need_rebase", N_("Needs a rebase") },
    { "checking", N_("Checking whether it can be merged") },
    { "unchecked", N_("Checking whether it can be merged") },
    { "blocked_status", N_("Blocked by another merge request") },
  };

  if (g_strcmp0 (view->state, "opened") != 0)
    return NULL;
  /* GitLab's older merge_status says nothing of conflicts; has_conflicts does. */
  if (view->has_conflicts)
    return _("Has conflicts");
  for (guint i = 0; view->merge_status != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_str_equal (view->merge_status, known[i].status))
      return _(known[i].words);
  return NULL;
}

/* "Can be merged · 2 approvals left · can approve: Alice, Bob": plain text for a label
 * that shows no markup, so names need no escaping. */
static char *
context_sentence (const NodMergeRequestDetail *detail)
{
  const NodMergeRequestView *view = detail->view;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *words = merge_status_words (view);

  if (words != NULL)
    g_ptr_array_add (parts, g_strdup (words));
  if (g_strcmp0 (view->state, "opened") == 0 && detail->approvals_left > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "%d approval left",
                                                          "%d approvals left",
                                                          detail->approvals_left),
                                             detail->approvals_left));
  if (g_strcmp0 (view->state, "opened") == 0 && detail->suggested_approvers != NULL &&
      detail->suggested_approvers->len > 0)
    {
      g_autofree char *names = nod_users_join_display_names (detail->suggested_approvers);

      /* Translators: who may approve the merge request, e.g. "can approve: Alice, Bob" */
      g_ptr_array_add (parts, g_strdup_printf (_("can approve: %s"), names));
    }
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Labels as pills, at most LABELS_SHOWN of them and a "+N" for the rest. */
#define LABELS_SHOWN 10

static void
show_labels (NodMergeRequestPage *self,
             const char * const  *labels)
{
  GtkWidget *child;
  guint count = labels != NULL ? g_strv_length ((char **) labels) : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->labels_box))) != NULL)
    gtk_flow_box_remove (self->labels_box, child);

  for (guint i = 0; i < count && i < LABELS_SHOWN; i++)
    {
      GtkWidget *pill = gtk_label_new (labels[i]);   /* text, never markup */

      gtk_label_set_ellipsize (GTK_LABEL (pill), PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (pill), 30);
      gtk_widget_add_css_class (pill, "nod-badge");
      gtk_widget_add_css_class (pill, "caption");
      gtk_widget_set_tooltip_text (pill, labels[i]);
      gtk_flow_box_append (self->labels_box, pill);
    }
  if (count > LABELS_SHOWN)
    {
      g_autofree char *more = g_strdup_printf ("+%u", count - LABELS_SHOWN);
      GtkWidget *pill = gtk_label_new (more);

      gtk_widget_add_css_class (pill, "nod-badge");
      gtk_widget_add_css_class (pill, "caption");
      gtk_flow_box_append (self->labels_box, pill);
    }
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->labels_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->labels_box), count > 0);
}

static void
show_context (NodMergeRequestPage         *self,
              const NodMergeRequestDetail *detail)
{
  const char *status = detail->view->pipeline_status;
  const char *css_class = nod_pipeline_status_get_css_class (status);
  g_autofree char *sentence = context_sentence (detail);

  gtk_widget_set_visible (GTK_WIDGET (self->pipeline_icon), status != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->pipeline_label), status != NULL);
  if (status != NULL)
    {
      gtk_image_set_from_icon_name (self->pipeline_icon,
                                    nod_pipeline_status_get_icon_name (status));
      gtk_label_set_text (self->pipeline_label, nod_pipeline_status_describe (status));
    }
  if (self->pipeline_css_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->pipeline_icon), self->pipeline_css_class);
      gtk_widget_remove_css_class (GTK_WIDGET (self->pipeline_label), self->pipeline_css_class);
    }
  self->pipeline_css_class = css_class;
  if (css_class != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->pipeline_icon), css_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->pipeline_label), css_class);
    }
  gtk_label_set_text (self->merge_status_label, sentence);
  gtk_widget_set_visible (GTK_WIDGET (self->merge_status_label), *sentence != '\0');
  gtk_widget_set_visible (self->context_box, status != NULL || *sentence != '\0');
  show_labels (self, (const char * const *) detail->view->labels);
}

/* The author's avatar (initials until it comes, in the background), their username in
 * its tooltip. */
static void
show_author (NodMergeRequestPage       *self,
             const NodMergeRequestView *view)
{
  g_autoptr(NodUser) author = nod_user_new (view->author_username, view->author_name,
                                            view->author_avatar_url);
  g_autofree char *described = nod_user_describe (author);

  adw_avatar_set_text (self->author_avatar, nod_user_get_display_name (author));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->author_avatar), described);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->author_avatar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, described, -1);
  nod_avatar_cache_show (nod_avatar_cache_get_default (), self->author_avatar,
                         view->author_avatar_url, view->web_url);
}

static char *
approvals_sentence (const NodMergeRequestDetail *detail)
{
  const NodMergeRequestView *view = detail->view;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *sentence = NULL;

  for (guint i = 0; detail->approvers != NULL && i < detail->approvers->len; i++)
    g_ptr_array_add (names, (char *) nod_user_get_display_name (detail->approvers->pdata[i]));
  if (view->approved_by_me)
    g_ptr_array_add (names, _("you"));

  if (names->len == 0)
    sentence = g_strdup (_("No approvals yet"));
  else
    {
      for (guint i = 0; i < names->len; i++)
        {
          if (i > 0)
            g_string_append (list, i == names->len - 1 ? _(" and ") : _(", "));
          g_string_append (list, names->pdata[i]);
        }
      /* Translators: %s is a list of people, e.g. "Alice and you" */
      sentence = g_strdup_printf (_("Approved by %s"), list->str);
    }

  if (view->approvals_required > 0)
    {
      g_autofree char *counted = sentence;

      /* Translators: e.g. "Approved by Alice (1 of 2)" */
      sentence = g_strdup_printf (_("%s (%u of %d)"), counted, view->approvals_given,
                                  view->approvals_required);
    }

  if (view->approval_pending)
    {
      g_autofree char *pending = sentence;

      /* Translators: the reviewer's approval (or its revocation) is not on GitLab yet */
      sentence = g_strdup_printf (_("%s — pending"), pending);
    }
  return g_steal_pointer (&sentence);
}

static const char *
state_text (const char *state,
            gboolean    draft)
{
  if (g_strcmp0 (state, "merged") == 0)
    return _("Merged");
  if (g_strcmp0 (state, "closed") == 0)
    return _("Closed");
  if (draft)
    return _("Draft");
  return _("Open");
}

static NodThreadView *
ensure_thread (NodMergeRequestPage *self,
               const char          *discussion_id,
               GHashTable          *seen,
               GtkWidget          **previous)
{
  NodThreadView *thread = g_hash_table_lookup (self->threads, discussion_id);

  if (thread == NULL)
    {
      thread = nod_thread_view_new (discussion_id);
      g_signal_connect_object (thread, "reply", G_CALLBACK (on_thread_reply), self, 0);
      g_signal_connect_object (thread, "resolve", G_CALLBACK (on_thread_resolve), self, 0);
      g_signal_connect_object (thread, "resolving-reply",
                               G_CALLBACK (on_thread_resolving_reply), self, 0);
      g_hash_table_insert (self->threads, g_strdup (discussion_id), thread);
    }

  /* In order, moved without taking it out: a thread taken out loses the focus (a reply
   * just sent, Tab would start again from the window's first widget). */
  if (gtk_widget_get_parent (GTK_WIDGET (thread)) == NULL)
    gtk_box_insert_child_after (self->threads_box, GTK_WIDGET (thread), *previous);
  else if (gtk_widget_get_prev_sibling (GTK_WIDGET (thread)) != *previous)
    gtk_box_reorder_child_after (self->threads_box, GTK_WIDGET (thread), *previous);
  *previous = GTK_WIDGET (thread);
  g_hash_table_add (seen, (gpointer) nod_thread_view_get_discussion_id (thread));
  return thread;
}

/* "3 threads · 1 unresolved", counting what can be resolved (GitLab's threads): comments
 * and system notes are not threads to settle. */
static void
show_threads_count (NodMergeRequestPage *self)
{
  g_autofree char *threads_text = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer value;
  guint resolvable = 0, unresolved = 0;

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (nod_thread_view_get_resolvable (value))
      {
        resolvable++;
        unresolved += !nod_thread_view_get_resolved (value);
      }

  gtk_widget_set_visible (self->threads_count, resolvable > 0);
  if (resolvable == 0)
    return;
  threads_text = g_strdup_printf (ngettext ("%u thread", "%u threads", resolvable),
                                  resolvable);
  if (unresolved == 0)
    /* Translators: e.g. "3 threads · all resolved" */
    text = g_strdup_printf (_("%s · all resolved"), threads_text);
  else
    /* Translators: e.g. "3 threads · 1 unresolved" */
    text = g_strdup_printf (ngettext ("%s · %u unresolved", "%s · %u unresolved",
                                      unresolved),
                            threads_text, unresolved);
  gtk_label_set_text (GTK_LABEL (self->threads_count), text);
}

static void
show_threads (NodMergeRequestPage   *self,
              NodMergeRequestDetail *detail,
              GPtrArray             *actions,
              GDateTime             *now)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GtkWidget *previous = NULL;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < detail->discussions->len; i++)
    {
      NodDiscussion *discussion = detail->discussions->pdata[i];
      g_autoptr(GPtrArray) own = nod_outbox_actions_of_thread (actions,
                                                               nod_discussion_get_id (discussion));
      NodThreadView *thread = ensure_thread (self, nod_discussion_get_id (discussion), seen,
                                             &previous);

      nod_thread_view_set_own_username (thread, detail->own_username);
      nod_thread_view_update (thread, discussion, own, now);
    }

  /* Threads the reviewer started that GitLab does not have yet (drafts too). */
  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];
      g_autofree char *id = nod_outbox_action_dup_thread_key (action);
      g_autoptr(GPtrArray) own = NULL;

      if (nod_outbox_action_get_kind (action) != NOD_ACTION_COMMENT || id == NULL ||
          g_hash_table_contains (seen, id))
        continue;
      own = nod_outbox_actions_of_thread (actions, id);
      nod_thread_view_update (ensure_thread (self, id, seen, &previous), NULL, own, now);
    }

  g_hash_table_iter_init (&iter, self->threads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_box_remove (self->threads_box, value);
        g_hash_table_iter_remove (&iter);
      }

  gtk_widget_set_visible (self->threads_heading, g_hash_table_size (self->threads) > 0);
  show_threads_count (self);
}

/* The review started on it, if one is: how many drafts, and what the comment box adds to. */
static void
show_review (NodMergeRequestPage *self,
             GPtrArray           *actions,
             gboolean             open)
{
  g_autofree char *text = NULL;

  self->draft_count = 0;
  for (guint i = 0; i < actions->len; i++)
    if (nod_outbox_action_get_state (actions->pdata[i]) == NOD_ACTION_DRAFT)
      self->draft_count++;

  if (self->draft_count == 0)
    text = g_strdup (_("Review started: your comments are drafts until you submit them"));
  else
    /* Translators: the drafts of the reviewer's review, not yet published */
    text = g_strdup_printf (ngettext ("Review: %u comment",
                                         "Review: %u comments", self->draft_count),
                            self->draft_count);
  gtk_label_set_text (self->review_label, text);
  gtk_widget_set_visible (self->review_bar, self->review_started);
  gtk_widget_set_visible (self->start_review_button, open && !self->review_started);
  gtk_button_set_label (GTK_BUTTON (self->comment_button),
                        self->review_started ? _("Add to _Review") : _("_Comment"));
  nod_changes_view_set_review_started (self->changes_view, self->review_started);
}

/**
 * nod_merge_request_page_set_review_started:
 *
 * Whether a review is started on the merge request shown next: its comments are drafts
 * then. Call it before nod_merge_request_page_show ().
 */
void
nod_merge_request_page_set_review_started (NodMergeRequestPage *self,
                                           gboolean             started)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));
  self->review_started = started;
}

gboolean
nod_merge_request_page_get_review_started (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), FALSE);
  return self->review_started;
}

/**
 * nod_merge_request_page_find_draft:
 *
 * Returns: (transfer none) (nullable): the draft @op_id of the review shown
 */
NodOutboxAction *
nod_merge_request_page_find_draft (NodMergeRequestPage *self,
                                   const char          *op_id)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);

  for (guint i = 0; self->actions != NULL && i < self->actions->len; i++)
    if (nod_outbox_action_get_state (self->actions->pdata[i]) == NOD_ACTION_DRAFT &&
        g_strcmp0 (nod_outbox_action_get_op_id (self->actions->pdata[i]), op_id) == 0)
      return self->actions->pdata[i];
  return NULL;
}

/**
 * nod_merge_request_page_find_own_note:
 *
 * The reviewer's latest note in the current thread that can still be changed before it
 * goes: a draft, or a comment or reply waiting in the outbox. %NULL when there is none.
 */
NodOutboxAction *
nod_merge_request_page_find_own_note (NodMergeRequestPage *self)
{
  const char *thread;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);

  thread = nod_merge_request_page_get_current_thread (self);
  for (guint i = self->actions != NULL ? self->actions->len : 0; thread != NULL && i > 0; i--)
    {
      NodOutboxAction *action = self->actions->pdata[i - 1];
      NodActionKind kind = nod_outbox_action_get_kind (action);
      NodActionState state = nod_outbox_action_get_state (action);
      g_autofree char *key = NULL;

      if ((kind != NOD_ACTION_COMMENT && kind != NOD_ACTION_REPLY) ||
          (state != NOD_ACTION_PENDING && state != NOD_ACTION_DRAFT))
        continue;
      key = nod_outbox_action_dup_thread_key (action);
      if (g_strcmp0 (key, thread) == 0)
        return action;
    }
  return NULL;
}

/**
 * nod_merge_request_page_find_note:
 *
 * Returns: (transfer none) (nullable): the note @note_id of the thread @discussion_id as
 *   GitLab has it, if it is shown
 */
NodNote *
nod_merge_request_page_find_note (NodMergeRequestPage *self,
                                  const char          *discussion_id,
                                  gint64               note_id)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);

  for (guint i = 0; self->discussions != NULL && i < self->discussions->len; i++)
    {
      NodDiscussion *discussion = self->discussions->pdata[i];
      GPtrArray *notes = nod_discussion_get_notes (discussion);

      if (g_strcmp0 (nod_discussion_get_id (discussion), discussion_id) != 0)
        continue;
      for (guint j = 0; j < notes->len; j++)
        if (nod_note_get_id (notes->pdata[j]) == note_id)
          return notes->pdata[j];
    }
  return NULL;
}

/**
 * nod_merge_request_page_find_own_posted_note:
 *
 * Returns: (transfer none) (nullable): the reviewer's latest note GitLab has in the current
 *   thread, one they may edit or delete
 */
NodNote *
nod_merge_request_page_find_own_posted_note (NodMergeRequestPage *self)
{
  const char *thread;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);

  thread = nod_merge_request_page_get_current_thread (self);
  for (guint i = 0; thread != NULL && self->discussions != NULL &&
                    i < self->discussions->len; i++)
    {
      NodDiscussion *discussion = self->discussions->pdata[i];
      GPtrArray *notes = nod_discussion_get_notes (discussion);

      if (g_strcmp0 (nod_discussion_get_id (discussion), thread) != 0)
        continue;
      for (guint j = notes->len; j > 0; j--)
        {
          NodNote *note = notes->pdata[j - 1];

          if (nod_note_is_written_by (note, self->own_username))
            return note;
        }
    }
  return NULL;
}

/* The drafts of the review shown. */
guint
nod_merge_request_page_get_draft_count (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), 0);
  return self->draft_count;
}

/**
 * nod_merge_request_page_show:
 * @actions: (element-type NodOutboxAction): the open actions of this merge request
 *
 * Shows @detail; if it is the merge request already shown, updates it in place.
 */
void
nod_merge_request_page_show (NodMergeRequestPage   *self,
                             NodMergeRequestDetail *detail,
                             GPtrArray             *actions,
                             GDateTime             *now)
{
  const NodMergeRequestView *view;
  g_autofree char *age = NULL;
  g_autofree char *meta = NULL;
  g_autofree char *branches = NULL;
  g_autofree char *approvals = NULL;
  gboolean same;
  gboolean open;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));
  g_return_if_fail (detail != NULL);

  view = detail->view;
  same = self->project_id == view->project_id && self->iid == view->iid;
  if (!same)
    {
      GtkAdjustment *adjustment;

      g_hash_table_remove_all (self->threads);
      g_clear_pointer (&self->current_thread, g_free);
      gtk_widget_set_visible (GTK_WIDGET (self->threads_box), FALSE);
      while (gtk_widget_get_first_child (GTK_WIDGET (self->threads_box)) != NULL)
        gtk_box_remove (self->threads_box,
                        gtk_widget_get_first_child (GTK_WIDGET (self->threads_box)));
      gtk_widget_set_visible (GTK_WIDGET (self->threads_box), TRUE);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->comment_view), "", -1);
      /* The description is formatted in a worker: until it is, the view would keep the
       * one of the merge request shown before. */
      nod_markdown_view_set_markdown (self->description_view, NULL);
      adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
      gtk_adjustment_set_value (adjustment, 0);
    }

  self->project_id = view->project_id;
  self->iid = view->iid;
  g_free (self->head_sha);
  self->head_sha = g_strdup (detail->sha);
  self->approved = view->approved_by_me;
  open = g_strcmp0 (view->state, "opened") == 0;

  /* Beside the Draft badge, GitLab's "Draft:" would say it twice. */
  gtk_label_set_text (self->title_label, nod_merge_request_view_get_shown_title (view));
  gtk_label_set_text (self->state_label, state_text (view->state, view->draft));
  age = nod_time_format_age_iso (view->created_at, now);
  /* Translators: "group/project!42 · opened by Alice 3 days ago" */
  meta = g_strdup_printf (_("%s!%" G_GINT64_FORMAT " · opened by %s %s"),
                          view->project_path ? view->project_path : "", view->iid,
                          view->author_name ? view->author_name
                                            : (view->author_username ? view->author_username
                                                                     : ""),
                          age);
  gtk_label_set_text (self->meta_label, meta);
  show_author (self, view);
  branches = g_strdup_printf ("%s → %s", view->source_branch ? view->source_branch : "?",
                              view->target_branch ? view->target_branch : "?");
  gtk_label_set_text (self->branches_label, branches);
  show_context (self, detail);
  if (!same)
    adw_expander_row_set_expanded (self->commits_row, FALSE);
  show_commits (self, detail, now);

  if (detail->reviewers != NULL && detail->reviewers->len > 0)
    {
      g_autofree char *names = nod_users_join_display_names (detail->reviewers);
      g_autofree char *described = nod_users_join_descriptions (detail->reviewers);
      g_autofree char *text = g_strdup_printf (_("Reviewers: %s"), names);

      /* Names as authors are shown; the tooltip adds the usernames (plain text). */
      gtk_label_set_text (self->reviewers_label, text);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reviewers_label), described);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reviewers_label),
                          detail->reviewers != NULL && detail->reviewers->len > 0);

  approvals = approvals_sentence (detail);
  gtk_label_set_text (self->approvals_label, approvals);
  gtk_button_set_label (self->approve_button,
                        view->approved_by_me ? _("Revoke Approval") : _("Approve"));
  if (view->approved_by_me)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->approve_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->approve_button), "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->approve_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->approve_button), "suggested-action");
    }
  /* GitLab says who may approve; revoking one's own approval is always allowed. */
  gtk_widget_set_visible (GTK_WIDGET (self->approve_button),
                          open && (view->can_approve || view->approved_by_me));

  nod_markdown_view_set_markdown (self->description_view,
                                  detail->description != NULL && *detail->description != '\0'
                                    ? detail->description : _("*No description.*"));

  g_clear_pointer (&self->actions, g_ptr_array_unref);
  self->actions = g_ptr_array_ref (actions);
  g_clear_pointer (&self->discussions, g_ptr_array_unref);
  self->discussions = g_ptr_array_ref (detail->discussions);
  g_free (self->own_username);
  self->own_username = g_strdup (detail->own_username);
  show_threads (self, detail, actions, now);
  gtk_widget_set_sensitive (self->comment_button, open);
  show_review (self, actions, open);

  /* The changes read themselves when first shown. */
  nod_changes_view_set_merge_request (self->changes_view, self->diff_cache, self->account_id,
                                      view->project_id, view->iid, detail->sha, view->web_url);
  nod_changes_view_set_own_username (self->changes_view, detail->own_username);
  nod_changes_view_set_discussions (self->changes_view, detail->discussions, actions, now);
}

/**
 * nod_merge_request_page_set_diff_source:
 * @cache: (nullable): where the changes are kept
 * @account_id: the account of the merge requests shown next
 *
 * Where the Changes view reads from; call it before nod_merge_request_page_show ().
 */
void
nod_merge_request_page_set_diff_source (NodMergeRequestPage *self,
                                        NodDiffCache        *cache,
                                        gint64               account_id)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));
  g_return_if_fail (cache == NULL || NOD_IS_DIFF_CACHE (cache));

  g_set_object (&self->diff_cache, cache);
  self->account_id = account_id;
}

/* What the page header says of the head pipeline ("Pipeline passed"), or NULL for none. */
const char *
nod_merge_request_page_get_pipeline_text (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->pipeline_label))
         ? gtk_label_get_text (self->pipeline_label) : NULL;
}

/* The merge status line ("Can be merged · 1 approval left · can approve: Sam"). */
const char *
nod_merge_request_page_get_merge_status_text (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return gtk_label_get_text (self->merge_status_label);
}

/* "overview" or "changes". */
const char *
nod_merge_request_page_get_view (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
nod_merge_request_page_set_view (NodMergeRequestPage *self,
                                 const char          *view)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));
  g_return_if_fail (g_strcmp0 (view, "overview") == 0 || g_strcmp0 (view, "changes") == 0);

  /* The stack's notify::visible-child-name notifies "view". */
  adw_view_stack_set_visible_child_name (self->view_stack, view);
}

NodChangesView *
nod_merge_request_page_get_changes_view (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return self->changes_view;
}

gint64
nod_merge_request_page_get_project_id (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), 0);
  return self->project_id;
}

gint64
nod_merge_request_page_get_iid (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), 0);
  return self->iid;
}

const char *
nod_merge_request_page_get_head_sha (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return self->head_sha;
}

/* What the reviewer sees: approved by them (sent or not). */
gboolean
nod_merge_request_page_get_approved (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), FALSE);
  return self->approved;
}

const char *
nod_merge_request_page_get_approvals_text (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return gtk_label_get_text (self->approvals_label);
}

/* The Discussion heading's count, "3 threads · 1 unresolved"; NULL when not shown. */
const char *
nod_merge_request_page_get_threads_text (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  if (!gtk_widget_get_visible (self->threads_heading) ||
      !gtk_widget_get_visible (self->threads_count))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->threads_count));
}

/**
 * nod_merge_request_page_get_commit_rows:
 *
 * Returns: (transfer none) (element-type AdwActionRow): the rows of the Commits section,
 *   newest commit first (and an "And N more" row last when GitLab has more)
 */
GPtrArray *
nod_merge_request_page_get_commit_rows (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return self->commit_rows;
}

GtkWidget *
nod_merge_request_page_get_commits_section (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return GTK_WIDGET (self->commits_row);
}

GtkWidget *
nod_merge_request_page_get_approve_button (NodMergeRequestPage *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self), NULL);
  return GTK_WIDGET (self->approve_button);
}

void
nod_merge_request_page_focus_comment (NodMergeRequestPage *self)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_PAGE (self));
  /* The comment box is the overview's. */
  nod_merge_request_page_set_view (self, "overview");
  gtk_widget_grab_focus (GTK_WIDGET (self->comment_view));
}
