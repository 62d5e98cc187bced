/* nod-outbox-action.h: one reviewer intent waiting in the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "nod-note.h"

G_BEGIN_DECLS

typedef enum
{
  NOD_ACTION_APPROVE,
  NOD_ACTION_UNAPPROVE,
  NOD_ACTION_COMMENT,
  NOD_ACTION_REPLY,
  NOD_ACTION_RESOLVE,
  NOD_ACTION_UNRESOLVE,
  /* A submitted review's steps (their review id says which review): */
  NOD_ACTION_DRAFT_NOTE,      /* create one of its drafts on GitLab */
  NOD_ACTION_PUBLISH_REVIEW,  /* publish them all at once */
  NOD_ACTION_DELETE_DRAFT,    /* remove a created draft of a review discarded */
  /* The reviewer's own posted notes: */
  NOD_ACTION_EDIT_NOTE,       /* give a note new text */
  NOD_ACTION_DELETE_NOTE,     /* remove a note */
} NodActionKind;

typedef enum
{
  NOD_ACTION_PENDING,
  NOD_ACTION_IN_FLIGHT,
  NOD_ACTION_FAILED,
  NOD_ACTION_DONE,
  NOD_ACTION_DRAFT,           /* in a review not submitted yet: not going anywhere */
} NodActionState;

/* GitLab refuses notes longer than this many characters. */
#define NOD_NOTE_BODY_MAX_CHARS 1000000

#define NOD_TYPE_OUTBOX_ACTION (nod_outbox_action_get_type ())

G_DECLARE_FINAL_TYPE (NodOutboxAction, nod_outbox_action, NOD, OUTBOX_ACTION, GObject)

NodOutboxAction *nod_outbox_action_new_approve      (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *head_sha);
NodOutboxAction *nod_outbox_action_new_unapprove    (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid);
NodOutboxAction *nod_outbox_action_new_comment      (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *body);
/* A comment that starts a diff thread at @position (copied): GitLab's exact position, built
 * by nod_diff_file_position_at (). */
NodOutboxAction *nod_outbox_action_new_inline_comment (gint64                 account_id,
                                                       gint64                 project_id,
                                                       gint64                 mr_iid,
                                                       const char            *body,
                                                       const NodDiffPosition *position);
NodOutboxAction *nod_outbox_action_new_reply        (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *discussion_id,
                                                     const char  *body);
NodOutboxAction *nod_outbox_action_new_resolve      (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *discussion_id,
                                                     gboolean     resolved);
/* A reply that also resolves its thread: in a review, one draft GitLab publishes with
 * resolve_discussion; outside one, the reply then a resolve. */
NodOutboxAction *nod_outbox_action_new_resolving_reply (gint64      account_id,
                                                        gint64      project_id,
                                                        gint64      mr_iid,
                                                        const char *discussion_id,
                                                        const char *body);
/* The reviewer's note @note_id (GitLab's id) in thread @discussion_id, posted already:
 * new text for it, or its removal. */
NodOutboxAction *nod_outbox_action_new_edit_note    (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *discussion_id,
                                                     gint64       note_id,
                                                     const char  *body);
NodOutboxAction *nod_outbox_action_new_delete_note  (gint64       account_id,
                                                     gint64       project_id,
                                                     gint64       mr_iid,
                                                     const char  *discussion_id,
                                                     gint64       note_id);

/* On a draft before it is enqueued: no claim hands it out before @not_before_us (Unix µs,
 * on the engine's clock), so a reviewer can still take it back (Undo). */
void             nod_outbox_action_set_not_before   (NodOutboxAction *self,
                                                     gint64           not_before_us);

const char      *nod_outbox_action_get_op_id        (NodOutboxAction *self);
gint64           nod_outbox_action_get_seq          (NodOutboxAction *self);
gint64           nod_outbox_action_get_account_id   (NodOutboxAction *self);
NodActionKind    nod_outbox_action_get_kind         (NodOutboxAction *self);
gint64           nod_outbox_action_get_project_id   (NodOutboxAction *self);
gint64           nod_outbox_action_get_mr_iid       (NodOutboxAction *self);
const char      *nod_outbox_action_get_discussion_id (NodOutboxAction *self);
const char      *nod_outbox_action_get_body         (NodOutboxAction *self);
/* A comment's place on the diff; NULL for a general comment and other kinds. */
const NodDiffPosition *nod_outbox_action_get_position (NodOutboxAction *self);
const char      *nod_outbox_action_get_head_sha     (NodOutboxAction *self);
/* TRUE for a reply that resolves its thread too. */
gboolean         nod_outbox_action_get_resolves     (NodOutboxAction *self);
/* The review the action belongs to (a draft, or a step of a submitted review), or NULL. */
const char      *nod_outbox_action_get_review_id    (NodOutboxAction *self);
/* A delete_draft's GitLab draft note id; NULL for other kinds. */
const char      *nod_outbox_action_get_draft_id     (NodOutboxAction *self);
/* An edit_note's or delete_note's GitLab note id; 0 for other kinds. */
gint64           nod_outbox_action_get_note_id      (NodOutboxAction *self);
NodActionState   nod_outbox_action_get_state        (NodOutboxAction *self);
guint            nod_outbox_action_get_attempts     (NodOutboxAction *self);
gint64           nod_outbox_action_get_next_attempt_at (NodOutboxAction *self);
guint            nod_outbox_action_get_last_status  (NodOutboxAction *self);
const char      *nod_outbox_action_get_last_error   (NodOutboxAction *self);
gboolean         nod_outbox_action_get_ambiguous    (NodOutboxAction *self);
const char      *nod_outbox_action_get_server_id    (NodOutboxAction *self);
gint64           nod_outbox_action_get_created_at   (NodOutboxAction *self);
gint64           nod_outbox_action_get_sent_at      (NodOutboxAction *self);

/* Approve or unapprove (a review's own approval too). */
gboolean         nod_outbox_action_is_approval      (NodOutboxAction *self);
/* The thread the action is shown in: its thread's id, or, for a draft that starts one
 * (no id until it is published), "draft:" and its op id; NULL for none. */
char            *nod_outbox_action_dup_thread_key   (NodOutboxAction *self);
/* Of @actions, those shown in the thread @thread_key (see above), in their order. */
GPtrArray       *nod_outbox_actions_of_thread       (GPtrArray       *actions,
                                                     const char      *thread_key);
/* A comment or reply, sent or drafted: text GitLab limits and a reviewer may edit. */
gboolean         nod_outbox_action_is_note          (NodOutboxAction *self);

const char      *nod_action_kind_to_string          (NodActionKind    kind);
gboolean         nod_action_kind_from_string        (const char      *string,
                                                     NodActionKind   *out_kind,
                                                     GError         **error);
const char      *nod_action_state_to_string         (NodActionState   state);
gboolean         nod_action_state_from_string       (const char      *string,
                                                     NodActionState  *out_state);

G_END_DECLS
