/* test-inline-comments.c: inline comments from the kept diffs, through the engine, judged by
 * the fake GitLab's rules for positions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every position here is made by Nod (nod_diff_file_position_at, on the diff a pull kept)
 * and sent by the engine; the fake judges it as GitLab gives a DiffNote its line code. A
 * test passes when the thread is on the server at exactly that place, once.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "nod-diff-cache.h"
#include "nod-fake-gitlab.h"
#include "nod-gitlab.h"
#include "nod-outbox.h"
#include "nod-sync-engine.h"
#include "nod-test-server.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-inline-test"
#define ACCOUNT 1

typedef struct
{
  NodFakeGitlab *fake;
  char          *base_url;
  NodStore      *store;
  NodOutbox     *outbox;
  NodGitlab     *gitlab;
  NodGitlab     *observer;
  NodSyncEngine *engine;
} Fixture;

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
  fixture->engine = nod_sync_engine_new (fixture->store, fixture->outbox);
  nod_sync_engine_set_interval (fixture->engine, 3600);
  nod_sync_engine_add_account (fixture->engine, ACCOUNT, NOD_FORGE (fixture->gitlab));
}

static gboolean
engine_idle (gpointer data)
{
  return !nod_sync_engine_is_busy (((Fixture *) data)->engine);
}

static guint
engine_progress (gpointer data)
{
  NodSyncStatus *status = nod_sync_engine_get_status (((Fixture *) data)->engine);

  return nod_sync_status_get_progress_current (status) +
         nod_sync_status_get_texts_current (status);
}

static void
wait_until_idle (Fixture *fixture)
{
  nod_test_wait_while_moving (engine_idle, engine_progress, fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  wait_until_idle (fixture);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->engine));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->gitlab));
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->observer));
  g_clear_object (&fixture->outbox);
  nod_test_assert_finalize_soon (g_steal_pointer (&fixture->store));
  g_clear_object (&fixture->fake);
  g_clear_pointer (&fixture->base_url, g_free);
}

static void
pull (Fixture *fixture)
{
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_SETTINGS_CHANGED);
  wait_until_idle (fixture);
}

static void
push_now (Fixture *fixture)
{
  nod_sync_engine_request (fixture->engine, NOD_SYNC_TRIGGER_PUSH_NOW);
  wait_until_idle (fixture);
}

/* ---- what a pull kept ---- */

typedef struct
{
  gint64               project_id;
  gint64               iid;
  NodMergeRequestDiff *diff;
} Kept;

static void
kept_clear (Kept *kept)
{
  g_clear_object (&kept->diff);
}

