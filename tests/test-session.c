/* test-session.c: opening Nod's data, signing in and out, against the fake GitLab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The keyring cases run in a keyring of the test's own (nod-test-keyring.h), or on the
 * session bus's unlocked default keyring; without either they skip, saying why. Their
 * accounts live on the fake's loopback address and are removed again.
 */

#include "config.h"

#include "nod-credentials.h"
#include "nod-fake-gitlab.h"
#include "nod-session.h"
#include "nod-sync-pull-details.h"
#include "nod-test-keyring.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-session-test-7c1e"

/* Why the keyring cases skip; NULL when there is a keyring to run them against. */
static char *keyring_missing_reason;
/* The keyring of the test's own, when there is one; stopped at the end, never freed (its
 * bus must outlive libsecret's hold on it). */
static NodTestKeyring *keyring;

typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  char          *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->path = g_build_filename (g_get_user_data_dir (), "nod", "nod.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->fake);
  g_free (fixture->base_url);
  g_free (fixture->path);
}

static NodSession *
open_session (Fixture         *fixture,
              NodSessionFlags  flags)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodSession *session;

  nod_session_open_async (fixture->path, flags, NULL, nod_test_keep_result, &result);
  session = nod_session_open_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (NOD_IS_SESSION (session));
  return session;
}

static NodAccount *
sign_in (NodSession  *session,
         const char  *base_url,
         const char  *token,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_session_sign_in_async (session, base_url, token, NULL, nod_test_keep_result, &result);
  return nod_session_sign_in_finish (session, nod_test_wait_for_result (&result), error);
}

static void
sign_out (NodSession *session,
          NodAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_session_sign_out_async (session, nod_account_get_id (account), NULL,
                              nod_test_keep_result, &result);
  /* Signed out at once; the keyring follows. */
  g_assert_false (nod_account_get_signed_in (account));
  g_assert_true (nod_session_sign_out_finish (session, nod_test_wait_for_result (&result),
                                              &error));
  g_assert_no_error (error);
}

static char *
stored_token (const char *base_url,
              const char *username)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  nod_credentials_lookup_async (base_url, username, NULL, nod_test_keep_result, &result);
  token = nod_credentials_lookup_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return token;
}

static void
clear_token (const char *base_url,
             const char *username)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_credentials_clear_async (base_url, username, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_credentials_clear_finish (nod_test_wait_for_result (&result), &error));
}

/* NULL when there is a keyring to sign in with; otherwise why not. */
static char *
keyring_missing (void)
{
  return g_strdup (keyring_missing_reason);
}

static gint64
query_int (Fixture    *fixture,
           const char *sql)
{
  g_autoptr(NodStore) store = nod_test_open_store (fixture->path);

  return nod_test_query_int (store, sql);
}

/* ---- tests ---- */

static void
test_open_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  NodSyncStatus *status = nod_sync_engine_get_status (nod_session_get_engine (session));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (session))),
                    ==, 0);
  g_assert_null (nod_session_get_signed_in_account (session));
  g_assert_cmpint (nod_sync_status_get_last_synced_at (status), ==, 0);
  g_assert_true (NOD_IS_REVIEW_CACHE (nod_session_get_cache (session)));
  g_assert_true (NOD_IS_OUTBOX (nod_session_get_outbox (session)));
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

/* The token GitLab took goes to the keyring, the account to the store; a new session finds
 * both and syncs the account at once. */
static void
test_sign_in_keeps_token_in_keyring (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autofree char *missing = keyring_missing ();
  g_autoptr(NodSession) session = NULL;
  g_autoptr(NodSession) reopened = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  NodAccount *again;

  if (missing != NULL)
    {
      g_test_skip_printf ("No usable keyring here: %s", missing);
      return;
    }

  session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nod_account_get_username (account), ==, "sam");
  g_assert_cmpstr (nod_account_get_base_url (account), ==, fixture->base_url);
  g_assert_true (nod_account_get_signed_in (account));
  g_assert_true (nod_session_get_signed_in_account (session) == account);
  g_assert_nonnull (nod_session_get_forge (session, nod_account_get_id (account)));

  token = stored_token (fixture->base_url, "sam");
  g_assert_cmpstr (token, ==, TOKEN);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM accounts WHERE username = 'sam' "
                                       "AND user_id > 0"), ==, 1);
  /* Who the token belongs to was asked once, with the token in its header only. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET", "^/api/v4/user$"),
                    ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, NULL, TOKEN), ==, 0);

  g_clear_object (&session);
  reopened = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  again = nod_session_get_signed_in_account (reopened);
  g_assert_nonnull (again);
  g_assert_cmpint (nod_account_get_id (again), ==, nod_account_get_id (account));
  g_assert_true (nod_account_get_signed_in (again));

  clear_token (fixture->base_url, "sam");
}

static void
test_bad_token_keeps_nothing (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = sign_in (session, fixture->base_url, "glpat-not-this-one", &error);
  g_assert_null (account);
  g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (nod_session_explain_sign_in_error (error),
                                   "GitLab did not accept this token"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (session))),
                    ==, 0);
  g_assert_null (nod_session_get_signed_in_account (session));
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM accounts"), ==, 0);
}

static void
test_bad_address (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = sign_in (session, "gitlab.example.org", TOKEN, &error);
  g_assert_null (account);
  g_assert_nonnull (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (session))),
                    ==, 0);
}

/* Without the keyring (the demo, GITLAB_TOKEN): nothing is written there, and accounts kept
 * from earlier runs stay out of sync, their tokens unknown here. */
