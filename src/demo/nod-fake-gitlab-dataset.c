/* nod-fake-gitlab-dataset.c: users, projects, merge requests, discussions in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-dataset.h"

/* Enough for a client paging through a few lists at once. */
#define QUERY_CACHE_SIZE 16

typedef struct
{
  char      *key;
  GPtrArray *results;  /* NodFakeMergeRequest *, not owned */
} CachedQuery;

static void
cached_query_free (gpointer data)
{
  CachedQuery *cached = data;

  g_free (cached->key);
  g_ptr_array_unref (cached->results);
  g_free (cached);
}

static void
user_free (gpointer data)
{
  NodFakeUser *user = data;

  g_free (user->username);
  g_free (user->name);
  g_free (user);
}

static void
project_free (gpointer data)
{
  NodFakeProject *project = data;

  g_free (project->name);
  g_free (project->path);
  g_free (project->namespace_path);
  g_free (project->namespace_name);
  g_free (project->path_with_namespace);
  g_free (project->name_with_namespace);
  g_free (project->description);
  g_free (project->default_branch);
  g_hash_table_unref (project->merge_requests_by_iid);
  nod_fake_repository_free (project->repository);
  g_free (project);
}

void
nod_fake_position_free (NodFakePosition *position)
{
  if (position == NULL)
    return;
  g_free (position->old_path);
  g_free (position->new_path);
  g_free (position);
}

NodFakePosition *
nod_fake_position_copy (const NodFakePosition *position)
{
  NodFakePosition *copy = g_memdup2 (position, sizeof *position);

  copy->old_path = g_strdup (position->old_path);
  copy->new_path = g_strdup (position->new_path);
  return copy;
}

static void
note_free (gpointer data)
{
  NodFakeNote *note = data;

  g_free (note->body);
  nod_fake_position_free (note->position);
  nod_fake_position_free (note->original_position);
  g_free (note);
}

static void
discussion_free (gpointer data)
{
  NodFakeDiscussion *discussion = data;

  g_ptr_array_unref (discussion->notes);
  g_free (discussion);
}

static void
draft_note_free (gpointer data)
{
  NodFakeDraftNote *draft = data;

  g_free (draft->note);
  g_free (draft->discussion_id);
  g_free (draft->commit_id);
  g_clear_pointer (&draft->position, json_node_unref);
  g_free (draft);
}

static void
merge_request_free (gpointer data)
{
  NodFakeMergeRequest *merge_request = data;

  g_free (merge_request->title);
  g_free (merge_request->description);
  g_free (merge_request->source_branch);
  g_free (merge_request->target_branch);
  g_ptr_array_unref (merge_request->assignees);
  g_ptr_array_unref (merge_request->reviewers);
  g_ptr_array_unref (merge_request->approved_by);
  g_ptr_array_unref (merge_request->discussions);
  g_array_unref (merge_request->versions);
  g_ptr_array_unref (merge_request->draft_notes);
  g_array_unref (merge_request->notifications);
  g_array_unref (merge_request->pipelines);
  g_strfreev (merge_request->labels);
  g_free (merge_request);
}

NodFakeDataset *
nod_fake_dataset_new (void)
{
  NodFakeDataset *dataset = g_new0 (NodFakeDataset, 1);

  dataset->users = g_ptr_array_new_with_free_func (user_free);
  dataset->users_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  dataset->users_by_username = g_hash_table_new (g_str_hash, g_str_equal);
  dataset->projects = g_ptr_array_new_with_free_func (project_free);
  dataset->projects_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  dataset->projects_by_path = g_hash_table_new (g_str_hash, g_str_equal);
  dataset->merge_requests = g_ptr_array_new_with_free_func (merge_request_free);
  dataset->query_cache = g_ptr_array_new_with_free_func (cached_query_free);
  /* Ids far from iids, so a client mixing them up fails loudly. */
  dataset->last_merge_request_id = 1000;
  dataset->last_note_id = 5000;
  dataset->last_version_id = 7000;
  dataset->last_draft_note_id = 9000;
  dataset->last_pipeline_id = 3000;
  return dataset;
}

void
nod_fake_dataset_free (NodFakeDataset *dataset)
{
  if (dataset == NULL)
    return;

  /* Merge requests point at users and projects: free them first. */
  g_ptr_array_unref (dataset->query_cache);
  g_ptr_array_unref (dataset->merge_requests);
  g_hash_table_unref (dataset->projects_by_path);
  g_hash_table_unref (dataset->projects_by_id);
  g_ptr_array_unref (dataset->projects);
  g_hash_table_unref (dataset->users_by_username);
  g_hash_table_unref (dataset->users_by_id);
  g_ptr_array_unref (dataset->users);
  g_free (dataset);
}

guint64
nod_fake_random_next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void
nod_fake_hex_id (guint64 seed,
                 char    out[NOD_FAKE_SHA_LENGTH + 1])
{
  static const char digits[] = "0123456789abcdef";
  guint64 state = seed;
  guint64 bits = 0;

  for (guint i = 0; i < NOD_FAKE_SHA_LENGTH; i++)
    {
      if (i % 16 == 0)
        bits = nod_fake_random_next (&state);
      out[i] = digits[bits & 0xf];
      bits >>= 4;
    }
  out[NOD_FAKE_SHA_LENGTH] = '\0';
}

gint64
nod_fake_now (void)
{
  return g_get_real_time () / 1000 * 1000;
}

