/* dl-host.c: a program that loads a module linking libatexit-glib, then unloads it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 *   dl-host MODULE leave   the module's cleanup stays registered; return from main
 *   dl-host MODULE remove  the module removes it; then a GApplication shuts down
 *
 * This program does not link the library. After dlclose(), the library must still be
 * loaded (it is linked -z nodelete): its exit handler, its types and its emission hook
 * on GApplication::shutdown are in use until the process ends.
 */

#include <dlfcn.h>
#include <locale.h>
#include <stdio.h>

#include <gio/gio.h>

#define LIBRARY "libatexit-glib-1.0.so.0"

static void
say (const char *line)
{
  printf ("%s\n", line);
  fflush (stdout);
}

static void
activate_cb (GApplication *application,
             gpointer      data)
{
  say ("host: application activated");
}

static void
shutdown_cb (GApplication *application,
             gpointer      data)
{
  say ("host: application shut down");
}

int
main (int   argc,
      char *argv[])
{
  guint (*do_register) (void);
  void (*do_unregister) (guint);
  void *module, *library;
  guint id;

  setlocale (LC_ALL, "");
  if (argc != 3)
    g_error ("usage: dl-host MODULE leave|remove");

  g_assert_null (dlopen (LIBRARY, RTLD_NOW | RTLD_NOLOAD));
  module = dlopen (argv[1], RTLD_NOW | RTLD_LOCAL);
  if (module == NULL)
    g_error ("%s", dlerror ());
  do_register = (guint (*) (void)) dlsym (module, "dl_module_register");
  do_unregister = (void (*) (guint)) dlsym (module, "dl_module_unregister");
  g_assert_nonnull (do_register);
  g_assert_nonnull (do_unregister);

  id = do_register ();
  g_assert_cmpuint (id, !=, 0);
  if (g_str_equal (argv[2], "remove"))
    do_unregister (id);
  g_assert_cmpint (dlclose (module), ==, 0);

  library = dlopen (LIBRARY, RTLD_NOW | RTLD_NOLOAD);
  if (library == NULL)
    g_error ("the library was unloaded with the module");
  say ("host: library still loaded after dlclose");
  dlclose (library);

  if (g_str_equal (argv[2], "remove"))
    {
      g_autoptr(GApplication) application = g_application_new (NULL, G_APPLICATION_NON_UNIQUE);

      /* Not held: it shuts down as soon as it has activated. */
      g_signal_connect (application, "activate", G_CALLBACK (activate_cb), NULL);
      g_signal_connect (application, "shutdown", G_CALLBACK (shutdown_cb), NULL);
      if (g_application_run (application, 0, NULL) != 0)
        g_error ("the application failed");
    }

  say ("host: returning");
  return 0;
}
