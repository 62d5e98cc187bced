/* nod-fake-gitlab-api.c: the GitLab REST API v4 routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parameters come from the query string, an application/x-www-form-urlencoded body or a
 * JSON body, merged into one JsonObject (the body wins). Form keys like
 * "position[new_line]" become nested objects, as Rails decodes them. Every value read
 * from a request is type-checked: a hostile request gets a 400, never a crash.
 */

#define G_LOG_DOMAIN "nod-fake-gitlab"

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

/* Past this many results GitLab stops counting: no x-total, x-total-pages, rel="last". */
#define DEFAULT_PER_PAGE 20
#define MAX_PER_PAGE 100

/* libsoup has no name for it. */
#define HTTP_STATUS_TOO_MANY_REQUESTS 429

typedef NodFakeApiCall ApiCall;

typedef void (*RouteHandler) (ApiCall *call);

static const char *const rate_limit_headers[] = {
  "RateLimit-Name", "RateLimit-Limit", "RateLimit-Observed", "RateLimit-Remaining",
  "RateLimit-Reset", "RateLimit-ResetTime",
};

typedef struct
{
  const char   *method;
  const char   *pattern;  /* segments after /api/v4/; ":x" captures one */
  RouteHandler  handler;
} Route;

/* Parameters */

static void
set_param (JsonObject *params,
           const char *key,
           const char *value)
{
  const char *open = strchr (key, '[');
  g_autofree char *name = NULL;
  g_autofree char *member = NULL;
  JsonNode *existing;

  if (open == NULL || open == key || !g_str_has_suffix (open, "]"))
    {
      json_object_set_string_member (params, key, value);
      return;
    }

  name = g_strndup (key, (gsize) (open - key));
  member = g_strndup (open + 1, strlen (open) - 2);
  existing = json_object_get_member (params, name);

  if (*member == '\0')
    {
      /* "name[]=a&name[]=b": an array */
      if (existing == NULL || !JSON_NODE_HOLDS_ARRAY (existing))
        json_object_set_array_member (params, name, json_array_new ());
      json_array_add_string_element (json_object_get_array_member (params, name), value);
      return;
    }

  if (existing == NULL || !JSON_NODE_HOLDS_OBJECT (existing))
    json_object_set_object_member (params, name, json_object_new ());
  json_object_set_string_member (json_object_get_object_member (params, name), member, value);
}

static void
add_form_params (JsonObject *params,
                 const char *encoded)
{
  g_autoptr(GHashTable) form = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (encoded == NULL || *encoded == '\0')
    return;
  form = soup_form_decode (encoded);
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    set_param (params, key, value);
}

static JsonObject *
parse_params (SoupServerMessage  *msg,
              GError            **error)
{
  g_autoptr(JsonObject) params = json_object_new ();
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) data = NULL;

  add_form_params (params, g_uri_get_query (soup_server_message_get_uri (msg)));

  if (body == NULL || body->length == 0 || content_type == NULL)
    return g_steal_pointer (&params);
  data = soup_message_body_flatten (body);

  if (g_ascii_strcasecmp (content_type, "application/json") == 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      JsonObjectIter iter;
      const char *member;
      JsonNode *node;

      if (nod_fake_json_is_too_deep (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                     NOD_FAKE_MAX_JSON_DEPTH))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "the JSON body nests too deeply");
          return NULL;
        }
      if (!json_parser_load_from_data (parser, g_bytes_get_data (data, NULL),
                                       (gssize) g_bytes_get_size (data), error))
        return NULL;
      if (json_parser_get_root (parser) == NULL
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "the JSON body is not an object");
          return NULL;
        }
      object = json_node_get_object (json_parser_get_root (parser));
      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &member, &node))
        json_object_set_member (params, member, json_node_copy (node));
    }
  else if (g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") == 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (data, NULL),
                                         g_bytes_get_size (data));
      add_form_params (params, text);
    }

  return g_steal_pointer (&params);
}

/* A string, number or boolean parameter as text; NULL when absent or of another type. */
static char *
node_dup_text (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return json_node_dup_string (node);
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

static char *
param_dup_string (JsonObject *params,
                  const char *name)
{
  return node_dup_text (json_object_get_member (params, name));
}

char *
_nod_fake_api_dup_param (NodFakeApiCall *call,
                         const char     *name)
{
  return param_dup_string (call->params, name);
}

typedef enum
{
  PARAM_ABSENT,
  PARAM_VALID,
  PARAM_INVALID,
} ParamStatus;

static ParamStatus
node_get_int (JsonNode *node,
              gint64   *value)
{
  g_autofree char *text = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return PARAM_ABSENT;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return PARAM_VALID;
    }
  text = node_dup_text (node);
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, value, NULL))
    return PARAM_INVALID;
  return PARAM_VALID;
}

/* Like node_get_int, but a number too large for 64 bits saturates instead of failing. */
static ParamStatus
node_get_saturated_int (JsonNode *node,
                        gint64   *value)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return PARAM_ABSENT;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return PARAM_VALID;
    }
  text = node_dup_text (node);
  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return PARAM_INVALID;
  *value = g_ascii_strtoll (text, &end, 10);
  if (end == text || *end != '\0')
    return PARAM_INVALID;
  return PARAM_VALID;
}

static ParamStatus
param_get_bool (JsonObject *params,
                const char *name,
                gboolean   *value)
{
  g_autofree char *text = param_dup_string (params, name);

  if (!json_object_has_member (params, name))
    return PARAM_ABSENT;
  if (text == NULL)
    return PARAM_INVALID;
  if (g_str_equal (text, "true") || g_str_equal (text, "1"))
    *value = TRUE;
  else if (g_str_equal (text, "false") || g_str_equal (text, "0"))
    *value = FALSE;
  else
    return PARAM_INVALID;
  return PARAM_VALID;
}

gboolean
_nod_fake_api_read_bool_param (NodFakeApiCall *call,
                               const char     *name,
                               gboolean       *value)
{
  g_autofree char *error = NULL;

  if (param_get_bool (call->params, name, value) != PARAM_INVALID)
    return TRUE;
  error = g_strdup_printf ("%s is invalid", name);
  _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, error);
  return FALSE;
}

/* The parameters the routes read as text: an array or object there is refused up front. */
static const char *const scalar_params[] = {
  "page", "per_page", "scope", "state", "order_by", "sort", "author_id", "author_username",
  "assignee_id", "assignee_username", "reviewer_id", "reviewer_username", "updated_after",
  "updated_before", "created_after", "created_before", "sha", "body", "resolved", "ref",
  "unidiff", "note", "commit_id", "in_reply_to_discussion_id", "resolve_discussion",
};

static const char *
find_non_scalar_param (JsonObject *params)
{
  for (guint i = 0; i < G_N_ELEMENTS (scalar_params); i++)
    {
      JsonNode *node = json_object_get_member (params, scalar_params[i]);

      if (node != NULL && (JSON_NODE_HOLDS_ARRAY (node) || JSON_NODE_HOLDS_OBJECT (node)))
        return scalar_params[i];
    }
  return NULL;
}

