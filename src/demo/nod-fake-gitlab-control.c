/* nod-fake-gitlab-control.c: the control API under /__fake/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tests, benchmarks and scripts play the rest of the world through it: other users'
 * activity, faults, rate limits, the request log. No authentication, never rate-limited,
 * never logged, never delayed. Bodies are JSON objects; every member is type-checked.
 *
 *   GET    /__fake/requests   the API request log, oldest first
 *   DELETE /__fake/requests   clears it
 *   POST   /__fake/faults     {"method","path" (regex),"status","times","delay_ms","drop",
 *                              "malformed","applied","retry_after","gate","message"}
 *                              ("message": with "status", the answer's {"message"}, the
 *                              words of a refusal, instead of "403 Forbidden" and the like;
 *                              "applied": the request takes effect, then the answer is
 *                              dropped, garbled or the fault's status (a 500 after the
 *                              work was done) — what makes an action ambiguous;
 *                              "gate": NAME, the request waits in that gate until it is
 *                              released, then goes on as if it had just come: the rest of
 *                              the fault, if any, then the answer)
 *                             a hostile or broken server (each also type-checked):
 *                              "stall": true, the answer is never sent until the fake is
 *                              reset or stopped (with "applied", the request takes effect
 *                              first: a timeout after apply); "drip_ms": N, the answer's body
 *                              goes one byte every N ms (1 to 60000); "next_page": N and
 *                              "total_pages": N, the answer's X-Next-Page and X-Total-Pages
 *                              say N whatever the truth (a list that loops or lies)
 *   DELETE /__fake/faults     removes every fault (a gate keeps what it holds)
 *   GET    /__fake/gates      [{"name","held"}] the armed gates and how many requests each
 *                              holds now, in the order they were armed
 *   POST   /__fake/gates/NAME/release
 *                              → {"name","released"}: every request it holds goes on, in
 *                              the order they came, and the gate is gone with the faults
 *                              that fed it (404 for a gate not armed)
 *   POST   /__fake/ratelimit  {"limit","remaining","reset_in_s","notes_limit",
 *                              "notes_remaining"}
 *   POST   /__fake/reset      back to the loaded or generated dataset, no log, faults, gates,
 *                              limits (what a gate held is dropped unanswered, not applied)
 *   POST   /__fake/mr         {"project_id","title","author","reviewers","assignees",
 *                              "description","files"?} → 201 the merge request
 *                              ("files": {"path": "text", …}, the files the change adds;
 *                              without it, a made-up change to one file; "base_files": the
 *                              target's files before it, which "files" may change or
 *                              delete with null)
 *   POST   /__fake/mr/PROJECT/IID/commit   {"reset_approvals"?,"files"?} → a new head sha
 *                              and a new version ("files": {"path": "text" or null (a
 *                              deletion)}; without it, a line added to a changed file)
 *   POST   /__fake/mr/PROJECT/IID/merge    {"user"?}
 *   POST   /__fake/mr/PROJECT/IID/close    {"user"?}
 *   POST   /__fake/mr/PROJECT/IID/comment  {"author","body","discussion_id"?,"later_s"?}
 *                                          → 201 the discussion (it notifies the author
 *                                          as a note does; "later_s": dated that many
 *                                          seconds from now, the merge request too)
 *   GET    /__fake/mr/PROJECT/IID/notifications
 *                              → {"count","events":[{"kind","notes"}, …]}: what notified
 *                              the merge request's author, oldest first: "note" for a note
 *                              made outside a review, "review" for a published review
 */

#define G_LOG_DOMAIN "nod-fake-gitlab"

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

/* Longer than any test waits: a delay this long is a mistake. */
#define MAX_FAULT_DELAY_MS (10 * 60 * 1000)
/* A byte a minute is as slow as a drip needs to be to outlast any deadline. */
#define MAX_FAULT_DRIP_MS (60 * 1000)
/* A gate's name goes in a path: letters, digits, '-', '_' and '.', not too many. */
#define MAX_GATE_NAME_LENGTH 64

typedef struct
{
  NodFakeGitlab     *self;
  SoupServerMessage *msg;
  JsonObject        *body;
  gint64             now;
} ControlCall;

static void
respond_bad_request (ControlCall *call,
                     const char  *format,
                     ...) G_GNUC_PRINTF (2, 3);

static void
respond_bad_request (ControlCall *call,
                     const char  *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  _nod_fake_message_respond_message (call->msg, SOUP_STATUS_BAD_REQUEST, message);
}

