/* atexit-unix-signals.c: a graceful quit on SIGINT, SIGTERM and SIGHUP
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#ifdef G_OS_UNIX

#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "atexit-application.h"
#include "atexit-unix-signals.h"

#define ATEXIT_UNIX_SIGNALS_KEY "atexit-glib-unix-signals"

static const int atexit_default_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* One installation, kept on its finalizer. A session runs from a first signal to the
 * quit of the loop; then the handlers wait for a first signal again:
 *
 *   IDLE ──signal──► RUNNING ────────run ended───────► QUIT_PENDING ──quit──► IDLE
 *                       └─second signal─► CANCELLING ─run ended─┘
 *
 * A second signal cancels the run and the loop quits once that run has ended: the run
 * lets go of its cleanups and cancels their cancellables at the next iteration of the
 * context, so a program that returns from main() after g_main_loop_run() has told each
 * cleanup still in flight, and the quit is as prompt as before. QUIT_PENDING lasts only
 * until there is something running to quit: a loop not known yet, or not running yet.
 *
 * Nothing here holds the loop or the finalizer: the loop must outlive the installation
 * (as with g_unix_signal_add (…, loop)), and the finalizer owns the installation, which is
 * detached when it is finalized, with its context. Held by: the finalizer's data (until
 * detached), each signal source's callback data, the quit source, and each run it started.
 *
 * Lock order (with the library's other locks: atexit-loop-finalizer-private.h): a leaf
 * of the library's, taken before a context's lock (the quit source is attached and destroyed
 * under the mutex; a signal source's callback data takes the mutex as it is destroyed, so
 * signal sources are destroyed without it). The mutex is never held while user code can
 * run: a run's start, a quit, a log call, a cancellation. */
typedef enum {
  ATEXIT_SIGNALS_IDLE,
  ATEXIT_SIGNALS_RUNNING,
  ATEXIT_SIGNALS_CANCELLING,
  ATEXIT_SIGNALS_QUIT_PENDING,
} AtexitSignalsPhase;

typedef struct {
  gatomicrefcount     ref_count;
  GWeakRef            finalizer;
  GWeakRef            application;   /* set when installed for an application */
  int                 signum;        /* (atomic): the signal that started the last shutdown */

  GMutex              mutex;
  gboolean            installed;     /* FALSE once detached: @loop may be gone */
  GMainLoop          *loop;          /* (nullable) (not owned) */
  GArray             *signals;       /* (element-type int) (owned): those @sources watch */
  GPtrArray          *sources;       /* (element-type GSource) (owned) */
  AtexitSignalsPhase  phase;
  guint               session;       /* changes as each session ends */
  GCancellable       *cancellable;   /* (owned): the current session's */
  GSource            *quit_source;   /* (owned) (nullable): armed in QUIT_PENDING */
} AtexitUnixSignals;

static AtexitUnixSignals *
atexit_unix_signals_ref (AtexitUnixSignals *state)
{
  g_atomic_ref_count_inc (&state->ref_count);
  return state;
}

static void
atexit_unix_signals_unref (gpointer data)
{
  AtexitUnixSignals *state = data;

  if (!g_atomic_ref_count_dec (&state->ref_count))
    return;

  g_assert (state->sources->len == 0);
  g_assert (state->quit_source == NULL);

  g_weak_ref_clear (&state->finalizer);
  g_weak_ref_clear (&state->application);
  g_mutex_clear (&state->mutex);
  g_array_unref (state->signals);
  g_ptr_array_unref (state->sources);
  g_clear_object (&state->cancellable);
  g_free (state);
}

static gpointer
atexit_unix_signals_dup (gpointer data,
                         gpointer user_data)
{
  return data != NULL ? atexit_unix_signals_ref (data) : NULL;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtexitUnixSignals, atexit_unix_signals_unref)

