/* atexit-task.c: completing a cleanup's task when its end has no callback
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-task.h"

/* How often a predicate is checked where nothing wakes its context: state that another
 * thread changes without waking it is seen this late at most. */
#define ATEXIT_PREDICATE_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

/* A precondition of a function that owns @task: on failure, the critical that
 * g_return_if_fail() logs, and the task is returned with an error rather than leaked,
 * so that the cleanup fails at once instead of at its deadline. */
static gboolean
atexit_task_check (GTask      *task,
                   gboolean    ok,
                   const char *function,
                   const char *expression)
{
  if (G_LIKELY (ok))
    return TRUE;

  g_return_if_fail_warning (G_LOG_DOMAIN, function, expression);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Invalid argument to %s: %s"), function, expression);
  g_object_unref (task);

  return FALSE;
}

#define ATEXIT_TASK_CHECK(task, expr) atexit_task_check ((task), !!(expr), G_STRFUNC, #expr)

/* atexit_task_return_on_signal() */

typedef enum {
  ATEXIT_WAIT_SIGNALLED,
  ATEXIT_WAIT_CANCELLED,
  ATEXIT_WAIT_INSTANCE_GONE,
} AtexitWaitEnd;

/* Three ends race for the task, each possibly on its own thread: the signal (on the
 * thread that emits it), the cancellation (in the task's context) and the instance's
 * disposal (on the thread that drops its last reference). The first to set @claimed
 * takes the task and detaches the others; the others do nothing.
 *
 * References on the wait: one for the signal handler's closure (dropped when the
 * handler is disconnected or destroyed with the instance), one for the weak reference
 * on the instance (dropped by the weak notify, or by the end that removes it), one for
 * the cancellation source (dropped when it is destroyed), and one for the setup. */
typedef struct {
  gatomicrefcount  ref_count;
  int              claimed;        /* (atomic) */

  /* Guards the three fields below, which the setup fills and the winning end steals:
   * an end that wins while the setup is still under way waits for it here. */
  GMutex           mutex;
  GTask           *task;           /* (owned) (nullable): NULL once claimed */
  gulong           handler_id;
  GSource         *cancel_source;  /* (owned) (nullable) */

  GWeakRef         instance;       /* NULL once the instance is being disposed */
  const char      *type_name;      /* the instance's, for the error; interned */
  char            *signal_name;    /* (owned) */
} AtexitSignalWait;

static AtexitSignalWait *
atexit_signal_wait_ref (AtexitSignalWait *wait)
{
  g_atomic_ref_count_inc (&wait->ref_count);
  return wait;
}

static void
atexit_signal_wait_unref (gpointer data)
{
  AtexitSignalWait *wait = data;

  if (!g_atomic_ref_count_dec (&wait->ref_count))
    return;

  /* Every end that could still take the task held a reference. */
  g_assert (wait->task == NULL);
  g_assert (wait->cancel_source == NULL);

  g_weak_ref_clear (&wait->instance);
  g_mutex_clear (&wait->mutex);
  g_free (wait->signal_name);
  g_free (wait);
}

static void atexit_signal_wait_weak_notify (gpointer  data,
                                            GObject  *where_the_object_was);

static void
atexit_signal_wait_end (AtexitSignalWait *wait,
                        AtexitWaitEnd     end)
{
  g_autoptr(GTask) task = NULL;
  GSource *cancel_source;
  gulong handler_id;
  gboolean cancelled;

  if (!g_atomic_int_compare_and_exchange (&wait->claimed, FALSE, TRUE))
    return;

  atexit_signal_wait_ref (wait);

  g_mutex_lock (&wait->mutex);
  task = g_steal_pointer (&wait->task);
  handler_id = wait->handler_id;
  wait->handler_id = 0;
  cancel_source = g_steal_pointer (&wait->cancel_source);
  g_mutex_unlock (&wait->mutex);

  /* Detach everything before the task is returned: its callback may run at once, here,
   * and drop the last reference on the instance or iterate the context. */
  if (end != ATEXIT_WAIT_INSTANCE_GONE)
    {
      /* A strong reference, or NULL where the instance is being disposed: then its
       * handlers are destroyed and its weak notify is on its way, and finds the task
       * claimed. */
      g_autoptr(GObject) instance = g_weak_ref_get (&wait->instance);

      if (instance != NULL)
        {
          if (handler_id != 0 && g_signal_handler_is_connected (instance, handler_id))
            g_signal_handler_disconnect (instance, handler_id);
          g_object_weak_unref (instance, atexit_signal_wait_weak_notify, wait);
          atexit_signal_wait_unref (wait);
        }
    }

  if (cancel_source != NULL)
    {
      g_source_destroy (cancel_source);
      g_source_unref (cancel_source);
    }

  switch (end)
    {
    case ATEXIT_WAIT_SIGNALLED:
      g_task_return_boolean (task, TRUE);
      break;
    case ATEXIT_WAIT_CANCELLED:
      cancelled = g_task_return_error_if_cancelled (task);
      g_assert (cancelled);
      break;
    case ATEXIT_WAIT_INSTANCE_GONE:
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("The %s was finalized before it emitted “%s”"),
                               wait->type_name, wait->signal_name);
      break;
    default:
      g_assert_not_reached ();
    }

  g_clear_object (&task);
  atexit_signal_wait_unref (wait);
}

