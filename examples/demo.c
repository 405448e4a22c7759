/* demo.c: library code that cleans up before the main loop quits
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The first half of this file plays a library: start_worker(), connect_to_server(),
 * open_journal() and start_upload() never see the main loop. Each one tells the
 * finalizer of the default main context how its resource is closed: a child process
 * and a buffered file are handed to atexit_loop_finalizer_add_object(), which stops
 * or flushes them the way their type needs (and, like Python's ResourceWarning, says
 * that nobody else closed them); the goodbye to a server is a cleanup of its own.
 *
 * The second half plays the program that owns the loop. It runs a small TCP server
 * (demo-server.c) for the library to talk to, quits through the finalizer after a
 * timeout or on SIGINT, SIGTERM or SIGHUP: every cleanup runs, asynchronous ones
 * included, before the loop quits. Then it prints a report of each cleanup, from
 * ::cleanup-finished, and checks that every resource was really closed.
 */

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include <atexit-glib.h>

#include "demo-server.h"

#define WORKER_TIMEOUT_MS 2000  /* then the worker is killed */
#define UPLOAD_TIMEOUT_MS  300  /* --slow: the upload's deadline, which it overruns */

/* ------------------------------------------------------------------------- */
/* Library: a worker process, stopped and waited for at shutdown              */
/* ------------------------------------------------------------------------- */

/* Ignores Ctrl+C (its owner decides when it stops) and says goodbye on SIGTERM. Its
 * sleep holds none of the demo's output open, should the worker be killed instead. */
#define WORKER_SCRIPT \
  "trap '' INT\n" \
  "trap 'kill $! 2>/dev/null; echo \"worker: bye\"; exit 0' TERM\n" \
  "echo \"worker: started\"\n" \
  "sleep 3600 </dev/null >/dev/null 2>&1 & wait\n"

static GSubprocess *
start_worker (GError **error)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GSubprocess) worker = NULL;
  guint id;

  worker = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, error, "sh", "-c", WORKER_SCRIPT, NULL);
  if (worker == NULL)
    return NULL;

  /* SIGTERM, then a wait; SIGKILL if it has not ended by its deadline. */
  id = atexit_loop_finalizer_add_object (finalizer, G_OBJECT (worker));
  atexit_loop_finalizer_set_cleanup_timeout (finalizer, id, WORKER_TIMEOUT_MS);

  return g_steal_pointer (&worker);
}

/* ------------------------------------------------------------------------- */
/* Library: a connection that says goodbye and waits for the answer            */
/* ------------------------------------------------------------------------- */

/* Gives up on a polite goodbye: closing a socket does not block. */
static void
goodbye_fail (GTask  *task,
              GError *error)
{
  g_io_stream_close (g_task_get_task_data (task), NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
goodbye_closed_cb (GObject      *connection,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (connection), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
goodbye_answered_cb (GObject      *input,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (input), result,
                                                    NULL, &error);
  if (line == NULL && error == NULL)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                 "the server hung up without an answer");
  else if (line != NULL && strcmp (line, "ACK BYE") != 0)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unexpected answer “%s”", line);
  if (error != NULL)
    {
      goodbye_fail (task, error);
      return;
    }

  g_io_stream_close_async (g_task_get_task_data (task), G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), goodbye_closed_cb, task);
}

static void
goodbye_sent_cb (GObject      *output,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GIOStream *connection = g_task_get_task_data (task);
  g_autoptr(GDataInputStream) input = NULL;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (output), result, NULL, &error))
    {
      goodbye_fail (task, error);
      return;
    }

  input = g_data_input_stream_new (g_io_stream_get_input_stream (connection));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (input), FALSE);
  g_data_input_stream_read_line_async (input, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                       goodbye_answered_cb, task);
}

/* An asynchronous cleanup: it owns @task, and returns it once the goodbye is over. */
static void
say_goodbye (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             connection)
{
  GOutputStream *output = g_io_stream_get_output_stream (connection);

  /* The connection must outlive the goodbye, even one that overruns its deadline. */
  g_task_set_task_data (task, g_object_ref (connection), g_object_unref);
  g_output_stream_write_all_async (output, "BYE\n", 4, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), goodbye_sent_cb, task);
}

