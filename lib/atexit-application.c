/* atexit-application.c: a GApplication that quits after its cleanups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-application-private.h"

#define ATEXIT_APPLICATION_INSTALLED "atexit-glib-installed"

/**
 * atexit_application_get_finalizer:
 * @application: an application
 *
 * Gets the finalizer whose cleanups @application runs before it quits: that of
 * the global default main context, which [method@Gio.Application.run] iterates.
 *
 * Returns: (transfer none): the application's finalizer
 */
AtexitLoopFinalizer *
atexit_application_get_finalizer (GApplication *application)
{
  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  return atexit_loop_finalizer_get_default ();
}

static void
atexit_application_shutdown_cb (GApplication *application,
                                gpointer      user_data)
{
  AtexitLoopFinalizer *finalizer = atexit_application_get_finalizer (application);
  g_autoptr(GError) error = NULL;

  if (atexit_loop_finalizer_get_pending (finalizer) == 0 &&
      !atexit_loop_finalizer_get_running (finalizer))
    return;

  /* Every failure was logged as it happened. */
  atexit_loop_finalizer_run (finalizer, NULL, &error);
}

/**
 * atexit_application_install:
 * @application: an application
 *
 * Makes sure that the cleanups of @application's finalizer have run before
 * [method@Gio.Application.run] returns, whichever way the application quits: a
 * handler of [signal@Gio.Application::shutdown] runs the cleanups still
 * registered, or waits for a run in progress, before the application's own
 * shutdown handler.
 *
 * Prefer [func@Atexit.application_quit] for quitting: it runs the cleanups
 * while the application is still fully up. Installing twice is harmless.
 */
void
atexit_application_install (GApplication *application)
{
  g_return_if_fail (G_IS_APPLICATION (application));

  if (g_object_get_data (G_OBJECT (application), ATEXIT_APPLICATION_INSTALLED) != NULL)
    return;

  g_object_set_data (G_OBJECT (application), ATEXIT_APPLICATION_INSTALLED, GINT_TO_POINTER (1));
  g_signal_connect (application, "shutdown", G_CALLBACK (atexit_application_shutdown_cb), NULL);
}

static void
atexit_application_run_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GApplication) application = user_data;
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &error);
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
 * Quits @application after its cleanups have run: what an application calls
 * instead of [method@Gio.Application.quit]. The application is held
 * ([method@Gio.Application.hold]) while the cleanups run, so that it does not
 * time out and go away under them, and its main context keeps being iterated;
 * then it is released and quit. Failures are logged.
 */
void
atexit_application_quit (GApplication *application)
{
  g_return_if_fail (G_IS_APPLICATION (application));

  atexit_application_quit_full (application, NULL);
}
