/* atexit-resource.c: add_object, and how each GIO type is closed
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifdef HAVE_EXECINFO_H
# include <execinfo.h>
#endif
#ifdef G_OS_UNIX
# include <signal.h>
#endif
#include <string.h>

#include <glib/gi18n-lib.h>

#include "atexit-closable.h"
#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"
#include "atexit-resource.h"

#define ATEXIT_BACKTRACE_MAX 32

typedef enum {
  ATEXIT_RESOURCE_PAIR,
  ATEXIT_RESOURCE_CLOSABLE,
  ATEXIT_RESOURCE_DBUS_CONNECTION,
  ATEXIT_RESOURCE_IO_STREAM,
  ATEXIT_RESOURCE_INPUT_STREAM,
  ATEXIT_RESOURCE_OUTPUT_STREAM,
  ATEXIT_RESOURCE_SUBPROCESS,
  ATEXIT_RESOURCE_SOCKET,
  ATEXIT_RESOURCE_SOCKET_LISTENER,
  ATEXIT_RESOURCE_FILE_MONITOR,
  ATEXIT_RESOURCE_CANCELLABLE,
} AtexitResourceKind;

/* One object registered for shutdown. Two owners: the registration (released by its
 * destroy notify) and the weak notification on the object (released when it fires, as
 * the object goes); whichever goes last frees it.
 *
 * The object pointer is cleared, under the lock, by the weak notification, which runs
 * in the object's dispose, before it is freed: so while it is set under the lock, the
 * object's memory is valid and a reference can be taken (at worst resurrecting an
 * object in dispose on another thread, which GObject allows). A GWeakRef would do the
 * same at twice the cost of a registration.
 *
 * The record holds no reference on its finalizer: the finalizer's table holds the
 * record, and a group's finalizer kept alive by its own registrations would never be
 * released. The pointer is only a hint until it is known to be alive:
 *
 * - A context's own finalizer is owned by the registry until its context dies, and the
 *   context's death disposes each registration left in its table, holding a reference
 *   of its own meanwhile; every other way a registration ends (a run, a removal) holds
 *   a reference too until the destroy notify has returned, and a cleanup a run started
 *   holds one until its task is gone. Each disposal clears `registered` under the lock:
 *   so `registered` read as TRUE under the lock means that such a finalizer is alive,
 *   and a reference can be taken there and then. The child of a fork() forgets what its
 *   parent registered without disposing it, so this holds only in the generation the
 *   registration was made in.
 * - Otherwise (a group's finalizer, a parent's registration), the registry says whether
 *   it lives. */
typedef struct {
  gatomicrefcount        ref_count;
  guint                  id;         /* atomic */
  AtexitLoopFinalizer   *finalizer;  /* not owned: see above */
  GObject               *object;     /* not owned; under the lock */
  AtexitAsyncStartFunc   start;
  AtexitAsyncFinishFunc  finish;
  gpointer              *frames;     /* (nullable): where it was registered */
  int                    n_frames;
  guint                  generation; /* the fork generation of the registration */
  guint8                 kind;       /* AtexitResourceKind */
  guint8                 registered; /* until the registration's destroy notify; lock */
  guint8                 trusted;    /* the finalizer is its context's own, see above */
} AtexitResource;

/* One heap chunk of 80 bytes on 64-bit glibc. */
G_STATIC_ASSERT (GLIB_SIZEOF_VOID_P != 8 || sizeof (AtexitResource) <= 72);

/* One close in progress. */
typedef struct {
  GTask        *task;
  GObject      *object;
  GCancellable *cancellable;
  gulong        cancelled_id;
  gulong        closed_id;
  GError       *flush_error;
  GError       *error;
} AtexitClose;

G_LOCK_DEFINE_STATIC (resources);

static void
atexit_resource_unref (AtexitResource *resource)
{
  if (!g_atomic_ref_count_dec (&resource->ref_count))
    return;

  g_assert (!resource->registered);
  g_free (resource->frames);
  g_free (resource);
}

/* A strong reference to the object, if it is still alive. */
static GObject *
atexit_resource_get_object (AtexitResource *resource)
{
  GObject *object = NULL;

  G_LOCK (resources);
  if (resource->object != NULL)
    object = g_object_ref (resource->object);
  G_UNLOCK (resources);

  return object;
}

