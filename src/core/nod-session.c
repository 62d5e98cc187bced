/* nod-session.c: Nod's data, accounts and sync engine, opened once for the app or a command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app, a headless command and the sign-in window all start here, so the stack is
 * wired in one place and in one order: open the store, recover what a killed Nod left in
 * flight, restore what the last run knew (when it last pulled, each account's request
 * budget), load the accounts, read their tokens from the keyring and give the engine a
 * forge for each. Signing in and out, and forgetting an account, touch the keyring, the
 * store and the engine together, here too.
 */

#define G_LOG_DOMAIN "nod-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nod-credentials.h"
#include "nod-gitlab.h"
#include "nod-session.h"

struct _NodSession
{
  GObject          parent_instance;

  NodSessionFlags  flags;
  NodStore        *store;
  NodOutbox       *outbox;
  NodAccounts     *accounts;
  NodSyncEngine   *engine;
  GHashTable      *forges;    /* account id → the NodForge it syncs with, while signed in */
  GHashTable      *kept_budgets; /* account id → the NodRateLimit kept last */
};

G_DEFINE_FINAL_TYPE (NodSession, nod_session, G_TYPE_OBJECT)

static gboolean
uses_keyring (NodSession *self)
{
  return (self->flags & NOD_SESSION_FLAGS_NO_KEYRING) == 0;
}

/* GitLab's times are the wall clock's, as the budget keeps them. */
static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The engine syncs @account with @forge from now on (NULL: signed out, its actions wait). */
static void
give_forge (NodSession *self,
            NodAccount *account,
            NodForge   *forge)
{
  gint64 account_id = nod_account_get_id (account);
  g_autoptr(NodRateLimit) last_run = nod_accounts_dup_rate_limit (self->accounts, account_id);

  /* An account signing in again is synced afresh: what waited goes first. */
  nod_sync_engine_remove_account (self->engine, account_id);
  nod_sync_engine_add_account (self->engine, account_id, forge);
  /* A 429's Retry-After, or a budget spent to nothing, heard when Nod last ran, holds
   * until its time, whatever GitLab has answered since. */
  if (last_run != NULL)
    nod_sync_engine_restore_block (self->engine, account_id,
                                   nod_rate_limit_blocked_until (last_run, 0, now_s ()));
  if (forge != NULL)
    {
      /* A budget spent when Nod last ran is still spent until GitLab's window resets. */
      if (last_run != NULL)
        nod_forge_restore_rate_limit (forge, last_run);
      g_hash_table_insert (self->forges, g_memdup2 (&account_id, sizeof account_id),
                           g_object_ref (forge));
    }
  else
    g_hash_table_remove (self->forges, &account_id);
  nod_account_set_signed_in (account, forge != NULL);
}

/* ---- what the last run knew ---- */

static void
on_budget_kept (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!nod_accounts_save_rate_limit_finish (NOD_ACCOUNTS (source_object), result, &error))
    g_debug ("Could not keep the request budget: %s", error->message);
}

/* A job ended: what GitLab said of each account's request budget is kept for the next
 * run, if it said anything new. */
/* GitLab refused the token: the account shows signed out (its Sign In button, the status
 * bar's), its outbox kept for when it signs in again. */
static void
on_token_rejected (NodSyncEngine *engine,
                   gint64         account_id,
                   gpointer       user_data)
{
  NodSession *self = user_data;
  NodAccount *account = nod_accounts_find (self->accounts, account_id);

  if (account != NULL)
    nod_account_set_signed_in (account, FALSE);
}

static void
keep_budgets (NodSession *self)
{
  GHashTableIter iter;
  gpointer key, forge;

  g_hash_table_iter_init (&iter, self->forges);
  while (g_hash_table_iter_next (&iter, &key, &forge))
    {
      g_autoptr(NodRateLimit) budget = nod_forge_dup_rate_limit (forge);
      gint64 account_id = *(gint64 *) key;
      NodRateLimit *kept = g_hash_table_lookup (self->kept_budgets, &account_id);

      /* Within one second a 429 may follow the answer kept last: the times alone do not
       * say whether anything is new. */
      if (budget->observed_at == 0 ||
          (kept != NULL && kept->limit == budget->limit && kept->remaining == budget->remaining &&
           kept->reset_at == budget->reset_at && kept->retry_at == budget->retry_at &&
           kept->observed_at == budget->observed_at))
        continue;
      g_hash_table_insert (self->kept_budgets, g_memdup2 (&account_id, sizeof account_id),
                           nod_rate_limit_copy (budget));
      nod_accounts_save_rate_limit_async (self->accounts, account_id, budget, NULL,
                                          on_budget_kept, NULL);
    }
}

