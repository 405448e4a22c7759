/* atexit-cleanup-private.h: one registered cleanup
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-loop-finalizer.h"

G_BEGIN_DECLS

typedef struct _AtexitCleanup     AtexitCleanup;
typedef struct _AtexitCleanupList AtexitCleanupList;
typedef struct _AtexitBucket      AtexitBucket;

typedef enum {
  ATEXIT_CLEANUP_SYNC,
  ATEXIT_CLEANUP_ASYNC,
} AtexitCleanupKind;

typedef enum {
  ATEXIT_CLEANUP_REGISTERED,  /* in the cleanup table: not started */
  ATEXIT_CLEANUP_STARTED,     /* async, running: its run waits for its task */
  ATEXIT_CLEANUP_ENDED,       /* async: returned, dropped, or no longer waited for (its
                               * deadline passed, the run was cancelled); waits for its
                               * task to be released */
} AtexitCleanupState;

/* Intrusive, so that a registration costs one allocation and unlinking is O(1). */
struct _AtexitCleanupList {
  AtexitCleanup *head;
  AtexitCleanup *tail;
  guint          length;
};

/* One allocation per registration, with the name inline after the struct.
 *
 * Who owns it: the cleanup table while it is registered; the run while a sync one is
 * being called; the qdata of its GTask once an async one has started (freed when the
 * task is). Fields marked (context) are only touched in the finalizer's context. */
struct _AtexitCleanup {
  guint          id;          /* the id table's key */
  int            priority;
  AtexitCleanup *prev;        /* in its bucket while registered; in the run's in-flight */
  AtexitCleanup *next;        /* list while started */
  union {
    AtexitBucket *bucket;     /* while registered (finalizer's mutex) */
    struct {
      AtexitLoopFinalizer *finalizer;  /* owned, from its start until its task is gone */
      GMainContext        *context;    /* owned, likewise; NULL once handed over */
    } task;
  };
  gpointer       func;        /* AtexitFunc or AtexitCleanupFunc, after kind */
  gpointer       user_data;
  GDestroyNotify destroy;
  gint64         started_at;  /* (context) monotonic µs, once started */
  guint          timeout_ms;  /* its own deadline (has_timeout); once started, the one it got */
  guint8         kind;        /* AtexitCleanupKind */
  guint8         state;       /* AtexitCleanupState; (context) once started */
  guint8         has_name : 1;
  guint8         has_timeout : 1;   /* set_cleanup_timeout() gave it a deadline of its own */
  guint8         own_deadline : 1;  /* (context) started with a deadline not its group's */
  guint8         generation;        /* (context) the fork generation it started in, mod 256 */
  char           name[];      /* valid when has_name */
};

struct _AtexitBucket {
  int               priority;
  gboolean          taken;       /* by a run, as its group: out of the table's heap */
  AtexitCleanupList list;
};

static inline void
atexit_cleanup_list_push_tail (AtexitCleanupList *list,
                               AtexitCleanup     *cleanup)
{
  cleanup->next = NULL;
  cleanup->prev = list->tail;
  if (list->tail != NULL)
    list->tail->next = cleanup;
  else
    list->head = cleanup;
  list->tail = cleanup;
  list->length++;
}

static inline void
atexit_cleanup_list_unlink (AtexitCleanupList *list,
                            AtexitCleanup     *cleanup)
{
  if (cleanup->prev != NULL)
    cleanup->prev->next = cleanup->next;
  else
    list->head = cleanup->next;
  if (cleanup->next != NULL)
    cleanup->next->prev = cleanup->prev;
  else
    list->tail = cleanup->prev;
  cleanup->prev = cleanup->next = NULL;
  list->length--;
}

static inline AtexitCleanup *
atexit_cleanup_list_pop_head (AtexitCleanupList *list)
{
  AtexitCleanup *cleanup = list->head;

  if (cleanup != NULL)
    atexit_cleanup_list_unlink (list, cleanup);
  return cleanup;
}

AtexitCleanup *atexit_cleanup_new         (AtexitCleanupKind  kind,
                                           const char        *name,
                                           int                priority,
                                           gpointer           func,
                                           gpointer           user_data,
                                           GDestroyNotify     destroy);
char          *atexit_cleanup_dup_name    (const AtexitCleanup *cleanup);
void           atexit_cleanup_dispose     (AtexitCleanup     *cleanup);
void           atexit_cleanup_free        (AtexitCleanup     *cleanup);

G_END_DECLS
