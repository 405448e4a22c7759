/* signal-child.c: a program that quits gracefully on signals, for unix-signals
 *
 * Usage: signal-child MODE
 *   loop          a GMainLoop; its cleanup completes on its own
 *   stuck         a GMainLoop; its cleanup completes only when cancelled; once the
 *                 loop has returned, the program says whether the run is still going
 *   failing       a GMainLoop; its cleanup fails
 *   sessions      a GMainLoop run twice, with a cleanup registered for each session
 *   late-ended    the handlers are installed before the loop exists; a signal arrives
 *                 and its run ends before the loop is known
 *   late-running  the same, but the run can only end once the loop is known
 *   reentrant     a GMainLoop whose about-to-close handler iterates the context and
 *                 installs the handlers again, mid-run
 *   app           a GApplication; its cleanup completes on its own
 *
 * It prints "ready" once its handlers are installed, what its cleanups do, and
 * then ends itself with the signal that made it quit.
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdio.h>

#include <atexit-glib.h>

static void
say (const char *line)
{
  printf ("%s\n", line);
  fflush (stdout);
}

static void
say_quit (AtexitLoopFinalizer *finalizer)
{
  char line[64];

  g_snprintf (line, sizeof line, "quit by signal %d",
              atexit_loop_finalizer_get_unix_signal (finalizer));
  say (line);
}

static gboolean cleanup_started;
static gboolean cleanup_done;

static gboolean
finish_cleanup (gpointer data)
{
  GTask *task = data;

  cleanup_done = TRUE;
  say ("cleanup done");
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
quick_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  cleanup_started = TRUE;
  say ("cleanup started");
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_cleanup, task, g_object_unref);
}

static void
stuck_cancelled (GCancellable *cancellable,
                 gpointer      data)
{
  GTask *task = data;

  say ("cleanup cancelled");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
}

static void
stuck_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  say ("cleanup started");
  g_cancellable_connect (g_task_get_cancellable (task), G_CALLBACK (stuck_cancelled),
                         task, g_object_unref);
}

/* The run's report of a cleanup's end: a cancelled run names those it let go. */
static void
cleanup_finished (AtexitLoopFinalizer *finalizer,
                  guint                id,
                  const char          *name,
                  int                  priority,
                  gint64               duration_us,
                  const GError        *error,
                  gpointer             user_data)
{
  say (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
       ? "reported cancelled" : "reported not cancelled");
}

static void
failing_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             user_data)
{
  say ("cleanup started");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the peer hung up");
  g_object_unref (task);
  say ("cleanup failed");
}

static gboolean loop_known;

static gboolean
loop_is_known (gpointer user_data)
{
  return loop_known;
}

/* Its end depends on the loop: it cannot finish before the program has one. */
static void
waiting_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             user_data)
{
  cleanup_started = TRUE;
  say ("cleanup started");
  atexit_task_return_when (task, loop_is_known, NULL, NULL);
}

/* The worst an about-to-close handler may do here: iterate the context from inside the
 * signal's dispatch, and install again while the run it is part of goes on. */
static void
about_to_close_reentrant (AtexitLoopFinalizer *finalizer,
                          gpointer             user_data)
{
  GMainLoop *loop = user_data;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  atexit_loop_finalizer_install_unix_signals (finalizer, loop);
  say ("installed again");
}

static void
activate (GApplication *application,
          gpointer      user_data)
{
  /* Kept alive until a signal quits it. */
  g_application_hold (application);
  atexit_application_install_unix_signals (application);
  say ("ready");
}

static int
end_with (AtexitLoopFinalizer *finalizer)
{
  int signum = atexit_loop_finalizer_get_unix_signal (finalizer);

  say_quit (finalizer);
  atexit_loop_finalizer_uninstall_unix_signals (finalizer);
  if (signum != 0)
    {
      signal (signum, SIG_DFL);
      raise (signum);
    }
  return 0;
}

/* What is left once the loop returned: nothing, after a second signal too. */
static void
say_run_state (AtexitLoopFinalizer *finalizer)
{
  if (atexit_loop_finalizer_get_running (finalizer))
    {
      say ("run still going");
      while (atexit_loop_finalizer_get_running (finalizer))
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      say ("run over");
    }
}

