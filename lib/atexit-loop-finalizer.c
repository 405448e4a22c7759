/* atexit-loop-finalizer.c: cleanups that run before a main loop quits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"
#include "atexit-run-private.h"

/**
 * AtexitLoopFinalizer:
 *
 * The cleanups registered against one [struct@GLib.MainContext], and the machinery
 * that runs them before the context's main loop quits.
 *
 * Code that never sees the loop — a library, a plugin, a service object — finds
 * the finalizer of its context with [func@Atexit.LoopFinalizer.get_default],
 * [func@Atexit.LoopFinalizer.get_thread_default] or
 * [func@Atexit.LoopFinalizer.get_for_context] and registers cleanups with
 * [method@Atexit.LoopFinalizer.add], [method@Atexit.LoopFinalizer.add_async] or
 * [method@Atexit.LoopFinalizer.add_async_full]. The owner of the loop shuts down with
 * [method@Atexit.LoopFinalizer.quit_loop] instead of [method@GLib.MainLoop.quit],
 * or calls [method@Atexit.LoopFinalizer.run] once its loop has returned.
 *
 * A run emits [signal@Atexit.LoopFinalizer::about-to-close], then runs the
 * cleanups in priority groups, lowest value first. Within a group, synchronous
 * cleanups are called and asynchronous ones started last registered first; the
 * asynchronous ones of a group then run concurrently while the context is
 * iterated, until all of them have completed or the group's deadline
 * ([property@Atexit.LoopFinalizer:timeout]) has passed. A failing cleanup never
 * stops the others: the run ends with one error that names every failure.
 *
 * There is one finalizer per main context; it lives as long as the context.
 * Registration and removal are safe from any thread; cleanups are invoked in the
 * finalizer's context.
 */

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_TIMEOUT,
  PROP_PENDING,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint atexit_loop_finalizer_signals[ATEXIT_N_SIGNALS];

G_DEFINE_FINAL_TYPE (AtexitLoopFinalizer, atexit_loop_finalizer, G_TYPE_OBJECT)

void
atexit_i18n_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* Lets the test suite use the catalogs of the build tree. */
      const char *localedir = g_getenv ("ATEXIT_LOCALEDIR");

      if (localedir == NULL || *localedir == '\0')
        localedir = LOCALEDIR;
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

static guint
atexit_cleanup_id_hash (gconstpointer key)
{
  return *(const guint *) key;
}

static gboolean
atexit_cleanup_id_equal (gconstpointer a,
                         gconstpointer b)
{
  return *(const guint *) a == *(const guint *) b;
}

static void
atexit_bucket_free (gpointer data)
{
  AtexitBucket *bucket = data;

  g_assert (bucket->list.length == 0);
  g_free (bucket);
}

static void
atexit_loop_finalizer_constructed (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);

  G_OBJECT_CLASS (atexit_loop_finalizer_parent_class)->constructed (object);

  if (self->context == NULL)
    self->context = g_main_context_default ();

  self->sentinel = atexit_sentinel_new (self);
  g_source_attach (self->sentinel, self->context);
}

/* Takes every registered cleanup out of @self; with the mutex held. */
static AtexitCleanupList
atexit_loop_finalizer_steal_all_locked (AtexitLoopFinalizer *self)
{
  AtexitCleanupList all = { NULL, NULL, 0 };

  for (guint i = 0; i < self->buckets->len; i++)
    {
      AtexitBucket *bucket = g_ptr_array_index (self->buckets, i);

      while (bucket->list.head != NULL)
        {
          AtexitCleanup *cleanup = bucket->list.head;

          atexit_cleanup_list_unlink (&bucket->list, cleanup);
          atexit_cleanup_list_push_tail (&all, cleanup);
        }
    }
  g_hash_table_remove_all (self->by_id);
  self->n_pending = 0;

  return all;
}

