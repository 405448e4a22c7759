/* atexit-group.h: a component's own group of cleanups
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

#define ATEXIT_TYPE_GROUP (atexit_group_get_type ())

ATEXIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (AtexitGroup, atexit_group, ATEXIT, GROUP, GObject)

ATEXIT_AVAILABLE_IN_1_0
AtexitGroup         *atexit_group_new           (AtexitLoopFinalizer  *parent,
                                                 const char           *name,
                                                 int                   priority)
                                                 G_GNUC_WARN_UNUSED_RESULT;
ATEXIT_AVAILABLE_IN_1_0
AtexitLoopFinalizer *atexit_group_get_finalizer (AtexitGroup          *self);
ATEXIT_AVAILABLE_IN_1_0
AtexitLoopFinalizer *atexit_group_get_parent    (AtexitGroup          *self);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_group_run_async     (AtexitGroup          *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_group_run_finish    (AtexitGroup          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_group_run           (AtexitGroup          *self,
                                                 GCancellable         *cancellable,
                                                 GError              **error);

G_END_DECLS
