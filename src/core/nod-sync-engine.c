/* nod-sync-engine.c: the one entry point to syncing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every reason to sync — the cycle, an approval, Push now, start-up, the network coming
 * back — goes through nod_sync_engine_request(), which asks the pure policy and starts
 * the jobs it allows. One push job per account at a time: a request that arrives while
 * one runs is remembered and served once it ends, so nothing is sent twice by the
 * engine itself. The periodic timer is armed once and never moved by a flush.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "nod-clock.h"
#include "nod-review-cache.h"
#include "nod-send-lock.h"
#include "nod-sync-engine.h"
#include "nod-sync-log.h"
#include "nod-sync-pull-details.h"
#include "nod-sync-pull-job.h"
#include "nod-sync-push-job.h"

typedef struct
{
  gint64          id;
  NodForge       *forge;
  NodSyncPushJob *push_job;
  NodSyncPullJob *pull_job;
  GCancellable   *push_cancellable;  /* a push stops when its account goes */
  GCancellable   *pull_cancellable;  /* a pull stops when its account signs out or goes */
  gboolean        signed_in;
  gboolean        removed;           /* forgotten: its jobs stop, and tell no one */
  gboolean        rerun_push;        /* a push was asked for while one ran */
  gboolean        rerun_all;         /* … and not only approvals */
  gboolean        rerun_pull;        /* a pull was asked for while one ran */
  gint64          last_push_now_at;
  gint64          pull_paused_until; /* the pull stopped at the rate-limit reserve */
  gint64          kept_block_until;  /* GitLab's Retry-After, heard by an earlier run */
  guint           resume_source;     /* … and goes on by itself once the budget resets */
  guint           push_source;       /* pushes again when GitLab takes notes again, or when
                                      * the soonest backoff ends … */
  gint64          push_at;           /* … at this time, Unix seconds */
  guint           probe_source;      /* asks whether GitLab answers again, while actions
                                      * back off */
  GCancellable   *probe_cancellable; /* the probe on its way */
  gboolean        probe_wanted;      /* an action failed for want of an answer: ask */
  gboolean        unreachable;       /* a probe had no answer */
  gboolean        answered;          /* a job of it heard GitLab since the last count */
  gint64          retried_at_us;     /* when a push last met no answer (or a 5xx) */
  NodOutboxCounts counts;
} Account;

struct _NodSyncEngine
{
  GObject          parent_instance;

  NodStore        *store;
  NodSyncLog      *sync_log;
  NodOutbox       *outbox;
  NodReviewCache  *cache;
  NodDiffCache    *diff_cache;
  NodSyncStatus   *status;
  NodClock        *clock;            /* the time and the timers; the system's unless a test's */
  guint            undo_hold_s;      /* how long a held enqueue waits before a push may take it */
  GPtrArray       *accounts;         /* Account, each held by what works on it too */
  NodSendLock     *send_lock;        /* held while any push job of this process runs */
  GPtrArray       *waiting_pushes;   /* PushRun: ready, waiting for the lock, in order */
  gboolean         taking_lock;      /* waiting for it, or recovering what it guarded */
  guint            sends_running;    /* push jobs running under the lock */
  guint            requests_coming;  /* counts and backoffs' ends that will ask for a sync */
  gboolean         busy_told;        /* :busy as last notified */

  guint            interval_s;
  guint            notes_per_minute;
  guint            history_days;      /* how far back pulls go; 0: all history */
  guint            periodic_source;
  guint            cooldown_source;   /* Push now offered again once its cooldown ends */
  gint64           cooldown_until;
  gboolean         started;
  gboolean         periodic_enabled;
  gboolean         offline_mode;
  gboolean         network_available;
  gboolean         network_metered;
  GNetworkMonitor *network_monitor;
  gulong           network_handler;
};

G_DEFINE_FINAL_TYPE (NodSyncEngine, nod_sync_engine, G_TYPE_OBJECT)

enum {
  SIGNAL_ACTION_FAILED,
  SIGNAL_WAITING_TO_SEND,
  SIGNAL_JOB_FINISHED,
  SIGNAL_MERGE_REQUEST_CLOSED,
  SIGNAL_HISTORY_SYNCED,
  SIGNAL_OUTBOX_CHANGED,
  SIGNAL_TOKEN_REJECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_PERIODIC_ENABLED,
  PROP_OFFLINE_MODE,
  PROP_HISTORY_DAYS,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void watch_for_recovery (NodSyncEngine *self,
                                Account       *account);
static void count_after_job (NodSyncEngine *self,
                             Account       *account,
                             NodSyncTrigger then_request);

/* An account is shared by the list and by the jobs and counts working on it, so that one
 * removed meanwhile is gone only once the last of them is done. Its resume timer is on the
 * engine's clock: the engine clears it first. */
static Account *
account_ref (Account *account)
{
  return g_rc_box_acquire (account);
}

static void
account_clear (Account *account)
{
  g_assert (account->resume_source == 0);
  g_assert (account->push_source == 0 && account->probe_source == 0);
  g_assert (account->probe_cancellable == NULL);
  g_clear_object (&account->forge);
  g_clear_object (&account->push_job);
  g_clear_object (&account->pull_job);
  g_clear_object (&account->push_cancellable);
  g_clear_object (&account->pull_cancellable);
}

static void
account_unref (Account *account)
{
  g_rc_box_release_full (account, (GDestroyNotify) account_clear);
}

static gint64
now_s (NodSyncEngine *self)
{
  return nod_clock_get_now_s (self->clock);
}

/* ---- events ---- */

/* An event a job keeps back from sync_log until its POST has gone. */
typedef struct
{
  gint64      at_us;
  char       *event;
  JsonObject *fields;
} HeldEvent;

static void
held_event_free (HeldEvent *held)
{
  g_free (held->event);
  json_object_unref (held->fields);
  g_free (held);
}

/* A structured log event (domain nod-sync, field NOD_EVENT), kept in sync_log as well —
 * at once, or, with @held, once the job holding it is over. @fields is consumed. Never
 * holds a token: nothing here ever sees one. */
static void
log_event_holding (NodSyncEngine *self,
                   gint64         account_id,
                   const char    *event,
                   JsonObject    *fields,
                   GPtrArray     *held)
{
  g_autoptr(JsonNode) fields_node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_take_object (fields_node, fields);
  text = json_to_string (fields_node, FALSE);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "NOD_EVENT", event,
                    "MESSAGE", "%s %s", event, text);

  if (held != NULL)
    {
      HeldEvent *later = g_new0 (HeldEvent, 1);

      later->at_us = g_get_real_time ();
      later->event = g_strdup (event);
      later->fields = json_object_ref (json_node_get_object (fields_node));
      g_ptr_array_add (held, later);
      return;
    }
  nod_sync_log_add (self->sync_log, account_id, event, json_node_get_object (fields_node));
}

static void
log_event (NodSyncEngine *self,
           gint64         account_id,
           const char    *event,
           JsonObject    *fields)
{
  log_event_holding (self, account_id, event, fields, NULL);
}

/* ---- the policy's view of an account ---- */

static void
fill_policy_state (NodSyncEngine      *self,
                   Account            *account,
                   NodSyncPolicyState *state)
{
  g_autoptr(NodRateLimit) rate_limit = NULL;

  nod_sync_policy_state_init (state);
  state->configured = TRUE;
  state->signed_in = account->signed_in;
  state->offline_mode = self->offline_mode;
  state->network_available = self->network_available;
  state->network_metered = self->network_metered;
  state->push_running = account->push_job != NULL;
  state->pull_running = account->pull_job != NULL;
  state->pending_approvals = account->counts.pending_approvals;
  state->pending_actions = account->counts.pending + account->counts.in_flight;
  /* A signed-out account has no forge, and no budget to speak of. */
  if (account->forge != NULL)
    {
      rate_limit = nod_forge_dup_rate_limit (account->forge);
      state->rate_limit = *rate_limit;
    }
  /* What GitLab asked of an earlier run holds whatever it has answered since. */
  state->rate_limit.retry_at = MAX (state->rate_limit.retry_at, account->kept_block_until);
  state->last_push_now_at = account->last_push_now_at;
  state->reserve = NOD_SYNC_BACKGROUND_RESERVE;
}

static Account *
first_account (NodSyncEngine *self)
{
  return self->accounts->len > 0 ? g_ptr_array_index (self->accounts, 0) : NULL;
}

static void update_status (NodSyncEngine *self);

static gboolean
on_cooldown_over (gpointer data)
{
  NodSyncEngine *self = data;

  self->cooldown_source = 0;
  self->cooldown_until = 0;
  update_status (self);
  return G_SOURCE_REMOVE;
}

/* Push now, refused only for its cooldown, is offered again when the cooldown ends, on
 * the engine's clock: nothing else may happen to recount before then. */
static void
offer_push_now_at (NodSyncEngine *self,
                   gint64         until)
{
  if (self->cooldown_source != 0 && self->cooldown_until == until)
    return;
  nod_clock_clear_timeout (self->clock, &self->cooldown_source);
  self->cooldown_until = until;
  self->cooldown_source = nod_clock_add_timeout_seconds (self->clock,
                                                         (guint) MAX (until - now_s (self), 0),
                                                         on_cooldown_over, self, NULL);
}

/* The status shows the first account for now; several accounts add up their counts. */
static void
tell_busy (NodSyncEngine *self)
{
  gboolean busy = nod_sync_engine_is_busy (self);

  if (busy != self->busy_told)
    {
      self->busy_told = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

static void
update_status (NodSyncEngine *self)
{
  guint pending = 0, failed = 0;
  gboolean busy = FALSE;
  Account *account = first_account (self);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *each = g_ptr_array_index (self->accounts, i);

      pending += each->counts.pending + each->counts.in_flight;
      failed += each->counts.failed;
      busy = busy || each->push_job != NULL || each->pull_job != NULL;
    }

  nod_sync_status_set_pending_count (self->status, pending);
  nod_sync_status_set_failed_count (self->status, failed);

  if (account != NULL)
    {
      NodSyncPolicyState state;
      NodSyncDecision decision;

      fill_policy_state (self, account, &state);
      state.push_running = FALSE;
      state.pull_running = FALSE;
      decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_PUSH_NOW, now_s (self));
      nod_sync_status_set_can_sync_now (self->status,
                                        decision.verdict == NOD_SYNC_VERDICT_START);
      if (decision.reason == NOD_SYNC_REASON_COOLDOWN && decision.blocked_until > 0)
        offer_push_now_at (self, decision.blocked_until);
      /* A cooldown needs no explaining: the outcome of the push just made says more. */
      nod_sync_status_set_sync_now_reason (
        self->status, decision.verdict == NOD_SYNC_VERDICT_START ||
                      decision.reason == NOD_SYNC_REASON_COOLDOWN
                        ? NULL : nod_sync_reason_to_sentence (decision.reason));
    }

  if (busy)
    nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SYNCING);
  tell_busy (self);
}

/* Nothing syncs without an account that is signed in: the status says so while nothing
 * runs, and no longer once one is. */
static void
show_signed_out_unless_usable (NodSyncEngine *self)
{
  Account *first = first_account (self);
  gboolean usable = FALSE;

  for (guint i = 0; i < self->accounts->len; i++)
    usable = usable || ((Account *) g_ptr_array_index (self->accounts, i))->signed_in;

  if (nod_sync_engine_is_busy (self))
    return;
  if (!usable)
    nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
  else if (first->signed_in &&
           nod_sync_status_get_state (self->status) == NOD_SYNC_STATE_SIGNED_OUT)
    nod_sync_status_set_state (self->status, NOD_SYNC_STATE_IDLE);
}

