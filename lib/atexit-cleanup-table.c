/* atexit-cleanup-table.c: the cleanups of a finalizer, by id and by priority
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-cleanup-table-private.h"

#define TAKEN G_MAXUINT

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

void
atexit_cleanup_table_init (AtexitCleanupTable *table)
{
  table->by_id = g_hash_table_new (atexit_cleanup_id_hash, atexit_cleanup_id_equal);
  table->by_prio = g_hash_table_new (NULL, NULL);
  table->heap = NULL;
  table->heap_len = table->heap_size = 0;
  table->last = NULL;
}

void
atexit_cleanup_table_clear (AtexitCleanupTable *table)
{
  g_assert (g_hash_table_size (table->by_id) == 0);
  g_assert (table->heap_len == 0);

  g_clear_pointer (&table->by_id, g_hash_table_unref);
  g_clear_pointer (&table->by_prio, g_hash_table_unref);
  g_clear_pointer (&table->heap, g_free);
  table->heap_size = 0;
  table->last = NULL;
}

guint
atexit_cleanup_table_size (AtexitCleanupTable *table)
{
  return g_hash_table_size (table->by_id);
}

AtexitCleanup *
atexit_cleanup_table_lookup (AtexitCleanupTable *table,
                             guint               id)
{
  return g_hash_table_lookup (table->by_id, &id);
}

/* The heap. Each entry keeps its bucket's priority, so that a sift compares entries of
 * the array, next to each other, rather than buckets scattered over the heap memory: at
 * a hundred thousand priorities that is the difference between a cache miss per level
 * and one per moved bucket. */

static inline void
heap_set (AtexitCleanupTable *table,
          guint               i,
          AtexitHeapEntry     entry)
{
  table->heap[i] = entry;
  entry.bucket->heap_index = i;
}

static void
heap_sift_up (AtexitCleanupTable *table,
              guint               i)
{
  AtexitHeapEntry entry = table->heap[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (table->heap[parent].priority <= entry.priority)
        break;
      heap_set (table, i, table->heap[parent]);
      i = parent;
    }
  heap_set (table, i, entry);
}

static void
heap_sift_down (AtexitCleanupTable *table,
                guint               i)
{
  AtexitHeapEntry entry = table->heap[i];
  guint n = table->heap_len;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && table->heap[child + 1].priority < table->heap[child].priority)
        child++;
      if (entry.priority <= table->heap[child].priority)
        break;
      heap_set (table, i, table->heap[child]);
      i = child;
    }
  heap_set (table, i, entry);
}

static void
heap_push (AtexitCleanupTable *table,
           AtexitBucket       *bucket)
{
  if (table->heap_len == table->heap_size)
    {
      table->heap_size = MAX (16, table->heap_size * 2);
      table->heap = g_renew (AtexitHeapEntry, table->heap, table->heap_size);
    }
  table->heap[table->heap_len].priority = bucket->priority;
  table->heap[table->heap_len].bucket = bucket;
  heap_sift_up (table, table->heap_len++);
}

/* Takes @bucket out of the heap; it keeps its cleanups. */
static void
heap_remove (AtexitCleanupTable *table,
             AtexitBucket       *bucket)
{
  guint i = bucket->heap_index;
  AtexitHeapEntry last;

  g_assert (i < table->heap_len && table->heap[i].bucket == bucket);

  g_hash_table_remove (table->by_prio, GINT_TO_POINTER (bucket->priority));
  if (table->last == bucket)
    table->last = NULL;
  bucket->heap_index = TAKEN;

  last = table->heap[--table->heap_len];
  if (last.bucket == bucket)
    return;

  table->heap[i] = last;
  if (i > 0 && table->heap[(i - 1) / 2].priority > last.priority)
    heap_sift_up (table, i);
  else
    heap_sift_down (table, i);
}

static AtexitBucket *
atexit_cleanup_table_bucket (AtexitCleanupTable *table,
                             int                 priority)
{
  AtexitBucket *bucket = table->last;

  if (G_LIKELY (bucket != NULL && bucket->priority == priority))
    return bucket;

  bucket = g_hash_table_lookup (table->by_prio, GINT_TO_POINTER (priority));
  if (bucket == NULL)
    {
      bucket = g_new0 (AtexitBucket, 1);
      bucket->priority = priority;
      g_hash_table_insert (table->by_prio, GINT_TO_POINTER (priority), bucket);
      heap_push (table, bucket);
    }
  table->last = bucket;

  return bucket;
}