/* Every change the pull kept, whole. */
static GArray *
load_kept (Fixture *fixture)
{
  NodDiffCache *cache = nod_sync_engine_get_diff_cache (fixture->engine);
  GArray *kept = g_array_new (FALSE, TRUE, sizeof (Kept));
  g_autofree char *ids = nod_test_query_text (fixture->store,
                                              "SELECT group_concat (project_id || ':' || iid, "
                                              "' ') FROM diff_versions WHERE complete");
  g_auto(GStrv) pairs = g_strsplit (ids != NULL ? ids : "", " ", -1);

  g_array_set_clear_func (kept, (GDestroyNotify) kept_clear);
  for (guint i = 0; pairs[i] != NULL && *pairs[i] != '\0'; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      Kept one = { 0, };

      g_assert_true (sscanf (pairs[i], "%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                             &one.project_id, &one.iid) == 2);
      nod_diff_cache_load_diff_async (cache, ACCOUNT, one.project_id, one.iid, NULL, NULL,
                                      nod_test_keep_result, &result);
      one.diff = nod_diff_cache_load_diff_finish (cache, nod_test_wait_for_result (&result),
                                                  &error);
      g_assert_no_error (error);
      g_assert_nonnull (one.diff);
      g_array_append_val (kept, one);
    }
  return kept;
}

/* The first kept file whose status is @status (and, for a modified one, with both added
 * and removed lines), and the change it is in. */
static NodDiffFile *
find_file (GArray             *kept,
           NodDiffFileStatus   status,
           Kept              **out_kept)
{
  for (guint i = 0; i < kept->len; i++)
    {
      Kept *one = &g_array_index (kept, Kept, i);
      GPtrArray *files = nod_merge_request_diff_get_files (one->diff);

      for (guint j = 0; j < files->len; j++)
        {
          NodDiffFile *file = files->pdata[j];

          if (nod_diff_file_get_status (file) != status ||
              nod_diff_file_get_visibility (file) != NOD_DIFF_FILE_SHOWN)
            continue;
          if (status == NOD_DIFF_FILE_STATUS_MODIFIED &&
              (nod_diff_file_get_additions (file) == 0 || nod_diff_file_get_deletions (file) == 0))
            continue;
          *out_kept = one;
          return file;
        }
    }
  return NULL;
}

/* The first diff line of @kind in @file (from the end with @last): its side and number. */
static gboolean
find_line (NodDiffFile      *file,
           NodDiffLineKind   kind,
           gboolean          last,
           gboolean         *old_side,
           guint            *line_number)
{
  GArray *lines = nod_diff_file_get_lines (file);

  for (guint k = 0; k < lines->len; k++)
    {
      const NodDiffLine *line = &g_array_index (lines, NodDiffLine, last ? lines->len - 1 - k : k);

      if (line->kind != kind)
        continue;
      *old_side = kind == NOD_DIFF_LINE_REMOVED;
      *line_number = *old_side ? line->old_line : line->new_line;
      return TRUE;
    }
  return FALSE;
}

/* Where a comment on that line goes, by Nod's rules. */
static NodDiffPosition *
position_of (Kept        *kept,
             NodDiffFile *file,
             gboolean     old_side,
             guint        line_number)
{
  g_autoptr(GError) error = NULL;
  NodDiffPosition *position =
    nod_diff_file_position_at (file, nod_merge_request_diff_get_base_sha (kept->diff),
                               nod_merge_request_diff_get_start_sha (kept->diff),
                               nod_merge_request_diff_get_head_sha (kept->diff),
                               old_side, line_number, 0, &error);

  g_assert_no_error (error);
  return position;
}

static NodOutboxAction *
enqueue (Fixture         *fixture,
         NodOutboxAction *draft_in)
{
  g_autoptr(NodOutboxAction) draft = draft_in;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  NodOutboxAction *stored;

  nod_sync_engine_enqueue_async (fixture->engine, draft, NULL, nod_test_keep_result, &result);
  stored = nod_sync_engine_enqueue_finish (fixture->engine, nod_test_wait_for_result (&result),
                                           &error);
  g_assert_no_error (error);
  return stored;
}

static char *
row_text (Fixture         *fixture,
          NodOutboxAction *action,
          const char      *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM outbox WHERE op_id = '%s'", column,
                                          nod_outbox_action_get_op_id (action));

  return nod_test_query_text (fixture->store, sql);
}

/* The server's threads on @kept's merge request whose first note says @body. */
static GPtrArray *
server_threads_saying (Fixture    *fixture,
                       Kept       *kept,
                       const char *body)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodForgePage) page = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *items;

  nod_forge_list_discussions_async (NOD_FORGE (fixture->observer), kept->project_id, kept->iid,
                                    1, NULL, nod_test_keep_result, &result);
  page = nod_forge_list_discussions_finish (NOD_FORGE (fixture->observer),
                                            nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  items = nod_forge_page_get_items (page);
  for (guint i = 0; i < items->len; i++)
    {
      GPtrArray *notes = nod_discussion_get_notes (items->pdata[i]);

      if (notes->len > 0 && g_strcmp0 (nod_note_get_body (notes->pdata[0]), body) == 0)
        g_ptr_array_add (found, g_object_ref (items->pdata[i]));
    }
  return found;
}

/* Exactly one thread says @body, at @position. */
static void
assert_on_server_once (Fixture               *fixture,
                       Kept                  *kept,
                       const char            *body,
                       const NodDiffPosition *position)
{
  g_autoptr(GPtrArray) threads = server_threads_saying (fixture, kept, body);
  const NodDiffPosition *there;

  g_assert_cmpuint (threads->len, ==, 1);
  there = nod_note_get_position (nod_discussion_get_notes (threads->pdata[0])->pdata[0]);
  g_assert_nonnull (there);
  g_assert_cmpstr (there->old_path, ==, position->old_path);
  g_assert_cmpstr (there->new_path, ==, position->new_path);
  g_assert_cmpint (there->old_line, ==, position->old_line);
  g_assert_cmpint (there->new_line, ==, position->new_line);
  g_assert_cmpstr (there->head_sha, ==, position->head_sha);
  g_assert_cmpstr (there->base_sha, ==, position->base_sha);
}

/* ---- tests ---- */

typedef struct
{
  const char       *name;
  NodDiffFileStatus status;
  NodDiffLineKind   kind;
  gboolean          last;
} Case;