/* ---- the push job ---- */

static void request_for_account (NodSyncEngine  *self,
                                 Account        *account,
                                 NodSyncTrigger  trigger,
                                 gboolean        rerun,
                                 NodSyncDecision *out_decision);

static void
on_action_failed (NodSyncPushJob  *job,
                  NodOutboxAction *action,
                  guint            status,
                  const char      *reason,
                  gpointer         user_data)
{
  NodSyncEngine *self = user_data;
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "op_id", nod_outbox_action_get_op_id (action));
  json_object_set_string_member (fields, "kind",
                                 nod_action_kind_to_string (nod_outbox_action_get_kind (action)));
  json_object_set_int_member (fields, "status", status);
  json_object_set_string_member (fields, "reason", reason);
  log_event (self, nod_outbox_action_get_account_id (action), "sync.action.failed", fields);

  g_signal_emit (self, signals[SIGNAL_ACTION_FAILED], 0, action, reason);
}

typedef struct
{
  NodSyncEngine *self;
  Account       *account;
  gint64         started_us;
  GPtrArray     *held_events;  /* HeldEvent, kept in sync_log when the job ends; or NULL */
} PushRun;

static void
push_run_free (PushRun *run)
{
  g_clear_pointer (&run->held_events, g_ptr_array_unref);
  g_free (run);
}

/* The last send of this process lets another one have its turn, between our reruns too. */
static void
send_ended (NodSyncEngine *self)
{
  g_assert (self->sends_running > 0);
  if (--self->sends_running == 0 && !self->taking_lock)
    nod_send_lock_release (self->send_lock);
}

static Account *find_account (NodSyncEngine *self,
                              gint64         account_id);

/* Something an account waits for, on the engine's clock: the account by id, as it may be
 * gone by then. */
typedef struct
{
  NodSyncEngine *self;
  gint64         account_id;
} AccountLater;

/* Arms @func (given an AccountLater) for @when, Unix seconds on the engine's clock. */
static guint
account_timeout_at (NodSyncEngine *self,
                    Account       *account,
                    gint64         when,
                    GSourceFunc    func)
{
  AccountLater *later = g_new0 (AccountLater, 1);

  later->self = self;
  later->account_id = account->id;
  return nod_clock_add_timeout_seconds (self->clock, (guint) MAX (when - now_s (self), 0),
                                        func, later, g_free);
}

/* Notes held back by GitLab's limit on them (or Nod's own pace), and actions backing off,
 * go once their time comes. */
static gboolean
on_push_due (gpointer data)
{
  AccountLater *later = data;
  Account *account = find_account (later->self, later->account_id);

  if (account == NULL)
    return G_SOURCE_REMOVE;
  account->push_source = 0;
  account->push_at = 0;
  request_for_account (later->self, account, NOD_SYNC_TRIGGER_RETRY, FALSE, NULL);
  update_status (later->self);
  return G_SOURCE_REMOVE;
}

/* One timer an account: the soonest time asked for wins. */
static void
push_again_at (NodSyncEngine *self,
               Account       *account,
               gint64         when)
{
  if (account->push_source != 0 && account->push_at <= when)
    return;
  nod_clock_clear_timeout (self->clock, &account->push_source);
  account->push_source = account_timeout_at (self, account, when, on_push_due);
  account->push_at = when;
}

static void
stop_timers (NodSyncEngine *self,
             Account       *account)
{
  nod_clock_clear_timeout (self->clock, &account->resume_source);
  nod_clock_clear_timeout (self->clock, &account->push_source);
  nod_clock_clear_timeout (self->clock, &account->probe_source);
  account->push_at = 0;
  if (account->probe_cancellable != NULL)
    g_cancellable_cancel (account->probe_cancellable);
}

static void
on_push_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PushRun *run = user_data;
  NodSyncEngine *self = run->self;
  Account *account = run->account;
  NodSyncPushJob *job = NOD_SYNC_PUSH_JOB (source_object);
  NodSyncPushOutcome outcome = { 0, };
  g_autoptr(GError) error = NULL;
  NodSyncSummary summary = { 0, };
  JsonObject *fields;
  NodSyncTrigger rerun_trigger;
  gboolean rerun;

  if (!nod_sync_push_job_run_finish (job, result, &outcome, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_ERROR);
      nod_sync_status_set_last_error (self->status, error->message);
    }

  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&account->push_job);
  g_clear_object (&account->push_cancellable);
  send_ended (self);

  /* Forgotten meanwhile: what it did concerns no one now. */
  if (account->removed)
    {
      nod_sync_push_outcome_clear (&outcome);
      account_unref (account);
      push_run_free (run);
      g_object_unref (self);
      return;
    }

  /* What happened before the POST is kept now, with the job's end, in one write. */
  for (guint i = 0; run->held_events != NULL && i < run->held_events->len; i++)
    {
      HeldEvent *held = g_ptr_array_index (run->held_events, i);

      nod_sync_log_add_at (self->sync_log, held->at_us, account->id, held->event,
                           held->fields);
    }

  fields = json_object_new ();
  json_object_set_int_member (fields, "pushed", outcome.pushed);
  json_object_set_int_member (fields, "failed", outcome.failed);
  json_object_set_int_member (fields, "duration_ms",
                              (nod_clock_get_now_us (self->clock) - run->started_us) / 1000);
  if (outcome.signed_out || outcome.blocked_until > 0)
    {
      json_object_set_boolean_member (fields, "signed_out", outcome.signed_out);
      json_object_set_int_member (fields, "blocked_until", outcome.blocked_until);
      log_event (self, account->id, "sync.job.blocked", fields);
    }
  else
    log_event (self, account->id, "sync.job.completed", fields);

  if (outcome.signed_out)
    {
      account->signed_in = FALSE;
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
      nod_sync_status_set_last_error (self->status, outcome.last_error);
      g_signal_emit (self, signals[SIGNAL_TOKEN_REJECTED], 0, account->id);
    }
  else if (outcome.blocked_until > 0)
    {
      nod_sync_status_set_blocked_until (self->status, outcome.blocked_until);
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
      nod_sync_status_set_last_error (self->status, outcome.last_error);
    }
  else if (error == NULL && outcome.notes_until > now_s (self))
    {
      /* Comments wait for GitLab's limit on notes; approvals still go meanwhile. */
      push_again_at (self, account, outcome.notes_until);
      nod_sync_status_set_blocked_until (self->status, outcome.notes_until);
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
      nod_sync_status_set_last_error (self->status, outcome.last_error);
    }
  else if (error == NULL && account->pull_paused_until > now_s (self))
    {
      /* The approval went; background work still waits for the budget to reset. */
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
    }
  else if (error == NULL)
    {
      gboolean only_retries = outcome.last_error != NULL && outcome.failed == 0;

      nod_sync_status_set_blocked_until (self->status, 0);
      nod_sync_status_set_state (self->status,
                                 only_retries ? NOD_SYNC_STATE_ERROR
                                 : account->pull_job != NULL ? NOD_SYNC_STATE_SYNCING
                                 : NOD_SYNC_STATE_IDLE);
      nod_sync_status_set_last_error (self->status, outcome.last_error);
      if (!only_retries)
        nod_sync_status_set_last_synced_at (self->status, now_s (self));
    }

  /* GitLab took what was sent: what backs off from before may go. Not when some of this
   * push failed for want of an answer — those wait out their backoff. */
  if (outcome.pushed > 0 && outcome.retrying == 0)
    account->answered = TRUE;
  if (outcome.retrying > 0)
    {
      account->probe_wanted = TRUE;
      account->retried_at_us = nod_clock_get_now_us (self->clock);
    }
  summary.pushed = outcome.pushed;
  summary.failed = outcome.failed;
  summary.remaining = 0;  /* filled in once the outbox is counted */
  nod_sync_status_set_last_summary (self->status, &summary);

  rerun = account->rerun_push;
  rerun_trigger = account->rerun_all ? NOD_SYNC_TRIGGER_PUSH_NOW : NOD_SYNC_TRIGGER_APPROVAL;
  account->rerun_push = FALSE;
  account->rerun_all = FALSE;

  nod_sync_push_outcome_clear (&outcome);
  push_run_free (run);

  /* Count what is left, say the job is over, then serve a request that came meanwhile. */
  count_after_job (self, account, rerun ? rerun_trigger : (NodSyncTrigger) -1);
  account_unref (account);
  g_object_unref (self);
}

/* ---- one sender per data directory ---- */

static void
run_push (NodSyncEngine *self,
          PushRun       *run)
{
  self->sends_running++;
  nod_sync_push_job_run_async (run->account->push_job, run->account->push_cancellable,
                               on_push_done, run);
}

static void
run_waiting_pushes (NodSyncEngine *self)
{
  g_autoptr(GPtrArray) ready = g_steal_pointer (&self->waiting_pushes);

  self->waiting_pushes = g_ptr_array_new ();
  self->taking_lock = FALSE;
  for (guint i = 0; i < ready->len; i++)
    run_push (self, ready->pdata[i]);
}

static void
on_orphans_recovered (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(NodSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  guint recovered = 0;

  if (!nod_outbox_recover_finish (self->outbox, result, &recovered, &error))
    g_warning ("Could not look at what was in flight: %s", error->message);
  else if (recovered > 0)
    g_debug ("%u actions were in flight in a process that has gone; they will be looked for "
             "on GitLab before being sent again", recovered);
  run_waiting_pushes (self);
}

/* Nobody else sends now, and nobody here had begun: whatever is in flight was left by a
 * process that died. */
static void
recover_orphans_then_push (NodSyncEngine *self)
{
  nod_outbox_recover_async (self->outbox, NULL, on_orphans_recovered, g_object_ref (self));
}

static void
on_send_lock_acquired (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(NodSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (nod_send_lock_acquire_finish (self->send_lock, result, &error))
    recover_orphans_then_push (self);
  else
    {
      g_warning ("%s; sending without it", error->message);
      run_waiting_pushes (self);
    }
}

/* A push job runs once this process holds the send lock, and, when it has just taken it,
 * once the rows a dead process left in flight are marked for checking. A second process
 * waits its turn instead of sending what the first one is sending. */
static void
send_when_allowed (NodSyncEngine *self,
                   PushRun       *run)
{
  g_autoptr(GError) error = NULL;

  if (nod_send_lock_is_held (self->send_lock) && !self->taking_lock)
    {
      run_push (self, run);
      return;
    }

  g_ptr_array_add (self->waiting_pushes, run);
  if (self->taking_lock)
    return;
  self->taking_lock = TRUE;

  if (nod_send_lock_try_acquire (self->send_lock, &error))
    recover_orphans_then_push (self);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      log_event (self, run->account->id, "sync.push.waiting", json_object_new ());
      g_signal_emit (self, signals[SIGNAL_WAITING_TO_SEND], 0);
      nod_send_lock_acquire_async (self->send_lock, on_send_lock_acquired, g_object_ref (self));
    }
  else
    {
      /* A file system that cannot lock: this process sends, as it did before locks. */
      g_warning ("%s; sending without it", error->message);
      run_waiting_pushes (self);
    }
}

static void
log_job_started (NodSyncEngine *self,
                 Account       *account,
                 gboolean       approvals_only)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "kind", approvals_only ? "flush" : "drain");
  log_event (self, account->id, "sync.job.started", fields);
}

