/* nod-review-cache.c: what Nod keeps of GitLab's merge requests, and the view of them
 * with the reviewer's pending actions on top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Server state is stored as GitLab sent it; nothing here ever rewrites it with what the
 * reviewer intends. The view (nod_review_cache_list_views_async()) replays the pending
 * outbox over it instead, so a pull can never undo an intent not yet pushed.
 */

#define G_LOG_DOMAIN "nod-cache"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-diff-cache-private.h"
#include "nod-forge-models-private.h"
#include "nod-gitlab-json.h"
#include "nod-outbox-private.h"
#include "nod-commit.h"
#include "nod-pipeline.h"
#include "nod-review-cache-private.h"
#include "nod-store-worker.h"

struct _NodReviewCache
{
  GObject   parent_instance;

  NodStore *store;
};

G_DEFINE_FINAL_TYPE (NodReviewCache, nod_review_cache, G_TYPE_OBJECT)

static char *
iso_or_null (GDateTime *time)
{
  return time != NULL ? g_date_time_format_iso8601 (time) : NULL;
}

/* Users as the cache keeps them: {"username","name","avatar_url"} each (a member GitLab
 * gave none is left out), so a page shows names and avatars with no request. */
static char *
users_json (GPtrArray *users)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      NodUser *user = users->pdata[i];
      const char *members[] = { "username", "name", "avatar_url" };
      const char *values[] = { nod_user_get_username (user), nod_user_get_name (user),
                               nod_user_get_avatar_url (user) };

      json_builder_begin_object (builder);
      for (guint j = 0; j < G_N_ELEMENTS (members); j++)
        if (values[j] != NULL)
          {
            json_builder_set_member_name (builder, members[j]);
            json_builder_add_string_value (builder, values[j]);
          }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
