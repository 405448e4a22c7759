/* demo.c: library code that cleans up before the main loop quits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first half of this file plays a library: start_worker(), connect_to_server(),
 * open_journal() and start_upload() never see the main loop. Each one registers how
 * its resource is closed with the finalizer of the default main context.
 *
 * The second half plays the program that owns the loop. It runs a small TCP server
 * for the library to talk to, runs the loop, and shuts down through the finalizer:
 * every cleanup runs, asynchronous ones included, before the loop quits. Then it
 * prints a report and checks that every resource was really closed.
 */

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <atexit-glib.h>

#define JOURNAL_TICK_MS  20
#define SLOW_TIMEOUT_MS 300
#define GIVE_UP_MS      100

/* ------------------------------------------------------------------------- */
/* Library: a worker process that must be told to stop, then waited for       */
/* ------------------------------------------------------------------------- */

/* Ignores Ctrl+C (its owner decides when it stops) and says goodbye on SIGTERM. */
#define WORKER_SCRIPT \
  "trap '' INT\n" \
  "trap 'kill $! 2>/dev/null; echo \"worker: bye\"; exit 0' TERM\n" \
  "echo \"worker: started\"\n" \
  "sleep 3600 & wait\n"

typedef struct {
  GSubprocess *process;
  gboolean     reaped;
} Worker;

static void
worker_clear (gpointer data)
{
  Worker *worker = data;

  g_clear_object (&worker->process);
}

static gpointer
worker_ref (Worker *worker)
{
  return g_rc_box_acquire (worker);
}

static void
worker_unref (gpointer data)
{
  g_rc_box_release_full (data, worker_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Worker, worker_unref)

static void
worker_waited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Worker *worker = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    {
      /* The deadline passed: stop asking nicely. */
      g_subprocess_force_exit (worker->process);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  worker->reaped = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
worker_stop (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  Worker *worker = user_data;

  g_task_set_task_data (task, worker_ref (worker), worker_unref);
  g_subprocess_send_signal (worker->process, SIGTERM);
  g_subprocess_wait_async (worker->process, g_task_get_cancellable (task),
                           worker_waited_cb, task);
}

static Worker *
start_worker (GError **error)
{
  g_autoptr(Worker) worker = g_rc_box_new0 (Worker);

  worker->process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, error,
                                      "sh", "-c", WORKER_SCRIPT, NULL);
  if (worker->process == NULL)
    return NULL;

  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (),
                                  "worker process", G_PRIORITY_DEFAULT,
                                  worker_stop, worker_ref (worker), worker_unref);

  return g_steal_pointer (&worker);
}

/* ------------------------------------------------------------------------- */
/* Library: a connection that says goodbye and waits for the answer            */
/* ------------------------------------------------------------------------- */

typedef struct {
  GSocketConnection *connection;
  GDataInputStream  *input;
  gboolean           got_ack;
  gboolean           closed;
} Client;

static void
client_clear (gpointer data)
{
  Client *client = data;

  g_clear_object (&client->input);
  g_clear_object (&client->connection);
}

static gpointer
client_ref (Client *client)
{
  return g_rc_box_acquire (client);
}

static void
client_unref (gpointer data)
{
  g_rc_box_release_full (data, client_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_unref)

/* Gives up on a polite goodbye: closing a socket does not block. */
static void
client_fail (GTask  *task,
             GError *error)
{
  Client *client = g_task_get_task_data (task);

  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
client_closed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Client *client = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  client->closed = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
client_ack_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Client *client = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (client->input, result, NULL, &error);
  if (line == NULL && error == NULL)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                 "the server hung up without an answer");
  else if (line != NULL && strcmp (line, "ACK BYE") != 0)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "unexpected answer “%s”", line);
  if (error != NULL)
    {
      client_fail (task, g_steal_pointer (&error));
      return;
    }

  client->got_ack = TRUE;
  g_io_stream_close_async (G_IO_STREAM (client->connection), G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), client_closed_cb, task);
}

static void
client_bye_sent_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Client *client = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      client_fail (task, error);
      return;
    }

  g_data_input_stream_read_line_async (client->input, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task), client_ack_cb, task);
}

