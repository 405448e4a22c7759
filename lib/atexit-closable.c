/* atexit-closable.c: objects that know how to close themselves at shutdown
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-closable.h"

/**
 * AtexitClosable:
 *
 * An object that [method@Atexit.LoopFinalizer.add_object] can close at
 * shutdown: a connection, a session, a lock file — anything that is not one of
 * the GIO types it already knows.
 *
 * An implementation closes the object asynchronously in
 * [vfunc@Atexit.Closable.close_async], honouring the cancellable (which is
 * cancelled when the shutdown's deadline passes), and says in
 * [vfunc@Atexit.Closable.is_closed] whether there is anything left to close.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (AtexitClosable, atexit_closable, G_TYPE_OBJECT)

static void
atexit_closable_default_init (AtexitClosableInterface *iface)
{
}

/**
 * atexit_closable_close_async:
 * @self: a closable object
 * @cancellable: (nullable): cancels the close
 * @callback: (scope async) (closure user_data): called when the object is closed
 * @user_data: data for @callback
 *
 * Closes @self. Call [method@Atexit.Closable.close_finish] in @callback.
 *
 * Since: 1.0
 */
void
atexit_closable_close_async (AtexitClosable      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  AtexitClosableInterface *iface;

  g_return_if_fail (ATEXIT_IS_CLOSABLE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = ATEXIT_CLOSABLE_GET_IFACE (self);
  g_return_if_fail (iface->close_async != NULL);

  iface->close_async (self, cancellable, callback, user_data);
}

/**
 * atexit_closable_close_finish:
 * @self: a closable object
 * @result: the result given to the callback of [method@Atexit.Closable.close_async]
 * @error: return location for an error
 *
 * Finishes closing @self.
 *
 * Returns: %TRUE if @self was closed cleanly
 *
 * Since: 1.0
 */
gboolean
atexit_closable_close_finish (AtexitClosable  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  AtexitClosableInterface *iface;

  g_return_val_if_fail (ATEXIT_IS_CLOSABLE (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  iface = ATEXIT_CLOSABLE_GET_IFACE (self);
  g_return_val_if_fail (iface->close_finish != NULL, FALSE);

  return iface->close_finish (self, result, error);
}

/**
 * atexit_closable_is_closed:
 * @self: a closable object
 *
 * Whether @self is closed already, so that there is nothing left to do at
 * shutdown. An implementation without [vfunc@Atexit.Closable.is_closed] is
 * never closed.
 *
 * Returns: %TRUE if @self is closed
 *
 * Since: 1.0
 */
gboolean
atexit_closable_is_closed (AtexitClosable *self)
{
  AtexitClosableInterface *iface;

  g_return_val_if_fail (ATEXIT_IS_CLOSABLE (self), FALSE);

  iface = ATEXIT_CLOSABLE_GET_IFACE (self);
  if (iface->is_closed == NULL)
    return FALSE;

  return iface->is_closed (self);
}