static void
respond_node (ControlCall *call,
              guint        status,
              JsonNode    *node)
{
  g_autoptr(JsonNode) owned = node;

  _nod_fake_message_respond (call->msg, status, owned);
}

static void
respond_merge_request (ControlCall         *call,
                       guint                status,
                       NodFakeMergeRequest *merge_request)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };

  _nod_fake_json_writer_init (&writer, 4096);
  _nod_fake_json_write_merge_request (call->self, &writer, merge_request, TRUE);
  _nod_fake_message_respond_written (call->msg, status, &writer);
}

static void
respond_discussion (ControlCall         *call,
                    NodFakeMergeRequest *merge_request,
                    NodFakeDiscussion   *discussion)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };

  _nod_fake_json_writer_init (&writer, 4096);
  _nod_fake_json_write_discussion (call->self, &writer, merge_request, discussion);
  _nod_fake_message_respond_written (call->msg, SOUP_STATUS_CREATED, &writer);
}

static void
respond_empty_object (ControlCall *call)
{
  respond_node (call, SOUP_STATUS_OK, json_node_init_object (json_node_alloc (),
                                                             json_object_new ()));
}

/* Readers: absent or null members leave *value alone; a wrong type answers 400. */

static JsonNode *
get_member (ControlCall *call,
            const char  *name)
{
  JsonNode *node = json_object_get_member (call->body, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ? NULL : node;
}

static gboolean
read_string (ControlCall  *call,
             const char   *name,
             gboolean      required,
             const char  **value)
{
  JsonNode *node = get_member (call, name);

  if (node == NULL)
    {
      if (required)
        respond_bad_request (call, "\"%s\" is missing", name);
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      respond_bad_request (call, "\"%s\" is not a string", name);
      return FALSE;
    }
  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_uint (ControlCall *call,
           const char  *name,
           guint64      maximum,
           guint64     *value,
           gboolean    *present)
{
  JsonNode *node = get_member (call, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || (guint64) json_node_get_int (node) > maximum)
    {
      respond_bad_request (call, "\"%s\" is not an integer from 0 to %" G_GUINT64_FORMAT,
                           name, maximum);
      return FALSE;
    }
  *value = (guint64) json_node_get_int (node);
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

static gboolean
read_bool (ControlCall *call,
           const char  *name,
           gboolean    *value)
{
  JsonNode *node = get_member (call, name);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      respond_bad_request (call, "\"%s\" is not a boolean", name);
      return FALSE;
    }
  *value = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_user (ControlCall  *call,
           const char   *name,
           gboolean      required,
           NodFakeUser **user)
{
  const char *username = NULL;

  if (!read_string (call, name, required, &username))
    return FALSE;
  if (username == NULL)
    return TRUE;
  *user = nod_fake_dataset_find_username (call->self->dataset, username);
  if (*user == NULL)
    {
      respond_bad_request (call, "\"%s\" names an unknown user", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_user_list (ControlCall *call,
                const char  *name,
                GPtrArray   *users)
{
  JsonNode *node = get_member (call, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      respond_bad_request (call, "\"%s\" is not an array of usernames", name);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      NodFakeUser *user = NULL;

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        user = nod_fake_dataset_find_username (call->self->dataset,
                                               json_node_get_string (element));
      if (user == NULL)
        {
          respond_bad_request (call, "\"%s\" has an element that is not a known username",
                               name);
          return FALSE;
        }
      if (!g_ptr_array_find (users, user, NULL))
        g_ptr_array_add (users, user);
    }
  return TRUE;
}

/* @member: {"path": "text" or null}; *changes is NULL when absent. A path is what git
 * takes: not empty, no leading or doubled "/", no "." or ".." segment, no NUL. */
static gboolean
read_files (ControlCall        *call,
            const char         *member,
            NodFakeRepository  *repository,
            gboolean            allow_null,
            GHashTable        **changes)
{
  JsonNode *node = get_member (call, member);
  g_autoptr(GHashTable) result = NULL;
  JsonObjectIter iter;
  const char *path;
  JsonNode *value;

  *changes = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      respond_bad_request (call, "\"%s\" is not an object of paths", member);
      return FALSE;
    }
  result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &path, &value))
    {
      g_auto(GStrv) segments = g_strsplit (path, "/", -1);
      gboolean valid = *path != '\0' && g_utf8_validate (path, -1, NULL);

      for (guint i = 0; valid && segments[i] != NULL; i++)
        valid = *segments[i] != '\0' && !g_str_equal (segments[i], ".")
                && !g_str_equal (segments[i], "..");
      if (!valid)
        {
          respond_bad_request (call, "\"%s\" has a member that is not a file path", member);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_NULL (value) && allow_null)
        {
          g_hash_table_insert (result, g_strdup (path), NULL);
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          respond_bad_request (call, "\"%s\" has a member that is not a text%s", member,
                               allow_null ? " or null" : "");
          return FALSE;
        }
      g_hash_table_insert (result, g_strdup (path),
                           nod_fake_repository_add_text (repository,
                                                         json_node_get_string (value)));
    }
  *changes = g_steal_pointer (&result);
  return TRUE;
}

/* The request log */

/* Tests read it over and over while they wait: written straight, like the API's answers. */
static void
handle_get_requests (ControlCall *call)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };
  GPtrArray *log = call->self->request_log;

  _nod_fake_json_writer_init (&writer, 128 * (gsize) log->len);
  _nod_fake_json_begin_array (&writer, NULL);
  for (guint i = 0; i < log->len; i++)
    {
      NodFakeLogEntry *entry = g_ptr_array_index (log, i);
      char at[NOD_FAKE_TIME_BUFFER_SIZE];

      nod_fake_format_time_to (entry->at, at);
      _nod_fake_json_begin_object (&writer, NULL);
      _nod_fake_json_add_string (&writer, "method", entry->method);
      _nod_fake_json_add_string (&writer, "path", entry->path);
      _nod_fake_json_add_string (&writer, "query", entry->query);
      _nod_fake_json_add_int (&writer, "status", entry->status);
      _nod_fake_json_add_string (&writer, "at", at);
      _nod_fake_json_add_int (&writer, "connection", entry->connection);
      _nod_fake_json_add_bool (&writer, "credentials", entry->credentials);
      _nod_fake_json_end_object (&writer);
    }
  _nod_fake_json_end_array (&writer);
  _nod_fake_message_respond_written (call->msg, SOUP_STATUS_OK, &writer);
}

static void
handle_clear_requests (ControlCall *call)
{
  g_ptr_array_set_size (call->self->request_log, 0);
  respond_empty_object (call);
}

/* Faults, gates and limits */

static gboolean
is_gate_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > MAX_GATE_NAME_LENGTH)
    return FALSE;
  for (const char *cursor = name; *cursor != '\0'; cursor++)
    {
      if (!g_ascii_isalnum (*cursor) && *cursor != '-' && *cursor != '_' && *cursor != '.')
        return FALSE;
    }
  return TRUE;
}

