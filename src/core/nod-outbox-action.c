/* nod-outbox-action.c: one reviewer intent waiting in the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An action is a snapshot of an outbox row; the outbox owns the truth. Actions made
 * with the constructors below are drafts: they get an op id, a place in the queue and
 * a state only once nod_outbox_enqueue_async() has stored them.
 */

#define G_LOG_DOMAIN "nod-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "nod-core-enums.h"
#include "nod-gitlab-json.h"
#include "nod-outbox.h"
#include "nod-outbox-action-private.h"

G_DEFINE_FINAL_TYPE (NodOutboxAction, nod_outbox_action, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_OP_ID,
  PROP_KIND,
  PROP_PROJECT_ID,
  PROP_MR_IID,
  PROP_DISCUSSION_ID,
  PROP_STATE,
  PROP_ATTEMPTS,
  PROP_LAST_ERROR,
  PROP_AMBIGUOUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const kind_names[] = {
  [NOD_ACTION_APPROVE] = "approve",
  [NOD_ACTION_UNAPPROVE] = "unapprove",
  [NOD_ACTION_COMMENT] = "comment",
  [NOD_ACTION_REPLY] = "reply",
  [NOD_ACTION_RESOLVE] = "resolve",
  [NOD_ACTION_UNRESOLVE] = "unresolve",
  [NOD_ACTION_DRAFT_NOTE] = "draft_note",
  [NOD_ACTION_PUBLISH_REVIEW] = "publish_review",
  [NOD_ACTION_DELETE_DRAFT] = "delete_draft",
  [NOD_ACTION_EDIT_NOTE] = "edit_note",
  [NOD_ACTION_DELETE_NOTE] = "delete_note",
};

static const char * const state_names[] = {
  [NOD_ACTION_PENDING] = "pending",
  [NOD_ACTION_IN_FLIGHT] = "in_flight",
  [NOD_ACTION_FAILED] = "failed",
  [NOD_ACTION_DONE] = "done",
  [NOD_ACTION_DRAFT] = "draft",
};

static void
nod_outbox_action_finalize (GObject *object)
{
  NodOutboxAction *self = NOD_OUTBOX_ACTION (object);

  g_clear_pointer (&self->op_id, g_free);
  g_clear_pointer (&self->discussion_id, g_free);
  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->head_sha, g_free);
  g_clear_pointer (&self->position, nod_diff_position_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->server_id, g_free);
  g_clear_pointer (&self->review_id, g_free);
  g_clear_pointer (&self->draft_id, g_free);

  G_OBJECT_CLASS (nod_outbox_action_parent_class)->finalize (object);
}

