/* test-sync-policy.c: every rule of the sync policy, one table row at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-sync-policy.h"

#define NOW      ((gint64) 1763800000)
#define RESET_AT (NOW + 600)  /* the rate-limit window ends in 10 minutes */
#define RETRY_AT (NOW + 30)   /* a 429 said Retry-After: 30 */

/* The rate-limit snapshots the rows choose from. */
typedef enum
{
  RATE_UNKNOWN,         /* nothing heard yet: nod_rate_limit_init_unknown () */
  RATE_PLENTY,          /* 1990 of 2000 left */
  RATE_ABOVE_RESERVE,   /* reserve + 1 left */
  RATE_AT_RESERVE,      /* exactly the reserve left */
  RATE_LOW,             /* 50 left: under the reserve */
  RATE_EXHAUSTED,       /* 0 left until RESET_AT */
  RATE_RETRY_AFTER,     /* a 429 with Retry-After, budget otherwise fine */
  RATE_RETRY_AND_LOW,   /* a 429 with Retry-After and 50 left until RESET_AT */
} RateScenario;

typedef struct
{
  const char     *name;               /* the test path below /nod/sync-policy/ */
  NodSyncTrigger  trigger;

  /* Inputs, as differences from nod_sync_policy_state_init () */
  gboolean        unconfigured;
  gboolean        signed_out;
  gboolean        offline_mode;
  gboolean        no_network;
  gboolean        metered;
  gboolean        push_running;
  gboolean        pull_running;
  guint           pending_approvals;
  guint           pending_actions;
  gboolean        nothing_tracked;
  RateScenario    rate;
  gint64          last_push_now_at;   /* 0 = never */
  gint64          now;                /* 0 = NOW */

  /* Expected decision */
  NodSyncVerdict  verdict;
  NodSyncReason   reason;
  gboolean        push;
  gboolean        approvals_only;
  gboolean        pull;
  gint64          blocked_until;
} PolicyRow;

#define T_PERIODIC         .trigger = NOD_SYNC_TRIGGER_PERIODIC
#define T_APPROVAL         .trigger = NOD_SYNC_TRIGGER_APPROVAL
#define T_PUSH_NOW         .trigger = NOD_SYNC_TRIGGER_PUSH_NOW
#define T_STARTUP          .trigger = NOD_SYNC_TRIGGER_STARTUP
#define T_NETWORK_UP       .trigger = NOD_SYNC_TRIGGER_NETWORK_UP
#define T_SETTINGS_CHANGED .trigger = NOD_SYNC_TRIGGER_SETTINGS_CHANGED
#define T_ENQUEUE          .trigger = NOD_SYNC_TRIGGER_ENQUEUE
#define T_RETRY            .trigger = NOD_SYNC_TRIGGER_RETRY

/* What a started job does. */
#define START_PUSH_PULL      .verdict = NOD_SYNC_VERDICT_START, .push = TRUE, .pull = TRUE
#define START_PUSH           .verdict = NOD_SYNC_VERDICT_START, .push = TRUE
#define START_PULL           .verdict = NOD_SYNC_VERDICT_START, .pull = TRUE
#define START_APPROVALS      .verdict = NOD_SYNC_VERDICT_START, .push = TRUE, .approvals_only = TRUE
#define SKIP(why)            .verdict = NOD_SYNC_VERDICT_SKIP, .reason = NOD_SYNC_REASON_##why
#define BLOCK(why, until)    .verdict = NOD_SYNC_VERDICT_BLOCK, .reason = NOD_SYNC_REASON_##why, \
                             .blocked_until = (until)

