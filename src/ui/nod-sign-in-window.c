/* nod-sign-in-window.c: adding a GitLab account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session checks the token with a real call (who am I?) before anything is kept; then
 * it goes to the keyring and the account to the store. It never goes anywhere else.
 */

#define G_LOG_DOMAIN "nod-sign-in"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "nod-sign-in-window.h"

struct _NodSignInWindow
{
  AdwWindow       parent_instance;

  NodSession     *session;
  GCancellable   *cancellable;

  AdwEntryRow    *url_row;
  AdwEntryRow    *token_row;
  GtkButton      *sign_in_button;
  GtkSpinner     *spinner;
  GtkLabel       *message_label;
  GtkLabel       *address_label;
  GtkLinkButton  *token_link;
};

G_DEFINE_FINAL_TYPE (NodSignInWindow, nod_sign_in_window, ADW_TYPE_WINDOW)

enum {
  SIGNAL_SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (NodSignInWindow *self,
          gboolean         busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
}

static void
show_problem (NodSignInWindow *self,
              const char      *sentence)
{
  set_busy (self, FALSE);
  gtk_label_set_text (self->message_label, sentence);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
}

/* Checked as it is typed: "gitlab.example.org" says it means https://gitlab.example.org,
 * a bad address says why at once, and the token page follows it. */
static void
on_input_changed (NodSignInWindow *self)
{
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = nod_session_dup_instance_url (gtk_editable_get_text (
                                                         GTK_EDITABLE (self->url_row)),
                                                       &error);

  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  if (url == NULL)
    {
      gtk_label_set_text (self->address_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->address_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_label), "dim-label");
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("Signs in to %s"), url);
      g_autofree char *page = nod_session_dup_token_page_url (url);

      gtk_label_set_text (self->address_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->address_label), "dim-label");
      gtk_link_button_set_uri (self->token_link, page);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_link), url != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), *token != '\0' && url != NULL);
}

/* Enter in the address goes on to the token. */
static void
on_url_activated (NodSignInWindow *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
on_signed_in (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(NodSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NodAccount) account = nod_session_sign_in_finish (self->session, result, &error);

  if (account == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_problem (self, nod_session_explain_sign_in_error (error));
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, account);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_sign_in_clicked (NodSignInWindow *self)
{
  g_autofree char *base_url = nod_session_dup_instance_url (gtk_editable_get_text (
                                                              GTK_EDITABLE (self->url_row)),
                                                            NULL);
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  if (*token == '\0' || base_url == NULL ||
      !gtk_widget_get_sensitive (GTK_WIDGET (self->sign_in_button)))
    return;

  set_busy (self, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  nod_session_sign_in_async (self->session, base_url, token, self->cancellable, on_signed_in,
                             g_object_ref (self));
}

static void
nod_sign_in_window_dispose (GObject *object)
{
  NodSignInWindow *self = NOD_SIGN_IN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), NOD_TYPE_SIGN_IN_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (nod_sign_in_window_parent_class)->dispose (object);
}

static void
nod_sign_in_window_class_init (NodSignInWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = nod_sign_in_window_dispose;

  /**
   * NodSignInWindow::signed-in:
   * @account: the account, now stored, its token in the keyring, syncing
   */
  signals[SIGNAL_SIGNED_IN] =
    g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NOD_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/nodreview/Nod/ui/nod-sign-in-window.ui");
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, url_row);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, message_label);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, address_label);
  gtk_widget_class_bind_template_child (widget_class, NodSignInWindow, token_link);
  gtk_widget_class_bind_template_callback (widget_class, on_url_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
nod_sign_in_window_init (NodSignInWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  on_input_changed (self);
}

NodSignInWindow *
nod_sign_in_window_new (NodSession *session)
{
  NodSignInWindow *self;

  g_return_val_if_fail (NOD_IS_SESSION (session), NULL);

  self = g_object_new (NOD_TYPE_SIGN_IN_WINDOW, NULL);
  self->session = g_object_ref (session);
  return self;
}

/**
 * nod_sign_in_window_set_base_url:
 *
 * Fills in the instance, for signing in again to an account Nod knows; the token is what
 * is asked for.
 */
void
nod_sign_in_window_set_base_url (NodSignInWindow *self,
                                 const char      *base_url)
{
  g_return_if_fail (NOD_IS_SIGN_IN_WINDOW (self));
  g_return_if_fail (base_url != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->url_row), base_url);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->token_row));
}
