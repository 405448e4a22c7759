/* app.c: a GApplication that quits gracefully on Ctrl+C
 *
 * Run it, then press Ctrl+C (or send SIGTERM or SIGHUP): the journal it keeps is
 * flushed and closed, its listening socket is closed, and it says goodbye before
 * it exits. Press Ctrl+C twice to quit at once.
 *
 *   G_MESSAGES_DEBUG=Atexit ./app      shows each cleanup and how long it took
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdio.h>

#include <atexit-glib.h>

static GOutputStream *journal;

static void
say_goodbye (gpointer user_data)
{
  g_print ("Goodbye.\n");
}

static void
journal_closed (GObject      *stream,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (g_output_stream_close_finish (G_OUTPUT_STREAM (stream), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/* An asynchronous cleanup: it owns the task and completes it when the journal is closed. */
static void
close_journal (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  g_output_stream_write_all (journal, "closed at exit\n", 15, NULL, NULL, NULL);
  g_output_stream_close_async (journal, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               journal_closed, task);
}

static gboolean
tick (gpointer user_data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *line = g_date_time_format (now, "%T still running\n");

  /* Buffered: it reaches the disk when the journal is flushed or closed. */
  g_output_stream_write_all (journal, line, strlen (line), NULL, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static void
activate (GApplication *application,
          gpointer      user_data)
{
  AtexitLoopFinalizer *finalizer = atexit_application_get_finalizer (application);
  g_autoptr(GFile) file = g_file_new_for_path ("app-journal.txt");
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  GSocketListener *listener;
  guint16 port;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  if (out == NULL)
    {
      g_printerr ("Cannot open the journal: %s\n", error->message);
      return;
    }
  journal = g_buffered_output_stream_new (G_OUTPUT_STREAM (out));
  /* Closed, so flushed, at shutdown. */
  atexit_loop_finalizer_add_async_full (finalizer, "close the journal", G_PRIORITY_DEFAULT,
                                  close_journal, NULL, NULL);

  listener = g_socket_listener_new ();
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  if (port == 0)
    g_printerr ("Cannot listen: %s\n", error->message);
  else
    /* Closed at shutdown, the right way for its type. */
    atexit_loop_finalizer_add_object (finalizer, G_OBJECT (listener));
  g_object_set_data_full (G_OBJECT (application), "listener", listener, g_object_unref);

  /* The last thing done: sync cleanups of a later group run after the others. */
  atexit_loop_finalizer_add_full (finalizer, "say goodbye", G_PRIORITY_LOW,
                                       say_goodbye, NULL, NULL);

  g_timeout_add_seconds (1, tick, NULL);
  g_application_hold (application);
  g_print ("Listening on port %u, writing app-journal.txt; press Ctrl+C to quit.\n", port);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GApplication) application =
    g_application_new ("org.example.AtexitApp", G_APPLICATION_NON_UNIQUE);
  AtexitLoopFinalizer *finalizer = atexit_application_get_finalizer (application);
  int status;
  int signum;

  g_signal_connect (application, "activate", G_CALLBACK (activate), NULL);
  /* Whatever way it quits, the cleanups run before g_application_run() returns. */
  atexit_application_install_unix_signals (application);

  status = g_application_run (application, argc, argv);
  g_clear_object (&journal);

  signum = atexit_loop_finalizer_get_unix_signal (finalizer);
  if (signum != 0)
    {
      g_print ("Quit on %s.\n", g_strsignal (signum));
      /* Exit the way the shell expects of a program ended by a signal. */
      atexit_loop_finalizer_uninstall_unix_signals (finalizer);
      g_clear_object (&application);
      signal (signum, SIG_DFL);
      raise (signum);
    }

  return status;
}
