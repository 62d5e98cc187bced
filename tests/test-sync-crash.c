/* test-sync-crash.c: a drain killed at a random moment loses nothing and sends nothing twice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent runs the fake GitLab and fills an outbox with 200 review actions over the
 * sample's open merge requests. A child process (this binary, with CRASH_CHILD_FLAG)
 * drains it through the engine and is SIGKILLed once the fake has answered K of its POSTs
 * (comments, replies, approvals); a second child, started on the same database, recovers
 * and drains to the end. Then every comment and reply is on the server exactly once, in its
 * place, every thread to resolve is resolved, every approval given, and the outbox has
 * nothing left.
 *
 * The fake holds every POST after the K-th in a gate until the parent releases it, so
 * however slowly the parent looks, the child is still mid-drain when it dies. Two ways to
 * die: at some moment after the K-th POST was answered (its answer may be unread, an ack
 * half-done, a resolve on its way), or while the gate holds the K-th POST, which the fake
 * applies only after the child is gone. Either way only reading the server can tell what to
 * send again.
 *
 * No sleeps, no timers: every wait is on a condition, with nod_test_wait_until()'s deadline.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-store-worker.h"
#include "nod-sync-engine.h"
#include "nod-test-utils.h"

#define CRASH_CHILD_FLAG "--crash-child"
#define TOKEN "glpat-crash-test"
#define ACCOUNT 1

#define N_ACTIONS 200
#define N_RESOLVES_MAX 12
#define N_REPLIES 30
#define N_LOCAL_REPLIES 10

/* Pacing off: the fake is told the same. The pace itself is not what this tests. */
#define NOTES_PER_MINUTE 100000
#define FAKE_LIMITS "{\"limit\": 1000000, \"remaining\": 1000000, " \
                    "\"notes_limit\": 1000000, \"notes_remaining\": 1000000}"

/* The fake's gate for every POST past the kill point: it holds them until the child is
 * dead. */
#define HOLD_GATE "crash-hold"
/* How often the parent reads the request log while the child runs, until the kill point is
 * near: each read keeps the fake from serving the child meanwhile, so they are spaced by
 * four times what one takes, 10 ms at least. */
#define POLL_INTERVAL_US (10 * 1000)
#define POLL_NEAR_POSTS 3

/* The end of the plan, however many POSTs it has: after the last but one, or holding the
 * last. */
#define LAST_POST G_MAXUINT

typedef struct
{
  guint    posts;  /* the child's K-th POST (or LAST_POST) */
  gboolean held;   /* die while the fake holds it, or at some moment after it was answered */
} KillPoint;

typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  char          *dir;
  char          *db_path;
  NodGitlab     *observer;
  SoupSession   *api;
  GPtrArray     *actions;       /* NodOutboxAction, as stored, in enqueue order */
  GHashTable    *thread_bodies; /* local thread id → the body of the comment starting it */
} Fixture;

/* ---- the child ---- */

typedef struct
{
  NodSyncEngine *engine;
  guint          jobs_finished;
  gboolean       idle_when_finished;  /* no job ran when the last one was announced */
} Child;

/* Announced once the outbox is counted again after a job (push or pull). */
static void
on_child_job_finished (NodSyncEngine *engine,
                       gpointer       user_data)
{
  Child *child = user_data;

  child->jobs_finished++;
  child->idle_when_finished = !nod_sync_engine_is_busy (engine);
}

/* The last job has ended and been counted, and nothing started since (a request remembered
 * during a job starts right after the announcement, before this is looked at). */
static gboolean
child_settled (gpointer data)
{
  Child *child = data;

  return child->idle_when_finished && !nod_sync_engine_is_busy (child->engine);
}

/* Opens the outbox, recovers what a killed child left as a session does, starts the engine
 * (the start-up sync), asks for Push now and runs until the engine rests. Prints "drained"
 * when nothing is left. */
