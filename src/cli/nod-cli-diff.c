/* nod-cli-diff.c: `nod diff REF [--stat] [--file PATH]`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads only what the last pull kept: the diff cache's newest head of the merge request.
 * Nothing asks GitLab, so it works offline. Paths, modes and every line of the diff are a
 * stranger's; each is made safe here, piece by piece, because the colours this file adds
 * are escape sequences the whole-line sanitiser would (rightly) defuse.
 */

#define G_LOG_DOMAIN "nod-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "nod-cli-diff.h"
#include "nod-cli-private.h"

/* git's colours: meta lines bold, hunk headers cyan, removed red, added green. */
#define SGR_BOLD  "\033[1m"
#define SGR_CYAN  "\033[36m"
#define SGR_RED   "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_RESET "\033[m"

/* ---- formatting ---- */

/* One line: @prefix and @text (both made safe already) in @sgr when @colour. */
static void
append_line (GString    *out,
             gboolean    colour,
             const char *sgr,
             const char *prefix,
             const char *text)
{
  if (colour && sgr != NULL)
    g_string_append (out, sgr);
  g_string_append (out, prefix);
  g_string_append (out, text);
  if (colour && sgr != NULL)
    g_string_append (out, SGR_RESET);
  g_string_append_c (out, '\n');
}

/* "a/PATH", or /dev/null for the side a file is not on. */
static char *
side_name (const char *side,
           const char *safe_path,
           gboolean    absent)
{
  return absent ? g_strdup ("/dev/null") : g_strconcat (side, safe_path, NULL);
}

static void
append_headers (GString     *out,
                NodDiffFile *file,
                gboolean     colour)
{
  NodDiffFileFlags flags = nod_diff_file_get_flags (file);
  g_autofree char *old_path = nod_cli_output_value (nod_diff_file_get_old_path (file));
  g_autofree char *new_path = nod_cli_output_value (nod_diff_file_get_new_path (file));
  g_autofree char *a_mode = nod_cli_output_value (nod_diff_file_get_a_mode (file));
  g_autofree char *b_mode = nod_cli_output_value (nod_diff_file_get_b_mode (file));
  g_autofree char *line = g_strdup_printf ("diff --git a/%s b/%s", old_path, new_path);

  append_line (out, colour, SGR_BOLD, "", line);
  if ((flags & NOD_DIFF_FILE_NEW) != 0)
    append_line (out, colour, SGR_BOLD, "new file mode ", b_mode);
  else if ((flags & NOD_DIFF_FILE_DELETED) != 0)
    append_line (out, colour, SGR_BOLD, "deleted file mode ", a_mode);
  else if (!g_str_equal (a_mode, b_mode) && !g_str_equal (a_mode, "0") &&
           !g_str_equal (b_mode, "0"))
    {
      append_line (out, colour, SGR_BOLD, "old mode ", a_mode);
      append_line (out, colour, SGR_BOLD, "new mode ", b_mode);
    }
  if ((flags & NOD_DIFF_FILE_RENAMED) != 0)
    {
      append_line (out, colour, SGR_BOLD, "rename from ", old_path);
      append_line (out, colour, SGR_BOLD, "rename to ", new_path);
    }
}

/* "@@ -a[,b] +c[,d] @@ section", a count of 1 left out as diff(1) does. */
static void
append_hunk_header (GString           *out,
                    const NodDiffLine *hunk,
                    const char        *safe_section,
                    gboolean           colour)
{
  g_autoptr(GString) range = g_string_new ("@@ -");

  g_string_append_printf (range, "%u", hunk->old_line);
  if (hunk->old_count != 1)
    g_string_append_printf (range, ",%u", hunk->old_count);
  g_string_append_printf (range, " +%u", hunk->new_line);
  if (hunk->new_count != 1)
    g_string_append_printf (range, ",%u", hunk->new_count);
  g_string_append (range, " @@");

  if (colour)
    g_string_append (out, SGR_CYAN);
  g_string_append (out, range->str);
  if (colour)
    g_string_append (out, SGR_RESET);
  if (*safe_section != '\0')
    g_string_append_printf (out, " %s", safe_section);
  g_string_append_c (out, '\n');
}

