/* nod-cli-diff.h: a merge request's kept changes, printed as a unified diff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "nod-merge-request-diff.h"

G_BEGIN_DECLS

/* How many columns of "+" and "-" a --stat row gets at most: more changes are scaled. */
#define NOD_CLI_DIFF_STAT_GRAPH_MAX 50

/* @files (NodDiffFile *) as git prints them: per file "diff --git a/OLD b/NEW", its mode,
 * rename and ---/+++ lines, then its hunks, rebuilt from the parsed lines (so the numbers
 * are the ones `nod comment --line` takes). A binary file is "Binary files … differ", one
 * GitLab or Nod left out "(too large to show; open @web_url)". Every text from the server
 * is made safe for a terminal (nod-cli-output.h); with @colour, SGR codes of its own mark
 * file headers bold, hunk headers cyan, removed lines red and added ones green. */
char *nod_cli_diff_format      (GPtrArray  *files,
                                const char *web_url,
                                gboolean    colour);

/* @files as `git diff --stat` shows them: " PATH | N ++--" per file, then " N files
 * changed, A insertions(+), D deletions(-)". Made safe as nod_cli_diff_format (). */
char *nod_cli_diff_format_stat (GPtrArray  *files,
                                gboolean    colour);

/* Lines of @text (a kept blob): a last line without its newline counts. */
guint nod_cli_diff_count_lines (GBytes     *text);

G_END_DECLS