static int
run_crash_child (const char *db_path,
                 const char *base_url,
                 const char *token)
{
  g_autoptr(NodStore) store = NULL;
  g_autoptr(NodOutbox) outbox = NULL;
  g_autoptr(NodGitlab) gitlab = NULL;
  g_autoptr(NodSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodSyncStatus *status;
  Child child = { NULL, 0, FALSE };

#ifdef __linux__
  /* Should the parent die before it kills us, don't hang around. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif

  store = nod_store_open_sync (db_path, NULL, &error);
  if (store != NULL)
    gitlab = nod_gitlab_new (base_url, token, &error);
  if (gitlab == NULL)
    {
      g_printerr ("crash child: %s\n", error->message);
      return 1;
    }

  outbox = nod_outbox_new (store);
  engine = nod_sync_engine_new (store, outbox);
  nod_sync_engine_recover_async (engine, NULL, nod_test_keep_result, &result);
  if (!nod_sync_engine_recover_finish (engine, nod_test_wait_for_result (&result), &error))
    {
      g_printerr ("crash child: %s\n", error->message);
      return 1;
    }
  g_clear_object (&result);

  nod_sync_engine_set_interval (engine, 3600);
  nod_sync_engine_set_notes_per_minute (engine, NOTES_PER_MINUTE);
  nod_sync_engine_add_account (engine, ACCOUNT, NOD_FORGE (gitlab));
  child.engine = engine;
  g_signal_connect (engine, "job-finished", G_CALLBACK (on_child_job_finished), &child);

  nod_sync_engine_start_async (engine, NULL, nod_test_keep_result, &result);
  if (!nod_sync_engine_start_finish (engine, nod_test_wait_for_result (&result), &error))
    {
      g_printerr ("crash child: %s\n", error->message);
      return 1;
    }

  nod_sync_engine_request (engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  nod_test_wait_until (child_settled, &child);

  status = nod_sync_engine_get_status (engine);
  if (nod_sync_status_get_pending_count (status) != 0 ||
      nod_sync_status_get_failed_count (status) != 0)
    {
      const char *last_error = nod_sync_status_get_last_error (status);

      printf ("stuck: %u pending, %u failed: %s\n",
              nod_sync_status_get_pending_count (status),
              nod_sync_status_get_failed_count (status),
              last_error != NULL ? last_error : "no error");
      return 1;
    }

  printf ("drained after %u jobs\n", child.jobs_finished);
  fflush (stdout);
  return 0;
}

/* ---- the fake ---- */

/* A GET of GitLab's API as the reviewer, for what NodForge has no call for. */
static JsonNode *
api_get (Fixture    *fixture,
         const char *path)
{
  g_autofree char *url = g_strconcat (fixture->base_url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "PRIVATE-TOKEN", TOKEN);
  soup_session_send_and_read_async (fixture->api, message, G_PRIORITY_DEFAULT, NULL,
                                    nod_test_keep_result, &result);
  body = soup_session_send_and_read_finish (fixture->api, nod_test_wait_for_result (&result),
                                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  return json_parser_steal_root (parser);
}

static void
control (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *json_body)
{
  g_autoptr(JsonNode) answer = nod_test_fake_control (fixture->base_url, method, path,
                                                      json_body);
}

static gboolean
is_write (JsonObject *request)
{
  const char *method = json_object_get_string_member (request, "method");

  return g_str_equal (method, "POST") || g_str_equal (method, "PUT");
}

typedef struct
{
  guint writes;
  guint posts;
  guint answered_posts;
  guint unanswered_writes;   /* held by a fault: logged, no status yet */
} WriteCount;

static WriteCount
count_writes (Fixture *fixture)
{
  g_autoptr(JsonNode) log = nod_test_fake_control (fixture->base_url, "GET",
                                                   "/__fake/requests", NULL);
  JsonArray *requests = json_node_get_array (log);
  WriteCount count = { 0, 0, 0, 0 };

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      gboolean answered = json_object_get_int_member (request, "status") != 0;
      gboolean post = g_str_equal (json_object_get_string_member (request, "method"), "POST");

      if (!is_write (request))
        continue;
      count.writes++;
      count.posts += post;
      count.answered_posts += post && answered;
      count.unanswered_writes += !answered;
    }
  return count;
}

/* ---- set-up ---- */

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NodStore) store = NULL;

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  g_assert_no_error (error);
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  fixture->api = soup_session_new ();
  fixture->observer = nod_gitlab_new (fixture->base_url, TOKEN, &error);
  g_assert_no_error (error);
  control (fixture, "POST", "/__fake/ratelimit", FAKE_LIMITS);

  fixture->dir = g_dir_make_tmp ("nod-sync-crash-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db_path = g_build_filename (fixture->dir, "nod.db", NULL);
  store = nod_test_open_store (fixture->db_path);
  nod_test_exec (store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) "
                 "VALUES (1, 'http://127.0.0.1', 'sam', 0)");
  nod_test_assert_finalize_soon (g_steal_pointer (&store));

  fixture->actions = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->thread_bodies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  g_clear_object (&fixture->api);
  g_clear_object (&fixture->fake);
  nod_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->db_path, g_free);
  g_clear_pointer (&fixture->base_url, g_free);
  g_clear_pointer (&fixture->actions, g_ptr_array_unref);
  g_clear_pointer (&fixture->thread_bodies, g_hash_table_unref);
}

