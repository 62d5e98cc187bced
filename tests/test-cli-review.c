/* test-cli-review.c: `nod review start|submit|discard`, end to end against the fake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A review written with GitLab out of reach, submitted by a process killed mid-way and
 * finished by the next: every note published once, at its place, in one review (one
 * notification for the author), the thread resolved, the approval given. Each step's
 * write applied with its answer lost settles with no double and nothing lost. Drafts
 * edited or deleted before the submit reach GitLab only as they ended up.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "nod-diff-lines.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-store.h"
#include "nod-test-cli.h"
#include "nod-test-http.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define PROJECT 11   /* gnome-apps/nod in the sample */
#define IID     111
#define REF     "gnome-apps/nod!111"
#define HOLD_GATE "review-hold"

/* ---- reading the fake as a client would ---- */

static NodGitlab *
observer_of (NodTestCli *fixture)
{
  g_autoptr(GError) error = NULL;
  NodGitlab *observer = nod_gitlab_new (fixture->base_url, NOD_TEST_CLI_TOKEN, &error);

  g_assert_no_error (error);
  return observer;
}

static NodMergeRequest *
merge_request_of (NodTestCli *fixture)
{
  g_autoptr(NodGitlab) observer = observer_of (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodMergeRequest *mr;

  nod_forge_get_merge_request_async (NOD_FORGE (observer), PROJECT, IID, NULL,
                                     nod_test_keep_result, &result);
  mr = nod_forge_get_merge_request_finish (NOD_FORGE (observer),
                                           nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return mr;
}

/* The threads of !111 that can be resolved and are open: at least @n. */
static GPtrArray *
open_threads (NodTestCli *fixture,
              guint       n)
{
  g_autoptr(GPtrArray) discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  GPtrArray *open = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < discussions->len; i++)
    if (nod_discussion_get_resolvable (discussions->pdata[i]) &&
        !nod_discussion_get_resolved (discussions->pdata[i]))
      g_ptr_array_add (open, g_strdup (nod_discussion_get_id (discussions->pdata[i])));
  g_assert_cmpuint (open->len, >=, n);
  return open;
}

static NodDiscussion *
find_thread (GPtrArray  *discussions,
             const char *id)
{
  for (guint i = 0; i < discussions->len; i++)
    if (g_str_equal (nod_discussion_get_id (discussions->pdata[i]), id))
      return discussions->pdata[i];
  g_error ("No thread %s", id);
}

/* The thread @body started, with its one note. */
static NodNote *
note_starting (GPtrArray  *discussions,
               const char *body)
{
  NodNote *found = NULL;

  for (guint i = 0; i < discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

      if (g_str_equal (nod_note_get_body (notes->pdata[0]), body))
        {
          g_assert_null (found);
          found = notes->pdata[0];
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* A file of !111's changes with an added and a removed line, as GitLab numbers them. */
typedef struct
{
  char  *path;
  guint  added_line;    /* new side */
  guint  removed_line;  /* old side */
} Lines;

static void
find_lines (NodTestCli *fixture,
            Lines      *lines)
{
  g_autoptr(NodGitlab) observer = observer_of (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = NULL;
  GPtrArray *files;

  nod_forge_list_diffs_async (NOD_FORGE (observer), PROJECT, IID, 1, NULL, nod_test_keep_result,
                              &result);
  page = nod_forge_list_diffs_finish (NOD_FORGE (observer), nod_test_wait_for_result (&result),
                                      &error);
  g_assert_no_error (error);
  files = nod_forge_page_get_items (page);
  for (guint i = 0; i < files->len; i++)
    {
      const char *diff = nod_diff_file_get_diff (files->pdata[i]);
      g_autoptr(GArray) parsed = nod_diff_lines_parse (diff, strlen (diff));
      guint added = 0, removed = 0;

      for (guint j = 0; j < parsed->len; j++)
        {
          NodDiffLine *line = &g_array_index (parsed, NodDiffLine, j);

          if (line->kind == NOD_DIFF_LINE_ADDED && added == 0)
            added = line->new_line;
          if (line->kind == NOD_DIFF_LINE_REMOVED && removed == 0)
            removed = line->old_line;
        }
      if (added > 0 && removed > 0)
        {
          lines->path = g_strdup (nod_diff_file_get_new_path (files->pdata[i]));
          lines->added_line = added;
          lines->removed_line = removed;
          return;
        }
    }
  g_error ("No file of " REF " both adds and removes a line");
}

/* The author's notifications on !111: how many, and how many were reviews of @notes. */
static void
count_notifications (NodTestCli *fixture,
                     guint      *out_events,
                     guint      *out_reviews,
                     guint       notes)
{
  g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "GET",
                                                      "/__fake/mr/11/111/notifications", NULL);
  JsonArray *events = json_object_get_array_member (json_node_get_object (answer), "events");

  *out_events = json_array_get_length (events);
  *out_reviews = 0;
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "kind"), "review") &&
          json_object_get_int_member (event, "notes") == notes)
        (*out_reviews)++;
    }
}

