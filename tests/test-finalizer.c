/* test-finalizer.c: the core semantics of AtexitLoopFinalizer, one test per rule
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <atexit-glib.h>

#include "test-common.h"

/* Expects one warning of the library, in order: g_test_expect_message() is a queue. */
#define EXPECT_WARNING(pattern) \
  g_test_expect_message ("Atexit", G_LOG_LEVEL_WARNING, (pattern))

/* An event log: what ran, in which order. "~name" is name's destroy notify. */

static GString *events;

static void note (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format,
      ...)
{
  va_list args;

  if (events->len > 0)
    g_string_append_c (events, ' ');
  va_start (args, format);
  g_string_append_vprintf (events, format, args);
  va_end (args);
}

static gboolean
has_event (const char *event)
{
  g_auto(GStrv) words = g_strsplit (events->str, " ", -1);

  return g_strv_contains ((const char * const *) words, event);
}

static void
sync_note_cb (gpointer data)
{
  note ("%s", (const char *) data);
}

static void
destroy_note_cb (gpointer data)
{
  note ("~%s", (const char *) data);
}

/* Async cleanups that behave as told. */

typedef enum {
  ACT_SUCCEED,        /* returns TRUE at once */
  ACT_FAIL,           /* returns an error at once */
  ACT_FALSE,          /* returns FALSE at once */
  ACT_HOLD,           /* keeps the task; the test completes it */
  ACT_DROP,           /* releases the task without returning it */
  ACT_SUCCEED_LATER,  /* returns TRUE from a timeout of delay_ms */
} Act;

typedef struct {
  const char *name;
  Act         act;
  guint       delay_ms;
  GTask      *task;         /* while held */
  guint       n_started;
  guint       n_destroyed;
} Item;

