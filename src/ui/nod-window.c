/* nod-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sidebar of merge requests beside the one being reviewed, and the status bar along the
 * bottom. Everything shown comes from the cache (through the engine) with the outbox
 * replayed over it; everything done goes to the engine. Nothing here waits on the
 * network or on SQL: results come back and the window updates.
 */

#define G_LOG_DOMAIN "nod-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-merge-request-item.h"
#include "nod-merge-request-page.h"
#include "nod-merge-request-row.h"
#include "nod-status-indicator.h"
#include "nod-window.h"

/* How soon the list follows a change; a pull in progress refreshes it at most this often. */
#define RELOAD_DELAY_MS 100
#define PULL_RELOAD_DELAY_MS 1000
/* Rows the list may build, bind or refresh in one frame. Without a GPU a row costs GTK
 * up to two milliseconds to style, lay out and draw (bench-list-rows), and GTK 4.8 keeps
 * rows for the 200 items from the top of what is shown: a pull that brings in a few
 * hundred merge requests would otherwise have them all built in one frame. Two keep the
 * busiest frame of a 2,000-MR pull near 9 ms of the UI thread's time (bench-main-loop),
 * and still fill a screenful of rows within a tenth of a second. */
#define ROWS_PER_FRAME 2
/* Items that change with no row built for them, per frame: cheap, not free. */
#define UNSEEN_PER_FRAME 512
/* Splices per frame: each costs the filter, the selection and the list view a pass. */
#define SPLICES_PER_FRAME 16
/* Views matched to list items per main-loop turn, about 1.5 ms' worth. */
#define VIEW_CHUNK 256

/* A listed merge request's newer view, waiting for its turn. */
typedef struct
{
  NodMergeRequestItem *item;
  NodMergeRequestView *view;
} ViewUpdate;

struct _NodWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  NodApplication       *application;
  NodSyncEngine        *engine;
  NodAccounts          *accounts;
  GCancellable         *cancellable;

  GListStore           *items;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkSingleSelection   *selection;
  NodMergeRequestFilter filter_mode;
  char                 *search;          /* case-folded */

  GHashTable           *bound_rows;      /* the rows on screen, for the clock */
  guint                 rows_bound;      /* ever: a step counts what its splices cost */
  gboolean              replacing_items;  /* a step is splicing the list: keep the page */
  gboolean              list_loading;
  gboolean              list_dirty;       /* changed while loading: load again after */
  guint                 reload_source;
  guint                 clock_source;     /* one timer keeps "5 min ago" true */
  GPtrArray            *target;           /* the list being shown, a few rows a frame */
  GArray               *view_updates;     /* ViewUpdate, for items listed already */
  guint                 next_view_update;
  guint                 pace_id;          /* the tick callback or idle that takes steps */
  gboolean              pace_by_tick;
  gboolean              skip_tick;
  NodMergeRequestItem  *lost_selection;   /* selected, and out of the list for a step */
  guint                 page_generation;  /* drops a page load overtaken by another */
  GtkWidget            *indicator;

  GtkStack             *main_stack;
  GtkBox               *main_box;
  AdwStatusPage        *error_page;
  AdwLeaflet           *leaflet;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *filter_dropdown;
  GtkStack             *sidebar_stack;
  GtkListView          *list_view;
  AdwStatusPage        *empty_list_page;
  AdwWindowTitle       *content_title;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *content_stack;
  NodMergeRequestPage  *page;
};

G_DEFINE_FINAL_TYPE (NodWindow, nod_window, ADW_TYPE_APPLICATION_WINDOW)

static void load_page (NodWindow *self);

