/* test-exit.c: cleanups still registered when the process exits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * Each test runs exit-child (or dl-host) as a real child process and reads what it
 * printed: the cleanups' own lines on standard output, the library's report on standard
 * error. A child that hangs is killed at its deadline and fails the test; its exit status
 * is checked, and each cleanup's lines are counted, so that none runs twice.
 */

#include <locale.h>
#include <string.h>

#include "owner-spawn.h"

#define WARNING_PREFIX "Atexit-WARNING **"
#define MESSAGE_PREFIX "Atexit-Message"
#define NEVER_RAN "The program exited with"

static Child *
run_exit_child (const char *const *args,
                const char *const *env)
{
  return child_run_built ("exit-child", args, env);
}

/* Nothing of the two cleanups' own output. */
static void
assert_nothing_ran (Child *child)
{
  g_assert_cmpuint (count_lines (child->out, "sync-cleanup:"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "async-cleanup:"), ==, 0);
}

/* Both ran, each once, the async one to its end, before the process ended. */
static void
assert_both_ran_once (Child *child)
{
  g_assert_cmpuint (count_lines (child->out, "sync-cleanup: ran"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "async-cleanup: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "async-cleanup: done"), ==, 1);
  /* At exit: after main had returned. */
  g_assert_cmpint (line_index (child->out, "main: loop returned"), <,
                   line_index (child->out, "async-cleanup: done"));
}

/* One report, at @prefix's level, naming each of the two cleanups. */
static void
assert_one_report (Child      *child,
                   const char *prefix)
{
  g_autofree char *line = find_line (child->err, NEVER_RAN);

  g_assert_cmpuint (count_lines (child->err, NEVER_RAN), ==, 1);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, prefix));
  g_assert_nonnull (strstr (line, "2 cleanups that never ran"));
  g_assert_nonnull (strstr (line, "“sync-cleanup”"));
  g_assert_nonnull (strstr (line, "“async-cleanup”"));
}

static void
assert_silent (Child *child)
{
  g_assert_cmpstr (child->err, ==, "");
}

/* WARN, the default: one warning naming each cleanup, and none of their code runs. */
static void
test_warn_default (void)
{
  g_autoptr(Child) child = run_exit_child (NULL, NULL);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_one_report (child, WARNING_PREFIX);
}