static void
client_say_goodbye (AtexitLoopFinalizer *finalizer,
                    GTask               *task,
                    gpointer             user_data)
{
  Client *client = user_data;
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));

  g_task_set_task_data (task, client_ref (client), client_unref);
  g_output_stream_write_all_async (output, "BYE\n", 4, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), client_bye_sent_cb, task);
}

static Client *
connect_to_server (guint16   port,
                   GError  **error)
{
  g_autoptr(Client) client = g_rc_box_new0 (Client);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  GOutputStream *output;
  GInputStream *input;

  /* Loopback only: no proxy, no resolver. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  client->connection = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address),
                                                NULL, error);
  if (client->connection == NULL)
    return NULL;

  output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));
  if (!g_output_stream_write_all (output, "HELLO\n", 6, NULL, NULL, error))
    return NULL;

  input = g_io_stream_get_input_stream (G_IO_STREAM (client->connection));
  client->input = g_data_input_stream_new (input);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (client->input), FALSE);

  /* Before anything else shuts down, so the server still listens. */
  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (),
                                  "server connection", G_PRIORITY_HIGH,
                                  client_say_goodbye, client_ref (client), client_unref);

  return g_steal_pointer (&client);
}

/* ------------------------------------------------------------------------- */
/* Library: a journal written through a buffer that must be flushed            */
/* ------------------------------------------------------------------------- */

typedef struct {
  char          *dir;
  char          *path;
  GOutputStream *output;   /* buffered, over the file */
  GString       *written;  /* everything handed to @output */
  guint          n_entries;
  guint          tick_id;
  gboolean       closed;
  gboolean       removed;
} Journal;

static void
journal_clear (gpointer data)
{
  Journal *journal = data;

  g_clear_handle_id (&journal->tick_id, g_source_remove);
  g_clear_object (&journal->output);
  g_string_free (journal->written, TRUE);
  g_free (journal->path);
  g_free (journal->dir);
}

static gpointer
journal_ref (Journal *journal)
{
  return g_rc_box_acquire (journal);
}

static void
journal_unref (gpointer data)
{
  g_rc_box_release_full (data, journal_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Journal, journal_unref)

static void
journal_append (Journal    *journal,
                const char *what)
{
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  line = g_strdup_printf ("%u %s\n", ++journal->n_entries, what);
  /* Lands in the buffer; nothing reaches the disk before the stream is flushed. */
  if (!g_output_stream_write_all (journal->output, line, strlen (line), NULL, NULL, &error))
    {
      g_warning ("Could not write to the journal: %s", error->message);
      return;
    }
  g_string_append (journal->written, line);
}

static gboolean
journal_tick_cb (gpointer user_data)
{
  journal_append (user_data, "tick");
  return G_SOURCE_CONTINUE;
}

static void
journal_closed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Journal *journal = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  journal->closed = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
journal_close (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  Journal *journal = user_data;

  g_clear_handle_id (&journal->tick_id, g_source_remove);
  journal_append (journal, "closed");

  g_task_set_task_data (task, journal_ref (journal), journal_unref);
  /* Closing a buffered stream flushes it, then closes the file. */
  g_output_stream_close_async (journal->output, G_PRIORITY_DEFAULT,
                               g_task_get_cancellable (task), journal_closed_cb, task);
}

static void
journal_remove_dir (gpointer user_data)
{
  Journal *journal = user_data;

  if (g_unlink (journal->path) != 0 && errno != ENOENT)
    g_warning ("Could not remove %s: %s", journal->path, g_strerror (errno));
  if (g_rmdir (journal->dir) != 0)
    g_warning ("Could not remove %s: %s", journal->dir, g_strerror (errno));
  else
    journal->removed = TRUE;
}

static Journal *
open_journal (GError **error)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(Journal) journal = g_rc_box_new0 (Journal);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) file_output = NULL;

  journal->written = g_string_new (NULL);
  journal->dir = g_dir_make_tmp ("atexit-demo-XXXXXX", error);
  if (journal->dir == NULL)
    return NULL;
  journal->path = g_build_filename (journal->dir, "journal.txt", NULL);

  /* The temporary directory goes last, after every other group. */
  atexit_loop_finalizer_add_full (finalizer, "temp dir", G_PRIORITY_LOW,
                                       journal_remove_dir, journal_ref (journal), journal_unref);

  file = g_file_new_for_path (journal->path);
  file_output = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (file_output == NULL)
    return NULL;
  journal->output = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (file_output), 64 * 1024);

  journal_append (journal, "opened");
  journal->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, JOURNAL_TICK_MS, journal_tick_cb,
                                         journal_ref (journal), journal_unref);

  atexit_loop_finalizer_add_async_full (finalizer, "journal", G_PRIORITY_DEFAULT,
                                  journal_close, journal_ref (journal), journal_unref);

  return g_steal_pointer (&journal);
}

