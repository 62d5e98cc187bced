/* test-cli-progress.c: `nod pull` says how far it is on a terminal, and only there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `nod` binary (the argument) pulls 250 merge requests from the fake, once with
 * its stderr (and stdout, so that the order of the two shows) on a pseudo-terminal this
 * process reads, once with both on pipes.
 */

#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "nod-fake-gitlab.h"
#include "nod-test-cli.h"
#include "nod-test-utils.h"

#define MERGE_REQUESTS 250
#define LIST_PATH "^/api/v4/merge_requests$"
/* Holds the second page of the list, so that the line has its time to show a count. */
#define HOLD_GATE "second-page"
#define CLEAR_LINE "\r\033[K"

/* The master side of a pseudo-terminal, read to its end in the main loop. */
typedef struct
{
  int         master;
  guint       watch;
  GByteArray *bytes;
  gboolean    at_end;
} Terminal;

static gboolean
on_master_readable (int          fd,
                    GIOCondition condition,
                    gpointer     data)
{
  Terminal *terminal = data;
  guint8 buffer[4096];

  for (;;)
    {
      gssize got = read (fd, buffer, sizeof buffer);

      if (got > 0)
        {
          g_byte_array_append (terminal->bytes, buffer, (guint) got);
          continue;
        }
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0 && errno == EAGAIN)
        return G_SOURCE_CONTINUE;
      /* 0, or EIO on Linux: the last slave is closed, the child has gone. */
      terminal->at_end = TRUE;
      terminal->watch = 0;
      return G_SOURCE_REMOVE;
    }
}

/* Returns the slave, raw (no "\n" made "\r\n": every "\r" read is one nod wrote). */
static int
terminal_open (Terminal *terminal)
{
  g_autoptr(GError) error = NULL;
  struct termios mode;
  const char *slave_name;
  int slave;

  memset (terminal, 0, sizeof *terminal);
  terminal->master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (terminal->master, >=, 0);
  g_assert_cmpint (grantpt (terminal->master), ==, 0);
  g_assert_cmpint (unlockpt (terminal->master), ==, 0);
  slave_name = ptsname (terminal->master);
  g_assert_nonnull (slave_name);
  slave = open (slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);
  g_assert_cmpint (tcgetattr (slave, &mode), ==, 0);
  cfmakeraw (&mode);
  g_assert_cmpint (tcsetattr (slave, TCSANOW, &mode), ==, 0);

  g_assert_true (g_unix_set_fd_nonblocking (terminal->master, TRUE, &error));
  g_assert_no_error (error);
  terminal->bytes = g_byte_array_new ();
  terminal->watch = g_unix_fd_add (terminal->master, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   on_master_readable, terminal);
  return slave;
}

static void
terminal_close (Terminal *terminal)
{
  g_clear_handle_id (&terminal->watch, g_source_remove);
  g_clear_pointer (&terminal->bytes, g_byte_array_unref);
  if (terminal->master >= 0)
    close (terminal->master);
  terminal->master = -1;
}

static gboolean
holds (GByteArray *bytes,
       const char *needle)
{
  return bytes->len > 0 && memmem (bytes->data, bytes->len, needle, strlen (needle)) != NULL;
}

static gboolean
ends_with (GByteArray *bytes,
           const char *suffix)
{
  gsize suffix_len = strlen (suffix);

  return bytes->len >= suffix_len &&
         memcmp (bytes->data + bytes->len - suffix_len, suffix, suffix_len) == 0;
}

