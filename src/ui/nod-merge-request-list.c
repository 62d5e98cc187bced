/* nod-merge-request-list.c: the sidebar's list of merge requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The accounts' merge requests as the cache holds them, filtered, one of them selected. A
 * reload reads them off the main thread, matches them to the items listed already, then
 * moves the list to them a frame's worth at a time: what GTK builds for a row is what
 * costs, and a pull can bring in thousands. GTK builds rows only for the items near what
 * is shown (a couple of hundred in GTK 4.8): the items past the last of those go in at
 * once, and only the rows GTK will build are paced.
 */

#define G_LOG_DOMAIN "nod-merge-request-list"

#include "config.h"

#include "nod-account.h"
#include "nod-merge-request-list.h"
#include "nod-merge-request-row.h"

/* Rows the list may build, bind or refresh in one frame. Without a GPU a row costs GTK
 * up to two milliseconds to style, lay out and draw (bench-list-rows), and GTK 4.8 keeps
 * rows for the 200 items from the top of what is shown: a pull that brings in a few
 * hundred merge requests would otherwise have them all built in one frame. Two keep the
 * busiest frame of a 2,000-MR pull near 9 ms of the UI thread's time (bench-main-loop),
 * and still fill a screenful of rows within a tenth of a second. */
#define ROWS_PER_FRAME 2
/* Rows added below every row there is, per frame: the rows above are not styled again,
 * so each costs a fraction of a millisecond. Six make 10,000 cached merge requests listed
 * within a second of the launch (bench-list-launch) and keep a frame of a 2,000-MR pull
 * with the window shown near 14 ms of the UI thread's time (bench-main-loop); eight made
 * that frame 18 ms. */
#define ROWS_BELOW_PER_FRAME 6
/* The shortest a row is, in pixels (a one-line title): the first frame of an empty list
 * builds the rows that can fill the window, a screenful. */
#define ROW_MIN_HEIGHT 76
/* Items that change, come in or go with no row built for them, per frame: cheap, not
 * free (the filter, the selection and the list view see each; 10,000 took 6 ms). */
#define UNSEEN_PER_FRAME 2048
/* Splices per frame: each costs the filter, the selection and the list view a pass. */
#define SPLICES_PER_FRAME 16
/* Merge requests an account's first reading of an empty list reads, to show them while
 * the rest is read: about the rows GTK builds, so the rest all go in at once. */
#define FIRST_READ_LIMIT 200
/* Views matched to list items per main-loop turn, about 1.5 ms' worth. */
#define VIEW_CHUNK 256
/* How often the rows on screen bring "5 min ago" up to date. */
#define CLOCK_INTERVAL_SECONDS 30

/* A listed merge request's newer view, waiting for its turn. */
typedef struct
{
  NodMergeRequestItem *item;
  NodMergeRequestView *view;
} ViewUpdate;

struct _NodMergeRequestList
{
  GtkWidget             parent_instance;

  NodReviewCache       *cache;
  GListModel           *accounts;         /* NodAccount: whose merge requests are listed */
  GCancellable         *cancellable;

  GListStore           *items;
  GtkCustomFilter      *filter;
  GtkFilterListModel   *filtered;
  GtkSingleSelection   *selection;
  NodMergeRequestFilter filter_mode;
  char                 *search;           /* case-folded */
  gboolean              empty;            /* as of the last step: the sidebar's empty page */

  GHashTable           *bound_rows;       /* the rows on screen, for the clock */
  guint                 rows_bound;       /* ever: a step counts what its splices cost */
  gboolean              replacing_items;  /* a step is splicing the list: keep the page */
  gboolean              list_loading;
  gboolean              list_dirty;       /* changed while loading: load again after */
  gboolean              showing_part;     /* the target is a first reading, the rest due */
  guint                 reload_source;
  guint                 clock_source;     /* one timer keeps "5 min ago" true */
  GPtrArray            *target;           /* the list being shown, a few rows a frame */
  GArray               *view_updates;     /* ViewUpdate, for items listed already */
  guint                 next_view_update;
  guint                 pace_id;          /* the tick callback or idle that takes steps */
  GtkWidget            *paced_by;         /* the window whose frames pace them; NULL: idle */
  gulong                root_unmap_handler;
  gboolean              skip_tick;
  NodMergeRequestItem  *lost_selection;   /* selected, and out of the list for a step */
  /* Selected, and hidden by the search or the filter: still the one the page shows, until
   * the reviewer picks another. */
  NodMergeRequestItem  *hidden_selection;
  gboolean              refiltering;      /* the search or filter is changing: keep the page */

