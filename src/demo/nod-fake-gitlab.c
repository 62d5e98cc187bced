/* nod-fake-gitlab.c: the server — listening, faults, latency, rate limits, the request log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every API request goes: log → fault (gate, delay, then drop / status / malformed / stall,
 * lying pagination headers, a dripped body) → latency → rate limit → authentication → route
 * (nod-fake-gitlab-api.c). The control API
 * (nod-fake-gitlab-control.c) skips all of that. Neither a gate nor a delay blocks: the
 * message is paused, and the control API (a gate) or a GSource timeout on the server's main
 * context (a delay) resumes it.
 */

#define G_LOG_DOMAIN "nod-fake-gitlab"

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

#define SAMPLE_RESOURCE "/io/github/nodreview/Nod/fake-gitlab/sample.json"

G_DEFINE_FINAL_TYPE (NodFakeGitlab, nod_fake_gitlab, G_TYPE_OBJECT)

static void
log_entry_clear (gpointer data)
{
  NodFakeLogEntry *entry = data;

  g_free (entry->method);
  g_free (entry->path);
  g_free (entry->query);
}

static void
log_entry_release (gpointer data)
{
  g_rc_box_release_full (data, log_entry_clear);
}

static void
fault_free (NodFakeFault *fault)
{
  g_free (fault->method);
  g_clear_pointer (&fault->path_regex, g_regex_unref);
  g_free (fault->message);
  g_free (fault);
}

static void
fake_request_free (NodFakeRequest *request)
{
  if (request->delay_source != NULL)
    {
      g_source_destroy (request->delay_source);
      g_source_unref (request->delay_source);
    }
  g_clear_object (&request->msg);
  log_entry_release (request->log_entry);
  g_free (request->fault_message);
  g_free (request);
}

/* An answer whose body goes out one byte every interval: its headers (with the whole
 * Content-Length) go at once, then the server writes each byte as it is appended. */
typedef struct
{
  NodFakeGitlab     *self;
  SoupServerMessage *msg;
  GBytes            *body;
  gsize              sent;
  GSource           *source;
  gulong             finished_handler;
} NodFakeDrip;

static void
drip_free (NodFakeDrip *drip)
{
  if (drip->source != NULL)
    {
      g_source_destroy (drip->source);
      g_source_unref (drip->source);
    }
  g_clear_signal_handler (&drip->finished_handler, drip->msg);
  g_clear_object (&drip->msg);
  g_bytes_unref (drip->body);
  g_free (drip);
}

static void
gate_free (NodFakeGate *gate)
{
  g_free (gate->name);
  g_ptr_array_unref (gate->held);
  g_free (gate);
}

static void
reset_limits (NodFakeGitlab *self)
{
  self->api_budget = (NodFakeBudget) { NOD_FAKE_DEFAULT_RATE_LIMIT, 0, 0 };
  self->notes_budget = (NodFakeBudget) { NOD_FAKE_DEFAULT_NOTES_LIMIT, 0, 0 };
}

static void
nod_fake_gitlab_dispose (GObject *object)
{
  NodFakeGitlab *self = NOD_FAKE_GITLAB (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* Their connections are gone with the server: only the timeouts and messages remain. */
  g_ptr_array_set_size (self->delayed, 0);
  g_ptr_array_set_size (self->gates, 0);
  g_ptr_array_set_size (self->stalled, 0);
  g_ptr_array_set_size (self->drips, 0);

  G_OBJECT_CLASS (nod_fake_gitlab_parent_class)->dispose (object);
}

static void
nod_fake_gitlab_finalize (GObject *object)
{
  NodFakeGitlab *self = NOD_FAKE_GITLAB (object);

  g_free (self->token);
  g_free (self->base_url);
  g_free (self->reset_date);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->dataset, nod_fake_dataset_free);
  g_clear_pointer (&self->fixture_root, json_node_unref);
  g_ptr_array_unref (self->faults);
  g_ptr_array_unref (self->gates);
  g_ptr_array_unref (self->request_log);
  g_ptr_array_unref (self->delayed);
  g_ptr_array_unref (self->stalled);
  g_ptr_array_unref (self->drips);

  G_OBJECT_CLASS (nod_fake_gitlab_parent_class)->finalize (object);
}

