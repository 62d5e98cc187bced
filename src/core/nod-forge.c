/* nod-forge.c: what Nod needs from a forge, and how its failures read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nod-forge"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nod-forge.h"

G_DEFINE_QUARK (nod-forge-error-quark, nod_forge_error)

gboolean
nod_forge_error_is_none (const GError *error)
{
  return g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND) ||
         g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_FORBIDDEN);
}

G_DEFINE_INTERFACE (NodForge, nod_forge, G_TYPE_OBJECT)

/* What GitLab sends as an error message is shown only after this many characters. */
#define SERVER_MESSAGE_MAX_CHARS 200

static void
nod_forge_default_init (NodForgeInterface *iface)
{
}

static GObject *
finish_typed (NodForge      *self,
              GAsyncResult  *result,
              GType          expected_type,
              GError       **error)
{
  g_autoptr(GObject) object = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (NOD_IS_FORGE (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  object = NOD_FORGE_GET_IFACE (self)->finish_object (self, result, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (object == NULL || !g_type_is_a (G_OBJECT_TYPE (object), expected_type))
    {
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                   _("GitLab sent an answer Nod could not read"));
      return NULL;
    }

  return g_steal_pointer (&object);
}

/* A call whose answer may be no object at all: a note of quick actions only, to which
 * GitLab answers 202 and creates nothing. */
static gboolean
finish_maybe_none (NodForge      *self,
                   GAsyncResult  *result,
                   GType          expected_type,
                   GObject      **out_object,
                   GError       **error)
{
  g_autoptr(GObject) object = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (NOD_IS_FORGE (self), FALSE);
  g_return_val_if_fail (out_object != NULL, FALSE);

  *out_object = NULL;
  object = NOD_FORGE_GET_IFACE (self)->finish_object (self, result, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (object != NULL && !g_type_is_a (G_OBJECT_TYPE (object), expected_type))
    {
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                   _("GitLab sent an answer Nod could not read"));
      return FALSE;
    }

  *out_object = g_steal_pointer (&object);
  return TRUE;
}

void
nod_forge_get_current_user_async (NodForge            *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));

  NOD_FORGE_GET_IFACE (self)->get_current_user_async (self, cancellable, callback, user_data);
}

NodUser *
nod_forge_get_current_user_finish (NodForge      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return (NodUser *) finish_typed (self, result, NOD_TYPE_USER, error);
}

void
nod_forge_list_projects_async (NodForge            *self,
                               guint                page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_projects_async (self, page, cancellable, callback, user_data);
}

NodForgePage *
nod_forge_list_projects_finish (NodForge      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_lookup_project_async (NodForge            *self,
                                const char          *path_with_namespace,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (path_with_namespace != NULL);

  NOD_FORGE_GET_IFACE (self)->lookup_project_async (self, path_with_namespace, cancellable,
                                                    callback, user_data);
}

NodProject *
nod_forge_lookup_project_finish (NodForge      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return (NodProject *) finish_typed (self, result, NOD_TYPE_PROJECT, error);
}

/**
 * nod_forge_list_merge_requests_async:
 * @updated_after: (nullable): only those updated at or after this instant
 * @updated_before: (nullable): only those updated at or before this instant
 * @page: from 1
 *
 * A page of the merge requests in @scope, the most recently updated first (ties by id,
 * the higher first).
 */
void
nod_forge_list_merge_requests_async (NodForge             *self,
                                     NodMergeRequestScope  scope,
                                     GDateTime            *updated_after,
                                     GDateTime            *updated_before,
                                     guint                 page,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_merge_requests_async (self, scope, updated_after,
                                                         updated_before, page, cancellable,
                                                         callback, user_data);
}

NodForgePage *
nod_forge_list_merge_requests_finish (NodForge      *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_get_merge_request_async (NodForge            *self,
                                   gint64               project_id,
                                   gint64               iid,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);

  NOD_FORGE_GET_IFACE (self)->get_merge_request_async (self, project_id, iid, cancellable,
                                                       callback, user_data);
}

NodMergeRequest *
nod_forge_get_merge_request_finish (NodForge      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return (NodMergeRequest *) finish_typed (self, result, NOD_TYPE_MERGE_REQUEST, error);
}

void
nod_forge_get_approvals_async (NodForge            *self,
                               gint64               project_id,
                               gint64               iid,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);

  NOD_FORGE_GET_IFACE (self)->get_approvals_async (self, project_id, iid, cancellable, callback,
                                                   user_data);
}

