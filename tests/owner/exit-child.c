/* exit-child.c: a program that quits its loop the plain way and returns from main
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * It registers cleanups on the default finalizer, runs a GMainLoop and leaves it without
 * the library's help: what happens to the cleanups is the library's exit handler's doing.
 * Every line a cleanup prints says which cleanup and what it did, so that the test counts
 * them. test-exit.c runs it, one scenario at a time:
 *
 *   plain            g_main_loop_quit(), then return 0 from main
 *   exit-in-cleanup  a normal run (quit_loop) whose cleanup calls exit(0)
 *   exit-from-thread another thread calls exit(0) while the main thread iterates
 *   exit-twice       a cleanup run at exit calls exit(7)
 *   stuck            a cleanup that never completes, run at exit
 *   fail             a cleanup that fails, run at exit
 *   unnamed          one cleanup without a name
 *   gtest            inside a g_test program: g_test_init(), g_test_run()
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <atexit-glib.h>

static char *opt_exit_action;
static char *opt_fatal;
static char *opt_scenario = (char *) "plain";
static int   opt_timeout = -1;

static GMainLoop *loop;

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static void
sync_cleanup (gpointer data)
{
  say ("%s: ran", (const char *) data);
}

static gboolean
async_done_cb (gpointer data)
{
  GTask *task = data;

  say ("async-cleanup: done");
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

/* Completes from an idle: the context must be iterated for it to end. */
static void
async_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             data)
{
  GSource *idle = g_idle_source_new ();

  say ("async-cleanup: started");
  g_task_attach_source (task, idle, async_done_cb);
  g_source_unref (idle);
}

static GPtrArray *held_tasks;

static void
stuck_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             data)
{
  say ("stuck-cleanup: started");
  /* Kept and never returned, cancellation or not. */
  if (held_tasks == NULL)
    held_tasks = g_ptr_array_new ();
  g_ptr_array_add (held_tasks, task);
}

static void
failing_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             data)
{
  say ("failing-cleanup: started");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the peer went away");
  g_object_unref (task);
}

static void
exiting_cleanup (gpointer data)
{
  say ("%s: ran, calling exit(%d)", "exiting-cleanup", GPOINTER_TO_INT (data));
  exit (GPOINTER_TO_INT (data));
}

static void
add_sync (const char *name,
          int         priority)
{
  atexit_loop_finalizer_add_full (atexit_loop_finalizer_get_default (), name, priority,
                                  sync_cleanup, (gpointer) name, NULL);
}

static void
add_pair (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();

  add_sync ("sync-cleanup", G_PRIORITY_DEFAULT);
  atexit_loop_finalizer_add_async_full (finalizer, "async-cleanup", G_PRIORITY_DEFAULT,
                                        async_cleanup, NULL, NULL);
}

static gboolean
quit_plain_cb (gpointer data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_loop_cb (gpointer data)
{
  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
  return G_SOURCE_REMOVE;
}

static gpointer
exit_thread (gpointer data)
{
  say ("thread: calling exit(0)");
  exit (0);
}

/* Once the loop runs, and so owns the default context, another thread exits. */
static gboolean
start_exit_thread_cb (gpointer data)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_thread_unref (g_thread_new ("exiter", exit_thread, NULL));
  return G_SOURCE_REMOVE;
}

static void
run_loop (GSourceFunc quit)
{
  loop = g_main_loop_new (NULL, FALSE);
  g_idle_add (quit, NULL);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  say ("main: loop returned");
}

static void
test_registers_and_returns (void)
{
  add_pair ();
  run_loop (quit_plain_cb);
}

static void
set_fatal (void)
{
  if (opt_fatal == NULL || g_str_equal (opt_fatal, "none"))
    return;
  if (g_str_equal (opt_fatal, "always"))
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  else if (g_str_equal (opt_fatal, "domain"))
    g_log_set_fatal_mask ("Atexit", G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING |
                                    G_LOG_LEVEL_CRITICAL);
  else
    g_error ("unknown --fatal=%s", opt_fatal);
}

static void
set_exit_action (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  GEnumClass *enum_class;
  GEnumValue *value;

  if (opt_exit_action == NULL)
    return;

  enum_class = g_type_class_ref (ATEXIT_TYPE_EXIT_ACTION);
  value = g_enum_get_value_by_nick (enum_class, opt_exit_action);
  if (value == NULL)
    g_error ("unknown --exit-action=%s", opt_exit_action);
  g_object_set (finalizer, "exit-action", value->value, NULL);
  g_type_class_unref (enum_class);
}