/* Called when the context is destroyed: its cleanups can no longer run. Nothing
 * registered is lost silently: one warning names them and each destroy notify is called. */
void
atexit_loop_finalizer_context_died (AtexitLoopFinalizer *self)
{
  AtexitCleanupList all;

  g_object_ref (self);

  g_mutex_lock (&self->mutex);
  self->context = NULL;
  all = atexit_loop_finalizer_steal_all_locked (self);
  g_mutex_unlock (&self->mutex);

  if (all.length > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (AtexitCleanup *c = all.head; c != NULL; c = c->next)
        {
          char buf[ATEXIT_CLEANUP_NAME_MAX];

          g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "",
                                  atexit_cleanup_get_name (c, buf));
        }
      g_warning (g_dngettext (GETTEXT_PACKAGE,
                              "A main context was destroyed with %u cleanup still "
                              "registered; it will not run: %s",
                              "A main context was destroyed with %u cleanups still "
                              "registered; they will not run: %s",
                              all.length),
                 all.length, names->str);

      while (all.head != NULL)
        {
          AtexitCleanup *cleanup = all.head;

          atexit_cleanup_list_unlink (&all, cleanup);
          atexit_cleanup_dispose (cleanup);
        }
      atexit_loop_finalizer_notify_pending (self);
    }

  g_object_unref (self);
}

static void
atexit_loop_finalizer_finalize (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitCleanupList all;

  g_assert (self->run == NULL);

  if (self->sentinel != NULL)
    {
      atexit_sentinel_disarm (self->sentinel);
      g_clear_pointer (&self->sentinel, g_source_unref);
    }

  /* Only a finalizer made with g_object_new() and then dropped gets here with
   * cleanups; they will never run, but their data must still be released. */
  all = atexit_loop_finalizer_steal_all_locked (self);
  while (all.head != NULL)
    {
      AtexitCleanup *cleanup = all.head;

      atexit_cleanup_list_unlink (&all, cleanup);
      atexit_cleanup_dispose (cleanup);
    }

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->buckets, g_ptr_array_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (atexit_loop_finalizer_parent_class)->finalize (object);
}

