/* nod-settings.c: the settings Nod's app and command line share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * History depth is one choice, made in Preferences or with `nod account add --depth`;
 * both read and write it here, so they always agree.
 */

#include "config.h"

#include "nod-settings.h"

/**
 * nod_settings_new_if_installed:
 *
 * The command line may run where the schema is not installed (a build tree, a bare
 * container); g_settings_new() would abort there.
 *
 * Returns: (transfer full) (nullable): Nod's settings, or %NULL without the schema
 */
GSettings *
nod_settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

/* A "history-depth" choice in days: 30, 90, or 0 for all history. */
guint
nod_settings_history_days_from_depth (const char *depth)
{
  if (g_strcmp0 (depth, "all") == 0)
    return 0;
  if (g_strcmp0 (depth, "90-days") == 0)
    return 90;
  return 30;
}

/* The history-depth choice, in days: 30, 90, or 0 for all history. */
guint
nod_settings_get_history_days (GSettings *settings)
{
  g_autofree char *depth = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), 30);

  depth = g_settings_get_string (settings, "history-depth");
  return nod_settings_history_days_from_depth (depth);
}

/* @days: 30, 90, or 0 for all history; anything else counts as 30 */
void
nod_settings_set_history_days (GSettings *settings,
                               guint      days)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_settings_set_string (settings, "history-depth",
                         days == 0 ? "all" : days == 90 ? "90-days" : "30-days");
  /* A command exits right after: the write must not be lost on the way to dconf. */
  g_settings_sync ();
}
