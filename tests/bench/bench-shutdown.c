/* bench-shutdown.c: shutting down N loopback connections that each say goodbye and wait
 * for the peer's answer, with the library and with a hand-written GLib loop
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The peer is a second process, this program run with --peer: a GSocketService on
 * 127.0.0.1 that greets each connection, answers its goodbye 10 ms after it came, and
 * closes once the other side has; it serves all connections from one epoll set. (A
 * thread would not do: at N = 10,000 both ends of every connection would be open in one
 * process, past the limit of open files.)
 *
 * Each round connects N fresh sockets, untimed, then times their shutdown: with the
 * library, N async cleanups registered on a fresh finalizer and one run; by hand, the
 * same goodbye started on all N at once, one counter, a main loop that quits when it
 * reaches 0. Both run the same goodbye code, twice:
 *
 * - shutdown-N: cancellable, as a shutdown with deadlines is: the cleanups pass their
 *   task's cancellable to their socket sources, which the finalizer's deadline (10 s,
 *   the default) would cancel; the hand-written loop passes one cancellable that a 10 s
 *   timeout would cancel;
 * - shutdown-N-uncancellable: neither passes a cancellable; the hand-written loop has
 *   no deadline, and the library's run still stops waiting at its own.
 *
 * The hand-written loop starts the goodbyes in the order the library does, last
 * registered (so last opened) first. The order matters to GLib 2.74 itself: it keeps a
 * context's poll records in a list sorted by descriptor, so N sources attached in
 * descending order and answered in that order cost a walk of the list each when they
 * are removed, on the way out, where in ascending order the walks are made as they are
 * attached, while the peer waits. The same loop in the order the connections were
 * opened is measured too, and printed as a comment.
 *
 * The output is described in bench-common.h.
 *
 * Usage: bench-shutdown [--quick] [--reps N] [--only NAME]
 *   --quick   50 connections and one round: a smoke test of the program itself
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <atexit-glib.h>

#include "bench-common.h"

#ifdef __linux__

#include <gio/gio.h>
#include <glib-unix.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define GREETING "HI\n"
#define GOODBYE  "BYE\n"
#define ANSWER_DELAY_US (10 * G_TIME_SPAN_MILLISECOND)

/* Ten thousand connections need as many descriptors at each end. */
static void
raise_open_files_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    bench_fail ("getrlimit: %s", g_strerror (errno));
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    bench_fail ("setrlimit: %s", g_strerror (errno));
}

static guint
open_files_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;
  return limit.rlim_cur == RLIM_INFINITY ? G_MAXUINT : (guint) MIN (limit.rlim_cur, G_MAXUINT);
}

/* ---- the peer --------------------------------------------------------------- */

/* The peer must not be what is measured: it serves its connections from one epoll set,
 * one GSource for all of them, so that an iteration of its loop costs what is ready
 * rather than what is open (a GMainContext looks at each source it holds every time). */

typedef struct {
  GSocketConnection *connection;
  int                fd;        /* the connection's */
  GList              link;      /* in the waiting queue, once the goodbye came */
  gint64             due;       /* when the answer is due */
  gsize              got;
  char               buffer[8];
} PeerConnection;

typedef struct {
  GSource    source;
  int        epoll_fd;
  gpointer   tag;
  GQueue     waiting;  /* PeerConnection, by the time their goodbye came: by due time */
} PeerSource;

static void
peer_connection_free (PeerSource     *peer,
                      PeerConnection *connection)
{
  if (connection->due != 0)
    g_queue_unlink (&peer->waiting, &connection->link);
  epoll_ctl (peer->epoll_fd, EPOLL_CTL_DEL, connection->fd, NULL);
  g_io_stream_close (G_IO_STREAM (connection->connection), NULL, NULL);
  g_object_unref (connection->connection);
  g_free (connection);
}

static void
peer_readable (PeerSource     *peer,
               PeerConnection *connection)
{
  gssize n;

  n = read (connection->fd, connection->buffer + connection->got,
            sizeof (connection->buffer) - connection->got);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;

  /* The other side closed, after the answer or not: this side closes too. */
  if (n <= 0 || connection->got + n > strlen (GOODBYE))
    {
      peer_connection_free (peer, connection);
      return;
    }

  connection->got += n;
  if (connection->got == strlen (GOODBYE))
    {
      if (memcmp (connection->buffer, GOODBYE, strlen (GOODBYE)) != 0)
        g_printerr ("peer: not a goodbye\n");
      connection->due = g_get_monotonic_time () + ANSWER_DELAY_US;
      /* They come in order and each waits as long: the queue is in due order. */
      g_queue_push_tail_link (&peer->waiting, &connection->link);
    }
}

