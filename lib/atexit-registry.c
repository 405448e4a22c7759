/* atexit-registry.c: context → finalizer, every finalizer, ids, process exit, fork
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#ifdef G_OS_UNIX
# include <pthread.h>
#endif

#include "atexit-registry-private.h"

/* A GMainContext is not a GObject and cannot carry data, so the finalizers of contexts
 * live in a process-wide table that owns them; each one's sentinel source takes it out
 * when the context dies. Groups' finalizers are in no context's entry, but every
 * finalizer is tracked, weakly, so that atexit_unregister() finds any id.
 *
 * registry_mutex guards every static below but the atomics; it is taken before any
 * finalizer's own lock, never after. */
static GMutex                     registry_mutex;
static const AtexitRegistryHooks *registry_hooks;
static GHashTable                *by_context;  /* GMainContext → GObject (owned) */
static GHashTable                *tracked;     /* GObject → AtexitEntry (owned) */
static guint                      last_id;     /* (atomic) */
static gboolean                   wrapped;     /* (atomic) the ids have wrapped around */
static guint                      generation;  /* (atomic) */

static void atexit_registry_process_exit (void);

#ifdef G_OS_UNIX
/* fork() copies the locks as they are: each is taken around it, in the lock order, by
 * the forking thread, so that none is held in the child by a thread it does not have.
 * While the registry's lock is held, every tracked finalizer is alive or waits for that
 * lock in its finalization, before its own lock is cleared. */
static void
atexit_registry_fork_lock_all (gboolean lock)
{
  GHashTableIter iter;
  gpointer key;

  if (tracked == NULL)
    return;
  g_hash_table_iter_init (&iter, tracked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    (lock ? registry_hooks->lock : registry_hooks->unlock) (key);
}

static void
atexit_registry_fork_prepare (void)
{
  g_mutex_lock (&registry_mutex);
  atexit_registry_fork_lock_all (TRUE);
}

static void
atexit_registry_fork_parent (void)
{
  atexit_registry_fork_lock_all (FALSE);
  g_mutex_unlock (&registry_mutex);
}

static void
atexit_registry_fork_child (void)
{
  g_atomic_int_inc (&generation);
  atexit_registry_fork_lock_all (FALSE);
  g_mutex_unlock (&registry_mutex);
}
#endif

void
atexit_registry_init (const AtexitRegistryHooks *hooks)
{
  g_mutex_lock (&registry_mutex);
  if (registry_hooks == NULL)
    {
      registry_hooks = hooks;
      /* The library is linked with -z nodelete: these stay valid until the very end. */
      atexit (atexit_registry_process_exit);
#ifdef G_OS_UNIX
      pthread_atfork (atexit_registry_fork_prepare, atexit_registry_fork_parent,
                      atexit_registry_fork_child);
#endif
    }
  g_mutex_unlock (&registry_mutex);
}

void
atexit_registry_lock (void)
{
  g_mutex_lock (&registry_mutex);
  if (G_UNLIKELY (by_context == NULL))
    {
      by_context = g_hash_table_new (NULL, NULL);
      tracked = g_hash_table_new (NULL, NULL);
    }
}

void
atexit_registry_unlock (void)
{
  g_mutex_unlock (&registry_mutex);
}

/* Each finalizer's entry, and its sentinel: a source of its context that never
 * dispatches, whose callback data is released when the context destroys it as it dies.
 * The entry is freed by whichever comes last: the finalizer's finalization, or the
 * sentinel's release. */

typedef struct _AtexitSentinel AtexitSentinel;

typedef struct {
  GWeakRef        ref;
  AtexitSentinel *sentinel;  /* NULL once its context has died */
} AtexitEntry;

struct _AtexitSentinel {
  GSource       source;
  GMainContext *context;     /* not owned: the context it is attached to */
  GObject      *finalizer;   /* not owned; NULL once its finalizer is gone */
};

static GSourceFuncs atexit_sentinel_funcs = { NULL, NULL, NULL, NULL, NULL, NULL };

static gboolean
atexit_sentinel_callback (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
atexit_sentinel_context_died (gpointer user_data)
{
  AtexitSentinel *sentinel = user_data;
  GObject *finalizer = NULL;

  atexit_registry_lock ();
  if (sentinel->finalizer != NULL)
    {
      AtexitEntry *entry = g_hash_table_lookup (tracked, sentinel->finalizer);

      g_assert (entry != NULL && entry->sentinel == sentinel);
      entry->sentinel = NULL;

      if (g_hash_table_lookup (by_context, sentinel->context) == sentinel->finalizer)
        {
          /* The registry's reference becomes ours. */
          g_hash_table_steal (by_context, sentinel->context);
          finalizer = sentinel->finalizer;
        }
      else
        {
          finalizer = g_weak_ref_get (&entry->ref);
        }
      sentinel->finalizer = NULL;
    }
  g_mutex_unlock (&registry_mutex);

  if (finalizer != NULL)
    {
      registry_hooks->context_died (finalizer);
      g_object_unref (finalizer);
    }
  g_source_unref ((GSource *) sentinel);
}

GObject *
atexit_registry_find_locked (GMainContext *context)
{
  return g_hash_table_lookup (by_context, context);
}

void
atexit_registry_add_locked (GObject      *finalizer,
                            GMainContext *context,
                            gboolean      registered)
{
  GSource *source = g_source_new (&atexit_sentinel_funcs, sizeof (AtexitSentinel));
  AtexitSentinel *sentinel = (AtexitSentinel *) source;
  AtexitEntry *entry = g_new0 (AtexitEntry, 1);

  g_weak_ref_init (&entry->ref, finalizer);
  entry->sentinel = sentinel;
  g_hash_table_insert (tracked, finalizer, entry);

  if (registered)
    {
      g_assert (g_hash_table_lookup (by_context, context) == NULL);
      g_hash_table_insert (by_context, context, g_object_ref (finalizer));
    }

  sentinel->context = context;
  sentinel->finalizer = finalizer;
  g_source_set_static_name (source, "[atexit-glib] context sentinel");
  /* The callback data holds a reference on the source itself, so that the sentinel is
   * still there when the context reports its death. */
  g_source_set_callback (source, atexit_sentinel_callback, g_source_ref (source),
                         atexit_sentinel_context_died);
  g_source_attach (source, context);
  g_source_unref (source);
}

void
atexit_registry_remove (GObject *finalizer)
{
  AtexitEntry *entry;

  atexit_registry_lock ();
  entry = g_hash_table_lookup (tracked, finalizer);
  g_hash_table_steal (tracked, finalizer);
  /* The sentinel stays in its context, disarmed, until the context dies: destroying it
   * from here could race with the context's own death in another thread. */
  if (entry != NULL && entry->sentinel != NULL)
    entry->sentinel->finalizer = NULL;
  g_mutex_unlock (&registry_mutex);

  if (entry != NULL)
    {
      g_weak_ref_clear (&entry->ref);
      g_free (entry);
    }
}

GObject *
atexit_registry_ref_live (gpointer finalizer)
{
  AtexitEntry *entry;
  GObject *live = NULL;

  atexit_registry_lock ();
  entry = g_hash_table_lookup (tracked, finalizer);
  if (entry != NULL)
    live = g_weak_ref_get (&entry->ref);
  atexit_registry_unlock ();

  return live;
}

static GPtrArray *
atexit_registry_list_locked (GObject *except)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, tracked);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      /* A weak reference: a finalizer being finalized is not handed out again. */
      GObject *finalizer = g_weak_ref_get (&((AtexitEntry *) value)->ref);

      if (finalizer == NULL)
        continue;
      if (finalizer == except)
        g_object_unref (finalizer);
      else
        g_ptr_array_add (all, finalizer);
    }

  return all;
}

