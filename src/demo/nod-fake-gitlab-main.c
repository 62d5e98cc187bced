/* nod-fake-gitlab-main.c: the nod-fake-gitlab command (benchmarks, scripts, demos)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   nod-fake-gitlab [--port PORT] [--token TOKEN] [--fixture FILE | --generate N]
 *                   [--latency-ms MS]
 *
 * The first line printed is "listening on http://127.0.0.1:PORT"; it runs until SIGINT or
 * SIGTERM, then exits 0. Bad options (a fixture that does not load among them) exit 2; a port
 * it cannot listen on, 1.
 */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "nod-fake-gitlab.h"

#define EXIT_USAGE 2

static gboolean
on_stop_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(NodFakeGitlab) fake = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *fixture = NULL;
  g_autofree char *base_url = NULL;
  int port = 0;
  int generate = -1;
  int latency_ms = 0;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      "Port to listen on, on 127.0.0.1 (0: a free one)", "PORT" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token,
      "The token that signs in as the reviewer (default: demo-token)", "TOKEN" },
    { "fixture", 0, 0, G_OPTION_ARG_FILENAME, &fixture,
      "Serve this dataset instead of the built-in sample", "FILE" },
    { "generate", 0, 0, G_OPTION_ARG_INT, &generate,
      "Serve N generated merge requests instead of the sample", "N" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms,
      "Delay every API response by MS milliseconds", "MS" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- an in-memory GitLab for Nod's tests and demos");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("nod-fake-gitlab: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      g_printerr ("nod-fake-gitlab: unexpected argument “%s”\n", argv[1]);
      return EXIT_USAGE;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("nod-fake-gitlab: --port must be from 0 to 65535\n");
      return EXIT_USAGE;
    }
  if (latency_ms < 0)
    {
      g_printerr ("nod-fake-gitlab: --latency-ms must not be negative\n");
      return EXIT_USAGE;
    }
  if (generate != -1 && (generate < 0 || generate > 10000000))
    {
      g_printerr ("nod-fake-gitlab: --generate must be from 0 to 10000000\n");
      return EXIT_USAGE;
    }
  if (generate != -1 && fixture != NULL)
    {
      g_printerr ("nod-fake-gitlab: --fixture and --generate cannot be used together\n");
      return EXIT_USAGE;
    }
  if (token != NULL && *token == '\0')
    {
      g_printerr ("nod-fake-gitlab: --token must not be empty\n");
      return EXIT_USAGE;
    }

  fake = nod_fake_gitlab_new (token != NULL ? token : "demo-token");
  if (fixture != NULL && !nod_fake_gitlab_load_fixture (fake, fixture, &error))
    {
      g_printerr ("nod-fake-gitlab: cannot load %s: %s\n", fixture, error->message);
      return EXIT_USAGE;
    }
  if (generate >= 0)
    nod_fake_gitlab_generate (fake, (guint) generate);
  nod_fake_gitlab_set_latency (fake, (guint) latency_ms);

  if (!nod_fake_gitlab_listen (fake, (guint) port, &error))
    {
      g_printerr ("nod-fake-gitlab: cannot listen on port %d: %s\n", port, error->message);
      return EXIT_FAILURE;
    }

  /* Scripts wait for this line: it must be first, and flushed. */
  base_url = nod_fake_gitlab_dup_base_url (fake);
  printf ("listening on %s\n", base_url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return EXIT_SUCCESS;
}
