/* nod-avatar-cache.c: users' avatars, fetched in the background and kept on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An avatar is decoration: nothing waits for it. A widget shows initials (AdwAvatar's own)
 * and the image when it comes: from memory, else from the disk cache
 * ($XDG_CACHE_HOME/nod/avatars/, one file per URL, named by the SHA-256 of the URL), else
 * from the network. The network is asked only online, once per URL at a time, and a URL
 * that failed is not asked again for NOD_AVATAR_RETRY_S.
 *
 * Credentials are never sent: an avatar may be on another host (gravatar, a CDN), and
 * GitLab serves its own uploads of public users' avatars without a token. The session is
 * this object's own, with no cookie jar, so nothing of the account's goes with it.
 *
 * What a server sends is bounded: a body over NOD_AVATAR_MAX_BYTES, a type other than
 * PNG, JPEG, GIF or WebP (by Content-Type and by the bytes themselves), an image over
 * NOD_AVATAR_MAX_SIDE a side, or bytes gdk-pixbuf cannot decode are refused. Decoding and
 * the disk run on a worker thread.
 */

#define G_LOG_DOMAIN "nod-avatar"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "nod-avatar-cache.h"

/* A fetch that has not ended after this long is given up (a server dripping bytes). */
#define FETCH_DEADLINE_S 60
#define READ_CHUNK (64 * 1024)

struct _NodAvatarCache
{
  GObject      parent_instance;

  char        *directory;
  NodClock    *clock;
  SoupSession *session;
  gboolean     offline;
  GHashTable  *textures;    /* URL → GdkTexture */
  GHashTable  *failed_at;   /* URL → when it last failed, seconds on the clock (gint64 *) */
  GHashTable  *loads;       /* URL → Load, one at a time per URL */
};

G_DEFINE_FINAL_TYPE (NodAvatarCache, nod_avatar_cache, G_TYPE_OBJECT)
G_DEFINE_QUARK (nod-avatar-cache-error-quark, nod_avatar_cache_error)

