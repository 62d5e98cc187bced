/* nod-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sidebar of merge requests beside the one being reviewed, and the status bar along the
 * bottom. Everything shown comes from the cache (through the engine) with the outbox
 * replayed over it; everything done goes to the engine. Nothing here waits on the
 * network or on SQL: results come back and the window updates.
 *
 * Here: the window's pages (starting, error, welcome, main), the sidebar around the list
 * (NodMergeRequestList, which loads itself), the merge request page and the status bar.
 * What the reviewer does from the window is in nod-window-actions.c.
 */

#define G_LOG_DOMAIN "nod-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-status-indicator.h"
#include "nod-window-private.h"

/* How soon the list follows a change; a pull in progress refreshes it at most this often. */
#define RELOAD_DELAY_MS 100
#define PULL_RELOAD_DELAY_MS 1000

G_DEFINE_FINAL_TYPE (NodWindow, nod_window, ADW_TYPE_APPLICATION_WINDOW)

static NodMergeRequestItem *
selected_item (NodWindow *self)
{
  return nod_merge_request_list_get_selected (self->merge_request_list);
}

/* ---- the sidebar ---- */

/* "No merge request matches “TEXT”", as status-page markup: the text escaped, its
 * control characters blanked (markup refuses them), its length bounded. */
static char *
no_match_markup (const char *search)
{
  g_autofree char *valid = g_utf8_make_valid (search, -1);
  g_autofree char *shown = g_utf8_strlen (valid, -1) > 64 ? g_utf8_substring (valid, 0, 64)
                                                          : g_strdup (valid);
  g_autofree char *escaped = NULL;

  for (char *c = shown; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  escaped = g_markup_escape_text (shown, -1);
  /* Translators: the sidebar after a search found nothing; %s is what was searched for */
  return g_strdup_printf (_("No merge request matches “%s”"), escaped);
}

static void
update_sidebar (NodWindow *self)
{
  if (!nod_merge_request_list_is_empty (self->merge_request_list))
    gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
  else
    {
      const char *search = nod_merge_request_list_get_search (self->merge_request_list);
      gboolean searching = search != NULL && *search != '\0';
      NodMergeRequestFilter filter_mode =
        nod_merge_request_list_get_filter_mode (self->merge_request_list);

      g_autofree char *no_match = searching
        ? no_match_markup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)))
        : NULL;

      adw_status_page_set_icon_name (self->empty_list_page,
                                     searching ? "system-search-symbolic"
                                               : "io.github.nodreview.Nod-symbolic");
      adw_status_page_set_title (self->empty_list_page,
                                 searching ? _("No Results") : _("Nothing Here"));
      adw_status_page_set_description (
        self->empty_list_page,
        searching ? no_match
                  : (filter_mode == NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW
                       ? _("No merge request is waiting for your review")
                       : _("No merge requests in this list yet")));
      gtk_stack_set_visible_child_name (self->sidebar_stack, "empty");
    }
}

