/* gtk-child.c: a GtkApplication with one window, which never calls the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 *   gtk-child MODE JOURNAL       (under an X server: xvfb-run -a gtk-child ...)
 *
 * The application loads the plugin (plugin.c), whose cleanup completes a buffered journal,
 * and shows one GtkWindow. Once the window is mapped, a timeout either closes it with
 * gtk_window_close() (MODE close-window: the application quits because its last window
 * is gone), calls g_application_quit() with the window still up (MODE quit), or
 * atexit_application_quit() (MODE atexit-quit). Each line says what state the window and
 * the cleanup were in at that moment.
 */

#include <locale.h>
#include <stdio.h>

#include <atexit-glib.h>
#include <gtk/gtk.h>

#include "plugin.h"

static const char *mode;
static const char *journal;
static GtkWidget  *window;     /* NULL once destroyed */

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static const char *
window_state (void)
{
  if (window == NULL)
    return "destroyed";
  return gtk_widget_get_mapped (window) ? "mapped" : "unmapped";
}

static void
say_state (const char *who)
{
  say ("%s: cleanup %s, journal %s, window %s", who,
       plugin_cleanup_finished () ? "finished" : "NOT finished",
       plugin_journal_complete () ? "complete" : "INCOMPLETE", window_state ());
}

static void
plugin_observer (const char *event,
                 gpointer    data)
{
  say ("plugin-journal %s: window %s", event, window_state ());
}

/* A GtkApplication subclass, to see GTK's class handler of ::shutdown: it runs where this
 * one chains up. */

#define TEST_TYPE_GTK_APP (test_gtk_app_get_type ())
G_DECLARE_FINAL_TYPE (TestGtkApp, test_gtk_app, TEST, GTK_APP, GtkApplication)

struct _TestGtkApp {
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TestGtkApp, test_gtk_app, GTK_TYPE_APPLICATION)

static void
test_gtk_app_shutdown (GApplication *application)
{
  say_state ("class shutdown, before GTK's");
  G_APPLICATION_CLASS (test_gtk_app_parent_class)->shutdown (application);
  say_state ("class shutdown, after GTK's");
}

static void
test_gtk_app_init (TestGtkApp *self)
{
}

static void
test_gtk_app_class_init (TestGtkAppClass *klass)
{
  G_APPLICATION_CLASS (klass)->shutdown = test_gtk_app_shutdown;
}

static gboolean
close_cb (gpointer data)
{
  GtkApplication *application = data;

  if (g_str_equal (mode, "close-window"))
    {
      say ("app: closing the window");
      gtk_window_close (GTK_WINDOW (window));
    }
  else if (g_str_equal (mode, "quit"))
    {
      say ("app: g_application_quit() with the window up");
      g_application_quit (G_APPLICATION (application));
    }
  else if (g_str_equal (mode, "atexit-quit"))
    {
      say ("app: atexit_application_quit() with the window up");
      atexit_application_quit (G_APPLICATION (application));
    }
  else
    {
      g_error ("unknown mode %s", mode);
    }

  return G_SOURCE_REMOVE;
}

static void
map_cb (GtkWidget *widget,
        gpointer   data)
{
  say ("app: window mapped");
  g_timeout_add_full (G_PRIORITY_DEFAULT, 10, close_cb, g_object_ref (data), g_object_unref);
}

static void
destroy_cb (GtkWidget *widget,
            gpointer   data)
{
  say ("app: window destroyed, cleanup %s",
       plugin_cleanup_finished () ? "finished" : "NOT finished");
  window = NULL;
}

static void
activate_cb (GtkApplication *application,
             gpointer        data)
{
  say ("app: activated");
  plugin_load (journal, plugin_observer, NULL);

  window = gtk_application_window_new (application);
  gtk_window_set_title (GTK_WINDOW (window), "atexit-glib");
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 100);
  g_signal_connect (window, "map", G_CALLBACK (map_cb), application);
  g_signal_connect (window, "destroy", G_CALLBACK (destroy_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

static void
shutdown_cb (GApplication *application,
             gpointer      data)
{
  say_state ("shutdown handler");
}

static void
shutdown_after_cb (GApplication *application,
                   gpointer      data)
{
  say_state ("shutdown after-handler");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) application = NULL;
  char *run_argv[] = { argv[0], NULL };
  int status;

  setlocale (LC_ALL, "");
  if (argc != 3)
    g_error ("usage: gtk-child MODE JOURNAL");
  mode = argv[1];
  journal = argv[2];

  /* No application id: nothing here needs a session bus. */
  application = g_object_new (TEST_TYPE_GTK_APP, "flags", G_APPLICATION_NON_UNIQUE, NULL);
  g_signal_connect (application, "activate", G_CALLBACK (activate_cb), NULL);
  g_signal_connect (application, "shutdown", G_CALLBACK (shutdown_cb), NULL);
  g_signal_connect_after (application, "shutdown", G_CALLBACK (shutdown_after_cb), NULL);

  status = g_application_run (G_APPLICATION (application), 1, run_argv);
  say_state ("main: run returned");
  say ("main: status %d", status);

  return status;
}