static void
handle_add_fault (ControlCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  NodFakeFault *fault;
  const char *method = NULL, *path = ".*", *gate = NULL, *message = NULL;
  guint64 status = 0, times = 1, delay_ms = 0, retry_after = 0;
  gboolean drop = FALSE, malformed = FALSE, applied = FALSE;
  guint64 drip_ms = 0, next_page = 0, total_pages = 0;
  gboolean stall = FALSE, has_next_page = FALSE, has_total_pages = FALSE;
  g_autoptr(GRegex) regex = NULL;

  if (!read_string (call, "method", FALSE, &method)
      || !read_string (call, "path", FALSE, &path)
      || !read_uint (call, "status", 599, &status, NULL)
      || !read_uint (call, "times", G_MAXUINT, &times, NULL)
      || !read_uint (call, "delay_ms", MAX_FAULT_DELAY_MS, &delay_ms, NULL)
      || !read_uint (call, "retry_after", 86400, &retry_after, NULL)
      || !read_bool (call, "drop", &drop)
      || !read_bool (call, "malformed", &malformed)
      || !read_bool (call, "applied", &applied)
      || !read_string (call, "gate", FALSE, &gate)
      || !read_string (call, "message", FALSE, &message)
      || !read_bool (call, "stall", &stall)
      || !read_uint (call, "drip_ms", MAX_FAULT_DRIP_MS, &drip_ms, NULL)
      || !read_uint (call, "next_page", G_MAXINT32, &next_page, &has_next_page)
      || !read_uint (call, "total_pages", G_MAXINT32, &total_pages, &has_total_pages))
    return;

  if (status != 0 && status < 200)
    {
      respond_bad_request (call, "\"status\" is not an HTTP status from 200 to 599");
      return;
    }
  if (times == 0)
    {
      respond_bad_request (call, "\"times\" must be at least 1");
      return;
    }
  if (message != NULL && status == 0)
    {
      respond_bad_request (call, "\"message\" goes with \"status\"");
      return;
    }
  if ((status != 0) + drop + malformed + stall > 1)
    {
      respond_bad_request (call, "a fault is one of \"status\", \"drop\", \"malformed\" "
                                 "or \"stall\"");
      return;
    }
  if (applied && status == 0 && !drop && !malformed && !stall)
    {
      respond_bad_request (call, "\"applied\" goes with \"status\", \"drop\", \"malformed\" "
                                 "or \"stall\"");
      return;
    }
  if ((drop || stall) && (drip_ms != 0 || has_next_page || has_total_pages))
    {
      respond_bad_request (call, "\"drip_ms\", \"next_page\" and \"total_pages\" need an "
                                 "answer: not with \"drop\" or \"stall\"");
      return;
    }
  if (gate != NULL && !is_gate_name (gate))
    {
      respond_bad_request (call, "\"gate\" is not a name of 1 to %d letters, digits, "
                                 "'-', '_' or '.'", MAX_GATE_NAME_LENGTH);
      return;
    }
  if (status == 0 && !drop && !malformed && delay_ms == 0 && gate == NULL && !stall
      && drip_ms == 0 && !has_next_page && !has_total_pages)
    {
      respond_bad_request (call, "a fault needs \"status\", \"drop\", \"malformed\", "
                                 "\"delay_ms\", \"gate\", \"stall\", \"drip_ms\", "
                                 "\"next_page\" or \"total_pages\"");
      return;
    }
  regex = g_regex_new (path, G_REGEX_OPTIMIZE, 0, &error);
  if (regex == NULL)
    {
      respond_bad_request (call, "\"path\" is not a regular expression: %s",
                           error->message);
      return;
    }

  fault = g_new0 (NodFakeFault, 1);
  fault->method = g_strdup (method);
  fault->path_regex = g_steal_pointer (&regex);
  fault->status = (guint) status;
  fault->times = (guint) times;
  fault->delay_ms = (guint) delay_ms;
  fault->retry_after = (guint) retry_after;
  fault->drop = drop;
  fault->malformed = malformed;
  fault->applied = applied;
  fault->message = g_strdup (message);
  fault->stall = stall;
  fault->drip_ms = (guint) drip_ms;
  fault->has_next_page = has_next_page;
  fault->next_page = (guint) next_page;
  fault->has_total_pages = has_total_pages;
  fault->total_pages = (guint) total_pages;
  if (gate != NULL)
    fault->gate = _nod_fake_gitlab_arm_gate (call->self, gate);
  g_ptr_array_add (call->self->faults, fault);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  if (method != NULL)
    json_builder_add_string_value (builder, method);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, (gint64) status);
  json_builder_set_member_name (builder, "times");
  json_builder_add_int_value (builder, (gint64) times);
  json_builder_set_member_name (builder, "delay_ms");
  json_builder_add_int_value (builder, (gint64) delay_ms);
  json_builder_set_member_name (builder, "drop");
  json_builder_add_boolean_value (builder, drop);
  json_builder_set_member_name (builder, "malformed");
  json_builder_add_boolean_value (builder, malformed);
  json_builder_set_member_name (builder, "gate");
  if (gate != NULL)
    json_builder_add_string_value (builder, gate);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "stall");
  json_builder_add_boolean_value (builder, stall);
  json_builder_set_member_name (builder, "drip_ms");
  json_builder_add_int_value (builder, (gint64) drip_ms);
  json_builder_end_object (builder);
  respond_node (call, SOUP_STATUS_CREATED, json_builder_get_root (builder));
}

