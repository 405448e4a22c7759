/* atexit-cleanup-table.c: the cleanups of a finalizer, by id and by priority
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "atexit-cleanup-table-private.h"

void
atexit_cleanup_table_init (AtexitCleanupTable *table)
{
  table->by_id = (AtexitIntMap) ATEXIT_INT_MAP_INIT (FALSE);
  table->by_prio = (AtexitIntMap) ATEXIT_INT_MAP_INIT (TRUE);
  table->heap = NULL;
  table->heap_len = table->heap_size = 0;
  table->n_empty = 0;
  table->last = NULL;
}

void
atexit_cleanup_table_clear (AtexitCleanupTable *table)
{
  g_assert (atexit_int_map_size (&table->by_id) == 0);
  g_assert (table->heap_len == 0);

  atexit_int_map_clear (&table->by_id);
  atexit_int_map_clear (&table->by_prio);
  g_clear_pointer (&table->heap, g_aligned_free);
  table->heap_size = 0;
  table->last = NULL;
}

guint
atexit_cleanup_table_size (AtexitCleanupTable *table)
{
  return atexit_int_map_size (&table->by_id);
}

AtexitCleanup *
atexit_cleanup_table_lookup (AtexitCleanupTable *table,
                             guint               id)
{
  return atexit_int_map_lookup (&table->by_id, id);
}

/* The heap: 4-ary, so that it is half as deep as a binary one, and with the four
 * children of an entry in one cache line. Each entry keeps its bucket's priority, so that
 * a sift reads only the heap's own array, never the buckets scattered over memory; and a
 * sift writes nothing into the buckets either: a bucket has no place in the heap to keep
 * up to date, because a bucket emptied by a removal is not taken out at once. It stays,
 * empty, until it reaches the top (where it is dropped), a registration at its priority
 * fills it again, or empty ones are the majority (then the heap is rebuilt without them:
 * each rebuild drops at least as many as it keeps, so it costs O(1) per bucket). At a
 * hundred thousand priorities a run takes each group with a few cache misses where a
 * binary heap of buckets took one per level. */

#define HEAP_ARITY   4
/* Entry i is stored at heap[i + HEAP_OFFSET]: the children of i, HEAP_ARITY * i + 1 to
 * HEAP_ARITY * (i + 1), then start on a multiple of four entries, 64 bytes. */
#define HEAP_OFFSET  (HEAP_ARITY - 1)
#define HEAP_ALIGN   64
#define HEAP_AT(table, i) ((table)->heap[(i) + HEAP_OFFSET])

G_STATIC_ASSERT (sizeof (AtexitHeapEntry) * HEAP_ARITY == HEAP_ALIGN || GLIB_SIZEOF_VOID_P != 8);

static void
heap_sift_up (AtexitCleanupTable *table,
              guint               i)
{
  AtexitHeapEntry entry = HEAP_AT (table, i);

  while (i > 0)
    {
      guint parent = (i - 1) / HEAP_ARITY;

      if (HEAP_AT (table, parent).priority <= entry.priority)
        break;
      HEAP_AT (table, i) = HEAP_AT (table, parent);
      i = parent;
    }
  HEAP_AT (table, i) = entry;
}

static void
heap_sift_down (AtexitCleanupTable *table,
                guint               i)
{
  AtexitHeapEntry entry = HEAP_AT (table, i);
  guint n = table->heap_len;

  for (;;)
    {
      guint first = HEAP_ARITY * i + 1;
      guint last = MIN (first + HEAP_ARITY, n);
      guint child = first;

      if (first >= n)
        break;
      for (guint c = first + 1; c < last; c++)
        if (HEAP_AT (table, c).priority < HEAP_AT (table, child).priority)
          child = c;
      if (entry.priority <= HEAP_AT (table, child).priority)
        break;
      HEAP_AT (table, i) = HEAP_AT (table, child);
      i = child;
    }
  HEAP_AT (table, i) = entry;
}

static void
heap_reserve (AtexitCleanupTable *table,
              guint               size)
{
  AtexitHeapEntry *heap;

  if (size <= table->heap_size)
    return;

  size = MAX (size, MAX (16, table->heap_size * 2));
  heap = g_aligned_alloc (size + HEAP_OFFSET, sizeof (AtexitHeapEntry), HEAP_ALIGN);
  if (table->heap != NULL)
    {
      memcpy (heap + HEAP_OFFSET, table->heap + HEAP_OFFSET,
              table->heap_len * sizeof (AtexitHeapEntry));
      g_aligned_free (table->heap);
    }
  table->heap = heap;
  table->heap_size = size;
}

static void
heap_push (AtexitCleanupTable *table,
           AtexitBucket       *bucket)
{
  heap_reserve (table, table->heap_len + 1);
  HEAP_AT (table, table->heap_len).priority = bucket->priority;
  HEAP_AT (table, table->heap_len).bucket = bucket;
  heap_sift_up (table, table->heap_len++);
}

