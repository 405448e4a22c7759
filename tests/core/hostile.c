/* hostile.c: user code that the library calls out to does the worst it may
 *
 * Every signal, log call and destroy notify of the library runs user code, and user code
 * iterates the context, drops the last reference, removes things, and runs on other
 * threads. Each test here is one such case; run them under ASan and valgrind.
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "test-util.h"

/* 1. A ::cleanup-finished handler that iterates the context past the group's deadline:
 * a "shutting down" dialog redrawing. The deadline's own reports are emitted under it;
 * nothing of the run is freed or counted twice. */

typedef struct {
  Fixture *fx;
  GString *seen;
  gboolean slow_reported;
  guint    n_reports;
} Reports;

static void
iterate_until_slow_reported_cb (AtexitLoopFinalizer *finalizer,
                                guint                id,
                                const char          *name,
                                int                  priority,
                                gint64               duration_us,
                                const GError        *error,
                                gpointer             data)
{
  Reports *reports = data;

  reports->n_reports++;
  g_string_append_printf (reports->seen, "%s%s:%s", reports->seen->len > 0 ? " " : "",
                          name, error == NULL ? "ok" : "error");
  if (g_str_equal (name, "slow"))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      reports->slow_reported = TRUE;
      return;
    }

  /* The handler of "quick" redraws until the deadline has passed. */
  WAIT_FOR (reports->fx->context, reports->slow_reported);
}

static void
test_finished_handler_iterates_past_deadline (Fixture       *fx,
                                              gconstpointer  data)
{
  Item quick = { "quick", ACT_SUCCEED }, slow = { "slow", ACT_HOLD };
  Reports reports = { fx, g_string_new (NULL) };
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);
  add_item (fx, &quick, G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "cleanup-finished",
                    G_CALLBACK (iterate_until_slow_reported_cb), &reports);

  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_false (res.ok);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (res.error->message, "“slow”"));
  g_assert_cmpstr (reports.seen->str, ==, "quick:ok slow:error");
  g_assert_cmpuint (reports.n_reports, ==, 2);
  g_assert_cmpuint (quick.n_destroyed, ==, 1);

  /* The straggler returns late: ignored, and released once. */
  g_task_return_boolean (slow.task, TRUE);
  g_clear_object (&slow.task);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
  g_assert_cmpuint (reports.n_reports, ==, 2);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &reports);
  g_string_free (reports.seen, TRUE);
}

/* A handler that only flushes what is pending, at every report. */
static void
flush_pending_cb (AtexitLoopFinalizer *finalizer,
                  guint                id,
                  const char          *name,
                  int                  priority,
                  gint64               duration_us,
                  const GError        *error,
                  gpointer             data)
{
  Reports *reports = data;

  reports->n_reports++;
  while (g_main_context_pending (reports->fx->context))
    g_main_context_iteration (reports->fx->context, FALSE);
}

static void
test_finished_handler_flushes (Fixture       *fx,
                               gconstpointer  data)
{
  Item items[6] = { { "a", ACT_SUCCEED }, { "b", ACT_SUCCEED }, { "c", ACT_SUCCEED },
                    { "d", ACT_SUCCEED }, { "e", ACT_SUCCEED }, { "f", ACT_SUCCEED } };
  Reports reports = { fx, g_string_new (NULL) };
  g_auto(RunResult) res = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    add_item (fx, &items[i], i % 3);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (flush_pending_cb), &reports);

  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_no_error (res.error);
  g_assert_true (res.ok);
  g_assert_cmpuint (reports.n_reports, ==, G_N_ELEMENTS (items));
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_assert_cmpuint (items[i].n_started, ==, 1);
      WAIT_FOR (fx->context, items[i].n_destroyed == 1);
    }

  g_signal_handlers_disconnect_by_data (fx->finalizer, &reports);
  g_string_free (reports.seen, TRUE);
}

/* The same, and the run is cancelled from within the handler (a second Ctrl+C). */
typedef struct {
  Fixture      *fx;
  GCancellable *cancellable;
  guint         n_reports;
} CancelInHandler;

