/* test-application.c: a GApplication runs its plugins' cleanups as it shuts down, with no
 * call from the host
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * app-child is a real GApplication run by g_application_run(); its plugin registers an
 * async cleanup that completes a buffered journal on disk. For each way of quitting, the
 * journal is complete when the process has exited, and the application's own ::shutdown
 * handlers and class handler see the cleanup already finished.
 */

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "owner-spawn.h"
#include "plugin.h"

#define STATE_DONE ": cleanup finished, journal complete"

static Child *
check_mode (const char *mode)
{
  g_autofree char *dir = g_dir_make_tmp ("atexit-owner-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "journal.txt", NULL);
  g_autofree char *path = child_built_path ("app-child");
  const char *argv[] = { path, mode, journal, NULL };
  g_autoptr(Child) child = NULL;
  g_autofree char *contents = NULL;
  gssize closed, before, after, klass;

  g_assert_nonnull (dir);
  child = child_run (argv, NULL);

  child_assert_exited (child, 0);
  if (!g_str_equal (mode, "quit-with-failure"))
    g_assert_cmpstr (child->err, ==, "");
  g_assert_cmpuint (count_lines (child->out, "plugin: loaded"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "plugin: about-to-close"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "plugin-journal: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "plugin-journal: closed"), ==, 1);

  /* Each of the application's own shutdown handlers, once, after the cleanup. */
  g_assert_cmpuint (count_lines (child->out, "shutdown handler:"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "shutdown handler" STATE_DONE), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "shutdown after-handler:"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "shutdown after-handler" STATE_DONE), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "class shutdown:"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "class shutdown" STATE_DONE), ==, 1);
  closed = line_index (child->out, "plugin-journal: closed");
  before = line_index (child->out, "shutdown handler:");
  after = line_index (child->out, "shutdown after-handler:");
  klass = line_index (child->out, "class shutdown:");
  /* ::shutdown is G_SIGNAL_RUN_LAST: emission hook, handlers, class handler, handlers
   * connected after. */
  g_assert_cmpint (closed, <, before);
  g_assert_cmpint (before, <, klass);
  g_assert_cmpint (klass, <, after);
  g_assert_cmpuint (count_lines (child->out, "main: status 0"), ==, 1);

  g_assert_true (g_file_get_contents (journal, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, PLUGIN_JOURNAL_CONTENTS);

  g_remove (journal);
  g_rmdir (dir);

  return g_steal_pointer (&child);
}

static void
test_quit (void)
{
  child_free (check_mode ("quit"));
}

static void
test_release (void)
{
  child_free (check_mode ("release"));
}

static void
test_activate_only (void)
{
  child_free (check_mode ("activate-only"));
}

/* atexit_application_quit() runs the cleanups while the application is up, then quits:
 * the emission hook then has nothing to do. about-to-close once, the cleanup once. */
static void
test_atexit_quit (void)
{
  child_free (check_mode ("atexit-quit"));
}

/* And when the application is quit while that run is in progress, ::shutdown comes
 * during the run: the hook waits for it instead of starting another. */
static void
test_atexit_quit_then_quit (void)
{
  child_free (check_mode ("atexit-quit-then-quit"));
}

/* A cleanup that fails: the others still run, and nobody but the log can be told, in one
 * warning that names it. */
static void
test_quit_with_failure (void)
{
  g_autoptr(Child) child = check_mode ("quit-with-failure");
  g_autofree char *line = NULL;

  g_assert_cmpuint (count_lines (child->out, "failing-plugin: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->err, "Atexit-WARNING"), ==, 1);
  line = find_line (child->err, "Atexit-WARNING");
  g_assert_nonnull (strstr (line, "Shutdown: "));
  g_assert_nonnull (strstr (line, "“failing-plugin” failed: the server hung up"));
  g_assert_null (strstr (line, "plugin-journal"));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/owner/application/g-application-quit/cleanup-before-shutdown", test_quit);
  g_test_add_func ("/owner/application/last-hold-released/cleanup-before-shutdown",
                   test_release);
  g_test_add_func ("/owner/application/never-held/cleanup-before-shutdown", test_activate_only);
  g_test_add_func ("/owner/application/g-application-quit/failure-is-one-warning",
                   test_quit_with_failure);
  g_test_add_func ("/owner/application/atexit-quit/no-double-shutdown", test_atexit_quit);
  g_test_add_func ("/owner/application/atexit-quit-then-quit/no-double-shutdown",
                   test_atexit_quit_then_quit);

  return g_test_run ();
}
