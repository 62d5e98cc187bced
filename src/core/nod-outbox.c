/* nod-outbox.c: the durable queue of review actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every review action is committed here before anyone is told it was taken. The rules
 * (see DESIGN.md, "The outbox"):
 *  - actions of one merge request go out in the order the reviewer took them, in two
 *    independent lanes: approvals (approve, unapprove) and discussions (comment, reply,
 *    resolve, unresolve), so a comment waiting for the cycle never holds back an approval;
 *    a failed or backing-off action holds back later actions of its own lane only;
 *  - a claim hands out at most the head of each lane, so a batch never holds two actions
 *    of one lane and the sender never has to stop half-way through a lane;
 *  - pending opposites cancel out (approve then unapprove, resolve then unresolve),
 *    unless the first may already have reached GitLab (it is ambiguous);
 *  - a comment gets a local thread id; replies to it are rewritten to GitLab's id in the
 *    transaction that acks the comment;
 *  - in-flight rows found at start-up went out in a process that died: they are pending
 *    again and marked ambiguous, so the sender reads the server before resending.
 */

#define G_LOG_DOMAIN "nod-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nod-diff-cache-private.h"
#include "nod-draft-note.h"
#include "nod-outbox.h"
#include "nod-outbox-action-private.h"
#include "nod-outbox-private.h"
#include "nod-outbox-reviews-private.h"
#include "nod-review-cache-private.h"
#include "nod-store-worker.h"

G_DEFINE_QUARK (nod-outbox-error-quark, nod_outbox_error)

struct _NodOutbox
{
  GObject   parent_instance;

  NodStore *store;
};

G_DEFINE_FINAL_TYPE (NodOutbox, nod_outbox, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define ACTION_COLUMNS \
  "seq, op_id, account_id, kind, project_id, mr_iid, " \
  "COALESCE (discussion_id, local_discussion_id), payload, state, attempts, " \
  "next_attempt_at_us, last_status, last_error, ambiguous, server_id, created_at_us, " \
  "sent_at_us, review_id"

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static NodOutboxAction *
action_from_row (sqlite3_stmt  *stmt,
                 GError       **error)
{
  g_autoptr(NodOutboxAction) action = NULL;
  NodActionKind kind;
  NodActionState state;

  if (!nod_action_kind_from_string ((const char *) sqlite3_column_text (stmt, 3), &kind, error))
    return NULL;

  if (!nod_action_state_from_string ((const char *) sqlite3_column_text (stmt, 8), &state))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("A queued action is damaged (its state can’t be read)"));
      return NULL;
    }

  action = _nod_outbox_action_new (kind,
                                   sqlite3_column_int64 (stmt, 2),
                                   sqlite3_column_int64 (stmt, 4),
                                   sqlite3_column_int64 (stmt, 5));
  action->seq = sqlite3_column_int64 (stmt, 0);
  action->op_id = dup_column_text (stmt, 1);
  action->discussion_id = dup_column_text (stmt, 6);
  if (!_nod_outbox_action_set_payload (action, (const char *) sqlite3_column_text (stmt, 7),
                                       error))
    return NULL;
  action->state = state;
  action->attempts = (guint) MAX (0, sqlite3_column_int (stmt, 9));
  action->next_attempt_at = sqlite3_column_int64 (stmt, 10);
  action->last_status = (guint) MAX (0, sqlite3_column_int (stmt, 11));
  action->last_error = dup_column_text (stmt, 12);
  action->ambiguous = sqlite3_column_int (stmt, 13) != 0;
  action->server_id = dup_column_text (stmt, 14);
  action->created_at = sqlite3_column_int64 (stmt, 15);
  action->sent_at = sqlite3_column_int64 (stmt, 16);
  action->review_id = dup_column_text (stmt, 17);

  return g_steal_pointer (&action);
}

static NodOutboxAction *
lookup_action (sqlite3     *db,
               const char  *op_id,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = nod_store_prepare (db, "SELECT " ACTION_COLUMNS " FROM outbox WHERE op_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return action_from_row (stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND,
                 _("There is no queued action “%s”"), op_id);
  else
    nod_store_set_error (error, db, rc);

  return NULL;
}

static gboolean
is_local_id (const char *discussion_id)
{
  return discussion_id != NULL && g_str_has_prefix (discussion_id, NOD_OUTBOX_LOCAL_ID_PREFIX);
}

static gboolean
is_approval_kind (NodActionKind kind)
{
  return kind == NOD_ACTION_APPROVE || kind == NOD_ACTION_UNAPPROVE;
}

/* Runs a statement that changes rows and reports how many it changed. */
gboolean
_nod_outbox_run_update (sqlite3_stmt  *stmt,
                        guint         *out_changes,
                        GError       **error)
{
  if (!nod_store_step_done (stmt, error))
    return FALSE;

  if (out_changes != NULL)
    *out_changes = (guint) sqlite3_changes (sqlite3_db_handle (stmt));
  return TRUE;
}

/* The backoff after @attempts failed tries: 2 s doubling each time, capped at 5 min,
 * with "equal jitter": half the delay is fixed, half is spread by @jitter in [0, 1], so
 * actions that failed together do not come back together. */
gint64
nod_outbox_backoff_delay (guint  attempts,
                          double jitter)
{
  gint64 delay = NOD_OUTBOX_BACKOFF_BASE_US;

  g_return_val_if_fail (jitter >= 0.0 && jitter <= 1.0, NOD_OUTBOX_BACKOFF_CAP_US);

  for (guint i = 1; i < attempts && delay < NOD_OUTBOX_BACKOFF_CAP_US; i++)
    delay *= 2;
  delay = MIN (delay, NOD_OUTBOX_BACKOFF_CAP_US);

  return delay / 2 + (gint64) ((double) (delay / 2) * jitter);
}

gboolean
_nod_outbox_is_valid_sha (const char *sha)
{
  size_t length = strlen (sha);

  if (length < 7 || length > 64)
    return FALSE;
  for (size_t i = 0; i < length; i++)
    if (!g_ascii_isxdigit (sha[i]))
      return FALSE;
  return TRUE;
}

gboolean
_nod_outbox_is_valid_discussion_id (const char *discussion_id)
{
  size_t length = strlen (discussion_id);

  if (length == 0 || length > 128)
    return FALSE;
  for (size_t i = 0; i < length; i++)
    if (!g_ascii_isalnum (discussion_id[i]) && discussion_id[i] != '-' && discussion_id[i] != ':')
      return FALSE;
  return TRUE;
}

gboolean
_nod_outbox_validate_body (const char  *body,
                           GError     **error)
{
  const char *p;

  if (body == NULL)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID, _("The comment is empty"));
      return FALSE;
    }

  /* Refuse by size before walking a huge string: a character is at most 4 bytes. */
  if (strlen (body) > (size_t) NOD_NOTE_BODY_MAX_CHARS * 4 ||
      (g_utf8_validate (body, -1, NULL) && g_utf8_strlen (body, -1) > NOD_NOTE_BODY_MAX_CHARS))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_TOO_LARGE,
                   _("The comment is too long; GitLab accepts at most %d characters"),
                   NOD_NOTE_BODY_MAX_CHARS);
      return FALSE;
    }

  if (!g_utf8_validate (body, -1, NULL))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("The comment is not valid text (it is not UTF-8)"));
      return FALSE;
    }

  for (p = body; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;

  g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID, _("The comment is empty"));
  return FALSE;
}

/* Everything that can be checked without the database, on the caller's thread. */
static gboolean
validate_draft (NodOutboxAction  *action,
                GError          **error)
{
  gboolean on_note = action->kind == NOD_ACTION_EDIT_NOTE ||
                     action->kind == NOD_ACTION_DELETE_NOTE;
  gboolean wants_body, wants_discussion;

  /* A review's steps come only from submitting it. */
  if ((guint) action->kind > NOD_ACTION_DELETE_NOTE ||
      (action->kind > NOD_ACTION_UNRESOLVE && !on_note))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("Unknown kind of review action (%d)"), (int) action->kind);
      return FALSE;
    }

  if (action->op_id != NULL)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("This action is already queued"));
      return FALSE;
    }

  if (action->account_id <= 0 || action->project_id <= 0 || action->mr_iid <= 0)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("The action does not name a merge request"));
      return FALSE;
    }

  wants_body = _nod_outbox_action_has_body (action);
  wants_discussion = action->kind == NOD_ACTION_REPLY ||
                     action->kind == NOD_ACTION_RESOLVE ||
                     action->kind == NOD_ACTION_UNRESOLVE || on_note;

  if (wants_body && !_nod_outbox_validate_body (action->body, error))
    return FALSE;

  if (action->resolves && action->kind != NOD_ACTION_REPLY)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("Only a reply resolves its thread as it is sent"));
      return FALSE;
    }

  if (!wants_body && action->body != NULL)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("Only comments and replies carry text"));
      return FALSE;
    }

  if (on_note != (action->note_id > 0))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   on_note ? _("The action does not name a comment on GitLab")
                           : _("Only editing or deleting a comment names one"));
      return FALSE;
    }

  /* A note GitLab has is in a thread GitLab has: one still queued is edited in the queue. */
  if (on_note && action->discussion_id != NULL && is_local_id (action->discussion_id))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("This comment is not on GitLab yet: edit or cancel it in the queue"));
      return FALSE;
    }

  if (wants_discussion &&
      (action->discussion_id == NULL ||
       !_nod_outbox_is_valid_discussion_id (action->discussion_id)))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("The action does not name a valid thread"));
      return FALSE;
    }

  if (!wants_discussion && action->discussion_id != NULL)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("Only replies and resolving act on an existing thread"));
      return FALSE;
    }

  if (action->head_sha != NULL &&
      (action->kind != NOD_ACTION_APPROVE || !_nod_outbox_is_valid_sha (action->head_sha)))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("The approval names an invalid commit"));
      return FALSE;
    }

  return TRUE;
}