static NodMergeRequestItem *
selected_item (NodWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* ---- the list ---- */

static void
update_sidebar (NodWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  if (n_items > 0)
    gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
  else
    {
      gboolean searching = self->search != NULL && *self->search != '\0';

      adw_status_page_set_title (self->empty_list_page,
                                 searching ? _("No Results") : _("Nothing Here"));
      adw_status_page_set_description (
        self->empty_list_page,
        searching ? _("No merge request matches your search")
                  : (self->filter_mode == NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW
                       ? _("No merge request is waiting for your review")
                       : _("No merge requests in this list yet")));
      gtk_stack_set_visible_child_name (self->sidebar_stack, "empty");
    }
}

typedef struct
{
  NodWindow  *self;
  GPtrArray  *items;
  GHashTable *known;          /* key → the item listed now */
  guint       account_index;
  GArray     *updates;        /* ViewUpdate */
  GPtrArray  *views;          /* the account's, being matched to items */
  guint       view_index;
  gint64      account_id;
} ListLoad;

static void
view_update_clear (ViewUpdate *update)
{
  g_clear_object (&update->item);
  g_clear_pointer (&update->view, nod_merge_request_view_free);
}

static ListLoad *
list_load_new (NodWindow *self)
{
  ListLoad *load = g_new0 (ListLoad, 1);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  load->self = g_object_ref (self);
  load->items = g_ptr_array_new_with_free_func (g_object_unref);
  load->updates = g_array_new (FALSE, FALSE, sizeof (ViewUpdate));
  g_array_set_clear_func (load->updates, (GDestroyNotify) view_update_clear);
  load->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  /* What the list is on its way to, if it is not there yet: those are the items to keep. */
  if (self->target != NULL)
    for (guint i = 0; i < self->target->len; i++)
      g_hash_table_insert (load->known, nod_merge_request_item_dup_key (self->target->pdata[i]),
                           g_object_ref (self->target->pdata[i]));
  else
    for (guint i = 0; i < n_items; i++)
      {
        NodMergeRequestItem *item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

        g_hash_table_insert (load->known, nod_merge_request_item_dup_key (item), item);
      }
  return load;
}

static void
list_load_free (ListLoad *load)
{
  g_ptr_array_unref (load->items);
  g_array_unref (load->updates);
  g_hash_table_unref (load->known);
  g_clear_pointer (&load->views, g_ptr_array_unref);
  g_object_unref (load->self);
  g_free (load);
}

static void load_next_account (ListLoad *load);

/* A step may take the selected merge request out of the list before putting it back
 * where it now belongs: it is selected again as soon as it is back. */
static void
keep_selection (NodWindow           *self,
                NodMergeRequestItem *was_selected)
{
  NodMergeRequestItem *wanted = self->lost_selection != NULL ? self->lost_selection
                                                             : was_selected;
  guint n_filtered;

  if (wanted == NULL || selected_item (self) == wanted)
    {
      g_clear_object (&self->lost_selection);
      return;
    }

  n_filtered = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n_filtered; i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered),
                                                                   i);

      if (item == wanted)
        {
          gtk_single_selection_set_selected (self->selection, i);
          g_clear_object (&self->lost_selection);
          return;
        }
    }
  g_set_object (&self->lost_selection, wanted);
}

/* Moves the list towards the target while @rows lasts, in the range between what already
 * stays first and what stays last, so the rest of the list (its rows, the filter's
 * verdicts) is left as it is. GTK binds a row, if any, as an item comes in or goes out:
 * each costs one of @rows, and a splice takes no more items than @rows has left, so it
 * cannot overspend. Items that get no row (filtered out, or past GTK's rows) are cheap.
 * Returns TRUE once the list is the target. */
