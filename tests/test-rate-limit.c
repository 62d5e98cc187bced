/* test-rate-limit.c: RateLimit-* and Retry-After headers, and the reserve arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-rate-limit.h"

#define NOW ((gint64) 1763800000)

static SoupMessageHeaders *
headers_new (const char *first_name,
             ...)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      soup_message_headers_append (headers, name, va_arg (args, const char *));
      name = va_arg (args, const char *);
    }
  va_end (args);

  return headers;
}

static void
test_gitlab_headers (void)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  NodRateLimit limit;

  headers = headers_new ("RateLimit-Limit", "2000", "RateLimit-Observed", "1990",
                         "RateLimit-Remaining", "10", "RateLimit-Reset", "1763800060",
                         "RateLimit-ResetTime", "Sat, 22 Nov 2025 08:27:40 GMT", NULL);
  g_assert_true (nod_rate_limit_parse (&limit, headers, NOW));
  g_assert_cmpint (limit.limit, ==, 2000);
  g_assert_cmpint (limit.remaining, ==, 10);
  g_assert_cmpint (limit.reset_at, ==, 1763800060);
  g_assert_cmpint (limit.retry_at, ==, 0);
  g_assert_cmpint (limit.observed_at, ==, NOW);
  g_assert_true (nod_rate_limit_is_known (&limit));

  /* Background work keeps 100 back for the reviewer: blocked until the reset; an
   * approval (no reserve) may still go. */
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, NOD_RATE_LIMIT_DEFAULT_RESERVE, NOW),
                   ==, 1763800060);
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, 0, NOW), ==, 0);
  /* After the reset, nothing blocks. */
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, NOD_RATE_LIMIT_DEFAULT_RESERVE,
                                                 1763800061), ==, 0);
}

static void
test_reset_time_only (void)
{
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2025, 11, 22, 8, 27, 40);
  NodRateLimit limit;

  headers = headers_new ("RateLimit-Remaining", "0",
                         "RateLimit-ResetTime", "Sat, 22 Nov 2025 08:27:40 GMT", NULL);
  g_assert_true (nod_rate_limit_parse (&limit, headers, NOW));
  g_assert_cmpint (limit.reset_at, ==, g_date_time_to_unix (expected));
  g_assert_cmpint (limit.limit, ==, -1);
  /* Nothing left: even an approval waits. */
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, 0, NOW), ==,
                   g_date_time_to_unix (expected));
}

static void
test_retry_after (void)
{
  g_autoptr(SoupMessageHeaders) seconds = headers_new ("Retry-After", "42", NULL);
  g_autoptr(SoupMessageHeaders) date = headers_new ("Retry-After",
                                                    "Sat, 22 Nov 2025 08:27:40 GMT", NULL);
  g_autoptr(GDateTime) expected = g_date_time_new_utc (2025, 11, 22, 8, 27, 40);
  NodRateLimit limit;

  g_assert_true (nod_rate_limit_parse (&limit, seconds, NOW));
  g_assert_cmpint (limit.retry_at, ==, NOW + 42);
  g_assert_cmpint (limit.remaining, ==, -1);
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, 0, NOW), ==, NOW + 42);

  g_assert_true (nod_rate_limit_parse (&limit, date, g_date_time_to_unix (expected) - 30));
  g_assert_cmpint (limit.retry_at, ==, g_date_time_to_unix (expected));
}

/* A 429 with only Retry-After says nothing of the budget: GitLab's last word on it stands
 * until its window resets; a later answer with counts replaces the counts, and the
 * Retry-After stands until it passes. */
static void
test_update_keeps_budget (void)
{
  g_autoptr(SoupMessageHeaders) budget = headers_new ("RateLimit-Limit", "2000",
                                                      "RateLimit-Remaining", "1500",
                                                      "RateLimit-Reset", "1763800060", NULL);
  g_autoptr(SoupMessageHeaders) retry = headers_new ("Retry-After", "600", NULL);
  g_autoptr(SoupMessageHeaders) nothing = headers_new ("Content-Type", "text/plain", NULL);
  g_autoptr(SoupMessageHeaders) fresh = headers_new ("RateLimit-Remaining", "1999", NULL);
  NodRateLimit limit;

  nod_rate_limit_init_unknown (&limit);
  g_assert_true (nod_rate_limit_update (&limit, budget, NOW));
  g_assert_true (nod_rate_limit_update (&limit, retry, NOW + 1));
  g_assert_cmpint (limit.limit, ==, 2000);
  g_assert_cmpint (limit.remaining, ==, 1500);
  g_assert_cmpint (limit.reset_at, ==, 1763800060);
  g_assert_cmpint (limit.retry_at, ==, NOW + 601);
  g_assert_cmpint (limit.observed_at, ==, NOW + 1);

  /* An answer that says nothing changes nothing. */
  g_assert_false (nod_rate_limit_update (&limit, nothing, NOW + 2));
  g_assert_cmpint (limit.retry_at, ==, NOW + 601);
  g_assert_cmpint (limit.observed_at, ==, NOW + 1);

  /* Once the window has reset, the old count is no one's. */
  g_assert_true (nod_rate_limit_update (&limit, retry, 1763800061));
  g_assert_cmpint (limit.remaining, ==, -1);
  g_assert_cmpint (limit.reset_at, ==, 0);

  /* A later answer gives counts again; GitLab's Retry-After stands until it passes. */
  g_assert_true (nod_rate_limit_update (&limit, fresh, 1763800062));
  g_assert_cmpint (limit.remaining, ==, 1999);
  g_assert_cmpint (limit.retry_at, ==, 1763800661);
  g_assert_true (nod_rate_limit_update (&limit, fresh, 1763800661));
  g_assert_cmpint (limit.retry_at, ==, 0);
}