static void
cancel_and_flush_cb (AtexitLoopFinalizer *finalizer,
                     guint                id,
                     const char          *name,
                     int                  priority,
                     gint64               duration_us,
                     const GError        *error,
                     gpointer             data)
{
  CancelInHandler *c = data;

  c->n_reports++;
  g_cancellable_cancel (c->cancellable);
  while (g_main_context_pending (c->fx->context))
    g_main_context_iteration (c->fx->context, FALSE);
}

static void
test_finished_handler_cancels (Fixture       *fx,
                               gconstpointer  data)
{
  Item first = { "first", ACT_SUCCEED }, held = { "held", ACT_HOLD };
  Item later = { "later", ACT_SUCCEED };
  CancelInHandler c = { fx, g_cancellable_new () };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &later, G_PRIORITY_LOW);
  add_item (fx, &held, G_PRIORITY_DEFAULT);
  add_item (fx, &first, G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (cancel_and_flush_cb), &c);

  run_and_wait (fx->finalizer, c.cancellable, &res);

  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (later.n_started, ==, 0);
  g_assert_cmpuint (later.n_destroyed, ==, 1);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (held.task)));
  /* "first" and the cancelled "held": each reported once. */
  g_assert_cmpuint (c.n_reports, ==, 2);

  g_clear_object (&held.task);
  WAIT_FOR (fx->context, held.n_destroyed == 1);
  g_assert_cmpuint (first.n_destroyed, ==, 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &c);
  g_object_unref (c.cancellable);
}

/* A report handler, told of a straggler from the deadline's own dispatch, waits for the
 * whole run (a modal "shutting down" dialog): the next group's deadline still comes. */

typedef struct {
  Fixture   *fx;
  RunResult *res;
  gboolean   waited;
  gboolean  *gave_up;   /* the guard's: the test fails rather than hangs */
} WaitInHandler;

static void
wait_for_run_cb (AtexitLoopFinalizer *finalizer,
                 guint                id,
                 const char          *name,
                 int                  priority,
                 gint64               duration_us,
                 const GError        *error,
                 gpointer             data)
{
  WaitInHandler *w = data;

  if (w->waited || !g_str_equal (name, "first"))
    return;
  w->waited = TRUE;
  WAIT_FOR (w->fx->context, w->res->done || *w->gave_up);
}

static void
test_finished_handler_waits_for_run (Fixture       *fx,
                                     gconstpointer  data)
{
  Item first = { "first", ACT_HOLD }, second = { "second", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired = FALSE;
  WaitInHandler w = { fx, &res, FALSE, &fired };

  atexit_loop_finalizer_set_timeout (fx->finalizer, 30);
  add_item (fx, &first, G_PRIORITY_HIGH);
  add_item (fx, &second, G_PRIORITY_LOW);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (wait_for_run_cb), &w);

  /* Were the second deadline held up by the first one's dispatch, the run would never
   * end: the guard ends the wait, and the test fails. */
  guard = guard_new (fx->context, 10000, &fired);
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, res.done || fired);

  g_assert_false (fired);
  g_assert_true (w.waited);
  guard_free (g_steal_pointer (&guard));
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (res.error, "first");
  assert_message_names (res.error, "second");
  g_clear_object (&first.task);
  g_clear_object (&second.task);
  WAIT_FOR (fx->context, first.n_destroyed == 1 && second.n_destroyed == 1);
  g_signal_handlers_disconnect_by_data (fx->finalizer, &w);
}

/* A notify::running handler that joins the run (a second caller) before about-to-close:
 * the signal is still emitted, and what its handlers add still runs. */

static void
join_from_running_cb (GObject    *object,
                      GParamSpec *pspec,
                      gpointer    data)
{
  RunResult *joined = data;

  if (atexit_loop_finalizer_get_running (ATEXIT_LOOP_FINALIZER (object)) && !joined->done)
    atexit_loop_finalizer_run_async (ATEXIT_LOOP_FINALIZER (object), NULL, run_done_cb, joined);
}

static void
add_in_about_to_close_cb (AtexitLoopFinalizer *finalizer,
                          gpointer             data)
{
  add_sync (data, "plugin", G_PRIORITY_DEFAULT);
}

