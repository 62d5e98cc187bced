/* test-sign-in.c: adding an account, against the fake GitLab (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "nod-credentials.h"
#include "nod-fake-gitlab.h"
#include "nod-session.h"
#include "nod-sign-in-window.h"
#include "nod-test-utils.h"

#define TOKEN "glpat-sign-in-test"

static gboolean have_display;

typedef struct
{
  NodFakeGitlab   *fake;
  char            *base_url;
  NodSession      *session;
  NodAccounts     *accounts;
  NodSignInWindow *window;
  NodAccount      *signed_in;
} Fixture;

static void
on_signed_in (NodSignInWindow *window,
              NodAccount      *account,
              Fixture         *fixture)
{
  fixture->signed_in = g_object_ref (account);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;

  if (!have_display)
    return;

  fixture->fake = nod_fake_gitlab_new (TOKEN);
  g_assert_true (nod_fake_gitlab_load_fixture (fixture->fake, NULL, &error));
  g_assert_true (nod_fake_gitlab_listen (fixture->fake, 0, &error));
  fixture->base_url = nod_fake_gitlab_dup_base_url (fixture->fake);
  path = g_build_filename (g_get_user_data_dir (), "nod", "nod.db", NULL);
  nod_session_open_async (path, NOD_SESSION_FLAGS_NONE, NULL, nod_test_keep_result, &result);
  fixture->session = nod_session_open_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  fixture->accounts = nod_session_get_accounts (fixture->session);
  fixture->window = nod_sign_in_window_new (fixture->session);
  g_signal_connect (fixture->window, "signed-in", G_CALLBACK (on_signed_in), fixture);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL && fixture->signed_in == NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->signed_in);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->fake);
  g_free (fixture->base_url);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0))
        return child;
      if ((found = find_widget (child, type, label)) != NULL)
        return found;
    }
  return NULL;
}

static void
sign_in (Fixture    *fixture,
         const char *token)
{
  GtkWidget *root = GTK_WIDGET (fixture->window);
  GtkWidget *token_row = find_widget (root, ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  GtkWidget *url_row = find_widget (root, ADW_TYPE_ENTRY_ROW, NULL);
  GtkWidget *button = find_widget (root, GTK_TYPE_BUTTON, "_Sign In");

  g_assert_nonnull (url_row);
  g_assert_nonnull (token_row);
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_sensitive (button));
  gtk_editable_set_text (GTK_EDITABLE (url_row), fixture->base_url);
  gtk_editable_set_text (GTK_EDITABLE (token_row), token);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static GtkLabel *
visible_message (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child) &&
          gtk_widget_has_css_class (child, "error"))
        return GTK_LABEL (child);
      if ((found = visible_message (child)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
message_shown (gpointer data)
{
  Fixture *fixture = data;

  return fixture->signed_in != NULL || visible_message (GTK_WIDGET (fixture->window)) != NULL;
}

static void
test_bad_token_explained (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkLabel *message;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  sign_in (fixture, "glpat-not-this-one");
  nod_test_wait_until (message_shown, fixture);
  message = visible_message (GTK_WIDGET (fixture->window));
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (message), "GitLab did not accept"));
  g_assert_null (fixture->signed_in);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->accounts)), ==, 0);
  /* The token went to GitLab in its header only, never in an address. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, "GET", "not-this-one"), ==, 0);
}

static void
test_sign_in_keeps_token_in_keyring (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *stored;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  sign_in (fixture, TOKEN);
  nod_test_wait_until (message_shown, fixture);
  if (fixture->signed_in == NULL)
    {
      GtkLabel *message = visible_message (GTK_WIDGET (fixture->window));

      /* Without a Secret Service the window says so, and keeps nothing. */
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->accounts)), ==, 0);
      g_test_skip_printf ("No usable keyring here: %s", gtk_label_get_text (message));
      return;
    }

  g_assert_cmpstr (nod_account_get_username (fixture->signed_in), ==, "sam");
  g_assert_cmpstr (nod_account_get_base_url (fixture->signed_in), ==, fixture->base_url);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->accounts)), ==, 1);
  /* Signed in: the engine syncs it with the token GitLab took. */
  g_assert_true (nod_account_get_signed_in (fixture->signed_in));
  g_assert_nonnull (nod_session_get_forge (fixture->session,
                                           nod_account_get_id (fixture->signed_in)));

  nod_credentials_lookup_async (fixture->base_url, "sam", NULL, nod_test_keep_result, &result);
  stored = nod_credentials_lookup_finish (nod_test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, TOKEN);
  nod_credentials_token_free (stored);

  g_clear_object (&result);
  nod_credentials_clear_async (fixture->base_url, "sam", NULL, nod_test_keep_result, &result);
  g_assert_true (nod_credentials_clear_finish (nod_test_wait_for_result (&result), &error));
}

