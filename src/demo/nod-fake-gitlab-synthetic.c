/* nod-fake-gitlab-synthetic.c: made-up file texts for changes no fixture spelled out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fixture's threads name lines ("src/a.c", new line 212) without saying what the file
 * holds, and the benchmark dataset has thousands of merge requests: both get a change made
 * up here, in which every line a thread names is the kind of line it says. Every made-up
 * line is distinct, so the LCS diff of the two texts is exactly the edit script built here.
 */

#include "config.h"

#include <string.h>

#include "nod-fake-gitlab-dataset.h"

/* Unchanged lines after the last wish. */
#define TRAILING_LINES 6

typedef enum
{
  TEXT_UNCHANGED,
  TEXT_REMOVED,
  TEXT_ADDED,
} TextKind;

typedef struct
{
  const char *unchanged;
  const char *removed;
  const char *added;
} LineTemplates;

static const LineTemplates c_templates = {
  "  nod_step_# (self, error);",
  "  nod_old_step_# (self);",
  "  if (!nod_new_step_# (self, error))",
};
static const LineTemplates python_templates = {
  "    self.step_#()",
  "    self.old_step_#()",
  "    self.new_step_#(strict=True)",
};
static const LineTemplates rust_templates = {
  "    self.step_#()?;",
  "    self.old_step_#();",
  "    self.new_step_#().context(\"step\")?;",
};
static const LineTemplates markdown_templates = {
  "Paragraph # says what the project does.",
  "Paragraph # said it the old way.",
  "Paragraph # says it the new way, with an example.",
};
static const LineTemplates config_templates = {
  "  - step-#",
  "  - old-step-#",
  "  - new-step-# --strict",
};
static const LineTemplates shell_templates = {
  "RUN step-#",
  "RUN old-step-#",
  "RUN new-step-# --no-cache",
};

static const LineTemplates *
templates_for (const char *path)
{
  const char *dot = strrchr (path, '.');
  const char *extension = dot != NULL && strchr (dot, '/') == NULL ? dot + 1 : "";

  if (g_str_equal (extension, "c") || g_str_equal (extension, "h"))
    return &c_templates;
  if (g_str_equal (extension, "py"))
    return &python_templates;
  if (g_str_equal (extension, "rs"))
    return &rust_templates;
  if (g_str_equal (extension, "md"))
    return &markdown_templates;
  if (g_str_equal (extension, "yml") || g_str_equal (extension, "yaml")
      || g_str_equal (extension, "build"))
    return &config_templates;
  return &shell_templates;
}

typedef struct
{
  const LineTemplates *templates;
  GString             *base;
  GString             *head;
  guint                counter;
  guint                old_count;
  guint                new_count;
} Builder;

static void
append_template (GString    *text,
                 const char *template,
                 guint       number)
{
  /* "#" is where the number goes. */
  const char *mark = strchr (template, '#');

  g_string_append_len (text, template, mark - template);
  g_string_append_printf (text, "%u", number);
  g_string_append (text, mark + 1);
  g_string_append_c (text, '\n');
}

static void
emit (Builder  *builder,
      TextKind  kind)
{
  guint number = ++builder->counter;

  switch (kind)
    {
    case TEXT_UNCHANGED:
      append_template (builder->base, builder->templates->unchanged, number);
      append_template (builder->head, builder->templates->unchanged, number);
      builder->old_count++;
      builder->new_count++;
      break;
    case TEXT_REMOVED:
      append_template (builder->base, builder->templates->removed, number);
      builder->old_count++;
      break;
    case TEXT_ADDED:
    default:
      append_template (builder->head, builder->templates->added, number);
      builder->new_count++;
      break;
    }
}

static int
compare_wishes (gconstpointer a,
                gconstpointer b)
{
  const NodFakeLineWish *left = a;
  const NodFakeLineWish *right = b;
  guint left_key = left->new_line != 0 ? left->new_line : left->old_line;
  guint right_key = right->new_line != 0 ? right->new_line : right->old_line;

  return left_key < right_key ? -1 : (left_key > right_key ? 1 : 0);
}