static void
atexit_unix_signals_destroy_sources (GPtrArray *sources)
{
  for (guint i = 0; i < sources->len; i++)
    g_source_destroy (g_ptr_array_index (sources, i));
  g_ptr_array_unref (sources);
}

/* The finalizer's data is released: uninstalled, replaced or finalized. From here on
 * nothing touches the loop or the application, and no handler is left. */
static void
atexit_unix_signals_detach (gpointer data)
{
  AtexitUnixSignals *state = data;
  GPtrArray *sources;
  GSource *quit_source;

  g_mutex_lock (&state->mutex);
  state->installed = FALSE;
  state->loop = NULL;
  sources = g_steal_pointer (&state->sources);
  state->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  quit_source = g_steal_pointer (&state->quit_source);
  g_mutex_unlock (&state->mutex);

  g_weak_ref_set (&state->application, NULL);
  atexit_unix_signals_destroy_sources (sources);
  if (quit_source != NULL)
    {
      g_source_destroy (quit_source);
      g_source_unref (quit_source);
    }

  atexit_unix_signals_unref (state);
}

/* With the mutex held: the session is over, the next signal is a first one again.
 * Returns the old session's cancellable, to be dropped once the mutex is released. */
static GCancellable *
atexit_unix_signals_new_session_locked (AtexitUnixSignals *state)
{
  GCancellable *old = g_steal_pointer (&state->cancellable);

  state->phase = ATEXIT_SIGNALS_IDLE;
  state->session++;
  state->cancellable = g_cancellable_new ();

  return old;
}

/* A source that quits the installation's loop once that loop runs: g_main_loop_quit()
 * before g_main_loop_run() would be forgotten. */
typedef struct {
  GSource            source;
  AtexitUnixSignals *state;  /* (owned) */
  GMainLoop         *loop;   /* (not owned): valid while installed, and the source is
                              * destroyed as the installation is detached */
} AtexitQuitSource;

static void atexit_unix_signals_try_quit (AtexitUnixSignals *state);

static gboolean
atexit_quit_source_prepare (GSource *source,
                            int     *timeout)
{
  *timeout = -1;
  return g_main_loop_is_running (((AtexitQuitSource *) source)->loop);
}

static gboolean
atexit_quit_source_check (GSource *source)
{
  return g_main_loop_is_running (((AtexitQuitSource *) source)->loop);
}

static gboolean
atexit_quit_source_dispatch (GSource     *source,
                             GSourceFunc  callback,
                             gpointer     user_data)
{
  atexit_unix_signals_try_quit (((AtexitQuitSource *) source)->state);
  /* Quit, or disarmed by someone else meanwhile: either way not needed any more. */
  return G_SOURCE_REMOVE;
}

static void
atexit_quit_source_finalize (GSource *source)
{
  atexit_unix_signals_unref (((AtexitQuitSource *) source)->state);
}

static GSourceFuncs atexit_quit_source_funcs = {
  .prepare = atexit_quit_source_prepare,
  .check = atexit_quit_source_check,
  .dispatch = atexit_quit_source_dispatch,
  .finalize = atexit_quit_source_finalize,
};

/* With the mutex held. */
static void
atexit_unix_signals_arm_quit_locked (AtexitUnixSignals *state)
{
  AtexitQuitSource *quit;

  if (state->quit_source != NULL &&
      ((AtexitQuitSource *) state->quit_source)->loop == state->loop &&
      !g_source_is_destroyed (state->quit_source))
    return;

  if (state->quit_source != NULL)
    {
      /* Armed for another loop: it must not quit that one. Destroying a source takes its
       * context's lock only, and runs no user code. */
      g_source_destroy (state->quit_source);
      g_clear_pointer (&state->quit_source, g_source_unref);
    }

  quit = (AtexitQuitSource *) g_source_new (&atexit_quit_source_funcs, sizeof (AtexitQuitSource));
  quit->state = atexit_unix_signals_ref (state);
  quit->loop = state->loop;
  g_source_set_priority ((GSource *) quit, G_PRIORITY_HIGH);
  g_source_set_static_name ((GSource *) quit, "[atexit-glib] quit after a signal");
  g_source_attach ((GSource *) quit, g_main_loop_get_context (state->loop));
  state->quit_source = (GSource *) quit;
}