static void
nod_fake_gitlab_class_init (NodFakeGitlabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_fake_gitlab_dispose;
  object_class->finalize = nod_fake_gitlab_finalize;
}

static void
nod_fake_gitlab_init (NodFakeGitlab *self)
{
  self->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) fault_free);
  self->gates = g_ptr_array_new_with_free_func ((GDestroyNotify) gate_free);
  self->request_log = g_ptr_array_new_with_free_func (log_entry_release);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  self->drips = g_ptr_array_new_with_free_func ((GDestroyNotify) drip_free);
  self->base_url = g_strdup ("http://127.0.0.1");
  self->count_limit = NOD_FAKE_GITLAB_COUNT_LIMIT;
  reset_limits (self);
}

NodFakeGitlab *
nod_fake_gitlab_new (const char *token)
{
  NodFakeGitlab *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (token != NULL && *token != '\0', NULL);

  self = g_object_new (NOD_TYPE_FAKE_GITLAB, NULL);
  self->token = g_strdup (token);
  /* The sample is built in: failing to load it is a bug in the build, not an input. */
  if (!nod_fake_gitlab_load_fixture (self, NULL, &error))
    g_error ("The built-in sample dataset does not load: %s", error->message);
  return self;
}

/* The built-in sample, parsed once for every fake of the process (each test makes a fake
 * or several): loading only reads the tree, which is sealed so that nothing writes it. */
static JsonNode *
dup_sample_root (void)
{
  static JsonNode *sample_root = NULL;

  if (g_once_init_enter (&sample_root))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) json = g_resources_lookup_data (SAMPLE_RESOURCE,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      JsonNode *root = json != NULL ? nod_fake_fixture_parse (json, &error) : NULL;

      /* The sample is built in: failing to parse it is a bug in the build, not an input. */
      if (root == NULL)
        g_error ("The built-in sample dataset does not parse: %s", error->message);
      json_node_seal (root);
      g_once_init_leave (&sample_root, root);
    }
  return json_node_ref (sample_root);
}

gboolean
nod_fake_gitlab_load_fixture (NodFakeGitlab  *self,
                              const char     *path,
                              GError        **error)
{
  g_autoptr(JsonNode) root = NULL;
  NodFakeDataset *dataset;

  g_return_val_if_fail (NOD_IS_FAKE_GITLAB (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (path == NULL)
    {
      root = dup_sample_root ();
    }
  else
    {
      g_autoptr(GBytes) json = NULL;
      char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, error))
        return FALSE;
      json = g_bytes_new_take (contents, length);
      root = nod_fake_fixture_parse (json, error);
      if (root == NULL)
        return FALSE;
    }

  dataset = nod_fake_dataset_new_from_fixture_root (root, nod_fake_now (), error);
  if (dataset == NULL)
    return FALSE;

  g_clear_pointer (&self->dataset, nod_fake_dataset_free);
  self->dataset = dataset;
  g_clear_pointer (&self->fixture_root, json_node_unref);
  self->fixture_root = g_steal_pointer (&root);
  self->generated_count = 0;
  return TRUE;
}

void
nod_fake_gitlab_generate (NodFakeGitlab *self,
                          guint          n_merge_requests)
{
  g_return_if_fail (NOD_IS_FAKE_GITLAB (self));

  g_clear_pointer (&self->dataset, nod_fake_dataset_free);
  self->dataset = nod_fake_dataset_new_generated (n_merge_requests, nod_fake_now ());
  g_clear_pointer (&self->fixture_root, json_node_unref);
  self->generated_count = n_merge_requests;
}