static gboolean
splice_towards_target (NodWindow *self,
                       guint     *rows)
{
  GListModel *listed = G_LIST_MODEL (self->items);
  GPtrArray *target = self->target;
  guint n_listed = g_list_model_get_n_items (listed);
  guint head = 0, tail = 0, to_remove, to_add, splices = 0;
  g_autoptr(NodMergeRequestItem) was_selected = NULL;

  while (head < n_listed && head < target->len)
    {
      g_autoptr(GObject) item = g_list_model_get_item (listed, head);

      if (item != target->pdata[head])
        break;
      head++;
    }
  while (tail < n_listed - head && tail < target->len - head)
    {
      g_autoptr(GObject) item = g_list_model_get_item (listed, n_listed - 1 - tail);

      if (item != target->pdata[target->len - 1 - tail])
        break;
      tail++;
    }

  to_remove = n_listed - head - tail;
  to_add = target->len - head - tail;
  if (to_remove == 0 && to_add == 0)
    return TRUE;

  if (selected_item (self) != NULL)
    was_selected = g_object_ref (selected_item (self));
  self->replacing_items = TRUE;
  while ((to_remove > 0 || to_add > 0) && *rows > 0 && splices++ < SPLICES_PER_FRAME)
    {
      /* Out, then in: a splice that did both could bind two rows for one item. */
      guint removed = MIN (to_remove, *rows);
      guint added = removed > 0 ? 0 : MIN (to_add, *rows);
      guint bound_before = self->rows_bound;
      guint bound;

      g_list_store_splice (self->items, head, removed, target->pdata + head, added);
      head += added;
      to_remove -= removed;
      to_add -= added;

      bound = self->rows_bound - bound_before;
      *rows -= MIN (bound, *rows);
    }
  keep_selection (self, was_selected);
  self->replacing_items = FALSE;
  return to_remove == 0 && to_add == 0;
}

/* Gives listed items their newer views while @rows lasts: an item with a row on screen
 * costs one, the others come nearly free. */
static void
apply_view_updates (NodWindow *self,
                    guint     *rows)
{
  guint unseen = UNSEEN_PER_FRAME;
  guint changed_signal = g_signal_lookup ("changed", NOD_TYPE_MERGE_REQUEST_ITEM);

  while (self->next_view_update < self->view_updates->len && *rows > 0 && unseen > 0)
    {
      ViewUpdate *update = &g_array_index (self->view_updates, ViewUpdate,
                                           self->next_view_update++);

      /* A row on screen listens to its item. */
      if (g_signal_has_handler_pending (update->item, changed_signal, 0, FALSE))
        (*rows)--;
      else
        unseen--;
      nod_merge_request_item_set_view (update->item, g_steal_pointer (&update->view));
    }
}

static void
finish_showing (NodWindow *self)
{
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  /* Gone from the list for good, or filtered out. */
  g_clear_object (&self->lost_selection);
  update_sidebar (self);
  load_page (self);
}

/* One frame's worth of the change: returns TRUE once the list shows the target. */
static gboolean
take_step (NodWindow *self)
{
  guint rows = ROWS_PER_FRAME;
  gboolean at_target = splice_towards_target (self, &rows);

  apply_view_updates (self, &rows);
  update_sidebar (self);

  if (!at_target || self->next_view_update < self->view_updates->len)
    return FALSE;
  finish_showing (self);
  return TRUE;
}

static void schedule_steps (NodWindow *self);

static gboolean
on_step_tick (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  NodWindow *self = user_data;

  /* This frame lays out what the last idle step put in already. */
  if (self->skip_tick)
    {
      self->skip_tick = FALSE;
      return G_SOURCE_CONTINUE;
    }
  if (!take_step (self))
    return G_SOURCE_CONTINUE;
  self->pace_id = 0;
  return G_SOURCE_REMOVE;
}

/* A window not on screen gets no frames to pace by: steps go by idle. */
static gboolean
on_step_idle (gpointer user_data)
{
  NodWindow *self = user_data;

  if (take_step (self))
    {
      self->pace_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return G_SOURCE_CONTINUE;

  /* On screen now: a step a frame from the next one on. */
  self->pace_id = 0;
  schedule_steps (self);
  self->skip_tick = TRUE;
  return G_SOURCE_REMOVE;
}

static void
cancel_steps (NodWindow *self)
{
  if (self->pace_id == 0)
    return;
  if (self->pace_by_tick)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->pace_id);
  else
    g_source_remove (self->pace_id);
  self->pace_id = 0;
}

