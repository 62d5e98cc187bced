/* nod-test-http.h: raw HTTP to the fake GitLab, for the tests of the fake itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* One answer, read whole. */
typedef struct
{
  char               *request;  /* "METHOD PATH", to say what a failure answered */
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;     /* NULL when there was no answer */
  JsonNode           *json;     /* NULL when the body is not JSON */
  GError             *error;    /* a transport error: no answer at all */
} NodTestResponse;

void nod_test_response_free (NodTestResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodTestResponse, nod_test_response_free)

/* A request on its way: a test acts while the fake holds it, then finishes it. */
typedef struct _NodTestRequest NodTestRequest;

/* @path follows @base_url; @token (or none) goes in PRIVATE-TOKEN; @body (or none) is sent
 * as @content_type. Runs on the thread-default main context. */
NodTestRequest  *nod_test_http_start              (SoupSession     *session,
                                                   const char      *base_url,
                                                   const char      *token,
                                                   const char      *method,
                                                   const char      *path,
                                                   const char      *content_type,
                                                   const char      *body);
/* Whether neither an answer nor a transport error has come yet (without waiting). */
gboolean         nod_test_http_is_pending         (NodTestRequest  *request);
/* Waits for the answer, or the transport error, and frees @request. */
NodTestResponse *nod_test_http_finish             (NodTestRequest  *request);
NodTestResponse *nod_test_http_send               (SoupSession     *session,
                                                   const char      *base_url,
                                                   const char      *token,
                                                   const char      *method,
                                                   const char      *path,
                                                   const char      *content_type,
                                                   const char      *body);

/* Fails the test unless @response is an answer with @status; returns @response. */
NodTestResponse *nod_test_http_expect             (NodTestResponse *response,
                                                   guint            status);
/* Sends @prefix then @path (as nod_test_http_send () does) and expects @status: the one
 * call behind each fake test's api () and control (). */
NodTestResponse *nod_test_http_call               (SoupSession     *session,
                                                   const char      *base_url,
                                                   const char      *token,
                                                   const char      *method,
                                                   const char      *prefix,
                                                   const char      *path,
                                                   const char      *content_type,
                                                   const char      *body,
                                                   guint            status);

/* The body's JSON, which must be an object (an array). */
JsonObject      *nod_test_response_object         (NodTestResponse *response);
JsonArray       *nod_test_response_array          (NodTestResponse *response);
const char      *nod_test_response_header         (NodTestResponse *response,
                                                   const char      *name);
/* GitLab's error body: {"message": @message}. */
void             nod_test_response_assert_message (NodTestResponse *response,
                                                   const char      *message);

/* Whether @member, which @object must have, is null. */
gboolean         nod_test_json_is_null            (JsonObject      *object,
                                                   const char      *member);

G_END_DECLS
