/* atexit-run.c: one run of a finalizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-run-private.h"

/* A run lives in the finalizer's context. It takes the lowest non-empty bucket as its
 * group, starts the group's cleanups last first, and waits until each async one has
 * returned or released its task, or the group's deadline passes; then it takes the
 * next group.
 *
 * `group_pending` counts the cleanups of the group that the run still waits for: those
 * in `in_flight` plus the late ones queued to be started. It and `late` are shared with
 * the threads that add and remove cleanups, under the finalizer's mutex; everything
 * else belongs to the context's thread. */
struct _AtexitRun
{
  gatomicrefcount      ref_count;
  AtexitLoopFinalizer *self;            /* owned */
  GMainContext        *context;         /* owned */
  GPtrArray           *waiters;         /* GTask, one per caller of run_async */
  GPtrArray           *cancel_sources;  /* GSource attached to context, owned */
  GPtrArray           *cancellables;    /* GCancellable of the callers, owned */

  /* Under the finalizer's mutex. */
  gboolean             have_group;
  int                  group_priority;
  guint                group_pending;
  AtexitCleanupList    late;
  GSource             *late_source;     /* not owned: the context holds it */

  /* Context thread. */
  guint                group_serial;
  GCancellable        *group_cancellable;
  GSource             *deadline_source; /* owned */
  GSource             *advance_source;  /* not owned */
  guint                group_timeout_ms;
  AtexitCleanupList    in_flight;
  guint                starting;
  gboolean             cancelled;
  gboolean             emitting;        /* in about-to-close */
  gboolean             finished;
  gboolean             report;
  gboolean             debug;
  GPtrArray           *problems;        /* char *, one per failed cleanup */
  guint                n_timed_out;
};

static void atexit_run_advance     (AtexitRun *run);
static gboolean atexit_run_check_cancelled (AtexitRun *run);
static void atexit_run_schedule_advance (AtexitRun *run);
static void atexit_run_group_done  (AtexitRun *run);
static void atexit_run_start_list  (AtexitRun         *run,
                                    AtexitCleanupList *list);

static AtexitRun *
atexit_run_ref (AtexitRun *run)
{
  g_atomic_ref_count_inc (&run->ref_count);
  return run;
}

static void
atexit_run_unref (gpointer data)
{
  AtexitRun *run = data;

  if (!g_atomic_ref_count_dec (&run->ref_count))
    return;

  g_assert (run->in_flight.length == 0);
  g_assert (run->late.length == 0);
  g_assert (run->deadline_source == NULL);

  g_clear_pointer (&run->waiters, g_ptr_array_unref);
  g_clear_pointer (&run->cancel_sources, g_ptr_array_unref);
  g_clear_pointer (&run->cancellables, g_ptr_array_unref);
  g_clear_pointer (&run->problems, g_ptr_array_unref);
  g_clear_object (&run->group_cancellable);
  g_main_context_unref (run->context);
  g_object_unref (run->self);
  g_free (run);
}