static void
write_history_depth (NodTestCli *fixture,
                     const char *depth)
{
  g_autofree char *dir = g_build_filename (fixture->config_home, "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *text = g_strdup_printf ("[io/github/nodreview/Nod]\nhistory-depth='%s'\n",
                                           depth);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Many merge requests, every one in the history, and no budget to stop the pull early. */
static void
set_up_many (NodTestCli *fixture)
{
  g_autoptr(JsonNode) answer = NULL;

  nod_fake_gitlab_generate (fixture->fake, MERGE_REQUESTS);
  write_history_depth (fixture, "all");
  answer = nod_test_fake_control (fixture->base_url, "POST", "/__fake/ratelimit",
                                  "{\"limit\": 1000000, \"remaining\": 1000000}");
  /* What nod says, as a user sees it: no debug lines between. */
  fixture->without_debug_logs = TRUE;
}

static void
use_data_home (NodTestCli *fixture,
               const char *name)
{
  g_free (fixture->data_home);
  fixture->data_home = g_build_filename (g_get_user_data_dir (), name, NULL);
}

typedef struct
{
  Terminal      *terminal;
  GAsyncResult **exited;
} TerminalWait;

static gboolean
count_shown (gpointer data)
{
  TerminalWait *wait = data;

  return *wait->exited != NULL ||
         holds (wait->terminal->bytes, " of " G_STRINGIFY (MERGE_REQUESTS) " merge requests");
}

static gboolean
terminal_done (gpointer data)
{
  TerminalWait *wait = data;

  return *wait->exited != NULL && wait->terminal->at_end;
}

/* Runs `nod pull` with stdout and stderr on a new pseudo-terminal, TERM as @term; holds
 * the list's second page until the line shows a count when @hold_for_count. Returns what
 * the terminal got. */
static GByteArray *
pull_on_terminal (NodTestCli *fixture,
                  const char *term,
                  gboolean    hold_for_count)
{
  g_autoptr(GSubprocessLauncher) launcher = nod_test_cli_new_launcher (fixture);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) exited = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { fixture->nod_path, "pull", NULL };
  Terminal terminal;
  TerminalWait wait = { &terminal, &exited };
  GByteArray *bytes;
  int slave;

  if (hold_for_count)
    {
      g_autoptr(JsonNode) pass = NULL;
      g_autoptr(JsonNode) hold = NULL;

      pass = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                    "{\"method\": \"GET\", \"path\": \"" LIST_PATH "\", "
                                    "\"delay_ms\": 1, \"times\": 1}");
      hold = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                    "{\"method\": \"GET\", \"path\": \"" LIST_PATH "\", "
                                    "\"gate\": \"" HOLD_GATE "\", \"times\": 100}");
    }

  slave = terminal_open (&terminal);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  g_subprocess_launcher_setenv (launcher, "TERM", term, TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* Only the child holds the slave now: its exit is the terminal's end. */
  g_clear_object (&launcher);
  g_subprocess_wait_async (child, NULL, nod_test_keep_result, &exited);

  if (hold_for_count)
    {
      nod_test_wait_until (count_shown, &wait);
      g_assert_null (exited);
      /* Drawn once the first page was read; the second is asked for next, and held. */
      nod_test_fake_wait_held (fixture->base_url, HOLD_GATE, 1);
      g_assert_cmpuint (nod_test_fake_release (fixture->base_url, HOLD_GATE), ==, 1);
    }

  nod_test_wait_until (terminal_done, &wait);
  g_assert_true (g_subprocess_wait_finish (child, exited, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);

  bytes = g_byte_array_ref (terminal.bytes);
  terminal_close (&terminal);
  return bytes;
}

/* On a terminal: one line, redrawn in place, with the count; gone before "pulled 250". */
static void
test_pull_on_terminal (NodTestCli    *fixture,
                       gconstpointer  data)
{
  g_autoptr(GByteArray) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  const char *last_clear;

  set_up_many (fixture);
  use_data_home (fixture, "cli-progress-terminal");
  bytes = pull_on_terminal (fixture, "xterm-256color", TRUE);
  text = g_strndup ((const char *) bytes->data, bytes->len);
  shown = g_strescape (text, NULL);
  g_test_message ("the terminal got: %s", shown);

  g_assert_true (holds (bytes, "\rSyncing "));
  g_assert_true (holds (bytes, " of " G_STRINGIFY (MERGE_REQUESTS) " merge requests\033[K"));
  /* No line of its own: nothing but the last message ends one. */
  g_assert_true (strchr (text, '\n') == strrchr (text, '\n'));
  g_assert_true (ends_with (bytes, CLEAR_LINE "pulled " G_STRINGIFY (MERGE_REQUESTS) "\n"));
  /* Every redraw starts at the margin and erases what the one before left. */
  last_clear = g_strrstr (text, CLEAR_LINE);
  for (const char *cr = strchr (text, '\r'); cr != NULL; cr = strchr (cr + 1, '\r'))
    g_assert_true (g_str_has_prefix (cr, CLEAR_LINE) || g_str_has_prefix (cr, "\rSyncing"));
  for (const char *sync = strstr (text, "Syncing"); sync != NULL; sync = strstr (sync + 1,
                                                                                 "Syncing"))
    {
      g_assert_true (sync < last_clear);
      g_assert_nonnull (strstr (sync, "\033[K"));
    }
}

/* A terminal that can't erase a line: nothing drawn. */
static void
test_pull_on_dumb_terminal (NodTestCli    *fixture,
                            gconstpointer  data)
{
  g_autoptr(GByteArray) bytes = NULL;

  set_up_many (fixture);
  use_data_home (fixture, "cli-progress-dumb");
  bytes = pull_on_terminal (fixture, "dumb", FALSE);
  g_assert_false (holds (bytes, "\r"));
  g_assert_false (holds (bytes, "Syncing"));
  g_assert_true (ends_with (bytes, "pulled " G_STRINGIFY (MERGE_REQUESTS) "\n"));
}

/* Piped: only the result, even with a TERM that could draw. */
static void
test_pull_piped (NodTestCli    *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { fixture->nod_path, "pull", NULL };

  set_up_many (fixture);
  use_data_home (fixture, "cli-progress-piped");
  launcher = nod_test_cli_new_launcher (fixture);
  g_subprocess_launcher_setenv (launcher, "TERM", "xterm-256color", TRUE);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, "", NULL, nod_test_keep_result, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (child, nod_test_wait_for_result (&result),
                                                       &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  g_assert_cmpstr (out, ==, "pulled " G_STRINGIFY (MERGE_REQUESTS) "\n");
  g_assert_null (strchr (err, '\r'));
  g_assert_null (strstr (err, "Syncing"));
  g_assert_null (strstr (out, "Syncing"));
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

  NOD_TEST_CLI_ADD ("/nod/cli-progress/pull-on-terminal", test_pull_on_terminal);
  NOD_TEST_CLI_ADD ("/nod/cli-progress/pull-on-dumb-terminal", test_pull_on_dumb_terminal);
  NOD_TEST_CLI_ADD ("/nod/cli-progress/pull-piped", test_pull_piped);

  return g_test_run ();
}
