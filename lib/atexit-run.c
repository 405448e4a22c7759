/* atexit-run.c: one run of a finalizer: its phases, groups, deadlines, cancellation
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-run-private.h"
#include "atexit-sd-notify-private.h"

/* Who holds a run: the finalizer while it is the one in progress (self->run), each
 * source of the run's (the timer, the wake idle, the cancellation watches), and whoever
 * has it on the stack while calling out. */

AtexitRun *
atexit_run_ref (AtexitRun *run)
{
  g_atomic_ref_count_inc (&run->ref_count);
  return run;
}

void
atexit_run_unref (AtexitRun *run)
{
  if (!g_atomic_ref_count_dec (&run->ref_count))
    return;

  g_assert (run->phase == ATEXIT_RUN_FINISHED);
  g_assert (run->in_flight.length == 0);
  g_assert (run->timer == NULL);
  g_assert (run->group == NULL);

  g_clear_pointer (&run->waiters, g_ptr_array_unref);
  g_clear_pointer (&run->cancellables, g_ptr_array_unref);
  g_clear_pointer (&run->watches, g_ptr_array_unref);
  g_clear_pointer (&run->own_cancellables, g_hash_table_unref);
  g_clear_pointer (&run->problems, g_ptr_array_unref);
  g_clear_object (&run->group_cancellable);
  g_clear_pointer (&run->notify, atexit_sd_notify_free);
  g_main_context_unref (run->context);
  g_object_unref (run->self);
  g_free (run);
}

static void
atexit_run_unref_cb (gpointer data)
{
  atexit_run_unref (data);
}