static void
item_return (Item *item)
{
  GTask *task = g_steal_pointer (&item->task);

  g_assert_nonnull (task);
  note ("%s-done", item->name);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
item_fail (Item *item)
{
  GTask *task = g_steal_pointer (&item->task);

  g_assert_nonnull (task);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s broke", item->name);
  g_object_unref (task);
}

static gboolean
item_return_cb (gpointer data)
{
  item_return (data);
  return G_SOURCE_REMOVE;
}

static void
item_cleanup (AtexitLoopFinalizer *finalizer,
              GTask               *task,
              gpointer             data)
{
  Item *item = data;
  GSource *source;

  g_assert_true (ATEXIT_IS_LOOP_FINALIZER (finalizer));
  g_assert_true (G_IS_TASK (task));
  g_assert_true (g_task_get_source_object (task) == (gpointer) finalizer);
  g_assert_true (g_main_context_is_owner (atexit_loop_finalizer_get_context (finalizer)));

  item->n_started++;
  note ("%s", item->name);

  switch (item->act)
    {
    case ACT_SUCCEED:
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      break;

    case ACT_FAIL:
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s broke", item->name);
      g_object_unref (task);
      break;

    case ACT_FALSE:
      g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      break;

    case ACT_HOLD:
      item->task = task;
      break;

    case ACT_DROP:
      g_object_unref (task);
      break;

    case ACT_SUCCEED_LATER:
      item->task = task;
      source = g_timeout_source_new (item->delay_ms);
      g_source_set_callback (source, item_return_cb, item, NULL);
      g_source_attach (source, g_task_get_context (task));
      g_source_unref (source);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
item_destroy (gpointer data)
{
  Item *item = data;

  item->n_destroyed++;
  note ("~%s", item->name);
}

/* The fixture: a fresh context per test, pushed as the thread default. */

typedef struct {
  GMainContext        *context;
  AtexitLoopFinalizer *finalizer;
  gpointer             finalizer_alive;  /* weak pointer */
} Fixture;

static guint
add_item (Fixture *fx,
          Item    *item,
          int      priority)
{
  return atexit_loop_finalizer_add_async_full (fx->finalizer, item->name, priority,
                                         item_cleanup, item, item_destroy);
}

static guint
add_sync (Fixture    *fx,
          const char *name,
          int         priority)
{
  return atexit_loop_finalizer_add_full (fx->finalizer, name, priority,
                                              sync_note_cb, (gpointer) name, destroy_note_cb);
}

static void
drain (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_string_truncate (events, 0);

  fx->context = g_main_context_new ();
  g_main_context_push_thread_default (fx->context);
  fx->finalizer = atexit_loop_finalizer_get_for_context (fx->context);
  g_assert_true (ATEXIT_IS_LOOP_FINALIZER (fx->finalizer));
  fx->finalizer_alive = fx->finalizer;
  g_object_add_weak_pointer (G_OBJECT (fx->finalizer), &fx->finalizer_alive);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_test_assert_expected_messages ();
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  drain (fx->context);
  g_main_context_pop_thread_default (fx->context);
  g_main_context_unref (fx->context);

  /* The finalizer lives exactly as long as its context. */
  g_assert_null (fx->finalizer_alive);
}

/* Runs and their results. */

static void
start_run (Fixture      *fx,
           GCancellable *cancellable,
           RunResult    *res)
{
  atexit_loop_finalizer_run_async (fx->finalizer, cancellable, run_done_cb, res);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A timer as long as a deadline that must not be waited for: it sets *fired. */
static GSource *
guard_new (GMainContext *context,
           guint         ms,
           gboolean     *fired)
{
  GSource *source = g_timeout_source_new (ms);

  *fired = FALSE;
  g_source_set_callback (source, set_flag_cb, fired, NULL);
  g_source_attach (source, context);
  return source;
}

static void
guard_free (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

typedef GSource Guard;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guard, guard_free)

static void
idle_in (GMainContext *context,
         GSourceFunc   func,
         gpointer      data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
assert_message_names (const GError *error,
                      const char   *name)
{
  g_assert_nonnull (error);
  if (strstr (error->message, name) == NULL)
    g_error ("“%s” is not named in the run's error: %s", name, error->message);
}

static void
assert_message_does_not_name (const GError *error,
                              const char   *name)
{
  g_assert_nonnull (error);
  if (strstr (error->message, name) != NULL)
    g_error ("“%s” is named in the run's error but did not fail: %s", name, error->message);
}

/* "cleanup-finished" recorder. */

typedef struct {
  char    *name;
  int      priority;
  gint64   duration_us;
  GError  *error;
  GThread *thread;
} Finished;

static void
finished_free (gpointer data)
{
  Finished *f = data;

  g_free (f->name);
  g_clear_error (&f->error);
  g_free (f);
}

static void
on_cleanup_finished (AtexitLoopFinalizer *finalizer,
                     const char          *name,
                     int                  priority,
                     gint64               duration_us,
                     const GError        *error,
                     gpointer             data)
{
  GPtrArray *finished = data;
  Finished *f = g_new0 (Finished, 1);

  f->name = g_strdup (name);
  f->priority = priority;
  f->duration_us = duration_us;
  f->error = error != NULL ? g_error_copy (error) : NULL;
  f->thread = g_thread_self ();
  g_ptr_array_add (finished, f);
}

static Finished *
find_finished (GPtrArray  *finished,
               const char *name)
{
  Finished *found = NULL;

  for (guint i = 0; i < finished->len; i++)
    {
      Finished *f = g_ptr_array_index (finished, i);

      if (g_strcmp0 (f->name, name) == 0)
        {
          g_assert_null (found);  /* reported once */
          found = f;
        }
    }

  return found;
}

/* 1. Order */

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
  g_assert_cmpstr (events->str, ==, "C B A");
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
  g_assert_cmpstr (events->str, ==,
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
  g_assert_cmpstr (events->str, ==, "a2 s2 a1 s1");
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
  atexit_loop_finalizer_add_async_full (fx->finalizer, "d", G_PRIORITY_DEFAULT, item_cleanup, &d, NULL);
  atexit_loop_finalizer_add_full (fx->finalizer, "before", G_PRIORITY_DEFAULT - 1,
                                       sync_note_cb, "before", NULL);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "before d c b a after");
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
  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, (first.n_started == 1 && second.n_started == 1) || fired || res.done);

  /* Both were started, last registered first, and neither has completed. */
  g_assert_false (fired);
  g_assert_false (res.done);
  g_assert_cmpstr (events->str, ==, "second first");

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
  g_assert_cmpstr (events->str, ==, "high high-done ~high default");
}

/* 2. Deadlines */

static void
test_deadline_straggler_named (Fixture       *fx,
                               gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (error, "slowpoke");
  /* … and how long it ran. */
  g_assert_true (g_regex_match_simple ("[0-9]+(\\.[0-9]+)? ?ms", error->message, 0, 0));
  g_test_assert_expected_messages ();

  /* The run moved on without it: the straggler still holds its task. */
  g_assert_cmpuint (slow.n_destroyed, ==, 0);
  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_cancels_group (Fixture       *fx,
                             gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  GCancellable *cancellable;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, slow.n_started == 1);

  cancellable = g_task_get_cancellable (slow.task);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_false (g_cancellable_is_cancelled (cancellable));

  WAIT_FOR (fx->context, res.done);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (slow.task)));

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_moves_on (Fixture       *fx,
                        gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_HIGH);
  add_sync (fx, "next", G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  assert_message_names (error, "slowpoke");
  assert_message_does_not_name (error, "next");
  g_assert_cmpstr (events->str, ==, "slowpoke next ~next");

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_late_completion_ignored (Fixture       *fx,
                                       gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_autoptr(GError) error = NULL;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (finished->len, ==, 1);

  /* A failure after the deadline is neither logged (a warning would be fatal here)
   * nor reported again. */
  item_fail (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
  drain (fx->context);
  g_assert_cmpuint (finished->len, ==, 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

static void
test_deadline_failed_and_straggler (Fixture       *fx,
                                    gconstpointer  data)
{
  Item broken = { "broken", ACT_FAIL };
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &broken, G_PRIORITY_DEFAULT);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*broken*");
  EXPECT_WARNING ("*slowpoke*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  /* Not only deadlines were missed: FAILED, naming both. */
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (error, "broken");
  assert_message_names (error, "slowpoke");

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

static void
test_deadline_zero_is_none (Fixture       *fx,
                            gconstpointer  data)
{
  Item patient = { "patient", ACT_SUCCEED_LATER, 50 };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, 0);
  add_item (fx, &patient, G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "patient patient-done ~patient");
}

static void
test_deadline_per_group (Fixture       *fx,
                         gconstpointer  data)
{
  /* Four groups of 100 ms each under a 250 ms deadline: fine if the deadline is per
   * group, a miss if it were per run. */
  Item items[] = {
    { "g1", ACT_SUCCEED_LATER, 100 },
    { "g2", ACT_SUCCEED_LATER, 100 },
    { "g3", ACT_SUCCEED_LATER, 100 },
    { "g4", ACT_SUCCEED_LATER, 100 },
  };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 250);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    add_item (fx, &items[i], (int) i);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    g_assert_cmpuint (items[i].n_destroyed, ==, 1);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  (*(guint *) data)++;
}

static void
count_signal_cb (gpointer instance,
                 gpointer data)
{
  (*(guint *) data)++;
}

static void
test_deadline_timeout_property (Fixture       *fx,
                                gconstpointer  data)
{
  guint notified = 0;
  guint timeout = 0;

  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, ATEXIT_DEFAULT_TIMEOUT);
  g_assert_cmpuint (ATEXIT_DEFAULT_TIMEOUT, ==, 10000);

  g_signal_connect (fx->finalizer, "notify::timeout", G_CALLBACK (count_notify_cb), &notified);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 500);
  g_assert_cmpuint (notified, ==, 1);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 500);
  g_assert_cmpuint (notified, ==, 1);

  g_object_set (fx->finalizer, "timeout", 0u, NULL);
  g_assert_cmpuint (notified, ==, 2);
  g_object_get (fx->finalizer, "timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 0);
  g_assert_cmpuint (atexit_loop_finalizer_get_timeout (fx->finalizer), ==, 0);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &notified);
}

static void
shorten_timeout_cb (gpointer data)
{
  note ("shorten");
  atexit_loop_finalizer_set_timeout (data, 50);
}

static void
test_deadline_read_per_group (Fixture       *fx,
                              gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  /* A timeout set during a run applies to the groups that start after it. */
  atexit_loop_finalizer_add_full (fx->finalizer, "shorten", G_PRIORITY_HIGH,
                                       shorten_timeout_cb, fx->finalizer, NULL);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, res.done);
  g_assert_false (fired);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);

  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
}