GPtrArray *
atexit_registry_list (GObject *except)
{
  GPtrArray *all;

  atexit_registry_lock ();
  all = atexit_registry_list_locked (except);
  g_mutex_unlock (&registry_mutex);

  return all;
}

/* Ids. Until the counter wraps around, each id is new. After, an id is handed out again
 * only if no finalizer still holds it; finding out takes the registry's lock and asks
 * each finalizer, which takes four billion registrations to become necessary. */

static gboolean
atexit_registry_id_is_live_locked (guint id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, tracked);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(GObject) finalizer = g_weak_ref_get (&((AtexitEntry *) value)->ref);

      if (finalizer != NULL && registry_hooks->has_id (finalizer, id))
        return TRUE;
    }

  return FALSE;
}

guint
atexit_registry_next_id (void)
{
  guint id;

  if (G_LIKELY (!g_atomic_int_get (&wrapped)))
    {
      id = (guint) g_atomic_int_add ((int *) &last_id, 1) + 1;
      if (G_LIKELY (id != 0))
        return id;
      g_atomic_int_set (&wrapped, TRUE);
    }

  /* The finalizers' locks are taken after this one: the caller holds none of them. */
  atexit_registry_lock ();
  do
    id = (guint) g_atomic_int_add ((int *) &last_id, 1) + 1;
  while (id == 0 || atexit_registry_id_is_live_locked (id));
  g_mutex_unlock (&registry_mutex);

  return id;
}

gboolean
atexit_registry_id_issued (guint id)
{
  return id != 0 &&
         (g_atomic_int_get (&wrapped) || id <= (guint) g_atomic_int_get ((int *) &last_id));
}

void
atexit_registry_set_last_id (guint last)
{
  g_atomic_int_set ((int *) &last_id, (int) last);
}

guint
atexit_registry_get_generation (void)
{
  return (guint) g_atomic_int_get (&generation);
}

/* At exit, each finalizer of a context decides what to do with what is still registered
 * (its exit-action). They are listed under the lock and called outside it: what they do
 * may take any lock, or run cleanups. */
static void
atexit_registry_process_exit (void)
{
  static gboolean once;
  g_autoptr(GPtrArray) finalizers = NULL;
  GHashTableIter iter;
  gpointer value;

  /* exit() called again from a cleanup that this handler runs: its own exit goes on
   * without this handler. */
  if (once)
    return;
  once = TRUE;

  finalizers = g_ptr_array_new_with_free_func (g_object_unref);
  atexit_registry_lock ();
  g_hash_table_iter_init (&iter, by_context);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (finalizers, g_object_ref (value));
  g_mutex_unlock (&registry_mutex);

  for (guint i = 0; i < finalizers->len; i++)
    registry_hooks->process_exit (g_ptr_array_index (finalizers, i));

  /* Another thread may still use them: they are only ever released by their context. */
  g_ptr_array_set_free_func (finalizers, NULL);
  for (guint i = 0; i < finalizers->len; i++)
    g_object_unref (g_ptr_array_index (finalizers, i));
}
