/* nod-demo-server.c: the fake GitLab behind `nod --demo`, on a thread of its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real GitLab is another machine: its work never shows in Nod's main loop. The demo's
 * stands in for one, so it runs on its own thread with its own main context; the app
 * talks to it over loopback HTTP like to any other.
 */

#define G_LOG_DOMAIN "nod-demo"

#include "config.h"

#include "nod-demo-server.h"
#include "nod-fake-gitlab.h"

struct _NodDemoServer
{
  GObject       parent_instance;

  char         *token;
  guint         latency_ms;
  guint         n_generated;

  GThread      *thread;
  GMainContext *context;      /* the server thread's */
  GMainLoop    *loop;
  char         *base_url;     /* set before the start completes, read-only after */
};

G_DEFINE_FINAL_TYPE (NodDemoServer, nod_demo_server, G_TYPE_OBJECT)

/* Runs on the server thread until the loop is quit. */
static gpointer
serve (gpointer data)
{
  GTask *task = data;
  NodDemoServer *self = g_task_get_source_object (task);
  g_autoptr(NodFakeGitlab) server = nod_fake_gitlab_new (self->token);
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  if (self->n_generated > 0)
    nod_fake_gitlab_generate (server, self->n_generated);
  else if (!nod_fake_gitlab_load_fixture (server, NULL, &error))
    goto out;
  nod_fake_gitlab_set_latency (server, self->latency_ms);
  if (!nod_fake_gitlab_listen (server, 0, &error))
    goto out;

  self->base_url = nod_fake_gitlab_dup_base_url (server);
  g_task_return_boolean (task, TRUE);
  g_clear_object (&task);
  g_main_loop_run (self->loop);

out:
  if (task != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  g_clear_object (&task);
  g_clear_object (&server);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

void
nod_demo_server_start_async (NodDemoServer       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (NOD_IS_DEMO_SERVER (self));
  g_return_if_fail (self->thread == NULL);

  /* The task completes on the caller's context, whichever thread returns it. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, nod_demo_server_start_async);
  self->thread = g_thread_new ("nod-demo-server", serve, task);
}

gboolean
nod_demo_server_start_finish (NodDemoServer  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The loopback URL it listens on, once started. */
const char *
nod_demo_server_get_base_url (NodDemoServer *self)
{
  g_return_val_if_fail (NOD_IS_DEMO_SERVER (self), NULL);
  return self->base_url;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
nod_demo_server_dispose (GObject *object)
{
  NodDemoServer *self = NOD_DEMO_SERVER (object);

  if (self->thread != NULL)
    {
      g_main_context_invoke (self->context, quit_loop, self->loop);
      g_thread_join (g_steal_pointer (&self->thread));
    }

  G_OBJECT_CLASS (nod_demo_server_parent_class)->dispose (object);
}

static void
nod_demo_server_finalize (GObject *object)
{
  NodDemoServer *self = NOD_DEMO_SERVER (object);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->token);
  g_free (self->base_url);

  G_OBJECT_CLASS (nod_demo_server_parent_class)->finalize (object);
}

static void
nod_demo_server_class_init (NodDemoServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nod_demo_server_dispose;
  object_class->finalize = nod_demo_server_finalize;
}

static void
nod_demo_server_init (NodDemoServer *self)
{
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

/**
 * nod_demo_server_new:
 * @n_generated: how many generated merge requests to serve, or 0 for the sample dataset
 */
NodDemoServer *
nod_demo_server_new (const char *token,
                     guint       latency_ms,
                     guint       n_generated)
{
  NodDemoServer *self = g_object_new (NOD_TYPE_DEMO_SERVER, NULL);

  self->token = g_strdup (token);
  self->latency_ms = latency_ms;
  self->n_generated = n_generated;
  return self;
}