strings_json (const char * const *strings)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; strings[i] != NULL; i++)
    json_builder_add_string_value (builder, strings[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* "group/project!42" → "group/project"; GitLab's list answers carry no project path. */
static char *
project_path_of (NodMergeRequest *mr)
{
  const char *reference = nod_merge_request_get_reference (mr);
  const char *bang = reference != NULL ? strrchr (reference, '!') : NULL;

  if (bang != NULL && bang > reference)
    return g_strndup (reference, bang - reference);
  return g_strdup_printf ("project-%" G_GINT64_FORMAT, nod_merge_request_get_project_id (mr));
}

static gboolean
save_project (sqlite3          *db,
              gint64            account_id,
              NodMergeRequest  *mr,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *path = project_path_of (mr);

  stmt = nod_store_prepare (db,
                            "INSERT INTO projects (account_id, id, path_with_namespace) "
                            "VALUES (?, ?, ?) ON CONFLICT (account_id, id) DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, nod_merge_request_get_project_id (mr));
  sqlite3_bind_text (stmt, 3, path, -1, SQLITE_STATIC);
  return nod_store_step_done (stmt, error);
}

static gboolean
save_merge_request (sqlite3              *db,
                    gint64                account_id,
                    NodMergeRequestScope  scope,
                    NodMergeRequest      *mr,
                    GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *reviewers = users_json (nod_merge_request_get_reviewers (mr));
  g_autofree char *labels = strings_json (nod_merge_request_get_labels (mr));
  g_autofree char *created = iso_or_null (nod_merge_request_get_created_at (mr));
  g_autofree char *updated = iso_or_null (nod_merge_request_get_updated_at (mr));
  g_autofree char *merged = iso_or_null (nod_merge_request_get_merged_at (mr));
  g_autofree char *closed = iso_or_null (nod_merge_request_get_closed_at (mr));
  NodUser *author = nod_merge_request_get_author (mr);
  int column = 1;

  /* A merge request listed under a scope gains that relation; the others stay. */
  stmt = nod_store_prepare (db,
                            "INSERT INTO merge_requests (account_id, project_id, iid, id, title, "
                            "description, state, draft, author_username, author_name, "
                            "source_branch, target_branch, sha, merge_status, has_conflicts, "
                            "web_url, reviewers, is_reviewer, is_assignee, is_author, "
                            "created_at, updated_at, merged_at, closed_at, fetched_at_us, "
                            "labels, author_avatar_url) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?) "
                            "ON CONFLICT (account_id, project_id, iid) DO UPDATE SET "
                            "id = excluded.id, title = excluded.title, "
                            "description = excluded.description, state = excluded.state, "
                            "draft = excluded.draft, author_username = excluded.author_username, "
                            "author_name = excluded.author_name, "
                            "source_branch = excluded.source_branch, "
                            "target_branch = excluded.target_branch, sha = excluded.sha, "
                            "merge_status = excluded.merge_status, "
                            "has_conflicts = excluded.has_conflicts, web_url = excluded.web_url, "
                            "reviewers = excluded.reviewers, "
                            "is_reviewer = MAX (is_reviewer, excluded.is_reviewer), "
                            "is_assignee = MAX (is_assignee, excluded.is_assignee), "
                            "is_author = MAX (is_author, excluded.is_author), "
                            "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                            "merged_at = excluded.merged_at, closed_at = excluded.closed_at, "
                            "fetched_at_us = excluded.fetched_at_us, labels = excluded.labels, "
                            "author_avatar_url = excluded.author_avatar_url",
                            error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, column++, account_id);
  sqlite3_bind_int64 (stmt, column++, nod_merge_request_get_project_id (mr));
  sqlite3_bind_int64 (stmt, column++, nod_merge_request_get_iid (mr));
  sqlite3_bind_int64 (stmt, column++, nod_merge_request_get_id (mr));
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_title (mr), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_description (mr), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++,
                     nod_merge_request_state_to_string (nod_merge_request_get_state (mr)), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int (stmt, column++, nod_merge_request_get_draft (mr));
  sqlite3_bind_text (stmt, column++, author != NULL ? nod_user_get_username (author) : NULL,
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, author != NULL ? nod_user_get_name (author) : NULL, -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_source_branch (mr), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_target_branch (mr), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_sha (mr), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_merge_status (mr), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int (stmt, column++, nod_merge_request_get_has_conflicts (mr));
  sqlite3_bind_text (stmt, column++, nod_merge_request_get_web_url (mr), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, reviewers, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, column++, scope == NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED);
  sqlite3_bind_int (stmt, column++, scope == NOD_MERGE_REQUEST_SCOPE_ASSIGNED);
  sqlite3_bind_int (stmt, column++, scope == NOD_MERGE_REQUEST_SCOPE_AUTHORED);
  sqlite3_bind_text (stmt, column++, created, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, updated, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, merged, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, closed, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, column++, g_get_real_time ());
  sqlite3_bind_text (stmt, column++, labels, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, author != NULL ? nod_user_get_avatar_url (author) : NULL,
                     -1, SQLITE_STATIC);

  return nod_store_step_done (stmt, error);
}

typedef struct
{
  gint64                account_id;
  NodMergeRequestScope  scope;
  GPtrArray            *merge_requests;
  GPtrArray            *closed;          /* on return: those whose actions failed */
} SaveMergeRequestsWork;

static void
save_merge_requests_work_free (SaveMergeRequestsWork *work)
{
  g_clear_pointer (&work->merge_requests, g_ptr_array_unref);
  g_clear_pointer (&work->closed, g_ptr_array_unref);
  g_free (work);
}

static gboolean
save_merge_requests_work (sqlite3       *db,
                          gpointer       data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SaveMergeRequestsWork *work = data;

  work->closed = g_ptr_array_new_with_free_func (g_object_unref);

  if (!nod_store_begin (db, error))
    return FALSE;

  for (guint i = 0; i < work->merge_requests->len; i++)
    {
      NodMergeRequest *mr = work->merge_requests->pdata[i];
      NodMergeRequestState state = nod_merge_request_get_state (mr);
      gboolean merged = state == NOD_MERGE_REQUEST_MERGED;
      guint failed = 0;

      if (!save_project (db, work->account_id, mr, error) ||
          !save_merge_request (db, work->account_id, work->scope, mr, error))
        goto failed;

      /* In this same transaction, so the cache never shows it closed with actions on it
       * still waiting to be sent. */
      if ((merged || state == NOD_MERGE_REQUEST_CLOSED) &&
          !_nod_outbox_fail_actions_of_closed_merge_request (db, work->account_id,
                                                            nod_merge_request_get_project_id (mr),
                                                            nod_merge_request_get_iid (mr),
                                                            merged, &failed, error))
        goto failed;
      if (failed > 0)
        g_ptr_array_add (work->closed, g_object_ref (mr));
    }

  if (!nod_store_commit (db, error))
    goto failed;
  return TRUE;

failed:
  nod_store_rollback (db);
  g_clear_pointer (&work->closed, g_ptr_array_unref);
  return FALSE;
}

/**
 * nod_review_cache_save_merge_requests_async:
 * @scope: the list they came from: the merge requests gain that relation
 * @merge_requests: (element-type NodMergeRequest): one page of them
 *
 * Stores a page of merge requests in one transaction. Those merged or closed on GitLab
 * fail the reviewer's pending actions on them, with the reason.
 */
void
nod_review_cache_save_merge_requests_async (NodReviewCache       *self,
                                            gint64                account_id,
                                            NodMergeRequestScope  scope,
                                            GPtrArray            *merge_requests,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data)
{
  SaveMergeRequestsWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (merge_requests != NULL);

  work = g_new0 (SaveMergeRequestsWork, 1);
  work->account_id = account_id;
  work->scope = scope;
  work->merge_requests = g_ptr_array_ref (merge_requests);
  nod_store_run_async (self->store, self, nod_review_cache_save_merge_requests_async,
                       save_merge_requests_work, work,
                       (GDestroyNotify) save_merge_requests_work_free, cancellable, callback,
                       user_data);
}

/**
 * nod_review_cache_save_merge_requests_finish:
 * @out_closed: (out) (transfer container) (element-type NodMergeRequest): merge requests
 *   merged or closed elsewhere whose pending actions failed
 */
gboolean
nod_review_cache_save_merge_requests_finish (NodReviewCache  *self,
                                             GAsyncResult    *result,
                                             GPtrArray      **out_closed,
                                             GError         **error)
{
  SaveMergeRequestsWork *work;

  work = nod_store_run_finish (result, self, nod_review_cache_save_merge_requests_async, error);

  if (work == NULL)
    return FALSE;
  if (out_closed != NULL)
    *out_closed = g_steal_pointer (&work->closed);
  return TRUE;
}

static char *
position_json (const NodDiffPosition *position)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (position == NULL)
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "old_path");
  json_builder_add_string_value (builder, position->old_path);
  json_builder_set_member_name (builder, "new_path");
  json_builder_add_string_value (builder, position->new_path);
  json_builder_set_member_name (builder, "old_line");
  json_builder_add_int_value (builder, position->old_line);
  json_builder_set_member_name (builder, "new_line");
  json_builder_add_int_value (builder, position->new_line);
  json_builder_set_member_name (builder, "head_sha");
  json_builder_add_string_value (builder, position->head_sha);
  json_builder_set_member_name (builder, "base_sha");
  json_builder_add_string_value (builder, position->base_sha);
  json_builder_set_member_name (builder, "start_sha");
  json_builder_add_string_value (builder, position->start_sha);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
save_approvals (sqlite3       *db,
                gint64         account_id,
                gint64         project_id,
                gint64         iid,
                NodApprovals  *approvals,
                GError       **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  GPtrArray *approved_by = nod_approvals_get_approved_by (approvals);
  g_autofree char *suggested = users_json (nod_approvals_get_suggested_approvers (approvals));

  update = nod_store_prepare (db,
                              "UPDATE merge_requests SET user_has_approved = ?1, "
                              "user_can_approve = ?2, approvals_required = NULLIF (?3, -1), "
                              "approvals_left = NULLIF (?4, -1), suggested_approvers = ?8 "
                              "WHERE account_id = ?5 AND project_id = ?6 AND iid = ?7",
                              error);
  clear = nod_store_prepare (db,
                             "DELETE FROM approvals WHERE account_id = ? AND project_id = ? "
                             "AND iid = ?",
                             error);
  insert = nod_store_prepare (db,
                              "INSERT OR IGNORE INTO approvals (account_id, project_id, iid, "
                              "username, name) VALUES (?, ?, ?, ?, ?)",
                              error);
  if (update == NULL || clear == NULL || insert == NULL)
    return FALSE;

  sqlite3_bind_int (update, 1, nod_approvals_get_user_has_approved (approvals));
  sqlite3_bind_int (update, 2, nod_approvals_get_user_can_approve (approvals));
  sqlite3_bind_int (update, 3, nod_approvals_get_approvals_required (approvals));
  sqlite3_bind_int (update, 4, nod_approvals_get_approvals_left (approvals));
  sqlite3_bind_int64 (update, 5, account_id);
  sqlite3_bind_int64 (update, 6, project_id);
  sqlite3_bind_int64 (update, 7, iid);
  sqlite3_bind_text (update, 8, suggested, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (clear, 1, account_id);
  sqlite3_bind_int64 (clear, 2, project_id);
  sqlite3_bind_int64 (clear, 3, iid);
  if (!nod_store_step_done (update, error) || !nod_store_step_done (clear, error))
    return FALSE;

  for (guint i = 0; i < approved_by->len; i++)
    {
      NodUser *user = approved_by->pdata[i];

      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, account_id);
      sqlite3_bind_int64 (insert, 2, project_id);
      sqlite3_bind_int64 (insert, 3, iid);
      sqlite3_bind_text (insert, 4, nod_user_get_username (user), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 5, nod_user_get_name (user), -1, SQLITE_STATIC);
      if (!nod_store_step_done (insert, error))
        return FALSE;
    }

  return TRUE;
}

/* One note of the thread @discussion_id, replacing what the cache had of it. */
static gboolean
save_note (sqlite3       *db,
           gint64         account_id,
           const char    *discussion_id,
           NodNote       *note,
           GError       **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  NodUser *author = nod_note_get_author (note);
  g_autofree char *position = position_json (nod_note_get_position (note));
  g_autofree char *created = iso_or_null (nod_note_get_created_at (note));
  g_autofree char *updated = iso_or_null (nod_note_get_updated_at (note));
  NodUser *resolver = nod_note_get_resolved_by (note);
  g_autofree char *resolved_at = iso_or_null (nod_note_get_resolved_at (note));

  insert = nod_store_prepare (db,
                              "INSERT OR REPLACE INTO notes (account_id, id, discussion_id, "
                              "author_username, author_name, body, system, resolvable, "
                              "resolved, position, created_at, updated_at, author_avatar_url, "
                              "resolved_by_username, resolved_by_name, resolved_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (insert == NULL)
    return FALSE;

  sqlite3_bind_int64 (insert, 1, account_id);
  sqlite3_bind_int64 (insert, 2, nod_note_get_id (note));
  sqlite3_bind_text (insert, 3, discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, nod_user_get_username (author), -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, nod_user_get_name (author), -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 6, nod_note_get_body (note), -1, SQLITE_STATIC);
  sqlite3_bind_int (insert, 7, nod_note_get_system (note));
  sqlite3_bind_int (insert, 8, nod_note_get_resolvable (note));
  sqlite3_bind_int (insert, 9, nod_note_get_resolved (note));
  sqlite3_bind_text (insert, 10, position, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 11, created, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 12, updated, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 13, nod_user_get_avatar_url (author), -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 14, resolver != NULL ? nod_user_get_username (resolver) : NULL, -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (insert, 15, resolver != NULL ? nod_user_get_name (resolver) : NULL, -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (insert, 16, resolver != NULL ? resolved_at : NULL, -1, SQLITE_STATIC);
  return nod_store_step_done (insert, error);
}

/* One thread, with all its notes, replacing what the cache had of it (its notes go with
 * the row replaced: a note deleted on GitLab goes too). */
static gboolean
save_discussion (sqlite3        *db,
                 gint64          account_id,
                 gint64          project_id,
                 gint64          iid,
                 NodDiscussion  *discussion,
                 GError        **error)
{
  g_autoptr(sqlite3_stmt) thread = NULL;
  GPtrArray *notes = nod_discussion_get_notes (discussion);
  const char *id = nod_discussion_get_id (discussion);

  thread = nod_store_prepare (db,
                              "INSERT OR REPLACE INTO discussions (account_id, id, project_id, "
                              "iid, individual_note, resolvable, resolved) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)",
                              error);
  if (thread == NULL)
    return FALSE;

  sqlite3_bind_int64 (thread, 1, account_id);
  sqlite3_bind_text (thread, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (thread, 3, project_id);
  sqlite3_bind_int64 (thread, 4, iid);
  sqlite3_bind_int (thread, 5, nod_discussion_get_individual_note (discussion));
  sqlite3_bind_int (thread, 6, nod_discussion_get_resolvable (discussion));
  sqlite3_bind_int (thread, 7, nod_discussion_get_resolved (discussion));
  if (!nod_store_step_done (thread, error))
    return FALSE;

  for (guint n = 0; n < notes->len; n++)
    if (!save_note (db, account_id, id, notes->pdata[n], error))
      return FALSE;

  return TRUE;
}

static gboolean
save_discussions (sqlite3       *db,
                  gint64         account_id,
                  gint64         project_id,
                  gint64         iid,
                  GPtrArray     *discussions,
                  GError       **error)
{
  g_autoptr(sqlite3_stmt) clear = NULL;

  clear = nod_store_prepare (db,
                             "DELETE FROM discussions WHERE account_id = ? AND project_id = ? "
                             "AND iid = ?",
                             error);
  if (clear == NULL)
    return FALSE;

  /* Threads deleted on GitLab go too: the cache holds what the server holds. */
  sqlite3_bind_int64 (clear, 1, account_id);
  sqlite3_bind_int64 (clear, 2, project_id);
  sqlite3_bind_int64 (clear, 3, iid);
  if (!nod_store_step_done (clear, error))
    return FALSE;

  for (guint i = 0; i < discussions->len; i++)
    if (!save_discussion (db, account_id, project_id, iid, discussions->pdata[i], error))
      return FALSE;

  return TRUE;
}

/* Steps @stmt, a query bound already: does it find a row? */
static gboolean
finds_row (sqlite3_stmt  *stmt,
           gboolean      *out_found,
           GError       **error)
{
  int step = sqlite3_step (stmt);

  if (step != SQLITE_ROW && step != SQLITE_DONE)
    {
      nod_store_set_error (error, sqlite3_db_handle (stmt), step);
      return FALSE;
    }
  *out_found = step == SQLITE_ROW;
  return TRUE;
}

/* The later of @latest and when @note was last changed on GitLab (transfer none). */
static GDateTime *
latest_change_of_note (NodNote   *note,
                       GDateTime *latest)
{
  GDateTime *changed = nod_note_get_updated_at (note) != NULL ? nod_note_get_updated_at (note)
                                                               : nod_note_get_created_at (note);

  if (changed != NULL && (latest == NULL || g_date_time_compare (changed, latest) > 0))
    return changed;
  return latest;
}

static GDateTime *
latest_change_of_thread (NodDiscussion *discussion,
                         GDateTime     *latest)
{
  GPtrArray *notes = nod_discussion_get_notes (discussion);

  for (guint i = 0; i < notes->len; i++)
    latest = latest_change_of_note (notes->pdata[i], latest);
  return latest;
}

/* GitLab moves a merge request's updated_at with the reviewer's own note, a moment after
 * the note's time: a merge request they had read stays read through it. The mark moves to
 * a little past the note (OWN_CHANGE_SLACK_S), so what others change after that still
 * shows. Read means not changed since opened: one unread keeps its mark. */
#define OWN_CHANGE_SLACK_S 2

static gboolean
keep_read_after_own_change (sqlite3     *db,
                            gint64       account_id,
                            gint64       project_id,
                            gint64       iid,
                            GDateTime   *changed,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *when = NULL;
  g_autofree char *modifier = g_strdup_printf ("+%d seconds", OWN_CHANGE_SLACK_S);

  if (changed == NULL)
    return TRUE;
  when = g_date_time_format_iso8601 (changed);
  stmt = nod_store_prepare (db,
                            "UPDATE merge_requests "
                            "SET opened_updated_at = strftime ('%Y-%m-%dT%H:%M:%fZ', ?, ?) "
                            "WHERE account_id = ? AND project_id = ? AND iid = ? "
                            "AND opened_updated_at IS NOT NULL "
                            "AND julianday (updated_at) <= julianday (opened_updated_at) "
                            "AND julianday (?, ?) > julianday (opened_updated_at)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, when, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, modifier, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, account_id);
  sqlite3_bind_int64 (stmt, 4, project_id);
  sqlite3_bind_int64 (stmt, 5, iid);
  sqlite3_bind_text (stmt, 6, when, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, modifier, -1, SQLITE_STATIC);
  return nod_store_step_done (stmt, error);
}

/*
 * _nod_review_cache_forget_note:
 *
 * GitLab deleted the note @note_id: it goes from the cache, and its thread with it when it
 * was the last of it (a thread is its notes on GitLab too).
 */
gboolean
_nod_review_cache_forget_note (sqlite3     *db,
                               gint64       account_id,
                               const char  *discussion_id,
                               gint64       note_id,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) note = NULL;
  g_autoptr(sqlite3_stmt) thread = NULL;

  note = nod_store_prepare (db, "DELETE FROM notes WHERE account_id = ? AND id = ?", error);
  if (note == NULL)
    return FALSE;
  sqlite3_bind_int64 (note, 1, account_id);
  sqlite3_bind_int64 (note, 2, note_id);
  if (!nod_store_step_done (note, error))
    return FALSE;

  thread = nod_store_prepare (db,
                              "DELETE FROM discussions WHERE account_id = ? AND id = ? "
                              "AND NOT EXISTS (SELECT 1 FROM notes WHERE account_id = ? "
                              "AND discussion_id = ?)",
                              error);
  if (thread == NULL)
    return FALSE;
  sqlite3_bind_int64 (thread, 1, account_id);
  sqlite3_bind_text (thread, 2, discussion_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (thread, 3, account_id);
  sqlite3_bind_text (thread, 4, discussion_id, -1, SQLITE_STATIC);
  return nod_store_step_done (thread, error);
}

/*
 * _nod_review_cache_keep_answer:
 * @answer: what GitLab answered a write on this merge request: a NodDiscussion (a thread
 *   started, resolved or reopened), a NodNote (a reply in @discussion_id), NodApprovals,
 *   or a GListModel of NodDiscussion (the threads after a review was published)
 *
 * Keeps GitLab's answer as GitLab's state, so what was just sent shows as sent before any
 * pull. A merge request or thread the cache has not seen yet is left to the next pull: an
 * answer alone does not make a merge request's row.
 */
gboolean
_nod_review_cache_keep_answer (sqlite3     *db,
                               gint64       account_id,
                               gint64       project_id,
                               gint64       iid,
                               const char  *discussion_id,
                               GObject     *answer,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) known = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (G_IS_OBJECT (answer), FALSE);

  if (NOD_IS_NOTE (answer))
    {
      g_return_val_if_fail (discussion_id != NULL, FALSE);
      known = nod_store_prepare (db,
                                 "SELECT 1 FROM discussions WHERE account_id = ? AND id = ?",
                                 error);
      if (known == NULL)
        return FALSE;
      sqlite3_bind_int64 (known, 1, account_id);
      sqlite3_bind_text (known, 2, discussion_id, -1, SQLITE_STATIC);
      if (!finds_row (known, &found, error))
        return FALSE;
      return !found ||
             (save_note (db, account_id, discussion_id, NOD_NOTE (answer), error) &&
              keep_read_after_own_change (db, account_id, project_id, iid,
                                          latest_change_of_note (NOD_NOTE (answer), NULL),
                                          error));
    }

  known = nod_store_prepare (db,
                             "SELECT 1 FROM merge_requests WHERE account_id = ? "
                             "AND project_id = ? AND iid = ?",
                             error);
  if (known == NULL)
    return FALSE;
  sqlite3_bind_int64 (known, 1, account_id);
  sqlite3_bind_int64 (known, 2, project_id);
  sqlite3_bind_int64 (known, 3, iid);
  if (!finds_row (known, &found, error))
    return FALSE;
  if (!found)
    return TRUE;

  if (NOD_IS_DISCUSSION (answer))
    return save_discussion (db, account_id, project_id, iid, NOD_DISCUSSION (answer), error) &&
           keep_read_after_own_change (db, account_id, project_id, iid,
                                       latest_change_of_thread (NOD_DISCUSSION (answer), NULL),
                                       error);
  if (G_IS_LIST_MODEL (answer))
    {
      GDateTime *latest = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (answer)); i++)
        {
          g_autoptr(NodDiscussion) discussion = g_list_model_get_item (G_LIST_MODEL (answer), i);

          if (!save_discussion (db, account_id, project_id, iid, discussion, error))
            return FALSE;
          latest = latest_change_of_thread (discussion, latest);
        }
      return keep_read_after_own_change (db, account_id, project_id, iid, latest, error);
    }
  if (NOD_IS_APPROVALS (answer))
    return save_approvals (db, account_id, project_id, iid, NOD_APPROVALS (answer), error);

  g_return_val_if_reached (FALSE);
}

typedef struct
{
  gint64     account_id;
  GPtrArray *approvals;
  GPtrArray *discussions;
  GPtrArray *pipelines;     /* NULL: the pipelines are left as they are */
  GPtrArray *commits;       /* NodForgePage or NULL (left as they are); NULL: all left */
} SaveDetailsWork;

static void
save_details_work_free (SaveDetailsWork *work)
{
  g_clear_pointer (&work->approvals, g_ptr_array_unref);
  g_clear_pointer (&work->discussions, g_ptr_array_unref);
  g_clear_pointer (&work->pipelines, g_ptr_array_unref);
  g_clear_pointer (&work->commits, g_ptr_array_unref);
  g_free (work);
}

/* The merge request's commits, replaced with a first page of GitLab's list (bounded), and
 * the head they were pulled at: the merge request's as the pull just stored it. */
static gboolean
save_commits (sqlite3       *db,
              gint64         account_id,
              gint64         project_id,
              gint64         iid,
              NodForgePage  *page,
              GError       **error)
{
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  GPtrArray *items = nod_forge_page_get_items (page);
  gint64 total = nod_forge_page_get_total (page);
  guint kept = MIN (items->len, NOD_COMMIT_MAX_PER_MERGE_REQUEST);

  clear = nod_store_prepare (db,
                             "DELETE FROM merge_request_commits "
                             "WHERE account_id = ? AND project_id = ? AND iid = ?",
                             error);
  if (clear == NULL)
    return FALSE;
  sqlite3_bind_int64 (clear, 1, account_id);
  sqlite3_bind_int64 (clear, 2, project_id);
  sqlite3_bind_int64 (clear, 3, iid);
  if (!nod_store_step_done (clear, error))
    return FALSE;

  insert = nod_store_prepare (db,
                              "INSERT INTO merge_request_commits (account_id, project_id, iid, "
                              "position, sha, short_id, title, author_name, authored_date, "
                              "web_url) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                              "WHERE EXISTS (SELECT 1 FROM merge_requests WHERE account_id = ?1 "
                              "AND project_id = ?2 AND iid = ?3)",
                              error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < kept; i++)
    {
      NodCommit *commit = items->pdata[i];

      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, account_id);
      sqlite3_bind_int64 (insert, 2, project_id);
      sqlite3_bind_int64 (insert, 3, iid);
      sqlite3_bind_int (insert, 4, (int) i);
      sqlite3_bind_text (insert, 5, nod_commit_get_sha (commit), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 6, nod_commit_get_short_id (commit), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 7, nod_commit_get_title (commit), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 8, nod_commit_get_author_name (commit), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 9, nod_commit_get_authored_date (commit), -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 10, nod_commit_get_web_url (commit), -1, SQLITE_STATIC);
      if (!nod_store_step_done (insert, error))
        return FALSE;
    }

  mark = nod_store_prepare (db,
                            "UPDATE merge_requests SET commits_sha = sha, commits_total = ? "
                            "WHERE account_id = ? AND project_id = ? AND iid = ?",
                            error);
  if (mark == NULL)
    return FALSE;
  /* GitLab's count, or what it sent when it did not count (or sent more than it said). */
  if (total >= 0 || kept < items->len)
    sqlite3_bind_int64 (mark, 1, MAX (total, (gint64) items->len));
  sqlite3_bind_int64 (mark, 2, account_id);
  sqlite3_bind_int64 (mark, 3, project_id);
  sqlite3_bind_int64 (mark, 4, iid);
  return nod_store_step_done (mark, error);
}

/* The merge request's head pipeline, or none (@pipeline %NULL). */
static gboolean
save_pipeline (sqlite3       *db,
               gint64         account_id,
               gint64         project_id,
               gint64         iid,
               NodPipeline   *pipeline,
               GError       **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;

  update = nod_store_prepare (db,
                              "UPDATE merge_requests SET pipeline_id = ?, pipeline_sha = ?, "
                              "pipeline_status = ?, pipeline_web_url = ? "
                              "WHERE account_id = ? AND project_id = ? AND iid = ?",
                              error);
  if (update == NULL)
    return FALSE;
  if (pipeline != NULL)
    {
      sqlite3_bind_int64 (update, 1, nod_pipeline_get_id (pipeline));
      sqlite3_bind_text (update, 2, nod_pipeline_get_sha (pipeline), -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 3, nod_pipeline_get_status (pipeline), -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 4, nod_pipeline_get_web_url (pipeline), -1, SQLITE_STATIC);
    }
  sqlite3_bind_int64 (update, 5, account_id);
  sqlite3_bind_int64 (update, 6, project_id);
  sqlite3_bind_int64 (update, 7, iid);
  return nod_store_step_done (update, error);
}

static gboolean
save_merge_request_details (sqlite3       *db,
                            gint64         account_id,
                            NodApprovals  *approvals,
                            GPtrArray     *discussions,
                            GError       **error)
{
  gint64 project_id = nod_approvals_get_project_id (approvals);
  gint64 iid = nod_approvals_get_iid (approvals);

  return save_approvals (db, account_id, project_id, iid, approvals, error) &&
         save_discussions (db, account_id, project_id, iid, discussions, error) &&
         /* The head the reviewer approved at, as far as a pull can tell: the first head
          * it saw approved (Nod's own approvals record the head they pinned when
          * answered). */
         _nod_diff_cache_note_approval (db, account_id, project_id, iid,
                                        nod_approvals_get_user_has_approved (approvals),
                                        NULL, FALSE, error);
}

static gboolean
save_details_work (sqlite3       *db,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  SaveDetailsWork *work = data;

  if (!nod_store_begin (db, error))
    return FALSE;

  for (guint i = 0; i < work->approvals->len; i++)
    if (!save_merge_request_details (db, work->account_id, work->approvals->pdata[i],
                                     work->discussions->pdata[i], error) ||
        (work->pipelines != NULL &&
         !save_pipeline (db, work->account_id,
                         nod_approvals_get_project_id (work->approvals->pdata[i]),
                         nod_approvals_get_iid (work->approvals->pdata[i]),
                         work->pipelines->pdata[i], error)) ||
        (work->commits != NULL && work->commits->pdata[i] != NULL &&
         !save_commits (db, work->account_id,
                        nod_approvals_get_project_id (work->approvals->pdata[i]),
                        nod_approvals_get_iid (work->approvals->pdata[i]),
                        work->commits->pdata[i], error)))
      {
        nod_store_rollback (db);
        return FALSE;
      }

  if (!nod_store_commit (db, error))
    {
      nod_store_rollback (db);
      return FALSE;
    }
  return TRUE;
}

/**
 * nod_review_cache_save_details_async:
 * @approvals: (element-type NodApprovals): each merge request's approvals (they name it)
 * @discussions: (element-type GPtrArray): for each of @approvals, all its merge request's
 *   threads (a GPtrArray of NodDiscussion)
 * @pipelines: (nullable) (element-type NodPipeline): for each of @approvals, its merge
 *   request's head pipeline or %NULL for none; %NULL to leave the pipelines alone
 * @commits: (nullable) (element-type NodForgePage): for each of @approvals, the first
 *   page of its merge request's commits, or %NULL to leave them alone; %NULL for all
 *
 * Replaces what the cache knows of the merge requests' approvals, threads, head
 * pipelines and commits (marked as pulled at the head the cache has), and notes
 * the head the reviewer approved at (nod-diff-cache's approved_heads), in one transaction.
 */
void
nod_review_cache_save_details_async (NodReviewCache      *self,
                                     gint64               account_id,
                                     GPtrArray           *approvals,
                                     GPtrArray           *discussions,
                                     GPtrArray           *pipelines,
                                     GPtrArray           *commits,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  SaveDetailsWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (approvals != NULL && discussions != NULL);
  g_return_if_fail (approvals->len == discussions->len);
  g_return_if_fail (pipelines == NULL || pipelines->len == approvals->len);
  g_return_if_fail (commits == NULL || commits->len == approvals->len);

  work = g_new0 (SaveDetailsWork, 1);
  work->account_id = account_id;
  work->approvals = g_ptr_array_ref (approvals);
  work->discussions = g_ptr_array_ref (discussions);
  work->pipelines = pipelines != NULL ? g_ptr_array_ref (pipelines) : NULL;
  work->commits = commits != NULL ? g_ptr_array_ref (commits) : NULL;
  nod_store_run_async (self->store, self, nod_review_cache_save_details_async, save_details_work,
                       work, (GDestroyNotify) save_details_work_free, cancellable, callback,
                       user_data);
}

gboolean
nod_review_cache_save_details_finish (NodReviewCache  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return nod_store_run_finish (result, self, nod_review_cache_save_details_async, error) != NULL;
}

typedef struct
{
  gint64     account_id;
  GPtrArray *merge_requests;   /* NodMergeRequest: those asked about */
  GPtrArray *stale;            /* on return: those whose commits were not pulled at the head */
} StaleCommitsWork;

static void
stale_commits_work_free (StaleCommitsWork *work)
{
  g_clear_pointer (&work->merge_requests, g_ptr_array_unref);
  g_clear_pointer (&work->stale, g_ptr_array_unref);
  g_free (work);
}

static gboolean
list_stale_commits_work (sqlite3       *db,
                         gpointer       data,
                         GCancellable  *cancellable,
                         GError       **error)
{
  StaleCommitsWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "SELECT 1 FROM merge_requests WHERE account_id = ? "
                            "AND project_id = ? AND iid = ? AND commits_sha IS ?",
                            error);
  if (stmt == NULL)
    return FALSE;

  work->stale = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < work->merge_requests->len; i++)
    {
      NodMergeRequest *mr = work->merge_requests->pdata[i];
      gboolean pulled_at_head = FALSE;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, work->account_id);
      sqlite3_bind_int64 (stmt, 2, nod_merge_request_get_project_id (mr));
      sqlite3_bind_int64 (stmt, 3, nod_merge_request_get_iid (mr));
      sqlite3_bind_text (stmt, 4, nod_merge_request_get_sha (mr), -1, SQLITE_STATIC);
      if (!finds_row (stmt, &pulled_at_head, error))
        return FALSE;
      if (!pulled_at_head && nod_merge_request_get_sha (mr) != NULL)
        g_ptr_array_add (work->stale, g_object_ref (mr));
    }
  return TRUE;
}

/**
 * nod_review_cache_list_stale_commits_async:
 * @merge_requests: (element-type NodMergeRequest): merge requests as GitLab just sent them
 *
 * Finds those of @merge_requests whose commits the cache did not pull at their head (a
 * push since, or never pulled): the ones whose commits a pull asks for.
 */
void
nod_review_cache_list_stale_commits_async (NodReviewCache      *self,
                                           gint64               account_id,
                                           GPtrArray           *merge_requests,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  StaleCommitsWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (merge_requests != NULL);

  work = g_new0 (StaleCommitsWork, 1);
  work->account_id = account_id;
  work->merge_requests = g_ptr_array_ref (merge_requests);
  nod_store_run_async (self->store, self, nod_review_cache_list_stale_commits_async,
                       list_stale_commits_work, work, (GDestroyNotify) stale_commits_work_free,
                       cancellable, callback, user_data);
}

/**
 * nod_review_cache_list_stale_commits_finish:
 *
 * Returns: (transfer container) (element-type NodMergeRequest): those whose commits to
 *   pull, or %NULL on error
 */
GPtrArray *
nod_review_cache_list_stale_commits_finish (NodReviewCache  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  StaleCommitsWork *work = nod_store_run_finish (result, self,
                                                 nod_review_cache_list_stale_commits_async,
                                                 error);

  return work != NULL ? g_steal_pointer (&work->stale) : NULL;
}

/* A pull's cursor for one account and scope: loaded, or to save. */
typedef struct
{
  gint64  account_id;
  char   *scope;
  char   *cursor;
} CursorWork;

static void
cursor_work_free (CursorWork *work)
{
  g_free (work->scope);
  g_free (work->cursor);
  g_free (work);
}

static gboolean
load_cursor_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  CursorWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT cursor FROM sync_state WHERE account_id = ? AND scope = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_text (stmt, 2, work->scope, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    work->cursor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

void
nod_review_cache_load_cursor_async (NodReviewCache      *self,
                                    gint64               account_id,
                                    const char          *scope,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  CursorWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (scope != NULL);

  work = g_new0 (CursorWork, 1);
  work->account_id = account_id;
  work->scope = g_strdup (scope);
  nod_store_run_async (self->store, self, nod_review_cache_load_cursor_async, load_cursor_work,
                       work, (GDestroyNotify) cursor_work_free, cancellable, callback, user_data);
}

/**
 * nod_review_cache_load_cursor_finish:
 *
 * Returns: (transfer full) (nullable): the saved cursor, or %NULL (with no error) when
 *   there is none yet
 */
char *
nod_review_cache_load_cursor_finish (NodReviewCache  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  CursorWork *work = nod_store_run_finish (result, self, nod_review_cache_load_cursor_async, error);

  return work != NULL ? g_steal_pointer (&work->cursor) : NULL;
}

static gboolean
save_cursor_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  CursorWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "INSERT INTO sync_state (account_id, scope, cursor, updated_at_us) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, scope) DO UPDATE SET "
                            "cursor = excluded.cursor, updated_at_us = excluded.updated_at_us",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_text (stmt, 2, work->scope, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, work->cursor, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  return nod_store_step_done (stmt, error);
}

void
nod_review_cache_save_cursor_async (NodReviewCache      *self,
                                    gint64               account_id,
                                    const char          *scope,
                                    const char          *cursor,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  CursorWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (scope != NULL);

  work = g_new0 (CursorWork, 1);
  work->account_id = account_id;
  work->scope = g_strdup (scope);
  work->cursor = g_strdup (cursor);
  nod_store_run_async (self->store, self, nod_review_cache_save_cursor_async, save_cursor_work,
                       work, (GDestroyNotify) cursor_work_free, cancellable, callback, user_data);
}

gboolean
nod_review_cache_save_cursor_finish (NodReviewCache  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return nod_store_run_finish (result, self, nod_review_cache_save_cursor_async, error) != NULL;
}

/* The last pull: when any account's pull last saved a cursor. Its work data is a
 * gint64 of Unix microseconds, 0 when no pull ever did. */
static gboolean
load_last_pull_work (sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gint64 *last_pull_us = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = nod_store_prepare (db, "SELECT MAX (updated_at_us) FROM sync_state", error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  *last_pull_us = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * nod_review_cache_load_last_pull_async:
 *
 * Finds when a pull last saved its progress, over all accounts: what a fresh start
 * shows as the last sync before it has synced itself.
 */
void
nod_review_cache_load_last_pull_async (NodReviewCache      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  nod_store_run_async (self->store, self, nod_review_cache_load_last_pull_async,
                       load_last_pull_work, g_new0 (gint64, 1), g_free, cancellable, callback,
                       user_data);
}

/**
 * nod_review_cache_load_last_pull_finish:
 * @out_last_pull_us: (out): Unix microseconds, or 0 when no account was ever pulled
 */
gboolean
nod_review_cache_load_last_pull_finish (NodReviewCache  *self,
                                        GAsyncResult    *result,
                                        gint64          *out_last_pull_us,
                                        GError         **error)
{
  gint64 *last_pull_us;

  g_return_val_if_fail (out_last_pull_us != NULL, FALSE);

  last_pull_us = nod_store_run_finish (result, self, nod_review_cache_load_last_pull_async, error);
  if (last_pull_us == NULL)
    return FALSE;
  *out_last_pull_us = *last_pull_us;
  return TRUE;
}

/* The columns of a view, over "merge_requests mr" joined to "projects p". The newest
 * approve/unapprove decides what the reviewer sees if it is not acked yet, or was acked
 * after the merge request was fetched (the cache has not heard of it from GitLab yet). */
#define VIEW_MR_COLUMNS \
  "mr.project_id, mr.iid, p.path_with_namespace, mr.title, mr.state, mr.author_username, " \
  "mr.author_name, mr.source_branch, mr.target_branch, mr.web_url, mr.created_at, " \
  "mr.updated_at, mr.draft, mr.has_conflicts, mr.is_reviewer, mr.is_assignee, mr.is_author, " \
  "mr.user_can_approve, mr.approvals_required, " \
  "(SELECT COUNT (*) FROM approvals a WHERE a.account_id = mr.account_id " \
  " AND a.project_id = mr.project_id AND a.iid = mr.iid), " \
  "mr.user_has_approved, "

/* What a reviewer looks at before approving, after the outbox's columns (24…): the head
 * pipeline's status only while it is the head's (a pull may have kept the merge request
 * of a newer push before its pipeline), the merge status, the labels, and whether GitLab
 * changed it since the reviewer last opened it (GitLab's updated_at only moves on; the
 * mark is a time, GitLab's or one just past the reviewer's own change, compared as one). */
#define VIEW_CONTEXT_COLUMNS \
  "CASE WHEN mr.pipeline_sha = mr.sha THEN mr.pipeline_status END, mr.merge_status, " \
  "mr.labels, " \
  "(mr.opened_updated_at IS NOT NULL " \
  " AND julianday (mr.updated_at) > julianday (mr.opened_updated_at)), " \
  "mr.author_avatar_url "
#define VIEW_CONTEXT_COLUMN_COUNT 5

/* Which rows of "outbox o" replay an approval over "merge_requests mr". */
#define VIEW_REPLAYED_APPROVAL \
  "o.kind IN ('approve', 'unapprove') " \
  "AND (o.state IN ('pending', 'in_flight') " \
  "     OR (o.state = 'done' AND o.finished_at_us > mr.fetched_at_us)) "

/* The outbox's columns of one view, looked up for its merge request: each scans the
 * outbox (no index has its merge request), fine for one view, not for a list. */
#define VIEW_COLUMNS \
  VIEW_MR_COLUMNS \
  "(SELECT o.kind || ':' || o.state FROM outbox o WHERE o.account_id = mr.account_id " \
  " AND o.project_id = mr.project_id AND o.mr_iid = mr.iid AND " VIEW_REPLAYED_APPROVAL \
  " ORDER BY o.seq DESC LIMIT 1), " \
  "(SELECT COUNT (*) FROM outbox o WHERE o.account_id = mr.account_id " \
  " AND o.project_id = mr.project_id AND o.mr_iid = mr.iid " \
  " AND o.state IN ('pending', 'in_flight')), " \
  "(SELECT COUNT (*) FROM outbox o WHERE o.account_id = mr.account_id " \
  " AND o.project_id = mr.project_id AND o.mr_iid = mr.iid " \
  " AND o.state = 'failed'), " \
  VIEW_CONTEXT_COLUMNS

#define VIEW_FROM \
  "FROM merge_requests mr JOIN projects p " \
  "ON p.account_id = mr.account_id AND p.id = mr.project_id "

static char *
dup_text (sqlite3_stmt *stmt,
          int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

typedef struct
{
  gint64     account_id;
  guint      limit;
  GPtrArray *targets;     /* NodMergeRequestTarget: to list, on return; or to save */
  GPtrArray *pipelines;   /* to save: for each target, NodPipeline or NULL */
} PipelinesWork;

static void
pipelines_work_free (PipelinesWork *work)
{
  g_clear_pointer (&work->targets, g_ptr_array_unref);
  g_clear_pointer (&work->pipelines, g_ptr_array_unref);
  g_free (work);
}

static gboolean
list_unfinished_pipelines_work (sqlite3       *db,
                                gpointer       data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  PipelinesWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc = SQLITE_DONE;

  /* Open ones whose head pipeline is known; which have not ended is the pipeline model's
   * to say (nod_pipeline_status_has_ended). */
  stmt = nod_store_prepare (db,
                            "SELECT project_id, iid, sha, state, pipeline_status "
                            "FROM merge_requests WHERE account_id = ? AND state = 'opened' "
                            "AND pipeline_sha = sha AND pipeline_status IS NOT NULL "
                            "ORDER BY updated_at DESC, id DESC",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);

  work->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_merge_request_target_free);
  while (work->targets->len < work->limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *status = nod_pipeline_status_normalize (
                             (const char *) sqlite3_column_text (stmt, 4));
      NodMergeRequestTarget *target;

      if (nod_pipeline_status_has_ended (status))
        continue;
      target = g_new0 (NodMergeRequestTarget, 1);
      target->project_id = sqlite3_column_int64 (stmt, 0);
      target->iid = sqlite3_column_int64 (stmt, 1);
      target->sha = dup_text (stmt, 2);
      target->state = dup_text (stmt, 3);
      g_ptr_array_add (work->targets, target);
    }
  if (work->targets->len < work->limit && rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/**
 * nod_review_cache_list_unfinished_pipelines_async:
 * @limit: the most to list
 *
 * Lists the open merge requests whose head pipeline, as cached, has not ended (running,
 * pending…), the most recently changed first: GitLab does not move a merge request's
 * updated_at when its pipeline ends, so a pull asks for these again.
 */
void
nod_review_cache_list_unfinished_pipelines_async (NodReviewCache      *self,
                                                  gint64               account_id,
                                                  guint                limit,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data)
{
  PipelinesWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  work = g_new0 (PipelinesWork, 1);
  work->account_id = account_id;
  work->limit = limit;
  nod_store_run_async (self->store, self, nod_review_cache_list_unfinished_pipelines_async,
                       list_unfinished_pipelines_work, work,
                       (GDestroyNotify) pipelines_work_free, cancellable, callback, user_data);
}

/**
 * nod_review_cache_list_unfinished_pipelines_finish:
 *
 * Returns: (transfer container) (element-type NodMergeRequestTarget): the merge requests,
 *   or %NULL on error
 */
GPtrArray *
nod_review_cache_list_unfinished_pipelines_finish (NodReviewCache  *self,
                                                   GAsyncResult    *result,
                                                   GError         **error)
{
  PipelinesWork *work = nod_store_run_finish (result, self,
                                              nod_review_cache_list_unfinished_pipelines_async,
                                              error);

  return work != NULL ? g_steal_pointer (&work->targets) : NULL;
}

static gboolean
save_pipelines_work (sqlite3       *db,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  PipelinesWork *work = data;
  g_autoptr(sqlite3_stmt) head = NULL;

  head = nod_store_prepare (db,
                            "SELECT 1 FROM merge_requests WHERE account_id = ? "
                            "AND project_id = ? AND iid = ? AND sha IS ?",
                            error);
  if (head == NULL || !nod_store_begin (db, error))
    return FALSE;

  for (guint i = 0; i < work->targets->len; i++)
    {
      NodMergeRequestTarget *target = work->targets->pdata[i];
      gboolean same_head = FALSE;

      sqlite3_reset (head);
      sqlite3_bind_int64 (head, 1, work->account_id);
      sqlite3_bind_int64 (head, 2, target->project_id);
      sqlite3_bind_int64 (head, 3, target->iid);
      sqlite3_bind_text (head, 4, target->sha, -1, SQLITE_STATIC);
      /* Asked about at a head the cache has since moved past: what came is of no head. */
      if (!finds_row (head, &same_head, error) ||
          (same_head && !save_pipeline (db, work->account_id, target->project_id, target->iid,
                                        work->pipelines->pdata[i], error)))
        {
          nod_store_rollback (db);
          return FALSE;
        }
    }

  if (!nod_store_commit (db, error))
    {
      nod_store_rollback (db);
      return FALSE;
    }
  return TRUE;
}

/**
 * nod_review_cache_save_pipelines_async:
 * @targets: (element-type NodMergeRequestTarget): merge requests, at the head they were
 *   asked about at
 * @pipelines: (element-type NodPipeline): for each of @targets, its head pipeline, or
 *   %NULL for none
 *
 * Replaces the head pipelines of @targets still at that head, in one transaction.
 */
void
nod_review_cache_save_pipelines_async (NodReviewCache      *self,
                                       gint64               account_id,
                                       GPtrArray           *targets,
                                       GPtrArray           *pipelines,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  PipelinesWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (targets != NULL && pipelines != NULL);
  g_return_if_fail (targets->len == pipelines->len);

  work = g_new0 (PipelinesWork, 1);
  work->account_id = account_id;
  work->targets = g_ptr_array_ref (targets);
  work->pipelines = g_ptr_array_ref (pipelines);
  nod_store_run_async (self->store, self, nod_review_cache_save_pipelines_async,
                       save_pipelines_work, work, (GDestroyNotify) pipelines_work_free,
                       cancellable, callback, user_data);
}

gboolean
nod_review_cache_save_pipelines_finish (NodReviewCache  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return nod_store_run_finish (result, self, nod_review_cache_save_pipelines_async,
                               error) != NULL;
}

static GStrv strv_from_json_array (const char *text);

static NodMergeRequestView *
view_from_row (sqlite3_stmt *stmt)
{
  NodMergeRequestView *view = g_new0 (NodMergeRequestView, 1);
  const char *replayed = (const char *) sqlite3_column_text (stmt, 21); /* "kind:state" */
  gboolean on_server = sqlite3_column_int (stmt, 20) != 0;

  view->project_id = sqlite3_column_int64 (stmt, 0);
  view->iid = sqlite3_column_int64 (stmt, 1);
  view->project_path = dup_text (stmt, 2);
  view->title = dup_text (stmt, 3);
  view->state = dup_text (stmt, 4);
  view->author_username = dup_text (stmt, 5);
  view->author_name = dup_text (stmt, 6);
  view->source_branch = dup_text (stmt, 7);
  view->target_branch = dup_text (stmt, 8);
  view->web_url = dup_text (stmt, 9);
  view->created_at = dup_text (stmt, 10);
  view->updated_at = dup_text (stmt, 11);
  view->draft = sqlite3_column_int (stmt, 12) != 0;
  view->has_conflicts = sqlite3_column_int (stmt, 13) != 0;
  view->is_reviewer = sqlite3_column_int (stmt, 14) != 0;
  view->is_assignee = sqlite3_column_int (stmt, 15) != 0;
  view->is_author = sqlite3_column_int (stmt, 16) != 0;
  view->can_approve = sqlite3_column_int (stmt, 17) != 0;
  view->approvals_required = sqlite3_column_type (stmt, 18) == SQLITE_NULL
                               ? -1 : sqlite3_column_int (stmt, 18);
  view->approvals_given = (guint) sqlite3_column_int (stmt, 19);
  view->approval_pending = replayed != NULL && !g_str_has_suffix (replayed, ":done");
  view->approved_by_me = replayed != NULL ? g_str_has_prefix (replayed, "approve:")
                                          : on_server;
  /* The count GitLab has, with the reviewer's pending change replayed. */
  if (view->approved_by_me && !on_server)
    view->approvals_given++;
  else if (!view->approved_by_me && on_server && view->approvals_given > 0)
    view->approvals_given--;
  view->pending_actions = (guint) sqlite3_column_int (stmt, 22);
  view->failed_actions = (guint) sqlite3_column_int (stmt, 23);
  view->pipeline_status = g_strdup (nod_pipeline_status_normalize (
                                      (const char *) sqlite3_column_text (stmt, 24)));
  view->merge_status = dup_text (stmt, 25);
  view->labels = strv_from_json_array ((const char *) sqlite3_column_text (stmt, 26));
  view->updated_since_opened = sqlite3_column_int (stmt, 27) != 0;
  view->author_avatar_url = dup_text (stmt, 28);
  return view;
}

typedef struct
{
  gint64     account_id;
  gint64     limit;       /* how many views at most; -1: all */
  GPtrArray *views;       /* NodMergeRequestView, on return */
} ListViewsWork;

static void
list_views_work_free (ListViewsWork *work)
{
  g_clear_pointer (&work->views, g_ptr_array_unref);
  g_free (work);
}

static gboolean
list_views_work (sqlite3       *db,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ListViewsWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) views = g_ptr_array_new_with_free_func (
                                 (GDestroyNotify) nod_merge_request_view_free);
  int rc;

  /* The same columns as VIEW_COLUMNS, the outbox read once for the whole list rather
   * than three times a merge request: a year's done actions made 10,000 views take
   * seconds. (SQLite takes a bare column of a MAX () group from the row with the max.) */
  stmt = nod_store_prepare (db,
                            "WITH open_actions AS ("
                            "  SELECT project_id, mr_iid,"
                            "    SUM (state IN ('pending', 'in_flight')) AS pending,"
                            "    SUM (state = 'failed') AS failed"
                            "  FROM outbox WHERE account_id = ?1 AND state != 'done'"
                            "  GROUP BY project_id, mr_iid), "
                            "replayed AS ("
                            "  SELECT o.project_id, o.mr_iid, o.kind || ':' || o.state AS replayed,"
                            "    MAX (o.seq)"
                            "  FROM outbox o JOIN merge_requests mr ON mr.account_id = o.account_id"
                            "    AND mr.project_id = o.project_id AND mr.iid = o.mr_iid"
                            "  WHERE o.account_id = ?1 AND " VIEW_REPLAYED_APPROVAL
                            "  GROUP BY o.project_id, o.mr_iid) "
                            "SELECT " VIEW_MR_COLUMNS
                            "r.replayed, COALESCE (oa.pending, 0), COALESCE (oa.failed, 0), "
                            VIEW_CONTEXT_COLUMNS
                            VIEW_FROM
                            "LEFT JOIN replayed r "
                            "ON r.project_id = mr.project_id AND r.mr_iid = mr.iid "
                            "LEFT JOIN open_actions oa "
                            "ON oa.project_id = mr.project_id AND oa.mr_iid = mr.iid "
                            "WHERE mr.account_id = ?1 ORDER BY mr.updated_at DESC LIMIT ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (views, view_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  work->views = g_steal_pointer (&views);
  return TRUE;
}

/* The views of @account_id, at most @limit (-1: all); both list calls finish with
 * nod_review_cache_list_views_finish(). */
static void
list_views (NodReviewCache      *self,
            gint64               account_id,
            gint64               limit,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  ListViewsWork *work = g_new0 (ListViewsWork, 1);

  work->account_id = account_id;
  work->limit = limit;
  nod_store_run_async (self->store, self, nod_review_cache_list_views_async, list_views_work, work,
                       (GDestroyNotify) list_views_work_free, cancellable, callback, user_data);
}

/**
 * nod_review_cache_list_views_async:
 *
 * Lists the account's merge requests, newest change first, as the reviewer must see
 * them: GitLab's state with the pending actions replayed over it.
 */
void
nod_review_cache_list_views_async (NodReviewCache      *self,
                                   gint64               account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  list_views (self, account_id, -1, cancellable, callback, user_data);
}

/**
 * nod_review_cache_list_first_views_async:
 * @limit: how many at most
 *
 * Lists the account's @limit newest merge requests as nod_review_cache_list_views_async()
 * lists them all: a screenful to show while the rest is read. Finish it with
 * nod_review_cache_list_views_finish().
 */
void
nod_review_cache_list_first_views_async (NodReviewCache      *self,
                                         gint64               account_id,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  list_views (self, account_id, limit, cancellable, callback, user_data);
}

/**
 * nod_review_cache_list_views_finish:
 *
 * Returns: (transfer container) (element-type NodMergeRequestView): the views
 */
GPtrArray *
nod_review_cache_list_views_finish (NodReviewCache  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  ListViewsWork *work = nod_store_run_finish (result, self, nod_review_cache_list_views_async,
                                              error);

  return work != NULL ? g_steal_pointer (&work->views) : NULL;
}

static GStrv
strv_from_json_array (const char *text)
{
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse_text (text);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
    }
  return g_strv_builder_end (builder);
}

/* A member of a user object the cache wrote, or NULL when it is not a string. */
static const char *
user_member (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The users users_json () wrote; a plain string, as older rows hold, is a username
 * (merge_requests.reviewers) or a name (suggested_approvers) as @strings_are_names says.
 * Anything else is skipped: the file is the user's. */
static GPtrArray *
users_from_json (const char *text,
                 gboolean    strings_are_names)
{
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse_text (text);
  GPtrArray *users = g_ptr_array_new_with_free_func (g_object_unref);

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return users;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (root), i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *text_value = json_node_get_string (node);

          g_ptr_array_add (users, strings_are_names ? nod_user_new (NULL, text_value, NULL)
                                                    : nod_user_new (text_value, NULL, NULL));
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);
          const char *username = user_member (object, "username");
          const char *name = user_member (object, "name");

          if (username != NULL || name != NULL)
            g_ptr_array_add (users, nod_user_new (username, name,
                                                  user_member (object, "avatar_url")));
        }
    }
  return users;
}

static GDateTime *
time_from_column (sqlite3_stmt *stmt,
                  int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL)
    return NULL;
  utc = g_time_zone_new_utc ();
  return g_date_time_new_from_iso8601 (text, utc);
}

typedef struct
{
  gint64                 account_id;
  gint64                 project_id;
  gint64                 iid;
  NodMergeRequestDetail *detail;  /* on return */
} LoadDetailWork;

static void
load_detail_work_free (LoadDetailWork *work)
{
  g_clear_pointer (&work->detail, nod_merge_request_detail_free);
  g_free (work);
}

static gboolean
load_approvers (sqlite3                *db,
                LoadDetailWork         *work,
                NodMergeRequestDetail  *detail,
                GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) approvers = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  /* The reviewer is not listed: the view's approved_by_me says what they will see. */
  stmt = nod_store_prepare (db,
                            "SELECT a.username, a.name FROM approvals a "
                            "WHERE a.account_id = ?1 AND a.project_id = ?2 AND a.iid = ?3 "
                            "AND a.username != (SELECT username FROM accounts WHERE id = ?1) "
                            "ORDER BY COALESCE (NULLIF (a.name, ''), a.username)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->iid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (approvers, nod_user_new ((const char *) sqlite3_column_text (stmt, 0),
                                              (const char *) sqlite3_column_text (stmt, 1),
                                              NULL));
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  detail->approvers = g_steal_pointer (&approvers);
  return TRUE;
}

static gboolean
load_discussions (sqlite3                *db,
                  LoadDetailWork         *work,
                  NodMergeRequestDetail  *detail,
                  GError                **error)
{
  g_autoptr(sqlite3_stmt) threads = NULL;
  g_autoptr(sqlite3_stmt) notes = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  int rc;

  /* Oldest thread first; a resolve not yet sent shows as done. */
  threads = nod_store_prepare (db,
                               "SELECT d.id, d.individual_note, d.resolvable, d.resolved, "
                               "(SELECT o.kind FROM outbox o WHERE o.account_id = d.account_id "
                               " AND o.discussion_id = d.id "
                               " AND o.kind IN ('resolve', 'unresolve') "
                               " AND o.state IN ('pending', 'in_flight') "
                               " ORDER BY o.seq DESC LIMIT 1) "
                               "FROM discussions d "
                               "WHERE d.account_id = ? AND d.project_id = ? AND d.iid = ? "
                               "ORDER BY (SELECT MIN (n.created_at) FROM notes n "
                               "          WHERE n.account_id = d.account_id "
                               "          AND n.discussion_id = d.id), d.id",
                               error);
  if (threads == NULL)
    return FALSE;
  sqlite3_bind_int64 (threads, 1, work->account_id);
  sqlite3_bind_int64 (threads, 2, work->project_id);
  sqlite3_bind_int64 (threads, 3, work->iid);

  detail->discussions = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (threads)) == SQLITE_ROW)
    {
      NodDiscussion *discussion = g_object_new (NOD_TYPE_DISCUSSION, NULL);
      const char *pending = (const char *) sqlite3_column_text (threads, 4);

      discussion->id = dup_text (threads, 0);
      discussion->individual_note = sqlite3_column_int (threads, 1) != 0;
      discussion->resolvable = sqlite3_column_int (threads, 2) != 0;
      discussion->resolved = pending != NULL ? g_str_equal (pending, "resolve")
                                             : sqlite3_column_int (threads, 3) != 0;
      discussion->resolve_pending = pending != NULL && g_str_equal (pending, "resolve");
      discussion->notes = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (detail->discussions, discussion);
      g_hash_table_insert (by_id, discussion->id, discussion);
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  notes = nod_store_prepare (db,
                             "SELECT n.discussion_id, n.id, n.author_username, n.author_name, "
                             "n.body, n.system, n.resolvable, n.resolved, n.created_at, "
                             "n.updated_at, json_valid (n.position), "
                             "json_extract (n.position, '$.old_path'), "
                             "json_extract (n.position, '$.new_path'), "
                             "json_extract (n.position, '$.old_line'), "
                             "json_extract (n.position, '$.new_line'), "
                             "json_extract (n.position, '$.head_sha'), "
                             "json_extract (n.position, '$.base_sha'), "
                             "json_extract (n.position, '$.start_sha'), "
                             "n.author_avatar_url, n.resolved_by_username, n.resolved_by_name, "
                             "n.resolved_at "
                             "FROM notes n JOIN discussions d "
                             "ON d.account_id = n.account_id AND d.id = n.discussion_id "
                             "WHERE d.account_id = ? AND d.project_id = ? AND d.iid = ? "
                             "ORDER BY n.created_at, n.id",
                             error);
  if (notes == NULL)
    return FALSE;
  sqlite3_bind_int64 (notes, 1, work->account_id);
  sqlite3_bind_int64 (notes, 2, work->project_id);
  sqlite3_bind_int64 (notes, 3, work->iid);

  while ((rc = sqlite3_step (notes)) == SQLITE_ROW)
    {
      NodDiscussion *discussion = g_hash_table_lookup (by_id, sqlite3_column_text (notes, 0));
      NodNote *note;
      NodUser *author;

      if (discussion == NULL)
        continue;
      author = nod_user_new ((const char *) sqlite3_column_text (notes, 2),
                             (const char *) sqlite3_column_text (notes, 3),
                             (const char *) sqlite3_column_text (notes, 18));
      note = g_object_new (NOD_TYPE_NOTE, NULL);
      note->id = sqlite3_column_int64 (notes, 1);
      note->author = author;
      note->body = dup_text (notes, 4);
      note->system = sqlite3_column_int (notes, 5) != 0;
      note->resolvable = sqlite3_column_int (notes, 6) != 0;
      note->resolved = sqlite3_column_int (notes, 7) != 0;
      note->created_at = time_from_column (notes, 8);
      note->updated_at = time_from_column (notes, 9);
      if (note->resolved && sqlite3_column_type (notes, 19) == SQLITE_TEXT)
        {
          note->resolved_by = nod_user_new ((const char *) sqlite3_column_text (notes, 19),
                                            (const char *) sqlite3_column_text (notes, 20),
                                            NULL);
          note->resolved_at = time_from_column (notes, 21);
        }
      /* Our own JSON, but the file is the user's: a position with no paths is none. */
      if (sqlite3_column_int (notes, 10) != 0 &&
          sqlite3_column_type (notes, 11) == SQLITE_TEXT &&
          sqlite3_column_type (notes, 12) == SQLITE_TEXT)
        {
          note->position = nod_diff_position_new ();
          note->position->old_path = dup_text (notes, 11);
          note->position->new_path = dup_text (notes, 12);
          if (sqlite3_column_type (notes, 13) == SQLITE_INTEGER)
            note->position->old_line = sqlite3_column_int64 (notes, 13);
          if (sqlite3_column_type (notes, 14) == SQLITE_INTEGER)
            note->position->new_line = sqlite3_column_int64 (notes, 14);
          note->position->head_sha = dup_text (notes, 15);
          note->position->base_sha = dup_text (notes, 16);
          note->position->start_sha = dup_text (notes, 17);
        }
      g_ptr_array_add (discussion->notes, note);
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/* Newest first, as GitLab listed them; and how many GitLab says there are. */
static gboolean
load_commits (sqlite3                *db,
              LoadDetailWork         *work,
              NodMergeRequestDetail  *detail,
              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) total = NULL;
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT sha, short_id, title, author_name, authored_date, web_url "
                            "FROM merge_request_commits "
                            "WHERE account_id = ? AND project_id = ? AND iid = ? "
                            "ORDER BY position",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->iid);
  detail->commits = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (detail->commits,
                     nod_commit_new ((const char *) sqlite3_column_text (stmt, 0),
                                     (const char *) sqlite3_column_text (stmt, 1),
                                     (const char *) sqlite3_column_text (stmt, 2),
                                     (const char *) sqlite3_column_text (stmt, 3),
                                     (const char *) sqlite3_column_text (stmt, 4),
                                     (const char *) sqlite3_column_text (stmt, 5)));
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  total = nod_store_prepare (db,
                             "SELECT commits_total FROM merge_requests "
                             "WHERE account_id = ? AND project_id = ? AND iid = ?",
                             error);
  if (total == NULL)
    return FALSE;
  sqlite3_bind_int64 (total, 1, work->account_id);
  sqlite3_bind_int64 (total, 2, work->project_id);
  sqlite3_bind_int64 (total, 3, work->iid);
  rc = sqlite3_step (total);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  detail->commits_total = rc == SQLITE_ROW && sqlite3_column_type (total, 0) == SQLITE_INTEGER
                            ? MAX (sqlite3_column_int (total, 0), (int) detail->commits->len)
                            : -1;
  return TRUE;
}

