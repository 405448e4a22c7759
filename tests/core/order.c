/* order.c: priority groups, lowest first; LIFO within a group; the async cleanups of
 * a group concurrently
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_order_lifo (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "A", NULL);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "B", NULL);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "C", NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "C B A");
}

static void
test_order_priority_groups (Fixture       *fx,
                            gconstpointer  data)
{
  static const struct {
    const char *name;
    int         priority;
  } cleanups[] = {
    { "low", G_PRIORITY_LOW },
    { "high", G_PRIORITY_HIGH },
    { "default-idle", G_PRIORITY_DEFAULT_IDLE },
    { "default", G_PRIORITY_DEFAULT },
    { "very-low", 1000 },
    { "high-idle", G_PRIORITY_HIGH_IDLE },
    { "very-high", -1000 },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cleanups); i++)
    atexit_loop_finalizer_add_full (fx->finalizer, cleanups[i].name, cleanups[i].priority,
                                    sync_note_cb, (gpointer) cleanups[i].name, NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==,
                   "very-high high default high-idle default-idle low very-low");
}

static void
test_order_interleaved (Fixture       *fx,
                        gconstpointer  data)
{
  Item a1 = { "a1", ACT_SUCCEED };
  Item a2 = { "a2", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "s1", NULL);
  atexit_loop_finalizer_add_async (fx->finalizer, item_cleanup, &a1, NULL);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "s2", NULL);
  atexit_loop_finalizer_add_async (fx->finalizer, item_cleanup, &a2, NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "a2 s2 a1 s1");
}

static void
test_order_default_priority (Fixture       *fx,
                             gconstpointer  data)
{
  Item b = { "b", ACT_SUCCEED };
  Item d = { "d", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;

  /* add() and add_async() go in the G_PRIORITY_DEFAULT group, in registration order
   * with the _full variants of that priority. */
  atexit_loop_finalizer_add_full (fx->finalizer, "after", G_PRIORITY_DEFAULT + 1,
                                  sync_note_cb, "after", NULL);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "a", NULL);
  atexit_loop_finalizer_add_async (fx->finalizer, item_cleanup, &b, NULL);
  atexit_loop_finalizer_add_full (fx->finalizer, "c", G_PRIORITY_DEFAULT,
                                  sync_note_cb, "c", NULL);
  atexit_loop_finalizer_add_async_full (fx->finalizer, "d", G_PRIORITY_DEFAULT,
                                        item_cleanup, &d, NULL);
  atexit_loop_finalizer_add_full (fx->finalizer, "before", G_PRIORITY_DEFAULT - 1,
                                  sync_note_cb, "before", NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (event_log (), ==, "before d c b a after");
}

static void
test_order_async_concurrent (Fixture       *fx,
                             gconstpointer  data)
{
  Item first = { "first", ACT_HOLD };
  Item second = { "second", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &first, G_PRIORITY_DEFAULT);
  add_item (fx, &second, G_PRIORITY_DEFAULT);

  guard = guard_new (fx->context, 2000, &fired);
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, (first.n_started == 1 && second.n_started == 1) || fired || res.done);

  /* Both were started, last registered first, and neither has completed. */
  g_assert_false (fired);
  g_assert_false (res.done);
  g_assert_cmpstr (event_log (), ==, "second first");

  item_return (&first);
  item_return (&second);
  WAIT_FOR (fx->context, res.done);
  g_assert_no_error (res.error);
  g_assert_true (res.ok);
}

static void
test_order_group_finishes_first (Fixture       *fx,
                                 gconstpointer  data)
{
  Item high = { "high", ACT_SUCCEED_LATER, 20 };
  g_autoptr(GError) error = NULL;

  add_item (fx, &high, G_PRIORITY_HIGH);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "default", NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  /* The next group starts once the async cleanup has completed and released its task. */
  g_assert_cmpstr (event_log (), ==, "high high-done ~high default");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/order/lifo", test_order_lifo);
  ADD_TEST ("/atexit/finalizer/order/priority-groups", test_order_priority_groups);
  ADD_TEST ("/atexit/finalizer/order/interleaved", test_order_interleaved);
  ADD_TEST ("/atexit/finalizer/order/default-priority", test_order_default_priority);
  ADD_TEST ("/atexit/finalizer/order/async-concurrent", test_order_async_concurrent);
  ADD_TEST ("/atexit/finalizer/order/group-finishes-first", test_order_group_finishes_first);

  return g_test_run ();
}
