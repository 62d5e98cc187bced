/* test-sync-status.c: the status view-model notifies once per real change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-sync-status.h"

/* Every "notify" the status emits, by property name, in order. */
typedef struct
{
  NodSyncStatus *status;
  GPtrArray     *notified;
} Fixture;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->notified, (gpointer) g_param_spec_get_name (pspec));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->status = nod_sync_status_new ();
  fixture->notified = g_ptr_array_new ();
  g_signal_connect (fixture->status, "notify", G_CALLBACK (on_notify), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->status));
  g_clear_pointer (&fixture->notified, g_ptr_array_unref);
}

/* Asserts that exactly the given properties were notified since the last call, once each
 * and in that order, then forgets them. */
static void
assert_notified (Fixture    *fixture,
                 const char *first_name,
                 ...)
{
  const char *name = first_name;
  guint index = 0;
  va_list args;

  va_start (args, first_name);
  for (; name != NULL; name = va_arg (args, const char *), index++)
    {
      g_assert_cmpuint (index, <, fixture->notified->len);
      g_assert_cmpstr (g_ptr_array_index (fixture->notified, index), ==, name);
    }
  va_end (args);

  g_assert_cmpuint (fixture->notified->len, ==, index);
  g_ptr_array_set_size (fixture->notified, 0);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  NodSyncStatus *status = fixture->status;
  const NodSyncSummary *summary = nod_sync_status_get_last_summary (status);

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 0);
  g_assert_cmpuint (nod_sync_status_get_failed_count (status), ==, 0);
  g_assert_cmpuint (nod_sync_status_get_progress_current (status), ==, 0);
  g_assert_cmpuint (nod_sync_status_get_progress_total (status), ==, 0);
  g_assert_cmpint (nod_sync_status_get_last_synced_at (status), ==, 0);
  g_assert_null (nod_sync_status_get_last_error (status));
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), ==, 0);
  g_assert_false (nod_sync_status_get_can_sync_now (status));
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->pushed, ==, 0);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->remaining, ==, 0);
  g_assert_cmpuint (summary->pulled, ==, 0);

  assert_notified (fixture, NULL);
}

/* Read-only to GObject, notified by hand, and the defaults GObject reports agree with the
 * getters. */
static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char * const names[] = {
    "state", "pending-count", "failed-count", "progress-current", "progress-total",
    "texts-current", "texts-total",
    "last-synced-at", "last-error", "blocked-until", "can-sync-now", "sync-now-reason",
    "last-summary",
  };
  GObjectClass *klass = G_OBJECT_GET_CLASS (fixture->status);
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;
  NodSyncState state;
  gint64 last_synced_at;
  gboolean can_sync_now;
  g_autofree char *last_error = NULL;

  pspecs = g_object_class_list_properties (klass, &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, G_N_ELEMENTS (names));

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, names[i]);

      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_assert_cmpint (pspec->flags & G_PARAM_STATIC_STRINGS, ==, G_PARAM_STATIC_STRINGS);
    }

  g_assert_true (G_TYPE_IS_ENUM (g_object_class_find_property (klass, "state")->value_type));
  g_assert_true (g_object_class_find_property (klass, "last-summary")->value_type
                 == NOD_TYPE_SYNC_SUMMARY);

  g_object_get (fixture->status,
                "state", &state,
                "last-synced-at", &last_synced_at,
                "can-sync-now", &can_sync_now,
                "last-error", &last_error,
                NULL);
  g_assert_cmpint (state, ==, NOD_SYNC_STATE_IDLE);
  g_assert_cmpint (last_synced_at, ==, 0);
  g_assert_false (can_sync_now);
  g_assert_null (last_error);
}

static void
test_state (Fixture       *fixture,
            gconstpointer  data)
{
  NodSyncState state;

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  assert_notified (fixture, "state", NULL);
  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SYNCING);
  assert_notified (fixture, NULL);

  nod_sync_status_set_state (fixture->status, NOD_SYNC_STATE_SIGNED_OUT);
  assert_notified (fixture, "state", NULL);
  g_object_get (fixture->status, "state", &state, NULL);
  g_assert_cmpint (state, ==, NOD_SYNC_STATE_SIGNED_OUT);
  g_assert_cmpint (nod_sync_status_get_state (fixture->status), ==, NOD_SYNC_STATE_SIGNED_OUT);
}

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  guint pending;
  guint failed;

  nod_sync_status_set_pending_count (fixture->status, 3);
  assert_notified (fixture, "pending-count", NULL);
  nod_sync_status_set_pending_count (fixture->status, 3);
  assert_notified (fixture, NULL);

  nod_sync_status_set_failed_count (fixture->status, 1);
  assert_notified (fixture, "failed-count", NULL);
  nod_sync_status_set_failed_count (fixture->status, 1);
  assert_notified (fixture, NULL);

  g_object_get (fixture->status, "pending-count", &pending, "failed-count", &failed, NULL);
  g_assert_cmpuint (pending, ==, 3);
  g_assert_cmpuint (failed, ==, 1);

  nod_sync_status_set_pending_count (fixture->status, 0);
  assert_notified (fixture, "pending-count", NULL);
  g_assert_cmpuint (nod_sync_status_get_pending_count (fixture->status), ==, 0);
  g_assert_cmpuint (nod_sync_status_get_failed_count (fixture->status), ==, 1);
}

