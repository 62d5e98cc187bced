/* nod-avatar-cache.h: users' avatars, fetched in the background and kept on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "nod-clock.h"

G_BEGIN_DECLS

/* An avatar's body is refused past this many bytes, and its image past this many pixels
 * a side; it is decoded at most NOD_AVATAR_SIZE a side. */
#define NOD_AVATAR_MAX_BYTES (1024 * 1024)
#define NOD_AVATAR_MAX_SIDE  2048
#define NOD_AVATAR_SIZE      96
/* How long a URL that failed is not asked again. */
#define NOD_AVATAR_RETRY_S   (10 * 60)

#define NOD_AVATAR_CACHE_ERROR (nod_avatar_cache_error_quark ())

typedef enum
{
  NOD_AVATAR_CACHE_ERROR_REFUSED,   /* not an http(s) URL, not an image Nod takes, too big */
  NOD_AVATAR_CACHE_ERROR_UNAVAILABLE, /* no answer, not 200, offline, failed a while ago */
} NodAvatarCacheError;

GQuark nod_avatar_cache_error_quark (void);

#define NOD_TYPE_AVATAR_CACHE (nod_avatar_cache_get_type ())

G_DECLARE_FINAL_TYPE (NodAvatarCache, nod_avatar_cache, NOD, AVATAR_CACHE, GObject)

NodAvatarCache *nod_avatar_cache_new         (const char          *directory,
                                              NodClock            *clock);
NodAvatarCache *nod_avatar_cache_get_default (void);

void            nod_avatar_cache_set_offline (NodAvatarCache      *self,
                                              gboolean             offline);
gboolean        nod_avatar_cache_get_offline (NodAvatarCache      *self);

char           *nod_avatar_cache_resolve_url (const char          *avatar_url,
                                              const char          *instance_url);
char           *nod_avatar_cache_dup_path    (NodAvatarCache      *self,
                                              const char          *url);

void            nod_avatar_cache_load_async  (NodAvatarCache      *self,
                                              const char          *url,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GdkTexture     *nod_avatar_cache_load_finish (NodAvatarCache      *self,
                                              GAsyncResult        *result,
                                              GError             **error);
GdkTexture     *nod_avatar_cache_lookup      (NodAvatarCache      *self,
                                              const char          *url);

void            nod_avatar_cache_show        (NodAvatarCache      *self,
                                              AdwAvatar           *avatar,
                                              const char          *avatar_url,
                                              const char          *instance_url);

G_END_DECLS