void
nod_fake_gitlab_set_latency (NodFakeGitlab *self,
                             guint          latency_ms)
{
  g_return_if_fail (NOD_IS_FAKE_GITLAB (self));

  self->latency_ms = latency_ms;
}

void
nod_fake_gitlab_set_arrival_func (NodFakeGitlab           *self,
                                  NodFakeGitlabArrivalFunc func,
                                  gpointer                 user_data)
{
  g_return_if_fail (NOD_IS_FAKE_GITLAB (self));

  self->arrival_func = func;
  self->arrival_data = user_data;
}

/**
 * nod_fake_gitlab_set_count_limit:
 * @count_limit: past this many results a list sends no x-total and no x-total-pages
 *
 * GitLab stops counting past %NOD_FAKE_GITLAB_COUNT_LIMIT, the default. A test of what a
 * client does past it can lower it rather than make ten thousand merge requests.
 */
void
nod_fake_gitlab_set_count_limit (NodFakeGitlab *self,
                                 guint          count_limit)
{
  g_return_if_fail (NOD_IS_FAKE_GITLAB (self));

  self->count_limit = count_limit;
}

static void
close_connection (SoupServerMessage *msg)
{
  g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

  /* No status line, no headers: the client sees the connection close under it. */
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static void
drop_connection (NodFakeRequest *request)
{
  close_connection (request->msg);
  request->answered = TRUE;
  request->log_entry->status = 0;
}

void
_nod_fake_gitlab_reset (NodFakeGitlab *self)
{
  if (self->fixture_root != NULL)
    {
      g_autoptr(GError) error = NULL;
      NodFakeDataset *dataset = nod_fake_dataset_new_from_fixture_root (self->fixture_root,
                                                                        nod_fake_now (),
                                                                        &error);

      /* It loaded once; it loads again. */
      g_assert_no_error (error);
      g_clear_pointer (&self->dataset, nod_fake_dataset_free);
      self->dataset = dataset;
    }
  else
    {
      nod_fake_gitlab_generate (self, self->generated_count);
    }

  g_ptr_array_set_size (self->request_log, 0);
  g_ptr_array_set_size (self->faults, 0);
  /* What the gates hold is not applied to the new world: each client sees its connection
   * close, unanswered. */
  for (guint i = 0; i < self->gates->len; i++)
    {
      NodFakeGate *gate = g_ptr_array_index (self->gates, i);

      for (guint j = 0; j < gate->held->len; j++)
        drop_connection (g_ptr_array_index (gate->held, j));
    }
  g_ptr_array_set_size (self->gates, 0);
  /* A stalled request's client, and one still being dripped to, sees its connection close. */
  for (guint i = 0; i < self->stalled->len; i++)
    close_connection (g_ptr_array_index (self->stalled, i));
  g_ptr_array_set_size (self->stalled, 0);
  for (guint i = 0; i < self->drips->len; i++)
    close_connection (((NodFakeDrip *) g_ptr_array_index (self->drips, i))->msg);
  g_ptr_array_set_size (self->drips, 0);
  reset_limits (self);
}

NodFakeGate *
_nod_fake_gitlab_find_gate (NodFakeGitlab *self,
                            const char    *name)
{
  for (guint i = 0; i < self->gates->len; i++)
    {
      NodFakeGate *gate = g_ptr_array_index (self->gates, i);

      if (g_str_equal (gate->name, name))
        return gate;
    }
  return NULL;
}

NodFakeGate *
_nod_fake_gitlab_arm_gate (NodFakeGitlab *self,
                           const char    *name)
{
  NodFakeGate *gate = _nod_fake_gitlab_find_gate (self, name);

  if (gate == NULL)
    {
      gate = g_new0 (NodFakeGate, 1);
      gate->name = g_strdup (name);
      gate->held = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
      g_ptr_array_add (self->gates, gate);
    }
  return gate;
}

gboolean
_nod_fake_budget_spend (NodFakeBudget *budget,
                        gint64         now_us,
                        guint         *retry_after_s)
{
  if (now_us >= budget->reset_at)
    {
      budget->observed = 0;
      budget->reset_at = now_us + 60 * G_USEC_PER_SEC;
    }

  /* Like Rack::Attack, a refused request is still counted. */
  if (budget->observed < G_MAXUINT)
    budget->observed++;
  if (budget->observed <= budget->limit)
    return TRUE;

  if (retry_after_s != NULL)
    *retry_after_s = (guint) MAX (1, (budget->reset_at - now_us + G_USEC_PER_SEC - 1)
                                     / G_USEC_PER_SEC);
  return FALSE;
}

static char *
body_to_string (JsonNode *node,
                gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

void
_nod_fake_message_respond (SoupServerMessage *msg,
                           guint              status,
                           JsonNode          *body)
{
  gsize length = 0;
  char *data = body_to_string (body, &length);

  /* libsoup has no reason phrase for 429. */
  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
}

void
_nod_fake_message_respond_written (SoupServerMessage *msg,
                                   guint              status,
                                   NodFakeJsonWriter *writer)
{
  gsize length = 0;
  char *data = _nod_fake_json_writer_steal (writer, &length);

  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, length);
}

void
_nod_fake_message_respond_message (SoupServerMessage *msg,
                                   guint              status,
                                   const char        *message)
{
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());

  json_object_set_string_member (json_node_get_object (body), "message", message);
  _nod_fake_message_respond (msg, status, body);
}

