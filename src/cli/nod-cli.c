/* nod-cli.c: carrying out one command line against the sync engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two ways in: forwarded to the running app (its engine, its indicator shows the work),
 * or headless, with an engine of its own on the same store — GTK is never started, so
 * commands work over SSH and in scripts. Either way the terminal gets the output and the
 * exit status through the GApplicationCommandLine.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "nod-cli-private.h"
#include "nod-settings.h"

struct _NodCli
{
  GObject     parent_instance;

  gboolean    headless;
  NodSession *session;   /* the app's; headless, opened by the first command that needs it */
};

G_DEFINE_FINAL_TYPE (NodCli, nod_cli, G_TYPE_OBJECT)

/* ---- the verbs, and what each needs before it runs ---- */

/* Each level gives the verb what the one before it does, and more. */
typedef enum
{
  NEEDS_NOTHING,          /* not even Nod's data */
  NEEDS_SESSION,          /* Nod's data: the accounts, the outbox, the cache, the engine */
  NEEDS_ACCOUNT_IF_ANY,   /* and the signed-in account, if there is one */
  NEEDS_ACCOUNT,          /* and a signed-in account, else the "no account to use" error */
} VerbNeeds;

typedef struct
{
  NodCliVerb     verb;
  NodCliVerbFunc run;
  VerbNeeds      needs;
} VerbEntry;

static void
show_help (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autofree char *help = nod_cli_help_text (run->command->help_for);

  _nod_cli_out (run, "%s", help);
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, NULL);
}

/* In NodCliVerb's order, so verb_table[verb].verb == verb. */
static const VerbEntry verb_table[] = {
  { NOD_CLI_VERB_HELP,           show_help,               NEEDS_NOTHING },
  { NOD_CLI_VERB_ACCOUNT_ADD,    _nod_cli_account_add,    NEEDS_SESSION },
  { NOD_CLI_VERB_ACCOUNT_LIST,   _nod_cli_account_list,   NEEDS_SESSION },
  { NOD_CLI_VERB_ACCOUNT_REMOVE, _nod_cli_account_remove, NEEDS_SESSION },
  /* The signed-in account's rate limit, when there is one. */
  { NOD_CLI_VERB_STATUS,         _nod_cli_status,         NEEDS_ACCOUNT_IF_ANY },
  { NOD_CLI_VERB_PULL,           _nod_cli_pull,           NEEDS_ACCOUNT },
  { NOD_CLI_VERB_PUSH,           _nod_cli_push,           NEEDS_ACCOUNT },
  { NOD_CLI_VERB_SYNC,           _nod_cli_sync,           NEEDS_ACCOUNT },
  /* The kept changes are the account's, as its cache is. */
  { NOD_CLI_VERB_DIFF,           _nod_cli_diff,           NEEDS_ACCOUNT },
  { NOD_CLI_VERB_APPROVE,        _nod_cli_approve,        NEEDS_ACCOUNT },
  { NOD_CLI_VERB_UNAPPROVE,      _nod_cli_unapprove,      NEEDS_ACCOUNT },
  { NOD_CLI_VERB_COMMENT,        _nod_cli_comment,        NEEDS_ACCOUNT },
  { NOD_CLI_VERB_REPLY,          _nod_cli_reply,          NEEDS_ACCOUNT },
  { NOD_CLI_VERB_RESOLVE,        _nod_cli_resolve,        NEEDS_ACCOUNT },
  { NOD_CLI_VERB_UNRESOLVE,      _nod_cli_unresolve,      NEEDS_ACCOUNT },
  { NOD_CLI_VERB_QUEUE_LIST,     _nod_cli_queue_list,     NEEDS_ACCOUNT },
  { NOD_CLI_VERB_QUEUE_RETRY,    _nod_cli_queue_retry,    NEEDS_ACCOUNT },
  { NOD_CLI_VERB_QUEUE_DISCARD,  _nod_cli_queue_discard,  NEEDS_ACCOUNT },
  { NOD_CLI_VERB_QUEUE_CANCEL,   _nod_cli_queue_cancel,   NEEDS_ACCOUNT },
  { NOD_CLI_VERB_QUEUE_EDIT,     _nod_cli_queue_edit,     NEEDS_ACCOUNT },
  { NOD_CLI_VERB_MR_LIST,        _nod_cli_mr_list,        NEEDS_ACCOUNT },
  { NOD_CLI_VERB_MR_SHOW,        _nod_cli_mr_show,        NEEDS_ACCOUNT },
  { NOD_CLI_VERB_REVIEW_START,   _nod_cli_review_start,   NEEDS_ACCOUNT },
  { NOD_CLI_VERB_REVIEW_SUBMIT,  _nod_cli_review_submit,  NEEDS_ACCOUNT },
  { NOD_CLI_VERB_REVIEW_DISCARD, _nod_cli_review_discard, NEEDS_ACCOUNT },
  { NOD_CLI_VERB_NOTE_EDIT,      _nod_cli_note_edit,      NEEDS_ACCOUNT },
  { NOD_CLI_VERB_NOTE_DELETE,    _nod_cli_note_delete,    NEEDS_ACCOUNT },
};

