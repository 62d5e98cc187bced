/* nod-cli-private.h: what nod-cli.c and the verb files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * nod-cli.c opens what a verb needs, then calls the verb's function with a GTask whose
 * task data is a NodCliRun. The verb prints through the run and ends the task with
 * _nod_cli_finish () or _nod_cli_finish_error (), exactly once.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "nod-cli.h"
#include "nod-cli-output.h"

G_BEGIN_DECLS

/* A verb, or a step of one: @task's data is a NodCliRun. */
typedef void (*NodCliVerbFunc) (GTask *task);

typedef struct _NodCliRun NodCliRun;

/* What `pull`, `push` and `sync` wait for, as the progress line names it. */
typedef enum
{
  NOD_CLI_PROGRESS_NONE,
  NOD_CLI_PROGRESS_PULL,
  NOD_CLI_PROGRESS_PUSH,
} NodCliProgress;

struct _NodCliRun
{
  GApplicationCommandLine *command_line;
  NodCliCommand           *command;
  gboolean                 headless;       /* with no app: a session of its own */

  /* Nod's data, and the session's engine, outbox and accounts for short; NULL for help. */
  NodSession              *session;
  NodSyncEngine           *engine;
  NodOutbox               *outbox;
  NodAccounts             *accounts;

  /* The signed-in account and its forge, for the verbs that act for one. */
  NodAccount              *account;
  NodForge                *forge;

  /* Waiting for the engine (_nod_cli_when_idle ()). */
  gulong                   status_handler;
  gulong                   busy_handler;     /* the engine's :busy, beside its status */
  gulong                   waiting_handler;   /* another process sends first */
  guint                    timeout_source;
  guint                    idle_source;
  NodCliVerbFunc           when_idle;
  /* The progress line on this process's terminal, while `pull`, `push` or `sync` waits:
   * what it names, what it shows now (NULL: nothing drawn), when it was last drawn
   * (monotonic) and the redraw due once 100 ms have passed since. */
  NodCliProgress           progress;
  char                    *progress_line;
  gint64                   progress_drawn_us;
  guint                    progress_source;

  /* Writes: the project REF names, what to queue once GitLab has said which merge request
   * it is, and the comment or reply's text. */
  gint64                   project_id;
  NodOutboxAction       *(*new_action) (NodCliRun       *run,
                                         const char      *head_sha);
  char                    *body;
  NodCliVerbFunc           after_body;     /* what goes on once the body is read */
  /* comment --file --line: where, on the kept diff; NULL for a general comment. */
  NodDiffPosition         *position;
  /* Writes, queue retry: the action this run waits for. */
  char                    *op_id;
  char                    *review_id;      /* review submit: what its steps share */

  /* sync: what its pull fetched; sync --preview: the scope it asks about next. */
  guint                    pulled;
  int                      pull_status;    /* sync: the pull's exit status, for the end */
  guint                    preview_scope;
};

/* nod-cli-run.c */
NodCliRun *_nod_cli_run_new        (GApplicationCommandLine *command_line,
                                    gboolean                 headless);
void       _nod_cli_run_free       (NodCliRun               *run);
NodCliRun *_nod_cli_run_of         (GTask                   *task);

void       _nod_cli_out            (NodCliRun               *run,
                                    const char              *format,
                                    ...) G_GNUC_PRINTF (2, 3);
void       _nod_cli_finish         (GTask                   *task,
                                    int                      status,
                                    const char              *message);
void       _nod_cli_finish_error   (GTask                   *task,
                                    const GError            *error);
void       _nod_cli_finish_read    (GTask                   *task);

char      *_nod_cli_reference      (const char              *project_path,
                                    gint64                   iid);

void       _nod_cli_say_when_waiting (GTask                 *task);
void       _nod_cli_when_idle      (GTask                   *task,
                                    NodCliVerbFunc           then);
void       _nod_cli_when_done      (GTask                   *task,
                                    NodCliProgress           work,
                                    NodCliVerbFunc           then);
