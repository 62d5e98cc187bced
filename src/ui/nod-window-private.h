/* nod-window-private.h: what nod-window.c and nod-window-actions.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nod-merge-request-list.h"
#include "nod-merge-request-page.h"
#include "nod-window.h"

G_BEGIN_DECLS

struct _NodWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  NodApplication       *application;
  NodSession           *session;         /* NULL until the application has it open */
  NodSyncEngine        *engine;          /* the session's, for short */
  NodAccounts          *accounts;        /* the session's */
  GCancellable         *cancellable;
  guint                 page_generation;  /* drops a page load overtaken by another */
  GtkWidget            *indicator;

  GtkStack             *main_stack;
  GtkBox               *main_box;
  AdwStatusPage        *error_page;
  AdwLeaflet           *leaflet;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *filter_dropdown;
  GtkStack             *sidebar_stack;
  NodMergeRequestList  *merge_request_list;
  gboolean              list_focused_once; /* the keys went to its first rows */
  AdwStatusPage        *empty_list_page;
  AdwWindowTitle       *content_title;
  GtkWidget            *review_menu_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *content_stack;
  NodMergeRequestPage  *page;
};

/* Installs the win.* actions, their accelerators and the page's template callbacks; call
 * it after the template is set. */
void _nod_window_install_actions (GtkWidgetClass *widget_class);
/* Connects what the page asks for beyond its template's signals (inline comments). */
void _nod_window_connect_page    (NodWindow      *self);

G_END_DECLS
