/* atexit-cleanup-table-private.h: the cleanups of a finalizer, by id and by priority
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-cleanup-private.h"
#include "atexit-int-map-private.h"

G_BEGIN_DECLS

/* Every cleanup registered and not started yet is in the id table, and in a bucket of its
 * priority. The buckets form a min-heap, so that the lowest priority is found in
 * O(log n) however many distinct priorities there are; a bucket emptied by a removal
 * stays in it until it comes to the top, is filled again, or the empty ones are the
 * majority. A run takes the lowest bucket with cleanups out of the heap as its group:
 * the group's cleanups stay in the id table, so remove() still reaches them, until the
 * run pops each one to start it.
 *
 * Not thread-safe: the finalizer's mutex guards it. */
typedef struct {
  int           priority;  /* the bucket's, here so that the heap is ordered without it */
  AtexitBucket *bucket;
} AtexitHeapEntry;

typedef struct {
  AtexitIntMap     by_id;      /* id → AtexitCleanup */
  AtexitIntMap     by_prio;    /* priority → AtexitBucket, for the buckets in the heap */
  AtexitHeapEntry *heap;       /* heap-ordered on priority; see atexit-cleanup-table.c */
  guint            heap_len;
  guint            heap_size;
  guint            n_empty;    /* buckets of the heap without cleanups */
  AtexitBucket    *last;       /* the bucket of the last registration, if still in the heap */
} AtexitCleanupTable;

void           atexit_cleanup_table_init        (AtexitCleanupTable *table);
void           atexit_cleanup_table_clear       (AtexitCleanupTable *table);

guint          atexit_cleanup_table_size        (AtexitCleanupTable *table);
AtexitCleanup *atexit_cleanup_table_lookup      (AtexitCleanupTable *table,
                                                 guint               id);

/* Registers @cleanup in the bucket of its priority. */
void           atexit_cleanup_table_add         (AtexitCleanupTable *table,
                                                 AtexitCleanup      *cleanup);
/* Registers @cleanup in @group, a bucket a run took: it starts with that group. */
void           atexit_cleanup_table_add_to      (AtexitCleanupTable *table,
                                                 AtexitBucket       *group,
                                                 AtexitCleanup      *cleanup);
/* Takes the cleanup @id out of the table, from whichever bucket holds it, or NULL. */
AtexitCleanup *atexit_cleanup_table_steal       (AtexitCleanupTable *table,
                                                 guint               id);

/* Takes the bucket of the lowest priority out of the heap, or NULL where there is none. */
AtexitBucket  *atexit_cleanup_table_take_group  (AtexitCleanupTable *table);
/* Takes the last registered cleanup of @group out of it and of the id table (the next to
 * start: last registered, first started), or NULL where @group is empty. */
AtexitCleanup *atexit_cleanup_table_pop         (AtexitCleanupTable *table,
                                                 AtexitBucket       *group);
/* Moves every cleanup of @group, and of the heap when @all, to @out; empties the table of
 * them. */
void           atexit_cleanup_table_steal_all   (AtexitCleanupTable *table,
                                                 AtexitBucket       *group,
                                                 gboolean            all,
                                                 AtexitCleanupList  *out);
void           atexit_cleanup_table_free_group  (AtexitBucket       *group);

/* Calls @func on each cleanup registered, in no particular order. */
void           atexit_cleanup_table_foreach     (AtexitCleanupTable *table,
                                                 GFunc               func,
                                                 gpointer            user_data);

G_END_DECLS
