/* internals.c: the cleanup table and the ids, white-box
 *
 * Links the library's objects: what is tested here is not exported.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "config.h"

#include "atexit-cleanup-table-private.h"
#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"

static void
noop (gpointer data)
{
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static AtexitCleanup *
cleanup_at (int priority)
{
  return atexit_cleanup_new (ATEXIT_CLEANUP_SYNC, NULL, priority, noop, NULL, NULL);
}

static void
release (AtexitCleanup *cleanup)
{
  atexit_cleanup_dispose (cleanup);
}

/* Groups come out lowest priority first, however they went in, and each bucket leaves
 * the table with its group: nothing is kept across runs. */
static void
test_table_groups_in_order (void)
{
  AtexitCleanupTable table;
  GRand *rand = g_rand_new_with_seed (7);
  const guint n = 5000;
  int last = G_MININT;
  guint n_groups = 0, n_cleanups = 0;
  AtexitBucket *group;

  atexit_cleanup_table_init (&table);
  for (guint i = 0; i < n; i++)
    atexit_cleanup_table_add (&table, cleanup_at (g_rand_int_range (rand, -1000, 1000)));
  g_assert_cmpuint (atexit_cleanup_table_size (&table), ==, n);

  while ((group = atexit_cleanup_table_take_group (&table)) != NULL)
    {
      AtexitCleanup *cleanup;

      g_assert_cmpint (group->priority, >, last);
      last = group->priority;
      n_groups++;
      while ((cleanup = atexit_cleanup_table_pop (&table, group)) != NULL)
        {
          g_assert_cmpint (cleanup->priority, ==, group->priority);
          n_cleanups++;
          release (cleanup);
        }
      atexit_cleanup_table_free_group (group);
    }

  g_assert_cmpuint (n_cleanups, ==, n);
  g_assert_cmpuint (n_groups, <=, 2000);
  g_assert_cmpuint (atexit_cleanup_table_size (&table), ==, 0);
  g_assert_cmpuint (table.heap_len, ==, 0);
  g_assert_cmpuint (atexit_int_map_size (&table.by_prio), ==, 0);
  atexit_cleanup_table_clear (&table);
  g_rand_free (rand);
}

/* Buckets emptied by removals are never taken as groups, and never outlive the run that
 * reaches them: they leave as they come to the top, or all at once when they are most
 * of the heap. */
static void
test_table_removal_frees_bucket (void)
{
  AtexitCleanupTable table;
  guint ids[64];
  AtexitBucket *group;

  atexit_cleanup_table_init (&table);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      AtexitCleanup *cleanup = cleanup_at ((int) (i * 37 % 64));

      ids[i] = cleanup->id;
      atexit_cleanup_table_add (&table, cleanup);
    }
  g_assert_cmpuint (table.heap_len, ==, 64);

  /* Every odd priority goes; the heap keeps its order. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    if ((i * 37 % 64) % 2 == 1)
      release (atexit_cleanup_table_steal (&table, ids[i]));
  g_assert_cmpuint (table.heap_len - table.n_empty, ==, 32);
  g_assert_cmpuint (table.n_empty, <=, table.heap_len / 2 + 1);
  g_assert_null (atexit_cleanup_table_steal (&table, ids[1]));

  for (int expected = 0; (group = atexit_cleanup_table_take_group (&table)) != NULL; expected += 2)
    {
      g_assert_cmpint (group->priority, ==, expected);
      release (atexit_cleanup_table_pop (&table, group));
      g_assert_null (atexit_cleanup_table_pop (&table, group));
      atexit_cleanup_table_free_group (group);
    }
  g_assert_cmpuint (table.heap_len, ==, 0);
  g_assert_cmpuint (atexit_int_map_size (&table.by_prio), ==, 0);
  atexit_cleanup_table_clear (&table);
}

/* A group taken by a run keeps its cleanups in the id table until each is popped: a
 * removal still reaches them, and a late one joins the group. */
static void
test_table_taken_group (void)
{
  AtexitCleanupTable table;
  AtexitCleanup *a = cleanup_at (0), *b = cleanup_at (0), *late = cleanup_at (0);
  guint a_id = a->id;
  AtexitBucket *group;

  atexit_cleanup_table_init (&table);
  atexit_cleanup_table_add (&table, a);
  atexit_cleanup_table_add (&table, b);
  group = atexit_cleanup_table_take_group (&table);
  g_assert_cmpuint (table.heap_len, ==, 0);
  g_assert_cmpuint (atexit_cleanup_table_size (&table), ==, 2);

  atexit_cleanup_table_add_to (&table, group, late);
  /* Last registered first. */
  g_assert_true (atexit_cleanup_table_pop (&table, group) == late);
  release (late);
  g_assert_true (atexit_cleanup_table_steal (&table, a_id) == a);
  release (a);
  g_assert_true (atexit_cleanup_table_pop (&table, group) == b);
  release (b);
  g_assert_null (atexit_cleanup_table_pop (&table, group));
  g_assert_cmpuint (atexit_cleanup_table_size (&table), ==, 0);
  atexit_cleanup_table_free_group (group);
  atexit_cleanup_table_clear (&table);
}