static void
test_join_before_about_to_close (Fixture       *fx,
                                 gconstpointer  data)
{
  g_auto(RunResult) res = { 0 };
  g_auto(RunResult) joined = { 0 };

  g_signal_connect (fx->finalizer, "notify::running", G_CALLBACK (join_from_running_cb), &joined);
  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (add_in_about_to_close_cb), fx);

  run_and_wait (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, joined.done);

  g_assert_true (res.ok);
  g_assert_true (joined.ok);
  g_assert_cmpstr (event_log (), ==, "plugin ~plugin");
  g_signal_handlers_disconnect_by_data (fx->finalizer, &joined);
  g_signal_handlers_disconnect_by_data (fx->finalizer, fx);
}

/* A sync cleanup that registers itself again, forever: total-timeout still ends the run,
 * though it never goes back to the main loop. */

typedef struct {
  AtexitLoopFinalizer *finalizer;
  guint                n;
} Again;

static void
register_again (gpointer data)
{
  Again *again = data;

  again->n++;
  atexit_loop_finalizer_add (again->finalizer, register_again, again, NULL);
}

static void
test_total_timeout_without_main_loop (Fixture       *fx,
                                      gconstpointer  data)
{
  Again again = { fx->finalizer };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_total_timeout (fx->finalizer, 50);
  atexit_loop_finalizer_add (fx->finalizer, register_again, &again, NULL);

  error = run_blocking (fx->finalizer);
  atexit_loop_finalizer_set_total_timeout (fx->finalizer, 0);

  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "total deadline of 50 ms"));
  g_assert_cmpuint (again.n, >, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
}

/* 2. A notify::running handler that iterates the context, while the run's cancellable
 * is cancelled: before the run, and from the handler itself. */

typedef struct {
  Fixture      *fx;
  GCancellable *cancel_in_handler;
  guint         notified;
} Running;

static void
running_iterates_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    data)
{
  Running *r = data;

  r->notified++;
  if (r->cancel_in_handler != NULL)
    g_cancellable_cancel (r->cancel_in_handler);
  while (g_main_context_pending (r->fx->context))
    g_main_context_iteration (r->fx->context, FALSE);
}

static void
test_running_handler_iterates_cancelled (Fixture       *fx,
                                         gconstpointer  data)
{
  gboolean cancel_before = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Item a = { "a", ACT_SUCCEED }, held = { "held", ACT_HOLD };
  Running r = { fx, cancel_before ? NULL : cancellable };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &held, G_PRIORITY_DEFAULT);
  add_item (fx, &a, G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "notify::running", G_CALLBACK (running_iterates_cb), &r);
  if (cancel_before)
    g_cancellable_cancel (cancellable);

  run_and_wait (fx->finalizer, cancellable, &res);

  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));
  g_assert_cmpuint (r.notified, >=, 1);
  g_assert_cmpuint (a.n_started + held.n_started, <=, 2);
  g_clear_object (&held.task);
  WAIT_FOR (fx->context, a.n_destroyed == 1 && held.n_destroyed == 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &r);
}

/* 3. remove() whose destroy notify drops the last reference on the finalizer: a plugin
 * whose state owns its group, and so the group's finalizer. */

typedef struct {
  AtexitGroup *group;
  guint        destroyed;
} Plugin;

static void
plugin_noop (gpointer data)
{
}

static void
plugin_state_free (gpointer data)
{
  Plugin *plugin = data;

  plugin->destroyed++;
  g_clear_object (&plugin->group);
}

static void
test_remove_destroy_drops_finalizer (Fixture       *fx,
                                     gconstpointer  data)
{
  Plugin plugin = { atexit_group_new (fx->finalizer, "plugin", G_PRIORITY_DEFAULT) };
  AtexitLoopFinalizer *inner = atexit_group_get_finalizer (plugin.group);
  guint id;

  g_object_add_weak_pointer (G_OBJECT (inner), (gpointer *) &inner);
  id = atexit_loop_finalizer_add (inner, plugin_noop, &plugin, plugin_state_free);

  g_assert_true (atexit_loop_finalizer_remove (inner, id));
  g_assert_cmpuint (plugin.destroyed, ==, 1);
  g_assert_null (inner);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
}

/* remove() of a cleanup of the group being started that has not been called yet. */

typedef struct {
  AtexitLoopFinalizer *finalizer;
  guint                victim;
  gboolean             removed;
} Remover;

