/* nod-cli-read.c: `nod status`, `nod mr list` and `nod account list`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads only, from what Nod already has: the engine's status, the outbox's counts, the
 * cached merge requests and the accounts. Nothing asks GitLab.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nod-cli-private.h"

/* ---- status ---- */

static void
print_status (NodCliRun             *run,
              const NodOutboxCounts *counts)
{
  NodSyncStatus *status = nod_sync_engine_get_status (run->engine);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->accounts));

  NodSyncState state = nod_sync_status_get_state (status);
  gint64 blocked_until = nod_sync_status_get_blocked_until (status);

  _nod_cli_out (run, "%s\n", nod_sync_state_to_string (state));
  if (state == NOD_SYNC_STATE_BLOCKED && blocked_until > 0)
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (blocked_until);
      g_autofree char *time = g_date_time_format (until, "%H:%M:%S");

      _nod_cli_out (run, "blocked until %s\n", time);
    }
  _nod_cli_out (run, "pending %u, failed %u\n", counts->pending + counts->in_flight,
                counts->failed);
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->accounts), i);
      g_autofree char *title = nod_account_dup_title (account);
      g_autofree char *safe_title = nod_cli_output_value (title);

      _nod_cli_out (run, "account: %s\n", safe_title);
    }
}

/* @member: an ISO 8601 time, or null where @unix_utc is 0 (never, or not known). */
static void
add_time_member (JsonBuilder *builder,
                 const char  *member,
                 gint64       unix_utc)
{
  json_builder_set_member_name (builder, member);
  if (unix_utc > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_utc);
      g_autofree char *iso = g_date_time_format_iso8601 (time);

      json_builder_add_string_value (builder, iso);
    }
  else
    json_builder_add_null_value (builder);
}

/* What the last answer from GitLab said of the request budget; nulls before any. */
static void
add_rate_limit_member (JsonBuilder *builder,
                       NodForge    *forge)
{
  g_autoptr(NodRateLimit) limit = forge != NULL ? nod_forge_dup_rate_limit (forge) : NULL;

  json_builder_set_member_name (builder, "rate_limit");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "remaining");
  if (limit != NULL && limit->remaining >= 0)
    json_builder_add_int_value (builder, limit->remaining);
  else
    json_builder_add_null_value (builder);
  add_time_member (builder, "reset_at", limit != NULL ? limit->reset_at : 0);
  json_builder_end_object (builder);
}

static void
add_accounts_member (JsonBuilder *builder,
                     NodAccounts *accounts)
{
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (accounts));

  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, nod_account_get_base_url (account));
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, nod_account_get_username (account));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* A stable shape for status bars and scripts; times are ISO 8601 or null. */
static JsonNode *
status_to_json (NodCliRun             *run,
                const NodOutboxCounts *counts)
{
  NodSyncStatus *status = nod_sync_engine_get_status (run->engine);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 nod_sync_state_to_string (nod_sync_status_get_state (status)));
  json_builder_set_member_name (builder, "pending");
  json_builder_add_int_value (builder, counts->pending + counts->in_flight);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, counts->failed);
  add_time_member (builder, "last_synced_at", nod_sync_status_get_last_synced_at (status));
  add_time_member (builder, "blocked_until", nod_sync_status_get_blocked_until (status));
  add_rate_limit_member (builder, run->forge);
  add_accounts_member (builder, run->accounts);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
on_counted_for_status (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  NodOutboxCounts counts;

  if (!nod_outbox_count_finish (NOD_OUTBOX (source_object), result, &counts, &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  if (!run->command->json)
    print_status (run, &counts);
  else
    {
      json = status_to_json (run, &counts);
      _nod_cli_out_json (run, json);
    }
  _nod_cli_finish_read (task);
}

/* Over every account: the rate limit is the signed-in one's, if any. */
void
_nod_cli_status (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_count_async (run->outbox, 0, g_task_get_cancellable (task), on_counted_for_status,
                          task);
}

/* ---- mr list ---- */

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

/* "group/project!42<TAB>Title<TAB>opened, approved by you, pipeline failed" */
static void
print_view (NodCliRun                 *run,
            const NodMergeRequestView *view,
            const char                *ref)
{
  g_autofree char *safe_ref = nod_cli_output_value (ref);
  g_autofree char *title = nod_cli_output_value (view->title);
  g_autofree char *state = nod_cli_output_value (view->state);

  /* The pipeline's status is one of GitLab's words or "unknown", never a server's text. */
  _nod_cli_out (run, "%s\t%s\t%s%s%s%s%s\n", safe_ref, title, state,
                view->approved_by_me ? (view->approval_pending ? ", approved by you (pending)"
                                                               : ", approved by you") : "",
                view->failed_actions > 0 ? ", failed action" : "",
                view->pipeline_status != NULL ? ", pipeline " : "",
                view->pipeline_status != NULL ? view->pipeline_status : "");
}

static void
add_view (JsonBuilder               *builder,
          const NodMergeRequestView *view,
          const char                *ref)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, ref);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, view->title);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, view->state);
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, view->author_username ? view->author_username : "");
  /* As the window shows the author: the name, the username when GitLab gave none. */
  json_builder_set_member_name (builder, "author_name");
  json_builder_add_string_value (builder, view->author_name != NULL && *view->author_name != '\0'
                                          ? view->author_name
                                          : (view->author_username ? view->author_username : ""));
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
  json_builder_set_member_name (builder, "pipeline");
  if (view->pipeline_status != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, view->pipeline_status);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "merge_status");
  if (view->merge_status != NULL)
    json_builder_add_string_value (builder, view->merge_status);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "labels");
  json_builder_begin_array (builder);
  for (guint i = 0; view->labels != NULL && view->labels[i] != NULL; i++)
    json_builder_add_string_value (builder, view->labels[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
on_views_listed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) views = nod_review_cache_list_views_finish (NOD_REVIEW_CACHE (source_object),
                                                                   result, &error);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (views == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < views->len; i++)
    {
      NodMergeRequestView *view = views->pdata[i];
      g_autofree char *ref = _nod_cli_reference (view->project_path ? view->project_path : "",
                                                 view->iid);

      if (!matches_list (view, run->command->list_filter))
        continue;
      if (run->command->json)
        add_view (builder, view, ref);
      else
        print_view (run, view, ref);
    }
  json_builder_end_array (builder);

  if (run->command->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);

      _nod_cli_out_json (run, root);
    }
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, NULL);
}

void
_nod_cli_mr_list (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_review_cache_list_views_async (nod_session_get_cache (run->session),
                                     nod_account_get_id (run->account),
                                     g_task_get_cancellable (task), on_views_listed, task);
}

/* ---- account list ---- */

/* Every account added, signed in or not: "URL<TAB>username". One a GITLAB_URL +
 * GITLAB_TOKEN used is not one: nothing of it is kept but what it queued. */
void
_nod_cli_account_list (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->accounts));
  guint listed = 0;

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->accounts), i);
      g_autofree char *url = nod_cli_output_value (nod_account_get_base_url (account));
      g_autofree char *username = nod_cli_output_value (nod_account_get_username (account));

      if (nod_account_get_one_off (account))
        continue;
      _nod_cli_out (run, "%s\t%s\n", url, username);
      listed++;
    }
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, listed == 0 ? _("No accounts yet.") : NULL);
}
