/* nod-gitlab.c: the GitLab REST v4 backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession per account. Every call goes the same way: a request with the token
 * in the PRIVATE-TOKEN header (never in the URL, never logged), the answer's rate-limit
 * headers kept, its body read up to a bound, a failure mapped to a NodForgeError in
 * nod-forge.c, and the JSON parsed off the main thread into model objects.
 *
 * A server can be slow or hostile, and nothing it sends may hold Nod forever: every request
 * has an overall deadline on the NodClock (libsoup's timeouts only bound the gap between
 * bytes, so a body sent a byte at a time would never end), and a list's pages must advance.
 */

#define G_LOG_DOMAIN "nod-gitlab"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nod-forge-models-private.h"
#include "nod-gitlab.h"
#include "nod-gitlab-json.h"

#define API_PREFIX "/api/v4"
#define PER_PAGE 100
/* No answer Nod asks for comes near this; a bigger one is refused, not buffered. */
#define BODY_MAX_BYTES (64 * 1024 * 1024)
#define USER_AGENT "Nod/" PACKAGE_VERSION " (+https://github.com/nodreview/nod)"

struct _NodGitlab
{
  GObject       parent_instance;

  char         *base_url;
  char         *token;
  SoupSession  *session;
  NodClock     *clock;       /* where each request's deadline is armed */
  guint         deadline_s;
  NodRateLimit  rate_limit;
  char         *username;   /* learnt from GET /user, for "review requested from me" */
  GHashTable   *projects;   /* path_with_namespace → NodProject, looked up once */
};

static void nod_gitlab_forge_init (NodForgeInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NodGitlab, nod_gitlab, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NOD_TYPE_FORGE, nod_gitlab_forge_init))

/* One request and what to make of its answer. */
typedef struct
{
  SoupMessage        *message;
  NodGitlabParseFunc  parse;
  gboolean            is_list;
  gboolean            no_content_ok;  /* 202: a note of quick actions only */
  gboolean            no_answer;      /* success says it all (204): nothing to parse */
  gboolean            creates_note;   /* under GitLab's own limit on notes */
  gboolean            raw;            /* the answer is a file's bytes, not JSON */
  guint               page;
  guint               next_page;
  gint64              total;
  gint64              project_id;
  gint64              iid;
  GBytes             *body;

  /* The message's own cancellable: cancelled by the deadline, or soon after the caller's. */
  GCancellable       *cancellable;
  GSource            *caller_cancelled;
  NodClock           *clock;
  guint               deadline_id;
  gboolean            timed_out;
} Call;

/* The request is over, one way or another: its deadline and the watch on the caller's
 * cancellable go. Called on the main context, before the answer is parsed in a thread. */
static void
call_settle (Call *call)
{
  if (call->clock != NULL)
    nod_clock_clear_timeout (call->clock, &call->deadline_id);
  if (call->caller_cancelled != NULL)
    {
      g_source_destroy (call->caller_cancelled);
      g_clear_pointer (&call->caller_cancelled, g_source_unref);
    }
}

static void
call_free (Call *call)
{
  call_settle (call);
  g_clear_object (&call->message);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->clock);
  g_free (call);
}

static gboolean
on_deadline (gpointer user_data)
{
  Call *call = user_data;

  call->deadline_id = 0;
  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

/* A source, not a handler of the caller's cancellable: its callback runs in the main loop,
 * never inside the caller's g_cancellable_cancel(), where settling would deadlock. */
static gboolean
on_caller_cancelled (GCancellable *caller,
                     gpointer      user_data)
{
  Call *call = user_data;

  g_clear_pointer (&call->caller_cancelled, g_source_unref);
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

/* What a failure to send or to read the answer means; past the deadline it is a timeout,
 * whatever libsoup saw when it was cancelled. */
static GError *
call_transport_error (Call         *call,
                      const GError *error)
{
  GError *forge_error = NULL;

  if (call->timed_out)
    return g_error_new_literal (NOD_FORGE_ERROR, NOD_FORGE_ERROR_TIMEOUT,
                                _("GitLab took too long to answer"));
  nod_forge_set_error_for_transport (&forge_error, error);
  return forge_error;
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * nod_gitlab_check_base_url:
 * @allow_insecure: accept plain http:// to a host that is not this machine
 *
 * An instance URL must be https:// (or http:// to this machine, as the demo and the
 * tests use), with no credentials, query or fragment in it.
 */
gboolean
nod_gitlab_check_base_url (const char  *base_url,
                           gboolean     allow_insecure,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  g_return_val_if_fail (base_url != NULL, FALSE);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                   _("“%s” is not a web address; write it like https://gitlab.com"),
                   g_utf8_validate (base_url, -1, NULL) ? base_url : "?");
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      (g_ascii_strcasecmp (scheme, "http") != 0 ||
       (!allow_insecure && !is_loopback_host (g_uri_get_host (uri)))))
    {
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                   _("Nod talks to GitLab over https:// only, so that the access token "
                     "stays secret"));
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                   _("The GitLab address must not hold a user name, a password, a query "
                     "or a fragment"));
      return FALSE;
    }

  return TRUE;
}

