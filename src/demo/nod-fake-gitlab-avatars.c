/* nod-fake-gitlab-avatars.c: the users' avatars, as GitLab serves its uploads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET /uploads/-/system/user/avatar/:id/avatar.png answers a small PNG of one colour per
 * user, made here (an uncompressed PNG needs only CRC-32 and Adler-32), so the demo and
 * the tests show avatars without ever reaching for gravatar. As GitLab does for a public
 * user's avatar, it asks for no token; an unknown user or file is 404.
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-private.h"

#define AVATAR_SIDE 48

static guint32
crc32_of (const guint8 *data,
          gsize         length,
          guint32       crc)
{
  static guint32 table[256];

  if (table[1] == 0)
    for (guint32 n = 0; n < 256; n++)
      {
        guint32 c = n;

        for (int k = 0; k < 8; k++)
          c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
      }
  crc ^= 0xffffffffu;
  for (gsize i = 0; i < length; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

static void
append_be32 (GByteArray *bytes,
             guint32     value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (bytes, be, 4);
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              gsize         length)
{
  guint32 crc;

  append_be32 (png, (guint32) length);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, (guint) length);
  crc = crc32_of ((const guint8 *) type, 4, 0);
  crc = crc32_of (data, length, crc);
  append_be32 (png, crc);
}

/* A colour of the user's own, from their id: distinct for the sample's few users. */
static void
user_colour (gint64  user_id,
             guint8  rgb[3])
{
  static const guint8 palette[][3] = {
    { 0x35, 0x84, 0xe4 }, { 0x2e, 0xc2, 0x7e }, { 0xf6, 0xd3, 0x2d }, { 0xe6, 0x61, 0x00 },
    { 0xc0, 0x1c, 0x28 }, { 0x91, 0x41, 0xac }, { 0x98, 0x6a, 0x44 }, { 0x2a, 0xc3, 0xde },
  };

  memcpy (rgb, palette[(guint64) user_id % G_N_ELEMENTS (palette)], 3);
}

static GBytes *
make_avatar_png (gint64 user_id)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GByteArray) header = g_byte_array_new ();
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GByteArray) zlib = g_byte_array_new ();
  guint8 rgb[3];
  guint8 header_tail[5] = { 8, 2, 0, 0, 0 };  /* 8 bits, RGB, deflate, no filter, no interlace */
  guint8 zlib_header[2] = { 0x78, 0x01 };
  guint32 a = 1, b = 0;
  guint8 stored[5];

  user_colour (user_id, rgb);
  for (guint y = 0; y < AVATAR_SIDE; y++)
    {
      guint8 filter = 0;

      g_byte_array_append (raw, &filter, 1);
      for (guint x = 0; x < AVATAR_SIDE; x++)
        g_byte_array_append (raw, rgb, 3);
    }

  /* One stored (uncompressed) deflate block, then the Adler-32 of the data. */
  g_byte_array_append (zlib, zlib_header, 2);
  stored[0] = 1;
  stored[1] = raw->len & 0xff;
  stored[2] = raw->len >> 8;
  stored[3] = ~raw->len & 0xff;
  stored[4] = (~raw->len >> 8) & 0xff;
  g_byte_array_append (zlib, stored, 5);
  g_byte_array_append (zlib, raw->data, raw->len);
  for (guint i = 0; i < raw->len; i++)
    {
      a = (a + raw->data[i]) % 65521;
      b = (b + a) % 65521;
    }
  append_be32 (zlib, (b << 16) | a);

  append_be32 (header, AVATAR_SIDE);
  append_be32 (header, AVATAR_SIDE);
  g_byte_array_append (header, header_tail, 5);

  g_byte_array_append (png, signature, 8);
  append_chunk (png, "IHDR", header->data, header->len);
  append_chunk (png, "IDAT", zlib->data, zlib->len);
  append_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

/* Whether @path is one of the fake's upload paths. */
gboolean
_nod_fake_gitlab_is_upload_path (const char *path)
{
  return g_str_has_prefix (path, "/uploads/");
}

void
_nod_fake_gitlab_serve_avatar (NodFakeGitlab  *self,
                               NodFakeRequest *request,
                               const char     *path)
{
  const char *method = soup_server_message_get_method (request->msg);
  const char *prefix = "/uploads/-/system/user/avatar/";
  g_autofree char *id_text = NULL;
  const char *rest;
  const char *slash;
  gint64 user_id;
  char *end = NULL;
  g_autoptr(GBytes) png = NULL;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    {
      _nod_fake_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "404 Not Found");
      return;
    }
  if (!g_str_has_prefix (path, prefix))
    {
      _nod_fake_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "404 Not Found");
      return;
    }
  rest = path + strlen (prefix);
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest || !g_str_equal (slash, "/avatar.png"))
    {
      _nod_fake_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "404 Not Found");
      return;
    }
  id_text = g_strndup (rest, slash - rest);
  user_id = g_ascii_strtoll (id_text, &end, 10);
  if (end == NULL || *end != '\0' || user_id <= 0 ||
      nod_fake_dataset_find_user (self->dataset, user_id) == NULL)
    {
      _nod_fake_request_respond_error (request, SOUP_STATUS_NOT_FOUND, "404 Not Found");
      return;
    }

  png = make_avatar_png (user_id);
  _nod_fake_request_respond_bytes (request, SOUP_STATUS_OK, "image/png", png);
}
