/* dl-module.c: a loadable module that links libatexit-glib, as a plugin does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * The host (dl-host.c) does not link the library: this module is what brings it in, and
 * dlclose() of the module is what would take it out again.
 */

#include <stdio.h>

#include <atexit-glib.h>

guint dl_module_register   (void);
void  dl_module_unregister (guint id);

static void
dl_module_cleanup (gpointer data)
{
  printf ("dl-module-cleanup: ran\n");
  fflush (stdout);
}

guint
dl_module_register (void)
{
  return atexit_loop_finalizer_add_full (atexit_loop_finalizer_get_default (),
                                         "dl-module-cleanup", G_PRIORITY_DEFAULT,
                                         dl_module_cleanup, NULL, NULL);
}

void
dl_module_unregister (guint id)
{
  if (!atexit_unregister (id))
    g_error ("the module's cleanup was not registered");
}