static GtkLabel *
address_label (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "caption"))
        return GTK_LABEL (child);
      if ((found = address_label (child)) != NULL)
        return found;
    }
  return NULL;
}

/* The address is checked as it is typed: the https:// Nod adds is shown, a bad address
 * says why at once (no 30 s wait for a server that is not there), the token page follows
 * the address, and Enter goes on to the token. */
static void
test_address_checked_as_typed (Fixture       *fixture,
                               gconstpointer  data)
{
  static const struct
  {
    const char *typed;
    const char *shown;    /* the label's text, or its start */
    gboolean    valid;
  } cases[] = {
    { "gitlab.example.org", "Signs in to https://gitlab.example.org", TRUE },
    { "  gitlab.example.org/// ", "Signs in to https://gitlab.example.org", TRUE },
    { "https://gitlab.example.org/gitlab", "Signs in to https://gitlab.example.org/gitlab",
      TRUE },
    { "gitlab example.org", "A web address has no spaces", FALSE },
    { "http://gitlab.example.org", "Nod talks to GitLab over https:// only", FALSE },
    { "https://user:secret@gitlab.example.org", "The GitLab address must not hold", FALSE },
    { "", "Write the address of your GitLab", FALSE },
  };
  GtkWidget *root;
  GtkWidget *url_row, *token_row, *button, *link;
  GtkLabel *label;

  if (!have_display)
    {
      g_test_skip ("No display: the UI tests run under Xvfb (build-aux/dev.sh test)");
      return;
    }

  root = GTK_WIDGET (fixture->window);
  url_row = find_widget (root, ADW_TYPE_ENTRY_ROW, NULL);
  token_row = find_widget (root, ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  button = find_widget (root, GTK_TYPE_BUTTON, "_Sign In");
  link = find_widget (root, GTK_TYPE_LINK_BUTTON, NULL);
  label = address_label (root);
  g_assert_nonnull (link);
  g_assert_nonnull (label);
  gtk_editable_set_text (GTK_EDITABLE (token_row), TOKEN);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gtk_editable_set_text (GTK_EDITABLE (url_row), cases[i].typed);
      g_assert_true (g_str_has_prefix (gtk_label_get_text (label), cases[i].shown));
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "error") == !cases[i].valid);
      g_assert_true (gtk_widget_get_sensitive (button) == cases[i].valid);
      g_assert_true (gtk_widget_get_sensitive (link) == cases[i].valid);
    }

  gtk_editable_set_text (GTK_EDITABLE (url_row), "gitlab.example.org");
  g_assert_cmpstr (gtk_link_button_get_uri (GTK_LINK_BUTTON (link)), ==,
                   "https://gitlab.example.org/-/profile/personal_access_tokens"
                   "?name=Nod&scopes=api");
  /* Nothing was sent for any of it. */
  g_assert_cmpuint (nod_test_fake_count_requests (fixture->base_url, NULL, "."), ==, 0);

  g_signal_emit_by_name (url_row, "entry-activated");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window)) != NULL);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (fixture->window)),
                                         token_row));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  have_display = gtk_init_check ();
  adw_init ();

  g_test_add ("/nod/sign-in/bad-token-explained", Fixture, NULL, fixture_set_up,
              test_bad_token_explained, fixture_tear_down);
  g_test_add ("/nod/sign-in/token-in-keyring", Fixture, NULL, fixture_set_up,
              test_sign_in_keeps_token_in_keyring, fixture_tear_down);
  g_test_add ("/nod/sign-in/address-checked-as-typed", Fixture, NULL, fixture_set_up,
              test_address_checked_as_typed, fixture_tear_down);

  return g_test_run ();
}
