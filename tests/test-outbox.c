/* test-outbox.c: queuing, coalescing, claiming and failing review actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every async call has a small sync wrapper below. Time is passed explicitly as `now`
 * (Unix microseconds), so backoff is tested by moving `now`, never by waiting.
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "nod-gitlab-json.h"
#include "nod-outbox.h"
#include "nod-outbox-action-private.h"
#include "nod-store-worker.h"
#include "nod-test-utils.h"

#define PROJECT 7
#define MR_A 42
#define MR_B 43
#define MR_C 44
#define MR_D 45

#define SHA_OLD "0123456789abcdef0123456789abcdef01234567"
#define SHA_NEW "fedcba9876543210fedcba9876543210fedcba98"
#define SHA_NOT_HEX "0123456789abcdef0123456789abcdef0123456g"
#define SERVER_THREAD "6a9c1750b37d513a43987b574953fceb50b03ce7"
#define OTHER_THREAD "0b27a40c9cde4f1e6bd2a1b8e06c2c4d8f5e7a61"

/* A fixed, realistic clock: 2023-11-14 22:13:20 UTC. */
#define T0 ((gint64) 1700000000 * G_USEC_PER_SEC)

#define ONE_HOUR ((gint64) 3600 * G_USEC_PER_SEC)

#define ENQUEUE_CHILD_FLAG "--enqueue-child"
#define CLAIM_CHILD_FLAG "--enqueue-claim-child"
#define CHILD_BODY "Written just before the crash"

typedef struct
{
  NodStore  *store;
  NodOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  nod_test_exec (fixture->store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) VALUES "
                 "(1, 'https://gitlab.example.com', 'reviewer', 0), "
                 "(2, 'https://gitlab.example.org', 'reviewer', 0)");
  fixture->outbox = nod_outbox_new (fixture->store);
}

static gboolean
do_nothing_work (sqlite3       *db,
                 gpointer       work_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return TRUE;
}

/* The worker drops its reference to a task (and so to the outbox) just after returning
 * it; a job queued behind it runs only once that is done. */
static void
drain_worker (NodStore *store)
{
  g_assert_true (nod_store_run_sync (store, do_nothing_work, NULL, NULL, NULL));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  drain_worker (fixture->store);
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

static const char *
op_id_of (NodOutboxAction *action)
{
  return nod_outbox_action_get_op_id (action);
}

/* Direct SQL checks */

static gint64 query_int (Fixture    *fixture,
                         const char *format,
                         ...) G_GNUC_PRINTF (2, 3);

static gint64
query_int (Fixture    *fixture,
           const char *format,
           ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return nod_test_query_int (fixture->store, sql);
}

static gint64
count_rows (Fixture    *fixture,
            const char *where)
{
  return query_int (fixture, "SELECT COUNT (*) FROM outbox WHERE %s", where);
}

typedef struct
{
  const char *sql;
  char       *value;
  gboolean    found;
} QueryText;

static gboolean
query_text_work (sqlite3       *db,
                 gpointer       work_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  QueryText *query = work_data;
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, query->sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      query->found = TRUE;
      query->value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    return TRUE;

  nod_store_set_error (error, db, rc);
  return FALSE;
}

/* One text column of the outbox row of @op_id; the row must exist. NULL for SQL NULL. */
static char *
row_text (Fixture    *fixture,
          const char *op_id,
          const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'",
                                          column, op_id);
  g_autoptr(GError) error = NULL;
  QueryText query = { sql, NULL, FALSE };

  nod_store_run_sync (fixture->store, query_text_work, &query, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (query.found);
  return query.value;
}

static gint64
row_int (Fixture    *fixture,
         const char *op_id,
         const char *column)
{
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM outbox WHERE op_id = '%s'",
                              op_id), ==, 1);
  return query_int (fixture, "SELECT %s FROM outbox WHERE op_id = '%s'", column, op_id);
}

static void
assert_row_state (Fixture    *fixture,
                  const char *op_id,
                  const char *expected_state)
{
  g_autofree char *state = row_text (fixture, op_id, "state");

  g_assert_cmpstr (state, ==, expected_state);
}

static gboolean
row_exists (Fixture    *fixture,
            const char *op_id)
{
  return query_int (fixture, "SELECT COUNT (*) FROM outbox WHERE op_id = '%s'", op_id) > 0;
}

/* Sync wrappers. With @error NULL a call must succeed; otherwise its error is handed
 * back for the test to check. */

static gboolean
check_outcome (gboolean   succeeded,
               GError    *local_error,
               GError   **error)
{
  g_assert_true (succeeded == (local_error == NULL));

  if (error == NULL)
    {
      g_assert_no_error (local_error);
      return succeeded;
    }

  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return succeeded;
}

static gboolean
enqueue_sync (Fixture          *fixture,
              NodOutboxAction  *draft,
              NodOutboxAction **out_stored,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_enqueue_async (fixture->outbox, draft, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                         out_stored, &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

/* Enqueues @draft_in (consumed), which must be stored as a row of its own or merged into
 * one: returns that row. */
static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft_in)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(NodOutboxAction) stored = NULL;

  g_assert_true (enqueue_sync (fixture, draft, &stored, NULL));
  g_assert_nonnull (stored);
  g_assert_true (stored != draft);
  return g_steal_pointer (&stored);
}

/* Enqueues @draft_in (consumed), which must cancel a pending opposite. */
static void
enqueue_cancelling (Fixture         *fixture,
                    NodOutboxAction *draft_in)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(NodOutboxAction) stored = NULL;

  g_assert_true (enqueue_sync (fixture, draft, &stored, NULL));
  g_assert_null (stored);
}

/* Enqueues @draft_in (consumed), which must be refused with @code, writing nothing. */
static void
enqueue_refused (Fixture         *fixture,
                 NodOutboxAction *draft_in,
                 NodOutboxError   code)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *op_id_before = g_strdup (op_id_of (draft));
  gint64 rows_before = count_rows (fixture, "1");
  gint64 seq_before = query_int (fixture, "SELECT COALESCE (MAX (seq), 0) FROM outbox");

  g_assert_false (enqueue_sync (fixture, draft, &stored, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, (int) code);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (stored);
  g_assert_cmpstr (op_id_of (draft), ==, op_id_before);

  g_assert_cmpint (count_rows (fixture, "1"), ==, rows_before);
  g_assert_cmpint (query_int (fixture, "SELECT COALESCE (MAX (seq), 0) FROM outbox"), ==,
                   seq_before);
}

static char *
lane_of (NodOutboxAction *action)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%s",
                          nod_outbox_action_get_project_id (action),
                          nod_outbox_action_get_mr_iid (action),
                          nod_outbox_action_is_approval (action) ? "approvals" : "discussions");
}

/* Claims, and checks what every claim must guarantee: at most @max_actions, only of
 * @account_id and the lanes in @flags, never two of one lane, all now in flight. */
static GPtrArray *
claim_with (Fixture             *fixture,
            gint64               account_id,
            NodOutboxClaimFlags  flags,
            guint                max_actions,
            gint64               now)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GHashTable) lanes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  nod_outbox_claim_next_batch_async (fixture->outbox, account_id, flags, max_actions, now,
                                     NULL, nod_test_keep_result, &result);
  claimed = nod_outbox_claim_next_batch_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (claimed);
  g_assert_cmpuint (claimed->len, <=, max_actions);

  for (guint i = 0; i < claimed->len; i++)
    {
      NodOutboxAction *action = claimed->pdata[i];
      gboolean approval = nod_outbox_action_is_approval (action);

      g_assert_true (NOD_IS_OUTBOX_ACTION (action));
      g_assert_cmpint (nod_outbox_action_get_account_id (action), ==, account_id);
      g_assert_cmpint (nod_outbox_action_get_state (action), ==, NOD_ACTION_IN_FLIGHT);
      g_assert_cmpint (nod_outbox_action_get_sent_at (action), ==, now);
      g_assert_cmpint (nod_outbox_action_get_next_attempt_at (action), <=, now);
      g_assert_true (flags & (approval ? NOD_OUTBOX_CLAIM_APPROVALS
                                       : NOD_OUTBOX_CLAIM_DISCUSSIONS));
      g_assert_true (g_hash_table_add (lanes, lane_of (action)));
      if (i > 0)
        g_assert_cmpint (nod_outbox_action_get_seq (claimed->pdata[i - 1]), <,
                         nod_outbox_action_get_seq (action));
      assert_row_state (fixture, nod_outbox_action_get_op_id (action), "in_flight");
    }

  return g_steal_pointer (&claimed);
}

static GPtrArray *
claim (Fixture *fixture,
       gint64   now)
{
  return claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 100, now);
}

/* What GitLab would answer: for a comment, the thread @server_discussion_id it started
 * with the note @server_id; for a reply, the note @server_id; else nothing. */
static GObject *
answer_of (const char *server_id,
           const char *server_discussion_id)
{
  g_autofree char *note = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GObject *answer;

  if (server_id == NULL)
    return NULL;

  note = g_strdup_printf ("{\"id\": %s, \"body\": \"b\", \"author\": {\"id\": 7, "
                          "\"username\": \"sam\"}}", server_id);
  json = server_discussion_id != NULL
           ? g_strdup_printf ("{\"id\": \"%s\", \"notes\": [%s]}", server_discussion_id, note)
           : g_strdup (note);
  bytes = g_bytes_new (json, strlen (json));
  node = _nod_gitlab_json_parse (bytes, &error);
  g_assert_no_error (error);
  answer = server_discussion_id != NULL ? _nod_gitlab_json_parse_discussion (node, &error)
                                        : _nod_gitlab_json_parse_note (node, &error);
  g_assert_no_error (error);
  return answer;
}