static void
schedule_steps (NodWindow *self)
{
  if (self->pace_id != 0)
    return;

  self->skip_tick = FALSE;
  self->pace_by_tick = gtk_widget_get_mapped (GTK_WIDGET (self));
  if (self->pace_by_tick)
    self->pace_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_step_tick, self, NULL);
  else
    self->pace_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_step_idle, self, NULL);
}

static void
on_unmapped (NodWindow *self)
{
  if (self->pace_id == 0 || !self->pace_by_tick)
    return;
  cancel_steps (self);
  schedule_steps (self);
}

/* Moves the list to @items, giving the items listed already their @updates on the way, a
 * frame's worth at a time. */
static void
show_items (NodWindow *self,
            GPtrArray *items,
            GArray    *updates)
{
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  self->target = g_ptr_array_ref (items);
  self->view_updates = g_array_ref (updates);
  self->next_view_update = 0;
  schedule_steps (self);
}

static void
finish_list_load (ListLoad *load)
{
  NodWindow *self = load->self;

  show_items (self, load->items, load->updates);

  self->list_loading = FALSE;
  list_load_free (load);

  if (self->list_dirty)
    {
      self->list_dirty = FALSE;
      self->list_loading = TRUE;
      load_next_account (list_load_new (self));
    }
}

/* Matches views to the items listed now, VIEW_CHUNK per main-loop turn: a few thousand
 * merge requests take the loop longer than a frame. */
static gboolean
match_views (gpointer user_data)
{
  ListLoad *load = user_data;
  guint end = MIN (load->view_index + VIEW_CHUNK, load->views->len);

  for (; load->view_index < end; load->view_index++)
    {
      NodMergeRequestView *view = g_steal_pointer (&load->views->pdata[load->view_index]);
      g_autofree char *key = nod_merge_request_key (load->account_id, view);
      NodMergeRequestItem *item = g_hash_table_lookup (load->known, key);

      /* The same item, with its new view in a later step: the list view keeps its row. */
      if (item != NULL)
        {
          if (nod_merge_request_view_equal (nod_merge_request_item_get_view (item), view))
            nod_merge_request_view_free (view);
          else
            {
              ViewUpdate update = { g_object_ref (item), view };

              g_array_append_val (load->updates, update);
            }
          g_ptr_array_add (load->items, g_object_ref (item));
        }
      else
        g_ptr_array_add (load->items, nod_merge_request_item_new (load->account_id, view));
    }

  if (load->view_index < load->views->len)
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&load->views, g_ptr_array_unref);
  load->account_index++;
  load_next_account (load);
  return G_SOURCE_REMOVE;
}

static void
on_views_listed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ListLoad *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) views = nod_review_cache_list_views_finish (NOD_REVIEW_CACHE (source_object),
                                                                   result, &error);
  g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (load->self->accounts),
                                                         load->account_index);

  if (views == NULL)
    g_warning ("Could not list merge requests: %s", error->message);
  if (views == NULL || account == NULL)
    {
      load->account_index++;
      load_next_account (load);
      return;
    }

  load->views = g_steal_pointer (&views);
  load->view_index = 0;
  load->account_id = nod_account_get_id (account);
  if (match_views (load) == G_SOURCE_CONTINUE)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, match_views, load, NULL);
}

static void
load_next_account (ListLoad *load)
{
  NodWindow *self = load->self;
  g_autoptr(NodAccount) account = NULL;

  if (self->engine == NULL ||
      load->account_index >= g_list_model_get_n_items (G_LIST_MODEL (self->accounts)))
    {
      finish_list_load (load);
      return;
    }

  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), load->account_index);
  nod_review_cache_list_views_async (nod_sync_engine_get_cache (self->engine),
                                     nod_account_get_id (account), self->cancellable,
                                     on_views_listed, load);
}

