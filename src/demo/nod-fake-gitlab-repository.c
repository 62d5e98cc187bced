/* nod-fake-gitlab-repository.c: blobs, commits and the line diffs between them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-repository.h"

#define CONTEXT_LINES 3
/* git looks for a NUL this far into a file to call it binary. */
#define BINARY_PROBE_BYTES 8000
/* Past this many cells the LCS table costs too much: the middle of the two files (after
 * their common head and tail) is then all removed, then all added. Still a true diff. */
#define LCS_MAX_CELLS (4 * 1024 * 1024)

typedef struct
{
  const char *text;
  gsize       length;
  gboolean    newline;  /* FALSE only for a last line without "\n" */
} Line;

static void
blob_free (gpointer data)
{
  NodFakeBlob *blob = data;

  g_bytes_unref (blob->content);
  g_free (blob);
}

static void
tree_entry_free (gpointer data)
{
  NodFakeTreeEntry *entry = data;

  g_free (entry->path);
  g_free (entry);
}

static void
commit_free (gpointer data)
{
  NodFakeCommit *commit = data;

  g_ptr_array_unref (commit->tree);
  g_free (commit->title);
  g_free (commit->author_name);
  g_free (commit);
}

NodFakeRepository *
nod_fake_repository_new (void)
{
  NodFakeRepository *repository = g_new0 (NodFakeRepository, 1);

  repository->blobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, blob_free);
  repository->commits = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, commit_free);
  repository->generated_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  repository->too_large_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  repository->collapsed_paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return repository;
}

void
nod_fake_repository_free (NodFakeRepository *repository)
{
  if (repository == NULL)
    return;
  g_hash_table_unref (repository->commits);
  g_hash_table_unref (repository->blobs);
  g_hash_table_unref (repository->generated_paths);
  g_hash_table_unref (repository->too_large_paths);
  g_hash_table_unref (repository->collapsed_paths);
  g_free (repository);
}

static void
checksum_to_id (GChecksum *checksum,
                char       out[NOD_FAKE_OBJECT_ID_LENGTH + 1])
{
  g_strlcpy (out, g_checksum_get_string (checksum), NOD_FAKE_OBJECT_ID_LENGTH + 1);
}

NodFakeBlob *
nod_fake_repository_add_blob (NodFakeRepository *repository,
                              GBytes            *content)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  gsize length = 0;
  const guchar *data = g_bytes_get_data (content, &length);
  char header[32];
  char id[NOD_FAKE_OBJECT_ID_LENGTH + 1];
  NodFakeBlob *blob;

  /* git's blob id, NUL included. */
  g_snprintf (header, sizeof header, "blob %" G_GSIZE_FORMAT, length);
  g_checksum_update (checksum, (const guchar *) header, (gssize) strlen (header) + 1);
  g_checksum_update (checksum, data, (gssize) length);
  checksum_to_id (checksum, id);

  blob = g_hash_table_lookup (repository->blobs, id);
  if (blob != NULL)
    return blob;

  blob = g_new0 (NodFakeBlob, 1);
  memcpy (blob->id, id, sizeof blob->id);
  blob->content = g_bytes_ref (content);
  blob->binary = length > 0 && memchr (data, '\0', MIN (length, BINARY_PROBE_BYTES)) != NULL;
  g_hash_table_insert (repository->blobs, blob->id, blob);
  return blob;
}

NodFakeBlob *
nod_fake_repository_add_text (NodFakeRepository *repository,
                              const char        *text)
{
  g_autoptr(GBytes) content = g_bytes_new (text, strlen (text));

  return nod_fake_repository_add_blob (repository, content);
}

NodFakeBlob *
nod_fake_repository_find_blob (NodFakeRepository *repository,
                               const char        *id)
{
  return id != NULL ? g_hash_table_lookup (repository->blobs, id) : NULL;
}

NodFakeCommit *
nod_fake_repository_find_commit (NodFakeRepository *repository,
                                 const char        *sha)
{
  return sha != NULL ? g_hash_table_lookup (repository->commits, sha) : NULL;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const NodFakeTreeEntry *left = *(NodFakeTreeEntry * const *) a;
  const NodFakeTreeEntry *right = *(NodFakeTreeEntry * const *) b;

  return strcmp (left->path, right->path);
}

static NodFakeTreeEntry *
tree_find (GPtrArray  *tree,
           const char *path)
{
  guint low = 0, high = tree->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      NodFakeTreeEntry *entry = g_ptr_array_index (tree, middle);
      int order = strcmp (entry->path, path);

      if (order == 0)
        return entry;
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }
  return NULL;
}