static void
add_fault (NodTestCli *fixture,
           const char *json)
{
  g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "POST",
                                                      "/__fake/faults", json);
}

/* The fake back on its port, as it was: GitLab reachable again. */
static void
restart_fake (NodTestCli *fixture,
              guint       port)
{
  g_autoptr(GError) error = NULL;

  fixture->fake = nod_fake_gitlab_new (NOD_TEST_CLI_TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, port, &error));
  g_assert_no_error (error);
}

static void
run_ok (NodTestCli  *fixture,
        const char  *expected_in_out,
        const char  *first,
        ...) G_GNUC_NULL_TERMINATED;

/* Runs `nod FIRST …`, which must exit 0 and say @expected_in_out on stdout. */
static void
run_ok (NodTestCli  *fixture,
        const char  *expected_in_out,
        const char  *first,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto (NodTestCliOutcome) outcome = { 0, };
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) first);
  va_start (ap, first);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  nod_test_cli_run_bytes (fixture, &outcome, NULL, (const char * const *) args->pdata);
  if (outcome.status != 0)
    g_error ("nod %s exited %d: %s%s", first, outcome.status, outcome.out, outcome.err);
  if (expected_in_out != NULL && strstr (outcome.out, expected_in_out) == NULL)
    g_error ("nod %s said “%s”, not “%s”", first, outcome.out, expected_in_out);
}

/* ---- the review, written offline, submitted by a process that dies ---- */

typedef struct
{
  GAsyncResult **exited;
  NodTestCli    *fixture;
} HeldWait;

static gboolean
create_held (gpointer data)
{
  HeldWait *wait = data;

  return *wait->exited != NULL || nod_test_fake_count_held (wait->fixture->base_url, HOLD_GATE) > 0;
}