/* ---- open ---- */

typedef struct
{
  NodSession *session;
  guint       pending_lookups;
  GPtrArray  *forges;  /* a NodForge per account, in the list's order; NULL: no token */
} Opening;

static void
forge_clear (gpointer forge)
{
  if (forge != NULL)
    g_object_unref (forge);
}

static void
opening_free (Opening *opening)
{
  g_clear_object (&opening->session);
  g_clear_pointer (&opening->forges, g_ptr_array_unref);
  g_free (opening);
}

typedef struct
{
  GTask      *task;
  NodAccount *account;
  guint       position;
} TokenLookup;

/* Every lookup has answered: the engine gets the accounts in the list's order, whatever
 * order the keyring answered in, so "the first account" means the same every time. */
static void
finish_opening (GTask *task)
{
  Opening *opening = g_task_get_task_data (task);
  NodSession *self = opening->session;

  if (opening->pending_lookups > 0)
    return;
  for (guint i = 0; i < opening->forges->len; i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      /* Without a token it is signed out: its merge requests stay readable, its actions
       * wait. */
      give_forge (self, account, opening->forges->pdata[i]);
    }
  g_task_return_pointer (task, g_steal_pointer (&opening->session), g_object_unref);
  g_object_unref (task);
}

static void
on_token_found (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TokenLookup *lookup = user_data;
  Opening *opening = g_task_get_task_data (lookup->task);
  g_autoptr(GError) error = NULL;
  char *token = nod_credentials_lookup_finish (result, &error);

  /* No keyring (over SSH, say) is no news here: the status says the account is signed out. */
  if (token == NULL && error != NULL)
    g_debug ("No token for %s: %s", nod_account_get_base_url (lookup->account),
             error->message);
  if (token != NULL)
    {
      NodGitlab *gitlab = nod_gitlab_new (nod_account_get_base_url (lookup->account), token,
                                          &error);

      if (gitlab == NULL)
        g_message ("Account %s: %s", nod_account_get_base_url (lookup->account),
                   error->message);
      opening->forges->pdata[lookup->position] = gitlab;
    }
  nod_credentials_token_free (token);

  opening->pending_lookups--;
  finish_opening (lookup->task);
  g_object_unref (lookup->account);
  g_free (lookup);
}

