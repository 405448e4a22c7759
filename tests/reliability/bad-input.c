/* bad-input.c: every public function given NULL, wrong-typed or stale arguments
 * logs one critical and returns harmlessly
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each case runs in a subprocess of its own, where criticals are not fatal, so that
 * its return can be checked: the subprocess must pass, having logged exactly one
 * critical (matching the case's pattern, where it has one) and no warning.
 */

#include <stdio.h>

#include "test-util.h"

/* What the criticals say. */
#define NOT_A_FINALIZER "*CRITICAL*ATEXIT_IS_LOOP_FINALIZER (self)*"
#define NO_FUNC         "*CRITICAL*func != NULL*"

static int destroyed;

static void noop (gpointer data) { }

static void
noop_async (AtexitLoopFinalizer *self,
            GTask               *task,
            gpointer             data)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
count_destroy (gpointer data)
{
  destroyed++;
}

/* Not a finalizer, but a live object of another type. */
static AtexitLoopFinalizer *
wrong_type (void)
{
  static GObject *other;

  if (other == NULL)
    other = G_OBJECT (g_cancellable_new ());
  return (AtexitLoopFinalizer *) other;
}

static AtexitLoopFinalizer *
live (void)
{
  return atexit_loop_finalizer_get_default ();
}

/* A finalizer whose context has been destroyed, kept alive by a reference. */
static AtexitLoopFinalizer *
stale (void)
{
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *self = g_object_ref (atexit_loop_finalizer_get_for_context (context));

  g_main_context_unref (context);
  g_assert_null (atexit_loop_finalizer_get_context (self));
  return self;
}

typedef gboolean (*Case) (void);

static gboolean
c_get_context_null (void)
{
  return atexit_loop_finalizer_get_context (NULL) == NULL;
}
static gboolean
c_get_context_type (void)
{
  return atexit_loop_finalizer_get_context (wrong_type ()) == NULL;
}
static gboolean
c_get_timeout_null (void)
{
  return atexit_loop_finalizer_get_timeout (NULL) == 0;
}
static gboolean
c_get_timeout_type (void)
{
  return atexit_loop_finalizer_get_timeout (wrong_type ()) == 0;
}
static gboolean
c_set_timeout_null (void)
{
  atexit_loop_finalizer_set_timeout (NULL, 5);
  return TRUE;
}
static gboolean
c_set_timeout_type (void)
{
  atexit_loop_finalizer_set_timeout (wrong_type (), 5);
  return TRUE;
}
static gboolean
c_get_pending_null (void)
{
  return atexit_loop_finalizer_get_pending (NULL) == 0;
}
static gboolean
c_get_pending_type (void)
{
  return atexit_loop_finalizer_get_pending (wrong_type ()) == 0;
}
static gboolean
c_get_running_null (void)
{
  return !atexit_loop_finalizer_get_running (NULL);
}
static gboolean
c_get_running_type (void)
{
  return !atexit_loop_finalizer_get_running (wrong_type ());
}

static gboolean
c_add_null (void)
{
  return atexit_loop_finalizer_add (NULL, noop, NULL, NULL) == 0;
}
static gboolean
c_add_type (void)
{
  return atexit_loop_finalizer_add (wrong_type (), noop, NULL, NULL) == 0;
}
static gboolean
c_add_no_func (void)
{
  return atexit_loop_finalizer_add (live (), NULL, NULL, NULL) == 0 &&
         atexit_loop_finalizer_get_pending (live ()) == 0;
}
static gboolean
c_add_async_null (void)
{
  return atexit_loop_finalizer_add_async (NULL, noop_async, NULL, NULL) == 0;
}
static gboolean
c_add_async_type (void)
{
  return atexit_loop_finalizer_add_async (wrong_type (), noop_async, NULL, NULL) == 0;
}
static gboolean
c_add_async_no_func (void)
{
  return atexit_loop_finalizer_add_async (live (), NULL, NULL, NULL) == 0 &&
         atexit_loop_finalizer_get_pending (live ()) == 0;
}
static gboolean
c_add_async_full_null (void)
{
  return atexit_loop_finalizer_add_async_full (NULL, "x", 0, noop_async, NULL, NULL) == 0;
}
static gboolean
c_add_async_full_type (void)
{
  return atexit_loop_finalizer_add_async_full (wrong_type (), "x", 0, noop_async, NULL, NULL) == 0;
}
static gboolean
c_add_async_full_no_func (void)
{
  return atexit_loop_finalizer_add_async_full (live (), "x", 0, NULL, NULL, NULL) == 0 &&
         atexit_loop_finalizer_get_pending (live ()) == 0;
}
static gboolean
c_add_full_null (void)
{
  return atexit_loop_finalizer_add_full (NULL, "x", 0, noop, NULL, NULL) == 0;
}
static gboolean
c_add_full_type (void)
{
  return atexit_loop_finalizer_add_full (wrong_type (), "x", 0, noop, NULL, NULL) == 0;
}
static gboolean
c_add_full_no_func (void)
{
  return atexit_loop_finalizer_add_full (live (), "x", 0, NULL, NULL, NULL) == 0 &&
         atexit_loop_finalizer_get_pending (live ()) == 0;
}

