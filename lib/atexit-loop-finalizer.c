/* atexit-loop-finalizer.c: cleanups that run before a main loop quits
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

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

static void
atexit_loop_finalizer_lock (AtexitLoopFinalizer *self)
{
  g_mutex_lock (&self->mutex);
  atexit_loop_finalizer_check_fork_locked (self);
}

static char *
atexit_cleanup_list_names (AtexitCleanupList *list)
{
  GString *names = g_string_new (NULL);

  for (AtexitCleanup *cleanup = list->head; cleanup != NULL; cleanup = cleanup->next)
    {
      g_autofree char *name = atexit_cleanup_dup_name (cleanup);

      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", name);
    }

  return g_string_free (names, FALSE);
}

/* Registry hooks. */

/* The context was destroyed: its cleanups can no longer run. Nothing registered is lost
 * silently: one warning names them and each destroy notify is called. */
static void
atexit_loop_finalizer_context_died (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitCleanupList all = { NULL, NULL, 0 };

  g_object_ref (self);

  atexit_loop_finalizer_lock (self);
  self->context = NULL;
  /* A run holds its context: none can be in progress. */
  g_assert (self->run == NULL);
  atexit_cleanup_table_steal_all (&self->table, NULL, TRUE, &all);
  g_mutex_unlock (&self->mutex);

  if (all.length > 0)
    {
      g_autofree char *names = atexit_cleanup_list_names (&all);

      g_warning (g_dngettext (GETTEXT_PACKAGE,
                              "A main context was destroyed with %u cleanup still "
                              "registered; it will not run: %s",
                              "A main context was destroyed with %u cleanups still "
                              "registered; they will not run: %s",
                              all.length),
                 all.length, names);

      while (all.head != NULL)
        atexit_cleanup_dispose (atexit_cleanup_list_pop_head (&all));
      atexit_loop_finalizer_notify_pending (self);
    }

  g_object_unref (self);
}

static gboolean
atexit_loop_finalizer_has_id (GObject *object,
                              guint    id)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  gboolean found;

  atexit_loop_finalizer_lock (self);
  found = atexit_cleanup_table_lookup (&self->table, id) != NULL;
  g_mutex_unlock (&self->mutex);

  return found;
}

/* The level of what is reported at exit: a warning, but where warnings are fatal (every
 * g_test program) one that is not, so that a clean exit never becomes an abort. */
static GLogLevelFlags
atexit_exit_log_level (void)
{
  GLogLevelFlags always = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  GLogLevelFlags domain = g_log_set_fatal_mask (G_LOG_DOMAIN, G_LOG_FATAL_MASK);

  g_log_set_always_fatal (always);
  g_log_set_fatal_mask (G_LOG_DOMAIN, domain);

  return ((always | domain) & G_LOG_LEVEL_WARNING) ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_WARNING;
}

static AtexitExitAction
atexit_loop_finalizer_get_effective_exit_action (AtexitLoopFinalizer *self)
{
  const char *env = g_getenv ("ATEXIT_EXIT_ACTION");

  if (env != NULL && *env != '\0')
    {
      if (g_ascii_strcasecmp (env, "warn") == 0)
        return ATEXIT_EXIT_ACTION_WARN;
      if (g_ascii_strcasecmp (env, "run") == 0)
        return ATEXIT_EXIT_ACTION_RUN;
      if (g_ascii_strcasecmp (env, "none") == 0)
        return ATEXIT_EXIT_ACTION_NONE;
      g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
             _("ATEXIT_EXIT_ACTION=%s is not one of “warn”, “run” or “none”; it is ignored"),
             env);
    }

  return atexit_loop_finalizer_get_exit_action (self);
}

/* With the mutex held: the names of what would run, for a report at exit. */
static char *
atexit_loop_finalizer_pending_names_locked (AtexitLoopFinalizer *self,
                                            guint               *n)
{
  GString *names = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  *n = 0;
  g_hash_table_iter_init (&iter, self->table.by_id);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *name = atexit_cleanup_dup_name (key);

      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", name);
      (*n)++;
    }

  return g_string_free (names, FALSE);
}