NodFakeBlob *
nod_fake_commit_find_file (NodFakeCommit *commit,
                           const char    *path)
{
  NodFakeTreeEntry *entry = path != NULL ? tree_find (commit->tree, path) : NULL;

  return entry != NULL ? entry->blob : NULL;
}

static GPtrArray *
tree_apply (GPtrArray  *parent_tree,
            GHashTable *changes)
{
  GPtrArray *tree = g_ptr_array_new_with_free_func (tree_entry_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; parent_tree != NULL && i < parent_tree->len; i++)
    {
      NodFakeTreeEntry *entry = g_ptr_array_index (parent_tree, i);
      NodFakeTreeEntry *copy;

      if (g_hash_table_contains (changes, entry->path))
        continue;
      copy = g_new0 (NodFakeTreeEntry, 1);
      copy->path = g_strdup (entry->path);
      copy->blob = entry->blob;
      g_ptr_array_add (tree, copy);
    }

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      NodFakeTreeEntry *entry;

      if (value == NULL)
        continue;
      entry = g_new0 (NodFakeTreeEntry, 1);
      entry->path = g_strdup (key);
      entry->blob = value;
      g_ptr_array_add (tree, entry);
    }
  g_ptr_array_sort (tree, compare_entries);
  return tree;
}

NodFakeCommit *
nod_fake_repository_commit_tree (NodFakeRepository *repository,
                                 NodFakeCommit     *parent,
                                 GPtrArray         *tree,
                                 const char        *title,
                                 const char        *author_name,
                                 gint64             created_at,
                                 guint64            salt)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  char sha[NOD_FAKE_OBJECT_ID_LENGTH + 1];
  char salt_text[24];
  NodFakeCommit *commit;

  for (guint i = 0; i < tree->len; i++)
    {
      NodFakeTreeEntry *entry = g_ptr_array_index (tree, i);

      g_checksum_update (checksum, (const guchar *) entry->path, (gssize) strlen (entry->path) + 1);
      g_checksum_update (checksum, (const guchar *) entry->blob->id, NOD_FAKE_OBJECT_ID_LENGTH);
    }
  g_checksum_update (checksum, (const guchar *) "\nparent ", -1);
  if (parent != NULL)
    g_checksum_update (checksum, (const guchar *) parent->sha, NOD_FAKE_OBJECT_ID_LENGTH);
  g_checksum_update (checksum, (const guchar *) "\n", -1);
  g_checksum_update (checksum, (const guchar *) title, -1);
  g_snprintf (salt_text, sizeof salt_text, "\n%" G_GUINT64_FORMAT, salt);
  g_checksum_update (checksum, (const guchar *) salt_text, -1);
  checksum_to_id (checksum, sha);

  commit = g_hash_table_lookup (repository->commits, sha);
  if (commit != NULL)
    return commit;

  commit = g_new0 (NodFakeCommit, 1);
  memcpy (commit->sha, sha, sizeof commit->sha);
  if (parent != NULL)
    memcpy (commit->parent_sha, parent->sha, sizeof commit->parent_sha);
  commit->tree = g_ptr_array_ref (tree);
  commit->title = g_strdup (title);
  commit->author_name = g_strdup (author_name);
  commit->created_at = created_at;
  g_hash_table_insert (repository->commits, commit->sha, commit);
  return commit;
}

GPtrArray *
nod_fake_tree_apply (GPtrArray  *parent_tree,
                     GHashTable *changes)
{
  if (changes != NULL && g_hash_table_size (changes) > 0)
    return tree_apply (parent_tree, changes);
  if (parent_tree != NULL)
    return g_ptr_array_ref (parent_tree);
  return g_ptr_array_new_with_free_func (tree_entry_free);
}

NodFakeCommit *
nod_fake_repository_commit (NodFakeRepository *repository,
                            NodFakeCommit     *parent,
                            GHashTable        *changes,
                            const char        *title,
                            const char        *author_name,
                            gint64             created_at,
                            guint64            salt)
{
  g_autoptr(GPtrArray) tree = nod_fake_tree_apply (parent != NULL ? parent->tree : NULL,
                                                   changes);

  return nod_fake_repository_commit_tree (repository, parent, tree, title, author_name,
                                          created_at, salt);
}

/* Line diffs */