void
_nod_fake_request_respond (NodFakeRequest *request,
                           guint           status,
                           JsonNode       *body)
{
  g_assert (!request->answered);
  request->answered = TRUE;
  request->log_entry->status = status;
  _nod_fake_message_respond (request->msg, status, body);
}

void
_nod_fake_request_respond_written (NodFakeRequest    *request,
                                   guint              status,
                                   NodFakeJsonWriter *writer)
{
  g_assert (!request->answered);
  request->answered = TRUE;
  request->log_entry->status = status;
  _nod_fake_message_respond_written (request->msg, status, writer);
}

void
_nod_fake_request_respond_bytes (NodFakeRequest *request,
                                 guint           status,
                                 const char     *content_type,
                                 GBytes         *body)
{
  g_assert (!request->answered);
  request->answered = TRUE;
  request->log_entry->status = status;
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

void
_nod_fake_request_respond_message (NodFakeRequest *request,
                                   guint           status,
                                   const char     *message)
{
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());

  json_object_set_string_member (json_node_get_object (body), "message", message);
  _nod_fake_request_respond (request, status, body);
}

void
_nod_fake_request_respond_error (NodFakeRequest *request,
                                 guint           status,
                                 const char     *error)
{
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());

  json_object_set_string_member (json_node_get_object (body), "error", error);
  _nod_fake_request_respond (request, status, body);
}

/* Takes one use of the first fault matching @method and @path, if any. */
static NodFakeFault *
take_fault (NodFakeGitlab *self,
            const char    *method,
            const char    *path,
            NodFakeFault  *copy)
{
  for (guint i = 0; i < self->faults->len; i++)
    {
      NodFakeFault *fault = g_ptr_array_index (self->faults, i);

      if (fault->method != NULL && g_ascii_strcasecmp (fault->method, method) != 0)
        continue;
      if (!g_regex_match (fault->path_regex, path, 0, NULL))
        continue;

      *copy = *fault;
      copy->method = NULL;
      copy->path_regex = NULL;
      copy->message = g_strdup (fault->message);  /* the fault may go before it is played */
      if (--fault->times == 0)
        g_ptr_array_remove_index (self->faults, i);
      return copy;
    }
  return NULL;
}

static void
serve_malformed (NodFakeRequest *request)
{
  static const char truncated[] = "{\"id\": 1, \"iid\": 1, \"title\": \"Truncated";

  request->answered = TRUE;
  request->log_entry->status = SOUP_STATUS_OK;
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (request->msg, "application/json", SOUP_MEMORY_STATIC,
                                    truncated, strlen (truncated));
}