static gboolean
ack_sync (Fixture     *fixture,
          const char  *op_id,
          const char  *server_id,
          const char  *server_discussion_id,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GObject) answer = answer_of (server_id, server_discussion_id);
  gboolean succeeded;

  nod_outbox_ack_async (fixture->outbox, op_id, answer, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_ack_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                     &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
fail_transient_sync (Fixture     *fixture,
                     const char  *op_id,
                     guint        http_status,
                     const char  *reason,
                     gboolean     ambiguous,
                     gint64       now,
                     GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_fail_transient_async (fixture->outbox, op_id, http_status, reason, ambiguous,
                                   now, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_fail_transient_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result),
                                                &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
fail_permanent_sync (Fixture     *fixture,
                     const char  *op_id,
                     guint        http_status,
                     const char  *reason,
                     GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_fail_permanent_async (fixture->outbox, op_id, http_status, reason, NULL,
                                   nod_test_keep_result, &result);
  succeeded = nod_outbox_fail_permanent_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result),
                                                &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
release_sync (Fixture     *fixture,
              const char  *op_id,
              gint64       not_before,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_release_async (fixture->outbox, op_id, not_before, NULL,
                            nod_test_keep_result, &result);
  succeeded = nod_outbox_release_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                         &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
retry_sync (Fixture     *fixture,
            const char  *op_id,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_retry_async (fixture->outbox, op_id, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_retry_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                       &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
discard_sync (Fixture     *fixture,
              const char  *op_id,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_discard_async (fixture->outbox, op_id, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_discard_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                         &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static guint
recover (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint recovered = G_MAXUINT;

  nod_outbox_recover_async (fixture->outbox, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_recover_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                            &recovered, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recovered, !=, G_MAXUINT);
  return recovered;
}

static NodOutboxCounts
count (Fixture *fixture,
       gint64   account_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts = { G_MAXUINT, G_MAXUINT, G_MAXUINT };

  nod_outbox_count_async (fixture->outbox, account_id, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_count_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                          &counts, &error));
  g_assert_no_error (error);
  return counts;
}

static void
assert_counts (Fixture *fixture,
               gint64   account_id,
               guint    pending,
               guint    in_flight,
               guint    failed)
{
  NodOutboxCounts counts = count (fixture, account_id);

  g_assert_cmpuint (counts.pending, ==, pending);
  g_assert_cmpuint (counts.in_flight, ==, in_flight);
  g_assert_cmpuint (counts.failed, ==, failed);
}

static GPtrArray *
list_sync (Fixture  *fixture,
           gint64    account_id,
           GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) actions = NULL;

  nod_outbox_list_async (fixture->outbox, account_id, NULL, nod_test_keep_result, &result);
  actions = nod_outbox_list_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                    &local_error);
  check_outcome (actions != NULL, g_steal_pointer (&local_error), error);
  return g_steal_pointer (&actions);
}

static GPtrArray *
list (Fixture *fixture,
      gint64   account_id)
{
  return list_sync (fixture, account_id, NULL);
}

/* The listed action with @op_id, or NULL when it is not listed. */
static NodOutboxAction *
find_action (GPtrArray  *actions,
             const char *op_id)
{
  for (guint i = 0; i < actions->len; i++)
    if (g_strcmp0 (nod_outbox_action_get_op_id (actions->pdata[i]), op_id) == 0)
      return actions->pdata[i];
  return NULL;
}

/* @actions holds exactly the actions with these op ids, in this order. */
static void
assert_op_ids (GPtrArray  *actions,
               ...) G_GNUC_NULL_TERMINATED;

static void
assert_op_ids (GPtrArray  *actions,
               ...)
{
  va_list args;
  const char *op_id;
  guint i = 0;

  va_start (args, actions);
  while ((op_id = va_arg (args, const char *)) != NULL)
    {
      g_assert_cmpuint (i, <, actions->len);
      g_assert_cmpstr (nod_outbox_action_get_op_id (actions->pdata[i]), ==, op_id);
      i++;
    }
  va_end (args);

  g_assert_cmpuint (actions->len, ==, i);
}

static void
assert_claims_nothing (Fixture *fixture,
                       gint64   now)
{
  g_autoptr(GPtrArray) claimed = claim (fixture, now);

  assert_op_ids (claimed, NULL);
}

/* Enqueues @draft_in (consumed) with @flags at @now; returns the stored row (NULL when it
 * cancelled out) and how many rows it recovered. */
static NodOutboxAction *
enqueue_and_claim (Fixture               *fixture,
                   NodOutboxAction       *draft_in,
                   NodOutboxEnqueueFlags  flags,
                   gint64                 now,
                   guint                 *out_recovered)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_and_claim_async (fixture->outbox, draft, flags, now, NULL,
                                      nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_and_claim_finish (fixture->outbox,
                                                      nod_test_wait_for_result (&result),
                                                      &stored, out_recovered, &error));
  g_assert_no_error (error);
  return stored;
}

static char *
repeat_string (const char *unit,
               gsize       times)
{
  gsize unit_length = strlen (unit);
  char *result = g_malloc (unit_length * times + 1);

  for (gsize i = 0; i < times; i++)
    memcpy (result + i * unit_length, unit, unit_length);
  result[unit_length * times] = '\0';
  return result;
}

/* /nod/outbox/enqueue */

static void
test_enqueue_stored (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve_draft =
    nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD);
  g_autoptr(NodOutboxAction) comment_draft =
    nod_outbox_action_new_comment (1, PROJECT, MR_A, "Why not a hash table here? 🤔");
  g_autoptr(NodOutboxAction) reply_draft =
    nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD, "Good point, fixed.");
  g_autoptr(NodOutboxAction) resolve_draft =
    nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD, TRUE);
  NodOutboxAction *drafts[4];
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  NodOutboxAction *stored[4];
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GHashTable) op_ids = g_hash_table_new (g_str_hash, g_str_equal);
  const char *comment_thread;
  gint64 before = g_get_real_time ();
  gint64 after;

  g_assert_true (enqueue_sync (fixture, approve_draft, &approve, NULL));
  g_assert_true (enqueue_sync (fixture, comment_draft, &comment, NULL));
  g_assert_true (enqueue_sync (fixture, reply_draft, &reply, NULL));
  g_assert_true (enqueue_sync (fixture, resolve_draft, &resolve, NULL));
  after = g_get_real_time ();

  drafts[0] = approve_draft;
  drafts[1] = comment_draft;
  drafts[2] = reply_draft;
  drafts[3] = resolve_draft;
  stored[0] = approve;
  stored[1] = comment;
  stored[2] = reply;
  stored[3] = resolve;

  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    {
      g_assert_nonnull (stored[i]);
      g_assert_true (stored[i] != drafts[i]);
      g_assert_true (g_uuid_string_is_valid (op_id_of (stored[i])));
      g_assert_true (g_hash_table_add (op_ids, (gpointer) op_id_of (stored[i])));
      g_assert_cmpint (nod_outbox_action_get_seq (stored[i]), >, 0);
      if (i > 0)
        g_assert_cmpint (nod_outbox_action_get_seq (stored[i]), >,
                         nod_outbox_action_get_seq (stored[i - 1]));
      g_assert_cmpint (nod_outbox_action_get_state (stored[i]), ==, NOD_ACTION_PENDING);
      g_assert_cmpint (nod_outbox_action_get_created_at (stored[i]), >=, before);
      g_assert_cmpint (nod_outbox_action_get_created_at (stored[i]), <=, after);
      g_assert_cmpint (nod_outbox_action_get_account_id (stored[i]), ==, 1);
      g_assert_cmpint (nod_outbox_action_get_project_id (stored[i]), ==, PROJECT);
      g_assert_cmpint (nod_outbox_action_get_mr_iid (stored[i]), ==, MR_A);
      g_assert_cmpint (nod_outbox_action_get_kind (stored[i]), ==,
                       nod_outbox_action_get_kind (drafts[i]));
      g_assert_cmpuint (nod_outbox_action_get_attempts (stored[i]), ==, 0);
      g_assert_cmpint (nod_outbox_action_get_next_attempt_at (stored[i]), ==, 0);
      g_assert_cmpuint (nod_outbox_action_get_last_status (stored[i]), ==, 0);
      g_assert_null (nod_outbox_action_get_last_error (stored[i]));
      g_assert_false (nod_outbox_action_get_ambiguous (stored[i]));
      g_assert_null (nod_outbox_action_get_server_id (stored[i]));
      g_assert_cmpint (nod_outbox_action_get_sent_at (stored[i]), ==, 0);

      /* The caller's draft stays a draft. */
      g_assert_null (op_id_of (drafts[i]));
      g_assert_cmpint (nod_outbox_action_get_seq (drafts[i]), ==, 0);
      g_assert_cmpint (nod_outbox_action_get_created_at (drafts[i]), ==, 0);
    }

  g_assert_cmpint (nod_outbox_action_get_kind (approve), ==, NOD_ACTION_APPROVE);
  g_assert_cmpstr (nod_outbox_action_get_head_sha (approve), ==, SHA_OLD);
  g_assert_null (nod_outbox_action_get_body (approve));
  g_assert_null (nod_outbox_action_get_discussion_id (approve));

  g_assert_cmpint (nod_outbox_action_get_kind (comment), ==, NOD_ACTION_COMMENT);
  g_assert_cmpstr (nod_outbox_action_get_body (comment), ==, "Why not a hash table here? 🤔");
  comment_thread = nod_outbox_action_get_discussion_id (comment);
  g_assert_true (g_str_has_prefix (comment_thread, NOD_OUTBOX_LOCAL_ID_PREFIX));
  g_assert_cmpuint (strlen (comment_thread), >, strlen (NOD_OUTBOX_LOCAL_ID_PREFIX));
  g_assert_null (nod_outbox_action_get_discussion_id (comment_draft));
  g_assert_null (nod_outbox_action_get_head_sha (comment));

  g_assert_cmpint (nod_outbox_action_get_kind (reply), ==, NOD_ACTION_REPLY);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (reply), ==, SERVER_THREAD);
  g_assert_cmpstr (nod_outbox_action_get_body (reply), ==, "Good point, fixed.");

  g_assert_cmpint (nod_outbox_action_get_kind (resolve), ==, NOD_ACTION_RESOLVE);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (resolve), ==, SERVER_THREAD);
  g_assert_null (nod_outbox_action_get_body (resolve));

  /* Everything round-trips through the table. */
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), op_id_of (comment), op_id_of (reply),
                 op_id_of (resolve), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    {
      NodOutboxAction *row = listed->pdata[i];

      g_assert_cmpint (nod_outbox_action_get_seq (row), ==,
                       nod_outbox_action_get_seq (stored[i]));
      g_assert_cmpint (nod_outbox_action_get_kind (row), ==,
                       nod_outbox_action_get_kind (stored[i]));
      g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_PENDING);
      g_assert_cmpint (nod_outbox_action_get_created_at (row), ==,
                       nod_outbox_action_get_created_at (stored[i]));
      g_assert_cmpstr (nod_outbox_action_get_body (row), ==,
                       nod_outbox_action_get_body (stored[i]));
      g_assert_cmpstr (nod_outbox_action_get_head_sha (row), ==,
                       nod_outbox_action_get_head_sha (stored[i]));
      g_assert_cmpstr (nod_outbox_action_get_discussion_id (row), ==,
                       nod_outbox_action_get_discussion_id (stored[i]));
    }

  /* The table itself: a comment keeps its local id apart from the thread it will get. */
  g_assert_cmpint (count_rows (fixture, "state = 'pending'"), ==, 4);
  g_assert_cmpint (query_int (fixture, "SELECT json_extract (payload, '$.sha') = '%s' "
                                       "FROM outbox WHERE op_id = '%s'",
                              SHA_OLD, op_id_of (approve)), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT discussion_id IS NULL AND "
                                       "local_discussion_id = '%s' "
                                       "FROM outbox WHERE op_id = '%s'",
                              comment_thread, op_id_of (comment)), ==, 1);
  assert_counts (fixture, 1, 4, 0, 0);
  assert_counts (fixture, 2, 0, 0, 0);

  /* A stored action is not a draft: enqueuing it again is refused. */
  enqueue_refused (fixture, g_object_ref (approve), NOD_OUTBOX_ERROR_INVALID);
}