/* ------------------------------------------------------------------------- */
/* Library: an upload to a peer that stopped answering (--slow)                */
/* ------------------------------------------------------------------------- */

static gboolean
upload_give_up_cb (gpointer user_data)
{
  g_task_return_new_error (user_data, G_IO_ERROR, G_IO_ERROR_CANCELLED, "upload abandoned");
  return G_SOURCE_REMOVE;
}

static gboolean
upload_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  /* Like a real peer that stopped answering, giving up takes a while. */
  g_timeout_add_full (G_PRIORITY_DEFAULT, GIVE_UP_MS, upload_give_up_cb,
                      g_object_ref (user_data), g_object_unref);
  return G_SOURCE_REMOVE;
}

static void
upload_finish (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  g_autoptr(GSource) source = g_cancellable_source_new (g_task_get_cancellable (task));

  /* It never completes on its own: only cancellation ends it. */
  g_source_set_callback (source, G_SOURCE_FUNC (upload_cancelled_cb), task, g_object_unref);
  g_source_attach (source, atexit_loop_finalizer_get_context (finalizer));
}

static void
start_upload (void)
{
  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (),
                                  "cache upload", G_PRIORITY_DEFAULT,
                                  upload_finish, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* The program: a server on 127.0.0.1 for the library to talk to               */
/* ------------------------------------------------------------------------- */

typedef struct {
  GSocketService *service;
  GCancellable   *cancellable;  /* the peers' reads */
  GPtrArray      *peers;
  GTask          *stop_task;
  GSource        *stop_cancelled;
  guint16         port;
  gboolean        saw_bye;
  gboolean        sent_ack;
  gboolean        stopped;
} Server;

typedef struct {
  Server            *server;
  GSocketConnection *connection;
  GDataInputStream  *input;
} Peer;

static void
source_destroy (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

static void
server_check_stopped (Server *server)
{
  g_autoptr(GTask) task = NULL;

  if (server->stop_task == NULL || server->peers->len > 0)
    return;

  task = g_steal_pointer (&server->stop_task);
  g_clear_pointer (&server->stop_cancelled, source_destroy);
  server->stopped = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  g_io_stream_close (G_IO_STREAM (peer->connection), NULL, NULL);
  g_clear_object (&peer->input);
  g_clear_object (&peer->connection);
  g_free (peer);
}

static void
peer_done (Peer *peer)
{
  Server *server = peer->server;

  g_ptr_array_remove_fast (server->peers, peer);
  server_check_stopped (server);
}

static void peer_read_line (Peer *peer);

static void
peer_ack_sent_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Peer *peer = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      peer_done (peer);
      return;
    }

  peer->server->sent_ack = TRUE;
  peer_read_line (peer);
}

static void
peer_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;
  g_autofree char *line = NULL;
  GOutputStream *output;

  line = g_data_input_stream_read_line_finish_utf8 (peer->input, result, NULL, NULL);
  if (line == NULL)
    {
      /* The client hung up, or the server is stopping. */
      peer_done (peer);
      return;
    }

  if (strcmp (line, "BYE") != 0)
    {
      peer_read_line (peer);
      return;
    }

  g_print ("server: got BYE, answering ACK BYE\n");
  peer->server->saw_bye = TRUE;
  output = g_io_stream_get_output_stream (G_IO_STREAM (peer->connection));
  g_output_stream_write_all_async (output, "ACK BYE\n", 8, G_PRIORITY_DEFAULT,
                                   peer->server->cancellable, peer_ack_sent_cb, peer);
}

static void
peer_read_line (Peer *peer)
{
  g_data_input_stream_read_line_async (peer->input, G_PRIORITY_DEFAULT,
                                       peer->server->cancellable, peer_line_cb, peer);
}