static void
serve_fault_status (NodFakeRequest *request)
{
  const char *phrase = request->fault_status == 429
                       ? "Too Many Requests" : soup_status_get_phrase (request->fault_status);
  g_autofree char *message = request->fault_message != NULL
                             ? g_strdup (request->fault_message)
                             : g_strdup_printf ("%u %s", request->fault_status, phrase);

  if (request->fault_retry_after > 0)
    {
      g_autofree char *retry_after = g_strdup_printf ("%u", request->fault_retry_after);
      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                    "Retry-After", retry_after);
    }
  /* A 429 played as a fault is the throttle's, which says its budget is spent; GitLab's
   * limit on notes alone (its notes budget) says nothing of the budget. */
  if (request->fault_status == 429)
    _nod_fake_gitlab_set_rate_limit_headers (request->self, request->msg, TRUE);
  _nod_fake_request_respond_message (request, request->fault_status, message);
}

/* The answer is never sent: the message stays paused until the fake is reset or stopped. */
static void
stall (NodFakeRequest *request)
{
  NodFakeGitlab *self = request->self;

  if (!request->paused)
    soup_server_message_pause (request->msg);
  request->paused = TRUE;
  request->answered = TRUE;
  request->log_entry->status = 0;
  g_ptr_array_add (self->stalled, g_object_ref (request->msg));
}

/* Pagination headers that lie, as a broken or hostile server's would. */
static void
rewrite_pagination (NodFakeRequest *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (request->msg);
  char text[16];

  if (request->fault_has_next_page)
    {
      g_snprintf (text, sizeof text, "%u", request->fault_next_page);
      soup_message_headers_replace (headers, "x-next-page", text);
    }
  if (request->fault_has_total_pages)
    {
      g_snprintf (text, sizeof text, "%u", request->fault_total_pages);
      soup_message_headers_replace (headers, "x-total-pages", text);
    }
}

static gboolean
on_drip (gpointer user_data)
{
  NodFakeDrip *drip = user_data;
  const guint8 *data = g_bytes_get_data (drip->body, NULL);

  soup_message_body_append (soup_server_message_get_response_body (drip->msg),
                            SOUP_MEMORY_COPY, data + drip->sent, 1);
  drip->sent++;
  soup_server_message_unpause (drip->msg);
  if (drip->sent < g_bytes_get_size (drip->body))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&drip->source, g_source_unref);
  g_ptr_array_remove_fast (drip->self->drips, drip);
  return G_SOURCE_REMOVE;
}

/* Sent, or its client went away: nothing more to drip. */
static void
on_drip_finished (SoupServerMessage *msg,
                  gpointer           user_data)
{
  NodFakeDrip *drip = user_data;

  g_ptr_array_remove_fast (drip->self->drips, drip);
}

static void
start_drip (NodFakeRequest *request)
{
  NodFakeGitlab *self = request->self;
  SoupMessageBody *body = soup_server_message_get_response_body (request->msg);
  NodFakeDrip *drip;

  if (body->length == 0)
    return;

  drip = g_new0 (NodFakeDrip, 1);
  drip->self = self;
  drip->msg = g_object_ref (request->msg);
  drip->body = soup_message_body_flatten (body);
  soup_message_headers_set_content_length (soup_server_message_get_response_headers (request->msg),
                                           (goffset) g_bytes_get_size (drip->body));
  soup_message_body_truncate (body);
  drip->finished_handler = g_signal_connect (request->msg, "finished",
                                             G_CALLBACK (on_drip_finished), drip);
  drip->source = g_timeout_source_new (request->fault_drip_ms);
  g_source_set_callback (drip->source, on_drip, drip, NULL);
  g_source_attach (drip->source, self->context);
  g_ptr_array_add (self->drips, drip);
}