static void
atexit_run_destroy_source (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

static AtexitRun *
atexit_run_new (AtexitLoopFinalizer *self)
{
  AtexitRun *run = g_new0 (AtexitRun, 1);

  g_atomic_ref_count_init (&run->ref_count);
  run->generation = atexit_registry_get_generation ();
  run->self = g_object_ref (self);
  run->context = g_main_context_ref (self->context);
  run->phase = ATEXIT_RUN_STARTING;
  run->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  run->cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  run->watches = g_ptr_array_new_with_free_func (atexit_run_destroy_source);
  run->own_cancellables = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  run->problems = g_ptr_array_new_with_free_func (g_free);
  run->started_at = g_get_monotonic_time ();
  run->total_deadline = G_MAXINT64;
  run->min_own_deadline = G_MAXINT64;
  run->group_deadline = G_MAXINT64;
  run->total_timeout_ms = atexit_loop_finalizer_get_total_timeout (self);

  return run;
}

/* Deadlines. One source serves them all: it is made ready at the earliest of the
 * group's deadline, the own deadlines of cleanups in flight and the run's total one. */

gint64
atexit_run_deadline_of (AtexitRun     *run,
                        AtexitCleanup *cleanup)
{
  if (!cleanup->own_deadline)
    return run->group_deadline;
  if (cleanup->timeout_ms == 0)
    return G_MAXINT64;
  return cleanup->started_at + (gint64) cleanup->timeout_ms * 1000;
}

static gboolean
atexit_run_timer_dispatch (GSource     *source,
                           GSourceFunc  callback,
                           gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs atexit_run_timer_funcs = {
  NULL, NULL, atexit_run_timer_dispatch, NULL, NULL, NULL
};

static gboolean atexit_run_timer_cb (gpointer data);

void
atexit_run_arm_timer (AtexitRun *run)
{
  gint64 next = run->total_deadline;
  gint64 ready;

  if (run->in_flight.length > 0)
    next = MIN (next, MIN (run->group_expired ? G_MAXINT64 : run->group_deadline,
                           run->min_own_deadline));
  ready = next == G_MAXINT64 ? -1 : next;

  if (run->timer == NULL)
    {
      if (ready == -1)
        return;
      run->timer = g_source_new (&atexit_run_timer_funcs, sizeof (GSource));
      g_source_set_priority (run->timer, G_PRIORITY_HIGH);
      g_source_set_static_name (run->timer, "[atexit-glib] deadline");
      g_source_set_callback (run->timer, atexit_run_timer_cb, atexit_run_ref (run),
                             atexit_run_unref_cb);
      g_source_set_ready_time (run->timer, ready);
      g_source_attach (run->timer, run->context);
    }
  else
    {
      gint64 current = g_source_get_ready_time (run->timer);

      /* Only ever earlier: a timer that fires before anything is due finds nothing,
       * and is armed again then. Each change takes the context's lock and wakes it,
       * twice a group where groups are many. */
      if (ready != -1 && (current == -1 || ready < current))
        g_source_set_ready_time (run->timer, ready);
    }
}

/* Cancels what must be cancelled, then tells the reports: both run user code (handlers
 * of "cancelled", of ::cleanup-finished), so the run's state is settled before. */
static void
atexit_run_tell (AtexitRun *run,
                 GPtrArray *to_cancel,
                 GPtrArray *reports)
{
  for (guint i = 0; to_cancel != NULL && i < to_cancel->len; i++)
    g_cancellable_cancel (g_ptr_array_index (to_cancel, i));
  for (guint i = 0; reports != NULL && i < reports->len; i++)
    atexit_run_report_emit (run, g_steal_pointer (&reports->pdata[i]));
}

void
atexit_run_settle (AtexitRun     *run,
                   AtexitCleanup *cleanup)
{
  g_assert (cleanup->state == ATEXIT_CLEANUP_STARTED);

  atexit_cleanup_list_unlink (&run->in_flight, cleanup);
  cleanup->state = ATEXIT_CLEANUP_ENDED;
  if (cleanup->own_deadline)
    g_hash_table_remove (run->own_cancellables, cleanup);
}

/* Lets go of every cleanup in flight: the run no longer waits for them. Their reports
 * and cancellables are added to @reports and @to_cancel. */
static void
atexit_run_let_go_all (AtexitRun *run,
                       gint64     now,
                       GPtrArray *reports,
                       GPtrArray *to_cancel)
{
  AtexitCleanup *cleanup;

  while ((cleanup = run->in_flight.head) != NULL)
    {
      GCancellable *own = g_hash_table_lookup (run->own_cancellables, cleanup);

      if (run->expired)
        {
          g_ptr_array_add (reports, atexit_run_report_straggler (run, cleanup, now, TRUE));
        }
      else
        {
          g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("The run was cancelled"));

          g_ptr_array_add (reports, atexit_run_report_new (run, cleanup, error));
        }
      if (own != NULL)
        g_ptr_array_add (to_cancel, g_object_ref (own));
      atexit_run_settle (run, cleanup);
    }
  if (run->group_cancellable != NULL)
    g_ptr_array_add (to_cancel, g_object_ref (run->group_cancellable));
}

/* With the mutex held: the finalizer no longer points at the run, and what was not
 * started is taken out to be skipped (all of it when the run was cancelled or its total
 * deadline passed). Done under the same lock as the finding that nothing is left, so
 * that a cleanup added meanwhile either joins the run or waits for the next one. */
static void
atexit_run_detach_locked (AtexitRun         *run,
                          AtexitCleanupList *skipped)
{
  AtexitLoopFinalizer *self = run->self;
  AtexitBucket *group = g_steal_pointer (&run->group);

  atexit_cleanup_table_steal_all (&self->table, group, run->cancelled || run->expired, skipped);
  if (group != NULL)
    atexit_cleanup_table_free_group (group);
  if (run->wake != NULL)
    g_source_destroy (g_steal_pointer (&run->wake));
  g_assert (self->run == run);
  self->run = NULL;
  self->registrations_at_end = self->registrations;
  self->has_run = TRUE;
}

/* Ends a detached run: then, in this order, the cancellables are cancelled, the reports
 * told, the skipped cleanups' destroy notifies called, and the waiters given their
 * result. */
static void
atexit_run_finish_detached (AtexitRun         *run,
                            AtexitCleanupList *skipped,
                            GPtrArray         *reports,
                            GPtrArray         *to_cancel)
{
  AtexitLoopFinalizer *self = run->self;
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (run->phase != ATEXIT_RUN_FINISHED);
  g_assert (run->in_flight.length == 0);

  atexit_run_ref (run);
  run->phase = ATEXIT_RUN_FINISHED;

  if (run->timer != NULL)
    g_clear_pointer (&run->timer, atexit_run_destroy_source);
  g_ptr_array_set_size (run->watches, 0);

  atexit_run_report_skipped (run, skipped);
  error = atexit_run_report_build_error (run);
  waiters = g_steal_pointer (&run->waiters);
  run->waiters = g_ptr_array_new_with_free_func (g_object_unref);

  /* From here on, user code runs. */
  atexit_run_tell (run, to_cancel, reports);
  while (skipped->head != NULL)
    atexit_cleanup_dispose (atexit_cleanup_list_pop_head (skipped));
  atexit_loop_finalizer_notify_pending (self);
  atexit_loop_finalizer_notify_running (self);
  atexit_run_report_end (run, error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_boolean (waiter, TRUE);
    }

  atexit_run_unref (run);  /* the finalizer's */
  atexit_run_unref (run);
}

static void
atexit_run_finish (AtexitRun *run,
                   GPtrArray *reports,
                   GPtrArray *to_cancel)
{
  AtexitCleanupList skipped = { NULL, NULL, 0 };

  g_mutex_lock (&run->self->mutex);
  atexit_run_detach_locked (run, &skipped);
  g_mutex_unlock (&run->self->mutex);

  atexit_run_finish_detached (run, &skipped, reports, to_cancel);
}

/* A caller's cancellable was cancelled: the running group is cancelled, the groups not
 * started are skipped, and the run ends with G_IO_ERROR_CANCELLED. */
static void
atexit_run_cancel (AtexitRun *run)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new ();
  g_autoptr(GPtrArray) to_cancel = g_ptr_array_new_with_free_func (g_object_unref);

  if (run->phase == ATEXIT_RUN_FINISHED)
    return;

  run->cancelled = TRUE;
  atexit_run_let_go_all (run, g_get_monotonic_time (), reports, to_cancel);
  atexit_run_finish (run, reports, to_cancel);
}