static int
run_application (AtexitLoopFinalizer *finalizer,
                 char                *argv0)
{
  g_autoptr(GApplication) application =
    g_application_new ("org.example.AtexitSignalChild", G_APPLICATION_NON_UNIQUE);
  char *argv[] = { argv0, NULL };

  atexit_loop_finalizer_add_async_full (finalizer, "quick", G_PRIORITY_DEFAULT, quick_cleanup,
                                        NULL, NULL);
  g_signal_connect (application, "activate", G_CALLBACK (activate), NULL);
  g_application_run (application, 1, argv);
  return end_with (finalizer);
}

/* A service that handles its signals from the start but makes its loop late: the signal
 * comes while it is still setting up, iterating its context. */
static int
run_late (AtexitLoopFinalizer *finalizer,
          gboolean             ended)
{
  g_autoptr(GMainLoop) loop = NULL;

  atexit_loop_finalizer_add_async_full (finalizer, "late", G_PRIORITY_DEFAULT,
                                        ended ? quick_cleanup : waiting_cleanup, NULL, NULL);
  atexit_loop_finalizer_install_unix_signals (finalizer, NULL);
  say ("ready");

  while (!cleanup_started)
    g_main_context_iteration (NULL, TRUE);
  if (ended)
    {
      while (!cleanup_done || atexit_loop_finalizer_get_running (finalizer))
        g_main_context_iteration (NULL, TRUE);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      say ("run ended before the loop");
    }
  else
    {
      say ("run going on before the loop");
    }

  loop = g_main_loop_new (NULL, FALSE);
  atexit_loop_finalizer_install_unix_signals (finalizer, loop);
  loop_known = TRUE;
  g_main_loop_run (loop);
  return end_with (finalizer);
}

int
main (int   argc,
      char *argv[])
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  const char *mode = argc > 1 ? argv[1] : "loop";
  g_autoptr(GMainLoop) loop = NULL;

  if (g_str_equal (mode, "app"))
    return run_application (finalizer, argv[0]);
  if (g_str_equal (mode, "late-ended") || g_str_equal (mode, "late-running"))
    return run_late (finalizer, g_str_equal (mode, "late-ended"));

  loop = g_main_loop_new (NULL, FALSE);
  if (g_str_equal (mode, "stuck"))
    {
      atexit_loop_finalizer_set_timeout (finalizer, 0);
      atexit_loop_finalizer_add_async_full (finalizer, "stuck", G_PRIORITY_DEFAULT,
                                            stuck_cleanup, NULL, NULL);
      g_signal_connect (finalizer, "cleanup-finished", G_CALLBACK (cleanup_finished), NULL);
    }
  else if (g_str_equal (mode, "reentrant"))
    {
      g_signal_connect (finalizer, "about-to-close", G_CALLBACK (about_to_close_reentrant), loop);
      atexit_loop_finalizer_add_async_full (finalizer, "quick", G_PRIORITY_DEFAULT,
                                            quick_cleanup, NULL, NULL);
    }
  else if (g_str_equal (mode, "failing"))
    {
      atexit_loop_finalizer_add_async_full (finalizer, "failing", G_PRIORITY_DEFAULT,
                                            failing_cleanup, NULL, NULL);
    }
  else
    {
      atexit_loop_finalizer_add_async_full (finalizer, "quick", G_PRIORITY_DEFAULT,
                                            quick_cleanup, NULL, NULL);
    }

  atexit_loop_finalizer_install_unix_signals (finalizer, loop);
  say ("ready");
  g_main_loop_run (loop);

  if (g_str_equal (mode, "stuck"))
    {
      /* A program that returned from main() now would leave nothing untold: the
       * cancelled run ended before the loop returned. */
      say ("loop returned");
      say_run_state (finalizer);
    }
  else if (g_str_equal (mode, "sessions"))
    {
      /* The next session: new work, new cleanups, the same handlers. */
      say_quit (finalizer);
      atexit_loop_finalizer_add_async_full (finalizer, "again", G_PRIORITY_DEFAULT,
                                            quick_cleanup, NULL, NULL);
      say ("ready");
      g_main_loop_run (loop);
    }

  return end_with (finalizer);
}
