/* nod-bench-result.h: one figure, as bench/run.py reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every benchmark program prints its figures as `# result {JSON}` lines beside its TAP
 * comments (bench/README.md, "The result protocol"); this writes them, escaped by
 * json-glib, the same way in each.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;              /* short, stable, unique */
  const char *label;             /* what the table shows */
  const char *unit;
  double      nod;
  const char *comparison_label;  /* NULL: no comparison, and @comparison is not read */
  double      comparison;
  const char *goal;              /* its words */
  double      ratio_goal;        /* 0: none */
  gboolean    at_most_times;     /* the ratio goal is "Nod ≤ ratio_goal × comparison" */
  double      bound;             /* an absolute goal (< bound); 0: none */
} NodBenchResult;

void nod_bench_print_result (const NodBenchResult *result);

G_END_DECLS
