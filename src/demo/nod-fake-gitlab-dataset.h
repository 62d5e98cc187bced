/* nod-fake-gitlab-dataset.h: the fake GitLab's in-memory state (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain structs, no GObject: the dataset is owned by one NodFakeGitlab and lives on its
 * main context. Times are Unix microseconds, truncated to milliseconds (GitLab shows
 * milliseconds); 0 means "null". Users are never removed, so the user pointers that
 * merge requests and notes hold stay valid for the dataset's lifetime.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "nod-fake-gitlab-repository.h"

G_BEGIN_DECLS

#define NOD_FAKE_SHA_LENGTH 40

typedef enum
{
  NOD_FAKE_MR_OPENED,
  NOD_FAKE_MR_CLOSED,
  NOD_FAKE_MR_MERGED,
  NOD_FAKE_MR_LOCKED,
} NodFakeMrState;

typedef enum
{
  NOD_FAKE_NOTE_PLAIN,       /* "type": null (a single comment or a system note) */
  NOD_FAKE_NOTE_DISCUSSION,  /* "type": "DiscussionNote" (a note in a thread) */
  NOD_FAKE_NOTE_DIFF,        /* "type": "DiffNote" (a note on a line of the diff) */
} NodFakeNoteType;

typedef struct
{
  gint64  id;
  char   *username;
  char   *name;
} NodFakeUser;

typedef struct
{
  gint64      id;
  char       *name;
  char       *path;
  char       *namespace_path;
  char       *namespace_name;
  gint64      namespace_id;
  char       *path_with_namespace;
  char       *name_with_namespace;
  char       *description;
  char       *default_branch;
  gint64      last_iid;
  /* iid (gint64 *) -> NodFakeMergeRequest *, not owned */
  GHashTable *merge_requests_by_iid;
  NodFakeRepository *repository;
} NodFakeProject;

typedef struct
{
  char   base_sha[NOD_FAKE_SHA_LENGTH + 1];
  char   start_sha[NOD_FAKE_SHA_LENGTH + 1];
  char   head_sha[NOD_FAKE_SHA_LENGTH + 1];
  char  *old_path;
  char  *new_path;
  gint64 old_line;  /* 0: null */
  gint64 new_line;  /* 0: null */
  /* A multi-line comment's first and last lines (0: null), when it has a line_range. */
  gboolean has_line_range;
  gint64   range_start_old_line;
  gint64   range_start_new_line;
  gint64   range_end_old_line;
  gint64   range_end_new_line;
} NodFakePosition;

typedef struct
{
  gint64           id;
  NodFakeNoteType  type;
  char            *body;
  NodFakeUser     *author;
  gint64           created_at;
  gint64           updated_at;
  gboolean         system;
  gboolean         resolvable;
  gboolean         resolved;
  NodFakeUser     *resolved_by;
  gint64           resolved_at;
  NodFakePosition *position;  /* DiffNote only */
  /* Where the note was made, when that is not @position: GitLab traced it to a later
   * version of the diff. An outdated note keeps both where they were. */
  NodFakePosition *original_position;
} NodFakeNote;

typedef struct
{
  char       id[NOD_FAKE_SHA_LENGTH + 1];
  gboolean   individual_note;
  GPtrArray *notes;  /* NodFakeNote *, owned, oldest first */
} NodFakeDiscussion;

/* A draft note: a comment of a review not yet published, seen by its author only. Its
 * position is kept as sent and judged when it is published. */
typedef struct
{
  gint64       id;
  NodFakeUser *author;
  char        *note;
  char        *discussion_id;  /* the thread it replies to; NULL: it starts one */
  char        *commit_id;      /* NULL unless sent */
  gboolean     resolve_discussion;
  JsonNode    *position;       /* NULL: none */
} NodFakeDraftNote;

/* What notified a merge request's author: a note, or a whole review at once. */
typedef enum
{
  NOD_FAKE_NOTIFICATION_NOTE,
  NOD_FAKE_NOTIFICATION_REVIEW,
} NodFakeNotificationKind;

typedef struct
{
  NodFakeNotificationKind kind;
  guint                   note_count;
} NodFakeNotification;

/* One CI pipeline of a merge request, on one of its commits. */
#define NOD_FAKE_PIPELINE_STATUS_MAX 64
typedef struct
{
  gint64 id;
  char   sha[NOD_FAKE_SHA_LENGTH + 1];
  char   status[NOD_FAKE_PIPELINE_STATUS_MAX + 1];  /* as the control API set it */
  gint64 created_at;
  gint64 updated_at;
} NodFakePipeline;

