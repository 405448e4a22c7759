/* atexit-unix-signals.c: a graceful quit on SIGINT, SIGTERM and SIGHUP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>

#include <glib-unix.h>

#include "atexit-application-private.h"
#include "atexit-unix-signals.h"

#define ATEXIT_UNIX_SIGNALS_KEY "atexit-glib-unix-signals"

static const int atexit_quit_signals[] = { SIGINT, SIGTERM, SIGHUP };

typedef struct {
  AtexitLoopFinalizer *finalizer;    /* not owned: it owns this */
  GMainLoop           *loop;         /* (nullable) (owned) */
  GWeakRef             application;
  GCancellable        *cancellable;
  GSource             *sources[G_N_ELEMENTS (atexit_quit_signals)];
  int                  last_signal;  /* atomic */
} AtexitUnixSignals;

static void
atexit_unix_signals_free (gpointer data)
{
  AtexitUnixSignals *state = data;

  for (guint i = 0; i < G_N_ELEMENTS (state->sources); i++)
    {
      g_source_destroy (state->sources[i]);
      g_source_unref (state->sources[i]);
    }
  g_clear_pointer (&state->loop, g_main_loop_unref);
  g_weak_ref_clear (&state->application);
  g_clear_object (&state->cancellable);
  g_free (state);
}

static void
atexit_unix_signals_run_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GMainLoop) loop = user_data;
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &error);
  g_main_loop_quit (loop);
}

typedef struct {
  AtexitUnixSignals *state;
  int                signum;
} AtexitSignalHandler;

static gboolean
atexit_unix_signals_received (gpointer user_data)
{
  AtexitSignalHandler *handler = user_data;
  AtexitUnixSignals *state = handler->state;
  g_autoptr(GApplication) application = g_weak_ref_get (&state->application);
  gboolean first = g_atomic_int_exchange (&state->last_signal, handler->signum) == 0;

  if (first)
    {
      g_debug ("Signal %d (%s): quitting gracefully", handler->signum, g_strsignal (handler->signum));

      if (application != NULL)
        atexit_application_quit_full (application, state->cancellable);
      else if (state->loop != NULL)
        atexit_loop_finalizer_run_async (state->finalizer, state->cancellable,
                                         atexit_unix_signals_run_cb,
                                         g_main_loop_ref (state->loop));
    }
  else
    {
      /* The user insists: the run is cancelled, which tells the cleanups, skips
       * the groups not started and ends it at once; then the loop quits. */
      g_debug ("Signal %d (%s) again: quitting at once", handler->signum, g_strsignal (handler->signum));
      g_cancellable_cancel (state->cancellable);
    }

  return G_SOURCE_CONTINUE;
}

static void
atexit_unix_signals_install_full (AtexitLoopFinalizer *self,
                                  GMainLoop           *loop,
                                  GApplication        *application)
{
  AtexitUnixSignals *state = g_new0 (AtexitUnixSignals, 1);
  GMainContext *context = atexit_loop_finalizer_get_context (self);

  state->finalizer = self;
  state->loop = loop != NULL ? g_main_loop_ref (loop) : NULL;
  g_weak_ref_init (&state->application, application);
  state->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (atexit_quit_signals); i++)
    {
      AtexitSignalHandler *handler = g_new0 (AtexitSignalHandler, 1);

      handler->state = state;
      handler->signum = atexit_quit_signals[i];
      state->sources[i] = g_unix_signal_source_new (atexit_quit_signals[i]);
      g_source_set_callback (state->sources[i], atexit_unix_signals_received, handler, g_free);
      g_source_set_static_name (state->sources[i], "[atexit-glib] quit signal");
      g_source_attach (state->sources[i], context);
    }

  /* Replaces, and so uninstalls, an earlier installation. */
  g_object_set_data_full (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY, state, atexit_unix_signals_free);
}

/**
 * atexit_unix_signals_install:
 * @self: a finalizer
 * @loop: the main loop to quit
 *
 * Makes `SIGINT`, `SIGTERM` and `SIGHUP` quit @loop gracefully: the first one
 * runs the cleanups of @self, then quits @loop, as
 * [method@Atexit.LoopFinalizer.quit_loop] does. A second signal cancels the run
 * and quits @loop at once. Once the loop has returned,
 * [func@Atexit.unix_signals_get_signal] tells which signal ended it, so that
 * the program can exit with the status a shell expects.
 *
 * The handlers are GLib's (see g_unix_signal_source_new()), attached to the
 * context of @self; installing again replaces them.
 */
void
atexit_unix_signals_install (AtexitLoopFinalizer *self,
                             GMainLoop           *loop)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (loop != NULL);
  g_return_if_fail (atexit_loop_finalizer_get_context (self) == g_main_loop_get_context (loop));

  atexit_unix_signals_install_full (self, loop, NULL);
}

/**
 * atexit_unix_signals_install_application:
 * @application: an application
 *
 * Makes `SIGINT`, `SIGTERM` and `SIGHUP` quit @application gracefully, with
 * [func@Atexit.application_quit]; a second signal cancels the cleanups and
 * quits it at once. The application is held weakly.
 * [func@Atexit.unix_signals_get_signal], on the application's finalizer (see
 * [func@Atexit.application_get_finalizer]), tells which signal ended it.
 */
void
atexit_unix_signals_install_application (GApplication *application)
{
  g_return_if_fail (G_IS_APPLICATION (application));

  atexit_unix_signals_install_full (atexit_application_get_finalizer (application),
                                    NULL, application);
}

/**
 * atexit_unix_signals_uninstall:
 * @self: a finalizer
 *
 * Removes the signal handlers installed on @self, if any. The signals get
 * their default behaviour back only once no GLib handler watches them.
 */
void
atexit_unix_signals_uninstall (AtexitLoopFinalizer *self)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));

  g_object_set_data (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY, NULL);
}

/**
 * atexit_unix_signals_get_signal:
 * @self: a finalizer
 *
 * Tells which signal made the program quit: the last of the signals handled
 * since [func@Atexit.unix_signals_install] on @self.
 *
 * A program that wants its exit status to say so, as a shell expects, can
 * uninstall the handlers and raise the signal again, or exit with 128 plus the
 * signal number.
 *
 * Returns: the signal number, or 0 if no signal was received
 */
int
atexit_unix_signals_get_signal (AtexitLoopFinalizer *self)
{
  AtexitUnixSignals *state;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  state = g_object_get_data (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY);
  if (state == NULL)
    return 0;

  return g_atomic_int_get (&state->last_signal);
}
