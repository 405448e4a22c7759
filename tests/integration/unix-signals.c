/* unix-signals.c: real signals sent to a real child process
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <signal.h>

#include "test-util.h"

typedef struct {
  GSubprocess      *child;
  GDataInputStream *out;
  GString          *transcript;
} Child;

static void
child_spawn (Child      *child,
             const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "signal-child", NULL);

  child->child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path, mode, NULL);
  g_assert_no_error (error);
  child->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->child));
  child->transcript = g_string_new (NULL);
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
        g_error ("The child ended without saying “%s”; it said:\n%s", expected, child->transcript->str);
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
  char *line;

  while ((line = g_data_input_stream_read_line (child->out, NULL, NULL, &error)) != NULL)
    {
      g_string_append_printf (child->transcript, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);
  g_subprocess_wait (child->child, NULL, &error);
  g_assert_no_error (error);
}

static void
child_clear (Child *child)
{
  g_clear_object (&child->out);
  g_clear_object (&child->child);
  g_string_free (child->transcript, TRUE);
}

static void
assert_ended_by (Child *child,
                 int    signum)
{
  g_assert_true (g_subprocess_get_if_signaled (child->child));
  g_assert_cmpint (g_subprocess_get_term_sig (child->child), ==, signum);
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
   * signal cancels it and quits at once. */
  g_subprocess_send_signal (child.child, SIGTERM);
  child_finish (&child);

  g_assert_cmpstr (child.transcript->str, ==,
                   "ready\ncleanup started\ncleanup cancelled\nquit by signal 15\n");
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/atexit/signals/sigint/graceful", GINT_TO_POINTER (SIGINT), test_graceful);
  g_test_add_data_func ("/atexit/signals/sigterm/graceful", GINT_TO_POINTER (SIGTERM), test_graceful);
  g_test_add_data_func ("/atexit/signals/sighup/graceful", GINT_TO_POINTER (SIGHUP), test_graceful);
  g_test_add_func ("/atexit/signals/second-signal/cancels-and-quits", test_second_signal);
  g_test_add_func ("/atexit/signals/application/graceful", test_application);

  return g_test_run ();
}