static void
test_no_keyring (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_autoptr(NodSession) reopened = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  g_assert_true (nod_account_get_signed_in (account));
  g_assert_true (nod_session_get_signed_in_account (session) == account);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM accounts"), ==, 1);

  /* Signing out touches no keyring either. */
  sign_out (session, account);
  g_clear_object (&session);

  reopened = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (reopened))),
                    ==, 1);
  g_assert_null (nod_session_get_signed_in_account (reopened));
}

static void
test_sign_out (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *missing = keyring_missing ();
  g_autoptr(NodSession) session = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  NodSyncEngine *engine;

  if (missing != NULL)
    {
      g_test_skip_printf ("No usable keyring here: %s", missing);
      return;
    }

  session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  engine = nod_session_get_engine (session);
  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);

  sign_out (session, account);
  g_assert_null (nod_session_get_forge (session, nod_account_get_id (account)));
  g_assert_null (nod_session_get_signed_in_account (session));
  g_assert_cmpint (nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW).reason, ==,
                   NOD_SYNC_REASON_SIGNED_OUT);
  /* The account stays, the token goes. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (session))),
                    ==, 1);
  g_clear_object (&session);
  token = stored_token (fixture->base_url, "sam");
  g_assert_null (token);
}

static void
test_remove_account (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncEngine *engine = nod_session_get_engine (session);

  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  nod_sync_engine_set_offline_mode (engine, TRUE);
  draft = nod_outbox_action_new_comment (nod_account_get_id (account), 11, 101, "Not sent");
  nod_sync_engine_enqueue_async (engine, draft, NULL, nod_test_keep_result, &result);
  stored = nod_sync_engine_enqueue_finish (engine, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM outbox"), ==, 1);

  g_clear_object (&result);
  nod_session_remove_account_async (session, nod_account_get_id (account), NULL,
                                    nod_test_keep_result, &result);
  g_assert_true (nod_session_remove_account_finish (session, nod_test_wait_for_result (&result),
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (nod_session_get_accounts (session))),
                    ==, 0);
  g_assert_null (nod_session_get_forge (session, nod_account_get_id (account)));
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM accounts"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM outbox"), ==, 0);
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (data);
}

/* The budget is kept once the account's row says the reserve was reached. */
static gboolean
budget_kept (gpointer data)
{
  g_autoptr(NodStore) store = nod_test_open_store (((Fixture *) data)->path);

  g_autofree char *sql =
    g_strdup_printf ("SELECT COUNT (*) FROM accounts WHERE "
                     "json_extract (rate_limit, '$.remaining') <= %d",
                     NOD_SYNC_BACKGROUND_RESERVE);

  return nod_test_query_int (store, sql) == 1;
}

/* "Last synced" and in-flight rows are what the last run left: a session starts from them. */
static void
test_restores_last_run (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_autoptr(NodSession) reopened = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncEngine *engine = nod_session_get_engine (session);
  gint64 last_pull_s;

  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  g_assert_true (nod_sync_engine_is_busy (engine));
  nod_test_wait_until (engine_idle, engine);
  last_pull_s = query_int (fixture, "SELECT MAX (updated_at_us) FROM sync_state") /
                G_USEC_PER_SEC;
  g_assert_cmpint (last_pull_s, >, 0);
  g_clear_object (&session);

  {
    g_autoptr(NodStore) store = nod_test_open_store (fixture->path);

    nod_test_exec (store, "INSERT INTO outbox (op_id, account_id, kind, project_id, mr_iid, "
                          "state, created_at_us) VALUES ('left-in-flight', 1, 'approve', 11, "
                          "101, 'in_flight', 1)");
  }

  reopened = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_assert_cmpint (nod_sync_status_get_last_synced_at (
                     nod_sync_engine_get_status (nod_session_get_engine (reopened))),
                   ==, last_pull_s);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT (*) FROM outbox WHERE op_id = "
                                       "'left-in-flight' AND state = 'pending' AND ambiguous"),
                   ==, 1);
}

