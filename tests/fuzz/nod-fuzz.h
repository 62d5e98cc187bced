/* nod-fuzz.h: what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target is a libFuzzer entry point over one parser of what strangers send. A crash,
 * a sanitizer report, a leak, or a GLib critical or warning (a g_return_if_fail that
 * hostile input reached) ends the run with the input that caused it.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

static inline void
nod_fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* @data as a C string: cut at its first NUL, as it would be read from argv or a header. */
static inline char *
nod_fuzz_strndup (const uint8_t *data,
                  size_t         size)
{
  return g_strndup ((const char *) data, size);
}

/* TRUE if @text holds no control character once read as UTF-8. */
static inline gboolean
nod_fuzz_is_printable_utf8 (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}
