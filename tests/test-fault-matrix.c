/* test-fault-matrix.c: every review action against every way GitLab can fail it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A table, not a story: 10 action kinds (approve, unapprove, comment, reply, resolve,
 * unresolve, a posted note's edit_note and delete_note, and a submitted review's two steps,
 * draft_note and publish_review) × 13 faults of the fake on the action's one write = 130
 * cases. The faults:
 *
 *   500, 502, 503              GitLab failed it, did nothing
 *   timeout after apply        GitLab did it and never answered (the forge's deadline)
 *   drop before apply          the connection dropped, nothing done
 *   drop after apply           done, then the connection dropped
 *   malformed after apply      done, then a 200 with a body cut short
 *   429 with Retry-After,
 *   429 without                rate limited, nothing done
 *   401                        token refused (on the write only: GET /user still works,
 *                              so an approve learns it may not approve this one)
 *   403, 404                   refused
 *   409                        the issue lists it for approve (new commits since the
 *                              review); GitLab answers it elsewhere too (a thread changed
 *                              meanwhile), so every kind gets it: a refusal like 403
 *
 * A review's step is set up as a reviewer makes it: a review started on the merge request, a
 * comment enqueued into it (a draft), the review submitted without an approval or a summary,
 * which pushes its unit at once: POST …/draft_notes, then POST …/draft_notes/bulk_publish.
 * A draft_note case faults the first, a publish_review case the second only (its draft goes
 * through). Either ends, once settled, as one published note and one review notified, the
 * publish applied once. Nod reads no answer to a publish (GitLab gives no content), so a
 * garbled one after it applied is an ack, not an ambiguity: the one case that settles in
 * its first push. A note's removal reads no answer either, and takes GitLab's 404 as "gone
 * already": done in its first push too (the fake's 404 is a lie there, so the note stays).
 *
 * Each case runs the engine (its clock manual, its forge on the fake in-process), which
 * pushes the action once, and asserts what a reviewer and GitLab would see:
 *
 *   - the fake's end state, through an observer of its own: exactly one effect (the
 *     approval, the note, the thread's resolved state) or none;
 *   - the outbox row: state, ambiguous, attempts, last_status, and a reason (last_error)
 *     wherever the action did not go;
 *   - the exit status `nod push` gives for that push (_nod_cli_push_exit_status ());
 *   - the state of NodSyncStatus.
 *
 * Then, where the action still waits (a retry after its backoff, the end of the rate
 * limit, a new sign-in), the clock is moved past the wait, the engine pushes again, and the
 * action ends with exactly one effect: an ambiguous row is read for before it is sent again,
 * so what GitLab did once is never done twice. Nothing waits on the wall clock.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-cli-private.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-sync-engine.h"
#include "nod-test-cli.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-fault-matrix-test"
#define ACCOUNT 1
/* The forge's overall deadline for one request, on the engine's clock. */
#define DEADLINE_S 20

/* ---- the table ---- */

typedef enum
{
  FAULT_500,
  FAULT_502,
  FAULT_503,
  FAULT_TIMEOUT_AFTER_APPLY,
  FAULT_DROP_BEFORE_APPLY,
  FAULT_DROP_AFTER_APPLY,
  FAULT_MALFORMED_AFTER_APPLY,
  FAULT_429_RETRY_AFTER,
  FAULT_429,
  FAULT_401,
  FAULT_403,
  FAULT_404,
  FAULT_409,
  N_FAULTS
} Fault;

typedef struct
{
  const char *name;
  const char *members;  /* of the fault, beside its method and path */
  gboolean    applied;  /* GitLab does the write before the answer goes wrong */
} FaultSpec;

static const FaultSpec fault_specs[N_FAULTS] = {
  [FAULT_500] = { "500", "\"status\": 500", FALSE },
  [FAULT_502] = { "502", "\"status\": 502", FALSE },
  [FAULT_503] = { "503", "\"status\": 503", FALSE },
  [FAULT_TIMEOUT_AFTER_APPLY] = { "timeout-after-apply", "\"stall\": true, \"applied\": true",
                                  TRUE },
  [FAULT_DROP_BEFORE_APPLY] = { "drop-before-apply", "\"drop\": true", FALSE },
  [FAULT_DROP_AFTER_APPLY] = { "drop-after-apply", "\"drop\": true, \"applied\": true", TRUE },
  [FAULT_MALFORMED_AFTER_APPLY] = { "malformed-after-apply",
                                    "\"malformed\": true, \"applied\": true", TRUE },
  [FAULT_429_RETRY_AFTER] = { "429-retry-after", "\"status\": 429, \"retry_after\": 120",
                              FALSE },
  [FAULT_429] = { "429", "\"status\": 429", FALSE },
  [FAULT_401] = { "401", "\"status\": 401", FALSE },
  [FAULT_403] = { "403", "\"status\": 403", FALSE },
  [FAULT_404] = { "404", "\"status\": 404", FALSE },
  [FAULT_409] = { "409", "\"status\": 409", FALSE },
};

static const NodActionKind kinds[] = {
  NOD_ACTION_APPROVE, NOD_ACTION_UNAPPROVE, NOD_ACTION_COMMENT,
  NOD_ACTION_REPLY, NOD_ACTION_RESOLVE, NOD_ACTION_UNRESOLVE,
  NOD_ACTION_EDIT_NOTE, NOD_ACTION_DELETE_NOTE,
  NOD_ACTION_DRAFT_NOTE, NOD_ACTION_PUBLISH_REVIEW,
};


static gboolean
is_review_step (NodActionKind kind)
{
  return kind == NOD_ACTION_DRAFT_NOTE || kind == NOD_ACTION_PUBLISH_REVIEW;
}