static gboolean
server_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source_object,
                    gpointer           user_data)
{
  Server *server = user_data;
  Peer *peer = g_new0 (Peer, 1);

  peer->server = server;
  peer->connection = g_object_ref (connection);
  peer->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (peer->input), FALSE);
  g_ptr_array_add (server->peers, peer);
  peer_read_line (peer);

  return TRUE;
}

static gboolean
server_stop_cancelled_cb (GCancellable *cancellable,
                          gpointer      user_data)
{
  Server *server = user_data;

  /* Past the deadline: stop waiting for the clients to hang up. */
  g_cancellable_cancel (server->cancellable);
  return G_SOURCE_REMOVE;
}

static void
server_stop (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  Server *server = user_data;

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));

  /* Done once every client has hung up. */
  server->stop_task = task;
  server->stop_cancelled = g_cancellable_source_new (g_task_get_cancellable (task));
  g_source_set_callback (server->stop_cancelled, G_SOURCE_FUNC (server_stop_cancelled_cb),
                         server, NULL);
  g_source_attach (server->stop_cancelled, atexit_loop_finalizer_get_context (finalizer));
  server_check_stopped (server);
}

static void
server_free (Server *server)
{
  g_cancellable_cancel (server->cancellable);
  g_clear_pointer (&server->stop_cancelled, source_destroy);
  g_clear_object (&server->stop_task);
  if (server->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (server->service, server);
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
    }
  g_clear_object (&server->service);
  g_clear_pointer (&server->peers, g_ptr_array_unref);
  g_clear_object (&server->cancellable);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static Server *
server_new (GError **error)
{
  g_autoptr(Server) server = g_new0 (Server, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  server->cancellable = g_cancellable_new ();
  server->peers = g_ptr_array_new_with_free_func (peer_free);
  server->service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &bound, error))
    return NULL;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "incoming", G_CALLBACK (server_incoming_cb), server);
  g_socket_service_start (server->service);

  /* The program registers its own cleanups too: after its clients said goodbye. */
  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (),
                                  "local server", G_PRIORITY_DEFAULT_IDLE,
                                  server_stop, server, NULL);

  return g_steal_pointer (&server);
}

/* ------------------------------------------------------------------------- */
/* The program: owns the loop, shuts down, reports                            */
/* ------------------------------------------------------------------------- */

typedef struct {
  char    *name;
  int      priority;
  gint64   duration_us;
  GError  *error;
} ReportRow;

typedef struct {
  GMainLoop           *loop;
  AtexitLoopFinalizer *finalizer;
  GCancellable        *cancellable;
  GArray              *report;
  GError              *run_error;
  Journal             *journal;
  char                *journal_problem;
  gsize                journal_on_disk;
  gboolean             journal_checked;
  guint                quit_id;
  gboolean             shutting_down;
  gboolean             run_ended;
} Demo;

static void
report_row_clear (gpointer data)
{
  ReportRow *row = data;

  g_free (row->name);
  g_clear_error (&row->error);
}

static void
cleanup_finished_cb (AtexitLoopFinalizer *finalizer,
                     const char          *name,
                     int                  priority,
                     gint64               duration_us,
                     const GError        *error,
                     gpointer             user_data)
{
  Demo *demo = user_data;
  ReportRow row = { g_strdup (name), priority, duration_us, NULL };

  if (error != NULL)
    row.error = g_error_copy (error);
  g_array_append_val (demo->report, row);
}

/* The program's own check, between the journal's close and the temp dir's removal. */
static void
check_journal (gpointer user_data)
{
  Demo *demo = user_data;
  Journal *journal = demo->journal;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (journal->path, &contents, &length, &error))
    demo->journal_problem = g_strdup (error->message);
  else if (length != journal->written->len || memcmp (contents, journal->written->str, length) != 0)
    demo->journal_problem = g_strdup_printf ("the file holds %" G_GSIZE_FORMAT " of %"
                                             G_GSIZE_FORMAT " bytes written",
                                             length, journal->written->len);
  demo->journal_on_disk = length;
  demo->journal_checked = TRUE;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Demo *demo = user_data;

  atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &demo->run_error);
  demo->run_ended = TRUE;
  g_main_loop_quit (demo->loop);
}

