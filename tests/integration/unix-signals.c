/* unix-signals.c: real signals sent to a real child process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <signal.h>
#include <string.h>

#include "test-util.h"

typedef struct {
  GSubprocess      *child;
  GDataInputStream *out;
  GString          *transcript;
  char             *errors;      /* what it wrote on stderr, once finished */
} Child;

static void
child_spawn (Child      *child,
             const char *mode)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "signal-child", NULL);

  /* The warnings it prints are matched in English, signal names included. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  child->child = g_subprocess_launcher_spawn (launcher, &error, path, mode, NULL);
  g_assert_no_error (error);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->child));
  child->transcript = g_string_new (NULL);
  child->errors = NULL;
}

/* Reads the child's output up to @expected: the child says when it is there. */
static void
child_expect (Child      *child,
              const char *expected)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (child->out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("The child ended without saying “%s”; it said:\n%s",
                 expected, child->transcript->str);
      g_string_append_printf (child->transcript, "%s\n", line);
      if (g_str_equal (line, expected))
        return;
    }
}

/* Reads the rest of the output and reaps the child. */
static void
child_finish (Child *child)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) errors = NULL;
  char *line;

  while ((line = g_data_input_stream_read_line (child->out, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (child->transcript, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);

  errors = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (child->child), 1 << 20,
                                      NULL, &error);
  g_assert_no_error (error);
  child->errors = g_strndup (g_bytes_get_data (errors, NULL), g_bytes_get_size (errors));

  g_subprocess_wait (child->child, NULL, &error);
  g_assert_no_error (error);
}

static void
child_clear (Child *child)
{
  g_clear_object (&child->out);
  g_clear_object (&child->child);
  g_string_free (child->transcript, TRUE);
  g_clear_pointer (&child->errors, g_free);
}

static void
assert_ended_by (Child *child,
                 int    signum)
{
  g_assert_true (g_subprocess_get_if_signaled (child->child));
  g_assert_cmpint (g_subprocess_get_term_sig (child->child), ==, signum);
}

static guint
count_lines (const char *text,
             const char *pattern)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_pattern_match_simple (pattern, lines[i]))
      n++;

  return n;
}

static void
test_graceful (gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  g_autofree char *said = NULL;
  Child child;

  child_spawn (&child, "loop");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, signum);
  child_finish (&child);

  said = g_strdup_printf ("ready\ncleanup started\ncleanup done\nquit by signal %d\n", signum);
  g_assert_cmpstr (child.transcript->str, ==, said);
  g_assert_cmpstr (child.errors, ==, "");
  assert_ended_by (&child, signum);
  child_clear (&child);
}

static void
test_second_signal (void)
{
  Child child;

  child_spawn (&child, "stuck");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGINT);
  child_expect (&child, "cleanup started");
  /* The cleanup would never end by itself (the child has no deadline): a second
   * signal cancels the run, and the loop quits as soon as that run has ended. */
  g_subprocess_send_signal (child.child, SIGTERM);
  child_finish (&child);

  /* The cleanup was told, and the run reported it cancelled, before the loop returned:
   * a program that returns from main() then leaves nothing untold. The signal that
   * started the quit is the one the program is told of. */
  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ncleanup started\ncleanup cancelled\nreported cancelled\n"
                   "loop returned\nrun over\nquit by signal 2\n");
  assert_ended_by (&child, SIGINT);

  /* Not silent: one warning names the signal that forced the quit, and the run's
   * cancellation, which that signal asked for, is not reported a second time. */
  g_test_message ("stderr:\n%s", child.errors);
  g_assert_cmpuint (count_lines (child.errors,
                                 "*WARNING*Signal 15 (Terminated) arrived during the shutdown "
                                 "that signal 2 (Interrupt) started*quits at once*"), ==, 1);
  g_assert_cmpuint (count_lines (child.errors, "*The shutdown started by signal*"), ==, 0);
  child_clear (&child);
}

static void
test_run_failed (void)
{
  Child child;

  child_spawn (&child, "failing");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGTERM);
  child_finish (&child);

  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ncleanup started\ncleanup failed\nquit by signal 15\n");
  assert_ended_by (&child, SIGTERM);

  /* Nobody else can receive the run's error: it is logged, once. */
  g_test_message ("stderr:\n%s", child.errors);
  g_assert_cmpuint (count_lines (child.errors,
                                 "*WARNING*The shutdown started by signal 15 (Terminated) "
                                 "failed:*failing*the peer hung up*"), ==, 1);
  child_clear (&child);
}

