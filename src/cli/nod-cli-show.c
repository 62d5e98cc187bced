/* nod-cli-show.c: `nod mr show REF [--json]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One merge request as Nod keeps it, offline: what it is, its description, its commits,
 * and its threads with the ids `nod reply` and `nod resolve` take, each note with its id
 * (what `nod note edit|delete` take) and the reviewer's change to it not sent yet, and the
 * reviewer's comments not sent yet and the drafts of a review started on it. Reads only;
 * nothing asks GitLab.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nod-cli-private.h"
#include "nod-commit.h"

/* What is read, in three steps, before anything is printed. */
typedef struct
{
  GTask                 *task;     /* not owned: the run's, alive until it finishes */
  NodMergeRequestDetail *detail;
  GPtrArray             *actions;  /* the merge request's open actions, then its drafts */
  gboolean               review_started;
} Show;

static void
show_free (Show *show)
{
  g_clear_pointer (&show->detail, nod_merge_request_detail_free);
  g_clear_pointer (&show->actions, g_ptr_array_unref);
  g_free (show);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Show, show_free)

/* "2026-12-02 10:04", local time; "" when not known. */
static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("");
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* @text, every line indented by @indent, made safe one line at a time. */
static void
print_body (NodCliRun  *run,
            const char *text,
            const char *indent)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *safe = nod_cli_output_value (lines[i]);

      _nod_cli_out (run, "%s%s\n", *safe != '\0' ? indent : "", safe);
    }
}

static const char *
own_state_label (NodOutboxAction *action)
{
  switch (nod_outbox_action_get_state (action))
    {
    case NOD_ACTION_DRAFT:
      return _("draft");
    case NOD_ACTION_FAILED:
      return _("failed");
    case NOD_ACTION_IN_FLIGHT:
      return _("sending");
    case NOD_ACTION_PENDING:
    case NOD_ACTION_DONE:
    default:
      return _("pending");
    }
}

/* The reviewer's own notes in a thread, not on GitLab yet, and their changes to ones GitLab
 * has (each under the note it changes, see print_change ()). */
static void
print_own (NodCliRun *run,
           GPtrArray *own)
{
  for (guint i = 0; i < own->len; i++)
    {
      NodOutboxAction *action = own->pdata[i];

      if (!nod_outbox_action_is_note (action))
        continue;
      /* Translators: the reviewer's note not sent yet: "You (draft):" */
      _nod_cli_out (run, _("  You (%s):\n"), own_state_label (action));
      print_body (run, nod_outbox_action_get_body (action), "    ");
    }
}

/* Under the note @note_id, the reviewer's change to it not sent yet, if any: the new text,
 * or that it is being deleted. */
static void
print_change (NodCliRun *run,
              GPtrArray *own,
              gint64     note_id)
{
  for (guint i = own->len; i > 0; i--)
    {
      NodOutboxAction *action = own->pdata[i - 1];
      NodActionKind kind = nod_outbox_action_get_kind (action);

      if ((kind != NOD_ACTION_EDIT_NOTE && kind != NOD_ACTION_DELETE_NOTE) ||
          nod_outbox_action_get_note_id (action) != note_id)
        continue;
      if (kind == NOD_ACTION_DELETE_NOTE)
        {
          /* Translators: the reviewer's removal of their note, not sent yet, and its
           * state: "(deleting: pending)" */
          _nod_cli_out (run, _("    (deleting: %s)\n"), own_state_label (action));
          return;
        }
      /* Translators: the reviewer's new text for their note, not sent yet, and its
       * state: "(new text, pending):" */
      _nod_cli_out (run, _("    (new text, %s):\n"), own_state_label (action));
      print_body (run, nod_outbox_action_get_body (action), "    ");
      return;
    }
}

/* Newest first: "  1a2b3c4d  Title  (Alice, 2026-12-02 10:04)"; "and N more" past the first
 * page Nod keeps. */
static void
print_commits (NodCliRun                   *run,
               const NodMergeRequestDetail *detail)
{
  guint shown = detail->commits != NULL ? detail->commits->len : 0;
  guint total = detail->commits_total > (int) shown ? (guint) detail->commits_total : shown;

  if (shown == 0)
    return;
  _nod_cli_out (run, "\n%s (%u):\n", _("commits"), total);
  for (guint i = 0; i < shown; i++)
    {
      NodCommit *commit = detail->commits->pdata[i];
      g_autofree char *short_id = nod_cli_output_value (nod_commit_get_short_id (commit));
      g_autofree char *title = nod_cli_output_value (nod_commit_get_title (commit));
      g_autofree char *author = nod_cli_output_value (nod_commit_get_author_name (commit));
      g_autoptr(GDateTime) authored = nod_commit_get_authored_date (commit) != NULL
                                        ? g_date_time_new_from_iso8601 (
                                            nod_commit_get_authored_date (commit), NULL)
                                        : NULL;
      g_autofree char *when = format_time (authored);

      _nod_cli_out (run, "  %s  %s  (%s%s%s)\n", short_id, title, author,
                    *author != '\0' && *when != '\0' ? ", " : "", when);
    }
  if (total > shown)
    /* Translators: commits GitLab has beyond those Nod keeps */
    _nod_cli_out (run, _("  and %u more\n"), total - shown);
}

