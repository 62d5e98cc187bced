/* test-fake-gitlab-diffs.c: the fake GitLab's change — diffs, versions, raw files — and how
 * it judges diff-note positions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One fixture with a change of every kind (modified, renamed, deleted, new without a final
 * newline, binary, generated, too large, collapsed) and a second version; raw HTTP on a
 * loopback port, every wait on a result.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-test-http.h"
#include "nod-test-utils.h"

#define TOKEN "test-token"
#define MR "/projects/5/merge_requests/3"

/* Two 1×1 PNGs: binary files (NUL bytes in their first 8,000). */
#define PNG_BEFORE "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA" \
                   "WjR9awAAAABJRU5ErkJggg=="
#define PNG_AFTER "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB" \
                  "0C8AAAAASUVORK5CYII="

/* Version 1 changes src/a.c (line 5, a line after 12, line 18 gone) and the rest; version
 * 2 puts a header line on top and changes line 5 again. */
static const char fixture_json[] =
  "{\"users\": [{\"id\": 1, \"username\": \"sam\"}, {\"id\": 9, \"username\": \"kim\"}],"
  " \"projects\": [{\"id\": 5, \"namespace\": \"g\", \"path\": \"p\"}],"
  " \"merge_requests\": [{\"project\": \"g/p\", \"iid\": 3, \"title\": \"T\","
  "   \"author\": \"kim\", \"reviewers\": [\"sam\"],"
  "   \"change\": {"
  "     \"base\": {"
  "       \"src/a.c\": [\"line 1\", \"line 2\", \"line 3\", \"line 4\", \"line 5\", \"line 6\","
  "                   \"line 7\", \"line 8\", \"line 9\", \"line 10\", \"line 11\", \"line 12\","
  "                   \"line 13\", \"line 14\", \"line 15\", \"line 16\", \"line 17\","
  "                   \"line 18\", \"line 19\", \"line 20\"],"
  "       \"old/name.txt\": [\"n1\", \"n2\", \"n3\", \"n4\", \"n5\", \"n6\", \"n7\", \"n8\","
  "                        \"n9\", \"n10\"],"
  "       \"gone.txt\": \"bye\\n\","
  "       \"logo.png\": {\"base64\": \"" PNG_BEFORE "\"}},"
  "     \"head\": {"
  "       \"src/a.c\": [\"line 1\", \"line 2\", \"line 3\", \"line 4\", \"line 5 changed\","
  "                   \"line 6\", \"line 7\", \"line 8\", \"line 9\", \"line 10\", \"line 11\","
  "                   \"line 12\", \"inserted\", \"line 13\", \"line 14\", \"line 15\","
  "                   \"line 16\", \"line 17\", \"line 19\", \"line 20\"],"
  "       \"old/name.txt\": null,"
  "       \"new/name.txt\": [\"n1\", \"n2\", \"n3\", \"n4\", \"n5!\", \"n6\", \"n7\", \"n8\","
  "                        \"n9\", \"n10\"],"
  "       \"gone.txt\": null,"
  "       \"new.txt\": \"a\\nb\","
  "       \"logo.png\": {\"base64\": \"" PNG_AFTER "\"},"
  "       \"generated/table.c\": {\"made_up_lines\": 50},"
  "       \"big.txt\": {\"text\": \"x\\n\", \"too_large\": true},"
  "       \"folded.txt\": {\"lines\": [\"f\"], \"collapsed\": true}},"
  "     \"pushes\": [{"
  "       \"src/a.c\": [\"// header\", \"line 1\", \"line 2\", \"line 3\", \"line 4\","
  "                   \"line 5 changed twice\", \"line 6\", \"line 7\", \"line 8\", \"line 9\","
  "                   \"line 10\", \"line 11\", \"line 12\", \"inserted\", \"line 13\","
  "                   \"line 14\", \"line 15\", \"line 16\", \"line 17\", \"line 19\","
  "                   \"line 20\"]}]}}]}";

static const char a_c_diff[] =
  "@@ -1,8 +1,9 @@\n"
  "+// header\n line 1\n line 2\n line 3\n line 4\n-line 5\n+line 5 changed twice\n"
  " line 6\n line 7\n line 8\n"
  "@@ -10,11 +11,11 @@\n"
  " line 10\n line 11\n line 12\n+inserted\n line 13\n line 14\n line 15\n line 16\n"
  " line 17\n-line 18\n line 19\n line 20\n";

typedef struct
{
  NodFakeGitlab *fake;
  SoupSession   *session;
  char          *base_url;
  /* The current version's refs, and the first version's. */
  char          *base_sha;
  char          *start_sha;
  char          *head_sha;
  char          *first_head_sha;
} Fixture;

/* HTTP */

/* An API call as sam with a JSON body (or none); @path is after /api/v4. */
static NodTestResponse *
api (Fixture    *fixture,
     const char *method,
     const char *path,
     const char *json,
     guint       status)
{
  return nod_test_http_call (fixture->session, fixture->base_url, TOKEN, method, "/api/v4",
                             path, "application/json", json, status);
}

/* A POST to the fake's control API (@path is whole) with a JSON body. */
static NodTestResponse *
control_post (Fixture    *fixture,
              const char *path,
              const char *json,
              guint       status)
{
  return nod_test_http_expect (nod_test_http_send (fixture->session, fixture->base_url, NULL,
                                                   "POST", path, "application/json", json),
                               status);
}

/* JSON */