static void
handle_clear_faults (ControlCall *call)
{
  g_ptr_array_set_size (call->self->faults, 0);
  respond_empty_object (call);
}

static void
handle_list_gates (ControlCall *call)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };
  GPtrArray *gates = call->self->gates;

  _nod_fake_json_writer_init (&writer, 64);
  _nod_fake_json_begin_array (&writer, NULL);
  for (guint i = 0; i < gates->len; i++)
    {
      NodFakeGate *gate = g_ptr_array_index (gates, i);

      _nod_fake_json_begin_object (&writer, NULL);
      _nod_fake_json_add_string (&writer, "name", gate->name);
      _nod_fake_json_add_int (&writer, "held", gate->held->len);
      _nod_fake_json_end_object (&writer);
    }
  _nod_fake_json_end_array (&writer);
  _nod_fake_message_respond_written (call->msg, SOUP_STATUS_OK, &writer);
}

/* /__fake/gates/NAME/release */
static void
handle_release_gate (ControlCall *call,
                     const char  *rest)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *name = NULL;
  const char *end = g_strrstr (rest, "/");
  NodFakeGate *gate = NULL;
  guint released;

  if (end != NULL && g_str_equal (end, "/release"))
    name = g_uri_unescape_segment (rest, end, NULL);
  if (name != NULL)
    gate = _nod_fake_gitlab_find_gate (call->self, name);
  if (gate == NULL)
    {
      _nod_fake_message_respond_message (call->msg, SOUP_STATUS_NOT_FOUND,
                                         "404 Gate Not Found");
      return;
    }

  released = _nod_fake_gitlab_release_gate (call->self, gate);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "released");
  json_builder_add_int_value (builder, released);
  json_builder_end_object (builder);
  respond_node (call, SOUP_STATUS_OK, json_builder_get_root (builder));
}