/* The proleptic Gregorian date of @days since 1970-01-01 (days counted in 400-year eras of
 * 146,097 days, each year starting on 1 March so that the leap day comes last). */
static void
date_from_days (gint64  days,
                gint64 *year,
                int    *month,
                int    *day)
{
  gint64 shifted = days + 719468;  /* days since 0000-03-01 */
  gint64 era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  gint64 day_of_era = shifted - era * 146097;
  gint64 year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                        - day_of_era / 146096) / 365;
  gint64 day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  gint64 month_from_march = (5 * day_of_year + 2) / 153;

  *day = (int) (day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *month = (int) (month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

void
nod_fake_format_time_to (gint64 time_us,
                         char   buffer[NOD_FAKE_TIME_BUFFER_SIZE])
{
  /* As GDateTime would have it: whole seconds toward zero, milliseconds never negative,
   * and the epoch for a time outside years 1 to 9999. */
  gint64 seconds = time_us / G_USEC_PER_SEC;
  gint64 days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
  gint64 second_of_day = seconds - days * 86400;
  int milliseconds = (int) MAX (0, (time_us % G_USEC_PER_SEC) / 1000);
  gint64 year;
  int month, day;

  date_from_days (days, &year, &month, &day);
  if (year < 1 || year > 9999)
    {
      g_strlcpy (buffer, "1970-01-01T00:00:00.000Z", NOD_FAKE_TIME_BUFFER_SIZE);
      return;
    }
  g_snprintf (buffer, NOD_FAKE_TIME_BUFFER_SIZE, "%d-%02d-%02dT%02d:%02d:%02d.%03dZ",
              (int) year, month, day, (int) (second_of_day / 3600),
              (int) (second_of_day / 60 % 60), (int) (second_of_day % 60), milliseconds);
}

char *
nod_fake_format_time (gint64 time_us)
{
  char buffer[NOD_FAKE_TIME_BUFFER_SIZE];

  nod_fake_format_time_to (time_us, buffer);
  return g_strdup (buffer);
}

gboolean
nod_fake_parse_time (const char *text,
                     gint64     *time_us)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date_time = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;

  date_time = g_date_time_new_from_iso8601 (text, utc);
  if (date_time == NULL && strlen (text) == 10)
    {
      /* A bare date, as GitLab also accepts: midnight UTC. */
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);
      date_time = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (date_time == NULL)
    return FALSE;

  *time_us = g_date_time_to_unix (date_time) * G_USEC_PER_SEC
             + g_date_time_get_microsecond (date_time);
  return TRUE;
}

gboolean
nod_fake_json_is_too_deep (const char *data,
                           gsize       length,
                           guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        {
          in_string = TRUE;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return TRUE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        {
          depth--;
        }
    }
  return FALSE;
}

const char *
nod_fake_mr_state_to_string (NodFakeMrState state)
{
  switch (state)
    {
    case NOD_FAKE_MR_OPENED:
      return "opened";
    case NOD_FAKE_MR_CLOSED:
      return "closed";
    case NOD_FAKE_MR_MERGED:
      return "merged";
    case NOD_FAKE_MR_LOCKED:
      return "locked";
    default:
      g_assert_not_reached ();
    }
}

gboolean
nod_fake_mr_state_from_string (const char     *string,
                               NodFakeMrState *state)
{
  static const NodFakeMrState all[] = {
    NOD_FAKE_MR_OPENED, NOD_FAKE_MR_CLOSED, NOD_FAKE_MR_MERGED, NOD_FAKE_MR_LOCKED,
  };

  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (all); i++)
    {
      if (g_str_equal (string, nod_fake_mr_state_to_string (all[i])))
        {
          *state = all[i];
          return TRUE;
        }
    }
  return FALSE;
}

NodFakeUser *
nod_fake_dataset_add_user (NodFakeDataset *dataset,
                           gint64          id,
                           const char     *username,
                           const char     *name)
{
  NodFakeUser *user = g_new0 (NodFakeUser, 1);

  g_assert (nod_fake_dataset_find_user (dataset, id) == NULL);
  g_assert (nod_fake_dataset_find_username (dataset, username) == NULL);

  user->id = id;
  user->username = g_strdup (username);
  user->name = g_strdup (name);
  g_ptr_array_add (dataset->users, user);
  g_hash_table_insert (dataset->users_by_id, &user->id, user);
  g_hash_table_insert (dataset->users_by_username, user->username, user);
  dataset->version++;
  return user;
}

NodFakeProject *
nod_fake_dataset_add_project (NodFakeDataset *dataset,
                              gint64          id,
                              const char     *namespace_path,
                              const char     *namespace_name,
                              const char     *path,
                              const char     *name)
{
  NodFakeProject *project = g_new0 (NodFakeProject, 1);

  project->id = id;
  project->name = g_strdup (name);
  project->path = g_strdup (path);
  project->namespace_path = g_strdup (namespace_path);
  project->namespace_name = g_strdup (namespace_name);
  project->namespace_id = (gint64) (g_str_hash (namespace_path) % 9000) + 1000;
  project->path_with_namespace = g_strdup_printf ("%s/%s", namespace_path, path);
  project->name_with_namespace = g_strdup_printf ("%s / %s", namespace_name, name);
  project->default_branch = g_strdup ("main");
  project->merge_requests_by_iid = g_hash_table_new (g_int64_hash, g_int64_equal);
  project->repository = nod_fake_repository_new ();

  g_assert (g_hash_table_lookup (dataset->projects_by_id, &project->id) == NULL);
  g_assert (g_hash_table_lookup (dataset->projects_by_path, project->path_with_namespace)
            == NULL);
  g_ptr_array_add (dataset->projects, project);
  g_hash_table_insert (dataset->projects_by_id, &project->id, project);
  g_hash_table_insert (dataset->projects_by_path, project->path_with_namespace, project);
  dataset->version++;
  return project;
}