  GtkListView          *list_view;
};

G_DEFINE_FINAL_TYPE (NodMergeRequestList, nod_merge_request_list, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_EMPTY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SELECTION_CHANGED,
  SIGNAL_RELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static NodMergeRequestItem *
selected_item (NodMergeRequestList *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* Where @wanted is among the items listed, or GTK_INVALID_LIST_POSITION. */
static guint
find_listed (NodMergeRequestList *self,
             NodMergeRequestItem *wanted)
{
  guint n_filtered = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n_filtered; i++)
    {
      g_autoptr(NodMergeRequestItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered),
                                                                   i);

      if (item == wanted)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* Selects @wanted where it is listed, ending its hiding; FALSE if it is not listed. */
static gboolean
select_if_listed (NodMergeRequestList *self,
                  NodMergeRequestItem *wanted)
{
  guint position = find_listed (self, wanted);

  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  g_clear_object (&self->hidden_selection);
  return TRUE;
}

static void
update_empty (NodMergeRequestList *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0;

  if (empty == self->empty)
    return;
  self->empty = empty;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY]);
}

/* ---- loading from the cache ---- */

typedef struct
{
  NodMergeRequestList *self;
  GPtrArray           *items;
  GHashTable          *known;          /* key → the item listed now */
  guint                account_index;
  GArray              *updates;        /* ViewUpdate */
  GPtrArray           *views;          /* the account's, being matched to items */
  guint                view_index;
  gint64               account_id;
  guint                limit;          /* views an account's reading gives; 0: all */
  gboolean             cut_short;      /* an account had more than the limit */
} ListLoad;

static void
view_update_clear (ViewUpdate *update)
{
  g_clear_object (&update->item);
  g_clear_pointer (&update->view, nod_merge_request_view_free);
}

static ListLoad *
list_load_new (NodMergeRequestList *self)
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
keep_selection (NodMergeRequestList *self,
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

/* Where a splice at a position of the store lands, as to the rows GTK has built. */
typedef enum
{
  SPLICE_AMONG_ROWS,   /* above or between rows: each item costs a row, others restyled */
  SPLICE_BELOW_ROWS,   /* after every row, in GTK's range: each item costs a row */
  SPLICE_PAST_ROWS,    /* after an item GTK built no row for: no row at all */
} SpliceSpot;

static gint
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  guint pa = *(const guint *) a, pb = *(const guint *) b;

  return pa < pb ? -1 : pa > pb;
}

/* The store positions of the last item with a row and of the first item after it with
 * none (G_MAXUINT when there is none), taking the longest run of rows: GTK's range around
 * what is shown (the selected or focused item may have a row of its own elsewhere). */
static void
find_row_range_end (NodMergeRequestList *self,
                    guint               *last_row,
                    guint               *first_rowless)
{
  GListModel *shown = G_LIST_MODEL (self->filtered);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (guint));
  GHashTableIter iter;
  gpointer list_item;
  guint run_start = 0, best_end = 0, best_length = 0;
  g_autoptr(GObject) last_item = NULL;
  g_autoptr(GObject) rowless_item = NULL;

  *last_row = G_MAXUINT;
  *first_rowless = G_MAXUINT;

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    {
      guint position = gtk_list_item_get_position (list_item);

      if (position != GTK_INVALID_LIST_POSITION)
        g_array_append_val (positions, position);
    }
  if (positions->len == 0)
    return;
  g_array_sort (positions, compare_positions);
  for (guint i = 0; i < positions->len; i++)
    {
      guint position = g_array_index (positions, guint, i);

      if (i == 0 || position != g_array_index (positions, guint, i - 1) + 1)
        run_start = position;
      if (position - run_start + 1 > best_length)
        {
          best_length = position - run_start + 1;
          best_end = position;
        }
    }

  last_item = g_list_model_get_item (shown, best_end);
  if (last_item == NULL || !g_list_store_find (self->items, last_item, last_row))
    {
      *last_row = G_MAXUINT;
      return;
    }
  rowless_item = g_list_model_get_item (shown, best_end + 1);
  if (rowless_item != NULL && !g_list_store_find (self->items, rowless_item, first_rowless))
    *first_rowless = G_MAXUINT;
}