static void
test_offline_review_killed_then_finished (NodTestCli    *fixture,
                                          gconstpointer  data)
{
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) discussions = NULL;
  g_autoptr(NodMergeRequest) mr = NULL;
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) exited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  Lines lines = { 0, };
  const char *general[] = { "One", "Two", "Three", "Four", "Five", "Six" };
  const char *argv[] = { fixture->nod_path, "review", "submit", REF, "--approve", NULL };
  guint port, events, reviews;
  NodNote *note;

  run_ok (fixture, NULL, "pull", NULL);
  threads = open_threads (fixture, 2);
  find_lines (fixture, &lines);
  added = g_strdup_printf ("%u", lines.added_line);
  removed = g_strdup_printf ("%u", lines.removed_line);

  /* GitLab out of reach: a review needs none of it until it is submitted. */
  port = nod_fake_gitlab_get_port (fixture->fake);
  g_clear_object (&fixture->fake);

  run_ok (fixture, "started", "review", "start", REF, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (general); i++)
    run_ok (fixture, "kept as a draft", "comment", REF, "--body", general[i], NULL);
  run_ok (fixture, "kept as a draft", "reply", REF, "--discussion", threads->pdata[0],
          "--body", "Fixed in the last push", "--resolve", NULL);
  run_ok (fixture, "kept as a draft", "reply", REF, "--discussion", threads->pdata[1],
          "--body", "Agreed, later", NULL);
  run_ok (fixture, "kept as a draft", "comment", REF, "--file", lines.path, "--line", added,
          "--body", "On the new side", NULL);
  run_ok (fixture, "kept as a draft", "comment", REF, "--file", lines.path, "--line", removed,
          "--old", "--body", "On the old side", NULL);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM review_drafts"),
                   ==, 10);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox"), ==, 0);

  /* Back online. The submit creates three drafts; the fourth is held, and its process
   * killed while GitLab has it. */
  restart_fake (fixture, port);
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/draft_notes$\", \"delay_ms\": 1, "
                      "\"times\": 3}");
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/draft_notes$\", "
                      "\"gate\": \"" HOLD_GATE "\", \"times\": 1}");
  launcher = nod_test_cli_new_launcher (fixture);
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, "", NULL, nod_test_keep_result, &exited);
  {
    HeldWait wait = { &exited, fixture };

    nod_test_wait_until (create_held, &wait);
  }
  g_assert_null (exited);
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_communicate_utf8_finish (child, nod_test_wait_for_result (&exited),
                                                       &out, &err, &error));
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  /* Applied, answered to nobody. */
  g_assert_cmpuint (nod_test_fake_release (fixture->base_url, HOLD_GATE), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/draft_notes/bulk_publish$"), ==, 0);

  /* The next Nod finds the fourth on GitLab, sends the rest, publishes once, approves. */
  run_ok (fixture, NULL, "push", NULL);

  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/draft_notes$"),
                    ==, 10);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/draft_notes/bulk_publish$"), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/approve$"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (general); i++)
    g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, general[i]), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Fixed in the last push"),
                    ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Agreed, later"), ==, 1);

  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  g_assert_true (nod_discussion_get_resolved (find_thread (discussions, threads->pdata[0])));
  g_assert_false (nod_discussion_get_resolved (find_thread (discussions, threads->pdata[1])));
  note = note_starting (discussions, "On the new side");
  g_assert_nonnull (nod_note_get_position (note));
  g_assert_cmpstr (nod_note_get_position (note)->new_path, ==, lines.path);
  g_assert_cmpint (nod_note_get_position (note)->new_line, ==, lines.added_line);
  g_assert_cmpint (nod_note_get_position (note)->old_line, ==, -1);
  note = note_starting (discussions, "On the old side");
  g_assert_nonnull (nod_note_get_position (note));
  g_assert_cmpint (nod_note_get_position (note)->old_line, ==, lines.removed_line);
  g_assert_cmpint (nod_note_get_position (note)->new_line, ==, -1);

  /* One notification: the review, of its ten notes. */
  count_notifications (fixture, &events, &reviews, 10);
  g_assert_cmpuint (events, ==, 1);
  g_assert_cmpuint (reviews, ==, 1);

  observer = observer_of (fixture);
  mr = merge_request_of (fixture);
  g_assert_true (nod_test_server_has_approved (NOD_FORGE (observer), mr));
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox "
                                                      "WHERE state != 'done'"), ==, 0);
  g_free (lines.path);
}

/* ---- each step applied, its answer lost ---- */

typedef struct
{
  const char *method;
  const char *path;   /* the step's route */
} Step;