static const PolicyRow policy_rows[] = {
  /* Each trigger, everything fine. */
  { "periodic/plain", T_PERIODIC, .pending_actions = 2, START_PUSH_PULL },
  { "periodic/nothing-pending", T_PERIODIC, START_PULL },
  { "approval/plain", T_APPROVAL, .pending_approvals = 1, .pending_actions = 3,
    START_APPROVALS },
  { "approval/nothing-pending", T_APPROVAL, .pending_actions = 3, SKIP (NOTHING_PENDING) },
  { "push-now/plain", T_PUSH_NOW, .pending_actions = 3, START_PUSH },
  { "push-now/nothing-pending", T_PUSH_NOW, START_PUSH },
  { "startup/plain", T_STARTUP, .pending_actions = 2, START_PUSH_PULL },
  { "startup/nothing-pending", T_STARTUP, START_PULL },
  { "network-up/plain", T_NETWORK_UP, .pending_actions = 1, START_PUSH_PULL },
  { "network-up/nothing-pending", T_NETWORK_UP, START_PULL },
  { "settings-changed/plain", T_SETTINGS_CHANGED, .pending_actions = 2, START_PULL },
  { "enqueue/plain", T_ENQUEUE, .pending_actions = 1, SKIP (WAITS_FOR_CYCLE) },
  { "enqueue/offline-mode", T_ENQUEUE, .offline_mode = TRUE, .pending_actions = 1,
    SKIP (WAITS_FOR_CYCLE) },

  /* No account: nothing else matters. */
  { "periodic/not-configured", T_PERIODIC, .unconfigured = TRUE, .pending_actions = 1,
    SKIP (NOT_CONFIGURED) },
  { "approval/not-configured", T_APPROVAL, .unconfigured = TRUE, .pending_approvals = 1,
    .pending_actions = 1, SKIP (NOT_CONFIGURED) },
  { "enqueue/not-configured", T_ENQUEUE, .unconfigured = TRUE, .pending_actions = 1,
    SKIP (NOT_CONFIGURED) },
  { "push-now/not-configured-signed-out", T_PUSH_NOW, .unconfigured = TRUE,
    .signed_out = TRUE, SKIP (NOT_CONFIGURED) },

  /* Signed out, offline, no network: in that order, after the skips. */
  { "periodic/signed-out", T_PERIODIC, .signed_out = TRUE, .pending_actions = 1,
    BLOCK (SIGNED_OUT, 0) },
  { "approval/signed-out", T_APPROVAL, .signed_out = TRUE, .pending_approvals = 1,
    .pending_actions = 1, BLOCK (SIGNED_OUT, 0) },
  { "approval/signed-out-nothing-pending", T_APPROVAL, .signed_out = TRUE,
    SKIP (NOTHING_PENDING) },
  { "push-now/signed-out-offline", T_PUSH_NOW, .signed_out = TRUE, .offline_mode = TRUE,
    .no_network = TRUE, BLOCK (SIGNED_OUT, 0) },
  { "periodic/offline-mode", T_PERIODIC, .offline_mode = TRUE, .pending_actions = 1,
    BLOCK (OFFLINE_MODE, 0) },
  { "approval/offline-mode", T_APPROVAL, .offline_mode = TRUE, .pending_approvals = 1,
    .pending_actions = 1, BLOCK (OFFLINE_MODE, 0) },
  { "approval/offline-mode-nothing-pending", T_APPROVAL, .offline_mode = TRUE,
    .pending_actions = 2, SKIP (NOTHING_PENDING) },
  { "push-now/offline-mode-no-network", T_PUSH_NOW, .offline_mode = TRUE, .no_network = TRUE,
    .pending_actions = 1, BLOCK (OFFLINE_MODE, 0) },
  { "settings-changed/offline-mode", T_SETTINGS_CHANGED, .offline_mode = TRUE,
    BLOCK (OFFLINE_MODE, 0) },
  { "periodic/no-network", T_PERIODIC, .no_network = TRUE, .pending_actions = 1,
    BLOCK (NO_NETWORK, 0) },
  { "approval/no-network", T_APPROVAL, .no_network = TRUE, .pending_approvals = 1,
    .pending_actions = 1, BLOCK (NO_NETWORK, 0) },
  { "push-now/no-network", T_PUSH_NOW, .no_network = TRUE, BLOCK (NO_NETWORK, 0) },
  { "periodic/no-network-job-running-exhausted", T_PERIODIC, .no_network = TRUE,
    .push_running = TRUE, .pull_running = TRUE, .rate = RATE_EXHAUSTED,
    BLOCK (NO_NETWORK, 0) },

  /* Metered: background pulls wait; approvals and Push now go. */
  { "periodic/metered", T_PERIODIC, .metered = TRUE, .pending_actions = 2, START_PUSH },
  { "periodic/metered-nothing-pending", T_PERIODIC, .metered = TRUE, SKIP (METERED) },
  { "startup/metered", T_STARTUP, .metered = TRUE, .pending_actions = 1, START_PUSH },
  { "network-up/metered-nothing-pending", T_NETWORK_UP, .metered = TRUE, SKIP (METERED) },
  { "settings-changed/metered", T_SETTINGS_CHANGED, .metered = TRUE, .pending_actions = 4,
    SKIP (METERED) },
  { "approval/metered", T_APPROVAL, .metered = TRUE, .pending_approvals = 1,
    .pending_actions = 1, START_APPROVALS },
  { "push-now/metered", T_PUSH_NOW, .metered = TRUE, .pending_actions = 3, START_PUSH },
  { "push-now/metered-nothing-pending", T_PUSH_NOW, .metered = TRUE, START_PUSH },
  { "periodic/metered-nothing-tracked-nothing-pending", T_PERIODIC, .metered = TRUE,
    .nothing_tracked = TRUE, SKIP (METERED) },
  { "periodic/metered-exhausted-nothing-pending", T_PERIODIC, .metered = TRUE,
    .rate = RATE_EXHAUSTED, SKIP (METERED) },

  /* Nothing tracked: no pull, pushes still go. */
  { "periodic/nothing-tracked", T_PERIODIC, .nothing_tracked = TRUE, .pending_actions = 2,
    START_PUSH },
  { "periodic/nothing-tracked-nothing-pending", T_PERIODIC, .nothing_tracked = TRUE,
    SKIP (NOTHING_TRACKED) },
  { "startup/nothing-tracked-nothing-pending", T_STARTUP, .nothing_tracked = TRUE,
    SKIP (NOTHING_TRACKED) },
  { "settings-changed/nothing-tracked", T_SETTINGS_CHANGED, .nothing_tracked = TRUE,
    .pending_actions = 2, SKIP (NOTHING_TRACKED) },
  { "approval/nothing-tracked", T_APPROVAL, .nothing_tracked = TRUE, .pending_approvals = 1,
    .pending_actions = 1, START_APPROVALS },
  { "push-now/nothing-tracked-nothing-pending", T_PUSH_NOW, .nothing_tracked = TRUE,
    START_PUSH },

  /* A job running: the part already under way is dropped, the rest still starts. */
  { "periodic/push-running", T_PERIODIC, .push_running = TRUE, .pending_actions = 2,
    START_PULL },
  { "periodic/pull-running", T_PERIODIC, .pull_running = TRUE, .pending_actions = 2,
    START_PUSH },
  { "periodic/push-and-pull-running", T_PERIODIC, .push_running = TRUE, .pull_running = TRUE,
    .pending_actions = 2, SKIP (JOB_RUNNING) },
  { "periodic/pull-running-nothing-pending", T_PERIODIC, .pull_running = TRUE,
    SKIP (JOB_RUNNING) },
  { "periodic/metered-push-running", T_PERIODIC, .metered = TRUE, .push_running = TRUE,
    .pending_actions = 2, SKIP (JOB_RUNNING) },
  { "approval/push-running", T_APPROVAL, .push_running = TRUE, .pending_approvals = 1,
    .pending_actions = 1, SKIP (JOB_RUNNING) },
  { "approval/pull-running", T_APPROVAL, .pull_running = TRUE, .pending_approvals = 1,
    .pending_actions = 1, START_APPROVALS },
  { "push-now/push-running", T_PUSH_NOW, .push_running = TRUE, .pending_actions = 5,
    SKIP (JOB_RUNNING) },
  { "push-now/pull-running", T_PUSH_NOW, .pull_running = TRUE, .pending_actions = 5,
    START_PUSH },
  { "settings-changed/pull-running", T_SETTINGS_CHANGED, .pull_running = TRUE,
    SKIP (JOB_RUNNING) },
  { "settings-changed/push-running", T_SETTINGS_CHANGED, .push_running = TRUE,
    .pending_actions = 2, START_PULL },
  { "periodic/job-running-exhausted", T_PERIODIC, .push_running = TRUE, .pull_running = TRUE,
    .pending_actions = 2, .rate = RATE_EXHAUSTED, SKIP (JOB_RUNNING) },

  /* The reserve: background pulling stops at it; the reviewer's own actions, queued or
   * not, still go. */
  { "periodic/rate-plenty", T_PERIODIC, .pending_actions = 1, .rate = RATE_PLENTY,
    START_PUSH_PULL },
  { "periodic/above-reserve", T_PERIODIC, .pending_actions = 1, .rate = RATE_ABOVE_RESERVE,
    START_PUSH_PULL },
  { "periodic/at-reserve", T_PERIODIC, .pending_actions = 1, .rate = RATE_AT_RESERVE,
    START_PUSH },
  { "periodic/under-reserve", T_PERIODIC, .pending_actions = 1, .rate = RATE_LOW,
    START_PUSH },
  { "periodic/at-reserve-nothing-pending", T_PERIODIC, .rate = RATE_AT_RESERVE,
    BLOCK (RESERVE, RESET_AT) },
  { "startup/under-reserve-nothing-pending", T_STARTUP, .rate = RATE_LOW,
    BLOCK (RESERVE, RESET_AT) },
  { "settings-changed/under-reserve", T_SETTINGS_CHANGED, .rate = RATE_LOW,
    BLOCK (RESERVE, RESET_AT) },
  { "periodic/under-reserve-after-reset", T_PERIODIC, .pending_actions = 1, .rate = RATE_LOW,
    .now = RESET_AT, START_PUSH_PULL },
  { "approval/under-reserve", T_APPROVAL, .pending_approvals = 1, .pending_actions = 1,
    .rate = RATE_LOW, START_APPROVALS },
  { "push-now/under-reserve", T_PUSH_NOW, .pending_actions = 2, .rate = RATE_LOW,
    START_PUSH },

  /* Nothing left, or GitLab said to wait: everyone waits. */
  { "periodic/exhausted", T_PERIODIC, .pending_actions = 1, .rate = RATE_EXHAUSTED,
    BLOCK (RATE_LIMITED, RESET_AT) },
  { "approval/exhausted", T_APPROVAL, .pending_approvals = 1, .pending_actions = 1,
    .rate = RATE_EXHAUSTED, BLOCK (RATE_LIMITED, RESET_AT) },
  { "push-now/exhausted", T_PUSH_NOW, .pending_actions = 1, .rate = RATE_EXHAUSTED,
    BLOCK (RATE_LIMITED, RESET_AT) },
  { "approval/exhausted-after-reset", T_APPROVAL, .pending_approvals = 1,
    .pending_actions = 1, .rate = RATE_EXHAUSTED, .now = RESET_AT + 1, START_APPROVALS },
  { "approval/retry-after", T_APPROVAL, .pending_approvals = 1, .pending_actions = 1,
    .rate = RATE_RETRY_AFTER, BLOCK (RATE_LIMITED, RETRY_AT) },
  { "periodic/retry-after", T_PERIODIC, .pending_actions = 1, .rate = RATE_RETRY_AFTER,
    BLOCK (RATE_LIMITED, RETRY_AT) },
  { "approval/retry-after-passed", T_APPROVAL, .pending_approvals = 1, .pending_actions = 1,
    .rate = RATE_RETRY_AFTER, .now = RETRY_AT, START_APPROVALS },
  { "periodic/retry-after-and-reserve", T_PERIODIC, .pending_actions = 1,
    .rate = RATE_RETRY_AND_LOW, BLOCK (RATE_LIMITED, RESET_AT) },
  { "periodic/retry-after-passed-reserve", T_PERIODIC, .pending_actions = 1,
    .rate = RATE_RETRY_AND_LOW, .now = RETRY_AT, START_PUSH },
  { "periodic/retry-after-passed-reserve-nothing-pending", T_PERIODIC,
    .rate = RATE_RETRY_AND_LOW, .now = RETRY_AT, BLOCK (RESERVE, RESET_AT) },
  { "approval/retry-after-and-reserve", T_APPROVAL, .pending_approvals = 1,
    .pending_actions = 1, .rate = RATE_RETRY_AND_LOW, BLOCK (RATE_LIMITED, RETRY_AT) },
  { "approval/offline-mode-exhausted", T_APPROVAL, .offline_mode = TRUE,
    .pending_approvals = 1, .pending_actions = 1, .rate = RATE_EXHAUSTED,
    BLOCK (OFFLINE_MODE, 0) },

  /* Push now twice in a row: the second waits, unless an approval is pending. */
  { "push-now/cooldown", T_PUSH_NOW, .pending_actions = 2, .last_push_now_at = NOW - 3,
    BLOCK (COOLDOWN, NOW + 7) },
  { "push-now/cooldown-last-second", T_PUSH_NOW, .pending_actions = 2,
    .last_push_now_at = NOW - 9, BLOCK (COOLDOWN, NOW + 1) },
  /* A retry is one action the reviewer chose: no cooldown, the rest of the rules stand. */
  { "retry/in-cooldown", T_RETRY, .pending_actions = 1, .last_push_now_at = NOW - 3,
    START_PUSH },
  { "retry/offline-mode", T_RETRY, .offline_mode = TRUE, .pending_actions = 1,
    BLOCK (OFFLINE_MODE, 0) },
  { "retry/exhausted", T_RETRY, .pending_actions = 1, .rate = RATE_EXHAUSTED,
    BLOCK (RATE_LIMITED, RESET_AT) },
  { "push-now/cooldown-expired", T_PUSH_NOW, .pending_actions = 2,
    .last_push_now_at = NOW - 10, START_PUSH },
  { "push-now/cooldown-nothing-pending", T_PUSH_NOW, .last_push_now_at = NOW - 1,
    BLOCK (COOLDOWN, NOW + 9) },
  { "push-now/cooldown-approval-pending", T_PUSH_NOW, .pending_approvals = 1,
    .pending_actions = 2, .last_push_now_at = NOW - 3, START_PUSH },
  { "push-now/cooldown-exhausted", T_PUSH_NOW, .pending_actions = 2,
    .last_push_now_at = NOW - 3, .rate = RATE_EXHAUSTED, BLOCK (RATE_LIMITED, RESET_AT) },
  { "push-now/cooldown-push-running", T_PUSH_NOW, .pending_actions = 2, .push_running = TRUE,
    .last_push_now_at = NOW - 3, SKIP (JOB_RUNNING) },
  { "periodic/after-push-now", T_PERIODIC, .pending_actions = 2, .last_push_now_at = NOW - 3,
    START_PUSH_PULL },
  { "approval/after-push-now", T_APPROVAL, .pending_approvals = 1, .pending_actions = 2,
    .last_push_now_at = NOW - 3, START_APPROVALS },
};

