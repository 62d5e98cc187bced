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
} NodFakeFault;

/* One line of GET /__fake/requests; shared with the request still being served. */
typedef struct
{
  char   *method;
  char   *path;
  char   *query;
  guint   status;  /* 0 until answered, and for a dropped connection */
  gint64  at;
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

  NodFakeDataset *dataset;
  /* What POST /__fake/reset rebuilds from: a fixture, or a generated count. */
  GBytes         *fixture_json;
  guint           generated_count;

  NodFakeBudget   api_budget;
  NodFakeBudget   notes_budget;

  GPtrArray      *faults;       /* NodFakeFault *, owned */
  GPtrArray      *gates;        /* NodFakeGate *, owned, in the order they were armed */
  GPtrArray      *request_log;  /* NodFakeLogEntry *, GRcBox, owned */
  GPtrArray      *delayed;      /* NodFakeRequest *, waiting for their delay */
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
} NodFakeRequest;

/* nod-fake-gitlab.c */
void          _nod_fake_request_respond         (NodFakeRequest     *request,
                                                 guint               status,
                                                 JsonNode           *body);
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

/* nod-fake-gitlab-api.c: the /api/v4 routes; answers @request before returning. */
void          _nod_fake_gitlab_serve_api        (NodFakeGitlab      *self,
                                                 NodFakeRequest     *request,
                                                 const char         *path);

/* nod-fake-gitlab-control.c: the /__fake/ routes. */
void          _nod_fake_gitlab_serve_control    (NodFakeGitlab      *self,
                                                 SoupServerMessage  *msg,
                                                 const char         *path);

/* nod-fake-gitlab-json.c: the shapes GitLab serves. */
JsonNode     *_nod_fake_json_user               (NodFakeGitlab       *self,
                                                 NodFakeUser         *user);
JsonNode     *_nod_fake_json_current_user       (NodFakeGitlab       *self,
                                                 NodFakeUser         *user);
JsonNode     *_nod_fake_json_project            (NodFakeGitlab       *self,
                                                 NodFakeProject      *project);
JsonNode     *_nod_fake_json_merge_request      (NodFakeGitlab       *self,
                                                 NodFakeMergeRequest *merge_request,
                                                 gboolean             single);
JsonNode     *_nod_fake_json_approvals          (NodFakeGitlab       *self,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeUser         *current_user);
JsonNode     *_nod_fake_json_discussion         (NodFakeGitlab       *self,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeDiscussion   *discussion);
JsonNode     *_nod_fake_json_note               (NodFakeGitlab       *self,
                                                 NodFakeMergeRequest *merge_request,
                                                 NodFakeNote         *note);

G_END_DECLS