/* ---- the server as the observer sees it ---- */

static NodApprovals *
server_approvals (Fixture *fixture,
                  gint64   project_id,
                  gint64   iid)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodApprovals *approvals;

  nod_forge_get_approvals_async (NOD_FORGE (fixture->observer), project_id, iid, NULL,
                                 nod_test_keep_result, &result);
  approvals = nod_forge_get_approvals_finish (NOD_FORGE (fixture->observer),
                                              nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return approvals;
}

/* Every thread of a merge request, all pages. */
static GPtrArray *
server_discussions (Fixture *fixture,
                    gint64   project_id,
                    gint64   iid)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);
  guint page_number = 1;

  while (page_number != 0)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(NodForgePage) page = NULL;
      GPtrArray *items;

      nod_forge_list_discussions_async (NOD_FORGE (fixture->observer), project_id, iid,
                                        page_number, NULL, nod_test_keep_result, &result);
      page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                                nod_test_wait_for_result (&result), &error);
      g_assert_no_error (error);
      items = nod_forge_page_get_items (page);
      for (guint i = 0; i < items->len; i++)
        g_ptr_array_add (all, g_object_ref (items->pdata[i]));
      page_number = nod_forge_page_get_next_page (page);
    }

  return all;
}

/* ---- the plan: 200 actions over the open merge requests ---- */

typedef struct
{
  gint64  project_id;
  gint64  iid;
  char   *sha;
} Target;

static void
target_free (Target *target)
{
  g_free (target->sha);
  g_free (target);
}

typedef struct
{
  Target *mr;
  char   *discussion_id;
} ThreadTarget;

static void
thread_target_free (ThreadTarget *thread)
{
  g_free (thread->discussion_id);
  g_free (thread);
}

typedef struct
{
  GPtrArray *open_mrs;      /* Target: open, not sam's */
  GPtrArray *approvable;    /* Target, borrowed: sam may approve and has not */
  GPtrArray *to_resolve;    /* ThreadTarget: resolvable, unresolved */
  GPtrArray *to_answer;     /* ThreadTarget: other threads of people (not system notes) */
} Targets;

