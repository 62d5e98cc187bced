/* test-avatar-cache.c: avatars fetched in the background, kept on disk, bounded, and
 * fetched with no credentials, against the fake GitLab and a foreign host of the test's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nod-avatar-cache.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-avatar-test-token"

/* A loopback server on a port of its own: another host, as far as a URL says. It serves
 * a good PNG, and the bad answers a hostile host could send. */
typedef struct
{
  SoupServer *server;
  char       *base_url;
  GHashTable *counts;        /* path → requests */
  guint       credentials;   /* requests that carried a token or an Authorization */
  GBytes     *png;
} Foreign;

typedef struct
{
  NodFakeGitlab  *fake;
  char           *base_url;
  char           *directory;
  NodClock       *clock;
  NodAvatarCache *cache;
  Foreign         foreign;
} Fixture;

static guint32
crc32_of (const guint8 *data,
          gsize         length,
          guint32       crc)
{
  crc ^= 0xffffffffu;
  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
    }
  return crc ^ 0xffffffffu;
}

static GBytes *
make_png (int width,
          int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize length = 0;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, length);
}

/* A real PNG whose header says it is 100,000 pixels a side: a decompression bomb's start. */
static GBytes *
make_huge_header_png (void)
{
  g_autoptr(GBytes) small = make_png (4, 4);
  GByteArray *bytes = g_byte_array_new ();
  guint32 side = GUINT32_TO_BE (100000);
  guint32 crc;

  g_byte_array_append (bytes, g_bytes_get_data (small, NULL), (guint) g_bytes_get_size (small));
  g_assert_cmpuint (bytes->len, >, 33);
  /* Signature (8), IHDR length (4), "IHDR" (4), width, height, …, its CRC at 29. */
  memcpy (bytes->data + 16, &side, 4);
  memcpy (bytes->data + 20, &side, 4);
  crc = GUINT32_TO_BE (crc32_of (bytes->data + 12, 17, 0));
  memcpy (bytes->data + 29, &crc, 4);
  return g_byte_array_free_to_bytes (bytes);
}

static void
on_foreign_request (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  Foreign *foreign = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (foreign->counts, path));

  g_hash_table_insert (foreign->counts, g_strdup (path), GUINT_TO_POINTER (count + 1));
  if (soup_message_headers_get_one (request_headers, "PRIVATE-TOKEN") != NULL ||
      soup_message_headers_get_one (request_headers, "Authorization") != NULL ||
      soup_message_headers_get_one (request_headers, "Cookie") != NULL)
    foreign->credentials++;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (g_str_equal (path, "/good.png"))
    soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (foreign->png, NULL),
                                      g_bytes_get_size (foreign->png));
  else if (g_str_equal (path, "/big.png") || g_str_equal (path, "/big-chunked.png"))
    {
      /* 2 MiB that start as a PNG: refused by its length, or as it comes when chunked. */
      gsize length = 2 * 1024 * 1024;
      guint8 *body = g_malloc0 (length);

      memcpy (body, g_bytes_get_data (foreign->png, NULL), g_bytes_get_size (foreign->png));
      if (g_str_equal (path, "/big-chunked.png"))
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_TAKE, (char *) body,
                                        length);
    }
  else if (g_str_equal (path, "/garbage.png"))
    soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC,
                                      "<html>not an image</html>", 25);
  else if (g_str_equal (path, "/truncated.png"))
    soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (foreign->png, NULL), 40);
  else if (g_str_equal (path, "/html.png"))
    soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (foreign->png, NULL),
                                      g_bytes_get_size (foreign->png));
  else if (g_str_equal (path, "/huge.png"))
    {
      g_autoptr(GBytes) huge = make_huge_header_png ();

      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (huge, NULL), g_bytes_get_size (huge));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
foreign_start (Foreign *foreign)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  foreign->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  foreign->png = make_png (200, 120);
  foreign->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (foreign->server, NULL, on_foreign_request, foreign, NULL);
  g_assert_true (soup_server_listen_local (foreign->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (foreign->server);
  foreign->base_url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (foreign->base_url, "/"))
    foreign->base_url[strlen (foreign->base_url) - 1] = '\0';
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
}

static guint
foreign_count (Fixture    *fixture,
               const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->foreign.counts, path));
}