static void
test_warn_property (void)
{
  const char *args[] = { "--exit-action=warn", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_one_report (child, WARNING_PREFIX);
}

/* RUN: a blocking run at exit; the async cleanup completes, as the context is iterated. */
static void
test_run_property (void)
{
  const char *args[] = { "--exit-action=run", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 0);
  assert_both_ran_once (child);
  assert_silent (child);
}

static void
test_none_property (void)
{
  const char *args[] = { "--exit-action=none", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_silent (child);
}

/* The environment variable overrides the property, whatever it says. */
static void
test_env_run_over_warn (void)
{
  const char *args[] = { "--exit-action=warn", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=run", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  assert_both_ran_once (child);
  assert_silent (child);
}

static void
test_env_none_over_run (void)
{
  const char *args[] = { "--exit-action=run", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=none", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_silent (child);
}

static void
test_env_warn_over_none (void)
{
  const char *args[] = { "--exit-action=none", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=warn", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_one_report (child, WARNING_PREFIX);
}

/* An empty value is no value: the property decides. */
static void
test_env_empty (void)
{
  const char *args[] = { "--exit-action=run", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  assert_both_ran_once (child);
  assert_silent (child);
}

/* A value that is none of the three: a message that says so, then the property's action
 * (the default, WARN, when the program set none). */
static void
test_env_invalid (void)
{
  const char *env[] = { "ATEXIT_EXIT_ACTION=sometimes", NULL };
  g_autoptr(Child) child = run_exit_child (NULL, env);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  g_assert_cmpuint (count_lines (child->err, "ATEXIT_EXIT_ACTION=sometimes is not one of "
                                             "“warn”, “run” or “none”; it is ignored"), ==, 1);
  assert_one_report (child, WARNING_PREFIX);
}

static void
test_env_invalid_keeps_property (void)
{
  const char *args[] = { "--exit-action=run", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=sometimes", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->err, "ATEXIT_EXIT_ACTION=sometimes is not one of"), ==, 1);
  assert_both_ran_once (child);
}

/* Where warnings are fatal, as in every g_test program, the report is a message: the
 * clean exit stays clean. */
static void
test_fatal_always (void)
{
  const char *args[] = { "--fatal=always", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 0);
  assert_nothing_ran (child);
  assert_one_report (child, MESSAGE_PREFIX);
  g_assert_null (strstr (child->err, "WARNING"));
}

static void
test_fatal_domain (void)
{
  const char *args[] = { "--fatal=domain", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 0);
  assert_one_report (child, MESSAGE_PREFIX);
  g_assert_null (strstr (child->err, "WARNING"));
}

/* G_DEBUG=fatal-warnings makes them fatal from the start. */
static void
test_fatal_g_debug (void)
{
  const char *env[] = { "G_DEBUG=fatal-warnings", NULL };
  g_autoptr(Child) child = run_exit_child (NULL, env);

  child_assert_exited (child, 0);
  assert_one_report (child, MESSAGE_PREFIX);
  g_assert_null (strstr (child->err, "WARNING"));
}

/* The invalid value's message, too. */
static void
test_fatal_env_invalid (void)
{
  const char *args[] = { "--fatal=always", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=sometimes", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  line = find_line (child->err, "ATEXIT_EXIT_ACTION=sometimes is not one of");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, MESSAGE_PREFIX));
  assert_one_report (child, MESSAGE_PREFIX);
}

/* And the error of a run at exit whose cleanup failed. */
static void
test_fatal_run_fails (void)
{
  const char *args[] = { "--fatal=always", "--exit-action=run", "--scenario=fail", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "failing-cleanup: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "sync-cleanup: ran"), ==, 1);
  line = find_line (child->err, "The run at exit did not succeed");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, MESSAGE_PREFIX));
  g_assert_nonnull (strstr (line, "“failing-cleanup” failed: the peer went away"));
  g_assert_null (strstr (child->err, "WARNING"));
}

/* A real g_test program (g_test_init(), g_test_run()) whose test leaves cleanups behind. */
static void
test_fatal_gtest_program (void)
{
  const char *args[] = { "--scenario=gtest", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *all = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "ok 1 /owner/exit/registers-and-returns"), ==, 1);
  assert_nothing_ran (child);
  assert_one_report (child, MESSAGE_PREFIX);
  all = g_strconcat (child->out, child->err, NULL);
  g_assert_null (strstr (all, "WARNING"));
  g_assert_null (strstr (all, "not ok"));
}

/* The same g_test program with RUN: the cleanups run after g_test_run() returned. */
static void
test_fatal_gtest_program_run (void)
{
  const char *args[] = { "--scenario=gtest", NULL };
  const char *env[] = { "ATEXIT_EXIT_ACTION=run", NULL };
  g_autoptr(Child) child = run_exit_child (args, env);

  child_assert_exited (child, 0);
  assert_both_ran_once (child);
  assert_silent (child);
}

/* An unnamed cleanup is reported too, by its id (its function is not exported). */
static void
test_warn_unnamed (void)
{
  const char *args[] = { "--scenario=unnamed", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "unnamed-cleanup: ran"), ==, 0);
  line = find_line (child->err, NEVER_RAN);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "1 cleanup that never ran: “cleanup #"));
}

/* exit() from a cleanup of a normal run: the run cannot go on, and what it had not
 * started yet (the rest of the group, the next group) is named, whatever the action. */
static void
check_exit_in_cleanup (const char *action)
{
  g_autofree char *arg = g_strdup_printf ("--exit-action=%s", action);
  const char *args[] = { "--scenario=exit-in-cleanup", arg, NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "exiting-cleanup: ran"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "before-exit: ran"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "late-cleanup: ran"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "main:"), ==, 0);
  line = find_line (child->err, NEVER_RAN);
  g_assert_nonnull (line);
  g_assert_cmpuint (count_lines (child->err, NEVER_RAN), ==, 1);
  g_assert_nonnull (strstr (line, WARNING_PREFIX));
  g_assert_nonnull (strstr (line, "2 cleanups that never ran"));
  g_assert_nonnull (strstr (line, "“before-exit”"));
  g_assert_nonnull (strstr (line, "“late-cleanup”"));
  g_assert_null (strstr (line, "“exiting-cleanup”"));
  if (g_str_equal (action, "run"))
    g_assert_nonnull (strstr (line, "(exit() was called during a run)"));
}

static void
test_exit_in_cleanup_warn (void)
{
  check_exit_in_cleanup ("warn");
}

static void
test_exit_in_cleanup_run (void)
{
  check_exit_in_cleanup ("run");
}

/* exit() from another thread while the main thread owns and iterates the context: a run
 * cannot take the context, so RUN reports instead, and nothing waits for the loop. */
static void
check_exit_from_thread (const char *action)
{
  g_autofree char *arg = g_strdup_printf ("--exit-action=%s", action);
  const char *args[] = { "--scenario=exit-from-thread", arg, NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "thread: calling exit(0)"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "main: loop returned"), ==, 0);
  assert_nothing_ran (child);
  assert_one_report (child, WARNING_PREFIX);
  line = find_line (child->err, NEVER_RAN);
  if (g_str_equal (action, "run"))
    g_assert_nonnull (strstr (line, "(another thread owns the main context at exit)"));
}

static void
test_exit_from_thread_warn (void)
{
  check_exit_from_thread ("warn");
}

static void
test_exit_from_thread_run (void)
{
  check_exit_from_thread ("run");
}

/* A cleanup that the run at exit calls, calling exit() itself: no hang, no crash, no
 * cleanup twice; the second exit() ends the process with its own status. */
static void
test_exit_twice (void)
{
  const char *args[] = { "--scenario=exit-twice", "--exit-action=run", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);

  child_assert_exited (child, 7);
  g_assert_cmpuint (count_lines (child->out, "main: loop returned"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "exiting-cleanup: ran"), ==, 1);
  /* Started before it, last registered first, and never finished. */
  g_assert_cmpuint (count_lines (child->out, "async-cleanup: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "async-cleanup: done"), ==, 0);
  g_assert_cmpuint (count_lines (child->out, "low-cleanup: ran"), ==, 0);
}

/* A cleanup that never completes, run at exit: its deadline ends the run, which is
 * reported, and the cleanups of the next group still run. */
static void
test_stuck_at_exit (void)
{
  const char *args[] = { "--scenario=stuck", "--exit-action=run", "--timeout=100", NULL };
  g_autoptr(Child) child = run_exit_child (args, NULL);
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "stuck-cleanup: started"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "sync-cleanup: ran"), ==, 1);
  g_assert_cmpint (line_index (child->out, "stuck-cleanup: started"), <,
                   line_index (child->out, "sync-cleanup: ran"));
  line = find_line (child->err, "The run at exit did not succeed");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, WARNING_PREFIX));
  g_assert_nonnull (strstr (line, "“stuck-cleanup” did not finish within its deadline of 100 ms"));
}

