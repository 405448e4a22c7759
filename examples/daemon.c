/* daemon.c: a small service that shuts down through atexit-glib
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: atexit-daemon HOST:PORT
 *
 * It keeps a TCP connection to a peer at HOST:PORT, owns the name
 * org.example.AtexitDaemon on the session bus ($DBUS_SESSION_BUS_ADDRESS), tells
 * systemd that it is ready, and serves until SIGINT, SIGTERM or SIGHUP. Then the library
 * runs its cleanups while the loop goes on: first the goodbye to the peer ("BYE", which
 * the peer answers "ACK"), then the bus connection, which releases the name. Under
 * systemd the library tells the manager as it goes (STOPPING=1, what it waits for, how
 * much longer it needs). The daemon exits with 128 plus the signal number, the status a
 * shell reports for a process that a signal ended; it never kills itself.
 *
 * docs/daemons.md quotes parts of this file, and the unit file beside it.
 */

#define G_LOG_DOMAIN "atexit-daemon"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include <atexit-glib.h>

#define BUS_NAME "org.example.AtexitDaemon"

/* Each cleanup's deadline: closing a bus connection takes milliseconds. */
#define TIMEOUT_MS          3000
/* The peer may be slow to answer, and gets longer; past that, the goodbye is given up. */
#define GOODBYE_TIMEOUT_MS  5000
/* The whole shutdown, whatever each cleanup's deadline: the service manager is never
 * asked for more than what is left of it, plus a margin (see docs/daemons.md). */
#define TOTAL_TIMEOUT_MS   15000

typedef struct {
  GMainLoop           *loop;
  AtexitLoopFinalizer *finalizer;
  const char          *peer_address;
  GSocketConnection   *peer;     /* (nullable) until connected */
  GDataInputStream    *peer_in;  /* (nullable): reads the peer's answers */
  guint                owner_id;
  gboolean             stopping; /* the shutdown has begun: losing the name is expected */
  gboolean             failed;   /* it could not start */
} Daemon;

/* Startup failed: whatever was registered so far is cleaned up all the same. */
static void
daemon_fail (Daemon     *daemon,
             const char *what,
             const char *why)
{
  g_printerr ("atexit-daemon: %s: %s\n", what, why);
  daemon->failed = TRUE;
  atexit_loop_finalizer_quit_loop (daemon->finalizer, daemon->loop);
}

/* sd_notify (0, "READY=1") without libsystemd: one datagram to $NOTIFY_SOCKET. The
 * stopping messages are the library's. */
static void
notify_ready (void)
{
  const char *socket_name = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) sock = NULL;

  if (socket_name == NULL || (socket_name[0] != '/' && socket_name[0] != '@'))
    return;  /* not under systemd */

  if (socket_name[0] == '@')
    address = g_unix_socket_address_new_with_type (socket_name + 1, -1,
                                                   G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  else
    address = g_unix_socket_address_new (socket_name);
  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                       G_SOCKET_PROTOCOL_DEFAULT, NULL);
  if (sock != NULL)
    g_socket_send_to (sock, address, "READY=1", 7, NULL, NULL);
}

/* The goodbye: BYE, then the peer's ACK, then the connection is closed. Each step uses
 * the task's cancellable, which the library cancels at the deadline. */

static void
peer_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
ack_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Daemon *daemon = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *line = NULL;
  GError *error = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                    NULL, &error);
  if (line == NULL && error == NULL)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "the peer hung up");
  else if (line != NULL && !g_str_equal (line, "ACK"))
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "the peer answered “%s”", line);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_message ("The peer acknowledged the goodbye");
  g_io_stream_close_async (G_IO_STREAM (daemon->peer), G_PRIORITY_DEFAULT, cancellable,
                           peer_closed_cb, g_steal_pointer (&task));
}

static void
bye_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Daemon *daemon = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_data_input_stream_read_line_async (daemon->peer_in, G_PRIORITY_DEFAULT, cancellable,
                                       ack_read_cb, g_steal_pointer (&task));
}

static void
say_goodbye (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  Daemon *daemon = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (daemon->peer));

  g_task_set_task_data (task, daemon, NULL);
  g_output_stream_write_all_async (out, "BYE\n", 4, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), bye_written_cb, task);
}