static guint progress_current_seen;

/* When either half of the progress is notified, the other is already up to date. */
static void
on_progress_total (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  progress_current_seen = nod_sync_status_get_progress_current (NOD_SYNC_STATUS (object));
}

static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  guint current;
  guint total;

  g_signal_connect (fixture->status, "notify::progress-total",
                    G_CALLBACK (on_progress_total), NULL);

  nod_sync_status_set_progress (fixture->status, 45, 120);
  assert_notified (fixture, "progress-current", "progress-total", NULL);
  g_assert_cmpuint (progress_current_seen, ==, 45);

  nod_sync_status_set_progress (fixture->status, 46, 120);
  assert_notified (fixture, "progress-current", NULL);

  nod_sync_status_set_progress (fixture->status, 46, 130);
  assert_notified (fixture, "progress-total", NULL);

  nod_sync_status_set_progress (fixture->status, 46, 130);
  assert_notified (fixture, NULL);

  g_object_get (fixture->status, "progress-current", &current, "progress-total", &total, NULL);
  g_assert_cmpuint (current, ==, 46);
  g_assert_cmpuint (total, ==, 130);

  nod_sync_status_set_progress (fixture->status, 0, 0);
  assert_notified (fixture, "progress-current", "progress-total", NULL);
}

static void
test_times (Fixture       *fixture,
            gconstpointer  data)
{
  gint64 last_synced_at;
  gint64 blocked_until;

  nod_sync_status_set_last_synced_at (fixture->status, 1763800000);
  assert_notified (fixture, "last-synced-at", NULL);
  nod_sync_status_set_last_synced_at (fixture->status, 1763800000);
  assert_notified (fixture, NULL);

  nod_sync_status_set_blocked_until (fixture->status, 1763800600);
  assert_notified (fixture, "blocked-until", NULL);
  nod_sync_status_set_blocked_until (fixture->status, 1763800600);
  assert_notified (fixture, NULL);

  g_object_get (fixture->status,
                "last-synced-at", &last_synced_at,
                "blocked-until", &blocked_until,
                NULL);
  g_assert_cmpint (last_synced_at, ==, 1763800000);
  g_assert_cmpint (blocked_until, ==, 1763800600);

  nod_sync_status_set_blocked_until (fixture->status, 0);
  assert_notified (fixture, "blocked-until", NULL);
  g_assert_cmpint (nod_sync_status_get_blocked_until (fixture->status), ==, 0);
  g_assert_cmpint (nod_sync_status_get_last_synced_at (fixture->status), ==, 1763800000);
}

static void
test_last_error (Fixture       *fixture,
                 gconstpointer  data)
{
  char sentence[] = "No network connection";
  g_autofree char *got = NULL;

  nod_sync_status_set_last_error (fixture->status, NULL);
  assert_notified (fixture, NULL);

  nod_sync_status_set_last_error (fixture->status, sentence);
  assert_notified (fixture, "last-error", NULL);
  /* The status keeps its own copy. */
  g_assert_true (nod_sync_status_get_last_error (fixture->status) != sentence);
  sentence[0] = 'n';
  g_assert_cmpstr (nod_sync_status_get_last_error (fixture->status), ==,
                   "No network connection");

  /* An equal string is no change. */
  nod_sync_status_set_last_error (fixture->status, "No network connection");
  assert_notified (fixture, NULL);

  g_object_get (fixture->status, "last-error", &got, NULL);
  g_assert_cmpstr (got, ==, "No network connection");

  nod_sync_status_set_last_error (fixture->status, "Working offline");
  assert_notified (fixture, "last-error", NULL);

  nod_sync_status_set_last_error (fixture->status, NULL);
  assert_notified (fixture, "last-error", NULL);
  g_assert_null (nod_sync_status_get_last_error (fixture->status));
}

static void
test_can_sync_now (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean can_sync_now;

  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  assert_notified (fixture, "can-sync-now", NULL);
  nod_sync_status_set_can_sync_now (fixture->status, TRUE);
  assert_notified (fixture, NULL);
  /* Any true value is TRUE. */
  nod_sync_status_set_can_sync_now (fixture->status, 2);
  assert_notified (fixture, NULL);

  g_object_get (fixture->status, "can-sync-now", &can_sync_now, NULL);
  g_assert_true (can_sync_now);

  nod_sync_status_set_can_sync_now (fixture->status, FALSE);
  assert_notified (fixture, "can-sync-now", NULL);
  g_assert_false (nod_sync_status_get_can_sync_now (fixture->status));
}