/* The run's total deadline passed: as a cancellation, but the cleanups in flight are
 * stragglers and the run's error says which deadline it was. */
static void
atexit_run_expire (AtexitRun *run,
                   gint64     now)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new ();
  g_autoptr(GPtrArray) to_cancel = g_ptr_array_new_with_free_func (g_object_unref);

  run->expired = TRUE;
  atexit_run_let_go_all (run, now, reports, to_cancel);
  atexit_run_finish (run, reports, to_cancel);
}

/* Whether a caller's cancellable was cancelled; if so, the run is cancelled now. This
 * sees a cancellation from the run's own thread (a cleanup, a handler) before anything
 * else starts, rather than when its source is dispatched. */
static gboolean
atexit_run_check_cancelled (AtexitRun *run)
{
  for (guint i = 0; i < run->cancellables->len; i++)
    if (g_cancellable_is_cancelled (g_ptr_array_index (run->cancellables, i)))
      {
        atexit_run_cancel (run);
        return TRUE;
      }

  return run->phase == ATEXIT_RUN_FINISHED;
}

static gboolean
atexit_run_cancelled_cb (GCancellable *cancellable,
                         gpointer      data)
{
  AtexitRun *run = data;

  if (ATEXIT_RUN_IS_STALE (run))
    return G_SOURCE_REMOVE;

  atexit_run_ref (run);
  atexit_run_cancel (run);
  atexit_run_unref (run);

  return G_SOURCE_REMOVE;
}

static void
atexit_run_watch (AtexitRun    *run,
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
                         atexit_run_ref (run), atexit_run_unref_cb);
  g_source_attach (source, run->context);
  g_ptr_array_add (run->watches, source);
}

