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
 * registry_mutex guards every static below but the atomics and registry_hooks (set
 * once, before the first finalizer is made); it is taken before any finalizer's own lock,
 * never after. */
static GMutex                     registry_mutex;
static const AtexitRegistryHooks *registry_hooks;
static GHashTable                *by_context;  /* GMainContext → AtexitContextEntry (owned) */
static GHashTable                *tracked;     /* GObject → AtexitEntry (owned) */
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
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      registry_hooks = hooks;
      /* The fork handlers first, and neither under the registry's lock: a child forked
       * between the two then has no exit handler, where it would otherwise have one and
       * a registry lock held by a thread it does not have. The library is linked with
       * -z nodelete: the handlers stay valid until the very end. */
#ifdef G_OS_UNIX
      pthread_atfork (atexit_registry_fork_prepare, atexit_registry_fork_parent,
                      atexit_registry_fork_child);
#endif
      atexit (atexit_registry_process_exit);
      g_once_init_leave (&initialized, 1);
    }
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

/* One sentinel per context: a source that never dispatches, whose callback data is
 * released when the context destroys it as it dies. It tells every finalizer of the
 * context, the context's own and the groups', and is attached once, with the context's
 * first finalizer: a program that makes and drops groups adds nothing to its context. */

typedef struct _AtexitSentinel AtexitSentinel;

/* A context's finalizers, while the context lives. */
typedef struct {
  GMainContext   *context;    /* not owned */
  GObject        *finalizer;  /* owned: the context's own; NULL until it has one */
  GPtrArray      *others;     /* GObject, not owned: the groups' finalizers of the context */
  AtexitSentinel *sentinel;   /* not owned: the context owns it */
} AtexitContextEntry;

/* A finalizer's entry, from its construction to its finalization. */
typedef struct {
  GWeakRef        ref;
  GMainContext   *context;    /* not owned; NULL once the context has died */
} AtexitEntry;

struct _AtexitSentinel {
  GSource       source;
  GMainContext *context;      /* not owned: the context it is attached to */
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
  g_autoptr(GPtrArray) finalizers = g_ptr_array_new_with_free_func (g_object_unref);
  AtexitContextEntry *context_entry;

  atexit_registry_lock ();
  context_entry = g_hash_table_lookup (by_context, sentinel->context);
  if (context_entry != NULL)
    {
      g_hash_table_steal (by_context, sentinel->context);

      /* The registry's reference on the context's own finalizer becomes ours. */
      if (context_entry->finalizer != NULL)
        {
          AtexitEntry *entry = g_hash_table_lookup (tracked, context_entry->finalizer);

          entry->context = NULL;
          g_ptr_array_add (finalizers, context_entry->finalizer);
        }
      for (guint i = 0; i < context_entry->others->len; i++)
        {
          AtexitEntry *entry = g_hash_table_lookup (tracked,
                                                    g_ptr_array_index (context_entry->others, i));
          GObject *other = g_weak_ref_get (&entry->ref);

          entry->context = NULL;
          if (other != NULL)
            g_ptr_array_add (finalizers, other);
        }
      g_ptr_array_unref (context_entry->others);
      g_free (context_entry);
    }
  atexit_registry_unlock ();

  for (guint i = 0; i < finalizers->len; i++)
    registry_hooks->context_died (g_ptr_array_index (finalizers, i));
  g_source_unref ((GSource *) sentinel);
}

GObject *
atexit_registry_find_locked (GMainContext *context)
{
  AtexitContextEntry *context_entry = g_hash_table_lookup (by_context, context);

  return context_entry != NULL ? context_entry->finalizer : NULL;
}

static AtexitContextEntry *
atexit_registry_context_entry_locked (GMainContext *context)
{
  AtexitContextEntry *context_entry = g_hash_table_lookup (by_context, context);
  GSource *source;

  if (context_entry != NULL)
    return context_entry;

  context_entry = g_new0 (AtexitContextEntry, 1);
  context_entry->context = context;
  context_entry->others = g_ptr_array_new ();
  g_hash_table_insert (by_context, context, context_entry);

  source = g_source_new (&atexit_sentinel_funcs, sizeof (AtexitSentinel));
  context_entry->sentinel = (AtexitSentinel *) source;
  context_entry->sentinel->context = context;
  g_source_set_static_name (source, "[atexit-glib] context sentinel");
  /* The callback data holds a reference on the source itself, so that the sentinel is
   * still there when the context reports its death. */
  g_source_set_callback (source, atexit_sentinel_callback, g_source_ref (source),
                         atexit_sentinel_context_died);
  g_source_attach (source, context);
  g_source_unref (source);

  return context_entry;
}

