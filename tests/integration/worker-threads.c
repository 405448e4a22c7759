/* worker-threads.c: a worker thread with its own context and finalizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

typedef struct {
  GMutex               mutex;
  GCond                cond;
  GThread             *thread;
  GMainContext        *context;
  GMainLoop           *loop;
  AtexitLoopFinalizer *finalizer;
  gboolean             ready;
  guint                n_ran;
  guint                n_in_other_thread;
  gboolean             finalizer_gone;
  GPtrArray           *completers;       /* the threads that returned tasks */
} Worker;

static gpointer
worker_main (gpointer data)
{
  Worker *worker = data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);

  g_mutex_lock (&worker->mutex);
  worker->context = context;
  worker->loop = g_main_loop_new (context, FALSE);
  worker->finalizer = atexit_loop_finalizer_get_thread_default ();
  g_object_add_weak_pointer (G_OBJECT (worker->finalizer), (gpointer *) &worker->finalizer);
  worker->ready = TRUE;
  g_cond_signal (&worker->cond);
  g_mutex_unlock (&worker->mutex);

  g_main_loop_run (worker->loop);

  g_main_context_pop_thread_default (context);
  g_main_loop_unref (worker->loop);
  /* The context dies with the thread, and its finalizer with it. */
  g_main_context_unref (context);
  return NULL;
}

static void
worker_start (Worker *worker)
{
  g_mutex_init (&worker->mutex);
  g_cond_init (&worker->cond);
  worker->completers = g_ptr_array_new ();
  worker->thread = g_thread_new ("worker", worker_main, worker);
  g_mutex_lock (&worker->mutex);
  while (!worker->ready)
    g_cond_wait (&worker->cond, &worker->mutex);
  g_mutex_unlock (&worker->mutex);
}

static void
record_thread (Worker *worker)
{
  g_mutex_lock (&worker->mutex);
  worker->n_ran++;
  if (g_thread_self () != worker->thread)
    worker->n_in_other_thread++;
  g_mutex_unlock (&worker->mutex);
}

static void
sync_cleanup (gpointer data)
{
  record_thread (data);
}

/* Completes its task from yet another thread, as a cleanup may. */
static gpointer
complete_elsewhere (gpointer data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return NULL;
}

static void
async_cleanup (AtexitLoopFinalizer *finalizer,
               GTask               *task,
               gpointer             user_data)
{
  Worker *worker = user_data;

  record_thread (worker);
  g_mutex_lock (&worker->mutex);
  g_ptr_array_add (worker->completers, g_thread_new ("completer", complete_elsewhere, task));
  g_mutex_unlock (&worker->mutex);
}

typedef struct {
  Worker *worker;
  guint   n;
} Registrar;

static gpointer
register_many (gpointer data)
{
  Registrar *registrar = data;

  for (guint i = 0; i < registrar->n; i++)
    {
      guint id = atexit_loop_finalizer_add (registrar->worker->finalizer, sync_cleanup,
                                            registrar->worker, NULL);

      /* Every other one is removed again, from this thread. */
      if (i % 2 == 1)
        g_assert_true (atexit_loop_finalizer_remove (registrar->worker->finalizer, id));
    }
  return NULL;
}

static gboolean
quit_worker (gpointer data)
{
  Worker *worker = data;

  atexit_loop_finalizer_quit_loop (worker->finalizer, worker->loop);
  return G_SOURCE_REMOVE;
}

static void
test_worker_thread (void)
{
  Worker worker = { 0 };
  Registrar registrar;
  GThread *registrars[4];

  worker_start (&worker);
  g_assert_true (atexit_loop_finalizer_get_context (worker.finalizer) == worker.context);
  g_assert_true (worker.finalizer != atexit_loop_finalizer_get_default ());

  registrar.worker = &worker;
  registrar.n = 500;
  for (guint i = 0; i < G_N_ELEMENTS (registrars); i++)
    registrars[i] = g_thread_new ("registrar", register_many, &registrar);
  for (guint i = 0; i < G_N_ELEMENTS (registrars); i++)
    g_thread_join (registrars[i]);

  for (guint i = 0; i < 10; i++)
    atexit_loop_finalizer_add_async (worker.finalizer, async_cleanup, &worker, NULL);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (worker.finalizer), ==, 4 * 250 + 10);

  /* The owner of the worker's loop quits it, in the worker. */
  g_main_context_invoke (worker.context, quit_worker, &worker);
  g_thread_join (worker.thread);

  g_assert_cmpuint (worker.n_ran, ==, 4 * 250 + 10);
  g_assert_cmpuint (worker.n_in_other_thread, ==, 0);
  /* A completer may still hold its task, and the task its finalizer, for a moment
   * after the run took the task's result: the finalizer is gone once they are all. */
  g_assert_cmpuint (worker.completers->len, ==, 10);
  for (guint i = 0; i < worker.completers->len; i++)
    g_thread_join (g_ptr_array_index (worker.completers, i));
  g_ptr_array_unref (worker.completers);
  g_assert_null (worker.finalizer);

  g_mutex_clear (&worker.mutex);
  g_cond_clear (&worker.cond);
}

static void
count_cleanup (gpointer data)
{
  guint *count = data;

  (*count)++;
}

/* The worker's cleanups and the main thread's are apart. */
static void
test_contexts_apart (void)
{
  Worker worker = { 0 };
  guint ran_default = 0;
  g_autoptr(GError) error = NULL;

  worker_start (&worker);
  atexit_loop_finalizer_add (worker.finalizer, sync_cleanup, &worker, NULL);
  atexit_loop_finalizer_add (atexit_loop_finalizer_get_default (), count_cleanup, &ran_default, NULL);

  /* Running the default finalizer leaves the worker's cleanup alone. */
  error = run_blocking (atexit_loop_finalizer_get_default ());
  g_assert_no_error (error);
  g_assert_cmpuint (ran_default, ==, 1);
  g_assert_cmpuint (worker.n_ran, ==, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (worker.finalizer), ==, 1);

  /* The worker iterates its context: another thread cannot run its finalizer. */
  atexit_loop_finalizer_run (worker.finalizer, NULL, &error);
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_NOT_OWNER);

  g_main_context_invoke (worker.context, quit_worker, &worker);
  g_thread_join (worker.thread);
  g_assert_cmpuint (worker.n_ran, ==, 1);
  g_assert_cmpuint (worker.n_in_other_thread, ==, 0);
  g_ptr_array_unref (worker.completers);

  g_mutex_clear (&worker.mutex);
  g_cond_clear (&worker.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/threads/worker/cleanups-run-in-worker", test_worker_thread);
  g_test_add_func ("/atexit/threads/worker/contexts-apart", test_contexts_apart);

  return g_test_run ();
}