static void
reload_list (NodWindow *self)
{

  if (self->engine == NULL)
    return;
  if (self->list_loading)
    {
      self->list_dirty = TRUE;
      return;
    }

  self->list_loading = TRUE;
  load_next_account (list_load_new (self));
}

static gboolean
on_reload_due (gpointer user_data)
{
  NodWindow *self = user_data;

  self->reload_source = 0;
  reload_list (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (NodWindow *self,
                 guint      delay_ms)
{
  if (self->reload_source != 0)
    return;
  self->reload_source = g_timeout_add (delay_ms, on_reload_due, self);
}

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  NodWindow *self = user_data;

  return nod_merge_request_item_matches (item, self->filter_mode, self->search);
}

static void
on_search_changed (NodWindow *self)
{
  g_free (self->search);
  self->search = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_sidebar (self);
}

static void
on_filter_selected (NodWindow *self)
{
  self->filter_mode = (NodMergeRequestFilter) gtk_drop_down_get_selected (self->filter_dropdown);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_sidebar (self);
}

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, nod_merge_request_row_new ());
}

static void
refresh_row (GtkListItem *list_item)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  nod_merge_request_row_set_item (NOD_MERGE_REQUEST_ROW (gtk_list_item_get_child (list_item)),
                                  gtk_list_item_get_item (list_item), now);
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  NodWindow *self = user_data;

  refresh_row (list_item);
  g_signal_connect_object (gtk_list_item_get_item (list_item), "changed",
                           G_CALLBACK (refresh_row), list_item, G_CONNECT_SWAPPED);
  g_hash_table_add (self->bound_rows, list_item);
  self->rows_bound++;
}

static void
on_row_unbind (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  NodWindow *self = user_data;

  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), refresh_row,
                                        list_item);
  g_hash_table_remove (self->bound_rows, list_item);
}

/* Keeps "5 min ago" true on the rows on screen; the others are bound fresh. */
static gboolean
on_clock_tick (gpointer user_data)
{
  NodWindow *self = user_data;
  GHashTableIter iter;
  gpointer list_item;

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    refresh_row (list_item);
  return G_SOURCE_CONTINUE;
}

/* ---- the page ---- */

typedef struct
{
  NodWindow             *self;
  guint                  generation;
  gint64                 account_id;
  NodMergeRequestDetail *detail;
} PageLoad;

