/* atexit-loop-finalizer.c: cleanups that run before a main loop quits
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#ifdef HAVE_GETAUXVAL
# include <sys/auxv.h>
#endif
#ifdef G_OS_UNIX
# include <unistd.h>
#endif

#include "atexit-enum-types.h"
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
 * [func@Atexit.LoopFinalizer.get_for_context] and registers cleanups: synchronous
 * ones with [method@Atexit.LoopFinalizer.add] and
 * [method@Atexit.LoopFinalizer.add_full], asynchronous ones with
 * [method@Atexit.LoopFinalizer.add_async] and
 * [method@Atexit.LoopFinalizer.add_async_full]. The owner of the loop shuts down
 * with [method@Atexit.LoopFinalizer.quit_loop] instead of
 * [method@GLib.MainLoop.quit], or calls [method@Atexit.LoopFinalizer.run] once its
 * loop has returned; a [class@Gio.Application] runs them on its own as it shuts
 * down.
 *
 * A run emits [signal@Atexit.LoopFinalizer::about-to-close], then runs the
 * cleanups in priority groups, lowest value first. Within a group, synchronous
 * cleanups are called and asynchronous ones started last registered first; the
 * asynchronous ones of a group then run concurrently while the context is
 * iterated, until each has completed or passed its deadline (its own, see
 * [method@Atexit.LoopFinalizer.set_cleanup_timeout], or
 * [property@Atexit.LoopFinalizer:timeout]). A failing cleanup never stops the
 * others: the run ends with one error that names every failure.
 *
 * There is one finalizer per main context; it lives as long as the context, and
 * constructing one (`g_object_new()`, `Atexit.LoopFinalizer()` in Python) gives
 * that of the context named by [property@Atexit.LoopFinalizer:context].
 * Registration and removal are safe from any thread; cleanups are invoked in the
 * finalizer's context.
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_TIMEOUT,
  PROP_TOTAL_TIMEOUT,
  PROP_EXIT_ACTION,
  PROP_PENDING,
  PROP_RUNNING,
  N_PROPS
};

enum {
  SIGNAL_ABOUT_TO_CLOSE,
  SIGNAL_CLEANUP_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Set around the construction of a finalizer that is not its context's own. */
static GPrivate constructing_unregistered;

G_DEFINE_FINAL_TYPE (AtexitLoopFinalizer, atexit_loop_finalizer, G_TYPE_OBJECT)

static gboolean
atexit_running_privileged (void)
{
#if defined (HAVE_GETAUXVAL)
  return getauxval (AT_SECURE) != 0;
#elif defined (G_OS_UNIX)
  return getuid () != geteuid () || getgid () != getegid ();
#else
  return FALSE;
#endif
}

void
atexit_i18n_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* Lets the test suite, and meson devenv, use the catalogs of the build tree; never
       * in a program running with more privileges than its user's (set-user-ID): the
       * catalogs give the library format strings. */
      const char *localedir = atexit_running_privileged () ? NULL
                                                           : g_getenv ("ATEXIT_LOCALEDIR");

      if (localedir == NULL || *localedir == '\0')
        localedir = LOCALEDIR;
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

/* With the mutex held. In the child of a fork() without exec, what was registered
 * belongs to the parent: it is forgotten, without running, naming or releasing any of
 * it (a destroy notify would close the parent's resources). */
static void
atexit_loop_finalizer_check_fork_locked (AtexitLoopFinalizer *self)
{
  AtexitCleanupList parents = { NULL, NULL, 0 };
  guint generation = atexit_registry_get_generation ();

  if (G_LIKELY (self->generation == generation))
    return;

  self->generation = generation;
  /* A run the parent had in progress is the parent's: its sources may still be in
   * this copy of the context, but they find it is not the finalizer's any more. */
  self->run = NULL;
  atexit_cleanup_table_steal_all (&self->table, NULL, TRUE, &parents);
  while (parents.head != NULL)
    atexit_cleanup_free (atexit_cleanup_list_pop_head (&parents));
  self->has_run = FALSE;
  self->registrations_at_end = self->registrations;
}

void
atexit_loop_finalizer_lock (AtexitLoopFinalizer *self)
{
  g_mutex_lock (&self->mutex);
  atexit_loop_finalizer_check_fork_locked (self);
}

/* Construction: one finalizer per context, whoever constructs it. */