/* One version of a merge request's diff: one per head it has had. */
typedef struct
{
  gint64 id;
  char   base_sha[NOD_FAKE_SHA_LENGTH + 1];
  char   start_sha[NOD_FAKE_SHA_LENGTH + 1];
  char   head_sha[NOD_FAKE_SHA_LENGTH + 1];
  gint64 created_at;
} NodFakeVersion;

typedef struct
{
  gint64          id;
  gint64          iid;
  NodFakeProject *project;
  char           *title;
  char           *description;
  NodFakeMrState  state;
  gint64          created_at;
  gint64          updated_at;
  gint64          merged_at;
  gint64          closed_at;
  NodFakeUser    *merged_by;
  NodFakeUser    *closed_by;
  char           *source_branch;
  char           *target_branch;
  NodFakeUser    *author;
  GPtrArray      *assignees;    /* NodFakeUser *, not owned */
  GPtrArray      *reviewers;    /* NodFakeUser *, not owned */
  GPtrArray      *approved_by;  /* NodFakeUser *, not owned, in approval order */
  guint           approvals_required;
  gboolean        has_conflicts;
  guint           commit_count;
  char            base_sha[NOD_FAKE_SHA_LENGTH + 1];
  char            start_sha[NOD_FAKE_SHA_LENGTH + 1];
  char            head_sha[NOD_FAKE_SHA_LENGTH + 1];
  GPtrArray      *discussions;  /* NodFakeDiscussion *, owned, oldest first */
  GArray         *versions;     /* NodFakeVersion, oldest first; the last is the current */
  GPtrArray      *draft_notes;  /* NodFakeDraftNote *, owned, everyone's, lowest id first */
  GArray         *notifications;  /* NodFakeNotification, oldest first */
  GArray         *pipelines;    /* NodFakePipeline, oldest first */
  GStrv           labels;       /* never NULL */
} NodFakeMergeRequest;

/* Which merge requests a list request wants, and in which order. */
typedef enum
{
  NOD_FAKE_REVIEWER_ANY_OR_NONE,  /* no reviewer filter */
  NOD_FAKE_REVIEWER_NONE,         /* reviewer_id=None */
  NOD_FAKE_REVIEWER_SOME,         /* reviewer_id=Any */
  NOD_FAKE_REVIEWER_USER,         /* reviewer_id=N or reviewer_username=X */
} NodFakeReviewerFilter;

typedef struct
{
  gboolean               match_nothing;   /* e.g. an unknown username was asked for */
  gint64                 project_id;      /* 0: every project */
  gint64                 author_id;       /* 0: anyone */
  gint64                 assignee_id;     /* 0: anyone */
  NodFakeReviewerFilter  reviewer_filter;
  gint64                 reviewer_id;
  int                    state;           /* a NodFakeMrState, or -1 for all */
  gint64                 updated_after;   /* inclusive bounds; G_MININT64/G_MAXINT64: none */
  gint64                 updated_before;
  gint64                 created_after;
  gint64                 created_before;
  gboolean               order_by_updated_at;
  gboolean               ascending;
} NodFakeMrQuery;

typedef struct _NodFakeDataset NodFakeDataset;

struct _NodFakeDataset
{
  GPtrArray  *users;                   /* NodFakeUser *, owned */
  GHashTable *users_by_id;             /* gint64 * -> NodFakeUser * */
  GHashTable *users_by_username;       /* const char * -> NodFakeUser * */
  GPtrArray  *projects;                /* NodFakeProject *, owned, by id */
  GHashTable *projects_by_id;
  GHashTable *projects_by_path;        /* path_with_namespace -> NodFakeProject * */
  GPtrArray  *merge_requests;          /* NodFakeMergeRequest *, owned, by id */
  gint64      last_merge_request_id;
  gint64      last_note_id;
  guint64     last_discussion_seed;
  guint64     last_commit_seed;
  gint64      last_version_id;
  gint64      last_draft_note_id;
  gint64      last_pipeline_id;
  /* Bumped by every change; the query cache is only valid for one version. */
  guint64     version;
  GPtrArray  *query_cache;             /* CachedQuery *, owned */
  guint64     query_cache_version;
};

NodFakeDataset      *nod_fake_dataset_new                 (void);
void                 nod_fake_dataset_free                (NodFakeDataset       *dataset);

/* Loads the fixture format documented in nod-fake-gitlab-fixture.c; relative times are
 * taken from @now_us. */
