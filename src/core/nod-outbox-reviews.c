/* nod-outbox-reviews.c: draft reviews, the outbox's other half
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A review started on a merge request turns the reviewer's comments and replies on it
 * into drafts: kept here (tables reviews and review_drafts), durable as any action, going
 * nowhere until the review is submitted. Submitting turns it, in one transaction, into a
 * unit of outbox rows sharing the review's id, in the threads' lane of the merge request:
 * each draft created on GitLab (draft_note), then the review published (publish_review),
 * then the approval, if asked for. The lane's order is the unit's order, so the publish
 * waits for every draft, and a half-sent review resumes where it stopped. Drafts are
 * edited here, before anything reaches GitLab, so GitLab's PUT (which clears a position
 * it is not sent) is never needed.
 */

#define G_LOG_DOMAIN "nod-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nod-outbox.h"
#include "nod-outbox-action-private.h"
#include "nod-outbox-private.h"
#include "nod-outbox-reviews-private.h"
#include "nod-store-worker.h"

#define DRAFT_COLUMNS \
  "d.seq, d.op_id, r.account_id, d.kind, r.project_id, r.mr_iid, d.discussion_id, " \
  "d.payload, d.created_at_us, r.id"

static NodStore *
store_of (NodOutbox *self)
{
  return nod_outbox_get_store (self);
}