/* The child of /nod/outbox/enqueue/durable-after-sigkill: enqueues, says so, then hangs
 * until it is killed. */
static int
run_enqueue_child (const char *db_path)
{
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodOutbox) outbox = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

#ifdef __linux__
  /* Should the parent die before it kills us, don't hang around. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif

  store = nod_store_open_sync (db_path, NULL, &error);
  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }

  outbox = nod_outbox_new (store);
  draft = nod_outbox_action_new_comment (1, PROJECT, MR_A, CHILD_BODY);
  nod_outbox_enqueue_async (outbox, draft, NULL, nod_test_keep_result, &result);
  if (!nod_outbox_enqueue_finish (outbox, nod_test_wait_for_result (&result), &stored,
                                  &error))
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }

  printf ("enqueued %s\n", op_id_of (stored));
  fflush (stdout);

  g_main_loop_run (loop);
  return 0;
}

/* The child of test_enqueue_claim_killed: an approval enqueued and claimed, then it waits
 * to be killed. */
static int
run_claim_child (const char *db_path)
{
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodOutbox) outbox = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif

  store = nod_store_open_sync (db_path, NULL, &error);
  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }

  outbox = nod_outbox_new (store);
  draft = nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD);
  nod_outbox_enqueue_and_claim_async (outbox, draft, NOD_OUTBOX_ENQUEUE_CLAIM, T0, NULL,
                                      nod_test_keep_result, &result);
  if (!nod_outbox_enqueue_and_claim_finish (outbox, nod_test_wait_for_result (&result),
                                            &stored, NULL, &error))
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  if (nod_outbox_action_get_state (stored) != NOD_ACTION_IN_FLIGHT)
    {
      g_printerr ("child: the approval was not claimed\n");
      return 1;
    }

  printf ("claimed %s\n", op_id_of (stored));
  fflush (stdout);

  g_main_loop_run (loop);
  return 0;
}

static void
test_enqueue_durable_after_sigkill (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *path = g_strdup (nod_store_get_path (fixture->store));
  g_autofree char *self_exe = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) child_stdout = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *action;
  const char *enqueued_op_id;

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  /* The database and its accounts exist; let go of it so the child has it to itself. */
  drain_worker (fixture->store);
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, ENQUEUE_CHILD_FLAG, path, NULL);
  g_assert_no_error (error);

  child_stdout = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (child_stdout, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  /* The moment the enqueue has returned, the process dies without any chance to clean up. */
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

  g_assert_true (g_str_has_prefix (line, "enqueued "));
  enqueued_op_id = line + strlen ("enqueued ");
  g_assert_true (g_uuid_string_is_valid (enqueued_op_id));

  fixture->store = nod_test_open_store (path);
  fixture->outbox = nod_outbox_new (fixture->store);

  listed = list (fixture, 1);
  assert_op_ids (listed, enqueued_op_id, NULL);
  action = listed->pdata[0];
  g_assert_cmpint (nod_outbox_action_get_kind (action), ==, NOD_ACTION_COMMENT);
  g_assert_cmpint (nod_outbox_action_get_state (action), ==, NOD_ACTION_PENDING);
  g_assert_cmpstr (nod_outbox_action_get_body (action), ==, CHILD_BODY);
  g_assert_cmpint (nod_outbox_action_get_mr_iid (action), ==, MR_A);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM outbox WHERE op_id = '%s' "
                                       "AND state = 'pending' "
                                       "AND json_extract (payload, '$.body') = '%s'",
                              enqueued_op_id, CHILD_BODY), ==, 1);
}

/* /nod/outbox/enqueue-claim */

/* An approval heading its lane is in flight when its enqueue returns, as a claim would
 * have handed it out; nothing else is claimed by an enqueue. */
static void
test_enqueue_claim_approval (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) plain = NULL;
  guint recovered = G_MAXUINT;

  approval = enqueue_and_claim (fixture,
                                nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD),
                                NOD_OUTBOX_ENQUEUE_CLAIM, T0, &recovered);
  g_assert_nonnull (approval);
  g_assert_cmpuint (recovered, ==, 0);
  g_assert_cmpint (nod_outbox_action_get_state (approval), ==, NOD_ACTION_IN_FLIGHT);
  g_assert_cmpint (nod_outbox_action_get_sent_at (approval), ==, T0);
  assert_row_state (fixture, op_id_of (approval), "in_flight");
  g_assert_cmpint (row_int (fixture, op_id_of (approval), "sent_at_us"), ==, T0);
  g_assert_cmpint (row_int (fixture, op_id_of (approval), "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, op_id_of (approval), "ambiguous"), ==, 0);

  /* A comment is never claimed by its enqueue, nor is an enqueue without the flag. */
  comment = enqueue_and_claim (fixture,
                               nod_outbox_action_new_comment (1, PROJECT, MR_B, "A nit"),
                               NOD_OUTBOX_ENQUEUE_CLAIM, T0, NULL);
  assert_row_state (fixture, op_id_of (comment), "pending");
  plain = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_C, SHA_OLD));
  assert_row_state (fixture, op_id_of (plain), "pending");

  /* Claimed once only: a claim hands out the others, never it again. */
  {
    g_autoptr(GPtrArray) claimed = claim (fixture, T0);

    assert_op_ids (claimed, op_id_of (comment), op_id_of (plain), NULL);
  }

  /* It settles as any claimed action does. */
  g_assert_true (ack_sync (fixture, op_id_of (approval), NULL, NULL, NULL));
  assert_row_state (fixture, op_id_of (approval), "done");
}

/* Behind an open action of its own lane, an approval waits its turn. */
static void
test_enqueue_claim_lane_head_only (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) unapprove = NULL;
  g_autoptr(NodOutboxAction) other = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (approve), NULL);
  /* Sent and unanswered: it may be on GitLab, so its opposite cannot cancel it. */
  g_assert_true (fail_transient_sync (fixture, op_id_of (approve), 502, "Bad gateway", TRUE,
                                      T0, NULL));

  unapprove = enqueue_and_claim (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A),
                                 NOD_OUTBOX_ENQUEUE_CLAIM, T0 + ONE_HOUR, NULL);
  g_assert_nonnull (unapprove);
  g_assert_cmpint (nod_outbox_action_get_state (unapprove), ==, NOD_ACTION_PENDING);
  assert_row_state (fixture, op_id_of (unapprove), "pending");

  /* Another merge request's approval is not held back by it. */
  other = enqueue_and_claim (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_OLD),
                             NOD_OUTBOX_ENQUEUE_CLAIM, T0 + ONE_HOUR, NULL);
  assert_row_state (fixture, op_id_of (other), "in_flight");

  /* Approve then unapprove, both pending: they cancel out, nothing claimed. */
  g_clear_object (&other);
  other = enqueue_and_claim (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_C, SHA_OLD),
                             0, T0, NULL);
  assert_row_state (fixture, op_id_of (other), "pending");
  g_assert_null (enqueue_and_claim (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_C),
                                    NOD_OUTBOX_ENQUEUE_CLAIM, T0, NULL));
  g_assert_cmpint (count_rows (fixture, "mr_iid = " G_STRINGIFY (MR_C)), ==, 0);
}

/* A new holder of the send lock recovers, in the enqueue's transaction and before it
 * claims, what a dead sender left in flight. */
static void
test_enqueue_claim_recovers (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodOutboxAction) orphan = NULL;
  g_autoptr(NodOutboxAction) approval = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  guint recovered = 0;

  orphan = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (orphan), NULL);

  approval = enqueue_and_claim (fixture,
                                nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_OLD),
                                NOD_OUTBOX_ENQUEUE_CLAIM | NOD_OUTBOX_ENQUEUE_RECOVER, T0,
                                &recovered);
  g_assert_cmpuint (recovered, ==, 1);
  assert_row_state (fixture, op_id_of (orphan), "pending");
  g_assert_cmpint (row_int (fixture, op_id_of (orphan), "ambiguous"), ==, 1);
  assert_row_state (fixture, op_id_of (approval), "in_flight");
  g_assert_cmpint (row_int (fixture, op_id_of (approval), "ambiguous"), ==, 0);
}

/* Claimed in the enqueue's transaction, then the process is killed: the row is in flight
 * on disk, and recovery makes it pending and ambiguous. */
static void
test_enqueue_claim_killed (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = g_strdup (nod_store_get_path (fixture->store));
  g_autofree char *self_exe = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) child_stdout = NULL;
  g_autoptr(GError) error = NULL;
  const char *op_id;

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  drain_worker (fixture->store);
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, CLAIM_CHILD_FLAG, path, NULL);
  g_assert_no_error (error);
  child_stdout = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (child_stdout, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));

  g_assert_true (g_str_has_prefix (line, "claimed "));
  op_id = line + strlen ("claimed ");

  fixture->store = nod_test_open_store (path);
  fixture->outbox = nod_outbox_new (fixture->store);
  assert_row_state (fixture, op_id, "in_flight");

  g_assert_cmpuint (recover (fixture), ==, 1);
  assert_row_state (fixture, op_id, "pending");
  g_assert_cmpint (row_int (fixture, op_id, "ambiguous"), ==, 1);
  g_assert_cmpint (row_int (fixture, op_id, "attempts"), ==, 0);
}

/* /nod/outbox/coalesce */

/* An inline comment keeps its GitLab position, exactly, in the row it is stored as and
 * in every listing of it. */
static void
test_enqueue_inline_position (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodDiffPosition) position = nod_diff_position_new ();
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  const NodDiffPosition *kept;
  NodOutboxAction *found;

  position->base_sha = g_strdup (SHA_OLD);
  position->start_sha = g_strdup (SHA_OLD);
  position->head_sha = g_strdup (SHA_NEW);
  position->old_path = g_strdup ("src/old-name.c");
  position->new_path = g_strdup ("src/new-name.c");
  position->old_line = -1;
  position->new_line = 12;
  stored = enqueue (fixture, nod_outbox_action_new_inline_comment (1, PROJECT, MR_A,
                                                                   "Off by one?", position));

  g_assert_nonnull (nod_outbox_action_get_position (stored));
  g_assert_true (nod_diff_position_equal (nod_outbox_action_get_position (stored), position));

  listed = list (fixture, 1);
  found = find_action (listed, nod_outbox_action_get_op_id (stored));
  g_assert_nonnull (found);
  kept = nod_outbox_action_get_position (found);
  g_assert_nonnull (kept);
  g_assert_cmpstr (kept->old_path, ==, "src/old-name.c");
  g_assert_cmpstr (kept->new_path, ==, "src/new-name.c");
  g_assert_cmpstr (kept->head_sha, ==, SHA_NEW);
  g_assert_cmpint (kept->old_line, ==, -1);
  g_assert_cmpint (kept->new_line, ==, 12);
}

