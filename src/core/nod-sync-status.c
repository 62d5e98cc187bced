/* nod-sync-status.c: the view-model the status bar and Preferences bind to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine is the only writer (through the C setters); everything else reads the
 * properties and listens to their notifications, which fire only on a real change.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include "nod-sync-status.h"

struct _NodSyncStatus
{
  GObject        parent_instance;

  NodSyncState   state;
  guint          pending_count;
  guint          failed_count;
  guint          progress_current;
  guint          progress_total;
  guint          texts_current;
  guint          texts_total;
  gint64         last_synced_at;
  char          *last_error;
  gint64         blocked_until;
  gboolean       can_sync_now;
  char          *sync_now_reason;
  NodSyncSummary last_summary;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PENDING_COUNT,
  PROP_FAILED_COUNT,
  PROP_PROGRESS_CURRENT,
  PROP_PROGRESS_TOTAL,
  PROP_TEXTS_CURRENT,
  PROP_TEXTS_TOTAL,
  PROP_LAST_SYNCED_AT,
  PROP_LAST_ERROR,
  PROP_BLOCKED_UNTIL,
  PROP_CAN_SYNC_NOW,
  PROP_SYNC_NOW_REASON,
  PROP_LAST_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The type of the "state" property. Kept private to this file: the header does not
 * declare it, and GParamSpec.value_type names it for anyone who needs it. */
static GType nod_sync_state_get_type (void);

G_DEFINE_ENUM_TYPE (NodSyncState, nod_sync_state,
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_SYNCING, "syncing"),
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_BLOCKED, "blocked"),
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_SIGNED_OUT, "signed-out"),
                    G_DEFINE_ENUM_VALUE (NOD_SYNC_STATE_ERROR, "error"))

G_DEFINE_BOXED_TYPE (NodSyncSummary, nod_sync_summary, nod_sync_summary_copy,
                     nod_sync_summary_free)

G_DEFINE_FINAL_TYPE (NodSyncStatus, nod_sync_status, G_TYPE_OBJECT)

NodSyncSummary *
nod_sync_summary_copy (const NodSyncSummary *summary)
{
  g_return_val_if_fail (summary != NULL, NULL);

  return g_memdup2 (summary, sizeof *summary);
}

void
nod_sync_summary_free (NodSyncSummary *summary)
{
  g_free (summary);
}

static gboolean
nod_sync_summary_equal (const NodSyncSummary *a,
                        const NodSyncSummary *b)
{
  return a->pushed == b->pushed
         && a->failed == b->failed
         && a->remaining == b->remaining
         && a->pulled == b->pulled
         && a->pull_outcome == b->pull_outcome;
}

const char *
nod_sync_state_to_string (NodSyncState state)
{
  switch (state)
    {
    case NOD_SYNC_STATE_IDLE:
      return "idle";
    case NOD_SYNC_STATE_SYNCING:
      return "syncing";
    case NOD_SYNC_STATE_BLOCKED:
      return "blocked";
    case NOD_SYNC_STATE_OFFLINE:
      return "offline";
    case NOD_SYNC_STATE_SIGNED_OUT:
      return "signed-out";
    case NOD_SYNC_STATE_ERROR:
      return "error";
    default:
      g_return_val_if_reached ("unknown");
    }
}

static void
nod_sync_status_finalize (GObject *object)
{
  NodSyncStatus *self = NOD_SYNC_STATUS (object);

  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->sync_now_reason, g_free);

  G_OBJECT_CLASS (nod_sync_status_parent_class)->finalize (object);
}

