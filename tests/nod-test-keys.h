/* nod-test-keys.h: pressing keys in a window, as GTK hands them to its widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean nod_test_press_key (GtkWindow       *window,
                             guint            keyval,
                             GdkModifierType  modifiers);
void     nod_test_type_text (GtkWindow       *window,
                             const char      *text);

G_END_DECLS