static GSocketConnection *
connect_to_server (guint16   port,
                   GError  **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_autoptr(GSocketConnection) connection = NULL;

  /* Loopback only: no proxy, no resolver. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (connection == NULL)
    return NULL;

  /* In the first group, so that the server still listens. */
  atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (),
                                        "server connection", G_PRIORITY_HIGH,
                                        say_goodbye, g_object_ref (connection), g_object_unref);

  return g_steal_pointer (&connection);
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

static void
journal_closure_notify (gpointer  data,
                        GClosure *closure)
{
  journal_unref (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Journal, journal_unref)

static void
journal_append (Journal    *journal,
                const char *what)
{
  g_autofree char *line = g_strdup_printf ("%u %s\n", ++journal->n_entries, what);
  g_autoptr(GError) error = NULL;

  /* Lands in the buffer; nothing reaches the disk before the stream is flushed. */
  if (!g_output_stream_write_all (journal->output, line, strlen (line), NULL, NULL, &error))
    g_warning ("Could not write to the journal: %s", error->message);
  else
    g_string_append (journal->written, line);
}

static gboolean
journal_tick_cb (gpointer journal)
{
  journal_append (journal, "tick");
  return G_SOURCE_CONTINUE;
}

/* The shutdown starts: no more entries, the stream is about to be closed. */
static void
journal_about_to_close_cb (AtexitLoopFinalizer *finalizer,
                           gpointer             user_data)
{
  Journal *journal = user_data;

  g_clear_handle_id (&journal->tick_id, g_source_remove);
  journal_append (journal, "closing");
  g_signal_handlers_disconnect_by_func (finalizer, journal_about_to_close_cb, journal);
}

static void
journal_remove_dir (gpointer user_data)
{
  Journal *journal = user_data;

  g_unlink (journal->path);
  journal->removed = g_rmdir (journal->dir) == 0;
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
  journal->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 20, journal_tick_cb,
                                         journal_ref (journal), journal_unref);
  g_signal_connect_data (finalizer, "about-to-close", G_CALLBACK (journal_about_to_close_cb),
                         journal_ref (journal), journal_closure_notify, 0);

  /* Closing a buffered stream flushes it, then closes the file. */
  atexit_loop_finalizer_add_object (finalizer, G_OBJECT (journal->output));

  return g_steal_pointer (&journal);
}

/* ------------------------------------------------------------------------- */
/* Library: an upload to a peer that stopped answering (--slow)                */
/* ------------------------------------------------------------------------- */

static gboolean
upload_acknowledged (gpointer user_data)
{
  return FALSE;  /* the peer never answers */
}

static void
upload_finish (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  /* Returns the task once the peer acknowledges, or at its deadline, cancelled. */
  atexit_task_return_when (task, upload_acknowledged, NULL, NULL);
}

static void
start_upload (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  guint id;

  id = atexit_loop_finalizer_add_async_full (finalizer, "cache upload", G_PRIORITY_DEFAULT,
                                             upload_finish, NULL, NULL);
  atexit_loop_finalizer_set_cleanup_timeout (finalizer, id, UPLOAD_TIMEOUT_MS);
}

/* ------------------------------------------------------------------------- */
/* The program: owns the loop and the server, shuts down, reports             */
/* ------------------------------------------------------------------------- */

typedef struct {
  char   *name;
  int     priority;
  gint64  duration_us;
  GError *error;
} ReportRow;

typedef struct {
  GArray     *report;
  Journal    *journal;
  DemoServer *server;
  char       *journal_problem;  /* (nullable): what the check found wrong */
  gboolean    journal_checked;
} Demo;

static void
report_row_clear (gpointer data)
{
  ReportRow *row = data;

  g_free (row->name);
  g_clear_error (&row->error);
}

