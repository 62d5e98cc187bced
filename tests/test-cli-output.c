/* test-cli-output.c: the sanitiser every line the command line prints goes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "nod-cli-output.h"

/* What a hostile server puts in a title: every kind of character a terminal acts on. */
#define HOSTILE "a\x1b[2Jb\x1b]52;c;ZWNobyBoaQ==\x07" "c\rd\be\x7f" "f\xc2\x9b" "31mg" \
                "\xe2\x80\xaeh\xe2\x81\xa6i\xe2\x80\x8fj\xd8\x9c" "k\x01l"

/* No byte below 0x20 but those @allowed, no DEL, no C1 in UTF-8, no bidi control. */
static void
assert_inert (const char *text,
              const char *allowed)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20)
        g_assert_nonnull (strchr (allowed, (int) c));
      g_assert_cmpuint (c, !=, 0x7f);
      g_assert_false (c >= 0x80 && c <= 0x9f);
      g_assert_false (c == 0x061c || c == 0x200e || c == 0x200f ||
                      (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069));
    }
}

static void
test_value (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "Fix the sidebar", "Fix the sidebar" },
    { "", "" },
    { "Ünïcödé — “quotes” 🎉 עברית العربية", "Ünïcödé — “quotes” 🎉 עברית العربية" },
    { "\x1b[31mred", "\\x1b[31mred" },
    { "\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07" },
    { "done\rfailed", "done\\x0dfailed" },
    { "ab\b\bcd", "ab\\x08\\x08cd" },
    { "del\x7f", "del\\x7f" },
    { "csi\xc2\x9b" "2J", "csi\\u009b2J" },
    { "\xc2\x80\xc2\x9f", "\\u0080\\u009f" },
    { "evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe" },
    { "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202a\\u202b\\u202c\\u202d" },
    { "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069" },
    { "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c" },
    { "two\nlines\tand a tab", "two\\x0alines\\x09and a tab" },
    { "bad \xff\xfe UTF-8 \xe2\x80",
      "bad \xef\xbf\xbd\xef\xbf\xbd UTF-8 \xef\xbf\xbd\xef\xbf\xbd" },
    /* Escaping twice changes nothing; a backslash of the text stays as it is. */
    { "\\x1b and \\u202e", "\\x1b and \\u202e" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = nod_cli_output_value (cases[i].in);
      g_autofree char *again = nod_cli_output_value (value);

      g_assert_cmpstr (value, ==, cases[i].out);
      g_assert_cmpstr (again, ==, value);
      assert_inert (value, "");
    }

  {
    g_autofree char *none = nod_cli_output_value (NULL);
    g_autofree char *hostile = nod_cli_output_value (HOSTILE);

    g_assert_cmpstr (none, ==, "");
    assert_inert (hostile, "");
  }
}

static void
test_lines (void)
{
  g_autofree char *lines = nod_cli_output_lines ("ref\tTitle \x1b[1m\nnext\r\n");
  g_autofree char *hostile = nod_cli_output_lines (HOSTILE "\n\t" HOSTILE);

  g_assert_cmpstr (lines, ==, "ref\tTitle \\x1b[1m\nnext\\x0d\n");
  assert_inert (hostile, "\n\t");
}

/* --json keeps every value as it was, but writes nothing a terminal acts on. */
static void
test_json (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *generated = NULL;
  g_autofree char *safe = NULL;
  JsonObject *object;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, HOSTILE);
  json_builder_set_member_name (builder, "plain");
  json_builder_add_string_value (builder, "Fix “it” 🎉\nnow");
  json_builder_set_member_name (builder, "evil\xe2\x80\xae" "key");
  json_builder_add_int_value (builder, 7);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generated = json_to_string (root, TRUE);

  safe = nod_cli_output_json (generated);
  assert_inert (safe, "\n");
  g_assert_nonnull (strstr (safe, "\\u009b"));
  g_assert_nonnull (strstr (safe, "\\u202e"));

  g_assert_true (json_parser_load_from_data (parser, safe, -1, &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, HOSTILE);
  g_assert_cmpstr (json_object_get_string_member (object, "plain"), ==, "Fix “it” 🎉\nnow");
  g_assert_cmpint (json_object_get_int_member (object, "evil\xe2\x80\xae" "key"), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/cli-output/value", test_value);
  g_test_add_func ("/nod/cli-output/lines", test_lines);
  g_test_add_func ("/nod/cli-output/json", test_json);

  return g_test_run ();
}