static void
atexit_loop_finalizer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_boxed (value, self->context);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, atexit_loop_finalizer_get_timeout (self));
      break;

    case PROP_PENDING:
      g_value_set_uint (value, atexit_loop_finalizer_get_pending (self));
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, atexit_loop_finalizer_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atexit_loop_finalizer_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      /* Not a reference: the finalizer lives as long as the context, not longer. */
      self->context = g_value_get_boxed (value);
      break;

    case PROP_TIMEOUT:
      atexit_loop_finalizer_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atexit_loop_finalizer_class_init (AtexitLoopFinalizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  atexit_i18n_init ();

  object_class->constructed = atexit_loop_finalizer_constructed;
  object_class->finalize = atexit_loop_finalizer_finalize;
  object_class->get_property = atexit_loop_finalizer_get_property;
  object_class->set_property = atexit_loop_finalizer_set_property;

  /**
   * AtexitLoopFinalizer:context:
   *
   * The main context whose cleanups this finalizer runs. The finalizer does not
   * keep it alive: when the context is destroyed, the cleanups still registered
   * are dropped with a warning.
   */
  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL,
                        G_TYPE_MAIN_CONTEXT,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:timeout:
   *
   * The deadline of each priority group, in milliseconds, or 0 for none. When it
   * passes, the group's cancellable is cancelled and the run moves on without
   * waiting for the group's stragglers, which its error names.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, ATEXIT_DEFAULT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:pending:
   *
   * How many cleanups are registered and not started yet. It is notified in the
   * thread that changed it.
   */
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:running:
   *
   * Whether a run is in progress.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AtexitLoopFinalizer::about-to-close:
   * @self: the finalizer
   *
   * Emitted in the finalizer's context at the start of every run, before any
   * cleanup starts. Handlers may add cleanups; they join the run.
   */
  atexit_loop_finalizer_signals[ATEXIT_SIGNAL_ABOUT_TO_CLOSE] =
    g_signal_new ("about-to-close",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * AtexitLoopFinalizer::cleanup-finished:
   * @self: the finalizer
   * @name: the cleanup's name
   * @priority: the cleanup's priority
   * @duration_us: how long it ran, in microseconds
   * @error: (nullable): why it failed: it returned an error, dropped its task,
   *   did not finish before its deadline, or the run was cancelled; %NULL when it
   *   succeeded
   *
   * Emitted in the finalizer's context when a cleanup of a run has ended, so that
   * a program can report on its shutdown. Handlers should be connected before the
   * run starts.
   */
  atexit_loop_finalizer_signals[ATEXIT_SIGNAL_CLEANUP_FINISHED] =
    g_signal_new ("cleanup-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT,
                  G_TYPE_INT64,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
atexit_loop_finalizer_init (AtexitLoopFinalizer *self)
{
  g_mutex_init (&self->mutex);
  self->timeout_ms = ATEXIT_DEFAULT_TIMEOUT;
  self->by_id = g_hash_table_new (atexit_cleanup_id_hash, atexit_cleanup_id_equal);
  self->buckets = g_ptr_array_new_with_free_func (atexit_bucket_free);
}

void
atexit_loop_finalizer_notify_pending (AtexitLoopFinalizer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

void
atexit_loop_finalizer_notify_running (AtexitLoopFinalizer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
atexit_loop_finalizer_has_id_locked (AtexitLoopFinalizer *self,
                                     guint                id)
{
  return g_hash_table_contains (self->by_id, &id);
}

/**
 * atexit_loop_finalizer_get_for_context:
 * @context: (nullable): a main context, or %NULL for the global default one
 *
 * Finds the finalizer of @context, creating it on first use. It lives as long as
 * the context.
 *
 * Returns: (transfer none): the finalizer of @context
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_for_context (GMainContext *context)
{
  if (context == NULL)
    context = g_main_context_default ();

  return atexit_registry_lookup (context);
}

/**
 * atexit_loop_finalizer_get_default:
 *
 * Finds the finalizer of the global default main context, the one
 * `g_main_loop_new (NULL, FALSE)` runs.
 *
 * Returns: (transfer none): the default finalizer
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_default (void)
{
  return atexit_registry_lookup (g_main_context_default ());
}

/**
 * atexit_loop_finalizer_get_thread_default:
 *
 * Finds the finalizer of the calling thread's default main context (see
 * [func@GLib.MainContext.get_thread_default]); for a thread that pushed none,
 * the global default one.
 *
 * Returns: (transfer none): the thread-default finalizer
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_thread_default (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  return atexit_loop_finalizer_get_for_context (context);
}

/**
 * atexit_loop_finalizer_get_context:
 * @self: a finalizer
 *
 * Gets the main context whose cleanups @self runs.
 *
 * Returns: (transfer none) (nullable): the context, or %NULL once it has been
 *   destroyed
 */
GMainContext *
atexit_loop_finalizer_get_context (AtexitLoopFinalizer *self)
{
  GMainContext *context;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), NULL);

  g_mutex_lock (&self->mutex);
  context = self->context;
  g_mutex_unlock (&self->mutex);

  return context;
}

/**
 * atexit_loop_finalizer_get_timeout:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:timeout].
 *
 * Returns: the deadline of each priority group in milliseconds, 0 for none
 */
guint
atexit_loop_finalizer_get_timeout (AtexitLoopFinalizer *self)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  return g_atomic_int_get ((int *) &self->timeout_ms);
}

/**
 * atexit_loop_finalizer_set_timeout:
 * @self: a finalizer
 * @timeout_ms: the deadline of each priority group in milliseconds, 0 for none
 *
 * Sets [property@Atexit.LoopFinalizer:timeout]. It applies to the groups that
 * start after the call.
 */
void
atexit_loop_finalizer_set_timeout (AtexitLoopFinalizer *self,
                                   guint                timeout_ms)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));

  if ((guint) g_atomic_int_exchange ((int *) &self->timeout_ms, (int) timeout_ms) != timeout_ms)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * atexit_loop_finalizer_get_pending:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:pending].
 *
 * Returns: how many cleanups are registered and not started yet
 */