#ifdef HAVE_EXECINFO_H
static gboolean
atexit_backtraces_wanted (void)
{
  static gsize wanted = 0;

  if (g_once_init_enter (&wanted))
    {
      const GDebugKey keys[] = { { "backtrace", 1 } };
      guint flags = g_parse_debug_string (g_getenv ("ATEXIT_DEBUG"), keys, G_N_ELEMENTS (keys));

      g_once_init_leave (&wanted, (flags & 1) ? 2 : 1);
    }

  return wanted == 2;
}
#endif

static AtexitResourceKind
atexit_resource_kind_for_type (GObject  *object,
                               gboolean *supported)
{
  *supported = TRUE;

  if (ATEXIT_IS_CLOSABLE (object))
    return ATEXIT_RESOURCE_CLOSABLE;
  if (G_IS_DBUS_CONNECTION (object))
    return ATEXIT_RESOURCE_DBUS_CONNECTION;
  if (G_IS_IO_STREAM (object))
    return ATEXIT_RESOURCE_IO_STREAM;
  if (G_IS_INPUT_STREAM (object))
    return ATEXIT_RESOURCE_INPUT_STREAM;
  if (G_IS_OUTPUT_STREAM (object))
    return ATEXIT_RESOURCE_OUTPUT_STREAM;
  if (G_IS_SUBPROCESS (object))
    return ATEXIT_RESOURCE_SUBPROCESS;
  if (G_IS_SOCKET (object))
    return ATEXIT_RESOURCE_SOCKET;
  if (G_IS_SOCKET_LISTENER (object))
    return ATEXIT_RESOURCE_SOCKET_LISTENER;
  if (G_IS_FILE_MONITOR (object))
    return ATEXIT_RESOURCE_FILE_MONITOR;
  if (G_IS_CANCELLABLE (object))
    return ATEXIT_RESOURCE_CANCELLABLE;

  *supported = FALSE;
  return ATEXIT_RESOURCE_PAIR;
}

/* Programs register many objects of few types: each thread remembers the kind of the
 * last type it registered, so that a registration does not walk the type checks. */
static AtexitResourceKind
atexit_resource_kind_for (GObject  *object,
                          gboolean *supported)
{
  static _Thread_local GType cached_type;
  static _Thread_local AtexitResourceKind cached_kind;
  GType type = G_OBJECT_TYPE (object);
  AtexitResourceKind kind;

  if (type == cached_type)
    {
      *supported = TRUE;
      return cached_kind;
    }

  kind = atexit_resource_kind_for_type (object, supported);
  if (*supported)
    {
      cached_type = type;
      cached_kind = kind;
    }

  return kind;
}

/* Whether there is something left to close; a listener cannot tell, so it always is. */
static gboolean
atexit_resource_is_open (AtexitResource *resource,
                         GObject        *object)
{
  switch (resource->kind)
    {
    case ATEXIT_RESOURCE_PAIR:
    case ATEXIT_RESOURCE_SOCKET_LISTENER:
      return TRUE;
    case ATEXIT_RESOURCE_CLOSABLE:
      return !atexit_closable_is_closed (ATEXIT_CLOSABLE (object));
    case ATEXIT_RESOURCE_DBUS_CONNECTION:
      return !g_dbus_connection_is_closed (G_DBUS_CONNECTION (object));
    case ATEXIT_RESOURCE_IO_STREAM:
      return !g_io_stream_is_closed (G_IO_STREAM (object));
    case ATEXIT_RESOURCE_INPUT_STREAM:
      return !g_input_stream_is_closed (G_INPUT_STREAM (object));
    case ATEXIT_RESOURCE_OUTPUT_STREAM:
      return !g_output_stream_is_closed (G_OUTPUT_STREAM (object));
    case ATEXIT_RESOURCE_SUBPROCESS:
      return g_subprocess_get_identifier (G_SUBPROCESS (object)) != NULL;
    case ATEXIT_RESOURCE_SOCKET:
      return !g_socket_is_closed (G_SOCKET (object));
    case ATEXIT_RESOURCE_FILE_MONITOR:
      return !g_file_monitor_is_cancelled (G_FILE_MONITOR (object));
    case ATEXIT_RESOURCE_CANCELLABLE:
      return !g_cancellable_is_cancelled (G_CANCELLABLE (object));
    default:
      g_assert_not_reached ();
    }
}

/* Like Python's ResourceWarning: the owner should have closed it, and this close is
 * the one that tried (not one that found it closed, or being closed, meanwhile). */
