/* nod-fake-gitlab.h: an in-memory GitLab (REST v4 subset) on a loopback port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by the tests, `nod --demo` and the benchmarks. It speaks the part of GitLab's
 * REST API v4 that Nod uses, with GitLab's status codes, pagination and rate-limit
 * headers, and a control API under /__fake/ (see DESIGN.md, "The fake GitLab").
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The reviewer ("you") of the sample dataset and of generated datasets: the token given
 * to nod_fake_gitlab_new() authenticates as this user. */
#define NOD_FAKE_GITLAB_REVIEWER_ID       1
#define NOD_FAKE_GITLAB_REVIEWER_USERNAME "sam"

#define NOD_TYPE_FAKE_GITLAB (nod_fake_gitlab_get_type ())

G_DECLARE_FINAL_TYPE (NodFakeGitlab, nod_fake_gitlab, NOD, FAKE_GITLAB, GObject)

NodFakeGitlab *nod_fake_gitlab_new            (const char     *token);

/* The dataset: the built-in sample (@path NULL) or a fixture file; or generated. Either
 * replaces what was there and becomes what POST /__fake/reset returns to. */
gboolean       nod_fake_gitlab_load_fixture   (NodFakeGitlab  *self,
                                               const char     *path,
                                               GError        **error);
void           nod_fake_gitlab_generate       (NodFakeGitlab  *self,
                                               guint           n_merge_requests);

void           nod_fake_gitlab_set_latency    (NodFakeGitlab  *self,
                                               guint           latency_ms);

/* Called on the fake's thread as each API request arrives (its body read), before any
 * fault or latency: when a benchmark's request reached the server. */
typedef void (*NodFakeGitlabArrivalFunc) (const char *method,
                                          const char *path,
                                          gpointer    user_data);
void           nod_fake_gitlab_set_arrival_func (NodFakeGitlab           *self,
                                                 NodFakeGitlabArrivalFunc func,
                                                 gpointer                 user_data);

/* How many results GitLab still counts (x-total) in a list. */
#define NOD_FAKE_GITLAB_COUNT_LIMIT 10000

void           nod_fake_gitlab_set_count_limit (NodFakeGitlab *self,
                                                guint          count_limit);

/* Listens on 127.0.0.1:@port (0: a free port) on the thread-default main context. */
gboolean       nod_fake_gitlab_listen         (NodFakeGitlab  *self,
                                               guint           port,
                                               GError        **error);
guint          nod_fake_gitlab_get_port       (NodFakeGitlab  *self);
/* "http://127.0.0.1:PORT", no trailing slash. */
char          *nod_fake_gitlab_dup_base_url   (NodFakeGitlab  *self);

G_END_DECLS
