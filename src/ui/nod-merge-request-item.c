/* nod-merge-request-item.c: one merge request in the window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GObject around the cache's view, so list models can hold it. A reload gives the same
 * merge request's item its new view (::changed), rather than a new item: the list view
 * then keeps the row it has, which is far cheaper than building one.
 */

#include "config.h"

#include <string.h>

#include "nod-merge-request-item.h"

struct _NodMergeRequestItem
{
  GObject              parent_instance;

  gint64               account_id;
  NodMergeRequestView *view;
  char                *haystack;    /* lower-case title, reference and author, for search */
};

G_DEFINE_FINAL_TYPE (NodMergeRequestItem, nod_merge_request_item, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_PIPELINE_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
nod_merge_request_item_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  NodMergeRequestItem *self = NOD_MERGE_REQUEST_ITEM (object);

  switch (prop_id)
    {
    case PROP_PIPELINE_STATUS:
      g_value_set_string (value, self->view != NULL ? self->view->pipeline_status : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
nod_merge_request_item_finalize (GObject *object)
{
  NodMergeRequestItem *self = NOD_MERGE_REQUEST_ITEM (object);

  g_clear_pointer (&self->view, nod_merge_request_view_free);
  g_free (self->haystack);

  G_OBJECT_CLASS (nod_merge_request_item_parent_class)->finalize (object);
}

static void
nod_merge_request_item_class_init (NodMergeRequestItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = nod_merge_request_item_finalize;
  object_class->get_property = nod_merge_request_item_get_property;

  /**
   * NodMergeRequestItem:pipeline-status:
   *
   * The head pipeline's status, as GitLab words it (success, failed, running…) or
   * "unknown"; %NULL when none ran on the head.
   */
  properties[PROP_PIPELINE_STATUS] =
    g_param_spec_string ("pipeline-status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * NodMergeRequestItem::changed:
   *
   * The view was replaced by one that says something new.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
take_view (NodMergeRequestItem *self,
           NodMergeRequestView *view)
{
  g_autofree char *reference = NULL;
  g_autofree char *text = NULL;

  g_clear_pointer (&self->view, nod_merge_request_view_free);
  self->view = view;
  reference = nod_merge_request_item_dup_reference (self);
  text = g_strjoin (" ", view->title ? view->title : "", reference,
                    view->author_name ? view->author_name : "",
                    view->author_username ? view->author_username : "", NULL);
  g_free (self->haystack);
  self->haystack = g_utf8_casefold (text, -1);
}

static void
nod_merge_request_item_init (NodMergeRequestItem *self)
{
}

/**
 * nod_merge_request_item_new:
 * @view: (transfer full): the view to hold
 */
NodMergeRequestItem *
nod_merge_request_item_new (gint64               account_id,
                            NodMergeRequestView *view)
{
  NodMergeRequestItem *self;

  g_return_val_if_fail (view != NULL, NULL);

  self = g_object_new (NOD_TYPE_MERGE_REQUEST_ITEM, NULL);
  self->account_id = account_id;
  take_view (self, view);
  return self;
}

/**
 * nod_merge_request_item_set_view:
 * @view: (transfer full): the same merge request's newer view
 *
 * Emits ::changed only if the view says something new: a reload hands every item its
 * view again, and a row told to refresh costs a layout.
 */
void
nod_merge_request_item_set_view (NodMergeRequestItem *self,
                                 NodMergeRequestView *view)
{
  gboolean same, pipeline_changed;

  g_return_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self));
  g_return_if_fail (view != NULL);

  same = nod_merge_request_view_equal (self->view, view);
  pipeline_changed = g_strcmp0 (self->view->pipeline_status, view->pipeline_status) != 0;
  take_view (self, view);
  if (pipeline_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINE_STATUS]);
  if (!same)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* "ACCOUNT:PROJECT:IID": which merge request it is, whatever its state. */
char *
nod_merge_request_key (gint64                     account_id,
                       const NodMergeRequestView *view)
{
  g_return_val_if_fail (view != NULL, NULL);

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                          account_id, view->project_id, view->iid);
}

char *
nod_merge_request_item_dup_key (NodMergeRequestItem *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self), NULL);

  return nod_merge_request_key (self->account_id, self->view);
}

gint64
nod_merge_request_item_get_account_id (NodMergeRequestItem *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self), 0);
  return self->account_id;
}

const NodMergeRequestView *
nod_merge_request_item_get_view (NodMergeRequestItem *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self), NULL);
  return self->view;
}

/* "group/project!42" */
char *
nod_merge_request_item_dup_reference (NodMergeRequestItem *self)
{
  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self), NULL);

  return g_strdup_printf ("%s!%" G_GINT64_FORMAT,
                          self->view->project_path ? self->view->project_path : "",
                          self->view->iid);
}

/* @search: already case-folded; NULL or "" matches everything. */
gboolean
nod_merge_request_item_matches (NodMergeRequestItem   *self,
                                NodMergeRequestFilter  filter,
                                const char            *search)
{
  const NodMergeRequestView *view;
  gboolean open;

  g_return_val_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self), FALSE);

  view = self->view;
  open = g_strcmp0 (view->state, "opened") == 0;
  switch (filter)
    {
    case NOD_MERGE_REQUEST_FILTER_NEEDS_REVIEW:
      /* Approved ones stay: the reviewer may revoke, and sees the pending mark clear. */
      if (!open || !view->is_reviewer)
        return FALSE;
      break;

    case NOD_MERGE_REQUEST_FILTER_ASSIGNED:
      if (!open || !view->is_assignee)
        return FALSE;
      break;

    case NOD_MERGE_REQUEST_FILTER_AUTHORED:
      if (!view->is_author)
        return FALSE;
      break;

    case NOD_MERGE_REQUEST_FILTER_ALL:
    default:
      break;
    }

  return search == NULL || *search == '\0' || strstr (self->haystack, search) != NULL;
}

/* The reviewer opened it: the row stops marking it as changed since they last looked,
 * at once, without reading the list again (the cache keeps the mark for the next read). */
void
nod_merge_request_item_mark_opened (NodMergeRequestItem *self)
{
  g_return_if_fail (NOD_IS_MERGE_REQUEST_ITEM (self));

  if (!self->view->updated_since_opened)
    return;
  self->view->updated_since_opened = FALSE;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}