static void
atexit_resource_report_unclosed (AtexitResource *resource,
                                 GObject        *object)
{
  g_autoptr(GString) where = g_string_new (NULL);

  if (resource->kind == ATEXIT_RESOURCE_PAIR || resource->kind == ATEXIT_RESOURCE_SOCKET_LISTENER)
    return;

#ifdef HAVE_EXECINFO_H
  if (resource->frames != NULL)
    {
      g_autofree char **symbols = backtrace_symbols (resource->frames, resource->n_frames);

      g_string_append (where, _("; it was registered at:"));
      for (int i = 0; symbols != NULL && i < resource->n_frames; i++)
        g_string_append_printf (where, "\n  #%d %s", i, symbols[i]);
    }
  else
#endif
    {
      g_string_append (where, _(" (set ATEXIT_DEBUG=backtrace to see where it was registered)"));
    }

  /* A message, not a warning: like a ResourceWarning, it points at a leak without
   * failing the program (every g_test program makes warnings fatal, and so would a
   * clean exit whose exit-action runs the cleanups). */
  g_message (_("Unclosed resource: %s %p was still open at shutdown; closing it%s"),
             G_OBJECT_TYPE_NAME (object), object, where->str);
}

static void
atexit_close_free (AtexitClose *close)
{
  if (close->cancelled_id != 0)
    g_cancellable_disconnect (close->cancellable, close->cancelled_id);
  g_clear_signal_handler (&close->closed_id, close->object);
  g_clear_error (&close->flush_error);
  g_clear_error (&close->error);
  g_clear_object (&close->object);
  g_free (close);
}

static GQuark atexit_resource_closing_quark (void);
G_DEFINE_QUARK (atexit-resource-closing, atexit_resource_closing)

/* Whether @object is closing, by its owner or by another registration, or closed. */
static gboolean
atexit_resource_is_closing (AtexitResource *resource,
                            GObject        *object)
{
  if (!atexit_resource_is_open (resource, object))
    return TRUE;

  switch (resource->kind)
    {
    case ATEXIT_RESOURCE_OUTPUT_STREAM:
      return g_output_stream_is_closing (G_OUTPUT_STREAM (object));
    case ATEXIT_RESOURCE_IO_STREAM:
      return g_io_stream_has_pending (G_IO_STREAM (object));
    default:
      return FALSE;
    }
}

/* Whether its owner may be closing it on another thread as the run does: a stream or a
 * connection. Then the close is warned of once it is known to be the run's own, at its
 * end; anything else, as it starts. */
