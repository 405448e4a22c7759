/* reliability-common.c: what the reliability tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>

#include "reliability-common.h"

GMutex     rel_log_mutex;
GPtrArray *rel_log_warnings;

static GLogWriterOutput
rel_log_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "Atexit") == 0)
    {
      g_mutex_lock (&rel_log_mutex);
      g_ptr_array_add (rel_log_warnings, g_strdup (message));
      g_mutex_unlock (&rel_log_mutex);
      return G_LOG_WRITER_HANDLED;
    }

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_default (log_level, fields, n_fields, user_data);
      g_printerr ("unexpected message from domain %s: %s\n", domain ? domain : "(none)",
                  message ? message : "");
      abort ();
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* For what is logged with g_log() rather than structured: the same policy. */
static void
rel_log_handler (const char     *log_domain,
                 GLogLevelFlags  log_level,
                 const char     *message,
                 gpointer        user_data)
{
  GLogField fields[] = {
    { "GLIB_DOMAIN", log_domain != NULL ? log_domain : "", -1 },
    { "MESSAGE", message, -1 },
  };

  rel_log_writer (log_level, fields, G_N_ELEMENTS (fields), NULL);
}

void
rel_log_init (void)
{
  rel_log_warnings = g_ptr_array_new_with_free_func (g_free);
  /* g_test_init() makes warnings fatal; here they are counted instead. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (rel_log_writer, NULL, NULL);
  g_log_set_default_handler (rel_log_handler, NULL);
}

void
rel_log_reset (void)
{
  g_mutex_lock (&rel_log_mutex);
  g_ptr_array_set_size (rel_log_warnings, 0);
  g_mutex_unlock (&rel_log_mutex);
}

guint
rel_log_count_naming (const char *quoted_name)
{
  guint n = 0;

  g_mutex_lock (&rel_log_mutex);
  for (guint i = 0; i < rel_log_warnings->len; i++)
    if (strstr (g_ptr_array_index (rel_log_warnings, i), quoted_name) != NULL)
      n++;
  g_mutex_unlock (&rel_log_mutex);

  return n;
}

char *
rel_log_join (void)
{
  GString *s = g_string_new (NULL);

  g_mutex_lock (&rel_log_mutex);
  for (guint i = 0; i < rel_log_warnings->len; i++)
    g_string_append_printf (s, "  %s\n", (const char *) g_ptr_array_index (rel_log_warnings, i));
  g_mutex_unlock (&rel_log_mutex);

  return g_string_free (s, FALSE);
}