static void
atexit_loop_finalizer_warn_at_exit (AtexitLoopFinalizer *self,
                                    const char          *why)
{
  g_autofree char *names = NULL;
  guint n;

  atexit_loop_finalizer_lock (self);
  names = atexit_loop_finalizer_pending_names_locked (self, &n);
  g_mutex_unlock (&self->mutex);

  if (n == 0)
    return;

  g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
         g_dngettext (GETTEXT_PACKAGE,
                      "The program exited with %u cleanup that never ran%s: %s",
                      "The program exited with %u cleanups that never ran%s: %s", n),
         n, why, names);
}

/* At exit(), in the exiting thread, which may be any: no user code runs but where the
 * exit-action asks for a run and the context can be taken. */
static void
atexit_loop_finalizer_process_exit (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitExitAction action = atexit_loop_finalizer_get_effective_exit_action (self);
  g_autoptr(GError) error = NULL;
  GMainContext *context;
  gboolean running, pending;

  atexit_loop_finalizer_lock (self);
  context = self->context != NULL ? g_main_context_ref (self->context) : NULL;
  running = self->run != NULL;
  pending = atexit_cleanup_table_size (&self->table) > 0;
  g_mutex_unlock (&self->mutex);

  if (context == NULL || !pending || action == ATEXIT_EXIT_ACTION_NONE)
    {
      g_clear_pointer (&context, g_main_context_unref);
      return;
    }

  if (action == ATEXIT_EXIT_ACTION_RUN)
    {
      if (running)
        {
          /* exit() from a cleanup, or while another thread runs it: the run in progress
           * cannot be waited for from here. */
          atexit_loop_finalizer_warn_at_exit (self, _(" (exit() was called during a run)"));
        }
      else if (!g_main_context_acquire (context))
        {
          atexit_loop_finalizer_warn_at_exit (self, _(" (another thread owns the main "
                                                      "context at exit)"));
        }
      else
        {
          if (!atexit_loop_finalizer_run (self, NULL, &error))
            g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
                   _("The run at exit did not succeed: %s"), error->message);
          g_main_context_release (context);
        }
    }
  else
    {
      atexit_loop_finalizer_warn_at_exit (self, "");
    }

  g_main_context_unref (context);
}

