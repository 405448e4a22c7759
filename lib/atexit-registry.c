/* atexit-registry.c: context → finalizer, and cleanup ids
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-registry-private.h"
#include "atexit-loop-finalizer-private.h"

/* A GMainContext is not a GObject and cannot carry data, so the finalizers live in
 * a process-wide table. The table owns them; each one's sentinel source takes it out
 * when the context dies. */
static GMutex      registry_mutex;
static GHashTable *registry;   /* GMainContext → AtexitLoopFinalizer (owned) */
static guint       last_id;

typedef struct {
  GSource              source;
  AtexitLoopFinalizer *finalizer;  /* not owned; NULL once disarmed */
} AtexitSentinel;

static gboolean
atexit_sentinel_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  /* Never ready, so never dispatched. */
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs atexit_sentinel_funcs = {
  .prepare = NULL,
  .check = NULL,
  .dispatch = atexit_sentinel_dispatch,
  .finalize = NULL,
};

static gboolean
atexit_sentinel_callback (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* The source's callback data is released when the source is destroyed: by its context
 * as the context dies, or by atexit_sentinel_disarm(), which clears the finalizer first. */
static void
atexit_sentinel_context_died (gpointer user_data)
{
  AtexitSentinel *sentinel = user_data;
  AtexitLoopFinalizer *finalizer;
  AtexitLoopFinalizer *owned = NULL;

  finalizer = g_steal_pointer (&sentinel->finalizer);
  if (finalizer == NULL)
    {
      g_source_unref ((GSource *) sentinel);
      return;
    }

  g_mutex_lock (&registry_mutex);
  if (registry != NULL && finalizer->context != NULL &&
      g_hash_table_lookup (registry, finalizer->context) == finalizer)
    {
      g_hash_table_steal (registry, finalizer->context);
      owned = finalizer;
    }
  g_mutex_unlock (&registry_mutex);

  atexit_loop_finalizer_context_died (finalizer);
  g_clear_object (&owned);
  g_source_unref ((GSource *) sentinel);
}

GSource *
atexit_sentinel_new (AtexitLoopFinalizer *finalizer)
{
  GSource *source = g_source_new (&atexit_sentinel_funcs, sizeof (AtexitSentinel));
  AtexitSentinel *sentinel = (AtexitSentinel *) source;

  sentinel->finalizer = finalizer;
  g_source_set_static_name (source, "[atexit-glib] context sentinel");
  /* The callback data holds a reference on the source itself, so that the sentinel is
   * still there when its death is reported. */
  g_source_set_callback (source, atexit_sentinel_callback,
                         g_source_ref (source), atexit_sentinel_context_died);
  return source;
}

void
atexit_sentinel_disarm (GSource *source)
{
  AtexitSentinel *sentinel = (AtexitSentinel *) source;

  sentinel->finalizer = NULL;
  g_source_destroy (source);
}

AtexitLoopFinalizer *
atexit_registry_lookup (GMainContext *context)
{
  AtexitLoopFinalizer *finalizer;

  g_mutex_lock (&registry_mutex);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  finalizer = g_hash_table_lookup (registry, context);
  if (finalizer == NULL)
    {
      finalizer = g_object_new (ATEXIT_TYPE_LOOP_FINALIZER, "context", context, NULL);
      g_hash_table_insert (registry, context, finalizer);
    }
  g_mutex_unlock (&registry_mutex);

  return finalizer;
}

AtexitLoopFinalizer *
atexit_registry_find_owner (guint                id,
                            AtexitLoopFinalizer *except)
{
  AtexitLoopFinalizer *found = NULL;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&registry_mutex);
  if (registry != NULL)
    {
      g_hash_table_iter_init (&iter, registry);
      while (found == NULL && g_hash_table_iter_next (&iter, NULL, &value))
        {
          AtexitLoopFinalizer *finalizer = value;

          if (finalizer == except)
            continue;
          g_mutex_lock (&finalizer->mutex);
          if (atexit_loop_finalizer_has_id_locked (finalizer, id))
            found = g_object_ref (finalizer);
          g_mutex_unlock (&finalizer->mutex);
        }
    }
  g_mutex_unlock (&registry_mutex);

  return found;
}

guint
atexit_registry_next_id (void)
{
  guint id;

  /* Wrapping around takes four billion registrations; 0 is skipped. */
  do
    id = (guint) g_atomic_int_add ((int *) &last_id, 1) + 1;
  while (G_UNLIKELY (id == 0));

  return id;
}

gboolean
atexit_registry_id_issued (guint id)
{
  return id != 0 && id <= (guint) g_atomic_int_get ((int *) &last_id);
}