static void
nod_sync_status_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NodSyncStatus *self = NOD_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_PENDING_COUNT:
      g_value_set_uint (value, self->pending_count);
      break;

    case PROP_FAILED_COUNT:
      g_value_set_uint (value, self->failed_count);
      break;

    case PROP_PROGRESS_CURRENT:
      g_value_set_uint (value, self->progress_current);
      break;

    case PROP_PROGRESS_TOTAL:
      g_value_set_uint (value, self->progress_total);
      break;

    case PROP_TEXTS_CURRENT:
      g_value_set_uint (value, self->texts_current);
      break;

    case PROP_TEXTS_TOTAL:
      g_value_set_uint (value, self->texts_total);
      break;

    case PROP_LAST_SYNCED_AT:
      g_value_set_int64 (value, self->last_synced_at);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    case PROP_BLOCKED_UNTIL:
      g_value_set_int64 (value, self->blocked_until);
      break;

    case PROP_CAN_SYNC_NOW:
      g_value_set_boolean (value, self->can_sync_now);
      break;

    case PROP_SYNC_NOW_REASON:
      g_value_set_string (value, self->sync_now_reason);
      break;

    case PROP_LAST_SUMMARY:
      g_value_set_boxed (value, &self->last_summary);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_sync_status_class_init (NodSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = nod_sync_status_finalize;
  object_class->get_property = nod_sync_status_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       nod_sync_state_get_type (), NOD_SYNC_STATE_IDLE, flags);
  properties[PROP_PENDING_COUNT] =
    g_param_spec_uint ("pending-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FAILED_COUNT] =
    g_param_spec_uint ("failed-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PROGRESS_CURRENT] =
    g_param_spec_uint ("progress-current", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PROGRESS_TOTAL] =
    g_param_spec_uint ("progress-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* The texts of changed files the pull fetched, of those it wants so far. */
  properties[PROP_TEXTS_CURRENT] =
    g_param_spec_uint ("texts-current", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TEXTS_TOTAL] =
    g_param_spec_uint ("texts-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* Unix seconds; 0 = never. */
  properties[PROP_LAST_SYNCED_AT] =
    g_param_spec_int64 ("last-synced-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /* A sentence for people, never a raw HTTP answer; NULL = none. */
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  /* Unix seconds; 0 = not blocked, or not known until when. */
  properties[PROP_BLOCKED_UNTIL] =
    g_param_spec_int64 ("blocked-until", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CAN_SYNC_NOW] =
    g_param_spec_boolean ("can-sync-now", NULL, NULL, FALSE, flags);
  /* Why Push now cannot run, as a sentence for people; NULL when it can. */
  properties[PROP_SYNC_NOW_REASON] =
    g_param_spec_string ("sync-now-reason", NULL, NULL, NULL, flags);
  properties[PROP_LAST_SUMMARY] =
    g_param_spec_boxed ("last-summary", NULL, NULL, NOD_TYPE_SYNC_SUMMARY, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_sync_status_init (NodSyncStatus *self)
{
  self->state = NOD_SYNC_STATE_IDLE;
}

/**
 * nod_sync_status_new:
 *
 * Returns: (transfer full): a status with nothing pending, never synced and
 *   #NodSyncStatus:can-sync-now %FALSE until the engine has asked its policy.
 */
NodSyncStatus *
nod_sync_status_new (void)
{
  return g_object_new (NOD_TYPE_SYNC_STATUS, NULL);
}

NodSyncState
nod_sync_status_get_state (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), NOD_SYNC_STATE_IDLE);
  return self->state;
}

void
nod_sync_status_set_state (NodSyncStatus *self,
                           NodSyncState   state)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));
  g_return_if_fail ((guint) state <= NOD_SYNC_STATE_ERROR);

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

guint
nod_sync_status_get_pending_count (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->pending_count;
}

void
nod_sync_status_set_pending_count (NodSyncStatus *self,
                                   guint          count)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  if (self->pending_count == count)
    return;

  self->pending_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING_COUNT]);
}

guint
nod_sync_status_get_failed_count (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->failed_count;
}

void
nod_sync_status_set_failed_count (NodSyncStatus *self,
                                  guint          count)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  if (self->failed_count == count)
    return;

  self->failed_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED_COUNT]);
}

guint
nod_sync_status_get_progress_current (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->progress_current;
}

guint
nod_sync_status_get_progress_total (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->progress_total;
}

/**
 * nod_sync_status_set_progress:
 * @current: items done so far
 * @total: items in the job, 0 when not known
 *
 * Both values change together: a listener to either sees the other already updated.
 */
