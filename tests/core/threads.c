/* threads.c: AtexitLoopFinalizer across threads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>

#include "test-util.h"

/* Counts calls, the threads they come from, and destroy notifies; shared by threads. */
typedef struct {
  GThread *expected_thread;
  int      calls;
  int      wrong_thread;
  int      destroys;
} Tally;

static void
tally_call (Tally *tally)
{
  g_atomic_int_inc (&tally->calls);
  if (g_thread_self () != tally->expected_thread)
    g_atomic_int_inc (&tally->wrong_thread);
}

static void
tally_sync_cb (gpointer data)
{
  tally_call (data);
}

static void
tally_async_cb (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  tally_call (data);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
tally_destroy_cb (gpointer data)
{
  Tally *tally = data;

  g_atomic_int_inc (&tally->destroys);
}

/* Registration from threads */

#define N_THREADS 8
#define N_PER_THREAD 50

typedef struct {
  AtexitLoopFinalizer *finalizer;
  Tally               *tally;
  int                  priority;
  guint                ids[N_PER_THREAD];
} Adder;

static gpointer
adder_thread (gpointer data)
{
  Adder *adder = data;

  for (guint i = 0; i < N_PER_THREAD; i++)
    {
      if (i % 2 == 0)
        adder->ids[i] = atexit_loop_finalizer_add_full (adder->finalizer, NULL,
                                                        adder->priority, tally_sync_cb,
                                                        adder->tally, tally_destroy_cb);
      else
        adder->ids[i] = atexit_loop_finalizer_add_async_full (adder->finalizer, NULL,
                                                              adder->priority, tally_async_cb,
                                                              adder->tally, tally_destroy_cb);
    }

  return NULL;
}

static void
test_add_from_threads (Fixture       *fx,
                       gconstpointer  data)
{
  Tally tally = { g_thread_self () };
  Adder adders[N_THREADS];
  GThread *threads[N_THREADS];
  g_autoptr(GHashTable) ids = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  for (guint t = 0; t < N_THREADS; t++)
    {
      adders[t] = (Adder) { fx->finalizer, &tally, (int) t - N_THREADS / 2 };
      threads[t] = g_thread_new ("adder", adder_thread, &adders[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  /* Every id distinct and non-zero. */
  for (guint t = 0; t < N_THREADS; t++)
    for (guint i = 0; i < N_PER_THREAD; i++)
      {
        g_assert_cmpuint (adders[t].ids[i], !=, 0);
        g_hash_table_add (ids, GUINT_TO_POINTER (adders[t].ids[i]));
      }
  g_assert_cmpuint (g_hash_table_size (ids), ==, N_THREADS * N_PER_THREAD);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==,
                    N_THREADS * N_PER_THREAD);

  /* Invoked in the context's thread, each once. */
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally.calls, ==, N_THREADS * N_PER_THREAD);
  g_assert_cmpint (tally.wrong_thread, ==, 0);
  g_assert_cmpint (tally.destroys, ==, N_THREADS * N_PER_THREAD);
}

typedef struct {
  AtexitLoopFinalizer *finalizer;
  Tally               *tally;
  GTask               *gate;
} Joiner;

static gpointer
joiner_thread (gpointer data)
{
  Joiner *joiner = data;

  /* The default group is running: these join it. The low group has not started:
   * these wait for it. */
  for (guint i = 0; i < N_PER_THREAD; i++)
    {
      atexit_loop_finalizer_add_async_full (joiner->finalizer, NULL, G_PRIORITY_DEFAULT,
                                            tally_async_cb, joiner->tally, tally_destroy_cb);
      atexit_loop_finalizer_add_full (joiner->finalizer, NULL, G_PRIORITY_LOW,
                                      tally_sync_cb, joiner->tally, tally_destroy_cb);
    }

  /* The task is completed from this thread. */
  g_task_return_boolean (joiner->gate, TRUE);
  g_clear_object (&joiner->gate);

  return NULL;
}

static void
gate_cleanup (AtexitLoopFinalizer *finalizer,
              GTask               *task,
              gpointer             data)
{
  GTask **gate = data;

  *gate = task;
}

static void
test_add_during_run_from_thread (Fixture       *fx,
                                 gconstpointer  data)
{
  Tally tally = { g_thread_self () };
  GTask *gate = NULL;
  Joiner joiner = { fx->finalizer, &tally, NULL };
  g_auto(RunResult) res = { 0 };
  GThread *thread;

  atexit_loop_finalizer_add_async (fx->finalizer, gate_cleanup, &gate, NULL);
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, gate != NULL);

  joiner.gate = g_steal_pointer (&gate);
  thread = g_thread_new ("joiner", joiner_thread, &joiner);
  WAIT_FOR (fx->context, res.done);
  g_thread_join (thread);

  g_assert_no_error (res.error);
  g_assert_true (res.ok);
  g_assert_cmpint (tally.calls, ==, 2 * N_PER_THREAD);
  g_assert_cmpint (tally.wrong_thread, ==, 0);
  g_assert_cmpint (tally.destroys, ==, 2 * N_PER_THREAD);
}

/* Removal from threads */

#define N_RACING 200

typedef struct {
  guint  id;
  int    called;
  int    destroyed;
  int    removed;
} Racer;

static void
racer_cb (gpointer data)
{
  g_atomic_int_inc (&((Racer *) data)->called);
}

static void
racer_destroy_cb (gpointer data)
{
  g_atomic_int_inc (&((Racer *) data)->destroyed);
}

typedef struct {
  AtexitLoopFinalizer *finalizer;
  Racer               *racers;
} Remover;

static gpointer
remover_thread (gpointer data)
{
  Remover *remover = data;

  for (guint i = 0; i < N_RACING; i++)
    if (atexit_loop_finalizer_remove (remover->finalizer, remover->racers[i].id))
      g_atomic_int_inc (&remover->racers[i].removed);

  return NULL;
}

static void
test_remove_from_thread (Fixture       *fx,
                         gconstpointer  data)
{
  Racer racers[N_RACING] = { { 0 } };
  Remover remover = { fx->finalizer, racers };
  g_autoptr(GError) error = NULL;
  GThread *thread;

  for (guint i = 0; i < N_RACING; i++)
    racers[i].id = atexit_loop_finalizer_add (fx->finalizer, racer_cb, &racers[i],
                                              racer_destroy_cb);

  thread = g_thread_new ("remover", remover_thread, &remover);
  g_thread_join (thread);

  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  for (guint i = 0; i < N_RACING; i++)
    {
      g_assert_cmpint (racers[i].removed, ==, 1);
      g_assert_cmpint (racers[i].called, ==, 0);
      g_assert_cmpint (racers[i].destroyed, ==, 1);
    }
}

static void
test_remove_races_run (Fixture       *fx,
                       gconstpointer  data)
{
  Racer racers[N_RACING] = { { 0 } };
  Remover remover = { fx->finalizer, racers };
  g_autoptr(GError) error = NULL;
  GThread *thread;

  for (guint i = 0; i < N_RACING; i++)
    racers[i].id = atexit_loop_finalizer_add_full (fx->finalizer, NULL, (int) i % 7,
                                                   racer_cb, &racers[i], racer_destroy_cb);

  /* Whichever wins for each cleanup, it runs or is removed, never both, and its
   * destroy notify is called once. */
  thread = g_thread_new ("remover", remover_thread, &remover);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_thread_join (thread);

  for (guint i = 0; i < N_RACING; i++)
    {
      g_assert_cmpint (racers[i].removed + racers[i].called, ==, 1);
      g_assert_cmpint (racers[i].destroyed, ==, 1);
    }
}

/* Atexit_register from threads */

typedef struct {
  GMainContext *context;
  guint         id;
  gboolean      own_finalizer;
} Registrar;

static gpointer
registrar_thread (gpointer data)
{
  Registrar *registrar = data;
  AtexitLoopFinalizer *finalizer;

  registrar->context = g_main_context_new ();
  g_main_context_push_thread_default (registrar->context);
  finalizer = atexit_loop_finalizer_get_thread_default ();
  registrar->own_finalizer =
    finalizer == atexit_loop_finalizer_get_for_context (registrar->context) &&
    finalizer != atexit_loop_finalizer_get_default ();
  registrar->id = atexit_register (racer_cb, NULL, NULL);
  g_main_context_pop_thread_default (registrar->context);

  return NULL;
}

static void
test_register_from_thread (Fixture       *fx,
                           gconstpointer  data)
{
  Registrar registrar = { NULL };
  AtexitLoopFinalizer *theirs;

  g_thread_join (g_thread_new ("registrar", registrar_thread, &registrar));
  g_assert_true (registrar.own_finalizer);
  g_assert_cmpuint (registrar.id, !=, 0);

  theirs = atexit_loop_finalizer_get_for_context (registrar.context);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (theirs), ==, 1);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);

  /* Unregistered from this thread, whose thread default is another finalizer. */
  g_assert_true (atexit_unregister (registrar.id));
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (theirs), ==, 0);

  g_main_context_unref (registrar.context);
}