static GArray *
split_lines (GBytes *content)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize length = 0;
  const char *data = content != NULL ? g_bytes_get_data (content, &length) : NULL;
  gsize start = 0;

  while (start < length)
    {
      const char *end = memchr (data + start, '\n', length - start);
      Line line;

      line.text = data + start;
      line.length = end != NULL ? (gsize) (end - (data + start)) : length - start;
      line.newline = end != NULL;
      g_array_append_val (lines, line);
      start += line.length + 1;
    }
  return lines;
}

static gboolean
lines_equal (const Line *a,
             const Line *b)
{
  return a->length == b->length && a->newline == b->newline
         && memcmp (a->text, b->text, a->length) == 0;
}

static void
add_op (GArray          *ops,
        NodFakeLineKind  kind,
        guint           *old_line,
        guint           *new_line)
{
  NodFakeLineOp op = { kind, 0, 0 };

  if (kind != NOD_FAKE_LINE_ADDED)
    op.old_line = ++*old_line;
  if (kind != NOD_FAKE_LINE_REMOVED)
    op.new_line = ++*new_line;
  g_array_append_val (ops, op);
}

/* The edit script of the middle parts (after the common head, before the common tail). */
static void
diff_middle (GArray     *ops,
             const Line *a,
             guint       n,
             const Line *b,
             guint       m,
             guint      *old_line,
             guint      *new_line)
{
  enum { TAKE_BOTH, TAKE_OLD, TAKE_NEW };
  g_autofree guint32 *next = NULL, *current = NULL;
  g_autofree guint8 *choice = NULL;
  guint i = 0, j = 0;

  if (n == 0 || m == 0 || (guint64) n * m > LCS_MAX_CELLS)
    {
      for (i = 0; i < n; i++)
        add_op (ops, NOD_FAKE_LINE_REMOVED, old_line, new_line);
      for (j = 0; j < m; j++)
        add_op (ops, NOD_FAKE_LINE_ADDED, old_line, new_line);
      return;
    }

  /* LCS lengths from the end, two rows at a time; the choices kept for the walk. */
  next = g_new0 (guint32, m + 1);
  current = g_new0 (guint32, m + 1);
  choice = g_new (guint8, (gsize) n * m);
  for (i = n; i-- > 0;)
    {
      current[m] = 0;
      for (j = m; j-- > 0;)
        {
          guint8 *cell = &choice[(gsize) i * m + j];

          if (lines_equal (&a[i], &b[j]))
            {
              current[j] = next[j + 1] + 1;
              *cell = TAKE_BOTH;
            }
          else if (next[j] >= current[j + 1])
            {
              /* Removed lines before added ones, as git shows a changed block. */
              current[j] = next[j];
              *cell = TAKE_OLD;
            }
          else
            {
              current[j] = current[j + 1];
              *cell = TAKE_NEW;
            }
        }
      memcpy (next, current, sizeof (guint32) * (m + 1));
    }

  i = 0;
  j = 0;
  while (i < n && j < m)
    {
      switch (choice[(gsize) i * m + j])
        {
        case TAKE_BOTH:
          add_op (ops, NOD_FAKE_LINE_UNCHANGED, old_line, new_line);
          i++;
          j++;
          break;
        case TAKE_OLD:
          add_op (ops, NOD_FAKE_LINE_REMOVED, old_line, new_line);
          i++;
          break;
        default:
          add_op (ops, NOD_FAKE_LINE_ADDED, old_line, new_line);
          j++;
          break;
        }
    }
  for (; i < n; i++)
    add_op (ops, NOD_FAKE_LINE_REMOVED, old_line, new_line);
  for (; j < m; j++)
    add_op (ops, NOD_FAKE_LINE_ADDED, old_line, new_line);
}

static GArray *
diff_split_lines (GArray *old_lines,
                  GArray *new_lines)
{
  GArray *ops = g_array_new (FALSE, FALSE, sizeof (NodFakeLineOp));
  const Line *a = (const Line *) (gpointer) old_lines->data;
  const Line *b = (const Line *) (gpointer) new_lines->data;
  guint n = old_lines->len, m = new_lines->len;
  guint prefix = 0, suffix = 0;
  guint old_line = 0, new_line = 0;

  while (prefix < n && prefix < m && lines_equal (&a[prefix], &b[prefix]))
    prefix++;
  while (suffix < n - prefix && suffix < m - prefix
         && lines_equal (&a[n - 1 - suffix], &b[m - 1 - suffix]))
    suffix++;

  for (guint i = 0; i < prefix; i++)
    add_op (ops, NOD_FAKE_LINE_UNCHANGED, &old_line, &new_line);
  diff_middle (ops, a + prefix, n - prefix - suffix, b + prefix, m - prefix - suffix,
               &old_line, &new_line);
  for (guint i = 0; i < suffix; i++)
    add_op (ops, NOD_FAKE_LINE_UNCHANGED, &old_line, &new_line);
  return ops;
}