static void
add_version (NodFakeDataset      *dataset,
             NodFakeMergeRequest *merge_request,
             gint64               now_us)
{
  NodFakeVersion version = { 0 };

  version.id = ++dataset->last_version_id;
  memcpy (version.base_sha, merge_request->base_sha, sizeof version.base_sha);
  memcpy (version.start_sha, merge_request->start_sha, sizeof version.start_sha);
  memcpy (version.head_sha, merge_request->head_sha, sizeof version.head_sha);
  version.created_at = now_us;
  g_array_append_val (merge_request->versions, version);
}

NodFakeMergeRequest *
nod_fake_dataset_add_merge_request (NodFakeDataset *dataset,
                                    NodFakeProject *project,
                                    gint64          id,
                                    gint64          iid,
                                    NodFakeUser    *author,
                                    const char     *title,
                                    gint64          now_us)
{
  NodFakeMergeRequest *merge_request = g_new0 (NodFakeMergeRequest, 1);

  merge_request->id = id > 0 ? id : dataset->last_merge_request_id + 1;
  dataset->last_merge_request_id = MAX (dataset->last_merge_request_id, merge_request->id);
  merge_request->iid = iid > 0 ? iid : project->last_iid + 1;
  project->last_iid = MAX (project->last_iid, merge_request->iid);
  g_assert (nod_fake_dataset_find_merge_request (dataset, project, merge_request->iid) == NULL);

  merge_request->project = project;
  merge_request->title = g_strdup (title);
  merge_request->description = g_strdup ("");
  merge_request->state = NOD_FAKE_MR_OPENED;
  merge_request->created_at = now_us;
  merge_request->updated_at = now_us;
  merge_request->author = author;
  merge_request->source_branch = g_strdup_printf ("%s/mr-%" G_GINT64_FORMAT,
                                                  author->username, merge_request->iid);
  merge_request->target_branch = g_strdup (project->default_branch);
  merge_request->assignees = g_ptr_array_new ();
  merge_request->reviewers = g_ptr_array_new ();
  merge_request->approved_by = g_ptr_array_new ();
  merge_request->discussions = g_ptr_array_new_with_free_func (discussion_free);
  merge_request->versions = g_array_new (FALSE, TRUE, sizeof (NodFakeVersion));
  merge_request->draft_notes = g_ptr_array_new_with_free_func (draft_note_free);
  merge_request->notifications = g_array_new (FALSE, TRUE, sizeof (NodFakeNotification));
  merge_request->pipelines = g_array_new (FALSE, TRUE, sizeof (NodFakePipeline));
  merge_request->labels = g_new0 (char *, 1);

  /* The merge base and the target's head, then a first commit on the source branch: ids
   * only, until nod_fake_dataset_set_change() gives them files. */
  nod_fake_hex_id ((guint64) merge_request->id * 4 + 1, merge_request->base_sha);
  nod_fake_hex_id ((guint64) merge_request->id * 4 + 2, merge_request->start_sha);
  nod_fake_hex_id ((guint64) merge_request->id * 4 + 3, merge_request->head_sha);
  merge_request->commit_count = 1;
  add_version (dataset, merge_request, now_us);

  g_ptr_array_add (dataset->merge_requests, merge_request);
  g_hash_table_insert (project->merge_requests_by_iid, &merge_request->iid, merge_request);
  dataset->version++;
  return merge_request;
}

NodFakeDiscussion *
nod_fake_dataset_add_discussion (NodFakeDataset      *dataset,
                                 NodFakeMergeRequest *merge_request,
                                 gboolean             individual_note)
{
  NodFakeDiscussion *discussion = g_new0 (NodFakeDiscussion, 1);

  /* Offset from the seeds of commit shas, so a discussion id never looks like a sha. */
  dataset->last_discussion_seed++;
  nod_fake_hex_id (dataset->last_discussion_seed | G_GUINT64_CONSTANT (1) << 62,
                   discussion->id);
  discussion->individual_note = individual_note;
  discussion->notes = g_ptr_array_new_with_free_func (note_free);
  g_ptr_array_add (merge_request->discussions, discussion);
  dataset->version++;
  return discussion;
}

NodFakeNote *
nod_fake_dataset_add_note (NodFakeDataset    *dataset,
                           NodFakeDiscussion *discussion,
                           NodFakeUser       *author,
                           const char        *body,
                           NodFakeNoteType    type,
                           NodFakePosition   *position,
                           gint64             created_at)
{
  NodFakeNote *note = g_new0 (NodFakeNote, 1);

  note->id = ++dataset->last_note_id;
  note->type = type;
  note->body = g_strdup (body);
  note->author = author;
  note->created_at = created_at;
  note->updated_at = created_at;
  note->position = position;
  /* Notes in a thread can be resolved; single comments and system notes cannot. */
  note->resolvable = !discussion->individual_note;
  g_ptr_array_add (discussion->notes, note);
  dataset->version++;
  return note;
}