static GObject *
atexit_loop_finalizer_constructor (GType                  type,
                                   guint                  n_construct_properties,
                                   GObjectConstructParam *construct_properties)
{
  GObjectClass *parent_class = G_OBJECT_CLASS (atexit_loop_finalizer_parent_class);
  gboolean registered = g_private_get (&constructing_unregistered) == NULL;
  GMainContext *context = NULL;
  AtexitLoopFinalizer *self;
  GObject *object;

  for (guint i = 0; i < n_construct_properties; i++)
    if (construct_properties[i].pspec == properties[PROP_CONTEXT])
      context = g_value_get_boxed (construct_properties[i].value);
  if (context == NULL)
    context = g_main_context_default ();

  atexit_registry_lock ();
  object = registered ? atexit_registry_find_locked (context) : NULL;
  if (object != NULL)
    {
      /* The context has its finalizer: that one is the answer, never a second one
       * whose cleanups nobody would run. */
      g_object_ref (object);
      atexit_registry_unlock ();
      return object;
    }

  object = parent_class->constructor (type, n_construct_properties, construct_properties);
  self = ATEXIT_LOOP_FINALIZER (object);
  self->context = context;
  self->registered = registered;
  self->generation = atexit_registry_get_generation ();
  atexit_registry_add_locked (object, context, registered);
  atexit_registry_unlock ();

  return object;
}

AtexitLoopFinalizer *
atexit_loop_finalizer_new_unregistered (GMainContext *context,
                                        guint         timeout_ms)
{
  AtexitLoopFinalizer *self;

  g_private_set (&constructing_unregistered, GINT_TO_POINTER (1));
  self = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER,
                       "context", context,
                       "timeout", timeout_ms,
                       NULL);
  g_private_set (&constructing_unregistered, NULL);

  return self;
}

