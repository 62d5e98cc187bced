/* nod-accounts.c: the accounts Nod syncs, as a list model kept in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list lives on the main thread; the rows in the store's "accounts" table. Removing
 * an account forgets everything Nod holds for it, its unsent actions included: the UI
 * asks first.
 */

#define G_LOG_DOMAIN "nod-accounts"

#include "config.h"

#include "nod-accounts.h"
#include "nod-outbox-private.h"
#include "nod-store-worker.h"
#include "nod-sync-log-private.h"

struct _NodAccounts
{
  GObject    parent_instance;

  NodStore   *store;
  GPtrArray  *accounts;
  GHashTable *rate_limits;  /* account id → NodRateLimit, as last kept */
};

static void nod_accounts_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NodAccounts, nod_accounts, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      nod_accounts_list_model_init))

static GType
nod_accounts_get_item_type (GListModel *model)
{
  return NOD_TYPE_ACCOUNT;
}

static guint
nod_accounts_get_n_items (GListModel *model)
{
  return NOD_ACCOUNTS (model)->accounts->len;
}

static gpointer
nod_accounts_get_item (GListModel *model,
                       guint       position)
{
  NodAccounts *self = NOD_ACCOUNTS (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (self->accounts->pdata[position]);
}

static void
nod_accounts_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = nod_accounts_get_item_type;
  iface->get_n_items = nod_accounts_get_n_items;
  iface->get_item = nod_accounts_get_item;
}

static void
nod_accounts_dispose (GObject *object)
{
  NodAccounts *self = NOD_ACCOUNTS (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->rate_limits, g_hash_table_unref);

  G_OBJECT_CLASS (nod_accounts_parent_class)->dispose (object);
}

static void
nod_accounts_class_init (NodAccountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_accounts_dispose;
}

static void
nod_accounts_init (NodAccounts *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->rate_limits = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) nod_rate_limit_free);
}

NodAccounts *
nod_accounts_new (NodStore *store)
{
  NodAccounts *self;

  g_return_val_if_fail (NOD_IS_STORE (store), NULL);

  self = g_object_new (NOD_TYPE_ACCOUNTS, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * nod_accounts_find:
 *
 * Returns: (transfer none) (nullable): the account with that id
 */
NodAccount *
nod_accounts_find (NodAccounts *self,
                   gint64       account_id)
{
  g_return_val_if_fail (NOD_IS_ACCOUNTS (self), NULL);

  for (guint i = 0; i < self->accounts->len; i++)
    if (nod_account_get_id (self->accounts->pdata[i]) == account_id)
      return self->accounts->pdata[i];
  return NULL;
}

static void
replace_all (NodAccounts *self,
             GPtrArray   *loaded)
{
  guint removed = self->accounts->len;

  g_ptr_array_set_size (self->accounts, 0);
  for (guint i = 0; i < loaded->len; i++)
    g_ptr_array_add (self->accounts, g_object_ref (loaded->pdata[i]));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, loaded->len);
}

/* ---- load ---- */

typedef struct
{
  GPtrArray  *loaded;       /* NodAccount, by id */
  GHashTable *rate_limits;  /* account id → NodRateLimit, where one was kept */
} LoadWork;

static void
load_work_free (LoadWork *work)
{
  g_clear_pointer (&work->loaded, g_ptr_array_unref);
  g_clear_pointer (&work->rate_limits, g_hash_table_unref);
  g_free (work);
}

static gboolean
load_work (sqlite3       *db,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  LoadWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = nod_store_prepare (db,
                            "SELECT id, base_url, username, rate_limit, one_off FROM accounts "
                            "ORDER BY id",
                            error);
  if (stmt == NULL)
    return FALSE;

  work->loaded = g_ptr_array_new_with_free_func (g_object_unref);
  work->rate_limits = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                             (GDestroyNotify) nod_rate_limit_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 account_id = sqlite3_column_int64 (stmt, 0);
      NodRateLimit rate_limit;
      NodAccount *account = nod_account_new (account_id,
                                             (const char *) sqlite3_column_text (stmt, 1),
                                             (const char *) sqlite3_column_text (stmt, 2));

      nod_account_set_one_off (account, sqlite3_column_int (stmt, 4) != 0);
      g_ptr_array_add (work->loaded, account);
      if (nod_rate_limit_from_json (&rate_limit, (const char *) sqlite3_column_text (stmt, 3)))
        g_hash_table_insert (work->rate_limits, g_memdup2 (&account_id, sizeof account_id),
                             nod_rate_limit_copy (&rate_limit));
    }
  if (rc != SQLITE_DONE)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  return TRUE;
}

