/* test-sync-log.c: the activity log of sync events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-accounts.h"
#include "nod-sync-log.h"
#include "nod-test-utils.h"

typedef struct
{
  NodStore   *store;
  NodSyncLog *log;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  fixture->log = nod_sync_log_new (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Also waits for the log's last callbacks. */
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->log));
  g_clear_object (&fixture->store);
}

static gint64
add_account (Fixture    *fixture,
             const char *username)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (base_url, username, "
                                          "created_at_us) VALUES ('https://gitlab.com', "
                                          "'%s', 0)", username);

  nod_test_exec (fixture->store, sql);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT id FROM accounts WHERE username = '%s'", username);
  return nod_test_query_int (fixture->store, sql);
}

/* An event lands in the table with its account, its time and its fields; one with no
 * account is kept with none. */
static void
test_add (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  gint64 account_id = add_account (fixture, "sam");
  gint64 before = g_get_real_time ();
  gint64 after;

  json_object_set_int_member (fields, "pushed", 2);
  json_object_set_string_member (fields, "reason", "a \"quoted\" sentence");
  nod_sync_log_add (fixture->log, account_id, "sync.job.completed", fields);
  nod_sync_log_add (fixture->log, 0, "sync.request", NULL);
  after = g_get_real_time ();

  /* The store runs its jobs in order: these reads come after the inserts. */
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM sync_log"), ==, 2);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT account_id FROM sync_log "
                                       "WHERE event = 'sync.job.completed'"), ==, account_id);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT json_extract (fields, '$.pushed') FROM sync_log "
                                       "WHERE event = 'sync.job.completed'"), ==, 2);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT json_extract (fields, '$.reason') = "
                                       "'a \"quoted\" sentence' FROM sync_log "
                                       "WHERE event = 'sync.job.completed'"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT MIN (at_us) FROM sync_log"), >=, before);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT MAX (at_us) FROM sync_log"), <=, after);
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT account_id IS NULL AND fields = '{}' "
                                       "FROM sync_log WHERE event = 'sync.request'"), ==, 1);

  /* The caller's fields are its own still. */
  g_assert_cmpint (json_object_get_int_member (fields, "pushed"), ==, 2);
}

/* Events kept in one moment go to the table in one write, in the order they were kept;
 * one kept once that write has run goes in a write of its own. */
static void
test_written_together_in_order (Fixture       *fixture,
                                gconstpointer  data)
{
  static const char * const events[] = {
    "sync.request", "sync.job.started", "sync.job.completed", "sync.request",
  };

  for (guint i = 0; i < 3; i++)
    nod_sync_log_add (fixture->log, 0, events[i], NULL);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM sync_log"), ==, 3);

  nod_sync_log_add (fixture->log, 0, events[3], NULL);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM sync_log"), ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT event = '%s' FROM sync_log ORDER BY id "
                                              "LIMIT 1 OFFSET %u", events[i], i);

      g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
    }
  g_assert_cmpint (nod_test_query_int (fixture->store,
                                       "SELECT COUNT (*) FROM sync_log a JOIN sync_log b "
                                       "ON b.id = a.id + 1 WHERE b.at_us < a.at_us"), ==, 0);
}

/* Keeping an event never fails the caller: a store that can't take it only traces. */
static void
test_failure_is_quiet (Fixture       *fixture,
                       gconstpointer  data)
{
  nod_test_exec (fixture->store, "DROP TABLE sync_log");
  nod_sync_log_add (fixture->log, 0, "sync.request", NULL);

  /* A warning would abort the test (g_test_init() makes them fatal); this query only
   * waits for the insert, and the tear-down for its callback. */
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM accounts"), ==, 0);
}

/* Removing an account forgets its events, and no other account's. */
static void
test_forgotten_with_account (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(NodAccounts) accounts = nod_accounts_new (fixture->store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 kept = add_account (fixture, "kept");
  gint64 gone = add_account (fixture, "gone");
  g_autofree char *sql = NULL;

  nod_sync_log_add (fixture->log, kept, "sync.job.started", NULL);
  nod_sync_log_add (fixture->log, gone, "sync.job.started", NULL);
  nod_sync_log_add (fixture->log, gone, "sync.job.completed", NULL);
  nod_sync_log_add (fixture->log, 0, "sync.request", NULL);

  nod_accounts_remove_async (accounts, gone, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_accounts_remove_finish (accounts, nod_test_wait_for_result (&result),
                                             &error));
  g_assert_no_error (error);

  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM sync_log"), ==, 2);
  sql = g_strdup_printf ("SELECT COUNT (*) FROM sync_log WHERE account_id = %" G_GINT64_FORMAT,
                         kept);
  g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/sync-log/add", test_add);
  ADD ("/nod/sync-log/written-together-in-order", test_written_together_in_order);
  ADD ("/nod/sync-log/failure-is-quiet", test_failure_is_quiet);
  ADD ("/nod/sync-log/forgotten-with-account", test_forgotten_with_account);

  return g_test_run ();
}
