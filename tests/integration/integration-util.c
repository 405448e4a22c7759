/* integration-util.c: what the integration tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "integration-util.h"

typedef struct {
  GLogLevelFlags  level;
  char           *message;
} Captured;

static GMutex capture_mutex;
static GPtrArray *captured;

static void
captured_free (gpointer data)
{
  Captured *c = data;

  g_free (c->message);
  g_free (c);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  GLogLevelFlags level = log_level & G_LOG_LEVEL_MASK;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, "Atexit") == 0 &&
      (level == G_LOG_LEVEL_WARNING || level == G_LOG_LEVEL_DEBUG || level == G_LOG_LEVEL_INFO))
    {
      Captured *c = g_new0 (Captured, 1);

      c->level = level;
      c->message = g_strdup (message);
      g_mutex_lock (&capture_mutex);
      g_ptr_array_add (captured, c);
      g_mutex_unlock (&capture_mutex);

      if (level == G_LOG_LEVEL_WARNING && g_test_verbose ())
        g_test_message ("captured warning: %s", message);
      /* In a test subprocess, debug messages still go where G_MESSAGES_DEBUG says;
       * not in the TAP stream of the main process. */
      if (level == G_LOG_LEVEL_DEBUG && g_test_subprocess ())
        g_log_writer_default (log_level, fields, n_fields, user_data);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
capture_install (void)
{
  captured = g_ptr_array_new_with_free_func (captured_free);
  /* The library's warnings are what these tests assert on: they are captured, not
   * fatal. Criticals stay fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
capture_clear (void)
{
  g_mutex_lock (&capture_mutex);
  g_ptr_array_set_size (captured, 0);
  g_mutex_unlock (&capture_mutex);
}

char *
capture_find (GLogLevelFlags  level,
              const char     *pattern)
{
  char *found = NULL;

  g_mutex_lock (&capture_mutex);
  for (guint i = 0; i < captured->len && found == NULL; i++)
    {
      Captured *c = g_ptr_array_index (captured, i);

      if (c->level == level && g_pattern_match_simple (pattern, c->message))
        found = g_strdup (c->message);
    }
  g_mutex_unlock (&capture_mutex);

  return found;
}

guint
capture_count (GLogLevelFlags  level,
               const char     *pattern)
{
  guint n = 0;

  g_mutex_lock (&capture_mutex);
  for (guint i = 0; i < captured->len; i++)
    {
      Captured *c = g_ptr_array_index (captured, i);

      if (c->level == level && g_pattern_match_simple (pattern, c->message))
        n++;
    }
  g_mutex_unlock (&capture_mutex);

  return n;
}

GPtrArray *
capture_messages (GLogLevelFlags level)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&capture_mutex);
  for (guint i = 0; i < captured->len; i++)
    {
      Captured *c = g_ptr_array_index (captured, i);

      if (c->level == level)
        g_ptr_array_add (messages, g_strdup (c->message));
    }
  g_mutex_unlock (&capture_mutex);

  return messages;
}

void
wait_for_flag (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

GError *
run_default_finalizer (void)
{
  GError *error = NULL;

  atexit_loop_finalizer_run (atexit_loop_finalizer_get_default (), NULL, &error);
  return error;
}
