/* faults.c: cleanups that meet the real world's failures: a close that fails, a
 * child that ignores SIGTERM, a D-Bus peer that never answers, a socket peer that
 * resets the connection, a cleanup that blocks its thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <gio/gunixoutputstream.h>

#include "test-util.h"
#include "reliability-common.h"

#define DEADLINE_MS 200

/* The shared fixture, with a short deadline and the warnings of the test before
 * forgotten. */
static void
faults_set_up (Fixture       *f,
               gconstpointer  data)
{
  rel_log_reset ();
  fixture_set_up (f, data);
  atexit_loop_finalizer_set_timeout (f->finalizer, DEADLINE_MS);
}

/* The run fails with @code and names @name; the error is the caller's, so nothing
 * names it in the log. */
static void
assert_run_fails (Fixture    *f,
                  GQuark      domain,
                  int         code,
                  const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = g_strdup_printf ("“%s”", name);

  g_assert_false (atexit_loop_finalizer_run (f->finalizer, NULL, &error));
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, quoted));
  g_assert_cmpuint (rel_log_count_naming (quoted), ==, 0);
  g_test_message ("%s", error->message);
}

/* --- a close that fails ------------------------------------------------------ */

static void
close_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
close_stream_cleanup (AtexitLoopFinalizer *self,
                      GTask               *task,
                      gpointer             data)
{
  g_output_stream_close_async (G_OUTPUT_STREAM (data), G_PRIORITY_DEFAULT,
                               g_task_get_cancellable (task), close_done_cb, task);
}

static void
test_close_fails (Fixture       *f,
                  gconstpointer  data)
{
  int fd = open ("/dev/full", O_WRONLY | O_CLOEXEC);
  g_autoptr(GOutputStream) base = NULL;
  GOutputStream *buffered;
  g_autoptr(GError) error = NULL;
  gsize written;

  if (fd < 0)
    {
      g_test_skip ("no /dev/full");
      return;
    }

  /* The bytes wait in the buffer: it is the close, which flushes, that fails. */
  base = g_unix_output_stream_new (fd, TRUE);
  buffered = g_buffered_output_stream_new_sized (base, 4096);
  g_assert_true (g_output_stream_write_all (buffered, "goodbye\n", 8, &written, NULL, &error));
  g_assert_no_error (error);

  /* A failure, not a deadline, is what this is about: a slow machine must not turn
   * it into one. */
  atexit_loop_finalizer_set_timeout (f->finalizer, ATEXIT_DEFAULT_TIMEOUT);
  atexit_loop_finalizer_add_async_full (f->finalizer, "flush log", G_PRIORITY_DEFAULT,
                                  close_stream_cleanup, buffered, g_object_unref);
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_FAILED, "flush log");
  g_assert_cmpuint (rel_log_count_naming ("No space left on device"), ==, 0);
}

/* --- a child that ignores SIGTERM ------------------------------------------- */

typedef struct {
  GSubprocess *child;
  GTask       *task;
  gboolean     exited;
} Child;

static void
child_waited_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Child *c = data;
  GError *error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error);
  g_clear_error (&error);
  c->exited = TRUE;
  g_task_return_boolean (c->task, TRUE);
  g_clear_object (&c->task);
}

static void
child_kill_cb (GCancellable *cancellable,
               gpointer      data)
{
  Child *c = data;

  /* The deadline has passed: what is left to do is force it. */
  g_subprocess_force_exit (c->child);
}

static void
terminate_child_cleanup (AtexitLoopFinalizer *self,
                         GTask               *task,
                         gpointer             data)
{
  Child *c = data;

  c->task = task;
  g_subprocess_send_signal (c->child, SIGTERM);
  /* Not with the task's cancellable: the wait must go on after the deadline, until
   * the SIGKILL has done its work. */
  g_subprocess_wait_async (c->child, NULL, child_waited_cb, c);
  g_cancellable_connect (g_task_get_cancellable (task), G_CALLBACK (child_kill_cb), c, NULL);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  gboolean *ready = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
  *ready = TRUE;
}

static void
test_child_ignores_sigterm (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Child c = { NULL, NULL, FALSE };
  gboolean ready = FALSE;

  c.child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 600", NULL);
  g_assert_no_error (error);

  /* Wait until the child has set up its trap. */
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (c.child), 64, G_PRIORITY_DEFAULT,
                                   NULL, read_line_cb, &ready);
  WAIT_FOR (f->context, ready);

  atexit_loop_finalizer_add_async_full (f->finalizer, "stop helper", G_PRIORITY_DEFAULT,
                                  terminate_child_cleanup, &c, NULL);
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT, "stop helper");

  /* The cleanup's answer to its cancelled deadline, SIGKILL, still ends the child. */
  WAIT_FOR (f->context, c.exited);
  g_assert_true (g_subprocess_get_if_signaled (c.child));
  g_assert_cmpint (g_subprocess_get_term_sig (c.child), ==, SIGKILL);
  g_object_unref (c.child);
}

/* --- a D-Bus peer that never answers ---------------------------------------- */