NodFakeNote *
nod_fake_dataset_add_reply (NodFakeDataset    *dataset,
                            NodFakeDiscussion *discussion,
                            NodFakeUser       *author,
                            const char        *body,
                            gint64             created_at)
{
  NodFakeNote *first = g_ptr_array_index (discussion->notes, 0);
  NodFakeNote *reply;

  g_assert (!first->system);
  if (discussion->individual_note)
    {
      discussion->individual_note = FALSE;
      first->type = NOD_FAKE_NOTE_DISCUSSION;
      first->resolvable = TRUE;
    }
  reply = nod_fake_dataset_add_note (dataset, discussion, author, body, first->type,
                                     first->position != NULL
                                     ? nod_fake_position_copy (first->position) : NULL,
                                     created_at);
  if (first->original_position != NULL)
    reply->original_position = nod_fake_position_copy (first->original_position);
  return reply;
}

NodFakeDiscussion *
nod_fake_dataset_start_thread (NodFakeDataset      *dataset,
                               NodFakeMergeRequest *merge_request,
                               NodFakeUser         *author,
                               const char          *body,
                               NodFakePosition     *position,
                               gint64               now_us)
{
  g_autoptr(NodFakePosition) sent = position;
  g_autoptr(NodFakePosition) traced = NULL;
  NodFakeDiscussion *discussion;
  NodFakeNoteType type = sent != NULL ? NOD_FAKE_NOTE_DIFF : NOD_FAKE_NOTE_DISCUSSION;
  NodFakeNote *note;

  /* On an earlier version: the note goes where its line is now, remembering where it was
   * made; when the line changed since, it stays there, outdated. */
  if (sent != NULL && memcmp (sent->head_sha, merge_request->head_sha,
                              NOD_FAKE_SHA_LENGTH) != 0)
    traced = nod_fake_position_trace (merge_request, sent);

  discussion = nod_fake_dataset_add_discussion (dataset, merge_request, FALSE);
  if (traced != NULL)
    {
      note = nod_fake_dataset_add_note (dataset, discussion, author, body, type,
                                        g_steal_pointer (&traced), now_us);
      note->original_position = g_steal_pointer (&sent);
    }
  else
    {
      nod_fake_dataset_add_note (dataset, discussion, author, body, type,
                                 g_steal_pointer (&sent), now_us);
    }
  return discussion;
}

NodFakeNote *
nod_fake_merge_request_find_note (NodFakeMergeRequest  *merge_request,
                                  gint64                note_id,
                                  NodFakeDiscussion   **discussion)
{
  for (guint i = 0; i < merge_request->discussions->len; i++)
    {
      NodFakeDiscussion *candidate = g_ptr_array_index (merge_request->discussions, i);

      for (guint j = 0; j < candidate->notes->len; j++)
        {
          NodFakeNote *note = g_ptr_array_index (candidate->notes, j);

          if (note->id != note_id)
            continue;
          if (discussion != NULL)
            *discussion = candidate;
          return note;
        }
    }
  return NULL;
}

gboolean
nod_fake_dataset_edit_note (NodFakeDataset *dataset,
                            NodFakeNote    *note,
                            const char     *body,
                            gint64          now_us)
{
  if (g_str_equal (note->body, body))
    return FALSE;
  g_free (note->body);
  note->body = g_strdup (body);
  note->updated_at = now_us;
  dataset->version++;
  return TRUE;
}

void
nod_fake_dataset_remove_note (NodFakeDataset      *dataset,
                              NodFakeMergeRequest *merge_request,
                              NodFakeDiscussion   *discussion,
                              NodFakeNote         *note)
{
  g_ptr_array_remove (discussion->notes, note);
  if (discussion->notes->len == 0)
    g_ptr_array_remove (merge_request->discussions, discussion);
  dataset->version++;
}

void
nod_fake_discussion_set_resolved (NodFakeDiscussion *discussion,
                                  gboolean           resolved,
                                  NodFakeUser       *user,
                                  gint64             now_us)
{
  for (guint i = 0; i < discussion->notes->len; i++)
    {
      NodFakeNote *note = g_ptr_array_index (discussion->notes, i);

      if (!note->resolvable || note->resolved == resolved)
        continue;
      note->resolved = resolved;
      note->resolved_by = resolved ? user : NULL;
      note->resolved_at = resolved ? now_us : 0;
    }
}

NodFakeDraftNote *
nod_fake_dataset_add_draft_note (NodFakeDataset      *dataset,
                                 NodFakeMergeRequest *merge_request,
                                 NodFakeUser         *author,
                                 const char          *note)
{
  NodFakeDraftNote *draft = g_new0 (NodFakeDraftNote, 1);

  draft->id = ++dataset->last_draft_note_id;
  draft->author = author;
  draft->note = g_strdup (note);
  g_ptr_array_add (merge_request->draft_notes, draft);
  return draft;
}

NodFakeDraftNote *
nod_fake_merge_request_find_draft_note (NodFakeMergeRequest *merge_request,
                                        NodFakeUser         *author,
                                        gint64               id)
{
  for (guint i = 0; i < merge_request->draft_notes->len; i++)
    {
      NodFakeDraftNote *draft = g_ptr_array_index (merge_request->draft_notes, i);

      if (draft->id == id)
        return draft->author == author ? draft : NULL;
    }
  return NULL;
}