/* A verb without its row fails here; one out of order, in lookup_verb (). */
G_STATIC_ASSERT (G_N_ELEMENTS (verb_table) == NOD_CLI_N_VERBS);

static const VerbEntry *
lookup_verb (NodCliVerb verb)
{
  g_assert (verb < G_N_ELEMENTS (verb_table));
  g_assert (verb_table[verb].verb == verb);
  return &verb_table[verb];
}

/* The session's, for the verb; its engine, outbox and accounts for short. */
static void
run_use_session (NodCliRun  *run,
                 NodSession *session)
{
  g_set_object (&run->session, session);
  run->engine = nod_session_get_engine (session);
  run->outbox = nod_session_get_outbox (session);
  run->accounts = nod_session_get_accounts (session);
}

/* Commands act for the first account that has a token (or GITLAB_URL/GITLAB_TOKEN's). */
static void
run_use_signed_in_account (NodCliRun *run)
{
  NodAccount *account = nod_session_get_signed_in_account (run->session);

  if (account == NULL)
    return;
  run->account = g_object_ref (account);
  run->forge = g_object_ref (nod_session_get_forge (run->session, nod_account_get_id (account)));
}

/* Gives the verb what its row says it needs, then runs it. */
static void
run_verb (GTask *task)
{
  NodCli *self = g_task_get_source_object (task);
  NodCliRun *run = _nod_cli_run_of (task);
  const VerbEntry *entry = lookup_verb (run->command->verb);

  if (entry->needs >= NEEDS_SESSION)
    {
      run_use_session (run, self->session);
      _nod_cli_say_when_waiting (task);
    }
  if (entry->needs >= NEEDS_ACCOUNT_IF_ANY)
    run_use_signed_in_account (run);
  if (entry->needs == NEEDS_ACCOUNT && run->account == NULL)
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR,
                       _("nod: no account to use: sign in with “nod account add --url URL "
                         "--token-stdin”, or set GITLAB_URL and GITLAB_TOKEN"));
      return;
    }
  entry->run (task);
}

/* ---- a session of its own (headless) ---- */

/* GITLAB_URL + GITLAB_TOKEN: a one-off account, and the only one used; its token is never
 * stored. Adding and removing work on the stored accounts, with the keyring (`account add`
 * reads GITLAB_TOKEN as the token to keep; `account remove` must clear a kept one). */
static gboolean
wants_one_off_account (NodCliRun *run)
{
  return g_application_command_line_getenv (run->command_line, "GITLAB_URL") != NULL &&
         g_application_command_line_getenv (run->command_line, "GITLAB_TOKEN") != NULL &&
         run->command->verb != NOD_CLI_VERB_ACCOUNT_ADD &&
         run->command->verb != NOD_CLI_VERB_ACCOUNT_LIST &&
         run->command->verb != NOD_CLI_VERB_ACCOUNT_REMOVE;
}

static void
on_one_off_signed_in (GObject      *source_object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (NOD_SESSION (source_object),
                                                              result, &error);

  /* First use of this URL, and GitLab cannot say whose token it is: a verb that reads
   * what is kept still can; one that acts for the account cannot. */
  if (account == NULL && lookup_verb (run->command->verb)->needs == NEEDS_ACCOUNT)
    {
      g_autofree char *message = g_strdup_printf (_("nod: Nod has not used GITLAB_URL before "
                                                    "and could not sign in there: %s"),
                                                  error->message);

      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
      return;
    }
  run_verb (task);
}

static void
on_session_opened (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  NodCli *self = g_task_get_source_object (task);
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodSession) session = nod_session_open_finish (result, &error);
  g_autoptr(GSettings) settings = NULL;
  const char *env_url;

  if (session == NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  self->session = g_object_ref (session);
  /* As deep as Preferences says; 30 days where Nod's settings are not installed. */
  settings = nod_settings_new_if_installed ();
  nod_sync_engine_set_history_days (nod_session_get_engine (session),
                                    settings != NULL ? nod_settings_get_history_days (settings)
                                                     : 30);

  if (!wants_one_off_account (run))
    {
      run_verb (task);
      return;
    }

  env_url = g_application_command_line_getenv (run->command_line, "GITLAB_URL");
  if (!nod_cli_check_url (env_url, FALSE, &error))
    {
      g_autofree char *message = g_strdup_printf ("%s (GITLAB_URL)", error->message);

      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, message);
      return;
    }
  /* A row for its outbox, so nothing queued is lost. */
  nod_session_use_token_async (session, env_url,
                             g_application_command_line_getenv (run->command_line,
                                                                "GITLAB_TOKEN"),
                             g_task_get_cancellable (task), on_one_off_signed_in, task);
}