static const char peer_xml[] =
  "<node><interface name='org.example.Peer'><method name='Goodbye'/></interface></node>";

static void
peer_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               data)
{
  GPtrArray *unanswered = data;

  /* Never answered while the run lasts. */
  g_ptr_array_add (unanswered, invocation);
}

static const GDBusInterfaceVTable peer_vtable = { peer_method_call, NULL, NULL, { NULL } };

static void
goodbye_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply != NULL)
    {
      g_variant_unref (reply);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
say_goodbye_cleanup (AtexitLoopFinalizer *self,
                     GTask               *task,
                     gpointer             data)
{
  GDBusConnection *connection = data;
  const char *peer = g_object_get_data (G_OBJECT (connection), "peer");

  g_dbus_connection_call (connection, peer, "/org/example/Peer", "org.example.Peer", "Goodbye",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE, G_MAXINT,
                          g_task_get_cancellable (task), goodbye_done_cb, task);
}

static void
test_dbus_peer_never_answers (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) peer = NULL;
  g_autoptr(GDBusConnection) client = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GPtrArray) unanswered = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint registration;

  g_test_dbus_up (bus);
  peer = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);
  client = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (peer_xml, &error);
  g_assert_no_error (error);
  registration = g_dbus_connection_register_object (peer, "/org/example/Peer", info->interfaces[0],
                                                    &peer_vtable, unanswered, NULL, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (client), "peer",
                          g_strdup (g_dbus_connection_get_unique_name (peer)), g_free);

  atexit_loop_finalizer_add_async_full (f->finalizer, "say goodbye", G_PRIORITY_DEFAULT,
                                  say_goodbye_cleanup, g_object_ref (client), g_object_unref);
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT, "say goodbye");
  /* The call really reached the peer, which held on to it. */
  g_assert_cmpuint (unanswered->len, ==, 1);

  for (guint i = 0; i < unanswered->len; i++)
    g_dbus_method_invocation_return_value (g_ptr_array_index (unanswered, i), NULL);
  g_dbus_connection_unregister_object (peer, registration);
  g_dbus_connection_close_sync (client, NULL, NULL);
  g_dbus_connection_close_sync (peer, NULL, NULL);
  drain (f->context);
  g_clear_object (&client);
  g_clear_object (&peer);
  g_test_dbus_down (bus);
}

/* --- a socket peer that resets the connection ------------------------------- */

static void
goodbye_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  GTask *task = data;
  GError *error = NULL;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
send_quit_cleanup (AtexitLoopFinalizer *self,
                   GTask               *task,
                   gpointer             data)
{
  GIOStream *stream = data;
  static const char quit[] = "QUIT\r\n";

  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), quit, sizeof quit - 1,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   goodbye_written_cb, task);
}

static gboolean
readable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  gboolean *reset = data;

  *reset = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_socket_peer_resets (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) near = NULL;
  g_autoptr(GSocketConnection) far = NULL;
  g_autoptr(GSource) source = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reset = FALSE;

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  near = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  far = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);

  /* The peer goes away abruptly: a zero linger turns its close into a reset. */
  {
    struct linger linger = { 1, 0 };
    int fd = g_socket_get_fd (g_socket_connection_get_socket (far));

    g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  }
  g_io_stream_close (G_IO_STREAM (far), NULL, &error);
  g_assert_no_error (error);

  /* Wait for the reset to arrive. */
  source = g_socket_create_source (g_socket_connection_get_socket (near),
                                   G_IO_IN | G_IO_ERR | G_IO_HUP, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (readable_cb), &reset, NULL);
  g_source_attach (source, f->context);
  WAIT_FOR (f->context, reset);

  atexit_loop_finalizer_set_timeout (f->finalizer, ATEXIT_DEFAULT_TIMEOUT);
  atexit_loop_finalizer_add_async_full (f->finalizer, "send QUIT", G_PRIORITY_DEFAULT,
                                  send_quit_cleanup, g_object_ref (near), g_object_unref);
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_FAILED, "send QUIT");
  g_assert_cmpuint (rel_log_count_naming ("reset") + rel_log_count_naming ("Broken pipe"), ==, 0);
}

/* --- a cleanup that blocks its thread --------------------------------------- */

static void
blocking_cleanup (gpointer data)
{
  /* The fault being injected: this thread does not come back for three deadlines. */
  g_usleep (3 * DEADLINE_MS * 1000);
}