static gboolean
load_detail_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LoadDetailWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(NodMergeRequestDetail) detail = g_new0 (NodMergeRequestDetail, 1);
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT " VIEW_COLUMNS ", mr.description, mr.sha, mr.reviewers, "
                            "mr.approvals_left, mr.suggested_approvers, "
                            "CASE WHEN mr.pipeline_sha = mr.sha THEN mr.pipeline_web_url END, "
                            "(SELECT username FROM accounts WHERE id = mr.account_id) "
                            VIEW_FROM
                            "WHERE mr.account_id = ? AND mr.project_id = ? AND mr.iid = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->iid);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("This merge request has not been fetched yet."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }

  detail->view = view_from_row (stmt);
  detail->description = dup_text (stmt, 24 + VIEW_CONTEXT_COLUMN_COUNT);
  detail->sha = dup_text (stmt, 25 + VIEW_CONTEXT_COLUMN_COUNT);
  detail->reviewers = users_from_json ((const char *) sqlite3_column_text (
                                         stmt, 26 + VIEW_CONTEXT_COLUMN_COUNT), FALSE);
  detail->approvals_left = sqlite3_column_type (stmt, 27 + VIEW_CONTEXT_COLUMN_COUNT) == SQLITE_NULL
                             ? -1 : sqlite3_column_int (stmt, 27 + VIEW_CONTEXT_COLUMN_COUNT);
  detail->suggested_approvers = users_from_json ((const char *) sqlite3_column_text (
                                                   stmt, 28 + VIEW_CONTEXT_COLUMN_COUNT), TRUE);
  detail->pipeline_web_url = dup_text (stmt, 29 + VIEW_CONTEXT_COLUMN_COUNT);
  detail->own_username = dup_text (stmt, 30 + VIEW_CONTEXT_COLUMN_COUNT);

  if (!load_approvers (db, work, detail, error) ||
      !load_discussions (db, work, detail, error) ||
      !load_commits (db, work, detail, error))
    return FALSE;

  work->detail = g_steal_pointer (&detail);
  return TRUE;
}