guint
atexit_loop_finalizer_get_pending (AtexitLoopFinalizer *self)
{
  guint pending;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  g_mutex_lock (&self->mutex);
  pending = self->n_pending;
  g_mutex_unlock (&self->mutex);

  return pending;
}

/**
 * atexit_loop_finalizer_get_running:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:running].
 *
 * Returns: whether a run is in progress
 */
gboolean
atexit_loop_finalizer_get_running (AtexitLoopFinalizer *self)
{
  gboolean running;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);

  g_mutex_lock (&self->mutex);
  running = self->run != NULL;
  g_mutex_unlock (&self->mutex);

  return running;
}

/* With the mutex held. Few distinct priorities are ever used, so a sorted array
 * of buckets beats any tree. */
static AtexitBucket *
atexit_loop_finalizer_bucket_locked (AtexitLoopFinalizer *self,
                                     int                  priority)
{
  guint lo = 0, hi = self->buckets->len;
  AtexitBucket *bucket;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      bucket = g_ptr_array_index (self->buckets, mid);
      if (bucket->priority == priority)
        return bucket;
      if (bucket->priority < priority)
        lo = mid + 1;
      else
        hi = mid;
    }

  bucket = g_new0 (AtexitBucket, 1);
  bucket->priority = priority;
  g_ptr_array_insert (self->buckets, lo, bucket);

  return bucket;
}

AtexitBucket *
atexit_loop_finalizer_first_bucket (AtexitLoopFinalizer *self)
{
  for (guint i = 0; i < self->buckets->len; i++)
    {
      AtexitBucket *bucket = g_ptr_array_index (self->buckets, i);

      if (bucket->list.length > 0)
        return bucket;
    }

  return NULL;
}

void
atexit_loop_finalizer_unlink_registered (AtexitLoopFinalizer *self,
                                         AtexitCleanup       *cleanup)
{
  g_assert (cleanup->state == ATEXIT_CLEANUP_REGISTERED);

  atexit_cleanup_list_unlink (&cleanup->bucket->list, cleanup);
  cleanup->bucket = NULL;
}

static guint
atexit_loop_finalizer_add_cleanup (AtexitLoopFinalizer *self,
                                   AtexitCleanup       *cleanup)
{
  guint id = cleanup->id;

  g_mutex_lock (&self->mutex);

  if (G_UNLIKELY (self->context == NULL))
    {
      g_mutex_unlock (&self->mutex);
      g_critical (_("Cannot add a cleanup: the finalizer's main context was destroyed"));
      atexit_cleanup_dispose (cleanup);
      return 0;
    }

  g_hash_table_add (self->by_id, cleanup);
  self->n_pending++;

  if (self->run == NULL || !atexit_run_take_late_locked (self->run, cleanup))
    {
      cleanup->state = ATEXIT_CLEANUP_REGISTERED;
      cleanup->bucket = atexit_loop_finalizer_bucket_locked (self, cleanup->priority);
      atexit_cleanup_list_push_tail (&cleanup->bucket->list, cleanup);
    }

  g_mutex_unlock (&self->mutex);

  atexit_loop_finalizer_notify_pending (self);

  return id;
}

/**
 * atexit_loop_finalizer_add:
 * @self: a finalizer
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup at %G_PRIORITY_DEFAULT. It runs once, at the
 * next run; then it is gone.
 *
 * Safe to call from any thread. @destroy is called exactly once: after @func has
 * run, when the cleanup is removed or skipped, or when the context dies.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 */