/* The open review of a merge request: its id (NULL when none is started). */
static gboolean
find_review (sqlite3     *db,
             gint64       account_id,
             gint64       project_id,
             gint64       mr_iid,
             char       **out_review_id,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_review_id = NULL;
  stmt = nod_store_prepare (db,
                            "SELECT id FROM reviews WHERE account_id = ? AND project_id = ? "
                            "AND mr_iid = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, project_id);
  sqlite3_bind_int64 (stmt, 3, mr_iid);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_review_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

static NodOutboxAction *
draft_from_row (sqlite3_stmt  *stmt,
                GError       **error)
{
  g_autoptr(NodOutboxAction) action = NULL;
  NodActionKind kind;

  if (!nod_action_kind_from_string ((const char *) sqlite3_column_text (stmt, 3), &kind, error))
    return NULL;

  action = _nod_outbox_action_new (kind, sqlite3_column_int64 (stmt, 2),
                                   sqlite3_column_int64 (stmt, 4),
                                   sqlite3_column_int64 (stmt, 5));
  action->seq = sqlite3_column_int64 (stmt, 0);
  action->op_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  action->discussion_id = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  if (!_nod_outbox_action_set_payload (action, (const char *) sqlite3_column_text (stmt, 7),
                                       error))
    return NULL;
  action->created_at = sqlite3_column_int64 (stmt, 8);
  action->review_id = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  action->state = NOD_ACTION_DRAFT;
  return g_steal_pointer (&action);
}

/* ---- what the outbox's transactions call ---- */

gboolean
_nod_outbox_reviews_take_draft (sqlite3          *db,
                                NodOutboxAction  *action,
                                gboolean         *out_taken,
                                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *review_id = NULL;
  g_autofree char *payload = NULL;
  gboolean comment = action->kind == NOD_ACTION_COMMENT;

  *out_taken = FALSE;
  if (!comment && action->kind != NOD_ACTION_REPLY)
    return TRUE;
  if (!find_review (db, action->account_id, action->project_id, action->mr_iid, &review_id,
                    error))
    return FALSE;
  if (review_id == NULL)
    return TRUE;

  /* GitLab takes one draft reply of a reviewer per thread. */
  if (!comment)
    {
      g_autoptr(sqlite3_stmt) twin = NULL;
      int rc;

      twin = nod_store_prepare (db,
                                "SELECT 1 FROM review_drafts WHERE review_id = ? "
                                "AND kind = 'reply' AND discussion_id = ?",
                                error);
      if (twin == NULL)
        return FALSE;
      sqlite3_bind_text (twin, 1, review_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (twin, 2, action->discussion_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (twin);
      if (rc == SQLITE_ROW)
        {
          g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                               _("Your review already holds a reply in this thread: edit "
                                 "that draft instead"));
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        {
          nod_store_set_error (error, db, rc);
          return FALSE;
        }
    }

  /* A draft starts no thread until it is published: nothing may wait for it. */
  if (comment)
    g_clear_pointer (&action->discussion_id, g_free);

  payload = _nod_outbox_action_dup_payload (action);
  stmt = nod_store_prepare (db,
                            "INSERT INTO review_drafts (op_id, review_id, kind, discussion_id, "
                            "payload, created_at_us, updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, action->op_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, review_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, nod_action_kind_to_string (action->kind), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, action->discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, payload, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, action->created_at);
  sqlite3_bind_int64 (stmt, 7, action->created_at);
  if (!_nod_outbox_run_update (stmt, NULL, error))
    return FALSE;

  action->seq = sqlite3_last_insert_rowid (db);
  action->state = NOD_ACTION_DRAFT;
  action->review_id = g_steal_pointer (&review_id);
  *out_taken = TRUE;
  return TRUE;
}

gboolean
_nod_outbox_reviews_find_draft (sqlite3     *db,
                                const char  *op_id,
                                gboolean    *out_found,
                                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_found = FALSE;
  if (g_str_has_prefix (op_id, NOD_OUTBOX_LOCAL_ID_PREFIX))
    op_id += strlen (NOD_OUTBOX_LOCAL_ID_PREFIX);

  stmt = nod_store_prepare (db, "SELECT 1 FROM review_drafts WHERE op_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, op_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  *out_found = rc == SQLITE_ROW;
  return TRUE;
}

gboolean
_nod_outbox_reviews_remap_thread (sqlite3     *db,
                                  gint64       account_id,
                                  const char  *local_id,
                                  const char  *discussion_id,
                                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "UPDATE review_drafts SET discussion_id = ?1 WHERE discussion_id = ?3 "
                            "AND review_id IN (SELECT id FROM reviews WHERE account_id = ?2)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, account_id);
  sqlite3_bind_text (stmt, 3, local_id, -1, SQLITE_STATIC);
  return _nod_outbox_run_update (stmt, NULL, error);
}

/* ---- starting a review ---- */

typedef struct
{
  gint64      account_id;
  gint64      project_id;
  gint64      mr_iid;
  char       *op_id;       /* edit, delete */
  char       *body;        /* edit */
  char       *approve_sha; /* submit */
  char       *summary;     /* submit */
  char       *review_id;   /* on return: submit's */
  gboolean    started;     /* on return: start made it, list found one */
  guint       counts[3];   /* on return: submit's queued; discard's drafts, unsent, deletes */
  GPtrArray  *drafts;      /* on return: list */
} ReviewWork;

static void
review_work_free (ReviewWork *work)
{
  g_free (work->op_id);
  g_free (work->body);
  g_free (work->approve_sha);
  g_free (work->summary);
  g_free (work->review_id);
  g_clear_pointer (&work->drafts, g_ptr_array_unref);
  g_free (work);
}

static ReviewWork *
review_work_new (gint64 account_id,
                 gint64 project_id,
                 gint64 mr_iid)
{
  ReviewWork *work = g_new0 (ReviewWork, 1);

  work->account_id = account_id;
  work->project_id = project_id;
  work->mr_iid = mr_iid;
  return work;
}

static gboolean
start_work (sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ReviewWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *review_id = g_uuid_string_random ();
  guint changes = 0;

  stmt = nod_store_prepare (db,
                            "INSERT INTO reviews (id, account_id, project_id, mr_iid, "
                            "started_at_us) VALUES (?, ?, ?, ?, ?) "
                            "ON CONFLICT (account_id, project_id, mr_iid) DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, review_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, work->account_id);
  sqlite3_bind_int64 (stmt, 3, work->project_id);
  sqlite3_bind_int64 (stmt, 4, work->mr_iid);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  if (!_nod_outbox_run_update (stmt, &changes, error))
    {
      if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        {
          g_clear_error (error);
          g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                       _("The action names an account Nod doesn’t know"));
        }
      return FALSE;
    }
  work->started = changes > 0;
  return TRUE;
}

/**
 * nod_outbox_start_review_async:
 *
 * Starts a review on a merge request: from now on, until it is submitted or discarded,
 * the comments and replies enqueued on it are its drafts. Starting one already started
 * changes nothing.
 */
void
nod_outbox_start_review_async (NodOutbox           *self,
                               gint64               account_id,
                               gint64               project_id,
                               gint64               mr_iid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));

  if (account_id <= 0 || project_id <= 0 || mr_iid <= 0)
    {
      g_task_report_new_error (self, callback, user_data, nod_outbox_start_review_async,
                               NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                               _("The action does not name a merge request"));
      return;
    }

  nod_store_run_async (store_of (self), self, nod_outbox_start_review_async, start_work,
                       review_work_new (account_id, project_id, mr_iid),
                       (GDestroyNotify) review_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_start_review_finish:
 * @out_started: (out) (optional): %FALSE when a review was started already
 */
gboolean
nod_outbox_start_review_finish (NodOutbox     *self,
                                GAsyncResult  *result,
                                gboolean      *out_started,
                                GError       **error)
{
  ReviewWork *work = nod_store_run_finish (result, self, nod_outbox_start_review_async, error);

  if (work == NULL)
    return FALSE;
  if (out_started != NULL)
    *out_started = work->started;
  return TRUE;
}

/* ---- listing, editing and deleting drafts ---- */

static gboolean
list_drafts_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  ReviewWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *review_id = NULL;
  int rc;

  if (!find_review (db, work->account_id, work->project_id, work->mr_iid, &review_id, error))
    return FALSE;

  stmt = nod_store_prepare (db,
                            "SELECT " DRAFT_COLUMNS " FROM review_drafts d "
                            "JOIN reviews r ON r.id = d.review_id WHERE r.id = ? "
                            "ORDER BY d.seq",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, review_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      NodOutboxAction *draft = draft_from_row (stmt, error);

      if (draft == NULL)
        return FALSE;
      g_ptr_array_add (drafts, draft);
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  work->started = review_id != NULL;
  work->drafts = g_steal_pointer (&drafts);
  return TRUE;
}

/**
 * nod_outbox_list_drafts_async:
 *
 * Lists the drafts of the review started on a merge request, in the order they were
 * written (none when no review is started).
 */
void
nod_outbox_list_drafts_async (NodOutbox           *self,
                              gint64               account_id,
                              gint64               project_id,
                              gint64               mr_iid,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));

  nod_store_run_async (store_of (self), self, nod_outbox_list_drafts_async, list_drafts_work,
                       review_work_new (account_id, project_id, mr_iid),
                       (GDestroyNotify) review_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_list_drafts_finish:
 * @out_started: (out) (optional): whether a review is started on the merge request
 *
 * Returns: (transfer container) (element-type NodOutboxAction): the drafts, each in
 *   state %NOD_ACTION_DRAFT
 */
GPtrArray *
nod_outbox_list_drafts_finish (NodOutbox     *self,
                               GAsyncResult  *result,
                               gboolean      *out_started,
                               GError       **error)
{
  ReviewWork *work = nod_store_run_finish (result, self, nod_outbox_list_drafts_async, error);

  if (work == NULL)
    return NULL;
  if (out_started != NULL)
    *out_started = work->started;
  return g_steal_pointer (&work->drafts);
}

static gboolean
change_draft_work (sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  ReviewWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autofree char *payload = NULL;
  guint changes = 0;
  int rc;

  if (work->body == NULL)
    {
      stmt = nod_store_prepare (db, "DELETE FROM review_drafts WHERE op_id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, work->op_id, -1, SQLITE_STATIC);
      if (!_nod_outbox_run_update (stmt, &changes, error))
        return FALSE;
      goto done;
    }

  if (!nod_store_begin (db, error))
    return FALSE;

  stmt = nod_store_prepare (db,
                            "SELECT " DRAFT_COLUMNS " FROM review_drafts d "
                            "JOIN reviews r ON r.id = d.review_id WHERE d.op_id = ?",
                            error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, work->op_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      draft = draft_from_row (stmt, error);
      if (draft == NULL)
        goto failed;
      g_free (draft->body);
      draft->body = g_strdup (work->body);
      payload = _nod_outbox_action_dup_payload (draft);

      update = nod_store_prepare (db,
                                  "UPDATE review_drafts SET payload = ?, updated_at_us = ? "
                                  "WHERE op_id = ?",
                                  error);
      if (update == NULL)
        goto failed;
      sqlite3_bind_text (update, 1, payload, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (update, 2, g_get_real_time ());
      sqlite3_bind_text (update, 3, work->op_id, -1, SQLITE_STATIC);
      if (!_nod_outbox_run_update (update, &changes, error))
        goto failed;
    }
  else if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      goto failed;
    }
  if (!nod_store_commit (db, error))
    goto failed;

done:
  if (changes == 0)
    {
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND,
                           _("The draft is no longer in a review: it was submitted or "
                             "discarded"));
      return FALSE;
    }
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_edit_draft_async:
 * @body: the draft's new text, checked as an enqueued comment's is
 *
 * Changes a draft's text (its place and thread stay). A draft already submitted is
 * #NOD_OUTBOX_ERROR_NOT_FOUND: it is an action on its way now.
 */
void
nod_outbox_edit_draft_async (NodOutbox           *self,
                             const char          *op_id,
                             const char          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  ReviewWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  if (!_nod_outbox_validate_body (body, &error))
    {
      g_task_report_error (self, callback, user_data, nod_outbox_edit_draft_async,
                           g_steal_pointer (&error));
      return;
    }

  work = review_work_new (0, 0, 0);
  work->op_id = g_strdup (op_id);
  work->body = g_strdup (body);
  nod_store_run_async (store_of (self), self, nod_outbox_edit_draft_async, change_draft_work,
                       work, (GDestroyNotify) review_work_free, cancellable, callback,
                       user_data);
}

gboolean
nod_outbox_edit_draft_finish (NodOutbox     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_edit_draft_async, error) != NULL;
}

/**
 * nod_outbox_delete_draft_async:
 *
 * Removes a draft from its review; it never reaches GitLab.
 */
void
nod_outbox_delete_draft_async (NodOutbox           *self,
                               const char          *op_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ReviewWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));
  g_return_if_fail (op_id != NULL);

  work = review_work_new (0, 0, 0);
  work->op_id = g_strdup (op_id);
  nod_store_run_async (store_of (self), self, nod_outbox_delete_draft_async, change_draft_work,
                       work, (GDestroyNotify) review_work_free, cancellable, callback,
                       user_data);
}

gboolean
nod_outbox_delete_draft_finish (NodOutbox     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return nod_store_run_finish (result, self, nod_outbox_delete_draft_async, error) != NULL;
}

/* ---- submitting ---- */

/* One step of a submitted review, as a new outbox row. */
static gboolean
queue_step (sqlite3          *db,
            NodOutboxAction  *step,
            const char       *review_id,
            guint            *queued,
            GError          **error)
{
  if (step->op_id == NULL)
    step->op_id = g_uuid_string_random ();
  step->created_at = g_get_real_time ();
  g_free (step->review_id);
  step->review_id = g_strdup (review_id);
  if (!_nod_outbox_insert_action (db, step, error))
    return FALSE;
  (*queued)++;
  return TRUE;
}

static gboolean
submit_work (sqlite3       *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  ReviewWork *work = data;
  g_autoptr(sqlite3_stmt) drafts = NULL;
  g_autoptr(sqlite3_stmt) end = NULL;
  g_autofree char *review_id = NULL;
  guint queued = 0;
  int rc;

  if (!nod_store_begin (db, error))
    return FALSE;

  if (!find_review (db, work->account_id, work->project_id, work->mr_iid, &review_id, error))
    goto failed;
  if (review_id == NULL)
    {
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND,
                           _("No review is started on this merge request"));
      goto failed;
    }

  drafts = nod_store_prepare (db,
                              "SELECT " DRAFT_COLUMNS " FROM review_drafts d "
                              "JOIN reviews r ON r.id = d.review_id WHERE r.id = ? "
                              "ORDER BY d.seq",
                              error);
  if (drafts == NULL)
    goto failed;
  sqlite3_bind_text (drafts, 1, review_id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (drafts)) == SQLITE_ROW)
    {
      g_autoptr(NodOutboxAction) draft = draft_from_row (drafts, error);

      if (draft == NULL)
        goto failed;
      /* The draft keeps its op id: the same intent, on its way now. */
      draft->kind = NOD_ACTION_DRAFT_NOTE;
      if (!queue_step (db, draft, review_id, &queued, error))
        goto failed;
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      goto failed;
    }

  if (work->summary != NULL)
    {
      g_autoptr(NodOutboxAction) summary = _nod_outbox_action_new (NOD_ACTION_DRAFT_NOTE,
                                                                   work->account_id,
                                                                   work->project_id,
                                                                   work->mr_iid);

      summary->body = g_strdup (work->summary);
      if (!queue_step (db, summary, review_id, &queued, error))
        goto failed;
    }

  if (queued > 0)
    {
      g_autoptr(NodOutboxAction) publish = _nod_outbox_action_new (NOD_ACTION_PUBLISH_REVIEW,
                                                                   work->account_id,
                                                                   work->project_id,
                                                                   work->mr_iid);

      if (!queue_step (db, publish, review_id, &queued, error))
        goto failed;
    }

  if (work->approve_sha != NULL)
    {
      g_autoptr(NodOutboxAction) approve = nod_outbox_action_new_approve (work->account_id,
                                                                          work->project_id,
                                                                          work->mr_iid,
                                                                          work->approve_sha);

      if (!queue_step (db, approve, review_id, &queued, error))
        goto failed;
    }

  /* The drafts go with their review: they are the unit's rows now. */
  end = nod_store_prepare (db, "DELETE FROM reviews WHERE id = ?", error);
  if (end == NULL)
    goto failed;
  sqlite3_bind_text (end, 1, review_id, -1, SQLITE_STATIC);
  if (!_nod_outbox_run_update (end, NULL, error) || !nod_store_commit (db, error))
    goto failed;

  work->counts[0] = queued;
  work->review_id = g_steal_pointer (&review_id);
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_submit_review_async:
 * @approve_sha: (nullable): approve too, at this head (the one the reviewer saw)
 * @summary: (nullable): a comment of its own, published with the review
 *
 * Submits the review started on a merge request: its drafts, then its publishing, then
 * the approval are queued as one unit, in one transaction, and the review ends. A review
 * with nothing to publish only approves (or, asked nothing, just ends).
 */
void
nod_outbox_submit_review_async (NodOutbox           *self,
                                gint64               account_id,
                                gint64               project_id,
                                gint64               mr_iid,
                                const char          *approve_sha,
                                const char          *summary,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  ReviewWork *work;

  g_return_if_fail (NOD_IS_OUTBOX (self));

  if (summary != NULL && !_nod_outbox_validate_body (summary, &error))
    {
      g_task_report_error (self, callback, user_data, nod_outbox_submit_review_async,
                           g_steal_pointer (&error));
      return;
    }
  if (approve_sha != NULL && !_nod_outbox_is_valid_sha (approve_sha))
    {
      g_task_report_new_error (self, callback, user_data, nod_outbox_submit_review_async,
                               NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                               _("The approval names an invalid commit"));
      return;
    }

  work = review_work_new (account_id, project_id, mr_iid);
  work->approve_sha = g_strdup (approve_sha);
  work->summary = g_strdup (summary);
  nod_store_run_async (store_of (self), self, nod_outbox_submit_review_async, submit_work,
                       work, (GDestroyNotify) review_work_free, cancellable, callback,
                       user_data);
}

/**
 * nod_outbox_submit_review_finish:
 * @out_queued: (out) (optional): the rows queued for the unit (0: it was empty)
 * @out_review_id: (out) (optional) (transfer full): the id its rows share
 */
gboolean
nod_outbox_submit_review_finish (NodOutbox     *self,
                                 GAsyncResult  *result,
                                 guint         *out_queued,
                                 char         **out_review_id,
                                 GError       **error)
{
  ReviewWork *work = nod_store_run_finish (result, self, nod_outbox_submit_review_async,
                                           error);

  if (work == NULL)
    return FALSE;
  if (out_queued != NULL)
    *out_queued = work->counts[0];
  if (out_review_id != NULL)
    *out_review_id = g_steal_pointer (&work->review_id);
  return TRUE;
}

/* ---- discarding ---- */

static gboolean
discard_work (sqlite3       *db,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  ReviewWork *work = data;
  g_autoptr(sqlite3_stmt) count = NULL;
  g_autoptr(sqlite3_stmt) end = NULL;
  g_autofree char *review_id = NULL;

  if (!nod_store_begin (db, error))
    return FALSE;

  if (!find_review (db, work->account_id, work->project_id, work->mr_iid, &review_id, error))
    goto failed;

  if (review_id != NULL)
    {
      count = nod_store_prepare (db, "SELECT COUNT (*) FROM review_drafts WHERE review_id = ?",
                                 error);
      end = nod_store_prepare (db, "DELETE FROM reviews WHERE id = ?", error);
      if (count == NULL || end == NULL)
        goto failed;
      sqlite3_bind_text (count, 1, review_id, -1, SQLITE_STATIC);
      if (sqlite3_step (count) != SQLITE_ROW)
        {
          nod_store_set_error (error, db, sqlite3_errcode (db));
          goto failed;
        }
      work->counts[0] = (guint) sqlite3_column_int (count, 0);
      sqlite3_bind_text (end, 1, review_id, -1, SQLITE_STATIC);
      if (!_nod_outbox_run_update (end, NULL, error))
        goto failed;
    }

  if (!_nod_outbox_withdraw_unpublished (db, work->account_id, work->project_id, work->mr_iid,
                                         &work->counts[1], &work->counts[2], error))
    goto failed;

  if (review_id == NULL && work->counts[1] == 0 && work->counts[2] == 0)
    {
      g_set_error_literal (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND,
                           _("No review is started on this merge request"));
      goto failed;
    }

  if (!nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  return FALSE;
}

/**
 * nod_outbox_discard_review_async:
 *
 * Discards the review of a merge request: the drafts of the one started, and what a
 * submitted one not yet published has not sent; the drafts it created on GitLab are
 * deleted there (queued). A review being sent right now can't be discarded
 * (#NOD_OUTBOX_ERROR_WRONG_STATE); with none, #NOD_OUTBOX_ERROR_NOT_FOUND.
 */
void
nod_outbox_discard_review_async (NodOutbox           *self,
                                 gint64               account_id,
                                 gint64               project_id,
                                 gint64               mr_iid,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (NOD_IS_OUTBOX (self));

  nod_store_run_async (store_of (self), self, nod_outbox_discard_review_async, discard_work,
                       review_work_new (account_id, project_id, mr_iid),
                       (GDestroyNotify) review_work_free, cancellable, callback, user_data);
}

/**
 * nod_outbox_discard_review_finish:
 * @out_drafts: (out) (optional): drafts of the started review removed
 * @out_unsent: (out) (optional): steps of a submitted one removed before they went
 * @out_deletes: (out) (optional): drafts it created on GitLab, queued for deletion
 */
gboolean
nod_outbox_discard_review_finish (NodOutbox     *self,
                                  GAsyncResult  *result,
                                  guint         *out_drafts,
                                  guint         *out_unsent,
                                  guint         *out_deletes,
                                  GError       **error)
{
  ReviewWork *work = nod_store_run_finish (result, self, nod_outbox_discard_review_async,
                                           error);

  if (work == NULL)
    return FALSE;
  if (out_drafts != NULL)
    *out_drafts = work->counts[0];
  if (out_unsent != NULL)
    *out_unsent = work->counts[1];
  if (out_deletes != NULL)
    *out_deletes = work->counts[2];
  return TRUE;
}