NodApprovals *
nod_forge_get_approvals_finish (NodForge      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return (NodApprovals *) finish_typed (self, result, NOD_TYPE_APPROVALS, error);
}

void
nod_forge_list_discussions_async (NodForge            *self,
                                  gint64               project_id,
                                  gint64               iid,
                                  guint                page,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_discussions_async (self, project_id, iid, page, cancellable,
                                                      callback, user_data);
}

NodForgePage *
nod_forge_list_discussions_finish (NodForge      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_approve_async (NodForge            *self,
                         gint64               project_id,
                         gint64               iid,
                         const char          *head_sha,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);

  NOD_FORGE_GET_IFACE (self)->approve_async (self, project_id, iid, head_sha, cancellable,
                                             callback, user_data);
}

NodApprovals *
nod_forge_approve_finish (NodForge      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return (NodApprovals *) finish_typed (self, result, NOD_TYPE_APPROVALS, error);
}

void
nod_forge_unapprove_async (NodForge            *self,
                           gint64               project_id,
                           gint64               iid,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);

  NOD_FORGE_GET_IFACE (self)->unapprove_async (self, project_id, iid, cancellable, callback,
                                               user_data);
}

NodApprovals *
nod_forge_unapprove_finish (NodForge      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return (NodApprovals *) finish_typed (self, result, NOD_TYPE_APPROVALS, error);
}

void
nod_forge_create_discussion_async (NodForge            *self,
                                   gint64               project_id,
                                   gint64               iid,
                                   const char          *body,
                                   const NodDiffPosition *position,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (body != NULL);

  NOD_FORGE_GET_IFACE (self)->create_discussion_async (self, project_id, iid, body, position,
                                                       cancellable, callback, user_data);
}

void
nod_forge_list_diffs_async (NodForge            *self,
                            gint64               project_id,
                            gint64               iid,
                            guint                page,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_diffs_async (self, project_id, iid, page, cancellable,
                                                callback, user_data);
}

