/* test-outbox-reviews.c: draft reviews in the outbox — drafts kept, edited and deleted,
 * a review submitted as one ordered unit, and discarded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-gitlab-json.h"
#include "nod-outbox.h"
#include "nod-store-worker.h"
#include "nod-test-utils.h"

#define ACCOUNT 1
#define PROJECT 7
#define MR_A 42
#define MR_B 43

#define SHA "0123456789abcdef0123456789abcdef01234567"
#define THREAD "6a9c1750b37d513a43987b574953fceb50b03ce7"
#define OTHER_THREAD "0b27a40c9cde4f1e6bd2a1b8e06c2c4d8f5e7a61"

#define T0 ((gint64) 1700000000 * G_USEC_PER_SEC)

typedef struct
{
  NodStore  *store;
  NodOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = nod_store_get_default_path ();

  fixture->store = nod_test_open_store (path);
  nod_test_exec (fixture->store,
                 "INSERT INTO accounts (id, base_url, username, created_at_us) VALUES "
                 "(1, 'https://gitlab.example.com', 'reviewer', 0)");
  fixture->outbox = nod_outbox_new (fixture->store);
}

static gboolean
do_nothing_work (sqlite3       *db,
                 gpointer       work_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return TRUE;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* The worker lets go of its last task (and the outbox) just after answering it: a job
   * queued behind it runs only once that is done. */
  g_assert_true (nod_store_run_sync (fixture->store, do_nothing_work, NULL, NULL, NULL));
  g_assert_finalize_object (g_steal_pointer (&fixture->outbox));
  g_assert_finalize_object (g_steal_pointer (&fixture->store));
}

static gint64 query (Fixture    *fixture,
                     const char *format,
                     ...) G_GNUC_PRINTF (2, 3);

static gint64
query (Fixture    *fixture,
       const char *format,
       ...)
{
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);
  return nod_test_query_int (fixture->store, sql);
}

/* ---- sync wrappers ---- */

static gboolean
start_review (Fixture *fixture,
              gint64   iid)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean started = FALSE;

  nod_outbox_start_review_async (fixture->outbox, ACCOUNT, PROJECT, iid, NULL,
                                 nod_test_keep_result, &result);
  g_assert_true (nod_outbox_start_review_finish (fixture->outbox,
                                                 nod_test_wait_for_result (&result),
                                                 &started, &error));
  g_assert_no_error (error);
  return started;
}

/* Enqueues @action_in (consumed); with @error NULL it must be stored. */
static NodOutboxAction *
enqueue (Fixture          *fixture,
         NodOutboxAction  *action_in,
         GError          **error)
{
  g_autoptr(NodOutboxAction) action = action_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  NodOutboxAction *stored = NULL;

  nod_outbox_enqueue_async (fixture->outbox, action, NULL, nod_test_keep_result, &result);
  nod_outbox_enqueue_finish (fixture->outbox, nod_test_wait_for_result (&result), &stored,
                             &local_error);
  if (error == NULL)
    {
      g_assert_no_error (local_error);
      g_assert_nonnull (stored);
    }
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return stored;
}

static GPtrArray *
list_drafts (Fixture  *fixture,
             gint64    iid,
             gboolean *out_started)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *drafts;

  nod_outbox_list_drafts_async (fixture->outbox, ACCOUNT, PROJECT, iid, NULL,
                                nod_test_keep_result, &result);
  drafts = nod_outbox_list_drafts_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                          out_started, &error);
  g_assert_no_error (error);
  g_assert_nonnull (drafts);
  return drafts;
}

static guint
submit (Fixture     *fixture,
        gint64       iid,
        const char  *approve_sha,
        const char  *summary,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  guint queued = 0;

  nod_outbox_submit_review_async (fixture->outbox, ACCOUNT, PROJECT, iid, approve_sha, summary,
                                  NULL, nod_test_keep_result, &result);
  nod_outbox_submit_review_finish (fixture->outbox, nod_test_wait_for_result (&result), &queued,
                                   NULL, &local_error);
  if (error == NULL)
    g_assert_no_error (local_error);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return queued;
}

static gboolean
discard (Fixture  *fixture,
         gint64    iid,
         guint    *out_drafts,
         guint    *out_unsent,
         guint    *out_deletes,
         GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  nod_outbox_discard_review_async (fixture->outbox, ACCOUNT, PROJECT, iid, NULL,
                                   nod_test_keep_result, &result);
  return nod_outbox_discard_review_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                           out_drafts, out_unsent, out_deletes, error);
}

