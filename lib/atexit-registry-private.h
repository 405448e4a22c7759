/* atexit-registry-private.h: context → finalizer, and cleanup ids
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-loop-finalizer.h"

G_BEGIN_DECLS

/* (transfer none): the finalizer of @context, created on first use. */
AtexitLoopFinalizer *atexit_registry_lookup      (GMainContext        *context);

/* (transfer full) (nullable): the registered finalizer other than @except that holds the
 * registered cleanup @id. */
AtexitLoopFinalizer *atexit_registry_find_owner  (guint                id,
                                                  AtexitLoopFinalizer *except);

/* A new cleanup id, never 0. */
guint                atexit_registry_next_id     (void);
/* Whether @id was ever handed out. */
gboolean             atexit_registry_id_issued   (guint                id);

/* (transfer full): a source that never dispatches; when its context dies, it calls
 * atexit_loop_finalizer_context_died() on @finalizer (not owned). */
GSource             *atexit_sentinel_new         (AtexitLoopFinalizer *finalizer);
/* Detaches the sentinel from its finalizer, then destroys it. */
void                 atexit_sentinel_disarm      (GSource             *sentinel);

G_END_DECLS