/* 3. Cancellation */

static void
test_cancel_skips_groups (Fixture       *fx,
                          gconstpointer  data)
{
  Item first = { "first", ACT_HOLD };
  Item third = { "third", ACT_SUCCEED };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &first, G_PRIORITY_HIGH);
  add_sync (fx, "second", G_PRIORITY_DEFAULT);
  add_item (fx, &third, G_PRIORITY_LOW);

  /* The default deadline is long: the run must end on cancellation, not on it. */
  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx, cancellable, &res);
  WAIT_FOR (fx->context, first.n_started == 1);
  g_cancellable_cancel (cancellable);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (fired);
  g_assert_false (res.ok);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The running group was cancelled; the others were skipped, their destroy notifies
   * called, their functions not. */
  g_assert_true (g_cancellable_is_cancelled (g_task_get_cancellable (first.task)));
  g_assert_true (g_str_has_prefix (events->str, "first "));
  g_assert_false (has_event ("second"));
  g_assert_true (has_event ("~second"));
  g_assert_cmpuint (third.n_started, ==, 0);
  g_assert_cmpuint (third.n_destroyed, ==, 1);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  /* The cancelled one is not waited for, but its data lives until it lets go. */
  g_assert_cmpuint (first.n_destroyed, ==, 0);
  item_return (&first);
  WAIT_FOR (fx->context, first.n_destroyed == 1);
}

static void
test_cancel_before_start (Fixture       *fx,
                          gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  add_sync (fx, "s", G_PRIORITY_DEFAULT);
  add_item (fx, &a, G_PRIORITY_LOW);
  g_cancellable_cancel (cancellable);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (has_event ("s"));
  g_assert_true (has_event ("~s"));
  g_assert_cmpuint (a.n_started, ==, 0);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
}

static void
cancel_cb (gpointer data)
{
  note ("cancel");
  g_cancellable_cancel (data);
}

static void
test_cancel_from_cleanup (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;

  /* In a subprocess: a run that misses its cancellation goes on to later groups, and
   * that failure is reported without stopping the rest of the suite. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (!g_test_trap_has_passed ())
        g_test_fail_printf ("the run went on after it was cancelled (see above)");
      return;
    }

  /* A cleanup that cancels the run: the groups that have not started are skipped. */
  cancellable = g_cancellable_new ();
  atexit_loop_finalizer_add_full (fx->finalizer, "cancel", G_PRIORITY_HIGH,
                                       cancel_cb, cancellable, NULL);
  add_sync (fx, "later", G_PRIORITY_DEFAULT);

  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (events->str, ==, "cancel ~later");
}