/* Answers 400 in Grape's words and returns FALSE when @name is present but invalid. */
static gboolean
invalid_param (ApiCall    *call,
               const char *name)
{
  g_autofree char *error = g_strdup_printf ("%s is invalid", name);

  _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, error);
  return FALSE;
}

static gboolean
missing_param (ApiCall    *call,
               const char *name)
{
  g_autofree char *error = g_strdup_printf ("%s is missing", name);

  _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, error);
  return FALSE;
}

static gboolean
read_time_param (ApiCall    *call,
                 const char *name,
                 gint64     *value)
{
  g_autofree char *text = param_dup_string (call->params, name);

  if (!json_object_has_member (call->params, name))
    return TRUE;
  if (text == NULL || !nod_fake_parse_time (text, value))
    return invalid_param (call, name);
  return TRUE;
}

/* Responses */

static void
respond_not_found (ApiCall *call)
{
  _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND, "404 Not found");
}

static void
set_header (ApiCall    *call,
            const char *name,
            const char *value)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (call->request->msg),
                                name, value);
}

static void
set_header_uint (ApiCall    *call,
                 const char *name,
                 guint64     value)
{
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
  set_header (call, name, text);
}

/* Pagination */

/* Reads page and per_page like GitLab: per_page is clamped to 1…100, page to ≥ 1. */
static gboolean
read_pagination (ApiCall *call,
                 guint64 *page,
                 guint   *per_page)
{
  gint64 value = 0;

  *page = 1;
  *per_page = DEFAULT_PER_PAGE;

  switch (node_get_saturated_int (json_object_get_member (call->params, "page"), &value))
    {
    case PARAM_INVALID:
      return invalid_param (call, "page");
    case PARAM_VALID:
      *page = (guint64) MAX (value, 1);
      break;
    case PARAM_ABSENT:
    default:
      break;
    }

  switch (node_get_saturated_int (json_object_get_member (call->params, "per_page"), &value))
    {
    case PARAM_INVALID:
      return invalid_param (call, "per_page");
    case PARAM_VALID:
      *per_page = value < 1 ? DEFAULT_PER_PAGE : (guint) MIN (value, MAX_PER_PAGE);
      break;
    case PARAM_ABSENT:
    default:
      break;
    }
  return TRUE;
}

static void
append_uint (GString *text,
             guint64  value)
{
  char digits[24];

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, value);
  g_string_append (text, digits);
}

/* "page", "page=…", "per_page" or "per_page=…": @length bytes of a query. */
static gboolean
is_page_pair (const char *pair,
              gsize       length)
{
  static const char *const names[] = { "page", "per_page" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize name_length = strlen (names[i]);

      if (length >= name_length && memcmp (pair, names[i], name_length) == 0
          && (length == name_length || pair[name_length] == '='))
        return TRUE;
    }
  return FALSE;
}

/* <URL>; rel="REL", where URL is the request's own for another page, every other parameter
 * kept as sent. */
static void
append_link (GString    *links,
             ApiCall    *call,
             guint64     page,
             guint       per_page,
             const char *rel)
{
  GUri *uri = soup_server_message_get_uri (call->request->msg);
  const char *pair = g_uri_get_query (uri);

  if (links->len > 0)
    g_string_append (links, ", ");
  g_string_append_c (links, '<');
  g_string_append (links, call->self->base_url);
  g_string_append (links, g_uri_get_path (uri));
  g_string_append_c (links, '?');
  while (pair != NULL)
    {
      const char *end = strchr (pair, '&');
      gsize length = end != NULL ? (gsize) (end - pair) : strlen (pair);

      if (length > 0 && !is_page_pair (pair, length))
        {
          g_string_append_len (links, pair, (gssize) length);
          g_string_append_c (links, '&');
        }
      pair = end != NULL ? end + 1 : NULL;
    }
  g_string_append (links, "page=");
  append_uint (links, page);
  g_string_append (links, "&per_page=");
  append_uint (links, per_page);
  g_string_append (links, ">; rel=\"");
  g_string_append (links, rel);
  g_string_append_c (links, '"');
}

/* Sets the pagination headers for @total items and returns the slice of this page. */
static void
paginate (ApiCall *call,
          guint    total,
          guint64  page,
          guint    per_page,
          guint   *offset,
          guint   *count)
{
  guint64 total_pages = MAX (1, ((guint64) total + per_page - 1) / per_page);
  gboolean counted = total <= call->self->count_limit;
  gboolean has_next = page < total_pages;
  g_autoptr(GString) links = g_string_sized_new (512);

  if (page > total_pages)
    {
      *offset = total;
      *count = 0;
    }
  else
    {
      *offset = (guint) ((page - 1) * per_page);
      *count = MIN (per_page, total - *offset);
    }

  set_header_uint (call, "x-page", page);
  set_header_uint (call, "x-per-page", per_page);
  if (has_next)
    set_header_uint (call, "x-next-page", page + 1);
  else
    set_header (call, "x-next-page", "");
  if (page > 1)
    set_header_uint (call, "x-prev-page", MIN (page - 1, total_pages));
  else
    set_header (call, "x-prev-page", "");
  if (counted)
    {
      set_header_uint (call, "x-total", total);
      set_header_uint (call, "x-total-pages", total_pages);
    }

  if (page > 1)
    append_link (links, call, MIN (page - 1, total_pages), per_page, "prev");
  if (has_next)
    append_link (links, call, page + 1, per_page, "next");
  append_link (links, call, 1, per_page, "first");
  if (counted)
    append_link (links, call, total_pages, per_page, "last");
  set_header (call, "Link", links->str);
}

typedef NodFakeApiWriteItem WriteItem;

/* Room for one merge request, the largest item, so that a page seldom grows its buffer. */
#define ITEM_SIZE_GUESS 2560

static void
respond_item (ApiCall   *call,
              guint      status,
              WriteItem  write_item,
              gpointer   item)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };

  _nod_fake_json_writer_init (&writer, ITEM_SIZE_GUESS);
  write_item (call, &writer, item);
  _nod_fake_request_respond_written (call->request, status, &writer);
}

void
_nod_fake_api_respond_page (ApiCall   *call,
                            GPtrArray *items,
                            WriteItem  write_item)
{
  g_auto(NodFakeJsonWriter) writer = { NULL, };
  guint64 page;
  guint per_page, offset, count;

  if (!read_pagination (call, &page, &per_page))
    return;
  paginate (call, items->len, page, per_page, &offset, &count);

  _nod_fake_json_writer_init (&writer, (gsize) count * ITEM_SIZE_GUESS);
  _nod_fake_json_begin_array (&writer, NULL);
  for (guint i = offset; i < offset + count; i++)
    write_item (call, &writer, g_ptr_array_index (items, i));
  _nod_fake_json_end_array (&writer);
  _nod_fake_request_respond_written (call->request, SOUP_STATUS_OK, &writer);
}

/* Routes: users and projects */

static void
handle_version (ApiCall *call)
{
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());

  json_object_set_string_member (json_node_get_object (body), "version", "17.9.0-fake");
  json_object_set_string_member (json_node_get_object (body), "revision", "f4k3");
  _nod_fake_request_respond (call->request, SOUP_STATUS_OK, body);
}

