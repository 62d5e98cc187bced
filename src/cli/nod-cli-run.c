/* nod-cli-run.c: one command's run, its output, and waiting for the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "nod-cli-private.h"

/* How long `approve` (and the other writes) wait for GitLab before saying "queued"; a
 * test may shorten it (NOD_CLI_WRITE_WAIT_MS). */
#define OUTCOME_WAIT_S 30

static guint
write_wait_ms (void)
{
  const char *text = g_getenv ("NOD_CLI_WRITE_WAIT_MS");
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, OUTCOME_WAIT_S * 1000, &value,
                                                  NULL))
    return (guint) value;
  return OUTCOME_WAIT_S * 1000;
}

NodCliRun *
_nod_cli_run_new (GApplicationCommandLine *command_line,
                  gboolean                 headless)
{
  NodCliRun *run = g_new0 (NodCliRun, 1);

  run->command_line = g_object_ref (command_line);
  run->headless = headless;
  return run;
}

void
_nod_cli_run_free (NodCliRun *run)
{
  g_clear_object (&run->command_line);
  g_clear_pointer (&run->command, nod_cli_command_free);
  g_clear_object (&run->session);
  g_clear_object (&run->account);
  g_clear_object (&run->forge);
  g_free (run->op_id);
  g_free (run->review_id);
  g_free (run->body);
  g_clear_pointer (&run->position, nod_diff_position_free);
  g_clear_handle_id (&run->progress_source, g_source_remove);
  g_free (run->progress_line);
  g_free (run);
}

NodCliRun *
_nod_cli_run_of (GTask *task)
{
  return g_task_get_task_data (task);
}

/* Every line reaches the terminal through here or _nod_cli_out_json (): whatever a printer
 * forgot to escape, nothing in it can act on the terminal. */
void
_nod_cli_out (NodCliRun  *run,
              const char *format,
              ...)
{
  g_autofree char *text = NULL;
  g_autofree char *safe = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  safe = nod_cli_output_lines (text);
  g_application_command_line_print (run->command_line, "%s", safe);
}

/* @root as JSON text on stdout, with a newline: the same values, nothing a terminal acts on. */
void
_nod_cli_out_json (NodCliRun *run,
                   JsonNode  *root)
{
  g_autofree char *json = json_to_string (root, TRUE);
  g_autofree char *safe = nod_cli_output_json (json);

  g_application_command_line_print (run->command_line, "%s\n", safe);
}

void
_nod_cli_out_safe (NodCliRun  *run,
                   const char *text)
{
  g_application_command_line_print (run->command_line, "%s", text);
}

/* A command a running Nod carries out for another process writes to that process's
 * output, which it cannot look at: no colour there. */
gboolean
_nod_cli_wants_colour (NodCliRun *run)
{
  const char *no_color = g_application_command_line_getenv (run->command_line, "NO_COLOR");
  const char *term = g_application_command_line_getenv (run->command_line, "TERM");

  if (g_application_command_line_get_is_remote (run->command_line))
    return FALSE;
  if (no_color != NULL && *no_color != '\0')
    return FALSE;
  if (term == NULL || g_str_equal (term, "dumb"))
    return FALSE;
  return isatty (STDOUT_FILENO);
}

/* ---- the progress line ---- */

/* How often the progress line may change: often enough to look alive, seldom enough that
 * thousands of merge requests don't flood a slow terminal (or a remote one, over SSH). */
#define PROGRESS_REDRAW_US (100 * G_TIME_SPAN_MILLISECOND)

/* A line redrawn in place only where someone watches it: standard error is this process's
 * terminal (not that of a process a running Nod works for) and one that knows "\033[K". */
static gboolean
wants_progress (NodCliRun *run)
{
  const char *term = g_application_command_line_getenv (run->command_line, "TERM");

  if (g_application_command_line_get_is_remote (run->command_line))
    return FALSE;
  if (term == NULL || *term == '\0' || g_str_equal (term, "dumb"))
    return FALSE;
  return isatty (STDERR_FILENO);
}

