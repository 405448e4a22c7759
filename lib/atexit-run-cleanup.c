/* atexit-run-cleanup.c: starting one cleanup, and its task's return or release
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-run-private.h"

static GQuark atexit_run_cleanup_quark (void);
G_DEFINE_QUARK (atexit-run-cleanup, atexit_run_cleanup)

/* The task of an async cleanup returned, in the run's context. The group waits for the
 * task to be returned, not released: a binding may keep it alive until its garbage
 * collector runs. */
static void
atexit_run_task_returned (GObject      *object,
                          GAsyncResult *result,
                          gpointer      data)
{
  AtexitCleanup *cleanup = data;
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  g_autoptr(GError) error = NULL;
  AtexitReport *report;
  AtexitRun *run;

  if (!g_task_propagate_boolean (G_TASK (result), &error) && error == NULL)
    error = g_error_new_literal (ATEXIT_ERROR, ATEXIT_ERROR_FAILED, _("it returned FALSE"));

  if (ATEXIT_CLEANUP_IS_STALE (cleanup))
    return;

  if (cleanup->state != ATEXIT_CLEANUP_STARTED)
    {
      /* Its deadline passed, or its run was cancelled: a late completion is ignored. */
      if (G_UNLIKELY (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)))
        {
          g_autofree char *name = atexit_cleanup_dup_name (cleanup);

          g_debug ("“%s” returned after the run stopped waiting for it; ignored", name);
        }
      return;
    }

  /* Started, and not ended: its run is the one in progress. */
  run = atexit_run_ref (self->run);
  report = atexit_run_report_new (run, cleanup, error);
  atexit_run_settle (run, cleanup);
  if (run->in_flight.length == 0)
    {
      /* The group may be over: the next one starts from the context, rather than from
       * inside whatever returned this task. */
      g_mutex_lock (&self->mutex);
      atexit_run_wake_locked (run);
      g_mutex_unlock (&self->mutex);
    }
  atexit_run_report_emit (run, report);
  atexit_run_unref (run);
}

/* In the finalizer's context: the task of @cleanup has been finalized. Its destroy
 * notify is due; if it never returned the task, it failed. */
static void
atexit_run_task_gone_here (AtexitCleanup *cleanup)
{
  AtexitLoopFinalizer *self = cleanup->task.finalizer;
  GMainContext *context = g_steal_pointer (&cleanup->task.context);

  if (ATEXIT_CLEANUP_IS_STALE (cleanup))
    {
      /* The parent's, in the child of a fork(): its data is the parent's to release. */
      atexit_cleanup_free (cleanup);
    }
  else if (cleanup->state == ATEXIT_CLEANUP_STARTED)
    {
      AtexitRun *run = atexit_run_ref (self->run);
      AtexitReport *report = atexit_run_report_dropped (run, cleanup);

      atexit_run_settle (run, cleanup);
      g_mutex_lock (&self->mutex);
      atexit_run_wake_locked (run);
      g_mutex_unlock (&self->mutex);
      atexit_run_report_emit (run, report);
      atexit_cleanup_dispose (cleanup);
      atexit_run_unref (run);
    }
  else
    {
      atexit_cleanup_dispose (cleanup);
    }

  g_object_unref (self);
  if (context != NULL)
    g_main_context_unref (context);
}

typedef struct {
  AtexitCleanup *cleanup;  /* NULL once handled */
} AtexitGone;

static gboolean
atexit_run_gone_cb (gpointer data)
{
  AtexitGone *gone = data;

  atexit_run_task_gone_here (g_steal_pointer (&gone->cleanup));

  return G_SOURCE_REMOVE;
}

/* The idle is released: dispatched, or destroyed with its context before. In the latter
 * case no run is in progress (a run holds its context), and the cleanup's data is
 * released in the thread that destroyed the context. */