enum {
  PROP_0,
  PROP_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One URL being loaded, for everyone who asked for it meanwhile. */
typedef struct
{
  NodAvatarCache *self;
  char           *url;
  char           *path;
  GPtrArray      *waiters;      /* GTask */
  GCancellable   *cancellable;
  guint           deadline_id;
  GInputStream   *stream;
  GByteArray     *body;
} Load;

static void
load_free (Load *load)
{
  if (load->deadline_id != 0)
    nod_clock_remove_timeout (load->self->clock, load->deadline_id);
  g_clear_object (&load->self);
  g_free (load->url);
  g_free (load->path);
  g_ptr_array_unref (load->waiters);
  g_clear_object (&load->cancellable);
  g_clear_object (&load->stream);
  g_clear_pointer (&load->body, g_byte_array_unref);
  g_free (load);
}

/* ---- decoding, on a worker thread ---- */

/* The image type the bytes are, by their first bytes; NULL for any other. */
static const char *
sniff_image_type (const guint8 *data,
                  gsize         length)
{
  if (length >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (length >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    return "image/jpeg";
  if (length >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return "image/gif";
  if (length >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "image/webp";
  return NULL;
}

static gboolean
is_taken_content_type (const char *content_type)
{
  const char *taken[] = { "image/png", "image/jpeg", "image/gif", "image/webp" };

  for (guint i = 0; content_type != NULL && i < G_N_ELEMENTS (taken); i++)
    if (g_ascii_strcasecmp (content_type, taken[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gboolean        *too_large)
{
  if (width <= 0 || height <= 0 || width > NOD_AVATAR_MAX_SIDE || height > NOD_AVATAR_MAX_SIDE)
    {
      *too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
      return;
    }
  if (width > NOD_AVATAR_SIZE || height > NOD_AVATAR_SIZE)
    {
      double scale = (double) NOD_AVATAR_SIZE / MAX (width, height);

      gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale)),
                                  MAX (1, (int) (height * scale)));
    }
}

static GdkPixbuf *
decode_image (GBytes  *bytes,
              GError **error)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  const char *type = sniff_image_type (data, length);
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) decode_error = NULL;
  gboolean too_large = FALSE;
  GdkPixbuf *pixbuf;
  int width, height;

  if (type == NULL)
    {
      g_set_error_literal (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_REFUSED,
                           "not a PNG, JPEG, GIF or WebP image");
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_mime_type (type, &decode_error);
  if (loader == NULL)
    {
      g_set_error (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_REFUSED,
                   "no decoder for %s", type);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &too_large);
  if (!gdk_pixbuf_loader_write_bytes (loader, bytes, &decode_error))
    {
      gdk_pixbuf_loader_close (loader, NULL);
      g_set_error (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_REFUSED,
                   "the image does not decode: %s", decode_error->message);
      return NULL;
    }
  if (!gdk_pixbuf_loader_close (loader, &decode_error) || too_large)
    {
      g_set_error (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_REFUSED,
                   too_large ? "the image is too large" : "the image does not decode");
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_REFUSED,
                           "the image does not decode");
      return NULL;
    }
  /* Some loaders ignore the size asked for. */
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  if (width > NOD_AVATAR_SIZE || height > NOD_AVATAR_SIZE)
    {
      double scale = (double) NOD_AVATAR_SIZE / MAX (width, height);

      return gdk_pixbuf_scale_simple (pixbuf, MAX (1, (int) (width * scale)),
                                      MAX (1, (int) (height * scale)), GDK_INTERP_BILINEAR);
    }
  return g_object_ref (pixbuf);
}

/* What the worker does: read the kept file (@fetched NULL), or decode what was fetched
 * and keep it. */
typedef struct
{
  char   *path;
  GBytes *fetched;
} DecodeWork;

static void
decode_work_free (DecodeWork *work)
{
  g_free (work->path);
  g_clear_pointer (&work->fetched, g_bytes_unref);
  g_free (work);
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DecodeWork *work = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  if (work->fetched == NULL)
    {
      GStatBuf info;
      char *contents = NULL;
      gsize length = 0;

      /* The file is the user's: one grown past the bound is not read. */
      if (g_stat (work->path, &info) != 0 || info.st_size > NOD_AVATAR_MAX_BYTES ||
          !g_file_get_contents (work->path, &contents, &length, NULL))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "not kept");
          return;
        }
      bytes = g_bytes_new_take (contents, length);
    }
  else
    bytes = g_bytes_ref (work->fetched);

  pixbuf = decode_image (bytes, &error);
  if (pixbuf == NULL)
    {
      /* A kept file that no longer decodes is fetched again. */
      if (work->fetched == NULL)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "not kept");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (work->fetched != NULL)
    {
      g_autofree char *directory = g_path_get_dirname (work->path);
      g_autoptr(GError) write_error = NULL;

      if (g_mkdir_with_parents (directory, 0700) != 0 ||
          !g_file_set_contents_full (work->path, g_bytes_get_data (bytes, NULL),
                                     (gssize) g_bytes_get_size (bytes),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &write_error))
        g_debug ("An avatar could not be kept: %s",
                 write_error != NULL ? write_error->message : g_strerror (errno));
    }
  g_task_return_pointer (task, g_steal_pointer (&pixbuf), g_object_unref);
}

static void start_decode (Load *load, GBytes *fetched);

/* ---- one load ---- */

static void
finish_load (Load       *load,
             GdkTexture *texture,
             GError     *error)
{
  NodAvatarCache *self = load->self;

  if (texture != NULL)
    {
      g_hash_table_insert (self->textures, g_strdup (load->url), g_object_ref (texture));
      g_hash_table_remove (self->failed_at, load->url);
    }
  else
    {
      /* Offline is no failure of the URL's: asked again once online. */
      if (!self->offline)
        {
          gint64 *when = g_new (gint64, 1);

          *when = nod_clock_get_now_s (self->clock);
          g_hash_table_insert (self->failed_at, g_strdup (load->url), when);
        }
      g_debug ("No avatar from %s: %s", load->url, error->message);
    }

  g_hash_table_steal (self->loads, load->url);
  for (guint i = 0; i < load->waiters->len; i++)
    {
      GTask *task = load->waiters->pdata[i];

      if (texture != NULL)
        g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  load_free (load);
}

static void
fail_load (Load       *load,
           int         code,
           const char *message)
{
  g_autoptr(GError) error = g_error_new_literal (NOD_AVATAR_CACHE_ERROR, code, message);

  finish_load (load, NULL, error);
}

static void
read_more (Load *load);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                               &error);

  if (chunk == NULL)
    {
      finish_load (load, NULL, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&load->body));