/* How the first push leaves the action. */
typedef enum
{
  ENDS_RETRYING,    /* transient: pending, ambiguous, an attempt counted, a backoff */
  ENDS_BLOCKED,     /* 429: pending, unpunished, until GitLab's time */
  ENDS_SIGNED_OUT,  /* 401: pending, unpunished, until the account signs in again */
  ENDS_FAILED,      /* refused for good: failed, with GitLab's reason */
  ENDS_DONE,        /* GitLab did it and Nod reads no answer to it: acked */
} Ending;

typedef struct
{
  NodActionKind kind;
  Fault         fault;
} Case;

static gboolean
is_note_change (NodActionKind kind)
{
  return kind == NOD_ACTION_EDIT_NOTE || kind == NOD_ACTION_DELETE_NOTE;
}

/* A removal's 404 is GitLab saying the note is gone: Nod takes it as done. */
static gboolean
trusts_404 (const Case *c)
{
  return c->kind == NOD_ACTION_DELETE_NOTE && c->fault == FAULT_404;
}

typedef struct
{
  Ending       ending;
  guint        last_status;   /* 500 stands for any 5xx */
  const char  *reason_words;  /* in last_error, or NULL for any sentence */
  guint        exit_status;
  NodSyncState state;
} Expected;

static Expected
expected_for (const Case *c)
{
  Expected expected = { 0, };

  switch (c->fault)
    {
    case FAULT_500:
    case FAULT_502:
    case FAULT_503:
      expected.ending = ENDS_RETRYING;
      expected.last_status = 500;
      break;

    case FAULT_TIMEOUT_AFTER_APPLY:
    case FAULT_DROP_BEFORE_APPLY:
    case FAULT_DROP_AFTER_APPLY:
    case FAULT_MALFORMED_AFTER_APPLY:
      /* No answer, or none Nod could read: no status to keep, only why. But a publish is
       * answered with no content and Nod reads none: a 200 with a garbled body is GitLab
       * saying it published, which it did. */
      expected.ending = (c->kind == NOD_ACTION_PUBLISH_REVIEW ||
                         c->kind == NOD_ACTION_DELETE_NOTE) &&
                        c->fault == FAULT_MALFORMED_AFTER_APPLY ? ENDS_DONE : ENDS_RETRYING;
      expected.last_status = 0;
      break;

    case FAULT_429_RETRY_AFTER:
    case FAULT_429:
      expected.ending = ENDS_BLOCKED;
      expected.last_status = 429;
      expected.reason_words = "rate limit";
      break;

    case FAULT_401:
      /* An approve's 401 is also GitLab's "you may not approve this": GET /user tells. */
      expected.ending = c->kind == NOD_ACTION_APPROVE ? ENDS_FAILED : ENDS_SIGNED_OUT;
      expected.last_status = 401;
      expected.reason_words = c->kind == NOD_ACTION_APPROVE ? "approve" : "sign in again";
      break;

    case FAULT_403:
    case FAULT_404:
    case FAULT_409:
      expected.ending = trusts_404 (c) ? ENDS_DONE : ENDS_FAILED;
      expected.last_status = c->fault == FAULT_403 ? 403 : c->fault == FAULT_404 ? 404 : 409;
      break;

    case N_FAULTS:
    default:
      g_assert_not_reached ();
    }

  switch (expected.ending)
    {
    case ENDS_RETRYING:
      expected.exit_status = NOD_CLI_EXIT_QUEUED;
      expected.state = NOD_SYNC_STATE_ERROR;
      break;
    case ENDS_BLOCKED:
      expected.exit_status = NOD_CLI_EXIT_QUEUED;
      expected.state = NOD_SYNC_STATE_BLOCKED;
      break;
    case ENDS_SIGNED_OUT:
      expected.exit_status = NOD_CLI_EXIT_QUEUED;
      expected.state = NOD_SYNC_STATE_SIGNED_OUT;
      break;
    case ENDS_DONE:
      expected.exit_status = NOD_CLI_EXIT_OK;
      expected.state = NOD_SYNC_STATE_IDLE;
      break;
    case ENDS_FAILED:
    default:
      expected.exit_status = NOD_CLI_EXIT_ERROR;
      expected.state = NOD_SYNC_STATE_IDLE;
      break;
    }
  return expected;
}

/* ---- the fixture ---- */

typedef struct
{
  NodFakeGitlab   *fake;
  char            *base_url;
  NodStore        *store;
  NodOutbox       *outbox;
  NodGitlab       *gitlab;    /* the engine's */
  NodGitlab       *observer;  /* the test's own look at the server */
  NodClock        *clock;     /* the engine's time */
  NodSyncEngine   *engine;
  guint            jobs_finished;

  /* The case's target on the server. */
  NodMergeRequest *mr;
  char            *discussion_id;  /* reply, resolve, unresolve, a note's edit or removal */
  gint64           note_id;        /* edit_note, delete_note: the thread's first note */
  char            *body;           /* comment, reply, a review's draft: unique to the case */

  /* The case's row in the outbox, and the one whose end ends the case: the same row, but
   * for a review's steps, whose unit ends with its publish. */
  char            *op_id;
  char            *last_op_id;
} Fixture;

