/* api.c: the 1.0 API: construction by properties, ids across finalizers, errors to
 * whoever asked, per-cleanup and total deadlines, versions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>

#include "test-util.h"

/* Constructing a finalizer gives the context's one: never a second whose cleanups
 * nobody would run. */
static void
test_construct_gives_context_finalizer (Fixture       *fx,
                                        gconstpointer  data)
{
  g_autoptr(AtexitLoopFinalizer) with_context = NULL;
  g_autoptr(AtexitLoopFinalizer) by_default = NULL;
  g_autoptr(AtexitLoopFinalizer) again = NULL;
  g_autoptr(GError) error = NULL;

  with_context = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER, "context", fx->context, NULL);
  g_assert_true (with_context == fx->finalizer);

  by_default = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER, NULL);
  g_assert_true (by_default == atexit_loop_finalizer_get_default ());
  again = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER, "context", g_main_context_default (), NULL);
  g_assert_true (again == by_default);

  /* What is added through the constructed one runs with the context's. */
  atexit_loop_finalizer_add (with_context, sync_note_cb, (gpointer) "a", destroy_note_cb);
  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpstr (event_log (), ==, "a ~a");
}

/* A group built by its properties, as Atexit.Group(parent=…, name=…) does, works. */
static void
test_group_by_properties (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(AtexitGroup) group = NULL;
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_autoptr(AtexitLoopFinalizer) parent = NULL;
  g_autofree char *name = NULL;
  int priority;
  g_autoptr(GError) error = NULL;

  group = g_object_new (ATEXIT_TYPE_GROUP,
                        "parent", fx->finalizer,
                        "name", "plugin",
                        "priority", G_PRIORITY_HIGH,
                        NULL);
  g_object_get (group, "parent", &parent, "name", &name, "priority", &priority, NULL);
  g_assert_true (parent == fx->finalizer);
  g_assert_cmpstr (name, ==, "plugin");
  g_assert_cmpint (priority, ==, G_PRIORITY_HIGH);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);

  atexit_loop_finalizer_add (atexit_group_get_finalizer (group), sync_note_cb, (gpointer) "in",
                             destroy_note_cb);
  add_sync (fx, "host", G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished),
                    finished);

  g_assert_null ((error = run_blocking (fx->finalizer)));
  /* The group ran first, at its priority, as one cleanup named after it. */
  g_assert_cmpstr (event_log (), ==, "in ~in host ~host");
  g_assert_cmpint (find_finished (finished, "plugin")->priority, ==, G_PRIORITY_HIGH);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

/* atexit_unregister() reaches every finalizer, a group's included. */
static void
test_unregister_group_cleanup (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(AtexitGroup) group = atexit_group_new (fx->finalizer, "plugin", G_PRIORITY_DEFAULT);
  g_autoptr(GError) error = NULL;
  guint id;

  id = atexit_loop_finalizer_add (atexit_group_get_finalizer (group), sync_note_cb,
                                  (gpointer) "never", destroy_note_cb);
  g_assert_true (atexit_unregister (id));
  g_assert_cmpstr (event_log (), ==, "~never");
  g_assert_false (atexit_unregister (id));

  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpstr (event_log (), ==, "~never");
}

/* A failure goes to whoever asked: this program's warnings are fatal, and it asserts the
 * failure through the run's error, expecting no warning. */
static void
test_failure_not_logged (Fixture       *fx,
                         gconstpointer  data)
{
  Item bad = { "bad", ACT_FAIL };
  Item dropper = { "dropper", ACT_DROP };
  Item slow = { "slow", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_set_timeout (fx->finalizer, 20);
  add_item (fx, &bad, G_PRIORITY_DEFAULT);
  add_item (fx, &dropper, G_PRIORITY_DEFAULT);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (res.error, "bad");
  assert_message_names (res.error, "dropper");
  assert_message_names (res.error, "slow");
  g_clear_object (&slow.task);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

/* quit_loop()'s run has nobody to give its error to: it is logged. */
static void
test_quit_loop_failure_logged (Fixture       *fx,
                               gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (fx->context, FALSE);
  Item bad = { "bad", ACT_FAIL };

  add_item (fx, &bad, G_PRIORITY_DEFAULT);
  EXPECT_WARNING ("Shutdown: 1 cleanup did not succeed*“bad”*");
  atexit_loop_finalizer_quit_loop (fx->finalizer, loop);
  g_main_loop_run (loop);
}

/* Per-cleanup deadlines: one that needs longer than the finalizer's timeout gets it, and
 * the others are not held up by it. */
static void
test_cleanup_timeout_own (Fixture       *fx,
                          gconstpointer  data)
{
  Item patient = { "patient", ACT_SUCCEED_LATER, 150 };
  Item stuck = { "stuck", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_auto(RunResult) res = { 0 };
  guint id;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  id = add_item (fx, &patient, G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer, id, 5000));
  add_item (fx, &stuck, G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished),
                    finished);

  run_and_wait (fx->finalizer, NULL, &res);

  /* Only the one that kept the finalizer's deadline missed it. */
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (res.error, "stuck");
  assert_message_does_not_name (res.error, "patient");
  g_assert_nonnull (strstr (res.error->message, "deadline of 50 ms"));
  g_assert_no_error (find_finished (finished, "patient")->error);
  g_assert_error (find_finished (finished, "stuck")->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (stuck.task)));

  g_clear_object (&stuck.task);
  WAIT_FOR (fx->context, stuck.n_destroyed == 1 && patient.n_destroyed == 1);
  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

/* A shorter deadline of its own cuts one cleanup short, and not the rest of its group. */
static void
test_cleanup_timeout_shorter (Fixture       *fx,
                              gconstpointer  data)
{
  Item hasty = { "hasty", ACT_HOLD };
  Item calm = { "calm", ACT_SUCCEED_LATER, 100 };
  g_auto(RunResult) res = { 0 };
  guint id;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 0);
  add_item (fx, &calm, G_PRIORITY_DEFAULT);
  id = add_item (fx, &hasty, G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer, id, 20));

  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (res.error, "hasty");
  g_assert_nonnull (strstr (res.error->message, "deadline of 20 ms"));
  assert_message_does_not_name (res.error, "calm");
  g_assert_true (has_event ("calm-done"));
  /* Only its own cancellable was cancelled. */
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (hasty.task)));

  g_clear_object (&hasty.task);
  WAIT_FOR (fx->context, hasty.n_destroyed == 1 && calm.n_destroyed == 1);
}