static void
rate_limit_for_scenario (NodRateLimit *rate_limit,
                         RateScenario  scenario)
{
  nod_rate_limit_init_unknown (rate_limit);
  if (scenario == RATE_UNKNOWN)
    return;

  rate_limit->limit = 2000;
  rate_limit->reset_at = RESET_AT;
  rate_limit->observed_at = NOW - 5;

  switch (scenario)
    {
    case RATE_PLENTY:
    case RATE_RETRY_AFTER:
      rate_limit->remaining = 1990;
      break;
    case RATE_ABOVE_RESERVE:
      rate_limit->remaining = NOD_RATE_LIMIT_DEFAULT_RESERVE + 1;
      break;
    case RATE_AT_RESERVE:
      rate_limit->remaining = NOD_RATE_LIMIT_DEFAULT_RESERVE;
      break;
    case RATE_LOW:
    case RATE_RETRY_AND_LOW:
      rate_limit->remaining = 50;
      break;
    case RATE_EXHAUSTED:
      rate_limit->remaining = 0;
      break;
    case RATE_UNKNOWN:
    default:
      g_assert_not_reached ();
    }

  if (scenario == RATE_RETRY_AFTER || scenario == RATE_RETRY_AND_LOW)
    rate_limit->retry_at = RETRY_AT;
}