static void
test_coalesce_approve_unapprove (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) unapprove = NULL;
  g_autoptr(NodOutboxAction) other_mr = NULL;
  g_autoptr(NodOutboxAction) other_account = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  /* approve, then unapprove */
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  enqueue_cancelling (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  listed = list (fixture, 0);
  assert_op_ids (listed, NULL);
  assert_counts (fixture, 0, 0, 0, 0);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* unapprove, then approve */
  unapprove = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  enqueue_cancelling (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, NULL));
  listed = list (fixture, 0);
  assert_op_ids (listed, NULL);
  assert_counts (fixture, 0, 0, 0, 0);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);
  g_clear_object (&approve);

  /* Opposites on another merge request or another account are other intents. */
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  other_mr = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_B));
  other_account = enqueue (fixture, nod_outbox_action_new_unapprove (2, PROJECT, MR_A));
  listed = list (fixture, 0);
  assert_op_ids (listed, op_id_of (approve), op_id_of (other_mr), op_id_of (other_account), NULL);
  assert_counts (fixture, 0, 3, 0, 0);
}

static void
test_coalesce_resolve_unresolve (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) unresolve = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  /* One thread: resolve then unresolve, and unresolve then resolve, net to nothing. */
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                             TRUE));
  enqueue_cancelling (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                              FALSE));
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
  assert_counts (fixture, 0, 0, 0, 0);

  unresolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A,
                                                               SERVER_THREAD, FALSE));
  enqueue_cancelling (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                              TRUE));
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
  g_clear_object (&resolve);
  g_clear_object (&unresolve);

  /* Two threads: both stay. */
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                             TRUE));
  unresolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, OTHER_THREAD,
                                                               FALSE));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (resolve), op_id_of (unresolve), NULL);
  g_assert_cmpint (count_rows (fixture, "state = 'pending'"), ==, 2);
  assert_counts (fixture, 1, 2, 0, 0);
}

static void
test_coalesce_not_in_flight (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) unapprove = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) unresolve = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                             TRUE));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (approve), op_id_of (resolve), NULL);

  /* They may be on GitLab already: the opposites must go out after them. */
  unapprove = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  unresolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A,
                                                               SERVER_THREAD, FALSE));
  g_assert_cmpstr (op_id_of (unapprove), !=, op_id_of (approve));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), op_id_of (resolve), op_id_of (unapprove),
                 op_id_of (unresolve), NULL);
  assert_row_state (fixture, op_id_of (approve), "in_flight");
  assert_row_state (fixture, op_id_of (unapprove), "pending");
  assert_counts (fixture, 1, 2, 2, 0);
}

static void
test_coalesce_not_ambiguous (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) unapprove = NULL;
  g_autoptr(NodOutboxAction) plain = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  /* A pending approve that may have reached GitLab (it timed out after sending) can't
   * be taken back locally: the unapprove must go out after it. */
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (approve), NULL);
  fail_transient_sync (fixture, op_id_of (approve), 0, "The request timed out", TRUE, T0, NULL);
  g_assert_cmpint (row_int (fixture, op_id_of (approve), "ambiguous"), ==, 1);

  unapprove = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  g_assert_cmpstr (op_id_of (unapprove), !=, op_id_of (approve));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), op_id_of (unapprove), NULL);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Approving again cancels the unapprove, which never left; the approve stays. */
  enqueue_cancelling (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), NULL);
  g_assert_true (nod_outbox_action_get_ambiguous (listed->pdata[0]));
  g_clear_pointer (&listed, g_ptr_array_unref);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* A failure GitLab answered (503: nothing happened) leaves the action cancellable. */
  plain = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (plain), NULL);
  fail_transient_sync (fixture, op_id_of (plain), 503, "Service unavailable", FALSE, T0, NULL);
  enqueue_cancelling (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_B));
  g_assert_false (row_exists (fixture, op_id_of (plain)));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), NULL);
}

static void
test_coalesce_duplicate (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) resolve_again = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  first = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  second = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_NEW));

  g_assert_cmpstr (op_id_of (second), ==, op_id_of (first));
  g_assert_cmpint (nod_outbox_action_get_seq (second), ==, nod_outbox_action_get_seq (first));
  g_assert_cmpstr (nod_outbox_action_get_head_sha (second), ==, SHA_NEW);
  g_assert_cmpint (nod_outbox_action_get_state (second), ==, NOD_ACTION_PENDING);

  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (first), NULL);
  g_assert_cmpstr (nod_outbox_action_get_head_sha (listed->pdata[0]), ==, SHA_NEW);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT json_extract (payload, '$.sha') = '%s' "
                                       "FROM outbox WHERE op_id = '%s'",
                              SHA_NEW, op_id_of (first)), ==, 1);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Resolving one thread twice is one intent too. */
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                             TRUE));
  resolve_again = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A,
                                                                   SERVER_THREAD, TRUE));
  g_assert_cmpstr (op_id_of (resolve_again), ==, op_id_of (resolve));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (first), op_id_of (resolve), NULL);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 2);
}

/* /nod/outbox/claim */

static void
test_claim_fifo (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autofree char *comment_thread = NULL;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Nit: typo"));
  comment_thread = g_strdup (nod_outbox_action_get_discussion_id (comment));
  reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, comment_thread,
                                                         "And another one below"));
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, comment_thread,
                                                             TRUE));
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (reply), ==, comment_thread);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (resolve), ==, comment_thread);

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* While the head is in flight, the rest of its lane waits. */
  assert_claims_nothing (fixture, T0);

  ack_sync (fixture, op_id_of (comment), "1001", SERVER_THREAD, NULL);
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (reply), op_id_of (resolve), NULL);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (listed->pdata[0]), ==, SERVER_THREAD);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (listed->pdata[1]), ==, SERVER_THREAD);
  g_assert_cmpint (count_rows (fixture, "discussion_id = '" SERVER_THREAD "' "
                                        "AND state = 'pending'"), ==, 2);
  g_assert_cmpint (count_rows (fixture, "discussion_id LIKE 'local:%'"), ==, 0);

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (reply), NULL);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (claimed->pdata[0]), ==, SERVER_THREAD);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  assert_claims_nothing (fixture, T0);
  ack_sync (fixture, op_id_of (reply), "1002", NULL, NULL);

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (resolve), NULL);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (claimed->pdata[0]), ==, SERVER_THREAD);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (resolve), NULL, NULL, NULL);

  assert_claims_nothing (fixture, T0);
  assert_counts (fixture, 1, 0, 0, 0);
  g_assert_cmpint (count_rows (fixture, "state = 'done'"), ==, 3);
}

static void
test_claim_blocked_mr_does_not_block_another (Fixture       *fixture,
                                              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) a1 = NULL;
  g_autoptr(NodOutboxAction) a2 = NULL;
  g_autoptr(NodOutboxAction) b1 = NULL;
  g_autoptr(NodOutboxAction) b2 = NULL;
  g_autoptr(NodOutboxAction) b3 = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gint64 later;

  a1 = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "a1"));
  a2 = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "a2"));
  b1 = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "b1"));
  b2 = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "b2"));

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (a1), op_id_of (b1), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* a1 backs off; b1 goes through. A stays held by a1, B moves on. */
  fail_transient_sync (fixture, op_id_of (a1), 503, "Service unavailable", FALSE, T0, NULL);
  ack_sync (fixture, op_id_of (b1), "2001", "b1b1b1b1", NULL);
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (b2), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  assert_row_state (fixture, op_id_of (a2), "pending");
  g_assert_cmpint (row_int (fixture, op_id_of (a2), "sent_at_us IS NULL"), ==, 1);

  /* A permanent failure holds back its own lane only. */
  b3 = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "b3"));
  fail_permanent_sync (fixture, op_id_of (b2), 403, "You can’t comment on this merge request",
                       NULL);
  later = row_int (fixture, op_id_of (a1), "next_attempt_at_us");
  claimed = claim (fixture, later);
  assert_op_ids (claimed, op_id_of (a1), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (a1), "1001", "a1a1a1a1", NULL);

  claimed = claim (fixture, later);
  assert_op_ids (claimed, op_id_of (a2), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (a2), "1002", "a2a2a2a2", NULL);

  assert_claims_nothing (fixture, later + ONE_HOUR);
  assert_row_state (fixture, op_id_of (b2), "failed");
  assert_row_state (fixture, op_id_of (b3), "pending");
  g_assert_cmpint (row_int (fixture, op_id_of (b3), "sent_at_us IS NULL"), ==, 1);
  assert_counts (fixture, 1, 1, 0, 1);
}

static void
test_claim_lanes (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) comment_b = NULL;
  g_autoptr(NodOutboxAction) approve_b = NULL;
  g_autoptr(NodOutboxAction) unapprove_a = NULL;
  g_autoptr(NodOutboxAction) resolve_c = NULL;
  g_autoptr(NodOutboxAction) unapprove_c = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  /* One merge request has two lanes: both heads go in one claim. */
  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "First"));
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), op_id_of (approve), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (approve), NULL, NULL, NULL);
  g_clear_object (&approve);

  /* A failed comment does not hold back an approval queued after it. */
  fail_permanent_sync (fixture, op_id_of (comment), 422, "The comment was refused", NULL);
  unapprove_a = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (unapprove_a), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (unapprove_a), NULL, NULL, NULL);

  /* The same when the comment fails before it is ever claimed. */
  comment_b = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "Hmm"));
  fail_permanent_sync (fixture, op_id_of (comment_b), 0, "Refused", NULL);
  approve_b = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_NEW));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (approve_b), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (approve_b), NULL, NULL, NULL);
  g_clear_object (&approve_b);
  g_clear_object (&comment_b);

  /* Flags: an approval flush never takes discussions, and the other way round. */
  retry_sync (fixture, op_id_of (comment), NULL);
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_NEW));
  resolve_c = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_C, SERVER_THREAD,
                                                               TRUE));
  unapprove_c = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_C));

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_APPROVALS, 100, T0);
  assert_op_ids (claimed, op_id_of (approve), op_id_of (unapprove_c), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  assert_row_state (fixture, op_id_of (comment), "pending");
  assert_row_state (fixture, op_id_of (resolve_c), "pending");

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_APPROVALS, 100, T0);
  assert_op_ids (claimed, NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_DISCUSSIONS, 100, T0);
  assert_op_ids (claimed, op_id_of (comment), op_id_of (resolve_c), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  assert_counts (fixture, 1, 0, 4, 1);
}

static void
test_claim_max_actions (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) claimed = NULL;

  /* Five merge requests, five lanes, all due. */
  for (gint64 mr_iid = 100; mr_iid < 105; mr_iid++)
    g_ptr_array_add (queued, enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, mr_iid,
                                                                              SHA_OLD)));

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 2, T0);
  assert_op_ids (claimed, op_id_of (queued->pdata[0]), op_id_of (queued->pdata[1]), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  assert_row_state (fixture, op_id_of (queued->pdata[2]), "pending");

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 2, T0);
  assert_op_ids (claimed, op_id_of (queued->pdata[2]), op_id_of (queued->pdata[3]), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 1, T0);
  assert_op_ids (claimed, op_id_of (queued->pdata[4]), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 1, T0);
  assert_op_ids (claimed, NULL);
  assert_counts (fixture, 1, 0, 5, 0);
}