/* A reply or resolve aimed at a thread still known by its local id: the comment that
 * starts the thread, on the same merge request, must still be queued, or already
 * created, in which case its real id is used. */
static gboolean
resolve_local_target (sqlite3          *db,
                      NodOutboxAction  *action,
                      GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean is_draft = FALSE;
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT state, discussion_id FROM outbox "
                            "WHERE account_id = ? AND project_id = ? AND mr_iid = ? "
                            "AND kind = 'comment' AND local_discussion_id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, action->account_id);
  sqlite3_bind_int64 (stmt, 2, action->project_id);
  sqlite3_bind_int64 (stmt, 3, action->mr_iid);
  sqlite3_bind_text (stmt, 4, action->discussion_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 0);
      const char *server_discussion_id = (const char *) sqlite3_column_text (stmt, 1);

      if (g_strcmp0 (state, "done") != 0)
        return TRUE;

      if (server_discussion_id != NULL)
        {
          g_free (action->discussion_id);
          action->discussion_id = g_strdup (server_discussion_id);
          return TRUE;
        }

      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("The comment this action answers started no thread"));
      return FALSE;
    }

  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  if (!_nod_outbox_reviews_find_draft (db, action->discussion_id, &is_draft, error))
    return FALSE;
  g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                       is_draft ? _("A draft starts no thread until the review is submitted: "
                                    "edit the draft instead")
                                : _("The thread this action belongs to is no longer queued"));
  return FALSE;
}

/* Actions waiting for the thread @local_id that will now never exist can't be sent;
 * they fail where the reviewer sees them rather than vanish. */
static gboolean
fail_waiting_on_thread (sqlite3     *db,
                        gint64       account_id,
                        const char  *local_id,
                        const char  *reason,
                        guint       *out_changes,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'failed', last_error = ?, "
                            "finished_at_us = ? WHERE account_id = ? "
                            "AND discussion_id = ? AND state = 'pending'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, account_id);
  sqlite3_bind_text (stmt, 4, local_id, -1, SQLITE_STATIC);
  return _nod_outbox_run_update (stmt, out_changes, error);
}

/* A merge request merged or closed on GitLab can't take the reviewer's pending
 * actions: they fail, with the reason, where the reviewer sees them. The review cache
 * calls this in the transaction that stores the merge request. */
gboolean
_nod_outbox_fail_actions_of_closed_merge_request (sqlite3   *db,
                                                  gint64     account_id,
                                                  gint64     project_id,
                                                  gint64     iid,
                                                  gboolean   merged,
                                                  guint     *out_failed,
                                                  GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert (out_failed != NULL);

  *out_failed = 0;
  stmt = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'failed', last_error = ?, "
                            "finished_at_us = ? WHERE account_id = ? AND project_id = ? "
                            "AND mr_iid = ? AND state = 'pending'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, merged ? _("The merge request was merged on GitLab")
                                     : _("The merge request was closed on GitLab"),
                     -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, account_id);
  sqlite3_bind_int64 (stmt, 4, project_id);
  sqlite3_bind_int64 (stmt, 5, iid);
  return _nod_outbox_run_update (stmt, out_failed, error);
}

/* A submitted review not published yet: its rows not sent are removed; the drafts it
 * created on GitLab are deleted there, by new rows of the same review. */
gboolean
_nod_outbox_withdraw_unpublished (sqlite3  *db,
                                  gint64    account_id,
                                  gint64    project_id,
                                  gint64    mr_iid,
                                  guint    *out_unsent,
                                  guint    *out_deletes,
                                  GError  **error)
{
  g_autoptr(sqlite3_stmt) steps = NULL;
  g_autoptr(sqlite3_stmt) drop = NULL;
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) reviews = g_ptr_array_new_with_free_func (g_free);
  int rc;

  *out_unsent = 0;
  *out_deletes = 0;

  /* Each review of the merge request not published yet, with what it holds. */
  steps = nod_store_prepare (db,
                             "SELECT review_id, kind, state, server_id, ambiguous FROM outbox "
                             "WHERE account_id = ?1 AND project_id = ?2 AND mr_iid = ?3 "
                             "AND review_id IN (SELECT review_id FROM outbox "
                             "  WHERE account_id = ?1 AND project_id = ?2 AND mr_iid = ?3 "
                             "  AND kind = 'publish_review' AND state != 'done') "
                             "ORDER BY seq",
                             error);
  if (steps == NULL)
    return FALSE;
  sqlite3_bind_int64 (steps, 1, account_id);
  sqlite3_bind_int64 (steps, 2, project_id);
  sqlite3_bind_int64 (steps, 3, mr_iid);
  while ((rc = sqlite3_step (steps)) == SQLITE_ROW)
    {
      const char *review_id = (const char *) sqlite3_column_text (steps, 0);
      const char *kind = (const char *) sqlite3_column_text (steps, 1);
      const char *state = (const char *) sqlite3_column_text (steps, 2);
      const char *server_id = (const char *) sqlite3_column_text (steps, 3);

      if (g_strcmp0 (state, "in_flight") == 0)
        {
          g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE,
                               _("The review is being sent right now; discard it once "
                                 "this push ends"));
          return FALSE;
        }
      /* A draft that may be on GitLab with no id known: it would be left there. */
      if (g_strcmp0 (kind, "draft_note") == 0 && g_strcmp0 (state, "done") != 0 &&
          sqlite3_column_int (steps, 4) != 0)
        {
          g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE,
                               _("A draft of the review may be on GitLab already; discard it "
                                 "once Nod has looked (Push now)"));
          return FALSE;
        }
      if (!g_ptr_array_find_with_equal_func (reviews, review_id, g_str_equal, NULL))
        g_ptr_array_add (reviews, g_strdup (review_id));
      if (g_strcmp0 (kind, "draft_note") == 0 && g_strcmp0 (state, "done") == 0 &&
          server_id != NULL)
        {
          g_ptr_array_add (created, g_strdup (review_id));
          g_ptr_array_add (created, g_strdup (server_id));
        }
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  drop = nod_store_prepare (db,
                            "DELETE FROM outbox WHERE review_id = ? AND state != 'done'",
                            error);
  if (drop == NULL)
    return FALSE;
  for (guint i = 0; i < reviews->len; i++)
    {
      guint changes = 0;

      sqlite3_reset (drop);
      sqlite3_bind_text (drop, 1, reviews->pdata[i], -1, SQLITE_STATIC);
      if (!_nod_outbox_run_update (drop, &changes, error))
        return FALSE;
      *out_unsent += changes;
    }

  for (guint i = 0; i + 1 < created->len; i += 2)
    {
      g_autoptr(NodOutboxAction) remove = _nod_outbox_action_new (NOD_ACTION_DELETE_DRAFT,
                                                                  account_id,
                                                                  project_id,
                                                                  mr_iid);

      remove->op_id = g_uuid_string_random ();
      remove->created_at = g_get_real_time ();
      remove->review_id = g_strdup (created->pdata[i]);
      remove->draft_id = g_strdup (created->pdata[i + 1]);
      if (!_nod_outbox_insert_action (db, remove, error))
        return FALSE;
      (*out_deletes)++;
    }
  return TRUE;
}

/* Removing an account forgets its actions, unsent ones included (the UI asks first).
 * The accounts list calls this in the transaction that removes the account. */
gboolean
_nod_outbox_forget_account (sqlite3  *db,
                            gint64    account_id,
                            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db, "DELETE FROM outbox WHERE account_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  return _nod_outbox_run_update (stmt, NULL, error);
}

/* Looks for a pending action with the same target as @action (same merge request, and
 * same thread for resolve/unresolve) in its pair of opposites. */