/**
 * nod_gitlab_new:
 * @base_url: the instance, like https://gitlab.com (a path prefix is allowed)
 * @token: a personal access token
 *
 * Returns: (transfer full): a backend for one account, or %NULL when @base_url is not
 *   acceptable (see nod_gitlab_check_base_url())
 */
NodGitlab *
nod_gitlab_new (const char  *base_url,
                const char  *token,
                GError     **error)
{
  NodGitlab *self;
  gsize length;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  if (!nod_gitlab_check_base_url (base_url, FALSE, error))
    return NULL;

  self = g_object_new (NOD_TYPE_GITLAB, NULL);
  length = strlen (base_url);
  while (length > 0 && base_url[length - 1] == '/')
    length--;
  self->base_url = g_strndup (base_url, length);
  self->token = g_strdup (token);
  return self;
}

const char *
nod_gitlab_get_base_url (NodGitlab *self)
{
  g_return_val_if_fail (NOD_IS_GITLAB (self), NULL);

  return self->base_url;
}

/* How long a request may wait on the server without any progress. */
void
nod_gitlab_set_timeout (NodGitlab *self,
                        guint      seconds)
{
  g_return_if_fail (NOD_IS_GITLAB (self));

  soup_session_set_timeout (self->session, seconds);
}

/**
 * nod_gitlab_set_clock:
 * @clock: where each request's deadline is armed (the system clock unless set)
 *
 * A test moves a manual clock past the deadline instead of waiting for it; the engine hands
 * its forges its own clock. Requests already sent keep the clock they started with.
 */
void
nod_gitlab_set_clock (NodGitlab *self,
                      NodClock  *clock)
{
  g_return_if_fail (NOD_IS_GITLAB (self));
  g_return_if_fail (NOD_IS_CLOCK (clock));

  g_set_object (&self->clock, clock);
}

/**
 * nod_gitlab_set_deadline:
 * @seconds: how long a request may take in all, from sending it to the last byte of its
 *   answer (%NOD_GITLAB_DEFAULT_DEADLINE_S unless set; at least 1)
 *
 * Past it the request is cancelled and fails with %NOD_FORGE_ERROR_TIMEOUT. Applies to the
 * requests sent afterwards.
 */
void
nod_gitlab_set_deadline (NodGitlab *self,
                         guint      seconds)
{
  g_return_if_fail (NOD_IS_GITLAB (self));
  g_return_if_fail (seconds > 0);

  self->deadline_s = seconds;
}

static gpointer
bounded_realloc (gpointer data,
                 gsize    size)
{
  /* GMemoryOutputStream reports G_IO_ERROR_NO_SPACE when this says no. */
  if (size > BODY_MAX_BYTES)
    return NULL;
  return g_realloc (data, size);
}

static guint
header_uint (SoupMessageHeaders *headers,
             const char         *name)
{
  const char *text = soup_message_headers_get_one (headers, name);
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return 0;
  return (guint) value;
}

/* The page after @page, or 0 when @page is the last. A next page that is absent or not a
 * number ends the list; one that does not come after @page, or lies past the most pages
 * Nod follows, is a server looping or lying, and refused: following it would never end. */
static guint
next_page_of (SoupMessageHeaders  *headers,
              guint                page,
              GError             **error)
{
  guint next_page = header_uint (headers, "x-next-page");
  guint total_pages = header_uint (headers, "x-total-pages");

  if (total_pages > 0 && page >= total_pages)
    return 0;
  if (next_page != 0 && next_page <= page)
    {
      g_set_error_literal (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                           _("GitLab’s pages did not advance"));
      return 0;
    }
  if (next_page > NOD_FORGE_MAX_PAGES)
    {
      nod_forge_set_error_too_many_pages (error);
      return 0;
    }
  return next_page;
}