static void
nod_outbox_action_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  NodOutboxAction *self = NOD_OUTBOX_ACTION (object);

  switch (prop_id)
    {
    case PROP_OP_ID:
      g_value_set_string (value, self->op_id);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_PROJECT_ID:
      g_value_set_int64 (value, self->project_id);
      break;

    case PROP_MR_IID:
      g_value_set_int64 (value, self->mr_iid);
      break;

    case PROP_DISCUSSION_ID:
      g_value_set_string (value, self->discussion_id);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ATTEMPTS:
      g_value_set_uint (value, self->attempts);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    case PROP_AMBIGUOUS:
      g_value_set_boolean (value, self->ambiguous);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_outbox_action_class_init (NodOutboxActionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = nod_outbox_action_finalize;
  object_class->get_property = nod_outbox_action_get_property;

  properties[PROP_OP_ID] =
    g_param_spec_string ("op-id", NULL, NULL, NULL, flags);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       NOD_TYPE_ACTION_KIND, NOD_ACTION_APPROVE, flags);
  properties[PROP_PROJECT_ID] =
    g_param_spec_int64 ("project-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MR_IID] =
    g_param_spec_int64 ("mr-iid", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DISCUSSION_ID] =
    g_param_spec_string ("discussion-id", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       NOD_TYPE_ACTION_STATE, NOD_ACTION_PENDING, flags);
  properties[PROP_ATTEMPTS] =
    g_param_spec_uint ("attempts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  properties[PROP_AMBIGUOUS] =
    g_param_spec_boolean ("ambiguous", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_outbox_action_init (NodOutboxAction *self)
{
  self->state = NOD_ACTION_PENDING;
}

NodOutboxAction *
_nod_outbox_action_new (NodActionKind kind,
                        gint64        account_id,
                        gint64        project_id,
                        gint64        mr_iid)
{
  NodOutboxAction *self = g_object_new (NOD_TYPE_OUTBOX_ACTION, NULL);

  self->kind = kind;
  self->account_id = account_id;
  self->project_id = project_id;
  self->mr_iid = mr_iid;

  return self;
}

/**
 * nod_outbox_action_new_approve:
 * @head_sha: (nullable): the head commit the reviewer looked at; GitLab refuses the
 *   approval if the merge request has moved on since
 */
NodOutboxAction *
nod_outbox_action_new_approve (gint64      account_id,
                               gint64      project_id,
                               gint64      mr_iid,
                               const char *head_sha)
{
  NodOutboxAction *self = _nod_outbox_action_new (NOD_ACTION_APPROVE,
                                                  account_id, project_id, mr_iid);

  self->head_sha = g_strdup (head_sha);
  return self;
}

NodOutboxAction *
nod_outbox_action_new_unapprove (gint64 account_id,
                                 gint64 project_id,
                                 gint64 mr_iid)
{
  return _nod_outbox_action_new (NOD_ACTION_UNAPPROVE, account_id, project_id, mr_iid);
}

/**
 * nod_outbox_action_new_comment:
 *
 * A comment that starts a new thread. Once enqueued, its discussion id is a local id
 * that replies can target until GitLab gives the thread its real id.
 */
NodOutboxAction *
nod_outbox_action_new_comment (gint64      account_id,
                               gint64      project_id,
                               gint64      mr_iid,
                               const char *body)
{
  NodOutboxAction *self = _nod_outbox_action_new (NOD_ACTION_COMMENT,
                                                  account_id, project_id, mr_iid);

  self->body = g_strdup (body);
  return self;
}

/**
 * nod_outbox_action_new_inline_comment:
 *
 * A comment that starts a new diff thread at @position, as GitLab expects it
 * (nod_diff_file_position_at ()); otherwise a comment like any other.
 */
NodOutboxAction *
nod_outbox_action_new_inline_comment (gint64                 account_id,
                                      gint64                 project_id,
                                      gint64                 mr_iid,
                                      const char            *body,
                                      const NodDiffPosition *position)
{
  NodOutboxAction *self = nod_outbox_action_new_comment (account_id, project_id, mr_iid, body);

  g_return_val_if_fail (position != NULL, self);

  self->position = nod_diff_position_copy (position);
  return self;
}

NodOutboxAction *
nod_outbox_action_new_reply (gint64      account_id,
                             gint64      project_id,
                             gint64      mr_iid,
                             const char *discussion_id,
                             const char *body)
{
  NodOutboxAction *self = _nod_outbox_action_new (NOD_ACTION_REPLY,
                                                  account_id, project_id, mr_iid);

  self->discussion_id = g_strdup (discussion_id);
  self->body = g_strdup (body);
  return self;
}

NodOutboxAction *
nod_outbox_action_new_resolving_reply (gint64      account_id,
                                       gint64      project_id,
                                       gint64      mr_iid,
                                       const char *discussion_id,
                                       const char *body)
{
  NodOutboxAction *self = nod_outbox_action_new_reply (account_id, project_id, mr_iid,
                                                       discussion_id, body);

  self->resolves = TRUE;
  return self;
}

NodOutboxAction *
nod_outbox_action_new_resolve (gint64      account_id,
                               gint64      project_id,
                               gint64      mr_iid,
                               const char *discussion_id,
                               gboolean    resolved)
{
  NodOutboxAction *self = _nod_outbox_action_new (resolved ? NOD_ACTION_RESOLVE
                                                           : NOD_ACTION_UNRESOLVE,
                                                  account_id, project_id, mr_iid);

  self->discussion_id = g_strdup (discussion_id);
  return self;
}

NodOutboxAction *
nod_outbox_action_new_edit_note (gint64      account_id,
                                 gint64      project_id,
                                 gint64      mr_iid,
                                 const char *discussion_id,
                                 gint64      note_id,
                                 const char *body)
{
  NodOutboxAction *self = _nod_outbox_action_new (NOD_ACTION_EDIT_NOTE,
                                                  account_id, project_id, mr_iid);

  self->discussion_id = g_strdup (discussion_id);
  self->note_id = note_id;
  self->body = g_strdup (body);
  return self;
}

NodOutboxAction *
nod_outbox_action_new_delete_note (gint64      account_id,
                                   gint64      project_id,
                                   gint64      mr_iid,
                                   const char *discussion_id,
                                   gint64      note_id)
{
  NodOutboxAction *self = _nod_outbox_action_new (NOD_ACTION_DELETE_NOTE,
                                                  account_id, project_id, mr_iid);

  self->discussion_id = g_strdup (discussion_id);
  self->note_id = note_id;
  return self;
}

char *
_nod_outbox_action_dup_payload (NodOutboxAction *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (self->body != NULL)
    {
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, self->body);
    }
  if (self->head_sha != NULL)
    {
      json_builder_set_member_name (builder, "sha");
      json_builder_add_string_value (builder, self->head_sha);
    }
  if (self->position != NULL)
    {
      json_builder_set_member_name (builder, "position");
      _nod_gitlab_json_build_position (builder, self->position);
    }
  if (self->resolves)
    {
      json_builder_set_member_name (builder, "resolve");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (self->draft_id != NULL)
    {
      json_builder_set_member_name (builder, "draft_id");
      json_builder_add_string_value (builder, self->draft_id);
    }
  if (self->note_id > 0)
    {
      json_builder_set_member_name (builder, "note_id");
      json_builder_add_int_value (builder, self->note_id);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
read_optional_string (JsonObject  *object,
                      const char  *member,
                      char       **out_value,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("A queued action is damaged (its “%s” is not text)"), member);
      return FALSE;
    }

  g_free (*out_value);
  *out_value = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
_nod_outbox_action_set_payload (NodOutboxAction  *self,
                                const char       *payload,
                                GError          **error)
{
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse_text (payload);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                   _("A queued action is damaged (its details can’t be read)"));
      return FALSE;
    }

  if (!read_optional_string (json_node_get_object (root), "body", &self->body, error) ||
      !read_optional_string (json_node_get_object (root), "sha", &self->head_sha, error) ||
      !read_optional_string (json_node_get_object (root), "draft_id", &self->draft_id, error))
    return FALSE;

  self->resolves = json_object_get_boolean_member_with_default (json_node_get_object (root),
                                                                "resolve", FALSE);
  self->note_id = json_object_get_int_member_with_default (json_node_get_object (root),
                                                           "note_id", 0);
  g_clear_pointer (&self->position, nod_diff_position_free);
  if (json_object_has_member (json_node_get_object (root), "position"))
    {
      g_autoptr(GError) local_error = NULL;

      self->position = _nod_gitlab_json_parse_position (json_object_get_member (
                                                          json_node_get_object (root),
                                                          "position"),
                                                        &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
                       _("A queued action is damaged (its place on the diff can’t be read)"));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * nod_outbox_action_get_position:
 *
 * Returns: (nullable): where an inline comment goes on the diff
 */
const NodDiffPosition *
nod_outbox_action_get_position (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->position;
}

void
nod_outbox_action_set_not_before (NodOutboxAction *self,
                                  gint64           not_before_us)
{
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (self));
  self->next_attempt_at = MAX (0, not_before_us);
}

const char *
nod_outbox_action_get_op_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->op_id;
}

gint64
nod_outbox_action_get_seq (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->seq;
}

gint64
nod_outbox_action_get_account_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->account_id;
}

NodActionKind
nod_outbox_action_get_kind (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NOD_ACTION_APPROVE);
  return self->kind;
}

gint64
nod_outbox_action_get_project_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->project_id;
}

