/* nod-gitlab-json.h: GitLab's JSON into Nod's model objects, checked at every step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "nod-forge.h"

G_BEGIN_DECLS

/* Longest strings kept from the server; longer ones are cut (titles) or refused. */
#define NOD_GITLAB_SHORT_TEXT_MAX_CHARS 1024
#define NOD_GITLAB_LONG_TEXT_MAX_CHARS  1048576
/* Deeper JSON than this is refused before parsing: GitLab never nests so deep. */
#define NOD_GITLAB_JSON_MAX_DEPTH       32
/* GitLab's own bound on a label's title. */
#define NOD_GITLAB_LABEL_MAX_CHARS      255

typedef GObject *(*NodGitlabParseFunc) (JsonNode  *node,
                                        GError   **error);

gboolean   _nod_gitlab_json_is_plain_id    (const char          *id);
JsonNode  *_nod_gitlab_json_parse          (GBytes              *body,
                                            GError             **error);
JsonNode  *_nod_gitlab_json_parse_text     (const char          *text);
char      *_nod_gitlab_json_error_message  (GBytes              *body);

GPtrArray *_nod_gitlab_json_parse_array    (JsonNode            *node,
                                            NodGitlabParseFunc   parse_item,
                                            GError             **error);

GObject   *_nod_gitlab_json_parse_user          (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_project       (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_merge_request (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_approvals     (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_discussion    (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_draft_note    (JsonNode  *node,
                                               GError   **error);
GObject   *_nod_gitlab_json_parse_note          (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_diff_file     (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_version       (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_pipeline      (JsonNode  *node,
                                                 GError   **error);
GObject   *_nod_gitlab_json_parse_commit        (JsonNode  *node,
                                                 GError   **error);

NodDiffPosition *_nod_gitlab_json_parse_position (JsonNode              *node,
                                                  GError               **error);
void             _nod_gitlab_json_build_position (JsonBuilder           *builder,
                                                  const NodDiffPosition *position);

G_END_DECLS