/* 4. Failures */

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

  EXPECT_WARNING ("*boom*");
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

  EXPECT_WARNING ("*alpha-cleanup*");
  EXPECT_WARNING ("*bravo-cleanup*");
  EXPECT_WARNING ("*charlie-cleanup*");
  start_run (fx, NULL, &res);
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

  EXPECT_WARNING ("*falsy*");
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

  EXPECT_WARNING ("*test_exported_cleanup_that_fails*");
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

  EXPECT_WARNING (pattern);
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
  g_assert_true (g_str_has_prefix (events->str, "work-failed "));
  g_assert_true (has_event ("close-log"));
  g_assert_true (has_event ("flush-done"));
  g_assert_cmpuint (flush.n_destroyed, ==, 1);

  g_clear_error (&program.error);
  g_main_loop_unref (program.loop);
}

/* 5. Dropped tasks */

static void
test_dropped_fails_at_once (Fixture       *fx,
                            gconstpointer  data)
{
  Item dropper = { "dropper", ACT_DROP };
  g_auto(RunResult) res = { 0 };
  g_autoptr(Guard) guard = NULL;
  gboolean fired;

  add_item (fx, &dropper, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*dropper*");
  guard = guard_new (fx->context, 5000, &fired);  /* half the default deadline */
  start_run (fx, NULL, &res);
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

  EXPECT_WARNING ("*dropper*");
  guard = guard_new (fx->context, 5000, &fired);
  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, dropper.n_started == 1);
  idle_in (fx->context, drop_task_cb, &dropper);
  WAIT_FOR (fx->context, res.done);

  g_assert_false (fired);
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  assert_message_names (res.error, "dropper");
  g_assert_cmpstr (events->str, ==, "dropper dropper-drops ~dropper after ~after");
}

/* 6. Exactly once */

static void
test_once_sync_destroy_after_call (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "A", destroy_note_cb);
  atexit_loop_finalizer_add (fx->finalizer, sync_note_cb, "B", destroy_note_cb);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (events->str, ==, "B ~B A ~A");
}

static void
test_once_async_destroy_after_release (Fixture       *fx,
                                       gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (finished_free);
  g_auto(RunResult) res = { 0 };
  GTask *task;

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  add_item (fx, &holder, G_PRIORITY_DEFAULT);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, holder.n_started == 1);

  /* Returned but still referenced: the cleanup may still use its data. */
  task = g_steal_pointer (&holder.task);
  g_task_return_boolean (task, TRUE);
  WAIT_FOR (fx->context, finished->len == 1);
  g_assert_null (((Finished *) g_ptr_array_index (finished, 0))->error);
  g_assert_cmpuint (holder.n_destroyed, ==, 0);

  g_object_unref (task);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (holder.n_destroyed, ==, 1);

  g_signal_handlers_disconnect_by_data (fx->finalizer, finished);
}

static void
test_once_runs_once (Fixture       *fx,
                     gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;

  add_item (fx, &a, G_PRIORITY_DEFAULT);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (a.n_started, ==, 1);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
  g_assert_cmpstr (events->str, ==, "s ~s a ~a");
}

static void
test_once_straggler_destroy (Fixture       *fx,
                             gconstpointer  data)
{
  Item slow = { "slowpoke", ACT_HOLD };
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &slow, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*slowpoke*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));

  /* Not at the deadline: when the straggler lets go of its task. */
  drain (fx->context);
  g_assert_cmpuint (slow.n_destroyed, ==, 0);
  item_return (&slow);
  WAIT_FOR (fx->context, slow.n_destroyed == 1);
  drain (fx->context);
  g_assert_cmpuint (slow.n_destroyed, ==, 1);
}

typedef struct {
  guint calls;
  guint destroys;
} Counter;

static void
count_call_cb (gpointer data)
{
  ((Counter *) data)->calls++;
}

static void
count_destroy_cb (gpointer data)
{
  ((Counter *) data)->destroys++;
}

static void
test_once_same_function_twice (Fixture       *fx,
                               gconstpointer  data)
{
  Counter counter = { 0 };
  g_autoptr(GError) error = NULL;
  guint id1, id2;

  id1 = atexit_loop_finalizer_add (fx->finalizer, count_call_cb, &counter, count_destroy_cb);
  id2 = atexit_loop_finalizer_add (fx->finalizer, count_call_cb, &counter, count_destroy_cb);
  g_assert_cmpuint (id1, !=, 0);
  g_assert_cmpuint (id2, !=, 0);
  g_assert_cmpuint (id1, !=, id2);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 2);

  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id1));
  g_assert_cmpuint (counter.destroys, ==, 1);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpuint (counter.calls, ==, 1);
  g_assert_cmpuint (counter.destroys, ==, 2);
}

