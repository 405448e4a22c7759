/* atexit-loop-finalizer-cleanups.c: registering and removing cleanups
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"
#include "atexit-run-private.h"

static guint
atexit_loop_finalizer_add_cleanup (AtexitLoopFinalizer *self,
                                   AtexitCleanup       *cleanup)
{
  guint id = cleanup->id;

  atexit_loop_finalizer_lock (self);

  if (G_UNLIKELY (self->context == NULL))
    {
      g_mutex_unlock (&self->mutex);
      g_critical ("Cannot add a cleanup: the finalizer's main context was destroyed");
      atexit_cleanup_dispose (cleanup);
      return 0;
    }

  self->registrations++;
  if (self->run == NULL || !atexit_run_take_late_locked (self->run, cleanup))
    atexit_cleanup_table_add (&self->table, cleanup);

  g_mutex_unlock (&self->mutex);

  atexit_loop_finalizer_notify_pending (self);

  return id;
}

/**
 * atexit_loop_finalizer_add:
 * @self: a finalizer
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup at %G_PRIORITY_DEFAULT. It runs once, at the
 * next run; then it is gone. See [method@Atexit.LoopFinalizer.add_full].
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add (AtexitLoopFinalizer *self,
                           AtexitFunc           func,
                           gpointer             user_data,
                           GDestroyNotify       destroy)
{
  return atexit_loop_finalizer_add_full (self, NULL, G_PRIORITY_DEFAULT, func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in, on GLib's priority scale; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup with a name and a priority: %G_PRIORITY_HIGH
 * runs before %G_PRIORITY_DEFAULT, which runs before %G_PRIORITY_LOW. It runs
 * once, at the next run; then it is gone.
 *
 * Safe to call from any thread. @destroy is called exactly once: after @func has
 * run, when the cleanup is removed or skipped, or when the context dies. A
 * cleanup added while a run is in progress joins that run: in its own group if
 * that group has not started yet, else it is started at once.
 *
 * An unnamed cleanup is called after its function where the dynamic symbol table
 * knows it, else `cleanup #id`.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_full (AtexitLoopFinalizer *self,
                                const char          *name,
                                int                  priority,
                                AtexitFunc           func,
                                gpointer             user_data,
                                GDestroyNotify       destroy)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add_cleanup (self,
                                            atexit_cleanup_new (ATEXIT_CLEANUP_SYNC, name, priority,
                                                                func, user_data, destroy));
}

/**
 * atexit_loop_finalizer_add_async:
 * @self: a finalizer
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers an asynchronous cleanup at %G_PRIORITY_DEFAULT. At the next run it is
 * handed a [class@Gio.Task] to complete; see [callback@Atexit.CleanupFunc] and
 * [method@Atexit.LoopFinalizer.add_async_full].
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_async (AtexitLoopFinalizer *self,
                                 AtexitCleanupFunc    func,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  return atexit_loop_finalizer_add_async_full (self, NULL, G_PRIORITY_DEFAULT,
                                               func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_async_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in, on GLib's priority scale; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers an asynchronous cleanup with a name and a priority. At the next run
 * it is handed a [class@Gio.Task] to complete (see [callback@Atexit.CleanupFunc]);
 * the async cleanups of a group run concurrently.
 *
 * Safe to call from any thread. @destroy is called exactly once, in the
 * finalizer's context while it lives: once the cleanup has released its task,
 * when it is removed or skipped, or when the context dies. A cleanup added while
 * a run is in progress joins that run: in its own group if that group has not
 * started yet, else it is started at once.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_async_full (AtexitLoopFinalizer *self,
                                      const char          *name,
                                      int                  priority,
                                      AtexitCleanupFunc    func,
                                      gpointer             user_data,
                                      GDestroyNotify       destroy)
{
  AtexitCleanup *cleanup;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  cleanup = atexit_cleanup_new (ATEXIT_CLEANUP_ASYNC, name, priority, func, user_data, destroy);

  return atexit_loop_finalizer_add_cleanup (self, cleanup);
}

/* Why @id is not a cleanup of @self that can be removed: a programming error where it
 * was never handed out or is registered with another finalizer; else it started. */
static void
atexit_loop_finalizer_check_foreign (AtexitLoopFinalizer *self,
                                     guint                id)
{
  g_autoptr(GPtrArray) others = NULL;

  if (!atexit_registry_id_issued (id))
    {
      g_critical ("%s: no cleanup with id %u was ever registered", G_STRFUNC, id);
      return;
    }

  others = atexit_registry_list (G_OBJECT (self));
  for (guint i = 0; i < others->len; i++)
    if (atexit_loop_finalizer_has_id (g_ptr_array_index (others, i), id))
      {
        g_critical ("%s: cleanup %u belongs to another finalizer (%p), not to %p",
                    G_STRFUNC, id, g_ptr_array_index (others, i), self);
        return;
      }
}