void
nod_accounts_load_async (NodAccounts         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (NOD_IS_ACCOUNTS (self));

  nod_store_run_async (self->store, self, nod_accounts_load_async, load_work,
                       g_new0 (LoadWork, 1), (GDestroyNotify) load_work_free, cancellable,
                       callback, user_data);
}

gboolean
nod_accounts_load_finish (NodAccounts   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  LoadWork *work = nod_store_run_finish (result, self, nod_accounts_load_async, error);

  if (work == NULL)
    return FALSE;
  replace_all (self, work->loaded);
  g_hash_table_unref (self->rate_limits);
  self->rate_limits = g_steal_pointer (&work->rate_limits);
  return TRUE;
}

/**
 * nod_accounts_dup_rate_limit:
 *
 * Returns: (transfer full) (nullable): what GitLab had last said of the account's request
 *   budget: what nod_accounts_save_rate_limit_async() kept, in this run or the last one
 */
NodRateLimit *
nod_accounts_dup_rate_limit (NodAccounts *self,
                             gint64       account_id)
{
  NodRateLimit *rate_limit;

  g_return_val_if_fail (NOD_IS_ACCOUNTS (self), NULL);

  rate_limit = g_hash_table_lookup (self->rate_limits, &account_id);
  return rate_limit != NULL ? nod_rate_limit_copy (rate_limit) : NULL;
}

/* ---- the request budget ---- */

typedef struct
{
  gint64  account_id;
  char   *rate_limit;  /* JSON */
} RateLimitWork;

static void
rate_limit_work_free (RateLimitWork *work)
{
  g_free (work->rate_limit);
  g_free (work);
}