GArray *
nod_fake_diff_lines (GBytes *old_content,
                     GBytes *new_content)
{
  g_autoptr(GArray) old_lines = split_lines (old_content);
  g_autoptr(GArray) new_lines = split_lines (new_content);

  return diff_split_lines (old_lines, new_lines);
}

static void
append_line (GString    *diff,
             char        prefix,
             const Line *line)
{
  g_string_append_c (diff, prefix);
  g_string_append_len (diff, line->text, (gssize) line->length);
  g_string_append_c (diff, '\n');
  if (!line->newline)
    g_string_append (diff, "\\ No newline at end of file\n");
}

static void
append_range (GString *diff,
              char     side,
              guint    start,
              guint    count)
{
  /* git: a count of 1 is left out; an empty side names the line before it. */
  if (count == 1)
    g_string_append_printf (diff, "%c%u", side, start);
  else
    g_string_append_printf (diff, "%c%u,%u", side, count == 0 ? start - 1 : start, count);
}

/* The hunks of @ops, with CONTEXT_LINES of context, as git writes them. */
static char *
format_hunks (GArray *ops,
              GArray *old_lines,
              GArray *new_lines)
{
  GString *diff = g_string_new (NULL);
  const NodFakeLineOp *all = (const NodFakeLineOp *) (gpointer) ops->data;
  guint old_before = 0, new_before = 0;  /* lines of each side before index i */
  guint i = 0;

  while (i < ops->len)
    {
      guint start, end, last_change, j;
      guint old_count = 0, new_count = 0;

      if (all[i].kind == NOD_FAKE_LINE_UNCHANGED)
        {
          old_before++;
          new_before++;
          i++;
          continue;
        }

      /* Back up over the context (only unchanged lines are behind i). */
      start = i >= CONTEXT_LINES ? i - CONTEXT_LINES : 0;
      for (j = start; j < i; j++)
        {
          old_before--;
          new_before--;
        }
      last_change = i;
      for (j = i + 1; j < ops->len; j++)
        {
          if (all[j].kind != NOD_FAKE_LINE_UNCHANGED)
            last_change = j;
          else if (j - last_change > 2 * CONTEXT_LINES)
            break;
        }
      end = MIN (ops->len, last_change + 1 + CONTEXT_LINES);

      for (j = start; j < end; j++)
        {
          old_count += all[j].kind != NOD_FAKE_LINE_ADDED;
          new_count += all[j].kind != NOD_FAKE_LINE_REMOVED;
        }
      g_string_append (diff, "@@ ");
      append_range (diff, '-', old_before + 1, old_count);
      g_string_append_c (diff, ' ');
      append_range (diff, '+', new_before + 1, new_count);
      g_string_append (diff, " @@\n");

      for (j = start; j < end; j++)
        {
          const NodFakeLineOp *op = &all[j];

          if (op->kind == NOD_FAKE_LINE_ADDED)
            append_line (diff, '+', &g_array_index (new_lines, Line, op->new_line - 1));
          else if (op->kind == NOD_FAKE_LINE_REMOVED)
            append_line (diff, '-', &g_array_index (old_lines, Line, op->old_line - 1));
          else
            append_line (diff, ' ', &g_array_index (old_lines, Line, op->old_line - 1));
        }
      old_before += old_count;
      new_before += new_count;
      i = end;
    }
  return g_string_free (diff, FALSE);
}

void
nod_fake_file_diff_free (NodFakeFileDiff *file_diff)
{
  if (file_diff == NULL)
    return;
  g_free (file_diff->old_path);
  g_free (file_diff->new_path);
  g_clear_pointer (&file_diff->ops, g_array_unref);
  g_free (file_diff->diff);
  g_free (file_diff);
}

static gboolean
is_generated_path (NodFakeRepository *repository,
                   const char        *path)
{
  return g_str_has_prefix (path, "generated/") || strstr (path, "/generated/") != NULL
         || g_hash_table_contains (repository->generated_paths, path);
}