/* Ids wrap after 2^32 registrations: a fresh id never equals a live one, so remove()
 * never takes the wrong cleanup. */
static void
test_ids_never_reuse_live (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (context);
  guint old_destroyed = 0, new_destroyed = 0;
  guint old_ids[3], new_ids[8];

  /* Live ids at the start of the range: the first the counter hands out after it wraps. */
  atexit_registry_set_last_id (0);
  for (guint i = 0; i < G_N_ELEMENTS (old_ids); i++)
    {
      old_ids[i] = atexit_loop_finalizer_add (finalizer, noop, &old_destroyed, count_destroy);
      g_assert_cmpuint (old_ids[i], ==, i + 1);
    }

  /* The counter is about to wrap: after it, 1, 2 and 3 are still live. */
  atexit_registry_set_last_id (G_MAXUINT - 3);
  for (guint i = 0; i < G_N_ELEMENTS (new_ids); i++)
    {
      new_ids[i] = atexit_loop_finalizer_add (finalizer, noop, &new_destroyed, count_destroy);
      g_assert_cmpuint (new_ids[i], !=, 0);
      for (guint j = 0; j < G_N_ELEMENTS (old_ids); j++)
        g_assert_cmpuint (new_ids[i], !=, old_ids[j]);
      for (guint j = 0; j < i; j++)
        g_assert_cmpuint (new_ids[i], !=, new_ids[j]);
    }
  g_assert_true (atexit_registry_id_issued (new_ids[G_N_ELEMENTS (new_ids) - 1]));

  /* Removing an old id takes the old cleanup, and only it. */
  g_assert_true (atexit_loop_finalizer_remove (finalizer, old_ids[0]));
  g_assert_cmpuint (old_destroyed, ==, 1);
  g_assert_cmpuint (new_destroyed, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (new_ids); i++)
    g_assert_true (atexit_loop_finalizer_remove (finalizer, new_ids[i]));
  g_assert_cmpuint (new_destroyed, ==, G_N_ELEMENTS (new_ids));
  for (guint i = 1; i < G_N_ELEMENTS (old_ids); i++)
    g_assert_true (atexit_loop_finalizer_remove (finalizer, old_ids[i]));
  g_assert_cmpuint (old_destroyed, ==, G_N_ELEMENTS (old_ids));
}

/* The id and priority maps agree with a GHashTable through random insertions, lookups and
 * removals of keys that crowd the same slots: runs of consecutive keys, keys that share
 * their low bits, negative priorities, and the last slots wrapping onto the first. */
typedef struct {
  double  other;
  guint32 key;
} MapItem;

static guint32
crowded_key (GRand *rand)
{
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return (guint32) g_rand_int_range (rand, 0, 64);             /* a run */
    case 1:
      return (guint32) g_rand_int_range (rand, 0, 64) << 12;       /* low bits shared */
    case 2:
      return (guint32) -g_rand_int_range (rand, 1, 300);           /* negative priorities */
    default:
      return G_MAXUINT32 - (guint32) g_rand_int_range (rand, 0, 16); /* the top slots */
    }
}

static void
test_int_map_random (gconstpointer data)
{
  GRand *rand = g_rand_new_with_seed (20261201);
  AtexitIntMap map = ATEXIT_INT_MAP_INIT (GPOINTER_TO_INT (data));
  /* key → its item, owned */
  GHashTable *reference = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  for (guint round = 0; round < 200000; round++)
    {
      guint32 key = crowded_key (rand);
      MapItem *expected = g_hash_table_lookup (reference, GUINT_TO_POINTER (key));

      g_assert_true (atexit_int_map_lookup (&map, key) == expected);
      if (expected == NULL && g_rand_boolean (rand))
        {
          MapItem *item = g_new0 (MapItem, 1);

          item->key = key;
          atexit_int_map_insert (&map, key, item);
          g_hash_table_insert (reference, GUINT_TO_POINTER (key), item);
          /* Never so large after an insertion that it is mostly empty. */
          g_assert_true (map.mask + 1 <= 8 || atexit_int_map_size (&map) * 8 >= map.mask + 1);
        }
      else if (expected != NULL)
        {
          g_assert_true (atexit_int_map_steal (&map, key) == expected);
          g_assert_null (atexit_int_map_steal (&map, key));
          g_hash_table_remove (reference, GUINT_TO_POINTER (key));
        }
      else
        {
          g_assert_null (atexit_int_map_steal (&map, key));
        }
      g_assert_cmpuint (atexit_int_map_size (&map), ==, g_hash_table_size (reference));
      /* At most half full; its memory given back when empty. */
      g_assert_cmpuint (atexit_int_map_size (&map) * 2, <=, map.mask + 1);
      g_assert_true ((map.values == NULL) == (atexit_int_map_size (&map) == 0));

      if (round % 50000 == 49999)
        {
          atexit_int_map_clear (&map);
          g_hash_table_remove_all (reference);
          g_assert_cmpuint (atexit_int_map_size (&map), ==, 0);
        }
    }

  atexit_int_map_clear (&map);
  g_hash_table_unref (reference);
  g_rand_free (rand);
}

