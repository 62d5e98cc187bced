/* nod-sync-policy.c: when the sync engine may run, as a pure function
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here depends only on its arguments: no I/O, no clock (the time is @now), no
 * globals, no GObject. The engine fills in a NodSyncPolicyState, asks, and acts on the
 * answer; the tests drive every rule from a table.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nod-sync-policy.h"

void
nod_sync_policy_state_init (NodSyncPolicyState *state)
{
  g_return_if_fail (state != NULL);

  state->configured = TRUE;
  state->signed_in = TRUE;
  state->offline_mode = FALSE;
  state->network_available = TRUE;
  state->network_metered = FALSE;
  state->push_running = FALSE;
  state->pull_running = FALSE;
  state->pending_approvals = 0;
  state->pending_actions = 0;
  state->tracked_scopes = 3;
  nod_rate_limit_init_unknown (&state->rate_limit);
  state->reserve = NOD_RATE_LIMIT_DEFAULT_RESERVE;
  state->last_push_now_at = 0;
  state->push_now_cooldown_s = NOD_SYNC_PUSH_NOW_COOLDOWN_S;
}

gboolean
nod_sync_trigger_is_background (NodSyncTrigger trigger)
{
  switch (trigger)
    {
    case NOD_SYNC_TRIGGER_PERIODIC:
    case NOD_SYNC_TRIGGER_STARTUP:
    case NOD_SYNC_TRIGGER_NETWORK_UP:
    case NOD_SYNC_TRIGGER_SETTINGS_CHANGED:
      return TRUE;

    /* The reviewer did something; an enqueue never reaches the network by itself. */
    case NOD_SYNC_TRIGGER_APPROVAL:
    case NOD_SYNC_TRIGGER_PUSH_NOW:
    case NOD_SYNC_TRIGGER_ENQUEUE:
    case NOD_SYNC_TRIGGER_RETRY:
      return FALSE;

    default:
      g_return_val_if_reached (FALSE);
    }
}

const char *
nod_sync_trigger_to_string (NodSyncTrigger trigger)
{
  switch (trigger)
    {
    case NOD_SYNC_TRIGGER_PERIODIC:
      return "periodic";
    case NOD_SYNC_TRIGGER_APPROVAL:
      return "approval";
    case NOD_SYNC_TRIGGER_PUSH_NOW:
      return "push-now";
    case NOD_SYNC_TRIGGER_STARTUP:
      return "startup";
    case NOD_SYNC_TRIGGER_NETWORK_UP:
      return "network-up";
    case NOD_SYNC_TRIGGER_SETTINGS_CHANGED:
      return "settings-changed";
    case NOD_SYNC_TRIGGER_ENQUEUE:
      return "enqueue";
    case NOD_SYNC_TRIGGER_RETRY:
      return "retry";
    default:
      g_return_val_if_reached ("unknown");
    }
}

/**
 * nod_sync_reason_to_sentence:
 *
 * Returns: a translated sentence for people (sentence case, no final period), "" for
 *   %NOD_SYNC_REASON_NONE. Never %NULL.
 */
const char *
nod_sync_reason_to_sentence (NodSyncReason reason)
{
  switch (reason)
    {
    /* Not _(""): gettext answers an empty msgid with the catalogue's header. */
    case NOD_SYNC_REASON_NONE:
      return "";
    case NOD_SYNC_REASON_NOT_CONFIGURED:
      return _("Add a GitLab account to sync");
    case NOD_SYNC_REASON_SIGNED_OUT:
      return _("Sign in to GitLab again to sync");
    case NOD_SYNC_REASON_OFFLINE_MODE:
      return _("Working offline");
    case NOD_SYNC_REASON_NO_NETWORK:
      return _("No network connection");
    case NOD_SYNC_REASON_METERED:
      return _("Waiting for an unmetered network");
    case NOD_SYNC_REASON_JOB_RUNNING:
      return _("Already syncing");
    case NOD_SYNC_REASON_RATE_LIMITED:
      return _("GitLab’s rate limit was reached");
    case NOD_SYNC_REASON_RESERVE:
      return _("Saving requests for your own actions until the rate limit resets");
    case NOD_SYNC_REASON_COOLDOWN:
      return _("Pushed a moment ago; try again shortly");
    case NOD_SYNC_REASON_NOTHING_TRACKED:
      return _("Nothing to sync");
    case NOD_SYNC_REASON_NOTHING_PENDING:
      return _("Nothing to send");
    case NOD_SYNC_REASON_WAITS_FOR_CYCLE:
      return _("Will be sent with the next sync");
    default:
      g_return_val_if_reached ("");
    }
}

static NodSyncDecision
decision_new (NodSyncVerdict verdict,
              NodSyncReason  reason,
              gint64         blocked_until)
{
  NodSyncDecision decision = { 0, };

  decision.verdict = verdict;
  decision.reason = reason;
  decision.blocked_until = blocked_until;
  return decision;
}

/* Whether a job made of @push and @pull would do anything. A background push claims only
 * what is due, so with nothing pending it would be an empty claim; an approval push always
 * has something (the trigger is skipped otherwise), and Push now is what the reviewer asked
 * for. */
static gboolean
has_work (const NodSyncPolicyState *state,
          gboolean                  background,
          gboolean                  push,
          gboolean                  pull)
{
  if (pull)
    return TRUE;
  if (!push)
    return FALSE;
  return !background || state->pending_actions > 0;
}

