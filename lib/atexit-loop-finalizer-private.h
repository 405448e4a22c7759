/* atexit-loop-finalizer-private.h: what the run and the integrations share with the finalizer
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-error.h"
#include "atexit-loop-finalizer.h"
#include "atexit-cleanup-table-private.h"
#include "atexit-registry-private.h"

G_BEGIN_DECLS

typedef struct _AtexitRun AtexitRun;

/* The locks of the library, in the order they are taken (one is only ever taken while
 * holding those before it):
 *
 *   1. the registry's (atexit-registry.c);
 *   2. a group's lock (atexit-group.c), held while it adds its cleanup to its parent;
 *   3. a finalizer's mutex (this struct);
 *   4. the leaves, which take no other of the library's locks: the resources' lock
 *      (atexit-resource.c), the signal integration's mutex (atexit-unix-signals.c), a
 *      completion helper's lock (atexit-task.c);
 *   5. GLib's own (a context's, a source's, an object's data).
 *
 * No user code is ever called with one of the library's locks held.
 *
 * Fields marked (mutex) are guarded by the finalizer's mutex; (atomic) ones are read
 * and written with atomics; (context) ones are only touched in the finalizer's context. */
struct _AtexitLoopFinalizer
{
  GObject             parent_instance;

  GMutex              mutex;
  GMainContext       *context;                /* (mutex) not owned: the finalizer never keeps
                                               * its context alive; NULL once it died */
  gboolean            registered;             /* the context's own finalizer, not a group's */
  AtexitCleanupTable  table;                  /* (mutex) every cleanup not started yet */
  AtexitRun          *run;                    /* (mutex) owned: the run in progress; written
                                               * in the context */
  guint               registrations;          /* (mutex) cleanups ever added */
  guint               registrations_at_end;   /* (mutex) as it was when the last run ended */
  gboolean            has_run;                /* (mutex) a run has ended */
  guint               generation;             /* (mutex) the fork generation of the table */
  GThread            *owner_thread;           /* (atomic) the thread of the last run */
  guint               timeout_ms;             /* (atomic) */
  guint               total_timeout_ms;       /* (atomic) */
  int                 exit_action;            /* (atomic) AtexitExitAction */
};

/* (transfer full) (nullable): the context, with a reference taken under the mutex, so
 * that another thread dropping it meanwhile does not free it under the caller. */
GMainContext *atexit_loop_finalizer_ref_context         (AtexitLoopFinalizer *self);
/* Takes the mutex; in the child of a fork(), first forgets what the parent registered. */
void     atexit_loop_finalizer_lock                     (AtexitLoopFinalizer *self);
/* Whether a cleanup with @id is registered with @object, a finalizer. */
gboolean atexit_loop_finalizer_has_id                   (GObject             *object,
                                                         guint                id);
/* What the registry is told to call: atexit-loop-finalizer-exit.c. */
extern const AtexitRegistryHooks atexit_loop_finalizer_registry_hooks;

/* (transfer none) (nullable): the finalizer of @context, if it has one; never makes one. */
AtexitLoopFinalizer *atexit_loop_finalizer_peek_for_context (GMainContext        *context);

/* A finalizer of @context that is not the context's own: a group's. */
AtexitLoopFinalizer *atexit_loop_finalizer_new_unregistered (GMainContext        *context,
                                                             guint                timeout_ms);

void     atexit_loop_finalizer_notify_pending           (AtexitLoopFinalizer *self);
void     atexit_loop_finalizer_notify_running           (AtexitLoopFinalizer *self);
void     atexit_loop_finalizer_emit_about_to_close      (AtexitLoopFinalizer *self);
gboolean atexit_loop_finalizer_has_finished_handlers    (AtexitLoopFinalizer *self);
void     atexit_loop_finalizer_emit_cleanup_finished    (AtexitLoopFinalizer *self,
                                                         guint                id,
                                                         const char          *name,
                                                         int                  priority,
                                                         gint64               duration_us,
                                                         const GError        *error);

/* remove() without a word for an id that is not there: for the integrations that
 * remove what may have started meanwhile. */
gboolean atexit_loop_finalizer_remove_quiet             (AtexitLoopFinalizer *self,
                                                         guint                id);

/* Logs the error of a run that nobody else can receive (the integrations' runs). */
void     atexit_loop_finalizer_log_run_error            (AtexitLoopFinalizer *self,
                                                         const GError        *error);

void     atexit_i18n_init (void);

G_END_DECLS
