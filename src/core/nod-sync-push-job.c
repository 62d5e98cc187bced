/* nod-sync-push-job.c: one drain (or approval flush) of an account's outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Claims the heads of the outbox's lanes, pushes up to PUSH_PARALLEL of them at once (each
 * lane's order holds: a batch has one action of a lane) and settles each with the outbox
 * by the failure semantics of DESIGN.md:
 *
 *   2xx                       ack (server ids recorded, local thread ids remapped)
 *   approve 401               read approvals: approved → ack; else GET /user: fine →
 *                             failed "You can't approve…"; 401 → signed out
 *   unapprove 404             read approvals: not approved → ack; else failed
 *   approve 409               failed "New commits since you reviewed"
 *   network, timeout, 5xx,
 *   malformed 2xx             retry later with backoff, marked ambiguous
 *   429                       stop; the rest waits until GitLab's retry time
 *   401 elsewhere             stop; signed out, every row kept
 *   403, 404, 400/422         failed with the reason
 *
 * A stop ends the sending: what was not begun goes back, saying why; what is in flight
 * still settles, and the run ends once it has.
 *
 * An ambiguous action (it may have reached GitLab) is checked against the server
 * before it is sent again: approvals and thread states are read; a comment or reply is
 * looked for among the thread's notes; a review's draft among the reviewer's drafts, and
 * a review published when none of the drafts it created are drafts any more.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nod-sync-push-job.h"

#define BATCH_SIZE 20
/* A note found on the server counts as ours if it was made at most this long before the
 * action was taken (clocks differ). */
#define CLOCK_SLACK_S 300
#define DISCUSSION_PAGES_MAX 50

/* Actions sent at once: each is the head of its own lane (a merge request's approvals or
 * its threads), so order within a lane holds; over a real network most of a drain is
 * waiting for answers. */
#define PUSH_PARALLEL 6

struct _NodSyncPushJob
{
  GObject         parent_instance;

  NodClock       *clock;         /* the engine's: the time it reads */
  NodOutbox      *outbox;
  NodForge       *forge;
  gint64          account_id;
  gboolean        approvals_only;
  guint           notes_per_minute;  /* 0: as fast as GitLab takes them */
  guint           parallel;

  GTask          *task;
  GPtrArray      *batch;
  guint           next;          /* the first of the batch not begun */
  guint           in_flight;     /* actions begun and not settled */
  gboolean        stopping;      /* signed out, rate limited, cancelled or failed: no more */
  GError         *stop_error;    /* what the run ends with, if not success */
  NodSyncPushOutcome outcome;
  char           *username;      /* who we are, learnt when a comment must be looked for */
  GPtrArray      *waiting_for_user; /* Push, while GitLab is asked who we are */
  GQueue          note_times;    /* when notes were sent, for pacing (Unix seconds) */
};

G_DEFINE_FINAL_TYPE (NodSyncPushJob, nod_sync_push_job, G_TYPE_OBJECT)

/* One claimed action on its way, and what the job learns of it until it is settled. */
typedef struct
{
  NodSyncPushJob  *job;
  NodOutboxAction *action;
  guint            discussion_page;
  GHashTable      *taken_note_ids; /* notes other sent actions of this MR made */
  GListStore      *published;      /* the threads read after a review was published */
  gboolean         after_refusal;  /* approvals are read because GitLab said no */
  gboolean         write_sent;     /* its write went out: GitLab may have it */
} Push;