static gboolean
save_rate_limit_work (sqlite3       *db,
                      gpointer       data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  RateLimitWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = nod_store_prepare (db, "UPDATE accounts SET rate_limit = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, work->rate_limit, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, work->account_id);
  return nod_store_step_done (stmt, error);
}

/**
 * nod_accounts_save_rate_limit_async:
 *
 * Keeps what GitLab last said of the account's request budget, for the next run, and for
 * this one's next sign-in (nod_accounts_dup_rate_limit() answers with it at once).
 */
void
nod_accounts_save_rate_limit_async (NodAccounts         *self,
                                    gint64               account_id,
                                    const NodRateLimit  *rate_limit,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  RateLimitWork *work;

  g_return_if_fail (NOD_IS_ACCOUNTS (self));
  g_return_if_fail (rate_limit != NULL);

  g_hash_table_insert (self->rate_limits, g_memdup2 (&account_id, sizeof account_id),
                       nod_rate_limit_copy (rate_limit));
  work = g_new0 (RateLimitWork, 1);
  work->account_id = account_id;
  work->rate_limit = nod_rate_limit_to_json (rate_limit);
  nod_store_run_async (self->store, self, nod_accounts_save_rate_limit_async,
                       save_rate_limit_work, work, (GDestroyNotify) rate_limit_work_free,
                       cancellable, callback, user_data);
}

gboolean
nod_accounts_save_rate_limit_finish (NodAccounts   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return nod_store_run_finish (result, self, nod_accounts_save_rate_limit_async, error) != NULL;
}

/* ---- add ---- */

typedef struct
{
  char   *base_url;
  char   *username;
  gint64    user_id;     /* 0: not known */
  gboolean  one_off;     /* asked for: a one-off use */
  gint64    account_id;  /* found or made */
  gboolean  was_one_off; /* … and what it is now */
} AddWork;

static void
add_work_free (AddWork *work)
{
  g_free (work->base_url);
  g_free (work->username);
  g_free (work);
}

static gboolean
add_work (sqlite3       *db,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  AddWork *work = data;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  int rc;

  /* Signing in again to the same account keeps its id, and so its cache and outbox; an
   * account added for good stays so, a one-off one becomes so. */
  insert = nod_store_prepare (db,
                              "INSERT INTO accounts (base_url, username, user_id, "
                              "created_at_us, one_off) VALUES (?, ?, ?, ?, ?) "
                              "ON CONFLICT (base_url, username) DO UPDATE SET "
                              "user_id = excluded.user_id, "
                              "one_off = one_off AND excluded.one_off",
                              error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, work->base_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, work->username, -1, SQLITE_STATIC);
  if (work->user_id > 0)
    sqlite3_bind_int64 (insert, 3, work->user_id);
  sqlite3_bind_int64 (insert, 4, g_get_real_time ());
  sqlite3_bind_int (insert, 5, work->one_off);
  if (!nod_store_step_done (insert, error))
    return FALSE;

  select = nod_store_prepare (db, "SELECT id, one_off FROM accounts "
                                  "WHERE base_url = ? AND username = ?",
                              error);
  if (select == NULL)
    return FALSE;
  sqlite3_bind_text (select, 1, work->base_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (select, 2, work->username, -1, SQLITE_STATIC);
  rc = sqlite3_step (select);
  if (rc != SQLITE_ROW)
    {
      nod_store_set_error (error, db, rc);
      return FALSE;
    }
  work->account_id = sqlite3_column_int64 (select, 0);
  work->was_one_off = sqlite3_column_int (select, 1) != 0;
  return TRUE;
}

/**
 * nod_accounts_add_async:
 * @user_id: GitLab's id of the user, or 0 if not known
 * @one_off: used this once (a command's GITLAB_URL + GITLAB_TOKEN), not added for good
 *
 * Adds an account, or finds it if it is there already.
 */
void
nod_accounts_add_async (NodAccounts         *self,
                        const char          *base_url,
                        const char          *username,
                        gint64               user_id,
                        gboolean             one_off,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  AddWork *work;

  g_return_if_fail (NOD_IS_ACCOUNTS (self));
  g_return_if_fail (base_url != NULL && *base_url != '\0');
  g_return_if_fail (username != NULL && *username != '\0');

  work = g_new0 (AddWork, 1);
  work->base_url = g_strdup (base_url);
  work->username = g_strdup (username);
  work->user_id = user_id;
  work->one_off = one_off;
  nod_store_run_async (self->store, self, nod_accounts_add_async, add_work, work,
                       (GDestroyNotify) add_work_free, cancellable, callback, user_data);
}

/**
 * nod_accounts_add_finish:
 *
 * Returns: (transfer full): the account, now in the list
 */
NodAccount *
nod_accounts_add_finish (NodAccounts   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  AddWork *work = nod_store_run_finish (result, self, nod_accounts_add_async, error);
  NodAccount *account;

  if (work == NULL)
    return NULL;

  account = nod_accounts_find (self, work->account_id);
  if (account != NULL)
    {
      nod_account_set_one_off (account, work->was_one_off);
      return g_object_ref (account);
    }

  account = nod_account_new (work->account_id, work->base_url, work->username);
  nod_account_set_one_off (account, work->was_one_off);
  g_ptr_array_add (self->accounts, g_object_ref (account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  return account;
}

/* ---- remove ---- */

typedef struct
{
  gint64 account_id;
} RemoveWork;

static gboolean
remove_work (sqlite3       *db,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  RemoveWork *work = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* All in one transaction: an account is never half forgotten. */
  if (!nod_store_begin (db, error))
    return FALSE;

  if (!_nod_outbox_forget_account (db, work->account_id, error) ||
      !_nod_sync_log_forget_account (db, work->account_id, error))
    goto fail;

  /* The cache and the cursors go with it (ON DELETE CASCADE). */
  stmt = nod_store_prepare (db, "DELETE FROM accounts WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, work->account_id);
  if (!nod_store_step_done (stmt, error))
    goto fail;

  return nod_store_commit (db, error);

fail:
  nod_store_rollback (db);
  return FALSE;
}

void
nod_accounts_remove_async (NodAccounts         *self,
                           gint64               account_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  RemoveWork *work;

  g_return_if_fail (NOD_IS_ACCOUNTS (self));

  work = g_new0 (RemoveWork, 1);
  work->account_id = account_id;
  nod_store_run_async (self->store, self, nod_accounts_remove_async, remove_work, work,
                       g_free, cancellable, callback, user_data);
}

gboolean
nod_accounts_remove_finish (NodAccounts   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  RemoveWork *work = nod_store_run_finish (result, self, nod_accounts_remove_async, error);

  if (work == NULL)
    return FALSE;

  for (guint i = 0; i < self->accounts->len; i++)
    if (nod_account_get_id (self->accounts->pdata[i]) == work->account_id)
      {
        g_ptr_array_remove_index (self->accounts, i);
        g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
        break;
      }
  return TRUE;
}