static void
atexit_run_destroy_source (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static gint64
atexit_cleanup_duration (AtexitCleanup *cleanup,
                         gint64         now)
{
  return cleanup->started_at != 0 ? now - cleanup->started_at : 0;
}

/* The one place a cleanup's end is made known: debug log and report signal. */
static void
atexit_run_ended (AtexitRun     *run,
                  AtexitCleanup *cleanup,
                  const GError  *error)
{
  char buf[ATEXIT_CLEANUP_NAME_MAX];
  const char *name;
  gint64 duration;

  if (!run->report && !run->debug)
    return;

  name = atexit_cleanup_get_name (cleanup, buf);
  duration = atexit_cleanup_duration (cleanup, g_get_monotonic_time ());

  if (run->debug)
    {
      if (error == NULL)
        g_debug ("“%s” (priority %d) finished in %.3f ms",
                 name, cleanup->priority, duration / 1000.);
      else
        g_debug ("“%s” (priority %d) ended after %.3f ms: %s",
                 name, cleanup->priority, duration / 1000., error->message);
    }

  if (run->report)
    g_signal_emit (run->self, atexit_loop_finalizer_signals[ATEXIT_SIGNAL_CLEANUP_FINISHED], 0,
                   name, cleanup->priority, duration, error);
}

/* Logs a problem once, keeps it for the run's error and reports it. */
static void
atexit_run_problem (AtexitRun     *run,
                    AtexitCleanup *cleanup,
                    const GError  *error,
                    char          *message)
{
  g_warning ("%s", message);
  g_ptr_array_add (run->problems, message);
  run->report = run->report ||
                g_signal_has_handler_pending (run->self,
                                              atexit_loop_finalizer_signals[ATEXIT_SIGNAL_CLEANUP_FINISHED],
                                              0, FALSE);
  atexit_run_ended (run, cleanup, error);
}

static void
atexit_run_failed (AtexitRun     *run,
                   AtexitCleanup *cleanup,
                   const GError  *error)
{
  char buf[ATEXIT_CLEANUP_NAME_MAX];

  atexit_run_problem (run, cleanup, error,
                      g_strdup_printf (_("Cleanup “%s” failed: %s"),
                                       atexit_cleanup_get_name (cleanup, buf), error->message));
}

static void
atexit_run_dropped (AtexitRun     *run,
                    AtexitCleanup *cleanup)
{
  char buf[ATEXIT_CLEANUP_NAME_MAX];
  g_autoptr(GError) error = NULL;
  const char *name = atexit_cleanup_get_name (cleanup, buf);

  error = g_error_new (ATEXIT_ERROR, ATEXIT_ERROR_DROPPED,
                       _("Cleanup “%s” released its task without returning it"), name);
  atexit_run_problem (run, cleanup, error, g_strdup (error->message));
}

static void
atexit_run_straggler (AtexitRun     *run,
                      AtexitCleanup *cleanup,
                      gint64         now)
{
  char buf[ATEXIT_CLEANUP_NAME_MAX];
  g_autoptr(GError) error = NULL;
  const char *name = atexit_cleanup_get_name (cleanup, buf);

  run->n_timed_out++;
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("Cleanup “%s” did not finish within its group’s deadline of %u ms "
                         "(it ran for %.1f ms)"),
                       name, run->group_timeout_ms,
                       atexit_cleanup_duration (cleanup, now) / 1000.);
  atexit_run_problem (run, cleanup, error, g_strdup (error->message));
}

static gboolean
atexit_run_push_context (AtexitRun *run)
{
  GMainContext *thread_default = g_main_context_get_thread_default ();

  if (thread_default == NULL)
    thread_default = g_main_context_default ();
  if (thread_default == run->context)
    return FALSE;

  g_main_context_push_thread_default (run->context);
  return TRUE;
}

/* An in-flight cleanup of the current group is over, as far as the group is
 * concerned: it leaves the group, which may now be done. Returns @cleanup. */
static AtexitCleanup *
atexit_run_settle (AtexitRun     *run,
                   AtexitCleanup *cleanup)
{
  guint pending;

  atexit_cleanup_list_unlink (&run->in_flight, cleanup);

  g_mutex_lock (&run->self->mutex);
  pending = --run->group_pending;
  g_mutex_unlock (&run->self->mutex);

  if (pending == 0 && run->starting == 0)
    atexit_run_group_done (run);

  return cleanup;
}

static void
atexit_run_handle_gone (AtexitLoopFinalizer *self,
                        AtexitCleanup       *cleanup)
{
  AtexitRun *run;

  if (cleanup->state == ATEXIT_CLEANUP_ABANDONED)
    {
      atexit_cleanup_dispose (cleanup);
      return;
    }

  /* Dropped without being returned: its run is the one in progress, and waits for it. */
  g_assert (cleanup->state == ATEXIT_CLEANUP_STARTED);
  run = self->run;
  g_assert (run != NULL);

  atexit_run_dropped (run, cleanup);

  atexit_cleanup_dispose (atexit_run_settle (run, cleanup));
}

/* While tasks of async cleanups are out, the finalizer holds its context: a task may
 * be released on any thread, and is then handled in the context, which must not be
 * dying meanwhile. The task's own reference on the context is gone by then. */
