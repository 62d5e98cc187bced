/* nod-forge-page.c: one page of a list the forge returned
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-forge-page.h"

struct _NodForgePage
{
  GObject    parent_instance;

  GPtrArray *items;
  guint      page;
  guint      next_page;
  gint64     total;
};

G_DEFINE_FINAL_TYPE (NodForgePage, nod_forge_page, G_TYPE_OBJECT)

static void
nod_forge_page_dispose (GObject *object)
{
  NodForgePage *self = NOD_FORGE_PAGE (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (nod_forge_page_parent_class)->dispose (object);
}

static void
nod_forge_page_class_init (NodForgePageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = nod_forge_page_dispose;
}

static void
nod_forge_page_init (NodForgePage *self)
{
}

/**
 * nod_forge_page_new:
 * @items: (transfer none) (element-type GObject): the items of this page
 * @page: this page's number, from 1
 * @next_page: the next page's number, or 0 when this is the last
 * @total: how many items all pages hold, or -1 when the forge did not say (GitLab
 *   stops counting past 10,000)
 */
NodForgePage *
nod_forge_page_new (GPtrArray *items,
                    guint      page,
                    guint      next_page,
                    gint64     total)
{
  NodForgePage *self;

  g_return_val_if_fail (items != NULL, NULL);

  self = g_object_new (NOD_TYPE_FORGE_PAGE, NULL);
  self->items = g_ptr_array_ref (items);
  self->page = page;
  self->next_page = next_page;
  self->total = total;
  return self;
}

/**
 * nod_forge_page_get_items:
 *
 * Returns: (transfer none) (element-type GObject): the items
 */
GPtrArray *
nod_forge_page_get_items (NodForgePage *self)
{
  g_return_val_if_fail (NOD_IS_FORGE_PAGE (self), NULL);
  return self->items;
}

guint
nod_forge_page_get_page (NodForgePage *self)
{
  g_return_val_if_fail (NOD_IS_FORGE_PAGE (self), 0);
  return self->page;
}

guint
nod_forge_page_get_next_page (NodForgePage *self)
{
  g_return_val_if_fail (NOD_IS_FORGE_PAGE (self), 0);
  return self->next_page;
}

gint64
nod_forge_page_get_total (NodForgePage *self)
{
  g_return_val_if_fail (NOD_IS_FORGE_PAGE (self), -1);
  return self->total;
}