static SpliceSpot
find_splice_spot (NodMergeRequestList *self,
                  guint                position)
{
  guint last_row, first_rowless;

  find_row_range_end (self, &last_row, &first_rowless);
  if (first_rowless != G_MAXUINT && position > first_rowless)
    return SPLICE_PAST_ROWS;
  /* An empty list, or one whose rows are all above. */
  if (last_row == G_MAXUINT || position > last_row)
    return SPLICE_BELOW_ROWS;
  return SPLICE_AMONG_ROWS;
}

/* Moves the list towards the target while @rows (for rows among the others) and @below
 * (for rows added after them) last, in the range between what already stays first and
 * what stays last, so the rest of the list (its rows, the filter's verdicts) is left as
 * it is. GTK binds a row, if any, as an item comes in or goes out: each costs one of the
 * budget the splice's spot draws on, and a splice takes no more items than that has left,
 * so it cannot overspend. Items past the rows GTK builds go in, or out, UNSEEN_PER_FRAME
 * at a time. Returns TRUE once the list is the target. */
static gboolean
splice_towards_target (NodMergeRequestList *self,
                       guint               *rows,
                       guint               *below)
{
  guint unseen = UNSEEN_PER_FRAME;
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
  while ((to_remove > 0 || to_add > 0) && splices++ < SPLICES_PER_FRAME)
    {
      SpliceSpot spot;
      guint last_row, first_rowless;
      guint *budget;
      /* Out, then in: a splice that did both could bind two rows for one item. */
      guint removed, added, bound_before, bound;

      /* What goes out past the rows goes first, from the far end, as no row sees it. */
      find_row_range_end (self, &last_row, &first_rowless);
      if (to_remove > 0 && first_rowless != G_MAXUINT && head + to_remove > first_rowless + 1)
        {
          guint from = MAX (head, first_rowless + 1);
          guint count = MIN (head + to_remove - from, unseen);

          if (count == 0)
            break;
          g_list_store_splice (self->items, head + to_remove - count, count, NULL, 0);
          to_remove -= count;
          unseen -= count;
          continue;
        }

      spot = find_splice_spot (self, head);
      if (spot == SPLICE_PAST_ROWS)
        budget = &unseen;
      else
        budget = spot == SPLICE_BELOW_ROWS ? below : rows;
      if (*budget == 0)
        break;
      removed = MIN (to_remove, *budget);
      added = removed > 0 ? 0 : MIN (to_add, *budget);
      bound_before = self->rows_bound;
      g_list_store_splice (self->items, head, removed, target->pdata + head, added);
      head += added;
      to_remove -= removed;
      to_add -= added;

      bound = self->rows_bound - bound_before;
      if (spot == SPLICE_PAST_ROWS)
        {
          unseen -= removed + added;
          /* Past the rows nothing should be built; if GTK did, it is paid for all the same. */
          budget = rows;
        }
      *budget -= MIN (bound, *budget);
    }
  keep_selection (self, was_selected);
  self->replacing_items = FALSE;
  return to_remove == 0 && to_add == 0;
}

/* Gives listed items their newer views while @rows lasts: an item with a row on screen
 * costs one, the others come nearly free. */
static void
apply_view_updates (NodMergeRequestList *self,
                    guint               *rows)
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
finish_showing (NodMergeRequestList *self)
{
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  /* Gone from the list for good, or filtered out. */
  g_clear_object (&self->lost_selection);
  if (self->hidden_selection != NULL)
    {
      g_autoptr(NodMergeRequestItem) hidden = g_object_ref (self->hidden_selection);
      guint stored;

      /* Changed to match the search: selected in the list again. */
      self->refiltering = TRUE;
      select_if_listed (self, hidden);
      self->refiltering = FALSE;
      /* Gone for good (pruned, its account removed): the page has nothing to show. */
      if (self->hidden_selection != NULL &&
          !g_list_store_find (self->items, self->hidden_selection, &stored))
        {
          g_clear_object (&self->hidden_selection);
          g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
        }
    }
  update_empty (self);
  /* A first reading in place: the list is on its way to the rest. */
  if (!self->showing_part)
    g_signal_emit (self, signals[SIGNAL_RELOADED], 0);
}