/* After a signal-driven shutdown, the next session of the loop gets a first signal
 * again, whose run has the cleanups registered meanwhile. */
static void
test_sessions (void)
{
  Child child;

  child_spawn (&child, "sessions");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGTERM);
  child_expect (&child, "quit by signal 15");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGTERM);
  child_finish (&child);

  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ncleanup started\ncleanup done\nquit by signal 15\n"
                   "ready\ncleanup started\ncleanup done\nquit by signal 15\n");
  g_assert_cmpstr (child.errors, ==, "");
  assert_ended_by (&child, SIGTERM);
  child_clear (&child);
}

/* Installed before the loop exists: the signal starts the run and is remembered, and
 * the loop, once installed, quits as soon as the run has ended. */
static void
test_late_loop (gconstpointer data)
{
  gboolean ended = GPOINTER_TO_INT (data);
  Child child;

  child_spawn (&child, ended ? "late-ended" : "late-running");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGHUP);
  child_finish (&child);

  if (ended)
    g_assert_cmpstr (child.transcript->str, ==,
                     "ready\ncleanup started\ncleanup done\nrun ended before the loop\n"
                     "quit by signal 1\n");
  else
    g_assert_cmpstr (child.transcript->str, ==,
                     "ready\ncleanup started\nrun going on before the loop\nquit by signal 1\n");
  g_assert_cmpstr (child.errors, ==, "");
  assert_ended_by (&child, SIGHUP);
  child_clear (&child);
}

/* User code that runs under the signal's dispatch iterates the context and installs
 * again: no lock is held across it, and the run goes on to quit the loop. */
static void
test_reentrant (void)
{
  Child child;

  child_spawn (&child, "reentrant");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGTERM);
  child_finish (&child);

  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ninstalled again\ncleanup started\ncleanup done\nquit by signal 15\n");
  g_assert_cmpstr (child.errors, ==, "");
  assert_ended_by (&child, SIGTERM);
  child_clear (&child);
}

static void
test_application (void)
{
  Child child;

  child_spawn (&child, "app");
  child_expect (&child, "ready");
  g_subprocess_send_signal (child.child, SIGHUP);
  child_finish (&child);

  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ncleanup started\ncleanup done\nquit by signal 1\n");
  assert_ended_by (&child, SIGHUP);
  child_clear (&child);
}

/* In this process, no signal is sent: the handlers' bookkeeping. */

static gboolean
has_default_action (int signum)
{
  struct sigaction action;

  g_assert_cmpint (sigaction (signum, NULL, &action), ==, 0);
  return action.sa_handler == SIG_DFL;
}

static void
noop (gpointer data)
{
}

static void
count_destroy (gpointer data)
{
  int *n = data;

  (*n)++;
}

static AtexitLoopFinalizer *private_finalizer;

/* A thread with a context of its own installs the handlers with its loop, then drops
 * loop and context without ever shutting down. */
static gpointer
private_context_thread (gpointer data)
{
  GMainContext *context = g_main_context_new ();
  GMainLoop *loop = g_main_loop_new (context, FALSE);

  g_main_context_push_thread_default (context);
  private_finalizer = atexit_loop_finalizer_get_thread_default ();
  g_object_add_weak_pointer (G_OBJECT (private_finalizer), (gpointer *) &private_finalizer);
  atexit_loop_finalizer_add_full (private_finalizer, "never run", G_PRIORITY_DEFAULT, noop,
                                  data, count_destroy);
  atexit_loop_finalizer_install_unix_signals (private_finalizer, loop);
  g_assert_false (has_default_action (SIGTERM));
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  g_main_loop_unref (loop);
  g_main_context_unref (context);
  return NULL;
}

static void
test_no_pinning (void)
{
  int destroyed = 0;

  g_assert_true (has_default_action (SIGTERM));
  EXPECT_WARNING ("A main context was destroyed with 1 cleanup still registered*never run*");
  g_thread_join (g_thread_new ("private", private_context_thread, &destroyed));

  /* Nothing kept the loop, and so its context, alive: the context died, with the
   * warning and the destroy notify that its cleanup is owed, and its finalizer and the
   * signal handlers went with it. */
  g_test_assert_expected_messages ();
  g_assert_cmpint (destroyed, ==, 1);
  g_assert_null (private_finalizer);
  g_assert_true (has_default_action (SIGTERM));
}

