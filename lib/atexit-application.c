/* atexit-application.c: a GApplication runs its cleanups as it shuts down
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-application-private.h"
#include "atexit-loop-finalizer-private.h"

/* Every GApplication that shuts down — g_application_quit(), its last hold released,
 * the last window of a GtkApplication closed — runs the cleanups still registered with
 * its context's finalizer inside ::shutdown, with no call from the host: an emission
 * hook sees every instance's ::shutdown, and runs before the application's own
 * handlers and before the class handler, where GTK takes its windows down. The hook is
 * added when the library is loaded. */

static gboolean
atexit_application_shutdown_hook (GSignalInvocationHint *hint,
                                  guint                  n_params,
                                  const GValue          *params,
                                  gpointer               user_data)
{
  GApplication *application = g_value_get_object (&params[0]);
  AtexitLoopFinalizer *finalizer;
  g_autoptr(GError) error = NULL;

  if (!G_IS_APPLICATION (application))
    return TRUE;

  /* A program that never registered anything has no finalizer: nothing to do. */
  finalizer = atexit_loop_finalizer_peek_for_context (g_main_context_default ());
  if (finalizer == NULL ||
      (atexit_loop_finalizer_get_pending (finalizer) == 0 &&
       !atexit_loop_finalizer_get_running (finalizer)))
    return TRUE;

  /* Nobody else receives this run's error. */
  if (!atexit_loop_finalizer_run (finalizer, NULL, &error))
    atexit_loop_finalizer_log_run_error (finalizer, error);

  return TRUE;
}

static void
atexit_application_add_hook (void)
{
  static gsize added = 0;

  if (g_once_init_enter (&added))
    {
      GTypeClass *klass = g_type_class_ref (G_TYPE_APPLICATION);
      guint signal_id = g_signal_lookup ("shutdown", G_TYPE_APPLICATION);

      g_signal_add_emission_hook (signal_id, 0, atexit_application_shutdown_hook, NULL, NULL);
      /* The class stays: GIO never unloads its types, nor do we ours. */
      (void) klass;
      g_once_init_leave (&added, 1);
    }
}

#if defined (__GNUC__)
static void atexit_application_load (void) __attribute__ ((constructor));

static void
atexit_application_load (void)
{
  atexit_application_add_hook ();
}
#endif

/**
 * atexit_application_get_finalizer:
 * @application: an application
 *
 * Gets the finalizer whose cleanups @application runs as it shuts down: that of
 * the global default main context, which [method@Gio.Application.run] iterates.
 *
 * Returns: (transfer none): the application's finalizer
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_application_get_finalizer (GApplication *application)
{
  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  atexit_application_add_hook ();

  return atexit_loop_finalizer_get_default ();
}

static void
atexit_application_run_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  AtexitLoopFinalizer *finalizer = ATEXIT_LOOP_FINALIZER (object);
  g_autoptr(GApplication) application = user_data;
  g_autoptr(GError) error = NULL;

  /* Nobody else receives this run's error. */
  if (!atexit_loop_finalizer_run_finish (finalizer, result, &error))
    atexit_loop_finalizer_log_run_error (finalizer, error);
  g_application_release (application);
  g_application_quit (application);
}

void
atexit_application_quit_full (GApplication *application,
                              GCancellable *cancellable)
{
  g_application_hold (application);
  atexit_loop_finalizer_run_async (atexit_application_get_finalizer (application), cancellable,
                                   atexit_application_run_cb, g_object_ref (application));
}

/**
 * atexit_application_quit:
 * @application: an application
 *
 * Quits @application after its cleanups have run, while it is still fully up:
 * its windows are still shown, and a cleanup can still use them (a "shutting
 * down" dialog). The application is held ([method@Gio.Application.hold]) while
 * the cleanups run, so that it does not go away under them, and its main context
 * keeps being iterated; then it is released and quit. Failures are logged.
 *
 * Without it, an application that quits any other way still runs its cleanups,
 * inside [signal@Gio.Application::shutdown], before its own handlers.
 *
 * Since: 1.0
 */
void
atexit_application_quit (GApplication *application)
{
  g_return_if_fail (G_IS_APPLICATION (application));

  atexit_application_quit_full (application, NULL);
}