static GPtrArray *
claim (Fixture             *fixture,
       NodOutboxClaimFlags  flags)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *claimed;

  nod_outbox_claim_next_batch_async (fixture->outbox, ACCOUNT, flags, 20, T0, NULL,
                                     nod_test_keep_result, &result);
  claimed = nod_outbox_claim_next_batch_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  return claimed;
}

/* GitLab's answer to creating draft @id. */
static GObject *
draft_answer (gint64 id)
{
  g_autofree char *json = g_strdup_printf ("{\"id\": %" G_GINT64_FORMAT ", \"note\": \"x\"}", id);
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = _nod_gitlab_json_parse (bytes, &error);
  GObject *answer;

  g_assert_no_error (error);
  answer = _nod_gitlab_json_parse_draft_note (node, &error);
  g_assert_no_error (error);
  return answer;
}

static void
ack (Fixture    *fixture,
     const char *op_id,
     GObject    *answer_in)
{
  g_autoptr(GObject) answer = answer_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  nod_outbox_ack_async (fixture->outbox, op_id, answer, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_ack_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                        &error));
  g_assert_no_error (error);
}

static NodOutboxCounts
count (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxCounts counts = { 0, };

  nod_outbox_count_async (fixture->outbox, ACCOUNT, NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_count_finish (fixture->outbox, nod_test_wait_for_result (&result),
                                          &counts, &error));
  g_assert_no_error (error);
  return counts;
}

/* ---- tests ---- */

/* Once a review is started, comments and replies on its merge request are drafts: kept,
 * listed in order, neither pending nor claimable; other merge requests are untouched. */
static void
test_drafts_are_kept_not_sent (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) elsewhere = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  gboolean started = FALSE;

  g_assert_true (start_review (fixture, MR_A));
  g_assert_false (start_review (fixture, MR_A));

  first = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "First"),
                   NULL);
  reply = enqueue (fixture, nod_outbox_action_new_resolving_reply (ACCOUNT, PROJECT, MR_A,
                                                                   THREAD, "Fixed, thanks"),
                   NULL);
  elsewhere = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_B, "Now"),
                       NULL);

  g_assert_cmpint (nod_outbox_action_get_state (first), ==, NOD_ACTION_DRAFT);
  g_assert_nonnull (nod_outbox_action_get_review_id (first));
  g_assert_null (nod_outbox_action_get_discussion_id (first));
  g_assert_cmpint (nod_outbox_action_get_state (reply), ==, NOD_ACTION_DRAFT);
  g_assert_true (nod_outbox_action_get_resolves (reply));
  g_assert_cmpint (nod_outbox_action_get_state (elsewhere), ==, NOD_ACTION_PENDING);
  g_assert_null (nod_outbox_action_get_review_id (elsewhere));

  /* Nothing of the review is in the outbox's rows, or counted. */
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox"), ==, 1);
  g_assert_cmpuint (count (fixture).pending, ==, 1);
  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpstr (nod_outbox_action_get_op_id (claimed->pdata[0]), ==,
                   nod_outbox_action_get_op_id (elsewhere));

  drafts = list_drafts (fixture, MR_A, &started);
  g_assert_true (started);
  g_assert_cmpuint (drafts->len, ==, 2);
  g_assert_cmpstr (nod_outbox_action_get_op_id (drafts->pdata[0]), ==,
                   nod_outbox_action_get_op_id (first));
  g_assert_cmpstr (nod_outbox_action_get_body (drafts->pdata[0]), ==, "First");
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (drafts->pdata[1]), ==, THREAD);
  g_assert_true (nod_outbox_action_get_resolves (drafts->pdata[1]));

  g_clear_pointer (&drafts, g_ptr_array_unref);
  drafts = list_drafts (fixture, MR_B, &started);
  g_assert_false (started);
  g_assert_cmpuint (drafts->len, ==, 0);
}