static void
test_ambiguous_step (NodTestCli    *fixture,
                     gconstpointer  data)
{
  const Step *step = data;
  g_autofree char *fault = g_strdup_printf ("{\"method\": \"%s\", \"path\": \"%s\", "
                                            "\"status\": 500, \"applied\": true, "
                                            "\"times\": 1}", step->method, step->path);
  g_auto (NodTestCliOutcome) submitted = { 0, };
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(NodMergeRequest) mr = NULL;
  guint events, reviews;

  run_ok (fixture, NULL, "pull", NULL);
  run_ok (fixture, "started", "review", "start", REF, NULL);
  run_ok (fixture, "kept as a draft", "comment", REF, "--body", "First", NULL);
  run_ok (fixture, "kept as a draft", "comment", REF, "--body", "Second", NULL);

  add_fault (fixture, fault);
  nod_test_cli_run (fixture, &submitted, NULL, "review", "submit", REF, "--approve", NULL);
  /* GitLab answered 500: it goes again later, after a look at what GitLab has. */
  g_assert_cmpint (submitted.status, ==, 75);
  g_assert_nonnull (strstr (submitted.err, "queued"));

  nod_test_cli_exec_store (fixture, "UPDATE outbox SET next_attempt_at_us = 0");
  run_ok (fixture, NULL, "push", NULL);

  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/draft_notes$"),
                    ==, 2);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/draft_notes/bulk_publish$"), ==, 1);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/approve$"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "First"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Second"), ==, 1);
  count_notifications (fixture, &events, &reviews, 2);
  g_assert_cmpuint (events, ==, 1);
  g_assert_cmpuint (reviews, ==, 1);

  observer = observer_of (fixture);
  mr = merge_request_of (fixture);
  g_assert_true (nod_test_server_has_approved (NOD_FORGE (observer), mr));
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox "
                                                      "WHERE state != 'done'"), ==, 0);
}

/* ---- edited, deleted, discarded ---- */

static GPtrArray *
list_drafts (NodTestCli *fixture,
             NodOutbox  *outbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account = nod_test_cli_query_store (fixture, "SELECT MIN (id) FROM accounts");
  GPtrArray *drafts;

  nod_outbox_list_drafts_async (outbox, account, PROJECT, IID, NULL, nod_test_keep_result,
                                &result);
  drafts = nod_outbox_list_drafts_finish (outbox, nod_test_wait_for_result (&result), NULL,
                                          &error);
  g_assert_no_error (error);
  return drafts;
}

static void
test_edited_deleted_then_submitted (NodTestCli    *fixture,
                                    gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodOutbox) outbox = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  run_ok (fixture, NULL, "pull", NULL);
  run_ok (fixture, "started", "review", "start", REF, NULL);
  run_ok (fixture, NULL, "comment", REF, "--body", "Frist draft", NULL);
  run_ok (fixture, NULL, "comment", REF, "--body", "Never mind", NULL);

  /* Edited and deleted as the window does, through the outbox. */
  path = nod_test_cli_store_path (fixture);
  store = nod_test_open_store (path);
  outbox = nod_outbox_new (store);
  drafts = list_drafts (fixture, outbox);
  g_assert_cmpuint (drafts->len, ==, 2);
  nod_outbox_edit_draft_async (outbox, nod_outbox_action_get_op_id (drafts->pdata[0]),
                               "First draft", NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_edit_draft_finish (outbox, nod_test_wait_for_result (&result),
                                               &error));
  g_clear_object (&result);
  nod_outbox_delete_draft_async (outbox, nod_outbox_action_get_op_id (drafts->pdata[1]), NULL,
                                 nod_test_keep_result, &result);
  g_assert_true (nod_outbox_delete_draft_finish (outbox, nod_test_wait_for_result (&result),
                                                 &error));
  g_assert_no_error (error);
  g_clear_object (&outbox);
  g_clear_object (&store);

  run_ok (fixture, "done", "review", "submit", REF, "--body", "Thanks!", NULL);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "First draft"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Thanks!"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Frist draft"), ==, 0);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Never mind"), ==, 0);
  /* No approval was asked for. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST", "/approve$"), ==, 0);
}

static void
test_discarded (NodTestCli    *fixture,
                gconstpointer  data)
{
  g_auto (NodTestCliOutcome) again = { 0, };
  g_auto (NodTestCliOutcome) submitted = { 0, };

  run_ok (fixture, NULL, "pull", NULL);
  run_ok (fixture, "started", "review", "start", REF, NULL);
  run_ok (fixture, "already", "review", "start", REF, NULL);
  run_ok (fixture, NULL, "comment", REF, "--body", "Not this", NULL);
  run_ok (fixture, "discarded", "review", "discard", REF, NULL);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM review_drafts"),
                   ==, 0);

  nod_test_cli_run (fixture, &again, NULL, "review", "discard", REF, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "No review is started"));
  nod_test_cli_run (fixture, &submitted, NULL, "review", "submit", REF, NULL);
  g_assert_cmpint (submitted.status, ==, 1);

  /* Without a review, a comment goes as it always did. */
  run_ok (fixture, "done", "comment", REF, "--body", "Straight away", NULL);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Straight away"), ==, 1);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID, "Not this"), ==, 0);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, NULL, "/draft_notes"), ==, 0);
}

