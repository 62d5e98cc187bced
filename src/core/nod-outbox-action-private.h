/* nod-outbox-action-private.h: the fields the outbox fills in from its table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-outbox-action.h"

G_BEGIN_DECLS

struct _NodOutboxAction
{
  GObject         parent_instance;

  char           *op_id;
  gint64          seq;
  gint64          account_id;
  NodActionKind   kind;
  gint64          project_id;
  gint64          mr_iid;
  char           *discussion_id;
  char           *body;
  char           *head_sha;
  NodDiffPosition *position;  /* an inline comment's place; NULL otherwise */
  gboolean        resolves;   /* a reply that resolves its thread too */
  char           *review_id;
  char           *draft_id;   /* delete_draft: the GitLab draft note it removes */
  gint64          note_id;    /* edit_note, delete_note: the GitLab note */
  NodActionState  state;
  guint           attempts;
  gint64          next_attempt_at;
  guint           last_status;
  char           *last_error;
  gboolean        ambiguous;
  char           *server_id;
  gint64          created_at;
  gint64          sent_at;
};

NodOutboxAction *_nod_outbox_action_new        (NodActionKind  kind,
                                                gint64         account_id,
                                                gint64         project_id,
                                                gint64         mr_iid);
char            *_nod_outbox_action_dup_payload (NodOutboxAction *self);
gboolean         _nod_outbox_action_set_payload (NodOutboxAction *self,
                                                const char      *payload,
                                                GError         **error);
/* A comment, reply or note's new text queued (not a review's draft): a text the reviewer
 * may reword before it is sent. */
gboolean         _nod_outbox_action_has_body    (NodOutboxAction *self);

G_END_DECLS