static void
parse_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Call *call = task_data;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  GObject *result;

  root = _nod_gitlab_json_parse (call->body, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (call->is_list)
    {
      g_autoptr(GPtrArray) items = _nod_gitlab_json_parse_array (root, call->parse, &error);

      result = items != NULL ? G_OBJECT (nod_forge_page_new (items, call->page, call->next_page,
                                                             call->total))
                             : NULL;
    }
  else
    {
      result = call->parse (root, &error);
    }

  if (result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The request says which merge request the approvals are about; the answer may not. */
  if (NOD_IS_APPROVALS (result))
    {
      NOD_APPROVALS (result)->project_id = call->project_id;
      NOD_APPROVALS (result)->iid = call->iid;
    }

  g_task_return_pointer (task, result, g_object_unref);
}

static void
on_body_read (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodGitlab *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GOutputStream *out = G_OUTPUT_STREAM (source_object);
  g_autoptr(GError) error = NULL;
  guint status;

  call_settle (call);
  if (g_output_stream_splice_finish (out, result, &error) < 0)
    {
      if (!call->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                                 _("GitLab sent an answer too large to read"));
      else
        g_task_return_error (task, call_transport_error (call, error));
      return;
    }

  call->body = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  status = soup_message_get_status (call->message);

  if ((status == SOUP_STATUS_ACCEPTED && call->no_content_ok) ||
      (SOUP_STATUS_IS_SUCCESSFUL (status) && call->no_answer))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *server_message = _nod_gitlab_json_error_message (call->body);
      GError *forge_error = NULL;

      g_debug ("%s %s: %u", soup_message_get_method (call->message),
               g_uri_get_path (soup_message_get_uri (call->message)), status);
      nod_forge_set_error_for_status (&forge_error, status, server_message, &self->rate_limit);
      g_task_return_error (task, forge_error);
      return;
    }

  if (call->raw)
    {
      g_task_return_pointer (task, g_bytes_ref (call->body), (GDestroyNotify) g_bytes_unref);
      return;
    }

  g_task_run_in_thread (task, parse_in_thread);
}

static void
on_sent (GObject      *source_object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodGitlab *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  stream = soup_session_send_finish (SOUP_SESSION (source_object), result, &error);
  if (stream == NULL)
    {
      call_settle (call);
      g_task_return_error (task, call_transport_error (call, error));
      return;
    }

  headers = soup_message_get_response_headers (call->message);
  if (call->creates_note)
    nod_rate_limit_update_for_note (&self->rate_limit, headers,
                                    soup_message_get_status (call->message),
                                    g_get_real_time () / G_USEC_PER_SEC);
  else
    nod_rate_limit_update (&self->rate_limit, headers, g_get_real_time () / G_USEC_PER_SEC);

  if (SOUP_STATUS_IS_REDIRECTION (soup_message_get_status (call->message)))
    {
      call_settle (call);
      /* Following it would hand the token to wherever it points. */
      g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL,
                               _("GitLab redirected Nod elsewhere; check the instance "
                                 "address"));
      return;
    }

  if (call->is_list && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (call->message)))
    {
      const char *total = soup_message_headers_get_one (headers, "x-total");
      guint64 value;

      call->next_page = next_page_of (headers, call->page, &error);
      if (error != NULL)
        {
          call_settle (call);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      call->total = total != NULL && g_ascii_string_to_unsigned (total, 10, 0, G_MAXINT64,
                                                                 &value, NULL)
                    ? (gint64) value : -1;
    }

  /* The body is read under the same deadline: a drip of it ends there too. */
  out = g_memory_output_stream_new (NULL, 0, bounded_realloc, g_free);
  g_output_stream_splice_async (out, stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, call->cancellable,
                                on_body_read, g_steal_pointer (&task));
}

/* Sends @method @path_and_query (below /api/v4, already escaped) with an optional JSON
 * @body, and completes @task with what @parse makes of the answer. */
static void
start_call (NodGitlab          *self,
            GTask              *task,
            const char         *method,
            const char         *path_and_query,
            JsonNode           *body,
            Call               *call)
{
  g_autofree char *url = g_strconcat (self->base_url, API_PREFIX, path_and_query, NULL);
  GCancellable *caller_cancellable = g_task_get_cancellable (task);
  SoupMessageHeaders *headers;

  call->message = soup_message_new (method, url);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  if (call->message == NULL)
    {
      g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                               _("Nod could not make a valid request of GitLab"));
      return;
    }

  soup_message_add_flags (call->message, SOUP_MESSAGE_NO_REDIRECT);
  /* Writes go on kept-alive connections too (libsoup opens a new one for each POST
   * otherwise: a TCP and TLS handshake per comment). Safe: libsoup sends again by itself,
   * when a reused connection closes before any answer, only requests whose method is
   * idempotent by name, and of Nod's writes those are PUT and DELETE — resolving, a
   * note's new text, a removal: each a target state; a POST that meets it fails as a
   * network error, and the push job looks for its effect before sending it again
   * (test-gitlab, connections). */
  soup_message_add_flags (call->message, SOUP_MESSAGE_IDEMPOTENT);
  headers = soup_message_get_request_headers (call->message);
  soup_message_headers_replace (headers, "PRIVATE-TOKEN", self->token);
  soup_message_headers_replace (headers, "Accept", call->raw ? "*/*" : "application/json");

  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (call->message, "application/json", bytes);
    }

  call->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      call->caller_cancelled = g_cancellable_source_new (caller_cancellable);
      g_source_set_callback (call->caller_cancelled, G_SOURCE_FUNC (on_caller_cancelled), call,
                             NULL);
      g_source_attach (call->caller_cancelled, g_main_context_get_thread_default ());
    }
  call->clock = g_object_ref (self->clock);
  call->deadline_id = nod_clock_add_timeout_seconds (self->clock, self->deadline_s,
                                                     on_deadline, call, NULL);

  soup_session_send_async (self->session, call->message, G_PRIORITY_DEFAULT,
                           call->cancellable, on_sent, g_object_ref (task));
}