/* Nod's positions on every kind of line and file, each accepted by GitLab's rules and
 * placed exactly there; one deliberately wrong (both numbers on an added line) refused,
 * and the action failed with GitLab's reason. */
static void
test_positions_accepted (Fixture       *fixture,
                         gconstpointer  data)
{
  static const Case cases[] = {
    { "an added line", NOD_DIFF_FILE_STATUS_MODIFIED, NOD_DIFF_LINE_ADDED, FALSE },
    { "a removed line", NOD_DIFF_FILE_STATUS_MODIFIED, NOD_DIFF_LINE_REMOVED, FALSE },
    { "a context line", NOD_DIFF_FILE_STATUS_MODIFIED, NOD_DIFF_LINE_CONTEXT, FALSE },
    { "the last context line", NOD_DIFF_FILE_STATUS_MODIFIED, NOD_DIFF_LINE_CONTEXT, TRUE },
    { "a renamed file's line", NOD_DIFF_FILE_STATUS_RENAMED, NOD_DIFF_LINE_ADDED, FALSE },
    { "a new file's line", NOD_DIFF_FILE_STATUS_ADDED, NOD_DIFF_LINE_ADDED, TRUE },
    { "a deleted file's line", NOD_DIFF_FILE_STATUS_DELETED, NOD_DIFF_LINE_REMOVED, FALSE },
  };
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) positions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) nod_diff_position_free);
  g_autoptr(GPtrArray) places = g_ptr_array_new ();
  g_autoptr(NodDiffPosition) wrong = NULL;
  g_autoptr(NodOutboxAction) refused = NULL;
  g_autofree char *refused_state = NULL;
  g_autofree char *refused_error = NULL;
  Kept *wrong_kept = NULL;
  NodDiffFile *wrong_file;
  gboolean old_side = FALSE;
  guint line = 0;

  /* The sample's deletion is closed: an open one, which also adds a file. */
  {
    g_autoptr(JsonNode) created =
      nod_test_fake_control (fixture->base_url, "POST", "/__fake/mr",
                             "{\"project_id\": 11, \"title\": \"Retire the old notes\", "
                             "\"author\": \"amelie\", \"reviewers\": [\"sam\"], "
                             "\"base_files\": {\"OLD-NEWS\": \"Nod 1.0\\n\\nFirst.\\n\"}, "
                             "\"files\": {\"OLD-NEWS\": null, "
                             "\"NEWS\": \"Nod 2.0\\n\\nThe engine is new.\\n\"}}");

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (created), "iid"), >, 0);
  }
  pull (fixture);
  kept = load_kept (fixture);
  g_assert_cmpuint (kept->len, >, 3);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Kept *where = NULL;
      NodDiffFile *file = find_file (kept, cases[i].status, &where);
      g_autofree char *body = g_strdup_printf ("On %s", cases[i].name);
      NodDiffPosition *position;

      g_assert_nonnull (file);
      g_assert_true (find_line (file, cases[i].kind, cases[i].last, &old_side, &line));
      position = position_of (where, file, old_side, line);
      /* GitLab's rules, before GitLab sees it. */
      if (cases[i].kind == NOD_DIFF_LINE_ADDED)
        g_assert_true (position->old_line == -1 && position->new_line == line);
      else if (cases[i].kind == NOD_DIFF_LINE_REMOVED)
        g_assert_true (position->old_line == line && position->new_line == -1);
      else
        g_assert_true (position->old_line > 0 && position->new_line == line);
      g_ptr_array_add (positions, position);
      g_ptr_array_add (places, where);
      g_ptr_array_add (actions,
                       enqueue (fixture,
                                nod_outbox_action_new_inline_comment (ACCOUNT, where->project_id,
                                                                      where->iid, body,
                                                                      position)));
    }

  wrong_file = find_file (kept, NOD_DIFF_FILE_STATUS_MODIFIED, &wrong_kept);
  g_assert_true (find_line (wrong_file, NOD_DIFF_LINE_ADDED, FALSE, &old_side, &line));
  wrong = position_of (wrong_kept, wrong_file, FALSE, line);
  wrong->old_line = line;
  refused = enqueue (fixture, nod_outbox_action_new_inline_comment (ACCOUNT,
                                                                    wrong_kept->project_id,
                                                                    wrong_kept->iid,
                                                                    "On both sides", wrong));
  push_now (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf ("On %s", cases[i].name);
      g_autofree char *state = row_text (fixture, actions->pdata[i], "state");

      g_test_message ("%s", body);
      g_assert_cmpstr (state, ==, "done");
      assert_on_server_once (fixture, places->pdata[i], body, positions->pdata[i]);
    }

  refused_state = row_text (fixture, refused, "state");
  refused_error = row_text (fixture, refused, "last_error");
  g_assert_cmpstr (refused_state, ==, "failed");
  g_assert_nonnull (refused_error);
  g_assert_nonnull (strstr (refused_error, "line_code"));
  {
    g_autoptr(GPtrArray) none = server_threads_saying (fixture, wrong_kept, "On both sides");

    g_assert_cmpuint (none->len, ==, 0);
  }
}