/* Tasks completed from threads */

typedef struct {
  const char *name;
  gboolean    fail;
  gboolean    drop;
  int         destroyed;
  GThread    *thread;      /* joined by the test: it may hold the context a moment */
} Worker;

static gpointer
complete_thread (gpointer data)
{
  GTask *task = data;
  Worker *worker = g_task_get_task_data (task);

  if (worker->drop)
    ;
  else if (worker->fail)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "%s: pipe broke",
                             worker->name);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);

  return NULL;
}

static void
thread_cleanup (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  Worker *worker = data;

  g_task_set_task_data (task, worker, NULL);
  worker->thread = g_thread_new ("completer", complete_thread, task);
}

static void
worker_destroy_cb (gpointer data)
{
  g_atomic_int_inc (&((Worker *) data)->destroyed);
}

static guint
add_worker (Fixture *fx,
            Worker  *worker)
{
  return atexit_loop_finalizer_add_async_full (fx->finalizer, worker->name, G_PRIORITY_DEFAULT,
                                               thread_cleanup, worker, worker_destroy_cb);
}

static void
test_task_from_thread (Fixture       *fx,
                       gconstpointer  data)
{
  Worker ok = { "thread-ok" };
  Worker bad = { "thread-bad", TRUE };
  g_autoptr(GError) error = NULL;

  add_worker (fx, &ok);
  add_worker (fx, &bad);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "thread-bad"));
  g_assert_null (strstr (error->message, "thread-ok"));
  WAIT_FOR (fx->context, g_atomic_int_get (&ok.destroyed) == 1 &&
                         g_atomic_int_get (&bad.destroyed) == 1);
  g_thread_join (ok.thread);
  g_thread_join (bad.thread);
}

