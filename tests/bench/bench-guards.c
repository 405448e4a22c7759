/* bench-guards.c: what the performance work changed still behaves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * A cleanup's name lives inline after its entry, in the same allocation; these
 * tests check that every kind of name still reaches reports intact. The end of an
 * async cleanup is noticed through its task's qdata rather than a weak reference;
 * these tests check that a dropped task, a task released in another thread and the
 * destroy notify still behave.
 */

#include <string.h>

#include "test-util.h"

static void
sync_noop (gpointer user_data)
{
}

static void
async_fails (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the pipe broke");
  g_object_unref (task);
}

static void
test_names_inline (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  guint unnamed_id;
  g_autofree char *unnamed = NULL;

  g_signal_connect (finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);

  /* Started last first: the finish order below is the reverse of this one. */
  unnamed_id = atexit_loop_finalizer_add (finalizer, sync_noop, NULL, NULL);
  atexit_loop_finalizer_add_full (finalizer, "", G_PRIORITY_DEFAULT, sync_noop, NULL, NULL);
  atexit_loop_finalizer_add_full (finalizer, long_name, G_PRIORITY_DEFAULT,
                                  sync_noop, NULL, NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "flush-log", G_PRIORITY_DEFAULT,
                                        async_fails, NULL, NULL);

  g_assert_false (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_test_assert_expected_messages ();

  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "“flush-log”"));

  /* The async one finishes when its task is returned, after the sync ones ran. */
  unnamed = g_strdup_printf ("cleanup #%u", unnamed_id);
  g_assert_cmpuint (finished->len, ==, 4);
  g_assert_cmpstr (((Finished *) g_ptr_array_index (finished, 0))->name, ==, long_name);
  g_assert_cmpstr (((Finished *) g_ptr_array_index (finished, 1))->name, ==, "");
  g_assert_cmpstr (((Finished *) g_ptr_array_index (finished, 2))->name, ==, unnamed);
  g_assert_cmpstr (((Finished *) g_ptr_array_index (finished, 3))->name, ==, "flush-log");

  g_signal_handlers_disconnect_by_data (finalizer, finished);
}

static void
test_names_context_died (void)
{
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);

  atexit_loop_finalizer_add_full (finalizer, "close-socket", G_PRIORITY_LOW,
                                  sync_noop, NULL, NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "say-goodbye", G_PRIORITY_HIGH,
                                        async_fails, NULL, NULL);

  EXPECT_WARNING ("*2 cleanups*“say-goodbye”, “close-socket”*");
  g_main_context_unref (context);
  g_test_assert_expected_messages ();
}

static void
count_destroy (gpointer data)
{
  guint *destroyed = data;

  (*destroyed)++;
}

static void
async_drops (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  g_object_unref (task);
}

static void
test_task_gone_dropped (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GError) error = NULL;
  guint destroyed = 0;

  /* No deadline: the run ends only because the dropped task is noticed. */
  atexit_loop_finalizer_set_timeout (finalizer, 0);
  atexit_loop_finalizer_add_async_full (finalizer, "drops-its-task", G_PRIORITY_DEFAULT,
                                        async_drops, &destroyed, count_destroy);

  g_assert_false (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_cmpuint (destroyed, ==, 1);
}

static gpointer
return_in_thread (gpointer data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);

  return NULL;
}

typedef struct {
  GThread *thread;
  guint   *destroyed;
} InThread;

static void
in_thread_destroy (gpointer data)
{
  InThread *in_thread = data;

  /* Released once the task is gone, in the finalizer's context. */
  (*in_thread->destroyed)++;
}

static void
async_returns_in_thread (AtexitLoopFinalizer *finalizer,
                         GTask               *task,
                         gpointer             user_data)
{
  InThread *in_thread = user_data;

  in_thread->thread = g_thread_new ("returns-task", return_in_thread, task);
}

static void
test_task_gone_other_thread (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GError) error = NULL;
  InThread in_threads[8];
  guint destroyed = 0;

  atexit_loop_finalizer_set_timeout (finalizer, 0);
  for (guint i = 0; i < G_N_ELEMENTS (in_threads); i++)
    {
      in_threads[i].thread = NULL;
      in_threads[i].destroyed = &destroyed;
      atexit_loop_finalizer_add_async_full (finalizer, "returns-in-a-thread", G_PRIORITY_DEFAULT,
                                            async_returns_in_thread, &in_threads[i],
                                            in_thread_destroy);
    }

  /* No warning: it would be fatal. */
  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_assert_no_error (error);

  /* The run ends when the tasks are returned; each destroy notify follows when its
   * task is released, which a thread may do after the run. */
  for (guint i = 0; i < G_N_ELEMENTS (in_threads); i++)
    g_thread_join (in_threads[i].thread);
  WAIT_FOR (context, destroyed >= G_N_ELEMENTS (in_threads));
  g_assert_cmpuint (destroyed, ==, G_N_ELEMENTS (in_threads));
}

static void
async_returns (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
test_task_gone_destroy_once (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  guint destroyed = 0;

  for (guint i = 0; i < 100; i++)
    atexit_loop_finalizer_add_async (finalizer, async_returns, &destroyed, count_destroy);

  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, NULL));
  g_assert_cmpuint (destroyed, ==, 100);

  /* Idle again: the next run has nothing to do and destroys nothing more. */
  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, NULL));
  g_assert_cmpuint (destroyed, ==, 100);
}

static void
async_keeps (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  GTask **kept = user_data;

  *kept = task;
}

static void
test_task_gone_after_deadline (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GError) error = NULL;
  GTask *kept = NULL;
  guint destroyed = 0;

  atexit_loop_finalizer_set_timeout (finalizer, 20);
  atexit_loop_finalizer_add_async_full (finalizer, "outlives-its-group", G_PRIORITY_DEFAULT,
                                        async_keeps, &kept, NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "counts", G_PRIORITY_LOW,
                                        async_returns, &destroyed, count_destroy);

  g_assert_false (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_cmpuint (destroyed, ==, 1);
  g_assert_nonnull (kept);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (kept)));

  /* A late return is ignored, without a warning (it would be fatal); releasing the task
   * lets the abandoned cleanup go. */
  g_task_return_boolean (kept, TRUE);
  g_object_unref (kept);
  drain (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/bench-guards/names/inline", test_names_inline);
  g_test_add_func ("/atexit/bench-guards/names/context-died", test_names_context_died);
  g_test_add_func ("/atexit/bench-guards/task-gone/dropped", test_task_gone_dropped);
  g_test_add_func ("/atexit/bench-guards/task-gone/other-thread", test_task_gone_other_thread);
  g_test_add_func ("/atexit/bench-guards/task-gone/destroy-once", test_task_gone_destroy_once);
  g_test_add_func ("/atexit/bench-guards/task-gone/after-deadline", test_task_gone_after_deadline);

  return g_test_run ();
}
