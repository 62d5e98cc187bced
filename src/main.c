/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "nod-application.h"
#include "nod-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(NodApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* `nod WORD …` is a command (or a mistyped one, --help or an unknown option: it says
   * so), and never starts GTK: it must work over SSH and in scripts. Only the window's own
   * options (`nod --demo`) open the app. */
  if (argc > 1 && nod_cli_is_command_line (argv[1]))
    return nod_cli_main (argc, argv);

  app = nod_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