/**
 * atexit_loop_finalizer_remove:
 * @self: a finalizer
 * @id: an id that an `add` function of @self returned
 *
 * Removes a cleanup that has not started yet, so that it never runs, and calls its
 * destroy notify. Safe to call from any thread, in O(1). A cleanup of the group
 * being started that has not been called yet can still be removed.
 *
 * Removing a cleanup that has already started, or has run, returns %FALSE. An id
 * that was never handed out, or that belongs to another finalizer, is a
 * programming error.
 *
 * Returns: %TRUE if the cleanup was removed before it started
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_remove (AtexitLoopFinalizer *self,
                              guint                id)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  if (atexit_loop_finalizer_remove_quiet (self, id))
    return TRUE;

  atexit_loop_finalizer_check_foreign (self, id);
  return FALSE;
}

gboolean
atexit_loop_finalizer_remove_quiet (AtexitLoopFinalizer *self,
                                    guint                id)
{
  AtexitCleanup *cleanup;

  atexit_loop_finalizer_lock (self);
  cleanup = atexit_cleanup_table_steal (&self->table, id);
  g_mutex_unlock (&self->mutex);

  if (cleanup == NULL)
    return FALSE;

  /* The notification first: the destroy notify may drop the last reference on the
   * finalizer (a plugin whose state owns its group), and nothing touches it after. */
  atexit_loop_finalizer_notify_pending (self);
  atexit_cleanup_dispose (cleanup);

  return TRUE;
}

/**
 * atexit_loop_finalizer_set_cleanup_timeout:
 * @self: a finalizer
 * @id: an id that an `add` function of @self returned
 * @timeout_ms: the cleanup's deadline in milliseconds, or 0 for none
 *
 * Gives a cleanup that has not started yet a deadline of its own, in place of
 * [property@Atexit.LoopFinalizer:timeout]: a service that needs 20 s to say
 * goodbye does not hold up, nor is cut short by, the deadline of the others. It
 * is counted from when the cleanup starts, which for the cleanups of a group is
 * the start of the group.
 *
 * Returns: %TRUE if the cleanup is registered and has not started
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_set_cleanup_timeout (AtexitLoopFinalizer *self,
                                           guint                id,
                                           guint                timeout_ms)
{
  AtexitCleanup *cleanup;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  atexit_loop_finalizer_lock (self);
  cleanup = atexit_cleanup_table_lookup (&self->table, id);
  if (cleanup != NULL)
    {
      cleanup->has_timeout = TRUE;
      cleanup->timeout_ms = timeout_ms;
    }
  g_mutex_unlock (&self->mutex);

  if (cleanup == NULL)
    atexit_loop_finalizer_check_foreign (self, id);

  return cleanup != NULL;
}


/**
 * atexit_register:
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup with the finalizer of the calling thread's
 * default main context, like Python's `atexit.register()` for a main loop.
 *
 * Returns: an id for [func@Atexit.unregister], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_register (AtexitFunc     func,
                 gpointer       user_data,
                 GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add (atexit_loop_finalizer_get_thread_default (),
                                    func, user_data, destroy);
}

/**
 * atexit_unregister:
 * @id: an id that [func@Atexit.register] or an `add` function returned
 *
 * Removes a cleanup that has not started yet, whichever finalizer holds it, a
 * group's included; see [method@Atexit.LoopFinalizer.remove].
 *
 * Returns: %TRUE if the cleanup was removed before it started
 *
 * Since: 1.0
 */
gboolean
atexit_unregister (guint id)
{
  AtexitLoopFinalizer *self;
  g_autoptr(GPtrArray) others = NULL;

  g_return_val_if_fail (id != 0, FALSE);

  /* Most often it is the calling thread's. */
  self = atexit_loop_finalizer_get_thread_default ();
  if (atexit_loop_finalizer_has_id (G_OBJECT (self), id))
    return atexit_loop_finalizer_remove (self, id);

  others = atexit_registry_list (G_OBJECT (self));
  for (guint i = 0; i < others->len; i++)
    {
      AtexitLoopFinalizer *other = g_ptr_array_index (others, i);

      if (atexit_loop_finalizer_has_id (G_OBJECT (other), id))
        return atexit_loop_finalizer_remove (other, id);
    }

  if (!atexit_registry_id_issued (id))
    g_critical ("%s: no cleanup with id %u was ever registered", G_STRFUNC, id);

  return FALSE;
}
