/* owner-spawn.h: running a test's child program, with a deadline of its own
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * The programs of this folder are run as real child processes through GSubprocess; their
 * standard output and error are read whole. A child that does not end before its deadline
 * is killed and fails the test: a test here never hangs.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  gboolean exited;      /* it called exit() or returned from main */
  int      exit_code;   /* when exited */
  gboolean signaled;    /* a signal ended it */
  int      term_sig;    /* when signaled */
  gboolean hung;        /* it was killed at its deadline */
  char    *out;         /* its standard output, never NULL */
  char    *err;         /* its standard error, never NULL */
} Child;

void      child_free           (Child             *child);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Child, child_free)

/* Runs @argv (argv[0] a path) with the environment of this process changed by @env:
 * "NAME=value" sets NAME, "NAME" alone unsets it. The child's locale is C.UTF-8, so
 * that its messages are not translated, and ATEXIT_EXIT_ACTION is unset unless @env
 * sets it. Logs what the child wrote as test messages. */
Child    *child_run            (const char *const *argv,
                                const char *const *env);

/* The path of a program built beside this test. */
char     *child_built_path     (const char        *name);

/* child_run() of the program @name built beside this test, with @args (NULL-terminated,
 * or NULL for none) after it. */
Child    *child_run_built      (const char        *name,
                                const char *const *args,
                                const char *const *env);

/* Asserts that @child exited with @code, neither killed nor hung. */
void      child_assert_exited  (Child             *child,
                                int                code);

/* How many lines of @text contain @needle. */
guint     count_lines          (const char        *text,
                                const char        *needle);
/* Where the first line of @text containing @needle starts; -1 if none does. */
gssize    line_index           (const char        *text,
                                const char        *needle);

/* The line of @text containing @needle, or NULL (free with g_free). */
char     *find_line            (const char        *text,
                                const char        *needle);

G_END_DECLS