static void
on_job_finished (NodSyncEngine *engine,
                 gpointer       user_data)
{
  ((Fixture *) user_data)->jobs_finished++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = nod_store_get_default_path ();

  fixture->fake = nod_test_fake_start (TOKEN, &fixture->base_url);
  fixture->store = nod_test_open_store_with_account (path, ACCOUNT);
  fixture->outbox = nod_outbox_new (fixture->store);
  fixture->gitlab = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);

  /* Now, in whole seconds; it moves only when the test moves it. The forge stamps GitLab's
   * rate-limit times with the wall clock, so the two start together. */
  fixture->clock = nod_clock_new_manual (g_get_real_time () / G_USEC_PER_SEC * G_USEC_PER_SEC);

  /* The forge's deadline runs on the engine's clock (the engine hands it its own): a
   * stalled answer ends when the test moves it. */
  nod_gitlab_set_deadline (fixture->gitlab, DEADLINE_S);

  fixture->engine = nod_sync_engine_new (fixture->store, fixture->outbox);
  nod_sync_engine_set_clock (fixture->engine, fixture->clock);
  /* The cycle is far away: every push is the test's doing (or an approval's flush). */
  nod_sync_engine_set_interval (fixture->engine, 3600);
  nod_sync_engine_add_account (fixture->engine, ACCOUNT, NOD_FORGE (fixture->gitlab));
  g_signal_connect (fixture->engine, "job-finished", G_CALLBACK (on_job_finished), fixture);
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (((Fixture *) data)->engine);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_wait_until (engine_idle, fixture);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->engine));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  g_clear_object (&fixture->outbox);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->mr);
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
  g_clear_pointer (&fixture->discussion_id, g_free);
  g_clear_pointer (&fixture->body, g_free);
  g_clear_pointer (&fixture->op_id, g_free);
  g_clear_pointer (&fixture->last_op_id, g_free);
}

/* ---- the server, as the observer sees it ---- */

static GPtrArray *
server_threads (Fixture *fixture)
{
  GPtrArray *threads = g_ptr_array_new_with_free_func (g_object_unref);
  guint page_number = 1;

  /* Every page: the case's thread may be past the first. */
  while (page_number != 0)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(NodForgePage) page = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *items;

      nod_forge_list_discussions_async (NOD_FORGE (fixture->observer),
                                        nod_merge_request_get_project_id (fixture->mr),
                                        nod_merge_request_get_iid (fixture->mr), page_number,
                                        NULL, nod_test_keep_result, &result);
      page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                                nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
      items = nod_forge_page_get_items (page);
      for (guint i = 0; i < items->len; i++)
        g_ptr_array_add (threads, g_object_ref (items->pdata[i]));
      page_number = (guint) nod_forge_page_get_next_page (page);
    }
  return threads;
}

static guint
server_notes_with_body (Fixture *fixture)
{
  g_autoptr(GPtrArray) threads = server_threads (fixture);
  guint found = 0;

  for (guint i = 0; i < threads->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (threads->pdata[i]);

      for (guint j = 0; j < notes->len; j++)
        if (g_strcmp0 (nod_note_get_body (notes->pdata[j]), fixture->body) == 0)
          found++;
    }
  return found;
}

/* The reviewer's drafts on the merge request with the case's body, every page. */
static guint
server_drafts_with_body (Fixture *fixture)
{
  guint page_number = 1;
  guint found = 0;

  while (page_number != 0)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(NodForgePage) page = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *items;

      nod_forge_list_draft_notes_async (NOD_FORGE (fixture->observer),
                                        nod_merge_request_get_project_id (fixture->mr),
                                        nod_merge_request_get_iid (fixture->mr), page_number,
                                        NULL, nod_test_keep_result, &result);
      page = nod_forge_list_draft_notes_finish (NOD_FORGE (fixture->observer),
                                                nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
      items = nod_forge_page_get_items (page);
      for (guint i = 0; i < items->len; i++)
        if (g_strcmp0 (nod_draft_note_get_body (items->pdata[i]), fixture->body) == 0)
          found++;
      page_number = (guint) nod_forge_page_get_next_page (page);
    }
  return found;
}

/* How many published reviews notified the merge request's author. */
static guint
server_reviews_notified (Fixture *fixture)
{
  g_autofree char *path = g_strdup_printf ("/__fake/mr/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                           "/notifications",
                                           nod_merge_request_get_project_id (fixture->mr),
                                           nod_merge_request_get_iid (fixture->mr));
  g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, "GET", path, NULL);
  JsonArray *events = json_object_get_array_member (json_node_get_object (answer), "events");
  guint reviews = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "kind"), "review") == 0)
        reviews++;
    }
  return reviews;
}

