/* nod-fake-gitlab-private.h: what the fake's files share (the REST API, the control API,
 * the JSON shapes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "nod-fake-gitlab.h"
#include "nod-fake-gitlab-dataset.h"

G_BEGIN_DECLS

#define NOD_FAKE_DEFAULT_RATE_LIMIT  2000
#define NOD_FAKE_DEFAULT_NOTES_LIMIT 60
/* The longest note GitLab keeps, in characters (Gitlab::Database::MAX_TEXT_SIZE_LIMIT). */
#define NOD_FAKE_NOTE_MAX_CHARS 1000000

/* A gate: the requests its faults catch wait in it until the control API releases them.
 * It lives from the first fault that names it until it is released or the fake reset. */
typedef struct
{
  char      *name;
  GPtrArray *held;  /* NodFakeRequest *, owned, in the order they came */
} NodFakeGate;

/* One fault injected through POST /__fake/faults. */
typedef struct
{
  char   *method;       /* NULL: any method */
  GRegex *path_regex;
  guint   status;       /* 0: none */
  guint   times;        /* left to apply */
  guint   delay_ms;
  guint   retry_after;  /* 0: no Retry-After header */
  gboolean drop;
  gboolean malformed;
  gboolean applied;   /* the request takes effect before the answer is lost */
  NodFakeGate *gate;  /* NULL: none; releasing a gate removes the faults that feed it */
  char   *message;      /* with status: the answer's "message"; NULL: "403 Forbidden" … */
  /* A hostile or broken server: no answer ever (until reset), a body sent a byte at a time,
   * pagination headers that lie. */
  gboolean stall;
  guint    drip_ms;      /* 0: the body goes at once */
  gboolean has_next_page;
  guint    next_page;    /* X-Next-Page sent instead of the true one */
  gboolean has_total_pages;
  guint    total_pages;  /* X-Total-Pages sent instead of the true one */
} NodFakeFault;

/* One line of GET /__fake/requests; shared with the request still being served. */
typedef struct
{
  char   *method;
  char   *path;
  char   *query;
  guint   status;      /* 0 until answered, and for a dropped connection */
  gint64  at;
  guint   connection;  /* which connection it came on, numbered from 1 as they open */
  gboolean credentials; /* it carried a PRIVATE-TOKEN or an Authorization header */
} NodFakeLogEntry;

/* A per-minute budget (all API requests, or note creation). */
typedef struct
{
  guint  limit;
  guint  observed;
  gint64 reset_at;  /* Unix µs; the window restarts on the first request after it */
} NodFakeBudget;

struct _NodFakeGitlab
{
  GObject         parent_instance;

  char           *token;
  SoupServer     *server;
  GMainContext   *context;
  char           *base_url;
  guint           port;
  guint           latency_ms;
  guint           connections;  /* opened so far */
  guint           count_limit;  /* past this many results, no x-total (GitLab's 10,000) */

  NodFakeDataset *dataset;
  /* What POST /__fake/reset rebuilds from: a fixture, or a generated count. */
  JsonNode       *fixture_root;
  guint           generated_count;

  NodFakeBudget   api_budget;
  NodFakeBudget   notes_budget;
  /* RateLimit-ResetTime of the window that resets at reset_date_s, formatted once. */
  gint64          reset_date_s;
  char           *reset_date;

  GPtrArray      *faults;       /* NodFakeFault *, owned */
  GPtrArray      *gates;        /* NodFakeGate *, owned, in the order they were armed */
  GPtrArray      *request_log;  /* NodFakeLogEntry *, GRcBox, owned */
  GPtrArray      *delayed;      /* NodFakeRequest *, waiting for their delay */
  GPtrArray      *stalled;      /* SoupServerMessage *, paused for good: never answered */
  GPtrArray      *drips;        /* NodFakeDrip *, answers whose body goes a byte at a time */

  NodFakeGitlabArrivalFunc arrival_func;  /* told of each API request as it arrives */
  gpointer                 arrival_data;
};

/* An API request on its way to an answer. */
typedef struct
{
  NodFakeGitlab     *self;
  SoupServerMessage *msg;
  NodFakeLogEntry   *log_entry;
  GSource           *delay_source;
  guint              delay_ms;  /* still to wait once a gate lets it go */
  gboolean           paused;
  gboolean           answered;
  /* The fault to play instead of serving, if any. */
  guint              fault_status;
  guint              fault_retry_after;
  gboolean           fault_drop;
  gboolean           fault_malformed;
  gboolean           fault_applied;
  char              *fault_message;
  gboolean           fault_stall;
  guint              fault_drip_ms;
  gboolean           fault_has_next_page;
  guint              fault_next_page;
  gboolean           fault_has_total_pages;
  guint              fault_total_pages;
} NodFakeRequest;

/* One API request as a route handler sees it: its parameters (query and body merged), the
 * caller, and what the path's captures named. */