static void
atexit_run_hold_context (AtexitLoopFinalizer *self)
{
  /* The mutex is taken only on the transitions from and to no task. */
  if (g_atomic_int_add ((int *) &self->n_tasks, 1) == 0)
    {
      g_mutex_lock (&self->mutex);
      if (self->task_context == NULL)
        g_atomic_pointer_set (&self->task_context, g_main_context_ref (self->context));
      g_mutex_unlock (&self->mutex);
    }
}

static void
atexit_run_release_context (AtexitLoopFinalizer *self)
{
  GMainContext *context = NULL;

  if (!g_atomic_int_dec_and_test ((int *) &self->n_tasks))
    return;

  g_mutex_lock (&self->mutex);
  if (g_atomic_int_get ((int *) &self->n_tasks) == 0)
    {
      context = self->task_context;
      g_atomic_pointer_set (&self->task_context, NULL);
    }
  g_mutex_unlock (&self->mutex);

  /* Perhaps the last reference: the context may die here, outside the lock. */
  if (context != NULL)
    g_main_context_unref (context);
}

typedef struct {
  AtexitLoopFinalizer *self;
  AtexitCleanup       *cleanup;
} AtexitGone;

static gboolean
atexit_run_gone_cb (gpointer data)
{
  AtexitGone *gone = data;

  atexit_run_handle_gone (gone->self, gone->cleanup);
  atexit_run_release_context (gone->self);
  g_object_unref (gone->self);
  g_free (gone);

  return G_SOURCE_REMOVE;
}

static GQuark atexit_run_cleanup_quark (void);
G_DEFINE_QUARK (atexit-run-cleanup, atexit_run_cleanup)

/* The task of an async cleanup was finalized: the cleanup is done with its data. This
 * is also how a dropped task is noticed at once. It can happen in any thread.
 *
 * It is the task's qdata destroy notify rather than a weak reference: GLib 2.74 makes
 * a weak reference cost a global lock and two more allocations per task. By the time
 * qdata is cleared the task has dropped its reference on the finalizer, so the cleanup
 * holds one of its own, taken when it started and released here. */