static char *
foreign_url (Fixture    *fixture,
             const char *path)
{
  return g_strconcat (fixture->foreign.base_url, path, NULL);
}

static char *
fake_avatar_url (Fixture *fixture,
                 gint64   user_id)
{
  return g_strdup_printf ("%s/uploads/-/system/user/avatar/%" G_GINT64_FORMAT "/avatar.png",
                          fixture->base_url, user_id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->fake = nod_test_fake_start (TOKEN, &fixture->base_url);
  fixture->directory = g_build_filename (g_get_user_cache_dir (), "nod", "avatars", NULL);
  fixture->clock = nod_clock_new_manual (g_get_real_time ());
  fixture->cache = nod_avatar_cache_new (fixture->directory, fixture->clock);
  foreign_start (&fixture->foreign);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->cache));
  g_clear_object (&fixture->fake);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->foreign.server);
  g_clear_pointer (&fixture->foreign.counts, g_hash_table_unref);
  g_clear_pointer (&fixture->foreign.png, g_bytes_unref);
  g_free (fixture->foreign.base_url);
  nod_test_remove_tree (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->base_url);
}

/* ---- loading ---- */

typedef struct
{
  guint       done;
  GdkTexture *textures[8];
  GError     *errors[8];
} Loads;

typedef struct
{
  Loads *loads;
  guint  index;
} LoadSlot;

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LoadSlot *slot = user_data;

  slot->loads->textures[slot->index] =
    nod_avatar_cache_load_finish (NOD_AVATAR_CACHE (source), result,
                                  &slot->loads->errors[slot->index]);
  slot->loads->done++;
  g_free (slot);
}

static void
start_load (NodAvatarCache *cache,
            const char     *url,
            Loads          *loads,
            guint           index)
{
  LoadSlot *slot = g_new0 (LoadSlot, 1);

  slot->loads = loads;
  slot->index = index;
  nod_avatar_cache_load_async (cache, url, NULL, on_loaded, slot);
}

static gboolean
loads_done (gpointer data)
{
  Loads *loads = ((gpointer *) data)[0];
  guint expected = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return loads->done >= expected;
}

static void
wait_loads (Loads *loads,
            guint  expected)
{
  gpointer data[2] = { loads, GUINT_TO_POINTER (expected) };

  nod_test_wait_until (loads_done, data);
}

static void
loads_clear (Loads *loads)
{
  for (guint i = 0; i < G_N_ELEMENTS (loads->textures); i++)
    {
      g_clear_object (&loads->textures[i]);
      g_clear_error (&loads->errors[i]);
    }
  loads->done = 0;
}

/* Loads @url once and returns its texture or NULL, with @error set. */
static GdkTexture *
load_one (NodAvatarCache  *cache,
          const char      *url,
          GError         **error)
{
  Loads loads = { 0 };
  GdkTexture *texture;

  start_load (cache, url, &loads, 0);
  wait_loads (&loads, 1);
  texture = g_steal_pointer (&loads.textures[0]);
  if (loads.errors[0] != NULL)
    g_propagate_error (error, g_steal_pointer (&loads.errors[0]));
  return texture;
}

/* Whether any request the fake logged under /uploads/ carried credentials. */
static gboolean
fake_saw_credentials (Fixture *fixture)
{
  g_autoptr(JsonNode) log = nod_test_fake_control (fixture->base_url, "GET", "/__fake/requests",
                                                   NULL);
  JsonArray *requests = json_node_get_array (log);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_has_prefix (json_object_get_string_member (request, "path"), "/uploads/") &&
          json_object_get_boolean_member (request, "credentials"))
        return TRUE;
    }
  return FALSE;
}

/* Asked for six times at once, and again once loaded, an avatar is fetched once, with no
 * credentials, decoded at most NOD_AVATAR_SIZE a side, and kept on disk. */