/* The account's push job, made and not run yet: the policy sees it running from now on. */
static PushRun *
prepare_push (NodSyncEngine *self,
              Account       *account,
              gboolean       approvals_only)
{
  PushRun *run = g_new0 (PushRun, 1);

  g_assert (account->push_job == NULL);

  run->self = g_object_ref (self);
  run->account = account_ref (account);
  run->started_us = nod_clock_get_now_us (self->clock);

  account->push_job = nod_sync_push_job_new (self->outbox, account->forge, account->id,
                                             approvals_only);
  nod_sync_push_job_set_clock (account->push_job, self->clock);
  nod_sync_push_job_set_notes_per_minute (account->push_job, self->notes_per_minute);
  g_signal_connect (account->push_job, "action-failed", G_CALLBACK (on_action_failed), self);
  account->push_cancellable = g_cancellable_new ();
  return run;
}

static void
start_push (NodSyncEngine *self,
            Account       *account,
            gboolean       approvals_only)
{
  PushRun *run = prepare_push (self, account, approvals_only);

  log_job_started (self, account, approvals_only);
  nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SYNCING);
  send_when_allowed (self, run);
}

/* ---- the approval's flush, from its enqueue ---- */

/* When an approval's flush may start now (the policy allows it, no push of the account
 * runs, this process may send), it is made ready before the enqueue, with the send lock
 * held and counted as a send: the enqueue's own transaction then claims the approval
 * (recovering first what a dead sender left in flight, when the lock was just taken), and
 * the flush sends it the moment it is durable. Returns NULL for the usual way: count,
 * request, lock, claim. */
static PushRun *
reserve_flush (NodSyncEngine   *self,
               Account         *account,
               NodSyncDecision *out_decision,
               gboolean        *out_took_lock)
{
  g_autoptr(GError) error = NULL;
  NodSyncPolicyState state;

  *out_took_lock = FALSE;
  if (account->removed || account->push_job != NULL || self->taking_lock)
    return NULL;

  fill_policy_state (self, account, &state);
  state.pending_approvals++;
  state.pending_actions++;
  *out_decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_APPROVAL, now_s (self));
  if (out_decision->verdict != NOD_SYNC_VERDICT_START || !out_decision->push ||
      out_decision->pull)
    return NULL;

  /* Held: another account's push of this process runs under it. Taken: nobody sends. */
  if (!nod_send_lock_is_held (self->send_lock))
    {
      /* Someone else sends, or locks don't work here: the usual way says so and waits. */
      if (!nod_send_lock_try_acquire (self->send_lock, &error))
        return NULL;
      *out_took_lock = TRUE;
    }

  self->sends_running++;
  return prepare_push (self, account, TRUE);
}

/* The enqueue failed, or the account went meanwhile: the flush never runs. */
static void
abandon_flush (NodSyncEngine *self,
               PushRun       *run)
{
  Account *account = run->account;

  g_signal_handlers_disconnect_by_data (account->push_job, self);
  g_clear_object (&account->push_job);
  g_clear_object (&account->push_cancellable);
  send_ended (self);

  account_unref (account);
  g_object_unref (run->self);
  push_run_free (run);
}

/* The approval is durable (and claimed, when it could be): the flush starts at once. The
 * request and the job's start go to the structured log now, and to sync_log with the job's
 * end: nothing of the log's is written on the store while the POST goes. */
static void
run_reserved_flush (NodSyncEngine         *self,
                    PushRun               *run,
                    NodOutboxAction       *claimed,
                    const NodSyncDecision *decision)
{
  Account *account = run->account;
  JsonObject *fields = json_object_new ();

  if (claimed != NULL)
    nod_sync_push_job_take_claimed (account->push_job, claimed);
  nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SYNCING);
  nod_sync_push_job_run_async (account->push_job, account->push_cancellable, on_push_done, run);

  json_object_set_string_member (fields, "trigger",
                                 nod_sync_trigger_to_string (NOD_SYNC_TRIGGER_APPROVAL));
  json_object_set_int_member (fields, "verdict", decision->verdict);
  json_object_set_int_member (fields, "reason", decision->reason);
  run->held_events = g_ptr_array_new_with_free_func ((GDestroyNotify) held_event_free);
  log_event_holding (self, account->id, "sync.request", fields, run->held_events);
  fields = json_object_new ();
  json_object_set_string_member (fields, "kind", "flush");
  log_event_holding (self, account->id, "sync.job.started", fields, run->held_events);
  update_status (self);
}

/* ---- the pull job ---- */

static void
on_pull_progress (NodSyncPullJob *job,
                  guint           current,
                  guint           total,
                  gpointer        user_data)
{
  NodSyncEngine *self = user_data;

  nod_sync_status_set_progress (self->status, current, total);
}

static void
on_pull_texts_progress (NodSyncPullJob *job,
                        guint           fetched,
                        guint           wanted,
                        gpointer        user_data)
{
  NodSyncEngine *self = user_data;

  nod_sync_status_set_texts_progress (self->status, fetched, wanted);
}

static void
on_merge_request_closed (NodSyncPullJob  *job,
                         NodMergeRequest *merge_request,
                         gpointer         user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_MERGE_REQUEST_CLOSED], 0, merge_request);
}

typedef struct
{
  NodSyncEngine *self;
  Account       *account;
  gint64         started_us;
} PullRun;

/* A pull paused at the reserve goes on by itself once GitLab's budget has reset. */
static gboolean
on_resume_pull (gpointer data)
{
  AccountLater *later = data;
  Account *account = find_account (later->self, later->account_id);

  if (account == NULL)
    return G_SOURCE_REMOVE;
  account->resume_source = 0;
  account->pull_paused_until = 0;
  request_for_account (later->self, account, NOD_SYNC_TRIGGER_SETTINGS_CHANGED, FALSE, NULL);
  update_status (later->self);
  return G_SOURCE_REMOVE;
}

static NodSyncPullOutcome
pull_outcome_of (const GError *error,
                 gint64        paused_until)
{
  if (error == NULL)
    return paused_until > 0 ? NOD_SYNC_PULL_PAUSED : NOD_SYNC_PULL_DONE;
  if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED))
    return NOD_SYNC_PULL_PAUSED;
  if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_NETWORK) ||
      g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT))
    return NOD_SYNC_PULL_UNREACHABLE;
  return NOD_SYNC_PULL_FAILED;
}

/* What the pull did, for "pulled N" and for a command's exit status. */
static void
keep_pull_summary (NodSyncEngine      *self,
                   guint               pulled,
                   NodSyncPullOutcome  outcome)
{
  const NodSyncSummary *last = nod_sync_status_get_last_summary (self->status);
  NodSyncSummary summary = last != NULL ? *last : (NodSyncSummary) { 0, };

  summary.pulled = pulled;
  summary.pull_outcome = outcome;
  nod_sync_status_set_last_summary (self->status, &summary);
}

static void
on_pull_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PullRun *run = user_data;
  NodSyncEngine *self = run->self;
  Account *account = run->account;
  NodSyncPullJob *job = NOD_SYNC_PULL_JOB (source_object);
  g_autoptr(GError) error = NULL;
  JsonObject *fields;
  guint pulled = 0;
  gint64 paused_until = 0;
  gboolean history_done;

  nod_sync_pull_job_run_finish (job, result, &pulled, &paused_until, &error);
  history_done = error == NULL && nod_sync_pull_job_get_history_done (job);
  g_signal_handlers_disconnect_by_data (job, self);
  g_clear_object (&account->pull_job);
  g_clear_object (&account->pull_cancellable);

  /* Forgotten meanwhile: what it did concerns no one now. */
  if (account->removed)
    {
      account_unref (account);
      g_free (run);
      g_object_unref (self);
      return;
    }

  account->pull_paused_until = paused_until;
  nod_sync_status_set_progress (self->status, 0, 0);
  nod_sync_status_set_texts_progress (self->status, 0, 0);
  fields = json_object_new ();
  if (error == NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    keep_pull_summary (self, pulled, pull_outcome_of (error, paused_until));

  json_object_set_int_member (fields, "pulled", pulled);
  json_object_set_int_member (fields, "duration_ms",
                              (nod_clock_get_now_us (self->clock) - run->started_us) / 1000);

  if (error == NULL && paused_until > 0)
    {
      nod_clock_clear_timeout (self->clock, &account->resume_source);
      account->resume_source = account_timeout_at (self, account, paused_until + 1,
                                                   on_resume_pull);
      json_object_set_int_member (fields, "blocked_until", paused_until);
      log_event (self, account->id, "sync.job.blocked", fields);
      nod_sync_status_set_blocked_until (self->status, paused_until);
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
      nod_sync_status_set_last_error (self->status,
                                      nod_sync_reason_to_sentence (NOD_SYNC_REASON_RESERVE));
    }
  else if (error == NULL)
    {
      /* Only a pull begun after the failure says GitLab is back: one that ran beside it
       * was answered while the failing request was not. */
      if (run->started_us > account->retried_at_us)
        account->answered = TRUE;
      log_event (self, account->id, "sync.job.completed", fields);
      nod_sync_status_set_last_synced_at (self->status, now_s (self));
      if (account->push_job == NULL)
        nod_sync_status_set_state (self->status, NOD_SYNC_STATE_IDLE);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      json_object_set_string_member (fields, "error", error->message);
      log_event (self, account->id, "sync.job.failed", fields);

      if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH))
        {
          account->signed_in = FALSE;
          nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
          g_signal_emit (self, signals[SIGNAL_TOKEN_REJECTED], 0, account->id);
        }
      else if (g_error_matches (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_RATE_LIMITED) &&
               account->forge != NULL)
        {
          g_autoptr(NodRateLimit) limit = nod_forge_dup_rate_limit (account->forge);

          nod_sync_status_set_blocked_until (self->status,
                                             nod_rate_limit_blocked_until (limit, 0, now_s (self)));
          nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
        }
      else
        nod_sync_status_set_state (self->status, NOD_SYNC_STATE_ERROR);
      nod_sync_status_set_last_error (self->status, error->message);
    }
  else
    json_object_unref (fields);

  g_free (run);
  if (history_done)
    g_signal_emit (self, signals[SIGNAL_HISTORY_SYNCED], 0, account->id);
  /* Closed merge requests may have failed some actions: count again, then serve a pull
   * asked for meanwhile. */
  count_after_job (self, account, account->rerun_pull ? NOD_SYNC_TRIGGER_SETTINGS_CHANGED
                                                      : (NodSyncTrigger) -1);
  account->rerun_pull = FALSE;
  account_unref (account);
  g_object_unref (self);
}

