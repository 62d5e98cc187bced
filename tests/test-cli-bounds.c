/* test-cli-bounds.c: `nod` against a hostile GitLab ends, and says why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `nod` binary (the argument) runs headless against the fake GitLab of this
 * process, with faults that play a server looping its pages or never finishing an answer.
 * Each case must end on its own, with a failure and a reason, and ask GitLab little.
 */

#include "config.h"

#include <string.h>

#include "nod-test-cli.h"
#include "nod-test-utils.h"

/* Every page of the merge request lists says the next is page 1 again, of a thousand: the
 * pull stops at the first of them, exits 1 and says why. */
static void
test_pull_looping_pages (NodTestCli    *fixture,
                         gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autoptr(JsonNode) fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                     "{\"method\": \"GET\", \"path\": "
                                                     "\"^/api/v4/merge_requests$\", "
                                                     "\"next_page\": 1, \"total_pages\": 1000, "
                                                     "\"times\": 100000}");

  nod_test_cli_run (fixture, &outcome, NULL, "pull", NULL);
  g_test_message ("stdout: %s\nstderr: %s", outcome.out, outcome.err);
  g_assert_cmpint (outcome.status, ==, 1);
  g_assert_nonnull (strstr (outcome.err, "GitLab’s pages did not advance"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET",
                                                  "^/api/v4/merge_requests$"), ==, 1);
}

/* `sync --preview` reads the lists through the forge as well. */
static void
test_preview_looping_pages (NodTestCli    *fixture,
                            gconstpointer  data)
{
  g_auto (NodTestCliOutcome) outcome = { 0, };
  g_autoptr(JsonNode) fault = nod_test_fake_control (fixture->base_url, "POST", "/__fake/faults",
                                                     "{\"method\": \"GET\", \"path\": "
                                                     "\"^/api/v4/merge_requests$\", "
                                                     "\"next_page\": 1, \"total_pages\": 1000, "
                                                     "\"times\": 100000}");

  nod_test_cli_run (fixture, &outcome, NULL, "sync", "--preview", NULL);
  g_test_message ("stdout: %s\nstderr: %s", outcome.out, outcome.err);
  g_assert_cmpint (outcome.status, ==, 1);
  g_assert_nonnull (strstr (outcome.err, "GitLab’s pages did not advance"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET",
                                                  "^/api/v4/merge_requests$"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
  ADD ("/nod/cli-bounds/pull-looping-pages", test_pull_looping_pages);
  ADD ("/nod/cli-bounds/preview-looping-pages", test_preview_looping_pages);
#undef ADD

  return g_test_run ();
}