/* Submitted, one draft created and the next refused: the review stops before its publish.
 * Discarded, the draft GitLab holds is deleted there, and nothing is ever published. */
static void
test_discarded_half_sent (NodTestCli    *fixture,
                          gconstpointer  data)
{
  g_auto (NodTestCliOutcome) submitted = { 0, };
  g_auto (NodTestCliOutcome) discarded = { 0, };
  g_autoptr(NodGitlab) observer = NULL;
  g_autoptr(NodForgePage) page = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint events, reviews;

  run_ok (fixture, NULL, "pull", NULL);
  run_ok (fixture, "started", "review", "start", REF, NULL);
  run_ok (fixture, NULL, "comment", REF, "--body", "Created, then withdrawn", NULL);
  run_ok (fixture, NULL, "comment", REF, "--body", "Refused", NULL);

  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/draft_notes$\", \"delay_ms\": 1, "
                      "\"times\": 1}");
  add_fault (fixture, "{\"method\": \"POST\", \"path\": \"/draft_notes$\", \"status\": 400, "
                      "\"message\": \"Note is invalid\", \"times\": 1}");
  nod_test_cli_run (fixture, &submitted, NULL, "review", "submit", REF, NULL);
  g_assert_cmpint (submitted.status, ==, 1);
  g_assert_nonnull (strstr (submitted.err, "failed"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "POST",
                                                  "/draft_notes/bulk_publish$"), ==, 0);

  nod_test_cli_run (fixture, &discarded, NULL, "review", "discard", REF, NULL);
  g_assert_cmpint (discarded.status, ==, 0);
  g_assert_nonnull (strstr (discarded.out, "deleted on GitLab"));
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "DELETE",
                                                  "/draft_notes/[0-9]+$"), ==, 1);

  observer = observer_of (fixture);
  nod_forge_list_draft_notes_async (NOD_FORGE (observer), PROJECT, IID, 1, NULL,
                                    nod_test_keep_result, &result);
  page = nod_forge_list_draft_notes_finish (NOD_FORGE (observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nod_forge_page_get_items (page)->len, ==, 0);
  g_assert_cmpuint (nod_test_cli_count_notes (fixture, PROJECT, IID,
                                              "Created, then withdrawn"), ==, 0);
  count_notifications (fixture, &events, &reviews, 1);
  g_assert_cmpuint (events, ==, 0);
  g_assert_cmpint (nod_test_cli_query_store (fixture, "SELECT COUNT (*) FROM outbox "
                                                      "WHERE state != 'done'"), ==, 0);
}

/* ---- mr show: the threads and their ids, offline, safe ---- */