static gboolean
peer_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  PeerSource *peer = (PeerSource *) source;
  struct epoll_event events[256];
  gint64 now;
  int n;

  if (g_source_query_unix_fd (source, peer->tag) & G_IO_IN)
    while ((n = epoll_wait (peer->epoll_fd, events, G_N_ELEMENTS (events), 0)) > 0)
      for (int i = 0; i < n; i++)
        peer_readable (peer, events[i].data.ptr);

  now = g_get_monotonic_time ();
  while (peer->waiting.head != NULL &&
         ((PeerConnection *) peer->waiting.head->data)->due <= now)
    {
      PeerConnection *connection = g_queue_pop_head_link (&peer->waiting)->data;

      connection->due = 0;
      if (write (connection->fd, GOODBYE, strlen (GOODBYE)) != (gssize) strlen (GOODBYE))
        g_printerr ("peer: could not answer: %s\n", g_strerror (errno));
    }

  g_source_set_ready_time (source, peer->waiting.head != NULL
                                     ? ((PeerConnection *) peer->waiting.head->data)->due
                                     : -1);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs peer_source_funcs = { NULL, NULL, peer_source_dispatch, NULL, NULL, NULL };

static gboolean
peer_incoming (GSocketService    *service,
               GSocketConnection *incoming,
               GObject           *source_object,
               gpointer           user_data)
{
  PeerSource *peer = user_data;
  PeerConnection *connection = g_new0 (PeerConnection, 1);
  struct epoll_event event = { EPOLLIN, { .ptr = connection } };

  connection->connection = g_object_ref (incoming);
  connection->fd = g_socket_get_fd (g_socket_connection_get_socket (incoming));
  connection->link.data = connection;
  if (write (connection->fd, GREETING, strlen (GREETING)) != (gssize) strlen (GREETING))
    g_printerr ("peer: could not greet: %s\n", g_strerror (errno));
  if (epoll_ctl (peer->epoll_fd, EPOLL_CTL_ADD, connection->fd, &event) != 0)
    bench_fail ("peer: epoll_ctl: %s", g_strerror (errno));

  return TRUE;
}

static gboolean
peer_parent_gone (int          fd,
                  GIOCondition condition,
                  gpointer     user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Prints its port, serves until its standard input closes (its parent is done or died). */
static int
peer_main (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  PeerSource *peer;

  raise_open_files_limit ();

  /* As many connections as a round opens may wait to be accepted. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 4096);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    bench_fail ("peer: cannot listen: %s", error->message);

  peer = (PeerSource *) g_source_new (&peer_source_funcs, sizeof (PeerSource));
  peer->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (peer->epoll_fd < 0)
    bench_fail ("peer: epoll_create1: %s", g_strerror (errno));
  peer->tag = g_source_add_unix_fd (&peer->source, peer->epoll_fd, G_IO_IN);
  g_source_attach (&peer->source, NULL);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, peer_parent_gone, loop);

  g_signal_connect (service, "incoming", G_CALLBACK (peer_incoming), peer);
  g_socket_service_start (service);

  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);

  g_main_loop_run (loop);

  g_socket_service_stop (service);
  g_source_destroy (&peer->source);
  g_source_unref (&peer->source);

  return 0;
}

/* ---- the client: one goodbye, the same code with and without the library -------- */

typedef struct _Connection Connection;
typedef void (*GoodbyeDone) (Connection *connection,
                             GError     *error);

struct _Connection {
  GSocket      *socket;
  GCancellable *cancellable;
  GoodbyeDone   done;
  gpointer      data;
  gsize         got;
  char          answer[8];
};

static GSocketAddress *peer_address;
static guint n_goodbyes;  /* answered, in the round in progress */
/* Whether the goodbyes can be cut short at a deadline: with a cancellable, GLib gives
 * each socket source a child source, which every iteration of the context looks at. */
static gboolean with_cancellable;

static void
goodbye_end (Connection *connection,
             GError     *error)
{
  /* A shutdown closes what it said goodbye on. */
  if (error == NULL && g_socket_close (connection->socket, &error))
    n_goodbyes++;
  connection->done (connection, error);
}

static gboolean
goodbye_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  Connection *connection = user_data;
  GError *error = NULL;
  gssize n;

  n = g_socket_receive (socket, connection->answer + connection->got,
                        sizeof (connection->answer) - connection->got,
                        connection->cancellable, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_error_free (error);
      return G_SOURCE_CONTINUE;
    }

  if (n == 0)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                 "the peer left without answering");
  if (error == NULL)
    {
      connection->got += n;
      if (connection->got < strlen (GOODBYE))
        return G_SOURCE_CONTINUE;
      if (connection->got > strlen (GOODBYE) ||
          memcmp (connection->answer, GOODBYE, strlen (GOODBYE)) != 0)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an answer");
    }

  goodbye_end (connection, error);

  return G_SOURCE_REMOVE;
}