/* The library stays loaded once loaded: a module that linked it is unloaded, and its exit
 * handler and its ::shutdown emission hook are still there afterwards. */
static Child *
run_dl_host (const char *mode)
{
  g_autofree char *host = child_built_path ("dl-host");
  g_autofree char *module = child_built_path ("owner-dl-module.so");
  const char *argv[] = { host, module, mode, NULL };

  return child_run (argv, NULL);
}

/* The module leaves its cleanup registered: the warning at exit names it (no code of
 * the unloaded module is called). */
static void
test_dlclose_exit_handler (void)
{
  g_autoptr(Child) child = run_dl_host ("leave");
  g_autofree char *line = NULL;

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "host: library still loaded after dlclose"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "host: returning"), ==, 1);
  line = find_line (child->err, NEVER_RAN);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "“dl-module-cleanup”"));
  g_assert_cmpuint (count_lines (child->out, "dl-module-cleanup: ran"), ==, 0);
}

/* The module removes its cleanup before it is unloaded; then a GApplication shuts down,
 * which calls the library's emission hook. */
static void
test_dlclose_emission_hook (void)
{
  g_autoptr(Child) child = run_dl_host ("remove");

  child_assert_exited (child, 0);
  g_assert_cmpuint (count_lines (child->out, "host: library still loaded after dlclose"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "host: application shut down"), ==, 1);
  g_assert_cmpuint (count_lines (child->out, "host: returning"), ==, 1);
  g_assert_cmpstr (child->err, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/owner/exit/warn/default", test_warn_default);
  g_test_add_func ("/owner/exit/warn/property", test_warn_property);
  g_test_add_func ("/owner/exit/warn/unnamed-by-id", test_warn_unnamed);
  g_test_add_func ("/owner/exit/run/property", test_run_property);
  g_test_add_func ("/owner/exit/none/property", test_none_property);
  g_test_add_func ("/owner/exit/env/run-over-warn", test_env_run_over_warn);
  g_test_add_func ("/owner/exit/env/none-over-run", test_env_none_over_run);
  g_test_add_func ("/owner/exit/env/warn-over-none", test_env_warn_over_none);
  g_test_add_func ("/owner/exit/env/empty-is-unset", test_env_empty);
  g_test_add_func ("/owner/exit/env/invalid-says-so-default-warn", test_env_invalid);
  g_test_add_func ("/owner/exit/env/invalid-keeps-property", test_env_invalid_keeps_property);
  g_test_add_func ("/owner/exit/fatal-warnings/always/message", test_fatal_always);
  g_test_add_func ("/owner/exit/fatal-warnings/domain/message", test_fatal_domain);
  g_test_add_func ("/owner/exit/fatal-warnings/g-debug/message", test_fatal_g_debug);
  g_test_add_func ("/owner/exit/fatal-warnings/invalid-env/message", test_fatal_env_invalid);
  g_test_add_func ("/owner/exit/fatal-warnings/run-fails/message", test_fatal_run_fails);
  g_test_add_func ("/owner/exit/fatal-warnings/gtest-program/message", test_fatal_gtest_program);
  g_test_add_func ("/owner/exit/fatal-warnings/gtest-program/run", test_fatal_gtest_program_run);
  g_test_add_func ("/owner/exit/exit-in-cleanup/warn/names-the-rest", test_exit_in_cleanup_warn);
  g_test_add_func ("/owner/exit/exit-in-cleanup/run/names-the-rest", test_exit_in_cleanup_run);
  g_test_add_func ("/owner/exit/exit-from-thread/warn", test_exit_from_thread_warn);
  g_test_add_func ("/owner/exit/exit-from-thread/run/no-hang-warns", test_exit_from_thread_run);
  g_test_add_func ("/owner/exit/exit-twice/no-hang-no-rerun", test_exit_twice);
  g_test_add_func ("/owner/exit/run/stuck-bounded-by-deadline", test_stuck_at_exit);
  g_test_add_func ("/owner/exit/dlclose/exit-handler-stays", test_dlclose_exit_handler);
  g_test_add_func ("/owner/exit/dlclose/emission-hook-stays", test_dlclose_emission_hook);

  return g_test_run ();
}
