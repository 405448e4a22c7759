/* failures.c: a failing cleanup, or one that drops its task, never stops the others;
 * one error names them all
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

static void
test_failure_others_still_run (Fixture       *fx,
                               gconstpointer  data)
{
  Item boom = { "boom", ACT_FAIL };
  Item fine = { "fine-async", ACT_SUCCEED_LATER, 10 };
  g_autoptr(GError) error = NULL;

  add_sync (fx, "fine-sync", G_PRIORITY_DEFAULT);
  add_item (fx, &fine, G_PRIORITY_DEFAULT);
  add_item (fx, &boom, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (error, "boom");
  assert_message_does_not_name (error, "fine-async");
  assert_message_does_not_name (error, "fine-sync");

  g_assert_cmpuint (boom.n_started, ==, 1);
  g_assert_cmpuint (fine.n_started, ==, 1);
  g_assert_true (has_event ("fine-async-done"));
  g_assert_true (has_event ("fine-sync"));
}

static void
test_failure_error_names_all (Fixture       *fx,
                              gconstpointer  data)
{
  Item alpha = { "alpha-cleanup", ACT_FAIL };
  Item bravo = { "bravo-cleanup", ACT_FALSE };
  Item charlie = { "charlie-cleanup", ACT_HOLD };
  Item delta = { "delta-cleanup", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &alpha, G_PRIORITY_HIGH);
  add_item (fx, &bravo, G_PRIORITY_DEFAULT);
  add_item (fx, &delta, G_PRIORITY_DEFAULT);
  add_item (fx, &charlie, G_PRIORITY_LOW);

  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, charlie.n_started == 1);
  item_fail (&charlie);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (res.ok);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (res.error, "alpha-cleanup");
  assert_message_names (res.error, "bravo-cleanup");
  assert_message_names (res.error, "charlie-cleanup");
  assert_message_does_not_name (res.error, "delta-cleanup");
  /* One warning each: a second one would have been fatal. */
}

static void
test_failure_return_false (Fixture       *fx,
                           gconstpointer  data)
{
  Item falsy = { "falsy", ACT_FALSE };
  g_autoptr(GError) error = NULL;

  add_item (fx, &falsy, G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (error, "falsy");
}

/* Exported, so that the dynamic symbol table names it. */
void test_exported_cleanup_that_fails (AtexitLoopFinalizer *finalizer,
                                       GTask               *task,
                                       gpointer             data);

void
test_exported_cleanup_that_fails (AtexitLoopFinalizer *finalizer,
                                  GTask               *task,
                                  gpointer             data)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "no luck");
  g_object_unref (task);
}

static void
test_failure_unnamed_symbol (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add_async (fx->finalizer, test_exported_cleanup_that_fails, NULL, NULL);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (error, "test_exported_cleanup_that_fails");
}

static void
hidden_cleanup_that_fails (AtexitLoopFinalizer *finalizer,
                           GTask               *task,
                           gpointer             data)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "no luck");
  g_object_unref (task);
}

static void
test_failure_unnamed_id (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *pattern = NULL;
  guint id;

  id = atexit_loop_finalizer_add_async (fx->finalizer, hidden_cleanup_that_fails, NULL, NULL);
  name = g_strdup_printf ("cleanup #%u", id);
  pattern = g_strdup_printf ("*%s*", name);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  assert_message_names (error, name);
}

typedef struct {
  AtexitLoopFinalizer *finalizer;
  GMainLoop           *loop;
  GError              *error;
} Program;

static void
program_load_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Program *program = data;
  g_autofree char *contents = NULL;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, NULL, NULL,
                                    &program->error))
    {
      /* The program's own work failed; it shuts down all the same. */
      note ("work-failed");
      atexit_loop_finalizer_quit_loop (program->finalizer, program->loop);
    }
}

static gboolean
program_start_cb (gpointer data)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/atexit-glib/input.txt");

  g_file_load_contents_async (file, NULL, program_load_cb, data);
  return G_SOURCE_REMOVE;
}

static void
test_failure_program_failed_before_quit (Fixture       *fx,
                                         gconstpointer  data)
{
  Item flush = { "flush", ACT_SUCCEED_LATER, 10 };
  Program program = { fx->finalizer, g_main_loop_new (fx->context, FALSE), NULL };

  add_sync (fx, "close-log", G_PRIORITY_DEFAULT);
  add_item (fx, &flush, G_PRIORITY_DEFAULT);

  idle_in (fx->context, program_start_cb, &program);
  g_main_loop_run (program.loop);

  g_assert_error (program.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (event_log (), "work-failed "));
  g_assert_true (has_event ("close-log"));
  g_assert_true (has_event ("flush-done"));
  g_assert_cmpuint (flush.n_destroyed, ==, 1);

  g_clear_error (&program.error);
  g_main_loop_unref (program.loop);
}

/* Dropped tasks */

static void
test_dropped_fails_at_once (Fixture       *fx,
                            gconstpointer  data)
{
  Item dropper = { "dropper", ACT_DROP };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &dropper, G_PRIORITY_DEFAULT);

  guard = guard_new (fx->context, 5000, &fired);  /* half the default deadline */
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (fired);
  g_assert_false (res.ok);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (res.error, "dropper");
  g_assert_cmpuint (dropper.n_destroyed, ==, 1);
}

static gboolean
drop_task_cb (gpointer data)
{
  Item *item = data;

  note ("%s-drops", item->name);
  g_clear_object (&item->task);
  return G_SOURCE_REMOVE;
}

static void
test_dropped_later (Fixture       *fx,
                    gconstpointer  data)
{
  Item dropper = { "dropper", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &dropper, G_PRIORITY_HIGH);
  add_sync (fx, "after", G_PRIORITY_DEFAULT);

  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx->finalizer, NULL, &res);
  WAIT_FOR (fx->context, dropper.n_started == 1);
  idle_in (fx->context, drop_task_cb, &dropper);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (fired);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (res.error, "dropper");
  g_assert_cmpstr (event_log (), ==, "dropper dropper-drops ~dropper after ~after");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/finalizer/failure/others-still-run", test_failure_others_still_run);
  ADD_TEST ("/atexit/finalizer/failure/error-names-all", test_failure_error_names_all);
  ADD_TEST ("/atexit/finalizer/failure/return-false", test_failure_return_false);
  ADD_TEST ("/atexit/finalizer/failure/unnamed-symbol", test_failure_unnamed_symbol);
  ADD_TEST ("/atexit/finalizer/failure/unnamed-id", test_failure_unnamed_id);
  ADD_TEST ("/atexit/finalizer/failure/program-failed-before-quit",
            test_failure_program_failed_before_quit);
  ADD_TEST ("/atexit/finalizer/dropped/fails-at-once", test_dropped_fails_at_once);
  ADD_TEST ("/atexit/finalizer/dropped/later", test_dropped_later);

  return g_test_run ();
}
