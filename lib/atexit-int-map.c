/* atexit-int-map.c: a map from 32-bit keys to pointers, for the cleanup table
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "atexit-int-map-private.h"

#define MIN_SLOTS 8

static inline guint
home (const AtexitIntMap *map,
      guint32             key)
{
  return key & map->mask;
}

/* How far the entry in @slot is from its home. */
static inline guint
distance (const AtexitIntMap *map,
          guint               slot)
{
  return (slot - home (map, map->slots[slot].key)) & map->mask;
}

/* Puts @entry in the first free slot from its home on, moving along each entry nearer
 * its home than @entry then is, in its place. */
static void
place (AtexitIntMap     *map,
       AtexitIntMapSlot  entry)
{
  guint slot = home (map, entry.key);
  guint dist = 0;

  while (map->slots[slot].value != NULL)
    {
      guint theirs = distance (map, slot);

      if (theirs < dist)
        {
          AtexitIntMapSlot moved = map->slots[slot];

          map->slots[slot] = entry;
          entry = moved;
          dist = theirs;
        }
      slot = (slot + 1) & map->mask;
      dist++;
    }
  map->slots[slot] = entry;
}

static void
resize (AtexitIntMap *map,
        guint         n_slots)
{
  AtexitIntMapSlot *old = map->slots;
  guint old_n = old != NULL ? map->mask + 1 : 0;

  map->slots = g_new0 (AtexitIntMapSlot, n_slots);
  map->mask = n_slots - 1;
  for (guint i = 0; i < old_n; i++)
    if (old[i].value != NULL)
      place (map, old[i]);
  g_free (old);
}

void
atexit_int_map_clear (AtexitIntMap *map)
{
  g_clear_pointer (&map->slots, g_free);
  map->mask = 0;
  map->size = 0;
}

/* The slot holding @key, or -1. */
static int
find (const AtexitIntMap *map,
      guint32             key)
{
  guint slot, dist;

  if (map->slots == NULL)
    return -1;

  for (slot = home (map, key), dist = 0; ; slot = (slot + 1) & map->mask, dist++)
    {
      if (map->slots[slot].value == NULL || distance (map, slot) < dist)
        return -1;
      if (map->slots[slot].key == key)
        return slot;
    }
}

gpointer
atexit_int_map_lookup (const AtexitIntMap *map,
                       guint32             key)
{
  int slot = find (map, key);

  return slot >= 0 ? map->slots[slot].value : NULL;
}

void
atexit_int_map_insert (AtexitIntMap *map,
                       guint32       key,
                       gpointer      value)
{
  g_assert (value != NULL);

  if (map->slots == NULL)
    resize (map, MIN_SLOTS);
  else if ((map->size + 1) * 2 > map->mask + 1)
    resize (map, (map->mask + 1) * 2);

  place (map, (AtexitIntMapSlot) { key, value });
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
  value = map->slots[slot].value;
  /* Each entry after it that is away from its home moves back one slot. */
  for (next = (slot + 1) & map->mask;
       map->slots[next].value != NULL && distance (map, next) > 0;
       next = (next + 1) & map->mask)
    {
      map->slots[slot] = map->slots[next];
      slot = next;
    }
  map->slots[slot].value = NULL;
  map->size--;

  /* A quarter full after shrinking, so that neither growing nor shrinking is near. */
  if (map->mask + 1 > MIN_SLOTS && map->size * 8 < map->mask + 1)
    resize (map, MAX (MIN_SLOTS, (map->mask + 1) / 2));

  return value;
}

void
atexit_int_map_remove_all (AtexitIntMap *map)
{
  if (map->slots == NULL)
    return;

  if (map->mask + 1 > MIN_SLOTS)
    {
      g_free (map->slots);
      map->slots = g_new0 (AtexitIntMapSlot, MIN_SLOTS);
      map->mask = MIN_SLOTS - 1;
    }
  else
    {
      memset (map->slots, 0, sizeof (AtexitIntMapSlot) * MIN_SLOTS);
    }
  map->size = 0;
}

void
atexit_int_map_foreach (const AtexitIntMap *map,
                        GFunc               func,
                        gpointer            user_data)
{
  if (map->slots == NULL)
    return;

  for (guint i = 0; i <= map->mask; i++)
    if (map->slots[i].value != NULL)
      func (map->slots[i].value, user_data);
}