/* In flight past their deadline: the run stops waiting for them, names each in its
 * error, and cancels their cancellables. */
static void
atexit_run_check_deadlines (AtexitRun *run,
                            gint64     now)
{
  g_autoptr(GPtrArray) reports = g_ptr_array_new ();
  g_autoptr(GPtrArray) to_cancel = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 min_own = G_MAXINT64;
  AtexitCleanup *next;

  for (AtexitCleanup *cleanup = run->in_flight.head; cleanup != NULL; cleanup = next)
    {
      gint64 deadline = atexit_run_deadline_of (run, cleanup);

      next = cleanup->next;
      if (deadline > now)
        {
          if (cleanup->own_deadline)
            min_own = MIN (min_own, deadline);
          continue;
        }

      if (cleanup->own_deadline)
        g_ptr_array_add (to_cancel,
                         g_object_ref (g_hash_table_lookup (run->own_cancellables, cleanup)));
      g_ptr_array_add (reports, atexit_run_report_straggler (run, cleanup, now, FALSE));
      atexit_run_settle (run, cleanup);
    }
  run->min_own_deadline = min_own;

  /* Cancelled after the stragglers are counted: a cleanup that gives up on cancellation
   * missed its deadline all the same. */
  if (run->group_deadline <= now)
    {
      run->group_expired = TRUE;
      if (run->group_cancellable != NULL)
        g_ptr_array_add (to_cancel, g_steal_pointer (&run->group_cancellable));
    }

  atexit_run_arm_timer (run);
  g_mutex_lock (&run->self->mutex);
  atexit_run_wake_locked (run);
  g_mutex_unlock (&run->self->mutex);

  atexit_run_tell (run, to_cancel, reports);
}

/* Whether the run's total deadline has passed; if so, it ends now. The timer tells it
 * too, but a run that never goes back to the main loop (one sync cleanup after
 * another, or one that registers itself again) would not hear it. */
static gboolean
atexit_run_check_expired (AtexitRun *run)
{
  gint64 now;

  if (run->total_deadline == G_MAXINT64 || run->phase == ATEXIT_RUN_FINISHED)
    return FALSE;

  now = g_get_monotonic_time ();
  if (now < run->total_deadline)
    return FALSE;

  atexit_run_expire (run, now);
  return TRUE;
}

static gboolean
atexit_run_timer_cb (gpointer data)
{
  AtexitRun *run = data;
  gint64 now = g_get_monotonic_time ();

  if (ATEXIT_RUN_IS_STALE (run))
    return G_SOURCE_REMOVE;

  atexit_run_ref (run);
  if (run->phase != ATEXIT_RUN_FINISHED)
    {
      GSource *dispatching = g_steal_pointer (&run->timer);

      /* What follows tells user code, which may iterate the context until the run is
       * over (a modal dialog): GLib does not dispatch a source again from within its
       * own dispatch, so the next deadline gets a source of its own. */
      g_source_destroy (dispatching);
      g_source_unref (dispatching);
      if (now >= run->total_deadline)
        atexit_run_expire (run, now);
      else
        atexit_run_check_deadlines (run, now);
    }
  atexit_run_unref (run);

  return G_SOURCE_CONTINUE;
}

/* Groups. */

static gboolean
atexit_run_wake_cb (gpointer data)
{
  AtexitRun *run = data;

  if (ATEXIT_RUN_IS_STALE (run))
    return G_SOURCE_REMOVE;

  g_mutex_lock (&run->self->mutex);
  run->wake = NULL;
  g_mutex_unlock (&run->self->mutex);

  atexit_run_pump (run);

  return G_SOURCE_REMOVE;
}

void
atexit_run_wake_locked (AtexitRun *run)
{
  GSource *source;

  if (run->wake != NULL || run->self->run != run)
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[atexit-glib] run");
  g_source_set_callback (source, atexit_run_wake_cb, atexit_run_ref (run), atexit_run_unref_cb);
  g_source_attach (source, run->context);
  g_source_unref (source);
  run->wake = source;
}

