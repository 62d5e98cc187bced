/* nod-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nod-store-worker.h"
#include "nod-test-utils.h"

void
nod_test_keep_result (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

GAsyncResult *
nod_test_wait_for_result (GAsyncResult **slot)
{
  nod_test_wait_until (result_arrived, slot);
  return *slot;
}

static gboolean
keep_source (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* NOD_TEST_DEADLINE_US, times NOD_TEST_DEADLINE_SCALE from the environment: the suite run
 * under the sanitizers is several times slower, and says so. */
gint64
nod_test_deadline_us (void)
{
  const char *scale = g_getenv ("NOD_TEST_DEADLINE_SCALE");
  guint64 times = scale != NULL ? g_ascii_strtoull (scale, NULL, 10) : 1;

  return NOD_TEST_DEADLINE_US * (gint64) CLAMP (times, 1, 20);
}

void
nod_test_wait_until (gboolean (*condition) (gpointer data),
                     gpointer   data)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline_us = nod_test_deadline_us ();
  g_autoptr(GSource) deadline = g_timeout_source_new (deadline_us / 1000);
  g_autoptr(GSource) recheck = g_timeout_source_new (10);
  gboolean timed_out = FALSE;

  /* Block in the main context: whatever we wait for wakes it, and so does the deadline.
   * A condition that changes on another thread (a last unref in a worker) wakes
   * nothing, so it is looked at again every 10 ms as well. */
  g_source_set_callback (deadline, on_deadline, &timed_out, NULL);
  g_source_attach (deadline, context);
  g_source_set_callback (recheck, keep_source, NULL, NULL);
  g_source_attach (recheck, context);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (context, TRUE);

  g_source_destroy (recheck);
  g_source_destroy (deadline);
  if (timed_out && !condition (data))
    g_error ("Condition not met within %d s", (int) (deadline_us / G_USEC_PER_SEC));
}

typedef struct
{
  gboolean (*condition) (gpointer data);
  guint    (*progress)  (gpointer data);
  gpointer   data;
  guint      start;      /* @progress when this wait began */
} MovingWait;

static gboolean
met_or_moved (gpointer user_data)
{
  MovingWait *wait = user_data;

  return wait->condition (wait->data) || wait->progress (wait->data) != wait->start;
}

/* Like nod_test_wait_until(), but the deadline starts again whenever @progress changes:
 * however slow the build (the sanitizers, on a busy machine), what is waited for only has
 * to keep moving. */
void
nod_test_wait_while_moving (gboolean (*condition) (gpointer data),
                            guint    (*progress)  (gpointer data),
                            gpointer   data)
{
  while (!condition (data))
    {
      MovingWait wait = { condition, progress, data, progress (data) };

      nod_test_wait_until (met_or_moved, &wait);
    }
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops @object and waits until it is finalized: a worker thread may hold the last
 * reference for a moment after a call completes. */
void
nod_test_assert_finalize_soon (gpointer object)
{
  gpointer weak = object;

  g_assert_true (G_IS_OBJECT (object));
  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  nod_test_wait_until (pointer_cleared, &weak);
}

/* Removes @path and everything below it (it does not follow symbolic links). */
void
nod_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          nod_test_remove_tree (child);
        }
    }

  g_remove (path);
}

NodStore *
nod_test_open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  NodStore *store = nod_store_open_sync (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gboolean
exec_work (sqlite3       *db,
           gpointer       work_data,
           GCancellable  *cancellable,
           GError       **error)
{
  return nod_store_exec (db, work_data, error);
}

void
nod_test_exec (NodStore   *store,
               const char *sql)
{
  g_autoptr(GError) error = NULL;

  nod_store_run_sync (store, exec_work, (gpointer) sql, NULL, &error);
  g_assert_no_error (error);
}

typedef struct
{
  const char *sql;
  gint64      value;
} QueryInt;

static gboolean
query_int_work (sqlite3       *db,
                gpointer       work_data,
                GCancellable  *cancellable,
                GError       **error)
{
  QueryInt *query = work_data;
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, query->sql, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no row for: %s", query->sql);
      return FALSE;
    }
  query->value = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gint64
nod_test_query_int (NodStore   *store,
                    const char *sql)
{
  g_autoptr(GError) error = NULL;
  QueryInt query = { sql, 0 };

  nod_store_run_sync (store, query_int_work, &query, NULL, &error);
  g_assert_no_error (error);
  return query.value;
}

/**
 * nod_test_fake_control:
 * @json_body: (nullable): the request's JSON body
 *
 * Calls the fake GitLab's control API and fails the test unless it answers 2xx.
 *
 * Returns: (transfer full) (nullable): the answer, or %NULL when it had no body
 */
JsonNode *
nod_test_fake_control (const char *base_url,
                       const char *method,
                       const char *path,
                       const char *json_body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const char *text;

  if (json_body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (json_body, strlen (json_body));
      soup_message_set_request_body_from_bytes (message, "application/json", request);
    }

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL,
                                    nod_test_keep_result, &result);
  body = soup_session_send_and_read_finish (session, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), <, 300);

  text = g_bytes_get_data (body, &length);
  if (length == 0)
    return NULL;
  g_assert_true (json_parser_load_from_data (parser, text, (gssize) length, NULL));
  return json_parser_steal_root (parser);
}

