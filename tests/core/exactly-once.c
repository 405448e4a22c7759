/* exactly-once.c: each cleanup runs at most once, and its destroy notify is called
 * exactly once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_once_sync_destroy_after_call (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "A", destroy_note_cb);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "B", destroy_note_cb);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (event_log (), ==, "B ~B A ~A");
}

static void
test_once_async_destroy_after_release (Fixture       *fx,
                                       gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_auto(RunResult) res = { 0 };
  GTask *task;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  add_item (fx, &holder, G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, holder.n_started == 1);

  /* Returned but still referenced: the cleanup may still use its data. */
  task = g_steal_pointer (&holder.task);
  g_task_return_boolean (task, TRUE);
  WAIT_FOR (fx->context, finished->len == 1);
  g_assert_null (((Finished *) g_ptr_array_index (finished, 0))->error);
  g_assert_cmpuint (holder.n_destroyed, ==, 0);

  g_object_unref (task);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (holder.n_destroyed, ==, 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

static void
test_once_runs_once (Fixture       *fx,
                     gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;

  add_item (fx, &a, G_PRIORITY_DEFAULT);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (a.n_started, ==, 1);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
  g_assert_cmpstr (event_log (), ==, "s ~s a ~a");
}

static void
test_once_straggler_destroy (Fixture       *fx,
                             gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));

  /* Not at the deadline: when the straggler lets go of its task. */
  drain (fx->context);
  g_assert_cmpuint (slow.n_destroyed, ==, 0);
  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
  drain (fx->context);
  g_assert_cmpuint (slow.n_destroyed, ==, 1);
}

typedef struct {
  guint calls;
  guint destroys;
} Counter;

static void
count_call_cb (gpointer data)
{
  ((Counter *) data)->calls++;
}

static void
count_destroy_cb (gpointer data)
{
  ((Counter *) data)->destroys++;
}

static void
test_once_same_function_twice (Fixture       *fx,
                               gconstpointer  data)
{
  Counter counter = { 0 };
  g_autoptr(GError) error = NULL;
  guint id1, id2;

  id1 = atexit_loop_finalizer_add (fx->finalizer, count_call_cb, &counter, count_destroy_cb);
  id2 = atexit_loop_finalizer_add (fx->finalizer, count_call_cb, &counter, count_destroy_cb);
  g_assert_cmpuint (id1, !=, 0);
  g_assert_cmpuint (id2, !=, 0);
  g_assert_cmpuint (id1, !=, id2);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 2);

  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id1));
  g_assert_cmpuint (counter.destroys, ==, 1);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpuint (counter.calls, ==, 1);
  g_assert_cmpuint (counter.destroys, ==, 2);
}

static void
test_once_removed (Fixture       *fx,
                   gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;
  guint id_sync, id_async;

  id_sync = add_sync (fx, "s", G_PRIORITY_DEFAULT);
  id_async = add_item (fx, &a, G_PRIORITY_DEFAULT);

  /* Removed: destroyed inside remove(), once, and never run. */
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_cmpstr (event_log (), ==, "~s");
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id_async));
  g_assert_cmpuint (a.n_destroyed, ==, 1);

  /* Removing again is harmless: the id was issued, the cleanup is gone. */
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_async));

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (event_log (), ==, "~s ~a");
  g_assert_cmpuint (a.n_started, ==, 0);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/once/sync-destroy-after-call", test_once_sync_destroy_after_call);
  ADD_TEST ("/atexit/finalizer/once/async-destroy-after-release",
            test_once_async_destroy_after_release);
  ADD_TEST ("/atexit/finalizer/once/runs-once", test_once_runs_once);
  ADD_TEST ("/atexit/finalizer/once/straggler-destroy", test_once_straggler_destroy);
  ADD_TEST ("/atexit/finalizer/once/same-function-twice", test_once_same_function_twice);
  ADD_TEST ("/atexit/finalizer/once/removed", test_once_removed);

  return g_test_run ();
}
