/* atexit-group.c: a component's own group of cleanups
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-group.h"
#include "atexit-loop-finalizer-private.h"

/**
 * AtexitGroup:
 *
 * The cleanups of one component — a plugin, a module — that it can run on its
 * own, when it is unloaded, and that otherwise run as a single cleanup of the
 * host's finalizer when the host shuts down.
 *
 * The component registers its cleanups with the group's own finalizer
 * ([method@Atexit.Group.get_finalizer]), with the whole finalizer API:
 * priorities, asynchronous cleanups, [method@Atexit.LoopFinalizer.add_object].
 * On unload it calls [method@Atexit.Group.run_async] and drops the group. If
 * the host shuts down first, the group runs as one cleanup of its parent, with
 * the parent's deadline; the run's error names the group's failures. (A group
 * that misses the parent's deadline is named as late; what its own cleanups did
 * comes after the parent stopped waiting, and is not in the parent's error.)
 *
 * ```c
 * static AtexitGroup *plugin_group;
 *
 * void
 * plugin_load (void)
 * {
 *   AtexitLoopFinalizer *finalizer;
 *
 *   plugin_group = atexit_group_new (atexit_loop_finalizer_get_default (),
 *                                    "my-plugin", G_PRIORITY_DEFAULT);
 *   finalizer = atexit_group_get_finalizer (plugin_group);
 *   // The plugin's goodbye: flush its connection, then close it.
 *   atexit_loop_finalizer_add_async_pair (finalizer, G_OBJECT (plugin_connection),
 *                                         "close the connection", G_PRIORITY_LOW,
 *                                         (AtexitAsyncStartFunc) g_dbus_connection_close,
 *                                         (AtexitAsyncFinishFunc) g_dbus_connection_close_finish);
 *   atexit_loop_finalizer_add_async_pair (finalizer, G_OBJECT (plugin_connection),
 *                                         "flush the connection", G_PRIORITY_HIGH,
 *                                         (AtexitAsyncStartFunc) g_dbus_connection_flush,
 *                                         (AtexitAsyncFinishFunc) g_dbus_connection_flush_finish);
 * }
 * ```
 *
 * Since: 1.0
 */

struct _AtexitGroup
{
  GObject              parent_instance;

  AtexitLoopFinalizer *parent;     /* owned */
  AtexitLoopFinalizer *finalizer;  /* owned; not its context's own */
  char                *name;       /* construct-only, like parent and priority */
  int                  priority;

  GMutex               lock;       /* guards the fields below */
  guint                parent_id;  /* the group's cleanup in @parent, 0 once it started */
  gboolean             disposed;
  gulong               pending_id; /* the handler of notify::pending on @finalizer */
};

/* What the group's cleanup in its parent, and its watch on its own finalizer, hold: the
 * group weakly, since both may outlive it (a cleanup already started runs on). */
typedef struct {
  GWeakRef             group;
  AtexitLoopFinalizer *finalizer;  /* owned */
  guint                id;         /* the parent's cleanup; the group's lock */
} AtexitGroupLink;

enum {
  PROP_0,
  PROP_PARENT,
  PROP_NAME,
  PROP_PRIORITY,
  PROP_FINALIZER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtexitGroup, atexit_group, G_TYPE_OBJECT)

static void
atexit_group_parent_run_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static AtexitGroupLink *
atexit_group_link_new (AtexitGroup *self)
{
  AtexitGroupLink *link = g_new0 (AtexitGroupLink, 1);

  g_weak_ref_init (&link->group, self);
  link->finalizer = g_object_ref (self->finalizer);

  return link;
}

static void
atexit_group_link_free (gpointer data)
{
  AtexitGroupLink *link = data;

  g_weak_ref_clear (&link->group);
  g_clear_object (&link->finalizer);
  g_free (link);
}

/* The group as a cleanup of its parent: it runs with the cancellable of that cleanup,
 * so the parent's deadline for it cancels the group's run. Once it has started, what
 * the group gets next needs a cleanup of its own in the parent (see below). */
static void
atexit_group_cleanup (AtexitLoopFinalizer *parent,
                      GTask               *task,
                      gpointer             user_data)
{
  AtexitGroupLink *link = user_data;
  g_autoptr(AtexitGroup) self = g_weak_ref_get (&link->group);

  if (self != NULL)
    {
      g_mutex_lock (&self->lock);
      if (self->parent_id == link->id)
        self->parent_id = 0;
      g_mutex_unlock (&self->lock);
    }

  atexit_loop_finalizer_run_async (link->finalizer, g_task_get_cancellable (task),
                                   atexit_group_parent_run_cb, task);
}

