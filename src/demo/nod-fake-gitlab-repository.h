/* nod-fake-gitlab-repository.h: a project's commits and files, and the diffs between them
 * (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain structs like the dataset's. Blobs are content-addressed by git's own blob id, so a
 * file that many commits share is stored once; a commit's sha is the SHA-1 of its tree, its
 * parent and its title. The fake computes every diff itself (a line LCS, three lines of
 * context), so the diffs it serves and the positions it judges always agree.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NOD_FAKE_OBJECT_ID_LENGTH 40

/* GitLab gives up on a file's diff past its patch limit (too_large); it collapses smaller
 * ones that are still big. The fake's bounds, in bytes of the diff text. */
#define NOD_FAKE_DIFF_TOO_LARGE_BYTES (2 * 1024 * 1024)
#define NOD_FAKE_DIFF_COLLAPSED_BYTES (1024 * 1024)

typedef struct
{
  char     id[NOD_FAKE_OBJECT_ID_LENGTH + 1];  /* SHA-1 of "blob LENGTH\0" + content */
  GBytes  *content;
  gboolean binary;  /* a NUL in the first 8,000 bytes, as git decides */
} NodFakeBlob;

typedef struct
{
  char        *path;
  NodFakeBlob *blob;  /* owned by the repository */
} NodFakeTreeEntry;

typedef struct
{
  char       sha[NOD_FAKE_OBJECT_ID_LENGTH + 1];
  char       parent_sha[NOD_FAKE_OBJECT_ID_LENGTH + 1];  /* "": a root commit */
  GPtrArray *tree;  /* NodFakeTreeEntry *, sorted by path; shared between commits */
  char      *title;
  char      *author_name;
  gint64     created_at;
} NodFakeCommit;

typedef struct
{
  GHashTable *blobs;            /* id -> NodFakeBlob *, owned */
  GHashTable *commits;          /* sha -> NodFakeCommit *, owned */
  /* Paths a fixture marked; a path under "generated/" is generated anyway. */
  GHashTable *generated_paths;  /* char * set, owned */
  GHashTable *too_large_paths;
  GHashTable *collapsed_paths;
} NodFakeRepository;

typedef enum
{
  NOD_FAKE_LINE_UNCHANGED,
  NOD_FAKE_LINE_REMOVED,
  NOD_FAKE_LINE_ADDED,
} NodFakeLineKind;

/* One line of an edit script: an unchanged line has both numbers, a removed one only
 * old_line, an added one only new_line (the other is 0). Numbers start at 1. */
typedef struct
{
  NodFakeLineKind kind;
  guint           old_line;
  guint           new_line;
} NodFakeLineOp;

/* One file of a diff between two commits. */
typedef struct
{
  char        *old_path;
  char        *new_path;
  NodFakeBlob *old_blob;  /* NULL for a new file */
  NodFakeBlob *new_blob;  /* NULL for a deleted file */
  gboolean     new_file;
  gboolean     deleted_file;
  gboolean     renamed_file;
  gboolean     generated_file;
  gboolean     too_large;
  gboolean     collapsed;
  gboolean     binary;
  GArray      *ops;   /* NodFakeLineOp, every line of both sides; empty for binary */
  char        *diff;  /* GitLab's "diff": hunks only; "" when too large or collapsed */
} NodFakeFileDiff;

NodFakeRepository *nod_fake_repository_new          (void);
void               nod_fake_repository_free         (NodFakeRepository  *repository);

/* The blob of @content, stored once. */
NodFakeBlob       *nod_fake_repository_add_blob     (NodFakeRepository  *repository,
                                                     GBytes             *content);
NodFakeBlob       *nod_fake_repository_add_text     (NodFakeRepository  *repository,
                                                     const char         *text);
NodFakeBlob       *nod_fake_repository_find_blob    (NodFakeRepository  *repository,
                                                     const char         *id);
NodFakeCommit     *nod_fake_repository_find_commit  (NodFakeRepository  *repository,
                                                     const char         *sha);
/* A commit on @parent (NULL: on an empty tree) with @changes applied: path -> NodFakeBlob *,
 * or NULL to delete the path. @changes may be NULL (the same tree). Its sha depends on the
 * tree, the parent, the title and @salt, not on the time: a dataset made twice is the
 * same. */
NodFakeCommit     *nod_fake_repository_commit       (NodFakeRepository  *repository,
                                                     NodFakeCommit      *parent,
                                                     GHashTable         *changes,
                                                     const char         *title,
                                                     const char         *author_name,
                                                     gint64              created_at,
                                                     guint64             salt);
/* The same with the tree made already (shared, not copied): what the benchmark dataset
 * does for thousands of commits of a few trees. */
NodFakeCommit     *nod_fake_repository_commit_tree  (NodFakeRepository  *repository,
                                                     NodFakeCommit      *parent,
                                                     GPtrArray          *tree,
                                                     const char         *title,
                                                     const char         *author_name,
                                                     gint64              created_at,
                                                     guint64             salt);
/* @parent_tree (NULL: empty) with @changes applied; a new reference. */
GPtrArray         *nod_fake_tree_apply              (GPtrArray          *parent_tree,
                                                     GHashTable         *changes);
NodFakeBlob       *nod_fake_commit_find_file        (NodFakeCommit      *commit,
                                                     const char         *path);

/* The files that differ from @from to @to, sorted by new path, renames found as git finds
 * them (half of the lines in common); NodFakeFileDiff *, owned. */
GPtrArray         *nod_fake_repository_diff         (NodFakeRepository  *repository,
                                                     NodFakeCommit      *from,
                                                     NodFakeCommit      *to);
/* How many files differ, without the line diffs where it can (renames need them). */
guint              nod_fake_repository_count_changes (NodFakeRepository *repository,
                                                      NodFakeCommit     *from,
                                                      NodFakeCommit     *to);
void               nod_fake_file_diff_free          (NodFakeFileDiff    *file_diff);
NodFakeFileDiff   *nod_fake_file_diff_find          (GPtrArray          *file_diffs,
                                                     const char         *old_path,
                                                     const char         *new_path);

/* The edit script from @old_content to @new_content (either NULL: empty). */
GArray            *nod_fake_diff_lines              (GBytes             *old_content,
                                                     GBytes             *new_content);
/* TRUE when (@old_line, @new_line), 0 for null, is a line of @file_diff as GitLab takes
 * a position: an added line new only, a removed one old only, an unchanged one (in a hunk
 * or not) both. */
gboolean           nod_fake_file_diff_has_line      (NodFakeFileDiff    *file_diff,
                                                     guint               old_line,
                                                     guint               new_line);
/* The number in @to_content of line @line of @from_content, or 0 when the line changed. */
guint              nod_fake_trace_line              (GBytes             *from_content,
                                                     GBytes             *to_content,
                                                     guint               line);

/* "41d2…_12_14": GitLab's line code, SHA-1 of the path then old and new numbers. */
char              *nod_fake_line_code               (const char         *path,
                                                     guint               old_line,
                                                     guint               new_line);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodFakeFileDiff, nod_fake_file_diff_free)

G_END_DECLS
