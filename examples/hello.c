/* hello.c: library code registers a cleanup; the loop's owner quits through the finalizer
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <atexit-glib.h>

static void
log_closed_cb (GObject      *log,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (log), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_print ("library: log flushed and closed\n");
  g_task_return_boolean (task, TRUE);
}

/* An asynchronous cleanup: it owns @task, and returns it when the log is closed. */
static void
close_log (AtexitLoopFinalizer *finalizer,
           GTask               *task,
           gpointer             log)
{
  g_output_stream_close_async (log, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               log_closed_cb, task);
}

/* Library code: it writes through a buffer, and never sees the main loop. */
static void
library_start_log (GOutputStream *file)
{
  GOutputStream *log = g_buffered_output_stream_new (file);

  g_output_stream_printf (log, NULL, NULL, NULL, "hello, world\n");  /* in the buffer only */
  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (), "log",
                                        G_PRIORITY_DEFAULT, close_log, log, g_object_unref);
}

static gboolean
quit_cb (gpointer loop)
{
  g_print ("owner: quitting\n");
  /* Instead of g_main_loop_quit (): the loop quits once every cleanup has ended. */
  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GFileIOStream) tmp = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("atexit-hello-XXXXXX.log", &tmp, NULL);
  g_autofree char *contents = NULL;

  if (file == NULL)
    return 1;
  library_start_log (g_io_stream_get_output_stream (G_IO_STREAM (tmp)));
  g_timeout_add (100, quit_cb, loop);
  g_main_loop_run (loop);

  g_file_load_contents (file, NULL, &contents, NULL, NULL, NULL);
  g_file_delete (file, NULL, NULL);
  g_print ("owner: the loop returned; the file holds \"%s\"\n",
           contents != NULL ? g_strchomp (contents) : "");

  return g_strcmp0 (contents, "hello, world") == 0 ? 0 : 1;
}