/* Whatever the signal's parameters and return type: the handler only notes the
 * emission, and leaves a return value as the emission initialized it (0, FALSE, NULL). */
static void
atexit_signal_wait_marshal (GClosure     *closure,
                            GValue       *return_value,
                            guint         n_param_values,
                            const GValue *param_values,
                            gpointer      invocation_hint,
                            gpointer      marshal_data)
{
  atexit_signal_wait_end (closure->data, ATEXIT_WAIT_SIGNALLED);
}

static void
atexit_signal_wait_closure_finalized (gpointer  data,
                                      GClosure *closure)
{
  atexit_signal_wait_unref (data);
}

static void
atexit_signal_wait_weak_notify (gpointer  data,
                                GObject  *where_the_object_was)
{
  AtexitSignalWait *wait = data;

  atexit_signal_wait_end (wait, ATEXIT_WAIT_INSTANCE_GONE);
  atexit_signal_wait_unref (wait);
}

static gboolean
atexit_signal_wait_cancelled (GCancellable *cancellable,
                              gpointer      data)
{
  atexit_signal_wait_end (data, ATEXIT_WAIT_CANCELLED);
  return G_SOURCE_REMOVE;
}

/**
 * atexit_task_return_on_signal:
 * @task: (transfer full): the task of an asynchronous cleanup
 * @instance: (type GObject.Object): the object that will emit the signal
 * @detailed_signal: the signal, as `signal-name::detail` where it has a detail
 *
 * Returns @task (%TRUE) as soon as @instance emits @detailed_signal: for a cleanup
 * whose work ends with a signal and no callback, such as a property that changes
 * (`notify::n-modems`) or an object's `closed` signal.
 *
 * It takes the reference to @task that the cleanup was handed
 * (see [callback@Atexit.CleanupFunc]). The task is returned once, by the first of:
 *
 * - the signal, emitted on any thread;
 * - the cancellation of the task's cancellable (the cleanup's deadline, or a cancelled
 *   run), which returns %G_IO_ERROR_CANCELLED; a task already cancelled is returned so
 *   at once;
 * - the disposal of @instance, which returns %G_IO_ERROR_CLOSED: the object went away
 *   without emitting the signal.
 *
 * Then the signal handler is disconnected and the weak reference on @instance is
 * dropped: @instance is not kept alive. A signal that has a return value gets the
 * default value of its type (0, %FALSE, %NULL) from this handler.
 *
 * ```c
 * static void
 * stop_modems (AtexitLoopFinalizer *finalizer,
 *              GTask               *task,
 *              gpointer             user_data)
 * {
 *   ModemManager *manager = user_data;
 *
 *   modem_manager_disable_all (manager);
 *   // Done once the last modem has gone.
 *   atexit_task_return_on_signal (task, manager, "notify::n-modems");
 * }
 * ```
 *
 * The signal ends the wait however many modems are left: to wait for a condition,
 * use [func@Atexit.task_return_when], as [Daemons under systemd](daemons.html) shows.
 *
 * Since: 1.0
 */
