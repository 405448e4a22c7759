/* real-gio.c: hand-written cleanups that shut down real GIO resources
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <signal.h>
#include <string.h>

#include "test-util.h"

/* A client says goodbye */

typedef struct {
  /* server side */
  GSocketService     *service;
  GSocketConnection  *accepted;
  GDataInputStream   *server_in;
  char               *line;
  gboolean            server_saw_eof;
  GError             *server_error;
  /* client side */
  GSocketConnection  *client;
  GError             *client_error;
  guint               goodbye_destroyed;
} Net;

static void server_read_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      data);

static void
server_read_next (Net *net)
{
  g_data_input_stream_read_line_async (net->server_in, G_PRIORITY_DEFAULT, NULL,
                                       server_read_cb, net);
}

static void
server_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  Net *net = data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &net->server_error);
  if (line == NULL)
    {
      /* EOF, or an error (kept for the test to assert on). */
      net->server_saw_eof = net->server_error == NULL;
      return;
    }

  g_assert_null (net->line);
  net->line = g_steal_pointer (&line);
  server_read_next (net);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  Net *net = data;

  g_assert_null (net->accepted);
  net->accepted = g_object_ref (connection);
  net->server_in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  server_read_next (net);

  return TRUE;
}

static void
client_connected_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  Net *net = data;

  net->client = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result,
                                                &net->client_error);
}

/* The goodbye cleanup: write a line, then close the stream, both asynchronously. */

typedef struct {
  GTask     *task;
  GIOStream *stream;
} Goodbye;

static void
goodbye_finish (Goodbye *goodbye,
                GError  *error)
{
  if (error != NULL)
    g_task_return_error (goodbye->task, error);
  else
    g_task_return_boolean (goodbye->task, TRUE);
  g_object_unref (goodbye->task);
  g_object_unref (goodbye->stream);
  g_free (goodbye);
}

static void
goodbye_closed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  GError *error = NULL;

  g_io_stream_close_finish (G_IO_STREAM (object), result, &error);
  goodbye_finish (data, error);
}

static void
goodbye_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  Goodbye *goodbye = data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      goodbye_finish (goodbye, error);
      return;
    }

  g_io_stream_close_async (goodbye->stream, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (goodbye->task), goodbye_closed_cb, goodbye);
}

static void
say_goodbye_cleanup (AtexitLoopFinalizer *finalizer,
                     GTask               *task,
                     gpointer             data)
{
  static const char bye[] = "goodbye\n";
  Goodbye *goodbye = g_new0 (Goodbye, 1);

  goodbye->task = task;
  goodbye->stream = g_object_ref (data);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (goodbye->stream),
                                   bye, strlen (bye), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), goodbye_written_cb, goodbye);
}

static void
goodbye_destroy (gpointer data)
{
  g_object_unref (data);
}

static void
test_socket_goodbye (Fixture       *fx,
                     gconstpointer  data)
{
  Net net = { NULL };
  g_autoptr(GSocketAddress) any_port = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketClient) socket_client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;

  /* A server on 127.0.0.1, on a port of the system's choosing. */
  net.service = g_socket_service_new ();
  any_port = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (net.service), any_port,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                                NULL, &address, &error));
  g_assert_no_error (error);
  g_signal_connect (net.service, "incoming", G_CALLBACK (on_incoming), &net);
  g_socket_service_start (net.service);

  socket_client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  g_socket_client_connect_async (socket_client, G_SOCKET_CONNECTABLE (address), NULL,
                                 client_connected_cb, &net);
  WAIT_FOR (fx->context, (net.client != NULL || net.client_error != NULL) && net.accepted != NULL);
  g_assert_no_error (net.client_error);

  /* The client's library registers its goodbye; the loop's owner quits. */
  atexit_loop_finalizer_add_async_full (fx->finalizer, "say-goodbye", G_PRIORITY_DEFAULT,
                                        say_goodbye_cleanup, g_object_ref (net.client),
                                        goodbye_destroy);
  loop = g_main_loop_new (fx->context, FALSE);
  atexit_loop_finalizer_quit_loop (fx->finalizer, loop);
  g_main_loop_run (loop);

  /* By the time the loop has quit, the goodbye was written and the stream closed. */
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (net.client)));

  /* The server reads the line, then EOF. */
  WAIT_FOR (fx->context, net.server_saw_eof || net.server_error != NULL);
  g_assert_no_error (net.server_error);
  g_assert_cmpstr (net.line, ==, "goodbye");

  g_io_stream_close (G_IO_STREAM (net.accepted), NULL, NULL);
  g_socket_service_stop (net.service);
  g_socket_listener_close (G_SOCKET_LISTENER (net.service));
  g_clear_object (&net.server_in);
  g_clear_object (&net.accepted);
  g_clear_object (&net.client);
  g_clear_object (&net.service);
  g_free (net.line);
}