/* In QUIT_PENDING: quits what there is to quit, or waits for it. */
static void
atexit_unix_signals_try_quit (AtexitUnixSignals *state)
{
  g_autoptr(GApplication) application = g_weak_ref_get (&state->application);
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) old_cancellable = NULL;
  GSource *quit_source = NULL;

  g_mutex_lock (&state->mutex);
  if (state->phase != ATEXIT_SIGNALS_QUIT_PENDING)
    {
      g_mutex_unlock (&state->mutex);
      return;
    }

  if (application == NULL && state->loop != NULL && !g_main_loop_is_running (state->loop))
    {
      atexit_unix_signals_arm_quit_locked (state);
      g_mutex_unlock (&state->mutex);
      return;
    }

  if (application == NULL && state->loop == NULL && state->installed)
    {
      /* Nothing known to quit yet: installing with the loop will. */
      g_mutex_unlock (&state->mutex);
      return;
    }

  if (application == NULL && state->loop != NULL)
    loop = g_main_loop_ref (state->loop);
  quit_source = g_steal_pointer (&state->quit_source);
  old_cancellable = atexit_unix_signals_new_session_locked (state);
  g_mutex_unlock (&state->mutex);

  if (quit_source != NULL)
    {
      g_source_destroy (quit_source);
      g_source_unref (quit_source);
    }

  if (application != NULL)
    g_application_quit (application);
  else if (loop != NULL)
    g_main_loop_quit (loop);
}

/* The run of @session ended, by itself or cancelled by a second signal: what is left
 * is the quit. */
static void
atexit_unix_signals_end_session (AtexitUnixSignals *state,
                                 guint              session)
{
  g_mutex_lock (&state->mutex);
  if (state->session != session ||
      (state->phase != ATEXIT_SIGNALS_RUNNING && state->phase != ATEXIT_SIGNALS_CANCELLING))
    {
      g_mutex_unlock (&state->mutex);
      return;
    }
  state->phase = ATEXIT_SIGNALS_QUIT_PENDING;
  g_mutex_unlock (&state->mutex);

  atexit_unix_signals_try_quit (state);
}

typedef struct {
  AtexitUnixSignals *state;        /* (owned) */
  GApplication      *application;  /* (owned) (nullable): held while the run lasts */
  guint              session;
  int                signum;
} AtexitSignalRun;

/* Whether a second signal cancelled the run of @session. */
static gboolean
atexit_unix_signals_was_forced (AtexitUnixSignals *state,
                                guint              session)
{
  gboolean forced;

  g_mutex_lock (&state->mutex);
  forced = state->session == session && state->phase == ATEXIT_SIGNALS_CANCELLING;
  g_mutex_unlock (&state->mutex);

  return forced;
}

static void
atexit_unix_signals_run_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  AtexitSignalRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &error))
    {
      /* Nobody else can receive the run's error. A run that a second signal cancelled
       * was reported then; its error is the cancellation that signal asked for. */
      if (!atexit_unix_signals_was_forced (run->state, run->session) ||
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning (_("The shutdown started by signal %d (%s) failed: %s"),
                   run->signum, g_strsignal (run->signum), error->message);
      else
        g_debug ("The shutdown cancelled by a second signal ended: %s", error->message);
    }

  atexit_unix_signals_end_session (run->state, run->session);

  if (run->application != NULL)
    {
      g_application_release (run->application);
      g_object_unref (run->application);
    }
  atexit_unix_signals_unref (run->state);
  g_free (run);
}