static void
page_load_free (PageLoad *load)
{
  g_clear_pointer (&load->detail, nod_merge_request_detail_free);
  g_object_unref (load->self);
  g_free (load);
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
  g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (load->generation == self->page_generation && all != NULL)
    {
      for (guint i = 0; i < all->len; i++)
        {
          NodOutboxAction *action = all->pdata[i];

          if (nod_outbox_action_get_project_id (action) == load->detail->view->project_id &&
              nod_outbox_action_get_mr_iid (action) == load->detail->view->iid)
            g_ptr_array_add (mine, g_object_ref (action));
        }
      nod_merge_request_page_show (self->page, load->detail, mine, now);
      adw_window_title_set_title (self->content_title, load->detail->view->title);
      gtk_stack_set_visible_child_name (self->content_stack, "page");
    }
  else if (all == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not list the outbox: %s", error->message);

  page_load_free (load);
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

  nod_outbox_list_async (nod_sync_engine_get_outbox (self->engine), load->account_id,
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
  nod_review_cache_load_detail_async (nod_sync_engine_get_cache (self->engine),
                                      load->account_id, view->project_id, view->iid,
                                      self->cancellable, on_detail_loaded, load);
}

static void
on_selection_changed (NodWindow *self)
{
  if (self->replacing_items)
    return;
  /* The reviewer chose: a merge request out of the list for a step is not brought back. */
  g_clear_object (&self->lost_selection);
  load_page (self);
  if (selected_item (self) != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_clicked (NodWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* ---- review actions ---- */

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NodWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) action = NULL;

  action = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result, &error);
  if (error != NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }
  /* Shown at once from the outbox, marked pending until GitLab has it. */
  reload_list (self);
}

static void
enqueue (NodWindow       *self,
         NodOutboxAction *action)
{
  g_autoptr(NodOutboxAction) owned = action;

  if (self->engine == NULL)
    return;
  nod_sync_engine_enqueue_async (self->engine, owned, NULL, on_enqueued, g_object_ref (self));
}

static gint64
shown_account (NodWindow *self)
{
  NodMergeRequestItem *item = selected_item (self);

  return item != NULL ? nod_merge_request_item_get_account_id (item) : 0;
}

static void
toggle_approval (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);
  gint64 account_id = shown_account (self);
  gint64 project_id = nod_merge_request_page_get_project_id (self->page);
  gint64 iid = nod_merge_request_page_get_iid (self->page);

  if (account_id == 0 || iid == 0 ||
      !gtk_widget_get_visible (nod_merge_request_page_get_approve_button (self->page)))
    return;

  if (nod_merge_request_page_get_approved (self->page))
    enqueue (self, nod_outbox_action_new_unapprove (account_id, project_id, iid));
  else
    enqueue (self, nod_outbox_action_new_approve (account_id, project_id, iid,
                                                  nod_merge_request_page_get_head_sha (
                                                    self->page)));
}

static void
on_page_comment (NodWindow  *self,
                 const char *body)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_comment (account_id,
                                                  nod_merge_request_page_get_project_id (
                                                    self->page),
                                                  nod_merge_request_page_get_iid (self->page),
                                                  body));
}

static void
on_page_reply (NodWindow  *self,
               const char *discussion_id,
               const char *body)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_reply (account_id,
                                                nod_merge_request_page_get_project_id (self->page),
                                                nod_merge_request_page_get_iid (self->page),
                                                discussion_id, body));
}

static void
on_page_resolve (NodWindow  *self,
                 const char *discussion_id,
                 gboolean    resolved)
{
  gint64 account_id = shown_account (self);

  if (account_id != 0)
    enqueue (self, nod_outbox_action_new_resolve (account_id,
                                                  nod_merge_request_page_get_project_id (
                                                    self->page),
                                                  nod_merge_request_page_get_iid (self->page),
                                                  discussion_id, resolved));
}

static void
move_selection (NodWindow *self,
                int        step)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint position = gtk_single_selection_get_selected (self->selection);
  guint next;

  if (n_items == 0)
    return;
  if (position == GTK_INVALID_LIST_POSITION)
    next = step > 0 ? 0 : n_items - 1;
  else if (step < 0 && position == 0)
    return;
  else
    next = MIN (position + step, n_items - 1);

  gtk_single_selection_set_selected (self->selection, next);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", next);
}

static void
next_merge_request (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  move_selection (NOD_WINDOW (widget), 1);
}

static void
previous_merge_request (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  move_selection (NOD_WINDOW (widget), -1);
}

static void
focus_comment (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  if (selected_item (self) != NULL)
    nod_merge_request_page_focus_comment (self->page);
}