static gboolean
atexit_resource_may_race (AtexitResource *resource)
{
  switch (resource->kind)
    {
    case ATEXIT_RESOURCE_CLOSABLE:
    case ATEXIT_RESOURCE_DBUS_CONNECTION:
    case ATEXIT_RESOURCE_IO_STREAM:
    case ATEXIT_RESOURCE_INPUT_STREAM:
    case ATEXIT_RESOURCE_OUTPUT_STREAM:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Completes the cleanup's task; consumes @close and @error. An object its owner closed
 * meanwhile, on another thread, is closed: that is a success, and not one to warn of. */
static void
atexit_close_return (AtexitClose *close,
                     GError      *error)
{
  AtexitResource *resource = g_task_get_task_data (close->task);
  GTask *task = g_steal_pointer (&close->task);
  gboolean ours = TRUE;

  if (error == NULL && close->flush_error != NULL)
    error = g_steal_pointer (&close->flush_error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
      (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING) &&
       atexit_resource_is_closing (resource, close->object)))
    {
      g_clear_error (&error);
      ours = FALSE;
    }

  if (ours && atexit_resource_may_race (resource))
    atexit_resource_report_unclosed (resource, close->object);

  if (resource->kind != ATEXIT_RESOURCE_PAIR)
    g_object_set_qdata (close->object, atexit_resource_closing_quark (), NULL);
  atexit_close_free (close);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
atexit_close_dbus_closed_cb (GDBusConnection *connection,
                             gboolean         remote_peer_vanished,
                             GError          *error,
                             gpointer         user_data)
{
  AtexitClose *close = user_data;

  g_clear_signal_handler (&close->closed_id, connection);
  atexit_close_return (close, g_steal_pointer (&close->error));
}

static void
atexit_close_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AtexitClose *close = user_data;
  AtexitResource *resource = g_task_get_task_data (close->task);
  GError *error = NULL;

  switch (resource->kind)
    {
    case ATEXIT_RESOURCE_PAIR:
      resource->finish (source, result, &error);
      break;
    case ATEXIT_RESOURCE_CLOSABLE:
      atexit_closable_close_finish (ATEXIT_CLOSABLE (source), result, &error);
      break;
    case ATEXIT_RESOURCE_DBUS_CONNECTION:
      g_dbus_connection_close_finish (G_DBUS_CONNECTION (source), result, &error);
      /* Someone else closed it meanwhile: it is closed, which is what was wanted. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        g_clear_error (&error);
      if (!g_dbus_connection_is_closed (G_DBUS_CONNECTION (source)))
        {
          close->error = error;
          close->closed_id = g_signal_connect (source, "closed",
                                               G_CALLBACK (atexit_close_dbus_closed_cb), close);
          return;
        }
      break;
    case ATEXIT_RESOURCE_IO_STREAM:
      g_io_stream_close_finish (G_IO_STREAM (source), result, &error);
      break;
    case ATEXIT_RESOURCE_INPUT_STREAM:
      g_input_stream_close_finish (G_INPUT_STREAM (source), result, &error);
      break;
    case ATEXIT_RESOURCE_OUTPUT_STREAM:
      g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error);
      break;
    case ATEXIT_RESOURCE_SUBPROCESS:
      g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  atexit_close_return (close, error);
}

static void
atexit_close_dbus_flushed_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  AtexitClose *close = user_data;

  /* A failed flush is reported, but the connection is closed all the same. */
  if (!g_dbus_connection_flush_finish (G_DBUS_CONNECTION (source), result, &close->flush_error) &&
      g_error_matches (close->flush_error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_clear_error (&close->flush_error);

  g_dbus_connection_close (G_DBUS_CONNECTION (source), close->cancellable,
                           atexit_close_done_cb, close);
}

/* The cleanup's deadline passed: a child that ignored SIGTERM is killed. */
static void
atexit_close_subprocess_cancelled_cb (GCancellable *cancellable,
                                      gpointer      user_data)
{
  AtexitClose *close = user_data;

  g_subprocess_force_exit (G_SUBPROCESS (close->object));
}

static void
atexit_resource_cleanup (AtexitLoopFinalizer *finalizer,
                         GTask               *task,
                         gpointer             user_data)
{
  AtexitResource *resource = user_data;
  g_autoptr(GObject) object = atexit_resource_get_object (resource);
  GCancellable *cancellable = g_task_get_cancellable (task);
  AtexitClose *close;

  /* Gone, closed, or being closed by another registration of the same object. A pair
   * is the caller's own operation (a flush, then a close): never taken for a close. */
  if (object == NULL || !atexit_resource_is_open (resource, object) ||
      (resource->kind != ATEXIT_RESOURCE_PAIR &&
       !g_object_replace_qdata (object, atexit_resource_closing_quark (),
                                NULL, GINT_TO_POINTER (1), NULL, NULL)))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (!atexit_resource_may_race (resource))
    atexit_resource_report_unclosed (resource, object);

  g_task_set_task_data (task, resource, NULL);
  close = g_new0 (AtexitClose, 1);
  close->task = task;
  close->object = g_object_ref (object);
  close->cancellable = cancellable;

  switch (resource->kind)
    {
    case ATEXIT_RESOURCE_PAIR:
      resource->start (object, cancellable, atexit_close_done_cb, close);
      break;

    case ATEXIT_RESOURCE_CLOSABLE:
      atexit_closable_close_async (ATEXIT_CLOSABLE (object), cancellable,
                                   atexit_close_done_cb, close);
      break;

    case ATEXIT_RESOURCE_DBUS_CONNECTION:
      g_dbus_connection_flush (G_DBUS_CONNECTION (object), cancellable,
                               atexit_close_dbus_flushed_cb, close);
      break;

    case ATEXIT_RESOURCE_IO_STREAM:
      g_io_stream_close_async (G_IO_STREAM (object), G_PRIORITY_DEFAULT, cancellable,
                               atexit_close_done_cb, close);
      break;

    case ATEXIT_RESOURCE_INPUT_STREAM:
      g_input_stream_close_async (G_INPUT_STREAM (object), G_PRIORITY_DEFAULT, cancellable,
                                  atexit_close_done_cb, close);
      break;

    case ATEXIT_RESOURCE_OUTPUT_STREAM:
      g_output_stream_close_async (G_OUTPUT_STREAM (object), G_PRIORITY_DEFAULT, cancellable,
                                   atexit_close_done_cb, close);
      break;

    case ATEXIT_RESOURCE_SUBPROCESS:
#ifdef G_OS_UNIX
      g_subprocess_send_signal (G_SUBPROCESS (object), SIGTERM);
#else
      g_subprocess_force_exit (G_SUBPROCESS (object));
#endif
      /* The wait itself is not cancelled: after SIGKILL the child is still reaped. */
      g_subprocess_wait_async (G_SUBPROCESS (object), NULL, atexit_close_done_cb, close);
      if (cancellable != NULL)
        close->cancelled_id =
          g_cancellable_connect (cancellable, G_CALLBACK (atexit_close_subprocess_cancelled_cb),
                                 close, NULL);
      break;

    case ATEXIT_RESOURCE_SOCKET:
      {
        GError *error = NULL;

        g_socket_close (G_SOCKET (object), &error);
        atexit_close_return (close, error);
      }
      break;

    case ATEXIT_RESOURCE_SOCKET_LISTENER:
      g_socket_listener_close (G_SOCKET_LISTENER (object));
      atexit_close_return (close, NULL);
      break;

    case ATEXIT_RESOURCE_FILE_MONITOR:
      g_file_monitor_cancel (G_FILE_MONITOR (object));
      atexit_close_return (close, NULL);
      break;

    case ATEXIT_RESOURCE_CANCELLABLE:
      g_cancellable_cancel (G_CANCELLABLE (object));
      atexit_close_return (close, NULL);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* The object is being finalized before shutdown: its registration goes away with it. */
static void
atexit_resource_object_gone (gpointer  user_data,
                             GObject  *where_the_object_was)
{
  AtexitResource *resource = user_data;
  g_autoptr(GObject) finalizer = NULL;
  gboolean registered;
  guint id;

  /* id is 0 only while the registration is being made, in another thread; then the
   * run skips it, as its object is gone. */
  id = (guint) g_atomic_int_get ((int *) &resource->id);

  G_LOCK (resources);
  resource->object = NULL;
  registered = resource->registered && id != 0;
  if (registered && resource->trusted &&
      resource->generation == atexit_registry_get_generation ())
    finalizer = (GObject *) g_object_ref (resource->finalizer);
  G_UNLOCK (resources);

  /* The finalizer may have gone: the registry says whether it lives. */
  if (registered && finalizer == NULL)
    finalizer = atexit_registry_ref_live (resource->finalizer);
  if (finalizer != NULL)
    atexit_loop_finalizer_remove_quiet ((AtexitLoopFinalizer *) finalizer, id);

  atexit_resource_unref (resource);
}

/* The registration's destroy notify: it ran, was removed, or its context died.
 *
 * The weak notification stays on the object: taking it off could race with the
 * object's last reference being dropped on another thread, where GObject has already
 * detached the notification and is about to call it. Left alone, it fires once, when
 * the object goes, and only drops its reference on the record. */
static void
atexit_resource_unregistered (gpointer user_data)
{
  AtexitResource *resource = user_data;

  G_LOCK (resources);
  resource->registered = FALSE;
  G_UNLOCK (resources);

  atexit_resource_unref (resource);
}

static guint
atexit_resource_register (AtexitLoopFinalizer   *self,
                          GObject               *object,
                          AtexitResourceKind     kind,
                          const char            *name,
                          int                    priority,
                          AtexitAsyncStartFunc   start,
                          AtexitAsyncFinishFunc  finish)
{
  AtexitResource *resource = g_new0 (AtexitResource, 1);
  guint id;

  g_atomic_ref_count_init (&resource->ref_count);
  g_atomic_ref_count_inc (&resource->ref_count);
  resource->kind = kind;
  resource->start = start;
  resource->finish = finish;
  resource->registered = TRUE;
  resource->trusted = self->registered;
  resource->generation = atexit_registry_get_generation ();
  resource->finalizer = self;
  resource->object = object;

#ifdef HAVE_EXECINFO_H
  if (G_UNLIKELY (atexit_backtraces_wanted ()))
    {
      resource->frames = g_new (gpointer, ATEXIT_BACKTRACE_MAX);
      resource->n_frames = backtrace (resource->frames, ATEXIT_BACKTRACE_MAX);
    }
#endif

  g_object_weak_ref (object, atexit_resource_object_gone, resource);

  id = atexit_loop_finalizer_add_async_full (self, name, priority, atexit_resource_cleanup,
                                       resource, atexit_resource_unregistered);

  g_atomic_int_set ((int *) &resource->id, (int) id);

  return id;
}

/**
 * atexit_loop_finalizer_add_object:
 * @self: a finalizer
 * @object: (transfer none): the object to close at shutdown
 *
 * Closes @object at the next run if it is still alive and open then, the way
 * its type is closed:
 *
 * - [class@Gio.IOStream], [class@Gio.InputStream], [class@Gio.OutputStream]:
 *   closed asynchronously, which flushes what was written;
 * - [class@Gio.DBusConnection]: flushed, then closed;
 * - [class@Gio.Subprocess]: sent `SIGTERM` and waited for; killed when the
 *   cleanup's deadline passes;
 * - [class@Gio.Socket], [class@Gio.SocketListener]: closed;
 * - [class@Gio.FileMonitor], [class@Gio.Cancellable]: cancelled;
 * - an [iface@Atexit.Closable]: [method@Atexit.Closable.close_async].
 *
 * Only a weak reference is held: an object finalized before the run drops out
 * by itself, and one that is closed by then is skipped. An object that is still
 * open at the run was never closed by its owner: a warning names it, like
 * Python's `ResourceWarning`, with the backtrace of this call when the
 * environment variable `ATEXIT_DEBUG` contains `backtrace`. (A socket listener
 * cannot tell whether it was closed; it is closed without a warning.)
 *
 * The cleanup runs at %G_PRIORITY_DEFAULT and is named after the type of
 * @object. Safe to call from any thread; @object is closed in the finalizer's
 * context.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], or 0 when @object
 *   is not of a type that can be closed
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_object (AtexitLoopFinalizer *self,
                                  GObject             *object)
{
  AtexitResourceKind kind;
  gboolean supported;

  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (G_IS_OBJECT (object), 0);

  kind = atexit_resource_kind_for (object, &supported);
  if (!supported)
    {
      g_critical ("%s: objects of type %s cannot be closed; implement AtexitClosable",
                  G_STRFUNC, G_OBJECT_TYPE_NAME (object));
      return 0;
    }

  return atexit_resource_register (self, object, kind, G_OBJECT_TYPE_NAME (object),
                                   G_PRIORITY_DEFAULT, NULL, NULL);
}

/**
 * atexit_loop_finalizer_add_async_pair: (skip)
 * @self: a finalizer
 * @object: (transfer none): the source object of the operation
 * @name: (nullable): a name for reports and debug logs
 * @priority: the group it runs in; lower runs first
 * @start: the start of a GIO-style asynchronous operation on @object
 * @finish: its `_finish`
 *
 * Registers an existing GIO asynchronous method and its `_finish` as a
 * cleanup: at the next run the finalizer calls
 * `start (object, cancellable, callback, data)` and, in the callback,
 * `finish (object, result, &error)`. For instance:
 *
 * ```c
 * atexit_loop_finalizer_add_async_pair (finalizer, G_OBJECT (connection),
 *                                       "flush the bus", G_PRIORITY_HIGH,
 *                                       (AtexitAsyncStartFunc) g_dbus_connection_flush,
 *                                       (AtexitAsyncFinishFunc) g_dbus_connection_flush_finish);
 * ```
 *
 * @object is held weakly, as by [method@Atexit.LoopFinalizer.add_object]: when
 * it is finalized before the run, the cleanup drops out. Bindings use
 * [method@Atexit.LoopFinalizer.add_async] instead.
 *
 * Returns: an id for [method@Atexit.LoopFinalizer.remove], never 0 but on bad input
 *
 * Since: 1.0
 */
guint
atexit_loop_finalizer_add_async_pair (AtexitLoopFinalizer   *self,
                                      GObject               *object,
                                      const char            *name,
                                      int                    priority,
                                      AtexitAsyncStartFunc   start,
                                      AtexitAsyncFinishFunc  finish)
{
  g_return_val_if_fail (ATEXIT_IS_LOOP_FINALIZER (self), 0);
  g_return_val_if_fail (G_IS_OBJECT (object), 0);
  g_return_val_if_fail (start != NULL, 0);
  g_return_val_if_fail (finish != NULL, 0);

  return atexit_resource_register (self, object, ATEXIT_RESOURCE_PAIR,
                                   name != NULL ? name : G_OBJECT_TYPE_NAME (object),
                                   priority, start, finish);
}