static void
open_session (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);
  g_autofree char *path = nod_store_get_default_path ();

  nod_session_open_async (path, wants_one_off_account (run) ? NOD_SESSION_FLAGS_NO_KEYRING
                                                             : NOD_SESSION_FLAGS_NONE,
                          g_task_get_cancellable (task), on_session_opened, task);
}

/* ---- entry points ---- */

void
nod_cli_run_async (NodCli                  *self,
                   GApplicationCommandLine *command_line,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  GTask *task;
  NodCliRun *run;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  int argc;

  g_return_if_fail (NOD_IS_CLI (self));
  g_return_if_fail (G_IS_APPLICATION_COMMAND_LINE (command_line));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_cli_run_async);
  run = _nod_cli_run_new (command_line, self->headless);
  g_task_set_task_data (task, run, (GDestroyNotify) _nod_cli_run_free);

  argv = g_application_command_line_get_arguments (command_line, &argc);
  run->command = nod_cli_command_parse (argc, (const char * const *) argv, &error);
  if (run->command == NULL)
    {
      _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, error->message);
      return;
    }

  if (self->headless && self->session == NULL &&
      lookup_verb (run->command->verb)->needs >= NEEDS_SESSION)
    {
      open_session (task);
      return;
    }
  run_verb (task);
}

/* Returns: the exit status for the terminal */
int
nod_cli_run_finish (NodCli       *self,
                    GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NOD_CLI_EXIT_ERROR);

  return (int) g_task_propagate_int (G_TASK (result), NULL);
}

static void
nod_cli_dispose (GObject *object)
{
  NodCli *self = NOD_CLI (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (nod_cli_parent_class)->dispose (object);
}

static void
nod_cli_class_init (NodCliClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_cli_dispose;
}

static void
nod_cli_init (NodCli *self)
{
}

/* For the running app: commands use its session. */
NodCli *
nod_cli_new (NodSession *session)
{
  NodCli *self;

  g_return_val_if_fail (NOD_IS_SESSION (session), NULL);

  self = g_object_new (NOD_TYPE_CLI, NULL);
  self->session = g_object_ref (session);
  return self;
}

/* With no app running: a session of its own. */
NodCli *
nod_cli_new_headless (void)
{
  NodCli *self = g_object_new (NOD_TYPE_CLI, NULL);

  self->headless = TRUE;
  return self;
}

/* ---- `nod VERB …` with no app: GApplication forwards to a running Nod, or we run ---- */

typedef struct
{
  GApplication *application;
  int           status;     /* -1 until a command ran here */
} Headless;

static void
on_headless_done (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Headless *headless = user_data;

  headless->status = nod_cli_run_finish (NOD_CLI (source_object), result);
  g_application_release (headless->application);
}

static int
on_command_line (GApplication            *application,
                 GApplicationCommandLine *command_line,
                 Headless                *headless)
{
  g_autoptr(NodCli) cli = nod_cli_new_headless ();

  /* Held until the command is done; its status is this process's exit status (GLib
   * reports 0 for a local command line that kept the application running). */
  g_application_hold (application);
  nod_cli_run_async (cli, command_line, NULL, on_headless_done, headless);
  return 0;
}

/* Whether the app owns Nod's name on @bus now: a command is then forwarded to it. */
static gboolean
app_is_running (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/**
 * nod_cli_main:
 *
 * `nod VERB …`. If a Nod is running, the command goes to it (GApplication carries the
 * arguments, the environment and standard input over D-Bus) and it does the work with
 * its engine; otherwise this process does, headless. Returns the exit status.
 */
int
nod_cli_main (int    argc,
              char **argv)
{
  g_autoptr(GApplication) application = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  GApplicationFlags flags = G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_SEND_ENVIRONMENT;
  Headless headless = { NULL, -1 };
  int status;

  /* Standard output is the command's answer, for scripts: logs go to standard error.
   * (Only possible before the first thread starts.) */
  g_log_writer_default_set_use_stderr (TRUE);

  /* No session bus (SSH, cron), or no Nod running on it: run here, without taking Nod's
   * name — or a second command started meanwhile would be run by this process, against
   * this process's data, with this one's exit status the last to finish. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL || !app_is_running (bus))
    flags |= G_APPLICATION_NON_UNIQUE;

  application = g_application_new (APP_ID, flags);
  headless.application = application;
  g_signal_connect (application, "command-line", G_CALLBACK (on_command_line), &headless);
  status = g_application_run (application, argc, argv);
  return headless.status >= 0 ? headless.status : status;
}