static gboolean
find_pending_counterpart (sqlite3          *db,
                          NodOutboxAction  *action,
                          gint64           *out_seq,
                          NodActionKind    *out_kind,
                          gboolean         *out_ambiguous,
                          GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean approval = is_approval_kind (action->kind);
  int rc;

  *out_seq = 0;
  *out_ambiguous = FALSE;
  stmt = nod_store_prepare (db,
                            "SELECT seq, kind, ambiguous FROM outbox "
                            "WHERE state = 'pending' AND account_id = ? AND project_id = ? "
                            "AND mr_iid = ? AND kind IN (?, ?) AND review_id IS NULL "
                            "AND (? OR discussion_id = ?) "
                            "ORDER BY seq DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, action->account_id);
  sqlite3_bind_int64 (stmt, 2, action->project_id);
  sqlite3_bind_int64 (stmt, 3, action->mr_iid);
  sqlite3_bind_text (stmt, 4, approval ? "approve" : "resolve", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, approval ? "unapprove" : "unresolve", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, approval);
  sqlite3_bind_text (stmt, 7, action->discussion_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_seq = sqlite3_column_int64 (stmt, 0);
      *out_ambiguous = sqlite3_column_int (stmt, 2) != 0;
      return nod_action_kind_from_string ((const char *) sqlite3_column_text (stmt, 1),
                                          out_kind, error);
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

static gboolean
delete_row (sqlite3  *db,
            gint64    seq,
            GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, "DELETE FROM outbox WHERE seq = ?",
                                                    error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  return _nod_outbox_run_update (stmt, NULL, error);
}

static NodOutboxAction *
lookup_by_seq (sqlite3  *db,
               gint64    seq,
               GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = nod_store_prepare (db, "SELECT " ACTION_COLUMNS " FROM outbox WHERE seq = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return action_from_row (stmt, error);
  nod_store_set_error (error, db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc);
  return NULL;
}

/* Row @seq takes @action's details (its text, commit or place) as its own. */
static gboolean
set_payload (sqlite3          *db,
             gint64            seq,
             NodOutboxAction  *action,
             GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *payload = _nod_outbox_action_dup_payload (action);

  stmt = nod_store_prepare (db, "UPDATE outbox SET payload = ? WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, payload, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, seq);
  return _nod_outbox_run_update (stmt, NULL, error);
}

/* Enqueue: the draft going in; on return, the row that holds the intent (the new one or
 * the pending one it merged into), or NULL when it cancelled a pending opposite. */
typedef struct
{
  NodOutboxAction       *action;
  NodOutboxEnqueueFlags  flags;
  gint64                 now;        /* for a claim: Unix µs */
  guint                  recovered;  /* rows a dead sender left in flight */
} EnqueueWork;

static void
enqueue_work_free (EnqueueWork *work)
{
  g_clear_object (&work->action);
  g_free (work);
}

/* A change to a posted note meets the note's changes still queued: after a removal on its
 * way there is nothing left to change (a failed one is the reviewer's to retry or
 * dismiss); a new text replaces a pending one (the row keeps its place); a removal makes
 * pending new texts pointless. A change that may have reached GitLab (ambiguous) or is in
 * flight stays and goes first. */
static gboolean
coalesce_note_change (sqlite3      *db,
                      EnqueueWork  *work,
                      gboolean     *out_absorbed,
                      GError      **error)
{
  NodOutboxAction *action = work->action;
  g_autoptr(sqlite3_stmt) removing = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 pending_seq = 0;
  int rc;

  removing = nod_store_prepare (db,
                                "SELECT 1 FROM outbox WHERE account_id = ? "
                                "AND kind = 'delete_note' "
                                "AND state IN ('pending', 'in_flight') "
                                "AND json_extract (payload, '$.note_id') = ? LIMIT 1",
                                error);
  if (removing == NULL)
    return FALSE;
  sqlite3_bind_int64 (removing, 1, action->account_id);
  sqlite3_bind_int64 (removing, 2, action->note_id);
  rc = sqlite3_step (removing);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("This comment is being deleted"));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  if (action->kind == NOD_ACTION_DELETE_NOTE)
    {
      stmt = nod_store_prepare (db,
                                "DELETE FROM outbox WHERE account_id = ? "
                                "AND kind = 'edit_note' AND state = 'pending' "
                                "AND ambiguous = 0 "
                                "AND json_extract (payload, '$.note_id') = ?",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, action->account_id);
      sqlite3_bind_int64 (stmt, 2, action->note_id);
      return _nod_outbox_run_update (stmt, NULL, error);
    }

  stmt = nod_store_prepare (db,
                            "SELECT seq FROM outbox WHERE account_id = ? "
                            "AND kind = 'edit_note' AND state = 'pending' AND ambiguous = 0 "
                            "AND json_extract (payload, '$.note_id') = ? "
                            "ORDER BY seq DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, action->account_id);
  sqlite3_bind_int64 (stmt, 2, action->note_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    pending_seq = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  if (pending_seq == 0)
    return TRUE;

  *out_absorbed = TRUE;
  if (!set_payload (db, pending_seq, action, error))
    return FALSE;
  g_clear_object (&work->action);
  work->action = lookup_by_seq (db, pending_seq, error);
  return work->action != NULL;
}

/* Coalesces the draft (work->action) with a pending twin or opposite. *@out_absorbed
 * is set when it was absorbed: work->action then holds the surviving row, or NULL if
 * both cancelled out. */
static gboolean
coalesce (sqlite3      *db,
          EnqueueWork  *work,
          gboolean     *out_absorbed,
          GError      **error)
{
  NodOutboxAction *action = work->action;
  NodActionKind pending_kind = NOD_ACTION_APPROVE;
  gint64 pending_seq = 0;
  gboolean pending_ambiguous = FALSE;

  *out_absorbed = FALSE;

  if (action->kind == NOD_ACTION_EDIT_NOTE || action->kind == NOD_ACTION_DELETE_NOTE)
    return coalesce_note_change (db, work, out_absorbed, error);
  if (action->kind == NOD_ACTION_COMMENT || action->kind == NOD_ACTION_REPLY)
    return TRUE;

  if (!find_pending_counterpart (db, action, &pending_seq, &pending_kind, &pending_ambiguous,
                                 error))
    return FALSE;
  if (pending_seq == 0)
    return TRUE;

  /* An opposite that may already have reached GitLab (it was in flight) can't be taken
   * back here: both must go out, in order. */
  if (pending_kind != action->kind && pending_ambiguous)
    return TRUE;

  *out_absorbed = TRUE;

  if (pending_kind != action->kind)
    {
      g_debug ("%s cancels pending %s (seq %" G_GINT64_FORMAT ")",
               nod_action_kind_to_string (action->kind),
               nod_action_kind_to_string (pending_kind), pending_seq);
      g_clear_object (&work->action);
      return delete_row (db, pending_seq, error);
    }

  /* The same intent twice: keep one row. An approval keeps the newest commit seen. */
  if (action->head_sha != NULL && !set_payload (db, pending_seq, action, error))
    return FALSE;

  g_clear_object (&work->action);
  work->action = lookup_by_seq (db, pending_seq, error);
  return work->action != NULL;
}

/* Stores @action (with its op id and time) as a new pending row. */
gboolean
_nod_outbox_insert_action (sqlite3          *db,
                           NodOutboxAction  *action,
                           GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *payload = _nod_outbox_action_dup_payload (action);
  gboolean comment = action->kind == NOD_ACTION_COMMENT;

  stmt = nod_store_prepare (db,
                            "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, "
                            "discussion_id, local_discussion_id, payload, created_at_us, "
                            "review_id, next_attempt_at_us) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, action->op_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, action->account_id);
  sqlite3_bind_text (stmt, 3, nod_action_kind_to_string (action->kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, action->project_id);
  sqlite3_bind_int64 (stmt, 5, action->mr_iid);
  sqlite3_bind_text (stmt, 6, comment ? NULL : action->discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, comment ? action->discussion_id : NULL, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, payload, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, action->created_at);
  sqlite3_bind_text (stmt, 10, action->review_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 11, action->next_attempt_at);

  if (!_nod_outbox_run_update (stmt, NULL, error))
    {
      if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        {
          g_clear_error (error);
          g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                       _("The action names an account Nod doesn’t know"));
        }
      return FALSE;
    }

  action->seq = sqlite3_last_insert_rowid (db);
  action->state = NOD_ACTION_PENDING;
  return TRUE;
}

/* A reply that resolves its thread, outside a review, is the reply and then a resolve:
 * two rows, stored together. */
static gboolean
insert_new_action (sqlite3          *db,
                   NodOutboxAction  *action,
                   GError          **error)
{
  g_autoptr(NodOutboxAction) resolve = NULL;

  if (!action->resolves)
    return _nod_outbox_insert_action (db, action, error);

  action->resolves = FALSE;
  if (!_nod_outbox_insert_action (db, action, error))
    return FALSE;

  resolve = nod_outbox_action_new_resolve (action->account_id, action->project_id,
                                           action->mr_iid, action->discussion_id, TRUE);
  resolve->op_id = g_uuid_string_random ();
  resolve->created_at = action->created_at;
  return _nod_outbox_insert_action (db, resolve, error);
}

/* What a dead sender left in flight is pending again, ambiguous: it may have reached
 * GitLab. Only the holder of the send lock, before its first claim, may do this. */
static gboolean
recover_in_flight (sqlite3  *db,
                   guint    *out_recovered,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'pending', ambiguous = 1 "
                            "WHERE state = 'in_flight'",
                            error);
  return stmt != NULL && _nod_outbox_run_update (stmt, out_recovered, error);
}

/* The approval just stored goes in flight in the same transaction when it heads its lane
 * and is due, as a claim would hand it out: the flush then sends it with no claim of its
 * own between the commit and the POST. */
static gboolean
claim_enqueued (sqlite3          *db,
                NodOutboxAction  *action,
                gint64            now,
                GError          **error)
{
  g_autoptr(sqlite3_stmt) ahead = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  int rc;

  if (action == NULL || !is_approval_kind (action->kind) ||
      action->state != NOD_ACTION_PENDING || action->next_attempt_at > now)
    return TRUE;

  ahead = nod_store_prepare (db,
                             "SELECT 1 FROM outbox WHERE account_id = ? AND project_id = ? "
                             "AND mr_iid = ? AND kind IN ('approve', 'unapprove') "
                             "AND review_id IS NULL AND state != 'done' AND seq < ? LIMIT 1",
                             error);
  if (ahead == NULL)
    return FALSE;
  sqlite3_bind_int64 (ahead, 1, action->account_id);
  sqlite3_bind_int64 (ahead, 2, action->project_id);
  sqlite3_bind_int64 (ahead, 3, action->mr_iid);
  sqlite3_bind_int64 (ahead, 4, action->seq);
  rc = sqlite3_step (ahead);
  if (rc == SQLITE_ROW)
    return TRUE;  /* an earlier action of its lane goes first */
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  mark = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'in_flight', sent_at_us = ? WHERE seq = ?",
                            error);
  if (mark == NULL)
    return FALSE;
  sqlite3_bind_int64 (mark, 1, now);
  sqlite3_bind_int64 (mark, 2, action->seq);
  if (!_nod_outbox_run_update (mark, NULL, error))
    return FALSE;

  action->state = NOD_ACTION_IN_FLIGHT;
  action->sent_at = now;
  return TRUE;
}

static gboolean
enqueue_work (sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  EnqueueWork *work = data;
  gboolean absorbed = FALSE;
  gboolean drafted = FALSE;

  if (!nod_store_begin (db, error))
    return FALSE;

  /* A comment or reply on a merge request with a review started is one of its drafts. */
  if (((work->flags & NOD_OUTBOX_ENQUEUE_RECOVER) &&
       !recover_in_flight (db, &work->recovered, error)) ||
      (is_local_id (work->action->discussion_id) &&
       work->action->kind != NOD_ACTION_COMMENT &&
       !resolve_local_target (db, work->action, error)) ||
      !_nod_outbox_reviews_take_draft (db, work->action, &drafted, error) ||
      (!drafted && !coalesce (db, work, &absorbed, error)) ||
      (!drafted && !absorbed && !insert_new_action (db, work->action, error)) ||
      (!drafted && (work->flags & NOD_OUTBOX_ENQUEUE_CLAIM) &&
       !claim_enqueued (db, work->action, work->now, error)) ||
      !nod_store_commit (db, error))
    {
      nod_store_rollback (db);
      work->recovered = 0;
      if (work->action != NULL)
        work->action->state = NOD_ACTION_PENDING;
      return FALSE;
    }

  return TRUE;
}

/* Both enqueues: validated here, stored (and, as @flags say, claimed) on the worker. */
static void
queue_enqueue (NodOutbox             *self,
               NodOutboxAction       *action,
               NodOutboxEnqueueFlags  flags,
               gint64                 now,
               gpointer               source_tag,
               GCancellable          *cancellable,
               GAsyncReadyCallback    callback,
               gpointer               user_data)
{
  g_autoptr(GError) error = NULL;
  EnqueueWork *work;
  NodOutboxAction *draft;

  if (!validate_draft (action, &error))
    {
      g_task_report_error (self, callback, user_data, source_tag, g_steal_pointer (&error));
      return;
    }

  /* Work on a copy: the caller's draft stays a draft. */
  draft = _nod_outbox_action_new (action->kind, action->account_id, action->project_id,
                                  action->mr_iid);
  draft->op_id = g_uuid_string_random ();
  draft->body = g_strdup (action->body);
  draft->head_sha = g_strdup (action->head_sha);
  draft->resolves = action->resolves;
  draft->note_id = action->note_id;
  if (action->position != NULL)
    draft->position = nod_diff_position_copy (action->position);
  draft->created_at = g_get_real_time ();
  /* A hold the caller asked for (nod_outbox_action_set_not_before ()). */
  draft->next_attempt_at = action->next_attempt_at;
  if (action->kind == NOD_ACTION_COMMENT)
    draft->discussion_id = g_strconcat (NOD_OUTBOX_LOCAL_ID_PREFIX, draft->op_id, NULL);
  else
    draft->discussion_id = g_strdup (action->discussion_id);

  work = g_new0 (EnqueueWork, 1);
  work->action = draft;
  work->flags = flags;
  work->now = now;
  nod_store_run_async (self->store, self, source_tag, enqueue_work, work,
                       (GDestroyNotify) enqueue_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_enqueue_async:
 * @action: a draft made with one of the nod_outbox_action_new_*() constructors
 *
 * Stores @action. The callback runs once the row is committed and synced to disk, so
 * an action the UI shows as taken survives a crash. Bad input (an empty or oversized
 * comment, text that is not UTF-8, an unknown kind) is refused with a #NodOutboxError
 * before anything is written.
 */
void
nod_outbox_enqueue_async (NodOutbox           *self,
                          NodOutboxAction     *action,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (action));

  queue_enqueue (self, action, 0, 0, nod_outbox_enqueue_async, cancellable, callback,
                 user_data);
}

/**
 * nod_outbox_enqueue_finish:
 * @out_stored: (out) (optional) (nullable) (transfer full): the queued action: the new
 *   row, or the pending row it merged into; %NULL when it cancelled a pending opposite
 *
 * Returns: %TRUE when the intent is durably recorded (or cancelled out)
 */
gboolean
nod_outbox_enqueue_finish (NodOutbox        *self,
                           GAsyncResult     *result,
                           NodOutboxAction **out_stored,
                           GError          **error)
{
  EnqueueWork *work;

  g_return_val_if_fail (NOD_IS_OUTBOX (self), FALSE);

  /* g_task_report_error() tags its task with the tag we gave it, so one path serves both. */
  work = nod_store_run_finish (result, self, nod_outbox_enqueue_async, error);
  if (work == NULL)
    return FALSE;

  if (out_stored != NULL)
    *out_stored = work->action != NULL ? g_object_ref (work->action) : NULL;
  return TRUE;
}

/**
 * nod_outbox_enqueue_and_claim_async:
 * @flags: %NOD_OUTBOX_ENQUEUE_CLAIM to claim the approval in the same transaction,
 *   %NOD_OUTBOX_ENQUEUE_RECOVER to first recover what a dead sender left in flight
 * @now: the current time, Unix microseconds
 *
 * Stores @action as nod_outbox_enqueue_async() does, and in the same transaction claims
 * it when it is an approval (approve or unapprove) that heads its lane and is due: it is
 * then in flight and must be acked, failed or released, as a claimed action is. Only the
 * holder of the send lock may claim, and only it, before its first claim, may recover.
 */
void
nod_outbox_enqueue_and_claim_async (NodOutbox             *self,
                                    NodOutboxAction       *action,
                                    NodOutboxEnqueueFlags  flags,
                                    gint64                 now,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (action));

  queue_enqueue (self, action, flags, now, nod_outbox_enqueue_and_claim_async, cancellable,
                 callback, user_data);
}

/**
 * nod_outbox_enqueue_and_claim_finish:
 * @out_stored: (out) (optional) (nullable) (transfer full): as for
 *   nod_outbox_enqueue_finish(); in flight when it was claimed
 * @out_recovered: (out) (optional): how many rows were recovered
 */
gboolean
nod_outbox_enqueue_and_claim_finish (NodOutbox        *self,
                                     GAsyncResult     *result,
                                     NodOutboxAction **out_stored,
                                     guint            *out_recovered,
                                     GError          **error)
{
  EnqueueWork *work;

  g_return_val_if_fail (NOD_IS_OUTBOX (self), FALSE);

  work = nod_store_run_finish (result, self, nod_outbox_enqueue_and_claim_async, error);
  if (work == NULL)
    return FALSE;

  if (out_stored != NULL)
    *out_stored = work->action != NULL ? g_object_ref (work->action) : NULL;
  if (out_recovered != NULL)
    *out_recovered = work->recovered;
  return TRUE;
}

typedef struct
{
  gint64               account_id;
  NodOutboxClaimFlags  flags;
  guint                max_actions;
  gint64               now;
  GPtrArray           *claimed;  /* NodOutboxAction, on return */
} ClaimWork;

static void
claim_work_free (ClaimWork *work)
{
  g_clear_pointer (&work->claimed, g_ptr_array_unref);
  g_free (work);
}

static gboolean
claim_work (sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ClaimWork *work = data;
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  g_autoptr(GHashTable) seen_lanes = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                            g_free, NULL);
  g_autoptr(GPtrArray) claimed = g_ptr_array_new_with_free_func (g_object_unref);
  int rc = SQLITE_DONE;

  if (!nod_store_begin (db, error))
    return FALSE;

  select = nod_store_prepare (db,
                              "SELECT " ACTION_COLUMNS " FROM outbox "
                              "WHERE state != 'done' AND account_id = ? ORDER BY seq",
                              error);
  mark = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'in_flight', sent_at_us = ? "
                            "WHERE seq = ?",
                            error);
  if (select == NULL || mark == NULL)
    goto failed;
  sqlite3_bind_int64 (select, 1, work->account_id);

  while (claimed->len < work->max_actions && (rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      g_autoptr(NodOutboxAction) action = action_from_row (select, error);
      gboolean approval;
      char *lane;

      if (action == NULL)
        goto failed;

      /* Only the first open action of a lane may go; whatever it is, it holds back the
       * rest of its lane. A review's approval goes in its threads' lane, after the
       * review is published. */
      approval = is_approval_kind (action->kind) && action->review_id == NULL;
      lane = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%c",
                              action->project_id, action->mr_iid, approval ? 'a' : 'd');
      if (!g_hash_table_add (seen_lanes, lane))
        continue;

      if (action->state != NOD_ACTION_PENDING || action->next_attempt_at > work->now)
        continue;
      if (!(work->flags & (approval ? NOD_OUTBOX_CLAIM_APPROVALS
                                             : NOD_OUTBOX_CLAIM_DISCUSSIONS)))
        continue;
      /* A thread not created yet: wait for its comment (it failed or was discarded). */
      if (is_local_id (action->discussion_id) && action->kind != NOD_ACTION_COMMENT)
        continue;

      sqlite3_reset (mark);
      sqlite3_bind_int64 (mark, 1, work->now);
      sqlite3_bind_int64 (mark, 2, action->seq);
      if (!_nod_outbox_run_update (mark, NULL, error))
        goto failed;

      action->state = NOD_ACTION_IN_FLIGHT;
      action->sent_at = work->now;
      g_ptr_array_add (claimed, g_steal_pointer (&action));
    }

  if (claimed->len < work->max_actions && rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      goto failed;
    }

  if (!nod_store_commit (db, error))
    goto failed;

  work->claimed = g_steal_pointer (&claimed);
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_claim_next_batch_async:
 * @flags: which lanes to take from (an approval flush takes approvals only)
 * @max_actions: the most actions to hand out
 * @now: the current time, Unix microseconds (actions backing off until later stay)
 *
 * Marks the next due actions of @account_id in flight and hands them out: at most one
 * per lane of a merge request, oldest first. Each must then be acked, failed or
 * released.
 */
void
nod_outbox_claim_next_batch_async (NodOutbox           *self,
                                   gint64               account_id,
                                   NodOutboxClaimFlags  flags,
                                   guint                max_actions,
                                   gint64               now,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  ClaimWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (max_actions > 0);

  work = g_new0 (ClaimWork, 1);
  work->account_id = account_id;
  work->flags = flags;
  work->max_actions = max_actions;
  work->now = now;
  nod_store_run_async (self->store, self, nod_outbox_claim_next_batch_async, claim_work, work,
                       (GDestroyNotify) claim_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_claim_next_batch_finish:
 *
 * Returns: (transfer container) (element-type NodOutboxAction): the claimed actions,
 *   possibly none; %NULL on error
 */
GPtrArray *
nod_outbox_claim_next_batch_finish (NodOutbox     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  ClaimWork *work = nod_store_run_finish (result, self, nod_outbox_claim_next_batch_async, error);

  return work != NULL ? g_steal_pointer (&work->claimed) : NULL;
}

/* The row of @op_id, which must be in one of @allowed states. */
static NodOutboxAction *
lookup_in_state (sqlite3     *db,
                 const char  *op_id,
                 guint        allowed_states,
                 GError     **error)
{
  g_autoptr(NodOutboxAction) action = lookup_action (db, op_id, error);

  if (action == NULL)
    return NULL;

  if (!(allowed_states & (1u << action->state)))
    {
      const char *message;

      switch (action->state)
        {
        case NOD_ACTION_IN_FLIGHT:
          message = _("The action is being sent right now");
          break;
        case NOD_ACTION_DONE:
          message = _("The action was already sent");
          break;
        case NOD_ACTION_FAILED:
          message = _("The action has failed; retry or discard it");
          break;
        case NOD_ACTION_PENDING:
        default:
          message = _("The action is waiting to be sent");
          break;
        }
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE, message);
      return NULL;
    }

  return g_steal_pointer (&action);
}

#define STATE_BIT(state) (1u << (state))
#define PENDING_OR_IN_FLIGHT (STATE_BIT (NOD_ACTION_PENDING) | STATE_BIT (NOD_ACTION_IN_FLIGHT))
#define PENDING_OR_FAILED (STATE_BIT (NOD_ACTION_PENDING) | STATE_BIT (NOD_ACTION_FAILED))

typedef struct
{
  char    *op_id;
  GObject *answer;
} AckWork;

static void
ack_work_free (AckWork *work)
{
  g_free (work->op_id);
  g_clear_object (&work->answer);
  g_free (work);
}

/* What GitLab made for @action, as the outbox records it: a comment's note and thread, a
 * reply's note; nothing for the others. */
static void
server_ids_of (NodOutboxAction  *action,
               GObject          *answer,
               char            **out_server_id,
               const char      **out_server_discussion_id)
{
  *out_server_id = NULL;
  *out_server_discussion_id = NULL;

  if (action->kind == NOD_ACTION_COMMENT && NOD_IS_DISCUSSION (answer))
    {
      GPtrArray *notes = nod_discussion_get_notes (NOD_DISCUSSION (answer));

      *out_server_discussion_id = nod_discussion_get_id (NOD_DISCUSSION (answer));
      if (notes->len > 0)
        *out_server_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                          nod_note_get_id (notes->pdata[0]));
    }
  else if (action->kind == NOD_ACTION_REPLY && NOD_IS_NOTE (answer))
    *out_server_id = g_strdup_printf ("%" G_GINT64_FORMAT, nod_note_get_id (NOD_NOTE (answer)));
  else if (action->kind == NOD_ACTION_DRAFT_NOTE && NOD_IS_DRAFT_NOTE (answer))
    *out_server_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                      nod_draft_note_get_id (NOD_DRAFT_NOTE (answer)));
}

static gboolean
ack_work (sqlite3       *db,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  AckWork *work = data;
  g_autoptr(NodOutboxAction) action = NULL;
  g_autoptr(sqlite3_stmt) done = NULL;
  g_autofree char *server_id = NULL;
  const char *server_discussion_id = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  action = lookup_in_state (db, work->op_id, STATE_BIT (NOD_ACTION_IN_FLIGHT), error);
  if (action == NULL)
    goto failed;
  server_ids_of (action, work->answer, &server_id, &server_discussion_id);

  done = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'done', server_id = ?, "
                            "discussion_id = COALESCE (?, discussion_id), last_error = NULL, "
                            "finished_at_us = ? WHERE seq = ?",
                            error);
  if (done == NULL)
    goto failed;
  sqlite3_bind_text (done, 1, server_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (done, 2, server_discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (done, 3, g_get_real_time ());
  sqlite3_bind_int64 (done, 4, action->seq);
  if (!_nod_outbox_run_update (done, NULL, error))
    goto failed;

  /* The thread now exists on GitLab: point the actions waiting for it at its real id,
   * in this same transaction, so no reader ever sees the comment done and a reply
   * still aimed at a thread that does not exist. */
  if (action->kind == NOD_ACTION_COMMENT && server_discussion_id != NULL)
    {
      g_autoptr(sqlite3_stmt) remap = NULL;

      remap = nod_store_prepare (db,
                                 "UPDATE outbox SET discussion_id = ? "
                                 "WHERE account_id = ? AND discussion_id = ? "
                                 "AND state != 'done'",
                                 error);
      if (remap == NULL)
        goto failed;
      sqlite3_bind_text (remap, 1, server_discussion_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (remap, 2, action->account_id);
      sqlite3_bind_text (remap, 3, action->discussion_id, -1, SQLITE_STATIC);
      if (!_nod_outbox_run_update (remap, NULL, error) ||
          !_nod_outbox_reviews_remap_thread (db, action->account_id, action->discussion_id,
                                             server_discussion_id, error))
        goto failed;
    }
  /* A note made only of quick actions (GitLab answers 202) starts no thread. */
  else if (action->kind == NOD_ACTION_COMMENT &&
           !fail_waiting_on_thread (db, action->account_id, action->discussion_id,
                                    _("The comment this answers held only quick actions, "
                                      "so it started no thread"),
                                    NULL, error))
    goto failed;

  /* What GitLab answered is GitLab's state now: kept in the same transaction, so no
   * reader sees the action done and its effect missing. */
  if (work->answer != NULL && !NOD_IS_DRAFT_NOTE (work->answer) &&
      !_nod_review_cache_keep_answer (db, action->account_id, action->project_id,
                                      action->mr_iid, action->discussion_id, work->answer,
                                      error))
    goto failed;

  /* A note deleted, or edited down to quick actions (GitLab deleted it: no answer). */
  if ((action->kind == NOD_ACTION_DELETE_NOTE ||
       (action->kind == NOD_ACTION_EDIT_NOTE && work->answer == NULL)) &&
      !_nod_review_cache_forget_note (db, action->account_id, action->discussion_id,
                                      action->note_id, error))
    goto failed;

  /* The head this approval was sent at is what "changed since you approved" compares
   * with; an approval taken back leaves nothing to compare with. */
  if ((action->kind == NOD_ACTION_APPROVE || action->kind == NOD_ACTION_UNAPPROVE) &&
      !_nod_diff_cache_note_approval (db, action->account_id, action->project_id,
                                      action->mr_iid, action->kind == NOD_ACTION_APPROVE,
                                      action->head_sha, TRUE, error))
    goto failed;

  if (!nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_ack_async:
 * @answer: (nullable): what GitLab answered: the thread a comment started, or one resolved
 *   or reopened (NodDiscussion); a reply's note (NodNote); the approvals after an approve
 *   or unapprove (NodApprovals); a review's draft (NodDraftNote); the threads after a
 *   review was published (a GListModel of NodDiscussion); %NULL when it made nothing (a
 *   note of quick actions only)
 *
 * Records that GitLab has the in-flight action @op_id, with the ids of what it made. For a
 * comment, actions aimed at its local thread id are rewritten to GitLab's in the same
 * transaction; and @answer goes into the review cache in it too, so the action shows as
 * sent at once, not only after the next pull.
 */
void
nod_outbox_ack_async (NodOutbox           *self,
                      const char          *op_id,
                      GObject             *answer,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  AckWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);
  g_return_if_fail (answer == NULL || G_IS_OBJECT (answer));

  work = g_new0 (AckWork, 1);
  work->op_id = g_strdup (op_id);
  work->answer = answer != NULL ? g_object_ref (answer) : NULL;
  nod_store_run_async (self->store, self, nod_outbox_ack_async, ack_work, work,
                       (GDestroyNotify) ack_work_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_ack_finish (NodOutbox     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_ack_async, error) != NULL;
}

/* Runs an UPDATE of the row of @op_id, bound as: the statement's own parameters via
 * @bind (from @work, the operation's data), then the row's seq last, after checking the
 * row is in one of @allowed_states. */
typedef void (*BindFunc) (sqlite3_stmt *stmt, gconstpointer work, NodOutboxAction *action);

static gboolean
update_one (sqlite3        *db,
            const char     *op_id,
            guint           allowed_states,
            const char     *sql,
            BindFunc        bind,
            gconstpointer   work,
            GError        **error)
{
  g_autoptr(NodOutboxAction) action = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  action = lookup_in_state (db, op_id, allowed_states, error);
  if (action == NULL || (stmt = nod_store_prepare (db, sql, error)) == NULL)
    goto failed;

  if (bind != NULL)
    bind (stmt, work, action);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_count (stmt), action->seq);
  if (!_nod_outbox_run_update (stmt, NULL, error) || !nod_store_commit (db, error))
    goto failed;

  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

typedef struct
{
  char     *op_id;
  guint     http_status;
  char     *reason;
  gboolean  ambiguous;
  gint64    now;
} FailTransientWork;

static void
fail_transient_work_free (FailTransientWork *work)
{
  g_free (work->op_id);
  g_free (work->reason);
  g_free (work);
}

static void
bind_transient (sqlite3_stmt    *stmt,
                gconstpointer    data,
                NodOutboxAction *action)
{
  const FailTransientWork *work = data;
  guint attempts = action->attempts + 1;

  sqlite3_bind_int (stmt, 1, (int) attempts);
  sqlite3_bind_int64 (stmt, 2, work->now + nod_outbox_backoff_delay (attempts,
                                                                     g_random_double ()));
  sqlite3_bind_int (stmt, 3, (int) work->http_status);
  sqlite3_bind_text (stmt, 4, work->reason, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, work->ambiguous);
}

static gboolean
fail_transient_work (sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FailTransientWork *work = data;

  /* Once an attempt may have reached GitLab, the action stays ambiguous until acked. */
  return update_one (db, work->op_id, STATE_BIT (NOD_ACTION_IN_FLIGHT),
                     "UPDATE outbox SET state = 'pending', attempts = ?, "
                     "next_attempt_at_us = ?, last_status = ?, last_error = ?, "
                     "ambiguous = ambiguous OR ? WHERE seq = ?",
                     bind_transient, work, error);
}

/**
 * nod_outbox_fail_transient_async:
 * @http_status: the HTTP status GitLab answered, or 0 when there was no answer
 * @reason: a sentence for people
 * @ambiguous: whether the attempt may have reached GitLab (a timeout after sending)
 * @now: the current time, Unix microseconds
 *
 * Puts the in-flight action back in the queue to be retried after an exponential,
 * jittered backoff (nod_outbox_backoff_delay()).
 */
void
nod_outbox_fail_transient_async (NodOutbox           *self,
                                 const char          *op_id,
                                 guint                http_status,
                                 const char          *reason,
                                 gboolean             ambiguous,
                                 gint64               now,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  FailTransientWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  work = g_new0 (FailTransientWork, 1);
  work->op_id = g_strdup (op_id);
  work->http_status = http_status;
  work->reason = g_strdup (reason);
  work->ambiguous = ambiguous;
  work->now = now;
  nod_store_run_async (self->store, self, nod_outbox_fail_transient_async, fail_transient_work,
                       work, (GDestroyNotify) fail_transient_work_free, cancellable, callback,
                       user_data);
}

gboolean
nod_outbox_fail_transient_finish (NodOutbox     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_fail_transient_async, error) != NULL;
}

typedef struct
{
  char  *op_id;
  guint  http_status;
  char  *reason;
} FailPermanentWork;

static void
fail_permanent_work_free (FailPermanentWork *work)
{
  g_free (work->op_id);
  g_free (work->reason);
  g_free (work);
}

static void
bind_permanent (sqlite3_stmt    *stmt,
                gconstpointer    data,
                NodOutboxAction *action)
{
  const FailPermanentWork *work = data;

  sqlite3_bind_int (stmt, 1, (int) work->http_status);
  sqlite3_bind_text (stmt, 2, work->reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
}

static gboolean
fail_permanent_work (sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FailPermanentWork *work = data;

  return update_one (db, work->op_id, PENDING_OR_IN_FLIGHT,
                     "UPDATE outbox SET state = 'failed', last_status = ?, last_error = ?, "
                     "finished_at_us = ? WHERE seq = ?",
                     bind_permanent, work, error);
}

/**
 * nod_outbox_fail_permanent_async:
 * @reason: a sentence for people, shown beside the action
 *
 * Moves a pending or in-flight action to failed. It stays until the reviewer retries
 * or discards it, and holds back later actions of its lane meanwhile.
 */
void
nod_outbox_fail_permanent_async (NodOutbox           *self,
                                 const char          *op_id,
                                 guint                http_status,
                                 const char          *reason,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  FailPermanentWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);
  g_return_if_fail (reason != NULL);

  work = g_new0 (FailPermanentWork, 1);
  work->op_id = g_strdup (op_id);
  work->http_status = http_status;
  work->reason = g_strdup (reason);
  nod_store_run_async (self->store, self, nod_outbox_fail_permanent_async, fail_permanent_work,
                       work, (GDestroyNotify) fail_permanent_work_free, cancellable, callback,
                       user_data);
}

gboolean
nod_outbox_fail_permanent_finish (NodOutbox     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_fail_permanent_async, error) != NULL;
}

typedef struct
{
  char   *op_id;
  gint64  not_before;
  guint   http_status;
  char   *reason;      /* NULL: the row keeps what it said */
} ReleaseWork;

static void
release_work_free (ReleaseWork *work)
{
  g_free (work->op_id);
  g_free (work->reason);
  g_free (work);
}

static void
bind_release (sqlite3_stmt    *stmt,
              gconstpointer    data,
              NodOutboxAction *action)
{
  const ReleaseWork *work = data;

  sqlite3_bind_int64 (stmt, 1, work->not_before);
  if (work->reason != NULL)
    {
      sqlite3_bind_int (stmt, 2, (int) work->http_status);
      sqlite3_bind_text (stmt, 3, work->reason, -1, SQLITE_STATIC);
    }
}

static gboolean
release_work (sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  ReleaseWork *work = data;

  if (work->reason != NULL)
    return update_one (db, work->op_id, STATE_BIT (NOD_ACTION_IN_FLIGHT),
                       "UPDATE outbox SET state = 'pending', "
                       "next_attempt_at_us = MAX (next_attempt_at_us, ?), "
                       "last_status = ?, last_error = ? WHERE seq = ?",
                       bind_release, work, error);

  return update_one (db, work->op_id, STATE_BIT (NOD_ACTION_IN_FLIGHT),
                     "UPDATE outbox SET state = 'pending', "
                     "next_attempt_at_us = MAX (next_attempt_at_us, ?) WHERE seq = ?",
                     bind_release, work, error);
}

static void
queue_release (NodOutbox           *self,
               gpointer             source_tag,
               const char          *op_id,
               gint64               not_before,
               guint                http_status,
               const char          *reason,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  ReleaseWork *work = g_new0 (ReleaseWork, 1);

  work->op_id = g_strdup (op_id);
  work->not_before = not_before;
  work->http_status = http_status;
  work->reason = g_strdup (reason);
  nod_store_run_async (self->store, self, source_tag, release_work, work,
                       (GDestroyNotify) release_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_release_async:
 * @not_before: Unix microseconds before which it must not be claimed again, or 0
 *
 * Hands an in-flight action back unsent and without counting an attempt: the job
 * stopped before sending it (signed out, rate limited, cancelled).
 */
void
nod_outbox_release_async (NodOutbox           *self,
                          const char          *op_id,
                          gint64               not_before,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  queue_release (self, nod_outbox_release_async, op_id, not_before, 0, NULL, cancellable,
                 callback, user_data);
}

gboolean
nod_outbox_release_finish (NodOutbox     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_release_async, error) != NULL;
}

/**
 * nod_outbox_release_waiting_async:
 * @not_before: Unix microseconds before which it must not be claimed again, or 0
 * @http_status: the status that holds it back (401, 429), or 0
 * @reason: a sentence for people: why the action waits
 *
 * Hands an in-flight action back unsent and without counting an attempt because it must
 * wait (its account signed out, rate limited, notes paced), and keeps why on the row: the
 * queue shows the reason, and the row's next attempt says until when.
 */
void
nod_outbox_release_waiting_async (NodOutbox           *self,
                                  const char          *op_id,
                                  gint64               not_before,
                                  guint                http_status,
                                  const char          *reason,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);
  g_return_if_fail (reason != NULL);

  queue_release (self, nod_outbox_release_waiting_async, op_id, not_before, http_status,
                 reason, cancellable, callback, user_data);
}

gboolean
nod_outbox_release_waiting_finish (NodOutbox     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_release_waiting_async, error) != NULL;
}

/* Its work data is the op_id. */
static gboolean
release_sent_work (sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return update_one (db, data, STATE_BIT (NOD_ACTION_IN_FLIGHT),
                     "UPDATE outbox SET state = 'pending', ambiguous = 1 WHERE seq = ?",
                     NULL, NULL, error);
}

/**
 * nod_outbox_release_sent_async:
 *
 * Hands back an in-flight action whose request went out but whose answer never came (the
 * job was stopped while GitLab had it): pending again without counting an attempt, and
 * marked ambiguous, so it is looked for on GitLab before it is sent again — as start-up
 * recovery does for a process that died.
 */
void
nod_outbox_release_sent_async (NodOutbox           *self,
                               const char          *op_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  nod_store_run_async (self->store, self, nod_outbox_release_sent_async, release_sent_work,
                       g_strdup (op_id), g_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_release_sent_finish (NodOutbox     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_release_sent_async, error) != NULL;
}

/* Its work data is the op_id. */
static gboolean
retry_work (sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  const char *op_id = data;
  g_autoptr(NodOutboxAction) action = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  action = lookup_in_state (db, op_id, PENDING_OR_FAILED, error);
  if (action == NULL)
    goto failed;

  /* A reply whose thread was never created would only block its lane again. */
  if (action->kind != NOD_ACTION_COMMENT && is_local_id (action->discussion_id) &&
      !resolve_local_target (db, action, error))
    goto failed;

  stmt = nod_store_prepare (db,
                            "UPDATE outbox SET state = 'pending', attempts = 0, "
                            "next_attempt_at_us = 0, last_status = 0, last_error = NULL, "
                            "finished_at_us = NULL, "
                            "discussion_id = CASE kind WHEN 'comment' THEN discussion_id "
                            "ELSE ? END WHERE seq = ?",
                            error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, action->discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, action->seq);
  if (!_nod_outbox_run_update (stmt, NULL, error) || !nod_store_commit (db, error))
    goto failed;

  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_retry_async:
 *
 * The reviewer asks to try a failed (or backing-off) action again: it becomes due now,
 * with a fresh count of attempts.
 */
void
nod_outbox_retry_async (NodOutbox           *self,
                        const char          *op_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  nod_store_run_async (self->store, self, nod_outbox_retry_async, retry_work, g_strdup (op_id),
                       g_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_retry_finish (NodOutbox     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_retry_async, error) != NULL;
}

/* ---- the reviewer takes back or rewords an action not sent yet ---- */

/* The row of @op_id, if the reviewer may still change it: not being sent, not sent, not
 * possibly on GitLab already, and not a step of a submitted review (that is the review's to
 * change). @cancel picks the sentences: a cancel's or an edit's. */
static NodOutboxAction *
lookup_changeable (sqlite3     *db,
                   const char  *op_id,
                   gboolean     cancel,
                   GError     **error)
{
  g_autoptr(NodOutboxAction) action = lookup_action (db, op_id, error);
  const char *message = NULL;

  if (action == NULL)
    return NULL;

  if (action->state == NOD_ACTION_IN_FLIGHT)
    message = cancel ? _("It is being sent; it can’t be cancelled now")
                     : _("It is being sent; it can’t be edited now");
  else if (action->state == NOD_ACTION_DONE)
    message = cancel ? _("It was already sent; it can’t be cancelled")
                     : _("It was already sent; edit the note on GitLab’s page instead");
  else if (action->ambiguous)
    /* An earlier attempt may have reached GitLab: taking the row back would leave that
     * one posted with nothing in Nod to say so, and a new text would not be found there. */
    message = cancel ? _("GitLab may already have it, so cancelling could leave it posted; "
                         "push it to find out, or discard it")
                     : _("GitLab may already have it, so a new text could post it twice; "
                         "push it to find out first");
  else if (action->review_id != NULL)
    message = cancel ? _("It is a step of a submitted review; discard the review instead")
                     : _("It is a step of a submitted review; it can’t be edited now");

  if (message != NULL)
    {
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE, message);
      return NULL;
    }
  return g_steal_pointer (&action);
}

/* Removes the row of @op_id, discarded (pending or failed) or cancelled (and changeable),
 * and fails, in sight, what waits for the thread a comment would have started. */
static gboolean
remove_action (sqlite3     *db,
               const char  *op_id,
               gboolean     cancel,
               GError     **error)
{
  g_autoptr(NodOutboxAction) action = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  action = cancel ? lookup_changeable (db, op_id, TRUE, error)
                  : lookup_in_state (db, op_id, PENDING_OR_FAILED, error);
  if (action == NULL || !delete_row (db, action->seq, error))
    goto failed;

  if (action->kind == NOD_ACTION_COMMENT &&
      !fail_waiting_on_thread (db, action->account_id, action->discussion_id,
                               cancel ? _("The comment that starts this thread was cancelled")
                                      : _("The comment that starts this thread was discarded"),
                               NULL, error))
    goto failed;

  if (!nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/* Its work data is the op_id. */
static gboolean
discard_work (sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  return remove_action (db, data, FALSE, error);
}

/**
 * nod_outbox_discard_async:
 *
 * The reviewer drops a pending or failed action. An action being sent can't be
 * discarded (%NOD_OUTBOX_ERROR_WRONG_STATE).
 */
void
nod_outbox_discard_async (NodOutbox           *self,
                          const char          *op_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  nod_store_run_async (self->store, self, nod_outbox_discard_async, discard_work, g_strdup (op_id),
                       g_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_discard_finish (NodOutbox     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_discard_async, error) != NULL;
}

/* Its work data is the op_id. */
static gboolean
cancel_work (sqlite3       *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return remove_action (db, data, TRUE, error);
}

/**
 * nod_outbox_cancel_async:
 *
 * The reviewer takes back an action before it is sent: the row is removed, in one
 * transaction with its checks. Refused (%NOD_OUTBOX_ERROR_WRONG_STATE, with a sentence) when
 * it is being sent, was sent, may already be on GitLab (ambiguous), or is a step of a
 * submitted review. Actions waiting for the thread a cancelled comment would have started
 * fail, as they do when it is discarded.
 */
void
nod_outbox_cancel_async (NodOutbox           *self,
                         const char          *op_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  nod_store_run_async (self->store, self, nod_outbox_cancel_async, cancel_work, g_strdup (op_id),
                       g_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_cancel_finish (NodOutbox     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_cancel_async, error) != NULL;
}

typedef struct
{
  char *op_id;
  char *body;
} EditWork;

static void
edit_work_free (EditWork *work)
{
  g_free (work->op_id);
  g_free (work->body);
  g_free (work);
}

static gboolean
edit_work (sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  EditWork *work = data;
  g_autoptr(NodOutboxAction) action = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  action = lookup_changeable (db, work->op_id, FALSE, error);
  if (action == NULL)
    goto failed;
  if (!_nod_outbox_action_has_body (action))
    {
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                           _("Only the text of a comment can be edited"));
      goto failed;
    }

  /* Same row, same place in its lane: only the text changes. */
  g_free (action->body);
  action->body = g_strdup (work->body);
  if (!set_payload (db, action->seq, action, error) || !nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_edit_async:
 * @body: the new text, checked as a comment's is
 *
 * The reviewer rewords a comment or reply (or a note's edit) before it is sent: the row
 * keeps its op id and its place in its lane. Refused as nod_outbox_cancel_async() refuses,
 * and for an action with no text.
 */
void
nod_outbox_edit_async (NodOutbox           *self,
                       const char          *op_id,
                       const char          *body,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  EditWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  if (!_nod_outbox_validate_body (body, &error))
    {
      g_task_report_error (self, callback, user_data, nod_outbox_edit_async,
                           g_steal_pointer (&error));
      return;
    }

  work = g_new0 (EditWork, 1);
  work->op_id = g_strdup (op_id);
  work->body = g_strdup (body);
  nod_store_run_async (self->store, self, nod_outbox_edit_async, edit_work, work,
                       (GDestroyNotify) edit_work_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_edit_finish (NodOutbox     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_edit_async, error) != NULL;
}

typedef struct
{
  guint recovered;
} RecoverWork;

static gboolean
recover_work (sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  RecoverWork *work = data;

  return recover_in_flight (db, &work->recovered, error);
}

/**
 * nod_outbox_recover_async:
 *
 * At start-up, before anything is claimed: actions left in flight by a process that
 * died return to pending, marked ambiguous (they may or may not have reached GitLab).
 */
void
nod_outbox_recover_async (NodOutbox           *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));

  nod_store_run_async (self->store, self, nod_outbox_recover_async, recover_work,
                       g_new0 (RecoverWork, 1), g_free, cancellable, callback, user_data);
}

gboolean
nod_outbox_recover_finish (NodOutbox     *self,
                           GAsyncResult  *result,
                           guint         *out_recovered,
                           GError       **error)
{
  RecoverWork *work = nod_store_run_finish (result, self, nod_outbox_recover_async, error);

  if (work == NULL)
    return FALSE;
  if (out_recovered != NULL)
    *out_recovered = work->recovered;
  return TRUE;
}

/* Rows waiting out the backoff of a transient failure (no answer, or a 5xx): not those
 * waiting for the rate limit or a sign-in, which end by their own clocks. */
#define BACKING_OFF \
  "state = 'pending' AND next_attempt_at_us > 0 AND attempts > 0 " \
  "AND (last_status = 0 OR last_status >= 500)"

typedef struct
{
  gint64          account_id;  /* 0: all */
  NodOutboxCounts counts;
} CountWork;

static gboolean
count_work (sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  CountWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) soonest = NULL;
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT state, kind IN ('approve', 'unapprove'), COUNT (*) "
                            "FROM outbox WHERE state != 'done' AND (?1 = 0 OR account_id = ?1) "
                            "GROUP BY 1, 2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (stmt, 0);
      gboolean approval = sqlite3_column_int (stmt, 1) != 0;
      guint count = (guint) sqlite3_column_int (stmt, 2);

      if (g_strcmp0 (state, "pending") == 0)
        work->counts.pending += count;
      else if (g_strcmp0 (state, "in_flight") == 0)
        work->counts.in_flight += count;
      else if (g_strcmp0 (state, "failed") == 0)
        work->counts.failed += count;

      if (approval && g_strcmp0 (state, "failed") != 0)
        work->counts.pending_approvals += count;
    }

  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  soonest = nod_store_prepare (db,
                               "SELECT COALESCE (MIN (next_attempt_at_us), 0), "
                               "COUNT (*) FILTER (WHERE " BACKING_OFF ") FROM outbox "
                               "WHERE (?1 = 0 OR account_id = ?1) AND state = 'pending' "
                               "AND next_attempt_at_us > 0",
                               error);
  if (soonest == NULL)
    return FALSE;
  sqlite3_bind_int64 (soonest, 1, work->account_id);
  if ((rc = sqlite3_step (soonest)) != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  work->counts.due_at = sqlite3_column_int64 (soonest, 0);
  work->counts.backing_off = (guint) sqlite3_column_int (soonest, 1);
  return TRUE;
}

/**
 * nod_outbox_count_async:
 * @account_id: one account, or 0 for all
 *
 * Counts the open actions by state, for the status indicator.
 */
void
nod_outbox_count_async (NodOutbox           *self,
                        gint64               account_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  CountWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));

  work = g_new0 (CountWork, 1);
  work->account_id = account_id;
  nod_store_run_async (self->store, self, nod_outbox_count_async, count_work, work, g_free,
                       cancellable, callback, user_data);
}

gboolean
nod_outbox_count_finish (NodOutbox        *self,
                         GAsyncResult     *result,
                         NodOutboxCounts  *out_counts,
                         GError          **error)
{
  CountWork *work = nod_store_run_finish (result, self, nod_outbox_count_async, error);

  g_return_val_if_fail (out_counts != NULL, FALSE);

  if (work == NULL)
    return FALSE;
  *out_counts = work->counts;
  return TRUE;
}

/* Its work data is the account id. */
static gboolean
end_backoff_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const gint64 *account_id = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "UPDATE outbox SET next_attempt_at_us = 0 "
                            "WHERE account_id = ? AND " BACKING_OFF,
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *account_id);
  return _nod_outbox_run_update (stmt, NULL, error);
}

/**
 * nod_outbox_end_backoff_async:
 *
 * GitLab answers again: every action of @account_id backing off after a transient failure
 * becomes due now. Their attempts are kept, so one that fails again waits longer.
 */
void
nod_outbox_end_backoff_async (NodOutbox           *self,
                              gint64               account_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (account_id > 0);

  nod_store_run_async (self->store, self, nod_outbox_end_backoff_async, end_backoff_work,
                       g_memdup2 (&account_id, sizeof account_id), g_free, cancellable,
                       callback, user_data);
}

gboolean
nod_outbox_end_backoff_finish (NodOutbox     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_end_backoff_async, error) != NULL;
}

typedef struct
{
  gint64     account_id;  /* 0: all */
  GPtrArray *actions;     /* NodOutboxAction, on return */
} ListWork;

static void
list_work_free (ListWork *work)
{
  g_clear_pointer (&work->actions, g_ptr_array_unref);
  g_free (work);
}

static gboolean
list_work (sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  ListWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT " ACTION_COLUMNS " FROM outbox "
                            "WHERE state != 'done' AND (?1 = 0 OR account_id = ?1) "
                            "ORDER BY seq",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NodOutboxAction *action = action_from_row (stmt, error);

      if (action == NULL)
        return FALSE;
      g_ptr_array_add (actions, action);
    }

  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  work->actions = g_steal_pointer (&actions);
  return TRUE;
}

/**
 * nod_outbox_list_async:
 * @account_id: one account, or 0 for all
 *
 * Lists the open actions (pending, in flight, failed) in the order they were taken.
 */
void
nod_outbox_list_async (NodOutbox           *self,
                       gint64               account_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  ListWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));

  work = g_new0 (ListWork, 1);
  work->account_id = account_id;
  nod_store_run_async (self->store, self, nod_outbox_list_async, list_work, work,
                       (GDestroyNotify) list_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_list_finish:
 *
 * Returns: (transfer container) (element-type NodOutboxAction): the open actions
 */
GPtrArray *
nod_outbox_list_finish (NodOutbox     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  ListWork *work = nod_store_run_finish (result, self, nod_outbox_list_async, error);

  return work != NULL ? g_steal_pointer (&work->actions) : NULL;
}

typedef struct
{
  gint64      account_id;
  gint64      project_id;
  gint64      mr_iid;
  GHashTable *note_ids;  /* a set of strings, on return */
} NoteIdsWork;

static void
note_ids_work_free (NoteIdsWork *work)
{
  g_clear_pointer (&work->note_ids, g_hash_table_unref);
  g_free (work);
}

static gboolean
note_ids_work (sqlite3       *db,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  NoteIdsWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  /* Draft notes are numbered apart from notes: theirs are kept as "draft:ID". */
  stmt = nod_store_prepare (db,
                            "SELECT CASE kind WHEN 'draft_note' THEN 'draft:' || server_id "
                            "ELSE server_id END FROM outbox "
                            "WHERE state = 'done' AND server_id IS NOT NULL "
                            "AND kind IN ('comment', 'reply', 'draft_note') "
                            "AND account_id = ? AND project_id = ? AND mr_iid = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->mr_iid);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  work->note_ids = g_steal_pointer (&ids);
  return TRUE;
}

/**
 * nod_outbox_list_note_ids_async:
 *
 * Lists the GitLab note ids that sent comments and replies on one merge request already
 * hold, so that an ambiguous comment is never matched to a note another action made;
 * and, as "draft:ID", the draft notes a submitted review created there.
 */
void
nod_outbox_list_note_ids_async (NodOutbox           *self,
                                gint64               account_id,
                                gint64               project_id,
                                gint64               mr_iid,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NoteIdsWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));

  work = g_new0 (NoteIdsWork, 1);
  work->account_id = account_id;
  work->project_id = project_id;
  work->mr_iid = mr_iid;
  nod_store_run_async (self->store, self, nod_outbox_list_note_ids_async, note_ids_work, work,
                       (GDestroyNotify) note_ids_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_list_note_ids_finish:
 *
 * Returns: (transfer full) (element-type utf8 utf8): a set of note ids
 */
GHashTable *
nod_outbox_list_note_ids_finish (NodOutbox     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  NoteIdsWork *work = nod_store_run_finish (result, self, nod_outbox_list_note_ids_async, error);

  return work != NULL ? g_steal_pointer (&work->note_ids) : NULL;
}

static void
nod_outbox_dispose (GObject *object)
{
  NodOutbox *self = NOD_OUTBOX (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_outbox_parent_class)->dispose (object);
}

static void
nod_outbox_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  NodOutbox *self = NOD_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_outbox_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  NodOutbox *self = NOD_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_outbox_class_init (NodOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_outbox_dispose;
  object_class->get_property = nod_outbox_get_property;
  object_class->set_property = nod_outbox_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         NOD_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_outbox_init (NodOutbox *self)
{
}

NodOutbox *
nod_outbox_new (NodStore *store)
{
  g_return_val_if_fail (NOD_IS_STORE (store), NULL);

  return g_object_new (NOD_TYPE_OUTBOX, "store", store, NULL);
}

NodStore *
nod_outbox_get_store (NodOutbox *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX (self), NULL);

  return self->store;
}
