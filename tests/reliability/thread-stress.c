/* thread-stress.c: threads adding and removing cleanups on one finalizer while
 * its owner runs it again and again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>

#include "reliability-common.h"

typedef struct {
  int      ran;        /* atomic */
  int      destroyed;  /* atomic */
  gboolean removed;    /* remove() returned TRUE; written by its own thread only */
} Item;

static guint                n_threads = 8;
static guint                n_ops = 100000;
static Item                *items;
static AtexitLoopFinalizer *finalizer;
static GMainContext        *context;
static int                  threads_left;  /* atomic */

static void
item_destroy (gpointer data)
{
  Item *item = data;

  if (g_atomic_int_add (&item->destroyed, 1) != 0)
    g_error ("destroy notify of item %td called twice", item - items);
}

static void
item_sync (gpointer data)
{
  Item *item = data;

  if (g_atomic_int_add (&item->ran, 1) != 0)
    g_error ("item %td ran twice", item - items);
}

static void
item_async (AtexitLoopFinalizer *self,
            GTask               *task,
            gpointer             data)
{
  item_sync (data);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gpointer
worker (gpointer data)
{
  guint t = GPOINTER_TO_UINT (data);
  g_autoptr(GRand) rand = g_rand_new_with_seed (t + 1);
  guint recent[16] = { 0, };
  guint recent_item[16] = { 0, };

  for (guint i = 0; i < n_ops; i++)
    {
      guint index = t * n_ops + i;
      Item *item = &items[index];
      int priority = g_rand_int_range (rand, -1, 2);
      guint id, slot;

      if (g_rand_boolean (rand))
        id = atexit_loop_finalizer_add_full (finalizer, NULL, priority, item_sync, item,
                                                  item_destroy);
      else
        id = atexit_loop_finalizer_add_async_full (finalizer, NULL, priority, item_async, item,
                                             item_destroy);
      g_assert_cmpuint (id, !=, 0);

      /* Remove half of them: this one, or one added a little earlier by this thread,
       * which may have started meanwhile. */
      slot = g_rand_int_range (rand, 0, G_N_ELEMENTS (recent));
      if (recent[slot] != 0 && g_rand_boolean (rand))
        {
          if (atexit_loop_finalizer_remove (finalizer, recent[slot]))
            {
              Item *removed = &items[recent_item[slot]];

              g_assert_cmpint (g_atomic_int_get (&removed->destroyed), ==, 1);
              removed->removed = TRUE;
            }
        }
      recent[slot] = id;
      recent_item[slot] = index;
    }

  g_atomic_int_add (&threads_left, -1);
  g_main_context_wakeup (context);

  return NULL;
}

static void
test_thread_stress (void)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint n_items = n_threads * n_ops;
  guint n_runs = 0, n_ran = 0, n_removed = 0;
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;

  context = g_main_context_new ();
  finalizer = atexit_loop_finalizer_get_for_context (context);
  items = g_new0 (Item, n_items);
  threads_left = n_threads;

  for (guint t = 0; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("stress", worker, GUINT_TO_POINTER (t)));

  /* The owner runs the finalizer over and over while the threads work. */
  while (g_atomic_int_get (&threads_left) > 0)
    {
      g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, &error));
      g_assert_no_error (error);
      n_runs++;
    }
  for (guint t = 0; t < n_threads; t++)
    g_thread_join (g_ptr_array_index (threads, t));

  g_assert_true (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_assert_no_error (error);
  n_runs++;
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);

  for (guint i = 0; i < n_items; i++)
    {
      Item *item = &items[i];

      if (item->destroyed != 1)
        g_error ("item %u: destroy notify called %d times", i, item->destroyed);
      if (item->removed && item->ran != 0)
        g_error ("item %u was removed but ran", i);
      if (!item->removed && item->ran != 1)
        g_error ("item %u was not removed but ran %d times", i, item->ran);
      n_ran += item->ran;
      n_removed += item->removed;
    }

  g_main_context_unref (context);
  g_free (items);

  g_test_message ("%u threads × %u operations: %u cleanups, %u removed, %u ran, in %u runs, %.1f s",
                  n_threads, n_ops, n_items, n_removed, n_ran, n_runs,
                  (g_get_monotonic_time () - start) / 1e6);
}

int
main (int    argc,
      char **argv)
{
  const char *env_ops = g_getenv ("ATEXIT_STRESS_OPS");
  int j = 1;

  if (env_ops != NULL)
    n_ops = (guint) g_ascii_strtoull (env_ops, NULL, 10);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--ops") && i + 1 < argc)
        n_ops = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--threads") && i + 1 < argc)
        n_threads = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else
        argv[j++] = argv[i];
    }
  argc = j;
  argv[argc] = NULL;

  g_test_init (&argc, &argv, NULL);
  rel_log_init ();

  g_test_add_func ("/atexit/reliability/thread-stress", test_thread_stress);

  return g_test_run ();
}