/* With several requests in flight, answers come back out of the order GitLab counted them
 * in: within one window the lowest count stands; a new window's count replaces it. */
static void
test_update_out_of_order (void)
{
  g_autoptr(SoupMessageHeaders) later = headers_new ("RateLimit-Limit", "2000",
                                                     "RateLimit-Remaining", "101",
                                                     "RateLimit-Reset", "1763800060", NULL);
  g_autoptr(SoupMessageHeaders) earlier = headers_new ("RateLimit-Limit", "2000",
                                                       "RateLimit-Remaining", "103",
                                                       "RateLimit-Reset", "1763800060", NULL);
  g_autoptr(SoupMessageHeaders) refused = headers_new ("RateLimit-Limit", "2000",
                                                      "RateLimit-Remaining", "100",
                                                      "RateLimit-Reset", "1763800060",
                                                      "Retry-After", "120", NULL);
  g_autoptr(SoupMessageHeaders) next_window = headers_new ("RateLimit-Limit", "2000",
                                                           "RateLimit-Remaining", "1999",
                                                           "RateLimit-Reset", "1763800180",
                                                           NULL);
  NodRateLimit limit;

  nod_rate_limit_init_unknown (&limit);
  g_assert_true (nod_rate_limit_update (&limit, later, NOW));
  g_assert_true (nod_rate_limit_update (&limit, earlier, NOW));
  g_assert_cmpint (limit.remaining, ==, 101);
  g_assert_cmpint (limit.reset_at, ==, 1763800060);

  /* A 429's Retry-After, then another request's answer from the same window. */
  g_assert_true (nod_rate_limit_update (&limit, refused, NOW + 1));
  g_assert_cmpint (limit.retry_at, ==, NOW + 121);
  g_assert_true (nod_rate_limit_update (&limit, earlier, NOW + 1));
  g_assert_cmpint (limit.retry_at, ==, NOW + 121);
  g_assert_cmpint (limit.remaining, ==, 100);

  /* Past both, a new window's count replaces the old. */
  g_assert_true (nod_rate_limit_update (&limit, next_window, NOW + 121));
  g_assert_cmpint (limit.remaining, ==, 1999);
  g_assert_cmpint (limit.reset_at, ==, 1763800180);
  g_assert_cmpint (limit.retry_at, ==, 0);
}

/* A note refused with only Retry-After is GitLab's limit on notes: it holds notes alone.
 * Refused with the budget's headers, it is the account's throttle: everything waits. */
static void
test_update_for_note (void)
{
  g_autoptr(SoupMessageHeaders) budget = headers_new ("RateLimit-Limit", "2000",
                                                      "RateLimit-Remaining", "1500",
                                                      "RateLimit-Reset", "1763800060", NULL);
  g_autoptr(SoupMessageHeaders) notes = headers_new ("Retry-After", "40", NULL);
  g_autoptr(SoupMessageHeaders) notes_with_budget = headers_new ("RateLimit-Limit", "2000",
                                                                 "RateLimit-Remaining", "1400",
                                                                 "RateLimit-Reset", "1763800060",
                                                                 "Retry-After", "30", NULL);
  g_autoptr(SoupMessageHeaders) throttled = headers_new ("RateLimit-Limit", "2000",
                                                         "RateLimit-Remaining", "0",
                                                         "RateLimit-Reset", "1763800060",
                                                         "Retry-After", "50", NULL);
  NodRateLimit limit;

  nod_rate_limit_init_unknown (&limit);
  g_assert_true (nod_rate_limit_update_for_note (&limit, budget, 201, NOW));
  g_assert_true (nod_rate_limit_update_for_note (&limit, notes, 429, NOW));
  g_assert_cmpint (limit.notes_retry_at, ==, NOW + 40);
  g_assert_cmpint (limit.retry_at, ==, 0);
  g_assert_cmpint (limit.remaining, ==, 1500);
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, 0, NOW), ==, 0);
  g_assert_cmpint (nod_rate_limit_notes_blocked_until (&limit, NOW), ==, NOW + 40);

  /* Other answers keep it while it lasts. */
  g_assert_true (nod_rate_limit_update (&limit, budget, NOW + 1));
  g_assert_cmpint (limit.notes_retry_at, ==, NOW + 40);
  g_assert_true (nod_rate_limit_update (&limit, budget, NOW + 40));
  g_assert_cmpint (limit.notes_retry_at, ==, 0);

  /* gitlab.com sends its budget with every answer, a note's 429 too: not spent, so notes
   * alone wait. */
  g_assert_true (nod_rate_limit_update_for_note (&limit, notes_with_budget, 429, NOW + 40));
  g_assert_cmpint (limit.notes_retry_at, ==, NOW + 70);
  g_assert_cmpint (limit.retry_at, ==, 0);
  g_assert_cmpint (limit.remaining, ==, 1400);

  g_assert_true (nod_rate_limit_update_for_note (&limit, throttled, 429, NOW + 41));
  g_assert_cmpint (limit.retry_at, ==, NOW + 91);
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, 0, NOW + 41), ==, NOW + 91);
}

