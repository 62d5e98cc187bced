/* nod-cli.c: carrying out one command line against the sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two ways in: forwarded to the running app (its engine, its indicator shows the work),
 * or headless, with an engine of its own on the same store — GTK is never started, so
 * commands work over SSH and in scripts. Either way the terminal gets the output and the
 * exit status through the GApplicationCommandLine.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-cli.h"
#include "nod-credentials.h"
#include "nod-gitlab.h"
#include "nod-settings.h"
#include "nod-store-worker.h"

/* How long `approve` (and the other writes) wait for GitLab before saying "queued". */
#define OUTCOME_WAIT_S 30
#define MAX_STDIN_BODY (1024 * 1024)

struct _NodCli
{
  GObject        parent_instance;

  gboolean       headless;
  NodStore      *store;
  NodOutbox     *outbox;
  NodSyncEngine *engine;
  NodAccounts   *accounts;
  guint          pending_lookups;
};

G_DEFINE_FINAL_TYPE (NodCli, nod_cli, G_TYPE_OBJECT)

typedef struct
{
  NodCli                  *self;
  GApplicationCommandLine *command_line;
  NodCliCommand           *command;
  NodAccount              *account;
  NodForge                *forge;
  gint64                   project_id;
  char                    *op_id;       /* the action this run queued */
  char                    *body;
  gulong                   status_handler;
  guint                    timeout_source;
  guint                    idle_source;
  void                   (*when_idle) (GTask *task);
  guint                    pulled;
  guint                    preview_scope;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->self);
  g_clear_object (&run->command_line);
  g_clear_pointer (&run->command, nod_cli_command_free);
  g_clear_object (&run->account);
  g_clear_object (&run->forge);
  g_free (run->op_id);
  g_free (run->body);
  g_free (run);
}

static void
out (Run        *run,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static void
out (Run        *run,
     const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_application_command_line_print (run->command_line, "%s", text);
}

static Run *
run_of (GTask *task)
{
  return g_task_get_task_data (task);
}

/* Ends the command: @message (if any) on stderr for failures, on stdout otherwise. */
static void
finish (GTask      *task,
        int         status,
        const char *message)
{
  Run *run = run_of (task);

  if (message != NULL)
    {
      if (status == NOD_CLI_EXIT_OK)
        out (run, "%s\n", message);
      else
        g_application_command_line_printerr (run->command_line, "%s\n", message);
    }
  if (run->status_handler != 0)
    g_clear_signal_handler (&run->status_handler,
                            nod_sync_engine_get_status (run->self->engine));
  g_clear_handle_id (&run->timeout_source, g_source_remove);
  g_clear_handle_id (&run->idle_source, g_source_remove);
  g_task_return_int (task, status);
  g_object_unref (task);
}

static void
finish_error (GTask        *task,
              const GError *error)
{
  g_autofree char *message = g_strdup_printf ("nod: %s", error->message);

  finish (task, NOD_CLI_EXIT_ERROR, message);
}

static char *
reference (const char *project_path,
           gint64      iid)
{
  return g_strdup_printf ("%s!%" G_GINT64_FORMAT, project_path, iid);
}

/* ---- waiting for the engine ---- */

static gboolean
on_idle_reached (gpointer data)
{
  GTask *task = data;
  Run *run = run_of (task);

  run->idle_source = 0;
  if (nod_sync_engine_is_busy (run->self->engine))
    return G_SOURCE_REMOVE;    /* a rerun started: keep waiting */
  g_clear_signal_handler (&run->status_handler, nod_sync_engine_get_status (run->self->engine));
  g_clear_handle_id (&run->timeout_source, g_source_remove);
  run->when_idle (task);
  return G_SOURCE_REMOVE;
}

/* The engine tells the status before it has finished its own bookkeeping: look once the
 * main loop is back, when the job's summary is complete. */
static void
check_idle (GTask *task)
{
  Run *run = run_of (task);

  if (nod_sync_engine_is_busy (run->self->engine) || run->idle_source != 0)
    return;
  run->idle_source = g_idle_add (on_idle_reached, task);
}

static gboolean
on_wait_timeout (gpointer data)
{
  GTask *task = data;
  Run *run = run_of (task);

  run->timeout_source = 0;
  g_clear_signal_handler (&run->status_handler, nod_sync_engine_get_status (run->self->engine));
  run->when_idle (task);
  return G_SOURCE_REMOVE;
}

/* Calls @then once no job runs (every job ends by updating the status), or after the
 * deadline with the job still running. */
static void
when_idle (GTask  *task,
           void  (*then) (GTask *task))
{
  Run *run = run_of (task);

  run->when_idle = then;
  run->status_handler = g_signal_connect_swapped (nod_sync_engine_get_status (run->self->engine),
                                                  "notify", G_CALLBACK (check_idle), task);
  run->timeout_source = g_timeout_add_seconds (OUTCOME_WAIT_S, on_wait_timeout, task);
  check_idle (task);
}

/* "offline", "rate-limited until 14:05": why something waits, for people. */
static char *
why_waiting (NodSyncEngine         *engine,
             const NodSyncDecision *decision)
{
  NodSyncStatus *status = nod_sync_engine_get_status (engine);
  const char *sentence = decision != NULL && decision->verdict == NOD_SYNC_VERDICT_BLOCK
                           ? nod_sync_reason_to_sentence (decision->reason)
                           : nod_sync_status_get_last_error (status);
  gint64 until = decision != NULL && decision->blocked_until > 0
                   ? decision->blocked_until : nod_sync_status_get_blocked_until (status);

  if (sentence == NULL)
    sentence = _("GitLab could not be reached.");
  if (until > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (until);
      g_autofree char *time = g_date_time_format (when, "%H:%M");

      /* Translators: a reason, then the time it should clear, e.g. "… (until 14:05)" */
      return g_strdup_printf (_("%s (until %s)"), sentence, time);
    }
  return g_strdup (sentence);
}

/* ---- push, pull, sync ---- */

static void
on_counted_after_push (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (
                                    nod_sync_engine_get_status (run->self->engine));
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts;
  guint remaining;

  if (!nod_outbox_count_finish (NOD_OUTBOX (source_object), result, &counts, &error))
    {
      finish_error (task, error);
      return;
    }

  remaining = counts.pending + counts.in_flight;
  if (run->command->verb == NOD_CLI_VERB_SYNC)
    out (run, "pulled %u\n", run->pulled);
  out (run, "pushed %u, failed %u, remaining %u\n", summary->pushed, summary->failed,
       remaining);
  finish (task, summary->failed > 0 ? NOD_CLI_EXIT_ERROR
                : remaining > 0 ? NOD_CLI_EXIT_QUEUED : NOD_CLI_EXIT_OK, NULL);
}

static void
after_push (GTask *task)
{
  Run *run = run_of (task);

  nod_outbox_count_async (run->self->outbox, nod_account_get_id (run->account),
                          g_task_get_cancellable (task), on_counted_after_push, task);
}

static void
start_push (GTask *task)
{
  Run *run = run_of (task);
  NodSyncTrigger trigger = run->command->approvals_only ? NOD_SYNC_TRIGGER_APPROVAL
                                                        : NOD_SYNC_TRIGGER_RETRY;
  NodSyncDecision decision = nod_sync_engine_request (run->self->engine, trigger);

  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      g_autofree char *why = why_waiting (run->self->engine, &decision);
      g_autofree char *message = g_strdup_printf (_("nod: nothing pushed: %s"), why);

      if (run->command->verb == NOD_CLI_VERB_SYNC)
        out (run, "pulled %u\n", run->pulled);
      finish (task, NOD_CLI_EXIT_QUEUED, message);
      return;
    }
  when_idle (task, after_push);
}

