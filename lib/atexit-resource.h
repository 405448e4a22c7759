/* atexit-resource.h: closing objects that are still open at shutdown
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

/**
 * AtexitAsyncStartFunc:
 * @source_object: the object the pair was registered on
 * @cancellable: (nullable): the cancellable of the cleanup's group
 * @callback: (scope async) (closure user_data): to call when the operation is done
 * @user_data: data for @callback
 *
 * The start of a GIO-style asynchronous operation, such as
 * g_dbus_connection_flush() or g_subprocess_wait_async().
 *
 * Since: 1.0
 */
typedef void     (*AtexitAsyncStartFunc)  (gpointer             source_object,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);

/**
 * AtexitAsyncFinishFunc:
 * @source_object: the object the pair was registered on
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * The `_finish` of a GIO-style asynchronous operation, such as
 * g_dbus_connection_flush_finish().
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
typedef gboolean (*AtexitAsyncFinishFunc) (gpointer             source_object,
                                           GAsyncResult        *result,
                                           GError             **error);

ATEXIT_AVAILABLE_IN_1_0
guint atexit_loop_finalizer_add_object      (AtexitLoopFinalizer   *self,
                                             GObject               *object);
ATEXIT_AVAILABLE_IN_1_0
guint atexit_loop_finalizer_add_async_pair  (AtexitLoopFinalizer   *self,
                                             GObject               *object,
                                             const char            *name,
                                             int                    priority,
                                             AtexitAsyncStartFunc   start,
                                             AtexitAsyncFinishFunc  finish);

G_END_DECLS
