/* atexit-unix-signals.h: a graceful quit on SIGINT, SIGTERM and SIGHUP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (ATEXIT_INSIDE) && !defined (ATEXIT_COMPILATION)
# error "Only <atexit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "atexit-version-macros.h"
#include "atexit-loop-finalizer.h"

G_BEGIN_DECLS

ATEXIT_AVAILABLE_IN_1_0
void atexit_unix_signals_install             (AtexitLoopFinalizer *self,
                                              GMainLoop           *loop);
ATEXIT_AVAILABLE_IN_1_0
void atexit_unix_signals_install_application (GApplication        *application);
ATEXIT_AVAILABLE_IN_1_0
void atexit_unix_signals_uninstall           (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
int  atexit_unix_signals_get_signal          (AtexitLoopFinalizer *self);

G_END_DECLS
