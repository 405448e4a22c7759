/* atexit-loop-finalizer.h: cleanups that run before a main loop quits
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

#define ATEXIT_TYPE_LOOP_FINALIZER (atexit_loop_finalizer_get_type ())

ATEXIT_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (AtexitLoopFinalizer, atexit_loop_finalizer, ATEXIT, LOOP_FINALIZER, GObject)

/**
 * ATEXIT_DEFAULT_TIMEOUT:
 *
 * The default deadline of each cleanup, in milliseconds: the initial value of
 * [property@Atexit.LoopFinalizer:timeout].
 *
 * Since: 1.0
 */
#define ATEXIT_DEFAULT_TIMEOUT 10000

/**
 * AtexitExitAction:
 * @ATEXIT_EXIT_ACTION_WARN: one warning names each cleanup that never ran; no
 *   cleanup code is called from `exit()`
 * @ATEXIT_EXIT_ACTION_RUN: a blocking run, with its deadlines, where the
 *   calling thread can take the finalizer's context; otherwise the warning
 * @ATEXIT_EXIT_ACTION_NONE: nothing
 *
 * What a finalizer does at process exit (`exit()`, or a return from `main()`)
 * with the cleanups still registered: see
 * [property@Atexit.LoopFinalizer:exit-action]. The environment variable
 * `ATEXIT_EXIT_ACTION` (`warn`, `run` or `none`) overrides it for every
 * finalizer.
 *
 * Since: 1.0
 */
typedef enum {
  ATEXIT_EXIT_ACTION_WARN,
  ATEXIT_EXIT_ACTION_RUN,
  ATEXIT_EXIT_ACTION_NONE,
} AtexitExitAction;

/**
 * AtexitFunc:
 * @user_data: the data given when the cleanup was added
 *
 * A synchronous cleanup: it has done its work when it returns.
 *
 * Since: 1.0
 */
typedef void (*AtexitFunc) (gpointer user_data);

/**
 * AtexitCleanupFunc:
 * @finalizer: the finalizer that runs the cleanup
 * @task: (transfer full): the task to complete when the cleanup is done
 * @user_data: the data given when the cleanup was added
 *
 * An asynchronous cleanup. It is started in the finalizer's main context and
 * owns @task: it completes it with g_task_return_boolean() (success) or
 * g_task_return_error() (failure), from any thread, now or later, and then
 * drops its reference. The task's cancellable is cancelled when the cleanup's
 * deadline passes or the run is cancelled.
 *
 * A cleanup that lets @task be finalized without returning it counts as failed.
 *
 * Since: 1.0
 */
typedef void (*AtexitCleanupFunc) (AtexitLoopFinalizer *finalizer,
                                   GTask               *task,
                                   gpointer             user_data);

ATEXIT_AVAILABLE_IN_1_0
AtexitLoopFinalizer *atexit_loop_finalizer_get_default        (void);
ATEXIT_AVAILABLE_IN_1_0
AtexitLoopFinalizer *atexit_loop_finalizer_get_thread_default (void);
ATEXIT_AVAILABLE_IN_1_0
AtexitLoopFinalizer *atexit_loop_finalizer_get_for_context    (GMainContext        *context);
ATEXIT_AVAILABLE_IN_1_0
GMainContext        *atexit_loop_finalizer_get_context        (AtexitLoopFinalizer *self);

ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_get_timeout        (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_loop_finalizer_set_timeout        (AtexitLoopFinalizer *self,
                                                               guint                timeout_ms);
ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_get_total_timeout  (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_loop_finalizer_set_total_timeout  (AtexitLoopFinalizer *self,
                                                               guint                timeout_ms);
ATEXIT_AVAILABLE_IN_1_0
AtexitExitAction     atexit_loop_finalizer_get_exit_action    (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_loop_finalizer_set_exit_action    (AtexitLoopFinalizer *self,
                                                               AtexitExitAction     action);
ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_get_pending        (AtexitLoopFinalizer *self);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_loop_finalizer_get_running        (AtexitLoopFinalizer *self);

ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_add                (AtexitLoopFinalizer *self,
                                                               AtexitFunc           func,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_add_full           (AtexitLoopFinalizer *self,
                                                               const char          *name,
                                                               int                  priority,
                                                               AtexitFunc           func,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_add_async          (AtexitLoopFinalizer *self,
                                                               AtexitCleanupFunc    func,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
ATEXIT_AVAILABLE_IN_1_0
guint                atexit_loop_finalizer_add_async_full     (AtexitLoopFinalizer *self,
                                                               const char          *name,
                                                               int                  priority,
                                                               AtexitCleanupFunc    func,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_loop_finalizer_remove             (AtexitLoopFinalizer *self,
                                                               guint                id);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_loop_finalizer_set_cleanup_timeout (AtexitLoopFinalizer *self,
                                                                guint                id,
                                                                guint                timeout_ms);

ATEXIT_AVAILABLE_IN_1_0
void                 atexit_loop_finalizer_run_async          (AtexitLoopFinalizer *self,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_loop_finalizer_run_finish         (AtexitLoopFinalizer *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_loop_finalizer_run                (AtexitLoopFinalizer *self,
                                                               GCancellable        *cancellable,
                                                               GError             **error);
ATEXIT_AVAILABLE_IN_1_0
void                 atexit_loop_finalizer_quit_loop          (AtexitLoopFinalizer *self,
                                                               GMainLoop           *loop);

ATEXIT_AVAILABLE_IN_1_0
guint                atexit_register                          (AtexitFunc           func,
                                                               gpointer             user_data,
                                                               GDestroyNotify       destroy);
ATEXIT_AVAILABLE_IN_1_0
gboolean             atexit_unregister                        (guint                id);

G_END_DECLS