/* One frame's worth of the change: returns TRUE once the list shows the target. */
static gboolean
take_step (NodMergeRequestList *self)
{
  guint rows = ROWS_PER_FRAME;
  guint below = ROWS_BELOW_PER_FRAME;
  gboolean at_target;

  /* No row yet: the first frame shows a screenful. */
  if (g_hash_table_size (self->bound_rows) == 0)
    {
      GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

      if (root != NULL)
        below = MAX (below, (guint) gtk_widget_get_height (root) / ROW_MIN_HEIGHT + 1);
    }
  at_target = splice_towards_target (self, &rows, &below);

  apply_view_updates (self, &rows);
  update_empty (self);

  if (!at_target || self->next_view_update < self->view_updates->len)
    return FALSE;
  finish_showing (self);
  return TRUE;
}

static void schedule_steps (NodMergeRequestList *self);

static gboolean
on_step_tick (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  NodMergeRequestList *self = user_data;

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

/* The window, if it is on screen. Steps go by its frames, not the list's own: the list is
 * out of sight whenever the sidebar shows its empty page, or the leaflet the page alone,
 * and the window draws all the same. */
static GtkWidget *
mapped_window (NodMergeRequestList *self)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

  return window != NULL && gtk_widget_get_mapped (window) ? window : NULL;
}

/* A window not on screen gets no frames to pace by: steps go by idle. */
static gboolean
on_step_idle (gpointer user_data)
{
  NodMergeRequestList *self = user_data;

  if (take_step (self))
    {
      self->pace_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (mapped_window (self) == NULL)
    return G_SOURCE_CONTINUE;

  /* On screen now: a step a frame from the next one on. */
  self->pace_id = 0;
  schedule_steps (self);
  self->skip_tick = TRUE;
  return G_SOURCE_REMOVE;
}

static void
cancel_steps (NodMergeRequestList *self)
{
  if (self->pace_id == 0)
    return;
  if (self->paced_by != NULL)
    gtk_widget_remove_tick_callback (self->paced_by, self->pace_id);
  else
    g_source_remove (self->pace_id);
  self->pace_id = 0;
  self->paced_by = NULL;
}

/* Steps by @window's frames, or by idle when it is NULL. */
static void
pace_steps (NodMergeRequestList *self,
            GtkWidget           *window)
{
  self->skip_tick = FALSE;
  self->paced_by = window;
  if (window != NULL)
    self->pace_id = gtk_widget_add_tick_callback (window, on_step_tick, self, NULL);
  else
    self->pace_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_step_idle, self, NULL);
}

static void
schedule_steps (NodMergeRequestList *self)
{
  if (self->pace_id != 0)
    return;
  pace_steps (self, mapped_window (self));
}

/* The window is going off screen, or the list out of it: no more frames to pace by. */
static void
pace_by_idle (NodMergeRequestList *self)
{
  if (self->pace_id == 0 || self->paced_by == NULL)
    return;
  cancel_steps (self);
  pace_steps (self, NULL);
}

/* Moves the list to @items, giving the items listed already their @updates on the way, a
 * frame's worth at a time. */
static void
show_items (NodMergeRequestList *self,
            GPtrArray           *items,
            GArray              *updates)
{
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  self->target = g_ptr_array_ref (items);
  self->view_updates = g_array_ref (updates);
  self->next_view_update = 0;
  schedule_steps (self);
}

static gboolean
has_source (NodMergeRequestList *self)
{
  return self->cache != NULL && self->accounts != NULL;
}

static void
finish_list_load (ListLoad *load)
{
  NodMergeRequestList *self = load->self;

  /* Gone: what it read has nowhere to go. */
  if (self->items == NULL)
    {
      list_load_free (load);
      return;
    }

  show_items (self, load->items, load->updates);
  self->showing_part = load->cut_short;
  if (load->cut_short)
    self->list_dirty = TRUE;

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

  if (views == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not list merge requests: %s", error->message);
      load->account_index++;
      load_next_account (load);
      return;
    }

  /* The views are of the account asked for (load->account_id), whatever the list of
   * accounts became meanwhile. */
  load->views = g_steal_pointer (&views);
  load->view_index = 0;
  if (load->limit > 0 && load->views->len >= load->limit)
    load->cut_short = TRUE;
  if (match_views (load) == G_SOURCE_CONTINUE)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, match_views, load, NULL);
}

