/* nod-fake-gitlab-drafts.c: draft notes, a review's comments before it is published
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The routes under projects/:project/merge_requests/:iid/draft_notes, as GitLab's
 * lib/api/draft_notes.rb and DraftNotes::PublishService behave: a caller sees only their
 * own drafts; a position is kept as sent and judged only when the draft is published, the
 * way POST …/discussions judges one; bulk_publish publishes every draft of the caller's in
 * id order, or none, and notifies the merge request's author once.
 */

#define G_LOG_DOMAIN "nod-fake-gitlab"

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

#define DRAFT_NOT_FOUND "404 Draft Note Not Found"

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isspace (*text))
        return FALSE;
    }
  return TRUE;
}

/* Answers */

static void
respond_draft_not_found (NodFakeApiCall *call)
{
  _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND, DRAFT_NOT_FOUND);
}

static void
respond_no_content (NodFakeApiCall *call)
{
  g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);

  _nod_fake_request_respond_bytes (call->request, SOUP_STATUS_NO_CONTENT, "application/json",
                                   nothing);
}

/* A validation error as Rails words it: {"message": {"@field": ["@words"]}}. */
static void
respond_validation_error (NodFakeApiCall *call,
                          const char     *field,
                          const char     *words)
{
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());
  JsonObject *fields = json_object_new ();
  JsonArray *messages = json_array_new ();

  json_array_add_string_element (messages, words);
  json_object_set_array_member (fields, field, messages);
  json_object_set_object_member (json_node_get_object (body), "message", fields);
  _nod_fake_request_respond (call->request, SOUP_STATUS_BAD_REQUEST, body);
}

static void
respond_grape_error (NodFakeApiCall *call,
                     const char     *name,
                     const char     *problem)
{
  g_autofree char *error = g_strdup_printf ("%s %s", name, problem);

  _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, error);
}

/* The line code GitLab gives a draft on a line of the diff; NULL when it names none. */
static char *
dup_line_code (NodFakeMergeRequest *merge_request,
               NodFakeDraftNote    *draft)
{
  g_autoptr(NodFakePosition) position = NULL;
  g_autofree char *refusal = NULL;

  if (draft->position == NULL
      || !_nod_fake_api_judge_position (merge_request, draft->position, &position, &refusal)
      || position == NULL)
    return NULL;
  return nod_fake_line_code (position->new_path, (guint) position->old_line,
                             (guint) position->new_line);
}

static void
write_draft (NodFakeApiCall    *call,
             NodFakeJsonWriter *writer,
             gpointer           item)
{
  g_autofree char *line_code = dup_line_code (call->merge_request, item);

  _nod_fake_json_write_draft_note (writer, call->merge_request, item, line_code);
}

static void
respond_draft (NodFakeApiCall   *call,
               guint             status,
               NodFakeDraftNote *draft)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };

  _nod_fake_json_writer_init (&writer, 1024);
  write_draft (call, &writer, draft);
  _nod_fake_request_respond_written (call->request, status, &writer);
}

/* "position": absent or null is none, an object is kept as sent (copied into *@position);
 * anything else is Grape's "is invalid", answered. */
static gboolean
read_position_param (NodFakeApiCall  *call,
                     JsonNode       **position)
{
  JsonNode *node = json_object_get_member (call->params, "position");

  *position = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      respond_grape_error (call, "position", "is invalid");
      return FALSE;
    }
  *position = json_node_copy (node);
  return TRUE;
}

/* Routes */

void
_nod_fake_api_list_draft_notes (NodFakeApiCall *call)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new ();

  nod_fake_merge_request_list_draft_notes (call->merge_request, call->me, drafts);
  _nod_fake_api_respond_page (call, drafts, write_draft);
}

void
_nod_fake_api_get_draft_note (NodFakeApiCall *call)
{
  if (call->draft_note == NULL)
    {
      respond_draft_not_found (call);
      return;
    }
  respond_draft (call, SOUP_STATUS_OK, call->draft_note);
}