static char *
progress_text (NodCliRun *run)
{
  NodSyncStatus *status = nod_sync_engine_get_status (run->engine);
  guint current = nod_sync_status_get_progress_current (status);
  guint total = nod_sync_status_get_progress_total (status);

  /* Only a pull counts as it goes (a push's figures come at its end): a total is a pull's,
   * whichever verb started it. */
  if (total > 0)
    /* Translators: while merge requests are fetched, e.g. "Syncing 45 of 120 merge
     * requests"; the plural follows the second number */
    return g_strdup_printf (ngettext ("Syncing %u of %u merge request",
                                      "Syncing %u of %u merge requests", total),
                            MIN (current, total), total);
  if (run->progress == NOD_CLI_PROGRESS_PUSH)
    return g_strdup (_("Pushing…"));
  return g_strdup (_("Syncing…"));
}

static void
draw_progress (NodCliRun *run)
{
  g_autofree char *text = progress_text (run);
  g_autofree char *safe = NULL;

  if (g_strcmp0 (text, run->progress_line) == 0)
    return;
  /* A translation is text from others too. */
  safe = nod_cli_output_value (text);
  g_application_command_line_printerr (run->command_line, "\r%s\033[K", safe);
  g_free (run->progress_line);
  run->progress_line = g_steal_pointer (&text);
  run->progress_drawn_us = g_get_monotonic_time ();
}

static gboolean
on_progress_due (gpointer data)
{
  NodCliRun *run = data;

  run->progress_source = 0;
  if (nod_sync_engine_is_busy (run->engine))
    draw_progress (run);
  return G_SOURCE_REMOVE;
}

/* Redraws now, or once 100 ms have passed since the last write: the line always ends up
 * showing the latest figures, and never changes more often than that. */
static void
update_progress (NodCliRun *run)
{
  gint64 since_us;

  /* A job that has just ended resets its figures: not worth a redraw, the wait is over. */
  if (run->progress == NOD_CLI_PROGRESS_NONE || run->progress_source != 0 ||
      !nod_sync_engine_is_busy (run->engine))
    return;
  since_us = g_get_monotonic_time () - run->progress_drawn_us;
  if (run->progress_drawn_us == 0 || since_us >= PROGRESS_REDRAW_US)
    draw_progress (run);
  else
    run->progress_source = g_timeout_add ((guint) ((PROGRESS_REDRAW_US - since_us + 999) / 1000),
                                          on_progress_due, run);
}

/* Takes the line away, so that what is printed next starts at the margin on its own. */
static void
clear_progress (NodCliRun *run)
{
  g_clear_handle_id (&run->progress_source, g_source_remove);
  if (run->progress_line == NULL)
    return;
  g_application_command_line_printerr (run->command_line, "\r\033[K");
  g_clear_pointer (&run->progress_line, g_free);
  run->progress_drawn_us = g_get_monotonic_time ();
}

/* Ends the command: @message (if any) on stderr for failures, on stdout otherwise. */
void
_nod_cli_finish (GTask      *task,
                 int         status,
                 const char *message)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->progress = NOD_CLI_PROGRESS_NONE;
  clear_progress (run);
  if (message != NULL)
    {
      g_autofree char *safe = nod_cli_output_lines (message);

      if (status == NOD_CLI_EXIT_OK)
        g_application_command_line_print (run->command_line, "%s\n", safe);
      else
        g_application_command_line_printerr (run->command_line, "%s\n", safe);
    }
  if (run->status_handler != 0)
    g_clear_signal_handler (&run->status_handler, nod_sync_engine_get_status (run->engine));
  g_clear_signal_handler (&run->busy_handler, run->engine);
  if (run->waiting_handler != 0)
    g_clear_signal_handler (&run->waiting_handler, run->engine);
  g_clear_handle_id (&run->timeout_source, g_source_remove);
  g_clear_handle_id (&run->idle_source, g_source_remove);
  g_task_return_int (task, status);
  g_object_unref (task);
}

/* A database another program holds is a passing state: 75, try again (nothing was done);
 * one that can't be written stays so until someone mends it: 1. */
void
_nod_cli_finish_error (GTask        *task,
                       const GError *error)
{
  /* One line: what the server said cannot make lines of its own. */
  g_autofree char *reason = nod_cli_output_value (error->message);
  g_autofree char *message = g_strdup_printf ("nod: %s", reason);

  _nod_cli_finish (task, g_error_matches (error, NOD_STORE_ERROR, NOD_STORE_ERROR_BUSY)
                           ? NOD_CLI_EXIT_QUEUED : NOD_CLI_EXIT_ERROR,
                   message);
}