NodFakeDataset      *nod_fake_dataset_new_from_fixture    (GBytes               *json,
                                                           gint64                now_us,
                                                           GError              **error);
/* The same in two steps, so that a fixture is parsed once however often it is loaded: the
 * tree (which loading only reads), then a dataset from it. */
JsonNode            *nod_fake_fixture_parse               (GBytes               *json,
                                                           GError              **error);
NodFakeDataset      *nod_fake_dataset_new_from_fixture_root (JsonNode           *root,
                                                             gint64              now_us,
                                                             GError            **error);
/* The benchmark dataset: deterministic for a given @n_merge_requests. */
NodFakeDataset      *nod_fake_dataset_new_generated       (guint                 n_merge_requests,
                                                           gint64                now_us);

NodFakeUser         *nod_fake_dataset_add_user            (NodFakeDataset       *dataset,
                                                           gint64                id,
                                                           const char           *username,
                                                           const char           *name);
NodFakeProject      *nod_fake_dataset_add_project         (NodFakeDataset       *dataset,
                                                           gint64                id,
                                                           const char           *namespace_path,
                                                           const char           *namespace_name,
                                                           const char           *path,
                                                           const char           *name);
/* A new opened merge request with the next iid of @project (when @iid is 0) and, when
 * @id is 0, the next id; created_at = updated_at = @now_us; a fresh head sha. */
NodFakeMergeRequest *nod_fake_dataset_add_merge_request   (NodFakeDataset       *dataset,
                                                           NodFakeProject       *project,
                                                           gint64                id,
                                                           gint64                iid,
                                                           NodFakeUser          *author,
                                                           const char           *title,
                                                           gint64                now_us);
NodFakeDiscussion   *nod_fake_dataset_add_discussion      (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           gboolean              individual_note);
/* Appends a note (ownership of @position taken) to @discussion, with the next note id. */
NodFakeNote         *nod_fake_dataset_add_note            (NodFakeDataset       *dataset,
                                                           NodFakeDiscussion    *discussion,
                                                           NodFakeUser          *author,
                                                           const char           *body,
                                                           NodFakeNoteType       type,
                                                           NodFakePosition      *position,
                                                           gint64                created_at);

/* A reply in @discussion, which must not be a system note: a DiffNote on the thread's line
 * in a diff thread; a reply to a single comment turns it into a thread, as on GitLab. */
NodFakeNote         *nod_fake_dataset_add_reply           (NodFakeDataset       *dataset,
                                                           NodFakeDiscussion    *discussion,
                                                           NodFakeUser          *author,
                                                           const char           *body,
                                                           gint64                created_at);

/* A new thread of one note by @author: a DiffNote when @position (taken) is set — traced to
 * the current version when it was made on an earlier one — otherwise a DiscussionNote. */
NodFakeDiscussion   *nod_fake_dataset_start_thread        (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           NodFakeUser          *author,
                                                           const char           *body,
                                                           NodFakePosition      *position,
                                                           gint64                now_us);
/* Note @note_id of @merge_request, and the thread it is in; NULL when it has none of that
 * id (a note of another merge request among them). */
NodFakeNote         *nod_fake_merge_request_find_note     (NodFakeMergeRequest  *merge_request,
                                                           gint64                note_id,
                                                           NodFakeDiscussion   **discussion);
/* @note's text is @body now; its updated_at moves to @now_us only when the text changed
 * (Rails saves nothing otherwise). Returns whether it changed. */
gboolean             nod_fake_dataset_edit_note           (NodFakeDataset       *dataset,
                                                           NodFakeNote          *note,
                                                           const char           *body,
                                                           gint64                now_us);
/* Removes @note from @discussion and frees it; a thread left with no notes goes too, as a
 * GitLab thread is nothing but its notes. */
void                 nod_fake_dataset_remove_note         (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           NodFakeDiscussion    *discussion,
                                                           NodFakeNote          *note);
/* Resolves (by @user) or unresolves every resolvable note of @discussion. */
void                 nod_fake_discussion_set_resolved     (NodFakeDiscussion    *discussion,
                                                           gboolean              resolved,
                                                           NodFakeUser          *user,
                                                           gint64                now_us);

/* A draft of @author's with the next draft id, last of the merge request's. */
NodFakeDraftNote    *nod_fake_dataset_add_draft_note      (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           NodFakeUser          *author,
                                                           const char           *note);