static void
file_diff_compute (NodFakeRepository *repository,
                   NodFakeFileDiff   *file_diff)
{
  GBytes *old_content = file_diff->old_blob != NULL ? file_diff->old_blob->content : NULL;
  GBytes *new_content = file_diff->new_blob != NULL ? file_diff->new_blob->content : NULL;
  gsize size = MAX (old_content != NULL ? g_bytes_get_size (old_content) : 0,
                    new_content != NULL ? g_bytes_get_size (new_content) : 0);
  g_autoptr(GArray) old_lines = NULL;
  g_autoptr(GArray) new_lines = NULL;

  file_diff->generated_file = is_generated_path (repository, file_diff->new_path);
  file_diff->binary = (file_diff->old_blob != NULL && file_diff->old_blob->binary)
                      || (file_diff->new_blob != NULL && file_diff->new_blob->binary);
  file_diff->too_large = size > NOD_FAKE_DIFF_TOO_LARGE_BYTES
                         || g_hash_table_contains (repository->too_large_paths,
                                                   file_diff->new_path);
  if (file_diff->binary || file_diff->too_large)
    {
      file_diff->ops = g_array_new (FALSE, FALSE, sizeof (NodFakeLineOp));
      /* What git writes for a binary change; GitLab passes it on (unconfirmed). */
      file_diff->diff = file_diff->too_large
                        ? g_strdup ("")
                        : g_strdup_printf ("Binary files %s%s and %s%s differ\n",
                                           file_diff->new_file ? "" : "a/",
                                           file_diff->new_file ? "/dev/null"
                                                               : file_diff->old_path,
                                           file_diff->deleted_file ? "" : "b/",
                                           file_diff->deleted_file ? "/dev/null"
                                                                   : file_diff->new_path);
      return;
    }

  old_lines = split_lines (old_content);
  new_lines = split_lines (new_content);
  file_diff->ops = diff_split_lines (old_lines, new_lines);
  file_diff->diff = format_hunks (file_diff->ops, old_lines, new_lines);
  if (strlen (file_diff->diff) > NOD_FAKE_DIFF_TOO_LARGE_BYTES)
    file_diff->too_large = TRUE;
  else if (strlen (file_diff->diff) > NOD_FAKE_DIFF_COLLAPSED_BYTES
           || g_hash_table_contains (repository->collapsed_paths, file_diff->new_path))
    file_diff->collapsed = TRUE;
  if (file_diff->too_large || file_diff->collapsed)
    {
      g_free (file_diff->diff);
      file_diff->diff = g_strdup ("");
    }
}

/* The share of lines two texts have in common, in hundredths of the longer one. */
static guint
similarity (NodFakeBlob *a,
            NodFakeBlob *b)
{
  g_autoptr(GArray) ops = NULL;
  guint common = 0, longest = 0;

  if (a->binary || b->binary)
    return 0;
  ops = nod_fake_diff_lines (a->content, b->content);
  for (guint i = 0; i < ops->len; i++)
    {
      NodFakeLineOp *op = &g_array_index (ops, NodFakeLineOp, i);

      common += op->kind == NOD_FAKE_LINE_UNCHANGED;
      longest = MAX (longest, MAX (op->old_line, op->new_line));
    }
  return longest > 0 ? common * 100 / longest : 100;
}

static int
compare_file_diffs (gconstpointer a,
                    gconstpointer b)
{
  const NodFakeFileDiff *left = *(NodFakeFileDiff * const *) a;
  const NodFakeFileDiff *right = *(NodFakeFileDiff * const *) b;

  return strcmp (left->new_path, right->new_path);
}