static void
test_once_removed (Fixture       *fx,
                   gconstpointer  data)
{
  Item a = { "a", ACT_SUCCEED };
  g_autoptr(GError) error = NULL;
  guint id_sync, id_async;

  id_sync = add_sync (fx, "s", G_PRIORITY_DEFAULT);
  id_async = add_item (fx, &a, G_PRIORITY_DEFAULT);

  /* Removed: destroyed inside remove(), once, and never run. */
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_cmpstr (events->str, ==, "~s");
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id_async));
  g_assert_cmpuint (a.n_destroyed, ==, 1);

  /* Removing again is harmless: the id was issued, the cleanup is gone. */
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_async));

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_cmpstr (events->str, ==, "~s ~a");
  g_assert_cmpuint (a.n_started, ==, 0);
  g_assert_cmpuint (a.n_destroyed, ==, 1);
}

/* 7. Late registration */

static void
test_late_own_group (Fixture       *fx,
                     gconstpointer  data)
{
  Item high = { "high", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &high, G_PRIORITY_HIGH);
  add_sync (fx, "default", G_PRIORITY_DEFAULT);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, high.n_started == 1);

  /* Groups not started yet: each joins its own. */
  add_sync (fx, "late-low", G_PRIORITY_LOW);
  add_sync (fx, "late-default", G_PRIORITY_DEFAULT);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 3);
  drain (fx->context);
  g_assert_cmpstr (events->str, ==, "high");

  item_return (&high);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (events->str, ==,
                   "high high-done ~high late-default ~late-default default ~default "
                   "late-low ~late-low");
}

static void
test_late_started_at_once (Fixture       *fx,
                           gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  Item joiner = { "joiner", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &running, G_PRIORITY_DEFAULT);
  add_sync (fx, "after", G_PRIORITY_LOW);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Its group is running: it is started at once, alongside. */
  add_item (fx, &joiner, G_PRIORITY_DEFAULT);
  WAIT_FOR (fx->context, joiner.n_started == 1);
  g_assert_nonnull (running.task);

  /* … and counted in the group, which waits for it. */
  item_return (&running);
  WAIT_FOR (fx->context, running.n_destroyed == 1);
  drain (fx->context);
  g_assert_false (has_event ("after"));
  g_assert_false (res.done);

  item_return (&joiner);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (events->str, ==,
                   "running joiner running-done ~running joiner-done ~joiner after ~after");
}

static void
test_late_earlier_priority (Fixture       *fx,
                            gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  g_auto(RunResult) res = { 0 };

  add_item (fx, &running, G_PRIORITY_DEFAULT);
  add_sync (fx, "low", G_PRIORITY_LOW);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Its group has passed: it joins the group in progress rather than being lost. */
  add_sync (fx, "urgent", G_PRIORITY_HIGH);
  WAIT_FOR (fx->context, has_event ("urgent"));
  g_assert_nonnull (running.task);

  item_return (&running);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpstr (events->str, ==, "running urgent ~urgent running-done ~running low ~low");
}

static void
add_from_cleanup_cb (gpointer data)
{
  Fixture *fx = data;

  note ("adder");
  add_sync (fx, "added", G_PRIORITY_DEFAULT);
}

static void
test_late_added_by_cleanup (Fixture       *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (fx->finalizer, add_from_cleanup_cb, fx, NULL);
  add_sync (fx, "low", G_PRIORITY_LOW);

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "adder added ~added low ~low");
}

static void
test_late_remove_not_started (Fixture       *fx,
                              gconstpointer  data)
{
  Item high = { "high", ACT_HOLD };
  Item never = { "never", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };
  guint id;

  add_item (fx, &high, G_PRIORITY_HIGH);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, high.n_started == 1);

  id = add_item (fx, &never, G_PRIORITY_LOW);
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_cmpuint (never.n_destroyed, ==, 1);

  item_return (&high);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (never.n_started, ==, 0);
  g_assert_cmpuint (never.n_destroyed, ==, 1);
}

static void
test_late_remove_queued (Fixture       *fx,
                         gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  Item queued = { "queued", ACT_SUCCEED };
  g_auto(RunResult) res = { 0 };
  guint id;

  add_item (fx, &running, G_PRIORITY_DEFAULT);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Queued to join the running group, removed before it was started. The group
   * then waits for nothing more than its own. */
  id = add_item (fx, &queued, G_PRIORITY_DEFAULT);
  item_return (&running);
  g_assert_true (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_cmpuint (queued.n_destroyed, ==, 1);

  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (queued.n_started, ==, 0);
  g_assert_cmpuint (queued.n_destroyed, ==, 1);
}

static void
test_late_remove_started (Fixture       *fx,
                          gconstpointer  data)
{
  Item running = { "running", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  guint id, id_sync;

  id = add_item (fx, &running, G_PRIORITY_HIGH);
  id_sync = add_sync (fx, "ran", G_PRIORITY_HIGH);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, running.n_started == 1);

  /* Started or run: FALSE, quietly (a critical would be fatal here), nothing destroyed. */
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id));
  g_assert_false (atexit_loop_finalizer_remove (fx->finalizer, id_sync));
  g_assert_cmpuint (running.n_destroyed, ==, 0);

  item_return (&running);
  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (running.n_destroyed, ==, 1);
}

/* 8. Re-entrance */