static void
targets_clear (Targets *targets)
{
  g_clear_pointer (&targets->approvable, g_ptr_array_unref);
  g_clear_pointer (&targets->to_resolve, g_ptr_array_unref);
  g_clear_pointer (&targets->to_answer, g_ptr_array_unref);
  g_clear_pointer (&targets->open_mrs, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Targets, targets_clear)

static void
find_targets (Fixture *fixture,
              Targets *targets)
{
  g_autoptr(JsonNode) listed = api_get (fixture, "/api/v4/merge_requests?scope=all"
                                                  "&state=opened&per_page=100");
  JsonArray *mrs = json_node_get_array (listed);

  targets->open_mrs = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  targets->approvable = g_ptr_array_new ();
  targets->to_resolve = g_ptr_array_new_with_free_func ((GDestroyNotify) thread_target_free);
  targets->to_answer = g_ptr_array_new_with_free_func ((GDestroyNotify) thread_target_free);

  for (guint i = 0; i < json_array_get_length (mrs); i++)
    {
      JsonObject *mr = json_array_get_object_element (mrs, i);
      JsonObject *author = json_object_get_object_member (mr, "author");
      g_autoptr(NodApprovals) approvals = NULL;
      g_autoptr(GPtrArray) discussions = NULL;
      Target *target;

      g_assert_cmpstr (json_object_get_string_member (mr, "state"), ==, "opened");
      if (g_strcmp0 (json_object_get_string_member (author, "username"),
                     NOD_FAKE_GITLAB_REVIEWER_USERNAME) == 0)
        continue;

      target = g_new0 (Target, 1);
      target->project_id = json_object_get_int_member (mr, "project_id");
      target->iid = json_object_get_int_member (mr, "iid");
      target->sha = g_strdup (json_object_get_string_member (mr, "sha"));
      g_ptr_array_add (targets->open_mrs, target);

      approvals = server_approvals (fixture, target->project_id, target->iid);
      if (nod_approvals_get_user_can_approve (approvals) &&
          !nod_approvals_get_user_has_approved (approvals))
        g_ptr_array_add (targets->approvable, target);

      discussions = server_discussions (fixture, target->project_id, target->iid);
      for (guint d = 0; d < discussions->len; d++)
        {
          NodDiscussion *discussion = discussions->pdata[d];
          NodNote *first = g_ptr_array_index (nod_discussion_get_notes (discussion), 0);
          ThreadTarget *thread;

          if (nod_note_get_system (first) || nod_discussion_get_individual_note (discussion))
            continue;

          thread = g_new0 (ThreadTarget, 1);
          thread->mr = target;
          thread->discussion_id = g_strdup (nod_discussion_get_id (discussion));
          if (nod_discussion_get_resolvable (discussion) &&
              !nod_discussion_get_resolved (discussion) &&
              targets->to_resolve->len < N_RESOLVES_MAX)
            g_ptr_array_add (targets->to_resolve, thread);
          else
            g_ptr_array_add (targets->to_answer, thread);
        }
    }

  g_test_message ("%u open merge requests, %u to approve, %u threads to resolve, "
                  "%u to answer", targets->open_mrs->len, targets->approvable->len,
                  targets->to_resolve->len, targets->to_answer->len);
  g_assert_cmpuint (targets->open_mrs->len, >=, 10);
  g_assert_cmpuint (targets->approvable->len, >=, 3);
  g_assert_cmpuint (targets->to_resolve->len, >=, 3);
  g_assert_cmpuint (targets->to_answer->len, >=, 3);
}

static NodOutboxAction *
enqueue (NodOutbox       *outbox,
         NodOutboxAction *draft_in)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_async (outbox, draft, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_enqueue_finish (outbox, nod_test_wait_for_result (&result),
                                            &stored, &error));
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

static gboolean
do_nothing_work (sqlite3       *db,
                 gpointer       work_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return TRUE;
}

/* Lets go of the database once every queued write is done, so a child has it to itself. */
static void
close_store (NodOutbox *outbox,
             NodStore  *store)
{
  g_assert_true (nod_store_run_sync (store, do_nothing_work, NULL, NULL, NULL));
  nod_test_assert_finalize_soon (outbox);
  nod_test_assert_finalize_soon (store);
}

typedef enum
{
  SLOT_COMMENT,
  SLOT_REPLY,
  SLOT_LOCAL_REPLY,
  SLOT_RESOLVE,
  SLOT_APPROVE,
} Slot;

static void
add_slots (GArray *slots,
           Slot    slot,
           guint   count)
{
  for (guint i = 0; i < count; i++)
    g_array_append_val (slots, slot);
}

/* The 200 actions, spread over the merge requests and shuffled by the test's seed:
 * comments (most), replies to people's threads, replies to threads the outbox starts
 * itself (they wait for a local id to be remapped), resolves and approvals. */
static void
enqueue_plan (Fixture *fixture)
{
  g_auto(Targets) targets = { NULL, };
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_autoptr(GPtrArray) comments = g_ptr_array_new ();  /* borrowed from fixture->actions */
  g_autoptr(NodStore) store = nod_test_open_store (fixture->db_path);
  g_autoptr(NodOutbox) outbox = nod_outbox_new (store);
  guint next_mr = 0, next_answer = 0, next_resolve = 0, next_approve = 0;

  find_targets (fixture, &targets);

  add_slots (slots, SLOT_APPROVE, targets.approvable->len);
  add_slots (slots, SLOT_RESOLVE, targets.to_resolve->len);
  add_slots (slots, SLOT_REPLY, N_REPLIES);
  add_slots (slots, SLOT_LOCAL_REPLY, N_LOCAL_REPLIES);
  g_assert_cmpuint (slots->len, <, N_ACTIONS / 2);
  add_slots (slots, SLOT_COMMENT, N_ACTIONS - slots->len);

  /* Fisher–Yates with the test's random numbers (its seed is in the log). */
  for (guint i = slots->len - 1; i > 0; i--)
    {
      guint j = (guint) g_test_rand_int_range (0, (gint32) i + 1);
      Slot swap = g_array_index (slots, Slot, i);

      g_array_index (slots, Slot, i) = g_array_index (slots, Slot, j);
      g_array_index (slots, Slot, j) = swap;
    }

  for (guint i = 0; i < slots->len; i++)
    {
      Slot slot = g_array_index (slots, Slot, i);
      g_autofree char *body = NULL;
      NodOutboxAction *stored = NULL;

      /* A reply to a thread of ours needs one started before it. */
      if (slot == SLOT_LOCAL_REPLY && comments->len == 0)
        slot = SLOT_COMMENT;

      switch (slot)
        {
        case SLOT_COMMENT:
          {
            Target *mr = targets.open_mrs->pdata[next_mr++ % targets.open_mrs->len];

            body = g_strdup_printf ("crash-test note %u", i);
            stored = enqueue (outbox, nod_outbox_action_new_comment (ACCOUNT, mr->project_id,
                                                                     mr->iid, body));
            g_hash_table_insert (fixture->thread_bodies,
                                 g_strdup (nod_outbox_action_get_discussion_id (stored)),
                                 g_strdup (body));
            g_ptr_array_add (comments, stored);
          }
          break;

        case SLOT_REPLY:
          {
            ThreadTarget *thread = targets.to_answer->pdata[next_answer++ %
                                                            targets.to_answer->len];

            body = g_strdup_printf ("crash-test reply %u", i);
            stored = enqueue (outbox, nod_outbox_action_new_reply (ACCOUNT,
                                                                   thread->mr->project_id,
                                                                   thread->mr->iid,
                                                                   thread->discussion_id,
                                                                   body));
          }
          break;

        case SLOT_LOCAL_REPLY:
          {
            guint pick = (guint) g_test_rand_int_range (0, (gint32) comments->len);
            NodOutboxAction *comment = comments->pdata[pick];
            gint64 project_id = nod_outbox_action_get_project_id (comment);
            gint64 iid = nod_outbox_action_get_mr_iid (comment);
            const char *local_id = nod_outbox_action_get_discussion_id (comment);

            g_assert_true (g_str_has_prefix (local_id, NOD_OUTBOX_LOCAL_ID_PREFIX));
            body = g_strdup_printf ("crash-test reply %u to our own thread", i);
            stored = enqueue (outbox, nod_outbox_action_new_reply (ACCOUNT, project_id, iid,
                                                                   local_id, body));
          }
          break;

        case SLOT_RESOLVE:
          {
            ThreadTarget *thread = targets.to_resolve->pdata[next_resolve++];

            stored = enqueue (outbox, nod_outbox_action_new_resolve (ACCOUNT,
                                                                     thread->mr->project_id,
                                                                     thread->mr->iid,
                                                                     thread->discussion_id,
                                                                     TRUE));
          }
          break;

        case SLOT_APPROVE:
          {
            Target *mr = targets.approvable->pdata[next_approve++];

            stored = enqueue (outbox, nod_outbox_action_new_approve (ACCOUNT, mr->project_id,
                                                                     mr->iid, mr->sha));
          }
          break;

        default:
          g_assert_not_reached ();
        }

      g_ptr_array_add (fixture->actions, stored);
    }

  g_assert_cmpuint (fixture->actions->len, ==, N_ACTIONS);
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE state = 'pending'"), ==, N_ACTIONS);
  close_store (g_steal_pointer (&outbox), g_steal_pointer (&store));
}

/* ---- the child, from the parent's side ---- */

typedef struct
{
  GSubprocess  *process;
  GAsyncResult *exited;    /* set once it has exited and its output is read */
} RunningChild;

static void
running_child_clear (RunningChild *child)
{
  g_clear_object (&child->exited);
  g_clear_object (&child->process);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunningChild, running_child_clear)

static void
spawn_child (Fixture      *fixture,
             RunningChild *child)
{
  g_autofree char *self_exe = NULL;
  g_autoptr(GError) error = NULL;

  self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);

  /* Its stdout is a pipe: the TAP stream is ours. Its stderr is the test's log. */
  child->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                     self_exe, CRASH_CHILD_FLAG, fixture->db_path,
                                     fixture->base_url, TOKEN, NULL);
  g_assert_no_error (error);
  /* Never a blocking wait: the fake that serves the child runs on this main context. */
  g_subprocess_communicate_utf8_async (child->process, NULL, NULL, nod_test_keep_result,
                                       &child->exited);
}