static const AtexitRegistryHooks atexit_registry_hooks = {
  .context_died = atexit_loop_finalizer_context_died,
  .process_exit = atexit_loop_finalizer_process_exit,
  .has_id = atexit_loop_finalizer_has_id,
};

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
      g_value_set_boxed (value, atexit_loop_finalizer_get_context (self));
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
  atexit_registry_init (&atexit_registry_hooks);

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
                                             const char          *name,
                                             int                  priority,
                                             gint64               duration_us,
                                             const GError        *error)
{
  g_signal_emit (self, signals[SIGNAL_CLEANUP_FINISHED], 0, name, priority, duration_us, error);
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

/* Registration. */

static guint
atexit_loop_finalizer_add_cleanup (AtexitLoopFinalizer *self,
                                   AtexitCleanup       *cleanup)
{
  guint id = cleanup->id;

  atexit_loop_finalizer_lock (self);

  if (G_UNLIKELY (self->context == NULL))
    {
      g_mutex_unlock (&self->mutex);
      g_critical ("Cannot add a cleanup: the finalizer's main context was destroyed");
      atexit_cleanup_dispose (cleanup);
      return 0;
    }

  self->registrations++;
  if (self->run == NULL || !atexit_run_take_late_locked (self->run, cleanup))
    atexit_cleanup_table_add (&self->table, cleanup);

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
 * next run; then it is gone. See [method@Atexit.LoopFinalizer.add_full].
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add (AtexitLoopFinalizer *self,
                           AtexitFunc           func,
                           gpointer             user_data,
                           GDestroyNotify       destroy)
{
  return atexit_loop_finalizer_add_full (self, NULL, G_PRIORITY_DEFAULT, func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in, on GLib's priority scale; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers a synchronous cleanup with a name and a priority: %G_PRIORITY_HIGH
 * runs before %G_PRIORITY_DEFAULT, which runs before %G_PRIORITY_LOW. It runs
 * once, at the next run; then it is gone.
 *
 * Safe to call from any thread. @destroy is called exactly once: after @func has
 * run, when the cleanup is removed or skipped, or when the context dies. A
 * cleanup added while a run is in progress joins that run: in its own group if
 * that group has not started yet, else it is started at once.
 *
 * An unnamed cleanup is called after its function where the dynamic symbol table
 * knows it, else `cleanup #id`.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
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
 * handed a [class@Gio.Task] to complete; see [callback@Atexit.CleanupFunc] and
 * [method@Atexit.LoopFinalizer.add_async_full].
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_async (AtexitLoopFinalizer *self,
                                 AtexitCleanupFunc    func,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  return atexit_loop_finalizer_add_async_full (self, NULL, G_PRIORITY_DEFAULT,
                                               func, user_data, destroy);
}

/**
 * atexit_loop_finalizer_add_async_full:
 * @self: a finalizer
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in, on GLib's priority scale; lower runs first
 * @func: (scope notified) (closure user_data) (destroy destroy): the cleanup
 * @user_data: data for @func
 * @destroy: (nullable): called exactly once when @user_data is no longer needed
 *
 * Registers an asynchronous cleanup with a name and a priority. At the next run
 * it is handed a [class@Gio.Task] to complete (see [callback@Atexit.CleanupFunc]);
 * the async cleanups of a group run concurrently.
 *
 * Safe to call from any thread. @destroy is called exactly once, in the
 * finalizer's context while it lives: once the cleanup has released its task,
 * when it is removed or skipped, or when the context dies. A cleanup added while
 * a run is in progress joins that run: in its own group if that group has not
 * started yet, else it is started at once.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
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

/* Why @id is not a cleanup of @self that can be removed: a programming error where it
 * was never handed out or is registered with another finalizer; else it started. */
static void
atexit_loop_finalizer_check_foreign (AtexitLoopFinalizer *self,
                                     guint                id)
{
  g_autoptr(GPtrArray) others = NULL;

  if (!atexit_registry_id_issued (id))
    {
      g_critical ("%s: no cleanup with id %u was ever registered", G_STRFUNC, id);
      return;
    }

  others = atexit_registry_list (G_OBJECT (self));
  for (guint i = 0; i < others->len; i++)
    if (atexit_loop_finalizer_has_id (g_ptr_array_index (others, i), id))
      {
        g_critical ("%s: cleanup %u belongs to another finalizer (%p), not to %p",
                    G_STRFUNC, id, g_ptr_array_index (others, i), self);
        return;
      }
}

/**
 * atexit_loop_finalizer_remove:
 * @self: a finalizer
 * @id: an id that an `add` function of @self returned
 *
 * Removes a cleanup that has not started yet, so that it never runs, and calls its
 * destroy notify. Safe to call from any thread, in O(1). A cleanup of the group
 * being started that has not been called yet can still be removed.
 *
 * Removing a cleanup that has already started, or has run, returns %FALSE. An id
 * that was never handed out, or that belongs to another finalizer, is a
 * programming error.
 *
 * Returns: %TRUE if the cleanup was removed before it started
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_remove (AtexitLoopFinalizer *self,
                              guint                id)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  if (atexit_loop_finalizer_remove_quiet (self, id))
    return TRUE;

  atexit_loop_finalizer_check_foreign (self, id);
  return FALSE;
}

gboolean
atexit_loop_finalizer_remove_quiet (AtexitLoopFinalizer *self,
                                    guint                id)
{
  AtexitCleanup *cleanup;

  atexit_loop_finalizer_lock (self);
  cleanup = atexit_cleanup_table_steal (&self->table, id);
  g_mutex_unlock (&self->mutex);

  if (cleanup == NULL)
    return FALSE;

  /* The destroy notify may drop the last reference on the finalizer (a plugin whose
   * state owns its group). */
  g_object_ref (self);
  atexit_cleanup_dispose (cleanup);
  atexit_loop_finalizer_notify_pending (self);
  g_object_unref (self);

  return TRUE;
}

/**
 * atexit_loop_finalizer_set_cleanup_timeout:
 * @self: a finalizer
 * @id: an id that an `add` function of @self returned
 * @timeout_ms: the cleanup's deadline in milliseconds, or 0 for none
 *
 * Gives a cleanup that has not started yet a deadline of its own, in place of
 * [property@Atexit.LoopFinalizer:timeout]: a service that needs 20 s to say
 * goodbye does not hold up, nor is cut short by, the deadline of the others. It
 * is counted from the start of the cleanup's group.
 *
 * Returns: %TRUE if the cleanup is registered and has not started
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_set_cleanup_timeout (AtexitLoopFinalizer *self,
                                           guint                id,
                                           guint                timeout_ms)
{
  AtexitCleanup *cleanup;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);

  atexit_loop_finalizer_lock (self);
  cleanup = atexit_cleanup_table_lookup (&self->table, id);
  if (cleanup != NULL)
    {
      cleanup->has_timeout = TRUE;
      cleanup->timeout_ms = timeout_ms;
    }
  g_mutex_unlock (&self->mutex);

  if (cleanup == NULL)
    atexit_loop_finalizer_check_foreign (self, id);

  return cleanup != NULL;
}

/* Runs. */

static gboolean
atexit_loop_finalizer_run_start_cb (gpointer data)
{
  GTask *waiter = data;

  atexit_run_start_or_join (g_task_get_source_object (waiter), waiter);

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
 * in ascending order, each until its cleanups have completed or passed their
 * deadlines. The run happens in the finalizer's context, which must be iterated;
 * @callback is called in the thread-default context of the caller.
 *
 * Calling it while a run is in progress joins that run and gets its result. A
 * run with nothing registered since the previous run ended does nothing and
 * succeeds. Cancelling @cancellable cancels the running group, skips the groups
 * not started and ends the run with %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_run_async (AtexitLoopFinalizer *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) waiter = NULL;
  GMainContext *context;

  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  waiter = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter, atexit_loop_finalizer_run_async);
  g_task_set_name (waiter, "[atexit-glib] run");
  /* The run's result says why it failed, cancellation included. */
  g_task_set_check_cancellable (waiter, FALSE);

  context = atexit_loop_finalizer_get_context (self);
  if (context == NULL)
    {
      g_task_return_new_error (waiter, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED,
                               _("Cannot run the finalizer: its main context was destroyed"));
      return;
    }

  /* Runs at once where the calling thread owns the context or can take it, else in it. */
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT,
                              atexit_loop_finalizer_run_start_cb,
                              g_steal_pointer (&waiter), g_object_unref);
}

/**
 * atexit_loop_finalizer_run_finish:
 * @self: a finalizer
 * @result: the result given to the callback of [method@Atexit.LoopFinalizer.run_async]
 * @error: return location for the run's error
 *
 * Finishes a run. Its error names every cleanup that failed, dropped its task, or
 * did not finish before its deadline: %ATEXIT_ERROR_TIMED_OUT where only
 * deadlines were missed, %ATEXIT_ERROR_FAILED otherwise, and
 * %G_IO_ERROR_CANCELLED when the run was cancelled. The failures are not logged:
 * the error is the caller's.
 *
 * Returns: %TRUE if every cleanup succeeded
 *
 * Since: 1.0
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

static void
atexit_loop_finalizer_run_sync_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
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
 *
 * Since: 1.0
 */
gboolean
atexit_loop_finalizer_run (AtexitLoopFinalizer  *self,
                           GCancellable         *cancellable,
                           GError              **error)
{
  GAsyncResult *result = NULL;
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

  /* The run's pump is on this thread's stack (a cleanup being started calls this):
   * waiting here would wait for itself. */
  g_mutex_lock (&self->mutex);
  ret = self->run != NULL && self->run->pumping;
  g_mutex_unlock (&self->mutex);
  if (ret)
    {
      g_main_context_release (context);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                   _("Cannot wait for the finalizer’s run from one of its own cleanups"));
      return FALSE;
    }

  g_main_context_push_thread_default (context);
  atexit_loop_finalizer_run_async (self, cancellable, atexit_loop_finalizer_run_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  ret = atexit_loop_finalizer_run_finish (self, result, error);
  g_object_unref (result);

  return ret;
}

static void
atexit_loop_finalizer_quit_loop_cb (GObject      *object,
                                    GAsyncResult *result,
                                    gpointer      user_data)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  g_autoptr(GMainLoop) loop = user_data;
  g_autoptr(GError) error = NULL;

  /* Nobody else receives this run's error: it is logged. */
  if (!atexit_loop_finalizer_run_finish (self, result, &error))
    atexit_loop_finalizer_log_run_error (self, error);
  g_main_loop_quit (loop);
}

