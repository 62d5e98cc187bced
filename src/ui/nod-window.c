/* nod-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-window"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-window.h"

struct _NodWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (NodWindow, nod_window, ADW_TYPE_APPLICATION_WINDOW)

static void
nod_window_dispose (GObject *object)
{
  NodWindow *self = NOD_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (nod_window_parent_class)->dispose (object);
}

static void
nod_window_class_init (NodWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-window.ui");
}

static void
nod_window_init (NodWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The window comes back the size the reviewer left it. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);
}

NodWindow *
nod_window_new (NodApplication *application)
{
  g_return_val_if_fail (NOD_IS_APPLICATION (application), NULL);

  return g_object_new (NOD_TYPE_WINDOW, "application", application, NULL);
}
