/* atexit-run-private.h: one run of a finalizer
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-loop-finalizer-private.h"

G_BEGIN_DECLS

/* A run lives in its finalizer's context. It emits about-to-close, then takes the
 * lowest group from the cleanup table, starts its cleanups last registered first, and
 * waits until each async one has returned its task, dropped it, or passed its deadline;
 * then it takes the next group, until none is left.
 *
 * Everything that happens to a run (a task returned or released, a deadline, a
 * cancellation, a cleanup added from another thread) first settles the run's
 * bookkeeping, then calls user code if it must (a report, a destroy notify), then pumps
 * the run: atexit_run_pump() is the one function that moves it on. It never nests: user
 * code that iterates the context while the pump is on the stack (a cleanup that runs a
 * nested loop, a report handler that redraws a dialog) only marks it to go round once
 * more. */

typedef enum {
  ATEXIT_RUN_STARTING,  /* about-to-close is being emitted */
  ATEXIT_RUN_IN_GROUP,  /* a group's cleanups are being started, or waited for */
  ATEXIT_RUN_BETWEEN,   /* a group has ended and the next one has not started */
  ATEXIT_RUN_FINISHED,  /* the run is over; its waiters have their result */
} AtexitRunPhase;

typedef struct {
  guint   id;
  char   *name;
  int     priority;
  gint64  duration_us;
  GError *error;         /* (nullable) */
} AtexitReport;

struct _AtexitRun
{
  gatomicrefcount      ref_count;
  guint                generation;       /* the fork generation it started in */
  AtexitLoopFinalizer *self;             /* owned */
  GMainContext        *context;          /* owned */

  /* Context thread only. */
  AtexitRunPhase       phase;
  gboolean             pumping;          /* atexit_run_pump() is on the stack */
  gboolean             repump;           /* something happened meanwhile */
  gboolean             started_any;      /* a cleanup started since pending was notified */
  gboolean             emitting;         /* about-to-close is being emitted */
  gboolean             start_early;      /* joined from an about-to-close handler */
  GPtrArray           *waiters;          /* GTask, one per caller of run_async */
  GPtrArray           *cancellables;     /* GCancellable of the waiters, owned */
  GPtrArray           *watches;          /* GSource telling of their cancellation, owned */
  gboolean             cancelled;
  gboolean             expired;          /* the total deadline passed */
  gint64               started_at;
  guint                total_timeout_ms;
  gint64               total_deadline;   /* G_MAXINT64: none */
  GSource             *timer;            /* owned; ready at the next deadline */
  AtexitCleanupList    in_flight;        /* async cleanups started, not ended */
  GHashTable          *own_cancellables; /* AtexitCleanup → GCancellable, for those with
                                          * a deadline not their group's */
  gint64               min_own_deadline;
  /* The group in progress. */
  gint64               group_started_at;
  guint                group_timeout_ms;
  gint64               group_deadline;   /* G_MAXINT64: none */
  gboolean             group_expired;    /* its deadline has passed: the timer ignores it */
  GCancellable        *group_cancellable;/* owned; made when an async cleanup starts */
  guint                n_groups;
  /* What it tells (atexit-run-report.c). */
  gboolean             debug;            /* G_MESSAGES_DEBUG includes Atexit */
  gboolean             reporting;        /* ::cleanup-finished has handlers */
  GPtrArray           *problems;         /* char *: what did not succeed, for the error */
  guint                n_failed;         /* cleanups the problems name */
  guint                n_timed_out;      /* of which stragglers or not started in time */
  struct _AtexitSdNotify *notify;        /* owned, where $NOTIFY_SOCKET is set */

  /* Under the finalizer's mutex (written in the context thread, read from any). */
  AtexitBucket        *group;            /* the group's cleanups not started yet */
  int                  group_priority;   /* the group's, while @group is set */
  GSource             *wake;             /* not owned: an idle that pumps, if one is due */
};

/* In the child of a fork(), a run the parent had in progress, or a cleanup it had
 * started, is the parent's: its sources may still be in the child's copy of the
 * context, and do nothing there; its destroy notifies are not called. */
#define ATEXIT_RUN_IS_STALE(run) \
  ((run)->generation != atexit_registry_get_generation ())
#define ATEXIT_CLEANUP_IS_STALE(cleanup) \
  ((cleanup)->generation != (guint8) atexit_registry_get_generation ())

AtexitRun *atexit_run_ref                 (AtexitRun           *run);
void       atexit_run_unref               (AtexitRun           *run);

/* atexit-run.c */

/* In the finalizer's context, the mutex not held: starts a run, or joins the one in
 * progress; @waiter is returned when the run ends. */
void       atexit_run_start_or_join       (AtexitLoopFinalizer *self,
                                           GTask               *waiter);
/* With the mutex held, from any thread: whether @cleanup joins the group in progress
 * (its priority is not above the group's), in which case the run has it and will start
 * it soon. */
gboolean   atexit_run_take_late_locked    (AtexitRun           *run,
                                           AtexitCleanup       *cleanup);
/* With the mutex held, from any thread: makes sure the run is pumped from its context. */
void       atexit_run_wake_locked         (AtexitRun           *run);
/* In the context thread: moves the run on as far as it can go now. */
void       atexit_run_pump                (AtexitRun           *run);
/* Stops waiting for an in-flight cleanup, which has ended one way or another. */
void       atexit_run_settle              (AtexitRun           *run,
                                           AtexitCleanup       *cleanup);
/* The deadline of a started cleanup, G_MAXINT64 for none. */
gint64     atexit_run_deadline_of         (AtexitRun           *run,
                                           AtexitCleanup       *cleanup);
void       atexit_run_arm_timer           (AtexitRun           *run);

/* atexit-run-cleanup.c */

/* Calls a sync cleanup, or starts an async one; in the pump, with the context pushed as
 * the thread-default one. */
void       atexit_run_start_cleanup       (AtexitRun           *run,
                                           AtexitCleanup       *cleanup);

/* atexit-run-report.c */

void       atexit_run_report_begin        (AtexitRun           *run);
char      *atexit_run_report_describe_group_locked (AtexitRun    *run,
                                                    AtexitBucket *group,
                                                    guint        *max_timeout_ms);
/* Consumes @status (nullable): what the service manager is told, where it listens. */
void       atexit_run_report_group        (AtexitRun           *run,
                                           guint                n_cleanups,
                                           char                *status,
                                           guint                max_timeout_ms);
/* Makes the report of @cleanup's end (@error: why it did not succeed), and keeps a
 * problem for the run's error; nothing of it is told yet. */
AtexitReport *atexit_run_report_new       (AtexitRun           *run,
                                           AtexitCleanup       *cleanup,
                                           GError              *error);
AtexitReport *atexit_run_report_dropped   (AtexitRun           *run,
                                           AtexitCleanup       *cleanup);
AtexitReport *atexit_run_report_straggler (AtexitRun           *run,
                                           AtexitCleanup       *cleanup,
                                           gint64               now,
                                           gboolean             total);
/* Tells the report (debug log, ::cleanup-finished), then frees it: may run user code. */
void       atexit_run_report_emit         (AtexitRun           *run,
                                           AtexitReport        *report);
/* The skipped cleanups of a cancelled or expired run, named in its error. */
void       atexit_run_report_skipped      (AtexitRun           *run,
                                           AtexitCleanupList   *skipped);
GError    *atexit_run_report_build_error  (AtexitRun           *run);
void       atexit_run_report_end          (AtexitRun           *run,
                                           const GError        *error);

G_END_DECLS