static void
append_lines (GString     *out,
              NodDiffFile *file,
              gboolean     colour)
{
  const char *diff = nod_diff_file_get_diff (file);
  GArray *lines = nod_diff_file_get_lines (file);

  for (guint i = 0; i < lines->len; i++)
    {
      const NodDiffLine *line = &g_array_index (lines, NodDiffLine, i);
      g_autofree char *text = g_strndup (diff + line->offset, line->length);
      /* Tabs kept: code is indented with them. A line has no newline of its own. */
      g_autofree char *safe = nod_cli_output_lines (text);

      switch (line->kind)
        {
        case NOD_DIFF_LINE_HUNK:
          append_hunk_header (out, line, safe, colour);
          break;
        case NOD_DIFF_LINE_ADDED:
          append_line (out, colour, SGR_GREEN, "+", safe);
          break;
        case NOD_DIFF_LINE_REMOVED:
          append_line (out, colour, SGR_RED, "-", safe);
          break;
        case NOD_DIFF_LINE_CONTEXT:
        default:
          append_line (out, colour, NULL, " ", safe);
          break;
        }
      if (line->no_newline_at_end)
        append_line (out, colour, NULL, "", "\\ No newline at end of file");
    }
}

static void
append_file (GString     *out,
             NodDiffFile *file,
             const char  *safe_web_url,
             gboolean     colour)
{
  NodDiffFileFlags flags = nod_diff_file_get_flags (file);
  g_autofree char *old_path = nod_cli_output_value (nod_diff_file_get_old_path (file));
  g_autofree char *new_path = nod_cli_output_value (nod_diff_file_get_new_path (file));
  g_autofree char *old_name = side_name ("a/", old_path, (flags & NOD_DIFF_FILE_NEW) != 0);
  g_autofree char *new_name = side_name ("b/", new_path, (flags & NOD_DIFF_FILE_DELETED) != 0);

  append_headers (out, file, colour);
  switch (nod_diff_file_get_visibility (file))
    {
    case NOD_DIFF_FILE_HIDDEN_BINARY:
      g_string_append_printf (out, "Binary files %s and %s differ\n", old_name, new_name);
      break;
    case NOD_DIFF_FILE_HIDDEN_TOO_LARGE:
      g_string_append_printf (out, "(too large to show; open %s)\n", safe_web_url);
      break;
    case NOD_DIFF_FILE_SHOWN:
    default:
      /* A rename or a mode change alone has no hunks, and git no ---/+++ for it. */
      if (nod_diff_file_get_lines (file)->len == 0)
        break;
      append_line (out, colour, SGR_BOLD, "--- ", old_name);
      append_line (out, colour, SGR_BOLD, "+++ ", new_name);
      append_lines (out, file, colour);
      break;
    }
}

char *
nod_cli_diff_format (GPtrArray  *files,
                     const char *web_url,
                     gboolean    colour)
{
  g_autofree char *safe_web_url = nod_cli_output_value (web_url);
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (files != NULL, NULL);

  for (guint i = 0; i < files->len; i++)
    append_file (out, files->pdata[i], safe_web_url, colour);
  return g_string_free (out, FALSE);
}

/* "path", or "old => new" for a rename, made safe. */
static char *
stat_name (NodDiffFile *file)
{
  g_autofree char *old_path = nod_cli_output_value (nod_diff_file_get_old_path (file));
  g_autofree char *new_path = nod_cli_output_value (nod_diff_file_get_new_path (file));

  if ((nod_diff_file_get_flags (file) & NOD_DIFF_FILE_RENAMED) != 0 &&
      !g_str_equal (old_path, new_path))
    return g_strdup_printf ("%s => %s", old_path, new_path);
  return nod_cli_output_value (nod_diff_file_get_path (file));
}

