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

#ifdef G_OS_UNIX

ATEXIT_AVAILABLE_IN_1_0
void atexit_loop_finalizer_install_unix_signals      (AtexitLoopFinalizer *self,
                                                      GMainLoop           *loop);
ATEXIT_AVAILABLE_IN_1_0
void atexit_loop_finalizer_install_unix_signals_full (AtexitLoopFinalizer *self,
                                                      GMainLoop           *loop,
                                                      const int           *signals,
                                                      guint                n_signals);
ATEXIT_AVAILABLE_IN_1_0
void atexit_loop_finalizer_uninstall_unix_signals    (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
int  atexit_loop_finalizer_get_unix_signal           (AtexitLoopFinalizer *self);

ATEXIT_AVAILABLE_IN_1_0
void atexit_application_install_unix_signals         (GApplication        *application);

#endif /* G_OS_UNIX */

G_END_DECLS