static void
test_reentrance_join_async (Fixture       *fx,
                            gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  Item boom = { "boom", ACT_FAIL };
  g_auto(RunResult) res1 = { 0 };
  g_auto(RunResult) res2 = { 0 };
  guint about_to_close = 0;

  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (count_signal_cb),
                    &about_to_close);
  add_item (fx, &boom, G_PRIORITY_DEFAULT);
  add_item (fx, &holder, G_PRIORITY_DEFAULT);

  EXPECT_WARNING ("*boom*");
  start_run (fx, NULL, &res1);
  WAIT_FOR (fx->context, holder.n_started == 1);
  start_run (fx, NULL, &res2);
  item_return (&holder);
  WAIT_FOR (fx->context, res1.done && res2.done);

  /* One run, one result for both callers. */
  g_assert_cmpuint (about_to_close, ==, 1);
  g_assert_cmpuint (boom.n_started, ==, 1);
  g_assert_false (res1.ok);
  g_assert_false (res2.ok);
  g_assert_error (res1.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_error (res2.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_cmpstr (res1.error->message, ==, res2.error->message);

  g_signal_handlers_disconnect_by_data (fx->finalizer, &about_to_close);
}

static void
test_reentrance_join_blocking (Fixture       *fx,
                               gconstpointer  data)
{
  Item holder = { "holder", ACT_HOLD };
  g_auto(RunResult) res = { 0 };
  g_autoptr(GError) error = NULL;

  add_item (fx, &holder, G_PRIORITY_DEFAULT);
  add_sync (fx, "low", G_PRIORITY_LOW);

  start_run (fx, NULL, &res);
  WAIT_FOR (fx->context, holder.n_started == 1);

  /* A blocking run during a run waits for that run. */
  idle_in (fx->context, item_return_cb, &holder);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (has_event ("low"));

  WAIT_FOR (fx->context, res.done);
  g_assert_true (res.ok);
  g_assert_cmpuint (holder.n_started, ==, 1);
}

static void
run_from_handler_cb (AtexitLoopFinalizer *finalizer,
                     gpointer             data)
{
  RunResult *res = data;

  note ("about-to-close");
  atexit_loop_finalizer_run_async (finalizer, NULL, run_done_cb, res);
}

static void
test_reentrance_join_from_signal (Fixture       *fx,
                                  gconstpointer  data)
{
  g_auto(RunResult) res1 = { 0 };
  g_auto(RunResult) res2 = { 0 };

  add_sync (fx, "s", G_PRIORITY_DEFAULT);
  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (run_from_handler_cb), &res2);

  start_run (fx, NULL, &res1);
  WAIT_FOR (fx->context, res1.done && res2.done);
  g_assert_true (res1.ok);
  g_assert_true (res2.ok);
  g_assert_cmpstr (events->str, ==, "about-to-close s ~s");

  g_signal_handlers_disconnect_by_data (fx->finalizer, &res2);
}

/* A blocking run from inside the run itself (an about-to-close handler, a cleanup) cannot
 * wait for a run that waits for it. Whatever it does, join or fail, it must return, and
 * the run must end: no hang, no abort. In a subprocess, so that a hang is a failure. */

typedef struct {
  guint    calls;
  gboolean nested_returned;
} Nested;

static void
nested_run (AtexitLoopFinalizer *finalizer,
            Nested              *nested)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (nested->calls++ > 0)
    return;
  ok = atexit_loop_finalizer_run (finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  nested->nested_returned = TRUE;
}

static void
nested_run_handler_cb (AtexitLoopFinalizer *finalizer,
                       gpointer             data)
{
  nested_run (finalizer, data);
}

typedef struct {
  AtexitLoopFinalizer *finalizer;
  Nested               nested;
} NestedCleanup;

static void
nested_run_cleanup_cb (gpointer data)
{
  NestedCleanup *nc = data;

  nested_run (nc->finalizer, &nc->nested);
}

static void
assert_subprocess_ends (const char *what)
{
  g_test_trap_subprocess (NULL, 5 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (!g_test_trap_has_passed ())
    g_test_fail_printf ("a blocking run from inside %s did not return (%s)", what,
                        g_test_trap_reached_timeout () ? "it hung" : "it crashed");
}

static void
test_reentrance_blocking_in_signal (Fixture       *fx,
                                    gconstpointer  data)
{
  Nested nested = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!g_test_subprocess ())
    {
      assert_subprocess_ends ("an about-to-close handler");
      return;
    }

  atexit_loop_finalizer_set_timeout (fx->finalizer, 100);
  g_signal_connect (fx->finalizer, "about-to-close", G_CALLBACK (nested_run_handler_cb), &nested);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  ok = atexit_loop_finalizer_run (fx->finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  g_assert_true (nested.nested_returned);
  g_assert_cmpstr (events->str, ==, "s ~s");
  g_signal_handlers_disconnect_by_data (fx->finalizer, &nested);
}

static void
test_reentrance_blocking_in_cleanup (Fixture       *fx,
                                     gconstpointer  data)
{
  NestedCleanup nc = { fx->finalizer, { 0 } };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!g_test_subprocess ())
    {
      assert_subprocess_ends ("a cleanup");
      return;
    }

  atexit_loop_finalizer_set_timeout (fx->finalizer, 100);
  atexit_loop_finalizer_add_full (fx->finalizer, "nested", G_PRIORITY_HIGH,
                                       nested_run_cleanup_cb, &nc, NULL);
  add_sync (fx, "s", G_PRIORITY_DEFAULT);

  ok = atexit_loop_finalizer_run (fx->finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  g_assert_true (nc.nested.nested_returned);
  g_assert_true (has_event ("s"));
}

static void
test_reentrance_idle_after_run (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  add_sync (fx, "first", G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  /* Registered after the run: waits for the next one. */
  add_sync (fx, "second", G_PRIORITY_DEFAULT);
  drain (fx->context);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);
  g_assert_cmpstr (events->str, ==, "first ~first");

  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "first ~first second ~second");
}

