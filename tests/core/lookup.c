/* lookup.c: which finalizer: one per context, the default and the thread default;
 * atexit_register(); the context cleanups are invoked in
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

/* Invoked in the finalizer's context */

typedef struct {
  GMainContext *expected;
  guint         sync_ok;
  guint         async_ok;
} WhereCheck;

static void
where_sync_cb (gpointer data)
{
  WhereCheck *check = data;

  if (g_main_context_get_thread_default () == check->expected &&
      g_main_context_is_owner (check->expected))
    check->sync_ok++;
}

static void
where_async_cb (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  WhereCheck *check = data;

  /* GIO calls made here come back to the finalizer's context. */
  if (g_main_context_get_thread_default () == check->expected &&
      g_task_get_context (task) == check->expected)
    check->async_ok++;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
test_invoke_thread_default (Fixture       *fx,
                            gconstpointer  data)
{
  /* A context that is iterated but not pushed as the thread default. */
  GMainContext *other = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (other);
  WhereCheck check = { other };
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_add (finalizer, where_sync_cb, &check, NULL);
  atexit_loop_finalizer_add_async (finalizer, where_async_cb, &check, NULL);

  /* The run happens in its context; the result comes back to the caller's. */
  atexit_loop_finalizer_run_async (finalizer, NULL, run_done_cb, &res);
  g_assert_true (atexit_loop_finalizer_get_running (finalizer) ||
                 atexit_loop_finalizer_get_pending (finalizer) == 2);
  WAIT_FOR (other, atexit_loop_finalizer_get_pending (finalizer) == 0 &&
                   !atexit_loop_finalizer_get_running (finalizer));
  WAIT_FOR (fx->context, res.done);

  g_assert_true (res.ok);
  g_assert_cmpuint (check.sync_ok, ==, 1);
  g_assert_cmpuint (check.async_ok, ==, 1);

  g_main_context_unref (other);
}

/* Lookup, atexit_register() */

static void
test_lookup_per_context (Fixture       *fx,
                         gconstpointer  data)
{
  GMainContext *other = g_main_context_new ();
  AtexitLoopFinalizer *other_finalizer = atexit_loop_finalizer_get_for_context (other);

  g_assert_true (atexit_loop_finalizer_get_for_context (fx->context) == fx->finalizer);
  g_assert_true (other_finalizer != fx->finalizer);
  g_assert_true (atexit_loop_finalizer_get_for_context (other) == other_finalizer);
  g_assert_true (atexit_loop_finalizer_get_context (other_finalizer) == other);

  /* The thread default follows the pushed context. */
  g_assert_true (atexit_loop_finalizer_get_thread_default () == fx->finalizer);
  g_main_context_push_thread_default (other);
  g_assert_true (atexit_loop_finalizer_get_thread_default () == other_finalizer);
  g_main_context_pop_thread_default (other);
  g_assert_true (atexit_loop_finalizer_get_thread_default () == fx->finalizer);

  g_main_context_unref (other);
}

static void
test_lookup_default (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();

  g_assert_true (ATEXIT_IS_LOOP_FINALIZER (finalizer));
  g_assert_true (atexit_loop_finalizer_get_for_context (NULL) == finalizer);
  g_assert_true (atexit_loop_finalizer_get_for_context (g_main_context_default ()) == finalizer);
  g_assert_true (atexit_loop_finalizer_get_context (finalizer) == g_main_context_default ());
  /* No thread default pushed: the global default. */
  g_assert_true (atexit_loop_finalizer_get_thread_default () == finalizer);
}

static void
test_register_thread_default (Fixture       *fx,
                              gconstpointer  data)
{
  AtexitLoopFinalizer *global = atexit_loop_finalizer_get_default ();
  guint global_pending = atexit_loop_finalizer_get_pending (global);
  g_autoptr(GError) error = NULL;
  guint id;

  id = atexit_register (sync_note_cb, "registered", destroy_note_cb);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (global), ==, global_pending);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (event_log (), ==, "registered ~registered");
  g_assert_false (atexit_unregister (id));
}

static void
test_register_unregister (Fixture       *fx,
                          gconstpointer  data)
{
  GMainContext *other = g_main_context_new ();
  AtexitLoopFinalizer *other_finalizer = atexit_loop_finalizer_get_for_context (other);
  guint id_here, id_there;

  id_here = atexit_register (sync_note_cb, "here", destroy_note_cb);
  id_there = atexit_loop_finalizer_add (other_finalizer, sync_note_cb, "there", destroy_note_cb);

  g_assert_true (atexit_unregister (id_here));
  /* Found in whichever finalizer holds it. */
  g_assert_true (atexit_unregister (id_there));
  g_assert_cmpstr (event_log (), ==, "~here ~there");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (other_finalizer), ==, 0);

  /* Gone: FALSE, quietly. */
  g_assert_false (atexit_unregister (id_here));
  g_assert_false (atexit_unregister (id_there));

  g_main_context_unref (other);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/invoke/thread-default", test_invoke_thread_default);
  ADD_TEST ("/atexit/finalizer/lookup/per-context", test_lookup_per_context);
  g_test_add_func ("/atexit/finalizer/lookup/default", test_lookup_default);
  ADD_TEST ("/atexit/finalizer/register/thread-default", test_register_thread_default);
  ADD_TEST ("/atexit/finalizer/register/unregister", test_register_unregister);

  return g_test_run ();
}
