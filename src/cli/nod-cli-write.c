/* nod-cli-write.c: `nod approve`, `unapprove`, `comment`, `reply`, `resolve`, `unresolve`,
 * `note edit|delete`, and the merge request `nod review` acts on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A write is queued through the engine like one made in the window, then sent at once;
 * the command waits a while for GitLab's answer and says "done", "failed" or "queued".
 * Which merge request REF is comes from what the last pull kept, so a write queues with
 * no network; GitLab is asked only about one Nod has not pulled.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-cli-diff.h"
#include "nod-cli-private.h"

/* @head_sha: the merge request's head, as Nod last saw it (NULL: not known) */
typedef NodOutboxAction *(*NewActionFunc) (NodCliRun  *run,
                                           const char *head_sha);

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  NodSyncTrigger trigger;
  NodSyncDecision decision;

  stored = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result, &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  if (stored == NULL)
    {
      /* It cancelled its pending opposite: nothing needs sending. */
      g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
      g_autofree char *message = g_strdup_printf (_("%s %s: done (it undid a pending action)"),
                                                  nod_cli_verb_to_string (run->command->verb),
                                                  ref);

      _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
      return;
    }

  /* In a review: kept until the review is submitted. */
  if (nod_outbox_action_get_state (stored) == NOD_ACTION_DRAFT)
    {
      g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
      g_autofree char *message = NULL;

      /* Translators: the verb, then the reference twice */
      message = g_strdup_printf (_("%s %s: kept as a draft of your review; "
                                   "“nod review submit %s” publishes it"),
                                 nod_cli_verb_to_string (run->command->verb), ref, ref);
      _nod_cli_finish (task, NOD_CLI_EXIT_OK, message);
      return;
    }

  run->op_id = g_strdup (nod_outbox_action_get_op_id (stored));
  /* Sent now, not at the next cycle: the reviewer asked for this one. */
  trigger = nod_outbox_action_is_approval (stored) ? NOD_SYNC_TRIGGER_APPROVAL
                                                   : NOD_SYNC_TRIGGER_RETRY;
  /* For the account it acts for: another's state says nothing of this one. */
  decision = nod_sync_engine_request_account (run->engine, nod_account_get_id (run->account),
                                              trigger);
  if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    {
      _nod_cli_report_outcome (task);
      return;
    }
  _nod_cli_when_idle (task, _nod_cli_report_outcome);
}

static void place_comment (GTask *task);

static void
enqueue (GTask      *task,
         const char *head_sha)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(NodOutboxAction) action = NULL;

  /* review start|submit|discard: no action of their own, the engine's review calls. */
  if (run->new_action == NULL)
    {
      _nod_cli_review_act (task, head_sha);
      return;
    }

  /* comment --file --line: its place on the kept diff first (a comment needs no head). */
  if (run->command->file_path != NULL && run->position == NULL)
    {
      place_comment (task);
      return;
    }

  action = run->new_action (run, head_sha);

  nod_sync_engine_enqueue_async (run->engine, action, g_task_get_cancellable (task),
                                 on_enqueued, task);
}

/* Nothing was queued: say why, and what would help. */
static void
finish_not_found (GTask        *task,
                  const GError *error)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autofree char *message = NULL;

  if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_SERVER) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH))
    /* Translators: the reference, then GitLab's reason */
    message = g_strdup_printf (_("nod: %s has not been pulled yet, and GitLab could not be "
                                 "asked about it: %s Nothing was queued; run “nod pull” once "
                                 "GitLab can be reached."), ref, error->message);
  else
    message = g_strdup_printf ("nod: %s: %s", ref, error->message);
  _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
}

static void
on_merge_request (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequest) mr = nod_forge_get_merge_request_finish (NOD_FORGE (source_object),
                                                                     result, &error);

  if (mr == NULL)
    {
      finish_not_found (task, error);
      return;
    }
  enqueue (task, nod_merge_request_get_sha (mr));
}

static void
on_project (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodProject) project = nod_forge_lookup_project_finish (NOD_FORGE (source_object),
                                                                  result, &error);

  if (project == NULL)
    {
      finish_not_found (task, error);
      return;
    }

  run->project_id = nod_project_get_id (project);
  nod_forge_get_merge_request_async (run->forge, run->project_id, run->command->iid,
                                     g_task_get_cancellable (task), on_merge_request, task);
}

static void
on_target_found (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestTarget) target = NULL;

  target = nod_review_cache_find_target_finish (NOD_REVIEW_CACHE (source_object), result,
                                                &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  /* An approval pins the head the reviewer saw: without one known, GitLab says it. */
  if (target != NULL &&
      (target->sha != NULL ||
       (run->command->verb != NOD_CLI_VERB_APPROVE && !run->command->approve)))
    {
      run->project_id = target->project_id;
      enqueue (task, target->sha);
      return;
    }

  nod_forge_lookup_project_async (run->forge, run->command->project_path,
                                  g_task_get_cancellable (task), on_project, task);
}