/* A child process is stopped */

typedef struct {
  GSubprocess *process;
  guint        destroyed;
  gboolean     force_exited;
} Child;

static void
child_waited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  GTask *task = data;
  Child *child = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    {
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      /* The group's deadline passed: no more asking. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_subprocess_force_exit (child->process);
          child->force_exited = TRUE;
        }
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

static void
terminate_child_cleanup (AtexitLoopFinalizer *finalizer,
                         GTask               *task,
                         gpointer             data)
{
  Child *child = data;

  g_task_set_task_data (task, child, NULL);
  g_subprocess_send_signal (child->process, SIGTERM);
  g_subprocess_wait_async (child->process, g_task_get_cancellable (task), child_waited_cb, task);
}

static void
child_destroy (gpointer data)
{
  ((Child *) data)->destroyed++;
}

static void
test_subprocess_sigterm (Fixture       *fx,
                         gconstpointer  data)
{
  Child child = { NULL };
  g_autoptr(GError) error = NULL;

  /* Silenced: a child left behind by a failed test must not hold the test's output open. */
  child.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                    &error, "sleep", "100", NULL);
  g_assert_no_error (error);

  atexit_loop_finalizer_add_async_full (fx->finalizer, "stop-sleep", G_PRIORITY_DEFAULT,
                                        terminate_child_cleanup, &child, child_destroy);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);

  /* The child is gone, by our signal, and was waited for. */
  g_assert_true (g_subprocess_get_if_signaled (child.process));
  g_assert_cmpint (g_subprocess_get_term_sig (child.process), ==, SIGTERM);
  g_assert_false (child.force_exited);
  g_assert_cmpuint (child.destroyed, ==, 1);

  g_object_unref (child.process);
}

static void
read_ready_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  char **line = data;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                     NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) data = TRUE;
}

static void
test_subprocess_deadline_kill (Fixture       *fx,
                               gconstpointer  data)
{
  Child child = { NULL };
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *ready = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;

  /* A child that ignores SIGTERM; it says so once it does. */
  child.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                    &error,
                                    "sh", "-c", "trap '' TERM; echo ready; exec sleep 100", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child.process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_ready_cb, &ready);
  WAIT_FOR (fx->context, ready != NULL);
  g_assert_cmpstr (ready, ==, "ready");

  atexit_loop_finalizer_set_timeout (fx->finalizer, 100);
  atexit_loop_finalizer_add_async_full (fx->finalizer, "stop-stubborn", G_PRIORITY_DEFAULT,
                                        terminate_child_cleanup, &child, child_destroy);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "stop-stubborn"));
  g_test_assert_expected_messages ();

  /* The deadline cancelled the wait; the cleanup then killed the child. */
  g_subprocess_wait_async (child.process, NULL, exited_cb, &exited);
  WAIT_FOR (fx->context, exited && child.destroyed == 1);
  g_assert_true (child.force_exited);
  g_assert_true (g_subprocess_get_if_signaled (child.process));
  g_assert_cmpint (g_subprocess_get_term_sig (child.process), ==, SIGKILL);

  g_object_unref (child.process);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_THREADED_IO_TEST ("/atexit/real/socket-goodbye", test_socket_goodbye);
  ADD_THREADED_IO_TEST ("/atexit/real/child-process-sigterm", test_subprocess_sigterm);
  ADD_THREADED_IO_TEST ("/atexit/real/child-process-deadline-kill", test_subprocess_deadline_kill);

  return g_test_run ();
}