static Call *
call_new (NodGitlabParseFunc parse,
          gboolean           is_list,
          guint              page)
{
  Call *call = g_new0 (Call, 1);

  call->parse = parse;
  call->is_list = is_list;
  call->page = page;
  call->total = -1;
  return call;
}

static GTask *
task_new (NodGitlab           *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

static JsonNode *
body_with_string (const char *member,
                  const char *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (value != NULL)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- who am I ---- */

static void
on_current_user (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  NodGitlab *self = NOD_GITLAB (source_object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = g_task_propagate_pointer (G_TASK (result), &error);

  if (user == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  g_free (self->username);
  self->username = g_strdup (nod_user_get_username (user));
  g_task_return_pointer (outer, g_steal_pointer (&user), g_object_unref);
}

/* Fetches GET /user and remembers who we are before completing @outer with it. */
static void
fetch_current_user (NodGitlab *self,
                    GTask     *outer)
{
  g_autoptr(GTask) inner = g_task_new (self, g_task_get_cancellable (outer),
                                       on_current_user, g_object_ref (outer));

  start_call (self, inner, "GET", "/user", NULL,
              call_new (_nod_gitlab_json_parse_user, FALSE, 0));
}

static void
nod_gitlab_get_current_user_async (NodForge            *forge,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_get_current_user_async, cancellable,
                                    callback, user_data);

  fetch_current_user (self, task);
}

/* ---- projects ---- */

static void
nod_gitlab_list_projects_async (NodForge            *forge,
                                guint                page,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_projects_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = g_strdup_printf ("/projects?membership=true&simple=true"
                                           "&order_by=id&sort=asc&per_page=%d&page=%u",
                                           PER_PAGE, page);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_project, TRUE, page));
}

static void
on_project_looked_up (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  NodGitlab *self = NOD_GITLAB (source_object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodProject) project = g_task_propagate_pointer (G_TASK (result), &error);

  if (project == NULL)
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      return;
    }

  g_hash_table_replace (self->projects,
                        g_strdup (nod_project_get_path_with_namespace (project)),
                        g_object_ref (project));
  g_task_return_pointer (outer, g_steal_pointer (&project), g_object_unref);
}

static void
nod_gitlab_lookup_project_async (NodForge            *forge,
                                 const char          *path_with_namespace,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_lookup_project_async, cancellable,
                                    callback, user_data);
  NodProject *known = g_hash_table_lookup (self->projects, path_with_namespace);
  g_autoptr(GTask) inner = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  /* Everything else addresses projects by id: the path is resolved once. */
  if (known != NULL)
    {
      g_task_return_pointer (task, g_object_ref (known), g_object_unref);
      return;
    }

  escaped = g_uri_escape_string (path_with_namespace, NULL, FALSE);
  path = g_strconcat ("/projects/", escaped, NULL);
  inner = g_task_new (self, cancellable, on_project_looked_up, g_object_ref (task));
  start_call (self, inner, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_project, FALSE, 0));
}

/* ---- merge requests ---- */

static void
append_time (GString    *path,
             const char *name,
             GDateTime  *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
  g_autofree char *iso = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *escaped = g_uri_escape_string (iso, NULL, FALSE);

  g_string_append_printf (path, "&%s=%s", name, escaped);
}

static char *
merge_requests_path (NodGitlab            *self,
                     NodMergeRequestScope  scope,
                     GDateTime            *updated_after,
                     GDateTime            *updated_before,
                     guint                 page)
{
  GString *path = g_string_new ("/merge_requests?state=all&order_by=updated_at&sort=desc");

  switch (scope)
    {
    case NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED:
      {
        g_autofree char *username = g_uri_escape_string (self->username, NULL, FALSE);
        g_string_append_printf (path, "&scope=all&reviewer_username=%s", username);
      }
      break;

    case NOD_MERGE_REQUEST_SCOPE_ASSIGNED:
      g_string_append (path, "&scope=assigned_to_me");
      break;

    case NOD_MERGE_REQUEST_SCOPE_AUTHORED:
    default:
      g_string_append (path, "&scope=created_by_me");
      break;
    }

  if (updated_after != NULL)
    append_time (path, "updated_after", updated_after);
  if (updated_before != NULL)
    append_time (path, "updated_before", updated_before);

  g_string_append_printf (path, "&per_page=%d&page=%u", PER_PAGE, page);
  return g_string_free (path, FALSE);
}