/* Says goodbye on @connection and waits, in the thread-default context, for the peer's
 * answer; then closes it, and calls @done with the error, if any (transfer full). */
static void
goodbye_start (Connection   *connection,
               GCancellable *cancellable,
               GoodbyeDone   done,
               gpointer      data)
{
  GError *error = NULL;
  GSource *source;

  connection->cancellable = cancellable;
  connection->done = done;
  connection->data = data;
  connection->got = 0;

  /* Four bytes on an idle connection: the socket buffer takes them at once. */
  if (g_socket_send (connection->socket, GOODBYE, strlen (GOODBYE), cancellable, &error) !=
      (gssize) strlen (GOODBYE))
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "short write");
      goodbye_end (connection, error);
      return;
    }

  source = g_socket_create_source (connection->socket, G_IO_IN, cancellable);
  g_source_set_callback (source, G_SOURCE_FUNC (goodbye_readable), connection, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

/* N fresh connections, each greeted by the peer: established at both ends. */
static Connection *
connections_open (guint n)
{
  Connection *connections = g_new0 (Connection, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      connections[i].socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
      if (connections[i].socket == NULL ||
          !g_socket_connect (connections[i].socket, peer_address, NULL, &error))
        bench_fail ("connection %u of %u: %s", i + 1, n, error->message);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      char greeting[sizeof GREETING] = "";
      gsize got = 0;

      while (got < strlen (GREETING))
        {
          gssize r = g_socket_receive (connections[i].socket, greeting + got,
                                       strlen (GREETING) - got, NULL, &error);

          if (r <= 0)
            bench_fail ("connection %u of %u was not greeted: %s", i + 1, n,
                        error != NULL ? error->message : "closed");
          got += r;
        }
      g_socket_set_blocking (connections[i].socket, FALSE);
    }

  return connections;
}

static void
connections_free (Connection *connections,
                  guint       n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (connections[i].socket);
  g_free (connections);
}

/* With the library: each connection's goodbye is an async cleanup. */

static void
goodbye_cleanup_done (Connection *connection,
                      GError     *error)
{
  GTask *task = connection->data;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
goodbye_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             user_data)
{
  goodbye_start (user_data, with_cancellable ? g_task_get_cancellable (task) : NULL,
                 goodbye_cleanup_done, task);
}

static double
shutdown_library (guint n)
{
  Connection *connections = connections_open (n);
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GError) error = NULL;
  double start, end;

  /* Registered as they were opened; the finalizer keeps its default deadline. */
  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_add_async_full (finalizer, "say goodbye", G_PRIORITY_DEFAULT,
                                          goodbye_cleanup, &connections[i], NULL);

  n_goodbyes = 0;
  start = bench_now_ns ();
  if (!atexit_loop_finalizer_run (finalizer, NULL, &error))
    bench_fail ("the shutdown failed: %s", error->message);
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("shutdown: goodbyes answered", n_goodbyes, n);
  connections_free (connections, n);

  return (end - start) / 1e6;
}

/* By hand: every goodbye at once, one counter, quit when it reaches 0; with a cancellable,
 * a deadline as the finalizer's default one (10 s) that cancels it. */

typedef struct {
  GMainLoop *loop;
  guint      remaining;
} HandWritten;

static HandWritten *hand_written;

static void
goodbye_bare_done (Connection *connection,
                   GError     *error)
{
  if (error != NULL)
    bench_fail ("a goodbye failed: %s", error->message);
  if (--hand_written->remaining == 0)
    g_main_loop_quit (hand_written->loop);
}