static void
about_to_close_cb (AtexitLoopFinalizer *finalizer,
                   gpointer             user_data)
{
  int signum = atexit_loop_finalizer_get_unix_signal (finalizer);

  if (signum != 0)
    g_print ("Signal %d (%s): shutting down\n", signum, g_strsignal (signum));
  else
    g_print ("Time is up: shutting down\n");
}

static void
cleanup_finished_cb (AtexitLoopFinalizer *finalizer,
                     guint                id,
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

/* The program's own cleanup: once the clients have hung up, the server has stopped. */
static gboolean
server_has_no_clients (gpointer server)
{
  return demo_server_get_n_clients (server) == 0;
}

static void
stop_server (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             server)
{
  demo_server_stop (server);
  atexit_task_return_when (task, server_has_no_clients, server, NULL);
}

/* And another, between the journal's close and the temp dir's removal. */
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
  demo->journal_checked = TRUE;
}

static gboolean
quit_cb (gpointer loop)
{
  /* Instead of g_main_loop_quit (): the loop quits once every cleanup has ended. */
  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
  return G_SOURCE_REMOVE;
}

static void
print_report (Demo *demo)
{
  g_print ("\nShutdown report\n");
  g_print ("  %-22s %8s %11s  %s\n", "cleanup", "priority", "duration", "result");
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

      g_print ("  %-22s %8d %8.1f ms  %s\n",
               row->name, row->priority, row->duration_us / 1000., result);
    }
}

static gboolean
check (gboolean    ok,
       const char *what)
{
  g_print ("  %-4s %s\n", ok ? "ok" : "FAIL", what);
  return ok;
}

/* Every cleanup succeeded, but with --slow the upload, which overran its own deadline. */
static gboolean
report_is_expected (Demo     *demo,
                    gboolean  slow)
{
  gboolean upload_timed_out = FALSE;

  for (guint i = 0; i < demo->report->len; i++)
    {
      ReportRow *row = &g_array_index (demo->report, ReportRow, i);

      if (g_strcmp0 (row->name, "cache upload") == 0 &&
          g_error_matches (row->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) &&
          strstr (row->error->message, " " G_STRINGIFY (UPLOAD_TIMEOUT_MS) " ms") != NULL)
        upload_timed_out = TRUE;
      else if (row->error != NULL)
        return FALSE;
    }

  return demo->report->len > 0 && upload_timed_out == slow;
}