static const char *
string_of (JsonObject *object,
           const char *member)
{
  return json_object_get_string_member (object, member);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "diffs.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodTestResponse) merge_request = NULL, versions = NULL;
  JsonObject *diff_refs;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents (path, fixture_json, -1, &error);
  g_assert_no_error (error);

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, path, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  g_assert_no_error (error);
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->session = soup_session_new ();

  merge_request = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);
  diff_refs = json_object_get_object_member (nod_test_response_object (merge_request), "diff_refs");
  fixture->base_sha = g_strdup (string_of (diff_refs, "base_sha"));
  fixture->start_sha = g_strdup (string_of (diff_refs, "start_sha"));
  fixture->head_sha = g_strdup (string_of (diff_refs, "head_sha"));
  versions = api (fixture, "GET", MR "/versions", NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (versions)), ==, 2);
  fixture->first_head_sha = g_strdup (string_of (json_array_get_object_element (
                                                   nod_test_response_array (versions), 1),
                                                 "head_commit_sha"));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  g_assert_finalize_object (fixture->fake);
  g_free (fixture->base_url);
  g_free (fixture->base_sha);
  g_free (fixture->start_sha);
  g_free (fixture->head_sha);
  g_free (fixture->first_head_sha);
}

/* The file of @new_path in a list of diffs. */
static JsonObject *
find_file (JsonArray  *files,
           const char *new_path)
{
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);

      if (g_str_equal (string_of (file, "new_path"), new_path))
        return file;
    }
  g_error ("no diff for %s", new_path);
}

static void
test_diffs (Fixture       *fixture,
            gconstpointer  data)
{
  static const char *const order[] = {
    "big.txt", "folded.txt", "generated/table.c", "gone.txt", "logo.png", "new.txt",
    "new/name.txt", "src/a.c",
  };
  g_autoptr(NodTestResponse) all = api (fixture, "GET", MR "/diffs?per_page=100", NULL,
                                        SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) first = api (fixture, "GET", MR "/diffs?per_page=3", NULL,
                                          SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) last = api (fixture, "GET", MR "/diffs?per_page=3&page=3", NULL,
                                         SOUP_STATUS_OK);
  JsonArray *files = nod_test_response_array (all);
  JsonObject *file;

  g_assert_cmpuint (json_array_get_length (files), ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_cmpstr (string_of (json_array_get_object_element (files, i), "new_path"), ==,
                     order[i]);

  /* Pages, with GitLab's headers. */
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (first)), ==, 3);
  g_assert_cmpstr (soup_message_headers_get_one (first->headers, "x-total"), ==, "8");
  g_assert_cmpstr (soup_message_headers_get_one (first->headers, "x-next-page"), ==, "2");
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (last)), ==, 2);
  g_assert_cmpstr (soup_message_headers_get_one (last->headers, "x-next-page"), ==, "");

  file = find_file (files, "src/a.c");
  g_assert_cmpstr (string_of (file, "diff"), ==, a_c_diff);
  g_assert_cmpstr (string_of (file, "old_path"), ==, "src/a.c");
  g_assert_cmpstr (string_of (file, "a_mode"), ==, "100644");
  g_assert_cmpstr (string_of (file, "b_mode"), ==, "100644");
  g_assert_false (json_object_get_boolean_member (file, "new_file"));
  g_assert_false (json_object_get_boolean_member (file, "renamed_file"));
  g_assert_false (json_object_get_boolean_member (file, "deleted_file"));
  g_assert_false (json_object_get_boolean_member (file, "generated_file"));
  g_assert_false (json_object_get_boolean_member (file, "collapsed"));
  g_assert_false (json_object_get_boolean_member (file, "too_large"));

  file = find_file (files, "new/name.txt");
  g_assert_true (json_object_get_boolean_member (file, "renamed_file"));
  g_assert_cmpstr (string_of (file, "old_path"), ==, "old/name.txt");
  g_assert_cmpstr (string_of (file, "diff"), ==,
                   "@@ -2,7 +2,7 @@\n n2\n n3\n n4\n-n5\n+n5!\n n6\n n7\n n8\n");

  file = find_file (files, "new.txt");
  g_assert_true (json_object_get_boolean_member (file, "new_file"));
  g_assert_cmpstr (string_of (file, "a_mode"), ==, "0");
  g_assert_cmpstr (string_of (file, "diff"), ==,
                   "@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n");

  file = find_file (files, "gone.txt");
  g_assert_true (json_object_get_boolean_member (file, "deleted_file"));
  g_assert_cmpstr (string_of (file, "b_mode"), ==, "0");
  g_assert_cmpstr (string_of (file, "diff"), ==, "@@ -1 +0,0 @@\n-bye\n");

  file = find_file (files, "logo.png");
  g_assert_cmpstr (string_of (file, "diff"), ==, "Binary files a/logo.png and b/logo.png differ\n");

  file = find_file (files, "generated/table.c");
  g_assert_true (json_object_get_boolean_member (file, "generated_file"));
  g_assert_true (g_str_has_prefix (string_of (file, "diff"), "@@ -0,0 +1,50 @@\n+/* "));

  file = find_file (files, "big.txt");
  g_assert_true (json_object_get_boolean_member (file, "too_large"));
  g_assert_cmpstr (string_of (file, "diff"), ==, "");
  file = find_file (files, "folded.txt");
  g_assert_true (json_object_get_boolean_member (file, "collapsed"));
  g_assert_false (json_object_get_boolean_member (file, "too_large"));
  g_assert_cmpstr (string_of (file, "diff"), ==, "");
}

