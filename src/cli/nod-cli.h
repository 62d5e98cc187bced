/* nod-cli.h: carrying out one command line against the sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-cli-command.h"
#include "nod-session.h"

G_BEGIN_DECLS

#define NOD_TYPE_CLI (nod_cli_get_type ())

G_DECLARE_FINAL_TYPE (NodCli, nod_cli, NOD, CLI, GObject)

NodCli *nod_cli_new         (NodSession               *session);
NodCli *nod_cli_new_headless (void);
void    nod_cli_run_async   (NodCli                   *self,
                             GApplicationCommandLine  *command_line,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data);
int     nod_cli_run_finish  (NodCli                   *self,
                             GAsyncResult             *result);

int     nod_cli_main        (int                       argc,
                             char                    **argv);

G_END_DECLS
