/* nod-fake-gitlab-generate.c: a large, deterministic dataset for benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same number of merge requests always gives the same dataset: one pseudo-random
 * stream with a fixed seed decides everything, and times are offsets from "now", so only
 * the timestamps move between two runs (never the ids, titles or order).
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab.h"
#include "nod-fake-gitlab-dataset.h"

#define GENERATOR_SEED G_GUINT64_CONSTANT (0x6e6f642d66616b65)  /* "nod-fake" */
#define DAY_MS ((guint64) 24 * 3600 * 1000)
#define HISTORY_DAYS 180

typedef struct
{
  gint64      id;
  const char *username;
  const char *name;
} GeneratedUser;

static const GeneratedUser generated_users[] = {
  { NOD_FAKE_GITLAB_REVIEWER_ID, NOD_FAKE_GITLAB_REVIEWER_USERNAME, "Sam Okafor" },
  { 2, "amelie", "Amélie Laurent" },
  { 3, "jkowalski", "Jakub Kowalski" },
  { 4, "priya", "Priya Raman" },
  { 5, "mhernandez", "Marta Hernández" },
  { 6, "tanaka", "Yuki Tanaka" },
  { 7, "oliver", "Oliver Brandt" },
};

typedef struct
{
  gint64      id;
  const char *namespace_path;
  const char *namespace_name;
  const char *path;
  const char *name;
} GeneratedProject;

static const GeneratedProject generated_projects[] = {
  { 101, "gnome-apps", "GNOME Apps", "nod", "Nod" },
  { 102, "gnome-apps", "GNOME Apps", "podcasts", "Podcasts" },
  { 103, "gnome-apps", "GNOME Apps", "fractal", "Fractal" },
  { 104, "infra", "Infrastructure", "ci-templates", "CI templates" },
  { 105, "infra", "Infrastructure", "runner-images", "Runner images" },
};

static const char *const title_verbs[] = {
  "Fix", "Add", "Refactor", "Improve", "Remove", "Document", "Speed up", "Port",
  "Simplify", "Test",
};

static const char *const title_objects[] = {
  "a crash in", "a leak in", "error handling in", "keyboard navigation of",
  "caching of", "the empty state of", "accessibility labels of", "logging in",
  "the settings of", "translations of", "dark style support in", "the search in",
};

static const char *const title_subjects[] = {
  "the sidebar", "the feed parser", "the episode list", "the sync engine",
  "the login dialog", "the pipeline cache", "the image builder", "the notification area",
  "the preferences window", "the download queue", "the room list", "the diff view",
};

static const char *const note_bodies[] = {
  "Could we add a test for this case?",
  "This looks good to me.",
  "Nit: the variable name could say what it holds.",
  "I think this leaks the `GError` when the call fails.",
  "Does this still work when the list is empty?",
  "Thanks, addressed in the latest push.",
  "Can we split this into two commits?",
  "Why not reuse the helper from `utils.c` here?",
  "Good catch, fixed.",
  "This should be translatable: mark it for gettext.",
};

static const char *const file_paths[] = {
  "src/main.c", "src/window.c", "src/sync/engine.c", "src/widgets/sidebar.c",
  "data/ui/window.ui", "tests/test-engine.c", "meson.build", ".gitlab-ci.yml",
};

static guint
pick (guint64 *random_state,
      guint    count)
{
  return (guint) (nod_fake_random_next (random_state) % count);
}

/* One made-up change in one project's repository: the commits the merge requests that
 * have it share (the target's), and the tree of their heads. */
typedef struct
{
  NodFakeCommit *base;
  NodFakeCommit *start;
  GPtrArray     *head_tree;
} CachedChange;

static void
cached_change_free (gpointer data)
{
  CachedChange *change = data;

  g_ptr_array_unref (change->head_tree);
  g_free (change);
}

/* A small change (one to three files) of its own stream, so that the main stream, and with
 * it the rest of the dataset, is what it was before merge requests had changes. Its texts
 * come from a few hundred variants, each made once per project (@changes caches them): the
 * dataset stays as quick to make as it was, and the repository stores each text once. */
