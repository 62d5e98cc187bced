/* nod-rate-limit.h: what GitLab said of the request budget, and the arithmetic on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A snapshot of one response's RateLimit-* and Retry-After headers. Times are Unix
 * seconds; a field GitLab did not send is -1 (counts) or 0 (times). */
typedef struct
{
  gint64 limit;
  gint64 remaining;
  gint64 reset_at;
  gint64 retry_at;
  gint64 notes_retry_at;  /* GitLab's limit on creating notes alone, which it does not
                           * advertise: a 429 to a note with only Retry-After */
  gint64 observed_at;
} NodRateLimit;

/* Requests kept back for what the reviewer does by hand (approve, comment) when
 * background work decides whether to go on. */
#define NOD_RATE_LIMIT_DEFAULT_RESERVE 100

#define NOD_TYPE_RATE_LIMIT (nod_rate_limit_get_type ())

GType         nod_rate_limit_get_type      (void) G_GNUC_CONST;
NodRateLimit *nod_rate_limit_copy          (const NodRateLimit        *self);
void          nod_rate_limit_free          (NodRateLimit              *self);

void          nod_rate_limit_init_unknown  (NodRateLimit              *self);
gboolean      nod_rate_limit_parse         (NodRateLimit              *self,
                                            SoupMessageHeaders        *headers,
                                            gint64                     now);
gboolean      nod_rate_limit_update        (NodRateLimit              *self,
                                            SoupMessageHeaders        *headers,
                                            gint64                     now);
gboolean      nod_rate_limit_update_for_note (NodRateLimit            *self,
                                            SoupMessageHeaders        *headers,
                                            guint                      status,
                                            gint64                     now);
gboolean      nod_rate_limit_is_known      (const NodRateLimit        *self);
char         *nod_rate_limit_to_json       (const NodRateLimit        *self);
gboolean      nod_rate_limit_from_json     (NodRateLimit              *self,
                                            const char                *json);
gint64        nod_rate_limit_blocked_until (const NodRateLimit        *self,
                                            guint                      reserve,
                                            gint64                     now);
gint64        nod_rate_limit_notes_blocked_until (const NodRateLimit  *self,
                                            gint64                     now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodRateLimit, nod_rate_limit_free)

G_END_DECLS
