/* nod-cli-sync.c: `nod pull`, `nod push`, `nod sync` and `nod sync --preview`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine does the work, as it would on its own schedule; these ask it to start now and
 * say what it did once it is idle again. --preview only reads.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-cli-private.h"

/* How many merge requests --preview names per scope; the count says how many changed. */
#define PREVIEW_TITLES_PER_SCOPE 20

/* ---- push ---- */

/* What `nod push` exits with once the push ran: 1 when an action failed for good, 75 when
 * some still wait (backing off, rate-limited, signed out), else 0. */
int
_nod_cli_push_exit_status (guint failed,
                           guint remaining)
{
  if (failed > 0)
    return NOD_CLI_EXIT_ERROR;
  return remaining > 0 ? NOD_CLI_EXIT_QUEUED : NOD_CLI_EXIT_OK;
}

/* Of two exit statuses, the one that says more went wrong: failed, then waiting, then done. */
static int
worse_status (int a,
              int b)
{
  if (a == NOD_CLI_EXIT_ERROR || b == NOD_CLI_EXIT_ERROR)
    return NOD_CLI_EXIT_ERROR;
  if (a == NOD_CLI_EXIT_QUEUED || b == NOD_CLI_EXIT_QUEUED)
    return NOD_CLI_EXIT_QUEUED;
  return NOD_CLI_EXIT_OK;
}

