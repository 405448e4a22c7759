/* atexit-loop-finalizer-run.c: the run API: run_async, run, quit_loop
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"
#include "atexit-run-private.h"

static gboolean
atexit_loop_finalizer_run_start_cb (gpointer data)
{
  GTask *waiter = data;

  atexit_run_start_or_join (g_task_get_source_object (waiter), waiter);

  return G_SOURCE_REMOVE;
}

/**
 * atexit_loop_finalizer_run_async:
 * @self: a finalizer
 * @cancellable: (nullable): cancels the run
 * @callback: (scope async) (closure user_data): called when the run has ended
 * @user_data: data for @callback
 *
 * Runs the registered cleanups: emits
 * [signal@Atexit.LoopFinalizer::about-to-close], then runs the priority groups
 * in ascending order, each until its cleanups have completed or passed their
 * deadlines. The run happens in the finalizer's context, which must be iterated;
 * @callback is called in the thread-default context of the caller.
 *
 * Calling it while a run is in progress joins that run and gets its result. A
 * run with nothing registered since the previous run ended does nothing and
 * succeeds. Cancelling @cancellable cancels the running group, skips the groups
 * not started and ends the run with %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_run_async (AtexitLoopFinalizer *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) waiter = NULL;
  g_autoptr(GMainContext) context = NULL;

  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  waiter = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter, atexit_loop_finalizer_run_async);
  g_task_set_name (waiter, "[atexit-glib] run");
  /* The run's result says why it failed, cancellation included. */
  g_task_set_check_cancellable (waiter, FALSE);

  context = atexit_loop_finalizer_ref_context (self);
  if (context == NULL)
    {
      g_task_return_new_error (waiter, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                               _("Cannot run the finalizer: its main context was destroyed"));
      return;
    }

  /* Runs at once where the calling thread owns the context or can take it, else in it. */
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT,
                              atexit_loop_finalizer_run_start_cb,
                              g_steal_pointer (&waiter), g_object_unref);
}

/**
 * atexit_loop_finalizer_run_finish:
 * @self: a finalizer
 * @result: the result given to the callback of [method@Atexit.LoopFinalizer.run_async]
 * @error: return location for the run's error
 *
 * Finishes a run. Its error names every cleanup that failed, dropped its task, or
 * did not finish before its deadline: %ATEXIT_ERROR_TIMED_OUT where only
 * deadlines were missed, %ATEXIT_ERROR_FAILED otherwise, and
 * %G_IO_ERROR_CANCELLED when the run was cancelled. The failures are not logged:
 * the error is the caller's.
 *
 * Returns: %TRUE if every cleanup succeeded
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_run_finish (AtexitLoopFinalizer  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == atexit_loop_finalizer_run_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
atexit_loop_finalizer_run_sync_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/**
 * atexit_loop_finalizer_run:
 * @self: a finalizer
 * @cancellable: (nullable): cancels the run
 * @error: return location for the run's error
 *
 * Runs the registered cleanups and iterates the finalizer's context until the run
 * has ended; see [method@Atexit.LoopFinalizer.run_async]. Use it once the main
 * loop has returned, or from a thread that owns no context.
 *
 * It fails with %ATEXIT_ERROR_NOT_OWNER when the calling thread cannot acquire the
 * context because another thread is iterating it, and with %G_IO_ERROR_WOULD_BLOCK
 * when called from a cleanup of the run while it is being started, which would
 * wait for itself.
 *
 * Returns: %TRUE if every cleanup succeeded
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_run (AtexitLoopFinalizer  *self,
                           GCancellable         *cancellable,
                           GError              **error)
{
  GAsyncResult *result = NULL;
  g_autoptr(GMainContext) context = NULL;
  gboolean ret;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = atexit_loop_finalizer_ref_context (self);
  if (context == NULL)
    {
      g_set_error (error, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                   _("Cannot run the finalizer: its main context was destroyed"));
      return FALSE;
    }

  if (!g_main_context_acquire (context))
    {
      g_set_error (error, ATEXIT_ERROR, ATEXIT_ERROR_NOT_OWNER,
                   _("Cannot run the finalizer: another thread is iterating its main context"));
      return FALSE;
    }

  /* The run's pump is on this thread's stack (a cleanup being started calls this):
   * waiting here would wait for itself. */
  atexit_loop_finalizer_lock (self);
  ret = self->run != NULL && self->run->pumping;
  g_mutex_unlock (&self->mutex);
  if (ret)
    {
      g_main_context_release (context);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   _("Cannot wait for the finalizer’s run from one of its own cleanups"));
      return FALSE;
    }

  g_main_context_push_thread_default (context);
  atexit_loop_finalizer_run_async (self, cancellable, atexit_loop_finalizer_run_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  ret = atexit_loop_finalizer_run_finish (self, result, error);
  g_object_unref (result);

  return ret;
}

static void
atexit_loop_finalizer_quit_loop_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  g_autoptr(GMainLoop) loop = user_data;
  g_autoptr(GError) error = NULL;

  /* Nobody else receives this run's error: it is logged. */
  if (!atexit_loop_finalizer_run_finish (self, result, &error))
    atexit_loop_finalizer_log_run_error (self, error);
  g_main_loop_quit (loop);
}

/**
 * atexit_loop_finalizer_quit_loop:
 * @self: a finalizer
 * @loop: the main loop to quit, of the finalizer's context
 *
 * Runs the cleanups, then quits @loop: what the owner of a loop calls instead of
 * [method@GLib.MainLoop.quit]. @loop keeps running, and so iterates the context,
 * until the run has ended. Nobody else receives the run's error, so a failure
 * is logged with one warning that names every cleanup that did not succeed; use
 * [method@Atexit.LoopFinalizer.run_async] to get the error instead.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_quit_loop (AtexitLoopFinalizer *self,
                                 GMainLoop           *loop)
{
  GMainContext *context;

  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (loop != NULL);

  context = atexit_loop_finalizer_get_context (self);
  if (context != g_main_loop_get_context (loop))
    {
      g_critical ("%s: the main loop %p runs another context than the finalizer's (%p)",
                  G_STRFUNC, loop, context);
      return;
    }

  atexit_loop_finalizer_run_async (self, NULL, atexit_loop_finalizer_quit_loop_cb,
                                   g_main_loop_ref (loop));
}