static gboolean
apply_budget (ControlCall   *call,
              NodFakeBudget *budget,
              const char    *limit_name,
              const char    *remaining_name,
              const char    *reset_name)
{
  guint64 limit = budget->limit, remaining = 0, reset_in_s = 0;
  gboolean has_remaining = FALSE, has_reset = FALSE;

  if (!read_uint (call, limit_name, 1000000, &limit, NULL)
      || !read_uint (call, remaining_name, 1000000, &remaining, &has_remaining)
      || (reset_name != NULL && !read_uint (call, reset_name, 86400, &reset_in_s, &has_reset)))
    return FALSE;
  if (remaining > limit)
    {
      respond_bad_request (call, "\"%s\" is more than the limit", remaining_name);
      return FALSE;
    }

  budget->limit = (guint) limit;
  /* A window that has not started (or is over) starts now, so the values below hold. */
  if (call->now >= budget->reset_at)
    {
      budget->observed = 0;
      budget->reset_at = call->now + 60 * G_USEC_PER_SEC;
    }
  if (has_remaining)
    budget->observed = (guint) (limit - remaining);
  if (has_reset)
    budget->reset_at = call->now + (gint64) reset_in_s * G_USEC_PER_SEC;
  return TRUE;
}

static void
handle_rate_limit (ControlCall *call)
{
  NodFakeGitlab *self = call->self;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  NodFakeBudget api_before = self->api_budget;
  NodFakeBudget notes_before = self->notes_budget;

  /* All or nothing: a refused request changes neither budget. */
  if (!apply_budget (call, &self->api_budget, "limit", "remaining", "reset_in_s")
      || ((json_object_has_member (call->body, "notes_limit")
           || json_object_has_member (call->body, "notes_remaining"))
          && !apply_budget (call, &self->notes_budget, "notes_limit", "notes_remaining",
                            NULL)))
    {
      self->api_budget = api_before;
      self->notes_budget = notes_before;
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "limit");
  json_builder_add_int_value (builder, self->api_budget.limit);
  json_builder_set_member_name (builder, "remaining");
  json_builder_add_int_value (builder, self->api_budget.observed < self->api_budget.limit
                                       ? self->api_budget.limit - self->api_budget.observed
                                       : 0);
  json_builder_set_member_name (builder, "reset");
  json_builder_add_int_value (builder, (self->api_budget.reset_at + G_USEC_PER_SEC - 1)
                                       / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "notes_limit");
  json_builder_add_int_value (builder, self->notes_budget.limit);
  json_builder_end_object (builder);
  respond_node (call, SOUP_STATUS_OK, json_builder_get_root (builder));
}

static void
handle_reset (ControlCall *call)
{
  _nod_fake_gitlab_reset (call->self);
  respond_empty_object (call);
}

/* Other users' activity */

static NodFakeProject *
find_project_member (ControlCall *call)
{
  JsonNode *node = get_member (call, "project_id");
  g_autofree char *key = NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        key = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        key = json_node_dup_string (node);
    }
  return nod_fake_dataset_find_project (call->self->dataset, key);
}

static gboolean read_labels (ControlCall *call,
                             GStrv       *out_labels);

