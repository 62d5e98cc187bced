/* fuzz-gitlab-json.c: every reader of GitLab's JSON answers, on any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte of an input says which reader gets the rest: a letter of the table below
 * (so a corpus file is readable: "m{...}" is one merge request), any other byte the reader
 * at its value modulo the table's size (so the fuzzer reaches them all).
 */

#include "config.h"

#include "nod-forge-page.h"
#include "nod-gitlab-json.h"
#include "nod-fuzz.h"

typedef enum
{
  READ_ONE,      /* GET /projects/:id/merge_requests/:iid and the like */
  READ_LIST,     /* a page of a list */
  READ_ERROR,    /* the body of a 4xx or 5xx */
  READ_PLAIN_ID, /* a thread or commit id, before it goes into a URL */
} ReadKind;

typedef struct
{
  char                selector;
  ReadKind            kind;
  NodGitlabParseFunc  parse;
} Reader;

static const Reader readers[] = {
  { 'u', READ_ONE,  _nod_gitlab_json_parse_user },
  { 'U', READ_LIST, _nod_gitlab_json_parse_user },
  { 'p', READ_ONE,  _nod_gitlab_json_parse_project },
  { 'P', READ_LIST, _nod_gitlab_json_parse_project },
  { 'm', READ_ONE,  _nod_gitlab_json_parse_merge_request },
  { 'M', READ_LIST, _nod_gitlab_json_parse_merge_request },
  { 'a', READ_ONE,  _nod_gitlab_json_parse_approvals },
  { 'd', READ_ONE,  _nod_gitlab_json_parse_discussion },
  { 'D', READ_LIST, _nod_gitlab_json_parse_discussion },
  { 'n', READ_ONE,  _nod_gitlab_json_parse_note },
  { 'N', READ_LIST, _nod_gitlab_json_parse_note },
  { 'e', READ_ERROR, NULL },
  { 'i', READ_PLAIN_ID, NULL },
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  nod_fuzz_init ();
  return 0;
}

static const Reader *
pick_reader (uint8_t selector)
{
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    if (readers[i].selector == (char) selector)
      return &readers[i];
  return &readers[selector % G_N_ELEMENTS (readers)];
}

static void
read_answer (const Reader *reader,
             GBytes       *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = _nod_gitlab_json_parse (body, &error);

  if (root == NULL)
    {
      g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
      return;
    }

  if (reader->kind == READ_LIST)
    {
      g_autoptr(GPtrArray) items = _nod_gitlab_json_parse_array (root, reader->parse, &error);

      if (items != NULL)
        g_object_unref (nod_forge_page_new (items, 1, 0, -1));
    }
  else
    {
      g_autoptr(GObject) item = reader->parse (root, &error);

      g_assert_true ((item == NULL) == (error != NULL));
    }

  if (error != NULL)
    g_assert_error (error, NOD_FORGE_ERROR, NOD_FORGE_ERROR_PROTOCOL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const Reader *reader;
  g_autoptr(GBytes) body = NULL;

  if (size == 0)
    return 0;

  reader = pick_reader (data[0]);
  body = g_bytes_new (data + 1, size - 1);

  switch (reader->kind)
    {
    case READ_ONE:
    case READ_LIST:
      read_answer (reader, body);
      break;
    case READ_ERROR:
      {
        g_autofree char *message = _nod_gitlab_json_error_message (body);

        g_assert_true (message == NULL || g_utf8_validate (message, -1, NULL));
      }
      break;
    case READ_PLAIN_ID:
      {
        g_autofree char *id = nod_fuzz_strndup (data + 1, size - 1);

        (void) _nod_gitlab_json_is_plain_id (id);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  return 0;
}