static void
test_unidiff (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodTestResponse) all = api (fixture, "GET", MR "/diffs?per_page=100&unidiff=true", NULL,
                                        SOUP_STATUS_OK);
  g_autofree char *expected = g_strconcat ("--- a/src/a.c\n+++ b/src/a.c\n", a_c_diff, NULL);
  JsonArray *files = nod_test_response_array (all);

  g_assert_cmpstr (string_of (find_file (files, "src/a.c"), "diff"), ==, expected);
  g_assert_cmpstr (string_of (find_file (files, "new.txt"), "diff"), ==,
                   "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n"
                   "\\ No newline at end of file\n");
  g_assert_cmpstr (string_of (find_file (files, "gone.txt"), "diff"), ==,
                   "--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n");
  g_assert_cmpstr (string_of (find_file (files, "new/name.txt"), "diff"), ==,
                   "--- a/old/name.txt\n+++ b/new/name.txt\n"
                   "@@ -2,7 +2,7 @@\n n2\n n3\n n4\n-n5\n+n5!\n n6\n n7\n n8\n");
}

static void
test_versions (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(NodTestResponse) merge_request = api (fixture, "GET", MR, NULL, SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) list = api (fixture, "GET", MR "/versions", NULL, SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) detail = NULL, missing = NULL, bad = NULL;
  g_autofree char *detail_path = NULL;
  JsonObject *newest, *oldest, *version, *commit;
  JsonArray *commits, *diffs;

  g_assert_cmpstr (string_of (nod_test_response_object (merge_request), "sha"), ==,
                   fixture->head_sha);
  newest = json_array_get_object_element (nod_test_response_array (list), 0);
  oldest = json_array_get_object_element (nod_test_response_array (list), 1);
  g_assert_cmpstr (string_of (newest, "head_commit_sha"), ==, fixture->head_sha);
  g_assert_cmpstr (string_of (newest, "base_commit_sha"), ==, fixture->base_sha);
  g_assert_cmpstr (string_of (newest, "start_commit_sha"), ==, fixture->start_sha);
  g_assert_cmpstr (string_of (oldest, "start_commit_sha"), ==, fixture->start_sha);
  g_assert_cmpstr (string_of (oldest, "head_commit_sha"), !=, fixture->head_sha);
  g_assert_cmpint (json_object_get_int_member (newest, "id"), >,
                   json_object_get_int_member (oldest, "id"));
  g_assert_cmpstr (string_of (newest, "state"), ==, "collected");
  g_assert_cmpstr (string_of (newest, "real_size"), ==, "8");
  g_assert_cmpint (json_object_get_int_member (newest, "merge_request_id"), ==,
                   json_object_get_int_member (nod_test_response_object (merge_request), "id"));
  g_assert_nonnull (string_of (newest, "created_at"));
  g_assert_false (json_object_has_member (newest, "diffs"));

  /* The first version: one commit, and src/a.c as it was then. */
  detail_path = g_strdup_printf (MR "/versions/%" G_GINT64_FORMAT,
                                 json_object_get_int_member (oldest, "id"));
  detail = api (fixture, "GET", detail_path, NULL, SOUP_STATUS_OK);
  version = nod_test_response_object (detail);
  commits = json_object_get_array_member (version, "commits");
  g_assert_cmpuint (json_array_get_length (commits), ==, 1);
  commit = json_array_get_object_element (commits, 0);
  g_assert_cmpstr (string_of (commit, "id"), ==, fixture->first_head_sha);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (commit,
                                                                                "parent_ids"),
                                                  0), ==, fixture->start_sha);
  diffs = json_object_get_array_member (version, "diffs");
  g_assert_cmpuint (json_array_get_length (diffs), ==, 8);
  g_assert_cmpstr (string_of (find_file (diffs, "src/a.c"), "diff"), ==,
                   "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line 5 changed\n"
                   " line 6\n line 7\n line 8\n"
                   "@@ -10,11 +10,11 @@\n line 10\n line 11\n line 12\n+inserted\n line 13\n"
                   " line 14\n line 15\n line 16\n line 17\n-line 18\n line 19\n line 20\n");

  missing = api (fixture, "GET", MR "/versions/999999", NULL, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpstr (string_of (nod_test_response_object (missing), "message"), ==, "404 Not found");
  bad = api (fixture, "GET", MR "/versions/abc", NULL, SOUP_STATUS_NOT_FOUND);
}