/* @author's draft @id; NULL when there is none or it is someone else's. */
NodFakeDraftNote    *nod_fake_merge_request_find_draft_note (NodFakeMergeRequest *merge_request,
                                                             NodFakeUser         *author,
                                                             gint64               id);
/* @author's reply to @discussion_id, if any: one draft reply per user and thread. */
NodFakeDraftNote    *nod_fake_merge_request_find_draft_reply (NodFakeMergeRequest *merge_request,
                                                              NodFakeUser         *author,
                                                              const char          *discussion_id);
/* @author's drafts, oldest first, into @drafts (not owned). */
void                 nod_fake_merge_request_list_draft_notes (NodFakeMergeRequest *merge_request,
                                                              NodFakeUser         *author,
                                                              GPtrArray           *drafts);
/* Removes @draft from its merge request and frees it. */
void                 nod_fake_merge_request_remove_draft_note (NodFakeMergeRequest *merge_request,
                                                               NodFakeDraftNote    *draft);
/* One more event that notified the merge request's author. */
NodFakePipeline     *nod_fake_dataset_set_pipeline        (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           const char           *sha,
                                                           const char           *status,
                                                           gint64                now_us);
void                 nod_fake_merge_request_set_labels    (NodFakeMergeRequest  *merge_request,
                                                           const char * const   *labels);
void                 nod_fake_merge_request_notify        (NodFakeMergeRequest  *merge_request,
                                                           NodFakeNotificationKind kind,
                                                           guint                 note_count);

NodFakeUser         *nod_fake_dataset_find_user           (NodFakeDataset       *dataset,
                                                           gint64                id);
NodFakeUser         *nod_fake_dataset_find_username       (NodFakeDataset       *dataset,
                                                           const char           *username);
/* @id_or_path: a numeric id or a path with namespace ("group/project"), decoded. */
NodFakeProject      *nod_fake_dataset_find_project        (NodFakeDataset       *dataset,
                                                           const char           *id_or_path);
NodFakeMergeRequest *nod_fake_dataset_find_merge_request  (NodFakeDataset       *dataset,
                                                           NodFakeProject       *project,
                                                           gint64                iid);
NodFakeDiscussion   *nod_fake_merge_request_find_discussion (NodFakeMergeRequest *merge_request,
                                                             const char          *discussion_id);

/* The merge requests @query wants, sorted; owned by the dataset's cache and valid until
 * the next change to the dataset. */
GPtrArray           *nod_fake_dataset_query_merge_requests (NodFakeDataset       *dataset,
                                                            const NodFakeMrQuery *query);
void                 nod_fake_mr_query_init               (NodFakeMrQuery       *query);

/* Changes: each bumps the dataset version and the merge request's updated_at. */
void                 nod_fake_dataset_touch               (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           gint64                now_us);
void                 nod_fake_dataset_add_system_note     (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           NodFakeUser          *author,
                                                           const char           *body,
                                                           gint64                now_us);
/* A new head: @changes (path -> NodFakeBlob * of the project's repository, or NULL to
 * delete) applied to the current one, or, when @changes is NULL, a line added to one of the
 * changed files; a new version, and the diff threads traced to it. @title: the commit's
 * (NULL: "Address review comments (N)"). */
void                 nod_fake_dataset_new_commit          (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           GHashTable           *changes,
                                                           const char           *title,
                                                           gint64                now_us);
/* Commits on the source branch before its head, oldest first, that change no file: the
 * head is made again on the last of them (its diff the same), as the only version. */
void                 nod_fake_dataset_add_earlier_commits (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           const char * const   *titles,
                                                           gint64                now_us);
/* The merge request's whole change, as its one version: @base_files (path ->
 * NodFakeBlob *) at the merge base, @head_changes applied on the source branch. */
void                 nod_fake_dataset_set_change          (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           GHashTable           *base_files,
                                                           GHashTable           *head_changes,
                                                           gint64                now_us);
/* The same from commits of the project's repository: base, start (on base) and head (on
 * start). */
void                 nod_fake_dataset_set_commits         (NodFakeDataset       *dataset,
                                                           NodFakeMergeRequest  *merge_request,
                                                           NodFakeCommit        *base,
                                                           NodFakeCommit        *start,
                                                           NodFakeCommit        *head,
                                                           gint64                now_us);
NodFakeVersion      *nod_fake_merge_request_find_version  (NodFakeMergeRequest  *merge_request,
                                                           gint64                version_id);
/* The diff of @start_sha to @head_sha in the merge request's project; NULL when the
 * repository lacks either. */