static void
after_pull (GTask *task)
{
  Run *run = run_of (task);
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (
                                    nod_sync_engine_get_status (run->self->engine));

  run->pulled = summary->pulled;
  if (run->command->verb == NOD_CLI_VERB_SYNC)
    {
      start_push (task);
      return;
    }
  out (run, "pulled %u\n", run->pulled);
  finish (task, NOD_CLI_EXIT_OK, NULL);
}

static void
start_pull (GTask *task)
{
  Run *run = run_of (task);
  NodSyncDecision decision = nod_sync_engine_request (run->self->engine,
                                                      NOD_SYNC_TRIGGER_SETTINGS_CHANGED);

  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      g_autofree char *why = why_waiting (run->self->engine, &decision);
      g_autofree char *message = g_strdup_printf (_("nod: nothing pulled: %s"), why);

      finish (task, NOD_CLI_EXIT_QUEUED, message);
      return;
    }
  when_idle (task, after_pull);
}

/* ---- sync --preview: reads only ---- */

static const NodMergeRequestScope preview_scopes[] = {
  NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED,
  NOD_MERGE_REQUEST_SCOPE_ASSIGNED,
  NOD_MERGE_REQUEST_SCOPE_AUTHORED,
};

static const char * const preview_scope_keys[] = {
  "merge-requests:review-requested",
  "merge-requests:assigned",
  "merge-requests:authored",
};

static void preview_next_scope (GTask *task);

static void
on_preview_page (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_merge_requests_finish (NOD_FORGE (source_object),
                                                                       result, &error);
  GPtrArray *items;
  gint64 total;

  if (page == NULL)
    {
      finish_error (task, error);
      return;
    }

  items = nod_forge_page_get_items (page);
  total = nod_forge_page_get_total (page);
  if (total < 0)
    total = items->len;
  out (run, "would pull: %" G_GINT64_FORMAT " changed in %s\n", total,
       preview_scope_keys[run->preview_scope] + strlen ("merge-requests:"));
  for (guint i = 0; i < items->len && i < 20; i++)
    {
      NodMergeRequest *mr = items->pdata[i];
      const char *ref = nod_merge_request_get_reference (mr);

      out (run, "  %s  %s\n", ref != NULL ? ref : "", nod_merge_request_get_title (mr));
    }
  run->preview_scope++;
  preview_next_scope (task);
}

static void
on_preview_cursor (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = nod_review_cache_load_cursor_finish (NOD_REVIEW_CACHE (source_object),
                                                                result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) since = NULL;
  JsonNode *root;

  if (error != NULL)
    {
      finish_error (task, error);
      return;
    }

  /* Since the last pull, as the pull itself would ask; nothing is saved. */
  if (cursor != NULL && json_parser_load_from_data (parser, cursor, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      const char *text = json_object_get_string_member_with_default (json_node_get_object (root),
                                                                     "updated_after", NULL);
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

      if (text != NULL)
        since = g_date_time_new_from_iso8601 (text, utc);
    }

  nod_forge_list_merge_requests_async (run->forge, preview_scopes[run->preview_scope], since,
                                       NULL, 1, g_task_get_cancellable (task), on_preview_page,
                                       task);
}

static void
preview_next_scope (GTask *task)
{
  Run *run = run_of (task);

  if (run->preview_scope >= G_N_ELEMENTS (preview_scopes))
    {
      finish (task, NOD_CLI_EXIT_OK, NULL);
      return;
    }
  nod_review_cache_load_cursor_async (nod_sync_engine_get_cache (run->self->engine),
                                      nod_account_get_id (run->account),
                                      preview_scope_keys[run->preview_scope],
                                      g_task_get_cancellable (task), on_preview_cursor, task);
}

static void
on_preview_actions (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  guint would_push = 0;

  if (actions == NULL)
    {
      finish_error (task, error);
      return;
    }

  for (guint i = 0; i < actions->len; i++)
    if (nod_outbox_action_get_state (actions->pdata[i]) == NOD_ACTION_PENDING)
      would_push++;
  out (run, "would push: %u\n", would_push);
  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];

      if (nod_outbox_action_get_state (action) != NOD_ACTION_PENDING)
        continue;
      out (run, "  %s  %s  project %" G_GINT64_FORMAT " !%" G_GINT64_FORMAT "\n",
           nod_outbox_action_get_op_id (action),
           nod_action_kind_to_string (nod_outbox_action_get_kind (action)),
           nod_outbox_action_get_project_id (action), nod_outbox_action_get_mr_iid (action));
    }
  preview_next_scope (task);
}