/* Whether @output has a line starting with @prefix (debug logs may go to stdout too). */
static gboolean
has_line (const char *output,
          const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        return TRUE;
    }
  return FALSE;
}

/* Waits for the child to exit; returns what it printed. */
static char *
wait_for_child (RunningChild *child)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  g_subprocess_communicate_utf8_finish (child->process, nod_test_wait_for_result (&child->exited),
                                        &output, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&output);
}

typedef struct
{
  Fixture      *fixture;
  RunningChild *child;
  guint         posts;
  gboolean      held;
  gint64        next_poll_us;
  guint         answered_posts;
} KillWait;

/* The child has exited (too early: the test says so), or the kill point is reached. */
static gboolean
kill_point_reached (gpointer data)
{
  KillWait *wait = data;
  WriteCount count;
  gint64 started_us;

  if (wait->child->exited != NULL)
    return TRUE;

  /* nod_test_wait_until() looks again within 10 ms in any case. Near a kill point after an
   * answer, it looks all the time: the child may be killed before it reads the answer. */
  if ((wait->held || wait->answered_posts + POLL_NEAR_POSTS < wait->posts) &&
      g_get_monotonic_time () < wait->next_poll_us)
    return FALSE;

  started_us = g_get_monotonic_time ();
  count = count_writes (wait->fixture);
  wait->answered_posts = count.answered_posts;
  wait->next_poll_us = g_get_monotonic_time () +
                       MAX (POLL_INTERVAL_US, 4 * (g_get_monotonic_time () - started_us));
  /* The gate's first is the K-th POST: the ones before it went through. */
  if (wait->held)
    return count.posts >= wait->posts
           && nod_test_fake_count_held (wait->fixture->base_url, HOLD_GATE) > 0;
  return count.answered_posts >= wait->posts;
}

