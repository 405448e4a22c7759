/* consumer.c: a program outside the tree that uses atexit-glib
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <atexit-glib.h>

static void
count (gpointer user_data)
{
  (*(int *) user_data)++;
}

int
main (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GError) error = NULL;
  int ran = 0;

  /* The headers and the library it runs with are of the same version. */
  if (atexit_get_major_version () != ATEXIT_MAJOR_VERSION ||
      atexit_get_minor_version () != ATEXIT_MINOR_VERSION)
    {
      g_printerr ("built against %s, running %u.%u\n", ATEXIT_VERSION_STRING,
                  atexit_get_major_version (), atexit_get_minor_version ());
      return 1;
    }

  atexit_loop_finalizer_add_full (finalizer, "count", G_PRIORITY_DEFAULT, count, &ran, NULL);
  if (!atexit_loop_finalizer_run (finalizer, NULL, &error) || ran != 1)
    {
      g_printerr ("the run failed: %s\n", error != NULL ? error->message : "it did not run");
      return 1;
    }

  g_print ("consumer: atexit-glib %s, the cleanup ran\n", ATEXIT_VERSION_STRING);
  return 0;
}
