/* test-accounts.c: the accounts list and what removing one forgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-accounts.h"
#include "nod-outbox.h"
#include "nod-test-utils.h"

typedef struct
{
  NodStore    *store;
  NodAccounts *accounts;
  guint        changes;
} Fixture;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  ((Fixture *) user_data)->changes++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  fixture->accounts = nod_accounts_new (fixture->store);
  g_signal_connect (fixture->accounts, "items-changed", G_CALLBACK (on_items_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (G_OBJECT (g_steal_pointer (&fixture->accounts)));
  g_clear_object (&fixture->store);
}

static NodAccount *
add (Fixture    *fixture,
     const char *base_url,
     const char *username)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodAccount *account;

  nod_accounts_add_async (fixture->accounts, base_url, username, 7, FALSE, NULL,
                          nod_test_keep_result, &result);
  account = nod_accounts_add_finish (fixture->accounts, nod_test_wait_for_result (&result),
                                     &error);
  g_assert_no_error (error);
  return account;
}

static void
test_add_and_load (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(NodAccount) first = add (fixture, "https://gitlab.com", "sam");
  g_autoptr(NodAccount) second = add (fixture, "https://git.example.org:8443", "sam");
  g_autoptr(NodAccount) again = add (fixture, "https://gitlab.com", "sam");
  g_autoptr(NodAccounts) reloaded = nod_accounts_new (fixture->store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = nod_account_dup_title (second);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->accounts)), ==, 2);
  g_assert_cmpuint (fixture->changes, ==, 2);
  g_assert_true (again == first);
  g_assert_cmpint (nod_account_get_id (first), !=, nod_account_get_id (second));
  g_assert_cmpstr (title, ==, "sam on git.example.org:8443");
  g_assert_true (nod_accounts_find (fixture->accounts, nod_account_get_id (second)) == second);

  nod_accounts_load_async (reloaded, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_accounts_load_finish (reloaded, nod_test_wait_for_result (&result),
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 2);
  g_assert_cmpstr (nod_account_get_base_url (nod_accounts_find (reloaded,
                                                                nod_account_get_id (second))),
                   ==, "https://git.example.org:8443");
}

/* Removing forgets the cache, the cursors and the unsent actions of that account only. */
static void
test_remove_forgets (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodAccount) kept = add (fixture, "https://gitlab.com", "sam");
  g_autoptr(NodAccount) gone = add (fixture, "https://git.example.org", "sam");
  g_autoptr(NodOutbox) outbox = nod_outbox_new (fixture->store);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 ids[] = { nod_account_get_id (kept), nod_account_get_id (gone) };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(NodOutboxAction) action = nod_outbox_action_new_comment (ids[i], 3, 4, "Hi");
      g_autoptr(GAsyncResult) enqueued = NULL;

      nod_outbox_enqueue_async (outbox, action, NULL, nod_test_keep_result, &enqueued);
      g_assert_true (nod_outbox_enqueue_finish (outbox, nod_test_wait_for_result (&enqueued),
                                                NULL, &error));
      g_assert_no_error (error);
      sql = g_strdup_printf ("INSERT INTO projects (account_id, id, path_with_namespace) "
                             "VALUES (%" G_GINT64_FORMAT ", 3, 'g/p');"
                             "INSERT INTO sync_state (account_id, scope, cursor, updated_at_us) "
                             "VALUES (%" G_GINT64_FORMAT ", 'x', '{}', 0)", ids[i], ids[i]);
      nod_test_exec (fixture->store, sql);
      g_clear_pointer (&sql, g_free);
    }

  nod_accounts_remove_async (fixture->accounts, ids[1], NULL, nod_test_keep_result, &result);
  g_assert_true (nod_accounts_remove_finish (fixture->accounts,
                                             nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->accounts)), ==, 1);
  g_assert_null (nod_accounts_find (fixture->accounts, ids[1]));
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM accounts"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM outbox"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM projects"), ==, 1);
  g_assert_cmpint (nod_test_query_int (fixture->store, "SELECT COUNT (*) FROM sync_state"), ==,
                   1);
  sql = g_strdup_printf ("SELECT COUNT (*) FROM outbox WHERE account_id = %" G_GINT64_FORMAT,
                         ids[0]);
  g_assert_cmpint (nod_test_query_int (fixture->store, sql), ==, 1);
}

/* What GitLab last said of an account's budget comes back with the accounts, next run. */
static void
test_rate_limit_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NodAccount) sam = add (fixture, "https://gitlab.com", "sam");
  g_autoptr(NodAccount) other = add (fixture, "https://git.example.org", "sam");
  g_autoptr(NodAccounts) reloaded = nod_accounts_new (fixture->store);
  g_autoptr(NodRateLimit) kept = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodRateLimit budget = { .limit = 2000, .remaining = 12, .reset_at = 1800000000,
                          .retry_at = 0, .observed_at = 1799999000 };

  g_assert_null (nod_accounts_dup_rate_limit (fixture->accounts, nod_account_get_id (sam)));
  nod_accounts_save_rate_limit_async (fixture->accounts, nod_account_get_id (sam), &budget,
                                      NULL, nod_test_keep_result, &result);
  g_assert_true (nod_accounts_save_rate_limit_finish (fixture->accounts,
                                                      nod_test_wait_for_result (&result),
                                                      &error));
  g_assert_no_error (error);
  /* Damaged text reads as nothing kept. */
  nod_test_exec (fixture->store, "UPDATE accounts SET rate_limit = '[not json' "
                                 "WHERE base_url = 'https://git.example.org'");

  g_clear_object (&result);
  nod_accounts_load_async (reloaded, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_accounts_load_finish (reloaded, nod_test_wait_for_result (&result),
                                           &error));
  kept = nod_accounts_dup_rate_limit (reloaded, nod_account_get_id (sam));
  g_assert_nonnull (kept);
  g_assert_cmpint (kept->limit, ==, 2000);
  g_assert_cmpint (kept->remaining, ==, 12);
  g_assert_cmpint (kept->reset_at, ==, 1800000000);
  g_assert_cmpint (kept->retry_at, ==, 0);
  g_assert_cmpint (kept->observed_at, ==, 1799999000);
  g_assert_null (nod_accounts_dup_rate_limit (reloaded, nod_account_get_id (other)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/nod/accounts/add-and-load", Fixture, NULL, fixture_set_up, test_add_and_load,
              fixture_tear_down);
  g_test_add ("/nod/accounts/remove-forgets", Fixture, NULL, fixture_set_up,
              test_remove_forgets, fixture_tear_down);
  g_test_add ("/nod/accounts/rate-limit-kept", Fixture, NULL, fixture_set_up,
              test_rate_limit_kept, fixture_tear_down);

  return g_test_run ();
}