static gboolean
idle_return_cb (gpointer data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
prompt_cleanup (AtexitLoopFinalizer *self,
                GTask               *task,
                gpointer             data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, idle_return_cb, task, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

static void
count_ran (gpointer data)
{
  (*(int *) data)++;
}

static void
test_blocking_sync_cleanup (Fixture       *f,
                            gconstpointer  data)
{
  int later_ran = 0;
  gint64 start;

  /* Registered first, started last (LIFO): it starts only once the blocker has
   * returned, when the group's deadline has already passed. */
  atexit_loop_finalizer_add_async_full (f->finalizer, "prompt", 0, prompt_cleanup, NULL, NULL);
  atexit_loop_finalizer_add_full (f->finalizer, "blocker", 0, blocking_cleanup, NULL, NULL);
  atexit_loop_finalizer_add_full (f->finalizer, "later", 10, count_ran, &later_ran, NULL);

  start = g_get_monotonic_time ();
  /* Nothing can take the thread back from a blocked cleanup: the run only regains
   * control when it returns. It is the one named late, with how long it ran; the
   * prompt cleanup after it gets a deadline counted from its own start, and the next
   * group still runs. */
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT, "blocker");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3 * DEADLINE_MS * 1000);
  g_assert_cmpuint (rel_log_count_naming ("“prompt”"), ==, 0);
  g_assert_cmpint (later_ran, ==, 1);
}

typedef struct {
  int      done;  /* atomic */
  gboolean released;
} Blocker;

static void
block_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  Blocker *b = data;

  g_usleep (3 * DEADLINE_MS * 1000);
  g_atomic_int_set (&b->done, 1);
  g_task_return_boolean (task, TRUE);
}

static void
blocker_released (gpointer data)
{
  Blocker *b = data;

  b->released = TRUE;
}

static void
offloaded_cleanup (AtexitLoopFinalizer *self,
                   GTask               *task,
                   gpointer             data)
{
  /* The blocking work runs in a worker thread, holding the cleanup's task. */
  g_task_set_task_data (task, data, NULL);
  g_task_run_in_thread (task, block_in_thread);
  g_object_unref (task);
}

static void
test_blocking_work_offloaded (Fixture       *f,
                              gconstpointer  data)
{
  Blocker b = { 0, FALSE };

  atexit_loop_finalizer_add_async_full (f->finalizer, "offloaded", 0, offloaded_cleanup, &b,
                                  blocker_released);
  /* The run stops waiting at the deadline, while the worker is still blocked. */
  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT, "offloaded");
  g_assert_cmpint (g_atomic_int_get (&b.done), ==, 0);
  g_assert_false (b.released);

  /* The data is released once the worker lets go of the task. */
  WAIT_FOR (f->context, b.released);
  g_assert_cmpint (g_atomic_int_get (&b.done), ==, 1);
}

/* --- a group's deadline passes while a cleanup iterates the context --------- */

typedef struct {
  GMainContext *context;
  GCancellable *hang_cancellable;
  int           last_ran;
} Nested;

static void
hang_cleanup (AtexitLoopFinalizer *self,
              GTask               *task,
              gpointer             data)
{
  Nested *n = data;

  n->hang_cancellable = g_object_ref (g_task_get_cancellable (task));
  /* Holds the task until the deadline cancels it. */
  g_signal_connect_swapped (n->hang_cancellable, "cancelled", G_CALLBACK (g_object_unref), task);
}

static void
nested_iteration_cleanup (gpointer data)
{
  Nested *n = data;

  /* Iterates the context from inside the run until the group's deadline has passed,
   * and then some more, as a cleanup that runs a nested loop would. */
  while (!g_cancellable_is_cancelled (n->hang_cancellable))
    g_main_context_iteration (n->context, TRUE);
  while (g_main_context_iteration (n->context, FALSE))
    ;
}

static void
last_cleanup (gpointer data)
{
  Nested *n = data;

  n->last_ran++;
}

static void
test_deadline_during_nested_iteration (Fixture       *f,
                                       gconstpointer  data)
{
  Nested n = { f->context, NULL, 0 };

  /* One group, started last registered first: the hanging one, then the one that
   * iterates the context past the deadline, then one not started yet by then. */
  atexit_loop_finalizer_add_full (f->finalizer, "last", 0, last_cleanup, &n, NULL);
  atexit_loop_finalizer_add_full (f->finalizer, "nested", 0, nested_iteration_cleanup,
                                       &n, NULL);
  atexit_loop_finalizer_add_async_full (f->finalizer, "hang", 0, hang_cleanup, &n, NULL);

  assert_run_fails (f, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT, "hang");
  /* The one the deadline overtook still ran, once, and the run is over. */
  g_assert_cmpint (n.last_ran, ==, 1);
  g_assert_false (atexit_loop_finalizer_get_running (f->finalizer));
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (f->finalizer), ==, 0);
  g_clear_object (&n.hang_cancellable);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rel_log_init ();

#define ADD(path, func) \
  g_test_add ("/atexit/reliability/faults/" path, Fixture, NULL, \
              faults_set_up, func, fixture_tear_down_threaded_io)
  ADD ("close-fails", test_close_fails);
  ADD ("child-ignores-sigterm", test_child_ignores_sigterm);
  ADD ("dbus-peer-never-answers", test_dbus_peer_never_answers);
  ADD ("socket-peer-resets", test_socket_peer_resets);
  ADD ("blocking-sync-cleanup", test_blocking_sync_cleanup);
  ADD ("blocking-work-offloaded", test_blocking_work_offloaded);
  ADD ("deadline-during-nested-iteration", test_deadline_during_nested_iteration);
#undef ADD

  return g_test_run ();
}