static void
atexit_run_task_gone (gpointer data)
{
  AtexitCleanup *cleanup = data;
  AtexitLoopFinalizer *self = cleanup->finalizer;
  GMainContext *context;
  AtexitGone *gone;
  GSource *source;

  /* Held since the task was made: the context cannot be dying under us. */
  context = g_atomic_pointer_get (&self->task_context);
  g_assert (context != NULL);

  /* Handled as the owner of the finalizer's context: now where this thread owns it or
   * can acquire it (then whoever waits on it is woken), else from an idle. */
  if (g_main_context_is_owner (context))
    {
      atexit_run_handle_gone (self, cleanup);
      atexit_run_release_context (self);
      g_object_unref (self);
      return;
    }
  if (g_main_context_acquire (context))
    {
      atexit_run_handle_gone (self, cleanup);
      g_main_context_release (context);
      g_main_context_wakeup (context);
      atexit_run_release_context (self);
      g_object_unref (self);
      return;
    }

  gone = g_new (AtexitGone, 1);
  gone->self = self;  /* takes the cleanup's reference */
  gone->cleanup = cleanup;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[atexit-glib] task released");
  g_source_set_callback (source, atexit_run_gone_cb, gone, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
atexit_run_task_returned (GObject      *object,
                          GAsyncResult *result,
                          gpointer      data)
{
  AtexitCleanup *cleanup = data;
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  g_autoptr(GError) error = NULL;
  AtexitRun *run;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (result), &error);

  if (cleanup->state != ATEXIT_CLEANUP_STARTED)
    {
      char buf[ATEXIT_CLEANUP_NAME_MAX];

      g_debug ("“%s” returned after its group had moved on; its result is ignored",
               atexit_cleanup_get_name (cleanup, buf));
      return;
    }

  run = self->run;
  if (!ok && error == NULL)
    error = g_error_new_literal (ATEXIT_ERROR, ATEXIT_ERROR_FAILED, _("it returned FALSE"));

  if (error != NULL)
    atexit_run_failed (run, cleanup, error);
  else
    atexit_run_ended (run, cleanup, NULL);

  /* The group waits for the task to be returned, not released: a binding may keep the
   * task alive until its garbage collector runs. The cleanup is disposed of when the
   * task is finalized. */
  cleanup->state = ATEXIT_CLEANUP_ABANDONED;
  atexit_run_settle (run, cleanup);
}

static void
atexit_run_start_one (AtexitRun     *run,
                      AtexitCleanup *cleanup)
{
  AtexitLoopFinalizer *self = run->self;

  if (run->report || run->debug || cleanup->kind == ATEXIT_CLEANUP_ASYNC)
    cleanup->started_at = g_get_monotonic_time ();

  if (G_UNLIKELY (run->debug))
    {
      char buf[ATEXIT_CLEANUP_NAME_MAX];

      g_debug ("Starting “%s” (priority %d)",
               atexit_cleanup_get_name (cleanup, buf), cleanup->priority);
    }

  if (cleanup->kind == ATEXIT_CLEANUP_SYNC)
    {
      ((AtexitFunc) cleanup->func) (cleanup->user_data);
      atexit_run_ended (run, cleanup, NULL);
      atexit_cleanup_dispose (cleanup);

      g_mutex_lock (&self->mutex);
      run->group_pending--;
      g_mutex_unlock (&self->mutex);
    }
  else
    {
      GTask *task = g_task_new (self, run->group_cancellable, atexit_run_task_returned, cleanup);

      g_task_set_source_tag (task, atexit_loop_finalizer_add_async_full);
      /* GLib 2.74 copies a task's name, and again into the source that returns it:
       * two allocations per cleanup, so only when someone is debugging. */
      if (G_UNLIKELY (run->debug))
        g_task_set_name (task, "[atexit-glib] cleanup");
      g_object_ref (self);  /* released by atexit_run_task_gone() */
      atexit_run_hold_context (self);
      g_object_set_qdata_full (G_OBJECT (task), atexit_run_cleanup_quark (),
                               cleanup, atexit_run_task_gone);
      atexit_cleanup_list_push_tail (&run->in_flight, cleanup);

      ((AtexitCleanupFunc) cleanup->func) (self, task, cleanup->user_data);
    }
}

static gboolean atexit_run_late_cb (gpointer data);

/* A high-priority idle of the run's context that holds the run; the context owns
 * it, so the pointer returned is valid until it has been dispatched or destroyed. */
static GSource *
atexit_run_add_idle (AtexitRun   *run,
                     const char  *name,
                     GSourceFunc  func)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, atexit_run_ref (run), atexit_run_unref);
  g_source_attach (source, run->context);
  g_source_unref (source);

  return source;
}

/* With the mutex held. */
static void
atexit_run_schedule_late_locked (AtexitRun *run)
{
  if (run->late_source == NULL)
    run->late_source = atexit_run_add_idle (run, "[atexit-glib] late cleanups", atexit_run_late_cb);
}

/* With the mutex held: takes the cleanups of @list, about to start, out of the id table. */
static void
atexit_run_mark_started_locked (AtexitRun         *run,
                                AtexitCleanupList *list)
{
  AtexitLoopFinalizer *self = run->self;
  /* Every cleanup of @list is in the id table; when they are all of it (one priority
   * group, the common case), emptying the table at once beats n removals. */
  gboolean all = list->length == g_hash_table_size (self->by_id);

  /* Out of the table, no remove() can reach them: each is marked started as it
   * starts, which spares a pass over entries that may no longer be in the cache. */
  if (all)
    g_hash_table_remove_all (self->by_id);
  else
    for (AtexitCleanup *cleanup = list->head; cleanup != NULL; cleanup = cleanup->next)
      g_hash_table_remove (self->by_id, cleanup);
  self->n_pending -= list->length;
}

