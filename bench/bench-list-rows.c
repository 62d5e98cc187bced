/* bench-list-rows.c: what a frame costs when merge requests come into the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's list view keeps a row widget for up to 200 items around what is shown, and
 * builds, styles and lays out a row for every item that comes into that range. This puts
 * batches of new items into a list of the window's rows and reports the frame after each:
 * what the window's ROWS_PER_FRAME is chosen from.
 *
 * `bench-list-rows`: run with `meson test -C _build --benchmark -v` (under Xvfb).
 */

#include "config.h"

#include <adwaita.h>

#include "nod-merge-request-item.h"
#include "nod-merge-request-row.h"

typedef struct
{
  gint64 started_us;
  gint64 took_us;
  guint  n_frames;
} Frame;

static void
on_before_paint (GdkFrameClock *clock,
                 Frame         *frame)
{
  frame->started_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Frame         *frame)
{
  frame->took_us = g_get_monotonic_time () - frame->started_us;
  frame->n_frames++;
}

static void
on_setup (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item)
{
  gtk_list_item_set_child (list_item, nod_merge_request_row_new ());
}

static void
on_bind (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         GDateTime                *now)
{
  nod_merge_request_row_set_item (NOD_MERGE_REQUEST_ROW (gtk_list_item_get_child (list_item)),
                                  gtk_list_item_get_item (list_item), now);
}

static NodMergeRequestItem *
generated_item (guint n)
{
  NodMergeRequestView *view = g_new0 (NodMergeRequestView, 1);

  view->project_id = 1 + n % 7;
  view->iid = n;
  view->project_path = g_strdup_printf ("platform/service-%u", n % 7);
  view->title = g_strdup_printf ("Handle retries in the upload queue when the server "
                                 "answers 503, take %u", n);
  view->state = g_strdup ("opened");
  view->author_username = g_strdup ("alice");
  view->author_name = g_strdup ("Alice Liddell");
  view->updated_at = g_strdup ("2026-11-20T10:00:00Z");
  view->draft = n % 5 == 0;
  view->approvals_required = 2;
  view->approvals_given = n % 3;
  view->pending_actions = n % 11 == 0;
  return nod_merge_request_item_new (1, view);
}

/* The next frame: one is asked for, in case the change needs none. */
static gint64
next_frame_us (GtkWidget *widget,
               Frame     *frame)
{
  guint seen = frame->n_frames;

  gdk_frame_clock_request_phase (gtk_widget_get_frame_clock (widget),
                                 GDK_FRAME_CLOCK_PHASE_PAINT);

  while (frame->n_frames == seen)
    g_main_context_iteration (NULL, TRUE);
  return frame->took_us;
}

/* Puts @count new items in @items at @position and returns how long the frame took. */
static gint64
frame_after_splice (GtkWidget  *window,
                    Frame      *frame,
                    GListStore *items,
                    guint       position,
                    guint       count,
                    guint      *next_iid)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < count; i++)
    g_ptr_array_add (batch, generated_item ((*next_iid)++));
  g_list_store_splice (items, position, 0, batch->pdata, batch->len);
  return next_frame_us (window, frame);
}

int
main (int   argc,
      char *argv[])
{
  static const guint batches[] = { 4, 8, 16, 32 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GListStore) items = NULL;
  GtkListItemFactory *factory;
  GtkWidget *window, *scrolled, *list_view;
  Frame frame = { 0, };
  guint next_iid = 0;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run under Xvfb\n");
      return 0;
    }
  adw_init ();

  items = g_list_store_new (NOD_TYPE_MERGE_REQUEST_ITEM);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind), now);
  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (
                                   G_LIST_MODEL (g_object_ref (items)))),
                                 factory);
  gtk_widget_add_css_class (list_view, "navigation-sidebar");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list_view);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 800);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  g_signal_connect (gtk_widget_get_frame_clock (window), "before-paint",
                    G_CALLBACK (on_before_paint), &frame);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), &frame);
  next_frame_us (window, &frame);

  /* New rows: at the end of a list shorter than the rows GTK keeps, each one is built. */
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      gint64 took_us = frame_after_splice (window, &frame, items,
                                           g_list_model_get_n_items (G_LIST_MODEL (items)),
                                           batches[b], &next_iid);

      g_print ("# %2u rows built in one frame: %5.1f ms, %.2f ms a row\n", batches[b],
               took_us / 1000.0, took_us / 1000.0 / batches[b]);
    }

  /* All rows at once, as a list shown whole in one go would have them. */
  g_list_store_remove_all (items);
  next_frame_us (window, &frame);
  {
    gint64 took_us = frame_after_splice (window, &frame, items, 0, 400, &next_iid);

    g_print ("# 400 items shown in one frame: %.1f ms\n", took_us / 1000.0);
  }

  /* A pull's merge requests arriving at the top, above the rows there are. */
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      gint64 took_us = frame_after_splice (window, &frame, items, 0, batches[b], &next_iid);

      g_print ("# %2u items in at the top: %5.1f ms\n", batches[b], took_us / 1000.0);
    }

  g_print ("1..1\nok 1 frames measured\n");
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