static void
remover_cb (gpointer data)
{
  Remover *remover = data;

  remover->removed = atexit_loop_finalizer_remove (remover->finalizer, remover->victim);
}

static void
test_remove_in_current_group (Fixture       *fx,
                              gconstpointer  data)
{
  Remover remover = { fx->finalizer };
  g_auto(RunResult) res = { 0 };

  /* Last registered runs first: the remover, then (were it not removed) the victim. */
  remover.victim = add_sync (fx, "victim", G_PRIORITY_DEFAULT);
  atexit_loop_finalizer_add_full (fx->finalizer, "remover", G_PRIORITY_DEFAULT,
                                  remover_cb, &remover, NULL);

  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_true (res.ok);
  g_assert_true (remover.removed);
  /* Removed, never called: only its destroy notify ran. */
  g_assert_cmpstr (event_log (), ==, "~victim");
}

/* 7. A worker thread that releases a straggler's task: its destroy notify (slow, as user
 * code may be) runs in the owner's context, never in the worker holding the context, so
 * the owner's next run does not find the context taken. */

typedef struct {
  GMutex   lock;
  GCond    cond;
  GThread *owner;
  GTask   *task;          /* handed to the worker */
  gboolean release;
  gboolean dropped;
  gboolean next_run;      /* the owner is starting its next run */
  guint    destroyed;
  GThread *destroyed_in;
} Worker;

static void
worker_wait (Worker   *w,
             gboolean *flag)
{
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&w->lock);
  while (!*flag && g_cond_wait_until (&w->cond, &w->lock, end))
    ;
  g_mutex_unlock (&w->lock);
}

static void
worker_set (Worker   *w,
            gboolean *flag)
{
  g_mutex_lock (&w->lock);
  *flag = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
}

/* The straggler gives up: it drops its task, without returning it, on the worker. */
static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  GTask *task;

  worker_wait (w, &w->release);
  g_mutex_lock (&w->lock);
  task = g_steal_pointer (&w->task);
  g_mutex_unlock (&w->lock);
  g_object_unref (task);
  worker_set (w, &w->dropped);

  return NULL;
}

static void
hand_to_worker (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  Worker *w = data;

  g_mutex_lock (&w->lock);
  w->task = task;
  g_mutex_unlock (&w->lock);
}

static void
slow_destroy (gpointer data)
{
  Worker *w = data;

  w->destroyed++;
  w->destroyed_in = g_thread_self ();
  /* Where it runs on the worker, it would hold the context while the owner starts. */
  if (g_thread_self () != w->owner)
    {
      worker_wait (w, &w->next_run);
      g_usleep (2000);
    }
}

static void
test_worker_release_not_owner (Fixture       *fx,
                               gconstpointer  data)
{
  for (guint round = 0; round < 20; round++)
    {
      Worker w = { 0 };
      g_autoptr(GError) error = NULL;
      GThread *thread;

      g_mutex_init (&w.lock);
      g_cond_init (&w.cond);
      w.owner = g_thread_self ();
      thread = g_thread_new ("worker", worker_thread, &w);

      atexit_loop_finalizer_set_timeout (fx->finalizer, 10);
      atexit_loop_finalizer_add_async_full (fx->finalizer, "straggler", G_PRIORITY_DEFAULT,
                                            hand_to_worker, &w, slow_destroy);
      g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
      g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
      g_clear_error (&error);

      /* The worker lets the task go; the owner starts its next run. */
      worker_set (&w, &w.release);
      atexit_loop_finalizer_set_timeout (fx->finalizer, 0);
      event_log_clear ();
      add_sync (fx, "next", G_PRIORITY_DEFAULT);
      worker_set (&w, &w.next_run);
      g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (event_log (), ==, "next ~next");

      g_thread_join (thread);
      WAIT_FOR (fx->context, w.destroyed == 1);
      g_assert_true (w.destroyed_in == g_thread_self ());
      g_mutex_clear (&w.lock);
      g_cond_clear (&w.cond);
    }
}

/* 11. Reports and destroy notifies of a task dropped on a worker, while the owner is
 * between two g_main_context_iteration() calls, reach the owner's thread. */

typedef struct {
  GThread *owner;
  guint    reports;
  gboolean in_owner;
} ThreadCheck;

