/* fuzz-cli-command.c: the command line's parser, on any argument vector
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is the words after "nod", one a line (a NUL ends a word too, as it would in a
 * real argv). A usage error must be one printable line, since it goes to a terminal as is;
 * a parsed command must be one the verbs can run.
 */

#include "config.h"

#include <string.h>

#include "nod-cli-command.h"
#include "nod-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static void
check_command (const NodCliCommand *command)
{
  g_assert_nonnull (nod_cli_verb_to_string (command->verb));

  if (command->verb == NOD_CLI_VERB_HELP)
    {
      g_autofree char *help = nod_cli_help_text (command->help_for);

      g_assert_true (g_str_has_suffix (help, "\n"));
      return;
    }

  if (command->body != NULL)
    g_assert_true (g_utf8_validate (command->body, -1, NULL));
  g_assert_false (command->body != NULL && command->body_from_stdin);
  if (command->url != NULL)
    g_assert_true (nod_cli_check_url (command->url, command->insecure_http, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(NodCliCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  size_t start = 0;

  g_ptr_array_add (words, g_strdup ("nod"));
  for (size_t i = 0; i <= size; i++)
    if (i == size || data[i] == '\n' || data[i] == '\0')
      {
        /* A trailing newline ends the last word; it starts no empty one. */
        if (i < size || i > start)
          g_ptr_array_add (words, g_strndup ((const char *) data + start, i - start));
        start = i + 1;
      }

  command = nod_cli_command_parse ((int) words->len, (const char *const *) words->pdata,
                                   &error);
  if (command == NULL)
    {
      g_assert_error (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE);
      g_assert_true (g_str_has_prefix (error->message, "nod: "));
      g_assert_true (nod_fuzz_is_printable_utf8 (error->message));
    }
  else
    {
      g_assert_no_error (error);
      check_command (command);
    }

  if (words->len > 1)
    (void) nod_cli_is_verb (g_ptr_array_index (words, 1));

  return 0;
}