static void
state_for_row (NodSyncPolicyState *state,
               const PolicyRow    *row)
{
  /* Padding too, so that a copy compares equal with memcmp. */
  memset (state, 0, sizeof *state);
  nod_sync_policy_state_init (state);

  if (row->unconfigured)
    state->configured = FALSE;
  if (row->signed_out)
    state->signed_in = FALSE;
  state->offline_mode = row->offline_mode;
  if (row->no_network)
    state->network_available = FALSE;
  state->network_metered = row->metered;
  state->push_running = row->push_running;
  state->pull_running = row->pull_running;
  state->pending_approvals = row->pending_approvals;
  state->pending_actions = row->pending_actions;
  if (row->nothing_tracked)
    state->tracked_scopes = 0;
  rate_limit_for_scenario (&state->rate_limit, row->rate);
  state->last_push_now_at = row->last_push_now_at;
}

static const char *
verdict_to_string (NodSyncVerdict verdict)
{
  switch (verdict)
    {
    case NOD_SYNC_VERDICT_START:
      return "start";
    case NOD_SYNC_VERDICT_SKIP:
      return "skip";
    case NOD_SYNC_VERDICT_BLOCK:
      return "block";
    default:
      return "invalid";
    }
}

static void
test_policy_row (gconstpointer data)
{
  const PolicyRow *row = data;
  NodSyncPolicyState state;
  NodSyncDecision decision;

  state_for_row (&state, row);
  decision = nod_sync_policy_evaluate (&state, row->trigger, row->now != 0 ? row->now : NOW);

  g_test_message ("%s: got %s/%d push=%d approvals_only=%d pull=%d blocked_until=%"
                  G_GINT64_FORMAT, row->name, verdict_to_string (decision.verdict),
                  decision.reason, decision.push, decision.approvals_only, decision.pull,
                  decision.blocked_until);

  g_assert_cmpstr (verdict_to_string (decision.verdict), ==, verdict_to_string (row->verdict));
  g_assert_cmpint (decision.reason, ==, row->reason);
  g_assert_cmpint (decision.push, ==, row->push);
  g_assert_cmpint (decision.approvals_only, ==, row->approvals_only);
  g_assert_cmpint (decision.pull, ==, row->pull);
  g_assert_cmpint (decision.blocked_until, ==, row->blocked_until);
}