static void
on_accounts_loaded (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Opening *opening = g_task_get_task_data (task);
  NodSession *self = opening->session;
  GListModel *accounts = G_LIST_MODEL (self->accounts);
  g_autoptr(GError) error = NULL;
  guint n_accounts;

  if (!nod_accounts_load_finish (self->accounts, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* One keyring lookup per account, all at once; the session is ready when all answered. */
  n_accounts = uses_keyring (self) ? g_list_model_get_n_items (accounts) : 0;
  opening->pending_lookups = n_accounts;
  opening->forges = g_ptr_array_new_full (n_accounts, forge_clear);
  g_ptr_array_set_size (opening->forges, n_accounts);
  for (guint i = 0; i < n_accounts; i++)
    {
      TokenLookup *lookup = g_new0 (TokenLookup, 1);

      lookup->task = task;
      lookup->account = g_list_model_get_item (accounts, i);
      lookup->position = i;
      nod_credentials_lookup_async (nod_account_get_base_url (lookup->account),
                                    nod_account_get_username (lookup->account),
                                    g_task_get_cancellable (task), on_token_found, lookup);
    }
  finish_opening (task);
}

static void
on_recovered (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Opening *opening = g_task_get_task_data (task);
  NodSession *self = opening->session;
  g_autoptr(GError) error = NULL;

  if (!nod_sync_engine_recover_finish (self->engine, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  nod_accounts_load_async (self->accounts, g_task_get_cancellable (task), on_accounts_loaded,
                           task);
}

static void
on_store_opened (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Opening *opening = g_task_get_task_data (task);
  NodSession *self = opening->session;
  g_autoptr(GError) error = NULL;

  self->store = nod_store_open_finish (result, &error);
  if (self->store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  self->outbox = nod_outbox_new (self->store);
  self->accounts = nod_accounts_new (self->store);
  self->engine = nod_sync_engine_new (self->store, self->outbox);
  nod_sync_engine_follow_network (self->engine, g_network_monitor_get_default ());
  g_signal_connect_object (self->engine, "job-finished", G_CALLBACK (keep_budgets), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "token-rejected", G_CALLBACK (on_token_rejected),
                           self, 0);
  /* A job's end shows in the status before the engine counts what is left: kept from
   * there, the budget is on the store's queue ahead of whatever a command reads last
   * before it exits, so a 429 heard by one `nod` is there for the next. */
  g_signal_connect_object (nod_sync_engine_get_status (self->engine), "notify::state",
                           G_CALLBACK (keep_budgets), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (nod_sync_engine_get_status (self->engine), "notify::blocked-until",
                           G_CALLBACK (keep_budgets), self, G_CONNECT_SWAPPED);

  /* Before anything can be sent: what a killed Nod left in flight is checked first. */
  nod_sync_engine_recover_async (self->engine, g_task_get_cancellable (task), on_recovered,
                                 task);
}

/**
 * nod_session_open_async:
 * @path: the database (nod_store_get_default_path(), or the demo's own)
 *
 * Opens Nod's data and readies the engine with every account. The engine is not started:
 * the app starts it once its window is up (nod_sync_engine_start_async()); a command asks
 * it for what it needs.
 */
void
nod_session_open_async (const char          *path,
                        NodSessionFlags      flags,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Opening *opening;

  g_return_if_fail (path != NULL);

  opening = g_new0 (Opening, 1);
  opening->session = g_object_new (NOD_TYPE_SESSION, NULL);
  opening->session->flags = flags;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_session_open_async);
  g_task_set_task_data (task, opening, (GDestroyNotify) opening_free);
  nod_store_open_async (path, cancellable, on_store_opened, task);
}

/**
 * nod_session_open_finish:
 *
 * Returns: (transfer full): the session, or %NULL with @error set (the store could not be
 *   opened: a sentence for people)
 */
NodSession *
nod_session_open_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nod_session_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- signing in ---- */

typedef struct
{
  NodGitlab *gitlab;
  char      *token;
  NodUser   *user;
  gboolean   one_off;  /* nod_session_use_token_async() */
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_clear_object (&sign_in->gitlab);
  g_clear_object (&sign_in->user);
  nod_credentials_token_free (sign_in->token);
  g_free (sign_in);
}

static void
on_account_added (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NodSession *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_accounts_add_finish (self->accounts, result, &error);

  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  give_forge (self, account, NOD_FORGE (sign_in->gitlab));
  g_task_return_pointer (task, g_steal_pointer (&account), g_object_unref);
}

static void
add_account (GTask *task)
{
  NodSession *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);

  nod_accounts_add_async (self->accounts, nod_gitlab_get_base_url (sign_in->gitlab),
                          nod_user_get_username (sign_in->user),
                          nod_user_get_id (sign_in->user), sign_in->one_off,
                          g_task_get_cancellable (task), on_account_added, task);
}

static void
on_token_stored (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_credentials_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  add_account (task);
}

/* The account a one-off token was used as at @base_url: the one-off one if there is one,
 * else the only one there; NULL when that is not clear. */
static NodAccount *
find_one_off_account (NodSession *self,
                      const char *base_url)
{
  GListModel *accounts = G_LIST_MODEL (self->accounts);
  NodAccount *only = NULL;
  NodAccount *one_off = NULL;
  guint at_url = 0;

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (accounts, i);

      if (g_strcmp0 (nod_account_get_base_url (account), base_url) != 0)
        continue;
      at_url++;
      only = account;
      if (nod_account_get_one_off (account))
        {
          if (one_off != NULL)
            return NULL;
          one_off = account;
        }
    }
  return one_off != NULL ? one_off : at_url == 1 ? only : NULL;
}

static void
on_user_checked (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  NodSession *self = g_task_get_source_object (task);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  sign_in->user = nod_forge_get_current_user_finish (NOD_FORGE (source_object), result, &error);
  if (sign_in->user == NULL && sign_in->one_off)
    {
      NodAccount *account = find_one_off_account (self, nod_gitlab_get_base_url (sign_in->gitlab));

      /* Whose token it is, GitLab tells again when Nod sends: until then, the account
       * this URL was used as before reads and queues as it did. */
      if (account != NULL)
        {
          g_debug ("Using %s without asking GitLab whose token it is: %s",
                   nod_account_get_username (account), error->message);
          give_forge (self, account, NOD_FORGE (sign_in->gitlab));
          g_task_return_pointer (task, g_object_ref (account), g_object_unref);
          g_object_unref (task);
          return;
        }
    }
  if (sign_in->user == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* Only a token GitLab took is kept, and only in the keyring. */
  if (!uses_keyring (self))
    {
      add_account (task);
      return;
    }
  nod_credentials_store_async (nod_gitlab_get_base_url (sign_in->gitlab),
                               nod_user_get_username (sign_in->user), sign_in->token,
                               g_task_get_cancellable (task), on_token_stored, task);
}

static void start_sign_in (NodSession          *self,
                           const char          *base_url,
                           const char          *token,
                           gboolean             one_off,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data);

/**
 * nod_session_sign_in_async:
 * @base_url: the GitLab instance, in one canonical form (no trailing slash)
 * @token: a personal access token
 *
 * Asks GitLab whose @token this is; if it takes it, the token goes to the keyring (never
 * anywhere else), the account to the store, and the engine syncs it at once. Signing in
 * again to a known account keeps its merge requests and its outbox.
 */
void
nod_session_sign_in_async (NodSession          *self,
                           const char          *base_url,
                           const char          *token,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SESSION (self));
  g_return_if_fail (base_url != NULL);
  g_return_if_fail (token != NULL);

  start_sign_in (self, base_url, token, FALSE, cancellable, callback, user_data);
}

/**
 * nod_session_use_token_async:
 * @base_url: the GitLab instance, in one canonical form (no trailing slash)
 * @token: a personal access token, for this process only
 *
 * A command's one-off GITLAB_URL + GITLAB_TOKEN: signs in as nod_session_sign_in_async()
 * does (the account is kept for its outbox, marked one-off), but when GitLab cannot say
 * whose token it is — offline, down, or the token refused — the account this URL was
 * used as before is used with it, so that reading and queueing work with no network.
 * Finish with nod_session_sign_in_finish().
 */
void
nod_session_use_token_async (NodSession          *self,
                             const char          *base_url,
                             const char          *token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (NOD_IS_SESSION (self));
  g_return_if_fail (base_url != NULL);
  g_return_if_fail (token != NULL);
  g_return_if_fail (!uses_keyring (self));

  start_sign_in (self, base_url, token, TRUE, cancellable, callback, user_data);
}

static void
start_sign_in (NodSession          *self,
               const char          *base_url,
               const char          *token,
               gboolean             one_off,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task;
  SignIn *sign_in;
  g_autoptr(GError) error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_session_sign_in_async);
  sign_in = g_new0 (SignIn, 1);
  sign_in->one_off = one_off;
  g_task_set_task_data (task, sign_in, (GDestroyNotify) sign_in_free);

  sign_in->gitlab = nod_gitlab_new (base_url, token, &error);
  if (sign_in->gitlab == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  sign_in->token = g_strdup (token);
  if (one_off)
    {
      NodAccount *account = find_one_off_account (self, nod_gitlab_get_base_url (sign_in->gitlab));
      g_autoptr(NodRateLimit) last_run = account != NULL
        ? nod_accounts_dup_rate_limit (self->accounts, nod_account_get_id (account)) : NULL;

      /* GitLab said to wait: not even whose token it is is asked before then. */
      if (last_run != NULL && nod_rate_limit_blocked_until (last_run, 0, now_s ()) > 0)
        {
          give_forge (self, account, NOD_FORGE (sign_in->gitlab));
          g_task_return_pointer (task, g_object_ref (account), g_object_unref);
          g_object_unref (task);
          return;
        }
    }
  nod_forge_get_current_user_async (NOD_FORGE (sign_in->gitlab), cancellable, on_user_checked,
                                    task);
}

/**
 * nod_session_sign_in_finish:
 *
 * Returns: (transfer full): the account, signed in; %NULL with a #NodForgeError (GitLab
 *   refused the token or could not be reached), a #NodCredentialsError (the keyring) or a
 *   #NodStoreError
 */
NodAccount *
nod_session_sign_in_finish (NodSession    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * nod_session_explain_sign_in_error:
 *
 * Returns: what a sign-in window says of @error: what to check, for the failures people
 *   can mend; the error's own sentence otherwise
 */
const char *
nod_session_explain_sign_in_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == NOD_FORGE_ERROR)
    switch (error->code)
      {
      case NOD_FORGE_ERROR_AUTH:
        return _("GitLab did not accept this token. Check that it was copied whole and has "
                 "not expired or been revoked.");
      case NOD_FORGE_ERROR_FORBIDDEN:
        return _("This token may not read your account. Create one with the “api” scope.");
      case NOD_FORGE_ERROR_NOT_FOUND:
      case NOD_FORGE_ERROR_PROTOCOL:
        return _("No GitLab answered at this address. Check the instance URL.");
      default:
        break;
      }
  return error->message;
}

/**
 * nod_session_dup_instance_url:
 * @typed: what the reviewer typed for the instance
 *
 * The address Nod signs in to for @typed, checked as nod_gitlab_new () checks it, so a
 * sign-in window can say at once what is wrong: "gitlab.example.org" is
 * "https://gitlab.example.org" (GitLab lives on https), trailing slashes go.
 *
 * Returns: (transfer full) (nullable): the address; %NULL with a sentence in @error
 */
char *
nod_session_dup_instance_url (const char  *typed,
                              GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  gsize length;

  g_return_val_if_fail (typed != NULL, NULL);

  text = g_strstrip (g_strdup (typed));
  if (*text == '\0')
    {
      g_set_error_literal (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                           _("Write the address of your GitLab, like gitlab.com"));
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      {
        g_set_error_literal (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_INVALID,
                             _("A web address has no spaces; write it like "
                               "https://gitlab.example.org"));
        return NULL;
      }

  url = strstr (text, "://") == NULL ? g_strconcat ("https://", text, NULL)
                                     : g_steal_pointer (&text);
  length = strlen (url);
  while (length > 0 && url[length - 1] == '/')
    url[--length] = '\0';
  if (!nod_gitlab_check_base_url (url, FALSE, error))
    return NULL;
  return g_steal_pointer (&url);
}

/**
 * nod_session_dup_token_page_url:
 * @instance_url: an address nod_session_dup_instance_url () made
 *
 * Returns: (transfer full): the instance's page for a new personal access token, its name
 *   and the "api" scope filled in (the older path; newer GitLab sends it on)
 */
char *
nod_session_dup_token_page_url (const char *instance_url)
{
  g_return_val_if_fail (instance_url != NULL, NULL);

  return g_strconcat (instance_url, "/-/profile/personal_access_tokens?name=Nod&scopes=api",
                      NULL);
}

/* ---- signing out, forgetting ---- */

static void
on_account_removed (GObject      *source_object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!nod_accounts_remove_finish (NOD_ACCOUNTS (source_object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}


/* The token is out of the keyring (or the keyring said why not): what is left to do. */
static void
token_forgotten (GTask *task)
{
  NodSession *self = g_task_get_source_object (task);

  if (g_task_get_source_tag (task) == nod_session_sign_out_async)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  nod_accounts_remove_async (self->accounts, *(gint64 *) g_task_get_task_data (task),
                             g_task_get_cancellable (task), on_account_removed, task);
}

static void
on_token_cleared (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The rest is done either way: the account no longer syncs, or is to go. */
  if (!nod_credentials_clear_finish (result, &error))
    g_message ("The token stays in the keyring: %s", error->message);
  token_forgotten (user_data);
}

/* Drops @account's token from the keyring, then goes on with @task. */
static void
forget_token (NodSession *self,
              NodAccount *account,
              GTask      *task)
{
  if (!uses_keyring (self))
    {
      token_forgotten (task);
      return;
    }
  nod_credentials_clear_async (nod_account_get_base_url (account),
                               nod_account_get_username (account), NULL, on_token_cleared,
                               task);
}

/* A task on @account_id's account, or NULL (the task done) when there is no such account. */
static GTask *
account_task_new (NodSession           *self,
                  gint64                account_id,
                  gpointer              source_tag,
                  GCancellable         *cancellable,
                  GAsyncReadyCallback   callback,
                  gpointer              user_data,
                  NodAccount          **out_account)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_memdup2 (&account_id, sizeof account_id), g_free);
  *out_account = nod_accounts_find (self->accounts, account_id);
  if (*out_account == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return NULL;
    }
  return task;
}

/**
 * nod_session_sign_out_async:
 *
 * Stops using an account's token at once, and drops it from the keyring. Nothing else is
 * lost: its merge requests stay readable and its actions wait for the next sign-in.
 * Completes once the keyring has forgotten the token (or said why it could not).
 */
void
nod_session_sign_out_async (NodSession          *self,
                            gint64               account_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;
  NodAccount *account;

  g_return_if_fail (NOD_IS_SESSION (self));

  task = account_task_new (self, account_id, nod_session_sign_out_async, cancellable, callback,
                           user_data, &account);
  if (task == NULL)
    return;

  nod_sync_engine_sign_out_account (self->engine, account_id);
  g_hash_table_remove (self->forges, &account_id);
  nod_account_set_signed_in (account, FALSE);
  forget_token (self, account, task);
}

gboolean
nod_session_sign_out_finish (NodSession    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * nod_session_remove_account_async:
 *
 * Forgets an account: its token, its merge requests and any action not sent yet. Its
 * sync stops first, so nothing writes rows that are about to go; the token goes before the
 * rows, so an account is never left in the keyring with nothing to show for it.
 */
void
nod_session_remove_account_async (NodSession          *self,
                                  gint64               account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  NodAccount *account;

  g_return_if_fail (NOD_IS_SESSION (self));

  task = account_task_new (self, account_id, nod_session_remove_account_async, cancellable,
                           callback, user_data, &account);
  if (task == NULL)
    return;

  nod_sync_engine_remove_account (self->engine, account_id);
  g_hash_table_remove (self->forges, &account_id);
  forget_token (self, account, task);
}

gboolean
nod_session_remove_account_finish (NodSession    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- what is open ---- */

NodSyncEngine *
nod_session_get_engine (NodSession *self)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return self->engine;
}

/**
 * nod_session_get_accounts:
 *
 * Returns: (transfer none): the accounts, a #GListModel of #NodAccount
 */
NodAccounts *
nod_session_get_accounts (NodSession *self)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return self->accounts;
}

/**
 * nod_session_get_cache:
 *
 * Returns: (transfer none): what Nod keeps of GitLab, to read
 */
NodReviewCache *
nod_session_get_cache (NodSession *self)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return nod_sync_engine_get_cache (self->engine);
}

/**
 * nod_session_get_diff_cache:
 *
 * Returns: (transfer none): the merge requests' changes, to read (and mark viewed)
 */
NodDiffCache *
nod_session_get_diff_cache (NodSession *self)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return nod_sync_engine_get_diff_cache (self->engine);
}

/**
 * nod_session_get_outbox:
 *
 * Returns: (transfer none): the outbox, to read: every change to it goes through the
 *   engine (nod_sync_engine_enqueue_async(), retry, discard), which keeps the status true
 */
NodOutbox *
nod_session_get_outbox (NodSession *self)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return self->outbox;
}

