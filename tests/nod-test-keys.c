/* nod-test-keys.c: pressing keys in a window, as GTK hands them to its widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4 makes no key events for a program (gtk_test_widget_send_key is gone, GdkEvents
 * have no public constructor), and Xvfb here has no XTEST client library. So a key press
 * goes where GTK would send it: to the widget with the focus (the window when none has
 * it), through the event controllers of it and its ancestors — the capture phase from the
 * window down, the target phase, then the bubble phase back up — until one takes it. A
 * key controller gets "key-pressed"; a shortcut controller (a widget's key bindings, a
 * GtkShortcutController) runs the action of a shortcut whose key trigger matches, with its
 * arguments, as GTK's own shortcut matching does for a key without a layout to translate.
 * What a key does is then what the widgets do with it, and nothing is activated by name.
 *
 * One controller is passed over: the one a GtkSearchBar puts on its key capture widget
 * forwards the very event to its entry, and there is no event. It takes printable keys
 * only (type to search), which the tests type as text instead.
 *
 * Text is "typed" by inserting it at the cursor of the focused text box: an input method,
 * which GTK's text widgets put between a key and its character, is not involved.
 */

#include "config.h"

#include "nod-test-keys.h"

static gboolean
trigger_matches (GtkShortcutTrigger *trigger,
                 guint               keyval,
                 GdkModifierType     modifiers)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_matches (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            keyval, modifiers) ||
           trigger_matches (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            keyval, modifiers);
  if (!GTK_IS_KEYVAL_TRIGGER (trigger))
    return FALSE;
  /* A trigger keeps its key in lower case, the Shift it needs among its modifiers. */
  return gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == gdk_keyval_to_lower (keyval) &&
         gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == modifiers;
}

static gboolean
run_shortcuts (GtkShortcutController *controller,
               GtkWidget             *widget,
               guint                  keyval,
               GdkModifierType        modifiers)
{
  GListModel *shortcuts = G_LIST_MODEL (controller);

  for (guint i = 0; i < g_list_model_get_n_items (shortcuts); i++)
    {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (shortcuts, i);

      if (trigger_matches (gtk_shortcut_get_trigger (shortcut), keyval, modifiers) &&
          gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                        GTK_SHORTCUT_ACTION_EXCLUSIVE, widget,
                                        gtk_shortcut_get_arguments (shortcut)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
captures_for_search_bar (GtkWidget *root,
                         GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if ((GTK_IS_SEARCH_BAR (child) &&
         gtk_search_bar_get_key_capture_widget (GTK_SEARCH_BAR (child)) == widget) ||
        captures_for_search_bar (child, widget))
      return TRUE;
  return FALSE;
}

static gboolean
run_controllers (GtkWidget           *widget,
                 GtkPropagationPhase  phase,
                 guint                keyval,
                 GdkModifierType      modifiers)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean search_capture = captures_for_search_bar (GTK_WIDGET (gtk_widget_get_root (widget)),
                                                     widget);

  if (!gtk_widget_is_sensitive (widget))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      gboolean handled = FALSE;

      if (gtk_event_controller_get_propagation_phase (controller) != phase)
        continue;
      if (GTK_IS_EVENT_CONTROLLER_KEY (controller) && search_capture)
        continue;
      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, modifiers, &handled);
      else if (GTK_IS_SHORTCUT_CONTROLLER (controller))
        handled = run_shortcuts (GTK_SHORTCUT_CONTROLLER (controller), widget, keyval, modifiers);
      if (handled)
        return TRUE;
    }
  return FALSE;
}

/**
 * nod_test_press_key:
 * @keyval: the key, e.g. GDK_KEY_n, GDK_KEY_R (with GDK_SHIFT_MASK), GDK_KEY_Tab
 * @modifiers: the modifiers held
 *
 * Presses @keyval in @window, where the focus is.
 *
 * Returns: whether a widget took the key
 */
gboolean
nod_test_press_key (GtkWindow       *window,
                    guint            keyval,
                    GdkModifierType  modifiers)
{
  GtkWidget *target = gtk_root_get_focus (GTK_ROOT (window));
  g_autoptr(GPtrArray) path = g_ptr_array_new_with_free_func (g_object_unref);  /* to the window */
  gboolean handled = FALSE;

  if (target == NULL)
    target = GTK_WIDGET (window);
  for (GtkWidget *widget = target; widget != NULL; widget = gtk_widget_get_parent (widget))
    g_ptr_array_add (path, g_object_ref (widget));

  for (guint i = path->len; i-- > 0 && !handled;)
    handled = run_controllers (path->pdata[i], GTK_PHASE_CAPTURE, keyval, modifiers);
  if (!handled)
    handled = run_controllers (target, GTK_PHASE_TARGET, keyval, modifiers);
  for (guint i = 0; i < path->len && !handled; i++)
    handled = run_controllers (path->pdata[i], GTK_PHASE_BUBBLE, keyval, modifiers);

  return handled;
}

/**
 * nod_test_type_text:
 *
 * Types @text where the cursor is: the focused text box must take text.
 */
void
nod_test_type_text (GtkWindow  *window,
                    const char *text)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  g_assert_nonnull (focus);
  if (GTK_IS_TEXT_VIEW (focus))
    {
      g_assert_true (gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)));
      gtk_text_buffer_insert_at_cursor (gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)), text, -1);
      return;
    }
  g_assert_true (GTK_IS_EDITABLE (focus));
  g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (focus)));
  {
    int position = gtk_editable_get_position (GTK_EDITABLE (focus));

    gtk_editable_insert_text (GTK_EDITABLE (focus), text, -1, &position);
    gtk_editable_set_position (GTK_EDITABLE (focus), position);
  }
}