static gboolean
print_checks (Demo              *demo,
              GSubprocess       *worker,
              GSocketConnection *connection,
              gboolean           slow)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autofree char *journal_what = NULL;
  gboolean ok = TRUE;

  g_print ("\nChecks\n");

  /* A child is reaped once its identifier is gone. */
  ok &= check (g_subprocess_get_identifier (worker) == NULL &&
               g_subprocess_get_if_exited (worker) && g_subprocess_get_exit_status (worker) == 0,
               "worker process: stopped by SIGTERM, reaped, exit status 0");
  ok &= check (demo_server_got_bye (demo->server) &&
               g_io_stream_is_closed (G_IO_STREAM (connection)),
               "server connection: the server got BYE and answered, the client closed");
  ok &= check (demo_server_get_n_clients (demo->server) == 0,
               "local server: stopped, every client hung up");

  if (!demo->journal_checked)
    journal_what = g_strdup ("journal: not checked, the run ended before");
  else if (demo->journal_problem != NULL)
    journal_what = g_strdup_printf ("journal: %s", demo->journal_problem);
  else
    journal_what = g_strdup_printf ("journal: flushed, all %u entries on disk",
                                    demo->journal->n_entries);
  ok &= check (g_output_stream_is_closed (demo->journal->output) && demo->journal_checked &&
               demo->journal_problem == NULL, journal_what);
  ok &= check (demo->journal->removed && !g_file_test (demo->journal->dir, G_FILE_TEST_EXISTS),
               "temp dir: removed");

  ok &= check (!atexit_loop_finalizer_get_running (finalizer) &&
               atexit_loop_finalizer_get_pending (finalizer) == 0,
               "finalizer: the run ended, nothing left pending");
  ok &= check (report_is_expected (demo, slow),
               slow ? "report: every cleanup succeeded but the cache upload, late at its deadline"
                    : "report: every cleanup succeeded");

  return ok;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(DemoServer) server = NULL;
  g_autoptr(GSubprocess) worker = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(Journal) journal = NULL;
  AtexitLoopFinalizer *finalizer;
  Demo demo = { NULL };
  int quit_after = 1000;
  gboolean slow = FALSE;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "quit-after", 'q', 0, G_OPTION_ARG_INT, &quit_after,
      "Start the shutdown after MS milliseconds (default: 1000)", "MS" },
    { "slow", 's', 0, G_OPTION_ARG_NONE, &slow,
      "Add a cleanup that overruns its " G_STRINGIFY (UPLOAD_TIMEOUT_MS) " ms deadline", NULL },
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

  loop = g_main_loop_new (NULL, FALSE);
  finalizer = atexit_loop_finalizer_get_default ();
  demo.report = g_array_new (FALSE, TRUE, sizeof (ReportRow));
  g_array_set_clear_func (demo.report, report_row_clear);
  g_signal_connect (finalizer, "about-to-close", G_CALLBACK (about_to_close_cb), &demo);
  g_signal_connect (finalizer, "cleanup-finished", G_CALLBACK (cleanup_finished_cb), &demo);

  /* Set-up. What succeeded has registered its cleanup, so a failure still cleans up. */
  server = demo_server_new (&error);
  if (server != NULL)
    atexit_loop_finalizer_add_async_full (finalizer, "local server", G_PRIORITY_DEFAULT_IDLE,
                                          stop_server, server, NULL);
  if (server == NULL ||
      (worker = start_worker (&error)) == NULL ||
      (connection = connect_to_server (demo_server_get_port (server), &error)) == NULL ||
      (journal = open_journal (&error)) == NULL)
    {
      g_printerr ("Set-up failed: %s\n", error->message);
      atexit_loop_finalizer_run (finalizer, NULL, NULL);
      g_signal_handlers_disconnect_by_data (finalizer, &demo);
      g_clear_pointer (&demo.report, g_array_unref);
      return 1;
    }
  if (slow)
    start_upload ();
  demo.journal = journal;
  demo.server = server;
  atexit_loop_finalizer_add_full (finalizer, "check journal", G_PRIORITY_DEFAULT_IDLE,
                                  check_journal, &demo, NULL);

  g_print ("Worker: pid %s\n", g_subprocess_get_identifier (worker));
  g_print ("Server: 127.0.0.1:%u, client connected\n", demo_server_get_port (server));
  g_print ("Journal: %s\n", journal->path);
  g_print ("Running; shutting down in %d ms (or on Ctrl+C); %u cleanups registered\n",
           quit_after, atexit_loop_finalizer_get_pending (finalizer));
  g_print ("The library leaves its worker and journal to add_object: expect a message that\n"
           "nobody closed them, as Python's ResourceWarning would say.\n");

  /* A first SIGINT, SIGTERM or SIGHUP quits gracefully; a second one at once. */
  atexit_loop_finalizer_install_unix_signals (finalizer, loop);
  g_timeout_add (quit_after, quit_cb, loop);

  g_main_loop_run (loop);

  atexit_loop_finalizer_uninstall_unix_signals (finalizer);
  g_source_remove_by_user_data (loop);
  g_signal_handlers_disconnect_by_data (finalizer, &demo);

  print_report (&demo);
  ok = print_checks (&demo, worker, connection, slow);
  g_print ("%s\n", ok ? "Every resource was closed." : "Some resources were not closed.");
  /* Nothing outlives the demo, even when its shutdown went wrong. */
  if (g_subprocess_get_identifier (worker) != NULL)
    g_subprocess_force_exit (worker);

  g_clear_pointer (&demo.report, g_array_unref);
  g_clear_pointer (&demo.journal_problem, g_free);

  return ok ? 0 : 1;
}
