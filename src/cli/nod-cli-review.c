/* nod-cli-review.c: `nod review start|submit|discard REF`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A review is the engine's (nod_sync_engine_start_review_async () and the rest); this
 * says what became of it. Submitting sends at once, as a write does, and waits a while
 * for GitLab: "done", "failed" with the reason of the step that failed, or "queued".
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-cli-private.h"

static void
on_started (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autofree char *message = NULL;
  gboolean started = FALSE;

  if (!nod_sync_engine_start_review_finish (NOD_SYNC_ENGINE (source_object), result, &started,
                                            &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  if (started)
    /* Translators: the reference, twice */
    message = g_strdup_printf (_("review start %s: started; nod comment and nod reply on it "
                                 "now write drafts, and “nod review submit %s” publishes "
                                 "them"), ref, ref);
  else
    message = g_strdup_printf (_("review start %s: a review was started already"), ref);
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
}

static void
on_submitted (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  guint queued = 0;
  NodSyncDecision decision;

  if (!nod_sync_engine_submit_review_finish (NOD_SYNC_ENGINE (source_object), result, &queued,
                                             &run->review_id, &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  if (queued == 0)
    {
      g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
      g_autofree char *message = g_strdup_printf (_("review submit %s: the review held nothing "
                                                    "to send; it has ended"), ref);

      _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
      return;
    }

  /* Sent now, as the engine does for the window: the reviewer asked for it. */
  decision = nod_sync_engine_request_account (run->engine, nod_account_get_id (run->account),
                                              NOD_SYNC_TRIGGER_RETRY);
  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      _nod_cli_report_outcome (task);
      return;
    }
  _nod_cli_when_idle (task, _nod_cli_report_outcome);
}

static void
on_deletes_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = nod_outbox_list_finish (NOD_OUTBOX (source_object), result, &error);
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autofree char *message = NULL;
  gboolean waiting = FALSE;

  if (open == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  for (guint i = 0; i < open->len; i++)
    waiting |= nod_outbox_action_get_kind (open->pdata[i]) == NOD_ACTION_DELETE_DRAFT &&
               nod_outbox_action_get_project_id (open->pdata[i]) == run->project_id &&
               nod_outbox_action_get_mr_iid (open->pdata[i]) == run->command->iid;

  if (!waiting)
    message = g_strdup_printf (_("review discard %s: discarded, and its drafts deleted on "
                                 "GitLab"), ref);
  else
    {
      g_autofree char *why = _nod_cli_why_waiting (run->engine, NULL);

      message = g_strdup_printf (_("review discard %s: discarded; its drafts on GitLab will be "
                                   "deleted later: %s"), ref, why);
    }
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
}

/* Whether the drafts a submitted review created on GitLab are deleted yet. */
static void
report_deletes (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_outbox_list_async (run->outbox, nod_account_get_id (run->account),
                         g_task_get_cancellable (task), on_deletes_listed, task);
}

static void
on_discarded (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  guint removed = 0, deletes = 0;
  NodSyncDecision decision;

  if (!nod_sync_engine_discard_review_finish (NOD_SYNC_ENGINE (source_object), result, &removed,
                                              &deletes, &error))
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  if (deletes == 0)
    {
      g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
      g_autofree char *message = g_strdup_printf (_("review discard %s: discarded"), ref);

      _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
      return;
    }

  /* The drafts a submitted review created on GitLab are deleted now, as a write is sent. */
  decision = nod_sync_engine_request_account (run->engine, nod_account_get_id (run->account),
                                              NOD_SYNC_TRIGGER_RETRY);
  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      report_deletes (task);
      return;
    }
  _nod_cli_when_idle (task, report_deletes);
}

void
_nod_cli_review_act (GTask      *task,
                     const char *head_sha)
{
  NodCliRun *run = _nod_cli_run_of (task);
  gint64 account_id = nod_account_get_id (run->account);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (run->command->verb)
    {
    case NOD_CLI_VERB_REVIEW_START:
      nod_sync_engine_start_review_async (run->engine, account_id, run->project_id,
                                          run->command->iid, cancellable, on_started, task);
      break;

    case NOD_CLI_VERB_REVIEW_SUBMIT:
      /* The head Nod last saw: should commits have come since, GitLab refuses it. */
      nod_sync_engine_submit_review_async (run->engine, account_id, run->project_id,
                                           run->command->iid,
                                           run->command->approve ? head_sha : NULL, run->body,
                                           cancellable, on_submitted, task);
      break;

    case NOD_CLI_VERB_REVIEW_DISCARD:
      nod_sync_engine_discard_review_async (run->engine, account_id, run->project_id,
                                            run->command->iid, cancellable, on_discarded, task);
      break;

    default:
      g_assert_not_reached ();
    }
}
