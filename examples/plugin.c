/* plugin.c: a plugin that registers its cleanups without ever seeing the host's loop
 *
 * The first half is the plugin: it opens a connection to a "server" (here, a
 * child process it talks to through a pipe), and keeps its cleanups in its own
 * AtexitGroup. When the plugin is unloaded it runs the group itself; when the
 * host quits first, the group runs as one cleanup of the host. The plugin knows
 * nothing of the host's main loop: it only asks for the finalizer of the
 * thread-default context.
 *
 * The second half is a host that loads the plugin and quits on Ctrl+C, or after
 * a few seconds; run it with `--unload` to unload the plugin before quitting.
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <atexit-glib.h>

/* ---- the plugin ---- */

typedef struct {
  AtexitGroup *cleanups;
  GSubprocess *server;
} Plugin;

static void
plugin_say_bye (gpointer user_data)
{
  Plugin *plugin = user_data;
  GOutputStream *to_server = g_subprocess_get_stdin_pipe (plugin->server);

  /* The server hears it, then sees the end of its input. */
  g_output_stream_write_all (to_server, "bye\n", 4, NULL, NULL, NULL);
  g_output_stream_close (to_server, NULL, NULL);
}

static Plugin *
plugin_load (void)
{
  Plugin *plugin = g_new0 (Plugin, 1);
  AtexitLoopFinalizer *own;
  g_autoptr(GError) error = NULL;

  plugin->cleanups = atexit_group_new (atexit_loop_finalizer_get_thread_default (),
                                       "example plugin", G_PRIORITY_DEFAULT);
  own = atexit_group_get_finalizer (plugin->cleanups);

  plugin->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                     "sh", "-c",
                                     "while read line; do echo \"server got: $line\"; done; "
                                     "echo 'server: closed'",
                                     NULL);
  if (plugin->server == NULL)
    g_error ("Cannot start the server: %s", error->message);

  /* First the goodbye, then the plugin waits for the server to exit. Should the
   * server outlive the group's deadline, add_object's SIGTERM and SIGKILL end it
   * (it would also report that the plugin never ended it itself). */
  atexit_loop_finalizer_add_full (own, "say bye", G_PRIORITY_HIGH, plugin_say_bye, plugin, NULL);
  atexit_loop_finalizer_add_async_pair (own, G_OBJECT (plugin->server), "wait for the server",
                                        G_PRIORITY_LOW,
                                        (AtexitAsyncStartFunc) g_subprocess_wait_async,
                                        (AtexitAsyncFinishFunc) g_subprocess_wait_finish);

  g_print ("plugin: loaded\n");
  return plugin;
}

static void
plugin_unload (Plugin *plugin)
{
  g_autoptr(GError) error = NULL;

  if (!atexit_group_run (plugin->cleanups, NULL, &error))
    g_printerr ("plugin: unloaded with errors: %s\n", error->message);
  g_clear_object (&plugin->cleanups);
  g_clear_object (&plugin->server);
  g_free (plugin);
  g_print ("plugin: unloaded\n");
}

static void
plugin_free (Plugin *plugin)
{
  /* The host already ran the plugin's group. */
  g_clear_object (&plugin->cleanups);
  g_clear_object (&plugin->server);
  g_free (plugin);
}

/* ---- the host ---- */

static gboolean
quit_soon (gpointer user_data)
{
  GMainLoop *loop = user_data;

  atexit_loop_finalizer_quit_loop (atexit_loop_finalizer_get_default (), loop);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gboolean unload = argc > 1 && g_str_equal (argv[1], "--unload");
  Plugin *plugin = plugin_load ();

  if (unload)
    {
      plugin_unload (plugin);
      plugin = NULL;
    }

  atexit_loop_finalizer_install_unix_signals (atexit_loop_finalizer_get_default (), loop);
  g_timeout_add_seconds (3, quit_soon, loop);
  g_print ("host: running; press Ctrl+C or wait 3 seconds\n");
  g_main_loop_run (loop);
  g_print ("host: done\n");

  if (plugin != NULL)
    plugin_free (plugin);
  return 0;
}