static void
serve (NodFakeGitlab  *self,
       NodFakeRequest *request,
       const char     *path)
{
  if (_nod_fake_gitlab_is_upload_path (path))
    _nod_fake_gitlab_serve_avatar (self, request, path);
  else
    _nod_fake_gitlab_serve_api (self, request, path);
}

/* Answers @request; frees it unless it was still in the delayed list, which frees it. */
static void
fake_request_run (NodFakeRequest *request)
{
  NodFakeGitlab *self = request->self;
  const char *path = g_uri_get_path (soup_server_message_get_uri (request->msg));

  /* An applied fault: the request takes effect, then its answer is lost. */
  if (request->fault_applied)
    {
      serve (self, request, path);
      request->answered = FALSE;
    }

  if (request->fault_stall)
    {
      stall (request);
      return;
    }

  if (request->fault_drop)
    drop_connection (request);
  else if (request->fault_malformed)
    serve_malformed (request);
  else if (request->fault_status != 0)
    serve_fault_status (request);
  else
    serve (self, request, path);

  if (!request->fault_drop)
    rewrite_pagination (request);
  if (!request->fault_drop && request->fault_drip_ms > 0)
    start_drip (request);

  g_assert (request->answered);
  if (request->paused && !request->fault_drop)
    soup_server_message_unpause (request->msg);
  request->paused = FALSE;
}

static gboolean
on_delay_over (gpointer user_data)
{
  NodFakeRequest *request = user_data;
  NodFakeGitlab *self = request->self;

  g_clear_pointer (&request->delay_source, g_source_unref);
  fake_request_run (request);
  g_ptr_array_remove_fast (self->delayed, request);
  return G_SOURCE_REMOVE;
}

/* Answers @request after @delay_ms, or now; takes it over. */
static void
continue_request (NodFakeGitlab  *self,
                  NodFakeRequest *request,
                  guint           delay_ms)
{
  if (delay_ms == 0)
    {
      fake_request_run (request);
      fake_request_free (request);
      return;
    }

  if (!request->paused)
    {
      soup_server_message_pause (request->msg);
      request->paused = TRUE;
    }
  request->delay_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (request->delay_source, on_delay_over, request, NULL);
  g_source_attach (request->delay_source, self->context);
  g_ptr_array_add (self->delayed, request);
}

guint
_nod_fake_gitlab_release_gate (NodFakeGitlab *self,
                               NodFakeGate   *gate)
{
  g_autofree NodFakeRequest **held = NULL;
  gsize n_held = 0;
  guint index = 0;

  /* Disarmed first, so that nothing joins it while it lets go. */
  for (guint i = self->faults->len; i > 0; i--)
    {
      NodFakeFault *fault = g_ptr_array_index (self->faults, i - 1);

      if (fault->gate == gate)
        g_ptr_array_remove_index (self->faults, i - 1);
    }
  held = (NodFakeRequest **) g_ptr_array_steal (gate->held, &n_held);
  if (g_ptr_array_find (self->gates, gate, &index))
    g_ptr_array_remove_index (self->gates, index);

  /* In the order they came. A client that went away meanwhile gets no answer, but what it
   * asked for is done all the same, as a server does once it has the whole request. */
  for (gsize i = 0; i < n_held; i++)
    continue_request (self, held[i], held[i]->delay_ms);
  return (guint) n_held;
}

/* Connections are numbered as their first request comes, so a client's reuse of its
 * kept-alive connections shows in the request log. */
static guint
connection_number (NodFakeGitlab     *self,
                   SoupServerMessage *msg)
{
  static GQuark quark;
  GSocket *socket = soup_server_message_get_socket (msg);
  guint number;

  if (socket == NULL)
    return 0;
  if (quark == 0)
    quark = g_quark_from_static_string ("nod-fake-connection");
  number = GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (socket), quark));
  if (number == 0)
    {
      number = ++self->connections;
      g_object_set_qdata (G_OBJECT (socket), quark, GUINT_TO_POINTER (number));
    }
  return number;
}