gboolean
atexit_run_take_late_locked (AtexitRun     *run,
                             AtexitCleanup *cleanup)
{
  if (run->group == NULL || cleanup->priority > run->group_priority)
    return FALSE;

  atexit_cleanup_table_add_to (&run->self->table, run->group, cleanup);
  atexit_run_wake_locked (run);

  return TRUE;
}

static void
atexit_run_next_group (AtexitRun *run)
{
  AtexitLoopFinalizer *self = run->self;
  AtexitBucket *group;
  char *status = NULL;
  guint max_timeout_ms = 0;
  gint64 now;
  guint n = 0;

  AtexitCleanupList none = { NULL, NULL, 0 };

  g_mutex_lock (&self->mutex);
  group = atexit_cleanup_table_take_group (&self->table);
  if (group == NULL)
    atexit_run_detach_locked (run, &none);
  else
    {
      run->group = group;
      run->group_priority = group->priority;
      run->group_timeout_ms = atexit_loop_finalizer_get_timeout (self);
      n = group->list.length;
      run->phase = ATEXIT_RUN_IN_GROUP;
      if (G_UNLIKELY (run->notify != NULL))
        status = atexit_run_report_describe_group_locked (run, group, &max_timeout_ms);
    }
  g_mutex_unlock (&self->mutex);

  if (group == NULL)
    {
      atexit_run_finish_detached (run, &none, NULL, NULL);
      return;
    }

  now = g_get_monotonic_time ();
  run->n_groups++;
  run->group_started_at = now;
  run->group_expired = FALSE;
  run->group_deadline = run->group_timeout_ms > 0
                          ? now + (gint64) run->group_timeout_ms * 1000
                          : G_MAXINT64;
  atexit_run_report_group (run, n, status, max_timeout_ms);
}

static void
atexit_run_end_group (AtexitRun    *run,
                      AtexitBucket *group)
{
  atexit_cleanup_table_free_group (group);
  g_clear_object (&run->group_cancellable);
  run->group_deadline = G_MAXINT64;
  run->min_own_deadline = G_MAXINT64;
  atexit_run_arm_timer (run);
}

/* Starts the group's cleanups, last registered first, one at a time: each is taken from
 * the table just before it starts, so that remove() still reaches those not started. The
 * group ends, under the lock so that no cleanup joins a group that has ended, when none
 * is left to start and none is in flight. */
