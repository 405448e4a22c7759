/* quit-loop.c: atexit_loop_finalizer_quit_loop(): the loop quits once the run has ended
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_quit_loop_runs_then_quits (Fixture       *fx,
                                gconstpointer  data)
{
  Item flush = { "flush", ACT_SUCCEED_LATER, 30 };
  g_autoptr(GMainLoop) loop = g_main_loop_new (fx->context, FALSE);

  add_item (fx, &flush, G_PRIORITY_DEFAULT);
  add_sync (fx, "s", G_PRIORITY_LOW);

  atexit_loop_finalizer_quit_loop (fx->finalizer, loop);
  g_main_loop_run (loop);

  /* The loop kept running until the run had ended. */
  g_assert_cmpstr (event_log (), ==, "flush flush-done ~flush s ~s");
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));
}

static void
test_quit_loop_after_failure (Fixture       *fx,
                              gconstpointer  data)
{
  Item boom = { "boom", ACT_FAIL };
  g_autoptr(GMainLoop) loop = g_main_loop_new (fx->context, FALSE);

  add_item (fx, &boom, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*boom*");
  atexit_loop_finalizer_quit_loop (fx->finalizer, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (boom.n_destroyed, ==, 1);
}

static gboolean
quit_default_cb (gpointer data)
{
  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), data);
  return G_SOURCE_REMOVE;
}

static void
test_quit_loop_default_context (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  Item flush = { "flush", ACT_SUCCEED_LATER, 10 };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  event_log_clear ();
  atexit_loop_finalizer_add_async_full (finalizer, flush.name, G_PRIORITY_DEFAULT,
                                        item_cleanup, &flush, item_destroy);
  atexit_register (sync_note_cb, "registered", NULL);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 2);

  g_idle_add (quit_default_cb, loop);
  g_main_loop_run (loop);

  g_assert_cmpstr (event_log (), ==, "registered flush flush-done ~flush");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/quit-loop/runs-then-quits", test_quit_loop_runs_then_quits);
  ADD_TEST ("/atexit/finalizer/quit-loop/after-failure", test_quit_loop_after_failure);
  g_test_add_func ("/atexit/finalizer/quit-loop/default-context", test_quit_loop_default_context);

  return g_test_run ();
}