static void
atexit_run_gone_free (gpointer data)
{
  AtexitGone *gone = data;

  if (gone->cleanup != NULL)
    {
      AtexitLoopFinalizer *self = gone->cleanup->task.finalizer;

      if (ATEXIT_CLEANUP_IS_STALE (gone->cleanup))
        {
          atexit_cleanup_free (gone->cleanup);
        }
      else
        {
          g_assert (gone->cleanup->state != ATEXIT_CLEANUP_STARTED);
          atexit_cleanup_dispose (gone->cleanup);
        }
      g_object_unref (self);
    }
  g_free (gone);
}

/* The qdata destroy notify of an async cleanup's task: the task has been finalized, in
 * any thread. By then the task has dropped its references on the finalizer and its
 * context, so the cleanup holds its own, taken when it started.
 *
 * It is handled in the finalizer's context, as the owner of the context: at once in the
 * thread that owns it, or in the thread that runs the finalizer if it can take the
 * context now; otherwise from an idle there. Another thread never takes the context:
 * the owner's next run would then find it taken. The idle holds no reference on the
 * context, so that a context nobody iterates any more can still die, and release the
 * cleanup as it does. */
static void
atexit_run_task_gone (gpointer data)
{
  AtexitCleanup *cleanup = data;
  AtexitLoopFinalizer *self = cleanup->task.finalizer;
  GMainContext *context = cleanup->task.context;
  AtexitGone *gone;
  GSource *source;

  if (g_main_context_is_owner (context))
    {
      atexit_run_task_gone_here (cleanup);
      return;
    }

  if (g_atomic_pointer_get (&self->owner_thread) == g_thread_self () &&
      g_main_context_acquire (context))
    {
      g_main_context_ref (context);
      atexit_run_task_gone_here (cleanup);
      g_main_context_release (context);
      g_main_context_unref (context);
      return;
    }

  gone = g_new (AtexitGone, 1);
  gone->cleanup = cleanup;
  cleanup->task.context = NULL;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[atexit-glib] task released");
  g_source_set_callback (source, atexit_run_gone_cb, gone, atexit_run_gone_free);
  g_source_attach (source, context);
  g_source_unref (source);
  /* Perhaps the last reference: the idle then goes with the context, here. */
  g_main_context_unref (context);
}

static GCancellable *
atexit_run_cancellable_for (AtexitRun     *run,
                            AtexitCleanup *cleanup,
                            gint64         now)
{
  GCancellable *own;

  /* Most share their group's deadline, and so its cancellable. */
  if (!cleanup->has_timeout && run->group_deadline > now)
    {
      cleanup->own_deadline = FALSE;
      if (run->group_cancellable == NULL)
        run->group_cancellable = g_cancellable_new ();
      return run->group_cancellable;
    }

  /* Its own deadline, or one counted from its own start: its group's had passed when it
   * could start (a sync cleanup before it ran that long). */
  cleanup->own_deadline = TRUE;
  if (!cleanup->has_timeout)
    cleanup->timeout_ms = run->group_timeout_ms;
  own = g_cancellable_new ();
  g_hash_table_insert (run->own_cancellables, cleanup, own);
  run->min_own_deadline = MIN (run->min_own_deadline, atexit_run_deadline_of (run, cleanup));

  return own;
}

/* Nothing takes the thread back from a sync cleanup: one that returns past its deadline
 * is named as late, with how long it ran, and those after it count their deadlines
 * from their own start. */
static void
atexit_run_call_sync (AtexitRun     *run,
                      AtexitCleanup *cleanup)
{
  gboolean timed = cleanup->has_timeout ? cleanup->timeout_ms > 0
                                        : run->group_deadline != G_MAXINT64;
  AtexitReport *report = NULL;

  if (timed || run->reporting || run->debug)
    cleanup->started_at = g_get_monotonic_time ();

  /* As an async one: started after its group's deadline (a cleanup before it took that
   * long), its deadline counts from its own start. */
  cleanup->own_deadline = cleanup->has_timeout;
  if (timed && !cleanup->has_timeout && run->group_deadline <= cleanup->started_at)
    {
      cleanup->own_deadline = TRUE;
      cleanup->timeout_ms = run->group_timeout_ms;
    }

  ((AtexitFunc) cleanup->func) (cleanup->user_data);

  if (timed)
    {
      gint64 now = g_get_monotonic_time ();

      if (now > atexit_run_deadline_of (run, cleanup))
        report = atexit_run_report_straggler (run, cleanup, now, FALSE);
    }
  if (report == NULL)
    report = atexit_run_report_new (run, cleanup, NULL);

  atexit_run_report_emit (run, report);
  atexit_cleanup_dispose (cleanup);
}