/**
 * nod_review_cache_load_detail_async:
 *
 * Reads one merge request with its approvals and threads, as the reviewer must see it.
 * Fails with %G_IO_ERROR_NOT_FOUND if it was never fetched.
 */
void
nod_review_cache_load_detail_async (NodReviewCache      *self,
                                    gint64               account_id,
                                    gint64               project_id,
                                    gint64               iid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  LoadDetailWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  work = g_new0 (LoadDetailWork, 1);
  work->account_id = account_id;
  work->project_id = project_id;
  work->iid = iid;
  nod_store_run_async (self->store, self, nod_review_cache_load_detail_async, load_detail_work,
                       work, (GDestroyNotify) load_detail_work_free, cancellable, callback,
                       user_data);
}

/**
 * nod_review_cache_load_detail_finish:
 *
 * Returns: (transfer full): the merge request's page
 */
NodMergeRequestDetail *
nod_review_cache_load_detail_finish (NodReviewCache  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  LoadDetailWork *work = nod_store_run_finish (result, self, nod_review_cache_load_detail_async,
                                               error);

  return work != NULL ? g_steal_pointer (&work->detail) : NULL;
}

/* ---- the merge request a command names ---- */

typedef struct
{
  gint64                 account_id;
  char                  *project_path;
  gint64                 iid;
  NodMergeRequestTarget *target;       /* on return; NULL: not cached */
} FindTargetWork;