NodFakeDraftNote *
nod_fake_merge_request_find_draft_reply (NodFakeMergeRequest *merge_request,
                                         NodFakeUser         *author,
                                         const char          *discussion_id)
{
  for (guint i = 0; i < merge_request->draft_notes->len; i++)
    {
      NodFakeDraftNote *draft = g_ptr_array_index (merge_request->draft_notes, i);

      if (draft->author == author && g_strcmp0 (draft->discussion_id, discussion_id) == 0)
        return draft;
    }
  return NULL;
}

void
nod_fake_merge_request_list_draft_notes (NodFakeMergeRequest *merge_request,
                                         NodFakeUser         *author,
                                         GPtrArray           *drafts)
{
  for (guint i = 0; i < merge_request->draft_notes->len; i++)
    {
      NodFakeDraftNote *draft = g_ptr_array_index (merge_request->draft_notes, i);

      if (draft->author == author)
        g_ptr_array_add (drafts, draft);
    }
}

void
nod_fake_merge_request_remove_draft_note (NodFakeMergeRequest *merge_request,
                                          NodFakeDraftNote    *draft)
{
  /* Not remove_fast: the others stay in id order. */
  g_ptr_array_remove (merge_request->draft_notes, draft);
}

void
nod_fake_merge_request_notify (NodFakeMergeRequest     *merge_request,
                               NodFakeNotificationKind  kind,
                               guint                    note_count)
{
  NodFakeNotification notification = { kind, note_count };

  g_array_append_val (merge_request->notifications, notification);
}

NodFakeUser *
nod_fake_dataset_find_user (NodFakeDataset *dataset,
                            gint64          id)
{
  return g_hash_table_lookup (dataset->users_by_id, &id);
}

NodFakeUser *
nod_fake_dataset_find_username (NodFakeDataset *dataset,
                                const char     *username)
{
  if (username == NULL)
    return NULL;
  return g_hash_table_lookup (dataset->users_by_username, username);
}

NodFakeProject *
nod_fake_dataset_find_project (NodFakeDataset *dataset,
                               const char     *id_or_path)
{
  guint64 id = 0;

  if (id_or_path == NULL)
    return NULL;
  if (g_ascii_string_to_unsigned (id_or_path, 10, 1, G_MAXINT64, &id, NULL))
    {
      gint64 signed_id = (gint64) id;
      return g_hash_table_lookup (dataset->projects_by_id, &signed_id);
    }
  return g_hash_table_lookup (dataset->projects_by_path, id_or_path);
}

NodFakeMergeRequest *
nod_fake_dataset_find_merge_request (NodFakeDataset *dataset,
                                     NodFakeProject *project,
                                     gint64          iid)
{
  return g_hash_table_lookup (project->merge_requests_by_iid, &iid);
}

NodFakeDiscussion *
nod_fake_merge_request_find_discussion (NodFakeMergeRequest *merge_request,
                                        const char          *discussion_id)
{
  for (guint i = 0; discussion_id != NULL && i < merge_request->discussions->len; i++)
    {
      NodFakeDiscussion *discussion = g_ptr_array_index (merge_request->discussions, i);

      if (g_str_equal (discussion->id, discussion_id))
        return discussion;
    }
  return NULL;
}

