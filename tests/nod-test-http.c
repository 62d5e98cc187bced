/* nod-test-http.c: raw HTTP to the fake GitLab, for the tests of the fake itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No client of Nod's in between: a test sees the status, headers and bytes the fake sent,
 * or that it sent none.
 */

#include "config.h"

#include <string.h>

#include "nod-test-http.h"
#include "nod-test-utils.h"

struct _NodTestRequest
{
  SoupSession  *session;
  SoupMessage  *msg;
  GAsyncResult *result;
  char         *request;
};

void
nod_test_response_free (NodTestResponse *response)
{
  g_free (response->request);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_error (&response->error);
  g_free (response);
}

NodTestRequest *
nod_test_http_start (SoupSession *session,
                     const char  *base_url,
                     const char  *token,
                     const char  *method,
                     const char  *path,
                     const char  *content_type,
                     const char  *body)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  /* Relaxed: hostile requests carry what a strict parser refuses ("%ZZ", "[]"). */
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS | G_URI_FLAGS_PARSE_RELAXED, NULL);
  NodTestRequest *request = g_new0 (NodTestRequest, 1);

  g_assert_nonnull (uri);
  request->session = g_object_ref (session);
  request->msg = soup_message_new_from_uri (method, uri);
  request->request = g_strdup_printf ("%s %s", method, path);
  if (token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (request->msg),
                                  "PRIVATE-TOKEN", token);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (request->msg, content_type, bytes);
    }
  soup_session_send_and_read_async (session, request->msg, G_PRIORITY_DEFAULT, NULL,
                                    nod_test_keep_result, &request->result);
  return request;
}

gboolean
nod_test_http_is_pending (NodTestRequest *request)
{
  return request->result == NULL;
}

NodTestResponse *
nod_test_http_finish (NodTestRequest *request)
{
  NodTestResponse *response = g_new0 (NodTestResponse, 1);

  nod_test_wait_for_result (&request->result);
  response->request = g_steal_pointer (&request->request);
  response->body = soup_session_send_and_read_finish (request->session, request->result,
                                                      &response->error);
  response->status = soup_message_get_status (request->msg);
  response->headers =
    soup_message_headers_ref (soup_message_get_response_headers (request->msg));

  if (response->body != NULL && g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, g_bytes_get_data (response->body, NULL),
                                      (gssize) g_bytes_get_size (response->body), NULL))
        response->json = json_node_ref (json_parser_get_root (parser));
    }

  g_object_unref (request->result);
  g_object_unref (request->msg);
  g_object_unref (request->session);
  g_free (request);
  return response;
}

NodTestResponse *
nod_test_http_send (SoupSession *session,
                    const char  *base_url,
                    const char  *token,
                    const char  *method,
                    const char  *path,
                    const char  *content_type,
                    const char  *body)
{
  return nod_test_http_finish (nod_test_http_start (session, base_url, token, method, path,
                                                    content_type, body));
}

NodTestResponse *
nod_test_http_expect (NodTestResponse *response,
                      guint            status)
{
  if (response->error != NULL)
    g_test_message ("No answer to %s", response->request);
  g_assert_no_error (response->error);
  if (response->status != status)
    g_test_message ("Unexpected answer %u to %s: %.*s", response->status, response->request,
                    (int) MIN (g_bytes_get_size (response->body), 500),
                    (const char *) g_bytes_get_data (response->body, NULL));
  g_assert_cmpuint (response->status, ==, status);
  return response;
}

NodTestResponse *
nod_test_http_call (SoupSession *session,
                    const char  *base_url,
                    const char  *token,
                    const char  *method,
                    const char  *prefix,
                    const char  *path,
                    const char  *content_type,
                    const char  *body,
                    guint        status)
{
  g_autofree char *full_path = g_strconcat (prefix, path, NULL);

  return nod_test_http_expect (nod_test_http_send (session, base_url, token, method, full_path,
                                                   content_type, body),
                               status);
}

JsonObject *
nod_test_response_object (NodTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

JsonArray *
nod_test_response_array (NodTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (response->json));
  return json_node_get_array (response->json);
}

const char *
nod_test_response_header (NodTestResponse *response,
                          const char      *name)
{
  return soup_message_headers_get_one (response->headers, name);
}

void
nod_test_response_assert_message (NodTestResponse *response,
                                  const char      *message)
{
  g_assert_cmpstr (json_object_get_string_member (nod_test_response_object (response),
                                                  "message"), ==, message);
}

gboolean
nod_test_json_is_null (JsonObject *object,
                       const char *member)
{
  g_assert_true (json_object_has_member (object, member));
  return JSON_NODE_HOLDS_NULL (json_object_get_member (object, member));
}