/* ---- writes: approve, comment, … ---- */

static void
on_outcome_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  g_autofree char *ref = run->command->verb == NOD_CLI_VERB_QUEUE_RETRY
                           ? g_strdup (run->command->op_id)
                           : reference (run->command->project_path, run->command->iid);
  const char *verb = nod_cli_verb_to_string (run->command->verb);

  if (actions == NULL)
    {
      finish_error (task, error);
      return;
    }

  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];
      g_autofree char *message = NULL;

      if (g_strcmp0 (nod_outbox_action_get_op_id (action), run->op_id) != 0)
        continue;

      if (nod_outbox_action_get_state (action) == NOD_ACTION_FAILED)
        {
          message = g_strdup_printf (_("nod: %s %s failed: %s"), verb, ref,
                                     nod_outbox_action_get_last_error (action));
          finish (task, NOD_CLI_EXIT_ERROR, message);
          return;
        }

      {
        g_autofree char *why = why_waiting (run->self->engine, NULL);

        message = g_strdup_printf (_("nod: %s %s is queued and will be sent later: %s"), verb, ref,
                                   why);
        finish (task, NOD_CLI_EXIT_QUEUED, message);
        return;
      }
    }

  {
    g_autofree char *message = g_strdup_printf (_("%s %s: done"), verb, ref);

    finish (task, NOD_CLI_EXIT_OK, message);
  }
}

static void
check_outcome (GTask *task)
{
  Run *run = run_of (task);

  nod_outbox_list_async (run->self->outbox, nod_account_get_id (run->account),
                         g_task_get_cancellable (task), on_outcome_listed, task);
}

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  NodSyncTrigger trigger;
  NodSyncDecision decision;

  stored = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result, &error);
  if (error != NULL)
    {
      finish_error (task, error);
      return;
    }
  if (stored == NULL)
    {
      /* It cancelled its pending opposite: nothing needs sending. */
      g_autofree char *ref = reference (run->command->project_path, run->command->iid);
      g_autofree char *message = g_strdup_printf (_("%s %s: done (it undid a pending action)"),
                                                  nod_cli_verb_to_string (run->command->verb),
                                                  ref);

      finish (task, NOD_CLI_EXIT_OK, message);
      return;
    }

  run->op_id = g_strdup (nod_outbox_action_get_op_id (stored));
  /* Sent now, not at the next cycle: the reviewer asked for this one. */
  trigger = nod_outbox_action_is_approval (stored) ? NOD_SYNC_TRIGGER_APPROVAL
                                                   : NOD_SYNC_TRIGGER_RETRY;
  decision = nod_sync_engine_request (run->self->engine, trigger);
  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      check_outcome (task);
      return;
    }
  when_idle (task, check_outcome);
}

static void
enqueue (GTask           *task,
         NodOutboxAction *action)
{
  Run *run = run_of (task);
  g_autoptr(NodOutboxAction) owned = action;

  nod_sync_engine_enqueue_async (run->self->engine, owned, g_task_get_cancellable (task),
                                 on_enqueued, task);
}

static void
on_merge_request (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  NodCliCommand *command = run->command;
  gint64 account_id = nod_account_get_id (run->account);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = nod_forge_get_merge_request_finish (NOD_FORGE (source_object),
                                                                     result, &error);

  if (mr == NULL)
    {
      finish_error (task, error);
      return;
    }

  switch (command->verb)
    {
    case NOD_CLI_VERB_APPROVE:
      enqueue (task, nod_outbox_action_new_approve (account_id, run->project_id, command->iid,
                                                    nod_merge_request_get_sha (mr)));
      break;
    case NOD_CLI_VERB_UNAPPROVE:
      enqueue (task, nod_outbox_action_new_unapprove (account_id, run->project_id, command->iid));
      break;
    case NOD_CLI_VERB_COMMENT:
      enqueue (task, nod_outbox_action_new_comment (account_id, run->project_id, command->iid,
                                                    run->body));
      break;
    case NOD_CLI_VERB_REPLY:
      enqueue (task, nod_outbox_action_new_reply (account_id, run->project_id, command->iid,
                                                  command->discussion_id, run->body));
      break;
    case NOD_CLI_VERB_RESOLVE:
    case NOD_CLI_VERB_UNRESOLVE:
      enqueue (task, nod_outbox_action_new_resolve (account_id, run->project_id, command->iid,
                                                    command->discussion_id,
                                                    command->verb == NOD_CLI_VERB_RESOLVE));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_project (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodProject) project = nod_forge_lookup_project_finish (NOD_FORGE (source_object),
                                                                  result, &error);

  if (project == NULL)
    {
      finish_error (task, error);
      return;
    }

  run->project_id = nod_project_get_id (project);
  nod_forge_get_merge_request_async (run->forge, run->project_id, run->command->iid,
                                     g_task_get_cancellable (task), on_merge_request, task);
}

static void
start_write (GTask *task)
{
  Run *run = run_of (task);

  /* GitLab says which project and head the reference means; offline, it waits. */
  nod_forge_lookup_project_async (run->forge, run->command->project_path,
                                  g_task_get_cancellable (task), on_project, task);
}

static void
on_body_read (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source_object),
                                                              result, &error);
  gsize length = 0;
  const char *data;

  if (bytes == NULL)
    {
      finish_error (task, error);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  run->body = g_strndup (data, length);
  if (length >= MAX_STDIN_BODY || !g_utf8_validate (run->body, -1, NULL) ||
      *g_strstrip (g_strdup (run->body)) == '\0')
    {
      finish (task, NOD_CLI_EXIT_USAGE,
              _("nod: the body on standard input is empty, too long or not UTF-8 text"));
      return;
    }
  start_write (task);
}