/* GitLab takes one draft reply of a reviewer per thread, and a draft is no thread yet. */
static void
test_draft_refusals (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;

  start_review (fixture, MR_A);
  reply = enqueue (fixture, nod_outbox_action_new_reply (ACCOUNT, PROJECT, MR_A, THREAD, "One"),
                   NULL);
  refused = enqueue (fixture, nod_outbox_action_new_reply (ACCOUNT, PROJECT, MR_A, THREAD, "Two"),
                     &error);
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_assert_null (refused);
  g_clear_error (&error);

  comment = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Draft"),
                     NULL);
  local = g_strconcat (NOD_OUTBOX_LOCAL_ID_PREFIX, nod_outbox_action_get_op_id (comment), NULL);
  refused = enqueue (fixture, nod_outbox_action_new_reply (ACCOUNT, PROJECT, MR_A, local, "Re"),
                     &error);
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "draft"));
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM review_drafts"), ==, 2);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox"), ==, 0);
}

/* Edited and deleted before the submit: only the final text is ever queued. */
static void
test_edit_and_delete (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(NodOutboxAction) kept = NULL;
  g_autoptr(NodOutboxAction) dropped = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) claimed = NULL;

  start_review (fixture, MR_A);
  kept = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Frist"), NULL);
  dropped = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Oops"),
                     NULL);

  nod_outbox_edit_draft_async (fixture->outbox, nod_outbox_action_get_op_id (kept), "First",
                               NULL, nod_test_keep_result, &result);
  g_assert_true (nod_outbox_edit_draft_finish (fixture->outbox,
                                               nod_test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A blank text is refused, as a comment's is. */
  nod_outbox_edit_draft_async (fixture->outbox, nod_outbox_action_get_op_id (kept), "  \n",
                               NULL, nod_test_keep_result, &result);
  g_assert_false (nod_outbox_edit_draft_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_object (&result);

  nod_outbox_delete_draft_async (fixture->outbox, nod_outbox_action_get_op_id (dropped), NULL,
                                 nod_test_keep_result, &result);
  g_assert_true (nod_outbox_delete_draft_finish (fixture->outbox,
                                                 nod_test_wait_for_result (&result), &error));
  g_clear_object (&result);

  drafts = list_drafts (fixture, MR_A, NULL);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (nod_outbox_action_get_body (drafts->pdata[0]), ==, "First");

  g_assert_cmpuint (submit (fixture, MR_A, NULL, NULL, NULL), ==, 2);
  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  g_assert_cmpuint (claimed->len, ==, 1);
  g_assert_cmpint (nod_outbox_action_get_kind (claimed->pdata[0]), ==, NOD_ACTION_DRAFT_NOTE);
  g_assert_cmpstr (nod_outbox_action_get_body (claimed->pdata[0]), ==, "First");

  /* Submitted, it is an action on its way: no longer a draft to edit. */
  nod_outbox_edit_draft_async (fixture->outbox, nod_outbox_action_get_op_id (kept), "Late",
                               NULL, nod_test_keep_result, &result);
  g_assert_false (nod_outbox_edit_draft_finish (fixture->outbox,
                                                nod_test_wait_for_result (&result), &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
}

/* Submitting queues the drafts in the order written, the summary, the publish, then the
 * approval, one unit in the threads' lane: each step waits for the one before, and the
 * approvals lane (the flush) never takes the review's approval. */
static void
test_submit_is_one_ordered_unit (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(NodOutboxAction) first = NULL;
  g_autoptr(NodOutboxAction) second = NULL;
  const NodActionKind expected[] = {
    NOD_ACTION_DRAFT_NOTE, NOD_ACTION_DRAFT_NOTE, NOD_ACTION_DRAFT_NOTE,
    NOD_ACTION_PUBLISH_REVIEW, NOD_ACTION_APPROVE,
  };
  gboolean started = TRUE;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autofree char *review_id = NULL;

  start_review (fixture, MR_A);
  first = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "One"), NULL);
  second = enqueue (fixture, nod_outbox_action_new_resolving_reply (ACCOUNT, PROJECT, MR_A,
                                                                    THREAD, "Two"),
                    NULL);
  review_id = g_strdup (nod_outbox_action_get_review_id (first));

  g_assert_cmpuint (submit (fixture, MR_A, SHA, "Looks good overall", NULL), ==, 5);
  drafts = list_drafts (fixture, MR_A, &started);
  g_assert_false (started);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM review_drafts"), ==, 0);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE review_id = '%s'",
                          review_id), ==, 5);
  /* The drafts keep their op ids. */
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE op_id = '%s' "
                          "AND kind = 'draft_note'", nod_outbox_action_get_op_id (first)), ==, 1);
  g_assert_cmpuint (count (fixture).pending, ==, 5);

  /* The flush of approvals finds nothing: the review's approval goes after its publish. */
  {
    g_autoptr(GPtrArray) none = claim (fixture, NOD_OUTBOX_CLAIM_APPROVALS);

    g_assert_cmpuint (none->len, ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GPtrArray) claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
      NodOutboxAction *step;

      g_assert_cmpuint (claimed->len, ==, 1);
      step = claimed->pdata[0];
      g_assert_cmpint (nod_outbox_action_get_kind (step), ==, expected[i]);
      g_assert_cmpstr (nod_outbox_action_get_review_id (step), ==, review_id);
      if (i == 1)
        {
          g_assert_cmpstr (nod_outbox_action_get_discussion_id (step), ==, THREAD);
          g_assert_true (nod_outbox_action_get_resolves (step));
        }
      if (i == 2)
        g_assert_cmpstr (nod_outbox_action_get_body (step), ==, "Looks good overall");
      if (i == 4)
        g_assert_cmpstr (nod_outbox_action_get_head_sha (step), ==, SHA);
      ack (fixture, nod_outbox_action_get_op_id (step),
           expected[i] == NOD_ACTION_DRAFT_NOTE ? draft_answer (100 + i) : NULL);
    }

  /* The created drafts are known by their ids, apart from notes. */
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE kind = 'draft_note' "
                          "AND state = 'done' AND server_id IN ('100', '101', '102')"), ==, 3);
  g_assert_cmpuint (count (fixture).pending, ==, 0);
}