static void
test_task_dropped_in_thread (Fixture       *fx,
                             gconstpointer  data)
{
  Worker dropper = { "thread-dropper", FALSE, TRUE };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_worker (fx, &dropper);

  guard = guard_new (fx->context, 5000, &fired);
  run_and_wait (fx->finalizer, NULL, &res);

  /* Noticed when the task went, not at the (default, 10 s) deadline. */
  g_assert_false (fired);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_nonnull (strstr (res.error->message, "thread-dropper"));
  g_assert_cmpint (dropper.destroyed, ==, 1);
  g_thread_join (dropper.thread);
}

static gpointer
cancel_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (Fixture       *fx,
                         gconstpointer  data)
{
  GTask *gate = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RunResult) res = { 0 };
  Tally tally = { g_thread_self () };

  atexit_loop_finalizer_add_async (fx->finalizer, gate_cleanup, &gate, NULL);
  atexit_loop_finalizer_add_full (fx->finalizer, NULL, G_PRIORITY_LOW,
                                  tally_sync_cb, &tally, tally_destroy_cb);
  start_run (fx->finalizer, cancellable, &res);
  WAIT_FOR (fx->context, gate != NULL);

  g_thread_join (g_thread_new ("canceller", cancel_thread, cancellable));
  WAIT_FOR (fx->context, res.done);

  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (gate)));
  g_assert_cmpint (tally.calls, ==, 0);
  g_assert_cmpint (tally.destroys, ==, 1);

  g_task_return_boolean (gate, TRUE);
  g_object_unref (gate);
}

