/* bench-add-object.c: what add_object costs for an object that dies before shutdown
 *
 * Prints the cost per operation of add + remove, and of add_object for an object
 * finalized before shutdown (the cost of creating and freeing the object itself
 * subtracted), and their ratio; fails when the ratio is above 3.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <atexit-glib.h>

#define N 200000

static void
nothing (gpointer data)
{
}

static double
per_op_ns (gint64 start)
{
  return (g_get_monotonic_time () - start) * 1000.0 / N;
}

int
main (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  double add_remove = G_MAXDOUBLE, objects = G_MAXDOUBLE, with_add_object = G_MAXDOUBLE;
  double ratio;

  for (int round = 0; round < 5; round++)
    {
      gint64 start = g_get_monotonic_time ();

      for (int i = 0; i < N; i++)
        atexit_loop_finalizer_remove (finalizer, atexit_loop_finalizer_add (finalizer, nothing, NULL, NULL));
      add_remove = MIN (add_remove, per_op_ns (start));

      start = g_get_monotonic_time ();
      for (int i = 0; i < N; i++)
        g_object_unref (g_cancellable_new ());
      objects = MIN (objects, per_op_ns (start));

      start = g_get_monotonic_time ();
      for (int i = 0; i < N; i++)
        {
          GCancellable *cancellable = g_cancellable_new ();

          atexit_loop_finalizer_add_object (finalizer, G_OBJECT (cancellable));
          g_object_unref (cancellable);
        }
      with_add_object = MIN (with_add_object, per_op_ns (start));
    }

  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);

  ratio = (with_add_object - objects) / add_remove;
  g_print ("add + remove: %.0f ns\n"
           "add_object + object finalized: %.0f ns (object alone: %.0f ns)\n"
           "ratio: %.2f (goal: at most 3)\n",
           add_remove, with_add_object - objects, objects, ratio);

  return ratio <= 3.0 ? 0 : 1;
}
