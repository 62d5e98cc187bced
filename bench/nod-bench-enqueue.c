/* nod-bench-enqueue.c: queues a drain's worth of review actions without sending any
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   GITLAB_URL=… GITLAB_TOKEN=… nod-bench-enqueue [COMMENTS_PER_MR] < merge-requests
 *
 * Standard input names one merge request a line, "GROUP/PROJECT IID", each pulled before
 * into the data folder of $XDG_DATA_HOME (`nod pull`). For each, in order, it queues an
 * approval at the head Nod keeps, then COMMENTS_PER_MR times (3 unless given) a comment, a
 * reply to that comment's thread and the thread resolved: what a reviewer going through
 * the merge requests would queue. The engine is put offline first, so nothing is sent:
 * `nod push` afterwards does the whole drain, as it would after a review made offline.
 * Prints "queued N" and exits 0, or says what failed and exits 1.
 *
 * 2,000 `nod comment` processes would take minutes, every one of them opening the store;
 * this goes through the same engine calls in one process (src/cli/nod-cli-write.c).
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "nod-outbox.h"
#include "nod-session.h"

typedef struct
{
  char   *project_path;
  gint64  iid;
} Target;

typedef struct
{
  GMainLoop     *loop;
  NodSession    *session;
  NodSyncEngine *engine;
  gint64         account_id;
  GPtrArray     *targets;        /* Target */
  guint          next_target;
  guint          comments_per_mr;
  /* the merge request being queued */
  gint64         project_id;
  guint          comments_done;
  char          *thread_id;      /* the latest comment's local thread id */
  guint          step;           /* within a comment: 0 comment, 1 reply, 2 resolve */
  guint          queued;
  int            status;
} Enqueuer;

static void queue_next_target (Enqueuer *self);
static void queue_next_step (Enqueuer *self);

static void
target_free (Target *target)
{
  g_free (target->project_path);
  g_free (target);
}

static void
fail (Enqueuer     *self,
      const char   *what,
      const GError *error)
{
  g_printerr ("nod-bench-enqueue: %s: %s\n", what, error != NULL ? error->message : "failed");
  self->status = EXIT_FAILURE;
  g_main_loop_quit (self->loop);
}

static Target *
current_target (Enqueuer *self)
{
  return g_ptr_array_index (self->targets, self->next_target);
}

static void
on_enqueued (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Enqueuer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodOutboxAction) stored = NULL;

  stored = nod_sync_engine_enqueue_finish (NOD_SYNC_ENGINE (source_object), result, &error);
  if (stored == NULL)
    {
      /* NULL with no error: it cancelled a pending opposite, which a fresh folder lacks. */
      fail (self, current_target (self)->project_path, error);
      return;
    }
  self->queued++;

  switch (nod_outbox_action_get_kind (stored))
    {
    case NOD_ACTION_APPROVE:
      break;
    case NOD_ACTION_COMMENT:
      g_free (self->thread_id);
      self->thread_id = g_strdup (nod_outbox_action_get_discussion_id (stored));
      self->step = 1;
      break;
    case NOD_ACTION_REPLY:
      self->step = 2;
      break;
    default:
      self->step = 0;
      self->comments_done++;
      break;
    }
  queue_next_step (self);
}

static void
queue_next_step (Enqueuer *self)
{
  Target *target = current_target (self);
  g_autoptr(NodOutboxAction) action = NULL;
  g_autofree char *body = NULL;

  if (self->comments_done == self->comments_per_mr)
    {
      self->next_target++;
      queue_next_target (self);
      return;
    }

  switch (self->step)
    {
    case 0:
      body = g_strdup_printf ("Benchmark comment %u on %s!%" G_GINT64_FORMAT,
                              self->comments_done + 1, target->project_path, target->iid);
      action = nod_outbox_action_new_comment (self->account_id, self->project_id, target->iid,
                                              body);
      break;
    case 1:
      body = g_strdup_printf ("Benchmark reply %u on %s!%" G_GINT64_FORMAT,
                              self->comments_done + 1, target->project_path, target->iid);
      action = nod_outbox_action_new_reply (self->account_id, self->project_id, target->iid,
                                            self->thread_id, body);
      break;
    default:
      action = nod_outbox_action_new_resolve (self->account_id, self->project_id, target->iid,
                                              self->thread_id, TRUE);
      break;
    }
  nod_sync_engine_enqueue_async (self->engine, action, NULL, on_enqueued, self);
}