char      *_nod_cli_why_waiting    (NodSyncEngine           *engine,
                                    const NodSyncDecision   *decision);
void       _nod_cli_report_outcome (GTask                   *task);

/* nod-cli-write.c: --body TEXT or --body - into run->body, checked as a comment's is, then
 * @then; bad input ends the command (exit 2) instead. */
void       _nod_cli_read_body      (GTask                   *task,
                                    NodCliVerbFunc           then);

/* nod-cli-input.c */
void       _nod_cli_read_stdin_async  (NodCliRun           *run,
                                       gsize                max_bytes,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
GBytes    *_nod_cli_read_stdin_finish (GAsyncResult        *result,
                                       GError             **error);

/* nod-cli-output.c, for everything printed: _nod_cli_out () and _nod_cli_finish () make
 * whole lines safe; a value from a stranger (a title, a username, a server's message) goes
 * through nod_cli_output_value () first, so it cannot break its line. */
void       _nod_cli_out_json       (NodCliRun               *run,
                                    JsonNode                *root);
/* @text as it is: every stranger's byte in it made safe by the caller already, for output
 * that carries colour codes of its own (nod diff). */
void       _nod_cli_out_safe       (NodCliRun               *run,
                                    const char              *text);
/* Whether to colour: standard output is this process's terminal, NO_COLOR is not set
 * (no-color.org) and TERM is not "dumb". */
gboolean   _nod_cli_wants_colour   (NodCliRun               *run);

/* The verbs, each in its family's file. */

/* nod-cli-account.c */
void       _nod_cli_account_add    (GTask                   *task);
void       _nod_cli_account_remove (GTask                   *task);

/* nod-cli-diff.c */
void       _nod_cli_diff           (GTask                   *task);
char      *_nod_cli_diff_not_kept_message (NodCliRun        *run);
char      *_nod_cli_diff_no_file_message  (NodCliRun        *run);

/* nod-cli-queue.c */
char      *_nod_cli_action_place   (NodOutboxAction         *action);
char      *_nod_cli_position_place (const NodDiffPosition   *position);
void       _nod_cli_add_position_member (JsonBuilder        *builder,
                                         NodOutboxAction    *action);
void       _nod_cli_queue_list     (GTask                   *task);
void       _nod_cli_queue_retry    (GTask                   *task);
void       _nod_cli_queue_discard  (GTask                   *task);
void       _nod_cli_queue_cancel   (GTask                   *task);
void       _nod_cli_queue_edit     (GTask                   *task);

/* nod-cli-read.c */
void       _nod_cli_status         (GTask                   *task);
void       _nod_cli_mr_list        (GTask                   *task);

/* nod-cli-show.c */
void       _nod_cli_mr_show        (GTask                   *task);
void       _nod_cli_account_list   (GTask                   *task);

/* nod-cli-sync.c */
void       _nod_cli_pull           (GTask                   *task);
void       _nod_cli_push           (GTask                   *task);
int        _nod_cli_push_exit_status (guint                 failed,
                                      guint                 remaining);
void       _nod_cli_sync           (GTask                   *task);

/* nod-cli-write.c */
void       _nod_cli_approve        (GTask                   *task);
void       _nod_cli_unapprove      (GTask                   *task);
void       _nod_cli_comment        (GTask                   *task);
void       _nod_cli_reply          (GTask                   *task);
void       _nod_cli_note_edit      (GTask                   *task);
void       _nod_cli_note_delete    (GTask                   *task);
void       _nod_cli_resolve        (GTask                   *task);
void       _nod_cli_unresolve      (GTask                   *task);
void       _nod_cli_review_start   (GTask                   *task);
void       _nod_cli_review_submit  (GTask                   *task);
void       _nod_cli_review_discard (GTask                   *task);

/* nod-cli-review.c: once the write's merge request is known */
void       _nod_cli_review_act     (GTask                   *task,
                                    const char              *head_sha);

G_END_DECLS
