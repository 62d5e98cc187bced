/* nod-bench-result.c: one figure, as bench/run.py reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#include "nod-bench-result.h"

/* Three decimals are more than any of these figures means. */
static double
rounded (double value)
{
  return (gint64) (value * 1000.0 + (value < 0 ? -0.5 : 0.5)) / 1000.0;
}

void
nod_bench_print_result (const NodBenchResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, result->name);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, result->label);
  json_builder_set_member_name (builder, "unit");
  json_builder_add_string_value (builder, result->unit);
  json_builder_set_member_name (builder, "nod");
  json_builder_add_double_value (builder, rounded (result->nod));
  json_builder_set_member_name (builder, "comparison");
  if (result->comparison_label != NULL)
    json_builder_add_double_value (builder, rounded (result->comparison));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "comparison_label");
  if (result->comparison_label != NULL)
    json_builder_add_string_value (builder, result->comparison_label);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "goal");
  json_builder_add_string_value (builder, result->goal);
  if (result->ratio_goal > 0)
    {
      json_builder_set_member_name (builder, "ratio_goal");
      json_builder_add_double_value (builder, result->ratio_goal);
    }
  if (result->at_most_times)
    {
      json_builder_set_member_name (builder, "ratio_kind");
      json_builder_add_string_value (builder, "at_most_times_comparison");
    }
  if (result->bound > 0)
    {
      json_builder_set_member_name (builder, "bound");
      json_builder_add_double_value (builder, result->bound);
    }
  json_builder_set_member_name (builder, "lower_is_better");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  printf ("# result %s\n", text);
  fflush (stdout);
}