/* ---- reading: status, queue, mr list, account list ---- */

static void
on_counted_for_status (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  NodSyncStatus *status = nod_sync_engine_get_status (run->self->engine);
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->self->accounts));
  gint64 synced = nod_sync_status_get_last_synced_at (status);
  gint64 blocked = nod_sync_status_get_blocked_until (status);
  g_autoptr(NodRateLimit) limit = NULL;

  if (!nod_outbox_count_finish (NOD_OUTBOX (source_object), result, &counts, &error))
    {
      finish_error (task, error);
      return;
    }

  if (run->forge != NULL)
    limit = nod_forge_dup_rate_limit (run->forge);

  if (!run->command->json)
    {
      out (run, "%s\n", nod_sync_state_to_string (nod_sync_status_get_state (status)));
      out (run, "pending %u, failed %u\n", counts.pending + counts.in_flight, counts.failed);
      for (guint i = 0; i < n_accounts; i++)
        {
          g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->self->accounts),
                                                                 i);
          g_autofree char *title = nod_account_dup_title (account);

          out (run, "account: %s\n", title);
        }
      finish (task, NOD_CLI_EXIT_OK, NULL);
      return;
    }

  /* A stable shape for status bars and scripts; times are ISO 8601 or null. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 nod_sync_state_to_string (nod_sync_status_get_state (status)));
  json_builder_set_member_name (builder, "pending");
  json_builder_add_int_value (builder, counts.pending + counts.in_flight);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, counts.failed);
  json_builder_set_member_name (builder, "last_synced_at");
  if (synced > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (synced);
      g_autofree char *iso = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "blocked_until");
  if (blocked > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (blocked);
      g_autofree char *iso = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "rate_limit");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "remaining");
  if (limit != NULL && limit->remaining >= 0)
    json_builder_add_int_value (builder, limit->remaining);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "reset_at");
  if (limit != NULL && limit->reset_at > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (limit->reset_at);
      g_autofree char *iso = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->self->accounts), i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, nod_account_get_base_url (account));
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, nod_account_get_username (account));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  finish (task, NOD_CLI_EXIT_OK, text);
}

static const char *
state_label (NodActionState state)
{
  switch (state)
    {
    case NOD_ACTION_PENDING:
      return "pending";
    case NOD_ACTION_IN_FLIGHT:
      return "sending";
    case NOD_ACTION_FAILED:
      return "failed";
    case NOD_ACTION_DONE:
    default:
      return "done";
    }
}

static void
on_queue_listed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (actions == NULL)
    {
      finish_error (task, error);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];
      const char *reason = nod_outbox_action_get_last_error (action);

      if (!run->command->json)
        {
          out (run, "%s  %-9s  %-7s  project %" G_GINT64_FORMAT " !%" G_GINT64_FORMAT "%s%s\n",
               nod_outbox_action_get_op_id (action),
               nod_action_kind_to_string (nod_outbox_action_get_kind (action)),
               state_label (nod_outbox_action_get_state (action)),
               nod_outbox_action_get_project_id (action), nod_outbox_action_get_mr_iid (action),
               reason != NULL ? "  " : "", reason != NULL ? reason : "");
          continue;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "op");
      json_builder_add_string_value (builder, nod_outbox_action_get_op_id (action));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (
        builder, nod_action_kind_to_string (nod_outbox_action_get_kind (action)));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder,
                                     state_label (nod_outbox_action_get_state (action)));
      json_builder_set_member_name (builder, "project_id");
      json_builder_add_int_value (builder, nod_outbox_action_get_project_id (action));
      json_builder_set_member_name (builder, "iid");
      json_builder_add_int_value (builder, nod_outbox_action_get_mr_iid (action));
      json_builder_set_member_name (builder, "reason");
      if (reason != NULL)
        json_builder_add_string_value (builder, reason);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (run->command->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      out (run, "%s\n", text);
    }
  else if (actions->len == 0)
    out (run, "%s\n", _("Nothing waiting to be sent."));
  finish (task, NOD_CLI_EXIT_OK, NULL);
}

static void
on_queue_changed (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  gboolean retry = run->command->verb == NOD_CLI_VERB_QUEUE_RETRY;
  gboolean changed = retry ? nod_outbox_retry_finish (NOD_OUTBOX (source_object), result, &error)
                           : nod_outbox_discard_finish (NOD_OUTBOX (source_object), result,
                                                        &error);

  if (!changed)
    {
      finish_error (task, error);
      return;
    }
  if (!retry)
    {
      finish (task, NOD_CLI_EXIT_OK, _("Discarded."));
      return;
    }
  run->op_id = g_strdup (run->command->op_id);
  nod_sync_engine_request (run->self->engine, NOD_SYNC_TRIGGER_RETRY);
  when_idle (task, check_outcome);
}

static gboolean
matches_list (const NodMergeRequestView *view,
              NodCliListFilter           filter)
{
  switch (filter)
    {
    case NOD_CLI_LIST_REVIEW:
      return view->is_reviewer && g_strcmp0 (view->state, "opened") == 0;
    case NOD_CLI_LIST_AUTHORED:
      return view->is_author;
    case NOD_CLI_LIST_ASSIGNED:
      return view->is_assignee && g_strcmp0 (view->state, "opened") == 0;
    case NOD_CLI_LIST_ALL:
    default:
      return TRUE;
    }
}

static void
on_views_listed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) views = nod_review_cache_list_views_finish (NOD_REVIEW_CACHE (source_object),
                                                                   result, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (views == NULL)
    {
      finish_error (task, error);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < views->len; i++)
    {
      NodMergeRequestView *view = views->pdata[i];
      g_autofree char *ref = reference (view->project_path ? view->project_path : "", view->iid);

      if (!matches_list (view, run->command->list_filter))
        continue;
      if (!run->command->json)
        {
          out (run, "%s\t%s\t%s%s%s\n", ref, view->title, view->state,
               view->approved_by_me ? (view->approval_pending ? ", approved by you (pending)"
                                                              : ", approved by you") : "",
               view->failed_actions > 0 ? ", failed action" : "");
          continue;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "reference");
      json_builder_add_string_value (builder, ref);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, view->title);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, view->state);
      json_builder_set_member_name (builder, "author");
      json_builder_add_string_value (builder, view->author_username ? view->author_username : "");
      json_builder_set_member_name (builder, "updated_at");
      json_builder_add_string_value (builder, view->updated_at);
      json_builder_set_member_name (builder, "approved_by_me");
      json_builder_add_boolean_value (builder, view->approved_by_me);
      json_builder_set_member_name (builder, "approval_pending");
      json_builder_add_boolean_value (builder, view->approval_pending);
      json_builder_set_member_name (builder, "pending_actions");
      json_builder_add_int_value (builder, view->pending_actions);
      json_builder_set_member_name (builder, "failed_actions");
      json_builder_add_int_value (builder, view->failed_actions);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (run->command->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      g_autofree char *text = json_to_string (root, TRUE);

      out (run, "%s\n", text);
    }
  finish (task, NOD_CLI_EXIT_OK, NULL);
}

/* ---- dispatch ---- */