/* Which project and head REF means: from the cache, else from GitLab. */
static void
look_up_merge_request (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_review_cache_find_target_async (nod_session_get_cache (run->session),
                                      nod_account_get_id (run->account),
                                      run->command->project_path, run->command->iid,
                                      g_task_get_cancellable (task), on_target_found, task);
}

static void
start_write (GTask         *task,
             NewActionFunc  new_action)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->new_action = new_action;
  look_up_merge_request (task);
}

/* ---- where an inline comment goes: --file and --line on the diff Nod keeps ---- */

/* The kept diff and the file --file names, while the file's text is read for its length. */
typedef struct
{
  GTask               *task;    /* not owned: the run's, alive until it finishes */
  NodMergeRequestDiff *diff;
  NodDiffFile         *file;
} Placing;

static void
placing_free (Placing *placing)
{
  g_clear_object (&placing->diff);
  g_clear_object (&placing->file);
  g_free (placing);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Placing, placing_free)

/* GitLab's position by its rules (nod_diff_file_position_at), then the comment is queued;
 * or exit 2 with why not: a line that is not in the file is bad input, as a bad reference
 * is, and nothing is queued. @line_count: that side's lines, 0 when not known. */
static void
finish_placing (Placing *placing,
                guint    line_count)
{
  GTask *task = placing->task;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  NodDiffPosition *position;

  position = nod_diff_file_position_at (placing->file,
                                        nod_merge_request_diff_get_base_sha (placing->diff),
                                        nod_merge_request_diff_get_start_sha (placing->diff),
                                        nod_merge_request_diff_get_head_sha (placing->diff),
                                        run->command->old_side, run->command->line, line_count,
                                        &error);
  if (position == NULL)
    {
      /* The sentence names the file: a stranger's path, made one safe line. */
      g_autofree char *reason = nod_cli_output_value (error->message);
      g_autofree char *message = g_strdup_printf ("nod: %s", reason);

      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, message);
      return;
    }
  run->position = position;
  enqueue (task, NULL);
}

static void
on_placing_text (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Placing) placing = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) text = nod_diff_cache_load_blob_finish (NOD_DIFF_CACHE (source_object),
                                                           result, &error);

  if (error != NULL)
    {
      _nod_cli_finish_error (placing->task, error);
      return;
    }
  /* Not kept (fetched later, or never): the diff's own lines still say what is in it. */
  finish_placing (placing, text != NULL ? nod_cli_diff_count_lines (text) : 0);
}

static void
on_placing_diff (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  g_autoptr(Placing) placing = NULL;
  NodDiffFile *file;
  const char *text_sha;

  diff = nod_diff_cache_load_diff_finish (NOD_DIFF_CACHE (source_object), result, &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  if (diff == NULL)
    {
      g_autofree char *message = _nod_cli_diff_not_kept_message (run);

      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
      return;
    }
  file = nod_merge_request_diff_find_file (diff, run->command->file_path);
  if (file == NULL)
    {
      g_autofree char *message = _nod_cli_diff_no_file_message (run);

      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, message);
      return;
    }

  placing = g_new0 (Placing, 1);
  placing->task = task;
  placing->diff = g_steal_pointer (&diff);
  placing->file = g_object_ref (file);

  /* A line past the end of the file, outside every hunk, is refused only when the text
   * (and so its length) is kept. */
  text_sha = run->command->old_side ? nod_diff_file_get_old_blob (file)
                                    : nod_diff_file_get_new_blob (file);
  if (text_sha == NULL)
    {
      finish_placing (placing, 0);
      return;
    }
  nod_diff_cache_load_blob_async (NOD_DIFF_CACHE (source_object), text_sha,
                                  g_task_get_cancellable (task), on_placing_text,
                                  g_steal_pointer (&placing));
}

/* The newest diff Nod keeps of the merge request: the one the reviewer reads with nod diff. */
static void
place_comment (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_diff_cache_load_diff_async (nod_session_get_diff_cache (run->session),
                                  nod_account_get_id (run->account), run->project_id,
                                  run->command->iid, NULL, g_task_get_cancellable (task),
                                  on_placing_diff, task);
}

/* ---- the text of a comment or a reply: --body TEXT, or --body - for standard input ---- */

/* The most standard input can hold of a body GitLab takes: its characters, 4 bytes each. */
#define MAX_STDIN_BODY_BYTES ((gsize) NOD_NOTE_BODY_MAX_CHARS * 4)

static void
on_body_read (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _nod_cli_read_stdin_finish (result, &error);
  gsize length = 0;
  const char *data;

  if (g_error_matches (error, NOD_CLI_ERROR, NOD_CLI_ERROR_TOO_LONG))
    {
      g_autofree char *message =
        g_strdup_printf (_("nod: the body on standard input is too long; GitLab takes at most "
                           "%d characters"), NOD_NOTE_BODY_MAX_CHARS);

      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, message);
      return;
    }
  if (g_error_matches (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE))
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, error->message);
      return;
    }
  if (bytes == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }

  /* The same rules as --body TEXT, and no NUL: nothing is queued otherwise. */
  data = g_bytes_get_data (bytes, &length);
  if (!nod_cli_check_body (data, length, TRUE, &error))
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, error->message);
      return;
    }
  run->body = g_strndup (data, length);
  run->after_body (task);
}