      g_input_stream_close_async (load->stream, G_PRIORITY_LOW, NULL, NULL, NULL);
      start_decode (load, body);
      return;
    }
  if (load->body->len + g_bytes_get_size (chunk) > NOD_AVATAR_MAX_BYTES)
    {
      g_input_stream_close_async (load->stream, G_PRIORITY_LOW, NULL, NULL, NULL);
      fail_load (load, NOD_AVATAR_CACHE_ERROR_REFUSED, "the body is too large");
      return;
    }
  g_byte_array_append (load->body, g_bytes_get_data (chunk, NULL),
                       (guint) g_bytes_get_size (chunk));
  read_more (load);
}

static void
read_more (Load *load)
{
  g_input_stream_read_bytes_async (load->stream, READ_CHUNK, G_PRIORITY_LOW, load->cancellable,
                                   on_read, load);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Load *load = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  SoupMessageHeaders *headers;
  const char *content_type;

  if (stream == NULL)
    {
      finish_load (load, NULL, error);
      return;
    }
  load->stream = stream;
  headers = soup_message_get_response_headers (msg);
  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_autofree char *message = g_strdup_printf ("HTTP %u", soup_message_get_status (msg));

      g_input_stream_close_async (stream, G_PRIORITY_LOW, NULL, NULL, NULL);
      fail_load (load, NOD_AVATAR_CACHE_ERROR_UNAVAILABLE, message);
      return;
    }
  if (!is_taken_content_type (content_type))
    {
      g_input_stream_close_async (stream, G_PRIORITY_LOW, NULL, NULL, NULL);
      fail_load (load, NOD_AVATAR_CACHE_ERROR_REFUSED, "not an image type Nod takes");
      return;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > NOD_AVATAR_MAX_BYTES)
    {
      g_input_stream_close_async (stream, G_PRIORITY_LOW, NULL, NULL, NULL);
      fail_load (load, NOD_AVATAR_CACHE_ERROR_REFUSED, "the body is too large");
      return;
    }
  load->body = g_byte_array_new ();
  read_more (load);
}

static gboolean
on_deadline (gpointer user_data)
{
  Load *load = user_data;

  load->deadline_id = 0;
  g_cancellable_cancel (load->cancellable);
  return G_SOURCE_REMOVE;
}

static void
fetch (Load *load)
{
  NodAvatarCache *self = load->self;
  g_autoptr(SoupMessage) msg = NULL;

  if (self->offline)
    {
      fail_load (load, NOD_AVATAR_CACHE_ERROR_UNAVAILABLE, "offline");
      return;
    }
  msg = soup_message_new (SOUP_METHOD_GET, load->url);
  if (msg == NULL)
    {
      fail_load (load, NOD_AVATAR_CACHE_ERROR_REFUSED, "not a URL");
      return;
    }
  soup_message_headers_append (soup_message_get_request_headers (msg), "Accept",
                               "image/png, image/jpeg, image/gif, image/webp");
  load->deadline_id = nod_clock_add_timeout_seconds (self->clock, FETCH_DEADLINE_S, on_deadline,
                                                     load, NULL);
  soup_session_send_async (self->session, msg, G_PRIORITY_LOW, load->cancellable, on_sent, load);
}

static void
on_decoded (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Load *load = user_data;
  DecodeWork *work = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GdkTexture) texture = NULL;

  if (pixbuf == NULL && work->fetched == NULL)
    {
      fetch (load);
      return;
    }
  if (pixbuf == NULL)
    {
      finish_load (load, NULL, error);
      return;
    }
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  finish_load (load, texture, NULL);
}

static void
start_decode (Load   *load,
              GBytes *fetched)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_decoded, load);
  DecodeWork *work = g_new0 (DecodeWork, 1);

  work->path = g_strdup (load->path);
  work->fetched = fetched != NULL ? g_bytes_ref (fetched) : NULL;
  g_task_set_task_data (task, work, (GDestroyNotify) decode_work_free);
  g_task_run_in_thread (task, decode_in_thread);
}

/* ---- the object ---- */

static void
nod_avatar_cache_dispose (GObject *object)
{
  NodAvatarCache *self = NOD_AVATAR_CACHE (object);

  g_clear_object (&self->session);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (nod_avatar_cache_parent_class)->dispose (object);
}

static void
nod_avatar_cache_finalize (GObject *object)
{
  NodAvatarCache *self = NOD_AVATAR_CACHE (object);

  g_free (self->directory);
  g_clear_pointer (&self->textures, g_hash_table_unref);
  g_clear_pointer (&self->failed_at, g_hash_table_unref);
  g_clear_pointer (&self->loads, g_hash_table_unref);

  G_OBJECT_CLASS (nod_avatar_cache_parent_class)->finalize (object);
}