static void
dispatch (GTask *task)
{
  Run *run = run_of (task);
  NodCliCommand *command = run->command;
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 account_id;

  if (command->verb == NOD_CLI_VERB_ACCOUNT_LIST)
    {
      guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->self->accounts));

      for (guint i = 0; i < n_accounts; i++)
        {
          g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->self->accounts),
                                                                 i);

          out (run, "%s\t%s\n", nod_account_get_base_url (account),
               nod_account_get_username (account));
        }
      finish (task, NOD_CLI_EXIT_OK, n_accounts == 0 ? _("No accounts yet.") : NULL);
      return;
    }

  /* Commands act for the first account that has a token (or GITLAB_URL/GITLAB_TOKEN's). */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (run->self->accounts)); i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->self->accounts), i);
      NodForge *forge = nod_sync_engine_get_forge (run->self->engine,
                                                   nod_account_get_id (account));

      if (forge != NULL)
        {
          run->account = g_object_ref (account);
          run->forge = g_object_ref (forge);
          break;
        }
    }

  if (command->verb == NOD_CLI_VERB_STATUS)
    {
      nod_outbox_count_async (run->self->outbox, 0, cancellable, on_counted_for_status, task);
      return;
    }

  if (run->account == NULL)
    {
      finish (task, NOD_CLI_EXIT_ERROR,
              _("nod: no account to use: sign in with “nod account add --url URL "
                "--token-stdin”, or set GITLAB_URL and GITLAB_TOKEN"));
      return;
    }
  account_id = nod_account_get_id (run->account);

  switch (command->verb)
    {
    case NOD_CLI_VERB_PULL:
      start_pull (task);
      break;

    case NOD_CLI_VERB_PUSH:
      start_push (task);
      break;

    case NOD_CLI_VERB_SYNC:
      if (command->preview)
        nod_outbox_list_async (run->self->outbox, account_id, cancellable, on_preview_actions,
                               task);
      else
        start_pull (task);
      break;

    case NOD_CLI_VERB_APPROVE:
    case NOD_CLI_VERB_UNAPPROVE:
    case NOD_CLI_VERB_RESOLVE:
    case NOD_CLI_VERB_UNRESOLVE:
      start_write (task);
      break;

    case NOD_CLI_VERB_COMMENT:
    case NOD_CLI_VERB_REPLY:
      if (command->body_from_stdin)
        {
          GInputStream *input = g_application_command_line_get_stdin (run->command_line);

          if (input == NULL)
            {
              finish (task, NOD_CLI_EXIT_USAGE, _("nod: no standard input to read the body from"));
              return;
            }
          g_input_stream_read_bytes_async (input, MAX_STDIN_BODY, G_PRIORITY_DEFAULT,
                                           cancellable, on_body_read, task);
          g_object_unref (input);
          return;
        }
      run->body = g_strdup (command->body);
      start_write (task);
      break;

    case NOD_CLI_VERB_QUEUE_LIST:
      nod_outbox_list_async (run->self->outbox, account_id, cancellable, on_queue_listed, task);
      break;

    case NOD_CLI_VERB_QUEUE_RETRY:
      nod_outbox_retry_async (run->self->outbox, command->op_id, cancellable, on_queue_changed,
                              task);
      break;

    case NOD_CLI_VERB_QUEUE_DISCARD:
      nod_outbox_discard_async (run->self->outbox, command->op_id, cancellable,
                                on_queue_changed, task);
      break;

    case NOD_CLI_VERB_MR_LIST:
      nod_review_cache_list_views_async (nod_sync_engine_get_cache (run->self->engine),
                                         account_id, cancellable, on_views_listed, task);
      break;

    default:
      finish (task, NOD_CLI_EXIT_USAGE, _("nod: this command is not available yet"));
      break;
    }
}

/* ---- accounts ---- */