static void
atexit_run_start_list (AtexitRun         *run,
                       AtexitCleanupList *list)
{
  AtexitLoopFinalizer *self = run->self;
  guint serial = run->group_serial;
  gboolean pushed = atexit_run_push_context (run);

  run->starting++;
  while (list->head != NULL)
    {
      AtexitCleanup *cleanup = list->head;

      atexit_cleanup_list_unlink (list, cleanup);

      if (run->cancellables->len > 0 && !run->finished)
        atexit_run_check_cancelled (run);

      if (G_LIKELY (run->group_serial == serial && !run->finished))
        {
          cleanup->state = ATEXIT_CLEANUP_STARTED;
          cleanup->finalizer = self;
          atexit_run_start_one (run, cleanup);
        }
      else if (run->cancelled || run->finished)
        {
          /* A cleanup iterated the context and the run was cancelled meanwhile. */
          atexit_cleanup_dispose (cleanup);
        }
      else
        {
          /* A cleanup iterated the context and its group's deadline passed meanwhile:
           * the rest still counts as pending, and joins the next group. */
          g_mutex_lock (&self->mutex);
          cleanup->state = ATEXIT_CLEANUP_LATE;
          g_hash_table_add (self->by_id, cleanup);
          self->n_pending++;
          atexit_cleanup_list_push_tail (&run->late, cleanup);
          g_mutex_unlock (&self->mutex);
        }
    }
  run->starting--;

  if (pushed)
    g_main_context_pop_thread_default (run->context);
}

static guint
atexit_run_get_group_pending (AtexitRun *run)
{
  guint pending;

  g_mutex_lock (&run->self->mutex);
  pending = run->group_pending;
  g_mutex_unlock (&run->self->mutex);

  return pending;
}

static gboolean
atexit_run_late_cb (gpointer data)
{
  AtexitRun *run = data;
  AtexitLoopFinalizer *self = run->self;
  AtexitCleanupList list = { NULL, NULL, 0 };

  g_mutex_lock (&self->mutex);
  run->late_source = NULL;
  /* Between groups, the next group takes the late cleanups itself. */
  if (run->group_cancellable != NULL && !run->finished)
    {
      atexit_cleanup_list_take_reversed (&list, &run->late);
      atexit_run_mark_started_locked (run, &list);
    }
  g_mutex_unlock (&self->mutex);

  if (run->group_cancellable == NULL || run->finished)
    return G_SOURCE_REMOVE;

  if (list.length > 0)
    {
      atexit_loop_finalizer_notify_pending (self);
      atexit_run_start_list (run, &list);
    }

  if (!run->finished && run->starting == 0)
    {
      if (run->group_cancellable == NULL)
        atexit_run_schedule_advance (run);  /* its deadline passed meanwhile */
      else if (atexit_run_get_group_pending (run) == 0)
        atexit_run_group_done (run);
    }

  return G_SOURCE_REMOVE;
}

gboolean
atexit_run_take_late_locked (AtexitRun     *run,
                             AtexitCleanup *cleanup)
{
  if (!run->have_group || cleanup->priority > run->group_priority)
    return FALSE;

  cleanup->state = ATEXIT_CLEANUP_LATE;
  atexit_cleanup_list_push_tail (&run->late, cleanup);
  run->group_pending++;
  atexit_run_schedule_late_locked (run);

  return TRUE;
}

void
atexit_run_drop_late_locked (AtexitRun     *run,
                             AtexitCleanup *cleanup)
{
  atexit_cleanup_list_unlink (&run->late, cleanup);
  run->group_pending--;
  /* The group may have been waiting for this one only. */
  atexit_run_schedule_late_locked (run);
}

static void
atexit_run_end_group (AtexitRun *run)
{
  g_clear_pointer (&run->deadline_source, atexit_run_destroy_source);
  g_clear_object (&run->group_cancellable);
}

static gboolean
atexit_run_advance_cb (gpointer data)
{
  AtexitRun *run = data;

  run->advance_source = NULL;
  atexit_run_advance (run);

  return G_SOURCE_REMOVE;
}

/* The group is over. The next one starts from an idle of the context rather than
 * from deep inside whatever ended this one (a task being finalized, a deadline). */
static void
atexit_run_schedule_advance (AtexitRun *run)
{
  if (run->advance_source == NULL && !run->finished)
    run->advance_source = atexit_run_add_idle (run, "[atexit-glib] next group",
                                               atexit_run_advance_cb);
}

static void
atexit_run_group_done (AtexitRun *run)
{
  atexit_run_end_group (run);
  atexit_run_schedule_advance (run);
}