static void
test_state_defaults (void)
{
  NodSyncPolicyState state;

  memset (&state, 0xaa, sizeof state);
  nod_sync_policy_state_init (&state);

  g_assert_true (state.configured);
  g_assert_true (state.signed_in);
  g_assert_false (state.offline_mode);
  g_assert_true (state.network_available);
  g_assert_false (state.network_metered);
  g_assert_false (state.push_running);
  g_assert_false (state.pull_running);
  g_assert_cmpuint (state.pending_approvals, ==, 0);
  g_assert_cmpuint (state.pending_actions, ==, 0);
  g_assert_cmpuint (state.tracked_scopes, ==, 3);
  g_assert_false (nod_rate_limit_is_known (&state.rate_limit));
  g_assert_cmpint (state.rate_limit.limit, ==, -1);
  g_assert_cmpint (state.rate_limit.remaining, ==, -1);
  g_assert_cmpint (state.rate_limit.reset_at, ==, 0);
  g_assert_cmpint (state.rate_limit.retry_at, ==, 0);
  g_assert_cmpuint (state.reserve, ==, NOD_RATE_LIMIT_DEFAULT_RESERVE);
  g_assert_cmpint (state.last_push_now_at, ==, 0);
  g_assert_cmpuint (state.push_now_cooldown_s, ==, NOD_SYNC_PUSH_NOW_COOLDOWN_S);
}