static void
handle_new_merge_request (ControlCall *call)
{
  NodFakeDataset *dataset = call->self->dataset;
  g_autoptr(GPtrArray) reviewers = g_ptr_array_new ();
  g_autoptr(GPtrArray) assignees = g_ptr_array_new ();
  NodFakeProject *project = find_project_member (call);
  NodFakeMergeRequest *merge_request;
  NodFakeUser *author = NULL;
  const char *title = NULL, *description = NULL;
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GHashTable) base_files = NULL;
  g_auto(GStrv) labels = NULL;
  gboolean has_conflicts = FALSE;

  if (project == NULL)
    {
      respond_bad_request (call, "\"project_id\" does not name a known project");
      return;
    }
  if (!read_string (call, "title", TRUE, &title)
      || !read_string (call, "description", FALSE, &description)
      || !read_user (call, "author", TRUE, &author)
      || !read_user_list (call, "reviewers", reviewers)
      || !read_user_list (call, "assignees", assignees)
      || !read_labels (call, &labels)
      || !read_bool (call, "has_conflicts", &has_conflicts)
      || !read_files (call, "base_files", project->repository, FALSE, &base_files)
      || !read_files (call, "files", project->repository, base_files != NULL, &files))
    return;
  if (*title == '\0')
    {
      respond_bad_request (call, "\"title\" is empty");
      return;
    }

  merge_request = nod_fake_dataset_add_merge_request (dataset, project, 0, 0, author, title,
                                                      call->now);
  if (description != NULL)
    {
      g_free (merge_request->description);
      merge_request->description = g_strdup (description);
    }
  g_ptr_array_extend (merge_request->reviewers, reviewers, NULL, NULL);
  g_ptr_array_extend (merge_request->assignees, assignees, NULL, NULL);
  if (labels != NULL)
    nod_fake_merge_request_set_labels (merge_request, (const char * const *) labels);
  merge_request->has_conflicts = has_conflicts;
  if (files != NULL)
    {
      g_autoptr(GHashTable) no_files = g_hash_table_new (g_str_hash, g_str_equal);
      nod_fake_dataset_set_change (dataset, merge_request,
                                   base_files != NULL ? base_files : no_files, files,
                                   call->now);
    }
  else
    {
      static const char *const paths[] = { "src/main.c" };
      NodFakeLineWish wish = { 0, 4 };

      nod_fake_dataset_set_synthetic_change (dataset, merge_request, paths, 1,
                                             (guint) merge_request->iid % 64, &wish, 1,
                                             call->now);
    }
  respond_merge_request (call, SOUP_STATUS_CREATED, merge_request);
}

static void
handle_commit (ControlCall         *call,
               NodFakeMergeRequest *merge_request)
{
  gboolean reset_approvals = FALSE;
  g_autoptr(GHashTable) files = NULL;
  const char *title = NULL;

  if (!read_bool (call, "reset_approvals", &reset_approvals)
      || !read_string (call, "title", FALSE, &title)
      || !read_files (call, "files", merge_request->project->repository, TRUE, &files))
    return;
  if (title != NULL && (*title == '\0' || strlen (title) > 1024))
    {
      respond_bad_request (call, "\"title\" is empty or too long");
      return;
    }
  if (merge_request->state == NOD_FAKE_MR_MERGED)
    {
      respond_bad_request (call, "the merge request is merged");
      return;
    }

  nod_fake_dataset_new_commit (call->self->dataset, merge_request, files, title, call->now);
  if (reset_approvals)
    g_ptr_array_set_size (merge_request->approved_by, 0);
  nod_fake_dataset_add_system_note (call->self->dataset, merge_request, merge_request->author,
                                    "added 1 commit", call->now);
  respond_merge_request (call, SOUP_STATUS_OK, merge_request);
}

static void
handle_merge_or_close (ControlCall         *call,
                       NodFakeMergeRequest *merge_request,
                       gboolean             merge)
{
  NodFakeUser *user = merge_request->author;

  if (!read_user (call, "user", FALSE, &user))
    return;
  if (merge_request->state != NOD_FAKE_MR_OPENED)
    {
      respond_bad_request (call, "the merge request is %s, not opened",
                           nod_fake_mr_state_to_string (merge_request->state));
      return;
    }

  if (merge)
    {
      merge_request->state = NOD_FAKE_MR_MERGED;
      merge_request->merged_at = call->now;
      merge_request->merged_by = user;
    }
  else
    {
      merge_request->state = NOD_FAKE_MR_CLOSED;
      merge_request->closed_at = call->now;
      merge_request->closed_by = user;
    }
  nod_fake_dataset_add_system_note (call->self->dataset, merge_request, user,
                                    merge ? "merged" : "closed", call->now);
  nod_fake_dataset_touch (call->self->dataset, merge_request, call->now);
  respond_merge_request (call, SOUP_STATUS_OK, merge_request);
}