static void
start_pull (NodSyncEngine *self,
            Account       *account)
{
  PullRun *run = g_new0 (PullRun, 1);
  JsonObject *fields = json_object_new ();

  g_assert (account->pull_job == NULL);

  run->self = g_object_ref (self);
  run->account = account_ref (account);
  run->started_us = nod_clock_get_now_us (self->clock);

  json_object_set_string_member (fields, "kind", "pull");
  log_event (self, account->id, "sync.job.started", fields);

  account->pull_job = nod_sync_pull_job_new (self->cache, self->diff_cache, account->forge,
                                             account->id);
  nod_sync_pull_job_set_clock (account->pull_job, self->clock);
  if (self->history_days > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (now_s (self));
      g_autoptr(GDateTime) since = g_date_time_add_days (now, -(int) self->history_days);

      nod_sync_pull_job_set_since (account->pull_job, since);
    }
  g_signal_connect (account->pull_job, "progress", G_CALLBACK (on_pull_progress), self);
  g_signal_connect (account->pull_job, "texts-progress", G_CALLBACK (on_pull_texts_progress),
                    self);
  g_signal_connect (account->pull_job, "merge-request-closed",
                    G_CALLBACK (on_merge_request_closed), self);
  nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SYNCING);
  account->pull_cancellable = g_cancellable_new ();
  nod_sync_pull_job_run_async (account->pull_job, account->pull_cancellable, on_pull_done, run);
}

/* ---- requests ---- */

static void
show_block (NodSyncEngine         *self,
            const NodSyncDecision *decision)
{
  switch (decision->reason)
    {
    case NOD_SYNC_REASON_SIGNED_OUT:
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
      break;

    case NOD_SYNC_REASON_OFFLINE_MODE:
    case NOD_SYNC_REASON_NO_NETWORK:
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_OFFLINE);
      break;

    case NOD_SYNC_REASON_RATE_LIMITED:
    case NOD_SYNC_REASON_RESERVE:
      nod_sync_status_set_blocked_until (self->status, decision->blocked_until);
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
      break;

    default:
      return;
    }

  nod_sync_status_set_last_error (self->status, nod_sync_reason_to_sentence (decision->reason));
}

static void
request_for_account (NodSyncEngine   *self,
                     Account         *account,
                     NodSyncTrigger   trigger,
                     gboolean         rerun,
                     NodSyncDecision *out_decision)
{
  NodSyncPolicyState state;
  NodSyncDecision decision;
  JsonObject *fields = json_object_new ();
  gint64 now = now_s (self);

  if (account->removed)
    {
      json_object_unref (fields);
      if (out_decision != NULL)
        *out_decision = (NodSyncDecision) { NOD_SYNC_VERDICT_SKIP,
                                            NOD_SYNC_REASON_NOT_CONFIGURED, };
      return;
    }

  fill_policy_state (self, account, &state);
  /* A Push now remembered during a job is served without a second cooldown. */
  if (rerun)
    state.last_push_now_at = 0;

  decision = nod_sync_policy_evaluate (&state, trigger, now);

  json_object_set_string_member (fields, "trigger", nod_sync_trigger_to_string (trigger));
  json_object_set_int_member (fields, "verdict", decision.verdict);
  json_object_set_int_member (fields, "reason", decision.reason);
  log_event (self, account->id, "sync.request", fields);

  if (decision.verdict == NOD_SYNC_VERDICT_SKIP &&
      decision.reason == NOD_SYNC_REASON_JOB_RUNNING)
    {
      /* Served once the running job ends: a push after the push, a pull after the pull. */
      if (account->push_job != NULL && trigger != NOD_SYNC_TRIGGER_SETTINGS_CHANGED)
        {
          account->rerun_push = TRUE;
          account->rerun_all = account->rerun_all || trigger != NOD_SYNC_TRIGGER_APPROVAL;
        }
      if (account->pull_job != NULL && trigger != NOD_SYNC_TRIGGER_APPROVAL &&
          trigger != NOD_SYNC_TRIGGER_PUSH_NOW && trigger != NOD_SYNC_TRIGGER_RETRY)
        account->rerun_pull = TRUE;
    }
  else if (decision.verdict == NOD_SYNC_VERDICT_BLOCK)
    show_block (self, &decision);
  else if (decision.verdict == NOD_SYNC_VERDICT_START)
    {
      if (trigger == NOD_SYNC_TRIGGER_PUSH_NOW)
        account->last_push_now_at = now;
      if (decision.push)
        start_push (self, account, decision.approvals_only);
      if (decision.pull)
        start_pull (self, account);
    }

  if (out_decision != NULL)
    *out_decision = decision;
}

/**
 * nod_sync_engine_request:
 * @trigger: why
 *
 * Asks the policy and starts what it allows, for every account. Never blocks.
 *
 * Returns: the policy's decision for the first account
 */
NodSyncDecision
nod_sync_engine_request (NodSyncEngine  *self,
                         NodSyncTrigger  trigger)
{
  NodSyncDecision first = { NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOT_CONFIGURED, };

  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), first);

  for (guint i = 0; i < self->accounts->len; i++)
    request_for_account (self, g_ptr_array_index (self->accounts, i), trigger, FALSE,
                         i == 0 ? &first : NULL);

  update_status (self);
  return first;
}

/**
 * nod_sync_engine_request_account:
 * @trigger: why
 *
 * Asks the policy for one account only and starts what it allows: what a command that acts
 * for one account does.
 *
 * Returns: the policy's decision for that account
 */
NodSyncDecision
nod_sync_engine_request_account (NodSyncEngine  *self,
                                 gint64          account_id,
                                 NodSyncTrigger  trigger)
{
  NodSyncDecision decision = { NOD_SYNC_VERDICT_SKIP, NOD_SYNC_REASON_NOT_CONFIGURED, };
  Account *account;

  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), decision);

  account = find_account (self, account_id);
  if (account != NULL)
    request_for_account (self, account, trigger, FALSE, &decision);
  update_status (self);
  return decision;
}

gboolean
nod_sync_engine_is_busy (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), FALSE);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      if (account->push_job != NULL || account->pull_job != NULL)
        return TRUE;
    }
  return self->requests_coming > 0;
}

/* ---- counting ---- */

typedef struct
{
  NodSyncEngine  *self;
  Account        *account;
  int             then_request;  /* a NodSyncTrigger, or -1 */
  gboolean        after_job;     /* a push job ended: announce it once counted */
} CountRun;

static void
on_counted (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CountRun *run = user_data;
  NodSyncEngine *self = run->self;
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts;

  if (!nod_outbox_count_finish (self->outbox, result, &counts, &error))
    g_warning ("Could not count the outbox: %s", error->message);
  /* A removed account's rows are going: it counts for nothing. */
  else if (!run->account->removed)
    {
      const NodSyncSummary *last = nod_sync_status_get_last_summary (self->status);

      run->account->counts = counts;
      watch_for_recovery (self, run->account);
      if (last != NULL)
        {
          NodSyncSummary summary = *last;

          summary.remaining = counts.pending + counts.in_flight;
          nod_sync_status_set_last_summary (self->status, &summary);
        }
    }

  update_status (self);
  /* A job that outlived its account's sign-out ends in the state the sign-out set. */
  if (!run->account->signed_in && run->account->push_job == NULL &&
      run->account->pull_job == NULL && !run->account->removed)
    nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
  if (run->after_job)
    g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0);

  if (run->then_request >= 0)
    {
      self->requests_coming--;
      request_for_account (self, run->account, (NodSyncTrigger) run->then_request,
                           run->after_job, NULL);
      update_status (self);
    }

  account_unref (run->account);
  g_object_unref (self);
  g_free (run);
}

/* Counts @account's outbox, then (unless -1) asks for @then_request. */
static void
count_then_request (NodSyncEngine  *self,
                    Account        *account,
                    NodSyncTrigger  then_request,
                    gboolean        after_job)
{
  CountRun *run = g_new0 (CountRun, 1);

  run->self = g_object_ref (self);
  run->account = account_ref (account);
  run->then_request = (int) then_request;
  run->after_job = after_job;
  if (run->then_request >= 0)
    self->requests_coming++;
  nod_outbox_count_async (self->outbox, account->id, NULL, on_counted, run);
}

static void
count_after_job (NodSyncEngine  *self,
                 Account        *account,
                 NodSyncTrigger  then_request)
{
  count_then_request (self, account, then_request, TRUE);
}

/* ---- recovery: GitLab answers again ---- */

/* How often, while actions back off, the engine asks whether GitLab answers again: once
 * it does, they go within this time, not at the end of a backoff of minutes. */
#define PROBE_INTERVAL_S 2

typedef struct
{
  NodSyncEngine *self;
  Account       *account;
} RecoveryRun;

static RecoveryRun *
recovery_run_new (NodSyncEngine *self,
                  Account       *account)
{
  RecoveryRun *run = g_new0 (RecoveryRun, 1);

  run->self = g_object_ref (self);
  run->account = account_ref (account);
  return run;
}

static void
recovery_run_free (RecoveryRun *run)
{
  account_unref (run->account);
  g_object_unref (run->self);
  g_free (run);
}

static void
on_backoff_ended (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RecoveryRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->self->requests_coming--;
  if (!nod_outbox_end_backoff_finish (run->self->outbox, result, &error))
    g_warning ("Could not end the backoff: %s", error->message);
  else if (!run->account->removed)
    count_then_request (run->self, run->account, NOD_SYNC_TRIGGER_RETRY, FALSE);
  tell_busy (run->self);
  recovery_run_free (run);
}

/* Every action of @account backing off becomes due, and a push is asked for. */
static void
end_backoff (NodSyncEngine *self,
             Account       *account)
{
  nod_clock_clear_timeout (self->clock, &account->probe_source);
  account->probe_wanted = FALSE;
  account->unreachable = FALSE;
  self->requests_coming++;
  nod_outbox_end_backoff_async (self->outbox, account->id, NULL, on_backoff_ended,
                                recovery_run_new (self, account));
}

static void arm_probe (NodSyncEngine *self,
                       Account       *account);

/* An answer of GitLab's own, even a refusal, says it is there; no answer, or a 5xx, that
 * it is not (yet). */
static gboolean
gitlab_answered (const GError *error)
{
  return error == NULL ||
         (error->domain == NOD_FORGE_ERROR &&
          error->code != NOD_FORGE_ERROR_NETWORK &&
          error->code != NOD_FORGE_ERROR_TIMEOUT &&
          error->code != NOD_FORGE_ERROR_SERVER);
}