static void
test_mr_show (NodTestCli    *fixture,
              gconstpointer  data)
{
  g_auto (NodTestCliOutcome) shown = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_auto (NodTestCliOutcome) unknown = { 0, };
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GPtrArray) discussions = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *new_threads;

  /* A stranger's note that tries to drive the terminal. */
  {
    g_autoptr(JsonNode) answer =
      nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/111/comment",
                             "{\"author\": \"priya\", \"body\": \"red \\u001b[31mALERT\"}");
    g_autoptr(JsonNode) pushed =
      nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr/11/111/commit",
                             "{\"title\": \"Keys: \\u001b]0;pwned\\u0007 the title\"}");
  }
  run_ok (fixture, NULL, "pull", NULL);
  threads = open_threads (fixture, 1);
  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  run_ok (fixture, "started", "review", "start", REF, NULL);
  run_ok (fixture, "kept as a draft", "comment", REF, "--body", "A draft of mine", NULL);

  /* Offline: all of it is what Nod keeps. */
  g_clear_object (&fixture->fake);
  nod_test_cli_run (fixture, &shown, NULL, "mr", "show", REF, NULL);
  g_assert_cmpint (shown.status, ==, 0);
  g_assert_true (g_str_has_prefix (shown.out, REF "\t"));
  for (guint i = 0; i < threads->len; i++)
    {
      g_autofree char *line = g_strdup_printf ("\nthread %s", (char *) threads->pdata[i]);

      g_assert_nonnull (strstr (shown.out, line));
    }
  g_assert_nonnull (strstr (shown.out, "A review of yours is started"));
  g_assert_nonnull (strstr (shown.out, "\nnew thread, a draft\n  You (draft):\n"
                                       "    A draft of mine\n"));
  g_assert_null (memchr (shown.out, '\033', shown.out_len));
  g_assert_null (memchr (shown.out, '\007', shown.out_len));
  g_assert_nonnull (strstr (shown.out, "red \\x1b[31mALERT"));
  /* The commits, newest first: the sample's three and the push, its title made safe. */
  g_assert_nonnull (strstr (shown.out, "\ncommits (4):\n  "));
  g_assert_nonnull (strstr (shown.out, "  Keys: \\x1b]0;pwned\\x07 the title  (Jakub Kowalski, "));
  g_assert_nonnull (strstr (shown.out, "  Threads: reply and resolve from the keyboard  ("));

  nod_test_cli_run (fixture, &json, NULL, "mr", "show", REF, "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "reference"), ==, REF);
  g_assert_true (json_object_get_boolean_member (root, "review_started"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "commits")),
                    ==, 4);
  g_assert_cmpint (json_object_get_int_member (root, "commits_total"), ==, 4);
  {
    JsonObject *newest = json_array_get_object_element (
                           json_object_get_array_member (root, "commits"), 0);

    g_assert_cmpstr (json_object_get_string_member (newest, "title"), ==,
                     "Keys: \033]0;pwned\007 the title");
    g_assert_cmpuint (strlen (json_object_get_string_member (newest, "short_id")), ==, 8);
    g_assert_nonnull (json_object_get_string_member (newest, "authored_date"));
  }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "discussions")),
                    ==, discussions->len);
  /* People by name too, as the window shows them; open threads have no resolver. */
  g_assert_cmpstr (json_object_get_string_member (root, "author"), ==, "jkowalski");
  g_assert_cmpstr (json_object_get_string_member (root, "author_name"), ==, "Jakub Kowalski");
  {
    JsonArray *reviewers = json_object_get_array_member (root, "reviewers");
    JsonObject *first = json_array_get_object_element (reviewers, 0);
    JsonArray *shown_threads = json_object_get_array_member (root, "discussions");

    g_assert_cmpuint (json_array_get_length (reviewers), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (first, "username"), ==, "sam");
    g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "Sam Okafor");
    for (guint i = 0; i < json_array_get_length (shown_threads); i++)
      {
        JsonObject *thread = json_array_get_object_element (shown_threads, i);

        g_assert_true (json_object_has_member (thread, "resolved_by"));
        if (!json_object_get_boolean_member (thread, "resolved"))
          g_assert_true (nod_test_json_is_null (thread, "resolved_by"));
      }
  }
  new_threads = json_object_get_array_member (root, "new_threads");
  g_assert_cmpuint (json_array_get_length (new_threads), ==, 1);
  {
    JsonArray *own = json_object_get_array_member (json_array_get_object_element (new_threads,
                                                                                   0), "own");
    JsonObject *draft = json_array_get_object_element (own, 0);

    g_assert_cmpstr (json_object_get_string_member (draft, "state"), ==, "draft");
    g_assert_cmpstr (json_object_get_string_member (draft, "body"), ==, "A draft of mine");
  }

  nod_test_cli_run (fixture, &unknown, NULL, "mr", "show", "gnome-apps/nod!999", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_nonnull (strstr (unknown.err, "has not been pulled yet"));
}