static void
write_current_user (ApiCall           *call,
                    NodFakeJsonWriter *writer,
                    gpointer           item)
{
  _nod_fake_json_write_current_user (call->self, writer, item);
}

static void
handle_get_user (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_current_user, call->me);
}

static void
write_project (ApiCall           *call,
               NodFakeJsonWriter *writer,
               gpointer           item)
{
  _nod_fake_json_write_project (call->self, writer, item);
}

/* GitLab's default order for projects: newest (highest id) first. */
static int
compare_projects_newest_first (gconstpointer a,
                               gconstpointer b)
{
  const NodFakeProject *left = *(NodFakeProject * const *) a;
  const NodFakeProject *right = *(NodFakeProject * const *) b;

  return left->id < right->id ? 1 : (left->id > right->id ? -1 : 0);
}

static void
handle_list_projects (ApiCall *call)
{
  g_autoptr(GPtrArray) projects = g_ptr_array_sized_new (call->dataset->projects->len);

  /* Not g_ptr_array_copy(): the copy would take the dataset's free function along. */
  g_ptr_array_extend (projects, call->dataset->projects, NULL, NULL);

  /* Every project has the reviewer as a member, so membership=true changes nothing. */
  g_ptr_array_sort (projects, compare_projects_newest_first);
  _nod_fake_api_respond_page (call, projects, write_project);
}

static void
handle_get_project (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_project, call->project);
}

/* Routes: merge requests */

static gboolean
read_user_filter (ApiCall    *call,
                  const char *id_name,
                  const char *username_name,
                  gint64     *user_id,
                  gboolean   *match_nothing)
{
  g_autofree char *username = param_dup_string (call->params, username_name);
  gint64 id = 0;

  switch (node_get_int (json_object_get_member (call->params, id_name), &id))
    {
    case PARAM_INVALID:
      return invalid_param (call, id_name);
    case PARAM_VALID:
      if (username != NULL)
        {
          g_autofree char *error = g_strdup_printf ("%s, %s are mutually exclusive", id_name,
                                                    username_name);
          _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, error);
          return FALSE;
        }
      *user_id = id;
      if (nod_fake_dataset_find_user (call->dataset, id) == NULL)
        *match_nothing = TRUE;
      return TRUE;
    case PARAM_ABSENT:
    default:
      break;
    }

  if (username != NULL)
    {
      NodFakeUser *user = nod_fake_dataset_find_username (call->dataset, username);

      if (user != NULL)
        *user_id = user->id;
      else
        *match_nothing = TRUE;
    }
  return TRUE;
}

static gboolean
read_merge_request_query (ApiCall        *call,
                          gboolean        across_projects,
                          NodFakeMrQuery *query)
{
  g_autofree char *scope = param_dup_string (call->params, "scope");
  g_autofree char *state = param_dup_string (call->params, "state");
  g_autofree char *reviewer_id = param_dup_string (call->params, "reviewer_id");
  g_autofree char *order_by = param_dup_string (call->params, "order_by");
  g_autofree char *sort = param_dup_string (call->params, "sort");

  nod_fake_mr_query_init (query);
  if (call->project != NULL)
    query->project_id = call->project->id;

  /* GitLab's /merge_requests defaults to what you created; a project's list to all. */
  if (scope == NULL)
    scope = g_strdup (across_projects ? "created_by_me" : "all");
  if (g_str_equal (scope, "created_by_me") || g_str_equal (scope, "created-by-me"))
    query->author_id = call->me->id;
  else if (g_str_equal (scope, "assigned_to_me") || g_str_equal (scope, "assigned-to-me"))
    query->assignee_id = call->me->id;
  else if (!g_str_equal (scope, "all"))
    return invalid_param (call, "scope");

  if (state != NULL && !g_str_equal (state, "all"))
    {
      NodFakeMrState parsed;

      if (!nod_fake_mr_state_from_string (state, &parsed))
        return invalid_param (call, "state");
      query->state = (int) parsed;
    }

  if (query->author_id == 0
      && !read_user_filter (call, "author_id", "author_username", &query->author_id,
                            &query->match_nothing))
    return FALSE;
  if (query->assignee_id == 0
      && !read_user_filter (call, "assignee_id", "assignee_username", &query->assignee_id,
                            &query->match_nothing))
    return FALSE;

  if (reviewer_id != NULL && g_ascii_strcasecmp (reviewer_id, "None") == 0)
    {
      query->reviewer_filter = NOD_FAKE_REVIEWER_NONE;
    }
  else if (reviewer_id != NULL && g_ascii_strcasecmp (reviewer_id, "Any") == 0)
    {
      query->reviewer_filter = NOD_FAKE_REVIEWER_SOME;
    }
  else
    {
      query->reviewer_id = 0;
      if (!read_user_filter (call, "reviewer_id", "reviewer_username", &query->reviewer_id,
                             &query->match_nothing))
        return FALSE;
      if (query->reviewer_id != 0 || query->match_nothing)
        query->reviewer_filter = NOD_FAKE_REVIEWER_USER;
    }

  if (!read_time_param (call, "updated_after", &query->updated_after)
      || !read_time_param (call, "updated_before", &query->updated_before)
      || !read_time_param (call, "created_after", &query->created_after)
      || !read_time_param (call, "created_before", &query->created_before))
    return FALSE;

  if (order_by == NULL || g_str_equal (order_by, "created_at"))
    query->order_by_updated_at = FALSE;
  else if (g_str_equal (order_by, "updated_at"))
    query->order_by_updated_at = TRUE;
  else
    return invalid_param (call, "order_by");

  if (sort == NULL || g_str_equal (sort, "desc"))
    query->ascending = FALSE;
  else if (g_str_equal (sort, "asc"))
    query->ascending = TRUE;
  else
    return invalid_param (call, "sort");

  return TRUE;
}

/* As in a list (GitLab's MergeRequestBasic). */
static void
write_listed_merge_request (ApiCall           *call,
                            NodFakeJsonWriter *writer,
                            gpointer           item)
{
  _nod_fake_json_write_merge_request (call->self, writer, item, FALSE);
}

static void
write_merge_request (ApiCall           *call,
                     NodFakeJsonWriter *writer,
                     gpointer           item)
{
  _nod_fake_json_write_merge_request (call->self, writer, item, TRUE);
}

static void
list_merge_requests (ApiCall  *call,
                     gboolean  across_projects)
{
  NodFakeMrQuery query;
  GPtrArray *merge_requests;

  if (!read_merge_request_query (call, across_projects, &query))
    return;
  merge_requests = nod_fake_dataset_query_merge_requests (call->dataset, &query);
  _nod_fake_api_respond_page (call, merge_requests, write_listed_merge_request);
}

static void
handle_list_merge_requests (ApiCall *call)
{
  list_merge_requests (call, TRUE);
}

static void
handle_list_project_merge_requests (ApiCall *call)
{
  list_merge_requests (call, FALSE);
}

static void
handle_get_merge_request (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_merge_request, call->merge_request);
}

/* Routes: approvals */

static void
write_approvals (ApiCall           *call,
                 NodFakeJsonWriter *writer,
                 gpointer           item)
{
  _nod_fake_json_write_approvals (call->self, writer, item, call->me);
}

static void
handle_get_approvals (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_approvals, call->merge_request);
}

