/* atexit-run-private.h: one run of a finalizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-loop-finalizer-private.h"

G_BEGIN_DECLS

/* In the finalizer's context: starts a run, or joins the one in progress. @task is
 * returned when the run ends. */
void     atexit_run_start_or_join  (AtexitLoopFinalizer *self,
                                    GTask               *task,
                                    GCancellable        *cancellable);

/* With the finalizer's mutex held, during a run: whether a cleanup of @priority must
 * join the group in progress (its own group has started), in which case it was queued
 * to be started at once. */
gboolean atexit_run_take_late_locked (AtexitRun     *run,
                                      AtexitCleanup *cleanup);

/* With the mutex held: forgets a late cleanup that was removed before it started. */
void     atexit_run_drop_late_locked (AtexitRun     *run,
                                      AtexitCleanup *cleanup);

/* In the context's thread: whether a cleanup of the run is being started, so that
 * waiting for the run there would wait for itself. */
gboolean atexit_run_is_starting      (AtexitLoopFinalizer *self);

G_END_DECLS
