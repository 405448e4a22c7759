/* lifetimes.c: what outlives what: stragglers' tasks, dropped groups, objects their
 * owners close or drop on other threads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>

#include <glib/gstdio.h>

#include "test-util.h"

typedef struct {
  GMutex   lock;
  GCond    cond;
  GTask   *task;
  gboolean go;
  gboolean done;
  guint    destroyed;   /* atomic */
} Straggler;

static void
straggler_set (Straggler *s,
               gboolean  *flag)
{
  g_mutex_lock (&s->lock);
  *flag = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
straggler_wait (Straggler *s,
                gboolean  *flag)
{
  g_mutex_lock (&s->lock);
  while (!*flag)
    g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
}

static gpointer
straggler_drop_thread (gpointer data)
{
  Straggler *s = data;

  straggler_wait (s, &s->go);
  g_object_unref (g_steal_pointer (&s->task));
  straggler_set (s, &s->done);

  return NULL;
}

static void
straggler_keep (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  Straggler *s = data;

  s->task = task;
}

static void
straggler_destroy (gpointer data)
{
  g_atomic_int_inc (&((Straggler *) data)->destroyed);
}

static void
context_gone (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* A straggler's task dropped on a worker after the run ended, once the owner has
 * stopped iterating: when the owner drops its context, the context is freed and the
 * destroy notify is called, instead of both being kept forever. */
static void
test_straggler_dropped_after_owner_stopped (void)
{
  GMainContext *context = g_main_context_new ();
  AtexitLoopFinalizer *finalizer;
  Straggler s = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean freed = FALSE;
  GSource *watch;
  GThread *thread;

  g_mutex_init (&s.lock);
  g_cond_init (&s.cond);
  g_main_context_push_thread_default (context);
  finalizer = atexit_loop_finalizer_get_for_context (context);

  /* Tells when the context is finalized: it destroys its sources then. */
  watch = g_timeout_source_new_seconds (3600);
  g_source_set_callback (watch, G_SOURCE_FUNC (g_source_remove), &freed, context_gone);
  g_source_attach (watch, context);
  g_source_unref (watch);

  atexit_loop_finalizer_set_timeout (finalizer, 10);
  atexit_loop_finalizer_add_async_full (finalizer, "straggler", G_PRIORITY_DEFAULT,
                                        straggler_keep, &s, straggler_destroy);
  g_assert_false (atexit_loop_finalizer_run (finalizer, NULL, &error));
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);

  /* The owner no longer iterates; a worker drops the task. */
  thread = g_thread_new ("dropper", straggler_drop_thread, &s);
  straggler_set (&s, &s.go);
  straggler_wait (&s, &s.done);
  g_thread_join (thread);
  g_assert_cmpuint (g_atomic_int_get (&s.destroyed), ==, 0);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  g_assert_true (freed);
  g_assert_cmpuint (g_atomic_int_get (&s.destroyed), ==, 1);
  g_mutex_clear (&s.lock);
  g_cond_clear (&s.cond);
}

/* A group dropped with add_object registrations and cleanups: its finalizer goes with
 * it, and every destroy notify is called. */
static void
test_group_dropped_with_objects (Fixture       *fx,
                                 gconstpointer  data)
{
  AtexitGroup *group = atexit_group_new (fx->finalizer, "plugin", G_PRIORITY_DEFAULT);
  AtexitLoopFinalizer *inner = atexit_group_get_finalizer (group);
  g_autoptr(GCancellable) first = g_cancellable_new ();
  g_autoptr(GCancellable) second = g_cancellable_new ();

  g_object_add_weak_pointer (G_OBJECT (inner), (gpointer *) &inner);
  g_assert_cmpuint (atexit_loop_finalizer_add_object (inner, G_OBJECT (first)), !=, 0);
  g_assert_cmpuint (atexit_loop_finalizer_add_object (inner, G_OBJECT (second)), !=, 0);
  atexit_loop_finalizer_add (inner, sync_note_cb, (gpointer) "never", destroy_note_cb);

  g_object_unref (group);

  g_assert_null (inner);
  g_assert_cmpstr (event_log (), ==, "~never");
  g_assert_false (g_cancellable_is_cancelled (first));
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
}

/* A group's cleanups registered after its parent's first run still run with the
 * parent's next one, and the parent counts them as pending meanwhile (so that a report
 * at exit names the group). */
static void
test_group_after_parent_ran (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(AtexitGroup) group = atexit_group_new (fx->finalizer, "plugin", G_PRIORITY_DEFAULT);
  AtexitLoopFinalizer *inner = atexit_group_get_finalizer (group);
  g_autoptr(GError) error = NULL;

  atexit_loop_finalizer_add (inner, sync_note_cb, (gpointer) "first", destroy_note_cb);
  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpstr (event_log (), ==, "first ~first");
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);

  atexit_loop_finalizer_add (inner, sync_note_cb, (gpointer) "second", destroy_note_cb);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);
  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpstr (event_log (), ==, "first ~first second ~second");

  /* The group's own run leaves the parent's cleanup for it in place, empty. */
  atexit_loop_finalizer_add (inner, sync_note_cb, (gpointer) "third", destroy_note_cb);
  g_assert_true (atexit_group_run (group, NULL, &error));
  g_assert_cmpstr (event_log (), ==, "first ~first second ~second third ~third");
  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpstr (event_log (), ==, "first ~first second ~second third ~third");
}