static void
test_raw_files (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *head_path = g_strdup_printf ("/projects/5/repository/files/src%%2Fa.c/raw"
                                                "?ref=%s", fixture->head_sha);
  g_autofree char *old_path = g_strdup_printf ("/projects/g%%2Fp/repository/files/"
                                               "old%%2Fname.txt/raw?ref=%s",
                                               fixture->start_sha);
  g_autofree char *slash_path = g_strdup_printf ("/projects/5/repository/files/src/a.c/raw"
                                                 "?ref=%s", fixture->head_sha);
  g_autofree char *missing_path = g_strdup_printf ("/projects/5/repository/files/nope.c/raw"
                                                   "?ref=%s", fixture->head_sha);
  g_autofree char *deleted_path = g_strdup_printf ("/projects/5/repository/files/gone.txt/raw"
                                                   "?ref=%s", fixture->head_sha);
  g_autoptr(NodTestResponse) head = api (fixture, "GET", head_path, NULL, SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) old = api (fixture, "GET", old_path, NULL, SOUP_STATUS_OK);
  g_autoptr(NodTestResponse) slash = api (fixture, "GET", slash_path, NULL,
                                          SOUP_STATUS_NOT_FOUND);
  g_autoptr(NodTestResponse) missing = api (fixture, "GET", missing_path, NULL,
                                            SOUP_STATUS_NOT_FOUND);
  g_autoptr(NodTestResponse) deleted = api (fixture, "GET", deleted_path, NULL,
                                            SOUP_STATUS_NOT_FOUND);
  g_autoptr(NodTestResponse) bad_ref = api (fixture, "GET",
                                            "/projects/5/repository/files/src%2Fa.c/raw"
                                            "?ref=0123456789012345678901234567890123456789",
                                            NULL, SOUP_STATUS_NOT_FOUND);
  g_autoptr(NodTestResponse) no_ref = api (fixture, "GET",
                                           "/projects/5/repository/files/src%2Fa.c/raw", NULL,
                                           SOUP_STATUS_NOT_FOUND);
  g_autoptr(NodTestResponse) blob = NULL, no_blob = NULL;
  g_autoptr(GChecksum) git_id = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *sha256 = NULL, *size = NULL, *blob_path = NULL;
  g_autofree char *git_header = NULL;
  gsize length = 0;
  const char *body = g_bytes_get_data (head->body, &length);

  g_assert_true (g_str_has_prefix (body, "// header\nline 1\n"));
  g_assert_true (g_str_has_suffix (body, "line 19\nline 20\n"));
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (head->headers, NULL),
                                   "text/plain"));
  size = g_strdup_printf ("%" G_GSIZE_FORMAT, length);
  g_assert_cmpstr (soup_message_headers_get_one (head->headers, "X-Gitlab-Size"), ==, size);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, head->body);
  g_assert_cmpstr (soup_message_headers_get_one (head->headers, "X-Gitlab-Content-Sha256"), ==,
                   sha256);
  /* git's blob id: SHA-1 of "blob LENGTH\0" and the bytes. */
  git_header = g_strdup_printf ("blob %" G_GSIZE_FORMAT, length);
  g_checksum_update (git_id, (const guchar *) git_header, (gssize) strlen (git_header) + 1);
  g_checksum_update (git_id, (const guchar *) body, (gssize) length);
  g_assert_cmpstr (soup_message_headers_get_one (head->headers, "X-Gitlab-Blob-Id"), ==,
                   g_checksum_get_string (git_id));

  g_assert_cmpmem (g_bytes_get_data (old->body, NULL), g_bytes_get_size (old->body),
                   "n1\nn2\nn3\nn4\nn5\nn6\nn7\nn8\nn9\nn10\n", 31);

  g_assert_cmpstr (string_of (nod_test_response_object (slash), "error"), ==, "404 Not Found");
  g_assert_cmpstr (string_of (nod_test_response_object (missing), "message"), ==,
                   "404 File Not Found");
  g_assert_cmpstr (string_of (nod_test_response_object (deleted), "message"), ==,
                   "404 File Not Found");
  g_assert_cmpstr (string_of (nod_test_response_object (bad_ref), "message"), ==,
                   "404 Commit Not Found");
  g_assert_cmpstr (string_of (nod_test_response_object (no_ref), "message"), ==,
                   "404 Commit Not Found");

  blob_path = g_strdup_printf ("/projects/5/repository/blobs/%s/raw",
                               soup_message_headers_get_one (head->headers, "X-Gitlab-Blob-Id"));
  blob = api (fixture, "GET", blob_path, NULL, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (blob->body, head->body));
  no_blob = api (fixture, "GET", "/projects/5/repository/blobs/"
                 "0123456789012345678901234567890123456789/raw", NULL, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpstr (string_of (nod_test_response_object (no_blob), "message"), ==,
                   "404 Blob Not Found");
}

/* A POST of a diff note at @old_line/@new_line (0: left out) on @head_sha's version. */
static NodTestResponse *
post_note (Fixture    *fixture,
           const char *head_sha,
           const char *old_path,
           const char *new_path,
           guint       old_line,
           guint       new_line,
           const char *extra,
           guint       status)
{
  g_autoptr(GString) json = g_string_new ("{\"body\": \"Here?\", \"position\": {");

  g_string_append_printf (json, "\"position_type\": \"text\", \"base_sha\": \"%s\", "
                          "\"start_sha\": \"%s\", \"head_sha\": \"%s\", \"old_path\": \"%s\", "
                          "\"new_path\": \"%s\"", fixture->base_sha, fixture->start_sha,
                          head_sha, old_path, new_path);
  if (old_line != 0)
    g_string_append_printf (json, ", \"old_line\": %u", old_line);
  if (new_line != 0)
    g_string_append_printf (json, ", \"new_line\": %u", new_line);
  if (extra != NULL)
    g_string_append_printf (json, ", %s", extra);
  g_string_append (json, "}}");
  return api (fixture, "POST", MR "/discussions", json->str, status);
}

#define LINE_CODE_REFUSAL \
  "400 Bad request - Note {:line_code=>[\"can't be blank\", \"must be a valid line code\"]}"

static JsonObject *
first_note (NodTestResponse *response)
{
  return json_array_get_object_element (
    json_object_get_array_member (nod_test_response_object (response), "notes"), 0);
}

static void
assert_note_line (NodTestResponse *response,
                  const char      *member,
                  const char      *head_sha,
                  gint64           old_line,
                  gint64           new_line)
{
  JsonObject *note = first_note (response);
  JsonObject *position = json_object_get_object_member (note, member);

  g_assert_cmpstr (string_of (note, "type"), ==, "DiffNote");
  g_assert_true (json_object_get_boolean_member (note, "resolvable"));
  g_assert_false (json_object_get_boolean_member (note, "resolved"));
  g_assert_cmpstr (string_of (position, "head_sha"), ==, head_sha);
  g_assert_cmpstr (string_of (position, "position_type"), ==, "text");
  if (old_line == 0)
    g_assert_true (nod_test_json_is_null (position, "old_line"));
  else
    g_assert_cmpint (json_object_get_int_member (position, "old_line"), ==, old_line);
  if (new_line == 0)
    g_assert_true (nod_test_json_is_null (position, "new_line"));
  else
    g_assert_cmpint (json_object_get_int_member (position, "new_line"), ==, new_line);
}