/**
 * nod_session_get_forge:
 *
 * Returns: (transfer none) (nullable): how to reach an account's GitLab, while it is
 *   signed in
 */
NodForge *
nod_session_get_forge (NodSession *self,
                       gint64      account_id)
{
  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  return g_hash_table_lookup (self->forges, &account_id);
}

/**
 * nod_session_get_signed_in_account:
 *
 * Returns: (transfer none) (nullable): the first account Nod has a token for: the one a
 *   command acts for
 */
NodAccount *
nod_session_get_signed_in_account (NodSession *self)
{
  GListModel *accounts;

  g_return_val_if_fail (NOD_IS_SESSION (self), NULL);

  accounts = G_LIST_MODEL (self->accounts);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(NodAccount) account = g_list_model_get_item (accounts, i);
      gint64 account_id = nod_account_get_id (account);

      if (g_hash_table_contains (self->forges, &account_id))
        return account;
    }
  return NULL;
}

static void
nod_session_dispose (GObject *object)
{
  NodSession *self = NOD_SESSION (object);

  g_clear_pointer (&self->forges, g_hash_table_unref);
  g_clear_pointer (&self->kept_budgets, g_hash_table_unref);
  g_clear_object (&self->engine);
  g_clear_object (&self->accounts);
  g_clear_object (&self->outbox);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (nod_session_parent_class)->dispose (object);
}

static void
nod_session_class_init (NodSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_session_dispose;
}

static void
nod_session_init (NodSession *self)
{
  self->forges = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->kept_budgets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                              (GDestroyNotify) nod_rate_limit_free);
}