/* Adding to a finalizer whose context died: nothing is registered, and the data is
 * still released. */
static gboolean
c_add_stale (void)
{
  g_autoptr(AtexitLoopFinalizer) self = stale ();

  destroyed = 0;
  return atexit_loop_finalizer_add (self, noop, NULL, count_destroy) == 0 && destroyed == 1 &&
         atexit_loop_finalizer_get_pending (self) == 0;
}

static gboolean
c_add_async_stale (void)
{
  g_autoptr(AtexitLoopFinalizer) self = stale ();

  destroyed = 0;
  return atexit_loop_finalizer_add_async (self, noop_async, NULL, count_destroy) == 0 &&
         destroyed == 1 && atexit_loop_finalizer_get_pending (self) == 0;
}

static gboolean
c_remove_null (void)
{
  return !atexit_loop_finalizer_remove (NULL, 1);
}
static gboolean
c_remove_type (void)
{
  return !atexit_loop_finalizer_remove (wrong_type (), 1);
}
static gboolean
c_remove_zero (void)
{
  return !atexit_loop_finalizer_remove (live (), 0);
}
static gboolean
c_remove_never_issued (void)
{
  return !atexit_loop_finalizer_remove (live (), G_MAXUINT - 7);
}

static gboolean
c_remove_other_finalizers (void)
{
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *other = atexit_loop_finalizer_get_for_context (context);
  guint id = atexit_loop_finalizer_add (other, noop, NULL, count_destroy);
  gboolean ok;

  destroyed = 0;
  /* Not removed from either: the id is not the default finalizer's. */
  ok = !atexit_loop_finalizer_remove (live (), id) && destroyed == 0 &&
       atexit_loop_finalizer_get_pending (other) == 1;
  ok = ok && atexit_loop_finalizer_remove (other, id) && destroyed == 1;
  g_main_context_unref (context);
  return ok;
}

/* The callback is never called. */
static gboolean
c_run_async_null (void)
{
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_run_async (NULL, NULL, run_done_cb, &res);
  drain (NULL);
  return !res.done;
}
static gboolean
c_run_async_type (void)
{
  atexit_loop_finalizer_run_async (wrong_type (), NULL, NULL, NULL);
  return TRUE;
}

static gboolean
c_run_async_bad_cancellable (void)
{
  atexit_loop_finalizer_run_async (live (), (GCancellable *) g_object_new (G_TYPE_OBJECT, NULL),
                                   NULL, NULL);
  return !atexit_loop_finalizer_get_running (live ());
}

static gboolean
c_run_finish_null (void)
{
  g_autoptr(GTask) task = g_task_new (live (), NULL, NULL, NULL);

  return !atexit_loop_finalizer_run_finish (NULL, G_ASYNC_RESULT (task), NULL);
}

static gboolean
c_run_finish_foreign_result (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = g_task_new (live (), NULL, NULL, NULL);

  g_task_return_boolean (task, TRUE);
  return !atexit_loop_finalizer_run_finish (live (), G_ASYNC_RESULT (task), &error) &&
         error == NULL;
}

static gboolean
c_run_finish_sourceless_result (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_return_boolean (task, TRUE);
  return !atexit_loop_finalizer_run_finish (live (), G_ASYNC_RESULT (task), &error) &&
         error == NULL;
}

static gboolean
c_run_finish_no_result (void)
{
  return !atexit_loop_finalizer_run_finish (live (), NULL, NULL);
}
static gboolean
c_run_null (void)
{
  return !atexit_loop_finalizer_run (NULL, NULL, NULL);
}
static gboolean
c_run_type (void)
{
  return !atexit_loop_finalizer_run (wrong_type (), NULL, NULL);
}

static gboolean
c_run_error_set (void)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "already set");
  gboolean ok = !atexit_loop_finalizer_run (live (), NULL, &error) &&
                g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_error_free (error);
  return ok;
}

static gboolean
c_run_bad_cancellable (void)
{
  g_autoptr(GObject) not_cancellable = g_object_new (G_TYPE_OBJECT, NULL);

  return !atexit_loop_finalizer_run (live (), (GCancellable *) not_cancellable, NULL);
}