typedef struct
{
  NodMergeRequestScope  scope;
  GDateTime            *updated_after;
  GDateTime            *updated_before;
  guint                 page;
} ListRequest;

static void
list_request_free (ListRequest *request)
{
  g_clear_pointer (&request->updated_after, g_date_time_unref);
  g_clear_pointer (&request->updated_before, g_date_time_unref);
  g_free (request);
}

static void
start_merge_request_list (NodGitlab   *self,
                          GTask       *task,
                          ListRequest *request)
{
  g_autofree char *path = merge_requests_path (self, request->scope, request->updated_after,
                                               request->updated_before, request->page);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_merge_request, TRUE, request->page));
}

static void
on_user_for_list (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NodGitlab *self = NOD_GITLAB (source_object);
  g_autoptr(GTask) outer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodUser) user = g_task_propagate_pointer (G_TASK (result), &error);
  ListRequest *request = g_object_steal_data (G_OBJECT (outer), "nod-list-request");

  if (user == NULL)
    g_task_return_error (outer, g_steal_pointer (&error));
  else
    start_merge_request_list (self, outer, request);

  list_request_free (request);
}

static void
nod_gitlab_list_merge_requests_async (NodForge             *forge,
                                      NodMergeRequestScope  scope,
                                      GDateTime            *updated_after,
                                      GDateTime            *updated_before,
                                      guint                 page,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_merge_requests_async, cancellable,
                                    callback, user_data);
  ListRequest *request = g_new0 (ListRequest, 1);

  request->scope = scope;
  request->updated_after = updated_after != NULL ? g_date_time_ref (updated_after) : NULL;
  request->updated_before = updated_before != NULL ? g_date_time_ref (updated_before) : NULL;
  request->page = page;

  /* "Review requested from me" names me: learn who that is first, once. */
  if (scope == NOD_MERGE_REQUEST_SCOPE_REVIEW_REQUESTED && self->username == NULL)
    {
      g_autoptr(GTask) inner = g_task_new (self, cancellable, on_user_for_list,
                                           g_object_ref (task));

      g_object_set_data (G_OBJECT (task), "nod-list-request", request);
      fetch_current_user (self, inner);
      return;
    }

  start_merge_request_list (self, task, request);
  list_request_free (request);
}

static char *
merge_request_path (gint64      project_id,
                    gint64      iid,
                    const char *rest)
{
  return g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT
                          "%s", project_id, iid, rest);
}

static void
nod_gitlab_get_merge_request_async (NodForge            *forge,
                                    gint64               project_id,
                                    gint64               iid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_get_merge_request_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "");

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_merge_request, FALSE, 0));
}

static Call *
approvals_call_new (gint64 project_id,
                    gint64 iid)
{
  Call *call = call_new (_nod_gitlab_json_parse_approvals, FALSE, 0);

  call->project_id = project_id;
  call->iid = iid;
  return call;
}

static void
nod_gitlab_get_approvals_async (NodForge            *forge,
                                gint64               project_id,
                                gint64               iid,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_get_approvals_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/approvals");

  start_call (self, task, "GET", path, NULL, approvals_call_new (project_id, iid));
}

static void
nod_gitlab_approve_async (NodForge            *forge,
                          gint64               project_id,
                          gint64               iid,
                          const char          *head_sha,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_approve_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/approve");
  g_autoptr(JsonNode) body = body_with_string ("sha", head_sha);

  /* With the head the reviewer saw, GitLab refuses (409) if new commits came since. */
  start_call (self, task, "POST", path, body, approvals_call_new (project_id, iid));
}

static void
nod_gitlab_unapprove_async (NodForge            *forge,
                            gint64               project_id,
                            gint64               iid,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_unapprove_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/unapprove");

  start_call (self, task, "POST", path, NULL, approvals_call_new (project_id, iid));
}

/* ---- discussions ---- */

static void
nod_gitlab_list_discussions_async (NodForge            *forge,
                                   gint64               project_id,
                                   gint64               iid,
                                   guint                page,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_discussions_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/discussions?per_page=%d&page=%u", PER_PAGE, page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_discussion, TRUE, page));
}

