/* test-suggestion.c: GitLab's suggestion blocks, found in a body and written for a new one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nod-suggestion.h"

static char *
build (const char *first, ...)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *line = first; line != NULL; line = va_arg (args, const char *))
    g_ptr_array_add (lines, (gpointer) line);
  va_end (args);
  g_ptr_array_add (lines, NULL);

  return nod_suggestion_build ((const char * const *) lines->pdata);
}

/* The one block of @body, asserted to be the only one. */
static NodSuggestionBlock
only_block (const char *body)
{
  g_autoptr(GArray) blocks = nod_suggestion_parse (body, -1);

  g_assert_cmpuint (blocks->len, ==, 1);
  return g_array_index (blocks, NodSuggestionBlock, 0);
}

static char *
joined_lines (const char *body, const NodSuggestionBlock *block)
{
  g_auto(GStrv) lines = nod_suggestion_dup_lines (body, block);

  return g_strjoinv ("|", lines);
}

static void
test_build_single_line (void)
{
  g_autofree char *body = build ("  return total;", NULL);

  g_assert_cmpstr (body, ==, "```suggestion:-0+0\n  return total;\n```");
}

static void
test_build_range (void)
{
  g_autofree char *body = build ("int a;", "int b;", "int c;", NULL);

  g_assert_cmpstr (body, ==, "```suggestion:-2+0\nint a;\nint b;\nint c;\n```");
}

static void
test_build_backticks (void)
{
  g_autofree char *three = build ("Use ```code``` here", NULL);
  g_autofree char *five = build ("x", "`````", "``", NULL);
  g_autofree char *two = build ("``a``", NULL);

  /* GitLab's editor: one more than the longest run of three or more, three at least. */
  g_assert_cmpstr (three, ==, "````suggestion:-0+0\nUse ```code``` here\n````");
  g_assert_cmpstr (five, ==, "``````suggestion:-2+0\nx\n`````\n``\n``````");
  g_assert_cmpstr (two, ==, "```suggestion:-0+0\n``a``\n```");
}

static void
test_build_empty_line (void)
{
  g_autofree char *empty = build ("", NULL);
  g_autofree char *none = nod_suggestion_build (NULL);
  g_autofree char *around = build ("a", "", "b", NULL);

  g_assert_cmpstr (empty, ==, "```suggestion:-0+0\n\n```");
  g_assert_cmpstr (none, ==, "```suggestion:-0+0\n\n```");
  g_assert_cmpstr (around, ==, "```suggestion:-2+0\na\n\nb\n```");
}

static void
test_build_crlf_free (void)
{
  g_autofree char *body = build ("one\r", "two\r\nthree", NULL);

  g_assert_null (strchr (body, '\r'));
  g_assert_cmpstr (body, ==, "```suggestion:-1+0\none\ntwo\n```");
}

static void
test_build_bounded (void)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;
  g_autoptr(GArray) blocks = NULL;
  g_auto(GStrv) parsed = NULL;

  for (guint i = 1; i <= 150; i++)
    g_ptr_array_add (lines, g_strdup_printf ("line %u", i));
  g_ptr_array_add (lines, NULL);
  body = nod_suggestion_build ((const char * const *) lines->pdata);

  /* GitLab replaces at most 100 above: the last 101 lines, the note's one included. */
  g_assert_true (g_str_has_prefix (body, "```suggestion:-100+0\nline 50\n"));
  g_assert_true (g_str_has_suffix (body, "\nline 150\n```"));
  blocks = nod_suggestion_parse (body, -1);
  g_assert_cmpuint (blocks->len, ==, 1);
  parsed = nod_suggestion_dup_lines (body, &g_array_index (blocks, NodSuggestionBlock, 0));
  g_assert_cmpuint (g_strv_length (parsed), ==, 101);
}

