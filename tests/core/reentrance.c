/* reentrance.c: a run during a run joins it; afterwards the finalizer is idle and can run
 * again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
count_signal_cb (gpointer instance,
                 gpointer data)
{
  (*(guint *) data)++;
}

static void
test_reentrance_join_async (Fixture       *fx,
                            gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  Item boom = { "boom", ACT_FAIL };
  g_auto(RunResult) res1 = { 0 };
  g_auto(RunResult) res2 = { 0 };
  guint about_to_close = 0;

  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (count_signal_cb),
                    &about_to_close);
  add_item (fx, &boom, G_PRIORITY_DEFAULT);
  add_item (fx, &holder, G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, NULL, &res1);
  WAIT_FOR (fx->context, holder.n_started == 1);
  start_run (fx->finalizer, NULL, &res2);
  item_return (&holder);
  WAIT_FOR (fx->context, res1.done && res2.done);

  /* One run, one result for both callers. */
  g_assert_cmpuint (about_to_close, ==, 1);
  g_assert_cmpuint (boom.n_started, ==, 1);
  g_assert_false (res1.ok);
  g_assert_false (res2.ok);
  g_assert_error (res1.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_error (res2.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_cmpstr (res1.error->message, ==, res2.error->message);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &about_to_close);
}

static void
test_reentrance_join_blocking (Fixture       *fx,
                               gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(GError) error = NULL;

  add_item (fx, &holder, G_PRIORITY_DEFAULT);
  add_sync (fx, "low", G_PRIORITY_LOW);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, holder.n_started == 1);

  /* A blocking run during a run waits for that run. */
  idle_in (fx->context, item_return_cb, &holder);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (has_event ("low"));

  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (holder.n_started, ==, 1);
}

static void
run_from_handler_cb (AtexitLoopFinalizer *finalizer,
                     gpointer             data)
{
  RunResult *res = data;

  note ("about-to-close");
  atexit_loop_finalizer_run_async (finalizer, NULL, run_done_cb, res);
}

static void
test_reentrance_join_from_signal (Fixture       *fx,
                                  gconstpointer  data)
{
  g_auto(RunResult) res1 = { 0 };
  g_auto(RunResult) res2 = { 0 };

  add_sync (fx, "s", G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (run_from_handler_cb), &res2);

  start_run (fx->finalizer, NULL, &res1);
  WAIT_FOR (fx->context, res1.done && res2.done);
  g_assert_true (res1.ok);
  g_assert_true (res2.ok);
  g_assert_cmpstr (event_log (), ==, "about-to-close s ~s");

  g_signal_handlers_disconnect_by_data (fx->finalizer, &res2);
}

/* A blocking run from inside the run itself (an about-to-close handler, a cleanup) cannot
 * wait for a run that waits for it. Whatever it does, join or fail, it must return, and
 * the run must end: no hang, no abort. In a subprocess, so that a hang is a failure. */

typedef struct {
  guint    calls;
  gboolean nested_returned;
} Nested;

static void
nested_run (AtexitLoopFinalizer *finalizer,
            Nested              *nested)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (nested->calls++ > 0)
    return;
  ok = atexit_loop_finalizer_run (finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  nested->nested_returned = TRUE;
}

static void
nested_run_handler_cb (AtexitLoopFinalizer *finalizer,
                       gpointer             data)
{
  nested_run (finalizer, data);
}

typedef struct {
  AtexitLoopFinalizer *finalizer;
  Nested               nested;
} NestedCleanup;

static void
nested_run_cleanup_cb (gpointer data)
{
  NestedCleanup *nc = data;

  nested_run (nc->finalizer, &nc->nested);
}

static void
assert_subprocess_ends (const char *what)
{
  g_test_trap_subprocess (NULL, 5 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("a blocking run from inside %s did not return (%s)", what,
                        g_test_trap_reached_timeout () ? "it hung" : "it crashed");
}

static void
test_reentrance_blocking_in_signal (Fixture       *fx,
                                    gconstpointer  data)
{
  Nested nested = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!g_test_subprocess ())
    {
      assert_subprocess_ends ("an about-to-close handler");
      return;
    }

  atexit_loop_finalizer_set_timeout (fx->finalizer, 100);
  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (nested_run_handler_cb), &nested);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  ok = atexit_loop_finalizer_run (fx->finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  g_assert_true (nested.nested_returned);
  g_assert_cmpstr (event_log (), ==, "s ~s");
  g_signal_handlers_disconnect_by_data (fx->finalizer, &nested);
}

static void
test_reentrance_blocking_in_cleanup (Fixture       *fx,
                                     gconstpointer  data)
{
  NestedCleanup nc = { fx->finalizer, { 0 } };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!g_test_subprocess ())
    {
      assert_subprocess_ends ("a cleanup");
      return;
    }

  atexit_loop_finalizer_set_timeout (fx->finalizer, 100);
  atexit_loop_finalizer_add_full (fx->finalizer, "nested", G_PRIORITY_HIGH,
                                  nested_run_cleanup_cb, &nc, NULL);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  ok = atexit_loop_finalizer_run (fx->finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  g_assert_true (nc.nested.nested_returned);
  g_assert_true (has_event ("s"));
}

static void
test_reentrance_idle_after_run (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_sync (fx, "first", G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  /* Registered after the run: waits for the next one. */
  add_sync (fx, "second", G_PRIORITY_DEFAULT);
  drain (fx->context);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);
  g_assert_cmpstr (event_log (), ==, "first ~first");

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "first ~first second ~second");
}

static void
test_reentrance_run_again (Fixture       *fx,
                           gconstpointer  data)
{
  Item boom = { "boom", ACT_FAIL };
  g_autoptr(GError) error = NULL;

  /* Nothing registered: a run succeeds at once. */
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);

  /* A failed run leaves no trace on the next. */
  add_item (fx, &boom, G_PRIORITY_DEFAULT);
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_clear_error (&error);
  g_test_assert_expected_messages ();

  add_sync (fx, "again", G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "boom ~boom again ~again");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/reentrance/join-async", test_reentrance_join_async);
  ADD_TEST ("/atexit/finalizer/reentrance/join-blocking", test_reentrance_join_blocking);
  ADD_TEST ("/atexit/finalizer/reentrance/join-from-signal", test_reentrance_join_from_signal);
  ADD_TEST ("/atexit/finalizer/reentrance/blocking-in-signal", test_reentrance_blocking_in_signal);
  ADD_TEST ("/atexit/finalizer/reentrance/blocking-in-cleanup",
            test_reentrance_blocking_in_cleanup);
  ADD_TEST ("/atexit/finalizer/reentrance/idle-after-run", test_reentrance_idle_after_run);
  ADD_TEST ("/atexit/finalizer/reentrance/run-again", test_reentrance_run_again);

  return g_test_run ();
}
