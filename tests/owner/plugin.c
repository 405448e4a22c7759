/* plugin.c: a plugin of the test applications, which registers its own cleanup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 *
 * It is what a plugin of a real application does: it knows nothing of how its host
 * quits, only that its journal must be complete on disk when the host has gone.
 */

#include <stdio.h>
#include <string.h>

#include <atexit-glib.h>

#include "plugin.h"

typedef struct {
  GOutputStream  *stream;
  PluginObserver  observer;
  gpointer        data;
} Plugin;

static Plugin   *plugin;
static gboolean  finished;
static char     *journal_path;

static void
say (const char *line)
{
  printf ("%s\n", line);
  fflush (stdout);
}

static void
tell (const char *event)
{
  if (plugin->observer != NULL)
    plugin->observer (event, plugin->data);
}

static void
closed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  finished = TRUE;
  say ("plugin-journal: closed");
  tell ("finished");
  g_task_return_boolean (task, TRUE);
}

static gboolean
delay_done_cb (gpointer data)
{
  GTask *task = data;

  g_output_stream_close_async (plugin->stream, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               closed_cb, g_object_ref (task));
  return G_SOURCE_REMOVE;
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GSource) delay = NULL;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Real asynchronous work: the context must keep being iterated. */
  delay = g_timeout_source_new (100);
  g_task_attach_source (task, delay, delay_done_cb);
}

static void
plugin_cleanup (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             data)
{
  static const char goodbye[] = "goodbye\n";

  say ("plugin-journal: started");
  tell ("started");
  g_output_stream_write_all_async (plugin->stream, goodbye, sizeof goodbye - 1,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   written_cb, task);
}

static void
plugin_free (gpointer data)
{
  Plugin *self = data;

  g_clear_object (&self->stream);
  g_free (self);
  plugin = NULL;
}

static void
about_to_close_cb (AtexitLoopFinalizer *finalizer,
                   gpointer             data)
{
  say ("plugin: about-to-close");
}

void
plugin_load (const char     *path,
             PluginObserver  observer,
             gpointer        data)
{
  AtexitLoopFinalizer *finalizer = atexit_loop_finalizer_get_default ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  const char *lines = "plugin journal\nline 1\nline 2\nline 3\n";

  g_assert_null (plugin);
  journal_path = g_strdup (path);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);

  plugin = g_new0 (Plugin, 1);
  /* Far larger than what is written: nothing reaches the file before the close. */
  plugin->stream = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (out), 64 * 1024);
  plugin->observer = observer;
  plugin->data = data;
  g_output_stream_write_all (plugin->stream, lines, strlen (lines), NULL, NULL, &error);
  g_assert_no_error (error);

  g_signal_connect (finalizer, "about-to-close", G_CALLBACK (about_to_close_cb), NULL);
  atexit_loop_finalizer_add_async_full (finalizer, "plugin-journal", G_PRIORITY_DEFAULT,
                                        plugin_cleanup, plugin, plugin_free);
  say ("plugin: loaded");
}

gboolean
plugin_cleanup_finished (void)
{
  return finished;
}

gboolean
plugin_journal_complete (void)
{
  g_autofree char *contents = NULL;

  if (journal_path == NULL || !g_file_get_contents (journal_path, &contents, NULL, NULL))
    return FALSE;

  return g_str_equal (contents, PLUGIN_JOURNAL_CONTENTS);
}