static void
load_next_account (ListLoad *load)
{
  NodMergeRequestList *self = load->self;
  g_autoptr(NodAccount) account = NULL;

  if (!has_source (self) || load->account_index >= g_list_model_get_n_items (self->accounts))
    {
      finish_list_load (load);
      return;
    }

  account = g_list_model_get_item (self->accounts, load->account_index);
  load->account_id = nod_account_get_id (account);
  if (load->limit > 0)
    nod_review_cache_list_first_views_async (self->cache, load->account_id, load->limit,
                                             self->cancellable, on_views_listed, load);
  else
    nod_review_cache_list_views_async (self->cache, load->account_id, self->cancellable,
                                       on_views_listed, load);
}

static gboolean
on_reload_due (gpointer user_data)
{
  NodMergeRequestList *self = user_data;

  self->reload_source = 0;
  nod_merge_request_list_reload (self);
  return G_SOURCE_REMOVE;
}

/* ---- filter, selection, rows ---- */

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  NodMergeRequestList *self = user_data;

  return nod_merge_request_item_matches (item, self->filter_mode, self->search);
}

static void
on_selection_changed (NodMergeRequestList *self)
{
  if (self->replacing_items || self->refiltering)
    return;
  /* The reviewer chose: a merge request out of the list for a step is not brought back. */
  g_clear_object (&self->lost_selection);
  g_clear_object (&self->hidden_selection);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
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
  NodMergeRequestList *self = user_data;

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
  NodMergeRequestList *self = user_data;

  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), refresh_row,
                                        list_item);
  g_hash_table_remove (self->bound_rows, list_item);
}

/* Keeps "5 min ago" true on the rows on screen; the others are bound fresh. */
static gboolean
on_clock_tick (gpointer user_data)
{
  NodMergeRequestList *self = user_data;
  GHashTableIter iter;
  gpointer list_item;

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    refresh_row (list_item);
  return G_SOURCE_CONTINUE;
}

/* ---- focus ---- */

/* The list is one stop of Tab, at the merge request selected; arrows move in it. */
static gboolean
nod_merge_request_list_focus (GtkWidget        *widget,
                              GtkDirectionType  direction)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean inside = focus != NULL && gtk_widget_is_ancestor (focus, widget);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (nod_merge_request_list_parent_class)->focus (widget, direction);
  if (inside)
    return FALSE;
  return nod_merge_request_list_focus_selected (self);
}

/* ---- GObject ---- */

static void
nod_merge_request_list_root (GtkWidget *widget)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (widget);

  GTK_WIDGET_CLASS (nod_merge_request_list_parent_class)->root (widget);

  self->root_unmap_handler = g_signal_connect_swapped (gtk_widget_get_root (widget), "unmap",
                                                       G_CALLBACK (pace_by_idle), self);
}

static void
nod_merge_request_list_unroot (GtkWidget *widget)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (widget);

  g_clear_signal_handler (&self->root_unmap_handler, gtk_widget_get_root (widget));
  pace_by_idle (self);

  GTK_WIDGET_CLASS (nod_merge_request_list_parent_class)->unroot (widget);
}

