/* properties.c: the properties "pending", "running" and "context"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
record_pending_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  guint pending = atexit_loop_finalizer_get_pending (ATEXIT_LOOP_FINALIZER (object));

  g_array_append_val ((GArray *) data, pending);
}

static void
assert_pending_cb (gpointer data)
{
  /* A cleanup that has started is no longer pending. */
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (data), ==, 0);
  note ("checked");
}

static void
test_property_pending (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  guint pending = G_MAXUINT;
  guint id;

  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_signal_connect (fx->finalizer, "notify::pending", G_CALLBACK (record_pending_cb), seen);

  atexit_loop_finalizer_add (fx->finalizer, assert_pending_cb, fx->finalizer, NULL);
  id = add_sync (fx, "removed", G_PRIORITY_LOW);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 2);
  g_object_get (fx->finalizer, "pending", &pending, NULL);
  g_assert_cmpuint (pending, ==, 2);
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id));

  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpuint (g_array_index (seen, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (seen, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (seen, guint, 2), ==, 1);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_true (has_event ("checked"));
  g_assert_cmpuint (seen->len, >, 3);
  g_assert_cmpuint (g_array_index (seen, guint, seen->len - 1), ==, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);

  g_signal_handlers_disconnect_by_data (fx->finalizer, seen);
}

static void
record_running_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    data)
{
  note ("running=%d", atexit_loop_finalizer_get_running (ATEXIT_LOOP_FINALIZER (object)));
}

static void
assert_running_cb (gpointer data)
{
  gboolean running = FALSE;

  g_object_get (data, "running", &running, NULL);
  g_assert_true (running);
  g_assert_true (atexit_loop_finalizer_get_running (data));
  note ("cleanup");
}

static void
test_property_running (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));
  g_signal_connect (fx->finalizer, "notify::running", G_CALLBACK (record_running_cb), NULL);
  atexit_loop_finalizer_add (fx->finalizer, assert_running_cb, fx->finalizer, NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));
  g_assert_cmpstr (event_log (), ==, "running=1 cleanup running=0");

  g_signal_handlers_disconnect_by_func (fx->finalizer, record_running_cb, NULL);
}

static void
test_property_context (Fixture       *fx,
                       gconstpointer  data)
{
  GMainContext *context = NULL;

  g_assert_true (atexit_loop_finalizer_get_context (fx->finalizer) == fx->context);
  g_object_get (fx->finalizer, "context", &context, NULL);
  g_assert_true (context == fx->context);
  g_main_context_unref (context);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/property/pending", test_property_pending);
  ADD_TEST ("/atexit/finalizer/property/running", test_property_running);
  ADD_TEST ("/atexit/finalizer/property/context", test_property_context);

  return g_test_run ();
}