typedef struct
{
  NodFakeGitlab       *self;
  NodFakeRequest      *request;
  NodFakeDataset      *dataset;
  JsonObject          *params;
  NodFakeUser         *me;
  gint64               now;
  NodFakeProject      *project;
  NodFakeMergeRequest *merge_request;
  NodFakeDiscussion   *discussion; /* :discussion, or the thread of :note */
  NodFakeNote         *note;       /* :note when the merge request has it; NULL: the 404 */
  NodFakeVersion      *version;
  NodFakeDraftNote    *draft_note; /* :draft when it is the caller's; NULL: the handler's 404 */
  const char          *file_path;  /* :file_path, decoded */
  const char          *blob_sha;   /* :blob */
} NodFakeApiCall;

/* A JSON text written as it goes, without building a tree first: the bytes are those
 * JsonGenerator makes of the same tree (compact, json-glib's escaping), at a fraction of
 * the allocations. @member is the name in the object being written, NULL in an array or at
 * the top. */
typedef struct
{
  GString  *buffer;
  GString  *scratch;      /* for values put together from parts (URLs) */
  gboolean  needs_comma;  /* a value was written at this level */
} NodFakeJsonWriter;

/* nod-fake-gitlab-json.c */
void          _nod_fake_json_writer_init        (NodFakeJsonWriter  *writer,
                                                 gsize               reserved);
/* The text, which the caller frees; the writer is cleared (init it again to reuse it). */
char         *_nod_fake_json_writer_steal       (NodFakeJsonWriter  *writer,
                                                 gsize              *length);
void          _nod_fake_json_writer_clear       (NodFakeJsonWriter  *writer);
void          _nod_fake_json_begin_object       (NodFakeJsonWriter  *writer,
                                                 const char         *member);
void          _nod_fake_json_end_object         (NodFakeJsonWriter  *writer);
void          _nod_fake_json_begin_array        (NodFakeJsonWriter  *writer,
                                                 const char         *member);
void          _nod_fake_json_end_array          (NodFakeJsonWriter  *writer);
/* A NULL @value is a JSON null. */
void          _nod_fake_json_add_string         (NodFakeJsonWriter  *writer,
                                                 const char         *member,
                                                 const char         *value);
void          _nod_fake_json_add_int            (NodFakeJsonWriter  *writer,
                                                 const char         *member,
                                                 gint64              value);
void          _nod_fake_json_add_bool           (NodFakeJsonWriter  *writer,
                                                 const char         *member,
                                                 gboolean            value);
void          _nod_fake_json_add_null           (NodFakeJsonWriter  *writer,
                                                 const char         *member);
/* GitLab's time, or null for 0. */
void          _nod_fake_json_add_time           (NodFakeJsonWriter  *writer,
                                                 const char         *member,
                                                 gint64              time_us);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NodFakeJsonWriter, _nod_fake_json_writer_clear)

/* nod-fake-gitlab.c */
void          _nod_fake_request_respond         (NodFakeRequest     *request,
                                                 guint               status,
                                                 JsonNode           *body);
/* Answers with what @writer holds, which it takes. */
void          _nod_fake_request_respond_written (NodFakeRequest     *request,
                                                 guint               status,
                                                 NodFakeJsonWriter  *writer);
/* A body that is not JSON (a raw file). */
void          _nod_fake_request_respond_bytes   (NodFakeRequest     *request,
                                                 guint               status,
                                                 const char         *content_type,
                                                 GBytes             *body);
void          _nod_fake_request_respond_message (NodFakeRequest     *request,
                                                 guint               status,
                                                 const char         *message);
/* Grape's shape for invalid parameters: {"error": "…"} */
void          _nod_fake_request_respond_error   (NodFakeRequest     *request,
                                                 guint               status,
                                                 const char         *error);
/* Spends one unit of @budget; FALSE (and the seconds until its reset) when none is left. */
gboolean      _nod_fake_budget_spend            (NodFakeBudget      *budget,
                                                 gint64              now_us,
                                                 guint              *retry_after_s);
void          _nod_fake_gitlab_reset            (NodFakeGitlab      *self);
NodFakeGate  *_nod_fake_gitlab_find_gate        (NodFakeGitlab      *self,
                                                 const char         *name);
/* The gate named @name, armed now if it was not. */
NodFakeGate  *_nod_fake_gitlab_arm_gate         (NodFakeGitlab      *self,
                                                 const char         *name);
/* Lets every request @gate holds go on as if it had just come, removes the faults that feed
 * it and frees it; returns how many it held. */
guint         _nod_fake_gitlab_release_gate     (NodFakeGitlab      *self,
                                                 NodFakeGate        *gate);
/* Answers a message with a JSON body (a plain SoupServerMessage, for the control API). */
void          _nod_fake_message_respond         (SoupServerMessage  *msg,
                                                 guint               status,
                                                 JsonNode           *body);
void          _nod_fake_message_respond_message (SoupServerMessage  *msg,
                                                 guint               status,
                                                 const char         *message);
