/* test-gtk.c: a GtkApplication under Xvfb runs its plugin's cleanup as it quits, with no
 * call from the host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * gtk-child runs under `xvfb-run -a`. Where GTK 4 or xvfb-run is missing, the build says
 * so (OWNER_GTK_CHILD or OWNER_XVFB_RUN empty) and every test is skipped, naming what is
 * missing.
 */

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "owner-spawn.h"
#include "plugin.h"

static gboolean
skip_without_gtk (void)
{
  const char *child = g_getenv ("OWNER_GTK_CHILD");
  const char *xvfb_run = g_getenv ("OWNER_XVFB_RUN");

  if (child == NULL || *child == '\0')
    {
      g_test_skip ("GTK 4 was not found at configure time (Debian: libgtk-4-dev)");
      return TRUE;
    }
  if (xvfb_run == NULL || *xvfb_run == '\0')
    {
      g_test_skip ("xvfb-run was not found at configure time (Debian: xvfb, xauth)");
      return TRUE;
    }
  return FALSE;
}

static Child *
run_gtk_child (const char *mode,
               const char *journal)
{
  const char *argv[] = {
    g_getenv ("OWNER_XVFB_RUN"), "-a", "-s", "-screen 0 640x480x24 -nolisten tcp",
    g_getenv ("OWNER_GTK_CHILD"), mode, journal, NULL
  };
  /* In an AddressSanitizer build, LeakSanitizer would report what fontconfig and GTK's
   * modules keep until exit, which is not ours to fix: leaks are not checked in this
   * child (memory errors still are). */
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *asan_options =
    g_strdup_printf ("ASAN_OPTIONS=%s%sdetect_leaks=0", asan != NULL ? asan : "",
                     asan != NULL && *asan != '\0' ? ":" : "");
  /* X11 with software rendering, no accessibility bus, no session bus. */
  const char *env[] = {
    "GDK_BACKEND=x11", "GSK_RENDERER=cairo", "GTK_A11Y=none", "NO_AT_BRIDGE=1",
    "WAYLAND_DISPLAY", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", asan_options, NULL
  };

  return child_run (argv, env);
}

typedef struct {
  char  *dir;
  char  *journal;
  Child *child;
} Run;

static void
run_mode (Run        *run,
          const char *mode)
{
  g_autofree char *contents = NULL;

  run->dir = g_dir_make_tmp ("atexit-owner-gtk-XXXXXX", NULL);
  g_assert_nonnull (run->dir);
  run->journal = g_build_filename (run->dir, "journal.txt", NULL);
  run->child = run_gtk_child (mode, run->journal);

  child_assert_exited (run->child, 0);
  g_assert_null (strstr (run->child->err, "Atexit"));
  g_assert_cmpuint (count_lines (run->child->out, "app: window mapped"), ==, 1);
  g_assert_cmpuint (count_lines (run->child->out, "plugin: about-to-close"), ==, 1);
  g_assert_cmpuint (count_lines (run->child->out, "plugin-journal: started"), ==, 1);
  g_assert_cmpuint (count_lines (run->child->out, "plugin-journal: closed"), ==, 1);

  /* Finished before the application's handlers, GTK's class handler and the end. */
  g_assert_cmpuint (count_lines (run->child->out, "shutdown handler: cleanup finished, "
                                                  "journal complete"), ==, 1);
  g_assert_cmpuint (count_lines (run->child->out, "class shutdown, before GTK's: cleanup "
                                                  "finished, journal complete"), ==, 1);
  g_assert_cmpuint (count_lines (run->child->out, "shutdown after-handler: cleanup finished, "
                                                  "journal complete"), ==, 1);
  g_assert_cmpint (line_index (run->child->out, "plugin-journal: closed"), <,
                   line_index (run->child->out, "shutdown handler:"));
  g_assert_cmpuint (count_lines (run->child->out, "main: status 0"), ==, 1);

  g_assert_true (g_file_get_contents (run->journal, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, PLUGIN_JOURNAL_CONTENTS);
}

static void
run_clear (Run *run)
{
  if (run->journal != NULL)
    g_remove (run->journal);
  if (run->dir != NULL)
    g_rmdir (run->dir);
  g_free (run->journal);
  g_free (run->dir);
  g_clear_pointer (&run->child, child_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* The last window closed: GTK destroys it, which releases the application's last hold;
 * ::shutdown, and with it the cleanup, comes after, once the loop has stopped. The
 * window cannot outlive its own close: the cleanup sees it destroyed. */
static void
test_last_window_closed (void)
{
  g_auto(Run) run = { 0 };

  if (skip_without_gtk ())
    return;

  run_mode (&run, "close-window");
  g_assert_cmpuint (count_lines (run.child->out, "app: closing the window"), ==, 1);
  g_assert_cmpuint (count_lines (run.child->out, "app: window destroyed, cleanup NOT finished"),
                    ==, 1);
  g_assert_cmpuint (count_lines (run.child->out, "plugin-journal started: window destroyed"),
                    ==, 1);
}

/* g_application_quit() with the window up: the cleanup runs, and finishes, while the
 * window is still there, mapped; GTK's class handler comes after. */
static void
test_quit_with_window (void)
{
  g_auto(Run) run = { 0 };
  const char *out;

  if (skip_without_gtk ())
    return;

  run_mode (&run, "quit");
  out = run.child->out;
  g_assert_cmpuint (count_lines (out, "app: g_application_quit() with the window up"), ==, 1);
  g_assert_cmpuint (count_lines (out, "plugin-journal started: window mapped"), ==, 1);
  g_assert_cmpuint (count_lines (out, "plugin-journal finished: window mapped"), ==, 1);
  g_assert_cmpuint (count_lines (out, "shutdown handler: cleanup finished, journal complete, "
                                      "window mapped"), ==, 1);
  g_assert_cmpint (line_index (out, "plugin-journal finished"), <,
                   line_index (out, "class shutdown, before GTK's"));
  if (line_index (out, "app: window destroyed") >= 0)
    g_assert_cmpint (line_index (out, "plugin-journal finished"), <,
                     line_index (out, "app: window destroyed"));
}

/* atexit_application_quit(): the cleanup runs while the application is fully up, before
 * ::shutdown, and the window is there the whole time. */
static void
test_atexit_quit (void)
{
  g_auto(Run) run = { 0 };
  const char *out;

  if (skip_without_gtk ())
    return;

  run_mode (&run, "atexit-quit");
  out = run.child->out;
  g_assert_cmpuint (count_lines (out, "app: atexit_application_quit() with the window up"), ==, 1);
  g_assert_cmpuint (count_lines (out, "plugin-journal started: window mapped"), ==, 1);
  g_assert_cmpuint (count_lines (out, "plugin-journal finished: window mapped"), ==, 1);
  g_assert_cmpuint (count_lines (out, "shutdown handler: cleanup finished, journal complete, "
                                      "window mapped"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/owner/gtk/last-window-closed/cleanup-before-exit", test_last_window_closed);
  g_test_add_func ("/owner/gtk/quit/cleanup-with-window-up", test_quit_with_window);
  g_test_add_func ("/owner/gtk/atexit-quit/cleanup-with-window-up", test_atexit_quit);

  return g_test_run ();
}