static gboolean
deadline_passed (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static double
shutdown_by_hand (guint    n,
                  gboolean opening_order)
{
  Connection *connections = connections_open (n);
  g_autoptr(GMainContext) context = g_main_context_new ();
  HandWritten state = { g_main_loop_new (context, FALSE), n };
  g_autoptr(GCancellable) cancellable = NULL;
  GSource *deadline = NULL;
  double start, end;

  g_main_context_push_thread_default (context);
  hand_written = &state;
  n_goodbyes = 0;

  start = bench_now_ns ();
  if (with_cancellable)
    {
      cancellable = g_cancellable_new ();
      deadline = g_timeout_source_new (10000);
      g_source_set_callback (deadline, deadline_passed, cancellable, NULL);
      g_source_attach (deadline, context);
    }
  for (guint i = 0; i < n; i++)
    goodbye_start (&connections[opening_order ? i : n - 1 - i], cancellable,
                   goodbye_bare_done, NULL);
  g_main_loop_run (state.loop);
  if (deadline != NULL)
    {
      g_source_destroy (deadline);
      g_source_unref (deadline);
    }
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("shutdown baseline: goodbyes answered", n_goodbyes, n);
  hand_written = NULL;
  g_main_context_pop_thread_default (context);
  g_main_loop_unref (state.loop);
  connections_free (connections, n);

  return (end - start) / 1e6;
}

/* In the order the library starts them: last registered, so last opened, first. */
static double
shutdown_baseline (guint n)
{
  return shutdown_by_hand (n, FALSE);
}

static double
shutdown_baseline_opening_order (guint n)
{
  return shutdown_by_hand (n, TRUE);
}

static GSubprocess *
peer_spawn (const char *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSubprocess *peer;
  guint64 port;

  peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error, self, "--peer", NULL);
  if (peer == NULL)
    bench_fail ("cannot start the peer: %s", error->message);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (line == NULL || !g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL))
    bench_fail ("the peer did not say its port: %s", error != NULL ? error->message : line);

  peer_address = g_inet_socket_address_new (loopback, (guint16) port);

  return peer;
}

static void
bench_shutdown (Bench      *bench,
                guint       n,
                gboolean    cancellable)
{
  g_autofree char *name = g_strdup_printf ("shutdown-%u%s", n, cancellable ? "" : "-uncancellable");
  BenchMeasure measures[] = {
    { shutdown_library, n },
    { shutdown_baseline, n },
    { shutdown_baseline_opening_order, n },
  };
  double lib, base;

  if (!bench_wanted (bench, name))
    return;

  /* Both ends of each connection, and some to spare. */
  if (open_files_limit () < n + 64)
    {
      printf ("# %s: not measured, at most %u files can be open here\n", name,
              open_files_limit ());
      return;
    }

  with_cancellable = cancellable;
  /* A shutdown of a thousand takes some 30 ms, which the scheduling of two processes on
   * two cores sways by a third: it gets three times the rounds. */
  bench_measure_alternating (n <= 1000 ? 3 * bench->reps : bench->reps,
                             measures, G_N_ELEMENTS (measures));
  lib = bench_median (measures[0].samples);
  base = bench_median (measures[1].samples);
  bench_print_spread (name, &measures[0], "the library, ms");
  bench_print_spread (name, &measures[1], "by hand, ms");
  bench_print_spread (name, &measures[2], "by hand in the order they were opened, ms");
  bench_report (bench, name, n, lib, "ms", base, TRUE, 1.1);
  printf ("# %s: one by one, as asyncio-atexit's FIFO does, it would take at least "
          "N x 10 ms = %u ms\n", name, n * 10);
  fflush (stdout);
  bench_measures_clear (measures, G_N_ELEMENTS (measures));
}

#endif  /* __linux__ */

int
main (int   argc,
      char *argv[])
{
  Bench bench = { FALSE, 0, NULL, 0 };
  gboolean peer = FALSE;
  int reps = 0;
  g_autofree char *only = NULL;
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &bench.quick, "50 connections, one round", NULL },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Rounds of each measure (5 by default)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Only the measure NAME and NAME-*", "NAME" },
    { "peer", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &peer, "Be the peer", NULL },
    { NULL }
  };

  options = g_option_context_new ("— shutting down connections, against a hand-written loop");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  bench.reps = reps > 0 ? (guint) reps : bench.quick ? 1 : 5;
  bench.only = only;

#ifdef __linux__
  if (peer)
    return peer_main ();

  {
    g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
    g_autoptr(GSubprocess) peer_process = NULL;
    const guint sizes[] = { 1000, 10000 };

    printf ("# atexit-glib %s, GLib %u.%u.%u, %u rounds, medians\n",
            ATEXIT_VERSION_STRING, glib_major_version, glib_minor_version, glib_micro_version,
            bench.reps);

    raise_open_files_limit ();
    peer_process = peer_spawn (self != NULL ? self : argv[0]);

    if (bench.quick)
      {
        bench_shutdown (&bench, 50, TRUE);
        bench_shutdown (&bench, 50, FALSE);
      }
    else
      {
        for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
          {
            bench_shutdown (&bench, sizes[i], TRUE);
            bench_shutdown (&bench, sizes[i], FALSE);
          }
      }

    /* Closing its standard input tells the peer to go. */
    g_output_stream_close (g_subprocess_get_stdin_pipe (peer_process), NULL, NULL);
    if (!g_subprocess_wait_check (peer_process, NULL, &error))
      bench_fail ("the peer: %s", error->message);
    g_clear_object (&peer_address);
  }
#else
  printf ("# shutdown: not measured, the peer uses epoll, which only Linux has\n");
#endif

  printf ("# %u goal(s) missed\n", bench.n_missed);

  return 0;
}