void
atexit_registry_add_locked (GObject      *finalizer,
                            GMainContext *context,
                            gboolean      registered)
{
  AtexitContextEntry *context_entry = atexit_registry_context_entry_locked (context);
  AtexitEntry *entry = g_new0 (AtexitEntry, 1);

  g_weak_ref_init (&entry->ref, finalizer);
  entry->context = context;
  g_hash_table_insert (tracked, finalizer, entry);

  if (registered)
    {
      g_assert (context_entry->finalizer == NULL);
      context_entry->finalizer = g_object_ref (finalizer);
    }
  else
    {
      g_ptr_array_add (context_entry->others, finalizer);
    }
}

void
atexit_registry_remove (GObject *finalizer)
{
  AtexitEntry *entry;

  atexit_registry_lock ();
  entry = g_hash_table_lookup (tracked, finalizer);
  g_hash_table_steal (tracked, finalizer);
  /* A context's own finalizer is only finalized once its context has died; a group's may
   * go before: it leaves its context's list, and the sentinel stays for the others. */
  if (entry != NULL && entry->context != NULL)
    {
      AtexitContextEntry *context_entry = g_hash_table_lookup (by_context, entry->context);

      if (context_entry != NULL)
        g_ptr_array_remove_fast (context_entry->others, finalizer);
    }
  atexit_registry_unlock ();

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

/* Ids. The counter counts every id ever handed out, in a gsize: where that is 64 bits,
 * it never wraps, and an id (its low 32 bits) can only be handed out again once it has
 * gone past G_MAXUINT, four billion registrations on. From then on, an id is handed out
 * only if no finalizer still holds it. (Where gsize is 32 bits, the counter's own wrap
 * is that moment, and a thread that read it just before may hand out an id unchecked.) */

static gsize issued;  /* (atomic) */

static gboolean
atexit_registry_id_is_live (GPtrArray *finalizers,
                            guint      id)
{
  for (guint i = 0; i < finalizers->len; i++)
    if (registry_hooks->has_id (g_ptr_array_index (finalizers, i), id))
      return TRUE;

  return FALSE;
}

guint
atexit_registry_next_id (void)
{
  g_autoptr(GPtrArray) finalizers = NULL;
  gsize n;
  guint id;

  n = (gsize) g_atomic_pointer_add (&issued, 1) + 1;
  if (G_LIKELY (n <= G_MAXUINT && (guint) n != 0 && !g_atomic_int_get (&wrapped)))
    return (guint) n;
  g_atomic_int_set (&wrapped, TRUE);

  /* Every finalizer, held by references, so that none of the locks the check takes is
   * taken with the registry's held (a finalizer finalized meanwhile takes that lock). */
  finalizers = atexit_registry_list (NULL);
  for (id = (guint) n; id == 0 || atexit_registry_id_is_live (finalizers, id);)
    id = (guint) ((gsize) g_atomic_pointer_add (&issued, 1) + 1);

  return id;
}

gboolean
atexit_registry_id_issued (guint id)
{
  gsize n = (gsize) g_atomic_pointer_get (&issued);

  return id != 0 && (n > G_MAXUINT || g_atomic_int_get (&wrapped) || id <= n);
}

void
atexit_registry_set_last_id (guint last)
{
  g_atomic_pointer_set (&issued, (gsize) last);
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
    {
      AtexitContextEntry *context_entry = value;

      if (context_entry->finalizer != NULL)
        g_ptr_array_add (finalizers, g_object_ref (context_entry->finalizer));
    }
  atexit_registry_unlock ();

  /* The references taken above are dropped as the array goes: each finalizer is still
   * owned by the registry until its context dies, so none is finalized here. */
  for (guint i = 0; i < finalizers->len; i++)
    registry_hooks->process_exit (g_ptr_array_index (finalizers, i));
}