/* A budget spent when Nod last ran is still spent: a new session waits for GitLab's reset
 * before it pulls again, without asking GitLab first. */
static void
test_restores_rate_limit (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *missing = keyring_missing ();
  g_autoptr(NodSession) session = NULL;
  g_autoptr(NodSession) reopened = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(NodRateLimit) restored = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncEngine *engine;
  NodSyncDecision decision;
  guint requests;

  if (missing != NULL)
    {
      g_test_skip_printf ("No usable keyring here: %s", missing);
      return;
    }

  session = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  engine = nod_session_get_engine (session);
  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "POST",
                                                        "/__fake/ratelimit",
                                                        "{\"limit\": 2000, \"remaining\": 110, "
                                                        "\"reset_in_s\": 3600}");
  }
  /* The pull stops at the reserve (background work at a round of requests above it); the
   * job's end keeps what GitLab said. */
  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (engine_idle, engine);
  nod_test_wait_until (budget_kept, fixture);
  g_clear_object (&session);

  requests = nod_test_fake_count_requests (fixture->base_url, NULL, "^/api/v4/");
  reopened = open_session (fixture, NOD_SESSION_FLAGS_NONE);
  engine = nod_session_get_engine (reopened);
  restored = nod_forge_dup_rate_limit (nod_session_get_forge (reopened,
                                                              nod_account_get_id (account)));
  g_assert_cmpint (restored->limit, ==, 2000);
  g_assert_cmpint (restored->remaining, <=, NOD_SYNC_BACKGROUND_RESERVE);
  g_assert_cmpint (restored->reset_at, >, g_get_real_time () / G_USEC_PER_SEC);

  decision = nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_RESERVE);
  g_assert_cmpint (decision.blocked_until, ==, restored->reset_at);
  g_assert_false (nod_sync_engine_is_busy (engine));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, NULL, "^/api/v4/"), ==,
                    requests);

  clear_token (fixture->base_url, "sam");
}

static NodAccount *
use_token (NodSession *session,
           const char *base_url,
           const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodAccount *account;

  nod_session_use_token_async (session, base_url, token, NULL, nod_test_keep_result, &result);
  account = nod_session_sign_in_finish (session, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return account;
}

/* The account's row keeps a Retry-After still to come. */
static gboolean
block_kept (gpointer data)
{
  g_autoptr(NodStore) store = nod_test_open_store (((Fixture *) data)->path);
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT (*) FROM accounts WHERE "
                                          "json_extract (rate_limit, '$.retry_at') > %"
                                          G_GINT64_FORMAT,
                                          g_get_real_time () / G_USEC_PER_SEC);

  return nod_test_query_int (store, sql) == 1;
}

/* A 429's Retry-After outlives the process that heard it: the next session starts blocked
 * until then, sends nothing before, and still knows the budget GitLab last gave. */
static void
test_restores_block (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_autoptr(NodSession) reopened = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(NodAccount) again = NULL;
  g_autoptr(NodRateLimit) budget = NULL;
  NodSyncEngine *engine = nod_session_get_engine (session);
  NodSyncStatus *status;
  NodSyncDecision decision;
  gint64 hit_at = g_get_real_time () / G_USEC_PER_SEC;
  guint requests;

  account = use_token (session, fixture->base_url, TOKEN);
  {
    g_autoptr(JsonNode) fault = nod_test_fake_control (fixture->base_url, "POST",
                                                       "/__fake/faults",
                                                       "{\"method\": \"GET\", \"path\": "
                                                       "\"/merge_requests$\", \"status\": 429, "
                                                       "\"retry_after\": 600}");
  }
  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  nod_test_wait_until (engine_idle, engine);
  nod_test_wait_until (block_kept, fixture);
  g_clear_object (&session);
  {
    g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                         "/__fake/faults", NULL);
  }

  requests = nod_test_fake_count_requests (fixture->base_url, NULL, "^/api/v4/");
  reopened = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  again = use_token (reopened, fixture->base_url, TOKEN);
  g_assert_cmpint (nod_account_get_id (again), ==, nod_account_get_id (account));
  engine = nod_session_get_engine (reopened);
  status = nod_sync_engine_get_status (engine);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_BLOCKED);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), >=, hit_at + 600);
  g_assert_cmpint (nod_sync_status_get_blocked_until (status), <=,
                   g_get_real_time () / G_USEC_PER_SEC + 600);
  g_assert_false (nod_sync_status_get_can_sync_now (status));

  /* What GitLab said before its 429, which said nothing of the budget. */
  budget = nod_forge_dup_rate_limit (nod_session_get_forge (reopened,
                                                            nod_account_get_id (again)));
  g_assert_cmpint (budget->remaining, >=, 0);
  g_assert_cmpint (budget->reset_at, >, 0);

  decision = nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_BLOCK);
  g_assert_cmpint (decision.reason, ==, NOD_SYNC_REASON_RATE_LIMITED);
  g_assert_cmpint (decision.blocked_until, ==, nod_sync_status_get_blocked_until (status));
  g_assert_false (nod_sync_engine_is_busy (engine));
  /* Not even whose token it is was asked. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, NULL, "^/api/v4/"), ==,
                    requests);
}

/* Nothing to sync with: the status says so, rather than idle. */
static void
test_no_account_signed_out (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  NodSyncStatus *status = nod_sync_engine_get_status (nod_session_get_engine (session));
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_sync_status_get_state (status), !=, NOD_SYNC_STATE_SIGNED_OUT);
  sign_out (session, account);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_SIGNED_OUT);
}