static void
on_probed (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RecoveryRun *run = user_data;
  NodSyncEngine *self = run->self;
  Account *account = run->account;
  g_autoptr(NodUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = nod_forge_get_current_user_finish (NOD_FORGE (source_object), result, &error);
  g_clear_object (&account->probe_cancellable);

  if (account->removed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (!gitlab_answered (error))
    {
      account->unreachable = TRUE;
      arm_probe (self, account);
    }
  else if (account->unreachable)
    end_backoff (self, account);
  else
    /* GitLab answered all along: what backs off failed on its own, and waits its time. */
    account->probe_wanted = FALSE;

  recovery_run_free (run);
}

static gboolean
on_probe_due (gpointer data)
{
  AccountLater *later = data;
  NodSyncEngine *self = later->self;
  Account *account = find_account (self, later->account_id);

  if (account == NULL)
    return G_SOURCE_REMOVE;
  account->probe_source = 0;
  if (account->forge == NULL || !account->signed_in || account->counts.backing_off == 0 ||
      !self->network_available || self->offline_mode)
    return G_SOURCE_REMOVE;  /* network-up, or the next count, looks again */

  account->probe_cancellable = g_cancellable_new ();
  nod_forge_get_current_user_async (account->forge, account->probe_cancellable, on_probed,
                                    recovery_run_new (self, account));
  return G_SOURCE_REMOVE;
}

static void
arm_probe (NodSyncEngine *self,
           Account       *account)
{
  if (account->probe_source != 0 || account->probe_cancellable != NULL ||
      !(account->probe_wanted || account->unreachable))
    return;
  account->probe_source = account_timeout_at (self, account, now_s (self) + PROBE_INTERVAL_S,
                                              on_probe_due);
}

/* Called with each new count: a job that heard GitLab ends every backoff at once; else the
 * push comes back when the soonest waiting action is due, and GitLab is asked meanwhile
 * whether it is there again. */
static void
watch_for_recovery (NodSyncEngine *self,
                    Account       *account)
{
  gboolean answered = account->answered;
  gint64 due_s;

  account->answered = FALSE;
  if (!account->signed_in || account->forge == NULL)
    return;

  if (account->counts.backing_off > 0 && answered)
    {
      end_backoff (self, account);
      return;
    }

  due_s = (account->counts.due_at + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  if (due_s > now_s (self))
    push_again_at (self, account, due_s);

  if (account->counts.backing_off == 0)
    {
      nod_clock_clear_timeout (self->clock, &account->probe_source);
      account->probe_wanted = FALSE;
      account->unreachable = FALSE;
    }
  else if (due_s > now_s (self) + PROBE_INTERVAL_S)
    arm_probe (self, account);
}

/* The network is back: what backed off while it was away goes now. */
static void
end_every_backoff (NodSyncEngine *self)
{
  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      if (account->signed_in && account->forge != NULL && account->counts.backing_off > 0)
        end_backoff (self, account);
    }
}

/* ---- enqueue ---- */

static Account *
find_account (NodSyncEngine *self,
              gint64         account_id)
{
  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      if (account->id == account_id)
        return account;
    }
  return NULL;
}

/* Signed out, offline, blocked since the flush was made ready: asked again, the policy
 * has the last word before anything is sent. */
static gboolean
flush_still_allowed (NodSyncEngine   *self,
                     Account         *account,
                     NodSyncDecision *out_decision)
{
  NodSyncPolicyState state;

  fill_policy_state (self, account, &state);
  state.push_running = FALSE;  /* the flush itself */
  *out_decision = nod_sync_policy_evaluate (&state, NOD_SYNC_TRIGGER_APPROVAL, now_s (self));
  return out_decision->verdict == NOD_SYNC_VERDICT_START && out_decision->push;
}

static void
on_flush_handed_back (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A row that could not be handed back stays in flight; the next holder of the lock
   * recovers it. */
  if (!nod_outbox_release_finish (NOD_OUTBOX (source_object), result, &error))
    g_warning ("Could not hand an approval back to the outbox: %s", error->message);
}

/* The flush may not run after all: the approval it claimed goes back unsent, uncounted,
 * and the status says why, as a request would have. */
static void
hand_back_flush (NodSyncEngine         *self,
                 PushRun               *run,
                 NodOutboxAction       *claimed,
                 const NodSyncDecision *decision)
{
  Account *account = account_ref (run->account);
  JsonObject *fields = json_object_new ();

  if (claimed != NULL)
    nod_outbox_release_async (self->outbox, nod_outbox_action_get_op_id (claimed), 0, NULL,
                              on_flush_handed_back, NULL);
  abandon_flush (self, run);

  json_object_set_string_member (fields, "trigger",
                                 nod_sync_trigger_to_string (NOD_SYNC_TRIGGER_APPROVAL));
  json_object_set_int_member (fields, "verdict", decision->verdict);
  json_object_set_int_member (fields, "reason", decision->reason);
  log_event (self, account->id, "sync.request", fields);
  if (decision->verdict == NOD_SYNC_VERDICT_BLOCK)
    show_block (self, decision);
  update_status (self);
  count_then_request (self, account, (NodSyncTrigger) -1, FALSE);
  account_unref (account);
}

/* An enqueue on its way, and the flush made ready for it (or NULL). */
typedef struct
{
  NodOutboxAction *draft;
  PushRun         *flush;
  NodSyncDecision  decision;  /* the policy's, for the flush */
} EnqueueRun;

static void
enqueue_run_free (EnqueueRun *run)
{
  g_assert (run->flush == NULL);
  g_clear_object (&run->draft);
  g_free (run);
}

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSyncEngine *self = g_task_get_source_object (task);
  EnqueueRun *run = g_task_get_task_data (task);
  NodOutboxAction *draft = run->draft;
  PushRun *flush = g_steal_pointer (&run->flush);
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(NodOutboxAction) claimed = NULL;
  g_autoptr(GError) error = NULL;
  guint recovered = 0;
  Account *account;
  NodSyncTrigger trigger;
  gboolean drafted;
  gboolean ok;

  if (flush != NULL)
    ok = nod_outbox_enqueue_and_claim_finish (self->outbox, result, &stored, &recovered,
                                              &error);
  else
    ok = nod_outbox_enqueue_finish (self->outbox, result, &stored, &error);
  if (!ok)
    {
      if (flush != NULL)
        abandon_flush (self, flush);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (recovered > 0)
    g_debug ("%u actions were in flight in a process that has gone; they will be looked for "
             "on GitLab before being sent again", recovered);
  if (stored != NULL && nod_outbox_action_get_state (stored) == NOD_ACTION_IN_FLIGHT)
    claimed = g_object_ref (stored);

  account = find_account (self, nod_outbox_action_get_account_id (draft));
  trigger = nod_outbox_action_is_approval (draft) ? NOD_SYNC_TRIGGER_APPROVAL
                                                  : NOD_SYNC_TRIGGER_ENQUEUE;

  /* Counted at once, so a request made as soon as the caller hears (a periodic cycle, a
   * Push now) sees it; the recount below settles the exact figures. */
  /* A draft goes nowhere until its review is submitted: not counted, nothing to push. */
  drafted = stored != NULL && nod_outbox_action_get_state (stored) == NOD_ACTION_DRAFT;
  if (account != NULL && stored != NULL && !drafted)
    {
      account->counts.pending++;
      if (nod_outbox_action_is_approval (stored))
        account->counts.pending_approvals++;
    }

  /* The caller hears first: the action is durable, and nothing waits on the network. */
  g_task_return_pointer (task, g_steal_pointer (&stored), g_object_unref);

  if (flush != NULL)
    {
      /* Removed meanwhile: its rows are going, the claimed one with them. */
      if (flush->account->removed)
        abandon_flush (self, flush);
      else if (flush_still_allowed (self, flush->account, &run->decision))
        run_reserved_flush (self, flush, claimed, &run->decision);
      else
        hand_back_flush (self, flush, claimed, &run->decision);
      /* The exact figures come once the flush ends (it counts the outbox then). */
      return;
    }

  if (account != NULL && !drafted)
    count_then_request (self, account, trigger, FALSE);
}

/**
 * nod_sync_engine_enqueue_async:
 *
 * Records a review action in the outbox; the callback runs as soon as it is durable.
 * An approval or its revocation is then flushed to GitLab at once; other actions wait
 * for the cycle or Push now.
 */
void
nod_sync_engine_enqueue_async (NodSyncEngine       *self,
                               NodOutboxAction     *action,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EnqueueRun *run;
  Account *account;
  gboolean took_lock = FALSE;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (action));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_sync_engine_enqueue_async);
  run = g_new0 (EnqueueRun, 1);
  run->draft = g_object_ref (action);
  g_task_set_task_data (task, run, (GDestroyNotify) enqueue_run_free);

  account = find_account (self, nod_outbox_action_get_account_id (action));
  if (account != NULL && nod_outbox_action_is_approval (action))
    run->flush = reserve_flush (self, account, &run->decision, &took_lock);

  if (run->flush == NULL)
    {
      nod_outbox_enqueue_async (self->outbox, action, cancellable, on_enqueued,
                                g_steal_pointer (&task));
      return;
    }

  /* Nothing between this commit and the POST: the claim, and the recovery a new holder
   * of the lock owes, ride in the enqueue's own transaction. Not cancellable: a claim
   * committed must be known to be, or the row would stay in flight with no one sending
   * it (the caller's @cancellable still ends its wait). */
  nod_outbox_enqueue_and_claim_async (self->outbox, action,
                                      NOD_OUTBOX_ENQUEUE_CLAIM |
                                      (took_lock ? NOD_OUTBOX_ENQUEUE_RECOVER : 0),
                                      nod_clock_get_now_us (self->clock), NULL,
                                      on_enqueued, g_steal_pointer (&task));
}

/* How long, on the engine's clock, nod_sync_engine_enqueue_held_async () holds an action
 * (NOD_SYNC_UNDO_HOLD_S unless set; 0: not at all). */
void
nod_sync_engine_set_undo_hold (NodSyncEngine *self,
                               guint          seconds)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  self->undo_hold_s = seconds;
}

guint
nod_sync_engine_get_undo_hold (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), 0);
  return self->undo_hold_s;
}

/**
 * nod_sync_engine_enqueue_held_async:
 *
 * Enqueues a comment or reply as nod_sync_engine_enqueue_async () does — durably, at once —
 * but held: no push takes it for the engine's undo hold (nod_sync_engine_get_undo_hold ()),
 * so the reviewer can still take it back (nod_sync_engine_cancel_action_async (): Undo).
 * Finish with nod_sync_engine_enqueue_finish ().
 */
void
nod_sync_engine_enqueue_held_async (NodSyncEngine       *self,
                                    NodOutboxAction     *action,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (NOD_IS_OUTBOX_ACTION (action));
  /* An approval's flush claims it in its own enqueue: it has no moment to be held in. */
  g_return_if_fail (!nod_outbox_action_is_approval (action));

  if (self->undo_hold_s > 0)
    nod_outbox_action_set_not_before (action, nod_clock_get_now_us (self->clock) +
                                              (gint64) self->undo_hold_s * G_USEC_PER_SEC);
  nod_sync_engine_enqueue_async (self, action, cancellable, callback, user_data);
}

/**
 * nod_sync_engine_enqueue_finish:
 *
 * Returns: (transfer full) (nullable): the queued action, or %NULL with no error when it
 *   cancelled a pending opposite
 */
NodOutboxAction *
nod_sync_engine_enqueue_finish (NodSyncEngine  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- counting every account ---- */

/* What to do once every account is counted: @task is the caller's. */
typedef void (*CountedFunc) (NodSyncEngine *self,
                             GTask         *task);

typedef struct
{
  guint        outstanding;
  GError      *error;
  CountedFunc  then;
} EveryCount;

static void
every_count_free (EveryCount *count)
{
  g_clear_error (&count->error);
  g_free (count);
}

typedef struct
{
  GTask   *task;
  Account *account;
} AccountCount;

static void
on_account_counted (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  AccountCount *each = user_data;
  g_autoptr(GTask) task = each->task;
  NodSyncEngine *self = g_task_get_source_object (task);
  EveryCount *count = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!nod_outbox_count_finish (self->outbox, result, &each->account->counts, &error) &&
      count->error == NULL)
    count->error = g_steal_pointer (&error);
  account_unref (each->account);
  g_free (each);

  if (--count->outstanding > 0)
    return;

  if (count->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&count->error));
      return;
    }
  count->then (self, task);
}

