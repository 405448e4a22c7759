/* groups.c: a plugin's own group of cleanups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The atexit-glib authors
 */

#include <string.h>

#include "test-util.h"

static void
append (gpointer data)
{
  GPtrArray *log = data;

  g_ptr_array_add (log, g_strdup ("plugin cleanup"));
}

static void
failing (AtexitLoopFinalizer *finalizer,
         GTask               *task,
         gpointer             user_data)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the server went away");
  g_object_unref (task);
}

static void
waits_for_cancel_cb (GCancellable *cancellable,
                     gpointer      data)
{
  GTask *task = data;

  g_task_return_error_if_cancelled (task);
}

static void
waits_for_cancel (AtexitLoopFinalizer *finalizer,
                  GTask               *task,
                  gpointer             user_data)
{
  gboolean *started = user_data;

  *started = TRUE;
  g_cancellable_connect (g_task_get_cancellable (task), G_CALLBACK (waits_for_cancel_cb),
                         task, g_object_unref);
}

static void
finished_cb (AtexitLoopFinalizer *finalizer,
             guint                id,
             const char          *name,
             int                  priority,
             gint64               duration_us,
             const GError        *error,
             gpointer             user_data)
{
  g_ptr_array_add (user_data, g_strdup (name));
}

static void
never_runs (gpointer data)
{
  g_assert_not_reached ();
}

static void
destroyed (gpointer data)
{
  (*(guint *) data)++;
}

/* Unloaded first: the plugin runs its group; the host's shutdown has nothing left of it. */
static void
test_unload (void)
{
  AtexitLoopFinalizer *host = atexit_loop_finalizer_get_default ();
  guint pending = atexit_loop_finalizer_get_pending (host);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  AtexitGroup *group = atexit_group_new (host, "plugin", G_PRIORITY_DEFAULT);
  AtexitLoopFinalizer *own = atexit_group_get_finalizer (group);

  g_assert_true (atexit_group_get_parent (group) == host);
  g_assert_true (own != host);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (host), ==, pending + 1);

  atexit_loop_finalizer_add (own, append, log, NULL);
  atexit_loop_finalizer_add (own, append, log, NULL);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (host), ==, pending + 1);

  atexit_group_run (group, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 2);

  g_object_unref (group);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (host), ==, pending);

  error = run_blocking (host);
  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 2);
}

static void
group_ran_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  if (!atexit_group_run_finish (ATEXIT_GROUP (object), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "no error: succeeded");
}

/* The asynchronous unload reports the group's failures. */
static void
test_unload_async_fails (void)
{
  g_autoptr(AtexitGroup) group = atexit_group_new (atexit_loop_finalizer_get_default (),
                                                   "plugin", G_PRIORITY_DEFAULT);
  GError *error = NULL;

  atexit_loop_finalizer_add_async_full (atexit_group_get_finalizer (group), "disconnect",
                                  G_PRIORITY_DEFAULT, failing, NULL, NULL);
  atexit_group_run_async (group, NULL, group_ran_cb, &error);
  WAIT_FOR (NULL, error != NULL);
  g_test_assert_expected_messages ();
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "disconnect"));
  g_clear_error (&error);
}

/* The host shuts down first: the group runs as one cleanup of the host, and its
 * failures are in the host's error. */
static void
test_host_first (void)
{
  AtexitLoopFinalizer *host = atexit_loop_finalizer_get_default ();
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtexitGroup) group = atexit_group_new (host, "spell-checker", G_PRIORITY_LOW);
  gulong handler;

  atexit_loop_finalizer_add (atexit_group_get_finalizer (group), append, log, NULL);
  atexit_loop_finalizer_add_async_full (atexit_group_get_finalizer (group), "disconnect",
                                  G_PRIORITY_DEFAULT, failing, NULL, NULL);

  /* The group's own failure, then the host's, which names the group. */
  handler = g_signal_connect (host, "cleanup-finished", G_CALLBACK (finished_cb), finished);
  error = run_blocking (host);
  g_signal_handler_disconnect (host, handler);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (log->len, ==, 1);
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "spell-checker"));
  g_assert_nonnull (strstr (error->message, "disconnect"));
  /* One cleanup for the host. */
  g_assert_cmpuint (finished->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (finished, 0), ==, "spell-checker");
}

/* The host's deadline reaches into the group. */
static void
test_host_deadline (void)
{
  AtexitLoopFinalizer *host = atexit_loop_finalizer_get_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AtexitGroup) group = atexit_group_new (host, "slow-plugin", G_PRIORITY_DEFAULT);
  gboolean started = FALSE;

  atexit_loop_finalizer_set_timeout (atexit_group_get_finalizer (group), 0);
  atexit_loop_finalizer_add_async_full (atexit_group_get_finalizer (group), "never done",
                                  G_PRIORITY_DEFAULT, waits_for_cancel, &started, NULL);
  atexit_loop_finalizer_set_timeout (host, 100);
  error = run_blocking (host);
  atexit_loop_finalizer_set_timeout (host, ATEXIT_DEFAULT_TIMEOUT);
  g_test_assert_expected_messages ();

  g_assert_true (started);
  g_assert_error (error, ATEXIT_ERROR, ATEXIT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "slow-plugin"));
  /* The group's own run was cancelled with it, and has ended. */
  WAIT_FOR (NULL, !atexit_loop_finalizer_get_running (atexit_group_get_finalizer (group)));
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (atexit_group_get_finalizer (group)), ==, 0);
}

/* Dropped without a run: its cleanups never run, their data is released, and the host
 * forgets it. */
static void
test_dropped (void)
{
  AtexitLoopFinalizer *host = atexit_loop_finalizer_get_default ();
  guint pending = atexit_loop_finalizer_get_pending (host);
  g_autoptr(GError) error = NULL;
  AtexitGroup *group = atexit_group_new (host, "plugin", G_PRIORITY_DEFAULT);
  guint n_destroyed = 0;

  atexit_loop_finalizer_add (atexit_group_get_finalizer (group), never_runs, &n_destroyed, destroyed);
  g_object_unref (group);
  g_assert_cmpuint (n_destroyed, ==, 1);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (host), ==, pending);
  error = run_blocking (host);
  g_assert_no_error (error);
}

/* A plugin closes its socket through its group. */
static void
test_group_object (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(AtexitGroup) group = atexit_group_new (atexit_loop_finalizer_get_default (),
                                                   "plugin", G_PRIORITY_DEFAULT);

  g_assert_no_error (error);
  EXPECT_UNCLOSED ("GSocket *");
  atexit_loop_finalizer_add_object (atexit_group_get_finalizer (group), G_OBJECT (socket));
  atexit_group_run (group, NULL, &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_true (g_socket_is_closed (socket));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/groups/unload/runs-own-cleanups", test_unload);
  g_test_add_func ("/atexit/groups/unload/reports-failures", test_unload_async_fails);
  g_test_add_func ("/atexit/groups/host-first/one-cleanup-of-parent", test_host_first);
  g_test_add_func ("/atexit/groups/host-first/parent-deadline", test_host_deadline);
  g_test_add_func ("/atexit/groups/dropped/releases-cleanups", test_dropped);
  g_test_add_func ("/atexit/groups/add-object/closed", test_group_object);

  return g_test_run ();
}