gboolean
nod_fake_merge_request_is_draft (NodFakeMergeRequest *merge_request)
{
  /* GitLab derives draft from the title prefix. */
  static const char *const prefixes[] = { "draft:", "[draft]", "(draft)", "draft " };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_ascii_strncasecmp (merge_request->title, prefixes[i], strlen (prefixes[i])) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
nod_fake_merge_request_has_approved (NodFakeMergeRequest *merge_request,
                                     NodFakeUser         *user)
{
  return user != NULL && g_ptr_array_find (merge_request->approved_by, user, NULL);
}

guint
nod_fake_merge_request_count_user_notes (NodFakeMergeRequest *merge_request)
{
  guint count = 0;

  for (guint i = 0; i < merge_request->discussions->len; i++)
    {
      NodFakeDiscussion *discussion = g_ptr_array_index (merge_request->discussions, i);

      for (guint j = 0; j < discussion->notes->len; j++)
        {
          NodFakeNote *note = g_ptr_array_index (discussion->notes, j);
          if (!note->system)
            count++;
        }
    }
  return count;
}

gboolean
nod_fake_discussion_is_resolvable (NodFakeDiscussion *discussion)
{
  for (guint i = 0; i < discussion->notes->len; i++)
    {
      NodFakeNote *note = g_ptr_array_index (discussion->notes, i);
      if (note->resolvable)
        return TRUE;
    }
  return FALSE;
}

gboolean
nod_fake_merge_request_has_unresolved_threads (NodFakeMergeRequest *merge_request)
{
  for (guint i = 0; i < merge_request->discussions->len; i++)
    {
      NodFakeDiscussion *discussion = g_ptr_array_index (merge_request->discussions, i);

      for (guint j = 0; j < discussion->notes->len; j++)
        {
          NodFakeNote *note = g_ptr_array_index (discussion->notes, j);
          if (note->resolvable && !note->resolved)
            return TRUE;
        }
    }
  return FALSE;
}

void
nod_fake_dataset_touch (NodFakeDataset      *dataset,
                        NodFakeMergeRequest *merge_request,
                        gint64               now_us)
{
  /* Strictly later, so a client's updated_after cursor always sees the change. */
  merge_request->updated_at = MAX (now_us, merge_request->updated_at + 1000);
  dataset->version++;
}

void
nod_fake_dataset_add_system_note (NodFakeDataset      *dataset,
                                  NodFakeMergeRequest *merge_request,
                                  NodFakeUser         *author,
                                  const char          *body,
                                  gint64               now_us)
{
  NodFakeDiscussion *discussion = nod_fake_dataset_add_discussion (dataset, merge_request, TRUE);
  NodFakeNote *note = nod_fake_dataset_add_note (dataset, discussion, author, body,
                                                 NOD_FAKE_NOTE_PLAIN, NULL, now_us);

  note->system = TRUE;
  note->resolvable = FALSE;
}

NodFakeVersion *
nod_fake_merge_request_find_version (NodFakeMergeRequest *merge_request,
                                     gint64               version_id)
{
  for (guint i = 0; i < merge_request->versions->len; i++)
    {
      NodFakeVersion *version = &g_array_index (merge_request->versions, NodFakeVersion, i);
      if (version->id == version_id)
        return version;
    }
  return NULL;
}

GPtrArray *
nod_fake_merge_request_diff (NodFakeMergeRequest *merge_request,
                             const char          *start_sha,
                             const char          *head_sha)
{
  NodFakeRepository *repository = merge_request->project->repository;
  NodFakeCommit *start = nod_fake_repository_find_commit (repository, start_sha);
  NodFakeCommit *head = nod_fake_repository_find_commit (repository, head_sha);

  if (start == NULL || head == NULL)
    return NULL;
  return nod_fake_repository_diff (repository, start, head);
}

void
nod_fake_dataset_set_change (NodFakeDataset      *dataset,
                             NodFakeMergeRequest *merge_request,
                             GHashTable          *base_files,
                             GHashTable          *head_changes,
                             gint64               now_us)
{
  NodFakeRepository *repository = merge_request->project->repository;
  const char *author_name = merge_request->author->name;
  g_autofree char *start_title = g_strdup_printf ("Merge branch '%s' into %s",
                                                  merge_request->source_branch,
                                                  merge_request->target_branch);
  g_autofree char *base_title = g_strdup_printf ("Release the work before !%" G_GINT64_FORMAT,
                                                 merge_request->iid);
  NodFakeCommit *base, *start, *head;

  /* The merge request's id keeps two merge requests' commits apart. */
  base = nod_fake_repository_commit (repository, NULL, base_files, base_title, author_name,
                                     merge_request->created_at - 2000,
                                     (guint64) merge_request->id);
  start = nod_fake_repository_commit (repository, base, NULL, start_title, author_name,
                                      merge_request->created_at - 1000,
                                      (guint64) merge_request->id);
  head = nod_fake_repository_commit (repository, start, head_changes, merge_request->title,
                                     author_name, merge_request->created_at,
                                     (guint64) merge_request->id);
  nod_fake_dataset_set_commits (dataset, merge_request, base, start, head, now_us);
}

void
nod_fake_dataset_set_commits (NodFakeDataset      *dataset,
                              NodFakeMergeRequest *merge_request,
                              NodFakeCommit       *base,
                              NodFakeCommit       *start,
                              NodFakeCommit       *head,
                              gint64               now_us)
{
  NodFakeVersion *version;

  memcpy (merge_request->base_sha, base->sha, sizeof merge_request->base_sha);
  memcpy (merge_request->start_sha, start->sha, sizeof merge_request->start_sha);
  memcpy (merge_request->head_sha, head->sha, sizeof merge_request->head_sha);
  merge_request->commit_count = 1;

  g_array_set_size (merge_request->versions, 0);
  add_version (dataset, merge_request, now_us);
  version = &g_array_index (merge_request->versions, NodFakeVersion, 0);
  version->created_at = merge_request->created_at;
  dataset->version++;
}

/* A line added at the end of the first text file the merge request changes (or of a
 * NEWS file): what a commit without chosen files does. */
static GHashTable *
default_commit_changes (NodFakeMergeRequest *merge_request,
                        NodFakeCommit       *head)
{
  NodFakeRepository *repository = merge_request->project->repository;
  GHashTable *changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) file_diffs = nod_fake_merge_request_diff (merge_request,
                                                                 merge_request->start_sha,
                                                                 merge_request->head_sha);
  const char *path = "NEWS";
  NodFakeBlob *blob;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; file_diffs != NULL && i < file_diffs->len; i++)
    {
      NodFakeFileDiff *file_diff = g_ptr_array_index (file_diffs, i);

      if (file_diff->new_blob != NULL && !file_diff->binary && !file_diff->too_large)
        {
          path = file_diff->new_path;
          break;
        }
    }
  blob = head != NULL ? nod_fake_commit_find_file (head, path) : NULL;
  if (blob != NULL)
    g_string_append_len (text, g_bytes_get_data (blob->content, NULL),
                         (gssize) g_bytes_get_size (blob->content));
  if (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');
  g_string_append_printf (text, "Follow-up %u.\n", merge_request->commit_count + 1);
  g_hash_table_insert (changes, g_strdup (path),
                       nod_fake_repository_add_text (repository, text->str));
  return changes;
}

