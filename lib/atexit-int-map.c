/* atexit-int-map.c: a map from 32-bit keys to pointers, for the cleanup table
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-int-map-private.h"

#define MIN_SLOTS 8
#define MAX_SLOTS (G_GUINT64_CONSTANT (1) << 31)

/* Fibonacci hashing: the top bits of the key times 2^32 / φ, so that keys in any
 * arithmetic progression (multiples of a power of two above all) spread evenly. */
#define SPREAD_FACTOR 0x9E3779B9u

static inline guint
home (const AtexitIntMap *map,
      guint32             key)
{
  if (map->spread)
    return (guint32) (key * SPREAD_FACTOR) >> map->shift;
  return key & map->mask;
}

/* How far the entry in @slot is from its home. */
static inline guint
distance (const AtexitIntMap *map,
          guint               slot)
{
  return (slot - home (map, map->keys[slot])) & map->mask;
}

/* Puts @key and @value in the first free slot from the key's home on, moving along each
 * entry nearer its home than the one being placed then is, in its place. */
static void
place (AtexitIntMap *map,
       guint32       key,
       gpointer      value)
{
  guint slot = home (map, key);
  guint dist = 0;

  while (map->values[slot] != NULL)
    {
      guint theirs = distance (map, slot);

      if (theirs < dist)
        {
          guint32 moved_key = map->keys[slot];
          gpointer moved_value = map->values[slot];

          map->keys[slot] = key;
          map->values[slot] = value;
          key = moved_key;
          value = moved_value;
          dist = theirs;
        }
      slot = (slot + 1) & map->mask;
      dist++;
    }
  map->keys[slot] = key;
  map->values[slot] = value;
}

static void
resize (AtexitIntMap *map,
        guint         n_slots)
{
  gpointer *old_values = map->values;
  guint32 *old_keys = map->keys;
  guint old_n = old_values != NULL ? map->mask + 1 : 0;

  /* The values first, for their alignment; no key is read where its value is NULL. */
  map->values = g_malloc0_n (n_slots, sizeof (gpointer) + sizeof (guint32));
  map->keys = (guint32 *) (map->values + n_slots);
  map->mask = n_slots - 1;
  map->shift = (guint8) (32 - g_bit_nth_lsf (n_slots, -1));
  for (guint i = 0; i < old_n; i++)
    if (old_values[i] != NULL)
      place (map, old_keys[i], old_values[i]);
  g_free (old_values);
}

void
atexit_int_map_clear (AtexitIntMap *map)
{
  g_clear_pointer (&map->values, g_free);
  map->keys = NULL;
  map->mask = 0;
  map->shift = 0;
  map->size = 0;
}

/* The slot holding @key, or -1. */
static int
find (const AtexitIntMap *map,
      guint32             key)
{
  guint slot, dist;

  if (map->values == NULL)
    return -1;

  for (slot = home (map, key), dist = 0; ; slot = (slot + 1) & map->mask, dist++)
    {
      if (map->values[slot] == NULL)
        return -1;
      if (map->keys[slot] == key)
        return slot;
      if (distance (map, slot) < dist)
        return -1;
    }
}

gpointer
atexit_int_map_lookup (const AtexitIntMap *map,
                       guint32             key)
{
  int slot = find (map, key);

  return slot >= 0 ? map->values[slot] : NULL;
}

void
atexit_int_map_insert (AtexitIntMap *map,
                       guint32       key,
                       gpointer      value)
{
  guint64 n_slots = (guint64) map->mask + 1;

  g_assert (value != NULL);
  g_assert (find (map, key) < 0);

  if (map->values == NULL)
    resize (map, MIN_SLOTS);
  else if (((guint64) map->size + 1) * 2 > n_slots)
    {
      if (n_slots * 2 > MAX_SLOTS)
        g_error ("A finalizer cannot hold more than %u cleanups", (guint) (MAX_SLOTS / 2));
      resize (map, (guint) n_slots * 2);
    }
  else if (n_slots > MIN_SLOTS && (guint64) map->size * 8 < n_slots)
    {
      /* Left mostly empty by removals: a quarter full once shrunk. */
      while (n_slots > MIN_SLOTS && ((guint64) map->size + 1) * 4 < n_slots)
        n_slots /= 2;
      resize (map, (guint) n_slots);
    }

  place (map, key, value);
  map->size++;
}

gpointer
atexit_int_map_steal (AtexitIntMap *map,
                      guint32       key)
{
  int found = find (map, key);
  guint slot, next;
  gpointer value;

  if (found < 0)
    return NULL;

  slot = found;
  value = map->values[slot];
  /* Each entry after it that is away from its home moves back one slot. */
  for (next = (slot + 1) & map->mask;
       map->values[next] != NULL && distance (map, next) > 0;
       next = (next + 1) & map->mask)
    {
      map->keys[slot] = map->keys[next];
      map->values[slot] = map->values[next];
      slot = next;
    }
  map->values[slot] = NULL;

  if (--map->size == 0)
    atexit_int_map_clear (map);

  return value;
}

void
atexit_int_map_foreach (const AtexitIntMap *map,
                        GFunc               func,
                        gpointer            user_data)
{
  if (map->values == NULL)
    return;

  for (guint i = 0; i <= map->mask; i++)
    if (map->values[i] != NULL)
      func (map->values[i], user_data);
}

guint
atexit_int_map_longest_probe (const AtexitIntMap *map)
{
  guint longest = 0;

  if (map->values == NULL)
    return 0;

  for (guint i = 0; i <= map->mask; i++)
    if (map->values[i] != NULL)
      longest = MAX (longest, distance (map, i) + 1);

  return longest;
}