/* What the count column says: the lines changed, or why there are none to count. */
static char *
stat_count (NodDiffFile *file)
{
  switch (nod_diff_file_get_visibility (file))
    {
    case NOD_DIFF_FILE_HIDDEN_BINARY:
      return g_strdup ("Bin");
    case NOD_DIFF_FILE_HIDDEN_TOO_LARGE:
      return g_strdup ("too large");
    case NOD_DIFF_FILE_SHOWN:
    default:
      return g_strdup_printf ("%u", nod_diff_file_get_additions (file) +
                                    nod_diff_file_get_deletions (file));
    }
}

/* The columns @count changes take in a --stat row, scaled when the most any file has,
 * @max_changes, would not fit; a file with a change of a kind shows at least one. */
static guint
graph_width (guint count,
             guint max_changes)
{
  guint width;

  if (count == 0 || max_changes <= NOD_CLI_DIFF_STAT_GRAPH_MAX)
    return count;
  width = (guint) (((guint64) count * NOD_CLI_DIFF_STAT_GRAPH_MAX) / max_changes);
  return MAX (width, 1);
}

static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  guint length = (guint) g_utf8_strlen (text, -1);

  if (!right)
    g_string_append (out, text);
  for (guint i = length; i < width; i++)
    g_string_append_c (out, ' ');
  if (right)
    g_string_append (out, text);
}

static void
append_run (GString    *out,
            char        mark,
            guint       count,
            gboolean    colour,
            const char *sgr)
{
  if (count == 0)
    return;
  if (colour)
    g_string_append (out, sgr);
  for (guint i = 0; i < count; i++)
    g_string_append_c (out, mark);
  if (colour)
    g_string_append (out, SGR_RESET);
}

char *
nod_cli_diff_format_stat (GPtrArray *files,
                          gboolean   colour)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func (g_free);
  guint name_width = 0, count_width = 0, max_changes = 0;
  guint insertions = 0, deletions = 0;
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (files != NULL, NULL);

  for (guint i = 0; i < files->len; i++)
    {
      NodDiffFile *file = files->pdata[i];
      char *name = stat_name (file);
      char *count = stat_count (file);

      g_ptr_array_add (names, name);
      g_ptr_array_add (counts, count);
      name_width = MAX (name_width, (guint) g_utf8_strlen (name, -1));
      count_width = MAX (count_width, (guint) strlen (count));
      max_changes = MAX (max_changes, nod_diff_file_get_additions (file) +
                                      nod_diff_file_get_deletions (file));
    }

  for (guint i = 0; i < files->len; i++)
    {
      NodDiffFile *file = files->pdata[i];
      guint added = nod_diff_file_get_additions (file);
      guint removed = nod_diff_file_get_deletions (file);

      insertions += added;
      deletions += removed;
      g_string_append_c (out, ' ');
      append_padded (out, names->pdata[i], name_width, FALSE);
      g_string_append (out, " | ");
      append_padded (out, counts->pdata[i], count_width, TRUE);
      if (added + removed > 0)
        g_string_append_c (out, ' ');
      append_run (out, '+', graph_width (added, max_changes), colour, SGR_GREEN);
      append_run (out, '-', graph_width (removed, max_changes), colour, SGR_RED);
      g_string_append_c (out, '\n');
    }

  /* git's summary: the insertions or the deletions left out when there are none, unless
   * both are none. For scripts, so not translated, as git's in the C locale. */
  g_string_append_printf (out, " %u %s changed", files->len, files->len == 1 ? "file" : "files");
  if (insertions > 0 || deletions == 0)
    g_string_append_printf (out, ", %u %s(+)", insertions,
                            insertions == 1 ? "insertion" : "insertions");
  if (deletions > 0 || insertions == 0)
    g_string_append_printf (out, ", %u %s(-)", deletions,
                            deletions == 1 ? "deletion" : "deletions");
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

guint
nod_cli_diff_count_lines (GBytes *text)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (text, &length);
  guint count = 0;

  for (gsize i = 0; i < length; i++)
    count += data[i] == '\n';
  if (length > 0 && data[length - 1] != '\n')
    count++;
  return count;
}

