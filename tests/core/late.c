/* late.c: a cleanup added or removed while a run is in progress
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_late_own_group (Fixture       *fx,
                     gconstpointer  data)
{
  Item high = { "high", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &high, G_PRIORITY_HIGH);
  add_sync (fx, "default", G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, high.n_started == 1);

  /* Groups not started yet: each joins its own. */
  add_sync (fx, "late-low", G_PRIORITY_LOW);
  add_sync (fx, "late-default", G_PRIORITY_DEFAULT);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 3);
  drain (fx->context);
  g_assert_cmpstr (event_log (), ==, "high");

  item_return (&high);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (event_log (), ==,
                   "high high-done ~high late-default ~late-default default ~default "
                   "late-low ~late-low");
}

static void
test_late_started_at_once (Fixture       *fx,
                           gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  Item joiner = { "joiner", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &running, G_PRIORITY_DEFAULT);
  add_sync (fx, "after", G_PRIORITY_LOW);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Its group is running: it is started at once, alongside. */
  add_item (fx, &joiner, G_PRIORITY_DEFAULT);
  WAIT_FOR (fx->context, joiner.n_started == 1);
  g_assert_nonnull (running.task);

  /* … and counted in the group, which waits for it. */
  item_return (&running);
  WAIT_FOR (fx->context, running.n_destroyed == 1);
  drain (fx->context);
  g_assert_false (has_event ("after"));
  g_assert_false (res.done);

  item_return (&joiner);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (event_log (), ==,
                   "running joiner running-done ~running joiner-done ~joiner after ~after");
}

static void
test_late_earlier_priority (Fixture       *fx,
                            gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &running, G_PRIORITY_DEFAULT);
  add_sync (fx, "low", G_PRIORITY_LOW);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Its group has passed: it joins the group in progress rather than being lost. */
  add_sync (fx, "urgent", G_PRIORITY_HIGH);
  WAIT_FOR (fx->context, has_event ("urgent"));
  g_assert_nonnull (running.task);

  item_return (&running);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (event_log (), ==, "running urgent ~urgent running-done ~running low ~low");
}

static void
add_from_cleanup_cb (gpointer data)
{
  Fixture *fx = data;

  note ("adder");
  add_sync (fx, "added", G_PRIORITY_DEFAULT);
}

static void
test_late_added_by_cleanup (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, add_from_cleanup_cb, fx, NULL);
  add_sync (fx, "low", G_PRIORITY_LOW);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "adder added ~added low ~low");
}

static void
test_late_remove_not_started (Fixture       *fx,
                              gconstpointer  data)
{
  Item high = { "high", ACT_HOLD };
  Item never = { "never", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };
  guint id;

  add_item (fx, &high, G_PRIORITY_HIGH);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, high.n_started == 1);

  id = add_item (fx, &never, G_PRIORITY_LOW);
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_cmpuint (never.n_destroyed, ==, 1);

  item_return (&high);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (never.n_started, ==, 0);
  g_assert_cmpuint (never.n_destroyed, ==, 1);
}

static void
test_late_remove_queued (Fixture       *fx,
                         gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  Item queued = { "queued", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };
  guint id;

  add_item (fx, &running, G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Queued to join the running group, removed before it was started. The group
   * then waits for nothing more than its own. */
  id = add_item (fx, &queued, G_PRIORITY_DEFAULT);
  item_return (&running);
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_cmpuint (queued.n_destroyed, ==, 1);

  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (queued.n_started, ==, 0);
  g_assert_cmpuint (queued.n_destroyed, ==, 1);
}

static void
test_late_remove_started (Fixture       *fx,
                          gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  guint id, id_sync;

  id = add_item (fx, &running, G_PRIORITY_HIGH);
  id_sync = add_sync (fx, "ran", G_PRIORITY_HIGH);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Started or run: FALSE, quietly (a critical would be fatal here), nothing destroyed. */
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_cmpuint (running.n_destroyed, ==, 0);

  item_return (&running);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (running.n_destroyed, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/late/own-group", test_late_own_group);
  ADD_TEST ("/atexit/finalizer/late/started-at-once", test_late_started_at_once);
  ADD_TEST ("/atexit/finalizer/late/earlier-priority", test_late_earlier_priority);
  ADD_TEST ("/atexit/finalizer/late/added-by-cleanup", test_late_added_by_cleanup);
  ADD_TEST ("/atexit/finalizer/late/remove-not-started", test_late_remove_not_started);
  ADD_TEST ("/atexit/finalizer/late/remove-queued", test_late_remove_queued);
  ADD_TEST ("/atexit/finalizer/late/remove-started", test_late_remove_started);

  return g_test_run ();
}