void
atexit_cleanup_table_add (AtexitCleanupTable *table,
                          AtexitCleanup      *cleanup)
{
  atexit_cleanup_table_add_to (table, atexit_cleanup_table_bucket (table, cleanup->priority),
                               cleanup);
}

void
atexit_cleanup_table_add_to (AtexitCleanupTable *table,
                             AtexitBucket       *group,
                             AtexitCleanup      *cleanup)
{
  g_hash_table_add (table->by_id, cleanup);
  cleanup->state = ATEXIT_CLEANUP_REGISTERED;
  cleanup->bucket = group;
  atexit_cleanup_list_push_tail (&group->list, cleanup);
}

static void
atexit_cleanup_table_unlink (AtexitCleanupTable *table,
                             AtexitCleanup      *cleanup)
{
  AtexitBucket *bucket = cleanup->bucket;

  atexit_cleanup_list_unlink (&bucket->list, cleanup);
  cleanup->bucket = NULL;

  /* An empty bucket in the heap goes at once; one a run took is the run's to free. */
  if (bucket->list.length == 0 && bucket->heap_index != TAKEN)
    {
      heap_remove (table, bucket);
      g_free (bucket);
    }
}

AtexitCleanup *
atexit_cleanup_table_steal (AtexitCleanupTable *table,
                            guint               id)
{
  AtexitCleanup *cleanup;

  /* One probe of the table finds and takes the entry. */
  if (!g_hash_table_steal_extended (table->by_id, &id, (gpointer *) &cleanup, NULL))
    return NULL;

  atexit_cleanup_table_unlink (table, cleanup);

  return cleanup;
}

AtexitBucket *
atexit_cleanup_table_take_group (AtexitCleanupTable *table)
{
  AtexitBucket *first;

  if (table->heap_len == 0)
    return NULL;

  first = table->heap[0].bucket;
  heap_remove (table, first);

  return first;
}

AtexitCleanup *
atexit_cleanup_table_pop (AtexitCleanupTable *table,
                          AtexitBucket       *group)
{
  AtexitCleanup *cleanup = group->list.tail;

  g_assert (group->heap_index == TAKEN);

  if (cleanup == NULL)
    return NULL;

  atexit_cleanup_list_unlink (&group->list, cleanup);
  cleanup->bucket = NULL;
  /* The whole table at once when this was its last entry: one group, the common case. */
  if (g_hash_table_size (table->by_id) == 1)
    g_hash_table_remove_all (table->by_id);
  else
    g_hash_table_remove (table->by_id, cleanup);

  return cleanup;
}

static void
atexit_cleanup_table_move_all (AtexitCleanupTable *table,
                               AtexitBucket       *bucket,
                               AtexitCleanupList  *out)
{
  AtexitCleanup *cleanup;

  /* Last registered first, the order they would have started in. */
  while ((cleanup = bucket->list.tail) != NULL)
    {
      atexit_cleanup_list_unlink (&bucket->list, cleanup);
      cleanup->bucket = NULL;
      atexit_cleanup_list_push_tail (out, cleanup);
    }
}

void
atexit_cleanup_table_steal_all (AtexitCleanupTable *table,
                                AtexitBucket       *group,
                                gboolean            all,
                                AtexitCleanupList  *out)
{
  if (group != NULL)
    atexit_cleanup_table_move_all (table, group, out);

  if (all)
    {
      AtexitBucket *bucket;

      while ((bucket = atexit_cleanup_table_take_group (table)) != NULL)
        {
          atexit_cleanup_table_move_all (table, bucket, out);
          g_free (bucket);
        }
      g_hash_table_remove_all (table->by_id);
    }
  else
    {
      for (AtexitCleanup *cleanup = out->head; cleanup != NULL; cleanup = cleanup->next)
        g_hash_table_remove (table->by_id, cleanup);
    }
}

void
atexit_cleanup_table_free_group (AtexitBucket *group)
{
  g_assert (group->heap_index == TAKEN);
  g_assert (group->list.length == 0);

  g_free (group);
}