/* The thread a new draft replies to, checked as DraftNotes::CreateService and DraftNote's
 * validations check it; answers 400 and returns FALSE when it cannot be replied to. */
static gboolean
check_reply_thread (NodFakeApiCall *call,
                    const char     *discussion_id)
{
  NodFakeDiscussion *discussion =
    nod_fake_merge_request_find_discussion (call->merge_request, discussion_id);
  NodFakeNote *first;

  if (discussion == NULL)
    {
      respond_validation_error (call, "base", "Thread to reply to cannot be found");
      return FALSE;
    }
  first = g_ptr_array_index (discussion->notes, 0);
  if (first->system)
    {
      respond_validation_error (call, "base", "Replies to system notes are not allowed");
      return FALSE;
    }
  if (nod_fake_merge_request_find_draft_reply (call->merge_request, call->me,
                                               discussion_id) != NULL)
    {
      respond_validation_error (call, "discussion_id", "has already been taken");
      return FALSE;
    }
  return TRUE;
}

void
_nod_fake_api_create_draft_note (NodFakeApiCall *call)
{
  g_autofree char *note = _nod_fake_api_dup_param (call, "note");
  g_autofree char *commit_id = _nod_fake_api_dup_param (call, "commit_id");
  g_autofree char *reply_to = _nod_fake_api_dup_param (call, "in_reply_to_discussion_id");
  g_autoptr(JsonNode) position = NULL;
  gboolean resolve_discussion = FALSE;
  NodFakeDraftNote *draft;

  if (note == NULL)
    {
      respond_grape_error (call, "note", "is missing");
      return;
    }
  if (!_nod_fake_api_read_bool_param (call, "resolve_discussion", &resolve_discussion)
      || !read_position_param (call, &position))
    return;
  if (reply_to != NULL && *reply_to != '\0' && !check_reply_thread (call, reply_to))
    return;

  draft = nod_fake_dataset_add_draft_note (call->dataset, call->merge_request, call->me, note);
  if (reply_to != NULL && *reply_to != '\0')
    draft->discussion_id = g_steal_pointer (&reply_to);
  /* GitLab's own web client sends the word when it has no commit. */
  if (commit_id != NULL && !g_str_equal (commit_id, "undefined"))
    draft->commit_id = g_steal_pointer (&commit_id);
  draft->resolve_discussion = resolve_discussion;
  draft->position = g_steal_pointer (&position);
  /* Nobody else sees a draft: the merge request is not touched. */
  respond_draft (call, SOUP_STATUS_CREATED, draft);
}

void
_nod_fake_api_update_draft_note (NodFakeApiCall *call)
{
  g_autofree char *note = _nod_fake_api_dup_param (call, "note");
  g_autoptr(JsonNode) position = NULL;
  NodFakeDraftNote *draft = call->draft_note;

  if (!read_position_param (call, &position))
    return;
  /* GitLab checks the note before it looks for the draft. */
  if (note == NULL || is_blank (note))
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST,
                                         "400 Bad request - Missing params to modify");
      return;
    }
  if (draft == NULL)
    {
      respond_draft_not_found (call);
      return;
    }

  g_free (draft->note);
  draft->note = g_steal_pointer (&note);
  /* update!(note:, position: params[:position]): a PUT without one clears it. */
  g_clear_pointer (&draft->position, json_node_unref);
  draft->position = g_steal_pointer (&position);
  respond_draft (call, SOUP_STATUS_OK, draft);
}

void
_nod_fake_api_delete_draft_note (NodFakeApiCall *call)
{
  if (call->draft_note == NULL)
    {
      respond_draft_not_found (call);
      return;
    }
  nod_fake_merge_request_remove_draft_note (call->merge_request, call->draft_note);
  respond_no_content (call);
}

/* Publishing */