typedef struct
{
  GTask     *task;
  char      *base_url;
  char      *username;
  char      *token;
  NodGitlab *gitlab;
  GSettings *settings;  /* with --depth */
} AccountAdd;

static void
account_add_free (AccountAdd *add)
{
  g_clear_object (&add->gitlab);
  g_clear_object (&add->settings);
  g_free (add->base_url);
  g_free (add->username);
  nod_credentials_token_free (add->token);
  g_free (add);
}

static void
on_account_stored (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  AccountAdd *add = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_accounts_add_finish (NOD_ACCOUNTS (source_object), result,
                                                           &error);
  Run *run = run_of (add->task);
  g_autofree char *title = NULL;
  g_autofree char *depth = NULL;
  g_autofree char *message = NULL;
  guint days;

  if (account == NULL)
    {
      finish_error (add->task, error);
      account_add_free (add);
      return;
    }

  /* The depth is the one Preferences shows: a running app follows it at once. */
  if (add->settings != NULL)
    {
      nod_settings_set_history_days (add->settings, run->command->history_days);
      nod_sync_engine_set_history_days (run->self->engine, run->command->history_days);
    }
  days = nod_sync_engine_get_history_days (run->self->engine);

  title = nod_account_dup_title (account);
  depth = days == 0 ? g_strdup (_("all its history"))
                    : g_strdup_printf (_("the last %u days"), days);
  if (run->self->headless)
    /* Translators: the first %s is an account, the second "the last 30 days" or
     * "all its history" */
    message = g_strdup_printf (_("Signed in: %s. “nod pull” fetches %s."), title, depth);
  else
    {
      /* The running app syncs it now, in the background, and says when it is done. */
      nod_sync_engine_remove_account (run->self->engine, nod_account_get_id (account));
      nod_sync_engine_add_account (run->self->engine, nod_account_get_id (account),
                                   NOD_FORGE (add->gitlab));
      nod_account_set_signed_in (account, TRUE);
      message = g_strdup_printf (_("Signed in: %s. Nod is fetching %s."), title, depth);
    }
  finish (add->task, NOD_CLI_EXIT_OK, message);
  account_add_free (add);
}

static void
on_token_stored (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AccountAdd *add = user_data;
  Run *run = run_of (add->task);
  g_autoptr(GError) error = NULL;

  if (!nod_credentials_store_finish (result, &error))
    {
      finish_error (add->task, error);
      account_add_free (add);
      return;
    }
  nod_accounts_add_async (run->self->accounts, add->base_url, add->username, 0, NULL,
                          on_account_stored, add);
}

static void
on_account_checked (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  AccountAdd *add = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = nod_forge_get_current_user_finish (NOD_FORGE (source_object), result,
                                                               &error);

  if (user == NULL)
    {
      finish_error (add->task, error);
      account_add_free (add);
      return;
    }
  add->username = g_strdup (nod_user_get_username (user));
  nod_credentials_store_async (add->base_url, add->username, add->token, NULL, on_token_stored,
                               add);
}

static void
check_and_add_account (AccountAdd *add)
{
  g_autoptr(GError) error = NULL;

  add->gitlab = nod_gitlab_new (add->base_url, add->token, &error);
  if (add->gitlab == NULL)
    {
      finish_error (add->task, error);
      account_add_free (add);
      return;
    }
  nod_forge_get_current_user_async (NOD_FORGE (add->gitlab), NULL, on_account_checked, add);
}

static void
on_token_read (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AccountAdd *add = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source_object),
                                                              result, &error);
  gsize length = 0;
  const char *data;

  if (bytes == NULL)
    {
      finish_error (add->task, error);
      account_add_free (add);
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  add->token = g_strstrip (g_strndup (data, length));
  if (*add->token == '\0')
    {
      finish (add->task, NOD_CLI_EXIT_USAGE, _("nod: no token on standard input"));
      account_add_free (add);
      return;
    }
  check_and_add_account (add);
}

static void
start_account_add (GTask *task)
{
  Run *run = run_of (task);
  AccountAdd *add = g_new0 (AccountAdd, 1);
  const char *token = g_application_command_line_getenv (run->command_line, "GITLAB_TOKEN");

  add->task = task;
  add->base_url = g_strdup (run->command->url);
  while (g_str_has_suffix (add->base_url, "/"))
    add->base_url[strlen (add->base_url) - 1] = '\0';

  if (run->command->depth_given && (add->settings = nod_settings_new_if_installed ()) == NULL)
    {
      finish (task, NOD_CLI_EXIT_ERROR,
              _("nod: Nod’s settings are not installed here, so --depth cannot be kept"));
      account_add_free (add);
      return;
    }

  if (run->command->token_from_stdin)
    {
      GInputStream *input = g_application_command_line_get_stdin (run->command_line);

      if (input == NULL)
        {
          finish (task, NOD_CLI_EXIT_USAGE, _("nod: no standard input to read the token from"));
          account_add_free (add);
          return;
        }
      g_input_stream_read_bytes_async (input, 4096, G_PRIORITY_DEFAULT, NULL, on_token_read, add);
      g_object_unref (input);
      return;
    }
  if (token == NULL || *token == '\0')
    {
      finish (task, NOD_CLI_EXIT_USAGE,
              _("nod: give the token on standard input with --token-stdin, or in GITLAB_TOKEN"));
      account_add_free (add);
      return;
    }
  add->token = g_strdup (token);
  check_and_add_account (add);
}

static void
on_account_removed (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_accounts_remove_finish (NOD_ACCOUNTS (source_object), result, &error))
    finish_error (task, error);
  else
    finish (task, NOD_CLI_EXIT_OK, _("Removed."));
}

static void
on_account_token_cleared (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nod_credentials_clear_finish (result, &error))
    g_message ("The token stays in the keyring: %s", error->message);
}