/**
 * atexit_loop_finalizer_quit_loop:
 * @self: a finalizer
 * @loop: the main loop to quit, of the finalizer's context
 *
 * Runs the cleanups, then quits @loop: what the owner of a loop calls instead of
 * [method@GLib.MainLoop.quit]. @loop keeps running, and so iterates the context,
 * until the run has ended. Nobody else receives the run's error, so a failure
 * is logged with one warning that names every cleanup that did not succeed; use
 * [method@Atexit.LoopFinalizer.run_async] to get the error instead.
 *
 * Since: 1.0
 */
void
atexit_loop_finalizer_quit_loop (AtexitLoopFinalizer *self,
                                 GMainLoop           *loop)
{
  GMainContext *context;

  g_return_if_fail (ATEXIT_IS_LOOP_FINALIZER (self));
  g_return_if_fail (loop != NULL);

  context = atexit_loop_finalizer_get_context (self);
  if (context != g_main_loop_get_context (loop))
    {
      g_critical ("%s: the main loop %p runs another context than the finalizer's (%p)",
                  G_STRFUNC, loop, context);
      return;
    }

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
 *
 * Since: 1.0
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
 * Removes a cleanup that has not started yet, whichever finalizer holds it, a
 * group's included; see [method@Atexit.LoopFinalizer.remove].
 *
 * Returns: %TRUE if the cleanup was removed before it started
 *
 * Since: 1.0
 */
gboolean
atexit_unregister (guint id)
{
  AtexitLoopFinalizer *self;
  g_autoptr(GPtrArray) others = NULL;

  g_return_val_if_fail (id != 0, FALSE);

  /* Most often it is the calling thread's. */
  self = atexit_loop_finalizer_get_thread_default ();
  if (atexit_loop_finalizer_has_id (G_OBJECT (self), id))
    return atexit_loop_finalizer_remove (self, id);

  others = atexit_registry_list (G_OBJECT (self));
  for (guint i = 0; i < others->len; i++)
    {
      AtexitLoopFinalizer *other = g_ptr_array_index (others, i);

      if (atexit_loop_finalizer_has_id (G_OBJECT (other), id))
        return atexit_loop_finalizer_remove (other, id);
    }

  if (!atexit_registry_id_issued (id))
    g_critical ("%s: no cleanup with id %u was ever registered", G_STRFUNC, id);

  return FALSE;
}
