/* plugin.h: a plugin of the test applications, which registers its own cleanup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Told "started" and "finished" as the plugin's cleanup runs. */
typedef void (*PluginObserver) (const char *event,
                                gpointer    data);

/* What the journal holds once the plugin's cleanup has closed it. */
#define PLUGIN_JOURNAL_CONTENTS "plugin journal\nline 1\nline 2\nline 3\ngoodbye\n"

/* Opens a journal at @path, buffered, writes three lines into the buffer, and registers
 * an async cleanup on the default finalizer that writes a last line, waits 100 ms (a
 * GLib timeout) and closes it, which flushes it. */
void      plugin_load             (const char     *path,
                                   PluginObserver  observer,
                                   gpointer        data);
/* Whether the cleanup has closed the journal. */
gboolean  plugin_cleanup_finished (void);
/* Whether the journal file holds PLUGIN_JOURNAL_CONTENTS, now. */
gboolean  plugin_journal_complete (void);

G_END_DECLS
