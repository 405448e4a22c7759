/* atexit-loop-finalizer-private.h: what the run and the registry share with the finalizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-error.h"
#include "atexit-loop-finalizer.h"
#include "atexit-cleanup-private.h"

G_BEGIN_DECLS

typedef struct _AtexitRun AtexitRun;

struct _AtexitLoopFinalizer
{
  GObject       parent_instance;

  /* Guards everything below but the fields marked "context thread". */
  GMutex        mutex;

  GMainContext *context;     /* not owned: the finalizer must not keep its context alive */
  GSource      *sentinel;    /* owned; destroyed with the context */
  guint         timeout_ms;

  GHashTable   *by_id;       /* set of AtexitCleanup, keyed on their id: registered, not started */
  GPtrArray    *buckets;     /* AtexitBucket, ascending priority */
  guint         n_pending;

  AtexitRun    *run;         /* while a run is in progress */
  guint         n_tasks;      /* tasks of async cleanups not finalized yet */
  GMainContext *task_context; /* owned while n_tasks > 0 */
};

enum {
  ATEXIT_SIGNAL_ABOUT_TO_CLOSE,
  ATEXIT_SIGNAL_CLEANUP_FINISHED,
  ATEXIT_N_SIGNALS
};

extern guint atexit_loop_finalizer_signals[ATEXIT_N_SIGNALS];

void atexit_loop_finalizer_notify_pending      (AtexitLoopFinalizer *self);
void atexit_loop_finalizer_notify_running      (AtexitLoopFinalizer *self);
void atexit_loop_finalizer_context_died        (AtexitLoopFinalizer *self);
gboolean atexit_loop_finalizer_has_id_locked   (AtexitLoopFinalizer *self,
                                                guint                id);

/* Called with the mutex held: unlinks @cleanup from its bucket. */
void atexit_loop_finalizer_unlink_registered   (AtexitLoopFinalizer *self,
                                                AtexitCleanup       *cleanup);
/* Called with the mutex held: the lowest bucket that holds a cleanup, or NULL. */
AtexitBucket *atexit_loop_finalizer_first_bucket (AtexitLoopFinalizer *self);

void atexit_i18n_init (void);

G_END_DECLS
