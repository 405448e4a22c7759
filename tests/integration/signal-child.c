/* signal-child.c: a program that quits gracefully on signals, for unix-signals
 *
 * Usage: signal-child loop|stuck|app
 *   loop   a GMainLoop; its cleanup completes on its own
 *   stuck  a GMainLoop; its cleanup completes only when cancelled
 *   app    a GApplication; its cleanup completes on its own
 *
 * It prints "ready" once its handlers are installed, what its cleanups do, and
 * then ends itself with the signal that made it quit.
 *
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

static gboolean
finish_cleanup (gpointer data)
{
  GTask *task = data;

  say ("cleanup done");
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
quick_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
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

static void
activate (GApplication *application,
          gpointer      user_data)
{
  /* Kept alive until a signal quits it. */
  g_application_hold (application);
  atexit_unix_signals_install_application (application);
  say ("ready");
}

static void
end_with (int signum)
{
  char line[64];

  g_snprintf (line, sizeof line, "quit by signal %d", signum);
  say (line);
  if (signum != 0)
    {
      signal (signum, SIG_DFL);
      raise (signum);
    }
}

int
main (int   argc,
      char *argv[])
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  const char *mode = argc > 1 ? argv[1] : "loop";
  int signum;

  if (g_str_equal (mode, "app"))
    {
      g_autoptr(GApplication) application =
        g_application_new ("org.example.AtexitSignalChild", G_APPLICATION_NON_UNIQUE);
      int status;

      atexit_loop_finalizer_add_async_full (finalizer, "quick", G_PRIORITY_DEFAULT, quick_cleanup, NULL, NULL);
      g_signal_connect (application, "activate", G_CALLBACK (activate), NULL);
      status = g_application_run (application, 1, argv);
      signum = atexit_unix_signals_get_signal (finalizer);
      atexit_unix_signals_uninstall (finalizer);
      end_with (signum);
      return status;
    }
  else
    {
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

      if (g_str_equal (mode, "stuck"))
        {
          atexit_loop_finalizer_set_timeout (finalizer, 0);
          atexit_loop_finalizer_add_async_full (finalizer, "stuck", G_PRIORITY_DEFAULT, stuck_cleanup, NULL, NULL);
        }
      else
        {
          atexit_loop_finalizer_add_async_full (finalizer, "quick", G_PRIORITY_DEFAULT, quick_cleanup, NULL, NULL);
        }

      atexit_unix_signals_install (finalizer, loop);
      say ("ready");
      g_main_loop_run (loop);
      signum = atexit_unix_signals_get_signal (finalizer);
      atexit_unix_signals_uninstall (finalizer);
      end_with (signum);
      return 0;
    }
}
