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
  g_assert_cmpuint (g_hash_table_size (table.by_prio), ==, 0);
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
  g_assert_cmpuint (g_hash_table_size (table.by_prio), ==, 0);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/internals/table/groups-in-order", test_table_groups_in_order);
  g_test_add_func ("/atexit/internals/table/removal-frees-bucket", test_table_removal_frees_bucket);
  g_test_add_func ("/atexit/internals/table/taken-group", test_table_taken_group);
  g_test_add_func ("/atexit/internals/ids/never-reuse-live", test_ids_never_reuse_live);

  return g_test_run ();
}