void
_nod_cli_read_body (GTask          *task,
                    NodCliVerbFunc  then)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->after_body = then;
  if (!run->command->body_from_stdin)
    {
      run->body = g_strdup (run->command->body);
      then (task);
      return;
    }

  _nod_cli_read_stdin_async (run, MAX_STDIN_BODY_BYTES, g_task_get_cancellable (task),
                             on_body_read, task);
}

static void
start_write_with_body (GTask         *task,
                       NewActionFunc  new_action)
{
  NodCliRun *run = _nod_cli_run_of (task);

  run->new_action = new_action;
  _nod_cli_read_body (task, look_up_merge_request);
}

/* ---- what each verb queues, once Nod knows which merge request REF is ---- */

static NodOutboxAction *
new_approve (NodCliRun  *run,
             const char *head_sha)
{
  /* The head Nod last saw: should commits have come since, GitLab refuses it. */
  return nod_outbox_action_new_approve (nod_account_get_id (run->account), run->project_id,
                                        run->command->iid, head_sha);
}

static NodOutboxAction *
new_unapprove (NodCliRun  *run,
               const char *head_sha)
{
  return nod_outbox_action_new_unapprove (nod_account_get_id (run->account), run->project_id,
                                          run->command->iid);
}

static NodOutboxAction *
new_comment (NodCliRun  *run,
             const char *head_sha)
{
  if (run->position != NULL)
    return nod_outbox_action_new_inline_comment (nod_account_get_id (run->account),
                                                 run->project_id, run->command->iid,
                                                 run->body, run->position);
  return nod_outbox_action_new_comment (nod_account_get_id (run->account), run->project_id,
                                        run->command->iid, run->body);
}

static NodOutboxAction *
new_reply (NodCliRun  *run,
           const char *head_sha)
{
  if (run->command->resolve)
    return nod_outbox_action_new_resolving_reply (nod_account_get_id (run->account),
                                                  run->project_id, run->command->iid,
                                                  run->command->discussion_id, run->body);
  return nod_outbox_action_new_reply (nod_account_get_id (run->account), run->project_id,
                                      run->command->iid, run->command->discussion_id, run->body);
}

static NodOutboxAction *
new_resolve (NodCliRun  *run,
             const char *head_sha)
{
  return nod_outbox_action_new_resolve (nod_account_get_id (run->account), run->project_id,
                                        run->command->iid, run->command->discussion_id, TRUE);
}

static NodOutboxAction *
new_unresolve (NodCliRun  *run,
               const char *head_sha)
{
  return nod_outbox_action_new_resolve (nod_account_get_id (run->account), run->project_id,
                                        run->command->iid, run->command->discussion_id, FALSE);
}

static NodOutboxAction *
new_note_edit (NodCliRun  *run,
               const char *head_sha)
{
  return nod_outbox_action_new_edit_note (nod_account_get_id (run->account), run->project_id,
                                          run->command->iid, run->command->discussion_id,
                                          run->command->note_id, run->body);
}

static NodOutboxAction *
new_note_delete (NodCliRun  *run,
                 const char *head_sha)
{
  return nod_outbox_action_new_delete_note (nod_account_get_id (run->account), run->project_id,
                                            run->command->iid, run->command->discussion_id,
                                            run->command->note_id);
}

/* ---- the verbs ---- */

void
_nod_cli_approve (GTask *task)
{
  start_write (task, new_approve);
}

void
_nod_cli_unapprove (GTask *task)
{
  start_write (task, new_unapprove);
}

void
_nod_cli_comment (GTask *task)
{
  start_write_with_body (task, new_comment);
}

void
_nod_cli_reply (GTask *task)
{
  start_write_with_body (task, new_reply);
}

void
_nod_cli_resolve (GTask *task)
{
  start_write (task, new_resolve);
}

void
_nod_cli_unresolve (GTask *task)
{
  start_write (task, new_unresolve);
}

void
_nod_cli_review_start (GTask *task)
{
  start_write (task, NULL);
}

void
_nod_cli_review_submit (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  /* --body is the review's own comment, and optional. */
  if (run->command->body != NULL || run->command->body_from_stdin)
    start_write_with_body (task, NULL);
  else
    start_write (task, NULL);
}

void
_nod_cli_review_discard (GTask *task)
{
  start_write (task, NULL);
}

void
_nod_cli_note_edit (GTask *task)
{
  start_write_with_body (task, new_note_edit);
}

void
_nod_cli_note_delete (GTask *task)
{
  start_write (task, new_note_delete);
}
