/* test-send-lock.c: one sender per data directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two locks on one file stand for two processes: flock(2) tells open files apart, not
 * processes, so the second is refused while the first holds it, as another process is.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "nod-send-lock.h"
#include "nod-test-utils.h"

static char *
lock_path (void)
{
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  return g_build_filename (g_get_user_data_dir (), "nod.db.send-lock", NULL);
}

static void
test_one_holder (void)
{
  g_autofree char *path = lock_path ();
  g_autoptr(NodSendLock) first = nod_send_lock_new (path);
  g_autoptr(NodSendLock) second = nod_send_lock_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (nod_send_lock_try_acquire (first, &error));
  g_assert_no_error (error);
  /* Taking it again is fine for its holder … */
  g_assert_true (nod_send_lock_try_acquire (first, &error));
  g_assert_true (nod_send_lock_is_held (first));

  /* … and refused to anyone else. */
  g_assert_false (nod_send_lock_try_acquire (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_false (nod_send_lock_is_held (second));
  g_clear_error (&error);

  nod_send_lock_release (first);
  g_assert_false (nod_send_lock_is_held (first));
  g_assert_true (nod_send_lock_try_acquire (second, &error));
  g_assert_no_error (error);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* A waiter gets the lock once the holder lets it go, not before. */
static void
test_wait_for_holder (void)
{
  g_autofree char *path = lock_path ();
  g_autoptr(NodSendLock) holder = nod_send_lock_new (path);
  g_autoptr(NodSendLock) waiter = nod_send_lock_new (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (nod_send_lock_try_acquire (holder, &error));
  nod_send_lock_acquire_async (waiter, nod_test_keep_result, &result);

  /* Nothing comes while it is held: a few turns of the loop prove no early answer. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (result);
  g_assert_false (nod_send_lock_is_held (waiter));

  nod_send_lock_release (holder);
  nod_test_wait_until (has_result, &result);
  g_assert_true (nod_send_lock_acquire_finish (waiter, result, &error));
  g_assert_no_error (error);
  g_assert_true (nod_send_lock_is_held (waiter));
  g_assert_false (nod_send_lock_try_acquire (holder, NULL));
}

/* The lock goes with its holder: finalised (or killed), it is free for the next. */
static void
test_let_go_with_holder (void)
{
  g_autofree char *path = lock_path ();
  NodSendLock *holder = nod_send_lock_new (path);
  g_autoptr(NodSendLock) next = nod_send_lock_new (path);

  g_assert_true (nod_send_lock_try_acquire (holder, NULL));
  g_object_unref (holder);
  g_assert_true (nod_send_lock_try_acquire (next, NULL));
}

static void
test_unopenable (void)
{
  g_autoptr(NodSendLock) lock = nod_send_lock_new ("/nonexistent-nod-folder/nod.db.send-lock");
  g_autoptr(GError) error = NULL;

  g_assert_false (nod_send_lock_try_acquire (lock, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/nod/send-lock/one-holder", test_one_holder);
  g_test_add_func ("/nod/send-lock/wait-for-holder", test_wait_for_holder);
  g_test_add_func ("/nod/send-lock/let-go-with-holder", test_let_go_with_holder);
  g_test_add_func ("/nod/send-lock/unopenable", test_unopenable);

  return g_test_run ();
}
