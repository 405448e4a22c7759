/* signals.c: "about-to-close" comes before any cleanup starts, "cleanup-finished"
 * reports each one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
about_to_close_cb (AtexitLoopFinalizer *finalizer,
                   gpointer             data)
{
  g_assert_true (atexit_loop_finalizer_get_running (finalizer));
  note ("about-to-close(%u)", atexit_loop_finalizer_get_pending (finalizer));
}

static void
test_signal_about_to_close_first (Fixture       *fx,
                                  gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;

  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (about_to_close_cb), NULL);
  add_item (fx, &a, G_PRIORITY_HIGH);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  /* A run with nothing registered since the last one ended (a safety net after a
   * completed shutdown) does nothing, and emits nothing. */
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "about-to-close(2) a ~a s ~s");
  /* Something registered since: the next run has something to close. */
  add_sync (fx, "t", G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (event_log (), ==, "about-to-close(2) a ~a s ~s about-to-close(1) t ~t");

  g_signal_handlers_disconnect_by_func (fx->finalizer, about_to_close_cb, NULL);
}

typedef struct {
  Fixture *fx;
  Item    *early;
} AddingHandler;

static void
adding_handler_cb (AtexitLoopFinalizer *finalizer,
                   gpointer             data)
{
  AddingHandler *handler = data;

  note ("about-to-close");
  add_sync (handler->fx, "from-handler", G_PRIORITY_DEFAULT);
  add_item (handler->fx, handler->early, G_PRIORITY_HIGH);
}

static void
test_signal_handler_adds (Fixture       *fx,
                          gconstpointer  data)
{
  Item early = { "early", ACT_SUCCEED };
  AddingHandler handler = { fx, &early };
  g_autoptr(GError) error = NULL;

  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (adding_handler_cb), &handler);
  add_sync (fx, "existing", G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==,
                   "about-to-close early ~early from-handler ~from-handler existing ~existing");

  g_signal_handlers_disconnect_by_data (fx->finalizer, &handler);
}

static void
test_signal_cleanup_finished (Fixture       *fx,
                              gconstpointer  data)
{
  Item ok = { "ok", ACT_SUCCEED };
  Item bad = { "bad", ACT_FAIL };
  Item dropped = { "dropped", ACT_DROP };
  Item slow = { "slow", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_autoptr(GError) error = NULL;
  Finished *f;
  guint ok_id, plain_id;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  ok_id = add_item (fx, &ok, G_PRIORITY_HIGH);
  add_item (fx, &bad, G_PRIORITY_DEFAULT);
  plain_id = add_sync (fx, "plain", G_PRIORITY_DEFAULT);
  add_item (fx, &dropped, G_PRIORITY_DEFAULT_IDLE);
  add_item (fx, &slow, G_PRIORITY_LOW);

  /* Each in its own group, so that the warnings come in order. */
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpuint (finished->len, ==, 5);

  for (guint i = 0; i < finished->len; i++)
    {
      f = g_ptr_array_index (finished, i);
      g_assert_true (f->thread == g_thread_self ());
      g_assert_cmpint (f->duration_us, >=, 0);
    }

  f = find_finished (finished, "ok");
  g_assert_nonnull (f);
  /* The id is the one its add function returned: names need not be unique. */
  g_assert_cmpuint (f->id, ==, ok_id);
  g_assert_cmpint (f->priority, ==, G_PRIORITY_HIGH);
  g_assert_no_error (f->error);

  f = find_finished (finished, "plain");
  g_assert_nonnull (f);
  g_assert_cmpuint (f->id, ==, plain_id);
  g_assert_cmpint (f->priority, ==, G_PRIORITY_DEFAULT);
  g_assert_no_error (f->error);

  f = find_finished (finished, "bad");
  g_assert_nonnull (f);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (f->error->message, ==, "bad broke");

  f = find_finished (finished, "dropped");
  g_assert_nonnull (f);
  g_assert_error (f->error, ATEXIT_ERROR, ATEXIT_ERROR_DROPPED);

  f = find_finished (finished, "slow");
  g_assert_nonnull (f);
  g_assert_cmpint (f->priority, ==, G_PRIORITY_LOW);
  g_assert_nonnull (f->error);
  /* It ran until the deadline (less the moment between the deadline's start and its own). */
  g_assert_cmpint (f->duration_us, >=, 40 * 1000);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_signal_cleanup_finished_cancelled (Fixture       *fx,
                                        gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RunResult) res = { 0 };
  Finished *f;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  add_item (fx, &holder, G_PRIORITY_DEFAULT);

  start_run (fx->finalizer, cancellable, &res);
  WAIT_FOR (fx->context, holder.n_started == 1);
  g_cancellable_cancel (cancellable);
  WAIT_FOR (fx->context, res.done);

  g_assert_cmpuint (finished->len, ==, 1);
  f = find_finished (finished, "holder");
  g_assert_nonnull (f);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
  item_return (&holder);
  WAIT_FOR (fx->context, holder.n_destroyed == 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/signal/about-to-close-first", test_signal_about_to_close_first);
  ADD_TEST ("/atexit/finalizer/signal/handler-adds", test_signal_handler_adds);
  ADD_TEST ("/atexit/finalizer/signal/cleanup-finished", test_signal_cleanup_finished);
  ADD_TEST ("/atexit/finalizer/signal/cleanup-finished-cancelled",
            test_signal_cleanup_finished_cancelled);

  return g_test_run ();
}
