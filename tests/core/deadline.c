/* deadline.c: a cleanup past its deadline is cancelled, named in the error and left
 * behind; the run moves on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_deadline_straggler_named (Fixture       *fx,
                               gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (error, "slowpoke");
  /* … and how long it ran. */
  g_assert_true (g_regex_match_simple ("[0-9]+(\\.[0-9]+)? ?ms", error->message, 0, 0));
  g_test_assert_expected_messages ();

  /* The run moved on without it: the straggler still holds its task. */
  g_assert_cmpuint (slow.n_destroyed, ==, 0);
  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_cancels_group (Fixture       *fx,
                             gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  GCancellable *cancellable;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, slow.n_started == 1);

  cancellable = g_task_get_cancellable (slow.task);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_false (g_cancellable_is_cancelled (cancellable));

  WAIT_FOR (fx->context, res.done);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (slow.task)));

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_moves_on (Fixture       *fx,
                        gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_HIGH);
  add_sync (fx, "next", G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (error, "slowpoke");
  assert_message_does_not_name (error, "next");
  g_assert_cmpstr (event_log (), ==, "slowpoke next ~next");

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_late_completion_ignored (Fixture       *fx,
                                       gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_autoptr(GError) error = NULL;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (finished->len, ==, 1);

  /* A failure after the deadline is neither logged (a warning would be fatal here)
   * nor reported again. */
  item_fail (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
  drain (fx->context);
  g_assert_cmpuint (finished->len, ==, 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

static void
test_deadline_failed_and_straggler (Fixture       *fx,
                                    gconstpointer  data)
{
  Item broken = { "broken", ACT_FAIL };
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &broken, G_PRIORITY_DEFAULT);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  /* Not only deadlines were missed: FAILED, naming both. */
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (error, "broken");
  assert_message_names (error, "slowpoke");

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_zero_is_none (Fixture       *fx,
                            gconstpointer  data)
{
  Item patient = { "patient", ACT_SUCCEED_LATER, 50 };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, 0);
  add_item (fx, &patient, G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "patient patient-done ~patient");
}

static void
test_deadline_per_group (Fixture       *fx,
                         gconstpointer  data)
{
  /* Four groups of 100 ms each under a 250 ms deadline: fine if the deadline is per
   * group, a miss if it were per run. */
  Item items[] = {
    { "g1", ACT_SUCCEED_LATER, 100 },
    { "g2", ACT_SUCCEED_LATER, 100 },
    { "g3", ACT_SUCCEED_LATER, 100 },
    { "g4", ACT_SUCCEED_LATER, 100 },
  };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 250);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    add_item (fx, &items[i], (int) i);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_assert_cmpuint (items[i].n_destroyed, ==, 1);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_deadline_timeout_property (Fixture       *fx,
                                gconstpointer  data)
{
  guint notified = 0;
  guint timeout = 0;

  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, ATEXIT_DEFAULT_TIMEOUT);
  g_assert_cmpuint (ATEXIT_DEFAULT_TIMEOUT, ==, 10000);

  g_signal_connect (fx->finalizer, "notify::timeout", G_CALLBACK (count_notify_cb), &notified);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 500);
  g_assert_cmpuint (notified, ==, 1);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 500);
  g_assert_cmpuint (notified, ==, 1);

  g_object_set (fx->finalizer, "timeout", 0u, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_object_get (fx->finalizer, "timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, 0);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &notified);
}

static void
shorten_timeout_cb (gpointer data)
{
  note ("shorten");
  atexit_loop_finalizer_set_timeout (data, 50);
}

static void
test_deadline_read_per_group (Fixture       *fx,
                              gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  /* A timeout set during a run applies to the groups that start after it. */
  atexit_loop_finalizer_add_full (fx->finalizer, "shorten", G_PRIORITY_HIGH,
                                  shorten_timeout_cb, fx->finalizer, NULL);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, res.done);
  g_assert_false (fired);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/deadline/straggler-named", test_deadline_straggler_named);
  ADD_TEST ("/atexit/finalizer/deadline/cancels-group", test_deadline_cancels_group);
  ADD_TEST ("/atexit/finalizer/deadline/moves-on", test_deadline_moves_on);
  ADD_TEST ("/atexit/finalizer/deadline/late-completion-ignored",
            test_deadline_late_completion_ignored);
  ADD_TEST ("/atexit/finalizer/deadline/failed-and-straggler", test_deadline_failed_and_straggler);
  ADD_TEST ("/atexit/finalizer/deadline/zero-is-none", test_deadline_zero_is_none);
  ADD_TEST ("/atexit/finalizer/deadline/per-group", test_deadline_per_group);
  ADD_TEST ("/atexit/finalizer/deadline/timeout-property", test_deadline_timeout_property);
  ADD_TEST ("/atexit/finalizer/deadline/read-per-group", test_deadline_read_per_group);

  return g_test_run ();
}