static gboolean
writes_answered (gpointer data)
{
  return count_writes (data).unanswered_writes == 0;
}

static guint
count_posts (Fixture *fixture)
{
  guint posts = 0;

  for (guint i = 0; i < fixture->actions->len; i++)
    posts += nod_outbox_action_get_kind (fixture->actions->pdata[i]) != NOD_ACTION_RESOLVE;
  return posts;
}

static void
run_and_kill (Fixture         *fixture,
              const KillPoint *point)
{
  g_auto(RunningChild) child = { NULL, NULL };
  g_autofree char *output = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *hold = NULL;
  guint n_posts = count_posts (fixture);
  guint released;
  KillWait wait = { fixture, &child, point->posts, point->held, 0, 0 };

  if (wait.posts == LAST_POST)
    wait.posts = point->held ? n_posts : n_posts - 1;
  g_assert_cmpuint (wait.posts, >=, 1);
  g_assert_cmpuint (wait.posts, <=, point->held ? n_posts : n_posts - 1);
  g_test_message ("kill point: %s POST %u of %u", point->held ? "holding" : "after",
                  wait.posts, n_posts);

  /* The POSTs before the kill point go through (a delay fault needs a delay: 1 ms); every
   * one after is held, so the child cannot run ahead of a parent slow to look. */
  pass = g_strdup_printf ("{\"method\": \"POST\", \"delay_ms\": 1, \"times\": %u}",
                          point->held ? wait.posts - 1 : wait.posts);
  hold = g_strdup_printf ("{\"method\": \"POST\", \"gate\": \"%s\", \"times\": %d}",
                          HOLD_GATE, N_ACTIONS);
  if (!point->held || wait.posts > 1)
    control (fixture, "POST", "/__fake/faults", pass);
  control (fixture, "POST", "/__fake/faults", hold);

  spawn_child (fixture, &child);
  nod_test_wait_until (kill_point_reached, &wait);
  /* Had it drained everything first, there would be no crash to recover from. */
  g_assert_null (child.exited);

  g_subprocess_send_signal (child.process, SIGKILL);
  output = wait_for_child (&child);
  g_assert_true (g_subprocess_get_if_signaled (child.process));
  g_assert_cmpint (g_subprocess_get_term_sig (child.process), ==, SIGKILL);
  g_assert_false (has_line (output, "drained"));

  /* The server finishes what it was sent before the restart looks at it: a request still
   * unread in a socket is read now, and what the gate holds is applied once released —
   * GitLab has it, the outbox does not know. */
  control (fixture, "DELETE", "/__fake/faults", NULL);
  released = nod_test_fake_release (fixture->base_url, HOLD_GATE);
  g_test_message ("released %u held POST(s)", released);
  /* Killed while the gate held the K-th POST: it is applied only now. */
  if (point->held)
    g_assert_cmpuint (released, >=, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  nod_test_wait_until (writes_answered, fixture);
}

static void
run_to_the_end (Fixture *fixture)
{
  g_auto(RunningChild) child = { NULL, NULL };
  g_autofree char *output = NULL;

  spawn_child (fixture, &child);
  output = wait_for_child (&child);
  g_test_message ("restarted child: %s", g_strstrip (output));
  g_assert_true (g_subprocess_get_if_exited (child.process));
  g_assert_cmpint (g_subprocess_get_exit_status (child.process), ==, 0);
  g_assert_true (has_line (output, "drained"));
}

/* ---- checks ---- */

typedef struct
{
  char     *discussion_id;
  char     *thread_body;   /* the first note of the thread it is in */
  guint     position;      /* 0: it started the thread */
  gint64    project_id;
  gint64    iid;
  char     *author;
} Sighting;

static void
sighting_free (Sighting *sighting)
{
  g_free (sighting->discussion_id);
  g_free (sighting->thread_body);
  g_free (sighting->author);
  g_free (sighting);
}

typedef struct
{
  GHashTable *notes_by_body;   /* body → GPtrArray of Sighting */
  GHashTable *resolved;        /* the ids of the resolved threads */
} ServerState;

static void
server_state_clear (ServerState *state)
{
  g_clear_pointer (&state->notes_by_body, g_hash_table_unref);
  g_clear_pointer (&state->resolved, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerState, server_state_clear)

static void
read_server_state (Fixture     *fixture,
                   ServerState *state)
{
  g_autoptr(GHashTable) seen_mrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          NULL);

  state->notes_by_body = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);
  state->resolved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < fixture->actions->len; i++)
    {
      NodOutboxAction *action = fixture->actions->pdata[i];
      gint64 project_id = nod_outbox_action_get_project_id (action);
      gint64 iid = nod_outbox_action_get_mr_iid (action);
      g_autoptr(GPtrArray) discussions = NULL;
      char *key = g_strdup_printf ("%" G_GINT64_FORMAT "!%" G_GINT64_FORMAT, project_id, iid);

      if (!g_hash_table_add (seen_mrs, key))
        continue;

      discussions = server_discussions (fixture, project_id, iid);
      for (guint d = 0; d < discussions->len; d++)
        {
          NodDiscussion *discussion = discussions->pdata[d];
          GPtrArray *notes = nod_discussion_get_notes (discussion);
          const char *thread_body = nod_note_get_body (g_ptr_array_index (notes, 0));

          if (nod_discussion_get_resolved (discussion))
            g_hash_table_add (state->resolved, g_strdup (nod_discussion_get_id (discussion)));

          for (guint n = 0; n < notes->len; n++)
            {
              NodNote *note = notes->pdata[n];
              const char *body = nod_note_get_body (note);
              Sighting *sighting = g_new0 (Sighting, 1);
              GPtrArray *sightings = g_hash_table_lookup (state->notes_by_body, body);

              if (sightings == NULL)
                {
                  sightings = g_ptr_array_new_with_free_func ((GDestroyNotify) sighting_free);
                  g_hash_table_insert (state->notes_by_body, g_strdup (body), sightings);
                }
              sighting->discussion_id = g_strdup (nod_discussion_get_id (discussion));
              sighting->thread_body = g_strdup (thread_body);
              sighting->position = n;
              sighting->project_id = project_id;
              sighting->iid = iid;
              sighting->author = g_strdup (nod_user_get_username (nod_note_get_author (note)));
              g_ptr_array_add (sightings, sighting);
            }
        }
    }
}