static void
on_search_changed (NodWindow *self)
{
  nod_merge_request_list_set_search (self->merge_request_list,
                                     gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_sidebar (self);
}

static void
on_filter_selected (NodWindow *self)
{
  nod_merge_request_list_set_filter_mode (
    self->merge_request_list,
    (NodMergeRequestFilter) gtk_drop_down_get_selected (self->filter_dropdown));
  update_sidebar (self);
}

/* ---- the page ---- */

typedef struct
{
  NodWindow             *self;
  guint                  generation;
  gint64                 account_id;
  NodMergeRequestDetail *detail;
  GPtrArray             *actions;  /* the merge request's open actions, then its drafts */
} PageLoad;

static void
page_load_free (PageLoad *load)
{
  g_clear_pointer (&load->detail, nod_merge_request_detail_free);
  g_clear_pointer (&load->actions, g_ptr_array_unref);
  g_object_unref (load->self);
  g_free (load);
}

static void
on_marked_opened (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nod_review_cache_mark_opened_finish (NOD_REVIEW_CACHE (source_object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not keep that the merge request was opened: %s", error->message);
}

/* The reviewer sees it now: it is not "updated since you last looked" any more. */
static void
mark_opened (NodWindow *self,
             PageLoad  *load)
{
  const NodMergeRequestView *view = load->detail->view;
  NodMergeRequestItem *item = selected_item (self);

  nod_review_cache_mark_opened_async (nod_session_get_cache (self->session), load->account_id,
                                      view->project_id, view->iid, NULL, on_marked_opened,
                                      NULL);
  if (item != NULL && nod_merge_request_item_get_account_id (item) == load->account_id &&
      nod_merge_request_item_get_view (item)->project_id == view->project_id &&
      nod_merge_request_item_get_view (item)->iid == view->iid)
    nod_merge_request_item_mark_opened (item);
}

static void
on_drafts_listed (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PageLoad *load = user_data;
  NodWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean started = FALSE;

  drafts = nod_outbox_list_drafts_finish (NOD_OUTBOX (source_object), result, &started, &error);
  if (load->generation == self->page_generation && drafts != NULL)
    {
      for (guint i = 0; i < drafts->len; i++)
        g_ptr_array_add (load->actions, g_object_ref (drafts->pdata[i]));
      nod_merge_request_page_set_diff_source (self->page,
                                              nod_session_get_diff_cache (self->session),
                                              load->account_id);
      nod_merge_request_page_set_review_started (self->page, started);
      nod_merge_request_page_show (self->page, load->detail, load->actions, now);
      adw_window_title_set_title (self->content_title, load->detail->view->title);
      mark_opened (self, load);
      gtk_stack_set_visible_child_name (self->content_stack, "page");
    }
  else if (drafts == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not list the review’s drafts: %s", error->message);

  page_load_free (load);
}

static void
on_actions_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PageLoad *load = user_data;
  NodWindow *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = nod_outbox_list_finish (NOD_OUTBOX (source_object), result, &error);

  if (load->generation != self->page_generation || all == NULL)
    {
      if (all == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list the outbox: %s", error->message);
      page_load_free (load);
      return;
    }

  load->actions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    {
      NodOutboxAction *action = all->pdata[i];

      if (nod_outbox_action_get_project_id (action) == load->detail->view->project_id &&
          nod_outbox_action_get_mr_iid (action) == load->detail->view->iid)
        g_ptr_array_add (load->actions, g_object_ref (action));
    }
  nod_outbox_list_drafts_async (NOD_OUTBOX (source_object), load->account_id,
                                load->detail->view->project_id, load->detail->view->iid,
                                self->cancellable, on_drafts_listed, load);
}

static void
on_detail_loaded (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PageLoad *load = user_data;
  NodWindow *self = load->self;
  g_autoptr(GError) error = NULL;

  load->detail = nod_review_cache_load_detail_finish (NOD_REVIEW_CACHE (source_object), result,
                                                      &error);
  if (load->detail == NULL || load->generation != self->page_generation || self->engine == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the merge request: %s", error->message);
      page_load_free (load);
      return;
    }

  nod_outbox_list_async (nod_session_get_outbox (self->session), load->account_id,
                         self->cancellable, on_actions_listed, load);
}

static void
load_page (NodWindow *self)
{
  NodMergeRequestItem *item = selected_item (self);
  const NodMergeRequestView *view;
  PageLoad *load;

  self->page_generation++;
  if (item == NULL || self->engine == NULL)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "none");
      adw_window_title_set_title (self->content_title, "");
      return;
    }

  view = nod_merge_request_item_get_view (item);
  load = g_new0 (PageLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->page_generation;
  load->account_id = nod_merge_request_item_get_account_id (item);
  nod_review_cache_load_detail_async (nod_session_get_cache (self->session),
                                      load->account_id, view->project_id, view->iid,
                                      self->cancellable, on_detail_loaded, load);
}

/* The reviewer chose: show it, and on a narrow window go to it. What they were writing on
 * the page shown before is no place for the focus: it goes to the list. */
static void
on_list_selection_changed (NodWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->page)))
    nod_merge_request_list_focus_selected (self->merge_request_list);
  load_page (self);
  /* Only a folded leaflet has to go: side by side, it would take the focus from the list
   * (on to the status bar) as the reviewer moves down it. */
  if (selected_item (self) != NULL && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* The list is where a review starts: once its first rows come, the keys go to it, unless
 * the reviewer has already put them somewhere (the search, the page). */
static void
on_list_filled (NodWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (nod_merge_request_list_is_empty (self->merge_request_list) || self->list_focused_once)
    return;
  self->list_focused_once = TRUE;
  if (focus == NULL || !(GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus) ||
                         gtk_widget_is_ancestor (focus, GTK_WIDGET (self->page))))
    nod_merge_request_list_focus_selected (self->merge_request_list);
}

/* The review menu is there while a merge request is. */
static void
on_content_shown (NodWindow *self)
{
  gtk_widget_set_visible (self->review_menu_button,
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack),
                                     "page") == 0);
}