int
main (int   argc,
      char *argv[])
{
  const GOptionEntry entries[] = {
    { "exit-action", 0, 0, G_OPTION_ARG_STRING, &opt_exit_action,
      "The default finalizer's exit-action property", "warn|run|none" },
    { "fatal", 0, 0, G_OPTION_ARG_STRING, &opt_fatal,
      "Make warnings fatal: always (as g_test_init does), domain (Atexit's only)", "WHICH" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &opt_scenario, "What to do", "NAME" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "The finalizer's timeout", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  AtexitLoopFinalizer *finalizer;

  setlocale (LC_ALL, "");
  if (g_strv_contains ((const char *const *) argv, "--scenario=gtest"))
    {
      /* A g_test program, as such programs are: g_test_init() makes warnings fatal. */
      g_test_init (&argc, &argv, NULL);
      g_test_add_func ("/owner/exit/registers-and-returns", test_registers_and_returns);
    }

  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_set_ignore_unknown_options (options, TRUE);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    g_error ("%s", error->message);

  set_fatal ();
  finalizer = atexit_loop_finalizer_get_default ();
  set_exit_action ();
  if (opt_timeout >= 0)
    g_object_set (finalizer, "timeout", (guint) opt_timeout, NULL);

  if (g_str_equal (opt_scenario, "gtest"))
    return g_test_run ();

  if (g_str_equal (opt_scenario, "plain"))
    {
      add_pair ();
      run_loop (quit_plain_cb);
    }
  else if (g_str_equal (opt_scenario, "exit-in-cleanup"))
    {
      /* Last registered, first called: "before-exit" would run after "exiting-cleanup",
       * "late-cleanup" in the next group. */
      add_sync ("before-exit", G_PRIORITY_DEFAULT);
      atexit_loop_finalizer_add_full (finalizer, "exiting-cleanup", G_PRIORITY_DEFAULT,
                                      exiting_cleanup, GINT_TO_POINTER (0), NULL);
      add_sync ("late-cleanup", G_PRIORITY_LOW);
      run_loop (quit_loop_cb);
      say ("main: returned after a run that called exit()");
    }
  else if (g_str_equal (opt_scenario, "exit-from-thread"))
    {
      add_pair ();
      loop = g_main_loop_new (NULL, FALSE);
      g_idle_add (start_exit_thread_cb, NULL);
      /* Never quits: the process ends by the other thread's exit(). */
      g_main_loop_run (loop);
      say ("main: loop returned");
    }
  else if (g_str_equal (opt_scenario, "exit-twice"))
    {
      atexit_loop_finalizer_add_full (finalizer, "exiting-cleanup", G_PRIORITY_DEFAULT,
                                      exiting_cleanup, GINT_TO_POINTER (7), NULL);
      atexit_loop_finalizer_add_async_full (finalizer, "async-cleanup", G_PRIORITY_DEFAULT,
                                            async_cleanup, NULL, NULL);
      add_sync ("low-cleanup", G_PRIORITY_LOW);
      run_loop (quit_plain_cb);
    }
  else if (g_str_equal (opt_scenario, "stuck"))
    {
      atexit_loop_finalizer_add_async_full (finalizer, "stuck-cleanup", G_PRIORITY_DEFAULT,
                                            stuck_cleanup, NULL, NULL);
      add_sync ("sync-cleanup", G_PRIORITY_LOW);
      run_loop (quit_plain_cb);
    }
  else if (g_str_equal (opt_scenario, "fail"))
    {
      atexit_loop_finalizer_add_async_full (finalizer, "failing-cleanup", G_PRIORITY_DEFAULT,
                                            failing_cleanup, NULL, NULL);
      add_sync ("sync-cleanup", G_PRIORITY_DEFAULT);
      run_loop (quit_plain_cb);
    }
  else if (g_str_equal (opt_scenario, "unnamed"))
    {
      atexit_loop_finalizer_add (finalizer, sync_cleanup, (gpointer) "unnamed-cleanup", NULL);
      run_loop (quit_plain_cb);
    }
  else
    {
      g_error ("unknown --scenario=%s", opt_scenario);
    }

  return 0;
}
