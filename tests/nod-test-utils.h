/* nod-test-utils.h: waiting on async results in tests, with a deadline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "nod-forge.h"
#include "nod-store.h"

G_BEGIN_DECLS

/* How long a test waits for a condition before it fails. */
#define NOD_TEST_DEADLINE_US (30 * G_USEC_PER_SEC)

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult ** @user_data. */
void          nod_test_keep_result     (GObject       *source_object,
                                        GAsyncResult  *result,
                                        gpointer       user_data);

/* Iterates the thread-default main context until *@slot is set; fails the test when
 * the deadline passes. Returns *@slot. */
GAsyncResult *nod_test_wait_for_result (GAsyncResult **slot);

/* Iterates the thread-default main context until @condition (@data) holds. */
gint64        nod_test_deadline_us     (void);
void          nod_test_wait_while_moving (gboolean   (*condition) (gpointer data),
                                          guint      (*progress)  (gpointer data),
                                          gpointer     data);
void          nod_test_wait_until      (gboolean     (*condition) (gpointer data),
                                        gpointer       data);

void          nod_test_remove_tree     (const char    *path);
char         *nod_test_make_private_homes (const char  *test_name);
void          nod_test_assert_finalize_soon (gpointer  object);

NodStore     *nod_test_open_store      (const char    *path);
void          nod_test_exec            (NodStore      *store,
                                        const char    *sql);
gint64        nod_test_query_int       (NodStore      *store,
                                        const char    *sql);

/* The fake GitLab's control API (/__fake/…), synchronously for tests. */
JsonNode     *nod_test_fake_control        (const char    *base_url,
                                            const char    *method,
                                            const char    *path,
                                            const char    *json_body);
guint         nod_test_fake_count_requests (const char    *base_url,
                                            const char    *method,
                                            const char    *path_pattern);
/* Gates (a fault with "gate": NAME holds the requests it catches until released): how
 * many requests @gate holds now (0 when it is not armed), waiting until it holds at least
 * @n, and letting every one go on (it fails the test unless @gate is armed). */
guint         nod_test_fake_count_held     (const char    *base_url,
                                            const char    *gate);
void          nod_test_fake_wait_held      (const char    *base_url,
                                            const char    *gate,
                                            guint          n);
guint         nod_test_fake_release        (const char    *base_url,
                                            const char    *gate);
/* How many merge requests of @scope @forge lists as updated in the last @days (x-total). */
gint64        nod_test_count_merge_requests_since (NodForge            *forge,
                                                   NodMergeRequestScope scope,
                                                   guint                days);

/* The first column of the first row @sql gives, as text (NULL for SQL NULL). */
char         *nod_test_query_text          (NodStore      *store,
                                            const char    *sql);
/* "PATH?QUERY" (or "PATH" with no query) of each API request the fake logged with @method
 * (any, if %NULL) on a path matching @path_pattern, oldest first. */
GPtrArray    *nod_test_fake_list_requests  (const char    *base_url,
                                            const char    *method,
                                            const char    *path_pattern);

G_END_DECLS
