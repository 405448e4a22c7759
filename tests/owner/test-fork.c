/* test-fork.c: a child forked without exec never runs, warns about or closes its
 * parent's cleanups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * fork-child prints, for each cleanup and destroy notify, which process called it; the
 * parent's and the child's output share one pipe (unbuffered), and the library's reports
 * of both go to standard error.
 */

#include <locale.h>
#include <string.h>

#include "owner-spawn.h"

static Child *
run_fork_child (const char *const *args,
                const char *const *env)
{
  return child_run_built ("fork-child", args, env);
}

/* The child: nothing of the parent's cleanups, neither run, nor destroyed, nor named.
 * The parent: each of them, once. */
static void
assert_parent_kept_its_own (Child *child)
{
  g_assert_cmpuint (count_lines (child->out, "parent-sync: ran in child"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "parent-sync: destroyed in child"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "parent-async: started in child"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "parent-async: destroyed in child"), ==, 0);
  g_assert_null (strstr (child->err, "parent-sync"));
  g_assert_null (strstr (child->err, "parent-async"));

  g_assert_cmpuint (count_lines (child->out, "parent: the child exited with status 0"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "parent-sync: ran in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "parent-sync: destroyed in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "parent-async: started in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "parent-async: done in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "parent-async: destroyed in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "main: returning in parent"), ==, 1);
}

/* The child exits at once, with nothing of its own: silence. */
static void
test_child_exits (void)
{
  const char *args[] = { "--child=exit", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

/* With RUN at exit (in both processes): the child still runs none of the parent's. */
static void
test_child_exits_run (void)
{
  const char *args[] = { "--child=exit", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=run", NULL };
  g_autoptr(Child) child = run_fork_child (args, env);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

/* What the child registers after the fork is its own: warned about at its exit... */
static void
test_child_registers_warn (void)
{
  const char *args[] = { "--child=exit", "--child-registers", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  line = find_line (child->err, "The program exited with");
  g_assert_nonnull (line);
  g_assert_cmpuint (count_lines (child->err, "The program exited with"), ==, 1);
  g_assert_nonnull (strstr (line, "1 cleanup that never ran: “child-cleanup”"));
}

/* ... run at its exit with RUN... */
static void
test_child_registers_run (void)
{
  const char *args[] = { "--child=exit", "--child-registers", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=run", NULL };
  g_autoptr(Child) child = run_fork_child (args, env);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpuint (count_lines (child->out, "child-cleanup: ran in child"), ==, 1);
  g_assert_cmpstr (child->err, ==, "");
}

/* ... and run by a run of the child's. */
static void
test_child_registers_blocking_run (void)
{
  const char *args[] = { "--child=run", "--child-registers", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpuint (count_lines (child->out, "child-cleanup: ran in child"), ==, 1);
  g_assert_cmpstr (child->err, ==, "");
}

static void
test_child_registers_loop_quit (void)
{
  const char *args[] = { "--child=loop-quit", "--child-registers", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpuint (count_lines (child->out, "child-cleanup: ran in child"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "main: returning in child"), ==, 1);
  g_assert_cmpstr (child->err, ==, "");
}

/* A child that goes on with its parent's loop and quits it through the finalizer, never
 * having registered anything. */
static void
test_child_loop_quit (void)
{
  const char *args[] = { "--child=loop-quit", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "main: returning in child"), ==, 1);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

static void
test_child_blocking_run (void)
{
  const char *args[] = { "--child=run", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

/* The parent forks from one of its cleanups, while its run is in progress, and the child
 * exits: the parent's run goes on in the parent only. */
static void
test_fork_from_cleanup (void)
{
  const char *args[] = { "--fork-from=cleanup", "--child=exit", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "parent-forking: ran in parent"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "child: calling exit(0) in child"), ==, 1);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

static void
test_fork_from_cleanup_run (void)
{
  const char *args[] = { "--fork-from=cleanup", "--child=exit", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=run", NULL };
  g_autoptr(Child) child = run_fork_child (args, env);

  child_assert_exited (child, 0);
  assert_parent_kept_its_own (child);
  g_assert_cmpstr (child->err, ==, "");
}

/* Another thread registers and removes cleanups all the time while the main thread
 * forks children that call exit() at once: no child inherits a finalizer's lock held by
 * a thread it does not have, so none hangs in its exit handler. */
static void
test_fork_while_adding (void)
{
  const char *args[] = { "--scenario=fork-while-adding", NULL };
  g_autoptr(Child) child = run_fork_child (args, NULL);

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "fork-while-adding: 0 hung"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* In a sanitized build: LeakSanitizer's check at exit takes its allocator's locks,
   * which a child forked while another thread of its parent allocates (GIO's workers,
   * or the test's own) inherits held. That hang is the sanitizer's, not the library's:
   * the forked programs of these tests go without the leak check. */
  g_setenv ("ASAN_OPTIONS", "detect_leaks=0", TRUE);

  g_test_add_func ("/owner/fork/child-exits/silent", test_child_exits);
  g_test_add_func ("/owner/fork/child-exits/run-action/runs-none-of-the-parents",
                   test_child_exits_run);
  g_test_add_func ("/owner/fork/child-registers/warns-its-own", test_child_registers_warn);
  g_test_add_func ("/owner/fork/child-registers/run-action/runs-its-own",
                   test_child_registers_run);
  g_test_add_func ("/owner/fork/child-registers/blocking-run/runs-its-own",
                   test_child_registers_blocking_run);
  g_test_add_func ("/owner/fork/child-registers/quit-loop/runs-its-own",
                   test_child_registers_loop_quit);
  g_test_add_func ("/owner/fork/child-quit-loop/runs-none-of-the-parents", test_child_loop_quit);
  g_test_add_func ("/owner/fork/child-blocking-run/runs-none-of-the-parents",
                   test_child_blocking_run);
  g_test_add_func ("/owner/fork/from-cleanup/child-exits", test_fork_from_cleanup);
  g_test_add_func ("/owner/fork/from-cleanup/child-exits/run-action",
                   test_fork_from_cleanup_run);
  g_test_add_func ("/owner/fork/while-another-thread-adds/child-exits",
                   test_fork_while_adding);

  return g_test_run ();
}