static void
print_text (Show *show)
{
  NodCliRun *run = _nod_cli_run_of (show->task);
  const NodMergeRequestView *view = show->detail->view;
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autofree char *title = nod_cli_output_value (view->title);
  g_autofree char *state = nod_cli_output_value (view->state);
  g_autofree char *author = nod_cli_output_value (view->author_name != NULL
                                                  ? view->author_name : view->author_username);
  g_autofree char *source = nod_cli_output_value (view->source_branch);
  g_autofree char *target = nod_cli_output_value (view->target_branch);
  g_autofree char *url = nod_cli_output_value (view->web_url);
  GPtrArray *discussions = show->detail->discussions;

  _nod_cli_out (run, "%s\t%s\n", ref, title);
  _nod_cli_out (run, _("%s, by %s: %s → %s\n"), state, author, source, target);
  if (view->approvals_required >= 0)
    _nod_cli_out (run, _("approvals: %u of %d%s\n"), view->approvals_given,
                  view->approvals_required,
                  view->approved_by_me ? (view->approval_pending ? _(", yours pending")
                                                                 : _(", yours given")) : "");
  else
    _nod_cli_out (run, _("approvals: %u%s\n"), view->approvals_given,
                  view->approved_by_me ? (view->approval_pending ? _(", yours pending")
                                                                 : _(", yours given")) : "");
  if (*url != '\0')
    _nod_cli_out (run, "%s\n", url);
  if (show->review_started)
    _nod_cli_out (run, _("A review of yours is started: comments and replies are drafts.\n"));
  if (show->detail->description != NULL && *show->detail->description != '\0')
    {
      _nod_cli_out (run, "\n");
      print_body (run, show->detail->description, "  ");
    }
  print_commits (run, show->detail);

  for (guint i = 0; i < discussions->len; i++)
    {
      NodDiscussion *discussion = discussions->pdata[i];
      GPtrArray *notes = nod_discussion_get_notes (discussion);
      g_autoptr(GPtrArray) own = nod_outbox_actions_of_thread (show->actions,
                                                               nod_discussion_get_id (discussion));
      g_autofree char *place = notes->len > 0
                                 ? _nod_cli_position_place (nod_note_get_position (notes->pdata[0])) : NULL;
      g_autofree char *id = nod_cli_output_value (nod_discussion_get_id (discussion));

      _nod_cli_out (run, "\n%s %s%s%s%s\n", _("thread"), id, place != NULL ? "  " : "",
                    place != NULL ? place : "",
                    !nod_discussion_get_resolvable (discussion)
                      ? "" : nod_discussion_get_resolved (discussion) ? _("  resolved")
                                                                      : _("  open"));
      for (guint j = 0; j < notes->len; j++)
        {
          NodNote *note = notes->pdata[j];
          NodUser *user = nod_note_get_author (note);
          g_autofree char *name = nod_cli_output_value (nod_user_get_display_name (user));
          g_autofree char *when = format_time (nod_note_get_created_at (note));

          /* Translators: a note's author, when, and its id (what nod note edit takes) */
          _nod_cli_out (run, _("  %s, %s (note %" G_GINT64_FORMAT "):\n"), name, when,
                        nod_note_get_id (note));
          print_body (run, nod_note_get_body (note), "    ");
          print_change (run, own, nod_note_get_id (note));
        }
      print_own (run, own);
    }

  /* Threads the reviewer started that GitLab does not have yet, drafts too. */
  for (guint i = 0; i < show->actions->len; i++)
    {
      NodOutboxAction *action = show->actions->pdata[i];
      g_autofree char *key = nod_outbox_action_dup_thread_key (action);
      g_autoptr(GPtrArray) own = NULL;
      g_autofree char *place = NULL;

      if (nod_outbox_action_get_kind (action) != NOD_ACTION_COMMENT || key == NULL)
        continue;
      own = nod_outbox_actions_of_thread (show->actions, key);
      place = _nod_cli_position_place (nod_outbox_action_get_position (action));
      /* Its id is Nod's own until GitLab has it: a draft's can't be replied to. */
      if (nod_outbox_action_get_state (action) == NOD_ACTION_DRAFT)
        _nod_cli_out (run, "\n%s%s%s\n", _("new thread, a draft"), place != NULL ? "  " : "",
                      place != NULL ? place : "");
      else
        _nod_cli_out (run, "\n%s %s%s%s\n", _("thread"), key, place != NULL ? "  " : "",
                      place != NULL ? place : "");
      print_own (run, own);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* A person as {"username","name"}, or null. */
static void
add_user (JsonBuilder *builder,
          const char  *member,
          NodUser     *user)
{
  if (member != NULL)
    json_builder_set_member_name (builder, member);
  if (user == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_string (builder, "username", nod_user_get_username (user));
  add_string (builder, "name", nod_user_get_display_name (user));
  json_builder_end_object (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          GDateTime   *time)
{
  g_autofree char *iso = time != NULL ? g_date_time_format_iso8601 (time) : NULL;

  add_string (builder, member, iso);
}

static void
add_own (JsonBuilder *builder,
         GPtrArray   *own)
{
  json_builder_set_member_name (builder, "own");
  json_builder_begin_array (builder);
  for (guint i = 0; i < own->len; i++)
    {
      NodOutboxAction *action = own->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "op_id", nod_outbox_action_get_op_id (action));
      add_string (builder, "kind", nod_action_kind_to_string (nod_outbox_action_get_kind (action)));
      add_string (builder, "state",
                  nod_action_state_to_string (nod_outbox_action_get_state (action)));
      add_string (builder, "body", nod_outbox_action_get_body (action));
      _nod_cli_add_position_member (builder, action);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
print_json (Show *show)
{
  NodCliRun *run = _nod_cli_run_of (show->task);
  const NodMergeRequestView *view = show->detail->view;
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) shown = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_begin_object (builder);
  add_string (builder, "reference", ref);
  add_string (builder, "title", view->title);
  add_string (builder, "state", view->state);
  add_string (builder, "author", view->author_username);
  add_string (builder, "author_name", view->author_name != NULL ? view->author_name
                                                                : view->author_username);
  json_builder_set_member_name (builder, "reviewers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < show->detail->reviewers->len; i++)
    add_user (builder, NULL, show->detail->reviewers->pdata[i]);
  json_builder_end_array (builder);
  add_string (builder, "source_branch", view->source_branch);
  add_string (builder, "target_branch", view->target_branch);
  add_string (builder, "web_url", view->web_url);
  add_string (builder, "description", show->detail->description);
  json_builder_set_member_name (builder, "approvals");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "given");
  json_builder_add_int_value (builder, view->approvals_given);
  json_builder_set_member_name (builder, "required");
  if (view->approvals_required >= 0)
    json_builder_add_int_value (builder, view->approvals_required);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "approved_by_me");
  json_builder_add_boolean_value (builder, view->approved_by_me);
  json_builder_set_member_name (builder, "pending");
  json_builder_add_boolean_value (builder, view->approval_pending);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "review_started");
  json_builder_add_boolean_value (builder, show->review_started);

  /* Newest first, a first page; commits_total is GitLab's count (null: not known). */
  json_builder_set_member_name (builder, "commits");
  json_builder_begin_array (builder);
  for (guint i = 0; show->detail->commits != NULL && i < show->detail->commits->len; i++)
    {
      NodCommit *commit = show->detail->commits->pdata[i];

      json_builder_begin_object (builder);
      add_string (builder, "sha", nod_commit_get_sha (commit));
      add_string (builder, "short_id", nod_commit_get_short_id (commit));
      add_string (builder, "title", nod_commit_get_title (commit));
      add_string (builder, "author_name", nod_commit_get_author_name (commit));
      add_string (builder, "authored_date", nod_commit_get_authored_date (commit));
      add_string (builder, "web_url", nod_commit_get_web_url (commit));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "commits_total");
  if (show->detail->commits_total >= 0)
    json_builder_add_int_value (builder, show->detail->commits_total);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "discussions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < show->detail->discussions->len; i++)
    {
      NodDiscussion *discussion = show->detail->discussions->pdata[i];
      GPtrArray *notes = nod_discussion_get_notes (discussion);
      g_autoptr(GPtrArray) own = nod_outbox_actions_of_thread (show->actions,
                                                               nod_discussion_get_id (discussion));

      json_builder_begin_object (builder);
      add_string (builder, "id", nod_discussion_get_id (discussion));
      json_builder_set_member_name (builder, "resolvable");
      json_builder_add_boolean_value (builder, nod_discussion_get_resolvable (discussion));
      json_builder_set_member_name (builder, "resolved");
      json_builder_add_boolean_value (builder, nod_discussion_get_resolved (discussion));
      /* GitLab's resolver; the reviewer's own resolve not sent yet is not GitLab's. */
      add_user (builder, "resolved_by", nod_discussion_get_resolve_pending (discussion)
                                          ? NULL : nod_discussion_get_resolved_by (discussion));
      json_builder_set_member_name (builder, "notes");
      json_builder_begin_array (builder);
      for (guint j = 0; j < notes->len; j++)
        {
          NodNote *note = notes->pdata[j];

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, nod_note_get_id (note));
          add_string (builder, "author", nod_user_get_username (nod_note_get_author (note)));
          add_string (builder, "author_name",
                      nod_user_get_display_name (nod_note_get_author (note)));
          add_string (builder, "body", nod_note_get_body (note));
          add_time (builder, "created_at", nod_note_get_created_at (note));
          json_builder_set_member_name (builder, "system");
          json_builder_add_boolean_value (builder, nod_note_get_system (note));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      add_own (builder, own);
      json_builder_end_object (builder);
      g_hash_table_add (shown, (gpointer) nod_discussion_get_id (discussion));
    }
  json_builder_end_array (builder);

  /* What the reviewer wrote that is not in a thread GitLab has: new threads, drafts. */
  json_builder_set_member_name (builder, "new_threads");
  json_builder_begin_array (builder);
  for (guint i = 0; i < show->actions->len; i++)
    {
      NodOutboxAction *action = show->actions->pdata[i];
      g_autofree char *key = nod_outbox_action_dup_thread_key (action);
      g_autoptr(GPtrArray) own = NULL;

      if (nod_outbox_action_get_kind (action) != NOD_ACTION_COMMENT || key == NULL ||
          g_hash_table_contains (shown, key))
        continue;
      own = nod_outbox_actions_of_thread (show->actions, key);
      json_builder_begin_object (builder);
      add_own (builder, own);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  _nod_cli_out_json (run, root);
}

static void
on_drafts_listed (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Show) show = user_data;
  NodCliRun *run = _nod_cli_run_of (show->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = nod_outbox_list_drafts_finish (NOD_OUTBOX (source_object),
                                                               result, &show->review_started,
                                                               &error);

  if (drafts == NULL)
    {
      _nod_cli_finish_error (show->task, error);
      return;
    }
  for (guint i = 0; i < drafts->len; i++)
    g_ptr_array_add (show->actions, g_object_ref (drafts->pdata[i]));

  if (run->command->json)
    print_json (show);
  else
    print_text (show);
  _nod_cli_finish (show->task, NOD_CLI_EXIT_OK, NULL);
}

static void
on_actions_listed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(Show) show = user_data;
  NodCliRun *run = _nod_cli_run_of (show->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = nod_outbox_list_finish (NOD_OUTBOX (source_object), result, &error);
  const NodMergeRequestView *view = show->detail->view;
  GCancellable *cancellable = g_task_get_cancellable (show->task);

  if (all == NULL)
    {
      _nod_cli_finish_error (show->task, error);
      return;
    }
  show->actions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    if (nod_outbox_action_get_project_id (all->pdata[i]) == view->project_id &&
        nod_outbox_action_get_mr_iid (all->pdata[i]) == view->iid)
      g_ptr_array_add (show->actions, g_object_ref (all->pdata[i]));

  /* Each argument before the show is handed on: their order is the compiler's. */
  nod_outbox_list_drafts_async (run->outbox, nod_account_get_id (run->account), view->project_id,
                                view->iid, cancellable, on_drafts_listed, g_steal_pointer (&show));
}

static void
on_detail_loaded (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(Show) show = user_data;
  NodCliRun *run = _nod_cli_run_of (show->task);
  GCancellable *cancellable = g_task_get_cancellable (show->task);
  g_autoptr(GError) error = NULL;

  show->detail = nod_review_cache_load_detail_finish (NOD_REVIEW_CACHE (source_object), result,
                                                      &error);
  if (show->detail == NULL)
    {
      _nod_cli_finish_error (show->task, error);
      return;
    }
  nod_outbox_list_async (run->outbox, nod_account_get_id (run->account), cancellable,
                         on_actions_listed, g_steal_pointer (&show));
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
  Show *show;

  target = nod_review_cache_find_target_finish (NOD_REVIEW_CACHE (source_object), result,
                                                &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  if (target == NULL)
    {
      g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
      g_autofree char *message = g_strdup_printf (_("nod: %s has not been pulled yet; run "
                                                    "“nod pull”"), ref);

      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
      return;
    }

  show = g_new0 (Show, 1);
  show->task = task;
  nod_review_cache_load_detail_async (NOD_REVIEW_CACHE (source_object),
                                      nod_account_get_id (run->account), target->project_id,
                                      target->iid, g_task_get_cancellable (task),
                                      on_detail_loaded, show);
}

void
_nod_cli_mr_show (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_review_cache_find_target_async (nod_session_get_cache (run->session),
                                      nod_account_get_id (run->account),
                                      run->command->project_path, run->command->iid,
                                      g_task_get_cancellable (task), on_target_found, task);
}