static void
test_install_uninstall (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const int usr1[] = { SIGUSR1, SIGUSR1 };

  g_assert_true (has_default_action (SIGINT));
  g_assert_true (has_default_action (SIGUSR1));

  atexit_loop_finalizer_install_unix_signals (finalizer, NULL);
  atexit_loop_finalizer_install_unix_signals (finalizer, loop);
  g_assert_false (has_default_action (SIGINT));
  g_assert_false (has_default_action (SIGTERM));
  g_assert_false (has_default_action (SIGHUP));
  g_assert_cmpint (atexit_loop_finalizer_get_unix_signal (finalizer), ==, 0);

  /* Installing again replaces the set. */
  atexit_loop_finalizer_install_unix_signals_full (finalizer, loop, usr1, G_N_ELEMENTS (usr1));
  g_assert_true (has_default_action (SIGINT));
  g_assert_false (has_default_action (SIGUSR1));

  atexit_loop_finalizer_uninstall_unix_signals (finalizer);
  atexit_loop_finalizer_uninstall_unix_signals (finalizer);
  g_assert_true (has_default_action (SIGUSR1));
  g_assert_true (has_default_action (SIGTERM));
  g_assert_cmpint (atexit_loop_finalizer_get_unix_signal (finalizer), ==, 0);
}

static void
test_bad_input (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GMainContext) other = g_main_context_new ();
  g_autoptr(GMainLoop) other_loop = g_main_loop_new (other, FALSE);
  const int kill_signal[] = { SIGTERM, SIGKILL };

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*ATEXIT_IS_LOOP_FINALIZER*");
  atexit_loop_finalizer_install_unix_signals (NULL, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*g_main_loop_get_context*");
  atexit_loop_finalizer_install_unix_signals (finalizer, other_loop);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*atexit_unix_signals_valid*");
  atexit_loop_finalizer_install_unix_signals_full (finalizer, NULL, kill_signal,
                                                   G_N_ELEMENTS (kill_signal));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*signals != NULL*");
  atexit_loop_finalizer_install_unix_signals_full (finalizer, NULL, NULL, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*G_IS_APPLICATION*");
  atexit_application_install_unix_signals (NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*ATEXIT_IS_LOOP_FINALIZER*");
  g_assert_cmpint (atexit_loop_finalizer_get_unix_signal (NULL), ==, 0);
  g_test_assert_expected_messages ();

  /* Nothing was installed. */
  g_assert_true (has_default_action (SIGTERM));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/atexit/signals/sigint/graceful", GINT_TO_POINTER (SIGINT),
                        test_graceful);
  g_test_add_data_func ("/atexit/signals/sigterm/graceful", GINT_TO_POINTER (SIGTERM),
                        test_graceful);
  g_test_add_data_func ("/atexit/signals/sighup/graceful", GINT_TO_POINTER (SIGHUP),
                        test_graceful);
  g_test_add_func ("/atexit/signals/second-signal/cleanups-told-before-the-quit",
                   test_second_signal);
  g_test_add_func ("/atexit/signals/run-failed/one-warning", test_run_failed);
  g_test_add_func ("/atexit/signals/sessions/first-signal-again", test_sessions);
  g_test_add_data_func ("/atexit/signals/late-loop/run-ended", GINT_TO_POINTER (TRUE),
                        test_late_loop);
  g_test_add_data_func ("/atexit/signals/late-loop/run-going-on", GINT_TO_POINTER (FALSE),
                        test_late_loop);
  g_test_add_func ("/atexit/signals/reentrant/iterates-and-installs-again", test_reentrant);
  g_test_add_func ("/atexit/signals/application/graceful", test_application);
  g_test_add_func ("/atexit/signals/private-context/not-pinned", test_no_pinning);
  g_test_add_func ("/atexit/signals/install/replaces-and-uninstalls", test_install_uninstall);
  g_test_add_func ("/atexit/signals/bad-input", test_bad_input);

  return g_test_run ();
}