static void
test_positions_accepted (Fixture       *fixture,
                         gconstpointer  data)
{
  static const struct
  {
    const char *old_path;
    const char *new_path;
    guint       old_line;
    guint       new_line;
  } lines[] = {
    { "src/a.c", "src/a.c", 0, 14 },       /* added */
    { "src/a.c", "src/a.c", 18, 0 },       /* removed */
    { "src/a.c", "src/a.c", 13, 15 },      /* context */
    { "src/a.c", "src/a.c", 0, 1 },        /* the first line of the first hunk */
    { "src/a.c", "src/a.c", 10, 11 },      /* the first line of the second hunk */
    { "src/a.c", "src/a.c", 20, 21 },      /* the last line of the last hunk */
    { "src/a.c", "src/a.c", 9, 10 },       /* unchanged, between the hunks */
    { "old/name.txt", "new/name.txt", 0, 5 },  /* renamed */
    { "old/name.txt", "new/name.txt", 5, 0 },
    { "new.txt", "new.txt", 0, 2 },        /* new, without a final newline */
    { "gone.txt", "gone.txt", 1, 0 },      /* deleted */
  };
  g_autoptr(NodTestResponse) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(NodTestResponse) created = post_note (fixture, fixture->head_sha, lines[i].old_path,
                                                      lines[i].new_path, lines[i].old_line,
                                                      lines[i].new_line, NULL, SOUP_STATUS_CREATED);

      assert_note_line (created, "position", fixture->head_sha, lines[i].old_line,
                        lines[i].new_line);
      g_assert_true (nod_test_json_is_null (json_object_get_object_member (first_note (created),
                                                                           "position"),
                                            "line_range"));
      g_assert_cmpstr (string_of (json_object_get_object_member (first_note (created),
                                                                 "position"), "new_path"),
                       ==, lines[i].new_path);
    }

  /* Listed the same way. */
  list = api (fixture, "GET", MR "/discussions?per_page=100", NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==,
                    G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      JsonObject *note = json_array_get_object_element (
        json_object_get_array_member (
          json_array_get_object_element (nod_test_response_array (list), i), "notes"), 0);
      g_assert_cmpstr (string_of (note, "type"), ==, "DiffNote");
      g_assert_cmpstr (string_of (json_object_get_object_member (note, "position"), "old_path"),
                       ==, lines[i].old_path);
    }
}

static void
test_positions_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  static const struct
  {
    const char *path;
    guint       old_line;
    guint       new_line;
  } lines[] = {
    { "src/a.c", 13, 14 },   /* an added line with both numbers */
    { "src/a.c", 0, 15 },    /* an unchanged line with one */
    { "src/a.c", 14, 0 },    /* an old number that was not removed */
    { "src/a.c", 9, 9 },     /* unchanged, but the numbers do not match */
    { "src/a.c", 0, 99 },    /* past the end */
    { "nope.c", 0, 1 },      /* not in the diff */
    { "new.txt", 1, 0 },     /* a new file has no old lines */
    { "gone.txt", 0, 1 },    /* a deleted one no new lines */
    { "logo.png", 0, 1 },    /* a binary one no lines */
  };
  g_autoptr(NodTestResponse) unknown_sha = NULL, missing = NULL, incomplete = NULL, bad_type = NULL;
  g_autoptr(NodTestResponse) list = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(NodTestResponse) refused = post_note (fixture, fixture->head_sha, lines[i].path,
                                                      lines[i].path, lines[i].old_line,
                                                      lines[i].new_line, NULL,
                                                      SOUP_STATUS_BAD_REQUEST);
      g_assert_cmpstr (string_of (nod_test_response_object (refused), "message"), ==,
                       LINE_CODE_REFUSAL);
    }

  unknown_sha = post_note (fixture, "0123456789012345678901234567890123456789", "src/a.c",
                           "src/a.c", 0, 14, NULL, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (unknown_sha), "message"), ==,
                   LINE_CODE_REFUSAL);

  missing = api (fixture, "POST", MR "/discussions",
                 "{\"body\": \"x\", \"position\": {\"position_type\": \"text\", "
                 "\"new_path\": \"src/a.c\", \"new_line\": 14}}", SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (missing), "error"), ==,
                   "position[base_sha] is missing, position[start_sha] is missing, "
                   "position[head_sha] is missing");
  incomplete = api (fixture, "POST", MR "/discussions",
                    "{\"body\": \"x\", \"position\": {\"position_type\": \"text\", "
                    "\"base_sha\": \"a\", \"start_sha\": \"b\", \"head_sha\": \"c\", "
                    "\"new_path\": \"src/a.c\", \"new_line\": 14}}", SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (incomplete), "message"), ==,
                   "400 Bad request - Note {:position=>[\"is incomplete\"]}");
  bad_type = api (fixture, "POST", MR "/discussions",
                  "{\"body\": \"x\", \"position\": {\"position_type\": \"line\", "
                  "\"base_sha\": \"a\", \"start_sha\": \"b\", \"head_sha\": \"c\"}}",
                  SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (bad_type), "error"), ==,
                   "position[position_type] does not have a valid value");

  /* Nothing was made. */
  list = api (fixture, "GET", MR "/discussions", NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (list)), ==, 0);
}