/* The engine may set its own reserve and cooldown; the policy reads them, not the
 * defaults. */
static void
test_configured_limits (void)
{
  NodSyncPolicyState state;
  NodSyncDecision decision;

  nod_sync_policy_state_init (&state);
  state.pending_actions = 1;
  state.rate_limit.remaining = 50;
  state.rate_limit.reset_at = RESET_AT;

  state.reserve = 0;
  decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PERIODIC, NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);

  state.reserve = 50;
  decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PERIODIC, NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);
  g_assert_true (decision.push);
  g_assert_false (decision.pull);

  state.pending_actions = 0;
  decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PERIODIC, NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_RESERVE);
  g_assert_cmpint (decision.blocked_until, ==, RESET_AT);

  nod_sync_policy_state_init (&state);
  state.last_push_now_at = NOW - 20;
  state.push_now_cooldown_s = 60;
  decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PUSH_NOW, NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_COOLDOWN);
  g_assert_cmpint (decision.blocked_until, ==, NOW + 40);

  state.push_now_cooldown_s = 0;
  decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PUSH_NOW, NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);
}

/* Same inputs, same answer; the state is only read. */
static void
test_pure (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (policy_rows); i++)
    {
      const PolicyRow *row = &policy_rows[i];
      NodSyncPolicyState state;
      NodSyncPolicyState copy;
      NodSyncDecision first;
      NodSyncDecision second;
      gint64 now = row->now != 0 ? row->now : NOW;

      state_for_row (&state, row);
      memcpy (&copy, &state, sizeof state);

      first = nod_sync_policy_evaluate (&state, row->trigger, now);
      second = nod_sync_policy_evaluate (&state, row->trigger, now);

      g_assert_cmpmem (&state, sizeof state, &copy, sizeof copy);
      g_assert_cmpint (first.verdict, ==, second.verdict);
      g_assert_cmpint (first.reason, ==, second.reason);
      g_assert_cmpint (first.push, ==, second.push);
      g_assert_cmpint (first.approvals_only, ==, second.approvals_only);
      g_assert_cmpint (first.pull, ==, second.pull);
      g_assert_cmpint (first.blocked_until, ==, second.blocked_until);
    }
}