static void
nod_gitlab_create_discussion_async (NodForge            *forge,
                                    gint64               project_id,
                                    gint64               iid,
                                    const char          *body,
                                    const NodDiffPosition *position,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_create_discussion_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/discussions");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) json = NULL;
  Call *call = call_new (_nod_gitlab_json_parse_discussion, FALSE, 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, body);
  if (position != NULL)
    {
      json_builder_set_member_name (builder, "position");
      _nod_gitlab_json_build_position (builder, position);
    }
  json_builder_end_object (builder);
  json = json_builder_get_root (builder);

  call->no_content_ok = TRUE;
  call->creates_note = TRUE;
  start_call (self, task, "POST", path, json, call);
}

/* A thread id goes into the URL: anything but a plain id is refused, not escaped. */
static char *
discussion_path (GTask      *task,
                 gint64      project_id,
                 gint64      iid,
                 const char *discussion_id,
                 const char *rest)
{
  g_autofree char *tail = NULL;

  if (!_nod_gitlab_json_is_plain_id (discussion_id))
    {
      g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                               _("“%s” is not a thread of GitLab’s"),
                               g_utf8_validate (discussion_id, -1, NULL) ? discussion_id : "?");
      return NULL;
    }

  tail = g_strconcat ("/discussions/", discussion_id, rest, NULL);
  return merge_request_path (project_id, iid, tail);
}

static void
nod_gitlab_reply_async (NodForge            *forge,
                        gint64               project_id,
                        gint64               iid,
                        const char          *discussion_id,
                        const char          *body,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_reply_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = discussion_path (task, project_id, iid, discussion_id, "/notes");
  g_autoptr(JsonNode) json = NULL;
  Call *call;

  if (path == NULL)
    return;

  json = body_with_string ("body", body);
  call = call_new (_nod_gitlab_json_parse_note, FALSE, 0);
  call->no_content_ok = TRUE;
  call->creates_note = TRUE;
  start_call (self, task, "POST", path, json, call);
}

static void
nod_gitlab_set_resolved_async (NodForge            *forge,
                               gint64               project_id,
                               gint64               iid,
                               const char          *discussion_id,
                               gboolean             resolved,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_set_resolved_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = discussion_path (task, project_id, iid, discussion_id,
                                           resolved ? "?resolved=true" : "?resolved=false");

  if (path == NULL)
    return;

  start_call (self, task, "PUT", path, NULL,
              call_new (_nod_gitlab_json_parse_discussion, FALSE, 0));
}

static void
nod_gitlab_update_note_async (NodForge            *forge,
                              gint64               project_id,
                              gint64               iid,
                              gint64               note_id,
                              const char          *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_update_note_async, cancellable,
                                    callback, user_data);
  g_autofree char *tail = g_strdup_printf ("/notes/%" G_GINT64_FORMAT, note_id);
  g_autofree char *path = merge_request_path (project_id, iid, tail);
  g_autoptr(JsonNode) json = body_with_string ("body", body);

  Call *call = call_new (_nod_gitlab_json_parse_note, FALSE, 0);

  /* The same text twice is the same note: a PUT GitLab may see again. */
  call->no_content_ok = TRUE;
  start_call (self, task, "PUT", path, json, call);
}

static void
nod_gitlab_delete_note_async (NodForge            *forge,
                              gint64               project_id,
                              gint64               iid,
                              gint64               note_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_delete_note_async, cancellable,
                                    callback, user_data);
  g_autofree char *tail = g_strdup_printf ("/notes/%" G_GINT64_FORMAT, note_id);
  g_autofree char *path = merge_request_path (project_id, iid, tail);
  Call *call = call_new (NULL, FALSE, 0);

  call->no_answer = TRUE;
  start_call (self, task, "DELETE", path, NULL, call);
}

/* ---- draft notes ---- */

static void
nod_gitlab_list_draft_notes_async (NodForge            *forge,
                                   gint64               project_id,
                                   gint64               iid,
                                   guint                page,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_draft_notes_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/draft_notes?per_page=%d&page=%u", PER_PAGE, page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_draft_note, TRUE, page));
}

static void
nod_gitlab_create_draft_note_async (NodForge              *forge,
                                    gint64                 project_id,
                                    gint64                 iid,
                                    const char            *body,
                                    const NodDiffPosition *position,
                                    const char            *discussion_id,
                                    gboolean               resolve,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_create_draft_note_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/draft_notes");
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "note");
  json_builder_add_string_value (builder, body);
  if (position != NULL)
    {
      json_builder_set_member_name (builder, "position");
      _nod_gitlab_json_build_position (builder, position);
    }
  if (discussion_id != NULL)
    {
      json_builder_set_member_name (builder, "in_reply_to_discussion_id");
      json_builder_add_string_value (builder, discussion_id);
      json_builder_set_member_name (builder, "resolve_discussion");
      json_builder_add_boolean_value (builder, resolve);
    }
  json_builder_end_object (builder);
  json = json_builder_get_root (builder);

  start_call (self, task, "POST", path, json,
              call_new (_nod_gitlab_json_parse_draft_note, FALSE, 0));
}