gint64
nod_outbox_action_get_mr_iid (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->mr_iid;
}

const char *
nod_outbox_action_get_discussion_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->discussion_id;
}

const char *
nod_outbox_action_get_body (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->body;
}

const char *
nod_outbox_action_get_head_sha (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->head_sha;
}

NodActionState
nod_outbox_action_get_state (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NOD_ACTION_PENDING);
  return self->state;
}

guint
nod_outbox_action_get_attempts (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->attempts;
}

/* Unix microseconds; 0 means as soon as possible. */
gint64
nod_outbox_action_get_next_attempt_at (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->next_attempt_at;
}

guint
nod_outbox_action_get_last_status (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->last_status;
}

const char *
nod_outbox_action_get_last_error (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->last_error;
}

/* TRUE when the action may have reached GitLab without us hearing the answer: the
 * server state must be read before it is sent again. */
gboolean
nod_outbox_action_get_ambiguous (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), FALSE);
  return self->ambiguous;
}

const char *
nod_outbox_action_get_server_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->server_id;
}

gint64
nod_outbox_action_get_created_at (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->created_at;
}

/* When the action was last handed out to be sent (Unix microseconds), or 0. */
gint64
nod_outbox_action_get_sent_at (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->sent_at;
}

gboolean
nod_outbox_action_get_resolves (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), FALSE);
  return self->resolves;
}