static void
handle_comment (ControlCall         *call,
                NodFakeMergeRequest *merge_request)
{
  NodFakeDataset *dataset = call->self->dataset;
  NodFakeDiscussion *discussion;
  NodFakeUser *author = NULL;
  const char *body = NULL, *discussion_id = NULL;
  guint64 later_s = 0;
  gint64 at;

  if (!read_user (call, "author", TRUE, &author)
      || !read_string (call, "body", TRUE, &body)
      || !read_string (call, "discussion_id", FALSE, &discussion_id)
      || !read_uint (call, "later_s", 3600, &later_s, NULL))
    return;
  at = call->now + (gint64) later_s * G_USEC_PER_SEC;
  if (*body == '\0')
    {
      respond_bad_request (call, "\"body\" is empty");
      return;
    }

  if (discussion_id != NULL)
    {
      NodFakeNote *first;

      discussion = nod_fake_merge_request_find_discussion (merge_request, discussion_id);
      if (discussion == NULL)
        {
          _nod_fake_message_respond_message (call->msg, SOUP_STATUS_NOT_FOUND,
                                             "404 Not found");
          return;
        }
      first = g_ptr_array_index (discussion->notes, 0);
      if (first->system)
        {
          respond_bad_request (call, "system notes cannot be replied to");
          return;
        }
      nod_fake_dataset_add_reply (dataset, discussion, author, body, at);
    }
  else
    {
      discussion = nod_fake_dataset_add_discussion (dataset, merge_request, FALSE);
      nod_fake_dataset_add_note (dataset, discussion, author, body, NOD_FAKE_NOTE_DISCUSSION,
                                 NULL, at);
    }

  nod_fake_dataset_touch (dataset, merge_request, at);
  nod_fake_merge_request_notify (merge_request, NOD_FAKE_NOTIFICATION_NOTE, 1);
  respond_discussion (call, merge_request, discussion);
}

/* {"status", "sha"?}: the newest pipeline on sha (the head unless given) takes the
 * status, or a new one starts there. Any status is taken, so that a test can send one
 * GitLab does not have. */
static void
handle_pipeline (ControlCall         *call,
                 NodFakeMergeRequest *merge_request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  NodFakePipeline *pipeline;
  const char *status = NULL, *sha = merge_request->head_sha;

  if (!read_string (call, "status", TRUE, &status)
      || !read_string (call, "sha", FALSE, &sha))
    return;
  if (*status == '\0' || strlen (status) > NOD_FAKE_PIPELINE_STATUS_MAX)
    {
      respond_bad_request (call, "\"status\" is empty or too long");
      return;
    }
  if (strlen (sha) != NOD_FAKE_SHA_LENGTH)
    {
      respond_bad_request (call, "\"sha\" is not a commit id");
      return;
    }

  pipeline = nod_fake_dataset_set_pipeline (call->self->dataset, merge_request, sha, status,
                                            call->now);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, pipeline->id);
  json_builder_set_member_name (builder, "sha");
  json_builder_add_string_value (builder, pipeline->sha);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, pipeline->status);
  json_builder_end_object (builder);
  respond_node (call, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* Reads "labels", an array of strings, into @out_labels (left NULL when absent). */
static gboolean
read_labels (ControlCall  *call,
             GStrv        *out_labels)
{
  JsonNode *node = get_member (call, "labels");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      respond_bad_request (call, "\"labels\" is not an array of strings");
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element)
          || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          respond_bad_request (call, "\"labels\" is not an array of strings");
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  *out_labels = g_strv_builder_end (builder);
  return TRUE;
}

/* {"labels": […]}: the merge request's labels are these now, as when someone edits them
 * on GitLab (its updated_at moves). */
static void
handle_labels (ControlCall         *call,
               NodFakeMergeRequest *merge_request)
{
  g_auto(GStrv) labels = NULL;

  if (!read_labels (call, &labels))
    return;
  if (labels == NULL)
    {
      respond_bad_request (call, "\"labels\" is missing");
      return;
    }
  nod_fake_merge_request_set_labels (merge_request, (const char * const *) labels);
  nod_fake_dataset_touch (call->self->dataset, merge_request, call->now);
  respond_merge_request (call, SOUP_STATUS_OK, merge_request);
}

static void
handle_notifications (ControlCall         *call,
                      NodFakeMergeRequest *merge_request)
{
  GArray *notifications = merge_request->notifications;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, notifications->len);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < notifications->len; i++)
    {
      NodFakeNotification *notification = &g_array_index (notifications,
                                                          NodFakeNotification, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder,
                                     notification->kind == NOD_FAKE_NOTIFICATION_REVIEW
                                     ? "review" : "note");
      json_builder_set_member_name (builder, "notes");
      json_builder_add_int_value (builder, notification->note_count);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_node (call, SOUP_STATUS_OK, json_builder_get_root (builder));
}

