/* daemon-example.c: examples/daemon.c, run for real
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The test is everything around the daemon: a private dbus-daemon (GTestDBus), the
 * peer (a GSocketService on 127.0.0.1 that answers "BYE" with "ACK") and the service
 * manager's notification socket. It starts the daemon, waits until its name is on the
 * bus, sends SIGTERM and watches the shutdown. $ATEXIT_DAEMON is the daemon's path.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "test-util.h"

#define BUS_NAME "org.example.AtexitDaemon"

typedef struct {
  GMainContext      *context;

  /* The peer. */
  GSocketService    *service;
  guint16            port;
  GSocketConnection *connection;  /* the daemon's, once it connected */
  GDataInputStream  *in;
  GPtrArray         *heard;       /* char *: the lines the daemon sent */
  gboolean           peer_eof;

  /* The service manager. */
  GSocket           *notify;
  char              *notify_name;
  GSource           *notify_source;
  GPtrArray         *told;        /* char *: each datagram */

  /* The bus. */
  GDBusConnection   *bus;
  guint              watch_id;
  gboolean           owned;
  gboolean           released;
  guint              told_when_released;  /* how many datagrams had come by then */
  gboolean           ack_sent;

  /* The daemon. */
  GSubprocess       *daemon;
  gboolean           exited;
  char              *errors;
} Test;

static void read_next_line (Test *test);

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Test *test = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      test->peer_eof = TRUE;
      return;
    }
  g_ptr_array_add (test->heard, line);
  read_next_line (test);
}

static void
read_next_line (Test *test)
{
  g_data_input_stream_read_line_async (test->in, G_PRIORITY_DEFAULT, NULL, line_read_cb, test);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Test *test = user_data;

  g_assert_null (test->connection);
  test->connection = g_object_ref (connection);
  test->in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  read_next_line (test);

  return TRUE;
}

static gboolean
on_notification (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Test *test = user_data;
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  n = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  g_assert_no_error (error);
  g_ptr_array_add (test->told, g_strndup (buffer, n));

  return G_SOURCE_CONTINUE;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  Test *test = user_data;

  test->owned = TRUE;
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Test *test = user_data;

  /* Called once at the start too, when the name has no owner yet. */
  if (test->owned && !test->released)
    {
      test->released = TRUE;
      test->told_when_released = test->told->len;
    }
}

static void
daemon_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Test *test = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_assert_no_error (error);
  test->exited = TRUE;
}

