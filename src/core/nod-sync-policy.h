/* nod-sync-policy.h: when the sync engine may run, as a pure function
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "nod-rate-limit.h"

G_BEGIN_DECLS

/* Why the engine is asked to run. */
typedef enum
{
  NOD_SYNC_TRIGGER_PERIODIC,          /* the cycle (default every 5 min): push due, then pull */
  NOD_SYNC_TRIGGER_APPROVAL,          /* an approve/unapprove was enqueued: push approvals */
  NOD_SYNC_TRIGGER_PUSH_NOW,          /* the reviewer pressed Push now: push everything */
  NOD_SYNC_TRIGGER_STARTUP,           /* recover in-flight rows, push due, pull */
  NOD_SYNC_TRIGGER_NETWORK_UP,        /* the network came back: push due, pull */
  NOD_SYNC_TRIGGER_SETTINGS_CHANGED,  /* e.g. history depth: pull */
  NOD_SYNC_TRIGGER_ENQUEUE,           /* a comment, reply or resolve: waits for the cycle */
  NOD_SYNC_TRIGGER_RETRY,             /* the reviewer retried a failed action, or
                                       * submitted a review: push now, with no Push now
                                       * cooldown (one chosen act) */
} NodSyncTrigger;

typedef enum
{
  NOD_SYNC_VERDICT_START,
  NOD_SYNC_VERDICT_SKIP,   /* nothing to do, or it will happen anyway (coalesced) */
  NOD_SYNC_VERDICT_BLOCK,  /* something stands in the way; see blocked_until */
} NodSyncVerdict;

typedef enum
{
  NOD_SYNC_REASON_NONE,
  NOD_SYNC_REASON_NOT_CONFIGURED,
  NOD_SYNC_REASON_SIGNED_OUT,
  NOD_SYNC_REASON_OFFLINE_MODE,
  NOD_SYNC_REASON_NO_NETWORK,
  NOD_SYNC_REASON_METERED,
  NOD_SYNC_REASON_JOB_RUNNING,
  NOD_SYNC_REASON_RATE_LIMITED,
  NOD_SYNC_REASON_RESERVE,
  NOD_SYNC_REASON_COOLDOWN,
  NOD_SYNC_REASON_NOTHING_TRACKED,
  NOD_SYNC_REASON_NOTHING_PENDING,
  NOD_SYNC_REASON_WAITS_FOR_CYCLE,
} NodSyncReason;

/* Everything the policy looks at; the engine fills it in. Times are Unix seconds. */
typedef struct
{
  gboolean     configured;          /* an account exists */
  gboolean     signed_in;           /* its token was not refused */
  gboolean     offline_mode;        /* the reviewer chose to work offline */
  gboolean     network_available;
  gboolean     network_metered;
  gboolean     push_running;        /* a flush or drain of this account is under way */
  gboolean     pull_running;
  guint        pending_approvals;   /* approve/unapprove actions not yet acked */
  guint        pending_actions;     /* all actions not yet acked or failed */
  guint        tracked_scopes;      /* lists to pull (review, assigned, authored): 0 = none */
  NodRateLimit rate_limit;
  guint        reserve;             /* requests kept for interactive actions */
  gint64       last_push_now_at;    /* 0 = never */
  guint        push_now_cooldown_s; /* default 10 */
} NodSyncPolicyState;

typedef struct
{
  NodSyncVerdict verdict;
  NodSyncReason  reason;
  gboolean       push;            /* what a started job does */
  gboolean       approvals_only;
  gboolean       pull;
  gint64         blocked_until;   /* BLOCK: when trying again makes sense, 0 = unknown */
} NodSyncDecision;

#define NOD_SYNC_PUSH_NOW_COOLDOWN_S 10

void            nod_sync_policy_state_init     (NodSyncPolicyState       *state);
NodSyncDecision nod_sync_policy_evaluate       (const NodSyncPolicyState *state,
                                                NodSyncTrigger            trigger,
                                                gint64                    now);
const char     *nod_sync_reason_to_sentence    (NodSyncReason             reason);
const char     *nod_sync_trigger_to_string     (NodSyncTrigger           trigger);
gboolean        nod_sync_trigger_is_background (NodSyncTrigger           trigger);

G_END_DECLS