static void
handle_approve (ApiCall *call)
{
  NodFakeMergeRequest *merge_request = call->merge_request;
  g_autofree char *sha = param_dup_string (call->params, "sha");

  /* GitLab checks the sha first, then answers 401 to every refusal alike. */
  if (sha != NULL && *sha != '\0' && !g_str_equal (sha, merge_request->head_sha))
    {
      g_autofree char *message = g_strdup_printf ("SHA does not match HEAD of source branch: %s",
                                                  merge_request->head_sha);
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_CONFLICT, message);
      return;
    }
  if (merge_request->state != NOD_FAKE_MR_OPENED
      || merge_request->author == call->me
      || nod_fake_merge_request_has_approved (merge_request, call->me))
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_UNAUTHORIZED,
                                         "401 Unauthorized");
      return;
    }

  g_ptr_array_add (merge_request->approved_by, call->me);
  nod_fake_dataset_add_system_note (call->dataset, merge_request, call->me,
                                    "approved this merge request", call->now);
  nod_fake_dataset_touch (call->dataset, merge_request, call->now);
  respond_item (call, SOUP_STATUS_CREATED, write_approvals, merge_request);
}

static void
handle_unapprove (ApiCall *call)
{
  NodFakeMergeRequest *merge_request = call->merge_request;

  if (!g_ptr_array_remove (merge_request->approved_by, call->me))
    {
      respond_not_found (call);
      return;
    }
  nod_fake_dataset_add_system_note (call->dataset, merge_request, call->me,
                                    "unapproved this merge request", call->now);
  nod_fake_dataset_touch (call->dataset, merge_request, call->now);
  respond_item (call, SOUP_STATUS_CREATED, write_approvals, merge_request);
}

/* Routes: discussions and notes */

static void
write_discussion (ApiCall           *call,
                  NodFakeJsonWriter *writer,
                  gpointer           item)
{
  _nod_fake_json_write_discussion (call->self, writer, call->merge_request, item);
}

static void
write_note (ApiCall           *call,
            NodFakeJsonWriter *writer,
            gpointer           item)
{
  _nod_fake_json_write_note (call->self, writer, call->merge_request, item);
}

static void
handle_list_discussions (ApiCall *call)
{
  _nod_fake_api_respond_page (call, call->merge_request->discussions, write_discussion);
}

static void
handle_get_discussion (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_discussion, call->discussion);
}

typedef enum
{
  BODY_BLANK,
  BODY_QUICK_ACTIONS_ONLY,
  BODY_NOTE,
} BodyKind;

static BodyKind
classify_body (const char *body)
{
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
  gboolean any_line = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      any_line = TRUE;
      if (*lines[i] != '/')
        return BODY_NOTE;
    }
  return any_line ? BODY_QUICK_ACTIONS_ONLY : BODY_BLANK;
}

/* GitLab's answer to a note that was nothing but quick actions: 202, and no note. */
static void
respond_commands_applied (ApiCall *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) accepted = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "commands_changes");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "summary");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "Applied commands");
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  accepted = json_builder_get_root (builder);
  _nod_fake_request_respond (call->request, SOUP_STATUS_ACCEPTED, accepted);
}

/* Longer than a note may be (Gitlab::Database::MAX_TEXT_SIZE_LIMIT, in characters): answers
 * the 400 of Note's validation and returns TRUE. */
static gboolean
refuse_too_long_note (ApiCall    *call,
                      const char *body)
{
  gsize length = g_utf8_validate (body, -1, NULL) ? (gsize) g_utf8_strlen (body, -1)
                                                  : strlen (body);
  g_autofree char *message = NULL;

  if (length <= NOD_FAKE_NOTE_MAX_CHARS)
    return FALSE;
  message = g_strdup_printf ("400 Bad request - Note {:note=>[\"is too long (maximum is %u "
                             "characters)\"]}", NOD_FAKE_NOTE_MAX_CHARS);
  _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST, message);
  return TRUE;
}

/* Reads the note body; answers (400 or 202) and returns FALSE unless a note is to be made.
 * Spends one unit of the note-creation budget first, as GitLab's throttle does. */
static gboolean
read_note_body (ApiCall  *call,
                char    **body)
{
  guint retry_after = 0;

  if (!_nod_fake_budget_spend (&call->self->notes_budget, call->now, &retry_after))
    {
      SoupMessageHeaders *headers =
        soup_server_message_get_response_headers (call->request->msg);
      g_autofree char *retry_text = g_strdup_printf ("%u", retry_after);

      /* This limit is not advertised: no RateLimit-* headers, only Retry-After. */
      for (guint i = 0; i < G_N_ELEMENTS (rate_limit_headers); i++)
        soup_message_headers_remove (headers, rate_limit_headers[i]);
      soup_message_headers_replace (headers, "Retry-After", retry_text);
      _nod_fake_request_respond_message (call->request, HTTP_STATUS_TOO_MANY_REQUESTS,
                                         "This endpoint has been requested too many times. "
                                         "Try again later.");
      return FALSE;
    }

  *body = param_dup_string (call->params, "body");
  if (*body == NULL)
    return missing_param (call, "body");

  switch (classify_body (*body))
    {
    case BODY_BLANK:
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST,
                                         "400 Bad request - Note can't be blank");
      return FALSE;

    case BODY_QUICK_ACTIONS_ONLY:
      respond_commands_applied (call);
      return FALSE;

    case BODY_NOTE:
    default:
      return !refuse_too_long_note (call, *body);
    }
}

static gboolean
is_sha (const char *text)
{
  if (text == NULL || strlen (text) != NOD_FAKE_SHA_LENGTH)
    return FALSE;
  for (const char *cursor = text; *cursor != '\0'; cursor++)
    {
      if (!g_ascii_isxdigit (*cursor))
        return FALSE;
    }
  return TRUE;
}

#define LINE_CODE_REFUSAL \
  "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"
#define INCOMPLETE_REFUSAL "400 Bad request - Note {:position=>[\"is incomplete\"]}"

/* A position's refusal, in the words POST …/discussions would answer with. */
typedef struct
{
  char     *words;
  gboolean  grape_shaped;  /* Grape's {"error"}, not {"message"} */
} PositionRefusal;

static gboolean
refuse_position (PositionRefusal *refusal,
                 gboolean         grape_shaped,
                 char            *words)
{
  refusal->words = words;
  refusal->grape_shaped = grape_shaped;
  return FALSE;
}

static gboolean
refuse_invalid_member (PositionRefusal *refusal,
                       const char      *name)
{
  return refuse_position (refusal, TRUE, g_strdup_printf ("%s is invalid", name));
}

/* A line number in a position: absent or null is 0; anything but a positive integer is
 * Grape's "is invalid". */
static gboolean
read_position_line (PositionRefusal *refusal,
                    JsonObject      *object,
                    const char      *member,
                    const char      *name,
                    gint64          *line)
{
  *line = 0;
  if (node_get_int (json_object_get_member (object, member), line) == PARAM_INVALID
      || *line < 0 || *line > G_MAXINT32)
    return refuse_invalid_member (refusal, name);
  return TRUE;
}