typedef struct {
  AtexitUnixSignals *state;   /* (owned) */
  GSource           *source;  /* (not owned): the one whose callback data this is */
  int                signum;
} AtexitSignalHandler;

/* Called as the source is destroyed: by the installation, or with its context. In the
 * second case the installation lets go of the source, whose finalization gives the signal
 * its default behaviour back, even where the finalizer outlives its context. */
static void
atexit_signal_handler_free (gpointer data)
{
  AtexitSignalHandler *handler = data;
  AtexitUnixSignals *state = handler->state;
  gboolean owned;
  guint index;

  g_mutex_lock (&state->mutex);
  owned = g_ptr_array_find (state->sources, handler->source, &index);
  if (owned)
    g_ptr_array_steal_index (state->sources, index);
  g_mutex_unlock (&state->mutex);
  if (owned)
    g_source_unref (handler->source);

  atexit_unix_signals_unref (state);
  g_free (handler);
}

static void
atexit_unix_signals_start (AtexitUnixSignals   *state,
                           AtexitLoopFinalizer *finalizer,
                           int                  signum,
                           guint                session,
                           GCancellable        *cancellable)
{
  AtexitSignalRun *run = g_new0 (AtexitSignalRun, 1);

  g_debug ("Signal %d (%s): quitting gracefully", signum, g_strsignal (signum));
  g_atomic_int_set (&state->signum, signum);

  run->state = atexit_unix_signals_ref (state);
  run->session = session;
  run->signum = signum;
  run->application = g_weak_ref_get (&state->application);
  /* Held while the cleanups run, so that it does not time out and go away under them. */
  if (run->application != NULL)
    g_application_hold (run->application);

  atexit_loop_finalizer_run_async (finalizer, cancellable, atexit_unix_signals_run_cb, run);
}

static void
atexit_unix_signals_force (AtexitUnixSignals *state,
                           int                signum,
                           GCancellable      *cancellable)
{
  int first = g_atomic_int_get (&state->signum);

  /* The user insists: the run is cancelled, which skips the groups not started and, at
   * the next iteration, cancels the cleanups in flight and ends the run; its end quits
   * the loop. Quitting now would let g_main_loop_run() return before the cleanups are
   * told, and a program that returns from main() then would never tell them. */
  g_warning (_("Signal %d (%s) arrived during the shutdown that signal %d (%s) started: "
               "the cleanups still running are cancelled, and the program quits at once"),
             signum, g_strsignal (signum), first, g_strsignal (first));
  g_cancellable_cancel (cancellable);
}