static gboolean
server_thread_exists (Fixture *fixture)
{
  g_autoptr(GPtrArray) threads = server_threads (fixture);

  for (guint i = 0; i < threads->len; i++)
    if (g_strcmp0 (nod_discussion_get_id (threads->pdata[i]), fixture->discussion_id) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
server_thread_resolved (Fixture *fixture)
{
  g_autoptr(GPtrArray) threads = server_threads (fixture);

  for (guint i = 0; i < threads->len; i++)
    if (g_strcmp0 (nod_discussion_get_id (threads->pdata[i]), fixture->discussion_id) == 0)
      return nod_discussion_get_resolved (threads->pdata[i]);
  g_assert_not_reached ();
}

/* How many times the case's action is in effect on GitLab: 0 or 1 for the target states,
 * the number of notes with the case's body for a comment or a reply, and for a review's
 * steps too: its draft counts once published, as the reviewer's note. */
static guint
server_effects (Fixture       *fixture,
                NodActionKind  kind)
{
  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      return nod_test_server_has_approved (NOD_FORGE (fixture->observer), fixture->mr) ? 1 : 0;
    case NOD_ACTION_UNAPPROVE:
      return nod_test_server_has_approved (NOD_FORGE (fixture->observer), fixture->mr) ? 0 : 1;
    case NOD_ACTION_COMMENT:
    case NOD_ACTION_REPLY:
    case NOD_ACTION_EDIT_NOTE:
    case NOD_ACTION_DRAFT_NOTE:
    case NOD_ACTION_PUBLISH_REVIEW:
      return server_notes_with_body (fixture);
    case NOD_ACTION_DELETE_NOTE:
      /* The thread's only note: with it the thread goes. */
      return server_thread_exists (fixture) ? 0 : 1;
    case NOD_ACTION_RESOLVE:
      return server_thread_resolved (fixture) ? 1 : 0;
    case NOD_ACTION_UNRESOLVE:
      return server_thread_resolved (fixture) ? 0 : 1;
    default:
      g_assert_not_reached ();
    }
}

/* The reviewer's own write, behind the engine's back: how each target starts. */
static void
server_approve (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodApprovals) approvals = NULL;

  nod_forge_approve_async (NOD_FORGE (fixture->observer),
                           nod_merge_request_get_project_id (fixture->mr),
                           nod_merge_request_get_iid (fixture->mr), NULL, NULL,
                           nod_test_keep_result, &result);
  approvals = nod_forge_approve_finish (NOD_FORGE (fixture->observer),
                                        nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

static void
server_start_thread (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiscussion) discussion = NULL;

  nod_forge_create_discussion_async (NOD_FORGE (fixture->observer),
                                     nod_merge_request_get_project_id (fixture->mr),
                                     nod_merge_request_get_iid (fixture->mr),
                                     "A thread for the matrix", NULL, NULL, nod_test_keep_result,
                                     &result);
  g_assert_true (nod_forge_create_discussion_finish (NOD_FORGE (fixture->observer),
                                                     nod_test_wait_for_result (&result),
                                                     &discussion, &error));
  g_assert_no_error (error);
  fixture->discussion_id = g_strdup (nod_discussion_get_id (discussion));
  fixture->note_id = nod_note_get_id (g_ptr_array_index (nod_discussion_get_notes (discussion),
                                                         0));
}

static void
server_resolve (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodDiscussion) discussion = NULL;

  nod_forge_set_resolved_async (NOD_FORGE (fixture->observer),
                                nod_merge_request_get_project_id (fixture->mr),
                                nod_merge_request_get_iid (fixture->mr), fixture->discussion_id,
                                TRUE, NULL, nod_test_keep_result, &result);
  discussion = nod_forge_set_resolved_finish (NOD_FORGE (fixture->observer),
                                              nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

/* ---- the action and its fault ---- */

/* The method and path of the action's one write, as the fake sees it. */
static void
write_of (Fixture        *fixture,
          NodActionKind   kind,
          const char    **out_method,
          char          **out_path)
{
  g_autofree char *mr_path =
    g_strdup_printf ("/api/v4/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT,
                     nod_merge_request_get_project_id (fixture->mr),
                     nod_merge_request_get_iid (fixture->mr));

  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/approve", NULL);
      break;
    case NOD_ACTION_UNAPPROVE:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/unapprove", NULL);
      break;
    case NOD_ACTION_COMMENT:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/discussions", NULL);
      break;
    case NOD_ACTION_REPLY:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/discussions/", fixture->discussion_id, "/notes", NULL);
      break;
    case NOD_ACTION_RESOLVE:
    case NOD_ACTION_UNRESOLVE:
      *out_method = "PUT";
      *out_path = g_strconcat (mr_path, "/discussions/", fixture->discussion_id, NULL);
      break;
    case NOD_ACTION_EDIT_NOTE:
    case NOD_ACTION_DELETE_NOTE:
      *out_method = kind == NOD_ACTION_EDIT_NOTE ? "PUT" : "DELETE";
      *out_path = g_strdup_printf ("%s/notes/%" G_GINT64_FORMAT, mr_path, fixture->note_id);
      break;
    case NOD_ACTION_DRAFT_NOTE:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/draft_notes", NULL);
      break;
    case NOD_ACTION_PUBLISH_REVIEW:
      *out_method = "POST";
      *out_path = g_strconcat (mr_path, "/draft_notes/bulk_publish", NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

static guint
count_writes (Fixture       *fixture,
              NodActionKind  kind)
{
  const char *method;
  g_autofree char *path = NULL;
  g_autofree char *pattern = NULL;

  write_of (fixture, kind, &method, &path);
  pattern = g_strdup_printf ("^%s$", path);
  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

static void
arm_fault (Fixture    *fixture,
           const Case *c)
{
  const char *method;
  g_autofree char *path = NULL;
  g_autofree char *fault = NULL;

  write_of (fixture, c->kind, &method, &path);
  fault = g_strdup_printf ("{\"method\": \"%s\", \"path\": \"^%s$\", %s}", method, path,
                           fault_specs[c->fault].members);
  nod_test_fake_add_fault (fixture->base_url, fault);
}

/* The server as the case needs it before the action: an approvable merge request, and for
 * an unapprove its approval, for a reply or a resolve a thread, for an unresolve a
 * resolved one. */
static void
prepare_target (Fixture    *fixture,
                const Case *c)
{
  g_autoptr(GPtrArray) mrs = nod_test_server_approvable (NOD_FORGE (fixture->observer), 1);

  fixture->mr = g_object_ref (mrs->pdata[0]);
  fixture->body = g_strdup_printf ("Matrix %s after %s",
                                   nod_action_kind_to_string (c->kind),
                                   fault_specs[c->fault].name);
  if (c->kind == NOD_ACTION_UNAPPROVE)
    server_approve (fixture);
  if (c->kind == NOD_ACTION_REPLY || c->kind == NOD_ACTION_RESOLVE ||
      c->kind == NOD_ACTION_UNRESOLVE || c->kind == NOD_ACTION_EDIT_NOTE ||
      c->kind == NOD_ACTION_DELETE_NOTE)
    server_start_thread (fixture);
  if (c->kind == NOD_ACTION_UNRESOLVE)
    server_resolve (fixture);
  g_assert_cmpuint (server_effects (fixture, c->kind), ==, 0);

  /* From here on, every write the fake logs is the engine's. */
  {
    g_autoptr(JsonNode) cleared = nod_test_fake_control (fixture->base_url, "DELETE",
                                                         "/__fake/requests", NULL);
  }
}

static NodOutboxAction *
new_action (Fixture       *fixture,
            NodActionKind  kind)
{
  gint64 project_id = nod_merge_request_get_project_id (fixture->mr);
  gint64 iid = nod_merge_request_get_iid (fixture->mr);

  switch (kind)
    {
    case NOD_ACTION_APPROVE:
      return nod_outbox_action_new_approve (ACCOUNT, project_id, iid,
                                            nod_merge_request_get_sha (fixture->mr));
    case NOD_ACTION_UNAPPROVE:
      return nod_outbox_action_new_unapprove (ACCOUNT, project_id, iid);
    case NOD_ACTION_COMMENT:
    case NOD_ACTION_DRAFT_NOTE:
    case NOD_ACTION_PUBLISH_REVIEW:
      /* A review's: a comment enqueued while the review is started is its draft. */
      return nod_outbox_action_new_comment (ACCOUNT, project_id, iid, fixture->body);
    case NOD_ACTION_REPLY:
      return nod_outbox_action_new_reply (ACCOUNT, project_id, iid, fixture->discussion_id,
                                          fixture->body);
    case NOD_ACTION_RESOLVE:
    case NOD_ACTION_UNRESOLVE:
      return nod_outbox_action_new_resolve (ACCOUNT, project_id, iid, fixture->discussion_id,
                                            kind == NOD_ACTION_RESOLVE);
    case NOD_ACTION_EDIT_NOTE:
      return nod_outbox_action_new_edit_note (ACCOUNT, project_id, iid, fixture->discussion_id,
                                              fixture->note_id, fixture->body);
    case NOD_ACTION_DELETE_NOTE:
      return nod_outbox_action_new_delete_note (ACCOUNT, project_id, iid,
                                                fixture->discussion_id, fixture->note_id);
    default:
      g_assert_not_reached ();
    }
}

/* ---- the engine ---- */

typedef struct
{
  Fixture *fixture;
  guint    jobs;
} JobsWait;

static gboolean
jobs_done (gpointer data)
{
  JobsWait *wait = data;

  return wait->fixture->jobs_finished >= wait->jobs && engine_idle (wait->fixture);
}

/* Waits until @jobs more jobs have finished and nothing runs. */
static void
wait_for_jobs (Fixture *fixture,
               guint    jobs)
{
  JobsWait wait = { fixture, fixture->jobs_finished + jobs };

  nod_test_wait_until (jobs_done, &wait);
}

typedef struct
{
  Fixture       *fixture;
  NodActionKind  kind;
} WriteWait;

static gboolean
write_arrived (gpointer data)
{
  WriteWait *wait = data;

  return count_writes (wait->fixture, wait->kind) > 0;
}

/* The action @kind makes, enqueued through the engine; the row it stored. */
static NodOutboxAction *
enqueue (Fixture       *fixture,
         NodActionKind  kind)
{
  g_autoptr(NodOutboxAction) draft = new_action (fixture, kind);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored;

  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, nod_test_keep_result, &result);
  stored = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

/* A review started on the case's merge request, its one draft written, and the review
 * submitted (no approval, no summary): the engine pushes its unit at once. The case's row
 * is the step @kind names; the unit ends with its publish. */
static void
start_write_and_submit_review (Fixture       *fixture,
                               NodActionKind  kind)
{
  gint64 project_id = nod_merge_request_get_project_id (fixture->mr);
  gint64 iid = nod_merge_request_get_iid (fixture->mr);
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GAsyncResult) submitted = NULL;
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *review_id = NULL;
  g_autofree char *sql = NULL;
  gboolean was_started = FALSE;
  guint queued = 0;

  nod_sync_engine_start_review_async (fixture->engine, ACCOUNT, project_id, iid, NULL,
                                      nod_test_keep_result, &started);
  g_assert_true (nod_sync_engine_start_review_finish (fixture->engine,
                                                      nod_test_wait_for_result (&started),
                                                      &was_started, &error));
  g_assert_no_error (error);
  g_assert_true (was_started);

  draft = enqueue (fixture, NOD_ACTION_COMMENT);
  g_assert_cmpint (nod_outbox_action_get_state (draft), ==, NOD_ACTION_DRAFT);

  nod_sync_engine_submit_review_async (fixture->engine, ACCOUNT, project_id, iid, NULL, NULL,
                                       NULL, nod_test_keep_result, &submitted);
  g_assert_true (nod_sync_engine_submit_review_finish (fixture->engine,
                                                       nod_test_wait_for_result (&submitted),
                                                       &queued, &review_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (queued, ==, 2);

  sql = g_strdup_printf ("SELECT op_id FROM outbox WHERE review_id = '%s' "
                         "AND kind = 'publish_review'", review_id);
  fixture->last_op_id = nod_test_query_text (fixture->store, sql);
  g_assert_nonnull (fixture->last_op_id);
  /* The draft_note step keeps its draft's op id. */
  fixture->op_id = g_strdup (kind == NOD_ACTION_DRAFT_NOTE
                             ? nod_outbox_action_get_op_id (draft) : fixture->last_op_id);
}

/* Queues the action through the engine, as a verb does, and has it pushed once: an
 * approval goes by itself, a review's unit as its submit asks, the rest as `nod push`
 * asks. A write the fake stalls ends when the engine's clock passes the forge's deadline. */
static void
enqueue_and_push (Fixture       *fixture,
                  NodActionKind  kind,
                  gboolean       stalled)
{
  guint jobs_before = fixture->jobs_finished;

  if (is_review_step (kind))
    start_write_and_submit_review (fixture, kind);
  else
    {
      g_autoptr(NodOutboxAction) stored = enqueue (fixture, kind);

      fixture->op_id = g_strdup (nod_outbox_action_get_op_id (stored));
      fixture->last_op_id = g_strdup (fixture->op_id);
    }

  if (kind != NOD_ACTION_APPROVE && kind != NOD_ACTION_UNAPPROVE && !is_review_step (kind))
    {
      NodSyncDecision decision = nod_sync_engine_request_account (fixture->engine, ACCOUNT,
                                                                  NOD_SYNC_TRIGGER_RETRY);

      g_assert_cmpint (decision.verdict, ==, NOD_SYNC_VERDICT_START);
    }
  if (stalled)
    {
      WriteWait wait = { fixture, kind };

      /* GitLab has it, and will never answer. */
      nod_test_wait_until (write_arrived, &wait);
      g_assert_true (nod_sync_engine_is_busy (fixture->engine));
      nod_clock_advance (fixture->clock, DEADLINE_S);
    }
  wait_for_jobs (fixture, 1 - MIN (1, fixture->jobs_finished - jobs_before));
}

static gboolean
row_done_and_idle (gpointer data)
{
  Fixture *fixture = data;
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT (*) FROM outbox WHERE op_id = '%s' "
                                          "AND state = 'done'", fixture->last_op_id);

  return engine_idle (fixture) && nod_test_query_int (fixture->store, sql) == 1;
}

/* Moves the engine's clock to @until_us (Unix microseconds) or a little past, and asks
 * for a push, as `nod push` would then; waits until the action (a review's whole unit) is
 * done. */
static void
push_again_at (Fixture *fixture,
               gint64   until_us)
{
  gint64 now_us = nod_clock_get_now_us (fixture->clock);

  if (until_us > now_us)
    nod_clock_advance (fixture->clock, (until_us - now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  nod_sync_engine_request_account (fixture->engine, ACCOUNT, NOD_SYNC_TRIGGER_RETRY);
  nod_test_wait_until (row_done_and_idle, fixture);
}

/* ---- the row ---- */

/* Of the case's row. */
static gint64
row_int (Fixture    *fixture,
         const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                                          fixture->op_id);

  return nod_test_query_int (fixture->store, sql);
}

static char *
row_text (Fixture    *fixture,
          const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                                          fixture->op_id);

  return nod_test_query_text (fixture->store, sql);
}

static void
assert_row (Fixture        *fixture,
            const Expected *expected)
{
  g_autofree char *state = row_text (fixture, "state");
  g_autofree char *last_error = row_text (fixture, "last_error");
  gint64 last_status = row_int (fixture, "last_status");

  if (expected->ending == ENDS_DONE)
    {
      g_assert_cmpstr (state, ==, "done");
      g_assert_cmpint (row_int (fixture, "ambiguous"), ==, 0);
      g_assert_cmpint (row_int (fixture, "attempts"), ==, 0);
      return;
    }

  g_assert_cmpstr (state, ==, expected->ending == ENDS_FAILED ? "failed" : "pending");
  g_assert_cmpint (row_int (fixture, "ambiguous"), ==, expected->ending == ENDS_RETRYING);
  g_assert_cmpint (row_int (fixture, "attempts"), ==, expected->ending == ENDS_RETRYING);

  if (expected->last_status == 500)
    {
      g_assert_cmpint (last_status, >=, 500);
      g_assert_cmpint (last_status, <, 600);
    }
  else
    g_assert_cmpint (last_status, ==, expected->last_status);

  /* Wherever it did not go, the row says why. */
  g_assert_nonnull (last_error);
  g_assert_cmpuint (strlen (last_error), >, 10);
  if (expected->reason_words != NULL)
    g_assert_nonnull (strstr (last_error, expected->reason_words));
}

/* ---- a review's steps on GitLab ---- */

static guint
count_requests (Fixture    *fixture,
                const char *method,
                const char *mr_suffix)
{
  g_autofree char *pattern =
    g_strdup_printf ("^/api/v4/projects/%" G_GINT64_FORMAT "/merge_requests/%" G_GINT64_FORMAT
                     "%s$", nod_merge_request_get_project_id (fixture->mr),
                     nod_merge_request_get_iid (fixture->mr), mr_suffix);

  return nod_test_fake_count_requests (fixture->base_url, method, pattern);
}

/* After a push that stopped at (or failed) the case's step, @effects of it on GitLab: a
 * draft_note's draft is there or not, nothing published; a publish_review's draft was
 * created, and published (one review notified) or still a draft. */
static void
assert_review_first (Fixture       *fixture,
                     NodActionKind  kind,
                     guint          effects)
{
  if (kind == NOD_ACTION_DRAFT_NOTE)
    {
      g_assert_cmpuint (server_drafts_with_body (fixture), ==, effects);
      g_assert_cmpuint (server_notes_with_body (fixture), ==, 0);
      g_assert_cmpuint (server_reviews_notified (fixture), ==, 0);
      g_assert_cmpuint (count_requests (fixture, "POST", "/draft_notes/bulk_publish"), ==, 0);
    }
  else
    {
      g_assert_cmpuint (count_requests (fixture, "POST", "/draft_notes"), ==, 1);
      g_assert_cmpuint (server_drafts_with_body (fixture), ==, 1 - effects);
      g_assert_cmpuint (server_notes_with_body (fixture), ==, effects);
      g_assert_cmpuint (server_reviews_notified (fixture), ==, effects);
    }
}

/* The unit done: its one draft created once and published once, as one review. */
static void
assert_review_published (Fixture       *fixture,
                         NodActionKind  kind,
                         gboolean       applied)
{
  guint publishes = kind == NOD_ACTION_PUBLISH_REVIEW && !applied ? 2 : 1;

  g_assert_cmpuint (server_drafts_with_body (fixture), ==, 0);
  g_assert_cmpuint (server_notes_with_body (fixture), ==, 1);
  g_assert_cmpuint (server_reviews_notified (fixture), ==, 1);
  /* Sent again only when the first never reached GitLab's publishing. */
  g_assert_cmpuint (count_requests (fixture, "POST", "/draft_notes/bulk_publish"), ==,
                    publishes);
}

/* ---- one case ---- */

static void
test_case (Fixture       *fixture,
           gconstpointer  data)
{
  const Case *c = data;
  Expected expected = expected_for (c);
  NodSyncStatus *status = nod_sync_engine_get_status (fixture->engine);
  const NodSyncSummary *summary;
  gboolean applied = fault_specs[c->fault].applied;
  guint effects_first = applied ? 1 : 0;
  /* A failed or waiting draft holds back its review's publish, pending behind it. */
  guint held_back = c->kind == NOD_ACTION_DRAFT_NOTE ? 1 : 0;
  guint writes_first;

  prepare_target (fixture, c);
  arm_fault (fixture, c);
  enqueue_and_push (fixture, c->kind, c->fault == FAULT_TIMEOUT_AFTER_APPLY);

  /* GitLab: the write reached it once, and took effect only if the fault let it. */
  g_assert_cmpuint (count_writes (fixture, c->kind), ==, 1);
  if (is_review_step (c->kind))
    assert_review_first (fixture, c->kind, effects_first);
  else
    g_assert_cmpuint (server_effects (fixture, c->kind), ==, effects_first);

  /* The row, the exit status of that push, the status. */
  assert_row (fixture, &expected);
  summary = nod_sync_status_get_last_summary (status);
  g_assert_nonnull (summary);
  g_assert_cmpint (_nod_cli_push_exit_status (summary->failed, summary->remaining), ==,
                   expected.exit_status);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, expected.state);
  if (expected.ending != ENDS_DONE)
    g_assert_nonnull (nod_sync_status_get_last_error (status));
  g_assert_cmpuint (nod_sync_status_get_failed_count (status), ==,
                    expected.ending == ENDS_FAILED);
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==,
                    (expected.ending != ENDS_FAILED && expected.ending != ENDS_DONE) +
                    held_back);
  writes_first = count_writes (fixture, c->kind);

  switch (expected.ending)
    {
    case ENDS_DONE:
      /* Settled in the one push. */
      break;

    case ENDS_RETRYING:
      /* Past its backoff it goes again, read for first: sent again only if GitLab does
       * not have it. A note's edit or removal is sent again as it is: the same text is
       * the same note, and a removal's 404 is done. */
      push_again_at (fixture, row_int (fixture, "next_attempt_at_us"));
      g_assert_cmpuint (count_writes (fixture, c->kind), ==,
                        writes_first + (applied && !is_note_change (c->kind) ? 0 : 1));
      break;

    case ENDS_BLOCKED:
      g_assert_cmpint (row_int (fixture, "next_attempt_at_us"), ==,
                       nod_sync_status_get_blocked_until (status) * G_USEC_PER_SEC);
      push_again_at (fixture, row_int (fixture, "next_attempt_at_us"));
      g_assert_cmpuint (count_writes (fixture, c->kind), ==, writes_first + 1);
      break;

    case ENDS_SIGNED_OUT:
      /* Nothing goes until the account signs in again, as the session does it. */
      g_assert_cmpint (nod_sync_engine_request_account (fixture->engine, ACCOUNT,
                                                        NOD_SYNC_TRIGGER_RETRY).reason,
                       ==, NOD_SYNC_REASON_SIGNED_OUT);
      nod_sync_engine_remove_account (fixture->engine, ACCOUNT);
      nod_sync_engine_add_account (fixture->engine, ACCOUNT, NOD_FORGE (fixture->gitlab));
      push_again_at (fixture, 0);
      g_assert_cmpuint (count_writes (fixture, c->kind), ==, writes_first + 1);
      break;

    case ENDS_FAILED:
    default:
      /* Failed stays failed: a later push sends nothing (nor a review's step after it). */
      nod_sync_engine_request_account (fixture->engine, ACCOUNT, NOD_SYNC_TRIGGER_RETRY);
      wait_for_jobs (fixture, 1);
      g_assert_cmpuint (count_writes (fixture, c->kind), ==, writes_first);
      g_assert_cmpuint (server_effects (fixture, c->kind), ==, 0);
      if (is_review_step (c->kind))
        assert_review_first (fixture, c->kind, 0);
      g_assert_cmpuint (nod_sync_status_get_failed_count (status), ==, 1);
      return;
    }

  /* Exactly one effect, and the push that settled it says so. */
  if (!trusts_404 (c))
    g_assert_cmpuint (server_effects (fixture, c->kind), ==, 1);
  if (is_review_step (c->kind))
    assert_review_published (fixture, c->kind, applied);
  summary = nod_sync_status_get_last_summary (status);
  g_assert_cmpint (_nod_cli_push_exit_status (summary->failed, summary->remaining), ==,
                   NOD_CLI_EXIT_OK);
  g_assert_cmpint (nod_sync_status_get_state (status), ==, NOD_SYNC_STATE_IDLE);
  g_assert_cmpuint (nod_sync_status_get_pending_count (status), ==, 0);
}

/* ---- what `nod queue list` says of it ---- */

static const char *nod_path;

static void
cli_set_up (NodTestCli    *cli,
            gconstpointer  data)
{
  nod_test_cli_set_up (cli, nod_path);
}

static void
cli_tear_down (NodTestCli    *cli,
               gconstpointer  data)
{
  nod_test_cli_tear_down (cli);
}

/* The one row of `queue list --json`, which must be there. */
static JsonObject *
queue_row (JsonParser *parser,
           const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonArray *rows;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  return json_array_get_object_element (rows, 0);
}

/* A comment held back by a 429 from the real `nod`: the queue says it waits for the rate
 * limit and when it goes next; then the same after a refused token, with no time: the
 * account must sign in again. */
static void
test_queue_list_reasons (NodTestCli    *cli,
                         gconstpointer  data)
{
  g_auto (NodTestCliOutcome) limited = { 0, };
  g_auto (NodTestCliOutcome) text = { 0, };
  g_auto (NodTestCliOutcome) json = { 0, };
  g_auto (NodTestCliOutcome) refused = { 0, };
  g_auto (NodTestCliOutcome) text_401 = { 0, };
  g_auto (NodTestCliOutcome) json_401 = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser_401 = json_parser_new ();
  g_autoptr(GDateTime) next_attempt = NULL;
  g_autoptr(GDateTime) next_local = NULL;
  g_autofree char *next_text = NULL;
  g_autofree char *expected_time = NULL;
  JsonObject *row;
  const char *reason;

  if (nod_path == NULL)
    {
      g_test_skip ("needs the path of nod");
      return;
    }

  nod_test_fake_add_fault (cli->base_url, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                          "\"status\": 429, \"retry_after\": 600}");
  nod_test_cli_run (cli, &limited, NULL, "comment", "gnome-apps/nod!111", "--body", "Later",
                    NULL);
  g_assert_cmpint (limited.status, ==, 75);

  nod_test_cli_run (cli, &json, NULL, "queue", "list", "--json", NULL);
  nod_test_cli_run (cli, &text, NULL, "queue", "list", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_assert_cmpint (text.status, ==, 0);
  row = queue_row (parser, json.out);
  reason = json_object_get_string_member (row, "reason");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "rate limit"));
  g_assert_true (json_object_has_member (row, "next_attempt_at"));
  next_text = g_strdup (json_object_get_string_member (row, "next_attempt_at"));
  g_assert_nonnull (next_text);
  next_attempt = g_date_time_new_from_iso8601 (next_text, NULL);
  g_assert_nonnull (next_attempt);
  g_assert_cmpint (g_date_time_to_unix (next_attempt), >, g_get_real_time () / G_USEC_PER_SEC);

  /* The line says the same: the reason, then the time, as this machine shows it. */
  next_local = g_date_time_to_local (next_attempt);
  expected_time = g_date_time_format (next_local, " (next attempt at %H:%M:%S)\n");
  g_assert_nonnull (strstr (text.out, reason));
  g_assert_true (g_str_has_suffix (text.out, expected_time));

  /* Sent again once the limit is over (the row's time and the account's kept block both
   * past), GitLab refuses the token: still queued, no time. */
  nod_test_cli_exec_store (cli, "UPDATE outbox SET next_attempt_at_us = 0");
  nod_test_cli_exec_store (cli, "UPDATE accounts SET rate_limit = "
                                "json_set (rate_limit, '$.retry_at', 1, '$.reset_at', 1)");
  nod_test_fake_add_fault (cli->base_url, "{\"method\": \"POST\", \"path\": \"/discussions$\", "
                                          "\"status\": 401}");
  nod_test_cli_run (cli, &refused, NULL, "push", NULL);
  g_assert_cmpint (refused.status, ==, 75);
  nod_test_cli_run (cli, &json_401, NULL, "queue", "list", "--json", NULL);
  nod_test_cli_run (cli, &text_401, NULL, "queue", "list", NULL);
  row = queue_row (parser_401, json_401.out);
  reason = json_object_get_string_member (row, "reason");
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, "sign in again"));
  g_assert_true (json_object_get_null_member (row, "next_attempt_at"));
  g_assert_nonnull (strstr (text_401.out, reason));
  g_assert_null (strstr (text_401.out, "next attempt"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint f = 0; f < N_FAULTS; f++)
      {
        Case *c = g_new0 (Case, 1);
        char *path = g_strdup_printf ("/nod/fault-matrix/%s/%s",
                                      nod_action_kind_to_string (kinds[k]), fault_specs[f].name);

        c->kind = kinds[k];
        c->fault = (Fault) f;
        g_ptr_array_add (cases, c);
        g_ptr_array_add (paths, path);
        g_test_add (path, Fixture, c, fixture_set_up, test_case, fixture_tear_down);
      }
  g_assert_cmpuint (cases->len, ==, 130);

  nod_path = argc > 1 ? argv[1] : NULL;
  g_test_add ("/nod/fault-matrix/cli/queue-list-reasons", NodTestCli, NULL, cli_set_up,
              test_queue_list_reasons, cli_tear_down);

  return g_test_run ();
}