/* The changed files, without their line diffs. */
static GPtrArray *
list_changes (NodFakeCommit *from,
              NodFakeCommit *to)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) nod_fake_file_diff_free);
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  g_autoptr(GPtrArray) deleted = g_ptr_array_new ();

  for (guint i = 0; i < from->tree->len; i++)
    {
      NodFakeTreeEntry *entry = g_ptr_array_index (from->tree, i);
      NodFakeTreeEntry *other = tree_find (to->tree, entry->path);
      NodFakeFileDiff *file_diff;

      if (other != NULL && other->blob == entry->blob)
        continue;
      file_diff = g_new0 (NodFakeFileDiff, 1);
      file_diff->old_path = g_strdup (entry->path);
      file_diff->new_path = g_strdup (entry->path);
      file_diff->old_blob = entry->blob;
      file_diff->new_blob = other != NULL ? other->blob : NULL;
      file_diff->deleted_file = other == NULL;
      g_ptr_array_add (changes, file_diff);
      if (other == NULL)
        g_ptr_array_add (deleted, file_diff);
    }
  for (guint i = 0; i < to->tree->len; i++)
    {
      NodFakeTreeEntry *entry = g_ptr_array_index (to->tree, i);
      NodFakeFileDiff *file_diff;

      if (tree_find (from->tree, entry->path) != NULL)
        continue;
      file_diff = g_new0 (NodFakeFileDiff, 1);
      file_diff->old_path = g_strdup (entry->path);
      file_diff->new_path = g_strdup (entry->path);
      file_diff->new_blob = entry->blob;
      file_diff->new_file = TRUE;
      g_ptr_array_add (changes, file_diff);
      g_ptr_array_add (added, file_diff);
    }

  /* Renames: a deleted file and a new one with half of their lines in common. */
  for (guint i = 0; i < added->len; i++)
    {
      NodFakeFileDiff *new_file = g_ptr_array_index (added, i);

      for (guint j = 0; j < deleted->len; j++)
        {
          NodFakeFileDiff *old_file = g_ptr_array_index (deleted, j);

          if (old_file->old_blob != new_file->new_blob
              && similarity (old_file->old_blob, new_file->new_blob) < 50)
            continue;
          g_free (new_file->old_path);
          new_file->old_path = g_strdup (old_file->old_path);
          new_file->old_blob = old_file->old_blob;
          new_file->new_file = FALSE;
          new_file->renamed_file = TRUE;
          g_ptr_array_remove_index (deleted, j);
          g_ptr_array_remove (changes, old_file);
          break;
        }
    }
  g_ptr_array_sort (changes, compare_file_diffs);
  return changes;
}

GPtrArray *
nod_fake_repository_diff (NodFakeRepository *repository,
                          NodFakeCommit     *from,
                          NodFakeCommit     *to)
{
  GPtrArray *changes = list_changes (from, to);

  for (guint i = 0; i < changes->len; i++)
    file_diff_compute (repository, g_ptr_array_index (changes, i));
  return changes;
}

guint
nod_fake_repository_count_changes (NodFakeRepository *repository,
                                   NodFakeCommit     *from,
                                   NodFakeCommit     *to)
{
  g_autoptr(GPtrArray) changes = list_changes (from, to);

  return changes->len;
}

NodFakeFileDiff *
nod_fake_file_diff_find (GPtrArray  *file_diffs,
                         const char *old_path,
                         const char *new_path)
{
  for (guint i = 0; i < file_diffs->len; i++)
    {
      NodFakeFileDiff *file_diff = g_ptr_array_index (file_diffs, i);

      if (g_strcmp0 (file_diff->old_path, old_path) == 0
          && g_strcmp0 (file_diff->new_path, new_path) == 0)
        return file_diff;
    }
  return NULL;
}

gboolean
nod_fake_file_diff_has_line (NodFakeFileDiff *file_diff,
                             guint            old_line,
                             guint            new_line)
{
  NodFakeLineKind kind;

  if (old_line == 0 && new_line == 0)
    return FALSE;
  kind = old_line == 0 ? NOD_FAKE_LINE_ADDED
                       : (new_line == 0 ? NOD_FAKE_LINE_REMOVED : NOD_FAKE_LINE_UNCHANGED);
  for (guint i = 0; i < file_diff->ops->len; i++)
    {
      NodFakeLineOp *op = &g_array_index (file_diff->ops, NodFakeLineOp, i);

      if (op->kind == kind && op->old_line == old_line && op->new_line == new_line)
        return TRUE;
    }
  return FALSE;
}

guint
nod_fake_trace_line (GBytes *from_content,
                     GBytes *to_content,
                     guint   line)
{
  g_autoptr(GArray) ops = nod_fake_diff_lines (from_content, to_content);

  for (guint i = 0; i < ops->len; i++)
    {
      NodFakeLineOp *op = &g_array_index (ops, NodFakeLineOp, i);

      if (op->old_line == line)
        return op->kind == NOD_FAKE_LINE_UNCHANGED ? op->new_line : 0;
    }
  return 0;
}

char *
nod_fake_line_code (const char *path,
                    guint       old_line,
                    guint       new_line)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA1, path, -1);

  return g_strdup_printf ("%s_%u_%u", digest, old_line, new_line);
}
