/* test-cli-state.c: what one `nod` leaves for the next: a rate-limit block, the budget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each command is a process of its own, so a 429's Retry-After and GitLab's last word on
 * the request budget must come back from the store: the next `nod status` shows them and
 * the next `nod push` waits for them without asking GitLab. With no account Nod can use,
 * `status` says it is signed out.
 */

#include "config.h"

#include <string.h>

#include "nod-test-cli.h"
#include "nod-test-utils.h"

#define RETRY_AFTER_S 600

static guint
api_requests (NodTestCli *fixture)
{
  return nod_test_fake_count_requests (fixture->base_url, NULL, "^/api/v4/");
}

static JsonObject *
parse_object (const char *text,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static gint64
iso_member (JsonObject *object,
            const char *member)
{
  g_autoptr(GDateTime) time = NULL;
  const char *text;

  g_assert_true (json_object_has_member (object, member));
  g_assert_false (json_object_get_null_member (object, member));
  text = json_object_get_string_member (object, member);
  time = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

/* A comment meets GitLab's 429: the command that follows, in a process of its own. */
static void
meet_rate_limit (NodTestCli *fixture)
{
  g_auto (NodTestCliOutcome) comment = { 0, };
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                            "\"status\": 429, \"retry_after\": %d}",
                                            RETRY_AFTER_S);

  {
    g_autoptr(JsonNode) armed = nod_test_fake_control (fixture->base_url, "POST",
                                                       "/__fake/faults", fault);
  }
  nod_test_cli_run (fixture, &comment, NULL, "comment", "gnome-apps/nod!111",
                    "--body", "Said while throttled", NULL);
  g_assert_cmpint (comment.status, ==, 75);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 1);
  /* From here GitLab would take it: only Nod's own memory of the 429 holds it back. */
  {
    g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                         "/__fake/faults", NULL);
  }
}

static void
test_block_kept (NodTestCli    *fixture,
                 gconstpointer  data)
{
  g_auto (NodTestCliOutcome) status_json = { 0, };
  g_auto (NodTestCliOutcome) status_text = { 0, };
  g_auto (NodTestCliOutcome) pushed = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *status, *rate_limit;
  gint64 hit_at, blocked_until;
  guint requests;

  hit_at = g_get_real_time () / G_USEC_PER_SEC;
  meet_rate_limit (fixture);
  requests = api_requests (fixture);

  nod_test_cli_run (fixture, &status_json, NULL, "status", "--json", NULL);
  g_assert_cmpint (status_json.status, ==, 0);
  status = parse_object (status_json.out, parser);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "blocked");
  /* A sanity bound on a value, not on how long anything took. */
  blocked_until = iso_member (status, "blocked_until");
  g_assert_cmpint (blocked_until, >=, hit_at + RETRY_AFTER_S - 60);
  g_assert_cmpint (blocked_until, <=, g_get_real_time () / G_USEC_PER_SEC + RETRY_AFTER_S + 60);
  rate_limit = json_object_get_object_member (status, "rate_limit");
  g_assert_nonnull (rate_limit);
  g_assert_false (json_object_get_null_member (rate_limit, "remaining"));
  g_assert_cmpint (json_object_get_int_member (rate_limit, "remaining"), >=, 0);
  g_assert_cmpint (iso_member (rate_limit, "reset_at"), >, 0);
  g_assert_cmpint (json_object_get_int_member (status, "pending"), ==, 1);

  nod_test_cli_run (fixture, &status_text, NULL, "status", NULL);
  g_assert_cmpint (status_text.status, ==, 0);
  g_assert_true (g_str_has_prefix (status_text.out, "blocked\n"));
  g_assert_nonnull (strstr (status_text.out, "\nblocked until "));

  nod_test_cli_run (fixture, &pushed, NULL, "push", NULL);
  g_assert_cmpint (pushed.status, ==, 75);
  g_assert_nonnull (strstr (pushed.err, "nothing pushed"));
  g_assert_nonnull (strstr (pushed.err, "(until "));

  /* Neither the status nor the push asked GitLab anything; the comment still waits. */
  g_assert_cmpuint (api_requests (fixture), ==, requests);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox WHERE "
                                                      "state = 'pending'"), ==, 1);
}

/* The block is what held the comment: once its time has passed, it goes, once. */
static void
test_block_ends (NodTestCli    *fixture,
                 gconstpointer  data)
{
  g_auto (NodTestCliOutcome) status_json = { 0, };
  g_auto (NodTestCliOutcome) pushed = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *status;

  meet_rate_limit (fixture);
  /* As if the ten minutes had passed. */
  nod_test_cli_exec_store (fixture, "UPDATE accounts SET rate_limit = "
                                    "json_set (rate_limit, '$.retry_at', 1, '$.reset_at', 1)");
  nod_test_cli_exec_store (fixture, "UPDATE outbox SET next_attempt_at_us = 0");

  nod_test_cli_run (fixture, &status_json, NULL, "status", "--json", NULL);
  g_assert_cmpint (status_json.status, ==, 0);
  status = parse_object (status_json.out, parser);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "idle");
  g_assert_true (json_object_get_null_member (status, "blocked_until"));

  nod_test_cli_run (fixture, &pushed, NULL, "push", NULL);
  g_assert_cmpint (pushed.status, ==, 0);
  g_assert_cmpstr (pushed.out, ==, "pushed 1, failed 0, remaining 0\n");
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/discussions$"),
                    ==, 2);
}

static void
assert_signed_out (NodTestCli *fixture,
                   const char *expected_text)
{
  g_auto (NodTestCliOutcome) text = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *status;

  nod_test_cli_run (fixture, &text, NULL, "status", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_cmpstr (text.out, ==, expected_text);

  nod_test_cli_run (fixture, &json, NULL, "status", "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  status = parse_object (json.out, parser);
  g_assert_cmpstr (json_object_get_string_member (status, "state"), ==, "signed-out");
}

/* No account at all, then one whose token is nowhere to be found (no keyring here). */
static void
test_signed_out (NodTestCli    *fixture,
                 gconstpointer  data)
{
  g_autofree char *insert = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GUri) uri = g_uri_parse (fixture->base_url, G_URI_FLAGS_NONE, NULL);

  fixture->without_one_off_account = TRUE;
  assert_signed_out (fixture, "signed-out\npending 0, failed 0\n");

  insert = g_strdup_printf ("INSERT INTO accounts (base_url, username, user_id, created_at_us) "
                            "VALUES ('%s', 'sam', 1, 1)", fixture->base_url);
  nod_test_cli_exec_store (fixture, insert);
  expected = g_strdup_printf ("signed-out\npending 0, failed 0\naccount: sam on %s:%d\n",
                              g_uri_get_host (uri), g_uri_get_port (uri));
  assert_signed_out (fixture, expected);
  g_assert_cmpuint (api_requests (fixture), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
  ADD ("/nod/cli-state/block-kept", test_block_kept);
  ADD ("/nod/cli-state/block-ends", test_block_ends);
  ADD ("/nod/cli-state/signed-out", test_signed_out);
#undef ADD

  return g_test_run ();
}