static void
test_claim_account (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(NodOutboxAction) mine = NULL;
  g_autoptr(NodOutboxAction) theirs = NULL;
  g_autoptr(NodOutboxAction) theirs_approve = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  /* Same project and merge request ids on another account: separate lanes entirely. */
  theirs = enqueue (fixture, nod_outbox_action_new_comment (2, PROJECT, MR_A, "Other account"));
  theirs_approve = enqueue (fixture, nod_outbox_action_new_approve (2, PROJECT, MR_A, NULL));
  mine = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Mine"));

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (mine), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  assert_claims_nothing (fixture, T0);
  assert_row_state (fixture, op_id_of (theirs), "pending");
  assert_row_state (fixture, op_id_of (theirs_approve), "pending");

  claimed = claim_with (fixture, 2, NOD_OUTBOX_CLAIM_ALL, 100, T0);
  assert_op_ids (claimed, op_id_of (theirs), op_id_of (theirs_approve), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  claimed = claim_with (fixture, 3, NOD_OUTBOX_CLAIM_ALL, 100, T0);
  assert_op_ids (claimed, NULL);
  assert_counts (fixture, 1, 0, 1, 0);
  assert_counts (fixture, 2, 0, 2, 0);
}

/* /nod/outbox/ack */

static void
test_ack_remap_local_ids (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) early_reply = NULL;
  g_autoptr(NodOutboxAction) during_reply = NULL;
  g_autoptr(NodOutboxAction) late_reply = NULL;
  g_autoptr(NodOutboxAction) late_resolve = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *unknown_op_id = g_uuid_string_random ();
  g_autofree char *server_id = NULL;
  g_autofree char *thread = NULL;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Start"));
  local_id = g_strdup (nod_outbox_action_get_discussion_id (comment));
  early_reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id,
                                                               "Queued before sending"));

  /* Another account can't reply to this account's thread. */
  enqueue_refused (fixture, nod_outbox_action_new_reply (2, PROJECT, MR_A, local_id, "Nope"),
                   NOD_OUTBOX_ERROR_INVALID);

  /* Acking what is not in flight is refused and changes nothing. */
  g_assert_false (ack_sync (fixture, op_id_of (comment), "1001", SERVER_THREAD, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (comment), "pending");
  g_assert_cmpint (count_rows (fixture, "discussion_id = '" SERVER_THREAD "'"), ==, 0);

  g_assert_false (ack_sync (fixture, unknown_op_id, "1001", NULL, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* A reply taken while the comment is being sent still names the local id. */
  during_reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id,
                                                                "Queued while sending"));
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (during_reply), ==, local_id);

  ack_sync (fixture, op_id_of (comment), "1001", SERVER_THREAD, NULL);

  /* The comment is done, with what GitLab made of it, and no longer listed. */
  listed = list (fixture, 1);
  g_assert_null (find_action (listed, op_id_of (comment)));
  assert_op_ids (listed, op_id_of (early_reply), op_id_of (during_reply), NULL);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (listed->pdata[0]), ==, SERVER_THREAD);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (listed->pdata[1]), ==, SERVER_THREAD);
  assert_row_state (fixture, op_id_of (comment), "done");
  server_id = row_text (fixture, op_id_of (comment), "server_id");
  g_assert_cmpstr (server_id, ==, "1001");
  thread = row_text (fixture, op_id_of (comment), "discussion_id");
  g_assert_cmpstr (thread, ==, SERVER_THREAD);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "finished_at_us > 0"), ==, 1);

  /* Actions taken after the ack, still naming the old local id, get the real one. */
  late_reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id,
                                                              "Queued after sending"));
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (late_reply), ==, SERVER_THREAD);
  late_resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, local_id,
                                                                  TRUE));
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (late_resolve), ==, SERVER_THREAD);
  g_assert_cmpint (count_rows (fixture, "discussion_id LIKE 'local:%'"), ==, 0);
  g_assert_cmpint (count_rows (fixture, "discussion_id = '" SERVER_THREAD "' "
                                        "AND state = 'pending'"), ==, 4);

  /* A local id no comment ever had. */
  enqueue_refused (fixture,
                   nod_outbox_action_new_reply (1, PROJECT, MR_A,
                                                NOD_OUTBOX_LOCAL_ID_PREFIX
                                                "00000000-0000-4000-8000-000000000000",
                                                "To nowhere"),
                   NOD_OUTBOX_ERROR_INVALID);

  /* Done is final. */
  g_assert_false (ack_sync (fixture, op_id_of (comment), "1001", SERVER_THREAD, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
}

/* /nod/outbox/backoff */

/* The whole delay after @attempts failures: 2 s doubling each time, 5 min at most. Written
 * out apart from the code under test. */
static gint64
expected_full_delay (guint attempts)
{
  return attempts >= 9 ? NOD_OUTBOX_BACKOFF_CAP_US : (gint64) G_USEC_PER_SEC << attempts;
}

static void
test_backoff_schedule (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint large[] = { 10, 50, 1000, G_MAXUINT };
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = T0;

  /* The function itself: 1 s to 2 s, doubling, capped at 5 min. */
  g_assert_cmpint (nod_outbox_backoff_delay (1, 0.0), ==, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (1, 1.0), ==, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (2, 0.0), ==, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (2, 1.0), ==, 4 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (3, 1.0), ==, 8 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (8, 1.0), ==, 256 * G_USEC_PER_SEC);
  g_assert_cmpint (nod_outbox_backoff_delay (9, 1.0), ==, NOD_OUTBOX_BACKOFF_CAP_US);
  g_assert_cmpint (nod_outbox_backoff_delay (9, 0.0), ==, NOD_OUTBOX_BACKOFF_CAP_US / 2);
  g_assert_cmpint (NOD_OUTBOX_BACKOFF_CAP_US, ==, 5 * 60 * G_USEC_PER_SEC);

  for (guint attempts = 1; attempts <= 9; attempts++)
    {
      gint64 full = expected_full_delay (attempts);

      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 1.0), ==, full);
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 0.0), ==, full / 2);
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 0.5), >=, full / 2);
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 0.5), <=, full);
    }

  for (guint i = 0; i < G_N_ELEMENTS (large); i++)
    {
      g_assert_cmpint (nod_outbox_backoff_delay (large[i], 1.0), ==, NOD_OUTBOX_BACKOFF_CAP_US);
      g_assert_cmpint (nod_outbox_backoff_delay (large[i], 0.0), ==,
                       NOD_OUTBOX_BACKOFF_CAP_US / 2);
    }

  for (guint attempts = 2; attempts <= 100; attempts++)
    {
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 0.0), >=,
                       nod_outbox_backoff_delay (attempts - 1, 0.0));
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 0.37), >=,
                       nod_outbox_backoff_delay (attempts - 1, 0.37));
      g_assert_cmpint (nod_outbox_backoff_delay (attempts, 1.0), >=,
                       nod_outbox_backoff_delay (attempts - 1, 1.0));
    }

  /* Through the outbox. */
  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Retry me"));

  /* Failing what is not in flight is refused. */
  g_assert_false (fail_transient_sync (fixture, op_id_of (comment), 503, "x", FALSE, now,
                                       &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "attempts"), ==, 0);

  for (guint attempt = 1; attempt <= 10; attempt++)
    {
      g_autofree char *reason = g_strdup_printf ("Attempt %u timed out", attempt);
      g_autofree char *stored_reason = NULL;
      /* attempt 2 may have reached GitLab; the others surely did not */
      gboolean ambiguous = attempt == 2;
      gint64 next_attempt_at;
      NodOutboxAction *row;

      claimed = claim (fixture, now);
      assert_op_ids (claimed, op_id_of (comment), NULL);
      g_clear_pointer (&claimed, g_ptr_array_unref);

      fail_transient_sync (fixture, op_id_of (comment), 500 + attempt, reason, ambiguous, now,
                           NULL);

      listed = list (fixture, 1);
      assert_op_ids (listed, op_id_of (comment), NULL);
      row = listed->pdata[0];
      g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_PENDING);
      g_assert_cmpuint (nod_outbox_action_get_attempts (row), ==, attempt);
      g_assert_cmpuint (nod_outbox_action_get_last_status (row), ==, 500 + attempt);
      g_assert_cmpstr (nod_outbox_action_get_last_error (row), ==, reason);
      /* Once possibly sent, it stays ambiguous until acked. */
      g_assert_true (nod_outbox_action_get_ambiguous (row) == (attempt >= 2));

      next_attempt_at = nod_outbox_action_get_next_attempt_at (row);
      g_assert_cmpint (next_attempt_at, >=, now + expected_full_delay (attempt) / 2);
      g_assert_cmpint (next_attempt_at, <=, now + expected_full_delay (attempt));
      g_assert_cmpint (next_attempt_at, ==, row_int (fixture, op_id_of (comment),
                                                     "next_attempt_at_us"));
      g_assert_cmpint (row_int (fixture, op_id_of (comment), "attempts"), ==, attempt);
      g_assert_cmpint (row_int (fixture, op_id_of (comment), "last_status"), ==, 500 + attempt);
      stored_reason = row_text (fixture, op_id_of (comment), "last_error");
      g_assert_cmpstr (stored_reason, ==, reason);
      g_clear_pointer (&listed, g_ptr_array_unref);

      if (attempt == 1)
        assert_claims_nothing (fixture, now + 9 * G_USEC_PER_SEC / 10);
      assert_claims_nothing (fixture, now + expected_full_delay (attempt) / 2 - 1);
      assert_claims_nothing (fixture, next_attempt_at - 1);
      assert_counts (fixture, 1, 1, 0, 0);

      now = next_attempt_at;
    }
}

/* /nod/outbox/recover */

static void
test_recover_in_flight (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_strdup (nod_store_get_path (fixture->store));
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) untouched = NULL;
  g_autoptr(NodOutboxAction) unapprove = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "Sent?"));
  untouched = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_C, "Not yet"));

  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 2, T0);
  assert_op_ids (claimed, op_id_of (approve), op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* The process dies while both are out. */
  drain_worker (fixture->store);
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));

  fixture->store = nod_test_open_store (path);
  fixture->outbox = nod_outbox_new (fixture->store);
  g_assert_cmpint (count_rows (fixture, "state = 'in_flight'"), ==, 2);
  assert_counts (fixture, 1, 1, 2, 0);

  g_assert_cmpuint (recover (fixture), ==, 2);
  g_assert_cmpuint (recover (fixture), ==, 0);

  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (approve), op_id_of (comment), op_id_of (untouched), NULL);
  for (guint i = 0; i < listed->len; i++)
    g_assert_cmpint (nod_outbox_action_get_state (listed->pdata[i]), ==, NOD_ACTION_PENDING);
  g_assert_true (nod_outbox_action_get_ambiguous (listed->pdata[0]));
  g_assert_true (nod_outbox_action_get_ambiguous (listed->pdata[1]));
  g_assert_false (nod_outbox_action_get_ambiguous (listed->pdata[2]));
  g_assert_cmpint (count_rows (fixture, "ambiguous = 1"), ==, 2);
  assert_counts (fixture, 1, 3, 0, 0);

  /* The approve may be on GitLab: an unapprove now can't cancel it, it follows it. */
  unapprove = enqueue (fixture, nod_outbox_action_new_unapprove (1, PROJECT, MR_A));
  g_assert_cmpstr (op_id_of (unapprove), !=, op_id_of (approve));
  g_assert_false (nod_outbox_action_get_ambiguous (unapprove));

  /* They go out again, and the sender is told to check first. */
  claimed = claim (fixture, T0 + G_USEC_PER_SEC);
  assert_op_ids (claimed, op_id_of (approve), op_id_of (comment), op_id_of (untouched), NULL);
  g_assert_true (nod_outbox_action_get_ambiguous (claimed->pdata[0]));
  g_assert_true (nod_outbox_action_get_ambiguous (claimed->pdata[1]));
  g_assert_false (nod_outbox_action_get_ambiguous (claimed->pdata[2]));
  assert_row_state (fixture, op_id_of (unapprove), "pending");
}