/* Contexts of other threads */

typedef struct {
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        mutex;
  GCond         cond;
  gboolean      ready;
  gboolean      finished;
  GMainContext *notify;    /* woken up when finished */
} LoopThread;

static gboolean
loop_ready_cb (gpointer data)
{
  LoopThread *lt = data;

  g_mutex_lock (&lt->mutex);
  lt->ready = TRUE;
  g_cond_signal (&lt->cond);
  g_mutex_unlock (&lt->mutex);

  return G_SOURCE_REMOVE;
}

static gpointer
loop_thread (gpointer data)
{
  LoopThread *lt = data;
  GSource *source;

  g_main_context_push_thread_default (lt->context);
  source = g_idle_source_new ();
  g_source_set_callback (source, loop_ready_cb, lt, NULL);
  g_source_attach (source, lt->context);
  g_source_unref (source);

  g_main_loop_run (lt->loop);
  g_main_context_pop_thread_default (lt->context);

  g_atomic_int_set (&lt->finished, TRUE);
  if (lt->notify != NULL)
    g_main_context_wakeup (lt->notify);

  return NULL;
}

static GThread *
loop_thread_start (LoopThread   *lt,
                   GMainContext *notify)
{
  GThread *thread;

  lt->context = g_main_context_new ();
  lt->loop = g_main_loop_new (lt->context, FALSE);
  lt->notify = notify;
  g_mutex_init (&lt->mutex);
  g_cond_init (&lt->cond);

  thread = g_thread_new ("loop", loop_thread, lt);

  /* Blocks until the thread iterates its context. */
  g_mutex_lock (&lt->mutex);
  while (!lt->ready)
    g_cond_wait (&lt->cond, &lt->mutex);
  g_mutex_unlock (&lt->mutex);

  return thread;
}

static void
loop_thread_clear (LoopThread *lt)
{
  g_main_loop_unref (lt->loop);
  g_main_context_unref (lt->context);
  g_mutex_clear (&lt->mutex);
  g_cond_clear (&lt->cond);
}