static void
on_write_probed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;

  if (!nod_store_probe_write_finish (NOD_STORE (source_object), result, &error))
    {
      /* Translators: the reason is a sentence about Nod's database */
      g_autofree char *note = g_strdup_printf (_("nod: this is what Nod’s data held, but it "
                                                 "can’t change now: %s"), error->message);

      g_application_command_line_printerr (run->command_line, "%s\n", note);
    }
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, NULL);
}

/* A read is done, its output printed: it ends saying, on stderr, if what it showed can't
 * change now (the database is read-only, or another program holds it). */
void
_nod_cli_finish_read (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_store_probe_write_async (nod_outbox_get_store (run->outbox), g_task_get_cancellable (task),
                               on_write_probed, task);
}

/* "group/project!42" */
char *
_nod_cli_reference (const char *project_path,
                    gint64      iid)
{
  return g_strdup_printf ("%s!%" G_GINT64_FORMAT, project_path, iid);
}

/* ---- waiting for the engine ---- */

static gboolean
on_idle_reached (gpointer data)
{
  GTask *task = data;
  NodCliRun *run = _nod_cli_run_of (task);

  run->idle_source = 0;
  if (nod_sync_engine_is_busy (run->engine))
    return G_SOURCE_REMOVE;    /* a rerun started: keep waiting */
  g_clear_signal_handler (&run->status_handler, nod_sync_engine_get_status (run->engine));
  g_clear_signal_handler (&run->busy_handler, run->engine);
  g_clear_handle_id (&run->timeout_source, g_source_remove);
  run->progress = NOD_CLI_PROGRESS_NONE;
  clear_progress (run);
  run->when_idle (task);
  return G_SOURCE_REMOVE;
}

/* The engine tells the status before it has finished its own bookkeeping: look once the
 * main loop is back, when the job's summary is complete. */
static void
check_idle (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  if (nod_sync_engine_is_busy (run->engine) || run->idle_source != 0)
    return;
  run->idle_source = g_idle_add (on_idle_reached, task);
}

static gboolean
on_wait_timeout (gpointer data)
{
  GTask *task = data;
  NodCliRun *run = _nod_cli_run_of (task);

  run->timeout_source = 0;
  g_clear_signal_handler (&run->status_handler, nod_sync_engine_get_status (run->engine));
  g_clear_signal_handler (&run->busy_handler, run->engine);
  /* One way out only: an idle look already queued must not go on as well. */
  g_clear_handle_id (&run->idle_source, g_source_remove);
  run->progress = NOD_CLI_PROGRESS_NONE;
  clear_progress (run);
  run->when_idle (task);
  return G_SOURCE_REMOVE;
}

static void
on_waiting_to_send (NodSyncEngine *engine,
                    gpointer       user_data)
{
  NodCliRun *run = _nod_cli_run_of (user_data);

  clear_progress (run);
  g_application_command_line_printerr (run->command_line, "%s\n",
                                       _("nod: another Nod is sending from this data folder; "
                                         "waiting for it to finish"));
  update_progress (run);
}

/* Says so on stderr when this command's send waits for another process's. */
void
_nod_cli_say_when_waiting (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->waiting_handler = g_signal_connect (run->engine, "waiting-to-send",
                                           G_CALLBACK (on_waiting_to_send), task);
}

static void
on_status_changed (GTask *task)
{
  update_progress (_nod_cli_run_of (task));
  check_idle (task);
}

static void
wait_for_engine (GTask          *task,
                 NodCliVerbFunc  then,
                 guint           deadline_ms)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->when_idle = then;
  run->status_handler = g_signal_connect_swapped (nod_sync_engine_get_status (run->engine),
                                                  "notify", G_CALLBACK (on_status_changed),
                                                  task);
  run->busy_handler = g_signal_connect_swapped (run->engine, "notify::busy",
                                                G_CALLBACK (on_status_changed), task);
  if (deadline_ms > 0)
    run->timeout_source = g_timeout_add (deadline_ms, on_wait_timeout, task);
  update_progress (run);
  check_idle (task);
}

/* For a write: calls @then once no job runs (every job ends by updating the status), or
 * after the write's deadline with the job still running (then the write is queued). */
