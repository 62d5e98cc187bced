/* nod-cli-account.c: `nod account add` and `nod account remove`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The token comes from standard input (--token-stdin) or GITLAB_TOKEN, never from the
 * command line; the session keeps it in the keyring, and this copy is wiped once the
 * sign-in is done.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "nod-cli-private.h"
#include "nod-credentials.h"
#include "nod-settings.h"

/* Longest token read from standard input. */
#define MAX_STDIN_TOKEN 4096

/* "https://gitlab.example.org/" and "https://gitlab.example.org" are one account. */
static char *
strip_trailing_slashes (char *url)
{
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  return url;
}

/* ---- account add ---- */

typedef struct
{
  GTask     *task;
  char      *base_url;
  char      *token;
  GSettings *settings;  /* with --depth */
} AccountAdd;

static void
account_add_free (AccountAdd *add)
{
  g_clear_object (&add->settings);
  g_free (add->base_url);
  nod_credentials_token_free (add->token);
  g_free (add);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AccountAdd, account_add_free)

static char *
signed_in_message (NodCliRun  *run,
                   NodAccount *account)
{
  guint days = nod_sync_engine_get_history_days (run->engine);
  g_autofree char *account_title = nod_account_dup_title (account);
  g_autofree char *title = nod_cli_output_value (account_title);
  g_autofree char *depth = days == 0 ? g_strdup (_("all its history"))
                                     : g_strdup_printf (_("the last %u days"), days);

  if (run->headless)
    /* Translators: the first %s is an account, the second "the last 30 days" or
     * "all its history" */
    return g_strdup_printf (_("Signed in: %s. “nod pull” fetches %s."), title, depth);
  /* The running app syncs it now, in the background, and says when it is done. */
  return g_strdup_printf (_("Signed in: %s. Nod is fetching %s."), title, depth);
}

static void
on_account_signed_in (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(AccountAdd) add = user_data;
  NodCliRun *run = _nod_cli_run_of (add->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (NOD_SESSION (source_object),
                                                              result, &error);
  g_autofree char *message = NULL;

  if (account == NULL)
    {
      _nod_cli_finish_error (add->task, error);
      return;
    }

  /* The depth is the one Preferences shows: a running app follows it at once. */
  if (add->settings != NULL)
    {
      nod_sync_engine_set_history_days (run->engine, run->command->history_days);
      nod_settings_set_history_days (add->settings, run->command->history_days);
    }
  message = signed_in_message (run, account);
  _nod_cli_finish (add->task, NOD_CLI_EXIT_OK, message);
}

/* GitLab is asked whose token it is; only then is it kept, in the keyring. */
static void
sign_in (AccountAdd *add)
{
  NodCliRun *run = _nod_cli_run_of (add->task);

  nod_session_sign_in_async (run->session, add->base_url, add->token, NULL,
                             on_account_signed_in, add);
}

/* What a token can hold: printable ASCII, no space (what GitLab makes, and what an HTTP
 * header can carry). */
static gboolean
is_token_text (const char *token)
{
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return FALSE;
  return TRUE;
}

static void
on_token_read (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(AccountAdd) add = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = _nod_cli_read_stdin_finish (result, &error);
  gsize length = 0;
  const char *data;

  if (g_error_matches (error, NOD_CLI_ERROR, NOD_CLI_ERROR_TOO_LONG))
    {
      _nod_cli_finish (add->task, NOD_CLI_EXIT_USAGE,
                       _("nod: there is more on standard input than a token; give the token "
                         "alone"));
      return;
    }
  if (g_error_matches (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE))
    {
      _nod_cli_finish (add->task, NOD_CLI_EXIT_USAGE, error->message);
      return;
    }
  if (bytes == NULL)
    {
      _nod_cli_finish_error (add->task, error);
      return;
    }

  /* Not a word of it is repeated: it may be a token with a typo. */
  data = g_bytes_get_data (bytes, &length);
  if (memchr (data, '\0', length) != NULL)
    {
      _nod_cli_finish (add->task, NOD_CLI_EXIT_USAGE,
                       _("nod: the token on standard input holds a NUL byte"));
      return;
    }
  add->token = g_strstrip (g_strndup (data, length));
  if (*add->token == '\0')
    {
      _nod_cli_finish (add->task, NOD_CLI_EXIT_USAGE, _("nod: no token on standard input"));
      return;
    }
  if (!is_token_text (add->token))
    {
      _nod_cli_finish (add->task, NOD_CLI_EXIT_USAGE,
                       _("nod: the token on standard input holds spaces or characters a "
                         "token never has; give the token alone"));
      return;
    }
  sign_in (g_steal_pointer (&add));
}

static void
read_token_then_sign_in (AccountAdd *add)
{
  NodCliRun *run = _nod_cli_run_of (add->task);

  _nod_cli_read_stdin_async (run, MAX_STDIN_TOKEN, NULL, on_token_read, add);
}

void
_nod_cli_account_add (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(AccountAdd) add = g_new0 (AccountAdd, 1);
  const char *token = g_application_command_line_getenv (run->command_line, "GITLAB_TOKEN");

  add->task = task;
  add->base_url = strip_trailing_slashes (g_strdup (run->command->url));

  if (run->command->depth_given && (add->settings = nod_settings_new_if_installed ()) == NULL)
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR,
                       _("nod: Nod’s settings are not installed here, so --depth cannot be kept"));
      return;
    }

  if (run->command->token_from_stdin)
    {
      read_token_then_sign_in (g_steal_pointer (&add));
      return;
    }
  if (token == NULL || *token == '\0')
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE,
                       _("nod: give the token on standard input with --token-stdin, or in "
                         "GITLAB_TOKEN"));
      return;
    }
  add->token = g_strdup (token);
  sign_in (g_steal_pointer (&add));
}

/* ---- account remove ---- */

static void
on_account_removed (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_session_remove_account_finish (NOD_SESSION (source_object), result, &error))
    _nod_cli_finish_error (task, error);
  else
    _nod_cli_finish (task, NOD_CLI_EXIT_OK, _("Removed."));
}

void
_nod_cli_account_remove (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (run->accounts));
  g_autofree char *url = strip_trailing_slashes (g_strdup (run->command->url));
  g_autofree char *message = NULL;

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (run->accounts), i);

      if (g_strcmp0 (nod_account_get_base_url (account), url) != 0)
        continue;
      nod_session_remove_account_async (run->session, nod_account_get_id (account), NULL,
                                        on_account_removed, task);
      return;
    }
  message = g_strdup_printf (_("nod: no account at %s"), url);
  _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
}