static gboolean
c_quit_loop_null (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  atexit_loop_finalizer_quit_loop (NULL, loop);
  return TRUE;
}
static gboolean
c_quit_loop_no_loop (void)
{
  atexit_loop_finalizer_quit_loop (live (), NULL);
  drain (NULL);
  return !atexit_loop_finalizer_get_running (live ());
}
/* A loop of another context: the run would never be iterated by it; refused at once,
 * rather than a silent hang. */
static gboolean
c_quit_loop_other_context (void)
{
  g_autoptr(GMainContext) other = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (other, FALSE);

  atexit_loop_finalizer_quit_loop (live (), loop);
  drain (NULL);
  return !atexit_loop_finalizer_get_running (live ());
}

static gboolean
c_set_cleanup_timeout_null (void)
{
  return !atexit_loop_finalizer_set_cleanup_timeout (NULL, 1, 10);
}

static gboolean
c_set_cleanup_timeout_zero (void)
{
  return !atexit_loop_finalizer_set_cleanup_timeout (live (), 0, 10);
}

static gboolean
c_set_cleanup_timeout_never_issued (void)
{
  return !atexit_loop_finalizer_set_cleanup_timeout (live (), G_MAXUINT - 7, 10);
}

static gboolean
c_set_total_timeout_null (void)
{
  atexit_loop_finalizer_set_total_timeout (NULL, 10);
  return atexit_loop_finalizer_get_total_timeout (live ()) == 0;
}

static gboolean
c_set_exit_action_invalid (void)
{
  atexit_loop_finalizer_set_exit_action (live (), (AtexitExitAction) 42);
  return atexit_loop_finalizer_get_exit_action (live ()) == ATEXIT_EXIT_ACTION_WARN;
}

/* A result that is the group's, but not of atexit_group_run_async(). */
static gboolean
c_group_run_finish_other_tag (void)
{
  g_autoptr(AtexitGroup) group = atexit_group_new (live (), "g", G_PRIORITY_DEFAULT);
  g_autoptr(GTask) task = g_task_new (group, NULL, NULL, NULL);
  gboolean ok;

  g_task_return_boolean (task, TRUE);
  ok = atexit_group_run_finish (group, G_ASYNC_RESULT (task), NULL);
  drain (NULL);
  return !ok;
}

static gboolean
c_register_null (void)
{
  return atexit_register (NULL, NULL, NULL) == 0;
}
static gboolean
c_unregister_zero (void)
{
  return !atexit_unregister (0);
}
static gboolean
c_unregister_never_issued (void)
{
  return !atexit_unregister (G_MAXUINT - 3);
}

/* The integrations */

static gboolean
c_application_quit_null (void)
{
  atexit_application_quit (NULL);
  return TRUE;
}

static gboolean
c_group_new_null_parent (void)
{
  return atexit_group_new (NULL, "plugin", 0) == NULL;
}

static gboolean
c_add_object_unsupported_type (void)
{
  g_autoptr(GObject) plain = g_object_new (G_TYPE_OBJECT, NULL);

  return atexit_loop_finalizer_add_object (live (), plain) == 0 &&
         atexit_loop_finalizer_get_pending (live ()) == 0;
}

static gboolean
c_add_object_null (void)
{
  return atexit_loop_finalizer_add_object (live (), NULL) == 0;
}