static void
test_parse_info (void)
{
  struct { const char *info; gboolean is; guint above, below; } cases[] = {
    { "suggestion", TRUE, 0, 0 },
    { "suggestion:-0+0", TRUE, 0, 0 },
    { "suggestion:-2+3", TRUE, 2, 3 },
    { "suggestion:-4", TRUE, 4, 0 },
    { "suggestion:+5", TRUE, 0, 5 },
    { "suggestion:", TRUE, 0, 0 },
    { "  suggestion:-1+1 extra words", TRUE, 1, 1 },
    { "suggestion:-101+250", TRUE, 100, 100 },
    { "suggestion:-99999999999999999999999+1", TRUE, 100, 1 },
    /* Not GitLab's pattern: still a suggestion, of the note's line alone. */
    { "suggestion:-x+1", TRUE, 0, 0 },
    { "suggestion:+1-1", TRUE, 0, 0 },
    { "suggestion:-1+", TRUE, 0, 0 },
    { "suggestion:--1", TRUE, 0, 0 },
    { "suggestion:1", TRUE, 0, 0 },
    { "suggestions", FALSE, 0, 0 },
    { "Suggestion", FALSE, 0, 0 },
    { "diff", FALSE, 0, 0 },
    { "", FALSE, 0, 0 },
    { NULL, FALSE, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint above = 77, below = 77;
      gboolean is = nod_suggestion_parse_info (cases[i].info, &above, &below);

      g_test_message ("info %s", cases[i].info);
      g_assert_cmpint (is, ==, cases[i].is);
      if (is)
        {
          g_assert_cmpuint (above, ==, cases[i].above);
          g_assert_cmpuint (below, ==, cases[i].below);
        }
    }
}

static void
test_parse_round_trip (void)
{
  const char *lines[] = { "if (x)", "", "  ```nested```", "}", NULL };
  g_autofree char *body = nod_suggestion_build (lines);
  g_autofree char *with_prose = g_strconcat ("Maybe this?\n\n", body, "\n\nThanks.", NULL);
  NodSuggestionBlock block = only_block (with_prose);
  g_auto(GStrv) parsed = nod_suggestion_dup_lines (with_prose, &block);

  g_assert_cmpuint (block.start, ==, strlen ("Maybe this?\n\n"));
  g_assert_cmpuint (block.lines_above, ==, 3);
  g_assert_cmpuint (block.lines_below, ==, 0);
  g_assert_true (block.terminated);
  g_assert_true (g_strv_equal (lines, (const char * const *) parsed));
  /* The block ends after its closing fence's line end. */
  g_assert_cmpstr (with_prose + block.end, ==, "\nThanks.");
}

static void
test_parse_several (void)
{
  const char *body = "First:\n"
                     "```suggestion:-1+0\n"
                     "a\n"
                     "```\n"
                     "then some code, not a suggestion:\n"
                     "```c\n"
                     "```suggestion\n"
                     "```\n"
                     "~~~~suggestion:+2\n"
                     "b\n"
                     "~~~\n"
                     "c\n"
                     "~~~~~\n"
                     "   ```suggestion\n"
                     "    indented\n"
                     "   ```\n"
                     "    ```suggestion\n"
                     "an indented code block's text\n"
                     "```suggestion\n"
                     "```\n";
  g_autoptr(GArray) blocks = nod_suggestion_parse (body, -1);
  g_autofree char *first = NULL, *second = NULL, *third = NULL, *fourth = NULL;

  g_assert_cmpuint (blocks->len, ==, 4);
  first = joined_lines (body, &g_array_index (blocks, NodSuggestionBlock, 0));
  second = joined_lines (body, &g_array_index (blocks, NodSuggestionBlock, 1));
  third = joined_lines (body, &g_array_index (blocks, NodSuggestionBlock, 2));
  fourth = joined_lines (body, &g_array_index (blocks, NodSuggestionBlock, 3));
  g_assert_cmpstr (first, ==, "a");
  g_assert_cmpuint (g_array_index (blocks, NodSuggestionBlock, 0).lines_above, ==, 1);
  /* A shorter fence of the same character, and a different one, are content. */
  g_assert_cmpstr (second, ==, "b|~~~|c");
  g_assert_cmpuint (g_array_index (blocks, NodSuggestionBlock, 1).lines_below, ==, 2);
  /* The opening fence's indent comes off its lines. */
  g_assert_cmpstr (third, ==, " indented");
  /* An empty suggestion deletes the lines. */
  g_assert_cmpstr (fourth, ==, "");
  {
    g_auto(GStrv) none = nod_suggestion_dup_lines (body,
                                                   &g_array_index (blocks,
                                                                   NodSuggestionBlock, 3));
    g_assert_cmpuint (g_strv_length (none), ==, 0);
  }
}

static void
test_parse_unterminated (void)
{
  const char *body = "```suggestion:-0+1\nnew line\r\nlast";
  NodSuggestionBlock block = only_block (body);
  g_autofree char *lines = joined_lines (body, &block);

  /* CommonMark: a block with no closing fence runs to the end of the document. */
  g_assert_false (block.terminated);
  g_assert_cmpuint (block.end, ==, strlen (body));
  g_assert_cmpstr (lines, ==, "new line|last");
}

static void
test_parse_missing_fence (void)
{
  const char *bodies[] = {
    "suggestion:-1+1\nnot a block\n",
    "``suggestion\ntwo backticks are inline code\n``\n",
    "```suggestion`\nan info string with a backtick\n```\n",
    "> ```suggestion\n> in a quote\n> ```\n",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GArray) blocks = nod_suggestion_parse (bodies[i], -1);

      g_assert_cmpuint (blocks->len, ==, 0);
    }
  {
    g_autoptr(GArray) blocks = nod_suggestion_parse (NULL, -1);

    g_assert_cmpuint (blocks->len, ==, 0);
  }
}