/* Whatever the answer, its fields agree with each other. */
static void
test_decisions_consistent (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (policy_rows); i++)
    {
      const PolicyRow *row = &policy_rows[i];

      if (row->verdict == NOD_SYNC_VERDICT_START)
        {
          g_assert_cmpint (row->reason, ==, NOD_SYNC_REASON_NONE);
          g_assert_true (row->push || row->pull);
          g_assert_true (!row->approvals_only || row->push);
        }
      else
        {
          g_assert_cmpint (row->reason, !=, NOD_SYNC_REASON_NONE);
          g_assert_false (row->push || row->pull || row->approvals_only);
        }

      if (row->verdict != NOD_SYNC_VERDICT_BLOCK)
        g_assert_cmpint (row->blocked_until, ==, 0);
    }
}

static void
test_reason_sentences (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  /* NOD_SYNC_REASON_WAITS_FOR_CYCLE is the last value. */
  for (NodSyncReason reason = NOD_SYNC_REASON_NONE;
       reason <= NOD_SYNC_REASON_WAITS_FOR_CYCLE;
       reason++)
    {
      const char *sentence = nod_sync_reason_to_sentence (reason);

      g_assert_nonnull (sentence);
      if (reason == NOD_SYNC_REASON_NONE)
        {
          g_assert_cmpstr (sentence, ==, "");
          continue;
        }

      g_assert_cmpstr (sentence, !=, "");
      g_assert_true (g_utf8_validate (sentence, -1, NULL));
      /* Sentence case, no final period, typographic apostrophes. */
      g_assert_true (g_unichar_isupper (g_utf8_get_char (sentence)));
      g_assert_false (g_str_has_suffix (sentence, "."));
      g_assert_null (strchr (sentence, '\''));
      /* Each reason reads differently. */
      g_assert_true (g_hash_table_add (seen, (gpointer) sentence));
    }

  g_assert_cmpstr (nod_sync_reason_to_sentence (NOD_SYNC_REASON_SIGNED_OUT), ==,
                   "Sign in to GitLab again to sync");
  g_assert_cmpstr (nod_sync_reason_to_sentence (NOD_SYNC_REASON_RATE_LIMITED), ==,
                   "GitLab’s rate limit was reached");
}

static void
test_trigger_strings (void)
{
  static const struct
  {
    NodSyncTrigger trigger;
    const char    *name;
    gboolean       background;
  } triggers[] = {
    { NOD_SYNC_TRIGGER_PERIODIC, "periodic", TRUE },
    { NOD_SYNC_TRIGGER_APPROVAL, "approval", FALSE },
    { NOD_SYNC_TRIGGER_PUSH_NOW, "push-now", FALSE },
    { NOD_SYNC_TRIGGER_STARTUP, "startup", TRUE },
    { NOD_SYNC_TRIGGER_NETWORK_UP, "network-up", TRUE },
    { NOD_SYNC_TRIGGER_SETTINGS_CHANGED, "settings-changed", TRUE },
    { NOD_SYNC_TRIGGER_ENQUEUE, "enqueue", FALSE },
    { NOD_SYNC_TRIGGER_RETRY, "retry", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (triggers); i++)
    {
      g_assert_cmpstr (nod_sync_trigger_to_string (triggers[i].trigger), ==, triggers[i].name);
      g_assert_cmpint (nod_sync_trigger_is_background (triggers[i].trigger), ==,
                       triggers[i].background);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (policy_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/nod/sync-policy/", policy_rows[i].name, NULL);

      g_test_add_data_func (path, &policy_rows[i], test_policy_row);
    }

  g_test_add_func ("/nod/sync-policy/state-defaults", test_state_defaults);
  g_test_add_func ("/nod/sync-policy/configured-limits", test_configured_limits);
  g_test_add_func ("/nod/sync-policy/pure", test_pure);
  g_test_add_func ("/nod/sync-policy/decisions-consistent", test_decisions_consistent);
  g_test_add_func ("/nod/sync-policy/reason-sentences", test_reason_sentences);
  g_test_add_func ("/nod/sync-policy/trigger-strings", test_trigger_strings);

  return g_test_run ();
}