/* The session bus. */

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  Daemon *daemon = user_data;

  /* A real service exports its objects here. Its connection is closed last, after the
   * goodbye, which releases the name: a new instance can take it once this one is
   * really going. add_async_pair, not add_object, because closing it is the plan:
   * add_object is the safety net for objects their owner should have closed, and warns
   * about each one it finds open. */
  atexit_loop_finalizer_add_async_pair (daemon->finalizer, G_OBJECT (connection),
                                        "session bus connection", G_PRIORITY_LOW,
                                        (AtexitAsyncStartFunc) g_dbus_connection_close,
                                        (AtexitAsyncFinishFunc) g_dbus_connection_close_finish);
  /* GDBus would raise SIGTERM if the bus went away; the name-lost handler says so. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  g_message ("Owning %s on the session bus", name);
  notify_ready ();
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Daemon *daemon = user_data;

  if (!daemon->stopping)
    daemon_fail (daemon, name, connection == NULL ? "cannot connect to the session bus"
                                                  : "the name is taken, or was lost");
}

/* The peer. */

static void
peer_connected_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;
  guint id;

  daemon->peer = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result,
                                                          &error);
  if (daemon->peer == NULL)
    {
      daemon_fail (daemon, daemon->peer_address, error->message);
      return;
    }
  g_message ("Connected to the peer at %s", daemon->peer_address);
  daemon->peer_in = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (daemon->peer)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (daemon->peer_in),
                                               FALSE);

  /* Registered once there is someone to say goodbye to, with a deadline of its own,
   * longer than the finalizer's: the peer is allowed to be slow, but not forever. */
  id = atexit_loop_finalizer_add_async_full (daemon->finalizer, "goodbye to the peer",
                                             G_PRIORITY_DEFAULT, say_goodbye, daemon, NULL);
  atexit_loop_finalizer_set_cleanup_timeout (daemon->finalizer, id, GOODBYE_TIMEOUT_MS);

  /* On the bus only once it can serve: its name says it is up. */
  daemon->owner_id = g_bus_own_name (G_BUS_TYPE_SESSION, BUS_NAME,
                                     G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, on_bus_acquired,
                                     on_name_acquired, on_name_lost, daemon, NULL);
}

static void
on_about_to_close (AtexitLoopFinalizer *finalizer,
                   gpointer             user_data)
{
  Daemon *daemon = user_data;

  daemon->stopping = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSocketClient) client = NULL;
  Daemon daemon = { NULL };
  int signum;

  if (argc != 2)
    {
      g_printerr ("Usage: %s HOST:PORT\n", argv[0]);
      return 2;
    }

  daemon.loop = g_main_loop_new (NULL, FALSE);
  daemon.finalizer = atexit_loop_finalizer_get_default ();
  daemon.peer_address = argv[1];
  g_object_set (daemon.finalizer,
                "timeout", TIMEOUT_MS,
                "total-timeout", TOTAL_TIMEOUT_MS,
                NULL);
  g_signal_connect (daemon.finalizer, "about-to-close", G_CALLBACK (on_about_to_close),
                    &daemon);

  /* First of all: from now on SIGINT, SIGTERM and SIGHUP quit gracefully, even while
   * the daemon is still connecting; a second one cancels the cleanups. */
  atexit_loop_finalizer_install_unix_signals (daemon.finalizer, daemon.loop);

  client = g_socket_client_new ();
  g_socket_client_connect_to_host_async (client, daemon.peer_address, 0, NULL,
                                         peer_connected_cb, &daemon);

  g_main_loop_run (daemon.loop);

  /* The cleanups have run, or were cancelled by a second signal: main decides the rest. */
  signum = atexit_loop_finalizer_get_unix_signal (daemon.finalizer);
  atexit_loop_finalizer_uninstall_unix_signals (daemon.finalizer);
  if (daemon.owner_id != 0)
    g_bus_unown_name (daemon.owner_id);
  g_clear_object (&daemon.peer_in);
  g_clear_object (&daemon.peer);
  g_main_loop_unref (daemon.loop);

  if (daemon.failed)
    return 1;
  if (signum != 0)
    g_message ("Stopped by signal %d (%s)", signum, g_strsignal (signum));
  return signum != 0 ? 128 + signum : 0;
}