/* Exactly one note with @body, by the reviewer, on the action's merge request. */
static Sighting *
the_one_note (ServerState     *state,
              NodOutboxAction *action)
{
  const char *body = nod_outbox_action_get_body (action);
  GPtrArray *sightings = g_hash_table_lookup (state->notes_by_body, body);
  Sighting *sighting;

  if (sightings == NULL || sightings->len != 1)
    g_error ("\"%s\" (%s, seq %" G_GINT64_FORMAT ") is on the server %u times",
             body, nod_outbox_action_get_op_id (action), nod_outbox_action_get_seq (action),
             sightings != NULL ? sightings->len : 0);

  sighting = sightings->pdata[0];
  g_assert_cmpstr (sighting->author, ==, NOD_FAKE_GITLAB_REVIEWER_USERNAME);
  g_assert_cmpint (sighting->project_id, ==, nod_outbox_action_get_project_id (action));
  g_assert_cmpint (sighting->iid, ==, nod_outbox_action_get_mr_iid (action));
  return sighting;
}

static void
assert_exactly_once (Fixture *fixture)
{
  g_auto(ServerState) state = { NULL, NULL };
  GHashTableIter iter;
  gpointer key, value;
  guint ours = 0, expected_notes = 0;

  read_server_state (fixture, &state);

  for (guint i = 0; i < fixture->actions->len; i++)
    {
      NodOutboxAction *action = fixture->actions->pdata[i];
      const char *discussion_id = nod_outbox_action_get_discussion_id (action);
      Sighting *sighting;

      switch (nod_outbox_action_get_kind (action))
        {
        case NOD_ACTION_COMMENT:
          sighting = the_one_note (&state, action);
          g_assert_cmpuint (sighting->position, ==, 0);
          expected_notes++;
          break;

        case NOD_ACTION_REPLY:
          sighting = the_one_note (&state, action);
          g_assert_cmpuint (sighting->position, >, 0);
          if (g_str_has_prefix (discussion_id, NOD_OUTBOX_LOCAL_ID_PREFIX))
            g_assert_cmpstr (sighting->thread_body, ==,
                             g_hash_table_lookup (fixture->thread_bodies, discussion_id));
          else
            g_assert_cmpstr (sighting->discussion_id, ==, discussion_id);
          expected_notes++;
          break;

        case NOD_ACTION_RESOLVE:
          g_assert_true (g_hash_table_contains (state.resolved, discussion_id));
          break;

        case NOD_ACTION_APPROVE:
          {
            g_autoptr(NodApprovals) approvals =
              server_approvals (fixture, nod_outbox_action_get_project_id (action),
                                nod_outbox_action_get_mr_iid (action));

            g_assert_true (nod_approvals_get_user_has_approved (approvals));
          }
          break;

        case NOD_ACTION_UNAPPROVE:
        case NOD_ACTION_UNRESOLVE:
        default:
          g_assert_not_reached ();
        }
    }

  /* Nothing of ours beyond what was asked (no copy under a changed body either). */
  g_hash_table_iter_init (&iter, state.notes_by_body);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_has_prefix (key, "crash-test "))
        ours += ((GPtrArray *) value)->len;
    }
  g_assert_cmpuint (ours, ==, expected_notes);
}

