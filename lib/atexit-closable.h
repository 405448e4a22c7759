/* atexit-closable.h: objects that know how to close themselves at shutdown
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (ATEXIT_INSIDE) && !defined (ATEXIT_COMPILATION)
# error "Only <atexit-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "atexit-version-macros.h"

G_BEGIN_DECLS

#define ATEXIT_TYPE_CLOSABLE (atexit_closable_get_type ())

ATEXIT_AVAILABLE_IN_1_0
G_DECLARE_INTERFACE (AtexitClosable, atexit_closable, ATEXIT, CLOSABLE, GObject)

/**
 * AtexitClosableInterface:
 * @close_async: starts closing the object
 * @close_finish: finishes what @close_async started
 * @is_closed: whether the object is closed already; %NULL means "never"
 *
 * The virtual methods of [iface@Atexit.Closable].
 *
 * Since: 1.0
 */
struct _AtexitClosableInterface
{
  GTypeInterface parent_iface;

  void     (*close_async)  (AtexitClosable      *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
  gboolean (*close_finish) (AtexitClosable      *self,
                            GAsyncResult        *result,
                            GError             **error);
  gboolean (*is_closed)    (AtexitClosable      *self);

  /*< private >*/
  gpointer padding[8];
};

ATEXIT_AVAILABLE_IN_1_0
void     atexit_closable_close_async  (AtexitClosable      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
ATEXIT_AVAILABLE_IN_1_0
gboolean atexit_closable_close_finish (AtexitClosable      *self,
                                       GAsyncResult        *result,
                                       GError             **error);
ATEXIT_AVAILABLE_IN_1_0
gboolean atexit_closable_is_closed    (AtexitClosable      *self);

G_END_DECLS