/* An empty review just ends; one with only an approval approves. */
static void
test_submit_empty (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  submit (fixture, MR_A, NULL, NULL, &error);
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);

  start_review (fixture, MR_A);
  g_assert_cmpuint (submit (fixture, MR_A, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM reviews"), ==, 0);

  start_review (fixture, MR_A);
  g_assert_cmpuint (submit (fixture, MR_A, SHA, NULL, NULL), ==, 1);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE kind = 'approve' "
                          "AND review_id IS NOT NULL"), ==, 1);
}

/* Outside a review, a reply that resolves is the reply, then the resolve. */
static void
test_resolving_reply_outside_review (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(NodOutboxAction) reply = NULL;

  reply = enqueue (fixture, nod_outbox_action_new_resolving_reply (ACCOUNT, PROJECT, MR_A,
                                                                   THREAD, "Done"),
                   NULL);
  g_assert_cmpint (nod_outbox_action_get_kind (reply), ==, NOD_ACTION_REPLY);
  g_assert_false (nod_outbox_action_get_resolves (reply));
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox"), ==, 2);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE kind = 'resolve' "
                          "AND discussion_id = '" THREAD "' AND seq > %" G_GINT64_FORMAT,
                          nod_outbox_action_get_seq (reply)), ==, 1);
}

/* Discarding a review started drops its drafts; a submitted one not yet published loses
 * what it has not sent, and the drafts it created are deleted on GitLab; one being sent
 * can't be discarded, and a published one is not a review to discard. */
static void
test_discard (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  guint drafts = 0, unsent = 0, deletes = 0;

  start_review (fixture, MR_A);
  g_clear_object (&draft);
  draft = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "One"), NULL);
  g_clear_object (&draft);
  draft = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Two"), NULL);
  g_assert_true (discard (fixture, MR_A, &drafts, &unsent, &deletes, NULL));
  g_assert_cmpuint (drafts, ==, 2);
  g_assert_cmpuint (unsent, ==, 0);
  g_assert_cmpuint (deletes, ==, 0);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM review_drafts"), ==, 0);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM reviews"), ==, 0);

  g_assert_false (discard (fixture, MR_A, NULL, NULL, NULL, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Submitted, the first draft created on GitLab, the second in flight. */
  start_review (fixture, MR_A);
  g_clear_object (&draft);
  draft = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "One"), NULL);
  g_clear_object (&draft);
  draft = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Two"), NULL);
  g_assert_cmpuint (submit (fixture, MR_A, SHA, NULL, NULL), ==, 4);
  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  ack (fixture, nod_outbox_action_get_op_id (claimed->pdata[0]), draft_answer (501));
  g_clear_pointer (&claimed, g_ptr_array_unref);
  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  g_assert_cmpuint (claimed->len, ==, 1);

  g_assert_false (discard (fixture, MR_A, NULL, NULL, NULL, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE state != 'done'"), ==, 3);

  /* The second came back unsent (the push stopped): now it can go. */
  nod_test_exec (fixture->store, "UPDATE outbox SET state = 'pending' WHERE state = 'in_flight'");
  g_assert_true (discard (fixture, MR_A, &drafts, &unsent, &deletes, NULL));
  g_assert_cmpuint (drafts, ==, 0);
  g_assert_cmpuint (unsent, ==, 3);
  g_assert_cmpuint (deletes, ==, 1);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE state != 'done'"), ==, 1);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE kind = 'delete_draft' "
                          "AND json_extract (payload, '$.draft_id') = '501' "
                          "AND state = 'pending'"), ==, 1);
}