static void
on_back_clicked (NodWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- the engine ---- */

static void
update_main_stack (NodWindow *self)
{
  const char *error = nod_application_get_startup_error (self->application);
  const char *name;
  GtkStackTransitionType transition;

  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error);
      name = "error";
    }
  else if (self->engine == NULL)
    name = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    name = "welcome";
  else
    name = "main";

  /* The spinner is up for a moment as Nod starts: fading the whole window in from it says
   * nothing, and without a GPU it costs a dozen slow frames just as the first sync begins. */
  transition = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "loading") == 0
                 ? GTK_STACK_TRANSITION_TYPE_NONE
                 : gtk_stack_get_transition_type (self->main_stack);
  gtk_stack_set_visible_child_full (self->main_stack, name, transition);
}

/* Where the window gets what it shows and what it acts on: the engine and the accounts
 * come from the application, once it has them; the list reads the cache and follows what
 * the engine reports. */

static void
on_accounts_changed (NodWindow *self)
{
  update_main_stack (self);
  nod_merge_request_list_schedule_reload (self->merge_request_list, RELOAD_DELAY_MS);
}

static void
on_counts_changed (NodWindow *self)
{
  nod_merge_request_list_schedule_reload (self->merge_request_list, RELOAD_DELAY_MS);
}

/* An action cancelled or edited (here or by a command): its text may be all that changed. */
static void
on_outbox_changed (NodWindow *self)
{
  nod_merge_request_list_schedule_reload (self->merge_request_list, RELOAD_DELAY_MS);
  if (self->indicator != NULL)
    nod_status_indicator_reload (NOD_STATUS_INDICATOR (self->indicator));
}

static void
on_progress_changed (NodWindow *self)
{
  nod_merge_request_list_schedule_reload (self->merge_request_list, PULL_RELOAD_DELAY_MS);
}