static void
nod_merge_request_list_dispose (GObject *object)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->clock_source, g_source_remove);
  cancel_steps (self);
  g_clear_pointer (&self->target, g_ptr_array_unref);
  g_clear_pointer (&self->view_updates, g_array_unref);
  g_clear_object (&self->lost_selection);
  g_clear_object (&self->hidden_selection);
  g_clear_object (&self->cache);
  g_clear_object (&self->accounts);

  gtk_widget_dispose_template (GTK_WIDGET (object), NOD_TYPE_MERGE_REQUEST_LIST);
  /* The template's root child is not bound to a field: unparent it by hand. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL;)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->items);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nod_merge_request_list_parent_class)->dispose (object);
}

static void
nod_merge_request_list_finalize (GObject *object)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (object);

  g_free (self->search);
  g_hash_table_unref (self->bound_rows);

  G_OBJECT_CLASS (nod_merge_request_list_parent_class)->finalize (object);
}

static void
nod_merge_request_list_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  NodMergeRequestList *self = NOD_MERGE_REQUEST_LIST (object);

  switch (prop_id)
    {
    case PROP_EMPTY:
      g_value_set_boolean (value, self->empty);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_merge_request_list_class_init (NodMergeRequestListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_merge_request_list_dispose;
  object_class->finalize = nod_merge_request_list_finalize;
  object_class->get_property = nod_merge_request_list_get_property;

  widget_class->root = nod_merge_request_list_root;
  widget_class->focus = nod_merge_request_list_focus;
  widget_class->unroot = nod_merge_request_list_unroot;

  /* Whether no merge request is shown, as of the list's last step (not each splice). */
  properties[PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NodMergeRequestList::selection-changed:
   *
   * The reviewer selected another merge request, or none, or the one selected left the
   * list. Not emitted while a step takes it out for a moment and selects it again.
   */
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * NodMergeRequestList::reloaded:
   *
   * The list shows what the cache held at the last reload, every item in place: the
   * selected merge request may have changed under its page.
   */
  signals[SIGNAL_RELOADED] =
    g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/"
                                               "nod-merge-request-list.ui");
  gtk_widget_class_bind_template_child (widget_class, NodMergeRequestList, list_view);
}

static void
nod_merge_request_list_init (NodMergeRequestList *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->bound_rows = g_hash_table_new (NULL, NULL);
  self->empty = TRUE;

  self->items = g_list_store_new (NOD_TYPE_MERGE_REQUEST_ITEM);
  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->items)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
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

  self->clock_source = g_timeout_add_seconds (CLOCK_INTERVAL_SECONDS, on_clock_tick, self);
}

/**
 * nod_merge_request_list_set_source:
 * @cache: (nullable): where the merge requests are read from
 * @accounts: (nullable): a list model of NodAccount: whose merge requests to list
 *
 * Lists @accounts' merge requests from @cache, reloading when either changed. With
 * either %NULL the list reads nothing.
 */
void
nod_merge_request_list_set_source (NodMergeRequestList *self,
                                   NodReviewCache      *cache,
                                   GListModel          *accounts)
{
  gboolean changed;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));
  g_return_if_fail (cache == NULL || NOD_IS_REVIEW_CACHE (cache));
  g_return_if_fail (accounts == NULL || G_IS_LIST_MODEL (accounts));

  changed = g_set_object (&self->cache, cache);
  changed |= g_set_object (&self->accounts, accounts);
  if (changed)
    nod_merge_request_list_reload (self);
}

/**
 * nod_merge_request_list_reload:
 *
 * Reads the merge requests again now; one reading at a time, so a reload asked for while
 * one runs follows it.
 */
void
nod_merge_request_list_reload (NodMergeRequestList *self)
{
  ListLoad *load;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));

  if (!has_source (self))
    return;
  if (self->list_loading)
    {
      self->list_dirty = TRUE;
      return;
    }

  self->list_loading = TRUE;
  load = list_load_new (self);
  /* Nothing listed yet: the newest first, to show them while the rest is read. */
  if (self->target == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->items)) == 0)
    load->limit = FIRST_READ_LIMIT;
  load_next_account (load);
}

/**
 * nod_merge_request_list_schedule_reload:
 * @delay_ms: how soon
 *
 * Reloads in @delay_ms, unless a reload is due already: changes that come in a burst
 * cost one reading.
 */
void
nod_merge_request_list_schedule_reload (NodMergeRequestList *self,
                                        guint                delay_ms)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));

  if (self->reload_source != 0)
    return;
  self->reload_source = g_timeout_add (delay_ms, on_reload_due, self);
}

/**
 * nod_merge_request_list_is_loading:
 *
 * Returns: whether the list is still on its way to what the cache holds: a reload is due
 *   or running, or its items are still going in, a frame's worth at a time
 */
gboolean
nod_merge_request_list_is_loading (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), FALSE);

  return self->reload_source != 0 || self->list_loading || self->target != NULL;
}