static void
nod_avatar_cache_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NodAvatarCache *self = NOD_AVATAR_CACHE (object);

  switch (prop_id)
    {
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_avatar_cache_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NodAvatarCache *self = NOD_AVATAR_CACHE (object);

  switch (prop_id)
    {
    case PROP_OFFLINE:
      nod_avatar_cache_set_offline (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_avatar_cache_class_init (NodAvatarCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_avatar_cache_dispose;
  object_class->finalize = nod_avatar_cache_finalize;
  object_class->get_property = nod_avatar_cache_get_property;
  object_class->set_property = nod_avatar_cache_set_property;

  /**
   * NodAvatarCache:offline:
   *
   * Whether the network may be asked: offline, only what is kept on disk shows.
   */
  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
nod_avatar_cache_init (NodAvatarCache *self)
{
  self->textures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->failed_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->loads = g_hash_table_new (g_str_hash, g_str_equal);
  /* Its own session: no cookie jar, no credentials, a couple of connections a host. */
  self->session = soup_session_new_with_options ("max-conns-per-host", 2,
                                                 "timeout", 30,
                                                 "idle-timeout", 60,
                                                 "user-agent", "Nod avatars",
                                                 NULL);
}

/**
 * nod_avatar_cache_new:
 * @directory: where the avatars are kept
 * @clock: (nullable): how long a failure is remembered is measured on it; %NULL: the
 *   system clock
 */
NodAvatarCache *
nod_avatar_cache_new (const char *directory,
                      NodClock   *clock)
{
  NodAvatarCache *self;

  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (NOD_TYPE_AVATAR_CACHE, NULL);
  self->directory = g_strdup (directory);
  self->clock = clock != NULL ? g_object_ref (clock) : g_object_ref (nod_clock_get_system ());
  return self;
}

/**
 * nod_avatar_cache_get_default:
 *
 * The app's avatars, kept under the user's cache folder.
 *
 * Returns: (transfer none)
 */
NodAvatarCache *
nod_avatar_cache_get_default (void)
{
  static NodAvatarCache *default_cache;

  if (default_cache == NULL)
    {
      g_autofree char *directory = g_build_filename (g_get_user_cache_dir (), "nod", "avatars",
                                                     NULL);

      default_cache = nod_avatar_cache_new (directory, NULL);
    }
  return default_cache;
}

void
nod_avatar_cache_set_offline (NodAvatarCache *self,
                              gboolean        offline)
{
  g_return_if_fail (NOD_IS_AVATAR_CACHE (self));

  offline = !!offline;
  if (self->offline == offline)
    return;
  self->offline = offline;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
}

gboolean
nod_avatar_cache_get_offline (NodAvatarCache *self)
{
  g_return_val_if_fail (NOD_IS_AVATAR_CACHE (self), FALSE);
  return self->offline;
}

/**
 * nod_avatar_cache_resolve_url:
 * @avatar_url: (nullable): GitLab's avatar_url
 * @instance_url: (nullable): a URL on the account's instance (the merge request's page),
 *   for an avatar_url given relative to it
 *
 * Returns: (transfer full) (nullable): the http(s) URL to fetch, or %NULL for none (no
 *   avatar, another scheme, credentials in the URL)
 */
char *
nod_avatar_cache_resolve_url (const char *avatar_url,
                              const char *instance_url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *resolved = NULL;
  const char *scheme;

  if (avatar_url == NULL || *avatar_url == '\0')
    return NULL;
  if (avatar_url[0] == '/' && avatar_url[1] != '/')
    {
      if (instance_url == NULL)
        return NULL;
      resolved = g_uri_resolve_relative (instance_url, avatar_url, G_URI_FLAGS_NONE, NULL);
      if (resolved == NULL)
        return NULL;
      avatar_url = resolved;
    }
  uri = g_uri_parse (avatar_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;
  return g_uri_to_string (uri);
}

/* Where @url's avatar is kept: its SHA-256, never the URL itself, for a file name. */
char *
nod_avatar_cache_dup_path (NodAvatarCache *self,
                           const char     *url)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);

  g_return_val_if_fail (NOD_IS_AVATAR_CACHE (self), NULL);
  return g_build_filename (self->directory, digest, NULL);
}

/**
 * nod_avatar_cache_lookup:
 *
 * Returns: (transfer none) (nullable): @url's avatar if it is loaded already
 */
GdkTexture *
nod_avatar_cache_lookup (NodAvatarCache *self,
                         const char     *url)
{
  g_return_val_if_fail (NOD_IS_AVATAR_CACHE (self), NULL);
  return url != NULL ? g_hash_table_lookup (self->textures, url) : NULL;
}

/**
 * nod_avatar_cache_load_async:
 * @url: an http(s) URL (nod_avatar_cache_resolve_url ())
 *
 * Loads @url's avatar from memory, the disk or the network, in the background. Asked for
 * again while it loads, it is loaded once.
 */
void
nod_avatar_cache_load_async (NodAvatarCache      *self,
                             const char          *url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GdkTexture *texture;
  gint64 *failed_at;
  Load *load;

  g_return_if_fail (NOD_IS_AVATAR_CACHE (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_avatar_cache_load_async);

  texture = g_hash_table_lookup (self->textures, url);
  if (texture != NULL)
    {
      g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      return;
    }
  failed_at = g_hash_table_lookup (self->failed_at, url);
  if (failed_at != NULL && nod_clock_get_now_s (self->clock) - *failed_at < NOD_AVATAR_RETRY_S)
    {
      g_task_return_new_error (task, NOD_AVATAR_CACHE_ERROR, NOD_AVATAR_CACHE_ERROR_UNAVAILABLE,
                               "failed a while ago");
      return;
    }

  load = g_hash_table_lookup (self->loads, url);
  if (load != NULL)
    {
      g_ptr_array_add (load->waiters, g_steal_pointer (&task));
      return;
    }
  load = g_new0 (Load, 1);
  load->self = g_object_ref (self);
  load->url = g_strdup (url);
  load->path = nod_avatar_cache_dup_path (self, url);
  load->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  load->cancellable = g_cancellable_new ();
  g_ptr_array_add (load->waiters, g_steal_pointer (&task));
  g_hash_table_insert (self->loads, load->url, load);
  start_decode (load, NULL);
}

/**
 * nod_avatar_cache_load_finish:
 *
 * Returns: (transfer full): the avatar, at most %NOD_AVATAR_SIZE a side
 */
GdkTexture *
nod_avatar_cache_load_finish (NodAvatarCache  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Who asked to show an avatar, and which. */
typedef struct
{
  GWeakRef  avatar;
  char     *url;
} ShowRequest;

static void
on_shown_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ShowRequest *request = user_data;
  g_autoptr(AdwAvatar) avatar = g_weak_ref_get (&request->avatar);
  g_autoptr(GdkTexture) texture = nod_avatar_cache_load_finish (NOD_AVATAR_CACHE (source),
                                                                result, NULL);

  /* Only if the avatar still shows that user (a recycled widget may not). */
  if (avatar != NULL && texture != NULL &&
      g_strcmp0 (g_object_get_data (G_OBJECT (avatar), "nod-avatar-url"), request->url) == 0)
    adw_avatar_set_custom_image (avatar, GDK_PAINTABLE (texture));
  g_weak_ref_clear (&request->avatar);
  g_free (request->url);
  g_free (request);
}

/**
 * nod_avatar_cache_show:
 * @avatar_url: (nullable): GitLab's avatar_url for the user @avatar shows
 * @instance_url: (nullable): a URL on the account's instance, for a relative avatar_url
 *
 * Shows the user's avatar on @avatar once it is loaded; meanwhile (and with none) its
 * initials.
 */
void
nod_avatar_cache_show (NodAvatarCache *self,
                       AdwAvatar      *avatar,
                       const char     *avatar_url,
                       const char     *instance_url)
{
  g_autofree char *url = nod_avatar_cache_resolve_url (avatar_url, instance_url);
  GdkTexture *texture;
  ShowRequest *request;

  g_return_if_fail (NOD_IS_AVATAR_CACHE (self));
  g_return_if_fail (ADW_IS_AVATAR (avatar));

  if (g_strcmp0 (g_object_get_data (G_OBJECT (avatar), "nod-avatar-url"), url) == 0 &&
      (url == NULL || adw_avatar_get_custom_image (avatar) != NULL))
    return;
  g_object_set_data_full (G_OBJECT (avatar), "nod-avatar-url", g_strdup (url), g_free);
  texture = nod_avatar_cache_lookup (self, url);
  adw_avatar_set_custom_image (avatar, texture != NULL ? GDK_PAINTABLE (texture) : NULL);
  if (url == NULL || texture != NULL)
    return;

  request = g_new0 (ShowRequest, 1);
  g_weak_ref_init (&request->avatar, avatar);
  request->url = g_strdup (url);
  nod_avatar_cache_load_async (self, url, NULL, on_shown_loaded, request);
}