static void
start_account_remove (GTask *task)
{
  Run *run = run_of (task);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->self->accounts));
  g_autofree char *url = g_strdup (run->command->url);

  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->self->accounts), i);

      if (g_strcmp0 (nod_account_get_base_url (account), url) != 0)
        continue;
      nod_sync_engine_remove_account (run->self->engine, nod_account_get_id (account));
      nod_credentials_clear_async (nod_account_get_base_url (account),
                                   nod_account_get_username (account), NULL,
                                   on_account_token_cleared, NULL);
      nod_accounts_remove_async (run->self->accounts, nod_account_get_id (account), NULL,
                                 on_account_removed, task);
      return;
    }
  {
    g_autofree char *message = g_strdup_printf (_("nod: no account at %s"), url);

    finish (task, NOD_CLI_EXIT_ERROR, message);
  }
}

/* ---- a context of its own (headless) ---- */

typedef struct
{
  GTask      *task;
  NodAccount *account;
} Lookup;

static void
context_ready (GTask *task)
{
  Run *run = run_of (task);

  if (run->self->pending_lookups > 0)
    return;

  switch (run->command->verb)
    {
    case NOD_CLI_VERB_ACCOUNT_ADD:
      start_account_add (task);
      break;
    case NOD_CLI_VERB_ACCOUNT_REMOVE:
      start_account_remove (task);
      break;
    default:
      dispatch (task);
      break;
    }
}

static void
add_to_engine (NodCli     *self,
               NodAccount *account,
               const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodGitlab) gitlab = nod_gitlab_new (nod_account_get_base_url (account), token,
                                                &error);

  if (gitlab == NULL)
    g_message ("%s: %s", nod_account_get_base_url (account), error->message);
  else if (nod_sync_engine_get_forge (self->engine, nod_account_get_id (account)) == NULL)
    nod_sync_engine_add_account (self->engine, nod_account_get_id (account), NOD_FORGE (gitlab));
}

static void
on_token_found (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = user_data;
  Run *run = run_of (lookup->task);
  g_autoptr(GError) error = NULL;
  char *token = nod_credentials_lookup_finish (result, &error);

  if (token != NULL)
    add_to_engine (run->self, lookup->account, token);
  nod_credentials_token_free (token);
  run->self->pending_lookups--;
  context_ready (lookup->task);
  g_object_unref (lookup->account);
  g_free (lookup);
}

static void
on_env_account (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_accounts_add_finish (NOD_ACCOUNTS (source_object), result,
                                                           &error);

  if (account == NULL)
    {
      finish_error (task, error);
      return;
    }
  add_to_engine (run->self, account,
                 g_application_command_line_getenv (run->command_line, "GITLAB_TOKEN"));
  context_ready (task);
}

static void
on_env_user (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = nod_forge_get_current_user_finish (NOD_FORGE (source_object), result,
                                                               &error);
  const char *url = nod_gitlab_get_base_url (NOD_GITLAB (source_object));
  g_autofree char *base_url = g_strdup (url);

  g_object_unref (source_object);
  if (user == NULL)
    {
      finish_error (task, error);
      return;
    }
  /* A row for its outbox, so nothing queued is lost; its token is never stored. */
  nod_accounts_add_async (run->self->accounts, base_url, nod_user_get_username (user),
                          nod_user_get_id (user), NULL, on_env_account, task);
}

static void
on_accounts_loaded (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  NodCli *self = run->self;
  g_autoptr(GError) error = NULL;
  const char *env_url = g_application_command_line_getenv (run->command_line, "GITLAB_URL");
  const char *env_token = g_application_command_line_getenv (run->command_line, "GITLAB_TOKEN");
  guint n_accounts;

  if (!nod_accounts_load_finish (self->accounts, result, &error))
    {
      finish_error (task, error);
      return;
    }

  /* GITLAB_URL + GITLAB_TOKEN: a one-off account, and the only one used. */
  if (env_url != NULL && env_token != NULL && run->command->verb != NOD_CLI_VERB_ACCOUNT_ADD)
    {
      NodGitlab *gitlab;

      if (!nod_cli_check_url (env_url, FALSE, &error))
        {
          g_autofree char *message = g_strdup_printf ("%s (GITLAB_URL)", error->message);

          finish (task, NOD_CLI_EXIT_USAGE, message);
          return;
        }
      gitlab = nod_gitlab_new (env_url, env_token, &error);
      if (gitlab == NULL)
        {
          finish_error (task, error);
          return;
        }
      nod_forge_get_current_user_async (NOD_FORGE (gitlab), g_task_get_cancellable (task),
                                        on_env_user, task);
      return;
    }

  n_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  self->pending_lookups = n_accounts;
  for (guint i = 0; i < n_accounts; i++)
    {
      Lookup *lookup = g_new0 (Lookup, 1);

      lookup->task = task;
      lookup->account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      nod_credentials_lookup_async (nod_account_get_base_url (lookup->account),
                                    nod_account_get_username (lookup->account), NULL,
                                    on_token_found, lookup);
    }
  context_ready (task);
}