static void
nod_gitlab_delete_draft_note_async (NodForge            *forge,
                                    gint64               project_id,
                                    gint64               iid,
                                    const char          *draft_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_delete_draft_note_async, cancellable,
                                    callback, user_data);
  g_autofree char *tail = NULL;
  g_autofree char *path = NULL;
  Call *call;

  if (!_nod_gitlab_json_is_plain_id (draft_id))
    {
      g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                               _("“%s” is not a draft note of GitLab’s"),
                               g_utf8_validate (draft_id, -1, NULL) ? draft_id : "?");
      return;
    }

  tail = g_strconcat ("/draft_notes/", draft_id, NULL);
  path = merge_request_path (project_id, iid, tail);
  call = call_new (NULL, FALSE, 0);
  call->no_answer = TRUE;
  start_call (self, task, "DELETE", path, NULL, call);
}

static void
nod_gitlab_publish_review_async (NodForge            *forge,
                                 gint64               project_id,
                                 gint64               iid,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_publish_review_async, cancellable,
                                    callback, user_data);
  g_autofree char *path = merge_request_path (project_id, iid, "/draft_notes/bulk_publish");
  Call *call = call_new (NULL, FALSE, 0);

  /* Publishing makes notes: GitLab's limit on them applies. */
  call->no_answer = TRUE;
  call->creates_note = TRUE;
  start_call (self, task, "POST", path, NULL, call);
}

/* ---- the change ---- */

static void
nod_gitlab_list_diffs_async (NodForge            *forge,
                             gint64               project_id,
                             gint64               iid,
                             guint                page,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_diffs_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/diffs?per_page=%d&page=%u", PER_PAGE, page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_diff_file, TRUE, page));
}

static void
nod_gitlab_list_versions_async (NodForge            *forge,
                                gint64               project_id,
                                gint64               iid,
                                guint                page,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_versions_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/versions?per_page=%d&page=%u", PER_PAGE, page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_version, TRUE, page));
}

static void
nod_gitlab_list_pipelines_async (NodForge            *forge,
                                 gint64               project_id,
                                 gint64               iid,
                                 guint                per_page,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_pipelines_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/pipelines?per_page=%u&page=1", per_page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_pipeline, TRUE, 1));
}

static void
nod_gitlab_list_commits_async (NodForge            *forge,
                               gint64               project_id,
                               gint64               iid,
                               guint                per_page,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_list_commits_async, cancellable,
                                    callback, user_data);
  g_autofree char *query = g_strdup_printf ("/commits?per_page=%u&page=1", per_page);
  g_autofree char *path = merge_request_path (project_id, iid, query);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_commit, TRUE, 1));
}

static void
nod_gitlab_get_version_async (NodForge            *forge,
                              gint64               project_id,
                              gint64               iid,
                              gint64               version_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_get_version_async, cancellable,
                                    callback, user_data);
  g_autofree char *rest = g_strdup_printf ("/versions/%" G_GINT64_FORMAT, version_id);
  g_autofree char *path = merge_request_path (project_id, iid, rest);

  start_call (self, task, "GET", path, NULL,
              call_new (_nod_gitlab_json_parse_version, FALSE, 0));
}

static void
nod_gitlab_get_raw_file_async (NodForge            *forge,
                               gint64               project_id,
                               const char          *file_path,
                               const char          *ref,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autoptr(GTask) task = task_new (self, nod_gitlab_get_raw_file_async, cancellable,
                                    callback, user_data);
  /* The path is one segment of GitLab's route: its "/" are escaped too. */
  g_autofree char *escaped = g_uri_escape_string (file_path, NULL, FALSE);
  g_autofree char *path = NULL;
  Call *call;

  if (!_nod_gitlab_json_is_plain_id (ref))
    {
      g_task_return_new_error (task, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                               _("“%s” is not a commit of GitLab’s"),
                               g_utf8_validate (ref, -1, NULL) ? ref : "?");
      return;
    }

  path = g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/repository/files/%s/raw?ref=%s",
                          project_id, escaped, ref);
  call = call_new (NULL, FALSE, 0);
  call->raw = TRUE;
  start_call (self, task, "GET", path, NULL, call);
}

static GBytes *
nod_gitlab_finish_bytes (NodForge      *forge,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, forge), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GObject *
nod_gitlab_finish_object (NodForge      *forge,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, forge), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static NodRateLimit *
nod_gitlab_dup_rate_limit (NodForge *forge)
{
  return nod_rate_limit_copy (&NOD_GITLAB (forge)->rate_limit);
}