/* /__fake/mr/PROJECT/IID/ACTION: POST, but for GET …/notifications */
static void
handle_merge_request_action (ControlCall *call,
                             const char  *rest,
                             gboolean     is_get)
{
  g_auto(GStrv) segments = g_strsplit (rest, "/", -1);
  g_autofree char *project_key = NULL;
  NodFakeProject *project = NULL;
  NodFakeMergeRequest *merge_request = NULL;
  guint64 iid = 0;

  if (g_strv_length (segments) == 3)
    project_key = g_uri_unescape_string (segments[0], NULL);
  if (project_key != NULL)
    project = nod_fake_dataset_find_project (call->self->dataset, project_key);
  if (project != NULL
      && g_ascii_string_to_unsigned (segments[1], 10, 1, G_MAXINT64, &iid, NULL))
    merge_request = nod_fake_dataset_find_merge_request (call->self->dataset, project,
                                                         (gint64) iid);
  if (merge_request == NULL)
    {
      _nod_fake_message_respond_message (call->msg, SOUP_STATUS_NOT_FOUND,
                                         "404 Not found");
      return;
    }

  if (is_get)
    {
      if (g_str_equal (segments[2], "notifications"))
        handle_notifications (call, merge_request);
      else
        _nod_fake_message_respond_message (call->msg, SOUP_STATUS_NOT_FOUND, "404 Not found");
    }
  else if (g_str_equal (segments[2], "commit"))
    handle_commit (call, merge_request);
  else if (g_str_equal (segments[2], "merge"))
    handle_merge_or_close (call, merge_request, TRUE);
  else if (g_str_equal (segments[2], "close"))
    handle_merge_or_close (call, merge_request, FALSE);
  else if (g_str_equal (segments[2], "comment"))
    handle_comment (call, merge_request);
  else if (g_str_equal (segments[2], "pipeline"))
    handle_pipeline (call, merge_request);
  else if (g_str_equal (segments[2], "labels"))
    handle_labels (call, merge_request);
  else
    _nod_fake_message_respond_message (call->msg, SOUP_STATUS_NOT_FOUND, "404 Not found");
}

static JsonObject *
parse_body (SoupServerMessage *msg,
            GError           **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) data = NULL;
  JsonNode *root;

  if (body == NULL || body->length == 0)
    return json_object_new ();

  data = soup_message_body_flatten (body);
  if (nod_fake_json_is_too_deep (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                 NOD_FAKE_MAX_JSON_DEPTH))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the body nests too deeply");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (data, NULL),
                                   (gssize) g_bytes_get_size (data), error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the body is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

void
_nod_fake_gitlab_serve_control (NodFakeGitlab     *self,
                                SoupServerMessage *msg,
                                const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  const char *route = path + strlen ("/__fake/");
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  ControlCall call = { self, msg, NULL, nod_fake_now () };
  gboolean is_get = g_str_equal (method, "GET");
  gboolean is_post = g_str_equal (method, "POST");
  gboolean is_delete = g_str_equal (method, "DELETE");

  body = parse_body (msg, &error);
  if (body == NULL)
    {
      _nod_fake_message_respond_message (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  call.body = body;

  if (g_str_equal (route, "requests") && is_get)
    handle_get_requests (&call);
  else if (g_str_equal (route, "requests") && is_delete)
    handle_clear_requests (&call);
  else if (g_str_equal (route, "faults") && is_post)
    handle_add_fault (&call);
  else if (g_str_equal (route, "faults") && is_delete)
    handle_clear_faults (&call);
  else if (g_str_equal (route, "gates") && is_get)
    handle_list_gates (&call);
  else if (g_str_has_prefix (route, "gates/") && is_post)
    handle_release_gate (&call, route + strlen ("gates/"));
  else if (g_str_equal (route, "ratelimit") && is_post)
    handle_rate_limit (&call);
  else if (g_str_equal (route, "reset") && is_post)
    handle_reset (&call);
  else if (g_str_equal (route, "mr") && is_post)
    handle_new_merge_request (&call);
  else if (g_str_has_prefix (route, "mr/") && (is_post || is_get))
    handle_merge_request_action (&call, route + strlen ("mr/"), is_get);
  else
    _nod_fake_message_respond_message (msg, SOUP_STATUS_NOT_FOUND, "404 Not found");
}
