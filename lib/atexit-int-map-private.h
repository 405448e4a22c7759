/* atexit-int-map-private.h: a map from 32-bit keys to pointers, for the cleanup table
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Open addressing with linear probing, Robin Hood ordering and backward-shift removal,
 * at most half full. Every slot an entry moves over is kept in order of distance from
 * home, so that a probe stops at the first entry nearer its own home than the key looked
 * for would be, and a removal shifts back only what is away from home.
 *
 * Where a key's home slot is depends on who chooses the keys:
 * - handed out in increasing order (ids): its own low bits. Consecutive keys then sit
 *   side by side, so that adding and removing them in order (the common case, and what a
 *   run does) touches each cache line once. Keys that share their low bits would make
 *   one long cluster, but keys handed out one after the other never do: many finalizers
 *   taking ids in turn make strides as long as there are finalizers.
 * - chosen by callers (priorities): @spread, a multiplicative hash, so that no pattern a
 *   program would use (multiples of a power of two, say) makes clusters.
 *
 * The keys and the values are two arrays of one allocation, 12 bytes a slot; a probe
 * reads only them, never the values' memory. Removals never make the map smaller but
 * when it is empty: a run, which takes everything out one by one, reallocates nothing
 * until the end; a map left mostly empty shrinks at its next insertion.
 *
 * Values are never NULL (NULL marks a free slot). Not thread-safe. */
typedef struct {
  gpointer *values;  /* NULL until the first insertion */
  guint32  *keys;    /* in the same allocation, after the values */
  guint     mask;    /* the number of slots less one, a power of two less one */
  guint     size;
  guint8    spread;  /* homes by multiplicative hash, not by low bits */
  guint8    shift;   /* 32 less log2 of the number of slots */
} AtexitIntMap;

#define ATEXIT_INT_MAP_INIT(spread) { NULL, NULL, 0, 0, (spread), 0 }

/* Empties the map and gives its memory back; it can be used again. */
void     atexit_int_map_clear   (AtexitIntMap *map);

static inline guint
atexit_int_map_size (const AtexitIntMap *map)
{
  return map->size;
}

gpointer atexit_int_map_lookup  (const AtexitIntMap *map,
                                 guint32             key);
/* @key must not be in the map. */
void     atexit_int_map_insert  (AtexitIntMap       *map,
                                 guint32             key,
                                 gpointer            value);
/* Takes @key out of the map: its value, or NULL where it was not there. */
gpointer atexit_int_map_steal   (AtexitIntMap       *map,
                                 guint32             key);

/* Calls @func on each value, in no particular order; @func must not change the map. */
void     atexit_int_map_foreach (const AtexitIntMap *map,
                                 GFunc               func,
                                 gpointer            user_data);

/* How many slots the longest lookup of a key in the map reads: for tests. */
guint    atexit_int_map_longest_probe (const AtexitIntMap *map);

G_END_DECLS