/* Rails' nested form keys, as other clients send them. */
static void
test_positions_form (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *added = g_strdup_printf ("body=Form&position[position_type]=text&"
                                            "position[base_sha]=%s&position[start_sha]=%s&"
                                            "position[head_sha]=%s&"
                                            "position[old_path]=src%%2Fa.c&"
                                            "position[new_path]=src%%2Fa.c&"
                                            "position[new_line]=14",
                                            fixture->base_sha, fixture->start_sha,
                                            fixture->head_sha);
  g_autofree char *wrong_side = g_strdup_printf ("%s&position[old_line]=13", added);
  g_autoptr(NodTestResponse) created = NULL, refused = NULL;

  created = nod_test_http_send (fixture->session, fixture->base_url, TOKEN, "POST",
                                "/api/v4" MR "/discussions",
                                "application/x-www-form-urlencoded", added);
  refused = nod_test_http_send (fixture->session, fixture->base_url, TOKEN, "POST",
                                "/api/v4" MR "/discussions",
                                "application/x-www-form-urlencoded", wrong_side);
  nod_test_http_expect (created, SOUP_STATUS_CREATED);
  assert_note_line (created, "position", fixture->head_sha, 0, 14);
  nod_test_http_expect (refused, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (refused), "message"), ==,
                   LINE_CODE_REFUSAL);
}

static void
test_line_range (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(NodTestResponse) created = NULL, refused = NULL;
  g_autofree char *path_digest = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "src/a.c", -1);
  g_autofree char *line_code = g_strdup_printf ("%s_0_14", path_digest);
  JsonObject *range, *start, *end;

  created = post_note (fixture, fixture->head_sha, "src/a.c", "src/a.c", 0, 14,
                       "\"line_range\": {\"start\": {\"type\": null, \"old_line\": 10, "
                       "\"new_line\": 11}, \"end\": {\"type\": \"new\", \"new_line\": 14}}",
                       SOUP_STATUS_CREATED);
  range = json_object_get_object_member (json_object_get_object_member (first_note (created),
                                                                        "position"),
                                         "line_range");
  start = json_object_get_object_member (range, "start");
  end = json_object_get_object_member (range, "end");
  g_assert_cmpint (json_object_get_int_member (start, "old_line"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (start, "new_line"), ==, 11);
  g_assert_true (nod_test_json_is_null (start, "type"));
  g_assert_cmpstr (string_of (end, "type"), ==, "new");
  g_assert_true (nod_test_json_is_null (end, "old_line"));
  /* GitLab's line code: SHA-1 of the path, then the old and new numbers. */
  g_assert_cmpstr (string_of (end, "line_code"), ==, line_code);

  refused = post_note (fixture, fixture->head_sha, "src/a.c", "src/a.c", 0, 14,
                       "\"line_range\": {\"start\": {\"old_line\": 10, \"new_line\": 11}, "
                       "\"end\": {\"new_line\": 99}}", SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (string_of (nod_test_response_object (refused), "message"), ==,
                   LINE_CODE_REFUSAL);
}

static void
test_earlier_version (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NodTestResponse) traced = NULL, outdated = NULL, removed = NULL, list = NULL;
  g_autoptr(NodTestResponse) commit = NULL, refused = NULL, after = NULL;
  JsonObject *note;

  /* "inserted" is new line 13 of the first version and 14 of the second. */
  traced = post_note (fixture, fixture->first_head_sha, "src/a.c", "src/a.c", 0, 13, NULL,
                      SOUP_STATUS_CREATED);
  assert_note_line (traced, "position", fixture->head_sha, 0, 14);
  assert_note_line (traced, "original_position", fixture->first_head_sha, 0, 13);

  /* Line 5 changed again in the second version: the note stays where it was made. */
  outdated = post_note (fixture, fixture->first_head_sha, "src/a.c", "src/a.c", 0, 5, NULL,
                        SOUP_STATUS_CREATED);
  assert_note_line (outdated, "position", fixture->first_head_sha, 0, 5);
  assert_note_line (outdated, "original_position", fixture->first_head_sha, 0, 5);

  /* Removed lines live on the start commit, which did not move. */
  removed = post_note (fixture, fixture->first_head_sha, "src/a.c", "src/a.c", 18, 0, NULL,
                       SOUP_STATUS_CREATED);
  assert_note_line (removed, "position", fixture->head_sha, 18, 0);

  /* On the first version, line 14 is an unchanged line: new only is the wrong side. */
  refused = post_note (fixture, fixture->first_head_sha, "src/a.c", "src/a.c", 0, 14, NULL,
                       SOUP_STATUS_BAD_REQUEST);

  /* A push moves the threads whose lines did not change, as GitLab does. */
  commit = control_post (fixture, "/__fake/mr/5/3/commit",
                         "{\"files\": {\"src/a.c\": \"// top\\n// header\\nline 1\\nline 2\\n"
                         "line 3\\nline 4\\nline 5 changed twice\\nline 6\\nline 7\\nline 8\\n"
                         "line 9\\nline 10\\nline 11\\nline 12\\ninserted\\nline 13\\n"
                         "line 14\\nline 15\\nline 16\\nline 17\\nline 19\\nline 20\\n\", "
                         "\"new.txt\": null}}", SOUP_STATUS_OK);
  list = api (fixture, "GET", MR "/discussions", NULL, SOUP_STATUS_OK);
  note = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (nod_test_response_array (list),
                                                                 0), "notes"),
    0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (note, "position"),
                                               "new_line"), ==, 15);
  g_assert_cmpstr (string_of (json_object_get_object_member (note, "position"), "head_sha"), ==,
                   string_of (nod_test_response_object (commit), "sha"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                                                 note, "original_position"), "new_line"), ==, 13);
  /* An outdated thread stays where it was made. */
  note = json_array_get_object_element (
    json_object_get_array_member (json_array_get_object_element (nod_test_response_array (list),
                                                                 1), "notes"),
    0);
  g_assert_cmpstr (string_of (json_object_get_object_member (note, "position"), "head_sha"), ==,
                   fixture->first_head_sha);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (note, "position"),
                                               "new_line"), ==, 5);

  after = api (fixture, "GET", MR "/versions", NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (after)), ==, 3);
  g_assert_cmpstr (string_of (json_array_get_object_element (nod_test_response_array (after), 0),
                              "real_size"), ==, "7");
}