enum {
  SIGNAL_ACTION_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void claim_next_batch (NodSyncPushJob *self);
static void pump (NodSyncPushJob *self);
static void send_action (Push *push);
static void hold_note (Push     *push,
                       gint64    allowed_at,
                       gboolean  by_gitlab);

void
nod_sync_push_outcome_clear (NodSyncPushOutcome *outcome)
{
  g_clear_pointer (&outcome->last_error, g_free);
  memset (outcome, 0, sizeof *outcome);
}

static gint64
now_s (NodSyncPushJob *self)
{
  return nod_clock_get_now_s (self->clock);
}

static GCancellable *
cancellable_of (NodSyncPushJob *self)
{
  return g_task_get_cancellable (self->task);
}

static guint
status_for_error (const GError *error)
{
  if (error == NULL || error->domain != NOD_FORGE_ERROR)
    return 0;

  switch (error->code)
    {
    case NOD_FORGE_ERROR_AUTH:         return 401;
    case NOD_FORGE_ERROR_FORBIDDEN:    return 403;
    case NOD_FORGE_ERROR_NOT_FOUND:    return 404;
    case NOD_FORGE_ERROR_CONFLICT:     return 409;
    case NOD_FORGE_ERROR_INVALID:      return 422;
    case NOD_FORGE_ERROR_RATE_LIMITED: return 429;
    case NOD_FORGE_ERROR_SERVER:       return 500;
    default:                           return 0;
    }
}

static void
set_last_error (NodSyncPushJob *self,
                const char     *sentence)
{
  g_free (self->outcome.last_error);
  self->outcome.last_error = g_strdup (sentence);
}

/* ---- finishing ---- */

/* Either hand-back (unsent, or sent and unanswered) is a boolean task of the outbox. */
static void
on_released (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A row that could not be handed back stays in flight; start-up recovery takes it. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not hand an action back to the outbox: %s", error->message);
}

/* Hands back every claimed action not begun yet, unsent and uncounted; each keeps why it
 * waits when @reason is given, so the queue can say it (its next attempt says until
 * when). Nothing more is begun. */
static void
release_unbegun (NodSyncPushJob *self,
                 gint64          not_before,
                 guint           http_status,
                 const char     *reason)
{
  for (guint i = self->next; self->batch != NULL && i < self->batch->len; i++)
    {
      const char *op_id = nod_outbox_action_get_op_id (g_ptr_array_index (self->batch, i));

      if (reason != NULL)
        nod_outbox_release_waiting_async (self->outbox, op_id, not_before * G_USEC_PER_SEC,
                                          http_status, reason, NULL, on_released, NULL);
      else
        nod_outbox_release_async (self->outbox, op_id, not_before * G_USEC_PER_SEC, NULL,
                                  on_released, NULL);
    }
  if (self->batch != NULL)
    self->next = self->batch->len;
}

static void
finish (NodSyncPushJob *self,
        GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_pointer (&self->batch, g_ptr_array_unref);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* No more is begun; the run ends, with @error unless NULL, once those in flight are
 * settled. The first reason to stop is the one the run gives. */
static void
stop (NodSyncPushJob *self,
      GError         *error)
{
  if (!self->stopping)
    self->stop_error = error;
  else if (error != NULL)
    g_error_free (error);
  self->stopping = TRUE;
}

static void
push_free (Push *push)
{
  g_clear_pointer (&push->taken_note_ids, g_hash_table_unref);
  g_clear_object (&push->published);
  g_object_unref (push->action);
  g_object_unref (push->job);
  g_free (push);
}

/* @push is over, settled or handed back: on to what may begin now. */
static void
push_done (Push *push)
{
  NodSyncPushJob *self = g_object_ref (push->job);

  push_free (push);
  self->in_flight--;
  pump (self);
  g_object_unref (self);
}

/* Hands @push's action back (its write went out: marked to be looked for first) and every
 * one not begun, each saying why it waits. */
static void
release_stopped (Push       *push,
                 gint64      not_before,
                 guint       http_status,
                 const char *reason)
{
  NodSyncPushJob *self = push->job;

  nod_outbox_release_waiting_async (self->outbox, nod_outbox_action_get_op_id (push->action),
                                    not_before * G_USEC_PER_SEC, http_status, reason, NULL,
                                    on_released, NULL);
  release_unbegun (self, not_before, http_status, reason);
}

static void
stop_signed_out (Push         *push,
                 const GError *error)
{
  NodSyncPushJob *self = push->job;

  if (!self->outcome.signed_out)
    set_last_error (self, error != NULL ? error->message
                                        : _("GitLab did not accept the access token; sign "
                                            "in again"));
  self->outcome.signed_out = TRUE;
  release_stopped (push, 0, 401, self->outcome.last_error);
  stop (self, NULL);
  push_done (push);
}

static void
stop_blocked (Push         *push,
              const GError *error)
{
  NodSyncPushJob *self = push->job;
  g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);
  gint64 until = nod_rate_limit_blocked_until (limit, 0, now_s (self));

  /* 429 without a usable time: a minute is what GitLab's windows are. */
  self->outcome.blocked_until = MAX (self->outcome.blocked_until,
                                     until > 0 ? until : now_s (self) + 60);
  set_last_error (self, error->message);
  release_stopped (push, self->outcome.blocked_until, 429,
                   _("Waiting for GitLab’s rate limit to reset"));
  stop (self, NULL);
  push_done (push);
}

/* ---- settling one action ---- */

static void
on_settled (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;

  /* Every settle finishes the same way: a boolean task of the outbox. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      release_unbegun (self, 0, 0, NULL);
      stop (self, g_steal_pointer (&error));
    }
  push_done (push);
}

/* @answer: what GitLab answered (see nod_outbox_ack_async ()), kept as its state. */
static void
settle_ack (Push           *push,
            gpointer        answer)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  g_debug ("Acked %s %s", nod_action_kind_to_string (nod_outbox_action_get_kind (action)),
           nod_outbox_action_get_op_id (action));
  self->outcome.pushed++;
  nod_outbox_ack_async (self->outbox, nod_outbox_action_get_op_id (action), answer, NULL,
                        on_settled, push);
}

static void
settle_transient (Push           *push,
                  const GError   *error,
                  gboolean        ambiguous)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  set_last_error (self, error->message);
  self->outcome.retrying++;
  nod_outbox_fail_transient_async (self->outbox, nod_outbox_action_get_op_id (action),
                                   status_for_error (error), error->message, ambiguous,
                                   nod_clock_get_now_us (self->clock), NULL, on_settled, push);
}

static void
settle_permanent (Push           *push,
                  guint           status,
                  const char     *reason)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  self->outcome.failed++;
  set_last_error (self, reason);
  g_signal_emit (self, signals[SIGNAL_ACTION_FAILED], 0, action, status, reason);
  nod_outbox_fail_permanent_async (self->outbox, nod_outbox_action_get_op_id (action), status,
                                   reason, NULL, on_settled, push);
}

