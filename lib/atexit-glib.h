/* atexit-glib.h: atexit for a GLib main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#define ATEXIT_INSIDE
# include "atexit-version.h"
# include "atexit-version-macros.h"
# include "atexit-error.h"
# include "atexit-enum-types.h"
# include "atexit-loop-finalizer.h"
# include "atexit-closable.h"
# include "atexit-resource.h"
# include "atexit-group.h"
# include "atexit-application.h"
# include "atexit-unix-signals.h"
# include "atexit-task.h"
#undef ATEXIT_INSIDE