const char *
nod_outbox_action_get_review_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->review_id;
}

const char *
nod_outbox_action_get_draft_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);
  return self->draft_id;
}

gint64
nod_outbox_action_get_note_id (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), 0);
  return self->note_id;
}

gboolean
nod_outbox_action_is_approval (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), FALSE);
  return self->kind == NOD_ACTION_APPROVE || self->kind == NOD_ACTION_UNAPPROVE;
}

char *
nod_outbox_action_dup_thread_key (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), NULL);

  if (self->discussion_id == NULL && self->kind == NOD_ACTION_COMMENT &&
      self->state == NOD_ACTION_DRAFT)
    return g_strconcat ("draft:", self->op_id, NULL);
  return g_strdup (self->discussion_id);
}

/**
 * nod_outbox_actions_of_thread:
 * @actions: (nullable) (element-type NodOutboxAction): open actions and drafts
 *
 * Returns: (transfer container) (element-type NodOutboxAction): those of @thread_key
 */
GPtrArray *
nod_outbox_actions_of_thread (GPtrArray  *actions,
                              const char *thread_key)
{
  GPtrArray *mine = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; actions != NULL && i < actions->len; i++)
    {
      g_autofree char *key = nod_outbox_action_dup_thread_key (actions->pdata[i]);

      if (g_strcmp0 (key, thread_key) == 0)
        g_ptr_array_add (mine, g_object_ref (actions->pdata[i]));
    }
  return mine;
}

gboolean
nod_outbox_action_is_note (NodOutboxAction *self)
{
  g_return_val_if_fail (NOD_IS_OUTBOX_ACTION (self), FALSE);
  return self->kind == NOD_ACTION_COMMENT || self->kind == NOD_ACTION_REPLY ||
         self->kind == NOD_ACTION_DRAFT_NOTE;
}

gboolean
_nod_outbox_action_has_body (NodOutboxAction *self)
{
  return self->kind == NOD_ACTION_COMMENT || self->kind == NOD_ACTION_REPLY ||
         self->kind == NOD_ACTION_EDIT_NOTE;
}

const char *
nod_action_kind_to_string (NodActionKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

gboolean
nod_action_kind_from_string (const char     *string,
                             NodActionKind  *out_kind,
                             GError        **error)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_str_equal (string, kind_names[i]))
        {
          *out_kind = (NodActionKind) i;
          return TRUE;
        }
    }

  g_set_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID,
               _("“%s” is not a review action; expected approve, unapprove, comment, reply, "
                 "resolve, unresolve, draft_note, publish_review or delete_draft"),
               string != NULL && g_utf8_validate (string, -1, NULL) ? string : "?");
  return FALSE;
}

const char *
nod_action_state_to_string (NodActionState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

gboolean
nod_action_state_from_string (const char     *string,
                              NodActionState *out_state)
{
  g_return_val_if_fail (out_state != NULL, FALSE);

  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (string, state_names[i]))
        {
          *out_state = (NodActionState) i;
          return TRUE;
        }
    }

  return FALSE;
}