/* /nod/outbox/retry */

static void
test_retry (Fixture       *fixture,
            gconstpointer  data)
{
  const char *reason = "You don’t have permission to comment on this merge request";
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unknown_op_id = g_uuid_string_random ();
  g_autofree char *stored_reason = NULL;
  NodOutboxAction *row;
  gint64 later;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "LGTM"));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  fail_transient_sync (fixture, op_id_of (comment), 502, "Bad gateway", FALSE, T0, NULL);
  later = row_int (fixture, op_id_of (comment), "next_attempt_at_us");
  claimed = claim (fixture, later);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* Failed for good: stays, with the reason, and sends nothing. */
  fail_permanent_sync (fixture, op_id_of (comment), 403, reason, NULL);
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (comment), NULL);
  row = listed->pdata[0];
  g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_FAILED);
  g_assert_cmpstr (nod_outbox_action_get_last_error (row), ==, reason);
  g_assert_cmpuint (nod_outbox_action_get_last_status (row), ==, 403);
  g_assert_cmpuint (nod_outbox_action_get_attempts (row), ==, 1);
  stored_reason = row_text (fixture, op_id_of (comment), "last_error");
  g_assert_cmpstr (stored_reason, ==, reason);
  assert_counts (fixture, 1, 0, 0, 1);
  assert_claims_nothing (fixture, later + ONE_HOUR);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Retried: a fresh start, due at once. */
  retry_sync (fixture, op_id_of (comment), NULL);
  listed = list (fixture, 1);
  row = listed->pdata[0];
  g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_PENDING);
  g_assert_cmpuint (nod_outbox_action_get_attempts (row), ==, 0);
  g_assert_cmpint (nod_outbox_action_get_next_attempt_at (row), ==, 0);
  g_assert_null (nod_outbox_action_get_last_error (row));
  g_assert_cmpuint (nod_outbox_action_get_last_status (row), ==, 0);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "finished_at_us IS NULL"), ==, 1);
  assert_counts (fixture, 1, 1, 0, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* A retry makes an action that is backing off due now. */
  fail_transient_sync (fixture, op_id_of (comment), 503, "Service unavailable", FALSE, T0, NULL);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "next_attempt_at_us"), >, T0);
  assert_claims_nothing (fixture, T0);
  retry_sync (fixture, op_id_of (comment), NULL);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "next_attempt_at_us"), ==, 0);
  g_assert_cmpint (row_int (fixture, op_id_of (comment), "attempts"), ==, 0);
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);

  /* Not while it is being sent, and not what does not exist. */
  g_assert_false (retry_sync (fixture, op_id_of (comment), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (comment), "in_flight");

  g_assert_false (retry_sync (fixture, unknown_op_id, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nor what is done. */
  ack_sync (fixture, op_id_of (comment), "1001", "c0ffee", NULL);
  g_assert_false (retry_sync (fixture, op_id_of (comment), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  assert_row_state (fixture, op_id_of (comment), "done");
}

/* /nod/outbox/release */

static void
test_release (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 not_before = T0 + 60 * G_USEC_PER_SEC;

  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (approve), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  /* Rate limited before sending: back in the queue, no attempt counted. */
  release_sync (fixture, op_id_of (approve), not_before, NULL);
  assert_row_state (fixture, op_id_of (approve), "pending");
  g_assert_cmpint (row_int (fixture, op_id_of (approve), "attempts"), ==, 0);
  g_assert_cmpint (row_int (fixture, op_id_of (approve), "ambiguous"), ==, 0);
  g_assert_cmpint (row_int (fixture, op_id_of (approve), "next_attempt_at_us"), ==, not_before);
  assert_claims_nothing (fixture, not_before - 1);

  g_assert_false (release_sync (fixture, op_id_of (approve), 0, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);

  claimed = claim (fixture, not_before);
  assert_op_ids (claimed, op_id_of (approve), NULL);
}

static gboolean
cancel_sync (Fixture     *fixture,
             const char  *op_id,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_cancel_async (fixture->outbox, op_id, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_cancel_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                        &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

static gboolean
edit_sync (Fixture     *fixture,
           const char  *op_id,
           const char  *body,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean succeeded;

  nod_outbox_edit_async (fixture->outbox, op_id, body, NULL, nod_test_keep_result, &result);
  succeeded = nod_outbox_edit_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                      &local_error);
  return check_outcome (succeeded, g_steal_pointer (&local_error), error);
}

/* /nod/outbox/cancel: a pending action goes, one being sent, sent or maybe on GitLab stays,
 * each refusal saying why. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(NodOutboxAction) pending = NULL;
  g_autoptr(NodOutboxAction) in_flight = NULL;
  g_autoptr(NodOutboxAction) maybe_sent = NULL;
  g_autoptr(NodOutboxAction) sent = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unknown_op_id = g_uuid_string_random ();

  pending = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  in_flight = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "Going"));
  maybe_sent = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_C, "Maybe"));
  sent = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_D, SERVER_THREAD, TRUE));

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (pending), op_id_of (in_flight), op_id_of (maybe_sent),
                 op_id_of (sent), NULL);
  release_sync (fixture, op_id_of (pending), 0, NULL);
  fail_transient_sync (fixture, op_id_of (maybe_sent), 0, "The request timed out", TRUE, T0,
                       NULL);
  ack_sync (fixture, op_id_of (sent), NULL, NULL, NULL);

  cancel_sync (fixture, op_id_of (pending), NULL);
  g_assert_false (row_exists (fixture, op_id_of (pending)));

  g_assert_false (cancel_sync (fixture, op_id_of (in_flight), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_assert_cmpstr (error->message, ==, "It is being sent; it can’t be cancelled now");
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (in_flight), "in_flight");

  g_assert_false (cancel_sync (fixture, op_id_of (maybe_sent), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_assert_nonnull (strstr (error->message, "GitLab may already have it"));
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (maybe_sent), "pending");

  g_assert_false (cancel_sync (fixture, op_id_of (sent), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (sent), "done");

  g_assert_false (cancel_sync (fixture, unknown_op_id, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
}

/* /nod/outbox/cancel/thread: what waits for a cancelled comment's thread fails, in sight,
 * as it does when the comment is discarded; a reply to another thread is left alone. */
static void
test_cancel_thread (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) other = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *reason = NULL;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Thread"));
  local_id = g_strdup (nod_outbox_action_get_discussion_id (comment));
  reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id, "Reply"));
  other = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD,
                                                         "Other"));

  cancel_sync (fixture, op_id_of (comment), NULL);
  g_assert_false (row_exists (fixture, op_id_of (comment)));
  assert_row_state (fixture, op_id_of (reply), "failed");
  reason = row_text (fixture, op_id_of (reply), "last_error");
  g_assert_cmpstr (reason, ==, "The comment that starts this thread was cancelled");
  assert_row_state (fixture, op_id_of (other), "pending");
}

/* /nod/outbox/edit: the text changes in place (same seq, op id, lane position), and only
 * where it could not already be on GitLab. */
static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) later = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Frist"));
  later = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD,
                                                         "Then"));
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_B, SHA_OLD));
  seq = nod_outbox_action_get_seq (comment);

  edit_sync (fixture, op_id_of (comment), "First", NULL);
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (comment), op_id_of (later), op_id_of (approve), NULL);
  g_assert_cmpint (nod_outbox_action_get_seq (listed->pdata[0]), ==, seq);
  g_assert_cmpstr (nod_outbox_action_get_body (listed->pdata[0]), ==, "First");
  g_assert_cmpint (nod_outbox_action_get_state (listed->pdata[0]), ==, NOD_ACTION_PENDING);

  /* Checked as a comment is, before anything is written. */
  g_assert_false (edit_sync (fixture, op_id_of (comment), "   ", &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (edit_sync (fixture, op_id_of (approve), "Text", &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);

  /* The head of its lane still goes first, with the new text. */
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), op_id_of (approve), NULL);
  g_assert_cmpstr (nod_outbox_action_get_body (claimed->pdata[0]), ==, "First");

  g_assert_false (edit_sync (fixture, op_id_of (comment), "Third", &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_assert_cmpstr (error->message, ==, "It is being sent; it can’t be edited now");
  g_clear_error (&error);

  /* Maybe on GitLab: a new text would not be found there, and would go again. */
  fail_transient_sync (fixture, op_id_of (comment), 0, "The request timed out", TRUE, T0, NULL);
  g_assert_false (edit_sync (fixture, op_id_of (comment), "Third", &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = list (fixture, 1);
  g_assert_cmpstr (nod_outbox_action_get_body (listed->pdata[0]), ==, "First");
}

/* /nod/outbox/posted-note */

static void
test_posted_note (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodOutboxAction) edit = NULL;
  g_autoptr(NodOutboxAction) again = NULL;
  g_autoptr(NodOutboxAction) other = NULL;
  g_autoptr(NodOutboxAction) removal = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  edit = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                            1001, "Fixed the typo"));
  g_assert_cmpint (nod_outbox_action_get_kind (edit), ==, NOD_ACTION_EDIT_NOTE);
  g_assert_cmpint (query_int (fixture, "SELECT json_extract (payload, '$.note_id') FROM outbox "
                                       "WHERE op_id = '%s'", op_id_of (edit)), ==, 1001);

  /* A second text for the same note, not sent yet, replaces the first in its row. */
  again = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             1001, "Fixed the typo, twice"));
  g_assert_cmpstr (op_id_of (again), ==, op_id_of (edit));
  other = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             1002, "Another note"));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (edit), op_id_of (other), NULL);
  g_assert_cmpstr (nod_outbox_action_get_body (listed->pdata[0]), ==, "Fixed the typo, twice");
  g_assert_cmpint (nod_outbox_action_get_note_id (listed->pdata[0]), ==, 1001);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (listed->pdata[0]), ==, SERVER_THREAD);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Deleting it makes its pending new text pointless; after that there is nothing to
   * change, and nothing to delete twice. */
  removal = enqueue (fixture, nod_outbox_action_new_delete_note (1, PROJECT, MR_A,
                                                                 SERVER_THREAD, 1001));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (other), op_id_of (removal), NULL);
  g_assert_null (nod_outbox_action_get_body (listed->pdata[1]));
  enqueue_refused (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             1001, "Too late"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_delete_note (1, PROJECT, MR_A,
                                                               SERVER_THREAD, 1001),
                   NOD_OUTBOX_ERROR_INVALID);

  /* In the merge request's threads lane: one at a time, in order. */
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (other), NULL);
}