static void
test_absent_and_hostile (void)
{
  static const char * const hostile[] = {
    "", "-5", "abc", "1e9", "99999999999999999999999", "12 34", "0x10", " 7 ",
  };
  g_autoptr(SoupMessageHeaders) none = headers_new ("Content-Type", "application/json", NULL);
  NodRateLimit limit;

  g_assert_false (nod_rate_limit_parse (&limit, none, NOW));
  g_assert_false (nod_rate_limit_is_known (&limit));
  g_assert_cmpint (nod_rate_limit_blocked_until (&limit, NOD_RATE_LIMIT_DEFAULT_RESERVE, NOW),
                   ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(SoupMessageHeaders) headers = headers_new ("RateLimit-Remaining", hostile[i],
                                                           "Retry-After", hostile[i], NULL);
      gboolean padded_number = g_str_equal (hostile[i], " 7 ");

      g_assert_true (nod_rate_limit_parse (&limit, headers, NOW) == padded_number);
      g_assert_cmpint (limit.remaining, ==, padded_number ? 7 : -1);
    }

  /* A Retry-After of a year is taken as a day at most. */
  {
    g_autoptr(SoupMessageHeaders) headers = headers_new ("Retry-After", "31536000", NULL);

    g_assert_true (nod_rate_limit_parse (&limit, headers, NOW));
    g_assert_cmpint (limit.retry_at, ==, NOW + 24 * 3600);
  }
}

/* The snapshot as the session keeps it: what was written comes back; text that is not one
 * object is unknown, two documents in a row ("0{…}" among them) included, which json-glib
 * would read as one (leaking the rest). */
static void
test_stored_json (void)
{
  static const char *const refused[] = {
    "", "null", "[]", "{\"limit\": 5",
    "0{\"limit\": 5}",
    "{\"limit\": 5} {\"limit\": 6}",
    "{\"limit\": 5}]",
  };
  NodRateLimit limit = {
    .limit = 2000, .remaining = 17, .reset_at = NOW + 60, .retry_at = NOW + 30,
    .notes_retry_at = NOW + 45, .observed_at = NOW,
  };
  NodRateLimit restored;
  g_autofree char *json = nod_rate_limit_to_json (&limit);

  g_assert_true (nod_rate_limit_from_json (&restored, json));
  g_assert_cmpint (restored.limit, ==, 2000);
  g_assert_cmpint (restored.remaining, ==, 17);
  g_assert_cmpint (restored.reset_at, ==, NOW + 60);
  g_assert_cmpint (restored.retry_at, ==, NOW + 30);
  g_assert_cmpint (restored.notes_retry_at, ==, NOW + 45);
  g_assert_cmpint (restored.observed_at, ==, NOW);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("%s", refused[i]);
      g_assert_false (nod_rate_limit_from_json (&restored, refused[i]));
      g_assert_false (nod_rate_limit_is_known (&restored));
      g_assert_cmpint (restored.limit, ==, -1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nod/rate-limit/gitlab-headers", test_gitlab_headers);
  g_test_add_func ("/nod/rate-limit/reset-time-only", test_reset_time_only);
  g_test_add_func ("/nod/rate-limit/retry-after", test_retry_after);
  g_test_add_func ("/nod/rate-limit/absent-and-hostile", test_absent_and_hostile);
  g_test_add_func ("/nod/rate-limit/stored-json", test_stored_json);
  g_test_add_func ("/nod/rate-limit/update-keeps-budget", test_update_keeps_budget);
  g_test_add_func ("/nod/rate-limit/update-out-of-order", test_update_out_of_order);
  g_test_add_func ("/nod/rate-limit/update-for-note", test_update_for_note);

  return g_test_run ();
}
