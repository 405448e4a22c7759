/* cancel.c: cancelling a run cancels the running group and skips the groups not
 * started
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_cancel_skips_groups (Fixture       *fx,
                          gconstpointer  data)
{
  Item first = { "first", ACT_HOLD };
  Item third = { "third", ACT_SUCCEED };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &first, G_PRIORITY_HIGH);
  add_sync (fx, "second", G_PRIORITY_DEFAULT);
  add_item (fx, &third, G_PRIORITY_LOW);

  /* The default deadline is long: the run must end on cancellation, not on it. */
  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx->finalizer, cancellable, &res);
  WAIT_FOR (fx->context, first.n_started == 1);
  g_cancellable_cancel (cancellable);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (fired);
  g_assert_false (res.ok);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The running group was cancelled; the others were skipped, their destroy notifies
   * called, their functions not. */
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (first.task)));
  g_assert_true (g_str_has_prefix (event_log (), "first "));
  g_assert_false (has_event ("second"));
  g_assert_true (has_event ("~second"));
  g_assert_cmpuint (third.n_started, ==, 0);
  g_assert_cmpuint (third.n_destroyed, ==, 1);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  /* The cancelled one is not waited for, but its data lives until it lets go. */
  g_assert_cmpuint (first.n_destroyed, ==, 0);
  item_return (&first);
  WAIT_FOR (fx->context, first.n_destroyed == 1);
}

static void
test_cancel_before_start (Fixture       *fx,
                          gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  add_sync (fx, "s", G_PRIORITY_DEFAULT);
  add_item (fx, &a, G_PRIORITY_LOW);
  g_cancellable_cancel (cancellable);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (has_event ("s"));
  g_assert_true (has_event ("~s"));
  g_assert_cmpuint (a.n_started, ==, 0);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
}

static void
cancel_cb (gpointer data)
{
  note ("cancel");
  g_cancellable_cancel (data);
}

static void
test_cancel_from_cleanup (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;

  /* In a subprocess: a run that misses its cancellation goes on to later groups, and
   * that failure is reported without stopping the rest of the suite. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (!g_test_trap_has_passed ())
        g_test_fail_printf ("the run went on after it was cancelled (see above)");
      return;
    }

  /* A cleanup that cancels the run: the groups that have not started are skipped. */
  cancellable = g_cancellable_new ();
  atexit_loop_finalizer_add_full (fx->finalizer, "cancel", G_PRIORITY_HIGH,
                                  cancel_cb, cancellable, NULL);
  add_sync (fx, "later", G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (event_log (), ==, "cancel ~later");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/cancel/skips-groups", test_cancel_skips_groups);
  ADD_TEST ("/atexit/finalizer/cancel/before-start", test_cancel_before_start);
  ADD_TEST ("/atexit/finalizer/cancel/from-cleanup", test_cancel_from_cleanup);

  return g_test_run ();
}