/* /nod/outbox/posted-note/refused */

static void
test_posted_note_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) in_flight = NULL;
  g_autoptr(NodOutboxAction) after = NULL;
  g_autoptr(NodOutboxAction) no_note = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;

  /* Empty text, no note, no thread, a thread GitLab does not have yet. */
  enqueue_refused (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             1001, "  "),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             0, "Text"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_delete_note (1, PROJECT, MR_A, NULL, 1001),
                   NOD_OUTBOX_ERROR_INVALID);
  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Mine"));
  enqueue_refused (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A,
                                                             nod_outbox_action_get_discussion_id (comment),
                                                             1001, "Text"),
                   NOD_OUTBOX_ERROR_INVALID);
  /* Another kind naming a note is damaged, not a new kind of intent. */
  no_note = nod_outbox_action_new_comment (1, PROJECT, MR_B, "Plain");
  no_note->note_id = 5;
  enqueue_refused (fixture, g_steal_pointer (&no_note), NOD_OUTBOX_ERROR_INVALID);

  /* A new text while the last is on its way is a row of its own, sent after it. */
  in_flight = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_B,
                                                                 SERVER_THREAD, 2001, "One"));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), op_id_of (in_flight), NULL);
  after = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_B, SERVER_THREAD,
                                                             2001, "Two"));
  g_assert_cmpstr (op_id_of (after), !=, op_id_of (in_flight));
  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (comment), op_id_of (in_flight), op_id_of (after), NULL);
  g_assert_cmpstr (nod_outbox_action_get_body (listed->pdata[1]), ==, "One");
}

/* /nod/outbox/posted-note/after-failed-removal */

/* A removal GitLab refused is the reviewer's to retry or dismiss: it holds back no change
 * of the note, as one on its way does. */
static void
test_posted_note_after_failed_removal (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(NodOutboxAction) removal = NULL;
  g_autoptr(NodOutboxAction) edit = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  removal = enqueue (fixture, nod_outbox_action_new_delete_note (1, PROJECT, MR_A,
                                                                 SERVER_THREAD, 4001));
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (removal), NULL);
  /* On its way: nothing more for the note. */
  enqueue_refused (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                             4001, "Meanwhile"),
                   NOD_OUTBOX_ERROR_INVALID);
  g_assert_true (fail_permanent_sync (fixture, op_id_of (removal), 403,
                                      "GitLab did not let you delete this comment", NULL));
  edit = enqueue (fixture, nod_outbox_action_new_edit_note (1, PROJECT, MR_A, SERVER_THREAD,
                                                            4001, "Reworded instead"));
  g_assert_cmpint (nod_outbox_action_get_state (edit), ==, NOD_ACTION_PENDING);
}

/* /nod/outbox/discard */

static void
test_discard (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) pending = NULL;
  g_autoptr(NodOutboxAction) failed = NULL;
  g_autoptr(NodOutboxAction) in_flight = NULL;
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) other_thread_reply = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unknown_op_id = g_uuid_string_random ();
  g_autofree char *local_id = NULL;
  NodOutboxAction *row;

  pending = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  failed = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, "Refused"));
  in_flight = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_C, "Going"));

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (pending), op_id_of (failed), op_id_of (in_flight), NULL);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  release_sync (fixture, op_id_of (pending), 0, NULL);
  fail_permanent_sync (fixture, op_id_of (failed), 403, "Forbidden", NULL);

  discard_sync (fixture, op_id_of (pending), NULL);
  g_assert_false (row_exists (fixture, op_id_of (pending)));
  discard_sync (fixture, op_id_of (failed), NULL);
  g_assert_false (row_exists (fixture, op_id_of (failed)));

  g_assert_false (discard_sync (fixture, op_id_of (in_flight), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  assert_row_state (fixture, op_id_of (in_flight), "in_flight");

  g_assert_false (discard_sync (fixture, unknown_op_id, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (in_flight), NULL);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* Discarding a comment fails what waits for its thread instead of dropping it. */
  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_D, "Thread"));
  local_id = g_strdup (nod_outbox_action_get_discussion_id (comment));
  reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_D, local_id, "Reply"));
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_D, local_id, TRUE));
  other_thread_reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_D,
                                                                      SERVER_THREAD, "Other"));
  discard_sync (fixture, op_id_of (comment), NULL);
  g_assert_false (row_exists (fixture, op_id_of (comment)));

  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (in_flight), op_id_of (reply), op_id_of (resolve),
                 op_id_of (other_thread_reply), NULL);
  for (guint i = 1; i <= 2; i++)
    {
      row = listed->pdata[i];
      g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_FAILED);
      g_assert_nonnull (nod_outbox_action_get_last_error (row));
      g_assert_cmpstr (nod_outbox_action_get_last_error (row), !=, "");
    }
  row = listed->pdata[3];
  g_assert_cmpint (nod_outbox_action_get_state (row), ==, NOD_ACTION_PENDING);
  g_assert_null (nod_outbox_action_get_last_error (row));
  assert_counts (fixture, 1, 1, 1, 2);

  /* Nothing can join the thread any more. */
  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_D, local_id, "Late"),
                   NOD_OUTBOX_ERROR_INVALID);
}

/* /nod/outbox/counts */

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) claimed = NULL;

  assert_counts (fixture, 0, 0, 0, 0);

  for (gint64 mr_iid = 101; mr_iid <= 106; mr_iid++)
    g_ptr_array_add (mine, enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, mr_iid,
                                                                            NULL)));
  for (gint64 mr_iid = 201; mr_iid <= 204; mr_iid++)
    g_ptr_array_add (theirs, enqueue (fixture, nod_outbox_action_new_comment (2, PROJECT, mr_iid,
                                                                              "Hello")));

  /* Account 1: 101 done, 102 in flight, 103 backing off, 104 failed, 105 and 106 pending. */
  claimed = claim_with (fixture, 1, NOD_OUTBOX_CLAIM_ALL, 3, T0);
  g_assert_cmpuint (claimed->len, ==, 3);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  ack_sync (fixture, op_id_of (mine->pdata[0]), NULL, NULL, NULL);
  fail_transient_sync (fixture, op_id_of (mine->pdata[2]), 503, "Busy", FALSE, T0, NULL);
  fail_permanent_sync (fixture, op_id_of (mine->pdata[3]), 409, "New commits since you reviewed",
                       NULL);

  /* Account 2: 201 and 202 in flight, 203 and 204 failed. */
  claimed = claim_with (fixture, 2, NOD_OUTBOX_CLAIM_ALL, 2, T0);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_clear_pointer (&claimed, g_ptr_array_unref);
  fail_permanent_sync (fixture, op_id_of (theirs->pdata[2]), 404, "Gone", NULL);
  fail_permanent_sync (fixture, op_id_of (theirs->pdata[3]), 404, "Gone", NULL);

  assert_counts (fixture, 1, 3, 1, 1);
  assert_counts (fixture, 2, 0, 2, 2);
  assert_counts (fixture, 0, 3, 3, 3);
  assert_counts (fixture, 3, 0, 0, 0);

  /* The table agrees. */
  g_assert_cmpint (count_rows (fixture, "account_id = 1 AND state = 'pending'"), ==, 3);
  g_assert_cmpint (count_rows (fixture, "account_id = 1 AND state = 'done'"), ==, 1);
  g_assert_cmpint (count_rows (fixture, "state = 'in_flight'"), ==, 3);
  g_assert_cmpint (count_rows (fixture, "state = 'failed'"), ==, 3);
}

/* /nod/outbox/bad-input */

static void
test_bad_input_too_large (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *one_too_many = repeat_string ("a", NOD_NOTE_BODY_MAX_CHARS + 1);
  g_autofree char *just_enough = repeat_string ("a", NOD_NOTE_BODY_MAX_CHARS);
  g_autofree char *accents = repeat_string ("é", NOD_NOTE_BODY_MAX_CHARS);
  g_autofree char *one_accent_too_many = repeat_string ("é", NOD_NOTE_BODY_MAX_CHARS + 1);
  g_autofree char *huge = repeat_string ("a", 4 * NOD_NOTE_BODY_MAX_CHARS + 1);
  g_autofree char *huge_garbage = repeat_string ("\xff", 4 * NOD_NOTE_BODY_MAX_CHARS + 1);
  g_autoptr(NodOutboxAction) ascii = NULL;
  g_autoptr(NodOutboxAction) multibyte = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  const char *body;

  g_assert_cmpuint (strlen (huge), >, 4000000);

  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, one_too_many),
                   NOD_OUTBOX_ERROR_TOO_LARGE);
  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD,
                                                         one_too_many),
                   NOD_OUTBOX_ERROR_TOO_LARGE);
  /* Characters are counted, not bytes: 2,000,002 bytes is one character too many. */
  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A,
                                                           one_accent_too_many),
                   NOD_OUTBOX_ERROR_TOO_LARGE);
  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, huge),
                   NOD_OUTBOX_ERROR_TOO_LARGE);
  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, huge_garbage),
                   NOD_OUTBOX_ERROR_TOO_LARGE);

  ascii = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, just_enough));
  multibyte = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_B, accents));

  listed = list (fixture, 1);
  assert_op_ids (listed, op_id_of (ascii), op_id_of (multibyte), NULL);
  body = nod_outbox_action_get_body (listed->pdata[0]);
  g_assert_cmpuint (strlen (body), ==, NOD_NOTE_BODY_MAX_CHARS);
  g_assert_cmpstr (body, ==, just_enough);
  body = nod_outbox_action_get_body (listed->pdata[1]);
  g_assert_cmpint (g_utf8_strlen (body, -1), ==, NOD_NOTE_BODY_MAX_CHARS);
  g_assert_cmpuint (strlen (body), ==, 2 * NOD_NOTE_BODY_MAX_CHARS);
  g_assert_cmpstr (body, ==, accents);
}

static void
test_bad_input_invalid_utf8 (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const refused[] = {
    "\xff\xfe bad",
    "fine until here \xc3",
    "\xc0\xaf overlong",
    "",
    "  \n\t",
    "\xc2\xa0\xe2\x80\x83", /* no-break space, em space */
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, refused[i]),
                       NOD_OUTBOX_ERROR_INVALID);
      enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD,
                                                             refused[i]),
                       NOD_OUTBOX_ERROR_INVALID);
    }

  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, NULL),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, SERVER_THREAD, NULL),
                   NOD_OUTBOX_ERROR_INVALID);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
}

static gboolean
exec_sql_work (sqlite3       *db,
               gpointer       work_data,
               GCancellable  *cancellable,
               GError       **error)
{
  return nod_store_exec (db, work_data, error);
}