static void
on_target_found (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Enqueuer *self = user_data;
  Target *target = current_target (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestTarget) found = NULL;
  g_autoptr(NodOutboxAction) approve = NULL;

  found = nod_review_cache_find_target_finish (NOD_REVIEW_CACHE (source_object), result, &error);
  if (found == NULL || found->sha == NULL)
    {
      g_autofree char *what = g_strdup_printf ("%s!%" G_GINT64_FORMAT " (not pulled?)",
                                               target->project_path, target->iid);

      fail (self, what, error);
      return;
    }

  self->project_id = found->project_id;
  self->comments_done = 0;
  self->step = 0;
  approve = nod_outbox_action_new_approve (self->account_id, found->project_id, target->iid,
                                           found->sha);
  nod_sync_engine_enqueue_async (self->engine, approve, NULL, on_enqueued, self);
}

static void
queue_next_target (Enqueuer *self)
{
  Target *target;

  if (self->next_target == self->targets->len)
    {
      g_main_loop_quit (self->loop);
      return;
    }
  target = current_target (self);
  nod_review_cache_find_target_async (nod_session_get_cache (self->session), self->account_id,
                                      target->project_path, target->iid, NULL, on_target_found,
                                      self);
}

static void
on_signed_in (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Enqueuer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (NOD_SESSION (source_object),
                                                              result, &error);

  if (account == NULL)
    {
      fail (self, "GITLAB_URL", error);
      return;
    }
  self->account_id = nod_account_get_id (account);
  queue_next_target (self);
}

static void
on_session_opened (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Enqueuer *self = user_data;
  g_autoptr(GError) error = NULL;

  self->session = nod_session_open_finish (result, &error);
  if (self->session == NULL)
    {
      fail (self, "opening Nod's data", error);
      return;
    }
  self->engine = nod_session_get_engine (self->session);
  /* Queue only: the drain is for `nod push` to do. */
  nod_sync_engine_set_offline_mode (self->engine, TRUE);
  nod_session_use_token_async (self->session, g_getenv ("GITLAB_URL"), g_getenv ("GITLAB_TOKEN"),
                               NULL, on_signed_in, self);
}

static GPtrArray *
read_targets (GError **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  char line[1024];

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (line), " \t", 2);
      Target *target;
      guint64 iid;

      if (words[0] == NULL || *words[0] == '\0')
        continue;
      if (words[1] == NULL || !g_ascii_string_to_unsigned (words[1], 10, 1, G_MAXINT64, &iid,
                                                           error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "“%s”: want “GROUP/PROJECT IID”", line);
          return NULL;
        }
      target = g_new0 (Target, 1);
      target->project_path = g_strdup (words[0]);
      target->iid = (gint64) iid;
      g_ptr_array_add (targets, target);
    }
  return g_steal_pointer (&targets);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *path = NULL;
  guint64 comments_per_mr = 3;
  Enqueuer self = { 0 };

  setlocale (LC_ALL, "");

  if (argc > 2 || (argc == 2 && !g_ascii_string_to_unsigned (argv[1], 10, 0, 1000,
                                                             &comments_per_mr, &error)))
    {
      g_printerr ("usage: GITLAB_URL=… GITLAB_TOKEN=… %s [COMMENTS_PER_MR] < merge-requests\n",
                  argv[0]);
      return 2;
    }
  if (g_getenv ("GITLAB_URL") == NULL || g_getenv ("GITLAB_TOKEN") == NULL)
    {
      g_printerr ("nod-bench-enqueue: GITLAB_URL and GITLAB_TOKEN name the account\n");
      return 2;
    }
  targets = read_targets (&error);
  if (targets == NULL)
    {
      g_printerr ("nod-bench-enqueue: %s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  self.loop = loop;
  self.targets = targets;
  self.comments_per_mr = (guint) comments_per_mr;
  path = nod_store_get_default_path ();
  nod_session_open_async (path, NOD_SESSION_FLAGS_NO_KEYRING, NULL, on_session_opened, &self);
  g_main_loop_run (loop);

  if (self.status == EXIT_SUCCESS)
    printf ("queued %u\n", self.queued);
  g_free (self.thread_id);
  g_clear_object (&self.session);
  return self.status;
}
