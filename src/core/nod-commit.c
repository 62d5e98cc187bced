/* nod-commit.c: one commit of a merge request, as GitLab lists it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-commit.h"

struct _NodCommit
{
  GObject parent_instance;

  char *sha;
  char *short_id;
  char *title;
  char *author_name;
  char *authored_date;   /* as GitLab sent it */
  char *web_url;
};

G_DEFINE_FINAL_TYPE (NodCommit, nod_commit, G_TYPE_OBJECT)

static void
nod_commit_finalize (GObject *object)
{
  NodCommit *self = NOD_COMMIT (object);

  g_clear_pointer (&self->sha, g_free);
  g_clear_pointer (&self->short_id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->author_name, g_free);
  g_clear_pointer (&self->authored_date, g_free);
  g_clear_pointer (&self->web_url, g_free);

  G_OBJECT_CLASS (nod_commit_parent_class)->finalize (object);
}

static void
nod_commit_class_init (NodCommitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_commit_finalize;
}

static void
nod_commit_init (NodCommit *self)
{
}

/**
 * nod_commit_new:
 * @short_id: (nullable): GitLab's; the first 8 characters of @sha when %NULL
 * @title: (nullable): the first line of the message
 */
NodCommit *
nod_commit_new (const char *sha,
                const char *short_id,
                const char *title,
                const char *author_name,
                const char *authored_date,
                const char *web_url)
{
  NodCommit *self;

  g_return_val_if_fail (sha != NULL, NULL);

  self = g_object_new (NOD_TYPE_COMMIT, NULL);
  self->sha = g_strdup (sha);
  self->short_id = short_id != NULL ? g_strdup (short_id) : g_strndup (sha, 8);
  self->title = g_strdup (title != NULL ? title : "");
  self->author_name = g_strdup (author_name);
  self->authored_date = g_strdup (authored_date);
  self->web_url = g_strdup (web_url);
  return self;
}

const char *
nod_commit_get_sha (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->sha;
}

const char *
nod_commit_get_short_id (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->short_id;
}

/* Never %NULL. */
const char *
nod_commit_get_title (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->title;
}

const char *
nod_commit_get_author_name (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->author_name;
}

/* ISO 8601, as GitLab sent it; %NULL when it sent none. */
const char *
nod_commit_get_authored_date (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->authored_date;
}

const char *
nod_commit_get_web_url (NodCommit *self)
{
  g_return_val_if_fail (NOD_IS_COMMIT (self), NULL);
  return self->web_url;
}