/* When the last pull ended, from the cursors it saved (a fresh engine has not synced). */
static gboolean
last_pull_work (sqlite3       *db,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  gint64 *last_pull_us = data;
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db,
                                                    "SELECT MAX (updated_at_us) FROM sync_state",
                                                    error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *last_pull_us = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static void
on_last_pull (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;
  gint64 *last_pull_us = nod_store_run_finish (result, run->self, on_last_pull, &error);

  if (last_pull_us == NULL)
    {
      finish_error (task, error);
      return;
    }
  if (*last_pull_us > 0)
    nod_sync_status_set_last_synced_at (nod_sync_engine_get_status (run->self->engine),
                                        *last_pull_us / G_USEC_PER_SEC);
  nod_accounts_load_async (run->self->accounts, g_task_get_cancellable (task),
                           on_accounts_loaded, task);
}

static void
on_recovered (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  g_autoptr(GError) error = NULL;

  if (!nod_outbox_recover_finish (NOD_OUTBOX (source_object), result, NULL, &error))
    {
      finish_error (task, error);
      return;
    }
  nod_store_run_async (run->self->store, run->self, on_last_pull, last_pull_work,
                       g_new0 (gint64, 1), g_free, g_task_get_cancellable (task), on_last_pull,
                       task);
}

static void
on_store_opened (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = run_of (task);
  NodCli *self = run->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;

  self->store = nod_store_open_finish (result, &error);
  if (self->store == NULL)
    {
      finish_error (task, error);
      return;
    }
  self->outbox = nod_outbox_new (self->store);
  self->engine = nod_sync_engine_new (self->store, self->outbox);
  self->accounts = nod_accounts_new (self->store);
  nod_sync_engine_follow_network (self->engine, g_network_monitor_get_default ());
  /* As deep as Preferences says; 30 days where Nod's settings are not installed. */
  settings = nod_settings_new_if_installed ();
  nod_sync_engine_set_history_days (self->engine,
                                    settings != NULL ? nod_settings_get_history_days (settings)
                                                     : 30);

  /* What a killed Nod left in flight is checked before anything is sent again. */
  nod_outbox_recover_async (self->outbox, g_task_get_cancellable (task), on_recovered, task);
}

/* ---- entry points ---- */

void
nod_cli_run_async (NodCli                  *self,
                   GApplicationCommandLine *command_line,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  GTask *task;
  Run *run;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  int argc;

  g_return_if_fail (NOD_IS_CLI (self));
  g_return_if_fail (G_IS_APPLICATION_COMMAND_LINE (command_line));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_cli_run_async);
  run = g_new0 (Run, 1);
  run->self = g_object_ref (self);
  run->command_line = g_object_ref (command_line);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  argv = g_application_command_line_get_arguments (command_line, &argc);
  run->command = nod_cli_command_parse (argc, (const char * const *) argv, &error);
  if (run->command == NULL)
    {
      finish (task, NOD_CLI_EXIT_USAGE, error->message);
      return;
    }

  if (run->command->verb == NOD_CLI_VERB_HELP)
    {
      g_autofree char *help = nod_cli_help_text (run->command->help_for);

      out (run, "%s", help);
      finish (task, NOD_CLI_EXIT_OK, NULL);
      return;
    }

  if (self->headless && self->store == NULL)
    {
      g_autofree char *path = nod_store_get_default_path ();

      nod_store_open_async (path, cancellable, on_store_opened, task);
      return;
    }
  context_ready (task);
}

/* Returns: the exit status for the terminal */
int
nod_cli_run_finish (NodCli       *self,
                    GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NOD_CLI_EXIT_ERROR);

  return (int) g_task_propagate_int (G_TASK (result), NULL);
}

static void
nod_cli_dispose (GObject *object)
{
  NodCli *self = NOD_CLI (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->accounts);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_cli_parent_class)->dispose (object);
}

static void
nod_cli_class_init (NodCliClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_cli_dispose;
}

static void
nod_cli_init (NodCli *self)
{
}

/* For the running app: commands use its engine and accounts. */
NodCli *
nod_cli_new (NodSyncEngine *engine,
             NodAccounts   *accounts)
{
  NodCli *self;

  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (engine), NULL);
  g_return_val_if_fail (NOD_IS_ACCOUNTS (accounts), NULL);

  self = g_object_new (NOD_TYPE_CLI, NULL);
  self->engine = g_object_ref (engine);
  self->accounts = g_object_ref (accounts);
  self->outbox = g_object_ref (nod_sync_engine_get_outbox (engine));
  return self;
}

/* With no app running: a store and an engine of its own. */
NodCli *
nod_cli_new_headless (void)
{
  NodCli *self = g_object_new (NOD_TYPE_CLI, NULL);

  self->headless = TRUE;
  return self;
}

/* ---- `nod VERB …` with no app: GApplication forwards to a running Nod, or we run ---- */

typedef struct
{
  GApplication *application;
  int           status;     /* -1 until a command ran here */
} Headless;

static void
on_headless_done (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Headless *headless = user_data;

  headless->status = nod_cli_run_finish (NOD_CLI (source_object), result);
  g_application_release (headless->application);
}

static int
on_command_line (GApplication            *application,
                 GApplicationCommandLine *command_line,
                 Headless                *headless)
{
  g_autoptr(NodCli) cli = nod_cli_new_headless ();

  /* Held until the command is done; its status is this process's exit status (GLib
   * reports 0 for a local command line that kept the application running). */
  g_application_hold (application);
  nod_cli_run_async (cli, command_line, NULL, on_headless_done, headless);
  return 0;
}

/**
 * nod_cli_main:
 *
 * `nod VERB …`. If a Nod is running, the command goes to it (GApplication carries the
 * arguments, the environment and standard input over D-Bus) and it does the work with
 * its engine; otherwise this process does, headless. Returns the exit status.
 */
int
nod_cli_main (int    argc,
              char **argv)
{
  g_autoptr(GApplication) application = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  GApplicationFlags flags = G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_SEND_ENVIRONMENT;
  Headless headless = { NULL, -1 };
  int status;

  /* Standard output is the command's answer, for scripts: logs go to standard error.
   * (Only possible before the first thread starts.) */
  g_log_writer_default_set_use_stderr (TRUE);

  /* No session bus (SSH, cron): no running Nod to find either; run here. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    flags |= G_APPLICATION_NON_UNIQUE;

  application = g_application_new (APP_ID, flags);
  headless.application = application;
  g_signal_connect (application, "command-line", G_CALLBACK (on_command_line), &headless);
  status = g_application_run (application, argc, argv);
  return headless.status >= 0 ? headless.status : status;
}