guint
atexit_loop_finalizer_add (AtexitLoopFinalizer *self,
                           AtexitFunc           func,
                           gpointer             user_data,
                           GDestroyNotify       destroy)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add_full (self, NULL, G_PRIORITY_DEFAULT,
                                              func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup with a name and a priority; see
 * [method@Atexit.LoopFinalizer.add].
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 */
guint
atexit_loop_finalizer_add_full (AtexitLoopFinalizer *self,
                                     const char          *name,
                                     int                  priority,
                                     AtexitFunc           func,
                                     gpointer             user_data,
                                     GDestroyNotify       destroy)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add_cleanup (self,
                                            atexit_cleanup_new (ATEXIT_CLEANUP_SYNC, name, priority,
                                                                func, user_data, destroy));
}

/**
 * atexit_loop_finalizer_add_async:
 * @self: a finalizer
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers an asynchronous cleanup at %G_PRIORITY_DEFAULT. At the next run it is
 * handed a [class@Gio.Task] to complete; see [callback@Atexit.CleanupFunc].
 *
 * Safe to call from any thread. @destroy is called exactly once: once the cleanup
 * has released its task, when it is removed or skipped, or when the context dies.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 */
guint
atexit_loop_finalizer_add_async (AtexitLoopFinalizer *self,
                                 AtexitCleanupFunc    func,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add_async_full (self, NULL, G_PRIORITY_DEFAULT, func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_async_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers an asynchronous cleanup with a name and a priority, on GLib's
 * priority scale: %G_PRIORITY_HIGH runs before %G_PRIORITY_DEFAULT, which runs
 * before %G_PRIORITY_LOW. See [method@Atexit.LoopFinalizer.add_async].
 *
 * A cleanup added while a run is in progress joins that run: in its own group if
 * that group has not started yet, else it is started at once.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 */
guint
atexit_loop_finalizer_add_async_full (AtexitLoopFinalizer *self,
                                const char          *name,
                                int                  priority,
                                AtexitCleanupFunc    func,
                                gpointer             user_data,
                                GDestroyNotify       destroy)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add_cleanup (self,
                                            atexit_cleanup_new (ATEXIT_CLEANUP_ASYNC, name, priority,
                                                                func, user_data, destroy));
}

/**
 * atexit_loop_finalizer_remove:
 * @self: a finalizer
 * @id: an id that an `add` function of @self returned
 *
 * Removes a cleanup that has not started yet, so that it never runs, and calls its
 * destroy notify. Safe to call from any thread, in O(1).
 *
 * Removing a cleanup that has already started, or has run, returns %FALSE. An id
 * that was never handed out, or that belongs to another finalizer, is a
 * programming error.
 *
 * Returns: %TRUE if the cleanup was removed before it started
 */
gboolean
atexit_loop_finalizer_remove (AtexitLoopFinalizer *self,
                              guint                id)
{
  AtexitCleanup *cleanup;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  g_mutex_lock (&self->mutex);
  /* One probe of the table finds and takes the entry. */
  if (!g_hash_table_steal_extended (self->by_id, &id, (gpointer *) &cleanup, NULL))
    cleanup = NULL;
  if (cleanup != NULL)
    {
      self->n_pending--;
      if (cleanup->state == ATEXIT_CLEANUP_LATE)
        atexit_run_drop_late_locked (self->run, cleanup);
      else
        atexit_loop_finalizer_unlink_registered (self, cleanup);
    }
  g_mutex_unlock (&self->mutex);

  if (cleanup != NULL)
    {
      atexit_cleanup_dispose (cleanup);
      atexit_loop_finalizer_notify_pending (self);
      return TRUE;
    }

  if (!atexit_registry_id_issued (id))
    {
      g_critical (_("No cleanup with id %u was ever registered"), id);
    }
  else
    {
      g_autoptr(AtexitLoopFinalizer) owner = atexit_registry_find_owner (id, self);

      if (owner != NULL)
        g_critical (_("Cleanup %u belongs to another finalizer (%p), not to %p"),
                    id, owner, self);
    }

  return FALSE;
}

static void
atexit_loop_finalizer_run_start_cb (gpointer data)
{
  GTask *task = data;

  atexit_run_start_or_join (g_task_get_source_object (task), task,
                            g_task_get_cancellable (task));
}

static gboolean
atexit_loop_finalizer_run_start_source_cb (gpointer data)
{
  atexit_loop_finalizer_run_start_cb (data);
  return G_SOURCE_REMOVE;
}

/**
 * atexit_loop_finalizer_run_async:
 * @self: a finalizer
 * @cancellable: (nullable): cancels the run
 * @callback: (scope async) (closure user_data): called when the run has ended
 * @user_data: data for @callback
 *
 * Runs the registered cleanups: emits
 * [signal@Atexit.LoopFinalizer::about-to-close], then runs the priority groups
 * in ascending order, each until its cleanups have completed or its deadline has
 * passed. The run happens in the finalizer's context, which must be iterated;
 * @callback is called in the thread-default context of the caller.
 *
 * Calling it while a run is in progress joins that run and gets its result.
 * Cancelling @cancellable cancels the running group, skips the groups not started
 * and ends the run with %G_IO_ERROR_CANCELLED.
 */
void
atexit_loop_finalizer_run_async (AtexitLoopFinalizer *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GMainContext *context;

  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, atexit_loop_finalizer_run_async);
  g_task_set_name (task, "[atexit-glib] run");
  /* The run's result says why it failed, cancellation included. */
  g_task_set_check_cancellable (task, FALSE);

  context = atexit_loop_finalizer_get_context (self);
  if (context == NULL)
    {
      g_task_return_new_error (task, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                               _("Cannot run the finalizer: its main context was destroyed"));
      return;
    }

  /* Runs at once where the calling thread owns the context, else in it. */
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT,
                              atexit_loop_finalizer_run_start_source_cb,
                              g_steal_pointer (&task), g_object_unref);
}