static void
shut_down (Demo       *demo,
           const char *why)
{
  if (demo->shutting_down)
    {
      g_print ("%s again: cancelling the shutdown\n", why);
      g_cancellable_cancel (demo->cancellable);
      return;
    }

  g_print ("%s: shutting down\n", why);
  demo->shutting_down = TRUE;
  /* Instead of g_main_loop_quit(): the loop keeps running until every cleanup has
   * ended, and the callback gets the run's error for the report. */
  atexit_loop_finalizer_run_async (demo->finalizer, demo->cancellable, run_done_cb, demo);
}

static gboolean
quit_after_cb (gpointer user_data)
{
  Demo *demo = user_data;

  demo->quit_id = 0;
  shut_down (demo, "Time is up");
  return G_SOURCE_REMOVE;
}

static gboolean
sigint_cb (gpointer user_data)
{
  shut_down (user_data, "SIGINT");
  return G_SOURCE_CONTINUE;
}

static gboolean
sigterm_cb (gpointer user_data)
{
  shut_down (user_data, "SIGTERM");
  return G_SOURCE_CONTINUE;
}

static void
print_report (Demo *demo)
{
  g_print ("\nShutdown report\n");
  g_print ("  %-18s %8s %11s  %s\n", "cleanup", "priority", "duration", "result");
  for (guint i = 0; i < demo->report->len; i++)
    {
      ReportRow *row = &g_array_index (demo->report, ReportRow, i);
      g_autofree char *result = NULL;

      if (row->error == NULL)
        result = g_strdup ("ok");
      else if (g_error_matches (row->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        result = g_strdup_printf ("TIMED OUT: %s", row->error->message);
      else
        result = g_strdup_printf ("FAILED: %s", row->error->message);

      g_print ("  %-18s %8d %8.1f ms  %s\n",
               row->name, row->priority, row->duration_us / 1000., result);
    }

  if (demo->run_error != NULL)
    g_print ("Run error: %s\n", demo->run_error->message);
  else if (demo->run_ended)
    g_print ("Run: every cleanup succeeded\n");
}

static gboolean
check (gboolean    ok,
       const char *what)
{
  g_print ("  %-4s %s\n", ok ? "ok" : "FAIL", what);
  return ok;
}

static gboolean
print_checks (Demo    *demo,
              Worker  *worker,
              Client  *client,
              Server  *server,
              gboolean slow)
{
  g_autofree char *worker_what = NULL;
  g_autofree char *journal_what = NULL;
  gboolean worker_ok = FALSE;
  gboolean run_ok;
  gboolean ok = TRUE;

  g_print ("\nChecks\n");

  if (!worker->reaped)
    worker_what = g_strdup ("worker process: still running or not reaped");
  else if (g_subprocess_get_if_exited (worker->process))
    {
      worker_ok = g_subprocess_get_exit_status (worker->process) == 0;
      worker_what = g_strdup_printf ("worker process: stopped and reaped, exit status %d",
                                     g_subprocess_get_exit_status (worker->process));
    }
  else if (g_subprocess_get_if_signaled (worker->process))
    {
      worker_ok = g_subprocess_get_term_sig (worker->process) == SIGTERM;
      worker_what = g_strdup_printf ("worker process: stopped and reaped, killed by signal %d",
                                     g_subprocess_get_term_sig (worker->process));
    }
  ok &= check (worker_ok, worker_what);

  ok &= check (server->saw_bye && server->sent_ack && client->got_ack && client->closed,
               "server connection: the server got BYE, the client got ACK BYE and closed");
  ok &= check (server->stopped, "local server: stopped, every client hung up");

  if (!demo->journal_checked)
    journal_what = g_strdup ("journal: not checked, the run ended before");
  else if (demo->journal_problem != NULL)
    journal_what = g_strdup_printf ("journal: %s", demo->journal_problem);
  else
    journal_what = g_strdup_printf ("journal: all %u entries (%" G_GSIZE_FORMAT " bytes) on disk",
                                    demo->journal->n_entries, demo->journal_on_disk);
  ok &= check (demo->journal->closed && demo->journal_checked &&
               demo->journal_problem == NULL, journal_what);
  ok &= check (demo->journal->removed &&
               !g_file_test (demo->journal->dir, G_FILE_TEST_EXISTS),
               "temp dir: removed");

  ok &= check (demo->run_ended &&
               !atexit_loop_finalizer_get_running (demo->finalizer) &&
               atexit_loop_finalizer_get_pending (demo->finalizer) == 0,
               "finalizer: the run ended, nothing left pending");
  if (slow)
    run_ok = g_error_matches (demo->run_error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT) &&
             strstr (demo->run_error->message, "cache upload") != NULL;
  else
    run_ok = demo->run_error == NULL;
  ok &= check (run_ok, slow ? "run error: names the cache upload as timed out"
                            : "run error: none");

  return ok;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Server) server = NULL;
  g_autoptr(Worker) worker = NULL;
  g_autoptr(Client) client = NULL;
  g_autoptr(Journal) journal = NULL;
  Demo demo = { NULL };
  int quit_after = 1000;
  gboolean slow = FALSE;
  guint sigint_id, sigterm_id;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "quit-after", 'q', 0, G_OPTION_ARG_INT, &quit_after,
      "Start the shutdown after MS milliseconds (default: 1000)", "MS" },
    { "slow", 's', 0, G_OPTION_ARG_NONE, &slow,
      "Add a cleanup that overruns a " G_STRINGIFY (SLOW_TIMEOUT_MS) " ms deadline", NULL },
    G_OPTION_ENTRY_NULL
  };

  setlocale (LC_ALL, "");

  options = g_option_context_new (NULL);
  g_option_context_set_summary (options,
                                "Library code registers cleanups for a child process, a TCP "
                                "connection and a\nbuffered file; the program shuts down "
                                "through the finalizer and checks\nthat each was closed.");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quit_after < 0)
    {
      g_printerr ("--quit-after must not be negative\n");
      return 2;
    }

  demo.loop = g_main_loop_new (NULL, FALSE);
  demo.finalizer = atexit_loop_finalizer_get_default ();
  demo.cancellable = g_cancellable_new ();
  demo.report = g_array_new (FALSE, TRUE, sizeof (ReportRow));
  g_array_set_clear_func (demo.report, report_row_clear);
  g_signal_connect (demo.finalizer, "cleanup-finished", G_CALLBACK (cleanup_finished_cb), &demo);
  if (slow)
    atexit_loop_finalizer_set_timeout (demo.finalizer, SLOW_TIMEOUT_MS);

  /* Set-up. What succeeded has registered its cleanup, so a failure still cleans up. */
  if ((server = server_new (&error)) == NULL ||
      (worker = start_worker (&error)) == NULL ||
      (client = connect_to_server (server->port, &error)) == NULL ||
      (journal = open_journal (&error)) == NULL)
    {
      g_printerr ("Set-up failed: %s\n", error->message);
      atexit_loop_finalizer_run (demo.finalizer, NULL, NULL);
      g_signal_handlers_disconnect_by_data (demo.finalizer, &demo);
      g_clear_pointer (&demo.report, g_array_unref);
      g_clear_object (&demo.cancellable);
      g_clear_pointer (&demo.loop, g_main_loop_unref);
      return 1;
    }
  if (slow)
    start_upload ();
  demo.journal = journal;
  atexit_loop_finalizer_add_full (demo.finalizer, "check journal", G_PRIORITY_DEFAULT_IDLE,
                                       check_journal, &demo, NULL);

  g_print ("Worker: pid %s\n", g_subprocess_get_identifier (worker->process));
  g_print ("Server: 127.0.0.1:%u, client connected\n", server->port);
  g_print ("Journal: %s\n", journal->path);
  g_print ("Running; shutting down in %d ms (or on Ctrl+C); %u cleanups registered, "
           "group deadline %u ms\n",
           quit_after, atexit_loop_finalizer_get_pending (demo.finalizer),
           atexit_loop_finalizer_get_timeout (demo.finalizer));

  demo.quit_id = g_timeout_add (quit_after, quit_after_cb, &demo);
  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &demo);
  sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &demo);

  g_main_loop_run (demo.loop);

  g_clear_handle_id (&demo.quit_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (demo.finalizer, &demo);

  print_report (&demo);
  ok = print_checks (&demo, worker, client, server, slow);
  g_print ("%s\n", ok ? "Every resource was closed." : "Some resources were not closed.");

  g_clear_pointer (&demo.report, g_array_unref);
  g_clear_error (&demo.run_error);
  g_clear_pointer (&demo.journal_problem, g_free);
  g_clear_object (&demo.cancellable);
  g_clear_pointer (&demo.loop, g_main_loop_unref);

  return ok ? 0 : 1;
}