/* The generic part of the table: what any call's failure means. */
static void
settle_from_error (Push           *push,
                   const GError   *error)
{
  NodSyncPushJob *self = push->job;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped with a write on its way: GitLab may have it, so the next push looks before
       * it sends it again. What was not sent yet goes back as it was. */
      if (push->write_sent)
        nod_outbox_release_sent_async (self->outbox, nod_outbox_action_get_op_id (push->action),
                                       NULL, on_released, NULL);
      else
        nod_outbox_release_async (self->outbox, nod_outbox_action_get_op_id (push->action), 0,
                                  NULL, on_released, NULL);
      release_unbegun (self, 0, 0, NULL);
      stop (self, g_error_copy (error));
      push_done (push);
      return;
    }

  if (error->domain != NOD_FORGE_ERROR)
    {
      settle_transient (push, error, TRUE);
      return;
    }

  switch (error->code)
    {
    case NOD_FORGE_ERROR_AUTH:
      stop_signed_out (push, error);
      break;

    case NOD_FORGE_ERROR_RATE_LIMITED:
      {
        g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);
        NodActionKind kind = nod_outbox_action_get_kind (push->action);

        /* GitLab's limit on notes alone: this note waits, everything else goes on. */
        if ((kind == NOD_ACTION_COMMENT || kind == NOD_ACTION_REPLY ||
             kind == NOD_ACTION_PUBLISH_REVIEW) &&
            nod_rate_limit_blocked_until (limit, 0, now_s (self)) == 0 &&
            limit->notes_retry_at > now_s (self))
          {
            set_last_error (self, error->message);
            hold_note (push, limit->notes_retry_at, TRUE);
          }
        else
          stop_blocked (push, error);
      }
      break;

    case NOD_FORGE_ERROR_NETWORK:
    case NOD_FORGE_ERROR_TIMEOUT:
    case NOD_FORGE_ERROR_SERVER:
    case NOD_FORGE_ERROR_PROTOCOL:
      /* It may have been applied before the answer was lost. */
      settle_transient (push, error, TRUE);
      break;

    case NOD_FORGE_ERROR_FORBIDDEN:
    case NOD_FORGE_ERROR_NOT_FOUND:
    case NOD_FORGE_ERROR_CONFLICT:
    case NOD_FORGE_ERROR_INVALID:
    default:
      settle_permanent (push, status_for_error (error), error->message);
      break;
    }
}

/* ---- approve and unapprove ---- */

static void
on_user_after_approve_401 (GObject      *source_object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = nod_forge_get_current_user_finish (self->forge, result, &error);

  if (user != NULL)
    settle_permanent (push, 401, _("You can’t approve this merge request"));
  else
    settle_from_error (push, error);
}

/* After an ambiguous or refused approval: is it on the server already? */
static void
on_approvals_checked (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodApprovals) approvals = nod_forge_get_approvals_finish (self->forge, result,
                                                                      &error);
  NodOutboxAction *action = push->action;
  gboolean want_approved = nod_outbox_action_get_kind (action) == NOD_ACTION_APPROVE;
  gboolean after_refusal = push->after_refusal;

  push->after_refusal = FALSE;

  if (approvals == NULL)
    {
      settle_from_error (push, error);
      return;
    }

  if (nod_approvals_get_user_has_approved (approvals) == want_approved)
    {
      settle_ack (push, approvals);
      return;
    }

  if (!after_refusal)
    {
      send_action (push);
      return;
    }

  if (want_approved)
    {
      /* 401 means "already approved", "authors may not approve" or a bad token:
       * GET /user tells the last two apart. */
      nod_forge_get_current_user_async (self->forge, cancellable_of (self),
                                        on_user_after_approve_401, push);
      return;
    }

  settle_permanent (push, 404, _("GitLab could not revoke the approval"));
}

static void
check_approvals (Push           *push,
                 gboolean        after_refusal)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  push->after_refusal = after_refusal;
  nod_forge_get_approvals_async (self->forge, nod_outbox_action_get_project_id (action),
                                 nod_outbox_action_get_mr_iid (action), cancellable_of (self),
                                 on_approvals_checked, push);
}

static void
on_approval_sent (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodApprovals) approvals = NULL;
  gboolean approve = nod_outbox_action_get_kind (push->action) == NOD_ACTION_APPROVE;

  approvals = approve ? nod_forge_approve_finish (self->forge, result, &error)
                      : nod_forge_unapprove_finish (self->forge, result, &error);
  if (approvals != NULL)
    {
      settle_ack (push, approvals);
      return;
    }

  if (approve && g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH))
    check_approvals (push, TRUE);
  else if (!approve && g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND))
    check_approvals (push, TRUE);
  else if (approve && g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_CONFLICT))
    settle_permanent (push, 409, _("New commits since you reviewed"));
  else
    settle_from_error (push, error);
}

/* ---- comments, replies, resolving ---- */

static void
on_note_sent (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *action = push->action;

  if (nod_outbox_action_get_kind (action) == NOD_ACTION_COMMENT)
    {
      g_autoptr(NodDiscussion) discussion = NULL;

      if (!nod_forge_create_discussion_finish (self->forge, result, &discussion, &error))
        {
          settle_from_error (push, error);
          return;
        }

      /* With quick actions only, GitLab starts no thread: %NULL. */
      settle_ack (push, discussion);
    }
  else
    {
      g_autoptr(NodNote) note = NULL;

      if (!nod_forge_reply_finish (self->forge, result, &note, &error))
        {
          settle_from_error (push, error);
          return;
        }

      /* Quick actions only: GitLab ran them and made no note; there is nothing to look for
       * and nothing to send again. */
      settle_ack (push, note);
    }
}

static void
on_resolved_sent (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiscussion) discussion = nod_forge_set_resolved_finish (self->forge, result,
                                                                       &error);

  if (discussion != NULL)
    settle_ack (push, discussion);
  else
    settle_from_error (push, error);
}