/* "line_range": {"start": {"old_line","new_line",…}, "end": {…}}: a multi-line comment. */
static gboolean
read_line_range (PositionRefusal *refusal,
                 JsonObject      *position_object,
                 NodFakePosition *position)
{
  JsonNode *node = json_object_get_member (position_object, "line_range");
  JsonObject *range;
  JsonNode *start, *end;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return refuse_invalid_member (refusal, "position[line_range]");
  range = json_node_get_object (node);
  start = json_object_get_member (range, "start");
  end = json_object_get_member (range, "end");
  if (start == NULL || end == NULL || !JSON_NODE_HOLDS_OBJECT (start)
      || !JSON_NODE_HOLDS_OBJECT (end))
    return refuse_invalid_member (refusal, "position[line_range]");
  if (!read_position_line (refusal, json_node_get_object (start), "old_line",
                           "position[line_range][start][old_line]",
                           &position->range_start_old_line)
      || !read_position_line (refusal, json_node_get_object (start), "new_line",
                              "position[line_range][start][new_line]",
                              &position->range_start_new_line)
      || !read_position_line (refusal, json_node_get_object (end), "old_line",
                              "position[line_range][end][old_line]",
                              &position->range_end_old_line)
      || !read_position_line (refusal, json_node_get_object (end), "new_line",
                              "position[line_range][end][new_line]",
                              &position->range_end_new_line))
    return FALSE;
  position->has_line_range = TRUE;
  return TRUE;
}

/* A text position; FALSE with the refusal GitLab would answer when it is not one of the
 * merge request's diff lines (of its own version, or of an earlier one). */
static gboolean
judge_position (NodFakeMergeRequest  *merge_request,
                JsonNode             *node,
                NodFakePosition     **position,
                PositionRefusal      *refusal)
{
  static const char *const required[] = { "base_sha", "start_sha", "head_sha",
                                          "position_type" };
  g_autoptr(NodFakePosition) result = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  /* (an array that frees each value, missing ones among them) */
  g_autoptr(GPtrArray) found = g_ptr_array_new_full (G_N_ELEMENTS (required), g_free);
  char **values;
  JsonObject *object;

  *position = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return refuse_invalid_member (refusal, "position");
  object = json_node_get_object (node);

  /* Grape names every missing key at once, in the order the API declares them. */
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    g_ptr_array_add (found, param_dup_string (object, required[i]));
  values = (char **) found->pdata;
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (values[i] != NULL)
        continue;
      if (missing->len > 0)
        g_string_append (missing, ", ");
      g_string_append_printf (missing, "position[%s] is missing", required[i]);
    }
  if (missing->len > 0)
    return refuse_position (refusal, TRUE, g_string_free (g_steal_pointer (&missing), FALSE));
  if (!g_str_equal (values[3], "text") && !g_str_equal (values[3], "image")
      && !g_str_equal (values[3], "file"))
    return refuse_position (refusal, TRUE,
                            g_strdup ("position[position_type] does not have a valid value"));

  result = g_new0 (NodFakePosition, 1);
  result->old_path = param_dup_string (object, "old_path");
  result->new_path = param_dup_string (object, "new_path");
  if (!read_position_line (refusal, object, "old_line", "position[old_line]",
                           &result->old_line)
      || !read_position_line (refusal, object, "new_line", "position[new_line]",
                              &result->new_line)
      || !read_line_range (refusal, object, result))
    return FALSE;
  /* The fake has no images: only text positions are complete. */
  if (!g_str_equal (values[3], "text") || result->old_path == NULL || result->new_path == NULL
      || (result->old_line == 0 && result->new_line == 0))
    return refuse_position (refusal, FALSE, g_strdup (INCOMPLETE_REFUSAL));
  /* Anything but a sha the repository has cannot give the note a line code. */
  if (!is_sha (values[0]) || !is_sha (values[1]) || !is_sha (values[2]))
    return refuse_position (refusal, FALSE, g_strdup (LINE_CODE_REFUSAL));
  memcpy (result->base_sha, values[0], NOD_FAKE_SHA_LENGTH);
  memcpy (result->start_sha, values[1], NOD_FAKE_SHA_LENGTH);
  memcpy (result->head_sha, values[2], NOD_FAKE_SHA_LENGTH);
  if (!nod_fake_position_is_on_diff (merge_request, result))
    return refuse_position (refusal, FALSE, g_strdup (LINE_CODE_REFUSAL));

  *position = g_steal_pointer (&result);
  return TRUE;
}

gboolean
_nod_fake_api_judge_position (NodFakeMergeRequest  *merge_request,
                              JsonNode             *node,
                              NodFakePosition     **position,
                              char                **refusal)
{
  PositionRefusal verdict = { NULL, FALSE };

  if (judge_position (merge_request, node, position, &verdict))
    return TRUE;
  *refusal = verdict.words;
  return FALSE;
}

/* The request's position, judged; answers 400 as GitLab would and returns FALSE when it
 * is refused. */
static gboolean
read_position (ApiCall          *call,
               NodFakePosition **position)
{
  PositionRefusal refusal = { NULL, FALSE };
  g_autofree char *words = NULL;

  if (judge_position (call->merge_request, json_object_get_member (call->params, "position"),
                      position, &refusal))
    return TRUE;
  words = refusal.words;
  if (refusal.grape_shaped)
    _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST, words);
  else
    _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST, words);
  return FALSE;
}

static void
handle_create_discussion (ApiCall *call)
{
  g_autofree char *body = NULL;
  g_autoptr(NodFakePosition) position = NULL;
  NodFakeDiscussion *discussion;

  if (!read_note_body (call, &body) || !read_position (call, &position))
    return;

  discussion = nod_fake_dataset_start_thread (call->dataset, call->merge_request, call->me,
                                              body, g_steal_pointer (&position), call->now);
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  nod_fake_merge_request_notify (call->merge_request, NOD_FAKE_NOTIFICATION_NOTE, 1);
  respond_item (call, SOUP_STATUS_CREATED, write_discussion, discussion);
}

static void
handle_create_note (ApiCall *call)
{
  NodFakeDiscussion *discussion = call->discussion;
  NodFakeNote *first = g_ptr_array_index (discussion->notes, 0);
  g_autofree char *body = NULL;
  NodFakeNote *note;

  if (first->system)
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST,
                                         "400 Bad request - System notes cannot be replied to");
      return;
    }
  if (!read_note_body (call, &body))
    return;

  note = nod_fake_dataset_add_reply (call->dataset, discussion, call->me, body, call->now);
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  nod_fake_merge_request_notify (call->merge_request, NOD_FAKE_NOTIFICATION_NOTE, 1);
  respond_item (call, SOUP_STATUS_CREATED, write_note, note);
}

static void
handle_update_discussion (ApiCall *call)
{
  NodFakeDiscussion *discussion = call->discussion;
  gboolean resolved = FALSE;

  switch (param_get_bool (call->params, "resolved", &resolved))
    {
    case PARAM_ABSENT:
      missing_param (call, "resolved");
      return;
    case PARAM_INVALID:
      invalid_param (call, "resolved");
      return;
    case PARAM_VALID:
    default:
      break;
    }

  if (!nod_fake_discussion_is_resolvable (discussion))
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_BAD_REQUEST,
                                         "400 Bad request - Discussion is not resolvable");
      return;
    }

  nod_fake_discussion_set_resolved (discussion, resolved, call->me, call->now);
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  respond_item (call, SOUP_STATUS_OK, write_discussion, discussion);
}

