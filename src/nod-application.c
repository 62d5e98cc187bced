/* nod-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-application.h"
#include "nod-window.h"

struct _NodApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (NodApplication, nod_application, ADW_TYPE_APPLICATION)

static void
nod_application_activate (GApplication *app)
{
  NodApplication *self = NOD_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (nod_window_new (self));

  gtk_window_present (window);
}

static void
nod_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (nod_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
nod_application_class_init (NodApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = nod_application_activate;
  app_class->startup = nod_application_startup;
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  NodApplication *self = user_data;
  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Nod"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Nod developers"),
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/nodreview/nod",
                         "issue-url", "https://github.com/nodreview/nod/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Nod developers",
                         NULL);
}

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", on_about },
  { "quit", on_quit },
};

static void
nod_application_init (NodApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
}

NodApplication *
nod_application_new (void)
{
  return g_object_new (NOD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/nodreview/Nod",
                       NULL);
}