static void
find_target_work_free (FindTargetWork *work)
{
  g_free (work->project_path);
  g_clear_pointer (&work->target, nod_merge_request_target_free);
  g_free (work);
}

static gboolean
find_target_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  FindTargetWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* GitLab's paths are case-insensitive: "GNOME/Nod" is gnome/nod. */
  stmt = nod_store_prepare (db,
                            "SELECT mr.project_id, mr.sha, mr.state "
                            "FROM merge_requests mr JOIN projects p "
                            "ON p.account_id = mr.account_id AND p.id = mr.project_id "
                            "WHERE mr.account_id = ? AND mr.iid = ? "
                            "AND p.path_with_namespace = ? COLLATE NOCASE",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->iid);
  sqlite3_bind_text (stmt, 3, work->project_path, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      work->target = g_new0 (NodMergeRequestTarget, 1);
      work->target->project_id = sqlite3_column_int64 (stmt, 0);
      work->target->iid = work->iid;
      work->target->sha = dup_text (stmt, 1);
      work->target->state = dup_text (stmt, 2);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

/**
 * nod_review_cache_find_target_async:
 * @project_path: "group/project", as the reviewer wrote it
 *
 * Looks up the merge request a command names, in what the last pull kept.
 */
void
nod_review_cache_find_target_async (NodReviewCache      *self,
                                    gint64               account_id,
                                    const char          *project_path,
                                    gint64               iid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  FindTargetWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (project_path != NULL);

  work = g_new0 (FindTargetWork, 1);
  work->account_id = account_id;
  work->project_path = g_strdup (project_path);
  work->iid = iid;
  nod_store_run_async (self->store, self, nod_review_cache_find_target_async, find_target_work,
                       work, (GDestroyNotify) find_target_work_free, cancellable, callback,
                       user_data);
}

/**
 * nod_review_cache_find_target_finish:
 *
 * Returns: (transfer full) (nullable): the merge request, or %NULL — with @error unset
 *   when Nod has not pulled it
 */
NodMergeRequestTarget *
nod_review_cache_find_target_finish (NodReviewCache  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  FindTargetWork *work = nod_store_run_finish (result, self, nod_review_cache_find_target_async,
                                               error);

  return work != NULL ? g_steal_pointer (&work->target) : NULL;
}

typedef struct
{
  gint64  account_id;
  char   *older_than;  /* ISO 8601 */
} PruneWork;

static void
prune_work_free (PruneWork *work)
{
  g_free (work->older_than);
  g_free (work);
}

static gboolean
prune_work (sqlite3       *db,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  PruneWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* Their approvals and threads go with them (ON DELETE CASCADE). */
  stmt = nod_store_prepare (db,
                            "DELETE FROM merge_requests AS mr "
                            "WHERE mr.account_id = ? AND mr.state IN ('merged', 'closed') "
                            "AND julianday (mr.updated_at) < julianday (?) "
                            "AND NOT EXISTS (SELECT 1 FROM outbox o "
                            "                WHERE o.account_id = mr.account_id "
                            "                AND o.project_id = mr.project_id "
                            "                AND o.mr_iid = mr.iid AND o.state != 'done')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_text (stmt, 2, work->older_than, -1, SQLITE_STATIC);
  return nod_store_step_done (stmt, error);
}

/**
 * nod_review_cache_prune_async:
 * @older_than: merged and closed merge requests last updated before this go
 *
 * Forgets what the history depth no longer covers; never a merge request the reviewer
 * still has actions on.
 */
void
nod_review_cache_prune_async (NodReviewCache      *self,
                              gint64               account_id,
                              GDateTime           *older_than,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PruneWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));
  g_return_if_fail (older_than != NULL);

  work = g_new0 (PruneWork, 1);
  work->account_id = account_id;
  work->older_than = g_date_time_format_iso8601 (older_than);
  nod_store_run_async (self->store, self, nod_review_cache_prune_async, prune_work, work,
                       (GDestroyNotify) prune_work_free, cancellable, callback, user_data);
}