/* A posted note's new text or its removal: each a target state, so one that may have
 * reached GitLab is simply sent again (see begin ()). */
static void
on_note_changed (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;

  if (nod_outbox_action_get_kind (push->action) == NOD_ACTION_EDIT_NOTE)
    {
      g_autoptr(NodNote) note = NULL;

      /* Quick actions only: GitLab ran them and deleted the note (no answer: the ack
       * forgets it). */
      if (nod_forge_update_note_finish (self->forge, result, &note, &error))
        settle_ack (push, note);
      else if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND))
        settle_permanent (push, 404, _("The comment is no longer on GitLab"));
      else if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_FORBIDDEN))
        settle_permanent (push, 403, _("GitLab lets only a comment’s author edit it"));
      else
        settle_from_error (push, error);
      return;
    }

  /* Gone already (deleted on GitLab, or by this very request before its answer was
   * lost): what the reviewer asked for is true. */
  if (nod_forge_delete_note_finish (self->forge, result, &error) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND))
    settle_ack (push, NULL);
  else if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_FORBIDDEN))
    settle_permanent (push, 403, _("GitLab did not let you delete this comment"));
  else
    settle_from_error (push, error);
}

/* Is @note ours, with the action's body, made since the action was taken? Not "since it
 * was sent": sent_at is when this claim took the row, and the attempt that reached GitLab
 * may be far older (Nod killed, restarted an hour later; backoff). */
static gboolean
is_our_note (Push           *push,
             NodNote        *note)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;
  gint64 taken_s = nod_outbox_action_get_created_at (action) / G_USEC_PER_SEC;
  GDateTime *created = nod_note_get_created_at (note);
  g_autofree char *note_id = g_strdup_printf ("%" G_GINT64_FORMAT, nod_note_get_id (note));

  /* Two identical "LGTM"s are two actions: a note another one made is not ours. */
  if (push->taken_note_ids != NULL && g_hash_table_contains (push->taken_note_ids, note_id))
    return FALSE;

  return g_strcmp0 (nod_user_get_username (nod_note_get_author (note)), self->username) == 0 &&
         g_strcmp0 (nod_note_get_body (note), nod_outbox_action_get_body (action)) == 0 &&
         (created == NULL || g_date_time_to_unix (created) >= taken_s - CLOCK_SLACK_S);
}

/* A comment starts its thread, so it is the thread's first note; a reply is any other. */
static NodNote *
find_our_note (Push           *push,
               NodDiscussion  *discussion,
               gboolean        first)
{
  GPtrArray *notes = nod_discussion_get_notes (discussion);

  if (first)
    return notes->len > 0 && is_our_note (push, notes->pdata[0]) ? notes->pdata[0] : NULL;

  for (guint i = 1; i < notes->len; i++)
    if (is_our_note (push, notes->pdata[i]))
      return notes->pdata[i];
  return NULL;
}

static void look_for_effect (Push *push);

/* Reads the merge request's threads a page at a time, looking for what an ambiguous
 * comment, reply or resolve may already have done. */
static void
on_discussions_read (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_discussions_finish (self->forge, result, &error);
  NodOutboxAction *action = push->action;
  NodActionKind kind = nod_outbox_action_get_kind (action);
  GPtrArray *discussions;

  if (page == NULL)
    {
      settle_from_error (push, error);
      return;
    }

  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    {
      NodDiscussion *discussion = g_ptr_array_index (discussions, i);
      gboolean same_thread = g_strcmp0 (nod_discussion_get_id (discussion),
                                        nod_outbox_action_get_discussion_id (action)) == 0;
      NodNote *note;

      if (kind == NOD_ACTION_COMMENT && find_our_note (push, discussion, TRUE) != NULL)
        {
          settle_ack (push, discussion);
          return;
        }

      if (kind == NOD_ACTION_REPLY && same_thread &&
          (note = find_our_note (push, discussion, FALSE)) != NULL)
        {
          settle_ack (push, note);
          return;
        }

      if ((kind == NOD_ACTION_RESOLVE || kind == NOD_ACTION_UNRESOLVE) && same_thread &&
          nod_discussion_get_resolved (discussion) == (kind == NOD_ACTION_RESOLVE))
        {
          settle_ack (push, discussion);
          return;
        }
    }

  if (nod_forge_page_get_next_page (page) != 0 && push->discussion_page < DISCUSSION_PAGES_MAX)
    {
      push->discussion_page = nod_forge_page_get_next_page (page);
      look_for_effect (push);
      return;
    }

  /* Not there: it never reached GitLab, so it goes now. */
  send_action (push);
}

static void
look_for_effect (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  nod_forge_list_discussions_async (self->forge, nod_outbox_action_get_project_id (action),
                                    nod_outbox_action_get_mr_iid (action),
                                    push->discussion_page, cancellable_of (self),
                                    on_discussions_read, push);
}

static void reconcile_discussion_action (Push *push);
static void look_for_drafts (Push *push);

/* What other actions of the merge request made is known: a review's step looks among the
 * drafts, a note among the threads. */
static void
on_taken_note_ids (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  NodActionKind kind = nod_outbox_action_get_kind (push->action);
  g_autoptr(GError) error = NULL;

  push->taken_note_ids = nod_outbox_list_note_ids_finish (self->outbox, result, &error);
  if (push->taken_note_ids == NULL)
    {
      /* The store failed: nothing can be settled safely, the action waits. */
      settle_from_error (push, error);
      return;
    }
  if (kind == NOD_ACTION_DRAFT_NOTE || kind == NOD_ACTION_PUBLISH_REVIEW)
    {
      push->discussion_page = 1;
      look_for_drafts (push);
    }
  else
    reconcile_discussion_action (push);
}

