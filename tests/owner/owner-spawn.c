/* owner-spawn.c: running a test's child program, with a deadline of its own
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>
#include <sys/wait.h>

#include "owner-spawn.h"

/* Far longer than any child needs, even under valgrind, far shorter than meson's own
 * timeout: a hung child is reported as such, with what it had written. */
#define CHILD_DEADLINE_S 90

void
child_free (Child *child)
{
  g_free (child->out);
  g_free (child->err);
  g_free (child);
}

char *
child_built_path (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

Child *
child_run_built (const char        *name,
                 const char *const *args,
                 const char *const *env)
{
  g_autofree char *path = child_built_path (name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, path);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return child_run ((const char *const *) argv->pdata, env);
}

typedef struct {
  gboolean  communicated;
  gboolean  waited;
  gboolean  hung;
  char     *out;
  char     *err;
  GError   *error;
} Pending;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Pending *pending = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &pending->out,
                                        &pending->err, &pending->error);
  pending->communicated = TRUE;
}

static void
waited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  Pending *pending = data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  pending->waited = TRUE;
}

static gboolean
deadline_cb (gpointer data)
{
  Pending *pending = data;

  pending->hung = TRUE;
  return G_SOURCE_REMOVE;
}

/* Under the valgrind test setup the children run under valgrind too (VALGRIND_OPTS):
 * its own lines are not the child's. Its errors make the child's exit
 * status 1 (--error-exitcode), which the tests check. */
static char *
without_valgrind (const char *err)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  GString *kept = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      /* "==pid== report" and "--pid-- note" */
      if ((line[0] == '=' || line[0] == '-') && line[1] == line[0] && g_ascii_isdigit (line[2]))
        {
          const char *end = line + 2;

          while (g_ascii_isdigit (*end))
            end++;
          if (end[0] == line[0] && end[1] == line[0])
            continue;
        }
      g_string_append (kept, line);
      if (lines[i + 1] != NULL)
        g_string_append_c (kept, '\n');
    }

  return g_string_free (kept, FALSE);
}

Child *
child_run (const char *const *argv,
           const char *const *env)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strjoinv (" ", (char **) argv);
  g_autofree char *settings = env != NULL ? g_strjoinv (" ", (char **) env) : g_strdup ("");
  Pending pending = { 0 };
  Child *child = g_new0 (Child, 1);

  g_main_context_push_thread_default (context);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_unsetenv (launcher, "ATEXIT_EXIT_ACTION");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');

      if (eq == NULL)
        {
          g_subprocess_launcher_unsetenv (launcher, env[i]);
        }
      else
        {
          g_autofree char *name = g_strndup (env[i], eq - env[i]);

          g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
        }
    }

  g_test_message ("running: %s%s%s", settings, *settings != '\0' ? " " : "", command);
  subprocess = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  deadline = g_timeout_source_new_seconds (CHILD_DEADLINE_S);
  g_source_set_callback (deadline, deadline_cb, &pending, NULL);
  g_source_attach (deadline, context);

  g_subprocess_communicate_utf8_async (subprocess, NULL, NULL, communicated_cb, &pending);
  g_subprocess_wait_async (subprocess, NULL, waited_cb, &pending);
  while (!(pending.communicated && pending.waited) && !pending.hung)
    g_main_context_iteration (context, TRUE);

  if (pending.hung)
    {
      child->hung = TRUE;
      g_subprocess_force_exit (subprocess);
      while (!(pending.communicated && pending.waited))
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (deadline);

  g_assert_no_error (pending.error);
  child->out = pending.out != NULL ? pending.out : g_strdup ("");
  child->err = without_valgrind (pending.err != NULL ? pending.err : "");
  child->exited = g_subprocess_get_if_exited (subprocess);
  if (child->exited)
    child->exit_code = g_subprocess_get_exit_status (subprocess);
  child->signaled = g_subprocess_get_if_signaled (subprocess);
  if (child->signaled)
    child->term_sig = g_subprocess_get_term_sig (subprocess);

  g_test_message ("stdout of %s:\n%s", argv[0], child->out);
  g_test_message ("stderr of %s:\n%s", argv[0], pending.err != NULL ? pending.err : "");
  g_free (pending.err);
  if (child->exited)
    g_test_message ("exit status %d", child->exit_code);
  else if (child->signaled)
    g_test_message ("killed by signal %d (%s)", child->term_sig, g_strsignal (child->term_sig));

  g_main_context_pop_thread_default (context);

  return child;
}

void
child_assert_exited (Child *child,
                     int    code)
{
  if (child->hung)
    g_test_message ("the child did not end within %d s: it was killed", CHILD_DEADLINE_S);
  g_assert_false (child->hung);
  g_assert_false (child->signaled);
  g_assert_true (child->exited);
  g_assert_cmpint (child->exit_code, ==, code);
}

guint
count_lines (const char *text,
             const char *needle)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      n++;

  return n;
}

gssize
line_index (const char *text,
            const char *needle)
{
  const char *found = strstr (text, needle);

  if (found == NULL)
    return -1;
  while (found > text && found[-1] != '\n')
    found--;

  return found - text;
}

char *
find_line (const char *text,
           const char *needle)
{
  gssize start = line_index (text, needle);
  const char *end;

  if (start < 0)
    return NULL;
  end = strchr (text + start, '\n');

  return end != NULL ? g_strndup (text + start, end - (text + start)) : g_strdup (text + start);
}