static void
test_control_files (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(NodTestResponse) created = NULL, diffs = NULL, commit = NULL, versions = NULL;
  g_autoptr(NodTestResponse) after = NULL, bad = NULL, made_up = NULL, made_up_diffs = NULL;
  g_autofree char *diffs_path = NULL, *commit_path = NULL, *versions_path = NULL;
  const char *old_head;
  JsonObject *file;
  gint64 iid;

  created = control_post (fixture, "/__fake/mr",
                          "{\"project_id\": 5, \"title\": \"New\", \"author\": \"kim\", "
                          "\"files\": {\"docs/a.md\": \"# A\\n\\nText.\\n\"}}",
                          SOUP_STATUS_CREATED);
  iid = json_object_get_int_member (nod_test_response_object (created), "iid");
  old_head = string_of (nod_test_response_object (created), "sha");
  diffs_path = g_strdup_printf ("/projects/5/merge_requests/%" G_GINT64_FORMAT "/diffs", iid);
  diffs = api (fixture, "GET", diffs_path, NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (diffs)), ==, 1);
  file = json_array_get_object_element (nod_test_response_array (diffs), 0);
  g_assert_true (json_object_get_boolean_member (file, "new_file"));
  g_assert_cmpstr (string_of (file, "diff"), ==, "@@ -0,0 +1,3 @@\n+# A\n+\n+Text.\n");

  /* A commit without files adds a line to a changed file: a new head and version. */
  commit_path = g_strdup_printf ("/__fake/mr/5/%" G_GINT64_FORMAT "/commit", iid);
  commit = control_post (fixture, commit_path, "{}", SOUP_STATUS_OK);
  g_assert_cmpstr (string_of (nod_test_response_object (commit), "sha"), !=, old_head);
  versions_path = g_strdup_printf ("/projects/5/merge_requests/%" G_GINT64_FORMAT "/versions",
                                   iid);
  versions = api (fixture, "GET", versions_path, NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (versions)), ==, 2);
  after = api (fixture, "GET", diffs_path, NULL, SOUP_STATUS_OK);
  g_assert_cmpstr (string_of (json_array_get_object_element (nod_test_response_array (after), 0),
                              "diff"), ==, "@@ -0,0 +1,4 @@\n+# A\n+\n+Text.\n+Follow-up 2.\n");

  bad = control_post (fixture, commit_path, "{\"files\": {\"../x\": \"y\"}}",
                      SOUP_STATUS_BAD_REQUEST);

  /* Without files, a merge request still has a change. */
  made_up = control_post (fixture, "/__fake/mr",
                          "{\"project_id\": 5, \"title\": \"Made up\", \"author\": \"kim\"}",
                          SOUP_STATUS_CREATED);
  g_free (diffs_path);
  diffs_path = g_strdup_printf ("/projects/5/merge_requests/%" G_GINT64_FORMAT "/diffs",
                                json_object_get_int_member (nod_test_response_object (made_up),
                                                            "iid"));
  made_up_diffs = api (fixture, "GET", diffs_path, NULL, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (nod_test_response_array (made_up_diffs)), ==, 1);
  g_assert_cmpstr (string_of (json_array_get_object_element (
                                nod_test_response_array (made_up_diffs), 0), "new_path"),
                   ==, "src/main.c");
}

/* The built-in sample: every thread on a line of its diff, and the kinds of change the
 * demo shows. */