static void
test_set_up (Test *test)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) notify_address = NULL;

  test->context = g_main_context_ref_thread_default ();
  test->heard = g_ptr_array_new_with_free_func (g_free);
  test->told = g_ptr_array_new_with_free_func (g_free);

  test->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (test->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  test->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (test->service, "incoming", G_CALLBACK (on_incoming), test);

  test->notify_name = g_strdup_printf ("atexit-daemon-example-%d-%u",
                                       (int) getpid (), g_random_int ());
  notify_address = g_unix_socket_address_new_with_type (test->notify_name, -1,
                                                        G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  test->notify = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_bind (test->notify, notify_address, FALSE, &error);
  g_assert_no_error (error);
  test->notify_source = g_socket_create_source (test->notify, G_IO_IN, NULL);
  g_source_set_callback (test->notify_source, G_SOURCE_FUNC (on_notification), test, NULL);
  g_source_attach (test->notify_source, test->context);

  test->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  test->watch_id = g_bus_watch_name_on_connection (test->bus, BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, on_name_vanished,
                                                   test, NULL);
}

static void
test_spawn (Test *test)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *notify_socket = g_strconcat ("@", test->notify_name, NULL);
  g_autofree char *peer = g_strdup_printf ("127.0.0.1:%u", test->port);
  const char *path = g_getenv ("ATEXIT_DAEMON");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  /* The messages are matched in English. DBUS_SESSION_BUS_ADDRESS is GTestDBus's. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_setenv (launcher, "NOTIFY_SOCKET", notify_socket, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  test->daemon = g_subprocess_launcher_spawn (launcher, &error, path, peer, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (test->daemon, NULL, daemon_exited_cb, test);
}

static void
test_tear_down (Test *test)
{
  g_bus_unwatch_name (test->watch_id);
  g_clear_object (&test->bus);
  g_source_destroy (test->notify_source);
  g_clear_pointer (&test->notify_source, g_source_unref);
  g_socket_close (test->notify, NULL);
  g_clear_object (&test->notify);
  g_free (test->notify_name);
  g_socket_service_stop (test->service);
  g_socket_listener_close (G_SOCKET_LISTENER (test->service));
  g_clear_object (&test->service);
  g_clear_object (&test->in);
  g_clear_object (&test->connection);
  g_clear_object (&test->daemon);
  g_ptr_array_unref (test->heard);
  g_ptr_array_unref (test->told);
  g_free (test->errors);
  drain (test->context);
  g_main_context_unref (test->context);
}

static const char *
told (Test  *test,
      guint  i)
{
  g_assert_cmpuint (i, <, test->told->len);
  return g_ptr_array_index (test->told, i);
}

static void
test_sigterm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) errors = NULL;
  g_auto(GStrv) lines = NULL;
  const char *expected[] = {
    "*-Message: *Connected to the peer at 127.0.0.1:*",
    "*-Message: *Owning " BUS_NAME " on the session bus",
    "*-Message: *The peer acknowledged the goodbye",
    "*-Message: *Stopped by signal 15 (Terminated)",
  };
  Test test = { NULL };
  guint i;

  test_set_up (&test);
  test_spawn (&test);

  /* Up once its name is on the bus: it is connected to the peer by then. */
  WAIT_FOR (test.context, (test.owned && test.told->len >= 1) || test.exited);
  g_assert_false (test.exited);
  g_assert_nonnull (test.connection);
  g_assert_cmpstr (told (&test, 0), ==, "READY=1");

  g_subprocess_send_signal (test.daemon, SIGTERM);
  WAIT_FOR (test.context, test.heard->len >= 1 || test.exited);
  g_assert_cmpuint (test.heard->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (test.heard, 0), ==, "BYE");

  /* The daemon waits for the answer: it is still there, with its name, and nothing of
   * its next group has been told. */
  drain (test.context);
  g_assert_false (test.exited);
  g_assert_false (test.released);
  g_assert_false (test.peer_eof);
  g_assert_cmpuint (test.told->len, ==, 3);  /* READY=1, STOPPING=1, the goodbye's */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (test.connection)),
                             "ACK\n", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  test.ack_sent = TRUE;

  WAIT_FOR (test.context, test.exited && test.released && test.peer_eof);

  /* The peer heard nothing but the goodbye, and the daemon hung up once answered. */
  g_assert_cmpuint (test.heard->len, ==, 1);

  /* What the service manager was told, in order. */
  drain (test.context);
  g_test_message ("told: %u datagrams", test.told->len);
  for (i = 0; i < test.told->len; i++)
    g_test_message ("  “%s”", told (&test, i));
  g_assert_cmpuint (test.told->len, ==, 5);
  g_assert_cmpstr (told (&test, 1), ==, "STOPPING=1");
  /* The goodbye's own deadline, 5 s, plus the library's margin of 2 s. */
  g_assert_cmpstr (told (&test, 2), ==,
                   "EXTEND_TIMEOUT_USEC=7000000\nSTATUS=Stopping: waiting for goodbye to the peer");
  /* Then the bus connection, on the finalizer's timeout of 3 s. */
  g_assert_cmpstr (told (&test, 3), ==,
                   "EXTEND_TIMEOUT_USEC=5000000\n"
                   "STATUS=Stopping: waiting for session bus connection");
  g_assert_cmpstr (told (&test, 4), ==, "STATUS=Stopped: every cleanup succeeded");
  /* The name went with the connection, in the last group. */
  g_assert_cmpuint (test.told_when_released, >=, 4);

  /* The status a shell expects of a process that SIGTERM ended, by exit(). */
  g_assert_true (g_subprocess_get_if_exited (test.daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (test.daemon), ==, 128 + SIGTERM);

  /* Nothing on stderr but its own four messages: no warning of the library. */
  errors = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (test.daemon), 1 << 20,
                                      NULL, &error);
  g_assert_no_error (error);
  test.errors = g_strndup (g_bytes_get_data (errors, NULL), g_bytes_get_size (errors));
  g_test_message ("stderr:\n%s", test.errors);
  lines = g_strsplit (test.errors, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 1);
  for (i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_pattern_match_simple (expected[i], lines[i]))
      g_error ("stderr line %u is “%s”, not “%s”", i, lines[i], expected[i]);
  g_assert_cmpstr (lines[i], ==, "");

  test_tear_down (&test);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/atexit/examples/daemon/sigterm/goodbye-bus-notify-status", test_sigterm);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  status = g_test_run ();
  g_test_dbus_down (bus);

  return status;
}
