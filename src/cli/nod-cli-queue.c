/* nod-cli-queue.c: `nod queue list`, `nod queue retry|discard|cancel OP` and
 * `nod queue edit OP --body TEXT|-`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The outbox, as the signed-in account has it: read here, changed only through the engine.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nod-cli-private.h"

/* ---- queue list ---- */

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

/* When a pending row that waits (backing off, rate-limited) goes next, Unix
 * microseconds; 0 when it may go now or is not pending. */
static gint64
waits_until_us (NodOutboxAction *action)
{
  gint64 next_us = nod_outbox_action_get_next_attempt_at (action);

  if (nod_outbox_action_get_state (action) != NOD_ACTION_PENDING || next_us <= g_get_real_time ())
    return 0;
  return next_us;
}

/* " (next attempt at 14:05:09)", or "" when the row does not wait. */
static char *
next_attempt_text (NodOutboxAction *action)
{
  gint64 next_us = waits_until_us (action);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *time = NULL;

  if (next_us == 0)
    return g_strdup ("");
  when = g_date_time_new_from_unix_local (next_us / G_USEC_PER_SEC);
  time = g_date_time_format (when, "%H:%M:%S");
  /* Translators: after the reason an action waits, e.g. " (next attempt at 14:05:09)" */
  return g_strdup_printf (_(" (next attempt at %s)"), time);
}

/* "  src/main.c:12" for an inline comment on the new side, "  src/main.c:7 (old)" on the
 * old side only (a removed line); "" for an action with no place on the diff. */
char *
_nod_cli_action_place (NodOutboxAction *action)
{
  g_autofree char *place = _nod_cli_position_place (nod_outbox_action_get_position (action));

  return place != NULL ? g_strconcat ("  ", place, NULL) : g_strdup ("");
}

/* "src/main.c:12" on the new side, "src/main.c:7 (old)" on the old side only; NULL for no
 * place. The path made safe. */
char *
_nod_cli_position_place (const NodDiffPosition *position)
{
  g_autofree char *path = NULL;

  if (position == NULL)
    return NULL;
  if (position->new_line > 0)
    {
      path = nod_cli_output_value (position->new_path);
      return g_strdup_printf ("%s:%" G_GINT64_FORMAT, path, position->new_line);
    }
  path = nod_cli_output_value (position->old_path);
  return g_strdup_printf ("%s:%" G_GINT64_FORMAT " (old)", path, position->old_line);
}

static void
add_line_member (JsonBuilder *builder,
                 const char  *member,
                 gint64       line)
{
  json_builder_set_member_name (builder, member);
  if (line > 0)
    json_builder_add_int_value (builder, line);
  else
    json_builder_add_null_value (builder);
}

/* "position": GitLab's paths and lines of an inline comment (a line null on the side it is
 * not on), or null. */
void
_nod_cli_add_position_member (JsonBuilder     *builder,
                              NodOutboxAction *action)
{
  const NodDiffPosition *position = nod_outbox_action_get_position (action);

  json_builder_set_member_name (builder, "position");
  if (position == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "old_path");
  json_builder_add_string_value (builder, position->old_path);
  json_builder_set_member_name (builder, "new_path");
  json_builder_add_string_value (builder, position->new_path);
  add_line_member (builder, "old_line", position->old_line);
  add_line_member (builder, "new_line", position->new_line);
  json_builder_end_object (builder);
}

/* "OP  comment    failed   project 11 !111  src/main.c:12  REASON", columns lined up. */
static void
print_action (NodCliRun       *run,
              NodOutboxAction *action)
{
  const char *reason = nod_outbox_action_get_last_error (action);
  g_autofree char *safe_reason = reason != NULL ? nod_cli_output_value (reason) : NULL;
  g_autofree char *next_attempt = next_attempt_text (action);
  g_autofree char *place = _nod_cli_action_place (action);

  _nod_cli_out (run, "%s  %-9s  %-7s  project %" G_GINT64_FORMAT " !%" G_GINT64_FORMAT
                "%s%s%s%s\n",
                nod_outbox_action_get_op_id (action),
                nod_action_kind_to_string (nod_outbox_action_get_kind (action)),
                state_label (nod_outbox_action_get_state (action)),
                nod_outbox_action_get_project_id (action), nod_outbox_action_get_mr_iid (action),
                place, reason != NULL ? "  " : "", reason != NULL ? safe_reason : "",
                reason != NULL ? next_attempt : "");
}