static void
report_thread_cb (AtexitLoopFinalizer *finalizer,
                  guint                id,
                  const char          *name,
                  int                  priority,
                  gint64               duration_us,
                  const GError        *error,
                  gpointer             data)
{
  ThreadCheck *check = data;

  check->reports++;
  check->in_owner = g_thread_self () == check->owner;
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_DROPPED);
}

static gpointer
drop_thread (gpointer data)
{
  Worker *w = data;

  g_object_unref (g_steal_pointer (&w->task));
  worker_set (w, &w->dropped);
  return NULL;
}

static void
drop_on_worker (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  Worker *w = data;

  w->task = task;
  g_thread_unref (g_thread_new ("dropper", drop_thread, w));
}

static void
worker_destroy (gpointer data)
{
  Worker *w = data;

  w->destroyed++;
  w->destroyed_in = g_thread_self ();
}

static void
test_worker_drop_reported_in_owner (Fixture       *fx,
                                    gconstpointer  data)
{
  Worker w = { 0 };
  ThreadCheck check = { g_thread_self () };
  g_auto(RunResult) res = { 0 };

  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  atexit_loop_finalizer_add_async_full (fx->finalizer, "dropped", G_PRIORITY_DEFAULT,
                                        drop_on_worker, &w, worker_destroy);
  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (report_thread_cb), &check);

  /* The run starts here, and hands the task to the worker; the owner then waits, out of
   * any iteration, until the worker has dropped it. */
  atexit_loop_finalizer_run_async (fx->finalizer, NULL, run_done_cb, &res);
  worker_wait (&w, &w.dropped);
  while (!res.done || w.destroyed == 0)
    g_main_context_iteration (fx->context, TRUE);

  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_cmpuint (check.reports, ==, 1);
  g_assert_true (check.in_owner);
  g_assert_cmpuint (w.destroyed, ==, 1);
  g_assert_true (w.destroyed_in == g_thread_self ());

  g_signal_handlers_disconnect_by_data (fx->finalizer, &check);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
}

/* A name that is not UTF-8 reaches the run's error as text. */
static void
fail_now (AtexitLoopFinalizer *finalizer,
          GTask               *task,
          gpointer             data)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "it broke");
  g_object_unref (task);
}

static void
test_name_not_utf8 (Fixture       *fx,
                    gconstpointer  data)
{
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_add_async_full (fx->finalizer, "bad\xff\xfe name", G_PRIORITY_DEFAULT,
                                        fail_now, NULL, NULL);
  run_and_wait (fx->finalizer, NULL, &res);

  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_true (g_utf8_validate (res.error->message, -1, NULL));
  g_assert_nonnull (strstr (res.error->message, "bad"));
  g_assert_nonnull (strstr (res.error->message, "it broke"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/atexit/hostile/" path, Fixture, data, fixture_set_up, func, \
              fixture_tear_down_threaded_io)

  ADD ("cleanup-finished/iterates-past-deadline", test_finished_handler_iterates_past_deadline,
       NULL);
  ADD ("cleanup-finished/flushes", test_finished_handler_flushes, NULL);
  ADD ("cleanup-finished/cancels", test_finished_handler_cancels, NULL);
  ADD ("cleanup-finished/waits-for-run", test_finished_handler_waits_for_run, NULL);
  ADD ("notify-running/joins-before-about-to-close", test_join_before_about_to_close, NULL);
  ADD ("total-timeout/without-main-loop", test_total_timeout_without_main_loop, NULL);
  ADD ("notify-running/iterates/cancelled-before", test_running_handler_iterates_cancelled,
       GINT_TO_POINTER (TRUE));
  ADD ("notify-running/iterates/cancels", test_running_handler_iterates_cancelled,
       GINT_TO_POINTER (FALSE));
  ADD ("remove/destroy-drops-finalizer", test_remove_destroy_drops_finalizer, NULL);
  ADD ("remove/in-current-group", test_remove_in_current_group, NULL);
  ADD ("threads/worker-release-not-owner", test_worker_release_not_owner, NULL);
  ADD ("threads/worker-drop-reported-in-owner", test_worker_drop_reported_in_owner, NULL);
  ADD ("names/not-utf8", test_name_not_utf8, NULL);

  return g_test_run ();
}
