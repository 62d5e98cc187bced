/* nod-test-cli.h: running the real `nod` binary against the fake GitLab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "nod-fake-gitlab.h"

G_BEGIN_DECLS

/* The token the fake accepts; the runner fails a test that finds it in anything nod prints. */
#define NOD_TEST_CLI_TOKEN "glpat-cli-test-0123456789"

/* One test's fake GitLab and the private homes its `nod` children share, so that one run
 * sees what the run before left. */
typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  char          *data_home;
  char          *config_home;
  const char    *nod_path;
  /* The child gets the session bus (for the keyring); otherwise it has none, so there is
   * no running Nod to forward to. */
  gboolean       use_session_bus;
  /* No GITLAB_URL/GITLAB_TOKEN: the child acts for stored accounts only. */
  gboolean       without_one_off_account;
  /* GITLAB_TOKEN, if not NOD_TEST_CLI_TOKEN: one the fake refuses, say. */
  const char    *one_off_token;
  /* No G_MESSAGES_DEBUG: stderr holds only what nod says, as a user sees it. */
  gboolean       without_debug_logs;
  /* Run in each child just before it becomes nod (g_subprocess_launcher_set_child_setup),
   * or NULL. */
  GSpawnChildSetupFunc child_setup;
} NodTestCli;

/* What a child did: its exit status and everything it wrote, NUL-terminated (a NUL it
 * wrote itself shows in the length). */
typedef struct
{
  int    status;
  char  *out;
  gsize  out_len;
  char  *err;
  gsize  err_len;
} NodTestCliOutcome;

/* g_test_init () for a test of the `nod` binary its one argument names, which the fixtures
 * below then use; without one, it exits with a usage line. */
void                 nod_test_cli_init            (int               *argc,
                                                   char            ***argv);
void                 nod_test_cli_fixture_set_up  (NodTestCli        *cli,
                                                   gconstpointer      data);
void                 nod_test_cli_fixture_tear_down (NodTestCli      *cli,
                                                     gconstpointer    data);
#define NOD_TEST_CLI_ADD(path, func) \
  g_test_add ((path), NodTestCli, NULL, nod_test_cli_fixture_set_up, (func), \
              nod_test_cli_fixture_tear_down)

void                 nod_test_cli_set_up          (NodTestCli        *cli,
                                                   const char        *nod_path);
void                 nod_test_cli_tear_down       (NodTestCli        *cli);
GSubprocessLauncher *nod_test_cli_new_launcher    (NodTestCli        *cli);

/* Runs `nod ARGS…` (NULL-terminated) with @input (may be %NULL) on its stdin, serving the
 * fake meanwhile. */
void                 nod_test_cli_run             (NodTestCli        *cli,
                                                   NodTestCliOutcome *outcome,
                                                   const char        *input,
                                                   ...) G_GNUC_NULL_TERMINATED;
/* The same with any bytes on stdin and a NULL-terminated @args (without the program). */
void                 nod_test_cli_run_bytes       (NodTestCli        *cli,
                                                   NodTestCliOutcome *outcome,
                                                   GBytes            *input,
                                                   const char * const *args);

/* Signs in the fake's reviewer through the keyring (the session bus on from then on);
 * FALSE, and the case skipped, without a usable one. */
gboolean             nod_test_cli_add_keyring_account (NodTestCli    *cli);

/* The data directory's database, read and written behind nod's back. */
char                *nod_test_cli_store_path      (NodTestCli        *cli);
void                 nod_test_cli_exec_store      (NodTestCli        *cli,
                                                   const char        *sql);
gint64               nod_test_cli_query_store     (NodTestCli        *cli,
                                                   const char        *sql);

/* What the fake has of a merge request, read through GitLab's API as a client would. */
GPtrArray           *nod_test_cli_list_discussions (NodTestCli       *cli,
                                                    gint64            project_id,
                                                    gint64            iid);
guint                nod_test_cli_count_notes     (NodTestCli        *cli,
                                                   gint64             project_id,
                                                   gint64             iid,
                                                   const char        *body);

void                 nod_test_cli_outcome_clear   (NodTestCliOutcome *outcome);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NodTestCliOutcome, nod_test_cli_outcome_clear)

G_END_DECLS