static void
test_not_owner (Fixture       *fx,
                gconstpointer  data)
{
  LoopThread lt = { NULL };
  Tally tally = { NULL };
  AtexitLoopFinalizer *theirs;
  g_autoptr(GError) error = NULL;
  GThread *thread;
  guint id;

  thread = loop_thread_start (&lt, NULL);
  theirs = atexit_loop_finalizer_get_for_context (lt.context);
  id = atexit_loop_finalizer_add (theirs, tally_sync_cb, &tally, tally_destroy_cb);

  /* Another thread iterates that context: a blocking run here cannot. */
  g_assert_false (atexit_loop_finalizer_run (theirs, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_NOT_OWNER);
  g_assert_cmpint (tally.calls, ==, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (theirs), ==, 1);
  g_assert_true (atexit_loop_finalizer_remove (theirs, id));

  g_main_loop_quit (lt.loop);
  g_thread_join (thread);
  loop_thread_clear (&lt);
}

static void
record_finished_thread_cb (AtexitLoopFinalizer *finalizer,
                           guint                id,
                           const char          *name,
                           int                  priority,
                           gint64               duration_us,
                           const GError        *error,
                           gpointer             data)
{
  Tally *tally = data;

  /* Reported in the context's thread, like the cleanup itself. */
  tally_call (tally);
}

static void
test_quit_other_thread_loop (Fixture       *fx,
                             gconstpointer  data)
{
  LoopThread lt = { NULL };
  Tally tally = { NULL };
  Tally reports = { NULL };
  AtexitLoopFinalizer *theirs;
  GThread *thread;

  thread = loop_thread_start (&lt, fx->context);
  tally.expected_thread = reports.expected_thread = thread;
  theirs = atexit_loop_finalizer_get_for_context (lt.context);
  g_assert_true (theirs != fx->finalizer);
  g_signal_connect (theirs, "cleanup-finished", G_CALLBACK (record_finished_thread_cb), &reports);

  /* Added from this thread, invoked in the loop's. */
  atexit_loop_finalizer_add (theirs, tally_sync_cb, &tally, tally_destroy_cb);
  atexit_loop_finalizer_add_async (theirs, tally_async_cb, &tally, tally_destroy_cb);

  /* The run's result comes back to this thread's context, which quits their loop. */
  atexit_loop_finalizer_quit_loop (theirs, lt.loop);
  WAIT_FOR (fx->context, g_atomic_int_get (&lt.finished));
  g_thread_join (thread);

  g_assert_cmpint (tally.calls, ==, 2);
  g_assert_cmpint (tally.wrong_thread, ==, 0);
  g_assert_cmpint (tally.destroys, ==, 2);
  g_assert_cmpint (reports.calls, ==, 2);
  g_assert_cmpint (reports.wrong_thread, ==, 0);
  loop_thread_clear (&lt);
}

typedef struct {
  Tally    tally;
  gboolean own_finalizer;
  gboolean ok;
} Worker2;

static gpointer
worker_context_thread (gpointer data)
{
  Worker2 *w = data;
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer;

  g_main_context_push_thread_default (context);
  finalizer = atexit_loop_finalizer_get_thread_default ();
  w->own_finalizer = finalizer != atexit_loop_finalizer_get_default () &&
                     atexit_loop_finalizer_get_context (finalizer) == context;

  w->tally.expected_thread = g_thread_self ();
  atexit_register (tally_sync_cb, &w->tally, tally_destroy_cb);
  atexit_loop_finalizer_add_async (finalizer, tally_async_cb, &w->tally, tally_destroy_cb);
  w->ok = atexit_loop_finalizer_run (finalizer, NULL, NULL);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

static void
test_worker_context (Fixture       *fx,
                     gconstpointer  data)
{
  Worker2 w = { { NULL } };

  g_thread_join (g_thread_new ("worker", worker_context_thread, &w));

  g_assert_true (w.own_finalizer);
  g_assert_true (w.ok);
  g_assert_cmpint (w.tally.calls, ==, 2);
  g_assert_cmpint (w.tally.wrong_thread, ==, 0);
  g_assert_cmpint (w.tally.destroys, ==, 2);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (atexit_loop_finalizer_get_default ()),
                    ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/threads/add-from-threads", test_add_from_threads);
  ADD_TEST ("/atexit/threads/add-during-run", test_add_during_run_from_thread);
  ADD_TEST ("/atexit/threads/remove-from-thread", test_remove_from_thread);
  ADD_TEST ("/atexit/threads/remove-races-run", test_remove_races_run);
  ADD_TEST ("/atexit/threads/register-from-thread", test_register_from_thread);
  ADD_TEST ("/atexit/threads/task-from-thread", test_task_from_thread);
  ADD_TEST ("/atexit/threads/task-dropped-in-thread", test_task_dropped_in_thread);
  ADD_TEST ("/atexit/threads/cancel-from-thread", test_cancel_from_thread);
  ADD_TEST ("/atexit/threads/not-owner", test_not_owner);
  ADD_TEST ("/atexit/threads/quit-other-thread-loop", test_quit_other_thread_loop);
  ADD_TEST ("/atexit/threads/worker-context", test_worker_context);

  return g_test_run ();
}
