/* test-task-helpers.c: atexit_task_return_on_signal() and atexit_task_return_when()
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <atexit-glib.h>

/* An object to wait on: two properties, a signal without parameters, one with a
 * parameter and a return value, and, on request, a signal emitted from its dispose. */

#define TEST_TYPE_MODEMS (test_modems_get_type ())
G_DECLARE_FINAL_TYPE (TestModems, test_modems, TEST, MODEMS, GObject)

struct _TestModems
{
  GObject  parent_instance;
  int      n_modems;
  int      other;
  gboolean closed_in_dispose;
};

enum { PROP_0, PROP_N_MODEMS, PROP_OTHER, N_PROPS };
enum { SIGNAL_CLOSED, SIGNAL_ASK, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TestModems, test_modems, G_TYPE_OBJECT)

static void
test_modems_dispose (GObject *object)
{
  TestModems *self = TEST_MODEMS (object);

  if (self->closed_in_dispose)
    {
      self->closed_in_dispose = FALSE;
      g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
    }

  G_OBJECT_CLASS (test_modems_parent_class)->dispose (object);
}

static void
test_modems_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TestModems *self = TEST_MODEMS (object);

  switch (prop_id)
    {
    case PROP_N_MODEMS:
      g_value_set_int (value, self->n_modems);
      break;
    case PROP_OTHER:
      g_value_set_int (value, self->other);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_modems_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TestModems *self = TEST_MODEMS (object);

  switch (prop_id)
    {
    case PROP_N_MODEMS:
      self->n_modems = g_value_get_int (value);
      break;
    case PROP_OTHER:
      self->other = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_modems_class_init (TestModemsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = test_modems_dispose;
  object_class->get_property = test_modems_get_property;
  object_class->set_property = test_modems_set_property;

  properties[PROP_N_MODEMS] = g_param_spec_int ("n-modems", NULL, NULL, 0, G_MAXINT, 0,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_OTHER] = g_param_spec_int ("other", NULL, NULL, 0, G_MAXINT, 0,
                                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ASK] = g_signal_new ("ask", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, g_signal_accumulator_true_handled, NULL, NULL,
                                      G_TYPE_BOOLEAN, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
test_modems_init (TestModems *self)
{
}

static TestModems *
modems_new (void)
{
  return g_object_new (TEST_TYPE_MODEMS, NULL);
}

static gboolean
has_handler (gpointer    instance,
             const char *detailed_signal)
{
  guint signal_id;
  GQuark detail;

  g_assert_true (g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance),
                                      &signal_id, &detail, TRUE));
  return g_signal_has_handler_pending (instance, signal_id, detail, FALSE);
}

/* What the task's callback saw. The callback can do the worst a callback may: iterate
 * the context and drop the last reference on the object waited on. */
typedef struct {
  int      n_callbacks;      /* (atomic) */
  gboolean value;
  GError  *error;
  gboolean iterate;
  GObject *drop;             /* (owned) (nullable): dropped by the callback */
} Result;

static void
result_clear (Result *result)
{
  g_clear_error (&result->error);
  g_clear_object (&result->drop);
}

static void
task_returned (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  Result *result = user_data;

  g_assert_cmpint (g_atomic_int_get (&result->n_callbacks), ==, 0);
  result->value = g_task_propagate_boolean (G_TASK (res), &result->error);
  if (result->iterate)
    while (g_main_context_iteration (NULL, FALSE))
      ;
  g_clear_object (&result->drop);
  g_atomic_int_inc (&result->n_callbacks);
}

static GTask *
task_new (GCancellable *cancellable,
          Result       *result)
{
  return g_task_new (NULL, cancellable, task_returned, result);
}

static void
wait_for_result (Result *result)
{
  while (g_atomic_int_get (&result->n_callbacks) == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Whatever is still queued, without blocking: a second return would show here. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* return_on_signal */

static void
test_signal_returns_true (void)
{
  g_autoptr(TestModems) modems = modems_new ();
  Result result = { 0 };

  modems->n_modems = 3;
  atexit_task_return_on_signal (task_new (NULL, &result), modems, "notify::n-modems");
  g_assert_true (has_handler (modems, "notify::n-modems"));

  /* Another property, or another signal, is not the one waited for. */
  g_object_set (modems, "other", 1, NULL);
  g_signal_emit (modems, signals[SIGNAL_CLOSED], 0);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 0);

  g_object_set (modems, "n-modems", 0, NULL);
  wait_for_result (&result);
  g_assert_no_error (result.error);
  g_assert_true (result.value);

  /* Disconnected, and once only. */
  g_assert_false (has_handler (modems, "notify::n-modems"));
  g_object_set (modems, "n-modems", 2, NULL);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);

  /* The weak reference is gone too: finalizing the object is nothing to the wait
   * (were it still there, its notify would touch freed memory). */
  g_clear_object (&modems);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

/* A signal with parameters and a return value: the handler leaves the default value,
 * so the next handler still runs. */
static gboolean
ask_answer (TestModems *modems,
            int         n,
            const char *what,
            gpointer    user_data)
{
  int *asked = user_data;

  (*asked)++;
  return TRUE;
}

static void
test_signal_return_value (void)
{
  g_autoptr(TestModems) modems = modems_new ();
  Result result = { 0 };
  gboolean handled = FALSE;
  int asked = 0;

  atexit_task_return_on_signal (task_new (NULL, &result), modems, "ask");
  g_signal_connect (modems, "ask", G_CALLBACK (ask_answer), &asked);
  g_signal_emit (modems, signals[SIGNAL_ASK], 0, 42, "how many", &handled);

  g_assert_true (handled);
  g_assert_cmpint (asked, ==, 1);
  wait_for_result (&result);
  g_assert_no_error (result.error);
  g_assert_true (result.value);
  result_clear (&result);
}

static void
test_signal_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestModems *modems = modems_new ();
  Result result = { 0 };

  g_object_add_weak_pointer (G_OBJECT (modems), (gpointer *) &modems);
  atexit_task_return_on_signal (task_new (cancellable, &result), modems, "closed");
  g_cancellable_cancel (cancellable);
  wait_for_result (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_false (has_handler (modems, "closed"));
  g_signal_emit (modems, signals[SIGNAL_CLOSED], 0);
  g_object_unref (modems);
  g_assert_null (modems);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

static void
test_signal_already_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TestModems) modems = modems_new ();
  Result result = { 0 };

  g_cancellable_cancel (cancellable);
  atexit_task_return_on_signal (task_new (cancellable, &result), modems, "closed");
  g_assert_false (has_handler (modems, "closed"));
  wait_for_result (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);
}

static void
test_signal_instance_finalized (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestModems *modems = modems_new ();
  Result result = { 0 };

  atexit_task_return_on_signal (task_new (cancellable, &result), modems, "notify::n-modems");
  g_object_unref (modems);
  wait_for_result (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_nonnull (strstr (result.error->message, "TestModems"));
  g_assert_nonnull (strstr (result.error->message, "notify::n-modems"));

  /* The cancellation source went with it. */
  g_cancellable_cancel (cancellable);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

/* Emitted while the object is being disposed, after its weak references were cleared:
 * the signal wins, and the weak notify that follows finds the task taken. */
static void
test_signal_emitted_in_dispose (void)
{
  TestModems *modems = modems_new ();
  Result result = { 0 };

  modems->closed_in_dispose = TRUE;
  atexit_task_return_on_signal (task_new (NULL, &result), modems, "closed");
  g_object_unref (modems);
  wait_for_result (&result);
  g_assert_no_error (result.error);
  g_assert_true (result.value);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

/* The callback drops the last reference on the object and iterates the context: the
 * wait has let go of everything before. */
static void
test_signal_callback_drops_instance (gconstpointer data)
{
  gboolean by_cancellation = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestModems *modems = modems_new ();
  Result result = { 0 };

  g_object_add_weak_pointer (G_OBJECT (modems), (gpointer *) &modems);
  result.iterate = TRUE;
  result.drop = G_OBJECT (modems);
  atexit_task_return_on_signal (task_new (cancellable, &result), modems, "closed");

  if (by_cancellation)
    g_cancellable_cancel (cancellable);
  else
    g_signal_emit (modems, signals[SIGNAL_CLOSED], 0);
  wait_for_result (&result);

  g_assert_null (modems);
  if (by_cancellation)
    g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_no_error (result.error);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

static gpointer
emit_closed_thread (gpointer data)
{
  TestModems *modems = data;

  g_signal_emit (modems, signals[SIGNAL_CLOSED], 0);
  g_object_unref (modems);
  return NULL;
}

static void
test_signal_other_thread (void)
{
  TestModems *modems = modems_new ();
  Result result = { 0 };
  GThread *thread;

  atexit_task_return_on_signal (task_new (NULL, &result), modems, "closed");
  thread = g_thread_new ("emitter", emit_closed_thread, g_object_ref (modems));
  wait_for_result (&result);
  g_thread_join (thread);

  g_assert_no_error (result.error);
  g_assert_true (result.value);
  g_assert_false (has_handler (modems, "closed"));
  g_object_unref (modems);
  result_clear (&result);
}

/* The three ends at once, on three threads: an emission, a cancellation, and the last
 * reference dropped on the emitter's thread or on this one. Whichever wins, the task
 * is returned once, with that end's answer, and the object is finalized (the wait
 * holds no reference). Leaks and double frees are for valgrind and ASan to see. */
typedef struct {
  TestModems   *modems;       /* (owned) */
  GCancellable *cancellable;  /* (owned) */
  gboolean      emit;
} RaceArgs;

static gpointer
race_emit_thread (gpointer data)
{
  RaceArgs *args = data;

  if (args->emit)
    g_signal_emit (args->modems, signals[SIGNAL_CLOSED], 0);
  g_clear_object (&args->modems);
  return NULL;
}

static gpointer
race_cancel_thread (gpointer data)
{
  RaceArgs *args = data;

  g_cancellable_cancel (args->cancellable);
  return NULL;
}

static void
test_signal_race (void)
{
  guint n_signalled = 0, n_cancelled = 0, n_gone = 0;

  for (guint i = 0; i < 300; i++)
    {
      RaceArgs args = { modems_new (), g_cancellable_new (), i % 3 != 0 };
      TestModems *modems = args.modems;
      Result result = { 0 };
      GThread *emitter, *canceller;

      g_object_add_weak_pointer (G_OBJECT (modems), (gpointer *) &modems);
      atexit_task_return_on_signal (task_new (args.cancellable, &result), modems, "closed");

      /* The emitter holds its own reference; this thread's may go first or last. */
      g_object_ref (args.modems);
      emitter = g_thread_new ("emitter", race_emit_thread, &args);
      canceller = g_thread_new ("canceller", race_cancel_thread, &args);
      if (i % 2 == 0)
        g_object_unref (modems);
      wait_for_result (&result);
      g_thread_join (emitter);
      g_thread_join (canceller);
      if (i % 2 != 0)
        g_object_unref (modems);

      drain ();
      g_assert_cmpint (result.n_callbacks, ==, 1);
      g_assert_null (modems);
      if (result.error == NULL)
        {
          g_assert_true (result.value);
          n_signalled++;
        }
      else if (g_error_matches (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        n_cancelled++;
      else
        {
          g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
          n_gone++;
        }

      g_object_unref (args.cancellable);
      result_clear (&result);
    }

  g_test_message ("signalled %u, cancelled %u, instance gone %u", n_signalled, n_cancelled, n_gone);
  g_assert_cmpuint (n_signalled + n_cancelled + n_gone, ==, 300);
}

/* Bad input: a critical, and the task is returned with an error and released, not
 * leaked. */
static void
bad_input_returned (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  int *n = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_false (g_task_propagate_boolean (G_TASK (res), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  (*n)++;
}

static void
test_signal_bad_input (void)
{
  static const struct {
    gboolean    object;
    const char *signal;
    const char *critical;
  } cases[] = {
    { FALSE, "closed", "*G_IS_OBJECT (instance)*" },
    { TRUE, NULL, "*detailed_signal != NULL*" },
    { TRUE, "no-such-signal", "*TestModems has no signal “no-such-signal”*" },
    { TRUE, "closed::detail", "*no signal “closed::detail”*" },
    { TRUE, "notify::", "*no signal “notify::”*" },
  };
  g_autoptr(TestModems) modems = modems_new ();
  GParamSpec *not_an_object = g_param_spec_int ("n", NULL, NULL, 0, 1, 0, G_PARAM_READABLE);
  GTask *tasks[G_N_ELEMENTS (cases) + 1];
  int n_returned = 0;

  g_param_spec_ref_sink (not_an_object);

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*G_IS_TASK (task)*");
  atexit_task_return_on_signal (NULL, modems, "closed");
  g_test_assert_expected_messages ();

  for (gsize i = 0; i < G_N_ELEMENTS (tasks); i++)
    {
      tasks[i] = g_task_new (NULL, NULL, bad_input_returned, &n_returned);
      g_object_add_weak_pointer (G_OBJECT (tasks[i]), (gpointer *) &tasks[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, cases[i].critical);
      atexit_task_return_on_signal (tasks[i], cases[i].object ? (gpointer) modems : not_an_object,
                                    cases[i].signal);
      g_test_assert_expected_messages ();
    }
  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*G_IS_OBJECT (instance)*");
  atexit_task_return_on_signal (tasks[G_N_ELEMENTS (cases)], NULL, "closed");
  g_test_assert_expected_messages ();

  while (n_returned < (int) G_N_ELEMENTS (tasks))
    g_main_context_iteration (NULL, TRUE);
  drain ();
  g_assert_cmpint (n_returned, ==, G_N_ELEMENTS (tasks));
  for (gsize i = 0; i < G_N_ELEMENTS (tasks); i++)
    g_assert_null (tasks[i]);
  g_assert_false (has_handler (modems, "closed"));
  g_param_spec_unref (not_an_object);
}

/* return_when */

typedef struct {
  int           holds;        /* (atomic) */
  int           n_checks;     /* (atomic) */
  int           n_destroyed;  /* (atomic) */
  GCancellable *cancel_in_check;  /* (nullable): the predicate cancels it */
  gboolean      iterate_in_destroy;
} Flag;

static gboolean
flag_holds (gpointer user_data)
{
  Flag *flag = user_data;

  g_assert_cmpint (g_atomic_int_get (&flag->n_destroyed), ==, 0);
  g_atomic_int_inc (&flag->n_checks);
  if (flag->cancel_in_check != NULL)
    g_cancellable_cancel (flag->cancel_in_check);
  return g_atomic_int_get (&flag->holds);
}

static void
flag_destroy (gpointer user_data)
{
  Flag *flag = user_data;

  g_atomic_int_inc (&flag->n_destroyed);
  /* The worst a destroy notify may do where it is called: iterate the context. */
  if (flag->iterate_in_destroy)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
test_when_true_at_once (void)
{
  Flag flag = { .holds = TRUE };
  Result result = { 0 };

  atexit_task_return_when (task_new (NULL, &result), flag_holds, &flag, flag_destroy);
  g_assert_cmpint (flag.n_checks, ==, 1);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  wait_for_result (&result);
  g_assert_no_error (result.error);
  g_assert_true (result.value);

  drain ();
  g_assert_cmpint (flag.n_checks, ==, 1);
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

static gboolean
set_flag_idle (gpointer user_data)
{
  Flag *flag = user_data;

  g_atomic_int_set (&flag->holds, TRUE);
  return G_SOURCE_REMOVE;
}

/* Set in the context, by an idle: the next iteration sees it, long before 100 ms. */
static void
test_when_on_iteration (void)
{
  Flag flag = { 0 };
  Result result = { 0 };
  gint64 start = g_get_monotonic_time ();

  atexit_task_return_when (task_new (NULL, &result), flag_holds, &flag, flag_destroy);
  g_assert_cmpint (flag.n_checks, ==, 1);
  g_idle_add (set_flag_idle, &flag);
  wait_for_result (&result);

  g_assert_no_error (result.error);
  g_assert_true (result.value);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  /* Iterations, not the 100 ms check, found it. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 90 * G_TIME_SPAN_MILLISECOND);
  drain ();
  g_assert_cmpint (result.n_callbacks, ==, 1);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  result_clear (&result);
}

/* The context's polls while a predicate is waited for. */
typedef struct {
  GMutex mutex;
  GCond  cond;
  guint  n_polls;
  int    first_timeout;
  int    min_timeout;
} PollWatch;

static PollWatch poll_watch;

static int
watched_poll (GPollFD *fds,
              guint    nfds,
              int      timeout)
{
  g_mutex_lock (&poll_watch.mutex);
  if (poll_watch.n_polls == 0)
    poll_watch.first_timeout = timeout;
  poll_watch.min_timeout = MIN ((guint) poll_watch.min_timeout, (guint) timeout);
  poll_watch.n_polls++;
  g_cond_broadcast (&poll_watch.cond);
  g_mutex_unlock (&poll_watch.mutex);

  return g_poll (fds, nfds, timeout);
}

/* Sets the flag once the context sleeps, without waking it. */
static gpointer
set_flag_while_polling_thread (gpointer data)
{
  Flag *flag = data;

  g_mutex_lock (&poll_watch.mutex);
  while (poll_watch.n_polls == 0)
    g_cond_wait (&poll_watch.cond, &poll_watch.mutex);
  g_mutex_unlock (&poll_watch.mutex);

  g_atomic_int_set (&flag->holds, TRUE);
  return NULL;
}

static void
test_when_other_thread (void)
{
  Flag flag = { 0 };
  Result result = { 0 };
  GThread *thread;

  drain ();
  poll_watch.n_polls = 0;
  poll_watch.min_timeout = -1;
  g_main_context_set_poll_func (NULL, watched_poll);

  atexit_task_return_when (task_new (NULL, &result), flag_holds, &flag, flag_destroy);
  thread = g_thread_new ("setter", set_flag_while_polling_thread, &flag);
  /* Nothing wakes the context: only the periodic check can end this wait. */
  wait_for_result (&result);
  g_thread_join (thread);
  g_main_context_set_poll_func (NULL, NULL);

  g_assert_no_error (result.error);
  g_assert_true (result.value);
  g_assert_cmpint (flag.n_destroyed, ==, 1);

  /* It slept with a deadline of 100 ms at most, not forever, and not busily: no poll
   * that returned at once, no 10 ms timer, a handful of polls and checks. */
  g_test_message ("%u polls, first timeout %d ms, shortest %d ms, %d checks",
                  poll_watch.n_polls, poll_watch.first_timeout, poll_watch.min_timeout,
                  flag.n_checks);
  g_assert_cmpint (poll_watch.first_timeout, >, 50);
  g_assert_cmpint (poll_watch.first_timeout, <=, 100);
  g_assert_cmpint (poll_watch.min_timeout, >, 50);
  g_assert_cmpuint (poll_watch.n_polls, <=, 3);
  g_assert_cmpint (flag.n_checks, <=, 10);
  result_clear (&result);
}

static gboolean
cancel_idle (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_when_cancelled (gconstpointer data)
{
  gboolean worst = GPOINTER_TO_INT (data);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Flag flag = { 0 };
  Result result = { 0 };
  int n_checks;

  flag.iterate_in_destroy = worst;
  result.iterate = worst;
  atexit_task_return_when (task_new (cancellable, &result), flag_holds, &flag, flag_destroy);
  g_idle_add_full (G_PRIORITY_DEFAULT, cancel_idle, g_object_ref (cancellable), g_object_unref);
  wait_for_result (&result);

  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (flag.n_destroyed, ==, 1);

  /* Not called again, even where it would now hold. */
  n_checks = flag.n_checks;
  g_atomic_int_set (&flag.holds, TRUE);
  drain ();
  g_assert_cmpint (flag.n_checks, ==, n_checks);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  g_assert_cmpint (result.n_callbacks, ==, 1);
  result_clear (&result);
}

static gpointer
cancel_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelled on another thread: the cancellation wakes the context, which returns the
 * task there. */
static void
test_when_cancelled_from_thread (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Flag flag = { 0 };
  Result result = { 0 };
  GThread *thread;

  atexit_task_return_when (task_new (cancellable, &result), flag_holds, &flag, flag_destroy);
  thread = g_thread_new ("canceller", cancel_thread, cancellable);
  wait_for_result (&result);
  g_thread_join (thread);

  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  result_clear (&result);
}

typedef struct {
  GTask *task;   /* (owned): handed over to the helper */
  Flag  *flag;
} HandOver;

static gpointer
return_when_thread (gpointer data)
{
  HandOver *hand_over = data;

  atexit_task_return_when (g_steal_pointer (&hand_over->task), flag_holds, hand_over->flag,
                           flag_destroy);
  return NULL;
}

/* A cleanup that hands its task to a worker, which calls the helper: the first check
 * runs there, the others in the task's context. */
static void
test_when_called_from_thread (void)
{
  Flag flag = { 0 };
  Result result = { 0 };
  HandOver hand_over = { task_new (NULL, &result), &flag };

  g_thread_join (g_thread_new ("worker", return_when_thread, &hand_over));
  g_assert_cmpint (flag.n_checks, ==, 1);
  g_idle_add (set_flag_idle, &flag);
  wait_for_result (&result);

  g_assert_no_error (result.error);
  g_assert_true (result.value);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  result_clear (&result);
}

static void
test_when_already_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Flag flag = { .holds = TRUE };
  Result result = { 0 };

  g_cancellable_cancel (cancellable);
  atexit_task_return_when (task_new (cancellable, &result), flag_holds, &flag, flag_destroy);
  g_assert_cmpint (flag.n_checks, ==, 0);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  wait_for_result (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  result_clear (&result);
}

/* The predicate cancels the task itself, from the context's prepare phase: the
 * cancellation wins over a predicate that holds. */
static void
test_when_predicate_cancels (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Flag flag = { 0 };
  Result result = { 0 };

  atexit_task_return_when (task_new (cancellable, &result), flag_holds, &flag, flag_destroy);
  flag.cancel_in_check = cancellable;
  g_atomic_int_set (&flag.holds, TRUE);
  wait_for_result (&result);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  result_clear (&result);
}

static void
test_when_bad_input (void)
{
  Flag flag = { 0 };
  int n_returned = 0;
  GTask *task;

  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*G_IS_TASK (task)*");
  atexit_task_return_when (NULL, flag_holds, &flag, NULL);
  g_test_assert_expected_messages ();

  task = g_task_new (NULL, NULL, bad_input_returned, &n_returned);
  g_object_add_weak_pointer (G_OBJECT (task), (gpointer *) &task);
  g_test_expect_message ("Atexit", G_LOG_LEVEL_CRITICAL, "*predicate != NULL*");
  atexit_task_return_when (task, NULL, &flag, flag_destroy);
  g_test_assert_expected_messages ();
  g_assert_cmpint (flag.n_destroyed, ==, 1);

  while (n_returned < 1)
    g_main_context_iteration (NULL, TRUE);
  drain ();
  g_assert_cmpint (n_returned, ==, 1);
  g_assert_null (task);
}

/* As real cleanups, through a finalizer's run */

static gboolean
no_more_modems_idle (gpointer data)
{
  g_object_set (data, "n-modems", 0, NULL);
  return G_SOURCE_REMOVE;
}

static void
stop_modems (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  atexit_task_return_on_signal (task, user_data, "notify::n-modems");
  g_idle_add_full (G_PRIORITY_DEFAULT, no_more_modems_idle, g_object_ref (user_data),
                   g_object_unref);
}

static gpointer
set_flag_thread (gpointer data)
{
  Flag *flag = data;

  g_atomic_int_set (&flag->holds, TRUE);
  return NULL;
}

static void
drain_flag (AtexitLoopFinalizer *finalizer,
            GTask               *task,
            gpointer             user_data)
{
  Flag *flag = user_data;

  atexit_task_return_when (task, flag_holds, flag, flag_destroy);
  g_thread_unref (g_thread_new ("setter", set_flag_thread, flag));
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} RunResult;

static void
run_done (GObject      *object,
          GAsyncResult *res,
          gpointer      user_data)
{
  RunResult *run = user_data;

  run->ok = atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), res, &run->error);
  run->done = TRUE;
}

static void
test_cleanup_completes (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(TestModems) modems = modems_new ();
  Flag flag = { 0 };
  RunResult run = { 0 };

  modems->n_modems = 2;
  atexit_loop_finalizer_add_async_full (finalizer, "modems", G_PRIORITY_DEFAULT, stop_modems,
                                        g_object_ref (modems), g_object_unref);
  atexit_loop_finalizer_add_async_full (finalizer, "flag", G_PRIORITY_LOW, drain_flag,
                                        &flag, NULL);
  atexit_loop_finalizer_run_async (finalizer, NULL, run_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpint (modems->n_modems, ==, 0);
  g_assert_false (has_handler (modems, "notify::n-modems"));
  g_assert_true (g_atomic_int_get (&flag.holds));
  g_assert_cmpint (flag.n_destroyed, ==, 1);
}

static void
wait_forever (AtexitLoopFinalizer *finalizer,
              GTask               *task,
              gpointer             user_data)
{
  Flag *flag = user_data;

  atexit_task_return_when (task, flag_holds, flag, flag_destroy);
}

static void
wait_for_closed (AtexitLoopFinalizer *finalizer,
                 GTask               *task,
                 gpointer             user_data)
{
  atexit_task_return_on_signal (task, user_data, "closed");
}

/* Neither end comes: the deadline cancels both waits, which end at once and release
 * what they hold; the run names both. */
static void
test_cleanup_deadline (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(TestModems) modems = modems_new ();
  Flag flag = { 0 };
  RunResult run = { 0 };

  atexit_loop_finalizer_set_timeout (finalizer, 20);
  atexit_loop_finalizer_add_async_full (finalizer, "never true", G_PRIORITY_DEFAULT,
                                        wait_forever, &flag, NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "never closed", G_PRIORITY_DEFAULT,
                                        wait_for_closed, modems, NULL);
  atexit_loop_finalizer_run_async (finalizer, NULL, run_done, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  atexit_loop_finalizer_set_timeout (finalizer, ATEXIT_DEFAULT_TIMEOUT);
  drain ();

  g_assert_false (run.ok);
  g_assert_nonnull (run.error);
  g_assert_nonnull (strstr (run.error->message, "never true"));
  g_assert_nonnull (strstr (run.error->message, "never closed"));
  g_assert_cmpint (flag.n_destroyed, ==, 1);
  g_assert_false (has_handler (modems, "closed"));
  g_clear_error (&run.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/task/on-signal/returns-true-once", test_signal_returns_true);
  g_test_add_func ("/atexit/task/on-signal/return-value-left-default", test_signal_return_value);
  g_test_add_func ("/atexit/task/on-signal/cancelled", test_signal_cancelled);
  g_test_add_func ("/atexit/task/on-signal/already-cancelled", test_signal_already_cancelled);
  g_test_add_func ("/atexit/task/on-signal/instance-finalized", test_signal_instance_finalized);
  g_test_add_func ("/atexit/task/on-signal/emitted-in-dispose", test_signal_emitted_in_dispose);
  g_test_add_data_func ("/atexit/task/on-signal/callback-drops-instance/signal",
                        GINT_TO_POINTER (FALSE), test_signal_callback_drops_instance);
  g_test_add_data_func ("/atexit/task/on-signal/callback-drops-instance/cancelled",
                        GINT_TO_POINTER (TRUE), test_signal_callback_drops_instance);
  g_test_add_func ("/atexit/task/on-signal/other-thread", test_signal_other_thread);
  g_test_add_func ("/atexit/task/on-signal/race/returned-once", test_signal_race);
  g_test_add_func ("/atexit/task/on-signal/bad-input", test_signal_bad_input);

  g_test_add_func ("/atexit/task/when/true-at-once", test_when_true_at_once);
  g_test_add_func ("/atexit/task/when/checked-on-iteration", test_when_on_iteration);
  g_test_add_func ("/atexit/task/when/other-thread/checked-every-100ms", test_when_other_thread);
  g_test_add_data_func ("/atexit/task/when/cancelled", GINT_TO_POINTER (FALSE),
                        test_when_cancelled);
  g_test_add_data_func ("/atexit/task/when/cancelled/destroy-and-callback-iterate",
                        GINT_TO_POINTER (TRUE), test_when_cancelled);
  g_test_add_func ("/atexit/task/when/cancelled/from-another-thread",
                   test_when_cancelled_from_thread);
  g_test_add_func ("/atexit/task/when/called-from-another-thread", test_when_called_from_thread);
  g_test_add_func ("/atexit/task/when/already-cancelled", test_when_already_cancelled);
  g_test_add_func ("/atexit/task/when/predicate-cancels", test_when_predicate_cancels);
  g_test_add_func ("/atexit/task/when/bad-input", test_when_bad_input);

  g_test_add_func ("/atexit/task/cleanup/completes-the-run", test_cleanup_completes);
  g_test_add_func ("/atexit/task/cleanup/deadline-cancels-the-wait", test_cleanup_deadline);

  return g_test_run ();
}