static void
test_parse_hostile (void)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GArray) blocks = NULL;
  g_autoptr(GArray) huge_blocks = NULL;
  const char header[] = "```suggestion:-18446744073709551617+4294967296\n";
  g_auto(GStrv) content = NULL;

  /* A thousand blocks: only the first NOD_SUGGESTION_MAX_BLOCKS are reported. */
  for (guint i = 0; i < 1000; i++)
    g_string_append (many, "```suggestion\nx\n```\n");
  blocks = nod_suggestion_parse (many->str, many->len);
  g_assert_cmpuint (blocks->len, ==, NOD_SUGGESTION_MAX_BLOCKS);

  /* 10 MB: a huge N and M, then lines of backticks and tildes, never closed. */
  g_string_append (huge, header);
  while (huge->len < 10 * 1024 * 1024)
    g_string_append (huge, "``\n~~~~\n`` ` ```` x\n");
  huge_blocks = nod_suggestion_parse (huge->str, huge->len);
  g_assert_cmpuint (huge_blocks->len, ==, 1);
  g_assert_cmpuint (g_array_index (huge_blocks, NodSuggestionBlock, 0).lines_above, ==, 100);
  g_assert_cmpuint (g_array_index (huge_blocks, NodSuggestionBlock, 0).lines_below, ==, 100);
  g_assert_false (g_array_index (huge_blocks, NodSuggestionBlock, 0).terminated);
  g_assert_cmpuint (g_array_index (huge_blocks, NodSuggestionBlock, 0).content_start, ==,
                    strlen (header));
  content = nod_suggestion_dup_lines (huge->str,
                                      &g_array_index (huge_blocks, NodSuggestionBlock, 0));
  g_assert_cmpuint (g_strv_length (content), >, 1000000);

  /* A body with NULs inside reads as its bytes, not to its first NUL. */
  {
    const char with_nul[] = "```suggestion\na\0b\n```\n";
    g_autoptr(GArray) nul_blocks = nod_suggestion_parse (with_nul, sizeof with_nul - 1);

    g_assert_cmpuint (nul_blocks->len, ==, 1);
    g_assert_true (g_array_index (nul_blocks, NodSuggestionBlock, 0).terminated);
  }
}

static void
test_lines_of_text (void)
{
  const char text[] = "one\r\ntwo\nthree\nfour";
  g_auto(GStrv) middle = nod_suggestion_lines_of_text (text, strlen (text), 1, 2);
  g_auto(GStrv) past_end = nod_suggestion_lines_of_text (text, strlen (text), 3, 10);
  g_auto(GStrv) none = nod_suggestion_lines_of_text (text, strlen (text), 0, 0);
  g_auto(GStrv) beyond = nod_suggestion_lines_of_text (text, strlen (text), 9, 12);
  const char *expected_middle[] = { "one", "two", NULL };
  const char *expected_end[] = { "three", "four", NULL };

  g_assert_true (g_strv_equal ((const char * const *) middle, expected_middle));
  g_assert_true (g_strv_equal ((const char * const *) past_end, expected_end));
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (beyond), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nod/suggestion/build/single-line", test_build_single_line);
  g_test_add_func ("/nod/suggestion/build/range", test_build_range);
  g_test_add_func ("/nod/suggestion/build/backticks", test_build_backticks);
  g_test_add_func ("/nod/suggestion/build/empty-line", test_build_empty_line);
  g_test_add_func ("/nod/suggestion/build/crlf-free", test_build_crlf_free);
  g_test_add_func ("/nod/suggestion/build/bounded", test_build_bounded);
  g_test_add_func ("/nod/suggestion/parse/info", test_parse_info);
  g_test_add_func ("/nod/suggestion/parse/round-trip", test_parse_round_trip);
  g_test_add_func ("/nod/suggestion/parse/several", test_parse_several);
  g_test_add_func ("/nod/suggestion/parse/unterminated", test_parse_unterminated);
  g_test_add_func ("/nod/suggestion/parse/missing-fence", test_parse_missing_fence);
  g_test_add_func ("/nod/suggestion/parse/hostile", test_parse_hostile);
  g_test_add_func ("/nod/suggestion/lines-of-text", test_lines_of_text);
  return g_test_run ();
}