static void
test_bad_input_unknown_kind (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char * const names[] = {
    "approve", "unapprove", "comment", "reply", "resolve", "unresolve",
  };
  const char *insert_unknown_kind =
    "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, created_at_us) "
    "VALUES ('op-merge', 1, 'merge', 7, 42, 0)";
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) forced = NULL;
  NodActionKind kind = NOD_ACTION_RESOLVE;

  g_assert_false (nod_action_kind_from_string ("merge", &kind, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_assert_cmpint (kind, ==, NOD_ACTION_RESOLVE);
  g_clear_error (&error);

  g_assert_false (nod_action_kind_from_string (NULL, &kind, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (nod_action_kind_from_string ("Approve", &kind, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (nod_action_kind_from_string ("\xff", &kind, NULL));

  for (NodActionKind k = NOD_ACTION_APPROVE; k <= NOD_ACTION_UNRESOLVE; k++)
    {
      NodActionKind parsed = (NodActionKind) 99;

      g_assert_cmpstr (nod_action_kind_to_string (k), ==, names[k]);
      g_assert_true (nod_action_kind_from_string (names[k], &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parsed, ==, k);
    }

  /* A kind the enum does not have is refused before anything is written. */
  forced = nod_outbox_action_new_approve (1, PROJECT, MR_A, NULL);
  forced->kind = (NodActionKind) 42;
  enqueue_refused (fixture, g_steal_pointer (&forced), NOD_OUTBOX_ERROR_INVALID);

  /* The table refuses one too. */
  g_assert_false (nod_store_run_sync (fixture->store, exec_sql_work,
                                      (gpointer) insert_unknown_kind, NULL, &error));
  g_assert_error (error, NOD_STORE_ERROR, NOD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);
}

static void
test_bad_input_damaged_row (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Written by something else: valid JSON, but the body is not text. */
  nod_test_exec (fixture->store,
                 "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, "
                 "local_discussion_id, payload, created_at_us) "
                 "VALUES ('op-damaged', 1, 'comment', 7, 42, 'local:op-damaged', "
                 "'{\"body\": 5}', 0)");

  listed = list_sync (fixture, 1, &error);
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_assert_null (listed);
  g_clear_error (&error);

  /* A claim refuses it too, and leaves nothing half-claimed. */
  nod_outbox_claim_next_batch_async (fixture->outbox, 1, NOD_OUTBOX_CLAIM_ALL, 10, T0,
                                     NULL, nod_test_keep_result, &result);
  claimed = nod_outbox_claim_next_batch_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_assert_null (claimed);
  assert_row_state (fixture, "op-damaged", "pending");
}

static void
test_bad_input_targets (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char * const bad_threads[] = {
    "abc/def", "abc'def", "", "thread id", "../notes", "local:x'; DROP TABLE outbox; --",
  };
  g_autofree char *long_thread = repeat_string ("a", 129);
  g_autoptr(NodOutboxAction) resolve = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;

  enqueue_refused (fixture, nod_outbox_action_new_approve (1, 0, MR_A, NULL),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_comment (1, -3, MR_A, "Hi"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_comment (1, PROJECT, -1, "Hi"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_unapprove (1, PROJECT, 0),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_unapprove (0, PROJECT, MR_A),
                   NOD_OUTBOX_ERROR_INVALID);

  /* An account the database does not know (the foreign key). */
  enqueue_refused (fixture, nod_outbox_action_new_approve (99, PROJECT, MR_A, SHA_OLD),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_comment (99, PROJECT, MR_A, "Hi"),
                   NOD_OUTBOX_ERROR_INVALID);

  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, NULL, "Hi"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, NULL, TRUE),
                   NOD_OUTBOX_ERROR_INVALID);
  for (guint i = 0; i < G_N_ELEMENTS (bad_threads); i++)
    {
      enqueue_refused (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, bad_threads[i],
                                                               TRUE),
                       NOD_OUTBOX_ERROR_INVALID);
      enqueue_refused (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, bad_threads[i],
                                                               FALSE),
                       NOD_OUTBOX_ERROR_INVALID);
      enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, bad_threads[i],
                                                             "Hi"),
                       NOD_OUTBOX_ERROR_INVALID);
    }
  enqueue_refused (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, long_thread, TRUE),
                   NOD_OUTBOX_ERROR_INVALID);

  enqueue_refused (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, "xyz"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, ""),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_NOT_HEX),
                   NOD_OUTBOX_ERROR_INVALID);

  g_assert_cmpint (count_rows (fixture, "1"), ==, 0);

  /* The same targets, well formed, are fine. */
  resolve = enqueue (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_A, SERVER_THREAD,
                                                             TRUE));
  approve = enqueue (fixture, nod_outbox_action_new_approve (1, PROJECT, MR_A, SHA_OLD));
  g_assert_cmpint (count_rows (fixture, "1"), ==, 2);
}

/* A comment made only of quick actions starts no thread: what waits for it fails with a
 * reason instead of blocking its lane forever, and nothing new may aim at it. */
static void
test_ack_comment_without_thread (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) next_comment = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *reason = NULL;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "/label ~bug"));
  local_id = g_strdup (nod_outbox_action_get_discussion_id (comment));
  reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id, "Why?"));

  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (comment), NULL);
  ack_sync (fixture, op_id_of (comment), NULL, NULL, NULL);

  assert_row_state (fixture, op_id_of (comment), "done");
  assert_row_state (fixture, op_id_of (reply), "failed");
  reason = row_text (fixture, op_id_of (reply), "last_error");
  g_assert_nonnull (strstr (reason, "quick actions"));

  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id, "Again"),
                   NOD_OUTBOX_ERROR_INVALID);

  /* Like any failed action, it holds its lane until the reviewer dismisses it. */
  g_clear_pointer (&claimed, g_ptr_array_unref);
  next_comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Next"));
  claimed = claim (fixture, T0);
  g_assert_cmpuint (claimed->len, ==, 0);
  g_clear_pointer (&claimed, g_ptr_array_unref);

  discard_sync (fixture, op_id_of (reply), NULL);
  claimed = claim (fixture, T0);
  assert_op_ids (claimed, op_id_of (next_comment), NULL);
}

/* A reply whose thread was discarded can't be brought back: retrying it is refused. */
static void
test_retry_orphan_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *local_id;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Start"));
  local_id = nod_outbox_action_get_discussion_id (comment);
  reply = enqueue (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_A, local_id, "Answer"));
  discard_sync (fixture, op_id_of (comment), NULL);
  assert_row_state (fixture, op_id_of (reply), "failed");

  g_assert_false (retry_sync (fixture, op_id_of (reply), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  assert_row_state (fixture, op_id_of (reply), "failed");
}

/* A local thread id belongs to one merge request. */
static void
test_local_thread_other_mr_refused (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  const char *local_id;

  comment = enqueue (fixture, nod_outbox_action_new_comment (1, PROJECT, MR_A, "Start"));
  local_id = nod_outbox_action_get_discussion_id (comment);

  enqueue_refused (fixture, nod_outbox_action_new_reply (1, PROJECT, MR_B, local_id, "Here?"),
                   NOD_OUTBOX_ERROR_INVALID);
  enqueue_refused (fixture, nod_outbox_action_new_resolve (1, PROJECT, MR_B, local_id, TRUE),
                   NOD_OUTBOX_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  /* Before g_test_init(), which would take the flag for its own. */
  if (argc == 3 && g_str_equal (argv[1], ENQUEUE_CHILD_FLAG))
    return run_enqueue_child (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], CLAIM_CHILD_FLAG))
    return run_claim_child (argv[2]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/outbox/enqueue/stored", test_enqueue_stored);
  ADD ("/nod/outbox/enqueue/durable-after-sigkill", test_enqueue_durable_after_sigkill);
  ADD ("/nod/outbox/enqueue/inline-position", test_enqueue_inline_position);
  ADD ("/nod/outbox/enqueue-claim/approval", test_enqueue_claim_approval);
  ADD ("/nod/outbox/enqueue-claim/lane-head-only", test_enqueue_claim_lane_head_only);
  ADD ("/nod/outbox/enqueue-claim/recovers", test_enqueue_claim_recovers);
  ADD ("/nod/outbox/enqueue-claim/killed", test_enqueue_claim_killed);
  ADD ("/nod/outbox/coalesce/approve-unapprove", test_coalesce_approve_unapprove);
  ADD ("/nod/outbox/coalesce/resolve-unresolve", test_coalesce_resolve_unresolve);
  ADD ("/nod/outbox/coalesce/not-in-flight", test_coalesce_not_in_flight);
  ADD ("/nod/outbox/coalesce/not-ambiguous", test_coalesce_not_ambiguous);
  ADD ("/nod/outbox/coalesce/duplicate", test_coalesce_duplicate);
  ADD ("/nod/outbox/claim/fifo", test_claim_fifo);
  ADD ("/nod/outbox/claim/blocked-mr-does-not-block-another",
       test_claim_blocked_mr_does_not_block_another);
  ADD ("/nod/outbox/claim/lanes", test_claim_lanes);
  ADD ("/nod/outbox/claim/max-actions", test_claim_max_actions);
  ADD ("/nod/outbox/claim/account", test_claim_account);
  ADD ("/nod/outbox/ack/remap-local-ids", test_ack_remap_local_ids);
  ADD ("/nod/outbox/ack/comment-without-thread", test_ack_comment_without_thread);
  ADD ("/nod/outbox/enqueue/local-thread-other-mr", test_local_thread_other_mr_refused);
  ADD ("/nod/outbox/retry/orphan-refused", test_retry_orphan_refused);
  ADD ("/nod/outbox/backoff/schedule", test_backoff_schedule);
  ADD ("/nod/outbox/recover/in-flight", test_recover_in_flight);
  ADD ("/nod/outbox/retry", test_retry);
  ADD ("/nod/outbox/release", test_release);
  ADD ("/nod/outbox/discard", test_discard);
  ADD ("/nod/outbox/cancel", test_cancel);
  ADD ("/nod/outbox/cancel/thread", test_cancel_thread);
  ADD ("/nod/outbox/edit", test_edit);
  ADD ("/nod/outbox/posted-note", test_posted_note);
  ADD ("/nod/outbox/posted-note/refused", test_posted_note_refused);
  ADD ("/nod/outbox/posted-note/after-failed-removal", test_posted_note_after_failed_removal);
  ADD ("/nod/outbox/counts", test_counts);
  ADD ("/nod/outbox/bad-input/too-large", test_bad_input_too_large);
  ADD ("/nod/outbox/bad-input/invalid-utf8", test_bad_input_invalid_utf8);
  ADD ("/nod/outbox/bad-input/unknown-kind", test_bad_input_unknown_kind);
  ADD ("/nod/outbox/bad-input/damaged-row", test_bad_input_damaged_row);
  ADD ("/nod/outbox/bad-input/targets", test_bad_input_targets);

#undef ADD

  return g_test_run ();
}