/* On a train: pulled, then GitLab out of reach; every file read from the cache, three
 * lines commented; back online, one push: three threads at the right places, each once. */
static void
test_offline_comments (Fixture       *fixture,
                       gconstpointer  data)
{
  NodDiffCache *cache = nod_sync_engine_get_diff_cache (fixture->engine);
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) positions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) nod_diff_position_free);
  g_autoptr(GError) error = NULL;
  guint port;
  static const NodDiffLineKind kinds[] = {
    NOD_DIFF_LINE_ADDED, NOD_DIFF_LINE_REMOVED, NOD_DIFF_LINE_CONTEXT,
  };
  Kept *where = NULL;
  NodDiffFile *file;
  guint texts_read = 0;

  pull (fixture);
  kept = load_kept (fixture);
  /* The fake stops: nothing listens on its port. */
  port = nod_fake_gitlab_get_port (fixture->fake);
  g_clear_object (&fixture->fake);

  /* Every text of every kept change is there to read, offline. */
  for (guint i = 0; i < kept->len; i++)
    {
      GPtrArray *files = nod_merge_request_diff_get_files (g_array_index (kept, Kept, i).diff);

      for (guint j = 0; j < files->len; j++)
        {
          const char *shas[] = { nod_diff_file_get_old_blob (files->pdata[j]),
                                 nod_diff_file_get_new_blob (files->pdata[j]) };

          for (guint k = 0; k < G_N_ELEMENTS (shas); k++)
            {
              g_autoptr(GAsyncResult) result = NULL;
              g_autoptr(GError) load_error = NULL;
              g_autoptr(GBytes) text = NULL;

              if (shas[k] == NULL)
                continue;
              nod_diff_cache_load_blob_async (cache, shas[k], NULL, nod_test_keep_result,
                                              &result);
              text = nod_diff_cache_load_blob_finish (cache, nod_test_wait_for_result (&result),
                                                      &load_error);
              g_assert_no_error (load_error);
              g_assert_nonnull (text);
              texts_read++;
            }
        }
    }
  g_assert_cmpuint (texts_read, >, 10);

  file = find_file (kept, NOD_DIFF_FILE_STATUS_MODIFIED, &where);
  g_assert_nonnull (file);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *body = g_strdup_printf ("Written offline %u", i);
      gboolean old_side = FALSE;
      guint line = 0;
      NodDiffPosition *position;

      g_assert_true (find_line (file, kinds[i], FALSE, &old_side, &line));
      position = position_of (where, file, old_side, line);
      g_ptr_array_add (positions, position);
      g_ptr_array_add (actions,
                       enqueue (fixture,
                                nod_outbox_action_new_inline_comment (ACCOUNT, where->project_id,
                                                                      where->iid, body,
                                                                      position)));
    }
  /* Queued, waiting for GitLab: kept, nothing lost. */
  for (guint i = 0; i < actions->len; i++)
    {
      g_autofree char *state = row_text (fixture, actions->pdata[i], "state");

      g_assert_cmpstr (state, ==, "pending");
    }

  /* Back online: the same GitLab (the sample's commits are the same every time) on the
   * same port; the reviewer presses Push now. */
  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, port, &error));
  g_assert_no_error (error);
  push_now (fixture);
  for (guint i = 0; i < actions->len; i++)
    {
      g_autofree char *body = g_strdup_printf ("Written offline %u", i);
      g_autofree char *state = row_text (fixture, actions->pdata[i], "state");

      g_assert_cmpstr (state, ==, "done");
      assert_on_server_once (fixture, where, body, positions->pdata[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/nod/inline-comments/positions-accepted", test_positions_accepted);
  ADD ("/nod/inline-comments/offline", test_offline_comments);

  return g_test_run ();
}