/* Grape's allow_blank: nothing but white space (Ruby's blank?, Unicode's spaces too). */
static gboolean
is_blank (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *cursor = text; *cursor != '\0'; cursor = g_utf8_next_char (cursor))
    {
      if (!g_unichar_isspace (g_utf8_get_char (cursor)))
        return FALSE;
    }
  return TRUE;
}

/* GitLab's admin_note: only a note's author may change it (a maintainer too, but the fake
 * has no roles), and nobody a system note. Answers 403 and returns FALSE otherwise. */
static gboolean
may_change_note (ApiCall *call)
{
  if (call->note->author == call->me && !call->note->system)
    return TRUE;
  _nod_fake_request_respond_message (call->request, SOUP_STATUS_FORBIDDEN, "403 Forbidden");
  return FALSE;
}

/* GitLab's PUT …/notes/:note_id (Notes::UpdateService): the same text again saves nothing,
 * so it answers 200 and the note's updated_at stays; without a body, nothing to change. */
static void
handle_update_note (ApiCall *call)
{
  g_autofree char *body = param_dup_string (call->params, "body");
  gboolean has_body = json_object_has_member (call->params, "body");

  /* Grape checks its parameters before the note is looked up. */
  if (has_body && (body == NULL || is_blank (body)))
    {
      _nod_fake_request_respond_error (call->request, SOUP_STATUS_BAD_REQUEST,
                                       "body is empty");
      return;
    }
  if (call->note == NULL)
    {
      respond_not_found (call);
      return;
    }
  if (!may_change_note (call))
    return;
  if (!has_body)
    {
      respond_item (call, SOUP_STATUS_OK, write_note, call->note);
      return;
    }
  if (refuse_too_long_note (call, body))
    return;

  /* Saving the note touches its merge request (Note's after_save), changed text or not. */
  nod_fake_dataset_touch (call->dataset, call->merge_request, call->now);
  if (classify_body (body) == BODY_QUICK_ACTIONS_ONLY)
    {
      /* Edited down to quick actions: they are run and the note is deleted. */
      nod_fake_dataset_remove_note (call->dataset, call->merge_request, call->discussion,
                                    call->note);
      respond_commands_applied (call);
      return;
    }
  nod_fake_dataset_edit_note (call->dataset, call->note, body, call->now);
  respond_item (call, SOUP_STATUS_OK, write_note, call->note);
}

/* GitLab's DELETE …/notes/:note_id: 204; the thread goes with its last note. Destroying a
 * note saves nothing, so the merge request's updated_at stays. */
static void
handle_delete_note (ApiCall *call)
{
  g_autoptr(GBytes) nothing = g_bytes_new_static ("", 0);

  if (call->note == NULL)
    {
      respond_not_found (call);
      return;
    }
  if (!may_change_note (call))
    return;
  nod_fake_dataset_remove_note (call->dataset, call->merge_request, call->discussion,
                                call->note);
  _nod_fake_request_respond_bytes (call->request, SOUP_STATUS_NO_CONTENT, "application/json",
                                   nothing);
}

/* Routes: the change */

static void
write_file_diff (ApiCall           *call,
                 NodFakeJsonWriter *writer,
                 gpointer           item)
{
  gboolean unidiff = FALSE;

  param_get_bool (call->params, "unidiff", &unidiff);
  _nod_fake_json_write_file_diff (writer, item, unidiff);
}

static void
handle_list_diffs (ApiCall *call)
{
  NodFakeMergeRequest *merge_request = call->merge_request;
  g_autoptr(GPtrArray) file_diffs = NULL;
  gboolean unidiff = FALSE;

  if (param_get_bool (call->params, "unidiff", &unidiff) == PARAM_INVALID)
    {
      invalid_param (call, "unidiff");
      return;
    }
  file_diffs = nod_fake_merge_request_diff (merge_request, merge_request->start_sha,
                                            merge_request->head_sha);
  if (file_diffs == NULL)
    file_diffs = g_ptr_array_new ();
  _nod_fake_api_respond_page (call, file_diffs, write_file_diff);
}

static void
write_version (ApiCall           *call,
               NodFakeJsonWriter *writer,
               gpointer           item)
{
  _nod_fake_json_write_version (call->self, writer, call->merge_request, item, FALSE);
}

static void
handle_list_versions (ApiCall *call)
{
  GArray *versions = call->merge_request->versions;
  g_autoptr(GPtrArray) newest_first = g_ptr_array_sized_new (versions->len);

  for (guint i = versions->len; i-- > 0;)
    g_ptr_array_add (newest_first, &g_array_index (versions, NodFakeVersion, i));
  _nod_fake_api_respond_page (call, newest_first, write_version);
}

static void
write_pipeline (ApiCall           *call,
                NodFakeJsonWriter *writer,
                gpointer           item)
{
  _nod_fake_json_write_pipeline (call->self, writer, call->merge_request, item, NULL);
}

/* GitLab's GET …/merge_requests/:iid/pipelines: newest first, paginated. */
static void
handle_list_pipelines (ApiCall *call)
{
  GArray *pipelines = call->merge_request->pipelines;
  g_autoptr(GPtrArray) newest_first = g_ptr_array_sized_new (pipelines->len);

  for (guint i = pipelines->len; i-- > 0;)
    g_ptr_array_add (newest_first, &g_array_index (pipelines, NodFakePipeline, i));
  _nod_fake_api_respond_page (call, newest_first, write_pipeline);
}

static void
write_commit (ApiCall           *call,
              NodFakeJsonWriter *writer,
              gpointer           item)
{
  _nod_fake_json_write_commit (call->self, writer, call->merge_request, item);
}

/* GitLab's GET …/merge_requests/:iid/commits: the source branch's commits since the
 * target's head, newest first, paginated. */
static void
handle_list_commits (ApiCall *call)
{
  NodFakeMergeRequest *merge_request = call->merge_request;
  NodFakeRepository *repository = merge_request->project->repository;
  g_autoptr(GPtrArray) newest_first = g_ptr_array_new ();

  for (NodFakeCommit *commit = nod_fake_repository_find_commit (repository,
                                                                merge_request->head_sha);
       commit != NULL && !g_str_equal (commit->sha, merge_request->start_sha);
       commit = nod_fake_repository_find_commit (repository, commit->parent_sha))
    g_ptr_array_add (newest_first, commit);
  _nod_fake_api_respond_page (call, newest_first, write_commit);
}

static void
write_detailed_version (ApiCall           *call,
                        NodFakeJsonWriter *writer,
                        gpointer           item)
{
  _nod_fake_json_write_version (call->self, writer, call->merge_request, item, TRUE);
}

static void
handle_get_version (ApiCall *call)
{
  respond_item (call, SOUP_STATUS_OK, write_detailed_version, call->version);
}

