/* app-child.c: a GApplication that never calls the library, and a plugin that does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 *   app-child MODE JOURNAL
 *
 * The application loads the plugin (plugin.c) when it activates; the plugin registers an
 * async cleanup that writes and closes a buffered journal. Then the application quits in
 * one of these ways (MODE):
 *
 *   quit                   g_application_quit()
 *   release                its last hold released, with an inactivity timeout of 0
 *   activate-only          never held: it quits as soon as it has activated
 *   atexit-quit            atexit_application_quit(), the library's graceful quit
 *   atexit-quit-then-quit  atexit_application_quit(), then g_application_quit() at once
 *   quit-with-failure      g_application_quit(), and a second cleanup that fails
 *
 * Its ::shutdown handlers (one connected with g_signal_connect(), one with
 * g_signal_connect_after()) and its class's shutdown (the class handler, where GTK tears
 * its windows down) each say whether the plugin's cleanup had finished and the journal
 * was complete on disk.
 */

#include <locale.h>
#include <stdio.h>

#include <atexit-glib.h>

#include "plugin.h"

static const char *mode;
static const char *journal;

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

static void
say_state (const char *who)
{
  say ("%s: cleanup %s, journal %s", who,
       plugin_cleanup_finished () ? "finished" : "NOT finished",
       plugin_journal_complete () ? "complete" : "INCOMPLETE");
}

/* An application class of its own, as most applications have, to see its class handler. */

#define TEST_TYPE_APP (test_app_get_type ())
G_DECLARE_FINAL_TYPE (TestApp, test_app, TEST, APP, GApplication)

struct _TestApp {
  GApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TestApp, test_app, G_TYPE_APPLICATION)

static void
test_app_shutdown (GApplication *application)
{
  say_state ("class shutdown");
  G_APPLICATION_CLASS (test_app_parent_class)->shutdown (application);
}

static void
test_app_init (TestApp *self)
{
}

static void
test_app_class_init (TestAppClass *klass)
{
  G_APPLICATION_CLASS (klass)->shutdown = test_app_shutdown;
}

static gboolean
quit_cb (gpointer data)
{
  GApplication *application = data;

  say ("app: quitting (%s)", mode);
  if (g_str_equal (mode, "quit") || g_str_equal (mode, "quit-with-failure"))
    {
      g_application_quit (application);
    }
  else if (g_str_equal (mode, "release"))
    {
      g_application_release (application);
    }
  else if (g_str_equal (mode, "atexit-quit"))
    {
      atexit_application_quit (application);
    }
  else if (g_str_equal (mode, "atexit-quit-then-quit"))
    {
      atexit_application_quit (application);
      g_application_quit (application);
    }
  else
    {
      g_error ("unknown mode %s", mode);
    }

  return G_SOURCE_REMOVE;
}

/* Another plugin's cleanup, which fails. */
static void
failing_cleanup (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             data)
{
  say ("failing-plugin: started");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "the server hung up");
  g_object_unref (task);
}

static void
activate_cb (GApplication *application,
             gpointer      data)
{
  say ("app: activated");
  plugin_load (journal, NULL, NULL);
  if (g_str_equal (mode, "quit-with-failure"))
    atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (), "failing-plugin",
                                          G_PRIORITY_DEFAULT, failing_cleanup, NULL, NULL);

  if (g_str_equal (mode, "activate-only"))
    return;

  g_application_hold (application);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, quit_cb, g_object_ref (application), g_object_unref);
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
  g_autoptr(GApplication) application = NULL;
  char *run_argv[] = { argv[0], NULL };
  int status;

  setlocale (LC_ALL, "");
  if (argc != 3)
    g_error ("usage: app-child MODE JOURNAL");
  mode = argv[1];
  journal = argv[2];

  /* No application id: nothing here needs a session bus. */
  application = g_object_new (TEST_TYPE_APP, "flags", G_APPLICATION_NON_UNIQUE, NULL);
  g_application_set_inactivity_timeout (application, 0);
  g_signal_connect (application, "activate", G_CALLBACK (activate_cb), NULL);
  g_signal_connect (application, "shutdown", G_CALLBACK (shutdown_cb), NULL);
  g_signal_connect_after (application, "shutdown", G_CALLBACK (shutdown_after_cb), NULL);

  status = g_application_run (application, 1, run_argv);
  say_state ("main: run returned");
  say ("main: status %d", status);

  return status;
}