static void
on_counted_after_push (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (
                                    nod_sync_engine_get_status (run->engine));
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts;
  guint remaining;

  if (!nod_outbox_count_finish (NOD_OUTBOX (source_object), result, &counts, &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  remaining = counts.pending + counts.in_flight;
  if (run->command->verb == NOD_CLI_VERB_SYNC)
    _nod_cli_out (run, "pulled %u\n", run->pulled);
  _nod_cli_out (run, "pushed %u, failed %u, remaining %u\n", summary->pushed, summary->failed,
                remaining);
  _nod_cli_finish (task, worse_status (run->pull_status,
                                       _nod_cli_push_exit_status (summary->failed, remaining)),
                   NULL);
}

static void
after_push (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_count_async (run->outbox, nod_account_get_id (run->account),
                          g_task_get_cancellable (task), on_counted_after_push, task);
}

void
_nod_cli_push (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  NodSyncTrigger trigger = run->command->approvals_only ? NOD_SYNC_TRIGGER_APPROVAL
                                                        : NOD_SYNC_TRIGGER_RETRY;
  NodSyncDecision decision =
    nod_sync_engine_request_account (run->engine, nod_account_get_id (run->account), trigger);

  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      g_autofree char *why = _nod_cli_why_waiting (run->engine, &decision);
      g_autofree char *message = g_strdup_printf (_("nod: nothing pushed: %s"), why);

      if (run->command->verb == NOD_CLI_VERB_SYNC)
        _nod_cli_out (run, "pulled %u\n", run->pulled);
      _nod_cli_finish (task, worse_status (run->pull_status, NOD_CLI_EXIT_QUEUED), message);
      return;
    }
  _nod_cli_when_done (task, NOD_CLI_PROGRESS_PUSH, after_push);
}

/* ---- pull, and sync: a pull, then a push ---- */

/* How the pull went, for people and as an exit status: a stop for the budget or an
 * unreachable GitLab waits (75, and until when); anything else that went wrong failed (1). */
static int
report_pull (NodCliRun            *run,
             const NodSyncSummary *summary)
{
  g_autofree char *why = NULL;

  if (summary->pull_outcome == NOD_SYNC_PULL_DONE)
    return NOD_CLI_EXIT_OK;

  why = _nod_cli_why_waiting (run->engine, NULL);
  if (summary->pull_outcome == NOD_SYNC_PULL_FAILED)
    {
      g_application_command_line_printerr (run->command_line, _("nod: the pull failed: %s\n"),
                                           why);
      return NOD_CLI_EXIT_ERROR;
    }
  g_application_command_line_printerr (run->command_line,
                                       _("nod: the pull stopped and will go on later: %s\n"),
                                       why);
  return NOD_CLI_EXIT_QUEUED;
}

static void
after_pull (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (
                                    nod_sync_engine_get_status (run->engine));

  run->pulled = summary->pulled;
  run->pull_status = report_pull (run, summary);
  if (run->command->verb == NOD_CLI_VERB_SYNC)
    {
      _nod_cli_push (task);
      return;
    }
  _nod_cli_out (run, "pulled %u\n", run->pulled);
  _nod_cli_finish (task, run->pull_status, NULL);
}

void
_nod_cli_pull (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  NodSyncDecision decision =
    nod_sync_engine_request_account (run->engine, nod_account_get_id (run->account),
                                     NOD_SYNC_TRIGGER_SETTINGS_CHANGED);

  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      g_autofree char *why = _nod_cli_why_waiting (run->engine, &decision);
      g_autofree char *message = g_strdup_printf (_("nod: nothing pulled: %s"), why);

      _nod_cli_finish (task, NOD_CLI_EXIT_QUEUED, message);
      return;
    }
  _nod_cli_when_done (task, NOD_CLI_PROGRESS_PULL, after_pull);
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
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_merge_requests_finish (NOD_FORGE (source_object),
                                                                       result, &error);
  GPtrArray *items;
  gint64 total;

  if (page == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  items = nod_forge_page_get_items (page);
  total = nod_forge_page_get_total (page);
  if (total < 0)
    total = items->len;
  _nod_cli_out (run, "would pull: %" G_GINT64_FORMAT " changed in %s\n", total,
                preview_scope_keys[run->preview_scope] + strlen ("merge-requests:"));
  for (guint i = 0; i < items->len && i < PREVIEW_TITLES_PER_SCOPE; i++)
    {
      NodMergeRequest *mr = items->pdata[i];
      g_autofree char *ref = nod_cli_output_value (nod_merge_request_get_reference (mr));
      g_autofree char *title = nod_cli_output_value (nod_merge_request_get_title (mr));

      _nod_cli_out (run, "  %s  %s\n", ref, title);
    }
  run->preview_scope++;
  preview_next_scope (task);
}

/* Since the last pull, as the pull itself would ask; nothing is saved. */
static GDateTime *
parse_cursor_since (const char *cursor)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GTimeZone) utc = NULL;
  JsonNode *root;
  const char *text;

  if (cursor == NULL || !json_parser_load_from_data (parser, cursor, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  text = json_object_get_string_member_with_default (json_node_get_object (root),
                                                     "updated_after", NULL);
  if (text == NULL)
    return NULL;
  utc = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (text, utc);
}

static void
on_preview_cursor (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = nod_review_cache_load_cursor_finish (NOD_REVIEW_CACHE (source_object),
                                                                result, &error);
  g_autoptr(GDateTime) since = NULL;

  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  since = parse_cursor_since (cursor);
  nod_forge_list_merge_requests_async (run->forge, preview_scopes[run->preview_scope], since,
                                       NULL, 1, g_task_get_cancellable (task), on_preview_page,
                                       task);
}

static void
preview_next_scope (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  if (run->preview_scope >= G_N_ELEMENTS (preview_scopes))
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_OK, NULL);
      return;
    }
  nod_review_cache_load_cursor_async (nod_session_get_cache (run->session),
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
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  guint would_push = 0;

  if (actions == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  for (guint i = 0; i < actions->len; i++)
    if (nod_outbox_action_get_state (actions->pdata[i]) == NOD_ACTION_PENDING)
      would_push++;
  _nod_cli_out (run, "would push: %u\n", would_push);
  for (guint i = 0; i < actions->len; i++)
    {
      NodOutboxAction *action = actions->pdata[i];
      g_autofree char *place = NULL;

      if (nod_outbox_action_get_state (action) != NOD_ACTION_PENDING)
        continue;
      place = _nod_cli_action_place (action);
      _nod_cli_out (run, "  %s  %s  project %" G_GINT64_FORMAT " !%" G_GINT64_FORMAT "%s\n",
                    nod_outbox_action_get_op_id (action),
                    nod_action_kind_to_string (nod_outbox_action_get_kind (action)),
                    nod_outbox_action_get_project_id (action),
                    nod_outbox_action_get_mr_iid (action), place);
    }
  preview_next_scope (task);
}

/* What a push would send, then what a pull would fetch, scope by scope. */
static void
preview (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_list_async (run->outbox, nod_account_get_id (run->account),
                         g_task_get_cancellable (task), on_preview_actions, task);
}

void
_nod_cli_sync (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  if (run->command->preview)
    preview (task);
  else
    _nod_cli_pull (task);
}
