/* test-util.h: what the C test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * Tests wait on the loop, never on the clock; they expect the library's warnings one
 * by one with EXPECT_WARNING (any other warning is fatal, as g_test_init() makes it);
 * and they use only the public API.
 */

#pragma once

#include <atexit-glib.h>

G_BEGIN_DECLS

/* Waiting */

/* Iterates @context until @condition holds. */
#define WAIT_FOR(context, condition) \
  G_STMT_START { \
    while (!(condition)) \
      g_main_context_iteration ((context), TRUE); \
  } G_STMT_END

/* Iterates @context until nothing is ready any more. */
void      drain        (GMainContext *context);
/* Attaches an idle that calls @func (@data) to @context. */
void      idle_in      (GMainContext *context,
                        GSourceFunc   func,
                        gpointer      data);
/* A GSourceFunc that sets the gboolean @data points to. */
gboolean  set_flag_cb  (gpointer      data);

/* A timer as long as a deadline that must not be waited for: it sets *fired. A run that
 * ends before it fires did not wait for that deadline. */
typedef GSource Guard;

Guard    *guard_new    (GMainContext *context,
                        guint         ms,
                        gboolean     *fired);
void      guard_free   (Guard        *guard);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guard, guard_free)

/* Warnings */

/* Expects one warning of the library, in order: g_test_expect_message() is a queue.
 * g_test_assert_expected_messages() (the fixture's tear-down calls it) checks that it
 * came. */
#define EXPECT_WARNING(pattern) \
  g_test_expect_message ("Atexit", G_LOG_LEVEL_WARNING, (pattern))
/* The library's report of a resource its owner never closed is a message. */
#define EXPECT_UNCLOSED(pattern) \
  g_test_expect_message ("Atexit", G_LOG_LEVEL_MESSAGE, "Unclosed resource: " pattern)

/* The event log: what ran, in which order, as words separated by spaces. "~name" is
 * name's destroy notify. */

void        note             (const char *format,
                              ...) G_GNUC_PRINTF (1, 2);
gboolean    has_event        (const char *event);
const char *event_log        (void);
void        event_log_clear  (void);
/* A sync cleanup and a destroy notify that note @data, a string. */
void        sync_note_cb     (gpointer    data);
void        destroy_note_cb  (gpointer    data);

/* Async cleanups that behave as told */

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

/* The AtexitCleanupFunc and destroy notify of an Item (@data). */
void      item_cleanup    (AtexitLoopFinalizer *finalizer,
                           GTask               *task,
                           gpointer             data);
void      item_destroy    (gpointer             data);
/* Completes the task @item holds, with TRUE (noting "name-done") or an error. */
void      item_return     (Item                *item);
void      item_fail       (Item                *item);
/* item_return() as a GSourceFunc. */
gboolean  item_return_cb  (gpointer             data);

/* The fixture: a fresh context per test, pushed as the thread default, and its
 * finalizer. The tear-down checks the expected warnings came, nothing is left pending
 * or running, and the finalizer went with its context. */

typedef struct {
  GMainContext        *context;
  AtexitLoopFinalizer *finalizer;
  GWeakRef             finalizer_ref;  /* thread-safe: GIO's threads may drop the last ref */
} Fixture;

void      fixture_set_up     (Fixture       *fx,
                              gconstpointer  data);
void      fixture_tear_down  (Fixture       *fx,
                              gconstpointer  data);
/* The same, without the finalizer's lifetime, for tests whose GIO operations run in
 * GIO's own threads (a threaded flush, a child watch): such a thread may hold the
 * context, and so the finalizer, for a moment after the test has ended. */
void      fixture_tear_down_threaded_io  (Fixture       *fx,
                                          gconstpointer  data);

#define ADD_TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
#define ADD_THREADED_IO_TEST(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down_threaded_io)

/* Registers @item (item_cleanup), or a sync cleanup that notes @name (sync_note_cb and
 * destroy_note_cb), in @priority's group of the fixture's finalizer. */
guint     add_item           (Fixture       *fx,
                              Item          *item,
                              int            priority);
guint     add_sync           (Fixture       *fx,
                              const char    *name,
                              int            priority);

/* Runs */

/* The result of a run_async, filled in by run_done_cb. */
typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} RunResult;

void      run_result_clear   (RunResult    *res);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunResult, run_result_clear)

/* The GAsyncReadyCallback of a run: @data is a RunResult. */
void      run_done_cb        (GObject      *object,
                              GAsyncResult *result,
                              gpointer      data);
/* Starts a run of @finalizer; its result comes to the thread-default context. */
void      start_run          (AtexitLoopFinalizer *finalizer,
                              GCancellable        *cancellable,
                              RunResult           *res);
/* start_run(), then iterates the thread-default context until the result is in. */
void      run_and_wait       (AtexitLoopFinalizer *finalizer,
                              GCancellable        *cancellable,
                              RunResult           *res);
/* A blocking run of @finalizer; returns its error, NULL when it succeeded. */
GError   *run_blocking       (AtexitLoopFinalizer *finalizer);

/* The run's error names @name, or does not. */
void      assert_message_names          (const GError *error,
                                         const char   *name);
void      assert_message_does_not_name  (const GError *error,
                                         const char   *name);

/* A "cleanup-finished" recorder: connect on_cleanup_finished with a GPtrArray of
 * Finished (free func finished_free) as its data. */

typedef struct {
  guint    id;
  char    *name;
  int      priority;
  gint64   duration_us;
  GError  *error;
  GThread *thread;
} Finished;

void      finished_free        (gpointer             data);
void      on_cleanup_finished  (AtexitLoopFinalizer *finalizer,
                                guint                id,
                                const char          *name,
                                int                  priority,
                                gint64               duration_us,
                                const GError        *error,
                                gpointer             data);
/* The report of @name; asserts it was reported exactly once. */
Finished *find_finished        (GPtrArray           *finished,
                                const char          *name);

G_END_DECLS