/* Stops waiting for the in-flight cleanups of the group; @straggler says whether they
 * are reported as late, else as cancelled. Returns how many it let go. */
static guint
atexit_run_abandon_in_flight (AtexitRun *run,
                              gboolean   straggler)
{
  gint64 now = g_get_monotonic_time ();
  guint n = run->in_flight.length;

  while (run->in_flight.head != NULL)
    {
      AtexitCleanup *cleanup = run->in_flight.head;

      /* Returned ones have left the list already: these are still running. */
      g_assert (cleanup->state == ATEXIT_CLEANUP_STARTED);
      atexit_cleanup_list_unlink (&run->in_flight, cleanup);
      cleanup->state = ATEXIT_CLEANUP_ABANDONED;

      if (straggler)
        {
          atexit_run_straggler (run, cleanup, now);
        }
      else
        {
          g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("The run was cancelled"));
          atexit_run_ended (run, cleanup, error);
        }
    }

  return n;
}

static gboolean
atexit_run_deadline_cb (gpointer data)
{
  AtexitRun *run = data;
  g_autoptr(GCancellable) cancellable = NULL;
  guint n;

  g_clear_pointer (&run->deadline_source, g_source_unref);

  /* The group is over: those of its cleanups not started yet (one of them iterated the
   * context) go to the next group. */
  run->group_serial++;
  n = atexit_run_abandon_in_flight (run, TRUE);
  g_mutex_lock (&run->self->mutex);
  run->group_pending -= n;
  g_mutex_unlock (&run->self->mutex);

  /* Cancel after the stragglers are counted: a cleanup that gives up on cancellation
   * missed its deadline all the same. */
  cancellable = g_steal_pointer (&run->group_cancellable);
  atexit_run_group_done (run);
  g_cancellable_cancel (cancellable);

  return G_SOURCE_REMOVE;
}

static void
atexit_run_begin_group (AtexitRun *run,
                        guint      timeout_ms)
{
  run->group_cancellable = g_cancellable_new ();
  run->group_timeout_ms = timeout_ms;
  run->debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
  run->report = g_signal_has_handler_pending (run->self,
                                              atexit_loop_finalizer_signals[ATEXIT_SIGNAL_CLEANUP_FINISHED],
                                              0, FALSE);

  if (timeout_ms > 0)
    {
      run->deadline_source = g_timeout_source_new (timeout_ms);
      g_source_set_priority (run->deadline_source, G_PRIORITY_HIGH);
      g_source_set_static_name (run->deadline_source, "[atexit-glib] group deadline");
      g_source_set_callback (run->deadline_source, atexit_run_deadline_cb,
                             atexit_run_ref (run), atexit_run_unref);
      g_source_attach (run->deadline_source, run->context);
    }

  if (G_UNLIKELY (run->debug))
    g_debug ("Starting the group of priority %d (deadline: %u ms)", run->group_priority, timeout_ms);
}

static GError *
atexit_run_build_error (AtexitRun *run)
{
  g_autoptr(GString) details = NULL;
  guint n = run->problems->len;

  if (n == 0 && !run->cancelled)
    return NULL;

  details = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (details, "%s%s", i > 0 ? "; " : "",
                            (const char *) g_ptr_array_index (run->problems, i));

  if (run->cancelled)
    {
      if (n == 0)
        return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was cancelled"));
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                          _("The run was cancelled; before that: %s"), details->str);
    }

  return g_error_new (ATEXIT_ERROR,
                      run->n_timed_out == n ? ATEXIT_ERROR_TIMED_OUT : ATEXIT_ERROR_FAILED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "%u cleanup did not succeed: %s",
                                   "%u cleanups did not succeed: %s", n),
                      n, details->str);
}