/**
 * atexit_loop_finalizer_run_finish:
 * @self: a finalizer
 * @result: the result given to the callback of [method@Atexit.LoopFinalizer.run_async]
 * @error: return location for the run's error
 *
 * Finishes a run. Its error names every cleanup that failed, dropped its task or
 * did not finish before its deadline: %ATEXIT_ERROR_TIMED_OUT where only
 * deadlines were missed, %ATEXIT_ERROR_FAILED otherwise, and
 * %G_IO_ERROR_CANCELLED when the run was cancelled.
 *
 * Returns: %TRUE if every cleanup succeeded
 */
gboolean
atexit_loop_finalizer_run_finish (AtexitLoopFinalizer  *self,
                                  GAsyncResult         *result,
                                  GError              **error)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == atexit_loop_finalizer_run_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  GAsyncResult *result;
} AtexitSyncRun;

static void
atexit_loop_finalizer_run_sync_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  AtexitSyncRun *sync = user_data;

  sync->result = g_object_ref (result);
}

/**
 * atexit_loop_finalizer_run:
 * @self: a finalizer
 * @cancellable: (nullable): cancels the run
 * @error: return location for the run's error
 *
 * Runs the registered cleanups and iterates the finalizer's context until the run
 * has ended; see [method@Atexit.LoopFinalizer.run_async]. Use it once the main
 * loop has returned, or from a thread that owns no context.
 *
 * It fails with %ATEXIT_ERROR_NOT_OWNER when the calling thread cannot acquire the
 * context because another thread is iterating it, and with %G_IO_ERROR_WOULD_BLOCK
 * when called from a cleanup of the run while it is being started, which would
 * wait for itself.
 *
 * Returns: %TRUE if every cleanup succeeded
 */