/* ---- what a verb says when the changes are not there ---- */

char *
_nod_cli_diff_not_kept_message (NodCliRun *run)
{
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);

  /* Translators: a merge request's reference, e.g. gnome/nod!42 */
  return g_strdup_printf (_("nod: the changes of %s are not downloaded yet; run “nod pull”"),
                          ref);
}

char *
_nod_cli_diff_no_file_message (NodCliRun *run)
{
  g_autofree char *ref = _nod_cli_reference (run->command->project_path, run->command->iid);
  g_autofree char *quoted = nod_cli_quote (run->command->file_path);

  if (quoted == NULL)
    return g_strdup_printf (_("nod: no such file in the changes of %s"), ref);
  /* Translators: a path, then a merge request's reference */
  return g_strdup_printf (_("nod: no file “%s” in the changes of %s"), quoted, ref);
}

/* The changes page of the merge request on GitLab, where what is too large is shown. */
static char *
changes_web_url (NodCliRun *run)
{
  const char *base_url = nod_account_get_base_url (run->account);
  gsize length = strlen (base_url);

  while (length > 0 && base_url[length - 1] == '/')
    length--;
  return g_strdup_printf ("%.*s/%s/-/merge_requests/%" G_GINT64_FORMAT "/diffs", (int) length,
                          base_url, run->command->project_path, run->command->iid);
}

/* ---- the verb ---- */

static void
on_diff_loaded (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestDiff) diff = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *text = NULL;
  gboolean colour = _nod_cli_wants_colour (run);

  diff = nod_diff_cache_load_diff_finish (NOD_DIFF_CACHE (source_object), result, &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  if (diff == NULL)
    {
      g_autofree char *message = _nod_cli_diff_not_kept_message (run);

      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
      return;
    }

  if (run->command->file_path == NULL)
    files = g_ptr_array_ref (nod_merge_request_diff_get_files (diff));
  else
    {
      NodDiffFile *file = nod_merge_request_diff_find_file (diff, run->command->file_path);

      if (file == NULL)
        {
          g_autofree char *message = _nod_cli_diff_no_file_message (run);

          _nod_cli_finish (task, NOD_CLI_EXIT_USAGE, message);
          return;
        }
      files = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (files, g_object_ref (file));
    }

  if (run->command->stat)
    text = nod_cli_diff_format_stat (files, colour);
  else
    {
      g_autofree char *web_url = changes_web_url (run);

      text = nod_cli_diff_format (files, web_url, colour);
    }
  _nod_cli_out_safe (run, text);
  _nod_cli_finish (task, NOD_CLI_EXIT_OK, NULL);
}

static void
on_diff_target (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  NodCliRun *run = _nod_cli_run_of (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(NodMergeRequestTarget) target = NULL;

  target = nod_review_cache_find_target_finish (NOD_REVIEW_CACHE (source_object), result,
                                                &error);
  if (error != NULL)
    {
      _nod_cli_finish_error (task, error);
      return;
    }
  if (target == NULL)
    {
      g_autofree char *message = _nod_cli_diff_not_kept_message (run);

      _nod_cli_finish (task, NOD_CLI_EXIT_ERROR, message);
      return;
    }

  run->project_id = target->project_id;
  nod_diff_cache_load_diff_async (nod_session_get_diff_cache (run->session),
                                  nod_account_get_id (run->account), run->project_id,
                                  run->command->iid, NULL, g_task_get_cancellable (task),
                                  on_diff_loaded, task);
}

/* Only what is kept: a merge request Nod has not pulled has no changes to show. */
void
_nod_cli_diff (GTask *task)
{
  NodCliRun *run = _nod_cli_run_of (task);

  nod_review_cache_find_target_async (nod_session_get_cache (run->session),
                                      nod_account_get_id (run->account),
                                      run->command->project_path, run->command->iid,
                                      g_task_get_cancellable (task), on_diff_target, task);
}
