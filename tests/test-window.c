/* test-window.c: the application starts and shows its window (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "nod-application.h"
#include "nod-test-utils.h"
#include "nod-window.h"

static gboolean have_display;

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
test_window_shows (void)
{
  g_autoptr(NodApplication) app = nod_application_new ();
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  /* A private instance: a Nod the developer has open must not take the call. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (NOD_IS_WINDOW (window));

  nod_test_wait_until (widget_is_mapped, window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Nod");

  /* The window takes its size from the settings. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    int width = 0, height = 0;

    gtk_window_get_default_size (window, &width, &height);
    g_assert_cmpint (width, ==, g_settings_get_int (settings, "window-width"));
    g_assert_cmpint (height, ==, g_settings_get_int (settings, "window-height"));
  }

  /* A second activation presents the same window rather than opening another. */
  g_application_activate (G_APPLICATION (app));
  g_assert_true (gtk_application_get_active_window (GTK_APPLICATION (app)) == window);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);

  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = nod_test_make_private_homes ("window");
  int status;

  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();

  g_test_add_func ("/nod/window/shows", test_window_shows);

  status = g_test_run ();
  nod_test_remove_tree (home);
  return status;
}