/* A draft whose create may have reached GitLab, id unknown, can't be discarded: it would
 * stay there. Once it is looked for (acked with its id), the discard deletes it. */
static void
test_discard_waits_for_ambiguous_draft (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(NodOutboxAction) draft = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GError) error = NULL;
  guint drafts = 0, unsent = 0, deletes = 0;

  start_review (fixture, MR_A);
  draft = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "One"), NULL);
  submit (fixture, MR_A, NULL, NULL, NULL);
  nod_test_exec (fixture->store, "UPDATE outbox SET ambiguous = 1 WHERE kind = 'draft_note'");

  g_assert_false (discard (fixture, MR_A, NULL, NULL, NULL, &error));
  g_assert_error (error, NOD_OUTBOX_ERROR, NOD_OUTBOX_ERROR_WRONG_STATE);
  g_assert_cmpint (query (fixture, "SELECT COUNT (*) FROM outbox WHERE state != 'done'"), ==, 2);

  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  ack (fixture, nod_outbox_action_get_op_id (claimed->pdata[0]), draft_answer (77));
  g_assert_true (discard (fixture, MR_A, &drafts, &unsent, &deletes, NULL));
  g_assert_cmpuint (unsent, ==, 1);
  g_assert_cmpuint (deletes, ==, 1);
}

/* A thread a draft replies to that was a pending comment's: its GitLab id reaches the
 * draft when the comment is acked. */
static void
test_draft_follows_thread_id (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(NodOutboxAction) comment = NULL;
  g_autoptr(NodOutboxAction) reply = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *json = "{\"id\": \"" OTHER_THREAD "\", \"notes\": [{\"id\": 9, \"body\": \"b\", "
                     "\"author\": {\"id\": 7, \"username\": \"sam\"}}]}";

  comment = enqueue (fixture, nod_outbox_action_new_comment (ACCOUNT, PROJECT, MR_A, "Q?"), NULL);
  start_review (fixture, MR_A);
  reply = enqueue (fixture, nod_outbox_action_new_reply (ACCOUNT, PROJECT, MR_A,
                                                         nod_outbox_action_get_discussion_id (comment),
                                                         "A."),
                   NULL);
  g_assert_cmpint (nod_outbox_action_get_state (reply), ==, NOD_ACTION_DRAFT);

  claimed = claim (fixture, NOD_OUTBOX_CLAIM_ALL);
  g_assert_cmpuint (claimed->len, ==, 1);
  bytes = g_bytes_new_static (json, strlen (json));
  node = _nod_gitlab_json_parse (bytes, &error);
  g_assert_no_error (error);
  ack (fixture, nod_outbox_action_get_op_id (comment),
       _nod_gitlab_json_parse_discussion (node, &error));

  drafts = list_drafts (fixture, MR_A, NULL);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (nod_outbox_action_get_discussion_id (drafts->pdata[0]), ==, OTHER_THREAD);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/outbox-reviews/drafts-kept-not-sent", test_drafts_are_kept_not_sent);
  ADD ("/outbox-reviews/draft-refusals", test_draft_refusals);
  ADD ("/outbox-reviews/edit-and-delete", test_edit_and_delete);
  ADD ("/outbox-reviews/submit-one-ordered-unit", test_submit_is_one_ordered_unit);
  ADD ("/outbox-reviews/submit-empty", test_submit_empty);
  ADD ("/outbox-reviews/resolving-reply-outside-review", test_resolving_reply_outside_review);
  ADD ("/outbox-reviews/discard", test_discard);
  ADD ("/outbox-reviews/discard-waits-for-ambiguous-draft", test_discard_waits_for_ambiguous_draft);
  ADD ("/outbox-reviews/draft-follows-thread-id", test_draft_follows_thread_id);

  return g_test_run ();
}