void
atexit_task_return_on_signal (GTask      *task,
                              gpointer    instance,
                              const char *detailed_signal)
{
  AtexitSignalWait *wait;
  GCancellable *cancellable;
  GClosure *closure;
  guint signal_id;
  GQuark detail;

  g_return_if_fail (G_IS_TASK (task));
  if (!ATEXIT_TASK_CHECK (task, G_IS_OBJECT (instance)) ||
      !ATEXIT_TASK_CHECK (task, detailed_signal != NULL))
    return;

  if (!g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance), &signal_id, &detail, TRUE))
    {
      g_critical ("%s: %s has no signal “%s”", G_STRFUNC, G_OBJECT_TYPE_NAME (instance),
                  detailed_signal);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Invalid argument to %s: %s has no signal “%s”"),
                               G_STRFUNC, G_OBJECT_TYPE_NAME (instance), detailed_signal);
      g_object_unref (task);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  wait = g_new0 (AtexitSignalWait, 1);
  g_atomic_ref_count_init (&wait->ref_count);
  g_mutex_init (&wait->mutex);
  g_weak_ref_init (&wait->instance, instance);
  wait->type_name = G_OBJECT_TYPE_NAME (instance);
  wait->signal_name = g_strdup (detailed_signal);

  /* An end may win as soon as its part is set up, on another thread: it waits for the
   * rest of the setup on the mutex. */
  g_mutex_lock (&wait->mutex);
  wait->task = task;

  closure = g_closure_new_simple (sizeof (GClosure), wait);
  g_closure_set_marshal (closure, atexit_signal_wait_marshal);
  g_closure_add_finalize_notifier (closure, atexit_signal_wait_ref (wait),
                                   atexit_signal_wait_closure_finalized);
  wait->handler_id = g_signal_connect_closure_by_id (instance, signal_id, detail, closure, FALSE);

  g_object_weak_ref (instance, atexit_signal_wait_weak_notify, atexit_signal_wait_ref (wait));

  cancellable = g_task_get_cancellable (task);
  if (cancellable != NULL)
    {
      wait->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_priority (wait->cancel_source, g_task_get_priority (task));
      g_source_set_static_name (wait->cancel_source, "[atexit-glib] return on signal");
      g_source_set_callback (wait->cancel_source, G_SOURCE_FUNC (atexit_signal_wait_cancelled),
                             atexit_signal_wait_ref (wait), atexit_signal_wait_unref);
      g_source_attach (wait->cancel_source, g_task_get_context (task));
    }
  g_mutex_unlock (&wait->mutex);

  atexit_signal_wait_unref (wait);
}

/* atexit_task_return_when() */

/* Lives in the task's context; its prepare and check run the predicate, its ready time
 * makes sure it runs every ATEXIT_PREDICATE_INTERVAL_US, and a child source wakes it on
 * cancellation. Only the context's thread touches it once attached. */
typedef struct {
  GSource          source;
  GTask           *task;       /* (owned) (nullable): NULL once returned */
  AtexitPredicate  predicate;
  gpointer         user_data;
  GDestroyNotify   destroy;    /* (nullable): called once, with the task's return */
  gboolean         holds;      /* the predicate's answer at the last prepare or check */
} AtexitPredicateSource;

static gboolean
atexit_predicate_source_test (AtexitPredicateSource *self)
{
  if (self->task == NULL)
    return FALSE;

  self->holds = self->predicate (self->user_data);
  return self->holds;
}

static gboolean
atexit_predicate_source_prepare (GSource *source,
                                 int     *timeout)
{
  /* The ready time sets the timeout. */
  *timeout = -1;
  return atexit_predicate_source_test ((AtexitPredicateSource *) source);
}

static gboolean
atexit_predicate_source_check (GSource *source)
{
  return atexit_predicate_source_test ((AtexitPredicateSource *) source);
}

/* Takes what the source holds, so that its finalize has nothing left to release. */
static void
atexit_predicate_source_release (AtexitPredicateSource  *self,
                                 GTask                 **task)
{
  GDestroyNotify destroy = g_steal_pointer (&self->destroy);
  gpointer user_data = g_steal_pointer (&self->user_data);

  *task = g_steal_pointer (&self->task);
  if (destroy != NULL)
    destroy (user_data);
}