/* The bytes of @blob with GitLab's X-Gitlab-* headers. */
static void
respond_blob (ApiCall       *call,
              NodFakeBlob   *blob,
              NodFakeCommit *commit)
{
  g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, blob->content);

  set_header (call, "X-Gitlab-Blob-Id", blob->id);
  set_header_uint (call, "X-Gitlab-Size", g_bytes_get_size (blob->content));
  set_header (call, "X-Gitlab-Content-Sha256", sha256);
  set_header (call, "X-Gitlab-Encoding", "base64");
  if (commit != NULL)
    {
      const char *name = strrchr (call->file_path, '/');

      set_header (call, "X-Gitlab-Commit-Id", commit->sha);
      set_header (call, "X-Gitlab-Last-Commit-Id", commit->sha);
      set_header (call, "X-Gitlab-Ref", commit->sha);
      set_header (call, "X-Gitlab-File-Path", call->file_path);
      set_header (call, "X-Gitlab-File-Name", name != NULL ? name + 1 : call->file_path);
    }
  _nod_fake_request_respond_bytes (call->request, SOUP_STATUS_OK,
                                   blob->binary ? "application/octet-stream"
                                                : "text/plain; charset=utf-8",
                                   blob->content);
}

static void
handle_get_raw_file (ApiCall *call)
{
  NodFakeRepository *repository = call->project->repository;
  g_autofree char *ref = param_dup_string (call->params, "ref");
  NodFakeCommit *commit = NULL;
  NodFakeBlob *blob;

  /* Only commit shas are refs here: the fake keeps no branches. */
  if (ref != NULL && is_sha (ref))
    commit = nod_fake_repository_find_commit (repository, ref);
  if (commit == NULL)
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND,
                                         "404 Commit Not Found");
      return;
    }
  blob = nod_fake_commit_find_file (commit, call->file_path);
  if (blob == NULL)
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND,
                                         "404 File Not Found");
      return;
    }
  respond_blob (call, blob, commit);
}

static void
handle_get_raw_blob (ApiCall *call)
{
  NodFakeBlob *blob = nod_fake_repository_find_blob (call->project->repository,
                                                     call->blob_sha);

  if (blob == NULL)
    {
      _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND,
                                         "404 Blob Not Found");
      return;
    }
  respond_blob (call, blob, NULL);
}

static const Route routes[] = {
  { "GET", "version", handle_version },
  { "GET", "user", handle_get_user },
  { "GET", "projects", handle_list_projects },
  { "GET", "projects/:project", handle_get_project },
  { "GET", "merge_requests", handle_list_merge_requests },
  { "GET", "projects/:project/merge_requests", handle_list_project_merge_requests },
  { "GET", "projects/:project/merge_requests/:iid", handle_get_merge_request },
  { "GET", "projects/:project/merge_requests/:iid/approvals", handle_get_approvals },
  { "POST", "projects/:project/merge_requests/:iid/approve", handle_approve },
  { "POST", "projects/:project/merge_requests/:iid/unapprove", handle_unapprove },
  { "GET", "projects/:project/merge_requests/:iid/discussions", handle_list_discussions },
  { "POST", "projects/:project/merge_requests/:iid/discussions", handle_create_discussion },
  { "GET", "projects/:project/merge_requests/:iid/discussions/:discussion",
    handle_get_discussion },
  { "PUT", "projects/:project/merge_requests/:iid/discussions/:discussion",
    handle_update_discussion },
  { "POST", "projects/:project/merge_requests/:iid/discussions/:discussion/notes",
    handle_create_note },
  { "PUT", "projects/:project/merge_requests/:iid/notes/:note", handle_update_note },
  { "DELETE", "projects/:project/merge_requests/:iid/notes/:note", handle_delete_note },
  { "GET", "projects/:project/merge_requests/:iid/draft_notes",
    _nod_fake_api_list_draft_notes },
  { "POST", "projects/:project/merge_requests/:iid/draft_notes",
    _nod_fake_api_create_draft_note },
  { "POST", "projects/:project/merge_requests/:iid/draft_notes/bulk_publish",
    _nod_fake_api_bulk_publish_draft_notes },
  { "GET", "projects/:project/merge_requests/:iid/draft_notes/:draft",
    _nod_fake_api_get_draft_note },
  { "PUT", "projects/:project/merge_requests/:iid/draft_notes/:draft",
    _nod_fake_api_update_draft_note },
  { "DELETE", "projects/:project/merge_requests/:iid/draft_notes/:draft",
    _nod_fake_api_delete_draft_note },
  { "PUT", "projects/:project/merge_requests/:iid/draft_notes/:draft/publish",
    _nod_fake_api_publish_draft_note },
  { "GET", "projects/:project/merge_requests/:iid/diffs", handle_list_diffs },
  { "GET", "projects/:project/merge_requests/:iid/versions", handle_list_versions },
  { "GET", "projects/:project/merge_requests/:iid/pipelines", handle_list_pipelines },
  { "GET", "projects/:project/merge_requests/:iid/commits", handle_list_commits },
  { "GET", "projects/:project/merge_requests/:iid/versions/:version", handle_get_version },
  { "GET", "projects/:project/repository/files/:file_path/raw", handle_get_raw_file },
  { "GET", "projects/:project/repository/blobs/:blob/raw", handle_get_raw_blob },
};

/* The segment of a route's pattern at @pattern: its length, and where the next one starts
 * (NULL after the last). */
static gsize
pattern_segment (const char  *pattern,
                 const char **next)
{
  const char *end = strchr (pattern, '/');

  *next = end != NULL ? end + 1 : NULL;
  return end != NULL ? (gsize) (end - pattern) : strlen (pattern);
}

/* Matches @segments (decoded) against the route's pattern: a ":capture" takes any segment
 * but an empty one. */
static gboolean
route_matches (const Route *route,
               char       **segments)
{
  const char *pattern = route->pattern;
  guint i;

  for (i = 0; pattern != NULL; i++)
    {
      const char *segment = pattern;
      gsize length = pattern_segment (segment, &pattern);

      if (segments[i] == NULL)
        return FALSE;
      if (segment[0] == ':')
        {
          if (*segments[i] == '\0')
            return FALSE;
        }
      else if (strlen (segments[i]) != length || memcmp (segments[i], segment, length) != 0)
        {
          return FALSE;
        }
    }
  return segments[i] == NULL;
}

static gboolean
is_capture (const char *segment,
            gsize       length,
            const char *name)
{
  return length == strlen (name) && memcmp (segment, name, length) == 0;
}

/* Resolves :project, :iid, :discussion and the rest; answers 404 (400 for a :draft or :note
 * that is no number) and returns FALSE when one is unknown, except a :draft or a :note: a
 * handler may check its parameters first, as GitLab's PUT does. */