static void
add_action (JsonBuilder     *builder,
            NodOutboxAction *action)
{
  const char *reason = nod_outbox_action_get_last_error (action);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, nod_outbox_action_get_op_id (action));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder,
                                 nod_action_kind_to_string (nod_outbox_action_get_kind (action)));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state_label (nod_outbox_action_get_state (action)));
  json_builder_set_member_name (builder, "project_id");
  json_builder_add_int_value (builder, nod_outbox_action_get_project_id (action));
  json_builder_set_member_name (builder, "iid");
  json_builder_add_int_value (builder, nod_outbox_action_get_mr_iid (action));
  _nod_cli_add_position_member (builder, action);
  json_builder_set_member_name (builder, "reason");
  if (reason != NULL)
    json_builder_add_string_value (builder, reason);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "next_attempt_at");
  if (waits_until_us (action) > 0)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (waits_until_us (action) /
                                                                  G_USEC_PER_SEC);
      g_autofree char *iso = g_date_time_format_iso8601 (when);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static void
on_queue_listed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) actions = nod_outbox_list_finish (NOD_OUTBOX (source_object), result,
                                                         &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (actions == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < actions->len; i++)
    {
      if (run->command->json)
        add_action (builder, actions->pdata[i]);
      else
        print_action (run, actions->pdata[i]);
    }
  json_builder_end_array (builder);

  if (run->command->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      _nod_cli_out_json (run, root);
    }
  else if (actions->len == 0)
    _nod_cli_out (run, "%s\n", _("Nothing waiting to be sent."));
  _nod_cli_finish_read (task);
}

void
_nod_cli_queue_list (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_list_async (run->outbox, nod_account_get_id (run->account),
                         g_task_get_cancellable (task), on_queue_listed, task);
}

/* ---- queue retry, queue discard ---- */

static void
on_retried (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;

  if (!nod_sync_engine_retry_finish (NOD_SYNC_ENGINE (source_object), result, &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  /* The engine asked for the push already: wait for what it did. */
  run->op_id = g_strdup (run->command->op_id);
  _nod_cli_when_idle (task, _nod_cli_report_outcome);
}

void
_nod_cli_queue_retry (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_sync_engine_retry_async (run->engine, run->command->op_id, g_task_get_cancellable (task),
                               on_retried, task);
}

static void
on_discarded (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_sync_engine_discard_finish (NOD_SYNC_ENGINE (source_object), result, &error))
    _nod_cli_finish_error (task, error);
  else
    _nod_cli_finish (task, NOD_CLI_EXIT_OK, _("Discarded."));
}

void
_nod_cli_queue_discard (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_sync_engine_discard_async (run->engine, run->command->op_id, g_task_get_cancellable (task),
                                 on_discarded, task);
}

/* ---- queue cancel, queue edit: a change not sent yet, taken back or reworded ---- */

static void
on_changed (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  gboolean cancel = run->command->verb == NOD_CLI_VERB_QUEUE_CANCEL;
  gboolean changed = cancel
    ? nod_sync_engine_cancel_action_finish (NOD_SYNC_ENGINE (source_object), result, &error)
    : nod_sync_engine_edit_action_finish (NOD_SYNC_ENGINE (source_object), result, &error);

  if (!changed)
    _nod_cli_finish_error (task, error);
  else
    _nod_cli_finish (task, NOD_CLI_EXIT_OK,
                     cancel ? _("Cancelled; nothing of it was sent.")
                            : _("Edited; the new text is what will be sent."));
}

void
_nod_cli_queue_cancel (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_sync_engine_cancel_action_async (run->engine, run->command->op_id,
                                       g_task_get_cancellable (task), on_changed, task);
}

static void
edit_with_body (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_sync_engine_edit_action_async (run->engine, run->command->op_id, run->body,
                                     g_task_get_cancellable (task), on_changed, task);
}

void
_nod_cli_queue_edit (GTask *task)
{
  _nod_cli_read_body (task, edit_with_body);
}