gboolean
nod_review_cache_prune_finish (NodReviewCache  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return nod_store_run_finish (result, self, nod_review_cache_prune_async, error) != NULL;
}

typedef struct
{
  gint64 account_id;
  gint64 project_id;
  gint64 iid;
} MarkOpenedWork;

static gboolean
mark_opened_work (sqlite3       *db,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  MarkOpenedWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db,
                            "UPDATE merge_requests SET opened_updated_at = updated_at "
                            "WHERE account_id = ? AND project_id = ? AND iid = ? "
                            "AND (opened_updated_at IS NULL "
                            "     OR julianday (updated_at) > julianday (opened_updated_at))",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  sqlite3_bind_int64 (stmt, 2, work->project_id);
  sqlite3_bind_int64 (stmt, 3, work->iid);
  return nod_store_step_done (stmt, error);
}

/**
 * nod_review_cache_mark_opened_async:
 *
 * Notes that the reviewer opened the merge request as the cache has it now: its view's
 * updated_since_opened stays false until a pull brings a change GitLab made since. The
 * mark only moves on: one past the reviewer's own change stays.
 * A merge request the cache does not have is left alone.
 */
void
nod_review_cache_mark_opened_async (NodReviewCache      *self,
                                    gint64               account_id,
                                    gint64               project_id,
                                    gint64               iid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  MarkOpenedWork *work;

  g_return_if_fail (NOD_IS_REVIEW_CACHE (self));

  work = g_new0 (MarkOpenedWork, 1);
  work->account_id = account_id;
  work->project_id = project_id;
  work->iid = iid;
  nod_store_run_async (self->store, self, nod_review_cache_mark_opened_async, mark_opened_work,
                       work, g_free, cancellable, callback, user_data);
}

gboolean
nod_review_cache_mark_opened_finish (NodReviewCache  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return nod_store_run_finish (result, self, nod_review_cache_mark_opened_async, error) != NULL;
}

static void
nod_review_cache_dispose (GObject *object)
{
  NodReviewCache *self = NOD_REVIEW_CACHE (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_review_cache_parent_class)->dispose (object);
}

static void
nod_review_cache_class_init (NodReviewCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_review_cache_dispose;
}

static void
nod_review_cache_init (NodReviewCache *self)
{
}

NodReviewCache *
nod_review_cache_new (NodStore *store)
{
  NodReviewCache *self;

  g_return_val_if_fail (NOD_IS_STORE (store), NULL);

  self = g_object_new (NOD_TYPE_REVIEW_CACHE, NULL);
  self->store = g_object_ref (store);
  return self;
}