void          _nod_fake_message_respond_written (SoupServerMessage  *msg,
                                                 guint               status,
                                                 NodFakeJsonWriter  *writer);

/* nod-fake-gitlab-api.c: the /api/v4 routes; answers @request before returning. */
void          _nod_fake_gitlab_set_rate_limit_headers (NodFakeGitlab  *self,
                                                 SoupServerMessage  *msg,
                                                 gboolean            spent);
void          _nod_fake_gitlab_serve_api        (NodFakeGitlab      *self,
                                                 NodFakeRequest     *request,
                                                 const char         *path);

/* nod-fake-gitlab-avatars.c: the users' avatars under /uploads/; answers @request. */
gboolean      _nod_fake_gitlab_is_upload_path   (const char         *path);
void          _nod_fake_gitlab_serve_avatar     (NodFakeGitlab      *self,
                                                 NodFakeRequest     *request,
                                                 const char         *path);

/* Writes one item of a list answer. */
typedef void (*NodFakeApiWriteItem) (NodFakeApiCall    *call,
                                     NodFakeJsonWriter *writer,
                                     gpointer           item);
/* One page of @items (page, per_page and GitLab's pagination headers) as a 200 answer. */
void          _nod_fake_api_respond_page        (NodFakeApiCall     *call,
                                                 GPtrArray          *items,
                                                 NodFakeApiWriteItem write_item);
/* A parameter as text; NULL when absent or not a string, number or boolean. */
char         *_nod_fake_api_dup_param           (NodFakeApiCall     *call,
                                                 const char         *name);
/* Reads a boolean parameter (absent: @value untouched); answers 400 and returns FALSE when it
 * is not one. */
gboolean      _nod_fake_api_read_bool_param     (NodFakeApiCall     *call,
                                                 const char         *name,
                                                 gboolean           *value);
/* Judges @node as POST …/discussions judges its "position": TRUE with *@position NULL for no
 * position (NULL or null), TRUE with it set for a line of the diff; FALSE with the words of
 * the 400 that route would answer in *@refusal. */
gboolean      _nod_fake_api_judge_position      (NodFakeMergeRequest *merge_request,
                                                 JsonNode           *node,
                                                 NodFakePosition   **position,
                                                 char              **refusal);

/* nod-fake-gitlab-drafts.c: the draft notes routes (…/merge_requests/:iid/draft_notes…). */
void          _nod_fake_api_list_draft_notes    (NodFakeApiCall     *call);
void          _nod_fake_api_get_draft_note      (NodFakeApiCall     *call);
void          _nod_fake_api_create_draft_note   (NodFakeApiCall     *call);
void          _nod_fake_api_update_draft_note   (NodFakeApiCall     *call);
void          _nod_fake_api_delete_draft_note   (NodFakeApiCall     *call);
void          _nod_fake_api_publish_draft_note  (NodFakeApiCall     *call);
void          _nod_fake_api_bulk_publish_draft_notes (NodFakeApiCall *call);

/* nod-fake-gitlab-control.c: the /__fake/ routes. */
void          _nod_fake_gitlab_serve_control    (NodFakeGitlab      *self,
                                                 SoupServerMessage  *msg,
                                                 const char         *path);

/* nod-fake-gitlab-json.c: the shapes GitLab serves, each one value in @writer. */
void          _nod_fake_json_write_current_user (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeUser         *user);
void          _nod_fake_json_write_project      (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeProject      *project);
void          _nod_fake_json_write_merge_request (NodFakeGitlab       *self,
                                                  NodFakeJsonWriter   *writer,
                                                  NodFakeMergeRequest *merge_request,
                                                  gboolean             single);
void          _nod_fake_json_write_approvals    (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeUser         *current_user);
void          _nod_fake_json_write_discussion   (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeDiscussion   *discussion);
void          _nod_fake_json_write_note         (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeNote         *note);
/* A draft note; @line_code: the one its position gives, NULL for none. */
void          _nod_fake_json_write_draft_note   (NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeDraftNote    *draft,
                                                 const char          *line_code);
/* @node as JsonGenerator writes it, compact. */
void          _nod_fake_json_add_node           (NodFakeJsonWriter   *writer,
                                                 const char          *member,
                                                 JsonNode            *node);
/* One file of GET …/diffs; @unidiff: with the ---/+++ lines. */
void          _nod_fake_json_write_file_diff    (NodFakeJsonWriter   *writer,
                                                 NodFakeFileDiff     *file_diff,
                                                 gboolean             unidiff);
void          _nod_fake_json_write_commit       (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeCommit       *commit);
/* One of GET …/versions; @detailed: with commits[] and diffs[] (GET …/versions/:id). */
void          _nod_fake_json_write_pipeline     (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakePipeline     *pipeline,
                                                 const char          *member);
void          _nod_fake_json_write_version      (NodFakeGitlab       *self,
                                                 NodFakeJsonWriter   *writer,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeVersion      *version,
                                                 gboolean             detailed);

G_END_DECLS