static void
atexit_loop_finalizer_finalize (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitCleanupList all = { NULL, NULL, 0 };

  g_assert (self->run == NULL);

  atexit_registry_remove (object);

  /* A group's finalizer dropped with cleanups: they will never run, but their data must
   * still be released. */
  atexit_loop_finalizer_lock (self);
  atexit_cleanup_table_steal_all (&self->table, NULL, TRUE, &all);
  g_mutex_unlock (&self->mutex);
  while (all.head != NULL)
    atexit_cleanup_dispose (atexit_cleanup_list_pop_head (&all));

  atexit_cleanup_table_clear (&self->table);
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
      g_value_take_boxed (value, atexit_loop_finalizer_ref_context (self));
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, atexit_loop_finalizer_get_timeout (self));
      break;

    case PROP_TOTAL_TIMEOUT:
      g_value_set_uint (value, atexit_loop_finalizer_get_total_timeout (self));
      break;

    case PROP_EXIT_ACTION:
      g_value_set_enum (value, atexit_loop_finalizer_get_exit_action (self));
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
      /* Taken by the constructor, which decides which finalizer it is. */
      break;

    case PROP_TIMEOUT:
      atexit_loop_finalizer_set_timeout (self, g_value_get_uint (value));
      break;

    case PROP_TOTAL_TIMEOUT:
      atexit_loop_finalizer_set_total_timeout (self, g_value_get_uint (value));
      break;

    case PROP_EXIT_ACTION:
      atexit_loop_finalizer_set_exit_action (self, g_value_get_enum (value));
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
  atexit_registry_init (&atexit_loop_finalizer_registry_hooks);

  object_class->constructor = atexit_loop_finalizer_constructor;
  object_class->finalize = atexit_loop_finalizer_finalize;
  object_class->get_property = atexit_loop_finalizer_get_property;
  object_class->set_property = atexit_loop_finalizer_set_property;

  /**
   * AtexitLoopFinalizer:context:
   *
   * The main context whose cleanups this finalizer runs; %NULL when constructing
   * means the global default one. Constructing a finalizer gives the one the
   * context already has, if any.
   *
   * The finalizer does not keep its context alive: when the context is destroyed,
   * the cleanups still registered are dropped with a warning, and this is %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", NULL, NULL,
                        G_TYPE_MAIN_CONTEXT,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:timeout:
   *
   * The deadline of each cleanup that has none of its own, in milliseconds, or 0
   * for none. It is counted from the start of the cleanup's group; when it passes,
   * the cleanup's cancellable is cancelled and the run stops waiting for it, and
   * its error names the cleanup. It applies to the groups that start after it is
   * set.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       0, G_MAXUINT, ATEXIT_DEFAULT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:total-timeout:
   *
   * The deadline of a whole run, in milliseconds from its start, or 0 (the
   * default) for none. When it passes, every running cleanup is cancelled, the
   * cleanups not started are skipped, and the run's error names each of them. It
   * applies to the runs that start after it is set.
   *
   * Since: 1.0
   */
  properties[PROP_TOTAL_TIMEOUT] =
    g_param_spec_uint ("total-timeout", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:exit-action:
   *
   * What happens at process exit to the cleanups still registered: a warning
   * names them (the default), they run, or nothing; see [enum@Atexit.ExitAction].
   * The environment variable `ATEXIT_EXIT_ACTION` overrides it.
   *
   * Since: 1.0
   */
  properties[PROP_EXIT_ACTION] =
    g_param_spec_enum ("exit-action", NULL, NULL,
                       ATEXIT_TYPE_EXIT_ACTION, ATEXIT_EXIT_ACTION_WARN,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:pending:
   *
   * How many cleanups are registered and not started yet. It is notified in the
   * thread that changed it.
   *
   * Since: 1.0
   */
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitLoopFinalizer:running:
   *
   * Whether a run is in progress.
   *
   * Since: 1.0
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
   * Emitted in the finalizer's context at the start of a run, before any cleanup
   * starts. Handlers may add cleanups; they join the run. A run that has nothing
   * to do because nothing was registered since the previous run ended does not
   * emit it.
   *
   * A handler may wait for the run ([method@Atexit.LoopFinalizer.run]): the run
   * then goes on, and ends, before the handlers after it are called; what they
   * add waits for the next run.
   *
   * Since: 1.0
   */
  signals[SIGNAL_ABOUT_TO_CLOSE] =
    g_signal_new ("about-to-close",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * AtexitLoopFinalizer::cleanup-finished:
   * @self: the finalizer
   * @id: the cleanup's id, as its `add` function returned it (names need not be
   *   unique: add_object() names cleanups after their object's type)
   * @name: the cleanup's name
   * @priority: the cleanup's priority
   * @duration_us: how long it ran, in microseconds
   * @error: (nullable): why it did not succeed: it returned an error, dropped
   *   its task, did not finish before its deadline, or the run was cancelled;
   *   %NULL when it succeeded
   *
   * Emitted in the finalizer's context when a cleanup of a run has ended, so that
   * a program can report on its shutdown. Handlers connected before the run
   * starts hear of every cleanup; ones connected during a run, of those that fail.
   * Handlers may iterate the context.
   *
   * Since: 1.0
   */
  signals[SIGNAL_CLEANUP_FINISHED] =
    g_signal_new ("cleanup-finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5,
                  G_TYPE_UINT,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT,
                  G_TYPE_INT64,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
atexit_loop_finalizer_init (AtexitLoopFinalizer *self)
{
  g_mutex_init (&self->mutex);
  atexit_cleanup_table_init (&self->table);
  self->timeout_ms = ATEXIT_DEFAULT_TIMEOUT;
  self->exit_action = ATEXIT_EXIT_ACTION_WARN;
}

/* What the run uses to speak. */

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

void
atexit_loop_finalizer_emit_about_to_close (AtexitLoopFinalizer *self)
{
  g_signal_emit (self, signals[SIGNAL_ABOUT_TO_CLOSE], 0);
}

gboolean
atexit_loop_finalizer_has_finished_handlers (AtexitLoopFinalizer *self)
{
  return g_signal_has_handler_pending (self, signals[SIGNAL_CLEANUP_FINISHED], 0, FALSE);
}

void
atexit_loop_finalizer_emit_cleanup_finished (AtexitLoopFinalizer *self,
                                             guint                id,
                                             const char          *name,
                                             int                  priority,
                                             gint64               duration_us,
                                             const GError        *error)
{
  g_signal_emit (self, signals[SIGNAL_CLEANUP_FINISHED], 0,
                 id, name, priority, duration_us, error);
}

void
atexit_loop_finalizer_log_run_error (AtexitLoopFinalizer *self,
                                     const GError        *error)
{
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning (_("Shutdown: %s"), error->message);
}

/* Lookup. */

AtexitLoopFinalizer *
atexit_loop_finalizer_peek_for_context (GMainContext *context)
{
  AtexitLoopFinalizer *self;

  atexit_registry_lock ();
  self = (AtexitLoopFinalizer *) atexit_registry_find_locked (context);
  atexit_registry_unlock ();

  return self;
}

/**
 * atexit_loop_finalizer_get_for_context:
 * @context: (nullable): a main context, or %NULL for the global default one
 *
 * Finds the finalizer of @context, creating it on first use. It lives as long as
 * the context.
 *
 * Returns: (transfer none): the finalizer of @context
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_for_context (GMainContext *context)
{
  AtexitLoopFinalizer *self;

  if (context == NULL)
    context = g_main_context_default ();

  self = atexit_loop_finalizer_peek_for_context (context);
  if (self != NULL)
    return self;

  /* The constructor makes it the context's, or finds the one another thread made
   * meanwhile; the registry keeps it. */
  self = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER, "context", context, NULL);
  g_object_unref (self);

  return self;
}

/**
 * atexit_loop_finalizer_get_default:
 *
 * Finds the finalizer of the global default main context, the one
 * `g_main_loop_new (NULL, FALSE)` runs.
 *
 * Returns: (transfer none): the default finalizer
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_default (void)
{
  return atexit_loop_finalizer_get_for_context (NULL);
}

/**
 * atexit_loop_finalizer_get_thread_default:
 *
 * Finds the finalizer of the calling thread's default main context (see
 * [func@GLib.MainContext.get_thread_default]); for a thread that pushed none,
 * the global default one.
 *
 * Returns: (transfer none): the thread-default finalizer
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_loop_finalizer_get_thread_default (void)
{
  return atexit_loop_finalizer_get_for_context (g_main_context_get_thread_default ());
}

/**
 * atexit_loop_finalizer_get_context:
 * @self: a finalizer
 *
 * Gets the main context whose cleanups @self runs.
 *
 * Returns: (transfer none) (nullable): the context, or %NULL once it has been
 *   destroyed
 *
 * Since: 1.0
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

GMainContext *
atexit_loop_finalizer_ref_context (AtexitLoopFinalizer *self)
{
  GMainContext *context;

  g_mutex_lock (&self->mutex);
  context = self->context != NULL ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->mutex);

  return context;
}

/* Properties. */

/**
 * atexit_loop_finalizer_get_timeout:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:timeout].
 *
 * Returns: the deadline of each cleanup that has none of its own, in
 *   milliseconds; 0 for none
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_get_timeout (AtexitLoopFinalizer *self)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  return (guint) g_atomic_int_get ((int *) &self->timeout_ms);
}

/**
 * atexit_loop_finalizer_set_timeout:
 * @self: a finalizer
 * @timeout_ms: the deadline of each cleanup that has none of its own, in
 *   milliseconds; 0 for none
 *
 * Sets [property@Atexit.LoopFinalizer:timeout]. It applies to the groups that
 * start after the call.
 *
 * Since: 1.0
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
 * atexit_loop_finalizer_get_total_timeout:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:total-timeout].
 *
 * Returns: the deadline of a whole run in milliseconds, 0 for none
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_get_total_timeout (AtexitLoopFinalizer *self)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  return (guint) g_atomic_int_get ((int *) &self->total_timeout_ms);
}

/**
 * atexit_loop_finalizer_set_total_timeout:
 * @self: a finalizer
 * @timeout_ms: the deadline of a whole run in milliseconds, 0 for none
 *
 * Sets [property@Atexit.LoopFinalizer:total-timeout]. It applies to the runs
 * that start after the call.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_set_total_timeout (AtexitLoopFinalizer *self,
                                         guint                timeout_ms)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));

  if ((guint) g_atomic_int_exchange ((int *) &self->total_timeout_ms, (int) timeout_ms) !=
      timeout_ms)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_TIMEOUT]);
}

/**
 * atexit_loop_finalizer_get_exit_action:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:exit-action].
 *
 * Returns: what happens at process exit to the cleanups still registered
 *
 * Since: 1.0
 */
AtexitExitAction
atexit_loop_finalizer_get_exit_action (AtexitLoopFinalizer *self)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), ATEXIT_EXIT_ACTION_WARN);

  return (AtexitExitAction) g_atomic_int_get (&self->exit_action);
}

