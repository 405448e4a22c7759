/* atexit-task.h: completing a cleanup's task when its end has no callback
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

G_BEGIN_DECLS

/**
 * AtexitPredicate:
 * @user_data: the data given to [func@Atexit.task_return_when]
 *
 * Tells whether what a cleanup waits for has happened.
 *
 * It is called from the prepare and check phases of its main context, as a
 * [struct@GLib.Source]'s own functions are: like them it must be quick, and it
 * must not iterate the context (GLib refuses, with a warning).
 *
 * Returns: %TRUE once the cleanup's work is done
 *
 * Since: 1.0
 */
typedef gboolean (*AtexitPredicate) (gpointer user_data);

ATEXIT_AVAILABLE_IN_1_0
void atexit_task_return_on_signal (GTask           *task,
                                   gpointer         instance,
                                   const char      *detailed_signal);
ATEXIT_AVAILABLE_IN_1_0
void atexit_task_return_when      (GTask           *task,
                                   AtexitPredicate  predicate,
                                   gpointer         user_data,
                                   GDestroyNotify   destroy);

G_END_DECLS
