/* test-util.c: what the C test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>

#include "test-util.h"

/* Waiting */

void
drain (GMainContext *context)
{
  while (g_main_context_iteration (context, FALSE))
    ;
}

void
idle_in (GMainContext *context,
         GSourceFunc   func,
         gpointer      data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
}

gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

Guard *
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

void
guard_free (Guard *guard)
{
  g_source_destroy (guard);
  g_source_unref (guard);
}

/* The event log */

static GString *events;

static GString *
events_get (void)
{
  if (events == NULL)
    events = g_string_new (NULL);
  return events;
}

void
note (const char *format,
      ...)
{
  GString *log = events_get ();
  va_list args;

  if (log->len > 0)
    g_string_append_c (log, ' ');
  va_start (args, format);
  g_string_append_vprintf (log, format, args);
  va_end (args);
}

gboolean
has_event (const char *event)
{
  g_auto(GStrv) words = g_strsplit (events_get ()->str, " ", -1);

  return g_strv_contains ((const char * const *) words, event);
}

const char *
event_log (void)
{
  return events_get ()->str;
}

void
event_log_clear (void)
{
  g_string_truncate (events_get (), 0);
}

void
sync_note_cb (gpointer data)
{
  note ("%s", (const char *) data);
}

void
destroy_note_cb (gpointer data)
{
  note ("~%s", (const char *) data);
}

/* Async cleanups that behave as told */

void
item_return (Item *item)
{
  GTask *task = g_steal_pointer (&item->task);

  g_assert_nonnull (task);
  note ("%s-done", item->name);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
item_fail (Item *item)
{
  GTask *task = g_steal_pointer (&item->task);

  g_assert_nonnull (task);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s broke", item->name);
  g_object_unref (task);
}

gboolean
item_return_cb (gpointer data)
{
  item_return (data);
  return G_SOURCE_REMOVE;
}

void
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

void
item_destroy (gpointer data)
{
  Item *item = data;

  item->n_destroyed++;
  note ("~%s", item->name);
}

/* The fixture */

void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  event_log_clear ();

  fx->context = g_main_context_new ();
  g_main_context_push_thread_default (fx->context);
  fx->finalizer = atexit_loop_finalizer_get_for_context (fx->context);
  g_assert_true (ATEXIT_IS_LOOP_FINALIZER (fx->finalizer));
  g_weak_ref_init (&fx->finalizer_ref, fx->finalizer);
}

static void
tear_down (Fixture *fx)
{
  g_test_assert_expected_messages ();
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 0);
  g_assert_false (atexit_loop_finalizer_get_running (fx->finalizer));

  drain (fx->context);
  g_main_context_pop_thread_default (fx->context);
  g_main_context_unref (fx->context);
}

void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(AtexitLoopFinalizer) alive = NULL;

  tear_down (fx);
  /* The finalizer lives exactly as long as its context. */
  alive = g_weak_ref_get (&fx->finalizer_ref);
  g_assert_null (alive);
  g_weak_ref_clear (&fx->finalizer_ref);
}

void
fixture_tear_down_threaded_io (Fixture       *fx,
                               gconstpointer  data)
{
  tear_down (fx);
  g_weak_ref_clear (&fx->finalizer_ref);
}

guint
add_item (Fixture *fx,
          Item    *item,
          int      priority)
{
  return atexit_loop_finalizer_add_async_full (fx->finalizer, item->name, priority,
                                               item_cleanup, item, item_destroy);
}

guint
add_sync (Fixture    *fx,
          const char *name,
          int         priority)
{
  return atexit_loop_finalizer_add_full (fx->finalizer, name, priority,
                                         sync_note_cb, (gpointer) name, destroy_note_cb);
}

/* Runs */

void
run_result_clear (RunResult *res)
{
  g_clear_error (&res->error);
}

void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  RunResult *res = data;

  g_assert_false (res->done);
  res->ok = atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &res->error);
  res->done = TRUE;
}

void
start_run (AtexitLoopFinalizer *finalizer,
           GCancellable        *cancellable,
           RunResult           *res)
{
  atexit_loop_finalizer_run_async (finalizer, cancellable, run_done_cb, res);
}

void
run_and_wait (AtexitLoopFinalizer *finalizer,
              GCancellable        *cancellable,
              RunResult           *res)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  start_run (finalizer, cancellable, res);
  WAIT_FOR (context, res->done);
}

GError *
run_blocking (AtexitLoopFinalizer *finalizer)
{
  GError *error = NULL;
  gboolean ok;

  ok = atexit_loop_finalizer_run (finalizer, NULL, &error);
  g_assert_true (ok == (error == NULL));
  return error;
}

void
assert_message_names (const GError *error,
                      const char   *name)
{
  g_assert_nonnull (error);
  if (strstr (error->message, name) == NULL)
    g_error ("“%s” is not named in the run's error: %s", name, error->message);
}

void
assert_message_does_not_name (const GError *error,
                              const char   *name)
{
  g_assert_nonnull (error);
  if (strstr (error->message, name) != NULL)
    g_error ("“%s” is named in the run's error but did not fail: %s", name, error->message);
}

/* The "cleanup-finished" recorder */

void
finished_free (gpointer data)
{
  Finished *f = data;

  g_free (f->name);
  g_clear_error (&f->error);
  g_free (f);
}

void
on_cleanup_finished (AtexitLoopFinalizer *finalizer,
                     guint                id,
                     const char          *name,
                     int                  priority,
                     gint64               duration_us,
                     const GError        *error,
                     gpointer             data)
{
  GPtrArray *finished = data;
  Finished *f = g_new0 (Finished, 1);

  f->id = id;
  f->name = g_strdup (name);
  f->priority = priority;
  f->duration_us = duration_us;
  f->error = error != NULL ? g_error_copy (error) : NULL;
  f->thread = g_thread_self ();
  g_ptr_array_add (finished, f);
}

Finished *
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
  if (found == NULL)
    g_error ("no cleanup named “%s” was reported", name);

  return found;
}