static void
test_sample (void)
{
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  g_autoptr(NodTestResponse) merge_requests = NULL;
  guint binary = 0, renamed = 0, deleted = 0, added = 0, generated = 0;
  gsize longest = 0;

  fixture.fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture.fake, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (nod_fake_gitlab_listen (fixture.fake, 0, &error));
  g_assert_no_error (error);
  fixture.base_url = nod_fake_gitlab_dup_base_url (fixture.fake);
  fixture.session = soup_session_new ();

  merge_requests = api (&fixture, "GET", "/merge_requests?scope=all&per_page=100", NULL,
                        SOUP_STATUS_OK);
  for (guint i = 0; i < json_array_get_length (nod_test_response_array (merge_requests)); i++)
    {
      JsonObject *merge_request =
        json_array_get_object_element (nod_test_response_array (merge_requests), i);
      g_autofree char *path = g_strdup_printf ("/projects/%" G_GINT64_FORMAT "/merge_requests/"
                                               "%" G_GINT64_FORMAT "/diffs?per_page=100",
                                               json_object_get_int_member (merge_request,
                                                                           "project_id"),
                                               json_object_get_int_member (merge_request,
                                                                           "iid"));
      g_autoptr(NodTestResponse) diffs = api (&fixture, "GET", path, NULL, SOUP_STATUS_OK);

      g_assert_cmpuint (json_array_get_length (nod_test_response_array (diffs)), >, 0);
      for (guint j = 0; j < json_array_get_length (nod_test_response_array (diffs)); j++)
        {
          JsonObject *file = json_array_get_object_element (nod_test_response_array (diffs), j);

          binary += g_str_has_prefix (string_of (file, "diff"), "Binary files ");
          renamed += json_object_get_boolean_member (file, "renamed_file");
          deleted += json_object_get_boolean_member (file, "deleted_file");
          added += json_object_get_boolean_member (file, "new_file");
          generated += json_object_get_boolean_member (file, "generated_file");
          longest = MAX (longest, strlen (string_of (file, "diff")));
        }
    }
  g_assert_cmpuint (binary, >, 0);
  g_assert_cmpuint (renamed, >, 0);
  g_assert_cmpuint (deleted, >, 0);
  g_assert_cmpuint (added, >, 0);
  g_assert_cmpuint (generated, >, 0);
  /* The 10,000-line generated file. */
  g_assert_cmpuint (longest, >, 10000 * 20);

  /* Pushed to after sam approved it: what "changed since you approved" shows. */
  {
    g_autoptr(NodTestResponse) versions = api (&fixture, "GET", "/projects/12/merge_requests/203/"
                                               "versions", NULL, SOUP_STATUS_OK);
    g_autoptr(NodTestResponse) approvals = api (&fixture, "GET", "/projects/12/merge_requests/203/"
                                                "approvals", NULL, SOUP_STATUS_OK);

    g_assert_cmpuint (json_array_get_length (nod_test_response_array (versions)), ==, 2);
    g_assert_true (json_object_get_boolean_member (nod_test_response_object (approvals),
                                                   "user_has_approved"));
  }

  fixture_tear_down (&fixture, NULL);
}

/* The benchmark dataset's threads are on lines of its small diffs too. */
static void
test_generated (void)
{
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  g_autoptr(NodTestResponse) discussions = NULL, created = NULL;
  JsonObject *position = NULL;
  g_autofree char *body = NULL;

  fixture.fake = nod_fake_gitlab_new (TOKEN);
  nod_fake_gitlab_generate (fixture.fake, 50);
  g_assert_true (nod_fake_gitlab_listen (fixture.fake, 0, &error));
  g_assert_no_error (error);
  fixture.base_url = nod_fake_gitlab_dup_base_url (fixture.fake);
  fixture.session = soup_session_new ();

  for (gint64 iid = 1; position == NULL && iid < 40; iid++)
    {
      g_autofree char *path = g_strdup_printf ("/projects/101/merge_requests/%" G_GINT64_FORMAT
                                               "/discussions", iid);
      g_autofree char *full_path = g_strconcat ("/api/v4", path, NULL);
      g_autoptr(NodTestResponse) list = nod_test_http_send (fixture.session, fixture.base_url,
                                                            TOKEN, "GET", full_path, NULL, NULL);

      /* Not every iid is in this project. */
      g_assert_no_error (list->error);
      if (list->status != SOUP_STATUS_OK)
        continue;
      for (guint i = 0;
           position == NULL && i < json_array_get_length (nod_test_response_array (list)); i++)
        {
          JsonObject *note = json_array_get_object_element (
            json_object_get_array_member (
              json_array_get_object_element (nod_test_response_array (list), i), "notes"), 0);
          if (json_object_has_member (note, "position"))
            {
              position = json_object_ref (json_object_get_object_member (note, "position"));
              discussions = g_steal_pointer (&list);
              g_free (body);
              body = g_strdup_printf ("{\"body\": \"Me too\", \"position\": {"
                                      "\"position_type\": \"text\", \"base_sha\": \"%s\", "
                                      "\"start_sha\": \"%s\", \"head_sha\": \"%s\", "
                                      "\"old_path\": \"%s\", \"new_path\": \"%s\", "
                                      "\"new_line\": %" G_GINT64_FORMAT "}}",
                                      string_of (position, "base_sha"),
                                      string_of (position, "start_sha"),
                                      string_of (position, "head_sha"),
                                      string_of (position, "old_path"),
                                      string_of (position, "new_path"),
                                      json_object_get_int_member (position, "new_line"));
              created = api (&fixture, "POST", path, body, SOUP_STATUS_CREATED);
            }
        }
    }
  g_assert_nonnull (position);
  json_object_unref (position);
  fixture_tear_down (&fixture, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/fake-gitlab-diffs/diffs", test_diffs);
  ADD ("/nod/fake-gitlab-diffs/unidiff", test_unidiff);
  ADD ("/nod/fake-gitlab-diffs/versions", test_versions);
  ADD ("/nod/fake-gitlab-diffs/raw-files", test_raw_files);
  ADD ("/nod/fake-gitlab-diffs/positions/accepted", test_positions_accepted);
  ADD ("/nod/fake-gitlab-diffs/positions/refused", test_positions_refused);
  ADD ("/nod/fake-gitlab-diffs/positions/form", test_positions_form);
  ADD ("/nod/fake-gitlab-diffs/positions/line-range", test_line_range);
  ADD ("/nod/fake-gitlab-diffs/positions/earlier-version", test_earlier_version);
  ADD ("/nod/fake-gitlab-diffs/control-files", test_control_files);
  g_test_add_func ("/nod/fake-gitlab-diffs/sample", test_sample);
  g_test_add_func ("/nod/fake-gitlab-diffs/generated", test_generated);

  return g_test_run ();
}