static gboolean
resolve_captures (ApiCall     *call,
                  const Route *route,
                  char       **segments)
{
  const char *pattern = route->pattern;

  for (guint i = 0; pattern != NULL; i++)
    {
      const char *segment = pattern;
      gsize length = pattern_segment (segment, &pattern);

      if (is_capture (segment, length, ":project"))
        {
          call->project = nod_fake_dataset_find_project (call->dataset, segments[i]);
          if (call->project == NULL)
            {
              _nod_fake_request_respond_message (call->request, SOUP_STATUS_NOT_FOUND,
                                                 "404 Project Not Found");
              return FALSE;
            }
        }
      else if (is_capture (segment, length, ":iid"))
        {
          guint64 iid = 0;

          if (g_ascii_string_to_unsigned (segments[i], 10, 1, G_MAXINT64, &iid, NULL))
            call->merge_request = nod_fake_dataset_find_merge_request (call->dataset,
                                                                       call->project,
                                                                       (gint64) iid);
          if (call->merge_request == NULL)
            {
              respond_not_found (call);
              return FALSE;
            }
        }
      else if (is_capture (segment, length, ":version"))
        {
          guint64 version_id = 0;

          if (g_ascii_string_to_unsigned (segments[i], 10, 1, G_MAXINT64, &version_id, NULL))
            call->version = nod_fake_merge_request_find_version (call->merge_request,
                                                                 (gint64) version_id);
          if (call->version == NULL)
            {
              respond_not_found (call);
              return FALSE;
            }
        }
      else if (is_capture (segment, length, ":file_path"))
        {
          call->file_path = segments[i];
        }
      else if (is_capture (segment, length, ":blob"))
        {
          call->blob_sha = segments[i];
        }
      else if (is_capture (segment, length, ":draft"))
        {
          gint64 draft_id = 0;

          if (!g_ascii_string_to_signed (segments[i], 10, G_MININT64, G_MAXINT64, &draft_id,
                                         NULL))
            return invalid_param (call, "draft_note_id");
          call->draft_note = nod_fake_merge_request_find_draft_note (call->merge_request,
                                                                     call->me, draft_id);
        }
      else if (is_capture (segment, length, ":note"))
        {
          gint64 note_id = 0;

          if (!g_ascii_string_to_signed (segments[i], 10, G_MININT64, G_MAXINT64, &note_id,
                                         NULL))
            return invalid_param (call, "note_id");
          call->note = nod_fake_merge_request_find_note (call->merge_request, note_id,
                                                         &call->discussion);
        }
      else if (is_capture (segment, length, ":discussion"))
        {
          call->discussion = nod_fake_merge_request_find_discussion (call->merge_request,
                                                                     segments[i]);
          if (call->discussion == NULL)
            {
              respond_not_found (call);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* The budget's RateLimit-* headers, as GitLab's throttle sends them; @spent: as on the
 * throttle's own 429, none left whatever the count says. */
void
_nod_fake_gitlab_set_rate_limit_headers (NodFakeGitlab     *self,
                                         SoupServerMessage *msg,
                                         gboolean           spent)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const NodFakeBudget *budget = &self->api_budget;
  gint64 reset_s = (budget->reset_at + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  char limit[16], observed[16], remaining[16], reset[24];

  g_snprintf (limit, sizeof limit, "%u", budget->limit);
  g_snprintf (observed, sizeof observed, "%u", budget->observed);
  g_snprintf (remaining, sizeof remaining, "%u",
              !spent && budget->observed < budget->limit ? budget->limit - budget->observed : 0);
  g_snprintf (reset, sizeof reset, "%" G_GINT64_FORMAT, reset_s);
  /* The same for every request of a window: formatted once. */
  if (self->reset_date == NULL || self->reset_date_s != reset_s)
    {
      g_autoptr(GDateTime) reset_time = g_date_time_new_from_unix_utc (reset_s);

      g_free (self->reset_date);
      self->reset_date = soup_date_time_to_string (reset_time, SOUP_DATE_HTTP);
      self->reset_date_s = reset_s;
    }

  soup_message_headers_replace (headers, "RateLimit-Name", "throttle_authenticated_api");
  soup_message_headers_replace (headers, "RateLimit-Limit", limit);
  soup_message_headers_replace (headers, "RateLimit-Observed", observed);
  soup_message_headers_replace (headers, "RateLimit-Remaining", remaining);
  soup_message_headers_replace (headers, "RateLimit-Reset", reset);
  soup_message_headers_replace (headers, "RateLimit-ResetTime", self->reset_date);
}

static gboolean
is_authenticated (NodFakeGitlab     *self,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *private_token = soup_message_headers_get_one (headers, "PRIVATE-TOKEN");
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (private_token != NULL)
    return g_str_equal (private_token, self->token);
  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    return g_str_equal (authorization + 7, self->token);
  return FALSE;
}

/* Splits the path after /api/v4/ into decoded segments; NULL when it cannot be decoded. */
static char **
split_path (const char *path)
{
  const char *rest = path + strlen ("/api/v4");
  g_auto(GStrv) raw = NULL;
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);

  if (*rest == '/')
    rest++;
  raw = g_strsplit (rest, "/", -1);
  for (guint i = 0; raw[i] != NULL; i++)
    {
      char *segment = g_uri_unescape_string (raw[i], NULL);

      if (segment == NULL)
        return NULL;
      g_ptr_array_add (segments, segment);
    }
  g_ptr_array_add (segments, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&segments), FALSE);
}

void
_nod_fake_gitlab_serve_api (NodFakeGitlab  *self,
                            NodFakeRequest *request,
                            const char     *path)
{
  SoupServerMessage *msg = request->msg;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) segments = NULL;
  const Route *route = NULL;
  gboolean path_known = FALSE;
  guint retry_after = 0;
  ApiCall call = { 0 };

  call.self = self;
  call.request = request;
  call.dataset = self->dataset;
  call.now = nod_fake_now ();

  if (!_nod_fake_budget_spend (&self->api_budget, call.now, &retry_after))
    {
      g_autofree char *retry_text = g_strdup_printf ("%u", retry_after);

      _nod_fake_gitlab_set_rate_limit_headers (self, msg, TRUE);
      set_header (&call, "Retry-After", retry_text);
      _nod_fake_request_respond_message (request, HTTP_STATUS_TOO_MANY_REQUESTS,
                                         "Retry later");
      return;
    }
  _nod_fake_gitlab_set_rate_limit_headers (self, msg, FALSE);

  if (!is_authenticated (self, msg))
    {
      _nod_fake_request_respond_message (request, SOUP_STATUS_UNAUTHORIZED, "401 Unauthorized");
      return;
    }
  call.me = nod_fake_dataset_find_user (self->dataset, NOD_FAKE_GITLAB_REVIEWER_ID);
  g_assert (call.me != NULL);

  segments = split_path (path);
  for (guint i = 0; segments != NULL && i < G_N_ELEMENTS (routes) && route == NULL; i++)
    {
      if (!route_matches (&routes[i], segments))
        continue;
      path_known = TRUE;
      if (g_str_equal (routes[i].method, method))
        route = &routes[i];
    }
  if (route == NULL)
    {
      if (path_known)
        _nod_fake_request_respond_message (request, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                           "405 Method Not Allowed");
      else
        _nod_fake_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "404 Not Found");
      return;
    }

  params = parse_params (msg, &error);
  if (params == NULL)
    {
      g_autofree char *message = g_strdup_printf ("400 Bad request - %s", error->message);
      _nod_fake_request_respond_message (request, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }
  call.params = params;
  if (find_non_scalar_param (params) != NULL)
    {
      invalid_param (&call, find_non_scalar_param (params));
      return;
    }

  if (!resolve_captures (&call, route, segments))
    return;
  route->handler (&call);
}