static void
generate_change (NodFakeDataset      *dataset,
                 NodFakeMergeRequest *merge_request,
                 GHashTable          *changes,
                 const char         **path_on_diff,
                 gint64              *line_on_diff)
{
  NodFakeRepository *repository = merge_request->project->repository;
  guint64 change_state = GENERATOR_SEED ^ (guint64) merge_request->id;
  guint n_files = 1 + pick (&change_state, 3);
  guint first = pick (&change_state, G_N_ELEMENTS (file_paths));
  guint variant = pick (&change_state, 16);
  NodFakeLineWish wish = { 0, 3 + variant % 8 };
  char key[64];
  CachedChange *change;

  g_snprintf (key, sizeof key, "%" G_GINT64_FORMAT "/%u/%u/%u", merge_request->project->id,
              n_files, first, variant);
  change = g_hash_table_lookup (changes, key);
  if (change == NULL)
    {
      g_autoptr(GHashTable) base_files = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) head_changes = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < n_files; i++)
        {
          const char *path = file_paths[(first + i) % G_N_ELEMENTS (file_paths)];
          NodFakeLineWish other = { 0, 2 + (variant + i) % 5 };
          g_autofree char *base_text = NULL, *head_text = NULL;

          /* The wish is the first file's; the others get a change of their own. */
          nod_fake_synthetic_change (path, variant + i, i == 0 ? &wish : &other, 1,
                                     &base_text, &head_text);
          g_hash_table_insert (base_files, (gpointer) path,
                               nod_fake_repository_add_text (repository, base_text));
          g_hash_table_insert (head_changes, (gpointer) path,
                               nod_fake_repository_add_text (repository, head_text));
        }
      change = g_new0 (CachedChange, 1);
      change->base = nod_fake_repository_commit (repository, NULL, base_files,
                                                 "Start the release cycle", "Release Bot",
                                                 merge_request->created_at, 0);
      change->start = nod_fake_repository_commit (repository, change->base, NULL,
                                                  "Merge the stable branch", "Release Bot",
                                                  merge_request->created_at, 0);
      change->head_tree = nod_fake_tree_apply (change->start->tree, head_changes);
      g_hash_table_insert (changes, g_strdup (key), change);
    }
  nod_fake_dataset_set_commits (dataset, merge_request, change->base, change->start,
                                nod_fake_repository_commit_tree (repository, change->start,
                                                                 change->head_tree,
                                                                 merge_request->title,
                                                                 merge_request->author->name,
                                                                 merge_request->created_at,
                                                                 (guint64) merge_request->id),
                                merge_request->updated_at);
  *path_on_diff = file_paths[first];
  *line_on_diff = wish.new_line;
}

static void
generate_discussions (NodFakeDataset      *dataset,
                      NodFakeMergeRequest *merge_request,
                      GHashTable          *changes,
                      guint64             *random_state)
{
  const char *path_on_diff = NULL;
  gint64 line_on_diff = 0;

  guint n_discussions = 1 + pick (random_state, 3);
  gint64 span_ms = (merge_request->updated_at - merge_request->created_at) / 1000;

  generate_change (dataset, merge_request, changes, &path_on_diff, &line_on_diff);

  for (guint d = 0; d < n_discussions; d++)
    {
      NodFakeDiscussion *discussion = nod_fake_dataset_add_discussion (dataset, merge_request,
                                                                       FALSE);
      gboolean on_diff = pick (random_state, 10) < 4;
      gboolean resolved = pick (random_state, 10) < 3;
      guint n_notes = 1 + pick (random_state, 3);
      /* Still drawn, to keep the stream; the thread goes on the change's added line. */
      const char *path = file_paths[pick (random_state, G_N_ELEMENTS (file_paths))];
      gint64 line = 1 + pick (random_state, 400);

      path = path_on_diff;
      line = line_on_diff;

      for (guint n = 0; n < n_notes; n++)
        {
          NodFakePosition *position = NULL;
          NodFakeUser *author;
          NodFakeNote *note;
          gint64 created_at;

          /* The reviewer starts threads; the author and reviewers answer. */
          if (n % 2 == 0)
            author = g_ptr_array_index (merge_request->reviewers,
                                        pick (random_state, merge_request->reviewers->len));
          else
            author = merge_request->author;

          created_at = merge_request->created_at
                       + (gint64) (nod_fake_random_next (random_state)
                                   % (guint64) (span_ms + 1)) * 1000;
          if (on_diff)
            {
              position = g_new0 (NodFakePosition, 1);
              memcpy (position->base_sha, merge_request->base_sha, sizeof position->base_sha);
              memcpy (position->start_sha, merge_request->start_sha,
                      sizeof position->start_sha);
              memcpy (position->head_sha, merge_request->head_sha, sizeof position->head_sha);
              position->old_path = g_strdup (path);
              position->new_path = g_strdup (path);
              position->new_line = line;
            }
          note = nod_fake_dataset_add_note (dataset, discussion, author,
                                            note_bodies[pick (random_state,
                                                              G_N_ELEMENTS (note_bodies))],
                                            on_diff ? NOD_FAKE_NOTE_DIFF
                                                    : NOD_FAKE_NOTE_DISCUSSION,
                                            position, created_at);
          if (resolved)
            {
              note->resolved = TRUE;
              note->resolved_by = merge_request->author;
              note->resolved_at = merge_request->updated_at;
            }
        }
    }
}