/* API requests the fake logged with @method (any, if %NULL) on a path matching
 * @path_pattern. */
guint
nod_test_fake_count_requests (const char *base_url,
                              const char *method,
                              const char *path_pattern)
{
  g_autoptr(JsonNode) log = nod_test_fake_control (base_url, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if ((method == NULL ||
           g_str_equal (json_object_get_string_member (request, "method"), method)) &&
          g_regex_match_simple (path_pattern, json_object_get_string_member (request, "path"),
                                0, 0))
        count++;
    }

  return count;
}

guint
nod_test_fake_count_held (const char *base_url,
                          const char *gate)
{
  g_autoptr(JsonNode) gates = nod_test_fake_control (base_url, "GET", "/__fake/gates", NULL);
  JsonArray *array = json_node_get_array (gates);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (entry, "name"), gate))
        return (guint) json_object_get_int_member (entry, "held");
    }
  return 0;
}

typedef struct
{
  const char *base_url;
  const char *gate;
  guint       n;
} HeldWait;

static gboolean
gate_holds_enough (gpointer data)
{
  HeldWait *wait = data;

  return nod_test_fake_count_held (wait->base_url, wait->gate) >= wait->n;
}

void
nod_test_fake_wait_held (const char *base_url,
                         const char *gate,
                         guint       n)
{
  HeldWait wait = { base_url, gate, n };

  nod_test_wait_until (gate_holds_enough, &wait);
}

guint
nod_test_fake_release (const char *base_url,
                       const char *gate)
{
  g_autofree char *escaped = g_uri_escape_string (gate, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/__fake/gates/%s/release", escaped);
  g_autoptr(JsonNode) answer = nod_test_fake_control (base_url, "POST", path, NULL);

  return (guint) json_object_get_int_member (json_node_get_object (answer), "released");
}

gint64
nod_test_count_merge_requests_since (NodForge             *forge,
                                     NodMergeRequestScope  scope,
                                     guint                 days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) since = g_date_time_add_days (now, -(int) days);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GError) error = NULL;

  nod_forge_list_merge_requests_async (forge, scope, since, NULL, 1, NULL,
                                       nod_test_keep_result, &result);
  page = nod_forge_list_merge_requests_finish (forge, nod_test_wait_for_result (&result),
                                               &error);
  g_assert_no_error (error);
  return nod_forge_page_get_total (page);
}

typedef struct
{
  const char *sql;
  char       *value;
} QueryText;

static gboolean
query_text_work (sqlite3       *db,
                 gpointer       work_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  QueryText *query = work_data;
  g_autoptr(sqlite3_stmt) stmt = nod_store_prepare (db, query->sql, error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no row for: %s", query->sql);
      return FALSE;
    }
  query->value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return TRUE;
}

char *
nod_test_query_text (NodStore   *store,
                     const char *sql)
{
  g_autoptr(GError) error = NULL;
  QueryText query = { sql, NULL };

  nod_store_run_sync (store, query_text_work, &query, NULL, &error);
  g_assert_no_error (error);
  return query.value;
}

GPtrArray *
nod_test_fake_list_requests (const char *base_url,
                             const char *method,
                             const char *path_pattern)
{
  g_autoptr(JsonNode) log = nod_test_fake_control (base_url, "GET", "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *path = json_object_get_string_member (request, "path");
      const char *query = json_object_get_string_member_with_default (request, "query", "");

      if ((method != NULL &&
           !g_str_equal (json_object_get_string_member (request, "method"), method)) ||
          !g_regex_match_simple (path_pattern, path, 0, 0))
        continue;
      g_ptr_array_add (found, *query != '\0' ? g_strconcat (path, "?", query, NULL)
                                             : g_strdup (path));
    }

  return found;
}

/**
 * nod_test_make_private_homes:
 *
 * Points XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME and TMPDIR at
 * folders of a new scratch directory, made by hand: G_TEST_OPTION_ISOLATE_DIRS would also
 * hide the system's XDG_DATA_DIRS, and with them the icon theme and the MIME database GTK
 * loads icons with. Remove the directory with nod_test_remove_tree() at the end.
 *
 * Returns: (transfer full): the scratch directory
 */
char *
nod_test_make_private_homes (const char *test_name)
{
  static const char * const variables[] = {
    "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "TMPDIR",
  };
  g_autofree char *template = g_strdup_printf ("nod-test-%s-XXXXXX", test_name);
  char *home = g_dir_make_tmp (template, NULL);

  g_assert_nonnull (home);
  for (guint i = 0; i < G_N_ELEMENTS (variables); i++)
    {
      g_autofree char *dir = g_build_filename (home, variables[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (variables[i], dir, TRUE);
    }
  return home;
}