/* Counts the outbox of every account, then calls @then with @task (which it takes). */
static void
count_every_account (NodSyncEngine *self,
                     GTask         *task,
                     CountedFunc    then)
{
  EveryCount *count = g_new0 (EveryCount, 1);

  count->then = then;
  count->outstanding = self->accounts->len;
  g_task_set_task_data (task, count, (GDestroyNotify) every_count_free);
  if (self->accounts->len == 0)
    {
      then (self, task);
      g_object_unref (task);
      return;
    }

  for (guint i = 0; i < self->accounts->len; i++)
    {
      AccountCount *each = g_new0 (AccountCount, 1);

      each->task = i + 1 < self->accounts->len ? g_object_ref (task) : task;
      each->account = account_ref (g_ptr_array_index (self->accounts, i));
      nod_outbox_count_async (self->outbox, each->account->id, NULL, on_account_counted, each);
    }
}

/* ---- retry and discard ---- */

static void
retry_after_count (NodSyncEngine *self,
                   GTask         *task)
{
  update_status (self);
  /* Retry means now, whatever Push now did a moment ago. */
  nod_sync_engine_request (self, NOD_SYNC_TRIGGER_RETRY);
  g_task_return_boolean (task, TRUE);
}

static void
discard_after_count (NodSyncEngine *self,
                     GTask         *task)
{
  update_status (self);
  /* A text edited changes no count: say so, for whoever shows the rows. */
  g_signal_emit (self, signals[SIGNAL_OUTBOX_CHANGED], 0);
  g_task_return_boolean (task, TRUE);
}

static void
on_outbox_changed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSyncEngine *self = g_task_get_source_object (task);
  gpointer tag = g_task_get_source_tag (task);
  gboolean retry = tag == nod_sync_engine_retry_async;
  g_autoptr(GError) error = NULL;
  gboolean changed;

  if (retry)
    changed = nod_outbox_retry_finish (self->outbox, result, &error);
  else if (tag == nod_sync_engine_cancel_action_async)
    changed = nod_outbox_cancel_finish (self->outbox, result, &error);
  else if (tag == nod_sync_engine_edit_action_async)
    changed = nod_outbox_edit_finish (self->outbox, result, &error);
  else
    changed = nod_outbox_discard_finish (self->outbox, result, &error);

  if (!changed)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The status shows the outbox as it is now, online or not. */
  count_every_account (self, g_steal_pointer (&task),
                       retry ? retry_after_count : discard_after_count);
}

/* A retry, discard, cancel or edit (to @body) of @op_id, told apart by @source_tag. */
static void
change_outbox (NodSyncEngine       *self,
               const char          *op_id,
               const char          *body,
               gpointer             source_tag,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (source_tag == nod_sync_engine_retry_async)
    nod_outbox_retry_async (self->outbox, op_id, cancellable, on_outbox_changed, task);
  else if (source_tag == nod_sync_engine_cancel_action_async)
    nod_outbox_cancel_async (self->outbox, op_id, cancellable, on_outbox_changed, task);
  else if (source_tag == nod_sync_engine_edit_action_async)
    nod_outbox_edit_async (self->outbox, op_id, body, cancellable, on_outbox_changed, task);
  else
    nod_outbox_discard_async (self->outbox, op_id, cancellable, on_outbox_changed, task);
}

/**
 * nod_sync_engine_retry_async:
 * @op_id: a failed or backing-off action
 *
 * The reviewer asks to try an action again: it is due now, with a fresh count of
 * attempts, and a push starts at once if it can. Completes once the status counts it as
 * pending again.
 */
void
nod_sync_engine_retry_async (NodSyncEngine       *self,
                             const char          *op_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (op_id != NULL);

  change_outbox (self, op_id, NULL, nod_sync_engine_retry_async, cancellable, callback, user_data);
}

gboolean
nod_sync_engine_retry_finish (NodSyncEngine  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nod_sync_engine_discard_async:
 * @op_id: a pending or failed action (one being sent cannot be discarded)
 *
 * The reviewer drops an action. Completes once the status no longer counts it.
 */
void
nod_sync_engine_discard_async (NodSyncEngine       *self,
                               const char          *op_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (op_id != NULL);

  change_outbox (self, op_id, NULL, nod_sync_engine_discard_async, cancellable, callback, user_data);
}

/* Returns: %TRUE once the action is gone and the status says so */
gboolean
nod_sync_engine_discard_finish (NodSyncEngine  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  return nod_sync_engine_retry_finish (self, result, error);
}

/**
 * nod_sync_engine_cancel_action_async:
 * @op_id: a pending or failed action, not possibly on GitLab already
 *
 * The reviewer takes back an action before it is sent (see nod_outbox_cancel_async ()).
 * Completes once the status no longer counts it; refused with a sentence when it can't be.
 */
void
nod_sync_engine_cancel_action_async (NodSyncEngine       *self,
                                     const char          *op_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (op_id != NULL);

  change_outbox (self, op_id, NULL, nod_sync_engine_cancel_action_async, cancellable,
                 callback, user_data);
}

gboolean
nod_sync_engine_cancel_action_finish (NodSyncEngine  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return nod_sync_engine_retry_finish (self, result, error);
}

/**
 * nod_sync_engine_edit_action_async:
 * @body: the comment's new text
 *
 * The reviewer rewords a comment or reply before it is sent (see nod_outbox_edit_async ()):
 * it keeps its place in the queue.
 */
void
nod_sync_engine_edit_action_async (NodSyncEngine       *self,
                                   const char          *op_id,
                                   const char          *body,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (op_id != NULL);

  change_outbox (self, op_id, body, nod_sync_engine_edit_action_async, cancellable,
                 callback, user_data);
}

gboolean
nod_sync_engine_edit_action_finish (NodSyncEngine  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return nod_sync_engine_retry_finish (self, result, error);
}

/* ---- draft reviews ---- */

/* What a review call hands back: a flag and up to three counts. */
typedef struct
{
  gint64   account_id;
  gboolean started;
  guint    counts[3];
  char    *review_id;
} ReviewRun;

static void
review_run_free (ReviewRun *run)
{
  g_free (run->review_id);
  g_free (run);
}

static GTask *
review_task_new (NodSyncEngine       *self,
                 gint64               account_id,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReviewRun *run = g_new0 (ReviewRun, 1);

  run->account_id = account_id;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, run, (GDestroyNotify) review_run_free);
  return task;
}

/* The run of a review call that succeeded, or NULL with its error. */
static ReviewRun *
review_run_finish (NodSyncEngine  *self,
                   GAsyncResult   *result,
                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_task_get_task_data (G_TASK (result));
}