void
nod_sync_status_set_progress (NodSyncStatus *self,
                              guint          current,
                              guint          total)
{
  gboolean current_changed;
  gboolean total_changed;

  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  current_changed = self->progress_current != current;
  total_changed = self->progress_total != total;
  self->progress_current = current;
  self->progress_total = total;

  if (current_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_CURRENT]);
  if (total_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TOTAL]);
}

guint
nod_sync_status_get_texts_current (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->texts_current;
}

guint
nod_sync_status_get_texts_total (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->texts_total;
}

/* Like nod_sync_status_set_progress (), for the texts of changed files. */
void
nod_sync_status_set_texts_progress (NodSyncStatus *self,
                                    guint          current,
                                    guint          total)
{
  gboolean current_changed;
  gboolean total_changed;

  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  current_changed = self->texts_current != current;
  total_changed = self->texts_total != total;
  self->texts_current = current;
  self->texts_total = total;

  if (current_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTS_CURRENT]);
  if (total_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXTS_TOTAL]);
}

gint64
nod_sync_status_get_last_synced_at (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->last_synced_at;
}

void
nod_sync_status_set_last_synced_at (NodSyncStatus *self,
                                    gint64         unix_time)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));
  g_return_if_fail (unix_time >= 0);

  if (self->last_synced_at == unix_time)
    return;

  self->last_synced_at = unix_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED_AT]);
}

const char *
nod_sync_status_get_last_error (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), NULL);
  return self->last_error;
}

/**
 * nod_sync_status_set_last_error:
 * @sentence: (nullable): what went wrong, for people; %NULL when nothing did
 */
void
nod_sync_status_set_last_error (NodSyncStatus *self,
                                const char    *sentence)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  if (g_strcmp0 (self->last_error, sentence) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (sentence);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

gint64
nod_sync_status_get_blocked_until (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), 0);
  return self->blocked_until;
}

void
nod_sync_status_set_blocked_until (NodSyncStatus *self,
                                   gint64         unix_time)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));
  g_return_if_fail (unix_time >= 0);

  if (self->blocked_until == unix_time)
    return;

  self->blocked_until = unix_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED_UNTIL]);
}

gboolean
nod_sync_status_get_can_sync_now (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), FALSE);
  return self->can_sync_now;
}

void
nod_sync_status_set_can_sync_now (NodSyncStatus *self,
                                  gboolean       can_sync_now)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  can_sync_now = !!can_sync_now;
  if (self->can_sync_now == can_sync_now)
    return;

  self->can_sync_now = can_sync_now;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SYNC_NOW]);
}

const char *
nod_sync_status_get_sync_now_reason (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), NULL);
  return self->sync_now_reason;
}

void
nod_sync_status_set_sync_now_reason (NodSyncStatus *self,
                                     const char    *sentence)
{
  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  if (g_strcmp0 (self->sync_now_reason, sentence) == 0)
    return;

  g_free (self->sync_now_reason);
  self->sync_now_reason = g_strdup (sentence);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_NOW_REASON]);
}

/**
 * nod_sync_status_get_last_summary:
 *
 * Returns: (transfer none): what the last job did; all zeros before the first one.
 */
const NodSyncSummary *
nod_sync_status_get_last_summary (NodSyncStatus *self)
{
  g_return_val_if_fail (NOD_IS_SYNC_STATUS (self), NULL);
  return &self->last_summary;
}

/**
 * nod_sync_status_set_last_summary:
 * @summary: (nullable): what the job that just ended did; %NULL for all zeros
 */
void
nod_sync_status_set_last_summary (NodSyncStatus        *self,
                                  const NodSyncSummary *summary)
{
  static const NodSyncSummary empty = { 0, };

  g_return_if_fail (NOD_IS_SYNC_STATUS (self));

  if (summary == NULL)
    summary = &empty;

  if (nod_sync_summary_equal (&self->last_summary, summary))
    return;

  self->last_summary = *summary;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SUMMARY]);
}
