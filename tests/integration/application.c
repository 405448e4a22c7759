/* application.c: a real GApplication, run by g_application_run(), quits after its cleanups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

typedef struct {
  GPtrArray *events;
  gboolean   quit_with_atexit;
} AppTest;

static void
event (AppTest    *test,
       const char *what)
{
  g_ptr_array_add (test->events, g_strdup (what));
}

static char *
events_joined (AppTest *test)
{
  g_ptr_array_add (test->events, NULL);
  return g_strjoinv (",", (char **) test->events->pdata);
}

typedef struct {
  AppTest *test;
  GTask   *task;
  guint    countdown;
} SlowCleanup;

/* Completes after a few iterations of the application's loop: real asynchronous work. */
static gboolean
slow_cleanup_step (gpointer data)
{
  SlowCleanup *slow = data;

  if (--slow->countdown > 0)
    return G_SOURCE_CONTINUE;

  event (slow->test, "cleanup-done");
  g_task_return_boolean (slow->task, TRUE);
  g_object_unref (slow->task);
  g_free (slow);
  return G_SOURCE_REMOVE;
}

static void
slow_cleanup (AtexitLoopFinalizer *finalizer,
              GTask               *task,
              gpointer             user_data)
{
  SlowCleanup *slow = g_new0 (SlowCleanup, 1);

  slow->test = user_data;
  slow->task = task;
  slow->countdown = 5;
  event (slow->test, "cleanup-started");
  g_idle_add (slow_cleanup_step, slow);
}

static void
activate_cb (GApplication *application,
             gpointer      user_data)
{
  AppTest *test = user_data;

  event (test, "activate");
  atexit_loop_finalizer_add_async_full (atexit_application_get_finalizer (application), "slow",
                                  G_PRIORITY_DEFAULT, slow_cleanup, test, NULL);
  if (test->quit_with_atexit)
    atexit_application_quit (application);
  else
    g_application_quit (application);
}

static void
shutdown_after_cb (GApplication *application,
                   gpointer      user_data)
{
  event (user_data, "shutdown");
}

static char *
run_application (gboolean quit_with_atexit,
                 gboolean install)
{
  g_autoptr(GApplication) application =
    g_application_new ("org.example.AtexitTest", G_APPLICATION_NON_UNIQUE);
  AppTest test = { g_ptr_array_new_with_free_func (g_free), quit_with_atexit };
  char *argv[] = { (char *) "test-application", NULL };
  char *joined;
  int status;

  g_signal_connect (application, "activate", G_CALLBACK (activate_cb), &test);
  g_signal_connect_after (application, "shutdown", G_CALLBACK (shutdown_after_cb), &test);
  status = g_application_run (application, 1, argv);
  g_assert_cmpint (status, ==, 0);
  event (&test, "returned");

  joined = events_joined (&test);
  g_ptr_array_unref (test.events);
  return joined;
}

/* atexit_application_quit(): the application is held while the cleanup runs, then quits. */
static void
test_quit (void)
{
  g_autofree char *events = run_application (TRUE, FALSE);

  g_assert_cmpstr (events, ==, "activate,cleanup-started,cleanup-done,shutdown,returned");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (atexit_loop_finalizer_get_default ()), ==, 0);
}

/* A plain g_application_quit(): the safety net on ::shutdown runs what is left. */
static void
test_shutdown_safety_net (void)
{
  g_autofree char *events = run_application (FALSE, TRUE);

  g_assert_cmpstr (events, ==, "activate,cleanup-started,cleanup-done,shutdown,returned");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (atexit_loop_finalizer_get_default ()), ==, 0);
}

/* Both: the safety net waits for the run in progress instead of starting another. */
static void
test_quit_and_safety_net (void)
{
  g_autofree char *events = run_application (TRUE, TRUE);

  g_assert_cmpstr (events, ==, "activate,cleanup-started,cleanup-done,shutdown,returned");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/application/quit/after-cleanups", test_quit);
  g_test_add_func ("/atexit/application/shutdown/runs-leftovers", test_shutdown_safety_net);
  g_test_add_func ("/atexit/application/quit-and-shutdown/one-run", test_quit_and_safety_net);

  return g_test_run ();
}
