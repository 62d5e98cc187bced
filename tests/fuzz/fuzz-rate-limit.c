/* fuzz-rate-limit.c: RateLimit-* and Retry-After, as libsoup hands them over
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is the head of an HTTP response, as a server would send it: "Name: value"
 * lines, with the status line put in front when it does not start with one. libsoup's
 * own header parser reads it, as it does on the wire, and Nod reads the headers from
 * there. The snapshot then goes through what the session keeps between runs.
 */

#include "config.h"

#include <string.h>

#include "nod-rate-limit.h"
#include "nod-fuzz.h"

/* A fixed "now" (the fake's sample era), so a run is the same every time. */
#define NOW ((gint64) 1796230000)
#define RETRY_AFTER_MAX_SECONDS ((gint64) 24 * 3600)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static void
check_snapshot (const NodRateLimit *snapshot)
{
  NodRateLimit restored;
  g_autofree char *json = nod_rate_limit_to_json (snapshot);

  g_assert_cmpint (snapshot->limit, >=, -1);
  g_assert_cmpint (snapshot->remaining, >=, -1);
  /* reset_at is whatever date the server gave, 1013 included: only a future one counts. */
  g_assert_true (snapshot->retry_at == 0 ||
                 (snapshot->retry_at >= NOW &&
                  snapshot->retry_at <= NOW + RETRY_AFTER_MAX_SECONDS));

  /* What is stored comes back the same. */
  g_assert_true (nod_rate_limit_from_json (&restored, json));
  g_assert_cmpint (restored.limit, ==, snapshot->limit);
  g_assert_cmpint (restored.remaining, ==, snapshot->remaining);
  g_assert_cmpint (restored.reset_at, ==, snapshot->reset_at);
  g_assert_cmpint (restored.retry_at, ==, snapshot->retry_at);
  g_assert_cmpint (restored.observed_at, ==, snapshot->observed_at);

  for (guint reserve = 0; reserve <= NOD_RATE_LIMIT_DEFAULT_RESERVE;
       reserve += NOD_RATE_LIMIT_DEFAULT_RESERVE)
    {
      gint64 until = nod_rate_limit_blocked_until (snapshot, reserve, NOW);

      g_assert_true (until == 0 || until > NOW);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GString) head = g_string_sized_new (size + 32);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;
  NodRateLimit snapshot, stored;
  SoupHTTPVersion version;
  guint status;

  if (size < 5 || memcmp (data, "HTTP/", 5) != 0)
    g_string_append (head, "HTTP/1.1 200 OK\r\n");
  g_string_append_len (head, (const char *) data, (gssize) size);
  g_string_append (head, "\r\n\r\n");

  if (soup_headers_parse_response (head->str, (int) head->len, headers, &version, &status,
                                   &reason))
    {
      nod_rate_limit_parse (&snapshot, headers, NOW);
      g_assert_cmpint (snapshot.observed_at, ==, NOW);
      check_snapshot (&snapshot);
    }

  /* The stored form is Nod's own, but it lives in a file anyone may edit. */
  text = nod_fuzz_strndup (data, size);
  nod_rate_limit_from_json (&stored, text);

  return 0;
}
