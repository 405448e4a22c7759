/* context-death.c: a context that dies with cleanups registered: they are not run, one
 * warning names them, each destroy notify is called
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_context_death_warns (Fixture       *fx,
                          gconstpointer  data)
{
  GMainContext *doomed = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (doomed);
  Item bravo = { "bravo-cleanup", ACT_SUCCEED };
  gpointer alive = finalizer;

  g_object_add_weak_pointer (G_OBJECT (finalizer), &alive);
  atexit_loop_finalizer_add_full (finalizer, "alpha-cleanup", G_PRIORITY_DEFAULT,
                                  sync_note_cb, "alpha-cleanup", destroy_note_cb);
  atexit_loop_finalizer_add_async_full (finalizer, bravo.name, G_PRIORITY_LOW,
                                        item_cleanup, &bravo, item_destroy);

  /* One warning naming both. */
  EXPECT_WARNING ("*alpha-cleanup*bravo-cleanup*");
  g_main_context_unref (doomed);
  g_test_assert_expected_messages ();

  g_assert_false (has_event ("alpha-cleanup"));
  g_assert_true (has_event ("~alpha-cleanup"));
  g_assert_cmpuint (bravo.n_started, ==, 0);
  g_assert_cmpuint (bravo.n_destroyed, ==, 1);
  g_assert_null (alive);
}

static void
test_context_death_quiet_when_empty (Fixture       *fx,
                                     gconstpointer  data)
{
  GMainContext *doomed = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_for_context (doomed);
  gpointer alive = finalizer;
  guint id;

  g_object_add_weak_pointer (G_OBJECT (finalizer), &alive);
  id = atexit_loop_finalizer_add (finalizer, sync_note_cb, "removed", NULL);
  g_assert_true (atexit_loop_finalizer_remove (finalizer, id));

  /* No warning: it would be fatal here. */
  g_main_context_unref (doomed);
  g_assert_null (alive);
}

static void
test_context_death_run_after (Fixture       *fx,
                              gconstpointer  data)
{
  GMainContext *doomed = g_main_context_new ();
  AtexitLoopFinalizer *finalizer = g_object_ref (atexit_loop_finalizer_get_for_context (doomed));
  g_auto(RunResult) res = { 0 };
  g_autoptr(GError) error = NULL;

  g_main_context_unref (doomed);
  g_assert_null (atexit_loop_finalizer_get_context (finalizer));

  g_assert_false (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED);

  atexit_loop_finalizer_run_async (finalizer, NULL, run_done_cb, &res);
  WAIT_FOR (fx->context, res.done);
  g_assert_false (res.ok);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_CONTEXT_DIED);

  g_object_unref (finalizer);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/context-death/warns", test_context_death_warns);
  ADD_TEST ("/atexit/finalizer/context-death/quiet-when-empty",
            test_context_death_quiet_when_empty);
  ADD_TEST ("/atexit/finalizer/context-death/run-after", test_context_death_run_after);

  return g_test_run ();
}