/* GitLab moves diff threads on the last version (@previous_head) to the new one when their
 * line did not change (keeping where they were made); the others are outdated: left where
 * they were, for good. */
static void
trace_diff_notes (NodFakeMergeRequest *merge_request,
                  const char          *previous_head)
{
  for (guint i = 0; i < merge_request->discussions->len; i++)
    {
      NodFakeDiscussion *discussion = g_ptr_array_index (merge_request->discussions, i);

      for (guint j = 0; j < discussion->notes->len; j++)
        {
          NodFakeNote *note = g_ptr_array_index (discussion->notes, j);
          NodFakePosition *traced;

          if (note->position == NULL
              || memcmp (note->position->head_sha, previous_head, NOD_FAKE_SHA_LENGTH) != 0)
            continue;
          traced = nod_fake_position_trace (merge_request, note->position);
          if (traced == NULL)
            continue;
          if (note->original_position == NULL)
            note->original_position = g_steal_pointer (&note->position);
          nod_fake_position_free (note->position);
          note->position = traced;
        }
    }
}

void
nod_fake_dataset_add_earlier_commits (NodFakeDataset      *dataset,
                                      NodFakeMergeRequest *merge_request,
                                      const char * const  *titles,
                                      gint64               now_us)
{
  NodFakeRepository *repository = merge_request->project->repository;
  NodFakeCommit *base = nod_fake_repository_find_commit (repository, merge_request->base_sha);
  NodFakeCommit *start = nod_fake_repository_find_commit (repository, merge_request->start_sha);
  NodFakeCommit *head = nod_fake_repository_find_commit (repository, merge_request->head_sha);
  guint count = titles != NULL ? g_strv_length ((GStrv) titles) : 0;
  NodFakeCommit *parent = start;

  g_return_if_fail (base != NULL && start != NULL && head != NULL);
  if (count == 0)
    return;

  /* An hour apart, before the last: they change no file, so the diff stays the head's. */
  for (guint i = 0; i < count; i++)
    parent = nod_fake_repository_commit (repository, parent, NULL, titles[i],
                                         merge_request->author->name,
                                         head->created_at
                                         - (gint64) (count - i) * 3600 * G_USEC_PER_SEC,
                                         (guint64) merge_request->id);
  head = nod_fake_repository_commit_tree (repository, parent, head->tree, head->title,
                                          head->author_name, head->created_at,
                                          (guint64) merge_request->id);
  nod_fake_dataset_set_commits (dataset, merge_request, base, start, head, now_us);
  merge_request->commit_count = count + 1;
}

void
nod_fake_dataset_new_commit (NodFakeDataset      *dataset,
                             NodFakeMergeRequest *merge_request,
                             GHashTable          *changes,
                             const char          *title,
                             gint64               now_us)
{
  NodFakeRepository *repository = merge_request->project->repository;
  NodFakeCommit *head = nod_fake_repository_find_commit (repository, merge_request->head_sha);
  g_autoptr(GHashTable) default_changes = NULL;
  g_autofree char *default_title = NULL;
  gint64 commit_time = MAX (now_us, merge_request->updated_at + 1000);
  char previous_head[NOD_FAKE_SHA_LENGTH + 1];
  NodFakeCommit *commit;

  if (changes == NULL)
    changes = default_changes = default_commit_changes (merge_request, head);
  merge_request->commit_count++;
  default_title = g_strdup_printf ("Address review comments (%u)", merge_request->commit_count);
  commit = nod_fake_repository_commit (repository, head, changes,
                                       title != NULL ? title : default_title,
                                       merge_request->author->name, commit_time,
                                       (guint64) merge_request->id);
  memcpy (previous_head, merge_request->head_sha, sizeof previous_head);
  memcpy (merge_request->head_sha, commit->sha, sizeof merge_request->head_sha);
  add_version (dataset, merge_request, now_us);
  trace_diff_notes (merge_request, previous_head);
  nod_fake_dataset_touch (dataset, merge_request, now_us);
}

void
nod_fake_mr_query_init (NodFakeMrQuery *query)
{
  memset (query, 0, sizeof *query);
  query->reviewer_filter = NOD_FAKE_REVIEWER_ANY_OR_NONE;
  query->state = -1;
  query->updated_after = G_MININT64;
  query->updated_before = G_MAXINT64;
  query->created_after = G_MININT64;
  query->created_before = G_MAXINT64;
}

static char *
mr_query_to_key (const NodFakeMrQuery *query)
{
  return g_strdup_printf ("%d/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                          "/%d:%" G_GINT64_FORMAT "/%d/%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                          "/%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%d/%d",
                          query->match_nothing, query->project_id, query->author_id,
                          query->assignee_id, query->reviewer_filter, query->reviewer_id,
                          query->state, query->updated_after, query->updated_before,
                          query->created_after, query->created_before,
                          query->order_by_updated_at, query->ascending);
}

