/* integration-util.h: what the integration tests share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <atexit-glib.h>

G_BEGIN_DECLS

/* Captures the library's warnings and debug messages, so that tests can assert on them
 * (g_test_expect_message() does not see structured messages in this GLib). */
void        capture_install        (void);
void        capture_clear          (void);
guint       capture_count          (GLogLevelFlags  level,
                                    const char     *pattern);
char       *capture_find           (GLogLevelFlags  level,
                                    const char     *pattern);
GPtrArray  *capture_messages       (GLogLevelFlags  level);

/* Iterates the default context until *flag is set. */
void        wait_for_flag          (gboolean       *flag);
/* Runs the default finalizer; returns its error, if any. */
GError     *run_default_finalizer  (void);

G_END_DECLS
