/* fuzz-url.c: the checks a GitLab instance address passes before a token goes near it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An input is one address, as typed into `nod account add --url`, GITLAB_URL or the
 * sign-in window (cut at a NUL, as a C string would be).
 */

#include "config.h"

#include "nod-account.h"
#include "nod-cli-command.h"
#include "nod-gitlab.h"
#include "nod-fuzz.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static void
check_cli_url (const char *url,
               gboolean    insecure_http)
{
  g_autoptr(GError) error = NULL;
  gboolean accepted = nod_cli_check_url (url, insecure_http, &error);

  if (accepted)
    {
      g_assert_no_error (error);
      /* The account will meet the backend's check later: it must agree. */
      g_assert_true (nod_gitlab_check_base_url (url, insecure_http, NULL));
      return;
    }

  /* One line for a terminal, which never quotes a password it may hold. */
  g_assert_error (error, NOD_CLI_ERROR, NOD_CLI_ERROR_USAGE);
  g_assert_true (g_str_has_prefix (error->message, "nod: "));
  g_assert_true (nod_fuzz_is_printable_utf8 (error->message));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *url = nod_fuzz_strndup (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = NULL;
  g_autofree char *host = NULL;
  gboolean secure_ok, insecure_ok;

  secure_ok = nod_gitlab_check_base_url (url, FALSE, &error);
  g_assert_true (secure_ok == (error == NULL));
  if (error != NULL)
    g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID);
  g_clear_error (&error);

  insecure_ok = nod_gitlab_check_base_url (url, TRUE, NULL);
  /* --insecure-http only ever lets more through. */
  g_assert_true (!secure_ok || insecure_ok);

  check_cli_url (url, FALSE);
  check_cli_url (url, TRUE);

  /* An account's name for people comes from the same address. */
  account = nod_account_new (1, url, "reviewer");
  host = nod_account_dup_host (account);
  g_assert_nonnull (host);

  return 0;
}
