/* nod-rate-limit.c: what GitLab said of the request budget, and the arithmetic on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GitLab sends RateLimit-Limit, -Remaining, -Reset (Unix seconds) and -ResetTime (an
 * HTTP date) on throttled endpoints, and Retry-After (seconds, or an HTTP date) with a
 * 429. Some limits (note creation) show only Retry-After, and only once hit.
 */

#define G_LOG_DOMAIN "nod-rate-limit"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "nod-gitlab-json.h"
#include "nod-rate-limit.h"

G_DEFINE_BOXED_TYPE (NodRateLimit, nod_rate_limit, nod_rate_limit_copy, nod_rate_limit_free)

NodRateLimit *
nod_rate_limit_copy (const NodRateLimit *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

void
nod_rate_limit_free (NodRateLimit *self)
{
  g_free (self);
}

void
nod_rate_limit_init_unknown (NodRateLimit *self)
{
  g_return_if_fail (self != NULL);

  self->limit = -1;
  self->remaining = -1;
  self->reset_at = 0;
  self->retry_at = 0;
  self->notes_retry_at = 0;
  self->observed_at = 0;
}

/* A non-negative decimal integer, perhaps padded with blanks, and nothing else;
 * anything odd is ignored rather than trusted. */
static gboolean
parse_count (const char *text,
             gint64     *out_value)
{
  char digits[24];
  gsize length;
  guint64 value;

  if (text == NULL)
    return FALSE;

  while (g_ascii_isspace (*text))
    text++;
  length = strlen (text);
  while (length > 0 && g_ascii_isspace (text[length - 1]))
    length--;
  if (length == 0 || length >= sizeof digits)
    return FALSE;

  memcpy (digits, text, length);
  digits[length] = '\0';
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;

  *out_value = (gint64) value;
  return TRUE;
}

/* Retry-After is either a number of seconds or an HTTP date. */
static gboolean
parse_retry_after (const char *text,
                   gint64      now,
                   gint64     *out_retry_at)
{
  g_autoptr(GDateTime) date = NULL;
  gint64 seconds;

  if (text == NULL)
    return FALSE;

  if (parse_count (text, &seconds))
    {
      *out_retry_at = now + MIN (seconds, (gint64) 24 * 3600);
      return TRUE;
    }

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL)
    return FALSE;

  *out_retry_at = CLAMP (g_date_time_to_unix (date), now, now + (gint64) 24 * 3600);
  return TRUE;
}

/**
 * nod_rate_limit_parse:
 * @now: the current time, Unix seconds
 *
 * Fills @self from one response's headers. Returns whether GitLab said anything about
 * its limits; fields it did not send are left unknown.
 */
gboolean
nod_rate_limit_parse (NodRateLimit       *self,
                      SoupMessageHeaders *headers,
                      gint64              now)
{
  gboolean found = FALSE;
  gint64 value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (headers != NULL, FALSE);

  nod_rate_limit_init_unknown (self);
  self->observed_at = now;

  if (parse_count (soup_message_headers_get_one (headers, "RateLimit-Limit"), &value))
    {
      self->limit = value;
      found = TRUE;
    }

  if (parse_count (soup_message_headers_get_one (headers, "RateLimit-Remaining"), &value))
    {
      self->remaining = value;
      found = TRUE;
    }

  if (parse_count (soup_message_headers_get_one (headers, "RateLimit-Reset"), &value))
    {
      self->reset_at = value;
      found = TRUE;
    }
  else
    {
      const char *reset_time = soup_message_headers_get_one (headers, "RateLimit-ResetTime");
      g_autoptr(GDateTime) date = reset_time != NULL
                                  ? soup_date_time_new_from_http_string (reset_time) : NULL;

      if (date != NULL)
        {
          self->reset_at = g_date_time_to_unix (date);
          found = TRUE;
        }
    }

  if (parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"), now,
                         &self->retry_at))
    found = TRUE;

  return found;
}

/**
 * nod_rate_limit_update:
 * @self: what the earlier answers said
 * @now: the current time, Unix seconds
 *
 * What one more answer says, over what the earlier ones did. A 429 that gives only its
 * Retry-After (GitLab's note limit does) says nothing of the budget: the one GitLab last
 * gave stands until its window resets. Returns whether the answer said anything of its
 * limits; @self is left as it was when not. In one window (the same limit and reset) the
 * lowest count heard stands, and a Retry-After stands until it passes: answers to requests
 * sent together come in any order.
 */
gboolean
nod_rate_limit_update (NodRateLimit       *self,
                       SoupMessageHeaders *headers,
                       gint64              now)
{
  NodRateLimit heard;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (headers != NULL, FALSE);

  if (!nod_rate_limit_parse (&heard, headers, now))
    return FALSE;

  if (heard.limit < 0 && heard.remaining < 0 && heard.reset_at == 0 && self->reset_at > now)
    {
      heard.limit = self->limit;
      heard.remaining = self->remaining;
      heard.reset_at = self->reset_at;
    }
  /* Requests in flight together are answered in any order: in one window GitLab's count
   * only goes down, so the lowest heard is the latest. */
  else if (heard.remaining >= 0 && self->remaining >= 0 && heard.remaining > self->remaining &&
           heard.limit == self->limit && heard.reset_at == self->reset_at &&
           self->reset_at > now)
    heard.remaining = self->remaining;
  /* GitLab's Retry-After stands until it passes: the answer to a request sent beside the
   * refused one says nothing against it. */
  if (self->retry_at > now)
    heard.retry_at = MAX (heard.retry_at, self->retry_at);
  heard.notes_retry_at = self->notes_retry_at > now ? self->notes_retry_at : 0;
  *self = heard;
  return TRUE;
}