static gboolean
atexit_predicate_source_dispatch (GSource     *source,
                                  GSourceFunc  callback,
                                  gpointer     user_data)
{
  AtexitPredicateSource *self = (AtexitPredicateSource *) source;
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  gboolean cancelled;

  if (self->task == NULL)
    return G_SOURCE_REMOVE;

  cancellable = g_task_get_cancellable (self->task);
  cancelled = cancellable != NULL && g_cancellable_is_cancelled (cancellable);
  if (!cancelled && !self->holds)
    {
      /* Woken by the ready time with the predicate still false: check again later. */
      g_source_set_ready_time (source, g_source_get_time (source) + ATEXIT_PREDICATE_INTERVAL_US);
      return G_SOURCE_CONTINUE;
    }

  /* Done with the source before any user code runs: the destroy notify and the task's
   * callback (which a return may call at once) may iterate the context. */
  g_source_destroy (source);
  atexit_predicate_source_release (self, &task);

  if (cancelled)
    g_task_return_error_if_cancelled (task);
  else
    g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

static void
atexit_predicate_source_finalize (GSource *source)
{
  AtexitPredicateSource *self = (AtexitPredicateSource *) source;
  g_autoptr(GTask) task = NULL;

  /* Destroyed before the predicate held: by someone who destroyed the source. The task
   * cannot be returned; it is dropped, which its cleanup's run reports. */
  atexit_predicate_source_release (self, &task);
}

static GSourceFuncs atexit_predicate_source_funcs = {
  .prepare = atexit_predicate_source_prepare,
  .check = atexit_predicate_source_check,
  .dispatch = atexit_predicate_source_dispatch,
  .finalize = atexit_predicate_source_finalize,
};

/**
 * atexit_task_return_when:
 * @task: (transfer full): the task of an asynchronous cleanup
 * @predicate: (scope notified) (closure user_data) (destroy destroy): says when the
 *   cleanup's work is done
 * @user_data: data for @predicate
 * @destroy: (nullable): called once, when @predicate is no longer needed
 *
 * Returns @task (%TRUE) as soon as @predicate returns %TRUE: for a cleanup whose work
 * ends with no callback and no signal, such as a count of pending replies that drops to
 * zero, or a flag that a worker thread sets.
 *
 * @predicate is called once at once, on the calling thread; then each time the
 * task's main context (see [method@Gio.Task.get_context]) iterates, from its prepare
 * and check phases (see [callback@Atexit.Predicate]), and at least every 100 ms,
 * so that state changed by another thread without waking the context is seen too.
 * Nothing polls faster than that: a context with nothing else to do sleeps between
 * the checks.
 *
 * It takes the reference to @task that the cleanup was handed
 * (see [callback@Atexit.CleanupFunc]). The cancellation of the task's cancellable
 * (the cleanup's deadline, or a cancelled run) ends the wait too and returns
 * %G_IO_ERROR_CANCELLED; a task already cancelled is returned so at once. Either way
 * @destroy is called once, before the task is returned, and @predicate is not called
 * again.
 *
 * ```c
 * static gboolean
 * no_reply_pending (gpointer user_data)
 * {
 *   Client *client = user_data;
 *
 *   return g_atomic_int_get (&client->n_pending) == 0;
 * }
 *
 * static void
 * drain_client (AtexitLoopFinalizer *finalizer,
 *               GTask               *task,
 *               gpointer             user_data)
 * {
 *   Client *client = user_data;
 *
 *   client_stop_sending (client);
 *   atexit_task_return_when (task, no_reply_pending, client_ref (client), client_unref);
 * }
 * ```
 *
 * Since: 1.0
 */
void
atexit_task_return_when (GTask           *task,
                         AtexitPredicate  predicate,
                         gpointer         user_data,
                         GDestroyNotify   destroy)
{
  AtexitPredicateSource *self;
  GSource *source;
  GSource *cancel_source;
  GCancellable *cancellable;
  gboolean cancelled;

  g_return_if_fail (G_IS_TASK (task));
  if (predicate == NULL)
    {
      /* The data was handed over with the task: both are released. */
      if (destroy != NULL)
        destroy (user_data);
      ATEXIT_TASK_CHECK (task, predicate != NULL);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  cancelled = cancellable != NULL && g_cancellable_is_cancelled (cancellable);
  if (cancelled || predicate (user_data))
    {
      if (destroy != NULL)
        destroy (user_data);
      if (cancelled)
        g_task_return_error_if_cancelled (task);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  source = g_source_new (&atexit_predicate_source_funcs, sizeof (AtexitPredicateSource));
  self = (AtexitPredicateSource *) source;
  self->task = task;
  self->predicate = predicate;
  self->user_data = user_data;
  self->destroy = destroy;
  g_source_set_priority (source, g_task_get_priority (task));
  g_source_set_static_name (source, "[atexit-glib] return when");
  g_source_set_ready_time (source, g_get_monotonic_time () + ATEXIT_PREDICATE_INTERVAL_US);

  if (cancellable != NULL)
    {
      cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_dummy_callback (cancel_source);
      g_source_add_child_source (source, cancel_source);
      g_source_unref (cancel_source);
    }

  /* From here on the context's thread owns the source. */
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}