NodFakeDataset *
nod_fake_dataset_new_generated (guint  n_merge_requests,
                                gint64 now_us)
{
  NodFakeDataset *dataset = nod_fake_dataset_new ();
  NodFakeProject *projects[G_N_ELEMENTS (generated_projects)];
  NodFakeUser *users[G_N_ELEMENTS (generated_users)];
  NodFakeUser *reviewer;
  guint64 random_state = GENERATOR_SEED;
  g_autoptr(GHashTable) changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         cached_change_free);

  now_us = now_us / 1000 * 1000;
  for (guint i = 0; i < G_N_ELEMENTS (generated_users); i++)
    users[i] = nod_fake_dataset_add_user (dataset, generated_users[i].id,
                                          generated_users[i].username,
                                          generated_users[i].name);
  reviewer = users[0];
  for (guint i = 0; i < G_N_ELEMENTS (generated_projects); i++)
    {
      const GeneratedProject *generated = &generated_projects[i];

      projects[i] = nod_fake_dataset_add_project (dataset, generated->id,
                                                  generated->namespace_path,
                                                  generated->namespace_name,
                                                  generated->path, generated->name);
    }

  for (guint k = 0; k < n_merge_requests; k++)
    {
      NodFakeProject *project = projects[pick (&random_state, G_N_ELEMENTS (projects))];
      /* Anyone but the reviewer (users[0]) authors. */
      NodFakeUser *author = users[1 + pick (&random_state, G_N_ELEMENTS (users) - 1)];
      NodFakeUser *second_reviewer = users[1 + pick (&random_state, G_N_ELEMENTS (users) - 1)];
      gint64 updated_ago_ms = (gint64) (nod_fake_random_next (&random_state)
                                        % (HISTORY_DAYS * DAY_MS));
      gint64 open_for_ms = (gint64) (nod_fake_random_next (&random_state) % (30 * DAY_MS));
      guint state_roll = pick (&random_state, 100);
      gboolean draft = pick (&random_state, 10) == 0;
      g_autofree char *title = g_strdup_printf (
        "%s%s %s %s", draft ? "Draft: " : "",
        title_verbs[pick (&random_state, G_N_ELEMENTS (title_verbs))],
        title_objects[pick (&random_state, G_N_ELEMENTS (title_objects))],
        title_subjects[pick (&random_state, G_N_ELEMENTS (title_subjects))]);
      gint64 updated_at = now_us - updated_ago_ms * 1000;
      NodFakeMergeRequest *merge_request;

      merge_request = nod_fake_dataset_add_merge_request (dataset, project, 0, 0, author, title,
                                                          updated_at - open_for_ms * 1000);
      merge_request->updated_at = updated_at;
      g_free (merge_request->description);
      merge_request->description = g_strdup_printf (
        "## What\n\n%s.\n\n## Why\n\nReported in #%u; see the steps there.\n\n"
        "- [x] Tests added\n- [ ] Documentation updated\n",
        title, 100 + pick (&random_state, 4000));
      g_ptr_array_add (merge_request->assignees, author);
      g_ptr_array_add (merge_request->reviewers, reviewer);
      if (second_reviewer != author)
        g_ptr_array_add (merge_request->reviewers, second_reviewer);
      merge_request->has_conflicts = pick (&random_state, 30) == 0;
      merge_request->approvals_required = pick (&random_state, 3) == 0 ? 1 : 0;
      if (second_reviewer != author && pick (&random_state, 4) == 0)
        g_ptr_array_add (merge_request->approved_by, second_reviewer);

      if (state_roll >= 85)
        {
          merge_request->state = NOD_FAKE_MR_CLOSED;
          merge_request->closed_at = updated_at;
          merge_request->closed_by = author;
        }
      else if (state_roll >= 65)
        {
          merge_request->state = NOD_FAKE_MR_MERGED;
          merge_request->merged_at = updated_at;
          merge_request->merged_by = second_reviewer;
        }

      generate_discussions (dataset, merge_request, changes, &random_state);
    }

  return dataset;
}
