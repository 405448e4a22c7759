/* fork-child.c: a program that forks a child without exec, from its main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * The parent registers two cleanups on the default finalizer, a sync one and an async
 * one with a destroy notify, then forks from an idle of its running loop. Every line
 * says which process printed it ("in parent", "in child"). test-fork.c runs it:
 *
 *   --child=exit        the child calls exit(0) at once
 *   --child=loop-quit   the child goes on with the loop it inherited and quits it through
 *                       atexit_loop_finalizer_quit_loop(), then returns from main
 *   --child=run         the child calls atexit_loop_finalizer_run(), then exit(0)
 *   --child-registers   the child first registers a cleanup of its own
 *   --fork-from=cleanup the parent forks from one of its cleanups, during its run
 *   --scenario=fork-while-adding   another thread adds and removes cleanups while the
 *                       main thread forks children (--forks, 30) that exit at once; stops
 *                       at the first child that does not exit within 30 s (a hung
 *                       child never does; a slow one, on a loaded machine under a
 *                       sanitizer, may take seconds)
 *
 * The parent waits for the child, then quits its own loop through quit_loop().
 */

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atexit-glib.h>

static char     *opt_child = (char *) "exit";
static gboolean  opt_child_registers;
static char     *opt_fork_from = (char *) "idle";
static char     *opt_scenario = (char *) "fork";
static int       opt_forks = 30;

static const char *role = "parent";
static GMainLoop  *loop;
static gboolean    child_done;

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *what = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* One write per line: the two processes share the pipe. */
  line = g_strdup_printf ("%s in %s\n", what, role);
  if (write (STDOUT_FILENO, line, strlen (line)) < 0)
    g_error ("write: %s", g_strerror (errno));
}

static void
sync_cleanup (gpointer data)
{
  say ("%s: ran", (const char *) data);
}

static void
destroy_notify (gpointer data)
{
  say ("%s: destroyed", (const char *) data);
}

static gboolean
async_done_cb (gpointer data)
{
  GTask *task = data;

  say ("parent-async: done");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static void
async_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             data)
{
  GSource *idle = g_idle_source_new ();

  say ("parent-async: started");
  g_task_attach_source (task, idle, async_done_cb);
  g_source_unref (idle);
}

static void in_child (void);

static gboolean
child_quit_cb (gpointer data)
{
  say ("child: quitting through quit_loop()");
  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
  return G_SOURCE_REMOVE;
}

static void
child_exited_cb (GPid     pid,
                 int      status,
                 gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (g_spawn_check_wait_status (status, &error))
    say ("parent: the child exited with status 0");
  else
    say ("parent: the child failed: %s", error->message);
  g_spawn_close_pid (pid);
  child_done = TRUE;

  if (g_str_equal (opt_fork_from, "idle"))
    atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
}

static void
do_fork (void)
{
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      role = "child";
      in_child ();
      return;
    }

  g_child_watch_add (pid, child_exited_cb, NULL);
}

/* In the child, just after fork() returned there. */
static void
in_child (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();

  if (opt_child_registers)
    atexit_loop_finalizer_add_full (finalizer, "child-cleanup", G_PRIORITY_DEFAULT,
                                    sync_cleanup, (gpointer) "child-cleanup", NULL);

  if (g_str_equal (opt_child, "exit"))
    {
      say ("child: calling exit(0)");
      exit (0);
    }
  else if (g_str_equal (opt_child, "run"))
    {
      g_autoptr(GError) error = NULL;

      say ("child: calling atexit_loop_finalizer_run()");
      if (!atexit_loop_finalizer_run (finalizer, NULL, &error))
        say ("child: the run failed: %s", error->message);
      say ("child: calling exit(0)");
      exit (0);
    }
  else if (g_str_equal (opt_child, "loop-quit"))
    {
      /* Back to the loop the child inherited. */
      g_idle_add (child_quit_cb, NULL);
    }
  else
    {
      g_error ("unknown --child=%s", opt_child);
    }
}

static gboolean
fork_cb (gpointer data)
{
  do_fork ();
  return G_SOURCE_REMOVE;
}

/* A cleanup that starts a helper process by fork() alone. */
static void
forking_cleanup (gpointer data)
{
  say ("parent-forking: ran");
  do_fork ();
}

/* fork-while-adding */

static gint stop_adding;

static gpointer
adder_thread (gpointer data)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();

  while (!g_atomic_int_get (&stop_adding))
    atexit_loop_finalizer_remove (finalizer,
                                  atexit_loop_finalizer_add_full (finalizer, "adder",
                                                                  G_PRIORITY_DEFAULT,
                                                                  sync_cleanup,
                                                                  (gpointer) "adder", NULL));
  return NULL;
}