static void
on_review_changed (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSyncEngine *self = g_task_get_source_object (task);
  ReviewRun *run = g_task_get_task_data (task);
  gpointer tag = g_task_get_source_tag (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  gboolean queued;
  Account *account;

  if (tag == nod_sync_engine_start_review_async)
    ok = nod_outbox_start_review_finish (self->outbox, result, &run->started, &error);
  else if (tag == nod_sync_engine_submit_review_async)
    ok = nod_outbox_submit_review_finish (self->outbox, result, &run->counts[0],
                                          &run->review_id, &error);
  else if (tag == nod_sync_engine_discard_review_async)
    ok = nod_outbox_discard_review_finish (self->outbox, result, &run->counts[0],
                                           &run->counts[1], &run->counts[2], &error);
  else if (tag == nod_sync_engine_edit_draft_async)
    ok = nod_outbox_edit_draft_finish (self->outbox, result, &error);
  else
    ok = nod_outbox_delete_draft_finish (self->outbox, result, &error);

  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A submitted review goes now, as a retried action does: the reviewer asked for it.
   * A discarded one may leave drafts to delete on GitLab. */
  queued = (tag == nod_sync_engine_submit_review_async && run->counts[0] > 0) ||
           (tag == nod_sync_engine_discard_review_async && run->counts[2] > 0);
  account = find_account (self, run->account_id);
  if (account != NULL && (queued || tag == nod_sync_engine_discard_review_async))
    count_then_request (self, account, queued ? NOD_SYNC_TRIGGER_RETRY : NOD_SYNC_TRIGGER_ENQUEUE,
                        FALSE);
  g_task_return_boolean (task, TRUE);
}

/**
 * nod_sync_engine_start_review_async:
 *
 * Starts a review on a merge request: its comments and replies are drafts from now on.
 */
void
nod_sync_engine_start_review_async (NodSyncEngine       *self,
                                    gint64               account_id,
                                    gint64               project_id,
                                    gint64               mr_iid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  nod_outbox_start_review_async (self->outbox, account_id, project_id, mr_iid, cancellable,
                                 on_review_changed,
                                 review_task_new (self, account_id,
                                                  nod_sync_engine_start_review_async,
                                                  cancellable, callback, user_data));
}

/**
 * nod_sync_engine_start_review_finish:
 * @out_started: (out) (optional): %FALSE when one was started already
 */
gboolean
nod_sync_engine_start_review_finish (NodSyncEngine  *self,
                                     GAsyncResult   *result,
                                     gboolean       *out_started,
                                     GError        **error)
{
  ReviewRun *run = review_run_finish (self, result, error);

  if (run == NULL)
    return FALSE;
  if (out_started != NULL)
    *out_started = run->started;
  return TRUE;
}

/**
 * nod_sync_engine_submit_review_async:
 * @approve_sha: (nullable): approve too, at the head the reviewer saw
 * @summary: (nullable): a comment published with the review
 *
 * Submits the review as one unit of the outbox and pushes it at once, when it may.
 */
void
nod_sync_engine_submit_review_async (NodSyncEngine       *self,
                                     gint64               account_id,
                                     gint64               project_id,
                                     gint64               mr_iid,
                                     const char          *approve_sha,
                                     const char          *summary,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  nod_outbox_submit_review_async (self->outbox, account_id, project_id, mr_iid, approve_sha,
                                  summary, cancellable, on_review_changed,
                                  review_task_new (self, account_id,
                                                   nod_sync_engine_submit_review_async,
                                                   cancellable, callback, user_data));
}

/**
 * nod_sync_engine_submit_review_finish:
 * @out_queued: (out) (optional): the unit's rows (0: the review held nothing)
 * @out_review_id: (out) (optional) (transfer full): the id its rows share
 */
gboolean
nod_sync_engine_submit_review_finish (NodSyncEngine  *self,
                                      GAsyncResult   *result,
                                      guint          *out_queued,
                                      char          **out_review_id,
                                      GError        **error)
{
  ReviewRun *run = review_run_finish (self, result, error);

  if (run == NULL)
    return FALSE;
  if (out_queued != NULL)
    *out_queued = run->counts[0];
  if (out_review_id != NULL)
    *out_review_id = g_steal_pointer (&run->review_id);
  return TRUE;
}

/**
 * nod_sync_engine_discard_review_async:
 *
 * Discards the review of a merge request (see nod_outbox_discard_review_async ()).
 */
void
nod_sync_engine_discard_review_async (NodSyncEngine       *self,
                                      gint64               account_id,
                                      gint64               project_id,
                                      gint64               mr_iid,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  nod_outbox_discard_review_async (self->outbox, account_id, project_id, mr_iid, cancellable,
                                   on_review_changed,
                                   review_task_new (self, account_id,
                                                    nod_sync_engine_discard_review_async,
                                                    cancellable, callback, user_data));
}

/**
 * nod_sync_engine_discard_review_finish:
 * @out_removed: (out) (optional): what never reaches GitLab now: the started review's
 *   drafts, a submitted one's steps not sent
 * @out_deletes: (out) (optional): drafts a submitted review had created on GitLab, queued
 *   for deletion there
 */
gboolean
nod_sync_engine_discard_review_finish (NodSyncEngine  *self,
                                       GAsyncResult   *result,
                                       guint          *out_removed,
                                       guint          *out_deletes,
                                       GError        **error)
{
  ReviewRun *run = review_run_finish (self, result, error);

  if (run == NULL)
    return FALSE;
  if (out_removed != NULL)
    *out_removed = run->counts[0] + run->counts[1];
  if (out_deletes != NULL)
    *out_deletes = run->counts[2];
  return TRUE;
}

void
nod_sync_engine_edit_draft_async (NodSyncEngine       *self,
                                  const char          *op_id,
                                  const char          *body,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  nod_outbox_edit_draft_async (self->outbox, op_id, body, cancellable, on_review_changed,
                               review_task_new (self, 0, nod_sync_engine_edit_draft_async,
                                                cancellable, callback, user_data));
}

gboolean
nod_sync_engine_edit_draft_finish (NodSyncEngine  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return review_run_finish (self, result, error) != NULL;
}

void
nod_sync_engine_delete_draft_async (NodSyncEngine       *self,
                                    const char          *op_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  nod_outbox_delete_draft_async (self->outbox, op_id, cancellable, on_review_changed,
                                 review_task_new (self, 0, nod_sync_engine_delete_draft_async,
                                                  cancellable, callback, user_data));
}

gboolean
nod_sync_engine_delete_draft_finish (NodSyncEngine  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return nod_sync_engine_edit_draft_finish (self, result, error);
}

/* ---- start-up ---- */

static gboolean
on_periodic (gpointer user_data)
{
  NodSyncEngine *self = user_data;

  if (self->periodic_enabled)
    nod_sync_engine_request (self, NOD_SYNC_TRIGGER_PERIODIC);
  return G_SOURCE_CONTINUE;
}

static void
arm_periodic (NodSyncEngine *self)
{
  nod_clock_clear_timeout (self->clock, &self->periodic_source);
  self->periodic_source = nod_clock_add_timeout_seconds (self->clock, self->interval_s,
                                                         on_periodic, self, NULL);
}

static void
start_after_count (NodSyncEngine *self,
                   GTask         *task)
{
  arm_periodic (self);
  if (self->accounts->len > 0)
    nod_sync_engine_request (self, NOD_SYNC_TRIGGER_STARTUP);
  g_task_return_boolean (task, TRUE);
}

static void
on_last_pull_loaded (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSyncEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 last_pull_us = 0;

  if (!nod_review_cache_load_last_pull_finish (self->cache, result, &last_pull_us, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* "Synced 2 h ago" from the start, as the last run left it. */
  if (last_pull_us > 0)
    nod_sync_status_set_last_synced_at (self->status, last_pull_us / G_USEC_PER_SEC);
  g_task_return_boolean (task, TRUE);
}

static void
load_last_pull (GTask *task)
{
  NodSyncEngine *self = g_task_get_source_object (task);

  nod_review_cache_load_last_pull_async (self->cache, g_task_get_cancellable (task),
                                         on_last_pull_loaded, task);
}

static void
on_recovered (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSyncEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  guint recovered = 0;

  /* Taken only to look: the first push takes it again. */
  nod_send_lock_release (self->send_lock);
  /* A store that can't be written now (read-only, or another program holds its lock)
   * can still be read: what was left in flight stays so, not claimed by anyone, until a
   * run that can write recovers it. */
  if (!nod_outbox_recover_finish (self->outbox, result, &recovered, &error) &&
      !g_error_matches (error, NOD_STORE_ERROR, NOD_STORE_ERROR_READ_ONLY) &&
      !g_error_matches (error, NOD_STORE_ERROR, NOD_STORE_ERROR_BUSY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    g_debug ("Not recovering what the last run left in flight: %s", error->message);
  if (recovered > 0)
    g_debug ("%u actions were in flight when Nod last stopped; they will be checked "
             "before being sent again", recovered);

  load_last_pull (g_steal_pointer (&task));
}

/**
 * nod_sync_engine_recover_async:
 *
 * What the last run left: unless another process is sending from this data directory
 * now, actions a process that died left in flight are pending again, marked ambiguous
 * (looked for on GitLab before they are sent again), so that they show as waiting, not
 * as sending. The status's "last synced" is when that run last pulled. Once, before
 * anything is sent.
 */
void
nod_sync_engine_recover_async (NodSyncEngine       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (self->sends_running == 0 && !self->taking_lock);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_sync_engine_recover_async);
  /* Another process's in-flight rows are its own: it is sending them right now. */
  if (!nod_send_lock_try_acquire (self->send_lock, &error))
    {
      g_debug ("Not looking at what is in flight: %s", error->message);
      load_last_pull (task);
      return;
    }
  nod_outbox_recover_async (self->outbox, cancellable, on_recovered, task);
}

gboolean
nod_sync_engine_recover_finish (NodSyncEngine  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nod_sync_engine_start_async:
 *
 * Counts every account's outbox, arms the periodic cycle and asks for the start-up sync.
 * Call once, after the accounts are added and nod_sync_engine_recover_async() (a session
 * does both).
 */
void
nod_sync_engine_start_async (NodSyncEngine       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (!self->started);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_sync_engine_start_async);
  /* An account added from here on is counted and synced on its own. */
  self->started = TRUE;
  count_every_account (self, task, start_after_count);
}

gboolean
nod_sync_engine_start_finish (NodSyncEngine  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- settings and the network ---- */

/**
 * nod_sync_engine_set_interval:
 * @seconds: how often the periodic cycle runs
 *
 * Moves the next cycle to @seconds from now; nothing is synced because of the change.
 */
void
nod_sync_engine_set_interval (NodSyncEngine *self,
                              guint          seconds)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (seconds > 0);

  if (self->interval_s == seconds)
    return;

  self->interval_s = seconds;
  if (self->periodic_source != 0)
    arm_periodic (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

guint
nod_sync_engine_get_interval (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), 0);

  return self->interval_s;
}

/**
 * nod_sync_engine_set_clock:
 * @clock: where the engine reads the time and arms its timers (the cycle, the end of a
 *   rate-limit pause)
 *
 * For tests, which move a manual clock instead of waiting. Set it before the engine starts
 * or runs a job.
 */
void
nod_sync_engine_set_clock (NodSyncEngine *self,
                           NodClock      *clock)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (NOD_IS_CLOCK (clock));
  g_return_if_fail (!self->started && !nod_sync_engine_is_busy (self));
  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      g_return_if_fail (account->resume_source == 0 && account->push_source == 0 &&
                        account->probe_source == 0);
    }

  /* The cooldown's timer is the old clock's: the first status on the new one arms it. */
  if (self->clock != NULL)
    nod_clock_clear_timeout (self->clock, &self->cooldown_source);
  g_set_object (&self->clock, clock);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      if (account->forge != NULL)
        nod_forge_set_clock (account->forge, clock);
    }
}

/**
 * nod_sync_engine_set_notes_per_minute:
 * @notes_per_minute: how many comments and replies a push may send in any minute; 0 for
 *   as many as GitLab takes (it says when it takes no more)
 *
 * A pace of Nod's own for note creation (%NOD_SYNC_NOTES_PER_MINUTE unless set). Applies
 * to the push jobs that start afterwards.
 */
void
nod_sync_engine_set_notes_per_minute (NodSyncEngine *self,
                                      guint          notes_per_minute)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  self->notes_per_minute = notes_per_minute;
}

/**
 * nod_sync_engine_set_offline_mode:
 *
 * "Work offline": nothing goes to GitLab while it is on. Turned off, the engine syncs
 * once, as when the network comes back: what waited is pushed, then changes are pulled.
 */
void
nod_sync_engine_set_offline_mode (NodSyncEngine *self,
                                  gboolean       offline_mode)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  offline_mode = !!offline_mode;
  if (self->offline_mode == offline_mode)
    return;

  self->offline_mode = offline_mode;
  if (offline_mode)
    {
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_OFFLINE);
      update_status (self);
    }
  else if (self->started)
    {
      end_every_backoff (self);
      nod_sync_engine_request (self, NOD_SYNC_TRIGGER_NETWORK_UP);
    }
  else
    update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_MODE]);
}

gboolean
nod_sync_engine_get_offline_mode (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), FALSE);

  return self->offline_mode;
}

/* A connection open ahead of the reviewer's first approval: the handshakes are not
 * between the click and GitLab. */
static void
warm_up (NodSyncEngine *self,
         Account       *account)
{
  if (account->forge != NULL && self->network_available && !self->offline_mode)
    nod_forge_warm_up (account->forge);
}

/**
 * nod_sync_engine_set_network:
 *
 * What the engine knows of the network; becoming available asks for a sync
 * (`network-up`), so that what waited offline goes out.
 */
void
nod_sync_engine_set_network (NodSyncEngine *self,
                             gboolean       available,
                             gboolean       metered)
{
  gboolean came_up;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  came_up = available && !self->network_available;
  self->network_available = !!available;
  self->network_metered = !!metered;

  if (came_up)
    {
      for (guint i = 0; i < self->accounts->len; i++)
        warm_up (self, g_ptr_array_index (self->accounts, i));
      end_every_backoff (self);
      nod_sync_engine_request (self, NOD_SYNC_TRIGGER_NETWORK_UP);
    }
  else if (!available)
    nod_sync_status_set_state (self->status, NOD_SYNC_STATE_OFFLINE);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  nod_sync_engine_set_network (NOD_SYNC_ENGINE (user_data), available,
                               g_network_monitor_get_network_metered (monitor));
}

void
nod_sync_engine_follow_network (NodSyncEngine   *self,
                                GNetworkMonitor *monitor)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  g_clear_signal_handler (&self->network_handler, self->network_monitor);
  g_set_object (&self->network_monitor, monitor);
  self->network_handler = g_signal_connect_object (monitor, "network-changed",
                                                   G_CALLBACK (on_network_changed), self, 0);
  self->network_available = g_network_monitor_get_network_available (monitor);
  self->network_metered = g_network_monitor_get_network_metered (monitor);
}

/* ---- object ---- */

/**
 * nod_sync_engine_add_account:
 * @forge: (nullable): how to reach the account's GitLab, or %NULL if it has no token
 *
 * Syncs an account. One without a forge is signed out: its actions wait, and the status
 * says it needs signing in. Added after nod_sync_engine_start_async(), it is synced at once
 * (its waiting actions pushed, its merge requests pulled).
 */
void
nod_sync_engine_add_account (NodSyncEngine *self,
                             gint64         account_id,
                             NodForge      *forge)
{
  Account *account;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));
  g_return_if_fail (account_id > 0);
  g_return_if_fail (forge == NULL || NOD_IS_FORGE (forge));
  g_return_if_fail (find_account (self, account_id) == NULL);

  account = g_rc_box_new0 (Account);
  account->id = account_id;
  account->forge = forge != NULL ? g_object_ref (forge) : NULL;
  account->signed_in = forge != NULL;
  /* A request's deadline is on the engine's time, as its backoff and cycle are. */
  if (forge != NULL)
    nod_forge_set_clock (forge, self->clock);
  g_ptr_array_add (self->accounts, account);
  warm_up (self, account);
  show_signed_out_unless_usable (self);

  /* Added to a running engine (a sign-in): count what waits for it, then sync it. */
  if (self->started)
    count_then_request (self, account, NOD_SYNC_TRIGGER_STARTUP, FALSE);
}