static void
on_user_for_lookup (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(NodSyncPushJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = nod_forge_get_current_user_finish (self->forge, result, &error);
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting_for_user);

  /* Those that waited for the same answer go on with it too. */
  if (user != NULL)
    self->username = g_strdup (nod_user_get_username (user));
  for (guint i = 0; i < waiting->len; i++)
    {
      Push *each = waiting->pdata[i];

      if (user == NULL)
        settle_from_error (each, error);
      else
        reconcile_discussion_action (each);
    }
}

/* A comment or reply is looked for as a note by us, which needs our name and the notes
 * already claimed by other actions; a resolve just reads the thread. */
static void
reconcile_discussion_action (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;
  NodActionKind kind = nod_outbox_action_get_kind (action);
  gboolean is_note = kind == NOD_ACTION_COMMENT || kind == NOD_ACTION_REPLY;

  if (is_note && self->username == NULL)
    {
      /* Asked once for all the actions that need it. */
      if (self->waiting_for_user == NULL)
        {
          self->waiting_for_user = g_ptr_array_new ();
          nod_forge_get_current_user_async (self->forge, cancellable_of (self),
                                            on_user_for_lookup, g_object_ref (self));
        }
      g_ptr_array_add (self->waiting_for_user, push);
      return;
    }

  if (is_note && push->taken_note_ids == NULL)
    {
      nod_outbox_list_note_ids_async (self->outbox, self->account_id,
                                      nod_outbox_action_get_project_id (action),
                                      nod_outbox_action_get_mr_iid (action),
                                      cancellable_of (self), on_taken_note_ids,
                                      push);
      return;
    }

  push->discussion_page = 1;
  look_for_effect (push);
}

/* ---- a submitted review's steps ---- */

static void
on_draft_created (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDraftNote) draft = nod_forge_create_draft_note_finish (self->forge, result,
                                                                      &error);

  if (draft != NULL)
    settle_ack (push, draft);
  else
    settle_from_error (push, error);
}

static void read_published (Push *push);

/* The review's notes are GitLab's threads now: read so the cache shows them at once. */
static void
on_published_read (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_discussions_finish (self->forge, result, &error);
  GPtrArray *discussions;

  /* Published it is, whatever this read says: the next pull shows what it missed. */
  if (page == NULL)
    {
      g_debug ("Reading the threads after a review was published: %s", error->message);
      settle_ack (push, NULL);
      return;
    }

  discussions = nod_forge_page_get_items (page);
  for (guint i = 0; i < discussions->len; i++)
    g_list_store_append (push->published, discussions->pdata[i]);

  if (nod_forge_page_get_next_page (page) != 0 && push->discussion_page < DISCUSSION_PAGES_MAX)
    {
      push->discussion_page = nod_forge_page_get_next_page (page);
      read_published (push);
      return;
    }
  settle_ack (push, push->published);
}

static void
read_published (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  if (push->published == NULL)
    {
      push->published = g_list_store_new (NOD_TYPE_DISCUSSION);
      push->discussion_page = 1;
    }
  nod_forge_list_discussions_async (self->forge, nod_outbox_action_get_project_id (action),
                                    nod_outbox_action_get_mr_iid (action),
                                    push->discussion_page, cancellable_of (self),
                                    on_published_read, push);
}

static void
on_review_published (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;

  if (nod_forge_publish_review_finish (self->forge, result, &error))
    read_published (push);
  else
    settle_from_error (push, error);
}

static void
on_draft_deleted (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;

  if (nod_forge_delete_draft_note_finish (self->forge, result, &error) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NOT_FOUND))
    settle_ack (push, NULL);
  else
    settle_from_error (push, error);
}

/* Is @draft the one @push's action created? Same text, thread and place, and no other
 * action of the merge request holds it. */
static gboolean
is_our_draft (Push         *push,
              NodDraftNote *draft)
{
  NodOutboxAction *action = push->action;
  g_autofree char *key = g_strdup_printf ("draft:%" G_GINT64_FORMAT,
                                          nod_draft_note_get_id (draft));
  const NodDiffPosition *ours = nod_outbox_action_get_position (action);
  const NodDiffPosition *theirs = nod_draft_note_get_position (draft);

  if (g_hash_table_contains (push->taken_note_ids, key))
    return FALSE;
  return g_strcmp0 (nod_draft_note_get_body (draft), nod_outbox_action_get_body (action)) == 0 &&
         g_strcmp0 (nod_draft_note_get_discussion_id (draft),
                    nod_outbox_action_get_discussion_id (action)) == 0 &&
         (ours == NULL) == (theirs == NULL) &&
         (ours == NULL ||
          (g_strcmp0 (ours->new_path, theirs->new_path) == 0 &&
           g_strcmp0 (ours->old_path, theirs->old_path) == 0 &&
           ours->new_line == theirs->new_line && ours->old_line == theirs->old_line));
}

/* Reads the reviewer's drafts a page at a time: an ambiguous draft is looked for among
 * them; an ambiguous publish went through when none of the drafts the review created is
 * a draft any more. */