/**
 * atexit_loop_finalizer_set_exit_action:
 * @self: a finalizer
 * @action: what happens at process exit to the cleanups still registered
 *
 * Sets [property@Atexit.LoopFinalizer:exit-action].
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_set_exit_action (AtexitLoopFinalizer *self,
                                       AtexitExitAction     action)
{
  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (action == ATEXIT_EXIT_ACTION_WARN ||
                    action == ATEXIT_EXIT_ACTION_RUN ||
                    action == ATEXIT_EXIT_ACTION_NONE);

  if ((AtexitExitAction) g_atomic_int_exchange (&self->exit_action, (int) action) != action)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_ACTION]);
}

/**
 * atexit_loop_finalizer_get_pending:
 * @self: a finalizer
 *
 * Gets [property@Atexit.LoopFinalizer:pending].
 *
 * Returns: how many cleanups are registered and not started yet
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_get_pending (AtexitLoopFinalizer *self)
{
  guint pending;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);

  atexit_loop_finalizer_lock (self);
  pending = atexit_cleanup_table_size (&self->table);
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
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_get_running (AtexitLoopFinalizer *self)
{
  gboolean running;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);

  atexit_loop_finalizer_lock (self);
  running = self->run != NULL;
  g_mutex_unlock (&self->mutex);

  return running;
}