/* Keys in a run sit in their own home slots: adding and removing them in order moves
 * nothing, and keys that share their home slot are all found. */
static void
test_int_map_runs_at_home (void)
{
  AtexitIntMap map = ATEXIT_INT_MAP_INIT (FALSE);
  MapItem run[1000], crowd[8];
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (run); i++)
    {
      run[i].key = i + 1;
      atexit_int_map_insert (&map, run[i].key, &run[i]);
    }
  for (guint i = 0; i <= map.mask; i++)
    if (map.values[i] != NULL)
      {
        g_assert_cmpuint (map.keys[i] & map.mask, ==, i);
        g_assert_cmpuint (((MapItem *) map.values[i])->key, ==, map.keys[i]);
        n++;
      }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (run));

  /* Eight keys with one home. */
  for (guint i = 0; i < G_N_ELEMENTS (crowd); i++)
    {
      crowd[i].key = (i + 1) << 20;
      atexit_int_map_insert (&map, crowd[i].key, &crowd[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (crowd); i++)
    g_assert_true (atexit_int_map_lookup (&map, (i + 1) << 20) == &crowd[i]);
  for (guint i = 0; i < G_N_ELEMENTS (run); i++)
    g_assert_true (atexit_int_map_steal (&map, i + 1) == &run[i]);
  for (guint i = G_N_ELEMENTS (crowd); i > 0; i--)
    g_assert_true (atexit_int_map_steal (&map, i << 20) == &crowd[i - 1]);
  g_assert_cmpuint (atexit_int_map_size (&map), ==, 0);
  g_assert_null (map.values);

  /* Mostly emptied by removals, it shrinks at the next insertion. */
  for (guint i = 0; i < G_N_ELEMENTS (run); i++)
    atexit_int_map_insert (&map, run[i].key, &run[i]);
  g_assert_cmpuint (map.mask + 1, ==, 2048);
  for (guint i = 1; i < G_N_ELEMENTS (run); i++)
    atexit_int_map_steal (&map, run[i].key);
  g_assert_cmpuint (map.mask + 1, ==, 2048);
  atexit_int_map_insert (&map, crowd[0].key, &crowd[0]);
  g_assert_cmpuint (map.mask + 1, ==, 8);
  g_assert_true (atexit_int_map_lookup (&map, run[0].key) == &run[0]);
  g_assert_true (atexit_int_map_lookup (&map, crowd[0].key) == &crowd[0]);

  atexit_int_map_clear (&map);
}

/* Priorities are the caller's: ones that share their low bits, or are an arithmetic
 * progression of any step, do not pile up in a spread map. */
static void
test_int_map_spread_patterns (void)
{
  const guint32 steps[] = { 1, 10, 100, 1 << 8, 1 << 16, 1 << 20, 0x10001, 3 << 24 };

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    for (int sign = 1; sign >= -1; sign -= 2)
      {
        AtexitIntMap map = ATEXIT_INT_MAP_INIT (TRUE);
        static MapItem items[20000];

        for (guint i = 0; i < G_N_ELEMENTS (items); i++)
          {
            items[i].key = (guint32) sign * i * steps[s];
            if (i > 0 && items[i].key == items[0].key)
              break;  /* the progression wrapped around */
            atexit_int_map_insert (&map, items[i].key, &items[i]);
          }
        g_test_message ("step %s%u: %u keys, longest probe %u", sign < 0 ? "-" : "",
                        steps[s], atexit_int_map_size (&map),
                        atexit_int_map_longest_probe (&map));
        g_assert_cmpuint (atexit_int_map_longest_probe (&map), <=, 64);
        for (guint i = 0; i < atexit_int_map_size (&map); i++)
          g_assert_true (atexit_int_map_lookup (&map, items[i].key) == &items[i]);
        atexit_int_map_clear (&map);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/internals/table/groups-in-order", test_table_groups_in_order);
  g_test_add_func ("/atexit/internals/table/removal-frees-bucket", test_table_removal_frees_bucket);
  g_test_add_func ("/atexit/internals/table/taken-group", test_table_taken_group);
  g_test_add_func ("/atexit/internals/ids/never-reuse-live", test_ids_never_reuse_live);
  g_test_add_data_func ("/atexit/internals/int-map/random/low-bits", GINT_TO_POINTER (FALSE),
                        test_int_map_random);
  g_test_add_data_func ("/atexit/internals/int-map/random/spread", GINT_TO_POINTER (TRUE),
                        test_int_map_random);
  g_test_add_func ("/atexit/internals/int-map/spread-patterns", test_int_map_spread_patterns);
  g_test_add_func ("/atexit/internals/int-map/runs-at-home", test_int_map_runs_at_home);

  return g_test_run ();
}
