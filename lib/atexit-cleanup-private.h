/* atexit-cleanup-private.h: one registered cleanup
 *
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
  ATEXIT_CLEANUP_REGISTERED,  /* waits in a bucket for its group */
  ATEXIT_CLEANUP_LATE,        /* added for a group already started; waits to be started */
  ATEXIT_CLEANUP_STARTED,     /* running: its task has not returned yet */
  ATEXIT_CLEANUP_ABANDONED,   /* its task returned, or its group moved on (deadline or
                               * cancellation); waits for the task to be released */
} AtexitCleanupState;

/* Intrusive, so that a registration costs one allocation and unlinking is O(1). */
struct _AtexitCleanupList {
  AtexitCleanup *head;
  AtexitCleanup *tail;
  guint          length;
};

/* Kept within 72 bytes, so that an unnamed registration is one 80-byte heap chunk;
 * a name is stored inline, after the struct, in the same allocation. */
struct _AtexitCleanup {
  guint          id;        /* first: the id table hashes and compares this field */
  int            priority;
  AtexitCleanup *prev;
  AtexitCleanup *next;
  union {
    AtexitBucket        *bucket;    /* while REGISTERED */
    AtexitLoopFinalizer *finalizer; /* once started; owned by an async one until its task is gone */
  };
  gpointer       func;      /* AtexitFunc or AtexitCleanupFunc, after kind */
  gpointer       user_data;
  GDestroyNotify destroy;
  gint64         started_at;
  guint8         kind;      /* AtexitCleanupKind */
  guint8         state;     /* AtexitCleanupState */
  guint8         has_name;
  char           name[];    /* valid when has_name */
};

struct _AtexitBucket {
  int               priority;
  AtexitCleanupList list;
};

#define ATEXIT_CLEANUP_NAME_MAX 64

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

/* Moves every cleanup of @from, last first, to the tail of @to: the LIFO start order. */
static inline void
atexit_cleanup_list_take_reversed (AtexitCleanupList *to,
                                   AtexitCleanupList *from)
{
  while (from->tail != NULL)
    {
      AtexitCleanup *last = from->tail;

      atexit_cleanup_list_unlink (from, last);
      atexit_cleanup_list_push_tail (to, last);
    }
}

AtexitCleanup *atexit_cleanup_new        (AtexitCleanupKind  kind,
                                          const char        *name,
                                          int                priority,
                                          gpointer           func,
                                          gpointer           user_data,
                                          GDestroyNotify     destroy);
const char    *atexit_cleanup_get_name   (AtexitCleanup     *cleanup,
                                          char               buf[ATEXIT_CLEANUP_NAME_MAX]);
void           atexit_cleanup_free       (AtexitCleanup     *cleanup);
void           atexit_cleanup_dispose    (AtexitCleanup     *cleanup);

G_END_DECLS