GPtrArray           *nod_fake_merge_request_diff          (NodFakeMergeRequest  *merge_request,
                                                           const char           *start_sha,
                                                           const char           *head_sha);

/* nod-fake-gitlab-position.c */

/* TRUE when @position names a line of the diff of its own shas, as GitLab checks a
 * DiffNote's line code (and its line_range, if any). */
gboolean             nod_fake_position_is_on_diff         (NodFakeMergeRequest  *merge_request,
                                                           const NodFakePosition *position);
/* @position on the merge request's current version when its line did not change since
 * @position's version; NULL when it did (the note is then outdated). A position already
 * on the current version is copied. */
NodFakePosition     *nod_fake_position_trace              (NodFakeMergeRequest  *merge_request,
                                                           const NodFakePosition *position);

/* nod-fake-gitlab-synthetic.c: made-up files for changes nobody wrote */

/* A line a made-up change must have: old only (removed), new only (added), both
 * (unchanged). */
typedef struct
{
  guint old_line;
  guint new_line;
} NodFakeLineWish;

/* Texts for @path before and after a change that has every one of @wishes (those it cannot
 * have together are left out), in the path's language; the same arguments, the same
 * texts. */
void                 nod_fake_synthetic_change            (const char           *path,
                                                           guint                 variant,
                                                           const NodFakeLineWish *wishes,
                                                           guint                 n_wishes,
                                                           char                **base_text,
                                                           char                **head_text);
/* nod_fake_dataset_set_change() with a made-up change to each of @paths; @wishes are
 * lines of the first. */
void                 nod_fake_dataset_set_synthetic_change (NodFakeDataset        *dataset,
                                                            NodFakeMergeRequest   *merge_request,
                                                            const char *const     *paths,
                                                            guint                  n_paths,
                                                            guint                  variant,
                                                            const NodFakeLineWish *wishes,
                                                            guint                  n_wishes,
                                                            gint64                 now_us);

gboolean             nod_fake_merge_request_is_draft      (NodFakeMergeRequest  *merge_request);
gboolean             nod_fake_merge_request_has_approved  (NodFakeMergeRequest  *merge_request,
                                                           NodFakeUser          *user);
guint                nod_fake_merge_request_count_user_notes (NodFakeMergeRequest *merge_request);
gboolean             nod_fake_merge_request_has_unresolved_threads
                                                          (NodFakeMergeRequest  *merge_request);
gboolean             nod_fake_discussion_is_resolvable    (NodFakeDiscussion    *discussion);

const char          *nod_fake_mr_state_to_string          (NodFakeMrState        state);
gboolean             nod_fake_mr_state_from_string        (const char           *string,
                                                           NodFakeMrState       *state);

NodFakePosition     *nod_fake_position_copy               (const NodFakePosition *position);
void                 nod_fake_position_free               (NodFakePosition      *position);

/* 40 lowercase hex digits derived from @seed (a SHA-like id, deterministic). */
void                 nod_fake_hex_id                      (guint64               seed,
                                                           char out[NOD_FAKE_SHA_LENGTH + 1]);
/* A small, fast, deterministic pseudo-random generator (splitmix64). */
guint64              nod_fake_random_next                 (guint64              *state);

/* Deeper JSON than any request or fixture needs: json-glib parses recursively, so a body of
 * nothing but "[[[[…" would overflow the stack. */
#define NOD_FAKE_MAX_JSON_DEPTH 32

/* TRUE when arrays and objects in @data nest deeper than @max_depth (a cheap scan that
 * skips strings; it does not validate the JSON). */
gboolean             nod_fake_json_is_too_deep            (const char           *data,
                                                           gsize                 length,
                                                           guint                 max_depth);

/* "2026-11-20T10:15:30.123Z" */
char                *nod_fake_format_time                 (gint64                time_us);
#define NOD_FAKE_TIME_BUFFER_SIZE 32
/* The same, into @buffer: nothing allocated. */
void                 nod_fake_format_time_to              (gint64                time_us,
                                                           char buffer[NOD_FAKE_TIME_BUFFER_SIZE]);
/* ISO 8601 date-time (a zone-less time is UTC) or a bare date; FALSE when invalid. */
gboolean             nod_fake_parse_time                  (const char           *text,
                                                           gint64               *time_us);
/* Now, truncated to milliseconds. */
gint64               nod_fake_now                         (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodFakeDataset, nod_fake_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodFakePosition, nod_fake_position_free)

G_END_DECLS
