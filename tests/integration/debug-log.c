/* debug-log.c: with debug output on, each cleanup's start, end and duration are logged
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include "test-util.h"

/* The library's debug messages, in order. A writer keeps them so that the tests can
 * count them: g_test_expect_message() would take each from the front of a queue, and
 * could not tell that none came twice. Warnings are left to it and stay fatal. */
static GPtrArray *debug_messages;

static GLogWriterOutput
debug_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_DEBUG && g_strcmp0 (domain, "Atexit") == 0)
    {
      g_ptr_array_add (debug_messages, g_strdup (message));
      /* In a test subprocess, debug messages still go where G_MESSAGES_DEBUG says; not
       * into the TAP stream of the main process. */
      if (g_test_subprocess ())
        return g_log_writer_default (log_level, fields, n_fields, user_data);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
debug_messages_clear (void)
{
  g_ptr_array_set_size (debug_messages, 0);
}

static guint
debug_messages_count (const char *pattern)
{
  guint n = 0;

  for (guint i = 0; i < debug_messages->len; i++)
    if (g_pattern_match_simple (pattern, g_ptr_array_index (debug_messages, i)))
      n++;

  return n;
}

static void
named_sync (gpointer data)
{
}

static void
named_async (AtexitLoopFinalizer *finalizer,
             GTask               *task,
             gpointer             user_data)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Each cleanup's start, end and duration are in the debug log. */
static void
test_debug_log (void)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GError) error = NULL;

  /* What G_MESSAGES_DEBUG=Atexit turns on (test_debug_env checks that). */
  g_log_set_debug_enabled (TRUE);
  debug_messages_clear ();
  atexit_loop_finalizer_add_full (finalizer, "close the journal", G_PRIORITY_HIGH,
                                  named_sync, NULL, NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "say goodbye", G_PRIORITY_DEFAULT,
                                        named_async, NULL, NULL);
  error = run_blocking (atexit_loop_finalizer_get_default ());
  g_log_set_debug_enabled (FALSE);
  g_assert_no_error (error);

  g_assert_cmpuint (debug_messages_count ("Starting “close the journal” (priority -100)*"), ==, 1);
  g_assert_cmpuint (debug_messages_count ("“close the journal” (priority -100) finished in * ms"),
                    ==, 1);
  g_assert_cmpuint (debug_messages_count ("Starting “say goodbye” (priority 0)*"), ==, 1);
  g_assert_cmpuint (debug_messages_count ("“say goodbye” (priority 0) finished in * ms"), ==, 1);

  /* Start before end, and the high priority group first. */
  {
    GPtrArray *messages = debug_messages;
    int start_high = -1, end_high = -1, start_default = -1, end_default = -1;

    for (guint i = 0; i < messages->len; i++)
      {
        const char *m = g_ptr_array_index (messages, i);

        if (g_str_has_prefix (m, "Starting “close the journal”"))
          start_high = i;
        else if (g_str_has_prefix (m, "“close the journal” (priority -100) finished"))
          end_high = i;
        else if (g_str_has_prefix (m, "Starting “say goodbye”"))
          start_default = i;
        else if (g_str_has_prefix (m, "“say goodbye” (priority 0) finished"))
          end_default = i;
      }
    g_assert_cmpint (start_high, >=, 0);
    g_assert_cmpint (start_high, <, end_high);
    g_assert_cmpint (end_high, <, start_default);
    g_assert_cmpint (start_default, <, end_default);
  }
}

/* And they are printed (on stdout, as GLib does) with G_MESSAGES_DEBUG=Atexit, not without it. */
static void
test_debug_env (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      atexit_loop_finalizer_add_async_full (atexit_loop_finalizer_get_default (), "say goodbye",
                                            G_PRIORITY_DEFAULT, named_async, NULL, NULL);
      error = run_blocking (atexit_loop_finalizer_get_default ());
      g_assert_no_error (error);
      return;
    }

  g_setenv ("G_MESSAGES_DEBUG", "Atexit", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Quotes are transliterated in a non-UTF-8 locale: matched by the wildcards. */
  g_test_trap_assert_stdout ("*Atexit-DEBUG*Starting *say goodbye* (priority 0)*"
                             "say goodbye* (priority 0) finished in * ms*");

  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*say goodbye*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  debug_messages = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (debug_writer, NULL, NULL);

  g_test_add_func ("/atexit/diagnostics/debug-log/start-end-duration", test_debug_log);
  g_test_add_func ("/atexit/diagnostics/debug-log/g-messages-debug", test_debug_env);

  return g_test_run ();
}