/**
 * nod_merge_request_list_is_empty:
 *
 * Returns: the #NodMergeRequestList:empty property: whether no merge request is shown
 */
gboolean
nod_merge_request_list_is_empty (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), TRUE);

  return self->empty;
}

/**
 * nod_merge_request_list_get_model:
 *
 * Returns: (transfer none): the merge requests listed (NodMergeRequestItem), as filtered
 */
GListModel *
nod_merge_request_list_get_model (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

/**
 * nod_merge_request_list_get_selected:
 *
 * Returns: (transfer none) (nullable): the merge request selected
 */
NodMergeRequestItem *
nod_merge_request_list_get_selected (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), NULL);

  return selected_item (self) != NULL ? selected_item (self) : self->hidden_selection;
}

/* The search or the filter changed. A reviewer filtering the list goes on reading what is
 * open: the merge request selected stays the one selected, hidden or not, and is selected
 * in the list again when it shows there again. */
static void
refilter (NodMergeRequestList *self)
{
  g_autoptr(NodMergeRequestItem) wanted = NULL;

  if (selected_item (self) != NULL)
    wanted = g_object_ref (selected_item (self));
  else if (self->hidden_selection != NULL)
    wanted = g_object_ref (self->hidden_selection);

  self->refiltering = TRUE;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (wanted != NULL && !select_if_listed (self, wanted))
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      g_set_object (&self->hidden_selection, wanted);
    }
  self->refiltering = FALSE;
  update_empty (self);
}

/**
 * nod_merge_request_list_select:
 *
 * Selects the merge request @iid of @project_id, if it is listed.
 *
 * Returns: whether it is
 */
gboolean
nod_merge_request_list_select (NodMergeRequestList *self,
                               gint64               project_id,
                               gint64               iid)
{
  guint n_items;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), FALSE);

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

/**
 * nod_merge_request_list_move_selection:
 * @step: how many rows down (up when negative)
 *
 * Selects the merge request @step rows from the selected one, stopping at either end, and
 * scrolls to it. With none selected, selects the first (or the last, going up).
 */
void
nod_merge_request_list_move_selection (NodMergeRequestList *self,
                                       int                  step)
{
  guint n_items;
  guint position;
  guint next;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  position = gtk_single_selection_get_selected (self->selection);
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

NodMergeRequestFilter
nod_merge_request_list_get_filter_mode (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW);

  return self->filter_mode;
}

/**
 * nod_merge_request_list_set_filter_mode:
 * @mode: which merge requests to list
 */
void
nod_merge_request_list_set_filter_mode (NodMergeRequestList  *self,
                                        NodMergeRequestFilter mode)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));

  self->filter_mode = mode;
  refilter (self);
}

/**
 * nod_merge_request_list_get_search:
 *
 * Returns: (nullable): the text searched for, case-folded; %NULL before any search
 */
const char *
nod_merge_request_list_get_search (NodMergeRequestList *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), NULL);

  return self->search;
}

/**
 * nod_merge_request_list_set_search:
 * @search: (nullable): the text the merge requests listed must contain, in any case
 */
void
nod_merge_request_list_set_search (NodMergeRequestList *self,
                                   const char          *search)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_LIST (self));

  g_free (self->search);
  self->search = search != NULL ? g_utf8_casefold (search, -1) : NULL;
  refilter (self);
}

/**
 * nod_merge_request_list_focus_selected:
 *
 * Scrolls to the merge request selected and focuses its row (the first row when none is
 * selected), so the arrows go on from there.
 *
 * Returns: whether a row took the focus
 */
gboolean
nod_merge_request_list_focus_selected (NodMergeRequestList *self)
{
  guint position;
  GHashTableIter iter;
  gpointer list_item;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_LIST (self), FALSE);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    return FALSE;
  position = gtk_single_selection_get_selected (self->selection);
  if (position == GTK_INVALID_LIST_POSITION)
    position = 0;
  /* Scrolling makes sure the row is there; the list's own focus may be on another row. */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    if (gtk_list_item_get_position (list_item) == position)
      {
        GtkWidget *row = gtk_list_item_get_child (list_item);

        if (row != NULL && gtk_widget_get_parent (row) != NULL &&
            gtk_widget_grab_focus (gtk_widget_get_parent (row)))
          return TRUE;
      }
  return gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}