/* Ends the run, in the context's thread. The finalizer no longer points at it. */
static void
atexit_run_finish (AtexitRun *run)
{
  AtexitLoopFinalizer *self = run->self;
  g_autoptr(GError) error = NULL;

  g_assert (!run->finished);
  run->finished = TRUE;

  atexit_run_end_group (run);
  g_ptr_array_set_size (run->cancel_sources, 0);

  error = atexit_run_build_error (run);
  if (G_UNLIKELY (run->debug))
    g_debug ("The run ended: %s", error != NULL ? error->message : "every cleanup succeeded");

  for (guint i = 0; i < run->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (run->waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_ptr_array_set_size (run->waiters, 0);

  atexit_loop_finalizer_notify_running (self);
}

static void
atexit_run_advance (AtexitRun *run)
{
  AtexitLoopFinalizer *self = run->self;

  /* A cleanup that iterates the context while it is being started (a nested run, a
   * nested loop) may see its group end; the next group waits until it has returned. */
  if (run->starting > 0)
    return;

  atexit_run_ref (run);

  while (!run->finished)
    {
      AtexitCleanupList group = { NULL, NULL, 0 };
      AtexitBucket *bucket;
      guint timeout_ms;

      /* A cancellation from the run's own thread (a cleanup, a handler) is seen here,
       * before anything else starts, rather than when its source is dispatched. */
      if (atexit_run_check_cancelled (run))
        break;

      g_assert (run->in_flight.length == 0);

      g_mutex_lock (&self->mutex);
      bucket = atexit_loop_finalizer_first_bucket (self);
      if (bucket == NULL && run->late.length == 0)
        {
          g_assert (run->group_pending == 0);
          self->run = NULL;
          run->have_group = FALSE;
          g_mutex_unlock (&self->mutex);

          atexit_run_finish (run);
          atexit_run_unref (run);  /* the finalizer's */
          break;
        }

      run->group_serial++;
      run->have_group = TRUE;
      if (bucket != NULL)
        run->group_priority = bucket->priority;
      /* Late ones were added last, so they start first. */
      atexit_cleanup_list_take_reversed (&group, &run->late);
      if (bucket != NULL)
        {
          run->group_pending += bucket->list.length;
          atexit_cleanup_list_take_reversed (&group, &bucket->list);
        }
      atexit_run_mark_started_locked (run, &group);
      timeout_ms = self->timeout_ms;
      g_mutex_unlock (&self->mutex);

      atexit_loop_finalizer_notify_pending (self);
      atexit_run_begin_group (run, timeout_ms);
      atexit_run_start_list (run, &group);

      if (run->finished)
        break;
      if (run->group_cancellable == NULL)
        {
          /* Its deadline passed while it was being started. */
          atexit_run_schedule_advance (run);
          break;
        }
      if (atexit_run_get_group_pending (run) > 0)
        break;

      atexit_run_end_group (run);
    }

  atexit_run_unref (run);
}

static gboolean
atexit_run_cancelled_cb (GCancellable *cancellable,
                         gpointer      data)
{
  AtexitRun *run = data;
  AtexitLoopFinalizer *self = run->self;
  AtexitCleanupList skipped = { NULL, NULL, 0 };
  gboolean was_attached;

  if (run->finished || run->cancelled)
    return G_SOURCE_REMOVE;

  run->cancelled = TRUE;
  atexit_run_abandon_in_flight (run, FALSE);
  if (run->group_cancellable != NULL)
    g_cancellable_cancel (run->group_cancellable);

  /* Skip what has not started: the late ones and every group still to come. */
  g_mutex_lock (&self->mutex);
  atexit_cleanup_list_take_reversed (&skipped, &run->late);
  for (AtexitBucket *bucket; (bucket = atexit_loop_finalizer_first_bucket (self)) != NULL;)
    while (bucket->list.head != NULL)
      {
        AtexitCleanup *cleanup = bucket->list.head;

        atexit_loop_finalizer_unlink_registered (self, cleanup);
        atexit_cleanup_list_push_tail (&skipped, cleanup);
      }
  for (AtexitCleanup *cleanup = skipped.head; cleanup != NULL; cleanup = cleanup->next)
    g_hash_table_remove (self->by_id, cleanup);
  self->n_pending -= skipped.length;
  run->group_pending = 0;
  run->have_group = FALSE;
  if (run->late_source != NULL)
    g_source_destroy (g_steal_pointer (&run->late_source));
  was_attached = self->run == run;
  self->run = NULL;
  g_mutex_unlock (&self->mutex);

  if (G_UNLIKELY (run->debug))
    g_debug ("The run was cancelled; %u cleanups skipped", skipped.length);

  while (skipped.head != NULL)
    {
      AtexitCleanup *cleanup = skipped.head;

      atexit_cleanup_list_unlink (&skipped, cleanup);
      atexit_cleanup_dispose (cleanup);
    }
  atexit_loop_finalizer_notify_pending (self);

  atexit_run_ref (run);
  atexit_run_finish (run);
  if (was_attached)
    atexit_run_unref (run);  /* the finalizer's */
  atexit_run_unref (run);

  return G_SOURCE_REMOVE;
}

/* Whether a caller's cancellable was cancelled; if so, the run is cancelled now. */
static gboolean
atexit_run_check_cancelled (AtexitRun *run)
{
  for (guint i = 0; i < run->cancellables->len && !run->cancelled; i++)
    {
      GCancellable *cancellable = g_ptr_array_index (run->cancellables, i);

      if (g_cancellable_is_cancelled (cancellable))
        atexit_run_cancelled_cb (cancellable, run);
    }

  return run->cancelled;
}

static void
atexit_run_watch_cancellable (AtexitRun    *run,
                              GCancellable *cancellable)
{
  GSource *source;

  if (cancellable == NULL)
    return;

  /* Cancellation may come from any thread; the source brings it to the context. */
  g_ptr_array_add (run->cancellables, g_object_ref (cancellable));
  source = g_cancellable_source_new (cancellable);
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[atexit-glib] run cancelled");
  g_source_set_callback (source, G_SOURCE_FUNC (atexit_run_cancelled_cb),
                         atexit_run_ref (run), atexit_run_unref);
  g_source_attach (source, run->context);
  g_ptr_array_add (run->cancel_sources, source);
}

void
atexit_run_start_or_join (AtexitLoopFinalizer *self,
                          GTask               *task,
                          GCancellable        *cancellable)
{
  AtexitRun *run;

  g_mutex_lock (&self->mutex);
  run = self->run;
  if (run == NULL && self->context != NULL)
    {
      run = g_new0 (AtexitRun, 1);
      g_atomic_ref_count_init (&run->ref_count);
      run->self = g_object_ref (self);
      run->context = g_main_context_ref (self->context);
      run->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      run->cancel_sources = g_ptr_array_new_with_free_func (atexit_run_destroy_source);
      run->cancellables = g_ptr_array_new_with_free_func (g_object_unref);
      run->problems = g_ptr_array_new_with_free_func (g_free);
      self->run = run;  /* owns the first reference */

      g_ptr_array_add (run->waiters, g_object_ref (task));
      g_mutex_unlock (&self->mutex);

      atexit_run_watch_cancellable (run, cancellable);
      atexit_loop_finalizer_notify_running (self);

      run->debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
      if (G_UNLIKELY (run->debug))
        g_debug ("Run started");

      atexit_run_ref (run);
      /* Cancelled before it began: nothing starts, not even the signal. */
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        atexit_run_cancelled_cb (cancellable, run);
      else
        {
          run->emitting = TRUE;
          g_signal_emit (self, atexit_loop_finalizer_signals[ATEXIT_SIGNAL_ABOUT_TO_CLOSE], 0);
          run->emitting = FALSE;
        }
      /* Unless a handler joined the run, which then started from the context. */
      if (!run->finished && run->advance_source == NULL)
        atexit_run_advance (run);
      atexit_run_unref (run);
      return;
    }

  if (run == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_task_return_new_error (task, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                               _("Cannot run the finalizer: its main context was destroyed"));
      return;
    }

  /* A run is in progress: join it. */
  g_ptr_array_add (run->waiters, g_object_ref (task));
  atexit_run_ref (run);
  g_mutex_unlock (&self->mutex);

  atexit_run_watch_cancellable (run, cancellable);
  /* Joined from an about-to-close handler, perhaps to wait for the run: its groups
   * must start without waiting for the signal emission to return. */
  if (run->emitting)
    atexit_run_schedule_advance (run);
  atexit_run_unref (run);
}

gboolean
atexit_run_is_starting (AtexitLoopFinalizer *self)
{
  return self->run != NULL && self->run->starting > 0;
}
