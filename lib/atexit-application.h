/* atexit-application.h: a GApplication runs its cleanups as it shuts down
 *
 * Copyright 2026 The atexit-glib authors
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
AtexitLoopFinalizer *atexit_application_get_finalizer (GApplication *application);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_application_quit          (GApplication *application);

G_END_DECLS