static gboolean
mr_query_matches (const NodFakeMrQuery *query,
                  NodFakeMergeRequest  *merge_request)
{
  if (query->project_id != 0 && merge_request->project->id != query->project_id)
    return FALSE;
  if (query->author_id != 0 && merge_request->author->id != query->author_id)
    return FALSE;
  if (query->state >= 0 && (int) merge_request->state != query->state)
    return FALSE;
  if (merge_request->updated_at < query->updated_after
      || merge_request->updated_at > query->updated_before
      || merge_request->created_at < query->created_after
      || merge_request->created_at > query->created_before)
    return FALSE;

  if (query->assignee_id != 0)
    {
      NodFakeUser *assignee = NULL;

      for (guint i = 0; i < merge_request->assignees->len && assignee == NULL; i++)
        {
          NodFakeUser *user = g_ptr_array_index (merge_request->assignees, i);
          if (user->id == query->assignee_id)
            assignee = user;
        }
      if (assignee == NULL)
        return FALSE;
    }

  switch (query->reviewer_filter)
    {
    case NOD_FAKE_REVIEWER_ANY_OR_NONE:
      return TRUE;
    case NOD_FAKE_REVIEWER_NONE:
      return merge_request->reviewers->len == 0;
    case NOD_FAKE_REVIEWER_SOME:
      return merge_request->reviewers->len > 0;
    case NOD_FAKE_REVIEWER_USER:
      for (guint i = 0; i < merge_request->reviewers->len; i++)
        {
          NodFakeUser *user = g_ptr_array_index (merge_request->reviewers, i);
          if (user->id == query->reviewer_id)
            return TRUE;
        }
      return FALSE;
    default:
      g_assert_not_reached ();
    }
}

static int
compare_merge_requests (gconstpointer a,
                        gconstpointer b,
                        gpointer      user_data)
{
  const NodFakeMrQuery *query = user_data;
  const NodFakeMergeRequest *left = *(NodFakeMergeRequest * const *) a;
  const NodFakeMergeRequest *right = *(NodFakeMergeRequest * const *) b;
  gint64 left_time = query->order_by_updated_at ? left->updated_at : left->created_at;
  gint64 right_time = query->order_by_updated_at ? right->updated_at : right->created_at;
  int order;

  /* Ties are broken by id, in the same direction, like GitLab's keyset order. */
  if (left_time != right_time)
    order = left_time < right_time ? -1 : 1;
  else
    order = left->id < right->id ? -1 : (left->id > right->id ? 1 : 0);
  return query->ascending ? order : -order;
}

GPtrArray *
nod_fake_dataset_query_merge_requests (NodFakeDataset       *dataset,
                                       const NodFakeMrQuery *query)
{
  g_autofree char *key = mr_query_to_key (query);
  CachedQuery *cached;

  if (dataset->query_cache_version != dataset->version)
    {
      g_ptr_array_set_size (dataset->query_cache, 0);
      dataset->query_cache_version = dataset->version;
    }

  for (guint i = 0; i < dataset->query_cache->len; i++)
    {
      cached = g_ptr_array_index (dataset->query_cache, i);
      if (g_str_equal (cached->key, key))
        return cached->results;
    }

  cached = g_new0 (CachedQuery, 1);
  cached->key = g_steal_pointer (&key);
  cached->results = g_ptr_array_new ();
  if (!query->match_nothing)
    {
      for (guint i = 0; i < dataset->merge_requests->len; i++)
        {
          NodFakeMergeRequest *merge_request = g_ptr_array_index (dataset->merge_requests, i);
          if (mr_query_matches (query, merge_request))
            g_ptr_array_add (cached->results, merge_request);
        }
      g_ptr_array_sort_with_data (cached->results, compare_merge_requests, (gpointer) query);
    }

  if (dataset->query_cache->len >= QUERY_CACHE_SIZE)
    g_ptr_array_remove_index (dataset->query_cache, dataset->query_cache->len - 1);
  g_ptr_array_insert (dataset->query_cache, 0, cached);
  return cached->results;
}

/* The newest pipeline on @sha takes @status (a pipeline moving on); when the newest on
 * @sha is not there, a new one starts. Like GitLab, this leaves the merge request's
 * updated_at alone (its head pipeline is set with update_column). */
NodFakePipeline *
nod_fake_dataset_set_pipeline (NodFakeDataset      *dataset,
                               NodFakeMergeRequest *merge_request,
                               const char          *sha,
                               const char          *status,
                               gint64               now_us)
{
  NodFakePipeline *pipeline = NULL;

  g_return_val_if_fail (strlen (sha) == NOD_FAKE_SHA_LENGTH, NULL);
  g_return_val_if_fail (strlen (status) <= NOD_FAKE_PIPELINE_STATUS_MAX, NULL);

  for (guint i = merge_request->pipelines->len; i-- > 0 && pipeline == NULL;)
    {
      NodFakePipeline *candidate = &g_array_index (merge_request->pipelines, NodFakePipeline, i);

      if (g_str_equal (candidate->sha, sha))
        pipeline = candidate;
    }
  if (pipeline == NULL)
    {
      NodFakePipeline created = { 0, };

      created.id = ++dataset->last_pipeline_id;
      memcpy (created.sha, sha, NOD_FAKE_SHA_LENGTH + 1);
      created.created_at = now_us;
      g_array_append_val (merge_request->pipelines, created);
      pipeline = &g_array_index (merge_request->pipelines, NodFakePipeline,
                                 merge_request->pipelines->len - 1);
    }
  g_strlcpy (pipeline->status, status, sizeof pipeline->status);
  pipeline->updated_at = now_us;
  dataset->version++;
  return pipeline;
}

void
nod_fake_merge_request_set_labels (NodFakeMergeRequest *merge_request,
                                   const char * const  *labels)
{
  g_strfreev (merge_request->labels);
  merge_request->labels = g_strdupv ((char **) labels);
}
