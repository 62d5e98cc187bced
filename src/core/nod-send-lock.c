/* nod-send-lock.c: one sender per data directory at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two processes over one outbox — the app and `nod push` from cron, two terminals — must
 * not both send: each would see the other's in-flight rows as left by a crash and send
 * them again. Whoever sends holds an exclusive flock(2) on a file beside the database.
 * The kernel drops it when the holder exits, however it exits, so a killed process never
 * leaves it taken, and whoever takes it next knows every in-flight row is an orphan.
 */

#define G_LOG_DOMAIN "nod-sync"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "nod-send-lock.h"

struct _NodSendLock
{
  GObject  parent_instance;

  char    *path;
  int      fd;     /* the open file that holds the lock; -1 when not held */
};

G_DEFINE_FINAL_TYPE (NodSendLock, nod_send_lock, G_TYPE_OBJECT)

static int
open_lock_file (const char  *path,
                GError     **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not open the lock file %s: %s"), path, g_strerror (saved_errno));
    }
  return fd;
}

/* flock(2) with @operation, again after a signal. */
static int
lock_file (int fd,
           int operation)
{
  int result;

  do
    result = flock (fd, operation);
  while (result < 0 && errno == EINTR);
  return result;
}

/**
 * nod_send_lock_try_acquire:
 *
 * Takes the lock if no other process holds it. Holding it already is fine.
 *
 * Returns: %TRUE if held now; %FALSE with %G_IO_ERROR_WOULD_BLOCK when another process
 *   holds it, or another error when the file cannot be opened
 */
gboolean
nod_send_lock_try_acquire (NodSendLock  *self,
                           GError      **error)
{
  int fd;

  g_return_val_if_fail (NOD_IS_SEND_LOCK (self), FALSE);

  if (self->fd >= 0)
    return TRUE;

  fd = open_lock_file (self->path, error);
  if (fd < 0)
    return FALSE;
  if (lock_file (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                             _("Another Nod is sending from this data folder."));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     _("Could not lock %s: %s"), self->path, g_strerror (saved_errno));
      return FALSE;
    }
  self->fd = fd;
  return TRUE;
}

/* The descriptor a waiting thread got: closed (the lock let go) unless finish took it. */
static void
close_unclaimed (gpointer data)
{
  int *fd = data;

  if (*fd >= 0)
    close (*fd);
  g_free (fd);
}

static void
acquire_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  NodSendLock *self = source_object;
  int *held = task_data;
  GError *error = NULL;
  int fd = open_lock_file (self->path, &error);

  if (fd < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  if (lock_file (fd, LOCK_EX) < 0)
    {
      int saved_errno = errno;

      close (fd);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Could not lock %s: %s"), self->path,
                               g_strerror (saved_errno));
      return;
    }
  *held = fd;
  g_task_return_boolean (task, TRUE);
}

/**
 * nod_send_lock_acquire_async:
 *
 * Waits, on a thread of its own, until the process that holds the lock lets it go. It
 * cannot be cancelled: the holder's own bounds (every request has a deadline) are what
 * make the wait end.
 */
void
nod_send_lock_acquire_async (NodSendLock         *self,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  int *held = g_new (int, 1);

  g_return_if_fail (NOD_IS_SEND_LOCK (self));

  *held = -1;
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, nod_send_lock_acquire_async);
  g_task_set_task_data (task, held, close_unclaimed);
  g_task_run_in_thread (task, acquire_in_thread);
}

gboolean
nod_send_lock_acquire_finish (NodSendLock   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  int *held;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  held = g_task_get_task_data (G_TASK (result));
  if (self->fd < 0)
    {
      self->fd = *held;
      *held = -1;
    }
  return TRUE;
}

/* Lets the next process send. */
void
nod_send_lock_release (NodSendLock *self)
{
  g_return_if_fail (NOD_IS_SEND_LOCK (self));

  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
}

gboolean
nod_send_lock_is_held (NodSendLock *self)
{
  g_return_val_if_fail (NOD_IS_SEND_LOCK (self), FALSE);

  return self->fd >= 0;
}

const char *
nod_send_lock_get_path (NodSendLock *self)
{
  g_return_val_if_fail (NOD_IS_SEND_LOCK (self), NULL);

  return self->path;
}

static void
nod_send_lock_finalize (GObject *object)
{
  NodSendLock *self = NOD_SEND_LOCK (object);

  nod_send_lock_release (self);
  g_free (self->path);

  G_OBJECT_CLASS (nod_send_lock_parent_class)->finalize (object);
}

static void
nod_send_lock_class_init (NodSendLockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nod_send_lock_finalize;
}

static void
nod_send_lock_init (NodSendLock *self)
{
  self->fd = -1;
}

/**
 * nod_send_lock_new:
 * @path: the lock file, beside the database it guards
 */
NodSendLock *
nod_send_lock_new (const char *path)
{
  NodSendLock *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (NOD_TYPE_SEND_LOCK, NULL);
  self->path = g_strdup (path);
  return self;
}