static void
serve_api_request (NodFakeGitlab     *self,
                   SoupServerMessage *msg,
                   const char        *path)
{
  NodFakeRequest *request = g_new0 (NodFakeRequest, 1);
  const char *method = soup_server_message_get_method (msg);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  NodFakeFault fault_copy;
  NodFakeFault *fault;
  guint delay_ms;

  if (self->arrival_func != NULL)
    self->arrival_func (method, path, self->arrival_data);

  request->self = self;
  request->msg = g_object_ref (msg);
  request->log_entry = g_rc_box_new0 (NodFakeLogEntry);
  request->log_entry->method = g_strdup (method);
  request->log_entry->path = g_strdup (path);
  request->log_entry->query = g_strdup (query != NULL ? query : "");
  request->log_entry->at = nod_fake_now ();
  request->log_entry->connection = connection_number (self, msg);
  request->log_entry->credentials =
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                  "PRIVATE-TOKEN") != NULL ||
    soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                  "Authorization") != NULL;
  g_ptr_array_add (self->request_log, g_rc_box_acquire (request->log_entry));

  delay_ms = self->latency_ms;
  fault = take_fault (self, method, path, &fault_copy);
  if (fault != NULL)
    {
      request->fault_status = fault->status;
      request->fault_retry_after = fault->retry_after;
      request->fault_drop = fault->drop;
      request->fault_malformed = fault->malformed;
      request->fault_applied = fault->applied;
      request->fault_message = g_steal_pointer (&fault->message);
      request->fault_stall = fault->stall;
      request->fault_drip_ms = fault->drip_ms;
      request->fault_has_next_page = fault->has_next_page;
      request->fault_next_page = fault->next_page;
      request->fault_has_total_pages = fault->has_total_pages;
      request->fault_total_pages = fault->total_pages;
      delay_ms += fault->delay_ms;
    }

  if (fault != NULL && fault->gate != NULL)
    {
      /* Held until the control API releases the gate; the delays run after that. */
      soup_server_message_pause (msg);
      request->paused = TRUE;
      request->delay_ms = delay_ms;
      g_ptr_array_add (fault->gate->held, request);
      return;
    }
  continue_request (self, request, delay_ms);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  NodFakeGitlab *self = user_data;

  /* @path is as the client sent it, still percent-encoded (the server has raw-paths). */
  if (g_str_has_prefix (path, "/__fake/"))
    _nod_fake_gitlab_serve_control (self, msg, path);
  else if (g_str_equal (path, "/api/v4") || g_str_has_prefix (path, "/api/v4/") ||
           _nod_fake_gitlab_is_upload_path (path))
    serve_api_request (self, msg, path);
  else
    _nod_fake_message_respond_message (msg, SOUP_STATUS_NOT_FOUND, "404 Not Found");
}

gboolean
nod_fake_gitlab_listen (NodFakeGitlab  *self,
                        guint           port,
                        GError        **error)
{
  g_autoptr(SoupServer) server = NULL;
  GSList *uris;

  g_return_val_if_fail (NOD_IS_FAKE_GITLAB (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* raw-paths: GitLab tells "group%2Fproject" (one segment) from "group/project". */
  server = soup_server_new ("server-header", "nod-fake-gitlab ", "raw-paths", TRUE, NULL);
  soup_server_add_handler (server, NULL, server_callback, self, NULL);
  if (!soup_server_listen_local (server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (server);
  g_assert (uris != NULL);
  self->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_free (self->base_url);
  self->base_url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->context = g_main_context_ref_thread_default ();
  self->server = g_steal_pointer (&server);
  return TRUE;
}

guint
nod_fake_gitlab_get_port (NodFakeGitlab *self)
{
  g_return_val_if_fail (NOD_IS_FAKE_GITLAB (self), 0);

  return self->port;
}

char *
nod_fake_gitlab_dup_base_url (NodFakeGitlab *self)
{
  g_return_val_if_fail (NOD_IS_FAKE_GITLAB (self), NULL);

  return g_strdup (self->base_url);
}