/* With the lock held: the group's cleanup in its parent. */
static void
atexit_group_add_to_parent_locked (AtexitGroup *self)
{
  AtexitGroupLink *link = atexit_group_link_new (self);

  /* The cleanup cannot start before its id is known: its start takes the lock. */
  link->id = atexit_loop_finalizer_add_async_full (self->parent,
                                                   self->name != NULL ? self->name : "group",
                                                   self->priority, atexit_group_cleanup,
                                                   link, atexit_group_link_free);
  self->parent_id = link->id;
}

/* A cleanup registered with the group after its parent started the group's cleanup
 * (its first run is over, or under way): the group takes a cleanup in its parent
 * again, so that the parent's next run, or its report at exit, does not miss it. In
 * whichever thread registered it. */
static void
atexit_group_pending_cb (GObject    *object,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  AtexitGroupLink *link = user_data;
  g_autoptr(AtexitGroup) self = g_weak_ref_get (&link->group);

  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  if (!self->disposed && self->parent_id == 0 &&
      atexit_loop_finalizer_get_pending (self->finalizer) > 0)
    atexit_group_add_to_parent_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
atexit_group_constructed (GObject *object)
{
  AtexitGroup *self = ATEXIT_GROUP (object);
  GMainContext *context;

  G_OBJECT_CLASS (atexit_group_parent_class)->constructed (object);

  if (self->parent == NULL)
    self->parent = g_object_ref (atexit_loop_finalizer_get_default ());

  context = atexit_loop_finalizer_get_context (self->parent);
  if (context == NULL)
    {
      g_critical ("%s: the parent's main context was destroyed; the group is empty",
                  G_STRFUNC);
      context = g_main_context_default ();
    }

  self->finalizer = atexit_loop_finalizer_new_unregistered (
      context, atexit_loop_finalizer_get_timeout (self->parent));
  self->pending_id = g_signal_connect_data (self->finalizer, "notify::pending",
                                            G_CALLBACK (atexit_group_pending_cb),
                                            atexit_group_link_new (self),
                                            (GClosureNotify) G_CALLBACK (atexit_group_link_free),
                                            0);

  g_mutex_lock (&self->lock);
  atexit_group_add_to_parent_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
atexit_group_dispose (GObject *object)
{
  AtexitGroup *self = ATEXIT_GROUP (object);

  guint id;

  /* A group dropped before the shutdown takes its cleanup out of the parent; one
   * already started finishes, holding the group's finalizer. */
  g_mutex_lock (&self->lock);
  self->disposed = TRUE;
  id = self->parent_id;
  self->parent_id = 0;
  g_mutex_unlock (&self->lock);
  if (id != 0)
    atexit_loop_finalizer_remove_quiet (self->parent, id);
  if (self->finalizer != NULL)
    g_clear_signal_handler (&self->pending_id, self->finalizer);

  G_OBJECT_CLASS (atexit_group_parent_class)->dispose (object);
}

static void
atexit_group_finalize (GObject *object)
{
  AtexitGroup *self = ATEXIT_GROUP (object);

  /* What is still registered with the group is released with its finalizer. */
  g_clear_object (&self->finalizer);
  g_clear_object (&self->parent);
  g_free (self->name);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (atexit_group_parent_class)->finalize (object);
}

static void
atexit_group_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  AtexitGroup *self = ATEXIT_GROUP (object);

  switch (prop_id)
    {
    case PROP_PARENT:
      g_value_set_object (value, self->parent);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;

    case PROP_FINALIZER:
      g_value_set_object (value, self->finalizer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atexit_group_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  AtexitGroup *self = ATEXIT_GROUP (object);

  switch (prop_id)
    {
    case PROP_PARENT:
      self->parent = g_value_dup_object (value);
      break;

    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case PROP_PRIORITY:
      self->priority = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atexit_group_class_init (AtexitGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = atexit_group_constructed;
  object_class->dispose = atexit_group_dispose;
  object_class->finalize = atexit_group_finalize;
  object_class->get_property = atexit_group_get_property;
  object_class->set_property = atexit_group_set_property;

  /**
   * AtexitGroup:parent:
   *
   * The finalizer that runs the group as one of its cleanups; the default
   * finalizer when none is given.
   *
   * Since: 1.0
   */
  properties[PROP_PARENT] =
    g_param_spec_object ("parent", NULL, NULL,
                         ATEXIT_TYPE_LOOP_FINALIZER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitGroup:name:
   *
   * The name of the group's cleanup in its parent, for reports; "group" when
   * none is given.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitGroup:priority:
   *
   * The priority of the group's cleanup in its parent.
   *
   * Since: 1.0
   */
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL,
                      G_MININT, G_MAXINT, G_PRIORITY_DEFAULT,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * AtexitGroup:finalizer:
   *
   * The group's own finalizer, which the component registers its cleanups with.
   *
   * Since: 1.0
   */
  properties[PROP_FINALIZER] =
    g_param_spec_object ("finalizer", NULL, NULL,
                         ATEXIT_TYPE_LOOP_FINALIZER,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
atexit_group_init (AtexitGroup *self)
{
  g_mutex_init (&self->lock);
  self->priority = G_PRIORITY_DEFAULT;
}

/**
 * atexit_group_new:
 * @parent: the finalizer that runs the group when it shuts down first
 * @name: (nullable): the name of the group's cleanup in @parent
 * @priority: the priority of the group's cleanup in @parent
 *
 * Creates a group of cleanups that runs as one cleanup of @parent, in the
 * same main context. Dropping the group before @parent runs removes that
 * cleanup, and releases the group's own cleanups without running them: call
 * [method@Atexit.Group.run_async] first.
 *
 * Returns: (transfer full): a new group
 *
 * Since: 1.0
 */
AtexitGroup *
atexit_group_new (AtexitLoopFinalizer *parent,
                  const char          *name,
                  int                  priority)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (parent), NULL);

  return g_object_new (ATEXIT_TYPE_GROUP,
                       "parent", parent,
                       "name", name,
                       "priority", priority,
                       NULL);
}

/**
 * atexit_group_get_finalizer:
 * @self: a group
 *
 * Gets the group's own finalizer: register the component's cleanups with it.
 *
 * Returns: (transfer none): the group's finalizer
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_group_get_finalizer (AtexitGroup *self)
{
  g_return_val_if_fail (ATEXIT_IS_GROUP (self), NULL);

  return self->finalizer;
}

/**
 * atexit_group_get_parent:
 * @self: a group
 *
 * Gets the finalizer the group belongs to.
 *
 * Returns: (transfer none): the parent finalizer
 *
 * Since: 1.0
 */
AtexitLoopFinalizer *
atexit_group_get_parent (AtexitGroup *self)
{
  g_return_val_if_fail (ATEXIT_IS_GROUP (self), NULL);

  return self->parent;
}

/**
 * atexit_group_run_async:
 * @self: a group
 * @cancellable: (nullable): cancels the run
 * @callback: (scope async) (closure user_data): called when the run has ended
 * @user_data: data for @callback
 *
 * Runs the group's cleanups now, as when its component is unloaded; see
 * [method@Atexit.LoopFinalizer.run_async]. Cleanups added afterwards wait for
 * the next run of the group, or for the parent's.
 *
 * Since: 1.0
 */
void
atexit_group_run_async (AtexitGroup         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ATEXIT_IS_GROUP (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, atexit_group_run_async);
  g_task_set_name (task, "[atexit-glib] group run");
  g_task_set_check_cancellable (task, FALSE);

  atexit_loop_finalizer_run_async (self->finalizer, cancellable,
                                   atexit_group_parent_run_cb, g_steal_pointer (&task));
}

/**
 * atexit_group_run_finish:
 * @self: a group
 * @result: the result given to the callback of [method@Atexit.Group.run_async]
 * @error: return location for the run's error
 *
 * Finishes a run of the group; see [method@Atexit.LoopFinalizer.run_finish].
 *
 * Returns: %TRUE if every cleanup of the group succeeded
 *
 * Since: 1.0
 */
gboolean
atexit_group_run_finish (AtexitGroup   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (ATEXIT_IS_GROUP (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == atexit_group_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * atexit_group_run:
 * @self: a group
 * @cancellable: (nullable): cancels the run
 * @error: return location for the run's error
 *
 * Runs the group's cleanups and iterates the context until they are done; see
 * [method@Atexit.LoopFinalizer.run].
 *
 * Returns: %TRUE if every cleanup of the group succeeded
 *
 * Since: 1.0
 */
gboolean
atexit_group_run (AtexitGroup   *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (ATEXIT_IS_GROUP (self), FALSE);

  return atexit_loop_finalizer_run (self->finalizer, cancellable, error);
}