/* The same object registered twice is closed once, and the run succeeds. */
static void
test_object_registered_twice (Fixture       *fx,
                              gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  fd = g_file_open_tmp ("atexit-twice-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (G_OUTPUT_STREAM (stream), "x", 1, NULL, NULL, &error);
  g_assert_no_error (error);

  atexit_loop_finalizer_add_object (fx->finalizer, G_OBJECT (stream));
  atexit_loop_finalizer_add_object (fx->finalizer, G_OBJECT (stream));
  EXPECT_UNCLOSED ("GLocalFileOutputStream *");

  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_true (g_output_stream_is_closed (G_OUTPUT_STREAM (stream)));
  g_unlink (path);
}

/* Two pairs on one object, a flush then a close: each is the caller's own operation,
 * and both run. */

static guint n_pair_starts;

static void
flush_start (gpointer             object,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             data)
{
  n_pair_starts++;
  g_output_stream_flush_async (object, G_PRIORITY_DEFAULT, cancellable, callback, data);
}

static gboolean
flush_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return g_output_stream_flush_finish (object, result, error);
}

static void
close_start (gpointer             object,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             data)
{
  n_pair_starts++;
  g_output_stream_close_async (object, G_PRIORITY_DEFAULT, cancellable, callback, data);
}

static gboolean
close_finish (gpointer       object,
              GAsyncResult  *result,
              GError       **error)
{
  return g_output_stream_close_finish (object, result, error);
}

static void
test_two_pairs_on_one_object (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  n_pair_starts = 0;
  atexit_loop_finalizer_add_async_pair (fx->finalizer, G_OBJECT (stream), "close",
                                        G_PRIORITY_LOW, close_start, close_finish);
  atexit_loop_finalizer_add_async_pair (fx->finalizer, G_OBJECT (stream), "flush",
                                        G_PRIORITY_HIGH, flush_start, flush_finish);

  g_assert_null ((error = run_blocking (fx->finalizer)));
  g_assert_cmpuint (n_pair_starts, ==, 2);
  g_assert_true (g_output_stream_is_closed (stream));
}

/* Objects their owners close on another thread while the run closes them: the run
 * succeeds, and warns only of the ones it closed itself. */

typedef struct {
  GOutputStream *stream;
  GMutex         lock;
  GCond          cond;
  gboolean       go;
  gboolean       owner_first;  /* the run waits until the owner has closed it */
  gboolean       closed;
} Racer;

static gpointer
racer_thread (gpointer data)
{
  Racer *r = data;

  g_mutex_lock (&r->lock);
  while (!r->go)
    g_cond_wait (&r->cond, &r->lock);
  g_mutex_unlock (&r->lock);

  /* Its owner closes it; it may find the run's close under way. */
  g_output_stream_close (r->stream, NULL, NULL);
  g_mutex_lock (&r->lock);
  r->closed = TRUE;
  g_cond_broadcast (&r->cond);
  g_mutex_unlock (&r->lock);
  return NULL;
}

static void
start_racers (gpointer data)
{
  Racer *r = data;

  g_mutex_lock (&r->lock);
  r->go = TRUE;
  g_cond_broadcast (&r->cond);
  while (r->owner_first && !r->closed)
    g_cond_wait (&r->cond, &r->lock);
  g_mutex_unlock (&r->lock);
}

/* Counts the library's messages: only "Unclosed resource" ones may come here. */
static void
count_unclosed (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        data)
{
  g_assert_true (g_str_has_prefix (message, "Unclosed resource: GMemoryOutputStream"));
  g_atomic_int_inc ((int *) data);
}

static void
test_objects_closed_by_owner_meanwhile (Fixture       *fx,
                                        gconstpointer  data)
{
  int warnings = 0;
  guint handler = g_log_set_handler ("Atexit", G_LOG_LEVEL_MESSAGE, count_unclosed, &warnings);

  for (guint round = 0; round < 50; round++)
    {
      Racer r = { NULL };
      g_autoptr(GError) error = NULL;
      GThread *thread;

      g_mutex_init (&r.lock);
      g_cond_init (&r.cond);
      r.owner_first = round % 2 == 0;
      r.stream = g_memory_output_stream_new_resizable ();
      atexit_loop_finalizer_add_object (fx->finalizer, G_OBJECT (r.stream));
      /* Starts the owner's close at the run's start, just before the run's own. */
      atexit_loop_finalizer_add_full (fx->finalizer, "start", G_PRIORITY_DEFAULT,
                                      start_racers, &r, NULL);
      thread = g_thread_new ("owner", racer_thread, &r);

      /* Whoever closes it, the run succeeds: closed is what was wanted. A warning
       * comes only where the run did close it (a race it may win or lose), so none
       * but that one is allowed. */
      g_assert_null ((error = run_blocking (fx->finalizer)));
      g_thread_join (thread);
      g_assert_true (g_output_stream_is_closed (r.stream));
      g_object_unref (r.stream);
      g_mutex_clear (&r.lock);
      g_cond_clear (&r.cond);
      /* Closed by its owner first: nothing to close, and nothing to warn of. */
      g_assert_cmpint (g_atomic_int_get (&warnings), <=, (int) (round + 1) / 2);
    }
  g_log_remove_handler ("Atexit", handler);
  g_test_message ("the run closed %d of the 25 it raced for", warnings);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/lifetimes/straggler/dropped-after-owner-stopped",
                   test_straggler_dropped_after_owner_stopped);
  ADD_TEST ("/atexit/lifetimes/group/dropped-with-objects", test_group_dropped_with_objects);
  ADD_TEST ("/atexit/lifetimes/group/after-parent-ran", test_group_after_parent_ran);
  ADD_THREADED_IO_TEST ("/atexit/lifetimes/object/registered-twice", test_object_registered_twice);
  ADD_THREADED_IO_TEST ("/atexit/lifetimes/object/two-pairs", test_two_pairs_on_one_object);
  ADD_THREADED_IO_TEST ("/atexit/lifetimes/object/closed-by-owner-meanwhile",
                        test_objects_closed_by_owner_meanwhile);

  return g_test_run ();
}
