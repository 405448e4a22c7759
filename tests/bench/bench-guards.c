/* bench-guards.c: what the performance work changed still behaves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * A cleanup's name lives inline after its entry, in the same allocation; these
 * tests check that every kind of name still reaches reports intact. The end of an
 * async cleanup is noticed through its task's qdata rather than a weak reference;
 * these tests check that a dropped task, a task released in another thread and the
 * destroy notify still behave. The groups are kept in a heap whose entries carry their
 * priority; a run at many priorities, with removals that empty groups and cleanups
 * added as it goes, checks the order. An object registered with add_object that dies
 * first takes a reference on a context's own finalizer without asking the registry; a
 * forked child, whose finalizer forgot the registration, checks that it asks there.
 */

#include <string.h>

#include "test-util.h"

#ifdef G_OS_UNIX
# include <sys/wait.h>
# include <unistd.h>
#endif

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

/* Many priorities, in a shuffled order. */

typedef struct {
  GArray *called;   /* Called, in the order they ran */
  guint   n_late;   /* cleanups added during the run */
} Priorities;

typedef struct {
  Priorities *all;
  int         priority;
  guint       seq;       /* order of registration */
  gboolean    removed;
  gboolean    adds_late;
  guint       calls;
  guint       destroys;
} Prioritized;

typedef struct {
  int   priority;
  guint seq;
} Called;

static guint next_seq;

static void prioritized_call (gpointer data);

static void
prioritized_destroy (gpointer data)
{
  Prioritized *cleanup = data;

  cleanup->destroys++;
}

static Prioritized *
prioritized_add (AtexitLoopFinalizer *finalizer,
                 Priorities          *all,
                 GPtrArray           *keep,
                 int                  priority,
                 guint               *id)
{
  Prioritized *cleanup = g_new0 (Prioritized, 1);

  cleanup->all = all;
  cleanup->priority = priority;
  cleanup->seq = next_seq++;
  g_ptr_array_add (keep, cleanup);
  *id = atexit_loop_finalizer_add_full (finalizer, NULL, priority, prioritized_call, cleanup,
                                        prioritized_destroy);

  return cleanup;
}

static AtexitLoopFinalizer *late_finalizer;
static GPtrArray *late_keep;

static void
prioritized_call (gpointer data)
{
  Prioritized *cleanup = data;
  Called called = { cleanup->priority, cleanup->seq };

  g_assert_false (cleanup->removed);
  cleanup->calls++;
  g_array_append_val (cleanup->all->called, called);

  /* Groups not started yet take these: they go into the heap as the run goes on. */
  if (cleanup->adds_late)
    for (int i = 1; i <= 3; i++)
      {
        guint id;

        prioritized_add (late_finalizer, cleanup->all, late_keep,
                         cleanup->priority + i * 7919 % 1000 + 1, &id);
        cleanup->all->n_late++;
      }
}

static void
test_priorities_many (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  Priorities all = { g_array_new (FALSE, FALSE, sizeof (Called)), 0 };
  guint n_removed = 0, n_ran = 0;

  late_finalizer = finalizer;
  late_keep = keep;

  /* Priorities drawn from a range smaller than their number: most groups are new, some
   * are joined again. */
  for (guint i = 0; i < 3000; i++)
    {
      Prioritized *cleanup;
      guint id;

      cleanup = prioritized_add (finalizer, &all, keep, g_rand_int_range (rand, -1000, 1000), &id);
      cleanup->adds_late = g_rand_int_range (rand, 0, 50) == 0;
      g_array_append_val (ids, id);
    }

  /* A third goes before the run: some groups empty, leaving the heap from its middle. */
  for (guint i = 0; i < ids->len; i++)
    if (g_rand_int_range (rand, 0, 3) == 0)
      {
        Prioritized *cleanup = g_ptr_array_index (keep, i);

        g_assert_true (atexit_loop_finalizer_remove (finalizer, g_array_index (ids, guint, i)));
        cleanup->removed = TRUE;
        n_removed++;
      }

  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, NULL));

  /* Lowest priority first; within one, last registered first. */
  for (guint i = 1; i < all.called->len; i++)
    {
      Called *before = &g_array_index (all.called, Called, i - 1);
      Called *after = &g_array_index (all.called, Called, i);

      g_assert_cmpint (before->priority, <=, after->priority);
      if (before->priority == after->priority)
        g_assert_cmpuint (before->seq, >, after->seq);
    }

  for (guint i = 0; i < keep->len; i++)
    {
      Prioritized *cleanup = g_ptr_array_index (keep, i);

      g_assert_cmpuint (cleanup->destroys, ==, 1);
      g_assert_cmpuint (cleanup->calls, ==, cleanup->removed ? 0 : 1);
      n_ran += cleanup->calls;
    }
  g_assert_cmpuint (all.n_late, >, 0);
  g_assert_cmpuint (n_ran, ==, 3000 - n_removed + all.n_late);
  g_assert_cmpuint (all.called->len, ==, n_ran);

  late_finalizer = NULL;
  late_keep = NULL;
  g_array_unref (all.called);
}

/* Removals that leave most groups empty: the heap drops them, and is rebuilt without them,
 * while registrations at their priorities fill some again. */