/* Whether @draft would publish: its body, and the position of a draft that starts a
 * thread, judged as POST …/discussions judges them (a reply takes its thread's line, so its
 * own position does not matter). FALSE with the words of the refusal. */
static gboolean
judge_draft (NodFakeApiCall    *call,
             NodFakeDraftNote  *draft,
             NodFakePosition  **position,
             char             **refusal)
{
  *position = NULL;
  if (is_blank (draft->note))
    {
      *refusal = g_strdup ("400 Bad request - Note can't be blank");
      return FALSE;
    }
  if (draft->discussion_id != NULL)
    {
      if (nod_fake_merge_request_find_discussion (call->merge_request,
                                                  draft->discussion_id) == NULL)
        {
          *refusal = g_strdup ("400 Bad request - Thread to reply to cannot be found");
          return FALSE;
        }
      return TRUE;
    }
  return _nod_fake_api_judge_position (call->merge_request, draft->position, position,
                                       refusal);
}

/* Makes @draft a note (@position, taken: the judged one) and removes it. A reply is then
 * resolved or unresolved as the draft says, as PublishService's
 * set_discussion_resolve_status does. */
static void
publish (NodFakeApiCall   *call,
         NodFakeDraftNote *draft,
         NodFakePosition  *position)
{
  if (draft->discussion_id != NULL)
    {
      NodFakeDiscussion *discussion =
        nod_fake_merge_request_find_discussion (call->merge_request, draft->discussion_id);

      g_assert (discussion != NULL);
      g_assert (position == NULL);
      nod_fake_dataset_add_reply (call->dataset, discussion, call->me, draft->note, call->now);
      if (nod_fake_discussion_is_resolvable (discussion))
        nod_fake_discussion_set_resolved (discussion, draft->resolve_discussion, call->me,
                                          call->now);
    }
  else
    {
      nod_fake_dataset_start_thread (call->dataset, call->merge_request, call->me,
                                     draft->note, position, call->now);
    }
  nod_fake_merge_request_remove_draft_note (call->merge_request, draft);
}

/* Neither publishing spends the notes budget: GitLab throttles the notes endpoints, and
 * these are not (an assumption). */
void
_nod_fake_api_publish_draft_note (NodFakeApiCall *call)
{
  g_autoptr(NodFakePosition) position = NULL;
  g_autofree char *refusal = NULL;

  if (call->draft_note == NULL)
    {
      respond_draft_not_found (call);
      return;
    }
  if (!judge_draft (call, call->draft_note, &position, &refusal))
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST, refusal);
      return;
    }

  publish (call, call->draft_note, g_steal_pointer (&position));
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  nod_fake_merge_request_notify (call->merge_request, NOD_FAKE_NOTIFICATION_NOTE, 1);
  respond_no_content (call);
}

void
_nod_fake_api_bulk_publish_draft_notes (NodFakeApiCall *call)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new ();
  g_autoptr(GPtrArray) positions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) nod_fake_position_free);

  nod_fake_merge_request_list_draft_notes (call->merge_request, call->me, drafts);
  /* PublishService returns at once when there is nothing: no review, no notification. */
  if (drafts->len == 0)
    {
      respond_no_content (call);
      return;
    }

  /* All or nothing: every draft is judged before the first is published. */
  for (guint i = 0; i < drafts->len; i++)
    {
      NodFakePosition *position = NULL;
      g_autofree char *refusal = NULL;

      if (!judge_draft (call, g_ptr_array_index (drafts, i), &position, &refusal))
        {
          _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST, refusal);
          return;
        }
      g_ptr_array_add (positions, position);
    }

  for (guint i = 0; i < drafts->len; i++)
    publish (call, g_ptr_array_index (drafts, i), g_steal_pointer (&positions->pdata[i]));
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  nod_fake_merge_request_notify (call->merge_request, NOD_FAKE_NOTIFICATION_REVIEW,
                                 drafts->len);
  respond_no_content (call);
}