static void
test_reentrance_run_again (Fixture       *fx,
                           gconstpointer  data)
{
  Item boom = { "boom", ACT_FAIL };
  g_autoptr(GError) error = NULL;

  /* Nothing registered: a run succeeds at once. */
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);

  /* A failed run leaves no trace on the next. */
  add_item (fx, &boom, G_PRIORITY_DEFAULT);
  EXPECT_WARNING ("*boom*");
  g_assert_false (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_clear_error (&error);
  g_test_assert_expected_messages ();

  add_sync (fx, "again", G_PRIORITY_DEFAULT);
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "boom ~boom again ~again");
}

/* 9. Signals */

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
  /* Emitted at the start of every run, empty ones included. */
  g_assert_true (atexit_loop_finalizer_run (fx->finalizer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (events->str, ==, "about-to-close(2) a ~a s ~s about-to-close(0)");

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
  g_assert_cmpstr (events->str, ==,
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

  g_signal_connect (fx->finalizer, "cleanup-finished", G_CALLBACK (on_cleanup_finished), finished);
  atexit_loop_finalizer_set_timeout (fx->finalizer, 50);
  add_item (fx, &ok, G_PRIORITY_HIGH);
  add_item (fx, &bad, G_PRIORITY_DEFAULT);
  add_sync (fx, "plain", G_PRIORITY_DEFAULT);
  add_item (fx, &dropped, G_PRIORITY_DEFAULT_IDLE);
  add_item (fx, &slow, G_PRIORITY_LOW);

  /* Each in its own group, so that the warnings come in order. */
  EXPECT_WARNING ("*bad*");
  EXPECT_WARNING ("*dropped*");
  EXPECT_WARNING ("*slow*");
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
  g_assert_cmpint (f->priority, ==, G_PRIORITY_HIGH);
  g_assert_no_error (f->error);

  f = find_finished (finished, "plain");
  g_assert_nonnull (f);
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

  start_run (fx, cancellable, &res);
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

/* Properties */

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
  g_assert_cmpstr (events->str, ==, "running=1 cleanup running=0");

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

/* 10. Invoked in the finalizer's context */

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
  g_assert_cmpstr (events->str, ==, "registered ~registered");
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
  g_assert_cmpstr (events->str, ==, "~here ~there");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (other_finalizer), ==, 0);

  /* Gone: FALSE, quietly. */
  g_assert_false (atexit_unregister (id_here));
  g_assert_false (atexit_unregister (id_there));

  g_main_context_unref (other);
}

/* atexit_loop_finalizer_quit_loop() */

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
  g_assert_cmpstr (events->str, ==, "flush flush-done ~flush s ~s");
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

  g_string_truncate (events, 0);
  atexit_loop_finalizer_add_async_full (finalizer, flush.name, G_PRIORITY_DEFAULT,
                                  item_cleanup, &flush, item_destroy);
  atexit_register (sync_note_cb, "registered", NULL);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 2);

  g_idle_add (quit_default_cb, loop);
  g_main_loop_run (loop);

  g_assert_cmpstr (events->str, ==, "registered flush flush-done ~flush");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);
}