static gboolean
atexit_unix_signals_received (gpointer user_data)
{
  AtexitSignalHandler *handler = user_data;
  g_autoptr(AtexitUnixSignals) state = atexit_unix_signals_ref (handler->state);
  g_autoptr(AtexitLoopFinalizer) finalizer = g_weak_ref_get (&state->finalizer);
  g_autoptr(GCancellable) cancellable = NULL;
  AtexitSignalsPhase phase;
  guint session;

  if (finalizer == NULL)
    return G_SOURCE_CONTINUE;

  g_mutex_lock (&state->mutex);
  phase = state->phase;
  session = state->session;
  cancellable = g_object_ref (state->cancellable);
  if (phase == ATEXIT_SIGNALS_IDLE)
    state->phase = ATEXIT_SIGNALS_RUNNING;
  else if (phase == ATEXIT_SIGNALS_RUNNING)
    state->phase = ATEXIT_SIGNALS_CANCELLING;
  g_mutex_unlock (&state->mutex);

  switch (phase)
    {
    case ATEXIT_SIGNALS_IDLE:
      atexit_unix_signals_start (state, finalizer, handler->signum, session, cancellable);
      break;
    case ATEXIT_SIGNALS_RUNNING:
      atexit_unix_signals_force (state, handler->signum, cancellable);
      break;
    case ATEXIT_SIGNALS_CANCELLING:
      /* Told once: the cancelled run is ending, and its end quits. */
      g_debug ("Signal %d (%s): the run is being cancelled already",
               handler->signum, g_strsignal (handler->signum));
      break;
    case ATEXIT_SIGNALS_QUIT_PENDING:
      /* The shutdown is over; its quit waits for the loop. */
      g_debug ("Signal %d (%s): the quit is already under way",
               handler->signum, g_strsignal (handler->signum));
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
atexit_unix_signals_valid (int signum)
{
  /* What g_unix_signal_source_new() accepts. */
  return signum == SIGHUP || signum == SIGINT || signum == SIGTERM ||
         signum == SIGUSR1 || signum == SIGUSR2 || signum == SIGWINCH;
}

static gboolean
atexit_unix_signals_same (GArray    *signals,
                          const int *wanted,
                          guint      n_wanted)
{
  return signals->len == n_wanted &&
         (n_wanted == 0 || memcmp (signals->data, wanted, n_wanted * sizeof (int)) == 0);
}

static void
atexit_unix_signals_install_internal (AtexitLoopFinalizer *self,
                                      GMainLoop           *loop,
                                      GApplication        *application,
                                      const int           *wanted,
                                      guint                n_wanted)
{
  static GMutex install_mutex;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(AtexitUnixSignals) state = NULL;
  g_autoptr(GArray) signals = g_array_new (FALSE, FALSE, sizeof (int));
  GPtrArray *sources = NULL;
  GPtrArray *old_sources = NULL;
  GSource *old_quit_source = NULL;

  /* With a reference: another thread may drop the context meanwhile. */
  g_object_get (self, "context", &context, NULL);
  if (context == NULL)
    return;

  /* Each signal once: two sources for one signal would take it for a second one. */
  for (guint i = 0; i < n_wanted; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < signals->len && !seen; j++)
        seen = g_array_index (signals, int, j) == wanted[i];
      if (!seen)
        g_array_append_val (signals, wanted[i]);
    }

  g_mutex_lock (&install_mutex);
  state = g_object_dup_data (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY,
                             atexit_unix_signals_dup, NULL);
  if (state == NULL)
    {
      state = g_new0 (AtexitUnixSignals, 1);
      g_atomic_ref_count_init (&state->ref_count);
      g_weak_ref_init (&state->finalizer, self);
      g_weak_ref_init (&state->application, NULL);
      g_mutex_init (&state->mutex);
      state->installed = TRUE;
      state->signals = g_array_new (FALSE, FALSE, sizeof (int));
      state->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
      state->cancellable = g_cancellable_new ();
      g_object_set_data_full (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY,
                              atexit_unix_signals_ref (state), atexit_unix_signals_detach);
    }
  g_mutex_unlock (&install_mutex);

  g_weak_ref_set (&state->application, application);

  g_mutex_lock (&state->mutex);
  if (state->loop != loop)
    old_quit_source = g_steal_pointer (&state->quit_source);  /* armed for the old loop */
  state->loop = loop;
  if (!atexit_unix_signals_same (state->signals, (int *) signals->data, signals->len))
    {
      /* The new handlers are there before the old ones go: between the two, a signal
       * would get its default action and end the process. */
      sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
      for (guint i = 0; i < signals->len; i++)
        {
          AtexitSignalHandler *handler = g_new0 (AtexitSignalHandler, 1);
          GSource *source = g_unix_signal_source_new (g_array_index (signals, int, i));

          handler->state = atexit_unix_signals_ref (state);
          handler->source = source;
          handler->signum = g_array_index (signals, int, i);
          g_source_set_callback (source, atexit_unix_signals_received, handler,
                                 atexit_signal_handler_free);
          g_source_set_static_name (source, "[atexit-glib] quit signal");
          g_source_attach (source, context);
          g_ptr_array_add (sources, source);
        }
      old_sources = g_steal_pointer (&state->sources);
      state->sources = g_steal_pointer (&sources);
      g_array_unref (state->signals);
      state->signals = g_steal_pointer (&signals);
    }
  g_mutex_unlock (&state->mutex);

  if (old_sources != NULL)
    atexit_unix_signals_destroy_sources (old_sources);
  if (old_quit_source != NULL)
    {
      g_source_destroy (old_quit_source);
      g_source_unref (old_quit_source);
    }

  /* A shutdown that ended before its loop was known quits it now, or once it runs. */
  atexit_unix_signals_try_quit (state);
}

/**
 * atexit_loop_finalizer_install_unix_signals:
 * @self: a finalizer
 * @loop: (nullable): the main loop to quit, or %NULL if it does not exist yet
 *
 * Makes `SIGINT`, `SIGTERM` and `SIGHUP` quit @loop gracefully; see
 * [method@Atexit.LoopFinalizer.install_unix_signals_full].
 *
 * ```c
 * int
 * main (void)
 * {
 *   AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
 *   g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
 *   int signum;
 *
 *   atexit_loop_finalizer_install_unix_signals (finalizer, loop);
 *   g_main_loop_run (loop);
 *
 *   signum = atexit_loop_finalizer_get_unix_signal (finalizer);
 *   atexit_loop_finalizer_uninstall_unix_signals (finalizer);
 *   return signum != 0 ? 128 + signum : 0;
 * }
 * ```
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_install_unix_signals (AtexitLoopFinalizer *self,
                                            GMainLoop           *loop)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (atexit_loop_finalizer_get_context (self) != NULL);
  g_return_if_fail (loop == NULL ||
                    g_main_loop_get_context (loop) == atexit_loop_finalizer_get_context (self));

  atexit_unix_signals_install_internal (self, loop, NULL, atexit_default_signals,
                                        G_N_ELEMENTS (atexit_default_signals));
}

/**
 * atexit_loop_finalizer_install_unix_signals_full:
 * @self: a finalizer
 * @loop: (nullable): the main loop to quit, or %NULL if it does not exist yet
 * @signals: (array length=n_signals): the signals to handle: any of `SIGHUP`, `SIGINT`,
 *   `SIGTERM`, `SIGUSR1`, `SIGUSR2` and `SIGWINCH`
 * @n_signals: the number of @signals
 *
 * Makes @signals quit @loop gracefully. The first one runs the cleanups of @self
 * (see [method@Atexit.LoopFinalizer.run_async]), then quits @loop; a failure of that
 * run is logged with one warning, since nobody else can receive its error. A second
 * signal during the run cancels it and logs a warning that says so: the groups not
 * started are skipped, the cancellable of each cleanup still running is cancelled at
 * the next iteration of the context, which ends the run, and that end quits @loop. So
 * the quit is prompt, and when [method@GLib.MainLoop.run] returns every cleanup has
 * been told; further signals until then change nothing. Afterwards the same handlers
 * serve the next session of the loop: once @loop has been quit, the next signal is a
 * first one again.
 *
 * [method@Atexit.LoopFinalizer.get_unix_signal] tells which signal started the quit.
 * The library quits the loop and nothing else: it never ends the process, so that
 * `main()` returns and chooses its exit status.
 *
 * @loop may be %NULL, for a service that creates its loop late but wants its signals
 * handled from the start: a signal that arrives meanwhile (when the context is
 * iterated) still starts the run and is remembered, and installing again with the loop
 * quits that loop as soon as the run has ended, or at once if it has.
 *
 * Installing again replaces the signals and the loop and keeps the rest: a received
 * signal, a run in progress. @loop is not referenced, so that it can go with its
 * context: it must outlive the installation, as with `g_unix_signal_add (…, loop)`.
 * Uninstall ([method@Atexit.LoopFinalizer.uninstall_unix_signals]) before dropping
 * it, or drop the context along with it.
 *
 * The handlers are GLib's (see [func@GLib.unix_signal_source_new]), attached to the
 * context of @self, which must be iterated for a signal to be seen. The run they start
 * uses a cancellable of theirs, so a second signal cancels that run; a run already in
 * progress when the signal arrives is joined, and its end quits the loop too.
 *
 * A service under systemd keeps `SIGHUP` for reloading by leaving it out of @signals;
 * see [Daemons under systemd](daemons.html).
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_install_unix_signals_full (AtexitLoopFinalizer *self,
                                                 GMainLoop           *loop,
                                                 const int           *signals,
                                                 guint                n_signals)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (atexit_loop_finalizer_get_context (self) != NULL);
  g_return_if_fail (loop == NULL ||
                    g_main_loop_get_context (loop) == atexit_loop_finalizer_get_context (self));
  g_return_if_fail (signals != NULL || n_signals == 0);
  for (guint i = 0; i < n_signals; i++)
    g_return_if_fail (atexit_unix_signals_valid (signals[i]));

  atexit_unix_signals_install_internal (self, loop, NULL, signals, n_signals);
}

/**
 * atexit_application_install_unix_signals:
 * @application: an application
 *
 * Makes `SIGINT`, `SIGTERM` and `SIGHUP` quit @application gracefully, as
 * [func@Atexit.application_quit] does: the first one holds the application while
 * the cleanups of its finalizer (see [func@Atexit.application_get_finalizer]) run,
 * then quits it; a second one cancels the cleanups and quits it as soon as they have
 * been told, at the next iteration of its context. Warnings
 * report a failed run and a forced quit, and the same handlers serve a later session,
 * as for [method@Atexit.LoopFinalizer.install_unix_signals_full].
 *
 * The application is held weakly. [method@Atexit.LoopFinalizer.get_unix_signal] on
 * its finalizer tells which signal started the quit, and
 * [method@Atexit.LoopFinalizer.uninstall_unix_signals] on it removes the handlers.
 *
 * Since: 1.0
 */
void
atexit_application_install_unix_signals (GApplication *application)
{
  AtexitLoopFinalizer *finalizer;

  g_return_if_fail (G_IS_APPLICATION (application));

  finalizer = atexit_application_get_finalizer (application);
  g_return_if_fail (atexit_loop_finalizer_get_context (finalizer) != NULL);

  atexit_unix_signals_install_internal (finalizer, NULL, application, atexit_default_signals,
                                        G_N_ELEMENTS (atexit_default_signals));
}

/**
 * atexit_loop_finalizer_uninstall_unix_signals:
 * @self: a finalizer
 *
 * Removes the signal handlers installed on @self, if any, and forgets its loop or
 * application: a run they started goes on, but quits nothing when it ends. The
 * signals get their default behaviour back once no GLib handler watches them.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_uninstall_unix_signals (AtexitLoopFinalizer *self)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));

  g_object_set_data (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY, NULL);
}

/**
 * atexit_loop_finalizer_get_unix_signal:
 * @self: a finalizer
 *
 * Tells which signal started the quit: the first signal of the last shutdown that
 * the handlers installed on @self began, whether that shutdown ended by itself or was
 * forced by a second signal.
 *
 * A program that wants its exit status to say so, as a shell expects, can uninstall
 * the handlers and raise the signal again, or exit with 128 plus the signal number.
 *
 * Returns: the signal number, or 0 if no signal was received since the handlers were
 *   installed
 *
 * Since: 1.0
 */
int
atexit_loop_finalizer_get_unix_signal (AtexitLoopFinalizer *self)
{
  g_autoptr(AtexitUnixSignals) state = NULL;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  state = g_object_dup_data (G_OBJECT (self), ATEXIT_UNIX_SIGNALS_KEY,
                             atexit_unix_signals_dup, NULL);
  if (state == NULL)
    return 0;

  return g_atomic_int_get (&state->signum);
}

#endif /* G_OS_UNIX */