static gboolean
atexit_run_follow_up_cb (gpointer data)
{
  AtexitRun *run = data;

  g_mutex_lock (&run->self->mutex);
  if (run->wake == g_main_current_source ())
    run->wake = NULL;
  g_mutex_unlock (&run->self->mutex);

  atexit_run_pump (run);

  return G_SOURCE_REMOVE;
}

static void
atexit_run_follow_up_unref (gpointer data)
{
  atexit_run_unref (data);
}

/* A cleanup that returns its task as it starts has it completed by GTask from an idle of
 * the task's priority, in the next iteration; the run then waits to be woken, from yet
 * another iteration, to move on. So when an async cleanup has started and the run has
 * no wake due, its wake is made now, of the same priority as the tasks' idles and
 * attached after them: it goes in the same iteration as they do. (A group of one such
 * cleanup per priority then costs one iteration, not two.) If the tasks are returned
 * later, it finds the group still waiting and the next return wakes the run as usual.
 * Meanwhile whatever else would wake the run (a deadline, a late registration) finds
 * this wake due, at G_PRIORITY_DEFAULT rather than the G_PRIORITY_HIGH of the run's own
 * wake. */
static void
atexit_run_follow_up (AtexitRun *run)
{
  AtexitLoopFinalizer *self = run->self;
  GSource *source;

  g_mutex_lock (&self->mutex);
  if (run->wake == NULL && self->run == run)
    {
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_static_name (source, "[atexit-glib] run, after the tasks returned at once");
      g_source_set_callback (source, atexit_run_follow_up_cb, atexit_run_ref (run),
                             atexit_run_follow_up_unref);
      g_source_attach (source, run->context);
      g_source_unref (source);
      run->wake = source;
    }
  g_mutex_unlock (&self->mutex);
}

void
atexit_run_start_cleanup (AtexitRun     *run,
                          AtexitCleanup *cleanup)
{
  AtexitLoopFinalizer *self = run->self;
  GCancellable *cancellable;
  GTask *task;

  if (G_UNLIKELY (run->debug))
    {
      g_autofree char *name = atexit_cleanup_dup_name (cleanup);

      g_debug ("Starting “%s” (priority %d)", name, cleanup->priority);
    }

  if (cleanup->kind == ATEXIT_CLEANUP_SYNC)
    {
      atexit_run_call_sync (run, cleanup);
      return;
    }

  cleanup->started_at = g_get_monotonic_time ();
  cancellable = atexit_run_cancellable_for (run, cleanup, cleanup->started_at);
  cleanup->state = ATEXIT_CLEANUP_STARTED;
  cleanup->generation = (guint8) run->generation;
  cleanup->task.finalizer = g_object_ref (self);
  cleanup->task.context = g_main_context_ref (run->context);
  atexit_cleanup_list_push_tail (&run->in_flight, cleanup);
  atexit_run_arm_timer (run);

  task = g_task_new (self, cancellable, atexit_run_task_returned, cleanup);
  g_task_set_source_tag (task, atexit_run_start_cleanup);
  /* GLib 2.74 copies a task's name, and again into the source that returns it: two
   * allocations per cleanup, so only when someone is debugging. */
  if (G_UNLIKELY (run->debug))
    g_task_set_name (task, "[atexit-glib] cleanup");
  g_object_set_qdata_full (G_OBJECT (task), atexit_run_cleanup_quark (),
                           cleanup, atexit_run_task_gone);

  ((AtexitCleanupFunc) cleanup->func) (self, task, cleanup->user_data);
  atexit_run_follow_up (run);
}