NodForgePage *
nod_forge_list_diffs_finish (NodForge      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_list_versions_async (NodForge            *self,
                               gint64               project_id,
                               gint64               iid,
                               guint                page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_versions_async (self, project_id, iid, page, cancellable,
                                                   callback, user_data);
}

NodForgePage *
nod_forge_list_versions_finish (NodForge      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_list_pipelines_async (NodForge            *self,
                                gint64               project_id,
                                gint64               iid,
                                guint                per_page,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (per_page > 0 && per_page <= 100);

  NOD_FORGE_GET_IFACE (self)->list_pipelines_async (self, project_id, iid, per_page,
                                                    cancellable, callback, user_data);
}

NodForgePage *
nod_forge_list_pipelines_finish (NodForge      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_list_commits_async (NodForge            *self,
                              gint64               project_id,
                              gint64               iid,
                              guint                per_page,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (per_page > 0 && per_page <= 100);

  NOD_FORGE_GET_IFACE (self)->list_commits_async (self, project_id, iid, per_page,
                                                  cancellable, callback, user_data);
}

NodForgePage *
nod_forge_list_commits_finish (NodForge      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_get_version_async (NodForge            *self,
                             gint64               project_id,
                             gint64               iid,
                             gint64               version_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (version_id > 0);

  NOD_FORGE_GET_IFACE (self)->get_version_async (self, project_id, iid, version_id,
                                                 cancellable, callback, user_data);
}

NodMergeRequestDiff *
nod_forge_get_version_finish (NodForge      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return (NodMergeRequestDiff *) finish_typed (self, result, NOD_TYPE_MERGE_REQUEST_DIFF, error);
}

void
nod_forge_get_raw_file_async (NodForge            *self,
                              gint64               project_id,
                              const char          *path,
                              const char          *ref,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (ref != NULL);

  NOD_FORGE_GET_IFACE (self)->get_raw_file_async (self, project_id, path, ref, cancellable,
                                                  callback, user_data);
}

/**
 * nod_forge_get_raw_file_finish:
 *
 * Returns: (transfer full): the file's bytes
 */
GBytes *
nod_forge_get_raw_file_finish (NodForge      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (NOD_IS_FORGE (self), NULL);

  return NOD_FORGE_GET_IFACE (self)->finish_bytes (self, result, error);
}

void
nod_forge_reply_async (NodForge            *self,
                       gint64               project_id,
                       gint64               iid,
                       const char          *discussion_id,
                       const char          *body,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (discussion_id != NULL);
  g_return_if_fail (body != NULL);

  NOD_FORGE_GET_IFACE (self)->reply_async (self, project_id, iid, discussion_id, body, cancellable,
                                           callback, user_data);
}

/**
 * nod_forge_reply_finish:
 * @out_note: (out) (transfer full) (nullable): the new note, or %NULL when the body held
 *   only quick actions and GitLab created no note (it answers 202)
 */
gboolean
nod_forge_reply_finish (NodForge      *self,
                        GAsyncResult  *result,
                        NodNote      **out_note,
                        GError       **error)
{
  return finish_maybe_none (self, result, NOD_TYPE_NOTE, (GObject **) out_note, error);
}

void
nod_forge_set_resolved_async (NodForge            *self,
                              gint64               project_id,
                              gint64               iid,
                              const char          *discussion_id,
                              gboolean             resolved,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (discussion_id != NULL);

  NOD_FORGE_GET_IFACE (self)->set_resolved_async (self, project_id, iid, discussion_id, resolved,
                                                  cancellable, callback, user_data);
}

NodDiscussion *
nod_forge_set_resolved_finish (NodForge      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return (NodDiscussion *) finish_typed (self, result, NOD_TYPE_DISCUSSION, error);
}

void
nod_forge_update_note_async (NodForge            *self,
                             gint64               project_id,
                             gint64               iid,
                             gint64               note_id,
                             const char          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (note_id > 0);
  g_return_if_fail (body != NULL);

  NOD_FORGE_GET_IFACE (self)->update_note_async (self, project_id, iid, note_id, body,
                                                 cancellable, callback, user_data);
}

/**
 * nod_forge_update_note_finish:
 * @out_note: (out) (transfer full) (nullable): the note as GitLab keeps it now, or %NULL
 *   when the new text held only quick actions (GitLab ran them and deleted the note)
 */
gboolean
nod_forge_update_note_finish (NodForge      *self,
                              GAsyncResult  *result,
                              NodNote      **out_note,
                              GError       **error)
{
  return finish_maybe_none (self, result, NOD_TYPE_NOTE, (GObject **) out_note, error);
}

void
nod_forge_delete_note_async (NodForge            *self,
                             gint64               project_id,
                             gint64               iid,
                             gint64               note_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (note_id > 0);

  NOD_FORGE_GET_IFACE (self)->delete_note_async (self, project_id, iid, note_id,
                                                 cancellable, callback, user_data);
}

/**
 * nod_forge_create_discussion_finish:
 * @out_discussion: (out) (transfer full) (nullable): the new thread, or %NULL when
 *   the body held only quick actions and GitLab created no note (it answers 202)
 */
gboolean
nod_forge_create_discussion_finish (NodForge       *self,
                                    GAsyncResult   *result,
                                    NodDiscussion **out_discussion,
                                    GError        **error)
{
  return finish_maybe_none (self, result, NOD_TYPE_DISCUSSION, (GObject **) out_discussion,
                            error);
}

/**
 * nod_forge_dup_rate_limit:
 *
 * Returns: (transfer full): what the last answer said of the request budget
 */
NodRateLimit *
nod_forge_dup_rate_limit (NodForge *self)
{
  g_return_val_if_fail (NOD_IS_FORGE (self), NULL);

  return NOD_FORGE_GET_IFACE (self)->dup_rate_limit (self);
}

/**
 * nod_forge_warm_up:
 *
 * Opens a connection to the server ahead of the first request, when none is open, so
 * that a write made soon (an approval) does not wait for the handshakes. Optional: a
 * forge without connections does nothing.
 */
void
nod_forge_warm_up (NodForge *self)
{
  g_return_if_fail (NOD_IS_FORGE (self));

  if (NOD_FORGE_GET_IFACE (self)->warm_up != NULL)
    NOD_FORGE_GET_IFACE (self)->warm_up (self);
}

/**
 * nod_forge_restore_rate_limit:
 * @rate_limit: what an earlier run last heard of the request budget
 *
 * Starts from what the last run knew, until GitLab answers again: a new run that is
 * rate-limited waits for the reset rather than finding out the hard way. A snapshot older
 * than what the forge heard itself changes nothing.
 */
void
nod_forge_restore_rate_limit (NodForge           *self,
                              const NodRateLimit *rate_limit)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (rate_limit != NULL);

  NOD_FORGE_GET_IFACE (self)->restore_rate_limit (self, rate_limit);
}

/**
 * nod_forge_set_clock:
 * @clock: where the forge reads the time and arms each request's deadline
 *
 * The engine's own, so that a test's manual clock ends a request that takes too long as
 * time on the system clock would.
 */
void
nod_forge_set_clock (NodForge *self,
                     NodClock *clock)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (NOD_IS_CLOCK (clock));

  NOD_FORGE_GET_IFACE (self)->set_clock (self, clock);
}

/* A server's own words, cut short and made safe to show. */
static char *
bounded_server_message (const char *server_message)
{
  g_autofree char *valid = NULL;

  if (server_message == NULL || *server_message == '\0')
    return NULL;

  valid = g_utf8_make_valid (server_message, -1);
  if (g_utf8_strlen (valid, -1) > SERVER_MESSAGE_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (valid, 0, SERVER_MESSAGE_MAX_CHARS);
      return g_strconcat (cut, "…", NULL);
    }

  return g_steal_pointer (&valid);
}

/**
 * nod_forge_set_error_for_status:
 * @status: an HTTP status that is not a success
 * @server_message: (nullable): the "message" GitLab put in its answer, if any
 * @rate_limit: (nullable): what the answer said of the request budget
 *
 * The one place where an HTTP status becomes a #NodForgeError and a sentence.
 */
void
nod_forge_set_error_for_status (GError             **error,
                                guint                status,
                                const char          *server_message,
                                const NodRateLimit  *rate_limit)
{
  g_autofree char *detail = bounded_server_message (server_message);

  switch (status)
    {
    case 401:
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH,
                   _("GitLab did not accept the access token; sign in again"));
      break;

    case 403:
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_FORBIDDEN,
                   _("GitLab says you are not allowed to do this"));
      break;

    case 404:
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND,
                   _("GitLab could not find this; it may have been deleted, or you may "
                     "have lost access"));
      break;

    case 409:
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_CONFLICT,
                   _("The merge request changed on GitLab in the meantime"));
      break;

    case 429:
      {
        gint64 retry_at = 0;

        if (rate_limit != NULL)
          retry_at = MAX (rate_limit->retry_at, rate_limit->remaining == 0
                                                ? rate_limit->reset_at : 0);
        if (retry_at > 0)
          {
            g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (retry_at);
            g_autofree char *time = g_date_time_format (when, "%H:%M:%S");

            g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED,
                         _("GitLab asked Nod to slow down until %s"), time);
          }
        else
          g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED,
                       _("GitLab asked Nod to slow down"));
      }
      break;

    case 400:
    case 405:
    case 422:
      if (detail != NULL)
        g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                     _("GitLab refused the request: %s"), detail);
      else
        g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                     _("GitLab refused the request"));
      break;

    default:
      if (status >= 500 && status < 600)
        g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_SERVER,
                     _("GitLab had a problem (error %u); Nod will try again"), status);
      else
        g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                     _("GitLab gave an unexpected answer (status %u)"), status);
      break;
    }
}