/* 11. Context death */

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

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  events = g_string_new (NULL);

  ADD ("/atexit/finalizer/order/lifo", test_order_lifo);
  ADD ("/atexit/finalizer/order/priority-groups", test_order_priority_groups);
  ADD ("/atexit/finalizer/order/interleaved", test_order_interleaved);
  ADD ("/atexit/finalizer/order/default-priority", test_order_default_priority);
  ADD ("/atexit/finalizer/order/async-concurrent", test_order_async_concurrent);
  ADD ("/atexit/finalizer/order/group-finishes-first", test_order_group_finishes_first);

  ADD ("/atexit/finalizer/deadline/straggler-named", test_deadline_straggler_named);
  ADD ("/atexit/finalizer/deadline/cancels-group", test_deadline_cancels_group);
  ADD ("/atexit/finalizer/deadline/moves-on", test_deadline_moves_on);
  ADD ("/atexit/finalizer/deadline/late-completion-ignored", test_deadline_late_completion_ignored);
  ADD ("/atexit/finalizer/deadline/failed-and-straggler", test_deadline_failed_and_straggler);
  ADD ("/atexit/finalizer/deadline/zero-is-none", test_deadline_zero_is_none);
  ADD ("/atexit/finalizer/deadline/per-group", test_deadline_per_group);
  ADD ("/atexit/finalizer/deadline/timeout-property", test_deadline_timeout_property);
  ADD ("/atexit/finalizer/deadline/read-per-group", test_deadline_read_per_group);

  ADD ("/atexit/finalizer/cancel/skips-groups", test_cancel_skips_groups);
  ADD ("/atexit/finalizer/cancel/before-start", test_cancel_before_start);
  ADD ("/atexit/finalizer/cancel/from-cleanup", test_cancel_from_cleanup);

  ADD ("/atexit/finalizer/failure/others-still-run", test_failure_others_still_run);
  ADD ("/atexit/finalizer/failure/error-names-all", test_failure_error_names_all);
  ADD ("/atexit/finalizer/failure/return-false", test_failure_return_false);
  ADD ("/atexit/finalizer/failure/unnamed-symbol", test_failure_unnamed_symbol);
  ADD ("/atexit/finalizer/failure/unnamed-id", test_failure_unnamed_id);
  ADD ("/atexit/finalizer/failure/program-failed-before-quit",
       test_failure_program_failed_before_quit);

  ADD ("/atexit/finalizer/dropped/fails-at-once", test_dropped_fails_at_once);
  ADD ("/atexit/finalizer/dropped/later", test_dropped_later);

  ADD ("/atexit/finalizer/once/sync-destroy-after-call", test_once_sync_destroy_after_call);
  ADD ("/atexit/finalizer/once/async-destroy-after-release", test_once_async_destroy_after_release);
  ADD ("/atexit/finalizer/once/runs-once", test_once_runs_once);
  ADD ("/atexit/finalizer/once/straggler-destroy", test_once_straggler_destroy);
  ADD ("/atexit/finalizer/once/same-function-twice", test_once_same_function_twice);
  ADD ("/atexit/finalizer/once/removed", test_once_removed);

  ADD ("/atexit/finalizer/late/own-group", test_late_own_group);
  ADD ("/atexit/finalizer/late/started-at-once", test_late_started_at_once);
  ADD ("/atexit/finalizer/late/earlier-priority", test_late_earlier_priority);
  ADD ("/atexit/finalizer/late/added-by-cleanup", test_late_added_by_cleanup);
  ADD ("/atexit/finalizer/late/remove-not-started", test_late_remove_not_started);
  ADD ("/atexit/finalizer/late/remove-queued", test_late_remove_queued);
  ADD ("/atexit/finalizer/late/remove-started", test_late_remove_started);

  ADD ("/atexit/finalizer/reentrance/join-async", test_reentrance_join_async);
  ADD ("/atexit/finalizer/reentrance/join-blocking", test_reentrance_join_blocking);
  ADD ("/atexit/finalizer/reentrance/join-from-signal", test_reentrance_join_from_signal);
  ADD ("/atexit/finalizer/reentrance/blocking-in-signal", test_reentrance_blocking_in_signal);
  ADD ("/atexit/finalizer/reentrance/blocking-in-cleanup", test_reentrance_blocking_in_cleanup);
  ADD ("/atexit/finalizer/reentrance/idle-after-run", test_reentrance_idle_after_run);
  ADD ("/atexit/finalizer/reentrance/run-again", test_reentrance_run_again);

  ADD ("/atexit/finalizer/signal/about-to-close-first", test_signal_about_to_close_first);
  ADD ("/atexit/finalizer/signal/handler-adds", test_signal_handler_adds);
  ADD ("/atexit/finalizer/signal/cleanup-finished", test_signal_cleanup_finished);
  ADD ("/atexit/finalizer/signal/cleanup-finished-cancelled",
       test_signal_cleanup_finished_cancelled);

  ADD ("/atexit/finalizer/property/pending", test_property_pending);
  ADD ("/atexit/finalizer/property/running", test_property_running);
  ADD ("/atexit/finalizer/property/context", test_property_context);

  ADD ("/atexit/finalizer/invoke/thread-default", test_invoke_thread_default);

  ADD ("/atexit/finalizer/lookup/per-context", test_lookup_per_context);
  g_test_add_func ("/atexit/finalizer/lookup/default", test_lookup_default);
  ADD ("/atexit/finalizer/register/thread-default", test_register_thread_default);
  ADD ("/atexit/finalizer/register/unregister", test_register_unregister);

  ADD ("/atexit/finalizer/quit-loop/runs-then-quits", test_quit_loop_runs_then_quits);
  ADD ("/atexit/finalizer/quit-loop/after-failure", test_quit_loop_after_failure);
  g_test_add_func ("/atexit/finalizer/quit-loop/default-context", test_quit_loop_default_context);

  ADD ("/atexit/finalizer/context-death/warns", test_context_death_warns);
  ADD ("/atexit/finalizer/context-death/quiet-when-empty", test_context_death_quiet_when_empty);
  ADD ("/atexit/finalizer/context-death/run-after", test_context_death_run_after);

  return g_test_run ();
}