static void
attach_session (NodWindow *self)
{
  NodSession *session = nod_application_get_session (self->application);
  NodSyncStatus *status;

  if (session == NULL || self->session != NULL)
    {
      update_main_stack (self);
      return;
    }

  self->session = g_object_ref (session);
  self->engine = nod_session_get_engine (session);
  self->accounts = nod_session_get_accounts (session);
  status = nod_sync_engine_get_status (self->engine);

  g_signal_connect_object (self->engine, "job-finished", G_CALLBACK (on_counts_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "outbox-changed", G_CALLBACK (on_outbox_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (status, "notify::pending-count", G_CALLBACK (on_counts_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (status, "notify::failed-count", G_CALLBACK (on_counts_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (status, "notify::progress-current",
                           G_CALLBACK (on_progress_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->accounts, "items-changed", G_CALLBACK (on_accounts_changed),
                           self, G_CONNECT_SWAPPED);

  self->indicator = GTK_WIDGET (nod_status_indicator_new (status,
                                                          nod_session_get_outbox (session)));
  gtk_box_append (self->main_box, self->indicator);

  update_main_stack (self);
  /* Reads the list for the first time. */
  nod_merge_request_list_set_source (self->merge_request_list, nod_session_get_cache (session),
                                     G_LIST_MODEL (self->accounts));
}

/* ---- focus ---- */

static gboolean
holds_focus (GtkWidget *widget,
             GtkWidget *focus)
{
  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* Tab goes from the list to the page and Shift+Tab back, each one stop: the leaflet
 * between them would send Tab from the list on to the status bar. */
static gboolean
nod_window_focus (GtkWidget        *widget,
                  GtkDirectionType  direction)
{
  NodWindow *self = NOD_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gboolean side_by_side = !adw_leaflet_get_folded (self->leaflet);
  gboolean page_shown = g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack),
                                   "page") == 0;

  if (side_by_side && page_shown && direction == GTK_DIR_TAB_FORWARD &&
      holds_focus (GTK_WIDGET (self->merge_request_list), focus))
    {
      nod_merge_request_page_focus_view (self->page);
      return TRUE;
    }
  if (direction == GTK_DIR_TAB_BACKWARD && holds_focus (GTK_WIDGET (self->page), focus))
    {
      /* Within a reply box or the comment box first. */
      if (gtk_widget_child_focus (GTK_WIDGET (self->page), direction))
        return TRUE;
      if (side_by_side && gtk_widget_get_mapped (GTK_WIDGET (self->merge_request_list)) &&
          nod_merge_request_list_focus_selected (self->merge_request_list))
        return TRUE;
    }

  return GTK_WIDGET_CLASS (nod_window_parent_class)->focus (widget, direction);
}

/* ---- GObject ---- */

static void
nod_window_dispose (GObject *object)
{
  NodWindow *self = NOD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  /* A reading the list started keeps it alive a little longer: it reports to no one. */
  if (self->merge_request_list != NULL)
    g_signal_handlers_disconnect_by_data (self->merge_request_list, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_WINDOW);
  g_clear_object (&self->settings);
  self->engine = NULL;
  self->accounts = NULL;
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nod_window_parent_class)->dispose (object);
}

static void
nod_window_class_init (NodWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_window_dispose;
  widget_class->focus = nod_window_focus;

  g_type_ensure (NOD_TYPE_MERGE_REQUEST_LIST);
  g_type_ensure (NOD_TYPE_MERGE_REQUEST_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NodWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, main_box);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, merge_request_list);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, empty_list_page);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, review_menu_button);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_list_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, update_sidebar);
  gtk_widget_class_bind_template_callback (widget_class, load_page);

  _nod_window_install_actions (widget_class);
}

static void
nod_window_init (NodWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  /* The window comes back the size the reviewer left it. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_swapped (self->content_stack, "notify::visible-child-name",
                            G_CALLBACK (on_content_shown), self);
  g_signal_connect_swapped (self->filter_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_selected), self);
  g_signal_connect_swapped (self->merge_request_list, "notify::empty",
                            G_CALLBACK (on_list_filled), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar,
                                         GTK_WIDGET (self->merge_request_list));
  _nod_window_connect_page (self);
  update_sidebar (self);
}

NodWindow *
nod_window_new (NodApplication *application)
{
  NodWindow *self;

  g_return_val_if_fail (NOD_IS_APPLICATION (application), NULL);

  self = g_object_new (NOD_TYPE_WINDOW, "application", application, NULL);
  self->application = application;
  g_signal_connect_object (application, "notify::session", G_CALLBACK (attach_session), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::startup-error",
                           G_CALLBACK (update_main_stack), self, G_CONNECT_SWAPPED);
  attach_session (self);
  return self;
}

/**
 * nod_window_is_list_loading:
 *
 * Returns: whether the list is still on its way to what the cache holds: a reload is due
 *   or running, or its items are still going in, a frame's worth at a time
 */
gboolean
nod_window_is_list_loading (NodWindow *self)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), FALSE);
  return nod_merge_request_list_is_loading (self->merge_request_list);
}

/**
 * nod_window_get_merge_requests:
 *
 * Returns: (transfer none): the merge requests listed, as filtered
 */
GListModel *
nod_window_get_merge_requests (NodWindow *self)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), NULL);
  return nod_merge_request_list_get_model (self->merge_request_list);
}

gboolean
nod_window_select_merge_request (NodWindow *self,
                                 gint64     project_id,
                                 gint64     iid)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), FALSE);
  return nod_merge_request_list_select (self->merge_request_list, project_id, iid);
}

GtkWidget *
nod_window_get_page (NodWindow *self)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->page);
}

GtkWidget *
nod_window_get_indicator (NodWindow *self)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), NULL);
  return self->indicator;
}

/* "loading", "error", "welcome" or "main". */
const char *
nod_window_get_visible_page (NodWindow *self)
{
  g_return_val_if_fail (NOD_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}