/**
 * nod_sync_engine_restore_block:
 * @blocked_until: when GitLab said, in an earlier run, that requests may go again (its
 *   Retry-After, or the reset of a budget spent to nothing), Unix seconds; 0 for none
 *
 * Nothing is sent for the account, and nothing pulled, before @blocked_until, whatever
 * GitLab answers meanwhile; until then the status says the rate limit holds, and until when.
 * What a session hands on from the run before.
 */
void
nod_sync_engine_restore_block (NodSyncEngine *self,
                               gint64         account_id,
                               gint64         blocked_until)
{
  Account *account;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  account = find_account (self, account_id);
  if (account == NULL)
    return;

  account->kept_block_until = MAX (blocked_until, 0);
  if (account->signed_in && blocked_until > now_s (self) && !nod_sync_engine_is_busy (self))
    {
      nod_sync_status_set_blocked_until (self->status, blocked_until);
      nod_sync_status_set_state (self->status, NOD_SYNC_STATE_BLOCKED);
      nod_sync_status_set_last_error (self->status,
                                      nod_sync_reason_to_sentence (NOD_SYNC_REASON_RATE_LIMITED));
    }
  update_status (self);
}

/**
 * nod_sync_engine_sign_out_account:
 *
 * Stops using an account's token and keeps everything else: its merge requests stay
 * readable and its actions wait in the outbox. A pull running for it stops at the page it
 * is on; a push already under way ends on its own. To sign in again, remove the account
 * and add it with a new forge.
 */
void
nod_sync_engine_sign_out_account (NodSyncEngine *self,
                                  gint64         account_id)
{
  Account *account;

  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  account = find_account (self, account_id);
  if (account == NULL)
    return;

  account->signed_in = FALSE;
  account->pull_paused_until = 0;
  stop_timers (self, account);
  g_clear_object (&account->forge);
  if (account->pull_cancellable != NULL)
    g_cancellable_cancel (account->pull_cancellable);
  request_for_account (self, account, NOD_SYNC_TRIGGER_SETTINGS_CHANGED, FALSE, NULL);
  update_status (self);
  show_signed_out_unless_usable (self);
}

/**
 * nod_sync_engine_remove_account:
 *
 * Stops syncing an account: its pull and its push stop where they are (a write already on
 * its way is looked for before it is ever sent again), they tell no one what they did, and
 * nothing new starts. The caller forgets its data (nod_accounts_remove_async()).
 */
void
nod_sync_engine_remove_account (NodSyncEngine *self,
                                gint64         account_id)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      if (account->id != account_id)
        continue;
      account->removed = TRUE;
      stop_timers (self, account);
      /* Its rows are about to go: no job may write more of them. */
      if (account->pull_cancellable != NULL)
        g_cancellable_cancel (account->pull_cancellable);
      if (account->push_cancellable != NULL)
        g_cancellable_cancel (account->push_cancellable);
      g_ptr_array_remove_index (self->accounts, i);
      update_status (self);
      show_signed_out_unless_usable (self);
      return;
    }
}

/**
 * nod_sync_engine_set_history_days:
 * @days: how far back pulls fetch merge requests, or 0 for all history
 *
 * A running engine pulls once for the new depth: more history than before is fetched,
 * less drops merged and closed merge requests older than @days (never one with actions
 * waiting).
 */
void
nod_sync_engine_set_history_days (NodSyncEngine *self,
                                  guint          days)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  if (self->history_days == days)
    return;

  self->history_days = days;
  if (self->started)
    nod_sync_engine_request (self, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_DAYS]);
}

/* How far back pulls go, in days; 0 for all history. */
guint
nod_sync_engine_get_history_days (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), 0);

  return self->history_days;
}

/**
 * nod_sync_engine_set_periodic_enabled:
 *
 * Turns the periodic cycle on or off ("Sync automatically"). Approvals are flushed and
 * Push now works either way; nothing is synced because of the change.
 */
void
nod_sync_engine_set_periodic_enabled (NodSyncEngine *self,
                                      gboolean       enabled)
{
  g_return_if_fail (NOD_IS_SYNC_ENGINE (self));

  enabled = !!enabled;
  if (self->periodic_enabled == enabled)
    return;

  self->periodic_enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERIODIC_ENABLED]);
}

gboolean
nod_sync_engine_get_periodic_enabled (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), FALSE);

  return self->periodic_enabled;
}

NodSyncStatus *
nod_sync_engine_get_status (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), NULL);

  return self->status;
}

NodReviewCache *
nod_sync_engine_get_cache (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), NULL);

  return self->cache;
}

/**
 * nod_sync_engine_get_diff_cache:
 *
 * Returns: (transfer none): the changes the engine keeps
 */
NodDiffCache *
nod_sync_engine_get_diff_cache (NodSyncEngine *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_ENGINE (self), NULL);

  return self->diff_cache;
}

/* What the engine still has running on its accounts stops with it. */
static void
stop_accounts (NodSyncEngine *self)
{
  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (self->accounts, i);

      stop_timers (self, account);
      if (account->push_cancellable != NULL)
        g_cancellable_cancel (account->push_cancellable);
      if (account->pull_cancellable != NULL)
        g_cancellable_cancel (account->pull_cancellable);
    }
}

static void
nod_sync_engine_dispose (GObject *object)
{
  NodSyncEngine *self = NOD_SYNC_ENGINE (object);

  if (self->clock != NULL)
    {
      nod_clock_clear_timeout (self->clock, &self->periodic_source);
      nod_clock_clear_timeout (self->clock, &self->cooldown_source);
      stop_accounts (self);
    }
  g_clear_signal_handler (&self->network_handler, self->network_monitor);
  g_clear_object (&self->network_monitor);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->waiting_pushes, g_ptr_array_unref);
  g_clear_object (&self->send_lock);
  g_clear_object (&self->status);
  g_clear_object (&self->outbox);
  g_clear_object (&self->cache);
  g_clear_object (&self->diff_cache);
  g_clear_object (&self->sync_log);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (nod_sync_engine_parent_class)->dispose (object);
}

static void
nod_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NodSyncEngine *self = NOD_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_s);
      break;

    case PROP_PERIODIC_ENABLED:
      g_value_set_boolean (value, self->periodic_enabled);
      break;

    case PROP_OFFLINE_MODE:
      g_value_set_boolean (value, self->offline_mode);
      break;

    case PROP_HISTORY_DAYS:
      g_value_set_uint (value, self->history_days);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, nod_sync_engine_is_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_sync_engine_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  NodSyncEngine *self = NOD_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      nod_sync_engine_set_interval (self, g_value_get_uint (value));
      break;

    case PROP_PERIODIC_ENABLED:
      nod_sync_engine_set_periodic_enabled (self, g_value_get_boolean (value));
      break;

    case PROP_OFFLINE_MODE:
      nod_sync_engine_set_offline_mode (self, g_value_get_boolean (value));
      break;

    case PROP_HISTORY_DAYS:
      nod_sync_engine_set_history_days (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_sync_engine_class_init (NodSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = nod_sync_engine_dispose;
  object_class->get_property = nod_sync_engine_get_property;
  object_class->set_property = nod_sync_engine_set_property;

  /* Seconds between periodic cycles ("sync-interval"). */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, G_MAXUINT, NOD_SYNC_DEFAULT_INTERVAL_S,
                       flags);
  /* Whether the periodic cycle runs ("auto-sync"). */
  properties[PROP_PERIODIC_ENABLED] =
    g_param_spec_boolean ("periodic-enabled", NULL, NULL, TRUE, flags);
  /* "Work offline" ("offline-mode"). */
  properties[PROP_OFFLINE_MODE] =
    g_param_spec_boolean ("offline-mode", NULL, NULL, FALSE, flags);
  /* How far back pulls go, in days, 0 for all history ("history-depth"). */
  properties[PROP_HISTORY_DAYS] =
    g_param_spec_uint ("history-days", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* Whether a job runs, or a count or a backoff's end that will ask for one is on its way
   * (nod_sync_engine_is_busy()). */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NodSyncEngine::action-failed:
   * @action: an action that failed for good (it waits in the outbox as failed)
   * @reason: a sentence for people
   */
  signals[SIGNAL_ACTION_FAILED] =
    g_signal_new ("action-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, NOD_TYPE_OUTBOX_ACTION, G_TYPE_STRING);

  /**
   * NodSyncEngine::job-finished:
   *
   * A push or a pull ended and its account is counted again; the status holds its
   * summary.
   */
  signals[SIGNAL_JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * NodSyncEngine::waiting-to-send:
   *
   * Another process is sending from this data directory: this one's push waits until it
   * is done (and then finds that process's work done, not to be done again).
   */
  signals[SIGNAL_WAITING_TO_SEND] =
    g_signal_new ("waiting-to-send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * NodSyncEngine::merge-request-closed:
   * @merge_request: merged or closed on GitLab while the reviewer had pending actions on
   *   it; those failed with that reason (the UI turns this into a notification)
   */
  /**
   * NodSyncEngine::history-synced:
   * @account_id: the account whose first pull of its history just completed (once per
   *   account, however often it was paused or Nod restarted on the way)
   */
  /**
   * NodSyncEngine::outbox-changed:
   *
   * The reviewer changed queued actions (discarded, cancelled or edited one) and the counts
   * are current: what shows the rows reads them again.
   */
  signals[SIGNAL_OUTBOX_CHANGED] =
    g_signal_new ("outbox-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * NodSyncEngine::token-rejected:
   * @account_id: the account GitLab no longer takes the token of
   *
   * A job heard GitLab refuse the account's token (401): it is signed out, its outbox kept,
   * until it signs in again.
   */
  signals[SIGNAL_TOKEN_REJECTED] =
    g_signal_new ("token-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_HISTORY_SYNCED] =
    g_signal_new ("history-synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  signals[SIGNAL_MERGE_REQUEST_CLOSED] =
    g_signal_new ("merge-request-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NOD_TYPE_MERGE_REQUEST);
}

static void
nod_sync_engine_init (NodSyncEngine *self)
{
  self->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_unref);
  self->waiting_pushes = g_ptr_array_new ();
  self->periodic_enabled = TRUE;
  self->status = nod_sync_status_new ();
  self->clock = g_object_ref (nod_clock_get_system ());
  self->interval_s = NOD_SYNC_DEFAULT_INTERVAL_S;
  self->notes_per_minute = NOD_SYNC_NOTES_PER_MINUTE;
  self->undo_hold_s = NOD_SYNC_UNDO_HOLD_S;
  self->network_available = TRUE;
  /* No account yet: nothing can sync. */
  nod_sync_status_set_state (self->status, NOD_SYNC_STATE_SIGNED_OUT);
}

NodSyncEngine *
nod_sync_engine_new (NodStore  *store,
                     NodOutbox *outbox)
{
  NodSyncEngine *self;
  g_autofree char *lock_path = NULL;

  g_return_val_if_fail (NOD_IS_STORE (store), NULL);
  g_return_val_if_fail (NOD_IS_OUTBOX (outbox), NULL);

  self = g_object_new (NOD_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->sync_log = nod_sync_log_new (store);
  self->outbox = g_object_ref (outbox);
  self->cache = nod_review_cache_new (store);
  self->diff_cache = nod_diff_cache_new (store);
  lock_path = g_strconcat (nod_store_get_path (store), ".send-lock", NULL);
  self->send_lock = nod_send_lock_new (lock_path);
  return self;
}