gboolean
atexit_loop_finalizer_run (AtexitLoopFinalizer  *self,
                           GCancellable         *cancellable,
                           GError              **error)
{
  AtexitSyncRun sync = { NULL };
  GMainContext *context;
  gboolean ret;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  context = atexit_loop_finalizer_get_context (self);
  if (context == NULL)
    {
      g_set_error (error, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                   _("Cannot run the finalizer: its main context was destroyed"));
      return FALSE;
    }

  if (!g_main_context_acquire (context))
    {
      g_set_error (error, ATEXIT_ERROR, ATEXIT_ERROR_NOT_OWNER,
                   _("Cannot run the finalizer: another thread is iterating its main context"));
      return FALSE;
    }

  if (atexit_run_is_starting (self))
    {
      g_main_context_release (context);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   _("Cannot wait for the finalizer’s run from one of its own cleanups"));
      return FALSE;
    }

  g_main_context_push_thread_default (context);
  atexit_loop_finalizer_run_async (self, cancellable, atexit_loop_finalizer_run_sync_cb, &sync);
  while (sync.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  ret = atexit_loop_finalizer_run_finish (self, sync.result, error);
  g_object_unref (sync.result);

  return ret;
}

static void
atexit_loop_finalizer_quit_loop_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  g_autoptr(GMainLoop) loop = user_data;

  /* Each failure was logged as it happened; the loop quits whatever the outcome. */
  atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, NULL);
  g_main_loop_quit (loop);
}

/**
 * atexit_loop_finalizer_quit_loop:
 * @self: a finalizer
 * @loop: the main loop to quit
 *
 * Runs the cleanups, then quits @loop: what the owner of a loop calls instead of
 * [method@GLib.MainLoop.quit]. @loop keeps running, and so iterates the context,
 * until the run has ended. Failures are logged; use
 * [method@Atexit.LoopFinalizer.run_async] to get the run's error.
 */
void
atexit_loop_finalizer_quit_loop (AtexitLoopFinalizer *self,
                                 GMainLoop           *loop)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (loop != NULL);

  atexit_loop_finalizer_run_async (self, NULL, atexit_loop_finalizer_quit_loop_cb,
                                   g_main_loop_ref (loop));
}

/**
 * atexit_register:
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup with the finalizer of the calling thread's
 * default main context, like Python's `atexit.register()` for a main loop.
 *
 * Returns: an id for [func@Atexit.unregister], never 0 but on bad input
 */
guint
atexit_register (AtexitFunc     func,
                 gpointer       user_data,
                 GDestroyNotify destroy)
{
  g_return_val_if_fail (func != NULL, 0);

  return atexit_loop_finalizer_add (atexit_loop_finalizer_get_thread_default (),
                                    func, user_data, destroy);
}

/**
 * atexit_unregister:
 * @id: an id that [func@Atexit.register] or an `add` function returned
 *
 * Removes a cleanup that has not started yet, whichever finalizer holds it; see
 * [method@Atexit.LoopFinalizer.remove].
 *
 * Returns: %TRUE if the cleanup was removed before it started
 */
gboolean
atexit_unregister (guint id)
{
  AtexitLoopFinalizer *self;
  g_autoptr(AtexitLoopFinalizer) owner = NULL;

  g_return_val_if_fail (id != 0, FALSE);

  self = atexit_loop_finalizer_get_thread_default ();
  g_mutex_lock (&self->mutex);
  if (atexit_loop_finalizer_has_id_locked (self, id))
    owner = g_object_ref (self);
  g_mutex_unlock (&self->mutex);

  if (owner == NULL)
    owner = atexit_registry_find_owner (id, self);

  if (owner == NULL)
    {
      if (!atexit_registry_id_issued (id))
        g_critical (_("No cleanup with id %u was ever registered"), id);
      return FALSE;
    }

  return atexit_loop_finalizer_remove (owner, id);
}