static void
assert_outbox_drained (Fixture *fixture)
{
  g_autoptr(NodStore) store = nod_test_open_store (fixture->db_path);

  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE state = 'done'"), ==, N_ACTIONS);
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE state != 'done'"), ==, 0);
  /* Every reply to a thread of ours went to the thread's real id. */
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE discussion_id LIKE 'local:%'"), ==, 0);
  nod_test_assert_finalize_soon (g_steal_pointer (&store));
}

/* What the killed child left: logged, so a failure can be read against it. */
static void
describe_crash (Fixture *fixture)
{
  g_autoptr(NodStore) store = nod_test_open_store (fixture->db_path);
  WriteCount count = count_writes (fixture);
  gint64 done = nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                           "WHERE state = 'done'");
  gint64 in_flight = nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                                "WHERE state = 'in_flight'");

  g_test_message ("killed after %u writes: %" G_GINT64_FORMAT " done, %" G_GINT64_FORMAT
                  " in flight", count.writes, done, in_flight);
  g_assert_cmpint (done, <, N_ACTIONS);
  g_assert_cmpint (nod_test_query_int (store, "SELECT COUNT (*) FROM outbox "
                                              "WHERE state = 'failed'"), ==, 0);
  nod_test_assert_finalize_soon (g_steal_pointer (&store));
}

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  const KillPoint *point = data;
  gint64 started = g_get_monotonic_time ();
  WriteCount count;

  enqueue_plan (fixture);
  control (fixture, "DELETE", "/__fake/requests", NULL);

  run_and_kill (fixture, point);
  describe_crash (fixture);
  run_to_the_end (fixture);

  assert_exactly_once (fixture);
  assert_outbox_drained (fixture);

  count = count_writes (fixture);
  g_test_message ("%u writes in all for %u actions, %.1f s", count.writes, N_ACTIONS,
                  (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
  g_assert_cmpuint (count.writes, >=, N_ACTIONS);
}

int
main (int   argc,
      char *argv[])
{
  static const KillPoint first = { 1, FALSE };
  static const KillPoint first_held = { 1, TRUE };
  static const KillPoint early_held = { 7, TRUE };
  static const KillPoint middle = { 40, FALSE };
  static const KillPoint late_held = { 120, TRUE };
  static const KillPoint last_but_one = { LAST_POST, FALSE };
  static const KillPoint last_held = { LAST_POST, TRUE };
  static KillPoint random_point = { 0, FALSE };

  /* Before g_test_init(), which would take the flag for its own. */
  if (argc == 5 && g_str_equal (argv[1], CRASH_CHILD_FLAG))
    return run_crash_child (argv[2], argv[3], argv[4]);

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* One more point, from the test's seed (printed first in the results); the plan has at
   * least N_ACTIONS - N_RESOLVES_MAX POSTs. */
  random_point.posts = (guint) g_test_rand_int_range (1, N_ACTIONS - N_RESOLVES_MAX);
  random_point.held = g_test_rand_bit ();

#define ADD(path, point) \
  g_test_add (path, Fixture, point, fixture_set_up, test_crash, fixture_tear_down)

  ADD ("/nod/sync-crash/kill-after-post-1", &first);
  ADD ("/nod/sync-crash/kill-holding-post-1", &first_held);
  ADD ("/nod/sync-crash/kill-holding-post-7", &early_held);
  ADD ("/nod/sync-crash/kill-after-post-40", &middle);
  ADD ("/nod/sync-crash/kill-holding-post-120", &late_held);
  ADD ("/nod/sync-crash/kill-after-last-but-one-post", &last_but_one);
  ADD ("/nod/sync-crash/kill-holding-last-post", &last_held);
  ADD ("/nod/sync-crash/kill-at-random", &random_point);

#undef ADD

  return g_test_run ();
}