static const struct {
  const char *name;
  Case        func;
  const char *critical;  /* a pattern its stderr matches, or NULL */
} cases[] = {
  { "get-context/null", c_get_context_null, NOT_A_FINALIZER },
  { "get-context/wrong-type", c_get_context_type, NOT_A_FINALIZER },
  { "get-timeout/null", c_get_timeout_null, NOT_A_FINALIZER },
  { "get-timeout/wrong-type", c_get_timeout_type, NOT_A_FINALIZER },
  { "set-timeout/null", c_set_timeout_null, NOT_A_FINALIZER },
  { "set-timeout/wrong-type", c_set_timeout_type, NOT_A_FINALIZER },
  { "get-pending/null", c_get_pending_null, NOT_A_FINALIZER },
  { "get-pending/wrong-type", c_get_pending_type, NOT_A_FINALIZER },
  { "get-running/null", c_get_running_null, NOT_A_FINALIZER },
  { "get-running/wrong-type", c_get_running_type, NOT_A_FINALIZER },
  { "add/null", c_add_null, NOT_A_FINALIZER },
  { "add/wrong-type", c_add_type, NOT_A_FINALIZER },
  { "add/no-func", c_add_no_func, NO_FUNC },
  { "add/stale-finalizer", c_add_stale, NULL },
  { "add-async/null", c_add_async_null, NOT_A_FINALIZER },
  { "add-async/wrong-type", c_add_async_type, NOT_A_FINALIZER },
  { "add-async/no-func", c_add_async_no_func, NO_FUNC },
  { "add-async/stale-finalizer", c_add_async_stale, NULL },
  { "add-async-full/null", c_add_async_full_null, NOT_A_FINALIZER },
  { "add-async-full/wrong-type", c_add_async_full_type, NOT_A_FINALIZER },
  { "add-async-full/no-func", c_add_async_full_no_func, NO_FUNC },
  { "add-full/null", c_add_full_null, NOT_A_FINALIZER },
  { "add-full/wrong-type", c_add_full_type, NOT_A_FINALIZER },
  { "add-full/no-func", c_add_full_no_func, NO_FUNC },
  { "remove/null", c_remove_null, NOT_A_FINALIZER },
  { "remove/wrong-type", c_remove_type, NOT_A_FINALIZER },
  { "remove/zero", c_remove_zero, "*CRITICAL*atexit_loop_finalizer_remove:*" },
  { "remove/never-issued", c_remove_never_issued, NULL },
  { "remove/other-finalizers-id", c_remove_other_finalizers, NULL },
  { "run-async/null", c_run_async_null, NOT_A_FINALIZER },
  { "run-async/wrong-type", c_run_async_type, NOT_A_FINALIZER },
  { "run-async/not-a-cancellable", c_run_async_bad_cancellable, NULL },
  { "run-finish/null", c_run_finish_null, NOT_A_FINALIZER },
  { "run-finish/foreign-result", c_run_finish_foreign_result, NULL },
  { "run-finish/sourceless-result", c_run_finish_sourceless_result,
    "*CRITICAL*atexit_loop_finalizer_run_finish:*" },
  { "run-finish/no-result", c_run_finish_no_result, NULL },
  { "run/null", c_run_null, NOT_A_FINALIZER },
  { "run/wrong-type", c_run_type, NOT_A_FINALIZER },
  { "run/error-already-set", c_run_error_set, NULL },
  { "run/not-a-cancellable", c_run_bad_cancellable, NULL },
  { "quit-loop/null", c_quit_loop_null, NOT_A_FINALIZER },
  { "quit-loop/no-loop", c_quit_loop_no_loop, "*CRITICAL*atexit_loop_finalizer_quit_loop:*" },
  { "quit-loop/other-context", c_quit_loop_other_context,
    "*CRITICAL*atexit_loop_finalizer_quit_loop: the main loop*runs another context*" },
  { "set-cleanup-timeout/null", c_set_cleanup_timeout_null, NOT_A_FINALIZER },
  { "set-cleanup-timeout/zero", c_set_cleanup_timeout_zero,
    "*CRITICAL*atexit_loop_finalizer_set_cleanup_timeout:*" },
  { "set-cleanup-timeout/never-issued", c_set_cleanup_timeout_never_issued,
    "*CRITICAL*no cleanup with id*was ever registered*" },
  { "set-total-timeout/null", c_set_total_timeout_null, NOT_A_FINALIZER },
  { "set-exit-action/invalid", c_set_exit_action_invalid,
    "*CRITICAL*atexit_loop_finalizer_set_exit_action:*" },
  { "group-run-finish/other-tag", c_group_run_finish_other_tag,
    "*CRITICAL*atexit_group_run_finish*source_tag*" },
  { "register/null", c_register_null, NO_FUNC },
  { "unregister/zero", c_unregister_zero, "*CRITICAL*atexit_unregister:*" },
  { "unregister/never-issued", c_unregister_never_issued, NULL },
  { "application-quit/null", c_application_quit_null, "*CRITICAL*G_IS_APPLICATION*" },
  { "group-new/null-parent", c_group_new_null_parent, "*CRITICAL*ATEXIT_IS_LOOP_FINALIZER*" },
  { "add-object/unsupported-type", c_add_object_unsupported_type,
    "*CRITICAL*objects of type GObject cannot be closed*" },
  { "add-object/null", c_add_object_null, "*CRITICAL*G_IS_OBJECT*" },
};

static void
test_bad_input (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);

  if (g_test_subprocess ())
    {
      /* Criticals are what is being tested: logged, not fatal. Warnings stay fatal. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING);
      if (cases[i].func ())
        printf ("harmless return\n");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*harmless return*");
  /* One critical, not two. */
  g_test_trap_assert_stderr ("*CRITICAL*");
  g_test_trap_assert_stderr_unmatched ("*CRITICAL*CRITICAL*");
  if (cases[i].critical != NULL)
    g_test_trap_assert_stderr (cases[i].critical);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/atexit/reliability/bad-input/%s", cases[i].name);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_bad_input);
    }

  return g_test_run ();
}