void
_nod_cli_when_idle (GTask          *task,
                    NodCliVerbFunc  then)
{
  wait_for_engine (task, then, write_wait_ms ());
}

/* For `pull`, `push` and `sync`: calls @then once no job runs, however long the work
 * takes; each request GitLab is asked has its own deadline, and the work is bounded.
 * Meanwhile a terminal watching shows how far it is, @work naming what it waits for. */
void
_nod_cli_when_done (GTask          *task,
                    NodCliProgress  work,
                    NodCliVerbFunc  then)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->progress = wants_progress (run) ? work : NOD_CLI_PROGRESS_NONE;
  wait_for_engine (task, then, 0);
}

/* "offline", "rate-limited until 14:05": why something waits, for people, fit for one line
 * (the last error may be a server's words). */
char *
_nod_cli_why_waiting (NodSyncEngine         *engine,
                      const NodSyncDecision *decision)
{
  NodSyncStatus *status = nod_sync_engine_get_status (engine);
  const char *sentence = decision != NULL && decision->verdict == NOD_SYNC_VERDICT_BLOCK
                           ? nod_sync_reason_to_sentence (decision->reason)
                           : nod_sync_status_get_last_error (status);
  gint64 until = decision != NULL && decision->blocked_until > 0
                   ? decision->blocked_until : nod_sync_status_get_blocked_until (status);
  g_autofree char *safe = NULL;

  if (sentence == NULL)
    sentence = _("GitLab could not be reached.");
  safe = nod_cli_output_value (sentence);
  if (until > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (until);
      g_autofree char *time = g_date_time_format (when, "%H:%M");

      /* Translators: a reason, then the time it should clear, e.g. "… (until 14:05)" */
      return g_strdup_printf (_("%s (until %s)"), safe, time);
    }
  return g_steal_pointer (&safe);
}

/* ---- what became of the action a run queued (or retried) ---- */

static void
finish_with_action (GTask           *task,
                    NodOutboxAction *action,
                    const char      *verb,
                    const char      *ref)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autofree char *message = NULL;

  if (nod_outbox_action_get_state (action) == NOD_ACTION_FAILED)
    {
      g_autofree char *reason = nod_cli_output_value (nod_outbox_action_get_last_error (action));

      message = g_strdup_printf (_("nod: %s %s failed: %s"), verb, ref, reason);
      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
    }
  else
    {
      g_autofree char *why = _nod_cli_why_waiting (run->engine, NULL);

      message = g_strdup_printf (_("nod: %s %s is queued and will be sent later: %s"), verb, ref,
                                 why);
      _nod_cli_finish (task, NOD_CLI_EXIT_QUEUED, message);
    }
}

static void
on_outcome_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  g_autofree char *ref = run->command->verb == NOD_CLI_VERB_QUEUE_RETRY
                           ? g_strdup (run->command->op_id)
                           : _nod_cli_reference (run->command->project_path, run->command->iid);
  const char *verb = nod_cli_verb_to_string (run->command->verb);
  g_autofree char *message = NULL;
  NodOutboxAction *waiting = NULL;

  if (actions == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  /* Still in the outbox: failed, or waiting; gone: GitLab took it. A review is all its
   * steps: one failed says why, else one waiting does. */
  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];

      if (run->review_id != NULL
          ? g_strcmp0 (nod_outbox_action_get_review_id (action), run->review_id) != 0
          : g_strcmp0 (nod_outbox_action_get_op_id (action), run->op_id) != 0)
        continue;
      if (waiting == NULL || nod_outbox_action_get_state (action) == NOD_ACTION_FAILED)
        waiting = action;
      if (nod_outbox_action_get_state (action) == NOD_ACTION_FAILED)
        break;
    }
  if (waiting != NULL)
    {
      finish_with_action (task, waiting, verb, ref);
      return;
    }

  message = g_strdup_printf (_("%s %s: done"), verb, ref);
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
}

/* Says whether run->op_id (or each step of the review run->review_id) was sent, failed,
 * or waits (and why), from the outbox. */
void
_nod_cli_report_outcome (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_list_async (run->outbox, nod_account_get_id (run->account),
                         g_task_get_cancellable (task), on_outcome_listed, task);
}