static void
nod_gitlab_restore_rate_limit (NodForge           *forge,
                               const NodRateLimit *rate_limit)
{
  NodGitlab *self = NOD_GITLAB (forge);

  if (rate_limit->observed_at > self->rate_limit.observed_at)
    self->rate_limit = *rate_limit;
}

static void
nod_gitlab_forge_set_clock (NodForge *forge,
                            NodClock *clock)
{
  nod_gitlab_set_clock (NOD_GITLAB (forge), clock);
}

static void
on_warmed_up (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing waits on it: a request made meanwhile opens its own connection. */
  if (!soup_session_preconnect_finish (SOUP_SESSION (source_object), result, &error))
    g_debug ("No connection opened ahead: %s", error->message);
}

static void
nod_gitlab_warm_up (NodForge *forge)
{
  NodGitlab *self = NOD_GITLAB (forge);
  g_autofree char *url = g_strconcat (self->base_url, API_PREFIX, "/version", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);

  if (message == NULL)
    return;
  soup_session_preconnect_async (self->session, message, G_PRIORITY_LOW, NULL, on_warmed_up,
                                 NULL);
}

static void
nod_gitlab_forge_init (NodForgeInterface *iface)
{
  iface->get_current_user_async = nod_gitlab_get_current_user_async;
  iface->list_projects_async = nod_gitlab_list_projects_async;
  iface->lookup_project_async = nod_gitlab_lookup_project_async;
  iface->list_merge_requests_async = nod_gitlab_list_merge_requests_async;
  iface->get_merge_request_async = nod_gitlab_get_merge_request_async;
  iface->get_approvals_async = nod_gitlab_get_approvals_async;
  iface->list_discussions_async = nod_gitlab_list_discussions_async;
  iface->approve_async = nod_gitlab_approve_async;
  iface->unapprove_async = nod_gitlab_unapprove_async;
  iface->create_discussion_async = nod_gitlab_create_discussion_async;
  iface->reply_async = nod_gitlab_reply_async;
  iface->list_draft_notes_async = nod_gitlab_list_draft_notes_async;
  iface->create_draft_note_async = nod_gitlab_create_draft_note_async;
  iface->delete_draft_note_async = nod_gitlab_delete_draft_note_async;
  iface->publish_review_async = nod_gitlab_publish_review_async;
  iface->set_resolved_async = nod_gitlab_set_resolved_async;
  iface->update_note_async = nod_gitlab_update_note_async;
  iface->delete_note_async = nod_gitlab_delete_note_async;
  iface->list_diffs_async = nod_gitlab_list_diffs_async;
  iface->list_versions_async = nod_gitlab_list_versions_async;
  iface->list_pipelines_async = nod_gitlab_list_pipelines_async;
  iface->list_commits_async = nod_gitlab_list_commits_async;
  iface->get_version_async = nod_gitlab_get_version_async;
  iface->get_raw_file_async = nod_gitlab_get_raw_file_async;
  iface->finish_bytes = nod_gitlab_finish_bytes;
  iface->finish_object = nod_gitlab_finish_object;
  iface->dup_rate_limit = nod_gitlab_dup_rate_limit;
  iface->restore_rate_limit = nod_gitlab_restore_rate_limit;
  iface->set_clock = nod_gitlab_forge_set_clock;
  iface->warm_up = nod_gitlab_warm_up;
}

static void
nod_gitlab_dispose (GObject *object)
{
  NodGitlab *self = NOD_GITLAB (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->projects, g_hash_table_unref);

  G_OBJECT_CLASS (nod_gitlab_parent_class)->dispose (object);
}

static void
nod_gitlab_finalize (GObject *object)
{
  NodGitlab *self = NOD_GITLAB (object);

  g_clear_pointer (&self->base_url, g_free);
  /* Leave no copy of the token behind in freed memory. */
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->username, g_free);

  G_OBJECT_CLASS (nod_gitlab_parent_class)->finalize (object);
}

static void
nod_gitlab_class_init (NodGitlabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_gitlab_dispose;
  object_class->finalize = nod_gitlab_finalize;
}

static void
nod_gitlab_init (NodGitlab *self)
{
  /* libsoup opens two connections to a host by default: the texts a pull fetches at
   * once, and the reviewer's approval beside them, need more. */
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "timeout", NOD_GITLAB_DEFAULT_TIMEOUT_S,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", NOD_GITLAB_MAX_CONNECTIONS,
                                                 "max-conns", NOD_GITLAB_MAX_CONNECTIONS,
                                                 NULL);
  self->clock = g_object_ref (nod_clock_get_system ());
  self->deadline_s = NOD_GITLAB_DEFAULT_DEADLINE_S;
  self->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  nod_rate_limit_init_unknown (&self->rate_limit);
}