/* Takes the top bucket out of the heap and of the priority map. */
static AtexitBucket *
heap_pop (AtexitCleanupTable *table)
{
  AtexitBucket *top = HEAP_AT (table, 0).bucket;

  atexit_int_map_steal (&table->by_prio, (guint32) top->priority);
  if (table->last == top)
    table->last = NULL;

  if (--table->heap_len > 0)
    {
      HEAP_AT (table, 0) = HEAP_AT (table, table->heap_len);
      heap_sift_down (table, 0);
    }

  return top;
}

/* Drops the empty buckets, and makes a heap of the others. */
static void
heap_rebuild (AtexitCleanupTable *table)
{
  guint kept = 0;

  for (guint i = 0; i < table->heap_len; i++)
    {
      AtexitBucket *bucket = HEAP_AT (table, i).bucket;

      if (bucket->list.length > 0)
        {
          HEAP_AT (table, kept++) = HEAP_AT (table, i);
          continue;
        }
      atexit_int_map_steal (&table->by_prio, (guint32) bucket->priority);
      if (table->last == bucket)
        table->last = NULL;
      g_free (bucket);
    }
  table->heap_len = kept;
  table->n_empty = 0;

  for (guint i = kept / HEAP_ARITY + 1; i > 0; i--)
    if (i - 1 < kept)
      heap_sift_down (table, i - 1);
}

static AtexitBucket *
atexit_cleanup_table_bucket (AtexitCleanupTable *table,
                             int                 priority)
{
  AtexitBucket *bucket = table->last;

  if (G_LIKELY (bucket != NULL && bucket->priority == priority))
    return bucket;

  bucket = atexit_int_map_lookup (&table->by_prio, (guint32) priority);
  if (bucket == NULL)
    {
      bucket = g_new0 (AtexitBucket, 1);
      bucket->priority = priority;
      atexit_int_map_insert (&table->by_prio, (guint32) priority, bucket);
      heap_push (table, bucket);
      /* Empty until the cleanup it is made for is added. */
      table->n_empty++;
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
  if (group->list.length == 0 && !group->taken)
    table->n_empty--;
  atexit_int_map_insert (&table->by_id, cleanup->id, cleanup);
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

  /* An empty bucket stays in the heap, for now; one a run took is the run's to free. */
  if (bucket->list.length == 0 && !bucket->taken &&
      ++table->n_empty > MAX (16, table->heap_len / 2))
    heap_rebuild (table);
}

AtexitCleanup *
atexit_cleanup_table_steal (AtexitCleanupTable *table,
                            guint               id)
{
  AtexitCleanup *cleanup;

  /* One probe of the table finds and takes the entry. */
  cleanup = atexit_int_map_steal (&table->by_id, id);
  if (cleanup == NULL)
    return NULL;

  atexit_cleanup_table_unlink (table, cleanup);

  return cleanup;
}

/* A run takes its groups in order, one cleanup or many apart: the next group's bucket,
 * and the cleanup it starts with, are fetched into the cache ahead of their use. */
static inline void
prefetch (const void *address)
{
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch (address);
#endif
}

AtexitBucket *
atexit_cleanup_table_take_group (AtexitCleanupTable *table)
{
  while (table->heap_len > 0)
    {
      AtexitBucket *top = heap_pop (table);

      if (table->heap_len > 0)
        prefetch (HEAP_AT (table, 0).bucket);
      if (top->list.length > 0)
        {
          prefetch (top->list.tail);
          top->taken = TRUE;
          return top;
        }
      table->n_empty--;
      g_free (top);
    }

  return NULL;
}

AtexitCleanup *
atexit_cleanup_table_pop (AtexitCleanupTable *table,
                          AtexitBucket       *group)
{
  AtexitCleanup *cleanup = group->list.tail;

  g_assert (group->taken);

  if (cleanup == NULL)
    return NULL;

  atexit_cleanup_list_unlink (&group->list, cleanup);
  cleanup->bucket = NULL;
  atexit_int_map_steal (&table->by_id, cleanup->id);

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
      atexit_int_map_clear (&table->by_id);
    }
  else
    {
      for (AtexitCleanup *cleanup = out->head; cleanup != NULL; cleanup = cleanup->next)
        atexit_int_map_steal (&table->by_id, cleanup->id);
    }
}

void
atexit_cleanup_table_foreach (AtexitCleanupTable *table,
                              GFunc               func,
                              gpointer            user_data)
{
  atexit_int_map_foreach (&table->by_id, func, user_data);
}

void
atexit_cleanup_table_free_group (AtexitBucket *group)
{
  g_assert (group->taken);
  g_assert (group->list.length == 0);

  g_free (group);
}