/* ---- note edit|delete: a posted note of the reviewer's ---- */

static NodDiscussion *
thread_starting (GPtrArray  *discussions,
                 const char *body)
{
  for (guint i = 0; i < discussions->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (discussions->pdata[i]);

      if (g_str_equal (nod_note_get_body (notes->pdata[0]), body))
        return discussions->pdata[i];
    }
  return NULL;
}

static void
test_note_edit_delete (NodTestCli    *fixture,
                       gconstpointer  data)
{
  g_auto (NodTestCliOutcome) shown = { 0, };
  g_auto (NodTestCliOutcome) bad = { 0, };
  g_auto (NodTestCliOutcome) refused = { 0, };
  g_auto (NodTestCliOutcome) queued = { 0, };
  g_autoptr(GPtrArray) discussions = NULL;
  g_autofree char *discussion_id = NULL;
  g_autofree char *note_id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *theirs_thread = NULL;
  g_autofree char *theirs_note = NULL;
  NodDiscussion *thread;

  run_ok (fixture, NULL, "pull", NULL);
  run_ok (fixture, "done", "comment", REF, "--body", "Typo: teh", NULL);
  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  thread = thread_starting (discussions, "Typo: teh");
  g_assert_nonnull (thread);
  discussion_id = g_strdup (nod_discussion_get_id (thread));
  note_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                             nod_note_get_id (g_ptr_array_index (nod_discussion_get_notes (thread),
                                                                 0)));
  /* Someone else's note, for the refusal. */
  for (guint i = 0; i < discussions->len && theirs_note == NULL; i++)
    {
      NodNote *first = g_ptr_array_index (nod_discussion_get_notes (discussions->pdata[i]), 0);

      if (!nod_note_get_system (first) &&
          g_strcmp0 (nod_user_get_username (nod_note_get_author (first)), "sam") != 0)
        {
          theirs_thread = g_strdup (nod_discussion_get_id (discussions->pdata[i]));
          theirs_note = g_strdup_printf ("%" G_GINT64_FORMAT, nod_note_get_id (first));
        }
    }
  g_assert_nonnull (theirs_note);
  g_clear_pointer (&discussions, g_ptr_array_unref);

  /* mr show gives the note's id, which is what note edit takes. */
  nod_test_cli_run (fixture, &shown, NULL, "mr", "show", REF, NULL);
  g_assert_cmpint (shown.status, ==, 0);
  expected = g_strdup_printf ("(note %s):\n    Typo: teh\n", note_id);
  g_assert_nonnull (strstr (shown.out, expected));
  g_clear_pointer (&expected, g_free);

  run_ok (fixture, "done", "note", "edit", REF, "--discussion", discussion_id, "--note", note_id,
          "--body", "Typo: the", NULL);
  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  g_assert_nonnull (thread_starting (discussions, "Typo: the"));
  g_assert_null (thread_starting (discussions, "Typo: teh"));
  g_clear_pointer (&discussions, g_ptr_array_unref);
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "PUT", "/notes/[0-9]+$"),
                    ==, 1);

  /* Kept as GitLab answered, with no pull: mr show reads only what Nod keeps. */
  nod_test_cli_outcome_clear (&shown);
  nod_test_cli_run (fixture, &shown, NULL, "mr", "show", REF, NULL);
  expected = g_strdup_printf ("(note %s):\n    Typo: the\n", note_id);
  g_assert_nonnull (strstr (shown.out, expected));

  run_ok (fixture, "done", "note", "delete", REF, "--discussion", discussion_id, "--note",
          note_id, NULL);
  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  g_assert_null (thread_starting (discussions, "Typo: the"));

  /* Bad input is refused before anything is queued; GitLab refuses another's note. */
  nod_test_cli_run (fixture, &bad, NULL, "note", "edit", REF, "--discussion", discussion_id,
                    "--note", "12abc", "--body", "x", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_nonnull (strstr (bad.err, "--note"));
  nod_test_cli_run (fixture, &refused, NULL, "note", "edit", REF, "--discussion", theirs_thread,
                    "--note", theirs_note, "--body", "Not mine", NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "author"));
  g_clear_pointer (&discussions, g_ptr_array_unref);

  /* The refused edit holds back its merge request's threads until it is dismissed. */
  {
    g_auto (NodTestCliOutcome) listed = { 0, };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *row;

    nod_test_cli_run (fixture, &listed, NULL, "queue", "list", "--json", NULL);
    g_assert_true (json_parser_load_from_data (parser, listed.out, -1, NULL));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))),
                      ==, 1);
    row = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
    g_assert_cmpstr (json_object_get_string_member (row, "state"), ==, "failed");
    run_ok (fixture, NULL, "queue", "discard", json_object_get_string_member (row, "op"),
            NULL);
  }

  /* Offline, a change waits; mr show says so under the note it changes. */
  run_ok (fixture, "done", "comment", REF, "--body", "Second thought", NULL);
  discussions = nod_test_cli_list_discussions (fixture, PROJECT, IID);
  thread = thread_starting (discussions, "Second thought");
  g_free (discussion_id);
  discussion_id = g_strdup (nod_discussion_get_id (thread));
  g_free (note_id);
  note_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                             nod_note_get_id (g_ptr_array_index (nod_discussion_get_notes (thread),
                                                                 0)));
  run_ok (fixture, NULL, "pull", NULL);
  g_clear_object (&fixture->fake);
  nod_test_cli_run (fixture, &queued, NULL, "note", "edit", REF, "--discussion", discussion_id,
                    "--note", note_id, "--body", "Third thought", NULL);
  g_assert_cmpint (queued.status, ==, 75);
  nod_test_cli_outcome_clear (&shown);
  nod_test_cli_run (fixture, &shown, NULL, "mr", "show", REF, NULL);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("(note %s):\n    Second thought\n    (new text, pending):\n"
                              "    Third thought\n", note_id);
  g_assert_nonnull (strstr (shown.out, expected));
  nod_test_cli_outcome_clear (&queued);
  nod_test_cli_run (fixture, &queued, NULL, "note", "delete", REF, "--discussion",
                    discussion_id, "--note", note_id, NULL);
  g_assert_cmpint (queued.status, ==, 75);
  nod_test_cli_outcome_clear (&shown);
  nod_test_cli_run (fixture, &shown, NULL, "mr", "show", REF, NULL);
  g_assert_nonnull (strstr (shown.out, "    Second thought\n    (deleting: pending)\n"));
  g_assert_null (strstr (shown.out, "Third thought"));
}