static void
test_last_summary (Fixture       *fixture,
                   gconstpointer  data)
{
  NodSyncSummary summary = { .pushed = 4, .failed = 1, .remaining = 2, .pulled = 37 };
  NodSyncSummary *got = NULL;
  const NodSyncSummary *kept;

  nod_sync_status_set_last_summary (fixture->status, &summary);
  assert_notified (fixture, "last-summary", NULL);

  /* The status keeps its own copy. */
  summary.pushed = 99;
  kept = nod_sync_status_get_last_summary (fixture->status);
  g_assert_true (kept != &summary);
  g_assert_cmpuint (kept->pushed, ==, 4);

  /* An equal summary is no change; any one field differing is. */
  summary.pushed = 4;
  nod_sync_status_set_last_summary (fixture->status, &summary);
  assert_notified (fixture, NULL);
  summary.pulled = 38;
  nod_sync_status_set_last_summary (fixture->status, &summary);
  assert_notified (fixture, "last-summary", NULL);

  /* The boxed copy GObject hands out. */
  g_object_get (fixture->status, "last-summary", &got, NULL);
  g_assert_nonnull (got);
  g_assert_true (got != nod_sync_status_get_last_summary (fixture->status));
  g_assert_cmpuint (got->pushed, ==, 4);
  g_assert_cmpuint (got->failed, ==, 1);
  g_assert_cmpuint (got->remaining, ==, 2);
  g_assert_cmpuint (got->pulled, ==, 38);
  g_clear_pointer (&got, nod_sync_summary_free);

  /* NULL clears it to zeros. */
  nod_sync_status_set_last_summary (fixture->status, NULL);
  assert_notified (fixture, "last-summary", NULL);
  nod_sync_status_set_last_summary (fixture->status, NULL);
  assert_notified (fixture, NULL);
  kept = nod_sync_status_get_last_summary (fixture->status);
  g_assert_cmpuint (kept->pushed + kept->failed + kept->remaining + kept->pulled, ==, 0);
}

static void
test_summary_boxed (void)
{
  NodSyncSummary summary = { .pushed = 1, .failed = 2, .remaining = 3, .pulled = 4 };
  NodSyncSummary *copy;
  NodSyncSummary *boxed_copy;

  g_assert_true (G_TYPE_IS_BOXED (NOD_TYPE_SYNC_SUMMARY));

  copy = nod_sync_summary_copy (&summary);
  g_assert_true (copy != &summary);
  g_assert_cmpmem (copy, sizeof *copy, &summary, sizeof summary);

  boxed_copy = g_boxed_copy (NOD_TYPE_SYNC_SUMMARY, copy);
  g_assert_cmpmem (boxed_copy, sizeof *boxed_copy, &summary, sizeof summary);

  g_boxed_free (NOD_TYPE_SYNC_SUMMARY, boxed_copy);
  nod_sync_summary_free (copy);
}

static void
test_state_strings (void)
{
  static const struct
  {
    NodSyncState state;
    const char  *name;
  } states[] = {
    { NOD_SYNC_STATE_IDLE, "idle" },
    { NOD_SYNC_STATE_SYNCING, "syncing" },
    { NOD_SYNC_STATE_BLOCKED, "blocked" },
    { NOD_SYNC_STATE_OFFLINE, "offline" },
    { NOD_SYNC_STATE_SIGNED_OUT, "signed-out" },
    { NOD_SYNC_STATE_ERROR, "error" },
  };
  g_autoptr(NodSyncStatus) status = nod_sync_status_new ();
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (status), "state");
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (pspec->value_type);

  g_assert_cmpuint (enum_class->n_values, ==, G_N_ELEMENTS (states));

  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    {
      GEnumValue *value = g_enum_get_value (enum_class, states[i].state);

      g_assert_cmpstr (nod_sync_state_to_string (states[i].state), ==, states[i].name);
      /* The GType's nicks are the same strings. */
      g_assert_nonnull (value);
      g_assert_cmpstr (value->value_nick, ==, states[i].name);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

  ADD_FIXTURE_TEST ("/nod/sync-status/defaults", test_defaults);
  ADD_FIXTURE_TEST ("/nod/sync-status/properties", test_properties);
  ADD_FIXTURE_TEST ("/nod/sync-status/state", test_state);
  ADD_FIXTURE_TEST ("/nod/sync-status/counts", test_counts);
  ADD_FIXTURE_TEST ("/nod/sync-status/progress", test_progress);
  ADD_FIXTURE_TEST ("/nod/sync-status/times", test_times);
  ADD_FIXTURE_TEST ("/nod/sync-status/last-error", test_last_error);
  ADD_FIXTURE_TEST ("/nod/sync-status/can-sync-now", test_can_sync_now);
  ADD_FIXTURE_TEST ("/nod/sync-status/last-summary", test_last_summary);
  g_test_add_func ("/nod/sync-status/summary-boxed", test_summary_boxed);
  g_test_add_func ("/nod/sync-status/state-strings", test_state_strings);

#undef ADD_FIXTURE_TEST

  return g_test_run ();
}