static void
toggle_search (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  NodWindow *self = NOD_WINDOW (widget);

  gtk_toggle_button_set_active (self->search_button,
                                !gtk_toggle_button_get_active (self->search_button));
  if (gtk_toggle_button_get_active (self->search_button))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
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

static void
on_accounts_changed (NodWindow *self)
{
  update_main_stack (self);
  schedule_reload (self, RELOAD_DELAY_MS);
}

static void
on_counts_changed (NodWindow *self)
{
  schedule_reload (self, RELOAD_DELAY_MS);
}

static void
on_progress_changed (NodWindow *self)
{
  schedule_reload (self, PULL_RELOAD_DELAY_MS);
}

static void
attach_engine (NodWindow *self)
{
  NodSyncEngine *engine = nod_application_get_engine (self->application);
  NodSyncStatus *status;

  if (engine == NULL || self->engine != NULL)
    {
      update_main_stack (self);
      return;
    }

  self->engine = g_object_ref (engine);
  self->accounts = g_object_ref (nod_application_get_accounts (self->application));
  status = nod_sync_engine_get_status (engine);

  g_signal_connect_object (engine, "job-finished", G_CALLBACK (on_counts_changed), self,
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
                                                          nod_sync_engine_get_outbox (engine)));
  gtk_box_append (self->main_box, self->indicator);

  update_main_stack (self);
  reload_list (self);
}

/* ---- GObject ---- */

static void
nod_window_dispose (GObject *object)
{
  NodWindow *self = NOD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->clock_source, g_source_remove);
  cancel_steps (self);
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  g_clear_object (&self->lost_selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->engine);
  g_clear_object (&self->accounts);
  g_clear_object (&self->selection);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nod_window_parent_class)->dispose (object);
}

static void
nod_window_finalize (GObject *object)
{
  NodWindow *self = NOD_WINDOW (object);

  g_free (self->search);
  g_hash_table_unref (self->bound_rows);

  G_OBJECT_CLASS (nod_window_parent_class)->finalize (object);
}

static void
nod_window_class_init (NodWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_window_dispose;
  object_class->finalize = nod_window_finalize;

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
  gtk_widget_class_bind_template_child (widget_class, NodWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, empty_list_page);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, NodWindow, page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_page_comment);
  gtk_widget_class_bind_template_callback (widget_class, on_page_reply);
  gtk_widget_class_bind_template_callback (widget_class, on_page_resolve);

  gtk_widget_class_install_action (widget_class, "win.toggle-approval", NULL, toggle_approval);
  gtk_widget_class_install_action (widget_class, "win.next-merge-request", NULL,
                                   next_merge_request);
  gtk_widget_class_install_action (widget_class, "win.previous-merge-request", NULL,
                                   previous_merge_request);
  gtk_widget_class_install_action (widget_class, "win.comment", NULL, focus_comment);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, toggle_search);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "win.next-merge-request", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK,
                                       "win.previous-merge-request", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.toggle-approval", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.comment", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
nod_window_init (NodWindow *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->bound_rows = g_hash_table_new (NULL, NULL);

  /* The window comes back the size the reviewer left it. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);

  self->items = g_list_store_new (NOD_TYPE_MERGE_REQUEST_ITEM);
  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->items),
                                              GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (on_selection_changed), self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_row_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_row_unbind), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmapped), NULL);

  g_signal_connect_swapped (self->filter_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_selected), self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->list_view));

  self->clock_source = g_timeout_add_seconds (30, on_clock_tick, self);
  update_sidebar (self);
}

NodWindow *
nod_window_new (NodApplication *application)
{
  NodWindow *self;

  g_return_val_if_fail (NOD_IS_APPLICATION (application), NULL);

  self = g_object_new (NOD_TYPE_WINDOW, "application", application, NULL);
  self->application = application;
  g_signal_connect_object (application, "notify::engine", G_CALLBACK (attach_engine), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::startup-error",
                           G_CALLBACK (update_main_stack), self, G_CONNECT_SWAPPED);
  attach_engine (self);
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
  return self->reload_source != 0 || self->list_loading || self->target != NULL;
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
  return G_LIST_MODEL (self->filtered);
}

gboolean
nod_window_select_merge_request (NodWindow *self,
                                 gint64     project_id,
                                 gint64     iid)
{
  guint n_items;

  g_return_val_if_fail (NOD_IS_WINDOW (self), FALSE);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered),
                                                                   i);
      const NodMergeRequestView *view = nod_merge_request_item_get_view (item);

      if (view->project_id == project_id && view->iid == iid)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
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