static void
on_drafts_read (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Push *push = user_data;
  NodSyncPushJob *self = push->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = nod_forge_list_draft_notes_finish (self->forge, result, &error);
  gboolean publish = nod_outbox_action_get_kind (push->action) == NOD_ACTION_PUBLISH_REVIEW;
  GPtrArray *drafts;

  if (page == NULL)
    {
      settle_from_error (push, error);
      return;
    }

  drafts = nod_forge_page_get_items (page);
  for (guint i = 0; i < drafts->len; i++)
    {
      NodDraftNote *draft = g_ptr_array_index (drafts, i);
      g_autofree char *key = g_strdup_printf ("draft:%" G_GINT64_FORMAT,
                                              nod_draft_note_get_id (draft));

      if (!publish && is_our_draft (push, draft))
        {
          settle_ack (push, draft);
          return;
        }
      /* One of the review's drafts is still a draft: the publish never happened. */
      if (publish && g_hash_table_contains (push->taken_note_ids, key))
        {
          send_action (push);
          return;
        }
    }

  if (nod_forge_page_get_next_page (page) != 0 && push->discussion_page < DISCUSSION_PAGES_MAX)
    {
      push->discussion_page = nod_forge_page_get_next_page (page);
      look_for_drafts (push);
      return;
    }

  if (publish)
    read_published (push);
  else
    send_action (push);
}

static void
look_for_drafts (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  nod_forge_list_draft_notes_async (self->forge, nod_outbox_action_get_project_id (action),
                                    nod_outbox_action_get_mr_iid (action),
                                    push->discussion_page, cancellable_of (self),
                                    on_drafts_read, push);
}

static void
reconcile_review_step (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;

  nod_outbox_list_note_ids_async (self->outbox, self->account_id,
                                  nod_outbox_action_get_project_id (action),
                                  nod_outbox_action_get_mr_iid (action),
                                  cancellable_of (self), on_taken_note_ids, push);
}

/* ---- sending ---- */

/* When a note may go: 0 now, else the Unix time after which it may — GitLab's limit on
 * notes, heard as a 429 (then *@by_gitlab), or the job's own pace when one is set. */
static gint64
note_allowed_at (NodSyncPushJob *self,
                 gboolean       *by_gitlab)
{
  g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (self->forge);
  gint64 now = now_s (self);
  gint64 allowed_at = limit->notes_retry_at > now ? limit->notes_retry_at : 0;

  *by_gitlab = allowed_at > 0;
  while (!g_queue_is_empty (&self->note_times) &&
         GPOINTER_TO_SIZE (g_queue_peek_head (&self->note_times)) + 60 <= (gsize) now)
    g_queue_pop_head (&self->note_times);

  if (self->notes_per_minute > 0 &&
      g_queue_get_length (&self->note_times) >= self->notes_per_minute)
    allowed_at = MAX (allowed_at,
                      (gint64) GPOINTER_TO_SIZE (g_queue_peek_head (&self->note_times)) + 60);
  return allowed_at;
}

/* The note waits its turn until @allowed_at, unpunished and saying why; the rest of the
 * batch goes on, and the engine pushes again then. */
static void
hold_note (Push     *push,
           gint64    allowed_at,
           gboolean  by_gitlab)
{
  NodSyncPushJob *self = push->job;

  nod_outbox_release_waiting_async (self->outbox, nod_outbox_action_get_op_id (push->action),
                                    allowed_at * G_USEC_PER_SEC, by_gitlab ? 429 : 0,
                                    by_gitlab
                                    ? _("Waiting for GitLab’s rate limit on comments to reset")
                                    : _("Waiting its turn: GitLab takes only so many "
                                        "comments a minute"),
                                    NULL, on_released, NULL);
  if (self->outcome.notes_until == 0 || allowed_at < self->outcome.notes_until)
    self->outcome.notes_until = allowed_at;
  push_done (push);
}