/**
 * nod_sync_policy_evaluate:
 * @state: what the engine knows right now
 * @trigger: why it is asked to run
 * @now: the current time, Unix seconds
 *
 * Decides whether a job starts and what it does. The rules apply in order: a missing
 * account, an enqueue and an approval with nothing to send are skipped before anything
 * else; then sign-in, offline mode and the network block; then the work the trigger asks
 * for is trimmed by a metered network, an empty tracking list, an empty outbox and a job
 * already running; then the rate limit and the Push now cooldown block.
 *
 * Returns: the decision; push, approvals_only and pull are set only when it starts, and
 *   blocked_until only when it blocks and a time is known.
 */
NodSyncDecision
nod_sync_policy_evaluate (const NodSyncPolicyState *state,
                          NodSyncTrigger            trigger,
                          gint64                    now)
{
  NodSyncDecision decision;
  gboolean background;
  gboolean push = FALSE;
  gboolean approvals_only = FALSE;
  gboolean pull = FALSE;
  guint reserve;
  gint64 until;

  g_return_val_if_fail (state != NULL,
                        decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOT_CONFIGURED, 0));
  g_return_val_if_fail ((guint) trigger <= NOD_SYNC_TRIGGER_RETRY,
                        decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NONE, 0));

  if (!state->configured)
    return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOT_CONFIGURED, 0);

  /* Comments, replies and resolves wait for the cycle or Push now. */
  if (trigger == NOD_SYNC_TRIGGER_ENQUEUE)
    return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_WAITS_FOR_CYCLE, 0);

  /* An approve and its revoke coalesced away: no API call at all. */
  if (trigger == NOD_SYNC_TRIGGER_APPROVAL && state->pending_approvals == 0)
    return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOTHING_PENDING, 0);

  if (!state->signed_in)
    return decision_new (NOD_SYNC_VERDICT_BLOCK, NOD_SYNC_REASON_SIGNED_OUT, 0);
  if (state->offline_mode)
    return decision_new (NOD_SYNC_VERDICT_BLOCK, NOD_SYNC_REASON_OFFLINE_MODE, 0);
  if (!state->network_available)
    return decision_new (NOD_SYNC_VERDICT_BLOCK, NOD_SYNC_REASON_NO_NETWORK, 0);

  switch (trigger)
    {
    case NOD_SYNC_TRIGGER_PERIODIC:
    case NOD_SYNC_TRIGGER_NETWORK_UP:
    case NOD_SYNC_TRIGGER_STARTUP:
      push = TRUE;
      pull = TRUE;
      break;

    case NOD_SYNC_TRIGGER_APPROVAL:
      push = TRUE;
      approvals_only = TRUE;
      break;

    case NOD_SYNC_TRIGGER_PUSH_NOW:
    case NOD_SYNC_TRIGGER_RETRY:
      push = TRUE;
      break;

    case NOD_SYNC_TRIGGER_SETTINGS_CHANGED:
      pull = TRUE;
      break;

    case NOD_SYNC_TRIGGER_ENQUEUE:
    default:
      g_assert_not_reached ();
    }

  background = nod_sync_trigger_is_background (trigger);

  /* On a metered network the pull waits; the reviewer's own actions still go. */
  if (state->network_metered && background)
    {
      pull = FALSE;
      if (!has_work (state, background, push, pull))
        return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_METERED, 0);
    }

  if (state->tracked_scopes == 0)
    {
      pull = FALSE;
      if (!has_work (state, background, push, pull))
        return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOTHING_TRACKED, 0);
    }

  /* No claim is made for nothing; Push now still runs, it is cheap and it was asked for. */
  if (background && state->pending_actions == 0)
    push = FALSE;

  /* One push and one pull per account at a time; the engine remembers the request and
   * runs once more when the job ends. */
  if (push && state->push_running)
    push = FALSE;
  if (pull && state->pull_running)
    pull = FALSE;
  if (!push && !pull)
    return decision_new (NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_JOB_RUNNING, 0);

  /* Background pulling leaves the reserve to what the reviewer does by hand; the
   * reviewer's own queued actions are among those, so they may still go. */
  reserve = background ? state->reserve : 0;
  until = nod_rate_limit_blocked_until (&state->rate_limit, reserve, now);
  if (until > 0 && push && pull &&
      nod_rate_limit_blocked_until (&state->rate_limit, 0, now) == 0)
    {
      pull = FALSE;
      until = 0;
    }
  if (until > 0)
    {
      gboolean exhausted = state->rate_limit.retry_at > now || state->rate_limit.remaining == 0;

      return decision_new (NOD_SYNC_VERDICT_BLOCK,
                           exhausted ? NOD_SYNC_REASON_RATE_LIMITED : NOD_SYNC_REASON_RESERVE,
                           until);
    }

  /* Push now pressed twice in a row drains once; an approval waiting is never held up. */
  if (trigger == NOD_SYNC_TRIGGER_PUSH_NOW
      && state->last_push_now_at > 0
      && now < state->last_push_now_at + (gint64) state->push_now_cooldown_s
      && state->pending_approvals == 0)
    {
      /* A clock set back must not turn the cooldown into hours. */
      return decision_new (NOD_SYNC_VERDICT_BLOCK, NOD_SYNC_REASON_COOLDOWN,
                           MIN (state->last_push_now_at,
                                now) + (gint64) state->push_now_cooldown_s);
    }

  decision = decision_new (NOD_SYNC_VERDICT_START, NOD_SYNC_REASON_NONE, 0);
  decision.push = push;
  decision.approvals_only = push && approvals_only;
  decision.pull = pull;
  return decision;
}
