/* nod-cli-input.c: reading standard input, to its end, within a bound
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pipe gives its data in pieces (64 KiB at a time on Linux): one read is not the whole
 * input. Reading goes on to the end, and stops as soon as there is more than the caller
 * takes, which is then refused whole rather than cut.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-cli-private.h"

/* How much one read asks for. */
#define CHUNK_BYTES (64 * 1024)

typedef struct
{
  GInputStream *input;
  GByteArray   *data;
  gsize         max_bytes;
} StdinRead;

static void
stdin_read_free (StdinRead *read)
{
  g_clear_object (&read->input);
  g_clear_pointer (&read->data, g_byte_array_unref);
  g_free (read);
}

static void read_next_chunk (GTask *task);

static void
on_chunk_read (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StdinRead *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source_object),
                                                              result, &error);
  gsize length = 0;
  const guint8 *bytes;

  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bytes = g_bytes_get_data (chunk, &length);
  if (length == 0)
    {
      /* The end: the caller gets the text with a NUL after it, for string functions. */
      gsize total = read->data->len;

      g_byte_array_append (read->data, (const guint8 *) "", 1);
      g_task_return_pointer (task,
                             g_bytes_new_take (g_byte_array_steal (read->data, NULL), total),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (read->data->len + length > read->max_bytes)
    {
      g_task_return_new_error (task, NOD_CLI_ERROR, NOD_CLI_ERROR_TOO_LONG,
                               "more than %" G_GSIZE_FORMAT " bytes", read->max_bytes);
      return;
    }

  g_byte_array_append (read->data, bytes, length);
  read_next_chunk (g_steal_pointer (&task));
}

static void
read_next_chunk (GTask *task)
{
  StdinRead *read = g_task_get_task_data (task);
  /* One byte more than it takes, at most: enough to know there is too much. */
  gsize wanted = MIN (CHUNK_BYTES, read->max_bytes - read->data->len + 1);

  g_input_stream_read_bytes_async (read->input, wanted, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_chunk_read, task);
}

/* Reads the command's standard input to its end. Fails with NOD_CLI_ERROR_TOO_LONG beyond
 * @max_bytes (having read no more than one chunk past them), with NOD_CLI_ERROR_USAGE
 * when there is no standard input, or with the stream's error. */
void
_nod_cli_read_stdin_async (NodCliRun           *run,
                           gsize                max_bytes,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  StdinRead *read;

  g_task_set_source_tag (task, _nod_cli_read_stdin_async);
  read = g_new0 (StdinRead, 1);
  read->input = g_application_command_line_get_stdin (run->command_line);
  read->data = g_byte_array_new ();
  read->max_bytes = max_bytes;
  g_task_set_task_data (task, read, (GDestroyNotify) stdin_read_free);

  if (read->input == NULL)
    {
      g_task_return_new_error (task, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE,
                               _("nod: there is no standard input to read"));
      return;
    }
  read_next_chunk (g_steal_pointer (&task));
}

/* Returns: (transfer full): what was read, with a NUL after its length (not counted) */
GBytes *
_nod_cli_read_stdin_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