static void
test_priorities_churn (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (74);
  Priorities all = { g_array_new (FALSE, FALSE, sizeof (Called)), 0 };
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_ran = 0, n_expected = 0;

  for (guint round = 0; round < 4; round++)
    {
      /* New priorities, and old ones that may have been emptied. */
      for (guint i = 0; i < 500; i++)
        {
          guint id;

          prioritized_add (finalizer, &all, keep, (int) (round * 300 + i), &id);
          g_array_append_val (ids, id);
        }
      /* Most go again, from anywhere in the heap. */
      for (guint i = 0; i < ids->len; i++)
        {
          Prioritized *cleanup = g_ptr_array_index (keep, i);

          if (!cleanup->removed && g_rand_int_range (rand, 0, 10) < 9)
            {
              g_assert_true (atexit_loop_finalizer_remove (finalizer,
                                                           g_array_index (ids, guint, i)));
              cleanup->removed = TRUE;
            }
        }
    }

  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, NULL));

  for (guint i = 1; i < all.called->len; i++)
    {
      Called *before = &g_array_index (all.called, Called, i - 1);
      Called *after = &g_array_index (all.called, Called, i);

      g_assert_cmpint (before->priority, <=, after->priority);
      if (before->priority == after->priority)
        g_assert_cmpuint (before->seq, >, after->seq);
    }
  for (guint i = 0; i < keep->len; i++)
    {
      Prioritized *cleanup = g_ptr_array_index (keep, i);

      g_assert_cmpuint (cleanup->destroys, ==, 1);
      g_assert_cmpuint (cleanup->calls, ==, cleanup->removed ? 0 : 1);
      n_ran += cleanup->calls;
      n_expected += !cleanup->removed;
    }
  g_assert_cmpuint (n_ran, ==, n_expected);
  g_assert_cmpuint (all.called->len, ==, n_ran);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);
  g_array_unref (all.called);
}

/* A group of one async cleanup that returns its task as it starts takes one iteration of
 * the context: the run moves on in the iteration where GTask completes the task. */

static void
async_returns_counted (AtexitLoopFinalizer *finalizer,
                       GTask               *task,
                       gpointer             user_data)
{
  GArray *order = user_data;
  int priority = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "bench-priority"));

  g_array_append_val (order, priority);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
run_finished_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, NULL));
  *done = TRUE;
}

typedef struct {
  GArray *order;
  int     priority;
  guint   destroys;
} Ordered;

static void
ordered_destroy (gpointer data)
{
  Ordered *ordered = data;

  ordered->destroys++;
}

static void
ordered_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             user_data)
{
  Ordered *ordered = user_data;

  g_object_set_data (G_OBJECT (task), "bench-priority", GINT_TO_POINTER (ordered->priority));
  async_returns_counted (finalizer, task, ordered->order);
}

static void
test_priorities_async_iterations (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  Ordered ordered[200];
  gboolean done = FALSE;
  guint iterations = 0;

  /* No deadline: no timer is due either. */
  atexit_loop_finalizer_set_timeout (finalizer, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ordered); i++)
    {
      ordered[i].order = order;
      ordered[i].priority = (int) (i * 37 % G_N_ELEMENTS (ordered));
      ordered[i].destroys = 0;
      atexit_loop_finalizer_add_async_full (finalizer, NULL, ordered[i].priority,
                                            ordered_cleanup, &ordered[i], ordered_destroy);
    }

  g_main_context_push_thread_default (context);
  atexit_loop_finalizer_run_async (finalizer, NULL, run_finished_cb, &done);
  while (!done)
    {
      g_main_context_iteration (context, TRUE);
      iterations++;
    }
  g_main_context_pop_thread_default (context);

  g_assert_cmpuint (order->len, ==, G_N_ELEMENTS (ordered));
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, (int) i);
  /* Two per group when the run is woken from an iteration of its own. */
  g_assert_cmpuint (iterations, <=, G_N_ELEMENTS (ordered) + 5);
  for (guint i = 0; i < G_N_ELEMENTS (ordered); i++)
    g_assert_cmpuint (ordered[i].destroys, ==, 1);
}

/* add_object in a forked child. */

static void
test_add_object_forked_child (void)
{
#ifdef G_OS_UNIX
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  GCancellable *object = g_cancellable_new ();
  char survived[3] = "";
  int fds[2];
  pid_t pid;

  g_assert_cmpuint (atexit_loop_finalizer_add_object (finalizer, G_OBJECT (object)), !=, 0);

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child forgets what its parent registered; its context's death takes its
       * finalizer; the object then dies, and its registration must not reach the
       * finalizer, which is gone (a critical, fatal here, or a crash if it did). It
       * says so through the pipe rather than its exit status, which valgrind sets for
       * the records the child forgot on purpose. */
      close (fds[0]);
      g_main_context_unref (context);
      g_object_unref (object);
      if (write (fds[1], "ok", 2) != 2)
        _exit (2);
      _exit (0);
    }

  close (fds[1]);
  g_assert_cmpint (read (fds[0], survived, 2), ==, 2);
  g_assert_cmpstr (survived, ==, "ok");
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);

  /* In the parent the registration is there until the object dies. */
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 1);
  g_object_unref (object);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);
  g_main_context_unref (context);
#else
  g_test_skip ("fork() is a Unix call");
#endif
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
  g_test_add_func ("/atexit/bench-guards/priorities/many", test_priorities_many);
  g_test_add_func ("/atexit/bench-guards/priorities/churn", test_priorities_churn);
  g_test_add_func ("/atexit/bench-guards/priorities/async-iterations",
                   test_priorities_async_iterations);
  g_test_add_func ("/atexit/bench-guards/add-object/forked-child", test_add_object_forked_child);

  return g_test_run ();
}