/**
 * nod_forge_set_error_for_transport:
 *
 * Maps a failure to reach the server or to read its answer (GIO, TLS, resolver) to a
 * #NodForgeError.
 */
void
nod_forge_set_error_for_transport (GError       **error,
                                   const GError  *transport_error)
{
  g_return_if_fail (transport_error != NULL);

  g_debug ("Transport error: %s", transport_error->message);

  if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, transport_error->message);
  else if (g_error_matches (transport_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT,
                 _("GitLab took too long to answer"));
  else if (transport_error->domain == G_TLS_ERROR)
    g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK,
                 _("The secure connection to GitLab could not be trusted (%s)"),
                 transport_error->message);
  else if (transport_error->domain == G_RESOLVER_ERROR)
    g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK,
                 _("GitLab’s server could not be found; check the address and the network"));
  else
    g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK,
                 _("Could not reach GitLab (%s)"), transport_error->message);
}

/**
 * nod_forge_set_error_too_many_pages:
 *
 * A walk of one list went on past %NOD_FORGE_MAX_PAGES pages: the server is looping or
 * making pages up, and the walk ends here.
 */
void
nod_forge_set_error_too_many_pages (GError **error)
{
  g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
               _("GitLab’s list went on past %u pages"), NOD_FORGE_MAX_PAGES);
}