/**
 * nod_rate_limit_update_for_note:
 * @status: the answer's HTTP status
 *
 * What the answer to creating a note says. GitLab limits note creation on its own (60 a
 * minute on gitlab.com) and says so only past it: a 429 with Retry-After whose budget, if
 * it gives one, is not spent. That holds back notes only (notes_retry_at), not every
 * request; a 429 with the budget spent is the account's throttle. Any other answer is
 * nod_rate_limit_update()'s.
 */
gboolean
nod_rate_limit_update_for_note (NodRateLimit       *self,
                                SoupMessageHeaders *headers,
                                guint               status,
                                gint64              now)
{
  NodRateLimit heard;
  gint64 retry_before;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (headers != NULL, FALSE);

  if (status != 429 || !nod_rate_limit_parse (&heard, headers, now) || heard.retry_at == 0 ||
      heard.remaining == 0)
    return nod_rate_limit_update (self, headers, now);

  retry_before = self->retry_at > now ? self->retry_at : 0;
  nod_rate_limit_update (self, headers, now);
  self->retry_at = retry_before;
  self->notes_retry_at = MAX (self->notes_retry_at, heard.retry_at);
  return TRUE;
}

gboolean
nod_rate_limit_is_known (const NodRateLimit *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->remaining >= 0 || self->retry_at > 0;
}

/* The snapshot as JSON, to keep between runs. */
char *
nod_rate_limit_to_json (const NodRateLimit *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, self->limit);
  json_builder_set_member_name (builder, "remaining");
  json_builder_add_int_value (builder, self->remaining);
  json_builder_set_member_name (builder, "reset_at");
  json_builder_add_int_value (builder, self->reset_at);
  json_builder_set_member_name (builder, "retry_at");
  json_builder_add_int_value (builder, self->retry_at);
  json_builder_set_member_name (builder, "notes_retry_at");
  json_builder_add_int_value (builder, self->notes_retry_at);
  json_builder_set_member_name (builder, "observed_at");
  json_builder_add_int_value (builder, self->observed_at);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gint64
int_member (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : fallback;
}

/**
 * nod_rate_limit_from_json:
 *
 * Fills @self from what nod_rate_limit_to_json() wrote; a member that is missing or not a
 * number is unknown. Returns FALSE, leaving @self unknown, for text that is no object.
 */
gboolean
nod_rate_limit_from_json (NodRateLimit *self,
                          const char   *json)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);

  nod_rate_limit_init_unknown (self);
  if (json == NULL)
    return FALSE;

  /* Read as GitLab's answers are: one document, bounded, nothing json-glib would leak. */
  bytes = g_bytes_new_static (json, strlen (json));
  root = _nod_gitlab_json_parse (bytes, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  object = json_node_get_object (root);
  self->limit = int_member (object, "limit", self->limit);
  self->remaining = int_member (object, "remaining", self->remaining);
  self->reset_at = int_member (object, "reset_at", self->reset_at);
  self->retry_at = int_member (object, "retry_at", self->retry_at);
  self->notes_retry_at = int_member (object, "notes_retry_at", self->notes_retry_at);
  self->observed_at = int_member (object, "observed_at", self->observed_at);
  return TRUE;
}

/**
 * nod_rate_limit_blocked_until:
 * @reserve: requests to leave for what the reviewer does by hand; 0 for those actions
 * @now: the current time, Unix seconds
 *
 * Returns: 0 when a request may go now, else the Unix time after which it may: when
 *   GitLab asked to retry later, or when the budget left is at or under @reserve until
 *   the window resets.
 */
gint64
nod_rate_limit_blocked_until (const NodRateLimit *self,
                              guint               reserve,
                              gint64              now)
{
  gint64 until = 0;

  g_return_val_if_fail (self != NULL, 0);

  if (self->retry_at > now)
    until = self->retry_at;

  if (self->remaining >= 0 && self->remaining <= (gint64) reserve && self->reset_at > now)
    until = MAX (until, self->reset_at);

  return until;
}

/* Returns: 0 when a note may be created now, else the Unix time after which it may: the
 *   account's block, or GitLab's limit on notes. */
gint64
nod_rate_limit_notes_blocked_until (const NodRateLimit *self,
                                    gint64              now)
{
  gint64 until;

  g_return_val_if_fail (self != NULL, 0);

  until = nod_rate_limit_blocked_until (self, 0, now);
  if (self->notes_retry_at > now)
    until = MAX (until, self->notes_retry_at);
  return until;
}