static void
atexit_run_step_group (AtexitRun *run)
{
  AtexitLoopFinalizer *self = run->self;

  while (run->phase == ATEXIT_RUN_IN_GROUP)
    {
      AtexitBucket *ended = NULL;
      AtexitCleanup *cleanup;

      if (run->cancellables->len > 0 && atexit_run_check_cancelled (run))
        break;
      if (atexit_run_check_expired (run))
        break;

      g_mutex_lock (&self->mutex);
      cleanup = atexit_cleanup_table_pop (&self->table, run->group);
      if (cleanup == NULL && run->in_flight.length == 0)
        {
          ended = g_steal_pointer (&run->group);
          run->phase = ATEXIT_RUN_BETWEEN;
        }
      g_mutex_unlock (&self->mutex);

      if (cleanup == NULL)
        {
          if (ended != NULL)
            atexit_run_end_group (run, ended);
          break;
        }

      run->started_any = TRUE;
      atexit_run_start_cleanup (run, cleanup);
    }
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

void
atexit_run_pump (AtexitRun *run)
{
  gboolean pushed;

  if (run->pumping)
    {
      run->repump = TRUE;
      return;
    }
  if (run->phase == ATEXIT_RUN_FINISHED || ATEXIT_RUN_IS_STALE (run))
    return;
  /* about-to-close comes first: its handlers, which may register, have the run to
   * themselves until one of them waits for it. */
  if (run->phase == ATEXIT_RUN_STARTING)
    {
      if (!run->start_early)
        return;
      run->phase = ATEXIT_RUN_BETWEEN;
    }

  atexit_run_ref (run);
  run->pumping = TRUE;
  /* Tasks are made here: their callbacks must come back to the run's context. */
  pushed = atexit_run_push_context (run);

  do
    {
      run->repump = FALSE;
      if (run->cancellables->len > 0 && atexit_run_check_cancelled (run))
        break;
      if (run->phase == ATEXIT_RUN_IN_GROUP)
        atexit_run_step_group (run);
      if (run->phase == ATEXIT_RUN_BETWEEN && !atexit_run_check_expired (run))
        {
          atexit_run_next_group (run);
          run->repump = TRUE;
        }
    }
  while (run->repump && run->phase != ATEXIT_RUN_FINISHED);

  /* Once a pump, not once a group: where groups are many, it is what they cost. */
  if (run->started_any)
    {
      run->started_any = FALSE;
      atexit_loop_finalizer_notify_pending (run->self);
    }

  if (pushed)
    g_main_context_pop_thread_default (run->context);
  run->pumping = FALSE;
  atexit_run_unref (run);
}

void
atexit_run_start_or_join (AtexitLoopFinalizer *self,
                          GTask               *waiter)
{
  GCancellable *cancellable = g_task_get_cancellable (waiter);
  AtexitRun *run;

  /* In the child of a fork(), what the parent registered is forgotten first. */
  atexit_loop_finalizer_lock (self);
  run = self->run;

  if (run != NULL)
    {
      /* A run is in progress: join it. */
      g_ptr_array_add (run->waiters, g_object_ref (waiter));
      atexit_run_ref (run);
      /* Joined from an about-to-close handler, perhaps to wait for the run: its groups
       * may start without waiting for the signal emission to return. (Joined before
       * the emission, from a notify::running handler, the run just goes on.) */
      if (run->phase == ATEXIT_RUN_STARTING && run->emitting)
        {
          run->start_early = TRUE;
          atexit_run_wake_locked (run);
        }
      g_mutex_unlock (&self->mutex);

      atexit_run_watch (run, cancellable);
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        atexit_run_cancel (run);
      atexit_run_unref (run);
      return;
    }

  if (self->context == NULL)
    {
      g_mutex_unlock (&self->mutex);
      g_task_return_new_error (waiter, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                               _("Cannot run the finalizer: its main context was destroyed"));
      return;
    }

  /* A safety net after a completed shutdown (a second quit, the application's
   * ::shutdown after a graceful quit): nothing to do, and nothing to tell. */
  if (self->has_run && self->registrations == self->registrations_at_end)
    {
      g_mutex_unlock (&self->mutex);
      g_task_return_boolean (waiter, TRUE);
      return;
    }

  run = atexit_run_new (self);
  self->run = run;  /* the finalizer's reference */
  g_atomic_pointer_set (&self->owner_thread, g_thread_self ());
  g_ptr_array_add (run->waiters, g_object_ref (waiter));
  g_mutex_unlock (&self->mutex);

  atexit_run_ref (run);
  atexit_run_watch (run, cancellable);
  atexit_run_report_begin (run);

  /* Cancelled before it began: nothing starts, not even the signal. */
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      atexit_run_cancel (run);
      atexit_run_unref (run);
      return;
    }

  if (run->total_timeout_ms > 0)
    {
      run->total_deadline = run->started_at + (gint64) run->total_timeout_ms * 1000;
      atexit_run_arm_timer (run);
    }

  atexit_loop_finalizer_notify_running (self);
  if (run->phase == ATEXIT_RUN_STARTING)
    {
      run->emitting = TRUE;
      atexit_loop_finalizer_emit_about_to_close (self);
      run->emitting = FALSE;
    }
  if (run->phase == ATEXIT_RUN_STARTING)
    run->phase = ATEXIT_RUN_BETWEEN;

  atexit_run_pump (run);
  atexit_run_unref (run);
}