int
main (int   argc,
      char *argv[])
{
  static const Step create = { "POST", "/draft_notes$" };
  static const Step publish = { "POST", "/draft_notes/bulk_publish$" };
  static const Step approve = { "POST", "/approve$" };

  nod_test_cli_init (&argc, &argv);

#define ADD(path, func) NOD_TEST_CLI_ADD (path, func)
#define ADD_STEP(path, step) \
  g_test_add ((path), NodTestCli, (step), nod_test_cli_fixture_set_up, test_ambiguous_step, \
              nod_test_cli_fixture_tear_down)

  ADD ("/nod/cli/review/offline-killed-then-finished", test_offline_review_killed_then_finished);
  ADD_STEP ("/nod/cli/review/ambiguous-create", &create);
  ADD_STEP ("/nod/cli/review/ambiguous-publish", &publish);
  ADD_STEP ("/nod/cli/review/ambiguous-approve", &approve);
  ADD ("/nod/cli/review/edited-deleted", test_edited_deleted_then_submitted);
  ADD ("/nod/cli/review/discarded", test_discarded);
  ADD ("/nod/cli/review/discarded-half-sent", test_discarded_half_sent);
  ADD ("/nod/cli/mr-show", test_mr_show);
  ADD ("/nod/cli/note-edit-delete", test_note_edit_delete);

  return g_test_run ();
}