static void
test_fetched_once (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *url = fake_avatar_url (fixture, 1);
  g_autofree char *path = nod_avatar_cache_dup_path (fixture->cache, url);
  g_autoptr(GdkTexture) again = NULL;
  g_autoptr(GError) error = NULL;
  Loads loads = { 0 };

  for (guint i = 0; i < 6; i++)
    start_load (fixture->cache, url, &loads, i);
  wait_loads (&loads, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_no_error (loads.errors[i]);
      g_assert_true (GDK_IS_TEXTURE (loads.textures[i]));
      g_assert_true (loads.textures[i] == loads.textures[0]);
    }
  g_assert_cmpint (gdk_texture_get_width (loads.textures[0]), ==, 48);
  g_assert_true (nod_avatar_cache_lookup (fixture->cache, url) == loads.textures[0]);

  again = load_one (fixture->cache, url, &error);
  g_assert_no_error (error);
  g_assert_true (again == loads.textures[0]);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET",
                                                  "^/uploads/-/system/user/avatar/1/"), ==, 1);
  g_assert_false (fake_saw_credentials (fixture));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_str_has_prefix (path, fixture->directory));
  loads_clear (&loads);
}

/* A second run finds the avatar on disk: with GitLab gone and offline, it still shows. */
static void
test_served_from_disk (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *url = fake_avatar_url (fixture, 2);
  g_autoptr(GdkTexture) first = NULL;
  g_autoptr(GdkTexture) second = NULL;
  g_autoptr(NodAvatarCache) next_run = NULL;
  g_autoptr(GError) error = NULL;

  first = load_one (fixture->cache, url, &error);
  g_assert_no_error (error);
  g_clear_object (&fixture->fake);

  next_run = nod_avatar_cache_new (fixture->directory, fixture->clock);
  nod_avatar_cache_set_offline (next_run, TRUE);
  second = load_one (next_run, url, &error);
  g_assert_no_error (error);
  g_assert_true (GDK_IS_TEXTURE (second));
  g_assert_cmpint (gdk_texture_get_width (second), ==, gdk_texture_get_width (first));
}

/* An avatar on another host is fetched with no token, no Authorization, no cookie. */
static void
test_foreign_host_no_credentials (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *url = foreign_url (fixture, "/good.png");
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = load_one (fixture->cache, url, &error);
  g_assert_no_error (error);
  /* 200 × 120, decoded at most 96 a side, its shape kept. */
  g_assert_cmpint (gdk_texture_get_width (texture), ==, NOD_AVATAR_SIZE);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 57);
  g_assert_cmpuint (foreign_count (fixture, "/good.png"), ==, 1);
  g_assert_cmpuint (fixture->foreign.credentials, ==, 0);
}

/* Too big (by its length, or as it comes), not an image, cut short, a type Nod does not
 * take, a header of 100,000 pixels a side: each refused, none kept, nothing crashes; and
 * each is not asked again until a while has passed. */
static void
test_bad_bodies_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *paths[] = { "/big.png", "/big-chunked.png", "/garbage.png", "/truncated.png",
                          "/html.png", "/huge.png", "/missing.png" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = foreign_url (fixture, paths[i]);
      g_autofree char *path = nod_avatar_cache_dup_path (fixture->cache, url);
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GdkTexture) again = NULL;
      g_autoptr(GError) error = NULL;

      texture = load_one (fixture->cache, url, &error);
      g_assert_null (texture);
      g_assert_error (error, NOD_AVATAR_CACHE_ERROR,
                      g_str_equal (paths[i], "/missing.png")
                        ? NOD_AVATAR_CACHE_ERROR_UNAVAILABLE : NOD_AVATAR_CACHE_ERROR_REFUSED);
      g_clear_error (&error);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (foreign_count (fixture, paths[i]), ==, 1);

      again = load_one (fixture->cache, url, &error);
      g_assert_null (again);
      g_assert_error (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_UNAVAILABLE);
      g_assert_cmpuint (foreign_count (fixture, paths[i]), ==, 1);
    }

  /* A while later, each is asked once more. */
  nod_clock_advance (fixture->clock, NOD_AVATAR_RETRY_S);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = foreign_url (fixture, paths[i]);
      g_autoptr(GdkTexture) texture = NULL;
      g_autoptr(GError) error = NULL;

      texture = load_one (fixture->cache, url, &error);
      g_assert_null (texture);
      g_assert_cmpuint (foreign_count (fixture, paths[i]), ==, 2);
    }
  g_assert_cmpuint (fixture->foreign.credentials, ==, 0);
}