static void
send_action (Push *push)
{
  NodSyncPushJob *self = push->job;
  NodOutboxAction *action = push->action;
  gint64 project_id = nod_outbox_action_get_project_id (action);
  gint64 iid = nod_outbox_action_get_mr_iid (action);
  GCancellable *cancellable = cancellable_of (self);
  NodActionKind kind = nod_outbox_action_get_kind (action);

  /* Publishing a review makes its notes: GitLab's limit on notes holds it too. */
  if (kind == NOD_ACTION_COMMENT || kind == NOD_ACTION_REPLY ||
      kind == NOD_ACTION_PUBLISH_REVIEW)
    {
      gboolean by_gitlab;
      gint64 allowed_at = note_allowed_at (self, &by_gitlab);

      if (allowed_at > 0)
        {
          hold_note (push, allowed_at, by_gitlab);
          return;
        }
      g_queue_push_tail (&self->note_times, GSIZE_TO_POINTER ((gsize) now_s (self)));
    }

  /* A damaged row (its note id lost) can only fail: the forge would refuse the call. */
  if ((kind == NOD_ACTION_EDIT_NOTE || kind == NOD_ACTION_DELETE_NOTE) &&
      nod_outbox_action_get_note_id (action) <= 0)
    {
      settle_permanent (push, 0, _("The queued change names no comment"));
      return;
    }

  g_debug ("Sending %s %s", nod_action_kind_to_string (kind),
           nod_outbox_action_get_op_id (action));
  push->write_sent = TRUE;

  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      nod_forge_approve_async (self->forge, project_id, iid,
                               nod_outbox_action_get_head_sha (action), cancellable,
                               on_approval_sent, push);
      break;

    case NOD_ACTION_UNAPPROVE:
      nod_forge_unapprove_async (self->forge, project_id, iid, cancellable,
                                 on_approval_sent, push);
      break;

    case NOD_ACTION_COMMENT:
      nod_forge_create_discussion_async (self->forge, project_id, iid,
                                         nod_outbox_action_get_body (action),
                                         nod_outbox_action_get_position (action), cancellable,
                                         on_note_sent, push);
      break;

    case NOD_ACTION_REPLY:
      nod_forge_reply_async (self->forge, project_id, iid,
                             nod_outbox_action_get_discussion_id (action),
                             nod_outbox_action_get_body (action), cancellable,
                             on_note_sent, push);
      break;

    case NOD_ACTION_RESOLVE:
    case NOD_ACTION_UNRESOLVE:
      nod_forge_set_resolved_async (self->forge, project_id, iid,
                                    nod_outbox_action_get_discussion_id (action),
                                    kind == NOD_ACTION_RESOLVE, cancellable,
                                    on_resolved_sent, push);
      break;

    case NOD_ACTION_DRAFT_NOTE:
      nod_forge_create_draft_note_async (self->forge, project_id, iid,
                                         nod_outbox_action_get_body (action),
                                         nod_outbox_action_get_position (action),
                                         nod_outbox_action_get_discussion_id (action),
                                         nod_outbox_action_get_resolves (action), cancellable,
                                         on_draft_created, push);
      break;

    case NOD_ACTION_PUBLISH_REVIEW:
      nod_forge_publish_review_async (self->forge, project_id, iid, cancellable,
                                      on_review_published, push);
      break;

    case NOD_ACTION_DELETE_DRAFT:
      nod_forge_delete_draft_note_async (self->forge, project_id, iid,
                                         nod_outbox_action_get_draft_id (action), cancellable,
                                         on_draft_deleted, push);
      break;

    case NOD_ACTION_EDIT_NOTE:
      nod_forge_update_note_async (self->forge, project_id, iid,
                                   nod_outbox_action_get_note_id (action),
                                   nod_outbox_action_get_body (action), cancellable,
                                   on_note_changed, push);
      break;

    case NOD_ACTION_DELETE_NOTE:
      nod_forge_delete_note_async (self->forge, project_id, iid,
                                   nod_outbox_action_get_note_id (action), cancellable,
                                   on_note_changed, push);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Sending again does no harm for these: GitLab's 404 means done for a removal, and the
 * same text twice is the same note. */
static gboolean
is_target_state (NodActionKind kind)
{
  return kind == NOD_ACTION_DELETE_DRAFT || kind == NOD_ACTION_EDIT_NOTE ||
         kind == NOD_ACTION_DELETE_NOTE;
}

/* Sends @action, or first looks for it on GitLab when it may be there already. */
static void
begin (NodSyncPushJob  *self,
       NodOutboxAction *action)
{
  Push *push = g_new0 (Push, 1);
  NodActionKind kind = nod_outbox_action_get_kind (action);

  push->job = g_object_ref (self);
  push->action = g_object_ref (action);
  self->in_flight++;

  if (!nod_outbox_action_get_ambiguous (action) || is_target_state (kind))
    send_action (push);
  else if (nod_outbox_action_is_approval (action))
    check_approvals (push, FALSE);
  else if (kind == NOD_ACTION_DRAFT_NOTE || kind == NOD_ACTION_PUBLISH_REVIEW)
    reconcile_review_step (push);
  else
    reconcile_discussion_action (push);
}

/* Begins what may begin now; once nothing is in flight, claims the next batch, or ends. */
static void
pump (NodSyncPushJob *self)
{
  if (self->task == NULL)
    return;

  if (!self->stopping && g_cancellable_is_cancelled (cancellable_of (self)))
    {
      release_unbegun (self, 0, 0, NULL);
      stop (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("The sync was cancelled")));
    }

  while (!self->stopping && self->in_flight < self->parallel &&
         self->batch != NULL && self->next < self->batch->len)
    begin (self, g_ptr_array_index (self->batch, self->next++));

  if (self->in_flight > 0)
    return;
  if (self->stopping)
    finish (self, g_steal_pointer (&self->stop_error));
  else
    {
      g_clear_pointer (&self->batch, g_ptr_array_unref);
      claim_next_batch (self);
    }
}

static void
on_batch_claimed (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(NodSyncPushJob) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batch = nod_outbox_claim_next_batch_finish (self->outbox, result,
                                                                   &error);

  if (batch == NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }

  if (batch->len == 0)
    {
      finish (self, NULL);
      return;
    }

  self->batch = g_steal_pointer (&batch);
  self->next = 0;
  pump (self);
}

static void
claim_next_batch (NodSyncPushJob *self)
{
  if (g_cancellable_is_cancelled (cancellable_of (self)))
    {
      finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         _("The sync was cancelled")));
      return;
    }

  nod_outbox_claim_next_batch_async (self->outbox, self->account_id,
                                     self->approvals_only ? NOD_OUTBOX_CLAIM_APPROVALS
                                                          : NOD_OUTBOX_CLAIM_ALL,
                                     BATCH_SIZE, nod_clock_get_now_us (self->clock), NULL,
                                     on_batch_claimed, g_object_ref (self));
}