static gboolean
account_signed_out (gpointer data)
{
  return !nod_account_get_signed_in (data);
}

typedef struct
{
  Fixture    *fixture;
  const char *sql;
} QueryWait;

static gboolean
query_is_one (gpointer data)
{
  QueryWait *wait = data;

  return query_int (wait->fixture, wait->sql) == 1;
}

/* GitLab refuses the token mid-push: the account shows signed out (what the Sign In Again
 * buttons follow), its comment kept; signing in again to it keeps its id, and the comment
 * goes, once. */
static void
test_token_rejected_then_signed_in_again (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autoptr(NodSession) session = open_session (fixture, NOD_SESSION_FLAGS_NO_KEYRING);
  g_autoptr(NodAccount) account = NULL;
  g_autoptr(NodAccount) again = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncEngine *engine = nod_session_get_engine (session);
  QueryWait kept = { fixture, "SELECT COUNT (*) FROM outbox WHERE state = 'pending' "
                             "AND attempts = 0" };
  QueryWait sent = { fixture, "SELECT COUNT (*) FROM outbox WHERE state = 'done'" };

  account = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  nod_test_fake_add_fault (fixture->base_url,
                           "{\"method\": \"POST\", \"path\": \"/discussions$\", \"status\": 401}");
  draft = nod_outbox_action_new_comment (nod_account_get_id (account), 11, 101,
                                         "Kept through a sign-in");
  nod_sync_engine_enqueue_async (engine, draft, NULL, nod_test_keep_result, &result);
  stored = nod_sync_engine_enqueue_finish (engine, nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_wait_until (account_signed_out, account);
  /* Handed back, unpunished, as the push ends. */
  nod_test_wait_until (query_is_one, &kept);

  again = sign_in (session, fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (nod_account_get_id (again), ==, nod_account_get_id (account));
  g_assert_true (nod_account_get_signed_in (account));
  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_wait_until (query_is_one, &sent);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Loopback only: the desktop's proxy resolver would want its GSettings schema. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  keyring = nod_test_keyring_set_up (&keyring_missing_reason);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/nod/session/open-fresh", test_open_fresh);
  ADD ("/nod/session/sign-in/keyring", test_sign_in_keeps_token_in_keyring);
  ADD ("/nod/session/sign-in/bad-token", test_bad_token_keeps_nothing);
  ADD ("/nod/session/sign-in/bad-address", test_bad_address);
  ADD ("/nod/session/sign-in/no-keyring", test_no_keyring);
  ADD ("/nod/session/sign-out", test_sign_out);
  ADD ("/nod/session/token-rejected", test_token_rejected_then_signed_in_again);
  ADD ("/nod/session/remove-account", test_remove_account);
  ADD ("/nod/session/restores-last-run", test_restores_last_run);
  ADD ("/nod/session/restores-rate-limit", test_restores_rate_limit);
  ADD ("/nod/session/restores-block", test_restores_block);
  ADD ("/nod/session/no-account-signed-out", test_no_account_signed_out);
#undef ADD

  status = g_test_run ();
  if (keyring != NULL)
    nod_test_keyring_stop (keyring);
  secret_service_disconnect ();
  g_clear_pointer (&keyring_missing_reason, g_free);
  return status;
}