void
nod_fake_synthetic_change (const char            *path,
                           guint                  variant,
                           const NodFakeLineWish *wishes,
                           guint                  n_wishes,
                           char                 **base_text,
                           char                 **head_text)
{
  g_autofree NodFakeLineWish *sorted = g_memdup2 (wishes, sizeof *wishes * n_wishes);
  Builder builder = { templates_for (path), g_string_new (NULL), g_string_new (NULL),
                      variant * 1000, 0, 0 };

  qsort (sorted, n_wishes, sizeof *sorted, compare_wishes);
  for (guint i = 0; i < n_wishes; i++)
    {
      const NodFakeLineWish *wish = &sorted[i];

      if (wish->old_line != 0 && wish->new_line != 0)
        {
          if (wish->old_line <= builder.old_count || wish->new_line <= builder.new_count)
            continue;
          while (builder.old_count + 1 < wish->old_line && builder.new_count + 1 < wish->new_line)
            emit (&builder, TEXT_UNCHANGED);
          while (builder.old_count + 1 < wish->old_line)
            emit (&builder, TEXT_REMOVED);
          while (builder.new_count + 1 < wish->new_line)
            emit (&builder, TEXT_ADDED);
          emit (&builder, TEXT_UNCHANGED);
        }
      else if (wish->new_line != 0)
        {
          if (wish->new_line <= builder.new_count)
            continue;
          while (builder.new_count + 1 < wish->new_line)
            emit (&builder, TEXT_UNCHANGED);
          /* A changed line reads better than a bare addition. */
          emit (&builder, TEXT_REMOVED);
          emit (&builder, TEXT_ADDED);
        }
      else if (wish->old_line != 0)
        {
          if (wish->old_line <= builder.old_count)
            continue;
          while (builder.old_count + 1 < wish->old_line)
            emit (&builder, TEXT_UNCHANGED);
          emit (&builder, TEXT_REMOVED);
        }
    }
  /* Only unchanged lines wished for: the file must still be in the change. */
  if (builder.old_count == builder.new_count
      && g_str_equal (builder.base->str, builder.head->str))
    {
      emit (&builder, TEXT_UNCHANGED);
      emit (&builder, TEXT_REMOVED);
      emit (&builder, TEXT_ADDED);
    }
  for (guint i = 0; i < TRAILING_LINES; i++)
    emit (&builder, TEXT_UNCHANGED);

  *base_text = g_string_free (builder.base, FALSE);
  *head_text = g_string_free (builder.head, FALSE);
}

void
nod_fake_dataset_set_synthetic_change (NodFakeDataset        *dataset,
                                       NodFakeMergeRequest   *merge_request,
                                       const char *const     *paths,
                                       guint                  n_paths,
                                       guint                  variant,
                                       const NodFakeLineWish *wishes,
                                       guint                  n_wishes,
                                       gint64                 now_us)
{
  NodFakeRepository *repository = merge_request->project->repository;
  g_autoptr(GHashTable) base_files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) head_changes = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n_paths; i++)
    {
      g_autofree char *base_text = NULL, *head_text = NULL;

      /* The wishes are the first path's; the others get a change of their own. */
      if (i == 0)
        nod_fake_synthetic_change (paths[i], variant, wishes, n_wishes, &base_text, &head_text);
      else
        {
          NodFakeLineWish wish = { 0, 2 + (variant + i) % 5 };
          nod_fake_synthetic_change (paths[i], variant + i, &wish, 1, &base_text, &head_text);
        }
      g_hash_table_insert (base_files, (gpointer) paths[i],
                           nod_fake_repository_add_text (repository, base_text));
      g_hash_table_insert (head_changes, (gpointer) paths[i],
                           nod_fake_repository_add_text (repository, head_text));
    }
  nod_fake_dataset_set_change (dataset, merge_request, base_files, head_changes, now_us);
}