/* Offline, nothing is fetched; online again, it is (being offline is no failure). */
static void
test_offline_fetches_nothing (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *url = foreign_url (fixture, "/good.png");
  g_autoptr(GdkTexture) offline = NULL;
  g_autoptr(GdkTexture) online = NULL;
  g_autoptr(GError) error = NULL;

  nod_avatar_cache_set_offline (fixture->cache, TRUE);
  offline = load_one (fixture->cache, url, &error);
  g_assert_null (offline);
  g_assert_error (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpuint (foreign_count (fixture, "/good.png"), ==, 0);

  nod_avatar_cache_set_offline (fixture->cache, FALSE);
  online = load_one (fixture->cache, url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (online);
  g_assert_cmpuint (foreign_count (fixture, "/good.png"), ==, 1);
}

/* Only http and https, with a host and no credentials; a relative one is the instance's. */
static void
test_resolve_url (void)
{
  struct { const char *avatar_url, *instance_url, *expected; } cases[] = {
    { "https://secure.gravatar.com/avatar/abc?s=80&d=identicon", NULL,
      "https://secure.gravatar.com/avatar/abc?s=80&d=identicon" },
    { "/uploads/-/system/user/avatar/3/avatar.png",
      "https://gitlab.example.org/g/p/-/merge_requests/4",
      "https://gitlab.example.org/uploads/-/system/user/avatar/3/avatar.png" },
    { "/uploads/-/system/user/avatar/3/avatar.png", NULL, NULL },
    { "//evil.example/a.png", "https://gitlab.example.org/", NULL },
    { "javascript:alert(1)", NULL, NULL },
    { "file:///etc/passwd", NULL, NULL },
    { "data:image/png;base64,AAAA", NULL, NULL },
    { "https://user:secret@example.org/a.png", NULL, NULL },
    { "", NULL, NULL },
    { NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *resolved = nod_avatar_cache_resolve_url (cases[i].avatar_url,
                                                                cases[i].instance_url);

      g_assert_cmpstr (resolved, ==, cases[i].expected);
    }
}

static gboolean
has_custom_image (gpointer data)
{
  return adw_avatar_get_custom_image (data) != NULL;
}

/* An AdwAvatar shows initials, then the avatar once it comes (a relative URL is the
 * instance's); shown again, it comes from memory at once. */
static void
test_shown_in_widget (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *instance = g_strconcat (fixture->base_url,
                                           "/gnome-apps/nod/-/merge_requests/101", NULL);
  AdwAvatar *avatar, *other;

  if (!gtk_is_initialized ())
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }
  avatar = ADW_AVATAR (g_object_ref_sink (adw_avatar_new (32, "Sam Okafor", TRUE)));
  other = ADW_AVATAR (g_object_ref_sink (adw_avatar_new (32, "Sam Okafor", TRUE)));

  nod_avatar_cache_show (fixture->cache, avatar, "/uploads/-/system/user/avatar/1/avatar.png",
                         instance);
  g_assert_null (adw_avatar_get_custom_image (avatar));
  nod_test_wait_until (has_custom_image, avatar);
  g_assert_true (GDK_IS_TEXTURE (adw_avatar_get_custom_image (avatar)));

  nod_avatar_cache_show (fixture->cache, other, "/uploads/-/system/user/avatar/1/avatar.png",
                         instance);
  g_assert_true (adw_avatar_get_custom_image (other) == adw_avatar_get_custom_image (avatar));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET", "^/uploads/"), ==, 1);

  /* No avatar: initials. */
  nod_avatar_cache_show (fixture->cache, other, NULL, instance);
  g_assert_null (adw_avatar_get_custom_image (other));
  g_object_unref (avatar);
  g_object_unref (other);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (gtk_init_check ())
    adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/avatar-cache/fetched-once", test_fetched_once);
  ADD ("/nod/avatar-cache/served-from-disk", test_served_from_disk);
  ADD ("/nod/avatar-cache/foreign-host-no-credentials", test_foreign_host_no_credentials);
  ADD ("/nod/avatar-cache/bad-bodies-refused", test_bad_bodies_refused);
  ADD ("/nod/avatar-cache/offline-fetches-nothing", test_offline_fetches_nothing);
  ADD ("/nod/avatar-cache/shown-in-widget", test_shown_in_widget);
  g_test_add_func ("/nod/avatar-cache/resolve-url", test_resolve_url);

  return g_test_run ();
}