/* An id that is not registered (started, removed, never) gives FALSE. */
static void
test_cleanup_timeout_not_registered (Fixture       *fx,
                                     gconstpointer  data)
{
  guint id = add_sync (fx, "s", G_PRIORITY_DEFAULT);
  g_autoptr(GError) error = NULL;

  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_false (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer, id, 10));
}

/* total-timeout caps the run: what runs is cancelled, the groups not started are
 * skipped, each named in the error. */
static void
test_total_timeout (Fixture       *fx,
                    gconstpointer  data)
{
  Item first = { "first", ACT_HOLD };
  Item second = { "second", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_set_timeout (fx->finalizer, 0);
  atexit_loop_finalizer_set_total_timeout (fx->finalizer, 40);
  add_item (fx, &first, G_PRIORITY_HIGH);
  add_item (fx, &second, G_PRIORITY_LOW);
  add_sync (fx, "third", G_PRIORITY_LOW + 1);

  run_and_wait (fx->finalizer, NULL, &res);
  atexit_loop_finalizer_set_total_timeout (fx->finalizer, 0);

  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (res.error->message, "total deadline of 40 ms"));
  assert_message_names (res.error, "first");
  assert_message_names (res.error, "second");
  assert_message_names (res.error, "third");
  g_assert_cmpuint (second.n_started, ==, 0);
  g_assert_cmpuint (second.n_destroyed, ==, 1);
  g_assert_cmpstr (event_log (), ==, "first ~second ~third");
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (first.task)));

  g_clear_object (&first.task);
  WAIT_FOR (fx->context, first.n_destroyed == 1);
}

/* Versions: the headers' and the loaded library's. */
static void
test_versions (void)
{
  g_assert_cmpuint (atexit_get_major_version (), ==, ATEXIT_MAJOR_VERSION);
  g_assert_cmpuint (atexit_get_minor_version (), ==, ATEXIT_MINOR_VERSION);
  g_assert_cmpuint (atexit_get_micro_version (), ==, ATEXIT_MICRO_VERSION);
  g_assert_true (atexit_check_version (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION,
                                       ATEXIT_MICRO_VERSION));
  g_assert_true (atexit_check_version (1, 0, 0));
  g_assert_false (atexit_check_version (2, 0, 0));
  g_assert_false (atexit_check_version (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION + 1, 0));
  g_assert_false (atexit_check_version (0, 9, 0));
  g_assert_true (ATEXIT_CHECK_VERSION (1, 0, 0));
  g_assert_false (ATEXIT_CHECK_VERSION (1, 0, ATEXIT_MICRO_VERSION + 1));
  g_assert_false (ATEXIT_CHECK_VERSION (2, 0, 0));

  {
    g_autofree char *expected = g_strdup_printf ("%u.%u.%u", ATEXIT_MAJOR_VERSION,
                                                 ATEXIT_MINOR_VERSION, ATEXIT_MICRO_VERSION);

    g_assert_cmpstr (ATEXIT_VERSION_STRING, ==, expected);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/api/construct/gives-context-finalizer", test_construct_gives_context_finalizer);
  ADD_TEST ("/atexit/api/construct/group-by-properties", test_group_by_properties);
  ADD_TEST ("/atexit/api/unregister/group-cleanup", test_unregister_group_cleanup);
  ADD_TEST ("/atexit/api/errors/failure-not-logged", test_failure_not_logged);
  ADD_TEST ("/atexit/api/errors/quit-loop-logged", test_quit_loop_failure_logged);
  ADD_TEST ("/atexit/api/deadline/own-longer", test_cleanup_timeout_own);
  ADD_TEST ("/atexit/api/deadline/own-shorter", test_cleanup_timeout_shorter);
  ADD_TEST ("/atexit/api/deadline/own-not-registered", test_cleanup_timeout_not_registered);
  ADD_TEST ("/atexit/api/deadline/total", test_total_timeout);
  g_test_add_func ("/atexit/api/versions", test_versions);

  return g_test_run ();
}