void
nod_sync_push_job_run_async (NodSyncPushJob      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_PUSH_JOB (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, nod_sync_push_job_run_async);
  nod_sync_push_outcome_clear (&self->outcome);
  self->stopping = FALSE;

  if (self->batch == NULL)
    {
      claim_next_batch (self);
      return;
    }

  /* Handed an action already claimed: it goes first, unless stopped before it went (then
   * it goes back as it was). */
  self->next = 0;
  pump (self);
}

/**
 * nod_sync_push_job_take_claimed:
 * @action: an action of the job's account already in flight (claimed by the enqueue that
 *   stored it, under the send lock)
 *
 * The run sends @action first, with no claim of its own before it, then claims the rest
 * as usual. Call it before nod_sync_push_job_run_async().
 */
void
nod_sync_push_job_take_claimed (NodSyncPushJob  *self,
                                NodOutboxAction *action)
{
  g_return_if_fail (NOD_IS_SYNC_PUSH_JOB (self));
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (action));
  g_return_if_fail (self->task == NULL && self->batch == NULL);
  g_return_if_fail (nod_outbox_action_get_state (action) == NOD_ACTION_IN_FLIGHT);
  g_return_if_fail (nod_outbox_action_get_account_id (action) == self->account_id);

  self->batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->batch, g_object_ref (action));
}

/**
 * nod_sync_push_job_run_finish:
 * @out_outcome: (out caller-allocates): what the job did; clear it with
 *   nod_sync_push_outcome_clear()
 */
gboolean
nod_sync_push_job_run_finish (NodSyncPushJob      *self,
                              GAsyncResult        *result,
                              NodSyncPushOutcome  *out_outcome,
                              GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_outcome != NULL)
    {
      *out_outcome = self->outcome;
      out_outcome->last_error = g_strdup (self->outcome.last_error);
    }

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
nod_sync_push_job_dispose (GObject *object)
{
  NodSyncPushJob *self = NOD_SYNC_PUSH_JOB (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->forge);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->batch, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_sync_push_job_parent_class)->dispose (object);
}

static void
nod_sync_push_job_finalize (GObject *object)
{
  NodSyncPushJob *self = NOD_SYNC_PUSH_JOB (object);

  nod_sync_push_outcome_clear (&self->outcome);
  g_clear_pointer (&self->username, g_free);
  g_clear_error (&self->stop_error);
  g_clear_pointer (&self->waiting_for_user, g_ptr_array_unref);
  g_queue_clear (&self->note_times);

  G_OBJECT_CLASS (nod_sync_push_job_parent_class)->finalize (object);
}

static void
nod_sync_push_job_class_init (NodSyncPushJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_sync_push_job_dispose;
  object_class->finalize = nod_sync_push_job_finalize;

  /**
   * NodSyncPushJob::action-failed:
   * @action: the action, now failed for good
   * @status: the HTTP status behind it, or 0
   * @reason: a sentence for people
   */
  signals[SIGNAL_ACTION_FAILED] =
    g_signal_new ("action-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  NOD_TYPE_OUTBOX_ACTION, G_TYPE_UINT, G_TYPE_STRING);
}

static void
nod_sync_push_job_init (NodSyncPushJob *self)
{
  g_queue_init (&self->note_times);
  self->notes_per_minute = NOD_SYNC_NOTES_PER_MINUTE;
  self->parallel = PUSH_PARALLEL;
  self->clock = g_object_ref (nod_clock_get_system ());
}

/* Where the job reads the time (the system's clock unless set); set it before it runs. */
void
nod_sync_push_job_set_clock (NodSyncPushJob *self,
                             NodClock       *clock)
{
  g_return_if_fail (NOD_IS_SYNC_PUSH_JOB (self));
  g_return_if_fail (NOD_IS_CLOCK (clock));
  g_return_if_fail (self->task == NULL);

  g_set_object (&self->clock, clock);
}

NodSyncPushJob *
nod_sync_push_job_new (NodOutbox *outbox,
                       NodForge  *forge,
                       gint64     account_id,
                       gboolean   approvals_only)
{
  NodSyncPushJob *self;

  g_return_val_if_fail (NOD_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (NOD_IS_FORGE (forge), NULL);
  g_return_val_if_fail (account_id > 0, NULL);

  self = g_object_new (NOD_TYPE_SYNC_PUSH_JOB, NULL);
  self->outbox = g_object_ref (outbox);
  self->forge = g_object_ref (forge);
  self->account_id = account_id;
  self->approvals_only = approvals_only;
  return self;
}

/* How many actions (each the head of its own lane) are sent at once; PUSH_PARALLEL unless
 * set. Set it before the job runs. */
void
nod_sync_push_job_set_parallel (NodSyncPushJob *self,
                                guint           parallel)
{
  g_return_if_fail (NOD_IS_SYNC_PUSH_JOB (self));
  g_return_if_fail (parallel > 0);
  g_return_if_fail (self->task == NULL);

  self->parallel = parallel;
}

/**
 * nod_sync_push_job_set_notes_per_minute:
 * @notes_per_minute: how many comments and replies the job may send in any minute; 0 for
 *   as many as GitLab takes
 *
 * Paces note creation (%NOD_SYNC_NOTES_PER_MINUTE unless set): a note over the pace
 * waits in the outbox until the minute allows it.
 */
void
nod_sync_push_job_set_notes_per_minute (NodSyncPushJob *self,
                                        guint           notes_per_minute)
{
  g_return_if_fail (NOD_IS_SYNC_PUSH_JOB (self));

  self->notes_per_minute = notes_per_minute;
}
