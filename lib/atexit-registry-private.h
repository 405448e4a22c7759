/* atexit-registry-private.h: context → finalizer, every finalizer, ids, process exit, fork
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What the registry asks of a finalizer; it knows nothing else of one. */
typedef struct {
  /* In the thread that destroys the context: the context of @finalizer is gone. */
  void     (*context_died) (GObject *finalizer);
  /* At exit(), for each finalizer of a context, in the exiting thread. */
  void     (*process_exit) (GObject *finalizer);
  /* Whether @finalizer holds a cleanup with @id; takes the finalizer's own lock, so it
   * is called with the registry's lock held (the lock order: registry, then finalizer). */
  gboolean (*has_id)       (GObject *finalizer,
                            guint    id);
  /* Around fork(): takes, then releases, the finalizer's own lock, so that the child's
   * copy of it is never held by a thread the child does not have. */
  void     (*lock)         (GObject *finalizer);
  void     (*unlock)       (GObject *finalizer);
} AtexitRegistryHooks;

void      atexit_registry_init             (const AtexitRegistryHooks *hooks);

/* The registry's lock: held around a finalizer's construction, so that one context never
 * gets two. */
void       atexit_registry_lock            (void);
void       atexit_registry_unlock          (void);
/* With the lock held: (transfer none) (nullable) the finalizer of @context. */
GObject   *atexit_registry_find_locked     (GMainContext *context);
/* With the lock held, from the construction of @finalizer: tracks it, weakly, until
 * atexit_registry_remove(), so that an id can be found in whichever finalizer holds it,
 * and attaches to @context the sentinel that tells of the context's death. When
 * @registered, @finalizer becomes the one of @context, and the registry owns a reference
 * on it until the context dies. */
void       atexit_registry_add_locked      (GObject      *finalizer,
                                            GMainContext *context,
                                            gboolean      registered);
/* From the finalization of @finalizer. */
void       atexit_registry_remove          (GObject      *finalizer);
/* (transfer full) (nullable): @finalizer, if it is a finalizer and still alive; @finalizer
 * may point to freed memory, which is never read. */
GObject   *atexit_registry_ref_live        (gpointer      finalizer);
/* (transfer full) (element-type GObject): every live finalizer but @except. */
GPtrArray *atexit_registry_list            (GObject      *except);

/* A new cleanup id: never 0, and never the id of a cleanup still registered, even once
 * the counter has wrapped around. */
guint     atexit_registry_next_id          (void);
/* Whether @id may have been handed out. */
gboolean  atexit_registry_id_issued        (guint         id);
/* For the tests: the next id handed out follows @last. */
void      atexit_registry_set_last_id      (guint         last);

/* Bumped in the child of each fork(): what a finalizer registered in an older generation
 * belongs to the parent. */
guint     atexit_registry_get_generation   (void);

G_END_DECLS
