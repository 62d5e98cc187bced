/* test-flatpak-manifest.c: checks flatpak/io.github.nodreview.Nod.json
 *
 * Copyright 2026 The Nod developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The manifest path comes from the NOD_FLATPAK_MANIFEST environment variable, which
 * flatpak/meson.build sets.
 */

#include "config.h"

#include <glib.h>
#include <json-glib/json-glib.h>

/* The sandbox holes Nod needs, and no others. */
static const char * const required_finish_args[] = {
  "--share=network",
  "--share=ipc",
  "--socket=wayland",
  "--socket=fallback-x11",
  "--device=dri",
};

/* Holes that must never come back, each with the reason shown when one does. */
static const struct {
  const char *arg;
  const char *reason;
} forbidden_finish_args[] = {
  { "--filesystem=home", "Nod keeps its data in its own directory" },
  { "--filesystem=host", "Nod keeps its data in its own directory" },
  { "--talk-name=org.freedesktop.secrets", "libsecret uses the Secret portal in a sandbox" },
  { "--socket=x11", "use --socket=fallback-x11 so Wayland sessions stay isolated" },
};

static JsonParser *
load_manifest (void)
{
  const char *manifest_path = g_getenv ("NOD_FLATPAK_MANIFEST");
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;

  if (manifest_path == NULL)
    g_error ("NOD_FLATPAK_MANIFEST is not set: it names the manifest to check");
  g_test_message ("Manifest: %s", manifest_path);

  parser = json_parser_new ();
  json_parser_load_from_file (parser, manifest_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return g_steal_pointer (&parser);
}

static JsonObject *
manifest_root (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

/* Returns the string member @member_name of @object, failing the test when it is missing
 * or not a string. */
static const char *
get_string_member (JsonObject *object,
                   const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_test_message ("“%s” is missing or not a string", member_name);
      g_test_fail ();
      return "";
    }

  return json_node_get_string (node);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member_name)
{
  JsonNode *node = json_object_get_member (object, member_name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));

  return json_node_get_array (node);
}

/* Collects finish-args into a set, failing on anything that is not a string. */
static GHashTable *
collect_finish_args (JsonObject *root)
{
  JsonArray *finish_args = get_array_member (root, "finish-args");
  g_autoptr(GHashTable) args = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < json_array_get_length (finish_args); i++)
    {
      JsonNode *node = json_array_get_element (finish_args, i);

      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
      g_hash_table_add (args, (gpointer) json_node_get_string (node));
    }

  return g_steal_pointer (&args);
}

static void
test_manifest_parses (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();

  g_assert_cmpuint (json_object_get_size (manifest_root (parser)), >, 0);
}

static void
test_manifest_identity (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  const char *id_member;

  /* flatpak-builder reads "id", or "app-id" in older manifests; exactly one of them. */
  g_assert_true (json_object_has_member (root, "id") != json_object_has_member (root, "app-id"));
  id_member = json_object_has_member (root, "id") ? "id" : "app-id";

  g_assert_cmpstr (get_string_member (root, id_member), ==, APP_ID);
  g_assert_cmpstr (get_string_member (root, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (get_string_member (root, "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr (get_string_member (root, "runtime-version"), !=, "");
  g_assert_cmpstr (get_string_member (root, "command"), ==, "nod");
}

static void
test_manifest_finish_args_required (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  g_autoptr(GHashTable) args = collect_finish_args (manifest_root (parser));

  for (gsize i = 0; i < G_N_ELEMENTS (required_finish_args); i++)
    {
      if (!g_hash_table_contains (args, required_finish_args[i]))
        {
          g_test_message ("finish-args lacks %s", required_finish_args[i]);
          g_test_fail ();
        }
    }
}

static void
test_manifest_finish_args_forbidden (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  g_autoptr(GHashTable) args = collect_finish_args (manifest_root (parser));

  for (gsize i = 0; i < G_N_ELEMENTS (forbidden_finish_args); i++)
    {
      if (g_hash_table_contains (args, forbidden_finish_args[i].arg))
        {
          g_test_message ("finish-args must not have %s: %s",
                          forbidden_finish_args[i].arg, forbidden_finish_args[i].reason);
          g_test_fail ();
        }
    }
}

static void
test_manifest_finish_args_nothing_else (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  g_autoptr(GHashTable) args = collect_finish_args (manifest_root (parser));
  GHashTableIter iter;
  gpointer arg;

  g_hash_table_iter_init (&iter, args);
  while (g_hash_table_iter_next (&iter, &arg, NULL))
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (required_finish_args) && !known; i++)
        known = g_str_equal (arg, required_finish_args[i]);

      if (!known)
        {
          g_test_message ("finish-args has %s, which this test does not know: if Nod really "
                          "needs it, add it to required_finish_args and flatpak/README.md",
                          (const char *) arg);
          g_test_fail ();
        }
    }
}

static void
test_manifest_last_module_is_nod (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonArray *modules = get_array_member (manifest_root (parser), "modules");
  JsonNode *last_node;
  JsonObject *nod_module;
  JsonArray *sources;
  gboolean builds_this_checkout = FALSE;

  g_assert_cmpuint (json_array_get_length (modules), >, 0);
  last_node = json_array_get_element (modules, json_array_get_length (modules) - 1);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (last_node));
  nod_module = json_node_get_object (last_node);

  g_assert_cmpstr (get_string_member (nod_module, "name"), ==, "nod");
  g_assert_cmpstr (get_string_member (nod_module, "buildsystem"), ==, "meson");

  sources = get_array_member (nod_module, "sources");
  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonNode *source_node = json_array_get_element (sources, i);
      JsonObject *source;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (source_node));
      source = json_node_get_object (source_node);
      if (g_strcmp0 (json_object_get_string_member_with_default (source, "type", NULL),
                     "dir") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (source, "path", NULL),
                        "..") == 0)
        builds_this_checkout = TRUE;
    }
  g_assert_true (builds_this_checkout);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/flatpak/parses", test_manifest_parses);
  g_test_add_func ("/nod/flatpak/identity", test_manifest_identity);
  g_test_add_func ("/nod/flatpak/finish-args/required", test_manifest_finish_args_required);
  g_test_add_func ("/nod/flatpak/finish-args/forbidden", test_manifest_finish_args_forbidden);
  g_test_add_func ("/nod/flatpak/finish-args/nothing-else",
                   test_manifest_finish_args_nothing_else);
  g_test_add_func ("/nod/flatpak/modules/last-is-nod", test_manifest_last_module_is_nod);

  return g_test_run ();
}