/* ---- draft notes ---- */

void
nod_forge_list_draft_notes_async (NodForge            *self,
                                  gint64               project_id,
                                  gint64               iid,
                                  guint                page,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (page > 0);

  NOD_FORGE_GET_IFACE (self)->list_draft_notes_async (self, project_id, iid, page, cancellable,
                                                      callback, user_data);
}

NodForgePage *
nod_forge_list_draft_notes_finish (NodForge      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return (NodForgePage *) finish_typed (self, result, NOD_TYPE_FORGE_PAGE, error);
}

void
nod_forge_create_draft_note_async (NodForge              *self,
                                   gint64                 project_id,
                                   gint64                 iid,
                                   const char            *body,
                                   const NodDiffPosition *position,
                                   const char            *discussion_id,
                                   gboolean               resolve,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (project_id > 0);
  g_return_if_fail (iid > 0);
  g_return_if_fail (body != NULL);

  NOD_FORGE_GET_IFACE (self)->create_draft_note_async (self, project_id, iid, body, position,
                                                       discussion_id, resolve, cancellable,
                                                       callback, user_data);
}

NodDraftNote *
nod_forge_create_draft_note_finish (NodForge      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return (NodDraftNote *) finish_typed (self, result, NOD_TYPE_DRAFT_NOTE, error);
}

void
nod_forge_delete_draft_note_async (NodForge            *self,
                                   gint64               project_id,
                                   gint64               iid,
                                   const char          *draft_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));
  g_return_if_fail (draft_id != NULL);

  NOD_FORGE_GET_IFACE (self)->delete_draft_note_async (self, project_id, iid, draft_id,
                                                       cancellable, callback, user_data);
}

/* Calls that answer nothing (204) finish with no object and no error. */
static gboolean
finish_nothing (NodForge      *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_autoptr(GObject) object = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (NOD_IS_FORGE (self), FALSE);

  object = NOD_FORGE_GET_IFACE (self)->finish_object (self, result, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
nod_forge_delete_draft_note_finish (NodForge      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return finish_nothing (self, result, error);
}

gboolean
nod_forge_delete_note_finish (NodForge      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_nothing (self, result, error);
}

void
nod_forge_publish_review_async (NodForge            *self,
                                gint64               project_id,
                                gint64               iid,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (NOD_IS_FORGE (self));

  NOD_FORGE_GET_IFACE (self)->publish_review_async (self, project_id, iid, cancellable,
                                                    callback, user_data);
}

gboolean
nod_forge_publish_review_finish (NodForge      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_nothing (self, result, error);
}