typedef struct {
  gboolean exited;
  gboolean late;
} Waiting;

static void
waited_cb (GPid     pid,
           int      status,
           gpointer data)
{
  ((Waiting *) data)->exited = TRUE;
  g_spawn_close_pid (pid);
}

static gboolean
late_cb (gpointer data)
{
  ((Waiting *) data)->late = TRUE;
  return G_SOURCE_REMOVE;
}

static int
fork_while_adding (void)
{
  GThread *adder = g_thread_new ("adder", adder_thread, NULL);
  guint hung = 0;

  for (int i = 0; i < opt_forks; i++)
    {
      Waiting waiting = { FALSE, FALSE };
      GSource *timeout;
      pid_t pid;

      fflush (stdout);
      pid = fork ();
      if (pid < 0)
        g_error ("fork: %s", g_strerror (errno));
      if (pid == 0)
        exit (0);

      g_child_watch_add (pid, waited_cb, &waiting);
      timeout = g_timeout_source_new_seconds (30);
      g_source_set_callback (timeout, late_cb, &waiting, NULL);
      g_source_attach (timeout, NULL);
      while (!waiting.exited && !waiting.late)
        g_main_context_iteration (NULL, TRUE);
      if (!waiting.exited)
        {
          g_autofree char *path = g_strdup_printf ("/proc/%d/wchan", (int) pid);
          g_autofree char *wchan = NULL;

          /* Where it waits, for whoever reads the failure. */
          if (g_file_get_contents (path, &wchan, NULL, NULL))
            printf ("fork-while-adding: child %d waits in %s\n", (int) pid, wchan);
          hung++;
          kill (pid, SIGKILL);
          while (!waiting.exited)
            g_main_context_iteration (NULL, TRUE);
        }
      g_source_destroy (timeout);
      g_source_unref (timeout);
      /* One is enough to tell; the others would each take the whole delay. */
      if (hung > 0)
        break;
    }

  g_atomic_int_set (&stop_adding, TRUE);
  g_thread_join (adder);
  printf ("fork-while-adding: %u hung in exit()\n", hung);

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "child", 0, 0, G_OPTION_ARG_STRING, &opt_child, "What the child does",
      "exit|loop-quit|run" },
    { "child-registers", 0, 0, G_OPTION_ARG_NONE, &opt_child_registers,
      "The child registers a cleanup of its own", NULL },
    { "fork-from", 0, 0, G_OPTION_ARG_STRING, &opt_fork_from, "Where the parent forks",
      "idle|cleanup" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &opt_scenario, "fork or fork-while-adding",
      "NAME" },
    { "forks", 0, 0, G_OPTION_ARG_INT, &opt_forks, "Children of fork-while-adding", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  AtexitLoopFinalizer *finalizer;

  setlocale (LC_ALL, "");
  /* Nothing the parent printed is printed again by the child (say() writes directly). */
  setvbuf (stdout, NULL, _IONBF, 0);

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    g_error ("%s", error->message);

  if (g_str_equal (opt_scenario, "fork-while-adding"))
    return fork_while_adding ();

  finalizer = atexit_loop_finalizer_get_default ();
  atexit_loop_finalizer_add_full (finalizer, "parent-sync", G_PRIORITY_DEFAULT,
                                  sync_cleanup, (gpointer) "parent-sync",
                                  destroy_notify);
  atexit_loop_finalizer_add_async_full (finalizer, "parent-async", G_PRIORITY_DEFAULT,
                                        async_cleanup, (gpointer) "parent-async",
                                        destroy_notify);

  loop = g_main_loop_new (NULL, FALSE);
  if (g_str_equal (opt_fork_from, "idle"))
    {
      g_idle_add (fork_cb, NULL);
    }
  else if (g_str_equal (opt_fork_from, "cleanup"))
    {
      /* In its own group, first: the other two are still to run when it forks. */
      atexit_loop_finalizer_add_full (finalizer, "parent-forking", G_PRIORITY_HIGH,
                                      forking_cleanup, NULL, NULL);
      atexit_loop_finalizer_quit_loop (finalizer, loop);
    }
  else
    {
      g_error ("unknown --fork-from=%s", opt_fork_from);
    }
  g_main_loop_run (loop);
  g_main_loop_unref (loop);

  /* After a fork from a cleanup, the run quit the loop; the child may still be running. */
  while (g_str_equal (role, "parent") && !child_done)
    g_main_context_iteration (NULL, TRUE);

  say ("main: returning");
  return 0;
}
