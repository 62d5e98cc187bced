/* test-merge-request-view.c: a merge request as the reviewer must see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-merge-request-view.h"

/* Beside a Draft badge the title loses GitLab's draft prefixes, in any case, repeated,
 * with the spaces after them; not one that only looks like one, not without the badge,
 * and never down to nothing. */
static void
test_shown_title (void)
{
  static const struct
  {
    const char *title;
    gboolean    draft;
    const char *shown;
  } cases[] = {
    { "Draft: Sidebar: group by project", TRUE, "Sidebar: group by project" },
    { "draft:Sidebar", TRUE, "Sidebar" },
    { "DRAFT:   Sidebar", TRUE, "Sidebar" },
    { "[Draft] Sidebar", TRUE, "Sidebar" },
    { "[draft]Sidebar", TRUE, "Sidebar" },
    { "(Draft) Sidebar", TRUE, "Sidebar" },
    { "WIP: Sidebar", TRUE, "Sidebar" },
    { "[WIP] Sidebar", TRUE, "Sidebar" },
    { "Draft: [Draft] (draft) Sidebar", TRUE, "Sidebar" },
    { "Draft: Sidebar", FALSE, "Draft: Sidebar" },
    { "Drafting the sidebar", TRUE, "Drafting the sidebar" },
    { "Sidebar: Draft: later", TRUE, "Sidebar: Draft: later" },
    { "Draft:", TRUE, "Draft:" },
    { "Draft:   ", TRUE, "Draft:   " },
    { "", TRUE, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      NodMergeRequestView view = { 0, };

      view.title = (char *) cases[i].title;
      view.draft = cases[i].draft;
      g_assert_cmpstr (nod_merge_request_view_get_shown_title (&view), ==, cases[i].shown);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nod/merge-request-view/shown-title", test_shown_title);

  return g_test_run ();
}
